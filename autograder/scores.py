"""How a notebook's points add up, in one place, so that grades.csv and the learner's feedback page agree.

Two kinds of points never mix: the **automatic** points of the test cells (code), which grading gives at
once, and the **written** answers (markdown), which a person grades. nbgrader's own totals add both, so a
page would say 6 / 10 where grades.csv says 6 / 8 and two points still wait for someone.
"""

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
    them: ``score`` (automatic: test cells only, never a person's override of one), ``written`` (points of
    the written answers graded, by a person or as blank), ``written_max`` (what those could have had),
    ``pending`` (points of the written answers waiting for a person)."""
    result = {"score": 0.0, "written": 0.0, "written_max": 0.0, "pending": 0.0}
    for grade in grades:
        if is_automatic(grade):
            result["score"] += grade.auto_score or 0.0
        elif waits_for_grader(grade):
            result["pending"] += grade.max_score
        else:
            result["written"] += grade.score or 0.0
            result["written_max"] += grade.max_score
    return {name: round(value, 4) for name, value in result.items()}


def max_automatic_score(chapter):
    """The points of a chapter's test cells (written answers excluded)."""
    nb = nbformat.read(str(SOLUTIONS / chapter / f"{chapter}.ipynb"), as_version=4)
    return sum(float(c.metadata["nbgrader"].get("points", 0)) for c in nb.cells
               if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade"))
