// include/bindbridge/boost_python.h: the bindbridge adapter for Boost.Python modules (include after Boost.Python).
//
//   #include <boost/python.hpp>
//   #include <bindbridge/boost_python.h>
//
//   BINDBRIDGE_BOOST_PYTHON_IMPORT(Toy)    // at global scope: Toy may come from any framework
//
//   BOOST_PYTHON_MODULE(kites) {
//       boost::python::class_<Kite>("Kite") ...;
//       bindbridge::export_type<Kite>();   // publish one class or enum
//   }
//
// Export publishes Boost.Python classes and enums on the pymetabind
// registry and serves them to other frameworks: instances (and instances
// of Python subclasses, and of registered derived classes) as T, returns
// with every policy (Boost.Python keeps no registry of live instances, so
// a reference is always a new wrapper), exceptions its translators know.
//
// Import (the macro, in every translation unit that converts T, before
// the conversion) registers converters for T in Boost.Python's registry
// when the module's shared object is loaded, and specialises the result
// converters a return of T instantiates:
//   arguments  const T&, T&, T* (None is nullptr), T, std::shared_ptr<T>
//              (keeps the Python owner alive, or shares the owner's
//              holder), boost::shared_ptr<T>;
//   returns    T (return_by_value, copy_const_reference, the default),
//              T* and T& (reference_existing_object,
//              return_internal_reference, manage_new_object), and
//              std::shared_ptr<T>: to the owner's most-derived type.
// Boost.Python's registry is process-wide: converters registered by one
// module serve every Boost.Python module linking the same libboost_python
// (a module linking Boost.Python statically has a registry, and a
// bindbridge record, of its own).  docs/boost-python.md.
#ifndef BINDBRIDGE_BOOST_PYTHON_H
#define BINDBRIDGE_BOOST_PYTHON_H

#if !defined(BOOST_PYTHON_MODULE)
#  error "bindbridge/boost_python.h: include <boost/python.hpp> first"
#endif

#include <algorithm>
#include <cstddef>

#include "boost_python/adapter.h"
#include "runtime/bases.h"
#include "runtime/explain.h"
#include "runtime/imports.h"

namespace bindbridge {

// Publishes the Boost.Python binding of T (a class_ or an enum_ bound
// before) on the registry.  Exporting twice is harmless.  Throws
// boost::python::error_already_set (T not bound).
//
// Bases: C++ base classes of T that another framework binds (bind T with
// class_<T> alone: Boost.Python's bases<> must be its own classes), as in
// class_<T, bases<...>>.  Every bindbridge importer of a Base then takes a
// T; a base nobody binds is a TypeError here.
template <typename T, typename... Bases>
void export_type() {
    namespace impl = detail::boost_python_impl;
    const boost::python::converter::registration* reg = impl::native_registration(typeid(T));
    if (!reg)
        impl::throw_not_bound(typeid(T));
    impl::export_registered(typeid(T), impl::context_of<T>(reg), reg);
    if (sizeof...(Bases) != 0 &&
        detail::publish_bases<T, Bases...>(impl::domain_record(), impl::binding_of_type(typeid(T)),
                                           impl::bound_natively) != 0)
        boost::python::throw_error_already_set();
}

// bindbridge::isinstance<T>(obj): an instance Boost.Python converts to T
// as it is, or an object of another framework a
// BINDBRIDGE_BOOST_PYTHON_IMPORT(T) argument would take.
template <typename T>
bool isinstance(boost::python::object obj) {
    if (boost::python::objects::find_instance_impl(obj.ptr(), boost::python::type_id<T>()))
        return true;
    return obj.ptr() != Py_None &&
           detail::foreign_accepts(detail::boost_python_impl::record_for_import(),
                                   detail::boost_python_impl::cache_of<T>(), typeid(T), obj.ptr());
}

// Boost.Python's with_custodian_and_ward_postcall<Nurse, Patient> (0 is
// the result, 1.. the arguments) for a nurse any framework may own: the
// patient is tied through the nurse's own framework (a nanobind object
// takes no weak reference), else by Boost.Python's weak-reference life
// support, as natively.
template <std::size_t Nurse, std::size_t Patient, class Base = boost::python::default_call_policies>
struct keep_alive : Base {
    static_assert(Nurse != Patient, "bindbridge::keep_alive: the nurse is the patient");

