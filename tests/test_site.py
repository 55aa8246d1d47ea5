"""The website, as a learner gets it: built strictly, self-contained, leak-proof, and working in a real browser.

The session fixture builds the release (``python -m autograder release``) and the site (the steps of
``make book``), so ``make test`` alone is enough on a fresh clone. The browser test needs Debian's Chromium
(``apt-get install -y chromium``; ``.ci/run`` installs it) and saves a screenshot of every page, at desktop and
at phone size, in ``test-artifacts/site/``.
"""

import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import nbformat
import pytest

from autograder.course import REPO, tool_env
from autograder.leaks import Checker, scan, secrets
from autograder.pages import DOWNLOADS, PAGES, download_name, toc_chapters

from notebooks import Server

SITE = REPO / "_build" / "html"
RELEASE = REPO / "release"
ARTIFACTS = REPO / "test-artifacts" / "site"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]
BIN = Path(sys.executable).parent
PHONE = {"width": 375, "height": 740}  # a small phone, in CSS pixels


def run(*command):
    """Run a build step at the root of the repository; fail the test with its output if it fails."""
    start = time.monotonic()
    proc = subprocess.run([str(c) for c in command], cwd=REPO, env=tool_env(), capture_output=True, text=True)
    assert proc.returncode == 0, f"{' '.join(map(str, command))} failed:\n{proc.stdout[-6000:]}\n{proc.stderr[-6000:]}"
    return time.monotonic() - start, proc.stdout + proc.stderr


def build_site():
    """The steps of `make book`: the chapters' pages, then Jupyter Book with warnings as errors."""
    pages, _ = run(sys.executable, "-m", "autograder", "pages")
    book, log = run(BIN / "jupyter-book", "build", ".", "-W", "--keep-going")
    return pages, book, log


@pytest.fixture(scope="session")
def site():
    """The built website and release/, as `make book` and `make release` make them (release in parallel)."""
    release = subprocess.Popen([sys.executable, "-m", "autograder", "release"], cwd=REPO, env=tool_env(),
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    pages, book, _ = build_site()
    out, _ = release.communicate()
    assert release.returncode == 0, f"python -m autograder release failed:\n{out}"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "build-times.txt").write_text(f"pages {pages:.1f} s\njupyter-book {book:.1f} s\n")
    return SITE


def html_pages(root):
    """Every HTML file of the site (a page left from an earlier build included)."""
    return sorted(p for p in root.rglob("*.html") if "_static" not in p.parts and "_sources" not in p.parts)


def toc_files():
    """The pages of _toc.yml (``book/intro``, ``book/chapters/ch01_architecture``, ...)."""
    import yaml

    files = []

    def walk(node):
        if isinstance(node, dict):
            files.extend(node[key] for key in ("root", "file") if isinstance(node.get(key), str))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(yaml.safe_load((REPO / "_toc.yml").read_text()))
    return [re.sub(r"[.](md|ipynb)$", "", f) for f in files]


def site_pages(root):
    """The pages this build made: those of _toc.yml, and index, search and the general index."""
    return [f"{f}.html" for f in toc_files()] + sorted(p.name for p in root.glob("*.html"))


# ----------------------------------------------------------------------------------------------- the build
def test_every_page_of_the_toc_is_built(site):
    """Does every page of _toc.yml (the chapters and the pages around them) come out as HTML?"""
    files = toc_files()
    missing = [f for f in files if not (site / f"{f}.html").exists()]
    assert not missing, f"pages of _toc.yml not built: {missing}"
    for page in ("book/intro", "book/notation", "book/instructor", "book/references"):
        assert page in files, f"{page} is not in _toc.yml"


