"""The latency Atelier's invocation router adds to a model container, beside Debian's nginx as a
reverse proxy to the same container, at fixed request rates; the most each path answers at
saturation; and, on a whole Atelier server, the requests that fail while an endpoint moves to
another config (blue/green) or changes its weights, and what data capture at 100% costs.

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

Saturation (--saturation-seconds): vegeta with -rate=0 and --saturation-workers workers, each
sending its next request as soon as the last one is answered, through each path in turn; requests
answered a second, and the router's and nginx's share of the direct figure.

The server scenarios (endpoints_scenarios.py) run on `java -jar atelier-server.jar` with its own
data directory and embedded S3, its endpoints of the `local` image (the toolkit's model server on a
trivial inference script): an UpdateEndpoint at --update-rate requests a second (with a CANARY
DeploymentConfig when the server takes one, else ALL_AT_ONCE, as printed), a weight change at the
same rate, and saturation with DataCaptureConfig at 100% against the same config without it.

Needs: nginx (apt-get install nginx-light), vegeta (go install github.com/tsenart/vegeta/v12@v12.13.0),
java-server/target/atelier-server.jar (bash scripts/atelier build). Every point is bounded to 30 s,
every load is on 127.0.0.1.
"""

import argparse
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import endpoints_jvm as jvm
import endpoints_load as load
import endpoints_scenarios as scenarios
from endpoints_report import report_latency, report_rest
from endpoints_server import Endpoints, Server

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
    ap.add_argument("--only", default="latency,saturation,update,weights,capture",
                    help="which parts to run, comma-separated (default: all)")
    ap.add_argument("--saturation-seconds", type=int, default=10)
    ap.add_argument("--saturation-workers", type=int, default=32, help="vegeta workers at saturation")
    ap.add_argument("--saturation-rate", type=int, default=0,
                    help="0 (default): each worker sends as soon as it is answered; N: at most N requests a second")
    ap.add_argument("--update-rate", type=int, default=500, help="requests a second during an update")
    ap.add_argument("--update-seconds", type=int, default=30, help="the load's length around an update")
    ap.add_argument("--no-canary", action="store_true", help="UpdateEndpoint without a DeploymentConfig")
    ap.add_argument("--capture-rounds", type=int, default=2, help="alternating rounds of capture off and on")
    ap.add_argument("--model-workers", type=int, default=2, help="gunicorn workers of each endpoint instance")
    ap.add_argument("--router-jvm", default="-XX:+UseG1GC",
                    help="JVM flags of the bare router (bench/endpoints_router.java); as scripts/atelier start runs"
                         " the server by default (give them with an equals sign: --router-jvm=-XX:+UseZGC)")
    ap.add_argument("--server-jvm", default="-XX:+UseG1GC", help="JVM flags of the whole server (as scripts/atelier start)")
    ap.add_argument("--logs", help="a folder to keep the router's and the server's logs in (default: dropped)")
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "endpoints-latest.json"))
    args = ap.parse_args()
    # SIGTERM ends the run as Ctrl-C does: what it started is stopped, its folder removed.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    parts = set(args.only.split(","))
    seconds = min(args.seconds, MAX_SECONDS)
    warmup = min(args.warmup, MAX_SECONDS)
    sat_seconds = min(args.saturation_seconds, MAX_SECONDS)
    rates = [int(r) for r in args.rates.split(",")]
    nginx = need("nginx", "apt-get install nginx-light")
    vegeta = need("vegeta", "go install github.com/tsenart/vegeta/v12@v12.13.0")
    java_home = Path(os.environ.get("JAVA_HOME", "/usr/lib/jvm/temurin-25-jdk-amd64"))
    java = str(java_home / "bin" / "java")
    if not JAR.exists():
        raise SystemExit(f"{JAR} is missing: bash scripts/atelier build")

    work = Path(tempfile.mkdtemp(prefix="atelier-bench-endpoints-"))
    work.chmod(0o755)  # nginx's workers run as nobody when its master is root
    body = work / "body.csv"
    body.write_bytes(BODY)
    procs = []
    out = {"model": args.model, "seconds": seconds, "body_bytes": len(BODY), "router_jvm": args.router_jvm,
           "server_jvm": args.server_jvm, "points": [], "saturation": [], "scenarios": []}
    try:
        if parts & {"latency", "saturation"}:
            urls = start_peers(args, nginx, java_home, work, procs)
            if args.jit_warmup:
                load.attack(vegeta, urls["router"], max(rates), min(args.jit_warmup, MAX_SECONDS), body)
        if "latency" in parts:
            for rate in rates:
                peers = list(urls)
                random.shuffle(peers)  # no peer always first after a rate change
                for peer in peers:
                    if warmup:
                        load.attack(vegeta, urls[peer], rate, warmup, body)
                    rows = load.attack(vegeta, urls[peer], rate, seconds, body)
                    point = load.summarize(rows, rate, seconds)
                    point["peer"] = peer
                    if peer == "router":
                        point.update(router_pauses(work, rows))
                    out["points"].append(point)
                    print(json.dumps(point), flush=True)
        if "saturation" in parts:
            peers = list(urls)
            random.shuffle(peers)
            for peer in peers:
                if warmup:
                    load.attack(vegeta, urls[peer], args.saturation_rate, warmup, body, workers=args.saturation_workers)
                rows = load.attack(vegeta, urls[peer], args.saturation_rate, sat_seconds, body,
                                   workers=args.saturation_workers)
                point = {"peer": peer, **load.throughput(rows, sat_seconds, args.saturation_workers)}
                if peer == "router":
                    point.update(router_pauses(work, rows))
                out["saturation"].append(point)
                print(json.dumps(point), flush=True)
        stop(procs)
        if parts & {"update", "weights", "capture"}:
            out["scenarios"] = server_scenarios(args, parts, java, work, vegeta, body, sat_seconds, warmup)
        report_latency(out["points"], rates)
        report_rest(out["saturation"], out["scenarios"])
        path = Path(args.out)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(out, indent=2) + "\n")
        print(f"written {path}")
    finally:
        stop(procs)
        if args.logs:
            Path(args.logs).mkdir(parents=True, exist_ok=True)
            for log in ("router.log", "router-safepoints.log", "server.log"):
                if (work / log).exists():
                    shutil.copy(work / log, Path(args.logs) / log)
        shutil.rmtree(work, ignore_errors=True)


