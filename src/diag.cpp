// src/diag.cpp: bindbridge._diag, read-only views of the pymetabind registry.
//
// Everything here reads the registry of the running interpreter and never
// creates or changes it (bbr_registry_find, not bbr_registry_get).  It
// returns plain tuples; python/bindbridge/__init__.py turns them into
// records.  It also reports the layout this build of protocol.h has, so a
// test can hold it against the golden table of the spec.
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <cstdlib>
#include <cstring>
#include <typeinfo>
#if defined(__GNUC__)
#  include <cxxabi.h>
#endif

#include "bindbridge/protocol.h"
#include "bindbridge/conduit/string_abi_key.h"
#include "bindbridge/runtime/abi_tag.h"
#include "bindbridge/runtime/bridge_refresh_key.h"
#include "bindbridge/runtime/pending_join.h"
#include "bindbridge/version.h"
#include "module_def.h"

namespace {

PyObject* text_or_none(const char* s) {
    if (!s)
        Py_RETURN_NONE;
    return PyUnicode_DecodeUTF8(s, static_cast<Py_ssize_t>(std::strlen(s)), "replace");
}

// An ABI tag without the parts std::type_info does not depend on (the
// libstdc++ string ABI, its debug mode), into out (size n): tags equal
// here mean the same compiler family and C++ runtime, whose type_info we
// can read.  (Plain C strings: the extension needs no libstdc++ symbols
// beyond the oldest manylinux's.)
void type_info_family(const char* tag, char* out, size_t n) {
    static const char* const parts[] = {"_use_cxx11_abi_0", "_use_cxx11_abi_1", "_glibcxx_debug"};
    size_t k = 0;
    while (*tag && k + 1 < n) {
        bool skipped = false;
        for (const char* part : parts) {
            size_t len = std::strlen(part);
            if (std::strncmp(tag, part, len) == 0) {
                tag += len;
                skipped = true;
                break;
            }
        }
        if (!skipped)
            out[k++] = *tag++;
    }
    out[k] = '\0';
}

bool same_type_info_family(const char* a, const char* b) {
    char fa[256], fb[256];
    type_info_family(a, fa, sizeof(fa));
    type_info_family(b, fb, sizeof(fb));
    return std::strcmp(fa, fb) == 0;
}

// The demangled name of a C++ binding's type_info, when it is safe to read:
// for a C++ framework of our C++ runtime (type_info_family), whichever
// string ABI it was built with.
PyObject* native_name(const bbr_binding* b) {
    const bbr_framework* fw = b->framework;
    if (!b->native_type || fw->abi_lang != BBR_ABI_LANG_CPP || !fw->abi_extra ||
        !same_type_info_family(fw->abi_extra, BINDBRIDGE_PLATFORM_ABI_TAG))
        Py_RETURN_NONE;
    const char* mangled = static_cast<const std::type_info*>(b->native_type)->name();
#if defined(__GNUC__)
    int status = 0;
    char* demangled = abi::__cxa_demangle(mangled, nullptr, nullptr, &status);
    if (demangled) {
        PyObject* r = text_or_none(demangled);
        std::free(demangled);
        return r;
    }
#endif
    return text_or_none(mangled);
}

PyObject* framework_tuple(const bbr_framework* fw) {
    return Py_BuildValue("(NiNin)", text_or_none(fw->name), static_cast<int>(fw->abi_lang),
                         text_or_none(fw->abi_extra), static_cast<int>(fw->flags),
                         static_cast<Py_ssize_t>(reinterpret_cast<size_t>(fw)));
}

PyObject* binding_tuple(const bbr_binding* b) {
    PyObject* type = b->pytype ? reinterpret_cast<PyObject*>(b->pytype) : Py_None;
    return Py_BuildValue("(ONNnNn)", type, text_or_none(b->source_name),
                         text_or_none(b->framework->name),
                         static_cast<Py_ssize_t>(reinterpret_cast<size_t>(b->framework)),
                         native_name(b), static_cast<Py_ssize_t>(reinterpret_cast<size_t>(b)));
}

PyObject* frameworks(PyObject*, PyObject*) {
    bbr_registry* reg = bbr_registry_find();
    if (!reg)
        return PyErr_Occurred() ? nullptr : PyList_New(0);
    PyObject* list = PyList_New(0);
    if (!list)
        return nullptr;
    // Build the records under the lock into a C array first: building
    // Python objects may run the GC, which may remove bindings.
    bbr_registry_lock(reg);
    size_t n = 0;
    for (bbr_list_node* node = reg->frameworks.head.next; node != &reg->frameworks.head;
         node = node->next)
        ++n;
    const bbr_framework** items =
        static_cast<const bbr_framework**>(std::calloc(n ? n : 1, sizeof(void*)));
    size_t i = 0;
    if (items)
        for (bbr_list_node* node = reg->frameworks.head.next; node != &reg->frameworks.head;
             node = node->next)
            items[i++] = reinterpret_cast<const bbr_framework*>(node);
    bbr_registry_unlock(reg);
    if (!items) {
        Py_DECREF(list);
        return PyErr_NoMemory();
    }
    // Frameworks are never freed while the interpreter runs (spec: removal
    // happens at finalisation only), so the pointers stay valid here.
    for (i = 0; i < n; ++i) {
        PyObject* t = framework_tuple(items[i]);
        if (!t || PyList_Append(list, t) != 0) {
            Py_XDECREF(t);
            Py_CLEAR(list);
            break;
        }
        Py_DECREF(t);
    }
    std::free(items);
    return list;
}

PyObject* bindings(PyObject*, PyObject*) {
    bbr_registry* reg = bbr_registry_find();
    if (!reg)
        return PyErr_Occurred() ? nullptr : PyList_New(0);
    // A binding can be removed (and freed) by any allocation that triggers
    // the GC, so snapshot the bound types first (strong references), then
    // build records only for bindings still published.
    PyObject* types = PyList_New(0);
    if (!types)
        return nullptr;
    for (bbr_list_node* node = reg->bindings.head.next; node != &reg->bindings.head;
         node = node->next) {
        bbr_binding* b = reinterpret_cast<bbr_binding*>(node);
        if (b->pytype && PyList_Append(types, reinterpret_cast<PyObject*>(b->pytype)) != 0) {
            Py_DECREF(types);
            return nullptr;
        }
    }
    PyObject* list = PyList_New(0);
    if (!list) {
        Py_DECREF(types);
        return nullptr;
    }
    // With every bound type kept alive, only an attribute deletion (Python
    // code, which nothing below runs) could remove a binding; re-walk the
    // list for each record so a stale pointer is never used.
    Py_ssize_t count = PyList_Size(types);
    for (Py_ssize_t k = 0; k < count; ++k) {
        PyObject* type = PyList_GetItem(types, k); // (borrowed; the list keeps it)
        for (bbr_list_node* node = reg->bindings.head.next; node != &reg->bindings.head;
             node = node->next) {
            bbr_binding* b = reinterpret_cast<bbr_binding*>(node);
            if (reinterpret_cast<PyObject*>(b->pytype) != type)
                continue;
            PyObject* t = binding_tuple(b);
            if (!t || PyList_Append(list, t) != 0) {
                Py_XDECREF(t);
                Py_DECREF(list);
                Py_DECREF(types);
                return nullptr;
            }
            Py_DECREF(t);
        }
    }
    Py_DECREF(types);
    return list;
}

PyObject* binding_of(PyObject*, PyObject* type) {
    if (!PyType_Check(type)) {
        PyErr_Format(PyExc_TypeError, "bindbridge.binding_of() expects a type, not %S",
                     reinterpret_cast<PyObject*>(Py_TYPE(type)));
        return nullptr;
    }
    // Checked: a capsule whose pointer was never published is "none".
    bbr_binding* b = bbr_get_binding_checked(type);
    if (!b)
        Py_RETURN_NONE;
    return binding_tuple(b);
}

void keep_in_list(void* ctx, PyObject* obj) noexcept {
    if (PyList_Append(static_cast<PyObject*>(ctx), obj) != 0)
        PyErr_Clear();
}

// try_from_python(binding_address, obj, convert) -> bool: asks the owner of
// a published binding whether it can convert obj.  The address must name a
// binding the registry currently lists (never dereferenced otherwise).
PyObject* try_from_python(PyObject*, PyObject* args) {
    Py_ssize_t address;
    PyObject* obj;
    int convert;
    if (!PyArg_ParseTuple(args, "nOp", &address, &obj, &convert))
        return nullptr;
    bbr_registry* reg = bbr_registry_find();
    auto* b = reinterpret_cast<bbr_binding*>(static_cast<size_t>(address));
    if (!reg || !bbr_registry_has_binding(reg, b)) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_LookupError, "bindbridge: no such binding on the registry");
        return nullptr;
    }
    PyObject* temporaries = PyList_New(0);
    if (!temporaries)
        return nullptr;
    void* p = b->framework->from_python(b, obj, convert ? 1 : 0, keep_in_list, temporaries);
    Py_DECREF(temporaries);
    PyErr_Clear(); // a misbehaving framework may leave one
    return PyBool_FromLong(p != nullptr);
}

