"""A small Jupyter client that talks to jupyter_server the way JupyterLab does.

REST calls carry the token in an ``Authorization: token ...`` header. Kernels are
reached through ``/api/kernels/{id}/channels?session_id=<uuid>`` speaking the legacy
JSON WebSocket protocol (no subprotocol negotiated): every frame is one JSON object
``{"header", "msg_id", "msg_type", "parent_header", "metadata", "content",
"buffers", "channel"}``; messages that carry binary buffers arrive as binary frames
(jupyter_server's ``serialize_binary_message`` layout).

Every wait in here is bounded by a deadline; nothing sleeps and hopes.
"""

from __future__ import annotations

import datetime
import json
import struct
import time
import uuid
from dataclasses import dataclass, field
from typing import Callable

import requests
import websocket

PROTOCOL_VERSION = "5.3"


class ClientTimeout(AssertionError):
    """A bounded wait ran out. Carries what had been received so far."""


def _now_iso() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat()


def deserialize_binary(frame: bytes) -> dict:
    """Decode jupyter_server's binary WebSocket frame (legacy protocol with buffers)."""
    (nbufs,) = struct.unpack("!I", frame[:4])
    offsets = list(struct.unpack(f"!{nbufs}I", frame[4 : 4 * (nbufs + 1)]))
    offsets.append(len(frame))
    msg = json.loads(frame[offsets[0] : offsets[1]].decode("utf-8"))
    msg["buffers"] = [frame[offsets[i] : offsets[i + 1]] for i in range(1, nbufs)]
    return msg


V1_PROTOCOL = "v1.kernel.websocket.jupyter.org"


def serialize_v1(channel: str, parts: list[bytes]) -> bytes:
    """A v1 frame: uint64 count, uint64 offsets, channel, header, parent, metadata, content, buffers."""
    ch = channel.encode()
    offsets = [8 * (1 + 1 + len(parts) + 1)]
    offsets.append(offsets[-1] + len(ch))
    for p in parts:
        offsets.append(offsets[-1] + len(p))
    head = len(offsets).to_bytes(8, "little") + b"".join(o.to_bytes(8, "little") for o in offsets)
    return head + ch + b"".join(parts)


def deserialize_v1(frame: bytes) -> dict:
    n = int.from_bytes(frame[:8], "little")
    offsets = [int.from_bytes(frame[8 * (i + 1): 8 * (i + 2)], "little") for i in range(n)]
    channel = frame[offsets[0]:offsets[1]].decode()
    parts = [frame[offsets[i]:offsets[i + 1]] for i in range(1, n - 1)]
    msg = {k: json.loads(p) for k, p in zip(("header", "parent_header", "metadata", "content"), parts[:4])}
    msg["buffers"] = parts[4:]
    msg["channel"] = channel
    return msg


def serialize_binary(msg: dict, buffers: list[bytes]) -> bytes:
    """The legacy binary frame: uint32 count, uint32 offsets, the JSON message, the buffers."""
    body = json.dumps({k: v for k, v in msg.items() if k != "buffers"}).encode()
    chunks = [body] + list(buffers)
    offsets = [4 * (len(chunks) + 1)]
    for c in chunks[:-1]:
        offsets.append(offsets[-1] + len(c))
    return struct.pack("!" + "I" * (len(chunks) + 1), len(chunks), *offsets) + b"".join(chunks)


def stream_text(messages: list[dict], name: str = "stdout", parent_id: str | None = None) -> str:
    """The text of the ``stream`` messages named ``name`` (of request ``parent_id``, if given), joined.

    A kernel may send one print in several stream messages (ipykernel flushes its buffer on a timer,
    so ``print("line", 14)`` can arrive as ``"line"`` and ``" 14\\n"``) or several prints in one:
    only the joined text means anything. Split it into lines after joining, never per message.
    """
    return "".join(
        m["content"]["text"] for m in messages
        if m.get("msg_type") == "stream" and m["content"].get("name") == name
        and (parent_id is None or (m.get("parent_header") or {}).get("msg_id") == parent_id)
    )


