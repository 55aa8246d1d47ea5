"""Grading one notebook, in a worker process: every stage, from reading the file to its feedback page.

The batch (grade.py) hands each worker a job, one per row of grades.csv, and gets back a small result; all
the per-notebook work happens here, so that grading grows with the cores. The stages, in order:

1. **reading** the file (:func:`read_notebook`: a regular file within the limits of untrusted.py, JSON, a
   valid notebook);
2. **recovering metadata** an editor dropped (recover.py);
3. **sanitizing** against the gradebook, as ``nbgrader autograde`` does (gradebook.py), after registering the
   student and a fresh submission;
4. **executing**: the learner's cells in a sandbox, the tests in this worker's kernel (:func:`execute_notebook`);
5. **scoring** the test cells into the gradebook;
6. **writing the feedback page** (feedback.py).

An exception in any stage costs only this row: its status says which stage failed and why, a row not scored
has no submission in the gradebook (so no points of an earlier file either), and the batch goes on. A
notebook already graded from the same file and the same source is not graded again (``.result.json``).
"""

import json
import os
import shutil
from pathlib import Path

import nbformat

from .feedback import write_feedback
from .gradebook import fingerprint, forget, register, sanitize, save_grades, source_path
from .exercises import Record, report
from .scores import points
from .isolate import after_grading, for_grading
from .recover import recover_metadata
from .untrusted import check_notebook, read_submission, submission_fingerprint

STAGES = ["reading", "recovering metadata", "sanitizing", "executing", "scoring", "writing the feedback page"]


class NotANotebook(ValueError):
    """The file handed in is not a notebook that can be graded; the message says why, for the row's status."""


def read_notebook(path):
    """The notebook at ``path``, or raise NotANotebook saying why it is not one (or why it is not graded: not
    a regular file, or over a limit of untrusted.py)."""
    try:
        data = read_submission(path)  # ValueError: a link, a special file, too large
        text = data.decode("utf-8")
        check = json.loads(text)
    except ValueError as exc:
        raise NotANotebook(str(exc) if not isinstance(exc, (UnicodeError, json.JSONDecodeError))
                           else f"not a notebook ({type(exc).__name__})") from None
    try:
        check_notebook(check)  # ValueError: too many cells, too large a cell
    except ValueError as exc:
        raise NotANotebook(str(exc)) from None
    try:
        nb = nbformat.reads(text, as_version=4)
        nbformat.validate(nb)
    except Exception as exc:  # nbformat raises many kinds: JSON, schema, encoding
        raise NotANotebook(f"not a notebook ({type(exc).__name__})") from None
    return nb


# ----------------------------------------------------------------------------------------- executing
_WORKER = {"km": None, "runs": 0, "registry": None}  # this worker's kernel, reused from one notebook to the next
KERNEL_RUNS = 40  # notebooks one kernel grades before a fresh one starts


def _kernel_manager(log):
    """This worker's kernel manager: a live kernel, started afresh after a death or KERNEL_RUNS notebooks.

    A kernel can serve many notebooks because no state can carry from one student to the next: no learner's
    code ever runs in it (see sandbox/), only the instructor's setup, read-only and test cells; what comes
    from the sandbox is plain data (numbers, strings, arrays, containers), bound only under names the
    instructor's cells do not use; and each notebook starts by stopping the previous sandbox and clearing the
    namespace. The learner's code cannot reach the kernel itself (it has no network and sees no process or
    connection file).
    """
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_core.utils import run_sync

    km = _WORKER["km"]
    if km is not None and (_WORKER["runs"] >= KERNEL_RUNS or not run_sync(km.is_alive)()):
        _stop_kernel()
        km = None
    if km is None:
        km = AsyncKernelManager(kernel_name="python3")
        run_sync(km.start_kernel)(extra_arguments=["--HistoryManager.hist_file=:memory:"], stderr=log)
        _WORKER.update(km=km, runs=0)
        if _WORKER["registry"] is not None:  # the batch stops it if this worker dies (grade._run)
            (Path(_WORKER["registry"]) / f"kernel-{os.getpid()}").write_text(str(km.provisioner.pid))
    _WORKER["runs"] += 1
    return km


def _stop_kernel():
    from jupyter_core.utils import run_sync

    if _WORKER["km"] is not None:
        try:
            run_sync(_WORKER["km"].shutdown_kernel)(now=True)
        except Exception:
            pass
    _WORKER["km"] = None


