# The checking helpers: the same in every chapter. Their one source is solutions/checking.py in the course's
# repository; `python -m autograder helpers` copies it into every chapter's setup cell (make book does too).
import copy
import os
import sys

import numpy as np

GRADING = "NBGRADER_EXECUTION" in os.environ        # long runs are cut short while grading
STATIC = os.environ.get("RNN_COURSE_STATIC") == "1"  # the website draws explorers at their defaults

if GRADING or STATIC:  # a warning in a test cell would cost its points; a web page shows none. You see them.
    import warnings
    warnings.filterwarnings("ignore")

if not GRADING:  # crisp figures: drawn at twice their size, shown at their size (in Jupyter and on the website)
    try:
        from matplotlib_inline.backend_inline import set_matplotlib_formats
        set_matplotlib_formats("retina")
    except ImportError:
        pass

# How close a floating-point result must be to count as right, in every test of the course:
# |yours - expected| <= ATOL + RTOL * |expected|, element by element. No test compares floats exactly.
RTOL, ATOL = 1e-6, 1e-9
GRADIENT_TOL = 1e-7  # the largest relative error allowed between a gradient and its numerical estimate


def plain(value):
    """A number or an array as plain Python numbers, for messages: 0.5 and [1, 2], not np.float64(0.5)."""
    return np.asarray(value).tolist()


def explore(draw, **controls):
    """Live controls in Jupyter. On the website (STATIC), a gallery of the drawing at a few settings of the
    first control, the others at their defaults; while grading, one drawing at the defaults."""
    defaults = {name: control.value for name, control in controls.items()}
    if GRADING:
        draw(**defaults)
    elif STATIC:
        _gallery(draw, defaults, *next(iter(controls.items())))
    else:
        for control in controls.values():  # the whole label, not "scale of W..."
            if hasattr(control, "style") and hasattr(control.style, "description_width"):
                control.style.description_width = "initial"
        display(widgets.interactive(_explained(draw), **controls))


def _explained(draw):
    """draw, saying what to do when it needs a cell that has not run yet (a NameError) instead of a traceback."""
    import functools

    @functools.wraps(draw)  # the same signature, which the controls are matched with
    def drawing(**values):
        try:
            draw(**values)
        except NameError as error:
            print(f"This explorer needs a cell above it that has not run yet ({error}). Run the cells of the "
                  "notebook from the top (the setup cell, then the figure cells above), then this one again.")
    return drawing


def _gallery(draw, defaults, name, control):
    """The drawings at up to three settings of one control, one shown at a time (buttons choose it; no script)."""
    import base64
    import io
    from html import escape

    import matplotlib.pyplot as plt
    from IPython.display import HTML

    if hasattr(control, "base"):  # a FloatLogSlider: its min and max are exponents of its base
        values = [control.base ** control.min, control.value, control.base ** control.max]
    elif hasattr(control, "min") and hasattr(control, "max"):
        values = [control.min, control.value, control.max]
    elif hasattr(control, "options"):
        values = [option[1] if isinstance(option, tuple) else option for option in control.options][:3]
    else:
        values = [control.value, not control.value]
    label, group = control.description or name, f"explorer-{draw.__name__}"
    buttons, panels, show = [], [], plt.show
    plt.show = lambda *args, **kwargs: None  # draw() calls it: keep its figures for the gallery instead
    try:
        for index, value in enumerate(dict.fromkeys(values)):  # in order, without repeats
            before = set(plt.get_fignums())
            draw(**{**defaults, name: value})
            setting, images = f"{label} = {plain(value)}", []
            for number in sorted(set(plt.get_fignums()) - before):
                figure = plt.figure(number)
                buffer = io.BytesIO()
                figure.savefig(buffer, format="png", dpi=150, bbox_inches="tight")
                plt.close(figure)
                images.append(f'<img src="data:image/png;base64,{base64.b64encode(buffer.getvalue()).decode()}" '
                              f'alt="The explorer drawn with {escape(setting)}">')
            panels.append(f'<div>{"".join(images)}</div>')
            checked = " checked" if value == control.value else ""
            buttons.append(f'<input type="radio" name="{group}" id="{group}-{index}"{checked}>'
                           f'<label for="{group}-{index}">{escape(setting)}</label>')
    finally:
        plt.show = show
    display(HTML(f'<div class="explorer-gallery"><p>In the notebook these are live controls; here, choose one of '
                 f'{len(buttons)} settings of {escape(label)}:</p>{"".join(buttons)}'
                 f'<div class="explorer-panels">{"".join(panels)}</div></div>'))



