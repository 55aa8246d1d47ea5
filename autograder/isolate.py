"""Grading a notebook without running the learner's code in the kernel that judges it.

:func:`for_grading` turns a sanitized submission into the notebook the kernel executes: a first cell starts
the sandbox (``autograder/sandbox/``) with the learner's exercise cells and the setup and read-only cells they rely
on, and each exercise cell becomes a line that binds the stand-ins of what it defined. :func:`after_grading`
puts the learner's own code back into the executed notebook (with what it printed), and applies what the
sandbox reported: a rule broken or a reference imported costs that exercise's tests their points, and the
notebook's status says why.
"""

import ast
import json

from nbformat.v4 import new_code_cell, new_output

from .course import REPO

BOOT_ID = "autograder-sandbox"
JUDGE_ID = "autograder-judge-alone"  # the cell before each test cell that puts the reference in place
REFERENCE = "rnn_ref"

POLICY = {
    "reference": "imports the reference implementation",
    "instructor-files": "reads the instructor's files",
    "outside-folder": "writes outside its own folder",
    "process": "starts other processes",
    "forbidden": "uses a forbidden feature",
}
LABELS = {"budget": "out of time"}  # how other events (timeout, crash) name themselves in a status


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


def trusted_cells(source_nb):
    """``{grade_id: source}`` of the cells the kernel may run: the source notebook's read-only and test
    cells. A submitted cell runs in the kernel only if its id *and* its source are one of these."""
    return {nbgrader_meta(c)["grade_id"]: c.source for c in source_nb.cells
            if c.cell_type == "code" and nbgrader_meta(c).get("grade_id") and not nbgrader_meta(c).get("solution")}


DEFINITIONS = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
SHOWING = {"print", "display", "explore"}  # calls that only show something


