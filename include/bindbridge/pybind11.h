// include/bindbridge/pybind11.h: the bindbridge adapter for pybind11 modules (include after pybind11).
//
//   #include <pybind11/pybind11.h>
//   #include <bindbridge/pybind11.h>
//
//   BINDBRIDGE_PYBIND11_IMPORT(Pet)      // at global scope: Pet may come from any framework
//
//   PYBIND11_MODULE(groomer, m) {
//       py::class_<Dog>(m, "Dog") ...;
//       bindbridge::export_type<Dog>(m);  // publish one type (copy/move returns served)
//       bindbridge::export_all(m);        // or every pybind11 type bound in m so far
//       bindbridge::enable_module_local_hook(m); // opt-in, pybind11 3.1: no IMPORT needed for args
//   }
//
// Export publishes pybind11 types on the pymetabind registry and serves
// them to other frameworks (from_python, to_python with every policy,
// keep_alive, exception translation); py::keep_alive with a nurse another
// framework owns ties the patient through that framework.  Import (the macro) specialises
// pybind11's type_caster<T> and type_caster<std::shared_ptr<T>> so that
// functions taking or returning T accept and produce objects owned by any
// framework on the registry: native pybind11 first, then foreign bindings
// in import order, zero-copy.
#ifndef BINDBRIDGE_PYBIND11_H
#define BINDBRIDGE_PYBIND11_H

#if !defined(PYBIND11_VERSION_HEX)
#  error "bindbridge/pybind11.h: include <pybind11/pybind11.h> first"
#endif

#include <cstring>

#include "pybind11/adapter.h"
#include "pybind11/hook.h"
#include "pybind11/keep_alive.h"
#include "runtime/bases.h"
#include "runtime/explain.h"
#include "runtime/imports.h"

