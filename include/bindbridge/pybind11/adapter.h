// include/bindbridge/pybind11/adapter.h: pybind11 adapter internals (detail::pybind11_impl), not API.
//
// One framework record per pybind11 internals (PYBIND11_INTERNALS_ID), kept
// in the interpreter dict and shared by every module of that internals.
// Serving uses only pybind11's own machinery (type_caster_generic, the
// registered instance map, keep_alive_impl, its exception translators); the
// import caster consults foreign bindings after pybind11's own.
#ifndef BINDBRIDGE_PYBIND11_ADAPTER_H
#define BINDBRIDGE_PYBIND11_ADAPTER_H

#include <memory>
#include <stdexcept>
#include <cstring>
#include <string>
#include <type_traits>
#include <typeinfo>

#include "../runtime/runtime.h"
#include "../runtime/returns.h"
#include "../conduit/consume.h"
#include "../conduit/serve.h"
#include "../runtime/enums.h"

#if !defined(PYBIND11_VERSION_HEX) || PYBIND11_VERSION_HEX < 0x020A0000 || PYBIND11_VERSION_HEX >= 0x03020000
#  error "bindbridge/pybind11.h supports pybind11 2.10 to 3.1 (this is another pybind11 version)"
#endif

#define BINDBRIDGE_PB11_STR2(x) #x
#define BINDBRIDGE_PB11_STR(x) BINDBRIDGE_PB11_STR2(x)

