"""tests/versions/test_bridges.py: bindbridge.bridge() lets bindbridge importers take and return the types of unmodified pybind11 and nanobind modules.

plain_* (plain_module.cpp) bind VPet<7>, VShape<7> / VCircle<7> with
std::shared_ptr holders and the enum VLevel<7>::E, with no bindbridge code.
The owner of VPet<7> with bindbridge (bbv_nb310) is not loaded.  Before
bridge() no importer can return a VPet<7> (nothing publishes it); after
it, the bridge of the plain module's pybind11 or nanobind internals (the
package's _bridge_pybind11_v<N>, _bridge_nanobind_v22) publishes every
type there, and the importers take and return the plain module's
objects: arguments in place, returns by value (a copy the importer makes
for pybind11, nanobind's own copy), by reference (the same object), with
take_ownership and as std::shared_ptr, polymorphic returns as the derived
class, pybind11's enums both ways (nanobind's are not bridged).

An importer that shares a plain module's internals (the same internals
version and ABI) uses pybind11 natively there: those pairs are left out.
"""

from __future__ import annotations

import pytest

from conftest import VERSION_MODULES as MODULE_DIR, run_script, skip_without_boost_python
from test_conduit_consumed import REFUSES_WRONG
from test_sizes import REFUSED_AS_ANOTHER_SIZE

# The importers of VPet<7> (matrix.DEFAULT, BOOST_PYTHON) and the internals
# version each uses itself, which bridge() attaches too (None: neither
# pybind11 nor nanobind).
IMPORTERS = {"bbv_pb2104": 4, "bbv_pb2136": 5, "bbv_pb304": 11, "bbv_pb310": 12,
             "bbv_nb292": 16, "bbv_nb2150": 21, "bbv_bp174": None}
# The unmodified modules and their internals (matrix.PLAIN).
# (pybind11's are v4-v12, nanobind's v16-v22: 3.0 and 3.1 share v22.)
PLAINS = {"plain_pb2104": 4, "plain_pb2136": 4, "plain_pb2136_v5": 5, "plain_pb304": 11,
          "plain_pb310": 12, "plain_nb292": 16, "plain_nb2110": 18, "plain_nb2150": 21,
          "plain_nb310": 22, "plain_nb301": 22}
NANOBIND_PLAINS = {p for p in PLAINS if p.startswith("plain_nb")}
PAIRS = [(u, p) for u in IMPORTERS for p in PLAINS if IMPORTERS[u] != PLAINS[p]]

PROMISE = "bindbridge.assume_pybind11_2x_string_abi(1)"

SCRIPT = """
import gc, sys, warnings
sys.path.insert(0, %(dir)r)
warnings.simplefilter("error")
import bindbridge, %(user)s as user, %(plain)s as plain
%(promise)s
assert "bbv_nb310" not in sys.modules
p = plain.Pet("rex")
try:
    user.p7_clone(p)
    print("returned before bridge()")
except TypeError:
    pass
attached = bindbridge.bridge()
print(sorted(b.module.rsplit("_", 1)[1] for b in attached))
print(user.p7_describe(p))
user.p7_rename(p, "max")
print(p.name)                                   # in place
print(user.p7_by_value(p), user.p7_ptr_name(p))
c = user.p7_clone(p)                            # by value: the importer's copy
print(type(c) is plain.Pet, c.name)
o = user.p7_make_owned("own")                   # take_ownership
print(type(o) is plain.Pet, o.name)
print(user.p7_echo(p) is p)                     # reference: the same object
f = user.p7_favourite()
print(type(f) is plain.Pet, f.name)
s = user.p7_make_shared("sh")                   # std::shared_ptr<T> returned
print(type(s) is plain.Pet, s.name)
i = user.p7_keep(plain.Pet("kept"))             # std::shared_ptr<T> taken
gc.collect()
print(user.p7_kept_name(i))
user.p7_release_kept()
print(user.p7_shape_kind(plain.Circle(1.0)))   # a Circle as its Shape
sc = user.p7_shape_circle_shared(2.0)           # shared_ptr<Shape> holding a Circle
print(type(sc) is plain.Circle, sc.r)
user.p7_shape_add(plain.Circle(3.0))
print([type(x) is plain.Circle for x in user.p7_shape_scene()])
user.p7_shape_clear()
%(enums)s
%(refuses_wrong)s
print("end")
"""

ENUMS = """
low = user.p7_level_make(1)                     # (pybind11 2.x makes a new enum object)
print(user.p7_level_value(plain.Level.high), type(low) is plain.Level and low == plain.Level.low,
      plain.level_value(user.p7_level_make(7)))
"""
# nanobind records no size for an enum: a nanobind bridge leaves enums out
# (nanobind/bridge.h), and they pass neither way.
ENUMS_NOT_BRIDGED = """
for call in (lambda: user.p7_level_value(plain.Level.high), lambda: user.p7_level_make(1)):
    try:
        call()
        print("enum passed")
    except TypeError:
        print("enum refused")
"""


