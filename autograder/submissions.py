"""TEMPORARY: the old collection behind the new interface, until submissions.py lands."""
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from .collect import UNPACK_STATUS, unpack
from .course import CourseError, chapters
from .untrusted import kind_of, not_a_file, read_submission, printable


@dataclass
class Submission:
    student: str
    name: str
    chapter: str
    path: Path | None
    status: str | None
    lms_id: str = ""
    late: bool = False
    file: str = ""
    notes: list = field(default_factory=list)
    lms: str = ""


@dataclass
class Collection:
    submissions: list
    skipped: list


def collect(source, workdir, only=(), pattern=None):
    source = Path(source)
    skipped = []
    if source.is_file() and source.suffix.lower() == ".zip":
        skipped = unpack(source, workdir, pattern, only)
        source = workdir
    subs = [Submission(s, s, c, p, st, file=str(p.relative_to(source)) if p else "")
            for s, c, p, st in find_submissions(source, only)]
    return Collection(subs, skipped)


def write_skipped(path, skipped):
    Path(path).write_text("\n".join(map(str, skipped)))


def find_submissions(folder, only=()):
    """Yield ``(student, chapter, notebook_path_or_None, status)`` for every chapter folder of every student.

    status is ``None`` for a notebook to grade, or the reason it cannot be graded. Only folders and regular
    files count: a student folder, chapter folder or notebook that is a symbolic link (to the instructor's
    source, say) or a special file (a FIFO, a device, a socket) gets a status and is never opened. Statuses
    that unpacking an LMS zip gave (see collect.py) are read from the folder's ``.unpack-status.json``.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise CourseError(f"{folder} is not a folder of submissions (expected <student>/<chapter>/<notebook>.ipynb)")
    known = set(chapters())
    found = {}
    for student in _entries(folder):
        if not student.is_dir(follow_symlinks=False):
            if not student.is_file(follow_symlinks=False):  # a loose regular file is not a student
                chapter = only[0] if len(only) == 1 else "?"
                found[student.name, chapter] = None, not_a_file(student.name, _kind(student), "folder")
            continue
        for entry in _entries(student.path):
            chapter = entry.name
            if only and chapter not in only or entry.is_file(follow_symlinks=False):
                continue
            where = f"{student.name}/{chapter}"
            if not entry.is_dir(follow_symlinks=False):
                found[student.name, chapter] = None, not_a_file(where, _kind(entry), "folder")
            elif chapter not in known:
                found[student.name, chapter] = None, "unknown chapter"
            else:
                found[student.name, chapter] = _notebook_in(Path(entry.path), where, chapter)
    for (student, chapter), status in _unpack_statuses(folder).items():
        if not only or chapter in only:
            found[student, chapter] = None, status
    for (student, chapter), (path, status) in sorted(found.items()):
        yield student, chapter, path, status


def _entries(folder):
    """The entries of a folder but hidden ones, unfollowed (``os.DirEntry``)."""
    with os.scandir(folder) as entries:
        return sorted((e for e in entries if not e.name.startswith(".")), key=lambda e: e.name)


def _kind(entry):
    return kind_of(entry.stat(follow_symlinks=False).st_mode) or "a file"


def _notebook_in(chapter_dir, where, chapter):
    """``(path, None)`` for the chapter folder's notebook (``<chapter>.ipynb``, or its only notebook), or
    ``(None, status)``."""
    entries = {e.name: e for e in _entries(chapter_dir) if e.name.endswith(".ipynb")}
    expected = entries.get(f"{chapter}.ipynb")
    if expected is None:
        regular = [e for e in entries.values() if e.is_file(follow_symlinks=False)]
        if len(regular) == 1:
            return Path(regular[0].path), None
        expected = next(iter(entries.values())) if len(entries) == 1 else None
    if expected is None:
        return None, "missing"
    if not expected.is_file(follow_symlinks=False):
        return None, not_a_file(f"{where}/{expected.name}", _kind(expected))
    return Path(expected.path), None


def _unpack_statuses(folder):
    """``{(student, chapter): status}`` written by unpacking an LMS zip into ``folder``, if it was."""
    try:
        data = json.loads(read_submission(Path(folder) / UNPACK_STATUS, depth=1))
    except (OSError, ValueError):
        return {}
    return {tuple(key.split("/", 1)): status for key, status in data.items() if "/" in key}


