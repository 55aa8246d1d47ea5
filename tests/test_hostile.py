"""Hostile and broken submissions: each costs only its own author the marks, never stops the batch, never
scores full marks by cheating, and gets a row with a status that says what happened.

Every case is the first chapter's solution with one thing done to it, graded together with an honest
student in one batch through the real command line (with a short cell timeout, so hangs end quickly).
"""

import csv
import hashlib
import subprocess
import sys
import textwrap

import nbformat
import pytest

from autograder.course import REPO, tool_env

from conftest import CHAPTERS
from notebooks import exercises, grade_id, left_behind, sandbox_processes, solved_submission, source_notebook

CHAPTER = CHAPTERS[0]


def wrap(name, body):
    """Code that keeps the learner's correct ``name`` but runs ``body`` first whenever it is called."""
    return (f"\n_solved_{name} = {name}\ndef {name}(*args, **kwargs):\n"
            + textwrap.indent(textwrap.dedent(body), "    ") + f"\n    return _solved_{name}(*args, **kwargs)\n")


def wrong(name, extra=""):
    """A wrong ``name`` (it returns None), plus ``extra`` top-level code."""
    return f"\ndef {name}(*args, **kwargs):\n    return None\n" + textwrap.dedent(extra)


def cases(out, submissions):
    """``{student: (what is done to the first exercise's cell, or a function of the notebook)}``."""
    nb = source_notebook(CHAPTER)
    first, second = list(exercises(nb))[:2]
    gradebook = out / "course" / "gradebook.db"
    honest = submissions / "honest" / CHAPTER / f"{CHAPTER}.ipynb"
    patches = """
        import builtins, numpy as np, numpy.testing
        np.allclose = lambda *a, **k: True
        np.array_equal = lambda *a, **k: True
        np.testing.assert_allclose = lambda *a, **k: None
        builtins.AssertionError = Exception
        builtins.isinstance = lambda *a: True
        check_close = check_shape = lambda *a, **k: None
        """
    return first, second, {
        "loop": wrap(first, "while True:\n    pass"),
        "sleep": "\nimport time\ntime.sleep(10**6)\n",
        "exits": "\nimport sys\nsys.exit(0)\n",
        "os_exit": wrap(first, "import os\nos._exit(3)"),
        "interrupt": wrap(first, "raise KeyboardInterrupt"),
        "segfault": wrap(first, "import faulthandler\nfaulthandler._read_null()"),  # a real fault, as a C bug gives
        "ctypes": wrap(first, "import ctypes\nctypes.string_at(0)"),
        "memory": wrap(first, "import numpy\nhog = numpy.ones((40000, 40000, 4))"),
        "flood": wrap(first, "print('spam ' * 10**7)\nfor i in range(10**5):\n    print(i)"),
        "background": wrap(first, "import subprocess\nsubprocess.Popen(['sleep', '600'])"),
        "forks": wrap(first, "import os\nif os.fork() == 0:\n    import time\n    time.sleep(600)"),
        "patches": wrong(first, patches),
        # Plausible but wrong results (every array off by 0.1), with the tests' helpers and builtins rebound
        # in the exercise cell: the kernel must keep the instructor's.
        "helpers_rebound": wrap(first, "pass").replace(
            f"return _solved_{first}(*args, **kwargs)",
            f"return tuple(v + 0.1 if hasattr(v, 'shape') else v for v in _solved_{first}(*args, **kwargs))")
        + "\ncheck_close = check_shape = lambda *a, **k: None\nfresh = lambda *v: v[0] if len(v) == 1 else v\n"
          "isinstance = lambda *a: True\nlen = lambda *a: 4\n",
        # Bounded: a result too large to take back, an endless error message, a function too slow for the
        # notebook's time budget (--notebook-timeout).
        "huge": f"\ndef {first}(*args, **kwargs):\n    return 'x' * (100 << 20)\n",
        "long_error": f"\ndef {first}(*args, **kwargs):\n    raise ValueError('x' * 10**7)\n",
        # No request reaches its time limit (10 s, half of --timeout) and no cell --timeout (20 s), the notebook
        # does (30 s): 9 s defining, then 1.5 s a call. (The later exercises' tests call the reference's first
        # exercise, not this one.)
        "slow": wrap(first, "import time\ntime.sleep(1.5)") + "\nimport time\ntime.sleep(9)\n",
        "reference": f"\nimport rnn_ref\n{first} = rnn_ref.{first}\n",
        "reference_by_path": f"\nimport sys\nsys.path.insert(0, {str(REPO)!r})\nimport importlib\n"
                             f"{first} = getattr(importlib.import_module('rnn_' + 'ref'), {first!r})\n",
        "reads_solutions": f"\nsecret = open({str(REPO / 'solutions' / CHAPTER / (CHAPTER + '.ipynb'))!r}).read()\n",
        "vandal": f"\nimport os, shutil\nfor target in [{str(gradebook)!r}, {str(honest)!r}]:\n"
                  "    try:\n        os.remove(target)\n    except Exception:\n        pass\n"
                  f"open({str(honest)!r}, 'w').write('gone')\nshutil.rmtree({str(out / 'course')!r})\n",
        "tests_emptied": ("wrong", lambda cell: setattr(cell, "source", "pass")),
        "tests_deleted": ("wrong", None),
        "tests_unlocked": ("wrong", lambda cell: (cell.metadata["nbgrader"].update(grade=False, locked=False),
                                                  setattr(cell, "source", "pass"))),
        "points_raised": ("solved", lambda cell: cell.metadata["nbgrader"].update(points=100)),
        "fake_test_cell": ("wrong", "fake"),
        # The cell written with the sequence function below it: while rnn_cell_forward is tested, rnn_forward is
        # the learner's own (only the exercises above the one tested are the reference's), which calls this
        # rnn_cell_forward again; rnn_forward's tests, with the reference's cell, still pass.
        "borrows_below": f"\ndef {first}(xt, a_prev, parameters):\n"
                         f"    a, y_pred, caches = {second}(xt[:, :, None], a_prev, parameters)\n"
                         f"    return a[:, :, 0], y_pred[:, :, 0], caches[0][0]\n",
        # Not hostile: IPython syntax, which works in the learner's Jupyter, keeps working while grading
        # (shell commands excepted: they must not run).
        "ipython": ("prefix", "%%time\n", f"\n%matplotlib inline\n%time _ = 1 + 1\n%timeit -n 1 -r 1 sum([1])\n"
                                          f"np.zeros?\ndisplay(1 + 1)\n!touch {out / 'shell-ran'}\nfiles = !ls\n"),
    }


