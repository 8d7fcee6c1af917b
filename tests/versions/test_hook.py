"""tests/versions/test_hook.py: the pybind11 module-local hook, on and refused, per pybind11 version.

hook_<version> modules (hook_module.cpp) bind functions taking VPet<7>
(owned by the nanobind 3.1 module bbv_nb310) with no bindbridge
declaration, so a foreign object can only pass through the hook.  The
hook acts process-wide, so every scenario runs in an interpreter of its
own.  Where the hook is refused, a test forces it on (hook_gate::
ignore_for_tests) and shows the hazard the refusal avoids.
"""

from __future__ import annotations

import signal

import pytest

from conftest import VERSION_MODULES as MODULE_DIR, run_script


PRELUDE = """
import sys, gc, warnings
sys.path.insert(0, %r)
warnings.simplefilter("error")     # an unexpected warning fails the script
def attempt(f, *a):
    try:
        return f(*a)
    except Exception as e:
        return "%%s: %%s" %% (type(e).__name__, str(e).splitlines()[0])
""" % str(MODULE_DIR)


def run(body: str, **kw):
    return run_script(PRELUDE + body, **kw)


def lines(result):
    assert result.returncode == 0, result.describe()
    return result.stdout.splitlines()


# --- where the hook is on: pybind11 3.1 --------------------------------------

def test_off_until_enabled():
    out = lines(run("""
import bbv_nb310, hook_pb310 as h
p = bbv_nb310.Pet("rex")
print(attempt(h.name, p))
print(h.stats()["enabled"])
"""))
    assert out[0].startswith("TypeError: name(): incompatible function arguments")
    assert out[1] == "False"


def test_pybind11_31_takes_foreign_arguments_without_declaration():
    out = lines(run("""
import bbv_nb310, hook_pb310 as h
p = bbv_nb310.Pet("rex")
print(h.enable())
print(h.name(p))
h.rename(p, "max")                 # zero-copy: the nanobind object changes
print(p.name)
print(h.by_value(p))
print(h.ptr(p))
print(h.k(p))                      # const T& first in the overload set
s = h.stats()
print(s["loads"] >= 5, s["installed"] >= 1, s["skipped"])
"""))
    assert out == ["True", "rex", "max", "by value max", "max", "ref max", "True True []"]


def test_shared_ptr_argument_keeps_the_foreign_owner_alive():
    out = lines(run("""
import bbv_nb310, hook_pb310 as h
h.enable()
p = bbv_nb310.Pet("rex")
print(h.shared_state(p))
before = sys.getrefcount(p)
h.keep_shared(p)                   # the shared_ptr holds a reference to p
print(sys.getrefcount(p) - before, h.kept_names())
h.release_kept(); gc.collect()
print(sys.getrefcount(p) - before)
"""))
    assert out == ["holds rex", "1 ['rex']", "0"]


def test_unique_ptr_is_a_clean_runtime_error_and_stops_the_overload_set():
    # The documented hazard on 3.1: pybind11 cannot take ownership of a
    # foreign instance and raises instead of trying the next overload.
    out = lines(run("""
import bbv_nb310, hook_pb310 as h
h.enable()
p = bbv_nb310.Pet("rex")
print(attempt(h.uniq, p))
print(attempt(h.h, p))
print(h.k(p))
print(p.name)
"""))
    assert out[0] == out[1] == ("RuntimeError: Foreign instance cannot be converted to std::unique_ptr "
                                "because we don't know how to make it relinquish ownership")
    assert out[2:] == ["ref rex", "rex"]


def test_types_exported_after_enabling_get_the_hook():
    out = lines(run("""
import hook_pb310 as h
h.enable()
import bbv_nb310, bbv_nb2150           # exported after: installed from a pending call
print(h.name(bbv_nb310.Pet("late")))
print(h.reg_name(bbv_nb2150.Pet("six")), h.reg_shared(bbv_nb2150.Pet("six")))
"""))
    assert out == ["late", "six holds six"]


def test_process_wide_an_unmodified_module_takes_them_too():
    out = lines(run("""
import bbv_nb310, hook_pb310_plain as plain
p = bbv_nb310.Pet("rex")
print(attempt(plain.name, p).split(":")[0])
import hook_pb310 as h
h.enable()
print(plain.name(p), plain.shared_state(p))
"""))
    assert out == ["TypeError", "rex holds rex"]


