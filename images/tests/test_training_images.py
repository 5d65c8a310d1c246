"""Training jobs in the built images, run the way the server runs them: `docker run IMAGE train` with
the job's folders mounted at /opt/ml (see images/README.md, "Training jobs").

Needs a Docker engine and the images (`bash images/build.sh`); fails, saying so, without them.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import pytest

SKLEARN_IMAGE = os.environ.get("ATELIER_SKLEARN_IMAGE", "atelier/sklearn:latest")
SCRIPT_IMAGE = os.environ.get("ATELIER_SCRIPT_IMAGE", "atelier/datascience:latest")
DOCKER = shutil.which("docker")


def docker(*args: str, timeout: float = 180, check: bool = False) -> subprocess.CompletedProcess:
    result = subprocess.run([DOCKER, *args], capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    if check and result.returncode != 0:
        raise AssertionError(f"docker {' '.join(args)} failed ({result.returncode}): {result.stderr}")
    return result


@pytest.fixture(scope="module", autouse=True)
def images_present():
    if DOCKER is None:
        pytest.fail("these tests need Docker: the docker command is not installed (install docker.io)", pytrace=False)
    info = docker("info", "--format", "{{.ServerVersion}}", timeout=60)
    if info.returncode != 0:
        pytest.fail(f"these tests need a Docker engine, and none answers (start dockerd): {info.stderr.strip()}",
                    pytrace=False)
    for image in (SKLEARN_IMAGE, SCRIPT_IMAGE):
        if docker("image", "inspect", image, timeout=60).returncode != 0:
            pytest.fail(f"the image {image} is missing: build it with `bash images/build.sh`", pytrace=False)


def layout(base: Path, hyperparameters: dict[str, str], channels: dict[str, dict[str, str]] | None = None,
           code: dict[str, str] | None = None) -> Path:
    """/opt/ml as the server prepares it before the container starts."""
    (base / "input" / "config").mkdir(parents=True)
    (base / "input" / "config" / "hyperparameters.json").write_text(json.dumps(hyperparameters))
    channels = channels or {}
    (base / "input" / "config" / "inputdataconfig.json").write_text(json.dumps(
        {name: {"ContentType": "text/csv", "TrainingInputMode": "File"} for name in channels}))
    (base / "input" / "config" / "resourceconfig.json").write_text(
        json.dumps({"current_host": "algo-1", "hosts": ["algo-1"]}))
    for name, files in channels.items():
        (base / "input" / "data" / name).mkdir(parents=True)
        for file_name, text in files.items():
            (base / "input" / "data" / name / file_name).write_text(text)
    for folder in ("model", "output/data", "checkpoints"):
        (base / folder).mkdir(parents=True)
    if code:
        (base / "code").mkdir()
        for file_name, text in code.items():
            (base / "code" / file_name).write_text(text)
    return base


def run_args(base: Path, image: str, name: str | None = None) -> list[str]:
    """As the server runs a job: its uid:gid, HOME=/tmp, /opt/ml mounted, the job's variables."""
    args = ["run", "--user", f"{os.getuid()}:{os.getgid()}", "-e", "HOME=/tmp", "-v", f"{base}:/opt/ml",
            "-e", "TRAINING_JOB_NAME=image-test", "-e", "SM_MODEL_DIR=/opt/ml/model",
            "-e", "SM_OUTPUT_DATA_DIR=/opt/ml/output/data", "--memory", "1g"]
    if name:
        args += ["--name", name]
    else:
        args += ["--rm"]
    return args + [image, "train"]


def iris_like_csv(rows: int = 150) -> str:
    """Three classes separated on the first two features, with a header; the label in the last column."""
    lines = ["sepal,petal,width,species"]
    for i in range(rows):
        kind = i % 3
        lines.append(f"{kind * 2 + (i % 7) * 0.1:.2f},{kind * 1.5 + (i % 5) * 0.1:.2f},{(i % 11) * 0.3:.2f},"
                     f"{['setosa', 'versicolor', 'virginica'][kind]}")
    return "\n".join(lines) + "\n"


def test_sklearn_image_declares_its_algorithm():
    config = json.loads(docker("image", "inspect", SKLEARN_IMAGE, "--format", "{{json .Config}}", check=True).stdout)
    assert "ATELIER_BUILTIN_ALGORITHM=sklearn" in config["Env"]
    assert config["Labels"]["dev.atelier.image"] == "sklearn"
    assert config["Cmd"] == ["train"]


