"""Every chapter, end to end: a clean source, a solution that passes its own tests, a student notebook
that stops only at its exercises, a web page and a grade that give nothing away."""

import ast
import re

import nbformat
import pytest

from autograder.course import REPO, SOLUTIONS, chapters

from conftest import CHAPTERS
from notebooks import execute, exercises, grade_id, is_exercise, is_test, load_mutants, nbgrader_meta, \
    source_notebook

MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")


def test_there_are_chapters():
    """Is there at least one chapter, and is every chapter listed in the table of contents in order?"""
    assert chapters(), "no solutions/<chapter>/<chapter>.ipynb found"
    toc = (REPO / "_toc.yml").read_text()
    listed = re.findall(r"book/chapters/(\w+)", toc)
    assert listed == chapters(), f"_toc.yml lists {listed}, the chapters are {chapters()}"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_source_is_clean_and_well_formed(chapter):
    """Is the source committed without outputs, with valid nbgrader cells that the tools can rely on?"""
    nb = source_notebook(chapter)
    nbformat.validate(nb)
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code), "outputs must be cleared"
    ids = [grade_id(c) for c in nb.cells if grade_id(c)]
    assert len(ids) == len(set(ids)), f"duplicate grade_ids: {sorted(i for i in ids if ids.count(i) > 1)}"
    assert grade_id(code[0]) == "setup" and nbgrader_meta(code[0]).get("locked"), "first code cell: setup"
    for cell in nb.cells:
        meta = nbgrader_meta(cell)
        if meta.get("grade"):
            assert float(meta.get("points", 0)) > 0, f"{grade_id(cell)} has no points"
        if is_exercise(cell):
            assert "### BEGIN SOLUTION" in cell.source and "### END SOLUTION" in cell.source, grade_id(cell)
        if is_test(cell):
            assert cell.source.startswith("# Test"), f"{grade_id(cell)}: first line must say what it checks"
            assert re.search(r"^with testing\(", cell.source, re.M), \
                f"{grade_id(cell)}: its checks go inside `with testing(<exercise>, uses=[...]):` (solutions/README.md)"
            assert cell.source.count("### BEGIN HIDDEN TESTS") == cell.source.count("### END HIDDEN TESTS")
        if not meta.get("solution") and not is_test(cell):
            assert not any(m in cell.source for m in MARKERS), f"marker outside an exercise or test: {cell.source[:80]}"
    graded = exercises(nb)
    assert graded, "a chapter has at least one graded exercise"
    for exercise, tests in graded.items():
        assert tests, f"exercise {exercise} has no test cell after it"
        assert any("### BEGIN HIDDEN TESTS" in t.source for t in tests), f"{exercise} has no hidden test"
    assert any(c.cell_type == "markdown" and nbgrader_meta(c).get("solution") for c in nb.cells), \
        "a chapter has a written question"
    for cell in nb.cells:  # what JupyterLab, Notebook 7 and Colab would show as raw text, or cannot follow
        if cell.cell_type == "markdown":
            myst = re.search(r"^(```|:::)\s*\{\w+\}|\{(cite|doc|ref|numref|download|eq)\}`|\]\(#", cell.source, re.M)
            assert not myst, (f"Markdown cell {cell.source[:60]!r}: {myst.group(0)!r} works on the website only; "
                              "write boxes as `> **Note.** ...` and links as absolute URLs (solutions/README.md)")
    assert not [p.name for p in (SOLUTIONS / chapter).iterdir() if p.suffix == ".py"], \
        "a chapter's folder is released as a whole: no Python files beside the notebook"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_setup_cell_holds_the_checking_helpers_of_solutions_checking_py(chapter):
    """Is the chapter's copy of the checking helpers the same as their one source, solutions/checking.py?"""
    from autograder.checking import stale

    assert not stale([chapter]), (f"the setup cell of {chapter} holds another version of the checking helpers than "
                                  "solutions/checking.py: run `python -m autograder helpers` and commit")