def _expected(plain):
    enums = ["enum refused", "enum refused"] if plain in NANOBIND_PLAINS else ["7 True 7"]
    return [str(["v%d" % PLAINS[plain]]), "described rex", "max", "by value max pointer max",
            "True max (clone)", "True own", "True", "True favourite", "True sh", "kept", "circle",
            "True 2.0", "[True]"] + enums + ["end"]


def _run(script, user):
    if user == "bbv_bp174" and not list(MODULE_DIR.glob("bbv_bp174.*")):
        skip_without_boost_python("bbv_bp174")
    return run_script(script)


@pytest.mark.parametrize("user,plain", PAIRS)
def test_importer_takes_and_returns_an_unmodified_modules_types(user, plain):
    enums = ENUMS_NOT_BRIDGED if plain in NANOBIND_PLAINS else ENUMS
    result = _run(SCRIPT % {"dir": str(MODULE_DIR), "user": user, "plain": plain, "promise": PROMISE,
                            "enums": enums, "refuses_wrong": REFUSES_WRONG}, user)
    assert result.returncode == 0 and result.stderr == "", result.describe()
    out = result.stdout.splitlines()
    # An importer of pybind11 or nanobind attaches the bridge of its own
    # internals too.
    if IMPORTERS[user] is not None:
        own = "v%d" % IMPORTERS[user]
        out[0] = str(sorted(v for v in eval(out[0]) if v != own))
    assert out == _expected(plain), result.describe()


def test_bridges_of_this_build():
    result = run_script("""
import sys, bindbridge
print([(b.module, b.framework, b.attached, b.types) for b in bindbridge.bridges()])
print([b.internals.split("_")[2:4] for b in bindbridge.bridges()])
""")
    assert result.returncode == 0 and result.stderr == "", result.describe()
    expected = [("bindbridge._bridge_pybind11_v%s" % v, "pybind11", None, 0) for v in ("4", "5", "11", "12")]
    expected += [("bindbridge._bridge_nanobind_v%d" % v, "nanobind", None, 0) for v in range(16, 23)]
    keys = [["pybind11", "internals"]] * 4 + [["nb", "internals"]] * 7
    assert result.stdout.splitlines() == [str(expected), str(keys)], result.describe()


CREATES = """
import builtins, sys
sys.path.insert(0, %(dir)r)
import bindbridge
from bindbridge import _diag
%(imports)s
def keys():
    return set(vars(builtins)) | set(_diag.interpreter_dict_keys())
before = keys()
print(bindbridge.bridge())
print(sorted(k for k in keys() - before if k.startswith(("__pybind11_internals", "__nb_internals"))))
print(sorted(keys() - before) if not bindbridge.bridge() else "attached")
"""


def test_a_bridge_whose_internals_are_absent_creates_nothing():
    result = run_script(CREATES % {"dir": str(MODULE_DIR), "imports": ""})
    assert result.returncode == 0 and result.stderr == "", result.describe()
    # nothing attached, no internals made, no registry: only the note that
    # bridge() was called (the callable a miss asks, no capsule)
    assert result.stdout.splitlines() == ["[]", "[]", "['__bindbridge_bridge_refresh']"], \
        result.describe()


def test_only_the_bridge_of_existing_internals_attaches():
    result = run_script(CREATES % {"dir": str(MODULE_DIR), "imports": "import plain_pb304"})
    assert result.returncode == 0 and result.stderr == "", result.describe()
    lines = result.stdout.splitlines()
    assert "_bridge_pybind11_v11" in lines[0] and "_v4'" not in lines[0] and "_v12'" not in lines[0], \
        result.describe()
    assert lines[1:] == ["[]", "attached"], result.describe()


def test_only_the_nanobind_bridge_of_existing_internals_attaches():
    result = run_script(CREATES % {"dir": str(MODULE_DIR), "imports": "import plain_nb310"})
    assert result.returncode == 0 and result.stderr == "", result.describe()
    lines = result.stdout.splitlines()
    assert "_bridge_nanobind_v22" in lines[0] and "_bridge_pybind11" not in lines[0], result.describe()
    assert lines[1:] == ["[]", "attached"], result.describe()


