"""Learners' code runs in a sandbox process; the tests that judge it run in a kernel it cannot touch.

While grading, the notebook's exercise cells are not executed in the Jupyter kernel. A separate Python
process, the *sandbox*, executes the learner's cells (with the setup and read-only cells they rely on), and
the kernel gets, in place of each exercise cell, stand-ins for the functions that cell defined: calling one
sends the arguments to the sandbox, runs the learner's function there and brings back its result, and the
changes it made to its arguments, so that a test sees exactly what it would see natively. The test cells then
run in the kernel, where no learner's code ever ran: rebinding numpy's comparisons, builtins, the kernel or
the test helpers in the sandbox changes nothing the tests use.

The sandbox is started with ``python -I`` (the repository, and so ``rnn_ref``, is not importable), in a
folder of its own, under resource limits (memory, file size, no core dumps), as ``nobody`` when the grader
runs as root, and with a Python audit hook that cannot be removed and that refuses: files outside its
folder (reading the instructor's files, writing or deleting anything else), new processes, ctypes, sockets
and signals to other processes. Each refusal is recorded and costs the exercise whose code did it its points.

This file is also the sandbox's program (``python -I sandbox.py FD ...``), so it imports nothing of the
course. Messages are JSON with numpy arrays as raw buffers beside it; nothing is ever unpickled.
"""

import io
import json
import os
import signal
import socket
import struct
import sys
import tempfile
import time

MAX_MESSAGE = 1 << 30  # bytes; a larger message is refused
MAX_OUTPUT = 20_000  # characters of printed output kept per cell or call
_KEEP = object()  # a function among the arguments: it stays what it was
ALLOWED_DTYPES = "biufc"  # bool, integers, floats, complex: no object arrays


class SandboxError(Exception):
    """The learner's code could not be run: it crashed, hung or broke a rule. The message says which."""


# ----------------------------------------------------------------------------------------- the codec
def encode(obj, blobs, refs=None, callables=None, path=()):
    """A JSON-able tree for ``obj``; arrays go to ``blobs``. ``refs`` maps id() of arguments to their path,
    so a result that *is* an argument comes back as that argument; ``callables`` collects functions."""
    import numpy as np

    if refs is not None and id(obj) in refs and not isinstance(obj, (bool, int, float, str, type(None))):
        return {"__ref__": refs[id(obj)]}
    if obj is None or isinstance(obj, (bool, str)):
        return obj
    if isinstance(obj, (int, float)) and not isinstance(obj, np.generic):
        return obj if not isinstance(obj, float) or obj == obj and abs(obj) != float("inf") else {"__float__": repr(obj)}
    if isinstance(obj, complex):
        return {"__complex__": [obj.real, obj.imag]}
    if isinstance(obj, (np.ndarray, np.generic)):
        arr = np.asarray(obj)
        if arr.dtype.kind not in ALLOWED_DTYPES:
            raise TypeError(f"an array of dtype {arr.dtype} cannot be passed (use numbers)")
        blobs.append(np.ascontiguousarray(arr).tobytes())
        return {"__nd__": len(blobs) - 1, "dtype": arr.dtype.str, "shape": list(arr.shape),
                "scalar": isinstance(obj, np.generic)}
    if isinstance(obj, tuple):
        return {"__tuple__": [encode(v, blobs, refs, callables, path + (i,)) for i, v in enumerate(obj)]}
    if isinstance(obj, list):
        return [encode(v, blobs, refs, callables, path + (i,)) for i, v in enumerate(obj)]
    if isinstance(obj, dict):
        return {"__dict__": [[encode(k, blobs), encode(v, blobs, refs, callables, path + (k,))]
                             for k, v in obj.items()]}
    if callable(obj) and callables is not None:
        callables.append(obj)
        return {"__callable__": len(callables) - 1}
    raise TypeError(f"a value of type {type(obj).__name__} cannot be passed between the tests and your code; "
                    "use numpy arrays, numbers, strings, tuples, lists and dicts")


