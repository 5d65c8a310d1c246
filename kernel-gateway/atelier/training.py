"""Training jobs from notebook code, shaped like the sagemaker SDK's ``Estimator``.

    from atelier import Estimator
    est = Estimator("atelier/sklearn:latest", hyperparameters={"algorithm": "random_forest_classifier", "target": "label"})
    est.fit({"train": "s3://atelier/data/iris/"})
    est.model_data        # s3://atelier/output/<job>/output/model.tar.gz

``fit`` sends SageMaker's CreateTrainingJob request to the Atelier server and (by default) waits,
showing the job's progress and streaming its log; ``TrainingJob`` follows a job by its name.
"""

from __future__ import annotations

import os
from typing import Any, Iterable, Mapping

from .api import AtelierError, Session, parse_s3_uri
from .debugging import DebuggerHookConfig, ProfilerConfig, Rule, debugger_fields
from .display import parse_time
from .job import (
    Job,
    base_name_from_image,
    check_job_name,
    is_local,
    name_from_base,
    string_map,
    tag_list,
    upload_local,
)

__all__ = ["Estimator", "Metrics", "TrainingInput", "TrainingJob"]


class Metrics(dict):
    """Metric name -> list of (timestamp, value), oldest first; ``dataframe()`` with pandas."""

    def dataframe(self):
        import pandas as pd  # optional: only this method needs it

        rows = [(name, ts, value) for name, series in self.items() for ts, value in series]
        return pd.DataFrame(rows, columns=["metric_name", "timestamp", "value"])


class TrainingJob(Job):
    """A training job on the Atelier server."""

    kind = "training"
    collection = "training-jobs"
    status_field = "TrainingJobStatus"

    def metrics(self) -> Metrics:
        """Every metric the MetricDefinitions matched: name -> [(timestamp (UTC datetime), value)]."""
        answer = self.session.get(f"{self.path}/metrics") or {}
        result = Metrics()
        for name, series in (answer.get("metrics") or {}).items():
            result[name] = [(parse_time(p.get("timestamp")), p.get("value")) for p in series]
        return result

    def metrics_to_show(self, description: Mapping[str, Any]) -> dict | None:
        """The metrics so far, when the job defines any (a failed request shows none)."""
        definitions = (description.get("AlgorithmSpecification") or {}).get("MetricDefinitions")
        if not definitions:
            return None
        try:
            return self.metrics()
        except AtelierError:
            return None

    def rule_statuses(self) -> list[dict]:
        """The rules' DebugRuleEvaluationStatuses, then ProfilerRuleEvaluationStatuses, as the
        server has them now: ``RuleConfigurationName``, ``RuleEvaluationStatus`` (InProgress,
        NoIssuesFound, IssuesFound, Error, Stopping, Stopped), ``StatusDetails``..."""
        d = self.describe()
        return [dict(s) for field in ("DebugRuleEvaluationStatuses", "ProfilerRuleEvaluationStatuses")
                for s in d.get(field) or []]

    @property
    def tensors_s3_uri(self) -> str | None:
        """Where the job's tensors are (``<DebugHookConfig.S3OutputPath>/<job>/debug-output``), as
        the server resolves it; None for a job that saves none."""
        return (self.session.get(f"{self.path}/debugger") or {}).get("TensorsS3Uri")

    def debugger_trial(self):
        """``atelier.debugger.trial()`` over the job's tensors in S3, while it runs or after."""
        uri = self.tensors_s3_uri
        if not uri:
            raise ValueError(f"training job {self.name} saves no tensors (it has no DebugHookConfig or rules)")
        from .debugger import trial

        return trial(uri, session=self.session)

    @property
    def model_data(self) -> str | None:
        """``ModelArtifacts.S3ModelArtifacts``: the S3 URI of ``model.tar.gz``."""
        return (self.describe().get("ModelArtifacts") or {}).get("S3ModelArtifacts")

    @property
    def output_data(self) -> str | None:
        """``OutputArtifacts.S3OutputArtifacts``: the S3 URI of ``output.tar.gz``."""
        return (self.describe().get("OutputArtifacts") or {}).get("S3OutputArtifacts")

    def deploy(self, instance_type: str = "ml.m5.large", initial_instance_count: int = 1,
               endpoint_name: str | None = None, wait: bool = True, model_name: str | None = None, **kwargs: Any):
        """Serve the job's model: a Model made from this (Completed) job, an endpoint config with one
        variant ``AllTraffic``, and the endpoint; with ``wait``, until it is InService. Returns an
        ``atelier.endpoints.Predictor``; ``kwargs`` as ``Model.deploy`` (serializer, deserializer, tags)."""
        from .endpoints import Model

        model = Model.from_training_job(self.name, name=model_name, session=self.session)
        return model.deploy(instance_type=instance_type, initial_instance_count=initial_instance_count,
                            endpoint_name=endpoint_name, wait=wait, **kwargs)