def router_pauses(work: Path, rows: list) -> dict:
    """The router JVM's stop-the-world pauses within the span of an attack's requests."""
    if not rows:
        return {}
    start = min(r.at_ns for r in rows)
    end = max(r.at_ns + int(r.latency_us * 1000) for r in rows)
    return jvm.pauses_within(jvm.pauses(work / "router-safepoints.log"), start, end)


def start_peers(args, nginx: str, java_home: Path, work: Path, procs: list) -> dict:
    """The model container, nginx in front of it and the bare router in front of it; their URLs."""
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
    router_log = open(work / "router.log", "wb")
    jvm.compile_router(java_home, JAR, ROOT / "bench" / "endpoints_router.java", work / "router-classes")
    router = subprocess.Popen(jvm.router_command(java_home, JAR, work / "router-classes", args.router_jvm.split(),
                                                 work / "router-safepoints.log", router_port, model_port),
                              stdout=router_log, stderr=subprocess.STDOUT)
    procs.append(router)
    wait_port(proxy_port, proxy)
    wait_port(router_port, router, 120)
    return {
        "direct": f"http://127.0.0.1:{model_port}/invocations",
        "router": f"http://127.0.0.1:{router_port}/endpoints/bench/invocations",
        "nginx": f"http://127.0.0.1:{proxy_port}/endpoints/bench/invocations",
    }


def server_scenarios(args, parts: set, java: str, work: Path, vegeta: str, body: Path, sat_seconds: int,
                     warmup: int) -> list:
    server = Server(java, JAR, str(ROOT / ".venv" / "bin" / "python"), work, free_port(), args.server_jvm.split())
    results = []
    eps = None
    try:
        server.wait_ready()
        eps = Endpoints(server, args.model_workers)
        eps.setup()
        update_seconds = min(args.update_seconds, 2 * MAX_SECONDS)
        if "update" in parts:
            results.append(scenarios.update_under_load(server, eps, vegeta, body, args.update_rate, update_seconds,
                                                       not args.no_canary))
            print(json.dumps({k: v for k, v in results[-1].items() if k != "by_second"}), flush=True)
            eps.delete_all()  # its model servers stop before the next part
        if "weights" in parts:
            results.append(scenarios.weights_under_load(server, eps, vegeta, body, args.update_rate,
                                                        min(update_seconds, MAX_SECONDS)))
            print(json.dumps({k: v for k, v in results[-1].items() if k != "by_second"}), flush=True)
            eps.delete_all()
        if "capture" in parts:
            results.append(scenarios.capture_cost(server, eps, vegeta, body, args.saturation_workers, sat_seconds,
                                                  warmup, args.capture_rounds, args.saturation_rate))
            print(json.dumps({k: v for k, v in results[-1].items() if k != "rounds"}), flush=True)
    except BaseException:
        print(f"the server's log ends with:\n{server.log_path.read_text(errors='replace')[-3000:]}", file=sys.stderr)
        raise
    finally:
        if eps is not None:
            eps.delete_all()
        server.stop()
    return results


def stop(procs: list) -> None:
    for p in reversed(procs):
        if p.poll() is None:
            p.terminate()
    for p in procs:
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
    procs.clear()


if __name__ == "__main__":
    sys.exit(main())
