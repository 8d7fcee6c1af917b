"""tests/conformance/test_conformance.py: each scenario (one row of the design's feature list), for every ordered pair of frameworks.

Frameworks: pybind11 2.x and 3.x, nanobind 2.x and 3.x, Boost.Python (tests/versions
modules) and the C++ C-API test framework (frameworks.py; add more with
BINDBRIDGE_CONFORMANCE_EXTRA).  A row a pair's framework cannot do is
an expected failure with its reason (XFAIL_REASONS), a row that cannot
apply to the pair is n/a with its reason (NOT_APPLICABLE, an xfail whose
reason starts "n/a: "); never a skip.
"""

from __future__ import annotations

import gc
import importlib
import sys
import warnings
import weakref
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from frameworks import narrowed, selected  # noqa: E402

from conftest import VERSION_MODULES as VERSION_DIR, tied  # noqa: E402
FRAMEWORKS = selected()
PAIRS = [(u, o) for u in FRAMEWORKS for o in FRAMEWORKS if u is not o]

XFAIL_REASONS = {
    "c-api owner, unique_ptr_arg": "the C-API test framework cannot make an object give up "
                                   "ownership",
    "pybind11 2.x user, unique_ptr_arg": "pybind11 2.x has no std::unique_ptr<T> parameters",
    "boost_python user, unique_ptr_arg": "Boost.Python 1.74 has no std::unique_ptr<T> parameters",
    "boost_python identity": "Boost.Python keeps no registry of live instances: a reference to "
                             "one of its objects is a new wrapper of the same C++ object, "
                             "natively too",
    "owner counts no shared owners, unique_ptr_arg": "only pybind11's py::smart_holder counts "
        "the std::shared_ptr owners of an object (nanobind gives one up natively too; classic "
        "pybind11 holders give up none: n/a)",
}


# Cells that cannot apply (shown as n/a, with the reason).
NOT_APPLICABLE = {
    "c-api user": "the C-API test framework imports only its own C struct (bbt_point), "
                  "which the other frameworks do not bind",
    "c-api owner, exception": "the C-API test framework has no C++ exceptions to translate",
    "c-api owner, enum": "the C-API test framework binds no enum",
    "c-api owner, hierarchy": "the C-API test framework binds no class hierarchy (a C struct "
                              "has no dynamic type)",
    "classic holder, unique_ptr_arg": "classic pybind11 holders give up no object (natively "
                                      "neither): nothing to give back",
    "boost_python owner, unique_ptr_arg": "Boost.Python gives up no object (natively neither): "
                                          "nothing to give back",
    "boost_python user, enum reference": "Boost.Python converts enums by value (extract<const E&> "
                                         "holds a copy): nothing points into the owner's object",
    "c-api owner, native enum": "the C-API test framework binds no enum",
    "owner without py::native_enum": "py::native_enum (an enum.Enum) is pybind11 3.x's; this "
                                     "owner's enums are covered by the enum row",
    "nanobind user, enum reference": "nb::cast<const E&> of an enum does not compile "
                                     "(nanobind refuses references to a caster's value)",
    "owner with C++ RTTI, pure C": "a binding with C++ RTTI is matched by its type_info (the "
                                   "other rows); this row is the C build's point, which has none",
    "static owner types": "pybind11 and nanobind types live as long as the interpreter "
                          "(their exit: tests/adapters/test_shutdown.py); only the C-API "
                          "framework creates and drops types at run time",
}


