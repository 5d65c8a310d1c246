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
def test_a_training_job_logs_to_atelier_with_no_setup(shared_atelier):
    """A job's container reaches the API listener on 127.0.0.1 (it runs on the host's network) with
    the variables the server set, and the run it logs is found through the REST API."""
    from pathlib import Path

    from test_jobs import DATASCIENCE, Api, docker_ready, training, unique

    docker_ready()
    server = shared_atelier.server
    api = Api(server.url, server.token)
    name = unique("mlflow-job")
    proj = Path(shared_atelier.root) / "projects" / name
    proj.mkdir(parents=True)
    (proj / "train.py").write_text(
        "import os\n"
        "import mlflow\n"
        "mlflow.set_experiment(os.environ['TRAINING_JOB_NAME'])\n"
        "with mlflow.start_run(run_name='in-the-job'):\n"
        "    mlflow.log_param('epochs', 3)\n"
        "    for step, loss in enumerate([1.0, 0.5, 0.25]):\n"
        "        mlflow.log_metric('loss', loss, step=step)\n")
    api.put_object(f"s3://atelier/data/{name}/d.csv", b"a\n1\n")
    r = api.create(training(name, DATASCIENCE, {"train": f"s3://atelier/data/{name}/d.csv"},
                            ScriptMode={"EntryPoint": "train.py", "SourceDir": f"projects/{name}"}))
    assert r.status_code == 201, r.text
    d = api.wait(name, timeout=300)
    assert d["TrainingJobStatus"] == "Completed", (d.get("FailureReason"), api.log(name)[-3000:])

    rest = api.rest
    exp = rest.get("/atelier/mlflow/api/2.0/mlflow/experiments/get-by-name", params={"experiment_name": name})
    assert exp.status_code == 200, exp.text
    found = rest.post("/atelier/mlflow/api/2.0/mlflow/runs/search",
                      json={"experiment_ids": [exp.json()["experiment"]["experiment_id"]]})
    assert found.status_code == 200, found.text
    runs = found.json()["runs"]
    assert [r["info"]["run_name"] for r in runs] == ["in-the-job"]
    data = runs[0]["data"]
    assert {p["key"]: p["value"] for p in data["params"]} == {"epochs": "3"}
    assert {m["key"]: m["value"] for m in data["metrics"]} == {"loss": 0.25}
