"""A run's artifacts through the unmodified mlflow client: uploaded, listed and downloaded through
Atelier's proxied artifact routes, kept in the object store under experiments/<experiment>/<run>/,
and a scikit-learn model logged by autologging that loads back."""
from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

import mlflow
import mlflow.sklearn
from mlflow.tracking import MlflowClient

from client import Rest

pytestmark = pytest.mark.timeout(300)

# The test that takes ``backend`` goes through the front door; the others use the shared server.
BACKENDS = ("frontdoor",)


@pytest.fixture
def tracking(shared_atelier, monkeypatch):
    """The client pointed at the server as a kernel is: the tracking URI and the token."""
    server = shared_atelier.server
    uri = server.url.rstrip("/") + "/atelier/mlflow"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", server.token)
    mlflow.set_tracking_uri(uri)
    experiment = mlflow.create_experiment(f"artifacts-{uuid.uuid4().hex[:8]}")
    yield server, experiment
    mlflow.set_tracking_uri(None)


def stored(server, uri: str) -> bytes:
    r = Rest(server.url, server.token).get("/atelier/api/objects", params={"uri": uri})
    assert r.status_code == 200, f"{uri}: {r.status_code} {r.text[:300]}"
    return r.content


def test_artifacts_round_trip_through_the_object_store(tracking, tmp_path: Path):
    server, experiment = tracking
    notes = tmp_path / "notes.txt"
    notes.write_text("first run\n", encoding="utf-8")
    folder = tmp_path / "data"
    (folder / "sub").mkdir(parents=True)
    blob = os.urandom(3 << 20)
    (folder / "blob.bin").write_bytes(blob)
    (folder / "sub" / "table.csv").write_text("a,b\n1,2\n", encoding="utf-8")

    with mlflow.start_run(experiment_id=experiment) as run:
        mlflow.log_artifact(str(notes))
        mlflow.log_artifacts(str(folder), artifact_path="data")
    run_id = run.info.run_id
    assert run.info.artifact_uri == f"mlflow-artifacts:/{experiment}/{run_id}/artifacts"

    client = MlflowClient()
    top = client.list_artifacts(run_id)
    assert [(f.path, f.is_dir) for f in top] == [("data", True), ("notes.txt", False)]
    assert top[1].file_size == len("first run\n")
    inside = client.list_artifacts(run_id, "data")
    assert [(f.path, f.is_dir, f.file_size) for f in inside] == [
        ("data/blob.bin", False, len(blob)), ("data/sub", True, None)]
    assert [f.path for f in client.list_artifacts(run_id, "data/sub")] == ["data/sub/table.csv"]

    out = Path(mlflow.artifacts.download_artifacts(run_id=run_id, artifact_path="data", dst_path=str(tmp_path / "out")))
    assert (out / "blob.bin").read_bytes() == blob
    assert (out / "sub" / "table.csv").read_text(encoding="utf-8") == "a,b\n1,2\n"
    one = Path(client.download_artifacts(run_id, "notes.txt", str(tmp_path / "one")))
    assert one.read_text(encoding="utf-8") == "first run\n"

    # Where the artifacts live: the default bucket, under experiments/<experiment>/<run>/artifacts/.
    base = f"s3://atelier/experiments/{experiment}/{run_id}/artifacts"
    assert stored(server, f"{base}/notes.txt") == b"first run\n"
    assert stored(server, f"{base}/data/blob.bin") == blob


def test_an_artifact_path_that_leaves_the_run_is_refused_and_nothing_is_stored(tracking, tmp_path: Path):
    server, experiment = tracking
    f = tmp_path / "x.txt"
    f.write_text("x", encoding="utf-8")
    with mlflow.start_run(experiment_id=experiment) as run:
        # The client refuses such a path itself; the server refuses it when sent as it is.
        with pytest.raises(mlflow.exceptions.MlflowException):
            mlflow.log_artifact(str(f), artifact_path="../../escape")
    r = Rest(server.url, server.token).request(
        "PUT", f"/atelier/mlflow/api/2.0/mlflow-artifacts/artifacts/{experiment}/{run.info.run_id}/artifacts/..%2F..%2Fescape.txt",
        data=b"x")
    assert r.status_code == 400, r.text
    assert r.json()["error_code"] == "INVALID_PARAMETER_VALUE"
    assert MlflowClient().list_artifacts(run.info.run_id) == []


def test_sklearn_autolog_logs_a_model_that_loads_back(tracking):
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    server, experiment = tracking
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 4))
    y = (x[:, 0] + 0.5 * x[:, 1] > 0).astype(int)
    mlflow.sklearn.autolog(log_input_examples=False, log_model_signatures=True, silent=True)
    try:
        with mlflow.start_run(experiment_id=experiment) as run:
            model = LogisticRegression(max_iter=200).fit(x, y)
    finally:
        mlflow.sklearn.autolog(disable=True)
    run_id = run.info.run_id

    logged = MlflowClient().get_run(run_id)
    assert logged.data.params["max_iter"] == "200"
    assert "training_accuracy_score" in logged.data.metrics

    models = mlflow.search_logged_models(experiment_ids=[experiment], output_format="list")
    assert [(m.name, m.source_run_id, m.status.name) for m in models] == [("model", run_id, "READY")]
    for uri in (f"runs:/{run_id}/model", f"models:/{models[0].model_id}"):
        loaded = mlflow.sklearn.load_model(uri)
        assert (loaded.predict(x) == model.predict(x)).all(), uri
    # The model's files: below its experiment in the object store.
    mlmodel = stored(server, f"s3://atelier/experiments/{experiment}/models/{models[0].model_id}/artifacts/MLmodel")
    assert b"sklearn" in mlmodel


def test_artifacts_go_through_the_front_door_with_the_jupyterlab_token(backend, monkeypatch, tmp_path: Path):
    front = backend.rest.url("/atelier/mlflow")
    monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", backend.rest.token)
    client = MlflowClient(tracking_uri=front)
    run = client.create_run(client.create_experiment(f"front-artifacts-{uuid.uuid4().hex[:8]}"))
    data = os.urandom(1 << 20)
    (tmp_path / "weights.bin").write_bytes(data)
    client.log_artifact(run.info.run_id, str(tmp_path / "weights.bin"), artifact_path="ckpt")
    assert [(f.path, f.file_size) for f in client.list_artifacts(run.info.run_id, "ckpt")] == [("ckpt/weights.bin", len(data))]
    got = Path(client.download_artifacts(run.info.run_id, "ckpt/weights.bin", str(tmp_path / "down")))
    assert got.read_bytes() == data
