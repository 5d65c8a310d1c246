"""The SageMaker-compatible API driven by the real, unmodified boto3/botocore (tests/requirements.txt)
against a real server: jobs run in Docker containers of Atelier's images, their logs are read with
boto3's CloudWatch Logs client, and every refusal is the ClientError code the SDK and waiters expect."""
from __future__ import annotations

import datetime
import json
import uuid

import boto3
import botocore.auth
import pytest
import requests
from botocore.config import Config
from botocore.exceptions import ClientError, WaiterError

from client import Rest
from test_jobs import DATASCIENCE, SKLEARN, classification_csv, docker_ready

REGION = "eu-west-1"
#: Waiters poll every 2 s here instead of SageMaker's 120 s; the 300 s test timeout bounds them.
FAST = {"Delay": 2, "MaxAttempts": 150}


class Setup:
    def __init__(self, server):
        self.rest = Rest(server.url, server.token, timeout=60)
        r = self.rest.get("/atelier/api/sagemaker/access-key")
        assert r.status_code == 200, r.text
        self.key = r.json()
        self.url = server.url + "/atelier/api/sagemaker"
        assert self.key["EndpointUrl"] == self.url

    def client(self, service: str = "sagemaker", secret: str | None = None, key_id: str | None = None):
        return boto3.client(service, endpoint_url=self.url, region_name=REGION,
                            aws_access_key_id=key_id or self.key["AccessKeyId"],
                            aws_secret_access_key=secret or self.key["SecretAccessKey"],
                            config=Config(retries={"max_attempts": 1, "mode": "standard"}))

    def put_object(self, uri: str, data: bytes) -> None:
        r = self.rest.request("PUT", "/atelier/api/objects", params={"uri": uri}, data=data)
        assert r.status_code == 201, r.text


@pytest.fixture(scope="module")
def sm(shared_atelier):
    docker_ready()
    return Setup(shared_atelier.server)


def unique(stem: str) -> str:
    return f"{stem}-{uuid.uuid4().hex[:8]}"


def training(name: str, data: str, **extra) -> dict:
    return {
        "TrainingJobName": name,
        "AlgorithmSpecification": {"TrainingImage": SKLEARN, "TrainingInputMode": "File"},
        "RoleArn": "arn:aws:iam::123456789012:role/AnyRole",
        "HyperParameters": {"algorithm": "random_forest_classifier", "target": "label", "n_estimators": "10"},
        "InputDataConfig": [{"ChannelName": "train", "DataSource": {"S3DataSource": {
            "S3Uri": data, "S3DataType": "S3Prefix", "S3DataDistributionType": "FullyReplicated"}}}],
        "OutputDataConfig": {"S3OutputPath": "s3://atelier/sm-out"},
        "ResourceConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 5},
        "StoppingCondition": {"MaxRuntimeInSeconds": 600},
        **extra,
    }


def code(excinfo) -> str:
    return excinfo.value.response["Error"]["Code"]


