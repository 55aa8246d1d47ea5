"""The student notebooks: ``release/<chapter>/<chapter>.ipynb``, made by nbgrader's generate_assignment.

nbgrader replaces the code between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` with a stub, removes the
hidden tests, clears outputs and locks the read-only cells. The diagrams the Markdown links to
(``diagrams/<name>.svg``, drawn by ``book/diagrams``) become attachments of their cells, so the notebook stands
alone. nbgrader's gradebook is thrown away: grading builds its own (see grade.py). Next to the chapters goes ``requirements.txt``, the learners' packages
(book/requirements-learner.txt), so that the folder can be published as it is, e.g. for Binder.
"""

import base64
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat

from .checking import stale
from .course import REPO, RELEASE, SOLUTIONS, CourseError, check_chapters, nbgrader, tool_env, write_config

LEARNER_REQUIREMENTS = REPO / "book" / "requirements-learner.txt"


DIAGRAM = re.compile(r"\]\(diagrams/([\w-]+\.svg)\)")  # ![what it shows](diagrams/<name>.svg) in a Markdown cell


def draw_diagrams(folder):
    """Draw the course's diagrams (``book/diagrams``, as SVG) into ``folder``; return it."""
    folder = Path(folder)
    proc = subprocess.run([sys.executable, "-m", "book.diagrams", str(folder)], cwd=REPO, env=tool_env(),
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise CourseError(f"drawing the diagrams (python -m book.diagrams) failed:\n{proc.stdout}{proc.stderr}")
    return folder


def attach_diagrams(nb, notebook, diagrams):
    """Make the student notebook ``nb`` (read from ``notebook``) stand alone: each diagram its Markdown links to
    becomes an attachment of the cell (shown by JupyterLab, Notebook 7, VS Code and Colab)."""
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for name in DIAGRAM.findall(cell.source):
            path = Path(diagrams) / name
            if not path.exists():
                raise CourseError(f"{notebook.name}: no diagram {name} (book/diagrams draws: "
                                  f"{', '.join(sorted(p.name for p in Path(diagrams).glob('*.svg')))})")
            cell.setdefault("attachments", {})[name] = {"image/svg+xml": base64.b64encode(path.read_bytes()).decode()}
        cell.source = DIAGRAM.sub(r"](attachment:\1)", cell.source)


def kernel_language_info():
    """The ``language_info`` a Python kernel reports when a notebook opens (ipykernel's, for this interpreter).

    A notebook whose ``language_info`` is incomplete is changed by JupyterLab and Notebook 7 as soon as the
    kernel starts, so closing it untouched asks to save. Only a learner whose Python version differs from the
    one the course was released with still sees that (the version is part of it)."""
    from ipykernel.ipkernel import IPythonKernel

    return dict(IPythonKernel.language_info)


def finish_notebook(notebook, diagrams):
    """What nbgrader does not do: attach the diagrams and give the notebook its complete ``language_info``."""
    nb = nbformat.read(str(notebook), as_version=4)
    attach_diagrams(nb, notebook, diagrams)
    nb.metadata["language_info"] = kernel_language_info()
    nbformat.write(nb, str(notebook))


def release(names=(), out=RELEASE):
    """Write the student version of the chapters ``names`` (all if empty) under ``out``."""
    names = check_chapters(names)
    outdated = stale(names)
    if outdated:
        raise CourseError(f"the checking helpers in the setup cell of {', '.join(outdated)} differ from "
                          "solutions/checking.py: run `python -m autograder helpers` (make book does), then commit")
    with tempfile.TemporaryDirectory(prefix="rnn-release-") as tmp:
        root = write_config(tmp, source=str(SOLUTIONS), release=str(out))
        diagrams = draw_diagrams(Path(tmp) / "diagrams")
        for name in names:
            if (out / name).exists():
                shutil.rmtree(out / name)
            nbgrader(root, "generate_assignment", name, "--force", "--create")
            finish_notebook(out / name / f"{name}.ipynb", diagrams)
    # the learners' packages, under the name Binder looks for, with its own name in its instructions
    (out / "requirements.txt").write_text(LEARNER_REQUIREMENTS.read_text().replace("requirements-learner.txt",
                                                                                   "requirements.txt"))
    return [out / name / f"{name}.ipynb" for name in names]
