"""Grading a notebook without running the learner's code in the kernel that judges it.

:func:`for_grading` turns a sanitized submission into the notebook the kernel executes: a first cell starts
the sandbox (``sandbox.py``) with the learner's exercise cells and the setup and read-only cells they rely
on, and each exercise cell becomes a line that binds the stand-ins of what it defined. :func:`after_grading`
puts the learner's own code back into the executed notebook (with what it printed), and applies what the
sandbox reported: a rule broken or a reference imported costs that exercise's tests their points, and the
notebook's status says why.
"""

import ast
import json

from .course import REPO

BOOT_ID = "autograder-sandbox"
REFERENCE = "rnn_ref"

POLICY = {
    "reference": "imports the reference implementation",
    "instructor-files": "reads the instructor's files",
    "outside-folder": "writes outside its own folder",
    "process": "starts other processes",
    "forbidden": "uses a forbidden feature",
}


def nbgrader_meta(cell):
    return cell.get("metadata", {}).get("nbgrader", {})


def is_exercise(cell):
    meta = nbgrader_meta(cell)
    return cell.cell_type == "code" and meta.get("solution")


def is_test(cell):
    meta = nbgrader_meta(cell)
    return cell.cell_type == "code" and meta.get("grade") and not meta.get("solution")


def mentions_reference(source):
    """Does this code import or name the reference package (``rnn_ref``)?"""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return REFERENCE in source
    for node in ast.walk(tree):
        if isinstance(node, ast.Import) and any(a.name.split(".")[0] == REFERENCE for a in node.names):
            return True
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == REFERENCE:
            return True
        if isinstance(node, ast.Name) and node.id == REFERENCE:
            return True
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and REFERENCE in node.value:
            return True
    return False


def for_grading(nb, sandbox_folder, protected, report, call_timeout):
    """The notebook the kernel runs, and the learner's exercise sources to put back afterwards."""
    cells, originals = [], {}
    for cell in nb.cells:
        if cell.cell_type != "code" or is_test(cell):
            continue
        cell_id = nbgrader_meta(cell).get("grade_id") or f"cell-{len(cells)}"
        cells.append((cell_id, cell.source))
    boot = (
        "# Grading: the exercise cells run in a sandbox process (autograder/sandbox.py).\n"
        f"import sys\nsys.path.insert(0, {str(REPO)!r})\n"
        "from autograder.sandbox import Sandbox\n"
        f"__sandbox__ = Sandbox({json.dumps(cells)}, {str(sandbox_folder)!r}, protected={list(map(str, protected))!r}, "
        f"call_timeout={call_timeout!r}, report={str(report)!r})\n"
    )
    from nbformat.v4 import new_code_cell

    first = new_code_cell(boot, metadata={"autograder": BOOT_ID})
    for cell in nb.cells:
        if is_exercise(cell):
            cell_id = nbgrader_meta(cell)["grade_id"]
            originals[cell_id] = cell.source
            cell.source = f"__sandbox__.bind(globals(), {cell_id!r})"
    nb.cells.insert(0, first)
    return nb, originals


def after_grading(nb, originals, report):
    """Restore the learner's code, apply the sandbox's report; return the notebook and a status (or None)."""
    boot = [c for c in nb.cells if c.get("metadata", {}).get("autograder") == BOOT_ID]
    boot_error = next((o for c in boot for o in c.get("outputs", []) if o.get("output_type") == "error"), None)
    nb.cells = [c for c in nb.cells if c.get("metadata", {}).get("autograder") != BOOT_ID]
    try:
        with open(report) as f:
            data = json.load(f)
    except (OSError, ValueError):
        data = {"events": [], "defined": {}}
    owner = {}  # function name -> exercise cell that defined it
    for cell_id, names in data.get("defined", {}).items():
        for name in names:
            owner[name] = cell_id

    flagged = {}  # exercise -> reason
    for cell in nb.cells:
        if is_exercise(cell):
            cell_id = nbgrader_meta(cell)["grade_id"]
            cell.source = originals.get(cell_id, cell.source)
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    output["ename"] = output["evalue"].split(":")[0] if ":" in output["evalue"] else output["ename"]
                    output["evalue"] = output["evalue"].split(": ", 1)[-1]
                    output["traceback"] = [f"{output['ename']}: {output['evalue']}"]
            if mentions_reference(cell.source):
                flagged[cell_id] = POLICY["reference"]

    exercises = {nbgrader_meta(c)["grade_id"] for c in nb.cells if is_exercise(c)}
    status = None
    for event in data.get("events", []):
        where = owner.get(event["where"], event["where"])
        if event["kind"] in POLICY and where in exercises:
            flagged.setdefault(where, POLICY[event["kind"]])
        elif event["kind"] in POLICY and status is None:
            status = f"refused in {where}: your code {event['detail']}"
        elif status is None:
            status = f"{event['kind']} in {where}: your code {event['detail']}"
    if boot_error is not None and status is None:
        status = f"sandbox failed to start: {boot_error.get('evalue', '')}"

    current = None
    for cell in nb.cells:
        if is_exercise(cell):
            current = nbgrader_meta(cell)["grade_id"]
        elif is_test(cell) and current in flagged:
            cell.setdefault("outputs", []).append({
                "output_type": "error", "ename": "GradingPolicyError",
                "evalue": f"0 points: the code of {current} {flagged[current]}",
                "traceback": [f"GradingPolicyError: 0 points: the code of {current} {flagged[current]}"],
            })
    if flagged:
        flags = "; ".join(f"{name} {reason}" for name, reason in sorted(flagged.items()))
        status = f"flagged: {flags}" + (f"; {status}" if status else "")
    return nb, status


def sandbox_protected(course, submissions=None):
    """The folders the learner's code may not read: the repository (the reference, the solutions), the
    grading folder (the gradebook, other students' work) and the submissions."""
    return [p for p in (REPO, course, submissions) if p]

