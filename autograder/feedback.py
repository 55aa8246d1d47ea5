"""What a learner's feedback shows: their code and outputs and every check's message, never hidden tests, and
nothing that runs.

nbgrader's ``ClearHiddenTests`` (configured in nbgrader_config.py) removes the hidden tests' source from the
feedback. Their tracebacks would still quote it, so :class:`HideTestTracebacks` cuts the traceback of every
error in a test cell down to the error's name and message, which is what the tests write for the learner.

The page is opened in a browser, by the learner and by the instructor, and a learner writes much of it: the
markdown of written answers (raw HTML included), cells they add, what their code prints and the messages of
its errors. :class:`SafeFeedbackExporter` renders the course's feedback template (``templates/``, nbgrader's
rewritten where it misled) with every piece of markdown and HTML cleaned after rendering
(:func:`autograder.untrusted.clean_html`), outputs reduced to the kinds that cannot run, and a
Content-Security-Policy in the page as a second layer.

The page is one file that works offline (it is mailed, or put on an LMS): MathJax is inside it. Its header
counts points as grades.csv does (:class:`GetScores`, ``scores.py``).
"""

import functools
import re
from pathlib import Path

import nbgrader
from jinja2 import pass_context
from nbconvert.exporters import HTMLExporter
from nbconvert.preprocessors import Preprocessor
from nbgrader.preprocessors import GetGrades
from traitlets import Bool
from traitlets.config import Config

from . import exercises
from .scores import max_automatic_score, totals, waits_for_grader
from .untrusted import IMAGE_DATA, clean_html, content_security_policy, csp_meta


class HideTestTracebacks(Preprocessor):
    """Keep only ``Name: message`` of the errors in test cells (their tracebacks quote the test's source)."""

    enabled = Bool(True)  # nbconvert's preprocessors are off unless enabled

    def preprocess_cell(self, cell, resources, index):
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade") and cell.cell_type == "code":
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    message = f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"
                    output["traceback"] = [message]
        return cell, resources


class GetScores(GetGrades):
    """nbgrader's GetGrades (each graded cell's score and points, the graders' comments) with the totals
    counted as grades.csv counts them (scores.py) and every written answer no person has graded yet marked
    ``waiting``. nbgrader's own total adds the written points to the automatic ones, and shows an answer
    nobody has graded as 0."""

    def preprocess(self, nb, resources):
        self.grades = []
        nb, resources = super().preprocess(nb, resources)
        chapter = resources["nbgrader"]["assignment"]
        resources["nbgrader"]["totals"] = dict(totals(self.grades), max_score=max_automatic_score(chapter))
        resources["nbgrader"]["exercises"] = exercises.report(nb, self.grades, chapter)
        return nb, resources

    def _get_score(self, cell, resources):
        grade = self.gradebook.find_grade(cell.metadata["nbgrader"]["grade_id"], self.notebook_id,
                                          self.assignment_id, self.student_id)
        cell.metadata.nbgrader.update(score=grade.score, points=grade.max_score, waiting=waits_for_grader(grade))
        self.grades.append(exercises.Record.of(grade))  # read now: the gradebook's session ends with this cell


class FoldCourseCells(Preprocessor):
    """Fold what the course gave (setup, helpers, plots, the text between exercises) so that the page shows the
    exercises and the learner's own work: each run of cells that are not an exercise, a test, the text just
    above an exercise, or a cell the learner added or changed becomes one folded block (``metadata.fold``:
    ``open`` on its first cell, ``close`` on its last)."""

    enabled = Bool(True)

    def preprocess(self, nb, resources):
        given = course_cells(resources["nbgrader"]["assignment"])

        def shown(index):
            meta = nb.cells[index].metadata.get("nbgrader", {})
            if meta.get("solution") or meta.get("grade") or exercises.normalized(nb.cells[index].source) not in given:
                return True
            following = nb.cells[index + 1].metadata.get("nbgrader", {}) if index + 1 < len(nb.cells) else {}
            return nb.cells[index].cell_type == "markdown" and bool(following.get("solution"))

        folded = [not shown(i) for i in range(len(nb.cells))]
        for index, cell in enumerate(nb.cells):
            cell.metadata.pop("fold", None), cell.metadata.pop("fold_size", None)  # only this preprocessor's count
            if folded[index]:
                start = index == 0 or not folded[index - 1]
                end = index == len(nb.cells) - 1 or not folded[index + 1]
                cell.metadata["fold"] = " ".join(word for word, on in (("open", start), ("close", end)) if on)
                if start:
                    count = next((j for j in range(index, len(nb.cells)) if not folded[j]), len(nb.cells)) - index
                    cell.metadata["fold_size"] = count
        return nb, resources


