"""Training and processing jobs end to end: a real server, its embedded S3 server, real Docker
containers of Atelier's images, and the notebook SDK against all of it."""
from __future__ import annotations

import csv
import io
import json
import random
import signal
import subprocess
import tarfile
import time
import uuid
from pathlib import Path

import pytest
import requests

from client import Rest
from servers import free_port, log_tail, start_atelier

SKLEARN = "atelier/sklearn:latest"
DATASCIENCE = "atelier/datascience:latest"
BASE = "atelier/base:latest"
TERMINAL = {"Completed", "Failed", "Stopped"}


def docker_ready() -> None:
    """Docker and the images are part of the test setup: missing, the test fails saying so."""
    for image in (SKLEARN, DATASCIENCE, BASE):
        r = subprocess.run(["docker", "image", "inspect", image], capture_output=True, text=True)
        if r.returncode != 0:
            pytest.fail(f"these tests need Docker and {image}: run `bash images/build.sh` "
                        f"(docker said: {(r.stderr or r.stdout).strip()[:300]})")


class Api:
    def __init__(self, url: str, token: str):
        self.rest = Rest(url, token, timeout=60)
        self.url, self.token = url, token

    def put_object(self, uri: str, data: bytes) -> None:
        r = self.rest.request("PUT", "/atelier/api/objects", params={"uri": uri}, data=data)
        assert r.status_code == 201, r.text

    def get_object(self, uri: str) -> bytes:
        r = self.rest.get("/atelier/api/objects", params={"uri": uri})
        assert r.status_code == 200, f"{uri}: {r.status_code} {r.text[:300]}"
        return r.content

    def create(self, body: dict, kind: str = "training") -> requests.Response:
        return self.rest.post(f"/atelier/api/{kind}-jobs", json=body)

    def describe(self, name: str, kind: str = "training") -> dict:
        r = self.rest.get(f"/atelier/api/{kind}-jobs/{name}")
        assert r.status_code == 200, r.text
        return r.json()

    def status(self, d: dict) -> str:
        return d.get("TrainingJobStatus") or d.get("ProcessingJobStatus")

    def wait(self, name: str, kind: str = "training", timeout: float = 240, until=TERMINAL) -> dict:
        end = time.monotonic() + timeout
        d = {}
        while time.monotonic() < end:
            d = self.describe(name, kind)
            if self.status(d) in until or d.get("SecondaryStatus") in until:
                return d
            time.sleep(0.5)
        raise AssertionError(f"{kind} job {name} did not reach {sorted(until)} in {timeout}s: "
                             f"{json.dumps(d)[:1500]}\n{self.log(name, kind)[-2000:]}")

    def log(self, name: str, kind: str = "training") -> str:
        out, token = [], "0"
        while True:
            r = self.rest.get(f"/atelier/api/{kind}-jobs/{name}/logs", params={"nextToken": token, "limit": 500})
            assert r.status_code == 200, r.text
            page = r.json()
            out += [e["message"] for e in page["events"]]
            if page["nextForwardToken"] == token or not page["events"]:
                return "\n".join(out)
            token = page["nextForwardToken"]


@pytest.fixture(scope="module")
def api(shared_atelier):
    """The run's shared Atelier server (conftest.py): each test names its jobs and objects uniquely."""
    docker_ready()
    server = shared_atelier.server
    a = Api(server.url, server.token)
    a.root = shared_atelier.root
    a.server = server
    return a


def training(name: str, image: str, channels: dict[str, str] | None = None, **extra) -> dict:
    body = {
        "TrainingJobName": name,
        "AlgorithmSpecification": {"TrainingImage": image, "TrainingInputMode": "File"},
        "InputDataConfig": [{"ChannelName": c, "DataSource": {"S3DataSource": {"S3Uri": u, "S3DataType": "S3Prefix"}}}
                            for c, u in (channels or {}).items()],
        "OutputDataConfig": {"S3OutputPath": "s3://atelier/jobs-out"},
        "ResourceConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 5},
        "StoppingCondition": {"MaxRuntimeInSeconds": 600},
    }
    for k, v in extra.items():
        if k == "metrics":
            body["AlgorithmSpecification"]["MetricDefinitions"] = v
        elif k == "entrypoint":
            body["AlgorithmSpecification"]["ContainerEntrypoint"] = v
        else:
            body[k] = v
    return body


