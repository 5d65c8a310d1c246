"""Reading saved tensors back: ``trial(path_or_s3_uri)`` -> ``Trial``.

A local folder is read directly; an ``s3://bucket/prefix`` through the Atelier server's objects
API with the kernel's session (``atelier.api.Session``: ``ATELIER_API_URL`` and ``ATELIER_TOKEN``,
set in every kernel), the way the rest of the package reaches S3. The index is re-read as new
steps arrive (every query looks for new entries; ``refresh()`` forces it), and
``loaded_all_steps`` turns true once the end marker is there and everything before it was read.

Steps: without a mode, steps are global steps; with ``mode=TRAIN`` (or EVAL...) they are that
mode's own step numbers, as in SageMaker's smdebug.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections import OrderedDict
from typing import Any, Iterable

from . import reductions as _reductions
from .storage import END_MARKER, INDEX_DIR, decode_array, parse_index_name

__all__ = ["trial", "Trial", "Tensor", "TensorUnavailable"]


class TensorUnavailable(KeyError):
    """No such tensor, or not at that step (or not as a whole value: only reductions were saved)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "tensor unavailable"


class _LocalSource:
    def __init__(self, root: str):
        self.root = os.path.abspath(root)
        self._dir_mtimes: dict[str, float] = {}

    def new_index_files(self, known: set[str]) -> list[str]:
        base = os.path.join(self.root, INDEX_DIR)
        found = []
        try:
            step_dirs = sorted(os.scandir(base), key=lambda e: e.name)
        except FileNotFoundError:
            return []
        for d in step_dirs:
            if not d.is_dir():
                continue
            mtime = d.stat().st_mtime
            if self._dir_mtimes.get(d.name) == mtime:
                continue
            self._dir_mtimes[d.name] = mtime
            for f in sorted(os.listdir(d.path)):
                rel = f"{INDEX_DIR}/{d.name}/{f}"
                if rel not in known and parse_index_name(f):
                    found.append(rel)
        return found

    def read(self, rel: str, offset: int = 0, length: int | None = None) -> bytes:
        with open(os.path.join(self.root, *rel.split("/")), "rb") as f:
            f.seek(offset)
            return f.read() if length is None else f.read(length)

    def has_end_marker(self) -> bool:
        return os.path.exists(os.path.join(self.root, END_MARKER))


class _S3Source:
    def __init__(self, uri: str, session: Any = None):
        from ..api import Session, parse_s3_uri

        parse_s3_uri(uri)
        self.root = uri.rstrip("/") + "/"
        self.session = session or Session()
        self._cache: OrderedDict[str, bytes] = OrderedDict()

    def new_index_files(self, known: set[str]) -> list[str]:
        found = []
        for obj in self.session.list_objects(self.root + INDEX_DIR + "/"):
            uri = obj.get("uri") or ""
            rel = uri[len(self.root):] if uri.startswith(self.root) else None
            if rel and rel not in known and parse_index_name(rel.rsplit("/", 1)[-1]):
                found.append(rel)
        return sorted(found)

    def read(self, rel: str, offset: int = 0, length: int | None = None) -> bytes:
        data = self._cache.get(rel)
        if data is None:
            with self.session.open("GET", "objects", params={"uri": self.root + rel}, headers={"Accept": "*/*"}) as r:
                data = r.read()
            self._cache[rel] = data
            while len(self._cache) > 64:
                self._cache.popitem(last=False)
        return data[offset:] if length is None else data[offset: offset + length]

    def has_end_marker(self) -> bool:
        return any(o.get("uri", "").endswith("/" + END_MARKER) for o in self.session.list_objects(self.root + END_MARKER))


def trial(path: str, session: Any = None) -> "Trial":
    """A Trial over a tensors folder or ``s3://`` prefix (the job's DebugHookConfig.S3OutputPath)."""
    return Trial(path, session=session)


