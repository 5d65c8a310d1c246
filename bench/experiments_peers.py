"""The two servers of ``bench/experiments.py`` and the one client of both: Atelier from its jar
and ``mlflow server`` from PyPI (pinned, in ``bench/.mlflow-venv``), each started on 127.0.0.1
with a new SQLite database, and MLflow's REST API 2.0 over a plain keep-alive HTTP connection.
"""

from __future__ import annotations

import http.client
import json
import random
import secrets
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from kernels import JAR, MAIN_BIN, child_env, find_java, free_port, log, log_tail, spawn, write_secret  # noqa: E402

BENCH = Path(__file__).resolve().parent
MLFLOW_PIN = "mlflow==3.17.2"
MLFLOW_VENV = BENCH / ".mlflow-venv"


class Rest:
    """MLflow's REST API 2.0 on one keep-alive connection: the one client of both servers."""

    def __init__(self, base: str, token: str | None):
        u = urlsplit(base)
        self.host, self.port, self.prefix = u.hostname, u.port, u.path.rstrip("/") + "/api/2.0/mlflow/"
        self.headers = {"Content-Type": "application/json"}
        if token:
            self.headers["Authorization"] = f"Bearer {token}"
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=600)

    def call(self, method: str, path: str, body: dict | None = None, query: dict | None = None,
             raw: bytes | None = None) -> tuple[int, dict]:
        url = self.prefix + path + ("?" + urlencode(query) if query else "")
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        try:
            self.conn.request(method, url, body=data, headers=self.headers)
            r = self.conn.getresponse()
            text = r.read()
        except (http.client.HTTPException, OSError) as e:
            # the server dropped the connection: this call failed (not retried: it may have been
            # applied); the next one opens a new connection
            self.conn.close()
            return 0, {"error": f"{type(e).__name__}: {e}"}
        try:
            return r.status, (json.loads(text) if text else {})
        except ValueError:
            return r.status, {"error": text[:200].decode(errors="replace")}

    def ok(self, method: str, path: str, body: dict | None = None, query: dict | None = None) -> dict:
        """A call that must succeed; a read whose connection was dropped is sent again (twice at most)."""
        status, out = self.call(method, path, body, query)
        for _ in range(2):
            if status != 0 or not (method == "GET" or path.endswith("/search")):
                break
            status, out = self.call(method, path, body, query)
        if status != 200:
            raise RuntimeError(f"{method} {path} -> {status}: {str(out)[:300]}")
        return out


# -- servers ---------------------------------------------------------------------------

def ensure_mlflow() -> Path:
    exe = MLFLOW_VENV / "bin" / "mlflow"
    if not exe.exists():
        log(f"creating {MLFLOW_VENV} with {MLFLOW_PIN}")
        subprocess.run([sys.executable, "-m", "venv", str(MLFLOW_VENV)], check=True, timeout=300)
        subprocess.run([str(MLFLOW_VENV / "bin" / "pip"), "install", "-q", MLFLOW_PIN], check=True, timeout=1800)
    return exe


# The JVM options `scripts/atelier start` runs the server with (a java launcher argument file).
JVM_OPTIONS = BENCH.parent / "scripts" / "lib" / "server-jvm.options"


def start_server(peer: str, tmp: Path, jvm: list[str] | None = None, port: int = 0):
    """Starts ``peer`` in ``tmp``; returns (proc, MLflow tracking base URL, token). Atelier runs with
    ``jvm`` as its JVM options, by default those of ``scripts/atelier start``."""
    tmp.mkdir(parents=True, exist_ok=True)
    if peer == "atelier":
        token = secrets.token_hex(24)
        ready = tmp / "server.json"
        ready.unlink(missing_ok=True)
        jvm = [f"@{JVM_OPTIONS}"] if jvm is None else jvm
        argv = [find_java(21), *jvm, "-jar", str(JAR), "--host", "127.0.0.1", "--port", str(port),
                "--token-file", str(write_secret(tmp / "token", token)), "--data-dir", str(tmp / "data"),
                "--python", str(MAIN_BIN / "python"), "--root-dir", str(tmp), "--ready-file", str(ready)]
        proc = spawn("atelier", argv, tmp / "server.log", child_env(tmp / "env", MAIN_BIN), tmp)
        end = time.monotonic() + 120
        while time.monotonic() < end and proc.alive():
            try:
                base = json.loads(ready.read_text())["url"].rstrip("/") + "/atelier/mlflow"
                break
            except (OSError, ValueError, KeyError):
                time.sleep(0.05)
        else:
            raise RuntimeError(f"Atelier did not start:\n{log_tail(proc.logfile)}")
    else:
        token, port = None, free_port()
        argv = [str(ensure_mlflow()), "server", "--host", "127.0.0.1", "--port", str(port),
                "--backend-store-uri", f"sqlite:///{tmp / 'mlflow.db'}",
                "--default-artifact-root", (tmp / "artifacts").as_uri()]
        env = child_env(tmp / "env", MLFLOW_VENV / "bin")
        proc = spawn("mlflow", argv, tmp / "server.log", env, tmp)
        base = f"http://127.0.0.1:{port}"
    end = time.monotonic() + 180
    while time.monotonic() < end:
        if not proc.alive():
            raise RuntimeError(f"{peer} exited:\n{log_tail(proc.logfile)}")
        if Rest(base, token).call("POST", "experiments/search", {"max_results": 1})[0] == 200:
            return proc, base, token
        time.sleep(0.2)
    raise RuntimeError(f"{peer} did not answer:\n{log_tail(proc.logfile)}")


