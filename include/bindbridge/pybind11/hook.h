// include/bindbridge/pybind11/hook.h: pybind11's module-local hook, opt-in (detail::pybind11_impl), not API.
//
// pybind11 (2.10 to 3.1) asks a foreign object's Python type for an
// attribute named PYBIND11_MODULE_LOCAL_ID holding a capsule of a
// detail::type_info; it compares that record's `cpptype` with the C++ type
// it wants and calls its `module_local_load(obj, record)`.  Enabling the
// hook puts such a capsule on every compatible foreign type (one made-up
// type_info per C++ type name, owned here for the life of the process):
// then any pybind11 function of this attribute name takes the foreign
// object with no declaration.
//
// Rules kept here:
// - Attributes are set outside registry callbacks: at enable time, and
//   later from a pending call the registry callback only schedules.
// - A type that already has the attribute (pybind11's own module_local
//   types, or any other value) is left alone.
// - The loader holds no binding pointer: it looks the bindings up by C++
//   type name in the domain's foreign table on every call (cached per
//   epoch), so a removed binding is never touched.
// - Only pybind11 versions whose tests show it safe (see hook_refusal());
//   every module with the same attribute name reads the capsules, modified
//   or not.
#ifndef BINDBRIDGE_PYBIND11_HOOK_H
#define BINDBRIDGE_PYBIND11_HOOK_H

#include <cstring>
#include <memory>
#include <string>
#include <typeinfo>
#include <unordered_map>
#include <vector>

#include "adapter.h"
#include "../runtime/explain.h"

