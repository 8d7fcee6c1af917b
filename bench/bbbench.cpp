// bench/bbbench.cpp: the benchmark's helper module (no binding framework, bindbridge's runtime only).
//
// - callgrind markers: zero() and dump(name) are callgrind client requests
//   (no-ops outside valgrind), so one valgrind process measures many cases;
// - the 10,000-type scale benchmark: two C++ frameworks of its own on the
//   registry, an exporter that publishes Python types made here with the C
//   API, and an importer that looks foreign types up the way the adapters
//   do (runtime.h's per-type cache refresh: the foreign table by
//   std::type_info).  Filler types get a std::type_info made at run time
//   (a distinct mangled name each), so the tables really hold 10,000 C++
//   types; four real C++ types (real<0..3>) are the ones looked up;
// - the bare protocol framework (bare_types): the protocol's own cost of a
//   published type, against which bindbridge's share is measured;
// - heap(): bytes in use on the C heap (glibc mallinfo2), for memory per
//   exported type (run with PYTHONMALLOC=malloc to count Python objects too).
#include <Python.h>

#include <bindbridge/runtime/runtime.h>

#include <chrono>
#include <deque>
#include <string>
#include <typeinfo>
#include <vector>

#if defined(__GLIBC__)
#  include <malloc.h>
#endif

#if defined(__has_include)
#  if __has_include(<valgrind/callgrind.h>)
#    include <valgrind/callgrind.h>
#    define BBB_HAVE_CALLGRIND 1
#  endif
#endif

#define BBB_STR2(x) #x
#define BBB_STR(x) BBB_STR2(x)

namespace bb = bindbridge::detail;

namespace {

struct exporter_tag {};
struct importer_tag {};

template <int K>
struct real {
    int v = K;
};

// A std::type_info made at run time (the constructor is protected).
struct dyn_type_info final : std::type_info {
    explicit dyn_type_info(const char* mangled) : std::type_info(mangled) {}
};

struct state_t {
    bb::framework_record* exporter = nullptr;
    bb::framework_record* importer = nullptr;
    std::deque<std::string> names;        // type names and mangled names (stable addresses)
    std::deque<dyn_type_info> infos;      // one per filler type
    std::vector<PyObject*> types;         // filler types (strong references)
    std::vector<const std::type_info*> type_infos;
    size_t exported = 0;
    PyObject* real_types[4] = {nullptr, nullptr, nullptr, nullptr};
};

state_t& st() {
    static state_t* s = new state_t(); // lives for the process (bindings point into it)
    return *s;
}

// The frameworks' callbacks: nothing here is ever converted.
void* stub_from_python(bbr_binding*, PyObject*, uint8_t, void (*)(void*, PyObject*) noexcept,
                       void*) noexcept {
    return nullptr;
}
PyObject* stub_to_python(bbr_binding*, void*, bbr_rv_policy, bbr_to_python_feedback* fb) noexcept {
    fb->is_new = 0;
    fb->relocate = 0;
    return nullptr;
}
int stub_keep_alive(PyObject*, void*, void (*)(void*) noexcept) noexcept { return 0; }
int stub_translate(void*) noexcept { return 0; }
void stub_free_local_binding(bbr_binding* b) noexcept { bb::free_binding(b); }

template <typename Tag>
bb::framework_record* make_record(const char* role) {
    uint32_t layout = bb::layout_fingerprint({});
    std::string key = bb::record_key(std::string("bench_") + role, layout);
    return bb::get_or_create_record<Tag>(key, layout, [role](bb::framework_record& r) {
        r.name = std::string("bindbridge bench ") + role;
        r.fw.from_python = stub_from_python;
        r.fw.to_python = stub_to_python;
        r.fw.keep_alive = stub_keep_alive;
        r.fw.translate_exception = stub_translate;
        r.fw.free_local_binding = stub_free_local_binding;
        return true;
    });
}

inline int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

PyObject* new_type(const char* qualified_name) {
    // PyType_FromSpec keeps a pointer to the name on Python <= 3.11.
    state_t& s = st();
    s.names.emplace_back(qualified_name);
    static PyType_Slot slots[] = {{0, nullptr}};
    PyType_Spec spec = {s.names.back().c_str(), (int) sizeof(PyObject), 0, Py_TPFLAGS_DEFAULT, slots};
    return PyType_FromSpec(&spec);
}

const std::type_info& real_info(int k) {
    switch (k) {
        case 0: return typeid(real<0>);
        case 1: return typeid(real<1>);
        case 2: return typeid(real<2>);
        case 3: return typeid(real<3>);
        default: return typeid(real<99>); // never exported
    }
}

// ---------------------------------------------------------------------------
PyObject* cg_zero(PyObject*, PyObject*) {
#if defined(BBB_HAVE_CALLGRIND)
    CALLGRIND_ZERO_STATS;
#endif
    Py_RETURN_NONE;
}

PyObject* cg_dump(PyObject*, PyObject* name) {
    const char* n = PyUnicode_AsUTF8(name);
    if (!n)
        return nullptr;
#if defined(BBB_HAVE_CALLGRIND)
    CALLGRIND_DUMP_STATS_AT(n);
#endif
    Py_RETURN_NONE;
}

PyObject* cg_running(PyObject*, PyObject*) {
#if defined(BBB_HAVE_CALLGRIND)
    return PyBool_FromLong(RUNNING_ON_VALGRIND ? 1 : 0);
#else
    Py_RETURN_FALSE;
#endif
}

PyObject* heap(PyObject*, PyObject*) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
    struct mallinfo2 mi = mallinfo2();
    return PyLong_FromSize_t(mi.uordblks + mi.hblkhd);
#else
    Py_RETURN_NONE;
#endif
}

