"""The isolation engine: the bubblewrap command line that confines the process running learners' code.

bubblewrap (``bwrap``, Debian's ``bubblewrap``, the sandbox under Flatpak) builds the process a world of its
own with the kernel's namespaces:

- **PID, network, IPC, UTS and cgroup namespaces**: it sees no other process (the grader, the test kernel,
  other students' sandboxes), has no network at all (not even the loopback on which the test kernel
  listens), and shares no System V IPC. It is PID 1 of its namespace, so when it ends, every process it
  started ends with it; it is killed when its parent (the test kernel) dies.
- **A mount namespace on an empty, read-only root** holding only: the Python that runs it (the virtual
  environment and its base installation, read-only, with the packages learners may use), the system's shared
  libraries and fonts (read-only), a fresh ``/proc`` and a minimal ``/dev``, the two files of the program that
  runs inside (``inside.py``, ``protocol.py``), and its own writable folder ``/home/learner``: a tmpfs of
  bounded size, into which the chapter's data files are copied, which vanishes with the process. No host
  ``/tmp``, no repository, course folder, gradebook, submissions, connection files or other sandboxes exist
  in it. Nothing is bound from a folder a learner can write, so nothing the grader does follows a learner's
  path.
- **An unprivileged user**: when the grader runs as root, bubblewrap sets the namespaces up as root and
  ``setpriv`` then drops to a user id of the sandbox's own (:func:`sandbox_uid`, unknown to the system, distinct
  for sandboxes running at once), with no capabilities and ``no_new_privs``; as any other
  user, bubblewrap makes an unprivileged user namespace (this needs user namespaces enabled) in which the
  process is ``nobody`` and cannot make another.

Resource limits (:class:`Limits`) are set on the process by the grader before any learner's code runs
(``prlimit``, see :func:`apply_limits`), and inherited by all it starts. The process talks to the grader only
over the socket it inherits.
"""

import functools
import itertools
import os
import resource
import shutil
import subprocess
import sys
from dataclasses import dataclass

HOME = "/home/learner"  # the sandbox's own writable folder, and its working directory
PROGRAM = "/opt/sandbox"  # where inside.py and protocol.py are copied
UID_BASE = 2_000_000_000  # sandbox user ids when the grader is root: see sandbox_uid()
NOBODY = 65534
SYSTEM_LIBRARIES = ["/usr/lib", "/usr/lib64", "/usr/lib32", "/usr/share/fonts", "/usr/local/share/fonts"]
SYSTEM_FILES = ["/etc/ld.so.cache"]


@dataclass(frozen=True)
class Limits:
    """What one sandbox may use. Each limit ends only the sandbox that reaches it."""

    memory_mb: int = 2048  # address space of each process
    cpu_seconds: int = 600  # CPU time of each process (the grader's wall-clock budget is usually hit first)
    processes: int = 4  # processes and threads of the sandbox's user (it needs one)
    open_files: int = 128
    file_mb: int = 64  # the largest file it may write
    folder_mb: int = 128  # its writable folder (a tmpfs: memory that no address-space limit counts)


_started = itertools.count()


def sandbox_uid():
    """A user id for the next sandbox this process starts as root: its own, so that no two sandboxes (nor one
    and the remains of the one before it) share a process count, a signal or a file. The parent's PID (below
    2**22) and a counter of its sandboxes (modulo 256) make it unique among those that can be alive at once."""
    return UID_BASE + (os.getpid() << 8) + next(_started) % 256


def apply_limits(pid, limits):
    """Set ``limits`` on the running process ``pid`` (soft and hard: the process cannot raise them)."""
    for which, value in [(resource.RLIMIT_AS, limits.memory_mb << 20), (resource.RLIMIT_CPU, limits.cpu_seconds),
                         (resource.RLIMIT_NPROC, limits.processes), (resource.RLIMIT_NOFILE, limits.open_files),
                         (resource.RLIMIT_FSIZE, limits.file_mb << 20), (resource.RLIMIT_CORE, 0)]:
        resource.prlimit(pid, which, (value, value))


def python_folders():
    """The folders of the Python that runs the sandbox: the virtual environment and its base installation."""
    return _outermost({os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)})


def python_executable():
    """The interpreter to start inside, by a path under the virtual environment's real folder (Python finds
    its ``pyvenv.cfg`` next to the path it was started by)."""
    prefix = os.path.realpath(sys.prefix)
    relative = os.path.relpath(sys.executable, sys.prefix)
    return sys.executable if relative.startswith("..") else os.path.join(prefix, relative)


