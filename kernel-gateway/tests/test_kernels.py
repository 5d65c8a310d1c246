"""Kernel lifecycle against real ipykernel processes."""

from __future__ import annotations

import os
import signal
import time

import pytest
from atelier.agent.managers import NODROP_LAUNCHER, without_output_drops

from conftest import (
    STUBBORN,
    Agent,
    connect_client,
    execute,
    interrupt_busy_loop,
    pid_alive,
    wait_ready,
    wait_until,
)

PORT_NAMES = ("shell", "iopub", "stdin", "control", "hb")


@pytest.fixture
def kernels(agent):
    """Start kernels on the shared agent; shut down whatever a test leaves behind."""
    yield agent.start_kernel
    for kernel in agent.control.request("list")["kernels"]:
        agent.control.request("shutdown", kernel_id=kernel["kernel_id"], now=True)


def test_start_execute_env_and_cwd(agent, kernels, tmp_path):
    reply = kernels(kernel_id="exec", env={"ATELIER_TEST_VAR": "hello"}, cwd=str(tmp_path))
    connection = reply["connection"]
    assert connection["ip"] == "127.0.0.1" and connection["transport"] == "tcp"
    assert connection["signature_scheme"] == "hmac-sha256" and connection["key"]
    assert reply["interrupt_mode"] == "signal" and pid_alive(reply["pid"])
    client = connect_client(connection)
    try:
        content, outputs = execute(client, "1+1")
        assert content["status"] == "ok"
        results = [m["content"]["data"]["text/plain"] for m in outputs if m["msg_type"] == "execute_result"]
        assert results == ["2"]
        code = (
            "import os; print(os.environ['ATELIER_TEST_VAR'], os.getcwd(), 'ATELIER_AGENT_KEY' in os.environ)"
        )
        content, outputs = execute(client, code)
        printed = "".join(m["content"]["text"] for m in outputs if m["msg_type"] == "stream")
        assert printed.split() == ["hello", os.path.realpath(tmp_path), "False"]
    finally:
        client.stop_channels()
    listed = agent.control.request("list")["kernels"]
    assert {"kernel_id": "exec", "pid": reply["pid"], "alive": True} in listed
    assert agent.control.request("start", kernel_id="exec", kernelspec="python3", key="k")["ok"] is False


def test_interrupt_keeps_the_kernel(agent, kernels):
    reply = kernels(kernel_id="interrupt")
    client = connect_client(reply["connection"])
    try:
        answer = interrupt_busy_loop(agent.control, client, "interrupt")
        assert answer["content"]["status"] == "error" and answer["content"]["ename"] == "KeyboardInterrupt"
        # ipykernel aborts requests that reach it just after an error; ask again if so.
        for _ in range(5):
            content, _ = execute(client, "1+1")
            if content["status"] != "aborted":
                break
            time.sleep(0.1)
        assert content["status"] == "ok"
        assert pid_alive(reply["pid"])
    finally:
        client.stop_channels()


def test_restart_keeps_ports_and_key(agent, kernels):
    first = kernels(kernel_id="restart")
    client = connect_client(first["connection"])
    try:
        execute(client, "x = 5")
        second = agent.control.request("restart", kernel_id="restart", timeout=30)
        assert second["ok"] is True
        assert second["connection"] == first["connection"]
        assert second["pid"] != first["pid"]
        event = agent.control.wait_event(lambda e: e["kernel_id"] == "restart", timeout=1)
        assert event is not None and event["event"] == "exited" and event["expected"] is True
        assert not pid_alive(first["pid"])
        wait_ready(client)
        content, _ = execute(client, "x")
        assert content["status"] == "error" and content["ename"] == "NameError"  # a fresh kernel
        content, _ = execute(client, "1+1")
        assert content["status"] == "ok"
    finally:
        client.stop_channels()