def self_check(*questions):
    """Questions to check your understanding (not graded), each answered at once with right or wrong and why.

    A question is a dict: "question" (its text; `code` in backticks), "answer", "why" (one sentence: why the
    answer is right), and optionally "hint" (shown after a wrong answer). Multiple choice: "choices", a list of
    texts, and "answer", the text of the right one. Numeric: "answer", a number, and "tolerance", how far from
    it an answer may be and still count as right. While grading it does nothing."""
    if GRADING:
        return
    problems = [f"question {number}: {problem}" for number, question in enumerate(questions, 1)
                for problem in _question_problems(question)]
    if problems:
        raise ValueError("self_check: " + "; ".join(problems))
    from IPython.display import display

    text = "\n".join(f"{number}. {question['question']}" for number, question in enumerate(questions, 1))
    display({"text/html": _self_check_html(questions), "text/plain": text}, raw=True)


def _question_problems(question):
    """What is wrong with one self-check question, as a list of messages (empty when it is well formed)."""
    if not isinstance(question, dict):
        return [f"a question is a dict, not {type(question).__name__}"]
    problems = [f"no {key!r}" for key in ("question", "answer", "why") if not str(question.get(key, "")).strip()]
    unknown = set(question) - {"question", "choices", "answer", "tolerance", "why", "hint"}
    problems += [f"unknown key {key!r}" for key in sorted(unknown)]
    if "choices" in question:
        choices = question["choices"]
        if not isinstance(choices, list) or len(choices) < 2 or not all(isinstance(c, str) for c in choices):
            problems.append("'choices' is a list of at least two texts")
        elif choices.count(question.get("answer")) != 1:
            problems.append("'answer' is the text of exactly one of the choices")
        if "tolerance" in question:
            problems.append("a multiple-choice question has no 'tolerance'")
    elif isinstance(question.get("answer"), bool) or not isinstance(question.get("answer"), (int, float)):
        problems.append("a question without 'choices' has a number as its 'answer'")
    elif isinstance(question.get("tolerance"), bool) or not isinstance(question.get("tolerance"), (int, float)) \
            or not question["tolerance"] >= 0:
        problems.append("a numeric question has a 'tolerance' >= 0 (how far from the answer still counts)")
    return problems


# The look and the behaviour of the questions, in the page itself: nothing is loaded from anywhere. Colours follow
# the page (JupyterLab's themes, the website's light and dark modes); right and wrong are said in words too.
_SELF_CHECK_STYLE = """
.selfcheck { max-width: 48em; margin: 0.5em 0; }
.selfcheck form { margin: 0 0 0.8em; padding: 0.5em 0.8em 0.6em; border-radius: 6px;
  border: 1px solid color-mix(in srgb, currentColor 30%, transparent); }
.selfcheck fieldset { border: 0; margin: 0; padding: 0; min-width: 0; }
.selfcheck legend { float: none; width: auto; padding: 0; margin-bottom: 0.3em; font: inherit;
  font-weight: 600; white-space: normal; }
.selfcheck label { display: block; padding: 0.35em 0.2em; cursor: pointer; line-height: 1.4; }
.selfcheck label.selfcheck-number { display: inline-block; margin-right: 0.5em; }
.selfcheck input[type=text], .selfcheck button { font: inherit; color: inherit; background: transparent;
  border: 1px solid currentColor; border-radius: 4px; padding: 0.2em 0.6em; }
.selfcheck input[type=text] { width: 8em; max-width: 100%; }
.selfcheck button { cursor: pointer; }
.selfcheck-feedback:empty { display: none; }
.selfcheck-feedback { margin: 0.5em 0 0; padding: 0.2em 0.6em; border-left: 4px solid; }
.selfcheck-right { border-color: #2e7d32; }
.selfcheck-wrong { border-color: #c62828; }
"""
_SELF_CHECK_SCRIPT = """(function (root) {
  if (!root || root.hasAttribute("data-live")) return;
  root.setAttribute("data-live", "");
  root.querySelector(".selfcheck-stale").remove();
  function say(form, right, note) {
    var out = form.querySelector(".selfcheck-feedback"), tries = Number(form.getAttribute("data-tries") || 0);
    out.className = "selfcheck-feedback " + (right ? "selfcheck-right" : "selfcheck-wrong");
    if (right) { out.innerHTML = "\\u2713 Right. " + form.getAttribute("data-why"); return; }
    if (note === undefined) form.setAttribute("data-tries", ++tries);
    out.innerHTML = "\\u2717 Not quite. " + (note || form.getAttribute("data-hint") || "Try again.") +
      (tries >= 2 && note === undefined ? " After two tries, the answer: " + form.getAttribute("data-shown") +
       ". " + form.getAttribute("data-why") : "");
  }
  function number(text) {
    text = text.replace(/[\\s_]/g, "").replace(/\\u2212/g, "-");
    text = /^[-+]?\\d{1,3}(,\\d{3})+$/.test(text) ? text.replace(/,/g, "") : text.replace(",", ".");
    var parts = text.split(/(\\/|\\^|\\*\\*)/);  // a number, or two joined by /, ^ or **: 3/4, 0.5^10
    if (!text || (parts.length !== 1 && parts.length !== 3) || isNaN(parts[0]) || isNaN(parts[2] || 0) ||
        !parts[0] || parts[2] === "") return NaN;
    if (parts.length === 1) return Number(text);
    return parts[1] === "/" ? parts[0] / parts[2] : Math.pow(parts[0], parts[2]);
  }
  root.addEventListener("change", function (event) {
    var input = event.target;
    if (input.type === "radio" && input.form) say(input.form, input.hasAttribute("data-right"));
  });
  function check(form) {
    var value = number(form.querySelector("input[type=text]").value);
    if (isNaN(value)) return say(form, false, "Type a number, such as 0.25, 1e-3, 3/4 or 0.5^10.");
    say(form, Math.abs(value - Number(form.getAttribute("data-answer"))) <=
      Number(form.getAttribute("data-tolerance")) * (1 + 1e-12));
  }
  root.addEventListener("submit", function (event) {  // the Check button
    event.preventDefault();
    if (event.target.querySelector("input[type=text]")) check(event.target);
  });
  root.addEventListener("keydown", function (event) {  // Enter in the field (JupyterLab would not submit)
    if (event.key !== "Enter" || event.target.type !== "text" || !event.target.form) return;
    event.preventDefault();
    check(event.target.form);
  });
})(document.currentScript && document.currentScript.parentNode);"""


