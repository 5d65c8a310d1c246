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
