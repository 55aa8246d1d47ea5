"""``DIR/summary.html``: the class view. Where the class struggles, who needs attention, and the term so far.

For every chapter graded into ``DIR``: the distribution of scores; per exercise, how many submissions
attempted it, passed it, got it wrong, left it as released (not attempted, counted apart from wrong) or wait
for a grader; the most common mistakes, grouped (messages that differ only in their numbers are one mistake,
and a message that carries the hint of a mistake the course's tests know by name, ``tests/mutants``, is called
by that name); and the statuses other than ``ok``. Above them, the students who need attention (nothing
attempted, flagged, not graded or crashed, a low score), with links to their feedback pages, and, once several
chapters have been graded into the same folder, the term: each student's chapters side by side and the
class's trend.

The numbers are those of grades.csv: the points are the gradebook's (scores.py), the states those of the
learner's own scorecard (exercises.py). One self-contained HTML file: its plots are PNG data URIs, its style
inline, and its one script (which sorts a table when a column's heading is clicked) is allowed by its hash.
"""

import ast
import base64
import html
import io
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import quote

from .course import REPO, chapters
from .exercises import FAILED, GRADED, NOT_ATTEMPTED, PASSED, WAITING, mistake
from .untrusted import content_security_policy, csp_meta, printable

LOW_SCORE = 0.5  # below this share of the automatic points, a student needs attention
MISTAKES_SHOWN = 12  # per chapter
STUDENTS_NAMED = 6  # per mistake

SORT_SCRIPT = """document.querySelectorAll("table.sortable").forEach(function (table) {
  var headings = Array.prototype.slice.call(table.tHead.rows[0].cells);
  headings.forEach(function (th, column) {
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = th.textContent;
    th.textContent = "";
    th.appendChild(button);
    button.addEventListener("click", function () {
      var ascending = th.getAttribute("aria-sort") !== "ascending";
      headings.forEach(function (other) { other.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      function key(row) {
        var cell = row.cells[column], value = cell ? cell.getAttribute("data-sort") : "";
        if (value === null) { value = cell.textContent.trim(); }
        var number = parseFloat(value);
        return /^[-+]?[0-9.]/.test(value) && !isNaN(number) ? number : value.toLowerCase();
      }
      var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = key(a), y = key(b), order;
        if (typeof x !== typeof y) { order = typeof x === "number" ? -1 : 1; }
        else { order = x < y ? -1 : (x > y ? 1 : 0); }
        return ascending ? order : -order;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
});"""
SUMMARY_CSP = content_security_policy(SORT_SCRIPT)

STYLE = """body{font-family:sans-serif;max-width:64rem;margin:2rem auto;padding:0 1rem;line-height:1.4}
table{border-collapse:collapse;margin:.5rem 0 1rem;display:block;max-width:100%;overflow-x:auto}
td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}
td.n{text-align:right;white-space:nowrap}
th button{font:inherit;font-weight:bold;border:0;background:none;padding:0;cursor:pointer;text-align:left}
th[aria-sort=ascending] button::after{content:" \\25B2"} th[aria-sort=descending] button::after{content:" \\25BC"}
img{max-width:100%;height:auto} code{overflow-wrap:anywhere} .warning{background:#fdd;padding:.5rem}
.muted{color:#666} nav a{margin-right:1rem}
@media print{th button::after{content:""} nav{display:none}}"""


def _text(value):
    """Text a learner may control (a status quoting their error, a test's failure message with their values,
    a chapter folder's name) as HTML text: escaped, quotes included, control characters replaced."""
    return html.escape(printable(value), quote=True)


def _plot_png(draw, size=(6, 2.6)):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=size)
    draw(ax)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90)
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode()


def _image(alt, draw, size=(6, 2.6)):
    return f'<img alt="{_text(alt)}" src="data:image/png;base64,{_plot_png(draw, size)}">'


