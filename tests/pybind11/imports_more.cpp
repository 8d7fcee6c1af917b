// tests/pybind11/imports_more.cpp: functions of bb_imports_pybind11 bound where no declaration is visible.
//
// Pet is declared (IMPORT_AS) in imports_module.cpp only, Stray nowhere:
// pybind11's own caster serves them here, so calls with a foreign Pet or
// Stray fail, and check_imports names each function.  (Deliberately the
// one-definition-rule violation a user makes by forgetting the include.)
#include <pybind11/pybind11.h>

#include "../common/types.h"

namespace py = pybind11;

namespace {
struct Kennel {};
} // namespace

void bind_more(py::module_& m) {
    // (Signatures of their own, so that nothing of their loading is shared
    // with imports_module.cpp's functions: its argument_loader<const Pet&>
    // would be, and the linker keeps one of the two.  The test does not
    // call them.)
    m.def("pet_name_here", [](const Pet& p, int) { return p.name; });
    m.def("stray_value", [](const Stray& s) { return s.value; });
    m.def("make_stray", []() { return Stray{}; });
    py::class_<Kennel>(m, "Kennel")
        .def(py::init<>())
        .def("admit", [](Kennel&, const Pet& p, int) { return p.name; });
}
