"""MLflow with no setup in a notebook: a kernel Atelier starts has MLFLOW_TRACKING_URI and
MLFLOW_TRACKING_TOKEN, so `import mlflow; mlflow.log_metric(...)` logs to Atelier, and the run is
then found through Atelier's MLflow REST API."""
from __future__ import annotations

import ast

import pytest

# Kernels Atelier starts: stock jupyter_server's own kernels (``local``) are not Atelier's.
BACKENDS = ("atelier", "frontdoor", "docker")

pytestmark = pytest.mark.timeout(300)


def test_a_notebook_logs_to_atelier_with_no_setup(backend, notebook):
    c = notebook.client
    c.ok("import os")
    uri = ast.literal_eval(c.eval("os.environ.get('MLFLOW_TRACKING_URI')"))
    assert uri is not None and uri.endswith("/atelier/mlflow"), uri
    assert c.eval("'MLFLOW_TRACKING_TOKEN' in os.environ") == "True"

    c.ok('import mlflow\nmlflow.log_metric("m", 1.5)', timeout=120)
    run_id = ast.literal_eval(c.eval("mlflow.active_run().info.run_id"))
    c.ok("mlflow.end_run()", timeout=60)

    got = backend.atelier.get("/atelier/mlflow/api/2.0/mlflow/runs/get", params={"run_id": run_id})
    assert got.status_code == 200, got.text
    run = got.json()["run"]
    assert run["info"]["status"] == "FINISHED"
    assert [(m["key"], m["value"]) for m in run["data"]["metrics"]] == [("m", 1.5)]

    found = backend.atelier.post("/atelier/mlflow/api/2.0/mlflow/runs/search",
                                 json={"experiment_ids": [run["info"]["experiment_id"]],
                                       "filter": "metrics.m = 1.5", "max_results": 1000})
    assert found.status_code == 200, found.text
    assert run_id in [r["info"]["run_id"] for r in found.json().get("runs", [])]


@pytest.mark.timeout(400)
def test_a_training_job_is_a_run_that_its_script_logs_to_with_no_setup(shared_atelier, monkeypatch):
    """A training job is an experiment run: its hyperparameters are the run's params, its
    MetricDefinitions series is parsed from the log into the run, and `mlflow.log_metric` in the
    script (no set_experiment, no start_run) logs to that same run. The container reaches the API
    listener on 127.0.0.1 (it runs on the host's network). Read back with the real mlflow client."""
    from pathlib import Path

    from mlflow import MlflowClient
    from test_jobs import DATASCIENCE, Api, docker_ready, training, unique

    docker_ready()
    server = shared_atelier.server
    api = Api(server.url, server.token)
    name = unique("mlflow-job")
    proj = Path(shared_atelier.root) / "projects" / name
    proj.mkdir(parents=True)
    (proj / "train.py").write_text(
        "import mlflow\n"
        "for step, loss in enumerate([1.0, 0.5, 0.25]):\n"
        "    print(f'epoch={step} loss={loss}', flush=True)\n"
        "    mlflow.log_metric('script_acc', 0.5 + step / 10, step=step)\n")
    api.put_object(f"s3://atelier/data/{name}/d.csv", b"a\n1\n")
    body = training(name, DATASCIENCE, {"train": f"s3://atelier/data/{name}/d.csv"},
                    ScriptMode={"EntryPoint": "train.py", "SourceDir": f"projects/{name}"},
                    HyperParameters={"epochs": "3", "lr": "0.01"},
                    ExperimentConfig={"ExperimentName": name, "TrialName": "trial-1"})
    body["AlgorithmSpecification"]["MetricDefinitions"] = [{"Name": "loss", "Regex": r"loss=([0-9.]+)"}]
    r = api.create(body)
    assert r.status_code == 201, r.text
    d = api.wait(name, timeout=300)
    assert d["TrainingJobStatus"] == "Completed", (d.get("FailureReason"), api.log(name)[-3000:])
    assert d["ExperimentConfig"] == {"ExperimentName": name, "TrialName": "trial-1"}
    assert "TrackingFailureReason" not in d, d["TrackingFailureReason"]
    run_id = d["RunId"]

    monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", server.token)
    client = MlflowClient(tracking_uri=server.url.rstrip("/") + "/atelier/mlflow")
    run = client.get_run(run_id)
    assert run.info.status == "FINISHED" and run.info.end_time is not None
    assert run.info.run_name == name
    assert client.get_experiment(run.info.experiment_id).name == name
    assert {"epochs": "3", "lr": "0.01"}.items() <= run.data.params.items()
    tags = run.data.tags
    assert tags["atelier.source.type"] == "TRAINING_JOB" and tags["atelier.source.name"] == name
    assert tags["mlflow.source.type"] == "JOB" and tags["mlflow.source.name"] == name
    assert tags["atelier.input.train"] == f"s3://atelier/data/{name}/d.csv"
    assert tags["atelier.output.model"].endswith(f"/{name}/output/model.tar.gz")
    assert [i.dataset.name for i in run.inputs.dataset_inputs] == ["train"]

    parsed = client.get_metric_history(run_id, "loss")
    assert [(m.step, m.value) for m in parsed] == [(0, 1.0), (1, 0.5), (2, 0.25)]
    logged = client.get_metric_history(run_id, "script_acc")
    assert sorted((m.step, round(m.value, 6)) for m in logged) == [(0, 0.5), (1, 0.6), (2, 0.7)]

    summaries = api.rest.get("/atelier/api/training-jobs", params={"name_contains": name}).json()
    assert [s["RunId"] for s in summaries["TrainingJobSummaries"]] == [run_id]


