"""Submissions as an instructor receives them: a folder, or a ``.zip`` downloaded from an LMS.

A folder is laid out ``<student>/<chapter>/<notebook>.ipynb``. A zip is unpacked into that layout in the
grading folder (``DIR/submissions``): either it already holds that layout, or the names of its files carry
the student and the notebook, as LMS downloads do. :data:`LMS_PATTERNS` covers Canvas and Moodle; pass
``--lms-pattern`` with a regular expression with the groups ``student`` and ``notebook`` (as nbgrader's
``ZipCollectApp.collect_regex``) for any other. Unpacking refuses paths that leave the folder, and archives
with more than :data:`MAX_ZIP_MEMBERS` members or that would unpack to more than :data:`MAX_UNPACKED` bytes
(the limits are in untrusted.py); the original zip is never changed.

What one learner handed in costs only that learner's row: a member that is a symbolic link (in the zip's
attributes), larger than :data:`MAX_NOTEBOOK_BYTES` (as the zip says, or once unpacked: it is copied with a
cap, whatever its header says), or that cannot be decompressed is not unpacked, and its status is written to
``<folder>/.unpack-status.json``, which grading reads (grade.find_submissions).
"""

import json
import re
import stat
import zipfile
import zlib
from pathlib import Path

from .course import CourseError, chapters
from .untrusted import MAX_NOTEBOOK_BYTES, MAX_UNPACKED, MAX_ZIP_MEMBERS, not_a_file, printable, size_text, too_large

UNPACK_STATUS = ".unpack-status.json"  # {"student/chapter": status} of the members not unpacked
LMS_PATTERNS = [
    # Canvas: lastfirst_12345_67890_ch01_architecture.ipynb, lastfirst_LATE_12345_67890_ch01_architecture-1.ipynb
    r"^(?:.*/)?(?P<student>[^/_]+)_(?:LATE_|late_)?\d+_\d+_(?P<notebook>[^/]+\.ipynb)$",
    # Moodle: Ada Lovelace_1234_assignsubmission_file_/ch01_architecture.ipynb
    r"^(?:.*/)?(?P<student>[^/]+?)_\d+_assignsubmission_file_/(?:.*/)?(?P<notebook>[^/]+\.ipynb)$",
    # The course's own layout, inside a zip: student/chapter/notebook.ipynb
    r"^(?:.*/)?(?P<student>[^/]+)/(?P<chapter>[^/]+)/(?P<notebook>[^/]+\.ipynb)$",
]


def chapter_of(notebook, only=()):
    """The chapter a submitted file name belongs to: a chapter's name anywhere in it (LMSs add suffixes
    such as ``-1`` to resubmissions, browsers `` (1)``, Colab and Drive ``Copy of ``), or the only chapter
    graded."""
    stem = Path(notebook).stem.replace(" ", "_")
    for name in sorted(chapters(), key=len, reverse=True):
        if name in stem:
            return name
    return only[0] if len(only) == 1 else None


def safe_name(text):
    """A student's name as a folder name: letters, digits, ``-``, ``_`` and ``.`` only."""
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-.")
    return name or "unknown"


