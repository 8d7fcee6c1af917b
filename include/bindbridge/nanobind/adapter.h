// include/bindbridge/nanobind/adapter.h: nanobind adapter internals (detail::nanobind_impl), not API.
//
// One framework record per nanobind domain (see compat::domain_id), kept
// in the interpreter dict.  Serving goes through nanobind's own core
// functions (nb_type_get / nb_type_put / keep_alive, via compat.h);
// exception translation runs nanobind's translator chain through a hidden
// function.  The import caster consults foreign bindings after nanobind's
// own.  nanobind 2.9 to 3.1, linked mode (compat.h checks).
#ifndef BINDBRIDGE_NANOBIND_ADAPTER_H
#define BINDBRIDGE_NANOBIND_ADAPTER_H

#include <nanobind/stl/shared_ptr.h>

#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <type_traits>
#include <typeinfo>

#include "compat.h"
#include "../runtime/enums.h"

#include "../runtime/runtime.h"
#include "../runtime/returns.h"
#include "../conduit/consume.h"
#include "../conduit/serve.h"

namespace bindbridge {
namespace detail {
namespace nanobind_impl {

namespace nb = ::nanobind;
using nb_flags = compat::flags_t;

template <typename T>
constexpr bool has_type_hook() {
    return !std::is_base_of<std::false_type, nb::detail::type_hook<T>>::value;
}

// The adapter's tag (its caches' key) and how its returns resolve dynamic
// types: a nanobind type_hook<T> specialisation when there is one (its
// type, the pointer unchanged, as nanobind uses it), else RTTI.
struct tag : rtti_dynamic {
    template <typename T>
    static constexpr bool varies() {
        return std::is_polymorphic<T>::value || has_type_hook<T>();
    }
    template <typename T>
    static dynamic_view dynamic_of(const T* src) {
        if constexpr (has_type_hook<T>())
            return {nb::detail::type_hook<T>::get(const_cast<T*>(src)), src};
        else
            return rtti_dynamic::dynamic_of<T>(src);
    }
};

// Adapter state kept in framework_record::adapter, shared by every module
// of the domain (the record's callbacks are those of the module that made
// it, and so is `rethrow`).
struct adapter_state {
    // A nanobind function that rethrows `serving`: calling it makes
    // nanobind's dispatcher run the domain's translators.  A strong
    // reference, dropped at interpreter exit.
    PyObject* rethrow = nullptr;
    // The exception being translated for another framework (the GIL orders
    // users; a nested translation saves and restores it).
    std::exception_ptr* serving = nullptr;
};

// binding->context of our published types: which by-value policies
// nanobind may serve (it aborts the process when asked to copy a type that
// cannot be copied, and export_all does not know the C++ type).
struct type_context {
    bool copyable;
    bool movable;
    // Enums (nb::enum_): served by value, spec "Conventions": from_python
    // hands out a buffer of enum_size bytes kept by keep_referenced.
    uint8_t enum_size = 0; // 0: a class
    bool enum_signed = false;
};

template <typename T, typename std::enable_if<std::is_enum<T>::value, int>::type = 0>
void describe_enum(type_context& tc) {
    tc.enum_size = sizeof(T);
    tc.enum_signed = std::is_signed<typename std::underlying_type<T>::type>::value;
}
template <typename T, typename std::enable_if<!std::is_enum<T>::value, int>::type = 0>
void describe_enum(type_context&) {}

// The record's layout as this module sees it, and its key: one record per
// nanobind domain (ABI tag and NB_DOMAIN) and C++ ABI (record_key).
inline uint32_t record_layout() noexcept {
    return layout_fingerprint({sizeof(type_context), sizeof(adapter_state)});
}
inline std::string domain_key() { return record_key("nanobind_" + compat::domain_id(), record_layout()); }


// ---------------------------------------------------------------------------
// Serving.
// ---------------------------------------------------------------------------
inline void* serve_from_python(bbr_binding* binding, PyObject* obj, uint8_t convert,
                               keep_referenced_fn keep, void* ctx) noexcept {
    auto* ti = static_cast<const std::type_info*>(binding->native_type);
    auto* tc = static_cast<const type_context*>(binding->context);
    if (!tc->enum_size) {
        // An instance of the type (or a subclass) first: no implicit
        // conversion, so no Python code and no guard needed.
        void* out = nullptr;
        if (compat::type_get(ti, obj, 0, nullptr, &out))
            return out;
        if (PyErr_Occurred())
            PyErr_Clear();
        if (!(convert && keep))
            return nullptr;
    }
    serving_guard guard;
    if (tc->enum_size) {
        int64_t v = 0;
        if (!keep || !compat::enum_get(ti, obj, &v, convert ? compat::convert_flag : 0, nullptr)) {
            PyErr_Clear();
            return nullptr;
        }
        return kept_enum_value(v, tc->enum_size, keep, ctx);
    }
    void* out = nullptr;
    bool ok;
    if (convert && keep) {
        nb::detail::cleanup_list cleanup = compat::make_cleanup_list();
        ok = compat::type_get(ti, obj, compat::convert_flag, &cleanup, &out);
        // Entry 0 is 'self' (null here); the rest are temporaries: the
        // caller keeps its own references, we drop ours.
        for (size_t i = 1; i < cleanup.size(); ++i)
            if (ok)
                keep(ctx, cleanup[i]);
        cleanup.release();
    } else {
        ok = compat::type_get(ti, obj, 0, nullptr, &out);
    }
    if (!ok && PyErr_Occurred())
        PyErr_Clear();
    return ok ? out : nullptr;
}

inline nb::rv_policy map_policy(bbr_rv_policy rvp) noexcept {
    switch (rvp) {
        case BBR_RV_TAKE_OWNERSHIP: return nb::rv_policy::take_ownership;
        case BBR_RV_COPY: return nb::rv_policy::copy;
        case BBR_RV_MOVE: return nb::rv_policy::move;
        case BBR_RV_REFERENCE:
        case BBR_RV_SHARE_OWNERSHIP: return nb::rv_policy::reference; // keep_alive follows
        default: return nb::rv_policy::none; // none, or unknown: look up only
    }
}

inline PyObject* serve_to_python(bbr_binding* binding, void* cobj, bbr_rv_policy rvp,
                                 bbr_to_python_feedback* feedback) noexcept {
    auto* ti = static_cast<const std::type_info*>(binding->native_type);
    serving_guard guard;
    feedback->relocate = 0;
    feedback->is_new = 0;
    nb::rv_policy policy = map_policy(rvp);
    auto* tc = static_cast<const type_context*>(binding->context);
    if (tc->enum_size) {
        if (!cobj || policy == nb::rv_policy::none)
            return nullptr;
        PyObject* r = compat::enum_put(ti, read_enum(cobj, tc->enum_size, tc->enum_signed), nullptr);
        if (rvp == BBR_RV_TAKE_OWNERSHIP)
            ::operator delete(cobj);
        return r; // enum members exist already: is_new stays 0
    }
    if (rvp == BBR_RV_COPY) {
        // Spec: a live wrapper of this address and type is returned whatever
        // the policy (nanobind itself looks up only for reference policies;
        // pybind11 always does, so callbacks get the live object).  Not for
        // move: what is moved from is a temporary of the caller's, which no
        // live wrapper can own, and by-value returns stay one lookup cheaper.
        if (PyObject* existing = compat::type_put(ti, cobj, nb::rv_policy::none, nullptr, nullptr))
            return existing;
        PyErr_Clear();
    }
    if ((rvp == BBR_RV_COPY && !tc->copyable) || (rvp == BBR_RV_MOVE && !tc->movable && !tc->copyable)) {
        // Only an existing wrapper could have been returned; the caller may
        // then hand over a heap copy with take_ownership.
        PyErr_Format(PyExc_TypeError,
                     "bindbridge: nanobind type %s cannot %s a C++ %s here (export it with "
                     "bindbridge::export_type<T> if T is copyable)",
                     binding->pytype->tp_name, rvp == BBR_RV_COPY ? "copy" : "move",
                     binding->source_name);
        return nullptr;
    }
    if (rvp == BBR_RV_MOVE && !tc->movable)
        policy = nb::rv_policy::copy;
    bool is_new = false;
    PyObject* r = compat::type_put(ti, cobj, policy, nullptr, &is_new);
    feedback->is_new = is_new ? 1 : 0;
    if (!r && policy == nb::rv_policy::none && PyErr_Occurred())
        PyErr_Clear();
    return r;
}

inline int serve_keep_alive(PyObject* nurse, void* payload, void (*cb)(void*) noexcept) noexcept {
    // nanobind aborts on a nurse it cannot track: only take our instances.
    if (!compat::type_check(reinterpret_cast<PyObject*>(Py_TYPE(nurse))))
        return 0;
    try {
        if (cb)
            compat::keep_alive_cb(nurse, payload, cb);
        else
            compat::keep_alive_obj(nurse, static_cast<PyObject*>(payload));
        return 1;
    } catch (...) {
    }
    if (PyErr_Occurred())
        PyErr_Clear();
    return 0;
}

// Only nanobind's own exceptions (python_error, builtin_exception) and
// those its registered translators turn into a non-builtin Python
// exception type count as translated: nanobind's default translator maps
// any std::exception to a builtin, which must not claim foreign exceptions.
inline int serve_translate_exception(void* eptr_void) noexcept {
    auto* rec = record_callbacks<tag>::self();
    auto* st = rec ? static_cast<adapter_state*>(rec->adapter) : nullptr;
    if (!st || !st->rethrow)
        return 0;
    auto& eptr = *static_cast<std::exception_ptr*>(eptr_void);
    bool nanobind_own = false;
    try {
        std::rethrow_exception(eptr);
    } catch (nb::python_error&) {
        nanobind_own = true;
    } catch (nb::builtin_exception&) {
        nanobind_own = true;
    } catch (...) {
    }
    serving_guard guard;
    std::exception_ptr* outer = st->serving;
    st->serving = &eptr;
    PyObject* r = PyObject_CallObject(st->rethrow, nullptr);
    st->serving = outer;
    if (r) {
        Py_DECREF(r);
        return 0;
    }
    return claim_translation(nanobind_own);
}

// sizeof the C++ type of one of our bindings, as nanobind recorded it when
// the class was bound (framework_record::native_size).  nanobind records
// the trampoline's size where a class has one, as pybind11 does.
inline std::size_t published_size(const bbr_binding* b) noexcept {
    const auto* tc = static_cast<const type_context*>(b->context);
    if (!tc || !b->pytype)
        return 0;
    if (tc->enum_size)
        return tc->enum_size;
    PyObject* tp = reinterpret_cast<PyObject*>(b->pytype);
    return compat::type_check(tp) ? nb::type_size(nb::handle(tp)) : 0;
}

inline void free_local_binding(bbr_binding* b) noexcept {
    delete static_cast<type_context*>(b->context);
    free_binding(b);
}

inline bool is_nanobind_function(PyObject* f) noexcept {
    const char* n = Py_TYPE(f)->tp_name;
    return std::strcmp(n, "nanobind.nb_func") == 0 || std::strcmp(n, "nanobind.nb_method") == 0;
}

// A type nanobind does not bind, as its signatures spell it: demangled,
// without "nanobind::".
inline std::string signature_name(const std::type_info& t) {
    std::string name = demangle(t.name());
    const char* ns = "nanobind::";
    for (size_t at = name.find(ns); at != std::string::npos; at = name.find(ns, at))
        name.erase(at, std::strlen(ns));
    return name;
}

// A framework that publishes a type of this domain and is not a
// bindbridge record: a nanobind build that speaks pymetabind itself.
inline bool is_native_nanobind(const bbr_framework* other) noexcept {
    return other->name && std::strncmp(other->name, "nanobind ", 9) == 0;
}

inline framework_record*& cached_record() noexcept {
    static framework_record* rec = nullptr;
    return rec;
}

inline void translate_foreign_exceptions(const std::exception_ptr& p, void*) {
    translate_or_rethrow(cached_record(), p);
}

inline framework_record* domain_record() {
    framework_record*& rec = cached_record();
    if (rec)
        return rec;
    rec = get_or_create_record<tag>(domain_key(), record_layout(), [](framework_record& r) {
        r.name = "nanobind " + std::to_string(NB_VERSION_MAJOR) + "." +
                 std::to_string(NB_VERSION_MINOR) + "." + std::to_string(NB_VERSION_PATCH);
        if (*compat::domain_name() != '\0')
            r.name += std::string(" (domain ") + compat::domain_name() + ")";
        r.is_native_build = is_native_nanobind;
        r.native_size = published_size;
        set_serving(r, {serve_from_python, serve_to_python, serve_keep_alive, serve_translate_exception,
                        free_local_binding});
        consume_conduits(r); // objects of unmodified pybind11 modules, last
#if !defined(Py_GIL_DISABLED)
        // nanobind frees its types by finalisation (and reports those it
        // cannot); the record drops its own references at exit (atexit
        // below) and leaves the registry after its bindings are gone.
        r.fw.flags |= BBR_FRAMEWORK_LEAK_SAFE;
#endif
        auto* st = new adapter_state();
        r.adapter = st;
        r.free_adapter = [](void* p) noexcept {
            auto* s = static_cast<adapter_state*>(p);
            Py_XDECREF(s->rethrow);
            delete s;
        };
        try {
            nb::object fn = nb::cpp_function([st]() {
                if (st->serving && *st->serving)
                    std::rethrow_exception(*st->serving);
            });
            // Dropped before the interpreter tears nanobind down.
            nb::module_::import_("atexit").attr("register")(nb::cpp_function([st]() {
                PyObject* f = st->rethrow;
                st->rethrow = nullptr;
                Py_XDECREF(f);
            }));
            nb::register_exception_translator(translate_foreign_exceptions, nullptr);
            st->rethrow = fn.release().ptr();
        } catch (nb::python_error& e) {
            e.restore();
            return false;
        } catch (const std::exception& e) {
            PyErr_SetString(PyExc_ImportError, e.what());
            return false;
        }
        return true;
    });
    if (rec) // (std::unique_ptr<T> arguments of other bindbridge frameworks)
        add_ownership_entry(ownership_entry{
            &rec->fw, [](PyObject* o) noexcept { return compat::relinquish_ownership(o); },
            [](PyObject* o) noexcept { compat::restore_ownership(o); }, nullptr,
            "objects made in C++ (a take_ownership or std::unique_ptr return), not those "
            "constructed from Python", nullptr});
    return rec;
}

inline framework_record* record_for_import() noexcept {
    return record_or_null<cached_record, domain_record>();
}

inline void export_pytype(framework_record* rec, PyTypeObject* tp, const std::type_info* ti,
                          type_context tc) {
    // Already published (maybe by export_all): learn what export_type knows.
    auto merge = [&](type_context& old) {
        old.copyable = old.copyable || tc.copyable;
        old.movable = old.movable || tc.movable;
    };
    // Unmodified pybind11 modules take classes through the conduit.
    if (export_binding(rec, tp, ti, tc, merge, !tc.enum_size) != 0)
        throw nb::python_error();
}

inline framework_record* record_for_export(nb::module_&) {
    framework_record* rec = domain_record();
    if (!rec)
        throw nb::python_error();
    return rec;
}

// For export_type<T, Bases...>: the published binding of T's Python type
// (ours, or the framework we stepped aside for).
inline const bbr_binding* binding_of_type(const std::type_info& ti) {
    PyObject* tp = compat::type_lookup(&ti);
    bbr_binding* b = tp ? bbr_get_binding(tp) : nullptr;
    if (!b || reinterpret_cast<PyObject*>(b->pytype) != tp) {
        PyErr_Clear();
        throw nb::type_error(("bindbridge.export_type: " + source_name_of(ti) + " is not published").c_str());
    }
    return b;
}

inline void export_one(nb::module_& m, const std::type_info& ti, type_context tc) {
    framework_record* rec = record_for_export(m);
    PyObject* tp = compat::type_lookup(&ti);
    if (!tp)
        throw nb::type_error(("bindbridge.export_type: C++ type " + source_name_of(ti) +
                              " is not bound by nanobind (bind it with nb::class_ before exporting)")
                                 .c_str());
    if (tc.enum_size) {
        // Enum types are not nanobind classes (nb_type_info would misread them).
        export_pytype(rec, reinterpret_cast<PyTypeObject*>(tp), &ti, tc);
        return;
    }
    if (!compat::type_check(tp))
        throw nb::type_error(("bindbridge.export_type: " + source_name_of(ti) +
                              " is not a nanobind class or enum").c_str());
    export_pytype(rec, reinterpret_cast<PyTypeObject*>(tp), compat::type_info(tp), tc);
}

inline size_t export_module(nb::module_& m) {
    framework_record* rec = record_for_export(m);
    size_t count = 0;
    nb::dict d = nb::borrow<nb::dict>(PyModule_GetDict(m.ptr()));
    for (auto item : d) {
        PyObject* v = item.second.ptr();
        if (!PyType_Check(v) || !compat::type_check(v))
            continue;
        const std::type_info* ti = compat::type_info(v);
        // Exact binding only (not a Python subclass of one).
        if (!ti || compat::type_lookup(ti) != v)
            continue;
        export_pytype(rec, reinterpret_cast<PyTypeObject*>(v), ti, type_context{false, false});
        ++count;
    }
    return count;
}

// ---------------------------------------------------------------------------
// Import: the caster behind BINDBRIDGE_NANOBIND_IMPORT(T).
// ---------------------------------------------------------------------------
template <typename T>
import_cache& cache_of() noexcept {
    return ::bindbridge::detail::cache_of<tag, T>();
}

inline void keep_in_cleanup(void* ctx, PyObject* obj) noexcept {
    Py_INCREF(obj);
    static_cast<nb::detail::cleanup_list*>(ctx)->append(obj);
}

// (Comparisons, not a switch: rv_policy is an enum class in 2.x and a
// class with compile-time tags in 3.x.)
inline bbr_rv_policy to_bbr(nb::rv_policy p) noexcept {
    if (p == nb::rv_policy::take_ownership)
        return BBR_RV_TAKE_OWNERSHIP;
    if (p == nb::rv_policy::copy)
        return BBR_RV_COPY;
    if (p == nb::rv_policy::move)
        return BBR_RV_MOVE;
    if (p == nb::rv_policy::reference || p == nb::rv_policy::reference_internal)
        return BBR_RV_REFERENCE;
    return BBR_RV_NONE;
}

inline bool bound_natively(const std::type_info& ti) noexcept {
    return compat::type_lookup(&ti) != nullptr;
}
// The same for T, remembered once nanobind binds it (runtime.h).
template <typename T>
bool bound_here() noexcept {
    return ::bindbridge::detail::natively_bound<tag, T>(bound_natively);
}

// The runtime's dynamic_goes_foreign (returns.h) with nanobind's lookup.
template <typename T>
bool dynamic_goes_foreign(const T* src) noexcept {
    return std::is_polymorphic<T>::value && src &&
           ::bindbridge::detail::dynamic_goes_foreign<tag, T>(record_for_import, src, bound_natively);
}

template <typename T>
PyObject* cast_foreign(const T* src, nb::rv_policy policy, nb::detail::cleanup_list* cleanup) noexcept {
    PyObject* internal_parent =
        policy == nb::rv_policy::reference_internal && cleanup ? cleanup->self() : nullptr;
    // As nanobind: reference_internal needs 'self' (a method); a free
    // function's reference would dangle, so the return fails (nanobind then
    // raises its "Unable to convert function return value").
    if (policy == nb::rv_policy::reference_internal && !internal_parent && src)
        return nullptr;
    return return_to_foreign<tag, T>(record_for_import(), src, to_bbr(policy), internal_parent,
                                     "nanobind");
}

// caster<T>::from_python past nanobind's own exact type, one copy for
// every T (out of line: a module that imports many types compiles it
// once).  `out` is the C++ object, or nullptr for None.
#if defined(__GNUC__)
__attribute__((noinline))
#endif
inline bool load_other(import_cache& cache, const std::type_info& ti, PyObject* o, nb_flags flags,
                       nb::detail::cleanup_list* cleanup, bool seen_before, void*& out) noexcept {
    // nanobind's unique_ptr caster (every supported version) asks with
    // no cleanup list and no 'manual' flag, then takes ownership from
    // the instance: only our own instances may pass there.  Nor may a
    // foreign object be the 'self' that a constructor builds in place.
    const bool foreign_ok = (cleanup != nullptr || (flags & compat::manual_flag)) &&
                            !(flags & compat::construct_flag);
    const bool convert = (flags & compat::convert_flag) != 0;
    if (seen_before) {
        // A type a foreign binding accepted before: straight to it, then
        // nanobind's own load.
        if (foreign_ok) {
            if (void* p = load_foreign(record_for_import(), cache, ti, o, convert,
                                       cleanup ? keep_in_cleanup : nullptr, cleanup)) {
                out = p;
                return true;
            }
        }
        if (compat::type_get(&ti, o, flags, cleanup, &out))
            return true;
    }
    if (o == Py_None) {
        // As nanobind's own casters: None is nullptr, refused where
        // nanobind says a value or reference is required (3.x, late
        // 2.x); older versions refuse it in the cast operators below.
        if (flags & compat::none_disallowed_flag)
            return false;
        out = nullptr;
        return true;
    }
    if (!foreign_ok)
        return false;
    if (void* p = load_foreign(record_for_import(), cache, ti, o, convert,
                               cleanup ? keep_in_cleanup : nullptr, cleanup)) {
        out = p;
        return true;
    }
    return false;
}

// One copy of the throw for every T: inlined per caster, it cost each
// function taking a T its own exception-handling code (compile time).
[[noreturn]]
#if defined(__GNUC__)
__attribute__((noinline, cold))
#endif
inline void throw_next_overload() {
    throw nb::next_overload();
}

template <typename T>
struct caster : nb::detail::type_caster_base<T> {
    using base = nb::detail::type_caster_base<T>;
    static constexpr auto Name = base::Name;

