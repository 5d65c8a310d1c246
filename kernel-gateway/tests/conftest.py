"""Helpers to run the agent the way the server does and to talk to it over a signed DEALER."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import os
import queue
import secrets
import select
import subprocess
import sys
import time
from typing import Any, Callable

import pytest
import zmq
from jupyter_client.blocking import BlockingKernelClient

AGENT = [sys.executable, "-m", "atelier.agent", "--ip", "127.0.0.1", "--control-port", "0"]

#: Run in a kernel, makes it ignore SIGINT, SIGTERM and shutdown requests: only SIGKILL ends it.
STUBBORN = """
import signal
for s in (signal.SIGINT, signal.SIGTERM):
    signal.signal(s, signal.SIG_IGN)
async def ignore(*args, **kwargs):
    pass
get_ipython().kernel.control_handlers["shutdown_request"] = ignore
get_ipython().kernel.shell_handlers["shutdown_request"] = ignore
"""


def wait_until(predicate: Callable[[], Any], timeout: float, interval: float = 0.05) -> Any:
    """Poll ``predicate`` until it returns something truthy or ``timeout`` passes; return its last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(interval)


def pid_alive(pid: int) -> bool:
    """True when ``pid`` is a running process (a zombie counts as gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
    except OSError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def read_ready_line(stream, timeout: float = 20.0) -> dict[str, Any]:
    """Read the agent's one stdout line within ``timeout`` seconds."""
    fd = stream.fileno()
    line = b""
    deadline = time.monotonic() + timeout
    while not line.endswith(b"\n"):
        left = deadline - time.monotonic()
        assert left > 0, f"no ready line within {timeout} s (got {line!r})"
        readable, _, _ = select.select([fd], [], [], left)
        if readable:
            chunk = os.read(fd, 1)
            assert chunk, f"agent stdout closed before the ready line (got {line!r})"
            line += chunk
    return json.loads(line)


class Control:
    """A DEALER on the agent's control socket: signed requests, replies by id, events kept aside."""

    def __init__(self, port: int, key: str):
        self.key = key.encode()
        self.context = zmq.Context()
        self.socket = self.context.socket(zmq.DEALER)
        self.socket.linger = 0
        self.socket.connect(f"tcp://127.0.0.1:{port}")
        self.events: list[dict[str, Any]] = []
        self.replies: dict[str, dict[str, Any]] = {}
        self._ids = itertools.count(1)

    def sign(self, body: bytes) -> bytes:
        return hmac.new(self.key, body, hashlib.sha256).hexdigest().encode() if self.key else b""

    def send(self, op: str, **fields: Any) -> str:
        """Send a request without waiting; return its id."""
        request_id = f"t{next(self._ids)}"
        body = json.dumps({"id": request_id, "op": op, **fields}).encode()
        self.socket.send_multipart([self.sign(body), body])
        return request_id

    def request(self, op: str, timeout: float = 20.0, **fields: Any) -> dict[str, Any]:
        """Send a request and return its reply."""
        return self.wait_reply(self.send(op, **fields), timeout)

    def wait_reply(self, request_id: str, timeout: float = 20.0) -> dict[str, Any]:
        reply = self._pump_until(lambda: self.replies.pop(request_id, None), timeout)
        assert reply is not None, f"no reply to {request_id} within {timeout} s"
        return reply

    def wait_event(self, predicate: Callable[[dict], bool], timeout: float = 10.0) -> dict[str, Any] | None:
        """Return (and consume) the first event matching ``predicate``, or None after ``timeout``."""

        def find():
            for event in self.events:
                if predicate(event):
                    self.events.remove(event)
                    return event
            return None

        return self._pump_until(find, timeout)

    def receive(self, timeout: float) -> None:
        """Take in whatever arrives within ``timeout`` seconds."""
        self._pump_until(lambda: None, timeout)

    def _pump_until(self, found: Callable[[], Any], timeout: float) -> Any:
        deadline = time.monotonic() + timeout
        while True:
            value = found()
            left = deadline - time.monotonic()
            if value is not None or left <= 0:
                return value
            if self.socket.poll(int(left * 1000) + 1):
                signature, body = self.socket.recv_multipart()
                assert hmac.compare_digest(signature, self.sign(body)), "agent message badly signed"
                message = json.loads(body)
                if "event" in message:
                    self.events.append(message)
                else:
                    self.replies[message["id"]] = message

    def close(self) -> None:
        self.socket.close()
        self.context.term()


