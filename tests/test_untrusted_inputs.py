"""Untrusted inputs reach the instructor: what a learner controls must cost only its own author the marks and
never run in the instructor's tools (autograder/untrusted.py).

One batch of the first chapter is graded (through the command line, one worker) with an honest student beside
learners whose written answer, extra cells and printed output carry HTML that runs when a page is opened,
whose names are spreadsheet formulas, whose notebooks are symbolic links to the instructor's source or special
files, and whose notebooks break the limits on size, cells and cell size. For one student, ``unguarded``, the
defence against links is switched off inside that run (as main had it), to show that the case is real: the link
scores full marks there. Every other defence is likewise shown to let its case through when it is switched off
inside the test (the sanitiser and the page's policy replaced by nothing, a formula written by csv itself).

Pages are opened in Debian's headless Chromium, served from 127.0.0.1, every other request aborted; a learner's
script, if it ran, would only push a marker into ``window.__pwned``.
"""

import base64
import csv
import os
import socket
import struct
import subprocess
import sys
import textwrap
import time
import zipfile
import zlib
from pathlib import Path

import nbformat
import pytest

from autograder import exports, feedback, summary, untrusted, worker
from autograder.course import REPO, tool_env

from conftest import CHAPTERS
from notebooks import Server, exercises, grade_id, only_requests_to, solved_submission, source_notebook

CHAPTER = CHAPTERS[0]
SOURCE = REPO / "solutions" / CHAPTER / f"{CHAPTER}.ipynb"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]


def mark(kind):
    """JavaScript that records that a learner's payload ran (no slash, so that it fits in a folder's name)."""
    return f"(window.__pwned=window.__pwned||[]).push('{kind}')"


def png(width=4, height=3):
    """A small real PNG (an orange rectangle), made without any imaging library."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + b"\xff\x80\x00" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


PNG = base64.b64encode(png()).decode()
SVG = base64.b64encode(f'<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4" '
                       f'onload="{mark("svg-attachment")}">'
                       '<rect width="4" height="4"/></svg>'.encode()).decode()
ANSWER_TEXT = "The hidden state carries the past forward"
HOSTILE_ANSWER = textwrap.dedent(f"""\
    ### My answer

    {ANSWER_TEXT}, so the same weights serve every step $a^{{<t>}} = \\tanh(W_{{aa}} a^{{<t-1>}})$.

    - one weight matrix for all steps
    - `x<t>` is the input at step t

    ![a figure](data:image/png;base64,{PNG})
    ![pasted](attachment:figure.png)
    ![pasted svg](attachment:drawing.svg)
    ![gone](attachment:missing.png)

    <script>{mark("script")}</script>
    <img src="x" onerror="{mark("img-onerror")}">
    <svg><rect width="5" height="5"/><animate onbegin="{mark("svg-animate")}" attributeName="x" dur="1s"/></svg>
    <svg onload="{mark("svg-onload")}"></svg>
    <iframe srcdoc="<script>(parent.__pwned=parent.__pwned||[]).push('iframe')</script>"></iframe>
    <details open ontoggle="{mark("details-toggle")}"><summary>more</summary>text</details>
    <a id="MathJax" name="root" href="javascript:void({mark("link-click")})">a link</a>
    [a markdown link](javascript:void({mark("markdown-link")}))
    <script type="text/x-mathjax-config">{mark("mathjax-config")}</script>
    <img src="https://tracker.invalid/pixel.png" alt="a tracking pixel">
    <style>body {{ display: none }}</style>
    <meta http-equiv="refresh" content="2; url=/refreshed-by-the-learner">
    """)
PRINTED = f"<script>{mark('stdout')}</script><img src=x onerror=\"{mark('stdout-img')}\">"
FORMULA_STUDENT = '=HYPERLINK("x","click me")'
FORMULA_CHAPTER = "=1+1"
HTML_CHAPTER = f"<img src=x onerror=\"{mark('chapter-name')}\">"
# The markers a page gets from the hostile answer if nothing contains it (some need a click or a second).
ANSWER_MARKERS = {"script", "img-onerror", "svg-onload", "iframe", "details-toggle"}

# For `unguarded` only, the batch runs with main's handling of submissions: the link is followed.
UNGUARDED = """
import sys
from pathlib import Path

import nbformat