def _self_check_html(questions):
    """The questions as HTML with their own style and script (see self_check)."""
    import re
    from html import escape

    def rich(text):  # `code` in backticks becomes <code>; everything else is text
        return re.sub(r"`([^`]+)`", r"<code>\1</code>", escape(text))

    forms = []
    for number, question in enumerate(questions, 1):
        shown = question["answer"] if "choices" in question else f"{question['answer']:g}"
        # the feedback's texts, as HTML (escaped, `code` as <code>), which the script puts in the page
        feedback = {"why": question["why"], "hint": question.get("hint", ""), "shown": str(shown)}
        attributes = " ".join(f'data-{key}="{escape(rich(text))}"' for key, text in feedback.items())
        if "choices" in question:
            body = "".join(f'<label><input type="radio" name="answer"'
                           f'{" data-right" if choice == question["answer"] else ""}> {rich(choice)}</label>'
                           for choice in question["choices"])
        else:
            attributes += f' data-answer="{question["answer"]!r}" data-tolerance="{question["tolerance"]!r}"'
            body = ('<label class="selfcheck-number">Your answer: <input type="text" name="answer" '
                    'inputmode="decimal" autocomplete="off" spellcheck="false"></label><button type="submit">'
                    'Check</button>')
        forms.append(f'<form class="selfcheck-question" {attributes}><fieldset><legend>{number}. '
                     f'{rich(question["question"])}</legend>{body}<p class="selfcheck-feedback" role="status">'
                     f'</p></fieldset></form>')
    # data-lm-suppress-shortcuts: JupyterLab and Notebook 7 leave the keys typed in the questions alone (Enter
    # would otherwise enter the cell's edit mode instead of checking an answer)
    return (f'<div class="selfcheck tex2jax_ignore mathjax_ignore" data-lm-suppress-shortcuts="true">'
            f'<style>{_SELF_CHECK_STYLE}</style>'
            '<p class="selfcheck-stale">These questions answer only once their script has run: in Jupyter, run '
            'this cell (again, if the notebook was opened with its outputs saved); on the website, allow '
            f'JavaScript.</p>{"".join(forms)}<script>{_SELF_CHECK_SCRIPT}</script></div>')

def check_shape(name, actual, expected_shape):
    """Fail with a clear message unless `actual` is an array of shape `expected_shape`."""
    assert actual is not None, f"{name} is None: did you forget to compute or return it?"
    shape = np.shape(actual)
    assert shape == tuple(expected_shape), f"{name} has shape {shape}, expected {tuple(expected_shape)}."


def check_gradient_shape(key, value, shape):
    """Fail unless the gradient `key` has the shape `shape`, naming the usual cause: a bias gradient not summed
    over the examples into a column, a weight gradient transposed."""
    assert value is not None, f"{key} is None: did you compute and return it?"
    actual, shape = np.shape(value), tuple(shape)
    hint = ""
    if key.startswith("db"):
        hint = " A bias gradient is dz summed over the examples, as a column: np.sum(dz, axis=1, keepdims=True)."
    elif len(shape) == 2 and actual == shape[::-1]:
        hint = " It is transposed: dW = dz @ (the column the weights act on).T."
    assert actual == shape, f"{key} has shape {actual}, expected {shape}.{hint}"


