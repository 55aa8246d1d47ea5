"""Grading a class: ``python -m autograder grade SUBMISSIONS --out DIR [--workers N]``.

SUBMISSIONS is a folder laid out ``<student>/<chapter>/<notebook>.ipynb``. Grading builds an nbgrader course
folder in ``DIR/course`` (sources, gradebook, autograded notebooks), so nbgrader's own tools work on it, and
writes for the instructor:

- ``DIR/grades.csv``: one row per student and chapter found, with the automatically graded ``score`` and
  ``max_score``, the points of written answers that wait for a person, a ``status`` a person understands,
  and the points of every exercise;
- ``DIR/feedback/<student>/<chapter>/<notebook>.html``: what the learner gets back.

How one notebook is graded follows ``nbgrader autograde``: the submission is sanitized against the gradebook
(test and read-only cells restored, deleted test cells added back, points reset), executed in its own kernel
in its own folder, and its test cells scored. The sanitizing and the scoring, which touch the gradebook,
happen in this process one notebook at a time; the executions, which take the time, run in parallel worker
processes that never touch the gradebook.
"""

import csv
import hashlib
import json
import os
import shutil
import sys
import time
import warnings
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import nbformat

from .course import SOLUTIONS, CourseError, chapters, nbgrader, write_config
from .database import gradebook_lock, normalize, without_password
from .collect import UNPACK_STATUS, unpack
from .feedback import write_feedback
from .isolate import after_grading, for_grading, sandbox_protected
from .recover import recover_metadata
from .scores import max_automatic_score, totals
from .summary import write_summary
from .untrusted import check_notebook, csv_cell, kind_of, not_a_file, printable, read_submission, submission_fingerprint

NO_ISOLATION = "WITHOUT ISOLATION (--trusted-submissions)"
CSV_COLUMNS = ["student", "assignment", "score", "max_score", "manual_points_pending", "status"]


