"""tests/protocol/test_registry.py: the registry operations with real C and C++ test frameworks.

Each test runs in a fresh interpreter (the registry lives as long as the
interpreter, and import order matters), through conftest's check_script,
which fails on a non-zero exit or anything on stderr.
"""

from __future__ import annotations

import itertools
import json
import textwrap

import pytest

from conftest import check_script, run_script

# Prelude for the scripts: an event log merged over every loaded framework.
PRELUDE = """
import gc, json, sys
import bindbridge
def events(*mods):
    out = []
    for m in mods:
        short = m.__name__
        out += [(seq, short, text) for seq, text in m.events()]
    return [(who, text) for _, who, text in sorted(out)]
def clear(*mods):
    for m in mods:
        m.clear_events()
def emit(obj):
    print(json.dumps(obj))
"""


def run_json(body: str):
    out = check_script(PRELUDE + textwrap.dedent(body))
    return [json.loads(line) for line in out.splitlines() if line.strip()]


C, C2, CPP = "bbtest_c (C test framework)", "bbtest_c2 (C test framework)", \
    "bbtest_cpp (C++ test framework)"


def test_registry_created_once_and_shared():
    before, after, infos, fws = run_json("""
    emit(bindbridge.registry_exists())
    bindbridge.frameworks(); bindbridge.bindings()   # reading never creates it
    emit(bindbridge.registry_exists())
    import bbtest_c, bbtest_cpp
    emit([bbtest_c.info()["registry"], bbtest_cpp.info()["registry"]])
    emit([f.name for f in bindbridge.frameworks()])
    """)
    assert before is False and after is False
    assert infos[0] == infos[1] != 0
    assert fws == [C, CPP]


def test_add_framework_order_and_replay_to_late_joiner():
    ev = run_json("""
    import bbtest_c
    A = bbtest_c.make_type("A"); B = bbtest_c.make_type("B")
    import bbtest_cpp
    emit(events(bbtest_c, bbtest_cpp))
    clear(bbtest_c, bbtest_cpp)
    import bbtest_c2
    emit(events(bbtest_c, bbtest_cpp, bbtest_c2))
    clear(bbtest_c, bbtest_cpp, bbtest_c2)
    C = bbtest_cpp.make_type("C")
    emit(events(bbtest_c, bbtest_cpp, bbtest_c2))
    emit([bbtest_c2.foreign_bindings(), bbtest_cpp.foreign_bindings()])
    """)
    # Spec "Add framework" step 5: other->add_foreign_framework(new) then
    # new->add_foreign_framework(other); step 6: replay bindings in list order.
    assert ev[0] == [
        ["bbtest_c", "add_foreign_framework " + CPP],
        ["bbtest_cpp", "add_foreign_framework " + C],
        ["bbtest_cpp", "add_foreign_binding A from " + C],
        ["bbtest_cpp", "add_foreign_binding B from " + C],
    ]
    assert ev[1] == [
        ["bbtest_c", "add_foreign_framework " + C2],
        ["bbtest_c2", "add_foreign_framework " + C],
        ["bbtest_cpp", "add_foreign_framework " + C2],
        ["bbtest_c2", "add_foreign_framework " + CPP],
        ["bbtest_c2", "add_foreign_binding A from " + C],
        ["bbtest_c2", "add_foreign_binding B from " + C],
    ]
    # Spec "Add binding" step 5: every other framework, in list order.
    assert ev[2] == [
        ["bbtest_c", "add_foreign_binding C from " + CPP],
        ["bbtest_c2", "add_foreign_binding C from " + CPP],
    ]
    assert ev[3] == [[["A", C], ["B", C], ["C", CPP]], [["A", C], ["B", C]]]


def test_abi_tags_are_interned():
    infos, fws = run_json("""
    import bbtest_cpp, bbtest_cpp2, bbtest_c
    emit([m.info() for m in (bbtest_cpp, bbtest_cpp2, bbtest_c)])
    emit([[f.language, f.abi_tag] for f in bindbridge.frameworks()])
    """)
    cpp, cpp2, c = infos
    assert cpp["abi_extra"] == cpp2["abi_extra"] == bindbridge_abi_tag()
    # The newcomer's tag now points at the first equal string (spec step 3).
    assert cpp2["abi_extra_address"] == cpp["abi_extra_address"]
    assert c["abi_extra"] is None and c["abi_extra_address"] == 0
    assert fws == [["C++", cpp["abi_extra"]], ["C++", cpp["abi_extra"]], ["C", None]]


def bindbridge_abi_tag():
    import bindbridge
    return bindbridge.ABI_TAG


REMOVAL_EXPECTED = [
    ["bbtest_c", "remove_local_binding Dying"],
    ["bbtest_cpp", "remove_foreign_binding Dying from " + C],
    ["bbtest_c2", "remove_foreign_binding Dying from " + C],
    ["bbtest_c", "free_local_binding Dying"],
]


