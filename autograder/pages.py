"""The chapters' web pages: ``book/chapters/<chapter>.ipynb``, built by ``make book``.

A page is the chapter's source notebook executed (so its figures come from the solution), then stripped with
nbgrader's own preprocessors exactly as the student notebook is: solutions replaced by stubs, hidden tests
removed. The outputs of exercise and test cells are dropped too, since they were produced by the solution, and
so is every trace of widgets (explorers draw a single picture with ``RNN_COURSE_STATIC=1``), so that the site
loads no widget script. Prose comes first: the code of every cell but the exercises (setup, helpers, figures,
explorers, tests) is folded away, one click from view; what it drew or printed stays. The self-check questions
(the cell ``self_check``) show without their code: their output holds its own script, which works on the page.
Each page gets, under its title, a box that offers the chapter's student notebook (the release version, made by
nbgrader) for download, plus the launch links configured in ``_config.yml``.

Only the chapters listed in ``_toc.yml`` are built, and a page is rebuilt only when its source changed.
"""

import hashlib
import re
import shutil
import tempfile
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat

from .course import REPO, SOLUTIONS, CourseError, check_chapters, tool_env

PAGES = REPO / "book" / "chapters"
DOWNLOADS = PAGES / "downloads"  # the student notebooks offered by the pages (excluded from the build)
DIAGRAMS = PAGES / "diagrams"  # the diagrams, drawn by book/diagrams, that the pages' Markdown links to
TOC = REPO / "_toc.yml"
SELF_CHECK_ID = "self_check"  # the grade_id of a chapter's self-check questions (solutions/README.md)
WIDGET_MIMES = ("application/vnd.jupyter.widget-view+json", "application/vnd.jupyter.widget-state+json")


