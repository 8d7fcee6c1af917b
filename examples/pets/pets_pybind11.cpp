// examples/pets/pets_pybind11.cpp: `pets11`, the roles swapped: pybind11 binds Pet and exports it.
#include <pybind11/pybind11.h>

#include <bindbridge/pybind11.h>

#include "pet.h"

namespace py = pybind11;

PYBIND11_MODULE(pets11, m) {
    py::class_<Pet>(m, "Pet")
        .def(py::init<std::string, std::string>())
        .def_readwrite("name", &Pet::name)
        .def_readwrite("sound", &Pet::sound)
        .def("speak", &Pet::speak)
        .def("__repr__", [](const Pet& p) { return "pets11.Pet('" + p.name + "', '" + p.sound + "')"; });
    py::register_exception<GroomingError>(m, "GroomingError");

    bindbridge::export_type<Pet>(m); // publish Pet (and its copy/move) on the registry
}
