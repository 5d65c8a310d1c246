#!/usr/bin/env python3
"""Instance start-up benchmark: how long until a notebook's kernel answers, cold and warm.

One run, side by side, each measured N times (default 20) with p50/p95:

- ``docker cold``:   Atelier starts a new Docker instance (container + agent) and a kernel in it,
                     until the kernel answers ``kernel_info_request`` (``POST /api/kernels``
                     returns only then); the instance is stopped between runs;
- ``docker warm``:   a kernel on an instance that is already running (another kernel keeps it up);
- ``process cold`` / ``process warm``: the same on the process runtime (image ``local``);
- ``docker run floor``: a plain ``docker run`` of the same image starting ipykernel with a
                     connection file, until ``kernel_info_reply`` arrives (jupyter_client) — what
                     starting the container and the kernel costs without Atelier.

Run from the repository root after the images are built (``bash images/build.sh``):

    .venv/bin/python bench/instances.py [-n 20] [--image atelier/base:latest]

Prints a table and writes ``bench/results/instances.json``. See ``bench/README.md``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from kernels import (JAR, MAIN_BIN, child_env, find_java, free_port, log, log_tail, machine_info,  # noqa: E402
                     percentile, spawn, stop_all, write_secret)

REPO = Path(__file__).resolve().parents[1]
TYPE = "ml.t3.medium"


def stats(xs: list[float]) -> dict:
    s = sorted(xs)
    return {"n": len(s), "p50_s": round(percentile(s, 0.5), 3), "p95_s": round(percentile(s, 0.95), 3),
            "min_s": round(s[0], 3), "max_s": round(s[-1], 3), "all_s": [round(x, 3) for x in xs]}


class Atelier:
    def __init__(self, tmp: Path):
        tmp.mkdir(parents=True, exist_ok=True)
        self.token = secrets.token_hex(24)
        ready = tmp / "server.json"
        argv = [find_java(21), "-jar", str(JAR), "--host", "127.0.0.1", "--port", "0",
                "--token-file", str(write_secret(tmp / "token", self.token)), "--data-dir", str(tmp / "data"),
                "--python", str(MAIN_BIN / "python"), "--root-dir", str(tmp), "--ready-file", str(ready)]
        env = child_env(tmp / "env", MAIN_BIN)
        env["ATELIER_INSTANCE_STOP_GRACE_SECONDS"] = "3600"  # instances stay up until stopped here
        self.proc = spawn("atelier", argv, tmp / "atelier.log", env, tmp)
        end = time.monotonic() + 90
        while time.monotonic() < end and self.proc.alive():
            try:
                self.url = json.loads(ready.read_text())["url"].rstrip("/")
                break
            except (OSError, ValueError, KeyError):
                time.sleep(0.05)
        else:
            raise RuntimeError(f"Atelier did not start:\n{log_tail(self.proc.logfile)}")
        self.s = requests.Session()
        self.s.headers["Authorization"] = f"token {self.token}"

    def start_kernel(self, image: str) -> tuple[str, float]:
        t0 = time.perf_counter()
        r = self.s.post(f"{self.url}/api/kernels", timeout=180,
                        json={"name": "python3", "env": {"KERNEL_IMAGE": image, "KERNEL_INSTANCE_TYPE": TYPE}})
        dt = time.perf_counter() - t0
        if r.status_code != 201:
            raise RuntimeError(f"POST /api/kernels ({image}) -> {r.status_code}: {r.text[:500]}")
        return r.json()["id"], dt

    def stop_kernel(self, kid: str) -> None:
        self.s.delete(f"{self.url}/api/kernels/{kid}", timeout=60)

    def instance_of(self, kid: str) -> str:
        ks = self.s.get(f"{self.url}/atelier/api/kernels", timeout=30).json()["kernels"]
        return [k for k in ks if k["id"] == kid][0]["instance_id"]

    def stop_instance(self, iid: str) -> None:
        r = self.s.delete(f"{self.url}/atelier/api/instances/{iid}", timeout=120)
        if r.status_code != 204:
            raise RuntimeError(f"DELETE instance {iid} -> {r.status_code}: {r.text[:300]}")


def cold(a: Atelier, image: str, n: int) -> list[float]:
    xs = []
    for _ in range(n):
        kid, dt = a.start_kernel(image)
        xs.append(dt)
        a.stop_instance(a.instance_of(kid))
    return xs


def warm(a: Atelier, image: str, n: int) -> list[float]:
    keeper, _ = a.start_kernel(image)  # keeps the instance up
    xs = []
    try:
        for _ in range(n):
            kid, dt = a.start_kernel(image)
            xs.append(dt)
            a.stop_kernel(kid)
    finally:
        a.stop_instance(a.instance_of(keeper))
    return xs


def docker_run_floor(image: str, n: int, tmp: Path) -> list[float]:
    """``docker run`` of the image starting ipykernel on loopback ports; until kernel_info_reply."""
    from jupyter_client import BlockingKernelClient

    xs = []
    for i in range(n):
        d = tmp / f"floor-{i}"
        d.mkdir(parents=True)
        conn = {"ip": "127.0.0.1", "transport": "tcp", "signature_scheme": "hmac-sha256",
                "key": secrets.token_hex(16), "kernel_name": "python3",
                **{p: free_port() for p in ("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port")}}
        (d / "kernel.json").write_text(json.dumps(conn))
        name = f"atelier-bench-floor-{uuid.uuid4().hex[:8]}"
        kc = BlockingKernelClient()
        kc.load_connection_info(conn)
        # A missed heartbeat on a busy machine is not a dead kernel: the container runs until removed.
        kc.hb_channel.time_to_dead = 10.0
        t0 = time.perf_counter()
        subprocess.run(["docker", "run", "-d", "--rm", "--name", name, "--network", "host",
                        "--user", f"{os.getuid()}:{os.getgid()}", "-e", "HOME=/tmp", "-v", f"{d}:{d}",
                        "--entrypoint", "python", image, "-m", "ipykernel_launcher", "-f", str(d / "kernel.json")],
                       check=True, capture_output=True, timeout=120)
        kc.start_channels()
        try:
            kc.wait_for_ready(timeout=120)
            xs.append(time.perf_counter() - t0)
        finally:
            kc.stop_channels()
            subprocess.run(["docker", "rm", "-f", name], capture_output=True, timeout=60)
    return xs


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=20, help="starts per case")
    ap.add_argument("--image", default="atelier/base:latest")
    ap.add_argument("--out", default=str(REPO / "bench" / "results" / "instances.json"))
    args = ap.parse_args()
    if subprocess.run(["docker", "image", "inspect", args.image], capture_output=True).returncode != 0:
        print(f"{args.image} is not built: run `bash images/build.sh`", file=sys.stderr)
        return 2
    tmp = Path(tempfile.mkdtemp(prefix="atelier-bench-instances-"))
    result: dict = {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
                    "command": " ".join(["bench/instances.py", *sys.argv[1:]]), "image": args.image,
                    "instance_type": TYPE, "machine": machine_info(find_java(21)),
                    "docker": subprocess.run(["docker", "version", "-f", "{{.Server.Version}}"],
                                             capture_output=True, text=True).stdout.strip(),
                    "cases": {}}
    t_run = time.monotonic()
    try:
        a = Atelier(tmp / "atelier")
        a.start_kernel("local")  # warms the JVM's paths once; not measured
        for name, fn in (("docker run floor", lambda: docker_run_floor(args.image, args.n, tmp)),
                         ("docker cold", lambda: cold(a, args.image, args.n)),
                         ("docker warm", lambda: warm(a, args.image, args.n)),
                         ("process cold", lambda: cold(a, "local", args.n)),
                         ("process warm", lambda: warm(a, "local", args.n))):
            log(f"{name}: {args.n} starts")
            result["cases"][name] = stats(fn())
            log(f"  p50 {result['cases'][name]['p50_s']:.3f} s, p95 {result['cases'][name]['p95_s']:.3f} s")
    finally:
        stop_all()
    result["run_seconds"] = round(time.monotonic() - t_run, 1)
    c = result["cases"]
    result["ratios"] = {
        "docker_cold_p50_over_docker_run_p50": round(c["docker cold"]["p50_s"] / c["docker run floor"]["p50_s"], 3),
        "targets": {"docker warm p50 <= 1.5 s": c["docker warm"]["p50_s"] <= 1.5,
                    "docker cold p50 <= 4 s": c["docker cold"]["p50_s"] <= 4.0},
    }
    Path(args.out).write_text(json.dumps(result, indent=1))
    print_cases(result)
    print(json.dumps(result["ratios"]))
    return 0


def print_cases(result: dict) -> None:
    """The run's command and machine, then its cases as a Markdown table."""
    m = result["machine"]
    print(f"{result['date']}  .venv/bin/python {result['command']}")
    print(f"{m['nproc']} cores ({m['cpu_model']}), {m['mem_total_gib']} GiB, {m['os']}, Docker {result['docker']}, "
          f"{platform.python_version()}; {result['run_seconds']} s")
    print()
    print("| case | n | p50 s | p95 s | min s | max s |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, st in result["cases"].items():
        print(f"| {name} | {st['n']} | {st['p50_s']:.3f} | {st['p95_s']:.3f} | {st['min_s']:.3f} | {st['max_s']:.3f} |")
    print()


if __name__ == "__main__":
    try:
        sys.exit(main())
    finally:
        stop_all()
