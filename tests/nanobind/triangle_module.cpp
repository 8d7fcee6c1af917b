// tests/nanobind/triangle_module.cpp: bb_triangle, a nanobind plugin whose class's C++ base is bound by pybind11.
//
// Triangle derives from Shape (bb_pybind11's); nanobind cannot have a
// foreign base (nb::class_<Triangle, Shape> aborts), so Triangle is bound
// alone and export_type<Triangle, Shape> publishes the upcast.  As a
// native derived class needs its base registered first, the module imports
// the base's module before exporting.  It also uses Shape itself
// (IMPORT_AS), through its own Triangle.
#include <memory>
#include <string>

#include <nanobind/nanobind.h>
#include <nanobind/stl/shared_ptr.h>
#include <nanobind/stl/string.h>

#include <bindbridge/nanobind.h>

#include "../common/shapes.h"

BINDBRIDGE_NANOBIND_IMPORT_AS(Shape, "bb_pybind11.Shape")

namespace nb = nanobind;

NB_MODULE(bb_triangle, m) {
    nb::module_::import_("bb_pybind11"); // the base's owner, first
    nb::class_<Triangle>(m, "Triangle")
        .def(nb::init<double, double>())
        .def("area", [](const Triangle& t) { return t.area(); })
        .def_rw("mark", &Triangle::mark);
    bindbridge::export_type<Triangle, Shape>(m);

    static std::shared_ptr<Shape> kept;
    m.def("shape_kind", [](const Shape& s) { return s.kind(); });
    m.def("shape_echo", [](Shape& s) -> Shape& { return s; }, nb::rv_policy::reference);
    m.def("shape_keep", [](std::shared_ptr<Shape> s) { kept = std::move(s); });
    m.def("shape_kept", [] { return kept; });
    m.def("shape_release", [] { kept.reset(); });
    m.def("make_triangle_shared", [](double b, double h) -> std::shared_ptr<Shape> {
        return std::make_shared<Triangle>(b, h);
    });
    m.def("isinstance_shape", [](nb::handle h) { return bindbridge::isinstance<Shape>(h); });
    m.def("hierarchy_alive", [] { return hierarchy_alive(); });

    nb::class_<Odd>(m, "Odd").def(nb::init<>());
    m.def("export_odd_with_unbound_base", [](nb::module_ mod) { bindbridge::export_type<Odd, Unbound>(mod); });
}