    // nanobind's own instances take the short path (one compare more than
    // nanobind's caster); the rest is out of line.  (One call site for
    // load_other instead of two cost the native path 2 instructions.)
    bool from_python(nb::handle src, nb_flags flags, nb::detail::cleanup_list* cleanup) noexcept {
        PyObject* o = src.ptr();
        if (Py_TYPE(o) != cache_of<T>().last_type) {
            void* out = nullptr;
            if (compat::type_get(&typeid(T), o, flags, cleanup, &out)) {
                ptr = static_cast<T*>(out);
                return true;
            }
            return from_python_other(o, flags, cleanup, false);
        }
        return from_python_other(o, flags, cleanup, true);
    }

    bool from_python_other(PyObject* o, nb_flags flags, nb::detail::cleanup_list* cleanup,
                           bool seen_before) noexcept {
        void* out = nullptr;
        bool ok = load_other(cache_of<T>(), typeid(T), o, flags, cleanup, seen_before, out);
        ptr = static_cast<T*>(out);
        return ok;
    }

    template <typename U>
    static nb::handle from_cpp(U&& value, nb::rv_policy policy, nb::detail::cleanup_list* cleanup) noexcept {
        const T* p;
        if constexpr (std::is_pointer_v<std::remove_reference_t<U>>)
            p = value;
        else
            p = std::addressof(value);
        if (bound_here<T>()) {
            nb::rv_policy inferred = nb::detail::infer_policy<U>(policy);
            bool keeps = inferred == nb::rv_policy::reference ||
                         inferred == nb::rv_policy::reference_internal ||
                         inferred == nb::rv_policy::take_ownership;
            if (!(keeps && dynamic_goes_foreign(p)))
                return base::from_cpp(std::forward<U>(value), policy, cleanup);
        }
        policy = nb::detail::infer_policy<U>(policy);
        return cast_foreign<T>(p, policy, cleanup);
    }

