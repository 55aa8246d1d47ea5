"""No notebook stops the batch: whichever stage fails for one notebook, every other row is right.

One batch of a chapter, everyone handing in the solution; for each stage of grading one student's notebook
makes that stage raise (the stage's function is replaced in this process before grading, and the workers,
forked from it, inherit the replacement), and one student's worker process dies outright. The batch must
finish, write every file, give every other student full marks, and give each failing row a status that
names its stage and points that agree with it (0, and no submission left in the gradebook, unless the
notebook was scored before its stage failed).
"""

import csv
import os

import nbformat
import pytest

from autograder import grade, worker
from autograder.scores import max_points

from conftest import CHAPTERS
from notebooks import solved_submission

CHAPTER = CHAPTERS[0]
# student: (module, function replaced, the stage named in the status, scored before the failure?)
FAILING = {
    "fails-reading": (worker, "read_notebook", "reading", False),
    "fails-recovering": (worker, "recover_metadata", "recovering metadata", False),
    "fails-sanitizing": (worker, "sanitize", "sanitizing", False),
    "fails-executing": (worker, "execute_notebook", "executing", False),
    "fails-scoring": (worker, "save_grades", "scoring", False),
    "fails-feedback": (worker, "write_feedback", "writing the feedback page", True),
}
GOOD = ["good-1", "good-2", "good-3"]


def _handles(student, args):
    """Is one of a stage's arguments ``student``'s: their name, a path of theirs, or their notebook?"""
    return any(a == student or isinstance(a, (str, os.PathLike)) and f"/{student}/" in str(a) or
               (isinstance(a, nbformat.NotebookNode) and a.get("metadata", {}).get("planted_for") == student)
               for a in args)


def _failing_for(student, real):
    """``real``, except that it raises when it handles ``student``'s notebook."""
    def replacement(*args, **kwargs):
        if _handles(student, [*args, *kwargs.values()]):
            raise RuntimeError(f"planted failure for {student}")
        return real(*args, **kwargs)
    return replacement


def _dies_for(student, real):
    """``real`` (worker.grade_notebook), except that the worker process dies on ``student``'s job."""
    def replacement(job):
        if job["student"] == student and job["status"] is None:
            os._exit(9)  # the worker process dies, as the OOM killer would kill it
        return real(job)
    # the pool sends the function by name: it must be found as worker.grade_notebook (in the forked workers,
    # that name is this replacement)
    replacement.__module__, replacement.__qualname__ = real.__module__, real.__qualname__
    return replacement


@pytest.fixture(scope="module")
def batch(released, tmp_path_factory):
    submissions = tmp_path_factory.mktemp("stages")
    for student in [*FAILING, *GOOD, "worker-dies"]:
        folder = submissions / student / CHAPTER
        folder.mkdir(parents=True)
        nb = solved_submission(CHAPTER, released[CHAPTER])
        nb.metadata["planted_for"] = student  # how a stage that gets only the notebook knows whose it is
        nbformat.write(nb, str(folder / f"{CHAPTER}.ipynb"))
    out = tmp_path_factory.mktemp("stages-out")
    with pytest.MonkeyPatch.context() as patch:
        for student, (module, name, _, _) in FAILING.items():
            patch.setattr(module, name, _failing_for(student, getattr(module, name)))
        patch.setattr(worker, "grade_notebook", _dies_for("worker-dies", worker.grade_notebook))
        grade.grade(submissions, out, workers=2, progress=False)
    with open(out / "grades.csv", newline="") as f:
        rows = {row["student"]: row for row in csv.DictReader(f)}
    return {"out": out, "rows": rows}


def test_every_other_row_is_right_whichever_stage_fails(batch):
    full = max_points(CHAPTER)[0]
    assert set(batch["rows"]) == {*FAILING, *GOOD, "worker-dies"}
    for student in GOOD:
        row = batch["rows"][student]
        assert row["status"] == "ok" and float(row["score"]) == full, row
        assert (batch["out"] / "feedback" / student / CHAPTER / f"{CHAPTER}.html").is_file()
    for name in ("grades.csv", "skipped.csv", "summary.html"):
        assert (batch["out"] / name).is_file(), name


@pytest.mark.parametrize("student", list(FAILING))
def test_a_failing_stage_is_named_in_its_row_and_the_points_agree(batch, student):
    _, _, stage, scored = FAILING[student]
    row = batch["rows"][student]
    assert f"{stage} failed (RuntimeError: planted failure for {student})" in row["status"], row
    page = batch["out"] / "feedback" / student / CHAPTER / f"{CHAPTER}.html"
    if scored:  # scored, then the page failed: the points stand, the page is missing
        assert row["status"].startswith("ok; ") and float(row["score"]) == max_points(CHAPTER)[0], row
        assert not page.exists()
    else:
        assert row["status"].startswith("could not be graded: "), row
        assert float(row["score"]) == 0 and float(row["total"]) == 0, row
        assert not page.exists()
        assert _in_gradebook(batch["out"], student) is False


def test_a_worker_that_dies_costs_only_its_row(batch):
    row = batch["rows"]["worker-dies"]
    assert row["status"].startswith("could not be graded: its worker process died"), row
    assert float(row["score"]) == 0


def _in_gradebook(out, student):
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(f"sqlite:///{out}/course/gradebook.db") as gb:
        try:
            gb.find_submission(CHAPTER, student)
        except MissingEntry:
            return False
        return True
