"""The course's diagrams, drawn with matplotlib from this code and written as SVG.

Every diagram is a function that returns a matplotlib ``Figure``; ``DIAGRAMS`` maps its file name to it, and
``write(out_dir, names)`` saves ``out_dir/<name>.svg``. From the command line::

    python -m book.diagrams OUT_DIR [NAME ...]

Conventions, shared by every diagram so that the figures read as one set:

* coordinates are CSS pixels (96 per inch), y upwards, on a canvas the size of the SVG as displayed; font
  sizes are in points (9 pt = 12 px), and no glyph is smaller than 9 pt, subscripts included;
* one colour per role (``ROLES``): inputs green, hidden states blue, outputs orange, gates purple, the
  memory path crimson, losses grey; element-wise operations are white circles;
* text stays text in the SVG (``svg.fonttype: none``), in DejaVu Sans with safe fallbacks, and the files are
  byte-for-byte reproducible (fixed ``svg.hashsalt``, no date).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path as FilePath

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Circle, Ellipse, FancyArrowPatch, FancyBboxPatch, PathPatch
from matplotlib.path import Path

# ---------------------------------------------------------------------------------------------------------
# Style: every colour, size and rcParam in one place.
# ---------------------------------------------------------------------------------------------------------

PX_PER_INCH = 96  # the canvas is measured in CSS pixels

STYLE = {
    "svg.fonttype": "none",            # text stays <text>: crisp, searchable, selectable
    "svg.hashsalt": "rnn-course-diagrams",  # stable ids, so that the files are reproducible
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Bitstream Vera Sans", "Verdana", "Arial", "Helvetica"],
    "mathtext.fontset": "dejavusans",
    "mathtext.default": "it",
    "axes.unicode_minus": True,
}
FONT_FALLBACK = "'DejaVu Sans', 'Bitstream Vera Sans', Verdana, Arial, sans-serif"

INK = "#222222"       # text, neutral arrows
MUTED = "#9a9a9a"     # context drawn but not the point of the figure
FAINT = "#d4d4d4"
CELL_FILL, CELL_EDGE = "#f6f6f4", "#bdbdb6"  # the outline of a GRU or LSTM cell


@dataclass(frozen=True)
class Role:
    """The colours of one kind of quantity: a light fill and a dark edge (also used for its arrows)."""
    fill: str
    edge: str


ROLES = {
    "input": Role("#e1f1de", "#3a8a38"),    # x<t>
    "hidden": Role("#dbe7f6", "#2462ad"),   # a<t>, and the tanh layers that make hidden values
    "output": Role("#fde4d1", "#cc5d14"),   # ŷ<t>
    "gate": Role("#ece1f7", "#7344ac"),     # Γ: sigmoid layers
    "memory": Role("#fbe0e8", "#c2185b"),   # c<t>: the additive memory path
    "loss": Role("#eeeeee", "#555555"),     # ℒ<t>, ℒ
    "op": Role("#ffffff", "#444444"),       # element-wise operations
    "muted": Role("#f4f4f4", MUTED),
}

LABEL = 13.5   # pt: a node's label; its sub/superscripts come out at 0.7 × 13.5 = 9.45 pt
SMALL = 11     # pt: plain words without sub/superscripts
TITLE = 13.5   # pt: panel titles
LINE = 1.6     # pt: ordinary arrows
THICK = 3.2    # pt: highlighted paths
HEAD = "-|>,head_length=0.55,head_width=0.28"
HEAD_SCALE = 14


def step(t):
    """The time-step superscript of the course, tightly set: step('t') -> '<t>' as mathtext."""
    return r"<\!" + str(t) + r"\!>"


def sym(base, t=None, sub=None, layer=None):
    """Mathtext for a symbol at a time step: sym('a', 't') -> $a^{<t>}$, sym('a', 1, sub='f'), layer=[l]."""
    s = base
    if sub is not None:
        s += "_{" + sub + "}"
    sup = ""
    if layer is not None:
        sup += "[" + str(layer) + "]"
    if t is not None:
        sup += step(t)
    if sup:
        s += "^{" + sup + "}"
    return "$" + s + "$"


# ---------------------------------------------------------------------------------------------------------
# Drawing helpers
# ---------------------------------------------------------------------------------------------------------


def canvas(width, height):
    """A blank figure of width × height CSS pixels whose data coordinates are those pixels (y upwards)."""
    fig = Figure(figsize=(width / PX_PER_INCH, height / PX_PER_INCH), dpi=PX_PER_INCH, facecolor="white")
    FigureCanvasAgg(fig)  # a renderer, to measure text (see width_of)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.set_axis_off()
    return fig, ax


@dataclass
class Node:
    """A drawn box or circle, with the points of its edges where arrows start and end."""
    x: float
    y: float
    w: float
    h: float

    def left(self, dy=0):
        return (self.x - self.w / 2, self.y + dy)

    def right(self, dy=0):
        return (self.x + self.w / 2, self.y + dy)

    def top(self, dx=0):
        return (self.x + dx, self.y + self.h / 2)

    def bottom(self, dx=0):
        return (self.x + dx, self.y - self.h / 2)


def text(ax, x, y, s, size=LABEL, color=INK, ha="center", va="center", **kw):
    return ax.text(x, y, s, fontsize=size, color=color, ha=ha, va=va, zorder=6, **kw)


def box(ax, x, y, label, role, w=64, h=38, size=LABEL, dashed=False, lw=LINE, alpha=1.0, radius=7):
    """A rounded box centred on (x, y), filled with its role's colours, with a centred label."""
    r = ROLES[role]
    ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle=f"round,pad=0,rounding_size={radius}",
                                facecolor=r.fill, edgecolor=r.edge, linewidth=lw, alpha=alpha,
                                linestyle=(0, (4, 2.5)) if dashed else "solid", zorder=4))
    if label:
        text(ax, x, y, label, size=size, alpha=alpha)
    return Node(x, y, w, h)


def op(ax, x, y, symbol, role="op", r=12, size=13, lw=LINE, alpha=1.0):
    """An element-wise operation: a white circle with its symbol (×, +, 1−)."""
    ro = ROLES[role]
    ax.add_patch(Circle((x, y), r, facecolor="white", edgecolor=ro.edge, linewidth=lw, zorder=5, alpha=alpha))
    text(ax, x, y, symbol, size=size, color=INK if role == "op" else ro.edge, alpha=alpha)
    return Node(x, y, 2 * r, 2 * r)


def ellipse(ax, x, y, label, role="op", w=52, h=26, size=SMALL):
    """An element-wise function applied to a value (tanh of the cell): an oval, as colah draws it."""
    ro = ROLES[role]
    ax.add_patch(Ellipse((x, y), w, h, facecolor="white", edgecolor=ro.edge, linewidth=LINE, zorder=5))
    text(ax, x, y, label, size=size)
    return Node(x, y, w, h)


def _rounded(points, radius):
    """A polyline through points, its corners rounded with the given radius (a Path)."""
    verts, codes = [points[0]], [Path.MOVETO]
    for (x0, y0), (x1, y1), (x2, y2) in zip(points, points[1:], points[2:]):
        d1 = math.hypot(x1 - x0, y1 - y0)
        d2 = math.hypot(x2 - x1, y2 - y1)
        r = min(radius, d1 / 2, d2 / 2)
        a = (x1 - (x1 - x0) * r / d1, y1 - (y1 - y0) * r / d1)
        b = (x1 + (x2 - x1) * r / d2, y1 + (y2 - y1) * r / d2)
        verts += [a, (x1, y1), b]
        codes += [Path.LINETO, Path.CURVE3, Path.CURVE3]
    return verts, codes


def arrow(ax, *points, color=INK, lw=LINE, head=True, radius=9, zorder=3, halo=False, alpha=1.0, glow=None):
    """An arrow along a polyline of points (right-angle routes get rounded corners), the head at the end.

    halo draws a white band under it, so that a line it crosses is seen to pass beneath; glow draws a wide
    translucent band of that colour under it, to highlight a path."""
    verts, codes = _rounded(points, radius)
    # The head sits on the last straight segment; the route before it (corners included) is a plain path.
    body = Path(verts, codes) if len(points) > 2 else None
    start = verts[-1]
    under = []
    if halo:
        under.append(("white", lw + 5, 1.0))
    if glow:
        under.append((glow, lw + 7, 0.22))
    for c, w, a in under + [(color, lw, alpha)]:
        if body is not None:
            ax.add_patch(PathPatch(body, facecolor="none", edgecolor=c, linewidth=w, alpha=a, zorder=zorder,
                                   capstyle="butt"))
        style = HEAD if head and c == color and w == lw else "-"
        ax.add_patch(FancyArrowPatch(start, points[-1], arrowstyle=style, mutation_scale=HEAD_SCALE,
                                     shrinkA=0, shrinkB=0 if style != "-" else 6 if head else 0,
                                     color=c, linewidth=w, alpha=a, zorder=zorder, capstyle="butt"))