def member_kind(member):
    """What a zip member is by the file type in its external attributes (Unix zips record links there), in
    words, or None for a regular file (or a zip that records no type)."""
    mode = member.external_attr >> 16
    if not stat.S_IFMT(mode) or stat.S_ISREG(mode):
        return None
    return next((words for test, words in [(stat.S_ISLNK, "a symbolic link"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
                                           (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                                           (stat.S_ISSOCK, "a socket")] if test(mode)), "a special file")


def copy_member(zf, member, target, limit=MAX_NOTEBOOK_BYTES):
    """Unpack ``member`` into the new file ``target``, at most ``limit`` bytes whatever its header says; return
    the bytes written, or None (and nothing written) past the limit."""
    written = 0
    with zf.open(member) as source, open(target, "wb") as out:
        while chunk := source.read(min(1 << 20, limit + 1 - written)):
            written += len(chunk)
            if written > limit:
                break
            out.write(chunk)
    if written > limit:
        target.unlink()
        return None
    return written


def unpack(archive, target, pattern=None, only=()):
    """Unpack an LMS zip into ``target/<student>/<chapter>/<chapter>.ipynb``; return what was skipped.

    For a student with several files for one chapter (resubmissions), the last in the archive wins. A chosen
    member that is not unpacked (a link, too large, corrupt) gets its row's status in ``target/UNPACK_STATUS``.
    """
    archive = Path(archive)
    patterns = [re.compile(pattern)] if pattern else [re.compile(p) for p in LMS_PATTERNS]
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as exc:
        raise CourseError(f"{archive} is not a zip file ({exc}); pass a folder or an LMS download") from None
    skipped, chosen, statuses = [], {}, {}
    with zf:
        if len(zf.infolist()) > MAX_ZIP_MEMBERS:
            raise CourseError(f"{archive} has {len(zf.infolist()):,} members, the limit is {MAX_ZIP_MEMBERS:,}; "
                              "it is not one assignment's submissions: refusing to unpack it")
        members = [m for m in zf.infolist() if not m.is_dir()]
        for member in members:
            name = member.filename
            if name.startswith("/") or ".." in Path(name).parts:
                skipped.append(f"{name}: a path outside the archive")
                continue
            if name.startswith("__MACOSX/") or not name.endswith(".ipynb") or "/." in "/" + name:
                continue
            match = next((m for m in (p.match(name) for p in patterns) if m), None)
            if match is None:
                skipped.append(f"{name}: does not match the LMS file name pattern")
                continue
            groups = match.groupdict()
            chapter = groups.get("chapter") or chapter_of(groups["notebook"], only)
            if chapter is None:
                skipped.append(f"{name}: no chapter in its name")
                continue
            chosen[safe_name(groups["student"]), chapter] = member
        for (student, chapter), member in list(chosen.items()):
            kind = member_kind(member)
            if kind is not None:
                statuses[student, chapter] = not_a_file(f"{member.filename} in the zip", kind)
            elif member.file_size > MAX_NOTEBOOK_BYTES:
                statuses[student, chapter] = too_large(member.file_size)
        total = sum(m.file_size for key, m in chosen.items() if key not in statuses)
        if total > MAX_UNPACKED:
            raise CourseError(f"{archive} would unpack to {size_text(total)} of notebooks, the limit is "
                              f"{size_text(MAX_UNPACKED)}; refusing to unpack it")
        for (student, chapter), member in chosen.items():
            folder = target / student / chapter
            notebook = folder / f"{chapter}.ipynb"
            try:
                folder.mkdir(parents=True, exist_ok=True)
                notebook.unlink(missing_ok=True)  # from an earlier unpacking into the same folder
                if (student, chapter) in statuses:
                    continue
                if copy_member(zf, member, notebook) is None:  # its header understated its size
                    statuses[student, chapter] = too_large(MAX_NOTEBOOK_BYTES, more=True)
            except (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, NotImplementedError) as exc:
                notebook.unlink(missing_ok=True)  # corrupt, encrypted, or compressed in a way zipfile lacks
                statuses[student, chapter] = (f"could not be unpacked: {member.filename} in the zip "
                                              f"({type(exc).__name__}: {exc}); hand it in again")[:300]
            except OSError as exc:  # a name this file system refuses (too long, say)
                skipped.append(f"{member.filename}: could not be written ({exc.strerror})")
                statuses.pop((student, chapter), None)
    target.mkdir(parents=True, exist_ok=True)
    (target / UNPACK_STATUS).write_text(json.dumps({f"{s}/{c}": printable(status)
                                                    for (s, c), status in sorted(statuses.items())}, indent=1))
    if not chosen:
        raise CourseError(f"no notebook in {archive} matched the LMS file name patterns; "
                          "pass --lms-pattern with the groups (?P<student>...) and (?P<notebook>...)")
    return skipped
