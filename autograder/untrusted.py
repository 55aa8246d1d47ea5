"""What learners control, handled as data and never as code or as a path to follow.

Learners control their notebooks (the cells, their attachments and metadata), what their code prints and the
messages of its errors, their names (a folder's or the LMS's) and the names and kinds of the files they hand
in. This module holds, in one place, what keeps them from reaching further than their own row:

- the **limits** on what is read (:data:`MAX_NOTEBOOK_BYTES` and the others below), each of which gives the
  submission a status that says what was wrong and what to do, and costs nobody else anything;
- :func:`read_submission`: a submission is read only if it is a regular file, opened without following a
  symbolic link at any level a learner controls, and checked on the opened file (no check-then-open race);
- :func:`csv_cell`: a field of grades.csv that no spreadsheet evaluates as a formula;
- :func:`clean_html` and :func:`content_security_policy`: HTML in which nothing a learner wrote can run.
"""

import hashlib
import base64
import json
import os
import re
import stat
from pathlib import Path

# ------------------------------------------------------------------------------------------------ limits
MB = 1_000_000  # sizes are told in decimal megabytes, as file managers and LMSs show them

# One submitted notebook, as a file or as an unpacked member of an LMS zip. The chapters' notebooks are under
# 0.1 MB, and a learner's with all its outputs and figures a few MB; 20 MB leaves room for many more outputs
# (which grading clears anyway) while bounding the memory and time of reading one.
MAX_NOTEBOOK_BYTES = 20 * MB
# Cells in one notebook. The chapters have 24 to 38; a learner may add scratch cells, but not thousands.
MAX_CELLS = 1_000
# Characters in one cell: its source and its attachments (images pasted into a written answer). The longest
# cell of the chapters has under 7,000; a million still holds a pasted screenshot, and bounds the cost of
# highlighting or rendering one cell in the feedback page.
MAX_CELL_CHARS = 1_000_000
# Characters of all the cells' sources together (attachments not counted): what the sandbox runs and the
# feedback page highlights and renders, which costs up to about 11 s per million characters of code (Pygments)
# and 1 to 5 s per million of markdown, in the process that grades everyone. The chapters have under 60,000.
MAX_SOURCE_CHARS = 2_000_000
# Members of one uploaded zip (an LMS download of one assignment: a file or a few per student). Above this the
# whole upload is refused (exit 2): it is not a class's submissions.
MAX_ZIP_MEMBERS = 100_000
# Bytes unpacked from one uploaded zip, in all (only the notebooks chosen are unpacked, each at most
# MAX_NOTEBOOK_BYTES). Above this the whole upload is refused (exit 2).
MAX_UNPACKED = 2_000 * MB

CLEAR_OUTPUTS = ("clear the outputs (Jupyter: Kernel > Restart Kernel and Clear All Outputs; Colab: Edit > Clear "
                 "all outputs), save, and hand it in again")


def size_text(size):
    """``21.3 MB``, ``20 MB``, ``2 GB``, ``850 kB``: a size as a person reads it."""
    for unit, scale in (("GB", 1000 * MB), ("MB", MB), ("kB", 1000)):
        if size >= scale or unit == "kB":
            return f"{size / scale:.1f}".removesuffix(".0") + f" {unit}"


def too_large(size, limit=MAX_NOTEBOOK_BYTES, more=False):
    """The status of a notebook over the size limit (``more``: its size is only known to exceed ``size``)."""
    told = size_text(size) if size_text(size) != size_text(limit) else f"{size:,} bytes"
    return f"too large: {'more than ' if more else ''}{told}, the limit is {size_text(limit)}; {CLEAR_OUTPUTS}"


