"""The course's grading tool: release student notebooks, grade a class, build the chapters' web pages.

Run it as ``python -m autograder <command>``; ``python -m autograder --help`` lists the commands.

- ``course.py``: where things are (the chapters, the repository) and how nbgrader is called.
- ``nbgrader_config.py``: the nbgrader settings every command uses.
- ``release.py``: the student notebooks (``release/<chapter>/<chapter>.ipynb``).
- ``submissions.py``: what a class handed in (a folder, or an LMS download), as students and notebooks: who
  each is (the LMS's id, their name), which file counts, and why every other file is not graded.
- ``untrusted.py``: what learners control, kept to their own row: input limits, regular files only, safe CSV
  fields and HTML.
- ``scores.py``: how a notebook's points add up (automatic, written, waiting for a person), for grades.csv
  and the feedback page alike.
- ``grade.py``: grading a class (and ``refresh`` after formgrader): the batch, its workers, its files.
- ``worker.py``: grading one notebook, stage by stage, in a worker process.
- ``gradebook.py``: the nbgrader course folder and the gradebook's writes.
- ``exports.py``: ``grades.csv``, Canvas's and Moodle's gradebook imports.
- ``recover.py``: the cells of a submission whose editor dropped nbgrader's metadata, recognised.
- ``isolate.py``: the notebook a kernel runs to grade: the tests in the kernel, the learner's cells in the sandbox.
- ``sandbox/``: the sandbox, confined by bubblewrap: its command line, the program inside, the messages, the
  kernel's handle.
- ``summary.py``: ``summary.html``, where the class struggles.
- ``feedback.py``: what a learner's feedback shows (never the source of hidden tests).
- ``pages.py``: the chapters' web pages, executed from the solution and stripped like the release.
- ``leaks.py``: the check that nothing a learner can download gives an answer away.
"""