def complete_lines(text: str) -> list[str]:
    """The lines of ``text`` that have their newline; a last line still being printed is left out."""
    return text.split("\n")[:-1]


class Rest:
    """REST access to one jupyter_server, authenticated with a token header."""

    def __init__(self, base_url: str, token: str, timeout: float = 30.0):
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"token {token}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def request(self, method: str, path: str, **kw) -> requests.Response:
        kw.setdefault("timeout", self.timeout)
        return self.http.request(method, self.url(path), **kw)

    def get(self, path: str, **kw) -> requests.Response:
        return self.request("GET", path, **kw)

    def post(self, path: str, **kw) -> requests.Response:
        return self.request("POST", path, **kw)

    def delete(self, path: str, **kw) -> requests.Response:
        return self.request("DELETE", path, **kw)

    def create_session(self, path: str, kernel_name: str = "python3") -> dict:
        """What JupyterLab sends when a notebook is opened."""
        body = {
            "path": path,
            "type": "notebook",
            "name": path.rsplit("/", 1)[-1],
            "kernel": {"name": kernel_name},
        }
        r = self.post("/api/sessions", json=body, timeout=90)
        assert r.status_code == 201, f"POST /api/sessions -> {r.status_code}: {r.text[:2000]}"
        return r.json()

    def ws_url(self, kernel_id: str, session_id: str) -> str:
        base = self.base_url.replace("http://", "ws://", 1).replace("https://", "wss://", 1)
        return f"{base}/api/kernels/{kernel_id}/channels?session_id={session_id}"


@dataclass
class Reply:
    """Everything one request produced, collected until its idle status and its reply."""

    request: dict
    reply: dict | None = None
    iopub: list[dict] = field(default_factory=list)
    stdin: list[dict] = field(default_factory=list)
    other: list[dict] = field(default_factory=list)  # messages parented to someone else

    @property
    def content(self) -> dict:
        assert self.reply is not None, "no reply collected"
        return self.reply["content"]

    @property
    def status(self) -> str | None:
        return None if self.reply is None else self.reply["content"].get("status")

    def of_type(self, msg_type: str) -> list[dict]:
        return [m for m in self.iopub if m["msg_type"] == msg_type]

    def stream_text(self, name: str = "stdout") -> str:
        """Everything the request printed on ``name``, joined across its stream messages."""
        return stream_text(self.iopub, name)

    def stream_lines(self, name: str = "stdout") -> list[str]:
        """The lines printed on ``name``, split after joining the stream messages."""
        return complete_lines(self.stream_text(name))

    def results(self) -> list[dict]:
        return [m["content"] for m in self.of_type("execute_result")]

    def errors(self) -> list[dict]:
        return [m["content"] for m in self.of_type("error")]

    def summary(self) -> str:
        """A short description for assertion messages."""
        parts = [f"reply={json.dumps(self.reply['content'])[:600] if self.reply else None}"]
        for m in self.iopub[:40]:
            c = json.dumps(m["content"])
            parts.append(f"  iopub {m['msg_type']}: {c[:300]}")
        if len(self.iopub) > 40:
            parts.append(f"  ... {len(self.iopub) - 40} more iopub messages")
        return "\n".join(parts)


