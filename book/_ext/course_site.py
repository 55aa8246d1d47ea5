"""Sphinx extension of the course's website (loaded through ``sphinx.local_extensions`` in ``_config.yml``).

- **Offline MathJax.** Copies MathJax 3 from the ``django-static-mathjax`` package (a PyPI wheel of MathJax's
  files) into ``_static/mathjax/``; ``_config.yml`` points ``mathjax_path`` at its ``tex-svg.js``, which draws
  math as SVG and so needs no web font. No page asks another host for anything.
- **Phone-sized screens.** ``book/_static/course.css`` lets long inline code wrap.
- **A list of the chapters** (``chapter-list`` directive) for the landing page, in the order of the book.
- **Launch links to the student notebooks.** The ``student-launch`` directive (put in every chapter page by
  ``python -m autograder pages``) renders links that open the chapter's *student* notebook on a BinderHub, on a
  JupyterHub through nbgitpuller, or on Colab, as configured by ``rnn_course_launch`` in ``_config.yml``: Binder
  and Colab are on by default, and appear once ``repository_url`` says where the student notebooks are
  published; with no repository (nothing to open) it renders nothing. Jupyter Book's own launch buttons would open the web
  page's notebook, which is not what a learner should get, so they stay off.
- **No sphinx-thebe.** Jupyter Book always loads it, and it writes an unpkg.com address into every page; with
  live code off (``launch_buttons.thebe: false``) its assets are dropped.
"""

import shutil
from pathlib import Path
from urllib.parse import quote, urlencode

from docutils import nodes
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

logger = logging.getLogger(__name__)

LAUNCH_DEFAULTS = {
    "repository_url": "",        # the public git repository that holds the student notebooks (release/'s content)
    "branch": "main",
    "path": "{chapter}/{chapter}.ipynb",  # a student notebook's path in that repository
    "binderhub_url": "https://mybinder.org",  # "" for no Binder link
    "jupyterhub_url": "",        # e.g. https://hub.example.edu (the hub needs nbgitpuller)
    "jupyterhub_interface": "lab",  # "lab" (JupyterLab) or "tree" (the classic notebook)
    "colab": True,               # an "Open in Colab" link (for a GitHub repository; false for none)
}


def mathjax_source():
    """The folder of MathJax 3's ready-to-use components (``es5/``) in the django-static-mathjax package."""
    import mathjax

    folder = Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"
    if not (folder / "tex-svg.js").exists():
        raise RuntimeError(f"MathJax 3 not found at {folder}: pip install -r requirements.txt")
    return folder


def copy_mathjax(app, exception):
    """After an HTML build, put MathJax in ``_static/mathjax`` (only the SVG output and what it loads)."""
    if exception is not None or app.builder.format != "html":
        return
    source = mathjax_source()
    target = Path(app.outdir) / "_static" / "mathjax"
    stamp = target / ".copied-from"
    if stamp.exists() and stamp.read_text() == str(source):
        return
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    shutil.copy2(source / "tex-svg.js", target / "tex-svg.js")
    for sub in ("input", "a11y", "ui", "sre", "adaptors"):  # loaded on demand: TeX extensions, menu, speech
        if (source / sub).is_dir():
            shutil.copytree(source / sub, target / sub)
    output = target / "output"
    output.mkdir()
    if (source / "output" / "svg.js").exists():
        shutil.copy2(source / "output" / "svg.js", output / "svg.js")
    if (source / "output" / "svg").is_dir():
        shutil.copytree(source / "output" / "svg", output / "svg")
    stamp.write_text(str(source))


def _github(repository_url):
    """``(owner, name)`` of a GitHub repository URL, or None."""
    url = repository_url.rstrip("/").removesuffix(".git")
    prefix = "https://github.com/"
    if url.startswith(prefix) and url[len(prefix):].count("/") == 1:
        return tuple(url[len(prefix):].split("/"))
    return None


def launch_links(config, chapter):
    """``[(label, url)]``: where a learner can open ``chapter``'s student notebook, as ``config`` says."""
    config = {**LAUNCH_DEFAULTS, **(config or {})}
    repo, branch = config["repository_url"].strip().rstrip("/"), config["branch"]
    path = config["path"].format(chapter=chapter)
    if not repo:  # the links are on by default, as soon as the student notebooks are published somewhere
        return []
    github = _github(repo)
    links = []
    if config["binderhub_url"]:
        hub = config["binderhub_url"].rstrip("/")
        spec = f"gh/{github[0]}/{github[1]}/{branch}" if github else f"git/{quote(repo, safe='')}/{branch}"
        links.append(("Binder", f"{hub}/v2/{spec}?{urlencode({'labpath': path})}"))
    if config["jupyterhub_url"]:
        hub = config["jupyterhub_url"].rstrip("/")
        folder = repo.removesuffix(".git").rsplit("/", 1)[-1]
        interface = config["jupyterhub_interface"].strip("/") or "lab"
        query = urlencode({"repo": repo, "branch": branch, "urlpath": f"{interface}/tree/{folder}/{path}"})
        links.append(("JupyterHub", f"{hub}/hub/user-redirect/git-pull?{query}"))
    if config["colab"] and github:  # Colab opens notebooks from GitHub only
        links.append(("Colab", f"https://colab.research.google.com/github/{github[0]}/{github[1]}/blob/"
                               f"{branch}/{path}"))
    return links


