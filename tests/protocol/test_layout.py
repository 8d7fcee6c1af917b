"""tests/protocol/test_layout.py: protocol.h against the spec's golden layout table, and its compile contract."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sysconfig
from pathlib import Path

import pytest

import bindbridge
from bindbridge import _diag

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
HEADER = ROOT / "include" / "bindbridge" / "protocol.h"
# The golden table lives in the team's shared/ folder beside the repository;
# a copy is kept here for clones without it (and checked equal when both exist).
SHARED_GOLDEN = ROOT.parent / "shared" / "spec" / "layout-v0.3.json"
LOCAL_GOLDEN = HERE / "layout-v0.3.json"


def golden() -> dict:
    data = json.loads(LOCAL_GOLDEN.read_text())
    if SHARED_GOLDEN.exists():
        assert json.loads(SHARED_GOLDEN.read_text()) == data, \
            "tests/protocol/layout-v0.3.json differs from shared/spec/layout-v0.3.json"
    return data


def test_golden_copy_is_current():
    if not SHARED_GOLDEN.exists():
        pytest.skip("no shared/ folder beside this clone")
    golden()


@pytest.mark.skipif(_diag.POINTER_SIZE != 8, reason="the golden table is for 64-bit targets")
@pytest.mark.parametrize("struct", ["pymb_list_node", "pymb_list", "pymb_registry",
                                    "pymb_framework", "pymb_binding", "pymb_to_python_feedback"])
def test_struct_layout_matches_spec(struct):
    expected = golden()[struct]
    actual = _diag.layout()[struct]
    assert actual["size"] == expected["size"]
    # Same fields, same order of offsets, same sizes.
    assert actual["fields"] == {k: list(v) for k, v in expected["fields"].items()}


def test_free_threaded_only_fields():
    # On a GIL build the mutex byte is padding: the structure must not have it.
    assert golden()["pymb_registry"]["free_threaded_only"] == {"mutex": [43, 1]}
    assert "mutex" not in _diag.layout()["pymb_registry"]["fields"]


def test_enum_values_match_spec():
    assert _diag.layout()["enums"] == golden()["enums"]


def test_wire_names_match_spec():
    assert _diag.layout()["names"] == golden()["names"]


def test_no_pymb_identifiers():
    # It must share a translation unit with the reference pymetabind.h.
    code = re.sub(r"/\*.*?\*/|//[^\n]*", " ", HEADER.read_text(), flags=re.S)
    code = re.sub(r'"(?:\\.|[^"\\])*"', '""', code)
    assert not re.search(r"\b(pymb_|PYMB_)\w*", code)
    # and the check itself can fail:
    assert re.search(r"\b(pymb_|PYMB_)\w*", "int pymb_x;")


# --- compile contract ------------------------------------------------------

def python_include(version: str) -> str | None:
    exe = shutil.which("python" + version)
    candidates = []
    if exe:
        out = subprocess.run([exe, "-c", "import sysconfig; print(sysconfig.get_paths()['include'])"],
                             capture_output=True, text=True)
        if out.returncode == 0:
            candidates.append(out.stdout.strip())
    pyenv_root = os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv"))
    candidates += sorted(str(p) for p in Path(pyenv_root, "versions").glob(
        version + "*/include/python" + version + "*"))
    for c in candidates:
        if Path(c, "Python.h").exists():
            return c
    return None


def compile_header(tmp_path: Path, compiler: str, std: str, include: str, *defines: str,
                   lang: str = "c") -> None:
    src = tmp_path / ("probe." + ("c" if lang == "c" else "cpp"))
    # Use the header, not just include it: take the address of every
    # operation so each definition is compiled.
    src.write_text(
        "#include <Python.h>\n#include \"bindbridge/protocol.h\"\n"
        "typedef void (*bbr_probe_fn)(void);\n"
        "bbr_probe_fn bbr_probe_table[] = {\n"
        "  (bbr_probe_fn) bbr_registry_get, (bbr_probe_fn) bbr_registry_find,\n"
        "  (bbr_probe_fn) bbr_add_framework, (bbr_probe_fn) bbr_remove_framework,\n"
        "  (bbr_probe_fn) bbr_add_binding, (bbr_probe_fn) bbr_add_binding_ex,\n"
        "  (bbr_probe_fn) bbr_add_binding_named,\n"
        "  (bbr_probe_fn) bbr_remove_binding, (bbr_probe_fn) bbr_get_binding,\n"
        "  (bbr_probe_fn) bbr_get_binding_checked, (bbr_probe_fn) bbr_registry_has_binding,\n"
        "  (bbr_probe_fn) bbr_list_append };\n")
    cmd = [compiler, "-std=" + std, "-Wall", "-Wextra", "-Werror", "-pedantic",
           "-I" + include, "-I" + str(ROOT / "include")] + list(defines) + \
        ["-c", str(src), "-o", str(tmp_path / "probe.o")]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    assert proc.returncode == 0, "%s\n%s" % (" ".join(cmd), proc.stderr)


HERE_INCLUDE = sysconfig.get_paths()["include"]


@pytest.mark.parametrize("compiler,std,lang", [("gcc", "c99", "c"), ("g++", "c++11", "cpp"),
                                               ("g++", "c++17", "cpp")])
def test_header_compiles_strict(tmp_path, compiler, std, lang):
    compile_header(tmp_path, compiler, std, HERE_INCLUDE, lang=lang)


@pytest.mark.parametrize("version", ["3.8", "3.9", "3.10", "3.12", "3.13"])
def test_header_compiles_with_other_pythons(tmp_path, version):
    include = python_include(version)
    if include is None:
        if os.environ.get("CI"):
            pytest.fail("Python %s headers not found on the CI machine" % version)
        pytest.skip("no Python %s headers here" % version)
    compile_header(tmp_path, "gcc", "c99", include)
    compile_header(tmp_path, "g++", "c++11", include, lang="cpp")


@pytest.mark.parametrize("compiler,std,lang", [("gcc", "c99", "c"), ("g++", "c++11", "cpp")])
def test_header_compiles_free_threaded(tmp_path, compiler, std, lang):
    include = python_include("3.13")
    if include is None:
        if os.environ.get("CI"):
            pytest.fail("Python 3.13 headers not found on the CI machine")
        pytest.skip("no Python 3.13 headers here")
    compile_header(tmp_path, compiler, std, include, "-DPy_GIL_DISABLED=1", lang=lang)


def test_layout_pins_fire(tmp_path):
    # The static assertions are live: a pin that cannot hold stops the build.
    src = tmp_path / "pin.c"
    src.write_text(
        "#include <Python.h>\n#include \"bindbridge/protocol.h\"\n"
        "typedef char bbr_probe_pin[(offsetof(bbr_binding, context) == 72) ? 1 : -1];\n")
    proc = subprocess.run(["gcc", "-std=c99", "-I" + HERE_INCLUDE, "-I" + str(ROOT / "include"),
                           "-c", str(src), "-o", str(tmp_path / "pin.o")],
                          capture_output=True, text=True)
    assert proc.returncode != 0 and "negative" in proc.stderr
    text = HEADER.read_text()
    for struct, entry in golden().items():
        if not struct.startswith("pymb_"):
            continue
        ours = struct.replace("pymb_", "bbr_")
        for field, (offset, size) in entry["fields"].items():
            assert "BBR_OFF_(%s, %s, %d, %d);" % (ours, field, offset, size) in text, \
                "no static assertion pins %s.%s" % (ours, field)


def test_version_macros():
    version_h = (ROOT / "include" / "bindbridge" / "version.h").read_text()
    assert '#define BINDBRIDGE_VERSION_STRING "%s"' % bindbridge.__version__ in version_h
    assert "#define BBR_PYMETABIND_VERSION_STRING \"0.3\"" in HEADER.read_text()
