// include/bindbridge/runtime/runtime.h: the framework-agnostic C++ runtime every adapter stands on.
//
// One framework_record per adapter domain (one pybind11 internals, one
// nanobind domain), joined to the pymetabind registry once and shared by
// every module of the domain through a capsule in the interpreter dict.
// It keeps the table of foreign bindings (compatible C++ bindings keyed by
// type_info name, in announcement order), bumps an epoch on every change so
// that per-type caches in the casters revalidate with one compare, and
// remembers the other frameworks for exception translation.
//
// Rules (spec: "Callback contracts", "Locking"): registry callbacks only
// edit these C++ tables and never run Python code or let an exception
// escape; serving another framework never consults foreign bindings
// (serving_guard), so two frameworks cannot bounce a conversion back and
// forth.  GIL builds only for now.
#ifndef BINDBRIDGE_RUNTIME_RUNTIME_H
#define BINDBRIDGE_RUNTIME_RUNTIME_H

#include <Python.h>
#if PY_VERSION_HEX < 0x03090000
#  include <frameobject.h> // PyFrameObject's fields (3.8)
#endif

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <exception>
#include <memory>
#include <new>
#include <string>
#include <type_traits>
#include <typeinfo>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "../protocol.h"
#include "../version.h"
#include "abi_tag.h"
#include "bridge_refresh_key.h"
#include "tables.h"

#if defined(Py_GIL_DISABLED)
#  error "bindbridge adapters do not support free-threaded Python yet (the protocol header does)"
#endif

#if defined(__GNUC__)
#  include <cxxabi.h>
#  include <cstdlib>
#endif

namespace bindbridge {
namespace detail {

// type_info::name() may carry a leading '*' (GCC, types with internal
// linkage); compare names without it, as libstdc++'s operator== does.
inline const char* type_key(const std::type_info& ti) noexcept {
    const char* n = ti.name();
    return n[0] == '*' ? n + 1 : n;
}

// The key of the tables by C++ type: the binding's type_info name.
struct key_cpp_name {
    using type = const char*;
    static type of(const bbr_binding* b) noexcept {
        return type_key(*static_cast<const std::type_info*>(b->native_type));
    }
    static uint64_t hash(type k) noexcept {
        // Eight bytes a step (mangled names run to tens of characters).
        std::size_t n = std::strlen(k);
        uint64_t h = 0x9e3779b97f4a7c15ull ^ n;
        for (; n >= 8; n -= 8, k += 8) {
            uint64_t w;
            std::memcpy(&w, k, 8);
            h = (h ^ w) * 0x100000001b3ull;
            h ^= h >> 29;
        }
        uint64_t tail = 0;
        std::memcpy(&tail, k, n);
        return mix_hash(h ^ tail);
    }
    static bool equal(type a, type b) noexcept { return a == b || std::strcmp(a, b) == 0; }
};

// The demangled form of a plain class name, <length><identifier> or
// N<length><identifier>...E (a class in namespaces or classes: what most
// bound types are), written without the demangler (a tenth of its cost);
// false for anything else (templates, std:: abbreviations, anonymous
// namespaces, local classes), which the demangler then spells.
inline bool demangle_plain(const char* m, std::string& out) {
    bool nested = *m == 'N';
    if (nested)
        ++m;
    out.clear();
    out.reserve(std::strlen(m)); // (about as long as the mangled name)
    do {
        if (*m < '1' || *m > '9')
            return false;
        std::size_t len = 0;
        for (; *m >= '0' && *m <= '9'; ++m)
            if ((len = len * 10 + std::size_t(*m - '0')) > 4096)
                return false;
        for (std::size_t i = 0; i < len; ++i) {
            char c = m[i];
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
                return false; // (also the end of the string)
        }
        if (len >= 10 && std::strncmp(m, "_GLOBAL__N", 10) == 0)
            return false; // "(anonymous namespace)"
        if (!out.empty())
            out += "::";
        out.append(m, len);
        m += len;
    } while (nested && *m != 'E');
    if (nested)
        ++m;
    return *m == '\0';
}

// What the C++ runtime's demangler makes of a name (itself without one).
inline std::string demangle_by_runtime(const char* mangled) {
#if defined(__GNUC__)
    int status = 0;
    char* d = abi::__cxa_demangle(mangled, nullptr, nullptr, &status);
    if (d) {
        std::string r(d);
        std::free(d);
        return r;
    }
#endif
    return mangled;
}

inline std::string demangle(const char* mangled) {
    std::string plain;
    if (demangle_plain(mangled, plain))
        return plain;
    return demangle_by_runtime(mangled);
}

// The pymetabind source_name: demangled, without class/struct/enum (which
// only a demangler writes: a plain name has none).
inline std::string source_name_of(const std::type_info& ti) {
    std::string name;
    if (demangle_plain(type_key(ti), name))
        return name;
    name = demangle_by_runtime(type_key(ti));
    for (const char* prefix : {"class ", "struct ", "enum "})
        if (name.compare(0, std::strlen(prefix), prefix) == 0)
            name.erase(0, std::strlen(prefix));
    return name;
}

// The runtime appends this to every record's name ("<adapter's name> via
// bindbridge 0.1.0"): how a record of any bindbridge version is told from
// a framework that speaks pymetabind itself.
#define BINDBRIDGE_RECORD_NAME_MARK " via bindbridge "

inline const char* record_name_suffix() noexcept {
    return BINDBRIDGE_RECORD_NAME_MARK BINDBRIDGE_VERSION_STRING;
}

inline bool is_bindbridge_record(const bbr_framework* fw) noexcept {
    return fw->name && std::strstr(fw->name, BINDBRIDGE_RECORD_NAME_MARK) != nullptr;
}

inline char* dup_cstr(const std::string& s) noexcept {
    char* p = static_cast<char*>(std::malloc(s.size() + 1));
    if (p)
        std::memcpy(p, s.c_str(), s.size() + 1);
    return p;
}

// "module.Name" of a type, for diagnostics (runs Python code; a heap
// type's tp_name has no module, nanobind's for one).
inline std::string type_name_of(PyTypeObject* tp) {
    std::string name = tp->tp_name;
    if (name.find('.') != std::string::npos)
        return name;
    PyObject* mod = PyObject_GetAttrString(reinterpret_cast<PyObject*>(tp), "__module__");
    if (mod && PyUnicode_Check(mod)) {
        const char* c = PyUnicode_AsUTF8(mod);
        if (c && std::strcmp(c, "builtins") != 0)
            name = std::string(c) + "." + name;
    }
    Py_XDECREF(mod);
    PyErr_Clear();
    return name;
}

inline void remove_upcasts_of(const bbr_binding* b) noexcept; // (shared_block, below)

// ---------------------------------------------------------------------------
// The framework record of one domain.
// ---------------------------------------------------------------------------
struct framework_record {
    // First member: the registry hands us bbr_framework*, we cast back.
    bbr_framework fw{};
    // Checked before any other member is read (get_or_create_record): the
    // creator's sizeof(framework_record) and layout fingerprint.
    uint32_t size = sizeof(framework_record);
    uint32_t layout = 0;
    std::string name;

    // Bumped by every change to the foreign tables; caches compare it.
    uint64_t epoch = 1;
    // Compatible foreign bindings (C++, same ABI tag, with a type_info) by
    // type_info name, in announcement (import) order.
    binding_table<key_cpp_name> foreign_by_type;
    // Every announced foreign binding: the only pointers we dereference.
    binding_table<key_binding> announced;
    // Announced but not importable by type_info (C, no type_info, other
    // ABI tag), kept for diagnostics.
    std::vector<bbr_binding*> incompatible;
    // Of those, the bindings without C++ RTTI (a C framework's) by their
    // Python type's tp_name: IMPORT_AS(T, "mod.Type") takes them as T by
    // that name (the declaration asserts T has the C layout).
    std::unordered_map<std::string, std::vector<bbr_binding*>> untyped_by_name;
    // Other frameworks in join order (for exception translation).
    std::vector<bbr_framework*> others;
    // Our published bindings by Python type, and by type_info name (for a
    // polymorphic return whose dynamic type we bind ourselves).
    binding_table<key_pytype> local_by_type;
    binding_table<key_cpp_name> local_by_cpp;
    // A native pymetabind build of our framework that serves this domain
    // (see steps_aside): we then publish nothing ourselves.
    bbr_framework* native_owner = nullptr;
    // The adapter's test (set by its init): whether `other`, which is not
    // a bindbridge record and already publishes a type of ours, is a
    // native pymetabind build of the adapter's framework, which then
    // serves the whole domain.  nullptr: never.
    bool (*is_native_build)(const bbr_framework* other) noexcept = nullptr;
    // Adapter-specific state (owned by the adapter).
    void* adapter = nullptr;
    void (*free_adapter)(void*) noexcept = nullptr; // frees `adapter` if the record is dropped
    PyInterpreterState* interp = nullptr; // the (main) interpreter the record belongs to
    // Told (inside the registry callback: C++ work only) after a compatible
    // foreign binding was added; the pybind11 module-local hook uses it to
    // schedule its attribute installs for later.
    void (*after_foreign_added)(framework_record*) noexcept = nullptr;
    // A last resort the adapter may set: the C++ object of type `ti` in
    // `src` found outside the registry (conduit/consume.h asks the object's
    // own pybind11 cpp conduit), or nullptr with no Python error.  Tried
    // once every binding refused, never while serving; the pointer is valid
    // while `src` lives, and owns nothing (no ownership, no holder).
    void* (*fallback_load)(const std::type_info& ti, PyObject* src) noexcept = nullptr;
    void* hook = nullptr; // the hook's state (owned by the module that enabled it)
    // The runtime's own layout (runtime_fingerprint(): no adapter sizes).
    // Another adapter's record with our size and this value has these
    // members, so known_size may read its native_size.
    uint32_t runtime_layout = 0;
    // The owner's sizeof of the C++ type of one of its published bindings,
    // or 0 when its framework does not record it (set by the pybind11
    // adapter: pybind11's type records carry the size).
    std::size_t (*native_size)(const bbr_binding* b) noexcept = nullptr;

