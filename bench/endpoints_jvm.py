"""The bare router's JVM for bench/endpoints.py: compiled ahead (so that the measured JVM does not
run javac in-process, as Java's source launcher does, which leaves the compiler's classes in the
metaspace and its garbage in the heap: a full GC for "Metadata GC Threshold" and a long first
young pause), and its stop-the-world pauses read back from ``-Xlog:safepoint`` with wall-clock
times, so that each measured point can say how long the router's JVM stood still within it.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

SAFEPOINT = re.compile(r'^\[(\d+)ms\] Safepoint "([^"]+)".*?Total: (\d+) ns')


def compile_router(java_home: Path, jar: Path, source: Path, classes: Path) -> None:
    classes.mkdir(parents=True, exist_ok=True)
    subprocess.run([str(java_home / "bin" / "javac"), "-nowarn", "-cp", str(jar), "-d", str(classes), str(source)],
                   check=True, timeout=120)


def router_command(java_home: Path, jar: Path, classes: Path, flags: list[str], safepoints: Path,
                   port: int, model_port: int) -> list[str]:
    log = f"-Xlog:safepoint:file={safepoints}:timemillis"
    return [str(java_home / "bin" / "java"), *flags, log, "-cp", f"{jar}:{classes}", "endpoints_router",
            str(port), str(model_port)]


def pauses(safepoints: Path) -> list[tuple[int, str, float]]:
    """(wall-clock ms at the pause's end, what it was for, its length in us), in log order."""
    if not safepoints.exists():
        return []
    found = []
    for line in safepoints.read_text(errors="replace").splitlines():
        m = SAFEPOINT.match(line)
        if m:
            found.append((int(m.group(1)), m.group(2), int(m.group(3)) / 1000.0))
    return found


def pauses_within(all_pauses: list[tuple[int, str, float]], start_ns: int, end_ns: int) -> dict:
    """The pauses that ended within [start, end] (vegeta's wall-clock ns): count, total, longest."""
    inside = [p for p in all_pauses if start_ns / 1e6 <= p[0] <= end_ns / 1e6]
    if not inside:
        return {"pauses": 0, "pause_total_us": 0.0, "pause_max_us": 0.0, "pause_max_reason": None}
    longest = max(inside, key=lambda p: p[2])
    return {"pauses": len(inside), "pause_total_us": round(sum(p[2] for p in inside), 1),
            "pause_max_us": round(longest[2], 1), "pause_max_reason": longest[1]}
