"""The nbgrader side of grading: the course folder, the gradebook, and the points of every submission.

Grading follows ``nbgrader autograde``: the course folder holds the chapters' sources (``prepare_course``), a
submission is sanitized against the gradebook (``sanitize``), and once executed its test cells are scored into
the gradebook (``save_grades``). Every write to the gradebook happens under :func:`database.gradebook_lock`,
so the worker processes of one grader, and several graders sharing one database, never write at once.

How the points it holds add up (automatic and written apart) is scores.py's business.
"""

import hashlib
import json
import shutil
import warnings
from pathlib import Path

import nbformat

from .course import SOLUTIONS, nbgrader, write_config
from .database import gradebook_lock, without_password


def fingerprint(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def source_path(course, chapter):
    return Path(course) / "source" / chapter / f"{chapter}.ipynb"


def prepare_course(course, names, timeout, db_url):
    """The nbgrader course folder: config, the chapters' sources and their cells in the gradebook (made
    again only for a chapter whose source changed since the last run).

    No file holds the database's password: the config and ``.prepared.json`` have the URL without it, and
    nbgrader gets the full URL in its environment. The gradebook is written under the course's lock (another
    grader may be preparing the same database)."""
    public_url = without_password(db_url)
    write_config(course, cell_timeout=timeout, db_url=public_url)
    prepared_file = course / ".prepared.json"
    prepared = json.loads(prepared_file.read_text()) if prepared_file.exists() else {}
    with gradebook_lock(db_url):
        for name in names:
            key = fingerprint(SOLUTIONS / name / f"{name}.ipynb") + public_url
            if prepared.get(name) == key and (course / "source" / name).exists():
                continue
            target = course / "source" / name
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(SOLUTIONS / name, target, ignore=shutil.ignore_patterns(".*", "__pycache__"))
            nbgrader(course, "generate_assignment", name, "--force", "--create", db_url=db_url)
            prepared[name] = key
            prepared_file.write_text(json.dumps(prepared))


def _resources(course, student, chapter, db_url):
    return {"nbgrader": {"notebook": chapter, "assignment": chapter, "student": student, "db_url": db_url},
            "metadata": {"path": str(course)}}


def register(db_url, student, chapter, name="", lms_id=""):
    """Make the student (with their name and LMS id, which formgrader shows) and a fresh submission of
    ``chapter`` in the gradebook; a submission graded before from another file is removed first, with its
    grades (manual ones included: they were given to another answer)."""
    from nbgrader.api import Gradebook

    with gradebook_lock(db_url), Gradebook(db_url) as gb, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # nbgrader's own SQLAlchemy usage warns here; harmless
        gb.update_or_create_student(student, last_name=name or None, lms_user_id=lms_id or None)
        _remove_submission(gb, student, chapter)
        gb.add_submission(chapter, student)


def forget(db_url, student, chapter):
    """Remove the student's submission of ``chapter`` from the gradebook, if there is one: a row that is not
    graded this time (a broken resubmission, say) must not show the points of an earlier file."""
    from nbgrader.api import Gradebook

    with gradebook_lock(db_url), Gradebook(db_url) as gb:
        _remove_submission(gb, student, chapter)


def _remove_submission(gb, student, chapter):
    from nbgrader.api import MissingEntry

    try:
        gb.remove_submission(chapter, student)
    except MissingEntry:
        pass


def sanitize(course, student, chapter, nb, db_url):
    """Restore the notebook's test and read-only cells from the gradebook, as ``nbgrader autograde`` does.

    First, a cell that claims nbgrader metadata the source does not have (a made-up test cell, a cell with
    its id removed) loses that metadata: to the grader it is just a cell the learner added.
    """
    from nbgrader.preprocessors import (CheckCellMetadata, ClearOutput, DeduplicateIds, OverwriteCells,
                                        OverwriteKernelspec)

    source = nbformat.read(str(source_path(course, chapter)), as_version=4)
    known = {c.metadata["nbgrader"]["grade_id"]: c.metadata["nbgrader"] for c in source.cells
             if "grade_id" in c.metadata.get("nbgrader", {})}
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader")
        if meta is None:
            continue
        if not isinstance(meta, dict) or meta.get("grade_id") not in known:
            del cell.metadata["nbgrader"]
        else:  # a known cell keeps the instructor's metadata, whatever the learner changed
            cell.metadata["nbgrader"] = dict(known[meta["grade_id"]])
    resources = _resources(course, student, chapter, db_url)
    for preprocessor in (ClearOutput(), DeduplicateIds(), OverwriteKernelspec(),
                         OverwriteCells(add_missing_cells=True), CheckCellMetadata()):
        nb, resources = preprocessor.preprocess(nb, resources)
    return nb


def save_grades(course, student, chapter, nb, db_url):
    """Score the executed notebook's test cells into the gradebook (nbgrader's SaveAutoGrades)."""
    from nbgrader.preprocessors import SaveAutoGrades

    with gradebook_lock(db_url):
        SaveAutoGrades().preprocess(nb, _resources(course, student, chapter, db_url))
