"""The program that runs inside the sandbox: it executes the learner's cells and calls their functions.

Started as ``python -I inside.py FD FOLDER PROTECTED`` by :mod:`.client`, inside the isolation engine
(:mod:`.bubblewrap`), it obeys the requests that arrive on the socket ``FD``, the only channel it has to the
grader: ``exec`` a cell, ``get`` a value, ``call`` a function. Printed output and warnings are captured and sent
back with each reply.

The boundary is the operating system's, not this program's: the learner's code runs in this process, so
nothing here can be relied on once it runs. The audit hook below is a second layer only: it refuses, and
reports, what an honest exercise never does (importing the reference, starting processes, ctypes, sockets,
writing outside its folder), so that the grader can flag the attempt; a learner who disables it gains nothing
the engine does not already forbid.

It imports nothing of the course but ``protocol``, which is copied beside it.
"""

import io
import os
import socket
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from protocol import (Channel, SandboxError, bounded_text, decode, encode,  # noqa: E402
                      paths, MAX_TEXT)


class Rules:
    """The audit hook (second layer): what the learner's code may not do. Python cannot remove a hook."""

    WRITE_EVENTS = {"os.remove", "os.rmdir", "os.rename", "os.replace", "shutil.rmtree", "os.chmod",
                    "os.chown", "os.link", "os.symlink", "os.truncate", "os.mkdir", "shutil.move",
                    "shutil.copyfile", "os.utime"}
    PROCESS_EVENTS = {"subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork",
                      "os.forkpty", "pty.spawn", "os.startfile"}
    FORBIDDEN_EVENTS = {"ctypes.dlopen": "loads a C library (ctypes)", "ctypes.dlsym": "uses ctypes",
                        "ctypes.cdata": "uses ctypes", "ctypes.call_function": "uses ctypes",
                        "socket.connect": "opens a network connection", "socket.bind": "opens a network socket",
                        "socket.getaddrinfo": "looks up a network address", "os.setuid": "changes its user",
                        "os.setgid": "changes its group"}

    def __init__(self, folder, protected):
        self.folder = os.path.realpath(folder)
        self.protected = [os.path.realpath(p) for p in protected]
        # Python itself may live inside a protected folder (a .venv in the repository): it stays readable.
        self.python = {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)}
        self.events = []
        self.where = "setup"
        self.armed = False

    def inside(self, path):
        try:
            real = os.path.realpath(os.fsdecode(path) if not isinstance(path, int) else "")
        except Exception:
            return False
        return real == self.folder or real.startswith(self.folder + os.sep)

    def protected_path(self, path):
        if isinstance(path, int):
            return False
        real = os.path.realpath(os.fsdecode(path))
        if self.inside(path) or any(real.startswith(p + os.sep) for p in self.python):
            return False
        return any(real == p or real.startswith(p + os.sep) for p in self.protected)

    def refuse(self, kind, detail):
        self.events.append({"kind": kind, "where": self.where, "detail": detail})
        raise PermissionError(f"not allowed while grading: your code {detail}")

    def __call__(self, event, args):
        if not self.armed:
            return
        if event == "open":
            path, mode, flags = args
            if path is None or isinstance(path, int):
                return
            writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
                flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT))
            if self.protected_path(path) and "rnn_ref" in os.fsdecode(path):
                self.refuse("reference", f"reads the reference implementation ({os.fsdecode(path)})")
            if self.protected_path(path):
                self.refuse("instructor-files", f"reads or writes the instructor's files ({os.fsdecode(path)})")
            if writing and not self.inside(path) and not os.fsdecode(path).startswith("/dev/null"):
                self.refuse("outside-folder", f"writes outside its own folder ({os.fsdecode(path)})")
        elif event == "import" and args and isinstance(args[0], str) and args[0].split(".")[0] == "rnn_ref":
            self.refuse("reference", "imports the reference implementation (rnn_ref)")
        elif event in self.WRITE_EVENTS:
            targets = [a for a in args[:2] if isinstance(a, (str, bytes, os.PathLike))]
            if any(not self.inside(p) for p in targets):
                self.refuse("outside-folder", f"changes files outside its own folder ({event} {targets[0]})")
        elif event in self.PROCESS_EVENTS:
            self.refuse("process", f"starts another process ({event})")
        elif event == "os.kill" and args and args[0] not in (0, os.getpid()):
            self.refuse("process", "sends a signal to another process")
        elif event in self.FORBIDDEN_EVENTS:
            self.refuse("forbidden", self.FORBIDDEN_EVENTS[event])
        elif event.startswith("ctypes."):
            self.refuse("forbidden", "uses ctypes")


