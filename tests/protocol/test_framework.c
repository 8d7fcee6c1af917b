/* tests/protocol/test_framework.c: a small binding "framework" on the bare C API.
 *
 * Built three times (see tests/CMakeLists.txt): as C99 (bbtest_c and
 * bbtest_c2: abi_lang C, no native_type) and, through
 * test_framework_cpp.cpp, as C++ (bbtest_cpp: abi_lang C++, native_type =
 * &typeid(bbt_point), the platform ABI tag), which is the peer the C++
 * adapters talk to.  It uses bindbridge/protocol.h only.
 *
 * What it binds: Python types made at run time by make_type(name), each
 * wrapping a C struct bbt_point {x, y}.  Its "import" rule for foreign
 * bindings: same source_name, and for two C++ frameworks also the same
 * type_info name and an interned-equal ABI tag.  Every registry callback
 * appends a line to a C event log (no Python code runs in a callback);
 * a sequence number shared by all copies of this module orders the logs.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h> /* T_PYSSIZET, READONLY (3.8-3.11 spelling) */
#include <stdio.h>
#include <stdlib.h>
#include "bindbridge/protocol.h"

#if defined(__cplusplus)
#  include <new>
#  include <typeinfo>
#  include "bindbridge/runtime/abi_tag.h"
#  define BBT_LANG "C++"
#  define BBT_CAST(type, value) ((type) (value))
#else
#  define BBT_LANG "C"
#  define BBT_CAST(type, value) ((type) (value))
#endif

#if !defined(BBT_MODULE)
#  error "define BBT_MODULE to the module name"
#endif
#define BBT_STR2(x) #x
#define BBT_STR(x) BBT_STR2(x)
#define BBT_CAT2(a, b) a##b
#define BBT_CAT(a, b) BBT_CAT2(a, b)
#define BBT_NAME BBT_STR(BBT_MODULE)

static char* bbt_strdup(const char* s) {
    size_t n = strlen(s) + 1;
    char* copy = (char*) malloc(n);
    if (copy)
        memcpy(copy, s, n);
    return copy;
}

typedef struct bbt_point {
    double x, y;
} bbt_point;

/* take_ownership hands a heap point to its owner, who frees it "in its
 * natural way": C owners with free, C++ owners (pybind11, nanobind, the
 * C++ build of this framework) with delete.  So points are allocated for
 * the owner's language; the C build cannot allocate for a C++ owner. */
static bbt_point* bbt_new_point_for(const bbr_framework* owner) {
    if (owner->abi_lang == BBR_ABI_LANG_C)
        return (bbt_point*) malloc(sizeof(bbt_point));
#if defined(__cplusplus)
    return new (std::nothrow) bbt_point();
#else
    return NULL;
#endif
}

static void bbt_delete_point_for(const bbr_framework* owner, bbt_point* p) {
    if (owner->abi_lang == BBR_ABI_LANG_C) {
        free(p);
        return;
    }
#if defined(__cplusplus)
    delete p;
#endif
}

/* Our own owned points were allocated for us. */
#define BBT_DELETE_POINT(p) bbt_delete_point_for(&bbt_fw, (p))

/* ------------------------------------------------------------------------
 * Event log.
 * ---------------------------------------------------------------------- */
#define BBT_MAX_EVENTS 4096
typedef struct bbt_event {
    long seq;
    char text[200];
} bbt_event;

static bbt_event bbt_events[BBT_MAX_EVENTS];
static int bbt_event_count = 0;
static long bbt_local_seq = 0;
static long* bbt_seq = &bbt_local_seq; /* shared with the other copies */

static void bbt_log(const char* fmt, const char* a, const char* b) {
    bbt_event* ev;
    if (bbt_event_count >= BBT_MAX_EVENTS)
        return;
    ev = &bbt_events[bbt_event_count++];
    ev->seq = ++*bbt_seq;
    snprintf(ev->text, sizeof(ev->text), fmt, a ? a : "(null)", b ? b : "(null)");
}

/* ------------------------------------------------------------------------
 * Framework record and the table of foreign bindings we accept.
 * ---------------------------------------------------------------------- */
static bbr_framework bbt_fw;
static int bbt_joined = 0;
static int bbt_local_bindings = 0; /* published and not yet freed */

#define BBT_MAX_FOREIGN 256
static bbr_binding* bbt_foreign[BBT_MAX_FOREIGN]; /* in announcement order */
static int bbt_foreign_count = 0;

static int bbt_is_announced(const bbr_binding* b) {
    int i;
    for (i = 0; i < bbt_foreign_count; ++i)
        if (bbt_foreign[i] == b)
            return 1;
    return 0;
}

/* Our import rule (see the file comment).  Only called on announced
 * bindings. */
static int bbt_accepts(const bbr_binding* b, const char* source_name) {
    if (!b->source_name || strcmp(b->source_name, source_name) != 0)
        return 0;
#if defined(__cplusplus)
    if (b->framework->abi_lang == BBR_ABI_LANG_CPP) {
        const std::type_info* ti = static_cast<const std::type_info*>(b->native_type);
        if (b->framework->abi_extra != bbt_fw.abi_extra || !ti ||
            *ti != typeid(bbt_point))
            return 0;
    }
#endif
    return 1;
}

