"""The command line: ``python -m autograder {release,grade,pages,check} ...``."""

import argparse
import sys

from .course import CourseError


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m autograder", description=__doc__.split(":")[0] + ".")
    commands = parser.add_subparsers(dest="command", required=True)

    p = commands.add_parser("release", help="write the student notebooks to release/<chapter>/<chapter>.ipynb")
    p.add_argument("chapters", nargs="*", help="chapters to release (default: all)")

    p = commands.add_parser("grade", help="grade a folder of submissions <student>/<chapter>/<notebook>.ipynb")
    p.add_argument("submissions", help="the folder of submissions")
    p.add_argument("--out", required=True, help="where grades.csv, feedback/ and the gradebook go")
    p.add_argument("--workers", type=int, default=None, help="notebooks graded at once (default: the cores)")
    p.add_argument("--assignment", action="append", default=[], metavar="CHAPTER",
                   help="grade only this chapter (may be given more than once)")
    p.add_argument("--timeout", type=int, default=60, help="seconds one cell may run (default: 60)")

    p = commands.add_parser("pages", help="build the chapters' web pages into book/chapters/ (used by make book)")
    p.add_argument("chapters", nargs="*", help="chapters to build (default: all)")

    p = commands.add_parser("check", help="run every check of one chapter while you write it")
    p.add_argument("chapters", nargs="+", help="chapters to check")

    args = parser.parse_args(argv)
    try:
        if args.command == "release":
            from .release import release

            for path in release(args.chapters):
                print(path)
        elif args.command == "grade":
            from .grade import grade

            grade(args.submissions, args.out, workers=args.workers, only=tuple(args.assignment),
                  timeout=args.timeout)
        elif args.command == "pages":
            from .pages import build_pages

            for path in build_pages(args.chapters):
                print(path)
        elif args.command == "check":
            import os

            import pytest

            from .course import REPO, check_chapters

            os.environ["COURSE_CHAPTERS"] = ",".join(check_chapters(args.chapters))
            return pytest.main([str(REPO / "tests" / "test_chapters.py"), str(REPO / "tests" / "test_mutants.py"),
                                "-q", "-p", "no:cacheprovider"])
    except CourseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