def definitions_only(source, local_functions):
    """A read-only cell without what it draws, shows or runs: imports, functions and classes, and every other
    top-level statement (assignments, loops that build a table of hints, ...) that calls no function the
    notebook defines, draws nothing (matplotlib), shows nothing (print, display, explore) and uses no name that
    such a statement made. Grading needs no figure, and a figure that runs the learner's code would only fail
    or hang in the wrong place; the tables the tests read are built as in the learner's notebook."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return ""
    keep, dropped = [], set()  # dropped: names bound by the statements left out
    for node in tree.body:
        if isinstance(node, DEFINITIONS):
            keep.append(node)
            continue
        calls = [n.func for n in ast.walk(node) if isinstance(n, ast.Call)]
        called = {f.id for f in calls if isinstance(f, ast.Name)}
        drawing = any(isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id == "plt"
                      for f in calls)
        read = {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
        if called & (local_functions | SHOWING) or drawing or read & dropped:
            dropped |= defined_names(ast.get_source_segment(source, node))
        else:
            keep.append(node)
    return "\n".join(ast.get_source_segment(source, node) for node in keep)


def local_functions(source_nb):
    """The names of the functions the source notebook defines (the learner's and the helpers)."""
    names = set()
    for cell in source_nb.cells:
        if cell.cell_type == "code":
            try:
                names |= {n.name for n in ast.parse(cell.source).body if isinstance(n, ast.FunctionDef)}
            except SyntaxError:
                pass
    return names


HEAVY_MODULES = ("matplotlib", "ipywidgets", "IPython")  # imported in the sandbox only when used


def for_sandbox(source, local_functions):
    """A read-only cell as the sandbox runs it: its definitions (as :func:`definitions_only`), with the
    imports of plotting and widget modules made lazy, since the learner's functions seldom need them and
    importing them costs more than the rest of the sandbox's start."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return ""
    lines = []
    for node in tree.body:
        heavy = isinstance(node, (ast.Import, ast.ImportFrom)) and any(
            (getattr(node, "module", None) or alias.name).split(".")[0] in HEAVY_MODULES for alias in node.names)
        if heavy and isinstance(node, ast.Import):
            lines += [f"{a.asname or a.name.split('.')[0]} = __lazy__({(a.name if a.asname else a.name.split('.')[0])!r})"
                      for a in node.names]
        elif heavy:
            lines += [f"{a.asname or a.name} = __lazy__({node.module!r}, {a.name!r})" for a in node.names]
        else:
            lines.append(definitions_only(ast.get_source_segment(source, node), local_functions))
    return "\n".join(line for line in lines if line)


def as_python(source):
    """A learner's cell with its IPython syntax (``%magic``, ``%%magic``, ``!command``, ``name?``) written as
    the plain Python that IPython runs for it, calls of ``get_ipython()`` (which the sandbox provides). The
    body of a cell magic is translated too, since IPython would translate it when the magic runs it."""
    from IPython.core.inputtransformer2 import TransformerManager

    first, _, body = source.lstrip("\n").partition("\n")
    if first.startswith("%%"):
        name, _, line = first[2:].partition(" ")
        return f"get_ipython().run_cell_magic({name!r}, {line!r}, {as_python(body)!r})\n"
    try:
        return TransformerManager().transform_cell(source)
    except Exception:  # whatever IPython cannot read, Python will report as the cell's error
        return source


def defined_names(source):
    """Every name a cell's code binds anywhere: assignments, loops, imports, functions, classes."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
    return names


def reserved_names(source_nb):
    """The names the tests rely on, which a learner's cell may not rebind in the kernel: whatever the
    instructor's cells (setup, read-only, tests) bind, except the exercises' own functions."""
    exercises, trusted = set(), set()
    for cell in source_nb.cells:
        if cell.cell_type != "code":
            continue
        if is_exercise(cell):
            exercises |= defined_names(cell.source)
        elif nbgrader_meta(cell).get("grade_id"):
            trusted |= defined_names(cell.source)
    return trusted - exercises


def for_grading(nb, source_nb, report, cwd, **sandbox):
    """The notebook the kernel runs, and the learner's cell sources to put back afterwards.

    Test cells run in the kernel only. The source's read-only cells (setup, helpers, figures) run in the
    sandbox, for the definitions the learner's code relies on, and in the kernel. Every other code cell
    (the exercises, and any cell the learner added or changed) runs in the sandbox only; the kernel gets a
    line binding the stand-ins of what it defined. Before each test cell, a line has the exercise it tests
    judged alone (:meth:`autograder.sandbox.Sandbox.judge_alone`): the exercises above it are the reference's.
    ``sandbox``: the keyword arguments of :class:`autograder.sandbox.Sandbox` (files, call_timeout, budget,
    isolated, protected).
    """
    trusted = trusted_cells(source_nb)
    defined_here = local_functions(source_nb)
    tests = tested_exercise(source_nb)
    order = [nbgrader_meta(c)["grade_id"] for c in source_nb.cells if is_exercise(c) and nbgrader_meta(c).get("grade_id")]
    cells, originals, judges = [], {}, []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        gid = nbgrader_meta(cell).get("grade_id")
        if gid in trusted:  # a read-only or test cell: the instructor's source, whatever was submitted
            cell.source = trusted[gid]
            if gid in tests:
                if tests[gid] is not None:
                    judges.append((index, tests[gid]))
            else:
                if gid != "setup":
                    cell.source = definitions_only(trusted[gid], defined_here)
                cells.append((gid, for_sandbox(trusted[gid], defined_here)))
            continue
        cell_id = gid if is_exercise(cell) and gid else f"cell-{index}"
        cells.append((cell_id, as_python(cell.source)))
        originals[index] = (cell_id, cell.source)
        cell.source = f"__sandbox__.bind(globals(), {cell_id!r})"
    options = dict(sandbox, reserved=sorted(reserved_names(source_nb)), report=str(report))
    boot = (
        "# Grading: a clean namespace (this kernel may have graded another notebook), then the sandbox process\n"
        "# in which the learner's cells run (autograder/sandbox/).\n"
        "__sandbox__.stop() if '__sandbox__' in globals() else None\n"
        f"__import__('os').chdir({str(cwd)!r})  # first: the folder of the notebook before may be gone\n"
        "get_ipython().run_line_magic('reset', '-f')\n"
        "get_ipython().execution_count = 1\n"
        "import os, sys\n"
        f"sys.path.insert(0, {str(REPO)!r}) if {str(REPO)!r} not in sys.path else None\n"
        "from autograder.sandbox import Sandbox\n"
        f"__sandbox__ = Sandbox({json.dumps(cells)}, **{options!r})\n"
    )
    for index, exercise in reversed(judges):  # from the end, so that the indexes still hold
        nb.cells.insert(index, new_code_cell(f"__sandbox__.judge_alone(globals(), {order!r}, {exercise!r})",
                                             metadata={"autograder": JUDGE_ID}))
    nb.cells.insert(0, new_code_cell(boot, metadata={"autograder": BOOT_ID}))
    nb.cells.append(new_code_cell("__sandbox__.stop()", metadata={"autograder": BOOT_ID}))
    return nb, originals  # originals: by index in the notebook without the cells added here


def tested_exercise(source_nb):
    """``{test cell's grade_id: the exercise it tests}``: the last exercise above it in the source notebook."""
    result, current = {}, None
    for cell in source_nb.cells:
        if is_exercise(cell):
            current = nbgrader_meta(cell).get("grade_id")
        elif is_test(cell):
            result[nbgrader_meta(cell)["grade_id"]] = current
    return result


def after_grading(nb, originals, report):
    """Restore the learner's code, apply the sandbox's report; return the notebook and a status (or None)."""
    boot = [c for c in nb.cells if c.get("metadata", {}).get("autograder") == BOOT_ID]
    boot_error = next((o for c in boot for o in c.get("outputs", []) if o.get("output_type") == "error"), None)
    judge = [c for c in nb.cells if c.get("metadata", {}).get("autograder") == JUDGE_ID]
    judge_error = next((o for c in judge for o in c.get("outputs", []) if o.get("output_type") == "error"), None)
    boot_error = boot_error or judge_error
    nb.cells = [c for c in nb.cells if c.get("metadata", {}).get("autograder") not in (BOOT_ID, JUDGE_ID)]
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
    for index, cell in enumerate(nb.cells):
        if index in originals:
            cell_id, cell.source = originals[index]
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    output["ename"] = output["evalue"].split(":")[0] if ":" in output["evalue"] else output["ename"]
                    output["evalue"] = output["evalue"].split(": ", 1)[-1]
                    output["traceback"] = [f"{output['ename']}: {output['evalue']}"]
            if mentions_reference(cell.source):
                flagged[_exercise_at(nb, index)] = POLICY["reference"]

    exercises = {nbgrader_meta(c)["grade_id"] for c in nb.cells if is_exercise(c)}
    cell_exercise = {cell_id: _exercise_at(nb, index) for index, (cell_id, _) in originals.items()}
    status = None
    for event in data.get("events", []):
        where = owner.get(event["where"], event["where"])
        where = cell_exercise.get(where, where)
        if event["kind"] in POLICY and where in exercises:
            flagged.setdefault(where, POLICY[event["kind"]])
        elif event["kind"] in POLICY and status is None:
            status = f"refused in {where}: your code {event['detail']}"
        elif status is None:
            status = f"{LABELS.get(event['kind'], event['kind'])} in {where}: your code {event['detail']}"
    if boot_error is not None and status is None:
        status = f"sandbox failed to start: {boot_error.get('evalue', '')}"

    current = None
    for cell in nb.cells:
        if is_exercise(cell):
            current = nbgrader_meta(cell)["grade_id"]
        elif is_test(cell) and current in flagged:
            message = f"0 points: the code of {current} {flagged[current]}"
            cell.setdefault("outputs", []).append(new_output(
                "error", ename="GradingPolicyError", evalue=message, traceback=[f"GradingPolicyError: {message}"]))
    if flagged:
        flags = "; ".join(f"{name} {reason}" for name, reason in sorted(flagged.items()))
        status = f"flagged: {flags}" + (f"; {status}" if status else "")
    return nb, status


def _exercise_at(nb, index):
    """The exercise a cell belongs to: the last exercise cell at or above it (None above the first)."""
    for cell in reversed(nb.cells[: index + 1]):
        if is_exercise(cell):
            return nbgrader_meta(cell)["grade_id"]
    return None


def sandbox_protected(course, submissions=None):
    """The folders the learner's code may not read: the repository (the reference, the solutions), the
    grading folder (the gradebook, other students' work) and the submissions."""
    return [p for p in (REPO, course, submissions) if p]

