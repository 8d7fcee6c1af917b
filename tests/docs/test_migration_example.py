"""tests/docs/test_migration_example.py: examples/migration builds, and its user code runs unchanged at every step.

The example of docs/large-codebases.md: a pybind11 module moved to
nanobind one file at a time (step 1 has both halves in one process,
joined by bindbridge).  Built as an outside CMake project, as a user would.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "migration"
_TOOL_PATH = os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")])
CMAKE = shutil.which("cmake", path=_TOOL_PATH)
NINJA = shutil.which("ninja", path=_TOOL_PATH)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    if CMAKE is None:
        pytest.fail("cmake not found")
    import bindbridge
    import nanobind
    import pybind11
    build = tmp_path_factory.mktemp("migration")
    args = [CMAKE, "-S", str(EXAMPLE), "-B", str(build), "-DCMAKE_BUILD_TYPE=Release",
            "-DPython_EXECUTABLE=" + sys.executable,
            "-Dbindbridge_DIR=" + bindbridge.cmake_dir(),
            "-Dpybind11_DIR=" + pybind11.get_cmake_dir(),
            "-Dnanobind_DIR=" + nanobind.cmake_dir()]
    if NINJA:
        args += ["-G", "Ninja", "-DCMAKE_MAKE_PROGRAM=" + NINJA]
    for cmd in (args, [CMAKE, "--build", str(build), "--parallel", "2"]):
        result = subprocess.run(cmd, capture_output=True, text=True)
        assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    return build


@pytest.mark.parametrize("step", ["step0", "step1", "step2"])
def test_user_code_runs_at_every_step(built, step):
    result = subprocess.run([sys.executable, str(EXAMPLE / "use.py"), str(built / step)],
                            capture_output=True, text=True)
    assert result.returncode == 0 and result.stderr == "", result.stdout + result.stderr
    assert result.stdout == "%s: kim keeps rex, polly (6 legs)\n" % step


def test_step1_has_both_frameworks(built):
    # (an importing framework joins the registry at its first conversion)
    out = subprocess.run([sys.executable, "-c", """
import sys
sys.path.insert(0, %r)
import zoo, zoo_animals
zoo.Keeper("kim").adopt(zoo.Animal("rex", 4))
print(zoo.Animal is zoo_animals.Animal)
import bindbridge
print(sorted({f.name.split()[0] for f in bindbridge.frameworks()}))
""" % str(built / "step1")], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["True", "['nanobind', 'pybind11']"], out.stdout
