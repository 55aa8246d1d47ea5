"""The nbgrader settings of the course, shared by every command of the autograder.

nbgrader reads a file called ``nbgrader_config.py`` in its course folder. The autograder writes a two-line
one there that calls :func:`configure`, so that the settings live in one place (this file) and nbgrader's own
tools (``nbgrader formgrader``, ``nbgrader export``) see the same settings as the autograder.
"""

# Learners see these where the solution was (nbgrader's ClearSolutions; pages.py and scores.py use them too).
CODE_STUB = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
TEXT_STUB = "YOUR ANSWER HERE"


def configure(c, root, source="source", release="release", db_url=None, cell_timeout=60):
    """Fill the traitlets config ``c`` for a course folder at ``root``.

    root: the nbgrader course folder; source: its folder of source notebooks (one per chapter);
    release: where student versions go; db_url: the gradebook (default: ``gradebook.db`` in ``root``), written
    without its password, which comes from ``RNN_COURSE_DB`` (see database.py); cell_timeout: seconds a cell
    may run while grading.
    """
    from autograder.database import normalize, with_password

    c.CourseDirectory.root = str(root)
    c.CourseDirectory.source_directory = source
    c.CourseDirectory.release_directory = release
    c.CourseDirectory.db_url = with_password(normalize(db_url)) or f"sqlite:///{root}/gradebook.db"
    # The course every gradebook row belongs to. nbgrader's own default ('') makes its commands add assignments
    # that refer to a course row that does not exist: SQLite does not check, PostgreSQL refuses. The autograder's
    # own Gradebook calls use nbgrader's Gradebook default, "default_course"; so do its commands now.
    c.CourseDirectory.course_id = "default_course"
    c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", ".*"]

    c.ClearSolutions.code_stub = CODE_STUB
    c.ClearSolutions.text_stub = TEXT_STUB

    # Grading: a test cell a learner deleted comes back; a cell may not run forever.
    c.OverwriteCells.add_missing_cells = True
    c.Execute.timeout = cell_timeout
    c.Execute.interrupt_on_timeout = True
    c.LimitOutput.max_lines = 200
    c.LimitOutput.max_traceback = 40

    # Feedback never shows the source of hidden tests, nor their tracebacks, and runs nothing a learner wrote
    # (nbgrader's own `nbgrader generate_feedback` included).
    c.GenerateFeedback.exporter_class = "autograder.feedback.SafeFeedbackExporter"
    c.GenerateFeedback.preprocessors = [
        "autograder.feedback.GetScores",
        "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
        "nbgrader.preprocessors.ClearHiddenTests",
        "autograder.feedback.HideTestTracebacks",
        "autograder.feedback.SanitizeOutputs",
    ]
