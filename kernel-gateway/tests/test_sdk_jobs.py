"""Estimator, Processor and the job objects against a fake Atelier API (request shapes per openapi.yaml)."""

from __future__ import annotations

import re
import warnings

import pytest

from atelier import (
    Estimator,
    JobFailed,
    Metrics,
    ProcessingInput,
    ProcessingOutput,
    Processor,
    TrainingInput,
    TrainingJob,
    list_jobs,
)
from atelier.api import AtelierError

from sdk_fake import Reply, describe, env, error, fake  # noqa: F401 - fixtures

NAME_PATTERN = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")
STAMP = r"\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-\d{3}"


def created(env) -> dict:
    (call,) = env.calls("POST", "training-jobs")
    return call.json()


def test_estimator_builds_the_create_training_job_request(env):
    est = Estimator(
        "atelier/sklearn:latest",
        instance_type="ml.m5.xlarge",
        hyperparameters={"algorithm": "random_forest", "target": "species", "n_estimators": 100,
                         "max_features": 0.5, "bootstrap": True, "layers": [64, 32]},
        metric_definitions=[{"Name": "validation:accuracy", "Regex": "validation:accuracy=([0-9.]+);"}],
        output_path="s3://models/iris",
        max_run=3600,
        environment={"SEED": 7},
        checkpoint_s3_uri="s3://models/ckpt",
        tags={"team": "ml"},
    )
    job = est.fit({"train": "s3://data/iris/train/", "validation": TrainingInput("s3://data/iris/val/", "text/csv")},
                  wait=False)
    body = created(env)
    name = body.pop("TrainingJobName")
    assert re.fullmatch(rf"sklearn-{STAMP}", name) and NAME_PATTERN.match(name)
    assert job.name == name and isinstance(job, TrainingJob)
    assert body == {
        "AlgorithmSpecification": {
            "TrainingImage": "atelier/sklearn:latest",
            "TrainingInputMode": "File",
            "MetricDefinitions": [{"Name": "validation:accuracy", "Regex": "validation:accuracy=([0-9.]+);"}],
        },
        "HyperParameters": {"algorithm": "random_forest", "target": "species", "n_estimators": "100",
                            "max_features": "0.5", "bootstrap": "True", "layers": "[64, 32]"},
        "InputDataConfig": [
            {"ChannelName": "train", "InputMode": "File", "DataSource": {"S3DataSource": {
                "S3Uri": "s3://data/iris/train/", "S3DataType": "S3Prefix", "S3DataDistributionType": "FullyReplicated"}}},
            {"ChannelName": "validation", "InputMode": "File", "ContentType": "text/csv", "DataSource": {"S3DataSource": {
                "S3Uri": "s3://data/iris/val/", "S3DataType": "S3Prefix", "S3DataDistributionType": "FullyReplicated"}}},
        ],
        "OutputDataConfig": {"S3OutputPath": "s3://models/iris"},
        "ResourceConfig": {"InstanceType": "ml.m5.xlarge", "InstanceCount": 1},
        "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
        "Environment": {"SEED": "7"},
        "CheckpointConfig": {"S3Uri": "s3://models/ckpt"},
        "Tags": [{"Key": "team", "Value": "ml"}],
    }
    assert env.calls("GET", f"training-jobs/{name}") == []  # wait=False: no polling


def test_single_uri_is_the_train_channel_and_defaults(env):
    Estimator("registry:5000/atelier/xgb:1.0", base_job_name="my_exp.v2",
              entrypoint=["python", "-m", "trainer"], arguments=["--epochs", 3]).fit("s3://d/x/", wait=False)
    body = created(env)
    assert re.fullmatch(rf"my-exp-v2-{STAMP}", body["TrainingJobName"])
    assert [c["ChannelName"] for c in body["InputDataConfig"]] == ["train"]
    assert body["OutputDataConfig"] == {"S3OutputPath": "s3://bucket1/output"}
    assert body["ResourceConfig"] == {"InstanceType": "ml.m5.large", "InstanceCount": 1}
    assert body["StoppingCondition"] == {"MaxRuntimeInSeconds": 86400}
    assert body["AlgorithmSpecification"] == {"TrainingImage": "registry:5000/atelier/xgb:1.0", "TrainingInputMode": "File",
                                              "ContainerEntrypoint": ["python", "-m", "trainer"],
                                              "ContainerArguments": ["--epochs", "3"]}
    assert "ScriptMode" not in body and "Environment" not in body


