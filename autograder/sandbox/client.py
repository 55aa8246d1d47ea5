"""The test kernel's side: start the sandbox, run the learner's cells in it, call their functions.

Three layers: :class:`Process` is the sandbox process itself (started confined, signalled, killed);
:class:`Session` the conversation with it (requests and replies within the time allowed, restarts);
:class:`Sandbox`, which lives in the kernel that runs the test cells, sends it the learner's cells and gives
the kernel a stand-in for every function they
defined: calling one sends the arguments to the sandbox, runs the learner's function there and brings back its
result and the changes it made to its arguments, so that a test sees what it would see natively. Everything
the sandbox sends back is bounded (:mod:`.protocol`), and names the tests rely on (the instructor's helpers,
Python's builtins) are never rebound in the kernel, whatever the learner's cells define.

Time is bounded twice: each request by ``call_timeout`` (a hang is interrupted, as Jupyter would, and the
sandbox is started again without the cell that hung if the interrupt does not work), and the whole notebook
by ``budget`` seconds of the learner's code, after which nothing more of it runs.
"""

import builtins
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from . import bubblewrap
from .protocol import KEEP, MAX_TEXT, Channel, SandboxError, apply_changes, bounded_text, decode, encode

HERE = Path(__file__).resolve().parent
PROGRAM_FILES = ("inside.py", "protocol.py")
MAX_EVENTS = 50  # rule breaks, timeouts and crashes kept per notebook
MAX_NAMES = 1000  # names one cell may define
START_ATTEMPTS = 3  # tries to start a sandbox process before the notebook fails to start it
MAX_RESTARTS = 10  # times the sandbox is started again after a call crashed it, per notebook


class Process:
    """One running sandbox process, confined by bubblewrap or, for trusted submissions only, a plain child.

    ``files``: ``{path relative to its folder: host path}`` copied into its folder before it starts.
    """

    def __init__(self, channel_fd, files, limits, isolated=True, protected=()):
        self.folder = None
        env = {"NBGRADER_EXECUTION": "autograde", "MPLBACKEND": "Agg", "OPENBLAS_NUM_THREADS": "1",
               "OMP_NUM_THREADS": "1", "PYTHONDONTWRITEBYTECODE": "1", "LANG": "C.UTF-8"}
        if isolated:
            home, program = bubblewrap.HOME, bubblewrap.PROGRAM
        else:  # a folder of its own on the host, owned by the grader's user
            self.folder = tempfile.mkdtemp(prefix="rnn-sandbox-")
            home, program = self.folder, str(HERE)
        env.update(HOME=home, TMPDIR=home, MPLCONFIGDIR=f"{home}/.config/matplotlib")
        argv = ["-I", f"{program}/inside.py", str(channel_fd), home, json.dumps([str(p) for p in protected])]
        python = bubblewrap.python_executable()
        if isolated:
            sources = {f"{program}/{name}": HERE / name for name in PROGRAM_FILES}
            sources.update({f"{home}/{name}": path for name, path in files.items()})
            fds = {inside: os.open(path, os.O_RDONLY | os.O_CLOEXEC) for inside, path in sources.items()}
            info_read, info_write = os.pipe()
            try:
                command = bubblewrap.command(python, argv, fds, env, info_write, limits)
                self.popen = subprocess.Popen(command, pass_fds=[channel_fd, info_write, *fds.values()],
                                              stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                              stderr=subprocess.PIPE, start_new_session=True)
            finally:
                for fd in [info_write, *fds.values()]:
                    os.close(fd)
            try:
                self.pid = self._child_pid(info_read)
            finally:
                os.close(info_read)
        else:
            for name, path in files.items():
                target = Path(self.folder) / name
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target)
            try:
                self.popen = subprocess.Popen([python, *argv], cwd=self.folder, env={**env, "PATH": "/usr/bin:/bin"},
                                              pass_fds=[channel_fd], stdin=subprocess.DEVNULL,
                                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                              start_new_session=True)
            except OSError:
                shutil.rmtree(self.folder, ignore_errors=True)
                raise
            self.pid = self.popen.pid
        try:
            self.pidfd = os.pidfd_open(self.pid)  # signals reach this process, even if its PID were reused
            bubblewrap.apply_limits(self.pid, limits)  # before the first request: before any learner's code
        except BaseException:
            self.kill()
            raise

    def _child_pid(self, info_read, timeout=30):
        """The PID of the sandboxed process, which bubblewrap writes as JSON once the sandbox is set up."""
        text, deadline = b"", time.monotonic() + timeout
        while time.monotonic() < deadline:
            ready, _, _ = select.select([info_read], [], [], max(0.0, deadline - time.monotonic()))
            chunk = os.read(info_read, 4096) if ready else b""
            if not chunk:
                break
            text += chunk
            try:
                return int(json.loads(text)["child-pid"])
            except ValueError:
                continue
        self.kill()
        raise SandboxError(f"the sandbox did not start: {self.error_output() or 'no message'}")

    def signal(self, number):
        try:
            signal.pidfd_send_signal(self.pidfd, number)
        except ProcessLookupError:
            pass

    def exit_code(self):
        """None while it runs; else its exit code (negative: the signal that ended it)."""
        code = self.popen.poll()
        if code is not None and code > 128 and self.folder is None:  # bubblewrap reports a signal as 128 + N
            return -(code - 128)
        return code

    def error_output(self, limit=4000):
        """The last of what it wrote on its error output (it is read only now, when something failed)."""
        stream = self.popen.stderr
        if stream is None:
            return ""
        os.set_blocking(stream.fileno(), False)
        try:
            data = stream.read(1 << 16) or b""
        except (OSError, ValueError):
            data = b""
        return data.decode(errors="replace").strip()[-limit:]

    def kill(self):
        """End the sandbox and everything it started (they die with it, its PID namespace's first process)."""
        if getattr(self, "pidfd", None) is not None:
            self.signal(signal.SIGKILL)
        self.popen.kill()
        self.popen.wait()
        if getattr(self, "pidfd", None) is not None:
            os.close(self.pidfd)
            self.pidfd = None
        if self.popen.stderr is not None:
            self.popen.stderr.close()
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)


