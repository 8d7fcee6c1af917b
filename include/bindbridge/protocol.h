/* include/bindbridge/protocol.h: the pymetabind v0.3 registry, wire-compatible.
 *
 * bindbridge's own implementation of the cross-framework registry described
 * by pymetabind 0.3 (spec: shared/spec/pymetabind-v0.3.md).  Every structure
 * below is layout-identical to its pymetabind counterpart (the static
 * assertions at the end pin each offset on 64-bit targets), every wire name
 * (dict key, capsule names, type attribute) is the protocol's, and every
 * operation runs its steps in the order the spec gives, so bindbridge and a
 * framework built with the reference header share one registry at run time.
 *
 * Identifiers use the prefix bbr_ / BBR_ and never pymb_, so this header can
 * sit in one translation unit beside the reference header.
 *
 * Requirements: include <Python.h> first.  Valid C99 and C++11.  Depends on
 * nothing else.  Free-threaded builds (Py_GIL_DISABLED) need CPython 3.13+
 * and take the registry's PyMutex as the spec's locking rules say.
 *
 * Where pymetabind tag v0.3 and its later "0.3+dev" differ, this header
 * follows 0.3+dev (pymetabind main):
 *   - GraalPy keeps the registry in the builtins dict (so it cannot meet a
 *     tag-v0.3 framework on GraalPy; on CPython and PyPy both agree);
 *   - a failure to create the registry capsule returns NULL (tag v0.3
 *     returned a freed pointer), and we also free the PyMethodDef there;
 *   - remove-binding always clears the binding capsule's destructor (as tag
 *     v0.3 and pymetabind main do; the pybind11 pull-request copy skips it
 *     when called from that capsule's own destructor, which is harmless
 *     either way on CPython).
 *
 * Definitions are `static inline` by default.  Define BBR_FUNC before
 * including to change that (for example to an exported symbol in one TU
 * with BBR_DECLS_ONLY defined everywhere else).
 *
 * Changelog:
 *   2026-11-25  first version: pymetabind 0.3 layouts and operations.
 */
#ifndef BINDBRIDGE_PROTOCOL_H
#define BINDBRIDGE_PROTOCOL_H

#if !defined(PY_VERSION_HEX)
#  error "bindbridge/protocol.h: include <Python.h> before this header"
#endif
#if PY_VERSION_HEX < 0x03080000
#  error "bindbridge/protocol.h: CPython 3.8 or newer is required"
#endif
#if defined(Py_GIL_DISABLED) && PY_VERSION_HEX < 0x030D0000
#  error "bindbridge/protocol.h: free-threaded builds need CPython 3.13 or newer"
#endif

#include <stddef.h> /* offsetof */
#include <stdint.h>
#include <stdlib.h> /* calloc, free */
#include <string.h> /* strcmp */

/* The protocol version this header speaks (pymetabind has no version field
 * on the wire: this is for humans and #if checks only). */
#define BBR_PYMETABIND_VERSION_MAJOR 0
#define BBR_PYMETABIND_VERSION_MINOR 3
#define BBR_PYMETABIND_VERSION_STRING "0.3"

/* Wire names, quoted from the spec, defined once. */
#define BBR_REGISTRY_DICT_KEY "__pymetabind_registry__"
#define BBR_REGISTRY_CAPSULE_NAME "pymetabind_registry"
#define BBR_BINDING_CAPSULE_NAME "pymetabind_binding"
#define BBR_BINDING_TYPE_ATTRIBUTE "__pymetabind_binding__"
#define BBR_WEAKREF_CALLBACK_NAME "pymetabind_weakref_callback"

#ifndef BBR_FUNC
#  define BBR_FUNC static inline
#endif

/* Callbacks are noexcept in C++: a callback never lets a C++ exception
 * escape into another framework.  (C++11 permits an exception
 * specification on a function-pointer member or parameter, not on a
 * typedef, so the callback types are spelled out where they are used.) */
#if defined(__cplusplus)
#  define BBR_NOEXCEPT noexcept
#else
#  define BBR_NOEXCEPT
#endif