def line(ax, *points, **kw):
    """A polyline without a head (a bus, or the part of a route before a junction)."""
    arrow(ax, *points, head=False, **kw)


def dot(ax, x, y, color=INK, r=3.2):
    """A junction: where one line splits in two."""
    ax.add_patch(Circle((x, y), r, facecolor=color, edgecolor="none", zorder=4))


def weight(ax, x, y, s, ha="center"):
    """A shared weight's label: set in a grey tag, the same at every step."""
    return ax.text(x, y, s, fontsize=LABEL, color=INK, ha=ha, va="center", zorder=7,
                   bbox=dict(boxstyle="round,pad=0.18,rounding_size=0.4", facecolor="#f1f1ef",
                             edgecolor="#d0d0cb", linewidth=0.8))


def cell_outline(ax, x0, y0, x1, y1):
    ax.add_patch(FancyBboxPatch((x0, y0), x1 - x0, y1 - y0, boxstyle="round,pad=0,rounding_size=18",
                                facecolor=CELL_FILL, edgecolor=CELL_EDGE, linewidth=1.2, zorder=0))


def legend(ax, x, y, items, gap=26):
    """A one-line legend from left to right; items are (kind, role, words) with kind box, circle or line."""
    for kind, role, words, mark in items:
        r = ROLES[role]
        if kind == "box":
            box(ax, x + 14, y, mark, role, w=28, h=22, size=SMALL, lw=1.2, radius=4)
            x += 34
        elif kind == "circle":
            op(ax, x + 11, y, mark, r=10, size=SMALL, lw=1.2)
            x += 28
        else:
            ax.plot([x, x + 30], [y, y], color=r.edge, linewidth=THICK, solid_capstyle="butt", zorder=3)
            x += 38
        t = text(ax, x, y, words, size=LABEL if "$" in words else SMALL, ha="left")
        x += width_of(ax, t) + gap


def width_of(ax, t):
    """The width in px of a drawn text (the canvas is measured in px at 96 dpi)."""
    return t.get_window_extent(ax.figure.canvas.get_renderer()).width


def last_step(ax, x, y, base, sub, rest="", size=LABEL, color=INK, ha="center"):
    """A symbol at a step counted from the end, as $ŷ^{<T_y>}$ or $a^{<T_x-1>}$, set by hand: mathtext would
    nest the subscript of T inside the superscript (6.6 pt); here the whole superscript is at 0.7 × size.

    Returns the drawn texts."""
    px = size * PX_PER_INCH / 72
    small = 0.7 * size
    base_y = y - 0.36 * px
    sup_y = base_y + 0.42 * px
    pieces = [(base, size, base_y, "italic", 1.5), ("<", small, sup_y, "normal", 0),
              ("T", small, sup_y, "italic", 0), (sub, small, sup_y - 0.2 * px, "italic", 0)]
    if rest:
        pieces.append((rest.replace("-", "−"), small, sup_y, "italic", 0))
    pieces.append((">", small, sup_y, "normal", 0))
    drawn, cursor = [], x
    for s, fs, yy, style, gap in pieces:
        t = ax.text(cursor, yy, s, fontsize=fs, color=color, ha="left", va="baseline", style=style, zorder=6)
        cursor += width_of(ax, t) + gap
        drawn.append(t)
    shift = {"center": (cursor - x) / 2, "left": 0, "right": cursor - x}[ha]
    for t in drawn:
        t.set_x(t.get_position()[0] - shift)
    return drawn


# ---------------------------------------------------------------------------------------------------------
# Chapter 1: the RNN and its input/output patterns
# ---------------------------------------------------------------------------------------------------------


def rnn_unrolled():
    """The RNN rolled up (one cell and its loop) and unrolled over three steps, with its shared weights."""
    fig, ax = canvas(830, 340)
    yx, ya, yy = 82, 180, 278
    w, h = 72, 40

    # Rolled: one cell whose state loops back into itself.
    cx = 90
    x = box(ax, cx, yx, sym("x", "t"), "input", w, h)
    a = box(ax, cx, ya, sym("a", "t"), "hidden", w, h)
    y = box(ax, cx, yy, sym("ŷ", "t"), "output", w, h)
    arrow(ax, x.top(), a.bottom())
    arrow(ax, a.top(), y.bottom())
    weight(ax, cx - 10, (yx + ya) / 2, "$W_{ax}$", ha="right")
    weight(ax, cx - 10, (ya + yy) / 2, "$W_{ya}$", ha="right")
    loop_x, loop_y = a.right()[0] + 32, ya + h / 2 + 26
    arrow(ax, a.right(), (loop_x, ya), (loop_x, loop_y), (cx + 22, loop_y), a.top(22), color=ROLES["hidden"].edge)
    weight(ax, loop_x + 8, (ya + loop_y) / 2 + 4, "$W_{aa}$", ha="left")
    text(ax, cx + 25, 322, "rolled", size=SMALL, color="#555555")

    # The unroll arrow.
    ax.add_patch(FancyArrowPatch((204, ya), (264, ya), arrowstyle="simple,head_width=1.3,head_length=1.0,tail_width=0.55",
                                 mutation_scale=16, facecolor="#e2e2e2", edgecolor="#a5a5a5", linewidth=1, zorder=2))
    text(ax, 232, ya - 26, "unroll", size=SMALL, color="#555555")

    # Unrolled over three steps.
    a0 = box(ax, 315, ya, sym("a", 0), "hidden", 64, h, dashed=True)
    prev = a0
    xs = [435, 565, 695]
    for t, cx in enumerate(xs, start=1):
        x = box(ax, cx, yx, sym("x", t), "input", w, h)
        a = box(ax, cx, ya, sym("a", t), "hidden", w, h)
        y = box(ax, cx, yy, sym("ŷ", t), "output", w, h)
        arrow(ax, x.top(), a.bottom())
        arrow(ax, a.top(), y.bottom())
        arrow(ax, prev.right(), a.left(), color=ROLES["hidden"].edge)
        weight(ax, cx - 8, (yx + ya) / 2, "$W_{ax}$", ha="right")
        weight(ax, cx - 8, (ya + yy) / 2, "$W_{ya}$", ha="right")
        weight(ax, (prev.right()[0] + a.left()[0]) / 2, ya + 24, "$W_{aa}$")
        prev = a
    arrow(ax, prev.right(), (prev.right()[0] + 48, ya), color=ROLES["hidden"].edge)
    text(ax, prev.right()[0] + 66, ya, r"$\cdots$", size=LABEL)
    text(ax, 505, 322, "unrolled over time", size=SMALL, color="#555555")
    text(ax, 505, 26, r"the same $W_{ax}$, $W_{aa}$, $W_{ya}$ (and $b_a$, $b_y$) at every time step",
         size=LABEL, color="#444444")
    return fig


def _chain(ax, x0, y0, n, inputs, outputs, pitch=78, w=54, h=34, hidden_labels=False):
    """One pattern's network: n hidden boxes in a row; inputs/outputs are the steps (0-based) that have one.

    A lone input or output has no time index (x, ŷ), as in the cheatsheet."""
    ya, yx, yy = y0, y0 - 74, y0 + 74
    hidden = []
    for i in range(n):
        cx = x0 + i * pitch
        a = box(ax, cx, ya, sym("a", i + 1) if hidden_labels else "", "hidden", w, h)
        if hidden:
            arrow(ax, hidden[-1].right(), a.left(), color=ROLES["hidden"].edge)
        hidden.append(a)
    for k, i in enumerate(inputs):
        a = hidden[i]
        x = box(ax, a.x, yx, sym("x", k + 1 if len(inputs) > 1 else None), "input", w, h)
        arrow(ax, x.top(), a.bottom())
    for k, i in enumerate(outputs):
        a = hidden[i]
        y = box(ax, a.x, yy, sym("ŷ", k + 1 if len(outputs) > 1 else None), "output", w, h)
        arrow(ax, a.top(), y.bottom())
    return hidden