def test_rebuild_with_nothing_changed_is_fast(site):
    """Does `make book` with nothing changed re-execute no chapter and finish within 30 s?"""
    pages_before = {p: p.stat().st_mtime_ns for p in PAGES.glob("*.ipynb")}
    start = time.monotonic()
    pages, book, _ = build_site()
    total = time.monotonic() - start
    assert {p: p.stat().st_mtime_ns for p in PAGES.glob("*.ipynb")} == pages_before, "a page was rebuilt"
    with open(ARTIFACTS / "build-times.txt", "a") as f:
        f.write(f"rebuild with nothing changed: pages {pages:.1f} s, jupyter-book {book:.1f} s\n")
    assert total < 30, f"a rebuild with nothing changed took {total:.0f} s (pages {pages:.0f} s, book {book:.0f} s)"


# --------------------------------------------------------------------------------------------- no leaks
def test_nothing_a_learner_can_reach_leaks_a_solution(site):
    """Do the built site (with _sources/ and _downloads/) and release/ hold no solution line, hidden test
    or nbgrader marker? (the same check as `python -m autograder leaks`)"""
    leaks, scanned = scan([site, RELEASE])
    assert scanned > 50, f"only {scanned} files scanned"
    assert not leaks, "leaks:\n" + "\n".join(map(str, leaks[:50]))


def test_leak_checker_reports_a_planted_solution_line_with_file_and_line(site, tmp_path):
    """Does a solution line pasted into a copy of a built page (as plain text and as highlighted code), into a
    notebook (JSON-escaped), or an nbgrader marker get reported with its file and line?"""
    from pygments import highlight
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import PythonLexer

    chapter = toc_chapters()[0]
    mine = secrets([chapter])
    secret = max((line for line, where in mine.items() if ", cell test_" not in where and "written" not in where),
                 key=len)
    page = (site / "book" / "chapters" / f"{chapter}.html").read_text().splitlines()
    planted = page[:40] + [secret] + page[40:80] + highlight(f"    {secret}\n", PythonLexer(), HtmlFormatter(
        nowrap=True)).splitlines() + page[80:]
    (tmp_path / "page.html").write_text("\n".join(planted))
    nb = nbformat.read(str(DOWNLOADS / f"{chapter}.ipynb"), as_version=4)
    nb.cells[-1].source += f'\n    print("hi")\n    {secret}\n### BEGIN HIDDEN TESTS'
    nbformat.write(nb, str(tmp_path / "student.ipynb"))
    leaks, _ = scan([tmp_path])
    found = {(Path(leak.path).name, leak.line) for leak in leaks}
    nb_lines = (tmp_path / "student.ipynb").read_text().splitlines()
    leak_line = next(i for i, line in enumerate(nb_lines, 1) if json.dumps(secret)[1:-1] in line)
    marker_line = next(i for i, line in enumerate(nb_lines, 1) if "BEGIN HIDDEN TESTS" in line)
    assert found == {("page.html", 41), ("page.html", 82), ("student.ipynb", leak_line),
                     ("student.ipynb", marker_line)}, "\n".join(map(str, leaks))
    # The command line prints `file:line: what` and exits 1.
    proc = subprocess.run([sys.executable, "-m", "autograder", "leaks", str(tmp_path)], cwd=REPO, env=tool_env(),
                          capture_output=True, text=True)
    assert proc.returncode == 1 and f"{tmp_path / 'page.html'}:41: solution line of {chapter}" in proc.stdout, \
        proc.stdout + proc.stderr
    # ... and a hidden-test line in a zip (a chapter download with data) is found too.
    hidden = next(line for line, where in mine.items() if ", cell test_" in where)
    shutil.make_archive(str(tmp_path / "bundle"), "zip", root_dir=tmp_path, base_dir="page.html")
    (tmp_path / "page.html").write_text(f"<p>{hidden}</p>\n")
    leaks, _ = scan([tmp_path / "bundle.zip", tmp_path / "page.html"])
    assert any(leak.path.endswith("bundle.zip!page.html") and leak.line == 41 for leak in leaks), leaks
    assert any(leak.path.endswith("page.html") and leak.line == 1 and "cell test_" in leak.what for leak in leaks)


