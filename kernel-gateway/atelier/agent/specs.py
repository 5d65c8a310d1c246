"""Kernelspecs visible to the agent's interpreter, as the ``kernelspecs`` and ``resource`` ops serve them."""

from __future__ import annotations

import base64
import importlib.util
import logging
import mimetypes
import os
import shutil
import subprocess
import sys
import threading
from typing import Any

from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

from .protocol import RequestError, require_str

log = logging.getLogger(__name__)

#: Kernelspec resources are logos and small scripts; refuse anything larger than this.
MAX_RESOURCE_BYTES = 8 * 1024 * 1024

#: argv[0] values that jupyter_client replaces with ``sys.executable`` when it launches a kernel.
_SAME_INTERPRETER_NAMES = {
    "python",
    f"python{sys.version_info[0]}",
    "python%d.%d" % sys.version_info[:2],
    "{sys.executable}",
}

_PROBE = "import importlib.util, sys; sys.exit(0 if importlib.util.find_spec('debugpy') else 3)"
_PROBE_TIMEOUT = 15.0


class SpecCatalog:
    """Reads kernelspecs afresh on every call (installing one needs no agent restart).

    Only the answer to "can this interpreter import debugpy" is cached, because finding it out
    for a foreign interpreter means starting that interpreter.
    """

    def __init__(self) -> None:
        self._debugpy_cache: dict[str, bool] = {}
        self._cache_lock = threading.Lock()

    def kernelspecs(self, request: dict[str, Any]) -> dict[str, Any]:
        """Serve ``kernelspecs``: every spec with its resource file names, and the default name."""
        specs = KernelSpecManager().get_all_specs()
        result = {}
        for name, entry in sorted(specs.items()):
            spec = dict(entry["spec"])
            metadata = dict(spec.get("metadata") or {})
            metadata["debugger"] = self._supports_debugger(spec.get("argv") or [])
            spec["metadata"] = metadata
            if spec.get("interrupt_mode") not in ("signal", "message"):
                spec["interrupt_mode"] = "signal"
            result[name] = {"spec": spec, "resources": _resource_names(entry["resource_dir"])}
        if "python3" in result:
            default = "python3"
        else:
            default = next(iter(result), None)
        return {"default": default, "kernelspecs": result}

    def resource(self, request: dict[str, Any]) -> dict[str, Any]:
        """Serve ``resource``: one file of a spec's resource directory, base64-encoded."""
        name = require_str(request, "kernelspec")
        file_name = require_str(request, "file")
        # A bare file name only: nothing that could climb out of the resource directory.
        if "/" in file_name or "\\" in file_name or ".." in file_name or "\0" in file_name:
            raise RequestError(f"'file' must be a bare file name, not {file_name!r}")
        try:
            resource_dir = KernelSpecManager().get_kernel_spec(name).resource_dir
        except NoSuchKernel:
            raise RequestError(f"unknown kernelspec {name!r}") from None
        path = os.path.join(resource_dir, file_name)
        if not os.path.isfile(path):
            raise RequestError(f"kernelspec {name!r} has no resource {file_name!r}")
        if os.path.getsize(path) > MAX_RESOURCE_BYTES:
            raise RequestError(f"resource {file_name!r} of kernelspec {name!r} is too large")
        with open(path, "rb") as f:
            content = f.read()
        mimetype = mimetypes.guess_type(file_name)[0] or "application/octet-stream"
        return {"mimetype": mimetype, "content_base64": base64.b64encode(content).decode("ascii")}

    def _supports_debugger(self, argv: list[str]) -> bool:
        """True when ``argv`` launches ipykernel and its interpreter can import debugpy."""
        if not _is_ipykernel(argv):
            return False
        interpreter = argv[0]
        if _is_this_interpreter(interpreter):
            return importlib.util.find_spec("debugpy") is not None
        with self._cache_lock:
            cached = self._debugpy_cache.get(interpreter)
        if cached is None:
            cached = _probe_debugpy(interpreter)
            with self._cache_lock:
                self._debugpy_cache[interpreter] = cached
        return cached


def _is_ipykernel(argv: list[str]) -> bool:
    """True for the usual ipykernel launch lines (``-m ipykernel_launcher`` or ``-m ipykernel``)."""
    for arg in argv[1:]:
        base = os.path.basename(arg)
        if base in ("ipykernel_launcher", "ipykernel", "ipykernel_launcher.py"):
            return True
    return False


def _is_this_interpreter(interpreter: str) -> bool:
    """True when ``interpreter`` names the agent's own Python.

    Paths are compared without resolving symlinks on purpose: a virtualenv's ``bin/python`` is a
    symlink to the base interpreter, yet it sees different site-packages.
    """
    if interpreter in _SAME_INTERPRETER_NAMES:
        return True
    found = shutil.which(interpreter) or interpreter
    return os.path.abspath(found) == os.path.abspath(sys.executable)


def _probe_debugpy(interpreter: str) -> bool:
    """Run ``interpreter`` briefly to learn whether it can import debugpy."""
    try:
        done = subprocess.run(
            [interpreter, "-c", _PROBE],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=_PROBE_TIMEOUT,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        log.warning("cannot probe %s for debugpy: %s", interpreter, exc)
        return False
    return done.returncode == 0


def _resource_names(resource_dir: str) -> list[str]:
    """Names of the regular files in a spec's resource directory."""
    try:
        return sorted(e.name for e in os.scandir(resource_dir) if e.is_file())
    except OSError:
        return []