# The pymetabind pull requests (pybind11 #5800, nanobind #1140) feature by
# feature: what they do, what bindbridge does, and what proves it.  The
# conformance writer (tests/conftest.py) adds each row's status from this
# run's results: a row whose scenarios fail anywhere says so.  Rows proved
# outside this suite name their test file (run by ./dev test).
# (feature, the pull requests, bindbridge, scenarios or "tests/...py")
PARITY = [
    ("publish a bound type", "every type, by default (pybind11) or by a build flag (nanobind)",
     "`export_type<T>` / `export_all`, on released frameworks, no rebuild of the framework",
     ["const_ref"]),
    ("foreign arguments `const T&`, `T&`, `T*`, `T`", "yes, zero-copy", "the same",
     ["const_ref", "mutable_ref_zero_copy", "by_value", "wrong_type_refused"]),
    ("returns: copy, move, reference, take_ownership; the existing wrapper", "yes", "the same",
     ["return_by_value", "return_take_ownership", "return_reference_identity",
      "existing_wrapper_returned", "reference_return_outlives_the_first_wrapper"]),
    ("`std::shared_ptr<T>` arguments and returns", "a new control block keeps the Python "
     "object alive", "the same, and it shares a `py::smart_holder`'s own holder",
     ["shared_ptr_keeps_owner_alive", "shared_ptr_return"]),
    ("`std::unique_ptr<T>` from a foreign object", "out of reach of the protocol",
     "better: taken where the owner gives objects up natively (nanobind, `py::smart_holder`)",
     ["unique_ptr_argument_takes_ownership", "unique_ptr_argument_given_back_when_the_call_fails",
      "unique_ptr_argument_refused_while_shared"]),
    ("class hierarchies across frameworks", "out of reach of the protocol (no foreign bases)",
     "better: most-derived returns, identity, overrides, C++ bases bound elsewhere",
     ["hierarchy_shared_ptr_return_is_most_derived", "hierarchy_unique_ptr_return_is_most_derived",
      "hierarchy_identity_through_base", "hierarchy_python_override", "hierarchy_isinstance",
      "hierarchy_base_bound_elsewhere"]),
    ("enums", "exported, values through a small buffer", "the same",
     ["enum_both_ways", "outside_call_reference_to_enum"]),
    ("pybind11 3.x `py::native_enum`", "exported by the pybind11 pull request",
     "the same, on released pybind11 3.x (`export_type<E>`)", ["native_enum"]),
    ("exceptions", "translated by the owner", "the same", ["exception_keeps_owner_type"]),
    ("`keep_alive` with a foreign nurse", "through the nurse's framework", "the same",
     ["keep_alive_foreign_nurse", "keep_alive_foreign_result_nurse"]),
    ("conversions outside a bound call", "yes", "the same; a reference into a temporary is "
     "refused, as natively", ["outside_call_by_value_and_into_objects"]),
    ("types that die at run time", "bindings removed with their type", "the same",
     ["owner_type_lives_while_a_user_holds_its_object"]),
    ("pure-C types (no C++ RTTI), by Python type", "the nanobind pull request imports them by "
     "Python type", "the same: `IMPORT_AS(T, \"mod.Type\")`, `import_type<T>(type)`",
     ["pure_c_type_by_python_type"]),
    ("implicit conversions from a foreign type", "the nanobind pull request registers them",
     "the same: `py::implicitly_convertible`; nanobind with `bindbridge::implicitly_convertible`",
     ["implicit_conversion_from_foreign"]),
    ("leak_safe", "nanobind sets it and mutes its leak warnings when a framework without it "
     "joins", "the same rule kept: set on bindbridge's nanobind records (they leave the registry "
     "at exit), not on pybind11's (pybind11 never frees its types)",
     "tests/adapters/test_leak_safe.py"),
    ("other C++ ABIs refused", "by the ABI tag", "the same, and `python -m bindbridge` says why",
     "tests/versions/test_abi_mismatch.py"),
    ("modules nobody rebuilds", "every module needs a new framework release",
     "better in part: pybind11's conduit and the module-local hook (docs/zero-code.md); bridges "
     "for unmodified modules are not built yet", "tests/versions/test_conduit.py"),
    ("Boost.Python modules", "not connected", "better: `<bindbridge/boost_python.h>`, both "
     "directions (the Boost.Python rows and columns here)", "tests/boost_python/test_boost_python.py"),
    ("free-threaded Python", "supported (bindings_usable_forever)", "not yet: no free-threaded "
     "interpreter to test on this project's machines", None),
]


def not_applicable(key):
    pytest.xfail("n/a: " + NOT_APPLICABLE[key])


