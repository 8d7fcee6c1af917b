// examples/migration/keepers_pybind11.cpp: steps 0 and 1, Keeper bound with pybind11 (ported in step 2).
//
// In step 1 Animal has moved to nanobind's zoo_animals: this file declares
// the import, and the zoo module re-exports zoo_animals.Animal, so user
// code still finds zoo.Animal.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <bindbridge/pybind11.h>

#include "zoo.h"

#if defined(ZOO_ANIMALS_ELSEWHERE)
BINDBRIDGE_PYBIND11_IMPORT_AS(Animal, "zoo_animals.Animal")
#endif

namespace py = pybind11;

void bind_keepers(py::module_& m) {
    py::class_<Keeper>(m, "Keeper")
        .def(py::init<std::string>())
        .def_readonly("name", &Keeper::name)
        .def("adopt", &Keeper::adopt)
        .def("animals", [](const Keeper& k) { return k.animals; })
        .def("legs", &Keeper::legs)
        .def("chorus", &Keeper::chorus);
}
