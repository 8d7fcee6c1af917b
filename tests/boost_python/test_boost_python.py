"""tests/boost_python/test_boost_python.py: Boost.Python <-> pybind11 3.1 and nanobind 3.1, both directions.

bb_boost_python owns Kite, Wind, Sail and Jib and uses bb_nanobind's Pet
and Color and bb_pybind11's Toy and Shade; bb_nanobind and bb_pybind11
use Kite, Wind and Sail.  Without Boost.Python for this interpreter the
module is not built: the tests skip in one line, and fail where
BINDBRIDGE_REQUIRE_BOOST_PYTHON=1 (CI) says they must run.
"""

from __future__ import annotations

import gc
import sys
import weakref

import pytest

from conftest import skip_without_boost_python

try:
    import bb_boost_python as bpm
except ImportError:  # not built: no Boost.Python for this interpreter
    skip_without_boost_python("the bb_boost_python test module")

import bb_nanobind as nbm  # noqa: E402
import bb_pybind11 as pbm  # noqa: E402

# (owner's class, user module, prefix of the user's functions)
INTO_BOOST = {"nanobind->Boost.Python": (nbm.Pet, "pet"), "pybind11->Boost.Python": (pbm.Toy, "toy")}
FROM_BOOST = {"Boost.Python->nanobind": nbm, "Boost.Python->pybind11": pbm}


def make(cls, name):
    return cls(name) if cls is not nbm.Pet else cls(name, "woof")


@pytest.fixture(params=list(INTO_BOOST))
def into(request):
    cls, prefix = INTO_BOOST[request.param]
    return cls, lambda what: getattr(bpm, "%s_%s" % (prefix, what))


@pytest.fixture(params=list(FROM_BOOST))
def user(request):
    return FROM_BOOST[request.param]


# --- foreign objects into Boost.Python functions ----------------------------------

def test_into_boost_arguments(into):
    cls, fn = into
    obj = make(cls, "rex")
    assert fn("describe")(obj) == "described rex"
    fn("rename")(obj, "max")  # T&: zero-copy
    assert obj.name == "max"
    assert fn("name_or_none")(obj) == "max"
    assert fn("name_or_none")(None) == "<null>"
    assert fn("by_value")(obj) == "by value max"


def test_into_boost_returns_are_the_owners_type(into):
    cls, fn = into
    r = fn("clone")(make(cls, "rex"))
    assert type(r) is cls and r.name == "rex (clone)"
    owned = fn("make_owned")("new")
    assert type(owned) is cls and owned.name == "new"
    copy = fn("favourite_copy")()
    assert type(copy) is cls


def test_into_boost_reference_returns_keep_identity(into):
    cls, fn = into
    obj = make(cls, "rex")
    assert fn("echo")(obj) is obj  # the owner finds its live wrapper
    fav = fn("favourite")()
    fav.name = "changed"
    assert fn("favourite")().name == "changed"


def test_into_boost_shared_ptr_keeps_the_owner_alive(into):
    cls, fn = into
    obj = make(cls, "kept")
    # (nanobind's Pet takes no weak references: its count tells instead)
    before = sys.getrefcount(obj)
    i = fn("keep")(obj)
    assert sys.getrefcount(obj) == before + 1  # the shared_ptr holds the Python owner
    del obj
    gc.collect()
    assert fn("kept_name")(i) == "kept"
    fn("release_kept")()
    gc.collect()
    sp = fn("make_shared")("made")
    assert type(sp) is cls and sp.name == "made"
    assert fn("share")(make(cls, "x")) >= 1


def test_into_boost_wrong_type_is_a_clean_argument_error(into):
    _, fn = into
    with pytest.raises(TypeError, match="did not match C\\+\\+ signature"):
        fn("describe")(42)
    with pytest.raises(TypeError):
        fn("describe")(bpm.Kite("k"))


def test_boost_shared_ptr_argument():
    assert bpm.pet_boost_shared(nbm.Pet("rex", "woof")) == "rex"
    assert bpm.pet_boost_shared(None) == "<null>"


def test_isinstance_sees_foreign_objects():
    assert bpm.pet_isinstance(nbm.Pet("rex", "woof"))
    assert not bpm.pet_isinstance(pbm.Toy("t"))
    assert not bpm.pet_isinstance(None)


def test_foreign_enums_into_boost():
    assert bpm.color_value(nbm.Color.blue) == 4
    assert bpm.color_make(2) is nbm.Color.green
    assert bpm.shade_value(pbm.Shade.dark) == 200
    assert bpm.shade_make(1) == pbm.Shade.light and type(bpm.shade_make(1)) is pbm.Shade
    with pytest.raises(TypeError):
        bpm.color_value(pbm.Shade.dark)


