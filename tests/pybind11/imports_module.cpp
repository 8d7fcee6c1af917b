// tests/pybind11/imports_module.cpp: bb_imports_pybind11 only imports types (no export, no conversion at init).
//
// Its framework joins the registry when the Python package lists it
// (test_declared_imports.py), not only at its first conversion.  This file
// declares Pet with IMPORT_AS and bbt_point with a plain IMPORT;
// imports_more.cpp binds functions without those declarations (the
// forgotten declaration check_imports must report).
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <bindbridge/pybind11.h>

#include "../common/types.h"

BINDBRIDGE_PYBIND11_IMPORT_AS(Pet, "bb_nanobind.Pet")
BINDBRIDGE_PYBIND11_IMPORT(bbt_point)

namespace py = pybind11;

void bind_more(py::module_& m);

PYBIND11_MODULE(bb_imports_pybind11, m) {
    m.def("pet_name", [](const Pet& p) { return p.name; });
    m.def("point_sum", [](const bbt_point& p) { return p.x + p.y; });
    bind_more(m);
    m.def("check", [](py::module_ mod) { return bindbridge::check_imports(mod); });
}