def toc_chapters():
    """The chapters listed in ``_toc.yml`` (``book/chapters/<chapter>``), in the order of the book."""
    import yaml

    files = []

    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("file"), str):
                files.append(node["file"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(yaml.safe_load(TOC.read_text()))
    prefix = "book/chapters/"
    return [re.sub(r"\.(ipynb|md)$", "", f[len(prefix):]) for f in files if f.startswith(prefix)]


def fingerprint(chapter):
    """What a page depends on: its source notebook, the data beside it, and this builder."""
    digest = hashlib.sha256()
    for path in sorted((SOLUTIONS / chapter).rglob("*")) + [Path(__file__)]:
        if path.is_file() and ".ipynb_checkpoints" not in path.parts:
            digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


def download_name(chapter):
    """The file a page offers: the student notebook alone, or a zip of it with the data it reads."""
    folder = SOLUTIONS / chapter
    extra = [p for p in folder.rglob("*") if p.is_file() and p.name != f"{chapter}.ipynb"
             and ".ipynb_checkpoints" not in p.parts]
    return f"{chapter}.zip" if extra else f"{chapter}.ipynb"


def _plain(text):
    """Markdown or a code comment reduced to one line of plain text, for an image's alt text."""
    text = re.sub(r"[`*$#]|\\[a-zA-Z]+|[{}]", "", text)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    return " ".join(text.split())


def alt_text(cells, index):
    """Alt text for the images drawn by ``cells[index]``: what its first comment line says it draws, or else
    the caption in the Markdown cell below it."""
    first = cells[index].source.strip().splitlines()[:1]
    comment = first[0].lstrip("#").strip() if first and first[0].startswith("#") else ""
    comment = re.sub(r"^[^:]{0,40}\b(read-only|Read-only)\)?:\s*", "", comment)
    comment = re.sub(r"^(explorer|figure|the figure|the explorer)\.?\s*", "", comment, flags=re.I)
    caption = ""
    if index + 1 < len(cells) and cells[index + 1].cell_type == "markdown":
        caption = cells[index + 1].source.strip().split("\n\n")[0]
    text = _plain(comment) if len(_plain(comment)) >= 12 else _plain(caption)
    text = text[:1].upper() + text[1:] if text else "A figure drawn by the code of this cell"
    return text if len(text) <= 300 else text[:297].rsplit(" ", 1)[0] + "…"


def header_cell(chapter):
    """The box under a page's title: the student notebook to download, how to run it, and launch links."""
    name = download_name(chapter)
    what = ("the notebook and the data it reads, in one zip: unzip it into a folder of its own"
            if name.endswith(".zip") else "the notebook with its exercises and visible tests")
    return nbformat.v4.new_markdown_cell(
        ":::{admonition} Do the exercises in Jupyter\n"
        ":class: tip\n\n"
        "This page shows the chapter with its figures, but not the answers. To do the exercises, download the "
        f"student notebook, {{download}}`{name} <downloads/{name}>` ({what}), open it in Jupyter, write your "
        "code where it says `YOUR CODE HERE` and run the test cells below it. "
        "{ref}`get-the-notebooks` says how to set up your own computer.\n\n"
        f"```{{student-launch}} {chapter}\n```\n"
        ":::\n",
        metadata={"rnn_course": "header"},
    )


def strip(nb):
    """Turn an executed source notebook into what a learner may see."""
    from nbgrader.preprocessors import ClearHiddenTests, ClearSolutions

    from .nbgrader_config import CODE_STUB, TEXT_STUB

    resources = {}
    nb, resources = ClearSolutions(code_stub=CODE_STUB, text_stub=TEXT_STUB).preprocess(nb, resources)
    nb, resources = ClearHiddenTests().preprocess(nb, resources)
    nb.metadata.pop("widgets", None)  # widget state would make the page load widget scripts from a CDN
    for index, cell in enumerate(nb.cells):
        meta = cell.metadata.pop("nbgrader", {})
        if cell.cell_type != "code":
            continue
        if meta.get("solution") or meta.get("grade"):
            cell.outputs = []
            cell.execution_count = None
        outputs = []
        for output in cell.outputs:
            data = output.get("data", {})
            if any(mime in data for mime in WIDGET_MIMES):
                continue  # a live widget: nothing of it can work on a static page
            outputs.append(output)
        cell.outputs = outputs
        if any(mime.startswith("image/") for output in outputs for mime in output.get("data", {})):
            image = cell.metadata.setdefault("mystnb", {}).setdefault("image", {})
            image.setdefault("alt", alt_text(nb.cells, index))
        if meta.get("grade_id") == SELF_CHECK_ID:  # the questions alone: their code is only their data
            cell.metadata.setdefault("tags", []).append("remove-input")
        elif meta.get("grade_id") and not meta.get("solution"):  # setup, read-only code (figures, explorers,
            cell.metadata.setdefault("tags", []).append("hide-input")  # helpers) and tests: a click shows it
    return nb


def add_header(nb, chapter):
    """Insert the download box right after the cell that holds the page's title (or first)."""
    titled = [i for i, c in enumerate(nb.cells)
              if c.cell_type == "markdown" and re.search(r"^# ", c.source, flags=re.M)]
    nb.cells.insert(titled[0] + 1 if titled else 0, header_cell(chapter))
    return nb


def up_to_date(chapter):
    target = PAGES / f"{chapter}.ipynb"
    if not target.exists() or not (DOWNLOADS / download_name(chapter)).exists():
        return False
    return nbformat.read(str(target), as_version=4).metadata.get("rnn_course", {}).get("source") == fingerprint(
        chapter)


def write_downloads(chapters):
    """Put the student notebooks of ``chapters`` (nbgrader's release) in ``book/chapters/downloads/``."""
    from .release import release

    DOWNLOADS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="rnn-pages-") as tmp:
        for notebook in release(chapters, out=Path(tmp)):  # one nbgrader course: its gradebook is made once
            chapter, folder = notebook.parent.name, notebook.parent
            name = download_name(chapter)
            partial = DOWNLOADS / f".{name}.partial"
            if name.endswith(".zip"):
                with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
                    for path in sorted(folder.rglob("*")):
                        if path.is_file():
                            archive.write(path, Path(chapter) / path.relative_to(folder))
            else:
                shutil.copyfile(folder / name, partial)
            partial.replace(DOWNLOADS / name)


def build_page(chapter):
    """Execute and strip one chapter into ``book/chapters/<chapter>.ipynb``."""
    from nbclient import NotebookClient

    target = PAGES / f"{chapter}.ipynb"
    nb = nbformat.read(str(SOLUTIONS / chapter / f"{chapter}.ipynb"), as_version=4)
    env = tool_env()
    env["RNN_COURSE_STATIC"] = "1"
    NotebookClient(nb, timeout=600, kernel_name="python3", store_widget_state=False,
                   resources={"metadata": {"path": str(SOLUTIONS / chapter)}}).execute(env=env)
    nb = add_header(strip(nb), chapter)
    nb.metadata["rnn_course"] = {"source": fingerprint(chapter)}
    PAGES.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(target))
    return target


def diagrams_up_to_date():
    """Draw the diagrams into ``book/chapters/diagrams/`` (the pages link to ``diagrams/<name>.svg``) unless the
    code that draws them is unchanged since they were drawn."""
    from .release import draw_diagrams

    digest = hashlib.sha256()
    for path in sorted((REPO / "book" / "diagrams").rglob("*.py")):
        digest.update(path.name.encode() + path.read_bytes())
    stamp = DIAGRAMS / ".drawn-from"
    if not stamp.exists() or stamp.read_text() != digest.hexdigest():
        draw_diagrams(DIAGRAMS)
        stamp.write_text(digest.hexdigest())


def build_pages(names=(), force=False, workers=2):
    """Build the pages of ``names`` (default: the chapters in ``_toc.yml``); skip those up to date."""
    diagrams_up_to_date()
    names = list(names) or toc_chapters()
    if not names:
        raise CourseError("_toc.yml lists no chapter (book/chapters/<chapter>)")
    names = check_chapters(names)
    stale = [name for name in names if force or not up_to_date(name)]
    if stale:  # the release (slow to start, mostly waiting) beside `workers` kernels at a time
        with ThreadPoolExecutor(max_workers=max(1, workers) + 1) as pool:
            downloads = pool.submit(write_downloads, stale)
            # the later chapters train longer: they start first, so that the last to finish is not a long one
            pages = [pool.submit(build_page, name) for name in sorted(stale, reverse=True)]
            for future in [downloads, *pages]:
                future.result()
    return [PAGES / f"{name}.ipynb" for name in names]
