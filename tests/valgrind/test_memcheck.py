"""tests/valgrind/test_memcheck.py: valgrind memcheck over 19 scenarios (tests/valgrind/scenarios.py).

PYTHONMALLOC=malloc; the interpreter's own reports are suppressed
(python.supp: innermost frame in libpython only).  Any other error, or any
definite leak, fails.  Slow (about a minute): it runs in .ci/run; run it
alone with ./dev test -k memcheck.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import MODULES

HERE = Path(__file__).resolve().parent


def test_memcheck_scenarios():
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        if os.environ.get("CI"):
            pytest.fail("valgrind is not installed on the CI machine")
        pytest.skip("valgrind not installed")
    env = dict(os.environ, PYTHONMALLOC="malloc",
               PYTHONPATH=os.pathsep.join([str(MODULES), os.environ.get("PYTHONPATH", "")]))
    cmd = [valgrind, "--tool=memcheck", "--error-exitcode=99", "--leak-check=full",
           "--show-leak-kinds=definite", "--errors-for-leak-kinds=definite",
           "--suppressions=%s" % (HERE / "python.supp"), "--num-callers=30",
           sys.executable, str(HERE / "scenarios.py")]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=900)
    summary = re.search(r"ERROR SUMMARY: (\d+) errors", proc.stderr)
    report = "exit %d\n%s\n%s" % (proc.returncode, proc.stdout, proc.stderr[-20000:])
    assert "scenarios passed: 19" in proc.stdout, report
    assert summary and summary.group(1) == "0", report
    assert proc.returncode == 0, report
