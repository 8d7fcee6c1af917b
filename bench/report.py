"""bench/report.py: docs/benchmarks.md and the ratio plot from bench/run.py's results."""

from __future__ import annotations

import collections
import math
import os
from pathlib import Path

import cases as C

ROOT = Path(__file__).resolve().parent.parent
# Issue 14's targets (instructions per call under callgrind, same run).
TARGET_NATIVE = 1.01           # native path, adapter linked, over the module without bindbridge
TARGET_NB, TARGET_PB = 1.15, 0.95  # foreign const T& into nanobind / pybind11, over native
TARGET_BP = 1.15               # foreign const T& into Boost.Python, over native
TARGET_SHARED = 1.20           # foreign std::shared_ptr<T>, over native
TARGET_RETURN = 1.05           # foreign returns over the owner's own native return
TARGET_MISS = 1.10             # overload miss over the user's native miss
TARGET_TYPE_B, TARGET_IMPORTER_B = 200, 64  # memory per exported type (plus the capsule) / per importer
TARGET_EXPORT_IR, TARGET_EXPORT_10K_MS = 5000, 20
TARGET_IMPORT_MS, TARGET_COMPILE_PCT = 10, 20  # a codebase of 1,000 classes (issue 19)
KIND_TITLES = {
    "shared": "`int f(std::shared_ptr<T>)`",
    "val": "return `T` by value",
    "ref": "return `T&` (policy reference)",
    "miss": "overload miss: `f(\"x\")` -> TypeError (caught)",
    "poly": "return `std::shared_ptr<Shape>` holding a `Circle` (polymorphic)",
    "uniq": "return `std::unique_ptr<Shape>` holding a `Circle` (ownership)",
    "echo": "return `Shape&` of an existing `Circle` (identity)",
}


# -- formatting ----------------------------------------------------------------
def fnum(x, digits=None):
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    if digits is not None:
        return "%.*f" % (digits, x)
    if abs(x) >= 100:
        return "{:,.0f}".format(x)
    return "%.1f" % x


def fns(w):
    if not w or w.get("n", 0) == 0:
        return "-"
    return "%s [%s-%s]" % (fnum(w["median"]), fnum(w["p25"]), fnum(w["p75"]))


def fratio(r):
    if not r or r.get("n", 0) == 0:
        return "-"
    return "%.2fx [%.2f-%.2f]" % (r["median"], r["p25"], r["p75"])


def fx(x):
    return "-" if x is None else "%.2fx" % x


def fadd(x):
    return "-" if x is None else "%+d" % round(x)


def label(key):
    if key in C.FW:
        return C.FW[key].label
    return {"plain304": "pybind11 3.0.4, no bindbridge", "capi": "C-API test framework (C++)"}.get(key, key)


def short(key):
    return {"pb2136": "pybind11 2.13", "pb310": "pybind11 3.1", "nb2150": "nanobind 2.15",
            "nb310": "nanobind 3.1", "bp174": "Boost.Python 1.74", "plain304": "pybind11 3.0.4 (plain)", "capi": "C-API"}.get(key, key)


class R:
    """Access to one run's results."""

    def __init__(self, results):
        self.res = results
        self.cases = results["cases"]
        self.prof = results.get("profiles", {})

    def get(self, cid, field):
        return self.cases.get(cid, {}).get(field)

    # -- profiles ------------------------------------------------------------
    @staticmethod
    def category(obj, src):
        if obj.startswith(("libpython", "python")):
            return "python"
        name = src[3:] if src.startswith("fn:") else ""
        if "/bindbridge/" in src or "bindbridge::" in name:
            return "bindbridge"
        if "/pybind11/" in src or "/nanobind/" in src or "pybind11::" in name or "nanobind::" in name:
            return "framework"
        if src.endswith(("version_module.cpp", "plain_module.cpp")):
            return "framework"  # the bound lambda: counted with its framework's dispatch
        return "other"

    def categorised(self, cid):
        """{(role, category): Ir} for a case: role user/owner/other by module."""
        case = C.BY_ID[cid]
        prof = self.prof.get(cid)
        if prof is None:
            return None
        owner_mod = C.FW[case.owner].module if case.owner in C.FW else None
        out = collections.defaultdict(float)
        for key, v in prof["source"].items():
            obj, src = key if isinstance(key, (list, tuple)) else key.split("\x00")
            mod = obj.split(".")[0]
            cat = self.category(obj, src)
            if cat == "python":
                role = "python"
            elif mod == case.module:
                role = "user"
            elif mod == owner_mod and owner_mod != case.module:
                role = "owner"
            else:
                role = "other"
            out[(role, cat)] += v
        return out

    def breakdown(self, cid):
        """What a case adds over its baseline, by where the instructions run."""
        case = C.BY_ID[cid]
        a, b = self.categorised(cid), self.categorised(case.baseline)
        if a is None or b is None:
            return None
        keys = set(a) | set(b)
        d = {k: a.get(k, 0) - b.get(k, 0) for k in keys}
        out = {
            "floor": sum(v for (role, cat), v in d.items() if role == "owner" and cat == "framework"),
            "bindbridge": sum(v for (role, cat), v in d.items() if cat == "bindbridge"),
            "user_fw": sum(v for (role, cat), v in d.items() if role == "user" and cat == "framework"),
            "python": sum(v for (role, cat), v in d.items() if role == "python"),
        }
        out["other"] = sum(d.values()) - sum(out.values())
        return out

    def top_lines(self, cids, n=12):
        """bindbridge source lines by Ir per call, averaged over cases."""
        acc = collections.defaultdict(float)
        for cid in cids:
            for key, v in self.prof.get(cid, {}).get("line", {}).items():
                obj, src, line = key if isinstance(key, (list, tuple)) else key.split("\x00")
                mod = obj.split(".")[0]
                case = C.BY_ID[cid]
                side = "user" if mod == case.module else "owner"
                acc[(side, src, int(line))] += v / len(cids)
        return sorted(acc.items(), key=lambda kv: -kv[1])[:n]

    def top_functions(self, cid, n=14, which="self"):
        case = C.BY_ID[cid]
        a, b = self.prof.get(cid, {}).get(which), self.prof.get(case.baseline, {}).get(which)
        if not a or not b:
            return []

        def norm(k):
            obj, _, fn = k.partition(":")
            mod = obj.split(".")[0]
            role = "user" if mod == case.module else "owner" if case.owner in C.FW and \
                mod == C.FW[case.owner].module else obj.split(".so")[0]
            if mod == C.BY_ID[case.baseline].module:
                role = "user"
            return "[%s] %s" % (role, fn)
        acc = collections.defaultdict(float)
        for k, v in a.items():
            acc[norm(k)] += v
        for k, v in b.items():
            acc[norm(k)] -= v
        return sorted(((k, v) for k, v in acc.items() if abs(v) >= 1), key=lambda kv: -abs(kv[1]))[:n]


def src_line(src, line):
    """The text of an (installed) header line, best effort."""
    try:
        with open(src) as f:
            for i, text in enumerate(f, 1):
                if i == line:
                    return text.strip()
    except OSError:
        pass
    return ""


