"""Durability of what MLflow clients log: the server is stopped in the middle of heavy ingest,
gracefully (SIGTERM) and abruptly (SIGKILL), and started again on the same database: SQLite in its
data directory, and (SIGKILL) a PostgreSQL of the test's own. Eight concurrent writers log through MLflow's REST API (``runs/log-batch`` with
metrics, params and tags) and record exactly which batches the server acknowledged with 200.
After the restart every acknowledged batch is there exactly once, with its values; a batch not
acknowledged is either absent or complete (a log-batch is all or nothing); nothing is
duplicated; and the store takes writes again.

Two writers share each run, so concurrent batches to one run and its metric summaries are
exercised too. Each writer has its own keys: metrics ``w<w>.m<j>`` at steps ``20*i .. 20*i+19``
for its batch ``i``, params ``w<w>.p<i>.<k>`` and tags ``w<w>.t<i>.<k>``.
"""
from __future__ import annotations

import os
import shutil
import signal
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from postgres import postgres
from servers import Atelier, log_tail, start_atelier

pytestmark = pytest.mark.timeout(600)

WRITERS = 8
RUNS = 4  # two writers per run
KEYS = 5  # metric keys per writer
STEPS = 20  # steps per key per batch: 100 points a batch
PARAMS = 2  # params per batch
TAGS = 2  # tags per batch
#: Batches acknowledged (all writers together) before the server is stopped: mid-ingest.
ACKED_BEFORE_STOP = 240
API = "/atelier/mlflow/api/2.0/mlflow/"


def api(server: Atelier, http: requests.Session, method: str, path: str, **kw) -> requests.Response:
    kw.setdefault("timeout", 60)
    return http.request(method, server.url + API + path,
                        headers={"Authorization": f"Bearer {server.token}"}, **kw)


def value(w: int, i: int, j: int, s: int) -> float:
    """The value writer ``w`` logs in batch ``i`` for key ``j`` at step offset ``s``: unique."""
    return w * 1e6 + i * 100 + j * STEPS + s + 0.25


def batch(w: int, i: int, run_id: str) -> dict:
    ts = 1_700_000_000_000 + i
    return {
        "run_id": run_id,
        "metrics": [{"key": f"w{w}.m{j}", "value": value(w, i, j, s), "timestamp": ts, "step": i * STEPS + s}
                    for j in range(KEYS) for s in range(STEPS)],
        "params": [{"key": f"w{w}.p{i}.{k}", "value": f"{w}-{i}-{k}"} for k in range(PARAMS)],
        "tags": [{"key": f"w{w}.t{i}.{k}", "value": f"tag {w}-{i}-{k}"} for k in range(TAGS)],
    }


@dataclass
class Writer:
    w: int
    run_id: str
    acked: set[int] = field(default_factory=set)
    sent: set[int] = field(default_factory=set)  # every batch whose request was started
    refused: list[str] = field(default_factory=list)  # non-200 answers: status and body
    unexpected: list[str] = field(default_factory=list)


def write(server: Atelier, wr: Writer, stop: threading.Event) -> None:
    """Sends batches 0, 1, 2, ... until the server is gone or ``stop`` is set."""
    http = requests.Session()  # keep-alive: one connection per writer
    i = 0
    while not stop.is_set():
        wr.sent.add(i)
        try:
            r = api(server, http, "POST", "runs/log-batch", json=batch(wr.w, i, wr.run_id))
        except requests.RequestException:
            return  # the server went away: this batch is unacknowledged
        if r.status_code == 200:
            wr.acked.add(i)
        elif r.status_code == 503:
            wr.refused.append(f"{r.status_code} {r.text[:200]}")  # stopping: refused, not written
        else:
            wr.unexpected.append(f"batch {i}: {r.status_code} {r.text[:300]}")
        i += 1


def history(server: Atelier, http: requests.Session, run_id: str, key: str) -> list[dict]:
    points: list[dict] = []
    token = None
    while True:
        params = {"run_id": run_id, "metric_key": key, "max_results": 2500}
        if token:
            params["page_token"] = token
        r = api(server, http, "GET", "metrics/get-history", params=params)
        assert r.status_code == 200, r.text
        body = r.json()
        points += body.get("metrics", [])
        token = body.get("next_page_token")
        if not token:
            return points