#if defined(__cplusplus)
extern "C" {
#endif

/* ------------------------------------------------------------------------
 * Intrusive circular doubly linked list.  A list is a head node; it is empty
 * when head.next points to the head.  A node in no list has next == prev ==
 * NULL.  The node is the first member of bbr_framework and bbr_binding, so a
 * node pointer is the structure pointer.
 * ---------------------------------------------------------------------- */
typedef struct bbr_list_node {
    struct bbr_list_node* next;
    struct bbr_list_node* prev;
} bbr_list_node;

typedef struct bbr_list {
    bbr_list_node head;
} bbr_list;

BBR_FUNC void bbr_list_init(bbr_list* list) {
    list->head.next = &list->head;
    list->head.prev = &list->head;
}

BBR_FUNC int bbr_list_is_empty(const bbr_list* list) {
    return list->head.next == &list->head;
}

/* Unlinking a node that is in no list does nothing. */
BBR_FUNC void bbr_list_unlink(bbr_list_node* node) {
    if (node->next) {
        node->next->prev = node->prev;
        node->prev->next = node->next;
        node->next = NULL;
        node->prev = NULL;
    }
}

/* Appends at the tail, unlinking the node first. */
BBR_FUNC void bbr_list_append(bbr_list* list, bbr_list_node* node) {
    bbr_list_unlink(node);
    node->next = &list->head;
    node->prev = list->head.prev;
    list->head.prev->next = node;
    list->head.prev = node;
}

/* ------------------------------------------------------------------------
 * Enumerations (int-sized).
 * ---------------------------------------------------------------------- */

/* Return-value policies.  Same numbers and meaning as the same-named
 * pybind11/nanobind policies, except 6: here it is share_ownership, while 6
 * is reference_internal in both frameworks (adapters map explicitly).
 * 0 and 1 are not defined; unknown values are treated like BBR_RV_NONE. */
enum bbr_rv_policy {
    BBR_RV_TAKE_OWNERSHIP = 2,
    BBR_RV_COPY = 3,
    BBR_RV_MOVE = 4,
    BBR_RV_REFERENCE = 5,
    BBR_RV_SHARE_OWNERSHIP = 6,
    BBR_RV_NONE = 7
};

enum bbr_abi_lang {
    BBR_ABI_LANG_C = 1,
    BBR_ABI_LANG_CPP = 2
};

enum bbr_framework_flags {
    /* The framework promises its bindings stay valid for the life of the
     * process once linked (informational in 0.3). */
    BBR_FRAMEWORK_BINDINGS_USABLE_FOREVER = 0x0001,
    /* The framework frees all its types and functions by finalisation, so
     * others may mute their leak warnings while only such frameworks are
     * present.  A framework that never removes itself must not set it. */
    BBR_FRAMEWORK_LEAK_SAFE = 0x0002
};

/* ------------------------------------------------------------------------
 * Structures.  Field order is the ABI.
 * ---------------------------------------------------------------------- */
typedef struct bbr_registry bbr_registry;
typedef struct bbr_framework bbr_framework;
typedef struct bbr_binding bbr_binding;
typedef struct bbr_to_python_feedback bbr_to_python_feedback;

/* The one registry of an interpreter, owned by the capsule stored in the
 * registry dict (see bbr_registry_dict) and freed by whoever empties it
 * after that capsule died.  C heap (calloc/free), never PyMem: it may be
 * freed from a Py_AtExit handler. */
struct bbr_registry {
    /* bbr_framework nodes in join order.  Lock: mutex. */
    bbr_list frameworks;
    /* bbr_binding nodes in publication order.  Lock: mutex. */
    bbr_list bindings;
    /* Heap PyMethodDef of the weakref callback, written once by the
     * creator; the function it names lives in the creator's module. */
    PyMethodDef* weakref_callback_def;
    uint16_t reserved;
    /* Set to 1 by the registry capsule's destructor: the last framework to
     * leave frees the registry. */
    uint8_t deallocate_when_empty;
#if defined(Py_GIL_DISABLED)
    /* Guards both lists, every link, every binding's capsule field. */
    PyMutex mutex;
#endif
};

/* One binding framework (or one domain of one).  Lives anywhere, stays
 * valid and unchanged (except link, registry, abi_extra) until the
 * interpreter is finalised; filled completely before bbr_add_framework. */
struct bbr_framework {
    /* Node in registry->frameworks.  Writer: add/remove framework.  Lock:
     * registry mutex. */
    bbr_list_node link;
    /* Writer: bbr_add_framework. */
    bbr_registry* registry;
    /* Human-readable, NUL-terminated; owned by the framework. */
    const char* name;
    /* Bitmask of bbr_framework_flags; undefined bits are 0. */
    uint16_t flags;
    uint8_t reserved[2];
    enum bbr_abi_lang abi_lang;
    /* C: NULL.  C++: the platform ABI tag.  bbr_add_framework may replace
     * it with an equal string already registered (interning), so two
     * frameworks with one ABI can compare tags by pointer. */
    const char* abi_extra;

    /* Pointer to the native object inside pyobj for binding's type, or NULL
     * (no Python error left set).  convert = 0: exact pass.  Temporaries
     * go to keep_referenced(ctx, obj), which may be NULL. */
    void* (*from_python)(bbr_binding* binding, PyObject* pyobj, uint8_t convert,
                         void (*keep_referenced)(void* ctx, PyObject* obj) BBR_NOEXCEPT,
                         void* keep_referenced_ctx) BBR_NOEXCEPT;
    /* New reference to a wrapper of cobj, or NULL (error set, except for
     * BBR_RV_NONE with no existing wrapper).  Writes *feedback. */
    PyObject* (*to_python)(bbr_binding* binding, void* cobj, enum bbr_rv_policy rvp,
                           bbr_to_python_feedback* feedback) BBR_NOEXCEPT;
    /* When nurse dies: cb(payload), or Py_DECREF(payload) if cb is NULL.
     * 1 on success, 0 if the caller must keep payload alive itself. */
    int (*keep_alive)(PyObject* nurse, void* payload, void (*cb)(void*) BBR_NOEXCEPT) BBR_NOEXCEPT;
    /* C++ only; may be NULL.  eptr is a std::exception_ptr*.  1 with a
     * Python error set if translated, else 0. */
    int (*translate_exception)(void* eptr) BBR_NOEXCEPT;
    /* Registry lock held.  One of our bindings is being removed. */
    void (*remove_local_binding)(bbr_binding* binding) BBR_NOEXCEPT;
    /* No lock.  Free one of our bindings; nobody uses it any more. */
    void (*free_local_binding)(bbr_binding* binding) BBR_NOEXCEPT;
    /* Registry lock held.  Another framework published a binding. */
    void (*add_foreign_binding)(bbr_binding* binding) BBR_NOEXCEPT;
    /* Registry lock held.  Another framework's binding is going away. */
    void (*remove_foreign_binding)(bbr_binding* binding) BBR_NOEXCEPT;
    /* Registry lock held.  Another framework joined. */
    void (*add_foreign_framework)(bbr_framework* framework) BBR_NOEXCEPT;
    /* No lock, finalisation only, possibly from Py_AtExit: no Python. */
    void (*remove_foreign_framework)(bbr_framework* framework) BBR_NOEXCEPT;
};

/* ### One published Python type
 *
 * The owner allocates and fills framework, pytype, native_type,
 * source_name and context (other fields zero) and calls bbr_add_binding.
 * From then on the binding lives as long as the type's attribute
 * __pymetabind_binding__ holds the binding capsule and the type is alive;
 * whichever ends first triggers removal, which calls the owner's
 * remove_local_binding, every other framework's remove_foreign_binding and
 * finally the owner's free_local_binding, exactly once.
 *
 * A foreign framework may use a binding pointer only between its
 * add_foreign_binding and remove_foreign_binding callbacks, and must keep a
 * thread state attached while it holds one that remove_foreign_binding
 * cannot clear.  A pointer read from a type's capsule that was never
 * announced through add_foreign_binding must not be dereferenced
 * (bbr_get_binding_checked verifies that). */
struct bbr_binding {
    /* Node in registry->bindings.  Lock: registry mutex. */
    bbr_list_node link;
    /* Owner.  Written by the owner before add-binding. */
    bbr_framework* framework;
    /* Borrowed reference to the binding capsule (the type's dict owns it).
     * Set by add-binding; NULL once removal has begun.  Lock: registry
     * mutex. */
    PyObject* capsule;
    /* The bound Python type (borrowed: the binding dies with the type). */
    PyTypeObject* pytype;
    /* Strong reference to a weak reference to pytype, or NULL.  Managed by
     * add/remove-binding only. */
    PyObject* pytype_wr;
    /* C: NULL.  C++: const std::type_info*. */
    const void* native_type;
    /* The type as written in source, demangled, no struct/class/enum. */
    const char* source_name;
    /* Private to the owner (who may over-allocate after this field). */
    void* context;
};

struct bbr_to_python_feedback {
    /* Out: 1 if to_python made a new wrapper, 0 if it found one. */
    uint8_t is_new;
    /* In: 1 if the caller allows *cobj to be relocated instead of
     * destroyed (move only).  Out: 1 if relocated; stays 0 if it came 0. */
    uint8_t relocate;
};

/* ------------------------------------------------------------------------
 * Locking (free-threaded builds only; the GIL serialises the rest).
 * The mutex is not recursive: code running under it (the registry
 * callbacks) must not start registry operations.
 * ---------------------------------------------------------------------- */
BBR_FUNC void bbr_registry_lock(bbr_registry* registry) {
#if defined(Py_GIL_DISABLED)
    PyMutex_Lock(&registry->mutex);
#else
    (void) registry;
#endif
}

BBR_FUNC void bbr_registry_unlock(bbr_registry* registry) {
#if defined(Py_GIL_DISABLED)
    PyMutex_Unlock(&registry->mutex);
#else
    (void) registry;
#endif
}

/* ------------------------------------------------------------------------
 * Finding and creating the registry.
 * ---------------------------------------------------------------------- */

/* Borrowed reference to the dict that holds the registry, or NULL with a
 * Python error set. */
BBR_FUNC PyObject* bbr_registry_dict(void) {
    PyObject* dict;
#if defined(PYPY_VERSION) || defined(GRAALVM_PYTHON)
    dict = PyEval_GetBuiltins();
#elif PY_VERSION_HEX < 0x03090000
    dict = PyInterpreterState_GetDict(_PyInterpreterState_Get());
#else
    dict = PyInterpreterState_GetDict(PyInterpreterState_Get());
#endif
    if (!dict && !PyErr_Occurred())
        PyErr_SetString(PyExc_RuntimeError,
                        "bindbridge: the interpreter has no state dict to hold the "
                        "pymetabind registry");
    return dict;
}

BBR_FUNC void bbr_registry_free(bbr_registry* registry) {
    free(registry->weakref_callback_def);
    free(registry);
}

/* Looks up the registry without creating it.  Returns it; or NULL with no
 * error set if there is none; or NULL with an error set if the key holds
 * something that is not a registry capsule. */
BBR_FUNC bbr_registry* bbr_registry_find(void) {
    PyObject* dict = bbr_registry_dict();
    PyObject* capsule;
    if (!dict)
        return NULL;
    capsule = PyDict_GetItemString(dict, BBR_REGISTRY_DICT_KEY);
    if (!capsule)
        return NULL;
    return (bbr_registry*) PyCapsule_GetPointer(capsule, BBR_REGISTRY_CAPSULE_NAME);
}

BBR_FUNC void bbr_detail_registry_capsule_destructor(PyObject* capsule) BBR_NOEXCEPT {
    bbr_registry* registry =
        (bbr_registry*) PyCapsule_GetPointer(capsule, BBR_REGISTRY_CAPSULE_NAME);
    int empty;
    if (!registry) {
        PyErr_WriteUnraisable(capsule);
        return;
    }
    bbr_registry_lock(registry);
    registry->deallocate_when_empty = 1;
    empty = bbr_list_is_empty(&registry->frameworks);
    bbr_registry_unlock(registry);
    if (empty)
        bbr_registry_free(registry);
}

BBR_FUNC PyObject* bbr_detail_weakref_callback(PyObject* self, PyObject* weakref) BBR_NOEXCEPT;

/* Looks up the registry, creating it if it does not exist yet.  Call it
 * during module initialisation: the import lock is what serialises two
 * creators.  NULL with a Python error set on failure. */
BBR_FUNC bbr_registry* bbr_registry_get(void) {
    PyObject* dict = bbr_registry_dict();
    PyObject* capsule;
    bbr_registry* registry;
    PyMethodDef* def;
    int rc;
    if (!dict)
        return NULL;
    capsule = PyDict_GetItemString(dict, BBR_REGISTRY_DICT_KEY);
    if (capsule)
        return (bbr_registry*) PyCapsule_GetPointer(capsule, BBR_REGISTRY_CAPSULE_NAME);

    registry = (bbr_registry*) calloc(1, sizeof(bbr_registry));
    if (!registry) {
        PyErr_NoMemory();
        return NULL;
    }
    bbr_list_init(&registry->frameworks);
    bbr_list_init(&registry->bindings);

    def = (PyMethodDef*) calloc(1, sizeof(PyMethodDef));
    if (!def) {
        free(registry);
        PyErr_NoMemory();
        return NULL;
    }
    def->ml_name = BBR_WEAKREF_CALLBACK_NAME;
    def->ml_meth = (PyCFunction) (void (*)(void)) bbr_detail_weakref_callback;
    def->ml_flags = METH_O;
    def->ml_doc = NULL;
    registry->weakref_callback_def = def;

    capsule = PyCapsule_New(registry, BBR_REGISTRY_CAPSULE_NAME,
                            bbr_detail_registry_capsule_destructor);
    if (!capsule) {
        bbr_registry_free(registry);
        return NULL;
    }
    rc = PyDict_SetItemString(dict, BBR_REGISTRY_DICT_KEY, capsule);
    /* On failure this frees the registry through the capsule destructor
     * (no framework is registered, so it is empty). */
    Py_DECREF(capsule);
    if (rc != 0)
        return NULL;
    return registry;
}

/* ------------------------------------------------------------------------
 * Frameworks.
 * ---------------------------------------------------------------------- */

/* Joins `framework` to `registry` (spec: "Add framework").  Every field of
 * the framework must be filled.  The callbacks fire under the registry lock:
 * every other framework's add_foreign_framework(new) then the newcomer's
 * add_foreign_framework(other), then the newcomer's add_foreign_binding for
 * every binding already published (no ABI filtering). */
BBR_FUNC void bbr_add_framework(bbr_registry* registry, bbr_framework* framework) {
    bbr_list_node* node;
    framework->link.next = NULL;
    framework->link.prev = NULL;
    framework->registry = registry;

    bbr_registry_lock(registry);
    if (framework->abi_extra) {
        for (node = registry->frameworks.head.next; node != &registry->frameworks.head;
             node = node->next) {
            bbr_framework* other = (bbr_framework*) node;
            if (other->abi_extra && (other->abi_extra == framework->abi_extra ||
                                     strcmp(other->abi_extra, framework->abi_extra) == 0)) {
                framework->abi_extra = other->abi_extra;
                break;
            }
        }
    }
    bbr_list_append(&registry->frameworks, &framework->link);
    for (node = registry->frameworks.head.next; node != &registry->frameworks.head;
         node = node->next) {
        bbr_framework* other = (bbr_framework*) node;
        if (other == framework)
            continue;
        other->add_foreign_framework(framework);
        framework->add_foreign_framework(other);
    }
    for (node = registry->bindings.head.next; node != &registry->bindings.head;
         node = node->next) {
        bbr_binding* binding = (bbr_binding*) node;
        if (binding->framework != framework)
            framework->add_foreign_binding(binding);
    }
    bbr_registry_unlock(registry);
}

/* Leaves the registry (spec: "Remove framework").  Only during interpreter
 * finalisation, after all of this framework's bindings are gone; takes no
 * lock and runs no Python code, so it may be called from Py_AtExit.  Frees
 * the registry if its capsule is already gone and nobody is left. */
BBR_FUNC void bbr_remove_framework(bbr_framework* framework) {
    bbr_registry* registry = framework->registry;
    bbr_list_node* node;
    if (!registry)
        return;
    bbr_list_unlink(&framework->link);
    for (node = registry->frameworks.head.next; node != &registry->frameworks.head;
         node = node->next)
        ((bbr_framework*) node)->remove_foreign_framework(framework);
    if (registry->deallocate_when_empty && bbr_list_is_empty(&registry->frameworks))
        bbr_registry_free(registry);
}

/* ------------------------------------------------------------------------
 * Bindings.
 * ---------------------------------------------------------------------- */

#if defined(Py_GIL_DISABLED)
BBR_FUNC void bbr_detail_deferred_free_destructor(PyObject* capsule) BBR_NOEXCEPT {
    bbr_binding* binding = (bbr_binding*) PyCapsule_GetPointer(capsule, BBR_BINDING_CAPSULE_NAME);
    if (!binding) {
        PyErr_WriteUnraisable(capsule);
        return;
    }
    Py_CLEAR(binding->pytype_wr);
    binding->framework->free_local_binding(binding);
}
#endif

/* Spec: "Remove binding".  Called only by the three triggers: the binding
 * capsule's destructor, the weakref callback, a metatype's tp_finalize
 * (for frameworks that promised one at add time). */
BBR_FUNC void bbr_remove_binding(bbr_binding* binding) {
    bbr_framework* owner = binding->framework;
    bbr_registry* registry = owner->registry;
    bbr_list_node* node;
#if defined(Py_GIL_DISABLED)
    PyObject* strong_type = NULL;
    int finalizing;
#endif

    bbr_registry_lock(registry);
    if (!binding->capsule) {
        /* Someone else started the removal first. */
        bbr_registry_unlock(registry);
        return;
    }
#if defined(Py_GIL_DISABLED)
    if (binding->pytype_wr && PyWeakref_GetRef(binding->pytype_wr, &strong_type) < 0)
        PyErr_WriteUnraisable(binding->pytype_wr);
    finalizing = strong_type == NULL;
#endif
    if (PyCapsule_SetDestructor(binding->capsule, NULL) != 0)
        PyErr_WriteUnraisable(binding->capsule);
    binding->capsule = NULL;
    Py_CLEAR(binding->pytype_wr);

    bbr_list_unlink(&binding->link);
    owner->remove_local_binding(binding);
    for (node = registry->frameworks.head.next; node != &registry->frameworks.head;
         node = node->next) {
        bbr_framework* other = (bbr_framework*) node;
        if (other != owner)
            other->remove_foreign_binding(binding);
    }
    bbr_registry_unlock(registry);

#if !defined(Py_GIL_DISABLED)
    owner->free_local_binding(binding);
#else
    /* Another thread may still hold the pointer: free it only after a
     * stop-the-world point.  While the type lives, a garbage cycle holding
     * the freeing capsule does that at the next collection; while it
     * finalises, a weakref callback on its deallocation does. */
    {
        PyObject* freer = PyCapsule_New(binding, BBR_BINDING_CAPSULE_NAME,
                                        bbr_detail_deferred_free_destructor);
        if (!freer) {
            PyErr_WriteUnraisable((PyObject*) binding->pytype);
        } else if (!finalizing) {
            PyObject* cycle = PyList_New(2);
            if (!cycle) {
                PyErr_WriteUnraisable((PyObject*) binding->pytype);
                (void) PyCapsule_SetDestructor(freer, NULL);
                Py_DECREF(freer); /* leaks the binding rather than risk a use */
            } else {
                PyList_SET_ITEM(cycle, 0, freer);
                Py_INCREF(cycle);
                PyList_SET_ITEM(cycle, 1, cycle);
                Py_DECREF(cycle);
            }
        } else {
            PyObject* func = PyCFunction_New(registry->weakref_callback_def, freer);
            PyObject* wr = func ? PyWeakref_NewRef((PyObject*) binding->pytype, func) : NULL;
            Py_XDECREF(func);
            if (!wr) {
                PyErr_WriteUnraisable((PyObject*) binding->pytype);
                if (!func)
                    (void) PyCapsule_SetDestructor(freer, NULL);
            } else {
                binding->pytype_wr = wr;
            }
            Py_DECREF(freer);
        }
        Py_XDECREF(strong_type);
    }
#endif
}

BBR_FUNC void bbr_detail_binding_capsule_destructor(PyObject* capsule) BBR_NOEXCEPT {
    bbr_binding* binding = (bbr_binding*) PyCapsule_GetPointer(capsule, BBR_BINDING_CAPSULE_NAME);
    if (!binding) {
        PyErr_WriteUnraisable(capsule);
        return;
    }
    bbr_remove_binding(binding);
}

/* The registry's weakref callback: self is a capsule naming the binding. */
BBR_FUNC PyObject* bbr_detail_weakref_callback(PyObject* self, PyObject* weakref) BBR_NOEXCEPT {
    bbr_binding* binding;
    if (!self || !PyCapsule_CheckExact(self) || !PyWeakref_CheckRefExact(weakref)) {
        PyErr_BadArgument();
        return NULL;
    }
    binding = (bbr_binding*) PyCapsule_GetPointer(self, BBR_BINDING_CAPSULE_NAME);
    if (!binding)
        return NULL;
    bbr_remove_binding(binding);
    Py_RETURN_NONE;
}

/* Publishes `binding` (spec: "Add binding").  Its owner must have joined a
 * registry.  tp_finalize_will_remove: nonzero if the owner's metatype
 * tp_finalize calls bbr_remove_binding; then no weakref callback is made.
 * attribute: the str "__pymetabind_binding__" (interned, of the current
 * interpreter) to set on the type, or NULL to make one: a publisher of many
 * types saves making and interning it per type.
 *
 * Returns 0 on success.  On failure nothing was linked, the owner's
 * free_local_binding(binding) has run, -1 is returned and the Python error
 * is reported as unraisable (bbr_add_binding, as the spec says) or left set
 * for the caller (report_unraisable = 0). */
BBR_FUNC int bbr_add_binding_named(bbr_binding* binding, int tp_finalize_will_remove,
                                   int report_unraisable, PyObject* attribute) {
    bbr_framework* owner = binding->framework;
    bbr_registry* registry = owner->registry;
    PyObject* capsule = NULL;
    bbr_list_node* node;

    binding->link.next = NULL;
    binding->link.prev = NULL;
    binding->pytype_wr = NULL;
    binding->capsule = NULL;

    if (!tp_finalize_will_remove) {
        PyObject* self_capsule = PyCapsule_New(binding, BBR_BINDING_CAPSULE_NAME, NULL);
        PyObject* func;
        if (!self_capsule)
            goto error;
        func = PyCFunction_New(registry->weakref_callback_def, self_capsule);
        Py_DECREF(self_capsule);
        if (!func)
            goto error;
        binding->pytype_wr = PyWeakref_NewRef((PyObject*) binding->pytype, func);
        Py_DECREF(func);
        if (!binding->pytype_wr)
            goto error;
    } else {
#if defined(Py_GIL_DISABLED)
        binding->pytype_wr = PyWeakref_NewRef((PyObject*) binding->pytype, NULL);
        if (!binding->pytype_wr)
            goto error;
#endif
    }

    capsule = PyCapsule_New(binding, BBR_BINDING_CAPSULE_NAME, bbr_detail_binding_capsule_destructor);
    if (!capsule)
        goto error;
    binding->capsule = capsule;
    if ((attribute ? PyObject_SetAttr((PyObject*) binding->pytype, attribute, capsule)
                   : PyObject_SetAttrString((PyObject*) binding->pytype, BBR_BINDING_TYPE_ATTRIBUTE,
                                            capsule)) != 0)
        goto error;
    /* The type's dict now holds the only strong reference. */
    Py_DECREF(capsule);

    bbr_registry_lock(registry);
    bbr_list_append(&registry->bindings, &binding->link);
    for (node = registry->frameworks.head.next; node != &registry->frameworks.head;
         node = node->next) {
        bbr_framework* other = (bbr_framework*) node;
        if (other != owner)
            other->add_foreign_binding(binding);
    }
    bbr_registry_unlock(registry);
    return 0;

error:
    if (capsule) {
        /* Its destructor sees capsule == NULL and does nothing. */
        binding->capsule = NULL;
        Py_DECREF(capsule);
    }
    if (report_unraisable)
        PyErr_WriteUnraisable((PyObject*) binding->pytype);
    Py_CLEAR(binding->pytype_wr);
    owner->free_local_binding(binding);
    return -1;
}

/* The same, making the attribute name. */
BBR_FUNC int bbr_add_binding_ex(bbr_binding* binding, int tp_finalize_will_remove,
                                int report_unraisable) {
    return bbr_add_binding_named(binding, tp_finalize_will_remove, report_unraisable, NULL);
}

BBR_FUNC void bbr_add_binding(bbr_binding* binding, int tp_finalize_will_remove) {
    (void) bbr_add_binding_ex(binding, tp_finalize_will_remove, 1);
}

/* Spec: "Get binding for a type".  Reads __pymetabind_binding__ by normal
 * attribute lookup (a subclass finds its base's capsule: compare
 * binding->pytype if you need the exact type).  NULL if none; never leaves
 * a Python error set.  The pointer is NOT verified: only dereference it if
 * your add_foreign_binding announced it, or use bbr_get_binding_checked. */
BBR_FUNC bbr_binding* bbr_get_binding(PyObject* type) {
    PyObject* attr = PyObject_GetAttrString(type, BBR_BINDING_TYPE_ATTRIBUTE);
    void* pointer = NULL;
    if (attr) {
        if (PyCapsule_IsValid(attr, BBR_BINDING_CAPSULE_NAME))
            pointer = PyCapsule_GetPointer(attr, BBR_BINDING_CAPSULE_NAME);
        Py_DECREF(attr);
    }
    PyErr_Clear();
    return (bbr_binding*) pointer;
}

/* 1 if `binding` is currently published in `registry`, else 0.  Compares
 * pointers only (never dereferences `binding`).  Linear in the number of
 * bindings: for diagnostics and for frameworks without their own table. */
BBR_FUNC int bbr_registry_has_binding(bbr_registry* registry, const bbr_binding* binding) {
    bbr_list_node* node;
    int found = 0;
    bbr_registry_lock(registry);
    for (node = registry->bindings.head.next; node != &registry->bindings.head;
         node = node->next) {
        if ((const bbr_binding*) node == binding) {
            found = 1;
            break;
        }
    }
    bbr_registry_unlock(registry);
    return found;
}

/* bbr_get_binding, verified against the registry's list: a capsule holding
 * a pointer the registry never published gives NULL.  Does not create the
 * registry.  Never leaves a Python error set. */
BBR_FUNC bbr_binding* bbr_get_binding_checked(PyObject* type) {
    bbr_binding* binding = bbr_get_binding(type);
    bbr_registry* registry;
    if (!binding)
        return NULL;
    registry = bbr_registry_find();
    PyErr_Clear();
    if (!registry || !bbr_registry_has_binding(registry, binding))
        return NULL;
    return binding;
}

#if defined(__cplusplus)
} /* extern "C" */
#endif

