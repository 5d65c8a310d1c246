"""What a script-mode training script sees inside its container is what SageMaker's training toolkit
(``sagemaker_training.environment.Environment.to_env_vars``) gives it: a real server, its embedded
S3 server and a real container of ``atelier/datascience``. The script writes its ``SM_*``
environment, its arguments and the configuration files it was given into the model directory, and
the test reads them back from the uploaded ``model.tar.gz``.

The expected values follow the toolkit's rules, the same ones
``kernel-gateway/tests/sm_environment_cases.json`` holds: hyperparameters JSON-decoded and without
the toolkit's own ``sagemaker_*`` ones, names upper-cased with nothing replaced, anything but a
string as compact JSON with sorted keys.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from test_jobs import DATASCIENCE, Api, docker_ready, members, training, unique
from servers import start_atelier

SCRIPT = """\
import json, os, sys
out = os.environ["SM_MODEL_DIR"]
config = "/opt/ml/input/config"
seen = {
    "env": {k: v for k, v in os.environ.items() if k.startswith("SM_")},
    "argv": sys.argv[1:],
    "cwd": os.getcwd(),
    "files": {name: json.load(open(os.path.join(config, name)))
              for name in ("hyperparameters.json", "inputdataconfig.json", "resourceconfig.json")},
    "train": sorted(os.listdir(os.environ["SM_CHANNEL_TRAIN"])),
}
json.dump(seen, open(os.path.join(out, "seen.json"), "w"), indent=1)
print("wrote", len(seen["env"]), "SM_ variables", flush=True)
"""


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    docker_ready()
    tmp = tmp_path_factory.mktemp("training-env")
    root = tmp / "nb"
    root.mkdir()
    server = start_atelier(tmp / "a", root)
    a = Api(server.url, server.token)
    a.root = root
    yield a
    server.proc.stop()


@pytest.mark.timeout(300)
def test_a_script_sees_the_sm_environment_of_sagemakers_training_toolkit(api):
    name = unique("smenv")
    proj = Path(api.root) / "projects" / name
    proj.mkdir(parents=True)
    (proj / "train.py").write_text(SCRIPT)
    api.put_object(f"s3://atelier/data/{name}/d.csv", b"a\n1\n")
    body = training(name, DATASCIENCE, {"train": f"s3://atelier/data/{name}/"},
                    HyperParameters={"epochs": "4", "learning-rate": "0.25"},
                    ScriptMode={"EntryPoint": "train.py", "SourceDir": f"projects/{name}"})
    r = api.create(body)
    assert r.status_code == 201, r.text
    d = api.wait(name)
    assert d["TrainingJobStatus"] == "Completed", (d.get("FailureReason"), api.log(name)[-3000:])
    source = d["HyperParameters"]["sagemaker_submit_directory"]
    seen = json.loads(members(api.get_object(d["ModelArtifacts"]["S3ModelArtifacts"]))["seen.json"])
    env = seen["env"]

    # The script's own view of the job: the staged channel and the configuration files.
    assert seen["train"] == ["d.csv"]
    assert set(seen["files"]["inputdataconfig.json"]) == {"train"}
    assert seen["files"]["resourceconfig.json"]["current_host"] == "algo-1"
    assert seen["files"]["resourceconfig.json"]["hosts"] == ["algo-1"]

    expected = {
        # Decoded values, without sagemaker_program and sagemaker_submit_directory.
        "SM_HPS": '{"epochs":4,"learning-rate":0.25}',
        "SM_HP_EPOCHS": "4",
        "SM_HP_LEARNING-RATE": "0.25",
        "SM_USER_ARGS": '["--epochs","4","--learning-rate","0.25"]',
        "SM_FRAMEWORK_PARAMS": "{}",
        "SM_CHANNELS": '["train"]',
        "SM_CHANNEL_TRAIN": "/opt/ml/input/data/train",
        "SM_USER_ENTRY_POINT": "train.py",
        "SM_MODULE_NAME": "train",
        "SM_MODULE_DIR": source,
        "SM_LOG_LEVEL": "20",
        "SM_HOSTS": '["algo-1"]',
        "SM_CURRENT_HOST": "algo-1",
        "SM_CURRENT_INSTANCE_TYPE": "ml.m5.large",
        "SM_CURRENT_INSTANCE_GROUP": "homogeneousCluster",
        "SM_CURRENT_INSTANCE_GROUP_HOSTS": '["algo-1"]',
        "SM_INSTANCE_GROUPS": '["homogeneousCluster"]',
        "SM_IS_HETERO": "false",
        "SM_NETWORK_INTERFACE_NAME": "eth0",
        "SM_NUM_CPUS": "2",
        "SM_NUM_GPUS": "0",
        "SM_MODEL_DIR": "/opt/ml/model",
        "SM_INPUT_DIR": "/opt/ml/input",
        "SM_INPUT_CONFIG_DIR": "/opt/ml/input/config",
        "SM_OUTPUT_DIR": "/opt/ml/output",
        "SM_OUTPUT_DATA_DIR": "/opt/ml/output/data",
        "SM_OUTPUT_INTERMEDIATE_DIR": "/opt/ml/output/intermediate",
    }
    wrong = {k: (env.get(k), v) for k, v in expected.items() if env.get(k) != v}
    assert not wrong, f"(seen, toolkit's) per variable: {json.dumps(wrong, indent=1)}"
    for absent in ("SM_HP_SAGEMAKER_PROGRAM", "SM_HP_SAGEMAKER_SUBMIT_DIRECTORY", "SM_HP_LEARNING_RATE"):
        assert absent not in env, f"{absent}={env[absent]!r} is set; the toolkit keeps it for itself"

    # The toolkit passes the decoded hyperparameters to the entry point as --name value arguments.
    assert seen["argv"] == ["--epochs", "4", "--learning-rate", "0.25"]

    # The structured variables decode to the toolkit's shapes.
    assert json.loads(env["SM_INPUT_DATA_CONFIG"]) == seen["files"]["inputdataconfig.json"]
    assert json.loads(env["SM_INSTANCE_GROUPS_DICT"]) == {"homogeneousCluster": {
        "hosts": ["algo-1"], "instance_group_name": "homogeneousCluster", "instance_type": "ml.m5.large"}}
    training_env = json.loads(env["SM_TRAINING_ENV"])
    want = {
        "job_name": name,
        "hyperparameters": {"epochs": 4, "learning-rate": 0.25},
        "additional_framework_parameters": {},
        "channel_input_dirs": {"train": "/opt/ml/input/data/train"},
        "user_entry_point": "train.py",
        "module_name": "train",
        "module_dir": source,
        "log_level": 20,
        "hosts": ["algo-1"],
        "current_host": "algo-1",
        "current_instance_type": "ml.m5.large",
        "num_cpus": 2,
        "num_gpus": 0,
        "model_dir": "/opt/ml/model",
        "output_data_dir": "/opt/ml/output/data",
        "input_data_config": seen["files"]["inputdataconfig.json"],
    }
    wrong = {k: (training_env.get(k), v) for k, v in want.items() if training_env.get(k) != v}
    assert not wrong, f"SM_TRAINING_ENV (seen, toolkit's): {json.dumps(wrong, indent=1)}"
