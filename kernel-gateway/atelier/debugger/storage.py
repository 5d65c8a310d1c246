"""The tensor storage format: one event file per step and worker, an index entry beside it.

Layout under the tensors root (a local folder, or the same tree under an S3 prefix)::

    events/<step:012d>/<step:012d>_<worker>.atd    the step's tensors (binary, below)
    index/<step:012d>/<step:012d>_<worker>.json    what the event file holds, and where
    training_job_end.ts                            written once training is over

Each file is written under a temporary name beginning with ``.`` and ending with ``.tmp`` in the
same folder, then renamed: a reader never sees half a file. The event file is renamed before its
index entry, so an index entry always names a complete event file.

An event file is ``ATD1`` followed by records; each record is a little-endian ``u32`` header
length, the header (UTF-8 JSON: ``name``, ``mode``, ``mode_step``, ``dtype``, ``shape``), a ``u64``
data length and the array's bytes (C order, the dtype's byte order). It can be read without its
index. The index entry (JSON) lists every tensor of the step with its collections, the offset and
length of its data in the event file (none when only reductions were saved) and its reductions.
See README.md in this folder for the full description.
"""

from __future__ import annotations

import errno
import json
import os
import struct
import sys
import time
from dataclasses import dataclass, field
from typing import Any

MAGIC = b"ATD1"
FORMAT_VERSION = 1
END_MARKER = "training_job_end.ts"
INDEX_DIR = "index"
EVENTS_DIR = "events"
TMP_PREFIX = "."
TMP_SUFFIX = ".tmp"


class TensorSaveError(OSError):
    """Tensors could not be written (a full disk, a read-only folder): training must not go on silently."""

    def __str__(self) -> str:
        return self.strerror or super().__str__()


def step_dir(step: int) -> str:
    return f"{step:012d}"


def event_path(step: int, worker: str) -> str:
    """The event file's path relative to the tensors root, '/'-separated."""
    return f"{EVENTS_DIR}/{step_dir(step)}/{step_dir(step)}_{worker}.atd"


def index_path(step: int, worker: str) -> str:
    return f"{INDEX_DIR}/{step_dir(step)}/{step_dir(step)}_{worker}.json"


def parse_index_name(name: str) -> tuple[int, str] | None:
    """``000000000010_worker_0.json`` -> ``(10, "worker_0")``; None for anything else."""
    if not name.endswith(".json") or name.startswith(TMP_PREFIX):
        return None
    stem = name[: -len(".json")]
    head, sep, worker = stem.partition("_")
    if not sep or not head.isdigit() or not worker:
        return None
    return int(head), worker


@dataclass
class PendingTensor:
    name: str
    mode: str
    mode_step: int
    collections: list[str]
    array: Any = None  # a numpy array, or None when only reductions are kept
    reductions: dict[str, Any] = field(default_factory=dict)


def _encode_record(t: PendingTensor) -> tuple[bytes, int, int]:
    """The record's bytes, and the offset (within the record) and length of its data."""
    if t.array is None:
        data = b""
        header = {"name": t.name, "mode": t.mode, "mode_step": t.mode_step, "reductions": t.reductions}
    else:
        import numpy as np

        array = np.ascontiguousarray(t.array)
        if array.dtype.byteorder == ">":
            array = array.astype(array.dtype.newbyteorder("<"))
        data = array.tobytes()
        header = {"name": t.name, "mode": t.mode, "mode_step": t.mode_step, "dtype": array.dtype.str,
                  "shape": list(array.shape), "reductions": t.reductions}
    raw = json.dumps(header, separators=(",", ":"), allow_nan=True).encode()
    prefix = struct.pack("<I", len(raw)) + raw + struct.pack("<Q", len(data))
    return prefix + data, len(prefix), len(data)