def test_return_internal_reference_of_a_foreign_object():
    shelf = bpm.ToyShelf()
    toy = shelf.get()
    assert type(toy) is pbm.Toy and toy.name == "shelved"
    ref = weakref.ref(shelf)
    del shelf
    gc.collect()
    assert ref() is not None  # the Toy keeps its shelf alive
    toy.name = "moved"
    del toy
    gc.collect()
    assert ref() is None


def test_foreign_exceptions_keep_their_type_in_boost():
    with pytest.raises(nbm.PetError, match="bad pet"):
        bpm.raise_pet_error("bad pet")
    with pytest.raises(pbm.ToyError, match="bad toy"):
        bpm.raise_toy_error("bad toy")
    with pytest.raises(RuntimeError, match="plain"):  # Boost.Python's own default
        bpm.raise_runtime_error("plain")


# --- Boost.Python objects into the other frameworks --------------------------------

def test_kite_arguments(user):
    k = bpm.Kite("kite")
    assert user.kite_describe(k) == "described kite"
    user.kite_rename(k, "renamed")
    assert k.name == "renamed"
    assert user.kite_name_or_none(k) == "renamed"
    assert user.kite_name_or_none(None) == "<null>"
    assert user.kite_by_value(k) == "by value renamed"


def test_kite_returns(user):
    r = user.kite_clone(bpm.Kite("k"))
    assert type(r) is bpm.Kite and r.name == "k (clone)"
    owned = user.kite_make_owned("owned")
    assert type(owned) is bpm.Kite and owned.name == "owned"
    fav = user.kite_favourite()
    fav.name = "fav"
    assert user.kite_favourite().name == "fav"  # a reference to the same C++ object
    assert type(user.kite_favourite_copy()) is bpm.Kite


def test_kite_reference_is_a_new_wrapper_of_the_same_object(user):
    # Boost.Python keeps no registry of live instances: natively too, a
    # reference return makes a new wrapper each time.
    k = bpm.Kite("k")
    e = user.kite_echo(k)
    assert e is not k and type(e) is bpm.Kite
    e.name = "through echo"
    assert k.name == "through echo"


def test_kite_shared_ptr(user):
    k = bpm.Kite("kept")
    ref = weakref.ref(k)
    i = user.kite_keep(k)
    del k
    gc.collect()
    assert ref() is not None and user.kite_kept_name(i) == "kept"
    user.kite_release_kept()
    gc.collect()
    assert ref() is None
    sp = user.kite_make_shared("shared")
    assert type(sp) is bpm.Kite and sp.name == "shared"


def test_kite_unique_ptr_is_refused_cleanly(user):
    # Boost.Python cannot give up an instance's ownership.
    with pytest.raises(TypeError):
        user.kite_take_unique(bpm.Kite("k"))


def test_boost_enum_into_the_others(user):
    assert user.wind_value(bpm.Wind.gale) == 9
    w = user.wind_make(3)
    assert w == bpm.Wind.breeze and type(w) is bpm.Wind


def test_boost_polymorphic_return_is_most_derived(user):
    s = user.sail_make_jib()
    assert type(s) is bpm.Jib
    assert user.sail_kind(s) == "jib"
    assert user.sail_kind(bpm.Jib()) == "jib"  # a derived instance as its base
    assert user.sail_kind(bpm.Sail()) == "sail"


def test_boost_exception_keeps_its_type(user):
    with pytest.raises(bpm.KiteError, match="tangled"):
        user.raise_kite_error("tangled")


def test_native_boost_paths_unchanged():
    k = bpm.Kite("native")
    assert bpm.kite_describe(k) == "described native"
    assert type(bpm.kite_clone(k)) is bpm.Kite
    assert type(bpm.make_jib()) is bpm.Jib
    assert bpm.sail_kind(bpm.Jib()) == "jib"
    with pytest.raises(bpm.KiteError):
        bpm.raise_kite_error("x")


def test_registry_lists_boost_python():
    import bindbridge

    names = [f.name for f in bindbridge.frameworks()]
    assert any(n.startswith("Boost.Python 1.") for n in names), names


def test_registry_is_process_wide():
    # Boost.Python's registry is one per libboost_python: a module without
    # any bindbridge code takes a nanobind Pet once bb_boost_python (which
    # declares the import) is loaded, and not before; and returns a Kite
    # through the class_ that module registered.
    from conftest import check_script
    out = check_script("""
        import bb_nanobind, bb_boost_python_noimport as plain
        pet = bb_nanobind.Pet("rex", "woof")
        try:
            plain.pet_name(pet)
            print("taken before")
        except TypeError:
            print("refused before")
        import bb_boost_python
        print(plain.pet_name(pet), type(plain.kite_make("k")).__name__)
    """)
    assert out.split("\n")[:2] == ["refused before", "rex Kite"], out
