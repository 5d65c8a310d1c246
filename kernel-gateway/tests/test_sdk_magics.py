"""The %atelier_* magics in a real IPython shell, against a fake Atelier API."""

from __future__ import annotations

import re

import pytest

IPython = pytest.importorskip("IPython")
from IPython.core.error import UsageError  # noqa: E402
from IPython.core.interactiveshell import InteractiveShell  # noqa: E402

from atelier import TrainingJob  # noqa: E402

from sdk_fake import Reply, describe, env, error, fake  # noqa: E402,F401 - fixtures

CELL = "import sys\nprint('validation:accuracy=0.93;')\n"


@pytest.fixture
def shell(env):
    ip = InteractiveShell.instance()
    ip.run_line_magic("load_ext", "atelier")
    ip.user_ns.pop("_atelier_job", None)
    return ip


def test_train_magic_builds_a_script_mode_job_and_waits(shell, env, capsys, monkeypatch):
    monkeypatch.setenv("ATELIER_DEFAULT_INSTANCE_TYPE", "ml.c5.xlarge")
    name = "magic-1"
    env.route("GET", f"training-jobs/{name}", describe(name, "InProgress", "Training"),
              describe(name, "Completed", ModelArtifacts={"S3ModelArtifacts": f"s3://bucket1/output/{name}/output/model.tar.gz"}))
    env.route("GET", f"training-jobs/{name}/logs",
              Reply(200, {"events": [{"timestamp": 0, "message": "validation:accuracy=0.93;"}], "nextForwardToken": "1"}),
              Reply(200, {"events": [], "nextForwardToken": "1"}))
    line = ("--hp n_estimators=100 target=species --hp note='a b=c' --input s3://b/iris/train/ test=s3://b/iris/test/ "
            "--metric 'validation:accuracy=validation:accuracy=([0-9.]+);' --requirements pandas,scikit-learn "
            f"--max-run 600 --output s3://models/ --name {name}")
    shell.run_cell_magic("atelier_train", line, CELL)
    (call,) = env.calls("POST", "training-jobs")
    body = call.json()
    assert body == {
        "TrainingJobName": name,
        "AlgorithmSpecification": {
            "TrainingImage": "atelier/datascience:latest",
            "TrainingInputMode": "File",
            "MetricDefinitions": [{"Name": "validation:accuracy", "Regex": "validation:accuracy=([0-9.]+);"}],
        },
        "HyperParameters": {"n_estimators": "100", "target": "species", "note": "a b=c"},
        "InputDataConfig": [
            {"ChannelName": "train", "InputMode": "File", "DataSource": {"S3DataSource": {
                "S3Uri": "s3://b/iris/train/", "S3DataType": "S3Prefix", "S3DataDistributionType": "FullyReplicated"}}},
            {"ChannelName": "test", "InputMode": "File", "DataSource": {"S3DataSource": {
                "S3Uri": "s3://b/iris/test/", "S3DataType": "S3Prefix", "S3DataDistributionType": "FullyReplicated"}}},
        ],
        "OutputDataConfig": {"S3OutputPath": "s3://models/"},
        "ResourceConfig": {"InstanceType": "ml.c5.xlarge", "InstanceCount": 1},
        "StoppingCondition": {"MaxRuntimeInSeconds": 600},
        "ScriptMode": {"EntryPoint": "train.py", "Files": {"train.py": CELL, "requirements.txt": "pandas\nscikit-learn\n"}},
    }
    job = shell.user_ns["_atelier_job"]
    assert isinstance(job, TrainingJob) and job.name == name
    out = capsys.readouterr().out
    assert "validation:accuracy=0.93;" in out
    assert out.rstrip().endswith(f"Model: s3://bucket1/output/{name}/output/model.tar.gz")


def test_train_magic_defaults_and_no_wait(shell, env, capsys):
    shell.run_cell_magic("atelier_train", "--no-wait --image atelier/sklearn:latest", CELL)
    body = env.calls("POST", "training-jobs")[0].json()
    assert re.fullmatch(r"train-\d{4}(-\d{2}){5}-\d{3}", body["TrainingJobName"])
    assert body["ResourceConfig"]["InstanceType"] == "ml.m5.large"
    assert body["AlgorithmSpecification"]["TrainingImage"] == "atelier/sklearn:latest"
    assert body["ScriptMode"] == {"EntryPoint": "train.py", "Files": {"train.py": CELL}}
    assert body["InputDataConfig"] == [] and body["HyperParameters"] == {}
    assert shell.user_ns["_atelier_job"].name == body["TrainingJobName"]
    assert env.calls("GET", f"training-jobs/{body['TrainingJobName']}") == []
    assert f"Started training job {body['TrainingJobName']}" in capsys.readouterr().out


