"""ProfilerReport: runs the profiler rules (parameters ``<rule>_<parameter>``, e.g.
``CPUBottleneck_threshold``) and writes an HTML report of utilization and what they found to
``$ATELIER_PROFILER_REPORT_DIR`` (default ``/opt/ml/processing/outputs/profiler-report``), file
``profiler-report.html``."""

from __future__ import annotations

import html
import os
import time

from .base import RuleParameterError
from .profiler import (CPUBottleneck, IOBottleneck, LowCPUUtilization, MaxInitializationTime, ProfilerRule, cpu_of,
                       percentile)

RULES = (LowCPUUtilization, CPUBottleneck, IOBottleneck, MaxInitializationTime)
DEFAULT_DIR = "/opt/ml/processing/outputs/profiler-report"


class ProfilerReport(ProfilerRule):
    PARAMETERS: dict = {}

    def __init__(self, base_trial, **params):
        super().__init__(base_trial)
        by_rule: dict[str, dict[str, str]] = {r.__name__.lower(): {} for r in RULES}
        for key, value in params.items():
            rule, _, parameter = key.partition("_")
            if rule.lower() not in by_rule or not parameter:
                raise RuleParameterError(f"RuleParameters.{key}: ProfilerReport takes <rule>_<parameter>, with rule one "
                                         f"of {', '.join(r.__name__ for r in RULES)}")
            by_rule[rule.lower()][parameter] = value
        self.rules = [r(base_trial, **by_rule[r.__name__.lower()]) for r in RULES]
        self.found: dict[str, object] = {}
        self.out_dir = os.environ.get("ATELIER_PROFILER_REPORT_DIR", DEFAULT_DIR)

    def evaluate(self, samples, final):
        first = None
        for rule in self.rules:
            found = rule.evaluate(samples, final)
            if found and rule.name not in self.found:
                self.found[rule.name] = found
            first = first or self.found.get(rule.name)
        if final:
            self.write(samples)
        return first

    def write(self, samples) -> str:
        os.makedirs(self.out_dir, exist_ok=True)
        path = os.path.join(self.out_dir, "profiler-report.html")
        tmp = path + ".tmp"
        with open(tmp, "w") as f:
            f.write(render(samples, self.rules, self.found))
        os.replace(tmp, path)
        return path


def _sparkline(values: list[float], width: int = 600, height: int = 80, top: float = 100.0) -> str:
    if len(values) < 2:
        return ""
    step = width / (len(values) - 1)
    points = " ".join(f"{i * step:.1f},{height - min(v, top) / top * height:.1f}" for i, v in enumerate(values))
    return (f'<svg width="{width}" height="{height}" role="img"><polyline fill="none" stroke="#1f77b4" '
            f'stroke-width="1.5" points="{points}"/></svg>')


def render(samples, rules, found) -> str:
    cpu = [cpu_of(s) for s in samples]
    duration = (samples[-1]["ts"] - samples[0]["ts"]) if len(samples) > 1 else 0.0
    mem = [float(s.get("memory_bytes", 0)) for s in samples]
    limit = max([float(s.get("memory_limit_bytes", 0) or 0) for s in samples] or [0])
    last = samples[-1] if samples else {}
    rows = []
    for rule in rules:
        issue = found.get(rule.name)
        status = "IssuesFound" if issue else "NoIssuesFound"
        rows.append(f"<tr><td>{rule.name}</td><td>{status}</td><td>{html.escape(issue.details if issue else '')}</td>"
                    f"<td>{html.escape(', '.join(f'{k}={getattr(rule, k)}' for k in rule.PARAMETERS))}</td></tr>")
    cores = len(last.get("cpu") or [])
    summary = [("samples", len(samples)), ("duration", f"{duration:.1f} s"), ("cores", cores),
               ("CPU p50 / p95 / max", f"{percentile(cpu, 50):.1f}% / {percentile(cpu, 95):.1f}% / {max(cpu or [0]):.1f}%"),
               ("memory max", f"{max(mem or [0]) / 2**20:.1f} MiB" + (f" of {limit / 2**20:.0f} MiB" if limit else "")),
               ("disk read / written", f"{float(last.get('disk_read_bytes', 0)) / 2**20:.1f} / "
                                       f"{float(last.get('disk_write_bytes', 0)) / 2**20:.1f} MiB"),
               ("network in / out", f"{float(last.get('net_rx_bytes', 0)) / 2**20:.1f} / "
                                    f"{float(last.get('net_tx_bytes', 0)) / 2**20:.1f} MiB")]
    summary_rows = "".join(f"<tr><th>{k}</th><td>{html.escape(str(v))}</td></tr>" for k, v in summary)
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Profiler report</title>
<style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:4px 8px;text-align:left}}</style>
</head><body>
<h1>Profiler report</h1>
<p>Written {time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())}.</p>
<h2>Utilization</h2><table>{summary_rows}</table>
<h3>CPU use over time (0-100%)</h3>{_sparkline(cpu)}
<h2>Rules</h2>
<table><tr><th>rule</th><th>status</th><th>details</th><th>parameters</th></tr>{''.join(rows)}</table>
</body></html>
"""
