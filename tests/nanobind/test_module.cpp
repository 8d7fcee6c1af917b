// tests/nanobind/test_module.cpp: bb_nanobind, the nanobind side of the adapter tests (one module, many features).
//
// Binds and exports Pet (export_type) and Both (export_all), registers
// PetError; imports Toy (bound only by the pybind11 module), bbt_point (the
// C-API framework) and Both (bound here too: native first).
#include <nanobind/nanobind.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/unique_ptr.h>

#include <bindbridge/nanobind.h>

#include <deque>

#include "../common/types.h"

BINDBRIDGE_NANOBIND_IMPORT_AS(Toy, "bb_pybind11.Toy")
BINDBRIDGE_NANOBIND_IMPORT(bbt_point)
BINDBRIDGE_NANOBIND_IMPORT(Both)
BINDBRIDGE_NANOBIND_IMPORT(Pet)
BINDBRIDGE_NANOBIND_IMPORT(Color)
BINDBRIDGE_NANOBIND_IMPORT(Wrapper)
BINDBRIDGE_NANOBIND_IMPORT(Shade)
// bb_boost_python's (tests/boost_python).
BINDBRIDGE_NANOBIND_IMPORT(Kite)
BINDBRIDGE_NANOBIND_IMPORT(Wind)
BINDBRIDGE_NANOBIND_IMPORT(Sail)

// A declaration must not instantiate std::shared_ptr<T> (nor anything else
// a module does not use): in a codebase of a thousand declared types that
// was most of the declarations' compile time (docs/benchmarks.md).  Here
// std::shared_ptr<NeverShared> is declared and never defined: the
// declaration below compiles only while nothing completes it.
struct NeverShared {
    int v = 0;
};
namespace std {
template <>
class shared_ptr<NeverShared>;
} // namespace std
BINDBRIDGE_NANOBIND_IMPORT(NeverShared)

namespace nb = nanobind;
using namespace nb::literals;

template <typename T>
void bind_features(nb::module_& m, const std::string& prefix) {
    using F = feature_set<T>;
    auto name = [&](const char* n) { return prefix + "_" + n; };
    // nanobind keeps the name pointer: give it static storage (a deque
    // never moves its elements; freed at exit, so valgrind sees no leak).
    static std::deque<std::string> names;
    auto keep = [](std::string s) { return names.emplace_back(std::move(s)).c_str(); };
    m.def(keep(name("describe")), &F::describe);
    m.def(keep(name("rename")), &F::rename);
    m.def(keep(name("name_or_none")), &F::name_or_none, "obj"_a.none());
    m.def(keep(name("by_value")), &F::by_value);
    m.def(keep(name("clone")), &F::clone);
    m.def(keep(name("make_owned")), &F::make_owned, nb::rv_policy::take_ownership);
    m.def(keep(name("favourite")), &F::favourite, nb::rv_policy::reference);
    m.def(keep(name("favourite_copy")), [] { return F::favourite(); });
    m.def(keep(name("echo")), &F::echo, nb::rv_policy::reference);
    m.def(keep(name("share")), &F::share);
    m.def(keep(name("keep")), &F::keep);
    m.def(keep(name("kept_name")), &F::kept_name);
    m.def(keep(name("release_kept")), &F::release_kept);
    m.def(keep(name("make_shared")), &F::make_shared);
    m.def(keep(name("take_unique")), &F::take_unique);
    m.def(keep(name("overload")), &F::overload_unique);
    m.def(keep(name("overload")), &F::overload_ref);
}

void bind_hierarchy(nb::module_& m);    // test_hierarchy.cpp
void bind_outside_call(nb::module_& m); // test_outside_call.cpp

