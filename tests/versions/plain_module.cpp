// tests/versions/plain_module.cpp: a pybind11 module with NO bindbridge code, binding VPet<7>, VShape<7> / VCircle<7> (shared_ptr holders) and VLevel<7>::E.
//
// It takes VPet<7> objects owned by other frameworks only through
// pybind11's own cpp conduit (_pybind11_conduit_v1_), which bindbridge
// installs on the types it exports; and bindbridge importers take its
// objects through the conduit pybind11 >= 2.11.2 puts on its classes
// (conduit/consume.h).  Circle derives from Shape, so a Circle passed as
// `const VShape<7>&` is upcast by pybind11 itself.
#include <pybind11/pybind11.h>

#include "vtypes.h"

namespace py = pybind11;

PYBIND11_MODULE(BBV_MODULE, m) {
    py::class_<VPet<7>>(m, "Pet").def(py::init<std::string>()).def_readwrite("name", &VPet<7>::name);
    m.def("describe", [](const VPet<7>& p) { return "plain described " + p.name; });
    m.def("rename", [](VPet<7>& p, const std::string& n) { p.name = n; });
    // std::shared_ptr holders, as much real code has them.
    py::class_<VShape<7>, std::shared_ptr<VShape<7>>>(m, "Shape").def("kind", &VShape<7>::kind);
    py::class_<VCircle<7>, VShape<7>, std::shared_ptr<VCircle<7>>>(m, "Circle")
        .def(py::init<double>())
        .def_readwrite("r", &VCircle<7>::r);
    py::enum_<VLevel<7>::E>(m, "Level").value("low", VLevel<7>::E::low).value("high", VLevel<7>::E::high);
    m.def("level_value", [](VLevel<7>::E e) { return (int) e; });
}
