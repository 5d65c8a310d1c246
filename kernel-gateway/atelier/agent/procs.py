"""Process-level helpers for kernels: environment, working directory, process groups, exit status."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import time
from typing import Any

log = logging.getLogger(__name__)

#: Variables of the agent's own environment that a kernel must not inherit. jupyter_client sets
#: JPY_PARENT_PID itself (to the agent's pid), so ipykernel exits if the agent ever vanishes.
_NOT_INHERITED = ("JPY_PARENT_PID",)


def kernel_env(extra: dict[str, str]) -> dict[str, str]:
    """The agent's environment plus the request's variables."""
    env = dict(os.environ)
    for name in _NOT_INHERITED:
        env.pop(name, None)
    env.update(extra)
    return env


def kernel_cwd(requested: Any) -> str:
    """The requested working directory if it is one, else the agent's."""
    if isinstance(requested, str) and requested and os.path.isdir(requested):
        return requested
    if requested not in (None, ""):
        log.warning("cwd %r is not a directory; starting the kernel in %s", requested, os.getcwd())
    return os.getcwd()


def kill_group(pgid: int | None, signum: int = signal.SIGKILL) -> None:
    """Signal a kernel's whole process group (jupyter_client starts each kernel in its own session).

    Also reaches processes the kernel started and left behind after it exited itself.
    """
    if not pgid or pgid <= 1:
        return
    try:
        os.killpg(pgid, signum)
    except (ProcessLookupError, PermissionError):
        pass


def wait_gone(proc: subprocess.Popen, timeout: float) -> bool:
    """Wait up to ``timeout`` seconds for ``proc`` to end; True if it has.

    Polls rather than calling ``proc.wait()`` so that a concurrent waiter elsewhere (the
    provisioner) can never leave this call blocked past its deadline.
    """
    deadline = time.monotonic() + timeout
    while proc.poll() is None:
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.02)
    return True


def exit_fields(returncode: int) -> dict[str, Any]:
    """``exit_code``/``signal`` of an ``exited`` event from a Popen return code."""
    if returncode < 0:
        return {"exit_code": None, "signal": -returncode}
    return {"exit_code": returncode, "signal": None}


#: Where the kernel's memory cgroup counts its OOM kills in a container: cgroup v2, then v1.
OOM_COUNTERS = ("/sys/fs/cgroup/memory.events", "/sys/fs/cgroup/memory/memory.oom_control")

_counters: tuple[str, ...] = OOM_COUNTERS


def use_oom_counters(paths: tuple[str, ...]) -> None:
    """Read OOM kills from these files first (the instance's own cgroup, process runtime)."""
    global _counters
    _counters = tuple(paths) + OOM_COUNTERS


def oom_kills(paths: tuple[str, ...] | None = None) -> int | None:
    """How many processes the memory cgroup this agent runs in has OOM-killed, or None if unknown.

    That cgroup is the instance's own limit (its container, or the cgroup the process runtime
    made for it); a SIGKILL that comes with a higher count than before is the kernel running
    out of memory.
    """
    for path in _counters if paths is None else paths:
        try:
            with open(path, encoding="ascii") as f:
                for line in f:
                    name, _, value = line.partition(" ")
                    if name == "oom_kill":
                        return int(value)
        except (OSError, ValueError):
            continue
    return None