@pytest.fixture(scope="module")
def hostile(released, tmp_path_factory):
    submissions = tmp_path_factory.mktemp("hostile")
    out = tmp_path_factory.mktemp("hostile-graded")
    first, second, plan = cases(out, submissions)
    for student, change in {"honest": "", **plan}.items():
        nb = solved_submission(CHAPTER, released[CHAPTER])
        if isinstance(change, str):
            for cell in nb.cells:
                if grade_id(cell) == first:
                    cell.source += change
        elif change[0] == "prefix":
            for cell in nb.cells:
                if grade_id(cell) == first:
                    cell.source = change[1] + cell.source + change[2]
        else:
            kind, edit = change
            for cell in nb.cells:
                if grade_id(cell) == first and kind == "wrong":
                    cell.source += wrong(first)
            tests = {grade_id(c) for c in exercises(source_notebook(CHAPTER))[first]}
            if edit is None:
                nb.cells = [c for c in nb.cells if grade_id(c) not in tests]
            elif edit == "fake":
                fake = nbformat.v4.new_code_cell("print('all tests passed')", metadata={"nbgrader": {
                    "grade": True, "solution": False, "locked": True, "points": 50, "grade_id": "test_fake",
                    "schema_version": 3, "task": False}})
                nb.cells.append(fake)
            else:
                for cell in nb.cells:
                    if grade_id(cell) in tests:
                        edit(cell)
        folder = submissions / student / CHAPTER
        folder.mkdir(parents=True)
        nbformat.write(nb, str(folder / f"{CHAPTER}.ipynb"))
    before = hashlib.sha256((submissions / "honest" / CHAPTER / f"{CHAPTER}.ipynb").read_bytes()).hexdigest()
    sandboxes_before = sandbox_processes()
    proc = subprocess.run([sys.executable, "-m", "autograder", "grade", str(submissions), "--out", str(out),
                           "--workers", "2", "--timeout", "20", "--notebook-timeout", "30"], cwd=REPO, env=tool_env(), capture_output=True,
                          text=True, timeout=1800)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    with open(out / "grades.csv", newline="") as f:
        rows = {row["student"]: row for row in csv.DictReader(f)}
    after = hashlib.sha256((submissions / "honest" / CHAPTER / f"{CHAPTER}.ipynb").read_bytes()).hexdigest()
    return {"rows": rows, "first": first, "second": second, "log": proc.stdout + proc.stderr,
            "sandboxes_before": sandboxes_before,
            "honest_unchanged": before == after, "out": out}