namespace bindbridge {

// Publishes the pybind11 binding of T (bound with py::class_ or py::enum_
// in this domain) on the registry.  Also registers T's copy and move
// constructors, so other frameworks can return T by value into pybind11.
// Exporting twice is harmless.  Throws pybind11::error_already_set.
//
// Bases: C++ base classes of T that another framework binds (bind T with
// py::class_<T> without them: pybind11 cannot have a foreign base), listed
// as in py::class_.  Every bindbridge importer of a Base (const&, &, *,
// shared_ptr) then takes a T; a base nobody binds is a TypeError here.
//
// A py::native_enum (pybind11 3.x) is published with its enum.Enum class
// as the Python type: other frameworks take its members and return them
// (the members themselves, by value).  export_all does not find those: it
// sees a Python class without pybind11's record of the C++ type and size.
template <typename T, typename... Bases>
void export_type(const pybind11::module_& scope) {
    (void) scope;
    if (detail::pybind11_impl::export_if_native_enum<T>())
        return;
    detail::pybind11_impl::export_one(typeid(T), detail::pybind11_impl::copy_ctor<T>(),
                                      detail::pybind11_impl::move_ctor<T>());
    if (sizeof...(Bases) != 0 &&
        detail::publish_bases<T, Bases...>(detail::pybind11_impl::domain_record(),
                                           detail::pybind11_impl::binding_of_type(typeid(T)),
                                           detail::pybind11_impl::binds_natively) != 0)
        throw pybind11::error_already_set();
}

// Publishes every pybind11 type found in the module's namespace (without
// compile-time C++ types: by-value returns into such a type fall back to
// a heap copy made by the caller).  Returns how many types it published.
inline size_t export_all(const pybind11::module_& m) { return detail::pybind11_impl::export_module(m); }

// Opt-in: when a function of this module fails with "incompatible function
// arguments" and an argument is owned by another framework, the TypeError
// says why (a note on Python 3.11+, else appended to the message): which
// framework was tried for each wanted C++ type and why it refused.  Wraps
// the entry point of every function and method the module defines so far
// (call it last); on success the wrapper costs one thread-local read.
// Returns how many it wrapped.
inline size_t explain_failures(const pybind11::module_& m) {
    if (!detail::pybind11_impl::domain_record())
        throw pybind11::error_already_set();
    return detail::for_each_callable(m.ptr(), [](PyObject* f, PyObject*) {
        if (!detail::pybind11_impl::is_pybind11_function(f))
            return false;
        return detail::wrap_builtin_function<detail::pybind11_impl::record_for_import>(
            f, "BINDBRIDGE_PYBIND11_IMPORT");
    });
}

// Opt-in, at the end of the module's initialisation (after importing the
// modules that own its foreign types): the forgotten declaration, caught
// at import.  Warns (RuntimeWarning, once per function and type) for each
// function or method of m whose signature names a type by its C++ name
// while another framework exports it and pybind11 does not bind it: no
// IMPORT_AS declaration was visible where the function was bound, and its
// calls with a foreign object will fail.  Types declared by a plain
// BINDBRIDGE_PYBIND11_IMPORT are not checked (their signatures spell the
// C++ name too); the build-time -Wodr check covers those
// (docs/large-codebases.md).  Returns how many warnings it gave; throws
// pybind11::error_already_set where warnings are errors.
inline long check_imports(const pybind11::module_& m) {
    detail::framework_record* rec = detail::pybind11_impl::domain_record();
    if (!rec)
        throw pybind11::error_already_set();
    long n = detail::check_declarations(
        rec, m.ptr(),
        [](const std::type_info& t) { return pybind11::detail::clean_type_id(t.name()); },
        [](const std::type_info& t) { return pybind11::detail::get_type_info(t) != nullptr; },
        detail::pybind11_impl::is_pybind11_function, "BINDBRIDGE_PYBIND11_IMPORT");
    if (n < 0)
        throw pybind11::error_already_set();
    return n;
}

// py::isinstance<T>(obj), also true for an object of another framework
// that converts to T as it is (no implicit conversion), as a
// BINDBRIDGE_PYBIND11_IMPORT(T) argument would take it.  (py::isinstance<T>
// itself asks pybind11's registry only.)
template <typename T>
bool isinstance(pybind11::handle obj) {
    if (!obj)
        return false;
    if (pybind11::isinstance<T>(obj))
        return true;
    return detail::foreign_accepts(detail::pybind11_impl::record_for_import(),
                                   detail::pybind11_impl::cache_of<T>(), typeid(T), obj.ptr());
}

// py::implicitly_convertible<Source, Target>(), spelled as in the other
// adapters.  pybind11's own already takes a foreign Source when a
// BINDBRIDGE_PYBIND11_IMPORT[_AS](Source) is visible here (it loads Source
// with its type_caster), so this only forwards; a parameter of Target then
// takes a foreign Source through Target's constructor from it.
template <typename Source, typename Target>
void implicitly_convertible() {
    pybind11::implicitly_convertible<Source, Target>();
}

// The run-time form of BINDBRIDGE_PYBIND11_IMPORT_AS(T, "mod.Type"), for a
// Python type object in hand: T (declared with BINDBRIDGE_PYBIND11_IMPORT)
// maps to `type`, including a binding without C++ RTTI (a C framework's
// struct: the call asserts that T has its C layout, which nothing can
// check).  Applies to this shared object's casters of T.  Throws
// pybind11::error_already_set (not a type; T mapped to another type already).
template <typename T>
void import_type(pybind11::handle type) {
    static_assert(std::is_base_of<detail::pybind11_impl::caster<T>, pybind11::detail::make_caster<T>>::value,
                  "bindbridge::import_type<T>: declare BINDBRIDGE_PYBIND11_IMPORT(T) first");
    if (detail::pin_at_run_time(detail::pybind11_impl::cache_of<T>(), type.ptr()) != 0)
        throw pybind11::error_already_set();
}

enum class hook_gate {
    pybind11_versions, // only where bindbridge's tests show the hook safe
    ignore_for_tests,  // anywhere: for the tests that show the hazards
};

// Opt-in zero-code import for pybind11 functions: puts pybind11's
// module-local loader attribute on every type exported by another
// framework (now, and as new ones are exported), so a pybind11 function
// taking T accepts a foreign T with no BINDBRIDGE_PYBIND11_IMPORT(T).  It
// acts process-wide: every pybind11 module with the same internals version
// and platform ABI reads the attribute, including modules without
// bindbridge.  Exact C++ type only (no upcasts), arguments only (returns
// still need the declaration), and std::unique_ptr<T> parameters raise
// RuntimeError for foreign objects (pybind11 cannot take ownership), which
// ends overload resolution: put const T& overloads first.
//
// Only on pybind11 3.1 (internals v12); on older versions it returns false
// and warns (RuntimeWarning) why.  docs/zero-code.md has the details.
inline bool enable_module_local_hook(const pybind11::module_& m,
                                     hook_gate gate = hook_gate::pybind11_versions) {
    return detail::pybind11_impl::enable_hook(m, gate == hook_gate::ignore_for_tests);
}

} // namespace bindbridge

