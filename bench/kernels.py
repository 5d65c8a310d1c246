#!/usr/bin/env python3
"""Kernel benchmark: Atelier, stock jupyter_server, and Jupyter Kernel Gateway 3, side by side.

One run, one client, one ipykernel version. Every peer is driven through stock
jupyter_server 2.21.1 exactly as JupyterLab drives it (``POST /api/sessions``, then the
kernel WebSocket ``/api/kernels/{id}/channels`` with legacy JSON frames):

- ``atelier``: jupyter_server in gateway mode on the Atelier server;
- ``local``:   jupyter_server with its own local kernels;
- ``kg``:      jupyter_server in gateway mode on Jupyter Kernel Gateway 3.x
               (installed into ``bench/.venv`` on first use).

Measured per peer: the round trip of ``pass`` (execute_request -> execute_reply and the
parented ``status: idle``), and the output throughput of one cell printing 200,000 short
lines. Measured per kernel host (the process that owns the kernels): RSS idle after start
and with 20 kernels running.

Run from the repository root with the project venv:

    .venv/bin/python bench/kernels.py

It prints a table and writes ``bench/results/latest.json``. See ``bench/README.md``.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime
import glob
import hashlib
import json
import os
import platform
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import requests
import websocket

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO / "bench"
MAIN_BIN = REPO / ".venv" / "bin"
KG_VENV = BENCH / ".venv"
KG_BIN = KG_VENV / "bin"
JAR = REPO / "java-server" / "target" / "atelier-server.jar"
PINS = ["ipykernel==7.4.0", "jupyter_server==2.21.1", "jupyter_kernel_gateway>=3,<4"]
PEERS = ("frontdoor", "atelier", "local", "kg")
PEER_LABEL = {
    "frontdoor": "Atelier front door (channels served by Atelier)",
    "atelier": "jupyter_server -> Atelier (gateway mode)",
    "local": "jupyter_server, local kernels",
    "kg": "jupyter_server -> Kernel Gateway 3 (gateway mode)",
}
PROTOCOL_VERSION = "5.3"


class BudgetExceeded(RuntimeError):
    pass


class Bench:
    """Global time budget: every wait in the run is bounded by it."""

    deadline = float("inf")
    jar = JAR  # replaced by a snapshot at the start of the run
    atelier_image = "local"  # where Atelier's kernels run: host processes, as every other peer's

    @classmethod
    def left(cls) -> float:
        return cls.deadline - time.monotonic()

    @classmethod
    def bound(cls, timeout: float) -> float:
        left = cls.left()
        if left <= 0:
            raise BudgetExceeded("the run's time budget is used up")
        return min(timeout, left)


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# -- processes ------------------------------------------------------------------------

@dataclass
class Proc:
    name: str
    popen: subprocess.Popen
    logfile: Path
    seen: set[int] = field(default_factory=set)  # descendants ever observed

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def descendants(self) -> list[psutil.Process]:
        try:
            kids = psutil.Process(self.pid).children(recursive=True)
        except psutil.Error:
            return []
        self.seen.update(k.pid for k in kids)
        return kids

    def stop(self, grace: float = 8.0) -> None:
        """SIGTERM the group, bounded wait, SIGKILL the group and every descendant seen."""
        self.descendants()
        if self.alive():
            try:
                os.killpg(self.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.popen.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            self.popen.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        # kernels run in sessions of their own (jupyter_client's start_new_session)
        for pid in self.seen:
            try:
                p = psutil.Process(pid)
                p.kill()
            except psutil.Error:
                pass


RUNNING: list[Proc] = []
EXTRA_PIDS: list[int] = []  # kernels this process started itself


def spawn(name: str, argv: list[str], logfile: Path, env: dict, cwd: Path) -> Proc:
    with open(logfile, "ab") as fh:
        p = subprocess.Popen(argv, stdout=fh, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                             env=env, cwd=str(cwd), start_new_session=True)
    proc = Proc(name, p, logfile)
    RUNNING.append(proc)
    return proc


def stop_all() -> None:
    while RUNNING:
        RUNNING.pop().stop()
    while EXTRA_PIDS:
        try:
            psutil.Process(EXTRA_PIDS.pop()).kill()
        except psutil.Error:
            pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def child_env(tmp: Path, bin_dir: Path) -> dict:
    """Isolated Jupyter/IPython dirs, the venv's bin first on PATH, no secrets."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("JUPYTER", "JPY_", "KG_", "VIRTUAL_ENV", "PYTHON"))}
    for d in ("config", "data", "runtime", "ipython"):
        (tmp / d).mkdir(parents=True, exist_ok=True)
    env["JUPYTER_CONFIG_DIR"] = str(tmp / "config")
    env["JUPYTER_DATA_DIR"] = str(tmp / "data")
    env["JUPYTER_RUNTIME_DIR"] = str(tmp / "runtime")
    env["IPYTHONDIR"] = str(tmp / "ipython")
    env["PYTHONUNBUFFERED"] = "1"
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    return env


def write_secret(path: Path, text: str) -> Path:
    path.write_text(text)
    path.chmod(0o600)
    return path


def failure(e: BaseException, procs: list[Proc]) -> RuntimeError:
    """An exception with where it happened and the tails of the servers' logs."""
    import traceback
    where = traceback.extract_tb(e.__traceback__)[-1]
    text = f"{type(e).__name__}: {e} (at {Path(where.filename).name}:{where.lineno})"
    for p in procs:
        text += f"\n--- {p.name} log tail ---\n{log_tail(p.logfile, 15)}"
    return RuntimeError(text)


def log_tail(path: Path, n: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-n:])
    except OSError as e:
        return f"<no log: {e}>"


def wait_http(proc: Proc, url: str, token: str, timeout: float = 60.0) -> None:
    end = time.monotonic() + Bench.bound(timeout)
    last = ""
    while time.monotonic() < end:
        if not proc.alive():
            break
        try:
            r = requests.get(url, headers={"Authorization": f"token {token}"}, timeout=5)
            if r.status_code == 200:
                return
            last = f"HTTP {r.status_code}"
        except requests.RequestException as e:
            last = str(e)[:200]
        time.sleep(0.1)
    raise RuntimeError(f"{proc.name} did not answer {url} ({last}); log tail:\n{log_tail(proc.logfile)}")


# -- tools and versions -----------------------------------------------------------------

def java_major(java: str) -> int | None:
    try:
        out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    m = re.search(r'version "(\d+)', out.stderr + out.stdout)
    return int(m.group(1)) if m else None


def find_java(min_major: int = 21) -> str:
    cands = []
    if os.environ.get("JAVA_HOME"):
        cands.append(os.path.join(os.environ["JAVA_HOME"], "bin", "java"))
    if shutil.which("java"):
        cands.append(shutil.which("java"))
    cands += sorted(glob.glob("/usr/lib/jvm/*/bin/java"), reverse=True)
    for c in cands:
        major = java_major(c)
        if major is not None and major >= min_major:
            return c
    raise RuntimeError(f"no Java >= {min_major} found (tried {cands})")


def ensure_kg_venv() -> None:
    """bench/.venv with Kernel Gateway 3 and the same pinned ipykernel/jupyter_server."""
    ok = (KG_BIN / "jupyter-kernelgateway").exists()
    if ok:
        out = subprocess.run([str(KG_BIN / "python"), "-c",
                              "import ipykernel, jupyter_server, kernel_gateway as k;"
                              "print(ipykernel.__version__, jupyter_server.__version__, k.__version__)"],
                             capture_output=True, text=True, timeout=60)
        parts = out.stdout.split()
        ok = (out.returncode == 0 and len(parts) == 3 and parts[0] == "7.4.0"
              and parts[1] == "2.21.1" and parts[2].startswith("3."))
    if ok:
        return
    log(f"creating {KG_VENV} with {' '.join(PINS)}")
    base = getattr(sys, "_base_executable", None) or sys.executable
    if not (KG_BIN / "python").exists():
        subprocess.run([base, "-m", "venv", str(KG_VENV)], check=True, timeout=120)
    subprocess.run([str(KG_BIN / "python"), "-m", "pip", "install", "-q", *PINS],
                   check=True, timeout=300)


