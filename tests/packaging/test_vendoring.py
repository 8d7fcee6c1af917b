# tests/packaging/test_vendoring.py: add_subdirectory(bindbridge) inside another project, also a scikit-build-core one.
#
# The vendored copy gives bindbridge::headers and nothing else: no _diag
# extension, no install rules (a scikit-build-core parent sets SKBUILD,
# which must not make the copy build and install bindbridge's own wheel
# contents into the parent's wheel).
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_TOOL_PATH = os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")])
CMAKE = shutil.which("cmake", path=_TOOL_PATH)
NINJA = shutil.which("ninja", path=_TOOL_PATH)

PARENT = """
cmake_minimum_required(VERSION 3.18)
project(parent LANGUAGES C CXX)
{skbuild}
add_subdirectory("{root}" bindbridge)
if(TARGET _diag)
  message(FATAL_ERROR "the vendored bindbridge defines _diag")
endif()
if(NOT TARGET bindbridge::headers)
  message(FATAL_ERROR "no bindbridge::headers")
endif()
add_executable(consumer main.cpp)
target_link_libraries(consumer PRIVATE bindbridge::headers)
install(TARGETS consumer DESTINATION bin)
"""

MAIN = r"""
#include <bindbridge/version.h>
#include <cstdio>
int main() { std::printf("%s\n", BINDBRIDGE_VERSION_STRING); return 0; }
"""


@pytest.mark.skipif(CMAKE is None, reason="cmake not found")
@pytest.mark.parametrize("parent", ["plain", "scikit-build-core"])
def test_add_subdirectory_gives_only_the_header_target(tmp_path, parent):
    src, build, prefix = tmp_path / "src", tmp_path / "build", tmp_path / "prefix"
    src.mkdir()
    skbuild = "set(SKBUILD ON)  # as scikit-build-core sets it" if parent != "plain" else ""
    (src / "CMakeLists.txt").write_text(PARENT.format(skbuild=skbuild, root=ROOT.as_posix()))
    (src / "main.cpp").write_text(MAIN)
    args = [CMAKE, "-S", src, "-B", build, "-DCMAKE_INSTALL_PREFIX=%s" % prefix]
    if NINJA:
        args += ["-G", "Ninja", "-DCMAKE_MAKE_PROGRAM=%s" % NINJA]
    for cmd in (args, [CMAKE, "--build", build], [CMAKE, "--install", build]):
        r = subprocess.run(cmd, capture_output=True, text=True)
        assert r.returncode == 0, "%s\n%s\n%s" % (cmd, r.stdout[-3000:], r.stderr[-3000:])
    installed = sorted(p.relative_to(prefix).as_posix() for p in prefix.rglob("*") if p.is_file())
    assert installed == ["bin/consumer"], installed  # nothing of bindbridge's
    out = subprocess.run([str(prefix / "bin" / "consumer")], capture_output=True, text=True)
    assert out.stdout.strip().count(".") == 2, out
