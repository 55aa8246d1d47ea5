"""The nbgrader side of grading: the course folder, the gradebook, and the points of every submission.

Grading follows ``nbgrader autograde``: the course folder holds the chapters' sources (``prepare_course``), a
submission is sanitized against the gradebook (``sanitize``), and once executed its test cells are scored into
the gradebook (``save_grades``). Every write to the gradebook happens under :func:`database.gradebook_lock`,
so the worker processes of one grader, and several graders sharing one database, never write at once.

:func:`points` reads a submission's points back, the way grades.csv and the feedback pages count them:
automatic points (code test cells), written answers apart (their points given by a person, and those still
waiting for one: nbgrader's ``needs_manual_grade``; a written answer left as released is scored 0 by nbgrader
and waits for nobody).
"""

import hashlib
import json
import shutil
import warnings
from functools import cache
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


# ----------------------------------------------------------------------------------------- points
@cache
def exercise_of_cells(chapter):
    """Map each graded cell of a chapter to its exercise: the solution cell above it (or itself)."""
    nb = nbformat.read(str(SOLUTIONS / chapter / f"{chapter}.ipynb"), as_version=4)
    mapping, exercise = {}, None
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            exercise = meta["grade_id"]
        if meta.get("grade"):
            mapping[meta["grade_id"]] = meta["grade_id"] if meta.get("solution") else exercise
    return mapping


@cache
def max_points(chapter):
    """``(automatic, written)``: the points of a chapter's code test cells and of its written answers."""
    nb = nbformat.read(str(SOLUTIONS / chapter / f"{chapter}.ipynb"), as_version=4)
    automatic = written = 0.0
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade"):
            if cell.cell_type == "code":
                automatic += float(meta.get("points", 0))
            else:
                written += float(meta.get("points", 0))
    return automatic, written


def max_automatic_score(chapter):
    return max_points(chapter)[0]


def points(gb, student, chapter):
    """The points of a graded submission, as grades.csv has them, or None if the gradebook has none:
    ``score`` (automatic, code test cells; an instructor's override in formgrader counts), ``manual_score``
    (written answers a person graded, and those left blank, scored 0), ``manual_points_pending`` (written
    answers waiting for a person) and ``exercises`` (points per exercise, in the chapter's order; empty for a
    written answer waiting for a person)."""
    from nbgrader.api import MissingEntry

    try:
        submission = gb.find_submission(chapter, student)
    except MissingEntry:
        return None
    mapping = exercise_of_cells(chapter)
    exercises = dict.fromkeys(mapping.values(), 0.0)  # the chapter's order, whatever order the database returns
    score = manual = pending = 0.0
    for nb in submission.notebooks:
        for grade in nb.grades:
            exercise = mapping.get(grade.name, grade.name)
            if grade.cell_type == "code":
                score += grade.score or 0.0
            elif grade.needs_manual_grade and grade.manual_score is None:
                pending += grade.max_score
                exercises[exercise] = ""  # no points yet: a person has not graded it
                continue
            else:
                manual += grade.score or 0.0
            exercises[exercise] = round(exercises.get(exercise, 0.0) + (grade.score or 0.0), 4)
    return {"score": round(score, 4), "manual_score": round(manual, 4), "manual_points_pending": round(pending, 4),
            "exercises": exercises}
