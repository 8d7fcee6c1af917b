"""tests/versions/test_versions.py: every framework version loaded in one interpreter; what is not a conformance scenario.

Modules come from tests/versions/build.py (BINDBRIDGE_VERSION_MODULES, default
build/versions/modules).  The feature rows for every ordered pair of these
modules are the conformance suite's (tests/conformance, stated once there);
this file checks that they load as separate frameworks, that a failed call
explains itself for every pair, and that the compile-only versions work.
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import matrix  # noqa: E402

from conftest import VERSION_MODULES as MODULE_DIR  # noqa: E402
WANTED = os.environ.get("BINDBRIDGE_VERSION_SET")  # comma-separated names, e.g. for other Pythons
BUILDS = [b for b in matrix.DEFAULT if not WANTED or b.name in WANTED.split(",")]


def _load():
    if not MODULE_DIR.is_dir():
        pytest.fail("no version modules in %s: run ./dev test (tests/versions/build.py)" % MODULE_DIR,
                    pytrace=False)
    sys.path.insert(0, str(MODULE_DIR))
    mods = {}
    for b in BUILDS:
        try:
            mods[b.name] = importlib.import_module(b.name)
        except ImportError as e:
            pytest.fail("cannot import %s (%s): %s" % (b.name, b.label, e), pytrace=False)
    return mods


@pytest.fixture(scope="module")
def mods():
    return _load()


PAIRS = [(u, o) for u in BUILDS for o in BUILDS if u is not o]


def pair_id(p):
    u, o = p
    return "%s<-%s" % (u.name[4:], o.name[4:])


@pytest.fixture(params=PAIRS, ids=[pair_id(p) for p in PAIRS])
def pair(request, mods):
    u, o = request.param
    user, owner = mods[u.name], mods[o.name]
    n = owner.ID

    def fn(what):
        return getattr(user, "p%d_%s" % (n, what))

    return user, owner, fn


def test_loaded_as_separate_frameworks(mods):
    import bindbridge
    names = [f.name for f in bindbridge.frameworks()]
    for b in BUILDS:
        assert any(name.startswith("%s %s" % (b.framework, b.version)) for name in names), \
            (b.label, names)
    # every module is its own framework (distinct internals / domains);
    # (other test modules of the process may add frameworks of other
    # families: Boost.Python's)
    families = {b.framework for b in BUILDS}
    assert len([n for n in names if "via bindbridge" in n and n.split()[0] in families]) == len(BUILDS)


def test_failed_call_explained(pair):
    # The version modules call bindbridge::explain_failures: the TypeError
    # says why (a note on 3.11+, in the message before: .ci/other-pythons).
    user, owner, fn = pair
    with pytest.raises(TypeError) as info:
        fn("describe")(user.Pet("mine"))   # wants the owner's C++ type
    e = info.value
    text = "\n".join(getattr(e, "__notes__", [])) if sys.version_info >= (3, 11) else str(e)
    assert "bindbridge: why the arguments owned by other frameworks were refused:" in text, str(e)
    assert "  C++ VPet<%d> from a %s.Pet:" % (owner.ID, user.__name__) in text, text
    assert "(%s.Pet): no binding for %s.Pet there" % (owner.__name__, user.__name__) in text, text


@pytest.mark.parametrize("build", matrix.COMPILE_ONLY, ids=[b.name for b in matrix.COMPILE_ONLY])
def test_compile_only_versions_import_and_work_alone(build):
    # Outside the default matrix: built, imported, and its own type used,
    # in a fresh interpreter (with the 3.1 modules as peers where possible).
    from conftest import check_script
    out = check_script("""
import sys
sys.path.insert(0, %r)
import %s as m
assert m.FRAMEWORK == %r and m.VERSION == %r, (m.FRAMEWORK, m.VERSION)
assert m.p%d_describe(m.Pet("own")) == "described own"
import bbv_pb310, bbv_nb310
assert m.p4_describe(bbv_pb310.Pet("pb")) == "described pb"
assert m.p7_describe(bbv_nb310.Pet("nb")) == "described nb"
assert bbv_pb310.p4_describe(bbv_pb310.Pet("x")) == "described x"
print("ok")
""" % (str(MODULE_DIR), build.name, build.framework, build.version, build.id))
    assert out.strip() == "ok"
