"""Kernelspecs other than the default one: debugger detection and message-mode interrupts."""

from __future__ import annotations

import json
import os
import sys

import pytest

from conftest import Agent, connect_client, interrupt_busy_loop


def write_spec(root, name: str, spec: dict) -> None:
    directory = root / "kernels" / name
    directory.mkdir(parents=True)
    (directory / "kernel.json").write_text(json.dumps(spec))


@pytest.fixture(scope="module")
def spec_agent(tmp_path_factory):
    """An agent that also sees a few hand-made kernelspecs (through JUPYTER_PATH)."""
    root = tmp_path_factory.mktemp("jupyter")
    ipykernel = ["-m", "ipykernel_launcher", "-f", "{connection_file}"]
    write_spec(root, "msg-python", {
        "argv": [sys.executable, *ipykernel],
        "display_name": "Python (message interrupts)",
        "language": "python",
        "interrupt_mode": "message",
    })
    # Another path to an interpreter, so the agent has to run it to look for debugpy.
    wrapper = root / "wrapped-python"
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    wrapper.chmod(0o755)
    write_spec(root, "wrapped", {
        "argv": [str(wrapper), *ipykernel],
        "display_name": "Wrapped",
        "language": "python",
    })
    # Claims a debugger, but is not ipykernel.
    write_spec(root, "other", {
        "argv": ["/nonexistent/kernel", "{connection_file}"],
        "display_name": "Other",
        "language": "other",
        "metadata": {"debugger": True},
    })
    jupyter_path = os.pathsep.join(filter(None, [str(root), os.environ.get("JUPYTER_PATH")]))
    agent = Agent(root, env={"JUPYTER_PATH": jupyter_path})
    yield agent
    agent.stop()


def test_debugger_and_interrupt_mode(spec_agent):
    specs = spec_agent.control.request("kernelspecs")["kernelspecs"]
    assert specs["msg-python"]["spec"]["interrupt_mode"] == "message"
    assert specs["msg-python"]["spec"]["metadata"]["debugger"] is True
    assert specs["wrapped"]["spec"]["metadata"]["debugger"] is True
    assert specs["wrapped"]["spec"]["interrupt_mode"] == "signal"
    assert specs["other"]["spec"]["metadata"]["debugger"] is False
    assert specs["other"]["resources"] == ["kernel.json"]  # every file of the directory


def test_start_failure_is_reported(spec_agent):
    reply = spec_agent.control.request("start", kernel_id="broken", kernelspec="other", key="k")
    assert reply["ok"] is False and "broken" in reply["error"]
    assert spec_agent.control.request("list")["kernels"] == []


def test_message_mode_interrupt(spec_agent):
    reply = spec_agent.start_kernel(kernel_id="msg", kernelspec="msg-python")
    assert reply["interrupt_mode"] == "message"
    client = connect_client(reply["connection"])
    try:
        answer = interrupt_busy_loop(spec_agent.control, client, "msg")
        assert answer["content"]["ename"] == "KeyboardInterrupt"
    finally:
        client.stop_channels()
    assert spec_agent.control.request("shutdown", kernel_id="msg", now=True)["ok"] is True