    framework_record() = default;
    framework_record(const framework_record&) = delete;
    framework_record& operator=(const framework_record&) = delete;
    // Only a record that failed to join is ever destroyed (a joined one
    // lives as long as the process).
    ~framework_record() {
        if (free_adapter && adapter)
            free_adapter(adapter);
    }

    static framework_record* of(bbr_framework* fw) noexcept {
        return reinterpret_cast<framework_record*>(fw);
    }

    bool is_compatible(const bbr_binding* b) const noexcept {
        const bbr_framework* other = b->framework;
        return other->abi_lang == BBR_ABI_LANG_CPP && b->native_type && other->abi_extra &&
               fw.abi_extra &&
               (other->abi_extra == fw.abi_extra || std::strcmp(other->abi_extra, fw.abi_extra) == 0);
    }

    // --- registry callbacks' bodies (lock held; C++ tables only) ---------
    void on_add_foreign_binding(bbr_binding* b) noexcept {
        try {
            if (!announced.insert(b))
                return; // announced twice: once is what counts
            bool compatible = is_compatible(b);
            if (compatible)
                foreign_by_type.append(b);
            else
                incompatible.push_back(b);
            if (!b->native_type && b->pytype && b->pytype->tp_name)
                untyped_by_name[b->pytype->tp_name].push_back(b);
            ++epoch;
            if (compatible && after_foreign_added)
                after_foreign_added(this);
        } catch (...) {
            // Out of memory: the binding stays unusable for us, nothing breaks.
            foreign_by_type.erase(b);
            announced.erase(b);
        }
    }

    void on_remove_foreign_binding(bbr_binding* b) noexcept {
        announced.erase(b);
        remove_upcasts_of(b);
        ++epoch;
        for (auto it = incompatible.begin(); it != incompatible.end(); ++it)
            if (*it == b) {
                incompatible.erase(it);
                break;
            }
        if (!b->native_type) {
            for (auto ui = untyped_by_name.begin(); ui != untyped_by_name.end(); ++ui) {
                auto& v = ui->second;
                for (auto vi = v.begin(); vi != v.end(); ++vi)
                    if (*vi == b) {
                        v.erase(vi);
                        if (v.empty())
                            untyped_by_name.erase(ui);
                        return;
                    }
            }
            return;
        }
        foreign_by_type.erase(b); // (not there if it was incompatible)
    }

    void on_add_foreign_framework(bbr_framework* other) noexcept {
        try {
            others.push_back(other);
        } catch (...) {
        }
    }

    void on_remove_foreign_framework(bbr_framework* other) noexcept {
        for (auto it = others.begin(); it != others.end(); ++it)
            if (*it == other) {
                others.erase(it);
                return;
            }
    }

    void on_remove_local_binding(bbr_binding* b) noexcept {
        remove_upcasts_of(b);
        ++epoch; // (dynamic_binding may have cached it)
        local_by_type.erase(b);
        if (b->native_type)
            local_by_cpp.erase(b);
    }
};

// ---------------------------------------------------------------------------
// Keys.  A record is shared by every module of one domain, across shared
// objects, and holds C++ objects (std::string, unordered_map, vector):
// modules may share one only if they agree on all of their layouts.  The
// key therefore names, beyond the framework's own domain id, the C++
// standard library and its ABI (the platform ABI tag: libstdc++ or libc++,
// the string ABI, the debug mode) and a fingerprint of bindbridge's own
// layout that the compiler derives: bindbridge's version and the size of
// everything a record, and the adapter state behind it, is made of.
// Modules that differ get separate records: separate frameworks on the
// registry, which meet only through the protocol's plain C structures.
// ---------------------------------------------------------------------------
#if !defined(BINDBRIDGE_TEST_LAYOUT_SALT)
#  define BINDBRIDGE_TEST_LAYOUT_SALT 0 // tests build a module with another record layout
#endif
// Bumped whenever the meaning of a record's members changes without their
// sizes changing (2: the open-addressing binding tables of tables.h).
#define BINDBRIDGE_LAYOUT_GENERATION 2

// The callbacks through which a record serves its framework's types to
// the others (the spec's contracts: noexcept, no Python error left behind
// on a refusal); a record's init sets them.
struct serving_callbacks {
    decltype(bbr_framework::from_python) from_python;
    decltype(bbr_framework::to_python) to_python;
    decltype(bbr_framework::keep_alive) keep_alive;
    decltype(bbr_framework::translate_exception) translate_exception;
    decltype(bbr_framework::free_local_binding) free_local_binding;
};
inline void set_serving(framework_record& r, const serving_callbacks& c) noexcept {
    r.fw.from_python = c.from_python;
    r.fw.to_python = c.to_python;
    r.fw.keep_alive = c.keep_alive;
    r.fw.translate_exception = c.translate_exception;
    r.fw.free_local_binding = c.free_local_binding;
}

// (Defined here for the fingerprint; used by the import side below.)
// Per-(shared object, C++ type) cache of the foreign bindings.
struct import_cache {
    uint64_t epoch = 0;
    binding_span bindings; // empty: none (negative)
    PyTypeObject* last_type = nullptr;
    bbr_binding* last_binding = nullptr;
    // Non-null when last_binding publishes a class derived from the wanted
    // type (export_type<Derived, Base...>): applied to what it returns.
    void* (*last_upcast)(void*) noexcept = nullptr;
    // Returns of a polymorphic T: the last dynamic type seen and its
    // binding (returns.h), valid while dyn_epoch is the record's epoch.
    const std::type_info* dyn_type = nullptr;
    bbr_binding* dyn_binding = nullptr;
    uint64_t dyn_epoch = 0;
    // The Python type IMPORT_AS names ("mod.Type", owner_pin), or nullptr;
    // returns go to its binding whenever it is published.
    const char* pinned = nullptr;
    // Where returns of the static type go (valid with `epoch`).
    bbr_binding* return_binding = nullptr;
    // The pinned owner's module, imported on demand (import_pinned_owner):
    // 0 not tried, 1 imported, 2 failed (why: owner_import_error, kept for
    // the life of the process).
    int owner_import = 0;
    const char* owner_import_error = nullptr;
    // How many modules Python had loaded when T last asked the bridges
    // for new types (bridge_refresh); 0: never.
    Py_ssize_t bridges_asked_at = 0;
    // sizeof(T) of the importing module (0: not checked), and where
    // refresh keeps the bindings of T whose owner's size is not known to
    // differ when some is (sized_only; malloc'd, kept for the process).
    std::size_t size = 0;
    // Polymorphic T: pybind11 records the size of the trampoline (its alias
    // class) where there is one, so only a smaller size differs for sure.
    bool size_at_least = false;
    bbr_binding** sized = nullptr;
    std::size_t sized_capacity = 0;
    // The last binding refused for its size (for messages): its Python
    // type's name (malloc'd) and the owner's size; 0 when none was.
    char* size_refused_type = nullptr;
    std::size_t size_refused = 0;

