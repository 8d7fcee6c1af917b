"""tests/bench/test_bench_smoke.py: the benchmark runner works end to end (tiny mode; never a timing assertion).

Runs `bench/run.py --smoke` on the version modules the test build made
(BINDBRIDGE_VERSION_MODULES, default build/versions/modules); the runner
builds only its own small modules (bench/build.py --no-main: the modules
without bindbridge, the conduit's user, its helpers).  Checks that the
results file is well formed and that the markdown has every row.
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import cases as C  # noqa: E402
import report  # noqa: E402

from conftest import VERSION_MODULES  # noqa: E402


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    if shutil.which("valgrind") is None:
        pytest.skip("valgrind is not installed (the benchmark counts instructions with callgrind)")
    if not VERSION_MODULES.is_dir():
        pytest.fail("no version modules in %s: run ./dev build" % VERSION_MODULES, pytrace=False)
    out = tmp_path_factory.mktemp("bench")
    cmd = [sys.executable, str(ROOT / "bench" / "run.py"), "--smoke", "--modules", str(VERSION_MODULES),
           "--md", str(out / "benchmarks.md"), "--png", str(out / "benchmarks.png"),
           "--results", str(out / "results")]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=1500)
    assert proc.returncode == 0, "%s\n--- stdout\n%s\n--- stderr\n%s" % (
        " ".join(cmd), proc.stdout[-4000:], proc.stderr[-4000:])
    results = json.loads((out / "results" / "results.json").read_text())
    return results, (out / "benchmarks.md").read_text(), out


def finite(x):
    return isinstance(x, (int, float)) and math.isfinite(x)


def test_results_have_every_case(run):
    results, _, _ = run
    assert results["meta"]["mode"] == "smoke"
    for c in C.CASES:
        got = results["cases"].get(c.id)
        assert got is not None, c.id
        assert got["wall"]["n"] > 0 and finite(got["wall"]["median"]), (c.id, got)
        assert finite(got.get("ir")) and got["ir"] > 0, (c.id, got)
        if c.baseline:
            assert finite(got["ratio"]["median"]) and got["ratio"]["n"] > 0, (c.id, got)
            assert finite(got["ir_ratio"]) and finite(got["ir_added"]), (c.id, got)


def test_results_have_scale_and_memory(run):
    results, _, _ = run
    scale = results["scale"]
    n = len(scale["sizes"])
    assert n >= 2
    for key in ("export_ns", "lookup_ns", "lookup_missing_ns", "lookup_type_ns", "call_ns"):
        assert len(scale[key]) == n and all(finite(x) for x in scale[key]), key
    for what in ("export", "lookup", "lookup_missing", "lookup_type", "call"):
        by_size = scale["%s_ir_by_size" % what]
        assert sorted(map(int, by_size)) == scale["sizes"], what
    for key in ("none", "frameworks"):
        m = results["memory"][key]
        assert finite(m["per_type"]) and finite(m["bare_per_type"]) and m["frameworks"] >= 2, m
    assert results["memory"]["frameworks"]["frameworks"] > results["memory"]["none"]["frameworks"]
    # The protocol's own part of a published type (the bare framework's) is
    # measured, and what bindbridge adds above it (small tiny-mode samples:
    # no bound on it here).
    floor, own = report.memory_split(results["memory"])
    assert floor > 0 and finite(own), (floor, own)


def test_results_have_the_codebase(run):
    results, _, _ = run
    cb = results["codebase"]
    assert cb["classes"] == 10 and cb["declared"] == 10, cb
    for key in ("compile_s", "import_ms", "owner_import_ms"):
        assert set(cb[key]) == {"bb", "plain"} and all(finite(x) and x > 0 for x in cb[key].values()), key
    assert finite(cb["first_call_ms"]) and finite(cb["header_s"])


def table_rows(md, heading):
    """The data rows of the first table after a heading that starts with `heading`."""
    lines = md.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("## ") and heading in line)
    rows, in_table = [], False
    for line in lines[start + 1:]:
        if line.startswith("## "):
            break
        if line.startswith("|"):
            in_table = True
            if not line.startswith("|---") and not line.startswith("| user") and \
                    not line.startswith("| framework") and not line.startswith("| call") and \
                    not line.startswith("| types") and not line.startswith("| frameworks on") and \
                    not line.startswith("| |"):
                rows.append(line)
        elif in_table:
            break
    return rows


def test_markdown_has_every_row(run):
    _, md, _ = run
    pairs = [(u, o) for u in C.FRAMEWORKS for o in C.FRAMEWORKS if u is not o]
    per_kind = len(C.FRAMEWORKS) + len(pairs)  # a native row per user + every pair
    rows = table_rows(md, "`int f(const T&)`")
    assert len(rows) == per_kind, rows
    for u, o in pairs:
        assert any(r.startswith("| %s | %s |" % (report.short(u.key), report.short(o.key))) for r in rows), (u, o)
    for kind, title in report.KIND_TITLES.items():
        assert len(table_rows(md, title)) == per_kind, kind
    assert len(table_rows(md, "Native calls")) == len(C.FRAMEWORKS) * len(C.KINDS)
    conduit = table_rows(md, "cpp conduit")
    hooks = [c for c in C.CASES if c.group == "hook"]
    consumed = [c for c in C.CASES if c.group == "consume"]
    assert len(conduit) == 1 + len(C.CONDUIT_OWNERS) + 3 + len(consumed) + max(1, len(hooks)), conduit
    if not hooks:
        assert "module-local hook: measured once issue 6's hook lands" in md
    assert len(table_rows(md, "C-API framework")) == len(C.FRAMEWORKS)
    assert len(table_rows(md, "10,000 exported types")) == 2  # smoke sizes
    assert len(table_rows(md, "Memory per exported type")) == 2
    assert len(table_rows(md, "A codebase of 10 classes")) == 3
    assert "| a codebase of 10 classes: importing" in md
    for section in ("## Rerun", "## Machine and versions", "## Method", "## Targets",
                    "## Where the instructions go"):
        assert section in md, section
    # No undefined numbers anywhere.
    assert "nan" not in md.lower().replace("nanobind", "")


def test_plot_when_matplotlib_is_there(run):
    _, md, out = run
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        assert "plot not made" in md
        return
    assert (out / "benchmarks.png").stat().st_size > 1000
    assert "![ratios](benchmarks.png)" in md


def test_against_compares_two_builds_case_by_case(run):
    # bench/against.py on the same modules twice (--ref-modules: no unpacking, no build):
    # every case's instruction count must agree between the sides, so a mix-up of the
    # sides, a dropped case or a misread dump shows.
    _, _, out = run
    md = out / "against.md"
    cmd = [sys.executable, str(ROOT / "bench" / "against.py"), "HEAD", "--smoke", "--no-build",
           "--ref-modules", str(VERSION_MODULES), "--modules", str(VERSION_MODULES),
           "--cases", "native:arg:*,arg:nb310<-pb310,miss:pb310<-nb310", "--md", str(md)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, "%s\n--- stdout\n%s\n--- stderr\n%s" % (
        " ".join(cmd), proc.stdout[-4000:], proc.stderr[-4000:])
    text = md.read_text()
    want = [c.id for c in C.CASES if c.id.startswith("native:arg:")] + ["arg:nb310<-pb310", "miss:pb310<-nb310"]
    rows = {line.split("|")[1].strip(): line.split("|")[2:-1] for line in text.splitlines()
            if line.startswith("| ") and not line.startswith("| case")}
    assert sorted(rows) == sorted(want), rows
    for cid, cells in rows.items():
        ref_ir, this_ir = (float(x.strip().replace(",", "")) for x in cells[:2])
        assert ref_ir > 100 and abs(this_ir / ref_ir - 1) < 0.02, (cid, cells)
        assert cells[5].strip() != "-" and cells[6].strip().endswith("x"), (cid, cells)  # wall-clock too
    assert "%d cases:" % len(want) in text and "0 n/a on one side" in text


def test_against_refuses_patterns_that_match_nothing():
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "against.py"), "HEAD", "--cases", "nosuch:*",
                           "--no-build", "--ref-modules", str(VERSION_MODULES)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0 and "no case id matches nosuch:*" in proc.stderr, proc.stderr
