// include/bindbridge/conduit/consume.h: importers take objects of unmodified pybind11 modules through their cpp conduit.
//
// pybind11 >= 2.11.2 puts a `_pybind11_conduit_v1_` method on every class
// it binds: called with the caller's platform ABI id, a capsule holding a
// `const std::type_info*` (capsule name: typeid(std::type_info).name())
// and b"raw_pointer_ephemeral", it answers a capsule holding the C++
// object as that type (upcast by pybind11 where the class derives from
// it), named by the type_info's name, or None (another id, a type it does
// not bind).  The pointer is valid while the object lives, and owns
// nothing.
//
// An importer whose registry lookups all refused asks that method last
// (framework_record::fallback_load): a module built with plain pybind11,
// which publishes nothing, then passes its objects to bindbridge users of
// any framework as `const T&`, `T&`, `T*` and `T` (a copy the importer
// makes), with no copy on the way.  We ask with the ids of ids.h: the 3.x
// id always, the 2.x id only where the user vouched for the string ABI.
//
// Only a method pybind11 made is called: a C function wrapped as an
// instance method in the class (a Python-level `_pybind11_conduit_v1_`
// could hand back any address), and never bindbridge's own conduit
// (serve.h: its types are on the registry, which has refused already).
#ifndef BINDBRIDGE_CONDUIT_CONSUME_H
#define BINDBRIDGE_CONDUIT_CONSUME_H

#include <typeinfo>

#include "../runtime/runtime.h"
#include "ids.h"
#include "serve.h"

namespace bindbridge {
namespace detail {

// The interned strings and bytes of a conduit call (main interpreter, as
// the records: kept for the life of the process); nullptr if they could
// not be made.
struct conduit_words {
    PyObject* method = nullptr;   // "_pybind11_conduit_v1_"
    PyObject* kind = nullptr;     // b"raw_pointer_ephemeral"
    PyObject* id_v3 = nullptr;    // ids.h
    PyObject* id_v2 = nullptr;    // or nullptr where we have no 2.x id
};

inline const conduit_words* conduit_words_get() noexcept {
    static conduit_words* words = [] {
        auto* w = new conduit_words();
        w->method = PyUnicode_InternFromString("_pybind11_conduit_v1_");
        w->kind = PyBytes_FromString("raw_pointer_ephemeral");
        w->id_v3 = PyBytes_FromString(conduit_id_v3());
        w->id_v2 = conduit_id_v2() ? PyBytes_FromString(conduit_id_v2()) : nullptr;
        if (!w->method || !w->kind || !w->id_v3 || (conduit_id_v2() && !w->id_v2)) {
            PyErr_Clear();
            return static_cast<conduit_words*>(nullptr); // (the strings made are kept)
        }
        return w;
    }();
    return words;
}

// The C function behind a class's `_pybind11_conduit_v1_` when pybind11
// made it (see above), else nullptr.  Borrowed.
inline PyObject* pybind11_conduit_of(PyTypeObject* tp, const conduit_words* w) noexcept {
    // Every pybind11 class is a heap type: int, str, float... stop here.
    if (!PyType_HasFeature(tp, Py_TPFLAGS_HEAPTYPE))
        return nullptr;
    PyObject* descr = _PyType_Lookup(tp, w->method); // borrowed, raises nothing
    if (!descr || !PyInstanceMethod_Check(descr))
        return nullptr;
    PyObject* func = PyInstanceMethod_GET_FUNCTION(descr);
    // (serve.h's, from any bindbridge module, is bound to a record capsule.)
    if (!PyCFunction_Check(func) || PyCapsule_IsValid(PyCFunction_GET_SELF(func), conduit_record_capsule_name()))
        return nullptr;
    return func;
}

// One conduit call with `id`: the pointer, or nullptr (no error left).
inline void* conduit_ask(PyObject* func, PyObject* src, PyObject* id, PyObject* ti_capsule,
                         const conduit_words* w, const std::type_info& ti) noexcept {
    PyObject* r = PyObject_CallFunctionObjArgs(func, src, id, ti_capsule, w->kind, nullptr);
    void* p = nullptr;
    if (r && PyCapsule_IsValid(r, ti.name()))
        p = PyCapsule_GetPointer(r, ti.name());
    Py_XDECREF(r);
    PyErr_Clear();
    return p;
}

// framework_record::fallback_load: `ti` in `src` through its class's
// pybind11 conduit, or nullptr.
inline void* load_through_conduit(const std::type_info& ti, PyObject* src) noexcept {
    if (PyType_Check(src))
        return nullptr;
    const conduit_words* w = conduit_words_get();
    PyObject* func = w ? pybind11_conduit_of(Py_TYPE(src), w) : nullptr;
    if (!func)
        return nullptr;
    PyObject* ti_capsule = PyCapsule_New(const_cast<std::type_info*>(&ti), typeid(std::type_info).name(), nullptr);
    if (!ti_capsule) {
        PyErr_Clear();
        return nullptr;
    }
    void* p = conduit_ask(func, src, w->id_v3, ti_capsule, w, ti);
    if (!p && w->id_v2 && pybind11_2x_string_abi_is_ours())
        p = conduit_ask(func, src, w->id_v2, ti_capsule, w, ti);
    Py_DECREF(ti_capsule);
    return p;
}

// An adapter's record init: its importers take objects of unmodified
// pybind11 modules.
inline void consume_conduits(framework_record& rec) noexcept { rec.fallback_load = &load_through_conduit; }

} // namespace detail
} // namespace bindbridge

#endif // BINDBRIDGE_CONDUIT_CONSUME_H
