"""bench/run.py: the cross-framework call benchmark; writes docs/benchmarks.md (and a PNG of the ratios).

    ./dev bench [--quick|--full]          (builds what is needed, then runs this)
    python bench/run.py [--quick|--full|--smoke] [--modules DIR] [--md FILE] [--png FILE]
                        [--results DIR] [--no-build]

Two measurements of every case (bench/cases.py), in one run:
- instructions (Ir) per call under callgrind: the slope between two call
  counts in one process (callgrind client requests bracket each loop), so
  start-up, imports and the loop set-up cancel.  Deterministic: the primary
  figure on a noisy machine.  Function- and source-level profiles of the
  main cases come from the same dumps;
- wall-clock ns per call: worker processes run one after another, each
  calibrates a loop length per case, warms up, then runs every case once per
  round in a new random order; medians and p25-p75 over all samples.  A
  ratio pairs each sample with its baseline's sample of the same round and
  process (native vs no-bindbridge baselines live in other processes: one
  ratio of medians per pair of workers).
Plus the 10,000-type scale benchmark, memory per exported type, and a
codebase of 1,000 classes (bench/codebase.py: compile and import time).
"""

from __future__ import annotations

import argparse
import collections
import concurrent.futures
import datetime
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
import cases as C  # noqa: E402
import cgparse  # noqa: E402

MODES = {
    # wall: workers per process kind, rounds, warm-up rounds, target sample length (us)
    # callgrind: (n1, n2) calls, (n1, n2) for overload misses
    # scale: sizes, lookups per measurement, repeats
    # codebase: classes, repeats (bench/codebase.py)
    "smoke": dict(workers=1, rounds=2, warmup=0, sample_us=20, n=(100, 300), miss_n=(20, 60),
                  sizes=[10, 100], reps=200, repeats=1, scale_cg=True, memory_n=200,
                  codebase=(10, 1)),
    "quick": dict(workers=5, rounds=50, warmup=3, sample_us=300, n=(2000, 6000), miss_n=(300, 900),
                  sizes=[10, 100, 1000, 10000], reps=2000, repeats=5, scale_cg=True, memory_n=10000,
                  codebase=(200, 3)),
    "full": dict(workers=12, rounds=100, warmup=5, sample_us=500, n=(10000, 30000), miss_n=(1000, 3000),
                 sizes=[10, 100, 1000, 3000, 10000], reps=10000, repeats=9, scale_cg=True,
                 memory_n=10000, codebase=(1000, 3)),
}


def log(msg):
    print("==> bench: %s" % msg, flush=True)


