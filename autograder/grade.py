"""Grading a class: ``python -m autograder grade SUBMISSIONS --out DIR [--workers N]``, and after written
answers were graded in formgrader, ``python -m autograder refresh --out DIR``.

SUBMISSIONS is a folder laid out ``<student>/<chapter>/<notebook>.ipynb`` or an LMS download (a zip); which
student and notebook each file is, is the collection's business (submissions.py). Grading builds an nbgrader
course folder in ``DIR/course`` (sources, gradebook, autograded notebooks), so nbgrader's own tools work on it
(formgrader for the written answers), and writes for the instructor:

- ``DIR/grades.csv``: one row per student and chapter, with the student's id and name, a ``late`` mark, the
  automatic ``score`` and ``max_score``, the written answers' points (given, and waiting for a person), the
  ``total``, a ``status`` a person understands, the file graded, and the points of every exercise;
- ``DIR/canvas.csv`` (a Canvas download) or ``DIR/moodle-<chapter>.csv`` (a Moodle one): the grades in the form
  the LMS's gradebook imports (exports.py);
- ``DIR/skipped.csv``: every file of the upload that was not graded, and why;
- ``DIR/feedback/<student>/<chapter>/<chapter>.html``: what the learner gets back;
- ``DIR/summary.html``: where the class struggles.

All the work on one notebook happens in worker processes (worker.py): this process collects the
submissions, starts the workers at once, and writes the files above from what they return. Whatever goes
wrong with one notebook is that row's status; the batch always finishes and writes every file.
"""

import json
from dataclasses import asdict
import multiprocessing
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from .course import CourseError, chapters
from .database import normalize
from .exports import write_csv, write_lms_exports
from .gradebook import prepare_course
from .scores import max_points
from .isolate import sandbox_protected
from .submissions import collect, write_skipped
from .summary import write_summary
from .untrusted import printable

NO_ISOLATION = "WITHOUT ISOLATION (--trusted-submissions)"
ROWS_FILE = ".grading.json"  # under DIR: the rows of the last run, without their points, for `refresh`


def grade(submissions, out, workers=None, only=(), timeout=60, db_url=None, lms_pattern=None, progress=True,
          budget=600, trusted=False, canvas_columns=None):
    """Grade every submission under ``submissions`` (a folder or an LMS zip) into ``out``.

    Grading again skips every notebook already graded from the same file and source, so an interrupted
    run finishes the rest, and a second run gives the same grades. A student and chapter graded into ``out``
    before and not in this run keep their row (the term, chapter by chapter). Returns the rows of grades.csv.

    Learners' code runs isolated by the operating system (autograder/sandbox/); where that is not possible,
    grading stops with a message, unless ``trusted`` (submissions the instructor trusts: no isolation).
    """
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
    if trusted:
        print(f"{NO_ISOLATION}: learners' code runs as your user, with access to your files, the gradebook "
              "and the network.", file=sys.stderr)
    out = Path(out).resolve()
    course = out / "course"
    source = Path(submissions).resolve()
    collection = collect(source, out / "submissions", only, lms_pattern)
    out.mkdir(parents=True, exist_ok=True)
    write_skipped(out / "skipped.csv", collection.skipped)
    db_url = normalize(db_url) or f"sqlite:///{course}/gradebook.db"
    known = set(chapters())
    prepare_course(course, sorted({s.chapter for s in collection.submissions if s.chapter in known}), timeout,
                   db_url)

    fonts = font_list(course / ".cache" / "matplotlib")
    settings = {"course": str(course), "db_url": db_url, "timeout": timeout, "budget": budget,
                "isolated": not trusted, "protected": [str(p) for p in sandbox_protected(out, source)],
                "fonts": fonts}
    identities = [_identity(s) for s in collection.submissions]
    jobs = {i: {**settings, **row, "chapter": s.chapter, "path": str(s.path) if s.path else None,
                "status": s.status, "feedback": str(feedback_page(out, row))}
            for i, (s, row) in enumerate(zip(collection.submissions, identities)) if s.chapter in known}
    from .worker import grade_notebook

    results = _run(grade_notebook, jobs, workers, progress, "grading")
    for i, row in enumerate(identities):
        result = results.get(i) or {"status": collection.submissions[i].status or "unknown chapter"}
        row["status"] = _with_notes(result["status"], collection.submissions[i].notes)
        row.update(scored=bool(result.get("scored")), points=result.get("points"))
    earlier = _earlier_rows(out, identities, course, db_url, workers, progress)
    grading = {"rows": _in_course_order(earlier + identities), "skipped": [asdict(s) for s in collection.skipped],
               "warning": NO_ISOLATION if trusted else None, "canvas_columns": canvas_columns or {}}
    rows = _write_outputs(out, grading)
    (out / ROWS_FILE).write_text(json.dumps(
        {**grading, "rows": [{k: v for k, v in row.items() if k != "points"} for row in grading["rows"]]}))
    this_run = {(row["student"], row["assignment"]) for row in identities}
    mine = [row for row in rows if (row["student"], row["assignment"]) in this_run]

    graded = sum(1 for r in results.values() if r.get("scored") and not r.get("cached"))
    before = sum(1 for r in results.values() if r.get("cached"))
    problems = sum(1 for row in mine if row["status"].split(";")[0] != "ok")
    print(f"graded {graded} notebooks ({before} already graded, {problems} rows with a status other than ok, "
          f"{len(collection.skipped)} files skipped) of {len({r['student'] for r in mine})} students in "
          f"{time.monotonic() - started:.1f} s: {out / 'grades.csv'}, {out / 'summary.html'}"
          + (f" ({NO_ISOLATION})" if trusted else "")
          + (f"; grades.csv also keeps {len(earlier)} rows graded here before" if earlier else ""))
    return rows


