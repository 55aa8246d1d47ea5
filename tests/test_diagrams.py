"""The course's diagrams (book/diagrams): written by the real command, valid SVG, legible at their natural
size, and with their labels kept as text.

Sizes: matplotlib writes the SVG's width and height in pt and draws in a viewBox of pt, so a font-size of
`9px` in the file is 9 user units, displayed as 9 pt = 12 CSS px. The test converts every size to the CSS px
it is displayed at (font-size × display width / viewBox width) before comparing.
"""

import re
import subprocess
import sys
import unicodedata
import xml.etree.ElementTree as ET

import pytest

from autograder.course import REPO

NS = "{http://www.w3.org/2000/svg}"
UNIT_PX = {"px": 1.0, "": 1.0, "pt": 4 / 3, "in": 96.0, "cm": 96 / 2.54, "mm": 96 / 25.4}
MIN_FONT_PX = 12  # 9 pt
WIDTH_PX = (560, 900)

# For every diagram, labels that must be in its text (spaces ignored; a mathtext label reads in the order
# its glyphs are set, so $W_{aa}$ is "Waa", $a^{<t-1>}$ is "a<t−1>" with a minus sign, $\tilde{c}$ is c + U+0303).
LABELS = {
    "rnn_unrolled": ["x<t>", "a<t>", "ŷ<t>", "a<0>", "x<1>", "a<3>", "ŷ<2>", "Wax", "Waa", "Wya", "unroll",
                     "at every time step"],
    "rnn_patterns": ["One-to-one", "One-to-many", "Many-to-one", "Many-to-many,Tx=Ty", "Many-to-many,Tx≠Ty",
                     "music generation", "sentiment classification", "named-entity recognition",
                     "machine translation", "encoder", "decoder", "x<3>", "ŷ<4>", "hidden state"],
    "loss_over_time": ["x<1>", "a<0>", "a<3>", "ŷ<1>", "y<1>", "ℒ<2>", "ℒ=Σtℒ(ŷ<t>,y<t>)",
                       "ℒ(ŷ<t>,y<t>)=−Σkyk<t>logŷk<t>=−logŷc<t>", "target(one-hot)", "prediction"],
    "bptt_paths": ["a<t>", "a<t+1>", "ŷ<t>", "ℒ<t>", "ℒ<t+2>", "ℒ=Σtℒ<t>", "∂ℒ/∂a<t>=", "∂ℒ<t>/∂a<t>",
                   "(∂ℒ/∂a<t+1>)(∂a<t+1>/∂a<t>)", "through ŷ<t>", "through a<t+1>"],
    "activations_in_cell": ["a<t−1>", "x<t>", "a<t>", "ŷ<t>", "Waa", "Wax", "Wya", "ba", "by", "tanh", "softmax",
                            "g1", "g2", "a<t>=g1(Waaa<t−1>+Waxx<t>+ba)", "ŷ<t>=g2(Wyaa<t>+by)", "sigmoidσ",
                            "ReLU", "range(−1,1)", "slope1/4at0"],
    "gradient_chain": ["onestepback:∂ℒ/∂a<t−1>=WaTa(∂ℒ/∂a<t>*(1−(a<t>)2))", "ℒ", "×WaTatanh′", "k−2more",
                       "‖∂ℒ/∂a‖", "1.5k", "σmax(Waa)γ=0.5:vanishes", "=1.5:explodes", "clipping by norm",
                       "samedirection,lengthc", "(c/‖g‖)g", "g", "c"],
    "gate_switch": ["Γ=σ(W[a<t−1>;x<t>]+b)", "σ(z)", "Γ≈0:closed", "Γ≈0.5:halfopen", "Γ≈1:open", "⊙", "signal",
                    "output", "nothing passes", "everything passes"],
    "gru_cell": ["c<t−1>", "c<t>=a<t>", "a<t−1>", "x<t>", "Γr", "Γu", "1−", "c\u0303<t>", "tanh", "σ", "×", "+",
                 "memory path"],
    "lstm_cell": ["c<t−1>", "c<t>", "a<t−1>", "a<t>", "x<t>", "Γf", "Γu", "Γo", "c\u0303<t>", "tanh", "σ", "×",
                  "+", "[a<t−1>;x<t>]", "memory path"],
    "birnn": ["af<0>", "ab<5>", "af<1>", "ab<4>", "x<1>", "ŷ<4>", "forward", "backward",
              "ŷ<t>=g(Wya[af<t>;ab<t>]+by)"],
    "deep_rnn": ["a[1]<0>", "a[1]<1>", "a[2]<3>", "a[3]<4>", "x<1>", "ŷ<4>", "layer 1", "layer 3"],
    "sampling_loop": ["x<t+1>=theone-hotvectorofthecharacterdrawnfromŷ<t>", "ŷ<t>=softmax(z<t>/τ)", "seed",
                      "“a”", "“l”", "“c”", "draw", "÷τ", "one-hot", "softmax", "a<0>", "x<1>", "z<2>", "ŷ<3>"],
    "encoder_decoder": ["encoder", "decoder", "context", "a<0>", "a<3>", "ŷ<1>", "“3”", "start", "end", "pad",
                        "teacher forcing", "Esrc", "Etgt"],
    "hero": ["x<1>", "x<5>", "ŷ<3>", "σ", "×", "+"],
}


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """Every diagram, written by `python -m book.diagrams OUT_DIR`; maps each name to its file."""
    out = tmp_path_factory.mktemp("diagrams")
    proc = subprocess.run([sys.executable, "-m", "book.diagrams", str(out)], cwd=REPO, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    printed = proc.stdout.split()
    return {name: out / f"{name}.svg" for name in LABELS if str(out / f"{name}.svg") in printed}


def test_the_command_writes_every_diagram_and_no_other(written):
    from book.diagrams import DIAGRAMS

    assert set(DIAGRAMS) == set(LABELS), "a diagram was added or removed: list its labels in LABELS"
    assert set(written) == set(LABELS)


def test_the_command_writes_only_the_named_diagrams(tmp_path, capsys):
    from book.diagrams.__main__ import main  # the command's own entry point, without a second interpreter

    assert main([str(tmp_path), "hero", "birnn"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["birnn.svg", "hero.svg"]
    assert capsys.readouterr().out.split() == [str(tmp_path / "hero.svg"), str(tmp_path / "birnn.svg")]
    assert main([str(tmp_path), "no_such_diagram"]) != 0
    assert "no_such_diagram" in capsys.readouterr().err


def _length_px(value):
    number, unit = re.fullmatch(r"\s*([\d.]+)\s*([a-z]*)\s*", value).groups()
    return float(number) * UNIT_PX[unit]


def _scale(root):
    """CSS px per user unit: the SVG's displayed width over its viewBox width."""
    view_width = float(root.get("viewBox").split()[2])
    return _length_px(root.get("width")) / view_width


def _font_size(element):
    """The element's own font size in user units, from its style or attribute (None if it sets none)."""
    style = element.get("style", "")
    m = re.search(r"font-size:\s*([\d.]+)(px)?", style) or re.search(r"font:[^;]*?([\d.]+)px", style)
    if m:
        return float(m.group(1))
    if element.get("font-size"):
        return float(re.match(r"[\d.]+", element.get("font-size")).group())
    return None


def _texts(root):
    """Each <text> as a string: its tspans (mathtext glyphs) read left to right, spaces removed, NFC."""
    out = []
    for t in root.iter(NS + "text"):
        spans = list(t.iter(NS + "tspan"))
        if spans:
            s = "".join(sp.text or "" for sp in sorted(spans, key=lambda sp: float(sp.get("x", 0))))
        else:
            s = t.text or ""
        out.append("".join(unicodedata.normalize("NFC", s).split()))
    return out


@pytest.mark.parametrize("name", sorted(LABELS))
def test_diagram_is_valid_svg_of_a_page_width(written, name):
    root = ET.parse(written[name]).getroot()  # raises if the file is not well-formed XML
    assert root.tag == NS + "svg"
    width = _length_px(root.get("width"))
    assert WIDTH_PX[0] <= width <= WIDTH_PX[1], f"{name} is {width:.0f} px wide"
    text = written[name].read_text(encoding="utf-8")
    assert "<dc:date>" not in text, "the file carries a date: it would change at every build"


@pytest.mark.parametrize("name", sorted(LABELS))
def test_labels_are_text(written, name):
    root = ET.parse(written[name]).getroot()
    texts = _texts(root)
    assert texts, f"{name} has no <text>: its labels were drawn as paths"
    assert not list(root.iter(NS + "image")), f"{name} embeds a raster image"
    found = "\n".join(texts)
    missing = [label for label in LABELS[name] if "".join(label.split()) not in found]
    assert not missing, f"{name} lacks the labels {missing}; its texts are {texts}"


@pytest.mark.parametrize("name", sorted(LABELS))
def test_no_font_below_9pt(written, name):
    root = ET.parse(written[name]).getroot()
    scale = _scale(root)
    sizes = []
    for t in root.iter(NS + "text"):
        own = _font_size(t)
        spans = list(t.iter(NS + "tspan"))
        for element in spans or [t]:
            size = _font_size(element) or own
            assert size is not None, f"{name}: a text without a font size: {ET.tostring(element)[:200]}"
            sizes.append((size * scale, element.text or t.text))
    assert sizes
    small = [(round(px, 2), s) for px, s in sizes if px < MIN_FONT_PX - 1e-6]
    assert not small, f"{name}: text below 9 pt (12 px): {small[:10]}"


def test_output_is_reproducible(written, tmp_path):
    from book.diagrams import write

    again = write(tmp_path, ["gate_switch"])[0]
    assert again.read_bytes() == written["gate_switch"].read_bytes()