def test_type_death_removes_binding_once():
    ev, names, foreign, left = run_json("""
    import bbtest_c, bbtest_cpp, bbtest_c2
    T = bbtest_c.make_type("Dying")
    obj = T(1, 2)
    assert bbtest_cpp.point_xy(obj, "Dying") == (1.0, 2.0)
    clear(bbtest_c, bbtest_cpp, bbtest_c2)
    del obj, T
    gc.collect()
    emit(events(bbtest_c, bbtest_cpp, bbtest_c2))
    emit([b.cpp_name for b in bindbridge.bindings()])
    emit(bbtest_cpp.foreign_bindings())
    gc.collect()
    emit(events(bbtest_c, bbtest_cpp, bbtest_c2))
    """)
    assert ev == REMOVAL_EXPECTED
    assert names == [] and foreign == []
    assert left == REMOVAL_EXPECTED  # nothing more happened


def test_del_binding_attribute_removes_binding_once():
    ev, binding, later, again = run_json("""
    import bbtest_c, bbtest_cpp, bbtest_c2
    T = bbtest_c.make_type("Dying")
    obj = T(3, 4)
    clear(bbtest_c, bbtest_cpp, bbtest_c2)
    del T.__pymetabind_binding__
    emit(events(bbtest_c, bbtest_cpp, bbtest_c2))
    emit(bindbridge.binding_of(T))
    try:
        bbtest_cpp.point_xy(obj, "Dying")
    except TypeError as e:
        pass
    else:
        raise AssertionError("a removed binding still converts")
    clear(bbtest_c, bbtest_cpp, bbtest_c2)
    del obj, T
    gc.collect()
    emit(events(bbtest_c, bbtest_cpp, bbtest_c2))
    # exporting again after removal publishes a fresh binding
    U = bbtest_c.make_type("Again")
    del U.__pymetabind_binding__
    bbtest_c.export(U)
    emit([b.cpp_name for b in bindbridge.bindings()])
    """)
    assert ev == REMOVAL_EXPECTED
    assert binding is None
    assert later == []  # the weakref no longer fires once removal happened
    assert again == ["Again"]


def test_export_twice_is_harmless():
    names, ev = run_json("""
    import bbtest_c, bbtest_cpp
    T = bbtest_c.make_type("Once")
    clear(bbtest_c, bbtest_cpp)
    bbtest_c.export(T); bbtest_c.export(T)
    emit([b.cpp_name for b in bindbridge.bindings()])
    emit(events(bbtest_c, bbtest_cpp))
    """)
    assert names == ["Once"] and ev == []


def test_subclass_finds_base_binding():
    (same, xy), = run_json("""
    import bbtest_c, bbtest_cpp
    T = bbtest_c.make_type("Base")
    class Sub(T):
        pass
    emit([bindbridge.binding_of(Sub).python_type is T, bbtest_cpp.point_xy(Sub(5, 6), "Base")])
    """)
    assert same is True and xy == [5.0, 6.0]


BAD_INPUTS = """
import bbtest_c, bbtest_cpp
T = bbtest_c.make_type("Real")
class Plain: pass
def fresh(attr):
    class Forged: pass
    if attr is not None:
        Forged.__pymetabind_binding__ = attr
    return Forged
class Meta(type):
    def __getattr__(cls, name):
        raise RuntimeError("metaclass refuses " + name)
class Hostile(metaclass=Meta): pass
class RaisingMeta(type):
    @property
    def __pymetabind_binding__(cls):
        raise ValueError("boom")
class Raising(metaclass=RaisingMeta): pass
real = bbtest_c.lookup(T)[0]
cases = {
    "no binding": Plain,
    "wrong capsule name": fresh(bbtest_c.forge_capsule("not_pymetabind", real)),
    "not a capsule": fresh(12345),
    "None": fresh(None.__class__),
    "never announced pointer": fresh(bbtest_c.forge_capsule("pymetabind_binding", 4096)),
    "pointer to another object": fresh(bbtest_c.forge_capsule("pymetabind_binding", id(Plain))),
    "metaclass __getattr__ raises": Hostile,
    "attribute property raises": Raising,
}
out = {}
for label, typ in cases.items():
    raw, checked, raw_err, checked_err = bbtest_c.lookup(typ)
    errors = []
    for mod in (bbtest_c, bbtest_cpp):
        try:
            mod.point_xy(typ.__new__(typ) if label != "no binding" else typ(), "Real")
        except TypeError as e:
            errors.append(str(e))
    out[label] = [raw != 0, checked, raw_err, checked_err, bindbridge.binding_of(typ) is None,
                  len(errors)]
emit(out)
emit(bbtest_c.lookup(T)[1] == real != 0)
"""


def test_bad_capsules_give_none_never_a_crash():
    out, real_ok = run_json(BAD_INPUTS)
    assert real_ok is True
    for label, (raw_nonzero, checked, raw_err, checked_err, diag_none, n_type_errors) \
            in out.items():
        # never a Python error left set, checked lookup says none, both
        # frameworks refuse with TypeError, diagnostics say none
        assert (checked, raw_err, checked_err, diag_none, n_type_errors) == (0, 0, 0, True, 2), \
            label
        # the raw lookup sees a pointer only where a right-named capsule sits
        assert raw_nonzero == (label in ("never announced pointer",
                                         "pointer to another object")), label


