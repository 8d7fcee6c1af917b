// tests/versions/boost_python_module.cpp: the version test module of Boost.Python (tests/versions/matrix.py).
//
// The same module API as version_module.cpp (which see) under Boost.Python:
// owns VPet<BBV_ID> (Pet), VLevel (Level), VMood (Mood), VError (Error),
// VShape with a bp::wrapper trampoline (Shape) and VCircle (Circle), and
// binds p<N>_* for the types of modules 1..7 and its own.  Boost.Python
// 1.74 has no std::unique_ptr parameters (no take_unique*) and no
// std::unique_ptr results (shape_circle_unique returns a new Shape* under
// manage_new_object, the same ownership).
//
// BBV_NO_BINDBRIDGE: the same module without bindbridge (bench/'s baseline):
// its own types and p<BBV_ID>_* functions only.  Boost.Python's registry is
// process-wide, so that build takes an id of its own (bench/build.py): two
// modules binding the same C++ type would replace each other's converters.
#include <boost/python.hpp>

#include <deque>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#if !defined(BBV_NO_BINDBRIDGE)
#  include <bindbridge/boost_python.h>
#endif

#include "../common/in_thread.h"
#include "vtypes.h"

#define BBV_STR2(x) #x
#define BBV_STR(x) BBV_STR2(x)

#define BBV_IMPORT(N)                                                                         \
    BINDBRIDGE_BOOST_PYTHON_IMPORT(VPet<N>)                                                   \
    BINDBRIDGE_BOOST_PYTHON_IMPORT(VLevel<N>::E)                                              \
    BINDBRIDGE_BOOST_PYTHON_IMPORT(VShape<N>)                                                 \
    BINDBRIDGE_BOOST_PYTHON_IMPORT(VMood<N>::E)

#if !defined(BBV_NO_BINDBRIDGE)
BINDBRIDGE_BOOST_PYTHON_IMPORT(bbt_point)
BINDBRIDGE_BOOST_PYTHON_IMPORT_AS(VCPoint, "bbtest_c.bbt_point")
BBV_FOR_DEFAULT_MATRIX(BBV_IMPORT)
BBV_IMPORT(BBV_ID)
#endif

namespace bp = boost::python;