import autograder.submissions as submissions
import autograder.worker as worker

guarded_collect, guarded_read, guarded_key = submissions.collect, worker.read_notebook, worker.submission_fingerprint


def collect(source, *args, **kwargs):
    collection = guarded_collect(source, *args, **kwargs)
    for row in collection.submissions:
        if row.student == "unguarded":
            row.path, row.status = Path(source) / row.student / row.chapter / f"{row.chapter}.ipynb", None
    return collection


def unguarded(path):
    return "/unguarded/" in str(path)


submissions.collect = collect
worker.read_notebook = lambda path: nbformat.read(str(path), as_version=4) if unguarded(path) else guarded_read(path)
worker.submission_fingerprint = lambda path: worker.fingerprint(path) if unguarded(path) else guarded_key(path)

from autograder.__main__ import main

sys.exit(main(sys.argv[1:]))
"""


def written_answer_id():
    return next(grade_id(c) for c in source_notebook(CHAPTER).cells
                if c.cell_type == "markdown" and c.metadata.get("nbgrader", {}).get("solution"))


def hostile_notebook(released):
    """The solution, with a hostile written answer, a hostile cell of their own of each kind, and printed
    output and an error message that carry HTML."""
    nb = solved_submission(CHAPTER, released)
    first = list(exercises(source_notebook(CHAPTER)))[0]
    for cell in nb.cells:
        if grade_id(cell) == written_answer_id():
            cell.source = HOSTILE_ANSWER
            cell["attachments"] = {"figure.png": {"image/png": PNG}, "drawing.svg": {"image/svg+xml": SVG}}
        if grade_id(cell) == first:
            cell.source += f"\nprint({PRINTED!r})\n"
    nb.cells += [
        nbformat.v4.new_markdown_cell(f"My notes <script>{mark('own-markdown')}</script>"),
        nbformat.v4.new_raw_cell(f"<script>{mark('raw-cell')}</script><b>raw</b>"),
        nbformat.v4.new_code_cell(f"raise ValueError({PRINTED!r})",
                                  metadata={"tags": [f'"><script>{mark("cell-tag")}</script>']}),
    ]
    return nb


@pytest.fixture(scope="module")
def batch(released, tmp_path_factory):
    submissions = tmp_path_factory.mktemp("untrusted")
    out = tmp_path_factory.mktemp("untrusted-graded")
    solved = solved_submission(CHAPTER, released[CHAPTER])

    def put(student, nb=None, chapter=CHAPTER):
        folder = submissions / student / chapter
        folder.mkdir(parents=True)
        if nb is not None:
            nbformat.write(nb, str(folder / f"{chapter}.ipynb"))
        return folder / f"{chapter}.ipynb"

    put("honest", solved)
    put("html_answer", hostile_notebook(released[CHAPTER]))
    put(FORMULA_STUDENT, solved)
    (submissions / "folder_names" / FORMULA_CHAPTER).mkdir(parents=True)
    (submissions / "folder_names" / HTML_CHAPTER).mkdir(parents=True)
    # Links to the instructor's source, at each level, and special files.
    put("unguarded").symlink_to(SOURCE)
    put("linked_notebook").symlink_to(SOURCE)
    (submissions / "linked_chapter").mkdir()
    (submissions / "linked_chapter" / CHAPTER).symlink_to(SOURCE.parent, target_is_directory=True)
    (submissions / "linked_student").symlink_to(REPO / "solutions", target_is_directory=True)
    os.mkfifo(put("fifo"))
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(put("socket")))
    # The limits: each notebook is a valid notebook otherwise (test_each_limit_...).
    big = solved_submission(CHAPTER, released[CHAPTER])
    big.cells[-1] = nbformat.v4.new_code_cell("print('x')", outputs=[nbformat.v4.new_output(
        "stream", name="stdout", text="x" * (untrusted.MAX_NOTEBOOK_BYTES + 10**6))])
    put("too_large", big)
    many = solved_submission(CHAPTER, released[CHAPTER])
    many.cells += [nbformat.v4.new_markdown_cell("") for _ in range(untrusted.MAX_CELLS)]
    put("too_many_cells", many)
    long = solved_submission(CHAPTER, released[CHAPTER])
    long.cells.append(nbformat.v4.new_markdown_cell("y" * (untrusted.MAX_CELL_CHARS + 1)))
    put("too_large_a_cell", long)

    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", UNGUARDED, "grade", str(submissions), "--out", str(out),
                           "--workers", "1", "--timeout", "20", "--quiet"],
                          cwd=REPO, env=tool_env(), capture_output=True, text=True, timeout=900)
    server.close()
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    with open(out / "grades.csv", newline="") as f:
        cells = list(csv.reader(f))
    with open(out / "grades.csv", newline="") as f:
        rows = {(row["student"], row["assignment"]): row for row in csv.DictReader(f)}
    return {"rows": rows, "cells": cells, "out": out, "submissions": submissions, "log": proc.stdout + proc.stderr,
            "seconds": time.monotonic() - start}


def row(batch, student, chapter=CHAPTER):
    return batch["rows"][student, chapter]


def full_marks(r):
    return float(r["score"]) == float(r["max_score"]) > 0


# ------------------------------------------------------------------------------------------ the batch
def test_the_honest_students_keep_full_marks(batch):
    """Do the honest student, and an honest notebook whose author's name is a formula, get full marks and
    `ok` in the batch with every hostile case (which finished: no FIFO hung it)?"""
    assert row(batch, "honest")["status"] == "ok" and full_marks(row(batch, "honest")), row(batch, "honest")
    hyperlink = row(batch, "'" + FORMULA_STUDENT)
    assert hyperlink["status"] == "ok" and full_marks(hyperlink), hyperlink
    assert full_marks(row(batch, "html_answer")), row(batch, "html_answer")  # HTML costs no points either


def test_without_the_defence_a_link_to_the_instructors_source_scores_full_marks(batch):
    """Is the case real? With main's handling (the link followed) for one student, does a notebook that is a
    symbolic link to solutions/<chapter>/<chapter>.ipynb score full marks?"""
    unguarded = row(batch, "unguarded")
    assert full_marks(unguarded), unguarded


@pytest.mark.parametrize("student, what", [
    ("linked_notebook", f"linked_notebook/{CHAPTER}/{CHAPTER}.ipynb is a symbolic link, not a file"),
    ("linked_chapter", f"linked_chapter/{CHAPTER} is a symbolic link, not a folder"),
    ("linked_student", "linked_student is a symbolic link, not a folder"),  # its chapter: "?"
    ("fifo", f"fifo/{CHAPTER}/{CHAPTER}.ipynb is a FIFO (named pipe), not a file"),
    ("socket", f"socket/{CHAPTER}/{CHAPTER}.ipynb is a socket, not a file"),
])
def test_links_and_special_files_get_a_status_and_no_grade(batch, student, what):
    """Does a notebook, chapter folder or student folder that is a symbolic link, or a notebook that is a FIFO
    or a socket, get `not graded: ... hand in the notebook itself`, no points, and nothing copied?"""
    r = row(batch, student, "?" if student == "linked_student" else CHAPTER)
    assert r["status"] == f"not graded: {what}; hand in the notebook itself", r
    assert float(r["score"]) == 0, r
    assert not (batch["out"] / "course" / "autograded" / student).exists()


def test_each_limit_gives_its_row_a_status_that_names_it(batch):
    """Do a notebook over the size limit, with too many cells, or with too large a cell, get a status that
    says what is wrong, the limit, and what to do, and no points, while each would be a valid notebook
    without the limit (so that only the limit stops it)?"""
    size = (batch["submissions"] / "too_large" / CHAPTER / f"{CHAPTER}.ipynb").stat().st_size
    expected = {
        "too_large": f"too large: {untrusted.size_text(size)}, the limit is 20 MB; {untrusted.CLEAR_OUTPUTS}",
        "too_many_cells": f"too many cells: {len(source_notebook(CHAPTER).cells) + untrusted.MAX_CELLS}, the limit "
                          f"is {untrusted.MAX_CELLS}; delete the cells you added",
        "too_large_a_cell": f"too large a cell: cell {len(source_notebook(CHAPTER).cells) + 1} has "
                            f"{untrusted.MAX_CELL_CHARS + 1:,} characters, the limit is {untrusted.MAX_CELL_CHARS:,}",
    }
    for student, status in expected.items():
        r = row(batch, student)
        assert r["status"].startswith(status), r
        assert float(r["score"]) == 0 and r["max_score"], r
        path = batch["submissions"] / student / CHAPTER / f"{CHAPTER}.ipynb"
        nbformat.validate(nbformat.read(str(path), as_version=4))  # without the limit: a notebook to grade


# ----------------------------------------------------------------------------------------------- CSV
def test_no_field_of_grades_csv_is_a_formula(batch):
    """Is every field of the real grades.csv either a number or text a spreadsheet does not evaluate, with
    the learners' formulas kept readable behind a quote?"""
    fields = [cell for line in batch["cells"] for cell in line]
    assert "'" + FORMULA_STUDENT in fields  # a name, alone in its field
    assert any(FORMULA_CHAPTER in cell for cell in fields)  # a folder's name, in a status
    for cell in fields:
        assert not cell.startswith(untrusted.FORMULA_START) or untrusted.NUMBER.fullmatch(cell), cell


