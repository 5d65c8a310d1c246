"""Processing jobs from notebook code, shaped like the sagemaker SDK's ``Processor``.

    from atelier import Processor, ProcessingInput, ProcessingOutput
    proc = Processor("atelier/datascience:latest")
    job = proc.run(code="prep.py",
                   inputs=[ProcessingInput("s3://atelier/raw/", "/opt/ml/processing/input/raw", "raw")],
                   outputs=[ProcessingOutput("/opt/ml/processing/output/train", output_name="train")])
    job.outputs           # {"train": "s3://atelier/<job>/output/train"}

``run`` sends SageMaker's CreateProcessingJob request to the Atelier server and (by default)
waits, showing the job's progress and streaming its log; ``ProcessingJob`` follows a job by its
name.
"""

from __future__ import annotations

import os
import posixpath
from typing import Any, Mapping

from .api import Session, parse_s3_uri
from .job import (
    Job,
    base_name_from_image,
    check_job_name,
    is_local,
    local_path,
    name_from_base,
    string_map,
    tag_list,
    upload_local,
)

__all__ = ["ProcessingInput", "ProcessingJob", "ProcessingOutput", "Processor", "ScriptProcessor"]

_CODE_DIR = "/opt/ml/processing/input/code"


class ProcessingJob(Job):
    """A processing job on the Atelier server."""

    kind = "processing"
    collection = "processing-jobs"
    status_field = "ProcessingJobStatus"

    @property
    def outputs(self) -> dict[str, str]:
        """Output name -> the S3 URI it is uploaded to."""
        outputs = ((self.describe().get("ProcessingOutputConfig") or {}).get("Outputs")) or []
        return {o.get("OutputName"): (o.get("S3Output") or {}).get("S3Uri") for o in outputs}


class ProcessingInput:
    """Data staged into the container before it starts: ``source`` (S3 URI or local path) to
    ``destination`` (a folder under ``/opt/ml/processing/``)."""

    def __init__(self, source: str, destination: str, input_name: str | None = None):
        self.source = source
        self.destination = destination
        self.input_name = input_name

    def __repr__(self) -> str:
        return f"ProcessingInput({self.source!r}, {self.destination!r}, {self.input_name!r})"


class ProcessingOutput:
    """A folder of the container (``source``, under ``/opt/ml/processing/``) uploaded to
    ``destination`` (an S3 URI; by default ``s3://<bucket>/<job>/output/<output_name>``) when the
    job ends."""

    def __init__(self, source: str, destination: str | None = None, output_name: str | None = None):
        self.source = source
        self.destination = destination
        self.output_name = output_name

    def __repr__(self) -> str:
        return f"ProcessingOutput({self.source!r}, {self.destination!r}, {self.output_name!r})"


