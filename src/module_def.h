// src/module_def.h: the module definition of bindbridge's own extensions (_diag, the bridges).
//
// Single-phase init (m_size -1: the modules keep no per-interpreter
// state of their own); include after Python.h.
#ifndef BINDBRIDGE_SRC_MODULE_DEF_H
#define BINDBRIDGE_SRC_MODULE_DEF_H

inline PyModuleDef single_phase_module(const char* name, const char* doc, PyMethodDef* methods) {
    return PyModuleDef{PyModuleDef_HEAD_INIT, name, doc, -1, methods, nullptr, nullptr, nullptr, nullptr};
}

#endif // BINDBRIDGE_SRC_MODULE_DEF_H
