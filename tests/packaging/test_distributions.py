"""tests/packaging/test_distributions.py: `python -m build` gives an sdist and a wheel an index takes.

`python -m build` makes the sdist, then builds the wheel from the unpacked
sdist (so an sdist missing a file fails here), and `twine check --strict`
reads both as PyPI would: metadata, and the README rendered as the long
description.  The sdist's file list is pinned to what git tracks, and the
README's relative links must name files the sdist carries.
"""

from __future__ import annotations

import email
import re
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    sys.version_info < (3, 11), reason="build and twine are pinned for Python 3.11+ only "
    "(requirements-dev.txt)")


@pytest.fixture(scope="module")
def dists(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    # (no bridges: test_wheel.py builds them; here the sdist and its
    # metadata are the subject, and CI's budget counts every compile)
    subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out),
                    "-Ccmake.define.BINDBRIDGE_BRIDGES=OFF", str(ROOT)], check=True,
                   stdout=subprocess.DEVNULL)
    (sdist,) = out.glob("*.tar.gz")
    (wheel,) = out.glob("*.whl")
    return sdist, wheel


def test_twine_check_strict(dists):
    r = subprocess.run([sys.executable, "-m", "twine", "check", "--strict", *map(str, dists)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.count("PASSED") == 2, r.stdout


def _sdist_names(sdist):
    with tarfile.open(sdist) as t:
        names = [m.name for m in t.getmembers() if m.isfile()]
    top = {n.split("/", 1)[0] for n in names}
    assert len(top) == 1, top
    return {n.split("/", 1)[1] for n in names}


def test_sdist_file_list(dists):
    sdist, _ = dists
    # what git tracks, and files not yet added that .gitignore does not exclude
    tracked = set(subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"],
                                 cwd=ROOT, capture_output=True, text=True,
                                 check=True).stdout.split())
    names = _sdist_names(sdist)
    assert names - {"PKG-INFO"} == tracked, (sorted(names - tracked), sorted(tracked - names))


def test_metadata(dists):
    sdist, _ = dists
    with tarfile.open(sdist) as t:
        (info,) = [m for m in t.getmembers() if m.name.count("/") == 1
                   and m.name.endswith("/PKG-INFO")]
        raw = t.extractfile(info).read().decode("utf-8")
    meta = email.message_from_string(raw)
    assert meta["License-Expression"] == "BSD-3-Clause", meta["License-Expression"]
    assert meta.get_all("License-File") == ["LICENSE"]
    assert meta["Description-Content-Type"] == "text/markdown"
    assert meta["Requires-Python"] == ">=3.8"
    classifiers = meta.get_all("Classifier")
    for minor in range(8, 14):
        assert "Programming Language :: Python :: 3.%d" % minor in classifiers, minor
    # the long description is the README itself
    assert raw.split("\n\n", 1)[1].strip() == (ROOT / "README.md").read_text().strip()


def test_readme_links_resolve_in_the_sdist(dists):
    sdist, _ = dists
    names = _sdist_names(sdist)
    folders = {n.rsplit("/", 1)[0] for n in names if "/" in n}
    links = re.findall(r"\]\(([^)\s]+)\)", (ROOT / "README.md").read_text())
    relative = [l.split("#", 1)[0] for l in links if not re.match(r"[a-z]+:", l)]
    assert relative, "README.md has no relative links: is the pattern still right?"
    missing = [l for l in relative if l.rstrip("/") not in names | folders]
    assert not missing, missing
