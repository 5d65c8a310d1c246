"""MLflow's own tracking client (the pinned PyPI package, unmodified) against a real Atelier server:
the tracking URI is the server's URL plus ``atelier/mlflow`` and the token goes in
MLFLOW_TRACKING_TOKEN, as the README tells users: the server's own listener with its token, and
the front door (the URL users open) with JupyterLab's token."""
from __future__ import annotations

import math
import os
import uuid

import mlflow
import pandas as pd
import pytest
from mlflow import MlflowClient
from mlflow.entities import ViewType
from mlflow.exceptions import MlflowException

# Tests that take ``backend`` run through the front door; the others use the shared server.
BACKENDS = ("frontdoor",)


@pytest.fixture(scope="module")
def client(shared_atelier):
    saved = {k: os.environ.get(k) for k in ("MLFLOW_TRACKING_URI", "MLFLOW_TRACKING_TOKEN")}
    uri = shared_atelier.server.url + "/atelier/mlflow"
    os.environ["MLFLOW_TRACKING_URI"] = uri
    os.environ["MLFLOW_TRACKING_TOKEN"] = shared_atelier.server.token
    mlflow.set_tracking_uri(uri)
    try:
        yield MlflowClient()
    finally:
        mlflow.set_tracking_uri(None)
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def test_a_run_keeps_what_the_fluent_api_logs(client):
    mlflow.set_experiment(unique("fluent"))
    with mlflow.start_run(run_name="first") as run:
        mlflow.log_param("lr", 0.01)
        mlflow.log_params({"model": "tree", "depth": 4})
        for step in range(5):
            mlflow.log_metric("loss", 1.0 / (step + 1), step=step)
        mlflow.log_metrics({"acc": 0.75, "odd": float("nan")}, step=4)
        mlflow.set_tag("team", "ml")
        mlflow.set_tag("scratch", "gone soon")
        mlflow.delete_tag("scratch")
    got = client.get_run(run.info.run_id)
    assert got.info.run_name == "first"
    assert got.info.status == "FINISHED"
    assert got.info.end_time >= got.info.start_time
    assert got.data.params == {"lr": "0.01", "model": "tree", "depth": "4"}
    assert got.data.metrics["loss"] == pytest.approx(0.2)
    assert got.data.metrics["acc"] == 0.75
    assert math.isnan(got.data.metrics["odd"])
    assert got.data.tags["team"] == "ml"
    assert "scratch" not in got.data.tags
    history = client.get_metric_history(run.info.run_id, "loss")
    assert [(m.step, m.value) for m in history] == [(s, 1.0 / (s + 1)) for s in range(5)]


def test_a_run_records_the_datasets_it_used(client):
    import mlflow.data
    frame = pd.DataFrame({"x": [1.0, 2.0, 3.0], "y": [0.0, 1.0, 0.0]})
    dataset = mlflow.data.from_pandas(frame, name="toy", targets="y")
    mlflow.set_experiment(unique("inputs"))
    with mlflow.start_run() as run:
        mlflow.log_input(dataset, context="training")
    inputs = client.get_run(run.info.run_id).inputs.dataset_inputs
    assert [(i.dataset.name, i.dataset.digest) for i in inputs] == [("toy", dataset.digest)]
    assert {t.key: t.value for t in inputs[0].tags}["mlflow.data.context"] == "training"
    found = client.search_runs([run.info.experiment_id], filter_string="datasets.name = 'toy'")
    assert [r.info.run_id for r in found] == [run.info.run_id]


def test_search_runs_returns_a_filtered_ordered_dataframe(client):
    exp = client.create_experiment(unique("grid"))
    for i in range(8):
        with mlflow.start_run(experiment_id=exp, run_name=f"run-{i}"):
            mlflow.log_param("model", "a" if i % 2 == 0 else "b")
            mlflow.log_metric("acc", i / 10)
    df = mlflow.search_runs(experiment_ids=[exp], filter_string="metrics.acc > 0.1 and params.model = 'a'",
                            order_by=["metrics.acc DESC"])
    assert isinstance(df, pd.DataFrame)
    assert list(df["tags.mlflow.runName"]) == ["run-6", "run-4", "run-2"]
    assert list(df["metrics.acc"]) == [0.6, 0.4, 0.2]
    assert set(df["params.model"]) == {"a"}
    like = mlflow.search_runs(experiment_ids=[exp], filter_string="attributes.run_name LIKE 'run-%'")
    assert len(like) == 8
    paged = client.search_runs([exp], order_by=["params.model ASC", "metrics.acc ASC"], max_results=3)
    assert [r.info.run_name for r in paged] == ["run-0", "run-2", "run-4"]
    rest = client.search_runs([exp], order_by=["params.model ASC", "metrics.acc ASC"], max_results=10,
                              page_token=paged.token)
    assert [r.info.run_name for r in rest] == ["run-6", "run-1", "run-3", "run-5", "run-7"]


