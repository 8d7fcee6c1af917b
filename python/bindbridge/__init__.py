"""bindbridge: share bound C++ types between Python binding frameworks.

This package ships the C/C++ headers (``include_dir()``), a CMake package
config (``cmake_dir()``), and read-only diagnostics of the pymetabind
registry of the running interpreter:

>>> import bindbridge
>>> bindbridge.frameworks()     # every framework that joined the registry
>>> bindbridge.bindings()       # every published type
>>> bindbridge.binding_of(T)    # the binding of one type, or None
>>> bindbridge.bridge()         # publish the types of modules built without bindbridge

Reading the registry never creates or changes it, with one exception: a
module that only imports types (its framework joins the registry at its
first conversion) is joined first, once it has finished importing, so the
listings of a fresh process are complete.
"""

from __future__ import annotations

import os
import sys
import warnings
from typing import List, NamedTuple, Optional, Tuple

import importlib


class _Diag:
    """The _diag extension, loaded on first use: the path queries
    (include_dir, cmake_dir, python -m bindbridge --cmake-dir) work where
    the extension cannot load (another Python, a broken build)."""

    def __getattr__(self, name):
        return getattr(importlib.import_module(__name__ + "._diag"), name)


_diag = _Diag()

__all__ = [
    "Binding",
    "Bridge",
    "Framework",
    "ABI_TAG",
    "PYMETABIND_VERSION",
    "__version__",
    "assume_pybind11_2x_string_abi",
    "binding_of",
    "bindings",
    "bridge",
    "bridges",
    "explain",
    "wanted_types",
    "cmake_dir",
    "frameworks",
    "include_dir",
]

# __version__, ABI_TAG (the C++ platform ABI tag this package was compiled
# with, in the pymetabind abi_extra format: C++ frameworks with another tag
# cannot share types) and PYMETABIND_VERSION (the protocol version spoken
# by bindbridge's headers) come from _diag, on first use.
_FROM_DIAG = {"__version__": "VERSION", "ABI_TAG": "ABI_TAG",
              "PYMETABIND_VERSION": "PYMETABIND_VERSION"}


def __getattr__(name: str):
    if name in _FROM_DIAG:
        value = getattr(_diag, _FROM_DIAG[name])
        globals()[name] = value
        return value
    raise AttributeError("module %r has no attribute %r" % (__name__, name))

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


class Bridge(NamedTuple):
    """One bridge of this package: an extension built against a pinned
    framework release, which publishes the types of the modules that share
    its internals (the same internals version and platform ABI) and were
    built without bindbridge."""

    module: str  # bindbridge._bridge_pybind11_v4, ...
    framework: str  # "pybind11" or "nanobind"
    built_with: str  # the pinned release, e.g. "2.13.6"
    internals: str  # the internals key it reads, e.g. "__pybind11_internals_v4_gcc_libstdcpp_cxxabi1017__"
    attached: Optional[str]  # the registry framework it publishes under, None if not attached
    types: int  # the types its internals hold that it published (or found published)
    refused: Optional[str] = None  # why it did not attach to internals that exist


# Every bridge a build can ship (cmake/bridges.cmake); a build has those
# its Python version allows, or none (BINDBRIDGE_BRIDGES=OFF, abi3).
_BRIDGE_MODULES = ("_bridge_pybind11_v4", "_bridge_pybind11_v5", "_bridge_pybind11_v11",
                   "_bridge_pybind11_v12") + tuple("_bridge_nanobind_v%d" % v for v in range(16, 23))
_attached: dict = {}  # module name -> Bridge, for those attached in this process


def _bridge_modules() -> List[object]:
    import importlib.util
    found = []
    for name in _BRIDGE_MODULES:
        full = __name__ + "." + name
        if importlib.util.find_spec(full) is not None:
            found.append(importlib.import_module(full))
    return found


def _describe(m, attached: Optional[str], types: int, refused: Optional[str] = None) -> Bridge:
    return Bridge(m.__name__, m.FRAMEWORK, m.BUILT_WITH, m.INTERNALS_ID, attached, types, refused)