class ReferenceFinder:
    """An import finder that reports any attempt to import the reference (``importlib.import_module`` raises
    no audit event); the reference is not in the sandbox in any case."""

    def __init__(self, rules):
        self.rules = rules

    def find_spec(self, name, path=None, target=None):
        if self.rules.armed and name.split(".")[0] == "rnn_ref":
            self.rules.refuse("reference", "imports the reference implementation (rnn_ref)")
        return None


class Capture(io.StringIO):
    """sys.stdout and sys.stderr while a request runs: at most MAX_TEXT characters are kept."""

    def write(self, text):
        if self.tell() < MAX_TEXT:
            return super().write(text[: MAX_TEXT - self.tell()])
        return len(text)


def serve(fd, folder, protected):
    """Obey the kernel's requests until it closes the connection."""
    import warnings

    import numpy  # before the rules: numpy's start-up loads libraries

    channel = Channel(socket.socket(fileno=fd))
    rules = Rules(folder, protected)
    sys.addaudithook(rules)
    sys.meta_path.insert(0, ReferenceFinder(rules))
    namespace = {"__name__": "__main__", "__lazy__": Lazy}
    namespace["get_ipython"] = Shell(namespace).get  # the cells' %magics and !commands call it
    namespace["display"] = display  # a builtin in Jupyter, so learners use it without importing it
    functions = {}  # name -> the learner's function as their cell defined it (not as a test rebinds it)
    rules.armed = True
    channel.send({"op": "ready"})

    def callback(index):
        def remote(*args):
            blobs = []
            channel.send({"op": "callback", "id": index, "args": encode(list(args), blobs)}, blobs)
            header, data = channel.recv()
            while header["op"] == "call":  # the callback calls one of the learner's functions again
                handle(header, data)
                header, data = channel.recv()
            if header["op"] == "raise":
                raise rebuild(header["type"], header["message"])
            return decode(header["value"], data)
        return remote

    def handle(header, data):
        stdout = Capture()
        saved = sys.stdout, sys.stderr
        sys.stdout = sys.stderr = stdout
        rules.where = header.get("cell") or header.get("name")
        before = len(rules.events)
        reply, blobs = {}, []
        try:
            if header["op"] == "exec":
                old = dict(namespace)
                error = None
                try:
                    exec(compile(header["source"], f"<cell {header['cell']}>", "exec"), namespace)
                except BaseException as exc:  # the learner's cell may raise anything, SystemExit included
                    error = bounded_text(f"{type(exc).__name__}: {exc}")
                defined = {name: "function" if callable(value) else "value" for name, value in namespace.items()
                           if not name.startswith("__") and (name not in old or old[name] is not value)
                           and (callable(value) or encodable(value))}
                functions.update({name: namespace[name] for name, kind in defined.items() if kind == "function"})
                reply = {"op": "done", "defined": defined, "error": error}
            elif header["op"] == "get":
                reply = {"op": "value", "value": encode(namespace[header["name"]], blobs)}
            elif header["op"] == "call":
                args = decode(header["args"], data, make_callable=callback)
                kwargs = decode(header["kwargs"], data, make_callable=callback)
                arguments = [args, kwargs]
                refs = paths(arguments)
                overrides = decode(header.get("overrides", {"__dict__": []}), data, make_callable=callback)
                saved_names = {name: namespace.get(name) for name in overrides}
                target = functions[header["name"]]
                namespace.update(overrides)
                with warnings.catch_warnings(record=True) as recorded, numpy.errstate(**header.get("errstate", {})):
                    warnings.simplefilter("always")
                    try:
                        value = target(*args, **kwargs)
                        reply = {"op": "return", "value": encode(value, blobs, refs=refs)}
                    except BaseException as exc:  # NotImplementedError, SystemExit, KeyboardInterrupt, ...
                        reply = {"op": "raise", "type": type(exc).__name__, "message": bounded_text(str(exc))}
                    finally:
                        namespace.update(saved_names)
                reply["warnings"] = [[w.category.__name__, bounded_text(str(w.message), 2000)]
                                     for w in recorded[:20]]
                reply["arguments"] = encode(arguments, blobs, callables=[])
        except Exception as exc:
            reply, blobs = {"op": "raise", "type": type(exc).__name__, "message": bounded_text(str(exc)),
                            "arguments": encode([[], {}], [])}, []
        finally:
            sys.stdout, sys.stderr = saved
        reply["stdout"] = stdout.getvalue()
        reply["events"] = rules.events[before:]
        channel.send(reply, blobs)

    while True:
        try:
            header, data = channel.recv()
        except EOFError:
            return
        handle(header, data)