def names_in(source):
    return {node.id for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Name)}


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_each_test_names_the_exercise_it_tests_and_the_earlier_ones_it_uses(chapter):
    """Does every test cell say, in `with testing(name, uses=[...])`, the exercise above it and exactly the earlier
    exercises that it or that exercise's solution calls (those replaced by the reference while grading)?"""
    nb = source_notebook(chapter)
    order = list(exercises(nb))
    solution = {grade_id(c): names_in(c.source) for c in nb.cells if is_exercise(c)}
    for exercise, tests in exercises(nb).items():
        for test in tests:
            opener = re.search(r"^with testing\(\"(\w+)\"(?:, uses=\[(.*)\])?\):$", test.source, re.M)
            assert opener, f"{grade_id(test)}: no `with testing(\"{exercise}\", ...):` line"
            declared = re.findall(r'"(\w+)"', opener.group(2) or "")
            earlier = order[:order.index(exercise)]
            called = [name for name in earlier if name in solution[exercise] | names_in(test.source)]
            assert opener.group(1) == exercise, f"{grade_id(test)} says it tests {opener.group(1)}, not {exercise}"
            assert declared == called, f"{grade_id(test)}: uses={declared}, but it and the solution call {called}"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_solution_runs_and_passes_its_own_tests(chapter):
    """Does the source notebook run top to bottom, as while grading, with no error and no stderr in tests?"""
    nb = execute(source_notebook(chapter), SOLUTIONS / chapter, {"NBGRADER_EXECUTION": "autograde"})
    for cell in nb.cells:
        if is_test(cell):
            streams = [o for o in cell.outputs if o.get("name") == "stderr"]
            assert not streams, f"{grade_id(cell)} writes to stderr (scores 0 in nbgrader): {streams[0]['text'][:300]}"


def test_a_learner_sees_each_passing_test_say_so_and_an_explorer_say_what_to_run_first(released):
    """In a real kernel, as a learner (none of the course's code importable): does the first chapter's student
    notebook, filled in correctly, print "✓ <what the test checks>" in every test cell, and does an explorer run
    right after the setup, before the cells it needs, say to run those first rather than fail with a NameError?"""
    import nbformat

    from notebooks import solved_submission

    chapter = CHAPTERS[0]
    nb = execute(solved_submission(chapter, released[chapter]), released[chapter].parent, as_learner=True)
    for cell in nb.cells:
        if is_test(cell):
            said = "".join(o.get("text", "") for o in cell.outputs if o.get("name") == "stdout")
            checks = cell.source.splitlines()[0].removeprefix("# Test:").strip()
            assert f"✓ {checks}" in said, (grade_id(cell), said)
    # The explorer's drawing, as its sliders call it (in the widget's output area), right after the setup.
    student = nbformat.read(str(released[chapter]), as_version=4)
    explorer = next(c for c in student.cells if c.cell_type == "code" and "explore(" in c.source
                    and not nbgrader_meta(c).get("grade_id") == "setup")
    drawing = re.search(r"explore\(\s*(\w+)", explorer.source).group(1)
    tree = ast.parse(explorer.source)  # the cell without the statement that calls explore (an `if` around it too)
    definitions = "\n".join(ast.get_source_segment(explorer.source, node) for node in tree.body
                             if "explore(" not in ast.get_source_segment(explorer.source, node))
    student.cells = [c for c in student.cells if grade_id(c) == "setup"] + [
        nbformat.v4.new_code_cell(definitions), nbformat.v4.new_code_cell(f"_explained({drawing})()")]
    out = execute(student, released[chapter].parent, allow_errors=True, as_learner=True)
    said = "".join(o.get("text", "") for c in out.cells for o in c.outputs if o.get("output_type") == "stream")
    errors = [o for c in out.cells for o in c.outputs if o.get("output_type") == "error"]
    assert not errors and "This explorer needs a cell above it that has not run yet" in said, (errors, said)


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_student_notebook_hides_solutions_and_stops_only_at_exercises(chapter, released):
    """Does the release hold no solution and no hidden test, and fail only with NotImplementedError?"""
    text = released[chapter].read_text()
    for marker in MARKERS:
        assert marker not in text, f"{marker} in the released notebook"
    nb = execute(nbformat.read(str(released[chapter]), as_version=4), released[chapter].parent, allow_errors=True,
                 as_learner=True)  # without rnn_ref or anything else of the course's code
    errors = [(grade_id(c), o.ename, o.evalue) for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]
    assert errors, "the student notebook ran without stopping at any exercise"
    for gid, name, message in errors:  # a test says which function is not written yet, and that first
        assert name == "NotImplementedError" or (name == "AssertionError" and "is not written yet" in message), \
            (gid, name, message)
    # A test of a function that uses another one says first that the other one fails its own tests.
    source = {grade_id(c): c.source for c in source_notebook(chapter).cells}
    for gid, name, message in errors:
        uses = re.search(r"^with testing\(.*uses=\[(.*)\]\):$", source.get(gid, ""), re.M)
        for used in re.findall(r'"(\w+)"', uses.group(1)) if uses else []:
            assert f"Your {used} does not pass its own tests yet: fix it first" in message, (gid, message)
    failing = {g for g, _, _ in errors}
    # The notebook stands alone: every diagram is an attachment of its cell, none a link to a file.
    student = nbformat.read(str(released[chapter]), as_version=4)
    for cell in student.cells:
        if cell.cell_type == "markdown":
            assert "](diagrams/" not in cell.source, f"a diagram linked as a file: {cell.source[:80]!r}"
            for name in re.findall(r"\]\(attachment:([^)]+)\)", cell.source):
                assert cell.get("attachments", {}).get(name, {}).get("image/svg+xml"), f"no attachment {name}"
    for exercise, tests in exercises(source_notebook(chapter)).items():
        assert all(grade_id(t) in failing for t in tests), f"a test of {exercise} passes on the stub"