def bridges() -> List[Bridge]:
    """The bridges this build of bindbridge has, attached or not.  Importing
    a bridge creates nothing (no framework internals, no registry)."""
    return [_attached.get(m.__name__) or _describe(m, None, 0) for m in _bridge_modules()]


def bridge() -> List[Bridge]:
    """Publishes the types of extension modules built without bindbridge:
    every bridge whose framework internals exist in this interpreter (some
    module built with that internals version and platform ABI was
    imported) joins them and publishes each globally registered type on the
    registry; bindbridge importers then take and return those types.  A
    bridge whose internals are absent creates nothing.  Returns the
    attached bridges.  Calling it again publishes what was registered
    since: types published before stay.

    After the first call, a bindbridge importer that misses a type (an
    argument of an unpublished class, a return with no owner) asks the
    bridges again by itself, once per type after each new import: modules
    imported later need no second call.

    A bridge that finds its internals but must not read them (pybind11 2.x
    internals before ``assume_pybind11_2x_string_abi``) warns, and
    ``bridges()`` says why."""
    attached = _attach(warn=True)
    _diag.set_bridge_refresh(_refresh)
    return attached


def _attach(warn: bool) -> List[Bridge]:
    attached = []
    for m in _bridge_modules():
        result = m.attach()
        if result is None:
            continue
        record, detail = result
        if record is None:
            _attached[m.__name__] = _describe(m, None, 0, detail)
            if warn:
                warnings.warn("bindbridge.bridge(): %s (%s %s) did not attach: %s"
                              % (m.__name__, m.FRAMEWORK, m.BUILT_WITH, detail), RuntimeWarning,
                              stacklevel=3)
            continue
        _attached[m.__name__] = b = _describe(m, record, detail)
        attached.append(b)
    return attached


def _refresh() -> bool:
    """What a bindbridge importer calls on a miss once bridge() ran (and
    modules were imported since): attach again; True if a bridge published
    new types or attached to new internals."""
    before = {name: b.types for name, b in _attached.items() if b.attached}
    after = {b.module: b.types for b in _attach(warn=False)}
    return any(after[name] > before.get(name, 0) for name in after)


def _language(abi_lang: int) -> str:
    return _LANGUAGES.get(abi_lang, "abi_lang=%d" % abi_lang)


def _flags(bits: int) -> Tuple[str, ...]:
    names = [name for bit, name in _FLAG_NAMES if bits & bit]
    unknown = bits & ~sum(bit for bit, _ in _FLAG_NAMES)
    if unknown:
        names.append(hex(unknown))
    return tuple(names)


def _join_imported() -> None:
    """Joins the frameworks of imported modules whose IMPORT declarations
    wait for a first conversion to join (the adapters leave them pending
    when the module is loaded)."""
    pending = _diag.pending_joins()
    if not pending:
        return
    loaded = set()
    for module in list(sys.modules.values()):
        path = getattr(module, "__file__", None)
        if isinstance(path, str):
            loaded.add(os.path.realpath(path))
    ready = [f for f in pending if os.path.realpath(f) in loaded]
    for path, error in _diag.join_pending(ready) if ready else ():
        if error is not None:
            warnings.warn("bindbridge: the framework of %s could not join the registry: %s"
                          % (path, error), RuntimeWarning, stacklevel=3)


def frameworks() -> List[Framework]:
    """The frameworks on the registry, in the order they joined."""
    _join_imported()
    return [
        Framework(name, _language(lang), tag, _flags(flags), address)
        for name, lang, tag, flags, address in _diag.frameworks()
    ]


def bindings() -> List[Binding]:
    """The published bindings, in publication order."""
    _join_imported()
    return [Binding(*record) for record in _diag.bindings()]


def binding_of(type_: type) -> Optional[Binding]:
    """The binding that a framework finds for ``type_`` (its own, or the one
    it inherits from a base), or None.  A capsule that does not name a
    published binding counts as none."""
    _join_imported()
    record = _diag.binding_of(type_)
    return None if record is None else Binding(*record)


