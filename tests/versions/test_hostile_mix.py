"""tests/versions/test_hostile_mix.py: builds that must not share C++ objects, loaded together in every order: nothing crashes.

The modules (matrix.py HOSTILE, plus three of the default matrix) differ in
what decides whether two shared objects may exchange C++ objects: the
libstdc++ string ABI, the standard library (libc++), libstdc++'s debug
mode, the compiler (clang++ against libstdc++, which must interoperate with
g++), and bindbridge's own record layout (a test macro).  Each runs alone,
with every other in both orders, and all together forwards and backwards:
exit 0, empty stderr, and each bindbridge route between two modules is
taken exactly when their C++ ABIs agree.  `python -m bindbridge` names
the frameworks whose ABI differs.
"""

from __future__ import annotations

import concurrent.futures
import itertools
import os
import sys
from pathlib import Path
from typing import Dict, List, NamedTuple, Optional, Tuple

import pytest

from conftest import VERSION_MODULES as MODULE_DIR, run_script


class Mod(NamedTuple):
    name: str
    abi: str                # what decides compatibility: equal means compatible
    domain: str             # the framework domain (pybind11 internals or nanobind domain)
    owns: Optional[int]     # the VPet<N> it exports, None for the plain module
    imports: Tuple[int, ...]


DEFAULT_IMPORTS = tuple(range(1, 8))
HOSTILE_IMPORTS = DEFAULT_IMPORTS + tuple(range(13, 21))

MODS: List[Mod] = [
    Mod("hx_pb2136_abi0", "abi0", "pybind11 v4", 13, HOSTILE_IMPORTS),
    Mod("hx_pb2136_abi1", "abi1", "pybind11 v4", 14, HOSTILE_IMPORTS),
    Mod("bbv_pb310", "abi1", "pybind11 v12 abi1", 4, DEFAULT_IMPORTS),
    Mod("bbv_pb310_abi0", "abi0", "pybind11 v12 abi0", 4, DEFAULT_IMPORTS),
    Mod("bbv_nb310", "abi1", "nanobind abi1", 7, DEFAULT_IMPORTS),
    Mod("hx_nb310_abi0", "abi0", "nanobind abi0", 15, HOSTILE_IMPORTS),
    Mod("hx_pb310_clang", "abi1", "pybind11 v12 abi1", 16, HOSTILE_IMPORTS),
    Mod("hx_nb310_clang", "abi1", "nanobind abi1", 17, HOSTILE_IMPORTS),
    Mod("hx_pb310_libcxx", "libc++", "pybind11 v12 libc++", 18, HOSTILE_IMPORTS),
    Mod("hx_pb310_salt", "abi1", "pybind11 v12 abi1", 19, HOSTILE_IMPORTS),
    Mod("hx_nb310_debug", "debug", "nanobind bbdebug", 20, HOSTILE_IMPORTS),
    Mod("plain_pb2136_abi0", "abi0", "pybind11 v4", None, ()),
]
# ./dev sanitize: the ASan + UBSan builds of three of them take their place
# (the interpreter runs with the sanitizer runtimes preloaded).
if os.environ.get("BINDBRIDGE_HOSTILE_SANITIZED"):
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import matrix  # noqa: E402
    MODS = [m._replace(name=matrix.SANITIZED_FOR.get(m.name, m.name)) for m in MODS]
BY_NAME: Dict[str, Mod] = {m.name: m for m in MODS}
SANITIZED = bool(os.environ.get("BINDBRIDGE_HOSTILE_SANITIZED"))


def pybind11_hazard(names) -> bool:
    """Whether two of `names` are pybind11 2.x builds of two string ABIs in
    one internals.  pybind11 itself, with no bindbridge in the process, reads
    freed memory then (ASan: heap-use-after-free in get_local_internals,
    reproduced with two plain pybind11 2.13.6 modules); without ASan it goes
    unnoticed.  The sanitized run leaves such combinations out: they are
    pybind11's hazard, not bindbridge's."""
    mods = [BY_NAME[n] for n in names]
    return any(a.domain == b.domain == "pybind11 v4" and a.abi != b.abi
               for a, b in itertools.combinations(mods, 2))


def expected(user: Mod, owner: Mod) -> Optional[str]:
    """What user.p<owner.owns>_describe(owner.Pet("x")) must give, or None
    where the call is not made: two builds with other string ABIs in one
    pybind11 2.x internals (pybind11 itself shares them, with no bindbridge
    code on the way: its own hazard, not tested)."""
    if owner.owns is None or owner.owns not in user.imports or user is owner:
        return None
    if user.domain == owner.domain and user.abi != owner.abi:
        return None
    return "described x" if user.abi == owner.abi else "refused"


