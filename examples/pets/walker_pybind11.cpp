// examples/pets/walker_pybind11.cpp: `walker`, a pybind11 module that uses the Boost.Python Collar.
#include <pybind11/pybind11.h>

#include <bindbridge/pybind11.h>

#include "pet.h"

BINDBRIDGE_PYBIND11_IMPORT_AS(Collar, "kennel.Collar")

PYBIND11_MODULE(walker, m) {
    m.def("read", [](const Collar& c) { return "the collar reads " + c.tag; });
    m.def("engrave", [](Collar& c, const std::string& text) { c.tag += " " + text; });
    m.def("spare", [](const Collar& c) { return Collar(c.tag + " (spare)"); });
}