/* ------------------------------------------------------------------------
 * Layout pins (spec: "Structure layouts"), checked on 64-bit targets.  In C99
 * a negative array size stands in for static_assert.
 * ---------------------------------------------------------------------- */
#if defined(__cplusplus)
#  define BBR_PIN_(name, cond) static_assert(cond, "pymetabind v0.3 layout: " #name)
#else
#  define BBR_PIN_CAT2_(a, b) a##b
#  define BBR_PIN_CAT_(a, b) BBR_PIN_CAT2_(a, b)
#  define BBR_PIN_(name, cond) \
      typedef char BBR_PIN_CAT_(bbr_detail_layout_pin_, name)[(cond) ? 1 : -1]
#endif
#define BBR_PIN64_(name, cond) BBR_PIN_(name, sizeof(void*) != 8 || (cond))
#define BBR_OFF_(type, field, off, size) \
    BBR_PIN64_(type##_##field, offsetof(type, field) == (off) && \
                                   sizeof(((type*) 0)->field) == (size))

BBR_PIN64_(bbr_list_node_size, sizeof(bbr_list_node) == 16);
BBR_OFF_(bbr_list_node, next, 0, 8);
BBR_OFF_(bbr_list_node, prev, 8, 8);
BBR_PIN64_(bbr_list_size, sizeof(bbr_list) == 16);
BBR_OFF_(bbr_list, head, 0, 16);