    import_cache() = default;
    constexpr import_cache(const char* pin, std::size_t sizeof_t, bool polymorphic) noexcept
        : pinned(pin), size(sizeof_t), size_at_least(polymorphic) {}
    // Whether an owner's size `n` of T (0: unknown) is another T's.
    bool size_differs(std::size_t n) const noexcept {
        return n && size && (size_at_least ? n < size : n != size);
    }
};

// The owner a module pins for T with IMPORT_AS(T, "mod.Type"): returns
// prefer the binding whose Python type is named so (tp_name), whatever else
// publishes T and in whichever order.  Specialised by the IMPORT_AS macros
// (BINDBRIDGE_PIN_OWNER_).
template <typename T>
struct owner_pin {
    static constexpr const char* python_name = nullptr;
};

struct layout_hash {
    uint32_t h = 2166136261u; // FNV-1a
    void add(const void* data, std::size_t n) noexcept {
        const unsigned char* b = static_cast<const unsigned char*>(data);
        for (std::size_t i = 0; i < n; ++i)
            h = (h ^ b[i]) * 16777619u;
    }
    void add(std::size_t v) noexcept {
        uint64_t w = v;
        add(&w, sizeof w);
    }
};

// The fingerprint of bindbridge's record layout as this module sees it;
// `adapter_sizes` are the sizes of the adapter's own shared structures.
inline uint32_t layout_fingerprint(std::initializer_list<std::size_t> adapter_sizes) noexcept {
    layout_hash lh;
    lh.add(BINDBRIDGE_VERSION_STRING, sizeof(BINDBRIDGE_VERSION_STRING));
    for (std::size_t v :
         {sizeof(framework_record), alignof(framework_record), sizeof(std::string),
          sizeof(std::vector<void*>), sizeof(std::unordered_map<std::string, std::vector<void*>>),
          sizeof(std::unordered_map<void*, void*>), sizeof(std::unordered_set<const void*>),
          sizeof(binding_table<key_binding>), sizeof(binding_span), std::size_t(BINDBRIDGE_LAYOUT_GENERATION),
          sizeof(std::unique_ptr<int>), sizeof(std::exception_ptr), sizeof(bbr_framework),
          sizeof(bbr_binding), sizeof(import_cache), std::size_t(BINDBRIDGE_TEST_LAYOUT_SALT)})
        lh.add(v);
    for (std::size_t v : adapter_sizes)
        lh.add(v);
    return lh.h;
}

// The fingerprint of the runtime's layout alone (framework_record's
// runtime_layout): equal in every adapter of this bindbridge version.
inline uint32_t runtime_fingerprint() noexcept {
    static const uint32_t f = layout_fingerprint({});
    return f;
}

// "__bindbridge_record_<fingerprint>_<framework id>_<platform ABI tag>".
inline std::string record_key(const std::string& framework_id, uint32_t layout) {
    char hex[9];
    std::snprintf(hex, sizeof hex, "%08x", (unsigned) layout);
    return std::string("__bindbridge_record_") + hex + "_" + framework_id + "_" +
           BINDBRIDGE_PLATFORM_ABI_TAG;
}

// Registry callbacks that need "self" (the record) get it from a per-Tag
// static: each adapter (Tag) has at most one record per shared object, and
// the record's callbacks are those of the module that created it.
template <typename Tag>
struct record_callbacks {
    static framework_record*& self() noexcept {
        static framework_record* s = nullptr;
        return s;
    }
    static void add_foreign_binding(bbr_binding* b) noexcept {
        if (self())
            self()->on_add_foreign_binding(b);
    }
    static void remove_foreign_binding(bbr_binding* b) noexcept {
        if (self())
            self()->on_remove_foreign_binding(b);
    }
    static void add_foreign_framework(bbr_framework* f) noexcept {
        if (self())
            self()->on_add_foreign_framework(f);
    }
    static void remove_foreign_framework(bbr_framework* f) noexcept {
        if (self())
            self()->on_remove_foreign_framework(f);
    }
    static void remove_local_binding(bbr_binding* b) noexcept {
        framework_record::of(b->framework)->on_remove_local_binding(b);
    }
    // Py_AtExit (after finalisation: C++ work and registry calls only): a
    // leak-safe record leaves the registry once every binding it published
    // is gone; one whose type outlived the interpreter (a leak its
    // framework reports) stays, as the protocol asks.
    static void leave_at_exit() noexcept {
        framework_record* r = self();
        if (!r || !(r->fw.flags & BBR_FRAMEWORK_LEAK_SAFE) || !r->local_by_type.empty() ||
            !r->fw.registry)
            return;
        bbr_remove_framework(&r->fw);
    }
};

// bindbridge keeps one record per domain and shared object, for the main
// interpreter only: a subinterpreter has a registry of its own that our
// cached pointers know nothing about.
inline PyInterpreterState* current_interpreter() noexcept {
#if PY_VERSION_HEX >= 0x03090000
    return PyInterpreterState_Get();
#else
    return _PyInterpreterState_Get();
#endif
}
inline bool in_main_interpreter() noexcept { return current_interpreter() == PyInterpreterState_Main(); }

// ---------------------------------------------------------------------------
// State shared by every bindbridge module of one C++ ABI in the process,
// whatever its framework or bindbridge version: a plain C block with a
// size and version header (read only as far as both sides know it), in the
// interpreter dict under a key that names the platform ABI tag.
//   - the serving guard: while any module serves another framework, no
//     module consults foreign bindings (so two frameworks cannot bounce a
//     conversion back and forth, also through a third module); the depth
//     is per thread, in the thread-local of the module that made the block;
//   - refusals, for explaining a failed call (explain.h): noted on the
//     failure path only (a refusal inside another module, e.g. while it
//     serves, explains this module's failure).  The GIL orders writers;
//     entries carry their thread.
// ---------------------------------------------------------------------------
struct refusal {
    uint64_t seq;
    const std::type_info* wanted;
    PyTypeObject* offered; // only compared with live arguments' types
    const void* thread;
    bool recursion;
    bool ownership; // a std::unique_ptr<T> parameter: only the owner's own instances give one up
};

// (Aggregates without member initialisers, so that a module's own block is
// constant-initialised in C++11 too.)
struct refusal_ring {
    static constexpr unsigned size = 64;
    uint64_t next; // sequence number of the next entry, from 1
    refusal entries[size];
};

// C++ bases bound by another framework (export_type<Derived, Base...>):
// what a binding of Derived can be upcast to.  The base is named by its
// type_key (static storage of the publishing module); entries of a binding
// go when any record sees the binding removed.
struct upcast_entry {
    const bbr_binding* derived;
    const char* base;
    void* (*upcast)(void*) noexcept; // Derived* -> Base*
};

struct upcast_table {
    upcast_entry* entries; // malloc'd (any module may grow it: one allocator)
    size_t size, capacity;
};

// std::unique_ptr<T> arguments across frameworks: a framework that can make
// one of its instances give up ownership (nanobind, pybind11 3.x smart
// holders) says how, so that a bindbridge importer of T takes ownership as
// a native call would.  Not in the protocol: between bindbridge frameworks
// only.  Giving up takes two steps, as a call with several arguments needs:
// relinquish (undone by restore if the call does not happen), then commit
// once the callee holds the object.
struct ownership_entry {
    const bbr_framework* framework;
    // Makes `obj` (an instance of one of the framework's bindings) give up
    // ownership of its C++ object, which the caller then deletes with
    // `delete`; false if it cannot (no error set).
    bool (*relinquish)(PyObject* obj) noexcept;
    // Gives ownership back to `obj` (a later argument of the call failed).
    void (*restore)(PyObject* obj) noexcept;
    // The callee owns the object now: `obj` forgets it (nullptr: nothing
    // to do).
    void (*commit)(PyObject* obj) noexcept;
    // Which of its objects the framework gives up, for explanations ("objects
    // made in C++").
    const char* gives_up;
    // A std::shared_ptr<T> argument of another bindbridge framework: *out
    // shares the owner's own holder of `obj`'s C++ object (pointing at the
    // most-derived object), so that the owner counts it, as its own
    // shared_ptr parameters would be counted; false (nothing written) where
    // the owner has no such holder (then the shared_ptr keeps the Python
    // object alive).  nullptr: never.
    bool (*share)(PyObject* obj, std::shared_ptr<void>* out) noexcept;
};

struct shared_block {
    uint32_t size;
    uint32_t version;      // of the members below; later versions only append
    int serving_anywhere;  // guards open on any thread (the GIL orders them)
    int* (*serving_depth)() noexcept; // this thread's open guards
    refusal_ring refusals;
    upcast_table upcasts;
    ownership_entry owners[16]; // frameworks live as long as the process: never removed
    size_t owner_count;
};

inline int* own_serving_depth() noexcept {
    static thread_local int depth = 0;
    return &depth;
}

// Until a module joins the process's block (or if it cannot), it uses a
// block of its own: the guard then holds within the module only, and no
// refusals are noted.
struct shared_slot {
    shared_block* block;
    bool joined;
};
inline shared_slot& shared_slot_of_module() noexcept {
    static shared_block own = {sizeof(shared_block), 1, 0, own_serving_depth, {1, {}}, {nullptr, 0, 0}, {}, 0};
    static shared_slot slot{&own, false};
    return slot;
}
inline shared_block* shared_state() noexcept { return shared_slot_of_module().block; }

// Finds (or makes) the process's block in the interpreter dict.  Module
// initialisation only; a failure leaves the module on its own block.
inline void join_shared_state(PyObject* interp_dict) noexcept {
    shared_slot& slot = shared_slot_of_module();
    if (slot.joined || slot.block->serving_anywhere != 0)
        return;
    const char* key = "__bindbridge_shared_v3_" BINDBRIDGE_PLATFORM_ABI_TAG;
    PyObject* capsule = PyDict_GetItemString(interp_dict, key);
    if (capsule) {
        auto* b = PyCapsule_IsValid(capsule, "bindbridge_shared")
                      ? static_cast<shared_block*>(PyCapsule_GetPointer(capsule, "bindbridge_shared"))
                      : nullptr;
        if (b && b->size >= sizeof(shared_block) && b->version >= 1 && b->serving_depth)
            slot = {b, true};
        return;
    }
    auto* b = new (std::nothrow) shared_block{sizeof(shared_block), 1, 0, own_serving_depth, {1, {}}, {nullptr, 0, 0}, {}, 0};
    if (!b)
        return;
    // No destructor: modules keep the pointer for the life of the process.
    capsule = PyCapsule_New(b, "bindbridge_shared", nullptr);
    if (capsule && PyDict_SetItemString(interp_dict, key, capsule) == 0)
        slot = {b, true};
    else
        delete b;
    Py_XDECREF(capsule);
    PyErr_Clear();
}

// The upcast of binding `b` to the base named `base` (type_key), or nullptr.
inline void* (*find_upcast(const bbr_binding* b, const char* base) noexcept)(void*) noexcept {
    const upcast_table& t = shared_state()->upcasts;
    for (size_t i = 0; i < t.size; ++i)
        if (t.entries[i].derived == b && std::strcmp(t.entries[i].base, base) == 0)
            return t.entries[i].upcast;
    return nullptr;
}

// Records an upcast (module initialisation, GIL held).  False if out of memory.
inline bool add_upcast(const bbr_binding* b, const char* base, void* (*fn)(void*) noexcept) noexcept {
    upcast_table& t = shared_state()->upcasts;
    for (size_t i = 0; i < t.size; ++i)
        if (t.entries[i].derived == b && std::strcmp(t.entries[i].base, base) == 0) {
            t.entries[i].upcast = fn;
            return true;
        }
    if (t.size == t.capacity) {
        size_t cap = t.capacity ? 2 * t.capacity : 16;
        void* grown = std::realloc(t.entries, cap * sizeof(upcast_entry));
        if (!grown)
            return false;
        t.entries = static_cast<upcast_entry*>(grown);
        t.capacity = cap;
    }
    t.entries[t.size++] = upcast_entry{b, base, fn};
    return true;
}

// A binding went away (registry callback: C++ only): forget its upcasts,
// before its address can be reused by another binding.
inline void remove_upcasts_of(const bbr_binding* b) noexcept {
    upcast_table& t = shared_state()->upcasts;
    size_t kept = 0;
    for (size_t i = 0; i < t.size; ++i)
        if (t.entries[i].derived != b)
            t.entries[kept++] = t.entries[i];
    t.size = kept;
}

// A framework that can relinquish (module initialisation, GIL held).
inline void add_ownership_entry(const ownership_entry& e) noexcept {
    shared_block* b = shared_state();
    for (size_t i = 0; i < b->owner_count; ++i)
        if (b->owners[i].framework == e.framework)
            return;
    if (b->owner_count < sizeof(b->owners) / sizeof(b->owners[0]))
        b->owners[b->owner_count++] = e;
}

inline const ownership_entry* ownership_of(const bbr_framework* fw) noexcept {
    shared_block* b = shared_state();
    for (size_t i = 0; i < b->owner_count; ++i)
        if (b->owners[i].framework == fw)
            return &b->owners[i];
    return nullptr;
}

inline refusal_ring* shared_refusals() noexcept {
    shared_slot& slot = shared_slot_of_module();
    return slot.joined ? &slot.block->refusals : nullptr;
}

inline void note_refusal(const std::type_info& wanted, PyTypeObject* offered, bool recursion,
                         bool ownership = false) noexcept {
    refusal_ring* r = shared_refusals();
    if (!r)
        return;
    refusal& e = r->entries[r->next % refusal_ring::size];
    e.seq = r->next++;
    e.wanted = &wanted;
    e.offered = offered;
    e.thread = PyThreadState_Get();
    e.recursion = recursion;
    e.ownership = ownership;
}


// Finds the record stored under `key` in the interpreter dict, or makes one
// with `init(record)` (which fills name and the serving callbacks), joins
// it to the registry and stores it.  Must run during module initialisation
// (the import lock serialises creators).  nullptr with a Python error set
// on failure.
template <typename Tag, typename Init>
framework_record* get_or_create_record(const std::string& key, uint32_t layout, Init&& init) {
    if (!in_main_interpreter()) {
        PyErr_SetString(PyExc_ImportError,
                        "bindbridge: subinterpreters are not supported (types can be shared only "
                        "in the main interpreter)");
        return nullptr;
    }
    PyObject* dict = bbr_registry_dict();
    if (!dict)
        return nullptr;
    join_shared_state(dict);
    if (PyObject* capsule = PyDict_GetItemString(dict, key.c_str())) {
        // The key names the layout; the header is checked anyway before
        // anything else is read (a stray object under our key).
        auto* rec = PyCapsule_IsValid(capsule, "bindbridge_framework_record")
                        ? static_cast<framework_record*>(
                              PyCapsule_GetPointer(capsule, "bindbridge_framework_record"))
                        : nullptr;
        if (!rec || rec->size != sizeof(framework_record) || rec->layout != layout) {
            PyErr_Format(PyExc_ImportError,
                         "bindbridge: %s in the interpreter dict is not a framework record this "
                         "module can share (another layout); refusing to use it",
                         key.c_str());
            return nullptr;
        }
        return rec;
    }
    bbr_registry* registry = bbr_registry_get();
    if (!registry)
        return nullptr;
    std::unique_ptr<framework_record> rec(new framework_record());
    rec->layout = layout;
    rec->runtime_layout = runtime_fingerprint();
    rec->interp = current_interpreter();
    rec->fw.abi_lang = BBR_ABI_LANG_CPP;
    rec->fw.abi_extra = BINDBRIDGE_PLATFORM_ABI_TAG;
    // Leak safety is the adapter's to promise (init sets the flag): only a
    // framework that frees its types by finalisation may (pybind11 never
    // does); we then leave the registry at exit (leave_at_exit).
    rec->fw.flags = 0;
    rec->fw.add_foreign_binding = record_callbacks<Tag>::add_foreign_binding;
    rec->fw.remove_foreign_binding = record_callbacks<Tag>::remove_foreign_binding;
    rec->fw.add_foreign_framework = record_callbacks<Tag>::add_foreign_framework;
    rec->fw.remove_foreign_framework = record_callbacks<Tag>::remove_foreign_framework;
    rec->fw.remove_local_binding = record_callbacks<Tag>::remove_local_binding;
    if (!init(*rec))
        return nullptr;
    try {
        rec->name += record_name_suffix();
    } catch (...) {
        PyErr_NoMemory();
        return nullptr;
    }
    rec->fw.name = rec->name.c_str();
    // The capsule has no destructor: the record must outlive every binding
    // and the registry's last use of it (interpreter finalisation).
    PyObject* capsule = PyCapsule_New(rec.get(), "bindbridge_framework_record", nullptr);
    if (!capsule)
        return nullptr;
    int rc = PyDict_SetItemString(dict, key.c_str(), capsule);
    Py_DECREF(capsule);
    if (rc != 0)
        return nullptr;
    framework_record* raw = rec.release();
    record_callbacks<Tag>::self() = raw;
    // (No exit slot left: the promise cannot be kept, so it is not made.)
    if ((raw->fw.flags & BBR_FRAMEWORK_LEAK_SAFE) && Py_AtExit(record_callbacks<Tag>::leave_at_exit) != 0)
        raw->fw.flags &= ~uint16_t(BBR_FRAMEWORK_LEAK_SAFE);
    bbr_add_framework(registry, &raw->fw);
    return raw;
}

// An adapter's record for the import side, which must not raise: the
// cached one, else made now (a failure is cleared and gives nullptr).
template <framework_record*& (*Cached)() noexcept, framework_record* (*Make)()>
framework_record* record_or_null() noexcept {
    if (framework_record* rec = Cached())
        return rec;
    framework_record* rec = Make();
    if (!rec)
        PyErr_Clear();
    return rec;
}

// ---------------------------------------------------------------------------
// Serving guard (shared_block): while any module serves another framework,
// foreign bindings are not consulted.
// ---------------------------------------------------------------------------
inline int serving_depth() noexcept { return *shared_state()->serving_depth(); }

struct serving_guard {
    shared_block* block;
    int* depth; // one thread-local lookup per guard
    serving_guard() noexcept : block(shared_state()), depth(block->serving_depth()) {
        ++*depth;
        ++block->serving_anywhere;
    }
    ~serving_guard() {
        --*depth;
        --block->serving_anywhere;
    }
    serving_guard(const serving_guard&) = delete;
    serving_guard& operator=(const serving_guard&) = delete;
};

// ---------------------------------------------------------------------------
// Import side: per-(shared object, C++ type) cache of the foreign bindings.
// A hit costs one epoch compare and one type compare.
// ---------------------------------------------------------------------------

// The cache of C++ type T for one adapter (Tag): epochs are per record, so
// two adapters in one shared object must not share a cache.
template <typename Tag, typename T>
import_cache& cache_of() noexcept {
    static import_cache c(owner_pin<T>::python_name, sizeof(T),
                          std::is_polymorphic<T>::value); // constant-initialised
    return c;
}

// What an adapter remembers of its own framework's answers for T: that it
// binds T (natively_bound), and the last dynamic type of a T it was seen to
// bind (returns.h dynamic_goes_foreign).  Kept once true: a framework keeps
// its types while its module lives.  Private to the shared object (not in
// import_cache, whose size is part of the record layout).
struct native_memo {
    bool bound = false;
    const std::type_info* dynamic = nullptr;
};
template <typename Tag, typename T>
native_memo& native_memo_of() noexcept {
    static native_memo m; // constant-initialised
    return m;
}

// Whether the adapter's framework binds T itself, by `lookup` (its own type
// lookup): asked until the answer is yes, then remembered, so that a native
// return pays the adapter's check once rather than a second framework
// lookup per call.
template <typename Tag, typename T>
bool natively_bound(bool (*lookup)(const std::type_info&)) {
    native_memo& m = native_memo_of<Tag, T>();
    if (!m.bound)
        m.bound = lookup(typeid(T));
    return m.bound;
}

// Of a type's foreign bindings (in the order the record learned of them),
// the one whose Python type is `pin`, else the first.
inline bbr_binding* pinned_or_first(binding_span v, const char* pin) noexcept {
    if (pin)
        for (bbr_binding* b : v)
            if (b->pytype && std::strcmp(b->pytype->tp_name, pin) == 0)
                return b;
    return v.empty() ? nullptr : v.front();
}

// The owner's sizeof of binding b's C++ type, where its record says it
// (a bindbridge record of this runtime layout whose adapter knows), else 0.
inline std::size_t known_size(const bbr_binding* b) noexcept {
    if (!is_bindbridge_record(b->framework))
        return 0;
    const framework_record* owner = framework_record::of(b->framework);
    if (owner->size != sizeof(framework_record) || owner->runtime_layout != runtime_fingerprint() ||
        !owner->native_size)
        return 0;
    return owner->native_size(b);
}

// Of T's bindings `v`, those whose owner's size of T is not known to
// differ from the importer's sizeof(T) (import_cache::size_differs): two
// definitions of one class name (another version of a header, other build
// flags) are not one type, and their objects are never handed over.  `v`
// itself when none differs.
inline binding_span sized_only(import_cache& cache, binding_span v) noexcept {
    std::size_t differing = 0;
    for (bbr_binding* b : v) {
        std::size_t n = known_size(b);
        if (cache.size_differs(n)) {
            ++differing;
            cache.size_refused = n;
            std::free(cache.size_refused_type);
            cache.size_refused_type = nullptr;
            PyObject *type, *value, *trace; // (a conversion's error stays as it was)
            PyErr_Fetch(&type, &value, &trace);
            try {
                cache.size_refused_type = dup_cstr(b->pytype ? type_name_of(b->pytype) : "?");
            } catch (...) {
            }
            PyErr_Restore(type, value, trace);
        }
    }
    if (!differing)
        return v;
    std::size_t keep = v.size - differing;
    if (keep > cache.sized_capacity) {
        void* grown = std::realloc(cache.sized, keep * sizeof(bbr_binding*));
        if (!grown)
            return binding_span(); // (none, rather than one of the wrong size)
        cache.sized = static_cast<bbr_binding**>(grown);
        cache.sized_capacity = keep;
    }
    std::size_t i = 0;
    for (bbr_binding* b : v) {
        if (!cache.size_differs(known_size(b)))
            cache.sized[i++] = b;
    }
    return binding_span(cache.sized, i);
}

inline void refresh(import_cache& cache, framework_record* rec, const std::type_info& ti) {
    cache.epoch = rec->epoch;
    cache.last_type = nullptr;
    cache.last_binding = nullptr;
    cache.last_upcast = nullptr;
    cache.bindings = rec->foreign_by_type.find(type_key(ti));
    cache.size_refused = 0; // (what sized_only finds now, not an earlier refresh)
    if (cache.bindings && cache.size)
        cache.bindings = sized_only(cache, cache.bindings);
    if (!cache.bindings && cache.pinned) {
        // No binding of T by type_info: the pinned Python type's, if its
        // framework has no C++ RTTI (a C struct the declaration maps to T).
        auto u = rec->untyped_by_name.find(cache.pinned);
        if (u != rec->untyped_by_name.end() && !u->second.empty())
            cache.bindings = binding_span{u->second.data(), u->second.size()};
    }
    cache.return_binding = cache.bindings ? pinned_or_first(cache.bindings, cache.pinned) : nullptr;
}

using keep_referenced_fn = void (*)(void* ctx, PyObject* obj) noexcept;

// Calls one foreign from_python; it returns NULL with no error on refusal
// (we clear any error a misbehaving framework leaves set).  Inlined: it is
// the heart of load_foreign's fast path.
#if defined(__GNUC__)
__attribute__((always_inline))
#endif
inline void* call_from_python(bbr_binding* b, PyObject* src, bool convert, keep_referenced_fn keep,
                              void* ctx) noexcept {
    void* p = b->framework->from_python(b, src, convert ? 1 : 0, keep, ctx);
    if (!p && PyErr_Occurred())
        PyErr_Clear();
    return p;
}

// The interned "__pymetabind_binding__" (main interpreter, as the records:
// kept for the life of the process), or nullptr with no error set.
inline PyObject* binding_attribute_key() noexcept {
    static PyObject* key = PyUnicode_InternFromString(BBR_BINDING_TYPE_ATTRIBUTE);
    if (!key)
        PyErr_Clear();
    return key;
}

// bbr_get_binding without the attribute lookup's cost on a miss (a string
// made, an AttributeError raised and cleared: about a thousand instructions
// for every object of an unbound type): the capsule from the type's MRO
// dicts, as the attribute lookup finds it, raising nothing.
inline bbr_binding* binding_in_mro(PyTypeObject* tp) noexcept {
    PyObject* key = binding_attribute_key();
    if (!key)
        return nullptr;
    PyObject* capsule = _PyType_Lookup(tp, key); // borrowed
    if (!capsule || !PyCapsule_IsValid(capsule, BBR_BINDING_CAPSULE_NAME))
        return nullptr;
    return static_cast<bbr_binding*>(PyCapsule_GetPointer(capsule, BBR_BINDING_CAPSULE_NAME));
}

// The object's own binding, when it publishes a class derived from `ti`
// (export_type<Derived, Base...>, in any bindbridge module of our C++ ABI):
// its C++ object, upcast.  Our own bindings count (a class this framework
// binds without its foreign base), and compatible announced ones.
inline void* load_by_upcast(framework_record* rec, import_cache& cache, const std::type_info& ti,
                            PyObject* src, bool convert, keep_referenced_fn keep, void* ctx,
                            bbr_binding** binding_out) {
    if (shared_state()->upcasts.size == 0)
        return nullptr;
    PyTypeObject* tp = Py_TYPE(src);
    bbr_binding* b = binding_in_mro(tp);
    if (!b)
        return nullptr;
    bool ours = rec->local_by_type.first(b->pytype) == b;
    if (!ours && !(rec->announced.contains(b) && rec->is_compatible(b)))
        return nullptr;
    void* (*up)(void*) noexcept = find_upcast(b, type_key(ti));
    if (!up)
        return nullptr;
    uint64_t epoch = rec->epoch;
    void* p = call_from_python(b, src, convert, keep, ctx);
    if (!p)
        return nullptr;
    if (cache.epoch != rec->epoch)
        refresh(cache, rec, ti);
    if (rec->epoch == epoch) {
        cache.last_type = tp;
        cache.last_binding = b;
        cache.last_upcast = up;
    }
    if (binding_out)
        *binding_out = b;
    return up(p);
}

// The C++ object inside foreign `src`, trying the bindings of `ti` in
// import order, then the object's own binding upcast (load_by_upcast);
// nullptr if none accepts it.  `binding_out` tells which.
inline void* load_foreign_impl(framework_record* rec, import_cache& cache, const std::type_info& ti,
                               PyObject* src, bool convert, keep_referenced_fn keep, void* ctx,
                               bbr_binding** binding_out) {
    if (!rec || !in_main_interpreter())
        return nullptr;
    if (cache.epoch != rec->epoch)
        refresh(cache, rec, ti);
    if (!cache.bindings)
        return load_by_upcast(rec, cache, ti, src, convert, keep, ctx, binding_out);
    PyTypeObject* tp = Py_TYPE(src);
    // (The cache hit is load_foreign's.)  A foreign from_python may run
    // Python code that changes the tables, so walk a copy and stop using it
    // if the epoch moves.
    binding_copy snapshot(cache.bindings);
    uint64_t epoch = rec->epoch;
    for (bbr_binding* b : snapshot.span()) {
        if (rec->epoch != epoch && !rec->announced.contains(b))
            continue; // removed meanwhile: never touch it
        if (void* p = call_from_python(b, src, convert, keep, ctx)) {
            if (cache.epoch != rec->epoch)
                refresh(cache, rec, ti);
            // Remembered for the fast path only while still announced: the
            // registry may have changed during from_python.
            if (rec->epoch == epoch || rec->announced.contains(b)) {
                cache.last_type = tp;
                cache.last_binding = b;
                cache.last_upcast = nullptr;
            }
            if (binding_out)
                *binding_out = b;
            return p;
        }
    }
    return load_by_upcast(rec, cache, ti, src, convert, keep, ctx, binding_out);
}

// ---------------------------------------------------------------------------
// The pinned owner imported on demand: with IMPORT_AS(T, "mod.Type"), the
// first time T is needed and nothing publishes it, `mod` is imported (once
// per process and type).  Never while an extension module initialises (a
// conversion in PYBIND11_MODULE / NB_MODULE: importing there could close
// an import cycle), never while serving another framework.
// ---------------------------------------------------------------------------

// The name of a frame's code and whether it is importlib's (co_filename
// "<frozen importlib._bootstrap...>"); "" when unknown.
inline std::string frame_code_name(PyFrameObject* f, bool* importlib_external) noexcept {
    std::string out;
    *importlib_external = false;
#if PY_VERSION_HEX >= 0x03090000
    PyObject* code = reinterpret_cast<PyObject*>(PyFrame_GetCode(f)); // new reference
#else
    PyObject* code = reinterpret_cast<PyObject*>(f->f_code);
    Py_XINCREF(code);
#endif
    if (!code)
        return out;
    PyObject* file = PyObject_GetAttrString(code, "co_filename");
    PyObject* name = PyObject_GetAttrString(code, "co_name");
    const char* fs = file && PyUnicode_Check(file) ? PyUnicode_AsUTF8(file) : nullptr;
    const char* ns = name && PyUnicode_Check(name) ? PyUnicode_AsUTF8(name) : nullptr;
    if (fs && ns && std::strstr(fs, "importlib._bootstrap")) {
        *importlib_external = std::strstr(fs, "importlib._bootstrap_external") != nullptr;
        try {
            out = ns;
        } catch (...) {
        }
    }
    Py_XDECREF(file);
    Py_XDECREF(name);
    Py_DECREF(code);
    PyErr_Clear();
    return out;
}

// Whether the C++ code asking runs under an extension module's init: the
// innermost Python frames are importlib's ExtensionFileLoader.create_module
// or exec_module (through _call_with_frames_removed, which calls _imp).
inline bool in_extension_init() noexcept {
    PyFrameObject* f = PyEval_GetFrame(); // borrowed
    bool external = false;
    std::string name = f ? frame_code_name(f, &external) : std::string();
    PyFrameObject* parent = nullptr;
    if (name == "_call_with_frames_removed" && !external) {
#if PY_VERSION_HEX >= 0x03090000
        parent = PyFrame_GetBack(f); // new reference
#else
        parent = f->f_back;
        Py_XINCREF(parent);
#endif
        name = parent ? frame_code_name(parent, &external) : std::string();
        Py_XDECREF(parent);
    }
    return external && (name == "create_module" || name == "exec_module");
}

// import_type<T>(type): the pin IMPORT_AS gives at compile time, given at
// run time by a Python type object in hand (its tp_name; kept for the
// process).  0, or -1 with a TypeError: not a type, or T is pinned to
// another one already.
inline int pin_at_run_time(import_cache& cache, PyObject* type) {
    if (!type || !PyType_Check(type)) {
        PyErr_SetString(PyExc_TypeError, "bindbridge::import_type: expected a Python type object");
        return -1;
    }
    const char* name = reinterpret_cast<PyTypeObject*>(type)->tp_name;
    if (cache.pinned) {
        if (std::strcmp(cache.pinned, name) == 0)
            return 0;
        PyErr_Format(PyExc_TypeError,
                     "bindbridge::import_type: this C++ type is mapped to %s already, not to %s",
                     cache.pinned, name);
        return -1;
    }
    static std::unordered_set<std::string>* names = new std::unordered_set<std::string>();
    try {
        cache.pinned = names->insert(name).first->c_str();
    } catch (...) {
        PyErr_NoMemory();
        return -1;
    }
    cache.epoch = 0; // refreshed at the next use
    return 0;
}

// Imports the module of cache.pinned ("a.b.Type": "a.b", else "a") unless
// tried before, or the time is wrong (above).  True if it was imported now.
// An error already set (a failed native load) is kept.
inline bool import_pinned_owner(import_cache& cache) noexcept {
    if (!cache.pinned || cache.owner_import != 0 || serving_depth() > 0 || in_extension_init())
        return false;
    const char* dot = std::strrchr(cache.pinned, '.');
    if (!dot || dot == cache.pinned)
        return false;
    cache.owner_import = 2; // tried, whatever happens below
    PyObject *type, *value, *trace;
    PyErr_Fetch(&type, &value, &trace);
    try {
        std::string mod(cache.pinned, dot);
        if (PyObject* m = PyImport_ImportModule(mod.c_str())) {
            cache.owner_import = 1;
            Py_DECREF(m);
        } else {
            std::string why = "importing " + mod + " failed";
            PyObject *et, *ev, *etb;
            PyErr_Fetch(&et, &ev, &etb);
            PyErr_NormalizeException(&et, &ev, &etb);
            if (PyObject* text = ev ? PyObject_Str(ev) : nullptr) {
                if (const char* t = PyUnicode_AsUTF8(text))
                    why += std::string(": ") + reinterpret_cast<PyTypeObject*>(et)->tp_name + ": " + t;
                Py_DECREF(text);
            }
            Py_XDECREF(et);
            Py_XDECREF(ev);
            Py_XDECREF(etb);
            cache.owner_import_error = dup_cstr(why); // kept for the life of the process
        }
    } catch (...) {
    }
    PyErr_Clear();
    PyErr_Restore(type, value, trace);
    return cache.owner_import == 1;
}

// ---------------------------------------------------------------------------
// Bridges asked again on a miss: once python/bindbridge's bridge() ran, it
// keeps a callable under BINDBRIDGE_BRIDGE_REFRESH_KEY (bridge_refresh_key.h)
// in the interpreter dict that attaches the bridges again (new types, new
// internals) and returns whether anything new was published.  A miss of
// T calls it only if modules were imported since T last asked (new types
// come with new modules): one dict size read otherwise.  Never while
// serving, only in the main interpreter, never while an extension module
// initialises.
// ---------------------------------------------------------------------------

inline bool bridge_refresh(import_cache& cache) noexcept {
    PyObject* modules = PyImport_GetModuleDict(); // (borrowed)
    Py_ssize_t n = modules ? PyDict_Size(modules) : -1;
    if (n <= 0 || n == cache.bridges_asked_at || serving_depth() > 0 || !in_main_interpreter())
        return false;
    PyObject* dict = bbr_registry_dict();
    PyObject* refresh = dict ? PyDict_GetItemString(dict, BINDBRIDGE_BRIDGE_REFRESH_KEY) : nullptr;
    if (!refresh) {
        if (!dict)
            PyErr_Clear();
        return false; // (bridge() never ran: asked again after the next import)
    }
    if (in_extension_init())
        return false;
    cache.bridges_asked_at = n;
    PyObject *type, *value, *trace;
    PyErr_Fetch(&type, &value, &trace);
    Py_INCREF(refresh);
    PyObject* r = PyObject_CallObject(refresh, nullptr);
    Py_DECREF(refresh);
    bool published = r && PyObject_IsTrue(r) == 1;
    Py_XDECREF(r);
    PyErr_Clear(); // (a failing refresh is a miss, as before)
    PyErr_Restore(type, value, trace);
    return published;
}

// Why T has no binding, for error messages: "" or "; ..." naming the
// pinned owner and what importing it gave.
inline std::string pinned_owner_note(const import_cache& cache) {
    if (!cache.pinned)
        return "";
    std::string n = std::string("; IMPORT_AS names ") + cache.pinned;
    if (cache.owner_import == 2 && cache.owner_import_error)
        return n + " (" + cache.owner_import_error + ")";
    if (cache.owner_import == 1)
        return n + " (its module is imported but does not publish it: is it exported?)";
    return n + " (import its module first)";
}

// Whether src's class is published with T as its C++ type by an owner
// that records another size of it than the importer's sizeof(T) (see
// sized_only): then no route hands it over, the conduit included, which
// carries no size.  (A derived class's binding names another C++ type.)
inline bool published_with_another_size(framework_record* rec, const import_cache& cache,
                                        const std::type_info& ti, PyObject* src) noexcept {
    if (!cache.size)
        return false;
    bbr_binding* b = binding_in_mro(Py_TYPE(src));
    if (!b || !rec->announced.contains(b) || !rec->is_compatible(b) ||
        !key_cpp_name::equal(key_cpp_name::of(b), type_key(ti)))
        return false;
    return cache.size_differs(known_size(b));
}

// The adapter's last resort (framework_record::fallback_load), where it
// set one: never while serving another framework (no bouncing), only in
// the record's interpreter, never for an object published as T at another
// size.
inline void* load_fallback(framework_record* rec, const import_cache& cache, const std::type_info& ti,
                           PyObject* src) noexcept {
    // (Static types first: an overload miss with an int or a str stops at
    // one flag test.  No adapter's fallback takes one.)
    if (!rec || !rec->fallback_load || !PyType_HasFeature(Py_TYPE(src), Py_TPFLAGS_HEAPTYPE) ||
        serving_depth() > 0 || !in_main_interpreter() ||
        published_with_another_size(rec, cache, ti, src))
        return nullptr;
    void* p = rec->fallback_load(ti, src);
    if (!p && PyErr_Occurred())
        PyErr_Clear();
    return p;
}

// Everything but the cache hit: kept out of line so the hit stays small.
#if defined(__GNUC__)
__attribute__((noinline))
#endif
inline void* load_foreign_slow(framework_record* rec, import_cache& cache, const std::type_info& ti,
                               PyObject* src, bool convert, keep_referenced_fn keep, void* ctx,
                               bbr_binding** binding_out) {
    // Nothing to try (no foreign binding of ti, no class published with its
    // bases, no pinned owner left to import): an overload miss of a type
    // only its own framework binds pays these compares and the note.
    if (rec && cache.epoch == rec->epoch && !cache.bindings && shared_state()->upcasts.size == 0 &&
        !(cache.pinned && cache.owner_import == 0)) {
        if (void* p = load_fallback(rec, cache, ti, src))
            return p;
        if (!PyType_HasFeature(Py_TYPE(src), Py_TPFLAGS_HEAPTYPE) || !bridge_refresh(cache)) {
            note_refusal(ti, Py_TYPE(src), false);
            return nullptr;
        }
    }
    if (serving_depth() > 0) {
        note_refusal(ti, Py_TYPE(src), true);
        return nullptr;
    }
    if (rec && cache.pinned && cache.owner_import == 0) {
        if (cache.epoch != rec->epoch)
            refresh(cache, rec, ti);
        if (!cache.bindings)
            import_pinned_owner(cache);
    }
    void* p = load_foreign_impl(rec, cache, ti, src, convert, keep, ctx, binding_out);
    if (!p)
        p = load_fallback(rec, cache, ti, src);
    if (!p && rec && PyType_HasFeature(Py_TYPE(src), Py_TPFLAGS_HEAPTYPE) && bridge_refresh(cache))
        p = load_foreign_impl(rec, cache, ti, src, convert, keep, ctx, binding_out);
    if (!p)
        note_refusal(ti, Py_TYPE(src), false);
    return p;
}

// The fast path: the same Python type as last time and unchanged tables go
// straight to the binding that accepted it (three compares, no
// thread-local read).  A miss, a refusal, or anything else takes
// the slow path, which also notes refusals for explain_failures.
#if defined(__GNUC__)
__attribute__((always_inline))
#endif
inline void* load_foreign(framework_record* rec, import_cache& cache, const std::type_info& ti,
                          PyObject* src, bool convert, keep_referenced_fn keep, void* ctx,
                          bbr_binding** binding_out = nullptr) {
    if (rec && Py_TYPE(src) == cache.last_type && cache.epoch == rec->epoch &&
        shared_state()->serving_anywhere == 0 && current_interpreter() == rec->interp) {
        bbr_binding* b = cache.last_binding;
        if (void* p = call_from_python(b, src, convert, keep, ctx)) {
            if (binding_out)
                *binding_out = b;
            return cache.last_upcast ? cache.last_upcast(p) : p;
        }
    }
    return load_foreign_slow(rec, cache, ti, src, convert, keep, ctx, binding_out);
}

// Whether a foreign binding of `ti` takes `obj` as it is (the exact pass,
// no implicit conversion), copying `size` bytes of the C++ object to `out`
// if so (an enum's value; size 0 copies nothing).  Temporaries the owner
// hands out (an enum's value) are dropped before it returns.
inline bool load_foreign_copy(framework_record* rec, import_cache& cache, const std::type_info& ti,
                              PyObject* obj, void* out, std::size_t size) {
    PyObject* kept = PyList_New(0);
    if (!kept) {
        PyErr_Clear();
        return false;
    }
    keep_referenced_fn keep = [](void* ctx, PyObject* o) noexcept {
        if (PyList_Append(static_cast<PyObject*>(ctx), o) != 0)
            PyErr_Clear();
    };
    void* p = load_foreign(rec, cache, ti, obj, false, keep, kept);
    if (p && size)
        std::memcpy(out, p, size);
    Py_DECREF(kept);
    return p != nullptr;
}

// isinstance<T> for other frameworks' objects.
inline bool foreign_accepts(framework_record* rec, import_cache& cache, const std::type_info& ti,
                            PyObject* obj) {
    return load_foreign_copy(rec, cache, ti, obj, nullptr, 0);
}

// A foreign object for a std::unique_ptr<T> parameter: T's C++ object in
// it (exact pass, upcast if need be) when its framework can give up
// ownership (*owner: how; the caller relinquishes when the call is certain,
// and gives it back if it does not happen), else nullptr with the refusal
// noted for explain_failures.
inline void* load_for_ownership(framework_record* rec, import_cache& cache, const std::type_info& ti,
                                PyObject* src, const ownership_entry** owner) {
    bbr_binding* b = nullptr;
    void* p = load_foreign(rec, cache, ti, src, false, nullptr, nullptr, &b);
    if (!p || !b)
        return nullptr;
    const ownership_entry* o = ownership_of(b->framework);
    if (!o) {
        note_refusal(ti, Py_TYPE(src), false, true);
        return nullptr;
    }
    *owner = o;
    return p;
}

// The owner gives up `src` (see load_for_ownership); false if it refuses
// (noted; a warning the owner raises, as natively, stays).
inline bool relinquish(const ownership_entry* owner, const std::type_info& ti, PyObject* src) noexcept {
    if (owner->relinquish(src))
        return true;
    note_refusal(ti, Py_TYPE(src), false, true);
    return false;
}

// The callee holds the object `src` relinquished: its owner forgets it.
inline void commit_relinquished(const ownership_entry* owner, PyObject* src) noexcept {
    if (owner->commit)
        owner->commit(src);
}

// The foreign binding returns of `ti` go to, or nullptr: the pinned owner's
// (IMPORT_AS) when published, else the first compatible one in the order
// the record learned of them (publication order).
inline bbr_binding* first_foreign(framework_record* rec, import_cache& cache,
                                  const std::type_info& ti) {
    if (!rec || !in_main_interpreter())
        return nullptr;
    if (cache.epoch != rec->epoch)
        refresh(cache, rec, ti);
    return cache.return_binding;
}

// ---------------------------------------------------------------------------
// Keep-alive: ask the owner; if it says "do it yourself", use a weakref on
// the nurse whose callback releases the payload.
// ---------------------------------------------------------------------------
struct kept_payload {
    void* payload;
    void (*cb)(void*) noexcept;
    PyObject* weakref; // strong reference to the weakref itself, dropped in the callback
};

inline void release_payload(void* p, void (*cb)(void*) noexcept) noexcept {
    if (cb)
        cb(p);
    else
        Py_DECREF(static_cast<PyObject*>(p));
}

inline void kept_payload_capsule_destructor(PyObject* capsule) noexcept {
    auto* k = static_cast<kept_payload*>(PyCapsule_GetPointer(capsule, "bindbridge_kept_payload"));
    if (!k) {
        PyErr_WriteUnraisable(capsule);
        return;
    }
    delete k;
}

inline PyObject* kept_payload_weakref_callback(PyObject* self, PyObject*) noexcept {
    auto* k = static_cast<kept_payload*>(PyCapsule_GetPointer(self, "bindbridge_kept_payload"));
    if (!k)
        return nullptr;
    PyObject* wr = k->weakref;
    k->weakref = nullptr;
    void* payload = k->payload;
    k->payload = nullptr;
    if (payload)
        release_payload(payload, k->cb);
    Py_XDECREF(wr);
    Py_RETURN_NONE;
}

inline PyMethodDef* kept_payload_method() noexcept {
    static PyMethodDef def = {"bindbridge_keep_alive",
                              reinterpret_cast<PyCFunction>(
                                  reinterpret_cast<void (*)(void)>(kept_payload_weakref_callback)),
                              METH_O, nullptr};
    return &def;
}

// Keeps `payload` alive (a new reference if cb is null) until `nurse` dies,
// by weakref.  0 on success, -1 with a Python error set.
inline int weakref_keep_alive(PyObject* nurse, void* payload, void (*cb)(void*) noexcept) {
    kept_payload* k = new (std::nothrow) kept_payload{payload, cb, nullptr};
    if (!k) {
        PyErr_NoMemory();
        return -1;
    }
    PyObject* capsule = PyCapsule_New(k, "bindbridge_kept_payload", kept_payload_capsule_destructor);
    if (!capsule) {
        delete k;
        return -1;
    }
    PyObject* func = PyCFunction_New(kept_payload_method(), capsule);
    Py_DECREF(capsule);
    if (!func)
        return -1;
    PyObject* wr = PyWeakref_NewRef(nurse, func);
    Py_DECREF(func);
    if (!wr)
        return -1;
    if (!cb)
        Py_INCREF(static_cast<PyObject*>(payload));
    k->weakref = wr; // kept until the callback runs
    return 0;
}

// The owner's keep_alive, then the weakref fallback.  0 or -1 (error set).
inline int keep_alive(bbr_binding* owner_binding, PyObject* nurse, void* payload,
                      void (*cb)(void*) noexcept) {
    if (owner_binding->framework->keep_alive(nurse, payload, cb))
        return 0;
    if (PyErr_Occurred())
        PyErr_Clear();
    return weakref_keep_alive(nurse, payload, cb);
}

// Ties `patient` (a new reference is taken) to `nurse` through the nurse's
// own framework, found by the binding its type publishes: for a
// framework's keep-alive annotation whose nurse another framework owns.
// 1 done; 0 when the nurse has no published binding or its framework
// declined (the caller falls back to a weakref).  Never leaves an error set.
inline int keep_alive_by_nurse(PyObject* nurse, PyObject* patient) noexcept {
    bbr_binding* b = bbr_get_binding_checked(reinterpret_cast<PyObject*>(Py_TYPE(nurse)));
    if (!b || !b->framework)
        return 0;
    int done = b->framework->keep_alive(nurse, patient, nullptr);
    if (PyErr_Occurred())
        PyErr_Clear();
    return done == 1 ? 1 : 0;
}

// The keep_alive<Nurse, Patient> indices the adapters route (0 is the
// result, 1.. the arguments): X(N, P) for each.
#define BINDBRIDGE_KEEP_ALIVE_PAIRS_(X)                                                       \
    X(0, 1) X(0, 2) X(0, 3) X(0, 4) X(1, 0) X(1, 2) X(1, 3) X(1, 4) X(2, 0) X(2, 1)           \
    X(2, 3) X(2, 4) X(3, 0) X(3, 1) X(3, 2) X(3, 4) X(4, 0) X(4, 1) X(4, 2) X(4, 3)

// A shared_ptr<T> for a foreign object: aliases the C++ object and keeps
// the Python owner alive (the GIL is taken to release it).
struct py_owner_release {
    PyObject* owner;
    template <typename T>
    void operator()(T*) const noexcept {
        if (!Py_IsInitialized())
            return; // after finalisation: nothing left to release
        PyGILState_STATE st = PyGILState_Ensure();
        Py_DECREF(owner);
        PyGILState_Release(st);
    }
};

template <typename T>
std::shared_ptr<T> shared_from_foreign(T* ptr, PyObject* owner) {
    Py_INCREF(owner);
    // If the control block cannot be allocated, shared_ptr's constructor
    // runs the deleter itself (which drops this reference) and rethrows.
    return std::shared_ptr<T>(ptr, py_owner_release{owner});
}

// The shared_ptr that already owns `p`, when T uses
// std::enable_shared_from_this and one exists (the owner's holder); empty
// otherwise.  (weak_from_this is C++17: older standards never share.)
#if __cplusplus >= 201703L || (defined(_MSVC_LANG) && _MSVC_LANG >= 201703L)
template <typename T>
auto existing_owner(T* p, int) -> decltype(p->weak_from_this(), std::shared_ptr<T>()) {
    auto sp = p->weak_from_this().lock();
    return sp ? std::shared_ptr<T>(std::move(sp), p) : std::shared_ptr<T>();
}
#endif
template <typename T>
std::shared_ptr<T> existing_owner(T*, long) {
    return std::shared_ptr<T>();
}

// The owner's holder of a foreign object just loaded through `cache`
// (ownership_entry::share), or empty.
inline std::shared_ptr<void> owner_holder(const import_cache& cache, PyObject* src) noexcept {
    std::shared_ptr<void> held;
    if (Py_TYPE(src) != cache.last_type || !cache.last_binding)
        return held;
    const ownership_entry* o = ownership_of(cache.last_binding->framework);
    if (o && o->share)
        o->share(src, &held); // (writes nothing when it has no holder to share)
    return held;
}

// A shared_ptr<T> for a loaded object: one that shares ownership with an
// existing shared_ptr (enable_shared_from_this, above) or with the
// owner's holder (a foreign object loaded through `cache`, when its owner
// shares one), else one that keeps the Python object alive (which also
// arms shared_from_this).  Empty if memory runs out.
template <typename T>
std::shared_ptr<T> share_loaded(T* p, PyObject* src, const import_cache& cache) noexcept {
    if (!p)
        return std::shared_ptr<T>();
    try {
        if (std::shared_ptr<T> sp = existing_owner(p, 0))
            return sp;
        if (std::shared_ptr<void> held = owner_holder(cache, src))
            return std::shared_ptr<T>(std::move(held), p);
        return shared_from_foreign(p, src);
    } catch (...) {
        return std::shared_ptr<T>();
    }
}

// ---------------------------------------------------------------------------
// Exceptions: ask the other C++ frameworks, in join order.  True if one
// translated (Python error set); *eptr may have been replaced.
// ---------------------------------------------------------------------------
inline bool translate_with_foreign(framework_record* rec, std::exception_ptr& eptr) noexcept {
    if (!rec || serving_depth() > 0)
        return false;
    std::vector<bbr_framework*> others;
    try {
        others = rec->others;
    } catch (...) {
        return false;
    }
    for (bbr_framework* other : others) {
        if (other->abi_lang != BBR_ABI_LANG_CPP || !other->translate_exception ||
            !other->abi_extra || std::strcmp(other->abi_extra, rec->fw.abi_extra) != 0)
            continue;
        // A translator that says "translated" must have set an error, one
        // that says "not translated" must not have: a misbehaving one is
        // treated as not translating (and its stray error dropped).
        int translated = other->translate_exception(&eptr);
        if (translated && PyErr_Occurred())
            return true;
        if (PyErr_Occurred())
            PyErr_Clear();
        if (!eptr)
            return false;
    }
    return false;
}

// An adapter's translator in its framework's chain: the other frameworks
// translate the exception (Python error set, and it returns), else it
// goes on, rethrown, to the framework's next translators and defaults.
inline void translate_or_rethrow(framework_record* rec, std::exception_ptr e) {
    if (e && translate_with_foreign(rec, e))
        return;
    std::rethrow_exception(e);
}

// After an adapter ran its framework's translators on another framework's
// exception (serving translate_exception): whether that counts.  Only the
// framework's own exceptions (`own`) and those a registered translator
// turned into a Python exception type of its own (not a builtin) do: a
// framework's defaults (any std::exception to RuntimeError) must not claim
// another's exceptions.  A claim keeps the Python error, a refusal clears
// it.  1 or 0, as the spec's translate_exception returns.
inline int claim_translation(bool own) noexcept {
    PyObject* type = PyErr_Occurred();
    if (!type)
        return 0;
    bool translated = own || (PyType_Check(type) &&
                              (reinterpret_cast<PyTypeObject*>(type)->tp_flags & Py_TPFLAGS_HEAPTYPE));
    if (!translated)
        PyErr_Clear();
    return translated ? 1 : 0;
}

// Free a binding we allocated with new (and its strdup'ed name).
inline void free_binding(bbr_binding* b) noexcept {
    std::free(const_cast<char*>(b->source_name));
    delete b;
}


// Another framework already publishes exactly this type: a build of the
// same framework that speaks pymetabind natively (the nanobind and
// pybind11 pull requests), or another bindbridge domain.  Its capsule must
// not be overwritten (that would remove its binding), so we step aside.
// When the adapter recognises that framework as a native build of its own
// (framework_record::is_native_build), it serves this whole domain: later
// exports step aside too.
inline bool steps_aside(framework_record* rec, PyTypeObject* pytype) {
    if (rec->native_owner)
        return true;
    // (binding_in_mro: a type nobody published yet, the usual case, raises
    // no AttributeError, which cost most of an export.)
    bbr_binding* existing = binding_in_mro(pytype);
    if (!existing || !rec->announced.contains(existing) || existing->pytype != pytype)
        return false; // none, or inherited from a base, or never announced: ours to publish
    if (rec->is_native_build && !is_bindbridge_record(existing->framework) &&
        rec->is_native_build(existing->framework))
        rec->native_owner = existing->framework;
    return true;
}

// Publishes `pytype` with `native` as one of the record's bindings; the
// adapter's context is stored in binding->context.  Returns 0 when newly
// published, 2 when it already was ours (context not taken), 1 when
// another framework publishes the type and we stepped aside (context not
// taken), -1 with an error set.
inline int publish(framework_record* rec, PyTypeObject* pytype, const std::type_info* native,
                   void* context) {
    if (rec->local_by_type.contains(pytype))
        return 2; // exporting twice is harmless
    if (steps_aside(rec, pytype))
        return 1;
    bbr_binding* b = new (std::nothrow) bbr_binding();
    if (!b) {
        PyErr_NoMemory();
        return -1;
    }
    b->framework = &rec->fw;
    b->pytype = pytype;
    b->native_type = native;
    b->source_name = native ? dup_cstr(source_name_of(*native)) : dup_cstr(pytype->tp_name);
    b->context = context;
    if (!b->source_name) {
        delete b;
        PyErr_NoMemory();
        return -1;
    }
    try {
        rec->local_by_type.insert(b);
        if (native)
            rec->local_by_cpp.insert(b); // the first published stays
    } catch (...) {
        rec->local_by_type.erase(b);
        free_binding(b);
        PyErr_NoMemory();
        return -1;
    }
    // (The interned name: making one per type was an eighth of an export.)
    if (bbr_add_binding_named(b, 0, 0, binding_attribute_key()) != 0) {
        // free_local_binding ran (and freed the context); forget it.  The
        // error (e.g. an immutable type) names the type.
        rec->local_by_type.erase(pytype, b);
        if (native)
            rec->local_by_cpp.erase(type_key(*native), b);
        return -1;
    }
    return 0;
}

// The export flow every adapter follows around publish: a Python type
// already ours learns what this export knows (merge(published context)),
// else a heap copy of `context` is published with it.  Returns publish's
// codes: 0 newly published (the binding owns the copy), 1 stepped aside,
// 2 already ours (both: nothing kept), -1 with a Python error set.
template <typename Context, typename Merge>
int publish_context(framework_record* rec, PyTypeObject* pytype, const std::type_info* native,
                    const Context& context, Merge&& merge) {
    if (bbr_binding* published = rec->local_by_type.first(pytype)) {
        merge(*static_cast<Context*>(published->context));
        return 2;
    }
    Context* copy = new (std::nothrow) Context(context);
    if (!copy) {
        PyErr_NoMemory();
        return -1;
    }
    int rc = publish(rec, pytype, native, copy);
    if (rc == 1 || rc == 2)
        delete copy;
    return rc; // (on -1 free_local_binding deleted the copy)
}

} // namespace detail
} // namespace bindbridge

// Pins T's owner for returns to the Python type PYNAME (IMPORT_AS); at
// global scope, before T is converted.
#define BINDBRIDGE_PIN_OWNER_(T, PYNAME)                                                      \
    namespace bindbridge {                                                                    \
    namespace detail {                                                                        \
    template <>                                                                               \
    struct owner_pin<T> {                                                                     \
        static constexpr const char* python_name = PYNAME;                                    \
    };                                                                                        \
    }                                                                                         \
    }

#endif // BINDBRIDGE_RUNTIME_RUNTIME_H
