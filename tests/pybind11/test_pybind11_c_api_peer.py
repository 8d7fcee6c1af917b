"""tests/pybind11/test_c_api_peer.py: pybind11 <-> the C++ C-API test framework, both directions."""

from __future__ import annotations

import gc

import pytest

import bbtest_cpp
import bb_pybind11 as pb

CPoint = bbtest_cpp.make_type("bbt_point")


def test_pybind11_takes_c_api_object_by_reference_zero_copy():
    p = CPoint(3, 4)
    assert pb.point_sum(p) == 7.0
    pb.point_scale(p, 2)  # bbt_point& : mutation visible
    assert (p.x, p.y) == (6.0, 8.0)


def test_native_binding_first():
    # bb_pybind11 binds bbt_point itself (PbPoint): its own objects stay native.
    q = pb.PbPoint(1, 2)
    assert pb.point_sum(q) == 3.0
    r = pb.point_make(5, 6)
    assert type(r) is pb.PbPoint  # returns use the native binding


def test_c_api_takes_pybind11_object():
    q = pb.PbPoint(7, 8)
    assert bbtest_cpp.point_xy(q, "bbt_point") == (7.0, 8.0)
    q.x = 70
    assert bbtest_cpp.point_xy(q, "bbt_point") == (70.0, 8.0)  # same memory


@pytest.mark.parametrize("policy", ["COPY", "MOVE", "TAKE_OWNERSHIP"])
def test_pybind11_serves_to_python(policy):
    binding_owner = [f for s, f in bbtest_cpp.foreign_bindings() if s == "bbt_point"]
    assert binding_owner and binding_owner[0].startswith("pybind11")
    obj, is_new = bbtest_cpp.to_foreign("bbt_point", 1.5, 2.5, getattr(bbtest_cpp, policy))
    assert type(obj) is pb.PbPoint and (obj.x, obj.y) == (1.5, 2.5) and is_new == 1


def test_pybind11_serves_reference_with_identity_and_none_policy():
    a, new_a = bbtest_cpp.to_foreign("bbt_point", 1, 1, bbtest_cpp.REFERENCE, 7)
    b, new_b = bbtest_cpp.to_foreign("bbt_point", 1, 1, bbtest_cpp.REFERENCE, 7)
    c, new_c = bbtest_cpp.to_foreign("bbt_point", 0, 0, bbtest_cpp.NONE, 7)
    assert a is b is c and (new_a, new_b, new_c) == (1, 0, 0)
    del a, b, c
    gc.collect()
    assert bbtest_cpp.to_foreign("bbt_point", 0, 0, bbtest_cpp.NONE, 7) is None


def test_pybind11_serves_keep_alive():
    import weakref

    class Payload:
        pass

    nurse = pb.PbPoint(0, 0)
    payload = Payload()
    alive = weakref.ref(payload)
    assert bbtest_cpp.keep_alive_via(nurse, payload) is True
    del payload
    gc.collect()
    assert alive() is not None
    del nurse
    gc.collect()
    assert alive() is None


def test_wrong_type_is_a_type_error():
    with pytest.raises(TypeError, match="incompatible function arguments"):
        pb.point_sum("not a point")
    with pytest.raises(TypeError):
        bbtest_cpp.point_xy(pb.Toy("ball"), "bbt_point")
