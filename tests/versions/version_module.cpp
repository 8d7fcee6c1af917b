// tests/versions/version_module.cpp: one test module per framework version (pybind11 or nanobind).
//
// Built by tests/versions/build.py with BBV_MODULE (name), BBV_ID (owns
// VPet<BBV_ID>, VLevel<BBV_ID>, VError<BBV_ID>) and BBV_PYBIND11 or
// BBV_NANOBIND; BBV_SMART_HOLDER binds the Pet with py::smart_holder.  Every module imports the types of modules 1..7 and binds
// the same functions for each (p<N>_*), so any module can be tested
// against any other in one interpreter; those of the default matrix also
// import the Boost.Python module's (22, boost_python_module.cpp).
//
// Benchmarks (bench/) call the cheap p<N>_f / p<N>_f_shared / p<N>_val and
// shared_f functions, and build this file a second way with
// BBV_NO_BINDBRIDGE: the same module without bindbridge (own types only).
#include <deque>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "../common/in_thread.h"
#include "vtypes.h"

#define BBV_STR2(x) #x
#define BBV_STR(x) BBV_STR2(x)

#if defined(BBV_PYBIND11)
#  include <pybind11/pybind11.h>
#  include <pybind11/stl.h>
#  if PYBIND11_VERSION_MAJOR >= 3
#    include <pybind11/native_enum.h>
#  endif
#else
#  include <nanobind/nanobind.h>
#  include <nanobind/stl/shared_ptr.h>
#  include <nanobind/stl/string.h>
#  include <nanobind/stl/unique_ptr.h>
#  include <nanobind/stl/vector.h>
#  include <nanobind/trampoline.h>
#endif

// The bench's own type bound with a shared_ptr holder (pybind11 takes
// std::shared_ptr<T> arguments only for such types).
using VShared = VPet<BBV_ID + 100>;

#if !defined(BBV_NO_BINDBRIDGE)
#if defined(BBV_PYBIND11)
#  include <bindbridge/pybind11.h>
#  define BBV_IMPORT(N) BINDBRIDGE_PYBIND11_IMPORT(VPet<N>) BINDBRIDGE_PYBIND11_IMPORT(VLevel<N>::E) \
      BINDBRIDGE_PYBIND11_IMPORT(VShape<N>) BINDBRIDGE_PYBIND11_IMPORT(VMood<N>::E)
#else
#  include <bindbridge/nanobind.h>
#  define BBV_IMPORT(N) BINDBRIDGE_NANOBIND_IMPORT(VPet<N>) BINDBRIDGE_NANOBIND_IMPORT(VLevel<N>::E) \
      BINDBRIDGE_NANOBIND_IMPORT(VShape<N>) BINDBRIDGE_NANOBIND_IMPORT(VMood<N>::E)
#endif

#if defined(BBV_PYBIND11)
BINDBRIDGE_PYBIND11_IMPORT(bbt_point)
BINDBRIDGE_PYBIND11_IMPORT(VShared)
BINDBRIDGE_PYBIND11_IMPORT_AS(VCPoint, "bbtest_c.bbt_point")
#else
BINDBRIDGE_NANOBIND_IMPORT(bbt_point)
BINDBRIDGE_NANOBIND_IMPORT(VShared)
BINDBRIDGE_NANOBIND_IMPORT_AS(VCPoint, "bbtest_c.bbt_point")
#endif
BBV_FOR_DEFAULT_MATRIX(BBV_IMPORT)
#if BBV_ID > 7
BBV_IMPORT(BBV_ID)
#else
// The Boost.Python module's (matrix.py BOOST_PYTHON), for the default
// matrix's modules only.
BBV_IMPORT(22)
#endif
// The hostile mix (matrix.py HOSTILE, ids 13..20): each also takes the
// others' VPet, so that every pair of them meets.
#if BBV_ID >= 13
#  if defined(BBV_PYBIND11)
#    define BBV_HX_IMPORT(N) BINDBRIDGE_PYBIND11_IMPORT(VPet<N>)
#  else
#    define BBV_HX_IMPORT(N) BINDBRIDGE_NANOBIND_IMPORT(VPet<N>)
#  endif
#  if BBV_ID != 13
BBV_HX_IMPORT(13)
#  endif
#  if BBV_ID != 14
BBV_HX_IMPORT(14)
#  endif
#  if BBV_ID != 15
BBV_HX_IMPORT(15)
#  endif
#  if BBV_ID != 16
BBV_HX_IMPORT(16)
#  endif
#  if BBV_ID != 17
BBV_HX_IMPORT(17)
#  endif
#  if BBV_ID != 18
BBV_HX_IMPORT(18)
#  endif
#  if BBV_ID != 19
BBV_HX_IMPORT(19)
#  endif
#  if BBV_ID != 20
BBV_HX_IMPORT(20)
#  endif
#endif
#endif // !BBV_NO_BINDBRIDGE

