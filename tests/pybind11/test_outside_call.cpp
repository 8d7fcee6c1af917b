// tests/pybind11/test_outside_call.cpp: bb_pybind11's conversions of foreign objects outside a bound call (tests/adapters/test_outside_call.py).
//
// A C++ thread that takes the GIL, a trampoline and a stored std::function
// called from one, convert with no pybind11 call frame to keep a foreign
// load's temporaries in (a nanobind enum is served through one): by value
// they copy first, by reference they are refused (cast_error), as pybind11
// refuses its own temporaries there.  Module initialisation is
// bb_init_pybind11 (init_cast_module.cpp).
#include <pybind11/functional.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <bindbridge/pybind11.h>

#include <functional>
#include <string>
#include <vector>

#include "../common/in_thread.h"
#include "../common/types.h"

BINDBRIDGE_PYBIND11_IMPORT_AS(Pet, "bb_nanobind.Pet") // as in test_module.cpp
BINDBRIDGE_PYBIND11_IMPORT(Color)

namespace py = pybind11;

namespace {

template <typename F>
auto in_thread(F&& f) -> decltype(f()) {
    return run_in_thread<py::gil_scoped_release, py::gil_scoped_acquire>(
        std::forward<F>(f), [](const char* what) { throw py::type_error(what); });
}

// A class Python subclasses, whose overrides return foreign objects.
struct Painter {
    virtual ~Painter() = default;
    virtual Color colour() const { return Color::red; }
    virtual Pet model() const { return Pet("still", "life"); }
};

struct PyPainter : Painter {
    Color colour() const override { PYBIND11_OVERRIDE(Color, Painter, colour, ); }
    Pet model() const override { PYBIND11_OVERRIDE(Pet, Painter, model, ); }
};

std::function<Color()>& colour_source() {
    static auto* f = new std::function<Color()>();
    return *f;
}
std::function<const Color&()>& colour_ref_source() {
    static auto* f = new std::function<const Color&()>();
    return *f;
}

} // namespace

void bind_outside_call(py::module_& m) {
    m.def("color_value_in_thread", [](py::object o) { return in_thread([&] { return (int) o.cast<Color>(); }); });
    m.def("color_ref_in_thread", [](py::object o) {
        return in_thread([&] {
            const Color& c = o.cast<const Color&>();
            return (int) c;
        });
    });
    m.def("color_ptr_in_thread", [](py::object o) { return in_thread([&] { return (int) *o.cast<const Color*>(); }); });
    m.def("colors_in_thread", [](py::object o) {
        return in_thread([&] {
            std::vector<int> r;
            for (Color c : o.cast<std::vector<Color>>())
                r.push_back((int) c);
            return r;
        });
    });
    m.def("pet_ref_in_thread", [](py::object o) { return in_thread([&] { return o.cast<const Pet&>().name; }); });

    // Trampolines: the override's result converts in the thread.
    py::class_<Painter, PyPainter>(m, "Painter")
        .def(py::init<>())
        .def("colour", &Painter::colour)
        .def("model", &Painter::model);
    m.def("painter_colour_in_thread", [](const Painter& p) { return in_thread([&] { return (int) p.colour(); }); });
    m.def("painter_model_in_thread", [](const Painter& p) { return in_thread([&] { return p.model().name; }); });
    m.def("painter_colour", [](const Painter& p) { return (int) p.colour(); });

    // std::function wrappers kept by C++ and called later from a thread.
    m.def("colour_source_set", [](std::function<Color()> f) { colour_source() = std::move(f); });
    m.def("colour_source_in_thread", [] { return in_thread([] { return (int) colour_source()(); }); });
    m.def("colour_ref_source_set", [](std::function<const Color&()> f) { colour_ref_source() = std::move(f); });
    m.def("colour_ref_source_in_thread", [] {
        return in_thread([] {
            const Color& c = colour_ref_source()();
            return (int) c;
        });
    });
    // (Dropped before the interpreter finalises the Python callables.)
    m.def("sources_clear", [] {
        colour_source() = nullptr;
        colour_ref_source() = nullptr;
    });
}
