// tests/nanobind/test_outside_call.cpp: bb_nanobind's conversions of foreign objects outside a bound call (tests/adapters/test_outside_call.py).
//
// nb::cast in a C++ thread that takes the GIL, a trampoline and a stored
// std::function called from one convert pybind11's objects with no
// nanobind call frame.  Module initialisation is bb_init_nanobind
// (init_cast_module.cpp).
#include <nanobind/nanobind.h>
#include <nanobind/stl/function.h>
#include <nanobind/stl/string.h>
#include <nanobind/trampoline.h>

#include <bindbridge/nanobind.h>

#include <functional>
#include <string>

#include "../common/in_thread.h"
#include "../common/types.h"

BINDBRIDGE_NANOBIND_IMPORT_AS(Toy, "bb_pybind11.Toy")
BINDBRIDGE_NANOBIND_IMPORT(Shade)

namespace nb = nanobind;

namespace {

template <typename F>
auto in_thread(F&& f) -> decltype(f()) {
    return run_in_thread<nb::gil_scoped_release, nb::gil_scoped_acquire>(
        std::forward<F>(f), [](const char* what) { throw nb::type_error(what); });
}

// A class Python subclasses, whose overrides return foreign objects.
struct Brush {
    virtual ~Brush() = default;
    virtual Shade shade() const { return Shade::light; }
    virtual Toy toy() const { return Toy("plain"); }
};

struct PyBrush : Brush {
    NB_TRAMPOLINE(Brush, 2);
    Shade shade() const override { NB_OVERRIDE(shade); }
    Toy toy() const override { NB_OVERRIDE(toy); }
};

std::function<Shade()>& shade_source() {
    static auto* f = new std::function<Shade()>();
    return *f;
}
std::function<const Toy&()>& toy_source() {
    static auto* f = new std::function<const Toy&()>();
    return *f;
}

} // namespace

void bind_outside_call(nb::module_& m) {
    m.def("shade_value_in_thread", [](nb::object o) { return in_thread([&] { return (int) nb::cast<Shade>(o); }); });
    m.def("toy_ref_in_thread", [](nb::object o) { return in_thread([&] { return nb::cast<const Toy&>(o).name; }); });
    m.def("toy_ptr_in_thread", [](nb::object o) {
        return in_thread([&] {
            const Toy* t = nb::cast<const Toy*>(o);
            return t ? t->name : std::string("none");
        });
    });
    m.def("toy_value_in_thread", [](nb::object o) { return in_thread([&] { return nb::cast<Toy>(o).name; }); });

    nb::class_<Brush, PyBrush>(m, "Brush")
        .def(nb::init<>())
        .def("shade", &Brush::shade)
        .def("toy", &Brush::toy);
    m.def("brush_shade_in_thread", [](const Brush& b) { return in_thread([&] { return (int) b.shade(); }); });
    m.def("brush_toy_in_thread", [](const Brush& b) { return in_thread([&] { return b.toy().name; }); });
    m.def("brush_shade", [](const Brush& b) { return (int) b.shade(); });

    m.def("shade_source_set", [](std::function<Shade()> f) { shade_source() = std::move(f); });
    m.def("shade_source_in_thread", [] { return in_thread([] { return (int) shade_source()(); }); });
    m.def("toy_source_set", [](std::function<const Toy&()> f) { toy_source() = std::move(f); });
    m.def("toy_source_in_thread", [] { return in_thread([] { return toy_source()().name; }); });
    m.def("sources_clear", [] {
        shade_source() = nullptr;
        toy_source() = nullptr;
    });
}
