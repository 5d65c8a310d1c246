"""Run `python -m atelier.toolkit serve` (real gunicorn) on 127.0.0.1 and talk HTTP to it."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Served:
    """A model server process; ``request`` sends one HTTP request to it."""

    def __init__(self, model_dir: Path, log_path: Path, workers: int = 2, **env: str):
        self.port = free_port()
        self.log_path = log_path
        self.log = open(log_path, "wb")
        environ = {k: v for k, v in os.environ.items()
                   if not k.startswith(("SM_", "SAGEMAKER_", "ATELIER_BUILTIN_"))}
        environ.update({"SM_MODEL_DIR": str(model_dir), "SM_BASE_DIR": str(model_dir.parent / "ml-base"),
                        "BIND_ADDRESS": "127.0.0.1", "PORT": str(self.port),
                        "SAGEMAKER_MODEL_SERVER_WORKERS": str(workers), **env})
        self.proc = subprocess.Popen([sys.executable, "-m", "atelier.toolkit", "serve"], env=environ,
                                     stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT)

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None,
                timeout: float = 30) -> tuple[int, dict, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        finally:
            connection.close()

    def invoke(self, body: bytes | str, content_type: str | None = "text/csv", accept: str | None = None):
        headers = {}
        if content_type:
            headers["Content-Type"] = content_type
        if accept:
            headers["Accept"] = accept
        data = body.encode() if isinstance(body, str) else body
        return self.request("POST", "/invocations", data, headers)

    def wait_ping(self, expected: int = 200, timeout: float = 60) -> tuple[int, bytes]:
        """Polls /ping until it answers ``expected``; its last answer."""
        deadline = time.monotonic() + timeout
        last = (0, b"")
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, f"serve exited with {self.proc.returncode}:\n{self.log_text()}"
            try:
                status, _, body = self.request("GET", "/ping", timeout=5)
                last = (status, body)
                if status == expected:
                    return last
            except OSError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"/ping did not answer {expected} within {timeout}s (last {last}):\n{self.log_text()}")

    def stop(self, timeout: float = 30) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.log.close()
        return self.proc.returncode

    def worker_pids(self) -> list[int]:
        """The master's child processes (gunicorn's workers)."""
        path = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        return [int(p) for p in path.read_text().split()] if path.exists() else []
