"""The gradebook in PostgreSQL: grading through the real command line into a live server that this module starts
(a throwaway cluster in a temporary folder, on a free local port, with a password), with the driver that
requirements.txt installs. Debian's `postgresql` package provides the server (.ci/run installs it); without it
these tests fail, they do not skip."""

import csv
import glob
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from autograder.course import REPO, tool_env
from autograder.exports import CSV_COLUMNS
from autograder.scores import exercise_of_cells

from conftest import CHAPTERS

PASSWORD = "pw-" + secrets.token_hex(12)  # a string that appears nowhere unless the password leaked
USER = "grader"


def _server_binaries():
    """The folder of initdb and pg_ctl: Debian keeps them in /usr/lib/postgresql/<version>/bin/."""
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name)
                         if Path(p).parent.name.isdigit() else 0, reverse=True):
        if os.access(os.path.join(folder, "initdb"), os.X_OK) and os.access(os.path.join(folder, "pg_ctl"), os.X_OK):
            return folder
    initdb = shutil.which("initdb")
    if initdb and shutil.which("pg_ctl"):
        return os.path.dirname(initdb)
    pytest.fail("PostgreSQL's server (initdb, pg_ctl) is not installed; install it (Debian and Ubuntu: "
                "apt-get install postgresql; .ci/run does) to run the gradebook's PostgreSQL tests")


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def postgres():
    """A running PostgreSQL cluster: ``url(database)`` makes a fresh database and gives its URL (user
    ``grader`` with a password, over TCP on 127.0.0.1). Run as the ``postgres`` user when the tests run as root
    (initdb refuses root); stopped and removed at the end."""
    bin_dir = _server_binaries()
    as_root = os.geteuid() == 0
    run_as = ["runuser", "-u", "postgres", "--"] if as_root else []
    folder = Path(tempfile.mkdtemp(prefix="rnn-pg-"))  # not under pytest's root-only tmp folder
    data, pwfile = folder / "data", folder / "pwfile"
    pwfile.write_text(PASSWORD + "\n")
    if as_root:
        shutil.chown(folder, "postgres")
        shutil.chown(pwfile, "postgres")

    def run(*args):
        proc = subprocess.run([*run_as, *args], capture_output=True, text=True, cwd=folder)
        assert proc.returncode == 0, f"{' '.join(args)}:\n{proc.stdout}{proc.stderr}"

    port = _free_port()
    run(f"{bin_dir}/initdb", "-D", str(data), "-U", USER, f"--pwfile={pwfile}", "--auth=scram-sha-256",
        "--no-sync", "-E", "UTF8", "--locale=C")
    pwfile.unlink()
    options = f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={folder} -c fsync=off " \
              "-c max_connections=100"
    try:
        run(f"{bin_dir}/pg_ctl", "-D", str(data), "-l", str(folder / "server.log"), "-w", "-t", "60",
            "-o", options, "start")
        from sqlalchemy import create_engine, text

        admin = create_engine(f"postgresql+psycopg://{USER}:{PASSWORD}@127.0.0.1:{port}/postgres",
                              isolation_level="AUTOCOMMIT")

        def url(database, driver="postgresql"):
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{database}"'))
            return f"{driver}://{USER}:{PASSWORD}@127.0.0.1:{port}/{database}"

        yield url
        admin.dispose()
    finally:
        subprocess.run([*run_as, f"{bin_dir}/pg_ctl", "-D", str(data), "-m", "immediate", "-w", "stop"],
                       capture_output=True, cwd=folder)
        shutil.rmtree(folder, ignore_errors=True)


def _submissions(folder, released, chapter, students):
    """``students`` maps a name to "solved" or "stub" (the untouched student notebook)."""
    import nbformat

    from notebooks import solved_submission

    for student, kind in students.items():
        (folder / student / chapter).mkdir(parents=True, exist_ok=True)
        nb = solved_submission(chapter, released[chapter]) if kind == "solved" else \
            nbformat.read(str(released[chapter]), as_version=4)
        nbformat.write(nb, str(folder / student / chapter / f"{chapter}.ipynb"))