@pytest.fixture(scope="module")
def loaded():
    sys.path.insert(0, str(VERSION_DIR))
    mods = {}
    for f in FRAMEWORKS:
        try:
            mods[f.module] = importlib.import_module(f.module)
        except ImportError as e:
            pytest.fail("conformance: cannot import %s (%s): %s" % (f.module, f.label, e),
                        pytrace=False)
    # the C-API framework's owned type
    if "bbtest_cpp" in mods:
        mods["_cpoint"] = mods["bbtest_cpp"].make_type("bbt_point")
        # and its C build's (abi_lang C: no C++ RTTI), for the pure-C row
        mods["bbtest_c"] = importlib.import_module("bbtest_c")
        mods["_c_point"] = mods["bbtest_c"].make_type("bbt_point")
    return mods


class Pair:
    def __init__(self, user, owner, mods):
        self.user, self.owner = user, owner
        self.u, self.o = mods[user.module], mods[owner.module]
        self.cpoint = mods.get("_cpoint")
        self.cpoint_module = mods.get("bbtest_cpp")
        self.c_point = mods.get("_c_point")
        self.c_module = mods.get("bbtest_c")

    def expect(self, scenario):
        if self.user.kind == "c-api":
            not_applicable("c-api user")
        key = "c-api owner, %s" % scenario
        if self.owner.kind == "c-api" and key in NOT_APPLICABLE:
            not_applicable(key)
        if self.owner.kind == "c-api" and key in XFAIL_REASONS:
            pytest.xfail(XFAIL_REASONS[key])

    @property
    def point_owner(self):
        return self.owner.kind == "c-api"

    def identity_expected_to_fail(self, framework):
        """After the rest of a scenario passed: the identity part fails where
        `framework` (the pair's owner or user) is Boost.Python."""
        if framework.family == "boost_python":
            pytest.xfail(XFAIL_REASONS["boost_python identity"])

    def gives_up_nothing(self):
        """The owner cannot give up an object (classic pybind11 holders,
        Boost.Python), natively either."""
        return (self.owner.family == "pybind11" and not self.owner.smart_holder) or \
            self.owner.family == "boost_python"

    def user_lacks_unique_ptr(self):
        if self.user.family == "pybind11" and self.user.major == 2:
            pytest.xfail(XFAIL_REASONS["pybind11 2.x user, unique_ptr_arg"])
        if self.user.family == "boost_python":
            pytest.xfail(XFAIL_REASONS["boost_python user, unique_ptr_arg"])

    def make(self, name="a"):
        return self.cpoint(1, 2) if self.point_owner else self.o.Pet(name)

    def fn(self, what):
        return getattr(self.u, "p%d_%s" % (self.o.ID, what))

    def owner_type(self):
        return self.cpoint if self.point_owner else self.o.Pet


@pytest.fixture(params=PAIRS, ids=["%s<-%s" % (u.label, o.label) for u, o in PAIRS])
def pair(request, loaded):
    u, o = request.param
    return Pair(u, o, loaded)


def test_const_ref(pair):
    pair.expect("const_ref")
    if pair.point_owner:
        assert pair.u.point_sum(pair.make()) == 3.0
    else:
        assert pair.fn("describe")(pair.make("a")) == "described a"


def test_mutable_ref_zero_copy(pair):
    pair.expect("mutable_ref")
    obj = pair.make("a")
    if pair.point_owner:
        pair.u.point_scale(obj, 2)
        assert (obj.x, obj.y) == (2.0, 4.0)
    else:
        pair.fn("rename")(obj, "b")
        assert obj.name == "b"


def test_by_value(pair):
    pair.expect("by_value")
    if pair.point_owner:
        assert pair.u.point_by_value(pair.make()) == 12.0
    else:
        assert pair.fn("by_value")(pair.make("a")) == "by value a"


def test_return_by_value(pair):
    pair.expect("return_by_value")
    r = pair.u.point_make(1, 2) if pair.point_owner else pair.fn("clone")(pair.make("a"))
    assert type(r) is pair.owner_type()


def test_return_take_ownership(pair):
    pair.expect("take_ownership")
    r = pair.u.point_owned(3, 4) if pair.point_owner else pair.fn("make_owned")("x")
    assert type(r) is pair.owner_type()
    del r
    gc.collect()


def test_return_reference_identity(pair):
    pair.expect("reference")
    f = pair.u.point_favourite if pair.point_owner else pair.fn("favourite")
    first = f()
    assert type(first) is pair.owner_type()
    if not pair.point_owner:
        first.name = "favourite"  # (the same C++ object through every wrapper)
        assert f().name == "favourite"
    pair.identity_expected_to_fail(pair.owner)
    assert f() is first