class KernelClient:
    """One WebSocket connection to one kernel, as a JupyterLab KernelConnection."""

    def __init__(self, rest: Rest, kernel_id: str, session_id: str | None = None,
                 protocol: str = "legacy", headers: list[str] | None = None):
        self.rest = rest
        # "legacy" (JSON text frames) or "v1" (v1.kernel.websocket.jupyter.org binary frames)
        self.protocol = protocol
        self.headers = headers
        self.kernel_id = kernel_id
        # JupyterLab's clientId: the session_id query argument and header.session
        self.session_id = session_id or uuid.uuid4().hex
        self.ws: websocket.WebSocket | None = None
        # Messages read while waiting for something else, in arrival order.
        self.unclaimed: list[dict] = []
        # Every message ever received, with the monotonic time it arrived.
        self.log: list[tuple[float, dict]] = []

    # -- connection ---------------------------------------------------------

    def connect(self, wait_ready: bool = True, timeout: float = 60.0) -> None:
        self.ws = websocket.create_connection(
            self.rest.ws_url(self.kernel_id, self.session_id),
            header=self.headers if self.headers is not None else [f"Authorization: token {self.rest.token}"],
            timeout=timeout,
            enable_multithread=True,
            subprotocols=[V1_PROTOCOL] if self.protocol == "v1" else None,
        )
        if self.protocol == "v1":
            chosen = self.ws.getsubprotocol()
            assert chosen == V1_PROTOCOL, f"server did not select {V1_PROTOCOL} (got {chosen!r})"
        if wait_ready:
            self.wait_ready(timeout=timeout)

    def wait_ready(self, timeout: float = 60.0) -> dict:
        """Send kernel_info_request (as JupyterLab does on every connect) until a reply."""
        deadline = time.monotonic() + timeout
        last_err: Exception | None = None
        while time.monotonic() < deadline:
            try:
                r = self.request(
                    "kernel_info_request",
                    {},
                    timeout=min(10.0, max(0.1, deadline - time.monotonic())),
                )
                return r.reply
            except ClientTimeout as e:  # kernel still starting: ask again
                last_err = e
        raise ClientTimeout(f"kernel {self.kernel_id} never answered kernel_info_request: {last_err}")

    def close(self) -> None:
        if self.ws is not None:
            try:
                self.ws.close(timeout=3)
            except Exception:
                pass
            self.ws = None

    def reconnect(self, wait_ready: bool = True, timeout: float = 60.0) -> None:
        """Close and open again with the same session_id (JupyterLab's reconnect())."""
        self.close()
        self.connect(wait_ready=wait_ready, timeout=timeout)

    # -- messages -----------------------------------------------------------

    def make_message(self, msg_type: str, content: dict, channel: str = "shell",
                     parent_header: dict | None = None, metadata: dict | None = None) -> dict:
        msg_id = uuid.uuid4().hex
        header = {
            "msg_id": msg_id,
            "msg_type": msg_type,
            "username": "",
            "session": self.session_id,
            "date": _now_iso(),
            "version": PROTOCOL_VERSION,
        }
        return {
            "header": header,
            "msg_id": msg_id,
            "msg_type": msg_type,
            "parent_header": parent_header or {},
            "metadata": metadata or {},
            "content": content,
            "buffers": [],
            "channel": channel,
        }

    def send(self, msg: dict, buffers: list[bytes] | None = None) -> dict:
        assert self.ws is not None, "not connected"
        if self.protocol == "v1":
            parts = [json.dumps(msg[k]).encode() for k in ("header", "parent_header", "metadata", "content")]
            self.ws.send_binary(serialize_v1(msg["channel"], parts + list(buffers or [])))
        elif buffers:
            self.ws.send_binary(serialize_binary(msg, buffers))
        else:
            self.ws.send(json.dumps(msg))
        return msg

    def recv(self, timeout: float) -> dict | None:
        """The next message from the socket, or None when nothing came before timeout."""
        assert self.ws is not None, "not connected"
        self.ws.settimeout(max(0.001, timeout))
        try:
            opcode, data = self.ws.recv_data()
        except websocket.WebSocketTimeoutException:
            return None
        if opcode == websocket.ABNF.OPCODE_TEXT:
            msg = json.loads(data.decode("utf-8"))
        elif opcode == websocket.ABNF.OPCODE_BINARY:
            msg = deserialize_v1(data) if self.protocol == "v1" else deserialize_binary(data)
        elif opcode == websocket.ABNF.OPCODE_CLOSE:
            raise ConnectionError("WebSocket closed by the server")
        else:
            return None
        msg.setdefault("msg_type", msg.get("header", {}).get("msg_type"))
        msg.setdefault("msg_id", msg.get("header", {}).get("msg_id"))
        self.log.append((time.monotonic(), msg))
        return msg

    def next_message(self, predicate: Callable[[dict], bool], timeout: float) -> dict:
        """Read until a message matches predicate; others are kept in self.unclaimed."""
        for i, m in enumerate(self.unclaimed):
            if predicate(m):
                return self.unclaimed.pop(i)
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise ClientTimeout(
                    f"no matching message within {timeout}s; unclaimed: "
                    + ", ".join(f"{m.get('channel')}/{m['msg_type']}" for m in self.unclaimed[-20:])
                )
            m = self.recv(left)
            if m is None:
                continue
            if predicate(m):
                return m
            self.unclaimed.append(m)

    def collect(self, request: dict, timeout: float = 30.0, expect_reply: bool = True,
                stdin_reply: str | Callable[[dict], str] | None = None,
                result: Reply | None = None) -> Reply:
        """Collect the messages parented to request until status idle (and the reply)."""
        msg_id = request["header"]["msg_id"]
        res = result or Reply(request=request)
        idle = any(
            m["msg_type"] == "status" and m["content"].get("execution_state") == "idle"
            for m in res.iopub
        )
        deadline = time.monotonic() + timeout

        def parented(m: dict) -> bool:
            return (m.get("parent_header") or {}).get("msg_id") == msg_id

        # first whatever was read earlier and belongs to this request
        pending = [m for m in self.unclaimed if parented(m)]
        self.unclaimed = [m for m in self.unclaimed if not parented(m)]
        while not (idle and (res.reply is not None or not expect_reply)):
            if pending:
                m = pending.pop(0)
            else:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise ClientTimeout(
                        f"{request['msg_type']} not finished within {timeout}s "
                        f"(idle seen: {idle}, reply seen: {res.reply is not None})\n{res.summary()}"
                    )
                m = self.recv(left)
                if m is None:
                    continue
                if not parented(m):
                    self.unclaimed.append(m)
                    res.other.append(m)
                    continue
            channel = m.get("channel")
            if channel == "iopub":
                res.iopub.append(m)
                if m["msg_type"] == "status" and m["content"].get("execution_state") == "idle":
                    idle = True
            elif channel == "stdin":
                res.stdin.append(m)
                if m["msg_type"] == "input_request":
                    if stdin_reply is None:
                        raise AssertionError(f"unexpected input_request: {m['content']}")
                    value = stdin_reply(m) if callable(stdin_reply) else stdin_reply
                    self.send(self.make_message("input_reply", {"value": value}, channel="stdin",
                                                parent_header=m["header"]))
            elif channel in ("shell", "control"):
                res.reply = m
            else:
                res.other.append(m)
        return res

    def request(self, msg_type: str, content: dict, channel: str = "shell",
                timeout: float = 30.0, expect_reply: bool = True, **kw) -> Reply:
        msg = self.send(self.make_message(msg_type, content, channel=channel))
        return self.collect(msg, timeout=timeout, expect_reply=expect_reply, **kw)

    def execute_request(self, code: str, allow_stdin: bool = True, silent: bool = False) -> dict:
        """Send an execute_request without waiting; pair with collect()."""
        return self.send(self.make_message("execute_request", {
            "code": code,
            "silent": silent,
            "store_history": not silent,
            "user_expressions": {},
            "allow_stdin": allow_stdin,
            "stop_on_error": True,
        }))

    def execute(self, code: str, stdin_reply: str | Callable[[dict], str] | None = None,
                timeout: float = 30.0) -> Reply:
        msg = self.execute_request(code, allow_stdin=True)
        return self.collect(msg, timeout=timeout, stdin_reply=stdin_reply)

    def ok(self, code: str, timeout: float = 30.0) -> Reply:
        """Execute and assert success."""
        r = self.execute(code, timeout=timeout)
        assert r.status == "ok", f"cell failed: {code!r}\n{r.summary()}"
        return r

    def eval(self, expr: str, timeout: float = 30.0) -> str:
        """text/plain of the execute_result of expr."""
        r = self.ok(expr, timeout=timeout)
        results = r.results()
        assert len(results) == 1, f"expected one execute_result for {expr!r}\n{r.summary()}"
        return results[0]["data"]["text/plain"]