def test_a_long_history_comes_back_whole_across_pages(client):
    exp = client.create_experiment(unique("history"))
    run = client.create_run(exp)
    from mlflow.entities import Metric
    n = 26_000
    for start in range(0, n, 1000):
        client.log_batch(run.info.run_id,
                         metrics=[Metric("x", float(s), 1_700_000_000_000 + s, s) for s in range(start, start + 1000)])
    history = client.get_metric_history(run.info.run_id, "x")
    assert len(history) == n
    assert [m.step for m in history[:3]] == [0, 1, 2]
    assert history[-1].value == n - 1


def test_experiments_are_searched_found_by_name_deleted_and_restored(client):
    name = unique("lifecycle")
    exp = client.create_experiment(name, tags={"owner": "ada"})
    assert client.get_experiment_by_name(name).experiment_id == exp
    assert client.get_experiment_by_name(unique("absent")) is None
    found = client.search_experiments(filter_string=f"name = '{name}' and tags.owner = 'ada'")
    assert [e.experiment_id for e in found] == [exp]
    run = client.create_run(exp)
    client.delete_run(run.info.run_id)
    assert client.get_run(run.info.run_id).info.lifecycle_stage == "deleted"
    assert client.search_runs([exp]) == []
    assert [r.info.run_id for r in client.search_runs([exp], run_view_type=ViewType.DELETED_ONLY)] == [run.info.run_id]
    client.restore_run(run.info.run_id)
    client.delete_experiment(exp)
    assert client.get_experiment(exp).lifecycle_stage == "deleted"
    assert exp not in [e.experiment_id for e in client.search_experiments()]
    assert exp in [e.experiment_id for e in client.search_experiments(view_type=ViewType.DELETED_ONLY)]
    client.restore_experiment(exp)
    assert client.get_experiment(exp).lifecycle_stage == "active"
    client.rename_experiment(exp, name + "-renamed")
    assert client.get_experiment(exp).name == name + "-renamed"


def test_mlflow_errors_come_back_as_mlflow_exceptions_with_their_codes(client):
    exp = client.create_experiment(unique("rules"))
    run = client.create_run(exp)
    client.log_param(run.info.run_id, "lr", "0.1")
    with pytest.raises(MlflowException) as changed:
        client.log_param(run.info.run_id, "lr", "0.2")
    assert changed.value.error_code == "INVALID_PARAMETER_VALUE"
    assert client.get_run(run.info.run_id).data.params == {"lr": "0.1"}
    with pytest.raises(MlflowException) as missing:
        client.get_run(uuid.uuid4().hex)
    assert missing.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    with pytest.raises(MlflowException) as malformed:
        client.search_runs([exp], filter_string="metrics.acc > 'high'")
    assert malformed.value.error_code == "INVALID_PARAMETER_VALUE"
    assert "position 14" in str(malformed.value)
    with pytest.raises(MlflowException) as duplicate:
        client.create_experiment(client.get_experiment(exp).name)
    assert duplicate.value.error_code == "RESOURCE_ALREADY_EXISTS"
    client.delete_run(run.info.run_id)
    with pytest.raises(MlflowException) as deleted:
        client.log_metric(run.info.run_id, "m", 1.0)
    assert deleted.value.error_code == "INVALID_PARAMETER_VALUE"


def test_the_front_door_takes_the_jupyterlab_token_as_mlflow_sends_it(backend, monkeypatch):
    front = backend.rest.url("/atelier/mlflow")
    monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", backend.rest.token)
    through = MlflowClient(tracking_uri=front)
    exp = through.create_experiment(unique("front-door"))
    run = through.create_run(exp)
    through.log_metric(run.info.run_id, "loss", 0.5, step=3)
    through.set_terminated(run.info.run_id)
    assert [(m.step, m.value) for m in through.get_metric_history(run.info.run_id, "loss")] == [(3, 0.5)]
    assert [r.info.run_id for r in through.search_runs([exp], filter_string="metrics.loss < 1")] == [run.info.run_id]
    monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", "not-the-token")
    with pytest.raises(MlflowException) as refused:
        MlflowClient(tracking_uri=front).get_experiment(exp)
    assert "403" in str(refused.value)
