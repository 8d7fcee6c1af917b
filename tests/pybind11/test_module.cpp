// tests/pybind11/test_module.cpp: bb_pybind11, the pybind11 side of the adapter tests (one module, many features).
//
// Binds and exports Toy (export_type) and Both (export_all), registers
// ToyError; imports Pet (bound only by the nanobind module), bbt_point (the
// C-API framework) and Both (bound here too: native first).
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>


#include <bindbridge/pybind11.h>

#include "../common/types.h"

BINDBRIDGE_PYBIND11_IMPORT_AS(Pet, "bb_nanobind.Pet")
BINDBRIDGE_PYBIND11_IMPORT(bbt_point)
BINDBRIDGE_PYBIND11_IMPORT(Both)
BINDBRIDGE_PYBIND11_IMPORT(Toy)
BINDBRIDGE_PYBIND11_IMPORT(Color)
BINDBRIDGE_PYBIND11_IMPORT(Shade)
// bb_boost_python's (tests/boost_python).
BINDBRIDGE_PYBIND11_IMPORT(Kite)
BINDBRIDGE_PYBIND11_IMPORT(Wind)
BINDBRIDGE_PYBIND11_IMPORT(Sail)
// The version modules' VPet<4> (tests/versions/vtypes.h; only its C++ name
// matters here): bbv_pb310_abi0 binds it under another ABI tag, for the
// ABI-tag explanation.
template <int N>
struct VPet {
    std::string name;
};
BINDBRIDGE_PYBIND11_IMPORT(VPet<4>)

namespace py = pybind11;

// Holds a foreign Pet and Color by value; its accessor and the pet
// property return the Pet with reference_internal.
struct PetHouse {
    Pet resident{"Resident", "zzz"};
    Color door = Color::green;
};

template <typename T>
void bind_features(py::module_& m, const std::string& prefix) {
    using F = feature_set<T>;
    auto name = [&](const char* n) { return (prefix + "_" + n); };
    m.def(name("describe").c_str(), &F::describe);
    m.def(name("rename").c_str(), &F::rename);
    m.def(name("name_or_none").c_str(), &F::name_or_none, py::arg("obj").none(true));
    m.def(name("by_value").c_str(), &F::by_value);
    m.def(name("clone").c_str(), &F::clone);
    m.def(name("make_owned").c_str(), &F::make_owned, py::return_value_policy::take_ownership);
    m.def(name("favourite").c_str(), &F::favourite, py::return_value_policy::reference);
    m.def(name("favourite_copy").c_str(), [] { return F::favourite(); });
    m.def(name("echo").c_str(), &F::echo, py::return_value_policy::reference);
    m.def(name("share").c_str(), &F::share);
    m.def(name("keep").c_str(), &F::keep);
    m.def(name("kept_name").c_str(), &F::kept_name);
    m.def(name("release_kept").c_str(), &F::release_kept);
    m.def(name("make_shared").c_str(), &F::make_shared);
    m.def(name("take_unique").c_str(), &F::take_unique);
    m.def(name("overload").c_str(), &F::overload_unique);
    m.def(name("overload").c_str(), &F::overload_ref);
}

struct PetDeleter {
    static int runs;
    void operator()(Pet* p) const {
        ++runs;
        delete p;
    }
};
int PetDeleter::runs = 0;

void bind_hierarchy(py::module_& m);    // test_hierarchy.cpp
void bind_outside_call(py::module_& m); // test_outside_call.cpp

