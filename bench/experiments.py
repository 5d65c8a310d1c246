#!/usr/bin/env python3
"""Experiments benchmark: Atelier's experiment store beside MLflow's tracking server, in one run,
through MLflow's REST API 2.0 with one client for both (plain HTTP/1.1 keep-alive connections from
``http.client``, JSON bodies; the same code and the same requests for both servers).

For each server, started fresh on 127.0.0.1 (Atelier from its jar on SQLite in a new data
directory; ``mlflow server`` from PyPI, pinned, with a new SQLite database):

- ``rss idle``: the server's process tree, started and answering;
- ``populate``: N runs (25,000 by default) in one experiment, by 8 clients, each run one
  ``runs/create`` and one ``runs/log-batch`` with 10 params, 5 metrics x 10 steps and 5 tags,
  within a time budget (the runs made by then are what the later steps search);
- ``rss after populate``;
- ``search``: ``runs/search`` with ``metrics.m0 > 0.5 and params.p0 = 'v1'`` (about a tenth of
  the runs match) ordered by ``metrics.m1 DESC``, 1,000 results, repeated: p50/p99;
- ``page``: every run of the experiment, 1,000 a page with ``page_token``;
- ``history``: ``metrics/get-history`` of one metric with 10,000 points;
- ``ingest``: points/s acknowledged with 8 clients (one process and one run each) sending
  ``runs/log-batch`` of 10 and of 1,000 metrics for a fixed time.

Targets (issue 17, item 9): ingest >= 10x MLflow in both batch sizes; filtered search p50 <= 50 ms;
history <= 20 ms; Atelier's RSS growth for 25,000 runs < 100 MB.

    .venv/bin/python bench/experiments.py                       # full: 25,000 runs, about 40 min
    .venv/bin/python bench/experiments.py --runs 2000 --populate-budget 120 --ingest-seconds 5

MLflow (``mlflow==3.17.2``) is installed into ``bench/.mlflow-venv`` on first use. Writes
``bench/results/experiments.json``. See ``bench/README.md``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import multiprocessing as mp
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from experiments_peers import MLFLOW_PIN, Rest, cpu_s, ensure_mlflow, fill_mlflow, rss_mb, run_body, start_server  # noqa: E402
from kernels import JAR, find_java, log, machine_info, percentile, stop_all  # noqa: E402

BENCH = Path(__file__).resolve().parent
CLIENTS = 8
FILTER = "metrics.m0 > 0.5 and params.p0 = 'v1'"
ORDER = ["metrics.m1 DESC"]


# -- workers (one process each, so the client is never the bottleneck of one GIL) -----------

def populate_worker(args) -> tuple[int, list[str], list[int]]:
    base, token, exp, indices, deadline = args
    rest, made, errors, done = Rest(base, token), 0, [], []
    for i in indices:
        if time.time() > deadline:
            break
        done.append(i)
        create, batch = run_body(i)
        status, out = rest.call("POST", "runs/create", dict(create, experiment_id=exp))
        if status != 200:
            errors.append(f"create {status} {str(out)[:200]}")
            continue
        status, out = rest.call("POST", "runs/log-batch", dict(batch, run_id=out["run"]["info"]["run_id"]))
        if status != 200:
            errors.append(f"log-batch {status} {str(out)[:200]}")
            continue
        made += 1
    return made, errors, done


def ingest_worker(args) -> tuple[int, int, float, list[str]]:
    base, token, run_id, size, start, stop = args
    rest, points, calls, errors, step = Rest(base, token), 0, 0, [], 0
    keys = 5 if size >= 5 else 1
    while time.time() < start:
        time.sleep(0.001)
    while time.time() < stop:
        ts = int(time.time() * 1000)
        metrics = [{"key": f"k{n % keys}", "value": random.random(), "timestamp": ts, "step": step + n // keys}
                   for n in range(size)]
        step += size // keys
        status, out = rest.call("POST", "runs/log-batch", raw=json.dumps({"run_id": run_id, "metrics": metrics}).encode())
        calls += 1
        if status == 200:
            points += size
        elif len(errors) < 5:
            errors.append(f"{status} {str(out)[:200]}")
    return points, calls, time.time(), errors


# -- measurements -------------------------------------------------------------------------

def populate(base, token, exp, n: int, budget: float) -> dict:
    t0 = time.time()
    chunks = [(base, token, exp, range(c, n, CLIENTS), t0 + budget) for c in range(CLIENTS)]
    with mp.get_context("fork").Pool(CLIENTS) as pool:
        res = pool.map(populate_worker, chunks)
    dt = time.time() - t0
    made = sum(r[0] for r in res)
    return {"requested": n, "runs": made, "rest_runs": made, "seconds": round(dt, 1), "runs_per_s": round(made / dt, 1),
            "budget_s": budget, "complete": made == n, "made": [r[2] for r in res],
            "failed_calls": sum(len(r[1]) for r in res), "errors": [e for r in res for e in r[1]][:5]}


def timed(fn, reps: int, budget: float, proc) -> tuple[list[float], object, float]:
    """Wall ms of each call, the last answer, and the server's CPU ms per call."""
    xs, out, end, c0 = [], None, time.monotonic() + budget, cpu_s(proc)
    for k in range(reps):
        t = time.perf_counter()
        out = fn()
        xs.append((time.perf_counter() - t) * 1000)
        if k >= 4 and time.monotonic() > end:
            break
    return xs, out, round((cpu_s(proc) - c0) * 1000 / len(xs), 2)