def pkg_versions(python: Path) -> dict:
    code = ("import json, importlib.metadata as m\n"
            "out = {}\n"
            "for p in ('ipykernel', 'jupyter_server', 'jupyter_client', 'pyzmq', 'tornado', "
            "'jupyter_kernel_gateway', 'websocket-client', 'psutil'):\n"
            "    try: out[p] = m.version(p)\n"
            "    except Exception: pass\n"
            "print(json.dumps(out))")
    out = subprocess.run([str(python), "-c", code], capture_output=True, text=True, timeout=60)
    return json.loads(out.stdout) if out.returncode == 0 else {}


def machine_info(java: str) -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    os_name = platform.platform()
    try:
        rel = dict(l.split("=", 1) for l in Path("/etc/os-release").read_text().splitlines() if "=" in l)
        os_name = rel.get("PRETTY_NAME", os_name).strip('"')
    except OSError:
        pass
    jv = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=30)
    return {
        "nproc": os.cpu_count(),
        "cpu_affinity": len(os.sched_getaffinity(0)),
        "cpu_model": cpu,
        "mem_total_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "os": os_name,
        "kernel": platform.release(),
        "java": (jv.stderr or jv.stdout).splitlines()[0] if (jv.stderr or jv.stdout) else "",
        "java_path": java,
        "python": platform.python_version(),
    }


# -- peers ------------------------------------------------------------------------------

@dataclass
class Host:
    """A process that owns kernels (Atelier, Kernel Gateway, or jupyter_server itself)."""
    proc: Proc
    url: str
    token: str


@dataclass
class Stack:
    peer: str
    host: Host          # who owns the kernels
    front: Host         # the jupyter_server the client talks to
    procs: list[Proc]

    def stop(self) -> None:
        for p in reversed(self.procs):
            p.stop()
            if p in RUNNING:
                RUNNING.remove(p)


def snapshot_jar(dest: Path) -> dict:
    """Copy the server jar once, so that every Atelier start in the run uses the same bytes
    even if the jar is rebuilt meanwhile."""
    if not JAR.exists():
        raise RuntimeError(f"{JAR} is missing: build it with `cd {REPO} && mvn -B -q package -DskipTests`")
    for _ in range(30):
        shutil.copyfile(JAR, dest)
        try:
            with zipfile.ZipFile(dest) as z:
                if z.testzip() is None:
                    break
        except zipfile.BadZipFile:
            pass
        time.sleep(1)  # being rebuilt
    else:
        raise RuntimeError(f"{JAR} is not a readable jar")
    st = JAR.stat()
    return {"sha256": hashlib.sha256(dest.read_bytes()).hexdigest(),
            "mtime": datetime.datetime.fromtimestamp(st.st_mtime, datetime.timezone.utc).isoformat(timespec="seconds")}


def start_atelier(tmp: Path, root: Path, java: str, front_door_for: int | None = None) -> tuple[Host, Host | None]:
    """Atelier's gateway API; with ``front_door_for`` (jupyter_server's port) its front door too."""
    tmp.mkdir(parents=True, exist_ok=True)
    token = secrets.token_hex(24)
    token_file = write_secret(tmp / "atelier-token", token)
    data = tmp / "atelier-data"
    data.mkdir(exist_ok=True)
    ready = tmp / "server.json"
    argv = [java, "-jar", str(Bench.jar), "--host", "127.0.0.1", "--port", "0",
            "--token-file", str(token_file), "--data-dir", str(data),
            "--python", str(MAIN_BIN / "python"), "--root-dir", str(root), "--ready-file", str(ready)]
    if front_door_for is not None:
        argv += ["--front-door-port", "0", "--jupyter-url", f"http://127.0.0.1:{front_door_for}"]
    env = child_env(tmp / "env", MAIN_BIN)
    env["ATELIER_DEFAULT_IMAGE"] = Bench.atelier_image
    proc = spawn("atelier", argv, tmp / "atelier.log", env, tmp)
    end = time.monotonic() + Bench.bound(60)
    while time.monotonic() < end and proc.alive():
        try:
            info = json.loads(ready.read_text())
            if info.get("port"):
                url = (info.get("url") or f"http://127.0.0.1:{info['port']}").rstrip("/")
                fd = info.get("front_door_port") or -1
                front = Host(proc, f"http://127.0.0.1:{fd}", "") if fd > 0 else None
                if front_door_for is not None and front is None:
                    raise RuntimeError(f"Atelier wrote no front_door_port in {ready}: {info}")
                return Host(proc, url, token), front
        except (OSError, ValueError):
            pass
        time.sleep(0.05)
    raise RuntimeError(f"Atelier did not write {ready}; log tail:\n{log_tail(proc.logfile)}")


def start_kg(tmp: Path, root: Path) -> Host:
    tmp.mkdir(parents=True, exist_ok=True)
    token = secrets.token_hex(24)
    port = free_port()
    config = {
        # list_kernels: jupyter_server in gateway mode lists the gateway's kernels
        # (GET /api/kernels), which Kernel Gateway refuses (403) unless this is on.
        "KernelGatewayApp": {"ip": "127.0.0.1", "port": port, "port_retries": 0, "auth_token": token},
        "JupyterWebsocketPersonality": {"list_kernels": True},
        # Kernel Gateway 3 serves kernel WebSockets with jupyter_server's
        # ZMQChannelsWebsocketConnection, which drops iopub output above 1 MB/s by default.
        "ZMQChannelsWebsocketConnection": {"limit_rate": False},
    }
    cfg = write_secret(tmp / "kernel_gateway_config.json", json.dumps(config, indent=1))
    argv = [str(KG_BIN / "jupyter-kernelgateway"), f"--config={cfg}"]
    proc = spawn("kernel_gateway", argv, tmp / "kg.log", child_env(tmp / "env", KG_BIN), root)
    url = f"http://127.0.0.1:{port}"
    wait_http(proc, url + "/api/kernelspecs", token)
    return Host(proc, url, token)


# jupyter_server's kernel WebSocket class in gateway mode, for the atelier and kg peers alike
# (--gateway-ws-class; None: jupyter_server's own GatewayWebSocketConnection).
GATEWAY_WS_CLASS: str | None = "atelier.jupyter_gateway.NoDelayGatewayWebSocketConnection"


def start_jupyter_server(tmp: Path, root: Path, gateway: Host | None, port: int | None = None) -> Host:
    tmp.mkdir(parents=True, exist_ok=True)
    token = secrets.token_hex(24)
    port = port or free_port()
    config: dict = {
        "ServerApp": {"ip": "127.0.0.1", "port": port, "port_retries": 0, "root_dir": str(root),
                      "open_browser": False, "allow_root": os.geteuid() == 0},
        "IdentityProvider": {"token": token},
    }
    if gateway is not None:
        config["GatewayClient"] = {"url": gateway.url, "auth_token": gateway.token}
        if GATEWAY_WS_CLASS:
            # As Atelier's launcher configures gateway mode; the same for every gateway peer.
            config["ServerApp"]["kernel_websocket_connection_class"] = GATEWAY_WS_CLASS
    else:
        # the default iopub data rate limit (1 MB/s) would drop the throughput test's output
        config["ZMQChannelsWebsocketConnection"] = {"limit_rate": False}
    cfg = write_secret(tmp / "jupyter_server_config.json", json.dumps(config, indent=1))
    argv = [str(MAIN_BIN / "jupyter"), "server", f"--config={cfg}"]
    proc = spawn("jupyter_server", argv, tmp / "jupyter_server.log", child_env(tmp / "env", MAIN_BIN), root)
    url = f"http://127.0.0.1:{port}"
    wait_http(proc, url + "/api/status", token)
    return Host(proc, url, token)


def start_stack(peer: str, tmp: Path, root: Path, java: str) -> Stack:
    procs: list[Proc] = []
    try:
        if peer == "local":
            js = start_jupyter_server(tmp / "js", root, None)
            return Stack(peer, js, js, [js.proc])
        if peer == "frontdoor":
            # jupyter_server's port is chosen first: the front door forwards to it
            port = free_port()
            gw, door = start_atelier(tmp / "atelier", root, java, front_door_for=port)
            procs.append(gw.proc)
            js = start_jupyter_server(tmp / "js", root, gw, port=port)
            procs.append(js.proc)
            wait_http(js.proc, door.url + "/api/status", js.token)
            # the client talks to the front door, with jupyter_server's token (the front door
            # asks jupyter_server about every caller); front.proc stays jupyter_server's
            return Stack(peer, gw, Host(js.proc, door.url, js.token), procs)
        gw = start_atelier(tmp / "atelier", root, java)[0] if peer == "atelier" else start_kg(tmp / "kg", root)
        procs.append(gw.proc)
        js = start_jupyter_server(tmp / "js", root, gw)
        procs.append(js.proc)
        return Stack(peer, gw, js, procs)
    except BaseException:
        for p in reversed(procs):
            p.stop()
        raise