def check_close(name, actual, expected, mistakes=None, rtol=RTOL, atol=ATOL):
    """Fail unless `actual` matches `expected` (within RTOL and ATOL); name the mistake if `actual` matches one
    of `mistakes`, a dict {hint: what that mistake gives}."""
    expected = np.asarray(expected, dtype=float)
    check_shape(name, actual, expected.shape)
    try:
        actual = np.asarray(actual, dtype=float)
    except (TypeError, ValueError):
        raise AssertionError(f"{name} should be an array of numbers, not {type(actual).__name__}.") from None
    if np.allclose(actual, expected, rtol=rtol, atol=atol):
        return
    for hint, wrong in (mistakes or {}).items():
        if np.shape(wrong) == actual.shape and np.allclose(actual, wrong, rtol=rtol, atol=atol):
            raise AssertionError(f"{name} is not right: {hint}")
    if not np.all(np.isfinite(actual)):
        raise AssertionError(f"{name} contains nan or inf values: look for an overflow (exp of a large number) "
                             f"or a division by zero.\nyours:\n{actual}\nexpected:\n{expected}")
    worst = tuple(int(i) for i in np.unravel_index(np.argmax(np.abs(actual - expected)), expected.shape))
    raise AssertionError(
        f"{name} differs from the expected values; the largest difference is at index {worst}: "
        f"{plain(actual[worst])!r} instead of {plain(expected[worst])!r}.\nyours:\n{actual}\nexpected:\n{expected}"
    )


def fresh(*values):
    """Deep copies of the values (one value: its copy; several: a tuple), so that a function under test cannot
    change the caller's arrays. The tests call your functions as f(*fresh(x, y)): whatever your function does to
    its arguments, the values it is checked against come from inputs that no code of yours has touched."""
    copied = copy.deepcopy(values)
    return copied[0] if len(copied) == 1 else copied


_TEST_RESULTS = {}  # function name -> {where a test of it ran: (the function it tested, whether it passed)}


class testing:
    """`with testing("rnn_forward", uses=["rnn_cell_forward"]):` holds the checks of one test cell.

    A test that passes says so (its cell's first line, after a check mark). Every failure message says first
    what is wrong. When a test fails while a function it uses has not passed
    its own tests (or changed since they ran), the message starts with that: fix that function first. While
    grading, the functions a test uses are the course's own, so each function is judged alone."""

    def __init__(self, name, uses=()):
        self.name = name
        self.uses = [uses] if isinstance(uses, str) else list(uses)

    def __enter__(self):
        caller = sys._getframe(1)
        self.namespace, self.where = caller.f_globals, (caller.f_code.co_filename, caller.f_lineno)
        return self

    def __exit__(self, kind, error, traceback):
        _TEST_RESULTS.setdefault(self.name, {})[self.where] = (self.namespace.get(self.name), kind is None)
        if kind is None:
            print(f"✓ {self.what()}")
            return False
        if not issubclass(kind, Exception):
            return False
        if kind is AssertionError:
            message = str(error) or f"{self.name} does not pass this test."
        elif kind is NotImplementedError:
            message = (f"{_raiser(traceback, self.name)} is not written yet: replace the line "
                       "`raise NotImplementedError()` with your code.")
        elif kind is ValueError and any(word in str(error) for word in ("shape", "broadcast", "dimension")):
            message = (f"{self.name} fails with arrays whose shapes do not fit together: {error}. Check every "
                       "product and sum against the shapes the docstring gives.")
        else:
            message = f"{kind.__name__} while testing {self.name}: {error}"
        first = [] if GRADING else self.unfinished()
        raise AssertionError("\n".join(first + [message])) from None

    def what(self):
        """What the test checks: its cell's first line, `# Test: ...`, else the name of the function tested."""
        import linecache

        first = linecache.getline(self.where[0], 1).strip()
        return first[len("# Test:"):].strip() if first.startswith("# Test:") else f"{self.name} passes this test"

    def unfinished(self):
        """What to fix before this test can pass: the functions it uses that have not passed their tests."""
        lines = []
        for name in self.uses:
            function = self.namespace.get(name)
            results = _TEST_RESULTS.get(name, {})
            current = [passed for tested, passed in results.values() if tested is function]
            if current and not all(current):
                lines.append(f"Your {name} does not pass its own tests yet: fix it first, this test calls it.")
            elif results and not current:
                lines.append(f"Your {name} has changed since its tests ran: run them again first.")
            elif not results:
                lines.append(f"Your {name} has not been tested yet: run its test cells first, this test calls it.")
        return lines


def _raiser(traceback, default):
    """The name of the function whose `raise NotImplementedError()` ended the test (else `default`)."""
    while traceback is not None and traceback.tb_next is not None:
        traceback = traceback.tb_next
    name = traceback.tb_frame.f_code.co_name if traceback is not None else default
    return name if name.isidentifier() and not name.startswith("<") and name != "call" else default
# End of the checking helpers.
