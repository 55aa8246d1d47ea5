"""The sandbox's pieces, each alone: the protocol's bounds, the engine's command line, and a sandbox started
directly (no nbgrader), looked at from inside."""

import json
import os
import re
import socket
import struct
import tempfile

import numpy as np
import pytest

from autograder.course import REPO
from autograder.sandbox import Sandbox, SandboxError, unavailable
from autograder.sandbox import bubblewrap, protocol


# ----------------------------------------------------------------------------------------- protocol
def test_decode_refuses_trees_too_deep_or_too_large():
    """Does decoding stop at the nesting and value limits with a SandboxError saying which?"""
    deep = 0
    for _ in range(protocol.MAX_DEPTH + 5):
        deep = [deep]
    with pytest.raises(SandboxError, match="nested"):
        protocol.decode(deep, [])
    with pytest.raises(SandboxError, match="values"):
        protocol.decode([0] * (protocol.MAX_VALUES + 1), [])
    assert protocol.decode([[1, 2], {"__tuple__": [3]}], []) == [[1, 2], (3,)]


def test_decode_refuses_arrays_whose_data_does_not_match_their_shape():
    """Can a message claim a huge shape for a small buffer, or an object dtype?"""
    small = np.zeros(2).tobytes()
    with pytest.raises(SandboxError, match="does not match"):
        protocol.decode({"__nd__": 0, "dtype": "<f8", "shape": [10**6, 10**6]}, [small])
    with pytest.raises(SandboxError, match="refused"):
        protocol.decode({"__nd__": 0, "dtype": "|O", "shape": [2]}, [small])
    assert protocol.decode({"__nd__": 0, "dtype": "<f8", "shape": [2]}, [small]).tolist() == [0.0, 0.0]


def test_channel_refuses_oversized_messages_before_reading_them():
    """Does a header announcing more than MAX_HEADER bytes fail at once, without reading it?"""
    ours, theirs = socket.socketpair()
    with ours, theirs:
        theirs.sendall(struct.pack("!QI", protocol.MAX_HEADER + 1, 0))
        with pytest.raises(SandboxError, match="too large"):
            protocol.Channel(ours).recv()
        theirs.sendall(struct.pack("!QI", 2, 0) + b"[]")
        with pytest.raises(SandboxError, match="malformed"):
            protocol.Channel(ours).recv()


def test_bounded_text_says_how_much_was_cut():
    assert protocol.bounded_text("abc") == "abc"
    cut = protocol.bounded_text("x" * 50, limit=10)
    assert cut.startswith("x" * 10) and "40 more characters" in cut


# ----------------------------------------------------------------------------------------- the engine
@pytest.mark.parametrize("as_root", [True, False])
def test_the_command_line_unshares_everything_and_binds_no_course_folder(as_root):
    """Does bubblewrap's command give the sandbox its own namespaces, no network, an empty root with only
    read-only Python and libraries, and no path of the repository but the virtual environment's?"""
    args = bubblewrap.command("/x/python", ["-I"], {"/opt/sandbox/inside.py": 7}, {"A": "1"}, 9, as_root=as_root)
    for flag in ("--unshare-pid", "--unshare-net", "--unshare-ipc", "--die-with-parent", "--as-pid-1",
                 "--clearenv", "--new-session"):
        assert flag in args, flag
    binds = [args[i + 2] for i, a in enumerate(args) if a in ("--bind", "--ro-bind")]
    assert "--bind" not in args and binds, args  # read-only binds only; the writable folder is a tmpfs
    python = bubblewrap.python_folders()
    for path in binds:
        inside_repo = path == str(REPO) or path.startswith(str(REPO) + "/")
        assert not inside_repo or path in python, f"{path} of the repository is visible in the sandbox"
    if as_root:
        assert "setpriv" in " ".join(args) and "--bounding-set=-all" in args and "--cap-drop" in args
    else:
        assert "--unshare-user" in args and "--disable-userns" in args