#if defined(BBV_PYBIND11)
namespace py = pybind11;
using module_t = py::module_;
#  define BBV_REF py::return_value_policy::reference
#  define BBV_TAKE py::return_value_policy::take_ownership
#  define BBV_DEF(m, name, ...) m.def(name, __VA_ARGS__)
#else
namespace py = nanobind;
using module_t = nanobind::module_;
#  define BBV_REF nanobind::rv_policy::reference
#  define BBV_TAKE nanobind::rv_policy::take_ownership
#  define BBV_DEF(m, name, ...) m.def(name, __VA_ARGS__)
#endif

// Runs f in a C++ thread that takes the GIL: outside any bound call.
template <typename F>
auto bbv_in_thread(F&& f) -> decltype(f()) {
    return run_in_thread<py::gil_scoped_release, py::gil_scoped_acquire>(
        std::forward<F>(f), [](const char* what) { throw py::type_error(what); });
}

// nanobind keeps the name pointer: names live for the process.
inline const char* fname(int n, const char* what) {
    static std::deque<std::string> names; // never moves its elements
    return names.emplace_back("p" + std::to_string(n) + "_" + what).c_str();
}

template <int N>
void bind_peer(module_t& m) {
    using T = VPet<N>;
    using F = features<N>;
    using E = typename VLevel<N>::E;
    BBV_DEF(m, fname(N, "describe"), [](const T& t) { return "described " + t.name; });
    BBV_DEF(m, fname(N, "rename"), [](T& t, const std::string& n) { t.name = n; });
    BBV_DEF(m, fname(N, "by_value"), [](T t) { return "by value " + t.name; });
    BBV_DEF(m, fname(N, "ptr_name"), [](T* t) { return t ? "pointer " + t->name : std::string("none"); },
            py::arg("t").none());
    BBV_DEF(m, fname(N, "clone"), [](const T& t) { return T(t.name + " (clone)"); });
    BBV_DEF(m, fname(N, "make_owned"), [](const std::string& n) { return new T(n); }, BBV_TAKE);
    BBV_DEF(m, fname(N, "favourite"), []() -> T& { return F::favourite(); }, BBV_REF);
    BBV_DEF(m, fname(N, "echo"), [](T& t) -> T& { return t; }, BBV_REF);
    BBV_DEF(m, fname(N, "keep"), [](std::shared_ptr<T> p) {
        F::kept().push_back(std::move(p));
        return F::kept().size() - 1;
    });
    BBV_DEF(m, fname(N, "kept_name"), [](size_t i) { return F::kept().at(i)->name; });
    BBV_DEF(m, fname(N, "release_kept"), [] { F::kept().clear(); });
    BBV_DEF(m, fname(N, "make_shared"), [](const std::string& n) { return std::make_shared<T>(n); });
#if !defined(BBV_NO_BINDBRIDGE) && (!defined(BBV_PYBIND11) || PYBIND11_VERSION_MAJOR >= 3)
    // (pybind11 2.x has no std::unique_ptr<T> parameters.)
    BBV_DEF(m, fname(N, "take_unique"), [](std::unique_ptr<T> p) { return p ? "took " + p->name : std::string("none"); });
    // A later argument fails: the object's ownership goes back to Python.
    BBV_DEF(m, fname(N, "take_unique_int"), [](std::unique_ptr<T> p, int) { return "took " + p->name; });
#endif
    // keep_alive annotations whose nurse is the foreign object (the
    // argument, or the new result).
    BBV_DEF(m, fname(N, "hold"), [](T&, py::object) {}, py::keep_alive<1, 2>());
    BBV_DEF(m, fname(N, "clone_holding"), [](const T& t, py::object) { return T(t.name); },
            py::keep_alive<0, 2>());
    // Conversions outside a bound call (a C++ thread that takes the GIL).
    BBV_DEF(m, fname(N, "describe_in_thread"), [](py::object o) {
        return bbv_in_thread([&] { return "described " + py::cast<const T&>(o).name; });
    });
    BBV_DEF(m, fname(N, "level_value_in_thread"), [](py::object o) {
        return bbv_in_thread([&] { return (int) py::cast<E>(o); });
    });
#if defined(BBV_PYBIND11) // (nanobind refuses a reference to an enum at compile time)
// GCC 12 cannot see that pybind11's caster points into the enum instance
// (and bindbridge's refuses a served temporary): -Wdangling-pointer is a
// false positive here, with the optimiser's inlining.
#  if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 12
#    pragma GCC diagnostic push
#    pragma GCC diagnostic ignored "-Wdangling-pointer"
#  endif
    BBV_DEF(m, fname(N, "level_ref_in_thread"), [](py::object o) {
        return bbv_in_thread([&] {
            const E& e = o.cast<const E&>();
            return (int) e;
        });
    });
#  if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 12
#    pragma GCC diagnostic pop
#  endif
#endif
    BBV_DEF(m, fname(N, "raise"), [](const std::string& w) { throw VError<N>(w); });
    BBV_DEF(m, fname(N, "level_value"), [](E e) { return (int) e; });
    BBV_DEF(m, fname(N, "level_make"), [](int v) { return (E) v; });
    using M = typename VMood<N>::E;
    BBV_DEF(m, fname(N, "mood_value"), [](M e) { return (int) e; });
    BBV_DEF(m, fname(N, "mood_make"), [](int v) { return (M) v; });
    // Cheap calls for bench/: the conversion dominates.
    BBV_DEF(m, fname(N, "f"), [](const T& t) { return (int) t.name.size(); });
    BBV_DEF(m, fname(N, "f_shared"), [](std::shared_ptr<T> p) { return p ? (int) p->name.size() : -1; });
    BBV_DEF(m, fname(N, "val"), []() -> T { return F::favourite(); });
    // The hierarchy family: only the base is imported (bench/ measures
    // shape_circle_shared and shape_echo natively too).
    using S = VShape<N>;
    BBV_DEF(m, fname(N, "shape_kind"), [](const S& s) { return s.kind(); });
    BBV_DEF(m, fname(N, "shape_echo"), [](S& s) -> S& { return s; }, BBV_REF);
    BBV_DEF(m, fname(N, "shape_circle_shared"), [](double r) -> std::shared_ptr<S> {
        return std::make_shared<VCircle<N>>(r);
    });
    BBV_DEF(m, fname(N, "shape_circle_unique"), [](double r) -> std::unique_ptr<S> {
        return std::unique_ptr<S>(new VCircle<N>(r));
    });
    BBV_DEF(m, fname(N, "shape_add"), [](std::shared_ptr<S> s) { F::scene().push_back(std::move(s)); });
    BBV_DEF(m, fname(N, "shape_scene"), [] { return F::scene(); });
    BBV_DEF(m, fname(N, "shape_clear"), [] { F::scene().clear(); });
#if !defined(BBV_NO_BINDBRIDGE)
#  if defined(BBV_PYBIND11)
    BBV_DEF(m, fname(N, "shape_isinstance"), [](py::handle h) { return bindbridge::isinstance<S>(h); });
#  else
    BBV_DEF(m, fname(N, "shape_isinstance"), [](nanobind::handle h) { return bindbridge::isinstance<S>(h); });
#  endif
    // This module's class deriving from module N's VShape, bound without
    // its base; exported on demand (the base's owner must be loaded first).
    using Tri = VTri<BBV_ID, N>;
    static std::string tri_name = "Tri" + std::to_string(N);
#  if defined(BBV_PYBIND11)
    py::class_<Tri>(m, tri_name.c_str()).def(py::init<>()).def("kind", &Tri::kind);
#  else
    nanobind::class_<Tri>(m, tri_name.c_str()).def(nanobind::init<>()).def("kind", &Tri::kind);
#  endif
    BBV_DEF(m, fname(N, "tri_export"), [](module_t mod) { bindbridge::export_type<Tri, S>(mod); });
    // This module's own classes, made implicitly from module N's VPet:
    // pybind11's own implicitly_convertible, nanobind's init_implicit, and
    // bindbridge's helper (which nanobind needs for a foreign source).
    using Tag = VTag<BBV_ID, N>;
    using Badge = VBadge<BBV_ID, N>;
    static std::string tag_name = "Tag" + std::to_string(N), badge_name = "Badge" + std::to_string(N);
#  if defined(BBV_PYBIND11)
    py::class_<Tag>(m, tag_name.c_str()).def(py::init<const T&>());
    py::implicitly_convertible<T, Tag>();
    py::class_<Badge>(m, badge_name.c_str()).def(py::init<const T&>());
    bindbridge::implicitly_convertible<T, Badge>();
#  else
    nanobind::class_<Tag>(m, tag_name.c_str()).def(nanobind::init<const T&>());
    bindbridge::implicitly_convertible<T, Tag>();
    nanobind::class_<Badge>(m, badge_name.c_str()).def(nanobind::init_implicit<const T&>());
    bindbridge::implicitly_convertible<T, Badge>();
#  endif
    BBV_DEF(m, fname(N, "tag_text"), [](const Tag& t) { return t.text; });
    BBV_DEF(m, fname(N, "badge_text"), [](const Badge& b) { return b.text; });
#endif
}

