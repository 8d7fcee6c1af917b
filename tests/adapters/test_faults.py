"""tests/adapters/test_faults.py: a foreign framework that misbehaves never crashes an adapter.

The C-API test framework can be told to raise from from_python or
to_python (against the spec) or to refuse keep_alive.
"""

from __future__ import annotations

import pytest

from conftest import check_script

PRELUDE = """
import gc
import bbtest_cpp, bb_nanobind as nbm, bb_pybind11 as pbm
CPoint = bbtest_cpp.make_type("bbt_point")
"""


@pytest.mark.parametrize("user", ["nbm", "pbm"])
def test_raising_from_python_is_a_clean_type_error(user):
    check_script(PRELUDE + """
p = CPoint(1, 2)
bbtest_cpp.set_fail_mode(1)
try:
    {user}.point_sum(p)
except TypeError as e:
    assert "incompatible function arguments" in str(e), e
else:
    raise AssertionError("accepted")
bbtest_cpp.set_fail_mode(0)
assert {user}.point_sum(p) == 3.0
""".format(user=user))


def test_raising_to_python_reaches_python_as_an_exception():
    check_script("""
import bbtest_cpp, bb_nanobind as nbm
CPoint = bbtest_cpp.make_type("bbt_point")
bbtest_cpp.set_fail_mode(2)
try:
    nbm.point_make(1, 2)   # nanobind does not bind bbt_point: the C-API framework owns it
except (TypeError, RuntimeError):
    pass
else:
    raise AssertionError("no exception")
bbtest_cpp.set_fail_mode(0)
assert nbm.point_make(1, 2).x == 1.0
""")


@pytest.mark.parametrize("mode", [0, 3], ids=["owner-keeps", "owner-refuses"])
def test_shared_ptr_return_kept_alive_by_owner_or_weakref(mode):
    # nanobind returns a shared_ptr<bbt_point> into the C-API framework: the
    # new wrapper must hold the shared_ptr (owner's keep_alive, or our
    # weakref fallback when the owner refuses) and drop it when it dies.
    check_script("""
import gc
import bbtest_cpp, bb_nanobind as nbm
CPoint = bbtest_cpp.make_type("bbt_point")
bbtest_cpp.set_fail_mode({mode})
r = nbm.point_shared(1, 2)
assert type(r) is CPoint and (r.x, r.y) == (1.0, 2.0)
gc.collect()
assert nbm.point_shared_alive()
del r
gc.collect()
assert not nbm.point_shared_alive()
bbtest_cpp.set_fail_mode(0)
""".format(mode=mode))


@pytest.mark.parametrize("mode", [4, 5], ids=["error-but-not-translated", "translated-without-error"])
@pytest.mark.parametrize("user", ["nbm", "pbm"])
def test_misbehaving_translate_exception_is_ignored(mode, user):
    # The C-API framework's translate_exception is asked first for an
    # exception neither framework registered; misbehaving, it must not turn
    # the error into garbage: the user's own default translation stands.
    check_script(PRELUDE + """
bbtest_cpp.set_fail_mode({mode})
try:
    {user}.raise_runtime_error("plain")
except RuntimeError as e:
    assert str(e) == "plain", e
else:
    raise AssertionError("no exception")
bbtest_cpp.set_fail_mode(0)
""".format(user=user, mode=mode))


@pytest.mark.parametrize("user", ["nbm", "pbm"])
def test_binding_removed_during_from_python_is_never_remembered(user):
    # The owner unpublishes the type (its binding is freed) inside the call
    # that accepts the object: that call may succeed, but the next object
    # of the type must not reach the freed binding through the fast path.
    check_script(PRELUDE + """
a, b = CPoint(1, 2), CPoint(3, 4)
bbtest_cpp.set_fail_mode(6)
assert {user}.point_sum(a) == 3.0
try:
    {user}.point_sum(b)
except TypeError:
    pass
else:
    raise AssertionError("a removed binding was used")
""".format(user=user))