def test_checker_ignores_lines_a_learner_sees_anyway():
    """Are stub lines such as a `return` that also stands outside the solution region not counted as secrets?"""
    checker = Checker(secrets())
    public = "raise NotImplementedError()\n# YOUR CODE HERE\nimport numpy as np\nreturn a_next, yt_pred, cache\n"
    assert checker.check_text(public, "stub.py") == []


# ------------------------------------------------------------------------------------------- downloads
def test_chapter_pages_offer_the_student_notebook_and_never_the_source(site):
    """Does every chapter page link its student notebook (the release version) and no page link a source
    (the download button, _sources/)?"""
    for chapter in toc_chapters():
        html = (site / "book" / "chapters" / f"{chapter}.html").read_text()
        name = download_name(chapter)
        links = re.findall(r'href="([^"]*_downloads/[^"]*)"', html)
        assert [link for link in links if link.endswith("/" + name)], f"{chapter}: no download of {name}"
        offered = site / "book" / "chapters" / [link for link in links if link.endswith("/" + name)][0]
        assert offered.resolve().exists(), f"{chapter}: {offered} is missing"
        if name.endswith(".ipynb"):
            student = nbformat.read(str(offered.resolve()), as_version=4)
            release = nbformat.read(str(RELEASE / chapter / f"{chapter}.ipynb"), as_version=4)
            assert [(c.cell_type, c.source) for c in student.cells] == \
                   [(c.cell_type, c.source) for c in release.cells], f"{chapter}: the download is not the release"
            assert any("NotImplementedError" in c.source for c in student.cells)
    for page in html_pages(site):
        html = page.read_text()
        assert "_sources/" not in html and "download-source-button" not in html, \
            f"{page.relative_to(site)} offers a source file"


def test_a_chapter_with_data_is_offered_as_a_zip_of_notebook_and_data(tmp_path, monkeypatch):
    """Does a chapter whose folder holds data get, as its download, a zip of the student notebook and the data?"""
    import zipfile

    import autograder.checking
    import autograder.course
    import autograder.pages
    import autograder.release

    first = toc_chapters()[0]
    source = tmp_path / "solutions" / "ch99_data"
    source.mkdir(parents=True)
    shutil.copyfile(REPO / "solutions" / first / f"{first}.ipynb", source / "ch99_data.ipynb")
    (source / "words.csv").write_text("word,count\nmemory,3\n")
    for module in (autograder.checking, autograder.course, autograder.pages, autograder.release):
        monkeypatch.setattr(module, "SOLUTIONS", tmp_path / "solutions")
    monkeypatch.setattr(autograder.pages, "DOWNLOADS", tmp_path / "downloads")
    assert autograder.pages.download_name("ch99_data") == "ch99_data.zip"
    assert "<downloads/ch99_data.zip>" in autograder.pages.header_cell("ch99_data").source
    autograder.pages.write_downloads(["ch99_data"])
    with zipfile.ZipFile(tmp_path / "downloads" / "ch99_data.zip") as archive:
        assert sorted(archive.namelist()) == ["ch99_data/ch99_data.ipynb", "ch99_data/words.csv"]
        student = archive.read("ch99_data/ch99_data.ipynb").decode()
    assert "NotImplementedError" in student and "BEGIN SOLUTION" not in student


