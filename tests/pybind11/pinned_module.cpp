// tests/pybind11/pinned_module.cpp: bb_pinned_pybind11 imports bbt_point pinned to "bbtest_cpp2.Pinned" (IMPORT_AS), binds nothing.
//
// Returns must go to that Python type's binding whenever it is published,
// whatever else publishes bbt_point and in which order (test_pinned_owner.py).
#include <pybind11/pybind11.h>

#include <bindbridge/pybind11.h>

#include "../common/types.h"

BINDBRIDGE_PYBIND11_IMPORT_AS(bbt_point, "bbtest_cpp2.Pinned")

namespace py = pybind11;

PYBIND11_MODULE(bb_pinned_pybind11, m) {
    m.def("make", [](double x, double y) { return bbt_point{x, y}; });
    m.def("favourite", []() -> bbt_point& {
        static bbt_point* p = new bbt_point{1, 2};
        return *p;
    }, py::return_value_policy::reference);
    m.def("sum", [](const bbt_point& p) { return p.x + p.y; });
    // A conversion during module init never imports the pinned owner's
    // module (bbtest_cpp2), even when nothing publishes bbt_point yet.
    // (py::cast gives a null object with the error set, as pybind11 does
    // for a type it cannot convert.)
    py::object at_init = py::cast(bbt_point{1, 2});
    if (at_init) {
        m.attr("at_init") = at_init;
    } else {
        py::error_already_set e;
        m.attr("at_init") = std::string(e.what());
    }
}