    template <typename T_>
    bool can_cast() const noexcept {
        return std::is_pointer_v<T_> || ptr != nullptr;
    }

    operator T*() { return ptr; }
    operator T&() {
        if (!ptr)
            throw_next_overload(); // None where a value/reference is needed
        return *ptr;
    }
    operator T&&() {
        if (!ptr)
            throw_next_overload();
        return (T&&) *ptr;
    }

private:
    T* ptr = nullptr;
};

// Enums: nanobind's own enum conversion first, then foreign bindings (which
// hand out a pointer to the value).  Not a base caster, like nanobind's.
template <typename E>
struct enum_caster {
    static constexpr auto Name = nb::detail::const_name<E>();
    template <typename T_> using Cast = nb::detail::movable_cast_t<T_>;

    bool from_python(nb::handle src, nb_flags flags, nb::detail::cleanup_list* cleanup) noexcept {
        int64_t v = 0;
        if (compat::enum_get(&typeid(E), src.ptr(), &v, flags, cleanup)) {
            value = (E) v;
            return true;
        }
        PyErr_Clear();
        if (!cleanup)
            return false; // the foreign value lives in a temporary
        const bool convert = (flags & compat::convert_flag) != 0;
        if (void* p = load_foreign(record_for_import(), cache_of<E>(), typeid(E), src.ptr(), convert,
                                   keep_in_cleanup, cleanup)) {
            std::memcpy(&value, p, sizeof(E));
            return true;
        }
        return false;
    }

