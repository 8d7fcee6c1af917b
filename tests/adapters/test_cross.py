"""tests/adapters/test_cross.py: pybind11 3.1 <-> nanobind 3.1, every row of the feature table, both directions.

Direction "nb->pb": bb_nanobind owns Pet, bb_pybind11 imports it (pet_*).
Direction "pb->nb": bb_pybind11 owns Toy, bb_nanobind imports it (toy_*).
"""

from __future__ import annotations

import gc
import weakref

import pytest

import bb_nanobind as nbm
import bb_pybind11 as pbm

DIRECTIONS = {
    "nb->pb": dict(owner=nbm, user=pbm, cls=nbm.Pet, prefix="pet", error="PetError"),
    "pb->nb": dict(owner=pbm, user=nbm, cls=pbm.Toy, prefix="toy", error="ToyError"),
}


class Side:
    def __init__(self, owner, user, cls, prefix, error):
        self.owner, self.user, self.cls, self.prefix, self.error = owner, user, cls, prefix, error

    def fn(self, name):
        return getattr(self.user, "%s_%s" % (self.prefix, name))

    def make(self, name):
        return self.cls(name)


@pytest.fixture(params=list(DIRECTIONS), ids=list(DIRECTIONS))
def side(request):
    return Side(**DIRECTIONS[request.param])


def test_const_ref_argument(side):
    assert side.fn("describe")(side.make("rex")) == "described rex"


def test_mutable_ref_is_zero_copy(side):
    obj = side.make("rex")
    side.fn("rename")(obj, "max")
    assert obj.name == "max"


def test_pointer_argument_and_none(side):
    assert side.fn("name_or_none")(side.make("rex")) == "rex"
    assert side.fn("name_or_none")(None) == "<null>"


def test_by_value_argument(side):
    assert side.fn("by_value")(side.make("rex")) == "by value rex"


def test_return_by_value_is_owner_type(side):
    r = side.fn("clone")(side.make("rex"))
    assert type(r) is side.cls and r.name == "rex (clone)"


def test_return_take_ownership(side):
    r = side.fn("make_owned")("fresh")
    assert type(r) is side.cls and r.name == "fresh"
    del r
    gc.collect()


def test_return_reference_keeps_identity(side):
    a = side.fn("favourite")()
    b = side.fn("favourite")()
    assert type(a) is side.cls and a is b
    a.name = "fav"
    assert side.fn("favourite")().name == "fav"


def test_return_copy_is_new_each_time(side):
    side.fn("favourite")().name = "orig"
    c1, c2 = side.fn("favourite_copy")(), side.fn("favourite_copy")()
    assert c1 is not c2 and c1.name == c2.name == "orig"
    c1.name = "changed"
    assert side.fn("favourite")().name == "orig"


def test_existing_wrapper_returned_as_itself(side):
    obj = side.make("rex")
    assert side.fn("echo")(obj) is obj


def test_shared_ptr_argument_keeps_owner_alive(side):
    obj = side.make("kept")
    alive = weakref.ref(obj) if _weakrefable(obj) else None
    assert side.fn("share")(obj) >= 1
    i = side.fn("keep")(obj)
    del obj
    gc.collect()
    assert side.fn("kept_name")(i) == "kept"
    if alive is not None:
        assert alive() is not None  # the shared_ptr holds the Python owner
    side.fn("release_kept")()
    gc.collect()
    if alive is not None:
        assert alive() is None


def test_shared_ptr_return(side):
    r = side.fn("make_shared")("shared")
    assert type(r) is side.cls and r.name == "shared"
    del r
    gc.collect()


def test_unique_ptr_refused_cleanly(side):
    with pytest.raises(TypeError):
        side.fn("take_unique")(side.make("rex"))


def test_unique_ptr_overload_falls_through_to_const_ref(side):
    assert side.fn("overload")(side.make("rex")) == "const ref"


def test_wrong_type_gives_type_error_naming_function(side):
    with pytest.raises(TypeError, match="%s_describe" % side.prefix):
        side.fn("describe")("not a pet")
    with pytest.raises(TypeError):
        side.fn("describe")(None)  # None where a reference is required


def test_objects_neither_side_converts_give_clean_type_error(side):
    with pytest.raises(TypeError):
        side.fn("describe")(side.user.Both("neither"))


def test_exception_from_the_other_side_keeps_its_type(side):
    raiser = getattr(side.user, "raise_%s" % ("pet_error" if side.prefix == "pet" else "toy_error"))
    with pytest.raises(getattr(side.owner, side.error), match="boom!"):
        raiser("boom!")


def test_native_binding_first_then_foreign(side):
    # Both is bound by both modules: each takes its own natively and the
    # other's through the registry.
    fn = getattr(side.user, "both_describe")
    assert fn(side.user.Both("mine")) == "described mine"
    assert fn(side.owner.Both("theirs")) == "described theirs"


def test_removed_binding_is_refused_then_reexport(side):
    obj = side.make("rex")
    # A pybind11 class has another route, its own cpp conduit (the next
    # test): taken away too, so that only the binding could pass obj.
    conduit = side.cls.__dict__.get("_pybind11_conduit_v1_")
    del side.cls.__pymetabind_binding__
    if conduit is not None:
        delattr(side.cls, "_pybind11_conduit_v1_")
    try:
        with pytest.raises(TypeError):
            side.fn("describe")(obj)
    finally:
        if conduit is not None:
            setattr(side.cls, "_pybind11_conduit_v1_", conduit)
        side.owner.reexport()
    assert side.fn("describe")(obj) == "described rex"


