"""The latency Atelier's invocation router adds to a model container, beside Debian's nginx as a
reverse proxy to the same container, at fixed request rates.

Three peers, each a path to one model container on 127.0.0.1:

  direct   client -> container's POST /invocations
  router   client -> Atelier's InvocationRoutes (POST /endpoints/bench/invocations) -> container
  nginx    client -> nginx (proxy_pass, keep-alive upstream) -> container

The load is open-loop at a fixed rate (vegeta attack -rate=N/s: requests leave on schedule whether
or not earlier ones were answered, so a slow answer cannot hide the ones queued behind it, the
coordinated omission of closed-loop tools such as wrk). Latencies are read from vegeta's raw
results and reported as p50 / p99 / p99.9 in microseconds; the router's and nginx's added latency
is their percentile minus the direct one at the same rate.

The container is a second nginx answering /invocations with a fixed JSON body (microseconds, so
that the numbers are the proxies'), or, with --model toolkit, Atelier's model server
(python -m atelier.toolkit serve) on a model directory.

Needs: nginx (apt-get install nginx-light), vegeta (go install github.com/tsenart/vegeta/v12@v12.13.0),
java-server/target/atelier-server.jar (bash scripts/atelier build). Every point is bounded to 30 s.
"""

import argparse
import csv
import io
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
JAR = ROOT / "java-server" / "target" / "atelier-server.jar"
BODY = b"5.1,3.5,1.4,0.2\n"
MAX_SECONDS = 30

MODEL_CONF = """
worker_processes 1;
daemon off;
pid {dir}/model.pid;
error_log {dir}/model-error.log warn;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  client_body_temp_path {dir}/model-body;
  keepalive_requests 1000000;
  server {{
    listen 127.0.0.1:{port};
    location = /ping {{ return 200; }}
    location = /invocations {{
      default_type application/json;
      return 200 '{{"predictions": [0]}}';
    }}
  }}
}}
"""

