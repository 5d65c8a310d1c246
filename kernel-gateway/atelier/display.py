"""What a job looks like in a notebook: the live status block, tables, and times and sizes.

In a kernel with a front end (JupyterLab), a waiting job is one HTML block updated in place at
each poll; anywhere else (a script, a terminal) it is one text line per change. The same holds
for tables such as ``%atelier_jobs``'s. Only the standard library is needed; IPython is used
when present.
"""

from __future__ import annotations

import datetime as _dt
import html
import sys
import time
from typing import Any, Callable, Mapping, Sequence

__all__ = [
    "EndpointStatusBlock",
    "JobStatusBlock",
    "format_duration",
    "format_size",
    "job_status",
    "notebook_display",
    "parse_time",
    "show_table",
]

_COLOURS = {"Completed": "#2e7d32", "Failed": "#c62828", "Stopped": "#ef6c00", "Stopping": "#ef6c00"}
_ARTIFACTS = (("Model", "ModelArtifacts", "S3ModelArtifacts"), ("Output", "OutputArtifacts", "S3OutputArtifacts"))


# -- times and sizes ---------------------------------------------------------------------------


def parse_time(value: Any) -> _dt.datetime | None:
    """A UTC datetime from the server's times (ISO 8601, or epoch milliseconds); None for anything else."""
    if isinstance(value, (int, float)):
        return _dt.datetime.fromtimestamp(value / 1000, _dt.timezone.utc)
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = _dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=_dt.timezone.utc)


def format_duration(seconds: float) -> str:
    """``7s``, ``1m 23s``, ``2h 05m 00s``."""
    seconds = max(0, int(seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}h {m:02d}m {s:02d}s" if h else (f"{m}m {s:02d}s" if m else f"{s}s")


def format_size(n: int | float | None) -> str:
    """``512 B``, ``1.0 MiB``; ``?`` when unknown."""
    if n is None:
        return "?"
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(n) < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} B"


# -- where output goes -------------------------------------------------------------------------


def notebook_display() -> Callable | None:
    """IPython's ``display`` when running in a kernel with a front end, else None."""
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:
        return None
    shell = get_ipython()
    if shell is None or getattr(shell, "kernel", None) is None:
        return None
    return display


def show_table(columns: Sequence[str], rows: Sequence[Sequence[Any]], css_class: str, empty: str) -> None:
    """An HTML table in a notebook, aligned text columns elsewhere; ``empty`` when there are no rows."""
    display = notebook_display()
    if display is not None:
        from IPython.display import HTML

        if not rows:
            display(HTML(f"<i>{html.escape(empty)}</i>"))
            return
        head = "".join(f"<th style='text-align:left'>{c}</th>" for c in columns)
        body = "".join("<tr>" + "".join(f"<td style='text-align:left'>{html.escape(str(v))}</td>" for v in r) + "</tr>" for r in rows)
        display(HTML(f"<table class='{css_class}'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"))
        return
    if not rows:
        print(empty)
        return
    widths = [max(len(c), *(len(str(r[i])) for r in rows)) for i, c in enumerate(columns)]
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths)).rstrip())
    for r in rows:
        print("  ".join(str(v).ljust(w) for v, w in zip(r, widths)).rstrip())


# -- a job's status ----------------------------------------------------------------------------


def job_status(description: Mapping[str, Any]) -> str | None:
    """The status of a training or processing job's Describe response."""
    return description.get("TrainingJobStatus") or description.get("ProcessingJobStatus")


def _secondary_since(description: Mapping[str, Any]) -> _dt.datetime | None:
    transitions = description.get("SecondaryStatusTransitions") or []
    if transitions:
        return parse_time(transitions[-1].get("StartTime"))
    return parse_time(description.get("ProcessingStartTime") or description.get("CreationTime"))


