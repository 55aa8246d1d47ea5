"""The checking helpers' one source, ``solutions/checking.py``, and its copies in the chapters' setup cells.

Student notebooks must stand alone, so every chapter's setup cell holds the helpers (``check_close``,
``check_shape``, ``fresh``, ``testing``, ``explore``, the tolerances) as text. They are written once, in
``solutions/checking.py``; :func:`sync` copies that file into every source notebook (``python -m autograder
helpers``, which ``make book`` runs), and ``tests/test_chapters.py`` fails while a copy differs.
"""

import nbformat

from .course import SOLUTIONS, CourseError, chapters

HELPERS = SOLUTIONS / "checking.py"


def helpers_text():
    return HELPERS.read_text().rstrip("\n")


def _block(source):
    """(start, end) of the helpers inside a setup cell's source, or None if it holds none."""
    lines = helpers_text().splitlines()
    first, last = lines[0], lines[-1]
    start = source.find(first)
    end = source.find(last, start)
    if start < 0 or end < 0:
        return None
    return start, end + len(last)


def setup_cell(nb):
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "setup":
            return cell
    return None


def stale(names=None):
    """The chapters whose setup cell's copy of the helpers differs from solutions/checking.py."""
    result = []
    for name in names or chapters():
        cell = setup_cell(nbformat.read(str(SOLUTIONS / name / f"{name}.ipynb"), as_version=4))
        where = _block(cell.source) if cell is not None else None
        if where is None or cell.source[where[0]:where[1]] != helpers_text():
            result.append(name)
    return result


def sync(names=None):
    """Copy solutions/checking.py into every chapter's setup cell; return the chapters that changed."""
    changed = []
    for name in stale(names):
        path = SOLUTIONS / name / f"{name}.ipynb"
        nb = nbformat.read(str(path), as_version=4)
        cell = setup_cell(nb)
        where = _block(cell.source) if cell is not None else None
        if where is None:
            raise CourseError(f"{path}: the setup cell has no copy of the checking helpers to replace; paste "
                              f"{HELPERS} at its end once, then run this again")
        cell.source = cell.source[:where[0]] + helpers_text() + cell.source[where[1]:]
        nbformat.write(nb, str(path))
        changed.append(name)
    return changed