# -- the client -----------------------------------------------------------------------

def rest(host: Host) -> requests.Session:
    s = requests.Session()
    s.headers["Authorization"] = f"token {host.token}"
    return s


def decode(data: bytes | str, opcode: int) -> dict:
    """A legacy-protocol frame: JSON text, or binary (offsets, the JSON, then the buffers)."""
    if opcode == websocket.ABNF.OPCODE_BINARY:
        (n,) = struct.unpack("!I", data[:4])
        offsets = list(struct.unpack(f"!{n}I", data[4:4 * (n + 1)])) + [len(data)]
        msg = json.loads(data[offsets[0]:offsets[1]])
        msg["buffers"] = [data[offsets[i]:offsets[i + 1]] for i in range(1, n)]
        return msg
    return json.loads(data)


def encode_binary(msg: dict, buffers: list[bytes]) -> bytes:
    """jupyter_server's legacy binary frame: count, offsets, the JSON, the buffers."""
    parts = [json.dumps(msg).encode()] + list(buffers)
    n = len(parts)
    offsets, pos = [], 4 * (n + 1)
    for part in parts:
        offsets.append(pos)
        pos += len(part)
    return struct.pack(f"!{n + 1}I", n, *offsets) + b"".join(parts)


class Client:
    """A JupyterLab-like kernel connection: one WebSocket, legacy JSON frames."""

    def __init__(self, front: Host, kernel_id: str):
        self.session = uuid.uuid4().hex
        base = front.url.replace("http://", "ws://", 1)
        self.ws = websocket.create_connection(
            f"{base}/api/kernels/{kernel_id}/channels?session_id={self.session}",
            header=[f"Authorization: token {front.token}"],
            timeout=Bench.bound(60),
            sockopt=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)],
        )
        assert self.ws.sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)

    def watchdog(self, seconds: float):
        """Shuts the socket down after `seconds`, so a read that trickles on forever ends."""
        import threading

        def fire():
            t.fired = True
            try:
                self.ws.sock.shutdown(socket.SHUT_RDWR)
            except Exception:
                pass
        t = threading.Timer(seconds, fire)
        t.fired = False
        t.daemon = True
        t.start()
        return t

    def close(self) -> None:
        try:
            self.ws.close(timeout=2)
        except Exception:
            pass

    def send(self, msg_type: str, content: dict, channel: str = "shell",
             buffers: list[bytes] | None = None) -> str:
        mid = uuid.uuid4().hex
        header = {"msg_id": mid, "msg_type": msg_type, "username": "", "session": self.session,
                  "date": datetime.datetime.now(datetime.timezone.utc).isoformat(),
                  "version": PROTOCOL_VERSION}
        msg = {"header": header, "msg_id": mid, "msg_type": msg_type, "parent_header": {},
               "metadata": {}, "content": content, "channel": channel}
        if buffers:
            self.ws.send_binary(encode_binary(msg, buffers))
        else:
            msg["buffers"] = []
            self.ws.send(json.dumps(msg))
        return mid

    def recv(self, end: float) -> tuple[dict, int]:
        left = end - time.monotonic()
        if left <= 0:
            raise TimeoutError("no answer in time")
        self.ws.settimeout(Bench.bound(left))
        opcode, data = self.ws.recv_data()
        return decode(data, opcode), len(data)

    def kernel_info(self, timeout: float = 60.0) -> None:
        end = time.monotonic() + timeout
        while True:
            mid = self.send("kernel_info_request", {})
            sub_end = min(end, time.monotonic() + 5)
            try:
                while True:
                    msg, _ = self.recv(sub_end)
                    if (msg.get("parent_header") or {}).get("msg_id") == mid and msg["msg_type"] == "kernel_info_reply":
                        return
            except (TimeoutError, websocket.WebSocketTimeoutException):
                if time.monotonic() >= end:
                    raise TimeoutError("kernel_info_request never answered")

    def execute(self, code: str, timeout: float, collect: bool = False):
        """Send one execute_request; return when its execute_reply and parented idle are in."""
        content = {"code": code, "silent": False, "store_history": True, "user_expressions": {},
                   "allow_stdin": True, "stop_on_error": True}
        end = time.monotonic() + timeout
        t0 = time.perf_counter()
        mid = self.send("execute_request", content)
        reply = idle = False
        n_msgs = n_bytes = 0
        texts: list[str] = []
        status = None
        self.kernel_dates: dict[str, str] = {}
        while not (reply and idle):
            try:
                msg, size = self.recv(end)
            except websocket.WebSocketTimeoutException as e:
                raise TimeoutError(f"execute timed out (reply={reply}, idle={idle})") from e
            n_msgs += 1
            n_bytes += size
            if (msg.get("parent_header") or {}).get("msg_id") != mid:
                continue
            t = msg["msg_type"]
            if t in ("execute_input", "execute_reply"):
                self.kernel_dates[t] = msg["header"].get("date", "")
            if t == "execute_reply":
                reply = True
                status = msg["content"].get("status")
            elif t == "status" and msg["content"].get("execution_state") == "idle":
                idle = True
            elif collect and t == "stream" and msg["content"].get("name") == "stdout":
                texts.append(msg["content"]["text"])
        dt = time.perf_counter() - t0
        return dt, status, n_msgs, n_bytes, texts


def open_notebook(stack: Stack, name: str) -> tuple[str, str, Client]:
    s = rest(stack.front)
    body = {"path": name, "type": "notebook", "name": name, "kernel": {"name": "python3"}}
    r = s.post(stack.front.url + "/api/sessions", json=body, timeout=Bench.bound(90))
    if r.status_code != 201:
        raise RuntimeError(f"POST /api/sessions -> {r.status_code}: {r.text[:500]}")
    sess = r.json()
    client = Client(stack.front, sess["kernel"]["id"])
    client.kernel_info(timeout=Bench.bound(60))
    return sess["id"], sess["kernel"]["id"], client


def cpu_seconds(pids: dict[str, list[int]]) -> dict[str, float]:
    out = {}
    for role, plist in pids.items():
        total = 0.0
        for pid in plist:
            try:
                t = psutil.Process(pid).cpu_times()
                total += t.user + t.system
            except psutil.Error:
                pass
        out[role] = total
    return out


def roles(stack: Stack) -> dict[str, list[int]]:
    """Processes by role, for CPU accounting: front server, gateway, kernel side, client."""
    r: dict[str, list[int]] = {"client": [os.getpid()]}
    if stack.peer == "local":
        r["jupyter_server"] = [stack.front.proc.pid]
        r["kernel"] = [p.pid for p in stack.front.proc.descendants()]
    else:
        r["jupyter_server"] = [stack.front.proc.pid]
        r["gateway"] = [stack.host.proc.pid]
        kids = stack.host.proc.descendants()
        # Atelier: the agent and the kernels; Kernel Gateway: the kernels
        r["kernel_side"] = [p.pid for p in kids]
    return r


def percentile(sorted_xs: list[float], q: float) -> float:
    if not sorted_xs:
        return float("nan")
    k = (len(sorted_xs) - 1) * q
    lo = int(k)
    hi = min(lo + 1, len(sorted_xs) - 1)
    return sorted_xs[lo] + (sorted_xs[hi] - sorted_xs[lo]) * (k - lo)


def rtt_stats(xs: list[float]) -> dict:
    s = sorted(xs)
    ms = lambda v: round(v * 1000, 3)
    return {"n": len(s), "p50_ms": ms(percentile(s, 0.5)), "p90_ms": ms(percentile(s, 0.9)),
            "p99_ms": ms(percentile(s, 0.99)), "mean_ms": ms(statistics.fmean(s)) if s else None,
            "min_ms": ms(s[0]) if s else None, "max_ms": ms(s[-1]) if s else None}