namespace bindbridge {
namespace detail {
namespace pybind11_impl {

namespace py = ::pybind11;

// The adapter's tag (its caches' key) and how its returns resolve dynamic
// types: pybind11's polymorphic_type_hook, RTTI unless the user
// specialised it (which can make a non-polymorphic type polymorphic).
struct tag : rtti_dynamic {
    template <typename T>
    static constexpr bool varies() {
        return std::is_polymorphic<T>::value ||
               !std::is_base_of<py::polymorphic_type_hook_base<T>, py::polymorphic_type_hook<T>>::value;
    }
    template <typename T>
    static dynamic_view dynamic_of(const T* src) {
        const std::type_info* type = nullptr;
        const void* most_derived = py::polymorphic_type_hook<T>::get(src, type);
        return {type, most_derived};
    }
};

using ctor_fn = void* (*)(const void*);

// binding->context of our published types.
struct type_context {
    const py::detail::type_info* tinfo; // nullptr for a py::native_enum
    ctor_fn copy; // may be null (export_all)
    ctor_fn move; // may be null
    // py::native_enum (pybind11 3.x: a Python enum.Enum subclass, no
    // pybind11 type behind it): served by value, spec "Conventions":
    // from_python hands out a buffer of enum_size bytes kept by
    // keep_referenced.
    PyObject* native_enum = nullptr; // the enum class (pybind11's internals hold it)
    uint8_t enum_size = 0;
    bool enum_signed = false;
};

// A py::native_enum's member to C++: its `value` into a buffer the caller
// keeps (keep_referenced); nullptr if obj is not a member.
inline void* native_enum_from_python(const type_context* tc, PyObject* obj,
                                     keep_referenced_fn keep, void* ctx) noexcept {
    if (!keep || PyObject_IsInstance(obj, tc->native_enum) != 1) {
        PyErr_Clear();
        return nullptr;
    }
    PyObject* value = PyObject_GetAttrString(obj, "value");
    long long v = value && PyLong_Check(value) ? PyLong_AsLongLong(value) : -1;
    bool ok = value && PyLong_Check(value) && !(v == -1 && PyErr_Occurred());
    if (!ok && value && PyLong_Check(value) && !tc->enum_signed) {
        // (an unsigned 64-bit value beyond LLONG_MAX)
        PyErr_Clear();
        v = static_cast<long long>(PyLong_AsUnsignedLongLong(value));
        ok = !PyErr_Occurred();
    }
    Py_XDECREF(value);
    if (!ok) {
        PyErr_Clear();
        return nullptr;
    }
    return kept_enum_value(v, tc->enum_size, keep, ctx);
}

inline PyObject* native_enum_to_python(const type_context* tc, const void* cobj) noexcept {
    long long v = read_enum(cobj, tc->enum_size, tc->enum_signed);
    PyObject* arg = tc->enum_signed || v >= 0
                        ? PyLong_FromLongLong(v)
                        : PyLong_FromUnsignedLongLong(static_cast<unsigned long long>(v));
    PyObject* r = arg ? PyObject_CallFunctionObjArgs(tc->native_enum, arg, nullptr) : nullptr;
    Py_XDECREF(arg);
    return r; // enum members exist already: is_new stays 0
}

template <typename T, typename std::enable_if<std::is_copy_constructible<T>::value, int>::type = 0>
ctor_fn copy_ctor() {
    return [](const void* p) -> void* { return new T(*static_cast<const T*>(p)); };
}
template <typename T, typename std::enable_if<!std::is_copy_constructible<T>::value, int>::type = 0>
ctor_fn copy_ctor() {
    return nullptr;
}
template <typename T, typename std::enable_if<std::is_move_constructible<T>::value, int>::type = 0>
ctor_fn move_ctor() {
    return [](const void* p) -> void* {
        return new T(std::move(*const_cast<T*>(static_cast<const T*>(p))));
    };
}
template <typename T, typename std::enable_if<!std::is_move_constructible<T>::value, int>::type = 0>
ctor_fn move_ctor() {
    return nullptr;
}

// The record's layout as this module sees it, and its key: one record per
// pybind11 internals (PYBIND11_INTERNALS_ID) and C++ ABI (record_key).
inline uint32_t record_layout() noexcept {
    return layout_fingerprint({sizeof(type_context), sizeof(py::detail::type_info)});
}
inline std::string domain_key() {
    return record_key(std::string("pybind11") + PYBIND11_INTERNALS_ID, record_layout());
}

// ---------------------------------------------------------------------------
// Serving: the framework record's callbacks for our own types.
// ---------------------------------------------------------------------------

// Whether pybind11's load of `tinfo` without conversions can take `obj`:
// an instance of the type or a subclass, or of another module's
// module-local binding (pybind11 asks hasattr(type(obj), local key), which
// costs a raised and cleared AttributeError when it is missing: the
// overload miss that dominated a foreign miss).  The same answer from the
// type's MRO dicts, raising nothing.
inline bool exact_load_may_take(const py::detail::type_info* tinfo, PyObject* obj) noexcept {
    if (PyType_IsSubtype(Py_TYPE(obj), tinfo->type))
        return true;
    static PyObject* local_key = PyUnicode_InternFromString(PYBIND11_MODULE_LOCAL_ID);
    if (!local_key) {
        PyErr_Clear();
        return true; // (out of memory: let pybind11 decide)
    }
    return _PyType_Lookup(Py_TYPE(obj), local_key) != nullptr;
}

inline void* serve_from_python(bbr_binding* binding, PyObject* obj, uint8_t convert,
                               keep_referenced_fn keep, void* ctx) noexcept {
    auto* tc = static_cast<type_context*>(binding->context);
    if (tc->native_enum) {
        serving_guard guard;
        return native_enum_from_python(tc, obj, keep, ctx);
    }
    // pybind11's load of its exact type runs no Python code: no guard.
    if (Py_TYPE(obj) == tc->tinfo->type) {
        try {
            py::detail::type_caster_generic exact(tc->tinfo);
            if (exact.load(obj, false))
                return exact.value;
        } catch (...) {
        }
        if (PyErr_Occurred())
            PyErr_Clear();
        return nullptr;
    }
    serving_guard guard;
    try {
        py::detail::type_caster_generic exact(tc->tinfo);
        if (exact_load_may_take(tc->tinfo, obj) && exact.load(obj, false))
            return exact.value;
        // Implicit conversions make temporaries; pybind11 would keep them in
        // its call frame, the caller's keep_referenced keeps them here.
        if (convert && keep) {
            for (const auto& conv : tc->tinfo->implicit_conversions) {
                PyObject* tmp = conv(obj, tc->tinfo->type);
                if (!tmp) {
                    PyErr_Clear();
                    continue;
                }
                py::detail::type_caster_generic c(tc->tinfo);
                if (c.load(tmp, false)) {
                    keep(ctx, tmp);
                    Py_DECREF(tmp);
                    return c.value;
                }
                Py_DECREF(tmp);
            }
        }
    } catch (...) {
    }
    if (PyErr_Occurred())
        PyErr_Clear();
    return nullptr;
}

inline bool map_policy(bbr_rv_policy rvp, py::return_value_policy& out) noexcept {
    switch (rvp) {
        case BBR_RV_TAKE_OWNERSHIP: out = py::return_value_policy::take_ownership; return true;
        case BBR_RV_COPY: out = py::return_value_policy::copy; return true;
        case BBR_RV_MOVE: out = py::return_value_policy::move; return true;
        case BBR_RV_REFERENCE:
        case BBR_RV_SHARE_OWNERSHIP: // reference now; the caller's keep_alive follows
            out = py::return_value_policy::reference;
            return true;
        default: return false; // none, unknown
    }
}

inline PyObject* serve_to_python(bbr_binding* binding, void* cobj, bbr_rv_policy rvp,
                                 bbr_to_python_feedback* feedback) noexcept {
    auto* tc = static_cast<type_context*>(binding->context);
    serving_guard guard;
    feedback->relocate = 0; // never relocates
    feedback->is_new = 0;
    try {
        if (!cobj)
            Py_RETURN_NONE;
        if (tc->native_enum)
            return native_enum_to_python(tc, cobj);
        py::handle existing = py::detail::find_registered_python_instance(cobj, tc->tinfo);
        if (existing)
            return existing.ptr(); // a new reference
        py::return_value_policy policy;
        if (!map_policy(rvp, policy))
            return nullptr;
        if ((policy == py::return_value_policy::copy && !tc->copy) ||
            (policy == py::return_value_policy::move && !tc->move && !tc->copy)) {
            PyErr_Format(PyExc_TypeError,
                         "bindbridge: cannot %s a C++ %s into pybind11 type %s: it was exported "
                         "without its C++ type (use bindbridge::export_type<T>)",
                         policy == py::return_value_policy::copy ? "copy" : "move",
                         binding->source_name, tc->tinfo->type->tp_name);
            return nullptr;
        }
        py::handle h = py::detail::type_caster_generic::cast(cobj, policy, py::handle(), tc->tinfo,
                                                             tc->copy, tc->move ? tc->move : tc->copy);
        if (h)
            feedback->is_new = 1;
        return h.ptr();
    } catch (py::error_already_set& e) {
        e.restore();
    } catch (const std::exception& e) {
        PyErr_Format(PyExc_RuntimeError, "bindbridge: converting a C++ %s to pybind11 failed: %s",
                     binding->source_name, e.what());
    } catch (...) {
        PyErr_Format(PyExc_RuntimeError, "bindbridge: converting a C++ %s to pybind11 failed",
                     binding->source_name);
    }
    return nullptr;
}

inline void payload_capsule_destructor(PyObject* capsule) noexcept {
    void* payload = PyCapsule_GetPointer(capsule, "bindbridge_payload");
    auto cb = reinterpret_cast<void (*)(void*) noexcept>(PyCapsule_GetContext(capsule));
    if (payload && cb)
        cb(payload);
    else if (PyErr_Occurred())
        PyErr_WriteUnraisable(capsule);
}

inline int serve_keep_alive(PyObject* nurse, void* payload, void (*cb)(void*) noexcept) noexcept {
    try {
        if (!cb) {
            py::detail::keep_alive_impl(nurse, static_cast<PyObject*>(payload));
            return 1;
        }
        PyObject* capsule = PyCapsule_New(payload, "bindbridge_payload", payload_capsule_destructor);
        if (!capsule)
            throw py::error_already_set();
        if (PyCapsule_SetContext(capsule, reinterpret_cast<void*>(cb)) != 0) {
            PyCapsule_SetDestructor(capsule, nullptr);
            Py_DECREF(capsule);
            throw py::error_already_set();
        }
        py::object owner = py::reinterpret_steal<py::object>(capsule);
        py::detail::keep_alive_impl(nurse, owner);
        return 1;
    } catch (py::error_already_set& e) {
        e.discard_as_unraisable("bindbridge: pybind11 keep_alive");
    } catch (...) {
    }
    if (PyErr_Occurred())
        PyErr_Clear();
    return 0;
}

// Runs pybind11's translators, except its default one (the last global
// translator, which turns any std::exception or unknown exception into a
// generic error: that does not count as recognising it).
template <typename List>
bool run_translators(List& list, bool skip_last, std::exception_ptr& eptr) {
    auto it = list.begin();
    while (it != list.end()) {
        auto next = std::next(it);
        if (skip_last && next == list.end())
            break;
        try {
            (*it)(eptr);
            return true;
        } catch (...) {
            eptr = std::current_exception();
        }
        it = next;
    }
    return false;
}

inline int serve_translate_exception(void* eptr_void) noexcept {
    auto& eptr = *static_cast<std::exception_ptr*>(eptr_void);
    serving_guard guard;
    try {
        auto& internals = py::detail::get_internals();
        auto& local = py::detail::get_local_internals();
        if (run_translators(local.registered_exception_translators, false, eptr) ||
            run_translators(internals.registered_exception_translators, true, eptr))
            return PyErr_Occurred() ? 1 : 0;
    } catch (...) {
    }
    return 0;
}

// sizeof the C++ type of one of our bindings, as pybind11 recorded it when
// the class was bound (framework_record::native_size).
inline std::size_t published_size(const bbr_binding* b) noexcept {
    const auto* tc = static_cast<const type_context*>(b->context);
    if (!tc)
        return 0;
    return tc->tinfo ? tc->tinfo->type_size : tc->enum_size;
}

inline void free_local_binding(bbr_binding* b) noexcept {
    delete static_cast<type_context*>(b->context);
    free_binding(b);
}

#if PYBIND11_VERSION_MAJOR >= 3
// std::unique_ptr<T> arguments of other bindbridge frameworks: this domain's
// py::smart_holder instances give up ownership as pybind11 3.x's own
// std::unique_ptr<T> parameters make them (the holder must be the only
// owner: no std::shared_ptr copies, not disowned, the default deleter).
// Classic holders cannot, natively either.
namespace smart_holders {

// The instance's smart holder (GIL held), or false.
inline bool locate(PyObject* o, py::detail::value_and_holder& vh) noexcept {
    try {
        const py::detail::type_info* tinfo = py::detail::get_type_info(Py_TYPE(o));
        if (!tinfo || tinfo->holder_enum_v != py::detail::holder_enum_t::smart_holder)
            return false;
        vh = reinterpret_cast<py::detail::instance*>(o)->get_value_and_holder(tinfo, false);
        return vh.inst && vh.value_ptr() && vh.holder_constructed();
    } catch (...) {
        PyErr_Clear(); // (several pybind11 bases: not one holder to give up)
        return false;
    }
}

// Step one: the holder stops owning (its deleter disarmed), reversibly.
inline bool relinquish(PyObject* o) noexcept {
    py::detail::value_and_holder vh;
    if (!locate(o, vh))
        return false;
    auto& h = vh.holder<py::smart_holder>();
    try {
        h.ensure_can_release_ownership("bindbridge relinquish");
        h.disown(vh.type->get_memory_guarded_delete);
    } catch (...) {
        return false;
    }
    return true;
}

inline void restore(PyObject* o) noexcept {
    py::detail::value_and_holder vh;
    if (locate(o, vh)) {
        try {
            vh.holder<py::smart_holder>().reclaim_disowned(vh.type->get_memory_guarded_delete);
        } catch (...) {
        }
    }
}

// Step two, the callee holds the object: as pybind11's own parameters, a
// trampoline's Python object lives as long as the C++ object; any other
// instance forgets its value (using it raises, as a disowned instance).
inline void commit(PyObject* o) noexcept {
    py::detail::value_and_holder vh;
    if (!locate(o, vh))
        return;
    void* value = vh.value_ptr();
    auto* life = vh.type->get_trampoline_self_life_support
                     ? vh.type->get_trampoline_self_life_support(value)
                     : nullptr;
    if (life) {
        life->activate_life_support(vh);
        return;
    }
    vh.holder<py::smart_holder>().release_disowned();
    vh.value_ptr() = nullptr;
    py::detail::deregister_instance(vh.inst, value, vh.type);
}

// A foreign std::shared_ptr<T> argument shares the holder, as pybind11's
// own shared_ptr parameters do (so that giving the object up is refused
// while it lives).  Not for a trampoline's instance (pybind11 ties its
// shared_ptrs to the Python object) or a holder that owns nothing.
inline bool share(PyObject* o, std::shared_ptr<void>* out) noexcept {
    py::detail::value_and_holder vh;
    if (!locate(o, vh) || reinterpret_cast<py::detail::instance*>(o)->is_alias)
        return false;
    auto& h = vh.holder<py::smart_holder>();
    if (h.is_disowned || h.vptr_is_using_noop_deleter || !h.has_pointee())
        return false;
    *out = h.vptr;
    return true;
}

} // namespace smart_holders
#endif

// pybind11's functions carry their function_record in a capsule (2.x) or
// in an object of pybind11's function_record type (3.x).
inline bool is_pybind11_function(PyObject* f) noexcept {
    PyObject* self = PyCFunction_Check(f) ? PyCFunction_GET_SELF(f) : nullptr;
    return self && (PyCapsule_CheckExact(self) ||
                    std::strstr(Py_TYPE(self)->tp_name, "pybind11_detail_function_record_"));
}

// Our translator (registered once per domain): other frameworks' exceptions.
inline void translate_foreign_exceptions(std::exception_ptr p);

// A framework that publishes a type of this domain and is not a
// bindbridge record: a pybind11 build that speaks pymetabind itself.
inline bool is_native_pybind11(const bbr_framework* other) noexcept {
    return other->name && std::strncmp(other->name, "pybind11 ", 9) == 0;
}

inline framework_record*& cached_record() noexcept {
    static framework_record* rec = nullptr;
    return rec;
}

// The record of this pybind11 domain, created (and joined) on first use.
// nullptr with a Python error set on failure.
inline framework_record* domain_record() {
    framework_record*& rec = cached_record();
    if (rec)
        return rec;
    rec = get_or_create_record<tag>(domain_key(), record_layout(), [](framework_record& r) {
        r.name = std::string("pybind11 " BINDBRIDGE_PB11_STR(PYBIND11_VERSION_MAJOR) "."
                             BINDBRIDGE_PB11_STR(PYBIND11_VERSION_MINOR) "."
                             BINDBRIDGE_PB11_STR(PYBIND11_VERSION_PATCH) " (internals v") +
                 std::to_string(PYBIND11_INTERNALS_VERSION) + ")";
        r.is_native_build = is_native_pybind11;
        r.native_size = published_size;
        set_serving(r, {serve_from_python, serve_to_python, serve_keep_alive, serve_translate_exception,
                        free_local_binding});
        consume_conduits(r); // objects of unmodified pybind11 modules, last
        try {
            py::register_exception_translator(translate_foreign_exceptions);
        } catch (py::error_already_set& e) {
            e.restore();
            return false;
        }
        return true;
    });
#if PYBIND11_VERSION_MAJOR >= 3
    if (rec)
        add_ownership_entry(ownership_entry{
            &rec->fw, smart_holders::relinquish, smart_holders::restore, smart_holders::commit,
            "py::smart_holder (py::classh) objects that nothing else owns (no std::shared_ptr "
            "copies; classic holders cannot, natively either)", smart_holders::share});
#endif
    return rec;
}

inline void translate_foreign_exceptions(std::exception_ptr p) { translate_or_rethrow(cached_record(), p); }

inline framework_record* record_for_import() noexcept {
    return record_or_null<cached_record, domain_record>();
}

inline void export_tinfo(const py::detail::type_info* tinfo, const std::type_info* native,
                         ctor_fn copy, ctor_fn move) {
    framework_record* rec = domain_record();
    if (!rec)
        throw py::error_already_set();
    // Already published (export_all): fill in the constructors it lacked.
    // pybind11 >= 2.11.2 types have their own conduit; older ones get ours.
    auto merge = [&](type_context& tc) {
        if (!tc.copy)
            tc.copy = copy;
        if (!tc.move)
            tc.move = move;
    };
    if (export_binding(rec, tinfo->type, native, type_context{tinfo, copy, move}, merge, true) != 0)
        throw py::error_already_set();
}

#if PYBIND11_VERSION_MAJOR >= 3
// A py::native_enum of this domain: published with its enum class as the
// Python type.  False when ti is not one.
inline bool export_native_enum(const std::type_info& ti, uint8_t size, bool is_signed) {
    py::handle cls = py::detail::global_internals_native_enum_type_map_get_item(ti);
    if (!cls)
        return false;
    framework_record* rec = domain_record();
    if (!rec)
        throw py::error_already_set();
    auto* tp = reinterpret_cast<PyTypeObject*>(cls.ptr());
    if (export_binding(rec, tp, &ti, type_context{nullptr, nullptr, nullptr, cls.ptr(), size, is_signed},
                       [](type_context&) {}, false) != 0)
        throw py::error_already_set();
    return true;
}
#endif

template <typename T, typename std::enable_if<std::is_enum<T>::value, int>::type = 0>
bool export_if_native_enum() {
#if PYBIND11_VERSION_MAJOR >= 3
    return export_native_enum(typeid(T), sizeof(T),
                              std::is_signed<typename std::underlying_type<T>::type>::value);
#else
    return false;
#endif
}
template <typename T, typename std::enable_if<!std::is_enum<T>::value, int>::type = 0>
bool export_if_native_enum() {
    return false;
}

inline void export_one(const std::type_info& ti, ctor_fn copy, ctor_fn move) {
    const py::detail::type_info* tinfo = py::detail::get_type_info(ti);
    if (!tinfo)
        throw py::type_error("bindbridge.export_type: C++ type " + source_name_of(ti) +
                             " is not bound by pybind11 (bind it with py::class_ before exporting)");
    export_tinfo(tinfo, tinfo->cpptype ? tinfo->cpptype : &ti, copy, move);
}

// For export_type<T, Bases...>: whether pybind11 binds `ti` here, and the
// published binding of T's Python type (ours, or the framework we stepped
// aside for).
inline bool binds_natively(const std::type_info& ti) { return py::detail::get_type_info(ti) != nullptr; }
// The same for T, remembered once pybind11 binds it (runtime.h).
template <typename T>
bool bound_here() {
    return ::bindbridge::detail::natively_bound<tag, T>(binds_natively);
}
inline const bbr_binding* binding_of_type(const std::type_info& ti) {
    const py::detail::type_info* tinfo = py::detail::get_type_info(ti);
    bbr_binding* b = tinfo ? bbr_get_binding(reinterpret_cast<PyObject*>(tinfo->type)) : nullptr;
    if (!b || b->pytype != tinfo->type) {
        PyErr_Clear();
        throw py::type_error("bindbridge.export_type: " + source_name_of(ti) + " is not published");
    }
    return b;
}

inline size_t export_module(const py::module_& m) {
    size_t count = 0;
    py::dict d = m.attr("__dict__");
    for (auto item : d) {
        PyObject* v = item.second.ptr();
        if (!PyType_Check(v))
            continue;
        auto* tp = reinterpret_cast<PyTypeObject*>(v);
        const py::detail::type_info* tinfo = py::detail::get_type_info(tp);
        if (!tinfo || tinfo->type != tp || !tinfo->cpptype)
            continue; // not a pybind11 type, or a Python subclass of one
        export_tinfo(tinfo, tinfo->cpptype, nullptr, nullptr);
        ++count;
    }
    return count;
}

// ---------------------------------------------------------------------------
// Import: the caster behind BINDBRIDGE_PYBIND11_IMPORT(T).
// ---------------------------------------------------------------------------
template <typename T>
import_cache& cache_of() noexcept {
    return ::bindbridge::detail::cache_of<tag, T>();
}

// keep_referenced for foreign loads: the temporary lives as long as
// pybind11's call frame; outside a bound call (py::cast in module init, a
// C++ thread, a callback) pybind11 has no frame and refuses, so `ctx`, the
// caster's own slot, keeps it for as long as the caster (and so the value
// it converts to) lives.
inline void keep_patient(void* ctx, PyObject* obj) noexcept {
    try {
        py::detail::loader_life_support::add_patient(obj);
        return;
    } catch (...) {
        PyErr_Clear();
    }
    if (!ctx)
        return;
    auto& slot = *static_cast<py::object*>(ctx);
    if (!slot) {
        slot = py::reinterpret_borrow<py::object>(obj);
        return;
    }
    // A second temporary: keep both in a list.
    if (!PyList_CheckExact(slot.ptr())) {
        PyObject* list = PyList_New(0);
        if (!list || PyList_Append(list, slot.ptr()) != 0) {
            Py_XDECREF(list);
            PyErr_Clear();
            return;
        }
        slot = py::reinterpret_steal<py::object>(list);
    }
    if (PyList_Append(slot.ptr(), obj) != 0)
        PyErr_Clear();
}

inline py::return_value_policy resolve_ref_policy(py::return_value_policy p) {
    return p == py::return_value_policy::automatic || p == py::return_value_policy::automatic_reference
               ? py::return_value_policy::copy
               : p;
}

// pybind11 policy -> pymetabind policy for a pointer/reference `src` whose
// caller keeps ownership unless take_ownership.
inline bbr_rv_policy to_bbr(py::return_value_policy p) {
    switch (p) {
        case py::return_value_policy::take_ownership: return BBR_RV_TAKE_OWNERSHIP;
        case py::return_value_policy::copy: return BBR_RV_COPY;
        case py::return_value_policy::move: return BBR_RV_MOVE;
        case py::return_value_policy::reference:
        case py::return_value_policy::reference_internal:
        case py::return_value_policy::automatic_reference: return BBR_RV_REFERENCE;
        case py::return_value_policy::automatic: return BBR_RV_TAKE_OWNERSHIP;
        default: return BBR_RV_NONE;
    }
}

template <typename T>
py::handle cast_foreign(const T* src, py::return_value_policy policy, py::handle parent) {
    PyObject* internal_parent =
        policy == py::return_value_policy::reference_internal && parent ? parent.ptr() : nullptr;
    if (policy == py::return_value_policy::reference_internal && !internal_parent && src) {
        // As pybind11's keep_alive_impl (RuntimeError): a reference with
        // nothing to keep alive would dangle.
        throw std::runtime_error("bindbridge: cannot return a C++ " + source_name_of(typeid(T)) +
                                 " with reference_internal: there is no parent (first argument) "
                                 "to keep alive (pybind11: \"Could not activate keep_alive!\")");
    }
    return return_to_foreign<tag, T>(record_for_import(), src, to_bbr(policy), internal_parent,
                                     "pybind11");
}

// The runtime's dynamic_goes_foreign (returns.h) with pybind11's lookup.
template <typename T>
bool dynamic_goes_foreign(const T* src) {
    return std::is_polymorphic<T>::value && src &&
           ::bindbridge::detail::dynamic_goes_foreign<tag, T>(record_for_import, src, binds_natively);
}

// Policies under which a native return keeps the object itself (not a copy).
inline bool keeps_object(py::return_value_policy p) {
    return p == py::return_value_policy::reference ||
           p == py::return_value_policy::reference_internal ||
           p == py::return_value_policy::take_ownership ||
           p == py::return_value_policy::automatic_reference;
}

// type_caster_base<T>'s constructor looks T up in pybind11's registry on
// every call, and for a T pybind11 does not bind that failed lookup hashes
// the type name (more than the whole foreign conversion costs).  This
// caster starts as a copy of a blank one (no lookup) and looks T up in
// load() only when the object is not of a foreign type it saw before.
// (It must still derive from type_caster_base<T>: pybind11's holder
// casters require it.)
// A py::native_enum of this domain is no pybind11 type: type_caster_base
// does not see it (pybind11 3.x's enum caster asks its own table first).
// Loads a member of it into `out`: false if T is not one here or src is
// not its member.
template <typename T, typename std::enable_if<std::is_enum<T>::value, int>::type = 0>
bool load_native_enum(py::handle src, T& out) {
#if PYBIND11_VERSION_MAJOR >= 3
    py::handle cls = py::detail::global_internals_native_enum_type_map_get_item(typeid(T));
    if (!cls || !py::isinstance(src, cls))
        return false;
    using U = typename std::underlying_type<T>::type;
    out = static_cast<T>(src.attr("value").cast<U>());
    return true;
#else
    (void) src;
    (void) out;
    return false;
#endif
}
template <typename T, typename std::enable_if<!std::is_enum<T>::value, int>::type = 0>
bool load_native_enum(py::handle, T&) {
    return false;
}
// Its member for value v; `handled` false if T is not one here.
template <typename T, typename std::enable_if<std::is_enum<T>::value, int>::type = 0>
py::handle cast_native_enum(const T& v, bool& handled) {
#if PYBIND11_VERSION_MAJOR >= 3
    py::handle cls = py::detail::global_internals_native_enum_type_map_get_item(typeid(T));
    handled = bool(cls);
    if (cls)
        return cls(static_cast<typename std::underlying_type<T>::type>(v)).release();
#else
    (void) v;
    handled = false;
#endif
    return py::handle();
}
template <typename T, typename std::enable_if<!std::is_enum<T>::value, int>::type = 0>
py::handle cast_native_enum(const T&, bool& handled) {
    handled = false;
    return py::handle();
}

// A pybind11 caster made without its constructor's type lookup
// (get_type_info(typeid(T)) on every call, a costly miss for a type only
// another framework binds): a copy of one made once, with no typeinfo.
// load() looks the type up itself, after the foreign fast path.
template <typename Base>
const Base& blank_caster() {
    static const Base b = [] {
        Base c;
        c.typeinfo = nullptr;
        return c;
    }();
    return b;
}

template <typename T>
class caster : public py::detail::type_caster_base<T> {
    using base = py::detail::type_caster_base<T>;
    // (a py::native_enum member's value, loaded natively)
    typename std::conditional<std::is_enum<T>::value, T, char>::type native_enum_value{};

public:
    caster() : base(blank_caster<base>()) {}

