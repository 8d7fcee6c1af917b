// tests/common/purec_module.cpp: bb_purec_pybind11 / bb_purec_nanobind (BB_PURE_C_PYBIND11 or _NANOBIND) take the C framework's struct as C++ structs of their own.
//
// The C build of the C-API test framework (bbtest_c) publishes its point
// with abi_lang C: no C++ RTTI.  CPoint is mapped to it by its Python type
// at compile time (IMPORT_AS), RPoint at run time (import_type<RPoint>);
// each declaration asserts the C layout (test_pure_c.py).
#include <memory>
#include <vector>

#if defined(BB_PURE_C_PYBIND11)
#  include <pybind11/pybind11.h>
#  include <bindbridge/pybind11.h>
namespace fw = pybind11;
#  define BB_MODULE(name, m) PYBIND11_MODULE(name, m)
#  define BB_REF fw::return_value_policy::reference
#  define BB_TAKE fw::return_value_policy::take_ownership
#  define BB_IMPORT_AS BINDBRIDGE_PYBIND11_IMPORT_AS
#  define BB_IMPORT BINDBRIDGE_PYBIND11_IMPORT
#else
#  include <nanobind/nanobind.h>
#  include <nanobind/stl/shared_ptr.h>
#  include <nanobind/stl/unique_ptr.h>
#  include <bindbridge/nanobind.h>
namespace fw = nanobind;
#  define BB_MODULE(name, m) NB_MODULE(name, m)
#  define BB_REF fw::rv_policy::reference
#  define BB_TAKE fw::rv_policy::take_ownership
#  define BB_IMPORT_AS BINDBRIDGE_NANOBIND_IMPORT_AS
#  define BB_IMPORT BINDBRIDGE_NANOBIND_IMPORT
#endif

struct CPoint {
    double x, y;
};
struct RPoint {
    double x, y;
};

BB_IMPORT_AS(CPoint, "bbtest_c.bbt_point")
BB_IMPORT(RPoint)

static std::vector<std::shared_ptr<CPoint>>& kept() {
    static auto* k = new std::vector<std::shared_ptr<CPoint>>();
    return *k;
}

#if defined(BB_PURE_C_PYBIND11)
BB_MODULE(bb_purec_pybind11, m) {
#else
BB_MODULE(bb_purec_nanobind, m) {
#endif
    m.def("sum", [](const CPoint& p) { return p.x + p.y; });
    m.def("scale", [](CPoint& p, double k) { p.x *= k; p.y *= k; });
    m.def("by_value", [](CPoint p) { return p.x * 10 + p.y; });
#if defined(BB_PURE_C_PYBIND11)
    m.def("is_null", [](const CPoint* p) { return p == nullptr; });
#else // (nanobind takes None for a pointer where the argument says so, natively too)
    m.def("is_null", [](const CPoint* p) { return p == nullptr; }, fw::arg("p").none());
#endif
    m.def("make", [](double x, double y) { return CPoint{x, y}; });
    m.def("owned", [](double x, double y) { return new CPoint{x, y}; }, BB_TAKE);
    m.def("favourite", []() -> CPoint& {
        static CPoint* f = new CPoint{7, 8};
        return *f;
    }, BB_REF);
    m.def("echo", [](CPoint& p) -> CPoint& { return p; }, BB_REF);
    m.def("unique", [](double x, double y) { return std::unique_ptr<CPoint>(new CPoint{x, y}); });
    m.def("shared", [](double x, double y) { return std::make_shared<CPoint>(CPoint{x, y}); });
    m.def("keep", [](std::shared_ptr<CPoint> p) {
        kept().push_back(std::move(p));
        return kept().size() - 1;
    });
    m.def("kept_x", [](size_t i) { return kept().at(i)->x; });
    m.def("release_kept", [] { kept().clear(); });
    m.def("import_rpoint", [](fw::handle type) { bindbridge::import_type<RPoint>(type); });
    m.def("rsum", [](const RPoint& p) { return p.x + p.y; });
    m.def("rmake", [](double x, double y) { return RPoint{x, y}; });
}
