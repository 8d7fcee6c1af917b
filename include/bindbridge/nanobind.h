// include/bindbridge/nanobind.h: the bindbridge adapter for nanobind modules (include after nanobind).
//
//   #include <nanobind/nanobind.h>
//   #include <bindbridge/nanobind.h>
//
//   BINDBRIDGE_NANOBIND_IMPORT(Toy)       // at global scope: Toy may come from any framework
//
//   NB_MODULE(pets, m) {
//       nb::class_<Pet>(m, "Pet") ...;
//       bindbridge::export_type<Pet>(m);  // publish one type
//       bindbridge::export_all(m);        // or every nanobind type bound in m so far
//   }
//
// Export publishes nanobind types on the pymetabind registry and serves
// them to other frameworks.  Import (the macro) specialises nanobind's
// type_caster<T> and type_caster<std::shared_ptr<T>>: nanobind's own load
// first, then foreign bindings in import order, zero-copy.
//
// Supports nanobind 2.9 to 3.1 (2.9.x-2.15.x, 3.0.x-3.1.x) in the default
// linked mode; not 3.x split (backend module) mode nor stable-ABI
// (Py_LIMITED_API) builds, which stop with an #error (nanobind/compat.h).
#ifndef BINDBRIDGE_NANOBIND_H
#define BINDBRIDGE_NANOBIND_H

#if !defined(NB_VERSION_MAJOR)
#  error "bindbridge/nanobind.h: include <nanobind/nanobind.h> first"
#endif

#include "nanobind/adapter.h"
#include "nanobind/keep_alive.h"
#include "runtime/bases.h"
#include "runtime/explain.h"
#include "runtime/imports.h"

namespace bindbridge {

// Publishes the nanobind binding of T on the registry (nanobind copies and
// moves generically, so no per-type registration is needed).  Exporting
// twice is harmless.  Throws nanobind::python_error / nanobind::type_error.
//
// Bases: C++ base classes of T that another framework binds (bind T with
// nb::class_<T> alone: nanobind cannot have a foreign base), listed as in
// nb::class_.  Every bindbridge importer of a Base (const&, &, *,
// shared_ptr) then takes a T; a base nobody binds is a TypeError here.
template <typename T, typename... Bases>
void export_type(nanobind::module_& m) {
    detail::nanobind_impl::type_context tc{std::is_copy_constructible<T>::value,
                                           std::is_move_constructible<T>::value};
    detail::nanobind_impl::describe_enum<T>(tc);
    detail::nanobind_impl::export_one(m, typeid(T), tc);
    if (sizeof...(Bases) != 0 &&
        detail::publish_bases<T, Bases...>(detail::nanobind_impl::domain_record(),
                                           detail::nanobind_impl::binding_of_type(typeid(T)),
                                           detail::nanobind_impl::bound_natively) != 0)
        throw nanobind::python_error();
}

// nb::isinstance<T>(obj), also true for an object of another framework
// that converts to T as it is (no implicit conversion), as a
// BINDBRIDGE_NANOBIND_IMPORT(T) argument would take it.  (nb::isinstance<T>
// itself asks nanobind's registry only.)
template <typename T>
bool isinstance(nanobind::handle obj) {
    if (!obj.is_valid())
        return false;
    if (nanobind::isinstance<T>(obj))
        return true;
    return detail::foreign_accepts(detail::nanobind_impl::record_for_import(),
                                   detail::nanobind_impl::cache_of<T>(), typeid(T), obj.ptr());
}

// nb::implicitly_convertible<Source, Target>() where Source may be another
// framework's type (declared with BINDBRIDGE_NANOBIND_IMPORT[_AS]): a
// parameter of this module's class Target then also takes a foreign Source,
// through Target's constructor from Source (nb::init<const Source&>(),
// nb::init_implicit<const Source&>() or one of its own), as nanobind does
// for its own Source.  nanobind's implicitly_convertible (and init_implicit)
// match the source by nanobind's registry only; call this after binding
// Target, instead of nb::implicitly_convertible or beside init_implicit.
// Throws nanobind::python_error when Target is not bound.
template <typename Source, typename Target>
void implicitly_convertible() {
    static_assert(!std::is_same<Source, Target>::value, "bindbridge::implicitly_convertible: Source is Target");
    if (!detail::nanobind_impl::compat::type_lookup(&typeid(Target))) {
        PyErr_Format(PyExc_TypeError, "bindbridge::implicitly_convertible: the target C++ type %s is not bound by nanobind here",
                     typeid(Target).name());
        throw nanobind::python_error();
    }
    // nanobind's own Source (an enum: nanobind's conversion and bindbridge's
    // are one caster, which nanobind already asks).
    nanobind::implicitly_convertible<Source, Target>();
    if constexpr (!std::is_enum<Source>::value)
        detail::nanobind_impl::compat::add_implicit_predicate(
            &typeid(Target), [](PyTypeObject*, PyObject* src, nanobind::detail::cleanup_list*) noexcept {
                return src != Py_None &&
                       detail::foreign_accepts(detail::nanobind_impl::record_for_import(),
                                               detail::nanobind_impl::cache_of<Source>(), typeid(Source), src);
            });
}

namespace detail {
namespace nanobind_impl {
inline void pin_or_throw(import_cache& cache, nanobind::handle type) {
    if (pin_at_run_time(cache, type.ptr()) != 0)
        throw nanobind::python_error();
}
} // namespace nanobind_impl
} // namespace detail

// The run-time form of BINDBRIDGE_NANOBIND_IMPORT_AS(T, "mod.Type"), for a
// Python type object in hand: T (declared with BINDBRIDGE_NANOBIND_IMPORT)
// maps to `type`, including a binding without C++ RTTI (a C framework's
// struct: the call asserts that T has its C layout, which nothing can
// check).  Applies to this shared object's casters of T.  Throws
// nanobind::python_error (not a type; T mapped to another type already).
template <typename T>
void import_type(nanobind::handle type) {
    using ours = detail::nanobind_impl::caster<T>;
    static_assert(std::is_base_of<ours, nanobind::detail::make_caster<T>>::value,
                  "bindbridge::import_type<T>: declare BINDBRIDGE_NANOBIND_IMPORT(T) first");
    detail::nanobind_impl::pin_or_throw(detail::nanobind_impl::cache_of<T>(), type);
}

// Publishes every nanobind class found in the module's namespace; returns
// how many it published.  Not enums: nanobind keeps no public record of an
// enum's C++ type and size, so publish those with export_type<E>.
inline size_t export_all(nanobind::module_& m) { return detail::nanobind_impl::export_module(m); }

// Opt-in: when a function of this module fails with "incompatible function
// arguments" and an argument is owned by another framework, the TypeError
// says why (a note on Python 3.11+, else appended to the message): which
// framework was tried for each wanted C++ type and why it refused.  Wraps
// the entry point of every function and method the module defines so far
// (call it last); on success the wrapper costs one thread-local read.
// Returns how many it wrapped.
inline size_t explain_failures(nanobind::module_& m) {
    if (!detail::nanobind_impl::domain_record())
        throw nanobind::python_error();
    return detail::for_each_callable(m.ptr(), [](PyObject* f, PyObject*) {
        if (!detail::nanobind_impl::is_nanobind_function(f))
            return false;
        return detail::wrap_vectorcall_object<detail::nanobind_impl::record_for_import>(
            f, "BINDBRIDGE_NANOBIND_IMPORT");
    });
}

// Opt-in, at the end of the module's initialisation (after importing the
// modules that own its foreign types): the forgotten declaration, caught
// at import.  Warns (RuntimeWarning, once per function and type) for each
// function or method of m whose signature names a type by its C++ name
// while another framework exports it and nanobind does not bind it: no
// IMPORT_AS declaration was visible where the function was bound, and its
// calls with a foreign object will fail.  Types declared by a plain
// BINDBRIDGE_NANOBIND_IMPORT are not checked (their signatures spell the
// C++ name too); the build-time -Wodr check covers those
// (docs/large-codebases.md).  Returns how many warnings it gave; throws
// nanobind::python_error where warnings are errors.
inline long check_imports(nanobind::module_& m) {
    detail::framework_record* rec = detail::nanobind_impl::domain_record();
    if (!rec)
        throw nanobind::python_error();
    long n = detail::check_declarations(
        rec, m.ptr(), detail::nanobind_impl::signature_name,
        [](const std::type_info& t) {
            return detail::nanobind_impl::compat::type_lookup(&t) != nullptr;
        },
        detail::nanobind_impl::is_nanobind_function, "BINDBRIDGE_NANOBIND_IMPORT");
    if (n < 0)
        throw nanobind::python_error();
    return n;
}

} // namespace bindbridge