def _same_cpp_type(a: Binding, b: Binding) -> bool:
    if a.native_type and b.native_type:
        return a.native_type == b.native_type
    return a.cpp_name is not None and a.cpp_name == b.cpp_name


def explain(wanted, obj, _abi_tag: Optional[str] = None) -> str:
    """Why (or whether) each framework on the registry converts ``obj`` to
    the C++ type ``wanted``: a Python type published on the registry (its
    C++ type is meant), a C++ type name as the owner wrote it (``"Pet"``),
    or a bound function (pybind11 or nanobind): then every published type
    its signature names is explained.

    One line per binding of that C++ type, in publication order (the order
    the adapters try them after the module's own binding).  Bindings are
    judged from the view of a C++ framework that wants the type: the
    function's module's, else the framework of ``wanted`` (a Python
    type), else the object's own; never by the ABI tag this package was
    built with."""
    if not isinstance(wanted, (str, type)) and callable(wanted):
        return _explain_function(wanted, obj)
    fws = {f.address: f for f in frameworks()}
    published = bindings()
    if isinstance(wanted, str):
        target = [b for b in published if wanted in (b.cpp_name, b.native_type)]
        what = wanted
    else:
        own = binding_of(wanted)
        if own is None:
            return ("bindbridge: %s is not published on the pymetabind registry (bind it and "
                    "export it with bindbridge::export_type<T>)" % _qualname(wanted))
        target = [b for b in published if _same_cpp_type(b, own)]
        what = own.native_type or own.cpp_name or "?"
    lines = ["bindbridge: converting a %s to C++ %s" % (_qualname(type(obj)), what)]
    theirs = binding_of(type(obj))
    if _abi_tag is None:
        for ref in ([] if isinstance(wanted, str) else [own]) + [theirs]:
            _abi_tag = _cpp_abi_tag(ref, fws)
            if _abi_tag is not None:
                break
    if theirs is None:
        lines.append("  the object's type is not published on the registry (not exported, or "
                     "not a bound type)")
    else:
        lines.append("  the object's type is published by %s as C++ %s"
                     % (theirs.framework, theirs.native_type or theirs.cpp_name))
    if not target:
        lines.append("  no framework on the registry binds C++ %s" % what)
    for b in target:
        fw = fws.get(b.framework_address)
        head = "  - %s (Python type %s): " % (b.framework, _qualname(b.python_type))
        if fw is not None and fw.language == "C++" and _abi_tag and fw.abi_tag != _abi_tag:
            lines.append(head + "not used: its C++ ABI tag %r differs from %r"
                         % (fw.abi_tag, _abi_tag))
        elif fw is not None and fw.language != "C++":
            lines.append(head + "not used: it is not a C++ framework (C++ types are shared "
                         "between C++ frameworks only)")
        elif _diag.try_from_python(b.address, obj, False):
            lines.append(head + "accepts it")
        elif _diag.try_from_python(b.address, obj, True):
            lines.append(head + "accepts it only with an implicit conversion (second pass)")
        elif not isinstance(obj, b.python_type):
            lines.append(head + "refused: no binding for %s here (this binding is for %s)"
                         % (_qualname(type(obj)), _qualname(b.python_type)))
        else:
            lines.append(head + "refused by the owner's from_python")
    return "\n".join(lines)


def signature_text(func) -> str:
    """The signature lines a pybind11 or nanobind function documents."""
    nb = getattr(func, "__nb_signature__", None)
    if nb:
        return "\n".join(str(entry[0]) for entry in nb)
    doc = getattr(func, "__doc__", None) or ""
    name = getattr(func, "__name__", "")
    return "\n".join(line for line in doc.splitlines() if name and name + "(" in line)