# -- one visit: start a peer, measure, stop it --------------------------------------------

def busy_cpu_s() -> float:
    t = psutil.cpu_times()
    return sum(t) - t.idle - getattr(t, "iowait", 0.0)


def foreign_load(busy0: float, own0: float, wall0: float, stack: Stack) -> float:
    """CPU-seconds per second spent during the visit by processes that are not the run's own.

    Other work on the machine competes for the same cores; this says how much there was.
    """
    own = time.process_time() - own0
    pids = [stack.front.proc.pid, stack.host.proc.pid]
    pids += [p.pid for p in stack.front.proc.descendants()] + [p.pid for p in stack.host.proc.descendants()]
    for pid in set(pids):  # all started during the visit: their whole CPU time counts
        try:
            t = psutil.Process(pid).cpu_times()
            own += t.user + t.system + t.children_user + t.children_system
        except psutil.Error:
            pass
    wall = time.monotonic() - wall0
    return round(max(0.0, busy_cpu_s() - busy0 - own) / wall, 3) if wall > 0 else 0.0


def output_run(client: Client, stack: Stack, code: str, expected: str, timeout: float = 120) -> dict:
    pids = roles(stack)
    c0 = cpu_seconds(pids)
    dt, status, n_msgs, n_bytes, texts = client.execute(code, timeout=timeout, collect=True)
    c1 = cpu_seconds(pids)
    text = "".join(texts)
    kernel_s = kernel_seconds(client.kernel_dates)
    return {
        "seconds": dt, "messages": n_msgs, "stream_messages": len(texts),
        # the kernel's own clock, from execute_input to execute_reply: the cell as the kernel ran it
        "kernel_seconds": kernel_s,
        # everything else: request and output through the servers, and the client's decoding
        "outside_kernel_ms": None if kernel_s is None else round((dt - kernel_s) * 1000, 2),
        "bytes_received": n_bytes, "stream_text_bytes": len(text.encode()),
        "complete": text == expected, "lines_received": text.count("\n"),
        "status": status,
        "cpu_s": {k: round(c1[k] - c0[k], 3) for k in c0},
    }


def kernel_seconds(dates: dict[str, str]) -> float | None:
    """Seconds between the kernel's execute_input and execute_reply headers (the kernel's clock)."""
    try:
        start, end = (datetime.datetime.fromisoformat(dates[k].replace("Z", "+00:00"))
                      for k in ("execute_input", "execute_reply"))
    except (KeyError, ValueError):
        return None
    return (end - start).total_seconds()


def rtt_loop(client: Client, warmup: int, n: int) -> list[float]:
    for _ in range(warmup):
        client.execute("pass", timeout=30)
    xs = []
    for _ in range(n):
        dt, status, *_ = client.execute("pass", timeout=30)
        if status != "ok":
            raise RuntimeError(f"execute_reply status {status}")
        xs.append(dt)
    return xs


ECHO_TARGET = """
def _bytes_echo(comm, open_msg):
    @comm.on_msg
    def _on_msg(msg):
        data = bytes(msg["buffers"][0])
        comm.send({"n": len(data)}, buffers=[data])
get_ipython().kernel.comm_manager.register_target("bytes_echo", _bytes_echo)
"""


def case_binary_echo(stack: Stack, kernel_id: str, size: int = 1 << 20, timeout: float = 20) -> str:
    """A comm message carrying `size` random bytes, echoed back by the kernel: intact both ways?"""
    c = Client(stack.front, kernel_id)
    watchdog = c.watchdog(timeout + 45)
    try:
        c.kernel_info(timeout=Bench.bound(30))
        _, status, *_ = c.execute(ECHO_TARGET, timeout=30)
        if status != "ok":
            return f"failed: registering the comm target -> {status}"
        comm_id = uuid.uuid4().hex
        c.send("comm_open", {"comm_id": comm_id, "target_name": "bytes_echo", "data": {}})
        payload = os.urandom(size)
        c.send("comm_msg", {"comm_id": comm_id, "data": {}}, buffers=[payload])
        end = time.monotonic() + timeout
        while True:
            try:
                msg, _ = c.recv(end)
            except (TimeoutError, websocket.WebSocketTimeoutException):
                return f"failed: no echo within {timeout:.0f} s"
            except websocket.WebSocketConnectionClosedException:
                return "failed: the WebSocket was closed"
            if msg.get("msg_type") == "comm_msg" and msg["content"].get("comm_id") == comm_id:
                bufs = msg.get("buffers") or []
                if len(bufs) == 1 and bytes(bufs[0]) == payload:
                    return "ok"
                return (f"failed: echo came back with {len(bufs)} buffer(s) of "
                        f"{[len(b) for b in bufs]} bytes, content {json.dumps(msg['content'])[:120]}")
    except Exception as e:  # noqa: BLE001 - what went wrong is the result
        if watchdog.fired:
            return f"failed: nothing conclusive within {timeout + 45:.0f} s (the socket was closed by the bench)"
        return f"failed: {type(e).__name__}: {str(e)[:160]}"
    finally:
        watchdog.cancel()
        c.close()


def case_big_output(stack: Stack, kernel_id: str, size: int = 50_000_000, timeout: float = 60) -> str:
    """One display_data message of `size` bytes of text: does it arrive whole?"""
    c = Client(stack.front, kernel_id)
    watchdog = c.watchdog(timeout + 45)
    try:
        c.kernel_info(timeout=Bench.bound(30))
        code = f"from IPython.display import display\ndisplay({{'text/plain': 'y' * {size}}}, raw=True)"
        mid = c.send("execute_request", {"code": code, "silent": False, "store_history": False,
                                         "user_expressions": {}, "allow_stdin": False, "stop_on_error": True})
        end = time.monotonic() + timeout
        got = None
        while True:
            try:
                msg, _ = c.recv(end)
            except (TimeoutError, websocket.WebSocketTimeoutException):
                return f"failed: output incomplete after {timeout:.0f} s (display_data {'seen' if got else 'not seen'})"
            except websocket.WebSocketConnectionClosedException:
                return "failed: the WebSocket was closed"
            if (msg.get("parent_header") or {}).get("msg_id") != mid:
                continue
            if msg["msg_type"] == "display_data":
                got = msg["content"]["data"].get("text/plain", "")
            if msg["msg_type"] == "status" and msg["content"].get("execution_state") == "idle":
                if got is not None and len(got) == size and got == "y" * size:
                    return "ok"
                return f"failed: display_data {'missing' if got is None else f'of {len(got)} bytes'}"
    except Exception as e:  # noqa: BLE001 - what went wrong is the result
        if watchdog.fired:
            return f"failed: nothing conclusive within {timeout + 45:.0f} s (the socket was closed by the bench)"
        return f"failed: {type(e).__name__}: {str(e)[:160]}"
    finally:
        watchdog.cancel()
        c.close()