def test_names_are_unique_and_bounded(env):
    est = Estimator("atelier/sklearn:latest", base_job_name="x" * 80)
    names = {est.fit("s3://d/", wait=False).name for _ in range(5)}
    assert len(names) == 5
    assert all(len(n) <= 63 and NAME_PATTERN.match(n) for n in names)
    with pytest.raises(ValueError, match="not valid"):
        est.fit("s3://d/", job_name="bad_name")


def test_local_inputs_are_uploaded_first(env, tmp_path):
    (tmp_path / "train").mkdir()
    (tmp_path / "train" / "iris.csv").write_text("a,b\n")
    (tmp_path / "test.csv").write_text("c\n")
    job = Estimator("atelier/sklearn:latest").fit({"train": str(tmp_path / "train"), "test": str(tmp_path / "test.csv")},
                                                  wait=False)
    body = created(env)
    uris = {c["ChannelName"]: c["DataSource"]["S3DataSource"]["S3Uri"] for c in body["InputDataConfig"]}
    assert uris == {"train": f"s3://bucket1/data/{job.name}/train/", "test": f"s3://bucket1/data/{job.name}/test/"}
    assert set(env.objects) == {f"s3://bucket1/data/{job.name}/train/iris.csv", f"s3://bucket1/data/{job.name}/test/test.csv"}
    with pytest.raises(FileNotFoundError, match="neither an s3:// URI nor a local"):
        Estimator("atelier/sklearn:latest").fit(str(tmp_path / "nope"), wait=False)


def test_script_mode_source_dir_relative_to_the_notebook_root(env, tmp_path, monkeypatch):
    root = tmp_path / "root"
    src = root / "projects" / "iris" / "src"
    src.mkdir(parents=True)
    (src / "train.py").write_text("print('hi')\n")
    monkeypatch.chdir(root / "projects" / "iris")  # the kernel's cwd: the notebook's folder
    monkeypatch.setenv("ATELIER_ROOT_DIR", str(root))
    Estimator("atelier/datascience:latest", entry_point="train.py", source_dir="src",
              hyperparameters={"epochs": 2}).fit(wait=False)
    body = created(env)
    assert body["ScriptMode"] == {"EntryPoint": "train.py", "SourceDir": "projects/iris/src"}
    assert body["HyperParameters"] == {"epochs": "2"}
    assert "InputDataConfig" in body and body["InputDataConfig"] == []
    assert re.fullmatch(rf"train-{STAMP}", body["TrainingJobName"])

    (tmp_path / "train.py").write_text("")
    with pytest.raises(ValueError, match="outside the notebook root"):
        Estimator("i", entry_point="train.py", source_dir=str(tmp_path)).fit(wait=False)
    with pytest.raises(ValueError, match="is not a file in source_dir"):
        Estimator("i", entry_point="missing.py", source_dir="src").fit(wait=False)

    monkeypatch.delenv("ATELIER_ROOT_DIR")
    Estimator("i", entry_point="train.py", source_dir="src").fit(wait=False)
    assert env.calls("POST", "training-jobs")[-1].json()["ScriptMode"] == {"EntryPoint": "train.py", "SourceDir": "src"}


def test_script_mode_entry_point_alone_and_inline_files(env, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "fit_model.py").write_text("import sys\n")
    Estimator("i", entry_point="fit_model.py").fit(wait=False)
    Estimator("i", entry_point="main.py", files={"main.py": "print(1)\n", "util.py": "X = 1\n"}).fit(wait=False)
    first, second = (c.json() for c in env.calls("POST", "training-jobs"))
    assert first["ScriptMode"] == {"EntryPoint": "fit_model.py", "Files": {"fit_model.py": "import sys\n"}}
    assert re.fullmatch(rf"fit-model-{STAMP}", first["TrainingJobName"])
    assert second["ScriptMode"] == {"EntryPoint": "main.py", "Files": {"main.py": "print(1)\n", "util.py": "X = 1\n"}}
    with pytest.raises(ValueError, match="not among files"):
        Estimator("i", entry_point="x.py", files={"main.py": ""}).fit(wait=False)


def _log_pages(env, name: str, pages: dict) -> None:
    """Logs by nextToken: ``pages[token] = (messages, next token)``."""
    def answer(rec):
        messages, token = pages[rec.query.get("nextToken")]
        return Reply(200, {"events": [{"timestamp": 1700000000000 + i, "message": m} for i, m in enumerate(messages)],
                           "nextForwardToken": token})
    env.route("GET", f"training-jobs/{name}/logs", answer)