    bool load(py::handle src, bool convert) {
        if (!src)
            return false;
        if (std::is_enum<T>::value && load_native_enum(src, native_enum_value)) {
            this->value = &native_enum_value;
            return true;
        }
        PyTypeObject* tp = Py_TYPE(src.ptr());
        import_cache& cache = cache_of<T>();
        // A type a foreign binding accepted before: straight to it (pybind11's
        // load would end in a costly module-local attribute probe on it).
        if (tp == cache.last_type) {
            if (void* p = load_foreign(record_for_import(), cache, typeid(T), src.ptr(), convert,
                                       keep_patient, &kept)) {
                this->value = p;
                return true;
            }
        }
        this->typeinfo = py::detail::get_type_info(typeid(T));
        if (this->typeinfo && base::load(src, convert))
            return true;
        if (!this->typeinfo && src.is_none()) {
            // Foreign-only T: None converts to nullptr on the convert pass, as
            // pybind11 does for its own types.
            if (!convert)
                return false;
            this->value = nullptr;
            return true;
        }
        if (void* p = load_foreign(record_for_import(), cache, typeid(T), src.ptr(), convert,
                                   keep_patient, &kept)) {
            this->value = p;
            return true;
        }
        // pybind11's own foreign routes (module-local loaders, the conduit).
        return !this->typeinfo && base::load(src, convert);
    }