def kernel_floor(tmp: Path, warmup: int, n: int) -> list[float]:
    """The kernel alone: jupyter_client's ZeroMQ client in this process, no server, no WebSocket."""
    from jupyter_client.manager import KernelManager

    tmp.mkdir(parents=True, exist_ok=True)
    km = KernelManager(kernel_name="python3", connection_file=str(tmp / "kernel.json"))
    env = child_env(tmp / "env", MAIN_BIN)
    with open(tmp / "kernel.log", "ab") as fh:
        km.start_kernel(env=env, cwd=str(tmp), stdout=fh, stderr=fh)
    pid = km.provisioner.pid if km.provisioner else None
    if pid:
        EXTRA_PIDS.append(pid)
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=Bench.bound(60))

        def one() -> float:
            t0 = time.perf_counter()
            mid = kc.execute("pass")
            end = time.monotonic() + 30
            idle = False
            while not idle:
                m = kc.get_iopub_msg(timeout=max(0.01, end - time.monotonic()))
                idle = (m["parent_header"].get("msg_id") == mid and m["msg_type"] == "status"
                        and m["content"]["execution_state"] == "idle")
            while True:
                m = kc.get_shell_msg(timeout=max(0.01, end - time.monotonic()))
                if m["parent_header"].get("msg_id") == mid:
                    break
            return time.perf_counter() - t0

        for _ in range(warmup):
            one()
        return [one() for _ in range(n)]
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def visit(peer: str, rnd: int, args, tmp: Path, root: Path, java: str) -> dict:
    out: dict = {"peer": peer, "round": rnd, "rtt_s": [], "throughput": [], "per_line_flush": [],
                 "direct_rtt_s": []}
    busy0, own0, wall0 = busy_cpu_s(), time.process_time(), time.monotonic()
    t_start = time.perf_counter()
    stack = start_stack(peer, tmp / f"{peer}-r{rnd}-{uuid.uuid4().hex[:6]}", root, java)
    out["servers_up_s"] = round(time.perf_counter() - t_start, 2)
    client = None
    try:
        # 1. the notebook as JupyterLab opens it, through jupyter_server
        t0 = time.perf_counter()
        sid, kid, client = open_notebook(stack, f"bench-{peer}-{rnd}.ipynb")
        out["kernel_ready_s"] = round(time.perf_counter() - t0, 2)
        out["rtt_s"] = rtt_loop(client, args.warmup, args.rtt_per_visit)
        expected = "".join(f"{i}\n" for i in range(args.lines))
        code = f"for i in range({args.lines}): print(i)"
        for i in range(args.tp_warmup + args.tp_per_visit):
            run = output_run(client, stack, code, expected)
            if i >= args.tp_warmup:
                out["throughput"].append(run)
            elif not run["complete"]:
                raise RuntimeError(f"the untimed throughput run received {run['lines_received']} of {args.lines} lines")
        if args.flush_lines:
            expected = "".join(f"{i}\n" for i in range(args.flush_lines))
            code = f"for i in range({args.flush_lines}): print(i, flush=True)"
            out["per_line_flush"].append(output_run(client, stack, code, expected))
        client.close()
        client = None
        # what JupyterLab users hit: binary buffers, one message over 10 MiB (first round only)
        if rnd == 0 and args.cases:
            out["cases"] = {"binary_1mb_echo": case_binary_echo(stack, kid),
                            "single_50mb_output": case_big_output(stack, kid)}
            log(f"  {peer}: {out['cases']}")
        # 2. diagnostic: the same round trip on the gateway's own kernel WebSocket, without
        #    jupyter_server in between (a kernel started on the gateway's REST API)
        if peer in ("atelier", "kg") and args.direct_rtt_per_visit:
            s = rest(stack.host)
            r = s.post(stack.host.url + "/api/kernels", json={"name": "python3"}, timeout=Bench.bound(90))
            if r.status_code not in (200, 201):
                raise RuntimeError(f"POST /api/kernels on the gateway -> {r.status_code}: {r.text[:300]}")
            dkid = r.json()["id"]
            client = Client(stack.host, dkid)
            client.kernel_info(timeout=Bench.bound(60))
            out["direct_rtt_s"] = rtt_loop(client, args.warmup, args.direct_rtt_per_visit)
            client.close()
            client = None
            try:
                s.delete(f"{stack.host.url}/api/kernels/{dkid}", timeout=Bench.bound(30))
            except requests.RequestException:
                pass
        if peer == "local" and args.direct_rtt_per_visit:
            out["direct_rtt_s"] = kernel_floor(tmp / f"floor-r{rnd}", args.warmup, args.direct_rtt_per_visit)
        out["foreign_cpu_load"] = foreign_load(busy0, own0, wall0, stack)
        try:
            rest(stack.front).delete(f"{stack.front.url}/api/sessions/{sid}", timeout=Bench.bound(30))
        except requests.RequestException:
            pass
    except BudgetExceeded:
        raise
    except Exception as e:
        raise failure(e, stack.procs) from e
    finally:
        if client is not None:
            client.close()
        stack.stop()
    return out


# -- RSS with 20 kernels ----------------------------------------------------------------

def rss_mb(pids) -> float:
    total = 0
    for pid in pids:
        try:
            total += psutil.Process(pid).memory_info().rss
        except psutil.Error:
            pass
    return round(total / 2**20, 1)


def kernel_host_rss(host: Host, peer: str) -> dict:
    """RSS of the host process alone, and of what it started (Atelier: agent + kernels)."""
    kids = host.proc.descendants()
    out = {"host_mb": rss_mb([host.proc.pid])}
    if peer == "atelier":
        agent = [p.pid for p in kids if p.ppid() == host.proc.pid]
        kernels = [p.pid for p in kids if p.pid not in agent]
        out["agent_mb"] = rss_mb(agent)
        out["kernels_mb"] = rss_mb(kernels)
        out["kernel_processes"] = len(kernels)
    else:
        out["kernels_mb"] = rss_mb([p.pid for p in kids])
        out["kernel_processes"] = len(kids)
    return out


def rss_test(peer: str, args, tmp: Path, root: Path, java: str) -> dict:
    t = tmp / f"rss-{peer}"
    if peer == "atelier":
        host = start_atelier(t, root, java)[0]
    elif peer == "kg":
        host = start_kg(t, root)
    else:
        host = start_jupyter_server(t, root, None)
    out: dict = {"peer": peer}
    try:
        time.sleep(args.settle)
        out["idle"] = kernel_host_rss(host, peer)
        def post(_: int) -> str:
            r = rest(host).post(host.url + "/api/kernels", json={"name": "python3"}, timeout=Bench.bound(90))
            if r.status_code not in (200, 201):
                raise RuntimeError(f"POST /api/kernels -> {r.status_code}: {r.text[:300]}")
            return r.json()["id"]

        # all at once, as JupyterLab does when it restores a workspace of open notebooks
        t0 = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(args.rss_kernels) as pool:
            ids = list(pool.map(post, range(args.rss_kernels)))
        out["post_all_s"] = round(time.perf_counter() - t0, 2)
        # ready = answers kernel_info_request on its WebSocket (on the host directly)
        for kid in ids:
            c = Client(host, kid)
            c.kernel_info(timeout=Bench.bound(90))
            c.close()
        out["start_all_s"] = round(time.perf_counter() - t0, 2)
        time.sleep(args.settle)
        out["with_kernels"] = kernel_host_rss(host, peer)
        out["kernels"] = len(ids)
        s = rest(host)
        for kid in ids:
            try:
                s.delete(f"{host.url}/api/kernels/{kid}", timeout=Bench.bound(30))
            except requests.RequestException:
                pass
        time.sleep(args.settle)
        out["after_shutdown"] = kernel_host_rss(host, peer)
    except BudgetExceeded:
        raise
    except Exception as e:
        raise failure(e, [host.proc]) from e
    finally:
        host.proc.stop()
        if host.proc in RUNNING:
            RUNNING.remove(host.proc)
    return out


# -- the browser: Chromium runs cells in JupyterLab ---------------------------------------

BROWSER_DIR = BENCH / "browser"


def ensure_browser_tools() -> None:
    if not shutil.which("node"):
        raise RuntimeError("node is not installed (Node 20 is a prerequisite)")
    if not (BROWSER_DIR / "node_modules" / "playwright-core").exists():
        log("installing bench/browser's packages (playwright-core; no browser download)")
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--prefix", str(BROWSER_DIR)],
                       check=True, timeout=300, stdout=subprocess.DEVNULL)
    chromium = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    if not Path(chromium).exists():
        raise RuntimeError(f"{chromium} is missing: install Debian's chromium (apt-get install chromium)")


def browser_test(peer: str, args, tmp: Path, root: Path, java: str) -> dict:
    stack = start_stack(peer, tmp / f"browser-{peer}-{uuid.uuid4().hex[:6]}", root, java)
    out_file = tmp / f"browser-{peer}.json"
    try:
        env = dict(os.environ, PLAYWRIGHT_BROWSERS_PATH="0")
        r = subprocess.run(["node", str(BROWSER_DIR / "cells.mjs"), "--url", stack.front.url,
                            "--token", stack.front.token, "--cells", str(args.browser_cells),
                            "--name", f"bench-cells-{peer}.ipynb", "--out", str(out_file)],
                           capture_output=True, text=True, timeout=Bench.bound(300), env=env)
        if r.returncode != 0:
            raise RuntimeError(f"cells.mjs exited {r.returncode}: {(r.stderr or r.stdout)[-1500:]}")
        data = json.loads(out_file.read_text())
    except BudgetExceeded:
        raise
    except Exception as e:
        raise failure(e, stack.procs) from e
    finally:
        stack.stop()
    return {"peer": peer, "lab_loaded_s": round(data["loaded_s"], 2), "chromium": data["chromium"],
            "dom": rtt_stats([x / 1000 for x in data["dom_ms"]]),
            "frame": rtt_stats([x / 1000 for x in data["frame_ms"]]),
            "dom_ms": [round(x, 2) for x in data["dom_ms"]],
            "big_output": data.get("big_output")}


