"""tests/adapters/test_outside_call.py: conversions of foreign objects outside a bound call, in every place C++ makes them.

A C++ thread that takes the GIL, a trampoline's override, a std::function
that C++ kept and calls later, and module initialisation convert with no
call frame of the importing framework: nothing then keeps a temporary the
owner serves through alive (a nanobind enum in pybind11).  By value they
copy first; a reference or pointer into a temporary is refused, as each
framework refuses its own; a reference into an object is fine.  Run under
AddressSanitizer by ./dev sanitize, where a dangling read aborts.
"""

from __future__ import annotations

import pytest

import bb_nanobind as nbm
import bb_pybind11 as pbm

from conftest import check_script


def test_foreign_enum_cast_outside_a_bound_call():
    # The owner hands out a pointer into a temporary; with no pybind11 call
    # frame (a C++ thread) the caster keeps it (ASan: heap-use-after-free
    # before), for every value and repeatedly.
    for _ in range(50):
        assert [pbm.color_value_in_thread(c) for c in nbm.Color] == [1, 2, 4]


def test_reference_cast_outside_a_call_refused_not_dangling():
    # o.cast<const Color&>() in a C++ thread: the nanobind enum is served
    # through a temporary that dies with the cast; the reference would
    # dangle (ASan: heap-use-after-free), so it is refused, as pybind11
    # refuses its own temporaries outside a call.
    for f in (pbm.color_ref_in_thread, pbm.color_ptr_in_thread):
        with pytest.raises(TypeError, match="reference.*Color.*outside a bound call"):
            f(nbm.Color.green)
    # By value, and in containers (copied before the temporary dies): fine.
    assert pbm.colors_in_thread(list(nbm.Color)) == [1, 2, 4]
    assert pbm.color_value_in_thread(nbm.Color.blue) == 4
    # An object that needs no temporary: the reference points into it.
    assert pbm.pet_ref_in_thread(nbm.Pet("rex")) == "rex"


def test_pybind11_trampoline_converts_a_foreign_result_in_a_thread():
    class Green(pbm.Painter):
        def colour(self):
            return nbm.Color.green

        def model(self):
            return nbm.Pet("posed", "still")
    p = Green()
    for _ in range(20):
        assert pbm.painter_colour_in_thread(p) == 2
        assert pbm.painter_colour(p) == 2          # inside a call, for comparison
        assert pbm.painter_model_in_thread(p) == "posed"
    assert pbm.painter_colour_in_thread(pbm.Painter()) == 1


def test_pybind11_kept_std_function_converts_in_a_thread():
    try:
        pbm.colour_source_set(lambda: nbm.Color.blue)
        for _ in range(20):
            assert pbm.colour_source_in_thread() == 4
        # a const Color& result would point into the served temporary
        pbm.colour_ref_source_set(lambda: nbm.Color.blue)
        with pytest.raises(TypeError, match="reference.*Color.*outside a bound call"):
            pbm.colour_ref_source_in_thread()
    finally:
        pbm.sources_clear()


def test_nanobind_casts_pybind11_objects_in_a_thread():
    toy = pbm.Toy("ball")
    for _ in range(20):
        assert nbm.shade_value_in_thread(pbm.Shade.dark) == 200
        assert nbm.toy_ref_in_thread(toy) == "ball"
        assert nbm.toy_ptr_in_thread(toy) == "ball"
        assert nbm.toy_value_in_thread(toy) == "ball"
    with pytest.raises(TypeError):
        nbm.toy_ref_in_thread(nbm.Pet("rex"))      # not a Toy: nb::cast raises, no crash


def test_nanobind_trampoline_converts_a_foreign_result_in_a_thread():
    class Dark(nbm.Brush):
        def shade(self):
            return pbm.Shade.dark

        def toy(self):
            return pbm.Toy("kite")
    b = Dark()
    for _ in range(20):
        assert nbm.brush_shade_in_thread(b) == 200
        assert nbm.brush_shade(b) == 200
        assert nbm.brush_toy_in_thread(b) == "kite"
    assert nbm.brush_shade_in_thread(nbm.Brush()) == 1


def test_nanobind_kept_std_function_converts_in_a_thread():
    toy = pbm.Toy("yoyo")
    try:
        nbm.shade_source_set(lambda: pbm.Shade.light)
        nbm.toy_source_set(lambda: toy)
        for _ in range(20):
            assert nbm.shade_source_in_thread() == 1
            assert nbm.toy_source_in_thread() == "yoyo"
    finally:
        nbm.sources_clear()


def test_module_initialisation_converts_foreign_objects():
    # pybind11's init casting nanobind's enum (the 0.1.0 report: a
    # heap-use-after-free) and nanobind's casting pybind11's objects.
    out = check_script("""
import bb_init_pybind11 as p, bb_init_nanobind as n
print(p.color_by_value, p.color_by_py_cast, p.pet_name_by_reference)
print(p.color_by_reference)
print(n.shade_by_value, n.shade_try_cast, n.toy_name_by_reference, n.toy_name_by_value)
""")
    lines = out.strip().split("\n")
    assert lines[0] == "4 4 rex", out
    assert lines[1].startswith("refused: ") and "outside a bound call" in lines[1], out
    assert lines[2] == "200 200 ball ball", out


def test_a_type_bound_after_a_first_return_returns_natively():
    # The adapters remember that their framework binds T once it does: a
    # return before the module binds T has nowhere to go, the same return
    # after it is the framework's own.
    out = check_script("""
import bb_init_pybind11 as p, bb_init_nanobind as n
for m in (p, n):
    print(m.late_before.split(":")[0], type(m.late_after) is m.LateBound, m.late_after.v)
""")
    assert out.strip().split("\n") == ["refused True 2", "refused True 2"], out
