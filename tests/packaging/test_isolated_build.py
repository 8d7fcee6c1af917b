"""tests/packaging/test_isolated_build.py: a downstream scikit-build-core project, built in isolation, uses exactly the bindbridge it requires.

The recipe of docs/packaging.md ("bindbridge as a build requirement"): a
pybind11 module whose pyproject.toml requires bindbridge, built by pip in
an isolated environment, while this environment has another bindbridge
version installed (the one under test, 0.1.0).  A bindbridge wheel with
another version (the same sources, version.h bumped) is offered with
--find-links; CMake must find that copy (the cmake.root entry point), not
the outer one, and the module reports the version it was compiled with.
Needs the package index for scikit-build-core and pybind11.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OTHER = "0.1.99"  # same minor: the CMake package takes it (SameMinorVersion)


def _pin(name: str) -> str:
    for line in (ROOT / "requirements-build.txt").read_text().splitlines():
        spec, _, marker = line.partition(";")
        if spec.strip().lower().startswith(name + "=="):
            if not marker or eval(marker.strip().replace("python_version", repr(
                    "%d.%d" % sys.version_info[:2]))):
                return spec.strip()
    raise LookupError(name)


PYPROJECT = """
[build-system]
requires = ["{skbuild}", "pybind11==3.1.0", "bindbridge=={version}"]
build-backend = "scikit_build_core.build"

[project]
name = "downstream"
version = "1.0"

[tool.scikit-build]
cmake.version = ">=3.18"
build.verbose = true
"""

CMAKE = """
cmake_minimum_required(VERSION 3.18)
project(downstream LANGUAGES CXX)
find_package(Python COMPONENTS Interpreter Development.Module REQUIRED)
find_package(pybind11 CONFIG REQUIRED)
find_package(bindbridge CONFIG REQUIRED)  # no version: the first copy found wins
message(STATUS "BBR bindbridge ${{bindbridge_VERSION}} from ${{bindbridge_DIR}}")
pybind11_add_module(downstream MODULE main.cpp)
target_link_libraries(downstream PRIVATE bindbridge::headers)
install(TARGETS downstream LIBRARY DESTINATION .)
"""

MAIN = r"""
#include <pybind11/pybind11.h>
#include <bindbridge/pybind11.h>
PYBIND11_MODULE(downstream, m) { m.attr("BINDBRIDGE") = BINDBRIDGE_VERSION_STRING; }
"""


def _pip(*args, **kw):
    return subprocess.run([sys.executable, "-m", "pip", "--disable-pip-version-check", *args],
                          capture_output=True, text=True, **kw)


def test_isolated_build_uses_the_required_bindbridge(tmp_path):
    import bindbridge
    assert bindbridge.__version__ != OTHER
    # bindbridge OTHER: this tree with version.h bumped, as a wheel
    src = tmp_path / "bindbridge-src"
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                           check=True).stdout.split()
    for name in files:
        if (ROOT / name).is_file():
            (src / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, src / name)
    version_h = src / "include" / "bindbridge" / "version.h"
    text = version_h.read_text()
    text, n = re.subn(r'#define BINDBRIDGE_VERSION_STRING "[0-9.]+"',
                      '#define BINDBRIDGE_VERSION_STRING "%s"' % OTHER, text)
    assert n == 1
    major, minor, patch = OTHER.split(".")
    for part, value in (("MAJOR", major), ("MINOR", minor), ("PATCH", patch)):
        text = re.sub(r"(#define BINDBRIDGE_VERSION_%s )\d+" % part, r"\g<1>%s" % value, text)
    version_h.write_text(text)
    wheels = tmp_path / "wheels"
    # (no bridges: the downstream module needs the headers only)
    built = _pip("wheel", "--quiet", "--no-deps", "--no-build-isolation", "-w", str(wheels),
                 "-Ccmake.define.BINDBRIDGE_BRIDGES=OFF", str(src))
    assert built.returncode == 0, built.stdout + built.stderr

    down = tmp_path / "downstream"
    down.mkdir()
    (down / "pyproject.toml").write_text(PYPROJECT.format(skbuild=_pin("scikit-build-core"),
                                                          version=OTHER))
    (down / "CMakeLists.txt").write_text(CMAKE.format(version=OTHER))
    (down / "main.cpp").write_text(MAIN)
    env = dict(os.environ)
    # the build environment finds this environment's cmake and ninja
    env["PATH"] = os.pathsep.join([os.path.dirname(sys.executable), env.get("PATH", "")])
    out = tmp_path / "out"
    result = _pip("wheel", "-v", "--no-deps", "--find-links", str(wheels), "-w", str(out),
                  str(down), env=env, timeout=900)
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-6000:]
    found = re.search(r"BBR bindbridge (\S+) from (\S+)", log)
    assert found and found.group(1) == OTHER, log[-6000:]
    assert "site-packages" in found.group(2) and str(Path(sys.prefix)) not in found.group(2), found.group(2)
    # the module was compiled with OTHER's headers
    target = tmp_path / "target"
    installed = _pip("install", "--quiet", "--no-deps", "--target", str(target),
                     str(next(out.glob("downstream-*.whl"))))
    assert installed.returncode == 0, installed.stderr
    probe = subprocess.run([sys.executable, "-c", "import downstream; print(downstream.BINDBRIDGE)"],
                           capture_output=True, text=True, env=dict(env, PYTHONPATH=str(target)))
    assert probe.stdout.strip() == OTHER, probe.stdout + probe.stderr
