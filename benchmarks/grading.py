"""How fast is grading a class, against the floor of any serial grader?

Grades N copies of a correct submission of one chapter with `python -m autograder grade --workers 2`, and
executes the same notebook N times serially in one Python process with nbclient (a kernel start plus the
execution: what any grader that runs notebooks one after another must at least spend). Prints both times
and their ratio; the goal is a ratio of at most 0.6.

It also prices the isolation of learners' code (autograder/sandbox/): the same class graded with
`--trusted-submissions` (no bubblewrap), and the median time to start one sandbox and run a cell in it, with and
without bubblewrap.

    .venv/bin/python benchmarks/grading.py [--chapter ch01_architecture] [-n 20]
"""

import argparse
import os
import subprocess
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
    parser.add_argument("-n", type=int, default=20, help="number of submissions (default 20)")
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

        os.environ.update(tool_env())
        os.environ["NBGRADER_EXECUTION"] = "autograde"
        start = time.perf_counter()
        for _ in range(args.n):
            copy = nbformat.reads(nbformat.writes(nb), as_version=4)
            NotebookClient(copy, timeout=600, kernel_name="python3",
                           resources={"metadata": {"path": str(released.parent)}}).execute()
        floor = time.perf_counter() - start

        graded, trusted = (grade(tmp, args.workers, name, flags) for name, flags in
                           [("graded", []), ("trusted", ["--trusted-submissions"])])
    starts = {isolated: sandbox_start(isolated) for isolated in (True, False)}

    print(f"chapter {args.chapter}, {args.n} submissions")
    print(f"serial nbclient floor:         {floor:7.1f} s  ({floor / args.n:.2f} s per notebook)")
    print(f"autograder, {args.workers} workers:        {graded:7.1f} s  ({graded / args.n:.2f} s per notebook)")
    print(f"ratio (goal at most 0.6):      {graded / floor:7.2f}")
    print(f"without isolation (trusted):   {trusted:7.1f} s  (isolation costs {(graded - trusted) / args.n:+.2f} s "
          "per notebook)")
    print(f"one sandbox started, a cell run: {1000 * starts[True]:.0f} ms with bubblewrap, "
          f"{1000 * starts[False]:.0f} ms without (median of 21)")


def grade(tmp, workers, name, flags):
    """Seconds to grade the submissions with the real command line."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "autograder", "grade", str(tmp / "submissions"), "--out", str(tmp / name),
                    "--workers", str(workers), "--quiet", *flags], cwd=REPO, check=True, env=tool_env(),
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


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
