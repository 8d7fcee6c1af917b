"""tests/docs/test_snippets.py: the C++ files README.md and docs/ show compile as written.

Every ```cpp block is either a whole file, named on its first line
(`// groomer_pybind11.cpp`), which is compiled as it stands against the
installed pybind11, nanobind and bindbridge headers (the shared type from
examples/pets/pet.h), or an excerpt listed in EXCERPTS with the reason it
is not a file.  A new block that is neither fails the test, so a snippet
cannot rot unnoticed.  (The CMake blocks: test_cmake_snippets.py.)
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from doc_blocks import ROOT, fenced_blocks  # noqa: E402
from conftest import skip_without_boost_python  # noqa: E402
FILE_NAME = re.compile(r"^// ([\w.-]+\.cpp)\s*$")

# (document, the block's first line) -> why it is not a whole file
EXCERPTS = {
    ("README.md", "#include <Python.h>"): "a C outline of the protocol calls ('...' stands for the "
                                          "module's own code)",
    ("quickstart.md", "// owner (pybind11):  Shape has virtuals and a trampoline, Circle derives "
                      "from it"): "two modules' lines side by side",
    ("quickstart.md", "// plugin (nanobind): Triangle derives from Shape, which the pybind11 "
                      "module \"shapes\" binds"): "needs Triangle and Shape's definitions",
    ("zero-code.md", "PYBIND11_MODULE(groomer, m) {"): "module bodies shown for one call",
    ("large-codebases.md", "PYBIND11_MODULE(plugin, m) {"): "a module body whose other files "
                                                             "(bind_shapes, bind_tools) are "
                                                             "not shown",
}


def _blocks():
    for doc, line, body in fenced_blocks(r"cpp|c\+\+|c"):
        yield doc, line, body.splitlines()[0] if body else "", body


def _cxx_flags():
    import bindbridge
    import nanobind
    import pybind11
    # (-fvisibility=hidden: as pybind11_add_module and nanobind_add_module build)
    return ["-std=c++17", "-fsyntax-only", "-fvisibility=hidden", "-Wall", "-Werror",
            "-I" + sysconfig.get_paths()["include"], "-I" + pybind11.get_include(),
            "-I" + nanobind.include_dir(), "-I" + bindbridge.include_dir(),
            "-I" + str(ROOT / "examples" / "pets")]


FILES = [(doc, line, body) for doc, line, first, body in _blocks() if FILE_NAME.match(first)]


def test_every_block_is_a_file_or_a_listed_excerpt():
    unknown = [("%s:%d" % (doc.name, line), first) for doc, line, first, _ in _blocks()
               if not FILE_NAME.match(first) and (doc.name, first) not in EXCERPTS]
    assert not unknown, ("name the file on the block's first line (// name.cpp) or list it in "
                         "EXCERPTS: %s" % unknown)
    listed = {(doc.name, first) for doc, _, first, _ in _blocks()}
    stale = [key for key in EXCERPTS if key not in listed]
    assert not stale, stale


@pytest.mark.parametrize("doc,line,body", FILES,
                         ids=["%s:%d" % (d.name, n) for d, n, _ in FILES])
def test_file_snippet_compiles(tmp_path, doc, line, body):
    cxx = os.environ.get("CXX") or shutil.which("c++") or shutil.which("g++")
    if cxx is None:
        pytest.fail("no C++ compiler")
    name = FILE_NAME.match(body.splitlines()[0]).group(1)
    src = tmp_path / name
    src.write_text(body)
    result = subprocess.run([cxx] + _cxx_flags() + [str(src)], capture_output=True, text=True)
    if "<boost/python.hpp>" in body and "boost/python.hpp: No such file" in result.stderr:
        skip_without_boost_python("Boost.Python's headers")
    assert result.returncode == 0, "%s:%d (%s) does not compile:\n%s" % (
        doc.name, line, name, result.stderr[-4000:])