BBR_PIN64_(bbr_registry_size, sizeof(bbr_registry) == 48);
BBR_OFF_(bbr_registry, frameworks, 0, 16);
BBR_OFF_(bbr_registry, bindings, 16, 16);
BBR_OFF_(bbr_registry, weakref_callback_def, 32, 8);
BBR_OFF_(bbr_registry, reserved, 40, 2);
BBR_OFF_(bbr_registry, deallocate_when_empty, 42, 1);
#if defined(Py_GIL_DISABLED)
BBR_OFF_(bbr_registry, mutex, 43, 1);
#endif

BBR_PIN64_(bbr_framework_size, sizeof(bbr_framework) == 128);
BBR_OFF_(bbr_framework, link, 0, 16);
BBR_OFF_(bbr_framework, registry, 16, 8);
BBR_OFF_(bbr_framework, name, 24, 8);
BBR_OFF_(bbr_framework, flags, 32, 2);
BBR_OFF_(bbr_framework, reserved, 34, 2);
BBR_OFF_(bbr_framework, abi_lang, 36, 4);
BBR_OFF_(bbr_framework, abi_extra, 40, 8);
BBR_OFF_(bbr_framework, from_python, 48, 8);
BBR_OFF_(bbr_framework, to_python, 56, 8);
BBR_OFF_(bbr_framework, keep_alive, 64, 8);
BBR_OFF_(bbr_framework, translate_exception, 72, 8);
BBR_OFF_(bbr_framework, remove_local_binding, 80, 8);
BBR_OFF_(bbr_framework, free_local_binding, 88, 8);
BBR_OFF_(bbr_framework, add_foreign_binding, 96, 8);
BBR_OFF_(bbr_framework, remove_foreign_binding, 104, 8);
BBR_OFF_(bbr_framework, add_foreign_framework, 112, 8);
BBR_OFF_(bbr_framework, remove_foreign_framework, 120, 8);

