"""The command line: ``python -m autograder {release,grade,refresh,pages,helpers,check,leaks} ...``."""

import argparse
import os
import sys

from .course import CourseError
from .database import DB_ENV


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m autograder", description=__doc__.split(":")[0] + ".")
    commands = parser.add_subparsers(dest="command", required=True)

    p = commands.add_parser("release", help="write the student notebooks to release/<chapter>/<chapter>.ipynb")
    p.add_argument("chapters", nargs="*", help="chapters to release (default: all)")

    p = commands.add_parser("grade", help="grade a folder of submissions <student>/<chapter>/<notebook>.ipynb "
                                          "or an LMS download (.zip)")
    p.add_argument("submissions", help="the folder of submissions, or a .zip downloaded from an LMS")
    p.add_argument("--out", required=True, help="where grades.csv, feedback/ and the gradebook go")
    p.add_argument("--workers", type=int, default=None, help="notebooks graded at once (default: the cores)")
    p.add_argument("--assignment", action="append", default=[], metavar="CHAPTER",
                   help="grade only this chapter (may be given more than once)")
    p.add_argument("--timeout", type=int, default=60, help="seconds one cell may run (default: 60)")
    p.add_argument("--db", default=os.environ.get(DB_ENV) or None, metavar="URL",
                   help=f"the gradebook's database URL (default: the environment variable {DB_ENV} if set, "
                        "else sqlite in DIR/course/gradebook.db; any URL nbgrader accepts, e.g. "
                        "postgresql://user@host:5432/course, which uses the psycopg driver). Give a password in "
                        f"{DB_ENV} (or PostgreSQL's PGPASSWORD or ~/.pgpass) rather than on the command line; "
                        "no file written under DIR holds it")
    p.add_argument("--lms-pattern", default=None, metavar="REGEX",
                   help="for a zip: a regular expression with the groups (?P<student>...) and (?P<notebook>...) "
                        "matched against its file names (default: Canvas and Moodle downloads)")
    p.add_argument("--notebook-timeout", type=int, default=600, metavar="S",
                   help="seconds the learner's code may take in one notebook in all (default: 600)")
    p.add_argument("--trusted-submissions", action="store_true",
                   help="run learners' code without the operating system's isolation (bubblewrap): only for "
                        "submissions you trust, or where isolation is impossible (macOS, containers without "
                        "user namespaces); every output then says so")
    p.add_argument("--canvas-column", action="append", default=[], metavar="CHAPTER=NAME",
                   help="the column of canvas.csv for a chapter: the assignment's name in Canvas and its id, as "
                        "Canvas's own export names it (e.g. 'ch01_architecture=Chapter 1 (123456)'); without it "
                        "the column is the chapter's name, and importing it makes a new assignment")
    p.add_argument("--quiet", action="store_true", help="no progress bar")

    p = commands.add_parser("refresh", help="after grading written answers in formgrader (in DIR/course): make "
                                            "grades.csv, the LMS exports, the feedback pages and the summary again")
    p.add_argument("--out", required=True, help="the folder a grade run wrote")
    p.add_argument("--db", default=os.environ.get(DB_ENV) or None, metavar="URL",
                   help="the gradebook's database URL, as given to grade (default: as grade's default)")
    p.add_argument("--workers", type=int, default=None, help="pages made at once (default: the cores)")
    p.add_argument("--canvas-column", action="append", default=[], metavar="CHAPTER=NAME",
                   help="as for grade (default: as the grade run had them)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")

    p = commands.add_parser("pages", help="build the chapters' web pages into book/chapters/ (used by make book)")
    p.add_argument("chapters", nargs="*", help="chapters to build (default: all)")

    p = commands.add_parser("helpers", help="copy solutions/checking.py, the checking helpers, into every "
                                            "chapter's setup cell (used by make book)")

    p = commands.add_parser("check", help="run every check of one chapter while you write it")
    p.add_argument("chapters", nargs="+", help="chapters to check")

    p = commands.add_parser("leaks", help="check that the built website and release/ give no answer away")
    p.add_argument("paths", nargs="*", help="files or folders to scan (default: _build/html and release)")

    args = parser.parse_args(argv)
    try:
        if args.command == "release":
            from .release import release

            for path in release(args.chapters):
                print(path)
        elif args.command == "grade":
            from .grade import grade

            grade(args.submissions, args.out, workers=args.workers, only=tuple(args.assignment),
                  timeout=args.timeout, db_url=args.db, lms_pattern=args.lms_pattern, progress=not args.quiet,
                  budget=args.notebook_timeout, trusted=args.trusted_submissions,
                  canvas_columns=_columns(args.canvas_column))
        elif args.command == "refresh":
            from .grade import refresh

            refresh(args.out, db_url=args.db, workers=args.workers, progress=not args.quiet,
                    canvas_columns=_columns(args.canvas_column))
        elif args.command == "pages":
            from .pages import build_pages

            for path in build_pages(args.chapters):
                print(path)
        elif args.command == "helpers":
            from .checking import sync

            for name in sync():
                print(f"updated the checking helpers of {name}")
        elif args.command == "check":
            import pytest

            from .course import REPO, check_chapters

            os.environ["COURSE_CHAPTERS"] = ",".join(check_chapters(args.chapters))
            return pytest.main([str(REPO / "tests" / "test_chapters.py"), str(REPO / "tests" / "test_mutants.py"),
                                "-q", "-p", "no:cacheprovider"])
        elif args.command == "leaks":
            from .leaks import main as leaks

            return leaks(args.paths)
    except CourseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def _columns(pairs):
    """``{chapter: column}`` from ``--canvas-column CHAPTER=NAME`` options."""
    columns = {}
    for pair in pairs:
        chapter, sep, name = pair.partition("=")
        if not sep or not chapter or not name:
            raise CourseError(f"--canvas-column {pair!r}: write CHAPTER=NAME, e.g. "
                              "'ch01_architecture=Chapter 1 (123456)'")
        columns[chapter] = name
    return columns


if __name__ == "__main__":
    sys.exit(main())