def unique(stem: str) -> str:
    return f"{stem}-{uuid.uuid4().hex[:8]}"


def members(blob: bytes) -> dict[str, bytes]:
    with tarfile.open(fileobj=io.BytesIO(blob), mode="r:gz") as t:
        return {m.name: t.extractfile(m).read() for m in t.getmembers() if m.isfile()}


def classification_csv(n: int = 200, seed: int = 7) -> bytes:
    rnd = random.Random(seed)
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["label", "x1", "x2"])
    for _ in range(n):
        x1, x2 = rnd.uniform(0, 1), rnd.uniform(0, 1)
        w.writerow([int(x1 > x2), round(x1, 4), round(x2, 4)])
    return buf.getvalue().encode()


def containers_of(name: str, kind: str = "training") -> list[str]:
    out = subprocess.run(["docker", "ps", "-aq", "--filter", f"label=dev.atelier.job={kind}/{name}"],
                         capture_output=True, text=True).stdout.split()
    return out


@pytest.mark.timeout(300)
def test_built_in_sklearn_trains_from_a_csv_with_metrics_and_a_loadable_model(api):
    name = unique("iris")
    api.put_object(f"s3://atelier/data/{name}/train.csv", classification_csv())
    r = api.create(training(name, SKLEARN, {"train": f"s3://atelier/data/{name}/"},
                            HyperParameters={"algorithm": "random_forest_classifier", "target": "label",
                                             "n_estimators": "20"},
                            metrics=[{"Name": "validation:accuracy", "Regex": r"validation:accuracy=([0-9\.]+)"},
                                     {"Name": "train:accuracy", "Regex": r"train:accuracy=([0-9\.]+)"}]))
    assert r.status_code == 201, r.text
    assert r.json()["TrainingJobArn"].endswith(f"training-job/{name}")
    d = api.wait(name)
    assert d["TrainingJobStatus"] == "Completed", (d.get("FailureReason"), api.log(name)[-3000:])
    assert [t["Status"] for t in d["SecondaryStatusTransitions"]] == \
        ["Starting", "Downloading", "Training", "Uploading", "Completed"]
    assert all("StartTime" in t and "EndTime" in t for t in d["SecondaryStatusTransitions"])
    assert d["TrainingTimeInSeconds"] >= 0 and d["CreatedBy"]["UserProfileName"]
    model_uri = d["ModelArtifacts"]["S3ModelArtifacts"]
    assert model_uri == f"s3://atelier/jobs-out/{name}/output/model.tar.gz"
    files = members(api.get_object(model_uri))
    assert "model.joblib" in files, sorted(files)
    assert members(api.get_object(f"s3://atelier/jobs-out/{name}/output/output.tar.gz")) is not None

    metrics = api.rest.get(f"/atelier/api/training-jobs/{name}/metrics").json()["metrics"]
    acc = metrics["validation:accuracy"]
    assert acc and 0.5 <= acc[-1]["value"] <= 1.0, metrics
    final = {m["MetricName"]: m["Value"] for m in d["FinalMetricDataList"]}
    assert final["validation:accuracy"] == acc[-1]["value"]

    # The model loads and predicts inside the image that made it.
    out = Path(api.root) / f"{name}-model"
    out.mkdir()
    (out / "model.joblib").write_bytes(files["model.joblib"])
    run = subprocess.run(["docker", "run", "--rm", "-v", f"{out}:/m:ro", "--entrypoint", "python3", SKLEARN, "-c",
                          "import joblib, pandas as pd; m = joblib.load('/m/model.joblib');"
                          "print([int(v) for v in m.predict(pd.DataFrame({'x1': [0.9, 0.1], 'x2': [0.1, 0.9]}))])"],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and run.stdout.strip() == "[1, 0]", run.stderr[-2000:] + run.stdout
    assert containers_of(name) == [], "the finished job's container was left behind"
    assert "Tini is not running as PID 1" not in api.log(name)
    listed = api.rest.get("/atelier/api/jobs", params={"name_contains": name}).json()["Jobs"]
    assert [(j["Name"], j["Kind"], j["Status"], j["InstanceType"]) for j in listed] == \
        [(name, "training", "Completed", "ml.m5.large")]


@pytest.mark.timeout(300)
def test_script_mode_runs_a_train_py_from_the_notebook_folder_with_hyperparameters_as_arguments(api):
    name = unique("script")
    proj = Path(api.root) / "projects" / name
    proj.mkdir(parents=True)
    (proj / "helper.py").write_text("SCALE = 3\n")
    (proj / "train.py").write_text(
        "import argparse, json, os\n"
        "from helper import SCALE\n"
        "p = argparse.ArgumentParser(); p.add_argument('--epochs', type=int); a = p.parse_args()\n"
        "rows = open(os.path.join(os.environ['SM_CHANNEL_TRAIN'], 'd.csv')).read().splitlines()\n"
        "for e in range(a.epochs): print(f'epoch={e} loss={1 / (e + 1):.3f}', flush=True)\n"
        "json.dump({'rows': len(rows), 'scale': SCALE, 'hosts': json.loads(os.environ['SM_HOSTS'])},\n"
        "          open(os.path.join(os.environ['SM_MODEL_DIR'], 'model.json'), 'w'))\n")
    api.put_object(f"s3://atelier/data/{name}/d.csv", b"a\n1\n2\n3\n")
    body = training(name, DATASCIENCE, {"train": f"s3://atelier/data/{name}/d.csv"},
                    HyperParameters={"epochs": "4"},
                    ScriptMode={"EntryPoint": "train.py", "SourceDir": f"projects/{name}"},
                    metrics=[{"Name": "loss", "Regex": r"loss=([0-9.]+)"}])
    r = api.create(body)
    assert r.status_code == 201, r.text
    d = api.wait(name)
    assert d["TrainingJobStatus"] == "Completed", (d.get("FailureReason"), api.log(name)[-3000:])
    assert d["HyperParameters"]["sagemaker_program"] == "train.py"
    source = d["HyperParameters"]["sagemaker_submit_directory"]
    assert source == f"s3://atelier/jobs-out/{name}/source/sourcedir.tar.gz"
    assert set(members(api.get_object(source))) == {"train.py", "helper.py"}
    model = json.loads(members(api.get_object(d["ModelArtifacts"]["S3ModelArtifacts"]))["model.json"])
    assert model == {"rows": 4, "scale": 3, "hosts": ["algo-1"]}
    losses = api.rest.get(f"/atelier/api/training-jobs/{name}/metrics").json()["metrics"]["loss"]
    assert [s["value"] for s in losses] == [1.0, 0.5, 0.333, 0.25]
    assert "epoch=3 loss=0.250" in api.log(name)


@pytest.mark.timeout(300)
def test_a_failing_job_is_failed_with_the_reason_it_wrote_or_its_exit_code_and_last_lines(api):
    name = unique("raises")
    body = training(name, DATASCIENCE, ScriptMode={"EntryPoint": "train.py", "Files": {
        "train.py": "print('reading the data')\nraise ValueError(\"column 'price' is missing\")\n"}})
    assert api.create(body).status_code == 201
    d = api.wait(name)
    assert d["TrainingJobStatus"] == "Failed" and d["SecondaryStatus"] == "Failed", d
    assert "ValueError: column 'price' is missing" in d["FailureReason"], d["FailureReason"]

    name2 = unique("exit3")
    body = training(name2, BASE, entrypoint=["sh", "-c", "echo about to fail; exit 3"])
    assert api.create(body).status_code == 201
    d = api.wait(name2)
    assert d["TrainingJobStatus"] == "Failed"
    assert "exited with code 3" in d["FailureReason"] and "about to fail" in d["FailureReason"], d["FailureReason"]


@pytest.mark.timeout(120)
def test_a_missing_input_fails_the_job_before_any_container_starts_naming_the_uri(api):
    name = unique("noinput")
    body = training(name, BASE, {"train": "s3://atelier/does/not/exist/"}, entrypoint=["true"])
    assert api.create(body).status_code == 201
    d = api.wait(name)
    assert d["TrainingJobStatus"] == "Failed"
    assert "s3://atelier/does/not/exist/" in d["FailureReason"], d["FailureReason"]
    assert "Training" not in [t["Status"] for t in d["SecondaryStatusTransitions"]]
    assert containers_of(name) == []


@pytest.mark.timeout(120)
def test_bad_requests_are_refused_naming_the_field_and_nothing_stored_is_touched(api):
    name = unique("dup")
    ok = training(name, BASE, entrypoint=["true"])
    assert api.create(ok).status_code == 201
    api.wait(name)
    dup = api.create(ok)
    assert dup.status_code == 409 and "already exists" in dup.json()["message"], dup.text
    assert api.describe(name)["TrainingJobStatus"] == "Completed"

    def refused(body, expect, status=400, kind="training"):
        r = api.create(body, kind)
        assert r.status_code == status, (r.status_code, r.text)
        assert expect in r.json()["message"], r.json()["message"]

    refused(training("../../etc/passwd", BASE), "TrainingJobName: '../../etc/passwd' must be")
    refused(training(unique("t"), BASE, {"train": "s3://atelier/../secrets/"}),
            "InputDataConfig[0].DataSource.S3DataSource.S3Uri")
    refused(training(unique("t"), BASE, ResourceConfig={"InstanceType": "ml.p5.48xlarge"}),
            "ResourceConfig.InstanceType: unknown instance type 'ml.p5.48xlarge'; valid types: ml.t3.medium")
    refused(training(unique("t"), "atelier/not-built-here:latest"),
            "AlgorithmSpecification.TrainingImage: image atelier/not-built-here:latest is not built")
    refused(training(unique("t"), BASE, HyperParameters={"x": "y" * 100_000}), "HyperParameters.x: is 100000 characters")
    refused({"ProcessingJobName": unique("p"), "AppSpecification": {"ImageUri": BASE},
             "ProcessingResources": {"ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.t3.medium"}},
             "ProcessingInputs": [{"InputName": "a", "S3Input": {"S3Uri": "s3://atelier/a", "LocalPath": "/etc"}}]},
            "ProcessingInputs[0].S3Input.LocalPath: '/etc' must be a folder under /opt/ml/processing/", kind="processing")
    # curl --data-binary's default form type: the bytes are stored as they are
    r = api.rest.request("PUT", "/atelier/api/objects", params={"uri": f"s3://atelier/form/{name}.csv"},
                         data=b"a,b\n1,2\n", headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 201, r.text
    assert api.get_object(f"s3://atelier/form/{name}.csv") == b"a,b\n1,2\n"
    r = api.rest.post("/atelier/api/training-jobs", data=b"{not json")
    assert r.status_code == 400 and "not valid JSON" in r.json()["message"]
    r = api.rest.post("/atelier/api/training-jobs", data=b"x" * (13 << 20))
    assert r.status_code == 413, r.status_code
    for path in ("/atelier/api/training-jobs/..%2f..%2fetc", "/atelier/api/training-jobs/a_b"):
        r = api.rest.get(path)
        assert r.status_code in (400, 404) and r.json()["message"], (path, r.text)
    r = api.rest.get(f"/atelier/api/training-jobs/{unique('nope')}")
    assert r.status_code == 404 and "no training job named" in r.json()["message"]
    r = requests.get(api.url + "/atelier/api/jobs", timeout=10)
    assert r.status_code == 401
    r = api.rest.post(f"/atelier/api/training-jobs/{name}/stop")
    assert r.status_code == 409 and "is Completed" in r.json()["message"]
    assert api.rest.get("/atelier/api/jobs", params={"status": "Running"}).status_code == 400


@pytest.mark.timeout(300)
def test_stop_sends_sigterm_and_the_job_ends_stopped_with_what_it_saved(api):
    name = unique("stop")
    script = ("import signal, sys, time, os\n"
              "def bye(*_):\n"
              "    open(os.path.join(os.environ['SM_MODEL_DIR'], 'partial.txt'), 'w').write('saved on SIGTERM')\n"
              "    print('got SIGTERM', flush=True); sys.exit(0)\n"
              "signal.signal(signal.SIGTERM, bye)\n"
              "print('working', flush=True)\n"
              "while True: time.sleep(0.2)\n")
    assert api.create(training(name, DATASCIENCE, ScriptMode={"EntryPoint": "train.py",
                                                               "Files": {"train.py": script}})).status_code == 201
    api.wait(name, until={"Training"})
    end = time.monotonic() + 60
    while "working" not in api.log(name) and time.monotonic() < end:
        time.sleep(0.3)
    r = api.rest.post(f"/atelier/api/training-jobs/{name}/stop")
    assert r.status_code == 200, r.text
    assert r.json()["TrainingJobStatus"] == "Stopping"
    d = api.wait(name)
    assert (d["TrainingJobStatus"], d["SecondaryStatus"]) == ("Stopped", "Stopped"), d
    assert "Stopping" in [t["Status"] for t in d["SecondaryStatusTransitions"]]
    assert members(api.get_object(d["ModelArtifacts"]["S3ModelArtifacts"]))["partial.txt"] == b"saved on SIGTERM"
    assert "got SIGTERM" in api.log(name)


@pytest.mark.timeout(300)
def test_max_runtime_stops_the_job_as_max_runtime_exceeded(api):
    name = unique("maxrun")
    body = training(name, BASE, entrypoint=["sh", "-c", "echo started; sleep 300"],
                    StoppingCondition={"MaxRuntimeInSeconds": 3})
    assert api.create(body).status_code == 201
    d = api.wait(name, timeout=200)
    assert (d["TrainingJobStatus"], d["SecondaryStatus"]) == ("Stopped", "MaxRuntimeExceeded"), d
    assert d["TrainingTimeInSeconds"] < 120


@pytest.mark.timeout(300)
def test_a_processing_job_stages_inputs_runs_the_image_and_uploads_outputs(api):
    name = unique("prep")
    api.put_object(f"s3://atelier/raw/{name}/a.csv", b"x\n1\n2\n")
    api.put_object(f"s3://atelier/code/{name}/prep.py", (
        "import json, os\n"
        "cfg = json.load(open('/opt/ml/config/processingjobconfig.json'))\n"
        "rows = open('/opt/ml/processing/input/raw/a.csv').read().split()[1:]\n"
        "os.makedirs('/opt/ml/processing/output/clean', exist_ok=True)\n"
        "open('/opt/ml/processing/output/clean/sum.txt', 'w').write(str(sum(map(int, rows))))\n"
        "print('processed', cfg['ProcessingJobName'])\n").encode())
    body = {
        "ProcessingJobName": name,
        "AppSpecification": {"ImageUri": DATASCIENCE,
                             "ContainerEntrypoint": ["python3", "/opt/ml/processing/input/code/prep.py"]},
        "ProcessingInputs": [
            {"InputName": "raw", "S3Input": {"S3Uri": f"s3://atelier/raw/{name}/",
                                             "LocalPath": "/opt/ml/processing/input/raw",
                                             "S3DataType": "S3Prefix", "S3InputMode": "File"}},
            {"InputName": "code", "S3Input": {"S3Uri": f"s3://atelier/code/{name}/prep.py",
                                              "LocalPath": "/opt/ml/processing/input/code",
                                              "S3DataType": "S3Prefix", "S3InputMode": "File"}}],
        "ProcessingOutputConfig": {"Outputs": [
            {"OutputName": "clean", "S3Output": {"S3Uri": f"s3://atelier/clean/{name}",
                                                 "LocalPath": "/opt/ml/processing/output/clean",
                                                 "S3UploadMode": "EndOfJob"}}]},
        "ProcessingResources": {"ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.t3.medium",
                                                  "VolumeSizeInGB": 5}},
        "StoppingCondition": {"MaxRuntimeInSeconds": 300},
    }
    r = api.create(body, "processing")
    assert r.status_code == 201, r.text
    d = api.wait(name, "processing")
    assert d["ProcessingJobStatus"] == "Completed", (d.get("FailureReason"), api.log(name, "processing")[-2000:])
    assert api.get_object(f"s3://atelier/clean/{name}/sum.txt") == b"3"
    assert f"processed {name}" in api.log(name, "processing")