def stats_ms(xs: list[float]) -> dict:
    s = sorted(xs)
    return {"n": len(s), "p50_ms": round(percentile(s, 0.5), 2), "p99_ms": round(percentile(s, 0.99), 2),
            "min_ms": round(s[0], 2), "max_ms": round(s[-1], 2)}


def search(rest: Rest, exp: str, reps: int, budget: float, proc) -> dict:
    body = {"experiment_ids": [exp], "filter": FILTER, "order_by": ORDER, "max_results": 1000}
    rest.ok("POST", "runs/search", body)  # once untimed
    xs, out, cpu = timed(lambda: rest.ok("POST", "runs/search", body), reps, budget, proc)
    runs = out.get("runs", [])
    names = [next(t["value"] for t in r["data"]["tags"] if t["key"] == "mlflow.runName") for r in runs]
    return dict(stats_ms(xs), server_cpu_ms_per_call=cpu, returned=len(runs), names=names)


def page_all(rest: Rest, exp: str, budget: float) -> dict:
    t, token, n, pages = time.perf_counter(), None, 0, 0
    while True:
        if time.perf_counter() - t > budget:
            dt = time.perf_counter() - t
            return {"runs": n, "pages": pages, "seconds": round(dt, 3), "complete": False,
                    "runs_per_s": round(n / dt, 1)}
        body = {"experiment_ids": [exp], "max_results": 1000}
        if token:
            body["page_token"] = token
        out = rest.ok("POST", "runs/search", body)
        n, pages, token = n + len(out.get("runs", [])), pages + 1, out.get("next_page_token")
        if not token:
            dt = time.perf_counter() - t
            return {"runs": n, "pages": pages, "seconds": round(dt, 3), "complete": True, "runs_per_s": round(n / dt, 1)}


def history(rest: Rest, exp: str, reps: int, budget: float, proc) -> dict:
    run_id = rest.ok("POST", "runs/create", {"experiment_id": exp, "run_name": "history",
                                             "start_time": 1_700_000_000_000})["run"]["info"]["run_id"]
    for b in range(10):
        rest.ok("POST", "runs/log-batch", {"run_id": run_id, "metrics": [
            {"key": "loss", "value": 1 / (s + 1), "timestamp": 1_700_000_000_000 + s, "step": s}
            for s in range(b * 1000, b * 1000 + 1000)]})

    def get():
        points, token = 0, None
        while True:
            q = {"run_id": run_id, "metric_key": "loss"}
            if token:
                q["page_token"] = token
            out = rest.ok("GET", "metrics/get-history", query=q)
            points, token = points + len(out.get("metrics", [])), out.get("next_page_token")
            if not token:
                return points
    get()
    xs, points, cpu = timed(get, reps, budget, proc)
    return dict(stats_ms(xs), server_cpu_ms_per_call=cpu, points=points)


def ingest(base, token, exp, size: int, seconds: float) -> dict:
    rest = Rest(base, token)
    runs = [rest.ok("POST", "runs/create", {"experiment_id": exp, "run_name": f"ingest-{size}-{c}",
                                            "start_time": int(time.time() * 1000)})["run"]["info"]["run_id"]
            for c in range(CLIENTS)]
    start = time.time() + 1.0
    with mp.get_context("fork").Pool(CLIENTS) as pool:
        res = pool.map(ingest_worker, [(base, token, r, size, start, start + seconds) for r in runs])
    dt = max(r[2] for r in res) - start
    points = sum(r[0] for r in res)
    return {"batch": size, "clients": CLIENTS, "points": points, "requests": sum(r[1] for r in res),
            "seconds": round(dt, 2), "points_per_s": round(points / dt, 1), "errors": [e for r in res for e in r[3]][:5]}