    static py::handle cast(const T& src, py::return_value_policy policy, py::handle parent) {
        if (std::is_enum<T>::value) {
            bool handled = false;
            py::handle h = cast_native_enum(src, handled);
            if (handled)
                return h;
        }
        if (bound_here<T>() &&
            !(keeps_object(policy) && dynamic_goes_foreign(std::addressof(src))))
            return base::cast(src, policy, parent);
        return cast_foreign<T>(std::addressof(src), resolve_ref_policy(policy), parent);
    }

    static py::handle cast(T&& src, py::return_value_policy policy, py::handle parent) {
        if (std::is_enum<T>::value) {
            bool handled = false;
            py::handle h = cast_native_enum(src, handled);
            if (handled)
                return h;
        }
        if (bound_here<T>())
            return base::cast(std::move(src), policy, parent);
        return cast_foreign<T>(std::addressof(src), py::return_value_policy::move, parent);
    }

    static py::handle cast(const T* src, py::return_value_policy policy, py::handle parent) {
        if (bound_here<T>() &&
            !((keeps_object(policy) || policy == py::return_value_policy::automatic) &&
              dynamic_goes_foreign(src)))
            return base::cast(src, policy, parent);
        return cast_foreign<T>(src, policy, parent);
    }

    // A foreign load outside a bound call may leave its temporary in `kept`,
    // which dies with this caster: by value (a parameter, py::cast<T>, an
    // element of an STL container) the value is copied out first; a
    // reference or pointer (py::cast<const T&>) would dangle, so it is
    // refused, as pybind11 refuses its own temporaries outside a call.
    // (Types that cannot be copied keep pybind11's own operators.)
    static constexpr bool copies_out = std::is_copy_constructible<T>::value && !std::is_abstract<T>::value;
    template <typename U>
    using cast_op_type = typename std::conditional<
        !copies_out || std::is_lvalue_reference<U>::value ||
            std::is_pointer<typename std::remove_reference<U>::type>::value,
        py::detail::cast_op_type<U>, T>::type;

