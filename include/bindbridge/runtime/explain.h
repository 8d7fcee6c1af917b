// include/bindbridge/runtime/explain.h: why a call with a foreign argument failed, attached to its TypeError.
//
// Two halves:
// - load_foreign notes every refusal in a small per-thread ring (the C++
//   type wanted, the Python type offered, whether recursion was stopped):
//   a few stores, on the failure path only;
// - modules that opt in (explain_failures(m) in each adapter) have their
//   functions' entry points wrapped: the wrapper remembers the ring's
//   position (one thread-local read) and, only when the call fails with a
//   TypeError, turns the refusals noted since then, and the foreign
//   arguments nobody tried, into text: a note on Python 3.11+
//   (BaseException.add_note), else appended to the message.
//
// The text names, for each binding of the wanted C++ type, the framework
// and why it refused: no binding for this Python type, ABI tag differs,
// the owner's from_python refused, recursion stopped.
#ifndef BINDBRIDGE_RUNTIME_EXPLAIN_H
#define BINDBRIDGE_RUNTIME_EXPLAIN_H

#include <cstdint>
#include <cstring>
#include <string>
#include <typeinfo>
#include <vector>

#include "runtime.h"

namespace bindbridge {
namespace detail {

// --- text ----------------------------------------------------------------------

inline std::string framework_name(const bbr_framework* fw) {
    return fw && fw->name ? fw->name : "an unnamed framework";
}

// How the owners of C++ `wanted` (bindings known to rec) see an object of
// Python type `offered`, one line each.
inline void explain_wanted(framework_record* rec, const std::type_info& wanted, PyObject* obj,
                           bool recursion, bool ownership, std::string& out) {
    std::string cpp = demangle(wanted.name());
    if (ownership) {
        bbr_binding* b = bbr_get_binding(reinterpret_cast<PyObject*>(Py_TYPE(obj)));
        if (!b)
            PyErr_Clear();
        std::string owner = b ? framework_name(b->framework) : std::string("another framework");
        out += "  std::unique_ptr<" + cpp + "> from a " + type_name_of(Py_TYPE(obj)) +
               ": the parameter takes ownership from Python, and " + owner;
        const ownership_entry* o = b ? ownership_of(b->framework) : nullptr;
        if (o)
            out += std::string(" gives up only ") + (o->gives_up ? o->gives_up : "some of its objects");
        else
            out += " cannot make its objects give up ownership (pymetabind has no way to, and "
                   "bindbridge has none for that framework)";
        out += ": pass it where " + cpp + " is taken by reference, pointer or shared_ptr\n";
        return;
    }
    out += "  C++ " + cpp + " from a " + type_name_of(Py_TYPE(obj)) + ":\n";
    if (recursion) {
        out += "    - recursion stopped: bindbridge was serving another framework's conversion, "
               "and does not consult foreign bindings then\n";
        return;
    }
    binding_span found = rec->foreign_by_type.find(type_key(wanted));
    size_t listed = 0;
    if (found) {
        std::vector<bbr_binding*> snapshot(found.begin(), found.end());
        for (bbr_binding* b : snapshot) {
            if (!rec->announced.contains(b))
                continue;
            std::string head = "    - " + framework_name(b->framework) + " (" + type_name_of(b->pytype) + "): ";
            ++listed;
            if (!PyObject_TypeCheck(obj, b->pytype)) {
                out += head + "no binding for " + type_name_of(Py_TYPE(obj)) + " there (its binding is for " +
                       type_name_of(b->pytype) + ")\n";
                continue;
            }
            void* p = b->framework->from_python(b, obj, 0, nullptr, nullptr);
            if (!p && PyErr_Occurred())
                PyErr_Clear();
            out += head + (p ? "accepts it now (another argument, or the state at call time, refused)\n"
                             : "the owner's from_python refused it\n");
        }
    }
    for (bbr_binding* b : rec->incompatible) {
        if (!rec->announced.contains(b))
            continue;
        bool same = b->native_type
                        ? std::strcmp(type_key(*static_cast<const std::type_info*>(b->native_type)),
                                      type_key(wanted)) == 0
                        : b->source_name && source_name_of(wanted) == b->source_name;
        if (!same)
            continue;
        ++listed;
        const bbr_framework* fw = b->framework;
        std::string head = "    - " + framework_name(fw) + " (" + type_name_of(b->pytype) + "): ";
        if (fw->abi_lang != BBR_ABI_LANG_CPP)
            out += head + "not used: it is not a C++ framework (C++ types are shared between C++ frameworks "
                          "only)\n";
        else
            out += head + "not used: its ABI tag " + std::string(fw->abi_extra ? fw->abi_extra : "(none)") +
                   " differs from ours, " + rec->fw.abi_extra + "\n";
    }
    if (!listed)
        out += "    - no other framework on the registry binds C++ " + cpp + "\n";
}

// Arguments of a failed call: what was tried (refusals since `since`), and
// the foreign objects no bindbridge import looked at.
inline std::string explain_failed_call(framework_record* rec, uint64_t since, PyObject* const* args,
                                       size_t nargs, const char* import_macro) {
    std::string out;
    std::vector<refusal> seen;
    refusal_ring* ring = shared_refusals();
    uint64_t first = ring && ring->next > refusal_ring::size ? ring->next - refusal_ring::size : 1;
    if (since < first)
        since = first;
    const void* thread = PyThreadState_Get();
    for (uint64_t s = since; ring && s < ring->next; ++s) {
        const refusal& e = ring->entries[s % refusal_ring::size];
        if (e.thread != thread)
            continue;
        bool dup = false;
        for (const refusal& o : seen)
            dup = dup || (o.wanted == e.wanted && o.offered == e.offered && o.recursion == e.recursion &&
                          o.ownership == e.ownership);
        if (!dup)
            seen.push_back(e);
    }
    std::vector<bool> tried(nargs, false);
    for (const refusal& e : seen) {
        for (size_t i = 0; i < nargs; ++i) {
            if (Py_TYPE(args[i]) != e.offered)
                continue;
            tried[i] = true;
            explain_wanted(rec, *e.wanted, args[i], e.recursion, e.ownership, out);
            break; // one object of that type is enough to explain
        }
    }
    for (size_t i = 0; i < nargs; ++i) {
        if (tried[i])
            continue;
        PyTypeObject* tp = Py_TYPE(args[i]);
        bbr_binding* b = bbr_get_binding(reinterpret_cast<PyObject*>(tp));
        if (!b || b->framework == &rec->fw || !rec->announced.contains(b))
            continue; // not bound, ours, or not a binding we know
        std::string what = b->native_type ? demangle(static_cast<const std::type_info*>(b->native_type)->name())
                                          : std::string(b->source_name ? b->source_name : "?");
        out += "  argument " + std::to_string(i + 1) + ", a " + type_name_of(tp) + " (C++ " + what +
               ", bound by " + framework_name(b->framework) +
               "): no bindbridge import of its C++ type was tried; declare " + import_macro + "(" + what +
               ") where the function is bound\n";
    }
    if (out.empty())
        return out;
    return "bindbridge: why the arguments owned by other frameworks were refused:\n" + out;
}

// What the first line of an explained TypeError ends with, so that a
// report that drops notes (str(e), most logging) still says where to look.
constexpr const char* explained_marker = " [bindbridge: why, below]";

// `message` with explained_marker at the end of its first line.
inline PyObject* marked_message(PyObject* message) noexcept {
    Py_ssize_t n = PyUnicode_GetLength(message);
    Py_ssize_t nl = n < 0 ? -1 : PyUnicode_FindChar(message, '\n', 0, n, 1);
    if (n < 0 || nl == -2)
        return nullptr;
    Py_ssize_t cut = nl == -1 ? n : nl;
    PyObject* head = PyUnicode_Substring(message, 0, cut);
    PyObject* tail = head ? PyUnicode_Substring(message, cut, n) : nullptr;
    PyObject* r = tail ? PyUnicode_FromFormat("%U%s%U", head, explained_marker, tail) : nullptr;
    Py_XDECREF(head);
    Py_XDECREF(tail);
    return r;
}

// Attaches `text` to the TypeError being raised (a note on 3.11+, else
// appended to its message) and marks the message's first line.  Never
// replaces the error with another.
inline void attach_to_type_error(const std::string& text) noexcept {
    if (text.empty() || !PyErr_ExceptionMatches(PyExc_TypeError))
        return;
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    if (tb && value)
        PyException_SetTraceback(value, tb);
    bool done = false;
    if (value) {
        PyObject* note = PyUnicode_FromStringAndSize(text.data(), (Py_ssize_t) text.size() - 1);
        PyObject* msg = note ? PyObject_Str(value) : nullptr;
        PyObject* marked = msg ? marked_message(msg) : nullptr;
#if PY_VERSION_HEX >= 0x030B0000
        if (marked) {
            PyObject* r = PyObject_CallMethod(value, "add_note", "O", note);
            done = r != nullptr;
            Py_XDECREF(r);
        }
        PyObject* joined = marked;
        Py_XINCREF(joined);
#else
        PyObject* joined = marked ? PyUnicode_FromFormat("%U\n%U", marked, note) : nullptr;
#endif
        PyObject* args = joined ? PyTuple_Pack(1, joined) : nullptr;
        if (args && PyObject_SetAttrString(value, "args", args) == 0)
            done = true;
        Py_XDECREF(args);
        Py_XDECREF(joined);
        Py_XDECREF(marked);
        Py_XDECREF(msg);
        Py_XDECREF(note);
    }
    if (!done)
        PyErr_Clear();
    PyErr_Restore(type, value, tb);
}


// --- entry-point wrappers ------------------------------------------------------
//
// A wrapper must call the entry point it replaced, and C gives it no
// closure: each slot is one wrapper function bound to one original entry
// point (a module has one or a few distinct ones: pybind11's dispatcher,
// nanobind's vectorcall variants).  GetRec names the adapter's record.

constexpr int wrapper_slots = 8;

using varargs_fn = PyObject* (*)(PyObject*, PyObject*, PyObject*);
using vector_fn = PyObject* (*)(PyObject*, PyObject* const*, size_t, PyObject*);
using fastcall_fn = PyObject* (*)(PyObject*, PyObject* const*, Py_ssize_t, PyObject*);
using record_getter = framework_record* (*)() noexcept;

template <typename Fn, record_getter GetRec>
struct slot_table {
    Fn original[wrapper_slots] = {};
    const char* import_macro = "BINDBRIDGE_IMPORT";
};

template <typename Fn, record_getter GetRec>
slot_table<Fn, GetRec>& slots() noexcept {
    static slot_table<Fn, GetRec> t;
    return t;
}

// A failed return: the framework's own TypeError (pybind11's "Unable to
// convert function return value") whose cause is bindbridge's reason.
// That reason, or "".
inline std::string return_failure_reason(PyObject* value) {
    std::string why;
    PyObject* cause = PyException_GetCause(value);
    if (cause && PyObject_TypeCheck(cause, reinterpret_cast<PyTypeObject*>(PyExc_TypeError))) {
        if (PyObject* s = PyObject_Str(cause)) {
            const char* text = PyUnicode_AsUTF8(s);
            if (text && std::strncmp(text, "bindbridge: ", 12) == 0)
                why = std::string("bindbridge: why the return value was refused: ") + (text + 12) + "\n";
            Py_DECREF(s);
        }
    }
    Py_XDECREF(cause);
    return why;
}

template <record_getter GetRec>
void explain_after_failure(uint64_t since, PyObject* const* args, size_t nargs, const char* macro) noexcept {
    if (!PyErr_ExceptionMatches(PyExc_TypeError))
        return;
    framework_record* rec = GetRec();
    if (!rec)
        return;
    PyObject *t, *v, *tb;
    PyErr_Fetch(&t, &v, &tb); // explaining runs Python code (type names)
    PyErr_NormalizeException(&t, &v, &tb);
    if (tb && v)
        PyException_SetTraceback(v, tb);
    std::string text;
    try {
        text = v ? return_failure_reason(v) : std::string();
        if (text.empty())
            text = explain_failed_call(rec, since, args, nargs, macro);
    } catch (...) {
    }
    if (PyErr_Occurred())
        PyErr_Clear();
    PyErr_Restore(t, v, tb);
    attach_to_type_error(text);
}

// The wrappers, one struct template per calling convention: W<GetRec,
// I>::call calls slot I's original and explains a failure.
inline uint64_t ring_position() noexcept {
    refusal_ring* ring = shared_refusals();
    return ring ? ring->next : 0;
}

template <record_getter GetRec, int I>
struct varargs_wrapper {
    using fn = varargs_fn;
    static PyObject* call(PyObject* self, PyObject* args, PyObject* kwargs) {
        uint64_t since = ring_position();
        auto& table = slots<fn, GetRec>();
        PyObject* r = table.original[I](self, args, kwargs);
        if (!r && args && PyTuple_Check(args)) {
            PyObject* const* first = &PyTuple_GET_ITEM(args, 0);
            std::vector<PyObject*> all(first, first + PyTuple_GET_SIZE(args));
            Py_ssize_t pos = 0;
            PyObject *key, *val;
            while (kwargs && PyDict_Check(kwargs) && PyDict_Next(kwargs, &pos, &key, &val))
                all.push_back(val);
            explain_after_failure<GetRec>(since, all.data(), all.size(), table.import_macro);
        }
        return r;
    }
};

template <record_getter GetRec, int I>
struct fastcall_wrapper {
    using fn = fastcall_fn;
    static PyObject* call(PyObject* self, PyObject* const* args, Py_ssize_t nargs, PyObject* kwnames) {
        uint64_t since = ring_position();
        auto& table = slots<fn, GetRec>();
        PyObject* r = table.original[I](self, args, nargs, kwnames);
        if (!r)
            explain_after_failure<GetRec>(since, args, (size_t) nargs + (kwnames ? (size_t) PyTuple_GET_SIZE(kwnames) : 0),
                                          table.import_macro);
        return r;
    }
};

template <record_getter GetRec, int I>
struct vector_wrapper {
    using fn = vector_fn;
    static PyObject* call(PyObject* self, PyObject* const* args, size_t nargsf, PyObject* kwnames) {
        uint64_t since = ring_position();
        auto& table = slots<fn, GetRec>();
        PyObject* r = table.original[I](self, args, nargsf, kwnames);
        if (!r)
            explain_after_failure<GetRec>(
                since, args, PyVectorcall_NARGS(nargsf) + (kwnames ? (size_t) PyTuple_GET_SIZE(kwnames) : 0),
                table.import_macro);
        return r;
    }
};

// Slot I's wrapper of convention W.
template <template <record_getter, int> class W, record_getter GetRec>
typename W<GetRec, 0>::fn wrapper_at(int i) noexcept {
    using Fn = typename W<GetRec, 0>::fn;
    static const Fn all[wrapper_slots] = {W<GetRec, 0>::call, W<GetRec, 1>::call, W<GetRec, 2>::call,
                                          W<GetRec, 3>::call, W<GetRec, 4>::call, W<GetRec, 5>::call,
                                          W<GetRec, 6>::call, W<GetRec, 7>::call};
    return all[i];
}

// The wrapper for `original` (slot found or taken), itself if `original`
// is already one of ours, nullptr when the slots are full.
template <template <record_getter, int> class W, record_getter GetRec>
typename W<GetRec, 0>::fn wrapper_for(typename W<GetRec, 0>::fn original, const char* macro) noexcept {
    auto& table = slots<typename W<GetRec, 0>::fn, GetRec>();
    table.import_macro = macro;
    for (int i = 0; i < wrapper_slots; ++i)
        if (wrapper_at<W, GetRec>(i) == original)
            return original;
    for (int i = 0; i < wrapper_slots; ++i) {
        if (!table.original[i])
            table.original[i] = original;
        if (table.original[i] == original)
            return wrapper_at<W, GetRec>(i);
    }
    return nullptr;
}

template <template <record_getter, int> class W, record_getter GetRec>
bool wrap_method_def(PyMethodDef* def, const char* macro) noexcept {
    using Fn = typename W<GetRec, 0>::fn;
    Fn w = wrapper_for<W, GetRec>(reinterpret_cast<Fn>(reinterpret_cast<void (*)(void)>(def->ml_meth)), macro);
    if (w)
        def->ml_meth = reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)(void)>(w));
    return w != nullptr;
}