def measure(peer: str, args, tmp: Path) -> dict:
    log(f"{peer}: starting")
    proc, base, token = start_server(peer, tmp / peer)
    out: dict = {"peer": peer, "load_start": os.getloadavg()}
    try:
        rest = Rest(base, token)
        time.sleep(3)
        out["rss_idle_mb"] = rss_mb(proc)
        exp = rest.ok("POST", "experiments/create", {"name": "bench"})["experiment_id"]
        log(f"{peer}: populating {args.runs} runs (budget {args.populate_budget:.0f} s)")
        out["populate"] = populate(base, token, exp, args.runs, args.populate_budget)
        pop = out["populate"]
        done = {i for part in pop.pop("made") for i in part}
        log(f"{peer}: {pop}")
        if peer == "mlflow" and not pop["complete"] and args.fill:
            rest_of = [i for i in range(args.runs) if i not in done]
            t = time.time()
            fill_mlflow(tmp / peer / "mlflow.db", exp, rest_of)
            pop["direct_runs"], pop["direct_seconds"] = len(rest_of), round(time.time() - t, 1)
            pop["runs"] += len(rest_of)
            log(f"{peer}: {len(rest_of)} more runs written into its database directly")
        time.sleep(3)
        out["rss_after_populate_mb"] = rss_mb(proc)
        if peer == "atelier":
            # What of the growth is kept data and what is heap the JVM grew into and keeps: a full GC
            # (which returns free heap to the OS), then RSS again.
            jcmd = Path(find_java(21)).with_name("jcmd")
            subprocess.run([str(jcmd), str(proc.pid), "GC.run"], capture_output=True, timeout=120)
            time.sleep(2)
            out["rss_after_populate_full_gc_mb"] = rss_mb(proc)
        out["search"] = search(rest, exp, args.search_reps, args.search_budget, proc)
        log(f"{peer}: search p50 {out['search']['p50_ms']} ms")
        out["page"] = page_all(rest, exp, args.page_budget)
        log(f"{peer}: paged {out['page']}")
        other = rest.ok("POST", "experiments/create", {"name": "bench-points"})["experiment_id"]
        out["history"] = history(rest, other, args.history_reps, args.search_budget, proc)
        log(f"{peer}: history p50 {out['history']['p50_ms']} ms")
        out["ingest"] = [ingest(base, token, other, size, args.ingest_seconds) for size in (10, 1000)]
        log(f"{peer}: ingest {[i['points_per_s'] for i in out['ingest']]} points/s")
        out["rss_end_mb"] = rss_mb(proc)
        out["load_end"] = os.getloadavg()
    finally:
        proc.stop(grace=20)
    return out


def ratios(a: dict, m: dict) -> list[dict]:
    def row(name, value, target, met):
        return {"ratio": name, "value": value, "target": target, "met": met}
    rows = []
    for ia, im in zip(a["ingest"], m["ingest"]):
        r = round(ia["points_per_s"] / im["points_per_s"], 2) if im["points_per_s"] else None
        rows.append(row(f"ingest, batches of {ia['batch']}: Atelier / MLflow", r, ">= 10", r is not None and r >= 10))
    s = round(m["search"]["p50_ms"] / a["search"]["p50_ms"], 1)
    rows.append(row("filtered search p50: Atelier ms", a["search"]["p50_ms"], "<= 50", a["search"]["p50_ms"] <= 50))
    rows.append(row("filtered search p50: MLflow / Atelier", s, "(about 100)", None))
    rows.append(row("history p50: Atelier ms", a["history"]["p50_ms"], "<= 20", a["history"]["p50_ms"] <= 20))
    rows.append(row("history p50: MLflow / Atelier", round(m["history"]["p50_ms"] / a["history"]["p50_ms"], 1), "", None))
    rows.append(row("page through all, runs/s: Atelier / MLflow",
                    round(a["page"]["runs_per_s"] / m["page"]["runs_per_s"], 1), "", None))
    growth = round(a["rss_after_populate_mb"] - a["rss_idle_mb"], 1)
    rows.append(row(f"Atelier RSS growth for {a['populate']['runs']} runs, MB", growth, "< 100", growth < 100))
    if "rss_after_populate_full_gc_mb" in a:
        rows.append(row("the same after a full GC, MB", round(a["rss_after_populate_full_gc_mb"] - a["rss_idle_mb"], 1),
                        "", None))
    return rows