def pct(values, q):
    v = sorted(values)
    if not v:
        return float("nan")
    k = (len(v) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (k - lo)


def stats(values):
    return {"median": pct(values, 0.5), "p25": pct(values, 0.25), "p75": pct(values, 0.75),
            "n": len(values)}


class Runner:
    def __init__(self, args):
        self.args = args
        self.mode = MODES[args.mode]
        self.out = Path(args.results).resolve()
        self.python = sys.executable
        bench_modules = ROOT / "build" / "bench" / "modules"
        self.main_modules = Path(args.modules).resolve() if args.modules else bench_modules
        # tests/versions' builds last: modules only they have (e.g. the hook's)
        versions = Path(os.environ.get("BINDBRIDGE_VERSION_MODULES", ROOT / "build" / "versions" / "modules"))
        self.path = [str(self.main_modules), str(bench_modules), str(versions)]
        self.env = dict(os.environ)
        self.env.pop("PYTHONPATH", None)
        # The case ids measured (None: every case); bench/against.py narrows it.
        self.only = getattr(args, "only", None)

    def ids_of(self, proc):
        return [c.id for c in C.CASES if c.process == proc and (self.only is None or c.id in self.only)]

    # -- helpers ---------------------------------------------------------
    def worker_cmd(self, *argv):
        cmd = [self.python, str(HERE / "worker.py")] + list(argv)
        for p in self.path:
            cmd += ["--path", p]
        return cmd

    def run_worker(self, cmd, env=None, valgrind=None):
        if valgrind:
            cmd = ["valgrind", "--tool=callgrind", "-q", "--callgrind-out-file=%s" % valgrind] + cmd
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env or self.env)
        if proc.returncode != 0:
            raise SystemExit("bench: worker failed (%d): %s\n%s\n%s" % (
                proc.returncode, " ".join(cmd), proc.stdout[-3000:], proc.stderr[-3000:]))
        return proc

    # -- the measurements --------------------------------------------------
    def wall(self):
        m = self.mode
        per_proc = collections.defaultdict(list)  # process -> [worker json]
        kinds = sorted(C.PROCESSES)
        for rep in range(m["workers"]):
            for proc in kinds[rep % len(kinds):] + kinds[:rep % len(kinds)]:
                if self.ids_of(proc):
                    per_proc[proc].append(self.wall_worker(proc, rep))
        return per_proc

    def wall_worker(self, proc, rep):
        """One wall-clock worker process of kind proc: its samples (worker.py's JSON)."""
        m = self.mode
        out = self.out / ("wall-%s-%d.json" % (proc, rep))
        cases = ["--cases", ",".join(self.ids_of(proc))] if self.only is not None else []
        self.run_worker(self.worker_cmd(
            "wall", "--process", proc, "--rounds", str(m["rounds"]), "--warmup", str(m["warmup"]),
            "--sample-us", str(m["sample_us"]), "--seed", str(rep), "--out", str(out), *cases))
        return json.load(open(out))

    def callgrind(self):
        m = self.mode
        cgdir = self.out / "callgrind"
        shutil.rmtree(cgdir, ignore_errors=True)
        cgdir.mkdir(parents=True)
        jobs = []  # about 40 cases a job, two jobs at a time
        for proc in sorted(C.PROCESSES):
            ids = self.ids_of(proc)
            if not ids:
                continue
            k = max(1, round(len(ids) / 40))
            jobs += [(proc, ids[i::k]) for i in range(k)]

        def job(k):
            proc, ids = jobs[k]
            cmd = self.worker_cmd("callgrind", "--process", proc, "--cases", ",".join(ids),
                                  "--n1", str(m["n"][0]), "--n2", str(m["n"][1]),
                                  "--miss-n1", str(m["miss_n"][0]), "--miss-n2", str(m["miss_n"][1]))
            self.run_worker(cmd, valgrind=str(cgdir / ("job%d.%%p" % k)))

        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
            list(pool.map(job, range(len(jobs))))
        return self.read_dumps(cgdir)

    @staticmethod
    def read_dumps(cgdir):
        """{measurement name: {n: path}} for every client-request dump in cgdir."""
        found = collections.defaultdict(dict)
        for f in sorted(cgdir.iterdir()):
            if not re.search(r"\.\d+\.\d+$", f.name):
                continue  # the end-of-program dump
            name, _ = cgparse.summary_only(str(f))
            if "|" in name:
                tag, n = name.rsplit("|", 1)
                found[tag][int(n)] = str(f)
        return found

    def scale(self):
        m = self.mode
        sizes = ",".join(str(s) for s in m["sizes"])
        out = self.out / "scale.json"
        self.run_worker(self.worker_cmd("scale", "--sizes", sizes, "--reps", str(m["reps"]),
                                        "--repeats", str(m["repeats"]), "--out", str(out)))
        result = json.load(open(out))
        if m["scale_cg"]:
            cgdir = self.out / "callgrind-scale"
            shutil.rmtree(cgdir, ignore_errors=True)
            cgdir.mkdir(parents=True)
            self.run_worker(self.worker_cmd("scale", "--sizes", sizes, "--reps", str(m["reps"]),
                                            "--callgrind"), valgrind=str(cgdir / "scale.%p"))
            dumps = self.read_dumps(cgdir)
            for tag, by_n in dumps.items():
                what, _, size = tag.partition("@")
                if what in ("export", "bare"):
                    (n, path), = by_n.items()
                    value = cgparse.summary_only(path)[1] / n
                else:
                    (n1, p1), (n2, p2) = sorted(by_n.items())
                    value = (cgparse.summary_only(p2)[1] - cgparse.summary_only(p1)[1]) / (n2 - n1)
                result.setdefault(what + "_ir_by_size", {})[size] = value
        return result

    def memory(self):
        env = dict(self.env, PYTHONMALLOC="malloc")
        res = {}
        for listeners in ("none", "frameworks"):
            out = self.out / ("memory-%s.json" % listeners)
            self.run_worker(self.worker_cmd("memory", "--n", str(self.mode["memory_n"]), "--listeners",
                                            listeners, "--out", str(out)), env=env)
            res[listeners] = json.load(open(out))
        return res

    # -- putting it together -------------------------------------------------
    def run(self):
        t0 = time.time()
        self.out.mkdir(parents=True, exist_ok=True)
        meta = machine_info()
        meta["mode"] = self.args.mode
        meta["settings"] = self.mode
        meta["main_modules"] = os.path.relpath(self.main_modules, ROOT)
        log("%s mode: wall-clock workers" % self.args.mode)
        t = time.time()
        wall = self.wall()
        meta["wall_s"] = time.time() - t
        log("wall-clock: %.0f s; callgrind" % meta["wall_s"])
        t = time.time()
        dumps = self.callgrind()
        meta["callgrind_s"] = time.time() - t
        log("callgrind: %.0f s; scale and memory" % meta["callgrind_s"])
        t = time.time()
        scale = self.scale()
        memory = self.memory()
        meta["scale_s"] = time.time() - t
        t = time.time()
        import codebase
        classes, repeats = self.mode["codebase"]
        built = codebase.measure(classes, repeats, out=self.out / "codebase", log=log)
        meta["codebase_s"] = time.time() - t
        meta["load_after"] = os.getloadavg()
        results = analyse(wall, dumps, scale, memory, meta)
        results["codebase"] = built
        meta["total_s"] = time.time() - t0
        (self.out / "results.json").write_text(json.dumps(results, indent=1, default=str))
        import report
        md = report.markdown(results, png_name=os.path.basename(self.args.png) if self.args.png else None)
        if self.args.png:
            made = report.plot(results, self.args.png)
            if not made:
                md = md.replace("![ratios](%s)" % os.path.basename(self.args.png),
                                "(plot not made: matplotlib is not installed; `./dev bench` installs it)")
        Path(self.args.md).parent.mkdir(parents=True, exist_ok=True)
        Path(self.args.md).write_text(md)
        log("wrote %s (%s mode, %.0f s)" % (self.args.md, self.args.mode, time.time() - t0))