    operator T*() {
        refuse_reference_to_kept();
        return static_cast<T*>(this->value);
    }
    operator T&() {
        refuse_reference_to_kept();
        return base::operator T&();
    }
    // (Not a template: clang finds no conversion template by the name
    // pybind11 calls, operator T.  A type that cannot be copied gets a
    // placeholder pybind11 never asks for.)
    struct no_copy_out {};
    using copy_out_t = typename std::conditional<copies_out, T, no_copy_out>::type;
    operator copy_out_t() { return copy_out_t(base::operator T&()); }

private:
    void refuse_reference_to_kept() const {
        if (kept)
            throw py::cast_error(
                "bindbridge: cannot make a reference or pointer to a C++ " +
                source_name_of(typeid(T)) +
                " outside a bound call: converting the foreign object needed a temporary that dies "
                "with the cast (pybind11 refuses its own such casts too); cast by value instead");
    }

    py::object kept; // temporaries of a foreign load outside a bound call (keep_patient)
};

// Derives from pybind11's holder caster: class_<T, std::shared_ptr<T>>
// recognises its holder type by that base.
template <typename T>
class shared_caster : public py::detail::copyable_holder_caster<T, std::shared_ptr<T>> {
    using base = py::detail::copyable_holder_caster<T, std::shared_ptr<T>>;

public:
    static constexpr auto name = py::detail::type_caster<T>::name;

