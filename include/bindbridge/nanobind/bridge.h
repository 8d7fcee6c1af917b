// include/bindbridge/nanobind/bridge.h: the nanobind side of a bridge (detail::nanobind_impl), not API.
//
// A nanobind bridge is an extension module of the bindbridge package built
// against one pinned nanobind release and its own copy of that release's
// library (src/bridges/nanobind_bridge.cpp).  It joins the nanobind
// internals of its key that modules without any bindbridge code made, and
// publishes their types on the registry, as export_all would from inside
// one of them.
//
// nanobind's internals are private (src/nb_internals.h of the release): a
// bridge is compiled with that header of exactly its release, and reads
// nothing but the internals of its own key (internals version, platform
// ABI, the default domain), which nanobind guarantees to have that layout.
//
// Rules kept here:
// - Never create internals: nanobind's module init makes them when none
//   exist, so it runs only after the capsule was found under this build's
//   key.  No key, no call.
// - Every class of the domain (type_c2p_slow, the map nanobind keeps of
//   every bound C++ type).  Enums are left out: nanobind records no size
//   for them, and the protocol's enum values are of the owner's size.
// - Copies: nanobind's type records carry the copy and move constructors
//   (and say whether there are any), so by-value returns are nanobind's.
#ifndef BINDBRIDGE_NANOBIND_BRIDGE_H
#define BINDBRIDGE_NANOBIND_BRIDGE_H

#include <vector>

#include "adapter.h"

// The release's private layout and key (the bridge's include path has its
// src/): 2.x composes the key in nb_abi.h, 3.x in nb_internals.h.
#include <nb_internals.h>
#if NB_VERSION_MAJOR < 3
#  include <nb_abi.h>
#  define BINDBRIDGE_NB_KEY_TAG NB_ABI_TAG
#else
#  define BINDBRIDGE_NB_KEY_TAG NB_INTERNALS_KEY
#endif

namespace bindbridge {
namespace detail {
namespace nanobind_impl {

// The key nanobind keeps this build's internals under in the interpreter's
// dict, for the default domain: "__nb_internals_<tag>_<domain>__", the tag
// naming the internals version and the platform ABI.
inline const char* internals_key() noexcept { return "__nb_internals_" BINDBRIDGE_NB_KEY_TAG "___"; }

// The internals of this build's key in the running interpreter, or nullptr
// (no Python error) when there are none.  Creates nothing.
inline nb::detail::nb_internals* existing_internals() {
    PyObject* dict = PyInterpreterState_GetDict(PyInterpreterState_Get()); // (borrowed)
    if (!dict)
        return nullptr;
    PyObject* capsule = PyDict_GetItemString(dict, internals_key()); // (borrowed)
    if (!capsule || !PyCapsule_CheckExact(capsule))
        return nullptr;
    void* p = PyCapsule_GetPointer(capsule, "nb_internals");
    if (!p)
        PyErr_Clear();
    return static_cast<nb::detail::nb_internals*>(p);
}

// Joins the internals found by existing_internals() as a module of this
// release would (module is the bridge's own; 2.10 and 2.11 keep interned
// objects in its state, nanobind_bridge.cpp gives it the room): this
// library's nanobind calls then act on them.  Each release's module init
// finds the capsule and only joins; those from 2.12 on count the bridge as
// a user of the internals, which it stays for the process.  False with a
// Python error on failure.
inline bool join(PyObject* module) {
    if (nb::detail::internals)
        return true;
#if NB_VERSION_MAJOR >= 3
    nb::detail::internals = nb::detail::nb_module_init(NB_DOMAIN_STR, module);
#elif NB_VERSION_MINOR < 10
    (void) module;
    nb::detail::init(NB_DOMAIN_STR);
#else
    nb::detail::nb_module_exec(NB_DOMAIN_STR, module);
#endif
    if (!nb::detail::internals && !PyErr_Occurred())
        PyErr_SetString(PyExc_RuntimeError, "bindbridge: nanobind's module init did not join its internals");
    return nb::detail::internals != nullptr;
}

// Publishes every class of the joined internals not published yet.
// Returns how many classes the domain has in all.
inline size_t export_registered() {
    framework_record* rec = domain_record();
    if (!rec)
        throw nb::python_error();
    std::vector<nb::detail::type_data*> types;
    for (const auto& entry : nb::detail::internals->type_c2p_slow)
        types.push_back(entry.second);
    const uint32_t copyable = (uint32_t) nb::detail::type_flags::is_copy_constructible;
    const uint32_t movable = (uint32_t) nb::detail::type_flags::is_move_constructible;
    size_t count = 0;
    for (nb::detail::type_data* t : types) {
        if (!t || !t->type_py || !t->type || (t->size == 0 && t->align == 0))
            continue; // (an enum: no size)
        export_pytype(rec, t->type_py, t->type,
                      type_context{(t->flags & copyable) != 0, (t->flags & movable) != 0});
        ++count;
    }
    return count;
}

} // namespace nanobind_impl
} // namespace detail
} // namespace bindbridge

#endif // BINDBRIDGE_NANOBIND_BRIDGE_H
