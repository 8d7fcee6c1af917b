// examples/pets/groomer_pybind11.cpp: `groomer`, a pybind11 module that uses Pet without binding it.
#include <pybind11/pybind11.h>

#include <bindbridge/pybind11.h>

#include "pet.h"

// Pet may come from any framework; signatures call it pets.Pet.
BINDBRIDGE_PYBIND11_IMPORT_AS(Pet, "pets.Pet")

namespace py = pybind11;

PYBIND11_MODULE(groomer, m) {
    m.def("groom", [](const Pet& p) { return "groomed " + p.name; });
    m.def("clone", [](const Pet& p) { return Pet(p.name + " II", p.sound); });
    m.def("favourite", []() -> Pet& {
        static Pet* fav = new Pet("Fido", "woof");
        return *fav;
    }, py::return_value_policy::reference);
    m.def("adopt", [](const std::string& name) { return std::make_shared<Pet>(name, "purr"); });
    m.def("teach", [](Pet& p, const std::string& sound) { p.sound = sound; });
    m.def("inspect", [](const Pet& p) -> std::string {
        if (p.sound.empty())
            throw GroomingError(p.name + " is silent");
        return p.name + " is fine";
    });
}
