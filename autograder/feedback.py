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