def rebuild(type_name, message):
    """An exception of the kernel's (a callback's), as one of the same name where that is a builtin one."""
    import builtins

    kind = getattr(builtins, str(type_name), None)
    if isinstance(kind, type) and issubclass(kind, Exception):
        try:
            return kind(message)
        except Exception:
            pass
    return SandboxError(f"{type_name}: {message}")


class Lazy:
    """A module (or one of its attributes) imported the first time it is used: ``__lazy__("ipywidgets")``,
    ``__lazy__("IPython.display", "display")``."""

    def __init__(self, module, attribute=None):
        self._where = (module, attribute)
        self._target = None

    def _load(self):
        if self._target is None:
            import importlib

            module, attribute = self._where
            self._target = importlib.import_module(module)
            if attribute is not None:
                self._target = getattr(self._target, attribute)
        return self._target

    def __getattr__(self, name):
        return getattr(self._load(), name)

    def __call__(self, *args, **kwargs):
        return self._load()(*args, **kwargs)


class Shell:
    """What a learner's cell gets from ``get_ipython()``: the IPython syntax of a notebook, run as far as
    grading allows. The grader turns ``%time x = f()``, ``%%timeit`` or ``!ls`` into calls of this object
    (``isolate.as_python``, as IPython itself does). The timing magics run their code once, as plain Python;
    ``%%capture`` runs its cell; other magics (``%matplotlib``, ``%load_ext`` ...) do nothing, and shell
    commands do not run at all (no process may start while grading), which the cell's output says."""

    QUIET = {"matplotlib", "load_ext", "autoreload", "config", "pinfo", "pinfo2", "precision", "who", "whos"}

    def __init__(self, namespace):
        self.user_ns = namespace

    def get(self):
        return self

    def _run(self, code):
        exec(compile(code, "<magic>", "exec"), self.user_ns)

    def run_line_magic(self, name, line, _stack_depth=1):
        if name in ("time", "timeit"):
            self._run(without_options(line) if name == "timeit" else line)
        elif name not in self.QUIET:
            print(f"(grading: %{name} does nothing here)")

    def run_cell_magic(self, name, line, cell):
        if name in ("time", "timeit", "capture"):
            if name == "timeit":
                self._run(without_options(line))  # the setup statement
            self._run(cell)
        else:
            print(f"(grading: %%{name} does nothing here; the cell's code did not run)")

    def system(self, command):
        print(f"(grading: shell commands do not run: !{command})")

    def getoutput(self, command):
        self.system(command)
        return []


def display(*objects, **options):
    """IPython's display(), as text: each object's repr on a line of the cell's output."""
    for obj in objects:
        print(repr(obj))


def without_options(line):
    """The statement of a %timeit line: '-n 1 -r 3 f(x)' -> 'f(x)'."""
    words = line.split()
    while words and words[0].startswith("-"):
        takes_value = words[0] in ("-n", "-r", "-p")
        words = words[2:] if takes_value else words[1:]
    return " ".join(words)


def encodable(value):
    try:
        encode(value, [])
        return True
    except Exception:
        return False


if __name__ == "__main__":
    import json

    serve(int(sys.argv[1]), sys.argv[2], json.loads(sys.argv[3]))