@pytest.mark.timeout(300)
def test_training_job_created_with_boto3_completes_lists_and_shows_its_logs(sm):
    sagemaker = sm.client()
    stem = unique("smtrain")
    name, stopped = f"{stem}-a", f"{stem}-b"
    sm.put_object(f"s3://atelier/sm-data/{stem}/train.csv", classification_csv())
    created = sagemaker.create_training_job(**training(name, f"s3://atelier/sm-data/{stem}/"))
    assert created["TrainingJobArn"] == f"arn:aws:sagemaker:{REGION}:000000000000:training-job/{name}"

    # A second job, stopped at once, gives the listing two pages and the waiter its other end.
    sagemaker.create_training_job(**training(stopped, f"s3://atelier/sm-data/{stem}/"))
    sagemaker.stop_training_job(TrainingJobName=stopped)

    sagemaker.get_waiter("training_job_completed_or_stopped").wait(TrainingJobName=name, WaiterConfig=FAST)
    d = sagemaker.describe_training_job(TrainingJobName=name)
    assert d["TrainingJobStatus"] == "Completed", d.get("FailureReason")
    assert d["SecondaryStatus"] == "Completed"
    assert d["ModelArtifacts"]["S3ModelArtifacts"] == f"s3://atelier/sm-out/{name}/output/model.tar.gz"
    assert d["ResourceConfig"]["InstanceCount"] == 1
    assert isinstance(d["CreationTime"], datetime.datetime) and d["CreationTime"].tzinfo is not None
    assert d["CreationTime"] <= d["TrainingStartTime"] <= d["TrainingEndTime"]
    assert [t["Status"] for t in d["SecondaryStatusTransitions"]][-1] == "Completed"
    assert all(isinstance(t["StartTime"], datetime.datetime) for t in d["SecondaryStatusTransitions"])

    # The same job through Atelier's own API, as the Jobs panel sees it.
    rest = sm.rest.get(f"/atelier/api/training-jobs/{name}")
    assert rest.status_code == 200, rest.text
    assert rest.json()["TrainingJobStatus"] == "Completed"
    listed = sm.rest.get("/atelier/api/jobs", params={"name_contains": stem}).json()["Jobs"]
    assert sorted(j["Name"] for j in listed) == [name, stopped]

    sagemaker.get_waiter("training_job_completed_or_stopped").wait(TrainingJobName=stopped, WaiterConfig=FAST)
    assert sagemaker.describe_training_job(TrainingJobName=stopped)["TrainingJobStatus"] == "Stopped"

    pages = list(sagemaker.get_paginator("list_training_jobs").paginate(
        NameContains=stem, SortBy="Name", SortOrder="Descending", PaginationConfig={"PageSize": 1}))
    assert len(pages) == 2 and "NextToken" in pages[0] and "NextToken" not in pages[1]
    summaries = [s for p in pages for s in p["TrainingJobSummaries"]]
    assert [(s["TrainingJobName"], s["TrainingJobStatus"]) for s in summaries] == \
        [(stopped, "Stopped"), (name, "Completed")]
    assert sagemaker.list_training_jobs(NameContains=stem, StatusEquals="Completed")["TrainingJobSummaries"][0][
        "TrainingJobName"] == name

    logs = sm.client("logs")
    streams = logs.describe_log_streams(logGroupName="/aws/sagemaker/TrainingJobs", logStreamNamePrefix=f"{name}/",
                                        orderBy="LogStreamName", limit=1)["logStreams"]
    assert len(streams) == 1 and streams[0]["logStreamName"].startswith(f"{name}/algo-1-")
    page = logs.get_log_events(logGroupName="/aws/sagemaker/TrainingJobs", logStreamName=streams[0]["logStreamName"],
                               startTime=0, startFromHead=True)
    messages = "\n".join(e["message"] for e in page["events"])
    assert "validation:accuracy" in messages or "accuracy" in messages, messages[-2000:]
    assert all(e["timestamp"] > 0 for e in page["events"])
    again = logs.get_log_events(logGroupName="/aws/sagemaker/TrainingJobs", logStreamName=streams[0]["logStreamName"],
                                startFromHead=True, nextToken=page["nextForwardToken"])
    assert again["events"] == [] and again["nextForwardToken"] == page["nextForwardToken"]
    with pytest.raises(ClientError) as e:
        logs.get_log_events(logGroupName="/aws/sagemaker/NoSuchGroup", logStreamName="x/algo-1-0")
    assert code(e) == "ResourceNotFoundException"

    with pytest.raises(ClientError) as e:
        sagemaker.create_training_job(**training(name, f"s3://atelier/sm-data/{stem}/"))
    assert code(e) == "ResourceInUse"
    assert "a training job with this name already exists" in e.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as e:
        sagemaker.stop_training_job(TrainingJobName=name)
    assert code(e) == "ValidationException"