def _panel_title(ax, x, y, title, example):
    text(ax, x, y, title, size=TITLE, weight="bold")
    text(ax, x, y - 22, example, size=SMALL, color="#555555", style="italic")


def rnn_patterns():
    """The five input/output patterns of an RNN, each with an example task (2 rows of panels)."""
    fig, ax = canvas(880, 640)
    legend(ax, 190, 618, [("box", "input", "input  $x^{<\\!t\\!>}$", ""),
                          ("box", "hidden", "hidden state  $a^{<\\!t\\!>}$", ""),
                          ("box", "output", "output  $ŷ^{<\\!t\\!>}$", "")], gap=40)
    # Row 1
    top = 560
    y0 = 420
    _panel_title(ax, 140, top, "One-to-one", "a traditional neural network")
    _chain(ax, 140, y0, 1, [0], [0])
    _panel_title(ax, 440, top, "One-to-many", "music generation")
    _chain(ax, 440 - 78, y0, 3, [0], [0, 1, 2])
    _panel_title(ax, 740, top, "Many-to-one", "sentiment classification")
    _chain(ax, 740 - 78, y0, 3, [0, 1, 2], [2])
    ax.plot([30, 850], [300, 300], color="#e4e4e4", linewidth=1, zorder=0)
    for xv in (290, 590):
        ax.plot([xv, xv], [320, 590], color="#e4e4e4", linewidth=1, zorder=0)
    # Row 2
    top = 270
    y0 = 132
    _panel_title(ax, 168, top, "Many-to-many, $T_x = T_y$", "named-entity recognition")
    _chain(ax, 168 - 1.5 * 78, y0, 4, [0, 1, 2, 3], [0, 1, 2, 3])
    ax.plot([340, 340], [30, 290], color="#e4e4e4", linewidth=1, zorder=0)
    _panel_title(ax, 600, top, r"Many-to-many, $T_x \neq T_y$", "machine translation")
    x0 = 600 - 3 * 78
    _chain(ax, x0, y0, 7, [0, 1, 2], [3, 4, 5, 6])
    # encoder / decoder brackets under the hidden row
    for a, b, words in ((x0 - 27, x0 + 2 * 78 + 27, "encoder"), (x0 + 3 * 78 - 27, x0 + 6 * 78 + 27, "decoder")):
        yb = 36
        ax.plot([a, a, b, b], [yb + 6, yb, yb, yb + 6], color="#777777", linewidth=1.2, zorder=2)
        text(ax, (a + b) / 2, yb - 14, words, size=SMALL, color="#555555")
    return fig


# ---------------------------------------------------------------------------------------------------------
# Chapter 2: the loss summed over time
# ---------------------------------------------------------------------------------------------------------


def loss_over_time():
    """Each prediction ŷ<t> is compared with its target y<t> into a loss ℒ<t>; the losses add up to ℒ."""
    fig, ax = canvas(860, 500)
    hid, loss = ROLES["hidden"].edge, ROLES["loss"].edge
    yx, ya, yy, yl, ytot = 82, 162, 246, 330, 410
    w, h = 64, 38
    text(ax, 430, 468, r"cross-entropy of one step:  $ℒ(ŷ^{<\!t\!>}, y^{<\!t\!>}) = -\Sigma_k\, y_k^{<\!t\!>}\,"
                       r"\log\, ŷ_k^{<\!t\!>} = -\log\, ŷ_c^{<\!t\!>}$", color="#444444")
    total = box(ax, 430, ytot, r"$ℒ = \Sigma_t\; ℒ(ŷ^{<\!t\!>}, y^{<\!t\!>})$", "loss", 720, 40)
    a0 = box(ax, 52, ya, sym("a", 0), "hidden", 56, h, dashed=True)
    prev = a0
    cols = [(1, 196), (2, 366), (3, 536), (None, 736)]  # None: the last step, T_y (= T_x)
    for t, cx in cols:
        xa, xt = cx - 36, cx + 36
        last = t is None
        if last:
            text(ax, (prev.right()[0] + xa - w / 2) / 2, ya, r"$\cdots$", color=hid)
            text(ax, (prev.x + 36 + w + 4 + cx - w - 4) / 2, yl, r"$\cdots$", color=loss)  # between the ℒ boxes
        x = box(ax, xa, yx, None if last else sym("x", t), "input", w, h)
        a = box(ax, xa, ya, None if last else sym("a", t), "hidden", w, h)
        y = box(ax, xa, yy, None if last else sym("ŷ", t), "output", w, h)
        target = box(ax, xt, yy, None if last else sym("y", t), "op", w, h)
        l = box(ax, cx, yl, None if last else sym("ℒ", t), "loss", 2 * w + 8, h)
        if last:
            last_step(ax, x.x, x.y, "x", "x")
            last_step(ax, a.x, a.y, "a", "x")
            last_step(ax, y.x, y.y, "ŷ", "y")
            last_step(ax, target.x, target.y, "y", "y")
            last_step(ax, l.x, l.y, "ℒ", "y")
        arrow(ax, x.top(), a.bottom())
        arrow(ax, a.top(), y.bottom())
        arrow(ax, y.top(), l.bottom(-36))
        arrow(ax, target.top(), l.bottom(36))
        arrow(ax, l.top(), (cx, ytot - 20), color=loss)
        if last:
            line(ax, prev.right(), (prev.right()[0] + 34, ya), color=hid)
            arrow(ax, (a.left()[0] - 34, ya), a.left(), color=hid)
        else:
            arrow(ax, prev.right(), a.left(), color=hid)
        prev = a
    # What each box is: words on the left of the first column.
    legend(ax, 86, 24, [("box", "output", "prediction (probabilities)", ""),
                        ("box", "op", "target (one-hot)", ""),
                        ("box", "loss", "loss", "")], gap=36)
    return fig

# ---------------------------------------------------------------------------------------------------------
# Chapter 3: backpropagation through time
# ---------------------------------------------------------------------------------------------------------


def bptt_paths():
    """The two paths by which a<t> reaches the loss, and ∂ℒ/∂a<t> as the sum of the two."""
    fig, ax = canvas(840, 520)
    hid, out = ROLES["hidden"].edge, ROLES["output"].edge
    yx, ya, yy, yl, ytot = 150, 240, 330, 415, 488
    w, h = 80, 40
    cols = [("t-1", 150), ("t", 300), ("t+1", 450), ("t+2", 600)]
    total = box(ax, 375, ytot, r"$ℒ = \Sigma_t\, ℒ^{<\!t\!>}$", "loss", 530, 38)
    prev = None
    for i, (t, cx) in enumerate(cols):
        later = i >= 2       # reached from a<t> through a<t+1>
        own = i == 1         # a<t> itself
        x = box(ax, cx, yx, sym("x", t), "input" if i >= 1 else "muted", w, h, alpha=1.0)
        a = box(ax, cx, ya, sym("a", t), "hidden", w, h, lw=3.0 if own else LINE)
        y = box(ax, cx, yy, sym("ŷ", t), "output", w, h)
        l = box(ax, cx, yl, sym("ℒ", t), "loss", w, h)
        arrow(ax, x.top(), a.bottom(), color=MUTED)
        if own:
            kw = dict(color=out, lw=THICK, glow=out)
        elif later:
            kw = dict(color=hid, lw=THICK, glow=hid)
        else:
            kw = dict(color=MUTED)
        arrow(ax, a.top(), y.bottom(), **kw)
        arrow(ax, y.top(), l.bottom(), **kw)
        arrow(ax, l.top(), (cx, ytot - 18), **kw)
        if prev is not None:
            arrow(ax, prev.right(), a.left(), **(dict(color=hid, lw=THICK, glow=hid) if later else dict(color=MUTED)))
        else:
            arrow(ax, (56, ya), a.left(), color=MUTED)
            text(ax, 38, ya, r"$\cdots$", size=LABEL, color=MUTED)
        prev = a
    arrow(ax, prev.right(), (prev.right()[0] + 50, ya), color=hid, lw=THICK, glow=hid)
    text(ax, prev.right()[0] + 70, ya, r"$\cdots$", size=LABEL, color=hid)
    # The gradient is the sum of the two paths: one term per path, each in its path's colour.
    y1, y2, xl, xt, xw = 84, 44, 40, 200, 520
    text(ax, xt - 12, y1, r"$\partial ℒ / \partial a^{<\!t\!>} \;=$", ha="right")
    text(ax, xt, y1, r"$\partial ℒ^{<\!t\!>} / \partial a^{<\!t\!>}$", color=out, ha="left")
    text(ax, xw, y1, r"through $ŷ^{<\!t\!>}$: its own step's loss", color=out, ha="left")
    text(ax, xt - 12, y2, "$+$", ha="right")
    text(ax, xt, y2, r"$(\partial ℒ / \partial a^{<\!t+1\!>})\,(\partial a^{<\!t+1\!>} / \partial a^{<\!t\!>})$",
         color=hid, ha="left")
    text(ax, xw, y2, r"through $a^{<\!t+1\!>}$: all later losses", color=hid, ha="left")
    return fig


