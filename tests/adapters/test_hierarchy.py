"""tests/adapters/test_hierarchy.py: class hierarchies across pybind11 3.1 and nanobind 3.1 (tests/common/shapes.h).

bb_pybind11 owns Shape (trampoline, shared_ptr holders), Circle, Square and
TaggedCircle (Circle at a non-zero offset behind Tag); bb_nanobind owns
Animal (trampoline) and Dog.  Each imports only the other's base class, so
every derived type that comes back as itself was found by its dynamic type.
The nanobind plugin bb_triangle binds Triangle, whose C++ base is
pybind11's Shape (export_type<Triangle, Shape>).
"""

from __future__ import annotations

import gc

import pytest

import bb_nanobind as nbm
import bb_pybind11 as pbm
from conftest import check_script


def _alive():
    return pbm.hierarchy_alive() + nbm.hierarchy_alive()


# Objects the modules make at import and never free.
AT_IMPORT = _alive()


def alive():
    """C++ objects of the hierarchy alive in both modules (made by the tests)."""
    return _alive() - AT_IMPORT


@pytest.fixture(autouse=True)
def no_leaks():
    yield
    nbm.shape_clear()
    pbm.animal_clear()
    nbm.shape_remember(None)
    nbm.node_release()
    pbm.animal_remember(None)
    gc.collect()
    assert alive() == 0, "a C++ object of the hierarchy was leaked or freed twice"


# --- polymorphic returns: the most-derived bound type, the pointer adjusted ---

@pytest.mark.parametrize("make", ["shape_make_circle_shared", "shape_make_circle_unique",
                                  "shape_make_circle_owned"])
def test_base_return_is_most_derived_pybind11_owner(make):
    c = getattr(nbm, make)(2.0)
    assert type(c) is pbm.Circle
    assert c.r == 2.0 and c.area() == 12.0


@pytest.mark.parametrize("make", ["animal_make_dog_shared", "animal_make_dog_unique",
                                  "animal_make_dog_owned"])
def test_base_return_is_most_derived_nanobind_owner(make):
    d = getattr(pbm, make)()
    assert type(d) is nbm.Dog
    assert d.name == "rex" and nbm.dog_name(d) == "rex"


@pytest.mark.parametrize("make", ["shape_make_tagged_unique", "shape_make_tagged_shared"])
def test_multiple_inheritance_return_adjusts_the_pointer(make):
    t = getattr(nbm, make)(1.0)
    assert type(t) is pbm.TaggedCircle
    assert t.label == "tagged"            # the Tag part (offset 0)
    assert t.kind() == "tagged circle" and t.area() == 3.0 and t.r == 1.0


def test_static_type_when_the_dynamic_type_is_the_base():
    assert type(pbm.animal_make_unique()) is nbm.Animal


def test_empty_unique_ptr_is_none():
    assert nbm.shape_make_none_unique() is None
    assert pbm.animal_make_none_unique() is None


def test_unique_ptr_return_gives_ownership_once():
    c = nbm.shape_make_circle_unique(1.0)
    assert alive() == 1
    del c
    gc.collect()
    assert alive() == 0
    d = pbm.animal_make_dog_unique()
    assert alive() == 1
    del d
    gc.collect()
    assert alive() == 0


def test_shared_ptr_return_shares_with_cpp():
    c = nbm.shape_make_circle_shared(1.0)
    nbm.shape_add(c)
    assert nbm.shape_first() is c
    del c
    gc.collect()
    assert alive() == 1       # the scene still holds it
    assert type(nbm.shape_first()) is pbm.Circle
    nbm.shape_clear()
    gc.collect()
    assert alive() == 0


# --- identity: an object with a wrapper comes back as that wrapper ---------

@pytest.mark.parametrize("echo", ["echo", "echo_ptr", "echo_copy"])
def test_identity_through_base_reference(echo):
    c = pbm.Circle(3)
    assert getattr(nbm, "shape_" + echo)(c) is c
    d = nbm.Dog()
    assert getattr(pbm, "animal_" + echo)(d) is d


def test_identity_with_multiple_inheritance():
    t = pbm.TaggedCircle(2)
    assert nbm.shape_echo(t) is t
    assert nbm.shape_echo_ptr(t) is t
    nbm.shape_remember(t)
    assert nbm.shape_recall() is t


