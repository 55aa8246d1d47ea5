"""Is each exercise graded on its own? For every exercise of every chapter, the class graded in conftest.py has a
student who submits the solution with that exercise left exactly as released (its stub): through the real
grader, that exercise scores 0 and every other exercise keeps all its points, although the later exercises call
the missing function (a sequence calling its cell, a backward pass fed by the forward, a gradient check
differentiating the forward, a derivative using its activation). While grading, the exercises above the one
tested are the reference's (autograder/sandbox/client.py, Sandbox.judge_alone)."""

import pytest

from conftest import CHAPTERS
from notebooks import exercises, source_notebook


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_an_exercise_left_undone_costs_only_its_own_points(chapter, class_grades):
    rows = class_grades["rows"]
    solved = rows["solved", chapter]
    graded = list(exercises(source_notebook(chapter)))
    lost = []
    for exercise in graded:
        row = rows[f"without-{exercise}", chapter]
        assert row["status"] == "ok", row
        assert float(row[exercise]) == 0, f"{exercise}'s stub scores {row[exercise]}"
        lost += [f"{other} ({row[other]} of {solved[other]}) when {exercise} is left undone"
                 for other in graded if other != exercise and float(row[other]) != float(solved[other])]
    assert float(solved["score"]) == float(solved["max_score"]), solved
    assert not lost, "exercises that lose points to another one:\n" + "\n".join(lost)