# ----------------------------------------------------------------------------------------- a sandbox, from inside
LOOK = """
import os, socket, json
report = {"uid": os.geteuid(), "pid": os.getpid(), "root": sorted(os.listdir("/")),
          "processes": sorted(p for p in os.listdir("/proc") if p.isdigit()), "cwd": os.getcwd(),
          "files": sorted(os.listdir(".")), "tmp": os.path.exists(HOST_TMP_FILE),
          "repo": sorted(os.listdir(REPO)) if os.path.isdir(REPO) else [],
          "limits": [l for l in open("/proc/self/limits") if l.startswith(("Max address", "Max processes",
                     "Max open files", "Max file size", "Max cpu"))]}
try:
    socket.create_connection(("127.0.0.1", 22), timeout=2)
    report["network"] = "connected"
except OSError as error:
    report["network"] = type(error).__name__
try:
    open("/usr/lib/written", "w")
    report["wrote"] = True
except OSError:
    report["wrote"] = False
def look():
    return json.dumps(report)
"""


@pytest.fixture(scope="module")
def inside(tmp_path_factory):
    assert unavailable() is None, unavailable()
    data = tmp_path_factory.mktemp("data") / "alice.txt"
    data.write_text("Alice was beginning to get very tired\n")
    host_tmp_file = tempfile.NamedTemporaryFile(dir="/tmp", prefix="rnn-host-")  # the host's /tmp, not seen
    sandbox = Sandbox([("look", f"REPO = {str(REPO)!r}\nHOST_TMP_FILE = {host_tmp_file.name!r}\n" + LOOK)],
                      files={"alice.txt": str(data)},
                      call_timeout=30, limits=bubblewrap.Limits(memory_mb=1024, processes=3, open_files=64))
    try:
        namespace = {}
        sandbox.bind(namespace, "look")
        yield json.loads(namespace["look"]())
    finally:
        sandbox.stop()
        host_tmp_file.close()


def test_inside_the_sandbox_nothing_of_the_machine_is_visible(inside):
    """From inside: is it PID 1 alone, with no repository, not the host's /tmp, no network, a read-only system, and
    only its data file in its folder?"""
    assert inside["pid"] == 1 and inside["processes"] == ["1"], inside
    python = [os.path.basename(p) for p in bubblewrap.python_folders() if os.path.dirname(p) == str(REPO)]
    assert inside["uid"] != 0 and inside["repo"] == python and not inside["tmp"], inside  # at most its .venv
    assert inside["network"] != "connected" and inside["wrote"] is False, inside
    assert inside["cwd"] == bubblewrap.HOME and inside["files"] == ["alice.txt"], inside


def test_inside_the_sandbox_the_limits_hold(inside):
    """Are the memory, process, open-file, file-size and CPU limits set on the learner's process?"""
    limits = {name: [soft, hard] for name, soft, hard, *_ in (re.split(r"\s{2,}", line.strip())
                                                              for line in inside["limits"])}
    assert limits["Max address space"] == [str(1024 << 20)] * 2, limits
    assert limits["Max processes"] == ["3", "3"] and limits["Max open files"] == ["64", "64"], limits
    assert limits["Max file size"] == [str(64 << 20)] * 2 and limits["Max cpu time"][0] != "unlimited", limits


def test_sandboxes_started_one_after_another_all_start():
    """A kernel starts a sandbox per notebook and again after a crash: does each start, with a user of its own
    (the remains of the one before must not count against its process limit)?"""
    uids = set()
    for _ in range(12):
        sandbox = Sandbox([("look", "import os\ndef uid():\n    return os.geteuid()\n")],
                          limits=bubblewrap.Limits(processes=2))
        namespace = {}
        sandbox.bind(namespace, "look")
        uids.add(namespace["uid"]())
        sandbox.stop()
    assert len(uids) == (12 if os.geteuid() == 0 else 1), uids