def ingest_then_stop(tmp: Path, sig: int, env: dict) -> tuple[list[Writer], Atelier]:
    """Starts a server, logs from 8 writers, stops the server with ``sig`` mid-ingest."""
    root = tmp / "notebooks"
    root.mkdir(exist_ok=True)
    server = start_atelier(tmp / "atelier", root, extra_env=env)
    http = requests.Session()
    try:
        r = api(server, http, "POST", "experiments/create", json={"name": f"durability-{sig}"})
        assert r.status_code == 200, r.text
        exp = r.json()["experiment_id"]
        runs = []
        for n in range(RUNS):
            r = api(server, http, "POST", "runs/create", json={"experiment_id": exp, "run_name": f"run-{n}",
                                                                 "start_time": 1_700_000_000_000})
            assert r.status_code == 200, r.text
            runs.append(r.json()["run"]["info"]["run_id"])
        writers = [Writer(w, runs[w % RUNS]) for w in range(WRITERS)]
        stop = threading.Event()
        threads = [threading.Thread(target=write, args=(server, wr, stop), daemon=True) for wr in writers]
        for t in threads:
            t.start()
        # Mid-ingest: every writer has had batches acknowledged and all are still sending.
        while sum(len(wr.acked) for wr in writers) < ACKED_BEFORE_STOP or not all(wr.acked for wr in writers):
            assert all(t.is_alive() for t in threads), \
                f"a writer stopped early: {[wr.unexpected for wr in writers]}\n{log_tail(server.proc.log)}"
            assert server.proc.alive(), log_tail(server.proc.log)
            time.sleep(0.02)
        os.killpg(server.proc.popen.pid, sig)
        try:
            code = server.proc.popen.wait(timeout=120)
        except Exception:
            server.proc.stop()
            raise AssertionError(f"the server did not exit after signal {sig}\n{log_tail(server.proc.log)}")
        stop.set()
        for t in threads:
            t.join(timeout=120)
        assert not any(t.is_alive() for t in threads), "a writer is still waiting for a stopped server"
        if sig == signal.SIGKILL:
            # Killed mid-request: every writer has a batch it sent and never saw answered.
            assert all(wr.sent - wr.acked for wr in writers), [(len(wr.sent), len(wr.acked)) for wr in writers]
        if sig == signal.SIGTERM:
            # The JVM's exit status for a SIGTERM that ran the shutdown hooks: 128 + 15.
            assert code in (0, 143), f"exit status {code}\n{log_tail(server.proc.log)}"
        return writers, server
    finally:
        server.proc.stop()