def points(row, exercise):
    return float(row[exercise] or 0)


def test_the_honest_student_keeps_full_marks(hostile):
    """Does a correct submission graded beside all the hostile ones get full marks, and stay untouched?"""
    row = hostile["rows"]["honest"]
    assert row["status"] == "ok", row
    assert float(row["score"]) == float(row["max_score"]), row
    assert hostile["honest_unchanged"], "a hostile submission changed another student's notebook"
    assert (hostile["out"] / "course" / "gradebook.db").exists()


def test_ipython_syntax_in_an_exercise_cell_keeps_full_marks_but_runs_no_shell_command(hostile):
    """Does an exercise cell with %%time, %matplotlib, %timeit, name?, display() and !commands (as learners
    write in Jupyter) score like the honest one, with a note instead of the shell command, which must not
    run?"""
    row, honest = hostile["rows"]["ipython"], hostile["rows"]["honest"]
    assert row["status"] == "ok" and row["score"] == honest["score"], row
    assert not (hostile["out"] / "shell-ran").exists(), "a shell command of the learner ran while grading"
    graded = nbformat.read(str(hostile["out"] / "course" / "autograded" / "ipython" / CHAPTER / f"{CHAPTER}.ipynb"),
                           as_version=4)
    cell = next(c for c in graded.cells if grade_id(c) == hostile["first"])
    assert cell.source.startswith("%%time"), "the feedback should show the learner's own code"
    printed = "".join(o.get("text", "") for o in cell.outputs)
    assert "shell commands do not run" in printed and "\n2\n" in f"\n{printed}", cell.outputs  # 2: display()
    assert not [o for o in cell.outputs if o.output_type == "error"], cell.outputs


def test_every_hostile_submission_gets_one_row(hostile):
    """Is every submission in grades.csv exactly once, none at full marks unless it is honest work?"""
    rows = hostile["rows"]
    first, second, plan = cases(hostile["out"], hostile["out"])
    assert set(rows) == {"honest", *plan}
    for student, row in rows.items():
        assert float(row["score"]) <= float(row["max_score"]), row


@pytest.mark.parametrize("student, status", [
    ("loop", "timeout"), ("os_exit", "crash"), ("segfault", "crash"), ("memory", ""), ("interrupt", ""),
    ("flood", ""), ("ctypes", "flagged"), ("background", "flagged"), ("forks", "flagged"),
])
def test_a_misbehaving_exercise_loses_its_points_with_a_clear_status(hostile, student, status):
    """Do hangs, crashes, memory hogs, floods and forbidden features cost that exercise its points (and
    nothing else), with a status naming what happened?"""
    row = hostile["rows"][student]
    first = hostile["first"]
    if student == "flood":  # printing a lot is allowed, and the function is still correct
        assert points(row, first) == points(hostile["rows"]["honest"], first), row
    else:
        assert points(row, first) == 0, row
    assert status in row["status"], row
    if status == "flagged":
        assert first in row["status"], row


