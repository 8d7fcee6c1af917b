"""cmake/fetch_framework.py: one framework release's wheel from PyPI, unpacked (for the bridges and the test builds).

    python cmake/fetch_framework.py OUT FRAMEWORK VERSION    # prints the unpacked root

The wheel comes through this interpreter's pip (its index settings apply)
and is kept in OUT/wheels; it is unpacked to OUT/frameworks/FRAMEWORK-VERSION,
whose FRAMEWORK/ folder holds the headers and the CMake config.  A second
call with the same arguments does nothing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path


def fetch(out: Path, framework: str, version: str) -> Path:
    root = out / "frameworks" / ("%s-%s" % (framework, version))
    if (root / framework).is_dir():
        return root
    wheels = out / "wheels"
    wheels.mkdir(parents=True, exist_ok=True)
    pattern = "%s-%s-*.whl" % (framework, version)
    wheel = next(wheels.glob(pattern), None)
    if wheel is None:
        cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
               "--no-deps", "--only-binary=:all:", "%s==%s" % (framework, version), "-d", str(wheels)]
        # (The caller's constraints are about its own project: a pin of
        # pybind11 there must not refuse the bridges' pinned release.)
        env = dict(os.environ, PIP_CONSTRAINT="")
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
        if proc.returncode != 0:
            raise RuntimeError("could not download %s %s with pip: %s\n%s%s"
                               % (framework, version, " ".join(cmd), proc.stdout[-4000:], proc.stderr[-4000:]))
        wheel = next(wheels.glob(pattern))
    tmp = root.with_suffix(".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    with zipfile.ZipFile(wheel) as z:
        z.extractall(tmp)
    tmp.rename(root)
    return root


def main(argv) -> int:
    if len(argv) != 4:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    try:
        print(fetch(Path(argv[1]), argv[2], argv[3]))
    except (RuntimeError, OSError, zipfile.BadZipFile) as e:
        print("fetch_framework: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
