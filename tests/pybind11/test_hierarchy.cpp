// tests/pybind11/test_hierarchy.cpp: bb_pybind11's class hierarchies (tests/adapters/test_hierarchy.py).
//
// Owns Shape (trampoline, shared_ptr holder), Circle, Square and the
// multiple-inheritance TaggedCircle; imports only nanobind's base Animal
// and hands Animals out through Animal&, Animal*, shared_ptr<Animal>,
// unique_ptr<Animal>, a vector of them and a std::function callback.
#include <pybind11/functional.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <bindbridge/pybind11.h>

#include "../common/shapes.h"
#include "../common/types.h"

BINDBRIDGE_PYBIND11_IMPORT_AS(Animal, "bb_nanobind.Animal")
BINDBRIDGE_PYBIND11_IMPORT_AS(Node, "bb_nanobind.Node")
BINDBRIDGE_PYBIND11_IMPORT(Color) // as in test_module.cpp: every TU that converts Color
// Bound here, and imported too: classes other frameworks bind without
// their pybind11 base (nanobind's Triangle, export_type<Triangle, Shape>)
// are taken and returned as themselves.
BINDBRIDGE_PYBIND11_IMPORT(Shape)

BINDBRIDGE_PYBIND11_IMPORT(Msg)

namespace py = pybind11;

// pybind11's hook for the non-virtual hierarchies: the foreign Msg's (the
// import declaration's returns consult it) and the native Event's.
namespace pybind11 {
template <>
struct polymorphic_type_hook<Msg> {
    static const void* get(const Msg* src, const std::type_info*& type) {
        type = src && src->kind == 1 ? &typeid(TextMsg) : nullptr;
        return src;
    }
};
template <>
struct polymorphic_type_hook<Event> {
    static const void* get(const Event* src, const std::type_info*& type) {
        type = src && src->kind == 1 ? &typeid(KeyEvent) : nullptr;
        return src;
    }
};
} // namespace pybind11

namespace {

// (py::smart_holder: a Python subclass given up to C++ lives as long as
// the C++ object.)
struct PyWidget : Widget, py::trampoline_self_life_support {
    std::string label() const override { PYBIND11_OVERRIDE(std::string, Widget, label, ); }
};

struct PyShape : Shape {
    double area() const override { PYBIND11_OVERRIDE(double, Shape, area, ); }
    std::string kind() const override { PYBIND11_OVERRIDE(std::string, Shape, kind, ); }
};

template <typename B>
void bind_user_of(py::module_& m, const std::string& prefix) {
    using H = hierarchy_set<B>;
    auto def = [&](const char* n, auto&& f, auto... extra) {
        m.def((prefix + "_" + n).c_str(), std::forward<decltype(f)>(f), extra...);
    };
    auto ref = py::return_value_policy::reference;
    def("kind_of", &H::kind_of);
    def("echo", &H::echo, ref);
    def("echo_ptr", &H::echo_ptr, ref);
    def("echo_copy", &H::echo_copy);
    def("remember", &H::remember);
    def("recall", &H::recall, ref);
    def("add", &H::add);
    def("shapes", &H::shapes);
    def("first", &H::first);
    def("clear", &H::clear);
    def("use_count", &H::use_count);
    def("call_with", &H::call_with);
}

} // namespace

