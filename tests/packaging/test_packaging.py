# tests/packaging/test_packaging.py: the installed wheel: --cmake-dir/--include-dir, its files, find_package(bindbridge CONFIG) from outside.
#
# Runs against the bindbridge installed in this interpreter (pip install .),
# never the source tree: every path comes from `python -m bindbridge` or
# from the wheel's RECORD.
import importlib
import importlib.machinery
import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import bindbridge

DIST = "bindbridge"
CMAKE_DIR_SPELLINGS = ("--cmake-dir", "--cmakedir", "--cmake_dir")

# A venv's console scripts (pip's cmake and ninja) sit beside the interpreter
# even when the venv is not activated.
_TOOL_PATH = os.pathsep.join(
    [os.environ.get("PATH", ""), os.path.dirname(sys.executable)]
)
CMAKE = shutil.which("cmake", path=_TOOL_PATH)
NINJA = shutil.which("ninja", path=_TOOL_PATH)
needs_cmake = pytest.mark.skipif(CMAKE is None, reason="cmake not found on PATH")

CONSUMER_CPP = r"""
#include <bindbridge/version.h>
#include <cstdio>
#include <cstring>

extern "C" const char *consumer_c_version(void);

static_assert(BINDBRIDGE_VERSION_HEX ==
                  ((BINDBRIDGE_VERSION_MAJOR << 24) |
                   (BINDBRIDGE_VERSION_MINOR << 16) |
                   (BINDBRIDGE_VERSION_PATCH << 8)),
              "BINDBRIDGE_VERSION_HEX disagrees with MAJOR.MINOR.PATCH");

int main() {
    // The C translation unit saw the same header through the same target.
    if (std::strcmp(consumer_c_version(), BINDBRIDGE_VERSION_STRING) != 0) {
        std::printf("C says %s\n", consumer_c_version());
        return 1;
    }
    std::printf("%s\n", BINDBRIDGE_VERSION_STRING);
    return 0;
}
"""

# version.h promises C99: compile it as strict C99 too.
CONSUMER_C = r"""
#include <bindbridge/version.h>

const char *consumer_c_version(void) { return BINDBRIDGE_VERSION_STRING; }
"""

CONSUMER_CMAKE = r"""
cmake_minimum_required(VERSION 3.15)
project(consumer C CXX)
find_package(bindbridge 0.1 CONFIG REQUIRED)
message(STATUS "BBR bindbridge_DIR=${bindbridge_DIR}")
message(STATUS "BBR bindbridge_INCLUDE_DIR=${bindbridge_INCLUDE_DIR}")
get_target_property(_inc bindbridge::headers INTERFACE_INCLUDE_DIRECTORIES)
message(STATUS "BBR target_include=${_inc}")
add_executable(consumer main.cpp version.c)
set_target_properties(consumer PROPERTIES
  C_STANDARD 99 C_STANDARD_REQUIRED ON C_EXTENSIONS OFF
  CXX_STANDARD 11 CXX_STANDARD_REQUIRED ON CXX_EXTENSIONS OFF)
if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
  target_compile_options(consumer PRIVATE -Wall -Wextra -pedantic -Werror)
endif()
target_link_libraries(consumer PRIVATE bindbridge::headers)
"""

# Rejection by the version file happens before any compiler is needed.
VERSION_CMAKE = r"""
cmake_minimum_required(VERSION 3.15)
project(consumer_version NONE)
find_package(bindbridge @VERSION@ CONFIG @REQUIRED@)
message(STATUS "BBR bindbridge_FOUND=${bindbridge_FOUND}")
"""


def run(cmd, cwd=None, expect_ok=True):
    """Run cmd; on an unexpected exit status fail with the command and its output."""
    env = dict(os.environ)
    # Only the paths each test passes may lead CMake to a bindbridge.
    for var in ("CMAKE_PREFIX_PATH", "bindbridge_DIR", "bindbridge_ROOT"):
        env.pop(var, None)
    proc = subprocess.run(
        [str(c) for c in cmd],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        universal_newlines=True,
        timeout=300,
    )
    if (proc.returncode == 0) != expect_ok:
        pytest.fail(
            "command {}: exit {}\n$ {}\n{}".format(
                "failed" if expect_ok else "unexpectedly succeeded",
                proc.returncode,
                " ".join(str(c) for c in cmd),
                proc.stdout,
            ),
            pytrace=False,
        )
    return proc


