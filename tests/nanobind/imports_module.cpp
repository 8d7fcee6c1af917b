// tests/nanobind/imports_module.cpp: bb_imports_nanobind only imports types (no export, no conversion at init).
//
// Its framework joins the registry when the Python package lists it
// (test_declared_imports.py), not only at its first conversion.  This file
// declares Toy with IMPORT_AS and bbt_point with a plain IMPORT;
// imports_more.cpp binds functions without those declarations (the
// forgotten declaration check_imports must report).
#include <nanobind/nanobind.h>
#include <nanobind/stl/string.h>

#include <bindbridge/nanobind.h>

#include "../common/types.h"

BINDBRIDGE_NANOBIND_IMPORT_AS(Toy, "bb_pybind11.Toy")
BINDBRIDGE_NANOBIND_IMPORT(bbt_point)

namespace nb = nanobind;

void bind_more(nb::module_& m);

NB_MODULE(bb_imports_nanobind, m) {
    m.def("toy_name", [](const Toy& t) { return t.name; });
    m.def("point_sum", [](const bbt_point& p) { return p.x + p.y; });
    bind_more(m);
    m.def("check", [](nb::module_ mod) { return bindbridge::check_imports(mod); });
}