# -- report -------------------------------------------------------------------------------

def median_of(values) -> float | None:
    xs = [v for v in values if v is not None]
    return round(statistics.median(xs), 3) if xs else None


def ratio_ci(a: list[float], b: list[float], seed: int, n: int = 2000) -> list[float] | None:
    """95% bootstrap interval of median(a) / median(b), each resampled with replacement."""
    if len(a) < 3 or len(b) < 3:
        return None
    rng = random.Random(seed)
    rs = sorted(statistics.median(rng.choices(a, k=len(a))) / statistics.median(rng.choices(b, k=len(b)))
                for _ in range(n))
    return [round(rs[int(0.025 * n)], 3), round(rs[int(0.975 * n) - 1], 3)]


def big_output_summary(browser: list[dict], seed: int = 0) -> dict:
    """The 20 MB browser runs of every visit, per peer, and the front door / local median ratio."""
    out: dict = {}
    for b in browser:
        o = b.get("big_output")
        if not o:
            continue
        peer = out.setdefault(b["peer"], {"mb": o["mb"], "ms": [], "protocol": o.get("protocol", "-"),
                                          "extensions": o.get("extensions", "")})
        peer["ms"].extend(o["ms"])
    for peer in list(out):
        s = sorted(out[peer]["ms"])
        out[peer].update({"runs": len(s), "median_ms": round(statistics.median(s), 1),
                          "p90_ms": round(percentile(s, 0.9), 1), "min_ms": round(s[0], 1), "max_ms": round(s[-1], 1)})
    if "frontdoor" in out and "local" in out:
        out["frontdoor_over_local"] = {
            "ratio": round(out["frontdoor"]["median_ms"] / out["local"]["median_ms"], 3),
            "ci95": ratio_ci(out["frontdoor"]["ms"], out["local"]["ms"], seed)}
    return out


def output_stats(runs: list[dict]) -> dict:
    tp: dict = {"runs": len(runs)}
    if not runs:
        return tp
    mbs = [t["stream_text_bytes"] / t["seconds"] / 1e6 for t in runs]
    mps = [t["messages"] / t["seconds"] for t in runs]
    tp.update({
        "seconds_median": round(statistics.median(t["seconds"] for t in runs), 3),
        "mb_per_s_median": round(statistics.median(mbs), 3),
        "mb_per_s_all": [round(x, 3) for x in mbs],
        "msgs_per_s_median": round(statistics.median(mps), 1),
        "msgs_per_s_all": [round(x, 1) for x in mps],
        "messages_median": statistics.median(t["messages"] for t in runs),
        "stream_messages_median": statistics.median(t["stream_messages"] for t in runs),
        "bytes_received_median": statistics.median(t["bytes_received"] for t in runs),
        "stream_text_bytes": runs[0]["stream_text_bytes"],
        "all_complete": all(t["complete"] for t in runs),
        "kernel_seconds_median": median_of(t.get("kernel_seconds") for t in runs),
        "outside_kernel_ms_median": median_of(t.get("outside_kernel_ms") for t in runs),
        "cpu_s_median": {k: round(statistics.median(t["cpu_s"][k] for t in runs), 3)
                         for k in runs[0]["cpu_s"]},
    })
    return tp


def summarize(visits: list[dict], peers: list[str]) -> dict:
    summary = {}
    for peer in peers:
        vs = [v for v in visits if v["peer"] == peer and "error" not in v]
        rtts = [x for v in vs for x in v["rtt_s"]]
        st = rtt_stats(rtts) if rtts else {"n": 0}
        st["per_visit_p50_ms"] = [round(percentile(sorted(v["rtt_s"]), 0.5) * 1000, 3) for v in vs if v["rtt_s"]]
        direct = [x for v in vs for x in v.get("direct_rtt_s", [])]
        dst = rtt_stats(direct) if direct else {"n": 0}
        dst["per_visit_p50_ms"] = [round(percentile(sorted(v["direct_rtt_s"]), 0.5) * 1000, 3)
                                   for v in vs if v.get("direct_rtt_s")]
        loads = [v["foreign_cpu_load"] for v in vs if "foreign_cpu_load" in v]
        summary[peer] = {
            "rtt": st,
            "throughput": output_stats([t for v in vs for t in v["throughput"]]),
            "per_line_flush": output_stats([t for v in vs for t in v.get("per_line_flush", [])]),
            "direct_rtt": dst,
            "cases": next((v["cases"] for v in vs if v.get("cases")), {}),
            "foreign_cpu_load_per_visit": loads,
            "errors": [v["error"] for v in visits if v["peer"] == peer and "error" in v],
        }
    return summary


def ratios(summary: dict, seed: int = 0) -> dict:
    def get(peer, *path):
        d = summary.get(peer)
        for p in path:
            if not isinstance(d, dict) or p not in d:
                return None
            d = d[p]
        return d

    def div(a, b):
        return round(a / b, 3) if a is not None and b else None

    a50, l50, k50 = get("atelier", "rtt", "p50_ms"), get("local", "rtt", "p50_ms"), get("kg", "rtt", "p50_ms")
    am, lm, km = get("atelier", "rtt", "mean_ms"), get("local", "rtt", "mean_ms"), get("kg", "rtt", "mean_ms")
    atp, ktp = get("atelier", "throughput", "mb_per_s_median"), get("kg", "throughput", "mb_per_s_median")
    r = {
        "atelier_p50_over_local_p50": div(a50, l50),
        "atelier_p50_over_kg_p50": div(a50, k50),
        "atelier_throughput_over_kg_throughput": div(atp, ktp),
        # the kernel sets this rate and its speed varies from one kernel process to the next
        "atelier_throughput_over_kg_throughput_ci95": ratio_ci(
            get("atelier", "throughput", "mb_per_s_all") or [], get("kg", "throughput", "mb_per_s_all") or [], seed),
    }
    met = lambda v, ok: None if v is None else ok(v)
    # not targets: the means, which the 4 ms timer steps under the p50s do not hide
    r["atelier_mean_over_local_mean"] = div(am, lm)
    r["atelier_mean_over_kg_mean"] = div(am, km)
    f50, fp99 = get("frontdoor", "rtt", "p50_ms"), get("frontdoor", "rtt", "p99_ms")
    ftp = get("frontdoor", "throughput", "mb_per_s_median")
    r["frontdoor_p50_over_local_p50"] = div(f50, l50)
    r["frontdoor_throughput_over_kg_throughput"] = div(ftp, ktp)
    r["frontdoor_p50_ms"] = f50
    r["frontdoor_p99_ms"] = fp99
    cases = get("frontdoor", "cases") or {}
    r["targets"] = {
        "frontdoor_p50 <= 10 ms": met(f50, lambda v: v <= 10.0),
        "frontdoor binary and 50 MB cases pass": (None if not cases else all(v == "ok" for v in cases.values())),
        "atelier_p50 <= 1.3 x local_p50": met(r["atelier_p50_over_local_p50"], lambda v: v <= 1.3),
        "atelier_p50 <= kg_p50": met(r["atelier_p50_over_kg_p50"], lambda v: v <= 1.0),
        "atelier_throughput >= kg_throughput": met(r["atelier_throughput_over_kg_throughput"], lambda v: v >= 1.0),
    }
    return r