// Both import macros: type_caster<T> and its holders' casters, each with MEMBERS.
#define BINDBRIDGE_PYBIND11_CASTERS_(T, MEMBERS)                                              \
    namespace pybind11 {                                                                      \
    namespace detail {                                                                        \
    template <>                                                                               \
    class type_caster<T> : public ::bindbridge::detail::pybind11_impl::caster<T> {            \
        MEMBERS                                                                               \
    };                                                                                        \
    template <>                                                                               \
    class type_caster<std::shared_ptr<T>>                                                     \
        : public ::bindbridge::detail::pybind11_impl::shared_caster<T> {                      \
        MEMBERS                                                                               \
    };                                                                                        \
    template <>                                                                               \
    class type_caster<std::unique_ptr<T>>                                                     \
        : public ::bindbridge::detail::pybind11_impl::unique_caster<T> {                      \
        MEMBERS                                                                               \
    };                                                                                        \
    template <typename D>                                                                     \
    class type_caster<std::unique_ptr<T, D>>                                                  \
        : public ::bindbridge::detail::pybind11_impl::custom_deleter_caster<T, D> {           \
        MEMBERS                                                                               \
    };                                                                                        \
    }                                                                                         \
    }

// T may arrive from (and return to) any framework: native pybind11 first,
// then foreign bindings in import order.  At global scope, visible in every
// translation unit that converts T.
#define BINDBRIDGE_PYBIND11_IMPORT(T)                                                         \
    BINDBRIDGE_NOTE_IMPORT_(::bindbridge::detail::pybind11_impl::domain_record, T, nullptr)   \
    BINDBRIDGE_PYBIND11_CASTERS_(T, )

// The same, naming the type in signatures by its Python name ("pets.Pet")
// when this module does not bind it itself, and pinning returns to that
// Python type's binding whenever it is published (other exporters of T
// only when it is not).
#define BINDBRIDGE_PYBIND11_IMPORT_AS(T, PYNAME)                                              \
    BINDBRIDGE_PIN_OWNER_(T, PYNAME)                                                          \
    BINDBRIDGE_NOTE_IMPORT_(::bindbridge::detail::pybind11_impl::domain_record, T, PYNAME)    \
    BINDBRIDGE_PYBIND11_CASTERS_(T, public: static constexpr auto name = const_name(PYNAME);)

#if !defined(BINDBRIDGE_IMPORT)
#  define BINDBRIDGE_IMPORT(T) BINDBRIDGE_PYBIND11_IMPORT(T)
#  define BINDBRIDGE_IMPORT_AS(T, PYNAME) BINDBRIDGE_PYBIND11_IMPORT_AS(T, PYNAME)
#endif

#endif // BINDBRIDGE_PYBIND11_H