def test_shutdown_replies_once_the_process_is_gone(agent, kernels):
    reply = kernels(kernel_id="shutdown")
    client = connect_client(reply["connection"])
    client.stop_channels()
    answer = agent.control.request("shutdown", kernel_id="shutdown", now=False, timeout=15)
    assert answer == {"id": answer["id"], "ok": True}
    assert not pid_alive(reply["pid"])
    event = agent.control.wait_event(lambda e: e["kernel_id"] == "shutdown", timeout=1)
    assert event == {
        "event": "exited", "kernel_id": "shutdown", "exit_code": 0, "signal": None, "expected": True
    }
    assert "shutdown" not in {k["kernel_id"] for k in agent.control.request("list")["kernels"]}
    assert agent.control.request("shutdown", kernel_id="shutdown")["ok"] is False


def test_killed_kernel_sends_unexpected_exit(agent, kernels):
    reply = kernels(kernel_id="killed")
    killed_at = time.monotonic()
    os.kill(reply["pid"], signal.SIGKILL)
    event = agent.control.wait_event(lambda e: e["kernel_id"] == "killed", timeout=5)
    assert event == {
        "event": "exited", "kernel_id": "killed", "exit_code": None, "signal": 9, "expected": False,
        "oom_killed": False,  # killed from outside, not by the memory cgroup
    }
    assert time.monotonic() - killed_at < 2.0  # noticed within ~200 ms, with slack for a busy CI
    listed = agent.control.request("list")["kernels"]
    assert {"kernel_id": "killed", "pid": reply["pid"], "alive": False} in listed
    assert agent.control.request("interrupt", kernel_id="killed")["ok"] is False
    assert agent.control.request("shutdown", kernel_id="killed")["ok"] is True


def test_signal_reaches_the_kernel(agent, kernels):
    reply = kernels(kernel_id="signalled")
    assert agent.control.request("signal", kernel_id="signalled", signum="TERM")["ok"] is False
    assert agent.control.request("signal", kernel_id="signalled", signum=signal.SIGTERM)["ok"] is True
    event = agent.control.wait_event(lambda e: e["kernel_id"] == "signalled", timeout=5)
    assert event == {
        "event": "exited", "kernel_id": "signalled", "exit_code": None, "signal": 15, "expected": False
    }
    assert not pid_alive(reply["pid"])


def test_slow_shutdown_does_not_delay_other_requests(agent, kernels):
    reply = kernels(kernel_id="stubborn")
    client = connect_client(reply["connection"])
    try:
        # A kernel that ignores SIGINT, SIGTERM and shutdown requests: only SIGKILL ends it, after
        # the whole 5 s graceful period.
        content, _ = execute(client, STUBBORN)
        assert content["status"] == "ok"
    finally:
        client.stop_channels()
    sent = time.monotonic()
    shutdown_id = agent.control.send("shutdown", kernel_id="stubborn")
    time.sleep(0.2)
    ping_started = time.monotonic()
    assert agent.control.request("ping", timeout=2)["ok"] is True
    assert time.monotonic() - ping_started < 1.5  # not behind the 5 s shutdown
    assert agent.control.request("list", timeout=2)["ok"] is True
    answer = agent.control.wait_reply(shutdown_id, timeout=15)
    assert answer["ok"] is True and not pid_alive(reply["pid"])
    assert 4 < time.monotonic() - sent < 10  # the graceful period, then SIGKILL
    event = agent.control.wait_event(lambda e: e["kernel_id"] == "stubborn", timeout=1)
    assert event["expected"] is True and event["signal"] == signal.SIGKILL


def test_kernel_port_range(tmp_path):
    # Below the ephemeral range (32768+ on Linux), where outgoing connections could sit on a port.
    low = 21000 + os.getpid() % 1000 * 10
    agent = Agent(tmp_path, ("--exit-on-stdin-close", "--kernel-port-range", f"{low}-{low + 9}"))
    try:
        reply = agent.start_kernel(kernel_id="ranged")
        connection = reply["connection"]
        ports = [connection[f"{name}_port"] for name in PORT_NAMES]
        assert len(set(ports)) == 5 and all(low <= p <= low + 9 for p in ports)
        client = connect_client(connection)
        try:
            assert execute(client, "1+1")[0]["status"] == "ok"
        finally:
            client.stop_channels()
        second = agent.start_kernel(kernel_id="ranged-2")
        other = [second["connection"][f"{name}_port"] for name in PORT_NAMES]
        assert not set(ports) & set(other)
        refused = agent.control.request("start", kernel_id="ranged-3", kernelspec="python3", key="k")
        assert refused["ok"] is False and "ports" in refused["error"]
    finally:
        agent.stop()
    assert wait_until(lambda: not pid_alive(reply["pid"]), 5)