@functools.cache
def course_cells(chapter):
    """The text of every cell of the chapter's source notebook, as the student notebook has it too (its diagrams
    as attachments): a cell of a learner's notebook not among them is the learner's own."""
    from .release import DIAGRAM
    from .scores import source_notebook

    texts = set()
    for cell in source_notebook(chapter).cells:
        texts |= {exercises.normalized(cell.source), exercises.normalized(DIAGRAM.sub(r"](attachment:\1)", cell.source))}
    return frozenset(texts)


SAFE_OUTPUT_TYPES = {"text/plain", "text/html", "text/markdown", "text/latex", "image/png", "image/jpeg"}
BASE64 = re.compile(r"[A-Za-z0-9+/=\s]*")


class SanitizeOutputs(Preprocessor):
    """Outputs, attachments and raw cells reduced to what cannot run: display outputs keep plain text,
    cleaned HTML and markdown, LaTeX (shown as text for MathJax) and PNG and JPEG images; JavaScript, SVG,
    widgets and file references go. Stream and error outputs are text, which the template escapes."""

    enabled = Bool(True)

    def preprocess(self, nb, resources):
        nb.metadata.pop("widgets", None)  # the widgets' state and the scripts that would render it
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "raw":
            cell.source = clean_html(cell.source)
        if "attachments" in cell:
            cell["attachments"] = {
                name: {mime: data for mime, data in bundle.items()
                       if isinstance(data, str) and IMAGE_DATA.fullmatch(f"data:{mime};base64,{data}")}
                for name, bundle in (cell.get("attachments") or {}).items() if isinstance(bundle, dict)}
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if output.get("output_type") not in ("display_data", "execute_result"):
                continue
            data = output.get("data", {})
            for mime in list(data):
                value = data[mime]
                if mime not in SAFE_OUTPUT_TYPES or not isinstance(value, str) or (
                        mime.startswith("image/") and not BASE64.fullmatch(value)):
                    del data[mime]
                elif mime == "text/html":
                    data[mime] = clean_html(value)
            output["metadata"] = {mime: {k: v for k, v in meta.items() if k in ("width", "height")}
                                  for mime, meta in output.get("metadata", {}).items()
                                  if mime in ("image/png", "image/jpeg") and isinstance(meta, dict)}
        return cell, resources


# MathJax 3 (the site's own copy, from the django-static-mathjax package) goes inside the page: the page is one
# file, mailed or put on an LMS, and read offline. The full TeX input (every extension, so nothing is fetched
# later) with SVG output (no font files), and MathJax's "safe" extension, which keeps a learner's \href,
# \style, \class or \mmlToken from adding a javascript: link, an id or a style that could cover the scores.
# The settings are a plain window.MathJax object (MathJax 3 runs no configuration with eval); MathJax starts
# when the page is parsed, so that the safe extension, a later script, has registered itself. \require and
# autoloading are off: they would fetch a file. The policy allows these scripts, and no other, by their hash.
MATHJAX_CONFIG = r"""window.MathJax = {
  tex: {inlineMath: [["$", "$"], ["\\(", "\\)"]], displayMath: [["$$", "$$"], ["\\[", "\\]"]],
        processEscapes: true, processEnvironments: true, tags: "ams",
        packages: {"[-]": ["require", "autoload"]}},
  options: {enableMenu: false},
  startup: {ready: function () {
    document.addEventListener("DOMContentLoaded", function () { MathJax.startup.defaultReady(); });
  }}
};"""
MATHJAX_FILES = ("tex-svg-full.js", "ui/safe.js")
# nbgrader's copy of Bootstrap 3, whose panels the page uses, as nbgrader's pages do; its @font-face (icons the
# page does not use) would name font files next to the page, which the policy refuses and the console reports.
BOOTSTRAP_CSS = Path(nbgrader.__file__).parent / "server_extensions" / "formgrader" / "static" / "node_modules" / (
    "bootstrap/dist/css/bootstrap.min.css")
FONT_FACE = re.compile(r"@font-face\s*\{[^}]*\}")


@functools.cache
def page_assets():
    """What every page holds: its scripts (MathJax's settings, MathJax, its safe extension), Bootstrap's
    styles, and the Content-Security-Policy that allows exactly these scripts. Read once per process (2.4 MB)."""
    import mathjax

    folder = Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"
    scripts = (MATHJAX_CONFIG, *((folder / name).read_text(encoding="utf-8") for name in MATHJAX_FILES))
    if any("<script" in script.lower() or "</script" in script.lower() for script in scripts):
        raise RuntimeError("a MathJax file would end its <script> element early")  # (HTML parses it so)
    styles = FONT_FACE.sub("", BOOTSTRAP_CSS.read_text(encoding="utf-8"))
    return {"scripts": scripts, "styles": styles, "policy": content_security_policy(*scripts)}