@pytest.mark.timeout(300)
def test_processing_job_runs_end_to_end_through_boto3(sm):
    sagemaker = sm.client()
    name = unique("smproc")
    sm.put_object(f"s3://atelier/sm-raw/{name}/a.csv", b"n\n1\n2\n")
    sm.put_object(f"s3://atelier/sm-code/{name}/prep.py", (
        "import os\n"
        "rows = open('/opt/ml/processing/input/raw/a.csv').read().split()[1:]\n"
        "os.makedirs('/opt/ml/processing/output', exist_ok=True)\n"
        "open('/opt/ml/processing/output/sum.txt', 'w').write(str(sum(map(int, rows))))\n"
        "print('processed rows', len(rows))\n").encode())
    s3in = {"S3DataType": "S3Prefix", "S3InputMode": "File", "S3DataDistributionType": "FullyReplicated"}
    arn = sagemaker.create_processing_job(
        ProcessingJobName=name, RoleArn="arn:aws:iam::123456789012:role/AnyRole",
        AppSpecification={"ImageUri": DATASCIENCE,
                          "ContainerEntrypoint": ["python3", "/opt/ml/processing/input/code/prep.py"]},
        ProcessingInputs=[
            {"InputName": "raw", "AppManaged": False, "S3Input": {
                "S3Uri": f"s3://atelier/sm-raw/{name}/", "LocalPath": "/opt/ml/processing/input/raw", **s3in}},
            {"InputName": "code", "AppManaged": False, "S3Input": {
                "S3Uri": f"s3://atelier/sm-code/{name}/prep.py", "LocalPath": "/opt/ml/processing/input/code", **s3in}}],
        ProcessingOutputConfig={"Outputs": [{"OutputName": "output-1", "AppManaged": False, "S3Output": {
            "S3Uri": f"s3://atelier/sm-clean/{name}", "LocalPath": "/opt/ml/processing/output",
            "S3UploadMode": "EndOfJob"}}]},
        ProcessingResources={"ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.t3.medium", "VolumeSizeInGB": 5}},
        StoppingCondition={"MaxRuntimeInSeconds": 300})["ProcessingJobArn"]
    assert arn.endswith(f":processing-job/{name}")
    sagemaker.get_waiter("processing_job_completed_or_stopped").wait(ProcessingJobName=name, WaiterConfig=FAST)
    d = sagemaker.describe_processing_job(ProcessingJobName=name)
    assert d["ProcessingJobStatus"] == "Completed", d.get("FailureReason")
    assert d["ProcessingResources"]["ClusterConfig"]["InstanceCount"] == 1
    assert d["ProcessingEndTime"] >= d["CreationTime"]
    r = sm.rest.get("/atelier/api/objects", params={"uri": f"s3://atelier/sm-clean/{name}/sum.txt"})
    assert r.status_code == 200 and r.content == b"3", r.text
    listed = sagemaker.list_processing_jobs(NameContains=name)["ProcessingJobSummaries"]
    assert [(p["ProcessingJobName"], p["ProcessingJobStatus"]) for p in listed] == [(name, "Completed")]
    logs = sm.client("logs")
    stream = logs.describe_log_streams(logGroupName="/aws/sagemaker/ProcessingJobs",
                                       logStreamNamePrefix=f"{name}/")["logStreams"][0]["logStreamName"]
    events = logs.get_log_events(logGroupName="/aws/sagemaker/ProcessingJobs", logStreamName=stream,
                                 startFromHead=True)["events"]
    assert any("processed rows 2" in e["message"] for e in events), events


@pytest.mark.timeout(120)
def test_refusals_are_the_client_errors_the_sdk_expects(sm, monkeypatch):
    sagemaker = sm.client()
    with pytest.raises(ClientError) as e:
        sagemaker.describe_training_job(TrainingJobName=unique("missing"))
    assert code(e) == "ValidationException" and e.value.response["Error"]["Message"] == "Requested resource not found."
    with pytest.raises(WaiterError):
        sagemaker.get_waiter("training_job_completed_or_stopped").wait(TrainingJobName=unique("missing"),
                                                                       WaiterConfig=FAST)
    with pytest.raises(ClientError) as e:
        sagemaker.describe_processing_job(ProcessingJobName="bad_name")
    assert code(e) == "ValidationException" and "'ProcessingJobName'" in e.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as e:
        sagemaker.list_training_jobs(SortBy="Size")
    assert code(e) == "ValidationException" and "'SortBy'" in e.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as e:
        sagemaker.create_training_job(**training(unique("t"), "s3://atelier/x/", ResourceConfig={
            "InstanceType": "ml.nope.large", "InstanceCount": 1, "VolumeSizeInGB": 5}))
    assert code(e) == "ValidationException" and "ResourceConfig.InstanceType" in e.value.response["Error"]["Message"]

    # An operation this server does not offer: the signed target is rewritten before signing.
    unknown = sm.client()
    unknown.meta.events.register("before-sign.sagemaker.ListTrainingJobs",
                                 lambda request, **kw: request.headers.replace_header("X-Amz-Target",
                                                                                      "SageMaker.NoSuchOperation"))
    with pytest.raises(ClientError) as e:
        unknown.list_training_jobs()
    assert code(e) == "UnknownOperationException" and "SageMaker.NoSuchOperation" in e.value.response["Error"]["Message"]

    with pytest.raises(ClientError) as e:
        sm.client(secret="x" * 40).list_training_jobs()
    assert code(e) == "InvalidSignatureException"
    with pytest.raises(ClientError) as e:
        sm.client(key_id="AKATNOSUCHKEY0000000").list_training_jobs()
    assert code(e) == "UnrecognizedClientException"
    # A client whose clock is 20 minutes behind signs a date outside AWS's 15-minute window.
    late = botocore.auth.get_current_datetime() - datetime.timedelta(minutes=20)
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda: late)
    with pytest.raises(ClientError) as e:
        sm.client().list_training_jobs()
    assert code(e) == "InvalidSignatureException" and "Signature expired" in e.value.response["Error"]["Message"]
    monkeypatch.undo()

    # The server token is not a signing key, and an unsigned call is refused.
    r = sm.rest.post("/atelier/api/sagemaker", data=json.dumps({}),
                     headers={"X-Amz-Target": "SageMaker.ListTrainingJobs"})
    assert r.status_code == 400 and r.json()["__type"] == "IncompleteSignature", r.text
    r = requests.post(sm.url, data=b"{}", headers={"X-Amz-Target": "SageMaker.ListTrainingJobs"}, timeout=30)
    assert r.status_code == 403 and r.json()["__type"] == "MissingAuthenticationTokenException", r.text


