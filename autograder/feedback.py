"""What a learner's feedback shows: their code and outputs and every check's message, never hidden tests, and
nothing that runs.

nbgrader's ``ClearHiddenTests`` (configured in nbgrader_config.py) removes the hidden tests' source from the
feedback. Their tracebacks would still quote it, so :class:`HideTestTracebacks` cuts the traceback of every
error in a test cell down to the error's name and message, which is what the tests write for the learner.

The page is opened in a browser, by the learner and by the instructor, and a learner writes much of it: the
markdown of written answers (raw HTML included), cells they add, what their code prints and the messages of
its errors. :class:`SafeFeedbackExporter` renders nbgrader's own feedback template with every piece of
markdown and HTML cleaned after rendering (:func:`autograder.untrusted.clean_html`), outputs reduced to the
kinds that cannot run, and a Content-Security-Policy in the page as a second layer.
"""

import re

from jinja2 import DictLoader, pass_context
from nbconvert.exporters import HTMLExporter
from nbconvert.preprocessors import Preprocessor
from traitlets import Bool

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


# nbgrader's feedback template loads MathJax 2 with a <script type="text/x-mathjax-config"> block, which MathJax
# runs with eval(); a policy that allowed eval would let a learner's own config block run too. The same
# settings given as window.MathJax before MathJax loads need no eval, and the policy allows this one inline
# script by its hash. (The template's `mathjax()` macro is looked up by name, so this one replaces it.)
MATHJAX_URL = "https://cdnjs.cloudflare.com/ajax/libs/mathjax/2.7.7/latest.js?config=TeX-AMS_CHTML-full,Safe"
MATHJAX_CONFIG = (
    'window.MathJax = {TeX: {equationNumbers: {autoNumber: "AMS", useLabelIds: true}}, '
    'tex2jax: {inlineMath: [["$", "$"], ["\\\\(", "\\\\)"]], displayMath: [["$$", "$$"], ["\\\\[", "\\\\]"]], '
    'processEscapes: true, processEnvironments: true}, displayAlign: "center", messageStyle: "none", '
    'CommonHTML: {linebreaks: {automatic: true}}};')
MATHJAX_MACRO = (
    f'{{%- macro mathjax(url="{MATHJAX_URL}") -%}}\n'
    f"<script>{MATHJAX_CONFIG}</script>\n"
    '<script src="{{ url }}"></script>\n'
    "{%- endmacro %}\n")
FEEDBACK_CSP = content_security_policy(MATHJAX_CONFIG)


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
    """nbconvert's HTML exporter with every piece of markdown and HTML cleaned after it is rendered, local
    images never read into the page, nbgrader's MathJax set-up without eval, and a Content-Security-Policy."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sanitize_html = True  # the template drops JavaScript and widget outputs, and passes HTML
        self.embed_images = False  # through clean_html; never read files a learner's markdown names
        self.extra_loaders = [DictLoader({"mathjax.html.j2": MATHJAX_MACRO}), *self.extra_loaders]

    def default_filters(self):
        yield from super().default_filters()
        yield ("clean_html", clean_html)

    @pass_context
    def markdown2html(self, context, source):
        # nbgrader's template renders markdown cells and comments without the template's clean_html step
        return clean_html(super().markdown2html(_Context(context), source))

    def from_notebook_node(self, nb, resources=None, **kw):
        body, resources = super().from_notebook_node(nb, resources, **kw)
        return with_policy(body, FEEDBACK_CSP), resources


def with_policy(page, policy):
    """The page with a Content-Security-Policy <meta> first in its <head>, before any script or style."""
    meta = csp_meta(policy)
    head = re.search(r"<head[^>]*>", page, re.I)
    if head is None:
        return meta + page
    return page[:head.end()] + meta + page[head.end():]


_EXPORTER = {}


def _exporter():
    """nbgrader's feedback page (its own template) with hidden tests and test tracebacks removed; made once
    per process, since loading the templates costs more than rendering a notebook."""
    if "html" not in _EXPORTER:
        import os

        import nbgrader
        from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
        from nbgrader.preprocessors import ClearHiddenTests, GetGrades
        from traitlets.config import Config

        formgrader = os.path.join(os.path.dirname(nbgrader.__file__), "server_extensions", "formgrader")
        config = Config()
        config.HTMLExporter.template_name = "feedback"
        config.HTMLExporter.extra_template_basedirs = [os.path.join(formgrader, "templates")]
        config.HTMLExporter.extra_template_paths = [
            os.path.join(formgrader, "static", "node_modules", "bootstrap", "dist", "css")]
        config.Exporter.default_preprocessors = []
        exporter = SafeFeedbackExporter(config=config)
        for preprocessor in (GetGrades, CSSHTMLHeaderPreprocessor, ClearHiddenTests, HideTestTracebacks,
                             SanitizeOutputs):
            exporter.register_preprocessor(preprocessor, enabled=True)
        _EXPORTER["html"] = exporter
    return _EXPORTER["html"]


def write_feedback(nb, target, student, chapter, db_url):
    """Write the feedback page of one autograded notebook to ``target``, as nbgrader's generate_feedback
    would (same template, grades from the gradebook), without hidden tests and with nothing that runs."""
    import copy
    import html
    from pathlib import Path

    resources = {"nbgrader": {"notebook": chapter, "assignment": chapter, "student": student, "db_url": db_url},
                 "metadata": {"name": chapter}}
    try:
        body, _ = _exporter().from_notebook_node(copy.deepcopy(nb), resources=resources)
    except Exception as exc:  # a notebook nbconvert cannot render costs its author the page, not the batch
        body = with_policy(
            f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(chapter)}</title>'
            f"</head><body><h1>{html.escape(chapter)}</h1><p>This feedback page could not be made "
            f"({html.escape(type(exc).__name__)}: {html.escape(str(exc)[:300])}). Your grade is in the "
            "gradebook; ask your instructor for the details.</p></body></html>", FEEDBACK_CSP)
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    partial.write_text(body)
    partial.replace(target)
