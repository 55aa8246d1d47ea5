"""The chapters' web pages: ``book/chapters/<chapter>.ipynb``, built by ``make book``.

A page is the chapter's source notebook executed (so its figures come from the solution), then stripped with
nbgrader's own preprocessors exactly as the student notebook is: solutions replaced by stubs, hidden tests
removed. The outputs of exercise and test cells are dropped too, since they were produced by the solution.
Explorers draw a single picture (``RNN_COURSE_STATIC=1``). A page is rebuilt only when its source changed.
"""

import hashlib
import os
from pathlib import Path

import nbformat

from .course import REPO, SOLUTIONS, check_chapters, tool_env

PAGES = REPO / "book" / "chapters"


def fingerprint(chapter):
    """What a page depends on: its source notebook, the data beside it, and this builder."""
    digest = hashlib.sha256()
    for path in sorted((SOLUTIONS / chapter).rglob("*")) + [Path(__file__)]:
        if path.is_file() and ".ipynb_checkpoints" not in path.parts:
            digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


def strip(nb):
    """Turn an executed source notebook into what a learner may see."""
    from nbgrader.preprocessors import ClearHiddenTests, ClearSolutions

    resources = {}
    nb, resources = ClearSolutions(
        code_stub={"python": "# YOUR CODE HERE\nraise NotImplementedError()"}, text_stub="YOUR ANSWER HERE"
    ).preprocess(nb, resources)
    nb, resources = ClearHiddenTests().preprocess(nb, resources)
    for cell in nb.cells:
        meta = cell.metadata.pop("nbgrader", {})
        if cell.cell_type == "code" and (meta.get("solution") or meta.get("grade")):
            cell.outputs = []
            cell.execution_count = None
        if meta.get("grade_id") == "setup":
            cell.metadata.setdefault("tags", []).append("hide-input")
    return nb


def build_page(chapter, force=False):
    """Execute and strip one chapter into ``book/chapters/<chapter>.ipynb``; skip if up to date."""
    from nbclient import NotebookClient

    target = PAGES / f"{chapter}.ipynb"
    key = fingerprint(chapter)
    if not force and target.exists():
        if nbformat.read(str(target), as_version=4).metadata.get("rnn_course", {}).get("source") == key:
            return target
    nb = nbformat.read(str(SOLUTIONS / chapter / f"{chapter}.ipynb"), as_version=4)
    env = tool_env()
    env["RNN_COURSE_STATIC"] = "1"
    saved = dict(os.environ)
    os.environ.update(env)  # the kernel inherits this process's environment
    try:
        NotebookClient(nb, timeout=600, kernel_name="python3",
                       resources={"metadata": {"path": str(SOLUTIONS / chapter)}}).execute()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    nb = strip(nb)
    nb.metadata["rnn_course"] = {"source": key}
    PAGES.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(target))
    return target


def build_pages(names=(), force=False):
    """Build the pages of ``names`` (all chapters if empty)."""
    return [build_page(name, force) for name in check_chapters(names)]
