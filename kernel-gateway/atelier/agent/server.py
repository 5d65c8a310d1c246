"""The control socket: one thread owns the ROUTER; blocking work runs on a thread pool.

Worker threads never touch a ZeroMQ socket (they are not thread-safe). They put outgoing
messages on a queue and write a byte to a pipe; the socket owner polls the ROUTER and the
pipe together, so a reply leaves as soon as it is ready and a slow request (a 5 s graceful
shutdown) never delays another (a ``ping``).
"""

from __future__ import annotations

import errno
import json
import logging
import os
import queue
import socket
import sys
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable

import zmq

from atelier import __version__

from .protocol import RequestError, Signer, encode

log = logging.getLogger(__name__)

Handler = Callable[[dict[str, Any]], dict[str, Any]]


class ControlServer:
    """Serves PROTOCOL.md requests on a ROUTER socket until :meth:`request_stop` is called."""

    def __init__(self, ip: str, port: int, key: bytes, workers: int = 32):
        self._signer = Signer(key)
        self._context = zmq.Context()
        self._router = self._context.socket(zmq.ROUTER)
        # Sending to a peer that went away must fail (and drop the peer), not vanish silently.
        self._router.setsockopt(zmq.ROUTER_MANDATORY, 1)
        self._router.linger = 500
        self._router.ipv6 = ":" in ip
        endpoint = f"tcp://{_bracket(ip)}"
        if port:
            self._router.bind(f"{endpoint}:{port}")
            self.port = port
        else:
            self.port = self._router.bind_to_random_port(endpoint)
        self._outbox: queue.SimpleQueue[tuple[bytes | None, dict[str, Any]]] = queue.SimpleQueue()
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_r, False)
        os.set_blocking(self._wake_w, False)
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="agent-op")
        self._handlers: dict[str, tuple[Handler, bool]] = {}
        self._peers: set[bytes] = set()
        self._stop_reason: str | None = None
        self.bad_signatures = 0
        self.route("hello", self._hello, inline=True)
        self.route("ping", lambda request: {}, inline=True)

    def route(self, op: str, handler: Handler, inline: bool = False) -> None:
        """Serve ``op`` with ``handler``; ``inline`` handlers must never block (run on the socket thread)."""
        self._handlers[op] = (handler, inline)

    def post(self, identity: bytes | None, message: dict[str, Any]) -> None:
        """Queue a message for one peer, or for every peer (``None``: events). Any thread may call."""
        self._outbox.put((identity, message))
        self.wake()

    def request_stop(self, reason: str) -> None:
        """Make :meth:`serve` return. Safe from a signal handler: no locks, one pipe write."""
        if self._stop_reason is None:
            self._stop_reason = reason
        self.wake()

    def serve(self, on_tick: Callable[[], None] | None = None) -> str:
        """Run the socket loop until asked to stop; return the reason. ``on_tick`` runs every <=200 ms."""
        poller = zmq.Poller()
        poller.register(self._router, zmq.POLLIN)
        poller.register(self._wake_r, zmq.POLLIN)
        while self._stop_reason is None:
            ready = dict(poller.poll(200))
            if self._wake_r in ready:
                self._drain_wake_pipe()
            if self._router in ready:
                self._receive_all()
            self.flush()
            if on_tick is not None:
                on_tick()
        return self._stop_reason

    def flush(self) -> None:
        """Send every queued message (socket thread only)."""
        while True:
            try:
                identity, message = self._outbox.get_nowait()
            except queue.Empty:
                return
            body = encode(message)
            signature = self._signer.sign(body)
            for peer in [identity] if identity is not None else list(self._peers):
                self._send(peer, signature, body)

    def close(self) -> None:
        """Stop the pool (without waiting for stuck work) and close the socket."""
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._router.close()
        self._context.term()

    # internals -------------------------------------------------------------------------------

    def wake(self) -> None:
        """Wake the socket loop (it then runs ``on_tick``). Signal-safe: one pipe write."""
        try:
            os.write(self._wake_w, b"\0")
        except BlockingIOError:
            pass  # the pipe is full, so the loop is awake anyway

    def _drain_wake_pipe(self) -> None:
        try:
            while os.read(self._wake_r, 4096):
                pass
        except BlockingIOError:
            pass

    def _receive_all(self) -> None:
        while True:
            try:
                frames = self._router.recv_multipart(zmq.NOBLOCK)
            except zmq.Again:
                return
            self._handle(frames)

    def _handle(self, frames: list[bytes]) -> None:
        if len(frames) != 3:
            log.warning("dropped a message of %d frames (expected [signature, body])", len(frames) - 1)
            return
        identity, signature, body = frames
        if not self._signer.verify(signature, body):
            self.bad_signatures += 1
            log.warning("dropped a message with a bad signature (%d so far)", self.bad_signatures)
            return
        # Events go to every peer that has sent a verified message.
        self._peers.add(identity)
        try:
            request = json.loads(body)
        except ValueError:
            log.warning("dropped a message whose body is not JSON")
            return
        if not isinstance(request, dict) or not isinstance(request.get("id"), str):
            log.warning("dropped a request that is not an object with a string 'id'")
            return
        op = request.get("op")
        route = self._handlers.get(op) if isinstance(op, str) else None
        if route is None:
            self.post(identity, _error(request["id"], f"unknown op {op!r}"))
            return
        handler, inline = route
        if inline:
            self.post(identity, _run(handler, request))
        else:
            self._pool.submit(lambda: self.post(identity, _run(handler, request)))

    def _send(self, peer: bytes, signature: bytes, body: bytes) -> None:
        try:
            self._router.send_multipart([peer, signature, body], zmq.NOBLOCK)
        except zmq.ZMQError as exc:
            if exc.errno == errno.EHOSTUNREACH:
                self._peers.discard(peer)
                log.info("a control peer went away; dropped a message for it")
            else:
                log.warning("could not send a message to a control peer: %s", exc)

    def _hello(self, request: dict[str, Any]) -> dict[str, Any]:
        return {
            "agent_version": __version__,
            "pid": os.getpid(),
            "python": sys.executable,
            "hostname": socket.gethostname(),
        }


def _run(handler: Handler, request: dict[str, Any]) -> dict[str, Any]:
    """Call ``handler`` and shape its outcome as a reply."""
    try:
        fields = handler(request)
    except RequestError as exc:
        return _error(request["id"], str(exc))
    except Exception as exc:  # a bug or an environment problem: tell the server, keep serving
        log.exception("op %r failed", request.get("op"))
        return _error(request["id"], f"{request.get('op')} failed: {exc}")
    return {"id": request["id"], "ok": True, **fields}


def _error(request_id: str, message: str) -> dict[str, Any]:
    return {"id": request_id, "ok": False, "error": message}


def _bracket(ip: str) -> str:
    """IPv6 addresses need brackets in a ZeroMQ endpoint."""
    return f"[{ip}]" if ":" in ip and not ip.startswith("[") else ip