def test_removed_binding_leaves_pybind11s_own_conduit():
    # bb_pybind11's Toy keeps pybind11's own conduit (pybind11 >= 2.11.2):
    # with its binding gone from the registry, the importer still takes
    # the object through it (conduit/consume.h), in place.
    assert not (pbm.Toy.__dict__["_pybind11_conduit_v1_"].__func__.__doc__ or "").startswith("bindbridge")
    obj = pbm.Toy("rex")
    del pbm.Toy.__pymetabind_binding__
    try:
        assert nbm.toy_describe(obj) == "described rex"
        nbm.toy_rename(obj, "max")
        assert obj.name == "max"
    finally:
        pbm.reexport()


def test_signature_names_python_type():
    assert "bb_nanobind.Pet" in pbm.pet_describe.__doc__
    assert "bb_pybind11.Toy" in nbm.toy_describe.__doc__
    # Holders too: their casters take the name from T's (IMPORT_AS names it once).
    assert nbm.toy_share.__doc__.startswith("toy_share(arg: bb_pybind11.Toy, /)")
    assert nbm.toy_take_unique.__doc__.startswith("toy_take_unique(arg: bb_pybind11.Toy, /)")
    assert nbm.toy_make_shared.__doc__.endswith("-> bb_pybind11.Toy")
    assert "bb_nanobind.Pet" in pbm.pet_share.__doc__


def test_reference_internal_keeps_parent_alive():
    house = pbm.PetHouse()
    resident = house.resident()
    assert type(resident) is nbm.Pet
    ref = weakref.ref(house)
    del house
    gc.collect()
    assert ref() is not None  # kept alive by the foreign Pet
    assert resident.name == "Resident"
    del resident
    gc.collect()
    assert ref() is None


def test_properties_of_foreign_types():
    # def_readwrite / def_rw of a foreign class and enum: the getter returns
    # the member by reference_internal (the holder stays alive as long as
    # it), the setter converts the foreign object and copies it in.
    house = pbm.PetHouse()
    pet = house.pet
    assert type(pet) is nbm.Pet and pet.name == "Resident"
    assert house.door is nbm.Color.green
    house.pet = nbm.Pet("Moved", "in")
    house.door = nbm.Color.blue
    assert house.resident().name == "Moved" and house.door is nbm.Color.blue
    assert pet.name == "Moved"               # the same member, by reference
    ref = weakref.ref(house)
    del house
    gc.collect()
    assert ref() is not None and pet.name == "Moved"
    del pet
    gc.collect()
    assert ref() is None
    box = nbm.ToyBox()
    toy = box.toy
    assert type(toy) is pbm.Toy and toy.name == "boxed" and box.lid == pbm.Shade.dark
    box.toy = pbm.Toy("kite")
    box.lid = pbm.Shade.light
    assert toy.name == "kite" and box.lid == pbm.Shade.light
    del box
    gc.collect()
    assert toy.name == "kite"                # the box lives as long as its toy


def _weakrefable(obj):
    try:
        weakref.ref(obj)
        return True
    except TypeError:
        return False


# --- enums -------------------------------------------------------------------

def test_nanobind_enum_into_pybind11():
    assert pbm.color_value(nbm.Color.blue) == 4
    made = pbm.color_make(2)
    assert made is nbm.Color.green  # the owner's enum member itself


def test_pybind11_enum_into_nanobind():
    assert nbm.shade_value(pbm.Shade.dark) == 200
    made = nbm.shade_make(1)
    assert type(made) is pbm.Shade and made == pbm.Shade.light


def test_enums_native_side_unchanged():
    assert nbm.color_value(nbm.Color.red) == 1 and nbm.color_make(4) is nbm.Color.blue
    assert pbm.shade_value(pbm.Shade.light) == 1 and pbm.shade_make(200) == pbm.Shade.dark


def test_enum_wrong_input():
    with pytest.raises(TypeError):
        pbm.color_value(pbm.Shade.dark)
    with pytest.raises(TypeError):
        nbm.shade_value(nbm.Color.red)


def test_type_error_names_the_expected_python_type():
    with pytest.raises(TypeError, match=r"bb_nanobind\.Pet"):
        pbm.pet_describe(42)
    with pytest.raises(TypeError, match=r"bb_pybind11\.Toy"):
        nbm.toy_describe(42)


# --- exceptions that no one registered: the default translators do not claim
# each other's exceptions ----------------------------------------------------

def test_unknown_exception_keeps_each_frameworks_own_default():
    with pytest.raises(SystemError, match="could not be translated"):
        nbm.raise_int()  # nanobind's default, not pybind11's catch-all
    with pytest.raises(Exception, match="[Uu]nknown exception"):
        pbm.raise_int()  # pybind11's default, nanobind's did not claim it


def test_std_exceptions_still_translated_by_their_own_framework():
    with pytest.raises(RuntimeError, match="plain"):
        nbm.raise_runtime_error("plain")
    with pytest.raises(RuntimeError, match="plain"):
        pbm.raise_runtime_error("plain")
