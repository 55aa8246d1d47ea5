"""What a class handed in, as students and notebooks: one :class:`Submission` (a row of grades.csv) per student
and chapter, and one :class:`Skipped` for every file of the upload that is not graded, with its reason.

The upload is a folder or a ``.zip`` downloaded from an LMS ("download all submissions").

**A folder** is laid out ``<student>/<chapter>/<notebook>.ipynb``; the student's key is the folder's name. In a
chapter's folder, ``<chapter>.ipynb`` is graded; without it, the newest by its ``-N`` or `` (N)`` suffix.

**A zip** is read by the names of its files, against these patterns (regular expressions, tried in turn):

- Moodle: ``<Full Name>_<participant id>_assignsubmission_file_/<file>`` (and ``..._onlinetext_/``, whose
  files are not notebooks); the key is the participant id.
- Canvas: ``<name>[_LATE|_late]_<user id>_<attachment id>_<file>``; the key is the user id. Canvas numbers
  attachments in the order they were uploaded and adds ``-1``, ``-2`` to a file handed in again.
- the course's own layout: ``<student>/<chapter>/<file>``; the key is the student's folder.
- or instead, ``--lms-pattern``: a regular expression matched at the start of each file's name in the zip,
  with the groups

  ========== ========= ==================================================================================
  group      required  what it captures
  ========== ========= ==================================================================================
  student    yes       the student's name as the LMS shows it (the key when there is no ``id``)
  notebook   yes       the file's name as the student handed it in (its chapter is found in it)
  id         no        the LMS's user id: the key, so that two students of one name stay two
  late       no        matched (non-empty) when the LMS marks the file late
  chapter    no        the chapter, when the name holds it apart from the file's name
  attempt    no        a whole number, larger for a later submission (ordering resubmissions)
  ========== ========= ==================================================================================

Zip names without the UTF-8 flag are read as UTF-8 when they are valid UTF-8 (zipfile would read them as
cp437, turning "José" into "JosΘ"); every name is NFC-normalised (macOS writes NFD). Only the notebook graded
for each student and chapter is unpacked, into ``workdir/<key>/<chapter>/<chapter>.ipynb``: no name from the
zip becomes a path.

**Resubmissions.** When one student hands in several notebooks for one chapter, the newest by the upload's own
order is graded (Canvas: attachment id, then the ``-N`` suffix; Moodle and the course's layout: the ``-N`` or
`` (N)`` suffix; ``--lms-pattern``: ``attempt``, then the suffix), and the row's notes name it and the others.
Where that order cannot tell (two files with one name in a zip, ``a.ipynb`` and ``b.ipynb``), the choice is,
in turn: a file that can be read, the one named after the chapter, the latest time stamp (the zip's or the
file's), the last in the zip (as ``unzip`` would keep it) or by name; the notes say so. A newest notebook that
cannot be graded (a link, too large, corrupt) gives the row its status: an older one never stands in for it.

**Nothing is lost.** Every file is graded or in :attr:`Collection.skipped` with its reason (but what is hidden,
``__MACOSX/`` and folders themselves; and files of chapters not asked for); when its student and chapter are
known, its row says so too. What concerns one file or one student never stops the batch; only an upload that
cannot be read at all raises :class:`~autograder.course.CourseError`. The protections of untrusted.py hold:
links and special files (in a folder, or in a zip's attributes) are never opened, sizes are capped while
unpacking whatever a zip's header says, and a zip over :data:`MAX_ZIP_MEMBERS` members or
:data:`MAX_UNPACKED` bytes is refused whole.
"""

import csv
import hashlib
import os
import re
import stat
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from .course import CourseError, chapters
from .untrusted import (CONTROL, MAX_NOTEBOOK_BYTES, MAX_UNPACKED, MAX_ZIP_MEMBERS, csv_cell, kind_of, not_a_file,
                        printable, size_text, too_large)

