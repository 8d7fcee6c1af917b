"""tests/packaging/test_wheel.py: the wheels pip builds are ones a package index accepts.

The default wheel is per Python version: it carries the bridges
(cmake/bridges.cmake), each built for this interpreter.  With
`-C wheel.py-api=cp39`, one cp39-abi3 wheel serves CPython 3.9 and later,
without bridges (_diag uses the limited API only).  auditwheel finds both
consistent with a manylinux tag (they need nothing but libc and
libstdc++), so `auditwheel repair` can retag them.  The file list is
pinned: every header of include/ (as git tracks them), the CMake package,
the Python package, the extensions, the license, nothing else.
"""

from __future__ import annotations

import re
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _build(out: Path, *settings: str) -> Path:
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--no-build-isolation", "--disable-pip-version-check", "-w", str(out),
                    *["-C" + s for s in settings], str(ROOT)], check=True)
    (whl,) = out.glob("*.whl")
    return whl


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    # ./dev's package build, reused where it exists (its bridges compiled
    # once): the same sources and settings give the same wheel.
    reuse = ROOT / "build" / "package"
    return _build(tmp_path_factory.mktemp("wheel"), *(["build-dir=%s" % reuse] if reuse.is_dir() else []))


@pytest.fixture(scope="module")
def abi3_wheel(tmp_path_factory):
    if sys.version_info < (3, 9):
        pytest.skip("3.8 predates the cp39 stable ABI")
    return _build(tmp_path_factory.mktemp("abi3"), "wheel.py-api=cp39")


def _tags(wheel: Path):
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        return [line for line in z.read(next(n for n in names if n.endswith(".dist-info/WHEEL")))
                .decode().splitlines() if line.startswith("Tag:")], names


def _bridges_for_this_python():
    versions = (["4"] if sys.version_info < (3, 12) else []) + ["5", "11"]
    versions += ["12"] if sys.version_info >= (3, 9) else []  # (pybind11 3.1: 3.9+)
    # nanobind: 2.9 (v16) on 3.8+, 2.10-2.15 (v17-v21) on 3.9+, 3.x (v22) on 3.10+
    nb = [16] + (list(range(17, 22)) if sys.version_info >= (3, 9) else [])
    nb += [22] if sys.version_info >= (3, 10) else []
    return ["_bridge_pybind11_v" + v for v in versions] + ["_bridge_nanobind_v%d" % v for v in nb]


def test_the_default_wheel_is_per_version_with_the_bridges(wheel):
    py = "cp%d%d" % sys.version_info[:2]
    assert re.fullmatch(r"bindbridge-[0-9.]+-%s-%s-linux_x86_64\.whl" % (py, py), wheel.name), wheel.name
    tags, names = _tags(wheel)
    assert tags == ["Tag: %s-%s-linux_x86_64" % (py, py)], tags
    suffix = sysconfig.get_config_var("EXT_SUFFIX")
    assert sorted(n for n in names if n.endswith(".so")) == sorted(
        "bindbridge/%s%s" % (m, suffix) for m in ["_diag"] + _bridges_for_this_python()), names


def test_one_stable_abi_wheel_has_no_bridges(abi3_wheel):
    assert re.fullmatch(r"bindbridge-[0-9.]+-cp39-abi3-linux_x86_64\.whl", abi3_wheel.name), abi3_wheel.name
    tags, names = _tags(abi3_wheel)
    assert tags == ["Tag: cp39-abi3-linux_x86_64"], tags
    assert [n for n in names if n.endswith(".so")] == ["bindbridge/_diag.abi3.so"], names


def _auditwheel(wheel: Path) -> str:
    auditwheel = Path(sys.executable).with_name("auditwheel")
    if not auditwheel.exists():
        pytest.skip("auditwheel is installed for Python 3.11+ only (requirements-dev.txt)")
    return subprocess.run([str(auditwheel), "show", str(wheel)], capture_output=True, text=True,
                          check=True).stdout


def test_auditwheel_says_manylinux(wheel):
    out = _auditwheel(wheel)
    # The bridges use libstdc++ (std::string) and the C library of the
    # machine that builds them: the tag is that machine's (a release builds
    # in a manylinux image).
    assert re.search(r'platform tag: "manylinux_2_[0-9]+_x86_64"', out), out
    # (only system libraries: libc, libgcc_s, libstdc++; a library that
    # would have to be bundled is listed as "required")
    assert "external shared libraries are required" not in out, out


def test_auditwheel_says_oldest_manylinux_for_abi3(abi3_wheel):
    out = _auditwheel(abi3_wheel)
    # the oldest tag: _diag uses no libstdc++ symbol newer than its oldest
    # (no std::string, whose C++11 ABI symbols would constrain it to 2_24)
    assert 'platform tag: "manylinux_2_5_x86_64"' in out, out
    assert "requires no external shared libraries" in out, out


def _tracked(folder):
    return subprocess.run(["git", "ls-files", folder], cwd=ROOT, capture_output=True, text=True,
                          check=True).stdout.split()


def test_wheel_file_list(wheel):
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
    version = wheel.name.split("-")[1]
    info = "bindbridge-%s.dist-info/" % version
    diag = [n for n in names if n.endswith(".so")]
    expected = {"bindbridge/" + p for p in _tracked("include")}
    expected |= {"bindbridge/" + p[len("python/bindbridge/"):] for p in _tracked("python/bindbridge")
                 if not p.endswith("/")}
    expected |= {"bindbridge/share/cmake/bindbridge/" + n for n in (
        "bindbridgeConfig.cmake", "bindbridgeConfigVersion.cmake", "bindbridgeTargets.cmake",
        "bindbridgeImportHeader.cmake")}
    expected |= {info + n for n in ("METADATA", "WHEEL", "entry_points.txt", "licenses/LICENSE",
                                    "RECORD")}
    assert len(diag) == 1 + len(_bridges_for_this_python()), sorted(names)
    assert names - set(diag) == expected, (sorted(names - set(diag) - expected),
                                           sorted(expected - names))
