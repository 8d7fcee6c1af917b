"""tests/adapters/test_step_aside.py: bindbridge never overwrites another framework's binding of the same type.

A framework build that speaks pymetabind natively publishes its own types;
exporting them again through bindbridge would replace its capsule (and so
remove its binding).  The C-API test framework stands in for such a build.
"""

from __future__ import annotations

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