def test_logs_paging_prints_every_line_once(env, capsys):
    name = "job-1"
    env.route("GET", f"training-jobs/{name}", describe(name, "Completed"))
    _log_pages(env, name, {None: (["one", "two\n", "three"], "3"), "3": (["four", "five"], "5"), "5": ([], "5")})
    job = TrainingJob(name)
    job.logs()
    assert capsys.readouterr().out == "one\ntwo\nthree\nfour\nfive\n"
    job.logs()  # nothing new
    assert capsys.readouterr().out == ""
    assert [c.query.get("nextToken") for c in env.calls("GET", f"training-jobs/{name}/logs")] == [None, "3", "5", "5"]
    assert all(c.query["limit"] == "1000" for c in env.calls("GET", f"training-jobs/{name}/logs"))


def test_wait_streams_logs_and_shows_progress_as_text(env, capsys):
    name = "job-2"
    env.route(
        "GET", f"training-jobs/{name}",
        describe(name, "InProgress", "Downloading", Progress={"Phase": "Downloading", "BytesDone": 512, "BytesTotal": 2048}),
        describe(name, "InProgress", "Training"),
        describe(name, "InProgress", "Training"),
        describe(name, "Completed", "Completed", ModelArtifacts={"S3ModelArtifacts": f"s3://b/out/{name}/output/model.tar.gz"}),
    )
    state = {"polls": 0}
    pages = {None: ["starting"], "1": ["epoch 1", "validation:accuracy=0.91;"], "3": ["epoch 2"], "4": ["done"]}
    order = [None, "1", "3", "4", "5"]

    def answer(rec):
        token = rec.query.get("nextToken")
        # One new page per poll: the first request of a poll gets it, the next one finds nothing new.
        if token in pages and order.index(token) <= state["polls"]:
            messages = pages.pop(token)
            return Reply(200, {"events": [{"timestamp": 0, "message": m} for m in messages],
                               "nextForwardToken": order[order.index(token) + 1]})
        state["polls"] += 1
        return Reply(200, {"events": [], "nextForwardToken": token})

    env.route("GET", f"training-jobs/{name}/logs", answer)
    desc = TrainingJob(name).wait(poll=0.01)
    assert desc["TrainingJobStatus"] == "Completed"
    out = capsys.readouterr().out.splitlines()
    log_lines = [line for line in out if not line.startswith(name)]
    assert log_lines == ["starting", "epoch 1", "validation:accuracy=0.91;", "epoch 2", "done"]
    status_lines = [line for line in out if line.startswith(name)]
    assert status_lines[0].startswith(f"{name}: InProgress - Downloading (")
    assert status_lines[0].endswith("Downloading 512 B of 2.0 KiB")
    assert status_lines[1].startswith(f"{name}: InProgress - Training (")
    assert status_lines[-1].startswith(f"{name}: Completed - Completed (")
    assert len(status_lines) == 3  # one line per change, not one per poll
    assert TrainingJob(name).model_data == f"s3://b/out/{name}/output/model.tar.gz"


def test_wait_raises_job_failed_with_the_reason(env, capsys):
    name = "job-3"
    env.route("GET", f"training-jobs/{name}", describe(name, "InProgress", "Training"),
              describe(name, "Failed", "Failed", FailureReason="AlgorithmError: ValueError: target column 'y' not found"))
    env.route("GET", f"training-jobs/{name}/logs",
              Reply(200, {"events": [{"timestamp": 0, "message": "Traceback ..."}], "nextForwardToken": "1"}),
              Reply(200, {"events": [], "nextForwardToken": "1"}))
    with pytest.raises(JobFailed) as info:
        TrainingJob(name).wait(poll=0.01)
    assert info.value.reason == "AlgorithmError: ValueError: target column 'y' not found"
    assert str(info.value) == f"training job {name} failed: AlgorithmError: ValueError: target column 'y' not found"
    assert "Traceback ..." in capsys.readouterr().out


def test_estimator_fit_waits_and_exposes_model_data(env, capsys):
    name = "iris-1"
    env.route("POST", "training-jobs", Reply(201, {"TrainingJobArn": f"arn:atelier:sagemaker:local:000000000000:training-job/{name}"}))
    env.route("GET", f"training-jobs/{name}", describe(name, "InProgress", "Training"),
              describe(name, "Completed", ModelArtifacts={"S3ModelArtifacts": f"s3://bucket1/output/{name}/output/model.tar.gz"}))
    env.route("GET", f"training-jobs/{name}/logs", Reply(200, {"events": [], "nextForwardToken": "0"}))
    est = Estimator("atelier/sklearn:latest")
    with pytest.raises(AttributeError):
        est.model_data
    job = est.fit("s3://d/", job_name=name, logs=False)
    assert est.latest_training_job is job
    assert est.model_data == f"s3://bucket1/output/{name}/output/model.tar.gz"
    assert env.calls("GET", f"training-jobs/{name}/logs") == []  # logs=False


