"""tests/adapters/test_pure_c.py: a C framework's struct, taken by its Python type (both adapters).

The C build of the C-API test framework (bbtest_c) publishes its point
with abi_lang C: no C++ RTTI, so no type_info to match.  bb_purec_pybind11
and bb_purec_nanobind map a C++ struct of their own to it by its Python
type: CPoint with IMPORT_AS(CPoint, "bbtest_c.bbt_point"), RPoint at run
time with import_type<RPoint>(type) (tests/common/purec_module.cpp).
"""

from __future__ import annotations

import gc
import importlib

import pytest

ADAPTERS = ["bb_purec_pybind11", "bb_purec_nanobind"]


@pytest.fixture(params=ADAPTERS)
def user(request):
    return importlib.import_module(request.param)


@pytest.fixture(scope="module")
def c():
    return importlib.import_module("bbtest_c")


@pytest.fixture(scope="module")
def Point(c):
    return c.make_type("bbt_point")


def test_arguments_zero_copy(user, c, Point):
    p = Point(1, 2)
    assert user.sum(p) == 3.0
    user.scale(p, 2)
    assert c.point_xy(p) == (2.0, 4.0)        # the C object itself changed
    assert user.by_value(p) == 24.0
    assert user.is_null(None) and not user.is_null(p)


def test_returns_by_every_policy(user, c, Point):
    made = user.make(3, 4)
    assert type(made) is Point and c.point_xy(made) == (3.0, 4.0)
    assert c.point_xy(user.owned(5, 6)) == (5.0, 6.0)   # a copy; the C++ object is deleted here
    assert c.point_xy(user.unique(1, 1)) == (1.0, 1.0)
    assert c.point_xy(user.shared(2, 2)) == (2.0, 2.0)
    assert user.favourite() is user.favourite() and c.point_xy(user.favourite()) == (7.0, 8.0)
    p = Point(1, 2)
    assert user.echo(p) is p


def test_shared_ptr_keeps_the_c_object_alive(user, c, Point):
    p = Point(9, 1)
    i = user.keep(p)
    del p
    gc.collect()
    assert user.kept_x(i) == 9.0
    user.release_kept()


def test_other_types_refused(user, c):
    cpp_point = importlib.import_module("bbtest_cpp").make_type("bbt_point")
    other = c.make_type("other_point")
    for bad in (cpp_point(1, 2), other(1, 2), 42):
        with pytest.raises(TypeError):
            user.sum(bad)


def test_run_time_mapping(user, c, Point):
    p = Point(1, 2)
    with pytest.raises(TypeError):
        user.rsum(p)                          # RPoint maps to nothing yet
    user.import_rpoint(Point)
    user.import_rpoint(Point)                 # again: harmless
    assert user.rsum(p) == 3.0
    assert type(user.rmake(1, 2)) is Point
    with pytest.raises(TypeError, match="mapped to bbtest_c.bbt_point already"):
        user.import_rpoint(int)