def table(res: dict) -> str:
    lines = ["| | " + " | ".join(p["peer"] for p in res["peers"]) + " |", "|---|" + "---:|" * len(res["peers"])]

    def line(label, f):
        lines.append(f"| {label} | " + " | ".join(str(f(p)) for p in res["peers"]) + " |")
    line("RSS idle MB", lambda p: p["rss_idle_mb"])
    line("populate through REST: runs in s", lambda p: f"{p['populate']['rest_runs']} in {p['populate']['seconds']}")
    line("populate through REST: runs/s", lambda p: p["populate"]["runs_per_s"])
    line("runs written into the database directly", lambda p: p["populate"].get("direct_runs", 0))
    line("RSS after populate MB", lambda p: p["rss_after_populate_mb"])
    line("RSS after populate and a full GC MB", lambda p: p.get("rss_after_populate_full_gc_mb", ""))
    line("search p50 / p99 ms (n)", lambda p: f"{p['search']['p50_ms']} / {p['search']['p99_ms']} ({p['search']['n']})")
    line("search: server CPU ms per search", lambda p: p["search"]["server_cpu_ms_per_call"])
    line("search: runs returned", lambda p: p["search"]["returned"])
    line("page through all: runs, pages, s", lambda p: f"{p['page']['runs']}, {p['page']['pages']}, {p['page']['seconds']}"
         + ("" if p["page"]["complete"] else " (budget reached)"))
    line("history 10,000 points p50 / p99 ms (n)",
         lambda p: f"{p['history']['p50_ms']} / {p['history']['p99_ms']} ({p['history']['n']})")
    line("history: server CPU ms per call", lambda p: p["history"]["server_cpu_ms_per_call"])
    for k, size in enumerate((10, 1000)):
        line(f"ingest, 8 clients, batches of {size}: points/s", lambda p: p["ingest"][k]["points_per_s"])
    line("RSS at the end MB", lambda p: p["rss_end_mb"])
    line("load average at start / end", lambda p: f"{p['load_start'][0]:.2f} / {p['load_end'][0]:.2f}")
    if "ratios" in res:
        lines += ["", "| ratio | value | target | met |", "|---|---:|---|---|"]
        for r in res["ratios"]:
            met = "" if r["met"] is None else ("yes" if r["met"] else "no")
            lines.append(f"| {r['ratio']} | {r['value']} | {r['target']} | {met} |")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=25_000, help="runs to populate (default 25000)")
    ap.add_argument("--populate-budget", type=float, default=300, help="seconds per server for populating")
    ap.add_argument("--no-fill", dest="fill", action="store_false",
                    help="leave MLflow with the runs its REST API made in the budget (default: add the rest"
                         " straight into its database, so that both search the same runs)")
    ap.add_argument("--search-reps", type=int, default=50, help="timed searches per server (at least 5)")
    ap.add_argument("--search-budget", type=float, default=120, help="seconds per server for the timed searches")
    ap.add_argument("--page-budget", type=float, default=300, help="seconds per server for paging through all runs")
    ap.add_argument("--history-reps", type=int, default=50)
    ap.add_argument("--ingest-seconds", type=float, default=20, help="seconds per batch size per server")
    ap.add_argument("--peers", default="atelier,mlflow")
    ap.add_argument("--out", default=str(BENCH / "results" / "experiments.json"))
    args = ap.parse_args()
    if not JAR.exists():
        sys.exit(f"{JAR} is missing: run `bash scripts/atelier build` first")
    peers = args.peers.split(",")
    if "mlflow" in peers:
        ensure_mlflow()
    started = datetime.datetime.now(datetime.timezone.utc)
    res = {"started": started.isoformat(timespec="seconds"), "argv": sys.argv[1:], "machine": machine_info(find_java(21)),
           "mlflow": MLFLOW_PIN, "filter": FILTER, "order_by": ORDER, "peers": []}
    try:
        with tempfile.TemporaryDirectory(prefix="atelier-bench-exp-") as d:
            for peer in peers:
                res["peers"].append(measure(peer, args, Path(d)))
                Path(args.out).parent.mkdir(parents=True, exist_ok=True)
                Path(args.out).write_text(json.dumps(res, indent=1) + "\n")  # what is measured so far
    finally:
        stop_all()
    res["seconds"] = round((datetime.datetime.now(datetime.timezone.utc) - started).total_seconds())
    by = {p["peer"]: p for p in res["peers"]}
    if "atelier" in by and "mlflow" in by:
        res["ratios"] = ratios(by["atelier"], by["mlflow"])
        a, m = by["atelier"]["search"]["names"], by["mlflow"]["search"]["names"]
        same = by["atelier"]["populate"]["runs"] == by["mlflow"]["populate"]["runs"]
        res["same_search_answer"] = (a == m) if same else "not compared: different run counts"
    for p in res["peers"]:
        p["search"].pop("names", None)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(res, indent=1) + "\n")
    print(table(res))
    if "same_search_answer" in res:
        print(f"\nsame 1,000 runs in the same order from both: {res['same_search_answer']}")
    print(f"\n{res['seconds']} s; wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
