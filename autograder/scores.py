"""How a notebook's points add up, in one place, so that grades.csv and the learner's feedback page agree.

Two kinds of points never mix: the **automatic** points of the test cells (code), which grading gives at
once, and the **written** answers (markdown), which a person grades. nbgrader's own totals add both, so a
page would say 6 / 10 where grades.csv says 6 / 8 and two points still wait for someone.
"""

import copy
from functools import cache

import nbformat

from .course import SOLUTIONS


def is_automatic(grade):
    """A grade of a test cell (scored by running it), not of a written answer."""
    return grade.cell_type == "code"


def waits_for_grader(grade):
    """A written answer that a person has still to grade.

    nbgrader's SaveAutoGrades scores a written answer left as released 0 and needs nobody for it
    (``needs_manual_grade`` False); an answered one needs a person until one sets its ``manual_score``
    (formgrader does)."""
    return not is_automatic(grade) and grade.manual_score is None and bool(grade.needs_manual_grade)


def totals(grades):
    """The points of one submission's ``grades`` (nbgrader ``Grade`` rows), as grades.csv and the page show
    them: ``score`` (automatic: test cells; an instructor's override of one in formgrader counts, as it does
    in nbgrader), ``written`` (points of the written answers graded, by a person or as blank), ``written_max``
    (what those could have had), ``pending`` (points of the written answers waiting for a person)."""
    result = {"score": 0.0, "written": 0.0, "written_max": 0.0, "pending": 0.0}
    for grade in grades:
        if is_automatic(grade):
            result["score"] += grade.score or 0.0
        elif waits_for_grader(grade):
            result["pending"] += grade.max_score
        else:
            result["written"] += grade.score or 0.0
            result["written_max"] += grade.max_score
    return {name: round(value, 4) for name, value in result.items()}


@cache
def source_notebook(chapter):
    """The chapter's source notebook (read once per process; never change it)."""
    return nbformat.read(str(SOLUTIONS / chapter / f"{chapter}.ipynb"), as_version=4)


@cache
def as_released(chapter):
    """``{grade_id: source}`` of a chapter's solution cells as the student notebook has them (nbgrader's
    stubs), to tell an exercise a learner left alone from one they tried."""
    from nbgrader.preprocessors import ClearSolutions

    from .nbgrader_config import CODE_STUB, TEXT_STUB

    nb, _ = ClearSolutions(code_stub=CODE_STUB, text_stub=TEXT_STUB).preprocess(copy.deepcopy(source_notebook(chapter)), {})
    return {cell.metadata.nbgrader["grade_id"]: cell.source for cell in nb.cells
            if cell.metadata.get("nbgrader", {}).get("solution")}


@cache
def exercise_of_cells(chapter):
    """Map each graded cell of a chapter to its exercise: the solution cell above it (or itself)."""
    mapping, exercise = {}, None
    for cell in source_notebook(chapter).cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            exercise = meta["grade_id"]
        if meta.get("grade"):
            mapping[meta["grade_id"]] = meta["grade_id"] if meta.get("solution") else exercise
    return mapping


@cache
def max_points(chapter):
    """``(automatic, written)``: the points of a chapter's code test cells and of its written answers."""
    automatic = written = 0.0
    for cell in source_notebook(chapter).cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade"):
            if cell.cell_type == "code":
                automatic += float(meta.get("points", 0))
            else:
                written += float(meta.get("points", 0))
    return automatic, written


def max_automatic_score(chapter):
    """The points of a chapter's test cells (written answers excluded)."""
    return max_points(chapter)[0]


def points(gb, student, chapter):
    """The points of a graded submission in the gradebook ``gb``, as grades.csv has them, or None if it has
    none: :func:`totals` and ``exercises`` (points per exercise, in the chapter's order; empty for a written
    answer waiting for a person)."""
    from nbgrader.api import MissingEntry

    try:
        submission = gb.find_submission(chapter, student)
    except MissingEntry:
        return None
    grades = [grade for nb in submission.notebooks for grade in nb.grades]
    mapping = exercise_of_cells(chapter)
    exercises = dict.fromkeys(mapping.values(), 0.0)  # the chapter's order, whatever order the database returns
    for grade in grades:
        exercise = mapping.get(grade.name, grade.name)
        if waits_for_grader(grade):
            exercises[exercise] = ""  # no points yet: a person has not graded it
        elif exercises.get(exercise) != "":
            exercises[exercise] = round(exercises.get(exercise, 0.0) + (grade.score or 0.0), 4)
    return {**totals(grades), "exercises": exercises}
