"""The hook: what a training process saves, at which steps, and where (see README.md).

``get_hook()`` is the job's hook, made once from ``debughookconfig.json`` (None without one); the
framework hooks (Keras, XGBoost, PyTorch) drive it, and any script may too::

    from atelier.debugger import get_hook, TRAIN, EVAL
    hook = get_hook()
    hook.set_mode(TRAIN)
    for batch in data:
        hook.next_step()
        ...
        hook.save_scalar("loss", loss)
        hook.save_tensor("embeddings", emb, collections=["embeddings"])

Steps: ``step`` counts every step of every mode (the global step); ``mode_step`` counts the steps
of the current mode. Tensors are kept in memory until the step ends (``next_step``, ``flush``,
``close``), then written as one event file and its index entry (``storage.write_step``).
"""

from __future__ import annotations

import atexit
import os
import sys
import threading
from typing import Any, Iterable

from . import config as _config
from . import reductions as _reductions
from .config import EVAL, GLOBAL, PREDICT, TRAIN, HookConfig
from .storage import PendingTensor, TensorSaveError, write_end_marker, write_step

__all__ = ["Hook", "get_hook", "TRAIN", "EVAL", "PREDICT", "GLOBAL"]


def _worker_name() -> str:
    for var in ("RANK", "OMPI_COMM_WORLD_RANK", "PMI_RANK"):
        if os.environ.get(var, "").isdigit():
            return f"worker_{int(os.environ[var])}"
    return "worker_0"


def _to_numpy(value: Any):
    import numpy as np

    if hasattr(value, "detach"):  # torch
        value = value.detach().cpu().numpy()
    elif hasattr(value, "numpy") and not isinstance(value, np.ndarray):
        try:
            value = value.numpy()
        except Exception:  # noqa: BLE001 - fall back on numpy's own conversion
            pass
    return np.asarray(value)


