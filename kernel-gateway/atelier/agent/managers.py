"""Building jupyter_client KernelManagers the agent's way, and describing what they launched."""

from __future__ import annotations

import logging
import os
import uuid
from typing import Any

import zmq
from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
from jupyter_client.manager import KernelManager

from .protocol import RequestError

#: The connection fields a ``start``/``restart`` reply carries (PROTOCOL.md).
CONNECTION_FIELDS = (
    "ip",
    "transport",
    "shell_port",
    "iopub_port",
    "stdin_port",
    "control_port",
    "hb_port",
    "signature_scheme",
)


def new_manager(
    kernel_id: str,
    spec_name: str,
    key: str,
    *,
    ip: str,
    runtime_dir: str,
    context: zmq.Context,
    shutdown_wait: float,
    ports: list[int] | None = None,
) -> KernelManager:
    """A manager for one kernel, with the server's session key and, if given, fixed ports.

    ``ports`` is ``[shell, iopub, stdin, control, hb]``; without it the local provisioner picks
    free ports on ``ip``. A restart through the manager keeps ports and key either way.
    """
    ksm = KernelSpecManager()
    try:
        ksm.get_kernel_spec(spec_name)
    except NoSuchKernel:
        raise RequestError(f"unknown kernelspec {spec_name!r}") from None
    km = KernelManager(
        kernel_name=spec_name,
        kernel_spec_manager=ksm,
        kernel_id=kernel_id,
        context=context,
        ip=ip,
        transport="tcp",
        # The agent's private directory, and a file name that does not depend on the server's id.
        connection_file=os.path.join(runtime_dir, f"kernel-{uuid.uuid4().hex}.json"),
        shutdown_wait_time=shutdown_wait,
        log=logging.getLogger("atelier.agent.jupyter"),
    )
    km.kernel_spec.argv = without_output_drops(km.kernel_spec.argv)
    km.session.key = key.encode("utf-8")
    if ports is not None:
        # Ports from the published block: the provisioner must not pick its own.
        km.cache_ports = False
        km.shell_port, km.iopub_port, km.stdin_port, km.control_port, km.hb_port = ports
    return km


#: Runs ipykernel with an output publisher that waits instead of dropping (see that file).
NODROP_LAUNCHER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "ipykernel_nodrop.py")

#: Modules whose ``-m`` launch the launcher stands in for.
_IPYKERNEL_MODULES = ("ipykernel_launcher", "ipykernel")


def without_output_drops(argv: list[str]) -> list[str]:
    """``argv`` with ``-m ipykernel_launcher`` (or ``-m ipykernel``) replaced by the launcher.

    Interpreter options before ``-m`` and the kernel's own arguments after it are kept; a launch
    line of any other kernel is returned unchanged.
    """
    i = 1
    while i < len(argv) - 1 and argv[i].startswith("-"):
        if argv[i] == "-m":
            if argv[i + 1] in _IPYKERNEL_MODULES:
                return [*argv[:i], NODROP_LAUNCHER, *argv[i + 2 :]]
            break
        # -X and -W take their value as the next argument.
        i += 2 if argv[i] in ("-X", "-W") else 1
    return list(argv)


def describe(km: KernelManager, pid: int) -> dict[str, Any]:
    """The reply fields of ``start``/``restart``: connection info, pid, interrupt mode."""
    info = km.get_connection_info()
    connection = {name: info[name] for name in CONNECTION_FIELDS}
    key = info["key"]
    connection["key"] = key.decode("utf-8") if isinstance(key, bytes) else key
    return {"connection": connection, "pid": pid, "interrupt_mode": km.kernel_spec.interrupt_mode}