def test_existing_wrapper_returned(pair):
    pair.expect("existing_wrapper")
    obj = pair.make("a")
    echo = pair.u.point_echo if pair.point_owner else pair.fn("echo")
    again = echo(obj)
    assert type(again) is pair.owner_type()
    pair.identity_expected_to_fail(pair.owner)
    assert again is obj


def test_shared_ptr_keeps_owner_alive(pair):
    pair.expect("shared_ptr_arg")
    obj = pair.make("kept")
    if pair.point_owner:
        i = pair.u.point_keep(obj)
        del obj
        gc.collect()
        assert pair.u.point_kept_x(i) == 1.0
        pair.u.point_release_kept()
    else:
        i = pair.fn("keep")(obj)
        del obj
        gc.collect()
        assert pair.fn("kept_name")(i) == "kept"
        pair.fn("release_kept")()
    gc.collect()


def test_shared_ptr_return(pair):
    pair.expect("shared_ptr_return")
    r = pair.u.point_make_shared(5, 6) if pair.point_owner else pair.fn("make_shared")("s")
    assert type(r) is pair.owner_type()


def test_exception_keeps_owner_type(pair):
    pair.expect("exception")
    with pytest.raises(pair.o.Error, match="boom"):
        pair.fn("raise")("boom")


def test_enum_both_ways(pair):
    pair.expect("enum")
    assert pair.fn("level_value")(pair.o.Level.high) == 7
    made = pair.fn("level_make")(1)
    assert type(made) is pair.o.Level and made == pair.o.Level.low


def test_outside_call_by_value_and_into_objects(pair):
    # Conversions in a C++ thread that takes the GIL (no call frame of the
    # user): an object by reference points into it; an enum by value is
    # copied before the temporary it may be served through dies.
    pair.expect("outside_call")
    if pair.point_owner:
        assert pair.u.point_sum_in_thread(pair.make()) == 3.0
        return
    for _ in range(10):
        assert pair.fn("describe_in_thread")(pair.make("t")) == "described t"
        assert pair.fn("level_value_in_thread")(pair.o.Level.high) == 7


def test_native_enum(pair):
    # pybind11 3.x's py::native_enum: the owner's Python type is a plain
    # enum.Enum (no pybind11 type behind it), exported by export_type<E>;
    # values go both ways as the owner's members themselves.
    pair.expect("native enum")
    if not (pair.owner.family == "pybind11" and pair.owner.major >= 3):
        not_applicable("owner without py::native_enum")
    import enum
    wild = pair.o.Mood.wild
    assert isinstance(wild, enum.Enum) and type(wild).__mro__[1] is enum.Enum
    assert pair.fn("mood_value")(wild) == 200  # (an unsigned 8-bit value)
    assert pair.fn("mood_value")(pair.o.Mood.calm) == 2
    assert pair.fn("mood_make")(2) is pair.o.Mood.calm
    assert pair.fn("mood_make")(200) is wild
    with pytest.raises(TypeError):
        pair.fn("mood_value")(2)  # a plain int is not a member (natively neither)


def test_outside_call_reference_to_enum(pair):
    # py::cast<const E&> in a C++ thread: a pybind11 enum is an instance
    # (the reference points into it); a nanobind enum is served through a
    # temporary that dies with the cast, so the reference is refused, as
    # pybind11 refuses its own temporaries outside a call.
    pair.expect("enum")
    if pair.user.family == "boost_python":
        not_applicable("boost_python user, enum reference")
    if pair.user.family != "pybind11":
        not_applicable("nanobind user, enum reference")
    f = pair.fn("level_ref_in_thread")
    if pair.owner.family == "pybind11":
        assert f(pair.o.Level.high) == 7
    else:
        with pytest.raises(TypeError, match="outside a bound call"):
            f(pair.o.Level.high)


