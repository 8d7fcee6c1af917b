// include/bindbridge/conduit/serve.h: exported types answer pybind11's _pybind11_conduit_v1_.
//
// conduit/ is pybind11's cpp conduit as bindbridge speaks it, whichever
// adapter exported the type: it stands on runtime/ and protocol.h only
// (no framework header), and every adapter may include it.
//
// pybind11 >= 2.11.2 (and every 3.x) tries, on the convert pass and only
// for a C++ type it binds itself, to call
//     obj._pybind11_conduit_v1_(bytes platform_abi_id,
//                               capsule(const std::type_info*, name=typeid(std::type_info).name()),
//                               b"raw_pointer_ephemeral")
// and uses the pointer in the capsule it gets back.  Installing such a
// method on the types bindbridge exports lets unmodified pybind11 modules,
// with no bindbridge code, accept them.  We answer the ids of ids.h (the
// 2.x one only where the user vouched for the string ABI)
// and only for the exact C++ type of the binding (no upcasts).  A type
// that already has the attribute (every pybind11 type) keeps its own.
#ifndef BINDBRIDGE_CONDUIT_SERVE_H
#define BINDBRIDGE_CONDUIT_SERVE_H

#include <cstring>
#include <typeinfo>

#include "../runtime/runtime.h"
#include "ids.h"

namespace bindbridge {
namespace detail {

// The name of the capsule our conduit methods are bound to.
inline const char* conduit_record_capsule_name() noexcept { return "bindbridge_framework_record"; }

// self: capsule holding our framework_record; args: (obj, abi_id, type_info capsule, kind).
inline PyObject* conduit_call(PyObject* self, PyObject* args) noexcept {
    auto* rec = static_cast<framework_record*>(
        PyCapsule_GetPointer(self, conduit_record_capsule_name()));
    PyObject *obj, *abi_id, *ti_capsule, *kind;
    if (!rec || !PyArg_ParseTuple(args, "OOOO", &obj, &abi_id, &ti_capsule, &kind))
        return nullptr;
    if (!PyBytes_Check(kind) || std::strcmp(PyBytes_AS_STRING(kind), "raw_pointer_ephemeral") != 0 ||
        !conduit_id_accepted(abi_id) || !PyCapsule_IsValid(ti_capsule, typeid(std::type_info).name()))
        Py_RETURN_NONE;
    auto* wanted =
        static_cast<const std::type_info*>(PyCapsule_GetPointer(ti_capsule, typeid(std::type_info).name()));
    bbr_binding* b = bbr_get_binding(reinterpret_cast<PyObject*>(Py_TYPE(obj)));
    // Only bindings we can vouch for: our own, or announced to us.
    bool ours = b && rec->local_by_type.first(b->pytype) == b;
    if (!wanted || !b || (!ours && !rec->announced.contains(b)) || !b->native_type ||
        (!ours && !rec->is_compatible(b)) ||
        std::strcmp(type_key(*static_cast<const std::type_info*>(b->native_type)), type_key(*wanted)) != 0)
        Py_RETURN_NONE;
    void* p = call_from_python(b, obj, false, nullptr, nullptr);
    if (!p)
        Py_RETURN_NONE;
    return PyCapsule_New(p, wanted->name(), nullptr);
}

inline PyMethodDef* conduit_def() noexcept {
    static PyMethodDef def = {"_pybind11_conduit_v1_",
                              reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)(void)>(conduit_call)),
                              METH_VARARGS,
                              "bindbridge: pybind11's cpp conduit for a type published on the "
                              "pymetabind registry"};
    return &def;
}

// Installs the conduit method on `pytype` unless it has one.  Runs outside
// registry callbacks (setattr may run Python code).  0, or -1 with an error.
inline int install_conduit(framework_record* rec, PyTypeObject* pytype) {
    PyObject* existing = PyObject_GetAttrString(reinterpret_cast<PyObject*>(pytype), "_pybind11_conduit_v1_");
    if (existing) {
        Py_DECREF(existing);
        return 0; // never replace a type's own conduit
    }
    PyErr_Clear();
    PyObject* capsule = PyCapsule_New(rec, conduit_record_capsule_name(), nullptr);
    if (!capsule)
        return -1;
    PyObject* func = PyCFunction_New(conduit_def(), capsule);
    Py_DECREF(capsule);
    if (!func)
        return -1;
    PyObject* method = PyInstanceMethod_New(func); // binds the instance on attribute access
    Py_DECREF(func);
    if (!method)
        return -1;
    int rc = PyObject_SetAttrString(reinterpret_cast<PyObject*>(pytype), "_pybind11_conduit_v1_", method);
    Py_DECREF(method);
    return rc;
}

// An adapter's export: publish_context (runtime.h), then, for a newly
// published class (not an enum: pybind11 asks no conduit of those), the
// conduit.  0, or -1 with a Python error set.
template <typename Context, typename Merge>
int export_binding(framework_record* rec, PyTypeObject* pytype, const std::type_info* native,
                   const Context& context, Merge&& merge, bool is_class) {
    int rc = publish_context(rec, pytype, native, context, merge);
    if (rc < 0)
        return -1;
    return rc == 0 && is_class ? install_conduit(rec, pytype) : 0;
}

} // namespace detail
} // namespace bindbridge

#endif // BINDBRIDGE_CONDUIT_SERVE_H
