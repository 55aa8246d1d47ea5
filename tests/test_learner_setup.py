"""The learner's own computer: the student notebooks work with the oldest packages the course says will do.

book/requirements-learner.txt gives each package a lower bound (`numpy>=1.26`). A learner may have exactly
that version, so this test installs the lowest release series each bound allows (`numpy~=1.26.0`) into a
fresh virtual environment, from the package registry, and runs every student notebook there, in a kernel of
that environment, without the course's code: each must stop only at its exercises (NotImplementedError, which
the tests report as "... is not written yet").
It takes a few minutes, most of it pip.
"""

import json
import os
import subprocess
import sys
import textwrap

import pytest
from packaging.requirements import Requirement

from autograder.course import REPO

LEARNER_REQUIREMENTS = REPO / "book" / "requirements-learner.txt"
# What running a notebook needs besides the learner's packages (JupyterLab, the learner's editor, is not).
RUNNER = ["ipykernel", "nbclient", "nbformat"]

RUN_NOTEBOOKS = textwrap.dedent("""
    import json, sys
    from pathlib import Path
    import nbformat
    from nbclient import NotebookClient

    results = {}
    for path in map(Path, sys.argv[1:]):
        nb = nbformat.read(str(path), as_version=4)
        NotebookClient(nb, timeout=900, kernel_name="python3", allow_errors=True,
                       resources={"metadata": {"path": str(path.parent)}}).execute()
        results[path.stem] = [f"{o.ename}: {o.evalue}"[:300] for c in nb.cells if c.cell_type == "code"
                              for o in c.get("outputs", []) if o.output_type == "error"]
    print(json.dumps(results))
""")


def oldest_allowed():
    """`name~=X.Y.0` for every `name>=X.Y` of the learner's requirements (the lowest series they allow)."""
    pins = []
    for line in LEARNER_REQUIREMENTS.read_text().splitlines():
        line = line.split("#")[0].strip()
        if not line:
            continue
        requirement = Requirement(line)
        lower = [spec.version for spec in requirement.specifier if spec.operator == ">="]
        assert lower, f"{requirement.name} in {LEARNER_REQUIREMENTS.name} has no lower bound (name>=X.Y)"
        if requirement.name != "jupyterlab":
            pins.append(f"{requirement.name}~={'.'.join((lower[0].split('.') + ['0'])[:2])}.0")
    return pins


def test_the_oldest_packages_allowed_run_every_student_notebook(released, tmp_path):
    venv = tmp_path / "learner"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    pins = oldest_allowed()
    pip = subprocess.run([str(python), "-m", "pip", "install", "--quiet", *pins, *RUNNER],
                         capture_output=True, text=True)
    assert pip.returncode == 0, f"pip install {' '.join(pins)} failed:\n{pip.stderr[-3000:]}"

    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update(MPLBACKEND="Agg", PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}")
    run = subprocess.run([str(python), "-c", RUN_NOTEBOOKS, *map(str, released.values())], capture_output=True,
                         text=True, env=env, cwd=tmp_path, timeout=3600)
    assert run.returncode == 0, run.stderr[-3000:]
    results = json.loads(run.stdout.strip().splitlines()[-1])
    assert set(results) == set(released)
    for chapter, errors in results.items():
        assert errors, f"{chapter} ran without stopping at any exercise with {pins}"
        unexpected = [e for e in errors if not e.startswith("NotImplementedError")  # a figure calling a stub
                      and not (e.startswith("AssertionError") and "is not written yet" in e)]  # a test saying so
        assert not unexpected, f"{chapter} fails with {pins}: {unexpected}"


@pytest.mark.parametrize("line, pin", [("numpy>=1.26,<3", "numpy~=1.26.0"), ("tqdm>=4.66,<5", "tqdm~=4.66.0"),
                                       ("matplotlib>=3.9", "matplotlib~=3.9.0"), ("ipywidgets>=8", "ipywidgets~=8.0.0")])
def test_oldest_allowed_reads_the_lower_bounds(tmp_path, monkeypatch, line, pin):
    requirements = tmp_path / "requirements.txt"
    requirements.write_text(f"# a comment\n{line}\njupyterlab>=4,<5\n")
    monkeypatch.setattr(sys.modules[__name__], "LEARNER_REQUIREMENTS", requirements)
    assert oldest_allowed() == [pin]
