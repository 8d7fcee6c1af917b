"""tests/versions/test_abi_mismatch.py: a module built with another C++ ABI is never imported, and the diagnostics say so.

bbv_pb310_abi0 is pybind11 3.1 built with -D_GLIBCXX_USE_CXX11_ABI=0; it
binds VPet<4> like bbv_pb310 does, in a domain of its own.
"""

from __future__ import annotations


import pytest

from conftest import VERSION_MODULES as MODULE_DIR, run_script


SCRIPT = """
import sys
sys.path.insert(0, %r)
import bbv_pb310_abi0 as old, bbv_pb310 as new, bbv_nb310 as nb
import bindbridge
from bindbridge.__main__ import render
out = {}
# the old-ABI module's objects are not taken by any new-ABI module ...
for user in (new, nb):
    try:
        user.p4_describe(old.Pet("x"))
        out[user.__name__] = "accepted"
    except TypeError:
        out[user.__name__] = "refused"
# ... and it does not take theirs
try:
    old.p7_describe(nb.Pet("y"))
    out["old"] = "accepted"
except TypeError:
    out["old"] = "refused"
# the new-ABI owner of VPet<4> is still used
out["new_owner"] = nb.p4_describe(new.Pet("z"))
out["table"] = render()
out["tags"] = sorted({f.abi_tag for f in bindbridge.frameworks()})
print(repr(out))
"""


def test_other_abi_never_imported_and_explained():
    if not (MODULE_DIR / "..").exists():
        pytest.fail("no version modules")
    result = run_script(SCRIPT % str(MODULE_DIR))
    assert result.returncode == 0, result.describe()
    out = eval(result.stdout)
    assert out["bbv_pb310"] == "refused" and out["bbv_nb310"] == "refused" and out["old"] == "refused"
    assert out["new_owner"] == "described z"
    assert any(t.endswith("use_cxx11_abi_0") for t in out["tags"]), out["tags"]
    assert "use_cxx11_abi_0" in out["table"] and "not shared" in out["table"], out["table"]