LAYOUT = "<student>/<chapter>/<notebook>.ipynb"
LMS_PATTERNS = {
    "Moodle": r"^(?:[^/]+/)?(?P<student>[^/]+?)_(?P<id>\d+)_assignsubmission_(?:file|onlinetext)_/(?P<notebook>.+)$",
    "Canvas": r"^(?:[^/]+/)?(?P<student>[^/_]+)_(?:(?P<late>LATE|late)_)?(?P<id>\d+)_(?P<attempt>\d+)_"
              r"(?P<notebook>[^/]+)$",
    "the course's layout": r"^(?:.*/)?(?P<student>[^/]+)/(?P<chapter>[^/]+)/(?P<notebook>[^/]+)$",
}
GROUPS = {"student", "notebook", "id", "late", "chapter", "attempt"}
MAX_KEY_CHARS = 100  # a student's key: a folder's name and nbgrader's student id (its database holds 128)
MAX_KEY_BYTES = 255  # what Linux and macOS allow in one file name
UNSAFE_KEY = re.compile(rf"[/\\\x00]|{CONTROL.pattern}|^[.\s]|\s$")  # nbgrader strips spaces from ids
UTF8_FLAG = 0x800  # general purpose flag bit 11 of a zip member: its name is UTF-8 (APPNOTE 4.4.4)
SUFFIX = re.compile(r"(?:-(\d+)| \((\d+)\))$")  # ch01-2 (an LMS's resubmission), ch01 (1) (a browser's copy)


@dataclass
class Submission:
    """One row of grades.csv: a student and a chapter, the notebook to grade, or why there is none."""
    student: str  # the key: the LMS's user id, else the folder's name; safe as a folder name (see student_key)
    name: str  # the name to show, as the LMS wrote it (NFC, printable)
    chapter: str  # a chapter of the course, or "?"
    path: Path | None  # the notebook to grade, or None
    status: str | None  # None: grade it; else why it is not graded
    lms_id: str = ""
    late: bool = False
    file: str = ""  # the file of the upload graded (a zip member's name, or the path in the folder)
    lms: str = ""  # "canvas" or "moodle" when the file names were the LMS's (exports.py writes its import)
    notes: list[str] = field(default_factory=list)  # what the row's status adds: the other files handed in


@dataclass
class Skipped:
    """A file of the upload that is not graded, and why."""
    file: str
    reason: str
    student: str = ""
    name: str = ""
    chapter: str = ""


@dataclass
class Collection:
    submissions: list[Submission]  # sorted by (student, chapter)
    skipped: list[Skipped]  # every file of the upload not graded


@dataclass
class _File:
    """One file a student handed in, with what its name or place says of it."""
    file: str  # as people see it: the zip member's name, or the path in the folder
    key: str
    name: str
    chapter: str  # a chapter, or "?"
    reason: str | None = None  # why it is not a notebook to grade (not a notebook, no chapter); None: it is one
    problem: str | None = None  # for a notebook: why it cannot be graded (a link, too large, corrupt)
    order: tuple = ()  # the upload's own order of resubmissions: larger is newer; in words: ORDER_WORDS
    tiebreak: tuple = ()  # where `order` cannot tell; in words: TIEBREAK_WORDS
    lms_id: str = ""
    late: bool = False
    lms: str = ""
    member: zipfile.ZipInfo | None = None  # in a zip
    path: Path | None = None  # where it is to be read: the file in the folder, or once unpacked


# Why one notebook is graded rather than another of the same student and chapter, for each component of
# _File.order (in a folder, in a zip) and of _File.tiebreak.
ORDER_WORDS = {"folder": ["the one named after the chapter", "the newest by its -N or (N) suffix"],
               "zip": ["the newest", "the newest by its -N or (N) suffix"]}
TIEBREAK_WORDS = ["the only one that can be read", "the one named after the chapter", "the latest by its time stamp",
                  "the last in the upload"]


def collect(source, workdir, only=(), pattern=None):
    """The students and notebooks of ``source`` (a folder, or a zip unpacked into ``workdir``), for the
    chapters ``only`` (all if empty); ``pattern``: ``--lms-pattern``. See the module's docstring."""
    source = Path(source)
    if source.is_dir():
        files, skipped, empty = _folder_files(source, only, chapters())
        return _collection(files, skipped, empty)
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as exc:
        raise CourseError(f"{source} is neither a folder of submissions ({LAYOUT}) nor a zip file ({exc}); "
                          "pass a folder or an LMS's download of all submissions") from None
    with archive:
        files, skipped = _zip_files(archive, source, only, _patterns(pattern), chapters())
        _unpack(archive, source, files, Path(workdir))
    return _collection(files, skipped, {})