def execute_notebook(path, source, timeout, protected=(), budget=600, isolated=True, fonts=None):
    """Grade-execute the sanitized notebook at ``path`` in place. Runs in a worker process.

    The tests run in this worker's kernel; the learner's cells run in a sandbox process (see isolate.py
    and sandbox/), confined by the operating system unless ``isolated`` is False (trusted submissions).
    ``timeout``: seconds per cell; ``budget``: seconds the learner's code may take in the whole notebook.
    Returns a short status: ``ok``, ``timeout in cell N``, ``kernel died``, or what the sandbox reported.
    """
    import atexit

    from nbgrader.preprocessors import Execute, LimitOutput

    path = Path(path)
    nb = nbformat.read(str(path), as_version=4)
    files = {data.name: str(data) for data in Path(source).parent.iterdir()  # the chapter's data files
             if data.is_file() and not data.is_symlink() and data.suffix != ".ipynb"}
    files.update(fonts or {})
    report = path.with_name(".sandbox-report.json")
    source_nb = nbformat.read(str(source), as_version=4)
    nb, originals = for_grading(nb, source_nb, report, cwd=path.parent, files=files,
                                call_timeout=max(5, timeout // 2), budget=budget, isolated=isolated,
                                protected=[str(p) for p in protected])

    def cell_timeout(cell):  # the first cell runs all of the learner's cells in the sandbox
        return budget + 60 if cell.get("metadata", {}).get("autograder") else timeout

    resources = {"metadata": {"path": str(path.parent)}}
    os.environ["NBGRADER_EXECUTION"] = "autograde"
    status = "ok"
    logs = path.parents[3] / "logs"  # what the kernels write to their stderr, for the instructor
    logs.mkdir(exist_ok=True)
    with open(logs / f"kernel-{os.getpid()}.log", "a") as log:
        if _WORKER["km"] is None:
            atexit.register(_stop_kernel)
        km = _kernel_manager(log)
        client = Execute(timeout=timeout, timeout_func=cell_timeout)
        try:
            nb, resources = client.preprocess(nb, resources, km=km)
        except Exception as exc:  # the kernel died or never answered
            status = "kernel died" if "dead" in str(exc).lower() or "died" in str(exc).lower() else f"error: {exc}"
            _stop_kernel()
        finally:
            if client.kc is not None:
                client.kc.stop_channels()
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.get("ename") == "CellTimeoutError" and status == "ok":
                status = f"timeout in cell {index}"
    nb, sandbox_status = after_grading(nb, originals, report)
    if sandbox_status:
        status = sandbox_status if status == "ok" else f"{status}; {sandbox_status}"
    nb, resources = LimitOutput(max_lines=200, max_traceback=40).preprocess(nb, resources)
    nbformat.write(nb, str(path))
    return status


# ----------------------------------------------------------------------------------------- one row
def grade_notebook(job):
    """Grade one row's notebook; return ``{"status", "scored", "points", "cached"}``.

    ``job``: ``student``, ``name``, ``lms_id``, ``chapter``, ``path`` (the notebook, or None), ``status`` (None,
    or why the row is not graded), ``course``, ``feedback`` (the page to write), ``db_url``, and the execution
    settings ``timeout``, ``budget``, ``isolated``, ``protected``, ``fonts``. ``scored``: the gradebook holds
    this row's points, and ``points`` are they (scores.points, and under ``report`` the row's exercises for
    the class view: read here, so the batch never reads the gradebook row by row).
    """
    course, student, chapter, db_url = Path(job["course"]), job["student"], job["chapter"], job["db_url"]
    folder = course / "autograded" / student / chapter
    feedback = Path(job["feedback"])
    result = {"status": job["status"], "scored": False, "points": None, "cached": False}
    stage = STAGES[0]
    try:
        if job["status"] is None:
            key = {"submission": submission_fingerprint(job["path"]),
                   "source": fingerprint(source_path(course, chapter))}
            done = _done_before(folder, key)
            if done is not None:  # the manual grades may have changed since: the points are read again
                graded = nbformat.read(str(folder / f"{chapter}.ipynb"), as_version=4)
                return {**done, "points": read_points(db_url, student, chapter, graded), "cached": True}
            result["status"] = None
            nb = read_notebook(job["path"])
            stage = STAGES[1]
            released = nbformat.read(str(course / "release" / chapter / f"{chapter}.ipynb"), as_version=4)
            recovered = recover_metadata(nb, released)
            stage = STAGES[2]
            target = _fresh_folder(course, folder, chapter)
            register(db_url, student, chapter, job.get("name", ""), job.get("lms_id", ""))
            nbformat.write(sanitize(course, student, chapter, nb, db_url), str(target))
            stage = STAGES[3]
            status = execute_notebook(target, source_path(course, chapter), job["timeout"], job["protected"],
                                      job["budget"], job["isolated"], job["fonts"])
            notes = ([f"the notebook was named {Path(job['path']).name}"]
                     if Path(job["path"]).name != target.name else []) + (
                [f"nbgrader's metadata was missing and was restored for {len(recovered)} cells (an editor such "
                 "as Colab drops it)"] if recovered else [])
            result["status"] = "; ".join([status, *notes])
            stage = STAGES[4]
            graded = nbformat.read(str(target), as_version=4)
            save_grades(course, student, chapter, graded, db_url)
            result.update(scored=True, points=read_points(db_url, student, chapter, graded))
            stage = STAGES[5]
            write_feedback(graded, feedback, student, chapter, db_url)
            # last: a run stopped before this point, or a page that failed, is graded again next time
            (folder / ".result.json").write_text(json.dumps(
                {"key": key, **{k: result[k] for k in ("status", "scored")}}))
    except NotANotebook as exc:
        result["status"] = str(exc)
    except Exception as exc:  # this row's stage failed: its status says so, and the batch goes on
        failure = f"{stage} failed ({type(exc).__name__}: {exc})"
        result["status"] = (f"{result['status']}; {failure}" if result["scored"]
                            else f"could not be graded: {failure}")[:300]
    if not result["scored"]:
        try:
            _forget(db_url, student, chapter, folder, feedback)
        except Exception as exc:  # the row's status stands; the instructor learns what may be left behind
            result["status"] = (f"{result['status']}; an earlier grading of it could not be removed "
                                f"({type(exc).__name__}: {exc})")[:300]
    return result


def refresh_notebook(job):
    """After written answers were graded (formgrader): the row's points read again and its feedback page made
    again from the autograded notebook. Returns ``{"points", "status"}``; ``status`` is None, or what failed."""
    course, student, chapter, db_url = Path(job["course"]), job["student"], job["chapter"], job["db_url"]
    try:
        graded = nbformat.read(str(course / "autograded" / student / chapter / f"{chapter}.ipynb"), as_version=4)
        if job["feedback"]:  # None: only the points (an earlier chapter, for the term's view)
            write_feedback(graded, Path(job["feedback"]), student, chapter, db_url)
        return {"points": read_points(db_url, student, chapter, graded), "status": None}
    except Exception as exc:  # one page that fails costs only its row
        return {"points": None, "status": f"refreshing failed ({type(exc).__name__}: {exc})"[:300]}


def read_points(db_url, student, chapter, graded):
    """scores.points of the row, and under ``report`` its exercises (exercises.report of the autograded
    notebook ``graded``), which the class view shows."""
    from nbgrader.api import Gradebook

    with Gradebook(db_url) as gb:
        result = points(gb, student, chapter)
        if result is not None:
            grades = [Record.of(grade) for nb in gb.find_submission(chapter, student).notebooks for grade in nb.grades]
            result["report"] = report(graded, grades, chapter)
    return result


def _done_before(folder, key):
    """The result of an earlier run that graded the same file against the same source, if any."""
    try:
        done = json.loads((folder / ".result.json").read_text())
    except (OSError, ValueError):
        return None
    if done.get("key") != key:
        return None
    return {k: done[k] for k in ("status", "scored")}


def _fresh_folder(course, folder, chapter):
    """An empty autograded folder for the row with the chapter's data files; the notebook's path in it."""
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(course / "source" / chapter, folder, ignore=shutil.ignore_patterns("*.ipynb"))
    return folder / f"{chapter}.ipynb"


def _forget(db_url, student, chapter, folder, feedback):
    """A row not scored this time leaves nothing of an earlier run: no submission in the gradebook, no
    autograded notebook, no feedback page."""
    forget(db_url, student, chapter)
    shutil.rmtree(folder, ignore_errors=True)
    feedback.unlink(missing_ok=True)

