"""``DIR/summary.html``: where the class struggles, at a glance.

For every chapter graded: the distribution of scores, the pass rate of every test, the most common failure
messages (what the tests told the learners), and the statuses other than ``ok``. One self-contained HTML file
(its plots are embedded), so it can be mailed or opened anywhere.
"""

import base64
import html
import io
from collections import Counter, defaultdict
from pathlib import Path

from .untrusted import csp_meta, printable

# The page runs no script at all: its plots are PNG data URIs and its style is inline.
SUMMARY_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"


def _text(value):
    """Text a learner may control (a status quoting their error, a test's failure message with their values,
    a chapter folder's name) as HTML text: escaped, quotes included, control characters replaced."""
    return html.escape(printable(value), quote=True)


def _plot_png(draw):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 2.6))
    draw(ax)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90)
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode()


def test_results(tests, chapter):
    """``{test grade_id: [passed?, ...]}`` and a Counter of ``(test, message)`` over the chapter's graded
    notebooks; ``tests``: ``{(student, chapter): {test: [passed, message]}}``, as the workers found them."""
    passed, messages = defaultdict(list), Counter()
    for (_, row_chapter), results in sorted(tests.items()):
        if row_chapter != chapter:
            continue
        for test, (ok, message) in results.items():
            passed[test].append(ok)
            if not ok:
                messages[test, message] += 1
    return passed, messages


def write_summary(out, rows, tests, skipped=(), warning=None):
    """Write ``out/summary.html`` from the rows of grades.csv and the results of the tests (see
    :func:`test_results`) and the files of the upload that were not graded (``skipped``: dicts with ``file``,
    ``student``, ``name`` and ``reason``, as skipped.csv has them); ``warning``, if any, stands above everything
    (a batch graded without isolation says so)."""
    by_chapter = defaultdict(list)
    for row in rows:
        by_chapter[row["assignment"]].append(row)
    parts = [f"<h1>Grading summary</h1><p>{len(rows)} submissions, "
             f"{len({r['student'] for r in rows})} students, {len(by_chapter)} chapters.</p>"]
    if warning:
        parts.insert(0, f'<p class="warning"><strong>{html.escape(warning)}</strong>: learners\' code ran '
                        "without the operating system's isolation.</p>")
    for chapter, chapter_rows in sorted(by_chapter.items()):
        parts.append(f"<h2>{_text(chapter)}</h2>")
        scored = [r for r in chapter_rows if r["max_score"] not in ("", None) and float(r["max_score"]) > 0]
        if scored:
            fractions = [float(r["score"]) / float(r["max_score"]) for r in scored]
            mean = sum(fractions) / len(fractions)
            parts.append(f"<p>Mean {100 * mean:.0f} % of the automatic points over {len(scored)} submissions; "
                         f"{sum(f == 1 for f in fractions)} with full marks, {sum(f == 0 for f in fractions)} "
                         "with none.</p>")

            def histogram(ax, fractions=fractions):
                ax.hist([100 * f for f in fractions], bins=[0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100.001],
                        color="#4477aa", edgecolor="white")
                ax.set_xlabel("score (% of the automatic points)")
                ax.set_ylabel("submissions")

            parts.append(f'<img alt="Distribution of the scores in {_text(chapter)}" '
                         f'src="data:image/png;base64,{_plot_png(histogram)}">')
        passed, messages = test_results(tests, chapter)
        if passed:
            parts.append("<h3>Pass rate of every test</h3><table><tr><th>test</th><th>passed</th></tr>")
            for test, results in passed.items():
                rate = sum(results) / len(results)
                parts.append(f"<tr><td>{_text(test)}</td><td>{100 * rate:.0f} % "
                             f"({sum(results)} of {len(results)})</td></tr>")
            parts.append("</table>")
        if messages:
            parts.append("<h3>Most common failure messages</h3><table><tr><th>count</th><th>test</th>"
                         "<th>message</th></tr>")
            for (test, message), count in messages.most_common(10):
                parts.append(f"<tr><td>{count}</td><td>{_text(test)}</td><td><code>{_text(message)}"
                             "</code></td></tr>")
            parts.append("</table>")
        other = Counter(r["status"] for r in chapter_rows if r["status"] != "ok")
        if other:
            parts.append("<h3>Statuses other than ok</h3><ul>")
            for status, count in other.most_common():
                parts.append(f"<li>{count} × {_text(status)}</li>")
            parts.append("</ul>")
    if skipped:
        parts.append(f"<h2>Files not graded ({len(skipped)})</h2><p>Also in skipped.csv.</p><table><tr>"
                     "<th>file</th><th>student</th><th>why</th></tr>")
        for entry in skipped:
            who = " ".join(x for x in (entry.get("name"), f"({entry['student']})" if entry.get("student") else "") if x)
            parts.append(f"<tr><td>{_text(entry['file'])}</td><td>{_text(who)}</td>"
                         f"<td>{_text(entry['reason'])}</td></tr>")
        parts.append("</table>")
    style = ("body{font-family:sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}"
             "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2rem .5rem;text-align:left}"
             "img{max-width:100%}")
    page = (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">{csp_meta(SUMMARY_CSP)}'
            f'<title>Grading summary</title>'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><style>{style}</style></head>'
            f"<body>{''.join(parts)}</body></html>")
    (Path(out) / "summary.html").write_text(page)