class Session:
    """A conversation with one sandbox process: requests and their replies, within the time allowed.

    Each request may take ``call_timeout`` seconds (a hang is interrupted, as Jupyter would); all of them
    together ``budget`` seconds. A sandbox that crashed or hung past the interrupt is stopped, and started
    again at the next request (:meth:`start`, which :class:`Sandbox` extends to run the cells again), at most
    ``MAX_RESTARTS`` times. What went wrong is kept in ``events`` and written to ``report``.
    """

    def __init__(self, files=None, call_timeout=30, budget=600, isolated=True, protected=(), limits=None,
                 report=None):
        self.files = dict(files or {})
        self.call_timeout = call_timeout
        self.budget = budget
        self.spent = 0.0  # seconds of the budget used
        self.isolated = isolated
        self.protected = list(protected)
        self.limits = limits or bubblewrap.Limits(cpu_seconds=max(60, int(budget)))
        self.report_path = report
        self.events = []  # what went wrong, in order: {"kind", "where", "detail"}
        self.process = None
        self.restarts = 0

    def start(self):
        """Start the sandbox process and wait until it is ready."""
        if self.process is not None:
            self.stop()
        for attempt in range(START_ATTEMPTS):
            ours, theirs = socket.socketpair()
            self.channel = Channel(ours)
            try:
                self.process = Process(theirs.fileno(), self.files, self.limits, self.isolated, self.protected)
                break
            except OSError:  # seen once in 2,000 starts: EPERM, as when a new child's PID is still a process
                ours.close()  # group's ID (its setsid fails); a later start gets another PID
                if attempt == START_ATTEMPTS - 1:
                    raise
            finally:
                theirs.close()
        if self.request(None, where="start", expect="ready") is None:  # it speaks first, once ready
            raise SandboxError(f"the sandbox did not start: {self.events[-1]['detail']}")

    def stop(self):
        if self.process is None:
            return
        self.process.kill()
        self.channel.sock.close()
        self.process = None

    def over_budget(self):
        return self.spent >= self.budget

    def record(self, reply):
        """Keep the events a reply reports (bounded in number and length)."""
        events = reply.get("events") if isinstance(reply.get("events"), list) else []
        for event in events[: max(0, MAX_EVENTS - len(self.events))]:
            if isinstance(event, dict):
                self.events.append({key: bounded_text(event.get(key, ""), 500) for key in ("kind", "where", "detail")})
        self.save_report()

    def report(self):
        return {"events": self.events}

    def save_report(self):
        if self.report_path:
            with open(self.report_path, "w") as f:
                json.dump(self.report(), f)

    def request(self, message, blobs=(), timeout=None, where="", callables=(), expect=None):
        """Send a request (or, with ``expect``, only wait for that message) and serve callbacks until its reply.
        None if the sandbox hung, died or used up the notebook's time budget (the reason is the last event)."""
        if self.process is None and expect is None:  # a call crashed it: start again, so that only that
            if self.restarts >= MAX_RESTARTS or self.over_budget():  # exercise loses its points
                raise SandboxError("your code is no longer running: it was stopped after earlier failures")
            self.restarts += 1
            self.start()
            if self.process is None:
                raise SandboxError("your code is no longer running: it was stopped after earlier failures")
        if self.over_budget():
            return self._fail("budget", where, f"was not run: the {self.budget} s your code may take in one "
                                               "notebook were used up")
        seconds = min(timeout or self.call_timeout, self.budget - self.spent)
        started = time.monotonic()
        deadline = started + seconds
        try:
            if expect is None:
                self.channel.send(message, blobs)
            while True:
                self.channel.sock.settimeout(max(0.01, deadline - time.monotonic()))
                header, data = self.channel.recv()
                if header["op"] == "callback":
                    self._serve_callback(header, data, callables)
                    continue
                if expect is not None and header["op"] != expect:
                    raise SandboxError(f"the sandbox said {header['op']!r} instead of {expect!r}")
                return dict(header, blobs=data)
        except (socket.timeout, TimeoutError):
            if self.spent + (time.monotonic() - started) >= self.budget:
                return self._fail("budget", where, f"did not finish: the {self.budget} s your code may take in "
                                                   "one notebook were used up")
            reply = self._interrupt()
            if reply is not None:  # like Jupyter's interrupt: the learner's earlier definitions survive
                self.events.append({"kind": "timeout", "where": where, "detail": f"did not finish within {seconds:g} s"})
                self.save_report()
                if reply["op"] == "raise":
                    reply.update(type="TimeoutError", message=f"{where} did not finish within {seconds:g} s")
                elif reply.get("error"):
                    reply["error"] = f"TimeoutError: this cell did not finish within {seconds:g} s"
                return reply
            return self._fail("timeout", where, f"did not finish within {seconds:g} s")
        except SandboxError as exc:
            return self._fail("crash", where, f"sent back something the grader refused: {exc}")
        except (EOFError, OSError, ValueError, KeyError, TypeError) as exc:
            code = self.process.exit_code() if self.process else None
            if code is not None and code == -signal.SIGKILL:
                detail = "was stopped: it used more memory or time than allowed, or was killed"
            elif code is not None and code == -signal.SIGXCPU:
                detail = "was stopped: it used more CPU time than allowed"
            elif code is not None:
                detail = f"ended the Python process running it (exit code {code})"
            else:
                detail = f"broke the connection ({type(exc).__name__})"
            return self._fail("crash", where, detail)
        except BaseException:  # interrupted here (the kernel's cell timeout): the channel is out of step with the
            self.stop()  # sandbox, so it is started afresh at the next request
            raise
        finally:
            self.spent += time.monotonic() - started

    def _interrupt(self, grace=3):
        """Send the sandbox SIGINT; its reply if the learner's code stopped within ``grace`` seconds."""
        try:
            self.process.signal(signal.SIGINT)
            self.channel.sock.settimeout(grace)
            header, data = self.channel.recv()
            while header["op"] == "callback":  # a callback was on its way: refuse it
                self.channel.send({"op": "raise", "type": "TimeoutError", "message": "interrupted"})
                header, data = self.channel.recv()
            return dict(header, blobs=data)
        except (OSError, EOFError, ValueError, KeyError, SandboxError):
            return None

    def _fail(self, kind, where, detail):
        self.events.append({"kind": kind, "where": where, "detail": detail})
        self.save_report()
        self.stop()
        return None

    def _serve_callback(self, header, data, callables):
        index = header.get("id")
        if not isinstance(index, int) or not 0 <= index < len(callables):
            raise SandboxError("a callback to a function that was not passed")
        try:
            args = decode(header["args"], data, make_callable=self._remote_callable)
            value = callables[index](*args)
            blobs = []
            tree = encode(value, blobs)
            self.channel.send({"op": "return", "value": tree}, blobs)
        except Exception as exc:
            self.channel.send({"op": "raise", "type": type(exc).__name__, "message": bounded_text(str(exc))})

    def _remote_callable(self, index):
        raise SandboxError("your function returned a function; return arrays and numbers")