# ---------------------------------------------------------------------------
def machine_info():
    def sh(cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True, timeout=20).stdout.strip()
        except Exception:
            return ""
    cpu = ""
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal"):
                mem = "%.0f GiB" % (int(line.split()[1]) / 2 ** 20)
    except OSError:
        pass
    import bindbridge
    return {
        "date": datetime.datetime.now().strftime("%Y-%m-%d %H:%M"),
        "cpu": cpu, "cores": os.cpu_count(), "memory": mem,
        "os": "%s %s" % (platform.system(), platform.release()),
        "distro": sh(["sh", "-c", ". /etc/os-release 2>/dev/null && echo $PRETTY_NAME"]),
        "python": "%s %s" % (platform.python_implementation(), platform.python_version()),
        "compiler": sh(["g++", "--version"]).splitlines()[0] if sh(["g++", "--version"]) else "",
        "valgrind": sh(["valgrind", "--version"]),
        "bindbridge": bindbridge.__version__,
        "load_before": os.getloadavg(),
        "git": sh(["git", "-C", str(ROOT), "log", "-1", "--format=%h %s"]) + (
            ", with uncommitted changes in include/" if sh(["git", "-C", str(ROOT), "status", "--porcelain",
                                                           "include"]) else ""),
    }


def slope(by_n, full=False):
    (n1, p1), (n2, p2) = sorted(by_n.items())[:2]
    if not full:
        return (cgparse.summary_only(p2)[1] - cgparse.summary_only(p1)[1]) / (n2 - n1), None
    a, b = cgparse.parse(p1), cgparse.parse(p2)

    def diff(x, y):
        # JSON keys: tuples joined with NUL
        return {(k if isinstance(k, str) else "\x00".join(map(str, k))): (y.get(k, 0) - x.get(k, 0)) / (n2 - n1)
                for k in set(x) | set(y) if y.get(k, 0) != x.get(k, 0)}
    def inclusive(d):
        # self + calls, for functions of the modules (not Python's, not libc's)
        out = {}
        for fn, cost in d.self_cost.items():
            obj = fn.split(":", 1)[0]
            if obj.startswith(("libpython", "python")) or cgparse.is_system(obj):
                continue
            out[fn] = cost + sum(c for _, c in d.calls.get(fn, {}).values())
        return out
    prof = {"self": diff(a.self_cost, b.self_cost), "source": diff(a.by_source, b.by_source),
            "line": diff(a.by_line, b.by_line), "incl": diff(inclusive(a), inclusive(b))}
    return (b.summary - a.summary) / (n2 - n1), prof


