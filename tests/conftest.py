"""Shared fixtures: the chapters, their student release, and one grading run of a class that covers them."""

import csv
import os
import subprocess
import sys

import pytest

from autograder.course import REPO, chapters, tool_env

from notebooks import exercises, load_mutants, plant, solved_submission, source_notebook

# `python -m autograder check CHAPTER` narrows the chapter tests (and the class graded) to some chapters.
CHAPTERS = [c for c in chapters() if c in os.environ.get("COURSE_CHAPTERS", c).split(",")]


@pytest.fixture(scope="session")
def released(tmp_path_factory):
    """The student notebooks of every chapter, made by the real `python -m autograder release` code path."""
    from autograder.release import release

    out = tmp_path_factory.mktemp("release")
    paths = release(out=out)
    return {path.parent.name: path for path in paths}


@pytest.fixture(scope="session")
def class_grades(released, tmp_path_factory):
    """Grade, with the real command line, a class in which for every chapter one student submits the
    solution, one the untouched student notebook, and, for every exercise, one the solution with a bug planted
    in that exercise and one the solution with that exercise left as released (its stub)."""
    import nbformat

    submissions = tmp_path_factory.mktemp("submissions")
    for chapter in CHAPTERS:
        cases = {"solved": solved_submission(chapter, released[chapter]),
                 "stub": nbformat.read(str(released[chapter]), as_version=4)}
        first_bug = {}  # one planted bug per exercise, graded for real (the sandbox included)
        for exercise, find, replace, *_ in load_mutants(chapter):
            first_bug.setdefault(exercise, (find, replace))
        for exercise, (find, replace) in first_bug.items():
            cases[f"planted-{exercise}"] = plant(solved_submission(chapter, released[chapter]), exercise, find,
                                                 replace)
        stubs = {c.metadata.get("nbgrader", {}).get("grade_id"): c.source
                 for c in nbformat.read(str(released[chapter]), as_version=4).cells}
        for exercise in exercises(source_notebook(chapter)):  # one exercise left as released (test_independence)
            nb = solved_submission(chapter, released[chapter])
            for cell in nb.cells:
                if cell.metadata.get("nbgrader", {}).get("grade_id") == exercise:
                    cell.source = stubs[exercise]
            cases[f"without-{exercise}"] = nb
        for student, nb in cases.items():
            folder = submissions / student / chapter
            folder.mkdir(parents=True)
            nbformat.write(nb, str(folder / f"{chapter}.ipynb"))
    # Broken submissions, for the first chapter: each must cost only its author the marks.
    first = CHAPTERS[0]
    for student, content in {"broken": "{not json", "empty": "", "binary": "\x00\x01\x02"}.items():
        (submissions / student / first).mkdir(parents=True)
        (submissions / student / first / f"{first}.ipynb").write_text(content)
    (submissions / "absent" / first).mkdir(parents=True)
    (submissions / "renamed" / first).mkdir(parents=True)
    nbformat.write(solved_submission(first, released[first]), str(submissions / "renamed" / first / "Copy1.ipynb"))
    (submissions / "lost" / "ch99_nonexistent").mkdir(parents=True)
    out = tmp_path_factory.mktemp("graded")
    proc = subprocess.run([sys.executable, "-m", "autograder", "grade", str(submissions), "--out", str(out),
                           "--workers", "2"], cwd=REPO, env=tool_env(), capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    with open(out / "grades.csv", newline="") as f:
        rows = {(row["student"], row["assignment"]): row for row in csv.DictReader(f)}
    return {"rows": rows, "out": out, "log": proc.stdout + proc.stderr, "submissions": str(submissions)}
