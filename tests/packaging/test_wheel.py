"""tests/packaging/test_wheel.py: the wheel pip builds is one a package index accepts.

One cp39-abi3 wheel serves CPython 3.9 and later (_diag uses the limited
API only), and auditwheel finds it consistent with a manylinux tag (it
needs nothing but libc and libstdc++), so `auditwheel repair` can retag it.
Its file list is pinned: every header of include/ (as git tracks them), the
CMake package, the Python package, the license, nothing else.
"""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--no-build-isolation", "--disable-pip-version-check", "-w", str(out),
                    str(ROOT)], check=True)
    (whl,) = out.glob("*.whl")
    return whl


@pytest.mark.skipif(sys.version_info < (3, 9), reason="3.8 predates the cp39 stable ABI "
                    "the wheel targets: it gets a per-version wheel")
def test_one_stable_abi_wheel(wheel):
    assert re.fullmatch(r"bindbridge-[0-9.]+-cp39-abi3-linux_x86_64\.whl", wheel.name), wheel.name
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        tags = [line for line in z.read(next(n for n in names if n.endswith(".dist-info/WHEEL")))
                .decode().splitlines() if line.startswith("Tag:")]
    assert tags == ["Tag: cp39-abi3-linux_x86_64"], tags
    assert [n for n in names if "_diag" in n] == ["bindbridge/_diag.abi3.so"], names


def test_auditwheel_says_manylinux(wheel):
    auditwheel = Path(sys.executable).with_name("auditwheel")
    if not auditwheel.exists():
        pytest.skip("auditwheel is installed for Python 3.11+ only (requirements-dev.txt)")
    out = subprocess.run([str(auditwheel), "show", str(wheel)], capture_output=True, text=True,
                         check=True).stdout
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
    diag = [n for n in names if n.startswith("bindbridge/_diag.")]
    expected = {"bindbridge/" + p for p in _tracked("include")}
    expected |= {"bindbridge/" + p[len("python/bindbridge/"):] for p in _tracked("python/bindbridge")
                 if not p.endswith("/")}
    expected |= {"bindbridge/share/cmake/bindbridge/" + n for n in (
        "bindbridgeConfig.cmake", "bindbridgeConfigVersion.cmake", "bindbridgeTargets.cmake",
        "bindbridgeImportHeader.cmake")}
    expected |= {info + n for n in ("METADATA", "WHEEL", "entry_points.txt", "licenses/LICENSE",
                                    "RECORD")}
    assert len(diag) == 1, sorted(names)
    assert names - set(diag) == expected, (sorted(names - set(diag) - expected),
                                           sorted(expected - names))
