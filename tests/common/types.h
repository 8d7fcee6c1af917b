// tests/common/types.h: the C++ types the adapter tests share across frameworks.
//
// Pet is bound by the nanobind test module and imported by the pybind11
// one; Toy the other way round; Both is bound by both; bbt_point is bound
// by the C-API test framework (tests/protocol/test_framework.c, compiled as
// C++), whose layout it repeats.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

struct Pet {
    std::string name, sound;
    Pet() = default;
    Pet(std::string n, std::string s) : name(std::move(n)), sound(std::move(s)) {}
    std::string speak() const { return name + " says " + sound; }
    std::string get_name() const { return name; }
};

struct Toy {
    std::string name;
    int squeaks = 0;
    Toy() = default;
    explicit Toy(std::string n) : name(std::move(n)) {}
    std::string get_name() const { return name; }
};

struct Both {
    std::string name;
    Both() = default;
    explicit Both(std::string n) : name(std::move(n)) {}
    std::string get_name() const { return name; }
};

// Same C++ type as the C-API framework's `typedef struct bbt_point`.
struct bbt_point {
    double x, y;
};

// Stray is bound and exported by the nanobind module; the pybind11 module
// takes it without importing it (explain_failures names the missing import).
struct Stray {
    int value = 7;
};

// Wrapper is bound by the pybind11 module, implicitly convertible from a
// Pet there; the nanobind module imports it: converting a Pet to a Wrapper
// would need pybind11 (serving) to import Pet from nanobind, which the
// recursion guard stops.
struct Wrapper {
    std::string name;
};

// Thrown by the modules that bind Pet/Toy and registered there as a Python
// exception; the other framework must let it reach Python as that type.
struct PetError : std::runtime_error {
    using std::runtime_error::runtime_error;
};
struct ToyError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Color is bound by the nanobind module (nb::enum_), Shade by the pybind11
// one (py::enum_); each imports the other's.  Different sizes on purpose.
enum class Color : int { red = 1, green = 2, blue = 4 };
enum class Shade : uint8_t { light = 1, dark = 200 };

// Bound by the nanobind module: a pybind11 Toy and Shade as properties
// (def_rw: the Toy by reference_internal).
struct ToyBox {
    Toy toy{"boxed"};
    Shade lid = Shade::dark;
};

// Kite, Wind and KiteError are bound by the Boost.Python test module
// (tests/boost_python) and imported by the pybind11 and nanobind ones; so
// is the polymorphic Sail with its derived Jib (bases<Sail>).
struct Kite {
    std::string name;
    Kite() = default;
    explicit Kite(std::string n) : name(std::move(n)) {}
};
enum class Wind : int { calm = 0, breeze = 3, gale = 9 };
struct KiteError : std::runtime_error {
    using std::runtime_error::runtime_error;
};
struct Sail {
    std::string name = "sail";
    virtual ~Sail() = default;
    virtual std::string kind() const { return "sail"; }
};
struct Jib : Sail {
    std::string kind() const override { return "jib"; }
};

// Functions every adapter test module binds for a type T it may not own
// (names read through T::name).  State lives in per-T statics.
template <typename T>
struct feature_set {
    static T& favourite() {
        static T* f = new T(); // never destroyed: it may be referenced from Python at exit
        return *f;
    }
    static std::vector<std::shared_ptr<T>>& kept() {
        static auto* k = new std::vector<std::shared_ptr<T>>();
        return *k;
    }
    static std::string describe(const T& t) { return "described " + t.name; }
    static void rename(T& t, const std::string& n) { t.name = n; }
    static std::string name_or_none(const T* t) { return t ? t->name : std::string("<null>"); }
    static std::string by_value(T t) { return "by value " + t.name; }
    static T clone(const T& t) {
        T c = t;
        c.name += " (clone)";
        return c;
    }
    static T* make_owned(const std::string& n) {
        T* t = new T(t_init(n));
        return t;
    }
    static T& echo(T& t) { return t; }
    static long share(std::shared_ptr<T> p) { return p ? p.use_count() : -1; }
    static size_t keep(std::shared_ptr<T> p) {
        kept().push_back(std::move(p));
        return kept().size() - 1;
    }
    static std::string kept_name(size_t i) { return kept().at(i)->name; }
    static void release_kept() { kept().clear(); }
    static std::shared_ptr<T> make_shared(const std::string& n) { return std::make_shared<T>(t_init(n)); }
    static std::string take_unique(std::unique_ptr<T> p) { return p ? p->name : "<null>"; }
    static std::string overload_unique(std::unique_ptr<T>) { return "unique"; }
    static std::string overload_ref(const T&) { return "const ref"; }
    static T t_init(const std::string& n) {
        T t;
        t.name = n;
        return t;
    }
};

inline std::string point_str(const bbt_point& p) {
    return "(" + std::to_string(p.x) + ", " + std::to_string(p.y) + ")";
}