# ---------------------------------------------------------------------------------------------------------
# Chapter 4: activation functions
# ---------------------------------------------------------------------------------------------------------


def _curve(ax, x0, y0, w, h, f, color, lw=2.4):
    """A small sketch of an activation: axes through the origin, z from -4 to 4, g(z) from -1.25 to 1.25."""
    axis = "#9a9a9a"
    ax.plot([x0, x0 + w], [y0, y0], color=axis, linewidth=1, zorder=2)
    ax.plot([x0 + w / 2, x0 + w / 2], [y0 - h / 2, y0 + h / 2], color=axis, linewidth=1, zorder=2)
    for v in (-1, 1):
        ax.plot([x0, x0 + w], [y0 + v * h / 2.5] * 2, color="#d4d4d4", linewidth=0.9, linestyle=(0, (3, 3)),
                zorder=1)
    zs = [z for z in (-4 + 8 * i / 160 for i in range(161)) if abs(f(z)) <= 1.25]  # ReLU leaves the box
    ax.plot([x0 + (z + 4) / 8 * w for z in zs], [y0 + f(z) * h / 2.5 for z in zs],
            color=color, linewidth=lw, zorder=3, solid_capstyle="round")


def activations_in_cell():
    """Where g1 (tanh) and g2 (softmax) sit in the vanilla cell, and the shapes of sigmoid, tanh and ReLU."""
    fig, ax = canvas(880, 480)
    hid, out, gate = ROLES["hidden"], ROLES["output"], ROLES["gate"]

    # The cell: the hidden state's sum, then g1; the output's sum, then g2.
    ya = 120
    ap = box(ax, 56, ya, sym("a", "t-1"), "hidden", 76, 40)
    x = box(ax, 190, 36, sym("x", "t"), "input", 64, 38)
    s1 = op(ax, 190, ya, "+")
    g1 = box(ax, 290, ya, "tanh", "hidden", 70, 40, size=SMALL, lw=2.6)
    a = box(ax, 400, ya, sym("a", "t"), "hidden", 64, 40)
    arrow(ax, ap.right(), s1.left(), color=hid.edge)
    weight(ax, 131, ya + 20, "$W_{aa}$")
    arrow(ax, x.top(), s1.bottom())
    weight(ax, 180, 78, "$W_{ax}$", ha="right")
    arrow(ax, (190, ya + 52), s1.top())
    text(ax, 190, ya + 64, "$b_a$")
    arrow(ax, s1.right(), g1.left())
    arrow(ax, g1.right(), a.left(), color=hid.edge)
    text(ax, 290, ya + 36, "$g_1$", color=hid.edge)
    arrow(ax, a.right(), (462, ya), color=hid.edge)
    text(ax, 468, ya, "to step $t+1$", size=SMALL, color="#555555", ha="left")

    s2 = op(ax, 400, 212, "+")
    g2 = box(ax, 400, 294, "softmax", "output", 82, 40, size=SMALL, lw=2.6)
    y = box(ax, 400, 386, sym("ŷ", "t"), "output", 64, 40)
    arrow(ax, a.top(), s2.bottom())
    weight(ax, 388, 170, "$W_{ya}$", ha="right")
    arrow(ax, (454, 212), s2.right())
    text(ax, 462, 212, "$b_y$", ha="left")
    arrow(ax, s2.top(), g2.bottom())
    arrow(ax, g2.top(), y.bottom(), color=out.edge)
    text(ax, 350, 294, "$g_2$", color=out.edge, ha="right")

    # The two formulas, each in its activation's colour, in the free corner above the hidden state.
    text(ax, 24, 452, r"$a^{<\!t\!>} = g_1(W_{aa}\, a^{<\!t-1\!>} + W_{ax}\, x^{<\!t\!>} + b_a)$", color=hid.edge,
         ha="left")
    text(ax, 24, 410, r"$ŷ^{<\!t\!>} = g_2(W_{ya}\, a^{<\!t\!>} + b_y)$", color=out.edge, ha="left")
    text(ax, 24, 304, "softmax: one probability", size=SMALL, color="#555555", ha="left")
    text(ax, 24, 282, "per class, summing to 1", size=SMALL, color="#555555", ha="left")

    # The shapes: three small curves, the one used as g1 framed in its colour.
    ax.plot([575, 575], [24, 456], color="#e4e4e4", linewidth=1, zorder=0)
    px, pw, ph = 606, 100, 64
    rows = [(350, math.tanh, hid.edge, "tanh, $g_1$: the hidden state", "range (−1, 1)", "slope 1 at 0"),
            (215, _sigmoid, gate.edge, "sigmoid σ: the gates (ch. 6–8)", "range (0, 1)", "slope 1/4 at 0"),
            (80, lambda z: max(0.0, z), MUTED, "ReLU: a contrast", "range [0, ∞)", "slope 0 or 1")]
    for cy, f, color, title, rng, slope in rows:
        _curve(ax, px, cy, pw, ph, f, color)
        text(ax, px - 6, cy + 50, title, size=LABEL if "$" in title else SMALL, color=color, ha="left",
             weight="bold" if "$" not in title else "normal")
        text(ax, px + pw + 14, cy + 10, rng, size=SMALL, color="#444444", ha="left")
        text(ax, px + pw + 14, cy - 12, slope, size=SMALL, color="#444444", ha="left")
    ax.add_patch(FancyBboxPatch((592, 350 - 44), 270, 112, boxstyle="round,pad=0,rounding_size=10",
                                facecolor="none", edgecolor=hid.edge, linewidth=1.2, zorder=1))
    return fig

# ---------------------------------------------------------------------------------------------------------
# Chapter 5: vanishing and exploding gradients
# ---------------------------------------------------------------------------------------------------------