void bind_hierarchy(py::module_& m) {
    py::class_<Shape, PyShape, std::shared_ptr<Shape>>(m, "Shape")
        .def(py::init<>())
        .def("area", &Shape::area)
        .def("kind", &Shape::kind);
    py::class_<Circle, Shape, std::shared_ptr<Circle>>(m, "Circle")
        .def(py::init<double>())
        .def_readwrite("r", &Circle::r);
    py::class_<Square, Shape, std::shared_ptr<Square>>(m, "Square")
        .def(py::init<double>())
        .def_readwrite("side", &Square::side);
    py::class_<Tag, std::shared_ptr<Tag>>(m, "Tag").def_readwrite("label", &Tag::label);
    py::class_<TaggedCircle, Tag, Circle, std::shared_ptr<TaggedCircle>>(m, "TaggedCircle")
        .def(py::init<double>());
    py::classh<Widget, PyWidget>(m, "Widget").def(py::init<>()).def("label", &Widget::label);
    py::classh<Slider, Widget>(m, "Slider").def(py::init<>());
    bindbridge::export_type<Widget>(m);
    bindbridge::export_type<Slider>(m);
    m.def("widget_make_slider", [] { return std::unique_ptr<Widget>(new Slider()); });
    m.def("widget_label_of", [](const Widget& w) { return w.label(); });
    static std::shared_ptr<Widget> kept_widget;
    m.def("widget_keep", [](std::shared_ptr<Widget> w) { kept_widget = std::move(w); });
    m.def("widget_release", [] { kept_widget.reset(); });
    // pybind11's own std::unique_ptr<Widget> parameter, for comparison.
    m.def("widget_take_unique_native", [](std::unique_ptr<Widget> w) { return w ? w->label() : std::string("none"); });
    bindbridge::export_type<Shape>(m);
    bindbridge::export_type<Circle>(m);
    bindbridge::export_type<Square>(m);
    bindbridge::export_type<Tag>(m);
    bindbridge::export_type<TaggedCircle>(m);

    m.def("hierarchy_alive", [] { return hierarchy_alive(); });
    py::class_<Event>(m, "Event").def_readonly("kind", &Event::kind);
    py::class_<KeyEvent, Event>(m, "KeyEvent").def_readonly("key", &KeyEvent::key);
    bindbridge::export_type<Event>(m);
    bindbridge::export_type<KeyEvent>(m);
    m.def("event_key_native", []() -> Event& { return static_key_event(); }, py::return_value_policy::reference);
    m.def("msg_text", []() -> Msg& { return static_text_msg(); }, py::return_value_policy::reference);
    m.def("square_area", [](const Square& s) { return s.area(); });

    // Shapes through the native owner's own functions (Shape imported too).
    static std::shared_ptr<Shape> kept_shape;
    static Shape* remembered_shape = nullptr;
    m.def("shape_area_of", [](const Shape& s) { return s.area(); });
    m.def("shape_ptr_kind", [](Shape* s) { return s ? s->kind() : std::string("none"); });
    m.def("shape_shared_kind", [](std::shared_ptr<Shape> s) { return s->kind(); });
    m.def("shape_keep", [](std::shared_ptr<Shape> s) { kept_shape = std::move(s); });
    m.def("shape_kept", [] { return kept_shape; });
    m.def("shape_release", [] { kept_shape.reset(); });
    m.def("shape_remember_raw", [](Shape& s) { remembered_shape = &s; });
    m.def("shape_recall_raw", []() -> Shape* { return remembered_shape; },
          py::return_value_policy::reference);
    m.def("node_owners", &node_owners);
    m.def("isinstance_animal", [](py::handle h) { return bindbridge::isinstance<Animal>(h); });
    m.def("isinstance_color", [](py::handle h) { return bindbridge::isinstance<Color>(h); });
    m.def("isinstance_circle", [](py::handle h) { return bindbridge::isinstance<Circle>(h); });

    // Animals (owned by nanobind), handed out as their base only.
    bind_user_of<Animal>(m, "animal");
    m.def("animal_make_dog_shared", []() -> std::shared_ptr<Animal> { return std::make_shared<Dog>(); });
    m.def("animal_make_dog_unique", []() -> std::unique_ptr<Animal> { return std::unique_ptr<Animal>(new Dog()); });
    m.def("animal_make_dog_owned", []() -> Animal* { return new Dog(); },
          py::return_value_policy::take_ownership);
    m.def("animal_make_unique", []() { return std::unique_ptr<Animal>(new Animal()); });
    // Ownership from nanobind's instances (made in C++) into a unique_ptr.
    m.def("animal_take_unique", [](std::unique_ptr<Animal> a) { return a ? a->kind() : std::string("none"); });
    m.def("animal_peek_unique", [](const std::unique_ptr<Animal>& a) { return a ? a->kind() : std::string("none"); });
    m.def("animal_make_none_unique", []() { return std::unique_ptr<Animal>(); });
    // reference_internal: pybind11 keeps the first argument alive; with none
    // there is nothing to keep alive and the return is refused.
    m.def("animal_internal_ref", [](Animal& a) -> Animal& { return a; },
          py::return_value_policy::reference_internal);
    static Animal* never_freed = new Animal(); // made at import: tests count from there
    m.def("animal_internal_no_parent", []() -> Animal& { return *never_freed; },
          py::return_value_policy::reference_internal);
}
