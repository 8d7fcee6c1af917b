// examples/migration/keepers_nanobind.cpp: step 2, Keeper ported to nanobind; the zoo is all nanobind.
#include <nanobind/nanobind.h>
#include <nanobind/stl/shared_ptr.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include "zoo.h"

namespace nb = nanobind;

void bind_keepers(nb::module_& m) {
    nb::class_<Keeper>(m, "Keeper")
        .def(nb::init<std::string>())
        .def_ro("name", &Keeper::name)
        .def("adopt", &Keeper::adopt)
        .def("animals", [](const Keeper& k) { return k.animals; })
        .def("legs", &Keeper::legs)
        .def("chorus", &Keeper::chorus);
}
