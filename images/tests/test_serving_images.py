"""Models served by the built images, as the server runs an endpoint's container: `docker run IMAGE
serve` on the host's network, the model unpacked into a folder mounted read-only at /opt/ml/model
(see images/README.md, "Serving").

Needs a Docker engine and the images (`bash images/build.sh`); fails, saying so, without them.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import textwrap
import time
import uuid
from pathlib import Path

import pytest

from test_training_images import (  # noqa: F401  (images_present: the same check, autouse here too)
    SCRIPT_IMAGE, SKLEARN_IMAGE, docker, images_present, iris_like_csv, layout, run_args)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Container:
    """`docker run -d IMAGE serve` with the model folder mounted, answering on 127.0.0.1:port."""

    def __init__(self, image: str, model_dir: Path, **env: str):
        self.name = f"atelier-serve-test-{uuid.uuid4().hex[:8]}"
        self.port = free_port()
        args = ["run", "-d", "--name", self.name, "--network", "host", "--user", f"{os.getuid()}:{os.getgid()}",
                "-e", "HOME=/tmp", "-e", "BIND_ADDRESS=127.0.0.1", "-e", f"PORT={self.port}",
                "-e", "SAGEMAKER_MODEL_SERVER_WORKERS=2", "-v", f"{model_dir}:/opt/ml/model:ro", "--memory", "1g"]
        for key, value in env.items():
            args += ["-e", f"{key}={value}"]
        docker(*args, image, "serve", check=True)

    def logs(self) -> str:
        result = docker("logs", self.name)
        return result.stdout + result.stderr

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, response.getheader("Content-Type"), response.read()
        finally:
            connection.close()

    def wait_ping(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if self.request("GET", "/ping")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.5)
        raise AssertionError(f"/ping did not answer 200 within {timeout}s:\n{self.logs()}")

    def remove(self) -> None:
        docker("rm", "-f", self.name)


@pytest.fixture(scope="module")
def sklearn_model(tmp_path_factory) -> Path:
    """A model the sklearn image trained, as the server unpacks it from model.tar.gz."""
    hps = {"algorithm": "random_forest_classifier", "n_estimators": "20", "target": "species"}
    base = layout(tmp_path_factory.mktemp("train") / "ml", hps, channels={"train": {"iris.csv": iris_like_csv()}})
    result = docker(*run_args(base, SKLEARN_IMAGE))
    assert result.returncode == 0, result.stdout + result.stderr
    return base / "model"


def test_sklearn_image_serves_its_model(sklearn_model):
    container = Container(SKLEARN_IMAGE, sklearn_model)
    try:
        container.wait_ping()
        rows = b"0.1,0.1,0.3\n4.2,3.2,0.3\n"
        status, content_type, body = container.request("POST", "/invocations", rows,
                                                       {"Content-Type": "text/csv", "Accept": "text/csv"})
        assert (status, content_type) == (200, "text/csv"), body
        assert body.decode().splitlines() == ["setosa", "virginica"]
        request = json.dumps({"instances": [[0.1, 0.1, 0.3]]}).encode()
        status, content_type, body = container.request("POST", "/invocations", request,
                                                       {"Content-Type": "application/json"})
        assert status == 200 and json.loads(body) == {"predictions": ["setosa"]}
        status, _, body = container.request("POST", "/invocations", b"1,2\n", {"Content-Type": "text/csv"})
        assert status == 400 and b"the model takes 3 features" in body
        # docker stop: SIGTERM through tini reaches gunicorn, which stops at once when idle.
        started = time.monotonic()
        docker("stop", "-t", "30", container.name, check=True)
        assert time.monotonic() - started < 20
        state = json.loads(docker("inspect", container.name, "--format", "{{json .State}}", check=True).stdout)
        assert state["ExitCode"] == 0, container.logs()
    finally:
        container.remove()


def test_script_mode_in_the_data_science_image(sklearn_model, tmp_path):
    model = tmp_path / "model"
    (model / "code").mkdir(parents=True)
    (model / "model.joblib").write_bytes((sklearn_model / "model.joblib").read_bytes())
    (model / "code" / "inference.py").write_text(textwrap.dedent("""
        import json
        def input_fn(body, content_type):
            return json.loads(body)["rows"]
        def output_fn(prediction, accept):
            return json.dumps({"species": list(prediction)}), "application/json"
    """))
    container = Container(SCRIPT_IMAGE, model, SAGEMAKER_PROGRAM="inference.py")
    try:
        container.wait_ping()
        status, content_type, body = container.request(
            "POST", "/invocations", json.dumps({"rows": [[4.2, 3.2, 0.3]]}).encode(),
            {"Content-Type": "application/json"})
        assert (status, content_type) == (200, "application/json"), body
        assert json.loads(body) == {"species": ["virginica"]}
        assert "script mode" in container.logs()
    finally:
        container.remove()
