"""Submissions as an instructor receives them: a folder, or a ``.zip`` downloaded from an LMS.

A folder is laid out ``<student>/<chapter>/<notebook>.ipynb``. A zip is unpacked into that layout in the
grading folder (``DIR/submissions``): either it already holds that layout, or the names of its files carry
the student and the notebook, as LMS downloads do. :data:`LMS_PATTERNS` covers Canvas and Moodle; pass
``--lms-pattern`` with a regular expression with the groups ``student`` and ``notebook`` (as nbgrader's
``ZipCollectApp.collect_regex``) for any other. Unpacking refuses paths that leave the folder and archives
that would unpack to more than :data:`MAX_UNPACKED` bytes; the original zip is never changed.
"""

import re
import shutil
import zipfile
from pathlib import Path

from .course import CourseError, chapters

MAX_UNPACKED = 2 << 30  # 2 GiB
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


def unpack(archive, target, pattern=None, only=()):
    """Unpack an LMS zip into ``target/<student>/<chapter>/<chapter>.ipynb``; return what was skipped.

    For a student with several files for one chapter (resubmissions), the last in the archive wins.
    """
    archive = Path(archive)
    patterns = [re.compile(pattern)] if pattern else [re.compile(p) for p in LMS_PATTERNS]
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as exc:
        raise CourseError(f"{archive} is not a zip file ({exc}); pass a folder or an LMS download") from None
    skipped, chosen = [], {}
    with zf:
        members = [m for m in zf.infolist() if not m.is_dir()]
        if sum(m.file_size for m in members) > MAX_UNPACKED:
            raise CourseError(f"{archive} would unpack to more than {MAX_UNPACKED >> 30} GiB; refusing to unpack it")
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
        for (student, chapter), member in chosen.items():
            folder = target / student / chapter
            folder.mkdir(parents=True, exist_ok=True)
            with zf.open(member) as source, open(folder / f"{chapter}.ipynb", "wb") as out:
                shutil.copyfileobj(source, out)
    if not chosen:
        raise CourseError(f"no notebook in {archive} matched the LMS file name patterns; "
                          "pass --lms-pattern with the groups (?P<student>...) and (?P<notebook>...)")
    return skipped
