// examples/migration/zoo_nanobind.cpp: the nanobind zoo module of step 2 (bindbridge no longer needed).
#include <nanobind/nanobind.h>

namespace nb = nanobind;

void bind_animals(nb::module_& m); // animals_nanobind.cpp
void bind_keepers(nb::module_& m); // keepers_nanobind.cpp

NB_MODULE(zoo, m) {
    bind_animals(m);
    bind_keepers(m);
}