def bindbridge_main(*args, cwd):
    out = run([sys.executable, "-m", "bindbridge"] + list(args), cwd=cwd).stdout
    lines = out.strip().splitlines()
    assert len(lines) == 1, "expected one path from {}, got:\n{}".format(args, out)
    path = Path(lines[0])
    assert path.is_absolute(), path
    return path


def same_dir(a, b):
    return Path(os.path.realpath(str(a))) == Path(os.path.realpath(str(b)))


def is_editable():
    # PEP 610: pip records how it installed the distribution.
    text = importlib.metadata.distribution(DIST).read_text("direct_url.json")
    return bool(text) and json.loads(text).get("dir_info", {}).get("editable", False)


def installed_files():
    files = importlib.metadata.files(DIST)
    assert files, "no RECORD for the {} distribution".format(DIST)
    return {f.as_posix(): f for f in files}


def configure_args(build_dir):
    args = [CMAKE, "-S", build_dir.parent / "src", "-B", build_dir]
    if NINJA:
        args += ["-G", "Ninja", "-DCMAKE_MAKE_PROGRAM=" + NINJA]
    return args


@pytest.fixture(scope="module")
def cmake_dir(tmp_path_factory):
    return bindbridge_main("--cmake-dir", cwd=tmp_path_factory.mktemp("cwd"))


@pytest.fixture(scope="module")
def include_dir(tmp_path_factory):
    return bindbridge_main("--include-dir", cwd=tmp_path_factory.mktemp("cwd"))


def test_cmake_dir_spellings_agree(tmp_path):
    dirs = [bindbridge_main(s, cwd=tmp_path) for s in CMAKE_DIR_SPELLINGS]
    assert dirs[0].is_dir(), dirs[0]
    for spelling, d in zip(CMAKE_DIR_SPELLINGS, dirs):
        assert d == dirs[0], "{} printed {}, --cmake-dir {}".format(spelling, d, dirs[0])
    for name in ("bindbridgeConfig.cmake", "bindbridgeConfigVersion.cmake"):
        assert (dirs[0] / name).is_file(), dirs[0] / name


def test_cli_spellings_exactly(tmp_path, include_dir):
    # The spellings pybind11's and nanobind's CLIs use, and no abbreviation.
    assert bindbridge_main("--include_dir", cwd=tmp_path) == include_dir
    flags = subprocess.run([sys.executable, "-m", "bindbridge", "--includes"], cwd=tmp_path,
                           capture_output=True, text=True, check=True).stdout.strip()
    assert flags == "-I%s" % include_dir
    for abbreviation in ("--include-d", "--cmake", "--inc", "--stubgen"):
        proc = subprocess.run([sys.executable, "-m", "bindbridge", abbreviation], cwd=tmp_path,
                              capture_output=True, text=True)
        assert proc.returncode == 2, (abbreviation, proc.stdout, proc.stderr)


def test_include_dir_has_headers(include_dir):
    for header in ("protocol.h", "version.h"):
        assert (include_dir / "bindbridge" / header).is_file(), include_dir


def test_dirs_are_the_installed_copies(cmake_dir, include_dir):
    # Not a source checkout that happens to be importable.
    files = installed_files()
    config = files["bindbridge/share/cmake/bindbridge/bindbridgeConfig.cmake"]
    protocol = files["bindbridge/include/bindbridge/protocol.h"]
    assert same_dir(config.locate().parent, cmake_dir)
    assert same_dir(protocol.locate().parent.parent, include_dir)