def test_container_of_base_pointers_keeps_types_and_identity():
    c, s = pbm.Circle(1), pbm.Square(2)
    nbm.shape_add(c)
    nbm.shape_add(s)
    got = nbm.shape_shapes()
    assert [type(x) for x in got] == [pbm.Circle, pbm.Square]
    assert got[0] is c and got[1] is s
    d = nbm.Dog()
    pbm.animal_add(d)
    assert pbm.animal_shapes()[0] is d


def test_callback_gets_the_live_derived_wrapper():
    c = pbm.Circle(1)
    assert nbm.shape_call_with(lambda x: "%s %s" % (type(x).__name__, x is c), c) == "Circle True"
    d = nbm.Dog()
    assert pbm.animal_call_with(lambda x: "%s %s" % (type(x).__name__, x is d), d) == "Dog True"


# --- derived-to-base arguments, virtual dispatch into Python ---------------

def test_derived_to_base_arguments():
    assert nbm.shape_area(pbm.Circle(1)) == 3.0
    assert nbm.shape_area(pbm.Square(3)) == 9.0
    assert nbm.shape_area(pbm.TaggedCircle(1)) == 3.0   # Shape at a non-zero offset
    assert nbm.shape_kind_of(pbm.TaggedCircle(1)) == "tagged circle"
    assert pbm.animal_kind_of(nbm.Dog()) == "dog"


def test_python_subclass_overrides_reach_the_other_framework():
    class Triangle(pbm.Shape):
        def area(self):
            return 42.0

        def kind(self):
            return "triangle"

    class Cat(nbm.Animal):
        def kind(self):
            return "cat"

    t, cat = Triangle(), Cat()
    assert nbm.shape_area(t) == 42.0 and nbm.shape_kind_of(t) == "triangle"
    assert pbm.animal_kind_of(cat) == "cat"
    # the trampoline's dynamic type is bound nowhere: the base's binding
    # finds the existing Python object
    assert nbm.shape_echo(t) is t
    assert pbm.animal_echo(cat) is cat


def test_python_subclass_kept_in_a_scene_keeps_its_override():
    class Hexagon(pbm.Shape):
        def kind(self):
            return "hexagon"

    nbm.shape_add(Hexagon())
    gc.collect()
    first = nbm.shape_first()
    assert type(first).__name__ == "Hexagon" and first.kind() == "hexagon"


# --- enable_shared_from_this ----------------------------------------------

@pytest.mark.parametrize("user", [nbm, pbm], ids=["native nanobind", "pybind11 user"])
def test_shared_from_this_shares_with_the_argument(user):
    n = nbm.Node()
    assert user.node_owners(n) >= 1          # no bad_weak_ptr


def test_shared_ptr_argument_shares_the_owners_holder():
    # nanobind keeps a shared_ptr<Node>; a pybind11 function's shared_ptr<Node>
    # argument then shares that control block (enable_shared_from_this), as
    # nanobind's own argument does, instead of starting one of its own.
    # (node_owners counts the argument's co-owners besides shared_from_this's
    # own: 1 for a control block apart from the kept one; pybind11's caster
    # holds one copy more than nanobind's.)
    n = nbm.Node()
    nbm.node_keep(n)
    try:
        shared_pb, shared_nb = pbm.node_owners(n), nbm.node_owners(n)
    finally:
        nbm.node_release()
    assert shared_nb == 2 and shared_pb >= 2, (shared_pb, shared_nb)


def test_shared_from_this_of_a_kept_node_returns_the_same_wrapper():
    n = nbm.Node()
    nbm.node_keep(n)
    assert nbm.node_kept() is n
    assert nbm.node_kept_self() is n
    del n
    gc.collect()
    assert nbm.node_kept().value == 5        # C++ keeps the Python owner alive


# --- reference_internal without a parent ----------------------------------

def test_reference_internal_free_function_refused_as_nanobind_does():
    c = pbm.Circle(1)
    with pytest.raises(TypeError, match="Unable to convert function return value"):
        nbm.shape_internal_ref(c)
    assert nbm.shape_internal_null() is None


def test_reference_internal_pybind11_keeps_the_first_argument():
    d = nbm.Dog()
    assert pbm.animal_internal_ref(d) is d       # existing wrapper, as natively
    with pytest.raises(RuntimeError, match="reference_internal: there is no parent"):
        pbm.animal_internal_no_parent()


# --- isinstance -------------------------------------------------------------