def test_reference_return_outlives_the_first_wrapper(pair):
    # A reference return finds the existing wrapper (identity), which keeps
    # working after the name it was created under is gone; a reference to
    # a C++ static gets a new wrapper once the old one died, as natively.
    pair.expect("reference")
    obj = pair.make("first")
    echo = pair.u.point_echo if pair.point_owner else pair.fn("echo")
    again = echo(obj)
    pair.identity_expected_to_fail(pair.owner)
    assert again is obj
    del obj
    gc.collect()
    assert echo(again) is again
    if pair.point_owner:
        assert pair.u.point_sum(again) == 3.0
    else:
        assert pair.fn("describe")(again) == "described first"
    f = pair.u.point_favourite if pair.point_owner else pair.fn("favourite")
    fav = f()
    del fav
    gc.collect()
    fav = f()
    assert type(fav) is pair.owner_type()
    if not pair.point_owner:
        assert pair.fn("describe")(fav) == "described favourite"


def test_owner_type_lives_while_a_user_holds_its_object(pair):
    # A type the owner creates at run time (the C-API framework's
    # make_type): a user's std::shared_ptr keeps an instance, which keeps
    # the type (and so its binding) alive after every Python name of both
    # is gone; releasing it lets both die, and the binding goes with them.
    pair.expect("shared_ptr_arg")
    if not pair.point_owner:
        not_applicable("static owner types")
    make_type = pair.cpoint_module.make_type
    P = make_type("bbt_point")
    alive = weakref.ref(P)
    i = pair.u.point_keep(P(5, 6))
    del P
    gc.collect()
    assert alive() is not None and pair.u.point_kept_x(i) == 5.0
    pair.u.point_release_kept()
    gc.collect()
    assert alive() is None
    assert pair.u.point_sum(pair.make()) == 3.0       # the suite's own type still converts


def test_implicit_conversion_from_foreign(pair):
    # The user's own class Tag has an implicit conversion from the owner's
    # type (the framework's implicitly_convertible, nanobind's
    # init_implicit, bindbridge::implicitly_convertible): a Tag parameter
    # takes the owner's object through Tag's constructor, as the user's
    # framework does for its own types; nothing else converts.
    pair.expect("implicit conversion")
    if pair.point_owner:
        assert pair.u.point_tag_sum(pair.make()) == 3.0
        assert pair.u.point_tag_sum(pair.u.PointTag(pair.make())) == 3.0
        with pytest.raises(TypeError):
            pair.u.point_tag_sum(None)
        return
    pet = pair.make("a")
    assert pair.fn("tag_text")(pet) == "tag a"
    assert pair.fn("badge_text")(pet) == "badge a"
    assert pet.name == "a"
    tag = getattr(pair.u, "Tag%d" % pair.o.ID)(pet)
    assert pair.fn("tag_text")(tag) == "tag a"
    for bad in (None, 42, pair.o.Circle(1.0)):
        with pytest.raises(TypeError):
            pair.fn("tag_text")(bad)
        with pytest.raises(TypeError):
            pair.fn("badge_text")(bad)


def test_pure_c_type_by_python_type(pair):
    # The C build of the C-API framework publishes its point without C++
    # RTTI; the user maps a C++ struct of its own to it by its Python type
    # (IMPORT_AS(VCPoint, "bbtest_c.bbt_point")): arguments zero-copy,
    # returns by copy and by take_ownership (the C owner gets a copy: it
    # frees what it owns with free()); the C++ build's point is refused.
    pair.expect("pure C")
    if not pair.point_owner:
        not_applicable("owner with C++ RTTI, pure C")
    p = pair.c_point(1, 2)
    assert pair.u.cpoint_sum(p) == 3.0
    pair.u.cpoint_scale(p, 2)
    assert pair.c_module.point_xy(p) == (2.0, 4.0)
    made = pair.u.cpoint_make(3, 4)
    assert type(made) is pair.c_point and pair.c_module.point_xy(made) == (3.0, 4.0)
    owned = pair.u.cpoint_owned(5, 6)
    assert type(owned) is pair.c_point and pair.c_module.point_xy(owned) == (5.0, 6.0)
    with pytest.raises(TypeError):
        pair.u.cpoint_sum(pair.make())


def test_wrong_type_refused(pair):
    pair.expect("wrong_type")
    f = pair.u.point_sum if pair.point_owner else pair.fn("describe")
    with pytest.raises(TypeError):
        f(42)


