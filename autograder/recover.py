"""Submissions whose editor dropped nbgrader's cell metadata: their cells are recognised, not lost.

Google Colab (which the website's launch links offer), some other editors, and a learner who copies their
cells into a new notebook all hand in a notebook whose cells no longer say which exercise, test or written
answer they are. nbgrader cannot grade such a notebook, and the learner's correct work would score 0.

:func:`recover_metadata` gives those cells their metadata back. It aligns the submission with the student
notebook as released, cell by cell (``difflib`` on each cell's type and text): what the learner could not
or did not change (the narrative, the read-only and test cells, an untouched exercise) matches exactly, and
an exercise the learner wrote is found in the stretch of cells that stands where its stub stood: the code
cell that defines the exercise's function (or the first code cell there), the markdown cell in place of a
written answer; a read-only or test cell there only in a cell that is nearly its copy (grading restores
such cells from the source, so a learner's own cell must not be mistaken for one). Only cells without
nbgrader metadata are given any, and only grade ids the submission lacks.
"""

import ast
import difflib


def _grade_id(cell):
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def _key(cell):
    return cell.cell_type, " ".join(cell.source.split())


def _functions(source):
    """The names of the functions a cell defines at its top level."""
    try:
        return {node.name for node in ast.parse(source).body if isinstance(node, ast.FunctionDef)}
    except SyntaxError:  # a learner's unfinished cell: fall back to reading its def lines
        return {line.split("(")[0][4:].strip() for line in source.splitlines() if line.startswith("def ")}


def _similar(a, b):
    """Is ``b`` the cell ``a`` with small edits? (A learner's own cell never takes a locked cell's place.)"""
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() >= 0.8


def recover_metadata(nb, released):
    """Give the cells of ``nb`` that lost their nbgrader metadata that of the released cell they stand for.

    ``released`` is the student notebook as handed out. Changes ``nb`` in place; returns the grade ids
    recovered (empty when nothing was missing).
    """
    present = {_grade_id(cell) for cell in nb.cells} - {None}
    missing = {i for i, cell in enumerate(released.cells) if _grade_id(cell) and _grade_id(cell) not in present}
    if not missing:
        return []
    free = {j for j, cell in enumerate(nb.cells) if "nbgrader" not in cell.get("metadata", {})}
    recovered = []

    def give(i, j):
        nb.cells[j].setdefault("metadata", {})["nbgrader"] = dict(released.cells[i].metadata["nbgrader"])
        free.discard(j)
        recovered.append(_grade_id(released.cells[i]))

    matcher = difflib.SequenceMatcher(None, [_key(c) for c in released.cells], [_key(c) for c in nb.cells],
                                      autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for i, j in zip(range(i1, i2), range(j1, j2)):
                if i in missing and j in free:
                    give(i, j)
            continue
        for i in range(i1, i2):  # released cells i1..i2 stand where the learner's cells j1..j2 are
            if i not in missing:
                continue
            cell = released.cells[i]
            candidates = [j for j in range(j1, j2) if j in free and nb.cells[j].cell_type == cell.cell_type]
            if not cell.metadata["nbgrader"].get("solution"):  # a read-only or test cell, edited a little
                candidates = [j for j in candidates if _similar(cell.source, nb.cells[j].source)]
            elif cell.cell_type == "code":  # an exercise: the cell that defines its function, if there is one
                names = _functions(cell.source)
                candidates = [j for j in candidates if names & _functions(nb.cells[j].source)] or candidates
            if candidates:
                give(i, candidates[0])
    return recovered