// The hostile mix's one function per other module's VPet.
template <int N>
void bind_hostile_peer(module_t& m) {
    if (N != BBV_ID)
        BBV_DEF(m, fname(N, "describe"), [](const VPet<N>& t) { return "described " + t.name; });
}

template <int... Ns>
struct peers {
    static void bind(module_t& m) {
        int dummy[] = {0, (bind_peer<Ns>(m), 0)...};
        (void) dummy;
    }
};

#if !defined(BBV_NO_BINDBRIDGE) && !defined(BBV_HOSTILE_ONLY)
// The C-API framework's point, with the same rows as VPet where a C struct
// allows them.
static void bind_point(module_t& m) {
    BBV_DEF(m, "point_sum", [](const bbt_point& p) { return p.x + p.y; });
    BBV_DEF(m, "point_scale", [](bbt_point& p, double k) { p.x *= k; p.y *= k; });
    BBV_DEF(m, "point_by_value", [](bbt_point p) { return p.x * 10 + p.y; });
    BBV_DEF(m, "point_make", [](double x, double y) { return bbt_point{x, y}; });
    BBV_DEF(m, "point_owned", [](double x, double y) { return new bbt_point{x, y}; }, BBV_TAKE);
    BBV_DEF(m, "point_favourite", []() -> bbt_point& {
        static bbt_point* f = new bbt_point{7, 7};
        return *f;
    }, BBV_REF);
    BBV_DEF(m, "point_hold", [](bbt_point&, py::object) {}, py::keep_alive<1, 2>());
    BBV_DEF(m, "point_clone_holding", [](const bbt_point& p, py::object) { return p; },
            py::keep_alive<0, 2>());
    BBV_DEF(m, "point_echo", [](bbt_point& p) -> bbt_point& { return p; }, BBV_REF);
    BBV_DEF(m, "point_sum_in_thread", [](py::object o) {
        return bbv_in_thread([&] {
            const bbt_point& p = py::cast<const bbt_point&>(o);
            return p.x + p.y;
        });
    });
    static auto* kept = new std::vector<std::shared_ptr<bbt_point>>();
    BBV_DEF(m, "point_keep", [](std::shared_ptr<bbt_point> p) {
        kept->push_back(std::move(p));
        return kept->size() - 1;
    });
    BBV_DEF(m, "point_kept_x", [](size_t i) { return kept->at(i)->x; });
    BBV_DEF(m, "point_release_kept", [] { kept->clear(); });
    BBV_DEF(m, "point_make_shared", [](double x, double y) {
        return std::make_shared<bbt_point>(bbt_point{x, y});
    });
    using PointTag = VPointTag<BBV_ID>;
#  if defined(BBV_PYBIND11)
    py::class_<PointTag>(m, "PointTag").def(py::init<const bbt_point&>());
#  else
    nanobind::class_<PointTag>(m, "PointTag").def(nanobind::init<const bbt_point&>());
#  endif
    bindbridge::implicitly_convertible<bbt_point, PointTag>();
    BBV_DEF(m, "point_tag_sum", [](const PointTag& t) { return t.sum; });
    // The C build's point by its Python type (no C++ RTTI to match).
    BBV_DEF(m, "cpoint_sum", [](const VCPoint& p) { return p.x + p.y; });
    BBV_DEF(m, "cpoint_scale", [](VCPoint& p, double k) { p.x *= k; p.y *= k; });
    BBV_DEF(m, "cpoint_make", [](double x, double y) { return VCPoint{x, y}; });
    BBV_DEF(m, "cpoint_owned", [](double x, double y) { return new VCPoint{x, y}; }, BBV_TAKE);
}
#endif

