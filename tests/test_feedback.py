"""The feedback page a learner gets back, opened offline in a real browser (Debian's Chromium, every request
that is not a file aborted): its math typeset by the MathJax inside it, its totals those of grades.csv with the
written answers apart, an answer nobody has graded yet said to wait for a grader, and its messages readable
on a phone, with plain numbers.

A class of two is graded with the real command line on the first chapter: ``solved`` answers everything
(its written answer then waits for a person) and ``failing`` has a bug in the first exercise and leaves the
written answer as released (scored 0 by nbgrader, waiting for nobody).
"""

import csv
import subprocess
import sys

import nbformat
import pytest

from autograder import feedback
from autograder.course import REPO, tool_env
from autograder.release import release

from conftest import CHAPTERS
from notebooks import grade_id, only_requests_to, plant, solved_submission
from test_site import CHROMIUM, CHROMIUM_ARGS, PHONE

CHAPTER = CHAPTERS[0]
WRITTEN = "written_weight_sharing"  # the chapter's written answer (markdown, graded by a person)
BUG = ("rnn_cell_forward", " + ba)", ")")  # a_next ignores ba: check_close's message names the worst value
NUMPY_NOISE = ("np.float64(", "np.int64(", "np.float32(", "np.int32(")

PAGE_REPORT = """() => {
    const header = document.querySelector('.panel-heading');
    const rendered = Array.from(document.querySelectorAll('.rendered_html')).map(e => e.innerText).join('\\n');
    const errors = Array.from(document.querySelectorAll('.output_error pre'));
    return {
        automatic: document.getElementById('automatic-score').innerText,
        written: document.getElementById('written-score').innerText,
        written_cell: document.querySelector('a[name="WRITTEN"] + .panel-heading').innerText,
        math: document.querySelectorAll('mjx-container').length,
        math_svg: document.querySelectorAll('mjx-container > svg').length,
        raw_math: rendered.match(/\\$[^$\\n]+\\$|\\\\\\(|\\\\\\[/g) || [],
        errors: errors.map(e => e.innerText),
        error_overflow: errors.filter(e => e.scrollWidth > e.clientWidth).length,
        page_width: [document.documentElement.scrollWidth, document.documentElement.clientWidth],
        header: header.innerText,
    };
}""".replace("WRITTEN", WRITTEN)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The two learners graded by ``python -m autograder grade``: its output folder and grades.csv's rows."""
    root = tmp_path_factory.mktemp("feedback")
    [released] = release([CHAPTER], out=root / "release")
    blank = {grade_id(c): c.source for c in nbformat.read(str(released), as_version=4).cells if grade_id(c)}
    failing = plant(solved_submission(CHAPTER, released), *BUG)
    for cell in failing.cells:
        if grade_id(cell) == WRITTEN:
            cell.source = blank[WRITTEN]
    for student, nb in {"solved": solved_submission(CHAPTER, released), "failing": failing}.items():
        (root / "in" / student / CHAPTER).mkdir(parents=True)
        nbformat.write(nb, str(root / "in" / student / CHAPTER / f"{CHAPTER}.ipynb"))
    out = root / "out"
    proc = subprocess.run([sys.executable, "-m", "autograder", "grade", str(root / "in"), "--out", str(out),
                           "--workers", "1", "--quiet"], cwd=REPO, env=tool_env(), capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    with open(out / "grades.csv", newline="") as f:
        rows = {row["student"]: row for row in csv.DictReader(f)}
    return {"out": out, "rows": rows, "db_url": f"sqlite:///{out / 'course' / 'gradebook.db'}"}


@pytest.fixture(scope="module")
def browser():
    """Open a page from disk in Chromium at a phone's width, every request but file: ones aborted; return what
    it shows once MathJax has typeset it, with the requests it tried and its console messages."""
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: this test needs Debian's chromium at /usr/bin/chromium "
                    "(apt-get install -y chromium).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)

        def visit(path):
            context = chromium.new_context(viewport=PHONE)
            attempted, console = only_requests_to(context, "file://"), []
            tab = context.new_page()
            tab.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
            tab.goto(path.as_uri(), wait_until="load")
            tab.evaluate("() => MathJax.startup.promise")
            report = tab.evaluate(PAGE_REPORT)
            context.close()
            return dict(report, attempted=attempted, console=console)

        yield visit
        chromium.close()


def page(graded, student):
    return graded["out"] / "feedback" / student / CHAPTER / f"{CHAPTER}.html"


def automatic(row):
    return f"Automatic tests: {feedback.points(row['score'])} / {feedback.points(row['max_score'])}"


def test_the_page_typesets_its_math_offline_under_its_policy(graded, browser):
    """With no network, is every formula of the chapter's text typeset as SVG by the MathJax inside the page,
    with no request attempted and no console message (a refused script or style, a MathJax error)?"""
    report = browser(page(graded, "solved"))
    assert report["attempted"] == [] and report["console"] == [], report
    assert report["math"] > 50 and report["math_svg"] == report["math"], report
    assert report["raw_math"] == [], report["raw_math"]


def test_the_header_counts_as_grades_csv_and_waits_for_a_grader(graded, browser):
    """Does the header give the automatic points of grades.csv, and the written answers apart: 'waiting for a
    grader' for an answer given (in the header and at the answer), 0 / 2 for one left blank?"""
    rows = graded["rows"]
    assert float(rows["solved"]["manual_points_pending"]) == 2 and float(rows["failing"]["manual_points_pending"]) == 0
    solved, failing = browser(page(graded, "solved")), browser(page(graded, "failing"))
    assert solved["automatic"] == automatic(rows["solved"]) == "Automatic tests: 8 / 8", solved["header"]
    assert failing["automatic"] == automatic(rows["failing"]), failing["header"]
    assert float(rows["failing"]["score"]) < float(rows["failing"]["max_score"]), rows["failing"]
    assert solved["written"] == "Written answers: waiting for a grader (2 points)", solved["header"]
    assert solved["written_cell"].startswith("Your answer") and "waiting for a grader (2 points)" in solved[
        "written_cell"] and "Score" not in solved["written_cell"], solved["written_cell"]
    assert failing["written"] == "Written answers: 0 / 2", failing["header"]
    assert "Score: 0 / 2" in failing["written_cell"], failing["written_cell"]
    assert "/ 10" not in solved["header"] + failing["header"]  # nbgrader's total: 8 automatic + 2 written


def test_a_graders_points_show_once_given(graded, browser, tmp_path):
    """When a person grades the written answer in the gradebook (as formgrader does), does the page made again
    show their points at the answer and in the header, and the same automatic points?"""
    from nbgrader.api import Gradebook

    with Gradebook(graded["db_url"]) as gb:
        grade = gb.find_grade(WRITTEN, CHAPTER, CHAPTER, "solved")
        grade.manual_score, grade.needs_manual_grade = 1.5, False
        gb.db.commit()
    nb = nbformat.read(str(graded["out"] / "course" / "autograded" / "solved" / CHAPTER / f"{CHAPTER}.ipynb"),
                       as_version=4)
    feedback.write_feedback(nb, tmp_path / "again.html", "solved", CHAPTER, graded["db_url"])
    report = browser(tmp_path / "again.html")
    assert report["written"] == "Written answers: 1.5 / 2", report["header"]
    assert "Score: 1.5 / 2" in report["written_cell"] and "waiting" not in report["header"], report
    assert report["automatic"] == automatic(graded["rows"]["solved"]), report["header"]


def test_a_failure_message_wraps_on_a_phone_with_plain_numbers(graded, browser):
    """Does the failed check's message (long, with the arrays compared) wrap within a 375-px-wide page, no
    message box and not the page scrolling sideways, and name numbers as Python prints them, not numpy 2's
    np.float64(0.3) and (np.int64(0), np.int64(1))?"""
    report = browser(page(graded, "failing"))
    messages = [m for m in report["errors"] if "differs from the expected values" in m]
    assert messages, report["errors"]
    assert report["error_overflow"] == 0, report
    width, visible = report["page_width"]
    assert width <= visible, report["page_width"]
    nb = nbformat.read(str(graded["out"] / "course" / "autograded" / "failing" / CHAPTER / f"{CHAPTER}.ipynb"),
                       as_version=4)
    failures = [o.get("evalue", "") for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert failures and not [f for f in failures if any(noise in f for noise in NUMPY_NOISE)], failures
    assert not [m for m in report["errors"] if any(noise in m for noise in NUMPY_NOISE)], report["errors"]