def refresh(out, db_url=None, workers=None, progress=True, canvas_columns=None):
    """After written answers were graded (formgrader, in ``DIR/course``): grades.csv, the LMS exports, the
    feedback pages and the summary made again with the gradebook's points. Nothing is executed again."""
    out = Path(out).resolve()
    course = out / "course"
    try:
        grading = json.loads((out / ROWS_FILE).read_text())
        identities = grading["rows"]
        grading["canvas_columns"] = {**grading.get("canvas_columns", {}), **(canvas_columns or {})}
    except (OSError, ValueError, KeyError, TypeError):
        raise CourseError(f"{out} holds no grading to refresh ({ROWS_FILE} is missing): run "
                          f"`python -m autograder grade SUBMISSIONS --out {out}` first") from None
    db_url = normalize(db_url) or f"sqlite:///{course}/gradebook.db"
    from .worker import refresh_notebook

    jobs = {i: {**row, "chapter": row["assignment"], "course": str(course), "db_url": db_url,
                "feedback": str(feedback_page(out, row))}
            for i, row in enumerate(identities) if row.get("scored")}
    results = _run(refresh_notebook, jobs, workers, progress, "refreshing")
    for i, row in enumerate(identities):
        if i in results:
            row["points"] = results[i]["points"]
            if results[i]["status"]:
                row["status"] = f"{row['status']}; {results[i]['status']}"
    rows = _write_outputs(out, grading)
    pending = sum(1 for row in rows if float(row["manual_points_pending"] or 0) > 0)
    print(f"refreshed {len(jobs)} graded notebooks; {pending} rows still have written answers waiting for a "
          f"grader: {out / 'grades.csv'}")
    return rows


def _earlier_rows(out, identities, course, db_url, workers, progress):
    """The rows an earlier run graded into ``out`` for a student and chapter this run does not grade, their
    points read again from the gradebook: grades.csv and the class view cover the term, one chapter at a time.
    A student and chapter graded again replace their row."""
    try:
        grading = json.loads((out / ROWS_FILE).read_text())
        rows = [row for row in grading["rows"] if isinstance(row, dict)]
    except (OSError, ValueError, KeyError, TypeError):
        return []
    now = {(row["student"], row["assignment"]) for row in identities}
    earlier = [row for row in rows if (row.get("student"), row.get("assignment")) not in now]
    from .worker import refresh_notebook

    jobs = {i: {**row, "chapter": row["assignment"], "course": str(course), "db_url": db_url, "feedback": None}
            for i, row in enumerate(earlier) if row.get("scored")}
    results = _run(refresh_notebook, jobs, workers, progress, "reading earlier chapters") if jobs else {}
    for i, row in enumerate(earlier):
        row["points"] = results.get(i, {}).get("points") if row.get("scored") else None
    return earlier


def _in_course_order(rows):
    order = {chapter: index for index, chapter in enumerate(chapters())}
    return sorted(rows, key=lambda row: order.get(row["assignment"], len(order)))


def _identity(submission):
    """What a row of grades.csv says of who handed in what."""
    return {"student": submission.student, "name": submission.name, "lms": submission.lms,
            "lms_id": submission.lms_id, "assignment": submission.chapter, "late": submission.late,
            "file": submission.file}


def feedback_page(out, row):
    chapter = row["assignment"]
    return Path(out) / "feedback" / row["student"] / chapter / f"{chapter}.html"


