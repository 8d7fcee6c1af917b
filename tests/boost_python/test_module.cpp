// tests/boost_python/test_module.cpp: bb_boost_python, the Boost.Python side of the adapter tests.
//
// Binds and exports Kite, Wind (enum_), Sail and Jib (bases<Sail>),
// registers KiteError; imports Pet and Color (bb_nanobind's) and Toy and
// Shade (bb_pybind11's), with the feature set of the other test modules
// under Boost.Python's call policies.
#include <boost/python.hpp>

#include <bindbridge/boost_python.h>

#include "../common/types.h"

BINDBRIDGE_BOOST_PYTHON_IMPORT(Pet)
BINDBRIDGE_BOOST_PYTHON_IMPORT(Toy)
BINDBRIDGE_BOOST_PYTHON_IMPORT(Color)
BINDBRIDGE_BOOST_PYTHON_IMPORT(Shade)

namespace bp = boost::python;

namespace {

template <typename T>
void bind_features(const std::string& prefix) {
    using F = feature_set<T>;
    auto name = [&](const char* n) { return prefix + "_" + n; };
    bp::def(name("describe").c_str(), &F::describe);
    bp::def(name("rename").c_str(), &F::rename);
    bp::def(name("name_or_none").c_str(), &F::name_or_none);
    bp::def(name("by_value").c_str(), &F::by_value);
    bp::def(name("clone").c_str(), &F::clone);
    bp::def(name("make_owned").c_str(), &F::make_owned, bp::return_value_policy<bp::manage_new_object>());
    bp::def(name("favourite").c_str(), &F::favourite, bp::return_value_policy<bp::reference_existing_object>());
    bp::def(name("favourite_copy").c_str(), &F::favourite, bp::return_value_policy<bp::copy_non_const_reference>());
    bp::def(name("echo").c_str(), &F::echo, bp::return_value_policy<bp::reference_existing_object>());
    bp::def(name("share").c_str(), &F::share);
    bp::def(name("keep").c_str(), &F::keep);
    bp::def(name("kept_name").c_str(), &F::kept_name);
    bp::def(name("release_kept").c_str(), &F::release_kept);
    bp::def(name("make_shared").c_str(), &F::make_shared);
}

std::string boost_shared_name(boost::shared_ptr<Pet> p) { return p ? p->name : "<null>"; }

// Holds a foreign Toy: its accessor returns it with return_internal_reference.
struct ToyShelf {
    Toy toy{"shelved"};
    Toy& get() { return toy; }
};

PyObject* kite_error = nullptr;
void translate_kite_error(const KiteError& e) { PyErr_SetString(kite_error, e.what()); }

} // namespace

BOOST_PYTHON_MODULE(bb_boost_python) {
    bp::class_<Kite>("Kite", bp::init<std::string>()).def_readwrite("name", &Kite::name);
    bp::enum_<Wind>("Wind").value("calm", Wind::calm).value("breeze", Wind::breeze).value("gale", Wind::gale);
    bp::class_<Sail>("Sail").def_readwrite("name", &Sail::name).def("kind", &Sail::kind);
    bp::class_<Jib, bp::bases<Sail>>("Jib");
    kite_error = PyErr_NewException("bb_boost_python.KiteError", PyExc_RuntimeError, nullptr);
    bp::scope().attr("KiteError") = bp::handle<>(bp::borrowed(kite_error));
    bp::register_exception_translator<KiteError>(&translate_kite_error);

    bindbridge::export_type<Kite>();
    bindbridge::export_type<Wind>();
    bindbridge::export_type<Sail>();
    bindbridge::export_type<Jib>();

    bind_features<Pet>("pet");
    bind_features<Toy>("toy");
    bind_features<Kite>("kite");

    bp::def("pet_boost_shared", &boost_shared_name);
    bp::def("pet_isinstance", +[](bp::object o) { return bindbridge::isinstance<Pet>(o); });
    bp::def("color_value", +[](Color c) { return (int) c; });
    bp::def("color_make", +[](int v) { return (Color) v; });
    bp::def("shade_value", +[](Shade s) { return (int) s; });
    bp::def("shade_make", +[](int v) { return (Shade) v; });
    bp::def("wind_value", +[](Wind w) { return (int) w; });
    bp::def("raise_kite_error", +[](const std::string& w) { throw KiteError(w); });
    bp::def("raise_pet_error", +[](const std::string& w) { throw PetError(w); });
    bp::def("raise_toy_error", +[](const std::string& w) { throw ToyError(w); });
    bp::def("raise_runtime_error", +[](const std::string& w) { throw std::runtime_error(w); });
    bp::def("sail_kind", +[](const Sail& s) { return s.kind(); });
    bp::def("make_jib", +[]() -> Sail* { return new Jib(); }, bp::return_value_policy<bp::manage_new_object>());
    bp::class_<ToyShelf>("ToyShelf")
        .def("get", &ToyShelf::get, bp::return_internal_reference<>());
    bp::def("framework", +[] { return "Boost.Python"; });
}