def decode(tree, blobs, args=None, make_callable=None):
    """The inverse of :func:`encode`. ``args`` resolves references; ``make_callable`` builds stand-ins."""
    import numpy as np

    if isinstance(tree, list):
        return [decode(v, blobs, args, make_callable) for v in tree]
    if not isinstance(tree, dict):
        return tree
    if "__nd__" in tree:
        dtype = np.dtype(tree["dtype"])
        if dtype.kind not in ALLOWED_DTYPES:
            raise TypeError(f"refused an array of dtype {dtype}")
        arr = np.frombuffer(blobs[tree["__nd__"]], dtype=dtype).reshape(tree["shape"]).copy()
        return arr[()] if tree.get("scalar") else arr
    if "__tuple__" in tree:
        return tuple(decode(v, blobs, args, make_callable) for v in tree["__tuple__"])
    if "__dict__" in tree:
        return {_hashable(decode(k, blobs)): decode(v, blobs, args, make_callable) for k, v in tree["__dict__"]}
    if "__float__" in tree:
        return float(tree["__float__"])
    if "__complex__" in tree:
        return complex(*tree["__complex__"])
    if "__ref__" in tree:
        return _follow(args, tree["__ref__"])
    if "__callable__" in tree:
        return make_callable(tree["__callable__"])
    raise TypeError("malformed message")


def _hashable(key):
    return tuple(key) if isinstance(key, list) else key


def _follow(args, path):
    obj = args
    for step in path:
        obj = obj[_hashable(step)]
    return obj


def _paths(obj, path=(), table=None):
    """id() -> path of every container and array inside the arguments, for identity of results."""
    import numpy as np

    table = {} if table is None else table
    if isinstance(obj, (list, tuple, dict, np.ndarray)):
        table.setdefault(id(obj), list(path))
    if isinstance(obj, (list, tuple)):
        for i, v in enumerate(obj):
            _paths(v, path + (i,), table)
    elif isinstance(obj, dict):
        for k, v in obj.items():
            _paths(v, path + (k,), table)
    return table


def apply_changes(original, changed):
    """Make ``original`` (an argument the tests passed) equal to ``changed`` (it after the learner's call),
    in place, as if the learner's function had run here."""
    import numpy as np

    if isinstance(original, np.ndarray) and isinstance(changed, np.ndarray):
        if original.shape == changed.shape and original.flags.writeable:
            np.copyto(original, changed, casting="unsafe")
    elif isinstance(original, dict) and isinstance(changed, dict):
        for key in list(original):
            if key not in changed:
                del original[key]
        for key, value in changed.items():
            if value is _KEEP:
                continue
            if key in original and isinstance(original[key], (np.ndarray, dict, list)):
                apply_changes(original[key], value)
            else:
                original[key] = value
    elif isinstance(original, list) and isinstance(changed, list):
        if len(original) == len(changed):
            for i, value in enumerate(changed):
                if value is _KEEP:
                    continue
                if isinstance(original[i], (np.ndarray, dict, list)):
                    apply_changes(original[i], value)
                else:
                    original[i] = value
        else:
            original[:] = changed


# ----------------------------------------------------------------------------------------- the wire
class Channel:
    """Length-prefixed messages over a socket: a JSON header, then the array buffers."""

    def __init__(self, sock):
        self.sock = sock

    def send(self, header, blobs=()):
        data = json.dumps(header).encode()
        parts = [struct.pack("!QI", len(data), len(blobs)), data]
        for blob in blobs:
            parts += [struct.pack("!Q", len(blob)), blob]
        self.sock.sendall(b"".join(parts))

    def _read(self, n):
        chunks, left = [], n
        while left:
            chunk = self.sock.recv(min(left, 1 << 20))
            if not chunk:
                raise EOFError("the other side closed the connection")
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)

    def recv(self):
        size, count = struct.unpack("!QI", self._read(12))
        if size > MAX_MESSAGE or count > 100_000:
            raise SandboxError("a message was too large")
        header = json.loads(self._read(size))
        blobs, total = [], 0
        for _ in range(count):
            (n,) = struct.unpack("!Q", self._read(8))
            total += n
            if total > MAX_MESSAGE:
                raise SandboxError("a message was too large")
            blobs.append(self._read(n))
        return header, blobs


