"""The leak checker: nothing a learner can reach may give an answer away.

``python -m autograder leaks [PATH ...]`` scans every file under the PATHs (by default the built website,
``_build/html`` with its ``_sources/`` and ``_downloads/``, and the student notebooks in ``release/``) and
reports, with file and line:

- nbgrader's markers: ``BEGIN SOLUTION``, ``END SOLUTION``, ``BEGIN HIDDEN TESTS``, ``END HIDDEN TESTS``,
  ``BEGIN MARK SCHEME``, ``END MARK SCHEME``;
- solution code: any line that, in a source notebook of ``solutions/``, stands inside a solution region, a
  hidden-test region or a mark scheme (or in a solution cell without markers, which nbgrader replaces whole).
  Blank lines, comments, lines shorter than ``MIN_LENGTH`` characters and lines that also stand outside those
  regions in some source notebook (``return a_next, yt_pred, cache``, or a function of an earlier chapter
  written out in a read-only cell) are not secrets: a learner sees them anyway.

Lines are compared after the formats are undone: HTML tags and entities (the syntax-highlighted code of a
page), JSON string escapes (notebooks, the search index), and runs of white space. Zip files are opened and
their members scanned; Sphinx's compressed ``objects.inv`` is decompressed; other binary files (images, fonts)
are skipped. It exits 1 when it finds a leak.
"""

import html
import re
import sys
import zlib
import zipfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

import nbformat

from .course import REPO, RELEASE, SOLUTIONS, CourseError, chapters

SITE = REPO / "_build" / "html"
MIN_LENGTH = 12
MARKER = re.compile(r"\b(BEGIN|END) (SOLUTION|HIDDEN TESTS|MARK SCHEME)\b")
REGION = MARKER
WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
TAG = re.compile(r"<[^>]*>")
JSON_ESCAPE = re.compile(r'\\(u[0-9a-fA-F]{4}|["\\/bfnrt])')


@dataclass(frozen=True)
class Leak:
    path: str
    line: int
    what: str

    def __str__(self):
        return f"{self.path}:{self.line}: {self.what}"


def normalize(line):
    """A line as it reads: white space collapsed, ends stripped."""
    return " ".join(line.split())


def _regions(cell):
    """``(secret, public)`` lines of one source cell."""
    meta = cell.metadata.get("nbgrader", {})
    lines = cell.source.splitlines()
    if meta.get("solution") and not any(REGION.search(line) for line in lines):
        return lines, []  # a solution cell without markers is replaced whole
    secret, public, depth = [], [], 0
    for line in lines:
        match = REGION.search(line)
        if match:
            depth = max(0, depth + (1 if match.group(1) == "BEGIN" else -1))
            continue
        (secret if depth else public).append(line)
    return secret, public


def secrets(names=None):
    """``{normalized line: "chapter, cell grade_id"}``: the solution and hidden-test lines worth looking for."""
    found, public = {}, set()
    for chapter in names or chapters():
        nb = nbformat.read(str(SOLUTIONS / chapter / f"{chapter}.ipynb"), as_version=4)
        for cell in nb.cells:
            secret, visible = _regions(cell)
            public.update(normalize(line) for line in visible)
            where = f"{chapter}, cell {cell.metadata.get('nbgrader', {}).get('grade_id') or cell.get('id', '?')}"
            for line in secret:
                found.setdefault(normalize(line), where)
    public_text = "\n".join(public)
    return {line: where for line, where in found.items()
            if len(line) >= MIN_LENGTH and not line.startswith("#") and WORD.search(line)
            and line not in public and line not in public_text}


class Checker:
    """Finds markers and secret lines in the files it is given."""

    def __init__(self, secret_lines):
        self.secrets = secret_lines
        self.anchors = {}  # the longest word of each secret line -> the lines it anchors
        for line in secret_lines:
            anchor = max(WORD.findall(line), key=len)
            self.anchors.setdefault(anchor, []).append(line)

    def check_text(self, text, label):
        leaks = []
        for number, raw in enumerate(text.splitlines(), start=1):
            marker = MARKER.search(raw)
            if marker:
                leaks.append(Leak(label, number, f"nbgrader marker {marker.group(0)!r}"))
            for piece in self._readings(raw):
                words = set(WORD.findall(piece)) & self.anchors.keys()
                for word in words:
                    for secret in self.anchors[word]:
                        if secret in piece:
                            leaks.append(Leak(label, number, f"solution line of {self.secrets[secret]}: {secret!r}"))
        return sorted(set(leaks), key=lambda leak: (leak.line, leak.what))

    @staticmethod
    def _readings(raw):
        """The line as plain text, as HTML made plain, and as JSON string content made plain."""
        readings = {raw}
        if "<" in raw or "&" in raw:
            readings.add(html.unescape(TAG.sub("", raw)))
        if "\\" in raw:
            for text in list(readings):
                def unescape(match):
                    code = match.group(1)
                    if code.startswith("u"):
                        return chr(int(code[1:], 16))
                    return {"n": "\n", "t": "\t", "r": "\n", "b": "", "f": ""}.get(code, code)
                readings.add(JSON_ESCAPE.sub(unescape, text))
        pieces = set()
        for text in readings:
            pieces.update(normalize(piece) for piece in text.split("\n"))
        return [piece for piece in pieces if len(piece) >= MIN_LENGTH]

    def check_bytes(self, data, label):
        """Check one file's content; return ``(leaks, scanned)`` (scanned is False for a skipped binary)."""
        if data.startswith(b"# Sphinx inventory"):
            head = data.split(b"\n", 4)
            body = head[4] if len(head) > 4 else b""
            try:
                text = b"\n".join(head[:4]).decode() + "\n" + zlib.decompress(body).decode("utf-8", "replace")
            except zlib.error:
                text = data.decode("utf-8", "replace")
            return self.check_text(text, label), True
        if data[:4] == b"PK\x03\x04":
            leaks = []
            with zipfile.ZipFile(BytesIO(data)) as archive:
                for name in archive.namelist():
                    if not name.endswith("/"):
                        leaks += self.check_bytes(archive.read(name), f"{label}!{name}")[0]
            return leaks, True
        if b"\x00" in data[:8192]:
            return [], False
        return self.check_text(data.decode("utf-8", "replace"), label), True


def scan(paths, secret_lines=None):
    """Scan every file under ``paths``; return ``(leaks, number of files scanned)``."""
    checker = Checker(secrets() if secret_lines is None else secret_lines)
    leaks, scanned = [], 0
    for root in map(Path, paths):
        if not root.exists():
            raise CourseError(f"{root} does not exist: build the website (make book) and the release "
                              "(make release) first, or name what to scan")
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for path in files:
            found, was_scanned = checker.check_bytes(path.read_bytes(), str(path))
            leaks += found
            scanned += was_scanned
    return leaks, scanned


def main(paths=()):
    """The command line: print every leak as ``file:line: what``; 0 if none, 1 otherwise."""
    paths = list(paths) or [SITE, RELEASE]
    secret_lines = secrets()
    leaks, scanned = scan(paths, secret_lines)
    for leak in leaks:
        print(leak)
    if leaks:
        print(f"{len(leaks)} leak(s) in {len({leak.path for leak in leaks})} file(s)", file=sys.stderr)
        return 1
    print(f"no leak: {scanned} files scanned for nbgrader markers and {len(secret_lines)} lines of solutions "
          f"and hidden tests")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