SELF_CHECK = "self_check"  # the grade_id of a chapter's self-check questions (solutions/README.md)


def checking_helpers():
    """The namespace of solutions/checking.py, the helpers every setup cell holds."""
    import runpy

    return runpy.run_path(str(SOLUTIONS / "checking.py"))


def self_check_questions(nb):
    """The questions of a notebook's self-check cell, as the dicts its one `self_check(...)` call is given."""
    cells = [c for c in nb.cells if grade_id(c) == SELF_CHECK]
    assert len(cells) == 1, f"{len(cells)} cells with grade_id {SELF_CHECK!r}, expected one"
    body = ast.parse(cells[0].source).body
    assert len(body) == 1 and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Call) \
        and getattr(body[0].value.func, "id", None) == "self_check", \
        "the self-check cell holds one statement, `self_check({...}, ...)`, and nothing else"
    try:
        return [ast.literal_eval(argument) for argument in body[0].value.args]
    except ValueError as error:
        raise AssertionError(f"the questions are written as literals (numbers, texts, lists): {error}") from None


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_chapter_has_three_to_five_well_formed_self_check_questions(chapter):
    """Does every chapter end, before its summary, with a "Check your understanding" heading and a read-only cell
    of three to five self-check questions, each with its explanation and, for multiple choice, exactly one right
    answer among its choices, or, for a number, a tolerance?"""
    nb = source_notebook(chapter)
    questions = self_check_questions(nb)
    assert 3 <= len(questions) <= 5, f"{len(questions)} self-check questions, expected 3 to 5"
    problems = checking_helpers()["_question_problems"]
    for number, question in enumerate(questions, 1):
        assert not problems(question), f"question {number}: {problems(question)}"
        assert len(question["why"].split()) >= 5, f"question {number}: 'why' explains in a sentence"
    index = next(i for i, c in enumerate(nb.cells) if grade_id(c) == SELF_CHECK)
    cell, heading = nb.cells[index], nb.cells[index - 1]
    meta = nbgrader_meta(cell)
    assert meta.get("locked") and not meta.get("grade") and not meta.get("solution"), "a read-only cell"
    assert cell.source.startswith("# Check your understanding") and "run this cell again" in cell.source, \
        "its first lines say what it is and that a notebook opened with saved outputs needs it run again"
    assert heading.cell_type == "markdown" and re.match(r"## (\d+\. )?Check your understanding", heading.source)
    later = [c for c in nb.cells[index + 1:] if c.cell_type == "markdown" and c.source.startswith("## ")]
    assert later and "Summary" in later[0].source.splitlines()[0], "the questions come right before the summary"
    assert not any(is_exercise(c) or is_test(c) for c in nb.cells[index:]), "the questions follow every exercise"