def table(result: dict) -> str:
    lines = []
    s = result["summary"]
    lines.append("| peer | RTT p50 ms | p90 ms | p99 ms | mean ms | n | 200k lines: s | MB/s | msgs/s | msgs | bytes recv "
                 "| kernel s | outside the kernel ms | complete |")
    lines.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for peer, d in s.items():
        r, t = d["rtt"], d["throughput"]
        if not r.get("n"):
            lines.append(f"| {PEER_LABEL[peer]} | failed: {'; '.join(d['errors'])[:200]} |")
            continue
        lines.append(
            f"| {PEER_LABEL[peer]} | {r['p50_ms']:.2f} | {r['p90_ms']:.2f} | {r['p99_ms']:.2f} | {r['mean_ms']:.2f} "
            f"| {r['n']} | {t.get('seconds_median', float('nan')):.3f} | {t.get('mb_per_s_median', float('nan')):.2f} "
            f"| {t.get('msgs_per_s_median', float('nan')):.0f} | {t.get('messages_median', '-')} "
            f"| {t.get('bytes_received_median', '-')} | {t.get('kernel_seconds_median') or '-'} "
            f"| {t.get('outside_kernel_ms_median') or '-'} | {'yes' if t.get('all_complete') else 'NO'} ({t.get('runs', 0)} runs) |")
    lines.append("")
    lines.append("Diagnostics (not targets): per-line flush output, and round trips without jupyter_server "
                 "(atelier, kg: the gateway's own kernel WebSocket; local: the kernel alone through jupyter_client)")
    lines.append("")
    lines.append("| peer | print(i, flush=True) x N: s | msgs/s | stream msgs | complete | direct RTT p50 ms | p90 ms | p99 ms | n |")
    lines.append("|---|---:|---:|---:|---|---:|---:|---:|---:|")
    for peer, d in s.items():
        f, dr = d["per_line_flush"], d["direct_rtt"]
        fl = (f"{f['seconds_median']:.3f} | {f['msgs_per_s_median']:.0f} | {f['stream_messages_median']} "
              f"| {'yes' if f['all_complete'] else 'NO'}") if f.get("runs") else "- | - | - | -"
        di = (f"{dr['p50_ms']:.2f} | {dr['p90_ms']:.2f} | {dr['p99_ms']:.2f} | {dr['n']}"
              if dr.get("n") else "- | - | - | -")
        lines.append(f"| {PEER_LABEL[peer]} | {fl} | {di} |")
    lines.append("")
    rr = result["ratios"]
    lines.append("| ratio | value | target | met |")
    lines.append("|---|---:|---|---|")
    for key, target, tkey in (
        ("frontdoor_p50_ms", "<= 10 ms", "frontdoor_p50 <= 10 ms"),
        ("atelier_p50_over_local_p50", "<= 1.3", "atelier_p50 <= 1.3 x local_p50"),
        ("atelier_p50_over_kg_p50", "<= 1.0", "atelier_p50 <= kg_p50"),
        ("atelier_throughput_over_kg_throughput", ">= 1.0", "atelier_throughput >= kg_throughput"),
    ):
        v = rr[key]
        met = rr["targets"][tkey]
        ci = rr.get(key + "_ci95")
        shown = ('-' if v is None else f'{v:.3f}') + (f" (95% CI {ci[0]:.3f}-{ci[1]:.3f})" if ci else "")
        lines.append(f"| {key} | {shown} | {target} | {'-' if met is None else ('yes' if met else 'NO')} |")
    met = rr["targets"]["frontdoor binary and 50 MB cases pass"]
    lines.append(f"| frontdoor binary and 50 MB cases | | pass | {'-' if met is None else ('yes' if met else 'NO')} |")
    for key in ("frontdoor_p50_over_local_p50", "frontdoor_throughput_over_kg_throughput",
                "atelier_mean_over_local_mean", "atelier_mean_over_kg_mean"):
        v = rr.get(key)
        lines.append(f"| {key} | {'-' if v is None else f'{v:.3f}'} | (no target) | |")
    if any(d.get("cases") for d in s.values()):
        lines.append("")
        lines.append("| peer | 1 MB binary comm buffer echoed | one 50 MB output message |")
        lines.append("|---|---|---|")
        for peer, d in s.items():
            c = d.get("cases") or {}
            lines.append(f"| {PEER_LABEL[peer]} | {c.get('binary_1mb_echo', '-')} | {c.get('single_50mb_output', '-')} |")
    if result.get("browser"):
        lines.append("")
        lines.append("Browser: Chromium (Playwright) runs a cell with Ctrl+Enter; time from the key press to the "
                     "output in the page's DOM, and to the next animation frame after it")
        lines.append("")
        lines.append("| peer | cells | DOM p50 ms | p90 ms | p99 ms | frame p50 ms | frame p99 ms |")
        lines.append("|---|---:|---:|---:|---:|---:|---:|")
        for b in result["browser"]:
            if "error" in b:
                lines.append(f"| {PEER_LABEL[b['peer']]} | failed: {b['error'][:200]} |")
                continue
            d, f = b["dom"], b["frame"]
            lines.append(f"| {PEER_LABEL[b['peer']]} | {d['n']} | {d['p50_ms']:.1f} | {d['p90_ms']:.1f} | {d['p99_ms']:.1f} "
                         f"| {f['p50_ms']:.1f} | {f['p99_ms']:.1f} |")
        big = result.get("browser_big_output") or big_output_summary(result["browser"])
        if big:
            lines.append("")
            lines.append("Browser WebSocket (the page's own, on a kernel of its own): one cell printing random base64, "
                         "from execute_request to idle, all visits together")
            lines.append("")
            lines.append("| peer | output MB | runs | median ms | p90 ms | min ms | max ms | protocol | extensions negotiated |")
            lines.append("|---|---:|---:|---:|---:|---:|---:|---|---|")
            for peer, o in big.items():
                if peer == "frontdoor_over_local":
                    continue
                lines.append(f"| {PEER_LABEL[peer]} | {o['mb']} | {o['runs']} | {o['median_ms']:.0f} | {o['p90_ms']:.0f} "
                             f"| {o['min_ms']:.0f} | {o['max_ms']:.0f} | {o['protocol']} | {o['extensions'] or '(none)'} |")
            if "frontdoor_over_local" in big:
                r = big["frontdoor_over_local"]
                lines.append("")
                lines.append(f"front door / local, median: {r['ratio']} (95% bootstrap interval {r['ci95']})")
    if result.get("rss"):
        lines.append("")
        lines.append(f"| kernel host RSS (MB) | idle | with {result['config']['rss_kernels']} kernels | after shutting them down | agent (idle / with kernels) | kernels total | POSTs / all ready |")
        lines.append("|---|---:|---:|---:|---:|---:|---:|")
        for r in result["rss"]:
            if "error" in r:
                lines.append(f"| {r['peer']} | failed: {r['error'][:200]} |")
                continue
            name = {"atelier": "Atelier server (java only)", "kg": "Kernel Gateway 3 (python)",
                    "local": "jupyter_server, local kernels (python)"}[r["peer"]]
            agent = (f"{r['idle'].get('agent_mb')} / {r['with_kernels'].get('agent_mb')}"
                     if r["peer"] == "atelier" else "-")
            lines.append(f"| {name} | {r['idle']['host_mb']} | {r['with_kernels']['host_mb']} "
                         f"| {r['after_shutdown']['host_mb']} | {agent} "
                         f"| {r['with_kernels']['kernels_mb']} ({r['with_kernels']['kernel_processes']} procs) "
                         f"| {r.get('post_all_s')} s / {r['start_all_s']} s |")
    return "\n".join(lines)


# -- main ---------------------------------------------------------------------------------

