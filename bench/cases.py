"""bench/cases.py: what the benchmark measures, one Case per measured call.

A Case is a table entry: the module whose function is called, the function,
an argument factory, the loop shape, and the baseline case its ratio is
taken against (ratio = this case / baseline, measured in the same run;
for wall-clock, paired in the same round of the same worker process).

Argument factories (resolved in the worker, once per process):
    "Pet@MOD"        MOD.Pet("rex")
    "SharedPet@MOD"  MOD.SharedPet("rex")
    "point"          a point of the C-API test framework (bbtest_cpp)
    "Circle@MOD"     MOD.Circle(2.0)
    "str"            "x" (a wrong argument: the overload miss)
    "float"          2.0
    None             no argument

Shapes: "call1" fn(a); "call0" fn(); "miss" try: fn(a) except TypeError;
"pass" the bare loop.

Adding a row is one Case (see the module-local hook's rows after
build_cases(): process kinds of their own, since the hook acts
process-wide, and `compare` naming the case the hook must beat; the
report puts group "hook" rows in the conduit table).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Dict, List, NamedTuple, Optional


class Framework(NamedTuple):
    key: str        # short name used in case ids
    module: str     # the version module (bindbridge linked)
    nobb: str       # the same module without bindbridge (same types and ids)
    label: str
    kind: str       # pybind11 | nanobind | boost_python
    id: int         # the module's own VPet id
    nobb_id: int = 0  # the nobb module's id where it differs (Boost.Python: one registry per process)


FRAMEWORKS: List[Framework] = [
    Framework("pb2136", "bbv_pb2136", "bbb_nobb_pb2136", "pybind11 2.13.6 (internals v5)", "pybind11", 2),
    Framework("pb310", "bbv_pb310", "bbb_nobb_pb310", "pybind11 3.1.0 (internals v12)", "pybind11", 4),
    Framework("nb2150", "bbv_nb2150", "bbb_nobb_nb2150", "nanobind 2.15.0", "nanobind", 6),
    Framework("nb310", "bbv_nb310", "bbb_nobb_nb310", "nanobind 3.1.0", "nanobind", 7),
    Framework("bp174", "bbv_bp174", "bbb_nobb_bp174", "Boost.Python 1.74 (the system's)", "boost_python",
              22, nobb_id=23),
]


def load_vbuild():
    """tests/versions/build.py (fetch, cmake_dir, run, the Boost.Python
    check), loaded by path: "build" is also a PyPI name."""
    import importlib.util
    versions = Path(__file__).resolve().parent.parent / "tests" / "versions"
    if str(versions) not in sys.path:
        sys.path.insert(0, str(versions))  # (it imports matrix)
    spec = importlib.util.spec_from_file_location("bbv_build", versions / "build.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def boost_python_available() -> bool:
    """The system's Boost.Python for this interpreter, as
    tests/versions/build.py decides: without it the bench has no
    Boost.Python modules and no Boost.Python rows."""
    return not load_vbuild().boost_python_missing_for("%d%d" % sys.version_info[:2])


if not boost_python_available():
    FRAMEWORKS = [f for f in FRAMEWORKS if f.kind != "boost_python"]
FW: Dict[str, Framework] = {f.key: f for f in FRAMEWORKS}

# The unmodified pybind11 3.0.4 module (no bindbridge) that takes other
# modules' objects through pybind11's cpp conduit; f<id> per owner.
PLAIN = "bbb_plain_pb304"
CONDUIT_OWNERS = ["pb310", "nb2150", "nb310"]  # 2.13's conduit has another ABI id: refused
# The other way: bindbridge users of VPet<7> (owned by bbv_nb310 on the
# registry, whose binding refuses the plain module's Pet7) take the plain
# module's Pet7 through its pybind11 conduit (conduit/consume.h).
CONSUMERS = ["pb2136", "pb310", "nb2150", "bp174"]

# The modules each kind of worker process imports (in this order).  The
# modules without bindbridge live in pybind11 internals / nanobind domains
# of their own, so they share the process (and so the paired timing) with
# the version modules that bind the same C++ types.  A case that needs a
# process of its own (say, a hook that changes how every module of a
# pybind11 internals loads) gets a kind of its own here.
PROCESSES = {
    "main": [f.module for f in FRAMEWORKS] + [f.nobb for f in FRAMEWORKS] + [PLAIN, "bbtest_cpp"],
}
# Calls ("module.function") a worker of that kind makes after the imports.
SETUP: Dict[str, List[str]] = {}


class Case(NamedTuple):
    id: str
    group: str
    module: str
    func: str
    arg: Optional[str]
    shape: str = "call1"
    baseline: Optional[str] = None
    user: str = ""
    owner: str = ""
    expect: str = ""    # "int" (== len("rex")), "type:MOD" (result's type is MOD.Pet), "TypeError", ""
    main: bool = False  # a main case: profiled (function and source level) with its baseline
    process: str = "main"  # the kind of worker process (PROCESSES)
    compare: str = ""      # a case this one must beat (the hook vs the conduit's same call)


# Per-call kinds measured for every user framework natively, without
# bindbridge, and with every other framework's object.
KINDS = {
    # kind: (function for owner id N, argument kind, shape, native function, native argument)
    "arg": ("p{N}_f", "Pet", "call1", "p{U}_f", "Pet"),
    "shared": ("p{N}_f_shared", "Pet", "call1", "shared_f", "SharedPet"),
    "val": ("p{N}_val", None, "call0", "p{U}_val", None),
    "ref": ("p{N}_favourite", None, "call0", "p{U}_favourite", None),
    "miss": ("p{N}_f", "str", "miss", "p{U}_f", "str"),
    # Polymorphic return: shared_ptr<Shape> holding a Circle comes back as
    # the owner's Circle (dynamic type, one cached lookup by typeid).
    "poly": ("p{N}_shape_circle_shared", "float", "call1", "p{U}_shape_circle_shared", "float"),
    # Ownership: unique_ptr<Shape> holding a Circle, given to the owner's
    # framework as the owner's Circle.
    "uniq": ("p{N}_shape_circle_unique", "float", "call1", "p{U}_shape_circle_unique", "float"),
    # Identity: Shape& of an existing Circle wrapper comes back as itself.
    "echo": ("p{N}_shape_echo", "Circle", "call1", "p{U}_shape_echo", "Circle"),
}

# Native calls made another way in a framework: (kind, framework kind) ->
# (function, argument).  Boost.Python takes a std::shared_ptr<T> from any
# instance of T's class (no holder of its own to match).
NATIVE_AS = {
    ("shared", "boost_python"): ("p{U}_f_shared", "Pet"),
}

# Returns that are a new wrapper where other frameworks give the existing
# one: Boost.Python keeps no instance registry, so a `Shape&` of a
# Boost.Python-owned Circle comes back as a new Circle wrapper (natively too).
NO_IDENTITY = ("boost_python",)

# Native calls a framework cannot make: (kind, framework kind) -> why.  Such
# a user has no native row for the kind; its foreign rows take the
# baseline named here instead.
NATIVE_NA = {
    ("uniq", "pybind11"): ("pybind11 cannot return a std::unique_ptr<Shape> of a class held by "
                           "std::shared_ptr (a holder mismatch: the process crashes)", "poly"),
}


def native_na(kind: str, fw: "Framework") -> Optional[str]:
    na = NATIVE_NA.get((kind, fw.kind))
    return na[0] if na else None


GROUPS = {
    "arg": "`int f(const T&)`, foreign T vs native T",
    "shared": "`int f(std::shared_ptr<T>)`, foreign vs native",
    "val": "return `T` by value (a new foreign wrapper vs a new native one)",
    "ref": "return `T&` (policy reference; a new wrapper each call)",
    "miss": "overload miss: `f(\"x\")` -> TypeError, caught",
    "poly": "return `std::shared_ptr<Shape>` holding a `Circle` (the most-derived type: a new wrapper each call)",
    "uniq": "return `std::unique_ptr<Shape>` holding a `Circle` (ownership passes: a new wrapper each call)",
    "echo": "return `Shape&` of an existing `Circle` (identity: the argument's own wrapper)",
    "native": "native calls: adapter linked vs the same module without bindbridge",
    "conduit": "pybind11's cpp conduit (an unmodified pybind11 3.0.4 module) vs bindbridge",
    "consume": "bindbridge users take an unmodified pybind11 3.0.4 module's objects (its conduit)",
    "capi": "C-API framework's `bbt_point` into `double f(const bbt_point&)`",
    "loop": "loop baselines",
}


# Pairs profiled for every kind (the arg kind is profiled for every pair).
PROFILED_PAIRS = [("pb310", "nb310"), ("nb310", "pb310"), ("bp174", "pb310"), ("pb310", "bp174")]


def _expect(kind: str, owner_module: str, owner_kind: str = "") -> str:
    if kind in ("poly", "uniq") or (kind == "echo" and owner_kind in NO_IDENTITY):
        return "circle:%s" % owner_module
    if kind == "echo":
        return "same"
    if kind in ("arg", "shared"):
        return "int"
    if kind in ("val", "ref"):
        return "type:%s" % owner_module
    if kind == "miss":
        return "TypeError"
    return ""


def build_cases() -> List[Case]:
    cases: List[Case] = [
        Case("loop:pass", "loop", "", "", None, shape="pass"),
        # A C builtin taking one object and returning a cached one: the
        # cheapest call through the same loop.
        Case("loop:callable", "loop", "builtins", "callable", "Pet@bbv_pb310"),
    ]
    for u in FRAMEWORKS:
        for kind, (_f, _a, shape, nfunc, narg) in KINDS.items():
            if native_na(kind, u):
                continue
            nfunc, narg = NATIVE_AS.get((kind, u.kind), (nfunc, narg))
            for variant, mod, uid in (("nobb", u.nobb, u.nobb_id or u.id), ("native", u.module, u.id)):
                func = nfunc.format(U=uid)
                arg = narg and (narg if narg in ("str", "float") else "%s@%s" % (narg, mod))
                cid = "%s:%s:%s" % (variant, kind, u.key)
                cases.append(Case(
                    cid, "native" if variant == "native" else "nobb", mod, func, arg, shape,
                    baseline="nobb:%s:%s" % (kind, u.key) if variant == "native" else None,
                    user=u.key, owner=u.key, expect=_expect(kind, mod, u.kind),
                    main=kind == "arg" or u.key in ("pb310", "nb310", "bp174")))
    for u in FRAMEWORKS:
        for o in FRAMEWORKS:
            if u is o:
                continue
            for kind, (ffunc, akind, shape, _n, _na) in KINDS.items():
                arg = akind and (akind if akind in ("str", "float") else "%s@%s" % (akind, o.module))
                base = NATIVE_NA[(kind, u.kind)][1] if native_na(kind, u) else kind
                cases.append(Case(
                    "%s:%s<-%s" % (kind, u.key, o.key), kind, u.module, ffunc.format(N=o.id), arg,
                    shape, baseline="native:%s:%s" % (base, u.key), user=u.key, owner=o.key,
                    expect=_expect(kind, o.module, o.kind),
                    main=kind == "arg" or (u.key, o.key) in PROFILED_PAIRS))
    cases.append(Case("conduit:native", "conduit", PLAIN, "f_own", "Pet@%s" % PLAIN, user="plain304",
                      owner="plain304", expect="int", main=True))
    for okey in CONDUIT_OWNERS:
        o = FW[okey]
        cases.append(Case("conduit:%s" % okey, "conduit", PLAIN, "f%d" % o.id, "Pet@%s" % o.module,
                          baseline="conduit:native", user="plain304", owner=okey, expect="int",
                          main=True))
    for ukey in CONSUMERS:
        if ukey not in FW:
            continue
        cases.append(Case("consume:%s" % ukey, "consume", FW[ukey].module, "p7_f", "Pet7@%s" % PLAIN,
                          baseline="native:arg:%s" % ukey, user=ukey, owner="plain304", expect="int",
                          main=True))
    for u in FRAMEWORKS:
        cases.append(Case("capi:%s" % u.key, "capi", u.module, "point_sum", "point",
                          baseline="native:arg:%s" % u.key, user=u.key, owner="capi", expect="float"))
    return cases


CASES = build_cases()

# The pybind11 module-local hook: it acts process-wide on every pybind11 3.1
# module, so it has process kinds of its own; with the hook off the same
# call goes through pybind11's conduit (hook_module.cpp binds VPet<6>,
# owned by nanobind 2.15, as LocalPet6).
PROCESSES["hook-off"] = ["bbv_nb2150", "hook_pb310"]
PROCESSES["hook"] = ["bbv_nb2150", "hook_pb310"]
SETUP["hook"] = ["hook_pb310.enable"]
CASES += [
    Case("hook-off:native", "hook", "hook_pb310", "reg_name", "LocalPet6@hook_pb310", process="hook-off"),
    Case("hook-off:nb2150", "hook", "hook_pb310", "reg_name", "Pet@bbv_nb2150",
         baseline="hook-off:native", process="hook-off", user="pb310", owner="nb2150"),
    Case("hook:native", "hook", "hook_pb310", "reg_name", "LocalPet6@hook_pb310", process="hook"),
    Case("hook:nb2150", "hook", "hook_pb310", "reg_name", "Pet@bbv_nb2150", baseline="hook:native",
         process="hook", user="pb310", owner="nb2150", compare="hook-off:nb2150"),
]
BY_ID = {c.id: c for c in CASES}
assert len(BY_ID) == len(CASES)
for _c in CASES:
    assert _c.baseline is None or _c.baseline in BY_ID, _c
    assert not _c.compare or _c.compare in BY_ID, _c
    assert _c.process in PROCESSES, _c
