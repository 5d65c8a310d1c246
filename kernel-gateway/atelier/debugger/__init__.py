"""Atelier's debugger: save tensors while a job trains, read them back, watch them with rules.

- ``get_hook()`` / ``Hook``: what a training process saves (``save_scalar``, ``save_tensor``,
  ``set_mode``, ``next_step``), from the job's ``debughookconfig.json``; the framework hooks
  (``keras_hook``, ``xgboost_hook``, ``torch_hook``) attach themselves with no code change
  (``autoattach``);
- ``trial(path_or_s3_uri)``: the saved tensors, by name, step and mode, with their reductions;
- ``Rule`` and the built-in rules (``atelier.debugger.rules``), run beside a job by
  ``python -m atelier.debugger.rule_runner``.

Names are imported on first use: ``import atelier.debugger`` costs nothing (it runs at every
Python start in the images, through ``autoattach``).
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "Hook": "hook", "get_hook": "hook", "set_hook": "hook",
    "TRAIN": "config", "EVAL": "config", "PREDICT": "config", "GLOBAL": "config", "ConfigError": "config",
    "trial": "trials", "Trial": "trials", "Tensor": "trials", "TensorUnavailable": "trials",
    "TensorSaveError": "storage",
    "Rule": "rules.base", "Issue": "rules.base",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'atelier.debugger' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value