def write_skipped(path, skipped):
    """skipped.csv: a line per file not graded (every field through untrusted.csv_cell: no formula)."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["file", "student", "name", "chapter", "reason"])
        writer.writerows([csv_cell(s.file), csv_cell(s.student), csv_cell(s.name), csv_cell(s.chapter),
                          csv_cell(s.reason)] for s in skipped)


# ------------------------------------------------------------------------------------------ names
def student_key(text):
    """``text`` (an LMS id or a name) as a student's key: itself (NFC) if it is safe as a folder name and as
    nbgrader's student id and short enough; else what is safe of it, cut, with a hash of the whole, so that two
    texts never share a key."""
    text = unicodedata.normalize("NFC", text)
    if text and len(text) <= MAX_KEY_CHARS and len(text.encode()) <= MAX_KEY_BYTES and not UNSAFE_KEY.search(text):
        return text
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:10]
    kept = UNSAFE_KEY.sub("-", text).lstrip("-. ")[:MAX_KEY_CHARS - len(digest) - 1]
    while len(kept.encode()) > MAX_KEY_BYTES - len(digest) - 1:
        kept = kept[:-1]
    return f"{kept.rstrip()}-{digest}" if kept.strip() else digest


def display_name(text):
    """A name as an LMS or a folder gives it, to show: NFC, its control characters replaced."""
    return printable(unicodedata.normalize("NFC", text))


def chapter_in(texts, known, only=()):
    """The chapter a file belongs to: one of the ``known`` chapters' names anywhere in one of ``texts`` (LMSs
    add ``-1`` to resubmissions, browsers `` (1)``, Colab ``Copy of ``), or the only chapter graded, or "?"."""
    for text in texts:
        stem = Path(text).stem.replace(" ", "_")
        for name in sorted(known, key=len, reverse=True):
            if name in stem:
                return name
    return only[0] if len(only) == 1 else "?"


def resubmission(name):
    """The number an LMS or a browser appended to a file handed in again (``ch01-2.ipynb``: 2), or 0."""
    match = SUFFIX.search(Path(name).stem)
    return int(match.group(1) or match.group(2)) if match else 0


def not_a_notebook(name, kind=None):
    """Why a file handed in is not graded: ``a .py file, not a notebook``."""
    suffix = Path(name).suffix
    what = kind or (f"a {suffix} file" if suffix else "a file")
    return f"{what}, not a notebook"


def is_notebook(name):
    return name.lower().endswith(".ipynb")


# ------------------------------------------------------------------------------------------ a folder
def _folder_files(folder, only, known):
    """The files of a folder of submissions: ``(files, skipped, empty)``, ``empty`` giving ``(name, [folders])``
    for each student and chapter whose folders hold no file. Nothing is followed: a link is a file."""
    files, skipped, empty = [], [], {}
    for student in _entries(folder):
        if not student.is_dir(follow_symlinks=False):
            if _kind(student) is None:
                skipped.append(Skipped(student.name, f"not in a student's folder (expected {LAYOUT})"))
            else:  # a link or special file where a student's folder should be: the student's own row says so
                files.append(_folder_file(student, student.name, student.name, chapter_in((), known, only),
                                          problem=not_a_file(student.name, _kind(student), "folder")))
            continue
        for entry in _entries(student.path):
            where = f"{student.name}/{entry.name}"
            if not entry.is_dir(follow_symlinks=False):
                if entry.name in known:  # a link or special file where the chapter's folder should be
                    chapter, placed = entry.name, {"problem": not_a_file(where, _kind(entry), "folder")}
                else:
                    chapter = chapter_in((entry.name,), known, only)
                    placed = {"reason": f"{_kind(entry) or 'a file'} not in a chapter's folder (expected {LAYOUT})"}
                if _wanted(chapter, only):
                    files.append(_folder_file(entry, where, student.name, chapter, **placed))
                continue
            if only and entry.name not in only:
                continue
            chapter = entry.name if entry.name in known else "?"
            inside = list(_walk(entry.path, where))
            if not inside:
                _, folders = empty.setdefault((student_key(student.name), chapter), (display_name(student.name), []))
                folders.append(where)
            for path, inner in inside:
                files.append(_folder_file(inner, path, student.name, chapter, **_placed(inner, path, where, chapter)))
    return files, skipped, empty


def _wanted(chapter, only):
    """Whether a file of this chapter is collected: a chapter asked for, or one not known (its row says so)."""
    return not only or chapter == "?" or chapter in only


def _placed(entry, path, folder, chapter):
    """What a file inside a student's chapter folder is: a notebook to grade (with its problem, if it is not a
    regular file), or why not."""
    if chapter == "?":
        return {"reason": f"{folder} is not a chapter's folder"}
    if path.count("/") > 2:
        return {"reason": f"in a folder inside {folder}; the notebook goes directly in {folder}"}
    if not is_notebook(entry.name):
        return {"reason": not_a_notebook(entry.name, _kind(entry))}
    return {"problem": not_a_file(path, _kind(entry)) if _kind(entry) else None}


def _folder_file(entry, path, student, chapter, reason=None, problem=None):
    canonical = entry.name == f"{chapter}.ipynb"
    return _File(path, student_key(student), display_name(student), chapter, reason, problem,
                 order=(canonical, resubmission(entry.name)),
                 tiebreak=(problem is None, canonical, entry.stat(follow_symlinks=False).st_mtime, entry.name),
                 path=Path(entry.path))


def _entries(folder):
    """The entries of a folder but hidden ones and macOS's ``__MACOSX``, unfollowed, by name."""
    with os.scandir(folder) as entries:
        return sorted((e for e in entries if not e.name.startswith(".") and e.name != "__MACOSX"),
                      key=lambda e: e.name)


