"""The model server's WSGI application (one per gunicorn worker): ``GET /ping``, ``POST
/invocations``, ``GET /execution-parameters``.

The model loads in a thread of its own as the worker starts, so that a slow load neither blocks
``/ping`` nor trips gunicorn's worker timeout: ``/ping`` answers 503 while it loads, 200 once it
has, and 500 with the reason when it failed (logged once, with the traceback). An invocation that
comes during the load waits for it.

Errors are plain text (``text/plain; charset=utf-8``), which the server passes on to the caller
as the ``OriginalMessage`` of a ModelError: 4xx for the request, 500 for the model or the script.
"""

from __future__ import annotations

import http
import json
import os
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

from .codecs import RequestError
from .context import request_headers

# SageMaker's limit for a request's body: 6 MB.
MAX_PAYLOAD = 6 * 1024 * 1024
DEFAULT_BASE_DIR = "/opt/ml"


def log(message: str) -> None:
    print(f"serve: {message}", file=sys.stderr, flush=True)


def _int(environ: Mapping[str, str], name: str, default: int, minimum: int = 1) -> int:
    value = environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ValueError(f"{name}={value!r} is not a whole number") from None
    if number < minimum:
        raise ValueError(f"{name}={value} must be at least {minimum}")
    return number


def cpu_count() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class ServingConfig:
    """What ``serve`` reads from its environment (a ``ValueError`` naming a bad variable)."""

    model_dir: Path
    base_dir: Path
    program: str | None
    bind_address: str = "0.0.0.0"
    port: int = 8080
    workers: int = 1
    timeout: int = 60
    max_payload: int = MAX_PAYLOAD
    environ: Mapping[str, str] = field(default_factory=dict, repr=False)

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> "ServingConfig":
        env = dict(os.environ if environ is None else environ)
        base = Path(env.get("SM_BASE_DIR") or DEFAULT_BASE_DIR)
        port = _int(env, "PORT", 8080)
        if port > 65535:
            raise ValueError(f"PORT={port} is not a TCP port")
        return cls(
            model_dir=Path(env.get("SM_MODEL_DIR") or base / "model"),
            base_dir=base,
            program=env.get("SAGEMAKER_PROGRAM", "").strip() or None,
            bind_address=env.get("BIND_ADDRESS", "").strip() or "0.0.0.0",
            port=port,
            workers=_int(env, "SAGEMAKER_MODEL_SERVER_WORKERS", cpu_count()),
            timeout=_int(env, "SAGEMAKER_MODEL_SERVER_TIMEOUT", 60),
            environ=env,
        )


def load_handler(config: ServingConfig):
    """The model with what answers its invocations: the script's functions, or the built-in model."""
    if not config.model_dir.is_dir():
        raise FileNotFoundError(f"the model folder {config.model_dir} does not exist (the model's model.tar.gz "
                                f"unpacked; or set SM_MODEL_DIR)")
    if config.program:
        from .script_mode import ScriptMode, find_script

        return ScriptMode(find_script(config.program, config.model_dir, config.base_dir, config.environ),
                          config.model_dir, config.workers)
    from .builtin import MODEL_FILE, BuiltinSklearn

    if (config.model_dir / MODEL_FILE).is_file():
        return BuiltinSklearn(config.model_dir)
    present = sorted(p.name for p in config.model_dir.iterdir())[:20]
    raise FileNotFoundError(f"{config.model_dir} holds no {MODEL_FILE} (it holds: {', '.join(present) or 'nothing'}) "
                            f"and SAGEMAKER_PROGRAM names no inference script")