def repo_path(src):
    i = src.find("include/bindbridge/")
    return src[i:] if i >= 0 else os.path.basename(src)


def trim(name, width=110):
    name = name.replace("bindbridge::detail::", "").replace("pybind11::detail::", "py::detail::")
    name = name.replace("nanobind::detail::", "nb::detail::")
    return name if len(name) <= width else name[:width - 3] + "..."


# -- the document ----------------------------------------------------------------
def _capsule_bytes():
    # (Results saved before the memory worker recorded it: this Python's.)
    import sys
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import worker
    return worker.capsule_bytes()


def _verdict(vals, limit, what="cells"):
    met = sum(1 for _, x in vals if x <= limit)
    if met == len(vals):
        return "met"
    return "**missed** (%d of %d %s meet it)" % (met, len(vals), what)


def _span(vals):
    xs = [x for _, x in vals]
    return "%.2fx-%.2fx" % (min(xs), max(xs))


def _worst(vals, limit, n=4):
    over = sorted((x, name) for name, x in vals if x > limit)[::-1]
    if not over:
        return ""
    return "; over: " + ", ".join("%s %.2fx" % (name, x) for x, name in over[:n]) + (
        ", ..." if len(over) > n else "")


def memory_split(mem):
    """(the protocol's own bytes per published type, bindbridge's own above it), or None.

    The memory worker publishes as many types again through a bare protocol
    framework (bbbench.bare_types: binding, source name, capsules, weak
    reference, no tables), heard by the same frameworks plus the exporter."""
    none, fws = mem.get("none"), mem.get("frameworks")
    if not none or not fws or "bare_per_type" not in none:
        return None
    extra = fws["frameworks"] - none["frameworks"]
    per_importer = (fws["per_type"] - none["per_type"]) / extra
    exported = none["per_type"] - per_importer            # heard by one importer
    floor = none["bare_per_type"] - 2 * per_importer      # heard by the importer and the exporter
    return floor, exported - floor


def targets(r, results, w):
    """Issue 14's targets table, each row met or missed from this run's figures."""
    w("## Targets")
    w("")
    w("Instructions per call under callgrind, in the same run (wall-clock ratios are in the")
    w("tables below).  *Over* names the worst cells above the target.")
    w("")
    w("| target | measured (Ir) | |")
    w("|---|---|---|")

    def row(text, vals, limit, what="cells"):
        if not vals:
            w("| %s | not measured in this run | - |" % text)
            return
        w("| %s | %s%s | %s |" % (text, _span(vals), _worst(vals, limit), _verdict(vals, limit, what)))

    kinds = list(C.KINDS)
    nat = [("%s %s" % (short(f.key), k), r.get("native:%s:%s" % (k, f.key), "ir_ratio"))
           for f in C.FRAMEWORKS for k in kinds]
    row("native path, adapter linked, no foreign object, every call kind (%s) and framework <= %.2fx "
        "the module without bindbridge" % (", ".join(kinds), TARGET_NATIVE),
        [(n, x) for n, x in nat if x is not None], TARGET_NATIVE)

    def foreign(kind, users=None):
        out = []
        for c in C.CASES:
            if c.group == kind and (users is None or C.FW[c.user].kind == users):
                x = r.get(c.id, "ir_ratio")
                if x is not None:
                    out.append(("%s<-%s" % (short(c.user), short(c.owner)), x))
        return out

    row("foreign `const T&` into nanobind functions <= %.2fx native" % TARGET_NB,
        foreign("arg", "nanobind"), TARGET_NB, "pairs")
    row("foreign `const T&` into pybind11 functions <= %.2fx native" % TARGET_PB,
        foreign("arg", "pybind11"), TARGET_PB, "pairs")
    if any(f.kind == "boost_python" for f in C.FRAMEWORKS):
        row("foreign `const T&` into Boost.Python functions <= %.2fx native" % TARGET_BP,
            foreign("arg", "boost_python"), TARGET_BP, "pairs")
    bb = [r.breakdown(c.id) for c in C.CASES if c.group == "arg"]
    bb = [b for b in bb if b]
    if bb:
        def span(key):
            return "%+d to %+d" % (round(min(b[key] for b in bb)), round(max(b[key] for b in bb)))
        w("| what bindbridge adds on top of the owner's from_python | bindbridge's code %s Ir per call, Python C-API calls %s; the owner's load (the floor) %s; the user's framework %s (negative: the user skips its own load) | reported |"
          % (span("bindbridge"), span("python"), span("floor"), span("user_fw")))
    row("foreign `std::shared_ptr<T>`, every user <= %.2fx native" % TARGET_SHARED,
        foreign("shared"), TARGET_SHARED, "pairs")

    def vs_owner(kinds_):
        # A foreign return: the owner's own return (its framework's code in the call, from the
        # source-level profile) plus all of bindbridge's code, over the owner's own return.
        out = []
        for c in C.CASES:
            cat = r.categorised(c.id) if c.group in kinds_ else None
            if not cat:
                continue
            own = cat.get(("owner", "framework"), 0)
            bb_ir = sum(v for (_role, k), v in cat.items() if k == "bindbridge")
            if own > 0:
                out.append(("%s %s<-%s" % (c.group, short(c.user), short(c.owner)), (own + bb_ir) / own))
        return out

    pct = round((TARGET_RETURN - 1) * 100)
    row("foreign return by value and by reference <= the owner's own return + %d%% (its framework's "
        "code in the call plus bindbridge's, over the former; the profiled pairs)" % pct,
        vs_owner(("val", "ref")), TARGET_RETURN, "pairs")
    row("overload miss with foreign types present <= %.2fx the user's native miss" % TARGET_MISS,
        foreign("miss"), TARGET_MISS, "pairs")
    row("polymorphic returns (`shared_ptr<Shape>`, `unique_ptr<Shape>` holding a `Circle`) <= the "
        "owner's own return + %d%% (as above)" % pct,
        vs_owner(tuple(k for k in ("poly", "uniq") if k in C.KINDS)), TARGET_RETURN, "pairs")

    mem = results.get("memory")
    if mem and mem.get("none") and mem.get("frameworks"):
        extra = mem["frameworks"]["frameworks"] - mem["none"]["frameworks"]
        per_importer = (mem["frameworks"]["per_type"] - mem["none"]["per_type"]) / extra
        per_type = mem["none"]["per_type"] - per_importer
        capsule = mem["none"].get("capsule_bytes") or _capsule_bytes()
        split = memory_split(mem)
        if split:
            floor, own = split
            ok = own <= TARGET_TYPE_B and per_importer <= TARGET_IMPORTER_B
            w("| memory per exported type: bindbridge's own <= %d B above what the protocol itself allocates "
              "(binding, name, capsules, weak reference) / per importing framework <= %d B "
              "| %s B (of %s B in all; the protocol's part %s B, with the %d B capsule) / %s B | %s |"
              % (TARGET_TYPE_B, TARGET_IMPORTER_B, fnum(own), fnum(per_type), fnum(floor), capsule,
                 fnum(per_importer), "met" if ok else "**missed**"))
        else:
            ok = per_type <= TARGET_TYPE_B + capsule and per_importer <= TARGET_IMPORTER_B
            w("| memory per exported type <= %d B plus the capsule (%d B) / per importing framework <= %d B | %s B / %s B | %s |"
              % (TARGET_TYPE_B, capsule, TARGET_IMPORTER_B, fnum(per_type), fnum(per_importer),
                 "met" if ok else "**missed**"))
    sc = results.get("scale", {})
    ex = sc.get("export_ir_by_size", {})
    if ex and sc.get("sizes"):
        worst = max(ex.values())
        ns = sc["export_ns"][-1]
        total_ms = ns * 10000 / 1e6
        ok = worst <= TARGET_EXPORT_IR and total_ms < TARGET_EXPORT_10K_MS
        bare = sc.get("bare_ir_by_size", {})
        floor = ("; a bare protocol framework's publish, heard by the same frameworks: %s Ir"
                 % fnum(max(bare.values()))) if bare else ""
        w("| export <= %s Ir per type; 10,000 types in < %d ms | %s Ir per type (worst size)%s; %.0f ms for 10,000 at the last batch's %s ns per type | %s |"
          % ("{:,}".format(TARGET_EXPORT_IR), TARGET_EXPORT_10K_MS, fnum(worst), floor, total_ms, fnum(ns),
             "met" if ok else "**missed**"))
    lk = sc.get("lookup_ir_by_size", {})
    if lk:
        sizes = sorted(lk, key=int)
        flat = lk[sizes[-1]] <= lk[sizes[0]] * 1.10 + 5
        w("| foreign type lookup O(1) in the number of types | %s Ir at %s types, %s Ir at %s | %s |"
          % (fnum(lk[sizes[0]]), sizes[0], fnum(lk[sizes[-1]]), sizes[-1], "met" if flat else "**missed**"))
    hooks = [c for c in C.CASES if c.group == "hook" and c.compare and r.get(c.id, "ir_added")]
    if hooks:
        vals = [(c, r.get(c.compare, "ir_added") / r.get(c.id, "ir_added")) for c in hooks]
        w("| module-local hook >= 3x cheaper than pybind11's conduit for the same call | %s | %s |" % (
            "; ".join("%s: the conduit adds %s Ir, the hook %s (%.1fx)" % (
                c.id, fnum(r.get(c.compare, "ir_added")), fnum(r.get(c.id, "ir_added")), x) for c, x in vals),
            "met" if all(x >= 3 for _, x in vals) else "**missed**"))
    cb = results.get("codebase")
    if cb:
        added = cb["import_ms"]["bb"] - cb["import_ms"]["plain"]
        w("| a codebase of %s classes: importing the module that imports them all <= +%d ms | %+.1f ms (%.1f ms, without bindbridge %.1f ms) | %s |"
          % ("{:,}".format(cb["classes"]), TARGET_IMPORT_MS, added, cb["import_ms"]["bb"],
             cb["import_ms"]["plain"], "met" if added <= TARGET_IMPORT_MS else "**missed**"))
        ratio = cb["compile_ratio"]
        w("| the same: compiling its translation unit <= +%d%% | %+.0f%% (median of %d rounds taking turns; CPU %.1f s, without bindbridge %.1f s) | %s |"
          % (TARGET_COMPILE_PCT, (ratio - 1) * 100, len(cb["compile_rounds"]["bb"]), cb["compile_s"]["bb"],
             cb["compile_s"]["plain"], "met" if ratio <= 1 + TARGET_COMPILE_PCT / 100 else "**missed**"))
    w("")
    w("[Where the instructions go](#where-the-instructions-go) profiles the main cases.")
    w("")