def test_launch_links_are_on_by_default_and_point_to_the_student_notebooks(site, tmp_path):
    """With no repository of student notebooks configured, are there no launch links (nothing to open); with one,
    are Binder and Colab links there by default; and does each Binder, JupyterHub or Colab link open the student
    notebook in the student repository?"""
    sys.path.insert(0, str(REPO / "book" / "_ext"))
    from course_site import launch_links

    for page in html_pages(site):
        html = page.read_text()
        assert not re.search(r'class="[^"]*student-launch', html), f"{page} has launch links"
    config = {"repository_url": "https://github.com/org/rnn-student", "branch": "main",
              "binderhub_url": "https://mybinder.org", "jupyterhub_url": "https://hub.example.edu", "colab": True}
    assert launch_links({}, "ch01_architecture") == []
    assert launch_links(config, "ch01_architecture") == [
        ("Binder", "https://mybinder.org/v2/gh/org/rnn-student/main?labpath=ch01_architecture%2Fch01_architecture.ipynb"),
        ("JupyterHub", "https://hub.example.edu/hub/user-redirect/git-pull?repo=https%3A%2F%2Fgithub.com%2Forg%2F"
                       "rnn-student&branch=main&urlpath=lab%2Ftree%2Frnn-student%2Fch01_architecture%2F"
                       "ch01_architecture.ipynb"),
        ("Colab", "https://colab.research.google.com/github/org/rnn-student/blob/main/ch01_architecture/"
                  "ch01_architecture.ipynb"),
    ]
    assert [label for label, _ in launch_links({"repository_url": "https://github.com/org/rnn-student"},
                                                "ch01_architecture")] == ["Binder", "Colab"]
    assert [label for label, _ in launch_links({"repository_url": "https://gitlab.com/org/rnn-student"},
                                                "ch01_architecture")] == ["Binder"]  # Colab: GitHub only
    # The directive in a real (tiny) Sphinx build.
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text(
        f"import sys\nsys.path.insert(0, {str(REPO / 'book' / '_ext')!r})\nextensions = ['course_site']\n"
        f"rnn_course_launch = {config!r}\n")
    (src / "index.rst").write_text("Page\n====\n\n.. student-launch:: ch02_loss\n")
    from sphinx.cmd.build import build_main

    assert build_main(["-q", "-W", "-b", "html", str(src), str(tmp_path / "out")]) == 0
    html = (tmp_path / "out" / "index.html").read_text()
    assert "labpath=ch02_loss%2Fch02_loss.ipynb" in html and "colab.research.google.com" in html
    assert (tmp_path / "out" / "_static" / "mathjax" / "tex-svg.js").exists()


# ------------------------------------------------------------------------------------------ self-contained
def test_pages_load_nothing_from_another_host(site):
    """Does no built page load a script, style sheet, font, image or frame from another host?"""
    external = re.compile(r'<(script|link|img|iframe|source|video|audio|embed)\b[^>]*\b(src|href)="(https?:)?//',
                          re.I)
    bad = []
    for page in html_pages(site):
        for match in external.finditer(page.read_text()):
            if match.group(1).lower() == "link" and not re.search(r'rel="(stylesheet|preload|icon|modulepreload)',
                                                                  match.group(0)):
                continue
            bad.append(f"{page.relative_to(site)}: {match.group(0)[:120]}")
    for css in site.rglob("*.css"):
        for url in re.findall(r"url\(\s*['\"]?((https?:)?//[^)'\"]+)", css.read_text(errors="replace")):
            bad.append(f"{css.relative_to(site)}: url({url[0]})")
    assert not bad, "\n".join(bad)
    chapter = (site / "book" / "chapters" / f"{toc_chapters()[0]}.html").read_text()
    assert "_static/mathjax/tex-svg.js" in chapter, "MathJax is not the bundled one"
    assert "widget-state+json" not in chapter and "require.min.js" not in chapter, "widget scripts on a page"


