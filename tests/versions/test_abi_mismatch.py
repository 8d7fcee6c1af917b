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
    table = out["table"]
    assert "2 different ABI tags; C++ types are not shared between groups" in table, table
    old_group = [line for line in table.splitlines() if "use_cxx11_abi_0'" in line]
    assert len(old_group) == 1 and "pybind11 3.1.0" in old_group[0], table


ALONE = """
import sys
sys.path.insert(0, %r)
import bbv_pb310_abi0
from bindbridge.__main__ import render
print(render())
"""


def test_a_module_is_judged_by_its_own_abi_tag():
    # Only old-ABI modules loaded: nothing is told "ABI tag differs", though
    # this Python package was built with the other tag (as a manylinux2014
    # wheel would be, for every local build) (#20 item 3).
    result = run_script(ALONE % str(MODULE_DIR))
    assert result.returncode == 0, result.describe()
    assert "use_cxx11_abi_0" in result.stdout, result.stdout
    assert "ABI tag" not in result.stdout.split("Bindings")[1], result.stdout


def test_explain_judges_by_the_frameworks_not_the_package():
    # explain() of old-ABI objects, with only old-ABI modules loaded: the
    # package's own tag (another one here, as a manylinux2014 wheel's would
    # be for local builds) plays no part; a new-ABI module's function is
    # judged by its own tag.
    result = run_script("""
import sys
sys.path.insert(0, %r)
import bindbridge, bbv_pb310_abi0 as old
print(bindbridge.ABI_TAG.endswith("use_cxx11_abi_1"))
print(bindbridge.explain(old.Pet, old.Pet("x")))
print(bindbridge.explain("VPet<4>", old.Pet("x")))
print(bindbridge.explain(old.p4_describe, old.Pet("x")))
import bbv_pb310 as new
print(bindbridge.explain(new.p4_describe, old.Pet("x")))
""" % str(MODULE_DIR))
    assert result.returncode == 0, result.describe()
    out = result.stdout
    assert out.startswith("True\n"), out
    before, after = out.split("bindbridge: bbv_pb310.p4_describe")
    assert "differs" not in before and before.count("accepts it") == 3, out
    assert ("(Python type bbv_pb310_abi0.Pet): not used: its C++ ABI tag "
            "'system_libstdcpp_gxx_abi_1xxx_use_cxx11_abi_0' differs from "
            "'system_libstdcpp_gxx_abi_1xxx_use_cxx11_abi_1'") in after, out


def test_generated_header_declares_an_old_abi_owners_types():
    # --header for old-ABI owners: their types are declared (an old-ABI
    # importer uses them), and the header names the tag, whatever ABI this
    # package was built with.
    result = run_script("""
import sys
sys.path.insert(0, %r)
from bindbridge.__main__ import main
sys.exit(main(["--header", "pybind11", "--import", "bbv_pb310_abi0"]))
""" % str(MODULE_DIR))
    assert result.returncode == 0, result.describe()
    out = result.stdout
    assert 'BINDBRIDGE_PYBIND11_IMPORT_AS(VPet<4>, "bbv_pb310_abi0.Pet")' in out, out
    assert "// Their C++ ABI tag: system_libstdcpp_gxx_abi_1xxx_use_cxx11_abi_0 (" in out, out
