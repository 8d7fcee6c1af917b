// tests/nanobind/test_hierarchy.cpp: bb_nanobind's class hierarchies (tests/adapters/test_hierarchy.py).
//
// Owns Animal (trampoline) and Dog; imports only pybind11's base Shape and
// hands Shapes out through Shape&, Shape*, shared_ptr<Shape>,
// unique_ptr<Shape>, a vector of them and a std::function callback.
#include <nanobind/nanobind.h>
#include <nanobind/stl/function.h>
#include <nanobind/stl/shared_ptr.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/unique_ptr.h>
#include <nanobind/stl/vector.h>
#include <nanobind/trampoline.h>

#include <bindbridge/nanobind.h>

#include "../common/shapes.h"

BINDBRIDGE_NANOBIND_IMPORT_AS(Shape, "bb_pybind11.Shape")
BINDBRIDGE_NANOBIND_IMPORT_AS(Widget, "bb_pybind11.Widget")
BINDBRIDGE_NANOBIND_IMPORT(Node) // bound here too: the native path goes through the import caster

BINDBRIDGE_NANOBIND_IMPORT(Event)

namespace nb = nanobind;

// nanobind's hook for the foreign, non-virtual Event (the import
// declaration's returns consult it) and for its own Msg.
template <>
struct nanobind::detail::type_hook<Event> {
    static const std::type_info* get(const Event* e) { return e->kind == 1 ? &typeid(KeyEvent) : &typeid(Event); }
};
template <>
struct nanobind::detail::type_hook<Msg> {
    static const std::type_info* get(const Msg* m) { return m->kind == 1 ? &typeid(TextMsg) : &typeid(Msg); }
};

namespace {

struct PyAnimal : Animal {
    NB_TRAMPOLINE(Animal, 1);
    std::string kind() const override { NB_OVERRIDE(kind); }
};

template <typename B>
void bind_user_of(nb::module_& m) {
    using H = hierarchy_set<B>;
    auto ref = nb::rv_policy::reference;
    m.def("shape_kind_of", &H::kind_of);
    m.def("shape_echo", &H::echo, ref);
    m.def("shape_echo_ptr", &H::echo_ptr, ref);
    m.def("shape_echo_copy", &H::echo_copy);
    m.def("shape_remember", &H::remember, nb::arg("shape").none());
    m.def("shape_recall", &H::recall, ref);
    m.def("shape_add", &H::add);
    m.def("shape_shapes", &H::shapes);
    m.def("shape_first", &H::first);
    m.def("shape_clear", &H::clear);
    m.def("shape_use_count", &H::use_count);
    m.def("shape_call_with", &H::call_with);
}

} // namespace

void bind_hierarchy(nb::module_& m) {
    nb::class_<Animal, PyAnimal>(m, "Animal").def(nb::init<>()).def("kind", &Animal::kind);
    nb::class_<Dog, Animal>(m, "Dog").def(nb::init<>()).def_rw("name", &Dog::name);
    bindbridge::export_type<Animal>(m);
    bindbridge::export_type<Dog>(m);

    m.def("dog_name", [](const Dog& d) { return d.name; });
    m.def("hierarchy_alive", [] { return hierarchy_alive(); });
    nb::class_<Msg>(m, "Msg").def_ro("kind", &Msg::kind);
    nb::class_<TextMsg, Msg>(m, "TextMsg").def_ro("text", &TextMsg::text);
    bindbridge::export_type<Msg>(m);
    bindbridge::export_type<TextMsg>(m);
    m.def("msg_text_native", []() -> Msg& { return static_text_msg(); }, nb::rv_policy::reference);
    m.def("event_key", []() -> Event& { return static_key_event(); }, nb::rv_policy::reference);

    nb::class_<Node>(m, "Node").def(nb::init<>()).def_rw("value", &Node::value);
    bindbridge::export_type<Node>(m);
    static std::shared_ptr<Node> kept_node;
    m.def("node_owners", &node_owners);
    m.def("node_keep", [](std::shared_ptr<Node> n) { kept_node = std::move(n); });
    m.def("node_kept", [] { return kept_node; });
    m.def("node_kept_self", [] { return kept_node->shared_from_this(); });
    m.def("node_release", [] { kept_node.reset(); });

    // Shapes (owned by pybind11), handed out as their base only.
    bind_user_of<Shape>(m);
    // Ownership from pybind11's py::smart_holder instances into unique_ptrs.
    m.def("shape_take_unique", [](std::unique_ptr<Shape> s) { return s ? s->kind() : std::string("none"); });
    m.def("widget_take_unique", [](std::unique_ptr<Widget> w) { return w ? w->label() : std::string("none"); });
    m.def("widget_take_two", [](std::unique_ptr<Widget> a, std::unique_ptr<Widget> b) {
        return a->label() + "+" + b->label();
    });
    static std::shared_ptr<Widget> kept_widget;
    m.def("widget_keep", [](std::shared_ptr<Widget> w) {
        kept_widget = std::move(w);
        return kept_widget.use_count();
    });
    m.def("widget_release_kept", [] { kept_widget.reset(); });
    m.def("widget_peek_unique", [](const std::unique_ptr<Widget>& w) { return w ? w->label() : std::string("none"); });
    m.def("widget_adopt", [](std::unique_ptr<Widget> w) { adopted_widgets().push_back(std::move(w)); });
    m.def("widget_adopted_labels", [] {
        std::vector<std::string> r;
        for (auto& w : adopted_widgets())
            r.push_back(w->label());
        return r;
    });
    m.def("widget_release_adopted", [] { adopted_widgets().clear(); });
    m.def("shape_area", [](const Shape& s) { return s.area(); });
    m.def("isinstance_shape", [](nb::handle h) { return bindbridge::isinstance<Shape>(h); },
          nb::arg("obj").none());
    m.def("isinstance_node", [](nb::handle h) { return bindbridge::isinstance<Node>(h); });
    m.def("nb_isinstance_shape", [](nb::handle h) { return nb::isinstance<Shape>(h); });
    m.def("shape_make_circle_shared", [](double r) -> std::shared_ptr<Shape> {
        return std::make_shared<Circle>(r);
    });
    m.def("shape_make_circle_unique", [](double r) -> std::unique_ptr<Shape> {
        return std::unique_ptr<Shape>(new Circle(r));
    });
    m.def("shape_make_tagged_unique", [](double r) -> std::unique_ptr<Shape> {
        return std::unique_ptr<Shape>(new TaggedCircle(r));
    });
    m.def("shape_make_tagged_shared", [](double r) -> std::shared_ptr<Shape> {
        return std::make_shared<TaggedCircle>(r);
    });
    m.def("shape_make_circle_owned", [](double r) -> Shape* { return new Circle(r); },
          nb::rv_policy::take_ownership);
    m.def("shape_make_none_unique", []() { return std::unique_ptr<Shape>(); });
    // reference_internal without 'self': refused, as nanobind refuses it.
    m.def("shape_internal_ref", [](Shape& s) -> Shape& { return s; }, nb::rv_policy::reference_internal);
    m.def("shape_internal_null", []() -> Shape* { return nullptr; }, nb::rv_policy::reference_internal);
}
