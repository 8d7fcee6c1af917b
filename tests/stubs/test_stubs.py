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