// The trampoline that lets Python subclass this module's Shape.
#if defined(BBV_PYBIND11)
struct VShapeTrampoline : VShape<BBV_ID> {
    std::string kind() const override { PYBIND11_OVERRIDE(std::string, VShape<BBV_ID>, kind, ); }
};
#else
struct VShapeTrampoline : VShape<BBV_ID> {
    NB_TRAMPOLINE(VShape<BBV_ID>, 1);
    std::string kind() const override { NB_OVERRIDE(kind); }
};
#endif

static void bind_self(module_t& m) {
    using T = VPet<BBV_ID>;
    using E = VLevel<BBV_ID>::E;
    using M = VMood<BBV_ID>::E;
    using S = VShape<BBV_ID>;
    using C = VCircle<BBV_ID>;
#if defined(BBV_PYBIND11)
#  if defined(BBV_SMART_HOLDER) // (pybind11 3.x: the holder that can give objects up)
    py::classh<T>(m, "Pet").def(py::init<std::string>()).def_readwrite("name", &T::name);
#  else
    py::class_<T>(m, "Pet").def(py::init<std::string>()).def_readwrite("name", &T::name);
#  endif
    py::enum_<E>(m, "Level").value("low", E::low).value("high", E::high);
#  if PYBIND11_VERSION_MAJOR >= 3
    py::native_enum<M>(m, "Mood", "enum.Enum").value("calm", M::calm).value("wild", M::wild).finalize();
#  else
    py::enum_<M>(m, "Mood").value("calm", M::calm).value("wild", M::wild);
#  endif
    py::register_exception<VError<BBV_ID>>(m, "Error");
    py::class_<VShared, std::shared_ptr<VShared>>(m, "SharedPet").def(py::init<std::string>());
    py::class_<S, VShapeTrampoline, std::shared_ptr<S>>(m, "Shape").def(py::init<>()).def("kind", &S::kind);
    py::class_<C, S, std::shared_ptr<C>>(m, "Circle").def(py::init<double>()).def_readwrite("r", &C::r);
    m.attr("FRAMEWORK") = "pybind11";
    m.attr("VERSION") = BBV_STR(PYBIND11_VERSION_MAJOR) "." BBV_STR(PYBIND11_VERSION_MINOR) "." BBV_STR(PYBIND11_VERSION_PATCH);
#else
    nanobind::class_<T>(m, "Pet").def(nanobind::init<std::string>()).def_rw("name", &T::name);
    nanobind::enum_<E>(m, "Level").value("low", E::low).value("high", E::high);
    nanobind::enum_<M>(m, "Mood").value("calm", M::calm).value("wild", M::wild);
    nanobind::exception<VError<BBV_ID>>(m, "Error");
    nanobind::class_<VShared>(m, "SharedPet").def(nanobind::init<std::string>());
    nanobind::class_<S, VShapeTrampoline>(m, "Shape").def(nanobind::init<>()).def("kind", &S::kind);
    nanobind::class_<C, S>(m, "Circle").def(nanobind::init<double>()).def_rw("r", &C::r);
    m.attr("FRAMEWORK") = "nanobind";
    m.attr("VERSION") = BBV_STR(NB_VERSION_MAJOR) "." BBV_STR(NB_VERSION_MINOR) "." BBV_STR(NB_VERSION_PATCH);
#endif
    BBV_DEF(m, "shared_f", [](std::shared_ptr<VShared> p) { return p ? (int) p->name.size() : -1; });
    m.attr("ID") = BBV_ID;
#if defined(BBV_NO_BINDBRIDGE)
    m.attr("BINDBRIDGE") = false;
#else
    m.attr("BINDBRIDGE") = true;
#  if !defined(BBV_IMPORT_ONLY) // (a module that only uses others' types)
    bindbridge::export_type<T>(m);
    bindbridge::export_type<E>(m);
    bindbridge::export_type<M>(m);
    bindbridge::export_type<S>(m);
    bindbridge::export_type<C>(m);
#  endif
#endif
}

