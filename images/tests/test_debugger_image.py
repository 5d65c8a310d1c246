"""The debugger in atelier/deeplearning: real Keras and XGBoost training jobs, their scripts unchanged,
with a debughookconfig.json mounted; the tensors read back with trial(); a vanishing-gradient model
whose VanishingGradient rule, run by the rule runner in a container, reports IssuesFound.

Needs a Docker engine and the image (`bash images/build.sh`); fails, saying so, without them.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

IMAGE = os.environ.get("ATELIER_DEEPLEARNING_IMAGE", "atelier/deeplearning:latest")
DOCKER = shutil.which("docker")

KERAS_SCRIPT = """
import numpy as np, keras
keras.utils.set_random_seed(0)
rng = np.random.default_rng(0)
x = rng.random((128, 4)).astype("float32"); y = (x.sum(1) > 2).astype("float32")
model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu", name="hidden"),
                          keras.layers.Dense(1, activation="sigmoid", name="out")])
model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
model.fit(x, y, epochs=2, batch_size=32, validation_split=0.25, verbose=2)
"""

VANISHING_SCRIPT = """
import numpy as np, keras
init = keras.initializers.RandomNormal(stddev=0.01)
layers = [keras.Input((8,))] + [keras.layers.Dense(8, activation="sigmoid", kernel_initializer=init, name=f"d{i}")
                                for i in range(12)] + [keras.layers.Dense(1, name="out")]
