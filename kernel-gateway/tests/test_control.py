"""Control-socket requests that need no kernel: hello, specs, resources, refusals, signatures."""

from __future__ import annotations

import base64
import json
import os
import sys


def test_hello_and_ping(agent):
    reply = agent.control.request("hello")
    assert reply["ok"] is True
    assert reply["pid"] == agent.pid
    assert reply["python"] == sys.executable
    assert reply["agent_version"] and reply["hostname"]
    assert agent.control.request("ping")["ok"] is True


def test_ping_reply_is_minimal(agent):
    request_id = agent.control.send("ping")
    assert agent.control.wait_reply(request_id) == {"id": request_id, "ok": True}


def test_unknown_op_is_refused(agent):
    reply = agent.control.request("frobnicate")
    assert reply["ok"] is False and "frobnicate" in reply["error"]


def test_kernelspecs(agent):
    reply = agent.control.request("kernelspecs")
    assert reply["ok"] is True
    assert reply["default"] == "python3"
    python3 = reply["kernelspecs"]["python3"]
    assert python3["spec"]["metadata"]["debugger"] is True  # ipykernel, and debugpy is installed
    assert python3["spec"]["interrupt_mode"] == "signal"
    assert "logo-64x64.png" in python3["resources"]
    for entry in reply["kernelspecs"].values():
        assert entry["spec"]["interrupt_mode"] in ("signal", "message")
        assert isinstance(entry["spec"]["metadata"]["debugger"], bool)


def test_resource_returns_the_logo(agent):
    reply = agent.control.request("resource", kernelspec="python3", file="logo-64x64.png")
    assert reply["ok"] is True
    assert reply["mimetype"] == "image/png"
    assert base64.b64decode(reply["content_base64"]).startswith(b"\x89PNG\r\n\x1a\n")


def test_resource_refuses_paths_and_unknowns(agent):
    for name in ("../kernel.json", "..", "a/b.png", "..\\kernel.json", "/etc/passwd"):
        reply = agent.control.request("resource", kernelspec="python3", file=name)
        assert reply["ok"] is False, name
    assert agent.control.request("resource", kernelspec="python3", file="missing.png")["ok"] is False
    reply = agent.control.request("resource", kernelspec="no-such-spec", file="logo-64x64.png")
    assert reply["ok"] is False and "no-such-spec" in reply["error"]


def test_unknown_kernel_id_is_refused(agent):
    for op, extra in (
        ("interrupt", {}),
        ("restart", {}),
        ("shutdown", {"now": True}),
        ("signal", {"signum": 2}),
    ):
        reply = agent.control.request(op, kernel_id="no-such-kernel", **extra)
        assert reply["ok"] is False, op
        assert "no-such-kernel" in reply["error"], op


def test_start_refuses_bad_fields(agent):
    reply = agent.control.request(
        "start", kernel_id="bad-env", kernelspec="python3", key="k", env={"GOOD": "x", "BAD": 1}
    )
    assert reply["ok"] is False and "BAD" in reply["error"]
    reply = agent.control.request("start", kernel_id="bad-spec", kernelspec="no-such-spec", key="k")
    assert reply["ok"] is False and "no-such-spec" in reply["error"]
    reply = agent.control.request("start", kernel_id="no-key", kernelspec="python3")
    assert reply["ok"] is False and "key" in reply["error"]
    # None of them left a kernel behind.
    listed = agent.control.request("list")["kernels"]
    assert not {"bad-env", "bad-spec", "no-key"} & {k["kernel_id"] for k in listed}


def test_bad_signature_is_dropped(agent):
    control = agent.control
    body = json.dumps({"id": "forged", "op": "ping"}).encode()
    control.socket.send_multipart([b"0" * 64, body])
    control.socket.send_multipart([b"", body])
    control.receive(0.5)
    assert "forged" not in control.replies
    assert control.request("ping")["ok"] is True  # the agent carries on
    assert "bad signature" in agent.log_text()


def test_stdout_holds_only_the_ready_line(agent):
    # The agent keeps stdout open but never writes to it again.
    os.set_blocking(agent.proc.stdout.fileno(), False)
    try:
        assert agent.proc.stdout.read() is None  # nothing buffered, and not at EOF
    finally:
        os.set_blocking(agent.proc.stdout.fileno(), True)