def _walk(folder, where):
    """``(path shown, entry)`` of every file below ``folder`` (links and special files are files here)."""
    for entry in _entries(folder):
        path = f"{where}/{entry.name}"
        if entry.is_dir(follow_symlinks=False):
            yield from _walk(entry.path, path)
        else:
            yield path, entry


def _kind(entry):
    """A folder entry's kind in words (``a symbolic link``...), or None for a regular file."""
    return kind_of(entry.stat(follow_symlinks=False).st_mode)


# ------------------------------------------------------------------------------------------ a zip
def _patterns(pattern):
    """``[(what it is, compiled)]``: ``--lms-pattern`` if given, checked, else the LMSs' and the layout's."""
    if pattern is None:
        return [(what, re.compile(p)) for what, p in LMS_PATTERNS.items()]
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        raise CourseError(f"--lms-pattern {pattern!r} is not a regular expression: {exc}") from None
    missing = {"student", "notebook"} - set(compiled.groupindex)
    unknown = set(compiled.groupindex) - GROUPS
    if missing or unknown:
        raise CourseError(f"--lms-pattern needs the groups (?P<student>...) and (?P<notebook>...), and may have "
                          f"{', '.join(sorted(GROUPS - {'student', 'notebook'}))}; "
                          + (f"it lacks {', '.join(sorted(missing))}" if missing else
                             f"{', '.join(sorted(unknown))} is not one of them"))
    return [("--lms-pattern", compiled)]


def member_name(member):
    """A zip member's name as its author wrote it: UTF-8 when it is (zipfile reads a name without the UTF-8
    flag as cp437, as the zip format said before UTF-8, but most tools write UTF-8 without the flag), NFC."""
    name = member.filename
    if not member.flag_bits & UTF8_FLAG:
        try:
            name = name.encode("cp437").decode("utf-8")
        except UnicodeError:  # cp437 indeed
            pass
    return unicodedata.normalize("NFC", name)


def member_kind(member):
    """What a zip member is by the file type in its external attributes (Unix zips record links there), in
    words, or None for a regular file (or a zip that records no type)."""
    mode = member.external_attr >> 16
    return kind_of(mode) if stat.S_IFMT(mode) else None


