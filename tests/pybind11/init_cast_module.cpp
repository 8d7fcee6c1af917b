// tests/pybind11/init_cast_module.cpp: bb_init_pybind11, a module that converts nanobind's objects in its initialisation (tests/adapters/test_outside_call.py).
//
// PYBIND11_MODULE's body runs with no pybind11 call frame: the nanobind
// enum is served through a temporary, which by value is copied before it
// dies (0.1.0 read it after: heap-use-after-free) and by reference is
// refused.  Each result is a module attribute.
#include <pybind11/pybind11.h>

#include <bindbridge/pybind11.h>

#include "../common/types.h"

// Declared for import and bound here only after a first return: the
// adapter remembers that pybind11 binds a type once it does, never before.
struct LateBound {
    int v;
};

BINDBRIDGE_PYBIND11_IMPORT(Color)
BINDBRIDGE_PYBIND11_IMPORT_AS(Pet, "bb_nanobind.Pet")
BINDBRIDGE_PYBIND11_IMPORT(LateBound)

namespace py = pybind11;

PYBIND11_MODULE(bb_init_pybind11, m) {
    py::module_ nb = py::module_::import("bb_nanobind");
    py::object blue = nb.attr("Color").attr("blue");
    m.attr("color_by_value") = (int) blue.cast<Color>();
    m.attr("color_by_py_cast") = (int) py::cast<Color>(blue);
    try {
        const Color& c = blue.cast<const Color&>();
        m.attr("color_by_reference") = (int) c;
    } catch (const py::cast_error& e) {
        m.attr("color_by_reference") = std::string("refused: ") + e.what();
    }
    py::object rex = nb.attr("Pet")("rex", "woof");
    m.attr("pet") = rex;
    m.attr("pet_name_by_reference") = rex.cast<const Pet&>().name; // no temporary: points into rex
    // (As for a type pybind11 does not know, py::cast gives a null object
    // with the Python error set.)
    py::object late = py::cast(LateBound{1}); // nobody binds it yet
    if (late) {
        m.attr("late_before") = "converted";
    } else {
        py::error_already_set e;
        m.attr("late_before") = std::string("refused: ") + e.what();
    }
    py::class_<LateBound>(m, "LateBound").def_readonly("v", &LateBound::v);
    m.attr("late_after") = py::cast(LateBound{2});
}