def test_a_formula_reaches_the_csv_without_the_defence_and_not_with_it(tmp_path, monkeypatch):
    """Written without csv_cell, do a learner's name, a chapter folder's name and a status arrive in
    grades.csv as formulas? With it, do they start with a quote, while numbers (-1.5) stay numbers?"""
    rows = [{"student": FORMULA_STUDENT, "assignment": FORMULA_CHAPTER, "score": -1.5, "max_score": "-2",
             "manual_points_pending": 0, "status": "@SUM(1+1)", "exercise": "+2+3"},
            {"student": "\tTAB", "assignment": "\r=CR", "score": 1, "max_score": "", "manual_points_pending": 0,
             "status": "-2+3\x1b]0;retitled\x07", "exercise": "-0.25"}]

    def fields(path):  # the columns the rows have, in the order of the file
        with open(path, newline="") as f:
            return [[line[k] for k in line if k in rows[0]] for line in csv.DictReader(f)]

    monkeypatch.setattr(exports, "csv_cell", lambda value: value)
    exports.write_csv(tmp_path / "raw.csv", rows)
    raw = fields(tmp_path / "raw.csv")
    assert raw[0] == [FORMULA_STUDENT, FORMULA_CHAPTER, "-1.5", "-2", "0", "@SUM(1+1)", "+2+3"], raw
    monkeypatch.undo()
    exports.write_csv(tmp_path / "grades.csv", rows)
    safe = fields(tmp_path / "grades.csv")
    assert safe[0] == ["'" + FORMULA_STUDENT, "'" + FORMULA_CHAPTER, "-1.5", "-2", "0", "'@SUM(1+1)", "'+2+3"], safe
    assert safe[1] == ["'\tTAB", "'\r=CR", "1", "", "0", "'-2+3\ufffd]0;retitled\ufffd", "-0.25"], safe


