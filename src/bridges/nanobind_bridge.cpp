// src/bridges/nanobind_bridge.cpp: bindbridge._bridge_nanobind_v<N>, one nanobind internals version's bridge.
//
// Built against a pinned nanobind release and its own static copy of that
// release's library (cmake/bridges.cmake, BINDBRIDGE_BRIDGE_MODULE names
// the module).  Its init is written by hand (bridge_module.h): NB_MODULE
// would make nanobind internals of this key at import.  attach() joins
// existing internals of the default domain and publishes their classes
// (nanobind/bridge.h); python/bindbridge/__init__.py's bridge() calls it.
#define PY_SSIZE_T_CLEAN
#include <nanobind/nanobind.h>

#include <exception>

#include "bindbridge/nanobind/bridge.h"
#include "bridge_module.h"

namespace {

namespace nb = nanobind;
namespace impl = bindbridge::detail::nanobind_impl;

const char* const built_with =
    BBR_BRIDGE_STR(NB_VERSION_MAJOR) "." BBR_BRIDGE_STR(NB_VERSION_MINOR) "." BBR_BRIDGE_STR(NB_VERSION_PATCH);

// attach() -> None when this interpreter has no nanobind internals of this
// bridge's key, (framework name, classes published) when it joined them.
PyObject* attach(PyObject* self, PyObject*) {
    try {
        if (!impl::existing_internals()) {
            if (PyErr_Occurred())
                return nullptr;
            Py_RETURN_NONE;
        }
        if (!impl::join(self))
            return nullptr;
        size_t count = impl::export_registered();
        bindbridge::detail::framework_record* rec = impl::domain_record();
        if (!rec)
            return nullptr;
        return Py_BuildValue("(sn)", rec->fw.name, static_cast<Py_ssize_t>(count));
    } catch (nb::python_error& e) {
        e.restore();
    } catch (const std::exception& e) {
        PyErr_Format(PyExc_RuntimeError, "bindbridge bridge (nanobind %s, %s): %s", built_with,
                     impl::internals_key(), e.what());
    }
    return nullptr;
}

} // namespace

#if defined(BINDBRIDGE_BRIDGE_INTERNALS_VERSION)
static_assert(NB_INTERNALS_VERSION == BINDBRIDGE_BRIDGE_INTERNALS_VERSION,
              "the pinned nanobind release does not have the internals version this bridge is named for");
#endif

extern "C" __attribute__((visibility("default"))) PyObject* BBR_BRIDGE_INIT(void) {
    PyModuleDef* def =
        bridge_module_def(attach, "A bindbridge bridge: the types of nanobind modules built without bindbridge.");
#if defined(NB_MOD_STATE_SIZE)
    // (2.10, 2.11: module init keeps interned objects in the module's state)
    def->m_size = NB_MOD_STATE_SIZE;
#endif
    return create_bridge_module(def, "nanobind", built_with, impl::internals_key(), NB_INTERNALS_VERSION);
}