RV = """
import bbtest_c, bbtest_cpp, weakref
T = bbtest_c.make_type("Point")
COPY, MOVE, REF, TAKE, SHARE, NONE = (bbtest_cpp.COPY, bbtest_cpp.MOVE, bbtest_cpp.REFERENCE,
    bbtest_cpp.TAKE_OWNERSHIP, bbtest_cpp.SHARE_OWNERSHIP, bbtest_cpp.NONE)
out = {}
for name, pol in (("copy", COPY), ("move", MOVE), ("take_ownership", TAKE)):
    obj, new = bbtest_cpp.to_foreign("Point", 1, 2, pol)
    out[name] = [type(obj) is T, obj.x, obj.y, new]
out["none_without_wrapper"] = bbtest_cpp.to_foreign("Point", 0, 0, NONE, 3)
r1, n1 = bbtest_cpp.to_foreign("Point", 7, 8, REF, 2)
r2, n2 = bbtest_cpp.to_foreign("Point", 7, 8, REF, 2)
r3, n3 = bbtest_cpp.to_foreign("Point", 0, 0, NONE, 2)
out["reference"] = [r1 is r2 is r3, n1, n2, n3]
s, ns = bbtest_cpp.to_foreign("Point", 9, 9, SHARE, 4)
class Payload: pass
payload = Payload(); alive = weakref.ref(payload)
out["keep_alive"] = bbtest_cpp.keep_alive_via(s, payload)
del payload; gc.collect()
out["payload_alive_while_nurse_lives"] = alive() is not None
del s; gc.collect()
out["payload_released_with_nurse"] = alive() is None
out["share_new"] = ns
emit(out)
"""


def test_to_python_policies_through_the_owner():
    (out,) = run_json(RV)
    for pol in ("copy", "move", "take_ownership"):
        assert out[pol] == [True, 1.0, 2.0, 1], pol
    assert out["none_without_wrapper"] is None
    assert out["reference"] == [True, 1, 0, 0]
    assert out["keep_alive"] is True and out["share_new"] == 1
    assert out["payload_alive_while_nurse_lives"] is True
    assert out["payload_released_with_nurse"] is True


SHUTDOWN = """
import gc
{imports}
types = {{}}
for m in ({mods}):
    types[m.__name__] = m.make_type("Point")
objs = [t(1, 2) for t in types.values()]
# cross-framework use, and a reference-policy wrapper alive at exit
import bbtest_cpp
held = [bbtest_cpp.point_xy(o) for o in objs]
ref, _ = bbtest_cpp.to_foreign("Point", 3, 4, bbtest_cpp.REFERENCE, 5)
dying = types.popitem()[1]
del dying
gc.collect()
"""


@pytest.mark.parametrize("order", list(itertools.permutations(["bbtest_c", "bbtest_cpp",
                                                               "bbtest_c2"])),
                         ids=lambda o: "-".join(x.replace("bbtest_", "") for x in o))
def test_shutdown_in_every_import_order(order):
    check_script(SHUTDOWN.format(imports="\n".join("import " + m for m in order),
                                 mods=", ".join(order)))


def test_shutdown_with_del_binding_between_calls():
    check_script("""
    import bbtest_c, bbtest_cpp
    T = bbtest_c.make_type("Point")
    p = T(1, 2)
    bbtest_cpp.point_xy(p)
    del T.__pymetabind_binding__
    try:
        bbtest_cpp.point_xy(p)
    except TypeError:
        pass
    bbtest_c.export(T)
    assert bbtest_cpp.point_xy(p) == (1.0, 2.0)
    """)


def test_reading_registry_does_not_create_it():
    out = check_script("""
    import bindbridge, bindbridge.__main__ as cli
    print(cli.render())
    print(bindbridge.registry_exists())
    """)
    assert "No pymetabind registry" in out and out.strip().endswith("False")


def test_cli_lists_frameworks_and_bindings():
    result = run_script("""
    import sys, runpy
    import bbtest_c, bbtest_cpp
    T = bbtest_c.make_type("Shown")
    sys.argv = ["bindbridge"]
    runpy.run_module("bindbridge", run_name="__main__")
    """)
    assert result.returncode == 0, result.describe()
    assert "Frameworks (2)" in result.stdout and "Bindings (1)" in result.stdout
    assert "bbtest_c.Shown" in result.stdout and C in result.stdout and CPP in result.stdout


def test_cli_import_option_and_missing_module():
    result = run_script("""
    import sys
    from bindbridge.__main__ import main
    sys.exit(main(["--import", "bbtest_cpp", "--import", "bbtest_c"]))
    """)
    assert result.returncode == 0, result.describe()
    assert result.stdout.index("bbtest_cpp (C++") < result.stdout.index("bbtest_c (C test")
    bad = run_script("""
    import sys
    from bindbridge.__main__ import main
    sys.exit(main(["--import", "no_such_module_here"]))
    """)
    assert bad.returncode == 2 and "cannot import no_such_module_here" in bad.stderr
