"""The notebook side of experiments through a real kernel Atelier started: ``%%atelier_run`` and
``%atelier_run`` on the stock mlflow client, the rich display of runs, and
``atelier.experiments.open``; what they log is read back through Atelier's MLflow REST API."""
from __future__ import annotations

import ast
import uuid

import pytest

# Kernels Atelier starts in local processes (they run the atelier package of this checkout).
BACKENDS = ("atelier", "frontdoor")
MIME = "application/vnd.atelier.experiments+json"
API = "/atelier/mlflow/api/2.0/mlflow"

pytestmark = pytest.mark.timeout(300)


def _unique(stem: str) -> str:
    return f"{stem}-{uuid.uuid4().hex[:8]}"


def _run(backend, run_id: str) -> dict:
    got = backend.atelier.get(f"{API}/runs/get", params={"run_id": run_id})
    assert got.status_code == 200, got.text
    return got.json()["run"]


def _runs_named(backend, experiment: str, run_name: str) -> list[dict]:
    exp = backend.atelier.get(f"{API}/experiments/get-by-name", params={"experiment_name": experiment})
    assert exp.status_code == 200, exp.text
    found = backend.atelier.post(f"{API}/runs/search", json={
        "experiment_ids": [exp.json()["experiment"]["experiment_id"]],
        "filter": f"attributes.run_name = '{run_name}'"})
    assert found.status_code == 200, found.text
    return found.json().get("runs", [])


def _tags(run: dict) -> dict:
    return {t["key"]: t["value"] for t in run["data"].get("tags", [])}


def _bundles(reply) -> list[dict]:
    return [m["content"]["data"] for m in reply.iopub if m["msg_type"] in ("display_data", "execute_result")]


@pytest.fixture
def nb(notebook):
    notebook.client.ok("%load_ext atelier\nimport mlflow", timeout=120)
    return notebook


def test_the_cell_magic_runs_the_cell_in_a_run_that_ends_finished(backend, nb):
    c, exp = nb.client, _unique("nb-cell")
    r = c.ok(f"%%atelier_run {exp}/first --tag team=vision --param epochs=2\n"
             "for step, loss in enumerate([1.0, 0.5, 0.25]):\n"
             "    mlflow.log_metric('loss', loss, step=step)\n"
             "mlflow.log_param('lr', 0.1)\n"
             "40 + 2", timeout=120)
    assert [x["data"]["text/plain"] for x in r.results()] == ["42"]
    run_id = ast.literal_eval(c.eval("_atelier_run.info.run_id"))
    assert c.eval("mlflow.active_run() is None") == "True"

    run = _run(backend, run_id)
    assert run["info"]["status"] == "FINISHED" and run["info"]["run_name"] == "first"
    assert [(m["key"], m["value"], m["step"]) for m in run["data"]["metrics"]] == [("loss", 0.25, 2)]
    assert {p["key"]: p["value"] for p in run["data"]["params"]} == {"epochs": "2", "lr": "0.1"}
    tags = _tags(run)
    path = nb.session["path"]
    assert (tags["atelier.source.type"], tags["atelier.source.name"]) == ("NOTEBOOK", path), tags
    assert (tags["mlflow.source.type"], tags["mlflow.source.name"]) == ("NOTEBOOK", path), tags
    assert tags["team"] == "vision"
    history = backend.atelier.get(f"{API}/metrics/get-history", params={"run_id": run_id, "metric_key": "loss"})
    assert history.status_code == 200, history.text
    assert [(m["step"], m["value"]) for m in history.json()["metrics"]] == [(0, 1.0), (1, 0.5), (2, 0.25)]
    # the experiment was created by name, and the same name logs to it again
    c.ok(f"%%atelier_run {exp}/second\nmlflow.log_metric('loss', 0.1)", timeout=120)
    assert len(_runs_named(backend, exp, "second")) == 1


