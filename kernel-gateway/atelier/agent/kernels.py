"""Kernels of the agent: start, restart, interrupt, signal, shut down, and notice exits."""

from __future__ import annotations

import logging
import signal
import subprocess
import threading
from dataclasses import dataclass, field
from typing import Any, Callable

import zmq
from jupyter_client.manager import KernelManager

from . import managers, procs
from .ports import PortBlock
from .protocol import RequestError, optional_bool, require_str, string_map

log = logging.getLogger(__name__)

#: How long a graceful ``shutdown``/``restart`` may take before the kernel's group is killed.
SHUTDOWN_WAIT = 5.0
#: How often the watcher looks at kernel processes (exits are reported within about this).
WATCH_INTERVAL = 0.1


@dataclass(eq=False)
class Kernel:
    """One kernel of the agent and the process currently running it."""

    kernel_id: str
    km: KernelManager | None = None
    #: Serialises the blocking operations on this kernel (start, restart, shutdown, signals).
    op_lock: threading.Lock = field(default_factory=threading.Lock)
    proc: subprocess.Popen | None = None
    pgid: int | None = None
    #: The process whose exit was already announced, so each exit is announced once.
    announced: subprocess.Popen | None = None
    #: True while a shutdown or restart is under way: the coming exit is ``expected``.
    expecting_exit: bool = False
    ports: list[int] = field(default_factory=list)
    removed: bool = False
    #: What the server asked for: the kernelspec and the notebook (``ATELIER_NOTEBOOK_PATH``, the
    #: notebook the server chose relative to the root, else ``JPY_SESSION_NAME``), kept
    #: so that a restarted server can adopt the kernel (``list`` with ``details``).
    spec_name: str = ""
    session_name: str | None = None

    @property
    def alive(self) -> bool:
        """Whether the kernel's process is running."""
        return self.proc is not None and self.proc.poll() is None


