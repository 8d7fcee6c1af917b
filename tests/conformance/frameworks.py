"""tests/conformance/frameworks.py: the frameworks the conformance suite pairs, and how each plays owner and user.

A framework is a module name plus a kind:
- "version": a tests/versions module (pybind11 or nanobind of some version):
  owns Pet/Level/Error with id ID, uses any owner's types through
  p<ID>_* functions, and the C-API framework's point through point_*;
- "c-api": the C++ build of the C-API test framework (bbtest_cpp): owns a
  C struct type, and as a user takes only that struct.

Extra frameworks (a framework build that speaks pymetabind natively, say)
can be added with BINDBRIDGE_CONFORMANCE_EXTRA="label=module,..." where
each module follows the "version" conventions.
"""

from __future__ import annotations

import os
from typing import List, NamedTuple


class Framework(NamedTuple):
    label: str
    module: str
    kind: str  # "version" or "c-api"


DEFAULT: List[Framework] = [
    Framework("pybind11 2.x", "bbv_pb2136", "version"),
    Framework("pybind11 3.x", "bbv_pb310", "version"),
    Framework("nanobind 2.x", "bbv_nb2150", "version"),
    Framework("nanobind 3.x", "bbv_nb310", "version"),
    Framework("C-API (C++)", "bbtest_cpp", "c-api"),
]


def selected() -> List[Framework]:
    out = list(DEFAULT)
    extra = os.environ.get("BINDBRIDGE_CONFORMANCE_EXTRA", "")
    for item in filter(None, (x.strip() for x in extra.split(","))):
        label, _, module = item.partition("=")
        out.append(Framework(label, module or label, "version"))
    return out