    static nb::handle from_cpp(E v, nb::rv_policy, nb::detail::cleanup_list* cleanup) noexcept {
        if (bound_here<E>())
            return compat::enum_put(&typeid(E), (int64_t) v, cleanup);
        return cast_foreign<E>(&v, nb::rv_policy::copy, cleanup);
    }

    template <typename T_>
    bool can_cast() const noexcept {
        return true;
    }
    operator E() { return value; }
    operator E&() { return value; }
    operator E&&() { return (E&&) value; }

    E value{};
};

template <typename T>
using caster_for = typename std::conditional<std::is_enum<T>::value, enum_caster<T>, caster<T>>::type;

// The dynamic type nanobind's own casters pass for a polymorphic object
// (nanobind then returns the most-derived bound type); with a type_hook<T>
// nanobind passes the hook's type as the static one instead (static_type).
template <typename T>
const std::type_info* dynamic_type_p(const T* p) noexcept {
    if constexpr (std::is_polymorphic_v<T> && !has_type_hook<T>())
        return p ? &typeid(*p) : nullptr;
    else
        return nullptr;
}
template <typename T>
const std::type_info* static_type(const T* p) noexcept {
    if constexpr (has_type_hook<T>())
        return p ? nb::detail::type_hook<T>::get(const_cast<T*>(p)) : &typeid(T);
    else
        return &typeid(T);
}

// What nanobind asks of a caster of holder H of T: its value type, its
// name (T's caster's, the Python name under the _AS macro), a class, cast by value.
template <typename H, typename T>
struct holder_caster_head {
    using Value = H;
    static constexpr auto Name = nb::detail::make_caster<T>::Name;
    static constexpr bool IsClass = true;
    template <typename T_> using Cast = Value;
};

// std::shared_ptr<T>: nanobind's own instances and foreign ones, with
// enable_shared_from_this and the most-derived return, as nanobind's own
// shared_ptr caster does for its types.
template <typename T>
struct shared_caster : holder_caster_head<std::shared_ptr<T>, T> {
    using typename holder_caster_head<std::shared_ptr<T>, T>::Value;