// make_types(n): n more filler types (not exported yet).  Returns the total.
PyObject* make_types(PyObject*, PyObject* arg) {
    Py_ssize_t n = PyLong_AsSsize_t(arg);
    if (n < 0 && PyErr_Occurred())
        return nullptr;
    state_t& s = st();
    for (Py_ssize_t i = 0; i < n; ++i) {
        size_t idx = s.types.size();
        std::string ident = "bbbench_dyn_" + std::to_string(idx);
        s.names.push_back(std::to_string(ident.size()) + ident); // a mangled class name
        s.infos.emplace_back(s.names.back().c_str());
        PyObject* tp = new_type(("bbbench.Dyn" + std::to_string(idx)).c_str());
        if (!tp)
            return nullptr;
        s.types.push_back(tp);
        s.type_infos.push_back(&s.infos.back());
    }
    return PyLong_FromSize_t(s.types.size());
}

// publish_next(arg, who, one): publishes the next `arg` filler types, each
// with `one` (0 on success, else an error is set).  Returns the elapsed ns.
PyObject* publish_next(PyObject* arg, const char* who, int (*one)(PyTypeObject*, const std::type_info*)) {
    Py_ssize_t n = PyLong_AsSsize_t(arg);
    if (n < 0) {
        if (!PyErr_Occurred())
            PyErr_Format(PyExc_ValueError, "%s: n >= 0", who);
        return nullptr;
    }
    state_t& s = st();
    if (s.exported + (size_t) n > s.types.size()) {
        PyErr_Format(PyExc_ValueError, "%s: make_types first", who);
        return nullptr;
    }
    int64_t t0 = now_ns();
    for (Py_ssize_t i = 0; i < n; ++i, ++s.exported)
        if (one(reinterpret_cast<PyTypeObject*>(s.types[s.exported]), s.type_infos[s.exported]) != 0)
            return nullptr;
    return PyLong_FromLongLong(now_ns() - t0);
}

// export_types(n): publishes the next n filler types through the exporter
// (runtime.h's publish: what export_type does after the framework's own
// lookup).  Returns the elapsed ns.
int export_one(PyTypeObject* tp, const std::type_info* ti) {
    return bb::publish(st().exporter, tp, ti, nullptr) == 0 ? 0 : -1;
}
PyObject* export_types(PyObject*, PyObject* arg) { return publish_next(arg, "export_types", export_one); }

// The bare protocol framework: what any pymetabind framework must allocate
// to publish a type (the binding, its source name, the capsules, the weak
// reference and its callback, the type attribute), with no tables of its
// own.  Its bindings look like the exporter's (C++, the same ABI tag), so
// every other framework files them as it files the exporter's.
void bare_free_local_binding(bbr_binding* b) noexcept { bb::free_binding(b); }
void bare_no_binding(bbr_binding*) noexcept {}
void bare_no_framework(bbr_framework*) noexcept {}

bbr_framework* bare_framework() {
    static bbr_framework* fw = nullptr;
    if (fw)
        return fw;
    bbr_registry* reg = bbr_registry_get();
    if (!reg)
        return nullptr;
    auto* f = new bbr_framework();
    f->name = "bindbridge bench bare protocol";
    f->abi_lang = BBR_ABI_LANG_CPP;
    f->abi_extra = st().exporter->fw.abi_extra;
    f->from_python = stub_from_python;
    f->to_python = stub_to_python;
    f->keep_alive = stub_keep_alive;
    f->translate_exception = stub_translate;
    f->remove_local_binding = bare_no_binding;
    f->free_local_binding = bare_free_local_binding;
    f->add_foreign_binding = bare_no_binding;
    f->remove_foreign_binding = bare_no_binding;
    f->add_foreign_framework = bare_no_framework;
    f->remove_foreign_framework = bare_no_framework;
    bbr_add_framework(reg, f);
    fw = f;
    return fw;
}

// bare_types(n): publishes the next n filler types through the bare
// protocol framework.  Returns the elapsed ns.
int bare_one(PyTypeObject* tp, const std::type_info* ti) {
    bbr_framework* fw = bare_framework();
    if (!fw)
        return -1;
    auto* b = new bbr_binding();
    b->framework = fw;
    b->pytype = tp;
    b->native_type = ti;
    b->source_name = bb::dup_cstr(bb::source_name_of(*ti));
    return bbr_add_binding_ex(b, 0, 0) == 0 ? 0 : -1; // (on failure free_local_binding freed it)
}
PyObject* bare_types(PyObject*, PyObject* arg) { return publish_next(arg, "bare_types", bare_one); }