def test_a_raising_cell_ends_its_run_failed_and_shows_the_error(backend, nb):
    c, exp = nb.client, _unique("nb-fail")
    r = c.execute(f"%%atelier_run {exp}/boom\nmlflow.log_metric('seen', 1)\nraise ValueError('bad batch 7')", timeout=120)
    assert r.status == "error", r.summary()
    assert (r.content["ename"], r.content["evalue"]) == ("ValueError", "bad batch 7")
    assert any(e["ename"] == "ValueError" for e in r.errors())
    (run,) = _runs_named(backend, exp, "boom")
    assert run["info"]["status"] == "FAILED"
    assert [m["key"] for m in run["data"]["metrics"]] == ["seen"]
    assert c.eval("mlflow.active_run() is None") == "True"


def test_the_line_magic_spans_cells_until_end(backend, nb):
    c, exp = nb.client, _unique("nb-line")
    out = c.ok(f"%atelier_run {exp}/long --param depth=3", timeout=120).stream_text()
    assert "Started run long" in out, out
    run_id = ast.literal_eval(c.eval("mlflow.active_run().info.run_id"))
    c.ok("mlflow.log_metric('a', 1.0)", timeout=60)
    c.ok("mlflow.log_metric('b', 2.0)", timeout=60)
    assert _run(backend, run_id)["info"]["status"] == "RUNNING"
    c.ok("%atelier_run --end", timeout=60)
    assert c.eval("mlflow.active_run() is None") == "True"
    run = _run(backend, run_id)
    assert run["info"]["status"] == "FINISHED"
    assert {m["key"]: m["value"] for m in run["data"]["metrics"]} == {"a": 1.0, "b": 2.0}
    assert {p["key"]: p["value"] for p in run["data"]["params"]} == {"depth": "3"}
    assert _tags(run)["atelier.source.name"] == nb.session["path"]
    # a new %atelier_run ends the one before
    c.ok(f"%atelier_run {exp}/next-1", timeout=60)
    first = ast.literal_eval(c.eval("mlflow.active_run().info.run_id"))
    c.ok(f"%atelier_run {exp}/next-2", timeout=60)
    assert _run(backend, first)["info"]["status"] == "FINISHED"
    c.ok("%atelier_run --end --status KILLED", timeout=60)
    (second,) = _runs_named(backend, exp, "next-2")
    assert second["info"]["status"] == "KILLED"


def test_a_malformed_target_or_a_refusing_server_is_a_clear_error(backend, nb):
    c = nb.client
    r = c.execute("%%atelier_run no-run-name\nprint('never')", timeout=60)
    assert r.status == "error" and r.content["ename"] == "UsageError", r.summary()
    assert "expected EXPERIMENT/RUN" in r.content["evalue"]
    assert "never" not in r.stream_text()
    # the server refuses an experiment name over MLflow's limit
    r = c.execute(f"%%atelier_run {'x' * 600}/run\nprint('never')", timeout=120)
    assert r.status == "error" and r.content["ename"] == "UsageError", r.summary()
    assert "the tracking server refused" in r.content["evalue"], r.content["evalue"]
    assert "Experiment name had length 600" in r.content["evalue"], r.content["evalue"]
    assert "never" not in r.stream_text()


