"""tests/valgrind/scenarios.py: 19 cross-framework scenarios, run in one interpreter under valgrind memcheck.

Each scenario is small; together they cover the registry, both adapters,
the C-API framework, removal paths and interpreter exit.  Run by
tests/valgrind/test_memcheck.py (which sets up valgrind).
"""

import gc
import sys

import bindbridge
import bbtest_c
import bbtest_cpp
import bb_nanobind as nbm
import bb_pybind11 as pbm

results = []


def scenario(fn):
    fn()
    gc.collect()
    results.append(fn.__name__)
    return fn


@scenario
def registry_listing():
    assert len(bindbridge.frameworks()) >= 4
    assert bindbridge.binding_of(nbm.Pet) is not None


@scenario
def c_and_cpp_frameworks_share_a_point():
    C = bbtest_c.make_type("Point")
    P = bbtest_cpp.make_type("Point")
    assert bbtest_cpp.point_xy(C(1, 2)) == (1.0, 2.0)
    assert bbtest_c.point_xy(P(3, 4)) == (3.0, 4.0)


@scenario
def type_death_removes_binding():
    T = bbtest_c.make_type("Dying")
    del T


@scenario
def del_binding_attribute():
    T = bbtest_c.make_type("Deleted")
    del T.__pymetabind_binding__
    bbtest_c.export(T)


@scenario
def pybind11_takes_nanobind_objects():
    p = nbm.Pet("rex")
    assert pbm.pet_describe(p) == "described rex"
    pbm.pet_rename(p, "max")
    assert p.name == "max"


@scenario
def nanobind_takes_pybind11_objects():
    t = pbm.Toy("ball")
    assert nbm.toy_describe(t) == "described ball"


@scenario
def returns_every_policy():
    assert type(pbm.pet_clone(nbm.Pet("a"))) is nbm.Pet
    assert type(pbm.pet_make_owned("b")) is nbm.Pet
    assert pbm.pet_favourite() is pbm.pet_favourite()
    assert type(nbm.toy_clone(pbm.Toy("c"))) is pbm.Toy
    assert type(nbm.toy_make_owned("d")) is pbm.Toy


@scenario
def shared_ptr_kept_and_released():
    pbm.pet_keep(nbm.Pet("kept"))
    nbm.toy_keep(pbm.Toy("kept"))
    assert type(nbm.toy_make_shared("s")) is pbm.Toy
    pbm.pet_release_kept()
    nbm.toy_release_kept()


@scenario
def reference_internal_keeps_parent():
    house = pbm.PetHouse()
    r = house.resident()
    del house
    assert r.name == "Resident"


@scenario
def keep_alive_through_the_nurse_framework():
    # pybind11's keep_alive with nanobind nurses (argument and result) and
    # nanobind's with pybind11 ones: patients freed with their nurses.
    pet, toy = nbm.Pet("rex"), pbm.Toy("ball")
    pbm.pet_holds_toy(pet, toy)
    held = pbm.pet_for_toy(toy)
    nbm.toy_holds_pet(toy, nbm.Pet("patient"))
    nbm.pet_holds_toy(pet, pbm.Toy("patient"))
    del toy
    gc.collect()
    assert held.name == "ball"
    del pet, held
    gc.collect()


@scenario
def enums_both_ways():
    assert pbm.color_value(nbm.Color.blue) == 4
    assert nbm.shade_make(200) == pbm.Shade.dark


@scenario
def exceptions_cross():
    for f, e in ((pbm.raise_pet_error, nbm.PetError), (nbm.raise_toy_error, pbm.ToyError)):
        try:
            f("x")
        except e:
            pass


@scenario
def wrong_types_refused():
    for f in (pbm.pet_describe, nbm.toy_describe, pbm.pet_take_unique, nbm.toy_take_unique):
        try:
            f(pbm.Both("x"))
        except TypeError:
            pass


@scenario
def removed_binding_then_reexport():
    p = nbm.Pet("r")
    del nbm.Pet.__pymetabind_binding__
    try:
        pbm.pet_describe(p)
    except TypeError:
        pass
    nbm.reexport()
    assert pbm.pet_describe(p) == "described r"


@scenario
def explain_and_conduit():
    bindbridge.explain(nbm.Pet, pbm.Toy("t"))
    assert nbm.Pet("c")._pybind11_conduit_v1_(b"x", None, b"y") is None


@scenario
def failing_calls_explained():
    for call in (lambda: pbm.pet_describe(pbm.Toy("t")), lambda: pbm.stray_value(nbm.Stray()),
                 lambda: nbm.wrapper_name(nbm.Pet("r")), lambda: nbm.pet_describe(pbm.Toy("t"))):
        try:
            call()
        except TypeError as e:
            assert "bindbridge: why" in "".join(getattr(e, "__notes__", [str(e)]))
        else:
            raise AssertionError("the call should fail")
    bindbridge.explain(pbm.pet_describe, pbm.Toy("t"))


@scenario
def unique_ptr_returns_give_ownership_once():
    # A unique_ptr<Animal> return into nanobind (the owner) and a
    # unique_ptr<Shape> return into pybind11: the owner's wrapper deletes
    # the object once, when Python drops it (no leak, no double free).
    base = pbm.hierarchy_alive() + nbm.hierarchy_alive()
    d = pbm.animal_make_dog_unique()
    c = nbm.shape_make_circle_unique(2.0)
    assert type(d) is nbm.Dog and type(c) is pbm.Circle
    del d, c
    gc.collect()
    assert pbm.hierarchy_alive() + nbm.hierarchy_alive() == base


@scenario
def unique_ptr_arguments_take_ownership_once():
    # A nanobind Dog made in C++ into a pybind11 unique_ptr<Animal>: the
    # callee deletes it, the relinquished Python object deletes nothing.
    import warnings
    base = pbm.hierarchy_alive() + nbm.hierarchy_alive()
    d = pbm.animal_make_dog_owned()
    assert pbm.animal_take_unique(d) == "dog"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # nanobind's own warning on a relinquished object
        try:
            d.kind()
        except TypeError:
            pass
    e = pbm.animal_make_dog_owned()
    assert pbm.animal_peek_unique(e) == "dog"   # a view: Python keeps it
    del d, e
    gc.collect()
    assert pbm.hierarchy_alive() + nbm.hierarchy_alive() == base


@scenario
def unique_ptr_arguments_from_pybind11_smart_holders():
    # pybind11 py::smart_holder Widgets into a nanobind unique_ptr<Widget>:
    # deleted once by the callee, the disowned Python object frees only its
    # holder; a refused one (shared) and a Python subclass kept alive by
    # the C++ object (trampoline life support) free everything in the end.
    base = pbm.hierarchy_alive() + nbm.hierarchy_alive()
    w = pbm.widget_make_slider()
    assert nbm.widget_take_unique(w) == "slider"
    try:
        w.label()
    except ValueError:
        pass
    s = pbm.widget_make_slider()
    pbm.widget_keep(s)
    try:
        nbm.widget_take_unique(s)
    except TypeError:
        pass
    pbm.widget_release()

    class Knob(pbm.Widget):
        def label(self):
            return "knob"
    nbm.widget_adopt(Knob())
    assert nbm.widget_adopted_labels() == ["knob"]
    nbm.widget_release_adopted()
    del w, s, Knob
    gc.collect()
    assert pbm.hierarchy_alive() + nbm.hierarchy_alive() == base


print("scenarios passed:", len(results))
sys.stdout.flush()