#if defined(BBV_PYBIND11)
PYBIND11_MODULE(BBV_MODULE, m) {
#else
NB_MODULE(BBV_MODULE, m) {
#endif
    bind_self(m);
#if defined(BBV_HOSTILE_ONLY)
    // (matrix.py HOSTILE_LEAN: the hostile mix calls p<N>_describe only,
    // and the whole surface costs these builds three quarters of their
    // compile time.)
    int lean[] = {(bind_hostile_peer<1>(m), 0), (bind_hostile_peer<2>(m), 0),
                  (bind_hostile_peer<3>(m), 0), (bind_hostile_peer<4>(m), 0),
                  (bind_hostile_peer<5>(m), 0), (bind_hostile_peer<6>(m), 0),
                  (bind_hostile_peer<7>(m), 0)};
    (void) lean;
#else
#  if defined(BBV_NO_BINDBRIDGE)
    peers<BBV_ID>::bind(m);
#  else
    bind_point(m);
#  endif
#  if defined(BBV_NO_BINDBRIDGE)
#  elif BBV_ID > 7
    peers<1, 2, 3, 4, 5, 6, 7, BBV_ID>::bind(m);
#  else
    peers<1, 2, 3, 4, 5, 6, 7, 22>::bind(m);
#  endif
#endif
#if BBV_ID >= 13 && !defined(BBV_NO_BINDBRIDGE)
    int hostile[] = {(bind_hostile_peer<13>(m), 0), (bind_hostile_peer<14>(m), 0),
                     (bind_hostile_peer<15>(m), 0), (bind_hostile_peer<16>(m), 0),
                     (bind_hostile_peer<17>(m), 0), (bind_hostile_peer<18>(m), 0),
                     (bind_hostile_peer<19>(m), 0), (bind_hostile_peer<20>(m), 0)};
    (void) hostile;
#endif
#if defined(BBV_EXPLAIN_FAILURES) && !defined(BBV_NO_BINDBRIDGE)
    // The tests' builds (not bench/'s): failing calls explain themselves.
    bindbridge::explain_failures(m);
#endif
}