def test_enabling_twice_and_from_two_modules_installs_once():
    out = lines(run("""
import bbv_nb310, hook_pb310 as h
print(h.enable(), h.enable())
first = h.stats()["installed"]
print(h.enable(), h.stats()["installed"] == first)
"""))
    assert out == ["True True", "True True"]


def test_a_type_with_its_own_attribute_is_left_alone():
    out = lines(run("""
import bbv_nb310, hook_pb310 as h
setattr(bbv_nb310.Pet, h.ATTRIBUTE, "theirs")
h.enable()
print(getattr(bbv_nb310.Pet, h.ATTRIBUTE))
print([s.split(":")[0] for s in h.stats()["skipped"]])
"""))
    assert out == ["theirs", "['bbv_nb310.Pet']"]


def test_removed_binding_is_never_used():
    out = lines(run("""
import bbv_nb310, hook_pb310 as h
h.enable()
p = bbv_nb310.Pet("rex")
print(h.name(p))
del bbv_nb310.Pet.__pymetabind_binding__
print(attempt(h.name, p).split(":")[0])
print(h.stats()["refusals"] >= 1)
"""))
    assert out == ["rex", "TypeError", "True"]


def test_a_dead_type_leaves_nothing_behind():
    # A runtime-made foreign type gets the attribute, dies, and a new type
    # may reuse its address: the loader only ever looks bindings up.
    out = lines(run("""
import bbtest_cpp, hook_pb310 as h
h.enable()
for i in range(50):
    T = bbtest_cpp.make_type("Tmp%d" % i)
    del T
    gc.collect()
import bbv_nb310
print(h.name(bbv_nb310.Pet("still")), h.stats()["installed"] >= 50)
"""))
    assert out == ["still True"]


# --- where the hook is refused ------------------------------------------------

REFUSED = {
    "hook_pb2104": "pybind11 2.x hands a function an empty std::shared_ptr<T>",
    "hook_pb2136": "pybind11 2.x hands a function an empty std::shared_ptr<T>",
    "hook_pb304": "pybind11 3.0.0 and 3.0.1 crash on a std::shared_ptr<T> argument",
    "hook_pb301": "pybind11 3.0.0 and 3.0.1 crash on a std::shared_ptr<T> argument",
}


@pytest.mark.parametrize("module", sorted(REFUSED))
def test_refused_with_a_warning_that_says_why(module):
    out = lines(run("""
import bbv_nb310, %s as h
with warnings.catch_warnings(record=True) as w:
    warnings.simplefilter("always")
    print(h.enable())
print(len(w), w[0].category.__name__)
print(w[0].message)
print(attempt(h.name, bbv_nb310.Pet("rex")).split(":")[0])
print(h.stats()["enabled"])
""" % module))
    assert out[0] == "False" and out[1] == "1 RuntimeWarning"
    assert REFUSED[module] in out[2] and "BINDBRIDGE_PYBIND11_IMPORT(T)" in out[2]
    assert out[3:] == ["TypeError", "False"]


@pytest.mark.parametrize("module", ["hook_pb2104", "hook_pb2136"])
def test_hazard_forced_on_2x_empty_shared_ptr(module):
    out = lines(run("""
import bbv_nb310, %s as h
h.force_enable()
p = bbv_nb310.Pet("rex")
print(h.name(p), h.shared_state(p))
""" % module))
    assert out == ["rex empty"]


def test_hazard_forced_on_304_unique_ptr_overload_set():
    out = lines(run("""
import bbv_nb310, hook_pb304 as h
h.force_enable()
p = bbv_nb310.Pet("rex")
print(h.shared_state(p))
print(attempt(h.h, p).split(":")[0])
"""))
    assert out == ["holds rex", "RuntimeError"]


@pytest.mark.parametrize("call", ["shared_state", "uniq"])
def test_hazard_forced_on_301_crashes(call):
    # What an enabled hook would do to every pybind11 3.0.0/3.0.1 module in
    # the process (they read the same attribute as 3.0.4).
    result = run("""
import bbv_nb310, hook_pb301 as h
h.force_enable()
p = bbv_nb310.Pet("rex")
print(h.name(p), flush=True)
h.%s(p)
print("survived")
""" % call)
    assert result.stdout.splitlines()[0] == "rex", result.describe()
    assert result.returncode == -signal.SIGSEGV, result.describe()