NB_MODULE(bb_nanobind, m) {
    nb::class_<Pet>(m, "Pet")
        .def(nb::init<std::string, std::string>(), "name"_a, "sound"_a = "hello")
        .def_rw("name", &Pet::name)
        .def_rw("sound", &Pet::sound)
        .def("speak", &Pet::speak);
    nb::class_<Both>(m, "Both").def(nb::init<std::string>()).def_rw("name", &Both::name);
    nb::exception<PetError>(m, "PetError");
    nb::enum_<Color>(m, "Color")
        .value("red", Color::red)
        .value("green", Color::green)
        .value("blue", Color::blue);
    bindbridge::export_type<Color>(m);

    bindbridge::export_type<Pet>(m);
    // nb::keep_alive whose nurse is a pybind11 Toy (nanobind falls back to
    // a weakref, which pybind11 objects take), and the reverse.
    m.def("toy_holds_pet", [](Toy&, Pet&) {}, nb::keep_alive<1, 2>());
    m.def("pet_holds_toy", [](Pet&, Toy&) {}, nb::keep_alive<1, 2>());
    m.def("toy_for_pet", [](const Pet& p) { return Toy(p.name); }, nb::keep_alive<0, 1>());
    m.attr("exported_by_export_all") = bindbridge::export_all(m);
    m.def("reexport", [](nb::module_ mod) { bindbridge::export_type<Pet>(mod); },
          "module"_a = m);

    bind_features<Pet>(m, "pet");
    bind_features<Toy>(m, "toy");
    bind_features<Both>(m, "both");

    m.def("point_sum", [](const bbt_point& p) { return p.x + p.y; });
    m.def("point_scale", [](bbt_point& p, double k) { p.x *= k; p.y *= k; });
    m.def("point_make", [](double x, double y) { return bbt_point{x, y}; });
    static std::weak_ptr<bbt_point> last_shared;
    m.def("point_shared", [](double x, double y) {
        auto sp = std::make_shared<bbt_point>(bbt_point{x, y});
        last_shared = sp;
        return sp;
    });
    m.def("point_shared_alive", [] { return !last_shared.expired(); });

    m.def("raise_pet_error", [](const std::string& what) { throw PetError(what); });
    m.def("raise_toy_error", [](const std::string& what) { throw ToyError(what); });
    bind_features<Kite>(m, "kite");
    m.def("wind_value", [](Wind w) { return (int) w; });
    m.def("wind_make", [](int v) { return (Wind) v; });
    m.def("sail_kind", [](const Sail& s) { return s.kind(); });
    m.def("sail_make_jib", [] { return std::unique_ptr<Sail>(new Jib()); });
    m.def("raise_kite_error", [](const std::string& what) { throw KiteError(what); });
    m.def("framework", [] { return "nanobind"; });
    m.def("raise_int", [] { throw 42; });
    m.def("raise_runtime_error", [](const std::string& w) { throw std::runtime_error(w); });
    // Binds bbt_point on demand (so that the C-API framework can be the
    // only owner in other tests) and exports it.
    m.def("bind_point", [](bool do_export, nb::module_ mod) {
        nb::class_<bbt_point>(mod, "NbPoint")
            .def(nb::init<>())
            .def_rw("x", &bbt_point::x)
            .def_rw("y", &bbt_point::y);
        if (do_export)
            bindbridge::export_type<bbt_point>(mod);
    }, "do_export"_a = true, "module"_a = m);
    m.def("export_point", [](nb::module_ mod) { bindbridge::export_type<bbt_point>(mod); },
          "module"_a = m);
    m.def("color_value", [](Color c) { return (int) c; });
    m.def("color_make", [](int v) { return (Color) v; });
    m.def("shade_value", [](Shade s) { return (int) s; });
    m.def("shade_make", [](int v) { return (Shade) v; });

    nb::class_<Stray>(m, "Stray").def(nb::init<>()).def_rw("value", &Stray::value);
    nb::class_<ToyBox>(m, "ToyBox").def(nb::init<>()).def_rw("toy", &ToyBox::toy).def_rw("lid", &ToyBox::lid);
    // (exported only when a test asks: test_step_aside.py)
    m.def("export_toybox", [](nb::module_ mod) { bindbridge::export_type<ToyBox>(mod); },
          "module"_a = m);
    bindbridge::export_type<Stray>(m);
    m.def("wrapper_name", [](const Wrapper& w) { return w.name; });

    bind_hierarchy(m);
    bind_outside_call(m);

    // Last: a failing call with a foreign argument explains itself.
    m.attr("explained_functions") = bindbridge::explain_failures(m);
}