def markdown(results, png_name="benchmarks.png"):
    r = R(results)
    meta = results["meta"]
    L = []
    w = L.append
    w("# Benchmarks: what a cross-framework call costs")
    w("")
    w("Generated by `bench/run.py` (`./dev bench%s`) on %s; do not edit by hand.  Every figure is"
      % (" --full" if meta["mode"] == "full" else "" if meta["mode"] == "quick" else " (smoke)", meta["date"]))
    w("per call, measured in this one run: *Ir* is instructions per call under callgrind (the")
    w("stable figure), *ns* the wall-clock median with [p25-p75], a *ratio* is against the")
    w("baseline named in the table, measured in the same run.")
    w("")
    w("## Rerun")
    w("")
    w("```bash")
    w("./dev bench          # quick mode: a few minutes once the modules are built")
    w("./dev bench --full   # more workers and rounds, 10k/30k-call callgrind slopes, 5 scale sizes")
    w("./dev bench --against main --cases 'native:*,arg:*'   # a change against another git ref")
    w("```")
    w("")
    w("`--against REF` builds REF's modules from REF's own tree (kept under `build/bench/against/`)")
    w("and runs the chosen cases on both sides in one run: instructions per call, and wall-clock")
    w("medians with the two sides' workers taking turns.  The table goes to")
    w("`build/bench/against-REF.md`.  The `nobb:*` cases (no bindbridge on either side) show what")
    w("the run's process layout alone moves.")
    w("")
    w("This run (%s mode) took %.0f s: wall-clock %.0f s, callgrind %.0f s, scale and memory %.0f s,"
      " the codebase %.0f s."
      % (meta["mode"], meta.get("total_s", 0), meta.get("wall_s", 0), meta.get("callgrind_s", 0),
         meta.get("scale_s", 0), meta.get("codebase_s", 0)))
    w("Results (JSON) and the callgrind dumps stay in `build/bench/results/`.")
    w("")
    w("## Machine and versions")
    w("")
    w("| | |")
    w("|---|---|")
    w("| CPU | %s, %s cores, %s RAM |" % (meta["cpu"], meta["cores"], meta["memory"]))
    w("| OS | %s (%s) |" % (meta["distro"], meta["os"]))
    w("| Python | %s |" % meta["python"])
    w("| compiler | %s, Release (-O3), as tests/versions builds the modules |" % meta["compiler"])
    w("| valgrind | %s |" % meta["valgrind"])
    w("| load average before / after | %s / %s |" % (
        " ".join("%.2f" % x for x in meta["load_before"]), " ".join("%.2f" % x for x in meta["load_after"])))
    w("| bindbridge | %s (%s) |" % (meta["bindbridge"], meta["git"]))
    w("| frameworks | %s; pybind11 3.0.4 without bindbridge (the conduit's user); the C-API test framework (C++ build) |"
      % "; ".join(f.label for f in C.FRAMEWORKS))
    if meta["main_modules"] == "build/bench/modules":
        w("| modules | `build/bench/modules` (bench/build.py: the version modules, unstripped, with `-g`; the same sources without bindbridge; the conduit's user; helpers) |")
    else:
        w("| modules | `%s` (version modules), `build/bench/modules` (the same sources without bindbridge, the conduit user, helpers) |"
          % meta["main_modules"])
    w("")
    s = meta["settings"]
    w("## Method")
    w("")
    w("- Each module binds its own `Pet` (`struct VPet<N> { std::string name; }`) and, for every")
    w("  other module's `Pet`, the same functions (tests/versions/version_module.cpp), declared with")
    w("  `BINDBRIDGE_*_IMPORT` (the declaration route).  Calls are cheap on purpose: `p<N>_f(const T&)`")
    w("  returns `name.size()`, so the conversion dominates.  Every worker process loads all %d"
      % len(C.FRAMEWORKS))
    w("  of them plus pybind11 3.0.4 and the C-API framework.")
    w("- Instructions: one callgrind process per batch of cases; for each case a warm-up, then the")
    w("  loop at %d and %d calls (%d and %d for misses), each bracketed by callgrind client requests;"
      % (s["n"][0], s["n"][1], s["miss_n"][0], s["miss_n"][1]))
    w("  Ir per call is the slope between the two.  Profiles by function and by source file (the")
    w("  modules are built with `-g`, which does not change GCC's code) come from the same dumps.")
    w("- Wall-clock: %d worker processes per process kind, one at a time; each calibrates a loop of"
      % s["workers"])
    w("  about %d us per case, runs %d warm-up rounds and %d rounds, every case once per round in a new"
      % (s["sample_us"], s["warmup"], s["rounds"]))
    w("  random order.  A ratio pairs each sample with the baseline's sample of the same round; the")
    w("  modules without bindbridge bind the same C++ types in a pybind11 internals / nanobind domain of")
    w("  their own, so they share the process with the version modules.")
    w("- Figures include the loop (`for _ in repeat(None, n): f(a)`): the bare loop costs %s Ir / %s ns,"
      % (fnum(r.get("loop:pass", "ir")), fnum(r.get("loop:pass", "wall")["median"])))
    w("  a call of the C builtin `callable(a)` through it %s Ir / %s ns.  Nothing is subtracted."
      % (fnum(r.get("loop:callable", "ir")), fnum(r.get("loop:callable", "wall")["median"])))
    w("")

    # -- targets
    targets(r, results, w)
    sc = results.get("scale", {})
    cb = results.get("codebase")

    # -- f(const T&)
    w("## `int f(const T&)`: foreign T vs native T, every ordered pair")
    w("")
    w("The native row is the user's own `Pet`; a foreign row passes the owner's `Pet` to the user's")
    w("function for that type.  Ratios are against the native row.  *Ir added* splits into the")
    w("owner's own load (its framework's code: the floor bindbridge does not control), bindbridge's")
    w("code (importing side and serving side together), the user's framework code, and Python")
    w("C-API calls (from the callgrind source-level profile).")
    w("")
    w("| user (function) | owner (object) | ns [p25-p75] | ratio [p25-p75] | Ir | Ir ratio | Ir added | owner's load | bindbridge | user's framework | Python |")
    w("|---|---|---|---|---|---|---|---|---|---|---|")
    for u in C.FRAMEWORKS:
        nid = "native:arg:%s" % u.key
        w("| %s | (native) | %s | - | %s | - | - | - | - | - | - |" % (short(u.key), fns(r.get(nid, "wall")),
                                                                     fnum(r.get(nid, "ir"))))
        for o in C.FRAMEWORKS:
            if o is u:
                continue
            cid = "arg:%s<-%s" % (u.key, o.key)
            b = r.breakdown(cid) or {}
            w("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                short(u.key), short(o.key), fns(r.get(cid, "wall")), fratio(r.get(cid, "ratio")),
                fnum(r.get(cid, "ir")), fx(r.get(cid, "ir_ratio")), fadd(r.get(cid, "ir_added")),
                fadd(b.get("floor")), fadd(b.get("bindbridge")), fadd(b.get("user_fw")), fadd(b.get("python"))))
    w("")

    # -- other kinds
    for kind, title in KIND_TITLES.items():
        w("## %s: foreign vs native" % title)
        w("")
        if kind == "shared":
            w("Native: the user's own `SharedPet`, bound with a `std::shared_ptr` holder (pybind11 takes")
            w("`shared_ptr` arguments only for such types); Boost.Python's own `Pet` (it makes a")
            w("`shared_ptr` of any instance, owned by the wrapper).")
            w("")
        if kind in ("val", "ref"):
            w("The result is dropped at once, so each call makes a new wrapper: in a foreign row the")
            w("owner's framework makes it (its `to_python`), in the native row the user's own.")
            w("")
        if kind == "poly":
            w("The user imports only the owner's `VShape<N>`; the result is the owner's `Circle`, found")
            w("by `typeid(*p)` through a one-entry cache, then made by the owner's `to_python`.  In the")
            w("native row the user returns its own `Circle` (its framework's polymorphic lookup).")
            w("")
        if kind == "uniq":
            w("As above, with ownership: the owner's framework takes the `Circle` (the user imports only")
            w("`VShape<N>`) and deletes it with the wrapper.")
            w("")
        if kind == "echo":
            w("The argument is the owner's `Circle`; the `Shape&` result is looked up by the owner")
            w("(dynamic type, most-derived pointer) and is the argument's own wrapper, except where")
            w("Boost.Python owns it: it keeps no instance registry, so its `Shape&` is a new `Circle`")
            w("wrapper of the same object, natively too.")
            w("")
        w("| user | owner | ns [p25-p75] | ratio [p25-p75] | Ir | Ir ratio | Ir added |")
        w("|---|---|---|---|---|---|---|")
        for u in C.FRAMEWORKS:
            nid = "native:%s:%s" % (kind, u.key)
            if C.native_na(kind, u):
                w("| %s | (native) | n/a: %s; ratios below are against its `%s` row | | | | |"
                  % (short(u.key), C.native_na(kind, u), C.NATIVE_NA[(kind, u.kind)][1]))
            else:
                w("| %s | (native) | %s | - | %s | - | - |" % (short(u.key), fns(r.get(nid, "wall")),
                                                             fnum(r.get(nid, "ir"))))
            for o in C.FRAMEWORKS:
                if o is u:
                    continue
                cid = "%s:%s<-%s" % (kind, u.key, o.key)
                w("| %s | %s | %s | %s | %s | %s | %s |" % (
                    short(u.key), short(o.key), fns(r.get(cid, "wall")), fratio(r.get(cid, "ratio")),
                    fnum(r.get(cid, "ir")), fx(r.get(cid, "ir_ratio")), fadd(r.get(cid, "ir_added"))))
        w("")

    # -- native with and without bindbridge
    w("## Native calls: adapter linked vs the same module without bindbridge")
    w("")
    w("The same source (tests/versions/version_module.cpp) built with `BBV_NO_BINDBRIDGE`: same")
    w("types, ids and flags, no bindbridge header, in a pybind11 internals (another")
    w("`PYBIND11_BUILD_ABI`) or nanobind domain (`NB_DOMAIN`) of its own.  Boost.Python's registry")
    w("is one per process, so its module without bindbridge binds another id (`VPet<23>`, the same")
    w("code for another C++ type).  No foreign object is involved in these calls.")
    w("")
    w("| framework | call | ns without | ns with adapter | ratio [p25-p75] | Ir without | Ir with | Ir ratio | Ir added |")
    w("|---|---|---|---|---|---|---|---|---|")
    for u in C.FRAMEWORKS:
        for kind in C.KINDS:
            nid, bid = "native:%s:%s" % (kind, u.key), "nobb:%s:%s" % (kind, u.key)
            if C.native_na(kind, u):
                w("| %s | %s | n/a: %s | | | | | | |" % (short(u.key), kind, C.native_na(kind, u)))
                continue
            w("| %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                short(u.key), kind, fns(r.get(bid, "wall")), fns(r.get(nid, "wall")), fratio(r.get(nid, "ratio")),
                fnum(r.get(bid, "ir")), fnum(r.get(nid, "ir")), fx(r.get(nid, "ir_ratio")),
                fadd(r.get(nid, "ir_added"))))
    w("")

    # -- conduit
    w("## pybind11's cpp conduit (no bindbridge in the user) vs bindbridge's declaration route")
    w("")
    w("What a user can do today without bindbridge: an unmodified pybind11 3.0.4 module that binds")
    w("the same C++ type takes another module's object through pybind11's conduit")
    w("(`_pybind11_conduit_v1_`: pybind11 3.1's own on its types; the one bindbridge installs on the")
    w("nanobind types it exports).  pybind11 2.13 uses another conduit ABI id: refused.  The")
    w("bindbridge rows are the same call through a bindbridge user of the nearest pybind11 version.")
    w("The *consumed* rows go the other way: bindbridge users take the plain module's own `Pet7`,")
    w("which nothing publishes, by calling its class's conduit (docs/zero-code.md); ratios are")
    w("against the user's native `f(const T&)`.")
    w("")
    w("| call | ns [p25-p75] | ratio to its user's native | Ir | Ir ratio | Ir added |")
    w("|---|---|---|---|---|---|")
    w("| pybind11 3.0.4 (plain) `f(own Pet)`, native | %s | - | %s | - | - |"
      % (fns(r.get("conduit:native", "wall")), fnum(r.get("conduit:native", "ir"))))
    for okey in C.CONDUIT_OWNERS:
        cid = "conduit:%s" % okey
        w("| conduit: pybind11 3.0.4 (plain) `f(%s Pet)` | %s | %s | %s | %s | %s |" % (
            short(okey), fns(r.get(cid, "wall")), fratio(r.get(cid, "ratio")), fnum(r.get(cid, "ir")),
            fx(r.get(cid, "ir_ratio")), fadd(r.get(cid, "ir_added"))))
    for cid, text in (("arg:pb310<-nb2150", "bindbridge: pybind11 3.1 `f(nanobind 2.15 Pet)`"),
                      ("arg:pb310<-nb310", "bindbridge: pybind11 3.1 `f(nanobind 3.1 Pet)`"),
                      ("arg:pb2136<-pb310", "bindbridge: pybind11 2.13 `f(pybind11 3.1 Pet)`")):
        w("| %s | %s | %s | %s | %s | %s |" % (text, fns(r.get(cid, "wall")), fratio(r.get(cid, "ratio")),
                                              fnum(r.get(cid, "ir")), fx(r.get(cid, "ir_ratio")),
                                              fadd(r.get(cid, "ir_added"))))
    for c in (c for c in C.CASES if c.group == "consume"):
        w("| consumed: %s `p7_f(pybind11 3.0.4 (plain) Pet7)` | %s | %s | %s | %s | %s |" % (
            short(c.user), fns(r.get(c.id, "wall")), fratio(r.get(c.id, "ratio")), fnum(r.get(c.id, "ir")),
            fx(r.get(c.id, "ir_ratio")), fadd(r.get(c.id, "ir_added"))))
    hook_rows = [c for c in C.CASES if c.group == "hook"]
    for c in hook_rows:
        w("| %s: `%s.%s(%s)` | %s | %s | %s | %s | %s |" % (
            c.id, c.module, c.func, c.arg, fns(r.get(c.id, "wall")), fratio(r.get(c.id, "ratio")),
            fnum(r.get(c.id, "ir")), fx(r.get(c.id, "ir_ratio")), fadd(r.get(c.id, "ir_added"))))
    if not hook_rows:
        w("| module-local hook: measured once issue 6's hook lands | | | | | |")
    w("")
    ca = [r.get("conduit:%s" % k, "ir_added") for k in C.CONDUIT_OWNERS]
    ba = [r.get(c, "ir_added") for c in ("arg:pb310<-nb2150", "arg:pb310<-nb310", "arg:pb2136<-pb310")]
    if all(x is not None for x in ca + ba) and min(ba) > 0:
        w("The conduit adds %s-%s Ir per call over its user's native call; bindbridge's declaration"
          % (fnum(min(ca)), fnum(max(ca))))
        w("route adds %s-%s Ir (%.0fx-%.0fx less)." % (fnum(min(ba)), fnum(max(ba)), min(ca) / max(ba),
                                                     max(ca) / min(ba)))
        w("")

    # -- C-API
    w("## The C-API framework's type")
    w("")
    w("`double point_sum(const bbt_point&)` with a `bbt_point` owned by the C-API test framework")
    w("(tests/protocol/test_framework.c, C++ build).  No module binds `bbt_point` natively, so the")
    w("ratio is against the user's native `f(const T&)` (a similar call, not the same function).")
    w("")
    w("| user | ns [p25-p75] | ratio to native `f` | Ir | Ir ratio | Ir added |")
    w("|---|---|---|---|---|---|")
    for u in C.FRAMEWORKS:
        cid = "capi:%s" % u.key
        w("| %s | %s | %s | %s | %s | %s |" % (short(u.key), fns(r.get(cid, "wall")), fratio(r.get(cid, "ratio")),
                                              fnum(r.get(cid, "ir")), fx(r.get(cid, "ir_ratio")),
                                              fadd(r.get(cid, "ir_added"))))
    w("")

    # -- scale
    w("## 10,000 exported types")
    w("")
    w("`bench/bbbench.cpp` makes Python types at run time with the C API (`PyType_FromSpec`), each")
    w("with a `std::type_info` made at run time (a distinct mangled name), and publishes them")
    w("through bindbridge's runtime (`publish`: what `export_type` does after the framework's own")
    w("lookup) from a framework of its own; the %d version modules' frameworks and a second"
      % len(C.FRAMEWORKS))
    w("bench framework receive every announcement.  The looked-up types are four real C++ types")
    w("(`real<0..3>`, one template) exported beside them.  Per operation:")
    w("")
    w("- *export*: publishing one more type (the batch that brings the count to the size);")
    w("- *lookup*: the importing framework's lookup of a foreign C++ type, as after any registry")
    w("  change (runtime.h `refresh`: the foreign table by `std::type_info`); *missing*: a type")
    w("  nobody exports;")
    w("- *by Python type*: the registry's lookup of a type's binding (`bbr_get_binding`);")
    w("- *warm call*: `pybind11 3.1 f(nanobind 3.1 Pet)` with that many types present.")
    w("")
    sizes = sc.get("sizes", [])
    if sizes:
        w("| types present | export ns | export Ir | lookup ns | lookup Ir | missing ns | missing Ir | by Python type ns | by Python type Ir | warm call ns | warm call Ir |")
        w("|---|---|---|---|---|---|---|---|---|---|---|")
        for i, size in enumerate(sizes):
            k = str(size)

            def ir(what):
                return fnum(sc.get("%s_ir_by_size" % what, {}).get(k))
            w("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                "{:,}".format(size), fnum(sc["export_ns"][i]), ir("export"), fnum(sc["lookup_ns"][i]),
                ir("lookup"), fnum(sc["lookup_missing_ns"][i]), ir("lookup_missing"),
                fnum(sc["lookup_type_ns"][i]), ir("lookup_type"), fnum(sc["call_ns"][i]), ir("call")))
        w("")
        w("(The foreign table of each framework held %s C++ types at the end.)"
          % "{:,}".format(sc["table"][-1][1]))
        w("")

    # -- memory
    mem = results.get("memory", {})
    if mem:
        w("## Memory per exported type")
        w("")
        w("C heap bytes in use (glibc `mallinfo2`, with `PYTHONMALLOC=malloc` so Python objects count")
        w("too) before and after exporting %s types that already exist; the type objects themselves"
          % "{:,}".format(mem["none"]["n"]))
        w("are not counted.  Every framework on the registry keeps a table entry per foreign type.")
        w("")
        w("| frameworks on the registry | bytes per exported type |")
        w("|---|---|")
        for key, text in (("none", "the exporter and one importer (bench only)"),
                          ("frameworks", "the same plus the %d version modules' frameworks" % len(C.FRAMEWORKS))):
            m = mem[key]
            w("| %d: %s | %s |" % (m["frameworks"], text, fnum(m["per_type"])))
        extra = mem["frameworks"]["frameworks"] - mem["none"]["frameworks"]
        if extra > 0:
            w("")
            w("So about %s bytes for the binding, its capsule, weak reference and the exporter's entry,"
              % fnum(mem["none"]["per_type"] - (mem["frameworks"]["per_type"] - mem["none"]["per_type"]) / extra))
            w("and %s bytes more per framework that imports."
              % fnum((mem["frameworks"]["per_type"] - mem["none"]["per_type"]) / extra))
            split = memory_split(mem)
            if split:
                w("")
                w("Of the first figure, %s bytes are what the protocol itself allocates for a published"
                  % fnum(split[0]))
                w("type, measured by publishing as many types through a bare protocol framework with no")
                w("tables (the binding, its source name, the two capsules, the weak reference and its")
                w("callback, the type's attribute); bindbridge's own records add %s bytes." % fnum(split[1]))
        w("")

    # -- a codebase
    if cb:
        w("## A codebase of %s classes" % "{:,}".format(cb["classes"]))
        w("")
        w("`bench/codebase.py`: an owner (pybind11 %s) binds %s classes and exports them all; an"
          % (cb["versions"]["pybind11"], "{:,}".format(cb["classes"])))
        w("importer (nanobind %s) has one function per class taking it by `const T&`, with the"
          % cb["versions"]["nanobind"])
        w("header `python -m bindbridge --header nanobind` generated (%s declarations, in %.1f s)."
          % ("{:,}".format(cb["declared"]), cb["header_s"]))
        w("Without bindbridge: the same sources with no export and no header.  Medians of %d.  The"
          % cb["repeats"])
        w("two compiles take turns, round by round, each timed as the compiler's CPU time; the")
        w("targets row's difference is the median of the rounds' ratios.")
        w("")
        w("| | without bindbridge | with bindbridge | difference |")
        w("|---|---|---|---|")
        rows = (("compiling the importer's translation unit (CPU s, Release)", cb["compile_s"], 1, "s"),
                ("importing the importer, the owner imported (ms)", cb["import_ms"], 1, "ms"),
                ("importing the owner (ms; with bindbridge: the export)", cb["owner_import_ms"], 1, "ms"))
        for name, v, digits, unit in rows:
            w("| %s | %.*f | %.*f | %+.*f %s (%+.0f%%) |" % (
                name, digits, v["plain"], digits, v["bb"], digits, v["bb"] - v["plain"], unit,
                (v["bb"] / v["plain"] - 1) * 100))
        w("")
        w("The first foreign call after the import (the importer's framework joins the registry")
        w("and reads the owner's bindings) took %.1f ms." % cb["first_call_ms"])
        w("")

    # -- profiles
    w("## Where the instructions go")
    w("")
    profile_section(r, w)

    if png_name:
        w("## Plot")
        w("")
        w("![ratios](%s)" % png_name)
        w("")
    return "\n".join(L) + "\n"


