"""Each exercise of a graded notebook as a person reads it: its points, its state and what its tests said.

One source for the learner's scorecard (the top of the feedback page) and the instructor's class view
(summary.html): both show :func:`report` of the same notebook and the same gradebook rows, whose points are the
ones grades.csv adds up (scores.py).

An exercise is a solution cell and the test cells below it (``scores.exercise_of_cells``). Its state:

- ``not attempted``: its solution cell is as released (the stub, or the blank written answer);
- ``passed``: every test cell below it has all its points;
- ``failed``: a test cell lost points; ``message`` is the first line the first such test printed, ``test`` its id;
- ``waiting for a grader``: a written answer no person has graded yet;
- ``graded``: a written answer a person (or nbgrader, for a blank one) has scored.
"""

import re
from dataclasses import dataclass

from .scores import as_released, exercise_of_cells, is_automatic, waits_for_grader

POLICY_ERROR = "GradingPolicyError"  # the error isolate.py adds to the test cells of a flagged exercise
NOT_ATTEMPTED, PASSED, FAILED, WAITING, GRADED = (
    "not attempted", "passed", "failed", "waiting for a grader", "graded")


@dataclass(frozen=True)
class Record:
    """What scores.py and :func:`report` read of an nbgrader ``Grade``, kept after the gradebook is closed."""

    name: str
    cell_type: str
    score: float
    max_score: float
    manual_score: float | None
    needs_manual_grade: bool

    @classmethod
    def of(cls, grade):
        return cls(grade.name, grade.cell_type, grade.score, grade.max_score, grade.manual_score,
                   bool(grade.needs_manual_grade))


def normalized(source):
    """A cell's text with its blank lines and trailing spaces left out, to compare cells."""
    return "\n".join(line.rstrip() for line in (source or "").strip().splitlines() if line.strip())


def first_message(cell):
    """The first line of the first error a test cell printed (``Name: message`` without ``AssertionError: ``,
    which every check raises), or ``""``. The grader's own verdict (a policy the learner's code broke, which the
    grader adds below the test's output) comes first: it is why the points are gone."""
    errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    if not errors:
        return ""
    first = min(errors, key=lambda o: o.get("ename") != POLICY_ERROR)  # the first, or the grader's verdict
    lines = (first.get("evalue") or "").strip().splitlines()
    text, name = (lines[0] if lines else ""), first.get("ename") or "Error"
    return (text if name in ("AssertionError", POLICY_ERROR) and text else f"{name}: {text}".rstrip(": "))[:300]


def report(nb, grades, chapter):
    """The exercises of the executed notebook ``nb``, in the chapter's order: dicts with ``name``, ``kind``
    (``code`` or ``written``), ``score``, ``points``, ``state``, ``message``, ``test`` (the id of the test cell
    the message comes from) and ``cell`` (the id of the solution cell).

    ``grades``: nbgrader's
    ``Grade`` rows of this submission (or objects with ``name``, ``cell_type``, ``score``, ``max_score``,
    ``manual_score`` and ``needs_manual_grade``)."""
    mapping = exercise_of_cells(chapter)
    cells = {cell.metadata.get("nbgrader", {}).get("grade_id"): cell for cell in nb.cells
             if cell.metadata.get("nbgrader", {}).get("grade_id")}
    released = as_released(chapter)
    by_name = {grade.name: grade for grade in grades}
    exercises = {}
    for grade_id, exercise in mapping.items():  # the chapter's order
        entry = exercises.setdefault(exercise, {
            "name": exercise, "kind": "code", "score": 0.0, "points": 0.0, "state": PASSED, "message": "",
            "test": "", "cell": exercise})
        grade = by_name.get(grade_id)
        if grade is None:
            continue
        entry["points"] += grade.max_score or 0.0
        entry["score"] += grade.score or 0.0
        if not is_automatic(grade):
            entry["kind"] = "written"
            entry["state"] = WAITING if waits_for_grader(grade) else GRADED
        elif (grade.score or 0.0) < (grade.max_score or 0.0) and entry["state"] == PASSED:
            entry.update(state=FAILED, message=first_message(cells.get(grade_id, {})), test=grade_id)
    for name, entry in exercises.items():
        solution = cells.get(name)
        if name in released and (solution is None or normalized(solution.source) == normalized(released[name])):
            entry.update(state=NOT_ATTEMPTED, message="", test="")
        entry["score"], entry["points"] = round(entry["score"], 4), round(entry["points"], 4)
    return list(exercises.values())


NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def mistake(message):
    """A failure message with its numbers replaced by ``#``: two learners whose results differ only in their
    values made one mistake."""
    return NUMBER.sub("#", message)