    shared_caster() : base(blank_caster<base>()) {}

    bool load(py::handle src, bool convert) {
        if (!src)
            return false;
        from_native = false;
        // A type a foreign binding accepted before: straight to it, before
        // pybind11's lookup of T (a miss for a foreign-only T).
        if (Py_TYPE(src.ptr()) == cache_of<T>().last_type && load_foreign_holder(src))
            return true;
        this->typeinfo = py::detail::get_type_info(typeid(T));
        if (this->typeinfo && base::load(src, convert)) {
            from_native = true;
            return true;
        }
        if (!this->typeinfo && src.is_none()) {
            if (!convert)
                return false;
            foreign_holder.reset();
            this->value = nullptr;
            return true;
        }
        return load_foreign_holder(src);
    }

    explicit operator std::shared_ptr<T>&() {
        if (from_native)
            return static_cast<base&>(*this).operator std::shared_ptr<T>&();
        return foreign_holder;
    }
    explicit operator std::shared_ptr<T>*() {
        if (from_native)
            return static_cast<base&>(*this).operator std::shared_ptr<T>*();
        return &foreign_holder;
    }

    static py::handle cast(const std::shared_ptr<T>& src, py::return_value_policy policy,
                           py::handle parent) {
        if (bound_here<T>() && !dynamic_goes_foreign(src.get()))
            return base::cast(src, policy, parent);
        return share_to_foreign<tag, T>(record_for_import(), src, "pybind11");
    }

private:
    // Exact pass only: a pointer into an implicit-conversion temporary must
    // not outlive the call inside a shared_ptr.
    bool load_foreign_holder(py::handle src) {
        if (void* p = load_foreign(record_for_import(), cache_of<T>(), typeid(T), src.ptr(), false,
                                   keep_patient, &kept)) {
            // (enable_shared_from_this: shares the owner's holder when it has one)
            foreign_holder = share_loaded(static_cast<T*>(p), src.ptr(), cache_of<T>());
            if (!foreign_holder)
                return false;
            this->value = p;
            return true;
        }
        return false;
    }

