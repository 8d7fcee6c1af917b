"""tests/versions/build.py: fetch framework wheels and build one test module per framework version.

    python tests/versions/build.py --out build/versions [--only NAME ...] [--compile-only] [--opt=-O1]

Wheels come from PyPI through pip (cached in <out>/wheels) and are unpacked
to <out>/frameworks/<framework>-<version>; each module is its own CMake
build (<out>/build/<name>), so several versions of a framework never meet
in one CMake project.  Modules land in <out>/modules.  Two builds run at a
time; each stage's time is printed.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import matrix  # noqa: E402

sys.path.insert(0, str(HERE.parent.parent / "cmake"))
from fetch_framework import fetch  # noqa: E402  (shared with the package's bridges)


def run(cmd, **kw):
    proc = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if proc.returncode != 0:
        raise RuntimeError("command failed: %s\n%s\n%s" % (" ".join(map(str, cmd)), proc.stdout[-4000:],
                                                          proc.stderr[-4000:]))
    return proc.stdout


SYSTEM = ("boost_python",)  # frameworks from the system (no wheel to fetch)


def boost_python_missing_for(version: str) -> str:
    """Why the system's Boost.Python cannot build for Python `version`
    ("311"), or ""."""
    if not Path("/usr/include/boost/python.hpp").is_file():
        return "no /usr/include/boost/python.hpp"
    if not list(Path("/usr/lib").glob("*/libboost_python%s.so" % version)):
        return "no libboost_python%s.so" % version
    return ""


def boost_python_missing(python: str) -> str:
    """Why the system's Boost.Python cannot build for `python`, or ""."""
    return boost_python_missing_for(
        run([python, "-c", "import sys; print('%d%d' % sys.version_info[:2])"]).strip())


def cmake_dir(root: Path, framework: str) -> Path:
    if framework.startswith("pybind11"):
        return root / "pybind11" / "share" / "cmake" / "pybind11"
    return root / "nanobind" / "cmake"


def build(out: Path, b: matrix.Build, bindbridge_dir: str, tools: Path, python: str,
          opt: str = "") -> float:
    start = time.time()
    if b.framework in SYSTEM:
        root = out
    else:
        root = fetch(out, b.framework.split("-")[0], b.version)
    bdir = out / "build" / b.name
    cmd = [str(tools / "cmake"), "-S", str(HERE), "-B", str(bdir), "-G", "Ninja",
           "-DCMAKE_MAKE_PROGRAM=%s" % (tools / "ninja"), "-DCMAKE_BUILD_TYPE=Release",
           "-DPython_EXECUTABLE=%s" % python, "-Dbindbridge_DIR=%s" % bindbridge_dir,
           "-DBBV_FRAMEWORK=%s" % b.framework, "-DBBV_CMAKE_DIR=%s" % cmake_dir(root, b.framework),
           "-DBBV_NAME=%s" % b.name, "-DBBV_ID=%d" % b.id, "-DBBV_OUT=%s" % (out / "modules"),
           "-DBBV_DEFINES=%s" % ";".join(b.defines),
           "-DBBV_NB_DOMAIN=%s" % matrix.NB_DOMAINS.get(b.name, "")]
    if b.cxx:
        cmd.append("-DCMAKE_CXX_COMPILER=%s" % b.cxx)
    if b.flags:
        flags = " ".join(b.flags)
        cmd += ["-DCMAKE_CXX_FLAGS=%s" % flags, "-DCMAKE_MODULE_LINKER_FLAGS=%s" % flags,
                "-DCMAKE_SHARED_LINKER_FLAGS=%s" % flags]
    level = b.opt or opt or matrix.opt_of(b)
    if level:
        # (Release's own -O3 would come after CMAKE_CXX_FLAGS and win)
        cmd.append("-DCMAKE_CXX_FLAGS_RELEASE=%s -DNDEBUG" % level)
    run(cmd)
    run([str(tools / "cmake"), "--build", str(bdir), "--parallel", "1"])
    return time.time() - start


def two_at_a_time(items, work, report):
    """Runs work(item) -> seconds for every item, two at a time (2 cores);
    report(item, seconds, error) as each ends (error None on success).
    Every item runs even after a failure; returns the items that failed."""
    failed = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        futures = {pool.submit(work, item): item for item in items}
        for fut in concurrent.futures.as_completed(futures):
            item = futures[fut]
            try:
                report(item, fut.result(), None)
            except Exception as e:  # report every failure, then fail
                failed.append(item)
                report(item, None, e)
    return failed


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("--only", nargs="*", default=None)
    ap.add_argument("--compile-only", action="store_true", help="also build COMPILE_ONLY")
    ap.add_argument("--python", default=sys.executable, help="interpreter to build for")
    ap.add_argument("--fetch-only", action="store_true", help="fetch the wheels, build nothing")
    ap.add_argument("--opt", default="", help="optimisation level for every build that does not "
                    "set its own (default: matrix.opt_of, -O3 for the conformance matrix, -O1 else)")
    args = ap.parse_args()
    out = args.out.resolve()
    builds = list(matrix.DEFAULT) + list(matrix.BOOST_PYTHON) + list(matrix.EXTRAS) + list(matrix.PLAIN) + list(matrix.HOOK) + \
        list(matrix.HOSTILE) + \
        (list(matrix.COMPILE_ONLY) if args.compile_only else [])
    if args.only is not None:
        builds = [matrix.by_name(n) for n in args.only]
    missing = boost_python_missing(args.python)
    if missing and any(b.framework == "boost_python" for b in builds):
        if os.environ.get("BINDBRIDGE_REQUIRE_BOOST_PYTHON") == "1":
            print("==> Boost.Python required (BINDBRIDGE_REQUIRE_BOOST_PYTHON=1): %s" % missing)
            return 1
        print("==> skipped the Boost.Python module: %s (install libboost-python-dev)" % missing)
        builds = [b for b in builds if b.framework != "boost_python"]
    tools = Path(sys.executable).parent
    bindbridge_dir = run([args.python, "-m", "bindbridge", "--cmake-dir"]).strip()
    # Fetch first (sequentially: pip's cache is not made for parallel use).
    for b in builds:
        if b.framework not in SYSTEM:
            fetch(out, b.framework.split("-")[0], b.version)
    if args.fetch_only:
        return 0
    def report(b, seconds, error):
        if error is None:
            print("==> built %-11s %-22s %5.1f s" % (b.name, b.label, seconds), flush=True)
        else:
            print("==> FAILED %s (%s)\n%s" % (b.name, b.label, error), flush=True)

    failed = two_at_a_time(builds, lambda b: build(out, b, bindbridge_dir, tools, args.python, args.opt),
                          report)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