// Wraps a builtin taking keywords, METH_VARARGS (pybind11 2.x) or
// METH_FASTCALL (3.x).  Its PyMethodDef must be writable and private to
// the function (pybind11 allocates one per function).
template <record_getter GetRec>
bool wrap_builtin_function(PyObject* f, const char* macro) noexcept {
    if (!PyCFunction_Check(f))
        return false;
    PyMethodDef* def = reinterpret_cast<PyCFunctionObject*>(f)->m_ml;
#if defined(METH_METHOD)
    const int unsupported = METH_METHOD | METH_CLASS | METH_STATIC;
#else
    const int unsupported = METH_CLASS | METH_STATIC;
#endif
    if (!def || !(def->ml_flags & METH_KEYWORDS) || (def->ml_flags & unsupported))
        return false;
    switch (def->ml_flags & (METH_VARARGS | METH_FASTCALL)) {
        case METH_VARARGS: return wrap_method_def<varargs_wrapper, GetRec>(def, macro);
        case METH_FASTCALL: return wrap_method_def<fastcall_wrapper, GetRec>(def, macro);
        default: return false;
    }
}

// Wraps an object called through its own vectorcall slot (nanobind's
// functions and methods).
template <record_getter GetRec>
bool wrap_vectorcall_object(PyObject* f, const char* macro) noexcept {
    PyTypeObject* tp = Py_TYPE(f);
#if PY_VERSION_HEX >= 0x03090000
    if (!PyType_HasFeature(tp, Py_TPFLAGS_HAVE_VECTORCALL) || tp->tp_vectorcall_offset <= 0)
#else
    if (!PyType_HasFeature(tp, _Py_TPFLAGS_HAVE_VECTORCALL) || tp->tp_vectorcall_offset <= 0)
#endif
        return false;
    auto* field = reinterpret_cast<vectorcallfunc*>(reinterpret_cast<char*>(f) + tp->tp_vectorcall_offset);
    if (!*field)
        return false;
    vector_fn w = wrapper_for<vector_wrapper, GetRec>(reinterpret_cast<vector_fn>(*field), macro);
    if (!w)
        return false;
    *field = reinterpret_cast<vectorcallfunc>(w);
    return true;
}

