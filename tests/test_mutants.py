"""Do the graded tests catch typical mistakes, and hostile code? Each planted bug of tests/mutants/<chapter>.py
must make at least one test cell of its exercise fail (and, when the bug gives a fifth item, a hint, one of the
failing tests' messages must contain it: the message names the mistake); and every test cell must fail a "vandal", an exercise that
zeroes its arguments in place and returns what the correct solution gives on them.

One kernel per chapter runs the source notebook cell by cell; at the first test cell of each exercise (the cells
above it, read-only ones included, have run), every bug planted in that exercise is defined in turn and the
exercise's test cells (hidden parts included) run against it, then the correct solution is defined again. The vandal is run the same way, test cell by test cell.
"""

import re
import textwrap

import pytest

from autograder.course import SOLUTIONS

from conftest import CHAPTERS
from notebooks import Kernel, exercises, grade_id, is_exercise, is_test, load_mutants, source_notebook


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_planted_bug_is_caught(chapter):
    """Does each planted bug fail at least one test of its exercise (and the correct solution pass)?"""
    mutants = load_mutants(chapter)
    nb = source_notebook(chapter)
    tests_of = {name: tests for name, tests in exercises(nb).items()}
    assert mutants, f"tests/mutants/{chapter}.py plants no bug"
    assert {m[0] for m in mutants} >= set(tests_of), \
        f"exercises with no planted bug: {sorted(set(tests_of) - {m[0] for m in mutants})}"
    first_test = {grade_id(tests[0]): name for name, tests in tests_of.items()}
    solution = {grade_id(c): c.source for c in nb.cells if is_exercise(c)}
    uncaught, unnamed = [], []
    kernel = Kernel(SOLUTIONS / chapter)
    try:
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            name = first_test.get(grade_id(cell))  # the bugs are planted once the cells above the tests have run
            if name is not None:
                for exercise, find, replace, why, *hint in (m for m in mutants if m[0] == name):
                    assert solution[name].count(find) == 1, f"{exercise}: {find!r} must occur once in its cell"
                    assert kernel.run(solution[name].replace(find, replace)) is None, f"{why}: does not even define"
                    errors = [error for error in (kernel.run(test.source) for test in tests_of[name]) if error]
                    if not errors:
                        uncaught.append(f"{exercise}: {why}")
                    elif hint and not any(hint[0] in error for error in errors):
                        unnamed.append(f"{exercise}: {why}: no message says {hint[0]!r}; they say:\n  "
                                       + "\n  ".join(error[:300] for error in errors))
                assert kernel.run(solution[name]) is None, f"{name}: the solution does not define"
            error = kernel.run(cell.source)
            assert error is None or not is_test(cell), f"{name} fails on the correct solution: {error}"
    finally:
        kernel.close()
    assert not uncaught, "planted bugs no test catches:\n" + "\n".join(uncaught)
    assert not unnamed, "planted bugs whose hint no failing test gives:\n" + "\n".join(unnamed)


# Tests that cannot be fooled through their arguments. A hostile exercise can zero the arrays a test passes it,
# in place, and return what the function gives on zeros (often trivial: zeros, a uniform softmax). A test that
# computed its expected values from those arrays after the call would then compare garbage with garbage. So
# every test hands the learner's function copies, `fresh(...)` (a helper of each chapter's setup cell), and
# computes its expected values from inputs no learner's code has touched. The "vandal" below is that hostile
# exercise, made generic: it zeroes every float array it finds in its arguments, then returns the correct
# solution's result on them.

VANDAL = '''
import numpy as _vandal_np


def _vandal_zero(value, seen):
    """Set every floating-point array in value (inside dicts, lists and tuples too) to zero, in place."""
    if id(value) in seen:
        return
    seen.add(id(value))
    if isinstance(value, _vandal_np.ndarray):
        if value.dtype.kind in "fc" and value.flags.writeable:
            value[...] = 0
    elif isinstance(value, dict):
        for item in value.values():
            _vandal_zero(item, seen)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _vandal_zero(item, seen)


def _vandal(correct):
    """The exercise written by a vandal: zero the arguments' float arrays, then return the correct result on them."""
    def vandal(*args, **kwargs):
        _vandal_zero((args, kwargs), set())
        return correct(*args, **kwargs)
    return vandal


def _vandal_identity(*values):
    """fresh with the defence switched off: the values themselves, not copies."""
    return values[0] if len(values) == 1 else values


_vandal_fresh = fresh
_vandal_correct = {}
'''