@pytest.mark.timeout(60)
def test_rotating_the_access_key_retires_the_old_one(sm):
    old = sm.client()
    old.list_training_jobs(MaxResults=1)
    r = sm.rest.post("/atelier/api/sagemaker/access-key/rotate")
    assert r.status_code == 200, r.text
    new = r.json()
    assert new["AccessKeyId"] != sm.key["AccessKeyId"]
    with pytest.raises(ClientError) as e:
        old.list_training_jobs(MaxResults=1)
    assert code(e) == "UnrecognizedClientException"
    sm.key = new
    assert "TrainingJobSummaries" in sm.client().list_training_jobs(MaxResults=1)
    assert sm.rest.get("/atelier/api/sagemaker/access-key").json()["AccessKeyId"] == new["AccessKeyId"]


@pytest.mark.timeout(300)
def test_each_key_acts_as_its_owner_and_sees_only_its_own_jobs(sm):
    other = f"user-{uuid.uuid4().hex[:6]}"
    r = sm.rest.get(f"/atelier/api/sagemaker/access-keys/{other}")
    assert r.status_code == 200, r.text
    theirs_key = r.json()
    assert theirs_key["Owner"] == other and theirs_key["AccessKeyId"] != sm.key["AccessKeyId"]
    assert sm.rest.get(f"/atelier/api/sagemaker/access-keys/{other}").json()["AccessKeyId"] == \
        theirs_key["AccessKeyId"], "a key is issued once and then shown"
    bad = sm.rest.get("/atelier/api/sagemaker/access-keys/-nope")
    assert bad.status_code == 400 and "owner" in bad.text, bad.text

    theirs = sm.client(key_id=theirs_key["AccessKeyId"], secret=theirs_key["SecretAccessKey"])
    mine = sm.client()
    name = unique("owned")
    sm.put_object(f"s3://atelier/sm-data/{name}/train.csv", classification_csv())
    theirs.create_training_job(**training(name, f"s3://atelier/sm-data/{name}/"))
    assert theirs.describe_training_job(TrainingJobName=name)["TrainingJobName"] == name
    # The server's own API (the Jobs panel) shows the job with its owner.
    assert sm.rest.get(f"/atelier/api/training-jobs/{name}").json()["CreatedBy"]["UserProfileName"] == other
    assert [s["TrainingJobName"] for s in theirs.list_training_jobs(NameContains=name)["TrainingJobSummaries"]] == [name]

    # Another owner's key finds nothing by that name, as AWS answers for another account's job.
    for call in (lambda: mine.describe_training_job(TrainingJobName=name),
                 lambda: mine.stop_training_job(TrainingJobName=name)):
        with pytest.raises(ClientError) as e:
            call()
        assert code(e) == "ValidationException" and e.value.response["Error"]["Message"] == \
            "Requested resource not found."
    assert mine.list_training_jobs(NameContains=name)["TrainingJobSummaries"] == []
    mine_logs, their_logs = sm.client("logs"), sm.client("logs", key_id=theirs_key["AccessKeyId"],
                                                          secret=theirs_key["SecretAccessKey"])
    assert mine_logs.describe_log_streams(logGroupName="/aws/sagemaker/TrainingJobs",
                                          logStreamNamePrefix=f"{name}/")["logStreams"] == []
    stream = their_logs.describe_log_streams(logGroupName="/aws/sagemaker/TrainingJobs",
                                             logStreamNamePrefix=f"{name}/")["logStreams"][0]["logStreamName"]
    with pytest.raises(ClientError) as e:
        mine_logs.get_log_events(logGroupName="/aws/sagemaker/TrainingJobs", logStreamName=stream)
    assert code(e) == "ResourceNotFoundException"

    # The name stays taken for everyone: job names are unique on the server.
    with pytest.raises(ClientError) as e:
        mine.create_training_job(**training(name, f"s3://atelier/sm-data/{name}/"))
    assert code(e) == "ResourceInUse"

    try:
        theirs.stop_training_job(TrainingJobName=name)
    except ClientError as e:   # it ended first: stopping an ended job is refused so
        assert e.response["Error"]["Code"] == "ValidationException"
        assert theirs.describe_training_job(TrainingJobName=name)["TrainingJobStatus"] in ("Completed", "Failed")
    theirs.get_waiter("training_job_completed_or_stopped").wait(TrainingJobName=name, WaiterConfig=FAST)
    assert theirs.describe_training_job(TrainingJobName=name)["TrainingJobStatus"] in ("Stopped", "Completed")