    template <class ArgumentPackage>
    static PyObject* postcall(const ArgumentPackage& args, PyObject* result) {
        if ((std::max)(Nurse, Patient) > static_cast<std::size_t>(boost::python::detail::arity(args))) {
            PyErr_SetString(PyExc_IndexError, "bindbridge::keep_alive: argument index out of range");
            return nullptr;
        }
        PyObject* patient = boost::python::detail::get_prev<Patient>::execute(args, result);
        PyObject* nurse = boost::python::detail::get_prev<Nurse>::execute(args, result);
        if (!nurse)
            return nullptr;
        result = Base::postcall(args, result);
        if (!result)
            return nullptr;
        if (nurse == Py_None || patient == Py_None || detail::keep_alive_by_nurse(nurse, patient))
            return result;
        if (!boost::python::objects::make_nurse_and_patient(nurse, patient)) {
            Py_DECREF(result);
            return nullptr;
        }
        return result;
    }
};

} // namespace bindbridge

// Specialisations, in Boost.Python's namespaces: the by-value result
// converters (T& for copy_non_const_reference), the shared_ptr result
// converters, the reference and owning holders (an enum's by value).
#define BINDBRIDGE_BOOST_PYTHON_RESULTS_(T)                                                   \
    namespace boost {                                                                         \
    namespace python {                                                                        \
    template <>                                                                               \
    struct to_python_value<T const&> : ::bindbridge::detail::boost_python_impl::value_converter<T> {}; \
    template <>                                                                               \
    struct to_python_value<T&> : ::bindbridge::detail::boost_python_impl::value_converter<T> {}; \
    template <>                                                                               \
    struct to_python_value<std::shared_ptr<T> const&>                                        \
        : ::bindbridge::detail::boost_python_impl::shared_converter<T> {};                    \
    template <>                                                                               \
    struct to_python_value<std::shared_ptr<T>&>                                              \
        : ::bindbridge::detail::boost_python_impl::shared_converter<T> {};                    \
    namespace detail {                                                                        \
    template <>                                                                               \
    inline PyObject* make_reference_holder::execute<T>(T * p) {                               \
        return ::bindbridge::detail::boost_python_impl::reference_to_python<T>(p);            \
    }                                                                                         \
    template <>                                                                               \
    inline PyObject* make_owning_holder::execute<T>(T * p) {                                  \
        return ::bindbridge::detail::boost_python_impl::owning_to_python<T>(p);               \
    }                                                                                         \
    }                                                                                         \
    }                                                                                         \
    }

#define BINDBRIDGE_BOOST_PYTHON_REGISTER_(T, PYNAME)                                          \
    BINDBRIDGE_NOTE_IMPORT_(::bindbridge::detail::boost_python_impl::domain_record, T, PYNAME)  \
    namespace bindbridge {                                                                    \
    namespace detail {                                                                        \
    namespace {                                                                               \
    BINDBRIDGE_UNUSED_ const bool BINDBRIDGE_CAT_(boost_python_import_, __COUNTER__) =         \
        ::bindbridge::detail::boost_python_impl::declare_import<T>();                         \
    }                                                                                         \
    }                                                                                         \
    }

// A class or enum T that another framework may own.
#define BINDBRIDGE_BOOST_PYTHON_IMPORT(T)                                                     \
    BINDBRIDGE_BOOST_PYTHON_REGISTER_(T, nullptr)                                             \
    BINDBRIDGE_BOOST_PYTHON_RESULTS_(T)

// The same, pinning T's owner to the Python type PYNAME ("mod.Type") for
// returns whenever it is published, and taking a binding without C++ RTTI
// (a C framework's struct) of that Python type as T.
#define BINDBRIDGE_BOOST_PYTHON_IMPORT_AS(T, PYNAME)                                          \
    BINDBRIDGE_PIN_OWNER_(T, PYNAME)                                                          \
    BINDBRIDGE_BOOST_PYTHON_REGISTER_(T, PYNAME)                                              \
    BINDBRIDGE_BOOST_PYTHON_RESULTS_(T)

#if !defined(BINDBRIDGE_IMPORT)
#  define BINDBRIDGE_IMPORT(T) BINDBRIDGE_BOOST_PYTHON_IMPORT(T)
#  define BINDBRIDGE_IMPORT_AS(T, PYNAME) BINDBRIDGE_BOOST_PYTHON_IMPORT_AS(T, PYNAME)
#endif

#endif // BINDBRIDGE_BOOST_PYTHON_H
