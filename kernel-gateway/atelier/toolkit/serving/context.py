"""The request context an inference script's functions may take, in the shape of the one the
sagemaker framework containers hand them (the sagemaker-inference toolkit on multi-model-server or
TorchServe): a function that accepts one parameter more than its usual ones gets it last, e.g.
``predict_fn(input_data, model, context)``.

- ``context.request_processor[0].get_request_properties()``: the request's headers (a dict that
  looks names up in any case), among them ``X-Amzn-SageMaker-Custom-Attributes``, the
  ``CustomAttributes`` of boto3's ``invoke_endpoint``; ``context.get_request_header(0, name)``
  reads one, and ``context.custom_attributes`` is that header (None when the request had none),
  with ``request_content_type``, ``accept_header`` and ``content_length`` beside it as the
  TensorFlow Serving container's context has them;
- ``context.set_response_header(0, name, value)`` (or
  ``context.request_processor[0].add_response_property(name, value)``) adds a header to the
  answer: ``X-Amzn-SageMaker-Custom-Attributes`` reaches the caller as the ``CustomAttributes``
  of ``invoke_endpoint``'s answer (``context.set_custom_attributes(value)`` is the short form);
  ``context.set_response_status(code, phrase)`` answers with another status.

``model_fn(model_dir, context)`` gets a context without a request (``request_processor`` is
empty): the model loads as the worker starts, before any invocation.
"""

from __future__ import annotations

import inspect
import os
import re
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable

CUSTOM_ATTRIBUTES = "X-Amzn-SageMaker-Custom-Attributes"
INFERENCE_ID = "X-Amzn-SageMaker-Inference-Id"
# SageMaker's limit for CustomAttributes, both ways.
CUSTOM_ATTRIBUTES_LIMIT = 1024
# Header names as the SageMaker runtime spells them (WSGI gives them upper-cased).
_SPELLED = {name.lower(): name for name in (
    "Content-Type", "Content-Length", "Accept", CUSTOM_ATTRIBUTES, INFERENCE_ID,
    "X-Amzn-SageMaker-Target-Model", "X-Amzn-SageMaker-Target-Variant", "X-Amzn-SageMaker-Session-Id",
    "X-Amzn-SageMaker-Enable-Explanations", "X-Amzn-SageMaker-Inference-Component")}
# Headers the model server writes itself: a script setting one would break the answer's framing.
_OWN = {"content-length", "transfer-encoding", "connection", "keep-alive", "upgrade", "te", "trailer",
        "proxy-connection", "date", "server"}
_TOKEN = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
_VISIBLE_ASCII = re.compile(r"^[\x20-\x7e]*$")


class RequestHeaders(dict):
    """A request's headers, ``{name: value}``, read in any spelling of the name."""

    def __init__(self, headers: dict[str, str] | None = None):
        super().__init__()
        self._names: dict[str, str] = {}
        for name, value in (headers or {}).items():
            self[name] = value

    def __setitem__(self, name: str, value: str) -> None:
        known = self._names.get(name.lower())
        if known is not None and known != name:
            super().__delitem__(known)
        self._names[name.lower()] = name
        super().__setitem__(name, value)

    def __getitem__(self, name: str) -> str:
        return super().__getitem__(self._names.get(str(name).lower(), name))

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._names

    def get(self, name: str, default: Any = None) -> Any:
        return self[name] if name in self else default


def request_headers(environ: dict) -> RequestHeaders:
    """The headers of a WSGI request, named as the SageMaker runtime sends them."""
    headers = RequestHeaders()
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            raw = key[5:].replace("_", "-").lower()
        elif key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            raw = key.replace("_", "-").lower()
        else:
            continue
        if value == "" and key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            continue
        headers[_SPELLED.get(raw) or "-".join(part.capitalize() for part in raw.split("-"))] = value
    return headers


class RequestProcessor:
    """One request of a context: its headers in, the answer's status and headers out."""

    def __init__(self, request_header: RequestHeaders):
        self._request_header = request_header
        self._status_code = 200
        self._reason_phrase: str | None = None
        self._response_header: dict[str, str] = {}

    def get_request_properties(self) -> RequestHeaders:
        return self._request_header

    def get_request_property(self, key: str) -> str | None:
        return self._request_header.get(key)

    def report_status(self, code: int, reason_phrase: str | None = None) -> None:
        self._status_code = int(code)
        self._reason_phrase = reason_phrase

    def get_response_status_code(self) -> int:
        return self._status_code

    def get_response_status_phrase(self) -> str | None:
        return self._reason_phrase

    def add_response_property(self, key: str, value: str) -> None:
        self._response_header[key] = value

    def get_response_headers(self) -> dict[str, str]:
        return self._response_header

    def get_response_header(self, key: str) -> str | None:
        return self._response_header.get(key)