def _write_atomically(root: str, relative: str, payload: bytes) -> int:
    final = os.path.join(root, *relative.split("/"))
    folder = os.path.dirname(final)
    os.makedirs(folder, exist_ok=True)
    tmp = os.path.join(folder, TMP_PREFIX + os.path.basename(final) + TMP_SUFFIX)
    # No fsync: the rename alone makes readers see whole files, and a step's cost stays small
    # (surviving a power cut is not needed); a full disk still fails in write() or close().
    with open(tmp, "wb") as f:
        f.write(payload)
    os.replace(tmp, final)
    return len(payload)


def write_step(root: str, step: int, worker: str, tensors: list[PendingTensor], wall_time: float | None = None) -> int:
    """Writes the event file and index entry of ``step`` for ``worker``; returns the bytes written.

    Raises ``TensorSaveError`` naming the step, the folder and the reason (``No space left on
    device``) when anything cannot be written; the partial temporary file is removed.
    """
    chunks = [MAGIC]
    offset = len(MAGIC)
    entries = []
    for t in tensors:
        record, data_at, length = _encode_record(t)
        entry: dict[str, Any] = {"name": t.name, "mode": t.mode, "mode_step": t.mode_step, "collections": t.collections}
        if t.array is not None:
            entry.update(dtype=_dtype_str(t.array), shape=list(t.array.shape), offset=offset + data_at, length=length)
        if t.reductions:
            entry["reductions"] = t.reductions
        entries.append(entry)
        chunks.append(record)
        offset += len(record)
    payload = b"".join(chunks)
    events = event_path(step, worker)
    index = {"version": FORMAT_VERSION, "step": step, "worker": worker, "wall_time": wall_time or time.time(),
             "event_file": events, "size": len(payload), "tensors": entries}
    try:
        written = _write_atomically(root, events, payload)
        written += _write_atomically(root, index_path(step, worker),
                                     json.dumps(index, separators=(",", ":"), allow_nan=True).encode())
    except OSError as e:
        _remove_tmp(root, events)
        _remove_tmp(root, index_path(step, worker))
        reason = os.strerror(e.errno) if e.errno else str(e)
        hint = " (the disk is full: free space or save less, e.g. a larger save_interval or reductions)" \
            if e.errno in (errno.ENOSPC, errno.EDQUOT) else ""
        raise TensorSaveError(e.errno or 0, f"could not save the tensors of step {step} "
                                            f"under {root}: {reason}{hint}") from e
    return written


def _dtype_str(array: Any) -> str:
    dtype = array.dtype
    return dtype.newbyteorder("<").str if dtype.byteorder == ">" else dtype.str


def _remove_tmp(root: str, relative: str) -> None:
    final = os.path.join(root, *relative.split("/"))
    tmp = os.path.join(os.path.dirname(final), TMP_PREFIX + os.path.basename(final) + TMP_SUFFIX)
    try:
        os.unlink(tmp)
    except OSError:
        pass


def write_end_marker(root: str) -> None:
    """``training_job_end.ts`` at the root: the time training ended, in seconds since the epoch."""
    try:
        os.makedirs(root, exist_ok=True)
        _write_atomically(root, END_MARKER, f"{time.time():.3f}\n".encode())
    except OSError as e:
        print(f"atelier.debugger: could not write {END_MARKER} under {root}: {e}", file=sys.stderr, flush=True)


def decode_array(data: bytes, dtype: str, shape: list[int]):
    import numpy as np

    return np.frombuffer(data, dtype=np.dtype(dtype)).reshape(shape)


def read_event_file(payload: bytes) -> list[dict[str, Any]]:
    """Every record of an event file: its header fields plus ``value`` (a numpy array or None)."""
    if payload[:4] != MAGIC:
        raise ValueError("not an atelier tensor event file (no ATD1 magic)")
    records, at = [], 4
    while at < len(payload):
        (hlen,) = struct.unpack_from("<I", payload, at)
        header = json.loads(payload[at + 4: at + 4 + hlen])
        at += 4 + hlen
        (dlen,) = struct.unpack_from("<Q", payload, at)
        at += 8
        data = payload[at: at + dlen]
        at += dlen
        header["value"] = decode_array(data, header["dtype"], header["shape"]) if "dtype" in header else None
        records.append(header)
    return records
