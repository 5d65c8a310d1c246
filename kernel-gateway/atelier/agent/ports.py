"""Kernel ports drawn from a fixed block (``--kernel-port-range``), as containers publish them."""

from __future__ import annotations

import random
import socket
import threading

from .protocol import RequestError


def parse_port_range(text: str) -> tuple[int, int]:
    """Parse ``LOW-HIGH`` into two ints, checking 1 <= LOW <= HIGH <= 65535."""
    try:
        low_text, high_text = text.split("-", 1)
        low, high = int(low_text), int(high_text)
    except ValueError:
        raise ValueError(f"expected LOW-HIGH, got {text!r}") from None
    if not 1 <= low <= high <= 65535:
        raise ValueError(f"bad port range {text!r}")
    return low, high


class PortBlock:
    """Hands out ports of ``[low, high]`` that no kernel of this agent holds and that bind now.

    A kernel keeps its ports across restarts, so they are released only on shutdown.
    """

    def __init__(self, ip: str, low: int, high: int):
        self.ip = ip
        self.low = low
        self.high = high
        self._taken: set[int] = set()
        self._lock = threading.Lock()

    def allocate(self, count: int) -> list[int]:
        """Reserve ``count`` free ports, or refuse when the block is exhausted.

        The search starts at a random port of the block, so agents sharing a block (one per
        instance) rarely reach for the same port in the moment before a kernel binds it.
        """
        with self._lock:
            chosen: list[int] = []
            size = self.high - self.low + 1
            start = random.randrange(size)
            for i in range(size):
                port = self.low + (start + i) % size
                if port in self._taken or not self._bindable(port):
                    continue
                chosen.append(port)
                if len(chosen) == count:
                    self._taken.update(chosen)
                    return chosen
        raise RequestError(
            f"no {count} free kernel ports left in {self.low}-{self.high}; shut a kernel down first"
        )

    def release(self, ports: list[int]) -> None:
        """Give ports back to the block."""
        with self._lock:
            self._taken.difference_update(ports)

    def _bindable(self, port: int) -> bool:
        # SO_REUSEADDR like ZeroMQ's own listeners, so a port in TIME_WAIT counts as free.
        family = socket.AF_INET6 if ":" in self.ip else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                s.bind((self.ip, port))
            except OSError:
                return False
        return True