# ----------------------------------------------------------------------------------------- in a browser
PAGE_REPORT = """() => {
  const main = document.querySelector('main article') || document.querySelector('main') || document.body;
  const heads = Array.from(main.querySelectorAll('h1,h2,h3,h4,h5,h6')).map(h => Number(h.tagName[1]));
  return {
    math: document.querySelectorAll('span.math, div.math').length,
    typeset: document.querySelectorAll('mjx-container').length,
    mathErrors: document.querySelectorAll('mjx-merror').length,
    images: Array.from(document.images).map(i => ({src: i.getAttribute('src'), ok: i.complete && i.naturalWidth > 0,
                                                    alt: i.getAttribute('alt')})),
    heads: heads,
    links: Array.from(document.querySelectorAll('a[href]')).map(a => a.href),
    ids: Array.from(document.querySelectorAll('[id]')).map(e => e.id),
    // the share of the article's height taken by code a reader sees: cells' code (not what it printed) and
    // code blocks in the text; code folded away (a closed <details>) is not seen
    codeShare: (() => {
      const height = main.getBoundingClientRect().height;
      let code = 0;
      for (const block of main.querySelectorAll('div.cell_input, div.highlight, pre')) {
        if (block.closest('details:not([open])') || block.closest('div.cell_output')) continue;
        if (block.parentElement.closest('div.cell_input, div.highlight, pre')) continue;
        code += block.getBoundingClientRect().height;
      }
      return height ? code / height : 0;
    })(),
    diagrams: Array.from(main.querySelectorAll('img')).filter(i => /\\.svg$/i.test(i.getAttribute('src') || '')).length,
  };
}"""
MAX_CODE_SHARE = 0.15  # of a chapter page's height: the site reads as a text with exercises, not as code


