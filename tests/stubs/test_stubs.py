"""tests/stubs/test_stubs.py: stub generators name foreign types by their Python names, importably.

Runs pybind11-stubgen on the pybind11 demo module that uses nanobind's Pet
(groomer) and nanobind's stubgen on the nanobind one that uses pybind11's
(groomer_nb).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEMO = Path(os.environ.get("BINDBRIDGE_DEMO_MODULES", ROOT / "build" / "demo"))


def _env():
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(DEMO)] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
    return env


@pytest.fixture(autouse=True)
def _demo_built():
    if not any(DEMO.glob("groomer*.so")):
        pytest.fail("demo modules not built in %s (./dev test builds them)" % DEMO, pytrace=False)


def test_pybind11_stubgen_names_the_nanobind_type(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "pybind11_stubgen", "groomer", "-o", str(tmp_path)],
                          capture_output=True, text=True, env=_env())
    assert proc.returncode == 0, proc.stdout + proc.stderr
    stub = (tmp_path / "groomer.pyi").read_text()
    assert "def groom(arg0: pets.Pet) -> str" in stub, stub
    assert "import pets" in stub, stub
    # the stub itself imports cleanly
    check = subprocess.run([sys.executable, "-c", "import ast,sys; ast.parse(open(sys.argv[1]).read())",
                            str(tmp_path / "groomer.pyi")], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr


def test_nanobind_stubgen_names_the_pybind11_type(tmp_path):
    out = tmp_path / "groomer_nb.pyi"
    proc = subprocess.run([sys.executable, "-m", "nanobind.stubgen", "-m", "groomer_nb", "-o", str(out)],
                          capture_output=True, text=True, env=_env())
    assert proc.returncode == 0, proc.stdout + proc.stderr
    stub = out.read_text()
    assert "def groom(arg: pets11.Pet, /) -> str" in stub, stub
    assert "import pets11" in stub, stub


def _mypy_or_skip():
    try:
        import mypy  # noqa: F401
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("mypy is not installed on the CI machine (requirements-dev.txt)")
        pytest.skip("mypy not installed (requirements-dev.txt, Python 3.11+)")


def _patterns():
    return subprocess.run([sys.executable, "-m", "bindbridge", "--stubgen-patterns"],
                          capture_output=True, text=True, check=True).stdout.strip()


def test_stubs_of_exporting_and_importing_modules_type_check(tmp_path):
    # Both stub generators on the owners (every class carries the protocol's
    # capsule) and on their users; mypy checks them all together, the users'
    # stubs importing the owners' (#19 item 6).
    _mypy_or_skip()
    for mod in ("pets", "groomer_nb"):  # nanobind: with bindbridge's pattern file
        proc = subprocess.run([sys.executable, "-m", "nanobind.stubgen", "-m", mod, "-q",
                               "-p", _patterns(), "-o", str(tmp_path / (mod + ".pyi"))],
                              capture_output=True, text=True, env=_env())
        assert proc.returncode == 0, proc.stdout + proc.stderr
    # (feeder: plain pybind11, no bindbridge; groomer_nb's stub names feeder.Bowl)
    for mod in ("pets11", "groomer", "feeder"):  # pybind11-stubgen: as it is
        proc = subprocess.run([sys.executable, "-m", "pybind11_stubgen", mod, "-o", str(tmp_path)],
                              capture_output=True, text=True, env=_env())
        assert proc.returncode == 0, proc.stdout + proc.stderr
    nb_owner = (tmp_path / "pets.pyi").read_text()
    assert "class Pet:" in nb_owner and "__pymetabind_binding__" not in nb_owner, nb_owner
    stubs = sorted(str(p) for p in tmp_path.glob("*.pyi"))
    assert len(stubs) == 5, stubs
    assert "feeder.Bowl" in (tmp_path / "groomer_nb.pyi").read_text()
    check = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-incremental", *stubs],
                           capture_output=True, text=True, cwd=tmp_path,
                           env=dict(os.environ, MYPYPATH=str(tmp_path)))
    assert check.returncode == 0, check.stdout + check.stderr


def test_nanobind_stub_without_the_pattern_file_names_an_undefined_type(tmp_path):
    # Why the pattern file exists: nanobind's stubgen alone writes the
    # capsule's type as PyCapsule, which no stub defines.
    out = tmp_path / "pets.pyi"
    proc = subprocess.run([sys.executable, "-m", "nanobind.stubgen", "-m", "pets", "-q", "-o",
                           str(out)], capture_output=True, text=True, env=_env())
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "__pymetabind_binding__: PyCapsule" in out.read_text()
