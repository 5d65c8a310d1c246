"""The notebook side of experiments, its pure parts: parsing ``%atelier_run``'s line, the source
tags, and the display of mlflow's runs (the whole path through a kernel and the server is in
tests/e2e/test_mlflow_notebook.py)."""

from __future__ import annotations

import pytest

pytest.importorskip("IPython")
mlflow = pytest.importorskip("mlflow")
from IPython.core.error import UsageError  # noqa: E402
from IPython.core.interactiveshell import InteractiveShell  # noqa: E402
from mlflow.entities import Metric, Param, Run, RunData, RunInfo, RunTag  # noqa: E402
from mlflow.store.entities.paged_list import PagedList  # noqa: E402

from atelier.experiments import MIME, link, parse_target, source_tags  # noqa: E402
from atelier.experiments.render import run_bundle  # noqa: E402
from atelier.runmagic import parse_run_line  # noqa: E402


@pytest.mark.parametrize("text, expected", [
    ("iris/baseline", ("iris", "baseline")),
    ("  iris / baseline ", ("iris", "baseline")),
    ("team/iris/baseline-2", ("team/iris", "baseline-2")),
    ("my exp/run 1", ("my exp", "run 1")),
])
def test_targets(text, expected):
    assert parse_target(text) == expected


@pytest.mark.parametrize("text", ["", "iris", "iris/", "/baseline", " / ", "iris/ "])
def test_malformed_targets_say_what_is_expected(text):
    with pytest.raises(ValueError, match="expected EXPERIMENT/RUN"):
        parse_target(text)


def test_line_options():
    args, exp, run, tags, params = parse_run_line("'my exp/run 1' --tag team=vision stage=dev --param lr=0.1", cell=True)
    assert (exp, run, tags, params) == ("my exp", "run 1", {"team": "vision", "stage": "dev"}, {"lr": "0.1"})
    args, exp, run, tags, params = parse_run_line("--end --status FAILED", cell=False)
    assert args.end and args.status == "FAILED" and exp is None


@pytest.mark.parametrize("line, cell, message", [
    ("", True, "expected EXPERIMENT/RUN"),
    ("iris", False, "expected EXPERIMENT/RUN"),
    ("iris/a --tag nothing", True, "--tag expects name=value"),
    ("--end", True, "--end is for the line magic"),
    ("iris/a --end", False, "--end takes no EXPERIMENT/RUN"),
    ("iris/a --status DONE", False, "invalid choice"),
    ("'iris/a", True, "No closing quotation"),
])
def test_bad_lines_are_usage_errors(line, cell, message):
    with pytest.raises(UsageError, match=message):
        parse_run_line(line, cell=cell)


def test_source_tags_name_the_notebook():
    assert source_tags({"ATELIER_NOTEBOOK_PATH": "work/a.ipynb", "JPY_SESSION_NAME": "/root/work/a.ipynb"}) == {
        "atelier.source.type": "NOTEBOOK", "atelier.source.name": "work/a.ipynb",
        "mlflow.source.type": "NOTEBOOK", "mlflow.source.name": "work/a.ipynb"}
    assert source_tags({"JPY_SESSION_NAME": "/srv/nb/b.ipynb", "ATELIER_ROOT_DIR": "/srv/nb"})["atelier.source.name"] == "b.ipynb"
    assert source_tags({"JPY_SESSION_NAME": "/elsewhere/b.ipynb", "ATELIER_ROOT_DIR": "/srv/nb"})["mlflow.source.name"] == "/elsewhere/b.ipynb"
    assert source_tags({}) == {"atelier.source.type": "NOTEBOOK", "mlflow.source.type": "NOTEBOOK"}


def _run(run_id="r1", name="baseline", status="FINISHED", metrics=(("loss", 0.25, 2),), params=(("lr", "0.1"),)):
    info = RunInfo(run_id=run_id, experiment_id="7", user_id="u", status=status, start_time=1_700_000_000_000,
                   end_time=1_700_000_065_000, lifecycle_stage="active", run_name=name)
    data = RunData(metrics=[Metric(k, v, 0, s) for k, v, s in metrics], params=[Param(k, v) for k, v in params],
                   tags=[RunTag("team", "<vision>"), RunTag("mlflow.runName", name)])
    return Run(info, data)