def stop_quietly(client, name: str) -> None:
    """Stops a job the test does not need to run; one that already ended is refused so."""
    try:
        client.stop_training_job(TrainingJobName=name)
    except ClientError as e:
        assert e.response["Error"]["Code"] == "ValidationException", e.response


@pytest.mark.timeout(180)
def test_tags_of_a_job_are_added_listed_and_deleted_by_its_owner_only(sm):
    sagemaker = sm.client()
    name = unique("tagged")
    sm.put_object(f"s3://atelier/sm-data/{name}/train.csv", classification_csv())
    arn = sagemaker.create_training_job(**training(name, f"s3://atelier/sm-data/{name}/",
                                                   Tags=[{"Key": "team", "Value": "ml"}]))["TrainingJobArn"]
    stop_quietly(sagemaker, name)
    assert sagemaker.list_tags(ResourceArn=arn)["Tags"] == [{"Key": "team", "Value": "ml"}]
    added = sagemaker.add_tags(ResourceArn=arn, Tags=[{"Key": "stage", "Value": "dev"},
                                                      {"Key": "team", "Value": "research"}])
    assert added["Tags"] == [{"Key": "stage", "Value": "dev"}, {"Key": "team", "Value": "research"}]
    # The job's ARN as signed for another region names the same job.
    elsewhere = arn.replace(f":{REGION}:", ":us-east-1:")
    assert sagemaker.list_tags(ResourceArn=elsewhere)["Tags"] == added["Tags"]
    sagemaker.delete_tags(ResourceArn=arn, TagKeys=["stage", "not-there"])
    assert sagemaker.list_tags(ResourceArn=arn)["Tags"] == [{"Key": "team", "Value": "research"}]

    with pytest.raises(ClientError) as e:
        sagemaker.add_tags(ResourceArn=arn, Tags=[{"Key": "aws:owner", "Value": "x"}])
    assert code(e) == "ValidationException" and "aws:" in e.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as e:
        sagemaker.add_tags(ResourceArn=arn, Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(50)])
    assert code(e) == "ResourceLimitExceeded"
    assert len(sagemaker.list_tags(ResourceArn=arn)["Tags"]) == 1, "a refused AddTags changes nothing"
    with pytest.raises(ClientError) as e:
        sagemaker.list_tags(ResourceArn=arn.replace(name, unique("missing")))
    assert code(e) == "ValidationException"
    with pytest.raises(ClientError) as e:
        sagemaker.list_tags(ResourceArn="not-an-arn")
    assert code(e) == "ValidationException" and "resourceArn" in e.value.response["Error"]["Message"]

    other = sm.rest.get(f"/atelier/api/sagemaker/access-keys/tags-{uuid.uuid4().hex[:6]}").json()
    theirs = sm.client(key_id=other["AccessKeyId"], secret=other["SecretAccessKey"])
    for call in (lambda: theirs.list_tags(ResourceArn=arn),
                 lambda: theirs.add_tags(ResourceArn=arn, Tags=[{"Key": "x", "Value": "y"}]),
                 lambda: theirs.delete_tags(ResourceArn=arn, TagKeys=["team"])):
        with pytest.raises(ClientError) as e:
            call()
        assert code(e) == "ValidationException"
    assert sagemaker.list_tags(ResourceArn=arn)["Tags"] == [{"Key": "team", "Value": "research"}]