def profile_section(r, w):
    arg_ids = [c.id for c in C.CASES if c.group == "arg"]
    have = [i for i in arg_ids if r.breakdown(i)]
    if not have:
        w("(No profiles in this run.)")
        w("")
        return
    if r.res["meta"].get("main_modules") != "build/bench/modules":
        w("(These version modules were not built by bench/build.py: without `-g`, and nanobind's")
        w("stripped, so the source-level split below is partial; run without `--modules` for it.)")
        w("")
    w("From callgrind's source-level profile of the same dumps (Ir per call, foreign minus native).")
    w("bindbridge's code is everything compiled from `include/bindbridge/` (inlined or not), on the")
    w("user's side (the import caster) and on the owner's side (serving `from_python`); calls")
    w("into libc/libstdc++ and out-of-line C++ standard library code count for the line that")
    w("made them.")
    w("")
    for kind in ("pybind11", "nanobind", "boost_python"):
        ids = [i for i in have if C.FW[C.BY_ID[i].user].kind == kind]
        if not ids:
            continue
        bs = [r.breakdown(i) for i in ids]

        def rng(key):
            vals = [b[key] for b in bs]
            return "%+d to %+d" % (round(min(vals)), round(max(vals)))
        w("**%s functions** (%d pairs): owner's load %s Ir, bindbridge %s, the user's framework %s,"
          % (kind, len(ids), rng("floor"), rng("bindbridge"), rng("user_fw")))
        w("Python C-API %s." % rng("python"))
        w("")
        w("bindbridge lines, Ir per call averaged over these pairs (line numbers of the headers the")
        w("modules were built with):")
        w("")
        top = [(k, v) for k, v in r.top_lines(ids) if v >= 1]
        if not top:
            w("(no source lines: the modules have no debug information)")
            w("")
            continue
        w("| Ir | side | line | source |")
        w("|---|---|---|---|")
        for (side, src, line), v in top:
            text = src_line(src, line).replace("|", "\\|") if line > 0 else "(inlined std code)"
            w("| %.1f | %s | %s:%s | `%s` |" % (v, side, repo_path(src), line if line > 0 else "-", text[:90]))
        w("")
    # The pair with the largest pybind11 user overhead, a nanobind one, the costliest profiled miss.
    worst = max((i for i in have if C.FW[C.BY_ID[i].user].kind == "pybind11"),
                key=lambda i: r.get(i, "ir_added") or 0, default=None)
    misses = [c.id for c in C.CASES if c.group == "miss" and c.main and c.id in r.prof]
    worst_miss = max(misses, key=lambda i: r.get(i, "ir_added") or 0, default=None)
    for cid, which in ((worst, "self"),
                       (next((i for i in have if C.FW[C.BY_ID[i].user].kind == "nanobind"), None), "self"),
                       (worst_miss, "incl")):
        if not cid:
            continue
        if which == "self":
            w("Functions, `%s` minus `%s` (self Ir per call; [user]/[owner] module):"
              % (cid, C.BY_ID[cid].baseline))
        else:
            w("Functions of the modules, `%s` minus `%s` (inclusive Ir per call: the function and "
              "what it calls; [user]/[owner] module):" % (cid, C.BY_ID[cid].baseline))
        w("")
        w("| Ir | function |")
        w("|---|---|")
        for name, v in r.top_functions(cid, which=which):
            w("| %+.1f | `%s` |" % (v, trim(name).replace("|", "\\|")))
        w("")
    # Other kinds, for the profiled pairs.
    rows = [c for c in C.CASES if c.main and c.group in KIND_TITLES and r.breakdown(c.id)]
    if rows:
        w("Other kinds for the profiled pairs (Ir per call over the native call of the same kind):")
        w("")
        w("| case | Ir added | owner's framework | bindbridge | user's framework | Python |")
        w("|---|---|---|---|---|---|")
        for c in rows:
            b = r.breakdown(c.id)
            w("| %s: %s <- %s | %s | %s | %s | %s | %s |" % (
                c.group, short(c.user), short(c.owner), fadd(r.get(c.id, "ir_added")), fadd(b["floor"]),
                fadd(b["bindbridge"]), fadd(b["user_fw"]), fadd(b["python"])))
        w("")
    # Native path overhead.
    nat = [("native:%s:%s" % (k, f.key)) for f in C.FRAMEWORKS for k in C.KINDS]
    nat = [i for i in nat if i in r.prof and C.BY_ID[i].baseline in r.prof]
    if nat:
        w("Native path, adapter linked minus no bindbridge, bindbridge lines (every profiled kind):")
        w("")
        w("| framework | call | Ir added | bindbridge lines (Ir per call) |")
        w("|---|---|---|---|")
        for i in nat:
            b = r.breakdown(i) or {}
            lines = ", ".join("%s:%d %.0f" % (repo_path(src).replace("include/bindbridge/", ""), line, v)
                              for (side, src, line), v in r.top_lines([i], 5) if v >= 1)
            w("| %s | %s | %s (bindbridge %s, framework code %s) | %s |" % (
                short(C.BY_ID[i].user), i.split(":")[1], fadd(r.get(i, "ir_added")), fadd(b.get("bindbridge")),
                fadd(b.get("user_fw")), lines or "-"))
        w("")
    notes(r, w)


