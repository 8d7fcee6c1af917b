// examples/migration/zoo_pybind11.cpp: the pybind11 zoo module of steps 0 and 1.
#include <pybind11/pybind11.h>

namespace py = pybind11;

void bind_animals(py::module_& m); // animals_pybind11.cpp (step 0)
void bind_keepers(py::module_& m); // keepers_pybind11.cpp

PYBIND11_MODULE(zoo, m) {
#if defined(ZOO_ANIMALS_ELSEWHERE)
    // Step 1: Animal lives in nanobind's zoo_animals; the zoo's users keep
    // writing zoo.Animal.
    m.attr("Animal") = py::module_::import("zoo_animals").attr("Animal");
#else
    bind_animals(m);
#endif
    bind_keepers(m);
}
