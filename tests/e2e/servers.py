"""Starting and stopping the processes the end-to-end suite drives.

- ``start_atelier``: the Atelier server (Java 21+), acting as a Jupyter Kernel Gateway.
- ``start_jupyter_server``: stock jupyter_server, with its own local kernels or in
  gateway mode on the Atelier server.

Secrets (tokens) go only into files: jupyter_server logs its environment, so none is
passed through environment variables or command lines.
"""

from __future__ import annotations

import glob
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = REPO / ".venv" / "bin"
JAR = REPO / "java-server" / "target" / "atelier-server.jar"


def venv_exe(name: str) -> str:
    p = VENV_BIN / name
    if p.exists():
        return str(p)
    # fall back to the interpreter running the tests
    alt = Path(sys.executable).parent / name
    return str(alt) if alt.exists() else name


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def log_tail(path: Path, lines: int = 60) -> str:
    """The last lines of a log, with Java stack frames dropped and repeats folded.

    A server that fails in a loop can bury its first, telling error under thousands of
    identical stack traces; folding them keeps that error in view.
    """
    try:
        text = path.read_text(errors="replace")
    except OSError as e:
        return f"<no log at {path}: {e}>"
    kept: list[str] = []
    repeats = 0
    seen_recent: list[str] = []
    for line in text.splitlines():
        if re.match(r"\s+(at |\.\.\. \d+ more)", line):
            continue
        key = re.sub(r"\d{4}-\d\d-\d\d|\d\d:\d\d:\d\d[.,]\d+", "", line)  # without timestamps
        if key in seen_recent:
            repeats += 1
            continue
        if repeats:
            kept.append(f"    (... {repeats} repeated lines folded)")
            repeats = 0
        kept.append(line)
        seen_recent = (seen_recent + [key])[-6:]
    if repeats:
        kept.append(f"    (... {repeats} repeated lines folded)")
    return "\n".join(kept[-lines:])


# -- Java discovery ---------------------------------------------------------

def java_major(java: str) -> int | None:
    try:
        out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    m = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
    if not m:
        return None
    major = int(m.group(1))
    if major == 1 and m.group(2):  # "1.8.0" style
        major = int(m.group(2))
    return major


def find_java(min_major: int = 21) -> str:
    """$JAVA_HOME, then java on PATH, then /usr/lib/jvm/*: the first that is >= min_major."""
    tried: list[str] = []
    candidates: list[str] = []
    if os.environ.get("JAVA_HOME"):
        candidates.append(os.path.join(os.environ["JAVA_HOME"], "bin", "java"))
    on_path = shutil.which("java")
    if on_path:
        candidates.append(on_path)
    candidates.extend(sorted(glob.glob("/usr/lib/jvm/*/bin/java"), reverse=True))
    for c in candidates:
        major = java_major(c)
        tried.append(f"{c} ({major})")
        if major is not None and major >= min_major:
            return c
    raise RuntimeError(f"no Java >= {min_major} found; tried: {', '.join(tried) or 'nothing'}")


# -- process handling -------------------------------------------------------