def _with_notes(status, notes):
    return "; ".join([status, *notes]) if notes else status


def _run(function, jobs, workers, progress, what):
    """``{key: function(job)}`` for ``jobs`` (``{key: job}``), in worker processes started at once.

    A worker process that dies (the machine's OOM killer, say) breaks the pool, and every job it had not
    finished fails with it. Those that had started are suspects: each is run again alone, so that the one that
    kills its worker gets a status that says so and the others their grades; those that had not started go
    back into a new pool. Nothing stops the batch."""
    import tempfile

    from tqdm import tqdm

    results, pending, suspects = {}, dict(jobs), set()
    bar = tqdm(total=len(jobs), unit="notebook", desc=what, disable=not progress or not jobs, file=sys.stderr)

    def done(key, result):
        results[key] = result
        del pending[key]
        bar.update()
        status = result.get("status")
        if status and status.split(";")[0] != "ok":
            bar.write(printable(f"{jobs[key]['student']}/{jobs[key]['assignment']}: {status}"), file=sys.stderr)

    with tempfile.TemporaryDirectory(prefix="grading-") as started:
        while pending:
            batch = [next(iter(suspects))] if suspects else list(pending)
            count = max(1, min(workers or os.cpu_count() or 1, len(batch)))
            # fork: a worker starts with this process's modules already imported (nbgrader, nbformat, ...)
            with ProcessPoolExecutor(max_workers=count, mp_context=multiprocessing.get_context("fork")) as pool:
                futures = {pool.submit(_call, function, pending[key], Path(started) / str(key)): key
                           for key in batch}
                for future in as_completed(futures):
                    key = futures[future]
                    try:
                        done(key, future.result())
                    except BrokenProcessPool:
                        if key in suspects:  # it ran alone: its own worker died
                            done(key, _failed("its worker process died (killed by the system: out of memory?)"))
                        elif (Path(started) / str(key)).exists():
                            suspects.add(key)
                    except Exception as exc:  # the job could not be sent or its result not returned
                        done(key, _failed(f"{type(exc).__name__}: {exc}"))
                    if key in results:
                        suspects.discard(key)
            _stop_orphans(Path(started))
    bar.close()
    return results


def _call(function, job, started):
    """Run in a worker: mark the job as started (see _run), then do it."""
    from . import worker

    worker._WORKER["registry"] = started.parent  # where the worker writes its kernel's PID
    started.touch()
    return function(job)


def _stop_orphans(registry):
    """Kill the kernels of the pool's workers, which outlive a worker that was killed (with a broken pool, all
    are): an orphaned kernel still running a notebook must not race the job tried again in its folder. A
    kernel leads its own process group; the sandbox it started dies with it (bubblewrap --die-with-parent)."""
    import signal

    for record in registry.glob("kernel-*"):
        try:
            os.killpg(int(record.read_text()), signal.SIGKILL)
        except (OSError, ValueError):  # gone already
            pass
        record.unlink(missing_ok=True)


def _failed(why):
    return {"status": f"could not be graded: {why}"[:300], "scored": False, "points": None}


def _write_outputs(out, grading):
    """grades.csv, the LMS exports and summary.html from ``grading``: the rows (identity, status, points,
    tests), the files skipped and the warning of a batch graded without isolation."""
    identities = grading["rows"]
    rows = [_row(identity) for identity in identities]
    write_csv(out / "grades.csv", rows)
    for path in write_lms_exports(out, rows, grading.get("canvas_columns")):
        print(f"for the LMS's gradebook: {path}")
    write_summary(out, rows, {(r["student"], r["assignment"]): (r.get("points") or {}).get("report", [])
                              for r in identities},
                  skipped=grading["skipped"], warning=grading["warning"])
    return rows


def _row(identity):
    """A row of grades.csv from a row's identity, status and points (None: nothing graded, all zero)."""
    chapter = identity["assignment"]
    automatic, written = max_points(chapter) if chapter in chapters() else ("", "")
    points = identity.get("points") or {}
    score, manual = points.get("score", 0.0), points.get("written", 0.0)
    row = {"student": identity["student"], "name": identity["name"], "assignment": chapter,
           "late": "yes" if identity["late"] else "no", "score": score, "max_score": automatic,
           "manual_score": manual, "manual_max_score": written,
           "manual_points_pending": points.get("pending", 0.0),
           "total": round(score + manual, 4), "max_total": automatic + written if automatic != "" else "",
           "status": identity["status"], "file": identity["file"], "lms": identity["lms"],
           "lms_id": identity["lms_id"]}
    row.update(points.get("exercises", {}))
    return row
