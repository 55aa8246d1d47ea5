"""The LMS round trip, graded for real: a Canvas "download all submissions" zip in, grades.csv, skipped.csv and
canvas.csv out; a resubmission graded in a second run; written answers graded in the gradebook (as formgrader
does) and `refresh`; and grades.csv, canvas.csv and the feedback pages follow.

The class: two students of one name (two Canvas ids), a CJK name, a late file, a student who hands in a good
notebook and later a broken one, one whose newer notebook is good and older broken, a `.py` instead of a
notebook, an over-long name, and a file that matches no LMS pattern.
"""

import csv
import subprocess
import sys
import zipfile

import nbformat
import pytest

from autograder.course import REPO, tool_env
from autograder.scores import max_points

from conftest import CHAPTERS
from notebooks import solved_submission

CHAPTER = CHAPTERS[0]
LONG = "w" * 300
CJK = "山田太郎"
COLUMN = "Chapter 1 (4242)"  # as Canvas's own export names an assignment: its name and its id


def canvas_zip(path, members):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return path


def grade(*args):
    proc = subprocess.run([sys.executable, "-m", "autograder", *map(str, args), "--quiet"], cwd=REPO, env=tool_env(),
                          capture_output=True, text=True, timeout=1200)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


def table(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def lms(released, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("lms")
    solved = nbformat.writes(solved_submission(CHAPTER, released[CHAPTER]))
    stub = released[CHAPTER].read_text()
    first = [
        (f"smithjohn_111_5001_{CHAPTER}.ipynb", solved),
        (f"smithjohn_222_5002_{CHAPTER}.ipynb", stub),  # a namesake: another person
        (f"{CJK}_333_5003_{CHAPTER}.ipynb", solved),
        (f"lovelaceada_LATE_444_5004_{CHAPTER}.ipynb", solved),
        (f"turingalan_555_5005_{CHAPTER}.ipynb", solved),  # hands in a broken notebook in the second run
        (f"hopper_666_5006_{CHAPTER}.ipynb", "{broken"),  # older and broken ...
        (f"hopper_666_5007_{CHAPTER}-1.ipynb", solved),  # ... newer and good
        (f"pythonista_777_5008_{CHAPTER}.py", "def rnn_cell_forward(): pass"),
        (f"{LONG}_888_5009_{CHAPTER}.ipynb", solved),
        ("readme.txt", "not a submission"),
    ]
    out = tmp / "graded"
    grade("grade", canvas_zip(tmp / "first.zip", first), "--out", out)
    before = {row["student"]: row for row in table(out / "grades.csv")}
    second = first + [(f"turingalan_555_5010_{CHAPTER}-1.ipynb", "{not json")]
    grade("grade", canvas_zip(tmp / "second.zip", second), "--out", out, "--canvas-column", f"{CHAPTER}={COLUMN}")
    return {"out": out, "before": before, "rows": {row["student"]: row for row in table(out / "grades.csv")},
            "files": [name for name, _ in second]}


def full(row):
    return float(row["score"]) == float(row["max_score"]) == max_points(CHAPTER)[0] > 0


def test_every_student_is_a_row_keyed_by_their_canvas_id_with_their_name(lms):
    rows = lms["rows"]
    assert set(rows) == {"111", "222", "333", "444", "555", "666", "777", "888"}
    assert rows["111"]["name"] == rows["222"]["name"] == "smithjohn"  # namesakes: two rows, two grades
    assert full(rows["111"]) and float(rows["222"]["score"]) == 0
    assert rows["333"]["name"] == CJK and full(rows["333"])
    assert rows["888"]["name"] == LONG and full(rows["888"])
    assert [r["student"] for r in rows.values() if r["late"] == "yes"] == ["444"]
    assert all(row["assignment"] == CHAPTER for row in rows.values())


def test_the_newest_resubmission_counts_and_the_status_says_which(lms):
    hopper = lms["rows"]["666"]
    assert full(hopper) and hopper["file"] == f"hopper_666_5007_{CHAPTER}-1.ipynb", hopper
    assert hopper["status"].startswith("ok; graded " + hopper["file"]) and f"_5006_{CHAPTER}" in hopper["status"]


def test_a_broken_resubmission_gives_its_status_and_no_old_score(lms):
    """First run: a good notebook, full marks. Second run, a broken resubmission: the row says so, its points
    are 0 (not those of the older file), and the gradebook holds no submission for it."""
    from nbgrader.api import Gradebook, MissingEntry

    assert full(lms["before"]["555"])
    row = lms["rows"]["555"]
    assert row["status"].startswith("not a notebook") and row["file"].endswith(f"_5010_{CHAPTER}-1.ipynb"), row
    assert float(row["score"]) == float(row["total"]) == 0, row
    with Gradebook(f"sqlite:///{lms['out']}/course/gradebook.db") as gb, pytest.raises(MissingEntry):
        gb.find_submission(CHAPTER, "555")
    assert not (lms["out"] / "feedback" / "555").exists() or not any((lms["out"] / "feedback" / "555").rglob("*.html"))


def test_every_file_of_the_upload_is_graded_or_listed_with_its_reason(lms):
    skipped = table(lms["out"] / "skipped.csv")
    graded = {row["file"] for row in lms["rows"].values() if row["status"].split(";")[0] == "ok"}
    listed = [s["file"] for s in skipped]
    broken = [row["file"] for row in lms["rows"].values() if row["status"].startswith("not a notebook")]
    assert sorted([*graded, *listed, *broken]) == sorted(lms["files"])
    python = next(s for s in skipped if s["file"].endswith(".py"))
    assert python["student"] == "777" and "not a notebook" in python["reason"]
    assert lms["rows"]["777"]["status"].startswith("no notebook: handed in ") and float(lms["rows"]["777"]["score"]) == 0
    assert any(s["file"] == "readme.txt" and not s["student"] for s in skipped)
    assert "readme.txt" in (lms["out"] / "summary.html").read_text()


def test_canvas_csv_is_canvas_gradebook_import(lms):
    """canvas.csv: Canvas's import columns (the chapter's named as --canvas-column says), a Points Possible line,
    and one line per Canvas user id with the total of grades.csv."""
    with open(lms["out"] / "canvas.csv", newline="", encoding="utf-8") as f:
        lines = list(csv.reader(f))
    assert lines[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", COLUMN]
    assert lines[1][0].strip() == "Points Possible" and float(lines[1][5]) == sum(max_points(CHAPTER))
    by_id = {line[1]: line for line in lines[2:]}
    assert set(by_id) == set(lms["rows"])
    for user_id, row in lms["rows"].items():
        assert float(by_id[user_id][5]) == float(row["total"]) and by_id[user_id][0] == row["name"]


def test_refresh_after_formgrader_brings_the_written_points_everywhere(lms):
    """A person grades one written answer (as formgrader saves it); `refresh` puts it in grades.csv's
    manual_score and total, in canvas.csv, and in the learner's feedback page, with nothing executed again."""
    from nbgrader.api import Gradebook

    out, row = lms["out"], lms["rows"]["111"]
    assert float(row["manual_points_pending"]) > 0 and float(row["total"]) == float(row["score"])
    page = out / "feedback" / "111" / CHAPTER / f"{CHAPTER}.html"
    assert "waiting for a grader" in page.read_text()
    with Gradebook(f"sqlite:///{out}/course/gradebook.db") as gb:
        for nb in gb.find_submission(CHAPTER, "111").notebooks:
            for g in nb.grades:
                if g.cell_type == "markdown":
                    g.manual_score, g.needs_manual_grade = 1.5, False  # what formgrader's API does
        gb.db.commit()
    executed = sorted(p.stat().st_mtime_ns for p in (out / "course" / "autograded").rglob("*.ipynb"))
    grade("refresh", "--out", out)
    after = {r["student"]: r for r in table(out / "grades.csv")}["111"]
    assert float(after["manual_score"]) == 1.5 and float(after["manual_points_pending"]) == 0
    assert float(after["total"]) == float(after["score"]) + 1.5
    with open(out / "canvas.csv", newline="", encoding="utf-8") as f:
        assert next(line for line in csv.reader(f) if line[1] == "111")[5] == after["total"]
    assert "waiting for a grader" not in page.read_text() and "1.5" in page.read_text()
    assert sorted(p.stat().st_mtime_ns for p in (out / "course" / "autograded").rglob("*.ipynb")) == executed
