"""tests/docs/test_cmake_snippets.py: the CMake README.md and docs/ show configures as written.

Every ```cmake block becomes the CMakeLists.txt of a project of its own,
after only `cmake_minimum_required` and `project()` (and, for a block
that refers to targets a previous step of its page defines, the lines
listed in CONTEXT), and CMake configures and generates it with the
`-D<pkg>_DIR` settings the docs give.  The sources it names exist as
empty files: compiling the snippets' C++ is tests/docs/test_snippets.py's
work; this test catches a command, an argument, a target or a
find_package that would not work as written.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from doc_blocks import ROOT, fenced_blocks  # noqa: E402
from conftest import skip_without_boost_python  # noqa: E402
SOURCE = re.compile(r"(?<![\w/$<>:{}.-])([\w/-]+\.(?:cpp|h))\b")
BIN = Path(sys.executable).parent

# (document, the block's first line) -> what the page defined before it
CONTEXT = {
    ("README.md", "find_package(bindbridge 0.1 CONFIG REQUIRED)   # bindbridge_DIR=$(python -m "
                  "bindbridge --cmake-dir)"):
        "find_package(Python 3.8 REQUIRED COMPONENTS Interpreter Development.Module)\n"
        "Python_add_library(my_ext MODULE WITH_SOABI my_ext.c)\n",
    ("large-codebases.md", "bindbridge_import_header(legacy_imports.h FRAMEWORK nanobind "
                           "MODULES legacy"):
        "find_package(Python 3.8 REQUIRED COMPONENTS Interpreter Development.Module)\n"
        "find_package(nanobind CONFIG REQUIRED)\n"
        "find_package(bindbridge 0.1 CONFIG REQUIRED)\n"
        "nanobind_add_module(legacy legacy.cpp)\n",
    ("quickstart.md", "bindbridge_import_header(pets_imports.h FRAMEWORK pybind11 MODULES pets"):
        "find_package(Python 3.8 REQUIRED COMPONENTS Interpreter Development.Module)\n"
        "find_package(pybind11 CONFIG REQUIRED)\n"
        "find_package(nanobind CONFIG REQUIRED)\n"
        "find_package(bindbridge 0.1 CONFIG REQUIRED)\n"
        "nanobind_add_module(pets pets_nanobind.cpp)\n",
}


def _blocks():
    for doc, line, body in fenced_blocks("cmake"):
        yield pytest.param(doc, body, id="%s:%d" % (doc.name, line))


def _dirs():
    def query(*args):
        return subprocess.run([sys.executable, *args], capture_output=True, text=True,
                              check=True).stdout.strip()
    return {"pybind11_DIR": query("-m", "pybind11", "--cmakedir"),
            "nanobind_DIR": query("-m", "nanobind", "--cmake_dir"),
            "bindbridge_DIR": query("-m", "bindbridge", "--cmake-dir")}


def test_every_block_is_found():
    blocks = list(_blocks())
    assert len(blocks) >= 6, blocks
    firsts = {(p.values[0].name, p.values[1].splitlines()[0]) for p in blocks}
    assert set(CONTEXT) <= firsts, sorted(set(CONTEXT) - firsts)


@pytest.mark.parametrize("doc,body", list(_blocks()))
def test_cmake_block_configures(doc, body, tmp_path):
    context = CONTEXT.get((doc.name, body.splitlines()[0]), "")
    text = context + body
    for name in set(SOURCE.findall(text)) | {"my_ext.c"}:
        path = tmp_path / "src" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()
    (tmp_path / "src" / "CMakeLists.txt").write_text(
        "cmake_minimum_required(VERSION 3.26)\nproject(snippet LANGUAGES C CXX)\n" + text)
    args = [str(BIN / "cmake"), "-S", str(tmp_path / "src"), "-B", str(tmp_path / "build"),
            "-G", "Ninja", "--no-warn-unused-cli", "-DCMAKE_MAKE_PROGRAM=%s" % (BIN / "ninja"),
            "-DPython_EXECUTABLE=%s" % sys.executable]
    args += ["-D%s=%s" % kv for kv in _dirs().items()]
    r = subprocess.run(args, capture_output=True, text=True)
    if "COMPONENTS python3" in text and r.returncode != 0 and "boost_python" in r.stdout + r.stderr:
        skip_without_boost_python("Boost.Python's CMake config")
    assert r.returncode == 0, "%s\n--- CMakeLists.txt\n%s" % (r.stdout + r.stderr, text)
    assert "CMake Warning" not in r.stderr, r.stderr