class Context:
    """What an inference script's functions are told about the worker and the request."""

    def __init__(self, model_dir: str, workers: int = 1, request: RequestHeaders | None = None):
        self.model_name = "model"
        self.manifest: dict = {}
        self._system_properties = {"model_dir": model_dir, "gpu_id": None, "batch_size": 1,
                                   "server_name": "atelier-serve", "server_version": None,
                                   "workers": workers, "pid": os.getpid()}
        self.request_processor: list[RequestProcessor] = [] if request is None else [RequestProcessor(request)]
        self.request_ids: dict[int, str] = {} if request is None else {
            0: request.get(INFERENCE_ID) or str(uuid.uuid4())}
        self.metrics = None

    @property
    def system_properties(self) -> dict:
        return self._system_properties

    # -- the request ---------------------------------------------------------------------------

    def get_request_id(self, idx: int = 0) -> str | None:
        return self.request_ids.get(idx)

    def get_request_header(self, idx: int, key: str) -> str | None:
        return self.request_processor[idx].get_request_property(key)

    def get_all_request_header(self, idx: int = 0) -> RequestHeaders:
        return self.request_processor[idx].get_request_properties()

    def _header(self, name: str) -> str | None:
        return self.request_processor[0].get_request_property(name) if self.request_processor else None

    @property
    def custom_attributes(self) -> str | None:
        """The request's ``X-Amzn-SageMaker-Custom-Attributes``, None when it had none."""
        return self._header(CUSTOM_ATTRIBUTES)

    @property
    def request_content_type(self) -> str | None:
        return self._header("Content-Type")

    @property
    def accept_header(self) -> str | None:
        return self._header("Accept")

    @property
    def content_length(self) -> int | None:
        value = self._header("Content-Length")
        return int(value) if value and value.strip().isdigit() else None

    # -- the answer ----------------------------------------------------------------------------

    def set_response_header(self, idx: int, key: str, value: str) -> None:
        self.request_processor[idx].add_response_property(key, value)

    def get_response_headers(self, idx: int = 0) -> dict[str, str]:
        return self.request_processor[idx].get_response_headers()

    def set_response_content_type(self, idx: int, value: str) -> None:
        self.set_response_header(idx, "Content-Type", value)

    def get_response_content_type(self, idx: int = 0) -> str | None:
        for name, value in self.get_response_headers(idx).items():
            if name.lower() == "content-type":
                return value
        return None

    def set_custom_attributes(self, value: str) -> None:
        """The answer's ``X-Amzn-SageMaker-Custom-Attributes``."""
        self.set_response_header(0, CUSTOM_ATTRIBUTES, value)

    def set_response_status(self, code: int = 200, phrase: str = "", idx: int = 0) -> None:
        self.request_processor[idx].report_status(code, reason_phrase=phrase)

    def get_response_status(self, idx: int = 0) -> tuple[int, str | None]:
        processor = self.request_processor[idx]
        return processor.get_response_status_code(), processor.get_response_status_phrase()


@dataclass
class Answer:
    """An invocation's answer as the model server writes it."""

    body: bytes
    content_type: str
    status: int = 200
    headers: list[tuple[str, str]] = field(default_factory=list)


def answer_from(context: Context, body: bytes, content_type: str, returned_type: bool) -> Answer:
    """The answer with what the script set on the context: its status, its headers (a
    ``ValueError`` naming a header the answer cannot carry), its content type when the function
    returned none of its own."""
    processor = context.request_processor[0]
    headers = []
    for name, value in processor.get_response_headers().items():
        name, value = str(name), str(value)
        if not _TOKEN.match(name):
            raise ValueError(f"the answer's header name {name!r} is not an HTTP token")
        if any(c in value for c in "\r\n\0"):
            raise ValueError(f"the answer's header {name} holds a line break or a NUL character")
        lowered = name.lower()
        if lowered in _OWN:
            raise ValueError(f"the answer's header {name} is the model server's own; the script cannot set it")
        if lowered == CUSTOM_ATTRIBUTES.lower() and (len(value) > CUSTOM_ATTRIBUTES_LIMIT
                                                      or not _VISIBLE_ASCII.match(value)):
            raise ValueError(f"the answer's {CUSTOM_ATTRIBUTES} must be at most {CUSTOM_ATTRIBUTES_LIMIT} "
                             f"visible US-ASCII characters (it has {len(value)})")
        if lowered == "content-type":
            if not returned_type:
                content_type = value
            continue
        headers.append((name, value))
    status = processor.get_response_status_code()
    if not 200 <= status <= 599:
        raise ValueError(f"the answer's status {status} set on the context is not an HTTP status (200-599)")
    return Answer(body, content_type, status, headers)


def takes_context(function: Callable, arguments: int) -> bool:
    """Whether ``function`` takes a context after its ``arguments`` usual ones (a ``TypeError``
    naming it when it takes neither), as the sagemaker-inference toolkit decides."""
    try:
        parameters = list(inspect.signature(function).parameters.values())
    except (TypeError, ValueError):
        return False  # a builtin without a signature: called as usual
    if any(p.kind is p.VAR_POSITIONAL for p in parameters):
        return False
    positional = [p for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    required = [p for p in positional if p.default is p.empty]
    if len(positional) >= arguments + 1 and len(required) <= arguments + 1:
        return True
    if len(required) <= arguments <= len(positional):
        return False
    name = getattr(function, "__name__", repr(function))
    raise TypeError(f"{name} takes {len(positional)} argument(s); it is called with {arguments} "
                    f"(or {arguments + 1}, the last one the request context)")
