"""tests/conftest.py: puts the compiled test modules on sys.path, prints versions, runs scripts in subprocesses."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MODULES = Path(os.environ.get("BINDBRIDGE_TEST_MODULES", ROOT / "build" / "tests" / "modules"))

if not MODULES.is_dir():
    raise pytest.UsageError(
        "bindbridge tests: no compiled test modules in %s; run ./dev test "
        "(or set BINDBRIDGE_TEST_MODULES)" % MODULES)
sys.path.insert(0, str(MODULES))


def pytest_report_header(config):
    import bindbridge

    return [
        "bindbridge %s (pymetabind %s), Python %s %s"
        % (bindbridge.__version__, bindbridge.PYMETABIND_VERSION, platform.python_version(),
           platform.python_implementation()),
        "C++ ABI tag: %s" % bindbridge.ABI_TAG,
        "test modules: %s" % MODULES,
    ]


class ScriptResult:
    def __init__(self, script: str, proc: subprocess.CompletedProcess):
        self.script = script
        self.returncode = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr

    def describe(self) -> str:
        return "--- script ---\n%s\n--- exit code %d ---\n--- stdout ---\n%s--- stderr ---\n%s" % (
            self.script, self.returncode, self.stdout, self.stderr)


def run_script(script: str, *, timeout: float = 60, env: dict | None = None) -> ScriptResult:
    """Runs `script` in a fresh interpreter with the test modules importable."""
    script = textwrap.dedent(script)
    full_env = dict(os.environ)
    full_env["PYTHONPATH"] = os.pathsep.join(
        [str(MODULES)] + [p for p in full_env.get("PYTHONPATH", "").split(os.pathsep) if p])
    if env:
        full_env.update(env)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=timeout, env=full_env)
    return ScriptResult(script, proc)


def check_script(script: str, **kwargs) -> str:
    """Runs `script`; it must exit 0 with an empty stderr.  Returns stdout."""
    result = run_script(script, **kwargs)
    assert result.returncode == 0 and result.stderr == "", result.describe()
    return result.stdout


@pytest.fixture
def script():
    return check_script
