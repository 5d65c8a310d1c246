"""No kernel outlives the agent, however the agent is told to go."""

from __future__ import annotations

import os
import signal
import sys
import time

import pytest

from conftest import STUBBORN, Agent, connect_client, execute, pid_alive, wait_until


def start_two_ready_kernels(agent: Agent) -> list[int]:
    """Start two kernels and wait until both answer, so the graceful path is exercised."""
    replies = [agent.start_kernel(kernel_id=f"k{i}") for i in range(2)]
    for reply in replies:
        connect_client(reply["connection"]).stop_channels()
    pids = [reply["pid"] for reply in replies]
    assert all(pid_alive(pid) for pid in pids)
    return pids


def assert_all_gone(pids: list[int], timeout: float = 8.0) -> None:
    """Every pid ends within ``timeout`` seconds."""
    alive = wait_until(lambda: not any(pid_alive(pid) for pid in pids), timeout)
    assert alive, f"still running after {timeout} s: {[pid for pid in pids if pid_alive(pid)]}"


def assert_clean_exit(agent: Agent, reason: str) -> None:
    """The agent exits 0, said why, and wrote nothing more on stdout."""
    assert agent.proc.wait(8) == 0
    assert agent.proc.stdout.read() == b""
    assert f"stopping ({reason})" in agent.log_text()


def test_sigterm_stops_every_kernel(tmp_path):
    agent = Agent(tmp_path, args=())
    try:
        pids = start_two_ready_kernels(agent)
        sent = time.monotonic()
        agent.proc.send_signal(signal.SIGTERM)
        assert_all_gone(pids)
        assert_clean_exit(agent, "SIGTERM")
        assert time.monotonic() - sent < 6  # graceful for at most 2 s, then SIGKILL
        # The server hears about each exit before the agent goes.
        exits = [agent.control.wait_event(lambda e: e["kernel_id"] == f"k{i}", timeout=1) for i in range(2)]
        assert all(e is not None and e["expected"] is True for e in exits)
    finally:
        agent.stop()


def test_stdin_close_stops_every_kernel(tmp_path):
    agent = Agent(tmp_path)
    try:
        pids = start_two_ready_kernels(agent)
        agent.proc.stdin.close()
        assert_all_gone(pids)
        assert_clean_exit(agent, "stdin closed")
    finally:
        agent.stop()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the parent-death signal is Linux-only")
def test_parent_death_stops_every_kernel(tmp_path):
    # Started without --exit-on-stdin-close, from an intermediate parent that we SIGKILL: the
    # agent must notice its parent's death by itself.
    agent = Agent(tmp_path, args=(), parent=True)
    try:
        pids = start_two_ready_kernels(agent)
        assert agent.proc.pid != agent.pid
        os.kill(agent.proc.pid, signal.SIGKILL)
        assert_all_gone([*pids, agent.pid])
        assert "stopping (parent process exited)" in agent.log_text()
    finally:
        agent.stop()


def test_kernels_exit_even_if_the_agent_is_sigkilled(tmp_path):
    # Nothing in the agent runs on SIGKILL; ipykernel's own parent check is the last resort.
    agent = Agent(tmp_path)
    try:
        pids = start_two_ready_kernels(agent)
        agent.proc.kill()
        assert agent.proc.wait(5) == -signal.SIGKILL
        assert_all_gone(pids)
    finally:
        agent.stop()


def test_stop_while_a_kernel_operation_is_under_way(tmp_path):
    # A 5 s shutdown holds the kernel when SIGTERM comes: the agent must not wait for it.
    agent = Agent(tmp_path)
    try:
        reply = agent.start_kernel(kernel_id="stubborn")
        client = connect_client(reply["connection"])
        try:
            assert execute(client, STUBBORN)[0]["status"] == "ok"
        finally:
            client.stop_channels()
        agent.control.send("shutdown", kernel_id="stubborn")
        time.sleep(0.3)  # let the shutdown take the kernel
        sent = time.monotonic()
        agent.proc.send_signal(signal.SIGTERM)
        assert_all_gone([reply["pid"]])
        assert agent.proc.wait(8) == 0
        assert time.monotonic() - sent < 4.5  # well before the 5 s graceful shutdown would end
    finally:
        agent.stop()
