"""What a learner's feedback shows: their code and outputs and every check's message, never hidden tests.

nbgrader's ``ClearHiddenTests`` (configured in nbgrader_config.py) removes the hidden tests' source from the
feedback. Their tracebacks would still quote it, so :class:`HideTestTracebacks` cuts the traceback of every
error in a test cell down to the error's name and message, which is what the tests write for the learner.
"""

from nbconvert.preprocessors import Preprocessor
from traitlets import Bool


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


_EXPORTER = {}


def _exporter():
    """nbgrader's feedback page (its own template) with hidden tests and test tracebacks removed; made once
    per process, since loading the templates costs more than rendering a notebook."""
    if "html" not in _EXPORTER:
        import os

        import nbgrader
        from nbconvert.exporters import HTMLExporter
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
        exporter = HTMLExporter(config=config)
        for preprocessor in (GetGrades, CSSHTMLHeaderPreprocessor, ClearHiddenTests, HideTestTracebacks):
            exporter.register_preprocessor(preprocessor, enabled=True)
        _EXPORTER["html"] = exporter
    return _EXPORTER["html"]


def write_feedback(nb, target, student, chapter, db_url):
    """Write the feedback page of one autograded notebook to ``target``, as nbgrader's generate_feedback
    would (same template, grades from the gradebook), without hidden tests."""
    import copy
    from pathlib import Path

    resources = {"nbgrader": {"notebook": chapter, "assignment": chapter, "student": student, "db_url": db_url},
                 "metadata": {"name": chapter}}
    body, _ = _exporter().from_notebook_node(copy.deepcopy(nb), resources=resources)
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    partial.write_text(body)
    partial.replace(target)