class _Patient:
    """A plain Python object a keep_alive ties to a foreign nurse."""


def test_keep_alive_foreign_nurse(pair):
    # py::keep_alive<1, 2> / nb::keep_alive<1, 2>: the user's annotation,
    # the nurse the owner's object (which may take no weakref): tied
    # through the owner's framework, released when the nurse dies.
    pair.expect("keep_alive")
    if pair.point_owner:
        nurse, patient = pair.make(), _Patient()
        pair.u.point_hold(nurse, patient)
    else:
        nurse, patient = pair.make("n"), _Patient()
        pair.fn("hold")(nurse, patient)
    held = [nurse, patient]
    del nurse, patient
    assert tied(held) == (True, True)


def test_keep_alive_foreign_result_nurse(pair):
    # keep_alive<0, 2>: the nurse is the new foreign result.
    pair.expect("keep_alive")
    patient = _Patient()
    clone = pair.u.point_clone_holding if pair.point_owner else pair.fn("clone_holding")
    result = clone(pair.make("r"), patient)
    assert type(result) is pair.owner_type()
    held = [result, patient]
    del result, patient
    assert tied(held) == (True, True)


# --- class hierarchies: users import only the owner's base VShape<N> -------

def test_hierarchy_shared_ptr_return_is_most_derived(pair):
    pair.expect("hierarchy")
    c = pair.fn("shape_circle_shared")(2.0)
    assert type(c) is pair.o.Circle and c.r == 2.0 and c.kind() == "circle"


def test_hierarchy_unique_ptr_return_is_most_derived(pair):
    pair.expect("hierarchy")
    c = pair.fn("shape_circle_unique")(3.0)
    assert type(c) is pair.o.Circle and c.r == 3.0
    del c
    gc.collect()


def test_hierarchy_identity_through_base(pair):
    pair.expect("hierarchy")
    c = pair.o.Circle(1.0)
    pair.fn("shape_add")(c)
    try:
        scene = pair.fn("shape_scene")()
        assert len(scene) == 1 and type(scene[0]) is pair.o.Circle
    finally:
        pair.fn("shape_clear")()
    pair.identity_expected_to_fail(pair.owner)
    assert pair.fn("shape_echo")(c) is c
    pair.fn("shape_add")(c)
    try:
        scene = pair.fn("shape_scene")()
        assert len(scene) == 1 and scene[0] is c
    finally:
        pair.fn("shape_clear")()


def test_hierarchy_python_override(pair):
    pair.expect("hierarchy")

    class Hexagon(pair.o.Shape):
        def kind(self):
            return "hexagon"

    h = Hexagon()
    assert pair.fn("shape_kind")(h) == "hexagon"
    assert pair.fn("shape_kind")(pair.o.Circle(1.0)) == "circle"
    assert pair.fn("shape_echo")(h) is h


def test_hierarchy_isinstance(pair):
    pair.expect("hierarchy")
    assert pair.fn("shape_isinstance")(pair.o.Circle(1.0))
    assert not pair.fn("shape_isinstance")(pair.o.Pet("a"))


def test_hierarchy_base_bound_elsewhere(pair):
    # The user binds Tri<N>, deriving from the owner's VShape<N>, without a
    # base (its framework cannot have a foreign one) and exports it with
    # export_type<Tri, VShape<N>>: the owner's own functions and the
    # user's take it as a VShape<N> and return it as itself.
    pair.expect("hierarchy")
    pair.fn("tri_export")(pair.u)
    tri = getattr(pair.u, "Tri%d" % pair.o.ID)()
    owner_fn = getattr(pair.o, "p%d_shape_kind" % pair.o.ID)
    assert owner_fn(tri) == "triangle"
    assert pair.fn("shape_kind")(tri) == "triangle"
    assert type(pair.fn("shape_echo")(tri)) is type(tri)
    pair.identity_expected_to_fail(pair.user)  # (the user owns the Tri)
    assert getattr(pair.o, "p%d_shape_echo" % pair.o.ID)(tri) is tri
    assert pair.fn("shape_echo")(tri) is tri


