"""Learners' code is isolated by the operating system: nothing it does reaches the tests, the files or another
student.

Each attack is code a hostile learner appends to their (correct) first exercise cell, and every attack starts
by switching off the sandbox's own rules (the audit hook), as a real attacker would. The same class is graded
twice through the real command line: once with ``--trusted-submissions`` (no isolation), where every attack
must escape, which shows the fixture can do what it claims, and once isolated, where every attack must be
contained and every student keep full marks. Escapes are harmless: marker files in the test's own folder, a
dummy process the test started, a copy of a gradebook.
"""

import csv
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time

import nbformat
import pytest

from autograder.course import REPO, tool_env
from autograder.sandbox import unavailable
from autograder.sandbox.bubblewrap import UID_BASE

from conftest import CHAPTERS
from notebooks import exercises, grade_id, left_behind, sandbox_processes, solved_submission, source_notebook

CHAPTER = CHAPTERS[0]
TOKEN = f"rnnd{os.getpid() % 100000}"  # the name a daemon gives itself (at most 15 characters)

DISARM = """
import gc
for _rules in [o for o in gc.get_objects() if type(o).__name__ in ("Rules", "ReferenceFinder")]:
    _rules.armed = False  # the audit hook and the import finder stop refusing anything
    if hasattr(_rules, "rules"):
        _rules.rules = type("Off", (), {"armed": False})()
"""

ATTACKS = {
    # the reference implementation and the instructor's notebook (hidden tests included), into the feedback
    "reads_files": """
        for path in [{repo!r} + "/rnn" + "_ref/rnn.py", {repo!r} + "/solutions/{chapter}/{chapter}.ipynb"]:
            try:
                text = open(path).read()
                print("LEAKED", path, ("BEGIN HIDDEN" + " TESTS") in text or "def rnn_cell_forward" in text)
            except OSError as error:
                print("could not read", path, error)
        """,
    # a test kernel's connection file, found in /proc, and code run inside the kernel
    "kernel": """
        import glob
        files = set()
        for cmdline in glob.glob("/proc/[0-9]*/cmdline"):
            try:
                words = open(cmdline, "rb").read().decode(errors="replace").split("\\0")
            except OSError:
                continue
            if any("ipykernel" in w for w in words):
                files |= {{w for w in words if w.endswith(".json")}}
        print("connection files seen:", len(files))
        from jupyter_client import BlockingKernelClient
        for path in files:
            try:
                client = BlockingKernelClient(connection_file=path)
                client.load_connection_file()
                client.start_channels()
                client.execute("open({markers!r} + '/kernel', 'a').write('ran in a test kernel\\\\n')")
                time.sleep(1)
            except Exception as error:
                print("could not use", path, error)
        """,
    # shell commands
    "shell": """
        import os
        print("os.system returned", os.system("touch {markers}/shell"))
        """,
    # a process started from C (no audit event), still running after the batch
    "daemon": """
        import ctypes, time
        libc = ctypes.CDLL(None)
        if libc.fork() == 0:
            libc.prctl(15, {token!r}.encode(), 0, 0, 0)  # PR_SET_NAME: the test finds it by this name
            libc.setsid()
            while True:
                time.sleep(1)
        """,
    # another process on the machine (here a dummy the test started) killed
    "kills": """
        import os, signal
        try:
            os.kill({victim}, signal.SIGKILL)
            print("killed", {victim})
        except OSError as error:
            print("could not kill", {victim}, error)
        """,
    # a gradebook opened and every score set to 0 (here a copy the test made)
    "gradebook": """
        import sqlite3
        try:
            with sqlite3.connect({gradebook!r}) as db:
                db.execute("UPDATE grade SET auto_score = 0")
            print("changed the gradebook")
        except Exception as error:
            print("could not change the gradebook", error)
        """,
    # who the learner's code runs as
    "runs_as": """
        import os
        print("EUID", os.geteuid())
        """,
    # a folder the grader may handle with privileges, planted with symbolic links to the grader's files
    "symlinks": """
        import os, signal
        for name in [".sandbox-output.log", "planted"]:
            try:
                os.symlink({victim_file!r}, name)
            except OSError as error:
                print("could not plant", name, error)
        print("FOLDER", os.getcwd())
        """,
}


