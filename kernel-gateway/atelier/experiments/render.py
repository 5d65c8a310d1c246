"""How MLflow's objects look in a notebook: a ``Run`` and a page of runs
(``MlflowClient.search_runs``) as HTML and as text. ``mlflow.search_runs`` answers a pandas
DataFrame, which keeps pandas' own display. A run's bundle also carries
``application/vnd.atelier.experiments+json``, which JupyterLab with Atelier renders with an
"Open in Experiments" button."""

from __future__ import annotations

import datetime as _dt
import html
from typing import Any

MIME = "application/vnd.atelier.experiments+json"
_STATUS_COLOURS = {"FINISHED": "#2e7d32", "FAILED": "#c62828", "KILLED": "#ef6c00", "RUNNING": "#1565c0"}
MAX_ROWS = 50
#: JupyterLab centres the tables of HTML output; a run's read from the left.
_LEFT = " style='margin-left:0;margin-right:auto'"
MAX_COLUMNS = 8


def _time(ms: int | None) -> str:
    if not ms:
        return ""
    return _dt.datetime.fromtimestamp(ms / 1000, _dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def _duration(info) -> str:
    from ..display import format_duration

    if not info.start_time or not info.end_time:
        return ""
    return format_duration((info.end_time - info.start_time) / 1000)


def _number(v: Any) -> str:
    return f"{v:.6g}" if isinstance(v, float) else str(v)


def _status(status: str) -> str:
    colour = _STATUS_COLOURS.get(status, "#555")
    return f"<span style='color:{colour};font-weight:bold'>{html.escape(status or '?')}</span>"


def _user_tags(tags: dict) -> dict:
    """The tags a person set: not MLflow's own, nor the source (shown as its own row)."""
    return {k: v for k, v in tags.items() if not k.startswith(("mlflow.", "atelier.source."))}


def run_label(run) -> str:
    return run.info.run_name or run.info.run_id


def run_link(run) -> dict:
    """The Experiments panel's address of a run."""
    return {"experimentId": run.info.experiment_id, "runId": run.info.run_id, "label": f"Open {run_label(run)} in Experiments"}


def _pairs_html(pairs: dict, css: str) -> str:
    if not pairs:
        return "<i>none</i>"
    cells = "".join(f"<tr><td style='text-align:left;padding-right:1em'><code>{html.escape(k)}</code></td>"
                    f"<td style='text-align:left'>{html.escape(_number(v))}</td></tr>" for k, v in sorted(pairs.items()))
    return f"<table class='{css}'{_LEFT}>{cells}</table>"


def run_html(run) -> str:
    """A run: name, status, times, parameters, metrics (last value, step), tags, and how to open it."""
    info, data = run.info, run.data
    user_tags = _user_tags(data.tags)
    source = data.tags.get("atelier.source.name") or data.tags.get("mlflow.source.name")
    rows = [
        ("Run", f"<b>{html.escape(run_label(run))}</b> <code>{html.escape(info.run_id)}</code>"),
        ("Experiment", f"<code>{html.escape(str(info.experiment_id))}</code>"),
        ("Status", _status(info.status) + (f" &middot; {_duration(info)}" if info.end_time else "")),
        ("Started", html.escape(_time(info.start_time))),
    ]
    if source:
        rows.append(("Source", html.escape(source)))
    rows.append(("Parameters", _pairs_html(data.params, "atelier-run-params")))
    rows.append(("Metrics", _metrics_html(run)))
    rows.append(("Tags", _pairs_html(user_tags, "atelier-run-tags")))
    rows.append(("Experiments", "<span class='atelier-run-open'>Open in Experiments: "
                 f"<code>atelier.experiments.open({html.escape(repr(info.run_id))})</code></span>"))
    body = "".join(f"<tr><th style='text-align:left;vertical-align:top;padding-right:1em'>{k}</th>"
                   f"<td style='text-align:left'>{v}</td></tr>" for k, v in rows)
    return f"<table class='atelier-run' data-run-id='{html.escape(info.run_id)}'{_LEFT}>{body}</table>"


def _metrics_html(run) -> str:
    metrics = run.data.metrics
    if not metrics:
        return "<i>none</i>"
    steps = {m.key: m.step for m in getattr(run.data, "_metric_objs", [])}
    head = "<tr><th style='text-align:left'>metric</th><th style='text-align:left'>last</th><th style='text-align:left'>step</th></tr>"
    cells = "".join(f"<tr><td style='text-align:left;padding-right:1em'><code>{html.escape(k)}</code></td>"
                    f"<td style='text-align:left'>{html.escape(_number(v))}</td>"
                    f"<td style='text-align:left'>{html.escape(str(steps.get(k, '')))}</td></tr>"
                    for k, v in sorted(metrics.items()))
    return f"<table class='atelier-run-metrics'{_LEFT}>{head}{cells}</table>"


def run_text(run) -> str:
    info, data = run.info, run.data
    lines = [f"Run {run_label(run)} ({info.run_id}) in experiment {info.experiment_id}: {info.status}"
             + (f" after {_duration(info)}" if info.end_time else "")]
    if data.params:
        lines.append("  params:  " + ", ".join(f"{k}={v}" for k, v in sorted(data.params.items())))
    if data.metrics:
        lines.append("  metrics: " + ", ".join(f"{k}={_number(v)}" for k, v in sorted(data.metrics.items())))
    user_tags = _user_tags(data.tags)
    if user_tags:
        lines.append("  tags:    " + ", ".join(f"{k}={v}" for k, v in sorted(user_tags.items())))
    return "\n".join(lines)


def run_bundle(run) -> dict:
    """The display bundle of a run (what ``display(run)`` sends)."""
    return {"text/plain": run_text(run), "text/html": run_html(run), MIME: run_link(run)}


def _is_runs(obj) -> bool:
    return len(obj) > 0 and all(type(r).__name__ == "Run" and hasattr(r, "info") for r in obj)


def _columns(runs, attr: str) -> list[str]:
    keys: dict[str, None] = {}
    for r in runs:
        for k in getattr(r.data, attr):
            keys.setdefault(k, None)
    return sorted(keys)[:MAX_COLUMNS]


def runs_html(runs) -> str | None:
    """A page of runs as a compact table (None for a list of something else)."""
    if not _is_runs(runs):
        return None
    shown = list(runs)[:MAX_ROWS]
    metrics, params = _columns(shown, "metrics"), _columns(shown, "params")
    head = "".join(f"<th style='text-align:left'>{html.escape(h)}</th>" for h in
                   ["run", "status", "started", "duration"] + metrics + [f"params.{p}" for p in params])
    body = []
    for r in shown:
        cells = [f"<b>{html.escape(run_label(r))}</b><br><code>{html.escape(r.info.run_id)}</code>", _status(r.info.status),
                 html.escape(_time(r.info.start_time)), html.escape(_duration(r.info))]
        cells += [html.escape(_number(r.data.metrics[m])) if m in r.data.metrics else "" for m in metrics]
        cells += [html.escape(r.data.params.get(p, "")) for p in params]
        body.append("<tr>" + "".join(f"<td style='text-align:left'>{c}</td>" for c in cells) + "</tr>")
    more = []
    if len(runs) > len(shown):
        more.append(f"{len(runs) - len(shown)} more runs not shown")
    token = getattr(runs, "token", None)
    if token:
        more.append("more pages: pass <code>page_token=result.token</code>")
    foot = f"<div class='atelier-runs-more'>{'; '.join(more)}</div>" if more else ""
    return (f"<div><table class='atelier-runs'{_LEFT}><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
            f"{foot}</div>")


def runs_text(runs) -> str:
    shown = list(runs)[:MAX_ROWS]
    metrics = _columns(shown, "metrics")
    rows = [["run", "run_id", "status", "started"] + metrics]
    for r in shown:
        rows.append([run_label(r), r.info.run_id, r.info.status, _time(r.info.start_time)]
                    + [_number(r.data.metrics[m]) if m in r.data.metrics else "" for m in metrics])
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(str(v).ljust(w) for v, w in zip(row, widths)).rstrip() for row in rows]
    if len(runs) > len(shown):
        lines.append(f"... {len(runs) - len(shown)} more runs")
    if getattr(runs, "token", None):
        lines.append("(more pages: page_token=result.token)")
    return "\n".join(lines)


def register(shell) -> None:
    """Register the formatters with an IPython shell (by type name: mlflow is imported only when used)."""
    formatters = shell.display_formatter.formatters
    html_f, plain, mime = formatters["text/html"], formatters["text/plain"], None
    html_f.for_type_by_name("mlflow.entities.run", "Run", run_html)
    html_f.for_type_by_name("mlflow.store.entities.paged_list", "PagedList", runs_html)
    plain.for_type_by_name("mlflow.entities.run", "Run", lambda obj, p, cycle: p.text(run_text(obj)))

    def paged_text(obj, p, cycle):
        if _is_runs(obj):
            p.text(runs_text(obj))
        else:
            p.text(repr(obj))

    plain.for_type_by_name("mlflow.store.entities.paged_list", "PagedList", paged_text)
    if MIME not in formatters:
        from IPython.core.formatters import BaseFormatter

        class ExperimentsFormatter(BaseFormatter):
            format_type = MIME
            print_method = "_repr_atelier_experiments_"
            _return_type = dict

        mime = ExperimentsFormatter(parent=shell.display_formatter)
        formatters[MIME] = mime
    formatters[MIME].for_type_by_name("mlflow.entities.run", "Run", run_link)