namespace {

// The GIL guards of a conversion in a C++ thread (in_thread.h).
struct gil_release {
    PyThreadState* state = PyEval_SaveThread();
    ~gil_release() { PyEval_RestoreThread(state); }
};
struct gil_acquire {
    PyGILState_STATE state = PyGILState_Ensure();
    ~gil_acquire() { PyGILState_Release(state); }
};

// f in a C++ thread that takes the GIL: outside any bound call.  A
// conversion's Python error becomes the TypeError raised here.
template <typename F>
auto in_thread(F&& f) -> decltype(f()) {
    return run_in_thread<gil_release, gil_acquire>(
        [&] {
            try {
                return f();
            } catch (bp::error_already_set&) {
                PyObject *type, *value, *tb;
                PyErr_Fetch(&type, &value, &tb);
                PyObject* text = value ? PyObject_Str(value) : nullptr;
                std::string what = text && PyUnicode_Check(text) ? PyUnicode_AsUTF8(text) : "conversion failed";
                Py_XDECREF(text);
                Py_XDECREF(type);
                Py_XDECREF(value);
                Py_XDECREF(tb);
                throw std::runtime_error(what);
            }
        },
        [](const char* what) {
            PyErr_SetString(PyExc_TypeError, what);
            bp::throw_error_already_set();
        });
}

// Boost.Python keeps the name only while defining: no static storage needed.
std::string fname(int n, const char* what) { return "p" + std::to_string(n) + "_" + what; }

using ref = bp::return_value_policy<bp::reference_existing_object>;
using owned = bp::return_value_policy<bp::manage_new_object>;

// A list of shared_ptr results, each converted as a return is.
template <typename S>
bp::list shared_list(const std::vector<std::shared_ptr<S>>& v) {
    bp::list out;
    for (const auto& s : v)
        out.append(bp::object(bp::handle<>(bp::to_python_value<const std::shared_ptr<S>&>()(s))));
    return out;
}

template <int N>
void bind_peer() {
    using T = VPet<N>;
    using F = features<N>;
    using E = typename VLevel<N>::E;
    using M = typename VMood<N>::E;
    using S = VShape<N>;
    bp::def(fname(N, "describe").c_str(), +[](const T& t) { return "described " + t.name; });
    bp::def(fname(N, "rename").c_str(), +[](T& t, const std::string& n) { t.name = n; });
    bp::def(fname(N, "by_value").c_str(), +[](T t) { return "by value " + t.name; });
    bp::def(fname(N, "ptr_name").c_str(), +[](T* t) { return t ? "pointer " + t->name : std::string("none"); });
    bp::def(fname(N, "clone").c_str(), +[](const T& t) { return T(t.name + " (clone)"); });
    bp::def(fname(N, "make_owned").c_str(), +[](const std::string& n) { return new T(n); }, owned());
    bp::def(fname(N, "favourite").c_str(), +[]() -> T& { return F::favourite(); }, ref());
    bp::def(fname(N, "echo").c_str(), +[](T& t) -> T& { return t; }, ref());
    bp::def(fname(N, "keep").c_str(), +[](std::shared_ptr<T> p) {
        F::kept().push_back(std::move(p));
        return F::kept().size() - 1;
    });
    bp::def(fname(N, "kept_name").c_str(), +[](size_t i) { return F::kept().at(i)->name; });
    bp::def(fname(N, "release_kept").c_str(), +[] { F::kept().clear(); });
    bp::def(fname(N, "make_shared").c_str(), +[](const std::string& n) { return std::make_shared<T>(n); });
#if !defined(BBV_NO_BINDBRIDGE)
    // Boost.Python's with_custodian_and_ward, for a nurse of any framework.
    bp::def(fname(N, "hold").c_str(), +[](T&, bp::object) {}, bindbridge::keep_alive<1, 2>());
    bp::def(fname(N, "clone_holding").c_str(), +[](const T& t, bp::object) { return T(t.name); },
            bindbridge::keep_alive<0, 2>());
#endif
    bp::def(fname(N, "describe_in_thread").c_str(), +[](bp::object o) {
        return in_thread([&] { return "described " + bp::extract<const T&>(o)().name; });
    });
    bp::def(fname(N, "level_value_in_thread").c_str(), +[](bp::object o) {
        return in_thread([&] { return (int) bp::extract<E>(o)(); });
    });
    bp::def(fname(N, "raise").c_str(), +[](const std::string& w) { throw VError<N>(w); });
    bp::def(fname(N, "level_value").c_str(), +[](E e) { return (int) e; });
    bp::def(fname(N, "level_make").c_str(), +[](int v) { return (E) v; });
    bp::def(fname(N, "mood_value").c_str(), +[](M e) { return (int) e; });
    bp::def(fname(N, "mood_make").c_str(), +[](int v) { return (M) v; });
    // Cheap calls for bench/.
    bp::def(fname(N, "f").c_str(), +[](const T& t) { return (int) t.name.size(); });
    bp::def(fname(N, "f_shared").c_str(), +[](std::shared_ptr<T> p) { return p ? (int) p->name.size() : -1; });
    bp::def(fname(N, "val").c_str(), +[]() -> T { return F::favourite(); });
    // The hierarchy family: only the base is imported.
    bp::def(fname(N, "shape_kind").c_str(), +[](const S& s) { return s.kind(); });
    bp::def(fname(N, "shape_echo").c_str(), +[](S& s) -> S& { return s; }, ref());
    bp::def(fname(N, "shape_circle_shared").c_str(), +[](double r) -> std::shared_ptr<S> {
        return std::make_shared<VCircle<N>>(r);
    });
    bp::def(fname(N, "shape_circle_unique").c_str(), +[](double r) -> S* { return new VCircle<N>(r); }, owned());
    bp::def(fname(N, "shape_add").c_str(), +[](std::shared_ptr<S> s) { F::scene().push_back(std::move(s)); });
    bp::def(fname(N, "shape_scene").c_str(), +[] { return shared_list(F::scene()); });
    bp::def(fname(N, "shape_clear").c_str(), +[] { F::scene().clear(); });
#if !defined(BBV_NO_BINDBRIDGE)
    bp::def(fname(N, "shape_isinstance").c_str(), +[](bp::object o) { return bindbridge::isinstance<S>(o); });
    // This module's class deriving from module N's VShape, bound without
    // its base; exported on demand.
    using Tri = VTri<BBV_ID, N>;
    bp::class_<Tri>(("Tri" + std::to_string(N)).c_str()).def("kind", &Tri::kind);
    bp::def(fname(N, "tri_export").c_str(), +[](bp::object) { bindbridge::export_type<Tri, S>(); });
#endif
    // This module's own classes, made implicitly from module N's VPet
    // (Boost.Python's implicitly_convertible, over the imported VPet).
    using Tag = VTag<BBV_ID, N>;
    using Badge = VBadge<BBV_ID, N>;
    bp::class_<Tag>(("Tag" + std::to_string(N)).c_str(), bp::init<const T&>());
    bp::implicitly_convertible<T, Tag>();
    bp::class_<Badge>(("Badge" + std::to_string(N)).c_str(), bp::init<const T&>());
    bp::implicitly_convertible<T, Badge>();
    bp::def(fname(N, "tag_text").c_str(), +[](const Tag& t) { return t.text; });
    bp::def(fname(N, "badge_text").c_str(), +[](const Badge& b) { return b.text; });
}

template <int... Ns>
void bind_peers() {
    int dummy[] = {0, (bind_peer<Ns>(), 0)...};
    (void) dummy;
}

#if !defined(BBV_NO_BINDBRIDGE)
std::vector<std::shared_ptr<bbt_point>>& kept_points() {
    static auto* kept = new std::vector<std::shared_ptr<bbt_point>>();
    return *kept;
}

void bind_point() {
    bp::def("point_sum", +[](const bbt_point& p) { return p.x + p.y; });
    bp::def("point_scale", +[](bbt_point& p, double k) { p.x *= k; p.y *= k; });
    bp::def("point_by_value", +[](bbt_point p) { return p.x * 10 + p.y; });
    bp::def("point_make", +[](double x, double y) { return bbt_point{x, y}; });
    bp::def("point_owned", +[](double x, double y) { return new bbt_point{x, y}; }, owned());
    bp::def("point_favourite", +[]() -> bbt_point& {
        static bbt_point* f = new bbt_point{7, 7};
        return *f;
    }, ref());
    bp::def("point_hold", +[](bbt_point&, bp::object) {}, bindbridge::keep_alive<1, 2>());
    bp::def("point_clone_holding", +[](const bbt_point& p, bp::object) { return p; },
            bindbridge::keep_alive<0, 2>());
    bp::def("point_echo", +[](bbt_point& p) -> bbt_point& { return p; }, ref());
    bp::def("point_sum_in_thread", +[](bp::object o) {
        return in_thread([&] {
            const bbt_point& p = bp::extract<const bbt_point&>(o)();
            return p.x + p.y;
        });
    });
    bp::def("point_keep", +[](std::shared_ptr<bbt_point> p) {
        kept_points().push_back(std::move(p));
        return kept_points().size() - 1;
    });
    bp::def("point_kept_x", +[](size_t i) { return kept_points().at(i)->x; });
    bp::def("point_release_kept", +[] { kept_points().clear(); });
    bp::def("point_make_shared", +[](double x, double y) { return std::make_shared<bbt_point>(bbt_point{x, y}); });
    using PointTag = VPointTag<BBV_ID>;
    bp::class_<PointTag>("PointTag", bp::init<const bbt_point&>());
    bp::implicitly_convertible<bbt_point, PointTag>();
    bp::def("point_tag_sum", +[](const PointTag& t) { return t.sum; });
    // The C build's point by its Python type (no C++ RTTI to match).
    bp::def("cpoint_sum", +[](const VCPoint& p) { return p.x + p.y; });
    bp::def("cpoint_scale", +[](VCPoint& p, double k) { p.x *= k; p.y *= k; });
    bp::def("cpoint_make", +[](double x, double y) { return VCPoint{x, y}; });
    bp::def("cpoint_owned", +[](double x, double y) { return new VCPoint{x, y}; }, owned());
}
#endif // !BBV_NO_BINDBRIDGE

// The trampoline that lets Python subclass this module's Shape.
struct VShapeTrampoline : VShape<BBV_ID>, bp::wrapper<VShape<BBV_ID>> {
    std::string kind() const override {
        if (bp::override f = this->get_override("kind"))
            return f();
        return VShape<BBV_ID>::kind();
    }
    std::string default_kind() const { return VShape<BBV_ID>::kind(); }
};

PyObject* error_type = nullptr;

} // namespace

