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
// with no bindbridge code, accept them.  We answer:
//   - pybind11 3.x's id, which is the pymetabind ABI tag itself;
//   - pybind11 2.11.2-2.13's older id ("_gcc_libstdcpp_cxxabi1017"), which
//     leaves out the libstdc++ string ABI: a module built with
//     _GLIBCXX_USE_CXX11_ABI=0 (every manylinux2014 wheel) asks with the
//     same id as one built with the default, and a pointer handed to the
//     wrong one is read with another std::string layout.  So that id is
//     answered only when the user has said which string ABI the process's
//     pybind11 2.x modules use (bindbridge.assume_pybind11_2x_string_abi,
//     kept in the interpreter dict) and it is ours;
// and only for the exact C++ type of the binding (no upcasts).  A type
// that already has the attribute (every pybind11 type) keeps its own.
#ifndef BINDBRIDGE_CONDUIT_SERVE_H
#define BINDBRIDGE_CONDUIT_SERVE_H

#include <cstring>
#include <typeinfo>

#include "../runtime/runtime.h"
#include "string_abi_key.h"

namespace bindbridge {
namespace detail {

#define BINDBRIDGE_CONDUIT_STR2(x) #x
#define BINDBRIDGE_CONDUIT_STR(x) BINDBRIDGE_CONDUIT_STR2(x)

// The ids of the pybind11 platform ABI we can answer for, or nullptr.
inline const char* conduit_id_v3() noexcept { return BINDBRIDGE_PLATFORM_ABI_TAG; }

inline const char* conduit_id_v2() noexcept {
#if defined(__GNUC__) && !defined(__clang__) && !defined(__MINGW32__) && !defined(__CYGWIN__) && \
    defined(__GLIBCXX__) && defined(__GXX_ABI_VERSION) && defined(_GLIBCXX_USE_CXX11_ABI) &&    \
    !defined(_GLIBCXX_DEBUG)
    return "_gcc_libstdcpp_cxxabi" BINDBRIDGE_CONDUIT_STR(__GXX_ABI_VERSION);
#else
    return nullptr;
#endif
}

// Whether the user vouched that pybind11 2.x modules use our string ABI.
inline bool pybind11_2x_string_abi_is_ours() noexcept {
#if defined(_GLIBCXX_USE_CXX11_ABI)
    PyObject* dict = bbr_registry_dict();
    PyObject* v = dict ? PyDict_GetItemString(dict, BINDBRIDGE_PYBIND11_2X_STRING_ABI_KEY) : nullptr;
    if (!v || !PyLong_Check(v)) {
        PyErr_Clear();
        return false;
    }
    long n = PyLong_AsLong(v);
    PyErr_Clear();
    return n == _GLIBCXX_USE_CXX11_ABI;
#else
    return false;
#endif
}

inline bool conduit_id_accepted(PyObject* id) noexcept {
    if (!PyBytes_Check(id))
        return false;
    const char* s = PyBytes_AS_STRING(id);
    if (std::strcmp(s, conduit_id_v3()) == 0)
        return true;
    const char* v2 = conduit_id_v2();
    return v2 && std::strcmp(s, v2) == 0 && pybind11_2x_string_abi_is_ours();
}

// self: capsule holding our framework_record; args: (obj, abi_id, type_info capsule, kind).
inline PyObject* conduit_call(PyObject* self, PyObject* args) noexcept {
    auto* rec = static_cast<framework_record*>(
        PyCapsule_GetPointer(self, "bindbridge_framework_record"));
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
    PyObject* capsule = PyCapsule_New(rec, "bindbridge_framework_record", nullptr);
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
