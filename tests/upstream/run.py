#!/usr/bin/env python3
"""tests/upstream/run.py: the frameworks' own test suites, built with bindbridge in.

    .venv/bin/python tests/upstream/run.py --build build/upstream            # adapter in (CI)
    .venv/bin/python tests/upstream/run.py --build build/upstream --no-adapter  # the same, pristine

Claim under test: linking bindbridge must not change what a framework does
with its own types.  The pybind11 and nanobind sdists on PyPI carry their
test suites; this script fetches them (``pip download``, sha256 pinned
below), builds a selection of their tests with the bindbridge adapter
included, every namespace-scope type of those tests declared imported
(``BINDBRIDGE_*_IMPORT``) and every module's types exported
(``bindbridge::export_all``), and runs their pytest files unchanged.

Nothing of the frameworks is committed: the sdists are unpacked under the
build directory and patched there, by the rules in this file:

- ``#include <bindbridge/...>`` after the framework's include;
- the import macros at global scope, each at an anchor line after the
  type's definition and before the first use of its caster (a point inside
  namespaces closes and reopens them around the macros).  Types defined
  inside function bodies cannot be named and are not imported; every
  other type left out is listed with its reason (FilePatch.skipped);
- ``bindbridge::export_all(m)`` as the last statement of every module and
  test submodule body, preceded by ``export_type<E>(m)`` for nanobind's
  enums (FilePatch.exports), which export_all cannot publish.

Every anchor must be found exactly once and every listed type must be
defined before its anchor, else the run stops with PatchError: an upstream
change cannot silently turn a test into a no-op.  After the build, a
separate interpreter imports the built modules and checks on the
pymetabind registry that every bound type of every module was published
by that framework through bindbridge (and, with --no-adapter, that none
was), so a green run proves the adapter was in.

``--no-adapter`` builds and runs the same selection unpatched, in a build
tree of its own: a test that fails only with the adapter in is a
bindbridge bug (report it, never deselect it); DESELECT lists only tests
that fail without the adapter too, each with its reason.

The framework headers and CMake packages come from the venv (pybind11 and
nanobind from requirements-dev.txt); the script stops when their versions
differ from the sdists'.  CMake projects of our own (generated into the
build directory) compile the selected test sources with the upstream
suites' warning flags, definitions, build types and module layout.
Builds are incremental: unchanged patched files keep their timestamps.
Standard library only.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

VENV_BIN = Path(sys.executable).parent

# The sdists, pinned by hash: a changed upload must not go unnoticed.
SDISTS = {
    "pybind11": ("3.1.0", "a1cc06b524ab3edca51f8ad3895f9c4fa20b8b19283173dff4ae781449dc9639"),
    "nanobind": ("3.1.0", "6661e3dc1434d78781ccf7913442d90361dab395c3424efadb63bbb6ddea7ea3"),
}

MARK = "// bindbridge: added by tests/upstream/run.py"


class PatchError(RuntimeError):
    """An anchor of the patch is missing or ambiguous: upstream changed."""


# ---------------------------------------------------------------------------
# What is patched
# ---------------------------------------------------------------------------

@dataclass
class Imports:
    """Import macros for TYPES, inserted before the one line matching BEFORE.

    NAMESPACES: the namespaces open at that line (outermost first; "" for
    an anonymous one), closed before the macros and reopened after them."""

    before: str
    types: Sequence[str]
    namespaces: Sequence[str] = ()


@dataclass
class FilePatch:
    path: str  # relative to the sdist's tests/
    include_after: Optional[str] = None  # regex: the bindbridge include goes after the last match
    imports: Sequence[Imports] = ()
    module_body: Optional[str] = None  # regex with group 'var': export_all(var) ends that body
    # exported with export_type<T>(var) before export_all: what export_all
    # cannot publish (nanobind keeps no public record of an enum's C++ type)
    exports: Sequence[str] = ()
    skipped: Dict[str, str] = field(default_factory=dict)  # namespace-scope types not imported: why


@dataclass
class Suite:
    name: str
    header: str  # <bindbridge/...>
    macro: str
    patches: Sequence[FilePatch]
    pytest_files: Sequence[str]
    modules: Sequence[str]  # importable after the build: checked on the registry
    min_published: int  # at least this many types must be published


TEST_SUBMODULE = r"^TEST_SUBMODULE\(\w+,\s*(?P<var>\w+)\)\s*\{\s*$"
NB_MODULE = r"^NB_MODULE\(\w+,\s*(?P<var>\w+)\)\s*\{\s*$"

PYBIND11 = Suite(
    name="pybind11",
    header="bindbridge/pybind11.h",
    macro="BINDBRIDGE_PYBIND11_IMPORT",
    modules=["pybind11_tests"],
    min_published=100,
    # pybind11 3.1 has no test_inheritance: single inheritance is in
    # test_class, smart_holder (py::classh) hierarchies in test_class_sh_inheritance.
    pytest_files=["test_class.py", "test_class_sh_inheritance.py", "test_multiple_inheritance.py",
                  "test_virtual_functions.py", "test_smart_ptr.py", "test_enum.py"],
    patches=[
        # Every test TU includes pybind11_tests.h: the adapter comes in with it,
        # and UserType/IncType (used across TUs) are imported in all of them.
        FilePatch("pybind11_tests.h",
                  include_after=r"^#include <pybind11/pybind11\.h>$",
                  imports=[Imports(r"^union IntFloat \{$", ["UserType", "IncType"])],
                  skipped={"UnregisteredType": "never bound: its conversion errors are the test",
                           "IntFloat": "a union, never bound",
                           "UnusualOpRef": "never bound",
                           "RValueCaster": "has a type_caster of its own (the test's)",
                           "TestContext": "its caster is used inside its own class body "
                                          "(contextEnter: py::cast(*this)), where it is "
                                          "not complete yet"}),
        # Included by most test TUs (and bound in pybind11_tests.cpp): imported in the header.
        FilePatch("constructor_stats.h",
                  imports=[Imports(r"^// To track construction/destruction, you need to call "
                                   r"these methods from the various$", ["ConstructorStats"])]),
        FilePatch("pybind11_tests.cpp",
                  module_body=r"^PYBIND11_MODULE\(pybind11_tests,\s*(?P<var>\w+)\b.*\{\s*$"),
        FilePatch("test_class.cpp",
                  imports=[
                      Imports(r"^void bind_empty0\(py::module_ &m\) \{$",
                              ["test_class::pr4220_tripped_over_this::Empty0"],
                              namespaces=["test_class", "pr4220_tripped_over_this"]),
                      Imports(r"^TEST_SUBMODULE\(class_, m\) \{$",
                              ["NoBraceInitialization", "test_class::ConvertibleFromAnything"]),
                  ],
                  module_body=TEST_SUBMODULE,
                  skipped={"ForwardClass": "declared, never defined",
                           "Args": "a py::args subclass (pybind11 special-cases it)",
                           "BreaksBase": "class templates only named in static_asserts, never bound",
                           "BreaksTramp": "trampoline templates, never bound"}),
        FilePatch("test_class_sh_inheritance.cpp",
                  imports=[Imports(r"^TEST_SUBMODULE\(class_sh_inheritance, m\) \{$",
                                   ["pybind11_tests::class_sh_inheritance::base",
                                    "pybind11_tests::class_sh_inheritance::drvd",
                                    "pybind11_tests::class_sh_inheritance::base1",
                                    "pybind11_tests::class_sh_inheritance::base2",
                                    "pybind11_tests::class_sh_inheritance::drvd2"],
                                   namespaces=["pybind11_tests", "class_sh_inheritance"])],
                  module_body=TEST_SUBMODULE),
        FilePatch("test_multiple_inheritance.cpp",
                  imports=[Imports(r"^TEST_SUBMODULE\(multiple_inheritance, m\) \{$",
                                   ["Vanilla", "WithStatic1", "WithStatic2", "VanillaStaticMix1",
                                    "VanillaStaticMix2", "Base1a", "Base2a", "Base12a", "I801B1",
                                    "I801B2", "I801C", "I801D"]
                                   + ["BaseN<%d>" % n for n in range(1, 18)])],
                  module_body=TEST_SUBMODULE),
        FilePatch("test_virtual_functions.cpp",
                  imports=[
                      Imports(r"^class PyExampleVirt : public ExampleVirt \{$", ["ExampleVirt"]),
                      # returned by value from NCVirtTrampoline's overrides
                      Imports(r"^class NCVirt \{$", ["NonCopyable", "Movable"]),
                      # an argument of Adder's override
                      Imports(r"^struct Adder : AdderBase \{$", ["AdderBase::Data"]),
                      Imports(r"^TEST_SUBMODULE\(virtual_functions, m\) \{$",
                              ["NCVirt", "Base", "DispatchIssue", "AdderBase", "Adder",
                               "test_override_cache_helper"]),
                      Imports(r"^void initialize_inherited_virtuals\(py::module_ &m\) \{$",
                              ["A_Repeat", "B_Repeat", "C_Repeat", "D_Repeat",
                               "A_Tpl", "B_Tpl", "C_Tpl", "D_Tpl"]),
                  ],
                  module_body=TEST_SUBMODULE,
                  skipped={"PyExampleVirt": "a trampoline (alias), not a bound type",
                           "NCVirtTrampoline": "a trampoline", "PyA_Repeat": "a trampoline",
                           "PyA_Tpl": "trampoline templates",
                           "test_override_cache_helper_trampoline": "a trampoline"}),
        FilePatch("test_smart_ptr.cpp",
                  imports=[Imports(r"^TEST_SUBMODULE\(smart_ptr, m\) \{$",
                                   ["MyObject2", "MyObject3", "MyObject4",
                                    "MyObject4a", "MyObject4b", "MyObject5", "MyObject6",
                                    "SharedPtrRef", "SharedPtrRef::A", "SharedFromThisRef",
                                    "SharedFromThisRef::B", "Issue6064UnsafePath",
                                    "SharedFromThisVBase", "SharedFromThisVirt", "SftVirtBase",
                                    "SftVirtDerived", "SftVirtDerived2", "C",
                                    "TypeForHolderWithAddressOf",
                                    "TypeForMoveOnlyHolderWithAddressOf", "HeldByDefaultHolder",
                                    "ElementBase", "ElementA", "ElementList",
                                    # protected destructors (intrusive refcount, object.h)
                                    "Object", "MyObject1"])],
                  module_body=TEST_SUBMODULE,
                  skipped={"holder_caster_traits_test::example_drvd":
                           "the test specialises copyable_holder_caster/move_only_holder_caster "
                           "for it: the import's type_caster<shared_ptr<T>> / <unique_ptr<T>> "
                           "would replace the very casters under test",
                           "huge_unique_ptr": "holder templates (not bound types)",
                           "ref": "a holder template (object.h)"}),
        # Every enum of test_enum.cpp is defined inside the submodule's body.
        FilePatch("test_enum.cpp", module_body=TEST_SUBMODULE),
    ],
)

NANOBIND_INCLUDE = r"^#include <nanobind/[\w/]+\.h>$"

NANOBIND = Suite(
    name="nanobind",
    header="bindbridge/nanobind.h",
    macro="BINDBRIDGE_NANOBIND_IMPORT",
    modules=["test_classes_ext", "test_holders_ext", "test_enum_ext",
             "test_inter_module_1_ext", "test_inter_module_2_ext"],
    min_published=60,
    pytest_files=["test_classes.py", "test_holders.py", "test_inter_module.py", "test_enum.py"],
    patches=[
        FilePatch("test_classes.cpp",
                  include_after=NANOBIND_INCLUDE,
                  # Before the first function that converts Wrapper (nb::find).
                  imports=[Imports(r"^int wrapper_tp_traverse\(PyObject \*self, visitproc visit, "
                                   r"void \*arg\) \{$",
                                   ["Struct", "PairStruct", "InitListTest", "OptionalNoneTest",
                                    "Big", "BigAligned", "Animal", "Pooled", "PooledGC",
                                    "PooledTraverse", "BenchPooled", "BenchUnpooled",
                                    "StaticProperties", "StaticProperties2", "Wrapper",
                                    "StructWithWeakrefs", "StructWithWeakrefsAndDynamicAttrs",
                                    "UniqueInt"])],
                  module_body=NB_MODULE,
                  skipped={"Shared": "bound by test_inter_module_2_ext in the 'mydomain' "
                                     "domain; test_inter_module.py::test01 asserts that this "
                                     "module refuses it: importing it is the opt-in to accept it",
                           "DefVisitor": "a def_visitor, not a bound type",
                           "NeverDestruct": "a pimpl whose implementation type is incomplete "
                                            "here (nb::never_destruct): bindbridge's by-value "
                                            "return path (the importer's heap copy, deleted if "
                                            "the owner refuses it) instantiates T's destructor, "
                                            "which cannot compile for it; nanobind's own casters "
                                            "destroy through the binding and never do"}),
        # test_classes_extra.cpp defines NeverDestruct's members, no conversions.
        FilePatch("test_holders.cpp",
                  include_after=NANOBIND_INCLUDE,
                  imports=[Imports(r"^NB_MODULE\(test_holders_ext, m\) \{$",
                                   ["ExampleSrc", "SharedWrapper", "UniqueWrapper",
                                    "UniqueWrapper2", "ExampleST", "SharedWrapperST", "PetKind",
                                    "Pet", "Dog", "Cat",
                                    # query_shared_2 takes std::shared_ptr<Example>&
                                    "Example"])],
                  module_body=NB_MODULE,
                  exports=["PetKind"]),
        FilePatch("test_enum.cpp",
                  include_after=NANOBIND_INCLUDE,
                  imports=[Imports(r"^NB_MODULE\(test_enum_ext, m\) \{$",
                                   ["Enum", "Flag", "UnsignedFlag", "SEnum", "Color",
                                    "ClassicEnum", "Item", "EnumProperty", "EnumWrapper",
                                    "EnumWrapper::Value"])],
                  module_body=NB_MODULE,
                  exports=["Enum", "Flag", "UnsignedFlag", "SEnum", "Color", "ClassicEnum",
                           "Item", "EnumWrapper::Value"],
                  skipped={"OpaqueEnum": "NB_MAKE_OPAQUE gives it a type_caster of its own "
                                         "(a second specialisation cannot compile)"}),
        FilePatch("test_inter_module_1.cpp",
                  include_after=NANOBIND_INCLUDE,
                  imports=[Imports(r"^NB_MODULE\(test_inter_module_1_ext, m\) \{$", ["Shared"])],
                  module_body=NB_MODULE),
        FilePatch("test_inter_module_2.cpp",
                  include_after=NANOBIND_INCLUDE,
                  imports=[Imports(r"^NB_MODULE\(test_inter_module_2_ext, m\) \{$", ["Shared"])],
                  module_body=NB_MODULE),
    ],
)

SUITES = {"pybind11": PYBIND11, "nanobind": NANOBIND}

# Tests deselected in both modes, because they fail without the adapter
# too (environment, not bindbridge): (node id relative to tests/, reason).
DESELECT: Dict[str, List[Tuple[str, str]]] = {
    "pybind11": [],
    "nanobind": [],
}


# ---------------------------------------------------------------------------
# Patching
# ---------------------------------------------------------------------------

def _one_line(text: str, pattern: str, path: str, what: str) -> "re.Match[str]":
    hits = list(re.finditer(pattern, text, re.M))
    if len(hits) != 1:
        raise PatchError("%s: %s: /%s/ matches %d lines (want exactly 1)"
                         % (path, what, pattern, len(hits)))
    return hits[0]


def _skip_literal(text: str, i: int) -> int:
    """Index just past the comment or string/char literal starting at i, or i."""
    if text.startswith("//", i):
        j = text.find("\n", i)
        return len(text) if j < 0 else j
    if text.startswith("/*", i):
        j = text.find("*/", i + 2)
        if j < 0:
            raise PatchError("unterminated comment")
        return j + 2
    m = re.compile(r'(?:u8|[uUL])?R"([^()\\\s]{0,16})\(').match(text, i)
    if m and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
        end = text.find(")" + m.group(1) + '"', m.end())
        if end < 0:
            raise PatchError("unterminated raw string")
        return end + len(m.group(1)) + 2
    c = text[i]
    # (a quote after a digit or letter is a digit separator or a literal's prefix)
    if c == '"' or (c == "'" and not (i > 0 and (text[i - 1].isalnum() or text[i - 1] == "_"))):
        j = i + 1
        while j < len(text) and text[j] != c:
            j += 2 if text[j] == "\\" else 1
        return j + 1
    return i


def _closing_brace(text: str, open_idx: int, path: str) -> int:
    depth = 0
    i = open_idx
    while i < len(text):
        j = _skip_literal(text, i)
        if j != i:
            i = j
            continue
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                if text.rfind("\n", 0, i) != i - 1:
                    raise PatchError("%s: the module body's closing brace is not at the start "
                                     "of a line (brace matching went wrong?)" % path)
                return i
        i += 1
    raise PatchError("%s: no closing brace for the module body" % path)


def _defined_before(name: str, text: str, limit: int, headers: str) -> bool:
    """Whether a class/struct/union/enum NAME (its last component) is defined
    in an included local header or in text before offset limit."""
    last = re.sub(r"<.*>$", "", name).split("::")[-1]
    definition = re.compile(r"\b(?:struct|class|union|enum(?:\s+class)?)\s+"
                            r"(?:\w+\s+|alignas\([^)]*\)\s+)*%s\b[^;{()]*\{" % re.escape(last))
    alias = re.compile(r"\busing\s+%s\s*=" % re.escape(last))
    for rx in (definition, alias):
        m = rx.search(text)
        if m and m.start() < limit:
            return True
        if rx.search(headers):
            return True
    return False


def patch_file(fp: FilePatch, suite: Suite, text: str, local_headers: str) -> str:
    """The patched text of one upstream file."""
    path = fp.path
    # Positions refer to the original text; edits are applied back to front.
    edits: List[Tuple[int, str]] = []
    if fp.include_after:
        hits = list(re.finditer(fp.include_after, text, re.M))
        if not hits:
            raise PatchError("%s: no framework include /%s/" % (path, fp.include_after))
        end = text.index("\n", hits[-1].end()) + 1 if "\n" in text[hits[-1].end():] else len(text)
        edits.append((end, "#include <%s> %s\n" % (suite.header, MARK)))
    for imp in fp.imports:
        anchor = _one_line(text, imp.before, path, "import anchor")
        for t in imp.types:
            if not _defined_before(t, text, anchor.start(), local_headers):
                raise PatchError("%s: %s is not defined before /%s/" % (path, t, imp.before))
        lines = [MARK]
        lines += ["} // namespace %s" % (ns or "(anonymous)") for ns in reversed(imp.namespaces)]
        lines += ["%s(%s)" % (suite.macro, t) for t in imp.types]
        lines += ["namespace %s{" % (ns + " " if ns else "") for ns in imp.namespaces]
        edits.append((anchor.start(), "\n".join(lines) + "\n"))
    if fp.module_body:
        head = _one_line(text, fp.module_body, path, "module body")
        close = _closing_brace(text, text.index("{", head.start()), path)
        var = head.group("var")
        body = "".join("    bindbridge::export_type<%s>(%s); %s\n" % (t, var, MARK) for t in fp.exports)
        edits.append((close, body + "    bindbridge::export_all(%s); %s\n" % (var, MARK)))
    # (at one position, the edit listed first ends up first)
    for _, (pos, insert) in sorted(enumerate(edits), key=lambda e: (e[1][0], e[0]), reverse=True):
        text = text[:pos] + insert + text[pos:]
    return text


def _local_headers(tests: Path, text: str) -> str:
    out = []
    for name in re.findall(r'^#include "([\w.]+)"', text, re.M):
        p = tests / name
        if p.is_file():
            out.append(p.read_text())
    return "\n".join(out)


# ---------------------------------------------------------------------------
# Fetch, unpack, sync
# ---------------------------------------------------------------------------

def log(msg: str) -> None:
    print("[upstream] " + msg, flush=True)


def run(cmd: Sequence[str], **kw) -> subprocess.CompletedProcess:
    log("$ " + " ".join(str(c) for c in cmd))
    return subprocess.run([str(c) for c in cmd], **kw)


def fetch(name: str, cache: Path) -> Path:
    version, sha = SDISTS[name]
    sdist = cache / ("%s-%s.tar.gz" % (name, version))
    if not sdist.is_file():
        cache.mkdir(parents=True, exist_ok=True)
        r = run([sys.executable, "-m", "pip", "download", "--disable-pip-version-check",
                 "--quiet", "--no-deps", "--no-binary", ":all:", "--no-build-isolation",
                 "%s==%s" % (name, version), "-d", cache])
        if r.returncode != 0 or not sdist.is_file():
            raise SystemExit("upstream: pip download of %s==%s failed" % (name, version))
    digest = hashlib.sha256(sdist.read_bytes()).hexdigest()
    if digest != sha:
        raise SystemExit("upstream: %s has sha256 %s, pinned %s (delete it to fetch again, "
                         "or update SDISTS after checking the new upload)" % (sdist, digest, sha))
    return sdist


def unpack(sdist: Path, dest: Path) -> Path:
    """Unpacks the sdist's tests/ (and the top-level files pytest reads)
    into a fresh temporary tree; returns its root."""
    root = Path(tempfile.mkdtemp(prefix="upstream-", dir=dest.parent))
    with tarfile.open(sdist) as tf:
        members = []
        for m in tf.getmembers():
            parts = Path(m.name).parts
            if len(parts) < 2 or ".." in parts or Path(m.name).is_absolute():
                continue
            if (parts[1] == "tests" or (len(parts) == 2 and parts[1] == "pyproject.toml")) \
                    and (m.isfile() or m.isdir()):
                members.append(m)
        safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
        tf.extractall(root, members=members, **safe)
    tops = [p for p in root.iterdir() if p.is_dir()]
    if len(tops) != 1 or not (tops[0] / "tests").is_dir():
        raise SystemExit("upstream: %s has no tests/ directory: the framework's own tests are "
                         "not in its sdist" % sdist.name)
    return tops[0]


def sync(src: Path, dst: Path) -> None:
    """Makes dst a copy of src, rewriting only files whose content changed
    (so ninja rebuilds only what the patch or the mode changed)."""
    seen = set()
    for p in sorted(src.rglob("*")):
        rel = p.relative_to(src)
        seen.add(rel)
        q = dst / rel
        if p.is_dir():
            q.mkdir(parents=True, exist_ok=True)
        elif not q.is_file() or q.read_bytes() != p.read_bytes():
            q.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(p, q)
    for q in sorted(dst.rglob("*"), reverse=True):
        rel = q.relative_to(dst)
        if rel not in seen and not any(part in ("__pycache__", ".pytest_cache") for part in rel.parts):
            if q.is_dir():
                shutil.rmtree(q, ignore_errors=True)
            else:
                q.unlink()


def write_if_changed(path: Path, text: str) -> None:
    if not path.is_file() or path.read_text() != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def prepare(suite: Suite, sdist: Path, tree: Path, adapter: bool) -> Path:
    """The sdist's tests in tree/<name>-<version>/, patched when adapter is on.
    Returns that root."""
    tree.mkdir(parents=True, exist_ok=True)
    tmp_root = unpack(sdist, tree)
    try:
        tests = tmp_root / "tests"
        for f in list(suite.pytest_files) + [p.path for p in suite.patches]:
            if not (tests / f).is_file():
                raise PatchError("%s: tests/%s is not in the sdist" % (sdist.name, f))
        if adapter:
            for fp in suite.patches:
                p = tests / fp.path
                text = p.read_text()
                p.write_text(patch_file(fp, suite, text, _local_headers(tests, text)))
        dest = tree / tmp_root.name
        dest.mkdir(exist_ok=True)
        sync(tmp_root, dest)
        return dest
    finally:
        shutil.rmtree(tmp_root.parent, ignore_errors=True)


# ---------------------------------------------------------------------------
# Build
# ---------------------------------------------------------------------------

CMAKE_HEAD = """\
# Generated by bindbridge tests/upstream/run.py: a selection of {name}'s own tests{mode}.
cmake_minimum_required(VERSION 3.18...3.31)
project(upstream_{name} CXX)
find_package(Python 3.8 COMPONENTS Interpreter Development.Module REQUIRED)
set(T "{tests}")
set(OUT "${{CMAKE_BINARY_DIR}}/modules")
"""

PYBIND11_CMAKE = """\
find_package(pybind11 CONFIG REQUIRED)
# As tests/CMakeLists.txt: one module (LTO as pybind11_add_module's default),
# pybind11_enable_warnings() (no -Werror by default there), MinSizeRel.
pybind11_add_module(pybind11_tests {sources})
target_compile_options(pybind11_tests PRIVATE -Wall -Wextra -Wpedantic -Wconversion -Wcast-qual
                       -Wdeprecated -Wundef -Wnon-virtual-dtor)
