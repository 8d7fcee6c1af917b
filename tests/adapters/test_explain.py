"""tests/adapters/test_explain.py: bindbridge.explain() and python -m bindbridge --why name each refusal reason."""

from __future__ import annotations

import bindbridge
import bb_nanobind as nbm
import bb_pybind11 as pbm

from conftest import check_script, run_script


def test_accepted_by_owner():
    text = bindbridge.explain(nbm.Pet, nbm.Pet("a"))
    assert "converting a bb_nanobind.Pet to C++ Pet" in text
    assert "published by nanobind" in text
    assert "nanobind 3.1.0 via bindbridge 0.1.0 (Python type bb_nanobind.Pet): accepts it" in text


def test_no_binding_for_this_python_type():
    text = bindbridge.explain("Pet", pbm.Toy("t"))
    assert "refused: no binding for bb_pybind11.Toy here (this binding is for bb_nanobind.Pet)" in text


def test_nothing_binds_the_cpp_type():
    text = bindbridge.explain("NoSuchType", nbm.Pet("a"))
    assert "no framework on the registry binds C++ NoSuchType" in text


def test_type_not_published():
    assert "int is not published" in bindbridge.explain(int, 3)
    assert "the object's type is not published" in bindbridge.explain(nbm.Pet, 3)


def test_owner_from_python_refuses():
    out = check_script("""
import bindbridge, bbtest_cpp
P = bbtest_cpp.make_type("bbt_point")
p = P(1, 2)
print(bindbridge.explain(P, p))
bbtest_cpp.set_fail_mode(1)
print(bindbridge.explain(P, p))
bbtest_cpp.set_fail_mode(0)
""")
    first, second = out.split("bindbridge: converting")[1:]
    assert "accepts it" in first
    assert "refused by the owner's from_python" in second


def test_abi_tag_differs():
    import os
    from pathlib import Path
    mods = os.environ.get("BINDBRIDGE_VERSION_MODULES",
                          str(Path(__file__).resolve().parents[2] / "build" / "versions" / "modules"))
    out = check_script("""
import sys
sys.path.insert(0, %r)
import bindbridge, bbv_pb310, bbv_pb310_abi0
print(bindbridge.explain(bbv_pb310.Pet, bbv_pb310_abi0.Pet("x")))
""" % mods)
    assert "not used: its C++ ABI tag 'system_libstdcpp_gxx_abi_1xxx_use_cxx11_abi_0' differs" in out, out


def test_cli_why():
    result = run_script("""
import sys
from bindbridge.__main__ import main
sys.exit(main(["--import", "bb_nanobind", "--import", "bb_pybind11",
               "--why", "bb_pybind11.pet_describe", "bb_nanobind.Pet"]))
""")
    assert result.returncode == 0, result.describe()
    assert "pet_describe(arg0: bb_nanobind.Pet) -> str" in result.stdout
    assert "bb_nanobind.Pet is published by nanobind" in result.stdout
    assert "pybind11 3.1.0 (internals v12) via bindbridge 0.1.0: can take it" in result.stdout
    bad = run_script("""
import sys
from bindbridge.__main__ import main
sys.exit(main(["--why", "bb_pybind11.no_such_function", "bb_nanobind.Pet"]))
""")
    assert bad.returncode == 2 and "no_such_function" in bad.stderr
