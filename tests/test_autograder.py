"""The grading tool from the instructor's side: its command line, its CSV, and broken input."""

import subprocess
import sys

import nbformat

from autograder.course import REPO, tool_env
from autograder.exports import CSV_COLUMNS

from conftest import CHAPTERS


def run(*args):
    return subprocess.run([sys.executable, "-m", "autograder", *args], cwd=REPO, env=tool_env(),
                          capture_output=True, text=True)


def test_grade_refuses_a_folder_that_does_not_exist(tmp_path):
    """Does grading a missing folder exit 2 with a message naming it, and write nothing?"""
    proc = run("grade", str(tmp_path / "nope"), "--out", str(tmp_path / "out"))
    assert proc.returncode == 2
    assert "nope" in proc.stderr and "is neither a folder of submissions" in proc.stderr
    assert not (tmp_path / "out").exists()


def test_the_release_folder_can_be_published_as_it_is(released):
    """Does release/ hold, next to the chapters, the learners' requirements.txt that Binder installs from, with
    the packages of book/requirements-learner.txt and instructions that name the file by its own name?"""
    out = next(iter(released.values())).parent.parent
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == sorted(released)
    published = (out / "requirements.txt").read_text()
    learner = (REPO / "book" / "requirements-learner.txt").read_text()

    def packages(text):
        return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]

    assert packages(published) == packages(learner) and packages(published)
    assert "pip install -r requirements.txt" in published and "requirements-learner" not in published, published


def test_a_released_notebook_opens_unmodified(released):
    """Does every student notebook carry the language_info a real Python kernel reports on opening, so that
    JupyterLab and Notebook 7 change nothing and closing an untouched notebook does not ask to save?"""
    from jupyter_client.manager import start_new_kernel

    manager, client = start_new_kernel(kernel_name="python3")
    try:
        reported = client.kernel_info(reply=True, timeout=60)["content"]["language_info"]
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    assert set(reported) >= {"name", "version", "mimetype", "file_extension", "codemirror_mode"}, reported
    for name, notebook in released.items():
        metadata = nbformat.read(str(notebook), as_version=4).metadata
        assert metadata.language_info == reported, (name, metadata.language_info, reported)
        assert metadata.kernelspec.name == "python3", (name, metadata.kernelspec)


def test_release_refuses_an_unknown_chapter():
    """Does releasing a chapter that does not exist exit 2 and list the chapters there are?"""
    proc = run("release", "ch99_nonexistent")
    assert proc.returncode == 2
    assert "ch99_nonexistent" in proc.stderr and CHAPTERS[0] in proc.stderr


def test_csv_has_the_columns_an_instructor_needs(class_grades):
    """Does grades.csv have the fixed columns first and one column per exercise?"""
    header = (class_grades["out"] / "grades.csv").read_text().splitlines()[0].split(",")
    assert header[:len(CSV_COLUMNS)] == CSV_COLUMNS == [
        "student", "name", "assignment", "late", "score", "max_score", "manual_score", "manual_max_score",
        "manual_points_pending", "total", "max_total", "status", "file"]
    row = class_grades["rows"]["solved", CHAPTERS[0]]
    exercise_columns = [c for c in header[len(CSV_COLUMNS):] if row.get(c)]
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
    assert rows["absent", first]["status"] == f"missing: absent/{first} holds no file"
    assert rows["lost", "?"]["status"].startswith("unknown chapter: lost/ch99_nonexistent")
    renamed = rows["renamed", first]
    assert renamed["status"] == "ok; the notebook was named Copy1.ipynb"
    assert float(renamed["score"]) == float(renamed["max_score"])
    assert float(rows["solved", first]["score"]) == float(rows["solved", first]["max_score"])


def test_one_row_per_student_and_chapter(class_grades):
    """Does every student and chapter found appear exactly once in grades.csv?"""
    import csv

    with open(class_grades["out"] / "grades.csv", newline="") as f:
        keys = [(row["student"], row["assignment"]) for row in csv.DictReader(f)]
    assert len(keys) == len(set(keys)) == len(class_grades["rows"])


