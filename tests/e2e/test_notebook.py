"""End-to-end behaviour of a notebook kernel behind stock jupyter_server.

Each test opens a notebook the way JupyterLab does (POST /api/sessions, then the kernel
WebSocket) and checks what a notebook user would see. The same tests run on every
backend (see conftest.py).
"""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import struct
import threading
import time
import zlib

import pytest

from client import complete_lines, stream_text

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def tiny_png() -> bytes:
    """A valid 1x1 RGB PNG; the cells build the same bytes with the same code."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00\xff\x80\x00")
    return PNG_SIGNATURE + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


TINY_PNG_CELL = '''
import struct, zlib
from IPython.display import Image, display
def _chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
_png = (b"\\x89PNG\\r\\n\\x1a\\n"
        + _chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
        + _chunk(b"IDAT", zlib.compress(b"\\x00\\xff\\x80\\x00"))
        + _chunk(b"IEND", b""))
display(Image(data=_png, format="png"))
'''


@pytest.mark.timeout(60)
def test_kernelspecs_list_python3_with_debugger_and_logo(backend):
    r = backend.rest.get("/api/kernelspecs")
    assert r.status_code == 200, r.text
    specs = r.json()
    assert "python3" in specs["kernelspecs"], f"kernelspecs: {list(specs['kernelspecs'])}"
    py = specs["kernelspecs"]["python3"]
    assert py["spec"]["language"] == "python"
    assert py["spec"].get("metadata", {}).get("debugger") is True, f"spec: {json.dumps(py['spec'])}"
    logos = {k: v for k, v in py["resources"].items() if k.startswith("logo")}
    assert logos, f"no logo resource: {py['resources']}"
    # the resource is served through jupyter_server, as JupyterLab loads it
    url = logos.get("logo-64x64") or next(iter(logos.values()))
    img = backend.rest.get(url)
    assert img.status_code == 200, f"GET {url} -> {img.status_code}: {img.text[:300]}"
    assert img.content.startswith(PNG_SIGNATURE) or b"<svg" in img.content[:2000], img.content[:100]


@pytest.mark.timeout(60)
def test_stream_output(notebook):
    r = notebook.client.execute("print('hello')")
    assert r.status == "ok", r.summary()
    # on stdout only, in one stream message or several (a kernel may split a print)
    streams = r.of_type("stream")
    assert streams and {m["content"]["name"] for m in streams} == {"stdout"}, r.summary()
    assert r.stream_text("stdout") == "hello\n"
    # the status sequence brackets the request
    states = [m["content"]["execution_state"] for m in r.of_type("status")]
    assert states[0] == "busy" and states[-1] == "idle", states
    assert r.reply["channel"] == "shell" and r.reply["msg_type"] == "execute_reply"


@pytest.mark.timeout(60)
def test_display_data_png(notebook):
    r = notebook.client.execute(TINY_PNG_CELL)
    assert r.status == "ok", r.summary()
    displays = r.of_type("display_data")
    assert len(displays) == 1, r.summary()
    data = displays[0]["content"]["data"]
    assert "image/png" in data, data.keys()
    png = base64.b64decode(data["image/png"])
    assert png.startswith(PNG_SIGNATURE)
    assert png == tiny_png()
    assert "text/plain" in data


@pytest.mark.timeout(60)
def test_execute_result(notebook):
    r = notebook.client.execute("6*7")
    assert r.status == "ok", r.summary()
    results = r.results()
    assert len(results) == 1, r.summary()
    assert results[0]["data"]["text/plain"] == "42"
    assert results[0]["execution_count"] == r.content["execution_count"]
    inputs = r.of_type("execute_input")
    assert inputs and inputs[0]["content"]["code"] == "6*7"


@pytest.mark.timeout(60)
def test_error_with_traceback(notebook):
    r = notebook.client.execute("1/0")
    assert r.status == "error", r.summary()
    assert r.content["ename"] == "ZeroDivisionError"
    errors = r.errors()
    assert len(errors) == 1, r.summary()
    assert errors[0]["ename"] == "ZeroDivisionError"
    assert "division by zero" in errors[0]["evalue"]
    assert errors[0]["traceback"] and all(isinstance(t, str) for t in errors[0]["traceback"])
    # the kernel goes on
    assert notebook.client.eval("1+1") == "2"


@pytest.mark.timeout(60)
def test_input_answered_over_stdin(notebook):
    prompts = []

    def answer(msg):
        prompts.append(msg["content"])
        return "Ada"

    r = notebook.client.execute("x = input('name? ')", stdin_reply=answer)
    assert r.status == "ok", r.summary()
    assert len(prompts) == 1, r.stdin
    assert prompts[0]["prompt"] == "name? "
    assert prompts[0]["password"] is False
    assert r.stdin[0]["channel"] == "stdin" and r.stdin[0]["msg_type"] == "input_request"
    assert notebook.client.eval("x") == "'Ada'"


@pytest.mark.timeout(90)
def test_interrupt_keeps_kernel_and_state(notebook, backend):
    c = notebook.client
    c.ok("kept = 'before interrupt'")
    req = c.execute_request("print('looping', flush=True)\nwhile True: pass")
    msg_id = req["header"]["msg_id"]
    # wait until the kernel is running the loop: its own output says so (a SIGINT that lands while
    # ipykernel is still setting the cell up, after execute_input, ends it with no error)
    c.next_message(
        lambda m: m.get("channel") == "iopub"
        and m["msg_type"] == "stream"
        and m["parent_header"].get("msg_id") == msg_id,
        timeout=30,
    )
    resp = backend.rest.post(f"/api/kernels/{notebook.id}/interrupt")
    assert resp.status_code == 204, f"interrupt -> {resp.status_code}: {resp.text}"
    r = c.collect(req, timeout=30)
    assert r.status == "error", r.summary()
    assert r.content["ename"] == "KeyboardInterrupt", r.summary()
    assert [e["ename"] for e in r.errors()] == ["KeyboardInterrupt"], r.summary()
    assert c.eval("kept") == "'before interrupt'"


@pytest.mark.timeout(120)
def test_restart_clears_state(notebook, backend):
    c = notebook.client
    c.ok("gone_after_restart = 1")
    resp = backend.rest.post(f"/api/kernels/{notebook.id}/restart", timeout=90)
    assert resp.status_code == 200, f"restart -> {resp.status_code}: {resp.text}"
    assert resp.json()["id"] == notebook.id
    # JupyterLab reconnects its WebSocket after a restart (the ports may have changed)
    c.reconnect(wait_ready=True, timeout=60)
    r = c.execute("gone_after_restart")
    assert r.status == "error", r.summary()
    assert r.content["ename"] == "NameError", r.summary()
    assert c.eval("6*7") == "42"
    assert int(c.eval("__import__('os').getpid()")) != notebook.pid
    if not backend.in_containers:
        backend.kernel_pids.append(int(c.eval("__import__('os').getpid()")))


# 20 MB of output in one cell. jupyter_server in gateway mode talks to the gateway through
# tornado's websocket_connect, whose max_message_size is 10 MiB: a larger kernel message
# closes that connection. ipykernel batches stdout until a flush (explicit or its
# 0.2 s timer), so a fast print loop could build one >10 MiB stream message; the cell
# flushes every ~1 MB so every message stays well under the limit.
BIG_LINES = 200_000
BIG_LINE_LEN = 100  # bytes, newline included -> 20,000,000 bytes in all
BIG_FLUSH_EVERY = 10_000  # lines, ~1 MB


def big_line(i: int) -> str:
    return f"{i:08d} " + "x" * (BIG_LINE_LEN - 10) + "\n"


@pytest.mark.timeout(120)
def test_20mb_output_complete_and_in_order(notebook):
    code = f'''
import sys
_pad = "x" * {BIG_LINE_LEN - 10}
for _i in range({BIG_LINES}):
    sys.stdout.write(f"{{_i:08d}} {{_pad}}\\n")
    if _i % {BIG_FLUSH_EVERY} == {BIG_FLUSH_EVERY - 1}:
        sys.stdout.flush()  # keep each stream message ~1 MB (see the comment in the test)
sys.stdout.flush()
'''
    t0 = time.monotonic()
    r = notebook.client.execute(code, timeout=100)
    elapsed = time.monotonic() - t0
    assert r.status == "ok", r.summary()
    streams = [m for m in r.of_type("stream") if m["content"]["name"] == "stdout"]
    text = "".join(m["content"]["text"] for m in streams)
    expected_size = BIG_LINES * BIG_LINE_LEN
    lines = text.splitlines(keepends=True)
    if text != "".join(big_line(i) for i in range(BIG_LINES)):
        # say where it went wrong rather than printing 20 MB
        first_bad = next((i for i, l in enumerate(lines) if l != big_line(i)), len(lines))
        pytest.fail(
            f"received {len(text)} bytes in {len(lines)} lines over {len(streams)} stream messages "
            f"(expected {expected_size} bytes, {BIG_LINES} lines); first wrong line #{first_bad}: "
            f"{lines[first_bad][:40] if first_bad < len(lines) else '<missing>'!r}"
        )
    assert len(text.encode()) == expected_size
    biggest = max(len(m["content"]["text"]) for m in streams)
    assert biggest < 10 * 1024 * 1024, biggest
    print(f"20 MB in {len(streams)} stream messages (largest {biggest} bytes) in {elapsed:.1f}s")


@pytest.mark.timeout(60)
def test_comm_open_msg_close(notebook):
    c = notebook.client
    c.ok('''
_echo_closed = []
def _echo_target(comm, open_msg):
    comm.send({"echo": "opened", "data": open_msg["content"]["data"]})
    @comm.on_msg
    def _on_msg(msg):
        comm.send({"echo": msg["content"]["data"]})
    @comm.on_close
    def _on_close(msg):
        _echo_closed.append(comm.comm_id)
get_ipython().kernel.comm_manager.register_target("atelier_echo", _echo_target)
''')
    comm_id = "e2e-comm-" + os.urandom(4).hex()
    opened = c.request("comm_open", {"comm_id": comm_id, "target_name": "atelier_echo",
                                     "data": {"hello": "kernel"}}, expect_reply=False)
    echoes = [m for m in opened.of_type("comm_msg") if m["content"]["comm_id"] == comm_id]
    assert [m["content"]["data"] for m in echoes] == [{"echo": "opened", "data": {"hello": "kernel"}}], \
        opened.summary()

    sent = c.request("comm_msg", {"comm_id": comm_id, "data": {"n": 1, "text": "ping"}},
                     expect_reply=False)
    echoes = [m for m in sent.of_type("comm_msg") if m["content"]["comm_id"] == comm_id]
    assert [m["content"]["data"] for m in echoes] == [{"echo": {"n": 1, "text": "ping"}}], sent.summary()
    assert echoes[0]["channel"] == "iopub"

    c.request("comm_close", {"comm_id": comm_id, "data": {}}, expect_reply=False)
    assert c.eval("_echo_closed") == repr([comm_id])
    assert c.eval(f"{comm_id!r} in get_ipython().kernel.comm_manager.comms") == "False"


@pytest.mark.timeout(90)
def test_debugger_initialize_and_debug_info(notebook):
    c = notebook.client
    init = c.request("debug_request", {
        "seq": 1, "type": "request", "command": "initialize",
        "arguments": {
            "clientID": "jupyterlab", "clientName": "JupyterLab", "adapterID": "python",
            "pathFormat": "path", "linesStartAt1": True, "columnsStartAt1": True,
            "supportsVariableType": True, "supportsVariablePaging": True,
            "supportsRunInTerminalRequest": True, "locale": "en",
        },
    }, channel="control", timeout=60)
    assert init.reply["msg_type"] == "debug_reply", init.summary()
    assert init.reply["channel"] == "control", init.reply
    assert init.content.get("success") is True, init.content
    assert init.content.get("command") == "initialize"

    info = c.request("debug_request", {"seq": 2, "type": "request", "command": "debugInfo",
                                       "arguments": {}}, channel="control", timeout=60)
    assert info.reply["msg_type"] == "debug_reply" and info.reply["channel"] == "control", info.reply
    assert info.content.get("success") is True, info.content
    assert info.content.get("command") == "debugInfo"
    assert "isStarted" in info.content.get("body", {}), info.content


@pytest.mark.timeout(90)
def test_kernel_killed_from_outside_is_reported(notebook, backend, record_property):
    """SIGKILL the kernel process; within 5 s the client must learn it.

    Stock jupyter_server (local) autorestarts the kernel: its restarter polls every 3 s and
    the WebSocket carries an iopub ``status`` ``restarting``. Which signal a backend gave
    is printed and recorded as the ``kernel_death_signal`` property.
    """
    c = notebook.client
    pid = notebook.pid
    if backend.in_containers:
        # the pid is the container's: kill it in there, from outside the kernel
        iid = [k for k in backend.rest.get("/atelier/api/kernels").json()["kernels"]
               if k["id"] == notebook.id][0]["instance_id"]
        cid = subprocess.run(["docker", "ps", "-q", "--filter", f"label=dev.atelier.instance-id={iid}"],
                             capture_output=True, text=True, check=True).stdout.strip()
        assert cid, f"no running container for instance {iid}"
        subprocess.run(["docker", "exec", cid, "python", "-c", f"import os; os.kill({pid}, 9)"],
                       check=True, timeout=30)
    else:
        os.kill(pid, signal.SIGKILL)
    t0 = time.monotonic()
    deadline = t0 + 5.0
    seen = None
    next_rest = t0
    while seen is None and time.monotonic() < deadline:
        m = c.recv(timeout=min(0.25, max(0.01, deadline - time.monotonic())))
        if m is not None and m.get("channel") == "iopub" and m["msg_type"] == "status":
            state = m["content"].get("execution_state")
            if state in ("dead", "restarting", "autorestarting"):
                seen = f"websocket iopub status {state}"
                break
        if time.monotonic() >= next_rest:
            next_rest = time.monotonic() + 0.5
            resp = backend.rest.get(f"/api/kernels/{notebook.id}", timeout=5)
            if resp.status_code == 404:
                seen = "GET /api/kernels/{id} -> 404"
            elif resp.status_code == 200 and resp.json().get("execution_state") == "dead":
                seen = "GET /api/kernels/{id} execution_state dead"
    took = time.monotonic() - t0
    assert seen is not None, (
        f"kernel pid {pid} was killed but within 5 s neither the WebSocket said dead/restarting "
        f"nor GET /api/kernels/{notebook.id} said dead/404 "
        f"(last REST answer: {resp.status_code} {resp.text[:300]})"
    )
    record_property("kernel_death_signal", seen)
    print(f"[{backend.name}] kernel death reported as: {seen} after {took:.1f}s")


@pytest.mark.timeout(90)
def test_two_notebooks_concurrently(notebook_factory):
    a = notebook_factory("two-a")
    b = notebook_factory("two-b")
    n = 30
    cell = "import time\nfor i in range({n}):\n    print('{tag}', i, flush=True)\n    time.sleep(0.03)\n"
    results: dict[str, object] = {}
    spans: dict[str, tuple[float, float]] = {}

    def run(tag, k):
        try:
            results[tag] = k.client.execute(cell.format(n=n, tag=tag), timeout=60)
        except Exception as e:  # reported below
            results[tag] = e

    threads = [threading.Thread(target=run, args=(tag, k)) for tag, k in (("AAA", a), ("BBB", b))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=75)
    for tag, k in (("AAA", a), ("BBB", b)):
        r = results.get(tag)
        assert r is not None and not isinstance(r, Exception), f"{tag}: {r!r}"
        assert r.status == "ok", r.summary()
        assert r.stream_text() == "".join(f"{tag} {i}\n" for i in range(n)), r.stream_text()[:500]
        # nothing of the other notebook reached this connection
        other = "BBB" if tag == "AAA" else "AAA"
        assert all(other not in json.dumps(m) for _, m in k.client.log), f"{other} output leaked to {tag}"
        times = [t for t, m in k.client.log if m["msg_type"] == "stream"]
        spans[tag] = (min(times), max(times))
    # they really ran at the same time
    assert spans["AAA"][0] < spans["BBB"][1] and spans["BBB"][0] < spans["AAA"][1], spans


@pytest.mark.timeout(120)
def test_reconnect_receives_the_rest_of_the_output(notebook, backend, tmp_path):
    """Close the WebSocket while a cell prints, reconnect with the same session_id.

    The cell prints slowly in three phases, gated by files the test creates, so that
    the socket is closed at a known point and output is produced while no client is
    connected:
      1. lines 0-4 while connected; the cell then waits for ``go1``;
      2. the test closes the socket and creates ``go1``; lines 5-24 are printed while
         disconnected (the server must keep them); the cell writes ``phase2-done`` and
         waits for ``go2``;
      3. the test reconnects with the same session_id, must receive lines 5-24, creates
         ``go2``, and must receive lines 25-44, the idle status and the execute_reply.

    A kernel may send one print in several stream messages, so every seventh line is written in
    two flushed pieces (as ipykernel's flush timer can split any print) and the lines are counted
    in the joined text.
    """
    # in the notebook root: where the kernel runs (a container mounts only the root)
    gate = backend.root_dir / f"gate-{os.urandom(4).hex()}"
    gate.mkdir()
    go1, done2, go2 = gate / "go1", gate / "phase2-done", gate / "go2"
    c = notebook.client
    code = f'''
import os, sys, time
def _line(i):
    if i % 7 == 3:
        # one line in two stream messages
        sys.stdout.write("line"); sys.stdout.flush()
        sys.stdout.write(f" {{i}}\\n"); sys.stdout.flush()
    else:
        print("line", i, flush=True)
    time.sleep(0.02)
def _wait_for(path, timeout=60):
    end = time.monotonic() + timeout
    while not os.path.exists(path):
        if time.monotonic() > end:
            raise TimeoutError(path)
        time.sleep(0.02)
for i in range(0, 5):
    _line(i)
_wait_for({str(go1)!r})
for i in range(5, 25):
    _line(i)
open({str(done2)!r}, "w").close()
_wait_for({str(go2)!r})
for i in range(25, 45):
    _line(i)
'''
    req = c.execute_request(code)
    msg_id = req["header"]["msg_id"]
    streams: list[dict] = []
    received: list[str] = []

    def take_stream(m):
        nonlocal received
        if m.get("channel") == "iopub" and m["msg_type"] == "stream" \
                and m["parent_header"].get("msg_id") == msg_id:
            streams.append(m)
            # lines only once joined: a print may come in pieces
            received = complete_lines(stream_text(streams, "stdout"))
        return m

    # phase 1
    deadline = time.monotonic() + 30
    while len(received) < 5:
        left = deadline - time.monotonic()
        if left <= 0:
            pytest.fail(f"phase 1 output incomplete: {received}")
        m = c.recv(left)
        if m is not None:
            take_stream(m)
    assert received == [f"line {i}" for i in range(5)]

    # phase 2, disconnected
    c.close()
    go1.touch()
    deadline = time.monotonic() + 30
    while not done2.exists():
        assert time.monotonic() < deadline, "the cell never finished phase 2"
        time.sleep(0.05)

    # phase 3: reconnect with the same session_id; the kernel is busy, so no kernel_info wait
    c.connect(wait_ready=False)
    deadline = time.monotonic() + 20
    while len(received) < 25:
        left = deadline - time.monotonic()
        if left <= 0:
            pytest.fail(
                "after reconnecting with the same session_id the output printed while "
                f"disconnected did not arrive; received so far: {received}; other messages: "
                + ", ".join(f"{m.get('channel')}/{m['msg_type']}" for _, m in c.log[-20:])
            )
        m = c.recv(left)
        if m is not None:
            take_stream(m)
    go2.touch()
    r = c.collect(req, timeout=30)
    for m in r.iopub:
        take_stream(m)
    assert r.status == "ok", r.summary()
    assert received == [f"line {i}" for i in range(45)], received