class ModelServer:
    """The WSGI application: loads the model once, then answers pings and invocations."""

    def __init__(self, config: ServingConfig, loader: Callable[[ServingConfig], Any] = load_handler):
        self.config = config
        self._loader = loader
        self._loaded = threading.Event()
        self.handler: Any = None
        self.failure: str | None = None

    def start_loading(self) -> None:
        threading.Thread(target=self._load, name="model-load", daemon=True).start()

    def _load(self) -> None:
        started = time.monotonic()
        try:
            self.handler = self._loader(self.config)
            log(f"pid {os.getpid()}: loaded the {self.handler.description} from {self.config.model_dir} "
                f"in {time.monotonic() - started:.1f}s")
        except BaseException as e:  # noqa: BLE001 - whatever the user's model_fn raises
            lines = traceback.format_exception_only(type(e), e)
            self.failure = f"the model failed to load: {lines[-1].strip()}"
            log(f"pid {os.getpid()}: {self.failure}\n" + "".join(traceback.format_exception(e)).rstrip())
        finally:
            self._loaded.set()

    # -- WSGI --------------------------------------------------------------------------------

    def __call__(self, environ: dict, start_response) -> Iterable[bytes]:
        path = environ.get("PATH_INFO") or "/"
        method = environ.get("REQUEST_METHOD", "GET")
        routes = {"/ping": ("GET", self.ping), "/invocations": ("POST", self.invocations),
                  "/execution-parameters": ("GET", self.execution_parameters)}
        route = routes.get(path)
        if route is None:
            status, headers, body = _text(404, f"no such path: {path} (the model server answers GET /ping "
                                               f"and POST /invocations)")
        elif method != route[0] and not (method == "HEAD" and route[0] == "GET"):
            status, headers, body = _text(405, f"{path} takes {route[0]}, not {method}")
            headers.append(("Allow", route[0]))
        else:
            status, headers, body = route[1](environ)
        start_response(_STATUS_LINES.get(status) or f"{status} {_reason(status)}", headers)
        return [] if method == "HEAD" else [body]

    def ping(self, environ: dict):
        if not self._loaded.is_set():
            return _text(503, "the model is loading")
        if self.failure:
            return _text(500, self.failure)
        return 200, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", "0")], b""

    def execution_parameters(self, environ: dict):
        answer = {"MaxConcurrentTransforms": self.config.workers, "BatchStrategy": "MULTI_RECORD",
                  "MaxPayloadInMB": self.config.max_payload // (1024 * 1024)}
        return _json(200, answer)

    def invocations(self, environ: dict):
        try:
            body = read_body(environ, self.config.max_payload)
        except RequestError as e:
            return _text(e.status, e.message)
        # Wait for a load still under way, within the invocation's own time.
        if not self._loaded.wait(max(1, self.config.timeout - 5)):
            return _text(503, "the model is still loading")
        if self.failure:
            return _text(500, self.failure)
        try:
            answer = self.handler.invoke(body, environ.get("CONTENT_TYPE"), environ.get("HTTP_ACCEPT"),
                                         request_headers(environ))
        except RequestError as e:
            return _text(e.status, e.message)
        except Exception as e:  # noqa: BLE001 - the model's or the script's error, for the caller
            log("invocation failed:\n" + traceback.format_exc().rstrip())
            lines = traceback.format_exception_only(type(e), e)
            return _text(500, f"the model failed on this request: {lines[-1].strip()}")
        return answer.status, [("Content-Type", answer.content_type), ("Content-Length", str(len(answer.body))),
                               *answer.headers], answer.body


def read_body(environ: dict, limit: int) -> bytes:
    """The request's body; a 413 past ``limit`` bytes (with or without Content-Length)."""
    stream = environ["wsgi.input"]
    length = (environ.get("CONTENT_LENGTH") or "").strip()
    too_large = RequestError(413, f"the body is larger than {limit} bytes ({limit // (1024 * 1024)} MB), "
                                  f"the most an invocation takes")
    if length:
        try:
            size = int(length)
        except ValueError:
            raise RequestError(400, f"Content-Length {length!r} is not a number") from None
        if size > limit:
            # Read (and drop) what a client sends before it reads the answer, within bounds, so
            # that it sees the 413 rather than a reset connection.
            left = min(size, 4 * limit)
            while left > 0:
                chunk = stream.read(min(left, 1 << 16))
                if not chunk:
                    break
                left -= len(chunk)
            raise too_large
        return stream.read(size) if size else b""
    body = stream.read(limit + 1)
    if len(body) > limit:
        raise too_large
    return body


_STATUS_LINES = {200: "200 OK", 400: "400 Bad Request", 404: "404 Not Found", 405: "405 Method Not Allowed",
                 406: "406 Not Acceptable", 413: "413 Payload Too Large", 415: "415 Unsupported Media Type",
                 500: "500 Internal Server Error", 503: "503 Service Unavailable"}


def _reason(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Status"


def _text(status: int, message: str):
    body = (message.rstrip("\n") + "\n").encode("utf-8")
    return status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))], body


def _json(status: int, value: Any):
    body = json.dumps(value).encode()
    return status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))], body