AUTOLOG_SCRIPT = """\
import mlflow
import mlflow.sklearn
import numpy as np
import requests
from sklearn.linear_model import LogisticRegression

rng = np.random.default_rng(0)
x = rng.normal(size=(200, 4))
y = (x[:, 0] + 0.5 * x[:, 1] > 0).astype(int)
with mlflow.start_run() as run:
    mlflow.sklearn.autolog(log_input_examples=False, log_model_signatures=True)
    model = LogisticRegression(max_iter=150).fit(x, y)
    mlflow.sklearn.autolog(disable=True)
    info = mlflow.sklearn.log_model(model, name="explicit", serialization_format="cloudpickle")
    print("LOGGED", info.model_id, flush=True)
    exp = run.info.experiment_id

# Beyond the job's run: each refused by the run's token.
import os
root = os.environ["MLFLOW_TRACKING_URI"] + "/api/2.0/mlflow/"
auth = {"Authorization": "Bearer " + os.environ["MLFLOW_TRACKING_TOKEN"]}
def check(name, method, path, body=None):
    r = requests.request(method, root + path, headers=auth, json=body, timeout=30)
    print("CHECK", name, r.status_code, r.json().get("error_code", "-"), flush=True)
check("model-without-run", "POST", "logged-models", {"experiment_id": exp, "name": "m"})
check("model-of-other-run", "POST", "logged-models",
      {"experiment_id": exp, "name": "m", "source_run_id": os.environ["OTHER_RUN"]})
check("model-in-other-experiment", "POST", "logged-models",
      {"experiment_id": "0", "name": "m", "source_run_id": run.info.run_id})
check("search-models", "POST", "logged-models/search", {"experiment_ids": [exp]})
check("other-model", "GET", "logged-models/" + os.environ["OTHER_MODEL"])
"""


@pytest.mark.timeout(500)
def test_a_training_job_script_autologs_and_logs_a_model_to_its_own_run_only(shared_atelier, monkeypatch):
    """`mlflow.sklearn.autolog()` and `log_model` inside a training job, with the run-scoped token
    the job's container gets: the params, metrics and both models land in the job's run (files in
    the object store, loadable with the real client), and a model for another run or experiment,
    another run's model and the model search are refused with PERMISSION_DENIED."""
    import mlflow
    import mlflow.sklearn
    import numpy as np
    from mlflow import MlflowClient
    from test_jobs import DATASCIENCE, Api, docker_ready, training, unique

    docker_ready()
    server = shared_atelier.server
    api = Api(server.url, server.token)
    name = unique("mlflow-autolog")
    monkeypatch.setenv("MLFLOW_TRACKING_TOKEN", server.token)
    uri = server.url.rstrip("/") + "/atelier/mlflow"
    client = MlflowClient(tracking_uri=uri)
    other = client.create_run("0")
    other_model = client.create_logged_model("0", name="other", source_run_id=other.info.run_id)

    api.put_object(f"s3://atelier/data/{name}/d.csv", b"a\n1\n")
    body = training(name, DATASCIENCE, {"train": f"s3://atelier/data/{name}/d.csv"},
                    ScriptMode={"EntryPoint": "train.py", "Files": {"train.py": AUTOLOG_SCRIPT}},
                    Environment={"OTHER_RUN": other.info.run_id, "OTHER_MODEL": other_model.model_id},
                    ExperimentConfig={"ExperimentName": name})
    body["StoppingCondition"] = {"MaxRuntimeInSeconds": 400}
    r = api.create(body)
    assert r.status_code == 201, r.text
    d = api.wait(name, timeout=420)
    log = api.log(name)
    assert d["TrainingJobStatus"] == "Completed", (d.get("FailureReason"), log[-3000:])
    checks = {p[1]: (int(p[2]), p[3]) for p in (line.split() for line in log.splitlines())
              if len(p) == 4 and p[0] == "CHECK"}
    assert checks == {c: (403, "PERMISSION_DENIED") for c in (
        "model-without-run", "model-of-other-run", "model-in-other-experiment", "search-models",
        "other-model")}, log[-3000:]
    explicit = next(line.split()[1] for line in log.splitlines() if line.startswith("LOGGED "))

    run_id = d["RunId"]
    run = client.get_run(run_id)
    assert run.data.params["max_iter"] == "150"
    assert "training_accuracy_score" in run.data.metrics

    models = list(client.search_logged_models(experiment_ids=[run.info.experiment_id]))
    assert sorted((m.name, m.source_run_id, m.status.name) for m in models) == [
        ("explicit", run_id, "READY"), ("model", run_id, "READY")]
    assert explicit in [m.model_id for m in models]
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 4))
    mlflow.set_tracking_uri(uri)
    for m in models:
        loaded = mlflow.sklearn.load_model(f"models:/{m.model_id}")
        assert set(loaded.predict(x)) <= {0, 1}
        stored = api.get_object(
            f"s3://atelier/experiments/{run.info.experiment_id}/models/{m.model_id}/artifacts/MLmodel")
        assert b"sklearn" in stored
    # The other run and its model are untouched.
    assert client.get_logged_model(other_model.model_id).status.name == "PENDING"
    assert client.get_run(other.info.run_id).data.metrics == {}
