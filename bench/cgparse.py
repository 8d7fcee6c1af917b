"""bench/cgparse.py: reads callgrind output files (one event: Ir) into per-function and per-source costs.

parse(path) -> Dump with
  self_cost:  "object:function" -> Ir spent in the function's own code;
  by_source:  (object, source) -> Ir, where inlined code counts for the
              file it comes from (callgrind's fi=/fe= records, needs -g;
              "fn:<name>" where there is no file), and calls into libc,
              libstdc++, libgcc, ld.so and into out-of-line C++ standard
              library functions count for the calling line (they are the
              caller's work); their own lines are then not counted again;
  by_line:    (object, file, line) -> Ir as by_source, for files whose path
              contains one of `line_files` (e.g. "/bindbridge/");
  calls:      "object:function" -> {"object:function" of callee: (count, inclusive Ir)}.
Name compression ("fn=(12) name", later "fn=(12)") and a cost line right
after "calls=" (the inclusive cost of that call) are handled.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from typing import Dict, NamedTuple, Tuple

SYSTEM_LIBS = ("libc.so", "libstdc++.so", "libgcc_s.so", "ld-linux", "libm.so", "libpthread")


class Dump(NamedTuple):
    name: str
    summary: int
    self_cost: Dict[str, int]
    by_source: Dict[Tuple[str, str], int]
    by_line: Dict[Tuple[str, str, int], int]
    calls: Dict[str, Dict[str, Tuple[int, int]]]


_NAME = re.compile(r"^\((\d+)\)(?: (.*))?$")


def _resolve(table: Dict[str, str], value: str) -> str:
    m = _NAME.match(value)
    if not m:
        return value
    ident, name = m.group(1), m.group(2)
    if name is not None:
        table[ident] = name
        return name
    return table.get(ident, "?(%s)" % ident)


def is_system(obj: str) -> bool:
    return any(lib in obj for lib in SYSTEM_LIBS)


def is_std(path: str) -> bool:
    return path.startswith("/usr/include/c++/")


def parse(path: str, line_files: Tuple[str, ...] = ("/bindbridge/",)) -> Dump:
    obs: Dict[str, str] = {}
    files: Dict[str, str] = {}
    fns: Dict[str, str] = {}
    self_cost: Dict[str, int] = defaultdict(int)
    by_source: Dict[Tuple[str, str], int] = defaultdict(int)
    by_line: Dict[Tuple[str, str, int], int] = defaultdict(int)
    pos = 0

    def count(cost):
        src = _source(cur_file, fl, fn)
        obj = os.path.basename(ob)
        by_source[(obj, src)] += cost
        if any(m in src for m in line_files):
            by_line[(obj, src, pos if src == cur_file else -1)] += cost
    calls: Dict[str, Dict[str, list]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    name = ""
    summary = 0
    ob = fl = cur_file = ""
    cur = ""
    cob = cfn = cfile = ""
    fn = ""
    folded_fn = False  # the current function's lines are counted at its callers
    call_count = 0
    after_calls = False
    with open(path) as f:
        for line in f:
            c = line[:1]
            if not c or c == "\n":
                continue
            if c.isdigit() or c in "+-*":
                parts = line.split()
                p0 = parts[0]
                if p0[0] == "+":
                    pos += int(p0[1:])
                elif p0[0] == "-":
                    pos -= int(p0[1:])
                elif p0 != "*":
                    pos = int(p0)
                cost = int(parts[1]) if len(parts) > 1 else 0
                if after_calls:
                    after_calls = False
                    callee_ob = cob or ob
                    callee = "%s:%s" % (os.path.basename(callee_ob), cfn)
                    entry = calls[cur][callee]
                    entry[0] += call_count
                    entry[1] += cost
                    if call_count and not folded_fn and (is_system(callee_ob) or is_std(cfile or fl)):
                        count(cost)
                    cob = cfile = ""
                else:
                    self_cost[cur] += cost
                    if not folded_fn:
                        count(cost)
                continue
            key, _, value = line.rstrip("\n").partition("=")
            if key == "ob":
                ob = _resolve(obs, value)
            elif key == "fl":
                fl = cur_file = _resolve(files, value)
            elif key in ("fi", "fe"):
                cur_file = _resolve(files, value)
            elif key == "fn":
                fn = _resolve(fns, value)
                cur = "%s:%s" % (os.path.basename(ob), fn)
                cur_file = fl
                folded_fn = is_system(ob) or is_std(fl)
            elif key == "cob":
                cob = _resolve(obs, value)
            elif key in ("cfi", "cfl"):
                cfile = _resolve(files, value)
            elif key == "cfn":
                cfn = _resolve(fns, value)
            elif key == "calls":
                after_calls = True
                call_count = int(value.split()[0])
            elif line.startswith("summary:"):
                summary = int(line.split()[1])
            elif line.startswith("desc: Trigger: Client Request: "):
                name = line[len("desc: Trigger: Client Request: "):].strip()
    return Dump(name, summary, dict(self_cost), dict(by_source), dict(by_line),
                {k: {kk: tuple(vv) for kk, vv in v.items()} for k, v in calls.items()})


def _source(cur_file: str, fl: str, fn: str) -> str:
    """Where a line's cost counts: its file; inlined standard library code
    counts for the enclosing function's file; no file: the function."""
    if is_std(cur_file):
        cur_file = fl
    if not cur_file or cur_file == "???":
        return "fn:" + fn
    return cur_file


def summary_only(path: str):
    """(name, summary) without reading the per-function costs."""
    name, summary = "", 0
    with open(path) as f:
        for line in f:
            if line.startswith("desc: Trigger: Client Request: "):
                name = line[len("desc: Trigger: Client Request: "):].strip()
            elif line.startswith("summary:"):
                summary = int(line.split()[1])
                break
    return name, summary