def test_malformed_self_check_questions_are_named():
    """Does the check of a question name what is wrong: no right answer or two, no explanation, a number without
    a tolerance, a misspelt key? And does self_check refuse such a question instead of showing it?"""
    import warnings

    with warnings.catch_warnings():  # a SyntaxWarning (an escape in the script's text) would go to stderr
        warnings.simplefilter("error")
        compile((SOLUTIONS / "checking.py").read_text(), "checking.py", "exec")
    helpers = checking_helpers()
    problems = helpers["_question_problems"]
    good = {"question": "sigmoid(0)?", "answer": 0.5, "tolerance": 0.001, "why": "1 / (1 + e^0) = 1/2."}
    choice = {"question": "Shape of Waa?", "choices": ["(n_a, n_a)", "(n_a, n_x)"], "answer": "(n_a, n_a)",
              "why": "It maps a state to a state."}
    assert problems(good) == [] and problems(choice) == []
    assert problems({**choice, "answer": "(n_a, 1)"}) == ["'answer' is the text of exactly one of the choices"]
    assert problems({**choice, "choices": ["(n_a, n_a)", "(n_a, n_a)"]}) == \
        ["'answer' is the text of exactly one of the choices"]
    assert problems({**good, "why": " "}) == ["no 'why'"]
    assert problems({k: v for k, v in good.items() if k != "tolerance"}) == \
        ["a numeric question has a 'tolerance' >= 0 (how far from the answer still counts)"]
    assert problems({**good, "answer": "0.5"}) == ["a question without 'choices' has a number as its 'answer'"]
    assert problems({**good, "hnit": "e^0"}) == ["unknown key 'hnit'"]
    with pytest.raises(ValueError, match="question 2: no 'why'"):
        helpers["self_check"](good, {**good, "why": ""})


def test_self_check_questions_answer_in_jupyter_and_stay_silent_while_grading(released):
    """In a real kernel, as a learner: does the released notebook keep its self-check cell, and does running it
    after the setup show the questions as HTML (one form per question, with their script and style), with no
    error or stream output? While grading (nbgrader's NBGRADER_EXECUTION), does the same cell output nothing at
    all, and does the grader's kernel not even run the call (autograder.isolate drops it)?"""
    from autograder.isolate import definitions_only, local_functions

    from notebooks import execute

    first = released[CHAPTERS[0]]
    student = nbformat.read(str(first), as_version=4)
    cells, counts = [c for c in student.cells if grade_id(c) == "setup"], []
    for chapter in CHAPTERS:
        quiz = [c for c in nbformat.read(str(released[chapter]), as_version=4).cells if grade_id(c) == SELF_CHECK]
        assert quiz, f"the student notebook of {chapter} has no self-check cell"
        cells.append(quiz[0])
        counts.append(len(self_check_questions(source_notebook(chapter))))
        assert definitions_only(quiz[0].source, local_functions(source_notebook(chapter))) == "", \
            f"{chapter}: while grading, the kernel would still run the self-check call"
    for grading in (False, True):
        nb = nbformat.v4.new_notebook(cells=[nbformat.from_dict(dict(c)) for c in cells],
                                      metadata=student.metadata)
        env = {"NBGRADER_EXECUTION": "autograde"} if grading else {}
        out = execute(nb, first.parent, env_extra=env, as_learner=True)
        for chapter, count, cell in zip(CHAPTERS, counts, out.cells[1:]):
            if grading:
                assert cell.outputs == [], f"{chapter}: the self-check cell outputs {cell.outputs} while grading"
                continue
            assert [o.output_type for o in cell.outputs] == ["display_data"], (chapter, cell.outputs)
            html = cell.outputs[0].data["text/html"]
            assert html.count('<form class="selfcheck-question"') == count, chapter
            assert "<script>" in html and "<style>" in html and "run this cell" in html, chapter
            assert not re.search(r"""(src|href)=["']?(https?:)?//""", html), f"{chapter}: loads something"
            assert cell.outputs[0].data["text/plain"].startswith("1. "), chapter


