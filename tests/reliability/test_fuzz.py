"""tests/reliability/test_fuzz.py: random __pymetabind_binding__ values and random arguments never crash.

Hypothesis (bounded: a fixed number of examples, no deadline) sets random
attributes, capsule names, capsule pointers (including addresses of real
bindings of other types) and types as __pymetabind_binding__ on exported
and plain types, then calls functions of every adapter and the
diagnostics with random objects.  Only Python exceptions may come out; the
run happens in a subprocess so that a crash fails the test with its output.
(pybind11's own __pybind11_module_local_* attributes are left alone:
pybind11 itself crashes on a forged one.)
"""

from __future__ import annotations

from conftest import check_script

FUZZ = r"""
import gc, random, warnings
from hypothesis import given, settings, strategies as st, HealthCheck
# nanobind's own warning when an object made in Python is asked to give up
# ownership (a std::unique_ptr<T> parameter), as natively.
warnings.filterwarnings("ignore", message=".*nb_relinquish_ownership", category=RuntimeWarning)
import bindbridge
import bb_nanobind as nbm, bb_pybind11 as pbm, bbtest_cpp

CPoint = bbtest_cpp.make_type("bbt_point")
class Plain: pass
class Slotted:
    __slots__ = ()
targets = [nbm.Pet, pbm.Toy, CPoint, Plain, Slotted]
real = {b.python_type: b.address for b in bindbridge.bindings()}

def objects():
    return [nbm.Pet("p"), pbm.Toy("t"), nbm.Both("b"), pbm.Both("b"), CPoint(1, 2), Plain(),
            None, 3, "s", b"x", nbm.Color.red, pbm.Shade.dark, [], object()]

functions = [pbm.pet_describe, nbm.toy_describe, pbm.both_describe, nbm.both_describe,
             pbm.pet_share, nbm.toy_share, pbm.pet_take_unique, nbm.toy_take_unique,
             pbm.point_sum, nbm.point_sum, pbm.color_value, nbm.shade_value,
             pbm.pet_overload, nbm.toy_overload,
             lambda o: bbtest_cpp.point_xy(o, "bbt_point"),
             lambda o: bindbridge.binding_of(type(o)),
             lambda o: bindbridge.explain("Pet", o),
             lambda o: bindbridge.explain(nbm.Pet, o)]

names = st.sampled_from(["pymetabind_binding", "pymetabind_registry", "x", "bindbridge_framework_record"])
pointers = st.one_of(st.integers(1, 2**16), st.sampled_from(sorted(real.values())),
                     st.just(id(Plain)), st.integers(2**40, 2**47))
values = st.one_of(
    st.builds(lambda n, p: bbtest_cpp.forge_capsule(n, p), names, pointers),
    st.sampled_from([None, 0, "capsule", 3.5, Plain, nbm.Pet]),
    st.sampled_from(targets).map(lambda t: t.__dict__.get("__pymetabind_binding__", None)))

@settings(max_examples=400, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
@given(st.sampled_from(targets), values, st.booleans(), st.lists(st.integers(0, 10**6), min_size=4, max_size=12))
def run(target, value, delete, picks):
    try:
        if delete:
            try:
                delattr(target, "__pymetabind_binding__")
            except (AttributeError, TypeError):
                pass
        else:
            setattr(target, "__pymetabind_binding__", value)
    except (AttributeError, TypeError):
        pass
    objs = objects()
    for k, pick in enumerate(picks):
        f = functions[pick % len(functions)]
        o = objs[(pick // 7 + k) % len(objs)]
        try:
            f(o)
        except Exception:
            pass
    # put the real bindings back for the next example
    for t in (nbm.Pet, pbm.Toy):
        try:
            delattr(t, "__pymetabind_binding__")
        except AttributeError:
            pass
    nbm.reexport(); pbm.reexport()
    gc.collect()

run()
# the adapters still work afterwards
assert pbm.pet_describe(nbm.Pet("after")) == "described after"
assert nbm.toy_describe(pbm.Toy("after")) == "described after"
print("fuzz ok")
"""


def test_fuzz_binding_attributes_and_arguments():
    out = check_script(FUZZ, timeout=600)
    assert out.strip().endswith("fuzz ok")
