"""bench/worker.py: one benchmark worker process (started by bench/run.py, never by hand).

    worker.py wall      --process P --path DIR... [--cases ID,...] --rounds R --warmup W
                        --sample-us T --seed S --out F
    worker.py callgrind --process P --path DIR... [--cases ID,...] --n1 N --n2 N --miss-n1 N --miss-n2 N
                        (run under valgrind --tool=callgrind; each measurement is a dump)
    worker.py scale     --path DIR... --sizes 10,100,... --reps N --repeats K [--callgrind] --out F
    worker.py memory    --path DIR... --n N --listeners none|frameworks --out F
    worker.py probe     --process P --path DIR... [--cases ID,...] --out F
                        (which cases these modules can run: {id: null, or why not})

A wall or callgrind worker imports the modules of its process kind
(cases.PROCESSES) and runs that kind's cases, so every case runs with all
frameworks loaded.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import json
import random
import statistics
import sys
import time
from itertools import repeat
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import cases as C  # noqa: E402

BODIES = {
    "pass": "pass",
    "call1": "fn(a)",
    "call0": "fn()",
    "miss": "try:\n            fn(a)\n        except TypeError:\n            pass",
}


def load_modules(names):
    mods = {}
    for name in names:
        mods[name] = importlib.import_module(name)
    return mods


class Factory:
    def __init__(self, mods):
        self.mods = mods
        self.point_type = None

    def __call__(self, spec):
        if spec is None:
            return None
        if spec == "str":
            return "x"
        if spec == "point":
            if self.point_type is None:
                self.point_type = self.mods["bbtest_cpp"].make_type("bbt_point")
            return self.point_type(1, 2)
        if spec == "float":
            return 2.0
        cls, _, mod = spec.partition("@")
        if cls == "Circle":
            return getattr(self.mods[mod], cls)(2.0)
        return getattr(self.mods[mod], cls)("rex")


def make_runner(case, mods, factory):
    """A function run(n) that makes n calls of the case in its loop shape."""
    if case.shape == "pass":
        fn = None
    elif case.module == "builtins":
        import builtins
        fn = getattr(builtins, case.func)
    else:
        fn = getattr(mods[case.module], case.func)
    a = factory(case.arg)
    src = "def run(n, fn=fn, a=a, repeat=repeat):\n    for _ in repeat(None, n):\n        %s\n" % \
        BODIES[case.shape]
    ns = {"fn": fn, "a": a, "repeat": repeat}
    exec(src, ns)
    check(case, fn, a, mods)
    return ns["run"], a


def check(case, fn, a, mods):
    """The call must take the intended path (no silent TypeError, right type)."""
    if case.shape == "pass" or case.module == "builtins":
        return
    try:
        r = fn(a) if case.shape != "call0" else fn()
    except TypeError as e:
        if case.expect == "TypeError":
            return
        raise SystemExit("bench: %s raised TypeError: %s" % (case.id, e))
    if case.expect == "TypeError":
        raise SystemExit("bench: %s did not raise TypeError" % case.id)
    if case.expect == "int" and r != 3:
        raise SystemExit("bench: %s returned %r" % (case.id, r))
    if case.expect.startswith("type:") and type(r) is not mods[case.expect[5:]].Pet:
        raise SystemExit("bench: %s returned %r" % (case.id, type(r)))
    if case.expect.startswith("circle:") and type(r) is not mods[case.expect[7:]].Circle:
        raise SystemExit("bench: %s returned %r (not the most-derived type)" % (case.id, type(r)))
    if case.expect == "same" and r is not a:
        raise SystemExit("bench: %s returned a new wrapper, not the argument" % case.id)


def load(args):
    """The process kind's modules (set up), an argument factory, the case ids asked for."""
    for p in reversed(args.path):
        sys.path.insert(0, p)
    mods = load_modules(C.PROCESSES[args.process] + ["bbbench"])
    for call in C.SETUP.get(args.process, []):
        mod, _, fn = call.rpartition(".")
        getattr(mods[mod], fn)()
    ids = args.cases.split(",") if args.cases else [c.id for c in C.CASES if c.process == args.process]
    return mods, Factory(mods), ids


def setup(args):
    mods, factory, ids = load(args)
    runners = {}
    for cid in ids:
        case = C.BY_ID[cid]
        runners[cid] = make_runner(case, mods, factory)[0]
    return mods, runners


