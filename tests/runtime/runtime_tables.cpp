// tests/runtime/runtime_tables.cpp: the runtime's own data structures, driven from Python.
//
// - tables(seed, ops, keys): random inserts, appends and erases on the
//   three kinds of binding_table (by binding, by Python type, by C++ type
//   name), checked after every step against a std::map model: membership,
//   the bindings of every key in insertion order, size, and a full walk.
//   Few distinct keys with many operations drive long probe runs, growth
//   and the backward shift on removal.  Returns the number of checks made;
//   raises AssertionError naming the step that disagreed.
// - demangle_plain(mangled): the runtime's own demangler for plain class
//   names, or None where it declines (the test compares it with the
//   C++ runtime's demangler on the same names).
// - typeid_names(): the mangled names of a set of real C++ types.
#include <Python.h>

#include <bindbridge/runtime/runtime.h>

#include <cstdint>
#include <deque>
#include <map>
#include <random>
#include <string>
#include <typeinfo>
#include <vector>

namespace bb = bindbridge::detail;

namespace {

struct dyn_type_info final : std::type_info {
    explicit dyn_type_info(const char* mangled) : std::type_info(mangled) {}
};

namespace outer {
struct Plain {};
namespace inner {
struct Deep {};
} // namespace inner
template <typename T>
struct Tmpl {};
} // namespace outer
struct Top {};
struct Has_Under_9 {};

std::string describe(const char* kind, unsigned seed, int step, const std::string& what) {
    return std::string(kind) + " table, seed " + std::to_string(seed) + ", step " + std::to_string(step) + ": " +
           what;
}

// One run over one table kind.  `key_of(i)` gives binding i's key as the
// model sees it; the bindings' fields are set so that the table's Key::of
// gives the same key.
template <typename Key, typename ModelKey>
long run(const char* kind, unsigned seed, int ops, std::vector<bbr_binding>& pool,
         const std::vector<ModelKey>& model_key, bool unique, std::string& error) {
    bb::binding_table<Key> table;
    std::map<ModelKey, std::vector<bbr_binding*>> model;
    std::mt19937 rng(seed);
    long checks = 0;
    auto key_arg = [&](const ModelKey& k) -> typename Key::type { return k.table_key(); };
    for (int step = 0; step < ops; ++step) {
        size_t i = rng() % pool.size();
        bbr_binding* b = &pool[i];
        const ModelKey& k = model_key[i];
        auto& there = model[k];
        bool present = false;
        for (bbr_binding* x : there)
            present = present || x == b;
        unsigned what = rng() % 3;
        if (what < 2 && !present) {
            if (unique) {
                bool added = table.insert(b);
                if (added != there.empty()) {
                    error = describe(kind, seed, step, "insert answered wrongly");
                    return -1;
                }
                if (added)
                    there.push_back(b);
            } else {
                table.append(b);
                there.push_back(b);
            }
        } else if (present) {
            // Erase by binding, or by key without reading the binding.
            bool ok = (rng() & 1) ? table.erase(b) : table.erase(key_arg(k), b);
            if (!ok) {
                error = describe(kind, seed, step, "erase missed a binding it holds");
                return -1;
            }
            for (auto it = there.begin(); it != there.end(); ++it)
                if (*it == b) {
                    there.erase(it);
                    break;
                }
        } else if (table.erase(b)) {
            error = describe(kind, seed, step, "erase found a binding never added");
            return -1;
        }
        if (there.empty())
            model.erase(k);
        // Check every key the pool knows.
        size_t keys = 0;
        for (size_t j = 0; j < pool.size(); ++j) {
            auto it = model.find(model_key[j]);
            bb::binding_span s = table.find(key_arg(model_key[j]));
            bool want = it != model.end();
            if (bool(s) != want || table.contains(key_arg(model_key[j])) != want) {
                error = describe(kind, seed, step, "membership of key " + std::to_string(j));
                return -1;
            }
            if (want) {
                if (s.size != it->second.size()) {
                    error = describe(kind, seed, step, "binding count of key " + std::to_string(j));
                    return -1;
                }
                for (size_t n = 0; n < s.size; ++n)
                    if (s.data[n] != it->second[n]) {
                        error = describe(kind, seed, step, "order of key " + std::to_string(j));
                        return -1;
                    }
            }
            ++checks;
        }
        table.for_each([&](bb::binding_span s) { keys += s.size ? 1 : 0; });
        if (keys != model.size() || table.size() != model.size()) {
            error = describe(kind, seed, step, "size or walk");
            return -1;
        }
    }
    return checks;
}

struct pointer_key {
    const void* p;
    bool operator<(const pointer_key& o) const { return p < o.p; }
    const void* table_key() const { return p; }
};
struct name_key {
    std::string s;
    bool operator<(const name_key& o) const { return s < o.s; }
    const char* table_key() const { return s.c_str(); } // equal text, another address
};

PyObject* tables(PyObject*, PyObject* args) {
    unsigned seed;
    int ops, keys;
    if (!PyArg_ParseTuple(args, "Iii", &seed, &ops, &keys))
        return nullptr;
    if (keys < 1 || ops < 0) {
        PyErr_SetString(PyExc_ValueError, "tables: keys >= 1, ops >= 0");
        return nullptr;
    }
    std::string error;
    long checks = 0;
    size_t n = size_t(keys) * 3;
    // By binding: every binding its own key.
    {
        std::vector<bbr_binding> pool(n);
        std::vector<pointer_key> mk;
        for (auto& b : pool)
            mk.push_back(pointer_key{&b});
        long c = run<bb::key_binding>("binding", seed, ops, pool, mk, true, error);
        if (c < 0)
            goto fail;
        checks += c;
    }
    // By Python type: three bindings per fake type pointer, unique keys.
    {
        std::vector<bbr_binding> pool(n);
        std::vector<char> types(static_cast<size_t>(keys));
        std::vector<pointer_key> mk;
        for (size_t i = 0; i < n; ++i) {
            pool[i].pytype = reinterpret_cast<PyTypeObject*>(&types[i % size_t(keys)]);
            mk.push_back(pointer_key{pool[i].pytype});
        }
        long c = run<bb::key_pytype>("pytype", seed, ops, pool, mk, true, error);
        if (c < 0)
            goto fail;
        checks += c;
    }
    // By C++ type name, several bindings per name (appended), names of
    // every length around the hash's eight-byte steps.
    {
        std::deque<std::string> names;
        std::deque<dyn_type_info> infos;
        for (int k = 0; k < keys; ++k) {
            std::string ident = std::string(size_t(k % 19) + 1, char('a' + k % 26)) + std::to_string(k);
            names.push_back(std::to_string(ident.size()) + ident);
            infos.emplace_back(names.back().c_str());
        }
        std::vector<bbr_binding> pool(n);
        std::vector<name_key> mk;
        for (size_t i = 0; i < n; ++i) {
            pool[i].native_type = &infos[i % size_t(keys)];
            mk.push_back(name_key{names[i % size_t(keys)]});
        }
        long c = run<bb::key_cpp_name>("C++ name", seed, ops, pool, mk, false, error);
        if (c < 0)
            goto fail;
        checks += c;
    }
    return PyLong_FromLong(checks);
fail:
    PyErr_SetString(PyExc_AssertionError, error.c_str());
    return nullptr;
}

PyObject* demangle_plain(PyObject*, PyObject* arg) {
    const char* m = PyUnicode_AsUTF8(arg);
    if (!m)
        return nullptr;
    std::string out;
    if (!bb::demangle_plain(m, out))
        Py_RETURN_NONE;
    return PyUnicode_FromString(out.c_str());
}

PyObject* demangle(PyObject*, PyObject* arg) {
    const char* m = PyUnicode_AsUTF8(arg);
    if (!m)
        return nullptr;
    return PyUnicode_FromString(bb::demangle(m).c_str());
}

PyObject* typeid_names(PyObject*, PyObject*) {
    const char* names[] = {typeid(Top).name(),
                           typeid(Has_Under_9).name(),
                           typeid(outer::Plain).name(),
                           typeid(outer::inner::Deep).name(),
                           typeid(outer::Tmpl<int>).name(),
                           typeid(outer::Tmpl<outer::Plain>).name(),
                           typeid(std::string).name(),
                           typeid(std::vector<int>).name(),
                           typeid(int).name(),
                           typeid(bb::framework_record).name(),
                           typeid(dyn_type_info).name()};
    PyObject* out = PyList_New(0);
    if (!out)
        return nullptr;
    for (const char* n : names) {
        PyObject* s = PyUnicode_FromString(n[0] == '*' ? n + 1 : n);
        if (!s || PyList_Append(out, s) != 0) {
            Py_XDECREF(s);
            Py_DECREF(out);
            return nullptr;
        }
        Py_DECREF(s);
    }
    return out;
}

PyMethodDef methods[] = {
    {"tables", tables, METH_VARARGS, "tables(seed, ops, keys): checks made (AssertionError on a mismatch)"},
    {"demangle_plain", demangle_plain, METH_O, "the runtime's plain-name demangler, or None"},
    {"demangle", demangle, METH_O, "the runtime's demangle (plain names first, then the C++ runtime's)"},
    {"typeid_names", typeid_names, METH_NOARGS, "mangled names of real C++ types"},
    {nullptr, nullptr, 0, nullptr}};

PyModuleDef module_def = {PyModuleDef_HEAD_INIT, "runtime_tables", nullptr, -1, methods,
                          nullptr, nullptr, nullptr, nullptr};

} // namespace

PyMODINIT_FUNC PyInit_runtime_tables() { return PyModule_Create(&module_def); }