class Trial:
    def __init__(self, path: str, session: Any = None):
        self.path = str(path)
        self._source = _S3Source(self.path, session) if self.path.startswith("s3://") else _LocalSource(self.path)
        self._known: set[str] = set()
        self._entries: dict[str, dict[tuple[int, str], tuple[dict, dict]]] = {}  # name -> (step, worker, mode) -> (tensor, index)
        self._steps: dict[int, dict[str, Any]] = {}  # global step -> {"mode":..., "mode_step":..., "wall_time":...}
        self._mode_steps: dict[str, dict[int, int]] = {}  # mode -> mode step -> global step
        self._workers: set[str] = set()
        self._by_step: dict[int, dict[str, set[str]]] = {}  # global step -> tensor name -> collections
        self._end_seen = False
        self.loaded_all_steps = False
        #: Queries look for new steps first; the rule runner turns this off and refreshes itself.
        self.auto_refresh = True
        self.refresh()

    def __repr__(self) -> str:
        return f"Trial({self.path!r}, steps={len(self._steps)}, tensors={len(self._entries)})"

    # -- loading ---------------------------------------------------------------------------------

    def refresh(self) -> int:
        """Reads index entries written since the last call; returns how many were new."""
        end_before = self._source.has_end_marker()  # checked first: what precedes the marker is all there
        new = self._source.new_index_files(self._known)
        for rel in new:
            self._known.add(rel)
            index = json.loads(self._source.read(rel))
            step, worker = int(index["step"]), str(index["worker"])
            self._workers.add(worker)
            info = self._steps.setdefault(step, {"wall_time": index.get("wall_time"), "modes": {}})
            for t in index.get("tensors", []):
                self._entries.setdefault(t["name"], {})[(step, worker, t["mode"])] = (t, index)
                self._by_step.setdefault(step, {}).setdefault(t["name"], set()).update(t.get("collections", []))
                info["modes"][t["mode"]] = t["mode_step"]
                self._mode_steps.setdefault(t["mode"], {})[int(t["mode_step"])] = step
        if end_before:
            self._end_seen = True
            self.loaded_all_steps = True
        return len(new)

    def _auto_refresh(self) -> None:
        if self.auto_refresh:
            self.refresh()

    def wait_for_steps(self, steps: Iterable[int], timeout: float = 60.0, mode: str | None = None) -> bool:
        """Waits until every one of ``steps`` is there (or training ended); False on timeout."""
        wanted = set(steps)
        deadline = time.monotonic() + timeout
        while True:
            self.refresh()
            if wanted <= set(self.steps(mode, refresh=False)) or self.loaded_all_steps:
                return wanted <= set(self.steps(mode, refresh=False))
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.2)

    def has_passed_step(self, step: int, mode: str | None = None) -> bool:
        steps = self.steps(mode)
        return bool(steps) and (steps[-1] >= step or self.loaded_all_steps)

    # -- queries ---------------------------------------------------------------------------------

    def steps(self, mode: str | None = None, refresh: bool = True) -> list[int]:
        if refresh:
            self._auto_refresh()
        if mode is None or str(mode).upper() == "GLOBAL" and "GLOBAL" not in self._mode_steps:
            return sorted(self._steps)
        return sorted(self._mode_steps.get(str(mode).upper(), {}))

    def modes(self) -> list[str]:
        return sorted(self._mode_steps)

    def mode(self, global_step: int) -> str:
        return next(iter(self._steps[global_step]["modes"]))

    def mode_step(self, global_step: int) -> int:
        return next(iter(self._steps[global_step]["modes"].values()))

    def global_step(self, mode: str, mode_step: int) -> int:
        return self._mode_steps[str(mode).upper()][mode_step]

    def wall_time(self, global_step: int) -> float | None:
        return self._steps[global_step]["wall_time"]

    def workers(self) -> list[str]:
        return sorted(self._workers)

    def tensor_names(self, collection: str | None = None, regex: str | list[str] | None = None,
                     mode: str | None = None) -> list[str]:
        self._auto_refresh()
        patterns = [re.compile(r) for r in ([regex] if isinstance(regex, str) else regex or [])]
        out = []
        for name, by_step in self._entries.items():
            entries = [t for t, _ in by_step.values()]
            if collection and not any(collection in t.get("collections", []) for t in entries):
                continue
            if mode and not any(t["mode"] == str(mode).upper() for t in entries):
                continue
            if patterns and not any(p.search(name) for p in patterns):
                continue
            out.append(name)
        return sorted(out)

    def tensors_at(self, step: int) -> dict[str, set[str]]:
        """The tensors saved at global ``step``, each with its collections (no refresh: cheap)."""
        return self._by_step.get(step, {})

    def collections(self) -> dict[str, list[str]]:
        self._auto_refresh()
        found: dict[str, set[str]] = {}
        for name, by_step in self._entries.items():
            for t, _ in by_step.values():
                for c in t.get("collections", []):
                    found.setdefault(c, set()).add(name)
        return {c: sorted(n) for c, n in sorted(found.items())}

    def has_tensor(self, name: str) -> bool:
        self._auto_refresh()
        return name in self._entries

    def tensor(self, name: str) -> "Tensor":
        if name not in self._entries:
            self._auto_refresh()
        if name not in self._entries:
            raise TensorUnavailable(f"no tensor {name!r} in {self.path} (tensors: {', '.join(sorted(self._entries)[:20])})")
        return Tensor(self, name)

    # -- for Tensor ------------------------------------------------------------------------------

    def _entry(self, name: str, step: int, mode: str | None, worker: str | None) -> tuple[dict, dict]:
        global_step, wanted_mode = step, None
        if mode is not None and str(mode).upper() != "GLOBAL":
            wanted_mode = str(mode).upper()
            found = self._mode_steps.get(str(mode).upper(), {}).get(step)
            if found is None:
                raise TensorUnavailable(f"{name}: no {str(mode).upper()} step {step}")
            global_step = found
        by_step = self._entries.get(name, {})
        keys = [k for k in by_step if k[0] == global_step and (worker is None or k[1] == worker)
                and (wanted_mode is None or k[2] == wanted_mode)]
        if not keys:
            raise TensorUnavailable(f"{name}: not saved at step {step}" + (f" ({mode})" if mode else ""))
        return by_step[sorted(keys)[0]]

    def _value(self, entry: dict, index: dict):
        if "offset" not in entry:
            return None
        data = self._source.read(index["event_file"], entry["offset"], entry["length"])
        return decode_array(data, entry["dtype"], entry["shape"])