def gradient_chain():
    """The gradient k steps back is a product of k factors W_aa^T tanh': it vanishes or explodes like a power
    of k; clipping by norm brings an exploded gradient back to length c, keeping its direction."""
    fig, ax = canvas(890, 500)
    hid, out, loss = ROLES["hidden"], ROLES["output"], ROLES["loss"]
    text(ax, 445, 476, r"one step back:  $\partial ℒ / \partial a^{<\!t-1\!>} = W_{aa}^T\, (\partial ℒ / \partial "
                       r"a^{<\!t\!>} * (1 - (a^{<\!t\!>})^2))$", color="#444444")

    # The chain: the loss reads the last state; the gradient comes back one factor per step.
    yc, w, h = 400, 84, 40
    cols = [(78, "k"), (270, "2"), (420, "1"), (570, "0")]  # column x, steps back from a<T_x>
    states = []
    for cx, k in cols:
        states.append(box(ax, cx, yc, None, "hidden", w, h))
        last_step(ax, cx, yc, "a", "x", "" if k == "0" else f"-{k}")
    lbox = box(ax, 712, yc, "$ℒ$", "loss", 56, h)
    line(ax, states[0].right(), (states[0].right()[0] + 30, yc), color=MUTED)
    text(ax, 174, yc, r"$\cdots$", color=MUTED)
    arrow(ax, (states[1].left()[0] - 30, yc), states[1].left(), color=MUTED)
    for a, b in zip(states[1:], states[2:] + [lbox]):
        arrow(ax, a.right(), b.left(), color=MUTED)
    back = dict(color=hid.edge, lw=THICK, glow=hid.edge, radius=12)
    yb = 352
    arrow(ax, lbox.bottom(), (712, yb), (states[3].x + 20, yb), states[3].bottom(20), **back)
    for a, b in zip(states[1:][::-1], states[:-1][::-1]):
        arrow(ax, a.bottom(-20), (a.x - 20, yb), (b.x + 20, yb), b.bottom(20), **back)
    for a, b in zip(states[2:], states[1:-1]):
        weight(ax, (a.x + b.x) / 2, yb - 22, r"$\times\, W_{aa}^T\, \tanh$′")
    weight(ax, (states[0].x + states[1].x) / 2, yb - 22, r"$k - 2$ more")
    text(ax, 712, yb - 22, "gradient", size=SMALL, color=hid.edge)

    # Its size at each state, for two scales of W_aa (tanh unsaturated, slope 1): a power of the distance.
    y0, unit, cap = 70, 46, 186
    ax.plot([30, 620], [y0, y0], color="#777777", linewidth=1, zorder=2)
    text(ax, 30, 296, r"size of the gradient $\|\partial ℒ / \partial a\|$", size=LABEL, ha="left", color="#444444")
    for (cx, k), kk in zip(cols, (10, 2, 1, 0)):
        for dx, base, role in ((-14, 0.5, "hidden"), (14, 1.5, "output")):
            v = base ** kk
            top = min(v * unit, cap)
            r = ROLES[role]
            ax.add_patch(FancyBboxPatch((cx + dx - 11, y0), 22, max(top, 1.5), boxstyle="square,pad=0",
                                        facecolor=r.fill, edgecolor=r.edge, linewidth=1.2, zorder=3))
            if top == cap:  # cut: the bar goes on far above
                for yy in (cap + y0 - 16, cap + y0 - 10):
                    ax.plot([cx + dx - 14, cx + dx + 14], [yy - 3, yy + 3], color="white", linewidth=3, zorder=4)
                text(ax, cx + dx + 16, cap + y0 - 8, f"{base:g}$^{{{k}}}$", size=LABEL, color=r.edge, ha="left")
        text(ax, cx, y0 - 16, "0 steps back" if k == "0" else "$k$ steps back" if k == "k" else f"{k} step{'s' if k != '1' else ''} back",
             size=SMALL, color="#444444")
    text(ax, 78 - 14, y0 + 14, "≈0", size=SMALL, color=hid.edge, ha="right")
    legend(ax, 40, 20, [("box", "hidden", r"$\sigma_{max}(W_{aa})\,\gamma = 0.5$: vanishes", ""),
                        ("box", "output", "$= 1.5$: explodes", "")], gap=30)

    # Clipping by norm: the exploded gradient g brought back onto the sphere of radius c, same direction.
    ax.add_patch(FancyBboxPatch((650, 40), 228, 272, boxstyle="round,pad=0,rounding_size=12",
                                facecolor="#fafaf9", edgecolor="#e0e0dc", linewidth=1, zorder=0))
    text(ax, 764, 292, "clipping by norm", size=SMALL, weight="bold")
    ox, oy, rc = 712, 120, 56
    ax.add_patch(Circle((ox, oy), rc, facecolor="none", edgecolor="#777777", linewidth=1.2,
                        linestyle=(0, (4, 3)), zorder=2))
    ang = math.radians(38)
    gx, gy = ox + 150 * math.cos(ang), oy + 150 * math.sin(ang)
    cx_, cy_ = ox + rc * math.cos(ang), oy + rc * math.sin(ang)
    arrow(ax, (ox, oy), (gx, gy), color=out.edge, lw=LINE)
    arrow(ax, (ox, oy), (cx_, cy_), color=INK, lw=THICK)
    dot(ax, ox, oy)
    text(ax, gx - 8, gy + 4, "$g$", color=out.edge, ha="right")
    text(ax, cx_ + 16, cy_ - 16, r"$(c / \|g\|)\, g$", ha="left")
    ax.plot([ox, ox - rc], [oy, oy], color="#777777", linewidth=1, zorder=2)
    text(ax, ox - rc / 2, oy - 12, "$c$", color="#555555")
    text(ax, 764, 270, "same direction, length $c$", color="#444444")
    return fig

# ---------------------------------------------------------------------------------------------------------
# Chapter 6: a gate is a soft switch
# ---------------------------------------------------------------------------------------------------------


def _sigmoid(z):
    return 1 / (1 + math.exp(-z))


def gate_switch():
    """Γ = σ(...) between 0 and 1 multiplies a signal element by element: closed, half open, open."""
    fig, ax = canvas(890, 360)
    gate, hid = ROLES["gate"], ROLES["hidden"]
    text(ax, 445, 334, r"$\Gamma = \sigma(W\,[a^{<\!t-1\!>};\, x^{<\!t\!>}] + b)$, "
                       "a number between 0 and 1 for each element", size=LABEL)

    # The sigmoid, with the three gates of the panels marked on it.
    x0, x1, y0, y1 = 40, 200, 110, 250
    zx = lambda z: x0 + (z + 6) / 12 * (x1 - x0)
    sy = lambda s: y0 + s * (y1 - y0)
    ax.plot([x0, x1], [y0, y0], color="#777777", linewidth=1, zorder=2)
    ax.plot([zx(0), zx(0)], [y0, y1 + 6], color="#777777", linewidth=1, zorder=2)
    for s, words in ((0, "0"), (0.5, "0.5"), (1, "1")):
        ax.plot([zx(0) - 4, zx(0)], [sy(s), sy(s)], color="#777777", linewidth=1)
        text(ax, zx(0) - 8, sy(s), words, size=SMALL, color="#555555", ha="right")
    ax.plot([x0, x1], [sy(1), sy(1)], color="#cccccc", linewidth=1, linestyle=(0, (3, 3)), zorder=1)
    zs = [-6 + 12 * i / 200 for i in range(201)]
    ax.plot([zx(z) for z in zs], [sy(_sigmoid(z)) for z in zs], color=gate.edge, linewidth=2.4, zorder=3)
    text(ax, x1 + 4, y0 - 14, "$z$", ha="right")
    text(ax, zx(0) + 8, y1 + 14, r"$\sigma(z)$", ha="left")
    for z, name in ((-4.5, "closed"), (0, "half"), (4.5, "open")):
        ax.add_patch(Circle((zx(z), sy(_sigmoid(z))), 5, facecolor=gate.fill, edgecolor=gate.edge, linewidth=1.6,
                            zorder=4))
    text(ax, zx(-4.5), sy(0) + 18, "closed", size=SMALL, color=gate.edge)
    text(ax, zx(0) + 8, sy(0.5) - 2, "half", size=SMALL, color=gate.edge, ha="left", va="top")
    text(ax, zx(4.5), sy(1) - 18, "open", size=SMALL, color=gate.edge)
    text(ax, (x0 + x1) / 2, 60, "a gate is a sigmoid", size=SMALL, color="#555555")

    signal = [0.9, -0.6, 0.4, -0.8]
    panels = [("≈ 0: closed", [0.02, 0.01, 0.03, 0.02], "nothing passes"),
              ("≈ 0.5: half open", [0.5, 0.45, 0.55, 0.5], "about half passes"),
              ("≈ 1: open", [0.98, 0.99, 0.97, 0.98], "everything passes")]
    cw, ch = 54, 28
    for k, (title, gamma, words) in enumerate(panels):
        px = 330 + k * 218
        ax.add_patch(FancyBboxPatch((px - 106, 42), 212, 244, boxstyle="round,pad=0,rounding_size=12",
                                    facecolor="#fafaf9", edgecolor="#e0e0dc", linewidth=1, zorder=0))
        text(ax, px, 266, r"$\Gamma$ " + title, size=TITLE, color=gate.edge, weight="bold")
        cols = [(px - 72, signal, "signal", hid), (px, gamma, r"$\Gamma$", gate),
                (px + 72, [s * g for s, g in zip(signal, gamma)], "output", hid)]
        for cx, values, head, role in cols:
            text(ax, cx, 232, head, size=SMALL if head[0] != "$" else LABEL, color="#444444")
            for i, v in enumerate(values):
                cy = 196 - i * ch
                shade = min(1.0, abs(v))
                ax.add_patch(FancyBboxPatch((cx - cw / 2, cy - ch / 2), cw, ch, boxstyle="square,pad=0",
                                            facecolor=_mix(role.fill, role.edge, 0.85 * shade * 0.6),
                                            edgecolor=role.edge, linewidth=1.0, zorder=3))
                text(ax, cx, cy, _num(v), size=SMALL, color=INK)
        text(ax, px - 36, 154, "⊙", size=LABEL)
        text(ax, px + 36, 154, "=", size=LABEL)
        text(ax, px, 62, words, size=SMALL, color="#444444", style="italic")
    return fig


def _num(v):
    s = f"{v:.2f}" if abs(v) < 0.095 else f"{v:.1f}" if abs(round(v, 1) - v) < 1e-9 else f"{v:.2f}"
    return s.replace("-", "−")