set_target_properties(pybind11_tests PROPERTIES LIBRARY_OUTPUT_DIRECTORY "${{OUT}}")
{link}
"""

NANOBIND_CMAKE = """\
find_package(nanobind CONFIG REQUIRED)
# As tests/CMakeLists.txt: leaks at exit abort, warnings are errors, the
# inter-module pair in domain 'mydomain' linked to the inter_module library.
add_compile_definitions(NB_ABORT_ON_LEAK)
add_compile_options($<$<COMPILE_LANGUAGE:CXX>:-Werror> -Wall -Wextra -Wconversion)
set(CMAKE_LIBRARY_OUTPUT_DIRECTORY "${{OUT}}")
nanobind_add_module(test_classes_ext "${{T}}/test_classes.cpp" "${{T}}/test_classes_extra.cpp")
nanobind_add_module(test_holders_ext "${{T}}/test_holders.cpp")
nanobind_add_module(test_enum_ext "${{T}}/test_enum.cpp")
add_library(inter_module SHARED "${{T}}/inter_module.h" "${{T}}/inter_module.cpp")
target_compile_definitions(inter_module PRIVATE -DSHARED_BUILD)
target_compile_features(inter_module PRIVATE cxx_std_17)
target_include_directories(inter_module PRIVATE "${{NB_DIR}}/include")
nanobind_add_module(test_inter_module_1_ext "${{T}}/test_inter_module_1.cpp" NB_DOMAIN mydomain)
nanobind_add_module(test_inter_module_2_ext "${{T}}/test_inter_module_2.cpp" NB_DOMAIN mydomain)
target_link_libraries(test_inter_module_1_ext PRIVATE inter_module)
target_link_libraries(test_inter_module_2_ext PRIVATE inter_module)
{link}
"""


def framework_version(name: str) -> Tuple[str, str]:
    """(version, CMake dir) of the framework installed in this venv."""
    flag = {"pybind11": "--cmakedir", "nanobind": "--cmake_dir"}[name]
    code = "import %s, sys; sys.stdout.write(%s.__version__)" % (name, name)
    version = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             check=True).stdout.strip()
    cmake_dir = subprocess.run([sys.executable, "-m", name, flag], capture_output=True,
                               text=True, check=True).stdout.strip()
    return version, cmake_dir


def configure_and_build(suite: Suite, root: Path, work: Path, adapter: bool, jobs: int) -> None:
    tests = root / "tests"
    head = CMAKE_HEAD.format(name=suite.name, tests=tests.as_posix(),
                             mode=" with the bindbridge adapter" if adapter else ", unpatched")
    if suite.name == "pybind11":
        sources = " ".join('"${T}/%s"' % p.path for p in suite.patches if p.path.endswith(".cpp"))
        link = ("find_package(bindbridge CONFIG REQUIRED)\n"
                "target_link_libraries(pybind11_tests PRIVATE bindbridge::headers)"
                if adapter else "")
        body = PYBIND11_CMAKE.format(sources=sources, link=link)
        build_type = "MinSizeRel"
    else:
        targets = " ".join(suite.modules)
        link = ("find_package(bindbridge CONFIG REQUIRED)\n"
                "foreach(t %s)\n  target_link_libraries(${t} PRIVATE bindbridge::headers)\n"
                "endforeach()" % targets if adapter else "")
        body = NANOBIND_CMAKE.format(link=link)
        build_type = "Release"
    project = work / "project"
    write_if_changed(project / "CMakeLists.txt", head + body)
    version, cmake_dir = framework_version(suite.name)
    want = SDISTS[suite.name][0]
    if version != want:
        raise SystemExit("upstream: the venv has %s %s, the tests are %s's: install %s==%s"
                         % (suite.name, version, want, suite.name, want))
    args = [VENV_BIN / "cmake", "-S", project, "-B", work / "build", "-G", "Ninja",
            "-DCMAKE_MAKE_PROGRAM=%s" % (VENV_BIN / "ninja"),
            "-DCMAKE_BUILD_TYPE=%s" % build_type,
            "-DPython_EXECUTABLE=%s" % sys.executable,
            "-D%s_DIR=%s" % (suite.name, cmake_dir)]
    if adapter:
        bb = subprocess.run([sys.executable, "-m", "bindbridge", "--cmake-dir"],
                            capture_output=True, text=True, check=True).stdout.strip()
        args.append("-Dbindbridge_DIR=%s" % bb)
    if run(args, stdout=subprocess.DEVNULL).returncode != 0:
        raise SystemExit("upstream: cmake configure of %s failed" % suite.name)
    if run([VENV_BIN / "cmake", "--build", work / "build", "--parallel", str(jobs)]).returncode:
        raise SystemExit("upstream: build of %s failed" % suite.name)


# ---------------------------------------------------------------------------
# Check the registry, run pytest
# ---------------------------------------------------------------------------

def check_registry(framework: str, modules: Sequence[str], adapter: bool, minimum: int) -> int:
    """(Run in a fresh interpreter.) Imports the built modules; every type
    they bind (module attributes, one level of submodules) must be published
    on the registry by `framework` through bindbridge, and at least
    `minimum` of them; with adapter off, none may be."""
    import enum
    import importlib
    import types

    import bindbridge

    def bound_by_framework(t: type) -> bool:
        meta = type(t).__name__
        if framework == "pybind11":
            return meta == "pybind11_type"
        # (nanobind's enums are enum.Enum subclasses with their record in __nb_enum__)
        return meta.startswith("nb_type") or (issubclass(t, enum.Enum) and
                                              "__nb_enum__" in vars(t))

    found: Dict[type, str] = {}
    for name in modules:
        mod = importlib.import_module(name)
        scopes = [mod] + [v for v in vars(mod).values() if isinstance(v, types.ModuleType)
                          and v.__name__.startswith(name + ".")]
        for scope in scopes:
            for attr, v in vars(scope).items():
                if isinstance(v, type) and bound_by_framework(v):
                    found.setdefault(v, "%s.%s" % (scope.__name__, attr))
    published = {b.python_type: b for b in bindbridge.bindings()}
    ours = [t for t in found if t in published and
            published[t].framework.startswith(framework + " ") and
            "bindbridge" in published[t].framework]
    fws = sorted({f.name for f in bindbridge.frameworks()})
    print("registry: %d %s types bound by %s; %d published by bindbridge; frameworks: %s"
          % (len(found), framework, ", ".join(modules), len(ours), fws or "none"))
    if adapter:
        missing = [t for t in found if t not in ours]
        for what, group in (("classes", [t for t in missing if not issubclass(t, enum.Enum)]),
                            ("enums", [t for t in missing if issubclass(t, enum.Enum)])):
            if group:
                print("registry: %s NOT published: %s"
                      % (what, ", ".join(sorted(found[t] for t in group))))
        if len(ours) < minimum:
            print("registry: fewer than %d types published" % minimum)
        return 1 if missing or len(ours) < minimum else 0
    if ours:
        print("registry: published although the adapter is off: %s"
              % ", ".join(sorted(found[t] for t in ours)))
        return 1
    return 0


def junit_counts(path: Path, pytest_files: Sequence[str]) -> Dict[str, object]:
    """passed/skipped/failed/errors and the failing node ids, from pytest's junit XML."""
    counts: Dict[str, object] = {"passed": 0, "skipped": 0, "failed": 0, "errors": 0,
                                 "failures": []}
    if not path.is_file():
        return counts
    files = {Path(f).stem for f in pytest_files}
    for case in ET.parse(path).getroot().iter("testcase"):
        parts = case.get("classname", "").split(".")
        at = next((i for i, p in enumerate(parts) if p in files), len(parts) - 1)
        node = "::".join(["%s.py" % parts[at]] + parts[at + 1:] + [case.get("name", "")])
        kinds = {child.tag for child in case}
        for kind, key in (("failure", "failed"), ("error", "errors"), ("skipped", "skipped")):
            if kind in kinds:
                counts[key] += 1  # type: ignore[operator]
                if kind != "skipped":
                    counts["failures"].append(node + ("" if kind == "failure" else " (error)"))  # type: ignore[union-attr]
                break
        else:
            counts["passed"] += 1  # type: ignore[operator]
    return counts