/* ------------------------------------------------------------------------
 * Instances: one layout for every type this module makes.
 * ---------------------------------------------------------------------- */
typedef struct bbt_keep {
    struct bbt_keep* next;
    void* payload;
    void (*cb)(void*) BBR_NOEXCEPT;
} bbt_keep;

typedef struct bbt_inst {
    PyObject_HEAD
    bbt_point* value;  /* &storage, or an outside object */
    int owned;         /* 1: BBT_DELETE_POINT(value) at death (take_ownership) */
    bbt_point storage;
    bbt_keep* keeps;   /* keep_alive payloads released at death */
    PyObject* weaklist;
} bbt_inst;

/* Per type: its binding, if published. */
typedef struct bbt_type_rec {
    PyTypeObject* type;
    bbr_binding* binding;
    char name[64];
} bbt_type_rec;

#define BBT_MAX_TYPES 512
static bbt_type_rec bbt_types[BBT_MAX_TYPES];
static int bbt_type_count = 0;

static bbt_type_rec* bbt_rec_of_type(PyTypeObject* type) {
    int i;
    for (i = 0; i < bbt_type_count; ++i)
        if (bbt_types[i].type == type)
            return &bbt_types[i];
    return NULL;
}

/* Live instances, for "return the existing wrapper". */
#define BBT_MAX_LIVE 4096
static bbt_inst* bbt_live[BBT_MAX_LIVE];
static int bbt_live_count = 0;

static void bbt_live_add(bbt_inst* inst) {
    if (bbt_live_count < BBT_MAX_LIVE)
        bbt_live[bbt_live_count++] = inst;
}

static void bbt_live_remove(bbt_inst* inst) {
    int i;
    for (i = 0; i < bbt_live_count; ++i) {
        if (bbt_live[i] == inst) {
            bbt_live[i] = bbt_live[--bbt_live_count];
            return;
        }
    }
}

static bbt_inst* bbt_live_find(const void* value, PyTypeObject* type) {
    int i;
    for (i = 0; i < bbt_live_count; ++i)
        if ((const void*) bbt_live[i]->value == value && Py_TYPE(bbt_live[i]) == type)
            return bbt_live[i];
    return NULL;
}

static void bbt_inst_dealloc(PyObject* self);

/* An instance of one of our types or of a Python subclass of one.  Judged
 * by the dealloc slot along the base chain, never by a remembered type
 * address: a dead type's address may be reused by an unrelated type. */
static int bbt_is_ours(PyObject* obj) {
    PyTypeObject* t;
    for (t = Py_TYPE(obj); t; t = t->tp_base)
        if (t->tp_dealloc == bbt_inst_dealloc)
            return 1;
    return 0;
}

