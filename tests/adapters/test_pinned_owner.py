"""tests/adapters/test_pinned_owner.py: which framework's Python type a return gets when several publish the C++ type.

bbtest_cpp and bbtest_cpp2 (the C-API framework, C++ builds) each publish
bbt_point under a Python type of their own.  bb_pinned_pybind11 and
bb_pinned_nanobind import bbt_point with IMPORT_AS(bbt_point,
"bbtest_cpp2.Pinned"): their returns go to that type whenever it is
published, whatever the order and whatever else is loaded.  bb_nanobind
imports bbt_point without a pin: its returns go to the first binding
published (of those alive).
"""

from __future__ import annotations

import pytest

from conftest import check_script


SCRIPT = """
import gc
import bbtest_cpp as a, bbtest_cpp2 as b
import bb_pinned_pybind11 as pp, bb_pinned_nanobind as pn, bb_nanobind as nb
if %(pinned_first)r:
    P = b.make_type("Pinned"); O = a.make_type("Other")
else:
    O = a.make_type("Other"); P = b.make_type("Pinned")
out = []
for m in (pp, pn):
    out.append((type(m.make(3, 4)).__name__, type(m.favourite()).__name__,
                m.sum(O(x=1, y=2)), m.sum(P(x=2, y=3))))
out.append(type(nb.point_make(1, 2)).__name__)
L = a.make_type("Late")               # an exporter loaded later changes nothing
out.append(tuple(type(m.make(1, 1)).__name__ for m in (pp, pn)))
out.append(type(nb.point_make(1, 2)).__name__)
del P; gc.collect()                   # the pinned type dies: the others serve
out.append(tuple(type(m.make(1, 1)).__name__ for m in (pp, pn)))
print(repr(out))
"""


@pytest.mark.parametrize("pinned_first", [True, False])
def test_pinned_owner_wins_whatever_the_order(pinned_first):
    out = eval(check_script(SCRIPT % {"pinned_first": pinned_first}))
    pinned, unpinned_first = out[0], out[2]
    assert pinned == ("Pinned", "Pinned", 3.0, 5.0), out
    assert out[1] == ("Pinned", "Pinned", 3.0, 5.0), out
    assert out[3] == ("Pinned", "Pinned"), out
    # Unpinned: the first published, and a later exporter changes nothing.
    first = "Pinned" if pinned_first else "Other"
    assert unpinned_first == first and out[4] == first, out
    assert out[5] == ("Other", "Other"), out


# IMPORT_AS(Pet, "bb_nanobind.Pet") in bb_pybind11: the first time Pet is
# needed and nothing publishes it, bb_nanobind is imported.
def test_pinned_owner_imported_on_demand_for_a_return():
    out = check_script("""
import sys, bb_pybind11
assert "bb_nanobind" not in sys.modules
p = bb_pybind11.pet_make_owned("rex")
print(type(p).__module__, type(p).__name__, p.name, "bb_nanobind" in sys.modules)
""")
    assert out.split() == ["bb_nanobind", "Pet", "rex", "True"], out


def test_pinned_owner_imported_on_demand_for_an_argument():
    out = check_script("""
import sys, bb_pybind11
try:
    bb_pybind11.pet_describe(42)
except TypeError:
    print("refused", "bb_nanobind" in sys.modules)
import bb_nanobind
print(bb_pybind11.pet_describe(bb_nanobind.Pet("rex", "woof")))
""")
    assert out.splitlines()[0] == "refused True", out


def test_failed_on_demand_import_is_named_in_the_error():
    out = check_script("""
import sys
sys.modules["bb_nanobind"] = None     # importing it fails
import bb_pybind11
for attempt in range(2):              # tried once; the reason stays
    try:
        bb_pybind11.pet_make_owned("rex")
    except TypeError as e:
        print(str(e.__cause__ or e))
""")
    lines = out.splitlines()
    assert len(lines) == 2 and lines[0] == lines[1], out
    assert "IMPORT_AS names bb_nanobind.Pet (importing bb_nanobind failed: ModuleNotFoundError" in lines[0], out


def test_no_on_demand_import_during_module_init():
    out = check_script("""
import sys, bb_pinned_pybind11 as pp
print("bbtest_cpp2" in sys.modules)
print(pp.at_init)
""")
    first, second = out.splitlines()[:2]
    assert first == "False", out
    assert "IMPORT_AS names bbtest_cpp2.Pinned (import its module first)" in second, out