def test_pybind11_2x_internals_wait_for_the_string_abi_promise():
    result = run_script("""
import sys, warnings
sys.path.insert(0, %r)
import bindbridge, bbv_nb2150 as user, plain_pb2104 as plain
def pybind11_bridges(attached):        # (the importer's own nanobind internals attach too)
    return [b.module for b in attached if b.framework == "pybind11"]
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    print(pybind11_bridges(bindbridge.bridge()))
print([str(w.message).split(":")[0] for w in caught])
print(["assume_pybind11_2x_string_abi(1)" in str(w.message) for w in caught])
print([b.refused is not None for b in bindbridge.bridges() if b.module.endswith("_v4")])
try:
    user.p7_clone(plain.Pet("rex"))
    print("returned")
except TypeError:
    print("refused")
bindbridge.assume_pybind11_2x_string_abi(0)        # not this bridge's ABI
print(pybind11_bridges(bindbridge.bridge()))
bindbridge.assume_pybind11_2x_string_abi(1)
print(pybind11_bridges(bindbridge.bridge()))
print(user.p7_clone(plain.Pet("rex")).name)
""" % str(MODULE_DIR))
    assert result.returncode == 0, result.describe()
    lines = result.stdout.splitlines()
    assert lines[:5] == ["[]", "['bindbridge.bridge()']", "[True]", "[True]", "refused"], \
        result.describe()
    assert lines[5:] == ["[]", "['bindbridge._bridge_pybind11_v4']", "rex (clone)"], result.describe()


def test_calling_it_again_publishes_types_registered_since():
    result = run_script("""
import sys
sys.path.insert(0, %r)
import bindbridge, plain_pb304
(first,) = bindbridge.bridge()
import bbv_pb304                          # a module of the same internals, later
print(bindbridge.binding_of(bbv_pb304.Tag7) is None)
(second,) = bindbridge.bridge()
print(first.module == second.module, second.types > first.types)
b = bindbridge.binding_of(bbv_pb304.Tag7)
print(b is not None and b.python_type is bbv_pb304.Tag7)
(third,) = bindbridge.bridge()            # idempotent
print(third == second, len(bindbridge.bindings()) == len(set(bindbridge.bindings())))
""" % str(MODULE_DIR))
    assert result.returncode == 0 and result.stderr == "", result.describe()
    assert result.stdout.splitlines() == ["True", "True True", "True", "True True"], result.describe()


def test_a_miss_asks_the_bridges_again_after_an_import():
    # bridge() once, before any plain module exists: a return and an
    # argument that miss later ask the bridges by themselves.
    result = run_script("""
import sys
sys.path.insert(0, %r)
import bindbridge, bbv_nb2150 as user
bindbridge.assume_pybind11_2x_string_abi(1)
print([b.module for b in bindbridge.bridge()])  # (the importer's own nanobind internals)
import plain_pb310
o = user.p7_make_owned("own")                   # a return with no owner: v12 attaches
print(type(o) is plain_pb310.Pet, o.name)
import plain_pb2104                             # no conduit: only its bridge passes its Pet
print(user.p7_describe(plain_pb2104.Pet("rex")))
print(sorted(b.module.rsplit("_", 1)[1] for b in bindbridge.bridges() if b.attached))
""" % str(MODULE_DIR))
    assert result.returncode == 0 and result.stderr == "", result.describe()
    assert result.stdout.splitlines() == ["['bindbridge._bridge_nanobind_v21']", "True own",
                                          "described rex", "['v12', 'v21', 'v4']"], \
        result.describe()


def test_without_bridge_a_miss_stays_a_miss():
    result = run_script("""
import sys
sys.path.insert(0, %r)
import bindbridge, bbv_nb2150 as user, plain_pb2104 as plain
bindbridge.assume_pybind11_2x_string_abi(1)
for call in (lambda: user.p7_describe(plain.Pet("rex")), lambda: user.p7_make_owned("own")):
    try:
        call()
        print("passed")
    except TypeError:
        print("TypeError")
print([b.attached for b in bindbridge.bridges()])
""" % str(MODULE_DIR))
    assert result.returncode == 0 and result.stderr == "", result.describe()
    assert result.stdout.splitlines() == ["TypeError", "TypeError", str([None] * 11)], \
        result.describe()


@pytest.mark.parametrize("user", ["bbv_nb2150", "bbv_pb2136", "bbv_bp174"])
def test_a_type_of_another_size_is_refused(user):
    # plain_pb310_big's VPet<7> has one member more than the importers':
    # pybind11 recorded its size, and no route hands it over as theirs
    # (the bridge's binding, nor the class's own pybind11 conduit).
    result = _run("""
import sys
sys.path.insert(0, %r)
import bindbridge, %s as user, plain_pb310_big as plain
bindbridge.assume_pybind11_2x_string_abi(1)      # (bbv_pb2136's own internals are v5)
print([b.module for b in bindbridge.bridge() if b.module.endswith("_v12")])
pet = plain.Pet("rex")
%s
print(user.p7_shape_kind(plain.Circle(1.0)))    # the same Circle and Shape: they pass
""" % (str(MODULE_DIR), user, REFUSED_AS_ANOTHER_SIZE), user)
    assert result.returncode == 0 and result.stderr == "", result.describe()
    lines = result.stdout.splitlines()
    assert lines[:4] == ["['bindbridge._bridge_pybind11_v12']", "refused", "refused", "refused"], \
        result.describe()
    assert "plain_pb310_big.Pet binds a C++ VPet<7> of 40 bytes, this module's has 32" in lines[4], \
        result.describe()
    assert lines[5:] == ["circle"], result.describe()