def fn_diff(r, cid, pattern):
    """Self Ir per call of functions matching pattern, case minus baseline."""
    case = C.BY_ID[cid]
    a, b = r.prof.get(cid), r.prof.get(case.baseline)
    if not a or not b:
        return 0.0
    return sum(v for k, v in a["self"].items() if pattern in k) - \
        sum(v for k, v in b["self"].items() if pattern in k)


def fn_incl(r, cid, pattern):
    """Inclusive Ir per call of the module functions matching pattern, case minus baseline."""
    case = C.BY_ID[cid]
    a = r.prof.get(cid, {}).get("incl", {})
    b = r.prof.get(case.baseline, {}).get("incl", {})
    return max([v for k, v in a.items() if pattern in k] or [0]) - \
        max([v for k, v in b.items() if pattern in k] or [0])


def notes(r, w):
    """What the profiles say, in words: only statements the numbers of this run support."""
    arg = [c.id for c in C.CASES if c.group == "arg" and c.id in r.prof]
    if not arg:
        return
    out = []

    def span(values):
        lo, hi = round(min(values)), round(max(values))
        return "%d" % lo if lo == hi else "%d-%d" % (lo, hi)
    for kind, limit in (("pybind11", TARGET_PB), ("nanobind", TARGET_NB)):
        for f in C.FRAMEWORKS:
            if f.kind != kind:
                continue
            ids = [i for i in arg if C.BY_ID[i].user == f.key]
            native = r.get("native:arg:%s" % f.key, "ir")
            added = [r.get(i, "ir_added") for i in ids if r.get(i, "ir_added") is not None]
            if not native or not added:
                continue
            budget = (limit - 1) * native
            over = [a - budget for a in added if a > budget]
            bs = [r.breakdown(i) for i in ids if r.breakdown(i)]
            if not over:
                out.append("%s functions meet %.2fx: the budget is %d Ir over the native %d, a foreign "
                           "argument adds %s." % (short(f.key), limit, budget, native, span(added)))
                continue
            out.append("%s functions: at %.2fx the budget is %d Ir over the native %d Ir; a foreign "
                       "argument adds %s (the owner's load %s, bindbridge's code %s, the user's framework "
                       "%s, Python %s), so %s Ir per call must go for the pairs that miss." % (
                           short(f.key), limit, budget, native, span(added),
                           span([b["floor"] for b in bs]), span([b["bindbridge"] for b in bs]),
                           span([b["user_fw"] for b in bs]), span([b["python"] for b in bs]), span(over)))
    tls = [fn_diff(r, i, "__tls_get_addr") for i in arg]
    if max(tls) >= 5:
        out.append("`thread_local` access costs %s Ir per foreign call in `__tls_get_addr` alone: "
                   "`serving_depth()` (runtime.h) is read on the importing side and incremented and "
                   "decremented by `serving_guard` on the serving side, and in a shared object each "
                   "access goes through `__tls_get_addr` (global-dynamic TLS model)." % span(tls))
    py = [fn_diff(r, i, "PyInterpreterState_") + fn_diff(r, i, "PyErr_Occurred") for i in arg]
    if max(py) >= 5:
        out.append("Python C-API calls made by bindbridge on every foreign call: "
                   "`in_main_interpreter()` (`PyInterpreterState_Get` + `PyInterpreterState_Main`) and "
                   "`PyErr_Occurred` after a successful `from_python`: %s Ir." % span(py))
    pb = [i for i in arg if C.BY_ID[i].user == "pb310"]
    uf = [r.breakdown(i)["user_fw"] for i in pb if r.breakdown(i)]
    hb = [fn_diff(r, i, "_Hash_bytes") for i in pb]
    if uf and max(uf) >= 50:
        out.append("pybind11 3.1 functions run %s more Ir of pybind11's own code than natively: "
                   "the import caster derives from `type_caster_base<T>`, whose constructor looks `T` up "
                   "in pybind11's type registry on every call (`get_type_info`); for a type pybind11 does "
                   "not bind that lookup misses, walking a hash bucket of `std::type_index` keys whose "
                   "hashes are recomputed (`std::_Hash_bytes` %s Ir, `strcmp`, `strlen`).  The cost "
                   "depends on the bucket, hence the spread between owners.  The caster could keep "
                   "pybind11's `type_info*` (or its absence) per type instead." % (span(uf), span(hb)))
    fl = [r.breakdown(i)["floor"] for i in arg if r.breakdown(i)]
    bbc = [r.breakdown(i)["bindbridge"] for i in arg if r.breakdown(i)]
    out.append("What bounds the rest: the owner's own load is %s Ir (nanobind's `nb_type_get`, "
               "pybind11's `type_caster_generic::load_impl` + `get_value_and_holder`), and the user "
               "skips its own native load; bindbridge's own code is %s Ir per foreign call on both "
               "sides: the cache compares, the call through the owner's `from_python` pointer, "
               "`record_for_import`, and for nanobind users the out-of-line call to the foreign path "
               "(which keeps nanobind's own instances on a short path)." % (span(fl), span(bbc)))
    nb_native = [r.get("native:arg:%s" % f.key, "ir_added") for f in C.FRAMEWORKS if f.kind == "nanobind"]
    nb_native = [x for x in nb_native if x is not None]
    if nb_native and max(nb_native) > 0:
        out.append("nanobind's native path with the adapter linked costs %s Ir more than without "
                   "bindbridge: the compare against the last foreign type, and nanobind's `nb_type_get` "
                   "reached through bindbridge's version wrapper (`compat::type_get`)." % span(nb_native))
    hooks = [c for c in C.CASES if c.group == "hook" and c.compare and r.get(c.id, "ir_added")]
    for c in hooks:
        probe = fn_incl(r, c.id, "try_load_foreign_module_local") if c.id in r.prof else 0
        if not probe:
            out.append("The module-local hook (`%s`, %s Ir over the native call): the cost is pybind11's "
                       "own `try_load_foreign_module_local`, its `hasattr` and `getattr` on the type with a "
                       "new `str` key each call (about 3,000 Ir measured before bindbridge existed, "
                       "../shared/research/perf-anchors.md); bindbridge's loader behind it is the same "
                       "cached path as the declaration route.  An add-on cannot change how pybind11 looks "
                       "the attribute up." % (c.id, fnum(r.get(c.id, "ir_added"))))
        else:
            out.append("The module-local hook (`%s`, %s Ir over the native call): pybind11's own "
                       "`try_load_foreign_module_local` costs %s Ir inclusive, mostly its `hasattr` and "
                       "`getattr` on the type with a new `str` key each call (the type attribute cache "
                       "misses); bindbridge's loader behind it is the same cached path as the "
                       "declaration route.  An add-on cannot change how pybind11 looks the attribute up." % (
                           c.id, fnum(r.get(c.id, "ir_added")), fnum(probe)))
    rets = [c.id for c in C.CASES if c.group == "native" and c.id.split(":")[1] in ("val", "ref")
            and c.id in r.prof and r.breakdown(c.id)]
    if rets:
        fw = [r.breakdown(i)["user_fw"] for i in rets]
        alln = [r.get(c.id, "ir_added") for c in C.CASES if c.group == "native"
                and c.id.split(":")[1] in ("val", "ref") and r.get(c.id, "ir_added") is not None]
        if max(fw) >= 20:
            out.append("Native returns (`T` by value, `T&`) cost %s Ir more with the adapter linked "
                       "(all frameworks: %s), nearly all in the framework's own lookup code (%s Ir): "
                       "bindbridge's caster first asks whether `T` is bound natively "
                       "(`get_type_info(typeid(T))` in pybind11, `nb_type_lookup` in nanobind) and "
                       "the framework's own cast then looks `T` up again.  A per-type cache of the "
                       "answer would remove it." % (span([r.get(i, "ir_added") for i in rets]),
                                                  span(alln), span(fw)))
    misses = [c.id for c in C.CASES if c.group == "miss" and c.main and c.id in r.prof]
    if misses:
        cid = max(misses, key=lambda i: r.get(i, "ir_added") or 0)
        probe = fn_incl(r, cid, "try_load_foreign_module_local")
        names = fn_incl(r, cid, "detail::type_name(")
        if probe >= 500:
            out.append("Overload misses (`%s`, %s Ir over the native miss): bindbridge asks the owner "
                       "on the exact and the convert pass; a pybind11 owner's failing load then probes the "
                       "argument's type for a module-local loader (`try_load_foreign_module_local`, %s "
                       "Ir per call: a failing attribute lookup and its exception)%s." % (
                           cid, fnum(r.get(cid, "ir_added")), fnum(probe),
                           ("; nanobind's error message renders the foreign C++ type's name "
                            "(`type_name`, %s Ir)" % fnum(names)) if names >= 100 else ""))
        elif names >= 100:
            out.append("Overload misses (`%s`, %s Ir over the native miss): a pybind11 owner refuses an "
                       "object pybind11 cannot load before its load probes the argument's type "
                       "(`exact_load_may_take`); most of what is left is nanobind's error message, which "
                       "renders a type declared with the plain IMPORT by its demangled C++ name "
                       "(`type_name`, %s Ir; IMPORT_AS names it by its Python name)." % (
                           cid, fnum(r.get(cid, "ir_added")), fnum(names)))
    w("Notes from these profiles:")
    w("")
    for o in out:
        w("- " + o)
    w("")


