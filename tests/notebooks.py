"""Helpers the tests share: reading chapters, making submissions, running code in a real kernel, serving
pages to a browser, finding processes left behind."""

import functools
import http.server
import os
import re
import threading

import nbformat

from autograder.course import REPO, SOLUTIONS, tool_env
from autograder.isolate import is_exercise, is_test, nbgrader_meta  # noqa: F401 (used by the tests)

SOLUTION_REGION = re.compile(r"^[ \t]*### BEGIN SOLUTION[^\n]*\n(.*?)^[ \t]*### END SOLUTION[^\n]*\n?", re.M | re.S)


def source_notebook(chapter):
    return nbformat.read(str(SOLUTIONS / chapter / f"{chapter}.ipynb"), as_version=4)


def grade_id(cell):
    return nbgrader_meta(cell).get("grade_id")


def exercises(nb):
    """``{exercise grade_id: [its test cells]}``, in notebook order: tests belong to the exercise above."""
    result, current = {}, None
    for cell in nb.cells:
        if is_exercise(cell):
            current = grade_id(cell)
            result[current] = []
        elif is_test(cell) and current is not None:
            result[current].append(cell)
    return result


def solved(cell_source):
    """The source of a solution cell as a learner who solved it would write it (markers removed)."""
    return SOLUTION_REGION.sub(lambda m: m.group(1), cell_source)


def solved_submission(chapter, released):
    """The released notebook with every exercise and written answer filled in from the source."""
    source = {grade_id(c): c for c in source_notebook(chapter).cells if grade_id(c)}
    nb = nbformat.read(str(released), as_version=4)
    for cell in nb.cells:
        if nbgrader_meta(cell).get("solution"):
            cell.source = solved(source[grade_id(cell)].source)
    return nb


def plant(nb, exercise, find, replace):
    """Plant a bug: replace ``find`` (which must occur exactly once) in the exercise's cell."""
    for cell in nb.cells:
        if grade_id(cell) == exercise:
            count = cell.source.count(find)
            assert count == 1, f"{exercise}: {find!r} occurs {count} times in the cell, expected once"
            cell.source = cell.source.replace(find, replace)
            return nb
    raise AssertionError(f"no cell with grade_id {exercise!r}")


def load_mutants(chapter):
    """The planted bugs of ``tests/mutants/<chapter>.py``."""
    path = REPO / "tests" / "mutants" / f"{chapter}.py"
    if not path.exists():
        return []
    namespace = {}
    exec(compile(path.read_text(), str(path), "exec"), namespace)
    return namespace["MUTANTS"]


class Kernel:
    """A real IPython kernel that runs code and says whether it raised, for the mutant tests."""

    def __init__(self, cwd, grading=True):
        from jupyter_client.manager import start_new_kernel

        env = tool_env()
        if grading:
            env["NBGRADER_EXECUTION"] = "autograde"
        self.manager, self.client = start_new_kernel(kernel_name="python3", cwd=str(cwd), env=env)

    def run(self, code, timeout=120):
        """Run ``code``; return ``None`` if it succeeded, else ``"Name: message"`` of its error."""
        error = []

        def hook(msg):
            if msg["msg_type"] == "error":
                error.append(f"{msg['content']['ename']}: {msg['content']['evalue']}")

        reply = self.client.execute_interactive(code, timeout=timeout, output_hook=hook, allow_stdin=False)
        if reply["content"]["status"] != "ok" and not error:
            error.append(f"{reply['content'].get('ename')}: {reply['content'].get('evalue')}")
        return error[0] if error else None

    def close(self):
        self.client.stop_channels()
        self.manager.shutdown_kernel(now=True)


def execute(nb, cwd, env_extra=None, allow_errors=False, timeout=300, as_learner=False):
    """Execute ``nb`` in place with nbclient in a real kernel, the repository importable, or not importable
    (``as_learner``: a learner has the student notebook and none of the course's code)."""
    from nbclient import NotebookClient

    saved = dict(os.environ)
    os.environ.update(tool_env())
    if as_learner:
        os.environ.pop("PYTHONPATH", None)
    os.environ.update(env_extra or {})
    try:
        NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=allow_errors,
                       resources={"metadata": {"path": str(cwd)}}).execute()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return nb


class Server:
    """A folder on 127.0.0.1, in a thread, recording the paths asked for (``asked``)."""

    def __init__(self, root):
        asked = self.asked = []

        class Quiet(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                asked.append(self.path)
                super().do_GET()

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(root)))
        self.url = f"http://127.0.0.1:{self.httpd.server_port}/"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def only_requests_to(context, prefix):
    """Abort every request of a Playwright browser context but those to ``prefix``; return the list into
    which the aborted requests' URLs go (a page that works offline tries none)."""
    refused = []

    def route(r, request):
        if request.url.startswith(prefix):
            r.continue_()
        else:
            refused.append(request.url)
            r.abort("blockedbyclient")

    context.route("**/*", route)
    return refused


def sandbox_processes():
    """``{pid: command line}`` of the grader's sandbox processes running now (bubblewrap, and the program
    inside it, isolated or not)."""
    found = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmdline = open(f"/proc/{pid}/cmdline", "rb").read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if cmdline.startswith("bwrap ") or "sandbox/inside.py" in cmdline:
            found[int(pid)] = cmdline[:200]
    return found


def left_behind(before, wait=3):
    """The sandbox processes running now that were not running ``before`` (a batch) and still run ``wait``
    seconds later: what the batch left behind (a sandbox of another grader on the machine ends on its own)."""
    import time

    now = {pid: cmd for pid, cmd in sandbox_processes().items() if pid not in before}
    time.sleep(wait if now else 0)
    return [cmd for pid, cmd in sandbox_processes().items() if pid in now]
