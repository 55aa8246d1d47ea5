"""The student notebooks: ``release/<chapter>/<chapter>.ipynb``, made by nbgrader's generate_assignment.

nbgrader replaces the code between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` with a stub, removes the
hidden tests, clears outputs and locks the read-only cells. Its gradebook is thrown away: grading builds its
own (see grade.py). Next to the chapters goes ``requirements.txt``, the learners' packages
(book/requirements-learner.txt), so that the folder can be published as it is, e.g. for Binder.
"""

import shutil
import tempfile

from .checking import stale
from .course import REPO, RELEASE, SOLUTIONS, CourseError, check_chapters, nbgrader, write_config

LEARNER_REQUIREMENTS = REPO / "book" / "requirements-learner.txt"


def release(names=(), out=RELEASE):
    """Write the student version of the chapters ``names`` (all if empty) under ``out``."""
    names = check_chapters(names)
    outdated = stale(names)
    if outdated:
        raise CourseError(f"the checking helpers in the setup cell of {', '.join(outdated)} differ from "
                          "solutions/checking.py: run `python -m autograder helpers` (make book does), then commit")
    with tempfile.TemporaryDirectory(prefix="rnn-release-") as tmp:
        root = write_config(tmp, source=str(SOLUTIONS), release=str(out))
        for name in names:
            if (out / name).exists():
                shutil.rmtree(out / name)
            nbgrader(root, "generate_assignment", name, "--force", "--create")
    shutil.copyfile(LEARNER_REQUIREMENTS, out / "requirements.txt")
    return [out / name / f"{name}.ipynb" for name in names]