    // The loaded shared_ptr, in storage of a shared_ptr's size: a
    // std::shared_ptr<T> member would instantiate std::shared_ptr<T> for
    // every declared T, used or not (most of what a declaration cost to
    // compile); the members below instantiate it only where used.
    alignas(std::shared_ptr<void>) unsigned char storage[sizeof(std::shared_ptr<void>)];
    Value& value() noexcept { return *std::launder(reinterpret_cast<Value*>(storage)); }

    shared_caster() noexcept {
        static_assert(sizeof(Value) == sizeof(storage) && alignof(Value) <= alignof(std::shared_ptr<void>),
                      "std::shared_ptr<T> is laid out as std::shared_ptr<void>");
        new (storage) Value();
    }
    shared_caster(const shared_caster&) = delete;
    shared_caster& operator=(const shared_caster&) = delete;
    ~shared_caster() { value().~Value(); }

    bool from_python(nb::handle src, nb_flags flags, nb::detail::cleanup_list* cleanup) noexcept {
        // No implicit conversions: a pointer into a temporary must not be
        // held by a shared_ptr beyond the call.
        flags &= ~compat::convert_flag;
        caster<T> c;
        if (!c.from_python(src, flags, cleanup))
            return false;
        T* p = c.operator T*();
        value() = share_loaded(p, src.ptr(), cache_of<T>());
        return value() != nullptr || p == nullptr;
    }

