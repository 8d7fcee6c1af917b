// src/bridges/bridge_module.h: what every bridge extension has (the name macros, its init); include after Python.h.
//
// A bridge module (one per framework internals version, cmake/bridges.cmake)
// has a hand-written init, as the frameworks' module macros would create
// internals at import, and a bridge must create none.  It carries
// attach() and four constants, which python/bindbridge/__init__.py reads:
// FRAMEWORK, BUILT_WITH (the pinned release), INTERNALS_ID (the key it
// reads), INTERNALS_VERSION.
#ifndef BINDBRIDGE_SRC_BRIDGE_MODULE_H
#define BINDBRIDGE_SRC_BRIDGE_MODULE_H

#include "../module_def.h"

#if !defined(BINDBRIDGE_BRIDGE_MODULE)
#  error "define BINDBRIDGE_BRIDGE_MODULE (the module's name, e.g. _bridge_pybind11_v4)"
#endif
#define BBR_BRIDGE_STR2(x) #x
#define BBR_BRIDGE_STR(x) BBR_BRIDGE_STR2(x)
#define BBR_BRIDGE_CAT2(a, b) a##b
#define BBR_BRIDGE_CAT(a, b) BBR_BRIDGE_CAT2(a, b)
#define BBR_BRIDGE_FULL_NAME "bindbridge." BBR_BRIDGE_STR(BINDBRIDGE_BRIDGE_MODULE)
#define BBR_BRIDGE_INIT BBR_BRIDGE_CAT(PyInit_, BINDBRIDGE_BRIDGE_MODULE)

// The definition of a bridge module: its one method, attach(), and its doc.
inline PyModuleDef* bridge_module_def(PyCFunction attach, const char* doc) {
    static PyMethodDef methods[] = {
        {"attach", attach, METH_NOARGS,
         "attach() -> (framework, types) or None: join this bridge's framework internals if they "
         "exist, and publish their types; (None, why) when it must not read them"},
        {nullptr, nullptr, 0, nullptr}};
    static PyModuleDef def = single_phase_module(BBR_BRIDGE_FULL_NAME, doc, methods);
    return &def;
}

// The module of `def`, with its constants; nullptr with a Python error.
inline PyObject* create_bridge_module(PyModuleDef* def, const char* framework, const char* built_with,
                                      const char* internals_id, int internals_version) {
    PyObject* m = PyModule_Create(def);
    if (!m)
        return nullptr;
    if (PyModule_AddStringConstant(m, "FRAMEWORK", framework) != 0 ||
        PyModule_AddStringConstant(m, "BUILT_WITH", built_with) != 0 ||
        PyModule_AddStringConstant(m, "INTERNALS_ID", internals_id) != 0 ||
        PyModule_AddIntConstant(m, "INTERNALS_VERSION", internals_version) != 0) {
        Py_DECREF(m);
        return nullptr;
    }
    return m;
}

#endif // BINDBRIDGE_SRC_BRIDGE_MODULE_H