def test_every_page_works_in_a_browser_with_the_network_cut_off(site):
    """Does every page of the site, opened in headless Chromium that may reach nothing but the site itself,
    log no console error and fail no request, typeset its math, load every image (with alt text), keep its
    headings in order, have only internal links that resolve, and fit a phone's screen? Does every chapter page
    show at least one diagram, and code in at most MAX_CODE_SHARE of its height?"""
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: the browser test needs Debian's chromium at /usr/bin/chromium. "
                    "Install it with `apt-get update && apt-get install -y chromium` (.ci/run does this).")
    from playwright.sync_api import sync_playwright

    pages = site_pages(site)
    server = Server(site)
    problems, checked, ids, shares = [], [], {}, {}
    start = time.monotonic()
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            desktop = browser.new_context(viewport={"width": 1280, "height": 900})
            phone = browser.new_context(viewport=PHONE, device_scale_factor=2,
                                        is_mobile=True, has_touch=True)
            links = {}
            for context, kind in ((desktop, "desktop"), (phone, "phone")):
                events = []

                def route(r, request, events=events):
                    if request.url.startswith(server.url):
                        r.continue_()
                    else:
                        events.append(f"request to another host: {request.url}")
                        r.abort("blockedbyclient")

                context.route("**/*", route)
                tab = context.new_page()
                tab.on("console", lambda m, events=events: events.append(f"console {m.type}: {m.text}")
                       if m.type == "error" else None)
                tab.on("pageerror", lambda e, events=events: events.append(f"page error: {e}"))
                tab.on("requestfailed", lambda r, events=events: events.append(
                    f"request failed: {r.url} ({r.failure})") if r.url.startswith(server.url) else None)
                tab.on("response", lambda r, events=events: events.append(f"HTTP {r.status}: {r.url}")
                       if r.status >= 400 else None)
                for name in pages:
                    events.clear()
                    refresh = re.search(r'http-equiv="refresh" content="\d+; ?url=([^"]+)"', (site / name).read_text(), re.I)
                    if refresh:  # index.html only sends the reader on to the landing page
                        target = urljoin(server.url + name, refresh.group(1))
                        tab.goto(server.url + name, wait_until="commit")
                        tab.wait_for_url(target, wait_until="load")
                        problems += [f"{name} ({kind}): {e}" for e in events]
                        if kind == "desktop":
                            checked.append(name)
                        continue
                    tab.goto(server.url + name, wait_until="load")
                    tab.evaluate("() => window.MathJax && MathJax.startup && MathJax.startup.promise")
                    tab.evaluate("""() => Promise.all(Array.from(document.images).map(i => i.complete ? 0 :
                        new Promise(done => { i.onload = i.onerror = done; setTimeout(done, 5000); })))""")
                    report = tab.evaluate(PAGE_REPORT)
                    shot = ARTIFACTS / (name.replace("/", "__").removesuffix(".html") +
                                        ("" if kind == "desktop" else ".phone") + ".png")
                    tab.screenshot(path=str(shot), full_page=(kind == "desktop"))
                    where = f"{name} ({kind})"
                    problems += [f"{where}: {e}" for e in events]
                    if kind == "phone":
                        width = tab.evaluate("document.documentElement.scrollWidth")
                        if width > PHONE["width"] + 1:
                            problems.append(f"{where}: the page is {width} px wide on a {PHONE['width']} px screen")
                        continue
                    checked.append(name)
                    if name.startswith("book/chapters/"):
                        shares[name] = report["codeShare"]
                        if report["codeShare"] > MAX_CODE_SHARE:
                            problems.append(f"{where}: code takes {report['codeShare']:.0%} of the page's height "
                                            f"(at most {MAX_CODE_SHARE:.0%})")
                        if not report["diagrams"]:
                            problems.append(f"{where}: no diagram (an SVG image)")
                    ids[name] = set(report["ids"])
                    links[name] = report["links"]
                    if report["math"] and (report["typeset"] < report["math"] or report["mathErrors"]):
                        problems.append(f"{where}: {report['typeset']} of {report['math']} formulas typeset, "
                                        f"{report['mathErrors']} MathJax errors")
                    for image in report["images"]:
                        if not image["ok"]:
                            problems.append(f"{where}: image not loaded: {image['src']}")
                        alt = (image["alt"] or "").strip()
                        if not alt or re.search(r"\.(png|jpe?g|svg|gif)$", alt):
                            problems.append(f"{where}: image without alt text: {image['src']} (alt={alt!r})")
                    heads = report["heads"]
                    if heads and heads[0] != 1:
                        problems.append(f"{where}: the first heading is h{heads[0]}, not h1")
                    for before, after in zip(heads, heads[1:]):
                        if after > before + 1:
                            problems.append(f"{where}: heading h{after} follows h{before}")
                            break
            browser.close()
    finally:
        server.close()
    # Internal links: the file exists and, for a #fragment, the target page has that id.
    for name, hrefs in links.items():
        for href in hrefs:
            if not href.startswith(server.url):
                continue
            parts = urlsplit(href)
            path = unquote(parts.path).lstrip("/") or "index.html"
            target = site / path
            if target.is_dir():
                target, path = target / "index.html", path.rstrip("/") + "/index.html"
            if not target.is_file():
                problems.append(f"{name}: broken link {href}")
            elif parts.fragment and path.endswith(".html"):
                target_ids = ids.get(path)
                if target_ids is None:
                    target_ids = set(re.findall(r'\bid="([^"]+)"', target.read_text()))
                if unquote(parts.fragment) not in target_ids:
                    problems.append(f"{name}: link to a missing anchor {href}")
    (ARTIFACTS / "browser.txt").write_text(
        f"{len(checked)} pages checked in {time.monotonic() - start:.0f} s:\n" + "\n".join(checked) + "\n"
        + "code share of the chapter pages (desktop):\n"
        + "".join(f"{name}: {share:.1%}\n" for name, share in shares.items()))
    assert len(checked) >= len(toc_chapters()) + 4, checked
    assert not problems, f"{len(problems)} problem(s) on {len(checked)} pages:\n" + "\n".join(problems[:80])


