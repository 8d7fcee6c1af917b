"""bindbridge: share bound C++ types between Python binding frameworks.

This package ships the C/C++ headers (``include_dir()``), a CMake package
config (``cmake_dir()``), and read-only diagnostics of the pymetabind
registry of the running interpreter:

>>> import bindbridge
>>> bindbridge.frameworks()     # every framework that joined the registry
>>> bindbridge.bindings()       # every published type
>>> bindbridge.binding_of(T)    # the binding of one type, or None

Reading the registry never creates or changes it.
"""

from __future__ import annotations

import os
from typing import List, NamedTuple, Optional, Tuple

from . import _diag

__all__ = [
    "Binding",
    "Framework",
    "ABI_TAG",
    "PYMETABIND_VERSION",
    "__version__",
    "binding_of",
    "bindings",
    "cmake_dir",
    "frameworks",
    "include_dir",
]

__version__: str = _diag.VERSION
#: The C++ platform ABI tag this package was compiled with (the pymetabind
#: ``abi_extra`` format); C++ frameworks with another tag cannot share types.
ABI_TAG: str = _diag.ABI_TAG
#: The pymetabind protocol version spoken by bindbridge's headers.
PYMETABIND_VERSION: str = _diag.PYMETABIND_VERSION

_LANGUAGES = {1: "C", 2: "C++"}
_FLAG_NAMES = ((0x0001, "bindings_usable_forever"), (0x0002, "leak_safe"))


class Framework(NamedTuple):
    """One framework (or framework domain) that joined the registry."""

    name: str
    language: str  # "C", "C++" or "abi_lang=<n>" for an unknown value
    abi_tag: Optional[str]  # abi_extra: None for C frameworks
    flags: Tuple[str, ...]  # names of the set flags (unknown bits as hex)
    address: int  # of the framework record: identifies it within this process


class Binding(NamedTuple):
    """One Python type published on the registry."""

    python_type: type
    cpp_name: Optional[str]  # source_name, as the owner wrote it
    framework: str  # name of the owning framework
    framework_address: int
    native_type: Optional[str]  # demangled type_info name, when readable here
    address: int  # of the binding record


def _language(abi_lang: int) -> str:
    return _LANGUAGES.get(abi_lang, "abi_lang=%d" % abi_lang)


def _flags(bits: int) -> Tuple[str, ...]:
    names = [name for bit, name in _FLAG_NAMES if bits & bit]
    unknown = bits & ~sum(bit for bit, _ in _FLAG_NAMES)
    if unknown:
        names.append(hex(unknown))
    return tuple(names)


def frameworks() -> List[Framework]:
    """The frameworks on the registry, in the order they joined."""
    return [
        Framework(name, _language(lang), tag, _flags(flags), address)
        for name, lang, tag, flags, address in _diag.frameworks()
    ]


def bindings() -> List[Binding]:
    """The published bindings, in publication order."""
    return [Binding(*record) for record in _diag.bindings()]


def binding_of(type_: type) -> Optional[Binding]:
    """The binding that a framework finds for ``type_`` (its own, or the one
    it inherits from a base), or None.  A capsule that does not name a
    published binding counts as none."""
    record = _diag.binding_of(type_)
    return None if record is None else Binding(*record)


def registry_exists() -> bool:
    """True if some framework has created this interpreter's registry."""
    return _diag.registry_exists()


def include_dir() -> str:
    """The directory to add to the include path (holds ``bindbridge/``)."""
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "include")


def cmake_dir() -> str:
    """The directory holding ``bindbridgeConfig.cmake``."""
    return os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "share", "cmake", "bindbridge"
    )
