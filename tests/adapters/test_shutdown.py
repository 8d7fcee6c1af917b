"""tests/adapters/test_shutdown.py: interpreter exit with the adapters loaded: exit 0, nothing on stderr.

nanobind's leak warnings stay on: a leak we cause is a failure.
"""

from __future__ import annotations

import itertools

import pytest

from conftest import check_script

MODULES = ["bb_nanobind", "bb_pybind11", "bbtest_cpp"]


@pytest.mark.parametrize("order", list(itertools.permutations(MODULES)),
                         ids=lambda o: "-".join(m.replace("bb_", "").replace("bbtest_", "c")
                                                for m in o))
def test_exit_with_live_cross_framework_objects(order):
    check_script("\n".join("import " + m for m in order) + """
import bb_nanobind as nbm, bb_pybind11 as pbm, bbtest_cpp
P = bbtest_cpp.make_type("bbt_point")
pet = nbm.Pet("Rex", "woof")
toy = pbm.Toy("ball")
pbm.pet_describe(pet); nbm.toy_describe(toy)
fav = pbm.pet_favourite()            # reference into C++ static, owned by nanobind's wrapper
clone = nbm.toy_clone(toy)           # pybind11 object made for nanobind
house = pbm.PetHouse(); resident = house.resident()   # foreign reference_internal
pt = P(1, 2); pbm.point_sum(pt); nbm.point_sum(pt)
""")


def test_shared_ptrs_across_frameworks_released_by_atexit():
    check_script("""
import atexit
import bb_nanobind as nbm, bb_pybind11 as pbm
pbm.pet_keep(nbm.Pet("kept-by-pybind11"))
nbm.toy_keep(pbm.Toy("kept-by-nanobind"))
shared = nbm.toy_make_shared("shared")
atexit.register(pbm.pet_release_kept)
atexit.register(nbm.toy_release_kept)
""")


def test_binding_deleted_between_calls_then_exit():
    check_script("""
import gc
import bb_nanobind as nbm, bb_pybind11 as pbm
p = nbm.Pet("Rex")
assert pbm.pet_describe(p) == "described Rex"
del nbm.Pet.__pymetabind_binding__
try:
    pbm.pet_describe(p)
except TypeError:
    pass
else:
    raise AssertionError("removed binding still used")
nbm.reexport()
assert pbm.pet_describe(p) == "described Rex"
gc.collect()
""")
