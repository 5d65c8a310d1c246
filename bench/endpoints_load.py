"""vegeta, the load generator of bench/endpoints.py: open-loop attacks at a fixed rate, attacks at
saturation (as many requests as N workers get answered), attacks in the background while
something else happens, and what their raw results say.

Every attack is bounded in time (``-duration``, and a process timeout past it) and aimed at
127.0.0.1.
"""

from __future__ import annotations

import base64
import csv
import io
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

VARIANT_HEADER = "X-Amzn-Invoked-Production-Variant"


@dataclass
class Row:
    """One request of an attack."""

    at_ns: int
    code: int
    latency_us: float
    error: str
    variant: str | None


def _target(url: str, body: Path, headers: dict[str, str] | None) -> bytes:
    lines = [f"POST {url}", "Content-Type: text/csv", "Accept: application/json"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    return ("\n".join(lines) + f"\n@{body}\n").encode()


def _command(vegeta: str, rate: int, seconds: float, workers: int | None) -> list[str]:
    cmd = [vegeta, "attack", f"-duration={seconds}s", "-keepalive=true", "-http2=false", "-timeout=10s"]
    if rate > 0:
        cmd.append(f"-rate={rate}/s")
        if workers:
            # A fixed rate with at most this many requests in flight: the path's most, when it is below.
            cmd += [f"-workers={workers}", f"-max-workers={workers}"]
    else:
        # Saturation: no schedule, each of the workers sends its next request as soon as the last
        # one is answered (a closed loop, on purpose: the number is the most the path answers).
        cmd += ["-rate=0", f"-workers={workers}", f"-max-workers={workers}"]
    return cmd


def decode(vegeta: str, raw: bytes) -> list[Row]:
    encoded = subprocess.run([vegeta, "encode", "--to", "csv"], input=raw, capture_output=True, check=True,
                             timeout=120).stdout.decode()
    rows = []
    for row in csv.reader(io.StringIO(encoded)):
        # timestamp, code, latency (ns), bytes out, bytes in, error, body, attack, seq, method, url, headers
        variant = None
        if len(row) > 11 and row[11]:
            variant = _header(row[11], VARIANT_HEADER)
        rows.append(Row(int(row[0]), int(row[1]), int(row[2]) / 1000.0, row[5], variant))
    return rows


def _header(encoded: str, name: str) -> str | None:
    try:
        text = base64.b64decode(encoded).decode("latin-1")
    except ValueError:
        text = encoded
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip().lower() == name.lower():
            return value.strip()
    return None


def attack(vegeta: str, url: str, rate: int, seconds: float, body: Path, headers: dict[str, str] | None = None,
           workers: int | None = None) -> list[Row]:
    """One attack, at ``rate`` requests a second, or at saturation with ``workers`` when rate is 0."""
    raw = subprocess.run(_command(vegeta, rate, seconds, workers), input=_target(url, body, headers),
                         capture_output=True, check=True, timeout=seconds + 30).stdout
    return decode(vegeta, raw)


class Background:
    """An attack at a fixed rate that runs while the caller does something else."""

    def __init__(self, vegeta: str, url: str, rate: int, seconds: float, body: Path,
                 headers: dict[str, str] | None = None):
        self.vegeta = vegeta
        self.seconds = seconds
        self._out = tempfile.TemporaryFile()
        self._proc = subprocess.Popen(_command(vegeta, rate, seconds, None), stdin=subprocess.PIPE,
                                      stdout=self._out, stderr=subprocess.DEVNULL)
        self._proc.stdin.write(_target(url, body, headers))
        self._proc.stdin.close()

    def running(self) -> bool:
        return self._proc.poll() is None

    def results(self) -> list[Row]:
        """Waits for the attack's end (it ends by itself after its duration)."""
        try:
            self._proc.wait(timeout=self.seconds + 30)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait(10)
        self._out.seek(0)
        raw = self._out.read()
        self._out.close()
        return decode(self.vegeta, raw)

    def stop(self) -> None:
        if self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait(10)


def percentile(sorted_values: list, q: float) -> float:
    if not sorted_values:
        return float("nan")
    rank = max(1, int(-(-q * len(sorted_values) // 1)))  # nearest rank
    return sorted_values[min(rank, len(sorted_values)) - 1]


def ok(row: Row) -> bool:
    return 200 <= row.code < 300 and not row.error


def summarize(rows: list[Row], rate: int, seconds: float) -> dict:
    """Latency percentiles of the answered requests (fixed-rate points)."""
    good = sorted(r.latency_us for r in rows if ok(r))
    return {
        "requests": len(rows), "ok": len(good), "failed": len(rows) - len(good),
        "achieved_rps": round(len(rows) / seconds, 1), "rate": rate,
        "p50_us": round(percentile(good, 0.50), 1), "p99_us": round(percentile(good, 0.99), 1),
        "p999_us": round(percentile(good, 0.999), 1),
    }


def throughput(rows: list[Row], seconds: float, workers: int) -> dict:
    """Answered requests a second at saturation, over the span the answers actually took."""
    good = [r for r in rows if ok(r)]
    if rows:
        first = min(r.at_ns for r in rows)
        last = max(r.at_ns + int(r.latency_us * 1000) for r in rows)
        span = max((last - first) / 1e9, 1e-3)
    else:
        span = seconds
    latencies = sorted(r.latency_us for r in good)
    return {"workers": workers, "requests": len(rows), "ok": len(good), "failed": len(rows) - len(good),
            "seconds": round(span, 2), "rps": round(len(good) / span, 1),
            "p50_us": round(percentile(latencies, 0.50), 1), "p99_us": round(percentile(latencies, 0.99), 1)}


def failures(rows: list[Row]) -> dict:
    """What went wrong in an attack: non-2xx answers by status (0: no answer) and the first errors."""
    by_code: dict[str, int] = {}
    errors: list[str] = []
    for r in rows:
        if ok(r):
            continue
        by_code[str(r.code)] = by_code.get(str(r.code), 0) + 1
        if r.error and len(errors) < 3 and r.error not in errors:
            errors.append(r.error[:200])
    return {"requests": len(rows), "failed": sum(by_code.values()), "by_status": by_code, "errors": errors}


def windows(rows: list[Row], marks: list[tuple[str, int]]) -> list[dict]:
    """Requests and failures between marks (wall-clock ns, as vegeta's timestamps): the window
    named by a mark runs from it to the next; requests before the first mark are "before"."""
    spans = [("before", 0)] + sorted(marks, key=lambda m: m[1])
    counted = [{"window": name, "requests": 0, "failed": 0} for name, _ in spans]
    for r in rows:
        index = 0
        for i, (_, at) in enumerate(spans):
            if r.at_ns >= at:
                index = i
        counted[index]["requests"] += 1
        counted[index]["failed"] += 0 if ok(r) else 1
    return counted
