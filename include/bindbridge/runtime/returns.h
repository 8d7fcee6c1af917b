// include/bindbridge/runtime/returns.h: C++ objects returned into a foreign owner (policies, polymorphism, holders).
//
// The importing side knows T at compile time; the owner knows only what
// the binding tells it.  So the importer resolves what a native return
// resolves: for a polymorphic T, the dynamic type (typeid(*p)) and the
// most-derived pointer (dynamic_cast<const void*>), so that a Shape* to a
// Circle comes back as the owner's Circle, and an existing wrapper (found
// by the owner under its own type and address) comes back as itself.
// A dynamic type no binding publishes falls back to T's own binding, as
// frameworks fall back to the static type natively.
#ifndef BINDBRIDGE_RUNTIME_RETURNS_H
#define BINDBRIDGE_RUNTIME_RETURNS_H

#include <memory>
#include <type_traits>
#include <typeinfo>

#include "runtime.h"

namespace bindbridge {
namespace detail {

// The binding a returned object goes to and the pointer the owner gets.
struct return_target {
    bbr_binding* binding = nullptr;
    const void* ptr = nullptr;
};

// The first compatible foreign binding of a dynamic type, through a
// one-entry cache per (adapter, static type): a repeated polymorphic return
// costs one pointer compare more than a monomorphic one.
// The static type's owner (`prefer`, pinned or not) is preferred when it
// publishes the dynamic type too.
inline bbr_binding* dynamic_binding(framework_record* rec, import_cache& cache,
                                    const std::type_info& dyn, const bbr_framework* prefer) {
    if (cache.dyn_type == &dyn && cache.dyn_epoch == rec->epoch)
        return cache.dyn_binding;
    binding_span found = rec->foreign_by_type.find(type_key(dyn));
    bbr_binding* b = nullptr;
    if (found) {
        b = found.front();
        for (bbr_binding* c : found)
            if (c->framework == prefer) {
                b = c;
                break;
            }
    }
    if (!b || prefer == &rec->fw) {
        // A class this framework binds itself (export_type<Derived, Base>
        // with a foreign Base): our own to_python finds its wrapper.
        if (bbr_binding* own = rec->local_by_cpp.first(type_key(dyn)))
            b = own;
    }
    cache.dyn_type = &dyn;
    cache.dyn_binding = b;
    cache.dyn_epoch = rec->epoch;
    return b;
}

// What a return resolves as an object's dynamic type and most-derived
// pointer.  By default C++ RTTI, for polymorphic types; an adapter's Tag
// derives from rtti_dynamic and may hide both members to consult its
// framework's own hook (pybind11's polymorphic_type_hook, nanobind's
// type_hook), which can also give a non-polymorphic type dynamic types.
struct dynamic_view {
    const std::type_info* type; // null: no dynamic type known
    const void* ptr;
};

struct rtti_dynamic {
    template <typename T>
    static constexpr bool varies() {
        return std::is_polymorphic<T>::value;
    }
    template <typename T, typename std::enable_if<std::is_polymorphic<T>::value, int>::type = 0>
    static dynamic_view dynamic_of(const T* src) {
        return {&typeid(*src), dynamic_cast<const void*>(src)};
    }
    template <typename T, typename std::enable_if<!std::is_polymorphic<T>::value, int>::type = 0>
    static dynamic_view dynamic_of(const T* src) {
        return {nullptr, src};
    }
};

// src's dynamic type when it is another than T (null otherwise).
template <typename Tag, typename T>
const std::type_info* other_dynamic_type(const T* src, const void** ptr) {
    dynamic_view d = Tag::template dynamic_of<T>(src);
    if (!d.type || d.type == &typeid(T) || std::strcmp(type_key(*d.type), type_key(typeid(T))) == 0)
        return nullptr;
    *ptr = d.ptr;
    return d.type;
}

template <typename Tag, typename T>
void retarget_dynamic(framework_record* rec, import_cache& cache, const T* src, return_target& t,
                      std::true_type) {
    const void* ptr = nullptr;
    const std::type_info* dyn = other_dynamic_type<Tag, T>(src, &ptr);
    if (!dyn)
        return;
    if (bbr_binding* b = dynamic_binding(rec, cache, *dyn, t.binding ? t.binding->framework : nullptr)) {
        t.binding = b;
        t.ptr = ptr;
    }
}
template <typename Tag, typename T>
void retarget_dynamic(framework_record*, import_cache&, const T*, return_target&, std::false_type) {}

// Where `src` (a T*, maybe null) goes: its dynamic type's binding if one is
// published, else T's first foreign binding (import order).  binding is
// nullptr if neither exists.
template <typename Tag, typename T>
return_target target_of(framework_record* rec, const T* src) {
    import_cache& cache = cache_of<Tag, T>();
    return_target t{first_foreign(rec, cache, typeid(T)), src};
    // (Compiled out for a type without dynamic types: its returns cost what they did.)
    if (Tag::template varies<T>() && src && rec && in_main_interpreter())
        retarget_dynamic<Tag, T>(rec, cache, src, t, // also when T itself is unpublished
                                 std::integral_constant<bool, Tag::template varies<T>()>());
    return t;
}

// (The rest of dynamic_goes_foreign, out of line: a dynamic type other than
// T that the framework was not seen to bind.)
template <typename Tag, typename T>
#if defined(__GNUC__)
__attribute__((noinline))
#endif
bool dynamic_goes_foreign_slow(framework_record* (*record)(), const std::type_info* dyn,
                               bool (*bound_natively)(const std::type_info&)) {
    framework_record* rec = record();
    if (!rec || std::strcmp(type_key(*dyn), type_key(typeid(T))) == 0)
        return false;
    if (bound_natively(*dyn)) {
        native_memo_of<Tag, T>().dynamic = dyn; // the next object of this type skips the lookup
        return false;
    }
    return dynamic_binding(rec, cache_of<Tag, T>(), *dyn, nullptr) != nullptr;
}
template <typename Tag, typename T>
bool dynamic_goes_foreign_impl(framework_record* (*record)(), const T* src,
                               bool (*bound_natively)(const std::type_info&), std::true_type) {
    // Inline: the object is of type T itself, or of the dynamic type the
    // framework was last seen to bind (the native return pays two compares).
    if (!src)
        return false;
    const std::type_info* dyn = Tag::template dynamic_of<T>(src).type;
    if (!dyn || dyn == &typeid(T) || dyn == native_memo_of<Tag, T>().dynamic)
        return false;
    return dynamic_goes_foreign_slow<Tag, T>(record, dyn, bound_natively);
}
template <typename Tag, typename T>
bool dynamic_goes_foreign_impl(framework_record* (*)(), const T*, bool (*)(const std::type_info&),
                               std::false_type) {
    return false;
}
// For a T the adapter's framework binds (`bound_natively`): whether `src`
// is of a dynamic type that framework does not bind but some framework
// publishes (a class bound without its base, export_type<Derived, T>):
// then it returns through that binding, as the most-derived type, as the
// framework itself would.
// `record` is the adapter's record getter, called only past the inline checks.
template <typename Tag, typename T>
bool dynamic_goes_foreign(framework_record* (*record)(), const T* src,
                          bool (*bound_natively)(const std::type_info&)) {
    return dynamic_goes_foreign_impl<Tag, T>(record, src, bound_natively,
                                             std::integral_constant<bool, Tag::template varies<T>()>());
}

inline PyObject* no_foreign_binding(const std::type_info& ti, const char* framework,
                                    const import_cache& cache) {
    std::string why = cache.pinned ? pinned_owner_note(cache)
                                   : std::string(" (import the module that exports it; one built "
                                                 "without bindbridge is published by "
                                                 "bindbridge.bridge())");
    if (cache.size_refused && cache.size_refused_type)
        why += std::string("; ") + cache.size_refused_type + " binds a C++ " + source_name_of(ti) +
               " of " + std::to_string(cache.size_refused) + " bytes, this module's has " +
               std::to_string(cache.size) + ": two definitions of one class are not one type";
    PyErr_Format(PyExc_TypeError,
                 "bindbridge: cannot convert C++ %s to Python: neither %s nor any framework on "
                 "the registry binds it%s",
                 source_name_of(ti).c_str(), framework, why.c_str());
    return nullptr;
}

template <typename T, typename std::enable_if<std::is_copy_constructible<T>::value, int>::type = 0>
T* make_copied(const T* src) {
    return new T(*src);
}
template <typename T, typename std::enable_if<!std::is_copy_constructible<T>::value, int>::type = 0>
T* make_copied(const T*) {
    return nullptr;
}
template <typename T, typename std::enable_if<std::is_move_constructible<T>::value, int>::type = 0>
T* make_moved(T* src) {
    return new T(std::move(*src));
}
template <typename T, typename std::enable_if<!std::is_move_constructible<T>::value, int>::type = 0>
T* make_moved(T* src) {
    return make_copied<T>(src);
}

// New reference, or nullptr with a Python error set.
inline PyObject* foreign_to_python(bbr_binding* b, const void* cobj, bbr_rv_policy rvp,
                                   bool* is_new = nullptr) {
    bbr_to_python_feedback fb{0, 0};
    PyObject* r = b->framework->to_python(b, const_cast<void*>(cobj), rvp, &fb);
    if (!r && !PyErr_Occurred() && rvp != BBR_RV_NONE)
        PyErr_Format(PyExc_TypeError, "bindbridge: %s (framework %s) could not convert a C++ %s "
                     "to Python", b->pytype->tp_name, b->framework->name,
                     b->source_name ? b->source_name : "object");
    if (is_new)
        *is_new = fb.is_new != 0;
    return r;
}

// When the owner cannot copy or move (it does not know the C++ type), the
// importer, who does, makes the copy on the heap and hands it over with
// take_ownership.  Called with the owner's error set; clears or replaces it.
// `b` must be a binding of T itself: the copy is a T.
template <typename T>
PyObject* hand_over_copy_impl(bbr_binding* b, const T* src, bool move, bool* is_new, std::true_type) {
    T* copy = nullptr;
    try {
        if (move)
            copy = make_moved<T>(const_cast<T*>(src));
        else
            copy = make_copied<T>(src);
    } catch (...) {
        copy = nullptr;
    }
    if (!copy)
        return nullptr; // not copyable/movable here: the owner's error stands
    PyErr_Clear();
    PyObject* r = foreign_to_python(b, copy, BBR_RV_TAKE_OWNERSHIP, is_new);
    if (!r || !*is_new)
        delete copy;
    return r;
}
// A type without a public destructor (reference-counted, pimpl) is never
// copied here: the owner's error stands.
template <typename T>
PyObject* hand_over_copy_impl(bbr_binding*, const T*, bool, bool*, std::false_type) {
    return nullptr;
}
template <typename T>
PyObject* hand_over_copy(bbr_binding* b, const T* src, bool move, bool* is_new) {
    return hand_over_copy_impl<T>(b, src, move, is_new,
                                  std::integral_constant<bool, std::is_destructible<T>::value>());
}

// `src` (a T*, maybe null) handed to its target binding with `rvp`: a new
// reference (None for a null src), or nullptr with an error set.  *b: the
// binding asked (nullptr if none was); *is_new as foreign_to_python.
// *copied: set when ownership was asked for but a copy was made instead
// (the caller still owns src; see below).
template <typename Tag, typename T>
PyObject* send_to_target(framework_record* rec, const T* src, bbr_rv_policy rvp,
                         const char* framework, bbr_binding** b, bool* is_new,
                         bool* copied = nullptr) {
    return_target t = target_of<Tag, T>(rec, src);
    if (!t.binding && rec && import_pinned_owner(cache_of<Tag, T>()))
        t = target_of<Tag, T>(rec, src); // IMPORT_AS's module, imported on demand
    if (!t.binding && rec && bridge_refresh(cache_of<Tag, T>()))
        t = target_of<Tag, T>(rec, src); // published by a bridge since
    if (!t.binding)
        return no_foreign_binding(typeid(T), framework, cache_of<Tag, T>());
    if (!src)
        Py_RETURN_NONE;
    *b = t.binding;
    if (rvp == BBR_RV_TAKE_OWNERSHIP && !t.binding->native_type && copied) {
        // A binding without C++ RTTI (a C framework's struct, IMPORT_AS)
        // frees what it owns its own way (free()), never with C++ delete:
        // it gets a copy, and the caller deletes its object.
        *copied = true;
        rvp = BBR_RV_COPY;
    }
    return foreign_to_python(t.binding, t.ptr, rvp, is_new);
}

// Deletes what a copy replaced (send_to_target's *copied).  Out of line:
// inlined into a by-value return of a local, GCC warns of a delete of
// that local (-Wfree-nonheap-object) on a path that only take_ownership
// takes.
template <typename T, typename std::enable_if<std::is_destructible<T>::value, int>::type = 0>
#if defined(__GNUC__)
__attribute__((noinline))
#endif
void delete_replaced(const T* p) noexcept {
    delete const_cast<T*>(p);
}
template <typename T, typename std::enable_if<!std::is_destructible<T>::value, int>::type = 0>
void delete_replaced(const T*) noexcept {}

// A C++ object returned into its foreign owner.  rvp: the caller's policy
// mapped to pymetabind; internal_parent: the object a reference_internal
// result must keep alive (or nullptr).  New reference, or nullptr with an
// error set.
template <typename Tag, typename T>
PyObject* return_to_foreign(framework_record* rec, const T* src, bbr_rv_policy rvp,
                            PyObject* internal_parent, const char* framework) {
    bbr_binding* b = nullptr;
    bool is_new = false, copied = false;
    PyObject* r = send_to_target<Tag, T>(rec, src, rvp, framework, &b, &is_new,
                                         std::is_destructible<T>::value ? &copied : nullptr);
    if (r && copied && is_new)
        delete_replaced(src); // the owner holds a copy; ours was given to us
    if (!r && b && (rvp == BBR_RV_COPY || rvp == BBR_RV_MOVE)) {
        // The dynamic type's owner could not copy it: copy the static type,
        // as a framework without that copy constructor would.
        bbr_binding* own = first_foreign(rec, cache_of<Tag, T>(), typeid(T));
        if (own && own != b) {
            PyErr_Clear();
            b = own;
            r = foreign_to_python(b, src, rvp, &is_new);
        }
        if (!r && b == own)
            r = hand_over_copy(b, src, rvp == BBR_RV_MOVE, &is_new);
    }
    if (r && is_new && internal_parent && keep_alive(b, r, internal_parent, nullptr) != 0) {
        Py_DECREF(r);
        return nullptr;
    }
    return r;
}

// shared_ptr<T> into a foreign owner: wrap the (most-derived) pointer
// (share_ownership), then make a new wrapper keep a copy of the shared_ptr
// alive.  An existing wrapper is returned as itself.
template <typename Tag, typename T>
PyObject* share_to_foreign(framework_record* rec, const std::shared_ptr<T>& sp,
                           const char* framework) {
    bbr_binding* b = nullptr;
    bool is_new = false;
    PyObject* obj = send_to_target<Tag, T>(rec, sp.get(), BBR_RV_SHARE_OWNERSHIP, framework, &b,
                                           &is_new);
    if (!obj || !is_new)
        return obj;
    auto* holder = new (std::nothrow) std::shared_ptr<T>(sp);
    if (!holder) {
        Py_DECREF(obj);
        return PyErr_NoMemory();
    }
    void (*drop)(void*) noexcept = [](void* p) noexcept {
        delete static_cast<std::shared_ptr<T>*>(p);
    };
    if (keep_alive(b, obj, holder, drop) != 0) {
        delete holder;
        Py_DECREF(obj);
        return nullptr;
    }
    return obj;
}

// unique_ptr<T> into a foreign owner: the owner takes ownership of the
// (most-derived) object.  On success the unique_ptr is released: a new
// wrapper owns the object; an existing wrapper already did (the C++ side
// claimed an object Python owned: deleting it would leave that wrapper
// dangling).  On failure `up` keeps the object and deletes it.
template <typename Tag, typename T>
PyObject* give_to_foreign(framework_record* rec, std::unique_ptr<T>& up, const char* framework) {
    bbr_binding* b = nullptr;
    bool is_new = false, copied = false;
    PyObject* obj = send_to_target<Tag, T>(rec, up.get(), BBR_RV_TAKE_OWNERSHIP, framework, &b,
                                           &is_new, &copied);
    if (obj && !(copied && is_new))
        (void) up.release(); // (a copy went: up still deletes the object)
    return obj;
}

} // namespace detail
} // namespace bindbridge

#endif // BINDBRIDGE_RUNTIME_RETURNS_H
