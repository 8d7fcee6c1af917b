// bench/plain_module.cpp: an unmodified pybind11 module (no bindbridge code), the conduit's user.
//
// Binds its own VPet<BBV_ID> and, as pybind11 must for its cpp conduit,
// the C++ types other modules own: VPet<4> (bbv_pb310, pybind11 3.1's own
// conduit) and VPet<6>, VPet<7> (bbv_nb2150, bbv_nb310: the conduit
// bindbridge installs on the nanobind types it exports).  f<N>(obj) is the
// same cheap call as the version modules' p<N>_f.  Build it against a
// pybind11 whose internals no bindbridge module of the benchmark uses
// (3.0.4: internals v11, the platform ABI id of 3.1).
#include <pybind11/pybind11.h>

#include "vtypes.h"

namespace py = pybind11;

template <int N>
void bind(py::module_& m, const char* cls, const char* fn) {
    py::class_<VPet<N>>(m, cls).def(py::init<std::string>());
    m.def(fn, [](const VPet<N>& p) { return (int) p.name.size(); });
}

PYBIND11_MODULE(BBV_MODULE, m) {
    bind<BBV_ID>(m, "Pet", "f_own");
    bind<4>(m, "Pet4", "f4");
    bind<6>(m, "Pet6", "f6");
    bind<7>(m, "Pet7", "f7");
}
