"""Learners' code runs in a sandbox process; the tests that judge it run in a kernel it cannot reach.

While grading, a notebook's exercise cells are not executed in the Jupyter kernel that runs its tests. A
separate process, the *sandbox*, executes them (with the setup and read-only cells they rely on), and the
kernel calls the learner's functions through stand-ins. Four small pieces, each readable alone:

- ``bubblewrap.py``: the isolation engine's command line. The sandbox runs under bubblewrap in its own PID,
  network, IPC and mount namespaces, on a read-only view holding only Python and a writable tmpfs, as an
  unprivileged user, under resource limits. This, not anything inside the process, is the boundary.
- ``inside.py``: the program that runs inside the sandbox (with an audit hook as a second layer only).
- ``protocol.py``: the messages between them, and the bounds on what the sandbox may send back.
- ``client.py``: the kernel's side: :class:`Sandbox` starts the process, runs cells, calls functions.
"""

from .bubblewrap import Limits, unavailable
from .client import Sandbox
from .protocol import SandboxError

__all__ = ["Limits", "Sandbox", "SandboxError", "unavailable"]