class Sandbox(Session):
    """The kernel's handle on the sandbox: run the learner's cells in it, and stand in for their functions.

    ``cells``: ``[(cell_id, source)]`` in notebook order; ``files``: ``{name: host path}`` of the data files
    the cells may read; ``reserved``: names the kernel's tests rely on, never rebound by the learner's cells;
    ``isolated``: False only for trusted submissions (no isolation engine); ``protected``: paths the second
    layer (the audit hook) refuses, for when there is no engine. The other arguments are :class:`Session`'s.
    """

    def __init__(self, cells, reserved=(), **session):
        super().__init__(**session)
        self.cells = list(cells)
        self.reserved = set(reserved) | set(dir(builtins))
        self.defined = {}  # cell_id -> {name: kind}
        self.outputs = {}  # cell_id -> (stdout, error or None)
        self.skip = set()  # cells that hung: not run again after a restart
        self.namespace = None  # the kernel's globals
        self.stand_ins = {}  # name -> the kernel's stand-in for the learner's function
        self.references = {}  # name -> the reference function standing in for an exercise (judge_alone)
        self.start()

    def start(self):
        """Start the sandbox and run the cells in it; a cell that hangs or crashes it is skipped from then on."""
        super().start()
        for cell_id, source in self.cells:
            if cell_id in self.skip:
                continue
            reply = self.request({"op": "exec", "cell": cell_id, "source": source}, where=f"cell {cell_id}")
            if reply is None:  # it hung or died: skip that cell and start again without it
                self.skip.add(cell_id)
                self.outputs[cell_id] = ("", self.events[-1]["detail"])
                if self.over_budget():
                    return None
                return self.start()
            self.defined[cell_id] = self._names(reply.get("defined"))
            self.outputs[cell_id] = (bounded_text(reply.get("stdout", "")), _text_or_none(reply.get("error")))
            self.record(reply)

    def report(self):
        return dict(super().report(), skipped=sorted(self.skip),
                    defined={cell: sorted(names) for cell, names in self.defined.items()})

    def _names(self, defined):
        """What a cell defined, as the kernel may bind it: identifiers, none of them reserved."""
        if not isinstance(defined, dict):
            return {}
        names = {name: kind for name, kind in list(defined.items())[:MAX_NAMES]
                 if isinstance(name, str) and name.isidentifier() and kind in ("function", "value")}
        return {name: kind for name, kind in names.items() if name not in self.reserved}

    def bind(self, namespace, cell_id):
        """Define, in the kernel's ``namespace``, the stand-ins for what ``cell_id`` defined in the sandbox."""
        if cell_id in self.skip:
            raise SandboxError(f"this cell did not finish running ({self.outputs[cell_id][1]})")
        self.namespace = namespace
        stdout, error = self.outputs.get(cell_id, ("", None))
        if stdout:
            print(stdout, end="" if stdout.endswith("\n") else "\n")
        for name, kind in self.defined.get(cell_id, {}).items():
            namespace[name] = self.function(name) if kind == "function" else self.value(name)
        if error:
            raise SandboxError(error)

    def value(self, name):
        reply = self.request({"op": "get", "name": name}, where=name)
        if reply is None:
            raise SandboxError(f"{name}: your code {self.events[-1]['detail']}")
        try:
            return decode(reply.get("value"), reply["blobs"])
        except (SandboxError, ValueError, TypeError, KeyError, IndexError) as exc:
            raise SandboxError(f"{name}: your code sent back something the grader refused: {exc}") from None

    def function(self, name):
        sandbox = self

        def stand_in(*args, **kwargs):
            return sandbox.call(name, args, kwargs)

        stand_in.__name__ = stand_in.__qualname__ = name
        stand_in.__doc__ = f"Your {name}, running in the grading sandbox."
        self.stand_ins[name] = stand_in
        return stand_in

    def judge_alone(self, namespace, exercises, exercise):
        """Before a test cell of ``exercise``: judge that exercise alone.

        Every exercise above it in ``exercises`` (the notebook's, in order) that the reference implementation
        has becomes the reference's function, in this kernel (for the test cell, which may call it to make its
        inputs: a cache, a forward pass for a gradient check) and for the learner's code (their ``rnn_forward``
        calling ``rnn_cell_forward`` calls the reference's, through :meth:`overrides`); ``exercise`` and those
        below it are the learner's again. So a wrong or missing earlier function costs its own tests only. The
        reference stays in this kernel: the sandbox gets callbacks that run it here, and only while a function
        of the exercise under test runs; none can run the reference of the exercise under test or of one below.
        """
        import rnn_ref

        self.namespace = namespace
        above = exercises[:exercises.index(exercise)] if exercise in exercises else []
        for name in exercises:
            reference = getattr(rnn_ref, name, None) if name in above else None
            if reference is not None:
                self.references[name] = namespace[name] = reference
            elif name in self.references or namespace.get(name) is not self.stand_ins.get(name):
                self.references.pop(name, None)
                if name in self.stand_ins:
                    namespace[name] = self.stand_ins[name]
                else:
                    namespace.pop(name, None)

    def overrides(self):
        """The learner's functions that the kernel has rebound (a test that wraps one to watch its calls, the
        reference put in place of one by :meth:`judge_alone`): the learner's other functions must call the
        kernel's version, as they would in one process."""
        if self.namespace is None:
            return {}
        names = list(self.stand_ins) + [name for name in self.references if name not in self.stand_ins]
        return {name: self.namespace[name] for name in names if name in self.namespace
                and self.namespace[name] is not self.stand_ins.get(name) and callable(self.namespace[name])}

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
        self.record(reply)
        try:
            stdout = bounded_text(reply.get("stdout", ""))
            if stdout:
                print(stdout, end="" if stdout.endswith("\n") else "\n")
            _warn_again(reply.get("warnings"))
            arguments = [list(args), kwargs]
            changed = decode(reply["arguments"], reply["blobs"], make_callable=lambda index: KEEP)
            apply_changes(arguments[0], changed[0])
            apply_changes(arguments[1], changed[1])
            for original, new in zip(args, changed[0]):  # tuples and lists passed positionally
                apply_changes(original, new)
            if reply["op"] == "raise":
                error = _rebuild(reply.get("type"), reply.get("message"))
            else:
                return decode(reply["value"], reply["blobs"], args=arguments)
        except (SandboxError, ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
            raise SandboxError(f"{name}: your code sent back something the grader refused: {exc}") from None
        raise error


def _text_or_none(value):
    return None if value is None else bounded_text(value)


def _numpy_errstate():
    """How numpy treats floating-point errors here (a test may ask overflow to raise)."""
    import numpy as np

    return np.geterr()


def _warn_again(recorded):
    """Issue here the warnings the learner's code issued in the sandbox, so a test that records or
    refuses warnings sees them as it would in one process."""
    import warnings

    for category, message in (recorded if isinstance(recorded, list) else [])[:20]:
        kind = getattr(builtins, str(category), None)
        if not (isinstance(kind, type) and issubclass(kind, Warning)):
            kind = UserWarning
        warnings.warn_explicit(bounded_text(message, 2000), kind, "<your code>", 0)


def _rebuild(type_name, message):
    """The learner's exception, as one of the same name where that is a builtin one."""
    type_name, message = bounded_text(type_name, 100), bounded_text(message, MAX_TEXT)
    kind = getattr(builtins, type_name, None)
    if isinstance(kind, type) and issubclass(kind, Exception) and kind not in (SystemExit, KeyboardInterrupt):
        try:
            return kind(message)
        except Exception:
            pass
    return SandboxError(f"{type_name}: {message}")


def font_list(cache):
    """matplotlib's list of fonts for the sandboxes, ``{path in a sandbox's folder: host path}``.

    matplotlib builds the list the first time it is imported, which takes seconds and runs ``fc-list``; a
    sandbox must do neither. So it is built once here, as a sandbox would see the fonts (matplotlib's own and
    the system's font folders, which the sandbox has read-only, and no ``fc-list``), and copied into each
    sandbox's ``MPLCONFIGDIR``. ``cache``: a folder of the grader's own.
    """
    cache = Path(cache)
    found = sorted(cache.glob("fontlist-*.json"))
    if not found:
        cache.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(dir=cache))
        try:
            subprocess.run([bubblewrap.python_executable(), "-I", "-c", "import matplotlib.font_manager"],
                           env={"MPLCONFIGDIR": str(work), "HOME": str(work), "PATH": "", "MPLBACKEND": "Agg"},
                           stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           timeout=300, check=False)
            for built in work.glob("fontlist-*.json"):
                os.replace(built, cache / built.name)  # atomic: workers may build it at the same time
        finally:
            shutil.rmtree(work, ignore_errors=True)
        found = sorted(cache.glob("fontlist-*.json"))
    return {f".config/matplotlib/{path.name}": str(path) for path in found}