def _number(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _fraction(row):
    """The row's share of the chapter's automatic points, or None if it has none to share."""
    score, most = _number(row.get("score")), _number(row.get("max_score"))
    return score / most if score is not None and most else None


def known_mistakes(chapter):
    """``[(hint, mistake)]``: the hints the course's tests print for the mistakes planted in
    ``tests/mutants/<chapter>.py`` (read as data, never run), and the names of those mistakes."""
    path = REPO / "tests" / "mutants" / f"{Path(chapter).name}.py"
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        value = next(node.value for node in tree.body if isinstance(node, ast.Assign)
                     and any(getattr(target, "id", "") == "MUTANTS" for target in node.targets))
        planted = ast.literal_eval(value)
    except (OSError, SyntaxError, ValueError, StopIteration):
        return []
    return [(entry[4], entry[3]) for entry in planted if isinstance(entry, tuple) and len(entry) >= 5 and entry[4]]


def group_mistakes(failures, chapter):
    """Group ``failures`` (``(exercise, message, row)``) into mistakes: a message that carries a known hint is
    that mistake; otherwise messages equal but for their numbers are one. Returns ``[(exercise, name, known,
    example message, [rows])]``, the most common first; ``name``: the known mistake's, else the message with
    its numbers as ``#`` (or as it is, when every member printed the same)."""
    hints = known_mistakes(chapter)
    groups = defaultdict(list)
    for exercise, message, row in failures:
        name = next((name for hint, name in hints if hint in message), None)
        groups[exercise, name or mistake(message), name is not None].append((message, row))
    ordered = sorted(groups.items(), key=lambda item: -len(item[1]))
    return [(exercise, name if known or len({m for m, _ in members}) > 1 else members[0][0], known, members[0][0],
             [row for _, row in members]) for (exercise, name, known), members in ordered]


class ClassView:
    """The parts of summary.html, from grades.csv's rows and each row's exercises (exercises.report)."""

    def __init__(self, out, rows, reports):
        self.out, self.rows, self.reports = Path(out), rows, reports
        order = {chapter: index for index, chapter in enumerate(chapters())}
        present = {row["assignment"] for row in rows}
        self.chapters = sorted(present, key=lambda chapter: (order.get(chapter, len(order)), chapter))

    def report(self, row):
        return self.reports.get((row["student"], row["assignment"])) or []

    def who(self, row):
        name, student = row.get("name") or "", row["student"]
        return _text(student) + (f' <span class="muted">({_text(name)})</span>' if name and name != student else "")

    def link(self, row, text):
        """``text`` linked to the row's feedback page, if it has one."""
        chapter = row["assignment"]
        page = Path("feedback") / row["student"] / chapter / f"{chapter}.html"
        if not (self.out / page).is_file():
            return text
        return f'<a href="{_text("/".join(quote(part) for part in page.parts))}">{text}</a>'

    def needs_attention(self, row):
        """Why a person should look at this row (empty: no reason)."""
        status = str(row.get("status") or "")
        reasons = []
        if status.startswith("flagged"):
            reasons.append(status.split("; ")[0])
        elif status.split(";")[0] != "ok":
            reasons.append(f"not graded or crashed: {status}")
        report = self.report(row)
        untouched = bool(report) and all(entry["state"] == NOT_ATTEMPTED for entry in report)
        if untouched:
            reasons.append("nothing attempted")
        fraction = _fraction(row)
        if fraction is not None and fraction < LOW_SCORE and not reasons:
            reasons.append(f"low score ({100 * fraction:.0f} %)")
        return reasons

    def attention(self):
        lines = [(row, self.needs_attention(row)) for row in self.rows]
        lines = [(row, reasons) for row, reasons in lines if reasons]
        if not lines:
            return "<h2 id=\"attention\">Students who need attention</h2><p>None: every submission was graded, " \
                   "attempted, and has at least half of the automatic points.</p>"
        body = "".join(
            f"<tr><td>{self.who(row)}</td><td>{_text(row['assignment'])}</td><td>{_text('; '.join(reasons))}</td>"
            f"<td class=\"n\" data-sort=\"{_fraction(row) if _fraction(row) is not None else -1}\">"
            f"{self.link(row, self.score(row))}</td></tr>" for row, reasons in lines)
        return (f'<h2 id="attention">Students who need attention ({len(lines)})</h2>'
                f"<p>Nothing attempted, flagged, not graded or crashed, or under {100 * LOW_SCORE:.0f} % of the "
                "automatic points. The score links to the student's feedback page.</p>"
                '<table class="sortable" id="attention-table"><thead><tr><th>student</th><th>chapter</th>'
                f"<th>why</th><th>score</th></tr></thead><tbody>{body}</tbody></table>")

    @staticmethod
    def score(row):
        fraction = _fraction(row)
        if fraction is None:
            return "—"
        return f"{_number(row['score']):g} / {_number(row['max_score']):g}"

    def term(self):
        """Each student's chapters side by side, and the class's mean and median per chapter."""
        if len(self.chapters) < 2:
            return ""
        by_student = defaultdict(dict)
        names = {}
        for row in self.rows:
            by_student[row["student"]][row["assignment"]] = row
            names.setdefault(row["student"], row)
        head = "".join(f"<th>{_text(chapter)}</th>" for chapter in self.chapters)
        body = []
        for student in sorted(by_student):
            cells = []
            fractions = []
            for chapter in self.chapters:
                row = by_student[student].get(chapter)
                if row is None:
                    cells.append('<td class="n" data-sort="-1">—</td>')
                    continue
                fraction = _fraction(row)
                if fraction is not None and str(row.get("status", "")).split(";")[0] == "ok":
                    fractions.append(fraction)
                shown = f"{100 * fraction:.0f} %" if fraction is not None else "—"
                cells.append(f'<td class="n" data-sort="{fraction if fraction is not None else -1}">'
                             f"{self.link(row, shown)}</td>")
            mean = sum(fractions) / len(fractions) if fractions else None
            body.append(f"<tr><td>{self.who(names[student])}</td>{''.join(cells)}"
                        f'<td class="n" data-sort="{mean if mean is not None else -1}">'
                        f"{'—' if mean is None else f'{100 * mean:.0f} %'}</td></tr>")
        trend = {chapter: sorted(f for f in (_fraction(r) for r in self.rows if r["assignment"] == chapter)
                                 if f is not None) for chapter in self.chapters}

        def draw(ax):
            xs = range(len(self.chapters))
            means = [100 * sum(v) / len(v) if v else float("nan") for v in trend.values()]
            medians = [100 * v[len(v) // 2] if len(v) % 2 else 100 * (v[len(v) // 2 - 1] + v[len(v) // 2]) / 2
                       if v else float("nan") for v in trend.values()]
            ax.plot(xs, means, "o-", color="#4477aa", label="mean")
            ax.plot(xs, medians, "s--", color="#cc6677", label="median")
            ax.set_xticks(list(xs), [c.split("_")[0] for c in self.chapters])
            ax.set_ylim(0, 105)
            ax.set_ylabel("score (% of the points)")
            ax.set_xlabel("chapter")
            ax.legend(loc="lower left")

        return (f'<h2 id="term">The term: {len(self.chapters)} chapters</h2>'
                "<p>Each student's share of the automatic points per chapter (a link to the feedback page), "
                "and the class's mean and median per chapter.</p>"
                + _image("The class's mean and median score per chapter", draw) +
                f'<table class="sortable" id="term-table"><thead><tr><th>student</th>{head}<th>mean</th></tr>'
                f"</thead><tbody>{''.join(body)}</tbody></table>")

    def chapter(self, chapter):
        rows = [row for row in self.rows if row["assignment"] == chapter]
        parts = [f'<h2 id="{_text(chapter)}">{_text(chapter)}</h2>']
        scored = [(row, _fraction(row)) for row in rows if _fraction(row) is not None]
        graded = [row for row in rows if self.report(row)]
        parts.append(f"<p>{len(rows)} submissions, {len(graded)} graded.")
        if scored:
            fractions = [f for _, f in scored]
            parts.append(f" Mean {100 * sum(fractions) / len(fractions):.0f} % of the automatic points; "
                         f"{sum(f == 1 for f in fractions)} with full marks, {sum(f == 0 for f in fractions)} "
                         "with none.")
        parts.append("</p>")
        if scored:
            def histogram(ax, fractions=[f for _, f in scored]):
                ax.hist([100 * f for f in fractions], bins=[0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100.001],
                        color="#4477aa", edgecolor="white")
                ax.set_xlabel("score (% of the automatic points)")
                ax.set_ylabel("submissions")

            parts.append(_image(f"Distribution of the scores in {chapter}", histogram))
        parts.append(self.exercises(chapter, graded))
        parts.append(self.mistakes(chapter, graded))
        other = Counter(str(row["status"]) for row in rows if str(row["status"]).split(";")[0] != "ok")
        if other:
            parts.append("<h3>Statuses other than ok</h3><ul>")
            parts.extend(f"<li>{count} × {_text(status)}</li>" for status, count in other.most_common())
            parts.append("</ul>")
        return "".join(parts)

    def exercises(self, chapter, graded):
        counts = {}
        for row in graded:
            for entry in self.report(row):
                c = counts.setdefault(entry["name"], Counter(points=entry["points"]))
                c[entry["state"]] += 1
        if not counts:
            return ""
        names = list(counts)
        body = []
        for name in names:
            c = counts[name]
            attempted = len(graded) - c[NOT_ATTEMPTED]
            judged = attempted - c[WAITING]  # a written answer waiting for a grader is neither right nor wrong yet
            body.append(
                f"<tr><td><code>{_text(name)}</code></td><td class=\"n\">{c['points']:g}</td>"
                f"<td class=\"n\">{attempted}</td><td class=\"n\">{c[PASSED]}</td><td class=\"n\">{c[FAILED]}</td>"
                f"<td class=\"n\">{c[NOT_ATTEMPTED]}</td><td class=\"n\">{c[WAITING]}</td>"
                f"<td class=\"n\" data-sort=\"{c[PASSED] / judged if judged else -1}\">"
                f"{'—' if not judged else f'{100 * c[PASSED] / judged:.0f} %'}</td></tr>")

        def bars(ax):
            ys = range(len(names))[::-1]
            left = [0] * len(names)
            for state, color in ((PASSED, "#228833"), (GRADED, "#66aa55"), (FAILED, "#cc3311"),
                                 (WAITING, "#ddaa33"), (NOT_ATTEMPTED, "#bbbbbb")):
                values = [counts[name][state] for name in names]
                if any(values):
                    ax.barh(list(ys), values, left=left, color=color, label=state)
                    left = [a + b for a, b in zip(left, values)]
            ax.set_yticks(list(ys), names)
            ax.set_xlabel("submissions")
            ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.35), ncol=3, fontsize="small")

        return ("<h3>Exercises</h3><p>Attempted: changed from the released stub. Wrong: attempted and lost points. "
                "Not attempted is counted apart from wrong. Passed of those judged: the share of the attempts with every point, written answers still waiting for a grader left out.</p>"
                + _image(f"Passed, wrong and not attempted per exercise of {chapter}", bars,
                         (6.4, 1.2 + 0.42 * len(names))) +
                f'<table class="sortable exercises"><thead><tr><th>exercise</th><th>points</th><th>attempted</th>'
                "<th>passed</th><th>wrong</th><th>not attempted</th><th>waiting for a grader</th>"
                f"<th>passed of those judged</th></tr></thead><tbody>{''.join(body)}</tbody></table>")

    def mistakes(self, chapter, graded):
        failures = [(entry["name"], entry["message"], row) for row in graded for entry in self.report(row)
                    if entry["state"] == FAILED]
        if not failures:
            return ""
        groups = group_mistakes(failures, chapter)
        body = []
        for exercise, name, known, example, members in groups[:MISTAKES_SHOWN]:
            shown = ("<b>known mistake:</b> " + _text(name) + f'<br><code class="muted">{_text(example)}</code>'
                     if known else f"<code>{_text(name)}</code>")
            students = ", ".join(self.link(row, _text(row["student"])) for row in members[:STUDENTS_NAMED])
            more = f" and {len(members) - STUDENTS_NAMED} more" if len(members) > STUDENTS_NAMED else ""
            body.append(f"<tr><td class=\"n\">{len(members)}</td><td><code>{_text(exercise)}</code></td>"
                        f"<td>{shown}</td><td>{students}{more}</td></tr>")
        hidden = len(groups) - MISTAKES_SHOWN
        return ("<h3>Most common mistakes</h3><p>The first thing each failed exercise's tests said; messages that "
                "differ only in their numbers (shown as #) are one mistake, and a message with the hint of a mistake "
                "the course's tests know is called by its name. Not attempted exercises are not mistakes.</p>"
                '<table class="sortable mistakes"><thead><tr><th>students</th><th>exercise</th><th>mistake</th>'
                f"<th>who</th></tr></thead><tbody>{''.join(body)}</tbody></table>"
                + (f"<p>{hidden} rarer mistakes are not shown.</p>" if hidden > 0 else ""))