def test_runs_display_richly_and_open_shows_the_experiments_button(backend, nb):
    c, exp = nb.client, _unique("nb-display")
    c.ok(f"%%atelier_run {exp}/shown --param lr=0.1\nmlflow.log_metric('acc', 0.93)", timeout=120)
    run_id = ast.literal_eval(c.eval("_atelier_run.info.run_id"))
    exp_id = _run(backend, run_id)["info"]["experiment_id"]

    (bundle,) = _bundles(c.ok("from mlflow.tracking import MlflowClient\n"
                              f"MlflowClient().get_run({run_id!r})", timeout=60))
    assert bundle[MIME] == {"experimentId": exp_id, "runId": run_id, "label": "Open shown in Experiments"}
    assert "class='atelier-run'" in bundle["text/html"] and "0.93" in bundle["text/html"] and "lr" in bundle["text/html"]
    assert bundle["text/plain"].startswith(f"Run shown ({run_id}) in experiment {exp_id}: FINISHED")

    (page,) = _bundles(c.ok(f"MlflowClient().search_runs([{exp_id!r}])", timeout=60))
    assert "class='atelier-runs'" in page["text/html"] and "shown" in page["text/html"] and "acc" in page["text/html"]
    (frame,) = _bundles(c.ok(f"mlflow.search_runs([{exp_id!r}])", timeout=60))
    assert "dataframe" in frame["text/html"] and "metrics.acc" in frame["text/html"]

    (opened,) = _bundles(c.ok(f"import atelier.experiments\natelier.experiments.open({run_id!r})", timeout=60))
    assert opened[MIME] == {"experimentId": exp_id, "runId": run_id, "label": "Open shown in Experiments"}
    assert set(opened) == {MIME, "text/plain"}, opened
    (opened,) = _bundles(c.ok(f"atelier.experiments.open(experiment={exp!r})", timeout=60))
    assert opened[MIME] == {"experimentId": exp_id, "label": f"Open experiment {exp} in Experiments"}
    r = c.execute("atelier.experiments.open('no-such-run')", timeout=60)
    assert r.status == "error" and r.content["ename"] == "ValueError" and "no run" in r.content["evalue"], r.summary()


def test_a_plain_mlflow_run_knows_its_notebook_with_no_setup(backend):
    """No %load_ext, no atelier import: ``import mlflow; mlflow.start_run()`` in a notebook in a
    folder is tagged with the notebook's path (relative to the root), the runs table's source
    column is filled from those tags, and runs display richly."""
    from client import KernelClient

    folder = _unique("nb-src")
    (backend.root_dir / folder).mkdir()
    path = f"{folder}/train.ipynb"
    session = backend.rest.create_session(path)
    c = KernelClient(backend.rest, session["kernel"]["id"])
    try:
        c.connect(wait_ready=True, timeout=60)
        if not backend.in_containers:
            backend.kernel_pids.append(int(c.eval("__import__('os').getpid()")))
        c.ok("import mlflow\nrun = mlflow.start_run()\nmlflow.log_metric('m', 1.0)\nmlflow.end_run()", timeout=120)
        run_id = ast.literal_eval(c.eval("run.info.run_id"))
        run = _run(backend, run_id)
        tags = _tags(run)
        assert (tags.get("atelier.source.type"), tags.get("atelier.source.name")) == ("NOTEBOOK", path), tags
        assert (tags.get("mlflow.source.type"), tags.get("mlflow.source.name")) == ("NOTEBOOK", path), tags
        found = backend.atelier.post(f"{API}/runs/search", json={
            "experiment_ids": [run["info"]["experiment_id"]], "filter": f"attributes.source = 'NOTEBOOK:{path}'"})
        assert found.status_code == 200, found.text
        assert [r["info"]["run_id"] for r in found.json().get("runs", [])] == [run_id]
        # the tags a caller passes still win
        c.ok("with mlflow.start_run(tags={'atelier.source.name': 'elsewhere.ipynb'}) as r2:\n    pass", timeout=120)
        other = ast.literal_eval(c.eval("r2.info.run_id"))
        assert _tags(_run(backend, other))["atelier.source.name"] == "elsewhere.ipynb"
        # runs display richly without %load_ext (importing mlflow loads the atelier package's provider)
        (bundle,) = _bundles(c.ok(f"mlflow.get_run({run_id!r})", timeout=60))
        assert bundle[MIME]["runId"] == run_id and "class='atelier-run'" in bundle["text/html"]
        assert path in bundle["text/html"]
    finally:
        c.close()
        backend.rest.delete(f"/api/sessions/{session['id']}", timeout=30)
