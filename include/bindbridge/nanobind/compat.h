// include/bindbridge/nanobind/compat.h: the nanobind versions the adapter supports, and thin
// shims over the core functions whose spelling differs between them (detail, not API).
//
// Supported: nanobind 2.9.x to 2.15.x and 3.0.x to 3.1.x, linked mode (the
// default: the core library is linked into the extension), full CPython
// API.  Everything else stops here with an #error.
//
// What differs, and how it is bridged:
//   - 3.x calls the core through NB_CALL(slot)(NB_CTX, ...), the domain
//     state passed explicitly; 2.x calls nanobind::detail::fn(...), the
//     state being a global of the core library.  The functions below take
//     the 3.x arguments minus the context.
//   - cast flags are uint32_t in 3.x and uint8_t in 2.x, with different
//     values ('manual' is 8 in 2.9, 16 in 2.15); use the enumerators only.
//     'none_disallowed' exists from some 2.1x on: none_disallowed_flag is 0
//     where it does not.
//   - rv_policy is an enum class in 2.x and a class with compile-time tags
//     in 3.x: compare with ==, never switch on the 3.x-only '_v' names.
//   - cleanup_list takes the domain state as a second argument in 3.x.
//   - the domain identity: 3.x has the state pointer (NB_CTX); 2.x keys
//     its state in the interpreter dict by abi_tag() and domain name, so
//     the same pair names the same domain (nanobind versions that share
//     internals share it, as they share the state).
#ifndef BINDBRIDGE_NANOBIND_COMPAT_H
#define BINDBRIDGE_NANOBIND_COMPAT_H

#if !defined(NB_VERSION_MAJOR) || !defined(NB_VERSION_MINOR)
#  error "bindbridge/nanobind.h: include <nanobind/nanobind.h> first"
#endif

#if !((NB_VERSION_MAJOR == 2 && NB_VERSION_MINOR >= 9 && NB_VERSION_MINOR <= 15) ||              \
      (NB_VERSION_MAJOR == 3 && NB_VERSION_MINOR >= 0 && NB_VERSION_MINOR <= 1))
#  error "bindbridge/nanobind.h supports nanobind 2.9 to 3.1 (2.9.x-2.15.x, 3.0.x-3.1.x); this nanobind (NB_VERSION_MAJOR/NB_VERSION_MINOR in <nanobind/nanobind.h>) is outside that range"
#elif NB_VERSION_MAJOR >= 3 && defined(NB_BACKEND_MODULE) && !defined(NB_BUILD)
#  error "bindbridge/nanobind.h does not support nanobind's split (backend module, NB_BACKEND_MODULE) mode; build the extension in nanobind's default linked mode"
#elif defined(Py_LIMITED_API)
#  error "bindbridge/nanobind.h does not support nanobind's stable-ABI builds (Py_LIMITED_API) yet"
#endif

#include <cstdint>
#include <cstdio>
#include <string>
#include <type_traits>
#include <typeinfo>