def wanted_types(func) -> List[str]:
    """The published C++ types a function's signature names, by the Python
    name of a binding or by C++ name, in registry order (no duplicates)."""
    import re
    text = signature_text(func)
    words = set(re.findall(r"[A-Za-z_][\w.:<>, ]*[\w>]", text))
    tokens = set()
    for w in words:
        tokens.update(t.strip() for t in re.split(r"[\[\](),|]", w) if t.strip())
    names: List[str] = []
    for b in bindings():
        cpp = b.native_type or b.cpp_name
        if not cpp or cpp in names:
            continue
        py = _qualname(b.python_type)
        short = b.python_type.__name__
        if py in tokens or cpp in tokens or (cpp in text and "<" in cpp) or re.search(
                r"\b%s\b" % re.escape(py), text) or (short in tokens and short == cpp):
            names.append(cpp)
    return names


def _explain_function(func, obj) -> str:
    module = getattr(func, "__module__", None)
    name = getattr(func, "__name__", repr(func))
    name = "%s.%s" % (module, name) if isinstance(module, str) else name
    wanted = wanted_types(func)
    head = "bindbridge: %s(...) called with a %s" % (name, _qualname(type(obj)))
    if not wanted:
        return head + "\n  its signature names no type published on the registry:\n    " + \
            signature_text(func).replace("\n", "\n    ")
    tag = _module_abi_tag(module) if isinstance(module, str) else None
    return "\n".join([head] + [explain(cpp, obj, tag) for cpp in wanted])


def _module_abi_tag(module: str) -> Optional[str]:
    """The ABI tag of the C++ framework whose bindings ``module`` publishes
    (None if it publishes none, or bindings of frameworks with other tags)."""
    fws = {f.address: f for f in frameworks()}
    tags = {_cpp_abi_tag(b, fws) for b in bindings()
            if getattr(b.python_type, "__module__", None) == module} - {None}
    return tags.pop() if len(tags) == 1 else None


def _cpp_abi_tag(binding: Optional[Binding], fws) -> Optional[str]:
    """The ABI tag of ``binding``'s framework if it is a C++ one, else None."""
    fw = fws.get(binding.framework_address) if binding is not None else None
    return fw.abi_tag if fw is not None and fw.language == "C++" else None


def _qualname(t) -> str:
    module = getattr(t, "__module__", None)
    name = getattr(t, "__qualname__", getattr(t, "__name__", repr(t)))
    return name if module in (None, "builtins") else "%s.%s" % (module, name)


def registry_exists() -> bool:
    """True if some framework has created this interpreter's registry."""
    return _diag.registry_exists()


def assume_pybind11_2x_string_abi(abi: Optional[int]) -> None:
    """Say which libstdc++ string ABI (``_GLIBCXX_USE_CXX11_ABI``, 0 or 1)
    the pybind11 2.x modules of this process were built with; ``None``
    forgets it.

    Unmodified pybind11 2.11-2.13 modules ask exported types for their C++
    object through ``_pybind11_conduit_v1_`` with an id that leaves the
    string ABI out (manylinux2014 wheels use 0, local builds usually 1), so
    bindbridge answers that id only after this call, and only in modules
    whose own string ABI is ``abi``.  pybind11 3.x ids name the string ABI
    and need no such promise."""
    _diag.assume_pybind11_2x_string_abi(abi)


def _installed_dir(marker: str) -> str:
    """The directory holding `marker` (a path below the package): beside
    this file in a wheel install; in an editable install, whose Python
    files stay in the source tree, where the distribution's record put it."""
    here = os.path.dirname(os.path.abspath(__file__))
    beside = os.path.join(here, *marker.split("/"))
    if os.path.exists(beside):
        return os.path.dirname(beside)
    try:
        import importlib.metadata as metadata

        for f in metadata.files("bindbridge") or ():
            if f.as_posix() == "bindbridge/" + marker:
                return os.path.dirname(str(f.locate()))
    except Exception:
        pass
    return os.path.dirname(beside)


def include_dir() -> str:
    """The directory to add to the include path (holds ``bindbridge/``)."""
    return os.path.dirname(_installed_dir("include/bindbridge/version.h"))


def cmake_dir() -> str:
    """The directory holding ``bindbridgeConfig.cmake``."""
    return _installed_dir("share/cmake/bindbridge/bindbridgeConfig.cmake")