class Hook:
    """Saves tensors by collection, step and mode into the tensors folder ``out_dir``."""

    def __init__(self, out_dir: str | None = None, config: HookConfig | None = None, worker: str | None = None):
        self.config = config or HookConfig()
        self.out_dir = out_dir or self.config.local_path
        self.worker = worker or _worker_name()
        self.mode = TRAIN
        self.step = 0
        self.mode_steps = {TRAIN: 0, EVAL: 0, PREDICT: 0, GLOBAL: 0}
        self._pending: dict[tuple[str, str], PendingTensor] = {}
        self._step_started = False
        self._closed = False
        self._lock = threading.RLock()
        self.bytes_written = 0
        os.makedirs(self.out_dir, exist_ok=True)

    # -- steps and modes -------------------------------------------------------------------------

    @property
    def mode_step(self) -> int:
        return self.mode_steps[self.mode]

    def set_mode(self, mode: str) -> None:
        """TRAIN, EVAL, PREDICT or GLOBAL (also the lower-case names)."""
        mode = str(mode).upper()
        if mode not in _config.MODES:
            raise ValueError(f"mode: expected one of {', '.join(_config.MODES)}, got {mode!r}")
        if mode != self.mode:
            self.flush()
            if self._step_started:
                self._advance()
            self.mode = mode

    def next_step(self) -> int:
        """Ends the current step (writing what it saved) and starts the next; returns its global step."""
        with self._lock:
            self.flush()
            if self._step_started:
                self._advance()
            self._step_started = True
            return self.step

    def _advance(self) -> None:
        self.step += 1
        self.mode_steps[self.mode] += 1
        self._step_started = False

    # -- what to save ----------------------------------------------------------------------------

    def collections_due(self, builtin: str, tensor_name: str | None = None) -> list[_config.Collection]:
        """The configured collections that want a tensor of ``builtin`` (named ``tensor_name``) now."""
        due = []
        for c in self.config.collections:
            if tensor_name is None:
                wanted = c.name == builtin or bool(c.include_regex)
            else:
                wanted = c.matches(tensor_name, builtin)
            if wanted and c.should_save(self.mode, self.mode_step):
                due.append(c)
        return due

    def wants(self, builtin: str) -> bool:
        """Whether anything of ``builtin`` (e.g. "gradients") may be saved at this step: lets a
        framework hook skip computing it."""
        return bool(self.collections_due(builtin))

    def save_framework_tensor(self, name: str, value: Any, builtin: str) -> bool:
        """Saves a tensor a framework hook found, when a collection wants it at this step."""
        due = self.collections_due(builtin, name)
        if not due:
            return False
        self._record(name, value, due, [builtin])
        return True

    def save_scalar(self, name: str, value: Any, collections: Iterable[str] = ("scalars",)) -> None:
        """Saves a number at the current step and mode, whatever the save interval."""
        self._record(name, float(value), [], list(collections), scalar=True)

    def save_tensor(self, name: str, value: Any, collections: Iterable[str] = ("default",)) -> None:
        """Saves a tensor at the current step and mode, whatever the save interval; with the
        reductions of the configured collections of those names (else the whole value)."""
        names = list(collections)
        configured = [c for c in self.config.collections if c.name in names]
        self._record(name, value, configured, names)

    def _record(self, name: str, value: Any, due: list, collection_names: list[str], scalar: bool = False) -> None:
        import numpy as np

        with self._lock:
            if self._closed:
                return
            self._step_started = True
            array = np.asarray(value, dtype=np.float64) if scalar else _to_numpy(value)
            wanted_reductions: list[str] = []
            raw = scalar or not due
            for c in due:
                wanted_reductions += [r for r in c.reductions if r not in wanted_reductions]
                raw = raw or not c.reductions or c.save_raw_tensor
            names = list(dict.fromkeys(collection_names + [c.name for c in due]))
            key = (name, self.mode)
            existing = self._pending.get(key)
            if existing is not None:
                names = list(dict.fromkeys(existing.collections + names))
            self._pending[key] = PendingTensor(
                name=name, mode=self.mode, mode_step=self.mode_step, collections=names,
                array=array if raw else None, reductions=_reductions.compute_all(array, wanted_reductions))

    # -- writing ---------------------------------------------------------------------------------

    def flush(self) -> None:
        """Writes the current step's tensors (nothing when it saved none)."""
        with self._lock:
            if not self._pending:
                return
            tensors = list(self._pending.values())
            self._pending.clear()
            try:
                self.bytes_written += write_step(self.out_dir, self.step, self.worker, tensors)
            except TensorSaveError as e:
                # Loud in the job's log, then up through the framework: training stops.
                print(f"atelier.debugger: ERROR: {e}", file=sys.stderr, flush=True)
                raise

    def close(self) -> None:
        """Writes what is left and the end marker; later saves are ignored."""
        with self._lock:
            if self._closed:
                return
            try:
                self.flush()
            finally:
                self._closed = True
                write_end_marker(self.out_dir)


_HOOK: Hook | None = None
_HOOK_LOCK = threading.Lock()


def get_hook(create: bool = True) -> Hook | None:
    """The job's hook, made from ``debughookconfig.json`` on first use; None when the job has none.

    A configuration error is raised (``ConfigError`` naming the field) so the job fails saying why.
    """
    global _HOOK
    with _HOOK_LOCK:
        if _HOOK is None and create:
            cfg = _config.load()
            if cfg is None:
                return None
            _HOOK = Hook(config=cfg)
            atexit.register(_close_at_exit)
        return _HOOK


def set_hook(hook: Hook | None) -> None:
    """Makes ``hook`` the process's hook (tests, or a hook made by hand)."""
    global _HOOK
    with _HOOK_LOCK:
        _HOOK = hook


def _close_at_exit() -> None:
    if _HOOK is not None:
        try:
            _HOOK.close()
        except TensorSaveError:
            pass  # already printed by flush
