"""tests/adapters/test_keep_alive.py: keep_alive annotations whose nurse or patient another framework owns.

A framework ties a patient to a nurse of its own in its own instance data;
for a nurse it does not own it falls back to a weak reference, which
nanobind objects do not take by default.  bindbridge routes pybind11's
py::keep_alive with a foreign nurse through the nurse's framework (the
protocol's keep_alive).  nanobind's nb::keep_alive with a pybind11 nurse
needs nothing: pybind11 objects take weak references.

Each test checks both halves: the patient lives while the nurse does, and
dies (gc) once the nurse is gone.
"""

from __future__ import annotations

import gc
import sys
import weakref

import pytest

import bb_nanobind as nbm
import bb_pybind11 as pbm
from conftest import tied


class PyPet(nbm.Pet):
    """A Python subclass: takes weak references, so the test can watch it."""


def test_nanobind_objects_take_no_weakref():
    # The premise: pybind11's own fallback cannot work for these nurses.
    with pytest.raises(TypeError):
        weakref.ref(nbm.Pet("rex"))


@pytest.mark.parametrize("tie, make_nurse, make_patient", [
    # pybind11 annotation, nanobind nurse: without routing "cannot create weak reference"
    (pbm.pet_holds_toy, lambda: nbm.Pet("rex"), lambda: pbm.Toy("ball")),
    # ... a Python subclass of it (takes weakrefs, still routed)
    (pbm.pet_holds_toy, lambda: PyPet("rex"), lambda: pbm.Toy("ball")),
    # pybind11 annotation, pybind11 nurse: pybind11's own patient list
    (pbm.toy_holds_pet, lambda: pbm.Toy("ball"), lambda: PyPet("rex")),
    # nanobind annotation, pybind11 nurse: nanobind's weakref
    (nbm.toy_holds_pet, lambda: pbm.Toy("ball"), lambda: PyPet("rex")),
    # nanobind annotation, nanobind nurse, pybind11 patient
    (nbm.pet_holds_toy, lambda: nbm.Pet("rex"), lambda: pbm.Toy("ball")),
], ids=["pb11-nb-nurse", "pb11-nb-subclass-nurse", "pb11-pb11-nurse", "nb-pb11-nurse",
        "nb-nb-nurse"])
def test_argument_nurse(tie, make_nurse, make_patient):
    nurse, patient = make_nurse(), make_patient()
    tie(nurse, patient)
    held = [nurse, patient]
    del nurse, patient
    assert tied(held) == (True, True)


@pytest.mark.parametrize("make, arg, result_type", [
    # keep_alive<0, 1> in pybind11: the new nanobind Pet keeps the Toy
    (pbm.pet_for_toy, lambda: pbm.Toy("ball"), nbm.Pet),
    # keep_alive<0, 1> in nanobind: the new pybind11 Toy keeps the Pet
    (nbm.toy_for_pet, lambda: PyPet("ball"), pbm.Toy),
], ids=["pb11-nb-result", "nb-pb11-result"])
def test_result_nurse(make, arg, result_type):
    patient = arg()
    result = make(patient)
    assert type(result) is result_type and result.name == "ball"
    held = [result, patient]
    del result, patient
    assert tied(held) == (True, True)


def test_pybind11_keep_alive_foreign_patient_is_the_result():
    toy = pbm.Toy("box")
    pet = pbm.toy_holds_result(toy)  # keep_alive<1, 0>: the Toy holds the new Pet
    assert type(pet) is nbm.Pet and pet.name == "kept"
    # The result takes no weakref: watch the reference the Toy holds.
    held = sys.getrefcount(pet)
    del toy
    gc.collect()
    assert sys.getrefcount(pet) == held - 1


def test_pybind11_keep_alive_none_nurse_is_a_no_op():
    toy = pbm.Toy("ball")
    pbm.none_holds_toy(None, toy)
    ref = weakref.ref(toy)
    del toy
    gc.collect()
    assert ref() is None


def test_pybind11_keep_alive_unbound_nurse_without_weakrefs_raises_as_pybind11():
    # A nurse no framework publishes and that takes no weakref: pybind11's
    # own error, unchanged.
    with pytest.raises(TypeError, match="weak reference"):
        pbm.none_holds_toy(1, pbm.Toy("ball"))