class _Attachments(dict):
    """A cell's attachments, in which a name the cell refers to but does not have is an empty one (nbconvert
    would raise, and a learner's broken image would stop the page)."""

    def __contains__(self, name):
        return True

    def __missing__(self, name):
        return {"text/plain": ""}  # becomes an <img> without a source, which the sanitiser drops


class _Context:
    def __init__(self, context):
        self.context = context

    def get(self, key, default=None):
        value = self.context.get(key, default)
        if key == "cell" and value is not None:
            value = dict(value, attachments=_Attachments(value.get("attachments") or {}))
        return value


class SafeFeedbackExporter(HTMLExporter):
    """The course's feedback page (``templates/course_feedback``), with every piece of markdown and HTML
    cleaned after it is rendered, local images never read into the page, MathJax inside the page, and a
    Content-Security-Policy. The template is fixed here, not configured: nbgrader's ``generate_feedback``
    would otherwise choose its own."""

    def __init__(self, config=None, **kwargs):
        config = Config(config or {})
        config.merge(Config({type(self).__name__: {  # over any HTMLExporter settings
            "template_name": "course_feedback", "extra_template_basedirs": [str(Path(__file__).parent / "templates")]}}))
        super().__init__(config=config, **kwargs)
        self.sanitize_html = True  # the template drops JavaScript and widget outputs, and passes HTML
        self.embed_images = False  # through clean_html; never read files a learner's markdown names

    def default_filters(self):
        yield from super().default_filters()
        yield ("clean_html", clean_html)
        yield ("points", points)

    @pass_context
    def markdown2html(self, context, source):
        # the template renders markdown cells and comments without nbconvert's clean_html step
        return clean_html(super().markdown2html(_Context(context), source))

    def from_notebook_node(self, nb, resources=None, **kw):
        assets = page_assets()
        body, resources = super().from_notebook_node(nb, dict(resources or {}, page=assets), **kw)
        return with_policy(body, assets["policy"]), resources


def points(value):
    """Points as a person writes them: ``8``, ``1.5``, ``0.33``."""
    return f"{round(float(value or 0), 2):g}"


def with_policy(page, policy):
    """The page with a Content-Security-Policy <meta> first in its <head>, before any script or style."""
    meta = csp_meta(policy)
    head = re.search(r"<head[^>]*>", page, re.I)
    if head is None:
        return meta + page
    return page[:head.end()] + meta + page[head.end():]


_EXPORTER = {}


def _exporter():
    """The feedback exporter with its preprocessors (the scores, hidden tests and test tracebacks removed,
    outputs sanitized); made once per process, since loading the templates costs more than rendering."""
    if "html" not in _EXPORTER:
        from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
        from nbgrader.preprocessors import ClearHiddenTests

        config = Config()
        config.Exporter.default_preprocessors = []
        exporter = SafeFeedbackExporter(config=config)
        for preprocessor in (GetScores, CSSHTMLHeaderPreprocessor, ClearHiddenTests, HideTestTracebacks,
                             SanitizeOutputs, FoldCourseCells):
            exporter.register_preprocessor(preprocessor, enabled=True)
        _EXPORTER["html"] = exporter
    return _EXPORTER["html"]


def write_feedback(nb, target, student, chapter, db_url):
    """Write the feedback page of one autograded notebook to ``target``, as nbgrader's generate_feedback
    would (same template, grades from the gradebook), without hidden tests and with nothing that runs."""
    import copy
    import html

    resources = {"nbgrader": {"notebook": chapter, "assignment": chapter, "student": student, "db_url": db_url},
                 "metadata": {"name": chapter}}
    try:
        body, _ = _exporter().from_notebook_node(copy.deepcopy(nb), resources=resources)
    except Exception as exc:  # a notebook nbconvert cannot render costs its author the page, not the batch
        body = with_policy(
            f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(chapter)}</title>'
            f"</head><body><h1>{html.escape(chapter)}</h1><p>This feedback page could not be made "
            f"({html.escape(type(exc).__name__)}: {html.escape(str(exc)[:300])}). Your grade is in the "
            "gradebook; ask your instructor for the details.</p></body></html>", page_assets()["policy"])
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    partial.write_text(body, encoding="utf-8")  # as the page's <meta charset> says
    partial.replace(target)
