// tests/versions/plain_module.cpp: a pybind11 module with NO bindbridge code, binding VPet<7>.
//
// It takes VPet<7> objects owned by other frameworks only through
// pybind11's own cpp conduit (_pybind11_conduit_v1_), which bindbridge
// installs on the types it exports.
#include <pybind11/pybind11.h>

#include "vtypes.h"

namespace py = pybind11;

PYBIND11_MODULE(BBV_MODULE, m) {
    py::class_<VPet<7>>(m, "Pet").def(py::init<std::string>()).def_readwrite("name", &VPet<7>::name);
    m.def("describe", [](const VPet<7>& p) { return "plain described " + p.name; });
    m.def("rename", [](VPet<7>& p, const std::string& n) { p.name = n; });
}