static int bbt_inst_init(PyObject* self, PyObject* args, PyObject* kwargs) {
    bbt_inst* inst = BBT_CAST(bbt_inst*, self);
    double x = 0, y = 0;
    static const char* kwlist[] = {"x", "y", NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|dd", BBT_CAST(char**, kwlist), &x, &y))
        return -1;
    inst->value->x = x;
    inst->value->y = y;
    return 0;
}

static PyObject* bbt_inst_new(PyTypeObject* type, PyObject* args, PyObject* kwargs) {
    bbt_inst* inst = BBT_CAST(bbt_inst*, type->tp_alloc(type, 0));
    (void) args;
    (void) kwargs;
    if (!inst)
        return NULL;
    inst->value = &inst->storage;
    bbt_live_add(inst);
    return BBT_CAST(PyObject*, inst);
}

static void bbt_inst_dealloc(PyObject* self) {
    bbt_inst* inst = BBT_CAST(bbt_inst*, self);
    PyTypeObject* type = Py_TYPE(self);
    bbt_keep* keep = inst->keeps;
    bbt_live_remove(inst);
    if (inst->weaklist)
        PyObject_ClearWeakRefs(self);
    inst->keeps = NULL;
    while (keep) {
        bbt_keep* next = keep->next;
        if (keep->cb)
            keep->cb(keep->payload);
        else
            Py_DECREF(BBT_CAST(PyObject*, keep->payload));
        free(keep);
        keep = next;
    }
    if (inst->owned)
        BBT_DELETE_POINT(inst->value);
    type->tp_free(self);
    Py_DECREF(type);
}

static PyObject* bbt_get_x(PyObject* self, void* closure) {
    (void) closure;
    return PyFloat_FromDouble(BBT_CAST(bbt_inst*, self)->value->x);
}

static PyObject* bbt_get_y(PyObject* self, void* closure) {
    (void) closure;
    return PyFloat_FromDouble(BBT_CAST(bbt_inst*, self)->value->y);
}

static int bbt_set_x(PyObject* self, PyObject* v, void* closure) {
    double d = v ? PyFloat_AsDouble(v) : -1.0;
    (void) closure;
    if (!v || (d == -1.0 && PyErr_Occurred())) {
        if (!v)
            PyErr_SetString(PyExc_AttributeError, "cannot delete x");
        return -1;
    }
    BBT_CAST(bbt_inst*, self)->value->x = d;
    return 0;
}

static PyGetSetDef bbt_getset[] = {
    {BBT_CAST(char*, "x"), bbt_get_x, bbt_set_x, NULL, NULL},
    {BBT_CAST(char*, "y"), bbt_get_y, NULL, NULL, NULL},
    {NULL, NULL, NULL, NULL, NULL}};

static PyMemberDef bbt_members[] = {
    {BBT_CAST(char*, "__weaklistoffset__"), T_PYSSIZET, offsetof(bbt_inst, weaklist), READONLY, NULL},
    {NULL, 0, 0, 0, NULL}};

/* ------------------------------------------------------------------------
 * Framework callbacks (no Python code runs inside the registry ones).
 * ---------------------------------------------------------------------- */
/* Fault injection for the callers' error paths: 1 = from_python raises,
 * 2 = to_python raises, 3 = keep_alive refuses, 4 = translate_exception
 * leaves an error set but says "not translated", 5 = it says "translated"
 * but sets no error, 6 = from_python unpublishes the object's type (the
 * binding is removed and freed during the call) and then succeeds, once. */
static int bbt_fail_mode = 0;

static void* bbt_from_python(bbr_binding* binding, PyObject* pyobj, uint8_t convert,
                             void (*keep_referenced)(void* ctx, PyObject* obj) BBR_NOEXCEPT,
                             void* ctx) BBR_NOEXCEPT {
    (void) convert;
    if (bbt_fail_mode == 1) {
        /* Misbehaving on purpose: the spec says NULL with no error set. */
        PyErr_SetString(PyExc_RuntimeError, BBT_NAME ": injected from_python failure");
        return NULL;
    }
    (void) keep_referenced;
    (void) ctx;
    if (!PyObject_TypeCheck(pyobj, binding->pytype) || !bbt_is_ours(pyobj))
        return NULL;
    if (bbt_fail_mode == 6) {
        /* `binding` is freed by the delattr: read nothing from it after. */
        PyObject* type = BBT_CAST(PyObject*, binding->pytype);
        bbt_point* value = BBT_CAST(bbt_inst*, pyobj)->value;
        bbt_fail_mode = 0;
        if (PyObject_DelAttrString(type, BBR_BINDING_TYPE_ATTRIBUTE) != 0)
            PyErr_Clear();
        return value;
    }
    return BBT_CAST(bbt_inst*, pyobj)->value;
}

static PyObject* bbt_to_python(bbr_binding* binding, void* cobj, enum bbr_rv_policy rvp,
                               bbr_to_python_feedback* feedback) BBR_NOEXCEPT {
    bbt_point* point = BBT_CAST(bbt_point*, cobj);
    bbt_inst* inst = bbt_live_find(cobj, binding->pytype);
    feedback->relocate = 0; /* we never relocate */
    if (bbt_fail_mode == 2) {
        PyErr_SetString(PyExc_RuntimeError, BBT_NAME ": injected to_python failure");
        return NULL;
    }
    if (inst) {
        feedback->is_new = 0;
        Py_INCREF(inst);
        return BBT_CAST(PyObject*, inst);
    }
    feedback->is_new = 1;
    if (rvp < BBR_RV_TAKE_OWNERSHIP || rvp > BBR_RV_SHARE_OWNERSHIP)
        return NULL; /* none, or unknown: look up only */
    if (!point) {
        Py_RETURN_NONE;
    }
    inst = BBT_CAST(bbt_inst*, bbt_inst_new(binding->pytype, NULL, NULL));
    if (!inst)
        return NULL;
    switch (rvp) {
        case BBR_RV_COPY:
        case BBR_RV_MOVE:
            inst->storage = *point;
            break;
        case BBR_RV_TAKE_OWNERSHIP:
            inst->value = point;
            inst->owned = 1;
            break;
        default: /* reference, share_ownership (a keep_alive follows) */
            inst->value = point;
            break;
    }
    return BBT_CAST(PyObject*, inst);
}

static int bbt_keep_alive(PyObject* nurse, void* payload, void (*cb)(void*) BBR_NOEXCEPT) BBR_NOEXCEPT {
    bbt_keep* keep;
    if (bbt_fail_mode == 3 || !bbt_is_ours(nurse))
        return 0;
    keep = BBT_CAST(bbt_keep*, malloc(sizeof(bbt_keep)));
    if (!keep)
        return 0;
    keep->payload = payload;
    keep->cb = cb;
    keep->next = BBT_CAST(bbt_inst*, nurse)->keeps;
    BBT_CAST(bbt_inst*, nurse)->keeps = keep;
    if (!cb)
        Py_INCREF(BBT_CAST(PyObject*, payload));
    return 1;
}

#if defined(__cplusplus)
/* This framework has no exceptions of its own: it translates nothing,
 * except when told to misbehave. */
static int bbt_translate_exception(void* eptr) BBR_NOEXCEPT {
    (void) eptr;
    if (bbt_fail_mode == 4) {
        PyErr_SetString(PyExc_RuntimeError, BBT_NAME ": injected translate_exception error");
        return 0;
    }
    return bbt_fail_mode == 5 ? 1 : 0;
}
#endif

static void bbt_remove_local_binding(bbr_binding* binding) BBR_NOEXCEPT {
    bbt_type_rec* rec = BBT_CAST(bbt_type_rec*, binding->context);
    bbt_log("remove_local_binding %s%s", binding->source_name, "");
    if (rec && rec->binding == binding)
        rec->binding = NULL;
}

static void bbt_free_local_binding(bbr_binding* binding) BBR_NOEXCEPT {
    bbt_log("free_local_binding %s%s", binding->source_name, "");
    free(BBT_CAST(void*, binding->source_name));
    free(binding);
    --bbt_local_bindings;
}

static void bbt_add_foreign_binding(bbr_binding* binding) BBR_NOEXCEPT {
    bbt_log("add_foreign_binding %s from %s", binding->source_name, binding->framework->name);
    if (bbt_foreign_count < BBT_MAX_FOREIGN)
        bbt_foreign[bbt_foreign_count++] = binding;
}

static void bbt_remove_foreign_binding(bbr_binding* binding) BBR_NOEXCEPT {
    int i;
    bbt_log("remove_foreign_binding %s from %s", binding->source_name, binding->framework->name);
    for (i = 0; i < bbt_foreign_count; ++i) {
        if (bbt_foreign[i] == binding) {
            /* keep announcement order */
            memmove(&bbt_foreign[i], &bbt_foreign[i + 1],
                    (size_t) (bbt_foreign_count - i - 1) * sizeof(bbr_binding*));
            --bbt_foreign_count;
            break;
        }
    }
}

/* The leak-warning rule of the nanobind pull request, which this framework
 * follows: its leak warnings are muted for good as soon as a framework
 * without leak_safe joins (that framework may keep our objects alive past
 * finalisation).  leak_warnings_muted_by() names the first such framework. */
static char bbt_muted_by[256];

static void bbt_add_foreign_framework(bbr_framework* framework) BBR_NOEXCEPT {
    bbt_log("add_foreign_framework %s%s", framework->name, "");
    if (!(framework->flags & BBR_FRAMEWORK_LEAK_SAFE) && !bbt_muted_by[0])
        snprintf(bbt_muted_by, sizeof(bbt_muted_by), "%s", framework->name ? framework->name : "?");
}

static void bbt_remove_foreign_framework(bbr_framework* framework) BBR_NOEXCEPT {
    /* May run from Py_AtExit: C only.  With BBT_REPORT_EXIT set, a
     * framework leaving during finalisation is reported on stderr (the
     * tests of leak-safe frameworks read it). */
    bbt_log("remove_foreign_framework %s%s", framework->name, "");
    if (!Py_IsInitialized() && getenv("BBT_REPORT_EXIT"))
        fprintf(stderr, "bbtest: at exit, %s left the registry\n", framework->name);
}

/* Leave the registry after finalisation, once our bindings are gone (a
 * framework with live bindings stays registered: its record is static). */
static void bbt_atexit(void) {
    if (bbt_joined && bbt_local_bindings == 0) {
        bbr_remove_framework(&bbt_fw);
        bbt_joined = 0;
    }
}

/* ------------------------------------------------------------------------
 * Module functions.
 * ---------------------------------------------------------------------- */
static PyObject* bbt_leak_warnings_muted_by(PyObject* self, PyObject* unused) {
    (void) self;
    (void) unused;
    if (!bbt_muted_by[0])
        Py_RETURN_NONE;
    return PyUnicode_FromString(bbt_muted_by);
}

static PyObject* bbt_publish(bbt_type_rec* rec) {
    bbr_binding* binding;
    if (rec->binding)
        Py_RETURN_NONE; /* exporting twice is harmless */
    binding = BBT_CAST(bbr_binding*, calloc(1, sizeof(bbr_binding)));
    if (!binding)
        return PyErr_NoMemory();
    binding->framework = &bbt_fw;
    binding->pytype = rec->type;
    binding->source_name = bbt_strdup(rec->name);
#if defined(__cplusplus)
    binding->native_type = &typeid(bbt_point);
#endif
    binding->context = rec;
    if (!binding->source_name) {
        free(binding);
        return PyErr_NoMemory();
    }
    ++bbt_local_bindings;
    rec->binding = binding;
    if (bbr_add_binding_ex(binding, 0, 0) != 0) {
        rec->binding = NULL; /* free_local_binding ran */
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject* bbt_make_type(PyObject* self, PyObject* args, PyObject* kwargs) {
    const char* name;
    int do_export = 1;
    char qualname[128];
    PyType_Slot slots[] = {
        {Py_tp_new, BBT_CAST(void*, bbt_inst_new)},
        {Py_tp_init, BBT_CAST(void*, bbt_inst_init)},
        {Py_tp_dealloc, BBT_CAST(void*, bbt_inst_dealloc)},
        {Py_tp_getset, bbt_getset},
        {Py_tp_members, bbt_members},
        {0, NULL}};
    PyType_Spec spec;
    PyObject* type;
    bbt_type_rec* rec;
    static const char* kwlist[] = {"name", "export", NULL};
    (void) self;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "s|p", BBT_CAST(char**, kwlist), &name,
                                     &do_export))
        return NULL;
    if (strlen(name) >= sizeof(rec->name)) {
        PyErr_SetString(PyExc_ValueError, "name too long");
        return NULL;
    }
    if (bbt_type_count >= BBT_MAX_TYPES) {
        PyErr_SetString(PyExc_RuntimeError, BBT_NAME ": too many types");
        return NULL;
    }
    snprintf(qualname, sizeof(qualname), "%s.%s", BBT_NAME, name);
    spec.name = qualname; /* copied into the type by PyType_FromSpec */
    spec.basicsize = (int) sizeof(bbt_inst);
    spec.itemsize = 0;
    spec.flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE;
    spec.slots = slots;
    type = PyType_FromSpec(&spec);
    if (!type)
        return NULL;
    /* Records hold borrowed type pointers; a record with this address
     * belongs to a dead type whose memory the new one reuses: recycle it. */
    rec = bbt_rec_of_type(BBT_CAST(PyTypeObject*, type));
    if (!rec)
        rec = &bbt_types[bbt_type_count++];
    rec->type = BBT_CAST(PyTypeObject*, type);
    rec->binding = NULL;
    snprintf(rec->name, sizeof(rec->name), "%s", name);
    if (do_export) {
        PyObject* r = bbt_publish(rec);
        if (!r) {
            Py_DECREF(type);
            return NULL;
        }
        Py_DECREF(r);
    }
    return type;
}

static PyObject* bbt_export(PyObject* self, PyObject* type) {
    bbt_type_rec* rec = PyType_Check(type) ? bbt_rec_of_type(BBT_CAST(PyTypeObject*, type)) : NULL;
    (void) self;
    if (!rec) {
        PyErr_Format(PyExc_TypeError, BBT_NAME ".export: %R is not a type of this module", type);
        return NULL;
    }
    return bbt_publish(rec);
}

static void bbt_keep_referenced(void* ctx, PyObject* obj) BBR_NOEXCEPT {
    PyObject* list = BBT_CAST(PyObject*, ctx);
    if (PyList_Append(list, obj) != 0)
        PyErr_Clear();
}

/* The bbt_point inside obj: ours, or through an announced foreign binding
 * that our import rule accepts (first in announcement order). */
static bbt_point* bbt_load(PyObject* obj, const char* source_name, PyObject* keep) {
    bbr_binding* binding;
    if (bbt_is_ours(obj))
        return BBT_CAST(bbt_inst*, obj)->value;
    binding = bbr_get_binding(BBT_CAST(PyObject*, Py_TYPE(obj)));
    if (!binding || !bbt_is_announced(binding) || !bbt_accepts(binding, source_name))
        return NULL;
    return BBT_CAST(bbt_point*, binding->framework->from_python(binding, obj, 1,
                                                                bbt_keep_referenced, keep));
}

static PyObject* bbt_point_xy(PyObject* self, PyObject* args) {
    PyObject *obj, *keep, *result = NULL;
    const char* source_name = "Point";
    bbt_point* point;
    (void) self;
    if (!PyArg_ParseTuple(args, "O|s", &obj, &source_name))
        return NULL;
    keep = PyList_New(0);
    if (!keep)
        return NULL;
    point = bbt_load(obj, source_name, keep);
    if (point)
        result = Py_BuildValue("(dd)", point->x, point->y);
    else if (!PyErr_Occurred())
        PyErr_Format(PyExc_TypeError, BBT_NAME ".point_xy: expected a %s, got %s", source_name,
                     Py_TYPE(obj)->tp_name);
    Py_DECREF(keep);
    return result;
}

static bbr_binding* bbt_find_foreign(const char* source_name) {
    int i;
    for (i = 0; i < bbt_foreign_count; ++i)
        if (bbt_accepts(bbt_foreign[i], source_name))
            return bbt_foreign[i];
    return NULL;
}

static bbt_point bbt_static_points[16];

/* to_foreign(source_name, x, y, policy[, slot]): make a bbt_point and hand
 * it to the first accepted foreign binding's to_python with `policy`.
 * Policies: copy/move use a stack value; reference/share_ownership use
 * static slot `slot`; take_ownership a malloc'd one.  Returns (obj, is_new). */
static PyObject* bbt_to_foreign(PyObject* self, PyObject* args) {
    const char* source_name;
    double x, y;
    int policy, slot = 0;
    bbr_binding* binding;
    bbt_point local, *point;
    bbr_to_python_feedback feedback = {0, 0};
    PyObject* obj;
    (void) self;
    if (!PyArg_ParseTuple(args, "sddi|i", &source_name, &x, &y, &policy, &slot))
        return NULL;
    if (slot < 0 || slot >= 16) {
        PyErr_SetString(PyExc_IndexError, "slot out of range");
        return NULL;
    }
    binding = bbt_find_foreign(source_name);
    if (!binding) {
        PyErr_Format(PyExc_LookupError, BBT_NAME ": no foreign binding for %s", source_name);
        return NULL;
    }
    if (policy == BBR_RV_TAKE_OWNERSHIP) {
        point = bbt_new_point_for(binding->framework);
        if (!point) {
            if (binding->framework->abi_lang != BBR_ABI_LANG_C && !PyErr_Occurred())
                PyErr_SetString(PyExc_TypeError,
                                BBT_NAME ": cannot allocate a point that a C++ owner can delete");
            else
                PyErr_NoMemory();
            return NULL;
        }
    } else if (policy == BBR_RV_REFERENCE || policy == BBR_RV_SHARE_OWNERSHIP ||
               policy == BBR_RV_NONE) {
        point = &bbt_static_points[slot];
    } else {
        point = &local;
    }
    if (policy != BBR_RV_NONE) {
        point->x = x;
        point->y = y;
    }
    obj = binding->framework->to_python(binding, point, (enum bbr_rv_policy) policy, &feedback);
    if (!obj) {
        if (policy == BBR_RV_TAKE_OWNERSHIP)
            bbt_delete_point_for(binding->framework, point);
        if (PyErr_Occurred())
            return NULL;
        Py_RETURN_NONE;
    }
    if (policy == BBR_RV_TAKE_OWNERSHIP && !feedback.is_new)
        bbt_delete_point_for(binding->framework, point);
    return Py_BuildValue("(Ni)", obj, (int) feedback.is_new);
}

/* keep_alive_via(nurse, payload): the owner's keep_alive for nurse's type. */
static PyObject* bbt_keep_alive_via(PyObject* self, PyObject* args) {
    PyObject *nurse, *payload;
    bbr_binding* binding;
    (void) self;
    if (!PyArg_ParseTuple(args, "OO", &nurse, &payload))
        return NULL;
    binding = bbr_get_binding(BBT_CAST(PyObject*, Py_TYPE(nurse)));
    if (!binding || (!bbt_is_announced(binding) && binding->framework != &bbt_fw)) {
        PyErr_SetString(PyExc_TypeError, "nurse has no published binding");
        return NULL;
    }
    return PyBool_FromLong(binding->framework->keep_alive(nurse, payload, NULL));
}

static PyObject* bbt_events_fn(PyObject* self, PyObject* noargs) {
    PyObject* list = PyList_New(bbt_event_count);
    int i;
    (void) self;
    (void) noargs;
    if (!list)
        return NULL;
    for (i = 0; i < bbt_event_count; ++i) {
        PyObject* item = Py_BuildValue("(ls)", bbt_events[i].seq, bbt_events[i].text);
        if (!item) {
            Py_DECREF(list);
            return NULL;
        }
        PyList_SET_ITEM(list, i, item);
    }
    return list;
}

static PyObject* bbt_clear_events(PyObject* self, PyObject* noargs) {
    (void) self;
    (void) noargs;
    bbt_event_count = 0;
    Py_RETURN_NONE;
}

static PyObject* bbt_foreign_bindings(PyObject* self, PyObject* noargs) {
    PyObject* list = PyList_New(0);
    int i;
    (void) self;
    (void) noargs;
    for (i = 0; list && i < bbt_foreign_count; ++i) {
        PyObject* item = Py_BuildValue("(ss)", bbt_foreign[i]->source_name,
                                       bbt_foreign[i]->framework->name);
        if (!item || PyList_Append(list, item) != 0) {
            Py_XDECREF(item);
            Py_CLEAR(list);
            break;
        }
        Py_DECREF(item);
    }
    return list;
}

/* The raw and the checked protocol lookups, as integers (0 = none), and
 * whether a Python error was left set (it must never be). */
static PyObject* bbt_lookup(PyObject* self, PyObject* obj) {
    size_t raw, checked;
    int raw_err, checked_err;
    (void) self;
    raw = (size_t) bbr_get_binding(obj);
    raw_err = PyErr_Occurred() != NULL;
    PyErr_Clear();
    checked = (size_t) bbr_get_binding_checked(obj);
    checked_err = PyErr_Occurred() != NULL;
    PyErr_Clear();
    return Py_BuildValue("(nnii)", (Py_ssize_t) raw, (Py_ssize_t) checked, raw_err, checked_err);
}

static void bbt_forged_destructor(PyObject* capsule) {
    free(PyCapsule_GetContext(capsule));
}

/* forge_capsule(name, address): a capsule of any name holding any pointer
 * (for bad-input tests; the pointer is never dereferenced by them). */
static PyObject* bbt_forge_capsule(PyObject* self, PyObject* args) {
    const char* name;
    Py_ssize_t address;
    char* copy;
    PyObject* capsule;
    (void) self;
    if (!PyArg_ParseTuple(args, "sn", &name, &address))
        return NULL;
    copy = bbt_strdup(name);
    if (!copy)
        return PyErr_NoMemory();
    capsule = PyCapsule_New(BBT_CAST(void*, (size_t) address), copy, bbt_forged_destructor);
    if (!capsule || PyCapsule_SetContext(capsule, copy) != 0) {
        free(copy);
        Py_XDECREF(capsule);
        return NULL;
    }
    return capsule;
}

/* publish_on(type, source_name): publish a binding for any type (one this
 * module did not make), as a framework that serves another framework's
 * types would; used to test that adapters step aside. */
static PyObject* bbt_publish_on(PyObject* self, PyObject* args) {
    PyObject* type;
    const char* source_name;
    bbr_binding* binding;
    (void) self;
    if (!PyArg_ParseTuple(args, "O!s", &PyType_Type, &type, &source_name))
        return NULL;
    binding = BBT_CAST(bbr_binding*, calloc(1, sizeof(bbr_binding)));
    if (!binding)
        return PyErr_NoMemory();
    binding->framework = &bbt_fw;
    binding->pytype = BBT_CAST(PyTypeObject*, type);
    binding->source_name = bbt_strdup(source_name);
#if defined(__cplusplus)
    binding->native_type = &typeid(bbt_point);
#endif
    if (!binding->source_name) {
        free(binding);
        return PyErr_NoMemory();
    }
    ++bbt_local_bindings;
    if (bbr_add_binding_ex(binding, 0, 0) != 0)
        return NULL;
    Py_RETURN_NONE;
}

static PyObject* bbt_set_fail_mode(PyObject* self, PyObject* arg) {
    long mode = PyLong_AsLong(arg);
    (void) self;
    if (mode == -1 && PyErr_Occurred())
        return NULL;
    bbt_fail_mode = (int) mode;
    Py_RETURN_NONE;
}

static PyObject* bbt_info(PyObject* self, PyObject* noargs) {
    (void) self;
    (void) noargs;
    return Py_BuildValue("{s:s,s:s,s:z,s:n,s:n,s:n,s:i}", "name", bbt_fw.name, "language",
                         BBT_LANG, "abi_extra", bbt_fw.abi_extra, "abi_extra_address",
                         (Py_ssize_t) (size_t) bbt_fw.abi_extra, "address",
                         (Py_ssize_t) (size_t) &bbt_fw, "registry",
                         (Py_ssize_t) (size_t) bbt_fw.registry, "local_bindings",
                         bbt_local_bindings);
}

/* pose_as(name): this framework's name from now on; a test poses as a
 * native pymetabind build of a framework ("nanobind 9.9.9 ..."). */
static char bbt_posed_name[128];
static PyObject* bbt_pose_as(PyObject* self, PyObject* arg) {
    const char* name = PyUnicode_AsUTF8(arg);
    (void) self;
    if (!name)
        return NULL;
    if (strlen(name) >= sizeof(bbt_posed_name)) {
        PyErr_SetString(PyExc_ValueError, "name too long");
        return NULL;
    }
    snprintf(bbt_posed_name, sizeof(bbt_posed_name), "%s", name);
    bbt_fw.name = bbt_posed_name;
    Py_RETURN_NONE;
}

static PyMethodDef bbt_methods[] = {
    {"make_type", BBT_CAST(PyCFunction, (void (*)(void)) bbt_make_type),
     METH_VARARGS | METH_KEYWORDS, "make_type(name, export=True): a new bound type"},
    {"export", bbt_export, METH_O, "export(type): publish a type of this module"},
    {"point_xy", bbt_point_xy, METH_VARARGS, "point_xy(obj[, source_name]): (x, y) of a point"},
    {"to_foreign", bbt_to_foreign, METH_VARARGS,
     "to_foreign(source_name, x, y, policy[, slot]): (obj, is_new)"},
    {"keep_alive_via", bbt_keep_alive_via, METH_VARARGS, "keep_alive_via(nurse, payload)"},
    {"leak_warnings_muted_by", bbt_leak_warnings_muted_by, METH_NOARGS,
     "the first framework without leak_safe that joined (it mutes our leak warnings), or None"},
    {"events", bbt_events_fn, METH_NOARGS, "the registry callbacks seen, as (seq, text)"},
    {"clear_events", bbt_clear_events, METH_NOARGS, NULL},
    {"foreign_bindings", bbt_foreign_bindings, METH_NOARGS, "announced foreign bindings"},
    {"lookup", bbt_lookup, METH_O, "lookup(type): (raw, checked, raw_err, checked_err)"},
    {"forge_capsule", bbt_forge_capsule, METH_VARARGS, "forge_capsule(name, address)"},
    {"info", bbt_info, METH_NOARGS, "this framework's record"},
    {"publish_on", bbt_publish_on, METH_VARARGS, "publish_on(type, source_name)"},
    {"pose_as", bbt_pose_as, METH_O, "pose_as(name): this framework's name from now on"},
    {"set_fail_mode", bbt_set_fail_mode, METH_O,
     "set_fail_mode(n): 1 from_python raises, 2 to_python raises, 3 keep_alive refuses, "
     "4/5 translate_exception misbehaves"},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef bbt_module = {
    PyModuleDef_HEAD_INIT, BBT_NAME, "bindbridge protocol test framework (" BBT_LANG ")",
    -1, bbt_methods, NULL, NULL, NULL, NULL};

/* The sequence counter all copies share, kept in the interpreter dict. */
static int bbt_share_seq(void) {
    PyObject* dict = bbr_registry_dict();
    PyObject* capsule;
    if (!dict)
        return -1;
    capsule = PyDict_GetItemString(dict, "__bindbridge_test_seq__");
    if (capsule) {
        long* seq = BBT_CAST(long*, PyCapsule_GetPointer(capsule, "bindbridge_test_seq"));
        if (!seq)
            return -1;
        bbt_seq = seq;
        return 0;
    }
    capsule = PyCapsule_New(&bbt_local_seq, "bindbridge_test_seq", NULL);
    if (!capsule)
        return -1;
    if (PyDict_SetItemString(dict, "__bindbridge_test_seq__", capsule) != 0) {
        Py_DECREF(capsule);
        return -1;
    }
    Py_DECREF(capsule);
    return 0;
}

/* Python 3.8's PyMODINIT_FUNC does not mark the symbol visible. */
#if defined(__GNUC__) && defined(__cplusplus)
#  define BBT_INIT_FUNC extern "C" __attribute__((visibility("default"))) PyObject*
#elif defined(__GNUC__)
#  define BBT_INIT_FUNC __attribute__((visibility("default"))) PyObject*
#else
#  define BBT_INIT_FUNC PyMODINIT_FUNC
#endif
BBT_INIT_FUNC BBT_CAT(PyInit_, BBT_MODULE)(void) {
    bbr_registry* registry;
    PyObject* module;
    if (bbt_joined) {
        PyErr_SetString(PyExc_ImportError, BBT_NAME ": cannot be initialised twice");
        return NULL;
    }
    module = PyModule_Create(&bbt_module);
    if (!module)
        return NULL;
    if (bbt_share_seq() != 0) {
        Py_DECREF(module);
        return NULL;
    }
    registry = bbr_registry_get();
    if (!registry) {
        Py_DECREF(module);
        return NULL;
    }
    bbt_fw.name = BBT_NAME " (" BBT_LANG " test framework)";
    bbt_fw.flags = 0;
#if defined(__cplusplus)
    bbt_fw.abi_lang = BBR_ABI_LANG_CPP;
    bbt_fw.abi_extra = BINDBRIDGE_PLATFORM_ABI_TAG;
#else
    bbt_fw.abi_lang = BBR_ABI_LANG_C;
    bbt_fw.abi_extra = NULL;
#endif
    bbt_fw.from_python = bbt_from_python;
    bbt_fw.to_python = bbt_to_python;
    bbt_fw.keep_alive = bbt_keep_alive;
#if defined(__cplusplus)
    bbt_fw.translate_exception = bbt_translate_exception;
#else
    bbt_fw.translate_exception = NULL;
#endif
    bbt_fw.remove_local_binding = bbt_remove_local_binding;
    bbt_fw.free_local_binding = bbt_free_local_binding;
    bbt_fw.add_foreign_binding = bbt_add_foreign_binding;
    bbt_fw.remove_foreign_binding = bbt_remove_foreign_binding;
    bbt_fw.add_foreign_framework = bbt_add_foreign_framework;
    bbt_fw.remove_foreign_framework = bbt_remove_foreign_framework;
    bbr_add_framework(registry, &bbt_fw);
    bbt_joined = 1;
    if (Py_AtExit(bbt_atexit) != 0) {
        /* no slot left: we stay registered (static record), nothing breaks */
    }
    if (PyModule_AddStringConstant(module, "LANGUAGE", BBT_LANG) != 0 ||
        PyModule_AddIntConstant(module, "TAKE_OWNERSHIP", BBR_RV_TAKE_OWNERSHIP) != 0 ||
        PyModule_AddIntConstant(module, "COPY", BBR_RV_COPY) != 0 ||
        PyModule_AddIntConstant(module, "MOVE", BBR_RV_MOVE) != 0 ||
        PyModule_AddIntConstant(module, "REFERENCE", BBR_RV_REFERENCE) != 0 ||
        PyModule_AddIntConstant(module, "SHARE_OWNERSHIP", BBR_RV_SHARE_OWNERSHIP) != 0 ||
        PyModule_AddIntConstant(module, "NONE", BBR_RV_NONE) != 0) {
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