PyObject* registry_exists(PyObject*, PyObject*) {
    bbr_registry* reg = bbr_registry_find();
    if (!reg && PyErr_Occurred())
        return nullptr;
    return PyBool_FromLong(reg != nullptr);
}

// set_bridge_refresh(callable): what a miss of a bindbridge importer calls
// to have the bridges publish types registered since (runtime.h
// bridge_refresh).  Kept in the registry's dict, as the string ABI is.
PyObject* set_bridge_refresh(PyObject*, PyObject* fn) {
    if (!PyCallable_Check(fn)) {
        PyErr_SetString(PyExc_TypeError, "set_bridge_refresh: expected a callable");
        return nullptr;
    }
    PyObject* dict = bbr_registry_dict();
    if (!dict || PyDict_SetItemString(dict, BINDBRIDGE_BRIDGE_REFRESH_KEY, fn) != 0)
        return nullptr;
    Py_RETURN_NONE;
}

// The keys of the interpreter's state dict (PyInterpreterState_GetDict),
// where the registry and pybind11 >= v5 internals live: a test's witness
// that something created nothing.
PyObject* interpreter_dict_keys(PyObject*, PyObject*) {
    PyObject* dict = bbr_registry_dict();
    return dict ? PyDict_Keys(dict) : nullptr;
}