PYBIND11_MODULE(bb_pybind11, m) {
    py::class_<Toy, std::shared_ptr<Toy>>(m, "Toy")
        .def(py::init<std::string>())
        .def_readwrite("name", &Toy::name)
        .def_readwrite("squeaks", &Toy::squeaks);
    py::class_<Both>(m, "Both").def(py::init<std::string>()).def_readwrite("name", &Both::name);
    py::class_<PetHouse>(m, "PetHouse")
        .def(py::init<>())
        .def("resident", [](PetHouse& h) -> Pet& { return h.resident; },
             py::return_value_policy::reference_internal)
        .def_readwrite("pet", &PetHouse::resident)
        .def_readwrite("door", &PetHouse::door);
    py::register_exception<ToyError>(m, "ToyError");
    // bbt_point bound here as well as by the C-API framework: native first.
    py::class_<bbt_point>(m, "PbPoint")
        .def(py::init([](double x, double y) { return bbt_point{x, y}; }))
        .def_readwrite("x", &bbt_point::x)
        .def_readwrite("y", &bbt_point::y);

    py::enum_<Shade>(m, "Shade").value("light", Shade::light).value("dark", Shade::dark);
    bindbridge::export_type<Toy>(m);
    bindbridge::export_type<Shade>(m);
    bindbridge::export_type<bbt_point>(m);
    m.attr("exported_by_export_all") = bindbridge::export_all(m);
    m.def("reexport", [m]() { bindbridge::export_type<Toy>(m); });

    bind_features<Pet>(m, "pet");
    bind_features<Toy>(m, "toy");
    bind_features<Both>(m, "both");

    m.def("point_sum", [](const bbt_point& p) { return p.x + p.y; });
    m.def("point_scale", [](bbt_point& p, double k) { p.x *= k; p.y *= k; });
    m.def("point_make", [](double x, double y) { return bbt_point{x, y}; });

    m.def("raise_toy_error", [](const std::string& what) { throw ToyError(what); });
    bind_features<Kite>(m, "kite");
    m.def("wind_value", [](Wind w) { return (int) w; });
    m.def("wind_make", [](int v) { return (Wind) v; });
    m.def("sail_kind", [](const Sail& s) { return s.kind(); });
    m.def("sail_make_jib", [] { return std::unique_ptr<Sail>(new Jib()); });
    m.def("raise_kite_error", [](const std::string& what) { throw KiteError(what); });
    m.def("raise_pet_error", [](const std::string& what) { throw PetError(what); });
    m.def("speak", [](const Pet& p) { return p.speak(); });
    // A custom deleter cannot cross: the nanobind wrapper would not run it.
    m.def("pet_custom_deleter", [] { return std::unique_ptr<Pet, PetDeleter>(new Pet("rex", "woof")); });
    m.def("pet_custom_deleter_runs", [] { return PetDeleter::runs; });
    // py::keep_alive whose nurse is a nanobind Pet (no weakrefs): through
    // nanobind; whose nurse is a pybind11 Toy: pybind11's own.
    m.def("pet_holds_toy", [](Pet&, Toy&) {}, py::keep_alive<1, 2>());
    m.def("toy_holds_pet", [](Toy&, Pet&) {}, py::keep_alive<1, 2>());
    m.def("pet_for_toy", [](const Toy& t) { return Pet(t.name, "squeak"); }, py::keep_alive<0, 1>());
    m.def("toy_holds_result", [](Toy&) { return Pet("kept", "purr"); }, py::keep_alive<1, 0>());
    m.def("none_holds_toy", [](py::object, Toy&) {}, py::keep_alive<1, 2>());
    m.def("framework", [] { return "pybind11"; });
    m.def("raise_int", [] { throw 42; });
    m.def("raise_runtime_error", [](const std::string& w) { throw std::runtime_error(w); });
    m.def("color_value", [](Color c) { return (int) c; });
    m.def("color_make", [](int v) { return (Color) v; });
    m.def("shade_value", [](Shade s) { return (int) s; });
    m.def("shade_make", [](int v) { return (Shade) v; });

    m.def("stray_value", [](const Stray& s) { return s.value; }); // Stray: never imported here
    py::class_<Wrapper>(m, "Wrapper")
        .def(py::init([](const Pet& p) { return Wrapper{"wrapped " + p.name}; }))
        .def_readonly("name", &Wrapper::name);
    py::implicitly_convertible<Pet, Wrapper>();
    bindbridge::export_type<Wrapper>(m);
    m.def("wrapper_name", [](const Wrapper& w) { return w.name; });
    m.def("vpet4_name", [](const VPet<4>& p) { return p.name; });

    bind_hierarchy(m);
    bind_outside_call(m);

    // Last: a failing call with a foreign argument explains itself.
    m.attr("explained_functions") = bindbridge::explain_failures(m);
}
