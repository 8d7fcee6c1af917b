// placeholder, replaced by the nanobind adapter tests
#include <nanobind/nanobind.h>
#include <nanobind/stl/string.h>
#include "../common/types.h"
namespace nb = nanobind;
NB_MODULE(bb_nanobind, m) {
    nb::class_<Pet>(m, "Pet").def(nb::init<std::string, std::string>()).def_rw("name", &Pet::name);
}