@dataclass
class Proc:
    name: str
    popen: subprocess.Popen
    log: Path

    def alive(self) -> bool:
        return self.popen.poll() is None

    def stop(self, grace: float = 10.0) -> None:
        """SIGTERM the process group, wait a bounded time, then SIGKILL it."""
        pgid = self.popen.pid  # started with start_new_session: pgid == pid
        if self.alive():
            try:
                os.killpg(pgid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.popen.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(pgid, signal.SIGKILL)  # whatever of the group is left
        except ProcessLookupError:
            pass
        try:
            self.popen.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass


def spawn(name: str, argv: list[str], log: Path, env: dict | None = None, cwd: str | None = None) -> Proc:
    fh = open(log, "ab")
    try:
        p = subprocess.Popen(argv, stdout=fh, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                             env=env, cwd=cwd, start_new_session=True)
    finally:
        fh.close()
    return Proc(name, p, log)


def kill_pids(pids: list[int], marker: str = "ipykernel") -> None:
    """SIGKILL kernel processes the suite learned about, if they are still there."""
    for pid in pids:
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if marker in cmdline:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def clean_env(tmp: Path) -> dict:
    """Environment for child processes: isolated Jupyter/IPython dirs, nothing secret."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "JPY_"))}
    for d in ("config", "data", "runtime", "ipython"):
        (tmp / d).mkdir(parents=True, exist_ok=True)
    env["JUPYTER_CONFIG_DIR"] = str(tmp / "config")
    env["JUPYTER_RUNTIME_DIR"] = str(tmp / "runtime")
    env["IPYTHONDIR"] = str(tmp / "ipython")
    env["PYTHONUNBUFFERED"] = "1"
    # the venv's kernelspec (python3) must be found first
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    return env


# -- Atelier ----------------------------------------------------------------

@dataclass
class Atelier:
    proc: Proc
    url: str
    token: str
    front_door_url: str | None = None


def start_atelier(tmp: Path, root_dir: Path, deadline_s: float = 60.0,
                  front_door_for: int | None = None, base_url: str = "/",
                  extra_env: dict | None = None, port: int = 0, front_door_port: int = 0,
                  token: str | None = None, jupyter_url: str | None = None,
                  default_image: str | None = "local") -> Atelier:
    """Starts the server; with ``front_door_for`` (jupyter_server's port) it also serves the front door.
    ``jupyter_url`` names jupyter_server without a front door (gateway mode, as the launcher does).

    Kernels run in local processes (``default_image="local"``) unless told otherwise; ``None``
    keeps the server's own default (a built Atelier image when Docker answers, else local).
    """
    if not JAR.exists():
        raise RuntimeError(
            f"the Atelier server jar {JAR} is missing: build it first with "
            f"`cd {REPO} && mvn -B -q package -DskipTests`"
        )
    java = find_java(21)
    tmp.mkdir(parents=True, exist_ok=True)
    token = token or secrets.token_hex(24)
    token_file = tmp / "atelier-token"
    token_file.write_text(token)
    token_file.chmod(0o600)
    data_dir = tmp / "atelier-data"
    data_dir.mkdir(exist_ok=True)
    ready = tmp / "server.json"
    ready.unlink(missing_ok=True)  # a restart in the same directory must not read the last one
    log = tmp / "atelier.log"
    argv = [
        java, "-jar", str(JAR),
        "--host", "127.0.0.1", "--port", str(port),
        "--token-file", str(token_file),
        "--data-dir", str(data_dir),
        "--python", venv_exe("python"),
        "--root-dir", str(root_dir),
        "--ready-file", str(ready),
    ]
    if front_door_for is not None:
        argv += ["--front-door-port", str(front_door_port), "--jupyter-url", f"http://127.0.0.1:{front_door_for}",
                 "--base-url", base_url]
    elif jupyter_url is not None:
        argv += ["--jupyter-url", jupyter_url, "--base-url", base_url]
    env = clean_env(tmp / "atelier-env")
    if default_image is not None:
        env["ATELIER_DEFAULT_IMAGE"] = default_image
    env.update(extra_env or {})
    proc = spawn("atelier", argv, log, env=env, cwd=str(tmp))
    end = time.monotonic() + deadline_s
    info = None
    while time.monotonic() < end:
        if ready.exists():
            try:
                info = json.loads(ready.read_text())
                if info.get("port"):
                    break
            except (OSError, ValueError):
                pass  # being written
        if not proc.alive():
            break
        time.sleep(0.1)
    if not info or not info.get("port"):
        status = "exited with code %s" % proc.popen.returncode if not proc.alive() else "still running"
        proc.stop()
        raise RuntimeError(
            f"the Atelier server did not write its ready file {ready} within {deadline_s}s "
            f"({status}); command: {' '.join(argv)}\n--- log tail ({log}) ---\n{log_tail(log)}"
        )
    url = info.get("url") or f"http://127.0.0.1:{info['port']}"
    front = info.get("front_door_port", -1)
    return Atelier(proc, url.rstrip("/"), token, f"http://127.0.0.1:{front}" if front and front > 0 else None)


# -- jupyter_server ---------------------------------------------------------

@dataclass
class JupyterServer:
    proc: Proc
    url: str
    token: str
    root_dir: Path
    config_file: Path


def start_jupyter_server(tmp: Path, root_dir: Path, gateway: Atelier | None = None,
                         deadline_s: float = 60.0, port: int | None = None,
                         base_url: str = "/") -> JupyterServer:
    tmp.mkdir(parents=True, exist_ok=True)
    token = secrets.token_hex(24)
    port = port or free_port()
    config: dict = {
        "ServerApp": {
            "ip": "127.0.0.1",
            "port": port,
            "port_retries": 0,
            "root_dir": str(root_dir),
            "open_browser": False,
            # CI and containers run as root; jupyter_server refuses that unless told
            "allow_root": os.geteuid() == 0,
            "base_url": base_url,
        },
        "IdentityProvider": {"token": token},
    }
    if gateway is not None:
        config["GatewayClient"] = {
            "url": gateway.url,
            "auth_token": gateway.token,
            "allowed_envs": "JPY_SESSION_NAME,ATELIER_NOTEBOOK_PATH",
        }
        # As the launcher configures gateway mode (scripts/lib/jupyter_config.py).
        config["ServerApp"]["kernel_websocket_connection_class"] = \
            "atelier.jupyter_gateway.NoDelayGatewayWebSocketConnection"
        config["ServerApp"]["session_manager_class"] = "atelier.jupyter_gateway.NotebookSessionManager"
        config["ServerApp"]["kernel_manager_class"] = \
            "atelier.jupyter_gateway.RefreshingGatewayMappingKernelManager"
    else:
        # jupyter_server's own kernel WebSocket drops iopub output above 1 MB/s by default
        # ("IOPub data rate exceeded"); the 20 MB test checks the transport, not that
        # throttle, so it is off. (Gateway mode forwards messages without this limit.)
        config["ZMQChannelsWebsocketConnection"] = {"limit_rate": False}
    config_file = tmp / "jupyter_server_config.json"
    config_file.write_text(json.dumps(config, indent=1))
    config_file.chmod(0o600)
    log = tmp / "jupyter_server.log"
    argv = [venv_exe("jupyter"), "server", f"--config={config_file}"]
    proc = spawn("jupyter_server", argv, log, env=clean_env(tmp / "jupyter-env"), cwd=str(root_dir))
    url = f"http://127.0.0.1:{port}{base_url.rstrip('/')}"
    end = time.monotonic() + deadline_s
    last = ""
    while time.monotonic() < end:
        if not proc.alive():
            break
        try:
            r = requests.get(url + "/api/status", headers={"Authorization": f"token {token}"}, timeout=5)
            if r.status_code == 200:
                return JupyterServer(proc, url, token, root_dir, config_file)
            last = f"HTTP {r.status_code}"
        except requests.RequestException as e:
            last = str(e)
        time.sleep(0.2)
    status = f"exited with code {proc.popen.returncode}" if not proc.alive() else "still running"
    proc.stop()
    raise RuntimeError(
        f"jupyter_server did not answer GET /api/status within {deadline_s}s ({status}; "
        f"last: {last[:200]}); "
        f"--- log tail ({log}) ---\n{log_tail(log)}"
    )