// --- layout report ---------------------------------------------------------

int add_field(PyObject* fields, const char* name, size_t offset, size_t size) {
    PyObject* v = Py_BuildValue("[nn]", static_cast<Py_ssize_t>(offset),
                                static_cast<Py_ssize_t>(size));
    if (!v)
        return -1;
    int rc = PyDict_SetItemString(fields, name, v);
    Py_DECREF(v);
    return rc;
}

#define BBR_DIAG_FIELD(dict, type, field) \
    add_field(dict, #field, offsetof(type, field), sizeof(static_cast<type*>(nullptr)->field))

PyObject* struct_entry(size_t size, PyObject* fields) {
    if (!fields)
        return nullptr;
    return Py_BuildValue("{s:n,s:N}", "size", static_cast<Py_ssize_t>(size), "fields", fields);
}

int put(PyObject* dict, const char* key, PyObject* value) {
    if (!value)
        return -1;
    int rc = PyDict_SetItemString(dict, key, value);
    Py_DECREF(value);
    return rc;
}

PyObject* layout(PyObject*, PyObject*) {
    PyObject* out = PyDict_New();
    if (!out)
        return nullptr;
    PyObject *node = PyDict_New(), *list = PyDict_New(), *reg = PyDict_New(),
             *fw = PyDict_New(), *bind = PyDict_New(), *fb = PyDict_New();
    bool ok = node && list && reg && fw && bind && fb;
    ok = ok && BBR_DIAG_FIELD(node, bbr_list_node, next) == 0 &&
         BBR_DIAG_FIELD(node, bbr_list_node, prev) == 0 &&
         BBR_DIAG_FIELD(list, bbr_list, head) == 0 &&
         BBR_DIAG_FIELD(reg, bbr_registry, frameworks) == 0 &&
         BBR_DIAG_FIELD(reg, bbr_registry, bindings) == 0 &&
         BBR_DIAG_FIELD(reg, bbr_registry, weakref_callback_def) == 0 &&
         BBR_DIAG_FIELD(reg, bbr_registry, reserved) == 0 &&
         BBR_DIAG_FIELD(reg, bbr_registry, deallocate_when_empty) == 0 &&
         BBR_DIAG_FIELD(fw, bbr_framework, link) == 0 &&
         BBR_DIAG_FIELD(fw, bbr_framework, registry) == 0 &&
         BBR_DIAG_FIELD(fw, bbr_framework, name) == 0 &&
         BBR_DIAG_FIELD(fw, bbr_framework, flags) == 0 &&
         BBR_DIAG_FIELD(fw, bbr_framework, reserved) == 0 &&
         BBR_DIAG_FIELD(fw, bbr_framework, abi_lang) == 0 &&
         BBR_DIAG_FIELD(fw, bbr_framework, abi_extra) == 0 &&
         BBR_DIAG_FIELD(fw, bbr_framework, from_python) == 0 &&
         BBR_DIAG_FIELD(fw, bbr_framework, to_python) == 0 &&
         BBR_DIAG_FIELD(fw, bbr_framework, keep_alive) == 0 &&
         BBR_DIAG_FIELD(fw, bbr_framework, translate_exception) == 0 &&
         BBR_DIAG_FIELD(fw, bbr_framework, remove_local_binding) == 0 &&
         BBR_DIAG_FIELD(fw, bbr_framework, free_local_binding) == 0 &&
         BBR_DIAG_FIELD(fw, bbr_framework, add_foreign_binding) == 0 &&
         BBR_DIAG_FIELD(fw, bbr_framework, remove_foreign_binding) == 0 &&
         BBR_DIAG_FIELD(fw, bbr_framework, add_foreign_framework) == 0 &&
         BBR_DIAG_FIELD(fw, bbr_framework, remove_foreign_framework) == 0 &&
         BBR_DIAG_FIELD(bind, bbr_binding, link) == 0 &&
         BBR_DIAG_FIELD(bind, bbr_binding, framework) == 0 &&
         BBR_DIAG_FIELD(bind, bbr_binding, capsule) == 0 &&
         BBR_DIAG_FIELD(bind, bbr_binding, pytype) == 0 &&
         BBR_DIAG_FIELD(bind, bbr_binding, pytype_wr) == 0 &&
         BBR_DIAG_FIELD(bind, bbr_binding, native_type) == 0 &&
         BBR_DIAG_FIELD(bind, bbr_binding, source_name) == 0 &&
         BBR_DIAG_FIELD(bind, bbr_binding, context) == 0 &&
         BBR_DIAG_FIELD(fb, bbr_to_python_feedback, is_new) == 0 &&
         BBR_DIAG_FIELD(fb, bbr_to_python_feedback, relocate) == 0;
    if (!ok) {
        Py_XDECREF(node); Py_XDECREF(list); Py_XDECREF(reg);
        Py_XDECREF(fw); Py_XDECREF(bind); Py_XDECREF(fb);
        Py_DECREF(out);
        return nullptr;
    }
    ok = put(out, "pymb_list_node", struct_entry(sizeof(bbr_list_node), node)) == 0 &&
         put(out, "pymb_list", struct_entry(sizeof(bbr_list), list)) == 0 &&
         put(out, "pymb_registry", struct_entry(sizeof(bbr_registry), reg)) == 0 &&
         put(out, "pymb_framework", struct_entry(sizeof(bbr_framework), fw)) == 0 &&
         put(out, "pymb_binding", struct_entry(sizeof(bbr_binding), bind)) == 0 &&
         put(out, "pymb_to_python_feedback",
             struct_entry(sizeof(bbr_to_python_feedback), fb)) == 0 &&
         put(out, "enums",
             Py_BuildValue(
                 "{s:{s:i,s:i,s:i,s:i,s:i,s:i},s:{s:i,s:i},s:{s:i,s:i}}",
                 "pymb_rv_policy", "take_ownership", int(BBR_RV_TAKE_OWNERSHIP), "copy",
                 int(BBR_RV_COPY), "move", int(BBR_RV_MOVE), "reference", int(BBR_RV_REFERENCE),
                 "share_ownership", int(BBR_RV_SHARE_OWNERSHIP), "none", int(BBR_RV_NONE),
                 "pymb_abi_lang", "c", int(BBR_ABI_LANG_C), "cpp", int(BBR_ABI_LANG_CPP),
                 "pymb_framework_flags", "bindings_usable_forever",
                 int(BBR_FRAMEWORK_BINDINGS_USABLE_FOREVER), "leak_safe",
                 int(BBR_FRAMEWORK_LEAK_SAFE))) == 0 &&
         put(out, "names",
             Py_BuildValue("{s:s,s:s,s:s,s:s,s:s}", "registry_dict_key", BBR_REGISTRY_DICT_KEY,
                           "registry_capsule", BBR_REGISTRY_CAPSULE_NAME, "binding_capsule",
                           BBR_BINDING_CAPSULE_NAME, "binding_type_attribute",
                           BBR_BINDING_TYPE_ATTRIBUTE, "weakref_callback_name",
                           BBR_WEAKREF_CALLBACK_NAME)) == 0;
    if (!ok) {
        Py_DECREF(out);
        return nullptr;
    }
    return out;
}

// assume_pybind11_2x_string_abi(n or None): which libstdc++ string ABI the
// process's pybind11 2.x modules use (conduit/serve.h answers their conduit id
// only when it is the exporter's own).
PyObject* assume_pybind11_2x_string_abi(PyObject*, PyObject* arg) {
    PyObject* dict = bbr_registry_dict();
    if (!dict)
        return nullptr;
    const char* key = BINDBRIDGE_PYBIND11_2X_STRING_ABI_KEY;
    if (arg == Py_None) {
        if (PyDict_GetItemString(dict, key) && PyDict_DelItemString(dict, key) != 0)
            return nullptr;
        Py_RETURN_NONE;
    }
    if (!PyLong_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "assume_pybind11_2x_string_abi: expected 0, 1 or None");
        return nullptr;
    }
    long n = PyLong_AsLong(arg);
    if (n != 0 && n != 1) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_ValueError,
                            "assume_pybind11_2x_string_abi: _GLIBCXX_USE_CXX11_ABI is 0 or 1");
        return nullptr;
    }
    if (PyDict_SetItemString(dict, key, arg) != 0)
        return nullptr;
    Py_RETURN_NONE;
}

