// examples/pets/walker_nanobind.cpp: `walker_nb`, a nanobind module that uses the Boost.Python Collar.
#include <nanobind/nanobind.h>
#include <nanobind/stl/string.h>

#include <bindbridge/nanobind.h>

#include "pet.h"

BINDBRIDGE_NANOBIND_IMPORT_AS(Collar, "kennel.Collar")

NB_MODULE(walker_nb, m) {
    m.def("read", [](const Collar& c) { return "the collar reads " + c.tag; });
    m.def("engrave", [](Collar& c, const std::string& text) { c.tag += " " + text; });
    m.def("spare", [](const Collar& c) { return Collar(c.tag + " (spare)"); });
}
