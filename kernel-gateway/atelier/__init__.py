"""Atelier's kernel-side package.

- the kernel agent (``python -m atelier.agent``), which starts and supervises Jupyter kernels
  inside an instance;
- the notebook SDK: ``Session`` and the objects API (``api``), training jobs (``training``:
  ``Estimator``, ``TrainingJob``), processing jobs (``processing``: ``Processor``,
  ``ProcessingJob``), what both share (``job``: ``JobFailed``, ``list_jobs``), how a job shows
  in a notebook (``display``), models and endpoints (``endpoints``: ``Model``, ``Predictor``,
  with ``serializers`` and ``deserializers``), and the IPython magics loaded with ``%load_ext atelier``
  (``magics``); experiments on the stock mlflow client (``experiments``: ``%%atelier_run``, the
  display of runs, ``open``);
- the container toolkit (``atelier.toolkit``): the ``train`` command of a training job's container,
  and ``serve``, the model server of an endpoint's;
- the debugger (``atelier.debugger``): the hook that saves tensors in a training job, ``trial()``
  that reads them back, and the rules and their runner (``import atelier.debugger``).

The SDK's names are imported on first use, so ``import atelier`` stays cheap for the agent.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

_EXPORTS = {
    "AtelierError": "api",
    "CollectionConfig": "debugging",
    "DebuggerHookConfig": "debugging",
    "ProfilerConfig": "debugging",
    "ProfilerRule": "debugging",
    "Rule": "debugging",
    "EndpointFailed": "endpoints",
    "Model": "endpoints",
    "ModelError": "endpoints",
    "Predictor": "endpoints",
    "list_endpoints": "endpoints",
    "Session": "api",
    "Estimator": "training",
    "JobFailed": "job",
    "Metrics": "training",
    "ProcessingInput": "processing",
    "ProcessingJob": "processing",
    "ProcessingOutput": "processing",
    "Processor": "processing",
    "ScriptProcessor": "processing",
    "TrainingInput": "training",
    "TrainingJob": "training",
    "list_jobs": "job",
}

_SUBMODULES = ("experiments", "serializers", "deserializers")

__all__ = sorted(_EXPORTS) + [*_SUBMODULES, "upload_data", "download", "list_objects", "load_ipython_extension"]


def __getattr__(name: str):
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'atelier' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def upload_data(path: str, bucket: str | None = None, key_prefix: str = "data") -> str:
    """Upload a file or folder to the object store with the kernel's session; its S3 URI."""
    from .api import Session

    return Session().upload_data(path, bucket=bucket, key_prefix=key_prefix)


def download(s3_uri: str, local_path: str) -> str:
    """Download an object (or a prefix ending with ``/``) with the kernel's session."""
    from .api import Session

    return Session().download(s3_uri, local_path)


def list_objects(prefix: str) -> list[dict]:
    """Objects under an ``s3://bucket/prefix`` with the kernel's session."""
    from .api import Session

    return Session().list_objects(prefix)


def load_ipython_extension(ipython) -> None:
    """``%load_ext atelier``: registers ``%%atelier_train``, ``%atelier_jobs``, ``%atelier_logs``,
    ``%atelier_stop``, ``%atelier_run``, ``%%atelier_invoke``, and the display of mlflow's runs."""
    from .experiments.render import register
    from .invokemagic import InvokeMagics
    from .magics import AtelierMagics
    from .runmagic import RunMagics

    ipython.register_magics(AtelierMagics)
    ipython.register_magics(RunMagics)
    ipython.register_magics(InvokeMagics)
    register(ipython)