    static nb::handle from_cpp(const Value& v, nb::rv_policy, nb::detail::cleanup_list* cleanup) noexcept {
        if (!v)
            return nb::none().release();
        if (!bound_here<T>() || dynamic_goes_foreign(v.get()))
            return share_to_foreign<tag, T>(record_for_import(), v, "nanobind");
        bool is_new = false;
        using U = std::remove_const_t<T>;
        U* p = const_cast<U*>(v.get());
        nb::handle r = compat::type_put_p(static_type(p), dynamic_type_p(p), p, nb::rv_policy::reference,
                                          cleanup, &is_new);
        if (r.is_valid() && is_new)
            nb::detail::shared_from_cpp(std::static_pointer_cast<void>(std::const_pointer_cast<U>(v)),
                                        r.ptr());
        return r;
    }

    template <typename T_>
    bool can_cast() const noexcept {
        return true;
    }
    // As nanobind's own: parameters by value, pointer, lvalue and rvalue
    // reference (std::shared_ptr<T>&).
    template <typename T_> using Cast = nb::detail::movable_cast_t<T_>;
    explicit operator Value*() { return &value(); }
    explicit operator Value&() { return value(); }
    explicit operator Value&&() { return std::move(value()); }
};

// std::unique_ptr<T> (default deleter): returns give ownership to
// nanobind or to the foreign owner (most-derived type); arguments take
// ownership from nanobind's own instances, as nanobind's own caster does,
// and from other bindbridge frameworks' instances whose owner can give it
// up (nanobind: objects made in C++).  The protocol itself has no way to
// relinquish: pybind11 and C frameworks' objects are refused.
template <typename T>
struct unique_caster : holder_caster_head<std::unique_ptr<T>, T> {
    using typename holder_caster_head<std::unique_ptr<T>, T>::Value;