class Tensor:
    """One tensor of a trial, over steps."""

    def __init__(self, trial_: Trial, name: str):
        self.trial = trial_
        self.name = name

    def __repr__(self) -> str:
        return f"Tensor({self.name!r})"

    def steps(self, mode: str | None = None) -> list[int]:
        self.trial._auto_refresh()
        entries = self.trial._entries.get(self.name, {})
        if mode is None or str(mode).upper() == "GLOBAL":
            return sorted({key[0] for key in entries})
        wanted = str(mode).upper()
        return sorted({t["mode_step"] for t, _ in entries.values() if t["mode"] == wanted})

    @property
    def collections(self) -> list[str]:
        return sorted({c for t, _ in self.trial._entries.get(self.name, {}).values() for c in t.get("collections", [])})

    def value(self, step: int, mode: str | None = None, worker: str | None = None):
        """The whole value (a numpy array); TensorUnavailable when only reductions were saved."""
        entry, index = self.trial._entry(self.name, step, mode, worker)
        value = self.trial._value(entry, index)
        if value is None:
            raise TensorUnavailable(f"{self.name}: only reductions were saved at step {step} "
                                    f"({', '.join(entry.get('reductions', {}))})")
        return value

    def values(self, mode: str | None = None) -> dict[int, Any]:
        out = {}
        for step in self.steps(mode):
            try:
                out[step] = self.value(step, mode)
            except TensorUnavailable:
                pass
        return out

    def shape(self, step: int, mode: str | None = None) -> tuple[int, ...]:
        entry, _ = self.trial._entry(self.name, step, mode, None)
        return tuple(entry.get("shape", ()))

    def reduction_names(self, step: int, mode: str | None = None) -> list[str]:
        entry, _ = self.trial._entry(self.name, step, mode, None)
        return sorted(entry.get("reductions", {}))

    def reduction_value(self, step: int, reduction_name: str, mode: str | None = None, abs: bool = False,
                        worker: str | None = None) -> Any:
        """A reduction (``mean``, ``norm``, ``min``, ``max``, ``histogram``...): the one saved, else
        computed from the whole value. ``abs=True`` asks for ``abs_<name>``."""
        name = f"abs_{reduction_name}" if abs and not reduction_name.startswith("abs_") else reduction_name
        entry, index = self.trial._entry(self.name, step, mode, worker)
        saved = entry.get("reductions", {})
        if name in saved:
            value = saved[name]
        elif name == "abs_norm" and "norm" in saved:
            value = saved["norm"]
        else:
            array = self.trial._value(entry, index)
            if array is None:
                raise TensorUnavailable(f"{self.name}: reduction {name!r} was not saved at step {step} "
                                        f"(saved: {', '.join(saved) or 'none'})")
            value = _reductions.compute(array, name)
        return value if name == "histogram" else _reductions.to_float(value)

    def reduction_values(self, step: int, mode: str | None = None) -> dict[str, Any]:
        entry, _ = self.trial._entry(self.name, step, mode, None)
        return {k: (v if k == "histogram" else _reductions.to_float(v)) for k, v in entry.get("reductions", {}).items()}

    def mode_of(self, global_step: int) -> str:
        return self.trial._entry(self.name, global_step, None, None)[0]["mode"]
