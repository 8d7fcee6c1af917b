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
