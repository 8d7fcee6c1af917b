// tests/nanobind/pinned_module.cpp: bb_pinned_nanobind imports bbt_point pinned to "bbtest_cpp2.Pinned" (IMPORT_AS), binds nothing.
//
// Returns must go to that Python type's binding whenever it is published,
// whatever else publishes bbt_point and in which order (test_pinned_owner.py).
#include <nanobind/nanobind.h>

#include <bindbridge/nanobind.h>

#include "../common/types.h"

BINDBRIDGE_NANOBIND_IMPORT_AS(bbt_point, "bbtest_cpp2.Pinned")

namespace nb = nanobind;

NB_MODULE(bb_pinned_nanobind, m) {
    m.def("make", [](double x, double y) { return bbt_point{x, y}; });
    m.def("favourite", []() -> bbt_point& {
        static bbt_point* p = new bbt_point{1, 2};
        return *p;
    }, nb::rv_policy::reference);
    m.def("sum", [](const bbt_point& p) { return p.x + p.y; });
}