# ---------------------------------------------------------------------------------------------- zips
# (What unpacking refuses, member by member, is tested in test_submissions.py.)


def test_a_zip_over_the_member_limit_is_refused_whole(tmp_path):
    """Does a zip with more members than MAX_ZIP_MEMBERS stop grading with exit 2 and a message naming the
    limit, before anything is unpacked?"""
    archive = tmp_path / "huge.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for i in range(untrusted.MAX_ZIP_MEMBERS + 1):
            zf.writestr(f"s{i}/{CHAPTER}/{CHAPTER}.ipynb", b"")
    proc = subprocess.run([sys.executable, "-m", "autograder", "grade", str(archive), "--out", str(tmp_path / "out"),
                           "--quiet"], cwd=REPO, env=tool_env(), capture_output=True, text=True)
    assert proc.returncode == 2, proc.stderr
    assert f"has {untrusted.MAX_ZIP_MEMBERS + 1:,} members, the limit is {untrusted.MAX_ZIP_MEMBERS:,}" in proc.stderr
    assert not (tmp_path / "out" / "submissions" / "s0").exists()


# ----------------------------------------------------------------------------------- regular files
def test_reading_goes_through_no_link_and_opens_no_special_file(tmp_path):
    """Does read_notebook refuse, with the status, a device, a FIFO (without blocking), a link to the
    source and a notebook under a linked folder, while the plain file beside them is read?"""
    root = tmp_path / "submissions"
    (root / "ada" / CHAPTER).mkdir(parents=True)
    plain = root / "ada" / CHAPTER / "plain.ipynb"
    plain.write_text(nbformat.writes(nbformat.v4.new_notebook()))
    (root / "ada" / CHAPTER / "link.ipynb").symlink_to(SOURCE)
    os.mkfifo(root / "ada" / CHAPTER / "fifo.ipynb")
    (root / "eve").symlink_to(REPO / "solutions", target_is_directory=True)
    assert worker.read_notebook(plain).cells == []
    cases = {root / "ada" / CHAPTER / "link.ipynb": f"ada/{CHAPTER}/link.ipynb is a symbolic link, not a file",
             root / "ada" / CHAPTER / "fifo.ipynb": f"ada/{CHAPTER}/fifo.ipynb is a FIFO (named pipe), not a file",
             root / "eve" / CHAPTER / f"{CHAPTER}.ipynb": "eve is a symbolic link, not a folder",
             Path("/dev/null"): "dev/null is a character device, not a file"}
    for path, what in cases.items():
        with pytest.raises(ValueError, match="^not graded: " + what.replace("(", r"\(").replace(")", r"\)")):
            worker.read_notebook(path)
    assert len(untrusted.submission_fingerprint(SOURCE)) == 64  # a plain file of the instructor's: read
    assert untrusted.submission_fingerprint(root / "eve" / CHAPTER / f"{CHAPTER}.ipynb").startswith("unreadable")


