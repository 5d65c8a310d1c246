"""The sagemaker Python SDK (2.x, pinned in tests/requirements.txt), unmodified, against a real
server: configured only by endpoint URLs and an access key Atelier issued, as a laptop user points
it at Atelier (README, "SageMaker-compatible API"). Its own S3 client uploads code and data to the
embedded S3 server with the same key, its Logs client tails the jobs' logs (``logs=True``) and its
waiters poll the jobs, which run in Docker containers of Atelier's images."""
from __future__ import annotations

import io
import tarfile
import uuid

import boto3
import pytest
import sagemaker
from sagemaker.estimator import Estimator
from sagemaker.processing import ProcessingInput, ProcessingOutput, Processor, ScriptProcessor

from client import Rest
from test_jobs import DATASCIENCE, classification_csv, docker_ready

REGION = "eu-west-1"
#: A role ARN string: used as it is, no IAM call (session.py expand_role).
ROLE = "arn:aws:iam::123456789012:role/AnyRole"
#: No telemetry call to AWS, and no config file read from the home directory.
CONFIG = {"SchemaVersion": "1.0", "SageMaker": {"PythonSDK": {"Modules": {"TelemetryOptOut": True}}}}


class Sdk:
    """A user of their own (an access key issued for them), with the SDK's session on a fresh bucket."""

    def __init__(self, server, monkeypatch):
        self.rest = Rest(server.url, server.token, timeout=60)
        self.owner = f"sdk-{uuid.uuid4().hex[:6]}"
        r = self.rest.get(f"/atelier/api/sagemaker/access-keys/{self.owner}")
        assert r.status_code == 200, r.text
        key = r.json()
        assert key.get("S3EndpointUrl"), f"the embedded S3 server's URL is shown with the key: {key}"
        self.url = key["EndpointUrl"]
        # The clients the SDK makes itself (S3 for uploads, Logs for logs=True) find the server here.
        monkeypatch.setenv("AWS_ENDPOINT_URL_S3", key["S3EndpointUrl"])
        monkeypatch.setenv("AWS_ENDPOINT_URL_CLOUDWATCH_LOGS", self.url)
        monkeypatch.setenv("AWS_ENDPOINT_URL", self.url)
        monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
        for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN"):
            monkeypatch.delenv(name, raising=False)
        self.boto = boto3.Session(aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"],
                                  region_name=REGION)
        self.bucket = f"sdk-{uuid.uuid4().hex[:10]}"
        self.sagemaker = self.boto.client("sagemaker", endpoint_url=self.url)
        self.session = sagemaker.Session(
            boto_session=self.boto, sagemaker_client=self.sagemaker,
            sagemaker_runtime_client=self.boto.client("sagemaker-runtime", endpoint_url=self.url),
            default_bucket=self.bucket, sagemaker_config=CONFIG)
        self.s3 = self.boto.client("s3")


@pytest.fixture
def sdk(shared_atelier, monkeypatch):
    docker_ready()
    return Sdk(shared_atelier.server, monkeypatch)


def members(data: bytes) -> dict[str, bytes]:
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as t:
        return {m.name.lstrip("./"): t.extractfile(m).read() for m in t.getmembers() if m.isfile()}


