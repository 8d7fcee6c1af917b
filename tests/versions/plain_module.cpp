// tests/versions/plain_module.cpp: a pybind11 or nanobind module with NO bindbridge code, binding VPet<7>, VShape<7> / VCircle<7> (shared_ptr holders) and VLevel<7>::E.
//
// pybind11 (matrix.py PLAIN, "pybind11-plain"): it takes VPet<7> objects
// owned by other frameworks only through pybind11's own cpp conduit
// (_pybind11_conduit_v1_), which bindbridge installs on the types it
// exports; and bindbridge importers take its objects through the conduit
// pybind11 >= 2.11.2 puts on its classes (conduit/consume.h), or through a
// bridge of its internals.  nanobind ("nanobind-plain", BBV_NANOBIND): a
// bridge of its internals is the only way in.  Circle derives from Shape,
// so a Circle passed as `const VShape<7>&` is upcast by the framework.
#include "vtypes.h"

#if defined(BBV_NANOBIND)
#  include <nanobind/nanobind.h>
#  include <nanobind/stl/shared_ptr.h>
#  include <nanobind/stl/string.h>
namespace py = nanobind;
#  define BBV_PLAIN_MODULE NB_MODULE
#  define BBV_READWRITE def_rw
#  define BBV_HOLDER(T)
#else
#  include <pybind11/pybind11.h>
namespace py = pybind11;
#  define BBV_PLAIN_MODULE PYBIND11_MODULE
#  define BBV_READWRITE def_readwrite
#  define BBV_HOLDER(T) , std::shared_ptr<T>
#endif

BBV_PLAIN_MODULE(BBV_MODULE, m) {
    py::class_<VPet<7>>(m, "Pet").def(py::init<std::string>()).BBV_READWRITE("name", &VPet<7>::name);
    m.def("describe", [](const VPet<7>& p) { return "plain described " + p.name; });
    m.def("rename", [](VPet<7>& p, const std::string& n) { p.name = n; });
    // std::shared_ptr holders, as much real code has them (nanobind takes
    // and returns std::shared_ptr of any class).
    py::class_<VShape<7> BBV_HOLDER(VShape<7>)>(m, "Shape").def("kind", &VShape<7>::kind);
    py::class_<VCircle<7>, VShape<7> BBV_HOLDER(VCircle<7>)>(m, "Circle")
        .def(py::init<double>())
        .BBV_READWRITE("r", &VCircle<7>::r);
    py::enum_<VLevel<7>::E>(m, "Level").value("low", VLevel<7>::E::low).value("high", VLevel<7>::E::high);
    m.def("level_value", [](VLevel<7>::E e) { return (int) e; });
}