@pytest.mark.timeout(400)
def test_a_server_restart_during_a_job_picks_it_up_and_it_completes_with_its_outputs(tmp_path):
    docker_ready()
    root = tmp_path / "nb"
    root.mkdir()
    port, token = free_port(), uuid.uuid4().hex

    def server():
        return start_atelier(tmp_path / "a", root, port=port, token=token)

    first = server()
    second = None
    try:
        api = Api(first.url, first.token)
        name = unique("restart")
        script = ("import os, time\n"
                  "print('before the restart', flush=True)\n"
                  "time.sleep(12)\n"
                  "print('after the restart', flush=True)\n"
                  "open(os.path.join(os.environ['SM_MODEL_DIR'], 'm.txt'), 'w').write('done')\n")
        assert api.create(training(name, DATASCIENCE, ScriptMode={
            "EntryPoint": "train.py", "Files": {"train.py": script}})).status_code == 201
        api.wait(name, until={"Training"}, timeout=120)
        end = time.monotonic() + 60
        while "before the restart" not in api.log(name) and time.monotonic() < end:
            time.sleep(0.3)
        first.proc.popen.send_signal(signal.SIGKILL)
        first.proc.popen.wait(timeout=30)
        assert len(containers_of(name)) == 1, "the job's container must outlive the server"

        second = server()
        d = api.wait(name, timeout=240)
        assert d["TrainingJobStatus"] == "Completed", (d.get("FailureReason"), log_tail(second.proc.log, 40))
        assert members(api.get_object(d["ModelArtifacts"]["S3ModelArtifacts"]))["m.txt"] == b"done"
        log = api.log(name)
        assert log.count("before the restart") == 1 and log.count("after the restart") == 1, log
        assert "picked up again after a server restart" in log
        listed = api.rest.get("/atelier/api/training-jobs", params={"name_contains": name}).json()
        assert len(listed["TrainingJobSummaries"]) == 1
        assert containers_of(name) == []
    finally:
        if second is not None:
            second.proc.stop()
        first.proc.stop()


