// tests/versions/vtypes.h: the C++ types of the version test modules (one set per module id).
#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

// X(N) for each id of the default matrix (matrix.py DEFAULT), whose types
// every version module imports.
#define BBV_FOR_DEFAULT_MATRIX(X) X(1) X(2) X(3) X(4) X(5) X(6) X(7)

template <int N>
struct VPet {
    std::string name;
#if defined(BBV_PET_EXTRA)
    // plain_pb310_big: another definition of VPet, as another version of
    // a header would have (one member more).
    double weight = 0;
#endif
    VPet() = default;
    explicit VPet(std::string n) : name(std::move(n)) {}
};

template <int N>
struct VError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

template <int N>
struct VLevel {
    enum class E : int { low = 1, high = 7 };
};

// Bound with py::native_enum (a Python enum.Enum) where the owner is
// pybind11 3.x, else with the framework's own enum; 8-bit unsigned, so a
// member's value does not fit a signed byte.
template <int N>
struct VMood {
    enum class E : unsigned char { calm = 2, wild = 200 };
};

// A polymorphic base and a derived class per module id: users import only
// VShape<N>, so a VCircle<N> that comes back as the owner's Circle was found
// by its dynamic type.
template <int N>
struct VShape {
    virtual ~VShape() = default;
    virtual std::string kind() const { return "shape"; }
};

template <int N>
struct VCircle : VShape<N> {
    double r = 1;
    VCircle() = default;
    explicit VCircle(double r_) : r(r_) {}
    std::string kind() const override { return "circle"; }
};

// The state behind module N's p<N>_* functions, in the module that binds
// them (never destroyed: objects may be referenced from Python at exit).
template <int N>
struct features {
    using T = VPet<N>;
    static T& favourite() {
        static T* f = new T("favourite");
        return *f;
    }
    static std::vector<std::shared_ptr<T>>& kept() {
        static auto* k = new std::vector<std::shared_ptr<T>>();
        return *k;
    }
    static std::vector<std::shared_ptr<VShape<N>>>& scene() {
        static auto* s = new std::vector<std::shared_ptr<VShape<N>>>();
        return *s;
    }
};

// Module U's class deriving from module N's base (a C++ base bound by
// another framework): bound by U without a base, exported with
// export_type<VTri<U, N>, VShape<N>>.
template <int U, int N>
struct VTri : VShape<N> {
    std::string kind() const override { return "triangle"; }
};

// Module U's own classes, made implicitly from module N's VPet (the
// implicit conversion row): Tag by implicitly_convertible, Badge by
// nanobind's init_implicit where U is nanobind.
template <int U, int N>
struct VTag {
    std::string text;
    explicit VTag(const VPet<N>& p) : text("tag " + p.name) {}
};

template <int U, int N>
struct VBadge {
    std::string text;
    VBadge(const VPet<N>& p) : text("badge " + p.name) {}
};

// The C-API test framework's C struct (tests/protocol/test_framework.c,
// C++ build): every version module imports it, so the conformance suite can
// pair each framework with the C-API one.
struct bbt_point {
    double x, y;
};

// Module U's own class made implicitly from the C-API framework's point.
template <int U>
struct VPointTag {
    double sum;
    explicit VPointTag(const bbt_point& p) : sum(p.x + p.y) {}
};

// The C build's point (abi_lang C, no C++ RTTI) as a C++ struct of the
// version modules' own, mapped to it by its Python type (IMPORT_AS).
struct VCPoint {
    double x, y;
};