def run_pytest(suite: Suite, root: Path, work: Path, pytest_args: Sequence[str]) -> Tuple[int, Dict]:
    tests = root / "tests"
    env = dict(os.environ)
    env.pop("PYTEST_ADDOPTS", None)
    env["PYTHONPATH"] = str(work / "build" / "modules")
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"  # only the suite's own conftest and plugins
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    ini = tests / "pytest.ini" if suite.name == "pybind11" else root / "pyproject.toml"
    xml = work / "junit.xml"
    if xml.exists():
        xml.unlink()
    cmd = [sys.executable, "-m", "pytest", "-c", ini, "--rootdir", ini.parent,
           "-p", "no:cacheprovider", "--junitxml", xml, *suite.pytest_files]
    for node, _why in DESELECT[suite.name]:
        cmd += ["--deselect", node]
    cmd += list(pytest_args)
    rc = run(cmd, cwd=tests, env=env).returncode
    return rc, junit_counts(xml, suite.pytest_files)


# ---------------------------------------------------------------------------

def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", required=True, type=Path, help="build directory (e.g. build/upstream)")
    ap.add_argument("--no-adapter", action="store_true",
                    help="build and run the selection unpatched (own build tree)")
    ap.add_argument("--only", choices=sorted(SUITES), action="append",
                    help="one framework (repeatable; default: both)")
    ap.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1),
                    help="parallel compile jobs (default: min(2, cores))")
    ap.add_argument("--check-registry", nargs="+", metavar=("FRAMEWORK", "MODULE"),
                    help=argparse.SUPPRESS)
    ap.add_argument("--minimum", type=int, default=0, help=argparse.SUPPRESS)
    ap.add_argument("pytest_args", nargs="*", help="passed to pytest (after --)")
    args = ap.parse_args(argv)

    if args.check_registry:
        return check_registry(args.check_registry[0], args.check_registry[1:],
                              not args.no_adapter, args.minimum)

    adapter = not args.no_adapter
    build = args.build.resolve()
    mode = "adapter" if adapter else "plain"
    summary = []
    failed = False
    t_all = time.monotonic()
    for name in args.only or ["pybind11", "nanobind"]:
        suite = SUITES[name]
        work = build / mode / name
        log("%s %s, %s" % (name, SDISTS[name][0],
                           "with the bindbridge adapter" if adapter else "unpatched"))
        t0 = time.monotonic()
        sdist = fetch(name, build / "cache")
        try:
            root = prepare(suite, sdist, build / mode / "src", adapter)
        except PatchError as e:
            print("upstream: PatchError: %s\nupstream: the patch rules in %s no longer fit "
                  "%s's tests: update them (never drop a test to make it fit)"
                  % (e, Path(__file__).name, name), file=sys.stderr)
            return 2
        configure_and_build(suite, root, work, adapter, args.jobs)
        t_build = time.monotonic() - t0

        t1 = time.monotonic()
        env = dict(os.environ, PYTHONPATH=str(work / "build" / "modules"))
        reg = run([sys.executable, Path(__file__).resolve(), "--build", build,
                   "--minimum", str(suite.min_published),
                   *(["--no-adapter"] if not adapter else []),
                   "--check-registry", name, *suite.modules], env=env).returncode
        rc, counts = run_pytest(suite, root, work, args.pytest_args)
        t_test = time.monotonic() - t1
        ok = rc == 0 and reg == 0
        failed |= not ok
        summary.append((name, counts, reg, rc, t_build, t_test))

    print("\nupstream tests, %s, %.0f s in all:" % (
        "bindbridge adapter in" if adapter else "no adapter", time.monotonic() - t_all))
    for name, c, reg, rc, tb, tt in summary:
        print("%s: %d passed, %d failed, %d skipped"
              % (name, c["passed"], c["failed"] + c["errors"], c["skipped"]))
        print("    %s %s, %s; registry check %s; pytest exit %d; build %.0f s, tests %.0f s"
              % (name, SDISTS[name][0], "adapter in" if adapter else "no adapter",
                 "ok" if reg == 0 else "FAILED", rc, tb, tt))
        for f in c["failures"]:
            print("    FAILED " + f)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