def test_unique_ptr_argument_takes_ownership(pair):
    # An object the owner made in C++ (take_ownership), passed to the
    # user's std::unique_ptr<T> parameter: ownership moves where the owner
    # gives objects up natively (nanobind; pybind11 3.x py::smart_holder),
    # and the object then behaves as the owner's own relinquished ones.
    # Classic pybind11 holders cannot: a TypeError, the object untouched.
    pair.expect("unique_ptr_arg")
    pair.user_lacks_unique_ptr()
    obj = getattr(pair.o, "p%d_make_owned" % pair.o.ID)("u")
    own_describe = getattr(pair.o, "p%d_describe" % pair.o.ID)
    if pair.gives_up_nothing():
        with pytest.raises(TypeError):
            pair.fn("take_unique")(obj)
        assert own_describe(obj) == "described u" and pair.fn("describe")(obj) == "described u"
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # nanobind warns on a relinquished instance, natively
        assert pair.fn("take_unique")(obj) == "took u"
        with pytest.raises((TypeError, ValueError)):
            own_describe(obj)
        with pytest.raises((TypeError, ValueError)):
            pair.fn("describe")(obj)
    del obj
    gc.collect()


def test_unique_ptr_argument_given_back_when_the_call_fails(pair):
    # A later argument does not convert: the call does not happen, and the
    # object (given up already by pybind11 users, which load arguments in
    # order) belongs to Python again.
    pair.expect("unique_ptr_arg")
    pair.user_lacks_unique_ptr()
    if pair.owner.family == "boost_python":
        not_applicable("boost_python owner, unique_ptr_arg")
    if pair.owner.family == "pybind11" and not pair.owner.smart_holder:
        not_applicable("classic holder, unique_ptr_arg")
    obj = getattr(pair.o, "p%d_make_owned" % pair.o.ID)("g")
    with pytest.raises(TypeError):
        pair.fn("take_unique_int")(obj, "not an int")
    assert getattr(pair.o, "p%d_describe" % pair.o.ID)(obj) == "described g"
    assert pair.fn("take_unique_int")(obj, 1) == "took g"


def test_unique_ptr_argument_refused_while_shared(pair):
    # An object the owner's own std::shared_ptr also holds cannot be given
    # up (natively neither): TypeError, and it stays usable.
    pair.expect("unique_ptr_arg")
    pair.user_lacks_unique_ptr()
    if pair.owner.family == "boost_python":
        not_applicable("boost_python owner, unique_ptr_arg")
    if not pair.owner.smart_holder:
        pytest.xfail(XFAIL_REASONS["owner counts no shared owners, unique_ptr_arg"])
    obj = getattr(pair.o, "p%d_make_owned" % pair.o.ID)("s")
    i = getattr(pair.o, "p%d_keep" % pair.o.ID)(obj)   # the owner's own shared_ptr
    try:
        with pytest.raises(TypeError):
            pair.fn("take_unique")(obj)
        assert pair.fn("describe")(obj) == "described s"
        assert getattr(pair.o, "p%d_kept_name" % pair.o.ID)(i) == "s"
    finally:
        getattr(pair.o, "p%d_release_kept" % pair.o.ID)()
    # the user's std::shared_ptr shares the owner's holder: the owner's own
    # std::unique_ptr parameter refuses the object while the user keeps it
    obj = getattr(pair.o, "p%d_make_owned" % pair.o.ID)("t")
    j = pair.fn("keep")(obj)
    try:
        with pytest.raises(ValueError, match="use_count"):
            getattr(pair.o, "p%d_take_unique" % pair.o.ID)(obj)
        assert pair.fn("kept_name")(j) == "t"
    finally:
        pair.fn("release_kept")()
    assert getattr(pair.o, "p%d_take_unique" % pair.o.ID)(obj) == "took t"


def test_parity_rows_name_real_proofs():
    # Every scenario a PARITY row names is a scenario here, every test file
    # exists, and only a row without proof gives its reason in place of one.
    root = HERE.parent.parent
    scenarios = {name[len("test_"):] for name in globals() if name.startswith("test_")}
    for feature, _, ours, proof in PARITY:
        if proof is None:
            assert ours.startswith("not yet"), feature
        elif isinstance(proof, str):
            assert (root / proof).is_file(), (feature, proof)
        else:
            missing = [p for p in proof if p not in scenarios]
            assert not missing, (feature, missing)
