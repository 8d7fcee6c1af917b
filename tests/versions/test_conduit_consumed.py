"""tests/versions/test_conduit_consumed.py: bindbridge importers take objects of unmodified pybind11 modules through their cpp conduit.

plain_* (plain_module.cpp) bind VPet<7>, VShape<7> and VCircle<7> with no
bindbridge code: nothing of theirs is on the registry.  Every default
version module except bbv_nb310 (which binds VPet<7> itself) imports those
types with BINDBRIDGE_*_IMPORT, and takes a plain module's objects through
the `_pybind11_conduit_v1_` method pybind11 >= 2.11.2 puts on its classes
(conduit/consume.h): in place, as const T&, T&, T*, T, std::shared_ptr<T>,
and a Circle as its Shape base (pybind11 upcasts).  The owner of VPet<7>
(bbv_nb310) is not loaded, so nothing else could pass the objects.
"""

from __future__ import annotations

import pytest

from conftest import VERSION_MODULES as MODULE_DIR, run_script, skip_without_boost_python

# The default matrix's importers of VPet<7> (matrix.DEFAULT and BOOST_PYTHON).
IMPORTERS = ["bbv_pb2104", "bbv_pb2136", "bbv_pb304", "bbv_pb310", "bbv_nb292", "bbv_nb2150", "bbv_bp174"]
# An importer that shares a plain module's pybind11 internals (the same
# internals version and ABI) has VPet<7> as pybind11's own type there,
# natively, with no conduit (and pybind11's rule that a shared_ptr
# parameter needs a shared_ptr holder): bbv_pb304 with plain_pb304 (v11),
# bbv_pb2104 with the 2.x ones (v4).  Each takes the other kind instead.
IMPORTERS_3X = [u for u in IMPORTERS if u != "bbv_pb304"]
IMPORTERS_2X = [u for u in IMPORTERS if u != "bbv_pb2104"]

PROMISE = "bindbridge.assume_pybind11_2x_string_abi(1)"

SCRIPT = """
import gc, sys
sys.path.insert(0, %(dir)r)
import bindbridge, %(user)s as user, %(plain)s as plain
%(promise)s
assert "bbv_nb310" not in sys.modules
p = plain.Pet("rex")
print(user.p7_describe(p))
user.p7_rename(p, "max")
print(p.name)                         # renamed in place: no copy on the way
print(user.p7_by_value(p))
print(user.p7_ptr_name(p))
print(user.p7_ptr_name(None))
c = plain.Circle(2.0)
print(user.p7_shape_kind(c))          # the Circle, upcast to its Shape by pybind11
i = user.p7_keep(plain.Pet("kept"))   # a shared_ptr keeps the Python object alive
gc.collect()
print(user.p7_kept_name(i))
user.p7_release_kept()
%(refuses_wrong)s
print("end")
"""

# Objects that are no Pet (a Circle's conduit says None, and a bridged
# Circle's binding is Circle's) are refused; prints nothing if so.
REFUSES_WRONG = """
for wrong in (1, "x", plain.Circle(1.0)):
    try:
        user.p7_describe(wrong)
        print("accepted", type(wrong).__name__)
    except TypeError:
        pass
"""

EXPECTED = ["described rex", "max", "by value max", "pointer max", "none", "circle", "kept", "end"]


def _run(user, plain, promise=""):
    if user == "bbv_bp174" and not list(MODULE_DIR.glob("bbv_bp174.*")):
        skip_without_boost_python("bbv_bp174")
    return run_script(SCRIPT % {"dir": str(MODULE_DIR), "user": user, "plain": plain, "promise": promise,
                                "refuses_wrong": REFUSES_WRONG})


@pytest.mark.parametrize("user", IMPORTERS_3X)
def test_importer_takes_unmodified_pybind11_3x_objects(user):
    result = _run(user, "plain_pb304")
    assert result.returncode == 0 and result.stderr == "", result.describe()
    assert result.stdout.splitlines() == EXPECTED, result.describe()


@pytest.mark.parametrize("plain", ["plain_pb2136", "plain_pb2112"])
@pytest.mark.parametrize("user", IMPORTERS_2X)
def test_importer_takes_pybind11_2x_objects_once_the_string_abi_is_vouched_for(user, plain):
    result = _run(user, plain, PROMISE)
    assert result.returncode == 0 and result.stderr == "", result.describe()
    assert result.stdout.splitlines() == EXPECTED, result.describe()


REFUSED = """
import sys
sys.path.insert(0, %(dir)r)
import bindbridge, %(user)s as user, %(plain)s as plain
%(promise)s
try:
    user.p7_describe(plain.Pet("rex"))
    print("accepted")
except TypeError as e:
    print("refused")
"""


@pytest.mark.parametrize("plain,promise,why", [
    ("plain_pb2136", "", "2.x's id does not say the string ABI, and nobody vouched for it"),
    ("plain_pb2136", "bindbridge.assume_pybind11_2x_string_abi(0)", "vouched for the other string ABI"),
    ("plain_pb304_abi0", "", "3.x's id names the other string ABI: the callee refuses"),
    ("plain_pb2104", "", "pybind11 2.10 has no conduit"),
    ("plain_pb2136_abi0", "", "the old string ABI behind 2.x's id, and no promise"),
    ("plain_pb2136_abi0", "bindbridge.assume_pybind11_2x_string_abi(0)", "a promise of ABI 0, not ours"),
])
@pytest.mark.parametrize("user", ["bbv_pb310", "bbv_nb2150"])
def test_importer_refuses_what_it_cannot_know_is_safe(user, plain, promise, why):
    result = run_script(REFUSED % {"dir": str(MODULE_DIR), "user": user, "plain": plain, "promise": promise})
    assert result.returncode == 0 and result.stderr == "", result.describe()
    assert result.stdout.strip() == "refused", why


def test_python_level_conduit_is_never_called():
    # A class of Python code with a `_pybind11_conduit_v1_` that would hand
    # back any address in a capsule of the right name: not pybind11's, so
    # never asked.
    result = run_script("""
        import ctypes, sys
        sys.path.insert(0, %r)
        import bbv_nb2150
        calls = []
        new = ctypes.pythonapi.PyCapsule_New
        new.restype = ctypes.py_object
        new.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p]
        class Fake:
            def _pybind11_conduit_v1_(self, abi_id, ti, kind):
                calls.append(abi_id)
                return new(16, b"4VPetILi7EE", None)
        try:
            bbv_nb2150.p7_describe(Fake())
            print("accepted")
        except TypeError:
            print("refused", len(calls))
    """ % str(MODULE_DIR))
    assert result.returncode == 0 and result.stderr == "", result.describe()
    assert result.stdout.strip() == "refused 0"
