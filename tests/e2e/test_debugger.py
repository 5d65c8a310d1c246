"""The debugger end to end: the real server, its embedded S3 server, real Docker containers of
atelier/deeplearning (Keras 3 on JAX) training with the scripts unchanged, the real rule runner in
the built-in rule image, and the tensors read back from S3 with ``atelier.debugger.trial()``."""
from __future__ import annotations

import subprocess
import time

import pytest

from test_jobs import TERMINAL, Api, training, unique  # noqa: F401 - shared helpers

DEEPLEARNING = "atelier/deeplearning:latest"
RULE_IMAGE = "atelier/datascience:latest"  # the built-in rules' image

# A deep stack of sigmoids with tiny weights: the first layers' gradients vanish. Long enough
# (many epochs) that the rule fires while it trains; StopTraining ends it early.
VANISHING = """
import numpy as np, keras
init = keras.initializers.RandomNormal(stddev=0.01)
layers = [keras.Input((8,))] + [keras.layers.Dense(8, activation="sigmoid", kernel_initializer=init, name=f"d{i}")
                                for i in range(12)] + [keras.layers.Dense(1, name="out")]
model = keras.Sequential(layers)
model.compile(optimizer="sgd", loss="mse")
x = np.random.default_rng(0).random((64, 8)).astype("float32")
model.fit(x, x.sum(1, keepdims=True), epochs=3000, batch_size=16, shuffle=False, verbose=0)
"""

HEALTHY = """
import numpy as np, keras
keras.utils.set_random_seed(0)
rng = np.random.default_rng(0)
x = rng.random((128, 4)).astype("float32"); y = (x.sum(1) > 2).astype("float32")
model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu", name="hidden"),
                          keras.layers.Dense(1, activation="sigmoid", name="out")])
model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
model.fit(x, y, epochs=2, batch_size=32, validation_split=0.25, verbose=2)
"""


@pytest.fixture(scope="module")
def api(shared_atelier):
    for image in (DEEPLEARNING, RULE_IMAGE):
        r = subprocess.run(["docker", "image", "inspect", image], capture_output=True, text=True)
        if r.returncode != 0:
            pytest.fail(f"these tests need Docker and {image}: run `bash images/build.sh` "
                        f"(docker said: {(r.stderr or r.stdout).strip()[:300]})")
    server = shared_atelier.server
    return Api(server.url, server.token)


def rule(name: str, **params: str) -> dict:
    return {"RuleConfigurationName": name, "RuleEvaluatorImage": RULE_IMAGE,
            "RuleParameters": {"rule_to_invoke": name, **params}}


def statuses(d: dict) -> dict[str, dict]:
    return {s["RuleConfigurationName"]: s for s in d.get("DebugRuleEvaluationStatuses", [])}


def wait_rules_done(api: Api, name: str) -> dict:
    """The job's description once no rule is InProgress or Stopping any more."""
    d = {}
    end = time.monotonic() + 240
    while time.monotonic() < end:
        d = api.describe(name)
        if d["TrainingJobStatus"] in TERMINAL and all(
                s["RuleEvaluationStatus"] not in ("InProgress", "Stopping") for s in statuses(d).values()):
            return d
        time.sleep(1)
    raise AssertionError(f"the rules of {name} did not finish: {statuses(d)}\n{api.log(name)[-2000:]}")


def session(api: Api):
    from atelier.api import Session
    return Session(api_url=api.url.rstrip("/") + "/atelier/api/", token=api.token)


@pytest.mark.timeout(600)
def test_vanishing_gradients_are_found_and_stop_the_keras_job_naming_the_rule(api):
    """Through the notebook SDK: an Estimator with a built-in rule and StopTraining, no hook
    config (the server makes the default one: every collection, every 500 steps, step 0 first)."""
    from atelier import Estimator, Rule

    name = unique("vanish")
    est = Estimator(DEEPLEARNING, entry_point="train.py", files={"train.py": VANISHING},
                    output_path="s3://atelier/jobs-out", max_run=600, session=session(api),
                    rules=[Rule.builtin("vanishing_gradient", stop_training=True)])
    job = est.fit(job_name=name, wait=False)
    assert statuses(api.describe(name))["VanishingGradient"]["RuleEvaluationStatus"] == "InProgress"

    d = wait_rules_done(api, name)
    log = api.log(name)
    vg = statuses(d)["VanishingGradient"]
    assert vg["RuleEvaluationStatus"] == "IssuesFound", (vg, log[-3000:])
    assert vg["Step"] == 0 and vg["TensorName"].startswith("gradients/d") and vg["Mode"] == "TRAIN", vg
    assert d["TrainingJobStatus"] == "Stopped", (d.get("FailureReason"), d.get("TrainingJobStatus"), log[-3000:])
    why = (d.get("FailureReason") or "") + " " + (d.get("StatusMessage") or "")
    assert "VanishingGradient" in why, d
    assert [s["RuleEvaluationStatus"] for s in job.rule_statuses()] == ["IssuesFound"]

    # The default hook's tensors are below the job's output path, where the server says they are.
    assert job.tensors_s3_uri.rstrip("/") == f"s3://atelier/jobs-out/{name}/debug-output"
    t = job.debugger_trial()
    assert t.loaded_all_steps and 0 in t.steps("TRAIN")
    grads = t.tensor_names(collection="gradients")
    assert "gradients/d0/kernel" in grads, grads
    assert float(t.tensor("gradients/d0/kernel").reduction_value(0, "mean", abs=True)) < 1e-7
    assert float(t.tensor("gradients/out/kernel").reduction_value(0, "mean", abs=True)) > 1e-7


@pytest.mark.timeout(600)
def test_a_healthy_keras_job_completes_with_no_issues_and_its_tensors_read_back_from_s3(api):
    name = unique("healthy")
    rules = ["VanishingGradient", "ExplodingTensor", "LossNotDecreasing"]
    body = training(name, DEEPLEARNING, ScriptMode={"EntryPoint": "train.py", "Files": {"train.py": HEALTHY}},
                    DebugHookConfig={"S3OutputPath": "s3://atelier/debug", "HookParameters": {"save_interval": "1"}},
                    DebugRuleConfigurations=[rule(n) for n in rules])
    r = api.create(body)
    assert r.status_code == 201, r.text
    d = wait_rules_done(api, name)
    log = api.log(name)
    assert d["TrainingJobStatus"] == "Completed", (d.get("FailureReason"), log[-3000:])
    assert {n: s["RuleEvaluationStatus"] for n, s in statuses(d).items()} == {n: "NoIssuesFound" for n in rules}, \
        (statuses(d), log[-3000:])

    from atelier import TrainingJob

    job = TrainingJob(name, session(api))
    assert job.tensors_s3_uri.rstrip("/") == f"s3://atelier/debug/{name}/debug-output"
    t = job.debugger_trial()
    assert t.loaded_all_steps
    assert t.steps("TRAIN") == list(range(6))  # 96 training rows in batches of 32, two epochs
    assert t.steps("EVAL")
    assert {"losses/loss", "weights/hidden/kernel", "gradients/hidden/kernel"} <= set(t.tensor_names())
    assert t.tensor("weights/hidden/kernel").value(0).shape == (4, 8)
    assert t.tensor("gradients/hidden/kernel").reduction_value(0, "norm") > 0
    assert 0 < t.tensor("losses/loss").value(0, mode="TRAIN") < 5
