"""How the agent ends: signals, stdin closing, and the death of its parent process."""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import signal
import sys
import threading
from typing import Callable

log = logging.getLogger(__name__)

_PR_SET_PDEATHSIG = 1

#: The signal the kernel sends when the agent's parent goes away (see ``watch_parent``).
PARENT_GONE_SIGNAL = signal.SIGUSR2


def claim_stdout() -> int:
    """Reserve stdout for the ready line; return a private descriptor for it.

    Descriptor 1 is pointed at stderr, so stray prints of libraries and the output of kernels
    (which inherit it) land in the log instead of corrupting the server's stdout. The private
    copy stays open until the agent exits: EOF on the server's side means the agent is gone.
    """
    sys.stdout.flush()
    ready_fd = os.dup(1)  # not inheritable: kernels never hold the server's pipe open
    os.dup2(2, 1)
    return ready_fd


def on_stop_signals(stop: Callable[[str], None]) -> None:
    """Call ``stop(name)`` on SIGTERM, SIGINT and SIGHUP. ``stop`` must be signal-safe."""
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, lambda number, frame: stop(signal.Signals(number).name))


def watch_stdin(stop: Callable[[str], None]) -> None:
    """Call ``stop`` when stdin reaches EOF (the server closed its end, or died)."""

    def read_until_eof() -> None:
        try:
            while os.read(0, 65536):
                pass
        except OSError:
            pass
        stop("stdin closed")

    threading.Thread(target=read_until_eof, name="stdin-watch", daemon=True).start()


def watch_parent(wake: Callable[[], None]) -> None:
    """Ask Linux to signal the agent when its parent goes away, and wake the loop when it does.

    Linux sends the death signal when the *thread* that spawned the agent exits, not only when
    the parent process does (a JVM may spawn from a pool thread that later retires). So the
    signal is a dedicated one that only wakes the main loop; the loop then compares
    ``os.getppid()`` with the parent at start-up (:func:`parent_gone`), which is what
    decides. Elsewhere than Linux the loop's periodic check alone notices within 200 ms.
    """
    signal.signal(PARENT_GONE_SIGNAL, lambda number, frame: wake())
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        if libc.prctl(_PR_SET_PDEATHSIG, int(PARENT_GONE_SIGNAL), 0, 0, 0) != 0:
            log.warning("prctl(PR_SET_PDEATHSIG) failed: %s", os.strerror(ctypes.get_errno()))
    except OSError as exc:
        log.warning("cannot load libc for prctl: %s", exc)


def parent_gone(parent_at_start: int) -> bool:
    """Whether the agent has been re-parented since start-up (its parent process exited)."""
    return os.getppid() != parent_at_start
