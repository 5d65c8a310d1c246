"""A kernel that dies comes back, as with stock jupyter_server's own kernels.

Each test opens a notebook as JupyterLab does and kills the kernel from one of its cells
(``os.kill(os.getpid(), SIGKILL)``, as an out-of-memory kill or a crashing C extension would).
Stock jupyter_server (``local``) restarts it with jupyter_client's restarter and says so with an
iopub ``status: restarting``; JupyterLab then reconnects its WebSocket. Atelier (gateway mode,
front door, Docker) must do the same, and more: the socket that was open keeps working, and the
kernel says why it died (Atelier's own kernel model). Every ``GET /api/kernels/{id}`` goes
through the URL users open (jupyter_server in gateway mode, the front door otherwise).
"""

from __future__ import annotations

import time

import pytest

from client import KernelClient

KILL = "import os, signal; os.kill(os.getpid(), signal.SIGKILL)"
ATELIER = ("atelier", "frontdoor", "docker")


def wait_status(client: KernelClient, states: tuple[str, ...], timeout: float) -> str:
    m = client.next_message(
        lambda m: m.get("channel") == "iopub" and m["msg_type"] == "status"
        and m["content"].get("execution_state") in states,
        timeout=timeout,
    )
    return m["content"]["execution_state"]


def atelier_model(backend, kernel_id: str) -> dict:
    """Atelier's own model of the kernel (reason, restart_count, restart_limit, last_death)."""
    kernels = backend.atelier.get("/atelier/api/kernels").json()["kernels"]
    found = [k for k in kernels if k["id"] == kernel_id]
    assert found, f"kernel {kernel_id} not in {kernels}"
    return found[0]


def model_when(backend, kernel_id: str, match, what: str, timeout: float = 30.0) -> dict:
    """Polls GET /api/kernels/{id} until match(model); the state settles just after the messages."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        r = backend.rest.get(f"/api/kernels/{kernel_id}", timeout=10)
        assert r.status_code == 200, f"GET /api/kernels/{kernel_id} -> {r.status_code}: {r.text[:300]}"
        last = r.json()
        if match(last):
            return last
        time.sleep(0.2)
    raise AssertionError(f"GET /api/kernels/{kernel_id} never showed {what} within {timeout}s; last: {last}")


@pytest.mark.timeout(150)
def test_a_kernel_killed_from_a_cell_restarts_and_answers_on_the_same_and_a_new_socket(notebook, backend):
    c = notebook.client
    c.ok("gone_after_death = 1")
    c.execute_request(KILL)
    assert wait_status(c, ("restarting", "dead"), timeout=20) == "restarting"
    if backend.name in ATELIER:
        # Atelier keeps the socket working: a cell sent right after the death is answered by
        # the restarted kernel (stock jupyter_server may give the new kernel new ports, which is
        # why JupyterLab reconnects below).
        assert c.eval("6*7", timeout=90) == "42"
    # What JupyterLab does on `restarting`: reconnect, then kernel_info.
    c.reconnect(wait_ready=True, timeout=90)
    r = c.execute("gone_after_death")
    assert r.status == "error" and r.content["ename"] == "NameError", r.summary()
    fresh = notebook.new_client()
    fresh.connect(wait_ready=True, timeout=60)
    try:
        assert fresh.eval("'fresh'") == "'fresh'"
        if not backend.in_containers:
            backend.kernel_pids.append(int(fresh.eval("__import__('os').getpid()")))
        model = model_when(backend, notebook.id,
                           lambda m: m["execution_state"] == "idle" and m["connections"] == 2,
                           "execution_state idle with 2 connections")
        if backend.name in ATELIER:
            model = atelier_model(backend, notebook.id)
            assert model["restart_count"] == 1, model
            death = model["last_death"]
            assert death["signal"] == 9 and "SIGKILL" in death["reason"] and death["restarted"] is True, model
            assert model["reason"] is None, model
    finally:
        fresh.close()


# Atelier's backends only: stock jupyter_server forgets a kernel whose restarts ran out (it answers
# 404), while Atelier keeps it, dead, with the reason, until the user restarts it.
@pytest.mark.backends(*ATELIER)
@pytest.mark.timeout(240)
def test_the_restart_limit_ends_in_dead_and_restart_brings_the_kernel_back(notebook, backend):
    c = notebook.client
    limit = atelier_model(backend, notebook.id)["restart_limit"]
    assert limit == 5, "the default restart limit is jupyter_client's"
    for attempt in range(1, limit + 2):
        c.execute_request(KILL)
        state = wait_status(c, ("restarting", "dead"), timeout=30)
        if attempt <= limit:
            assert state == "restarting", f"death {attempt} of {limit + 1}"
            c.wait_ready(timeout=90)
        else:
            assert state == "dead", f"death {attempt} of {limit + 1}"
    model_when(backend, notebook.id, lambda m: m["execution_state"] == "dead", "execution_state dead")
    model = atelier_model(backend, notebook.id)
    assert "SIGKILL" in model["reason"] and f"restarted {limit} times" in model["reason"], model
    assert model["last_death"]["restarted"] is False, model
    # Kernel > Restart Kernel: through the URL users open, then JupyterLab reconnects.
    r = backend.rest.post(f"/api/kernels/{notebook.id}/restart", json={}, timeout=120)
    assert r.status_code == 200, f"restart -> {r.status_code}: {r.text[:500]}"
    c.reconnect(wait_ready=True, timeout=90)
    assert c.eval("6*7") == "42"
    model_when(backend, notebook.id, lambda m: m["execution_state"] == "idle", "execution_state idle")
    model = atelier_model(backend, notebook.id)
    assert model["reason"] is None and model["restart_count"] == 0, model
    if not backend.in_containers:
        backend.kernel_pids.append(int(c.eval("__import__('os').getpid()")))


@pytest.mark.timeout(90)
def test_the_kernel_model_counts_the_connections_users_open(notebook, backend):
    """Two sockets on one kernel: GET /api/kernels/{id} through the URL users open says 2, then 1."""
    extra = notebook.new_client()
    extra.connect(wait_ready=True, timeout=60)
    try:
        model_when(backend, notebook.id, lambda m: m["connections"] == 2, "2 connections")
    finally:
        extra.close()
    model_when(backend, notebook.id, lambda m: m["connections"] == 1, "1 connection")