# ----------------------------------------------------------------------------------------- the kernel's side
class Sandbox:
    """The kernel's handle on the sandbox process: start it, run the learner's cells, call their functions.

    ``cells``: ``[(cell_id, source)]`` in notebook order; ``folder``: the sandbox's working folder;
    ``protected``: folders it may not read; ``call_timeout``: seconds one call may take.
    """

    def __init__(self, cells, folder, protected=(), call_timeout=30, memory_mb=3072, report=None):
        self.cells = list(cells)
        self.folder = str(folder)
        self.protected = [str(p) for p in protected]
        self.call_timeout = call_timeout
        self.memory_mb = memory_mb
        self.report_path = report
        self.defined = {}  # cell_id -> {name: kind}
        self.outputs = {}  # cell_id -> (stdout, error or None)
        self.events = []  # what went wrong, in order: {"kind", "where", "detail"}
        self.skip = set()  # cells that hung: not run again after a restart
        self.namespace = None  # the kernel's globals
        self.stand_ins = {}  # name -> the kernel's stand-in for the learner's function
        self.process = None
        self.start()

    # -- the process
    def start(self):
        import subprocess

        if self.process is not None:
            self.stop()
        if os.getuid() == 0:  # the sandbox may run as nobody: give it its folder
            for root, dirs, files in os.walk(self.folder):
                for name in [root] + [os.path.join(root, n) for n in dirs + files]:
                    os.chown(name, 65534, 65534)
        ours, theirs = socket.socketpair()
        self.channel = Channel(ours)
        log = open(os.path.join(self.folder, ".sandbox-output.log"), "ab")
        fonts = os.path.join(tempfile.gettempdir(), "rnn-course-matplotlib")  # shared font cache
        os.makedirs(fonts, exist_ok=True)
        if os.stat(fonts).st_uid == os.getuid():
            os.chmod(fonts, 0o1777)
        if not any(name.startswith("fontlist") for name in os.listdir(fonts)):
            # built here, where starting fc-list is allowed: the sandbox may not start processes
            subprocess.run([sys.executable, "-I", "-c", "import matplotlib.font_manager"], env={
                "MPLCONFIGDIR": fonts, "PATH": "/usr/bin:/bin"}, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL, check=False)
        env = {"PATH": "/usr/bin:/bin", "HOME": self.folder, "MPLBACKEND": "Agg", "MPLCONFIGDIR": fonts,
               "NBGRADER_EXECUTION": "autograde", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
               "PYTHONDONTWRITEBYTECODE": "1", "LANG": "C.UTF-8"}
        for key in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
            if key in os.environ:
                env[key] = os.environ[key]
        command = [sys.executable, "-I", os.path.abspath(__file__), str(theirs.fileno()), self.folder,
                   str(self.memory_mb), json.dumps(self.protected)]
        self.process = subprocess.Popen(command, cwd=self.folder, env=env, stdin=subprocess.DEVNULL,
                                        stdout=log, stderr=log, pass_fds=[theirs.fileno()],
                                        start_new_session=True)
        theirs.close()
        log.close()
        self.channel.sock.settimeout(60)
        header, _ = self.channel.recv()  # "ready" once numpy is imported and the rules are in force
        if header.get("op") != "ready":
            raise SandboxError("the sandbox did not start")
        for cell_id, source in self.cells:
            if cell_id in self.skip:
                continue
            reply = self.request({"op": "exec", "cell": cell_id, "source": source}, timeout=self.call_timeout,
                                 where=f"cell {cell_id}")
            if reply is None:  # it hung or died: skip that cell and start again without it
                self.skip.add(cell_id)
                self.outputs[cell_id] = ("", self.events[-1]["detail"])
                return self.start()
            self.defined[cell_id] = reply["defined"]
            self.outputs[cell_id] = (reply["stdout"], reply.get("error"))
            self._record(reply)

    def stop(self):
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.process.wait()
        self.channel.sock.close()
        self.process = None

    def _record(self, reply):
        for event in reply.get("events", []):
            self.events.append(event)
        self.save_report()

    def save_report(self):
        if self.report_path:
            with open(self.report_path, "w") as f:
                json.dump({"events": self.events, "skipped": sorted(self.skip),
                           "defined": {cell: sorted(names) for cell, names in self.defined.items()}}, f)

    # -- messages
    def request(self, message, blobs=(), timeout=None, where="", callables=()):
        """Send a request and serve callbacks until its reply. None if the sandbox hung or died."""
        if self.process is None:
            raise SandboxError("your code is no longer running: it was stopped after an earlier failure")
        deadline = time.monotonic() + (timeout or self.call_timeout)
        try:
            self.channel.send(message, blobs)
            while True:
                self.channel.sock.settimeout(max(0.01, deadline - time.monotonic()))
                header, data = self.channel.recv()
                if header["op"] == "callback":
                    self._serve_callback(header, data, callables)
                    continue
                return dict(header, blobs=data)
        except (socket.timeout, TimeoutError):
            seconds = timeout or self.call_timeout
            reply = self._interrupt()
            if reply is not None:  # like Jupyter's interrupt: the learner's earlier definitions survive
                self.events.append({"kind": "timeout", "where": where, "detail": f"did not finish within {seconds} s"})
                self.save_report()
                if reply["op"] == "raise":
                    reply.update(type="TimeoutError", message=f"{where} did not finish within {seconds} s")
                elif reply.get("error"):
                    reply["error"] = f"TimeoutError: this cell did not finish within {seconds} s"
                return reply
            self._fail("timeout", where, f"did not finish within {seconds} s")
        except (EOFError, OSError, SandboxError) as exc:
            code = self.process.poll() if self.process else None
            if code is not None and code < 0 and -code == signal.SIGKILL:
                detail = "was stopped: it used more memory than allowed or was killed"
            elif code is not None:
                detail = f"ended the Python process running it (exit code {code})"
            else:
                detail = f"broke the connection ({exc})"
            self._fail("crash", where, detail)
        return None

    def _interrupt(self, grace=3):
        """Send the sandbox SIGINT; its reply if the learner's code stopped within ``grace`` seconds."""
        try:
            os.kill(self.process.pid, signal.SIGINT)
            self.channel.sock.settimeout(grace)
            header, data = self.channel.recv()
            while header["op"] == "callback":  # a callback was on its way: refuse it
                self.channel.send({"op": "raise", "type": "TimeoutError", "message": "interrupted"})
                header, data = self.channel.recv()
            return dict(header, blobs=data)
        except (OSError, EOFError, ValueError, SandboxError):
            return None

    def _fail(self, kind, where, detail):
        self.events.append({"kind": kind, "where": where, "detail": detail})
        self.save_report()
        self.stop()

    def _serve_callback(self, header, data, callables):
        function = callables[header["id"]]
        try:
            args = decode(header["args"], data, make_callable=self._remote_callable)
            value = function(*args)
            blobs = []
            tree = encode(value, blobs)
            self.channel.send({"op": "return", "value": tree}, blobs)
        except Exception as exc:
            self.channel.send({"op": "raise", "type": type(exc).__name__, "message": str(exc)})

    def _remote_callable(self, index):
        raise SandboxError("your function returned a function; return arrays and numbers")

    # -- what the kernel sees
    def bind(self, namespace, cell_id):
        """Define, in the kernel's ``namespace``, the stand-ins for what ``cell_id`` defined in the sandbox."""
        if cell_id in self.skip:
            raise SandboxError(f"this cell did not finish running ({self.outputs[cell_id][1]})")
        self.namespace = namespace
        stdout, error = self.outputs.get(cell_id, ("", None))
        if stdout:
            print(stdout, end="" if stdout.endswith("\n") else "\n")
        for name, kind in self.defined.get(cell_id, {}).items():
            if kind == "function":
                namespace[name] = self.function(name)
            else:
                namespace[name] = self.value(name)
        if error:
            raise SandboxError(error)

    def value(self, name):
        reply = self.request({"op": "get", "name": name}, where=name)
        if reply is None:
            raise SandboxError(f"{name}: your code {self.events[-1]['detail']}")
        return decode(reply["value"], reply["blobs"])

    def function(self, name):
        sandbox = self

        def stand_in(*args, **kwargs):
            return sandbox.call(name, args, kwargs)

        stand_in.__name__ = stand_in.__qualname__ = name
        stand_in.__doc__ = f"Your {name}, running in the grading sandbox."
        self.stand_ins[name] = stand_in
        return stand_in

    def overrides(self):
        """The learner's functions that the kernel has rebound (a test that wraps one to watch its calls):
        the learner's other functions must call the kernel's version, as they would in one process."""
        if self.namespace is None:
            return {}
        return {name: self.namespace[name] for name, stand_in in self.stand_ins.items()
                if name in self.namespace and self.namespace[name] is not stand_in and callable(self.namespace[name])}

    def call(self, name, args, kwargs):
        blobs, callables = [], []
        message = {"op": "call", "name": name,
                   "args": encode(list(args), blobs, callables=callables),
                   "kwargs": encode(kwargs, blobs, callables=callables),
                   "overrides": encode(self.overrides(), blobs, callables=callables),
                   "errstate": _numpy_errstate()}
        reply = self.request(message, blobs, where=name, callables=callables)
        if reply is None:
            raise SandboxError(f"{name}: your code {self.events[-1]['detail']}")
        self._record(reply)
        if reply.get("stdout"):
            print(reply["stdout"], end="" if reply["stdout"].endswith("\n") else "\n")
        _warn_again(reply.get("warnings", []))
        arguments = [list(args), kwargs]
        changed = decode(reply["arguments"], reply["blobs"], make_callable=lambda index: _KEEP)
        apply_changes(arguments[0], changed[0])
        apply_changes(arguments[1], changed[1])
        for original, new in zip(args, changed[0]):  # tuples and lists passed positionally
            apply_changes(original, new)
        if reply["op"] == "raise":
            raise _rebuild(reply["type"], reply["message"])
        return decode(reply["value"], reply["blobs"], args=arguments)


