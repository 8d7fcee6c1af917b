"""tests/adapters/test_ownership.py: std::unique_ptr<T> arguments take ownership across frameworks where the owner can give it up.

nanobind can make an instance give up its C++ object when the object was
made in C++ (a take_ownership or unique_ptr return), as its own
std::unique_ptr<T> parameters require; bindbridge lets a pybind11 3.x
function with a std::unique_ptr<T> parameter take such an object from a
nanobind module.  pybind11 3.x gives up py::smart_holder objects nothing
else owns, as its own parameters make them, and bindbridge lets a nanobind
function take them; classic pybind11 holders give up none
(test_explain.py).
"""

from __future__ import annotations

from conftest import check_script

# The scripts' prelude: alive() counts the C++ objects of both modules.
COUNTING = """
import gc
import bb_nanobind as nb, bb_pybind11 as pb
def alive():
    gc.collect()
    return pb.hierarchy_alive() + nb.hierarchy_alive()
"""


def test_unique_ptr_argument_takes_ownership_from_nanobind():
    out = check_script(COUNTING + """
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


def test_unique_ptr_argument_takes_ownership_from_pybind11_smart_holder():
    out = check_script(COUNTING + """
base = alive()
w = pb.widget_make_slider()               # a pybind11 py::smart_holder Slider
assert type(w) is pb.Slider and alive() == base + 1
assert nb.widget_take_unique(w) == "slider"   # the nanobind function took it and deleted it
assert alive() == base, (alive(), base)
for use in (w.label, lambda: pb.widget_label_of(w), lambda: nb.widget_take_unique(w)):
    try:                                  # as pybind11's own disowned objects
        use()
        print("still usable")
    except (TypeError, ValueError) as e:
        print("disowned", type(e).__name__)
del w
assert alive() == base                    # deleted once
# constructed in Python: a smart holder owns it as well, and gives it up
v = pb.Widget()
assert nb.widget_take_unique(v) == "widget" and alive() == base
# const std::unique_ptr&: nanobind's own parameters take ownership too
v = pb.widget_make_slider()
assert nb.widget_peek_unique(v) == "slider" and alive() == base
del v
print("ok")
""")
    lines = out.strip().split("\n")
    assert lines[-1] == "ok", out
    # w.label: pybind11's own ValueError; bindbridge's conversions: TypeError
    assert lines[:3] == ["disowned ValueError", "disowned ValueError", "disowned TypeError"], out


def test_smart_holder_refusals_leave_the_object_usable():
    out = check_script(COUNTING + """
base = alive()
w = pb.widget_make_slider()
def try_to_take(w):                       # nanobind's unique_ptr parameter, then pybind11's
    for take in (nb.widget_take_unique, pb.widget_take_unique_native):
        try:
            take(w)
            print("taken")
        except (TypeError, ValueError) as e:
            print("refused", type(e).__name__)
pb.widget_keep(w)                         # a std::shared_ptr owns it too: refused, natively too
try_to_take(w)
pb.widget_release()
assert w.label() == "slider" and alive() == base + 1
nb.widget_keep(w)                         # a nanobind std::shared_ptr shares pybind11's holder
try_to_take(w)
nb.widget_release_kept()
assert w.label() == "slider" and alive() == base + 1
# as two arguments: nanobind gives the first to its unique_ptr before it
# tries the second, which fails, so the first is deleted (natively too:
# pybind11 and nanobind lose it the same way); nothing leaks, nothing dangles
w = pb.widget_make_slider()
try:
    nb.widget_take_two(w, w)
except TypeError:
    print("two refused")
assert alive() == base, (alive(), base)
try:
    w.label()
except ValueError:
    print("lost")
del w
# a classic holder (pybind11's std::shared_ptr holder Shape) gives up nothing
try:
    nb.shape_take_unique(pb.Circle(1.0))
    print("taken")
except TypeError as e:
    print("classic refused")
print("ok")
""")
    assert out.split() == ["refused", "TypeError", "refused", "ValueError",
                           "refused", "TypeError", "refused", "ValueError",
                           "two", "refused", "lost", "classic", "refused", "ok"], out


def test_python_subclass_lives_as_long_as_the_cpp_object():
    # A trampoline instance given up to C++ (py::trampoline_self_life_support):
    # as natively, the Python object lives while C++ owns it, and its
    # override still answers virtual calls after Python dropped it.
    out = check_script(COUNTING + """
class Knob(pb.Widget):
    def label(self):
        return "knob"
base = alive()
k = Knob()
import weakref
r = weakref.ref(k)
nb.widget_adopt(k)
del k
gc.collect()
print(r() is not None, nb.widget_adopted_labels(), alive() - base)
nb.widget_release_adopted()
gc.collect()
print(r() is None, alive() - base)
""")
    assert out.strip().split("\n") == ["True ['knob'] 1", "True 0"], out