    nb::detail::make_caster<T> inner;
    nb::handle src;
    // Ownership taken from src but not yet handed to a unique_ptr (an
    // enclosing caster may still fail): given back in the destructor.
    mutable bool inflight = false;
    // src is another bindbridge framework's, which can relinquish it
    // (load_for_ownership): its C++ object, and how.
    T* foreign = nullptr;
    const ownership_entry* foreign_owner = nullptr;

    unique_caster() = default;
    unique_caster(const unique_caster&) = delete;
    unique_caster& operator=(const unique_caster&) = delete;
    ~unique_caster() {
        if (!inflight)
            return;
        if (foreign_owner)
            foreign_owner->restore(src.ptr());
        else
            compat::restore_ownership(src.ptr());
    }

    bool from_python(nb::handle s, nb_flags, nb::detail::cleanup_list*) noexcept {
        src = s;
        // No flags and no cleanup list: only an instance src owns, never a
        // temporary; then another framework's object its owner can give up.
        if (inner.from_python(s, 0, nullptr))
            return true;
        framework_record* rec = record_for_import();
        if (!rec || s.is_none())
            return false;
        foreign = static_cast<T*>(load_for_ownership(rec, cache_of<T>(), typeid(T), s.ptr(), &foreign_owner));
        return foreign != nullptr;
    }