def test_a_run_displays_as_html_text_and_a_link():
    bundle = run_bundle(_run())
    assert bundle[MIME] == {"experimentId": "7", "runId": "r1", "label": "Open baseline in Experiments"}
    page = bundle["text/html"]
    for part in ("baseline", "FINISHED", "1m 05s", "lr", "0.1", "loss", "0.25", "&lt;vision&gt;", "Open in Experiments"):
        assert part in page, part
    assert "mlflow.runName" not in page
    assert bundle["text/plain"].startswith("Run baseline (r1) in experiment 7: FINISHED after 1m 05s")
    assert "metrics: loss=0.25" in bundle["text/plain"]


def test_the_shell_formats_runs_and_pages_of_runs():
    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "atelier")
    data, _ = shell.display_formatter.format(_run())
    assert {"text/plain", "text/html", MIME} <= set(data)
    page = PagedList([_run("r1", "a"), _run("r2", "b", "FAILED", metrics=(("acc", 0.9, 0),))], "next-token")
    data, _ = shell.display_formatter.format(page)
    table = data["text/html"]
    assert "class='atelier-runs'" in table and table.count("<tr>") == 3 and "FAILED" in table
    assert "acc" in table and "params.lr" in table and "page_token" in table
    assert data["text/plain"].splitlines()[0].split() == ["run", "run_id", "status", "started", "acc", "loss"]
    other, _ = shell.display_formatter.format(PagedList(["x"], None))
    assert "text/html" not in other and other["text/plain"] == "['x']"


def test_open_a_run_object_needs_no_server():
    target = link(_run())
    bundle = target._repr_mimebundle_()
    assert bundle[MIME] == {"experimentId": "7", "runId": "r1", "label": "Open baseline in Experiments"}
    assert set(bundle) == {MIME, "text/plain"} and "run r1" in bundle["text/plain"]


def test_open_with_nothing_and_no_active_run_says_so():
    with pytest.raises(ValueError, match="needs a run or an experiment"):
        link()


def test_a_kernel_atelier_started_is_the_context_of_notebook_runs():
    from atelier.experiments.context import in_atelier_kernel

    env = {"KERNEL_ID": "k-1", "ATELIER_ROOT_DIR": "/srv/nb"}
    assert in_atelier_kernel(env, in_kernel=lambda: True)
    assert not in_atelier_kernel(env, in_kernel=lambda: False)  # a script the notebook started
    assert not in_atelier_kernel({"KERNEL_ID": "k-1"}, in_kernel=lambda: True)  # someone else's kernel
    assert not in_atelier_kernel({}, in_kernel=lambda: True)


def test_mlflow_resolves_the_notebook_tags_through_the_entry_point(monkeypatch):
    """The provider is found by MLflow's own registry (the package's entry point) and its tags
    replace MLflow's defaults; the caller's tags still win."""
    from mlflow.tracking.context.registry import _run_context_provider_registry, resolve_tags

    import atelier.experiments.context as context

    assert any(isinstance(p, context.NotebookRunContext) for p in _run_context_provider_registry)
    monkeypatch.setenv("KERNEL_ID", "k-1")
    monkeypatch.setenv("ATELIER_ROOT_DIR", "/srv/nb")
    monkeypatch.setenv("JPY_SESSION_NAME", "/srv/nb/work/train.ipynb")
    monkeypatch.delenv("ATELIER_NOTEBOOK_PATH", raising=False)
    monkeypatch.setattr(context, "_in_kernel", lambda: True)
    tags = resolve_tags({"team": "vision"})
    assert tags["atelier.source.type"] == "NOTEBOOK" and tags["atelier.source.name"] == "work/train.ipynb"
    assert (tags["mlflow.source.type"], tags["mlflow.source.name"]) == ("NOTEBOOK", "work/train.ipynb")
    assert tags["team"] == "vision"
    assert resolve_tags({"mlflow.source.name": "mine"})["mlflow.source.name"] == "mine"
    monkeypatch.setattr(context, "_in_kernel", lambda: False)
    tags = resolve_tags()
    assert "atelier.source.type" not in tags and tags["mlflow.source.type"] == "LOCAL"


def test_a_runs_source_is_its_own_row_not_a_tag():
    run = _run()
    run.data._add_tag(RunTag("atelier.source.type", "NOTEBOOK"))
    run.data._add_tag(RunTag("atelier.source.name", "work/a.ipynb"))
    page = run_bundle(run)["text/html"]
    assert "<th style='text-align:left;vertical-align:top;padding-right:1em'>Source</th><td style='text-align:left'>work/a.ipynb" in page
    assert "atelier.source" not in page and "&lt;vision&gt;" in page
    assert "atelier.source" not in run_bundle(run)["text/plain"]
