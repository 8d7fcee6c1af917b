"""tests/adapters/test_step_aside.py: bindbridge never overwrites another framework's binding of the same type.

A framework build that speaks pymetabind natively publishes its own types;
exporting them again through bindbridge would replace its capsule (and so
remove its binding).  The C-API test framework stands in for such a build.
"""

from __future__ import annotations

import pytest

from conftest import check_script


def test_export_steps_aside_for_a_type_another_framework_publishes():
    out = check_script("""
import bindbridge, bbtest_cpp, bb_nanobind as nbm
nbm.bind_point(do_export=False)
bbtest_cpp.publish_on(nbm.NbPoint, "bbt_point")
bbtest_cpp.clear_events()
nbm.export_point()      # must not replace the existing binding
b = bindbridge.binding_of(nbm.NbPoint)
assert b.framework.startswith("bbtest_cpp"), b
assert not [e for e in bbtest_cpp.events() if "remove" in e[1]], bbtest_cpp.events()
# other types of the domain are still exported normally
assert bindbridge.binding_of(nbm.Pet).framework.startswith("nanobind")
print("ok")
""")
    assert out.strip() == "ok"


# The C-API framework poses as another framework before it publishes
# NbPoint; then the nanobind domain exports NbPoint, then ToyBox.
POSING = """
import bindbridge, bbtest_cpp, bb_nanobind as nbm
bbtest_cpp.pose_as({name!r})
nbm.bind_point(do_export=False)
bbtest_cpp.publish_on(nbm.NbPoint, "bbt_point")
nbm.export_point()
assert bindbridge.binding_of(nbm.NbPoint).framework == {name!r}
nbm.export_toybox()
b = bindbridge.binding_of(nbm.ToyBox)
ours = bindbridge.binding_of(nbm.Pet).framework
print("none" if b is None else "ours" if b.framework == ours else b.framework)
"""


@pytest.mark.parametrize("name, toybox", [
    # a nanobind build that speaks pymetabind itself serves the whole
    # domain: bindbridge publishes nothing more for it
    ("nanobind 9.9.9 (a native pymetabind build)", "none"),
    # another framework owns only its own types
    ("pybind11 9.9.9 (a native pymetabind build)", "ours"),
    ("bbtest_cpp (C++ test framework)", "ours"),
    # another bindbridge version's record is not a native build
    ("nanobind 9.9.9 via bindbridge 9.9.9", "ours"),
])
def test_a_native_build_of_the_framework_serves_its_whole_domain(name, toybox):
    assert check_script(POSING.format(name=name)).strip() == toybox
