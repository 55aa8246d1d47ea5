"""The messages between the test kernel and the sandbox, and the limits on what the sandbox may send back.

A message is a JSON header followed by raw buffers, one per numpy array: ``encode`` turns arguments and results
into a JSON-able tree plus buffers, ``decode`` turns them back. Nothing is ever unpickled, and only plain data
crosses: numbers, strings, None, tuples, lists, dicts and numeric arrays (functions passed as arguments become
numbered references, served by the side that owns them).

The sandbox is not trusted, so everything it sends is bounded on the kernel's side, after decoding and not only
on the wire: the size of a header and of the buffers (:class:`Channel`), the number of values and the nesting
depth of a tree and the bytes of the arrays it holds (:func:`decode`), and the length of every text
(:func:`bounded_text`). Each limit raises :class:`SandboxError` with a message that says which was exceeded.

This module is also copied into the sandbox, where it is imported as ``protocol``: it imports nothing of the
course.
"""

import json
import struct

MAX_HEADER = 16 << 20  # bytes of JSON in one message
MAX_BUFFERS = 512 << 20  # bytes of array buffers in one message
MAX_COUNT = 10_000  # buffers in one message
MAX_VALUES = 1_000_000  # values in one decoded tree
MAX_DEPTH = 100  # nesting of lists, tuples and dicts
MAX_TEXT = 20_000  # characters of printed output, an error message or a warning the kernel keeps
ALLOWED_DTYPES = "biufc"  # bool, integers, floats, complex: no object arrays
KEEP = object()  # a function among the arguments: it stays what it was


class SandboxError(Exception):
    """The learner's code could not be run: it crashed, hung, broke a rule or sent too much back."""


def bounded_text(text, limit=MAX_TEXT):
    """``text`` as a string of at most ``limit`` characters, saying so when it was cut."""
    text = text if isinstance(text, str) else repr(text)
    if len(text) <= limit:
        return text
    return text[:limit] + f"\n... ({len(text) - limit} more characters not shown)"


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
        finite = not isinstance(obj, float) or (obj == obj and abs(obj) != float("inf"))
        return obj if finite else {"__float__": repr(obj)}
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


class _Budget:
    """What one decoded tree may still hold."""

    def __init__(self):
        self.values = MAX_VALUES
        self.array_bytes = MAX_BUFFERS

    def take(self, depth):
        self.values -= 1
        if self.values < 0:
            raise SandboxError(f"your code sent back more than {MAX_VALUES:,} values")
        if depth > MAX_DEPTH:
            raise SandboxError(f"your code sent back values nested more than {MAX_DEPTH} levels deep")


def decode(tree, blobs, args=None, make_callable=None, budget=None, depth=0):
    """The inverse of :func:`encode`. ``args`` resolves references; ``make_callable`` builds stand-ins."""
    import numpy as np

    budget = budget or _Budget()
    budget.take(depth)
    again = lambda value: decode(value, blobs, args, make_callable, budget, depth + 1)  # noqa: E731
    if isinstance(tree, list):
        return [again(v) for v in tree]
    if not isinstance(tree, dict):
        return tree
    if "__nd__" in tree:
        dtype = np.dtype(tree["dtype"])
        shape = tuple(tree["shape"])
        if dtype.kind not in ALLOWED_DTYPES or len(shape) > 32 or not all(
                isinstance(n, int) and n >= 0 for n in shape):
            raise SandboxError(f"refused an array of dtype {dtype} and shape {shape}")
        data = blobs[tree["__nd__"]]
        if len(data) != int(np.prod(shape, dtype=object)) * dtype.itemsize:
            raise SandboxError("refused an array whose data does not match its shape")
        budget.array_bytes -= len(data)
        if budget.array_bytes < 0:
            raise SandboxError(f"your code sent back more than {MAX_BUFFERS >> 20} MiB of arrays")
        arr = np.frombuffer(data, dtype=dtype).reshape(shape).copy()
        return arr[()] if tree.get("scalar") else arr
    if "__tuple__" in tree:
        return tuple(again(v) for v in tree["__tuple__"])
    if "__dict__" in tree:
        return {_hashable(again(k)): again(v) for k, v in tree["__dict__"]}
    if "__float__" in tree:
        return float(tree["__float__"])
    if "__complex__" in tree:
        return complex(*tree["__complex__"])
    if "__ref__" in tree:
        return _follow(args, tree["__ref__"])
    if "__callable__" in tree:
        return make_callable(tree["__callable__"])
    raise SandboxError("malformed message")


def _hashable(key):
    return tuple(_hashable(k) for k in key) if isinstance(key, list) else key


def _follow(args, path):
    obj = args
    for step in path:
        obj = obj[_hashable(step)]
    return obj


def paths(obj, path=(), table=None):
    """id() -> path of every container and array inside the arguments, for identity of results."""
    import numpy as np

    table = {} if table is None else table
    if isinstance(obj, (list, tuple, dict, np.ndarray)):
        table.setdefault(id(obj), list(path))
    if isinstance(obj, (list, tuple)):
        for i, v in enumerate(obj):
            paths(v, path + (i,), table)
    elif isinstance(obj, dict):
        for k, v in obj.items():
            paths(v, path + (k,), table)
    return table


def apply_changes(original, changed):
    """Make ``original`` (an argument the tests passed) equal to ``changed`` (it after the learner's call),
    in place, as if the learner's function had run in the kernel."""
    import numpy as np

    if isinstance(original, np.ndarray) and isinstance(changed, np.ndarray):
        if original.shape == changed.shape and original.flags.writeable:
            np.copyto(original, changed, casting="unsafe")
    elif isinstance(original, dict) and isinstance(changed, dict):
        for key in list(original):
            if key not in changed:
                del original[key]
        for key, value in changed.items():
            if value is KEEP:
                continue
            if key in original and isinstance(original[key], (np.ndarray, dict, list)):
                apply_changes(original[key], value)
            else:
                original[key] = value
    elif isinstance(original, list) and isinstance(changed, list):
        if len(original) == len(changed):
            for i, value in enumerate(changed):
                if value is KEEP:
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
        if size > MAX_HEADER or count > MAX_COUNT:
            raise SandboxError(f"a message was too large ({size:,} bytes of header, {count:,} arrays)")
        try:
            header = json.loads(self._read(size))
        except RecursionError:
            raise SandboxError("a message was nested too deeply") from None
        except ValueError:
            raise SandboxError("a message was not valid JSON") from None
        if not isinstance(header, dict) or not isinstance(header.get("op"), str):
            raise SandboxError("malformed message")
        blobs, total = [], 0
        for _ in range(count):
            (n,) = struct.unpack("!Q", self._read(8))
            total += n
            if total > MAX_BUFFERS:
                raise SandboxError(f"a message carried more than {MAX_BUFFERS >> 20} MiB of arrays")
            blobs.append(self._read(n))
        return header, blobs
