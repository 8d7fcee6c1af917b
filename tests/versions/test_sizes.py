"""tests/versions/test_sizes.py: an exported type whose owner records another sizeof(T) is refused by every importer.

bbv_nb310_big (matrix.EXTRAS) binds and exports VPet<7> with one member
more than every other build's (vtypes.h BBV_PET_EXTRA): the same C++ name,
another definition, as another version of a header would give.  nanobind
records the size of each class it binds; the importers compare it with
their own sizeof(T) and never take or return its objects as theirs.  The
same call passes for bbv_nb310, which binds the importers' VPet<7>.
(The pybind11 side, through a bridge: test_bridges.py.)
"""

from __future__ import annotations

import pytest

from conftest import VERSION_MODULES as MODULE_DIR, run_script, skip_without_boost_python

IMPORTERS = ["bbv_pb2104", "bbv_pb2136", "bbv_pb304", "bbv_pb310", "bbv_nb292", "bbv_nb2150", "bbv_bp174"]

# What `user` does with `pet`, a VPet<7> of another size, when nothing else
# binds VPet<7>: three arguments, then a return (the last line, the size).
REFUSED_AS_ANOTHER_SIZE = """
for call in (lambda: user.p7_describe(pet), lambda: user.p7_by_value(pet), lambda: user.p7_ptr_name(pet)):
    try:
        print(call())
    except TypeError:
        print("refused")
try:
    user.p7_make_owned("own")
    print("returned")
except TypeError as e:                          # (pybind11 gives ours as the cause)
    print(str(e.__cause__ or e).split("; ")[-1])
"""

SCRIPT = """
import sys
sys.path.insert(0, %(dir)r)
import %(user)s as user, bbv_nb310_big as big
pet = big.Pet("rex")
%(refused)s
import bbv_nb310 as same                        # the importers' VPet<7>
print(user.p7_describe(same.Pet("max")), type(user.p7_make_owned("own")) is same.Pet)
try:
    print(user.p7_describe(pet))
except TypeError:
    print("refused")
"""


@pytest.mark.parametrize("user", IMPORTERS)
def test_a_nanobind_export_of_another_size_is_refused(user):
    if user == "bbv_bp174" and not list(MODULE_DIR.glob("bbv_bp174.*")):
        skip_without_boost_python("bbv_bp174")
    result = run_script(SCRIPT % {"dir": str(MODULE_DIR), "user": user, "refused": REFUSED_AS_ANOTHER_SIZE})
    assert result.returncode == 0 and result.stderr == "", result.describe()
    lines = result.stdout.splitlines()
    assert lines[:3] == ["refused"] * 3, result.describe()
    assert "bbv_nb310_big.Pet binds a C++ VPet<7> of 40 bytes, this module's has 32" in lines[3], \
        result.describe()
    assert lines[4:] == ["described max True", "refused"], result.describe()