// Calls `visit` on each callable a module defines: its functions, and the
// methods (instance, static, class) and __init__ of the types in its
// namespace.  visit(PyObject* f, PyObject* owner) -> bool (wrapped);
// owner: the type whose member f is, else nullptr.  Returns the count.
template <typename Visit>
size_t for_each_callable(PyObject* module, Visit&& visit) {
    size_t count = 0;
    auto unwrap_and_visit = [&](PyObject* v, PyObject* owner) {
        PyObject* inner = v;
        if (PyInstanceMethod_Check(v))
            inner = PyInstanceMethod_GET_FUNCTION(v);
        PyObject* func = nullptr;
        if (inner == v && (PyObject_TypeCheck(v, &PyStaticMethod_Type) || PyObject_TypeCheck(v, &PyClassMethod_Type))) {
            func = PyObject_GetAttrString(v, "__func__");
            if (!func)
                PyErr_Clear();
            inner = func;
        }
        if (inner && visit(inner, owner))
            ++count;
        Py_XDECREF(func);
    };
    PyObject* dict = PyModule_GetDict(module); // borrowed
    if (!dict)
        return 0;
    PyObject* items = PyDict_Values(dict);
    if (!items) {
        PyErr_Clear();
        return 0;
    }
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(items); ++i) {
        PyObject* v = PyList_GET_ITEM(items, i);
        if (!PyType_Check(v)) {
            unwrap_and_visit(v, nullptr);
            continue;
        }
        PyObject* tdict = reinterpret_cast<PyTypeObject*>(v)->tp_dict;
        PyObject* members = tdict ? PyDict_Values(tdict) : nullptr;
        if (!members) {
            PyErr_Clear();
            continue;
        }
        for (Py_ssize_t j = 0; j < PyList_GET_SIZE(members); ++j)
            unwrap_and_visit(PyList_GET_ITEM(members, j), v);
        Py_DECREF(members);
    }
    Py_DECREF(items);
    return count;
}

} // namespace detail
} // namespace bindbridge

#endif // BINDBRIDGE_RUNTIME_EXPLAIN_H