def _numpy_errstate():
    """How numpy treats floating-point errors here (a test may ask overflow to raise)."""
    import numpy as np

    return np.geterr()


def _warn_again(recorded):
    """Issue here the warnings the learner's code issued in the sandbox, so a test that records or
    refuses warnings sees them as it would in one process."""
    import builtins
    import warnings

    for category, message in recorded:
        kind = getattr(builtins, category, None)
        if not (isinstance(kind, type) and issubclass(kind, Warning)):
            kind = UserWarning
        warnings.warn_explicit(message, kind, "<your code>", 0)


def _rebuild(type_name, message):
    """The learner's exception, as one of the same name where that is a builtin one."""
    import builtins

    kind = getattr(builtins, type_name, None)
    if isinstance(kind, type) and issubclass(kind, Exception) and kind not in (SystemExit, KeyboardInterrupt):
        try:
            return kind(message)
        except Exception:
            pass
    return SandboxError(f"{type_name}: {message}")


# ----------------------------------------------------------------------------------------- the sandbox's side
class _Rules:
    """The audit hook: what the learner's code may not do. Installed once; Python cannot remove it."""

    WRITE_EVENTS = {"os.remove", "os.rmdir", "os.rename", "os.replace", "shutil.rmtree", "os.chmod",
                    "os.chown", "os.link", "os.symlink", "os.truncate", "os.mkdir", "shutil.move",
                    "shutil.copyfile", "os.utime"}
    PROCESS_EVENTS = {"subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork",
                      "os.forkpty", "pty.spawn", "os.startfile"}
    FORBIDDEN_EVENTS = {"ctypes.dlopen": "loads a C library (ctypes)", "ctypes.dlsym": "uses ctypes",
                        "ctypes.cdata": "uses ctypes", "ctypes.call_function": "uses ctypes",
                        "socket.connect": "opens a network connection", "socket.bind": "opens a network socket",
                        "socket.getaddrinfo": "looks up a network address", "sys.setprofile": None,
                        "sys.settrace": None, "os.setuid": "changes its user", "os.setgid": "changes its group"}

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
            writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT))
            if self.protected_path(path) and "rnn_ref" in os.fsdecode(path):
                self.refuse("reference", f"reads the reference implementation ({os.fsdecode(path)})")
            if self.protected_path(path):
                self.refuse("instructor-files", f"reads or writes the instructor's files ({os.fsdecode(path)})")
            if writing and not self.inside(path) and not os.fsdecode(path).startswith("/dev/null"):
                self.refuse("outside-folder", f"writes outside its own folder ({os.fsdecode(path)})")
        elif event == "import" and args and isinstance(args[0], str) and args[0].split(".")[0] == "rnn_ref":
            self.refuse("reference", "imports the reference implementation (rnn_ref)")
        elif event in self.WRITE_EVENTS:
            paths = [a for a in args[:2] if isinstance(a, (str, bytes, os.PathLike))]
            if any(not self.inside(p) for p in paths):
                self.refuse("outside-folder", f"changes files outside its own folder ({event} {paths[0]})")
        elif event in self.PROCESS_EVENTS:
            self.refuse("process", f"starts another process ({event})")
        elif event == "os.kill" and args and args[0] not in (0, os.getpid()):
            self.refuse("process", "sends a signal to another process")
        elif event in self.FORBIDDEN_EVENTS and self.FORBIDDEN_EVENTS[event]:
            self.refuse("forbidden", self.FORBIDDEN_EVENTS[event])
        elif event.startswith("ctypes."):
            self.refuse("forbidden", "uses ctypes")


