"""Atelier's kernel-side package.

- the kernel agent (``python -m atelier.agent``), which starts and supervises Jupyter kernels
  inside an instance;
- the notebook SDK: ``Session`` (the server's API, ``upload_data``, ``download``), training and
  processing jobs (``Estimator``, ``Processor``, ``TrainingJob``, ``list_jobs``), and the IPython
  magics loaded with ``%load_ext atelier``.

The SDK's names are imported on first use, so ``import atelier`` stays cheap for the agent.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

_EXPORTS = {
    "AtelierError": "api",
    "Session": "api",
    "Estimator": "jobs",
    "JobFailed": "jobs",
    "Metrics": "jobs",
    "ProcessingInput": "jobs",
    "ProcessingJob": "jobs",
    "ProcessingOutput": "jobs",
    "Processor": "jobs",
    "ScriptProcessor": "jobs",
    "TrainingInput": "jobs",
    "TrainingJob": "jobs",
    "list_jobs": "jobs",
}

__all__ = sorted(_EXPORTS) + ["upload_data", "download", "list_objects", "load_ipython_extension"]


def __getattr__(name: str):
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
    """``%load_ext atelier``: registers ``%%atelier_train``, ``%atelier_jobs``, ``%atelier_logs``, ``%atelier_stop``."""
    from .magics import AtelierMagics

    ipython.register_magics(AtelierMagics)
