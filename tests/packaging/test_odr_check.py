"""tests/packaging/test_odr_check.py: a translation unit that forgot the import declaration is caught at link time.

A module whose file a.cpp declares BINDBRIDGE_*_IMPORT(Pet) and whose file
b.cpp converts Pet without it has two definitions of the framework's
type_caster<Pet> (a one-definition-rule violation: which one runs is the
linker's choice).  GCC's link-time optimisation reports it (-Wodr, on by
default with -flto, which pybind11_add_module uses in Release builds),
naming the declaration's line; with the declaration in both files there
is no report.  docs/large-codebases.md tells users to build so in CI.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

GXX = shutil.which("g++")

HEADERS = {
    "pybind11": ("#include <pybind11/pybind11.h>\n#include <bindbridge/pybind11.h>\n",
                 "BINDBRIDGE_PYBIND11_IMPORT(Pet)", "pybind11::module_",
                 "PYBIND11_MODULE(odr, m)"),
    "nanobind": ("#include <nanobind/nanobind.h>\n#include <nanobind/stl/string.h>\n"
                 "#include <bindbridge/nanobind.h>\n",
                 "BINDBRIDGE_NANOBIND_IMPORT(Pet)", "nanobind::module_", "NB_MODULE(odr, m)"),
}

PET = "#pragma once\n#include <string>\nstruct Pet { std::string name; };\n"


def _includes(framework):
    import bindbridge
    framework_include = (__import__("pybind11").get_include() if framework == "pybind11"
                         else __import__("nanobind").include_dir())
    return ["-I" + sysconfig.get_paths()["include"], "-I" + framework_include,
            "-I" + bindbridge.include_dir()]


@pytest.mark.skipif(GXX is None, reason="g++ not found (-Wodr is GCC's)")
@pytest.mark.parametrize("framework", ["pybind11", "nanobind"])
@pytest.mark.parametrize("second_declares", [False, True], ids=["forgotten", "declared"])
def test_link_time_odr_check(tmp_path, framework, second_declares):
    head, declare, module_t, module = HEADERS[framework]
    (tmp_path / "pet.h").write_text(PET)
    (tmp_path / "a.cpp").write_text(
        head + '#include "pet.h"\n' + declare + "\n"
        "void bind_b(%s& m);\n" % module_t +
        "%s {\n    m.def(\"a\", [](const Pet& p) { return p.name; });\n    bind_b(m);\n}\n" % module)
    (tmp_path / "b.cpp").write_text(
        head + '#include "pet.h"\n' + (declare + "\n" if second_declares else "") +
        "void bind_b(%s& m) {\n    m.def(\"b\", [](const Pet& p) { return p.name; });\n}\n"
        % module_t)
    flags = ["-std=c++17", "-O2", "-fPIC", "-fvisibility=hidden", "-flto"] + _includes(framework)
    for name in ("a", "b"):
        subprocess.run([GXX] + flags + ["-c", name + ".cpp", "-o", name + ".o"], cwd=tmp_path,
                       check=True, capture_output=True)
    # A relocatable link (-r) runs the link-time optimiser's checks without
    # needing the framework's own library or libpython.
    link = subprocess.run([GXX, "-flto", "-O2", "-r", "-nostdlib", "a.o", "b.o", "-o", "odr.o"],
                          cwd=tmp_path, capture_output=True, text=True)
    assert link.returncode == 0, link.stderr[-3000:]
    if second_declares:
        assert "One Definition Rule" not in link.stderr, link.stderr[-3000:]
    else:
        assert "a.cpp:4:1: warning: type ‘struct type_caster’ violates the C++ One Definition Rule" \
            in link.stderr or ("a.cpp:5:1: warning: type ‘struct type_caster’ violates the C++ "
                               "One Definition Rule") in link.stderr, link.stderr[-3000:]