def test_port_blocks_start_their_search_at_random_ports():
    # Agents of several instances share the process runtime's block: each starts its search at
    # a random port, so two do not reach for the same port before a kernel binds it.
    from atelier.agent.ports import PortBlock

    low = 23000 + os.getpid() % 1000 * 5
    firsts = {PortBlock("127.0.0.1", low, low + 49).allocate(1)[0] for _ in range(20)}
    assert len(firsts) > 1 and all(low <= p <= low + 49 for p in firsts)


def test_list_with_details_tells_what_adopting_the_kernel_needs(agent, kernels):
    reply = kernels(kernel_id="adoptable", env={"JPY_SESSION_NAME": "/work/nb/a.ipynb"})
    plain = agent.control.request("list")["kernels"]
    assert {"kernel_id": "adoptable", "pid": reply["pid"], "alive": True} in plain
    detailed = [k for k in agent.control.request("list", details=True)["kernels"] if k["kernel_id"] == "adoptable"]
    assert len(detailed) == 1
    k = detailed[0]
    assert k["connection"] == reply["connection"] and k["connection"]["key"]
    assert (k["kernelspec"], k["session_name"], k["alive"]) == ("python3", "/work/nb/a.ipynb", True)
    assert k["interrupt_mode"] == reply["interrupt_mode"]


def test_output_waits_for_a_slow_reader_instead_of_being_dropped(kernels):
    """A reader that stops reading while a cell prints far more than ZeroMQ queues still gets every line.

    The client below reads nothing for three seconds while the kernel prints 20,000 flushed lines
    (a message each, well past the publisher's 1,000-message mark, the client's own queue and the
    socket buffers). Stock ipykernel discards what comes past the mark; the agent's launcher makes
    the kernel wait for the reader instead.
    """
    reply = kernels(kernel_id="nodrop")
    client = connect_client(reply["connection"])
    try:
        lines = 20_000
        msg_id = client.execute(f"for i in range({lines}): print(i, flush=True)")
        time.sleep(3)
        text: list[str] = []
        while True:
            message = client.get_iopub_msg(timeout=60)
            if message["parent_header"].get("msg_id") != msg_id:
                continue
            if message["msg_type"] == "stream":
                text.append(message["content"]["text"])
            if message["msg_type"] == "status" and message["content"]["execution_state"] == "idle":
                break
        printed = "".join(text).split()
        assert len(printed) == lines, f"{lines - len(printed)} of {lines} lines lost"
        assert printed == [str(i) for i in range(lines)]
    finally:
        client.stop_channels()


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["python", "-m", "ipykernel_launcher", "-f", "{cf}"], ["python", NODROP_LAUNCHER, "-f", "{cf}"]),
        (["/env/bin/python", "-Xfrozen_modules=off", "-m", "ipykernel", "-f", "{cf}"],
         ["/env/bin/python", "-Xfrozen_modules=off", NODROP_LAUNCHER, "-f", "{cf}"]),
        (["python", "-X", "frozen_modules=off", "-m", "ipykernel_launcher", "-f", "{cf}"],
         ["python", "-X", "frozen_modules=off", NODROP_LAUNCHER, "-f", "{cf}"]),
        # other kernels, and ipykernel started some other way, are left as they are
        (["python", "-m", "my_kernel", "-f", "{cf}"], ["python", "-m", "my_kernel", "-f", "{cf}"]),
        (["python", "run.py", "-m", "ipykernel_launcher"], ["python", "run.py", "-m", "ipykernel_launcher"]),
        (["ir", "--slave", "-f", "{cf}"], ["ir", "--slave", "-f", "{cf}"]),
        (["python"], ["python"]),
    ],
)
def test_only_ipykernel_launch_lines_are_rewritten(argv, expected):
    assert without_output_drops(argv) == expected