def test_wheel_files():
    files = installed_files()
    # An editable install (scikit-build-core's redirect mode) records only
    # what CMake installed; the .py files stay in python/bindbridge.
    python_files = [] if is_editable() else [
        "bindbridge/__init__.py",
        "bindbridge/__main__.py",
    ]
    expected = python_files + [
        "bindbridge/include/bindbridge/protocol.h",
        "bindbridge/include/bindbridge/version.h",
        "bindbridge/include/bindbridge/conduit/serve.h",  # (a folder of its own: issue 15)
        "bindbridge/share/cmake/bindbridge/bindbridgeConfig.cmake",
        "bindbridge/share/cmake/bindbridge/bindbridgeConfigVersion.cmake",
        "bindbridge/share/cmake/bindbridge/bindbridgeTargets.cmake",
        "bindbridge/share/cmake/bindbridge/bindbridgeImportHeader.cmake",
    ]
    if not is_editable():
        expected += ["bindbridge/header.py", "bindbridge/stubgen-patterns.txt"]
    missing = [name for name in expected if name not in files]
    assert not missing, "not in the wheel: {}\nit has: {}".format(missing, sorted(files))
    diag = [
        name
        for name in files
        if name.startswith("bindbridge/_diag.")
        and any(name.endswith(s) for s in importlib.machinery.EXTENSION_SUFFIXES)
    ]
    assert len(diag) == 1, sorted(files)
    for name in expected + diag:
        assert Path(str(files[name].locate())).is_file(), name


def test_diag_extension_imports():
    # Catches a wrong suffix or install destination, not _diag's behaviour.
    mod = importlib.import_module("bindbridge._diag")
    package_dirs = [Path(p) for p in bindbridge.__path__]
    assert Path(mod.__file__).parent in package_dirs, (mod.__file__, package_dirs)
    if not is_editable():
        assert Path(mod.__file__).parent == Path(bindbridge.__file__).parent


def test_license_and_metadata():
    # BSD-3-Clause, as pybind11 and nanobind; the text ships in the wheel.
    meta = importlib.metadata.metadata(DIST)
    assert meta["License-Expression"] == "BSD-3-Clause", meta.items()
    assert meta["Description-Content-Type"] == "text/markdown"
    assert meta.get_payload().lstrip().startswith("# bindbridge")  # the README
    classifiers = meta.get_all("Classifier")
    for minor in range(8, 14):
        assert "Programming Language :: Python :: 3.%d" % minor in classifiers
    licenses = [f for f in installed_files() if f.endswith("licenses/LICENSE")]
    assert licenses, sorted(installed_files())
    text = Path(str(installed_files()[licenses[0]].locate())).read_text()
    assert text.startswith("BSD 3-Clause License")
    assert text == (Path(__file__).resolve().parents[2] / "LICENSE").read_text()


def test_scikit_build_core_root_entry_point():
    # scikit-build-core reads the "cmake.root" entry points of the build
    # environment and sets <name>_ROOT to the loaded module's folder, which
    # find_package(bindbridge) then searches first (#20 item 4).
    eps = importlib.metadata.entry_points()
    group = eps.select(group="cmake.root") if hasattr(eps, "select") else eps.get("cmake.root", [])
    ours = [ep for ep in group if ep.name == "bindbridge"]
    assert len(ours) == 1, list(group)
    # (scikit-build-core takes importlib.resources.files(module): for a
    # regular package, its folder)
    root = Path(ours[0].load().__file__).parent
    if not is_editable():
        assert (root / "share" / "cmake" / "bindbridge" / "bindbridgeConfig.cmake").is_file(), root


def test_dunder_version_matches_metadata():
    assert bindbridge.__version__ == importlib.metadata.version(DIST)