def test_what_comes_back_from_the_sandbox_is_bounded(hostile):
    """Does a function returning a huge value, or raising an endless message, cost its exercise its points,
    with a status and an output of bounded size, the sandbox started again for the next exercise? Does a
    function too slow for the notebook's time budget stop with a status that says so?"""
    rows, first = hostile["rows"], hostile["first"]
    assert points(rows["huge"], first) == 0 and "refused" in rows["huge"]["status"], rows["huge"]
    huge = nbformat.read(str(hostile["out"] / "course" / "autograded" / "huge" / CHAPTER / f"{CHAPTER}.ipynb"), 4)
    errors = [o.get("evalue", "") for c in huge.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert errors and not any("no longer running" in e for e in errors), errors  # started again after the crash
    assert points(rows["long_error"], first) == 0, rows["long_error"]
    graded = hostile["out"] / "course" / "autograded" / "long_error" / CHAPTER / f"{CHAPTER}.ipynb"
    assert graded.stat().st_size < 1_000_000, graded.stat().st_size
    assert "out of time" in rows["slow"]["status"], rows["slow"]
    assert float(rows["slow"]["score"]) < float(rows["honest"]["score"]), rows["slow"]


def test_hanging_or_exiting_cells_do_not_stop_the_notebook(hostile):
    """Do a cell that sleeps forever and a cell that calls sys.exit leave the later exercises gradable?"""
    rows, second = hostile["rows"], hostile["second"]
    honest = points(rows["honest"], second)
    assert honest > 0
    assert points(rows["sleep"], second) == honest, rows["sleep"]
    assert "timeout" in rows["sleep"]["status"]
    assert points(rows["exits"], second) == honest, rows["exits"]


@pytest.mark.parametrize("student", ["patches", "helpers_rebound", "tests_emptied", "tests_deleted",
                                     "tests_unlocked", "fake_test_cell"])
def test_tampering_with_the_tests_scores_nothing(hostile, student):
    """Does a wrong function score 0 even when its author patched numpy, builtins and the test helpers,
    or emptied, deleted, unlocked or faked test cells?"""
    row = hostile["rows"][student]
    assert points(row, hostile["first"]) == 0, row
    assert float(row["max_score"]) == float(hostile["rows"]["honest"]["max_score"]), row
    assert float(row["score"]) < float(row["max_score"]), row


def test_raising_the_points_of_a_test_changes_nothing(hostile):
    """Are a test cell's points reset to the instructor's?"""
    row, honest = hostile["rows"]["points_raised"], hostile["rows"]["honest"]
    assert float(row["score"]) == float(honest["score"]) and row["max_score"] == honest["max_score"], row


@pytest.mark.parametrize("student, reason", [
    ("reference", "imports the reference implementation"),
    ("reference_by_path", "reference"),
    ("reads_solutions", "reads the instructor's files"),
    ("vandal", "writes outside its own folder"),
])
def test_using_the_reference_or_instructor_files_is_flagged_and_scores_zero(hostile, student, reason):
    """Is an exercise that imports rnn_ref, reads the instructor's files or touches other files flagged
    in the status and given 0 points?"""
    row = hostile["rows"][student]
    assert row["status"].startswith("flagged"), row
    assert reason in row["status"] and hostile["first"] in row["status"], row
    assert points(row, hostile["first"]) == 0, row


def test_an_exercise_cannot_borrow_the_reference_of_one_below_it(hostile):
    """Does a first exercise written by calling the second one (whose own tests see the reference's first) score
    nothing, while the second keeps its points?"""
    row, honest = hostile["rows"]["borrows_below"], hostile["rows"]["honest"]
    assert points(row, hostile["first"]) == 0, row
    assert points(row, hostile["second"]) == points(honest, hostile["second"]) > 0, row


def test_no_process_outlives_the_batch(hostile):
    """Once grading is over, is every sandbox process it started gone?"""
    assert not left_behind(hostile["sandboxes_before"])