def cmd_probe(args):
    """For bench/against.py: another git ref's modules may lack a case's function or take
    another path; each case is tried once, and the answer says so instead of stopping."""
    mods, factory, ids = load(args)
    found = {}
    for cid in ids:
        try:
            make_runner(C.BY_ID[cid], mods, factory)
            found[cid] = None
        except AttributeError as e:
            found[cid] = "not in these modules (%s)" % e
        except SystemExit as e:
            found[cid] = str(e).replace("bench: %s " % cid, "")
    json.dump(found, open(args.out, "w"))


# ---------------------------------------------------------------------------
def cmd_wall(args):
    mods, runners = setup(args)
    rng = random.Random(args.seed)
    ids = list(runners)
    # Calibrate: n calls per sample so one sample takes about sample_us.
    loops = {}
    for cid in ids:
        run = runners[cid]
        run(50)
        n = 50
        while True:
            t0 = time.perf_counter_ns()
            run(n)
            dt = time.perf_counter_ns() - t0
            if dt >= args.sample_us * 1000 or n >= 1 << 22:
                break
            n *= 2
        loops[cid] = max(20, int(n * args.sample_us * 1000 / max(dt, 1)))
    samples = {cid: [] for cid in ids}
    for r in range(args.warmup + args.rounds):
        order = ids[:]
        rng.shuffle(order)
        for cid in order:
            run, n = runners[cid], loops[cid]
            t0 = time.perf_counter_ns()
            run(n)
            dt = time.perf_counter_ns() - t0
            if r >= args.warmup:
                samples[cid].append(dt / n)
    json.dump({"loops": loops, "samples": samples}, open(args.out, "w"))


def cmd_callgrind(args):
    mods, runners = setup(args)
    bb = mods["bbbench"]
    if not bb.under_callgrind():
        raise SystemExit("bench: the callgrind worker must run under valgrind --tool=callgrind")
    gc.collect()
    for cid, run in runners.items():
        case = C.BY_ID[cid]
        n1, n2 = (args.miss_n1, args.miss_n2) if case.shape == "miss" else (args.n1, args.n2)
        run(200)  # warm: specialised bytecode, caches
        for n in (n1, n2):
            bb.zero()
            run(n)
            bb.dump("%s|%d" % (cid, n))


# ---------------------------------------------------------------------------
def cmd_scale(args):
    for p in reversed(args.path):
        sys.path.insert(0, p)
    mods = load_modules([f.module for f in C.FRAMEWORKS] + ["bbbench"])
    bb = mods["bbbench"]
    cg = args.callgrind
    if cg and not bb.under_callgrind():
        raise SystemExit("bench: --callgrind needs valgrind")
    reals = bb.export_real()
    user, owner = mods["bbv_pb310"], mods["bbv_nb310"]
    call = user.p7_f
    pet = owner.Pet("rex")
    assert call(pet) == 3
    out = {"sizes": [], "export_ns": [], "lookup_ns": [], "lookup_missing_ns": [],
           "lookup_type_ns": [], "call_ns": [], "export_ir": [], "lookup_ir": [],
           "lookup_missing_ir": [], "lookup_type_ir": [], "call_ir": [], "table": []}

    def run_call(n):
        for _ in repeat(None, n):
            call(pet)

    def timed(fn, reps):
        best = []
        for _ in range(args.repeats):
            best.append(fn(reps) / reps)
        return statistics.median(best)

    def ir(tag, fn, reps):
        """Dumps for the Ir per operation (the runner takes the slope between reps and 3 * reps)."""
        fn(100)
        for n in (reps, 3 * reps):
            bb.zero()
            fn(n)
            bb.dump("%s|%d" % (tag, n))

    have = 0
    for size in args.sizes:
        bb.make_types(size - have)
        gc.collect()
        if cg:
            bb.zero()
        dt = bb.export_types(size - have)
        if cg:
            bb.dump("export@%d|%d" % (size, size - have))
        out["sizes"].append(size)
        out["export_ns"].append(dt / (size - have))
        have = size
        out["table"].append(list(bb.counts()))
        if cg:
            ir("lookup@%d" % size, lambda n: bb.lookup(0, n), args.reps)
            ir("lookup_missing@%d" % size, lambda n: bb.lookup(4, n), args.reps)
            ir("lookup_type@%d" % size, lambda n: bb.lookup_type(reals[0], n), args.reps)
            ir("call@%d" % size, run_call, args.reps)
        else:
            out["lookup_ns"].append(timed(lambda n: bb.lookup(0, n), args.reps))
            out["lookup_missing_ns"].append(timed(lambda n: bb.lookup(4, n), args.reps))
            out["lookup_type_ns"].append(timed(lambda n: bb.lookup_type(reals[0], n), args.reps))

            def call_ns(n):
                t0 = time.perf_counter_ns()
                run_call(n)
                return time.perf_counter_ns() - t0
            out["call_ns"].append(timed(call_ns, args.reps))
    if cg and args.sizes:
        # The floor: as many types again through the bare protocol framework
        # (bbbench.bare_types), heard by the same frameworks (and the exporter).
        n = max(1, min(1000, args.sizes[-1]))
        bb.make_types(n)
        gc.collect()
        bb.zero()
        bb.bare_types(n)
        bb.dump("bare@%d|%d" % (args.sizes[-1], n))
    if args.out:
        json.dump(out, open(args.out, "w"))