def _zip_files(archive, source, only, patterns, known):
    """The files of an LMS zip, by their names: ``(files, skipped)``."""
    members = archive.infolist()
    if len(members) > MAX_ZIP_MEMBERS:
        raise CourseError(f"{source} has {len(members):,} members, the limit is {MAX_ZIP_MEMBERS:,}; it is not one "
                          "assignment's submissions: refusing to unpack it")
    files, skipped, matched = [], [], False
    for position, member in enumerate(members):
        name = member_name(member)
        parts = [part for part in name.split("/") if part not in ("", ".")]
        if member.is_dir() or parts[:1] == ["__MACOSX"] or any(p.startswith(".") and p != ".." for p in parts):
            continue
        if name.startswith("/") or ".." in parts:
            skipped.append(Skipped(name, "a path outside the archive"))
            continue
        what, match = next(((what, m) for what, p in patterns if (m := p.match(name))), (None, None))
        if match is None:
            skipped.append(Skipped(name, "its name matches none of " + (
                "--lms-pattern" if len(patterns) == 1 else f"Moodle's, Canvas's or the course's layout ({LAYOUT}); "
                "for another LMS, pass --lms-pattern")))
            continue
        matched = True
        groups = {key: value or "" for key, value in match.groupdict().items()}
        chapter = chapter_in((groups.get("chapter", ""), groups["notebook"]), known, only)
        if _wanted(chapter, only):
            files.append(_member_file(member, name, position, chapter, groups, what))
    if not matched:
        raise CourseError(f"no file in {source} matched " + (
            "--lms-pattern" if len(patterns) == 1 else f"the file names of Canvas, of Moodle or the course's layout "
            f"({LAYOUT}); pass --lms-pattern with the groups (?P<student>...) and (?P<notebook>...)"))
    return files, skipped


def _member_file(member, name, position, chapter, groups, what):
    """The _File of a zip member, from the groups its name matched."""
    notebook = groups["notebook"]
    reason = problem = None
    if not is_notebook(notebook):
        reason = not_a_notebook(notebook)
    elif chapter == "?":
        reason = "no chapter of the course in its name"
    elif member_kind(member) is not None:
        problem = not_a_file(f"{name} in the zip", member_kind(member))
    elif member.file_size > MAX_NOTEBOOK_BYTES:
        problem = f"not graded: {name} in the zip is {too_large(member.file_size)}"
    try:
        attempt = int(groups.get("attempt") or 0)
    except ValueError:
        raise CourseError(f"the group attempt of {what} must capture a whole number; in {name} it captured "
                          f"{groups['attempt']!r}") from None
    student = groups["student"]
    return _File(name, student_key(groups.get("id") or student), display_name(student), chapter, reason, problem,
                 order=(attempt, resubmission(notebook)),
                 tiebreak=(problem is None, Path(notebook).name == f"{chapter}.ipynb", member.date_time, position),
                 lms_id=groups.get("id", ""), late=bool(groups.get("late")),
                 lms={"Canvas": "canvas", "Moodle": "moodle"}.get(what, ""), member=member)


def _unpack(archive, source, files, workdir):
    """Unpack the notebook chosen for each student and chapter into ``workdir/<key>/<chapter>/<chapter>.ipynb``
    (a file an earlier run unpacked there is removed first), or give it the problem that prevents it."""
    chosen = {place: _choose(group)[0] for place, group in _groups(files).items() if place[1] != "?"}
    total = sum(f.member.file_size for f in chosen.values() if f is not None and f.problem is None)
    if total > MAX_UNPACKED:
        raise CourseError(f"{source} would unpack to {size_text(total)} of notebooks, the limit is "
                          f"{size_text(MAX_UNPACKED)}; refusing to unpack it")
    for (key, chapter), notebook in chosen.items():
        target = workdir / key / chapter / f"{chapter}.ipynb"
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.unlink(missing_ok=True)
            if notebook is None or notebook.problem is not None:
                continue
            if copy_member(archive, notebook.member, target):
                notebook.path = target
            else:  # its header understated its size
                notebook.problem = (f"not graded: {notebook.file} in the zip is "
                                    + too_large(MAX_NOTEBOOK_BYTES, more=True))
        except (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, NotImplementedError) as exc:
            target.unlink(missing_ok=True)  # corrupt, encrypted, or compressed in a way zipfile lacks
            notebook.problem = (f"could not be unpacked: {notebook.file} in the zip ({type(exc).__name__}: "
                                f"{exc}); hand it in again")[:300]
        except OSError as exc:  # the disk is full, say: this file's row says so
            notebook.problem = f"could not be unpacked: {notebook.file} into {target.parent}: {exc.strerror}"


