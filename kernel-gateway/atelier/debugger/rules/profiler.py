"""Profiler rules, on the server's system samples: ``<profiler dir>/system/*.jsonl``, one JSON object
a line (``ts``, ``cpu`` per core, ``cpu_total``, ``memory_bytes``, ``memory_limit_bytes``,
``disk_read_bytes``, ``disk_write_bytes``, ``net_rx_bytes``, ``net_tx_bytes`` (cumulative),
``gpu``). A profiler rule's ``evaluate(samples, final)`` is called with every sample so far each
time new ones arrive, and once more (``final=True``) when training ended.
"""

from __future__ import annotations

import glob
import json
import os

from .base import Rule


class ProfilerData:
    """The samples under a profiler folder, read incrementally."""

    def __init__(self, path: str):
        self.path = path
        self.samples: list[dict] = []
        self._offsets: dict[str, int] = {}

    def refresh(self) -> int:
        new = 0
        for f in sorted(glob.glob(os.path.join(self.path, "system", "*.jsonl"))):
            with open(f, "rb") as fh:
                fh.seek(self._offsets.get(f, 0))
                data = fh.read()
            complete = data[: data.rfind(b"\n") + 1]  # a line still being written waits
            self._offsets[f] = self._offsets.get(f, 0) + len(complete)
            for line in complete.splitlines():
                if line.strip():
                    try:
                        self.samples.append(json.loads(line))
                        new += 1
                    except ValueError:
                        continue
        self.samples.sort(key=lambda s: s.get("ts", 0))
        return new


def cpu_of(sample: dict) -> float:
    if sample.get("cpu_total") is not None:
        return float(sample["cpu_total"])
    cores = sample.get("cpu") or [0.0]
    return sum(cores) / len(cores)


def gpu_of(sample: dict) -> float | None:
    gpus = sample.get("gpu") or []
    values = [g.get("utilization", 0.0) if isinstance(g, dict) else float(g) for g in gpus]
    return sum(values) / len(values) if values else None


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * q / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


class ProfilerRule(Rule):
    KIND = "profiler"

    def evaluate(self, samples: list[dict], final: bool):
        raise NotImplementedError

    def _ready(self, samples, final: bool) -> bool:
        return len(samples) >= self.patience or (final and len(samples) >= 2)


class LowCPUUtilization(ProfilerRule):
    """Over the last ``window`` samples: fires when the 95th percentile of CPU use is below
    ``threshold_p95`` percent while the 5th is above ``threshold_p5`` (busy, but far from full)."""

    PARAMETERS = {"threshold_p95": (float, 70.0), "threshold_p5": (float, 10.0), "window": (int, 50),
                  "patience": (int, 1000), "scan_interval_us": (int, 60000000)}

    def evaluate(self, samples, final):
        if not self._ready(samples, final):
            return None
        cpu = [cpu_of(s) for s in samples[-self.window:]]
        p95, p5 = percentile(cpu, 95), percentile(cpu, 5)
        if p95 < self.threshold_p95 and p5 > self.threshold_p5:
            return self.issue(None, f"CPU use p95 {p95:.1f}% < {self.threshold_p95:g}% and p5 {p5:.1f}% > "
                                    f"{self.threshold_p5:g}%: the instance is under-used")


class CPUBottleneck(ProfilerRule):
    """Fires when more than ``threshold`` percent of the samples have CPU use above ``cpu_threshold``
    while the GPU (when there is one) is below ``gpu_threshold``."""

    PARAMETERS = {"threshold": (float, 50.0), "gpu_threshold": (float, 10.0), "cpu_threshold": (float, 90.0),
                  "patience": (int, 1000), "scan_interval_us": (int, 60000000)}

    def evaluate(self, samples, final):
        if not self._ready(samples, final):
            return None
        bound = [s for s in samples if cpu_of(s) > self.cpu_threshold
                 and (gpu_of(s) is None or gpu_of(s) < self.gpu_threshold)]
        share = 100.0 * len(bound) / len(samples)
        if share > self.threshold:
            return self.issue(None, f"the CPU was above {self.cpu_threshold:g}% in {share:.0f}% of the samples "
                                    f"(threshold {self.threshold:g}%)")


class IOBottleneck(ProfilerRule):
    """Fires when more than ``threshold`` percent of the samples are I/O-bound: disk traffic since the
    previous sample above 1 MiB/s while CPU use is below ``io_threshold`` percent (and the GPU, when
    there is one, below ``gpu_threshold``). The engine's statistics have no I/O wait, so waiting on
    the disk shows as little CPU while bytes move."""

    PARAMETERS = {"threshold": (float, 50.0), "gpu_threshold": (float, 10.0), "io_threshold": (float, 50.0),
                  "patience": (int, 1000), "scan_interval_us": (int, 60000000)}

    def evaluate(self, samples, final):
        if not self._ready(samples, final):
            return None
        bound = 0
        for prev, s in zip(samples, samples[1:]):
            dt = max(1e-3, float(s.get("ts", 0)) - float(prev.get("ts", 0)))
            moved = sum(float(s.get(k, 0)) - float(prev.get(k, 0)) for k in ("disk_read_bytes", "disk_write_bytes"))
            gpu = gpu_of(s)
            if moved / dt > 1 << 20 and cpu_of(s) < self.io_threshold and (gpu is None or gpu < self.gpu_threshold):
                bound += 1
        share = 100.0 * bound / max(1, len(samples) - 1)
        if share > self.threshold:
            return self.issue(None, f"{share:.0f}% of the samples were waiting on disk I/O (threshold {self.threshold:g}%)")


class MaxInitializationTime(ProfilerRule):
    """Fires when the first step's tensors came more than ``threshold`` minutes after the first
    sample (the container's start), or none came in that time."""

    PARAMETERS = {"threshold": (float, 20.0), "scan_interval_us": (int, 60000000)}

    def evaluate(self, samples, final):
        if not samples:
            return None
        start = float(samples[0]["ts"])
        first_step = None
        if self.base_trial is not None:
            self.base_trial.refresh()
            steps = self.base_trial.steps(refresh=False)
            if steps:
                first_step = self.base_trial.wall_time(steps[0])
        limit = self.threshold * 60
        if first_step is not None:
            if first_step - start > limit:
                return self.issue(steps[0], f"the first step came {(first_step - start) / 60:.1f} min after the start "
                                            f"(threshold {self.threshold:g} min)")
            return None
        if float(samples[-1]["ts"]) - start > limit:
            return self.issue(None, f"no step within {self.threshold:g} min of the start")