# -- the plot ------------------------------------------------------------------
def plot(results, path):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    r = R(results)
    pairs = [(u, o) for u in C.FRAMEWORKS for o in C.FRAMEWORKS if u is not o]
    kinds = list(C.KINDS)
    fig, axes = plt.subplots(1, 2, figsize=(14, 7), sharey=True)
    height = 0.8 / len(kinds)
    colors = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]
    assert len(colors) >= len(kinds), "bench/report.py: one colour per kind"
    for ax, field, title in ((axes[0], "ir_ratio", "instructions (callgrind)"),
                             (axes[1], "ratio", "wall-clock median [p25-p75]")):
        for k, kind in enumerate(kinds):
            ys, xs, lo, hi = [], [], [], []
            for i, (u, o) in enumerate(pairs):
                cid = "%s:%s<-%s" % (kind, u.key, o.key)
                v = r.get(cid, field)
                if v is None:
                    continue
                y = i + (k - (len(kinds) - 1) / 2) * height
                if field == "ratio":
                    ys.append(y)
                    xs.append(v["median"])
                    lo.append(v["median"] - v["p25"])
                    hi.append(v["p75"] - v["median"])
                else:
                    ys.append(y)
                    xs.append(v)
            ax.barh(ys, xs, height=height, color=colors[k], label=kind,
                    xerr=[lo, hi] if field == "ratio" else None, error_kw={"elinewidth": 0.6})
        ax.axvline(1.0, color="black", linewidth=0.8)
        ax.axvline(TARGET_PB, color="grey", linestyle="--", linewidth=0.8)
        ax.axvline(TARGET_NB, color="grey", linestyle=":", linewidth=0.8)
        ax.set_xscale("log")
        ticks = [0.5, 0.75, 1, 1.5, 2, 3, 4, 6]
        ax.set_xticks(ticks)
        ax.set_xticklabels(["%g" % t for t in ticks])
        ax.minorticks_off()
        ax.set_title("foreign / native, %s" % title)
        ax.set_xlabel("ratio (log scale; dashed 1.15x, dotted 1.30x)")
    axes[0].set_yticks(range(len(pairs)))
    axes[0].set_yticklabels(["%s <- %s" % (short(u.key), short(o.key)) for u, o in pairs])
    axes[0].invert_yaxis()
    axes[1].legend(loc="upper right", fontsize=8, title="call")
    fig.suptitle("bindbridge: a call with another framework's object vs the native call (user <- owner)")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return True