def _outermost(folders):
    """The folders that are inside none of the others, sorted."""
    folders = sorted(folders)
    return [f for f in folders if not any(f != g and f.startswith(g.rstrip("/") + "/") for g in folders)]


def _ancestors(path):
    """``/a/b/c`` -> ``['/a', '/a/b']``."""
    parts = path.strip("/").split("/")[:-1]
    return ["/" + "/".join(parts[: i + 1]) for i in range(len(parts))]


def command(program, argv, files, env, info_fd, limits=Limits(), as_root=None, uid=None):
    """bubblewrap's command line that runs ``program argv...`` confined.

    ``files``: ``{path inside: open file descriptor}``, copied into the sandbox's tmpfs (read-only files);
    ``env``: its whole environment; ``info_fd``: where bubblewrap writes the child's PID (JSON).
    ``as_root``: build the root variant (default: whether this process is root).
    """
    as_root = os.geteuid() == 0 if as_root is None else as_root
    args = ["bwrap", "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
            "--die-with-parent", "--new-session", "--as-pid-1", "--info-fd", str(info_fd), "--clearenv"]
    for name, value in sorted(env.items()):
        args += ["--setenv", name, value]
    if as_root:  # set up as root, then setpriv drops to a user of the sandbox's own, keeping no capability
        args += ["--cap-drop", "ALL"] + [a for cap in ("CAP_SETUID", "CAP_SETGID", "CAP_SETPCAP")
                                           for a in ("--cap-add", cap)]
    else:  # an unprivileged user namespace, in which the learner is nobody and cannot make another
        args += ["--unshare-user", "--disable-userns", "--uid", str(NOBODY), "--gid", str(NOBODY)]
    binds = _outermost(set(python_folders()) | {p for p in SYSTEM_LIBRARIES if os.path.isdir(p)})
    setpriv = shutil.which("setpriv") if as_root else None
    extra = [setpriv] if setpriv and not any(setpriv.startswith(b + "/") for b in binds) else []
    made = set()

    def folders(path, mode):  # bubblewrap would make the missing ones unreadable to others (0700) as root
        for folder in _ancestors(path):
            if folder not in made and not any(folder == b or folder.startswith(b + "/") for b in binds):
                args.extend(["--perms", mode, "--dir", folder])
                made.add(folder)

    for path in binds + extra + [p for p in SYSTEM_FILES if os.path.exists(p)]:
        folders(path, "0755")
        args += ["--ro-bind", path, path]
    for link in ("/lib", "/lib64", "/lib32", "/bin"):
        if os.path.islink(link) and link not in binds:
            args += ["--symlink", os.readlink(link), link]
    args += ["--proc", "/proc", "--dev", "/dev"]
    folders(HOME, "0755")
    args += ["--size", str(limits.folder_mb << 20), "--perms", "01777", "--tmpfs", HOME]
    made.add(HOME)
    for inside in sorted(files):
        folders(inside, "0777" if inside.startswith(HOME + "/") else "0755")
        args += ["--perms", "0444", "--file", str(files[inside]), inside]
    args += ["--chdir", HOME, "--"]
    if as_root:
        uid = sandbox_uid() if uid is None else uid
        args += [setpriv or "setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--inh-caps=-all",
                 "--bounding-set=-all", "--"]
    return args + [program, *argv]


@functools.lru_cache(maxsize=None)
def unavailable():
    """Why learners' code cannot be isolated on this machine, or None if it can: a sandbox is started for
    real, running this Python with numpy."""
    if not sys.platform.startswith("linux"):
        return f"bubblewrap needs Linux (this is {sys.platform})"
    if shutil.which("bwrap") is None:
        return "bubblewrap is not installed"
    if os.geteuid() == 0 and shutil.which("setpriv") is None:
        return "setpriv (util-linux) is not installed"
    read, write = os.pipe()
    try:
        args = command(python_executable(), ["-I", "-c", "import numpy"], {}, {"LANG": "C.UTF-8"}, write)
        proc = subprocess.run(args, pass_fds=[write], stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"bubblewrap could not start a sandbox ({exc})"
    finally:
        os.close(read)
        os.close(write)
    if proc.returncode != 0:
        detail = (proc.stderr.strip().splitlines() or [f"exit code {proc.returncode}"])[-1]
        return f"bubblewrap could not start a sandbox ({detail}); user namespaces may be disabled"
    return None