class TrainingInput:
    """One channel's data: an S3 prefix (or a local path, uploaded first) and its content type."""

    def __init__(self, s3_data: str, content_type: str | None = None):
        self.s3_data = s3_data
        self.content_type = content_type

    def __repr__(self) -> str:
        return f"TrainingInput({self.s3_data!r})"


class Estimator:
    """Runs a training job, like ``sagemaker.estimator.Estimator``.

    ``hyperparameters`` become strings (lists and dicts as JSON). ``entry_point`` (with
    ``source_dir``) runs your own script in the image (script mode): the server packs
    ``source_dir``, a folder of the notebook server, and the image's ``train`` runs the entry
    point with the hyperparameters as ``--name value`` arguments. Without ``source_dir`` the
    entry point file alone is sent; ``files`` (file name -> content) sends code written inline.
    ``entrypoint``/``arguments`` replace the container's command (``ContainerEntrypoint`` and
    ``ContainerArguments``).

    The debugger (``atelier.debugging``): ``rules`` (``Rule.builtin("vanishing_gradient")``,
    ``Rule.custom(...)``, ``ProfilerRule.builtin(...)``) run beside the job;
    ``debugger_hook_config`` (a ``DebuggerHookConfig``, or False for none) says which tensors the
    hook saves; ``profiler_config`` (a ``ProfilerConfig``) samples the container's CPU, memory and I/O.
    """

    def __init__(
        self,
        image_uri: str,
        instance_type: str = "ml.m5.large",
        hyperparameters: Mapping[str, Any] | None = None,
        metric_definitions: Iterable[Mapping[str, str]] | None = None,
        output_path: str | None = None,
        max_run: int = 86400,
        environment: Mapping[str, Any] | None = None,
        entry_point: str | None = None,
        source_dir: str | None = None,
        checkpoint_s3_uri: str | None = None,
        tags: Any = None,
        session: Session | None = None,
        base_job_name: str | None = None,
        entrypoint: list[str] | None = None,
        arguments: list[str] | None = None,
        files: Mapping[str, str] | None = None,
        volume_size: int | None = None,
        rules: Iterable[Rule] | None = None,
        debugger_hook_config: DebuggerHookConfig | bool | None = None,
        profiler_config: ProfilerConfig | bool | None = None,
    ):
        if not image_uri:
            raise ValueError("image_uri is required, e.g. 'atelier/sklearn:latest'")
        if source_dir and not entry_point:
            raise ValueError("source_dir needs an entry_point (the script inside it to run)")
        if files and not entry_point:
            raise ValueError("files needs an entry_point (the file among them to run)")
        if files and source_dir:
            raise ValueError("pass either source_dir or files, not both")
        self.image_uri = image_uri
        self.instance_type = instance_type
        self.hyperparameters = dict(hyperparameters or {})
        self.metric_definitions = [dict(d) for d in metric_definitions or []]
        self.output_path = output_path
        self.max_run = int(max_run)
        self.environment = dict(environment or {})
        self.entry_point = entry_point
        self.source_dir = source_dir
        self.files = dict(files) if files else None
        self.checkpoint_s3_uri = checkpoint_s3_uri
        self.tags = tags
        self._session = session
        self.base_job_name = base_job_name
        self.entrypoint = list(entrypoint) if entrypoint else None
        self.arguments = list(arguments) if arguments else None
        self.volume_size = volume_size
        self.rules = list(rules or [])
        self.debugger_hook_config = debugger_hook_config
        self.profiler_config = profiler_config
        self.latest_training_job: TrainingJob | None = None

    @property
    def session(self) -> Session:
        if self._session is None:
            self._session = Session()
        return self._session

    def set_hyperparameters(self, **kwargs: Any) -> None:
        self.hyperparameters.update(kwargs)

    def _script_mode(self) -> dict | None:
        if not self.entry_point:
            return None
        if self.files is not None:
            if self.entry_point not in self.files:
                raise ValueError(f"entry_point {self.entry_point!r} is not among files {sorted(self.files)}")
            return {"EntryPoint": self.entry_point, "Files": {str(k): str(v) for k, v in self.files.items()}}
        if self.source_dir:
            if self.source_dir.startswith("s3://"):
                raise ValueError("source_dir is a folder of the notebook server, not an S3 URI")
            if os.path.isdir(self.source_dir) and not os.path.isfile(os.path.join(self.source_dir, self.entry_point)):
                raise ValueError(f"entry_point {self.entry_point!r} is not a file in source_dir {self.source_dir!r}")
            return {"EntryPoint": self.entry_point, "SourceDir": _relative_to_root(self.source_dir)}
        # The entry point alone, sent as its content (the sagemaker SDK uploads just this file).
        if not os.path.isfile(self.entry_point):
            raise FileNotFoundError(f"entry_point {self.entry_point!r} is not a file (or pass source_dir)")
        with open(self.entry_point, encoding="utf-8") as f:
            content = f.read()
        name = os.path.basename(self.entry_point)
        return {"EntryPoint": name, "Files": {name: content}}

    def _channels(self, inputs: Any, job_name: str) -> list[dict]:
        if inputs is None:
            return []
        if isinstance(inputs, (str, TrainingInput)):
            inputs = {"train": inputs}
        if not isinstance(inputs, Mapping):
            raise TypeError("inputs must be an S3 URI, a local path, or a dict of channel name -> S3 URI or path")
        channels = []
        for channel, value in inputs.items():
            content_type = None
            if isinstance(value, TrainingInput):
                value, content_type = value.s3_data, value.content_type
            if not isinstance(value, str):
                raise TypeError(f"channel {channel!r}: expected an S3 URI or a local path, got {type(value).__name__}")
            if is_local(value):
                value = upload_local(self.session, value, f"data/{job_name}/{channel}")
            else:
                parse_s3_uri(value)
            entry: dict[str, Any] = {
                "ChannelName": str(channel),
                "DataSource": {
                    "S3DataSource": {"S3Uri": value, "S3DataType": "S3Prefix", "S3DataDistributionType": "FullyReplicated"}
                },
                "InputMode": "File",
            }
            if content_type:
                entry["ContentType"] = content_type
            channels.append(entry)
        return channels

    def _request(self, inputs: Any, job_name: str) -> dict:
        algorithm: dict[str, Any] = {"TrainingImage": self.image_uri, "TrainingInputMode": "File"}
        if self.metric_definitions:
            algorithm["MetricDefinitions"] = [{"Name": d["Name"], "Regex": d["Regex"]} for d in self.metric_definitions]
        if self.entrypoint:
            algorithm["ContainerEntrypoint"] = self.entrypoint
        if self.arguments:
            algorithm["ContainerArguments"] = [str(a) for a in self.arguments]
        resources: dict[str, Any] = {"InstanceType": self.instance_type, "InstanceCount": 1}
        if self.volume_size:
            resources["VolumeSizeInGB"] = int(self.volume_size)
        output_path = self.output_path or f"s3://{self.session.default_bucket()}/output"
        request: dict[str, Any] = {
            "TrainingJobName": job_name,
            "AlgorithmSpecification": algorithm,
            "HyperParameters": string_map(self.hyperparameters),
            "InputDataConfig": self._channels(inputs, job_name),
            "OutputDataConfig": {"S3OutputPath": output_path},
            "ResourceConfig": resources,
            "StoppingCondition": {"MaxRuntimeInSeconds": self.max_run},
        }
        if self.environment:
            request["Environment"] = string_map(self.environment)
        if self.checkpoint_s3_uri:
            request["CheckpointConfig"] = {"S3Uri": self.checkpoint_s3_uri}
        tags = tag_list(self.tags)
        if tags:
            request["Tags"] = tags
        script = self._script_mode()
        if script:
            request["ScriptMode"] = script
        request.update(debugger_fields(self.rules, self.debugger_hook_config, self.profiler_config, job_name,
                                       output_path, self.session))
        return request

    def _job_name(self, job_name: str | None) -> str:
        if job_name:
            return check_job_name(job_name)
        base = self.base_job_name or (
            os.path.splitext(os.path.basename(self.entry_point))[0] if self.entry_point and not self.files else None
        ) or base_name_from_image(self.image_uri)
        return name_from_base(base)

    def fit(self, inputs: Any = None, job_name: str | None = None, wait: bool = True, logs: bool = True) -> TrainingJob:
        """Start a training job and (with ``wait``) wait for it, streaming its log with ``logs``.

        ``inputs``: an S3 URI (the ``train`` channel), a dict of channel name -> S3 URI, or local
        paths in their place (uploaded first with ``upload_data``).
        """
        name = self._job_name(job_name)
        request = self._request(inputs, name)
        self.session.post("training-jobs", request)
        job = TrainingJob(name, self.session)
        self.latest_training_job = job
        if wait:
            job.wait(logs=logs)
        return job

    @property
    def model_data(self) -> str | None:
        """The S3 URI of the last job's ``model.tar.gz``."""
        if self.latest_training_job is None:
            raise AttributeError("no training job yet: call fit() first")
        return self.latest_training_job.model_data

    def deploy(self, instance_type: str | None = None, initial_instance_count: int = 1, **kwargs: Any):
        """Serve the last job's model (``TrainingJob.deploy``), on this estimator's instance type by default."""
        if self.latest_training_job is None:
            raise AttributeError("no training job yet: call fit() first")
        return self.latest_training_job.deploy(instance_type or self.instance_type, initial_instance_count, **kwargs)


def _relative_to_root(folder: str) -> str:
    """``folder`` (relative to the kernel's working directory, the notebook's folder) as a path
    relative to the notebook root ``ATELIER_ROOT_DIR``; as given when that is not set."""
    root = os.environ.get("ATELIER_ROOT_DIR")
    if not root:
        return folder
    root_abs = os.path.realpath(root)
    target = os.path.realpath(folder)
    if os.path.commonpath([root_abs, target]) != root_abs:
        raise ValueError(f"source_dir {folder!r} is outside the notebook root {root}")
    relative = os.path.relpath(target, root_abs).replace(os.sep, "/")
    return relative