def installed_with(requirements_file):
    """The distributions that `pip install -r requirements_file` brings, as canonical names: those it names and,
    transitively, what they require (read from the metadata of this environment, where they are installed)."""
    from importlib import metadata

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    lines = [line.split("#")[0].strip() for line in requirements_file.read_text().splitlines()]
    todo, seen = [Requirement(line).name for line in lines if line], set()
    while todo:
        name = canonicalize_name(todo.pop())
        if name in seen:
            continue
        seen.add(name)
        try:
            requires = metadata.distribution(name).requires or []
        except metadata.PackageNotFoundError:
            continue
        for line in requires:
            requirement = Requirement(line)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):  # no optional extras
                todo.append(requirement.name)
    return seen


def imported_modules(nb):
    """The top-level modules that the code cells of a notebook import."""
    import ast

    from IPython.core.inputtransformer2 import TransformerManager

    modules = set()
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for node in ast.walk(ast.parse(TransformerManager().transform_cell(cell.source))):
            if isinstance(node, ast.Import):
                modules |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                modules.add(node.module.split(".")[0])
    return modules


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_learner_requirements_cover_what_the_student_notebook_imports(chapter, released):
    """Can a learner who installed book/requirements-learner.txt (the site's setup instructions) run the
    student notebook, or does it import something that file does not bring?"""
    import sys
    from importlib import metadata

    from packaging.utils import canonicalize_name

    covered = installed_with(REPO / "book" / "requirements-learner.txt")
    providers = metadata.packages_distributions()
    for module in sorted(imported_modules(nbformat.read(str(released[chapter]), as_version=4))):
        if module in sys.stdlib_module_names:
            continue
        dists = providers.get(module, [])
        assert dists, f"the student notebook imports {module}, which no installed distribution provides"
        assert any(canonicalize_name(d) in covered for d in dists), (
            f"the student notebook imports {module} (from {', '.join(dists)}), which "
            f"book/requirements-learner.txt does not install: add it there")


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_grading_gives_full_zero_and_partial_marks(chapter, class_grades):
    """Does the solution score full marks, the untouched student notebook 0, and a planted bug less?"""
    rows = class_grades["rows"]
    solved, stub = rows["solved", chapter], rows["stub", chapter]
    assert float(solved["max_score"]) > 0
    assert float(solved["score"]) == float(solved["max_score"]), (solved, class_grades["log"][-3000:])
    assert solved["status"] == "ok"
    assert float(stub["score"]) == 0, stub
    assert float(solved["manual_points_pending"]) > 0, "the written answer waits for a person"
    assert load_mutants(chapter), f"tests/mutants/{chapter}.py plants no bug"
    graded = list(exercises(source_notebook(chapter)))
    for exercise in graded:
        planted = rows[f"planted-{exercise}", chapter]
        assert float(planted[exercise]) < float(solved[exercise]), (exercise, planted)
        assert float(planted["score"]) < float(planted["max_score"]), planted
        others = {other: planted[other] for other in graded if other != exercise and planted[other] != solved[other]}
        assert not others, f"a bug planted in {exercise} costs other exercises points: {others}"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_feedback_shows_messages_but_no_hidden_test(chapter, class_grades, released):
    """Does every graded notebook get HTML feedback that never quotes a hidden test?"""
    source = source_notebook(chapter)
    student = nbformat.read(str(released[chapter]), as_version=4)
    public = {line.strip() for cell in student.cells for line in cell.source.splitlines()}
    hidden = [line.strip() for cell in source.cells if is_test(cell)
              for block in re.findall(r"### BEGIN HIDDEN TESTS(.*?)### END HIDDEN TESTS", cell.source, re.S)
              for line in block.splitlines()
              if len(line.strip()) > 25 and not line.strip().startswith("#") and line.strip() not in public]
    for student in ("solved", "stub", f"planted-{next(iter(exercises(source)))}"):
        page = class_grades["out"] / "feedback" / student / chapter / f"{chapter}.html"
        assert page.exists(), f"no feedback for {student}"
        html = page.read_text()
        for marker in MARKERS:
            assert marker not in html
        import html as html_lib
        text = html_lib.unescape(re.sub(r"<[^>]+>", "", html))
        leaked = [line for line in hidden if line in text]
        assert not leaked, f"hidden test lines in {student}'s feedback: {leaked[:3]}"
