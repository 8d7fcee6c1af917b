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
# One module per framework version (tests/versions/build.py).
VERSION_MODULES = Path(os.environ.get("BINDBRIDGE_VERSION_MODULES", ROOT / "build" / "versions" / "modules"))

if not MODULES.is_dir():
    raise pytest.UsageError(
        "bindbridge tests: no compiled test modules in %s; run ./dev test "
        "(or set BINDBRIDGE_TEST_MODULES)" % MODULES)
sys.path.insert(0, str(MODULES))


def pytest_ignore_collect(collection_path, config):
    # tests/conformance needs an interpreter where only its own frameworks
    # publish the types it checks (other tests load modules that publish the
    # C-API point too): it runs in a pytest process of its own, when named
    # explicitly (./dev test does both).
    if collection_path.name == "conformance" and collection_path.parent == Path(__file__).parent:
        named = [Path(a.split("::")[0]).resolve() for a in config.args]
        return not any(a == collection_path or collection_path in a.parents for a in named)
    return None


def pytest_report_header(config):
    import bindbridge

    return [
        "bindbridge %s (pymetabind %s), Python %s %s"
        % (bindbridge.__version__, bindbridge.PYMETABIND_VERSION, platform.python_version(),
           platform.python_implementation()),
        "C++ ABI tag: %s" % bindbridge.ABI_TAG,
        "test modules: %s" % MODULES,
    ]


def tied(held):
    """held = [nurse, patient], the only references to both (the patient
    takes weakrefs): (is the patient alive while the nurse is, is it gone
    once the nurse is)."""
    import gc
    import weakref

    ref = weakref.ref(held.pop())
    gc.collect()
    alive = ref() is not None
    held.clear()
    gc.collect()
    return alive, ref() is None


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



# --- tests/conformance: collect (pair, scenario) outcomes, print the matrix,
# write it when BINDBRIDGE_WRITE_CONFORMANCE is set (1: docs/conformance.md). -
RESULTS = {}  # (user, owner) -> {scenario: "pass" | "xfail" | "n/a" | "FAIL"}
SCENARIOS = []


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    pair = getattr(item, "callspec", None)
    if (pair is None or "pair" not in pair.params or rep.when not in ("setup", "call")
            or "conformance" not in str(item.fspath)):
        return
    user, owner = pair.params["pair"]
    scenario = item.originalname.replace("test_", "")
    if scenario not in SCENARIOS:
        SCENARIOS.append(scenario)
    cell = RESULTS.setdefault((user.label, owner.label), {})
    if rep.when == "setup" and not rep.failed:
        return
    if hasattr(rep, "wasxfail"):
        # (pytest.xfail(reason) leaves "reason: ..." or the bare reason)
        reason = rep.wasxfail.split("reason: ", 1)[-1]
        cell[scenario] = "n/a" if reason.startswith("n/a: ") else "xfail"
    elif rep.passed:
        cell[scenario] = "pass"
    elif rep.failed:
        cell[scenario] = "FAIL"


def _matrix() -> str:
    pairs = sorted(RESULTS)
    head = "| user ← owner | " + " | ".join(s.replace("_", " ") for s in SCENARIOS) + " |"
    lines = [head, "|" + "---|" * (len(SCENARIOS) + 1)]
    marks = {"pass": "✓", "xfail": "xfail", "n/a": "n/a", "FAIL": "**FAIL**"}
    for p in pairs:
        row = RESULTS[p]
        lines.append("| %s ← %s | " % p + " | ".join(marks.get(row.get(s, ""), "?") for s in SCENARIOS) + " |")
    return "\n".join(lines)


def _parity(rows) -> str:
    """The parity table, each row's status from this run's results."""
    lines = ["| feature | the pull requests | bindbridge | proof | status |", "|---|---|---|---|---|"]
    for feature, prs, ours, proof in rows:
        if proof is None:
            where, status = "-", "not done (reason in the row)"
        elif isinstance(proof, str):
            where, status = "`%s`" % proof, "its own test"
        else:
            where = ", ".join(p.replace("_", " ") for p in proof)
            cells = [row.get(sc) for row in RESULTS.values() for sc in proof]
            passed = sum(c == "pass" for c in cells)
            if "FAIL" in cells or None in cells or passed == 0:
                status = "**FAIL**" if "FAIL" in cells else "**not run**"
            else:
                status = "✓ (%d cells pass, the rest n/a or xfail)" % passed
        lines.append("| %s | %s | %s | %s | %s |" % (feature, prs, ours, where, status))
    return "\n".join(lines)


def pytest_terminal_summary(terminalreporter):
    if not RESULTS:
        return
    terminalreporter.write_sep("=", "conformance matrix (user <- owner)")
    terminalreporter.write_line(_matrix())
    target = os.environ.get("BINDBRIDGE_WRITE_CONFORMANCE")
    if target:
        # "1": rewrite docs/conformance.md; a path: write there (./dev test
        # then compares it with the committed docs/conformance.md).
        sys.path.insert(0, str(ROOT / "tests" / "conformance"))
        from test_conformance import NOT_APPLICABLE, PARITY, XFAIL_REASONS
        doc = ROOT / "docs" / "conformance.md" if target == "1" else Path(target)
        doc.write_text(
            "# Conformance matrix\n\n"
            "Produced by `tests/conformance` (`BINDBRIDGE_WRITE_CONFORMANCE=1 ./dev test "
            "tests/conformance`): every ordered pair of frameworks, user ← owner, every "
            "scenario.  ✓ passes; xfail is an expected failure (what a framework cannot do) "
            "and n/a a scenario that cannot apply to the pair, each with its reason below.\n\n"
            + _matrix() + "\n\nExpected failures:\n\n"
            + "\n".join("- %s: %s" % kv for kv in sorted(XFAIL_REASONS.items()))
            + "\n\nNot applicable:\n\n"
            + "\n".join("- %s: %s" % kv for kv in sorted(NOT_APPLICABLE.items()))
            + "\n\n## Parity with the pymetabind pull requests\n\n"
            "What pybind11 #5800 and nanobind #1140 do, feature by feature, and what bindbridge "
            "does; the status comes from this run's cells of the scenarios named.\n\n"
            + _parity(PARITY) + "\n")
        terminalreporter.write_line("wrote %s" % doc)


def skip_without_boost_python(what: str) -> None:
    """Skips the calling test in one line where Boost.Python is not
    available for this interpreter (the Boost.Python tests then do not
    run), or fails it where BINDBRIDGE_REQUIRE_BOOST_PYTHON=1 (CI) says
    they must run."""
    if os.environ.get("BINDBRIDGE_REQUIRE_BOOST_PYTHON") == "1":
        pytest.fail("%s missing, and BINDBRIDGE_REQUIRE_BOOST_PYTHON=1 (install libboost-python-dev)"
                    % what)
    pytest.skip("no Boost.Python for this interpreter (%s missing): install libboost-python-dev" % what,
                allow_module_level=True)
