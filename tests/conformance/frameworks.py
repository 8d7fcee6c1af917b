"""tests/conformance/frameworks.py: the frameworks the conformance suite pairs, and how each plays owner and user.

A framework is a module name plus a kind:
- "version": a tests/versions module (one per framework version of
  tests/versions/matrix.py DEFAULT: pybind11 2.10-3.1, nanobind 2.9-3.1;
  and BOOST_PYTHON, the system's Boost.Python, where it was built):
  owns Pet/Level/Error/Shape with id ID, uses any owner's types through
  p<ID>_* functions, and the C-API framework's point through point_*;
- "c-api": the C++ build of the C-API test framework (bbtest_cpp): owns a
  C struct type, and as a user takes only that struct.

This is the one place the scenarios run per pair (tests/versions only adds
what is not a scenario).  BINDBRIDGE_VERSION_SET="bbv_pb310,bbv_nb310"
narrows it to those version modules without the C-API framework (the other
Pythons of .ci/other-pythons); extra frameworks (a framework build that
speaks pymetabind natively, say) can be added with
BINDBRIDGE_CONFORMANCE_EXTRA="label=module,..." where each module follows
the "version" conventions.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import List, NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "versions"))
import matrix  # noqa: E402


class Framework(NamedTuple):
    label: str
    module: str
    kind: str          # "version" or "c-api"
    family: str = ""   # "pybind11", "nanobind", "boost_python" or "c-api"
    major: int = 0     # the framework's major version
    smart_holder: bool = False  # its Pet is bound with py::smart_holder (pybind11 3.x)


DISPLAY = {"boost_python": "Boost.Python"}


def _version(b: matrix.Build) -> Framework:
    return Framework("%s %s" % (DISPLAY.get(b.framework, b.framework), b.version), b.name, "version",
                     b.framework, int(b.version.split(".")[0]), "BBV_SMART_HOLDER" in b.defines)


def _boost_python() -> List[Framework]:
    """The Boost.Python module where it was built (tests/versions/build.py
    skips it without Boost.Python, saying so), always where CI requires it."""
    from conftest import VERSION_MODULES
    out = []
    for b in matrix.BOOST_PYTHON:
        if os.environ.get("BINDBRIDGE_REQUIRE_BOOST_PYTHON") == "1" or \
                list(Path(VERSION_MODULES).glob(b.name + ".*")):
            out.append(_version(b))
    return out


C_API = Framework("C-API (C++)", "bbtest_cpp", "c-api", "c-api", 0)


def narrowed() -> bool:
    """True when BINDBRIDGE_VERSION_SET selects part of the matrix."""
    return bool(os.environ.get("BINDBRIDGE_VERSION_SET"))


def selected() -> List[Framework]:
    wanted = os.environ.get("BINDBRIDGE_VERSION_SET")
    if wanted:
        names = wanted.split(",")
        out = [_version(b) for b in matrix.DEFAULT if b.name in names]
    else:
        out = [_version(b) for b in matrix.DEFAULT] + _boost_python() + [C_API]
    extra = os.environ.get("BINDBRIDGE_CONFORMANCE_EXTRA", "")
    for item in filter(None, (x.strip() for x in extra.split(","))):
        label, _, module = item.partition("=")
        out.append(Framework(label, module or label, "version"))
    return out