def check_after_restart(tmp: Path, writers: list[Writer], env: dict) -> None:
    for wr in writers:
        assert not wr.unexpected, f"writer {wr.w}: {wr.unexpected[:3]}"
    restarted = start_atelier(tmp / "atelier", tmp / "notebooks", extra_env=env)
    http = requests.Session()
    try:
        runs: dict[str, dict] = {}
        for run_id in {wr.run_id for wr in writers}:
            r = api(restarted, http, "GET", "runs/get", params={"run_id": run_id})
            assert r.status_code == 200, r.text
            runs[run_id] = r.json()["run"]
        for wr in writers:
            data = runs[wr.run_id]["data"]
            params = {p["key"]: p["value"] for p in data.get("params", [])}
            tags = {t["key"]: t["value"] for t in data.get("tags", [])}
            latest = {m["key"]: m for m in data.get("metrics", [])}
            # per batch: how many points of each key are stored
            seen: dict[int, dict[int, int]] = {}
            for j in range(KEYS):
                key = f"w{wr.w}.m{j}"
                points = history(restarted, http, wr.run_id, key)
                steps = [p["step"] for p in points]
                assert len(steps) == len(set(steps)), f"{key}: duplicated steps"
                for p in points:
                    i, s = divmod(int(p["step"]), STEPS)
                    assert i in wr.sent, f"{key}: step {p['step']} of a batch never sent"
                    assert p["value"] == value(wr.w, i, j, s), f"{key} step {p['step']}: {p['value']}"
                    assert int(p["timestamp"]) == 1_700_000_000_000 + i
                    seen.setdefault(i, {}).setdefault(j, 0)
                    seen[i][j] += 1
                if points:
                    # the run's latest value (the summary) agrees with the points
                    last = max(points, key=lambda p: int(p["step"]))
                    assert latest[key]["value"] == last["value"] and int(latest[key]["step"]) == int(last["step"])
                else:
                    assert key not in latest
            for i in sorted(wr.sent):
                counts = [seen.get(i, {}).get(j, 0) for j in range(KEYS)]
                has_params = [f"w{wr.w}.p{i}.{k}" in params for k in range(PARAMS)]
                has_tags = [f"w{wr.w}.t{i}.{k}" in tags for k in range(TAGS)]
                complete = counts == [STEPS] * KEYS and all(has_params) and all(has_tags)
                absent = counts == [0] * KEYS and not any(has_params) and not any(has_tags)
                if i in wr.acked:
                    assert complete, f"writer {wr.w} batch {i} was acknowledged but is {counts} {has_params} {has_tags}"
                    assert all(params[f"w{wr.w}.p{i}.{k}"] == f"{wr.w}-{i}-{k}" for k in range(PARAMS))
                    assert all(tags[f"w{wr.w}.t{i}.{k}"] == f"tag {wr.w}-{i}-{k}" for k in range(TAGS))
                else:
                    assert complete or absent, f"writer {wr.w} batch {i} is partial: {counts} {has_params} {has_tags}"
            stored = [k for k in params if k.startswith(f"w{wr.w}.")]
            assert len(stored) == len({k for k in stored}) and all(int(k.split(".")[1][1:]) in wr.sent for k in stored)

        # The store takes writes again: new batches on the old runs, and a new run.
        for wr in writers:
            nxt = max(wr.sent) + 1
            r = api(restarted, http, "POST", "runs/log-batch", json=batch(wr.w, nxt, wr.run_id))
            assert r.status_code == 200, r.text
            got = history(restarted, http, wr.run_id, f"w{wr.w}.m0")
            assert [p["value"] for p in got if int(p["step"]) // STEPS == nxt] == [value(wr.w, nxt, 0, s)
                                                                                for s in range(STEPS)]
        exp = runs[writers[0].run_id]["info"]["experiment_id"]
        r = api(restarted, http, "POST", "runs/create", json={"experiment_id": exp, "start_time": 1})
        assert r.status_code == 200, r.text
        new_run = r.json()["run"]["info"]["run_id"]
        r = api(restarted, http, "POST", "runs/log-batch", json=batch(0, 0, new_run))
        assert r.status_code == 200, r.text
        assert len(history(restarted, http, new_run, "w0.m3")) == STEPS
    finally:
        restarted.proc.stop()


@pytest.fixture
def tmp():
    d = Path(tempfile.mkdtemp(prefix="atelier-e2e-durability-"))
    yield d
    if os.environ.get("ATELIER_E2E_KEEP_TMP"):
        print(f"\nkept {d}")
    else:
        shutil.rmtree(d, ignore_errors=True)


@pytest.fixture
def database(request):
    """The server's database: {} (SQLite in the data directory) or a new PostgreSQL."""
    if request.param == "sqlite":
        yield {}
    else:
        with postgres() as (url, user):
            yield {"ATELIER_DATABASE_URL": url, "ATELIER_DATABASE_USER": user}


@pytest.mark.parametrize("database,sig", [("sqlite", signal.SIGTERM), ("sqlite", signal.SIGKILL),
                                          ("postgresql", signal.SIGKILL)],
                         ids=["sqlite-sigterm", "sqlite-sigkill", "postgresql-sigkill"], indirect=["database"])
def test_a_restart_mid_ingest_keeps_every_acknowledged_point_once(tmp, database, sig):
    writers, server = ingest_then_stop(tmp, sig, database)
    acked = sum(len(wr.acked) for wr in writers)
    assert acked >= ACKED_BEFORE_STOP
    if database:
        # the server really used PostgreSQL: nothing of the runs went to a SQLite file
        assert not (tmp / "atelier" / "atelier-data" / "atelier.db").exists(), log_tail(server.proc.log)
    check_after_restart(tmp, writers, database)