SCRIPT = """
import sys
sys.path.insert(0, %(dir)r)
import importlib
mods = [importlib.import_module(n) for n in %(names)r]
out = {}
for user in mods:
    for owner in mods:
        key = "%%s<-%%s" %% (user.__name__, owner.__name__)
        if key not in %(calls)r:
            continue
        f = getattr(user, "p%%d_describe" %% owner.ID)
        try:
            out[key] = f(owner.Pet("x"))
        except TypeError:
            out[key] = "refused"
from bindbridge.__main__ import render
out["table"] = render()
print(repr(out))
"""

# The plain module takes exported VPet<7> through pybind11's conduit only,
# which must never hand an object to another string ABI.
PLAIN_SCRIPT = """
import sys
sys.path.insert(0, %(dir)r)
import importlib
for n in %(names)r:
    importlib.import_module(n)
import bbv_nb310, plain_pb2136_abi0
import bindbridge
%(assume)s
try:
    print(plain_pb2136_abi0.describe(bbv_nb310.Pet("x")))
except TypeError:
    print("refused")
"""


def calls_for(names) -> Dict[str, str]:
    mods = [BY_NAME[n] for n in names]
    out = {}
    for user, owner in itertools.permutations(mods, 2):
        e = expected(user, owner)
        if e is not None:
            out["%s<-%s" % (user.name, owner.name)] = e
    return out


def run_mix(names) -> Tuple[object, Dict[str, str]]:
    calls = calls_for(names)
    result = run_script(SCRIPT % {"dir": str(MODULE_DIR), "names": list(names), "calls": calls},
                        timeout=120)
    return result, calls


def check(names):
    result, calls = run_mix(names)
    assert result.returncode == 0 and result.stderr == "", result.describe()
    out = eval(result.stdout)
    got = {k: v for k, v in out.items() if k != "table"}
    assert got == calls, "\n".join("%s: got %r, expected %r" % (k, got.get(k), v)
                                   for k, v in calls.items() if got.get(k) != v)
    return out["table"]


@pytest.fixture(scope="module", autouse=True)
def hostile_modules():
    missing = [m.name for m in MODS if not list(MODULE_DIR.glob(m.name + ".*"))]
    if missing:
        pytest.fail("hostile-mix modules not built: %s (tests/versions/build.py)" % ", ".join(missing))


@pytest.mark.parametrize("name", [m.name for m in MODS if m.owns is not None])
def test_each_alone(name):
    check([name])


def test_every_pair_in_both_orders():
    pairs = [p for p in itertools.permutations([m.name for m in MODS if m.owns is not None], 2)
             if not (SANITIZED and pybind11_hazard(p))]
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(run_mix, pairs))
    failures = []
    for pair, (result, calls) in zip(pairs, results):
        if result.returncode != 0 or result.stderr != "":
            failures.append("%s: exit %d\n%s" % (" then ".join(pair), result.returncode,
                                                 result.stderr[-2000:]))
            continue
        out = eval(result.stdout)
        got = {k: v for k, v in out.items() if k != "table"}
        if got != calls:
            failures.append("%s: got %r, expected %r" % (" then ".join(pair), got, calls))
    assert not failures, "\n\n".join(failures)


@pytest.mark.parametrize("order", ["forwards", "backwards"])
def test_all_together(order):
    names = [m.name for m in MODS if m.owns is not None]
    if SANITIZED:  # (one pybind11 2.13 string ABI only: pybind11_hazard)
        names = [n for n in names if not (BY_NAME[n].domain == "pybind11 v4" and BY_NAME[n].abi != "abi0")]
    if order == "backwards":
        names.reverse()
    table = check(names)
    # The diagnostics name every framework whose ABI is not bindbridge's.
    for tag in ("use_cxx11_abi_0", "libcpp", "glibcxx_debug"):
        assert tag in table and "not shared" in table, table
    # and the builds with another record layout (hx_pb310_salt beside bbv_pb310)
    assert "keep separate records" in table, table


@pytest.mark.parametrize("assume", ["", "bindbridge.assume_pybind11_2x_string_abi(0)"])
def test_old_abi_plain_conduit_user_never_answered(assume):
    # pybind11 2.x's conduit id leaves the string ABI out: a new-ABI exporter
    # answers it only when the user promised the new ABI (test_conduit.py),
    # never without a promise and never after a promise of the old one.
    names = [m.name for m in MODS if m.owns in (13, 14)]   # the two 2.13 builds
    if SANITIZED:  # (the plain module is old-ABI: pybind11_hazard)
        names = [n for n in names if BY_NAME[n].abi == "abi0"]
    result = run_script(PLAIN_SCRIPT % {"dir": str(MODULE_DIR), "names": names, "assume": assume})
    assert result.returncode == 0 and result.stderr == "", result.describe()
    assert result.stdout.strip() == "refused"