    // Ownership moves when the call is certain (as nanobind's own caster).
    bool take() const noexcept {
        if (inflight)
            return true;
        inflight = foreign ? relinquish(foreign_owner, typeid(T), src.ptr())
                           : compat::relinquish_ownership(src.ptr());
        return inflight;
    }

    template <typename T_>
    bool can_cast() const noexcept {
        return src.is_none() || take();
    }

    explicit operator Value() {
        if (!src.is_none() && !take())
            throw_next_overload();
        inflight = false;
        if (foreign)
            commit_relinquished(foreign_owner, src.ptr());
        return Value(foreign ? foreign : inner.operator T*());
    }

    static nb::handle from_cpp(Value* v, nb::rv_policy policy, nb::detail::cleanup_list* cleanup) noexcept {
        if (!v)
            return nb::handle();
        return from_cpp(std::move(*v), policy, cleanup);
    }

    static nb::handle from_cpp(Value&& v, nb::rv_policy, nb::detail::cleanup_list* cleanup) noexcept {
        if (!v)
            return nb::none().release();
        if (!bound_here<T>() || dynamic_goes_foreign(v.get()))
            return give_to_foreign<tag, T>(record_for_import(), v, "nanobind");
        using U = std::remove_const_t<T>;
        U* p = const_cast<U*>(v.get());
        nb::handle r = compat::type_put_unique(static_type(p), dynamic_type_p(p), p, cleanup);
        if (r.is_valid())
            (void) v.release();
        return r;
    }
};

} // namespace nanobind_impl
} // namespace detail
} // namespace bindbridge

#endif // BINDBRIDGE_NANOBIND_ADAPTER_H