BOOST_PYTHON_MODULE(BBV_MODULE) {
    using T = VPet<BBV_ID>;
    using E = VLevel<BBV_ID>::E;
    using M = VMood<BBV_ID>::E;
    using S = VShape<BBV_ID>;
    using C = VCircle<BBV_ID>;
    bp::class_<T>("Pet", bp::init<std::string>()).def_readwrite("name", &T::name);
    bp::register_ptr_to_python<std::shared_ptr<T>>();
    bp::enum_<E>("Level").value("low", E::low).value("high", E::high);
    bp::enum_<M>("Mood").value("calm", M::calm).value("wild", M::wild);
    error_type = PyErr_NewException(BBV_STR(BBV_MODULE) ".Error", PyExc_Exception, nullptr);
    bp::scope().attr("Error") = bp::handle<>(bp::borrowed(error_type));
    bp::register_exception_translator<VError<BBV_ID>>(
        +[](const VError<BBV_ID>& e) { PyErr_SetString(error_type, e.what()); });
    bp::class_<VShapeTrampoline, boost::noncopyable>("Shape")
        .def("kind", &S::kind, &VShapeTrampoline::default_kind);
    bp::register_ptr_to_python<std::shared_ptr<S>>();
    bp::class_<C, bp::bases<S>>("Circle", bp::init<double>()).def_readwrite("r", &C::r);
    bp::register_ptr_to_python<std::shared_ptr<C>>();
    bp::scope().attr("FRAMEWORK") = "boost_python";
    bp::scope().attr("VERSION") = std::to_string(BOOST_VERSION / 100000) + "." +
                                  std::to_string(BOOST_VERSION / 100 % 1000) + "." +
                                  std::to_string(BOOST_VERSION % 100);
    bp::scope().attr("ID") = BBV_ID;
#if defined(BBV_NO_BINDBRIDGE)
    bp::scope().attr("BINDBRIDGE") = false;
    bind_peers<BBV_ID>();
#else
    bp::scope().attr("BINDBRIDGE") = true;
    bindbridge::export_type<T>();
    bindbridge::export_type<E>();
    bindbridge::export_type<M>();
    bindbridge::export_type<S>();
    bindbridge::export_type<C>();

    bind_point();
    bind_peers<1, 2, 3, 4, 5, 6, 7, BBV_ID>();
#endif
}