@pytest.mark.parametrize("secondary, words", [("Stopped", "it was stopped"), ("MaxRuntimeExceeded", "its maximum run time was exceeded")])
def test_stopped_returns_with_a_warning(env, capsys, secondary, words):
    name = "job-4"
    env.route("GET", f"training-jobs/{name}", describe(name, "Stopped", secondary))
    env.route("GET", f"training-jobs/{name}/logs", Reply(200, {"events": [], "nextForwardToken": "0"}))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        desc = TrainingJob(name).wait(poll=0.01)
    assert desc["TrainingJobStatus"] == "Stopped"
    assert [str(w.message) for w in caught] == [f"training job {name} ended Stopped: {words}"]


def test_metrics_stop_attach_and_status(env):
    name = "job-5"
    env.route("GET", f"training-jobs/{name}", describe(name, "InProgress", "Training"))
    env.route("GET", f"training-jobs/{name}/metrics", Reply(200, {"metrics": {
        "validation:accuracy": [{"timestamp": 1700000000000, "value": 0.9}, {"timestamp": 1700000001000, "value": 0.93}],
        "loss": [{"timestamp": 1700000000500, "value": 1.5}],
    }}))
    env.route("POST", f"training-jobs/{name}/stop", Reply(200, None))
    job = TrainingJob.attach(name)
    assert job.status == "InProgress"
    metrics = job.metrics()
    assert isinstance(metrics, Metrics)
    assert [v for _, v in metrics["validation:accuracy"]] == [0.9, 0.93]
    assert metrics["loss"][0][0].timestamp() == 1700000000.5
    job.stop()
    (stop,) = env.calls("POST", f"training-jobs/{name}/stop")
    assert stop.body == b""
    env.route("GET", "training-jobs/nope", error(404, "no training job nope", "Not Found"))
    with pytest.raises(AtelierError, match="no training job nope") as info:
        TrainingJob.attach("nope")
    assert info.value.status == 404


def test_processor_builds_the_create_processing_job_request(env, tmp_path, capsys):
    script = tmp_path / "prep.py"
    script.write_text("print('prep')\n")
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / "a.csv").write_text("1\n")
    proc = Processor("atelier/datascience:latest", "ml.t3.medium", environment={"MODE": "full"}, max_run=600)
    job = proc.run(
        inputs=[ProcessingInput("s3://data/raw/", "/opt/ml/processing/input/raw", "raw"),
                ProcessingInput(str(tmp_path / "raw"), "/opt/ml/processing/input/local")],
        outputs=[ProcessingOutput("/opt/ml/processing/output/train", "s3://data/prepared/train", "train"),
                 ProcessingOutput("/opt/ml/processing/output/report", output_name="report")],
        arguments=["--split", 0.2],
        code=str(script),
        wait=False,
    )
    (call,) = env.calls("POST", "processing-jobs")
    body = call.json()
    name = body.pop("ProcessingJobName")
    assert name == job.name and re.fullmatch(rf"prep-{STAMP}", name)
    assert body == {
        "AppSpecification": {
            "ImageUri": "atelier/datascience:latest",
            "ContainerEntrypoint": ["python3", "/opt/ml/processing/input/code/prep.py"],
            "ContainerArguments": ["--split", "0.2"],
        },
        "ProcessingInputs": [
            {"InputName": "raw", "S3Input": {"S3Uri": "s3://data/raw/", "LocalPath": "/opt/ml/processing/input/raw",
                                             "S3DataType": "S3Prefix", "S3InputMode": "File"}},
            {"InputName": "input-2", "S3Input": {"S3Uri": f"s3://bucket1/{name}/input/input-2/",
                                                 "LocalPath": "/opt/ml/processing/input/local",
                                                 "S3DataType": "S3Prefix", "S3InputMode": "File"}},
            {"InputName": "code", "S3Input": {"S3Uri": f"s3://bucket1/{name}/input/code/",
                                              "LocalPath": "/opt/ml/processing/input/code",
                                              "S3DataType": "S3Prefix", "S3InputMode": "File"}},
        ],
        "ProcessingOutputConfig": {"Outputs": [
            {"OutputName": "train", "S3Output": {"S3Uri": "s3://data/prepared/train",
                                                 "LocalPath": "/opt/ml/processing/output/train", "S3UploadMode": "EndOfJob"}},
            {"OutputName": "report", "S3Output": {"S3Uri": f"s3://bucket1/{name}/output/report",
                                                  "LocalPath": "/opt/ml/processing/output/report", "S3UploadMode": "EndOfJob"}},
        ]},
        "ProcessingResources": {"ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.t3.medium"}},
        "StoppingCondition": {"MaxRuntimeInSeconds": 600},
        "Environment": {"MODE": "full"},
    }
    assert env.objects[f"s3://bucket1/{name}/input/code/prep.py"] == b"print('prep')\n"
    assert env.objects[f"s3://bucket1/{name}/input/input-2/a.csv"] == b"1\n"


