// tests/nanobind/imports_more.cpp: functions of bb_imports_nanobind bound where no declaration is visible.
//
// Toy is declared (IMPORT_AS) in imports_module.cpp only, Wrapper nowhere:
// nanobind's own caster serves them here, so calls with a foreign Toy or
// Wrapper fail, and check_imports names each function.  (Deliberately the
// one-definition-rule violation a user makes by forgetting the include.)
#include <nanobind/nanobind.h>
#include <nanobind/stl/string.h>

#include "../common/types.h"

namespace nb = nanobind;

namespace {
struct Box {};
} // namespace

void bind_more(nb::module_& m) {
    // (Signatures of their own, so that nothing of their loading is shared
    // with imports_module.cpp's functions.  The test does not call them.)
    m.def("toy_name_here", [](const Toy& t, int) { return t.name; });
    m.def("wrapper_name", [](const Wrapper& w) { return w.name; });
    m.def("make_wrapper", []() { return Wrapper{"made"}; });
    nb::class_<Box>(m, "Box")
        .def(nb::init<>())
        .def("put", [](Box&, const Toy& t, int) { return t.name; });
}
