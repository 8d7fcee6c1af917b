// include/bindbridge/boost_python/adapter.h: Boost.Python adapter internals (detail::boost_python_impl), not API.
//
// One framework record per Boost.Python converter registry: the registry
// lives in the libboost_python shared library, so every module linking
// that library shares it (and this record), while a module linking
// Boost.Python statically has a registry, and a record, of its own.
//
// Serving: instances through Boost.Python's own instance lookup
// (find_instance_impl, which also finds registered bases), copies through
// the registry's by-value converter, references and ownership through the
// per-type functions export_type<T> instantiates, exceptions through
// Boost.Python's handler chain.  Boost.Python keeps no registry of live
// instances: every reference it returns is a new wrapper.
//
// Importing: the registry is process-wide and converters are looked up at
// run time, so an import registers converters for T (an lvalue converter,
// which also serves rvalues, and shared_ptr converters) once per shared
// object when it is loaded, and specialises the result converters
// (to_python_value, make_reference_holder, make_owning_holder) that a
// return of T instantiates.  Converters a module registers serve every
// Boost.Python module of the process.
#ifndef BINDBRIDGE_BOOST_PYTHON_ADAPTER_H
#define BINDBRIDGE_BOOST_PYTHON_ADAPTER_H

#include <boost/python/converter/registry.hpp>
#include <boost/python/converter/rvalue_from_python_data.hpp>
#include <boost/python/converter/shared_ptr_from_python.hpp>
#include <boost/python/detail/exception_handler.hpp>
#include <boost/python/errors.hpp>
#include <boost/python/object/find_instance.hpp>
#include <boost/python/object/life_support.hpp>
#include <boost/python/with_custodian_and_ward.hpp>
#include <boost/python/object/make_ptr_instance.hpp>
#include <boost/python/object/pointer_holder.hpp>
#include <boost/python/wrapper.hpp>
#include <boost/version.hpp>

#include <cstdio>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <type_traits>
#include <typeinfo>

#include "../runtime/enums.h"
#include "../runtime/runtime.h"
#include "../runtime/returns.h"
#include "../conduit/consume.h"
#include "../conduit/serve.h"