# ----------------------------------------------------------------------------------------- submissions
def find_submissions(folder, only=()):
    """Yield ``(student, chapter, notebook_path_or_None, status)`` for every chapter folder of every student.

    status is ``None`` for a notebook to grade, or the reason it cannot be graded. Only folders and regular
    files count: a student folder, chapter folder or notebook that is a symbolic link (to the instructor's
    source, say) or a special file (a FIFO, a device, a socket) gets a status and is never opened. Statuses
    that unpacking an LMS zip gave (see collect.py) are read from the folder's ``.unpack-status.json``.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise CourseError(f"{folder} is not a folder of submissions (expected <student>/<chapter>/<notebook>.ipynb)")
    known = set(chapters())
    found = {}
    for student in _entries(folder):
        if not student.is_dir(follow_symlinks=False):
            if not student.is_file(follow_symlinks=False):  # a loose regular file is not a student
                chapter = only[0] if len(only) == 1 else "?"
                found[student.name, chapter] = None, not_a_file(student.name, _kind(student), "folder")
            continue
        for entry in _entries(student.path):
            chapter = entry.name
            if only and chapter not in only or entry.is_file(follow_symlinks=False):
                continue
            where = f"{student.name}/{chapter}"
            if not entry.is_dir(follow_symlinks=False):
                found[student.name, chapter] = None, not_a_file(where, _kind(entry), "folder")
            elif chapter not in known:
                found[student.name, chapter] = None, "unknown chapter"
            else:
                found[student.name, chapter] = _notebook_in(Path(entry.path), where, chapter)
    for (student, chapter), status in _unpack_statuses(folder).items():
        if not only or chapter in only:
            found[student, chapter] = None, status
    for (student, chapter), (path, status) in sorted(found.items()):
        yield student, chapter, path, status


def _entries(folder):
    """The entries of a folder but hidden ones, unfollowed (``os.DirEntry``)."""
    with os.scandir(folder) as entries:
        return sorted((e for e in entries if not e.name.startswith(".")), key=lambda e: e.name)


def _kind(entry):
    return kind_of(entry.stat(follow_symlinks=False).st_mode) or "a file"


def _notebook_in(chapter_dir, where, chapter):
    """``(path, None)`` for the chapter folder's notebook (``<chapter>.ipynb``, or its only notebook), or
    ``(None, status)``."""
    entries = {e.name: e for e in _entries(chapter_dir) if e.name.endswith(".ipynb")}
    expected = entries.get(f"{chapter}.ipynb")
    if expected is None:
        regular = [e for e in entries.values() if e.is_file(follow_symlinks=False)]
        if len(regular) == 1:
            return Path(regular[0].path), None
        expected = next(iter(entries.values())) if len(entries) == 1 else None
    if expected is None:
        return None, "missing"
    if not expected.is_file(follow_symlinks=False):
        return None, not_a_file(f"{where}/{expected.name}", _kind(expected))
    return Path(expected.path), None


def _unpack_statuses(folder):
    """``{(student, chapter): status}`` written by unpacking an LMS zip into ``folder``, if it was."""
    try:
        data = json.loads(read_submission(Path(folder) / UNPACK_STATUS, depth=1))
    except (OSError, ValueError):
        return {}
    return {tuple(key.split("/", 1)): status for key, status in data.items() if "/" in key}


def read_notebook(path):
    """The notebook at ``path``, or raise ValueError saying why it is not one (or why it is not graded: not a
    regular file, or over a limit of untrusted.py)."""
    data = read_submission(path)  # ValueError: a link, a special file, too large
    try:
        text = data.decode("utf-8")
        check = json.loads(text)
    except Exception as exc:  # not UTF-8, not JSON
        raise ValueError(f"not a notebook ({type(exc).__name__})") from None
    check_notebook(check)  # ValueError: too many cells, too large a cell
    try:
        nb = nbformat.reads(text, as_version=4)
        nbformat.validate(nb)
    except Exception as exc:  # nbformat raises many kinds: JSON, schema, encoding
        raise ValueError(f"not a notebook ({type(exc).__name__})") from None
    return nb


# ----------------------------------------------------------------------------------------- executing
_WORKER = {"km": None, "runs": 0}  # this worker's kernel, reused from one notebook to the next
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


# ----------------------------------------------------------------------------------------- the gradebook
def _resources(course, student, chapter, notebook, db_url):
    return {
        "nbgrader": {
            "notebook": notebook,
            "assignment": chapter,
            "student": student,
            "db_url": db_url,
        },
        "metadata": {"path": str(course)},
    }


def sanitize(course, student, chapter, nb, db_url):
    """Restore the notebook's test and read-only cells from the gradebook, as ``nbgrader autograde`` does.

    First, a cell that claims nbgrader metadata the source does not have (a made-up test cell, a cell with
    its id removed) loses that metadata: to the grader it is just a cell the learner added.
    """
    from nbgrader.preprocessors import (CheckCellMetadata, ClearOutput, DeduplicateIds, OverwriteCells,
                                        OverwriteKernelspec)

    source = nbformat.read(str(course / "source" / chapter / f"{chapter}.ipynb"), as_version=4)
    known = {c.metadata["nbgrader"]["grade_id"]: c.metadata["nbgrader"] for c in source.cells
             if "grade_id" in c.metadata.get("nbgrader", {})}
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader")
        if meta is None:
            continue
        if not isinstance(meta, dict) or meta.get("grade_id") not in known:
            del cell.metadata["nbgrader"]
        else:  # a known cell keeps the instructor's metadata, whatever the learner changed
            cell.metadata["nbgrader"] = dict(known[meta["grade_id"]])
    resources = _resources(course, student, chapter, chapter, db_url)
    for preprocessor in (ClearOutput(), DeduplicateIds(), OverwriteKernelspec(),
                         OverwriteCells(add_missing_cells=True), CheckCellMetadata()):
        nb, resources = preprocessor.preprocess(nb, resources)
    return nb


def save_grades(course, student, chapter, nb, db_url):
    """Score the executed notebook's test cells into the gradebook (nbgrader's SaveAutoGrades)."""
    from nbgrader.preprocessors import SaveAutoGrades

    SaveAutoGrades().preprocess(nb, _resources(course, student, chapter, chapter, db_url))


def prepare_course(course, names, timeout, db_url):
    """The nbgrader course folder: config, the chapters' sources and their cells in the gradebook (made
    again only for a chapter whose source changed since the last run).

    No file holds the database's password: the config and ``.prepared.json`` have the URL without it, and
    nbgrader gets the full URL in its environment. The gradebook is written under the course's lock (another
    grader may be preparing the same database)."""
    public_url = without_password(db_url)
    write_config(course, cell_timeout=timeout, db_url=public_url)
    prepared_file = course / ".prepared.json"
    prepared = json.loads(prepared_file.read_text()) if prepared_file.exists() else {}
    with gradebook_lock(db_url):
        for name in names:
            key = fingerprint(SOLUTIONS / name / f"{name}.ipynb") + public_url
            if prepared.get(name) == key and (course / "source" / name).exists():
                continue
            target = course / "source" / name
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(SOLUTIONS / name, target, ignore=shutil.ignore_patterns(".*", "__pycache__"))
            nbgrader(course, "generate_assignment", name, "--force", "--create", db_url=db_url)
            prepared[name] = key
            prepared_file.write_text(json.dumps(prepared))


# ----------------------------------------------------------------------------------------- the batch
def fingerprint(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def grade(submissions, out, workers=None, only=(), timeout=60, db_url=None, lms_pattern=None, progress=True,
          budget=600, trusted=False):
    """Grade every submission under ``submissions`` (a folder or an LMS zip) into ``out``.

    Grading again skips every notebook already graded from the same file and source, so an interrupted
    run finishes the rest, and a second run gives the same grades. Returns the rows of grades.csv.

    Learners' code runs isolated by the operating system (autograder/sandbox/); where that is not possible,
    grading stops with a message, unless ``trusted`` (submissions the instructor trusts: no isolation).
    """
    from nbgrader.api import Gradebook
    from tqdm import tqdm

    from .sandbox import unavailable
    from .sandbox.client import font_list

    started = time.monotonic()
    reason = unavailable()
    if reason and not trusted:
        raise CourseError(
            f"learners' code cannot be isolated on this machine: {reason}. Install bubblewrap (Debian and "
            "Ubuntu: apt-get install bubblewrap; Fedora: dnf install bubblewrap) on Linux with user namespaces "
            "enabled (or grade as root), or, only for submissions you trust, pass --trusted-submissions to "
            "run them without isolation.")
    isolated = not trusted
    if trusted:
        print(f"{NO_ISOLATION}: learners' code runs as your user, with access to your files, the gradebook "
              "and the network.", file=sys.stderr)
    out = Path(out).resolve()
    course = out / "course"
    submissions = Path(submissions).resolve()
    if submissions.is_file() and submissions.suffix.lower() == ".zip":
        folder = out / "submissions"
        for line in unpack(submissions, folder, lms_pattern, only):
            print(f"skipped in the zip: {printable(line)}", file=sys.stderr)
        submissions = folder
    found = list(find_submissions(submissions, only))
    db_url = normalize(db_url) or f"sqlite:///{course}/gradebook.db"
    names = sorted({chapter for _, chapter, path, status in found if status is None})
    prepare_course(course, names, timeout, db_url)

    statuses, jobs, done_before = {}, [], 0
    with gradebook_lock(db_url), Gradebook(db_url) as gb:  # students and submissions: one writer at a time
        for student, chapter, path, status in found:
            statuses[student, chapter] = status
            if status is not None:
                continue
            folder = course / "autograded" / student / chapter
            target = folder / f"{chapter}.ipynb"
            key = {"submission": submission_fingerprint(path), "source": fingerprint(course / "source" / chapter / f"{chapter}.ipynb")}
            result = folder / ".result.json"
            if result.exists() and json.loads(result.read_text()).get("key") == key:
                statuses[student, chapter] = json.loads(result.read_text())["status"]
                done_before += 1
                continue
            try:
                nb = read_notebook(path)
            except ValueError as exc:
                statuses[student, chapter] = str(exc)
                continue
            gb.update_or_create_student(student)
            with warnings.catch_warnings():  # nbgrader's own SQLAlchemy usage warns here; harmless
                warnings.simplefilter("ignore")
                gb.update_or_create_submission(chapter, student)
            if folder.exists():
                shutil.rmtree(folder)
            shutil.copytree(course / "source" / chapter, folder, ignore=shutil.ignore_patterns("*.ipynb"))
            released = nbformat.read(str(course / "release" / chapter / f"{chapter}.ipynb"), as_version=4)
            recovered = recover_metadata(nb, released)
            try:
                nbformat.write(sanitize(course, student, chapter, nb, db_url), str(target))
            except Exception as exc:  # nbgrader refused this notebook: only its author loses the marks
                statuses[student, chapter] = f"could not be graded: {type(exc).__name__}: {exc}"[:300]
                continue
            notes = ([f"the notebook was named {path.name}"] if path.name != target.name else []) + (
                [f"nbgrader's metadata was missing and was restored for {len(recovered)} cells (an editor such "
                 "as Colab drops it)"] if recovered else [])
            if notes:
                statuses[student, chapter] = "; ".join(["ok", *notes])
            jobs.append((student, chapter, target, key))

    workers = max(1, workers or os.cpu_count() or 1)
    protected = sandbox_protected(course, submissions)
    fonts = font_list(course / ".cache" / "matplotlib") if jobs else {}
    bar = tqdm(total=len(jobs), unit="notebook", desc="grading", disable=not progress or not jobs, file=sys.stderr)
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(execute_notebook, target, course / "source" / chapter / f"{chapter}.ipynb", timeout,
                               protected, budget, isolated, fonts): (student, chapter, target, key)
                   for student, chapter, target, key in jobs}
        for future in as_completed(futures):
            student, chapter, target, key = futures[future]
            try:
                status = future.result()
            except Exception as exc:  # the worker itself failed: this notebook only
                status = f"error: {type(exc).__name__}: {exc}"[:300]
            note = statuses[student, chapter]  # None, or "ok; ..." from reading the notebook
            statuses[student, chapter] = status if note is None else note if status == "ok" else (
                f"{status}; {note[len('ok; '):]}")
            graded = nbformat.read(str(target), as_version=4)
            with gradebook_lock(db_url):
                save_grades(course, student, chapter, graded, db_url)
            try:
                write_feedback(graded, out / "feedback" / student / chapter / f"{chapter}.html", student, chapter,
                               db_url)
            except Exception as exc:  # nbgrader refused something the learner wrote: their feedback only
                statuses[student, chapter] += f"; no feedback page ({type(exc).__name__}: {exc})"[:300]
            (target.parent / ".result.json").write_text(json.dumps({"key": key, "status": statuses[student, chapter]}))
            bar.update()
            if statuses[student, chapter] != "ok":
                bar.write(printable(f"{student}/{chapter}: {statuses[student, chapter]}"), file=sys.stderr)
    bar.close()

    rows = gradebook_rows(course, found, statuses, db_url)
    write_csv(out / "grades.csv", rows)
    write_summary(out, course, rows, db_url, warning=NO_ISOLATION if trusted else None)
    students = len({s for s, *_ in found})
    problems = sum(1 for row in rows if row["status"].split(";")[0] != "ok")
    print(f"graded {len(jobs)} notebooks ({done_before} already graded, {problems} with a status other than ok) "
          f"of {students} students in {time.monotonic() - started:.1f} s: {out / 'grades.csv'}, "
          f"{out / 'summary.html'}" + (f" ({NO_ISOLATION})" if trusted else ""))
    return rows


def exercise_of_cells(chapter):
    """Map each graded cell of a chapter to its exercise: the solution cell above it (or itself)."""
    nb = nbformat.read(str(SOLUTIONS / chapter / f"{chapter}.ipynb"), as_version=4)
    mapping, exercise = {}, None
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            exercise = meta["grade_id"]
        if meta.get("grade"):
            mapping[meta["grade_id"]] = meta["grade_id"] if meta.get("solution") else exercise
    return mapping


def gradebook_rows(course, found, statuses, db_url):
    """One row per student and chapter: automatic points, written points awaiting a person, points per
    exercise, status."""
    from nbgrader.api import Gradebook, MissingEntry

    rows = []
    with Gradebook(db_url) as gb:
        for student, chapter, _, _ in found:
            row = {"student": student, "assignment": chapter, "score": 0, "max_score": "",
                   "manual_points_pending": 0, "status": statuses[student, chapter]}
            rows.append(row)
            if chapter not in chapters():
                continue
            row["max_score"] = max_automatic_score(chapter)
            try:
                submission = gb.find_submission(chapter, student)
            except MissingEntry:
                continue
            exercises = exercise_of_cells(chapter)
            for exercise in exercises.values():  # the chapter's order, whatever order the database returns
                row.setdefault(exercise, 0.0)
            grades = [grade for nb in submission.notebooks for grade in nb.grades]
            for grade in grades:
                exercise = exercises.get(grade.name, grade.name)
                row[exercise] = round(row.get(exercise, 0.0) + (grade.score or 0.0), 4)
            points = totals(grades)
            row.update(score=points["score"], manual_points_pending=points["pending"])
    return rows


def write_csv(path, rows):
    """grades.csv: the fixed columns first, then one column per exercise, chapter by chapter in the order of
    the chapter's notebook (whatever the database or the rows' order). Every field goes through
    :func:`untrusted.csv_cell`, so that no spreadsheet evaluates a learner's name, a status quoting their error,
    or a folder's name as a formula."""
    columns = list(CSV_COLUMNS)
    present = {k for row in rows for k in row}
    for chapter in sorted({row["assignment"] for row in rows} & set(chapters())):
        columns += [e for e in dict.fromkeys(exercise_of_cells(chapter).values()) if e in present and e not in columns]
    for row in rows:
        columns += [k for k in row if k not in columns]
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow([csv_cell(c) for c in columns])
        writer.writerows([csv_cell(row.get(c, "")) for c in columns] for row in rows)
