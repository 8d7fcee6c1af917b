"""tests/nanobind/test_c_api_peer.py: nanobind <-> the C++ C-API test framework."""

from __future__ import annotations

import pytest

import bbtest_cpp
import bb_nanobind as nbm

CPoint = bbtest_cpp.make_type("bbt_point")


def test_nanobind_takes_c_api_object_zero_copy():
    p = CPoint(3, 4)
    assert nbm.point_sum(p) == 7.0
    nbm.point_scale(p, 2)
    assert (p.x, p.y) == (6.0, 8.0)


def test_nanobind_returns_through_an_owner():
    # nanobind does not bind bbt_point: the value goes to the first owner that
    # published it (the C-API framework here, or pybind11's PbPoint when that
    # module was imported first).
    r = nbm.point_make(1, 2)
    assert (r.x, r.y) == (1.0, 2.0)
    assert type(r).__name__ in ("bbt_point", "PbPoint")


def test_wrong_type():
    with pytest.raises(TypeError):
        nbm.point_sum(nbm.Pet("x"))


def test_c_api_takes_nanobind_object():
    from conftest import check_script
    check_script("""
import bbtest_cpp, bb_nanobind as nbm
nbm.bind_point()
q = nbm.NbPoint(); q.x = 7; q.y = 8
assert bbtest_cpp.point_xy(q, "bbt_point") == (7.0, 8.0)
q.x = 70
assert bbtest_cpp.point_xy(q, "bbt_point") == (70.0, 8.0)   # same memory
for policy in ("COPY", "MOVE", "TAKE_OWNERSHIP"):
    obj, is_new = bbtest_cpp.to_foreign("bbt_point", 1.5, 2.5, getattr(bbtest_cpp, policy))
    assert type(obj) is nbm.NbPoint and (obj.x, obj.y) == (1.5, 2.5) and is_new == 1, policy
a, na = bbtest_cpp.to_foreign("bbt_point", 1, 1, bbtest_cpp.REFERENCE, 3)
b, nb_ = bbtest_cpp.to_foreign("bbt_point", 1, 1, bbtest_cpp.REFERENCE, 3)
assert a is b and (na, nb_) == (1, 0)
class Payload: pass
import gc, weakref
payload = Payload(); alive = weakref.ref(payload)
nurse = nbm.NbPoint()
assert bbtest_cpp.keep_alive_via(nurse, payload) is True
del payload; gc.collect(); assert alive() is not None
del nurse; gc.collect(); assert alive() is None
""")