def test_a_learner_answers_the_self_check_questions_on_every_chapter_page(site):
    """On every chapter page, in headless Chromium that may reach nothing but the site: are there three to five
    self-check questions, shown without their code and working (their script ran); does clicking a wrong choice
    say so, and the right one say it is right, with why; is a number typed and checked with the keyboard alone
    (Tab, Enter) judged the same way; and do the questions take the page's colours in dark mode? Writes what the
    questions weigh on each page to test-artifacts/site/self-check.txt."""
    import gzip

    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: apt-get update && apt-get install -y chromium (.ci/run does this).")
    from playwright.sync_api import sync_playwright

    server, problems, weights, judged = Server(site), [], [], {"choice": 0, "number": 0}
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="dark")

            def route(r, request):
                if request.url.startswith(server.url):
                    return r.continue_()
                problems.append(f"request to another host: {request.url}")
                r.abort("blockedbyclient")

            context.route("**/*", route)
            tab = context.new_page()
            tab.on("pageerror", lambda e: problems.append(f"page error: {e}"))
            tab.on("console", lambda m: problems.append(f"console error: {m.text}") if m.type == "error" else None)
            for chapter in toc_chapters():
                name = f"book/chapters/{chapter}.html"
                raw = (site / name).read_text()
                start = raw.find('<div class="selfcheck')
                end = raw.find("</script></div>", start) + len("</script></div>")
                if start >= 0:
                    quiz = raw[start:end].encode()
                    weights.append(f"{chapter}: {len(quiz)} bytes ({len(gzip.compress(quiz))} gzipped) of a "
                                   f"{len(raw.encode())}-byte page")
                tab.goto(server.url + name, wait_until="load")
                forms = tab.locator("form.selfcheck-question")
                if not 3 <= forms.count() <= 5:
                    problems.append(f"{name}: {forms.count()} self-check questions, expected 3 to 5")
                    continue
                if tab.locator(".selfcheck-stale").count():
                    problems.append(f"{name}: the questions' script did not run")
                if "self_check(" in tab.inner_text("main"):
                    problems.append(f"{name}: the code of the questions shows")
                choice = tab.locator("form.selfcheck-question:has(input[type=radio])").first
                if choice.count():
                    judged["choice"] += 1
                    feedback = choice.locator(".selfcheck-feedback")
                    choice.locator("label:has(input:not([data-right]))").first.click()
                    wrong = feedback.inner_text()
                    choice.locator("label:has(input[data-right])").click()
                    right = feedback.inner_text()
                    why = choice.evaluate("form => { const d = document.createElement('div'); "
                                          "d.innerHTML = form.getAttribute('data-why'); return d.textContent; }")
                    if not wrong.startswith("✗ Not quite") or right != f"✓ Right. {why}":
                        problems.append(f"{name}: a choice was judged {wrong!r}, then {right!r}")
                number = tab.locator("form.selfcheck-question[data-answer]").first
                if number.count():
                    judged["number"] += 1
                    answer = float(number.get_attribute("data-answer"))
                    tolerance = float(number.get_attribute("data-tolerance"))
                    feedback = number.locator(".selfcheck-feedback")
                    field = number.locator("input[type=text]")
                    field.focus()  # then the keyboard alone: type, Enter; Tab to the button, Enter
                    tab.keyboard.type(repr(answer + 10 * tolerance + 1))
                    tab.keyboard.press("Enter")
                    wrong = feedback.inner_text()
                    field.fill("")
                    field.focus()
                    tab.keyboard.type(repr(answer))
                    tab.keyboard.press("Tab")
                    tab.keyboard.press("Enter")
                    right = feedback.inner_text()
                    if not wrong.startswith("✗ Not quite") or not right.startswith("✓ Right."):
                        problems.append(f"{name}: a number was judged {wrong!r}, then {right!r}")
                colours = tab.evaluate("""() => {
                    const legend = document.querySelector('.selfcheck legend'), text = document.querySelector('main p');
                    const field = document.querySelector('.selfcheck input[type=text], .selfcheck label');
                    return [getComputedStyle(legend).color, getComputedStyle(text).color,
                            getComputedStyle(field).backgroundColor];
                }""")
                if colours[0] != colours[1] or colours[2] not in ("rgba(0, 0, 0, 0)", "transparent"):
                    problems.append(f"{name}: in dark mode the questions' text is {colours[0]} on the page's "
                                    f"{colours[1]}, their fields' background {colours[2]}")
            browser.close()
    finally:
        server.close()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "self-check.txt").write_text("\n".join(weights) + "\n")
    assert judged["choice"] and judged["number"], f"no question of some kind was tried: {judged}"
    assert not problems, "\n".join(problems[:40])
