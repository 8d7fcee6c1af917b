"""bench/build.py: builds the benchmark's modules into build/bench/modules.

    python bench/build.py [--out build/bench] [--no-main]

- bbv_pb2136, bbv_pb310, bbv_nb2150, bbv_nb310, bbv_bp174: the version test modules
  (tests/versions/version_module.cpp, same names, ids and flags as
  tests/versions builds them) but never stripped, so callgrind profiles
  name their functions; --no-main skips them (the runner then takes
  tests/versions' own builds, e.g. in CI);
- bbb_nobb_<fw>: the same source with BBV_NO_BINDBRIDGE, one per framework
  version (the same module without bindbridge, same C++ types and ids, in a
  pybind11 internals / nanobind domain of its own; Boost.Python's registry
  is process-wide, so bbb_nobb_bp174 binds id 23 instead: the same code for
  another C++ type);
- bbb_plain_pb304: an unmodified pybind11 3.0.4 module, the conduit's user;
- bbbench: callgrind markers and the 10,000-type scale benchmark;
- bbtest_cpp: the C-API test framework (C++ build), as tests/ builds it.

Framework wheels are shared with tests/versions (build/versions/frameworks).
The Boost.Python modules build against the system's Boost.Python (./dev
installs it); without it they are skipped with one line, and the report
leaves their rows out.  Every build is re-run (a no-op when nothing changed), two at a time.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import List, NamedTuple, Tuple

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


sys.path.insert(0, str(HERE))
from cases import load_vbuild  # noqa: E402  (tests/versions/build.py, by path)

vbuild = load_vbuild()


class Extra(NamedTuple):
    name: str
    kind: str            # version | nobb | plain | tools
    framework: str = ""  # pybind11 | nanobind
    version: str = ""
    id: int = 0
    defines: Tuple[str, ...] = ()
    main: bool = False  # a version module (skipped with --no-main)


PB5 = ("PYBIND11_INTERNALS_VERSION=5",)
SH = ("BBV_SMART_HOLDER",)  # as tests/versions/matrix.py's bbv_pb310

EXTRAS: List[Extra] = [
    Extra("bbv_pb2136", "version", "pybind11", "2.13.6", 2, PB5, main=True),
    Extra("bbv_pb310", "version", "pybind11", "3.1.0", 4, SH, main=True),
    Extra("bbv_nb2150", "version", "nanobind", "2.15.0", 6, main=True),
    Extra("bbv_nb310", "version", "nanobind", "3.1.0", 7, main=True),
    Extra("bbb_nobb_pb2136", "nobb", "pybind11", "2.13.6", 2, PB5),
    Extra("bbb_nobb_pb310", "nobb", "pybind11", "3.1.0", 4, SH),
    Extra("bbb_nobb_nb2150", "nobb", "nanobind", "2.15.0", 6),
    Extra("bbb_nobb_nb310", "nobb", "nanobind", "3.1.0", 7),
    Extra("bbv_bp174", "version", "boost_python", "1.74.0", 22, main=True),
    Extra("bbb_nobb_bp174", "nobb", "boost_python", "1.74.0", 23),
    Extra("bbb_plain_pb304", "plain", "pybind11", "3.0.4", 30),
    Extra("bbbench", "tools"),
    Extra("bbtest_cpp", "capi"),
]


def build_one(out: Path, e: Extra, bindbridge_dir: str, tools: Path, python: str) -> float:
    start = time.time()
    bdir = out / "build" / e.name
    cmd = [str(tools / "cmake"), "-S", str(HERE), "-B", str(bdir), "-G", "Ninja",
           "-DCMAKE_MAKE_PROGRAM=%s" % (tools / "ninja"), "-DCMAKE_BUILD_TYPE=Release",
           "-DPython_EXECUTABLE=%s" % python, "-Dbindbridge_DIR=%s" % bindbridge_dir,
           "-DBBB_KIND=%s" % e.kind, "-DBBB_NAME=%s" % e.name, "-DBBB_OUT=%s" % (out / "modules")]
    if e.framework:
        cmd += ["-DBBB_FRAMEWORK=%s" % e.framework, "-DBBB_ID=%d" % e.id,
                "-DBBB_DEFINES=%s" % ";".join(e.defines)]
    if e.framework and e.framework not in vbuild.SYSTEM:
        root = vbuild.fetch(ROOT / "build" / "versions", e.framework, e.version)
        cmd += ["-DBBB_CMAKE_DIR=%s" % vbuild.cmake_dir(root, e.framework)]
    # Configured again whenever the command changes (a define added to an
    # Extra must reach a build directory made before it).
    stamp = bdir / "bbb-configure.txt"
    if not (bdir / "build.ninja").exists() or not stamp.exists() or stamp.read_text() != "\n".join(cmd):
        vbuild.run(cmd)
        stamp.write_text("\n".join(cmd))
    vbuild.run([str(tools / "cmake"), "--build", str(bdir), "--parallel", "1"])
    return time.time() - start


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, default=ROOT / "build" / "bench")
    ap.add_argument("--no-main", action="store_true", help="skip the version modules")
    ap.add_argument("--python", default=sys.executable)
    args = ap.parse_args(argv)
    out = args.out.resolve()
    tools = Path(sys.executable).parent
    bindbridge_dir = vbuild.run([args.python, "-m", "bindbridge", "--cmake-dir"]).strip()
    todo = [e for e in EXTRAS if not (args.no_main and e.main)]
    missing = vbuild.boost_python_missing(args.python)
    if missing:
        print("==> bench: skipped the Boost.Python modules: %s (install libboost-python-dev)" % missing)
        todo = [e for e in todo if e.framework != "boost_python"]
    for e in todo:  # fetch sequentially (pip's cache is not made for parallel use)
        if e.framework and e.framework not in vbuild.SYSTEM:
            vbuild.fetch(ROOT / "build" / "versions", e.framework, e.version)
    def report(e, seconds, error):
        if error is not None:
            print("==> bench: FAILED %s\n%s" % (e.name, error), flush=True)
        elif seconds > 2:
            print("==> bench: built %-16s %5.1f s" % (e.name, seconds), flush=True)

    failed = vbuild.two_at_a_time(todo, lambda e: build_one(out, e, bindbridge_dir, tools, args.python),
                                  report)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
