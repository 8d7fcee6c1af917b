// examples/pets/groomer_nanobind.cpp: `groomer_nb`, the roles swapped: nanobind uses Pet without binding it.
#include <nanobind/nanobind.h>
#include <nanobind/stl/string.h>

#include <bindbridge/nanobind.h>

#include "pet.h"

BINDBRIDGE_NANOBIND_IMPORT_AS(Pet, "pets11.Pet")
// feeder (plain pybind11) publishes nothing: its Bowls come through their
// class's pybind11 conduit, and after bindbridge.bridge() through the bridge
// of its pybind11 internals, which returns them too.  (_AS names the Python
// type in signatures and stubs: feeder.Bowl.)
BINDBRIDGE_NANOBIND_IMPORT_AS(Bowl, "feeder.Bowl")

namespace nb = nanobind;

NB_MODULE(groomer_nb, m) {
    m.def("groom", [](const Pet& p) { return "groomed " + p.name; });
    m.def("clone", [](const Pet& p) { return Pet(p.name + " II", p.sound); });
    m.def("favourite", []() -> Pet& {
        static Pet* fav = new Pet("Felix", "meow");
        return *fav;
    }, nb::rv_policy::reference);
    m.def("adopt", [](const std::string& name) { return std::make_shared<Pet>(name, "purr"); });
    m.def("teach", [](Pet& p, const std::string& sound) { p.sound = sound; });
    m.def("inspect", [](const Pet& p) -> std::string {
        if (p.sound.empty())
            throw GroomingError(p.name + " is silent");
        return p.name + " is fine";
    });
    m.def("fill", [](Bowl& b, int grams) { b.grams += grams; });
    m.def("menu", [](const Bowl& b) { return std::to_string(b.grams) + " g of " + b.food; });
    m.def("second_helping", [](const Bowl& b) { return Bowl{b.food, b.grams * 2}; });
}