def test_the_limit_on_all_text_together(tmp_path):
    """Does a notebook whose cells are each under the cell limit but hold more than MAX_SOURCE_CHARS in all get
    `too much text`, while the same notebook one cell shorter is read?"""
    cell = "z" * (untrusted.MAX_CELL_CHARS - 10)
    count = untrusted.MAX_SOURCE_CHARS // len(cell) + 1
    folder = tmp_path / "s" / "ada" / CHAPTER
    folder.mkdir(parents=True)
    path = folder / f"{CHAPTER}.ipynb"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(cell) for _ in range(count)])
    nbformat.write(nb, str(path))
    with pytest.raises(ValueError, match=f"^too much text: the cells have {count * len(cell):,} characters in all, "
                                         f"the limit is {untrusted.MAX_SOURCE_CHARS:,}; delete the cells"):
        worker.read_notebook(path)
    nb.cells.pop()
    nbformat.write(nb, str(path))
    assert len(worker.read_notebook(path).cells) == count - 1


# --------------------------------------------------------------------------------------- the browser
PAGE_REPORT = """() => ({
    pwned: window.__pwned || [],
    url: location.href,
    text: document.body ? document.body.innerText : '',
    images: Array.from(document.images).map(i => ({src: (i.getAttribute('src') || '').slice(0, 40),
                                                   ok: i.complete && i.naturalWidth > 0})),
    dangerous: Array.from(document.querySelectorAll('*')).flatMap(e => Array.from(e.attributes)
        .filter(a => /^on/i.test(a.name) || /^\\s*javascript:/i.test(a.value)).map(a => a.name)),
    headings: Array.from(document.querySelectorAll('.rendered_html h3')).map(h => h.innerText),
    items: Array.from(document.querySelectorAll('.rendered_html li')).map(h => h.innerText),
    visible: document.body !== null && getComputedStyle(document.body).display !== 'none',
    tex: window.MathJax && MathJax.startup && MathJax.startup.document && MathJax.startup.document.math ?
        Array.from(MathJax.startup.document.math).map(item => item.math) : [],
})"""


@pytest.fixture(scope="module")
def browser(batch):
    """Open a page of the batch's folder in headless Chromium with every non-loopback request aborted;
    return what a learner's script left and what the page shows."""
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: this test needs Debian's chromium at /usr/bin/chromium. "
                    "Install it with `apt-get update && apt-get install -y chromium` (.ci/run does this).")
    from playwright.sync_api import sync_playwright

    server = Server(batch["out"])
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)

        def visit(path):
            context = chromium.new_context()
            foreign = only_requests_to(context, server.url)
            tab = context.new_page()
            console = []
            tab.on("console", lambda message: console.append(message.text))
            server.asked.clear()
            tab.goto(server.url + str(path.relative_to(batch["out"])), wait_until="load")
            tab.evaluate("() => window.MathJax && MathJax.startup && MathJax.startup.promise")  # math typeset
            tab.wait_for_timeout(500)  # <animate> and <details ontoggle> have had their time
            for link in tab.query_selector_all("a[href^='javascript:' i]"):
                link.evaluate("a => a.click()")  # a click, even where the learner's style hid the page
            tab.wait_for_timeout(200)
            report = tab.evaluate(PAGE_REPORT)
            tab.wait_for_timeout(2500)  # the learner's <meta> refresh (2 s), if it is still there
            report.update(foreign=foreign, asked=list(server.asked), console=console)
            context.close()
            return report

        yield visit
        chromium.close()
    server.close()


