// examples/migration/animals_nanobind.cpp: steps 1 and 2, the same Animal ported to nanobind.
//
// Step 1 builds it as a module of its own (zoo_animals) that exports
// Animal, beside the pybind11 zoo; step 2 links it into the nanobind zoo.
#include <nanobind/nanobind.h>
#include <nanobind/stl/shared_ptr.h>
#include <nanobind/stl/string.h>
#include <nanobind/trampoline.h>
#include <bindbridge/nanobind.h>

#include "zoo.h"

namespace nb = nanobind;

namespace {
struct PyAnimal : Animal {
    NB_TRAMPOLINE(Animal, 1);
    std::string sound() const override { NB_OVERRIDE(sound); }
};
} // namespace

void bind_animals(nb::module_& m) {
    nb::class_<Animal, PyAnimal>(m, "Animal")
        .def(nb::init<std::string, int>())
        .def_rw("name", &Animal::name)
        .def_rw("legs", &Animal::legs)
        .def("sound", &Animal::sound);
}

#if defined(ZOO_ANIMALS_MODULE)
NB_MODULE(zoo_animals, m) {
    bind_animals(m);
    bindbridge::export_type<Animal>(m); // for the pybind11 half of the zoo
}
#endif
