// include/bindbridge/runtime/imports.h: what a module's IMPORT declarations name, seen before any conversion.
//
// Every IMPORT macro leaves a static initialiser in each translation unit
// that sees it.  When the module's shared object is loaded it notes the
// declared C++ type (and the Python name of an IMPORT_AS) in a list of
// the module's own, with no framework call.  The first note also leaves a
// pending join in the interpreter dict (the Python API only, and only with
// the GIL held in the main interpreter): bindbridge's Python package runs
// it once the module is imported, so that listings of a fresh process
// (bindbridge.frameworks(), `python -m bindbridge --import`, --why) show a
// module that only imports types before its first conversion.
//
// check_declarations(): the run-time half of the forgotten-declaration
// check.  A type the module's framework does not bind is named in
// signatures by its C++ name unless an IMPORT_AS declaration was visible
// where the function was bound, so a signature that spells the C++ name
// of a type another framework exports is a call that will fail.
#ifndef BINDBRIDGE_RUNTIME_IMPORTS_H
#define BINDBRIDGE_RUNTIME_IMPORTS_H

#include <cstdint>
#include <cstring>
#include <set>
#include <string>
#include <typeinfo>
#include <utility>
#include <vector>

#if defined(__unix__) || defined(__APPLE__)
#  include <dlfcn.h>
#endif

#include "explain.h"
#include "pending_join.h"
#include "runtime.h"

namespace bindbridge {
namespace detail {

struct declared_import {
    const std::type_info* type;
    const char* python_name; // IMPORT_AS's, else nullptr
};

// The declarations of this module (hidden visibility: one list per
// shared object), in load order, repeats included.
inline std::vector<declared_import>& declared_imports() noexcept {
    static std::vector<declared_import> list;
    return list;
}

// Leaves `p` in the interpreter dict's list.  Load time: nothing but the
// Python API, and only where that is safe.
inline void leave_pending_join(pending_join* p) noexcept {
#if defined(__unix__) || defined(__APPLE__)
    Dl_info info;
    if (!dladdr(static_cast<void*>(p), &info) || !info.dli_fname)
        return;
    p->file = info.dli_fname;
#else
    return;
#endif
    if (!Py_IsInitialized() || !PyGILState_Check() || !in_main_interpreter())
        return;
    PyObject* type = nullptr;
    PyObject* value = nullptr;
    PyObject* tb = nullptr;
    PyErr_Fetch(&type, &value, &tb); // (a load during a failing import)
    PyObject* dict = bbr_registry_dict();
    PyObject* list = dict ? PyDict_GetItemString(dict, BINDBRIDGE_PENDING_JOINS_KEY) : nullptr;
    if (dict && !list) {
        list = PyList_New(0);
        if (list && PyDict_SetItemString(dict, BINDBRIDGE_PENDING_JOINS_KEY, list) != 0)
            Py_CLEAR(list);
        Py_XDECREF(list); // (the dict holds it)
    }
    if (list && PyList_Check(list)) {
        PyObject* capsule = PyCapsule_New(p, BINDBRIDGE_PENDING_JOIN_CAPSULE, nullptr);
        if (capsule)
            PyList_Append(list, capsule);
        Py_XDECREF(capsule);
    }
    PyErr_Clear();
    PyErr_Restore(type, value, tb);
}

// The adapter's domain_record(): its record, made and joined on first
// use; nullptr with a Python error set on failure.
using record_maker = framework_record* (*)();

template <record_maker Make>
int join_framework() {
    try {
        return Make() ? 0 : -1;
    } catch (...) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_RuntimeError, "bindbridge: joining the registry failed");
        return -1;
    }
}

// Called by every IMPORT macro's static initialiser.
template <record_maker Join>
bool note_declared_import(const std::type_info& t, const char* python_name) noexcept {
    try {
        declared_imports().push_back(declared_import{&t, python_name});
    } catch (...) {
        // Out of memory at load: the check only knows less.
    }
    static pending_join join{sizeof(pending_join), 1, join_framework<Join>, nullptr};
    static bool left = (leave_pending_join(&join), true);
    return left;
}

#define BINDBRIDGE_CAT2_(a, b) a##b
#define BINDBRIDGE_CAT_(a, b) BINDBRIDGE_CAT2_(a, b)
#if defined(__GNUC__)
#  define BINDBRIDGE_UNUSED_ __attribute__((unused))
#else
#  define BINDBRIDGE_UNUSED_
#endif
// At global scope, in an IMPORT macro: notes T when the module is loaded.
#define BINDBRIDGE_NOTE_IMPORT_(JOIN, T, PYNAME)                                              \
    namespace bindbridge {                                                                    \
    namespace detail {                                                                        \
    namespace {                                                                               \
    BINDBRIDGE_UNUSED_ const bool BINDBRIDGE_CAT_(noted_import_, __COUNTER__) =                 \
        note_declared_import<JOIN>(typeid(T), PYNAME);                                        \
    }                                                                                         \
    }                                                                                         \
    }

// --- the check ------------------------------------------------------------------

// Whether text[at, at+n) is the whole of a C++ or Python name there.
inline bool whole_name_at(const std::string& text, size_t at, size_t n) noexcept {
    auto part_of_name = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_' || c == ':' || c == '.';
    };
    return (at == 0 || !part_of_name(text[at - 1])) &&
           (at + n == text.size() || !part_of_name(text[at + n]));
}

