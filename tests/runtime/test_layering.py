"""tests/runtime/test_layering.py: the header layers depend downwards only, and runtime/ names no framework.

protocol.h <- runtime/ <- conduit/ <- the adapters (pybind11/, nanobind/, boost_python/),
which know nothing of each other.
runtime/ is what every adapter stands on, a third one included: its code
(comments aside) must not recognise a framework by name, and it includes
nothing above it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

INCLUDE = Path(__file__).resolve().parents[2] / "include" / "bindbridge"
FRAMEWORKS = re.compile(r"pybind11|nanobind|boost", re.I)
LOCAL_INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def code_of(path: Path) -> str:
    """The file without its comments (string literals stay)."""
    text = path.read_text()
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def headers(folder: str):
    return sorted((INCLUDE / folder).glob("*.h"))


@pytest.mark.parametrize("path", headers("runtime"), ids=lambda p: p.name)
def test_runtime_names_no_framework(path):
    lines = [(n + 1, line.strip()) for n, line in enumerate(code_of(path).splitlines())
             if FRAMEWORKS.search(line)]
    assert not lines, "runtime/%s names a framework: %s" % (path.name, lines)


@pytest.mark.parametrize("folder, allowed", [
    ("runtime", {"runtime", "protocol.h", "version.h"}),
    ("conduit", {"runtime", "conduit", "protocol.h", "version.h"}),
])
def test_includes_point_down(folder, allowed):
    for path in headers(folder):
        for target in LOCAL_INCLUDE.findall(path.read_text()):
            resolved = (path.parent / target).resolve().relative_to(INCLUDE)
            top = resolved.parts[0]
            assert top in allowed, "%s/%s includes %s" % (folder, path.name, resolved)


def test_conduit_includes_no_framework_header():
    for path in headers("conduit"):
        for line in re.findall(r"^\s*#\s*include\s*[<\"]([^>\"]+)", path.read_text(), re.M):
            assert not FRAMEWORKS.search(line), "conduit/%s includes %s" % (path.name, line)


ADAPTERS = ["pybind11", "nanobind", "boost_python"]


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_adapters_include_no_other_adapter(adapter):
    files = headers(adapter) + [INCLUDE / ("%s.h" % adapter)]
    assert len(files) > 1, adapter
    for path in files:
        for target in LOCAL_INCLUDE.findall(path.read_text()):
            top = (path.parent / target).resolve().relative_to(INCLUDE).parts[0]
            assert top not in set(ADAPTERS) - {adapter} and top.replace(".h", "") not in set(ADAPTERS) - {adapter}, \
                "%s includes %s" % (path.relative_to(INCLUDE), target)
