"""tests/adapters/test_ownership.py: std::unique_ptr<T> arguments take ownership across frameworks where the owner can give it up.

nanobind can make an instance give up its C++ object when the object was
made in C++ (a take_ownership or unique_ptr return), as its own
std::unique_ptr<T> parameters require; bindbridge lets a pybind11 3.x
function with a std::unique_ptr<T> parameter take such an object from a
nanobind module.  pybind11 objects cannot give one up (test_explain.py).
"""

from __future__ import annotations

from conftest import check_script


def test_unique_ptr_argument_takes_ownership_from_nanobind():
    out = check_script("""
import gc
import bb_nanobind as nb, bb_pybind11 as pb
def alive():
    gc.collect()
    return pb.hierarchy_alive() + nb.hierarchy_alive()
base = alive()
d = pb.animal_make_dog_owned()            # a nanobind Dog made in C++, owned by Python
assert type(d) is nb.Dog and alive() == base + 1
assert pb.animal_take_unique(d) == "dog"  # the pybind11 function took it and deleted it
assert alive() == base, (alive(), base)
import warnings
with warnings.catch_warnings(record=True) as w:   # as nanobind's own relinquished objects:
    warnings.simplefilter("always")              # a warning and a TypeError
    try:
        d.kind()
        print("still usable")
    except Exception as e:
        print("relinquished", type(e).__name__)
assert any("relinquished instance" in str(x.message) for x in w), [str(x.message) for x in w]
del d
assert alive() == base                    # deleted once
# const std::unique_ptr<T>&: a view, ownership goes back to Python
e = pb.animal_make_dog_owned()
assert pb.animal_peek_unique(e) == "dog" and e.kind() == "dog"
del e
assert alive() == base
print("ok")
""")
    lines = out.split()
    assert lines[0] == "relinquished" and lines[-1] == "ok", out


def test_object_made_in_python_is_refused_and_the_next_overload_runs():
    out = check_script("""
import warnings
import bb_nanobind as nb, bb_pybind11 as pb
warnings.simplefilter("ignore")           # nanobind's own warning, as natively
q = nb.Pet("rex", "woof")                 # constructed in Python: nanobind keeps it
try:
    pb.pet_take_unique(q)
except TypeError:
    print("refused")
print(pb.pet_overload(q), q.name)
p = nb.pet_make_owned("max")              # made in C++: taken by the unique_ptr overload
print(pb.pet_overload(p))
""")
    assert out.split() == ["refused", "const", "ref", "rex", "unique"], out


def test_unique_ptr_custom_deleter_return_refused_and_deleted():
    # std::unique_ptr<Pet, PetDeleter> of the nanobind Pet from pybind11: the
    # nanobind wrapper could not run PetDeleter, so the return is refused,
    # saying why, and the deleter runs (nothing leaks).
    out = check_script("""
import bb_nanobind as nb, bb_pybind11 as pb
before = pb.pet_custom_deleter_runs()
try:
    pb.pet_custom_deleter()
except TypeError as e:
    print("refused:", e)
print("deleter runs", pb.pet_custom_deleter_runs() - before)
""")
    assert "refused: bindbridge: cannot return std::unique_ptr<Pet, PetDeleter>" in out, out
    assert "custom deleter" in out and "deleter runs 1" in out, out