model = keras.Sequential(layers)
model.compile(optimizer="sgd", loss="mse")
x = np.random.default_rng(0).random((64, 8)).astype("float32")
model.fit(x, x.sum(1, keepdims=True), epochs=1, batch_size=16, shuffle=False, verbose=2)
"""

XGBOOST_SCRIPT = """
import numpy as np, xgboost as xgb
rng = np.random.default_rng(0); X = rng.random((300, 5)); y = (X[:, 0] + X[:, 1] > 1).astype(int)
xgb.XGBClassifier(n_estimators=4, max_depth=3).fit(X, y, eval_set=[(X, y)], verbose=False)
"""


def docker(*args, timeout=600):
    return subprocess.run([DOCKER, *args], capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)


@pytest.fixture(scope="module", autouse=True)
def image_present():
    if DOCKER is None:
        pytest.fail("these tests need Docker: the docker command is not installed (install docker.io)", pytrace=False)
    if docker("info", timeout=60).returncode != 0:
        pytest.fail("these tests need a Docker engine, and none answers (start dockerd)", pytrace=False)
    if docker("image", "inspect", IMAGE, timeout=60).returncode != 0:
        pytest.fail(f"the image {IMAGE} is missing: build it with `bash images/build.sh`", pytrace=False)


def train(base: Path, script: str, hook_config: dict, *extra: str) -> subprocess.CompletedProcess:
    """A script-mode job as the server runs it, with the DebugHookConfig file and the tensors folder."""
    for folder in ("input/config", "code", "model", "output/data", "output/tensors"):
        (base / folder).mkdir(parents=True, exist_ok=True)
    (base / "input/config/hyperparameters.json").write_text(json.dumps({"sagemaker_program": "train.py"}))
    (base / "input/config/debughookconfig.json").write_text(json.dumps(hook_config))
    (base / "code/train.py").write_text(script)
    return docker("run", "--rm", "--user", f"{os.getuid()}:{os.getgid()}", "-e", "HOME=/tmp", "-v", f"{base}:/opt/ml",
                  "-e", "TRAINING_JOB_NAME=debugger-test", "--memory", "2g", *extra, IMAGE, "train")


def test_keras_job_saves_tensors_with_the_script_unchanged(tmp_path):
    result = train(tmp_path, KERAS_SCRIPT, {
        "LocalPath": "/opt/ml/output/tensors", "HookParameters": {"save_interval": "1"},
        "CollectionConfigurations": [{"CollectionName": "losses"}, {"CollectionName": "weights"},
                                     {"CollectionName": "gradients", "CollectionParameters": {"reductions": "abs_mean,norm"}},
                                     {"CollectionName": "relu_output", "CollectionParameters": {"include_regex": ".*relu_output"}}]})
    assert result.returncode == 0, result.stdout + result.stderr
    from atelier.debugger import trial

    t = trial(str(tmp_path / "output/tensors"))
    assert t.loaded_all_steps
    assert t.steps("TRAIN") == list(range(6))  # 96 training rows / 32, two epochs
    assert t.steps("EVAL")
    names = t.tensor_names()
    assert {"losses/loss", "weights/hidden/kernel", "gradients/hidden/kernel", "hidden/relu_output"} <= set(names)
    assert t.tensor("weights/hidden/kernel").value(0).shape == (4, 8)
    norm = t.tensor("gradients/hidden/kernel").reduction_value(0, "norm")
    assert norm > 0
    assert 0 < t.tensor("losses/loss").value(0, mode="TRAIN") < 5

    # A healthy job: the rules that watch these tensors find nothing (one container runs them all).
    rules = ["VanishingGradient", "ExplodingTensor", "DeadRelu", "LossNotDecreasing"]
    loop = " ".join(
        "ATELIER_RULE_CONFIG=" + shlex.quote(json.dumps({"RuleConfigurationName": r, "RuleParameters": {"rule_to_invoke": r},
                                                         "TensorsPath": "/opt/ml/processing/input/tensors", "Kind": "debugger"}))
        + " python -m atelier.debugger.rule_runner | tail -n 1;" for r in rules)
    run = docker("run", "--rm", "--user", f"{os.getuid()}:{os.getgid()}", "-e", "HOME=/tmp",
                 "-v", f"{tmp_path / 'output/tensors'}:/opt/ml/processing/input/tensors:ro",
                 "--entrypoint", "sh", IMAGE, "-c", loop)
    finals = [json.loads(l.split(" ", 1)[1]) for l in run.stdout.splitlines() if l.startswith("ATELIER_RULE_STATUS ")]
    assert [f["status"] for f in finals] == ["NoIssuesFound"] * len(rules), run.stdout + run.stderr


def test_xgboost_job_saves_tree_depth_and_feature_importance(tmp_path):
    result = train(tmp_path, XGBOOST_SCRIPT, {"LocalPath": "/opt/ml/output/tensors", "HookParameters": {"save_interval": "1"}})
    assert result.returncode == 0, result.stdout + result.stderr
    from atelier.debugger import trial

    t = trial(str(tmp_path / "output/tensors"))
    assert t.steps() == [0, 1, 2, 3]
    depths = t.tensor("trees/depth").values()
    assert set(depths) == {0, 1, 2, 3} and all(1 <= float(d) <= 3 for d in depths.values())
    assert t.tensor_names(collection="feature_importance")
    assert float(t.tensor("feature_importance/gain/f0").value(3)) > 0
    assert "metrics/validation_0-logloss" in t.tensor_names()


def test_vanishing_gradient_rule_in_a_container_reports_issues_found(tmp_path):
    result = train(tmp_path, VANISHING_SCRIPT, {
        "LocalPath": "/opt/ml/output/tensors", "HookParameters": {"save_interval": "1"},
        "CollectionConfigurations": [{"CollectionName": "gradients"}]})
    assert result.returncode == 0, result.stdout + result.stderr
    rule_config = {"RuleConfigurationName": "VanishingGradient", "RuleParameters": {"rule_to_invoke": "VanishingGradient"},
                   "TensorsPath": "/opt/ml/processing/input/tensors", "TrainingJobName": "debugger-test", "Kind": "debugger"}
    run = docker("run", "--rm", "--user", f"{os.getuid()}:{os.getgid()}", "-e", "HOME=/tmp",
                 "-v", f"{tmp_path / 'output/tensors'}:/opt/ml/processing/input/tensors:ro",
                 "-e", "ATELIER_RULE_CONFIG=" + json.dumps(rule_config),
                 "--entrypoint", "python", IMAGE, "-m", "atelier.debugger.rule_runner")
    assert run.returncode == 0, run.stdout + run.stderr
    lines = [json.loads(l.split(" ", 1)[1]) for l in run.stdout.splitlines() if l.startswith("ATELIER_RULE_STATUS ")]
    assert lines[0]["status"] == "InProgress"
    assert lines[-1]["status"] == "IssuesFound" and lines[-1]["step"] == 0
    assert lines[-1]["tensor"].startswith("gradients/")


def test_a_full_disk_fails_the_job_loudly(tmp_path):
    script = KERAS_SCRIPT.replace("Dense(8,", "Dense(4096,")
    # The tensors folder on a 64 KiB tmpfs: the first step's weights (64 KiB of kernel) do not fit.
    result = train(tmp_path, script, {"LocalPath": "/opt/ml/output/tensors", "HookParameters": {"save_interval": "1"},
                                      "CollectionConfigurations": [{"CollectionName": "weights"}]},
                   "--mount", "type=tmpfs,destination=/opt/ml/output/tensors,tmpfs-size=65536,tmpfs-mode=1777")
    assert result.returncode != 0, result.stdout + result.stderr
    assert "atelier.debugger: ERROR: could not save the tensors of step 0" in result.stderr
    assert "No space left on device" in (tmp_path / "output" / "failure").read_text()