def write_summary(out, rows, reports, skipped=(), warning=None):
    """Write ``out/summary.html`` from the rows of grades.csv, ``reports`` (``{(student, chapter): the row's
    exercises, exercises.report}``), the files of the upload that were not graded (``skipped``: dicts with
    ``file``, ``student``, ``name`` and ``reason``, as skipped.csv has them) and ``warning``, which, if any,
    stands above everything (a batch graded without isolation says so)."""
    view = ClassView(out, rows, reports)
    nav = "".join(f'<a href="#{_text(chapter)}">{_text(chapter)}</a>' for chapter in view.chapters)
    parts = [f"<h1>Grading summary</h1><p>{len(rows)} submissions, {len({r['student'] for r in rows})} students, "
             f"{len(view.chapters)} chapters.</p>"
             f'<nav><a href="#attention">who needs attention</a>{"<a href=#term>the term</a>" if len(view.chapters) > 1 else ""}{nav}</nav>']
    if warning:
        parts.insert(0, f'<p class="warning"><strong>{html.escape(warning)}</strong>: learners\' code ran '
                        "without the operating system's isolation.</p>")
    parts.append(view.attention())
    parts.append(view.term())
    parts.extend(view.chapter(chapter) for chapter in view.chapters)
    if skipped:
        parts.append(f"<h2>Files not graded ({len(skipped)})</h2><p>Also in skipped.csv.</p><table><thead><tr>"
                     "<th>file</th><th>student</th><th>why</th></tr></thead><tbody>")
        for entry in skipped:
            who = " ".join(x for x in (entry.get("name"), f"({entry['student']})" if entry.get("student") else "") if x)
            parts.append(f"<tr><td>{_text(entry['file'])}</td><td>{_text(who)}</td>"
                         f"<td>{_text(entry['reason'])}</td></tr>")
        parts.append("</tbody></table>")
    page = (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">{csp_meta(SUMMARY_CSP)}'
            f'<title>Grading summary</title>'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><style>{STYLE}</style></head>'
            f"<body>{''.join(parts)}<script>{SORT_SCRIPT}</script></body></html>")
    (Path(out) / "summary.html").write_text(page, encoding="utf-8")