#define BINDBRIDGE_NANOBIND_IMPORT(T)                                                         \
    BINDBRIDGE_NOTE_IMPORT_(::bindbridge::detail::nanobind_impl::domain_record, T, nullptr)   \
    namespace nanobind {                                                                      \
    namespace detail {                                                                        \
    template <>                                                                               \
    struct type_caster<T> : ::bindbridge::detail::nanobind_impl::caster_for<T> {};            \
    template <>                                                                               \
    struct type_caster<std::shared_ptr<T>>                                                    \
        : ::bindbridge::detail::nanobind_impl::shared_caster<T> {};                           \
    template <>                                                                               \
    struct type_caster<std::unique_ptr<T>>                                                    \
        : ::bindbridge::detail::nanobind_impl::unique_caster<T> {};                           \
    }                                                                                         \
    }

// The same, naming the type in signatures by its Python name ("pets.Pet")
// when this module does not bind it itself, and pinning returns to that
// Python type's binding whenever it is published (other exporters of T
// only when it is not).
#define BINDBRIDGE_NANOBIND_IMPORT_AS(T, PYNAME)                                              \
    BINDBRIDGE_PIN_OWNER_(T, PYNAME)                                                          \
    BINDBRIDGE_NOTE_IMPORT_(::bindbridge::detail::nanobind_impl::domain_record, T, PYNAME)    \
    namespace nanobind {                                                                      \
    namespace detail {                                                                        \
    template <>                                                                               \
    struct type_caster<T> : ::bindbridge::detail::nanobind_impl::caster<T> {                  \
        static constexpr auto Name = const_name(PYNAME);                                      \
    };                                                                                        \
    template <>                                                                               \
    struct type_caster<std::shared_ptr<T>>                                                    \
        : ::bindbridge::detail::nanobind_impl::shared_caster<T> {};                           \
    template <>                                                                               \
    struct type_caster<std::unique_ptr<T>>                                                    \
        : ::bindbridge::detail::nanobind_impl::unique_caster<T> {};                           \
    }                                                                                         \
    }

#if !defined(BINDBRIDGE_IMPORT)
#  define BINDBRIDGE_IMPORT(T) BINDBRIDGE_NANOBIND_IMPORT(T)
#  define BINDBRIDGE_IMPORT_AS(T, PYNAME) BINDBRIDGE_NANOBIND_IMPORT_AS(T, PYNAME)
#endif

#endif // BINDBRIDGE_NANOBIND_H
