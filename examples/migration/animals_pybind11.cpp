// examples/migration/animals_pybind11.cpp: step 0, Animal bound with pybind11 (the file step 1 ports).
#include <pybind11/pybind11.h>
#include <bindbridge/pybind11.h>

#include "zoo.h"

namespace py = pybind11;

namespace {
// py::smart_holder and trampoline_self_life_support (pybind11 3.x): a Python
// subclass's object lives as long as C++ holds it, as nanobind's do.
struct PyAnimal : Animal, py::trampoline_self_life_support {
    using Animal::Animal;
    std::string sound() const override { PYBIND11_OVERRIDE(std::string, Animal, sound, ); }
};
} // namespace

void bind_animals(py::module_& m) {
    py::classh<Animal, PyAnimal>(m, "Animal")
        .def(py::init<std::string, int>())
        .def_readwrite("name", &Animal::name)
        .def_readwrite("legs", &Animal::legs)
        .def("sound", &Animal::sound);
}