@pytest.mark.parametrize("line, words", [
    ("--hp n_estimators", "--hp expects name=value, got 'n_estimators'"),
    ("--max-run soon", "argument --max-run: invalid int value: 'soon'"),
    ("--bogus 1", "unrecognized arguments: --bogus 1"),
    ("--hp 'unclosed", "No closing quotation"),
    ("--name bad_name", "job name 'bad_name' is not valid"),
    ("--input a=b=c", "neither an s3:// URI nor a local"),
])
def test_train_magic_usage_errors(shell, env, line, words):
    with pytest.raises((UsageError, FileNotFoundError)) as info:
        shell.run_cell_magic("atelier_train", line, CELL)
    assert words in str(info.value)
    assert env.calls("POST", "training-jobs") == []


def test_train_magic_help_and_empty_cell(shell, env, capsys):
    shell.run_cell_magic("atelier_train", "--help", CELL)
    assert "--instance-type" in capsys.readouterr().out
    with pytest.raises(UsageError, match="the cell is empty"):
        shell.run_cell_magic("atelier_train", "", "\n")
    assert env.calls("POST", "training-jobs") == []


def test_train_magic_shows_the_server_message(shell, env):
    env.route("POST", "training-jobs", error(400, "HyperParameters.n_estimators: value over 2500 characters"))
    with pytest.raises(Exception, match="HyperParameters.n_estimators: value over 2500 characters"):
        shell.run_cell_magic("atelier_train", "--hp n_estimators=1", CELL)


def test_jobs_logs_and_stop_magics(shell, env, capsys):
    env.route("GET", "jobs", Reply(200, {"Jobs": [
        {"Kind": "training", "Name": "iris-1", "Status": "Completed", "SecondaryStatus": "Completed",
         "InstanceType": "ml.m5.large", "CreationTime": "2025-01-02T03:04:05Z", "DurationSeconds": 83},
        {"Kind": "processing", "Name": "prep-1", "Status": "Failed", "InstanceType": "ml.t3.medium",
         "CreationTime": "2025-01-02T03:00:00Z", "DurationSeconds": 5, "FailureReason": "exit code 2"},
    ]}))
    shell.run_line_magic("atelier_jobs", "--kind training --limit 5")
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["Name", "Kind", "Status", "SecondaryStatus", "InstanceType", "Created", "Duration", "FailureReason"]
    assert out[1].split()[:5] == ["iris-1", "training", "Completed", "Completed", "ml.m5.large"]
    assert "1m 23s" in out[1] and "exit code 2" in out[2]
    assert env.calls("GET", "jobs")[0].query == {"kind": "training"}

    env.route("GET", "training-jobs/prep-1", error(404, "no training job prep-1", "Not Found"))
    env.route("GET", "processing-jobs/prep-1", Reply(200, {"ProcessingJobName": "prep-1", "ProcessingJobStatus": "InProgress"}))
    env.route("POST", "processing-jobs/prep-1/stop", Reply(200, None))
    shell.run_line_magic("atelier_stop", "prep-1")
    assert "Stopping processing job prep-1." in capsys.readouterr().out
    assert len(env.calls("POST", "processing-jobs/prep-1/stop")) == 1

    env.route("GET", "training-jobs/iris-1", describe("iris-1", "Completed"))
    env.route("GET", "training-jobs/iris-1/logs",
              Reply(200, {"events": [{"timestamp": 0, "message": "a"}, {"timestamp": 1, "message": "b"}], "nextForwardToken": "2"}),
              Reply(200, {"events": [], "nextForwardToken": "2"}))
    shell.run_line_magic("atelier_logs", "iris-1")
    assert capsys.readouterr().out == "a\nb\n"

    env.route("GET", "training-jobs/ghost", error(404, "no training job ghost", "Not Found"))
    env.route("GET", "processing-jobs/ghost", error(404, "no processing job ghost", "Not Found"))
    with pytest.raises(Exception, match="no training or processing job is called ghost"):
        shell.run_line_magic("atelier_stop", "ghost")
    with pytest.raises(UsageError, match="the following arguments are required: name"):
        shell.run_line_magic("atelier_logs", "")
