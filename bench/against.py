"""bench/against.py: the benchmark's cases on this tree and on another git ref, in one run.

    ./dev bench --against REF [--cases PATTERN,...] [--quick|--smoke|--full] [--no-wall]
    python bench/against.py REF [same options] [--md FILE] [--no-build]

Checks a change before it lands: REF (main, a tag, a commit) is unpacked with
`git archive` into build/bench/against/<commit>/, its bindbridge package is
installed there (pip --target, not into the venv), and REF's own
bench/build.py builds REF's modules with REF's headers and REF's test module
source.  Then the same cases (this tree's bench/cases.py; --cases narrows them
with shell patterns on the case ids, e.g. 'native:*,arg:nb310<-*') run on both
sides with this tree's worker:

- instructions per call under callgrind (the stable figure), both sides in
  the same run;
- wall-clock medians, one worker process per side in turn (REF, this tree,
  REF, ...), so both see the same machine load; the ratio is this tree's
  median over REF's, per pair of workers, then the median of those.

A case REF's modules cannot run (a function added since, or a call that
takes another path there) is listed as n/a with the reason.  The table goes
to stdout and to build/bench/against-<ref>.md.  Modules REF's bench/build.py
does not build (the module-local hook's, from tests/versions) are this
tree's on both sides.  REF's build is kept (keyed
by its commit), so a second comparison against the same ref only measures.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import io
from pathlib import Path
from types import SimpleNamespace

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
import cases as C  # noqa: E402
import run as R  # noqa: E402


def git(*argv, check=True):
    proc = subprocess.run(["git", "-C", str(ROOT)] + list(argv), capture_output=True, text=True)
    if check and proc.returncode != 0:
        raise SystemExit("bench --against: git %s: %s" % (" ".join(argv), proc.stderr.strip()))
    return proc.stdout.strip()


def prepare_ref(ref, build):
    """Unpack, install and build REF; the directory of its modules."""
    commit = git("rev-parse", "--verify", "%s^{commit}" % ref)
    top = ROOT / "build" / "bench" / "against" / commit[:12]
    src, site = top / "src", top / "site"
    if not (src / "bench" / "build.py").exists():
        shutil.rmtree(src, ignore_errors=True)
        src.mkdir(parents=True)
        blob = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", commit],
                              capture_output=True, check=True).stdout
        with tarfile.open(fileobj=io.BytesIO(blob)) as tar:
            tar.extractall(src)
        if not (src / "bench" / "build.py").exists():
            raise SystemExit("bench --against: %s has no bench/build.py to build its modules with" % ref)
        # REF's builds fetch the same framework wheels: share this tree's.
        (src / "build").mkdir(exist_ok=True)
        (ROOT / "build" / "versions").mkdir(parents=True, exist_ok=True)
        os.symlink(ROOT / "build" / "versions", src / "build" / "versions")
    env = dict(os.environ, PYTHONPATH=str(site))
    if build:
        if not (site / "bindbridge").is_dir():
            R.log("installing %s's bindbridge into %s" % (ref, site.relative_to(ROOT)))
            subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                            "--no-deps", "--no-build-isolation", "--target", str(site),
                            "-C", "build-dir=%s" % (top / "package"), str(src)], check=True)
        R.log("building %s's modules (its bench/build.py)" % ref)
        if subprocess.run([sys.executable, str(src / "bench" / "build.py"), "--out", str(top / "bench")],
                          cwd=str(src), env=env).returncode != 0:
            raise SystemExit("bench --against: building %s's modules failed" % ref)
    modules = top / "bench" / "modules"
    if not modules.is_dir():
        raise SystemExit("bench --against: %s is not built (run without --no-build)" % ref)
    return commit, modules


class Side(R.Runner):
    """One tree's modules, measured with this tree's worker."""

    def __init__(self, name, modules, mode, results, only):
        super().__init__(SimpleNamespace(mode=mode, modules=str(modules), results=str(results), only=only))
        self.name = name
        self.out.mkdir(parents=True, exist_ok=True)

    def probe(self):
        found = {}
        for proc in sorted(C.PROCESSES):
            ids = self.ids_of(proc)
            if ids:
                out = self.out / ("probe-%s.json" % proc)
                self.run_worker(self.worker_cmd("probe", "--process", proc, "--cases", ",".join(ids),
                                                "--out", str(out)))
                found.update(json.load(open(out)))
        return found


def selected(patterns):
    if not patterns:
        return [c.id for c in C.CASES]
    pats = [p.strip() for p in patterns.split(",") if p.strip()]
    ids = [c.id for c in C.CASES if any(fnmatch.fnmatchcase(c.id, p) for p in pats)]
    if not ids:
        raise SystemExit("bench --against: no case id matches %s (ids look like %s)"
                         % (patterns, ", ".join(c.id for c in C.CASES[2:6])))
    return ids


def measure(sides, mode, wall):
    ir = {s.name: {} for s in sides}
    for s in sides:
        R.log("callgrind: %s (%d cases)" % (s.name, len(s.only)))
        for cid, by_n in s.callgrind().items():
            if cid in s.only:
                ir[s.name][cid] = R.slope(by_n)[0]
    medians = {s.name: {} for s in sides}   # case -> [median per worker]
    if wall:
        workers = R.MODES[mode]["workers"]
        R.log("wall-clock: %d workers per side, taking turns" % workers)
        for rep in range(workers):
            for s in (sides if rep % 2 == 0 else sides[::-1]):
                for proc in sorted(C.PROCESSES):
                    if s.ids_of(proc):
                        got = s.wall_worker(proc, rep)
                        for cid, samples in got["samples"].items():
                            medians[s.name].setdefault(cid, []).append(statistics.median(samples))
    return ir, medians


def fnum(x):
    return "-" if x is None else "{:,.0f}".format(x)


def table(ref, commit, ids, skipped, ir, medians, mode, wall):
    this, other = "this tree", ref
    head = git("log", "-1", "--format=%h %s")
    dirty = git("status", "--porcelain", "include", "src", "tests", "bench", check=False)
    lines = ["# Benchmark: this tree against %s" % ref, "",
             "- this tree: %s%s" % (head, " (with uncommitted changes)" if dirty else ""),
             "- %s: %s %s" % (ref, commit[:9], git("log", "-1", "--format=%s", commit)),
             "- %s mode; instructions per call under callgrind; %s" % (
                 mode, "wall-clock medians of %d workers per side, taken in turns" % R.MODES[mode]["workers"]
                 if wall else "no wall-clock (--no-wall)"),
             "- change and ratios: this tree against %s (below 1: this tree is cheaper)" % ref, ""]
    lines += ["| case | %s Ir | this Ir | change | Ir ratio | %s ns | this ns | wall ratio |" % (ref, ref),
              "|---|---|---|---|---|---|---|---|"]
    better = worse = 0
    control = []  # Ir ratios of the cases with no bindbridge code on either side
    for cid in ids:
        if cid in skipped:
            lines.append("| %s | n/a: %s | | | | | | |" % (cid, skipped[cid]))
            continue
        a, b = ir[other].get(cid), ir[this].get(cid)
        change = ratio = "-"
        if a and b:
            change, ratio = "%+.0f" % (b - a), "%.3fx" % (b / a)
            if cid.startswith("nobb:"):
                control.append(b / a)
            if b < a * 0.99:
                better += 1
            elif b > a * 1.01:
                worse += 1
        wa, wb = medians[other].get(cid), medians[this].get(cid)
        wr = "-"
        if wa and wb:
            wr = "%.2fx" % statistics.median(x / y for x, y in zip(wb, wa))
        lines.append("| %s | %s | %s | %s | %s | %s | %s | %s |" % (
            cid, fnum(a), fnum(b), change, ratio,
            "%.1f" % statistics.median(wa) if wa else "-", "%.1f" % statistics.median(wb) if wb else "-", wr))
    lines += ["", "%d cases: %d take over 1%% fewer instructions on this tree, %d over 1%% more, %d within 1%%; "
              "%d n/a on one side." % (len(ids), better, worse, len(ids) - better - worse - len(skipped),
                                       len(skipped)), ""]
    if control:
        lines += ["The %d cases without bindbridge on either side (`nobb:*`: the same modules, built from "
                  "each side's tree) moved %.3fx-%.3fx: what the process layout alone does to a count."
                  % (len(control), min(control), max(control)), ""]
    return "\n".join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("ref", help="the git ref to compare with (main, a tag, a commit)")
    g = ap.add_mutually_exclusive_group()
    g.add_argument("--quick", dest="mode", action="store_const", const="quick")
    g.add_argument("--full", dest="mode", action="store_const", const="full")
    g.add_argument("--smoke", dest="mode", action="store_const", const="smoke")
    ap.add_argument("--cases", default="", help="comma-separated shell patterns on case ids (default: all)")
    ap.add_argument("--no-wall", action="store_true", help="instructions only")
    ap.add_argument("--no-build", action="store_true", help="use both sides' modules as they are")
    ap.add_argument("--md", default="", help="default: build/bench/against-<ref>.md")
    ap.add_argument("--modules", default=str(ROOT / "build" / "bench" / "modules"),
                    help="this tree's modules (default: build/bench/modules, as ./dev bench builds them)")
    ap.add_argument("--ref-modules", default="",
                    help="REF's modules as built elsewhere (REF then only names the commit): no unpacking, "
                         "no build")
    args = ap.parse_args(argv)
    mode = args.mode or "quick"
    ids = selected(args.cases)
    if shutil.which("valgrind") is None:
        raise SystemExit("bench: valgrind is needed (callgrind instruction counts)")
    if args.ref_modules:
        commit, ref_modules = git("rev-parse", "--verify", "%s^{commit}" % args.ref), Path(args.ref_modules)
    else:
        commit, ref_modules = prepare_ref(args.ref, build=not args.no_build)
    if not args.no_build and subprocess.run([sys.executable, str(HERE / "build.py")]).returncode != 0:
        return 1
    results = ROOT / "build" / "bench" / "against" / commit[:12] / "results"
    sides = [Side(args.ref, ref_modules, mode, results / "ref", set(ids)),
             Side("this tree", Path(args.modules), mode, results / "this", set(ids))]
    skipped = {}
    for s in sides:
        for cid, why in s.probe().items():
            if why is not None:
                skipped.setdefault(cid, "%s: %s" % (s.name, why))
    for s in sides:
        s.only = set(ids) - set(skipped)
    ir, medians = measure(sides, mode, wall=not args.no_wall)
    md = table(args.ref, commit, ids, skipped, ir, medians, mode, wall=not args.no_wall)
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in args.ref)
    out = Path(args.md) if args.md else ROOT / "build" / "bench" / ("against-%s.md" % safe)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(md)
    print(md)
    R.log("wrote %s" % out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
