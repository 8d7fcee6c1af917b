"""tests/docs/doc_blocks.py: the fenced code blocks of README.md and docs/*.md, for the snippet tests."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator, Tuple

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md"] + sorted((ROOT / "docs").glob("*.md"))


def fenced_blocks(languages: str) -> Iterator[Tuple[Path, int, str]]:
    """(document, line of the opening fence, body) of every block fenced at
    the start of a line with one of `languages` (a regex alternation)."""
    block = re.compile(r"^```(?:%s)\n(.*?)^```" % languages, re.M | re.S)
    for doc in DOCS:
        text = doc.read_text()
        for m in block.finditer(text):
            yield doc, text[:m.start()].count("\n") + 1, m.group(1)
