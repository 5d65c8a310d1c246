#!/usr/bin/env python3
"""Jobs benchmark: how soon a training job's code runs after it is submitted, and how fast its
input channel is staged, each beside what the same work costs without Atelier.

One run, side by side:

- ``submit to user code``: ``POST /atelier/api/training-jobs`` until the job's own code starts
  (it prints ``time.time()`` as its first act; the container shares the host's clock), N jobs one
  after the other, warm image, no input channel;
- ``docker run``: a plain ``docker run --rm`` of the same image and the same code, until it prints;
- ``staging``: one job whose ``train`` channel holds 1 GiB (8 objects of 128 MiB) in the embedded
  S3 server: from its Downloading line to its channel-staged line in the job's log (objects
  listed, fetched through the MinIO SDK and written under the job's folder);
- ``file copy``: ``cp -r`` of the same 1 GiB from one folder to another on the same disk.

Both of the last two are measured with the page cache emptied first (``sync`` and
``/proc/sys/vm/drop_caches``, as root), so each reads its gigabyte from the disk as a new channel
would, and again with the data already in the cache (reported beside, not a target).

Targets (issue "Jobs"): user code runs at most 1.5 s later than with ``docker run`` (p50), and
staging reaches at least half of the copy's throughput.

Run from the repository root after the images are built (``bash images/build.sh``):

    .venv/bin/python bench/jobs.py [-n 20] [--image atelier/base:latest] [--gib 1]

Prints a table and writes ``bench/results/jobs.json``. See ``bench/README.md``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
import instances  # noqa: E402
from instances import stats  # noqa: E402
from kernels import find_java, log, machine_info, stop_all  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
CODE = "import time; print('user-code-start=%.6f' % time.time(), flush=True)"
PART = 128 << 20


class Atelier(instances.Atelier):
    """The server of the instance benchmark, with the jobs calls."""

    def submit(self, image: str, channels: dict[str, str] | None = None) -> tuple[str, float]:
        name = f"bench-{uuid.uuid4().hex[:10]}"
        body = {"TrainingJobName": name,
                "AlgorithmSpecification": {"TrainingImage": image, "ContainerEntrypoint": ["python3", "-c", CODE]},
                "InputDataConfig": [{"ChannelName": c, "DataSource": {"S3DataSource": {"S3Uri": u}}}
                                    for c, u in (channels or {}).items()],
                "OutputDataConfig": {"S3OutputPath": "s3://atelier/bench-out"},
                "ResourceConfig": {"InstanceType": "ml.m5.large"},
                "StoppingCondition": {"MaxRuntimeInSeconds": 3600}}
        t0 = time.time()
        r = self.s.post(f"{self.url}/atelier/api/training-jobs", json=body, timeout=60)
        r.raise_for_status()
        return name, t0

    def wait(self, name: str, timeout: float = 600) -> dict:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            d = self.s.get(f"{self.url}/atelier/api/training-jobs/{name}", timeout=30).json()
            if d["TrainingJobStatus"] in ("Completed", "Failed", "Stopped"):
                if d["TrainingJobStatus"] != "Completed":
                    raise RuntimeError(f"job {name} ended {d['TrainingJobStatus']}: {d.get('FailureReason')}")
                return d
            time.sleep(0.2)
        raise RuntimeError(f"job {name} did not finish in {timeout} s")

    def started_at(self, name: str) -> float:
        r = self.s.get(f"{self.url}/atelier/api/training-jobs/{name}/logs", params={"limit": 10000}, timeout=30)
        for e in r.json()["events"]:
            if e["message"].startswith("user-code-start="):
                return float(e["message"].split("=", 1)[1])
        raise RuntimeError(f"job {name} printed no start time")

    def put(self, uri: str, path: Path) -> None:
        with path.open("rb") as f:
            r = self.s.put(f"{self.url}/atelier/api/objects", params={"uri": uri}, data=f,
                           headers={"Content-Type": "application/octet-stream"}, timeout=600)
        r.raise_for_status()


def submit_to_code(a: Atelier, image: str, n: int) -> list[float]:
    out = []
    for _ in range(n):
        name, t0 = a.submit(image)
        a.wait(name)
        out.append(a.started_at(name) - t0)
    return out


def docker_run(image: str, n: int) -> list[float]:
    out = []
    for _ in range(n):
        t0 = time.time()
        p = subprocess.run(["docker", "run", "--rm", "--init", "--entrypoint", "python3", image, "-c", CODE],
                           capture_output=True, text=True, check=True)
        out.append(float(p.stdout.strip().split("=", 1)[1]) - t0)
    return out


def drop_caches() -> bool:
    """Writes dirty pages out, then empties the page cache (root only): both sides then read from disk."""
    subprocess.run(["sync"], check=True)
    try:
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
        return True
    except OSError:
        return False


def upload_channel(a: Atelier, src: Path, parts: int) -> str:
    prefix = f"s3://atelier/bench-data/{uuid.uuid4().hex[:8]}/"
    for i in range(parts):
        a.put(f"{prefix}part-{i:03d}.bin", src / f"part-{i:03d}.bin")
    return prefix


def staging(a: Atelier, image: str, prefix: str, parts: int, cold: bool) -> dict:
    """From the job's Downloading line to its last channel-staged line, as the job's log times them."""
    subprocess.run(["sync"], check=True)  # earlier writes are not the staging's to write out
    if cold:
        drop_caches()
    name, _ = a.submit(image, {"train": prefix})
    a.wait(name, timeout=1800)
    r = a.s.get(f"{a.url}/atelier/api/training-jobs/{name}/logs", params={"limit": 10000}, timeout=30)
    events = r.json()["events"]
    start = next(e["timestamp"] for e in events if e["message"].startswith("[atelier] Downloading:"))
    end = max(e["timestamp"] for e in events if e["message"].startswith("[atelier] channel 'train' staged"))
    secs = (end - start) / 1000
    total = parts * PART
    return {"bytes": total, "seconds": round(secs, 3), "mib_per_s": round(total / secs / 2**20, 1)}


def file_copy(src: Path, dst: Path, cold: bool) -> dict:
    subprocess.run(["sync"], check=True)
    if cold:
        drop_caches()
    total = sum(p.stat().st_size for p in src.iterdir())
    t0 = time.perf_counter()
    subprocess.run(["cp", "-r", str(src), str(dst)], check=True)
    secs = time.perf_counter() - t0
    return {"bytes": total, "seconds": round(secs, 3), "mib_per_s": round(total / secs / 2**20, 1)}


def median_run(runs: list[dict]) -> dict:
    """The run of median time, with every run's throughput beside it."""
    m = sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2]
    return {**m, "all_mib_per_s": [r["mib_per_s"] for r in runs]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=20, help="jobs (and docker runs) in the start-up case")
    ap.add_argument("--image", default="atelier/base:latest")
    ap.add_argument("--gib", type=int, default=1, help="size of the staged channel")
    ap.add_argument("--rounds", type=int, default=3, help="stagings and copies with the cache dropped (median)")
    ap.add_argument("--out", default=str(REPO / "bench" / "results" / "jobs.json"))
    args = ap.parse_args()
    if subprocess.run(["docker", "image", "inspect", args.image], capture_output=True).returncode != 0:
        print(f"{args.image} is not built: run `bash images/build.sh`", file=sys.stderr)
        return 2
    tmp = Path(tempfile.mkdtemp(prefix="atelier-bench-jobs-"))
    result: dict = {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
                    "command": " ".join(["bench/jobs.py", *sys.argv[1:]]), "image": args.image,
                    "machine": machine_info(find_java(21)),
                    "docker": subprocess.run(["docker", "version", "-f", "{{.Server.Version}}"],
                                             capture_output=True, text=True).stdout.strip(),
                    "cases": {}}
    t_run = time.monotonic()
    try:
        a = Atelier(tmp / "atelier")
        a.wait(a.submit(args.image)[0])  # the first job warms the server's paths; not measured
        log(f"docker run: {args.n} runs")
        result["cases"]["docker run"] = stats(docker_run(args.image, args.n))
        log(f"submit to user code: {args.n} jobs")
        result["cases"]["submit to user code"] = stats(submit_to_code(a, args.image, args.n))
        parts = args.gib * (1 << 30) // PART
        src = tmp / "channel"
        src.mkdir()
        log(f"writing {args.gib} GiB of test data")
        for i in range(parts):
            with (src / f"part-{i:03d}.bin").open("wb") as f:
                f.write(os.urandom(PART))
        prefix = upload_channel(a, src, parts)
        a.wait(a.submit(args.image, {"train": f"{prefix}part-000.bin"})[0])  # the download path, warmed once
        cold = drop_caches()
        result["page_cache_dropped"] = cold
        log(f"staging and plain copy, {args.rounds} rounds each, page cache " + ("dropped" if cold else "warm"))

        def rounds(drop: bool) -> tuple[dict, dict]:
            stage_runs, copy_runs = [], []
            for _ in range(args.rounds):
                stage_runs.append(staging(a, args.image, prefix, parts, drop))
                copy_runs.append(file_copy(src, tmp / "copy", drop))
                shutil.rmtree(tmp / "copy")
            return median_run(stage_runs), median_run(copy_runs)

        result["staging"], result["file_copy"] = rounds(cold)
        log("both again with the data in the page cache")
        file_copy(src, tmp / "copy", False)  # reads src into the cache once
        shutil.rmtree(tmp / "copy")
        result["staging_warm"], result["file_copy_warm"] = rounds(False)
    finally:
        stop_all()
        shutil.rmtree(tmp, ignore_errors=True)
    result["run_seconds"] = round(time.monotonic() - t_run, 1)
    c = result["cases"]
    overhead = c["submit to user code"]["p50_s"] - c["docker run"]["p50_s"]
    share = result["staging"]["mib_per_s"] / result["file_copy"]["mib_per_s"]
    result["ratios"] = {
        "overhead_p50_s": round(overhead, 3),
        "submit_p50_over_docker_run_p50": round(c["submit to user code"]["p50_s"] / c["docker run"]["p50_s"], 3),
        "staging_over_copy_throughput": round(share, 3),
        "staging_over_copy_throughput_warm": round(
            result["staging_warm"]["mib_per_s"] / result["file_copy_warm"]["mib_per_s"], 3),
        "targets": {"overhead <= 1.5 s": overhead <= 1.5, "staging >= 50% of copy": share >= 0.5},
    }
    Path(args.out).write_text(json.dumps(result, indent=1))
    instances.print_cases(result)
    for k in ("staging", "file_copy", "staging_warm", "file_copy_warm"):
        s = result[k]
        print(f"{k}: {s['bytes'] / 2**30:.2f} GiB in {s['seconds']:.2f} s = {s['mib_per_s']} MiB/s")
    print(json.dumps(result["ratios"]))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    finally:
        stop_all()