# --------------------------------------------------------------------------------------- regular files only
KINDS = [(stat.S_ISLNK, "a symbolic link"), (stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
         (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket")]


def kind_of(mode):
    """What a file of this ``st_mode`` is, in words (``a symbolic link``, ...), or None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    return next((words for test, words in KINDS if test(mode)), "a special file")


def not_a_file(where, kind, expected="file"):
    """The status of a submission that is a symbolic link or a special file: no grade, and why."""
    return f"not graded: {where} is {kind}, not a {expected}; hand in the notebook itself"


def read_submission(path, depth=3, limit=MAX_NOTEBOOK_BYTES):
    """The bytes of the regular file at ``path``, or raise ValueError with the row's status.

    The last ``depth`` components of ``path`` (``<student>/<chapter>/<notebook>``, which learners name) are
    opened one by one without following a symbolic link, the file itself without blocking (a FIFO), and what
    was opened is checked, so nothing can be swapped between a check and the read. The submissions folder above
    them is the instructor's and may be a link. At most ``limit + 1`` bytes are read.
    """
    parts = Path(path).parts
    depth = max(1, min(depth, len(parts) - 1))
    where = "/".join(parts[-depth:])
    fd = os.open(Path(*parts[:-depth]), os.O_RDONLY | os.O_DIRECTORY)
    try:
        for index, name in enumerate(parts[-depth:]):
            last = index == depth - 1
            flags = (os.O_RDONLY | os.O_NOFOLLOW | os.O_NOCTTY | os.O_NONBLOCK) if last else (
                os.O_RDONLY | os.O_NOFOLLOW | os.O_DIRECTORY)
            try:
                opened = os.open(name, flags, dir_fd=fd)
            except OSError as exc:  # a link (ELOOP), a socket (ENXIO), a file where a folder was (ENOTDIR), ...
                try:
                    kind = kind_of(os.stat(name, dir_fd=fd, follow_symlinks=False).st_mode)
                except OSError:
                    kind = None
                here = "/".join(parts[-depth:][:index + 1])
                if kind is not None and not (kind == "a folder" and not last):
                    raise ValueError(not_a_file(here, kind, "file" if last else "folder")) from None
                raise ValueError(f"could not be read: {here}: {exc.strerror}") from None
            os.close(fd)
            fd = opened
        info = os.fstat(fd)
        if kind_of(info.st_mode) is not None:
            raise ValueError(not_a_file(where, kind_of(info.st_mode)))
        if info.st_size > limit:
            raise ValueError(too_large(info.st_size, limit))
        os.set_blocking(fd, True)
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:  # it grew while being read
            raise ValueError(too_large(limit, limit, more=True))
        return b"".join(chunks)
    finally:
        os.close(fd)


def submission_fingerprint(path):
    """The sha256 of a submission read as :func:`read_submission` reads it; for a file that cannot be read
    so, a key that says why (reading it as a notebook then gives the row its status)."""
    try:
        return hashlib.sha256(read_submission(path)).hexdigest()
    except (OSError, ValueError) as exc:
        return f"unreadable: {exc}"


def check_notebook(raw):
    """Raise ValueError with the row's status if the parsed notebook JSON ``raw`` breaks a limit on its cells."""
    cells = raw.get("cells") if isinstance(raw, dict) else None
    if not isinstance(cells, list):
        return  # not a notebook: nbformat says so
    if len(cells) > MAX_CELLS:
        raise ValueError(f"too many cells: {len(cells)}, the limit is {MAX_CELLS}; delete the cells you added "
                         "for trying things out, save, and hand it in again")
    total = 0
    for index, cell in enumerate(cells):
        source = _chars(cell.get("source")) if isinstance(cell, dict) else 0
        size = source + (_chars(cell.get("attachments")) if isinstance(cell, dict) else 0)
        if size > MAX_CELL_CHARS:
            raise ValueError(f"too large a cell: cell {index + 1} has {size:,} characters, the limit is "
                             f"{MAX_CELL_CHARS:,}; shorten it (data and pasted images belong in files of their "
                             "own), save, and hand it in again")
        total += source
    if total > MAX_SOURCE_CHARS:
        raise ValueError(f"too much text: the cells have {total:,} characters in all, the limit is "
                         f"{MAX_SOURCE_CHARS:,}; delete the cells you added for trying things out and move data "
                         "into files of their own, save, and hand it in again")


def _chars(value):
    """The characters of a cell's source (a string or a list of lines) or of its attachments (a dict)."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, list):
        return sum(len(v) if isinstance(v, str) else 0 for v in value)
    if isinstance(value, dict):
        return len(json.dumps(value))
    return 0


# -------------------------------------------------------------------------------------- text for tools
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # C0 but tab and newlines, DEL, C1


def printable(text):
    """Text a learner controls, as a terminal or a spreadsheet may show it: control characters (an escape
    sequence that retitles or rewrites the instructor's terminal, a NUL) become U+FFFD."""
    return CONTROL.sub("\ufffd", str(text))


NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # OWASP, CSV injection: what makes a spreadsheet evaluate


def csv_cell(value):
    """A field of grades.csv that a spreadsheet shows as it is and never evaluates (OWASP's CSV injection
    guidance): text that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return (also after
    spaces, which some imports trim) and is not a number gets a leading ``'``; numbers (``-1.5``) stay
    numbers. Control characters are replaced as :func:`printable` does."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    text = "" if value is None else str(value)
    if text[:1] in ("\t", "\r") or (text.lstrip(" ")[:1] in FORMULA_START and not NUMBER.fullmatch(text.strip())):
        text = "'" + text
    return printable(text)


# ------------------------------------------------------------------------------------------------- HTML
# The sanitiser is nh3 (Python bindings of the Rust crate ammonia, maintained, parsing as browsers do with
# html5ever). nbconvert's own SanitizeHTML preprocessor (bleach) was the other choice; it is not used because
# it sanitises the *markdown source* before rendering, which escapes the course's notation inside math and code
# ($a^{<t>}$ would show as "&lt;t&gt;") while markdown rendered afterwards can still add what it never saw,
# and its default tags drop headings, paragraphs and images; bleach itself is deprecated. Here the *rendered*
# HTML is cleaned, with ammonia's allow-list: headings, lists, tables, code, emphasis, links and images stay;
# scripts, event handlers, styles, frames, forms, SVG, meta and base go.
import nh3  # noqa: E402

IMAGE_DATA = re.compile(r"data:image/(?:png|jpeg|gif|webp|svg\+xml);base64,[A-Za-z0-9+/=\s]*", re.I)
# Class names that the rendering of markdown gives (Pygments' token classes, nbconvert's highlight and anchor
# links); others could borrow the page's own layout classes (a fixed bar over the scores).
CLASS = re.compile(r"[a-z][a-z0-9]{0,3}|highlight|hl-[\w-]+|anchor-link|language-[\w+-]+")


def _attribute(tag, name, value):
    if name == "src":  # images only as data URIs of an image type: nothing is fetched (no tracking pixel)
        return value if tag == "img" and IMAGE_DATA.fullmatch(value) else None
    if name == "href" and value.lower().lstrip().startswith("data:"):
        return None
    if name == "class":
        return " ".join(c for c in value.split() if CLASS.fullmatch(c)) or None
    return value


_CLEANER = nh3.Cleaner(
    tags=set(nh3.ALLOWED_TAGS) - {"area", "map"},  # image maps: links without text
    clean_content_tags={"script", "style"},  # removed with their content, not shown as text
    # No id or name: a learner's id="MathJax" would clobber the page's own globals (DOM clobbering).
    attributes={**{tag: set(names) for tag, names in nh3.ALLOWED_ATTRIBUTES.items()},
                "*": {"class", "lang", "title", "style"}},
    attribute_filter=_attribute,
    filter_style_properties={"color", "background-color", "font-weight", "font-style", "text-align",
                             "text-decoration"},
    url_schemes={"http", "https", "mailto", "data"},  # data: only in an <img> (see _attribute)
    strip_comments=True,
)


def clean_html(html):
    """HTML a learner controls (rendered markdown, an HTML output, a raw cell) with nothing that can run."""
    html = html.decode() if isinstance(html, bytes) else str(html)
    return _CLEANER.clean(html)


# A second layer for the feedback page: a Content-Security-Policy that runs no script but the page's own
# (MathJax and its settings, inside the page, allowed by their hashes: see feedback.py), loads images only
# from data: URIs and nothing else from anywhere (MathJax's SVG output needs no font), takes styles only
# from the page, connects nowhere, and takes no <base> or form. A learner's markup that got past the
# sanitiser still runs nothing.


def script_hash(script):
    """The CSP source of an inline script's text: ``'sha256-...'``."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"


def content_security_policy(*inline_scripts):
    scripts = " ".join(map(script_hash, inline_scripts)) or "'none'"
    return (f"default-src 'none'; script-src {scripts}; style-src 'unsafe-inline'; img-src data:; "
            "base-uri 'none'; form-action 'none'")


def csp_meta(policy):
    return f'<meta http-equiv="Content-Security-Policy" content="{policy}">'
