"""``python -m atelier.agent``: start the kernel agent (contract: kernel-gateway/PROTOCOL.md)."""

import os

# Taken before anything slow, so a parent that dies while the agent starts up is still noticed.
_PARENT_AT_START = os.getppid()

import argparse  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import shutil  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402

import zmq  # noqa: E402

from . import cgroups, lifecycle, procs  # noqa: E402
from .kernels import KernelRegistry  # noqa: E402
from .ports import PortBlock, parse_port_range  # noqa: E402
from .server import ControlServer  # noqa: E402
from .specs import SpecCatalog  # noqa: E402

log = logging.getLogger("atelier.agent")

#: On the way out, how long each kernel gets to shut down gracefully before its group is killed.
STOP_GRACE = 2.0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options (see PROTOCOL.md, "Start-up")."""
    parser = argparse.ArgumentParser(prog="python -m atelier.agent", description=__doc__)
    parser.add_argument("--ip", default="127.0.0.1", help="address of the control socket and the kernels")
    parser.add_argument("--control-port", type=int, default=0, help="control port; 0 picks a free one")
    parser.add_argument("--kernel-port-range", metavar="LOW-HIGH", help="take kernel ports from this block")
    parser.add_argument(
        "--cgroup", action="append", default=[], metavar="DIR",
        help="join this cgroup directory first (repeat for each cgroup v1 hierarchy)",
    )
    parser.add_argument("--exit-on-stdin-close", action="store_true", help="stop when stdin reaches EOF")
    parser.add_argument(
        "--log-level", default="INFO", type=str.upper, choices=["DEBUG", "INFO", "WARNING", "ERROR"]
    )
    args = parser.parse_args(argv)
    if args.kernel_port_range:
        try:
            args.kernel_port_range = parse_port_range(args.kernel_port_range)
        except ValueError as exc:
            parser.error(f"--kernel-port-range: {exc}")
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the agent; return the exit status when it could not start (it exits 0 by itself)."""
    args = parse_args(argv)
    logging.basicConfig(
        stream=sys.stderr,
        level=args.log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # Read the control key, then drop it: kernels run user code and must not inherit it.
    key = os.environ.pop("ATELIER_AGENT_KEY", "").encode("utf-8")
    if not key:
        log.warning("ATELIER_AGENT_KEY is empty: control messages are not authenticated")
    ready_fd = lifecycle.claim_stdout()
    try:
        # First, before any thread or kernel exists: all of them inherit the instance's limits.
        cgroups.join(args.cgroup)
    except cgroups.JoinError as exc:
        log.error("%s", exc)
        os.write(ready_fd, (json.dumps({"event": "cgroup_failed", "problem": str(exc)}) + "\n").encode("utf-8"))
        return 3
    procs.use_oom_counters(cgroups.oom_counters(args.cgroup))
    try:
        server = ControlServer(args.ip, args.control_port, key)
    except zmq.ZMQError as exc:
        log.error("cannot bind the control socket on %s:%s: %s", args.ip, args.control_port, exc)
        return 1

    runtime_dir = tempfile.mkdtemp(prefix="atelier-agent-")  # private (0700): connection files hold keys
    port_block = PortBlock(args.ip, *args.kernel_port_range) if args.kernel_port_range else None
    registry = KernelRegistry(args.ip, runtime_dir, lambda event: server.post(None, event), port_block)
    specs = SpecCatalog()
    server.route("list", registry.list, inline=True)
    server.route("kernelspecs", specs.kernelspecs)
    server.route("resource", specs.resource)
    for op in ("start", "restart", "shutdown", "interrupt", "signal"):
        server.route(op, getattr(registry, op))

    stop_watching = threading.Event()
    threading.Thread(target=registry.watch, args=(stop_watching,), name="kernel-watch", daemon=True).start()
    lifecycle.on_stop_signals(server.request_stop)
    lifecycle.watch_parent(server.wake)
    if args.exit_on_stdin_close:
        lifecycle.watch_stdin(server.request_stop)

    def check_parent() -> None:
        if lifecycle.parent_gone(_PARENT_AT_START):
            server.request_stop("parent process exited")

    check_parent()
    ready = {"event": "ready", "control_port": server.port, "pid": os.getpid(), "cgroups": args.cgroup}
    os.write(ready_fd, (json.dumps(ready) + "\n").encode("utf-8"))
    log.info("agent %s listening on %s:%s (python %s)", os.getpid(), args.ip, server.port, sys.executable)

    try:
        reason = server.serve(on_tick=check_parent)
    except Exception:  # a bug: still take the kernels down with us
        log.exception("the control loop failed")
        reason = "internal error"
    log.info("stopping (%s): shutting down kernels", reason)
    registry.stop_all(grace=STOP_GRACE)
    stop_watching.set()
    server.flush()  # the kernels' `exited` events, if the server is still listening
    server.close()
    shutil.rmtree(runtime_dir, ignore_errors=True)
    log.info("stopped")
    logging.shutdown()
    # Skip interpreter teardown: it would join worker threads that may sit in a stuck operation.
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main())
