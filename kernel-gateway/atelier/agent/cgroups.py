"""The instance's own cgroups: the agent joins them first thing, so it and every kernel it starts
run under the instance type's CPU and memory limits (process runtime; a container has its own)."""

from __future__ import annotations

import os


class JoinError(Exception):
    """The agent could not move itself into one of its cgroups."""


def join(dirs: list[str]) -> None:
    """Move this process into each cgroup directory (one per cgroup v1 hierarchy, or one v2).

    Called before any thread or child exists, so everything the agent starts later inherits them.
    """
    pid = str(os.getpid())
    for d in dirs:
        try:
            with open(os.path.join(d, "cgroup.procs"), "w", encoding="ascii") as f:
                f.write(pid)
        except OSError as exc:
            raise JoinError(f"cannot join the cgroup {d}: {exc.strerror or exc}") from exc


def oom_counters(dirs: list[str]) -> tuple[str, ...]:
    """Where the memory cgroup among ``dirs`` counts its OOM kills (v2 ``memory.events``, v1
    ``memory.oom_control``); empty when none of them is a memory cgroup."""
    found = []
    for d in dirs:
        for name in ("memory.events", "memory.oom_control"):
            path = os.path.join(d, name)
            if os.path.exists(path):
                found.append(path)
    return tuple(found)