// The list of pending joins, borrowed; nullptr (no error) if none.
PyObject* pending_list() {
    PyObject* dict = bbr_registry_dict();
    if (!dict) {
        PyErr_Clear();
        return nullptr;
    }
    PyObject* list = PyDict_GetItemString(dict, BINDBRIDGE_PENDING_JOINS_KEY);
    return list && PyList_Check(list) ? list : nullptr;
}

const bindbridge::detail::pending_join* pending_at(PyObject* list, Py_ssize_t i) {
    PyObject* c = PyList_GetItem(list, i);
    auto* p = c && PyCapsule_IsValid(c, BINDBRIDGE_PENDING_JOIN_CAPSULE)
                  ? static_cast<const bindbridge::detail::pending_join*>(
                        PyCapsule_GetPointer(c, BINDBRIDGE_PENDING_JOIN_CAPSULE))
                  : nullptr;
    PyErr_Clear();
    if (!p || p->size < sizeof(bindbridge::detail::pending_join) || p->version < 1 || !p->join ||
        !p->file)
        return nullptr;
    return p;
}

// pending_joins() -> [file]: modules loaded with IMPORT declarations whose
// framework has not joined the registry yet.
PyObject* pending_joins(PyObject*, PyObject*) {
    PyObject* out = PyList_New(0);
    PyObject* list = pending_list();
    for (Py_ssize_t i = 0; out && list && i < PyList_Size(list); ++i) {
        const bindbridge::detail::pending_join* p = pending_at(list, i);
        PyObject* f = p ? PyUnicode_DecodeFSDefault(p->file) : nullptr;
        if (p && (!f || PyList_Append(out, f) != 0))
            Py_CLEAR(out);
        Py_XDECREF(f);
    }
    return out;
}