    std::shared_ptr<T> foreign_holder;
    bool from_native = false;
    py::object kept; // (exact pass only: nothing is kept in practice)
};

// std::unique_ptr<T, D> with a custom deleter: pybind11's own holder
// caster for a T this module binds.  Another framework's wrapper deletes
// with `delete` (or its own deleter), never with D, so a foreign T does not
// cross: a TypeError that says so instead of pybind11's bare "Unable to
// convert function return value".
template <typename T, typename D>
class custom_deleter_caster : public py::detail::move_only_holder_caster<T, std::unique_ptr<T, D>> {
    using base = py::detail::move_only_holder_caster<T, std::unique_ptr<T, D>>;

public:
    static constexpr auto name = py::detail::type_caster<T>::name;

    static py::handle cast(std::unique_ptr<T, D>&& src, py::return_value_policy policy, py::handle parent) {
        if (!src || bound_here<T>())
            return base::cast(std::move(src), policy, parent);
        throw py::type_error("bindbridge: cannot return std::unique_ptr<" + source_name_of(typeid(T)) +
                             ", " + source_name_of(typeid(D)) +
                             ">: another framework owns " + source_name_of(typeid(T)) +
                             " and its wrapper could not run the custom deleter; return "
                             "std::unique_ptr<T> (default deleter) or std::shared_ptr<T>");
    }
};

// std::unique_ptr<T> (default deleter): returns of a T pybind11 does not
// bind give ownership to the foreign owner (most-derived type); arguments
// (pybind11 3.x) take it from other bindbridge frameworks' objects whose
// owner can give it up; the rest is pybind11's own holder caster.
template <typename T>
class unique_caster : public py::detail::move_only_holder_caster<T, std::unique_ptr<T>> {
    using base = py::detail::move_only_holder_caster<T, std::unique_ptr<T>>;

public:
    static constexpr auto name = py::detail::type_caster<T>::name;

