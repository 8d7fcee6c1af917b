// tests/nanobind/init_cast_module.cpp: bb_init_nanobind, a module that converts pybind11's objects in its initialisation (tests/adapters/test_outside_call.py).
//
// NB_MODULE's body runs with no nanobind call frame (no cleanup list).
// Each result is a module attribute.
#include <nanobind/nanobind.h>
#include <nanobind/stl/string.h>

#include <bindbridge/nanobind.h>

#include "../common/types.h"

// Declared for import and bound here only after a first return: the
// adapter remembers that nanobind binds a type once it does, never before.
struct LateBound {
    int v;
};

BINDBRIDGE_NANOBIND_IMPORT(Shade)
BINDBRIDGE_NANOBIND_IMPORT_AS(Toy, "bb_pybind11.Toy")
BINDBRIDGE_NANOBIND_IMPORT(LateBound)

namespace nb = nanobind;

NB_MODULE(bb_init_nanobind, m) {
    nb::module_ pb = nb::module_::import_("bb_pybind11");
    nb::object dark = pb.attr("Shade").attr("dark");
    m.attr("shade_by_value") = (int) nb::cast<Shade>(dark);
    nb::object toy = pb.attr("Toy")("ball");
    m.attr("toy") = toy;
    m.attr("toy_name_by_reference") = nb::cast<const Toy&>(toy).name;
    m.attr("toy_name_by_value") = nb::cast<Toy>(toy).name;
    Shade s{};
    m.attr("shade_try_cast") = nb::try_cast<Shade>(dark, s) ? (int) s : -1;
    try {
        nb::object o = nb::cast(LateBound{1}); // nobody binds it yet
        m.attr("late_before") = "converted";
    } catch (const std::exception& e) {
        PyErr_Clear();
        m.attr("late_before") = std::string("refused: ") + e.what();
    }
    nb::class_<LateBound>(m, "LateBound").def_ro("v", &LateBound::v);
    m.attr("late_after") = nb::cast(LateBound{2});
}
