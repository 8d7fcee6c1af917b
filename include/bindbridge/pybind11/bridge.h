// include/bindbridge/pybind11/bridge.h: the pybind11 side of a bridge (detail::pybind11_impl), not API.
//
// A bridge is an extension module of the bindbridge package built against
// one pinned pybind11 release (src/bridges/pybind11_bridge.cpp).  It joins
// the pybind11 internals of its PYBIND11_INTERNALS_ID that modules without
// any bindbridge code made, and publishes their types on the registry,
// exactly as export_all would from inside one of them.
//
// Rules kept here:
// - Never create internals: pybind11's get_internals() makes them when
//   none exist, so it is called only after the capsule was found under
//   this build's key, holding live internals.  No key, no call.
// - Only this build's key is read (the internals version and the platform
//   ABI it names); pybind11 guarantees one layout per key.
// - Globally registered types only (registered_types_cpp): module-local
//   types belong to their module, as in pybind11.  py::native_enum (3.x)
//   carries no size in pybind11's records, so it is not published.
// - Copies: pybind11's type_info has no copy constructor; the importer,
//   which knows T, makes the copy (runtime/returns.h hand_over_copy).
#ifndef BINDBRIDGE_PYBIND11_BRIDGE_H
#define BINDBRIDGE_PYBIND11_BRIDGE_H

#include <memory>
#include <vector>

#include "adapter.h"

namespace bindbridge {
namespace detail {
namespace pybind11_impl {

// Whether live internals of this build's key exist in the running
// interpreter: the capsule pybind11 keeps under PYBIND11_INTERNALS_ID in
// its state dict (builtins for internals v4, the interpreter's dict from
// v5), pointing at a holder that holds internals.  Creates nothing.
inline bool internals_exist() {
    PyObject* dict = py::detail::get_python_state_dict().ptr();
    PyObject* capsule = PyDict_GetItemString(dict, PYBIND11_INTERNALS_ID); // (borrowed)
    if (!capsule || !PyCapsule_CheckExact(capsule))
        return false;
    void* holder = PyCapsule_GetPointer(capsule, PyCapsule_GetName(capsule));
    if (!holder) {
        PyErr_Clear();
        return false;
    }
#if PYBIND11_VERSION_MAJOR >= 3
    return static_cast<std::unique_ptr<py::detail::internals>*>(holder)->get() != nullptr;
#else
    return *static_cast<py::detail::internals**>(holder) != nullptr;
#endif
}

// Publishes every globally registered pybind11 type of the internals this
// module uses (which must exist: internals_exist()) that is not published
// yet.  Returns how many types the domain publishes in all.
inline size_t export_registered() {
    std::vector<const py::detail::type_info*> types;
    for (const auto& entry : py::detail::get_internals().registered_types_cpp)
        types.push_back(entry.second);
    size_t count = 0;
    for (const py::detail::type_info* tinfo : types) {
        if (!tinfo || !tinfo->type || !tinfo->cpptype)
            continue;
        export_tinfo(tinfo, tinfo->cpptype, nullptr, nullptr);
        ++count;
    }
    return count;
}

} // namespace pybind11_impl
} // namespace detail
} // namespace bindbridge

#endif // BINDBRIDGE_PYBIND11_BRIDGE_H
