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
}
