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

DESKTOP = {"width": 1280, "height": 900}

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
        written_cell: document.querySelector('a[id="cell-WRITTEN"] + .panel-heading').innerText,
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
    flagged = solved_submission(CHAPTER, released)
    for cell in flagged.cells:
        if grade_id(cell) == BUG[0]:
            cell.source = "import rnn_ref\n" + cell.source
    class_ = {"solved": solved_submission(CHAPTER, released), "failing": failing,
              "untouched": nbformat.read(str(released), as_version=4), "broken": "{not json", "flagged": flagged}
    out = root / "out"
    grade_into(out, root / "in", CHAPTER, class_)
    with open(out / "grades.csv", newline="") as f:
        rows = {row["student"]: row for row in csv.DictReader(f)}
    return {"out": out, "rows": rows, "db_url": f"sqlite:///{out / 'course' / 'gradebook.db'}", "root": root}


def grade_into(out, folder, chapter, class_):
    """Grade ``class_`` (student: notebook, or the text of a broken file) on ``chapter`` into ``out``."""
    for student, nb in class_.items():
        (folder / student / chapter).mkdir(parents=True)
        path = folder / student / chapter / f"{chapter}.ipynb"
        path.write_text(nb) if isinstance(nb, str) else nbformat.write(nb, str(path))
    proc = subprocess.run([sys.executable, "-m", "autograder", "grade", str(folder), "--out", str(out),
                           "--workers", "1", "--quiet"], cwd=REPO, env=tool_env(), capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


@pytest.fixture(scope="module")
def chromium():
    """Debian's Chromium, driven by Playwright, for the module's tests."""
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: this test needs Debian's chromium at /usr/bin/chromium "
                    "(apt-get install -y chromium).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def browser(chromium):
    """Open a page from disk in Chromium at a phone's width, every request but file: ones aborted; return what
    it shows once MathJax has typeset it, with the requests it tried and its console messages."""
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


SCORECARD = """() => {
    const visible = e => !!e && e.getClientRects().length > 0 && !e.closest('details:not([open])');
    const lines = Array.from(document.querySelectorAll('#scorecard tbody tr')).map(tr => ({
        exercise: tr.cells[0].innerText.trim(), points: tr.cells[1].innerText.trim(),
        state: tr.querySelector('.state').innerText.trim(),
        message: (tr.querySelector('.first-message') || {innerText: ''}).innerText.trim(),
        links: Array.from(tr.querySelectorAll('a')).map(a => {
            const target = document.getElementById(decodeURIComponent(a.hash.slice(1)));
            return {href: a.getAttribute('href'), target: !!target, visible: visible(target && target.nextElementSibling)};
        }),
    }));
    const folded = Array.from(document.querySelectorAll('details.folded'));
    const code = Array.from(document.querySelectorAll('.input_area')).filter(e => visible(e)).map(e => e.innerText);
    return {lines, folded: folded.length, open: folded.filter(d => d.open).length, code,
            top: document.getElementById('scorecard').getBoundingClientRect().top,
            page_width: [document.documentElement.scrollWidth, document.documentElement.clientWidth]};
}"""


@pytest.fixture(scope="module")
def tab(chromium):
    """A Chromium tab on a page from disk (nothing but file: requests), at a width, for print or screen."""
    contexts = []

    def open_page(path, viewport=DESKTOP, media="screen"):
        context = chromium.new_context(viewport=viewport)
        contexts.append(context)
        attempted, console = only_requests_to(context, "file://"), []
        page = context.new_page()
        page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
        page.emulate_media(media=media)
        page.goto(path.as_uri(), wait_until="load")
        page.attempted, page.console = attempted, console
        return page

    yield open_page
    for context in contexts:
        context.close()


def test_the_scorecard_names_each_exercise_and_links_to_what_failed(graded, tab):
    """Does the learner's page open with one line per exercise (its name, its points as grades.csv has them,
    passed / failed / not attempted / waiting for a grader), the first message of a failed exercise and links
    to the learner's cell and the failed test (both shown, not folded), then the notebook with the course's own
    cells folded; on a phone with nothing wider than the screen, and in print without the folded cells?"""
    rows = graded["rows"]
    expected = {
        "solved": {BUG[0]: ("passed", ""), WRITTEN: ("waiting for a grader", "")},
        "failing": {BUG[0]: ("failed", "ignores ba"), WRITTEN: ("not attempted", "")},
        "untouched": {BUG[0]: ("not attempted", ""), WRITTEN: ("not attempted", "")},
        "flagged": {BUG[0]: ("failed", "imports the reference implementation")},
    }
    for student, states in expected.items():
        for viewport in (DESKTOP, PHONE):
            shown = tab(page(graded, student), viewport)
            report = shown.evaluate(SCORECARD)
            assert shown.attempted == [] and shown.console == [], (shown.attempted, shown.console)
            lines = {line["exercise"]: line for line in report["lines"]}
            assert list(lines)[:2] == ["rnn_cell_forward", "rnn_forward"], list(lines)
            for exercise, (state, message) in states.items():
                line = lines[exercise]
                assert line["state"] == state and message in line["message"], (student, line)
                if state == "failed":
                    assert [link["target"] and link["visible"] for link in line["links"]] == [True, True], line
                    assert line["links"][1]["href"].startswith("#cell-test_"), line
            for exercise, line in lines.items():  # the points are grades.csv's, exercise by exercise
                if line["state"] != "waiting for a grader":
                    assert line["points"].split(" / ")[0] == feedback.points(rows[student][exercise] or 0), line
            assert report["folded"] >= 3 and report["open"] == 0, report["folded"]
            assert not [c for c in report["code"] if "def check_close" in c or "import numpy" in c]
            width, visible = report["page_width"]
            assert width <= visible, (student, viewport, report["page_width"])
    printed = tab(page(graded, "failing"), DESKTOP, media="print").evaluate(SCORECARD)
    assert printed["lines"] and printed["folded"] >= 3 and not [
        c for c in printed["code"] if "def check_close" in c], printed["code"][:2]


CLASS_VIEW = """() => {
    const table = id => Array.from(document.querySelectorAll('#' + id + ' tbody tr')).map(tr =>
        Array.from(tr.cells).map(td => td.innerText.trim()));
    const links = Array.from(document.querySelectorAll('a[href^="feedback/"]')).map(a => a.getAttribute('href'));
    return {attention: table('attention-table'), term: table('term-table'), links,
            mistakes: Array.from(document.querySelectorAll('table.mistakes tbody tr')).map(tr => tr.innerText),
            exercises: Array.from(document.querySelectorAll('table.exercises tbody tr')).map(tr =>
                Array.from(tr.cells).map(td => td.innerText.trim())),
            page_width: [document.documentElement.scrollWidth, document.documentElement.clientWidth]};
}"""


@pytest.mark.skipif(len(CHAPTERS) < 2, reason="the term's view needs two chapters")
def test_the_class_view_shows_who_needs_attention_the_mistakes_and_the_term(graded, tab):
    """After a second chapter is graded into the same folder, does summary.html list the untouched, broken and
    flagged students (not the one who solved it, nor the one who lost a few points) with links to their
    feedback, name the planted mistake of the failing student, count not attempted apart from wrong, show each
    student's two chapters side by side, sort a table when its heading is clicked, and fit a phone?"""
    second = CHAPTERS[1]
    [released] = release([second], out=graded["root"] / "release")
    log = grade_into(graded["out"], graded["root"] / "in-second", second,
                     {"solved": solved_submission(second, released),
                      "untouched": nbformat.read(str(released), as_version=4)})
    assert "grades.csv also keeps 5 rows graded here before" in log, log
    with open(graded["out"] / "grades.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert sorted((r["student"], r["assignment"]) for r in rows) == sorted(
        [(s, CHAPTER) for s in ("solved", "failing", "untouched", "broken", "flagged")]
        + [(s, second) for s in ("solved", "untouched")])
    for viewport in (DESKTOP, PHONE):
        shown = tab(graded["out"] / "summary.html", viewport)
        view = shown.evaluate(CLASS_VIEW)
        assert shown.attempted == [] and shown.console == [], (shown.attempted, shown.console)
        why = {(line[0], line[1]): line[2] for line in view["attention"]}
        assert set(why) == {("untouched", CHAPTER), ("broken", CHAPTER), ("flagged", CHAPTER),
                            ("untouched", second)}, why
        assert why["untouched", CHAPTER] == "nothing attempted" and why["broken", CHAPTER].startswith(
            "not graded or crashed: not a notebook") and "imports the reference implementation" in why[
            "flagged", CHAPTER], why
        for href in view["links"]:
            assert (graded["out"] / href).is_file(), href
        assert [m for m in view["mistakes"] if "known mistake:" in m and "failing" in m], view["mistakes"]
        assert not [m for m in view["mistakes"] if "not written yet" in m or "NotImplementedError" in m]
        first = {line[0]: line for line in view["exercises"]}["rnn_cell_forward"]
        assert first[2:6] == ["3", "1", "2", "1"], first  # attempted, passed, wrong, not attempted
        term = {line[0]: line[1:] for line in view["term"]}
        assert term["solved"][:2] == ["100 %", "100 %"] and term["untouched"][:2] == ["0 %", "0 %"], term
        width, visible = view["page_width"]
        assert width <= visible, (viewport, view["page_width"])
    shown.click("#attention-table th:nth-child(4) button")  # sort by score, ascending
    scores = shown.eval_on_selector_all("#attention-table tbody td:nth-child(4)", "cells => cells.map(c => +c.dataset.sort)")
    assert scores == sorted(scores) and len(set(scores)) > 1, scores
    shown.click("#attention-table th:nth-child(4) button")
    again = shown.eval_on_selector_all("#attention-table tbody td:nth-child(4)", "cells => cells.map(c => +c.dataset.sort)")
    assert again == sorted(scores, reverse=True), again
