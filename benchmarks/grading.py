"""How fast is grading a class, how does it grow with cores, and against the floor of any serial grader?

Grades N copies of a correct submission of one chapter with 1 and with 2 workers (the grader's own function,
in this process, as `python -m autograder grade` calls it), and executes the same notebook N times serially in
one Python process with nbclient (a kernel start plus the execution: what any grader that runs notebooks one
after another must at least spend). Prints notebooks per minute with 1 and 2 workers and their ratio (goal:
at least 1.7), the ratio of the 2-worker time to the serial floor (goal: at most 0.5), and the main process's
share of all the CPU time the machine spent while grading (goal: under 10 %: the per-notebook work happens in
the workers). The machine's CPU time is read from /proc/stat, so run it on an otherwise idle machine.

Each grading run goes into a grading folder whose nbgrader course was prepared by grading one other
submission first, as every run after a course's first finds it (preparing the course is done once per course:
about 6 s, mostly nbgrader's start-up; it is timed and printed apart).

It also prices the isolation of learners' code (autograder/sandbox/): the same class graded with
`--trusted-submissions` (no bubblewrap), and the median time to start one sandbox and run a cell in it, with and
without bubblewrap.

    .venv/bin/python benchmarks/grading.py [--chapter ch01_architecture] [-n 40]
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

import nbformat  # noqa: E402
from nbclient import NotebookClient  # noqa: E402

from autograder.course import chapters, tool_env  # noqa: E402
from autograder.release import release  # noqa: E402
from notebooks import solved_submission  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chapter", default=chapters()[0])
    parser.add_argument("-n", type=int, default=40, help="number of submissions (default 40)")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="rnn-bench-") as tmp:
        tmp = Path(tmp)
        released = release([args.chapter], out=tmp / "release")[0]
        nb = solved_submission(args.chapter, released)
        for i in range(args.n):
            folder = tmp / "submissions" / f"student{i:03d}" / args.chapter
            folder.mkdir(parents=True)
            nbformat.write(nb, str(folder / f"{args.chapter}.ipynb"))
        (tmp / "first" / "first-student" / args.chapter).mkdir(parents=True)
        nbformat.write(nb, str(tmp / "first" / "first-student" / args.chapter / f"{args.chapter}.ipynb"))

        os.environ.update(tool_env())
        os.environ["NBGRADER_EXECUTION"] = "autograde"
        start = time.perf_counter()
        for _ in range(args.n):
            copy = nbformat.reads(nbformat.writes(nb), as_version=4)
            NotebookClient(copy, timeout=600, kernel_name="python3",
                           resources={"metadata": {"path": str(released.parent)}}).execute()
        floor = time.perf_counter() - start

        first = {}
        for name in ("graded-1", f"graded-{args.workers}", "trusted"):  # the course prepared: one notebook graded
            first[name] = grade(tmp, 1, name, submissions="first")
        runs = {workers: grade(tmp, workers, f"graded-{workers}") for workers in (1, args.workers)}
        trusted = grade(tmp, args.workers, "trusted", trusted=True)
    starts = {isolated: sandbox_start(isolated) for isolated in (True, False)}

    one, many = runs[1], runs[args.workers]
    print(f"chapter {args.chapter}, {args.n} submissions, {os.cpu_count()} cores")
    print(f"serial nbclient floor:          {floor:7.1f} s  ({floor / args.n:.2f} s per notebook)")
    print(f"a course's first run (its preparation and one notebook): {first['graded-1']['wall']:.1f} s")
    for workers, run in runs.items():
        print(f"autograder, {workers} worker(s):        {run['wall']:7.1f} s  ({60 * args.n / run['wall']:.1f} notebooks "
              f"per minute; main process {100 * run['main'] / run['cpu']:.1f} % of the CPU time, "
              f"{run['cpu'] / args.n:.2f} CPU-s per notebook in all)")
    print(f"{args.workers} workers against 1 (goal at least 1.7): {one['wall'] / many['wall']:5.2f}x")
    print(f"ratio to the serial floor (goal at most 0.5): {many['wall'] / floor:5.2f}")
    print(f"without isolation (trusted):    {trusted['wall']:7.1f} s  (isolation costs "
          f"{(many['wall'] - trusted['wall']) / args.n:+.2f} s per notebook)")
    print(f"one sandbox started, a cell run: {1000 * starts[True]:.0f} ms with bubblewrap, "
          f"{1000 * starts[False]:.0f} ms without (median of 21)")


def machine_cpu():
    """CPU seconds the whole machine has spent (every process, every core), from /proc/stat."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _, _, irq, softirq = (int(f) for f in fields[:7])
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def grade(tmp, workers, name, trusted=False, submissions="submissions"):
    """``{"wall", "main", "cpu"}``: seconds to grade the submissions, CPU seconds of this process (the grader's
    main process) and of the whole machine meanwhile."""
    import contextlib

    from autograder.grade import grade as grade_class

    start, main, cpu = time.perf_counter(), time.process_time(), machine_cpu()
    with open(os.devnull, "w") as quiet, contextlib.redirect_stdout(quiet), contextlib.redirect_stderr(quiet):
        rows = grade_class(tmp / submissions, tmp / name, workers=workers, progress=False, trusted=trusted)
    wall, main, cpu = time.perf_counter() - start, time.process_time() - main, machine_cpu() - cpu
    assert all(row["status"] == "ok" and row["score"] == row["max_score"] for row in rows), rows
    return {"wall": wall, "main": main, "cpu": cpu}


def sandbox_start(isolated, runs=21):
    """Median seconds to start a sandbox (isolated or not), run one cell and stop it."""
    from autograder.sandbox import Sandbox

    times = []
    for _ in range(runs):
        start = time.perf_counter()
        Sandbox([("cell", "x = 1")], isolated=isolated).stop()
        times.append(time.perf_counter() - start)
    return sorted(times)[runs // 2]


if __name__ == "__main__":
    main()
