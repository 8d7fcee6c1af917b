// examples/pets/pets_nanobind.cpp: `pets`, a nanobind module that binds Pet and exports it.
#include <nanobind/nanobind.h>
#include <nanobind/stl/string.h>

#include <bindbridge/nanobind.h>

#include "pet.h"

namespace nb = nanobind;

NB_MODULE(pets, m) {
    nb::class_<Pet>(m, "Pet")
        .def(nb::init<std::string, std::string>())
        .def_rw("name", &Pet::name)
        .def_rw("sound", &Pet::sound)
        .def("speak", &Pet::speak)
        .def("__repr__", [](const Pet& p) { return "pets.Pet('" + p.name + "', '" + p.sound + "')"; });
    nb::exception<GroomingError>(m, "GroomingError");

    bindbridge::export_type<Pet>(m); // publish Pet on the registry
}