def analyse(wall, dumps, scale, memory, meta):
    cases = {}
    # Wall-clock: pooled samples, and paired ratios.
    for c in C.CASES:
        samples = []
        for w in wall[c.process]:
            samples += w["samples"].get(c.id, [])
        cases[c.id] = {"wall": stats(samples)}
    for c in C.CASES:
        if not c.baseline:
            continue
        b = C.BY_ID[c.baseline]
        ratios = []
        if b.process == c.process:
            for w in wall[c.process]:
                ratios += [x / y for x, y in zip(w["samples"][c.id], w["samples"][b.id])]
        else:
            for wc, wb in zip(wall[c.process], wall[b.process]):
                ratios.append(statistics.median(wc["samples"][c.id]) / statistics.median(wb["samples"][b.id]))
        cases[c.id]["ratio"] = stats(ratios)
    # Instructions.
    profiles = {}
    for c in C.CASES:
        if c.id not in dumps:
            continue
        full = c.main or any(C.BY_ID[x.baseline].id == c.id for x in C.CASES if x.baseline and x.main)
        ir, prof = slope(dumps[c.id], full=full)
        cases[c.id]["ir"] = ir
        if prof:
            profiles[c.id] = prof
    for c in C.CASES:
        if c.baseline and "ir" in cases[c.id] and "ir" in cases.get(c.baseline, {}):
            b = cases[c.baseline]["ir"]
            cases[c.id]["ir_ratio"] = cases[c.id]["ir"] / b
            cases[c.id]["ir_added"] = cases[c.id]["ir"] - b
    return {"meta": meta, "cases": cases, "profiles": profiles, "scale": scale, "memory": memory}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    g = ap.add_mutually_exclusive_group()
    g.add_argument("--quick", dest="mode", action="store_const", const="quick")
    g.add_argument("--full", dest="mode", action="store_const", const="full")
    g.add_argument("--smoke", dest="mode", action="store_const", const="smoke",
                   help="one worker, a few loops: checks the machinery (tests/bench)")
    ap.add_argument("--modules", help="the version modules (default: build/bench/modules, unstripped)")
    ap.add_argument("--md", default=str(ROOT / "docs" / "benchmarks.md"))
    ap.add_argument("--png", default=str(ROOT / "docs" / "benchmarks.png"), help="'' for no plot")
    ap.add_argument("--results", default=str(ROOT / "build" / "bench" / "results"))
    ap.add_argument("--no-build", action="store_true", help="use the modules as they are")
    ap.add_argument("--report-only", action="store_true",
                    help="only rewrite the markdown and plot from the last results (--results)")
    args = ap.parse_args(argv)
    args.mode = args.mode or "quick"
    if args.report_only:
        import report
        results = json.loads((Path(args.results) / "results.json").read_text())
        png = os.path.basename(args.png) if args.png else None
        md = report.markdown(results, png_name=png)
        if png and not report.plot(results, args.png):
            md = md.replace("![ratios](%s)" % png, "(plot not made: matplotlib is not installed)")
        Path(args.md).write_text(md)
        log("rewrote %s from %s" % (args.md, args.results))
        return 0
    if not args.no_build:
        cmd = [sys.executable, str(HERE / "build.py")] + (["--no-main"] if args.modules else [])
        if subprocess.run(cmd).returncode != 0:
            return 1
    if shutil.which("valgrind") is None:
        raise SystemExit("bench: valgrind is needed (callgrind instruction counts)")
    Runner(args).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