// The signature lines of a function's docstring ("f(...) -> R", also
// "2. f(...)" of an overload list); empty without them.
inline std::vector<std::string> signature_lines(PyObject* f) {
    std::vector<std::string> lines;
    PyObject* doc = PyObject_GetAttrString(f, "__doc__");
    PyObject* name = doc ? PyObject_GetAttrString(f, "__name__") : nullptr;
    const char* d = doc && PyUnicode_Check(doc) ? PyUnicode_AsUTF8(doc) : nullptr;
    const char* n = name && PyUnicode_Check(name) ? PyUnicode_AsUTF8(name) : nullptr;
    if (d && n) {
        std::string head = std::string(n) + "(";
        const char* p = d;
        while (*p) {
            const char* e = std::strchr(p, '\n');
            std::string line(p, e ? static_cast<size_t>(e - p) : std::strlen(p));
            size_t s = line.find_first_not_of("0123456789");
            if (s != 0 && s != std::string::npos && line.compare(s, 2, ". ") == 0)
                line.erase(0, s + 2);
            if (line.compare(0, head.size(), head) == 0)
                lines.push_back(line);
            if (!e)
                break;
            p = e + 1;
        }
    }
    Py_XDECREF(doc);
    Py_XDECREF(name);
    PyErr_Clear();
    return lines;
}

inline std::string display_name(PyObject* f, PyObject* owner, PyObject* module) {
    std::string out = PyModule_GetName(module) ? PyModule_GetName(module) : "?";
    PyErr_Clear();
    if (owner) {
        PyObject* q = PyObject_GetAttrString(owner, "__qualname__");
        const char* qn = q && PyUnicode_Check(q) ? PyUnicode_AsUTF8(q) : nullptr;
        out += std::string(".") + (qn ? qn : reinterpret_cast<PyTypeObject*>(owner)->tp_name);
        Py_XDECREF(q);
    }
    PyObject* name = PyObject_GetAttrString(f, "__name__");
    const char* n = name && PyUnicode_Check(name) ? PyUnicode_AsUTF8(name) : nullptr;
    out += std::string(".") + (n ? n : "?");
    Py_XDECREF(name);
    PyErr_Clear();
    return out;
}

// Warns (RuntimeWarning, once per function and type for the life of the
// process) for each function of `module` whose signature names by its C++
// name a type that another framework exports (known to rec now), that
// the module's framework does not bind, and that no plain IMPORT of this
// module declares.  `render` spells a type_info as the framework does in
// signatures; `binds(type_info)`: the framework binds it natively.
// Returns how many warnings it gave; -1 with a Python error set when a
// warning became an exception.
template <typename Render, typename Binds, typename IsOurs>
long check_declarations(framework_record* rec, PyObject* module, Render&& render, Binds&& binds,
                        IsOurs&& is_ours, const char* macro) {
    struct candidate {
        std::string cpp;
        const bbr_binding* binding;
        const char* declared_as; // IMPORT_AS in another file of the module
    };
    std::vector<candidate> candidates;
    rec->foreign_by_type.for_each([&](binding_span found) {
        const bbr_binding* b = found.front();
        const std::type_info& t = *static_cast<const std::type_info*>(b->native_type);
        if (binds(t))
            return;
        const char* declared_as = nullptr;
        bool plain = false;
        for (const declared_import& d : declared_imports())
            if (std::strcmp(type_key(*d.type), type_key(t)) == 0) {
                if (d.python_name)
                    declared_as = d.python_name;
                else
                    plain = true;
            }
        if (plain) // a plain IMPORT's signature also spells the C++ name: nothing to tell
            return;
        candidates.push_back(candidate{render(t), b, declared_as});
    });
    static std::set<std::pair<std::string, std::string>> warned;
    long warnings = 0;
    bool raised = false;
    for_each_callable(module, [&](PyObject* f, PyObject* owner) {
        if (raised || !is_ours(f))
            return false;
        std::vector<std::string> lines = signature_lines(f);
        for (const candidate& c : candidates) {
            bool named = false;
            for (const std::string& line : lines)
                for (size_t at = line.find(c.cpp); !named && at != std::string::npos;
                     at = line.find(c.cpp, at + 1))
                    named = whole_name_at(line, at, c.cpp.size());
            if (!named)
                continue;
            std::string where = display_name(f, owner, module);
            if (!warned.insert({where, c.cpp}).second)
                continue;
            std::string exported = type_name_of(c.binding->pytype);
            std::string text = "bindbridge: " + where + "() takes or returns C++ " + c.cpp +
                               " (exported by " + framework_name(c.binding->framework) + " as " +
                               exported + "), which ";
            if (c.declared_as)
                text += "this module imports (IMPORT_AS, as " + std::string(c.declared_as) +
                        ") in another file, not in the one that binds it: its calls with a "
                        "foreign " + c.cpp + " fail, and the two files convert " + c.cpp +
                        " differently (a one-definition-rule violation). Include the "
                        "declaration there.";
            else
                text += "this module neither binds nor imports: its calls with a foreign " +
                        c.cpp + " fail. Add " + macro + "_AS(" + c.cpp + ", \"" + exported +
                        "\") where it is bound.";
            ++warnings;
            if (PyErr_WarnEx(PyExc_RuntimeWarning, text.c_str(), 1) != 0) {
                raised = true;
                return false;
            }
        }
        return false;
    });
    return raised ? -1 : warnings;
}

} // namespace detail
} // namespace bindbridge

#endif // BINDBRIDGE_RUNTIME_IMPORTS_H
