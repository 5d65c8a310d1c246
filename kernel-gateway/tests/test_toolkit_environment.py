"""The toolkit's SM_* variables against the table of cases the server is checked against too."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from atelier.toolkit.environment import TrainingEnvironment

CASES = json.loads((Path(__file__).with_name("sm_environment_cases.json")).read_text(encoding="utf-8"))["cases"]


def _layout(base: Path, case: dict) -> None:
    """/opt/ml under ``base`` as the server writes it for the case's job."""
    config = base / "input" / "config"
    config.mkdir(parents=True)
    (config / "hyperparameters.json").write_text(json.dumps(case["hyperparameters"]), encoding="utf-8")
    (config / "inputdataconfig.json").write_text(json.dumps(case["channels"]), encoding="utf-8")
    group = {"instance_group_name": "homogeneousCluster", "instance_type": case["instance_type"], "hosts": ["algo-1"]}
    (config / "resourceconfig.json").write_text(json.dumps({
        "current_host": "algo-1", "current_instance_type": case["instance_type"],
        "current_group_name": "homogeneousCluster", "hosts": ["algo-1"], "instance_groups": [group],
        "network_interface_name": "eth0"}), encoding="utf-8")
    for name in case["channels"]:
        (base / "input" / "data" / name).mkdir(parents=True)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_the_toolkit_sets_the_training_toolkits_exact_values(tmp_path, case):
    base = tmp_path / "ml"
    _layout(base, case)
    env = TrainingEnvironment({"SM_BASE_DIR": str(base), "TRAINING_JOB_NAME": case["job_name"],
                               "SM_NUM_CPUS": str(case["num_cpus"]), "SM_NUM_GPUS": str(case["num_gpus"])})
    # Paths under the test's base read as /opt/ml, where the job would have them.
    got = {k: v.replace(str(base), "/opt/ml") for k, v in env.sm_environment().items()}
    for name, value in case["expected"].items():
        assert got.get(name) == value, name
    for name in case["absent"]:
        assert name not in got
    training = json.loads(got["SM_TRAINING_ENV"])
    for name, value in case["training_env"].items():
        assert training.get(name) == value, name


def test_the_servers_values_are_kept(tmp_path):
    case = CASES[0]
    base = tmp_path / "ml"
    _layout(base, case)
    env = TrainingEnvironment({"SM_BASE_DIR": str(base), "SM_CHANNEL_TRAIN": "/elsewhere"})
    assert env.channel_dir("train") == Path("/elsewhere")
    assert env.sm_environment()["SM_CHANNEL_TRAIN"] == "/elsewhere"
