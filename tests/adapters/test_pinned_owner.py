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