PROXY_CONF = """
worker_processes 1;
daemon off;
pid {dir}/proxy.pid;
error_log {dir}/proxy-error.log warn;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  client_body_temp_path {dir}/proxy-body;
  proxy_temp_path {dir}/proxy-temp;
  keepalive_requests 1000000;
  upstream model {{ server 127.0.0.1:{model}; keepalive 64; }}
  server {{
    listen 127.0.0.1:{port};
    client_max_body_size 6m;
    location = /endpoints/bench/invocations {{
      proxy_pass http://model/invocations;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
    }}
  }}
}}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, proc: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"process {proc.args!r} ended with {proc.returncode} before listening on {port}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"nothing listens on {port} after {seconds} s")


def need(tool: str, hint: str) -> str:
    path = shutil.which(tool) or (str(Path.home() / "go" / "bin" / tool) if tool == "vegeta" else None)
    if not path or not os.path.exists(path):
        raise SystemExit(f"{tool} is missing: {hint}")
    return path


def attack(vegeta: str, url: str, rate: int, seconds: int, body: Path) -> list:
    """One open-loop run; returns (status, latency in us, error) per request."""
    target = f"POST {url}\nContent-Type: text/csv\nAccept: application/json\n@{body}\n"
    attack_cmd = [vegeta, "attack", f"-rate={rate}/s", f"-duration={seconds}s", "-keepalive=true",
                  "-http2=false", "-timeout=10s"]
    raw = subprocess.run(attack_cmd, input=target.encode(), capture_output=True, check=True,
                         timeout=seconds + 30).stdout
    encoded = subprocess.run([vegeta, "encode", "--to", "csv"], input=raw, capture_output=True, check=True,
                             timeout=60).stdout.decode()
    rows = []
    for row in csv.reader(io.StringIO(encoded)):
        # timestamp, code, latency (ns), bytes out, bytes in, error, body, attack, seq, method, url, headers
        rows.append((int(row[1]), int(row[2]) / 1000.0, row[5]))
    return rows


def percentile(sorted_values: list, q: float) -> float:
    if not sorted_values:
        return float("nan")
    rank = max(1, int(-(-q * len(sorted_values) // 1)))  # nearest rank
    return sorted_values[min(rank, len(sorted_values)) - 1]


def summarize(rows: list, rate: int, seconds: int) -> dict:
    ok = sorted(lat for code, lat, err in rows if code == 200 and not err)
    return {
        "requests": len(rows), "ok": len(ok), "failed": len(rows) - len(ok),
        "achieved_rps": round(len(rows) / seconds, 1), "rate": rate,
        "p50_us": round(percentile(ok, 0.50), 1), "p99_us": round(percentile(ok, 0.99), 1),
        "p999_us": round(percentile(ok, 0.999), 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rates", default="200,500,1000", help="requests per second, comma-separated")
    ap.add_argument("--seconds", type=int, default=10, help=f"measured seconds a point (at most {MAX_SECONDS})")
    ap.add_argument("--warmup", type=int, default=5, help="unmeasured seconds before each point")
    ap.add_argument("--jit-warmup", type=int, default=20,
                    help="unmeasured seconds at the highest rate for the router first (the JVM compiles its hot"
                         " code after some 10,000 calls; before that it is interpreted)")
    ap.add_argument("--model", choices=["nginx", "toolkit"], default="nginx")
    ap.add_argument("--model-dir", help="with --model toolkit: the model directory (SM_MODEL_DIR)")
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "endpoints-latest.json"))
    args = ap.parse_args()
    seconds = min(args.seconds, MAX_SECONDS)
    warmup = min(args.warmup, MAX_SECONDS)
    rates = [int(r) for r in args.rates.split(",")]
    nginx = need("nginx", "apt-get install nginx-light")
    vegeta = need("vegeta", "go install github.com/tsenart/vegeta/v12@v12.13.0")
    java = str(Path(os.environ.get("JAVA_HOME", "/usr/lib/jvm/temurin-25-jdk-amd64")) / "bin" / "java")
    if not JAR.exists():
        raise SystemExit(f"{JAR} is missing: bash scripts/atelier build")

    work = Path(tempfile.mkdtemp(prefix="atelier-bench-endpoints-"))
    work.chmod(0o755)  # nginx's workers run as nobody when its master is root
    body = work / "body.csv"
    body.write_bytes(BODY)
    procs = []
    try:
        model_port, proxy_port, router_port = free_port(), free_port(), free_port()
        if args.model == "nginx":
            (work / "model.conf").write_text(MODEL_CONF.format(dir=work, port=model_port))
            model = subprocess.Popen([nginx, "-p", str(work), "-e", str(work / "model-error.log"), "-c", str(work / "model.conf")])
        else:
            if not args.model_dir:
                raise SystemExit("--model toolkit needs --model-dir")
            env = dict(os.environ, PORT=str(model_port), BIND_ADDRESS="127.0.0.1", SM_MODEL_DIR=args.model_dir)
            model = subprocess.Popen([str(ROOT / ".venv" / "bin" / "python"), "-m", "atelier.toolkit", "serve"], env=env)
        procs.append(model)
        wait_port(model_port, model)
        (work / "proxy.conf").write_text(PROXY_CONF.format(dir=work, port=proxy_port, model=model_port))
        proxy = subprocess.Popen([nginx, "-p", str(work), "-e", str(work / "proxy-error.log"), "-c", str(work / "proxy.conf")])
        procs.append(proxy)
        router = subprocess.Popen([java, "-XX:+UseParallelGC", "-Xmx512m", "-cp", str(JAR),
                                   str(ROOT / "bench" / "endpoints_router.java"), str(router_port), str(model_port)],
                                  stdout=subprocess.DEVNULL)
        procs.append(router)
        wait_port(proxy_port, proxy)
        wait_port(router_port, router, 120)
        urls = {
            "direct": f"http://127.0.0.1:{model_port}/invocations",
            "router": f"http://127.0.0.1:{router_port}/endpoints/bench/invocations",
            "nginx": f"http://127.0.0.1:{proxy_port}/endpoints/bench/invocations",
        }
        results = []
        if args.jit_warmup:
            attack(vegeta, urls["router"], max(rates), min(args.jit_warmup, MAX_SECONDS), body)
        for rate in rates:
            peers = list(urls)
            random.shuffle(peers)  # no peer always first after a rate change
            for peer in peers:
                if warmup:
                    attack(vegeta, urls[peer], rate, warmup, body)
                point = summarize(attack(vegeta, urls[peer], rate, seconds, body), rate, seconds)
                point["peer"] = peer
                results.append(point)
                print(json.dumps(point), flush=True)
        report(results, rates)
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps({"model": args.model, "seconds": seconds, "body_bytes": len(BODY),
                                   "points": results}, indent=2) + "\n")
        print(f"written {out}")
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(work, ignore_errors=True)


def report(results: list, rates: list) -> None:
    by = {(r["peer"], r["rate"]): r for r in results}
    print(f"\n{'rate':>6} {'peer':>7} {'p50 us':>9} {'p99 us':>9} {'p99.9 us':>9}   added over direct (p50 / p99 / p99.9)")
    for rate in rates:
        direct = by[("direct", rate)]
        for peer in ("direct", "router", "nginx"):
            r = by[(peer, rate)]
            added = "" if peer == "direct" else " / ".join(
                f"{r[k] - direct[k]:+.0f}" for k in ("p50_us", "p99_us", "p999_us"))
            failed = f"  ({r['failed']} failed)" if r["failed"] else ""
            print(f"{rate:>6} {peer:>7} {r['p50_us']:>9.0f} {r['p99_us']:>9.0f} {r['p999_us']:>9.0f}   {added}{failed}")


if __name__ == "__main__":
    sys.exit(main())