@pytest.mark.timeout(200)
def test_with_the_object_store_unreachable_a_job_fails_saying_so_and_is_kept(tmp_path):
    docker_ready()
    root = tmp_path / "nb"
    root.mkdir()
    dead = free_port()
    s = start_atelier(tmp_path / "a", root, extra_env={
        "ATELIER_S3_ENDPOINT": f"http://127.0.0.1:{dead}", "ATELIER_S3_ACCESS_KEY": "k",
        "ATELIER_S3_SECRET_KEY": "s", "JAVA_TOOL_OPTIONS": "-Datelier.jobDownloadRetrySeconds=3"})
    try:
        api = Api(s.url, s.token)
        health = api.rest.get("/atelier/api/health").json()["object_store"]
        assert health["available"] is False and str(dead) in health["problem"], health
        name = unique("nos3")
        r = api.create(training(name, BASE, {"train": "s3://atelier/data/x/"}, entrypoint=["true"]))
        assert r.status_code == 201, r.text
        d = api.wait(name, timeout=120)
        assert d["TrainingJobStatus"] == "Failed"
        assert f"127.0.0.1:{dead}" in d["FailureReason"] and "could not be reached" in d["FailureReason"], d
        assert "Waiting for the object store" in api.log(name)
        assert [j["Name"] for j in api.rest.get("/atelier/api/jobs").json()["Jobs"]] == [name]
    finally:
        s.proc.stop()