def test_processing_job_wait_logs_and_failure(env, capsys):
    name = "prep-1"
    env.route("GET", f"processing-jobs/{name}",
              Reply(200, {"ProcessingJobName": name, "ProcessingJobStatus": "InProgress"}),
              Reply(200, {"ProcessingJobName": name, "ProcessingJobStatus": "Failed", "FailureReason": "exit code 2",
                          "ExitMessage": "bad split"}))
    env.route("GET", f"processing-jobs/{name}/logs",
              Reply(200, {"events": [{"timestamp": 0, "message": "reading"}], "nextForwardToken": "1"}),
              Reply(200, {"events": [], "nextForwardToken": "1"}))
    env.route("POST", f"processing-jobs/{name}/stop", Reply(200, None))
    proc = Processor("atelier/datascience:latest", entrypoint=["python3", "-c", "print(1)"])
    with pytest.raises(JobFailed, match=f"processing job {name} failed: exit code 2"):
        proc.run(job_name=name)
    (call,) = env.calls("POST", "processing-jobs")
    assert call.json()["AppSpecification"]["ContainerEntrypoint"] == ["python3", "-c", "print(1)"]
    assert "ProcessingInputs" not in call.json()
    assert "reading" in capsys.readouterr().out
    proc.latest_job.stop()
    assert len(env.calls("POST", f"processing-jobs/{name}/stop")) == 1


def test_list_jobs(env):
    summaries = [{"Kind": "training", "Name": "a", "Status": "Completed"}, {"Kind": "processing", "Name": "b", "Status": "Failed"}]
    env.route("GET", "jobs", Reply(200, {"Jobs": summaries}))
    assert list_jobs() == summaries
    assert list_jobs(kind="training", status="Completed") == summaries
    first, second = env.calls("GET", "jobs")
    assert first.query == {}
    assert second.query == {"kind": "training", "status": "Completed"}
    with pytest.raises(ValueError):
        list_jobs(kind="tuning")


def test_notebook_progress_is_one_live_html_block(env, capsys, monkeypatch):
    pytest.importorskip("IPython")
    import atelier.display as display_module

    shown, updates = [], []

    class Handle:
        def update(self, obj):
            updates.append(obj.data)

    def display(obj, display_id=False):
        assert display_id is True
        shown.append(obj.data)
        return Handle()

    monkeypatch.setattr(display_module, "notebook_display", lambda: display)
    name = "job-6"
    metric_defs = {"AlgorithmSpecification": {"TrainingImage": "i", "MetricDefinitions": [{"Name": "acc", "Regex": "acc=(.*)"}]}}
    env.route("GET", f"training-jobs/{name}",
              describe(name, "InProgress", "Uploading", Progress={"Phase": "Uploading", "BytesDone": 1048576, "BytesTotal": 4194304},
                       **metric_defs),
              describe(name, "Completed", ModelArtifacts={"S3ModelArtifacts": "s3://b/m.tar.gz"}, **metric_defs))
    env.route("GET", f"training-jobs/{name}/logs", Reply(200, {"events": [{"timestamp": 0, "message": "acc=0.5"}], "nextForwardToken": "1"}),
              Reply(200, {"events": [], "nextForwardToken": "1"}))
    env.route("GET", f"training-jobs/{name}/metrics", Reply(200, {"metrics": {"acc": [{"timestamp": 0, "value": 0.5}]}}))
    TrainingJob(name).wait(poll=0.01)
    assert len(shown) == 1 and len(updates) == 1
    assert name in shown[0] and "InProgress" in shown[0] and "Uploading" in shown[0]
    assert "<progress value='1048576' max='4194304'" in shown[0] and "1.0 MiB of 4.0 MiB" in shown[0]
    assert "acc = 0.5" in shown[0]
    assert "Completed" in updates[0] and "s3://b/m.tar.gz" in updates[0] and "<progress" not in updates[0]
    assert capsys.readouterr().out == "acc=0.5\n"  # the log goes below the block as plain lines