def main() -> int:
    global GATEWAY_WS_CLASS
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--peers", default=",".join(PEERS), help="comma-separated subset of atelier,local,kg")
    ap.add_argument("--rounds", type=int, default=8, help="visits per peer, in a shuffled order each round")
    ap.add_argument("--rtt-per-visit", type=int, default=130, help="timed round trips per visit")
    ap.add_argument("--warmup", type=int, default=50, help="untimed round trips at the start of each visit")
    ap.add_argument("--tp-per-visit", type=int, default=2, help="throughput runs per visit")
    ap.add_argument("--tp-warmup", type=int, default=1,
                    help="untimed throughput runs at the start of each visit (every peer's first run is slower: "
                         "a fresh kernel, and a fresh JVM for Atelier)")
    ap.add_argument("--lines", type=int, default=200_000, help="lines printed by the throughput cell")
    ap.add_argument("--flush-lines", type=int, default=5_000,
                    help="diagnostic: lines printed with flush=True (one message each), once per visit; 0 skips")
    ap.add_argument("--direct-rtt-per-visit", type=int, default=100,
                    help="diagnostic: round trips on the gateway's own WebSocket (atelier, kg), and on the kernel "
                         "alone through jupyter_client (in the local visit); 0 skips")
    ap.add_argument("--cases", type=int, default=1, help="1: binary-buffer and 50 MB cases in each peer's first visit")
    ap.add_argument("--browser-cells", type=int, default=100,
                    help="cells run in Chromium per browser visit (frontdoor, local); 0 skips")
    ap.add_argument("--browser-visits", type=int, default=2,
                    help="browser visits per peer, alternating which peer goes first")
    ap.add_argument("--rss-kernels", type=int, default=20)
    ap.add_argument("--rss-peers", default="atelier,kg,local", help="kernel hosts measured for RSS ('' for none)")
    ap.add_argument("--settle", type=float, default=3.0, help="seconds to wait before an RSS reading")
    ap.add_argument("--seed", type=int, default=None, help="shuffle seed (default: random, recorded)")
    ap.add_argument("--budget", type=float, default=600.0, help="time budget for the whole run, seconds")
    ap.add_argument("--atelier-image", default="local",
                    help="default image of Atelier's kernels: local (host processes, as the other peers run "
                         "theirs; the default) or a container image such as atelier/datascience")
    ap.add_argument("--out", default=str(BENCH / "results" / "latest.json"))
    ap.add_argument("--gateway-ws-class", default=GATEWAY_WS_CLASS,
                    help="jupyter_server's kernel WebSocket class for both gateway peers, as Atelier's launcher sets "
                         "it; 'stock' for jupyter_server's own GatewayWebSocketConnection")
    args = ap.parse_args()
    GATEWAY_WS_CLASS = None if args.gateway_ws_class == "stock" else args.gateway_ws_class

    t_run = time.monotonic()
    Bench.deadline = t_run + args.budget
    Bench.atelier_image = args.atelier_image
    peers = [p for p in args.peers.split(",") if p]
    for p in peers:
        if p not in PEERS:
            ap.error(f"unknown peer {p}")
    rss_peers = [p for p in args.rss_peers.split(",") if p]
    seed = args.seed if args.seed is not None else random.randrange(2**31)
    rng = random.Random(seed)

    def on_signal(signum, _frame):
        stop_all()
        sys.exit(128 + signum)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    java = find_java(21)
    if "kg" in peers or "kg" in rss_peers:
        ensure_kg_venv()

    result: dict = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "command": " ".join([os.path.relpath(sys.executable, REPO) if sys.executable.startswith(str(REPO)) else sys.executable,
                             os.path.relpath(__file__, REPO), *sys.argv[1:]]),
        "config": {k: getattr(args, k) for k in ("peers", "rounds", "rtt_per_visit", "warmup", "tp_warmup", "tp_per_visit",
                                                 "lines", "flush_lines", "direct_rtt_per_visit", "cases", "browser_cells", "browser_visits", "rss_kernels", "rss_peers", "settle", "budget", "gateway_ws_class")},
        "seed": seed,
        "loadavg_start": os.getloadavg(),
        "machine": machine_info(java),
        "versions": {"main_venv": pkg_versions(MAIN_BIN / "python"),
                     "kg_venv": pkg_versions(KG_BIN / "python") if KG_BIN.exists() else {}},
        "notes": [
            "local: ZMQChannelsWebsocketConnection.limit_rate=false (default 1 MB/s iopub limit drops output)",
            "kg: ZMQChannelsWebsocketConnection.limit_rate=false in Kernel Gateway's config, for the same reason; "
            "JupyterWebsocketPersonality.list_kernels=true, without which jupyter_server's gateway client gets 403",
            "client: websocket-client, TCP_NODELAY on; the servers' sockets are left as each server sets them",
        ],
    }
    visits: list[dict] = []
    order: list[list[str]] = []
    tmp = Path(tempfile.mkdtemp(prefix="atelier-bench-"))
    root = tmp / "root"
    root.mkdir()
    if "atelier" in peers or "atelier" in rss_peers:
        Bench.jar = tmp / "atelier-server.jar"
        result["atelier_jar"] = snapshot_jar(Bench.jar)
    try:
        rss: list[dict] = []
        result["rss"] = rss  # kept even if the budget runs out later
        for peer in rss_peers:
            log(f"RSS: {peer}, idle and with {args.rss_kernels} kernels")
            try:
                rss.append(rss_test(peer, args, tmp, root, java))
            except BudgetExceeded:
                raise
            except Exception as e:
                rss.append({"peer": peer, "error": f"{type(e).__name__}: {e}"[:2000]})
                log(f"  failed: {rss[-1]['error'][:500]}")
        browser: list[dict] = []
        result["browser"] = browser
        bpeers = [p for p in ("frontdoor", "local") if p in peers] if args.browser_cells else []
        if bpeers:
            ensure_browser_tools()
        # Alternating which peer goes first, so neither always runs on the warmer machine.
        browser_visits = [peer for v in range(args.browser_visits if bpeers else 0)
                          for peer in (bpeers if v % 2 == 0 else bpeers[::-1])]
        for peer in browser_visits:
            log(f"browser: {peer}, {args.browser_cells} cells in Chromium")
            try:
                browser.append(browser_test(peer, args, tmp, root, java))
                log(f"  {peer}: DOM p50 {browser[-1]['dom']['p50_ms']:.1f} ms, p99 {browser[-1]['dom']['p99_ms']:.1f} ms")
            except BudgetExceeded:
                raise
            except Exception as e:
                browser.append({"peer": peer, "error": f"{type(e).__name__}: {e}"[:2000]})
                log(f"  failed: {browser[-1]['error'][:500]}")
        result["browser_big_output"] = big_output_summary(browser, seed)
        for rnd in range(args.rounds):
            this = peers[:]
            rng.shuffle(this)
            order.append(this)
            for peer in this:
                for attempt in (1, 2):  # a failed visit is recorded and tried once more
                    log(f"round {rnd + 1}/{args.rounds}: {peer}" + (" (again)" if attempt > 1 else ""))
                    try:
                        v = visit(peer, rnd, args, tmp, root, java)
                        log(f"  {peer}: p50 {percentile(sorted(v['rtt_s']), 0.5) * 1000:.2f} ms"
                            + (f", direct p50 {percentile(sorted(v['direct_rtt_s']), 0.5) * 1000:.2f} ms"
                               if v["direct_rtt_s"] else "") + "; "
                            + ", ".join(f"{t['seconds']:.2f} s complete={t['complete']}"
                                        for t in v["throughput"] + v["per_line_flush"]))
                    except BudgetExceeded:
                        raise
                    except Exception as e:
                        v = {"peer": peer, "round": rnd, "error": f"{type(e).__name__}: {e}"[:2000],
                             "rtt_s": [], "throughput": []}
                        log(f"  {peer} failed: {v['error'][:500]}")
                    visits.append(v)
                    if "error" not in v:
                        break
    except BudgetExceeded as e:
        result["incomplete"] = str(e)
        log(f"stopped: {e}")
    finally:
        stop_all()

    result["order"] = order
    result["loadavg_end"] = os.getloadavg()
    result["summary"] = summarize(visits, peers)
    result["ratios"] = ratios(result["summary"], seed)
    result["visits"] = [{k: ([round(x * 1000, 3) for x in v[k]] if k in ("rtt_s", "direct_rtt_s") else v[k])
                         for k in v} for v in visits]
    result["run_seconds"] = round(time.monotonic() - t_run, 1)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1))
    shutil.rmtree(tmp, ignore_errors=True)

    m = result["machine"]
    print(f"{result['date']}  {result['command']}")
    print(f"{m['nproc']} cores ({m['cpu_model']}), {m['mem_total_gib']} GiB, {m['os']}, {m['java']}, "
          f"Python {m['python']}; seed {seed}; order {order}; {result['run_seconds']} s")
    loads = {p: d["foreign_cpu_load_per_visit"] for p, d in result["summary"].items()}
    print(f"load average at start {result['loadavg_start'][0]:.2f}, at end {result['loadavg_end'][0]:.2f}; "
          f"CPU used by other processes during each visit (cores): {loads}")
    print()
    print(table(result))
    print()
    print(f"written: {os.path.relpath(out, REPO)}")
    bad = [p for p, d in result["summary"].items() if d["errors"] or not d["rtt"].get("n")]
    return 1 if bad or result.get("incomplete") else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    finally:
        stop_all()