BBR_PIN64_(bbr_binding_size, sizeof(bbr_binding) == 72);
BBR_OFF_(bbr_binding, link, 0, 16);
BBR_OFF_(bbr_binding, framework, 16, 8);
BBR_OFF_(bbr_binding, capsule, 24, 8);
BBR_OFF_(bbr_binding, pytype, 32, 8);
BBR_OFF_(bbr_binding, pytype_wr, 40, 8);
BBR_OFF_(bbr_binding, native_type, 48, 8);
BBR_OFF_(bbr_binding, source_name, 56, 8);
BBR_OFF_(bbr_binding, context, 64, 8);

BBR_PIN_(bbr_to_python_feedback_size, sizeof(bbr_to_python_feedback) == 2);
BBR_OFF_(bbr_to_python_feedback, is_new, 0, 1);
BBR_OFF_(bbr_to_python_feedback, relocate, 1, 1);

BBR_PIN_(bbr_rv_policy_size, sizeof(enum bbr_rv_policy) == sizeof(int));
BBR_PIN_(bbr_abi_lang_size, sizeof(enum bbr_abi_lang) == sizeof(int));

#undef BBR_OFF_
#undef BBR_PIN64_
#undef BBR_PIN_

#endif /* BINDBRIDGE_PROTOCOL_H */