class KernelRegistry:
    """The agent's kernels, by the ids the server gave them.

    Methods named after ops take the request dict and return the reply fields; they block
    (they are run on the agent's worker threads) and raise :class:`RequestError` to refuse.
    """

    def __init__(
        self,
        ip: str,
        runtime_dir: str,
        post_event: Callable[[dict[str, Any]], None],
        port_block: PortBlock | None = None,
    ):
        self.ip = ip
        self.runtime_dir = runtime_dir
        self._post_event = post_event
        #: The memory cgroup's OOM kill count last seen: a SIGKILL with a higher count is an OOM kill.
        self._oom_kills_seen = procs.oom_kills() or 0
        self._ports = port_block
        self._context = zmq.Context()  # shared by the managers' control sockets
        self._kernels: dict[str, Kernel] = {}
        # Guards the table, `closing`, and each kernel's proc/announced/expecting_exit.
        self._lock = threading.Lock()
        self.closing = False

    # ops -------------------------------------------------------------------------------------

    def start(self, request: dict[str, Any]) -> dict[str, Any]:
        """Serve ``start``: launch a kernel from a kernelspec with the server's session key."""
        kernel_id = require_str(request, "kernel_id")
        spec_name = require_str(request, "kernelspec")
        key = require_str(request, "key", allow_empty=True)
        env = procs.kernel_env(string_map(request, "env"))
        cwd = procs.kernel_cwd(request.get("cwd"))
        kernel = Kernel(kernel_id, spec_name=spec_name,
                        session_name=env.get("ATELIER_NOTEBOOK_PATH") or env.get("JPY_SESSION_NAME"))
        # Locked before it is listed, so other ops on this id wait for the start to finish.
        with kernel.op_lock:
            with self._lock:
                if self.closing:
                    raise RequestError("the agent is stopping")
                if kernel_id in self._kernels:
                    raise RequestError(f"kernel {kernel_id!r} already exists")
                self._kernels[kernel_id] = kernel
            try:
                if self._ports is not None:
                    kernel.ports = self._ports.allocate(5)
                kernel.km = managers.new_manager(
                    kernel_id,
                    spec_name,
                    key,
                    ip=self.ip,
                    runtime_dir=self.runtime_dir,
                    context=self._context,
                    shutdown_wait=SHUTDOWN_WAIT,
                    ports=kernel.ports or None,
                )
                kernel.km.start_kernel(env=env, cwd=cwd)
            except Exception as exc:
                self._abandon(kernel)
                if isinstance(exc, RequestError):
                    raise
                log.exception("kernel %s failed to start", kernel_id)
                raise RequestError(f"kernel {kernel_id!r} failed to start: {exc}") from exc
            self._adopt_process(kernel)
            log.info("kernel %s started (%s, pid %s) in %s", kernel_id, spec_name, kernel.proc.pid, cwd)
            return managers.describe(kernel.km, kernel.proc.pid)

    def restart(self, request: dict[str, Any]) -> dict[str, Any]:
        """Serve ``restart``: stop gracefully (then forced), start again on the same ports and key."""
        kernel = self._get(request)
        with kernel.op_lock:
            self._check_not_removed(kernel)
            old, old_pgid = kernel.proc, kernel.pgid
            with self._lock:
                kernel.expecting_exit = True
            try:
                kernel.km.restart_kernel(now=False)
            except Exception as exc:
                log.exception("kernel %s failed to restart", kernel.kernel_id)
                raise RequestError(f"kernel {kernel.kernel_id!r} failed to restart: {exc}") from exc
            finally:
                self._finish_process(kernel, old, old_pgid)
            self._adopt_process(kernel)
            log.info("kernel %s restarted (pid %s)", kernel.kernel_id, kernel.proc.pid)
            return managers.describe(kernel.km, kernel.proc.pid)

    def shutdown(self, request: dict[str, Any]) -> dict[str, Any]:
        """Serve ``shutdown``: reply once the kernel's process is gone."""
        kernel = self._get(request)
        now = optional_bool(request, "now")
        with kernel.op_lock:
            self._check_not_removed(kernel)
            self._stop(kernel, now=now, wait=SHUTDOWN_WAIT)
            self._forget(kernel)
        log.info("kernel %s shut down", kernel.kernel_id)
        return {}

    def interrupt(self, request: dict[str, Any]) -> dict[str, Any]:
        """Serve ``interrupt`` the way the spec's ``interrupt_mode`` says (jupyter_client does)."""
        kernel = self._get(request)
        with kernel.op_lock:
            self._check_running(kernel)
            kernel.km.interrupt_kernel()
        return {}

    def signal(self, request: dict[str, Any]) -> dict[str, Any]:
        """Serve ``signal``: send a signal to the kernel's process group."""
        kernel = self._get(request)
        signum = request.get("signum")
        if isinstance(signum, bool) or not isinstance(signum, int) or signum not in signal.valid_signals():
            raise RequestError(f"'signum' must be a signal number, not {signum!r}")
        with kernel.op_lock:
            self._check_running(kernel)
            kernel.km.signal_kernel(signum)
        return {}

    def list(self, request: dict[str, Any]) -> dict[str, Any]:
        """Serve ``list``: every launched kernel with its pid and whether it runs; with
        ``details``, also what a restarted server needs to adopt it: its connection info (with
        the key), kernelspec, interrupt mode and notebook."""
        details = request.get("details") is True
        with self._lock:
            kernels = [k for k in self._kernels.values() if k.proc is not None and not (details and k.removed)]
        out = []
        for k in kernels:
            item: dict[str, Any] = {"kernel_id": k.kernel_id, "pid": k.proc.pid, "alive": k.alive}
            if details and k.km is not None:
                item.update(managers.describe(k.km, k.proc.pid))
                item["kernelspec"] = k.spec_name
                item["session_name"] = k.session_name
            out.append(item)
        return {"kernels": out}

    # supervision -----------------------------------------------------------------------------

    def watch(self, stop: threading.Event) -> None:
        """Announce kernel exits until ``stop`` is set (the body of the watcher thread)."""
        while not stop.wait(WATCH_INTERVAL):
            with self._lock:
                running = [(k, k.proc) for k in self._kernels.values() if k.proc is not k.announced]
            for kernel, proc in running:
                if proc is not None and proc.poll() is not None:
                    self._announce_exit(kernel, proc)

    def stop_all(self, grace: float) -> None:
        """Stop every kernel (graceful for up to ``grace`` s, then SIGKILL of its group); no new ones."""
        with self._lock:
            self.closing = True
            kernels = list(self._kernels.values())
        threads = [
            threading.Thread(target=self._stop_for_exit, args=(k, grace), daemon=True) for k in kernels
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(grace + 3.0)
        # Whatever is still there, including a kernel a racing restart just launched, dies now.
        with self._lock:
            groups = [k.pgid for k in self._kernels.values()]
        for pgid in groups:
            procs.kill_group(pgid)
        # The shared context is left to process exit: a stuck worker may still use a socket of it.

    # internals -------------------------------------------------------------------------------

    def _adopt_process(self, kernel: Kernel) -> None:
        """Record the process the manager just launched; kill it at once if the agent is stopping."""
        provisioner = kernel.km.provisioner
        with self._lock:
            kernel.proc = provisioner.process
            kernel.pgid = getattr(provisioner, "pgid", None) or kernel.proc.pid
            kernel.expecting_exit = False
            closing = self.closing
        if closing:
            procs.kill_group(kernel.pgid)
            raise RequestError("the agent is stopping")

    def _stop(self, kernel: Kernel, now: bool, wait: float) -> None:
        """Shut the kernel's process down through its manager, then make sure its group is gone."""
        proc, pgid = kernel.proc, kernel.pgid
        with self._lock:
            kernel.expecting_exit = True
        kernel.km.shutdown_wait_time = wait
        try:
            kernel.km.shutdown_kernel(now=now)
        except Exception:
            log.exception("kernel %s did not shut down cleanly; killing it", kernel.kernel_id)
        finally:
            self._finish_process(kernel, proc, pgid)

    def _stop_for_exit(self, kernel: Kernel, grace: float) -> None:
        """Stop one kernel as the agent exits, even if another operation holds its manager."""
        got = kernel.op_lock.acquire(timeout=1.0)
        try:
            if kernel.proc is None or kernel.removed:
                return
            if got:
                self._stop(kernel, now=False, wait=grace)
            else:
                # The manager is busy in another thread and not thread-safe: use signals only.
                proc = kernel.proc
                with self._lock:
                    kernel.expecting_exit = True
                procs.kill_group(kernel.pgid, signal.SIGTERM)
                procs.wait_gone(proc, grace)
                self._finish_process(kernel, proc, kernel.pgid)
        finally:
            procs.kill_group(kernel.pgid)
            if got:
                kernel.op_lock.release()

    def _finish_process(self, kernel: Kernel, proc: subprocess.Popen | None, pgid: int | None) -> None:
        """After a shutdown: kill what is left of the group, wait for the exit, announce it."""
        if proc is None:
            return
        procs.kill_group(pgid)
        if not procs.wait_gone(proc, 5.0):
            log.error("kernel %s (pid %s) survives SIGKILL", kernel.kernel_id, proc.pid)
            return
        self._announce_exit(kernel, proc)

    def _announce_exit(self, kernel: Kernel, proc: subprocess.Popen) -> None:
        returncode = proc.poll()
        if returncode is None:
            return
        # Post under the lock: the event then always precedes the reply of the shutdown or
        # restart that caused it, whichever thread noticed the exit first.
        with self._lock:
            if kernel.announced is proc:
                return
            kernel.announced = proc
            expected = kernel.expecting_exit
            event = {"event": "exited", "kernel_id": kernel.kernel_id, **procs.exit_fields(returncode)}
            event["expected"] = expected
            if returncode == -signal.SIGKILL:
                ooms = procs.oom_kills()
                event["oom_killed"] = ooms is not None and ooms > self._oom_kills_seen
                if ooms is not None:
                    self._oom_kills_seen = ooms
            self._post_event(event)
        level = logging.INFO if expected else logging.WARNING
        log.log(level, "kernel %s (pid %s) exited with %s", kernel.kernel_id, proc.pid, returncode)

    def _get(self, request: dict[str, Any]) -> Kernel:
        kernel_id = require_str(request, "kernel_id")
        with self._lock:
            kernel = self._kernels.get(kernel_id)
        if kernel is None:
            raise RequestError(f"unknown kernel {kernel_id!r}")
        return kernel

    def _check_not_removed(self, kernel: Kernel) -> None:
        if kernel.removed or kernel.km is None:
            raise RequestError(f"unknown kernel {kernel.kernel_id!r}")

    def _check_running(self, kernel: Kernel) -> None:
        self._check_not_removed(kernel)
        if not kernel.alive:
            raise RequestError(f"kernel {kernel.kernel_id!r} is not running")

    def _abandon(self, kernel: Kernel) -> None:
        """Undo a failed start: kill anything it launched, drop its files, forget it."""
        km = kernel.km
        process = getattr(km.provisioner, "process", None) if km is not None else None
        if process is not None:
            procs.kill_group(getattr(km.provisioner, "pgid", None) or process.pid)
            procs.wait_gone(process, 2.0)
        if km is not None:
            km.cleanup_connection_file()
        self._forget(kernel)

    def _forget(self, kernel: Kernel) -> None:
        with self._lock:
            kernel.removed = True
            if self._kernels.get(kernel.kernel_id) is kernel:
                del self._kernels[kernel.kernel_id]
        if self._ports is not None and kernel.ports:
            self._ports.release(kernel.ports)