def test_sklearn_image_trains_a_model(tmp_path):
    hps = {"algorithm": "gradient_boosting_classifier", "n_estimators": "20", "max_depth": "2", "target": "species"}
    base = layout(tmp_path / "ml", hps, channels={"train": {"iris.csv": iris_like_csv()}})
    result = docker(*run_args(base, SKLEARN_IMAGE))
    assert result.returncode == 0, result.stdout + result.stderr
    # The MetricDefinitions of images/README.md.
    accuracy = re.search(r"validation:accuracy=([0-9\.]+)", result.stdout)
    f1 = re.search(r"validation:f1=([0-9\.]+)", result.stdout)
    assert accuracy and f1, result.stdout
    assert float(accuracy.group(1)) > 0.8
    assert (base / "model" / "model.joblib").stat().st_size > 0
    meta = json.loads((base / "model" / "metadata.json").read_text())
    assert meta["classes"] == ["setosa", "versicolor", "virginica"]
    assert meta["feature_names"] == ["sepal", "petal", "width"]
    assert not (base / "output" / "failure").exists()

    # The model loads and predicts where the same scikit-learn is (here: the test's environment).
    import joblib
    import pandas as pd
    model = joblib.load(base / "model" / "model.joblib")
    sample = pd.DataFrame([[0.1, 0.1, 0.3], [4.2, 3.2, 0.3]], columns=meta["feature_names"])
    assert list(model.predict(sample)) == ["setosa", "virginica"]


def test_sklearn_image_without_training_data_fails_with_a_reason(tmp_path):
    base = layout(tmp_path / "ml", {})
    result = docker(*run_args(base, SKLEARN_IMAGE))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "/opt/ml/input/data/train" in (base / "output" / "failure").read_text()


def test_script_mode_in_the_data_science_image(tmp_path):
    script = (
        "import argparse, os, sklearn\n"
        "p = argparse.ArgumentParser(); p.add_argument('--epochs', type=int); p.add_argument('--name')\n"
        "a = p.parse_args()\n"
        "open(os.path.join(os.environ['SM_MODEL_DIR'], 'model.txt'), 'w').write(f'{a.epochs} {a.name}')\n"
        "print(f'epochs={a.epochs} name={a.name} sklearn={sklearn.__version__}')\n"
    )
    hps = {"sagemaker_program": json.dumps("entry.py"), "sagemaker_submit_directory": json.dumps("s3://b/src.tar.gz"),
           "epochs": json.dumps(3), "name": json.dumps("demo")}
    base = layout(tmp_path / "ml", hps, code={"entry.py": script})
    result = docker(*run_args(base, SCRIPT_IMAGE))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "epochs=3 name=demo" in result.stdout
    assert (base / "model" / "model.txt").read_text() == "3 demo"


def test_docker_stop_reaches_the_script(tmp_path):
    script = (
        "import os, signal, sys, time\n"
        "def stop(signum, frame):\n"
        "    open(os.path.join(os.environ['SM_MODEL_DIR'], 'stopped'), 'w').write('saved')\n"
        "    sys.exit(0)\n"
        "signal.signal(signal.SIGTERM, stop)\n"
        "print('ready', flush=True)\n"
        "time.sleep(120)\n"
    )
    base = layout(tmp_path / "ml", {"sagemaker_program": "entry.py"}, code={"entry.py": script})
    name = f"atelier-image-test-{uuid.uuid4().hex[:8]}"
    args = run_args(base, SCRIPT_IMAGE, name=name)
    args.insert(1, "-d")
    docker(*args, check=True)
    try:
        deadline = time.monotonic() + 60
        while "ready" not in docker("logs", name).stdout:
            assert time.monotonic() < deadline, docker("logs", name).stderr
            time.sleep(0.3)
        docker("stop", "-t", "30", name, check=True)
        state = json.loads(docker("inspect", name, "--format", "{{json .State}}", check=True).stdout)
        assert state["ExitCode"] == 0, docker("logs", name).stderr
        assert (base / "model" / "stopped").read_text() == "saved"
    finally:
        docker("rm", "-f", name)