# Test cells that a vandal passes although it only ever gets copies, because what they check cannot tell its result
# from the correct one: {(chapter, test): (the part it passes, why)}. Every other test cell fails the vandal, both
# the whole cell and its hidden part run after a correct visible part.
VANDAL_PASSES = {
    ("ch01_architecture", "test_rnn_cell_forward_shapes"): (
        "the hidden part", "it checks only the shapes for m = 1, which the vandal's result (the solution's, on zeros "
                           "of the same shapes) has by construction"),
    ("ch01_architecture", "test_rnn_forward_shapes"): (
        "the hidden part", "it checks only the shapes and the number of caches for m = 1 and T_x = 1, which the "
                           "vandal's result (the solution's, on zeros of the same shapes) has by construction"),
    ("ch10_training", "test_sample_output"): (
        "the whole cell", "it has no hidden part and checks only the form of the result (n_chars valid indices, "
                          "the same for the same seed, not the same for every seed), which sampling from zeroed "
                          "parameters, uniformly, has too"),
}

HIDDEN_BLOCK = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS[^\n]*\n(.*?)^[ \t]*### END HIDDEN TESTS[^\n]*\n?", re.M | re.S)


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_tests_cannot_be_fooled_through_their_arguments(chapter):
    """Does every test cell fail an exercise that zeroes its arguments in place (the whole cell, and the hidden
    part after a correct visible part), and would some hidden part let it pass without the copies of `fresh`?"""
    nb = source_notebook(chapter)
    owner = {grade_id(test): name for name, tests in exercises(nb).items() for test in tests}
    fooled, undefended = [], []
    kernel = Kernel(SOLUTIONS / chapter)

    def run_with_vandal(name, code):
        """Run code with the vandal in place of the exercise ``name``; None if it passed, else its error."""
        assert kernel.run(f"{name} = _vandal(_vandal_correct[{name!r}])") is None
        try:
            return kernel.run(code)
        finally:
            assert kernel.run(f"{name} = _vandal_correct[{name!r}]") is None

    try:
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            gid = grade_id(cell)
            name = owner.get(gid)
            if name is not None:
                passes = {"the whole cell"} if run_with_vandal(name, cell.source) is None else set()
                hidden = HIDDEN_BLOCK.search(cell.source)
                if hidden:
                    visible = cell.source[:hidden.start()] + "    pass\n"  # the end of its `with testing(...)` block
                    error = kernel.run(visible)
                    assert error is None, f"{gid}: the visible part fails on the correct solution: {error}"
                    if run_with_vandal(name, textwrap.dedent(hidden.group(1))) is None:
                        passes.add("the hidden part")
                    elif "the whole cell" not in passes:  # and without copies, would the vandal pass it?
                        assert kernel.run("fresh = _vandal_identity") is None
                        try:
                            error = kernel.run(visible)
                            assert error is None, f"{gid}: the visible part fails without copies: {error}"
                            if run_with_vandal(name, textwrap.dedent(hidden.group(1))) is None:
                                undefended.append(gid)
                        finally:
                            assert kernel.run("fresh = _vandal_fresh") is None
                listed = {VANDAL_PASSES[chapter, gid][0]} if (chapter, gid) in VANDAL_PASSES else set()
                if passes != listed:
                    fooled.append(f"{gid}: the vandal passes {' and '.join(sorted(passes)) or 'nothing'}, "
                                  f"VANDAL_PASSES says {' and '.join(sorted(listed)) or 'nothing'}")
            error = kernel.run(cell.source)
            assert error is None or not is_test(cell), f"{gid} fails on the correct solution: {error}"
            if gid == "setup":
                error = kernel.run(VANDAL)
                assert error is None, f"the setup cell must define fresh(*values), as solutions/README.md says: {error}"
            elif is_exercise(cell):
                assert kernel.run(f"_vandal_correct[{gid!r}] = {gid}") is None
    finally:
        kernel.close()
    assert not fooled, "test cells and the vandal (its arguments zeroed in place):\n" + "\n".join(fooled)
    assert undefended, (
        f"with fresh switched off (the identity), the vandal fails every hidden part of {chapter} all the same, so "
        "this test shows nothing about fresh here. If every hidden test of the chapter now computes its expected "
        "values before calling the learner's function, say so here and require this of the other chapters only.")
    print(f"{chapter}: without fresh, the vandal would pass the hidden part of {', '.join(undefended)}")