namespace bindbridge {
namespace detail {
namespace boost_python_impl {

namespace bp = ::boost::python;

// The adapter's tag: returns resolve dynamic types by C++ RTTI, as
// Boost.Python does (typeid(*p)).
struct tag : rtti_dynamic {};

// binding->context of our published types.  `reference` and `take` are
// instantiated for the C++ type by export_type<T>; copies go through the
// registration's own by-value converter (registered by class_ for a
// copyable T, by enum_ for an enum).
struct type_context {
    const bp::converter::registration* reg;
    PyObject* (*reference)(void*) = nullptr; // a new wrapper referring to the object
    PyObject* (*take)(void*) = nullptr;      // a new wrapper owning it (the caller keeps it on failure)
    uint8_t enum_size = 0;                   // 0: a class
    bool enum_signed = false;
};

inline uint32_t record_layout() noexcept { return layout_fingerprint({sizeof(type_context)}); }

// The domain: the converter registry's library, told apart by the address
// of its exception handler chain (a static member of that library).
inline std::string domain_key() {
    char addr[2 + 2 * sizeof(void*) + 1];
    std::snprintf(addr, sizeof addr, "%p", static_cast<void*>(&bp::detail::exception_handler::chain));
    return record_key(std::string("boost_python_") + BOOST_LIB_VERSION + "_" + addr, record_layout());
}

// ---------------------------------------------------------------------------
// Serving.
// ---------------------------------------------------------------------------
inline void* serve_from_python(bbr_binding* binding, PyObject* obj, uint8_t, keep_referenced_fn keep,
                               void* ctx) noexcept {
    auto* ti = static_cast<const std::type_info*>(binding->native_type);
    auto* tc = static_cast<const type_context*>(binding->context);
    if (tc->enum_size) {
        // enum_ members are int subclasses: by value, into a buffer the
        // caller keeps.
        if (!keep || !PyObject_TypeCheck(obj, binding->pytype))
            return nullptr;
        long long v = PyLong_AsLongLong(obj);
        if (v == -1 && PyErr_Occurred()) {
            PyErr_Clear();
            return nullptr;
        }
        return kept_enum_value(v, tc->enum_size, keep, ctx);
    }
    // Instances of Boost.Python classes only (never a converter of the
    // registry's chains, which may be an importer's: no bouncing).
    try {
        return bp::objects::find_instance_impl(obj, bp::type_info(*ti));
    } catch (...) {
        if (PyErr_Occurred())
            PyErr_Clear();
        return nullptr;
    }
}

inline PyObject* serve_to_python(bbr_binding* binding, void* cobj, bbr_rv_policy rvp,
                                 bbr_to_python_feedback* feedback) noexcept {
    auto* tc = static_cast<const type_context*>(binding->context);
    feedback->relocate = 0;
    feedback->is_new = 0;
    // No instance registry: there is never an existing wrapper to find
    // (BBR_RV_NONE, and the undefined values the spec treats as it).
    if (!cobj || rvp < BBR_RV_TAKE_OWNERSHIP || rvp > BBR_RV_SHARE_OWNERSHIP)
        return nullptr;
    serving_guard guard;
    PyObject* r = nullptr;
    try {
        if (tc->enum_size) {
            r = tc->reg->to_python(cobj); // (reads sizeof(E) bytes: the caller's E)
            if (r && rvp == BBR_RV_TAKE_OWNERSHIP)
                ::operator delete(cobj);
            return r; // enum members exist already: is_new stays 0
        }
        if (rvp == BBR_RV_COPY || rvp == BBR_RV_MOVE) // (Boost.Python does not move)
            r = tc->reg->to_python(cobj);
        else if (rvp == BBR_RV_TAKE_OWNERSHIP)
            r = tc->take(cobj);
        else // reference; share_ownership: the keep-alive follows
            r = tc->reference(cobj);
    } catch (bp::error_already_set&) {
        return nullptr;
    } catch (const std::bad_alloc&) {
        return PyErr_NoMemory();
    } catch (...) {
        PyErr_Format(PyExc_RuntimeError, "bindbridge: Boost.Python could not convert a C++ %s",
                     binding->source_name);
        return nullptr;
    }
    feedback->is_new = r && r != Py_None ? 1 : 0;
    return r;
}

// Boost.Python has no keep-alive of its own for an arbitrary payload: the
// runtime's weak reference does it (its instances are weak-referenceable).
inline int serve_keep_alive(PyObject*, void*, void (*)(void*) noexcept) noexcept { return 0; }

// Boost.Python's own exceptions (error_already_set) and those its
// registered translators turn into a non-builtin Python exception type
// count as translated; its defaults (std::exception to RuntimeError and
// the like) must not claim another framework's exceptions.
inline int serve_translate_exception(void* eptr_void) noexcept {
    auto& eptr = *static_cast<std::exception_ptr*>(eptr_void);
    bool own = false;
    try {
        std::rethrow_exception(eptr);
    } catch (bp::error_already_set&) {
        own = true;
    } catch (...) {
    }
    serving_guard guard;
    bool handled = false;
    try {
        handled = bp::handle_exception([&] { std::rethrow_exception(eptr); });
    } catch (...) {
        return 0;
    }
    if (!handled) {
        PyErr_Clear();
        return 0;
    }
    return claim_translation(own);
}

inline void free_local_binding(bbr_binding* b) noexcept {
    delete static_cast<type_context*>(b->context);
    free_binding(b);
}

inline framework_record*& cached_record() noexcept {
    static framework_record* rec = nullptr;
    return rec;
}

// Other frameworks' exceptions, in Boost.Python's handler chain: asked
// after the translators registered before it, before its defaults.
inline bool translate_foreign_exceptions(const bp::detail::exception_handler& next,
                                         const boost::function0<void>& f) {
    try {
        return next(f);
    } catch (bp::error_already_set&) {
        throw;
    } catch (...) {
        translate_or_rethrow(cached_record(), std::current_exception());
        return true;
    }
}

inline framework_record* domain_record() {
    framework_record*& rec = cached_record();
    if (rec)
        return rec;
    rec = get_or_create_record<tag>(domain_key(), record_layout(), [](framework_record& r) {
        r.name = "Boost.Python " + std::to_string(BOOST_VERSION / 100000) + "." +
                 std::to_string(BOOST_VERSION / 100 % 1000) + "." + std::to_string(BOOST_VERSION % 100);
        set_serving(r, {serve_from_python, serve_to_python, serve_keep_alive, serve_translate_exception,
                        free_local_binding});
        consume_conduits(r); // objects of unmodified pybind11 modules, last
        // Not leak-safe: Boost.Python never frees its classes.  No native
        // pymetabind build of Boost.Python exists (is_native_build stays
        // null).
        try {
            bp::detail::register_exception_handler(&translate_foreign_exceptions);
        } catch (const std::exception& e) {
            PyErr_SetString(PyExc_ImportError, e.what());
            return false;
        }
        return true;
    });
    return rec;
}

inline framework_record* record_for_import() noexcept {
    return record_or_null<cached_record, domain_record>();
}

// Boost.Python's registration of ti when it binds ti itself (a class_ or
// enum_ made its class object), else nullptr.
inline const bp::converter::registration* native_registration(const std::type_info& ti) noexcept {
    const bp::converter::registration* reg = bp::converter::registry::query(bp::type_info(ti));
    return reg && reg->m_class_object ? reg : nullptr;
}

inline bool bound_natively(const std::type_info& ti) noexcept { return native_registration(ti) != nullptr; }

template <typename T>
bool bound_here() noexcept {
    return ::bindbridge::detail::natively_bound<tag, T>(bound_natively);
}

// ---------------------------------------------------------------------------
// Export.
// ---------------------------------------------------------------------------
// A new wrapper referring to p; as Boost.Python's own reference returns, an
// object made from Python through a bp::wrapper<T> trampoline comes back as
// that Python object.
template <typename T>
PyObject* reference_instance(void* p) {
    T* t = static_cast<T*>(p);
    if (PyObject* self = bp::detail::wrapper_base_::owner(t)) {
        Py_INCREF(self);
        return self;
    }
    return bp::objects::make_ptr_instance<T, bp::objects::pointer_holder<T*, T>>::execute(t);
}

template <typename T>
PyObject* owning_instance(void* p) {
    std::unique_ptr<T> owner(static_cast<T*>(p));
    PyObject* r = nullptr;
    try {
        r = bp::objects::make_ptr_instance<T, bp::objects::pointer_holder<std::unique_ptr<T>, T>>::execute(owner);
    } catch (...) {
        (void) owner.release(); // the caller keeps what it could not give
        throw;
    }
    if (owner) // not taken (no class object): the caller keeps it
        (void) owner.release();
    return r;
}

template <typename T, typename std::enable_if<!std::is_enum<T>::value, int>::type = 0>
type_context context_of(const bp::converter::registration* reg) {
    type_context tc{reg};
    tc.reference = reference_instance<T>;
    tc.take = owning_instance<T>;
    return tc;
}
template <typename T, typename std::enable_if<std::is_enum<T>::value, int>::type = 0>
type_context context_of(const bp::converter::registration* reg) {
    type_context tc{reg};
    tc.enum_size = sizeof(T);
    tc.enum_signed = std::is_signed<typename std::underlying_type<T>::type>::value;
    return tc;
}

inline void export_registered(const std::type_info& ti, const type_context& tc_of_t,
                              const bp::converter::registration* reg) {
    framework_record* rec = domain_record();
    if (!rec)
        bp::throw_error_already_set();
    if (export_binding(rec, reg->m_class_object, &ti, tc_of_t, [](type_context&) {}, !tc_of_t.enum_size) != 0)
        bp::throw_error_already_set();
}

// For export_type<T, Bases...>: the published binding of T's Python type
// (ours, or the framework we stepped aside for).
inline const bbr_binding* binding_of_type(const std::type_info& ti) {
    const bp::converter::registration* reg = native_registration(ti);
    bbr_binding* b = reg ? bbr_get_binding(reinterpret_cast<PyObject*>(reg->m_class_object)) : nullptr;
    if (!b || b->pytype != reg->m_class_object) {
        PyErr_Format(PyExc_TypeError, "bindbridge.export_type: %s is not published", source_name_of(ti).c_str());
        bp::throw_error_already_set();
    }
    return b;
}

[[noreturn]] inline void throw_not_bound(const std::type_info& ti) {
    PyErr_Format(PyExc_TypeError,
                 "bindbridge.export_type: C++ type %s is not bound by Boost.Python (bind it with "
                 "class_ or enum_ before exporting)",
                 source_name_of(ti).c_str());
    bp::throw_error_already_set();
    throw 0; // (not reached)
}

// ---------------------------------------------------------------------------
// Import: the converters behind BINDBRIDGE_BOOST_PYTHON_IMPORT(T).
// ---------------------------------------------------------------------------
template <typename T>
import_cache& cache_of() noexcept {
    return ::bindbridge::detail::cache_of<tag, T>();
}

// The signatures' Python type of a foreign T: its first foreign binding's.
template <typename T>
const PyTypeObject* foreign_pytype() {
    if (const bp::converter::registration* reg = native_registration(typeid(T)))
        return reg->m_class_object;
    bbr_binding* b = first_foreign(record_for_import(), cache_of<T>(), typeid(T));
    return b ? b->pytype : nullptr;
}

// The lvalue converter: an object of another framework, as it is (Boost.Python
// also takes lvalue converters for rvalues: const T&, T).  Boost.Python's own
// instances fall through to the class's converter.
template <typename T>
void* load_lvalue(PyObject* obj) {
    if (obj == Py_None)
        return nullptr;
    return load_foreign(record_for_import(), cache_of<T>(), typeid(T), obj, false, nullptr, nullptr);
}

// std::shared_ptr<T> from a foreign object (Boost.Python's own instances
// are its class's converters'): sharing the owner's holder, an
// enable_shared_from_this owner, or keeping the Python object alive.
template <typename T>
void* shared_convertible(PyObject* obj) {
    return obj == Py_None ? obj : load_lvalue<T>(obj);
}
template <typename T>
void shared_construct(PyObject* obj, bp::converter::rvalue_from_python_stage1_data* data) {
    void* storage = reinterpret_cast<bp::converter::rvalue_from_python_storage<std::shared_ptr<T>>*>(data)
                        ->storage.bytes;
    if (data->convertible == obj && obj == Py_None) {
        new (storage) std::shared_ptr<T>();
    } else {
        T* p = static_cast<T*>(data->convertible);
        std::shared_ptr<T> sp = share_loaded(p, obj, cache_of<T>());
        if (!sp)
            throw std::bad_alloc();
        new (storage) std::shared_ptr<T>(std::move(sp));
    }
    data->convertible = storage;
}

// An enum of another framework: its value (the owner's buffer is dropped
// at once).  The rvalue converter's convertible step checks, its construct
// step reads again.
template <typename E>
bool load_enum(PyObject* obj, E* out) {
    return load_foreign_copy(record_for_import(), cache_of<E>(), typeid(E), obj, out, out ? sizeof(E) : 0);
}
template <typename E>
void* enum_convertible(PyObject* obj) {
    return load_enum<E>(obj, nullptr) ? obj : nullptr;
}
template <typename E>
void enum_construct(PyObject* obj, bp::converter::rvalue_from_python_stage1_data* data) {
    void* storage = reinterpret_cast<bp::converter::rvalue_from_python_storage<E>*>(data)->storage.bytes;
    E value{};
    if (!load_enum<E>(obj, &value)) {
        PyErr_Format(PyExc_TypeError, "bindbridge: %s no longer converts to C++ %s", Py_TYPE(obj)->tp_name,
                     source_name_of(typeid(E)).c_str());
        bp::throw_error_already_set();
    }
    new (storage) E(value);
    data->convertible = storage;
}

// Registers T's converters once per shared object (at load: C++ work
// only, no Python call).
template <typename T, typename std::enable_if<!std::is_enum<T>::value, int>::type = 0>
void register_converters() {
    bp::converter::registry::insert(&load_lvalue<T>, bp::type_id<T>(), &foreign_pytype<T>);
    bp::converter::registry::insert(&shared_convertible<T>, &shared_construct<T>,
                                    bp::type_id<std::shared_ptr<T>>(), &foreign_pytype<T>);
    // boost::shared_ptr<T>: Boost.Python's own converter, over the lvalue
    // converter above (it keeps the Python object alive).
    bp::converter::shared_ptr_from_python<T, boost::shared_ptr>();
}
template <typename T, typename std::enable_if<std::is_enum<T>::value, int>::type = 0>
void register_converters() {
    bp::converter::registry::insert(&enum_convertible<T>, &enum_construct<T>, bp::type_id<T>(),
                                    &foreign_pytype<T>);
}

template <typename T>
bool declare_import() noexcept {
    static bool done = false; // one registration per shared object, however many TUs declare T
    if (!done) {
        done = true;
        try {
            register_converters<T>();
        } catch (...) {
        }
    }
    return true;
}

// --- returns ---------------------------------------------------------------
template <typename T>
bool goes_foreign(const T* p) noexcept {
    if (!bound_here<T>())
        return true;
    return std::is_polymorphic<T>::value && p &&
           ::bindbridge::detail::dynamic_goes_foreign<tag, T>(record_for_import, p, bound_natively);
}

inline PyObject* checked(PyObject* r) {
    if (!r)
        bp::throw_error_already_set();
    return r;
}

// By value (return_by_value, copy_const_reference, the default).
template <typename T>
struct value_converter {
    PyObject* operator()(const T& x) const {
        if (!goes_foreign(&x))
            return bp::converter::registered<T>::converters.to_python(&x);
        return checked(return_to_foreign<tag, T>(record_for_import(), &x, BBR_RV_COPY, nullptr,
                                                  "Boost.Python"));
    }
    const PyTypeObject* get_pytype() const { return foreign_pytype<T>(); }
    BOOST_STATIC_CONSTANT(bool, uses_registry = false);
};

// reference_existing_object (and return_internal_reference, whose
// keep-alive Boost.Python adds on the result).
template <typename T>
PyObject* reference_to_python(T* p, std::false_type) {
    if (!goes_foreign(p))
        return reference_instance<T>(p);
    return checked(return_to_foreign<tag, T>(record_for_import(), p, BBR_RV_REFERENCE, nullptr, "Boost.Python"));
}
template <typename E>
PyObject* reference_to_python(E* p, std::true_type) { // (an enum: by value)
    if (!p)
        return bp::detail::none();
    return value_converter<E>()(*p);
}
template <typename T>
PyObject* reference_to_python(T* p) {
    return reference_to_python(p, std::is_enum<T>());
}

// manage_new_object.
template <typename T>
PyObject* owning_to_python(T* p, std::false_type) {
    std::unique_ptr<T> owner(p); // deletes the object if nobody takes it
    if (!p || !goes_foreign(p))
        return bp::objects::make_ptr_instance<T, bp::objects::pointer_holder<std::unique_ptr<T>, T>>::execute(owner);
    return checked(give_to_foreign<tag, T>(record_for_import(), owner, "Boost.Python"));
}
template <typename E>
PyObject* owning_to_python(E* p, std::true_type) {
    std::unique_ptr<E> owner(p);
    return reference_to_python(p, std::true_type());
}
template <typename T>
PyObject* owning_to_python(T* p) {
    return owning_to_python(p, std::is_enum<T>());
}

// std::shared_ptr<T> returns.
template <typename T>
struct shared_converter {
    PyObject* operator()(const std::shared_ptr<T>& x) const {
        if (!x)
            return bp::detail::none();
        // One that came from Python (either framework's) is its object.
        if (const py_owner_release* d = std::get_deleter<py_owner_release>(x)) {
            Py_INCREF(d->owner);
            return d->owner;
        }
        if (!goes_foreign(x.get()))
            return bp::converter::shared_ptr_to_python(x);
        return checked(share_to_foreign<tag, T>(record_for_import(), x, "Boost.Python"));
    }
    const PyTypeObject* get_pytype() const { return foreign_pytype<T>(); }
    BOOST_STATIC_CONSTANT(bool, uses_registry = false);
};

} // namespace boost_python_impl
} // namespace detail
} // namespace bindbridge

#endif // BINDBRIDGE_BOOST_PYTHON_ADAPTER_H