    static py::handle cast(std::unique_ptr<T>&& src, py::return_value_policy policy, py::handle parent) {
        if (bound_here<T>() && !dynamic_goes_foreign(src.get()))
            return base::cast(std::move(src), policy, parent);
        return give_to_foreign<tag, T>(record_for_import(), src, "pybind11");
    }

#if PYBIND11_VERSION_MAJOR >= 3
    unique_caster() = default;
    unique_caster(const unique_caster&) = delete;
    unique_caster& operator=(const unique_caster&) = delete;
    ~unique_caster() {
        borrowed.release(); // (a const unique_ptr& view: never ours to delete)
        if (inflight)
            foreign_owner->restore(foreign_src.ptr());
    }

    // Another bindbridge framework's object: taken when its owner can give
    // up ownership (nanobind: objects made in C++), else refused before
    // pybind11's own routes, which would raise instead of letting the next
    // overload try (noted for explain_failures).  pybind11 loads every
    // argument before the call: if the call does not happen, the destructor
    // gives ownership back.
    bool load(py::handle src, bool convert) {
        if (src && !src.is_none()) {
            framework_record* rec = record_for_import();
            // (binding_in_mro: pybind11's own unexported types raise no
            // AttributeError on every call.)
            bbr_binding* b = rec ? binding_in_mro(Py_TYPE(src.ptr())) : nullptr;
            if (b && b->framework != &rec->fw && rec->announced.contains(b)) {
                void* p = load_for_ownership(rec, cache_of<T>(), typeid(T), src.ptr(), &foreign_owner);
                if (!p || !relinquish(foreign_owner, typeid(T), src.ptr()))
                    return false;
                foreign = static_cast<T*>(p);
                foreign_src = src;
                inflight = true;
                return true;
            }
        }
        return base::load(src, convert);
    }

    template <typename T_>
    using cast_op_type = typename base::template cast_op_type<T_>;

    explicit operator std::unique_ptr<T>() {
        if (!foreign)
            return base::operator std::unique_ptr<T>();
        inflight = false;
        commit_relinquished(foreign_owner, foreign_src.ptr());
        T* p = foreign;
        foreign = nullptr;
        return std::unique_ptr<T>(p);
    }
    // A const std::unique_ptr<T>& parameter does not take ownership: the
    // object goes back to its Python owner after the call.
    explicit operator const std::unique_ptr<T>&() {
        if (!foreign)
            return base::operator const std::unique_ptr<T>&();
        borrowed.reset(foreign);
        return borrowed;
    }

    // As pybind11 3.x: a const unique_ptr& is returned by reference_internal only.
    static py::handle cast(const std::unique_ptr<T>& src, py::return_value_policy policy,
                           py::handle parent) {
        if (bound_here<T>())
            return base::cast(src, policy, parent);
        if (!src)
            return py::none().release();
        if (policy == py::return_value_policy::automatic)
            policy = py::return_value_policy::reference_internal;
        if (policy != py::return_value_policy::reference_internal)
            throw py::cast_error("Invalid return_value_policy for const unique_ptr&");
        return cast_foreign<T>(src.get(), policy, parent);
    }

private:
    T* foreign = nullptr;
    const ownership_entry* foreign_owner = nullptr;
    py::handle foreign_src;
    bool inflight = false;
    std::unique_ptr<T> borrowed;
#endif
};

} // namespace pybind11_impl
} // namespace detail
} // namespace bindbridge

#endif // BINDBRIDGE_PYBIND11_ADAPTER_H
