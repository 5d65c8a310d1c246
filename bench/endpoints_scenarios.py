"""What bench/endpoints.py measures on a whole Atelier server (see endpoints_server.py): failed
requests during a blue/green update and during a weight change at a fixed rate, and the cost of
data capture at 100% sampling at saturation."""

from __future__ import annotations

import time
from pathlib import Path

import endpoints_load as load
from endpoints_server import Endpoints, Server, change_weights, update_endpoint, watch_update


def variants_seen(rows: list[load.Row]) -> dict:
    """Which variant answered, per second of the attack: {second: {variant: count}}."""
    if not rows:
        return {}
    first = min(r.at_ns for r in rows)
    seen: dict[int, dict[str, int]] = {}
    for r in rows:
        if load.ok(r):
            second = int((r.at_ns - first) / 1e9)
            bucket = seen.setdefault(second, {})
            bucket[r.variant or "?"] = bucket.get(r.variant or "?", 0) + 1
    return dict(sorted(seen.items()))


def update_under_load(server: Server, eps: Endpoints, vegeta: str, body: Path, rate: int, seconds: int,
                      canary: bool) -> dict:
    """An endpoint on config A (variant Blue) moved to config B (variant Green) while ``rate``
    requests a second arrive; the attack starts 3 s before the update and lasts ``seconds``."""
    a = eps.config("bench-update-a", [("Blue", 1.0)])
    b = eps.config("bench-update-b", [("Green", 1.0)])
    name = eps.endpoint("bench-update", a)
    attack = load.Background(vegeta, server.invocations_url(name), rate, seconds, body, server.auth)
    try:
        time.sleep(3)  # the load's steady state first (this is the scenario's clock, not a synchronisation)
        marks = [("update", time.time_ns())]
        asked = update_endpoint(server, name, b, canary)
        watched = watch_update(server, name, b, max(5, seconds - 3))
        marks.append(("after InService", time.time_ns()))
    finally:
        rows = attack.results()
    result = {"scenario": "update", "rate": rate, "seconds": seconds, "asked": asked,
              "applied": watched["applied"] or ("ALL_AT_ONCE" if asked == "ALL_AT_ONCE" else
                                                "not recorded (the server ignored DeploymentConfig)"),
              "update_seconds": watched["seconds"], "phases": watched["phases"],
              "failure_reason": watched["failure_reason"], **load.failures(rows),
              "windows": load.windows(rows, marks), "by_second": variants_seen(rows)}
    if watched["seconds"] is not None and watched["seconds"] > seconds - 3:
        result["note"] = "the update outlasted the load: raise --update-seconds"
    return result


def weights_under_load(server: Server, eps: Endpoints, vegeta: str, body: Path, rate: int, seconds: int) -> dict:
    """An endpoint of two variants (Blue 1, Green 1) whose weights change to Blue 0, Green 1 and
    back while ``rate`` requests a second arrive."""
    c = eps.config("bench-weights", [("Blue", 1.0), ("Green", 1.0)])
    name = eps.endpoint("bench-weights", c)
    attack = load.Background(vegeta, server.invocations_url(name), rate, seconds, body, server.auth)
    changes, marks = [], []
    try:
        for label, weights in (("Blue 0 / Green 1", {"Blue": 0.0, "Green": 1.0}),
                               ("Blue 1 / Green 1", {"Blue": 1.0, "Green": 1.0})):
            time.sleep(seconds / 4)  # the scenario's clock: a quarter of the load on each side of a change
            started = time.monotonic()
            marks.append((f"to {label}", time.time_ns()))
            change_weights(server, name, weights)
            server.wait_status(name, "InService", seconds)
            changes.append(round(time.monotonic() - started, 2))
    finally:
        rows = attack.results()
    return {"scenario": "weights", "rate": rate, "seconds": seconds, "change_seconds": changes,
            **load.failures(rows), "windows": load.windows(rows, marks), "by_second": variants_seen(rows)}


def capture_cost(server: Server, eps: Endpoints, vegeta: str, body: Path, workers: int, seconds: int,
                 warmup: int, rounds: int, rate: int = 0) -> dict:
    """Saturation throughput of two endpoints of the same config, one with DataCaptureConfig at
    100% to the embedded S3: ``rounds`` alternating measurements of each, the best kept."""
    off = eps.endpoint("bench-capture-off", eps.config("bench-capture-off", [("AllTraffic", 1.0)]))
    on = eps.endpoint("bench-capture-on", eps.config("bench-capture-on", [("AllTraffic", 1.0)], capture=True))
    points = {"off": [], "on": []}
    for peer, name in (("off", off), ("on", on)):
        if warmup:
            load.attack(vegeta, server.invocations_url(name), rate, warmup, body, server.auth, workers)
    for _ in range(rounds):
        for peer, name in (("off", off), ("on", on)):
            rows = load.attack(vegeta, server.invocations_url(name), rate, seconds, body, server.auth, workers)
            points[peer].append(load.throughput(rows, seconds, workers))
    best = {peer: max(ps, key=lambda p: p["rps"]) for peer, ps in points.items()}
    status = server.call("GET", f"endpoints/{on}/capture")
    return {"scenario": "capture", "workers": workers, "seconds": seconds, "rounds": points,
            "off_rps": best["off"]["rps"], "on_rps": best["on"]["rps"],
            "on_over_off": round(best["on"]["rps"] / best["off"]["rps"], 3) if best["off"]["rps"] else None,
            "captured": status.get("Captured"), "uploaded": status.get("Uploaded"), "dropped": status.get("Dropped"),
            "pending": status.get("Pending")}