// join_pending(files) -> [(file, error or None)]: joins the frameworks of
// the pending modules whose file is in `files` (modules that finished
// importing), and forgets them; a failed join gives its error's text.
PyObject* join_pending(PyObject*, PyObject* files) {
    PyObject* out = PyList_New(0);
    PyObject* list = pending_list();
    Py_ssize_t i = 0;
    while (out && list && i < PyList_Size(list)) {
        const bindbridge::detail::pending_join* p = pending_at(list, i);
        PyObject* f = p ? PyUnicode_DecodeFSDefault(p->file) : nullptr;
        int wanted = f ? PySequence_Contains(files, f) : 0;
        if (wanted < 0) {
            Py_XDECREF(f);
            Py_CLEAR(out);
            break;
        }
        if (p && !wanted) {
            Py_XDECREF(f);
            ++i;
            continue;
        }
        PyObject* error = nullptr;
        if (p && p->join() != 0) {
            PyObject *type, *value, *tb;
            PyErr_Fetch(&type, &value, &tb);
            error = value ? PyObject_Str(value) : nullptr;
            Py_XDECREF(type);
            Py_XDECREF(value);
            Py_XDECREF(tb);
            PyErr_Clear();
            if (!error)
                error = PyUnicode_FromString("joining failed");
        }
        // (joined, failed or unreadable: forgotten either way)
        if (PySequence_DelItem(list, i) != 0)
            PyErr_Clear(), ++i;
        if (p) {
            PyObject* item = Py_BuildValue("(OO)", f, error ? error : Py_None);
            if (!item || PyList_Append(out, item) != 0)
                Py_CLEAR(out);
            Py_XDECREF(item);
        }
        Py_XDECREF(f);
        Py_XDECREF(error);
    }
    return out;
}