def drop_thebe(app, pagename, templatename, context, doctree):
    """Jupyter Book always loads sphinx-thebe, which writes an unpkg.com address into every page; the course
    has no live code cells on the website (``launch_buttons.thebe`` is off), so its assets are dropped."""
    if (app.config.html_theme_options.get("launch_buttons") or {}).get("thebe"):
        return

    def keep(asset):
        name = str(getattr(asset, "filename", asset) or "")
        body = str((getattr(asset, "attributes", None) or {}).get("body", ""))
        return "thebe" not in name and "THEBE_JS_URL" not in body

    for key in ("script_files", "css_files"):
        if key in context:
            context[key] = [asset for asset in context[key] if keep(asset)]


def drop_thebe_config(app, doctree, docname):
    """The inert ``text/x-thebe-config`` block sphinx-thebe appends to pages with code: dropped, as above."""
    if (app.config.html_theme_options.get("launch_buttons") or {}).get("thebe"):
        return
    for node in list(doctree.findall(nodes.raw)):
        if "x-thebe-config" in node.astext():
            node.parent.remove(node)


class StudentLaunch(SphinxDirective):
    """``{student-launch} CHAPTER``: links that open the chapter's student notebook online, if configured."""

    required_arguments = 1

    def run(self):
        chapter = self.arguments[0]
        try:
            links = launch_links(self.config.rnn_course_launch, chapter)
        except ValueError as exc:
            logger.warning(str(exc), location=self.get_location())
            return []
        if not links:
            return []
        para = nodes.paragraph()
        para += nodes.Text("Or open it online, with nothing to install: ")
        for i, (label, url) in enumerate(links):
            if i:
                para += nodes.Text(" · ")
            para += nodes.reference("", f"open in {label}", refuri=url, classes=["student-launch"])
        para += nodes.Text(".")
        return [para]


class chapter_list(nodes.General, nodes.Element):
    """Where the ``chapter-list`` directive puts the list of chapters once every title is known."""


class ChapterList(SphinxDirective):
    """``{chapter-list}``: the chapters built (``book/chapters/*``), in order, each linked by its title."""

    def run(self):
        if not hasattr(self.env, "rnn_course_chapter_lists"):
            self.env.rnn_course_chapter_lists = set()
        self.env.rnn_course_chapter_lists.add(self.env.docname)
        return [chapter_list()]


def chapter_lists_outdated(app, env, added, changed, removed):
    """A page with a chapter list is rebuilt when a chapter comes, goes or changes (its title may have)."""
    if any(d.startswith("book/chapters/") for d in (*added, *changed, *removed)):
        return sorted(getattr(env, "rnn_course_chapter_lists", set()) - set(removed))
    return []


def fill_chapter_lists(app, doctree, docname):
    for node in list(doctree.findall(chapter_list)):
        items = nodes.enumerated_list()
        for chapter in sorted(d for d in app.env.found_docs if d.startswith("book/chapters/")):
            ref = nodes.reference("", "", internal=True, refuri=app.builder.get_relative_uri(docname, chapter))
            ref += nodes.Text(app.env.titles[chapter].astext() if chapter in app.env.titles else chapter)
            items += nodes.list_item("", nodes.paragraph("", "", ref))
        node.replace_self(items)


def add_static(app, config):
    """The course's style sheet, from ``book/_static``."""
    config.html_static_path = [*config.html_static_path, str(Path(__file__).resolve().parent.parent / "_static")]


def setup(app):
    app.add_config_value("rnn_course_launch", dict(LAUNCH_DEFAULTS), "env")
    app.connect("config-inited", add_static)
    app.add_css_file("course.css")
    app.add_directive("student-launch", StudentLaunch)
    app.add_node(chapter_list)
    app.add_directive("chapter-list", ChapterList)
    app.connect("doctree-resolved", fill_chapter_lists)
    app.connect("env-get-outdated", chapter_lists_outdated)
    app.connect("build-finished", copy_mathjax)
    app.connect("html-page-context", drop_thebe)
    app.connect("doctree-resolved", drop_thebe_config, priority=900)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