def feedback_page(batch, student="html_answer"):
    return batch["out"] / "feedback" / student / CHAPTER / f"{CHAPTER}.html"


def render_again(batch, name):
    """The hostile feedback page made again, in this process, from the same autograded notebook."""
    nb = nbformat.read(str(batch["out"] / "course" / "autograded" / "html_answer" / CHAPTER / f"{CHAPTER}.ipynb"),
                       as_version=4)
    target = batch["out"] / "variants" / name / f"{CHAPTER}.html"
    feedback._EXPORTER.clear()
    try:
        feedback.write_feedback(nb, target, "html_answer", CHAPTER,
                                f"sqlite:///{batch['out'] / 'course' / 'gradebook.db'}")
    finally:
        feedback._EXPORTER.clear()
    return target


def test_without_the_sanitiser_and_the_policy_the_hostile_answer_runs(batch, browser, monkeypatch):
    """Is the hostile answer a real attack? Rendered with the sanitiser replaced by nothing and no policy in
    the page, do its scripts run in Chromium (and its markup hide the page and redirect it)?"""
    monkeypatch.setattr(feedback, "clean_html", lambda html: html)
    monkeypatch.setattr(feedback, "with_policy", lambda page, policy: page)
    report = browser(render_again(batch, "neither"))
    assert ANSWER_MARKERS <= set(report["pwned"]), report["pwned"]
    assert {"own-markdown", "raw-cell", "link-click"} <= set(report["pwned"]), report["pwned"]
    assert not report["visible"] or "/refreshed-by-the-learner" in report["asked"], report


def test_the_sanitiser_alone_contains_the_hostile_answer(batch, browser, monkeypatch):
    """With the sanitiser but no policy, does nothing of the learner's run, load or redirect?"""
    monkeypatch.setattr(feedback, "with_policy", lambda page, policy: page)
    report = browser(render_again(batch, "sanitiser"))
    assert report["pwned"] == [] and report["dangerous"] == [], report
    assert "/refreshed-by-the-learner" not in report["asked"] and report["visible"], report
    assert report["foreign"] == [], report["foreign"]


def test_the_policy_alone_keeps_the_hostile_answer_from_running(batch, browser, monkeypatch):
    """With the page's Content-Security-Policy but the sanitiser replaced by nothing, does no script of the
    learner's run, inline, in a handler, a javascript: link or a frame, and no image load from elsewhere?"""
    monkeypatch.setattr(feedback, "clean_html", lambda html: html)
    report = browser(render_again(batch, "policy"))
    assert report["pwned"] == [], report["pwned"]
    assert "https://tracker.invalid/pixel.png" not in report["foreign"], report["foreign"]