PyMethodDef methods[] = {
    {"pending_joins", pending_joins, METH_NOARGS,
     "pending_joins() -> [file]: loaded modules with IMPORT declarations whose framework has "
     "not joined yet"},
    {"join_pending", join_pending, METH_O,
     "join_pending(files) -> [(file, error or None)]: joins those of them whose file is listed"},
    {"assume_pybind11_2x_string_abi", assume_pybind11_2x_string_abi, METH_O,
     "assume_pybind11_2x_string_abi(n) -> None: pybind11 2.x modules here use "
     "_GLIBCXX_USE_CXX11_ABI=n (None: unknown)"},
    {"frameworks", frameworks, METH_NOARGS,
     "frameworks() -> [(name, abi_lang, abi_extra, flags, address)] in join order"},
    {"bindings", bindings, METH_NOARGS,
     "bindings() -> [(pytype, source_name, framework_name, framework_address, native_name, "
     "address)] in publication order"},
    {"binding_of", binding_of, METH_O,
     "binding_of(type) -> the published binding of type (or of its nearest base), or None"},
    {"try_from_python", try_from_python, METH_VARARGS,
     "try_from_python(binding_address, obj, convert) -> whether the owner converts obj"},
    {"set_bridge_refresh", set_bridge_refresh, METH_O,
     "set_bridge_refresh(callable): what bindbridge importers call on a miss once bridge() ran"},
    {"interpreter_dict_keys", interpreter_dict_keys, METH_NOARGS,
     "interpreter_dict_keys() -> the keys of the interpreter's state dict (read-only)"},
    {"registry_exists", registry_exists, METH_NOARGS,
     "registry_exists() -> True if this interpreter has a pymetabind registry"},
    {"layout", layout, METH_NOARGS,
     "layout() -> offsets and sizes of the wire structures, enum values and wire names"},
    {nullptr, nullptr, 0, nullptr}};

PyModuleDef module_def = single_phase_module(
    "bindbridge._diag", "Read-only views of the pymetabind registry (bindbridge diagnostics).", methods);

} // namespace

// Python 3.8's PyMODINIT_FUNC does not mark the symbol visible, and this
// module is built with hidden visibility: say it ourselves.
#if defined(__GNUC__)
extern "C" __attribute__((visibility("default"))) PyObject* PyInit__diag(void) {
#else
PyMODINIT_FUNC PyInit__diag(void) {
#endif
    PyObject* m = PyModule_Create(&module_def);
    if (!m)
        return nullptr;
    if (PyModule_AddStringConstant(m, "ABI_TAG", BINDBRIDGE_PLATFORM_ABI_TAG) != 0 ||
        PyModule_AddStringConstant(m, "VERSION", BINDBRIDGE_VERSION_STRING) != 0 ||
        PyModule_AddStringConstant(m, "PYMETABIND_VERSION", BBR_PYMETABIND_VERSION_STRING) != 0 ||
        PyModule_AddIntConstant(m, "POINTER_SIZE", static_cast<long>(sizeof(void*))) != 0) {
        Py_DECREF(m);
        return nullptr;
    }
    return m;
}