// export_real(): publishes the four real C++ types real<0..3>; returns them.
PyObject* export_real(PyObject*, PyObject*) {
    state_t& s = st();
    PyObject* out = PyTuple_New(4);
    if (!out)
        return nullptr;
    for (int k = 0; k < 4; ++k) {
        if (!s.real_types[k]) {
            PyObject* tp = new_type(("bbbench.Real" + std::to_string(k)).c_str());
            if (!tp) {
                Py_DECREF(out);
                return nullptr;
            }
            if (bb::publish(s.exporter, reinterpret_cast<PyTypeObject*>(tp), &real_info(k), nullptr) != 0) {
                Py_DECREF(tp);
                Py_DECREF(out);
                return nullptr;
            }
            s.real_types[k] = tp;
        }
        Py_INCREF(s.real_types[k]);
        PyTuple_SET_ITEM(out, k, s.real_types[k]);
    }
    return out;
}

// lookup(k, reps): the importer looks up real<k> (k = 4: a type nobody
// exports) reps times, each a cache refresh as after any registry change.
// Returns the elapsed ns.
PyObject* lookup(PyObject*, PyObject* args) {
    int k;
    Py_ssize_t reps;
    if (!PyArg_ParseTuple(args, "in", &k, &reps))
        return nullptr;
    state_t& s = st();
    const std::type_info& ti = real_info(k);
    bb::import_cache cache;
    size_t found = 0;
    int64_t t0 = now_ns();
    for (Py_ssize_t i = 0; i < reps; ++i) {
        bb::refresh(cache, s.importer, ti);
        found += cache.bindings ? 1 : 0;
        cache.epoch = 0;
    }
    int64_t dt = now_ns() - t0;
    if (k < 4 && found != (size_t) reps) {
        PyErr_Format(PyExc_RuntimeError, "lookup: real<%d> not found", k);
        return nullptr;
    }
    return PyLong_FromLongLong(dt);
}

// lookup_type(type, reps): the registry's lookup by Python type
// (bbr_get_binding: the type's __pymetabind_binding__), reps times.
PyObject* lookup_type(PyObject*, PyObject* args) {
    PyObject* tp;
    Py_ssize_t reps;
    if (!PyArg_ParseTuple(args, "On", &tp, &reps))
        return nullptr;
    size_t found = 0;
    int64_t t0 = now_ns();
    for (Py_ssize_t i = 0; i < reps; ++i)
        found += bbr_get_binding(tp) != nullptr;
    int64_t dt = now_ns() - t0;
    if (found != (size_t) reps) {
        PyErr_SetString(PyExc_RuntimeError, "lookup_type: no binding");
        return nullptr;
    }
    return PyLong_FromLongLong(dt);
}

// counts(): (exported filler types, C++ types in the importer's foreign table)
PyObject* counts(PyObject*, PyObject*) {
    state_t& s = st();
    return Py_BuildValue("nn", (Py_ssize_t) s.exported, (Py_ssize_t) s.importer->foreign_by_type.size());
}

PyMethodDef methods[] = {
    {"zero", cg_zero, METH_NOARGS, "callgrind: zero the counters"},
    {"dump", cg_dump, METH_O, "callgrind: dump the counters as a part named NAME"},
    {"under_callgrind", cg_running, METH_NOARGS, "True under valgrind"},
    {"heap", heap, METH_NOARGS, "C heap bytes in use (mallinfo2), or None"},
    {"make_types", make_types, METH_O, "make_types(n): n more filler types"},
    {"export_types", export_types, METH_O, "export_types(n): publish the next n; elapsed ns"},
    {"bare_types", bare_types, METH_O, "bare_types(n): publish the next n through the bare protocol framework"},
    {"export_real", export_real, METH_NOARGS, "publish real<0..3>; their Python types"},
    {"lookup", lookup, METH_VARARGS, "lookup(k, reps): elapsed ns of reps foreign lookups"},
    {"lookup_type", lookup_type, METH_VARARGS, "lookup_type(type, reps): elapsed ns"},
    {"counts", counts, METH_NOARGS, "(exported, foreign C++ types seen by the importer)"},
    {nullptr, nullptr, 0, nullptr}};

PyModuleDef module_def = {PyModuleDef_HEAD_INIT, BBB_STR(BBB_MODULE), nullptr, -1, methods,
                          nullptr, nullptr, nullptr, nullptr};

} // namespace

#define BBB_CAT2(a, b) a##b
#define BBB_CAT(a, b) BBB_CAT2(a, b)

extern "C" __attribute__((visibility("default"))) PyObject* BBB_CAT(PyInit_, BBB_MODULE)(void) {
    PyObject* m = PyModule_Create(&module_def);
    if (!m)
        return nullptr;
    state_t& s = st();
    s.exporter = make_record<exporter_tag>("exporter");
    if (s.exporter)
        s.importer = make_record<importer_tag>("importer");
    if (!s.exporter || !s.importer) {
        Py_DECREF(m);
        return nullptr;
    }
    return m;
}