namespace bindbridge {
namespace detail {
namespace pybind11_impl {

// Why this pybind11 cannot have the hook, or nullptr when it can.  The
// attribute name depends on the internals version and platform ABI only,
// so every pybind11 version sharing it is exposed as well.
inline const char* hook_refusal() noexcept {
#if PYBIND11_VERSION_HEX >= 0x03010000 && PYBIND11_INTERNALS_VERSION >= 12
    return nullptr;
#elif PYBIND11_VERSION_MAJOR >= 3
    return "pybind11 3.0 modules (internals v11) share the hook's attribute name, and pybind11 "
           "3.0.0 and 3.0.1 crash on a std::shared_ptr<T> argument loaded through it when the "
           "module does not bind T";
#else
    return "pybind11 2.x hands a function an empty std::shared_ptr<T> for an object loaded "
           "through it, and every pybind11 2.10-2.13 module reads the same attribute name";
#endif
}

// A std::type_info we own: pybind11 compares type_infos by name.  Only
// the Itanium C++ ABI lets one be made from a name; elsewhere (MSVC) the
// hook is refused (hook_platform_refusal) and none is ever made.
#if defined(_MSC_VER)
inline const char* hook_platform_refusal() noexcept {
    return "MSVC's std::type_info cannot be made from a type name, which the hook needs";
}
inline std::unique_ptr<std::type_info> make_named_type_info(const char*) { return nullptr; }
#else
inline const char* hook_platform_refusal() noexcept { return nullptr; }
struct named_type_info : std::type_info {
    explicit named_type_info(const char* mangled) : std::type_info(mangled) {}
};
inline std::unique_ptr<std::type_info> make_named_type_info(const char* mangled) {
    return std::unique_ptr<std::type_info>(new named_type_info(mangled));
}
#endif

struct hook_type {
    py::detail::type_info tinfo{}; // what the capsule points to
    std::string mangled;
    std::unique_ptr<std::type_info> cpp;
    import_cache cache;
};

struct hook_state {
    std::unordered_map<std::string, std::unique_ptr<hook_type>> types; // by type_key
    bool pending = false;
    size_t loads = 0;    // objects the loader accepted
    size_t refusals = 0; // objects it was asked about and refused
    size_t installed = 0;
    std::vector<std::string> skipped; // "<type>: <why>", for diagnostics
};

constexpr const char* hook_capsule_name = "bindbridge.pybind11_module_local_hook";

inline hook_state* hook_of(framework_record* rec) noexcept {
    return rec ? static_cast<hook_state*>(rec->hook) : nullptr;
}

inline void* hook_load(PyObject* src, const py::detail::type_info* ti) {
    auto* h = static_cast<hook_type*>(ti->get_buffer_data);
    framework_record* rec = record_for_import();
    hook_state* hs = hook_of(rec);
    if (!h || !hs)
        return nullptr;
    void* p = load_foreign(rec, h->cache, *h->cpp, src, false, nullptr, nullptr);
    ++(p ? hs->loads : hs->refusals);
    return p;
}

inline hook_type* hook_type_for(hook_state& hs, const std::type_info& native) {
    std::string key = type_key(native);
    auto it = hs.types.find(key);
    if (it != hs.types.end())
        return it->second.get();
    std::unique_ptr<hook_type> h(new hook_type());
    h->mangled = native.name();
    h->cpp = make_named_type_info(h->mangled.c_str());
    h->tinfo.cpptype = h->cpp.get();
    h->tinfo.type_size = 0;
    h->tinfo.module_local_load = hook_load;
    h->tinfo.get_buffer_data = h.get(); // unused by pybind11 without get_buffer
    hook_type* raw = h.get();
    hs.types.emplace(std::move(key), std::move(h));
    return raw;
}

inline const hook_type* hook_capsule_target(PyObject* value) noexcept {
    if (!PyCapsule_CheckExact(value))
        return nullptr;
    const char* name = PyCapsule_GetName(value);
    if (!name || std::strcmp(name, hook_capsule_name) != 0)
        return nullptr;
    auto* ti = static_cast<const py::detail::type_info*>(PyCapsule_GetPointer(value, name));
    return ti ? static_cast<const hook_type*>(ti->get_buffer_data) : nullptr;
}

// Puts the capsule on b's type.  Runs Python code (getattr, setattr):
// never from a registry callback.  Errors are recorded, never raised.
inline void hook_install_on(hook_state& hs, bbr_binding* b) {
    PyObject* tp = reinterpret_cast<PyObject*>(b->pytype);
    const auto& native = *static_cast<const std::type_info*>(b->native_type);
    const char* attr = PYBIND11_MODULE_LOCAL_ID;
    PyObject* existing = PyObject_GetAttrString(tp, attr);
    if (!existing) {
        PyErr_Clear();
    } else {
        const hook_type* target = hook_capsule_target(existing);
        Py_DECREF(existing);
        if (!target) {
            hs.skipped.push_back(type_name_of(b->pytype) +
                                 ": the type has its own pybind11 module-local attribute");
            return;
        }
        if (std::strcmp(type_key(*target->cpp), type_key(native)) == 0)
            return; // ours already (an earlier install, or another enabling module)
        // Ours, inherited from a base bound as another C++ type: shadow it.
    }
    try {
        hook_type* h = hook_type_for(hs, native);
        PyObject* capsule = PyCapsule_New(&h->tinfo, hook_capsule_name, nullptr);
        if (capsule) {
            int rc = PyObject_SetAttrString(tp, attr, capsule);
            Py_DECREF(capsule);
            if (rc == 0) {
                ++hs.installed;
                return;
            }
        }
    } catch (...) {
    }
    std::string why = "cannot set the attribute";
    if (PyErr_Occurred()) {
        PyObject *t, *v, *tb;
        PyErr_Fetch(&t, &v, &tb);
        if (PyObject* s = v ? PyObject_Str(v) : nullptr) {
            if (const char* c = PyUnicode_AsUTF8(s))
                why += std::string(" (") + c + ")";
            Py_DECREF(s);
        }
        PyErr_Clear();
        Py_XDECREF(t);
        Py_XDECREF(v);
        Py_XDECREF(tb);
    }
    hs.skipped.push_back(type_name_of(b->pytype) + ": " + why);
}

inline void hook_install_all(framework_record* rec) {
    hook_state* hs = hook_of(rec);
    if (!hs)
        return;
    std::vector<bbr_binding*> snapshot;
    rec->foreign_by_type.for_each(
        [&](binding_span s) { snapshot.insert(snapshot.end(), s.begin(), s.end()); });
    uint64_t epoch = rec->epoch;
    for (bbr_binding* b : snapshot) {
        // setattr can run Python code that removes bindings: never touch
        // one that is gone.
        if (rec->epoch != epoch && !rec->announced.contains(b))
            continue;
        hook_install_on(*hs, b);
    }
}

inline bool interpreter_finalizing() noexcept {
#if PY_VERSION_HEX >= 0x030D0000
    return Py_IsFinalizing() != 0;
#else
    return _Py_IsFinalizing() != 0;
#endif
}

inline int hook_pending_install(void* arg) noexcept {
    auto* rec = static_cast<framework_record*>(arg);
    hook_state* hs = hook_of(rec);
    if (!hs)
        return 0;
    hs->pending = false;
    if (interpreter_finalizing())
        return 0;
    try {
        hook_install_all(rec);
    } catch (...) {
    }
    if (PyErr_Occurred())
        PyErr_Clear();
    return 0;
}

// Registry callback context (lock held): schedule only.
inline void hook_after_foreign_added(framework_record* rec) noexcept {
    hook_state* hs = hook_of(rec);
    if (!hs || hs->pending)
        return;
    if (Py_AddPendingCall(hook_pending_install, rec) == 0)
        hs->pending = true;
}

inline bool enable_hook(const py::module_& m, bool ignore_version_gate) {
    const char* platform = hook_platform_refusal();
    if (const char* why = platform ? platform : hook_refusal()) {
        if (!ignore_version_gate || platform) {
            std::string msg = std::string("bindbridge: the pybind11 module-local hook stays off in ") +
                              PyModule_GetName(m.ptr()) + " (pybind11 " +
                              BINDBRIDGE_PB11_STR(PYBIND11_VERSION_MAJOR) "." BINDBRIDGE_PB11_STR(
                                  PYBIND11_VERSION_MINOR) "." BINDBRIDGE_PB11_STR(PYBIND11_VERSION_PATCH) "): " +
                              why + "; declare the types with BINDBRIDGE_PYBIND11_IMPORT(T) instead";
            if (PyErr_WarnEx(PyExc_RuntimeWarning, msg.c_str(), 1) != 0)
                throw py::error_already_set();
            return false;
        }
    }
    framework_record* rec = domain_record();
    if (!rec)
        throw py::error_already_set();
    if (!rec->hook) {
        rec->hook = new hook_state(); // lives as long as the record: the process
        rec->after_foreign_added = hook_after_foreign_added;
    }
    hook_install_all(rec);
    return true;
}

} // namespace pybind11_impl
} // namespace detail
} // namespace bindbridge

#endif // BINDBRIDGE_PYBIND11_HOOK_H
