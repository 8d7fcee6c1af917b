# tests/packaging/test_editable.py: an editable install (pip install -e .) prints paths that exist, and find_package works from them.
#
# scikit-build-core's editable installs leave the Python files in the
# source tree and put what CMake installs (headers, CMake config, _diag)
# into site-packages: --cmake-dir and --include-dir must name the latter
# (#20 item 5).  (Built without bridges: test_wheel.py builds those.)  Builds in a fresh venv of its own (about half a minute).
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from test_packaging import CONSUMER_C, CONSUMER_CMAKE, CONSUMER_CPP

ROOT = Path(__file__).resolve().parents[2]
_TOOL_PATH = os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")])
CMAKE = shutil.which("cmake", path=_TOOL_PATH)
NINJA = shutil.which("ninja", path=_TOOL_PATH)


def run(cmd, **kw):
    r = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kw)
    assert r.returncode == 0, "%s\n%s\n%s" % (cmd, r.stdout[-3000:], r.stderr[-3000:])
    return r.stdout


@pytest.mark.skipif(CMAKE is None, reason="cmake not found")
def test_editable_install_paths_exist_and_work(tmp_path):
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", venv])
    py = venv / "bin" / "python"
    run([py, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "-r", ROOT / "requirements-build.txt"])
    run([py, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "--no-build-isolation", "-C", "build-dir=%s" % (tmp_path / "skbuild"),
         "-C", "cmake.define.BINDBRIDGE_BRIDGES=OFF", "-e", ROOT])  # (bridges: test_wheel.py)
    cmake_dir = Path(run([py, "-m", "bindbridge", "--cmake-dir"], cwd=tmp_path).strip())
    include_dir = Path(run([py, "-m", "bindbridge", "--include-dir"], cwd=tmp_path).strip())
    assert (cmake_dir / "bindbridgeConfig.cmake").is_file(), cmake_dir
    assert (include_dir / "bindbridge" / "protocol.h").is_file(), include_dir
    # the Python package is the source tree's (editable), the rest installed
    where = run([py, "-c", "import bindbridge; print(bindbridge.__file__)"], cwd=tmp_path)
    assert Path(where.strip()).parent == ROOT / "python" / "bindbridge", where
    # (built without bridges: none found, and asking for them is no error)
    bridges = run([py, "-c", "import bindbridge; print(bindbridge.bridges(), bindbridge.bridge())"],
                  cwd=tmp_path)
    assert bridges.strip() == "[] []", bridges
    src, build = tmp_path / "src", tmp_path / "build"
    src.mkdir()
    (src / "CMakeLists.txt").write_text(CONSUMER_CMAKE)
    (src / "main.cpp").write_text(CONSUMER_CPP)
    (src / "version.c").write_text(CONSUMER_C)
    args = [CMAKE, "-S", src, "-B", build, "-Dbindbridge_DIR=%s" % cmake_dir]
    if NINJA:
        args += ["-G", "Ninja", "-DCMAKE_MAKE_PROGRAM=%s" % NINJA]
    run(args)
    run([CMAKE, "--build", build])
    assert run([build / "consumer"]).strip() == run(
        [py, "-c", "import bindbridge; print(bindbridge.__version__)"], cwd=tmp_path).strip()