def _mix(c0, c1, t):
    """The colour a fraction t of the way from c0 to c1 (hex strings)."""
    a = [int(c0[i:i + 2], 16) for i in (1, 3, 5)]
    b = [int(c1[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(p + (q - p) * t):02x}" for p, q in zip(a, b))


# ---------------------------------------------------------------------------------------------------------
# Chapters 7 and 8: the GRU and the LSTM cells
# ---------------------------------------------------------------------------------------------------------


def _memory_line(ax, x0, x1, y, nodes):
    """The additive memory path along the top of a cell: one thick highlighted line through its nodes."""
    mem = ROLES["memory"].edge
    xs = [x0] + [n.x for n in nodes] + [x1]
    for a, b, n in zip(xs, xs[1:], nodes + [None]):
        start = a if a == x0 else a + 12
        if n is None:
            arrow(ax, (start, y), (b, y), color=mem, lw=THICK, glow=mem)
        else:
            arrow(ax, (start, y), (n.x - 12, y), color=mem, lw=THICK, glow=mem)


def _cell_legend(ax, y):
    legend(ax, 60, y, [("box", "gate", "gate (sigmoid layer)", r"$\sigma$"),
                       ("box", "hidden", "tanh layer", ""),
                       ("circle", "op", "element-wise", "×"),
                       ("line", "memory", "memory path", "")], gap=30)


def lstm_cell():
    """The LSTM cell, drawn as colah draws it: the memory c<t-1> → c<t> along the top, the gates below."""
    fig, ax = canvas(840, 450)
    gate, hid, mem = ROLES["gate"], ROLES["hidden"], ROLES["memory"]
    ym, yb, yl = 330, 100, 172
    cell_outline(ax, 140, 48, 720, 372)
    _cell_legend(ax, 420)

    f_x, u_x, c_x, o_x, t_x = 250, 340, 430, 530, 610
    fmul = op(ax, f_x, ym, "×", "memory")
    plus = op(ax, c_x, ym, "+", "memory")
    _memory_line(ax, 30, 810, ym, [fmul, plus])
    text(ax, 80, ym + 22, sym("c", "t-1"))
    text(ax, 770, ym + 22, sym("c", "t"))

    # The layers, fed by the stacked [a<t-1>; x<t>] along the bottom.
    bw, bh = 58, 36
    f = box(ax, f_x, yl, r"$\sigma$", "gate", bw, bh)
    u = box(ax, u_x, yl, r"$\sigma$", "gate", bw, bh)
    c = box(ax, c_x, yl, "tanh", "hidden", bw, bh, size=SMALL)
    o = box(ax, o_x, yl, r"$\sigma$", "gate", bw, bh)
    line(ax, (30, yb), (o_x, yb), o.bottom(), radius=10)
    arrow(ax, (o_x, yb + 9), o.bottom())
    xin = 180
    arrow(ax, (xin, 12), (xin, yb - 6))
    dot(ax, xin, yb)
    for n in (f, u, c):
        arrow(ax, (n.x, yb), n.bottom())
        dot(ax, n.x, yb)
    text(ax, 80, yb + 20, sym("a", "t-1"))
    text(ax, xin + 10, 28, sym("x", "t"), ha="left")
    text(ax, 385, yb - 20, r"$[a^{<\!t-1\!>};\, x^{<\!t\!>}]$", size=LABEL, color="#555555")

    # Forget: Γ_f multiplies c<t-1>. Update: Γ_u multiplies the candidate, added to the memory.
    arrow(ax, f.top(), fmul.bottom(), color=gate.edge)
    text(ax, f_x - 8, 250, r"$\Gamma_f$", color=gate.edge, ha="right")
    umul = op(ax, c_x, 252, "×")
    arrow(ax, u.top(), (u_x, 252), umul.left(), color=gate.edge)
    text(ax, u_x - 8, 222, r"$\Gamma_u$", color=gate.edge, ha="right")
    arrow(ax, c.top(), umul.bottom(), color=hid.edge)
    text(ax, c_x + 8, 212, sym(r"\tilde{c}", "t"), color=hid.edge, ha="left")
    arrow(ax, umul.top(), plus.bottom())

    # Output: a<t> = Γ_o ⊙ tanh(c<t>).
    th = ellipse(ax, t_x, 272, "tanh")
    dot(ax, t_x, ym, color=mem.edge, r=3.6)
    arrow(ax, (t_x, ym), th.top(), color=mem.edge)
    omul = op(ax, t_x, 214, "×")
    arrow(ax, th.bottom(), omul.top())
    arrow(ax, o.top(), (o_x, 214), omul.left(), color=gate.edge)
    text(ax, o_x - 8, 200, r"$\Gamma_o$", color=gate.edge, ha="right")
    arrow(ax, omul.right(), (680, 214), (680, yb), (810, yb), color=hid.edge)
    text(ax, 770, yb + 20, sym("a", "t"))
    return fig


def gru_cell():
    """The GRU cell: the memory c<t-1> → c<t> (= a<t>) along the top, the relevance and update gates below."""
    fig, ax = canvas(840, 450)
    gate, hid, mem = ROLES["gate"], ROLES["hidden"], ROLES["memory"]
    ym, yb, yl = 330, 110, 160
    cell_outline(ax, 130, 48, 690, 372)
    _cell_legend(ax, 420)

    av, xin, r_x, u_x, c_x, m_x = 200, 236, 275, 350, 490, 590
    keep = op(ax, u_x, ym, "×", "memory")
    plus = op(ax, m_x, ym, "+", "memory")
    _memory_line(ax, 30, 810, ym, [keep, plus])
    text(ax, 75, ym + 22, sym("c", "t-1"))
    text(ax, 762, ym + 22, r"$c^{<\!t\!>} = a^{<\!t\!>}$")

    bw, bh = 58, 36
    r = box(ax, r_x, yl, r"$\sigma$", "gate", bw, bh)
    u = box(ax, u_x, yl, r"$\sigma$", "gate", bw, bh)
    c = box(ax, c_x, yl, "tanh", "hidden", bw, bh, size=SMALL)

    # a<t-1> (= c<t-1>) comes down from the memory; with x<t> it feeds both gates.
    dot(ax, av, ym, color=mem.edge, r=3.6)
    arrow(ax, (av, ym), (av, yb), (u_x, yb), u.bottom(), radius=10)
    arrow(ax, (r_x, yb), r.bottom())
    dot(ax, r_x, yb)
    text(ax, av - 8, 280, sym("a", "t-1"), ha="right")
    arrow(ax, (xin, 12), (xin, yb - 6))
    dot(ax, xin, yb)
    dot(ax, xin, 70)
    arrow(ax, (xin, 70), (c_x, 70), c.bottom(), radius=10)
    text(ax, xin + 10, 28, sym("x", "t"), ha="left")

    # Relevance: the candidate sees Γ_r ⊙ a<t-1>.
    rmul = op(ax, r_x, 224, "×")
    arrow(ax, r.top(), rmul.bottom(), color=gate.edge)
    text(ax, r_x - 8, 196, r"$\Gamma_r$", color=gate.edge, ha="right")
    dot(ax, av, 224)
    arrow(ax, (av, 224), rmul.left())

    # Update: Γ_u weighs the candidate, 1 − Γ_u the old memory.
    one_minus = op(ax, u_x, 276, "1−", r=14, size=SMALL)
    arrow(ax, u.top(), one_minus.bottom(), color=gate.edge)
    arrow(ax, one_minus.top(), keep.bottom(), color=gate.edge)
    text(ax, u_x + 8, 196, r"$\Gamma_u$", color=gate.edge, ha="left")
    cmul = op(ax, m_x, 246, "×")
    dot(ax, u_x, 246, color=gate.edge)
    arrow(ax, (u_x, 246), cmul.left(), color=gate.edge)
    arrow(ax, rmul.right(), (420, 224), (420, yl), c.left(), halo=True)
    arrow(ax, c.right(), (m_x, yl), cmul.bottom(), color=hid.edge)
    text(ax, 545, yl + 16, sym(r"\tilde{c}", "t"), color=hid.edge)
    arrow(ax, cmul.top(), plus.bottom())
    return fig


# ---------------------------------------------------------------------------------------------------------
# Chapter 9: bidirectional and deep RNNs
# ---------------------------------------------------------------------------------------------------------


def birnn():
    """A bidirectional RNN: forward states left to right, backward states right to left, both feed ŷ<t>."""
    fig, ax = canvas(870, 440)
    hid = ROLES["hidden"].edge
    yx, yf, yb, yy = 62, 170, 262, 362
    w, h = 76, 40
    xs = [255, 400, 545, 690]
    text(ax, 435, 418, r"$ŷ^{<\!t\!>} = g(W_{ya}\,[a_f^{<\!t\!>};\, a_b^{<\!t\!>}] + b_y)$")
    f0 = box(ax, 137, yf, sym("a", 0, sub="f"), "hidden", 64, h, dashed=True)
    b5 = box(ax, 815, yb, sym("a", 5, sub="b"), "hidden", 64, h, dashed=True)
    for y, words, ends in ((yf, "forward", (22, 82)), (yb, "backward", (82, 22))):
        text(ax, 52, y + 10, words, size=SMALL, color="#444444")
        arrow(ax, (ends[0], y - 12), (ends[1], y - 12), color=hid)
    fs = [box(ax, cx, yf, sym("a", t, sub="f"), "hidden", w, h) for t, cx in enumerate(xs, start=1)]
    bs = [box(ax, cx, yb, sym("a", t, sub="b"), "hidden", w, h) for t, cx in enumerate(xs, start=1)]
    for prev, f in zip([f0] + fs, fs):           # forward: left to right
        arrow(ax, prev.right(), f.left(), color=hid)
    for prev, b in zip([b5] + bs[::-1], bs[::-1]):  # backward: right to left
        arrow(ax, prev.left(), b.right(), color=hid)
    for t, cx in enumerate(xs):
        x = box(ax, cx, yx, sym("x", t + 1), "input", w, h)
        y = box(ax, cx, yy, sym("ŷ", t + 1), "output", w, h)
        f, b = fs[t], bs[t]
        arrow(ax, x.top(12), f.bottom(12))
        arrow(ax, b.top(-12), y.bottom(-12))
        # x<t> reaches the backward state round the left of the forward one; the forward state reaches ŷ<t>
        # round the right of the backward one. Both pass over the recurrent arrows they cross.
        dx, side = 26, 60
        arrow(ax, x.top(-dx), (cx - dx, yx + 36), (cx - side, yx + 36), (cx - side, yb - 40), (cx - dx, yb - 40),
              b.bottom(-dx), radius=7, halo=True, zorder=5)
        arrow(ax, f.top(dx), (cx + dx, yf + 36), (cx + side, yf + 36), (cx + side, yy - 40), (cx + dx, yy - 40),
              y.bottom(dx), radius=7, halo=True, zorder=5)
    return fig


def deep_rnn():
    """A deep (stacked) RNN of three layers: each layer reads the states of the one below."""
    fig, ax = canvas(780, 470)
    hid = ROLES["hidden"].edge
    xs = [245, 375, 505, 635]
    yx, ys, yy = 52, [145, 238, 331], 424
    w, h = 84, 40
    rows = []
    for l, yl in enumerate(ys, start=1):
        ax.add_patch(FancyBboxPatch((40, yl - 32), 720, 64, boxstyle="round,pad=0,rounding_size=12",
                                    facecolor="#f3f7fc", edgecolor="none", zorder=0))
        text(ax, 750, yl, f"layer {l}", size=SMALL, ha="right", color="#444444")
        a0 = box(ax, 115, yl, sym("a", 0, layer=l), "hidden", w - 4, h, dashed=True)
        row, prev = [], a0
        for t, cx in enumerate(xs, start=1):
            a = box(ax, cx, yl, sym("a", t, layer=l), "hidden", w, h)
            arrow(ax, prev.right(), a.left(), color=hid)
            row.append(a)
            prev = a
        rows.append(row)
    for t, cx in enumerate(xs):
        x = box(ax, cx, yx, sym("x", t + 1), "input", w, h)
        y = box(ax, cx, yy, sym("ŷ", t + 1), "output", w, h)
        arrow(ax, x.top(), rows[0][t].bottom())
        for lower, upper in zip(rows, rows[1:]):
            arrow(ax, lower[t].top(), upper[t].bottom())
        arrow(ax, rows[-1][t].top(), y.bottom())
    return fig


# ---------------------------------------------------------------------------------------------------------
# Chapter 10: generating text
# ---------------------------------------------------------------------------------------------------------


def sampling_loop():
    """Sampling: each step's drawn character, one-hot, is the next step's input; the logits are divided by τ."""
    fig, ax = canvas(880, 430)
    hid, out, inp = ROLES["hidden"], ROLES["output"], ROLES["input"]
    yx, ya, yt, yy = 44, 136, 214, 292
    text(ax, 440, 404, r"$x^{<\!t+1\!>}$ = the one-hot vector of the character drawn from $ŷ^{<\!t\!>}$",
         color="#444444")
    text(ax, 440, 372, r"temperature $\tau$:  $ŷ^{<\!t\!>} = \mathrm{softmax}(z^{<\!t\!>} / \tau)$;  "
                       r"$\tau < 1$ sharpens,  $\tau > 1$ flattens", color="#444444")

    # The seed character starts the loop; a<0> = 0 starts the state.
    seed = box(ax, 120, yy, "“a”", "op", 48, 38)
    text(ax, 120, yy + 34, "seed", size=SMALL, color="#555555")
    prev = box(ax, 50, ya, sym("a", 0), "hidden", 56, 38, dashed=True)
    feed, chars = seed, ["“l”", "“i”", "“c”"]  # the characters are set in quotes
    for t, cx in enumerate((200, 430, 660), start=1):
        x = box(ax, cx, yx, sym("x", t), "input", 64, 38)
        a = box(ax, cx, ya, sym("a", t), "hidden", 64, 38)
        tau = op(ax, cx, yt, r"$÷\tau$", r=16, size=LABEL)
        y = box(ax, cx, yy, sym("ŷ", t), "output", 64, 38)
        draw = ellipse(ax, cx + 82, yy, "draw", w=58, h=28)
        ch = box(ax, cx + 150, yy, chars[t - 1], "op", 48, 38)
        # The character of the step before (or the first, given character), one-hot, comes in as x<t>, over the state's arrow.
        arrow(ax, feed.bottom(), (feed.x, yx), x.left(), color=inp.edge, halo=True, zorder=5)
        text(ax, feed.x + 8, (yx + ya) / 2 - 6, "one-hot", size=SMALL, color=inp.edge, ha="left")
        arrow(ax, prev.right(), a.left(), color=hid.edge)
        arrow(ax, x.top(), a.bottom())
        arrow(ax, a.top(), tau.bottom())
        text(ax, cx + 8, (ya + yt) / 2 - 2, sym("z", t), ha="left")
        arrow(ax, tau.top(), y.bottom(), color=out.edge)
        text(ax, cx - 8, (yt + yy) / 2 + 2, "softmax", size=SMALL, color=out.edge, ha="right")
        arrow(ax, y.right(), draw.left(), color=out.edge)
        arrow(ax, draw.right(), ch.left())
        feed, prev = ch, a
    arrow(ax, feed.bottom(), (feed.x, yx), (feed.x + 34, yx), color=inp.edge)
    text(ax, feed.x + 52, yx, r"$\cdots$", color=inp.edge)
    return fig

def encoder_decoder():
    """Sequence to sequence: an encoder GRU reads the source (padding after its end unread), its state at the
    last real step is the context that starts the decoder, which reads <start> and the target shifted right."""
    fig, ax = canvas(880, 400)
    hid, out, inp, muted = ROLES["hidden"], ROLES["output"], ROLES["input"], ROLES["muted"]
    yx, ya, yy, yt = 60, 160, 262, 340
    text(ax, 200, 380, "encoder: reads the source", size=SMALL, color=hid.edge)
    text(ax, 660, 380, "decoder: writes the target", size=SMALL, color=out.edge)

    # The encoder: three real characters, then one step of padding, which the context does not read.
    prev = box(ax, 40, ya, sym("a", 0), "hidden", 50, 38, dashed=True)
    states = []
    for t, (cx, ch) in enumerate(zip((110, 200, 290), ("“3”", "“.”", "“5”")), start=1):
        x = box(ax, cx, yx, ch, "input", 52, 36)
        a = box(ax, cx, ya, sym("a", t), "hidden", 60, 38)
        arrow(ax, x.top(), a.bottom(), color=inp.edge)
        arrow(ax, prev.right(), a.left(), color=hid.edge)
        prev = a
        states.append(a)
    pad_x = box(ax, 380, yx, "pad", "muted", 52, 36, size=SMALL, dashed=True)
    pad_a = box(ax, 380, ya, sym("a", 4), "muted", 60, 38, dashed=True, alpha=0.6)
    arrow(ax, pad_x.top(), pad_a.bottom(), color=MUTED)
    arrow(ax, prev.right(), pad_a.left(), color=MUTED)
    text(ax, 380, yx - 34, "padding, unread", size=SMALL, color="#555555")
    text(ax, 20, yx - 34, r"$E_{src}$: a column per character", size=LABEL, color=inp.edge, ha="left")

    # The context: the state at each example's own last real step, not the last column.
    last = states[-1]
    arrow(ax, last.top(), (last.x, 215), (500, 215), (500, ya), (528, ya), color=hid.edge, lw=THICK,
          glow=hid.edge, halo=True)
    text(ax, 400, 228, "context = the state at the last real step", size=SMALL, color=hid.edge)

    # The decoder: <start>, then the target shifted right (teacher forcing); outputs the target, then <end>.
    prev, inputs, targets = None, ("start", "“1”", "“9”"), ("“1”", "“9”", "end")
    for t, (cx, ch, target) in enumerate(zip((570, 680, 790), inputs, targets), start=1):
        x = box(ax, cx, yx, ch, "input", 56 if len(ch) > 3 else 52, 36, size=SMALL if len(ch) > 3 else LABEL)
        a = box(ax, cx, ya, sym("a", t), "hidden", 60, 38)
        y = box(ax, cx, yy, sym("ŷ", t), "output", 60, 38)
        target_box = box(ax, cx, yt, target, "op", 52, 32, size=SMALL if len(target) > 3 else LABEL)
        arrow(ax, x.top(), a.bottom(), color=inp.edge)
        arrow(ax, a.top(), y.bottom(), color=out.edge)
        line(ax, y.top(), target_box.bottom(), color="#777777")
        if prev is not None:
            arrow(ax, prev.right(), a.left(), color=hid.edge)
            arrow(ax, (prev.x + 26, yt - 16), (prev.x + 26, yt - 30), (cx - 44, yt - 30), (cx - 44, yx),
                  x.left(), color=inp.edge, radius=6)
        prev = a
    text(ax, 520, 300, "teacher forcing: the true", size=SMALL, color=inp.edge, ha="right")
    text(ax, 520, 284, "previous token is the next input", size=SMALL, color=inp.edge, ha="right")
    text(ax, 680, yx - 34, r"$E_{tgt}$ below,  softmax$(W_{ya} a + b_y)$ above", size=LABEL, color="#555555")
    return fig


# ---------------------------------------------------------------------------------------------------------
# The landing page
# ---------------------------------------------------------------------------------------------------------


def hero():
    """A sequence flowing through a chain of LSTM-like cells: the memory along the top, the state below."""
    fig, ax = canvas(900, 300)
    gate, hid, mem = ROLES["gate"], ROLES["hidden"], ROLES["memory"]
    xs = [110, 280, 450, 620, 790]
    alphas = [0.3, 1, 1, 1, 0.3]      # the sequence goes on at both ends
    ym, yh, yg, yo = 200, 96, 136, 168
    for i, (cx, al) in enumerate(zip(xs, alphas)):
        # The two lines that run from cell to cell, drawn cell by cell so that each fades with its cell.
        x0, x1 = cx - 85, cx + 85
        ax.plot([x0, x1], [ym, ym], color=mem.edge, linewidth=11, alpha=0.15 * al, solid_capstyle="butt", zorder=1.5)
        ax.plot([x0, x1], [ym, ym], color=mem.edge, linewidth=THICK, alpha=al, solid_capstyle="butt", zorder=2)
        ax.plot([x0, x1], [yh, yh], color=hid.edge, linewidth=2.2, alpha=al, solid_capstyle="butt", zorder=2)
        ax.add_patch(FancyBboxPatch((cx - 68, 66), 136, 160, boxstyle="round,pad=0,rounding_size=16",
                                    facecolor=CELL_FILL, edgecolor=CELL_EDGE, linewidth=1.2, zorder=1, alpha=al))
        # Inside: three gates and a tanh layer, read from the state below, writing to the memory above.
        gx = [cx - 45, cx - 15, cx + 15, cx + 45]
        for bx, role, mark in zip(gx, (gate, gate, hid, gate), ("σ", "σ", "", "σ")):
            ax.plot([bx, bx], [yh, yg - 11], color="#777777", linewidth=1.1, alpha=al, zorder=2)
            box(ax, bx, yg, mark, "gate" if role is gate else "hidden", 24, 22, size=SMALL, lw=1.2, radius=4,
                alpha=al)
        f_line = [(gx[0], yg + 11), (gx[0], ym - 9)]
        ax.plot(*zip(*f_line), color=gate.edge, linewidth=1.3, alpha=al, zorder=2)
        ax.plot([gx[1], gx[1], gx[2] - 8], [yg + 11, yo, yo], color=gate.edge, linewidth=1.3, alpha=al, zorder=2)
        ax.plot([gx[2], gx[2]], [yg + 11, ym - 9], color=hid.edge, linewidth=1.3, alpha=al, zorder=2)
        ax.plot([gx[3], gx[3]], [yg + 11, yo - 8], color=gate.edge, linewidth=1.3, alpha=al, zorder=2)
        ax.plot([gx[3], gx[3]], [yo + 8, ym], color=mem.edge, linewidth=1.3, alpha=al, zorder=2)
        op(ax, gx[0], ym, "×", "memory", r=9, size=SMALL, alpha=al)
        op(ax, gx[2], ym, "+", "memory", r=9, size=SMALL, alpha=al)
        op(ax, gx[2], yo, "×", r=8, size=10, lw=1.2, alpha=al)
        op(ax, gx[3], yo, "×", r=8, size=10, lw=1.2, alpha=al)
        # In: x<t> at the bottom left; out: ŷ<t> at the top right, over the memory.
        x = box(ax, cx - 58, 30, sym("x", i + 1), "input", 60, 36, alpha=al)
        y = box(ax, cx + 60, 270, sym("ŷ", i + 1), "output", 60, 36, alpha=al)
        arrow(ax, x.top(), (cx - 58, yh), alpha=al)
        ax.plot([gx[3] + 8, cx + 60, cx + 60], [yo, yo, yh], color=hid.edge, linewidth=1.6, alpha=al, zorder=2)
        arrow(ax, (cx + 60, yo), y.bottom(), color=hid.edge, alpha=al, halo=True, zorder=4)
    return fig


# ---------------------------------------------------------------------------------------------------------
# Writing the files
# ---------------------------------------------------------------------------------------------------------

DIAGRAMS = {
    "rnn_unrolled": rnn_unrolled,
    "rnn_patterns": rnn_patterns,
    "loss_over_time": loss_over_time,
    "bptt_paths": bptt_paths,
    "activations_in_cell": activations_in_cell,
    "gradient_chain": gradient_chain,
    "gate_switch": gate_switch,
    "gru_cell": gru_cell,
    "lstm_cell": lstm_cell,
    "birnn": birnn,
    "deep_rnn": deep_rnn,
    "sampling_loop": sampling_loop,
    "encoder_decoder": encoder_decoder,
    "hero": hero,
}


def render(name):
    """The diagram's figure, drawn under the course's style."""
    with matplotlib.rc_context(STYLE):
        return DIAGRAMS[name]()


def svg(name):
    """The diagram as SVG text: fonts that fall back safely, no date, reproducible ids."""
    import io
    with matplotlib.rc_context(STYLE):
        fig = DIAGRAMS[name]()
        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata={"Date": None})
    # Mathtext glyphs name only the font file's family: give them the same fallbacks as plain text.
    return re.sub(r"font-family: 'DejaVu Sans'(?=[;\"])", "font-family: " + FONT_FALLBACK, buf.getvalue())


def write(out_dir, names=None):
    """Write out_dir/<name>.svg for the named diagrams (all of them by default); returns the paths."""
    out = FilePath(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in names or DIAGRAMS:
        if name not in DIAGRAMS:
            raise KeyError(f"no diagram called {name!r}; the diagrams are: {', '.join(DIAGRAMS)}")
        path = out / f"{name}.svg"
        path.write_text(svg(name), encoding="utf-8")
        paths.append(path)
    return paths