class Agent:
    """An agent subprocess, started and read exactly like the server does."""

    def __init__(
        self,
        tmp_path,
        args: tuple[str, ...] = ("--exit-on-stdin-close",),
        parent: bool = False,
        env: dict[str, str] | None = None,
    ):
        self.key = secrets.token_hex(16)
        self.log_path = tmp_path / f"agent-{secrets.token_hex(4)}.log"
        self.log = open(self.log_path, "wb")
        env = dict(os.environ, **(env or {}), ATELIER_AGENT_KEY=self.key)
        command = [*AGENT, *args]
        if parent:
            # An intermediate parent, to test that the agent dies with whatever started it.
            spawn = "import subprocess, sys; subprocess.Popen(sys.argv[1:]).wait()"
            command = [sys.executable, "-c", spawn, *command]
        self.proc = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log, env=env
        )
        ready = read_ready_line(self.proc.stdout)
        assert ready["event"] == "ready" and ready["control_port"] > 0
        self.pid = ready["pid"]
        self.port = ready["control_port"]
        self.control = Control(self.port, self.key)

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")

    def start_kernel(self, kernel_id: str | None = None, **fields: Any) -> dict[str, Any]:
        fields.setdefault("kernelspec", "python3")
        fields.setdefault("key", secrets.token_hex(16))
        reply = self.control.request("start", kernel_id=kernel_id or secrets.token_hex(6), **fields)
        assert reply["ok"], reply
        return reply

    def stop(self) -> None:
        """Close stdin and make sure the agent (and its kernels) are gone."""
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
        self.control.close()
        self.log.close()


def connect_client(connection: dict[str, Any], timeout: float = 30.0) -> BlockingKernelClient:
    """A jupyter_client client on a kernel the agent started, once the kernel answers."""
    client = BlockingKernelClient()
    client.load_connection_info(connection)
    client.start_channels()
    try:
        wait_ready(client, timeout)
    except BaseException:
        client.stop_channels()
        raise
    return client


def wait_ready(client: BlockingKernelClient, timeout: float = 30.0) -> None:
    """Wait until the kernel answers ``kernel_info``."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            client.wait_for_ready(timeout=max(deadline - time.monotonic(), 1))
            return
        except RuntimeError:
            # On a loaded machine a kernel still importing can miss a heartbeat, which the
            # client takes for death; the agent's `exited` events are what tell death here.
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.2)


def execute(client: BlockingKernelClient, code: str, timeout: float = 20.0) -> tuple[dict, list[dict]]:
    """Run ``code``; return the execute_reply content and the iopub messages it produced."""
    outputs: list[dict] = []
    reply = client.execute_interactive(code, timeout=timeout, output_hook=outputs.append, allow_stdin=False)
    return reply["content"], outputs


def interrupt_busy_loop(control: Control, client: BlockingKernelClient, kernel_id: str) -> dict:
    """Run a busy loop, interrupt it through the agent, and return the execute_reply.

    The interrupt is sent once the cell's own output shows the loop is running: a SIGINT that
    lands while ipykernel is still setting the cell up (after `execute_input`) can be lost.
    """
    msg_id = client.execute("print('looping', flush=True)\nwhile True: pass")
    while True:
        message = client.get_iopub_msg(timeout=10)
        if message["parent_header"].get("msg_id") == msg_id and message["msg_type"] == "stream":
            break
    for _ in range(5):
        assert control.request("interrupt", kernel_id=kernel_id)["ok"] is True
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline:
            try:
                answer = client.get_shell_msg(timeout=max(deadline - time.monotonic(), 0.01))
            except queue.Empty:
                break
            # Skip a late kernel_info_reply that wait_for_ready asked for twice on a slow start.
            if answer["parent_header"].get("msg_id") == msg_id:
                return answer
    seen = []
    while True:
        try:
            message = client.get_iopub_msg(timeout=0.2)
        except queue.Empty:
            break
        seen.append((message["msg_type"], str(message["content"])[:300]))
    listed = control.request("list")["kernels"]
    raise AssertionError(f"the loop survived 5 interrupts; kernels {listed}; iopub {seen}")


@pytest.fixture(scope="session")
def agent(tmp_path_factory):
    """One agent shared by the tests that do not end it."""
    running = Agent(tmp_path_factory.mktemp("agent"))
    yield running
    running.stop()


# `serve` in script mode (test_toolkit_serve_script*.py): a test module sets INFERENCE (its
# inference.py), and may set CODE_FILES (more files beside it, by name) and SERVE_WORKERS.


@pytest.fixture(scope="module")
def model_dir(request, tmp_path_factory):
    """A fitted LogisticRegression (label = first feature > 0) as classifier.pkl, the module's script in code/."""
    import joblib
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    folder = tmp_path_factory.mktemp("script-model") / "model"
    (folder / "code").mkdir(parents=True)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 2))
    joblib.dump(LogisticRegression().fit(x, (x[:, 0] > 0).astype(int)), folder / "classifier.pkl")
    (folder / "code" / "inference.py").write_text(request.module.INFERENCE)
    for name, text in getattr(request.module, "CODE_FILES", {}).items():
        (folder / "code" / name).write_text(text)
    return folder


@pytest.fixture(scope="module")
def served(request, model_dir, tmp_path_factory):
    """Real gunicorn serving model_dir with SAGEMAKER_PROGRAM=inference.py, once it answers /ping."""
    from serve_helpers import Served

    server = Served(model_dir, tmp_path_factory.mktemp("serve") / "serve.log",
                    workers=getattr(request.module, "SERVE_WORKERS", 1), SAGEMAKER_PROGRAM="inference.py")
    try:
        server.wait_ping()
        yield server
    finally:
        server.stop()
