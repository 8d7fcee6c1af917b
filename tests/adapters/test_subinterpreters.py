"""tests/adapters/test_subinterpreters.py: a subinterpreter gets a clean ImportError, the main one keeps working.

(pybind11 3.1 modules themselves deadlock on import in a legacy
subinterpreter, inside pybind11's get_internals, before any bindbridge
code runs; so only the nanobind module is imported there.)
"""

from __future__ import annotations

import pytest

from conftest import MODULES, check_script


def test_subinterpreter_refused_cleanly():
    try:
        import _xxsubinterpreters  # noqa: F401
    except ImportError:
        pytest.skip("no _xxsubinterpreters in this Python")
    out = check_script("""
import _xxsubinterpreters as interp
i = interp.create()
interp.run_string(i, '''
import sys; sys.path.insert(0, %r)
try:
    import bb_nanobind
    print("imported")
except ImportError as e:
    print("refused:", e.__cause__ or e)
''')
interp.destroy(i)
import bb_nanobind, bb_pybind11
print(bb_pybind11.pet_describe(bb_nanobind.Pet("ok")))
""" % str(MODULES))
    assert "refused: bindbridge: subinterpreters are not supported" in out, out
    assert out.strip().endswith("described ok")