def test_isinstance_is_true_for_foreign_objects_that_convert():
    assert nbm.isinstance_shape(pbm.Circle(1)) and nbm.isinstance_shape(pbm.TaggedCircle(1))
    assert not nbm.isinstance_shape(nbm.Dog()) and not nbm.isinstance_shape(42)
    assert not nbm.isinstance_shape(None)
    assert nbm.isinstance_node(nbm.Node())                    # native
    assert not nbm.nb_isinstance_shape(pbm.Circle(1))         # nanobind's own asks its registry
    assert pbm.isinstance_animal(nbm.Dog()) and pbm.isinstance_animal(nbm.Animal())
    assert not pbm.isinstance_animal(pbm.Circle(1))
    assert pbm.isinstance_circle(pbm.TaggedCircle(1)) and not pbm.isinstance_circle(pbm.Square(1))
    assert pbm.isinstance_color(nbm.Color.red)                # a foreign enum
    assert not pbm.isinstance_color(1)                        # no implicit conversion


# Triangle's C++ base Shape is pybind11's; the nanobind plugin bb_triangle
# binds Triangle alone (nb::class_<Triangle, Shape> would abort) and
# export_type<Triangle, Shape> publishes the upcast.  Shape sits at a
# non-zero offset in Triangle.
def test_cpp_base_bound_by_another_framework():
    out = check_script("""
import gc
import bb_triangle as tri, bb_pybind11 as pb
t = tri.Triangle(2, 3)
# pybind11's own functions (Shape bound there, and imported)
assert pb.shape_area_of(t) == 3.0
assert pb.shape_ptr_kind(t) == "triangle"
assert pb.shape_shared_kind(t) == "triangle"
# the plugin's own functions taking pybind11's Shape: its Triangle, upcast
assert tri.shape_kind(t) == "triangle"
# a Shape& / Shape* / shared_ptr<Shape> to the Triangle comes back as itself
assert tri.shape_echo(t) is t
pb.shape_remember_raw(t)
assert pb.shape_recall_raw() is t
pb.shape_keep(t)
assert pb.shape_kept() is t
tri.shape_keep(t)
assert tri.shape_kept() is t
# a new Triangle behind a shared_ptr<Shape> arrives as a Triangle
made = tri.make_triangle_shared(4, 1)
assert type(made) is tri.Triangle and made.area() == 2.0
# a shared_ptr<Shape> keeps the Python owner alive
tid = id(t); del t; gc.collect()
assert pb.shape_kept().area() == 3.0 and id(pb.shape_kept()) == tid
pb.shape_release(); tri.shape_release(); del made; gc.collect()
assert tri.hierarchy_alive() == 0, tri.hierarchy_alive()
# repeated calls (the cached upcast), a Python subclass
class Big(tri.Triangle):
    pass
for i in range(3):
    assert pb.shape_area_of(tri.Triangle(4, i)) == 2.0 * i
    assert pb.shape_area_of(Big(2, 2)) == 2.0
assert tri.isinstance_shape(tri.Triangle(1, 1))
# Python-level inheritance is unchanged
assert not isinstance(tri.Triangle(1, 1), pb.Shape)
# a class whose base is not published is refused
try:
    pb.shape_area_of(tri.Odd())
except TypeError:
    pass
else:
    raise AssertionError("Odd accepted")
print("ok")
""")
    assert out.strip() == "ok", out


def test_export_with_a_base_nobody_binds_names_it():
    out = check_script("""
import bb_triangle as tri
try:
    tri.export_odd_with_unbound_base(tri)
except TypeError as e:
    print(e)
""")
    assert "export_type<Odd, Unbound>: no framework on the registry binds the base Unbound" in out, out


# --- the frameworks' own type hooks (hierarchies without virtuals) --------

def test_type_hooks_natively():
    # What each framework's hook does for its own types.
    assert type(pbm.event_key_native()) is pbm.KeyEvent
    assert type(nbm.msg_text_native()) is nbm.TextMsg


def test_pybind11_polymorphic_type_hook_on_a_foreign_return():
    # Msg& to a TextMsg, Msg owned by nanobind: pybind11's hook (specialised
    # in the pybind11 module) names TextMsg, nanobind's TextMsg comes back.
    m = pbm.msg_text()
    assert type(m) is nbm.TextMsg and m.text == "hello" and m.kind == 1
    assert pbm.msg_text() is m  # by reference: the existing wrapper


def test_nanobind_type_hook_on_a_foreign_return():
    e = nbm.event_key()
    assert type(e) is pbm.KeyEvent and e.key == 42 and e.kind == 1
    assert nbm.event_key() is e
