"""tests/adapters/test_leak_safe.py: leak_safe is set where it is true, and leak warnings stay meaningful.

pymetabind's leak_safe flag says a framework frees all its types by
finalisation and leaves the registry; a framework with leak warnings (the
nanobind pull request's rule) mutes them for good as soon as one without
it joins.  bindbridge's nanobind records set it and leave the registry at
exit once their bindings are gone; its pybind11 records do not (pybind11
never frees its types).  The observer is the C-API test framework
(bbtest_cpp), which follows that rule (leak_warnings_muted_by()) and, with
BBT_REPORT_EXIT, reports who leaves the registry at exit.  It is imported
first, so its exit callback runs last.  nanobind's own leak warnings are on
throughout.
"""

from __future__ import annotations

import re

from conftest import VERSION_MODULES, run_script

PRELUDE = """
import sys
sys.path.insert(0, %r)
import bbtest_cpp, bindbridge
""" % str(VERSION_MODULES)

ENV = {"BBT_REPORT_EXIT": "1"}


def left_at_exit(stderr):
    return re.findall(r"^bbtest: at exit, (.*) left the registry$", stderr, re.M)


def test_nanobind_records_are_leak_safe_and_leave_at_exit():
    r = run_script(PRELUDE + """
import bbv_nb310, bbv_nb2150, bb_nanobind
P = bbtest_cpp.make_type("bbt_point")
pet = bbv_nb310.Pet("a")
assert getattr(bbv_nb2150, "p%d_describe" % bbv_nb310.ID)(pet) == "described a"      # a cross-version call, live at exit
assert bbv_nb310.point_sum(P(1, 2)) == 3.0
fws = {f.name: f.flags for f in bindbridge.frameworks() if "via bindbridge" in f.name}
assert len(fws) >= 2 and all("leak_safe" in flags for flags in fws.values()), fws
assert bbtest_cpp.leak_warnings_muted_by() is None, bbtest_cpp.leak_warnings_muted_by()
print(sorted(fws))
""", env=ENV)
    assert r.returncode == 0, r.describe()
    names = eval(r.stdout.strip().splitlines()[-1])
    # every bindbridge nanobind record left; nothing else on stderr (no
    # nanobind leak warning)
    assert sorted(left_at_exit(r.stderr)) == names, r.describe()
    assert r.stderr.count("\n") == len(names), r.describe()


def test_a_real_leak_still_warns_and_its_record_stays():
    # A deliberately leaked nanobind instance: nanobind warns (its warnings
    # are never muted by bindbridge), and the record whose type outlived
    # the interpreter does not leave the registry (the protocol's rule).
    r = run_script(PRELUDE + """
import ctypes
import bbv_nb310, bbv_nb2150
leaked = bbv_nb310.Pet("leaked")
ctypes.pythonapi.Py_IncRef(ctypes.py_object(leaked))
assert bbtest_cpp.leak_warnings_muted_by() is None
""", env=ENV)
    assert r.returncode == 0, r.describe()
    assert "nanobind: leaked 1 instances!" in r.stderr, r.describe()
    left = left_at_exit(r.stderr)
    assert not any(n.startswith("nanobind 3.1") for n in left), r.describe()
    assert any(n.startswith("nanobind 2.15") for n in left), r.describe()


def test_pybind11_records_are_not_leak_safe():
    r = run_script(PRELUDE + """
import bbv_nb310, bbv_pb310
flags = {f.name: f.flags for f in bindbridge.frameworks() if "via bindbridge" in f.name}
pb = [n for n in flags if n.startswith("pybind11")]
assert pb and all("leak_safe" not in flags[n] for n in pb), flags
muted = bbtest_cpp.leak_warnings_muted_by()
assert muted is not None and muted.startswith("pybind11 3.1"), muted
""", env=ENV)
    assert r.returncode == 0, r.describe()
    assert not any(n.startswith("pybind11") for n in left_at_exit(r.stderr)), r.describe()