def rss_mb(proc) -> float:
    """RSS of the server and every process under it (MLflow's workers, Atelier's JVM)."""
    try:
        root = psutil.Process(proc.pid)
        procs = [root] + root.children(recursive=True)
    except psutil.Error:
        return 0.0
    total = 0
    for p in procs:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return round(total / 2**20, 1)


def cpu_s(proc) -> float:
    """CPU seconds the server's process tree has used: what a request costs, whatever the load."""
    try:
        root = psutil.Process(proc.pid)
        procs = [root] + root.children(recursive=True)
    except psutil.Error:
        return 0.0
    total = 0.0
    for p in procs:
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except psutil.Error:
            pass
    return total


def run_body(i: int) -> tuple[dict, dict]:
    rnd = random.Random(i)
    params = [{"key": "p0", "value": f"v{i % 5}"}] + [{"key": f"p{k}", "value": f"{rnd.randrange(1000)}"}
                                                      for k in range(1, 10)]
    metrics = [{"key": f"m{j}", "value": rnd.random(), "timestamp": 1_700_000_000_000 + s, "step": s}
               for j in range(5) for s in range(10)]
    tags = [{"key": f"t{k}", "value": f"tag-{i % (k + 2)}"} for k in range(5)]
    return {"run_name": f"run-{i:05d}", "start_time": 1_700_000_000_000 + i}, \
        {"metrics": metrics, "params": params, "tags": tags}


def fill_mlflow(db: Path, exp: str, indices: list[int]) -> None:
    """Adds the runs MLflow's REST API had no time for straight into its SQLite database, with the
    rows MLflow's own store writes for them (copied from a run it made: its columns and tags)."""
    c = sqlite3.connect(db, timeout=600)
    try:
        cols = [r[1] for r in c.execute("PRAGMA table_info(runs)")]
        tmpl = dict(zip(cols, c.execute("SELECT * FROM runs WHERE experiment_id = ? LIMIT 1", (int(exp),)).fetchone()))
        with c:
            for i in indices:
                create, batch = run_body(i)
                rid = uuid.uuid4().hex
                row = dict(tmpl, run_uuid=rid, name=create["run_name"], start_time=create["start_time"],
                           artifact_uri=tmpl["artifact_uri"].replace(tmpl["run_uuid"], rid))
                c.execute(f"INSERT INTO runs ({','.join(cols)}) VALUES ({','.join('?' * len(cols))})",
                          [row[k] for k in cols])
                c.executemany("INSERT INTO params (key, value, run_uuid) VALUES (?, ?, ?)",
                              [(p["key"], p["value"], rid) for p in batch["params"]])
                c.executemany("INSERT INTO tags (key, value, run_uuid) VALUES (?, ?, ?)",
                              [(t["key"], t["value"], rid) for t in batch["tags"]] + [("mlflow.runName", create["run_name"], rid)])
                c.executemany("INSERT INTO metrics (key, value, timestamp, run_uuid, step, is_nan) VALUES (?, ?, ?, ?, ?, 0)",
                              [(m["key"], m["value"], m["timestamp"], rid, m["step"]) for m in batch["metrics"]])
                last = {m["key"]: m for m in batch["metrics"]}  # the highest step of each key comes last
                c.executemany("INSERT INTO latest_metrics (key, value, timestamp, step, is_nan, run_uuid) VALUES (?, ?, ?, ?, 0, ?)",
                              [(m["key"], m["value"], m["timestamp"], m["step"], rid) for m in last.values()])
    finally:
        c.close()
