"""Where a notebook's runs come from, with no setup: an MLflow run context provider.

The ``atelier`` package registers :class:`NotebookRunContext` in MLflow's
``mlflow.run_context_provider`` entry point group, so every run started in a kernel Atelier
started (``import mlflow; mlflow.start_run()``, ``mlflow.log_metric(...)``, autologging) is
tagged ``atelier.source.type=NOTEBOOK`` and ``atelier.source.name=<notebook path>`` (relative to
the notebook root), and MLflow's own ``mlflow.source.type`` / ``mlflow.source.name`` likewise.
MLflow applies the tags of providers from entry points after its own (so these replace its
``LOCAL`` / ``ipykernel_launcher.py``), and the tags the caller passes last.
"""

from __future__ import annotations

import os
from typing import Mapping

from mlflow.tracking.context.abstract_context import RunContextProvider

from .runs import source_tags

#: What Atelier puts in the environment of every kernel it starts (see the server's kernel start).
KERNEL_MARKERS = ("KERNEL_ID", "ATELIER_ROOT_DIR")


def _in_kernel() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def in_atelier_kernel(environ: Mapping[str, str] | None = None, in_kernel=None) -> bool:
    """Whether this process is a Jupyter kernel Atelier started (a script the notebook runs with
    ``!python ...`` inherits the environment but is no kernel, and keeps MLflow's own tags)."""
    env = os.environ if environ is None else environ
    return all(env.get(k) for k in KERNEL_MARKERS) and (in_kernel or _in_kernel)()


class NotebookRunContext(RunContextProvider):
    """Tags a run started in an Atelier kernel with its notebook."""

    def in_context(self) -> bool:
        return in_atelier_kernel()

    def tags(self) -> dict[str, str]:
        return source_tags()
