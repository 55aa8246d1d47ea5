"""Do the graded tests catch typical mistakes? Each planted bug of tests/mutants/<chapter>.py must make at
least one test cell of its exercise fail.

One kernel per chapter runs the source notebook cell by cell; at each exercise, before its real tests, every
bug planted in that exercise is defined in turn and the exercise's test cells (hidden parts included) run
against it, then the correct solution is defined again.
"""

import pytest

from autograder.course import SOLUTIONS

from conftest import CHAPTERS
from notebooks import Kernel, exercises, grade_id, is_test, load_mutants, source_notebook


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_planted_bug_is_caught(chapter):
    """Does each planted bug fail at least one test of its exercise (and the correct solution pass)?"""
    mutants = load_mutants(chapter)
    nb = source_notebook(chapter)
    tests_of = {name: tests for name, tests in exercises(nb).items()}
    assert mutants, f"tests/mutants/{chapter}.py plants no bug"
    assert {m[0] for m in mutants} >= set(tests_of), \
        f"exercises with no planted bug: {sorted(set(tests_of) - {m[0] for m in mutants})}"
    uncaught = []
    kernel = Kernel(SOLUTIONS / chapter)
    try:
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            name = grade_id(cell)
            if name in tests_of:
                for exercise, find, replace, why in (m for m in mutants if m[0] == name):
                    assert cell.source.count(find) == 1, f"{exercise}: {find!r} must occur once in its cell"
                    assert kernel.run(cell.source.replace(find, replace)) is None, f"{why}: does not even define"
                    if all(kernel.run(test.source) is None for test in tests_of[name]):
                        uncaught.append(f"{exercise}: {why}")
            error = kernel.run(cell.source)
            assert error is None or not is_test(cell), f"{name} fails on the correct solution: {error}"
    finally:
        kernel.close()
    assert not uncaught, "planted bugs no test catches:\n" + "\n".join(uncaught)