@needs_cmake
@pytest.mark.parametrize("how", ["bindbridge_DIR", "prefix=cmake-dir", "prefix=package"])
def test_find_package_builds_consumer(tmp_path, cmake_dir, include_dir, how):
    src = tmp_path / "src"
    src.mkdir()
    (src / "CMakeLists.txt").write_text(CONSUMER_CMAKE)
    (src / "main.cpp").write_text(CONSUMER_CPP)
    (src / "version.c").write_text(CONSUMER_C)
    build = tmp_path / "build"
    if how == "bindbridge_DIR":
        where = "-Dbindbridge_DIR={}".format(cmake_dir)
    elif how == "prefix=cmake-dir":  # as pybind11 documents --cmakedir
        where = "-DCMAKE_PREFIX_PATH={}".format(cmake_dir)
    else:  # <prefix>/share/cmake/<name>/, the usual Unix search path
        where = "-DCMAKE_PREFIX_PATH={}".format(cmake_dir.parent.parent.parent)
    out = run(configure_args(build) + [where], cwd=tmp_path).stdout
    seen = dict(
        line.split("BBR ", 1)[1].split("=", 1)
        for line in out.splitlines()
        if "BBR " in line
    )
    assert same_dir(seen["bindbridge_DIR"], cmake_dir), out
    assert same_dir(seen["bindbridge_INCLUDE_DIR"], include_dir), out
    assert same_dir(seen["target_include"], include_dir), out

    run([CMAKE, "--build", build], cwd=tmp_path)
    exe = build / ("consumer.exe" if os.name == "nt" else "consumer")
    printed = run([exe], cwd=tmp_path).stdout.strip()
    assert printed == importlib.metadata.version(DIST)


@needs_cmake
# 0.0 is refused only by SameMinorVersion (AnyNewerVersion would take it).
@pytest.mark.parametrize("version", ["0.2", "1.0", "0.1.1", "0.0"])
def test_find_package_rejects_other_versions(tmp_path, cmake_dir, version):
    installed = importlib.metadata.version(DIST)
    assert installed == "0.1.0", "update the versions this test asks for"
    src = tmp_path / "src"
    src.mkdir()
    where = "-Dbindbridge_DIR={}".format(cmake_dir)

    cml = VERSION_CMAKE.replace("@VERSION@", version)
    (src / "CMakeLists.txt").write_text(cml.replace("@REQUIRED@", ""))
    out = run(configure_args(tmp_path / "optional") + [where], cwd=tmp_path).stdout
    assert "BBR bindbridge_FOUND=0" in out, out

    (src / "CMakeLists.txt").write_text(cml.replace("@REQUIRED@", "REQUIRED"))
    out = run(
        configure_args(tmp_path / "required") + [where], cwd=tmp_path, expect_ok=False
    ).stdout
    # CMake names the requested version and the one it found and refused.
    flat = " ".join(out.split())
    assert '"{}"'.format(version) in flat, out
    assert "version: {}".format(installed) in flat, out


def test_path_queries_work_without_the_extension(tmp_path):
    # #20 item 2: where _diag cannot load (another Python, a broken build),
    # the build-system queries still answer; the diagnostics say why not.
    script = (
        "import sys, runpy\n"
        "sys.modules['bindbridge._diag'] = None\n"  # importing it fails
        "sys.argv = ['bindbridge'] + sys.argv[1:]\n"
        "runpy.run_module('bindbridge', run_name='__main__', alter_sys=True)\n")
    for flag in ("--cmake-dir", "--cmakedir", "--cmake_dir", "--include-dir", "--includes",
                 "--stubgen-patterns"):
        proc = subprocess.run([sys.executable, "-c", script, flag], cwd=tmp_path,
                              capture_output=True, text=True)
        assert proc.returncode == 0 and proc.stdout.strip(), (flag, proc.stdout, proc.stderr)
        assert Path(proc.stdout.strip().replace("-I", "", 1)).exists(), proc.stdout
    proc = subprocess.run([sys.executable, "-c",
                           "import sys; sys.modules['bindbridge._diag'] = None\n"
                           "import bindbridge\n"
                           "print(bindbridge.cmake_dir())\n"
                           "bindbridge.frameworks()\n"], cwd=tmp_path, capture_output=True,
                          text=True)
    assert proc.returncode == 1 and "bindbridge._diag" in proc.stderr, proc.stderr
    assert Path(proc.stdout.strip()).is_dir(), proc.stdout
