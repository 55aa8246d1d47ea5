"""The grades as files: ``grades.csv`` for the instructor, and what an LMS's gradebook imports.

- ``grades.csv``: every row, the fixed columns of :data:`CSV_COLUMNS` first, then the points of every
  exercise, chapter by chapter in the order of the chapter's notebook.
- ``canvas.csv`` (rows from a Canvas download): Canvas's gradebook import (Grades > Import). Its documented
  columns: ``Student``, ``ID`` (Canvas's user id, which the download's file names carry and which Canvas
  matches on), ``SIS User ID``, ``SIS Login ID``, ``Section`` (left empty: Canvas matches on ``ID``), then one
  column per chapter, and a ``Points Possible`` row first. A column named as the assignment is in Canvas,
  followed by its id in parentheses (``Chapter 1 (123456)``, as Canvas's own export names it) updates that
  assignment; any other name makes a new assignment on import. ``--canvas-column CHAPTER=NAME`` names a column.
- ``moodle-<chapter>.csv`` (rows from a Moodle download): Moodle's offline grading worksheet, which the
  assignment's "Upload grading worksheet" takes (matched on ``Identifier``, ``Participant <id>``).

The score sent to the LMS is the ``total``: automatic points and the written answers a person graded. Rows
whose written answers still wait for a grader are counted in the terminal; run ``refresh`` after formgrader.
Every field goes through :func:`untrusted.csv_cell`, so that no spreadsheet evaluates a learner's name, a
status quoting their error, or a folder's name as a formula.
"""

import csv

from .course import chapters
from .scores import exercise_of_cells
from .untrusted import csv_cell

CSV_COLUMNS = ["student", "name", "assignment", "late", "score", "max_score", "manual_score", "manual_max_score",
               "manual_points_pending", "total", "max_total", "status", "file"]
INTERNAL = {"lms", "lms_id"}  # what a row carries for the exports, not a column of grades.csv
CANVAS_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
MOODLE_COLUMNS = ["Identifier", "Full name", "Email address", "Status", "Grade", "Maximum Grade",
                  "Grade can be changed", "Last modified (submission)", "Last modified (grade)", "Feedback comments"]


def _write(path, header, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow([csv_cell(c) for c in header])
        writer.writerows([csv_cell(value) for value in row] for row in rows)


def write_csv(path, rows):
    """grades.csv: the fixed columns, then one column per exercise in the chapters' order (whatever the
    database or the rows' order)."""
    columns = list(CSV_COLUMNS)
    present = {k for row in rows for k in row}
    for chapter in sorted({row["assignment"] for row in rows} & set(chapters())):
        columns += [e for e in dict.fromkeys(exercise_of_cells(chapter).values()) if e in present and e not in columns]
    for row in rows:
        columns += [k for k in row if k not in columns and k not in INTERNAL]
    _write(path, columns, ([row.get(c, "") for c in columns] for row in rows))


def write_lms_exports(out, rows, names=None):
    """``canvas.csv`` and ``moodle-<chapter>.csv`` for the rows that came from those LMSs (none otherwise).
    ``names``: ``{chapter: column name}`` for Canvas (default: the chapter's name). Returns the files written."""
    written = []
    canvas = [r for r in rows if r.get("lms") == "canvas" and r["assignment"] in chapters()]
    if canvas:
        written.append(write_canvas(out / "canvas.csv", canvas, names or {}))
    for chapter in sorted({r["assignment"] for r in rows if r.get("lms") == "moodle"} & set(chapters())):
        moodle = [r for r in rows if r.get("lms") == "moodle" and r["assignment"] == chapter]
        written.append(write_moodle(out / f"moodle-{chapter}.csv", moodle))
    return written


def write_canvas(path, rows, names):
    """Canvas's gradebook import: one line per student (their user id), one column per chapter."""
    chapter_list = sorted({r["assignment"] for r in rows})
    header = CANVAS_COLUMNS + [names.get(c, c) for c in chapter_list]
    possible = {r["assignment"]: r["max_total"] for r in rows}
    students = {}
    for row in rows:
        line = students.setdefault(row["lms_id"] or row["student"], {"name": row["name"]})
        line[row["assignment"]] = row["total"]
    lines = [["    Points Possible", "", "", "", ""] + [possible[c] for c in chapter_list]]
    lines += [[line["name"], user_id, "", "", ""] + [line.get(c, "") for c in chapter_list]
              for user_id, line in sorted(students.items())]
    _write(path, header, lines)
    return path


def write_moodle(path, rows):
    """Moodle's offline grading worksheet of one assignment."""
    lines = [[f"Participant {row['lms_id'] or row['student']}", row["name"], "", "", row["total"], row["max_total"],
              "Yes", "", "", row["status"]] for row in sorted(rows, key=lambda r: r["student"])]
    _write(path, MOODLE_COLUMNS, lines)
    return path