def test_the_feedback_page_runs_nothing_of_the_learners_and_still_shows_their_answer(batch, browser):
    """The feedback page the batch wrote, opened in Chromium: does no learner script run (answer, own cells,
    printed output, error message), nothing load from elsewhere, and does the written answer still
    show: its text, heading, list, code, math (typeset by the page's own MathJax) and its images as data URIs?"""
    report = browser(feedback_page(batch))
    assert report["pwned"] == [] and report["dangerous"] == [], report
    assert report["visible"] and report["url"].endswith(f"{CHAPTER}.html"), report["url"]
    assert report["foreign"] == [], report["foreign"]
    text = report["text"]
    assert "a^{<t>} = \\tanh(W_{aa} a^{<t-1>})" in report["tex"], report["tex"]
    for shown in (ANSWER_TEXT, "x<t> is the input at step t", "My notes",
                  PRINTED, f"ValueError: {PRINTED}"):
        assert shown in text, shown
    assert [h for h in report["headings"] if h.startswith("My answer")], report["headings"]
    assert "one weight matrix for all steps" in report["items"], report["items"]
    loaded = [i["src"] for i in report["images"] if i["ok"]]
    assert loaded.count("data:image/png;base64," + PNG[:18]) == 2, report["images"]  # inline and attached
    assert any(src.startswith("data:image/svg+xml;base64,") for src in loaded), report["images"]  # inert in <img>
    # The policy allows no inline script but the page's own MathJax and its settings (by their hashes), and no
    # eval, with which MathJax 2 would run a learner's <script type="text/x-mathjax-config">.
    page = feedback_page(batch).read_text()
    scripts = page.split('http-equiv="Content-Security-Policy"', 1)[1].split("script-src", 1)[1].split(";", 1)[0]
    assert page.count('http-equiv="Content-Security-Policy"') == 1 and "unsafe" not in scripts, scripts
    assert not [m for m in report["console"] if "Content Security Policy" in m and
                                            "inline script" in m], report["console"]
    honest = browser(feedback_page(batch, "honest"))
    assert honest["pwned"] == [] and "Score" in honest["text"]


def test_a_broken_attachment_or_a_failing_page_costs_only_its_author(batch, monkeypatch, tmp_path):
    """The hostile answer refers to an attachment it does not have: does plain nbconvert raise on it (so that,
    unhandled, it would stop the batch) while the batch wrote the learner's page? And when rendering fails for
    any reason, is a short page with the reason (escaped, under the policy) written instead of raising?"""
    from nbconvert.exporters import HTMLExporter

    nb = nbformat.read(str(batch["out"] / "course" / "autograded" / "html_answer" / CHAPTER / f"{CHAPTER}.ipynb"),
                       as_version=4)
    with pytest.raises(Exception, match="missing attachment: missing.png"):
        HTMLExporter().from_notebook_node(nb)
    assert ANSWER_TEXT in feedback_page(batch).read_text()

    class Failing:
        def from_notebook_node(self, nb, resources=None):
            raise RuntimeError("<b>cannot</b>")

    monkeypatch.setattr(feedback, "_exporter", Failing)
    feedback.write_feedback(nb, tmp_path / "page.html", "html_answer", CHAPTER, "sqlite://")
    page = (tmp_path / "page.html").read_text()
    assert "could not be made (RuntimeError: &lt;b&gt;cannot&lt;/b&gt;)" in page and "Content-Security-Policy" in page


def test_the_summary_escapes_what_learners_control(batch, browser, monkeypatch):
    """summary.html lists statuses and chapters, which a learner's folder names: does a chapter folder named
    like an <img onerror> run without the escaping (and no policy), and not in the batch's real page, where
    its name shows as text?"""
    real = browser(batch["out"] / "summary.html")
    assert real["pwned"] == [] and HTML_CHAPTER in real["text"], real
    rows = [{"student": "folder_names", "assignment": HTML_CHAPTER, "score": 0, "max_score": "",
             "manual_points_pending": 0, "status": f"crash in x: {PRINTED}"}]
    monkeypatch.setattr(summary, "_text", str)
    monkeypatch.setattr(summary, "csp_meta", lambda policy: "")
    (batch["out"] / "variants" / "summary").mkdir(parents=True, exist_ok=True)
    summary.write_summary(batch["out"] / "variants" / "summary", rows, {})
    unescaped = browser(batch["out"] / "variants" / "summary" / "summary.html")
    assert {"chapter-name", "stdout-img"} <= set(unescaped["pwned"]), unescaped["pwned"]


def test_nbgraders_own_feedback_command_makes_the_same_safe_page(batch, browser):
    """Does `nbgrader generate_feedback`, run by an instructor in graded/course, use the safe exporter too:
    the policy in the page, and no learner script running when it is opened?"""
    course = batch["out"] / "course"
    proc = subprocess.run([sys.executable, "-m", "nbgrader", "generate_feedback", CHAPTER, "--student", "html_answer",
                           "--force"], cwd=course, env=tool_env(), capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    page = course / "feedback" / "html_answer" / CHAPTER / f"{CHAPTER}.html"
    assert page.read_text().count('http-equiv="Content-Security-Policy"') == 1
    report = browser(page)
    assert report["pwned"] == [] and report["dangerous"] == [] and ANSWER_TEXT in report["text"], report