def _grade(submissions, out, *args, env=None):
    return subprocess.Popen([sys.executable, "-m", "autograder", "grade", str(submissions), "--out", str(out),
                             "--workers", "1", "--quiet", *args], cwd=REPO, env=env or tool_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _finish(proc):
    stdout, stderr = proc.communicate(timeout=900)
    assert proc.returncode == 0, stdout + stderr
    return stdout + stderr


def _csv(out):
    with open(out / "grades.csv", newline="") as f:
        reader = csv.DictReader(f)
        return reader.fieldnames, {(row["student"], row["assignment"]): row for row in reader}


def _no_password_under(out):
    """Every file under ``out`` (the course's config, .prepared.json, logs, pages, the CSV...) is free of the
    password."""
    leaks = [str(p) for p in Path(out).rglob("*")
             if p.is_file() and not p.is_symlink() and PASSWORD.encode() in p.read_bytes()]
    assert not leaks, f"the database password is written in {leaks}"


def _gradebook(url):
    """``{(student, assignment): score}`` and the counts of rows, read with SQL from the database itself."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as conn:
        scores = conn.execute(text(
            "SELECT s.student_id, a.name, COALESCE(SUM(COALESCE(g.manual_score, g.auto_score, 0)), 0) "
            "FROM submitted_assignment s JOIN assignment a ON a.id = s.assignment_id "
            "JOIN submitted_notebook n ON n.assignment_id = s.id JOIN grade g ON g.notebook_id = n.id "
            "JOIN grade_cells c ON c.id = g.cell_id WHERE c.cell_type = 'code' "
            "GROUP BY s.student_id, a.name")).all()
        counts = {table: conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
                  for table in ("student", "assignment", "submitted_assignment", "course")}
        per_submission = conn.execute(text(
            "SELECT count(*) FROM (SELECT student_id, assignment_id FROM submitted_assignment "
            "GROUP BY student_id, assignment_id HAVING count(*) > 1) AS duplicates")).scalar_one()
    engine.dispose()
    return {(s, a): float(score) for s, a, score in scores}, counts, per_submission


def test_a_class_graded_into_postgres_with_the_url_in_the_environment(postgres, released, tmp_path):
    """With the URL (password included) only in RNN_COURSE_DB, does grading into a live PostgreSQL database
    work with the installed driver, put every student's grades in the gradebook and in grades.csv (exercise
    columns in the chapter's order), write the password into no file, and leave a course folder whose
    nbgrader tools reach the database?"""
    chapter = CHAPTERS[0]
    url = postgres("single")
    _submissions(tmp_path / "submissions", released, chapter, {"ada": "solved", "bob": "stub", "cy": "solved"})
    out = tmp_path / "graded"
    env = {**tool_env(), "RNN_COURSE_DB": url}
    _finish(_grade(tmp_path / "submissions", out, env=env))

    header, rows = _csv(out)
    assert sorted(rows) == [(s, chapter) for s in ("ada", "bob", "cy")]
    for student in ("ada", "cy"):
        assert rows[student, chapter]["status"] == "ok", rows[student, chapter]
        assert float(rows[student, chapter]["score"]) == float(rows[student, chapter]["max_score"]) > 0
    assert float(rows["bob", chapter]["score"]) == 0
    exercises = list(dict.fromkeys(exercise_of_cells(chapter).values()))
    assert header[len(CSV_COLUMNS):] == exercises, "the exercise columns are not in the chapter's order"

    scores, counts, duplicates = _gradebook(url)
    assert scores == {(s, chapter): float(rows[s, chapter]["score"]) for s in ("ada", "bob", "cy")}
    assert counts == {"student": 3, "assignment": 1, "submitted_assignment": 3, "course": 1}
    assert duplicates == 0

    _no_password_under(out)
    assert "postgresql+psycopg://grader@127.0.0.1" in (out / "course" / "nbgrader_config.py").read_text()
    # nbgrader's own tools in the course folder: the password comes from the environment, not a file.
    export = subprocess.run([shutil.which("nbgrader", path=env["PATH"]), "export", "--to", str(tmp_path / "x.csv")],
                            cwd=out / "course", env=env, capture_output=True, text=True)
    assert export.returncode == 0, export.stdout + export.stderr
    assert "ada" in (tmp_path / "x.csv").read_text()
    _no_password_under(out)


def test_two_graders_into_one_database_at_once_lose_and_duplicate_nothing(postgres, released, tmp_path):
    """Do two chapters graded at the same time (two processes, two --out folders) into one fresh PostgreSQL
    database, the same students in both, each give every student's row in their grades.csv and exactly one
    submission per student and chapter in the gradebook, with the same scores?"""
    chapters = CHAPTERS[:2]
    assert len(chapters) == 2
    url = postgres("shared")
    students = {"ada": "solved", "bob": "stub", "cy": "solved"}
    procs = []
    for chapter in chapters:
        _submissions(tmp_path / chapter, released, chapter, students)
        procs.append(_grade(tmp_path / chapter, tmp_path / f"graded-{chapter}", "--db", url))
    for proc in procs:
        _finish(proc)

    scores, counts, duplicates = _gradebook(url)
    assert counts == {"student": 3, "assignment": 2, "submitted_assignment": 6, "course": 1}
    assert duplicates == 0
    for chapter in chapters:
        out = tmp_path / f"graded-{chapter}"
        header, rows = _csv(out)
        assert sorted(rows) == [(s, chapter) for s in students]
        for student, kind in students.items():
            row = rows[student, chapter]
            assert row["status"] == "ok", row
            expected = float(row["max_score"]) if kind == "solved" else 0.0
            assert float(row["score"]) == expected > 0 or float(row["score"]) == expected == 0, row
            assert scores[student, chapter] == float(row["score"])
        assert header[len(CSV_COLUMNS):] == list(dict.fromkeys(exercise_of_cells(chapter).values()))
        _no_password_under(out)