@pytest.mark.timeout(300)
def test_estimator_fit_in_script_mode_streams_its_log_and_leaves_the_model_in_s3(sdk, tmp_path, capsys):
    # default_bucket() makes the bucket it is given (ListBuckets, HeadBucket 404, CreateBucket).
    assert sdk.session.default_bucket() == sdk.bucket
    assert sdk.bucket in [b["Name"] for b in sdk.s3.list_buckets()["Buckets"]]
    data = tmp_path / "data"
    data.mkdir()
    (data / "train.csv").write_bytes(classification_csv(n=50))
    train = sdk.session.upload_data(str(data), bucket=sdk.bucket, key_prefix="data/train")
    assert train == f"s3://{sdk.bucket}/data/train"

    src = tmp_path / "src"
    src.mkdir()
    (src / "helper.py").write_text("SCALE = 3\n")
    (src / "train.py").write_text(
        "import argparse, json, os\n"
        "from helper import SCALE\n"
        "p = argparse.ArgumentParser(); p.add_argument('--epochs', type=int); a = p.parse_args()\n"
        "rows = open(os.path.join(os.environ['SM_CHANNEL_TRAIN'], 'train.csv')).read().splitlines()\n"
        "for e in range(a.epochs): print(f'sdk-epoch={e} rows={len(rows)}', flush=True)\n"
        "json.dump({'rows': len(rows), 'scale': SCALE},\n"
        "          open(os.path.join(os.environ['SM_MODEL_DIR'], 'model.json'), 'w'))\n")
    est = Estimator(image_uri=DATASCIENCE, role=ROLE, instance_count=1, instance_type="ml.m5.large",
                    entry_point="train.py", source_dir=str(src), hyperparameters={"epochs": 3},
                    base_job_name="sdk-fit", sagemaker_session=sdk.session)
    est.fit({"train": train}, logs=True)
    printed = capsys.readouterr().out
    assert "sdk-epoch=2 rows=51" in printed, printed[-3000:]

    name = est.latest_training_job.name
    assert name.startswith("sdk-fit-")
    assert est.model_data == f"s3://{sdk.bucket}/{name}/output/model.tar.gz"
    model = sdk.s3.get_object(Bucket=sdk.bucket, Key=f"{name}/output/model.tar.gz")["Body"].read()
    assert members(model)["model.json"] == b'{"rows": 51, "scale": 3}'
    source = sdk.s3.get_object(Bucket=sdk.bucket, Key=f"{name}/source/sourcedir.tar.gz")["Body"].read()
    assert set(members(source)) == {"train.py", "helper.py"}

    # The same job through Atelier's own API, owned by the key's owner.
    d = sdk.rest.get(f"/atelier/api/training-jobs/{name}").json()
    assert d["TrainingJobStatus"] == "Completed" and d["CreatedBy"]["UserProfileName"] == sdk.owner
    attached = Estimator.attach(name, sagemaker_session=sdk.session)
    assert attached.model_data == est.model_data and attached.latest_training_job.name == name


@pytest.mark.timeout(300)
def test_script_processor_and_processor_run_with_inputs_outputs_and_logs(sdk, tmp_path, capsys):
    sdk.session.default_bucket()   # made now: the data goes in before the SDK's first job would make it
    raw = sdk.session.upload_string_as_file_body("n\n1\n2\n3\n", bucket=sdk.bucket, key="raw/a.csv")
    assert raw == f"s3://{sdk.bucket}/raw/a.csv"
    code = tmp_path / "prep.py"
    code.write_text(
        "import os\n"
        "rows = open('/opt/ml/processing/input/raw/a.csv').read().split()[1:]\n"
        "os.makedirs('/opt/ml/processing/output', exist_ok=True)\n"
        "open('/opt/ml/processing/output/sum.txt', 'w').write(str(sum(map(int, rows))))\n"
        "print('sdk processed rows', len(rows), flush=True)\n")
    out = f"s3://{sdk.bucket}/clean"
    proc = ScriptProcessor(role=ROLE, image_uri=DATASCIENCE, command=["python3"], instance_count=1,
                           instance_type="ml.t3.medium", base_job_name="sdk-proc", sagemaker_session=sdk.session)
    proc.run(code=str(code), inputs=[ProcessingInput(source=f"s3://{sdk.bucket}/raw/",
                                                     destination="/opt/ml/processing/input/raw")],
             outputs=[ProcessingOutput(source="/opt/ml/processing/output", destination=out)], logs=True)
    assert "sdk processed rows 3" in capsys.readouterr().out
    job = proc.latest_job.describe()
    assert job["ProcessingJobStatus"] == "Completed", job.get("FailureReason")
    assert sdk.s3.get_object(Bucket=sdk.bucket, Key="clean/sum.txt")["Body"].read() == b"6"

    # A Processor with its own entrypoint and a local input the SDK uploads first.
    local = tmp_path / "in"
    local.mkdir()
    (local / "words.txt").write_text("a b c d\n")
    plain = Processor(role=ROLE, image_uri=DATASCIENCE, instance_count=1, instance_type="ml.t3.medium",
                      entrypoint=["python3", "-c", "import os; n = len(open('/opt/ml/processing/input/w/words.txt')"
                                  ".read().split()); os.makedirs('/opt/ml/processing/out', exist_ok=True); "
                                  "open('/opt/ml/processing/out/n.txt', 'w').write(str(n)); print('words', n)"],
                      base_job_name="sdk-plain", sagemaker_session=sdk.session)
    plain.run(inputs=[ProcessingInput(source=str(local), destination="/opt/ml/processing/input/w")],
              outputs=[ProcessingOutput(source="/opt/ml/processing/out", destination=f"s3://{sdk.bucket}/words")],
              logs=False)
    assert plain.latest_job.describe()["ProcessingJobStatus"] == "Completed"
    assert sdk.s3.get_object(Bucket=sdk.bucket, Key="words/n.txt")["Body"].read() == b"4"
