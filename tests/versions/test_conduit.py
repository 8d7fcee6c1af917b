"""tests/versions/test_conduit.py: unmodified pybind11 modules take exported objects through pybind11's cpp conduit.

plain_* bind VPet<7> with no bindbridge code; bbv_nb310 (nanobind 3.1)
exports its VPet<7> with a _pybind11_conduit_v1_ method.  No bindbridge
pybind11 adapter is loaded in these interpreters, so nothing but the
conduit can pass the object.
"""

from __future__ import annotations


import pytest

from conftest import VERSION_MODULES as MODULE_DIR, run_script


SCRIPT = """
import sys
sys.path.insert(0, %r)
import bindbridge, bbv_nb310, %s as plain
assert not [f for f in bindbridge.frameworks() if f.name.startswith("pybind11")]
%s
p = bbv_nb310.Pet("rex")
try:
    print(plain.describe(p))
    plain.rename(p, "max")
    print(p.name)
except TypeError:
    print("refused")
"""


# pybind11 2.x's id leaves the string ABI out: answered only once the user
# has said which one the process's 2.x modules use (and it is ours).
PROMISE = "bindbridge.assume_pybind11_2x_string_abi(1)"


@pytest.mark.parametrize("plain,promise", [("plain_pb304", ""), ("plain_pb2136", PROMISE)])
def test_unmodified_pybind11_accepts_exported_object(plain, promise):
    result = run_script(SCRIPT % (str(MODULE_DIR), plain, promise))
    assert result.returncode == 0 and result.stderr == "", result.describe()
    assert result.stdout.split() == ["plain", "described", "rex", "max"], result.stdout


@pytest.mark.parametrize("promise", ["", "bindbridge.assume_pybind11_2x_string_abi(0)",
                                     PROMISE + "; bindbridge.assume_pybind11_2x_string_abi(None)"])
def test_pybind11_2x_id_without_a_promise_of_our_abi_refuses(promise):
    result = run_script(SCRIPT % (str(MODULE_DIR), "plain_pb2136", promise))
    assert result.returncode == 0 and result.stderr == "", result.describe()
    assert result.stdout.strip() == "refused"


def test_unmodified_pybind11_with_other_abi_id_refuses():
    result = run_script(SCRIPT % (str(MODULE_DIR), "plain_pb304_abi0", ""))
    assert result.returncode == 0 and result.stderr == "", result.describe()
    assert result.stdout.strip() == "refused"


def test_pybind11_types_keep_their_own_conduit():
    result = run_script("""
import sys
sys.path.insert(0, %r)
import bbv_pb310, bbv_pb2104, bbv_nb310
print(bbv_pb310.Pet.__dict__["_pybind11_conduit_v1_"].__func__.__doc__ or "")
print(bbv_pb2104.Pet.__dict__["_pybind11_conduit_v1_"].__func__.__doc__ or "")
print(bbv_nb310.Pet.__dict__["_pybind11_conduit_v1_"].__func__.__doc__ or "")
""" % str(MODULE_DIR))
    assert result.returncode == 0, result.describe()
    own, old, nb = result.stdout.splitlines()[:3]
    assert not own.startswith("bindbridge")     # pybind11 3.1's own method
    assert old.startswith("bindbridge")         # 2.10 has none: bindbridge's
    assert nb.startswith("bindbridge")
