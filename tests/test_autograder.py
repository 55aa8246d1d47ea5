"""The grading tool from the instructor's side: its command line, its CSV, and broken input."""

import subprocess
import sys

from autograder.course import REPO, tool_env

from conftest import CHAPTERS


def run(*args):
    return subprocess.run([sys.executable, "-m", "autograder", *args], cwd=REPO, env=tool_env(),
                          capture_output=True, text=True)


def test_grade_refuses_a_folder_that_does_not_exist(tmp_path):
    """Does grading a missing folder exit 2 with a message naming it, and write nothing?"""
    proc = run("grade", str(tmp_path / "nope"), "--out", str(tmp_path / "out"))
    assert proc.returncode == 2
    assert "nope" in proc.stderr and "is not a folder" in proc.stderr
    assert not (tmp_path / "out").exists()


def test_release_refuses_an_unknown_chapter():
    """Does releasing a chapter that does not exist exit 2 and list the chapters there are?"""
    proc = run("release", "ch99_nonexistent")
    assert proc.returncode == 2
    assert "ch99_nonexistent" in proc.stderr and CHAPTERS[0] in proc.stderr


def test_csv_has_the_columns_an_instructor_needs(class_grades):
    """Does grades.csv have the fixed columns first and one column per exercise?"""
    header = (class_grades["out"] / "grades.csv").read_text().splitlines()[0].split(",")
    assert header[:6] == ["student", "assignment", "score", "max_score", "manual_points_pending", "status"]
    row = class_grades["rows"]["solved", CHAPTERS[0]]
    exercise_columns = [c for c in header[6:] if row.get(c)]
    assert exercise_columns, header
    assert abs(sum(float(row[c]) for c in exercise_columns if not c.startswith("written"))
               - float(row["score"])) < 1e-9


def test_broken_submissions_get_a_row_with_a_clear_status(class_grades):
    """Do an invalid, empty or binary file, a missing notebook and an unknown chapter each get a row with
    zero points and a status that says why, while the others are graded normally?"""
    rows = class_grades["rows"]
    first = CHAPTERS[0]
    for student in ("broken", "empty", "binary"):
        assert rows[student, first]["status"].startswith("not a notebook"), rows[student, first]
        assert float(rows[student, first]["score"]) == 0
    assert rows["absent", first]["status"] == "missing"
    assert rows["lost", "ch99_nonexistent"]["status"] == "unknown chapter"
    renamed = rows["renamed", first]
    assert renamed["status"] == "ok; the notebook was named Copy1.ipynb"
    assert float(renamed["score"]) == float(renamed["max_score"])
    assert float(rows["solved", first]["score"]) == float(rows["solved", first]["max_score"])


def test_one_row_per_student_and_chapter(class_grades):
    """Does every student and chapter found appear exactly once in grades.csv?"""
    lines = (class_grades["out"] / "grades.csv").read_text().splitlines()[1:]
    keys = [tuple(line.split(",")[:2]) for line in lines]
    assert len(keys) == len(set(keys)) == len(class_grades["rows"])