def copy_member(archive, member, target, limit=MAX_NOTEBOOK_BYTES):
    """Unpack ``member`` into the new file ``target`` (never through a link), at most ``limit`` bytes whatever its
    header says; True, or False (and nothing left written) past the limit."""
    written = 0
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
    with archive.open(member) as source, open(os.open(target, flags, 0o644), "wb") as out:
        while chunk := source.read(min(1 << 20, limit + 1 - written)):
            written += len(chunk)
            if written > limit:
                break
            out.write(chunk)
    if written > limit:
        target.unlink()
    return written <= limit


# ------------------------------------------------------------------------------------------ rows
def _groups(files):
    """``{(key, chapter): [its files]}``."""
    groups = {}
    for f in files:
        groups.setdefault((f.key, f.chapter), []).append(f)
    return groups


def _choose(group):
    """``(the notebook to grade or None, the other notebooks, the files that are not notebooks)``."""
    notebooks = [f for f in group if f.reason is None]
    others = [f for f in group if f.reason is not None]
    if not notebooks:
        return None, [], others
    chosen = max(notebooks, key=lambda f: (f.order, f.tiebreak))
    return chosen, [f for f in notebooks if f is not chosen], others


def _collection(files, skipped, empty):
    """The rows, one per student and chapter, and every file not graded."""
    groups = _groups(files)
    for place in empty:
        groups.setdefault(place, [])
    rows = []
    for (key, chapter), group in sorted(groups.items()):
        chosen, older, others = _choose(group)
        first = chosen or (group[0] if group else None)
        name, folders = empty.get((key, chapter), ("", []))
        row = Submission(key, first.name if first else name, chapter, None, None,
                         lms_id=first.lms_id if first else "", late=bool(first and first.late),
                         lms=first.lms if first else "")
        if chosen is not None:
            row.file, row.status = chosen.file, chosen.problem
            row.path = chosen.path if chosen.problem is None else None
            if older:
                row.notes.append(_choice(chosen, older))
                skipped += [_skipped(f, "not chosen: " + row.notes[0]) for f in older]
            if chosen.problem:
                skipped.append(_skipped(chosen, chosen.problem))
            if others:
                row.notes.append("also handed in: " + ", ".join(f"{f.file} ({f.reason}; not graded)" for f in others))
        elif chapter == "?":
            row.status = "unknown chapter: " + ", ".join([f"{f.file} ({f.reason})" for f in others] + [
                f"{folder} (an empty folder, not a chapter's)" for folder in folders])
        elif others:
            row.status = "no notebook: handed in " + ", ".join(f"{f.file} ({f.reason})" for f in others)
        else:
            row.status = f"missing: {', '.join(folders)} holds no file"
        skipped += [_skipped(f, f.reason) for f in others]
        row.status, row.notes = row.status and printable(row.status), [printable(note) for note in row.notes]
        rows.append(row)
    return Collection(rows, sorted(skipped, key=lambda s: (s.student, s.chapter, s.file)))


def _choice(chosen, older):
    """The note that says which of several notebooks of one student and chapter counts, and why."""
    rival = max(older, key=lambda f: (f.order, f.tiebreak))
    order_words = ORDER_WORDS["zip" if chosen.member else "folder"]
    tied = chosen.order == rival.order
    words = TIEBREAK_WORDS if tied else order_words
    mine, theirs = (chosen.tiebreak, rival.tiebreak) if tied else (chosen.order, rival.order)
    why = next(w for w, a, b in zip(words, mine, theirs) if a != b)
    if tied:
        why = f"nothing in the upload orders {chosen.file} and {rival.file}: chosen as {why}"
    rest = ", ".join(f.file for f in older)
    if chosen.problem is None:
        return f"graded {chosen.file} of {len(older) + 1} notebooks handed in, {why}; not graded: {rest}"
    return (f"{chosen.file} counts of {len(older) + 1} notebooks handed in, {why}, and cannot be graded; "
            f"an older one does not stand in for it: {rest}")


def _skipped(f, reason):
    return Skipped(f.file, reason, f.key, f.name, f.chapter)