@pytest.mark.timeout(300)
def test_the_notebook_sdk_uploads_trains_waits_and_returns_the_model(api, capsys):
    import atelier
    from atelier.jobs import Estimator
    session = atelier.Session(api_url=api.url + "/atelier/api/", token=api.token)
    data = Path(api.root) / "sdk-data"
    data.mkdir()
    (data / "train.csv").write_bytes(classification_csv(120, seed=3))
    uri = session.upload_data(str(data), key_prefix=unique("sdk"))
    est = Estimator(SKLEARN, instance_type="ml.t3.medium", session=session,
                    hyperparameters={"algorithm": "logistic_regression", "target": "label"},
                    metric_definitions=[{"Name": "validation:accuracy",
                                         "Regex": r"validation:accuracy=([0-9\.]+)"}],
                    output_path="s3://atelier/sdk-out")
    job = est.fit({"train": uri}, wait=True, logs=True)
    assert est.model_data == job.model_data and job.model_data.endswith("/output/model.tar.gz")
    assert "model.joblib" in members(api.get_object(job.model_data))
    printed = capsys.readouterr().out
    assert "validation:accuracy=" in printed, printed[-2000:]
    assert job.metrics()["validation:accuracy"]


@pytest.mark.timeout(300)
def test_the_atelier_train_magic_runs_a_cell_as_a_training_job_from_a_kernel(api):
    """A kernel started by Atelier knows where the server is: the magic needs no set-up."""
    from client import KernelClient
    r = api.rest.post("/api/kernels", json={"name": "python3"})
    assert r.status_code == 201, r.text
    kid = r.json()["id"]
    c = KernelClient(api.rest, kid)
    c.connect(wait_ready=True, timeout=60)
    name = unique("magic")
    try:
        c.ok("%load_ext atelier")
        cell = (f"%%atelier_train --name {name} --image {DATASCIENCE} --instance-type ml.t3.medium "
                f"--hp greeting=hello --metric 'steps=steps=([0-9]+)'\n"
                "import argparse, os\n"
                "p = argparse.ArgumentParser(); p.add_argument('--greeting'); a = p.parse_args()\n"
                "print(f'{a.greeting} from the job; steps=7', flush=True)\n"
                "open(os.path.join(os.environ['SM_MODEL_DIR'], 'said.txt'), 'w').write(a.greeting)\n")
        reply = c.ok(cell, timeout=240)
        out = reply.stream_text()
        assert "hello from the job; steps=7" in out, reply.summary()
        d = api.describe(name)
        assert d["TrainingJobStatus"] == "Completed", d
        assert d["ModelArtifacts"]["S3ModelArtifacts"] in out
        assert members(api.get_object(d["ModelArtifacts"]["S3ModelArtifacts"]))["said.txt"] == b"hello"
        assert c.eval("_atelier_job.name") == repr(name)
        assert {m["MetricName"]: m["Value"] for m in d["FinalMetricDataList"]} == {"steps": 7.0}
    finally:
        c.close()
        api.rest.delete(f"/api/kernels/{kid}")


@pytest.mark.timeout(300)
def test_checkpoints_are_staged_before_the_start_and_saved_back_to_s3(api):
    name = unique("ckpt")
    prefix = f"s3://atelier/checkpoints/{name}/"
    api.put_object(prefix + "epoch-1.txt", b"from an earlier run")
    script = ("import os\n"
              "d = '/opt/ml/checkpoints'\n"
              "print('found', sorted(os.listdir(d)), open(os.path.join(d, 'epoch-1.txt')).read(), flush=True)\n"
              "open(os.path.join(d, 'epoch-2.txt'), 'w').write('written by this run')\n")
    body = training(name, DATASCIENCE, ScriptMode={"EntryPoint": "train.py", "Files": {"train.py": script}},
                    CheckpointConfig={"S3Uri": prefix})
    assert api.create(body).status_code == 201
    d = api.wait(name)
    assert d["TrainingJobStatus"] == "Completed", (d.get("FailureReason"), api.log(name)[-2000:])
    assert "found ['epoch-1.txt'] from an earlier run" in api.log(name)
    assert api.get_object(prefix + "epoch-2.txt") == b"written by this run"
