"""Where the course's parts are, and how the autograder calls nbgrader."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SOLUTIONS = REPO / "solutions"
RELEASE = REPO / "release"


class CourseError(Exception):
    """A problem the user can fix; the command line prints its message and exits with status 2."""


def chapters():
    """The chapter names, in order: every ``solutions/<chapter>/<chapter>.ipynb``."""
    return sorted(p.parent.name for p in SOLUTIONS.glob("*/*.ipynb") if p.stem == p.parent.name)


def check_chapters(names):
    """Return ``names`` (all chapters if empty), or raise CourseError naming the unknown ones."""
    known = chapters()
    unknown = [n for n in names if n not in known]
    if unknown:
        raise CourseError(f"unknown chapter(s) {', '.join(unknown)}; the chapters are: {', '.join(known)}")
    return list(names) or known


def tool_env():
    """The environment for nbgrader and kernels: this venv's bin/ on PATH (nbgrader runs ``alembic``
    from PATH) and the repository on PYTHONPATH (the config imports ``autograder``)."""
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env["PYTHONPATH"] = os.pathsep.join(p for p in [str(REPO), env.get("PYTHONPATH", "")] if p)
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    env.setdefault("OPENBLAS_NUM_THREADS", "1")  # two kernels at once on two cores: no oversubscription
    return env


def write_config(root, **settings):
    """Make ``root`` an nbgrader course folder whose ``nbgrader_config.py`` calls our ``configure``."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    args = ", ".join(f"{k}={v!r}" for k, v in {"root": str(root), **settings}.items())
    (root / "nbgrader_config.py").write_text(
        "# Written by the course's autograder; the settings are in autograder/nbgrader_config.py.\n"
        f"import sys\nsys.path.insert(0, {str(REPO)!r})\n"
        "from autograder.nbgrader_config import configure\n"
        f"configure(get_config(), {args})\n"
    )
    return root


def nbgrader(root, *args, db_url=None):
    """Run ``nbgrader *args`` in the course folder ``root``; raise CourseError with its log on failure.

    ``db_url``: the gradebook's full URL, handed to nbgrader in its environment (``RNN_COURSE_DB``), never in a
    file: the course's config holds the URL without its password (see database.py)."""
    from .database import DB_ENV

    env = tool_env()
    if db_url:
        env[DB_ENV] = db_url
    exe = shutil.which("nbgrader", path=env["PATH"]) or "nbgrader"
    proc = subprocess.run([exe, *args], cwd=root, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise CourseError(f"nbgrader {' '.join(args)} failed:\n{proc.stdout}{proc.stderr}")
    return proc
