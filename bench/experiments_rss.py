"""Where Atelier's memory goes while it ingests: RSS, Java heap and native memory (NMT) of the
server before and after populating runs as ``bench/experiments.py`` does (8 clients, each run one
``runs/create`` and one ``runs/log-batch`` of 10 params, 5 metrics x 10 steps and 5 tags).

    .venv/bin/python bench/experiments_rss.py                      # the JVM options of `scripts/atelier start`
    .venv/bin/python bench/experiments_rss.py --jvm ''             # the JVM's defaults (no options)
    .venv/bin/python bench/experiments_rss.py --runs 5000 --jvm '-Xmx256m'

RSS is the server's process tree (as bench/experiments.py reports it); NMT's committed figures
by category (Java heap, Class, Thread, Code, GC, Internal, Other = malloc through JNI, that is
SQLite, ...) come from ``jcmd VM.native_memory summary``, taken idle and after populating.
Prints one JSON document; not part of the test command.
"""

from __future__ import annotations

import argparse
import json
import re
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from experiments import populate  # noqa: E402
from experiments_peers import JVM_OPTIONS, Rest, rss_mb, start_server  # noqa: E402
from kernels import find_java, stop_all  # noqa: E402


def nmt(pid: int) -> dict:
    """Committed MB by NMT category."""
    jcmd = Path(find_java(21)).with_name("jcmd")
    out = subprocess.run([str(jcmd), str(pid), "VM.native_memory", "summary", "scale=KB"], capture_output=True,
                         text=True, timeout=120).stdout
    cats = {}
    for m in re.finditer(r"^-\s+(.+?) \(reserved=\d+KB, committed=(\d+)KB", out, re.M):
        cats[m.group(1).strip()] = round(int(m.group(2)) / 1024, 1)
    total = re.search(r"^Total: reserved=\d+KB, committed=(\d+)KB", out, re.M)
    if total:
        cats["Total"] = round(int(total.group(1)) / 1024, 1)
    return cats


def snapshot(proc) -> dict:
    return {"rss_mb": rss_mb(proc), "nmt_committed_mb": nmt(proc.pid)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=25_000)
    ap.add_argument("--budget", type=float, default=600, help="seconds at most for populating")
    ap.add_argument("--jvm", default=None, help=f"JVM options (default: @{JVM_OPTIONS.name})")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--settle", type=float, default=0,
                    help="seconds to wait idle after populating before a third snapshot (0: none)")
    args = ap.parse_args()
    jvm = [f"@{JVM_OPTIONS}"] if args.jvm is None else shlex.split(args.jvm)
    with tempfile.TemporaryDirectory(prefix="atelier-rss-") as tmp:
        proc, base, token = start_server("atelier", Path(tmp) / "atelier",
                                         [*jvm, "-XX:NativeMemoryTracking=summary"], args.port)
        try:
            rest = Rest(base, token)
            exp = rest.ok("POST", "experiments/create", {"name": "rss"})["experiment_id"]
            time.sleep(3)
            idle = snapshot(proc)
            pop = populate(base, token, exp, args.runs, args.budget)
            pop.pop("made")
            time.sleep(3)
            after = snapshot(proc)
            settled = None
            if args.settle > 0:
                time.sleep(args.settle)
                settled = snapshot(proc)
        finally:
            stop_all()
    growth = {k: round(v - idle["nmt_committed_mb"].get(k, 0), 1) for k, v in after["nmt_committed_mb"].items()}
    out = {"jvm": jvm, "populate": pop, "idle": idle, "after": after,
           "rss_growth_mb": round(after["rss_mb"] - idle["rss_mb"], 1), "nmt_growth_mb": growth}
    if settled:
        out["settled"] = settled
        out["rss_growth_settled_mb"] = round(settled["rss_mb"] - idle["rss_mb"], 1)
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