class JobStatusBlock:
    """A job's status while it runs: one live-updated HTML block in notebooks, a text line per
    change elsewhere (and no line when nothing changed but the clock)."""

    def __init__(self, kind: str, name: str, out=None):
        self.kind = kind
        self.name = name
        self.out = out
        self.started = time.monotonic()
        self._display = notebook_display()
        self._handle = None
        self._last_text: tuple | None = None
        self._last_percent = -100

    def show(self, description: Mapping[str, Any], ended: bool, metrics: Mapping[str, Any] | None = None) -> None:
        """Show the job as ``description`` has it (``ended``: it reached a final status), with the
        last value of each of ``metrics`` (name -> [(timestamp, value)])."""
        status, secondary = job_status(description), description.get("SecondaryStatus")
        since = _secondary_since(description)
        now = _dt.datetime.now(_dt.timezone.utc)
        elapsed = (now - since).total_seconds() if since else time.monotonic() - self.started
        progress = description.get("Progress") or {}
        last = {k: v[-1][1] for k, v in (metrics or {}).items() if v}
        if self._display is not None:
            self._show_html(description, ended, status, secondary, elapsed, progress, last)
        else:
            self._show_text(ended, status, secondary, elapsed, progress, last)

    def _show_html(self, desc, ended, status, secondary, elapsed, progress, last) -> None:
        from IPython.display import HTML

        colour = _COLOURS.get(status, "#1565c0")
        for_how_long = f" for {format_duration(elapsed)}"
        rows = [
            ("Job", f"<b>{html.escape(self.name)}</b> ({self.kind})"),
            ("Status", f"<span style='color:{colour};font-weight:bold'>{html.escape(status or '?')}</span>"
             + (f" &middot; {html.escape(secondary)}{for_how_long}" if secondary else for_how_long)),
        ]
        phase, done, total = progress.get("Phase"), progress.get("BytesDone"), progress.get("BytesTotal")
        if phase and not ended:
            bar = f"<progress value='{int(done or 0)}' max='{int(total or 0) or 1}' style='width:14em'></progress> " if total else ""
            rows.append((html.escape(phase), f"{bar}{format_size(done)} of {format_size(total)}"))
        if last:
            rows.append(("Metrics", ", ".join(f"{html.escape(k)} = {v:g}" for k, v in sorted(last.items()))))
        if desc.get("FailureReason"):
            rows.append(("Failure", f"<pre style='margin:0;white-space:pre-wrap'>{html.escape(desc['FailureReason'])}</pre>"))
        for label, field, key in _ARTIFACTS:
            value = (desc.get(field) or {}).get(key)
            if value and ended:
                rows.append((label, f"<code>{html.escape(value)}</code>"))
        body = "".join(
            f"<tr><th style='text-align:left;padding-right:1em'>{k}</th><td style='text-align:left'>{v}</td></tr>" for k, v in rows
        )
        block = HTML(f"<table class='atelier-job-progress'>{body}</table>")
        if self._handle is None:
            self._handle = self._display(block, display_id=True)
        else:
            self._handle.update(block)

    def _show_text(self, ended, status, secondary, elapsed, progress, last) -> None:
        phase, done, total = progress.get("Phase"), progress.get("BytesDone"), progress.get("BytesTotal")
        percent = int(100 * (done or 0) / total) if total else -1
        key = (status, secondary, phase if not ended else None)
        if key == self._last_text and not (phase and percent >= self._last_percent + 10):
            return
        self._last_text = key
        self._last_percent = percent if phase else -100
        line = f"{self.name}: {status}" + (f" - {secondary}" if secondary else "") + f" ({format_duration(elapsed)})"
        if phase and not ended:
            line += f" - {phase} {format_size(done)} of {format_size(total)}"
        if last:
            line += " - " + ", ".join(f"{k}={v:g}" for k, v in sorted(last.items()))
        print(line, file=self.out or sys.stdout, flush=True)


# -- an endpoint's status ----------------------------------------------------------------------

_ENDPOINT_COLOURS = {"InService": "#2e7d32", "Failed": "#c62828", "Deleting": "#ef6c00", "RollingBack": "#ef6c00"}


def _instances(variant: Mapping[str, Any]) -> str:
    instances = variant.get("Instances") or []
    healthy = sum(1 for i in instances if i.get("Healthy"))
    wanted = variant.get("DesiredInstanceCount") or variant.get("CurrentInstanceCount") or len(instances)
    return f"{healthy}/{wanted} healthy"


class EndpointStatusBlock:
    """An endpoint's status while it is created or updated: one live HTML block in notebooks,
    a text line per change elsewhere."""

    def __init__(self, name: str, out=None):
        self.name = name
        self.out = out
        self.started = time.monotonic()
        self._display = notebook_display()
        self._handle = None
        self._last_line: str | None = None

    def show(self, description: Mapping[str, Any]) -> None:
        status = description.get("EndpointStatus") or "?"
        variants = description.get("ProductionVariants") or []
        elapsed = format_duration(time.monotonic() - self.started)
        if self._display is None:
            parts = [f"{v.get('VariantName')}: {_instances(v)}" for v in variants]
            line = f"{self.name}: {status}" + (f" - {', '.join(parts)}" if parts else "")
            if line != self._last_line:
                self._last_line = line
                print(f"{line} ({elapsed})", file=self.out or sys.stdout, flush=True)
            return
        from IPython.display import HTML

        colour = _ENDPOINT_COLOURS.get(status, "#1565c0")
        rows = [("Endpoint", f"<b>{html.escape(self.name)}</b>"),
                ("Status", f"<span style='color:{colour};font-weight:bold'>{html.escape(status)}</span> "
                           f"&middot; {elapsed}")]
        for v in variants:
            weight = v.get("CurrentWeight", v.get("DesiredWeight"))
            rows.append((html.escape(str(v.get("VariantName"))),
                         f"{_instances(v)}" + (f", weight {weight:g}" if isinstance(weight, (int, float)) else "")))
        if description.get("FailureReason"):
            rows.append(("Failure", "<pre style='margin:0;white-space:pre-wrap'>"
                                    f"{html.escape(description['FailureReason'])}</pre>"))
        body = "".join(f"<tr><th style='text-align:left;padding-right:1em'>{k}</th>"
                       f"<td style='text-align:left'>{v}</td></tr>" for k, v in rows)
        block = HTML(f"<table class='atelier-endpoint-progress'>{body}</table>")
        if self._handle is None:
            self._handle = self._display(block, display_id=True)
        else:
            self._handle.update(block)
