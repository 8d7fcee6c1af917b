// examples/pets/feeder_pybind11.cpp: `feeder`, a module built with plain pybind11: no bindbridge header, no link.
//
// Like a wheel nobody will rebuild: it binds Bowl and knows nothing of
// bindbridge.  groomer_nb (nanobind) still takes its Bowls, in place,
// through the `_pybind11_conduit_v1_` method pybind11 >= 2.11.2 puts on
// every class it binds.
#include <pybind11/pybind11.h>

#include "pet.h"

namespace py = pybind11;

PYBIND11_MODULE(feeder, m) {
    py::class_<Bowl>(m, "Bowl")
        .def(py::init([](std::string food) { return Bowl{std::move(food), 0}; }))
        .def_readonly("food", &Bowl::food)
        .def_readonly("grams", &Bowl::grams);
}