def cmd_memory(args):
    for p in reversed(args.path):
        sys.path.insert(0, p)
    names = ["bbbench"]
    if args.listeners == "frameworks":
        names = [f.module for f in C.FRAMEWORKS] + names
    mods = load_modules(names)
    bb = mods["bbbench"]
    import bindbridge
    frameworks = len(bindbridge.frameworks())
    bb.make_types(2 * args.n)
    gc.collect()
    h0 = bb.heap()
    bb.export_types(args.n)
    gc.collect()
    h1 = bb.heap()
    # The same number of types again through the bare protocol framework (the
    # floor: what the protocol itself allocates), with the same listeners plus
    # the exporter, which files them as foreign.
    bb.bare_types(args.n)
    gc.collect()
    h2 = bb.heap()
    json.dump({"n": args.n, "frameworks": frameworks, "bytes": h1 - h0,
               "per_type": (h1 - h0) / args.n, "bare_per_type": (h2 - h1) / args.n,
               "capsule_bytes": capsule_bytes()}, open(args.out, "w"))


def capsule_bytes():
    """The size of a PyCapsule object (a binding's capsule is one): any capsule will do."""
    import _socket
    return sys.getsizeof(_socket.CAPI)


def main(argv=None):
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--path", action="append", default=[])
    common.add_argument("--out", default="")
    w = sub.add_parser("wall", parents=[common])
    w.add_argument("--process", choices=sorted(C.PROCESSES), default="main")
    w.add_argument("--cases", default="")
    w.add_argument("--rounds", type=int, default=20)
    w.add_argument("--warmup", type=int, default=2)
    w.add_argument("--sample-us", type=float, default=300)
    w.add_argument("--seed", type=int, default=0)
    c = sub.add_parser("callgrind", parents=[common])
    c.add_argument("--process", choices=sorted(C.PROCESSES), default="main")
    c.add_argument("--cases", default="")
    c.add_argument("--n1", type=int, default=10000)
    c.add_argument("--n2", type=int, default=30000)
    c.add_argument("--miss-n1", type=int, default=1000)
    c.add_argument("--miss-n2", type=int, default=3000)
    s = sub.add_parser("scale", parents=[common])
    s.add_argument("--sizes", type=lambda v: [int(x) for x in v.split(",")], default=[10, 100, 1000, 10000])
    s.add_argument("--reps", type=int, default=10000)
    s.add_argument("--repeats", type=int, default=5)
    s.add_argument("--callgrind", action="store_true")
    m = sub.add_parser("memory", parents=[common])
    m.add_argument("--n", type=int, default=10000)
    m.add_argument("--listeners", choices=["none", "frameworks"], default="none")
    pr = sub.add_parser("probe", parents=[common])
    pr.add_argument("--process", choices=sorted(C.PROCESSES), default="main")
    pr.add_argument("--cases", default="")
    args = ap.parse_args(argv)
    {"probe": cmd_probe, "wall": cmd_wall, "callgrind": cmd_callgrind, "scale": cmd_scale, "memory": cmd_memory}[args.cmd](args)


if __name__ == "__main__":
    main()