def test_grading_again_redoes_nothing_and_gives_the_same_grades(class_grades):
    """Does grading the same folder into the same place again skip every finished notebook and give the
    same grades.csv?"""
    out = class_grades["out"]
    before = (out / "grades.csv").read_text()
    proc = run("grade", class_grades["submissions"], "--out", str(out), "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert "graded 0 notebooks" in proc.stdout, proc.stdout
    assert (out / "grades.csv").read_text() == before


def summary_tables(page):
    """``{chapter: {"exercises": [row dicts], "mistakes": [row dicts]}}`` and the attention table, read from
    summary.html as a person reads its tables (heading text: cell text)."""
    from bs4 import BeautifulSoup

    def rows(table):
        head = [th.get_text(strip=True) for th in table.thead.find_all("th")]
        return [dict(zip(head, (td.get_text(" ", strip=True) for td in tr.find_all("td"))))
                for tr in table.tbody.find_all("tr")]

    soup = BeautifulSoup(page, "html.parser")
    chapters = {}
    for heading in soup.find_all("h2"):
        if heading.get("id") in CHAPTERS:
            tables = {}
            for sibling in heading.find_next_siblings():
                if sibling.name == "h2":
                    break
                for kind in ("exercises", "mistakes"):
                    if sibling.name == "table" and kind in sibling.get("class", []):
                        tables[kind] = rows(sibling)
            chapters[heading["id"]] = tables
    return chapters, rows(soup.find(id="attention-table"))


def test_the_class_view_counts_as_grades_csv(class_grades):
    """Does summary.html give, per chapter and exercise, the submissions that passed (every point, as in
    grades.csv), got it wrong, and did not attempt it (the stub and the solution without that exercise: counted
    apart, not as mistakes); name the planted mistakes by the hints the tests print; and list the untouched and
    the broken submissions among the students who need attention?"""
    import math

    from autograder.summary import known_mistakes

    page = (class_grades["out"] / "summary.html").read_text()
    tables, attention = summary_tables(page)
    assert sorted(tables) == sorted(CHAPTERS)
    rows = class_grades["rows"]
    for chapter in CHAPTERS:
        graded = [row for (student, ch), row in rows.items() if ch == chapter and row["status"].startswith("ok")]
        exercises = {row["exercise"]: row for row in tables[chapter]["exercises"]}
        for name, shown in exercises.items():
            if float(shown["waiting for a grader"]) > 0 or name.startswith("written"):
                continue
            full = float(shown["points"])
            passed = [row for row in graded if not math.isclose(0, full) and float(row[name] or 0) == full]
            assert int(shown["passed"]) == len(passed), (chapter, name, shown, [r["student"] for r in passed])
            assert int(shown["not attempted"]) == 2, (chapter, name, shown)  # "stub" and f"without-{name}"
            assert int(shown["wrong"]) >= (1 if f"planted-{name}" in {r["student"] for r in graded} else 0), shown
            assert int(shown["attempted"]) + int(shown["not attempted"]) == len(graded), (chapter, name, shown)
        mistakes = tables[chapter].get("mistakes", [])
        assert not [m for m in mistakes if "NotImplementedError" in m["mistake"] or "not written yet" in m["mistake"]]
        names = {name for _, name in known_mistakes(chapter)}
        for mistake in mistakes:
            if mistake["mistake"].startswith("known mistake:"):
                assert any(mistake["mistake"].startswith(f"known mistake: {name}") for name in names), mistake
        assert any(m["mistake"].startswith("known mistake:") for m in mistakes) or not names, (chapter, mistakes)
    flagged = {(row["student"], row["chapter"]): row["why"] for row in attention}
    for chapter in CHAPTERS:
        assert "nothing attempted" in flagged[("stub", chapter)], flagged.get(("stub", chapter))
        assert ("solved", chapter) not in flagged
    assert "not graded or crashed: not a notebook" in flagged[("broken", CHAPTERS[0])]


def lms_zip(path, members):
    import zipfile

    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_a_downloaded_notebook_is_known_by_the_chapter_in_its_name():
    """Do the names browsers, Colab and LMSs give a download still say which chapter it is?"""
    from autograder.course import chapters
    from autograder.submissions import chapter_in

    chapter = CHAPTERS[-1]
    for name in [f"{chapter}.ipynb", f"{chapter}-1.ipynb", f"{chapter} (1).ipynb", f"Copy of {chapter}.ipynb",
                 f"Copy_of_{chapter}.ipynb"]:
        assert chapter_in([name], chapters()) == chapter, name
    assert chapter_in(["notes.ipynb"], chapters()) == "?"
    assert chapter_in(["notes.ipynb"], chapters(), only=(chapter,)) == chapter


def test_an_lms_download_is_graded_as_it_comes(released, tmp_path):
    """Does a Canvas-style zip (student and notebook in the file names, resubmissions suffixed) grade into
    one row per student, ignoring other files and refusing paths that leave the folder?"""
    import nbformat

    from notebooks import solved_submission

    chapter = CHAPTERS[0]
    solved = nbformat.writes(solved_submission(chapter, released[chapter]))
    stub = released[chapter].read_text()
    archive = lms_zip(tmp_path / "submissions.zip", {
        f"lovelaceada_1234_5678_{chapter}.ipynb": solved,
        f"babbagecharles_LATE_2345_6789_{chapter}.ipynb": solved,
        f"babbagecharles_LATE_2345_6790_{chapter}-1.ipynb": stub,  # the later resubmission counts
        "../../escape_1_2_evil.ipynb": solved,
        "notes.txt": "not a notebook",
    })
    out = tmp_path / "graded"
    proc = run("grade", str(archive), "--out", str(out), "--quiet", "--assignment", chapter)
    assert proc.returncode == 0, proc.stderr
    import csv

    rows = {r["student"]: r for r in csv.DictReader(open(out / "grades.csv"))}  # keyed by Canvas's user id
    assert set(rows) == {"1234", "2345"}
    assert (rows["1234"]["name"], rows["1234"]["late"]) == ("lovelaceada", "no")
    assert (rows["2345"]["name"], rows["2345"]["late"]) == ("babbagecharles", "yes")
    assert float(rows["1234"]["score"]) == float(rows["1234"]["max_score"]) > 0
    assert float(rows["2345"]["score"]) == 0 and rows["2345"]["file"].endswith("_6790_" + f"{chapter}-1.ipynb")
    assert not (tmp_path / "escape_1_2_evil.ipynb").exists()
    skipped = (out / "skipped.csv").read_text()
    assert "outside the archive" in skipped and "notes.txt" in skipped and f"_6789_{chapter}.ipynb" in skipped
    assert (out / "feedback" / "1234" / chapter / f"{chapter}.html").exists()


def test_a_notebook_whose_editor_dropped_the_metadata_is_graded_like_any_other(released, tmp_path):
    """Colab (which the website links to) and other editors drop nbgrader's cell metadata, and a learner may
    retype an exercise in a new cell. Are such notebooks graded as the work they hold, their written answers
    kept for the instructor, with a status that says what happened?"""
    import csv

    import nbformat

    from notebooks import exercises, grade_id, solved_submission, source_notebook

    submissions = tmp_path / "submissions"
    chapters = sorted({CHAPTERS[0], CHAPTERS[-1]})
    written_answer = {}
    for chapter in chapters:
        first = list(exercises(source_notebook(chapter)))[0]
        written = written_answer[chapter] = next(
            grade_id(c) for c in source_notebook(chapter).cells
            if c.cell_type == "markdown" and c.metadata.get("nbgrader", {}).get("solution"))
        colab = solved_submission(chapter, released[chapter])
        for index, cell in enumerate(colab.cells):
            cell.metadata, cell["id"] = {}, f"colab-{index}"
        retyped = solved_submission(chapter, released[chapter])
        at = next(i for i, c in enumerate(retyped.cells) if grade_id(c) == first)
        mine = nbformat.v4.new_code_cell(retyped.cells[at].source)
        retyped.cells[at:at + 1] = [nbformat.v4.new_code_cell("scratch = 1 + 1"), mine]
        for cell in retyped.cells:
            if grade_id(cell) == written:
                del cell.metadata["nbgrader"]
        stub = nbformat.read(str(released[chapter]), as_version=4)
        for cell in stub.cells:
            cell.metadata = {}
        for student, nb in {"colab": colab, "retyped": retyped, "stub": stub}.items():
            (submissions / student / chapter).mkdir(parents=True)
            nbformat.write(nb, str(submissions / student / chapter / f"{chapter}.ipynb"))
    out = tmp_path / "graded"
    proc = run("grade", str(submissions), "--out", str(out), "--quiet")
    assert proc.returncode == 0, proc.stderr
    rows = {(r["student"], r["assignment"]): r for r in csv.DictReader(open(out / "grades.csv"))}
    for chapter in chapters:
        for student in ("colab", "retyped"):
            row = rows[student, chapter]
            assert float(row["score"]) == float(row["max_score"]) > 0, row
            assert row["status"].startswith("ok; nbgrader's metadata was missing and was restored"), row
            graded = nbformat.read(str(out / "course" / "autograded" / student / chapter / f"{chapter}.ipynb"),
                                   as_version=4)
            answers = [c for c in graded.cells
                       if c.metadata.get("nbgrader", {}).get("grade_id") == written_answer[chapter]]
            assert len(answers) == 1 and "YOUR ANSWER HERE" not in answers[0].source, "the written answer is lost"
        assert float(rows["stub", chapter]["score"]) == 0, rows["stub", chapter]


def test_metadata_recovery_gives_no_learners_cell_the_place_of_a_test(released):
    """A learner deleted a test cell and wrote a helper where it stood: is the helper left as the learner's
    cell (not turned into the test, which grading would overwrite), while their retyped exercise cell is
    recognised?"""
    import nbformat

    from autograder.recover import recover_metadata
    from notebooks import exercises, grade_id, solved_submission, source_notebook

    chapter = CHAPTERS[0]
    first = list(exercises(source_notebook(chapter)))[0]
    test = grade_id(exercises(source_notebook(chapter))[first][0])
    nb = solved_submission(chapter, released[chapter])
    at = next(i for i, c in enumerate(nb.cells) if grade_id(c) == test)
    nb.cells[at] = nbformat.v4.new_code_cell("def helper():\n    return 1")
    exercise = next(c for c in nb.cells if grade_id(c) == first)
    del exercise.metadata["nbgrader"]
    recovered = recover_metadata(nb, nbformat.read(str(released[chapter]), as_version=4))
    assert recovered == [first]
    assert "nbgrader" not in nb.cells[at].metadata and "nbgrader" in exercise.metadata
    assert recover_metadata(nb, nbformat.read(str(released[chapter]), as_version=4)) == [], "the helper was taken"


def test_an_interrupted_run_finishes_the_rest_and_keeps_what_was_graded(released, tmp_path):
    """After Ctrl-C in the middle of a batch, does grading again finish the rest without regrading what was
    done, with exactly one row per submission?"""
    import csv
    import os
    import signal
    import time

    import nbformat

    from notebooks import solved_submission

    chapter = CHAPTERS[0]
    submissions = tmp_path / "submissions"
    for i in range(4):
        (submissions / f"student{i}" / chapter).mkdir(parents=True)
        nbformat.write(solved_submission(chapter, released[chapter]),
                       str(submissions / f"student{i}" / chapter / f"{chapter}.ipynb"))
    out = tmp_path / "graded"
    proc = subprocess.Popen([sys.executable, "-m", "autograder", "grade", str(submissions), "--out", str(out),
                             "--workers", "1", "--quiet"], cwd=REPO, env=tool_env(), start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 600
    while not list(out.glob("course/autograded/*/*/.result.json")) and time.monotonic() < deadline:
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGINT)
    proc.communicate(timeout=120)
    finished = len(list(out.glob("course/autograded/*/*/.result.json")))
    assert 1 <= finished < 4, "the run should have been interrupted after some but not all notebooks"
    again = run("grade", str(submissions), "--out", str(out), "--quiet")
    assert again.returncode == 0, again.stderr
    assert f"graded {4 - finished} notebooks ({finished} already graded" in again.stdout, again.stdout
    rows = list(csv.DictReader(open(out / "grades.csv")))
    assert sorted(r["student"] for r in rows) == [f"student{i}" for i in range(4)]
    assert all(float(r["score"]) == float(r["max_score"]) > 0 for r in rows), rows


def test_the_gradebook_can_live_at_any_database_url(released, tmp_path):
    """Does --db put nbgrader's gradebook where the URL says, with the grades in it?"""
    import nbformat
    from nbgrader.api import Gradebook

    from notebooks import solved_submission

    chapter = CHAPTERS[0]
    (tmp_path / "submissions" / "ada" / chapter).mkdir(parents=True)
    nbformat.write(solved_submission(chapter, released[chapter]),
                   str(tmp_path / "submissions" / "ada" / chapter / f"{chapter}.ipynb"))
    url = f"sqlite:///{tmp_path / 'elsewhere' / 'shared.db'}"
    (tmp_path / "elsewhere").mkdir()
    proc = run("grade", str(tmp_path / "submissions"), "--out", str(tmp_path / "graded"), "--db", url, "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert not (tmp_path / "graded" / "course" / "gradebook.db").exists()
    with Gradebook(url) as gb:
        submission = gb.find_submission(chapter, "ada")
        assert submission.score > 0 and submission.score == gb.find_assignment(chapter).max_score - sum(
            g.max_score for nb in submission.notebooks for g in nb.grades if g.cell_type == "markdown")