namespace bindbridge {
namespace detail {
namespace nanobind_impl {
namespace compat {

namespace nb = ::nanobind;

// Wide enough for every version's cast flags (narrowed for 2.x calls).
using flags_t = uint32_t;

constexpr flags_t convert_flag = (flags_t) nb::detail::cast_flags::convert;
constexpr flags_t construct_flag = (flags_t) nb::detail::cast_flags::construct;
constexpr flags_t manual_flag = (flags_t) nb::detail::cast_flags::manual;

template <typename E, typename = void>
struct none_disallowed_of {
    static constexpr flags_t value = 0;
};
template <typename E>
struct none_disallowed_of<E, std::void_t<decltype(E::none_disallowed)>> {
    static constexpr flags_t value = (flags_t) E::none_disallowed;
};
// Set by nanobind (where it exists) when None has no meaning for the target.
constexpr flags_t none_disallowed_flag = none_disallowed_of<nb::detail::cast_flags>::value;

#if NB_VERSION_MAJOR >= 3
#  define BINDBRIDGE_NB_CLEANUP_ARGS_ nullptr, NB_CTX
#else
#  define BINDBRIDGE_NB_CLEANUP_ARGS_ nullptr
#endif

// A cleanup_list without 'self', for conversions outside a call; the caller
// must call release() once.
inline nb::detail::cleanup_list make_cleanup_list() noexcept {
    return nb::detail::cleanup_list(BINDBRIDGE_NB_CLEANUP_ARGS_);
}
#undef BINDBRIDGE_NB_CLEANUP_ARGS_

#if NB_VERSION_MAJOR >= 3

inline bool type_get(const std::type_info* ti, PyObject* o, flags_t flags,
                     nb::detail::cleanup_list* cleanup, void** out) noexcept {
    return NB_CALL(nb_type_get)(NB_CTX_C(cleanup), ti, o, flags, cleanup, out);
}
inline PyObject* type_put(const std::type_info* ti, void* value, nb::rv_policy policy,
                          nb::detail::cleanup_list* cleanup, bool* is_new) noexcept {
    return NB_CALL(nb_type_put)(NB_CTX_C(cleanup), ti, nullptr, value, policy, cleanup, is_new);
}
// ti_p: the dynamic type of a polymorphic object (or nullptr).
inline PyObject* type_put_p(const std::type_info* ti, const std::type_info* ti_p, void* value,
                            nb::rv_policy policy, nb::detail::cleanup_list* cleanup,
                            bool* is_new) noexcept {
    return NB_CALL(nb_type_put)(NB_CTX_C(cleanup), ti, ti_p, value, policy, cleanup, is_new);
}
// Ownership to a new (or existing) instance that deletes with C++ delete.
inline PyObject* type_put_unique(const std::type_info* ti, const std::type_info* ti_p, void* value,
                                 nb::detail::cleanup_list* cleanup) noexcept {
    return NB_CALL(nb_type_put_unique)(NB_CTX_C(cleanup), ti, ti_p, value, cleanup, true);
}
inline bool relinquish_ownership(PyObject* o) noexcept {
    return NB_CALL(nb_type_relinquish_ownership)(o, true);
}
inline void restore_ownership(PyObject* o) noexcept { NB_CALL(nb_type_restore_ownership)(o, true); }
inline PyObject* type_lookup(const std::type_info* ti) noexcept {
    return NB_CALL(nb_type_lookup)(NB_CTX, ti);
}
inline bool type_check(PyObject* tp) noexcept { return NB_CALL(nb_type_check)(NB_CTX, tp); }
inline const std::type_info* type_info(PyObject* tp) noexcept { return NB_CALL(nb_type_info)(tp); }
// May throw (python_error).
inline void keep_alive_obj(PyObject* nurse, PyObject* patient) {
    NB_CALL(keep_alive_py)(NB_CTX, nurse, patient);
}
inline void keep_alive_cb(PyObject* nurse, void* payload, void (*deleter)(void*) noexcept) noexcept {
    NB_CALL(keep_alive_ptr)(NB_CTX, nurse, payload, deleter);
}
inline bool enum_get(const std::type_info* ti, PyObject* o, int64_t* out, flags_t flags,
                     nb::detail::cleanup_list* cleanup) noexcept {
    return NB_CALL(enum_from_python)(NB_CTX_C(cleanup), ti, o, out, flags);
}
inline PyObject* enum_put(const std::type_info* ti, int64_t v,
                          nb::detail::cleanup_list* cleanup) noexcept {
    return NB_CALL(enum_from_cpp)(NB_CTX_C(cleanup), ti, v);
}
// Target's implicit conversions gain a predicate (nanobind calls Target(src)
// when it is true).
using implicit_predicate = bool (*)(PyTypeObject*, PyObject*, nb::detail::cleanup_list*) noexcept;
inline void add_implicit_predicate(const std::type_info* target, implicit_predicate pred) noexcept {
    NB_CALL(implicitly_convertible)(NB_CTX, target, (void*) pred, true);
}
// The domain: its state pointer (set once the module has started executing).
inline std::string domain_id() {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%p", static_cast<void*>(NB_CTX));
    return buf;
}

#else // nanobind 2.x

inline bool type_get(const std::type_info* ti, PyObject* o, flags_t flags,
                     nb::detail::cleanup_list* cleanup, void** out) noexcept {
    return nb::detail::nb_type_get(ti, o, (uint8_t) flags, cleanup, out);
}
inline PyObject* type_put(const std::type_info* ti, void* value, nb::rv_policy policy,
                          nb::detail::cleanup_list* cleanup, bool* is_new) noexcept {
    return nb::detail::nb_type_put(ti, value, policy, cleanup, is_new);
}
inline PyObject* type_put_p(const std::type_info* ti, const std::type_info* ti_p, void* value,
                            nb::rv_policy policy, nb::detail::cleanup_list* cleanup,
                            bool* is_new) noexcept {
    return ti_p ? nb::detail::nb_type_put_p(ti, ti_p, value, policy, cleanup, is_new)
                : nb::detail::nb_type_put(ti, value, policy, cleanup, is_new);
}
inline PyObject* type_put_unique(const std::type_info* ti, const std::type_info* ti_p, void* value,
                                 nb::detail::cleanup_list* cleanup) noexcept {
    return ti_p ? nb::detail::nb_type_put_unique_p(ti, ti_p, value, cleanup, true)
                : nb::detail::nb_type_put_unique(ti, value, cleanup, true);
}
inline bool relinquish_ownership(PyObject* o) noexcept {
    return nb::detail::nb_type_relinquish_ownership(o, true);
}
inline void restore_ownership(PyObject* o) noexcept { nb::detail::nb_type_restore_ownership(o, true); }
inline PyObject* type_lookup(const std::type_info* ti) noexcept {
    return nb::detail::nb_type_lookup(ti);
}
inline bool type_check(PyObject* tp) noexcept { return nb::detail::nb_type_check(tp); }
inline const std::type_info* type_info(PyObject* tp) noexcept { return nb::detail::nb_type_info(tp); }
// May throw (python_error).
inline void keep_alive_obj(PyObject* nurse, PyObject* patient) {
    nb::detail::keep_alive(nurse, patient);
}
inline void keep_alive_cb(PyObject* nurse, void* payload, void (*deleter)(void*) noexcept) noexcept {
    nb::detail::keep_alive(nurse, payload, deleter);
}
inline bool enum_get(const std::type_info* ti, PyObject* o, int64_t* out, flags_t flags,
                     nb::detail::cleanup_list*) noexcept {
    return nb::detail::enum_from_python(ti, o, out, (uint8_t) flags);
}
inline PyObject* enum_put(const std::type_info* ti, int64_t v, nb::detail::cleanup_list*) noexcept {
    return nb::detail::enum_from_cpp(ti, v);
}
using implicit_predicate = bool (*)(PyTypeObject*, PyObject*, nb::detail::cleanup_list*) noexcept;
inline void add_implicit_predicate(const std::type_info* target, implicit_predicate pred) noexcept {
    nb::detail::implicitly_convertible(pred, target);
}
// The domain: nanobind's own key of its state (ABI tag, domain name).
inline std::string domain_id() {
#  if defined(NB_DOMAIN)
    return std::string(nb::detail::abi_tag()) + "_" + NB_DOMAIN_STR;
#  else
    return std::string(nb::detail::abi_tag()) + "_";
#  endif
}

#endif

// The domain's name, "" without NB_DOMAIN (NB_DOMAIN_STR is nullptr then in 2.x).
inline const char* domain_name() noexcept {
#if defined(NB_DOMAIN)
    return NB_DOMAIN_STR;
#else
    return "";
#endif
}

} // namespace compat
} // namespace nanobind_impl
} // namespace detail
} // namespace bindbridge

#endif // BINDBRIDGE_NANOBIND_COMPAT_H