class Processor:
    """Runs a processing job, like the sagemaker SDK's ``Processor``/``ScriptProcessor``.

    ``run(code="prep.py")`` uploads the script, mounts it under ``/opt/ml/processing/input/code``
    and runs it with ``entrypoint`` (default ``["python3"]``), as ``ScriptProcessor`` does.
    """

    def __init__(
        self,
        image_uri: str,
        instance_type: str = "ml.m5.large",
        entrypoint: list[str] | None = None,
        arguments: list[str] | None = None,
        environment: Mapping[str, Any] | None = None,
        session: Session | None = None,
        base_job_name: str | None = None,
        max_run: int = 86400,
        tags: Any = None,
        volume_size: int | None = None,
    ):
        if not image_uri:
            raise ValueError("image_uri is required")
        self.image_uri = image_uri
        self.instance_type = instance_type
        self.entrypoint = list(entrypoint) if entrypoint else None
        self.arguments = list(arguments) if arguments else None
        self.environment = dict(environment or {})
        self._session = session
        self.base_job_name = base_job_name
        self.max_run = int(max_run)
        self.tags = tags
        self.volume_size = volume_size
        self.latest_job: ProcessingJob | None = None

    @property
    def session(self) -> Session:
        if self._session is None:
            self._session = Session()
        return self._session

    def _request(self, job_name, inputs, outputs, arguments, code) -> dict:
        app: dict[str, Any] = {"ImageUri": self.image_uri}
        entrypoint = list(self.entrypoint) if self.entrypoint else None
        proc_inputs = []
        for i, item in enumerate(inputs or []):
            if not isinstance(item, ProcessingInput):
                raise TypeError(f"inputs[{i}] must be a ProcessingInput")
            name = item.input_name or f"input-{i + 1}"
            source = item.source
            if is_local(source):
                source = upload_local(self.session, source, f"{job_name}/input/{name}")
            else:
                parse_s3_uri(source)
            proc_inputs.append({
                "InputName": name,
                "S3Input": {"S3Uri": source, "LocalPath": item.destination, "S3DataType": "S3Prefix", "S3InputMode": "File"},
            })
        if code:
            if is_local(code):
                path = local_path(code)
                if not os.path.isfile(path):
                    raise FileNotFoundError(f"code {code!r} is not a file")
                uri = self.session.upload_data(path, key_prefix=f"{job_name}/input/code")
                code_prefix, script = uri.rsplit("/", 1)[0] + "/", os.path.basename(path)
            else:
                _, key = parse_s3_uri(code)
                code_prefix, script = code, posixpath.basename(key)
            proc_inputs.append({
                "InputName": "code",
                "S3Input": {"S3Uri": code_prefix, "LocalPath": _CODE_DIR, "S3DataType": "S3Prefix", "S3InputMode": "File"},
            })
            entrypoint = (entrypoint or ["python3"]) + [f"{_CODE_DIR}/{script}"]
        if entrypoint:
            app["ContainerEntrypoint"] = entrypoint
        arguments = arguments if arguments is not None else self.arguments
        if arguments:
            app["ContainerArguments"] = [str(a) for a in arguments]
        proc_outputs = []
        for i, item in enumerate(outputs or []):
            if not isinstance(item, ProcessingOutput):
                raise TypeError(f"outputs[{i}] must be a ProcessingOutput")
            name = item.output_name or f"output-{i + 1}"
            destination = item.destination or f"s3://{self.session.default_bucket()}/{job_name}/output/{name}"
            parse_s3_uri(destination)
            proc_outputs.append({
                "OutputName": name,
                "S3Output": {"S3Uri": destination, "LocalPath": item.source, "S3UploadMode": "EndOfJob"},
            })
        cluster: dict[str, Any] = {"InstanceCount": 1, "InstanceType": self.instance_type}
        if self.volume_size:
            cluster["VolumeSizeInGB"] = int(self.volume_size)
        request: dict[str, Any] = {
            "ProcessingJobName": job_name,
            "AppSpecification": app,
            "ProcessingResources": {"ClusterConfig": cluster},
            "StoppingCondition": {"MaxRuntimeInSeconds": self.max_run},
        }
        if proc_inputs:
            request["ProcessingInputs"] = proc_inputs
        if proc_outputs:
            request["ProcessingOutputConfig"] = {"Outputs": proc_outputs}
        if self.environment:
            request["Environment"] = string_map(self.environment)
        tags = tag_list(self.tags)
        if tags:
            request["Tags"] = tags
        return request

    def run(
        self,
        inputs: list[ProcessingInput] | None = None,
        outputs: list[ProcessingOutput] | None = None,
        arguments: list[str] | None = None,
        code: str | None = None,
        wait: bool = True,
        logs: bool = True,
        job_name: str | None = None,
    ) -> ProcessingJob:
        """Start a processing job and (with ``wait``) wait for it, streaming its log with ``logs``."""
        if job_name:
            name = check_job_name(job_name)
        else:
            base = self.base_job_name or (
                os.path.splitext(os.path.basename(code))[0] if code else base_name_from_image(self.image_uri)
            )
            name = name_from_base(base)
        request = self._request(name, inputs, outputs, arguments, code)
        self.session.post("processing-jobs", request)
        job = ProcessingJob(name, self.session)
        self.latest_job = job
        if wait:
            job.wait(logs=logs)
        return job


class ScriptProcessor(Processor):
    """``Processor`` with ``command`` as the entry point, as in the sagemaker SDK."""

    def __init__(self, image_uri: str, command: list[str] | None = None, instance_type: str = "ml.m5.large", **kwargs: Any):
        super().__init__(image_uri, instance_type, entrypoint=command or ["python3"], **kwargs)
