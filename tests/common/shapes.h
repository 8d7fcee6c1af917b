// tests/common/shapes.h: class hierarchies the adapter tests share (virtuals, trampolines, multiple inheritance).
//
// Shape, Circle, Square, Tag and TaggedCircle (Circle at a non-zero offset)
// are bound by the pybind11 test module with std::shared_ptr holders and a
// trampoline, Widget and Slider with py::smart_holder and a trampoline; Animal and Dog by the nanobind one with a trampoline.  Each
// module imports only the other's base class (Shape, Animal): derived types
// must come back as themselves without a declaration each.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

// Live objects of every class here, so tests can see each deleter run once.
// One count per module (hidden visibility): an object is constructed and
// (virtually) destroyed by the code of the module that made it, so the sum
// over the modules is what lives.
inline long& hierarchy_alive() {
    static long n = 0;
    return n;
}

struct Counted {
    Counted() { ++hierarchy_alive(); }
    Counted(const Counted&) { ++hierarchy_alive(); }
    ~Counted() { --hierarchy_alive(); }
};

struct Shape : Counted {
    virtual ~Shape() = default;
    virtual double area() const { return 0; }
    virtual std::string kind() const { return "shape"; }
};

struct Circle : Shape {
    double r = 1;
    Circle() = default;
    explicit Circle(double r_) : r(r_) {}
    double area() const override { return 3 * r * r; }
    std::string kind() const override { return "circle"; }
};

struct Square : Shape {
    double side = 1;
    explicit Square(double s) : side(s) {}
    double area() const override { return side * side; }
    std::string kind() const override { return "square"; }
};

// A first base with data, so that Circle sits at a non-zero offset.
struct Tag {
    virtual ~Tag() = default;
    std::string label = "tagged";
};

struct TaggedCircle : Tag, Circle {
    explicit TaggedCircle(double r_) : Circle(r_) {}
    std::string kind() const override { return "tagged circle"; }
};

// Bound by the nanobind module without a nanobind base (its C++ base Shape
// is pybind11's): export_type<Triangle, Shape> publishes the upcast.  A
// first base with data puts Shape at a non-zero offset.
struct Marker {
    virtual ~Marker() = default;
    int mark = 7;
};

struct Triangle : Marker, Shape {
    double base = 1, height = 1;
    Triangle(double b, double h) : base(b), height(h) {}
    double area() const override { return base * height / 2; }
    std::string kind() const override { return "triangle"; }
};

// A base nobody binds: export_type<Odd, Unbound> is refused.
struct Unbound {
    virtual ~Unbound() = default;
};
struct Odd : Unbound {};

// Bound by the pybind11 module with py::smart_holder (py::classh) and a
// trampoline: its objects can give ownership up to another framework's
// std::unique_ptr<Widget> parameter, as to pybind11 3.x's own.
struct Widget : Counted {
    virtual ~Widget() = default;
    virtual std::string label() const { return "widget"; }
};

struct Slider : Widget {
    std::string label() const override { return "slider"; }
};

// The Widgets a user module took ownership of (std::unique_ptr parameters).
inline std::vector<std::unique_ptr<Widget>>& adopted_widgets() {
    static auto* v = new std::vector<std::unique_ptr<Widget>>();
    return *v;
}

struct Animal : Counted {
    virtual ~Animal() = default;
    virtual std::string kind() const { return "animal"; }
};

struct Dog : Animal {
    std::string name = "rex";
    std::string kind() const override { return "dog"; }
};

// Bound by the nanobind module, which also imports it (native path through
// bindbridge's caster); the pybind11 module imports it.
struct Node : Counted, std::enable_shared_from_this<Node> {
    int value = 5;
};

// shared_from_this() on an object that arrived as shared_ptr<Node>: the
// number of owners it shares with the argument (throws bad_weak_ptr if
// the argument's shared_ptr did not arm it).
inline long node_owners(std::shared_ptr<Node> n) {
    std::shared_ptr<Node> again = n->shared_from_this();
    return again == n ? again.use_count() - 1 : -1;
}

// What a user module binds for a base class B it imports (a Scene of B):
// each returns or hands out B, never the derived type.
template <typename B>
struct hierarchy_set {
    static std::vector<std::shared_ptr<B>>& scene() {
        static auto* s = new std::vector<std::shared_ptr<B>>();
        return *s;
    }
    static B*& remembered() {
        static B* p = nullptr;
        return p;
    }
    static std::string kind_of(const B& b) { return b.kind(); }
    static B& echo(B& b) { return b; }
    static B* echo_ptr(B* b) { return b; }
    static const B& echo_copy(const B& b) { return b; }
    static void remember(B* b) { remembered() = b; }
    static B* recall() { return remembered(); }
    static size_t add(std::shared_ptr<B> b) {
        scene().push_back(std::move(b));
        return scene().size();
    }
    static std::vector<std::shared_ptr<B>> shapes() { return scene(); }
    static std::shared_ptr<B> first() { return scene().empty() ? nullptr : scene().front(); }
    static void clear() { scene().clear(); }
    static long use_count(std::shared_ptr<B> b) { return b.use_count(); }
    static std::string call_with(const std::function<std::string(B&)>& f, B& b) { return f(b); }
};

// Hierarchies without virtual functions (LLVM style: a kind field), whose
// dynamic type only the frameworks' own hooks know (pybind11's
// polymorphic_type_hook, nanobind's type_hook).  Msg and TextMsg are bound
// by the nanobind module, Event and KeyEvent by the pybind11 one; each
// imports the other's base and specialises its own framework's hook for
// it, so that a base reference to a derived object returns the derived
// type, as the hook makes its framework do natively.
struct Msg {
    int kind = 0;
};
struct TextMsg : Msg {
    std::string text;
    explicit TextMsg(std::string t) : text(std::move(t)) { kind = 1; }
};
struct Event {
    int kind = 0;
};
struct KeyEvent : Event {
    int key;
    explicit KeyEvent(int k) : key(k) { kind = 1; }
};
inline Msg& static_text_msg() {
    static TextMsg* m = new TextMsg("hello"); // never freed: Python may refer to it at exit
    return *m;
}
inline Event& static_key_event() {
    static KeyEvent* e = new KeyEvent(42);
    return *e;
}