class _Capture(io.StringIO):
    def write(self, text):
        if self.tell() < MAX_OUTPUT:
            return super().write(text[: MAX_OUTPUT - self.tell()])
        return len(text)


def _limit(memory_mb):
    import resource

    limits = [(resource.RLIMIT_AS, memory_mb << 20), (resource.RLIMIT_FSIZE, 64 << 20),
              (resource.RLIMIT_CORE, 0), (resource.RLIMIT_NOFILE, 256)]
    for which, value in limits:
        try:
            resource.setrlimit(which, (value, value))
        except (ValueError, OSError):
            pass
    if os.getuid() == 0 and _reachable_by_others(sys.base_prefix) and _reachable_by_others(sys.prefix):
        # root: become nobody, who owns only the sandbox's folder (when nobody can still run Python)
        try:
            resource.setrlimit(resource.RLIMIT_NPROC, (64, 64))
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)
        except OSError:
            pass


def _reachable_by_others(path):
    """Can a user other than the owner reach ``path`` (every folder on the way world-executable)?"""
    import stat

    path = os.path.realpath(path)
    while True:
        if not os.stat(path).st_mode & stat.S_IXOTH:
            return False
        parent = os.path.dirname(path)
        if parent == path:
            return True
        path = parent


def serve(fd, folder, memory_mb, protected):
    """The sandbox process: obey the kernel's requests until it closes the connection."""
    sock = socket.socket(fileno=fd)
    channel = Channel(sock)
    _limit(memory_mb)
    import warnings

    import numpy  # before the rules: numpy's start-up loads libraries

    rules = _Rules(folder, protected)
    sys.addaudithook(rules)
    namespace = {"__name__": "__main__", "__lazy__": _Lazy}
    namespace["get_ipython"] = _Shell(namespace).get  # the cells' %magics and !commands call it
    namespace["display"] = _display  # a builtin in Jupyter, so learners use it without importing it
    functions = {}  # name -> the learner's function as their cell defined it (not as a test rebinds it)
    rules.armed = True
    channel.send({"op": "ready"})

    def callback(index):
        def remote(*args):
            blobs = []
            channel.send({"op": "callback", "id": index, "args": encode(list(args), blobs)}, blobs)
            header, data = channel.recv()
            while header["op"] == "call":  # the callback calls one of the learner's functions again
                _handle(header, data)
                header, data = channel.recv()
            if header["op"] == "raise":
                raise _rebuild(header["type"], header["message"])
            return decode(header["value"], data)
        return remote

    def _handle(header, data):
        stdout = _Capture()
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
                    error = f"{type(exc).__name__}: {exc}"
                defined = {name: "function" if callable(value) else "value" for name, value in namespace.items()
                           if not name.startswith("__") and (name not in old or old[name] is not value)
                           and (callable(value) or _encodable(value))}
                functions.update({name: namespace[name] for name, kind in defined.items() if kind == "function"})
                reply = {"op": "done", "defined": defined, "error": error}
            elif header["op"] == "get":
                reply = {"op": "value", "value": encode(namespace[header["name"]], blobs)}
            elif header["op"] == "call":
                args = decode(header["args"], data, make_callable=callback)
                kwargs = decode(header["kwargs"], data, make_callable=callback)
                arguments = [args, kwargs]
                refs = _paths(arguments)
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
                        reply = {"op": "raise", "type": type(exc).__name__, "message": str(exc)}
                    finally:
                        namespace.update(saved_names)
                reply["warnings"] = [[w.category.__name__, str(w.message)] for w in recorded[:20]]
                reply["arguments"] = encode(arguments, blobs, callables=[])
        except Exception as exc:
            reply, blobs = {"op": "raise", "type": type(exc).__name__, "message": str(exc),
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
        _handle(header, data)


class _Lazy:
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


class _Shell:
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
            self._run(_without_options(line) if name == "timeit" else line)
        elif name not in self.QUIET:
            print(f"(grading: %{name} does nothing here)")

    def run_cell_magic(self, name, line, cell):
        if name in ("time", "timeit", "capture"):
            if name == "timeit":
                self._run(_without_options(line))  # the setup statement
            self._run(cell)
        else:
            print(f"(grading: %%{name} does nothing here; the cell's code did not run)")

    def system(self, command):
        print(f"(grading: shell commands do not run: !{command})")

    def getoutput(self, command):
        self.system(command)
        return []


def _display(*objects, **options):
    """IPython's display(), as text: each object's repr on a line of the cell's output."""
    for obj in objects:
        print(repr(obj))


def _without_options(line):
    """The statement of a %timeit line: '-n 1 -r 3 f(x)' -> 'f(x)'."""
    words = line.split()
    while words and words[0].startswith("-"):
        takes_value = words[0] in ("-n", "-r", "-p")
        words = words[2:] if takes_value else words[1:]
    return " ".join(words)


def _encodable(value):
    try:
        encode(value, [])
        return True
    except Exception:
        return False


if __name__ == "__main__":
    serve(int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), json.loads(sys.argv[4]))
