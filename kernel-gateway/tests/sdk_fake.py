"""A small stand-in for the Atelier REST API, for the SDK's client-logic tests.

It records every request and answers from canned responses shaped as openapi.yaml says; the
objects API keeps uploaded bodies in memory.
"""

from __future__ import annotations

import json
import threading
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

PREFIX = "/atelier/api/"


@dataclass
class Recorded:
    method: str
    path: str  # below /atelier/api/, without the query
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes = b""
    chunked: bool = False

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # dict/list -> JSON; bytes as they are
    headers: dict[str, str] = field(default_factory=dict)


def error(status: int, message: str, reason: str = "Bad Request") -> Reply:
    return Reply(status, {"reason": reason, "message": message})


class FakeAtelier:
    def __init__(self, default_bucket: str | None = "bucket1"):
        self.requests: list[Recorded] = []
        self.objects: dict[str, bytes] = {}
        self._routes: dict[tuple[str, str], list] = {}
        self._lock = threading.Lock()
        self.default_bucket = default_bucket
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _handle(self):
                parsed = urllib.parse.urlsplit(self.path)
                path = parsed.path[len(PREFIX):] if parsed.path.startswith(PREFIX) else parsed.path
                query = dict(urllib.parse.parse_qsl(parsed.query, keep_blank_values=True))
                chunked = "chunked" in (self.headers.get("Transfer-Encoding") or "").lower()
                body = self._read_chunked() if chunked else self.rfile.read(int(self.headers.get("Content-Length") or 0))
                rec = Recorded(self.command, path, query, {k.lower(): v for k, v in self.headers.items()}, body, chunked)
                with fake._lock:
                    fake.requests.append(rec)
                reply = fake._answer(rec)
                raw = reply.body if isinstance(reply.body, bytes) else (b"" if reply.body is None else json.dumps(reply.body).encode())
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.headers.get("Content-Type", "application/json"))
                for name, value in reply.headers.items():
                    if name.lower() not in ("content-type", "content-length"):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def _read_chunked(self) -> bytes:
                data = b""
                while True:
                    size = int(self.rfile.readline().strip(), 16)
                    if size == 0:
                        self.rfile.readline()
                        return data
                    data += self.rfile.read(size)
                    self.rfile.readline()

            do_GET = do_POST = do_PUT = do_DELETE = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}{PREFIX}"
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def route(self, method: str, path: str, *replies: Reply | Callable[[Recorded], Reply]) -> None:
        """Answer ``method path`` with ``replies`` in turn; the last one is repeated."""
        self._routes[(method, path)] = list(replies)

    def calls(self, method: str | None = None, path: str | None = None) -> list[Recorded]:
        with self._lock:
            return [r for r in self.requests if (method is None or r.method == method) and (path is None or r.path == path)]

    def _answer(self, rec: Recorded) -> Reply:
        replies = self._routes.get((rec.method, rec.path))
        if replies:
            reply = replies.pop(0) if len(replies) > 1 else replies[0]
            return reply(rec) if callable(reply) else reply
        if rec.method == "POST" and rec.path in ("training-jobs", "processing-jobs"):
            kind, field = ("training-job", "TrainingJobArn") if rec.path == "training-jobs" else ("processing-job", "ProcessingJobArn")
            name = rec.json().get("TrainingJobName" if kind == "training-job" else "ProcessingJobName")
            return Reply(201, {field: f"arn:atelier:sagemaker:local:000000000000:{kind}/{name}"})
        if rec.path == "health" and rec.method == "GET":
            body: dict[str, Any] = {"status": "ok", "version": "0.1.0"}
            if self.default_bucket:
                body["object_store"] = {"default_bucket": self.default_bucket}
            return Reply(200, body)
        if rec.path == "objects" and rec.method == "PUT":
            self.objects[rec.query["uri"]] = rec.body
            return Reply(201, {"uri": rec.query["uri"], "size": len(rec.body)})
        if rec.path == "objects" and rec.method == "GET":
            if rec.query.get("uri") not in self.objects:
                return error(404, f"no object {rec.query.get('uri')}", "Not Found")
            return Reply(200, self.objects[rec.query["uri"]], {"Content-Type": "application/octet-stream"})
        if rec.path == "objects/list" and rec.method == "GET":
            prefix = rec.query["prefix"]
            bucket = prefix[len("s3://"):].split("/", 1)[0]
            found = [
                {"key": uri[len(f"s3://{bucket}/"):], "uri": uri, "size": len(data), "last_modified": "2025-01-01T00:00:00Z"}
                for uri, data in sorted(self.objects.items()) if uri.startswith(prefix)
            ]
            return Reply(200, {"objects": found, "truncated": False})
        return error(404, f"no route {rec.method} {rec.path}", "Not Found")


# -- fixtures (imported by the test_sdk_* modules) ------------------------------------------------

import pytest  # noqa: E402

TOKEN = "t0ken"


@pytest.fixture
def fake():
    server = FakeAtelier()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def env(fake, monkeypatch):
    """The environment Atelier gives its kernels, pointing at ``fake``."""
    monkeypatch.setenv("ATELIER_API_URL", fake.url)
    monkeypatch.setenv("ATELIER_TOKEN", TOKEN)
    monkeypatch.delenv("ATELIER_ROOT_DIR", raising=False)
    monkeypatch.delenv("ATELIER_DEFAULT_INSTANCE_TYPE", raising=False)
    return fake


def describe(name: str, status: str, secondary: str | None = None, **extra: Any) -> Reply:
    """A DescribeTrainingJob answer."""
    body = {
        "TrainingJobName": name,
        "TrainingJobArn": f"arn:atelier:sagemaker:local:000000000000:training-job/{name}",
        "TrainingJobStatus": status,
        "SecondaryStatus": secondary or status,
        "CreationTime": "2025-01-01T00:00:00Z",
        "SecondaryStatusTransitions": [{"Status": secondary or status, "StartTime": "2025-01-01T00:00:01Z"}],
    }
    body.update(extra)
    return Reply(200, body)