def attack(name, **paths):
    """The code a hostile learner appends to their first exercise cell."""
    body = textwrap.dedent(ATTACKS[name]).format(repo=str(REPO), chapter=CHAPTER, token=TOKEN, **paths)
    return DISARM + "import time\ntry:\n" + textwrap.indent(body, "    ") + (
        "\nexcept Exception as error:\n    print('attack failed:', type(error).__name__, error)\n")


def daemons():
    """PIDs of processes named like the daemon attack's."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if open(f"/proc/{pid}/comm").read().strip() == TOKEN:
                found.append(int(pid))
        except OSError:
            pass
    return found


def grade_class(released, root, trusted):
    """Grade the honest student and every attack; return what each attack could reach."""
    markers = root / "markers"
    markers.mkdir()
    sandboxes_before = sandbox_processes()
    victim = subprocess.Popen(["sleep", "600"])
    victim_file = root / "victim.txt"
    victim_file.write_text("the grader's file\n")
    gradebook = root / "gradebook-copy.db"
    with sqlite3.connect(gradebook) as db:
        db.execute("CREATE TABLE grade (name TEXT, auto_score REAL)")
        db.executemany("INSERT INTO grade VALUES (?, ?)", [("alice", 4.0), ("bob", 3.0)])
    paths = dict(markers=str(markers), victim=victim.pid, victim_file=str(victim_file), gradebook=str(gradebook))
    first = list(exercises(source_notebook(CHAPTER)))[0]
    submissions = root / "submissions"
    for student in ["honest", *ATTACKS]:
        nb = solved_submission(CHAPTER, released[CHAPTER])
        if student != "honest":
            for cell in nb.cells:
                if grade_id(cell) == first:
                    cell.source += "\n" + attack(student, **paths)
        (submissions / student / CHAPTER).mkdir(parents=True)
        nbformat.write(nb, str(submissions / student / CHAPTER / f"{CHAPTER}.ipynb"))
    out = root / "graded"
    command = [sys.executable, "-m", "autograder", "grade", str(submissions), "--out", str(out), "--workers", "2",
               "--timeout", "30", "--quiet"] + (["--trusted-submissions"] if trusted else [])
    try:
        proc = subprocess.run(command, cwd=REPO, env=tool_env(), capture_output=True, text=True, timeout=1800)
        time.sleep(1)  # a daemon's fork has had time to name itself
        found = daemons()
    finally:  # harmless, but nothing is left behind, whatever happened
        for pid in daemons():
            os.kill(pid, signal.SIGKILL)
        victim_alive = victim.poll() is None
        victim.kill()
        victim.wait()
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    with open(out / "grades.csv", newline="") as f:
        rows = {row["student"]: row for row in csv.DictReader(f)}
    printed = {}
    for student in rows:
        graded = nbformat.read(str(out / "course" / "autograded" / student / CHAPTER / f"{CHAPTER}.ipynb"), 4)
        cell = next(c for c in graded.cells if grade_id(c) == first)
        printed[student] = "".join(o.get("text", "") for o in cell.get("outputs", []))
    with sqlite3.connect(gradebook) as db:
        scores = [score for (score,) in db.execute("SELECT auto_score FROM grade")]
    return {"rows": rows, "printed": printed, "log": proc.stdout + proc.stderr, "out": out,
            "sandboxes_before": sandboxes_before,
            "kernel_ran": (markers / "kernel").exists(), "shell_ran": (markers / "shell").exists(),
            "daemons": found, "victim_alive": victim_alive, "gradebook_scores": scores,
            "victim_file": (victim_file.read_text(), victim_file.stat().st_uid), "uid": os.geteuid()}


@pytest.fixture(scope="module")
def unisolated(released, tmp_path_factory):
    return grade_class(released, tmp_path_factory.mktemp("unisolated"), trusted=True)


@pytest.fixture(scope="module")
def isolated(released, tmp_path_factory):
    assert unavailable() is None, f"this machine cannot isolate learners' code: {unavailable()}"
    return grade_class(released, tmp_path_factory.mktemp("isolated"), trusted=False)


def test_without_isolation_every_attack_escapes(unisolated):
    """The fixtures work: with the isolation switched off (--trusted-submissions), does every attack reach
    what it aims at?"""
    printed = unisolated["printed"]
    assert printed["reads_files"].count("LEAKED") == 2 and "True" in printed["reads_files"], printed["reads_files"]
    assert unisolated["kernel_ran"], printed["kernel"]
    assert unisolated["shell_ran"], printed["shell"]
    assert unisolated["daemons"], "the daemon did not outlive the batch"
    assert not unisolated["victim_alive"], printed["kills"]
    assert unisolated["gradebook_scores"] == [0.0, 0.0], printed["gradebook"]
    assert f"EUID {unisolated['uid']}" in printed["runs_as"], printed["runs_as"]
    folder = printed["symlinks"].split("FOLDER ", 1)[-1].strip()
    assert folder.startswith("/") and "could not plant" not in printed["symlinks"], printed["symlinks"]


def test_isolated_every_attack_is_contained(isolated):
    """With the isolation on, does every attack fail: no file of the course read, no code run in a test
    kernel, no shell command, no process left, none killed, no gradebook changed?"""
    printed = isolated["printed"]
    assert "LEAKED" not in printed["reads_files"] and printed["reads_files"].count("could not read") == 2, \
        printed["reads_files"]
    assert not isolated["kernel_ran"] and "connection files seen: 0" in printed["kernel"], printed["kernel"]
    assert not isolated["shell_ran"], printed["shell"]
    assert not isolated["daemons"], "a process started by a learner outlived the batch"
    assert isolated["victim_alive"], printed["kills"]
    assert isolated["gradebook_scores"] == [4.0, 3.0], printed["gradebook"]


def test_learners_code_runs_as_an_unprivileged_user_of_its_own(isolated):
    """Does the learner's code run as a user that is not root (when the grader is root: a user id of the
    sandbox's own), in a folder that is not the grader's, and leave the grader's files alone whatever links
    it plants?"""
    euid = int(isolated["printed"]["runs_as"].split("EUID", 1)[1].split()[0])
    assert euid != 0 and (euid >= UID_BASE if isolated["uid"] == 0 else euid == 65534), euid
    assert isolated["victim_file"] == ("the grader's file\n", isolated["uid"])
    folder = isolated["printed"]["symlinks"].split("FOLDER ", 1)[-1].strip()
    assert folder == "/home/learner" and not os.path.exists(os.path.join(folder, "planted")), folder


def test_every_contained_attacker_and_the_honest_student_keep_full_marks(isolated):
    """Does every student, whose functions are correct, keep full marks with status ok beside the attacks?"""
    for student, row in isolated["rows"].items():
        assert float(row["score"]) == float(row["max_score"]) > 0, row
        assert row["status"] == "ok", row


def test_no_process_outlives_an_isolated_batch(isolated):
    """Once grading is over, is every sandbox process (bubblewrap and what runs in it) gone?"""
    assert not left_behind(isolated["sandboxes_before"])


def test_grading_without_an_isolation_engine_stops_with_a_message(tmp_path):
    """On a machine without bubblewrap, does grade refuse to run learners' code, say what to install and
    name the flag for trusted submissions, and exit 2?"""
    empty = tmp_path / "bin"
    empty.mkdir()
    python = tmp_path / "bin" / "python"
    python.symlink_to(sys.executable)
    env = dict(tool_env(), PATH=str(empty))  # no bwrap on PATH
    (tmp_path / "subs" / "alice" / CHAPTER).mkdir(parents=True)
    shutil.copy(REPO / "solutions" / CHAPTER / f"{CHAPTER}.ipynb", tmp_path / "subs" / "alice" / CHAPTER)
    proc = subprocess.run([sys.executable, "-m", "autograder", "grade", str(tmp_path / "subs"), "--out",
                           str(tmp_path / "out")], cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "bubblewrap" in proc.stderr and "--trusted-submissions" in proc.stderr, proc.stderr
    assert not (tmp_path / "out" / "grades.csv").exists()


def test_a_batch_without_isolation_says_so_everywhere(unisolated):
    """Does a batch graded with --trusted-submissions say so on the terminal and in summary.html?"""
    assert "WITHOUT ISOLATION" in unisolated["log"]
    assert "WITHOUT ISOLATION" in (unisolated["out"] / "summary.html").read_text()
