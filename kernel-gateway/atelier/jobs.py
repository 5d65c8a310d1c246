"""Training and processing jobs from notebook code, shaped like the sagemaker SDK.

    from atelier import Estimator
    est = Estimator("atelier/sklearn:latest", hyperparameters={"algorithm": "random_forest_classifier", "target": "label"})
    est.fit({"train": "s3://atelier/data/iris/"})
    est.model_data        # s3://atelier/output/<job>/output/model.tar.gz

``fit``/``run`` send SageMaker's CreateTrainingJob / CreateProcessingJob requests to the Atelier
server; ``wait`` shows the job's progress (a live block in notebooks, text lines elsewhere) and
streams its log.
"""

from __future__ import annotations

import datetime as _dt
import html
import json
import os
import posixpath
import re
import sys
import threading
import time
import urllib.parse
import warnings
from typing import Any, Iterable, Mapping

from .api import AtelierError, Session, parse_s3_uri

__all__ = [
    "Estimator",
    "JobFailed",
    "Metrics",
    "ProcessingInput",
    "ProcessingJob",
    "ProcessingOutput",
    "Processor",
    "TrainingInput",
    "TrainingJob",
    "list_jobs",
    "name_from_base",
]

_NAME = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")
_TERMINAL = {"Completed", "Failed", "Stopped"}
_CODE_DIR = "/opt/ml/processing/input/code"
_LOG_LIMIT = 1000


class JobFailed(Exception):
    """A job ended Failed; ``reason`` is its FailureReason."""

    def __init__(self, name: str, reason: str | None, kind: str = "training"):
        self.name = name
        self.reason = reason or "no reason given"
        self.kind = kind
        super().__init__(f"{kind} job {name} failed: {self.reason}")

    def _render_traceback_(self) -> list[str]:
        return [f"JobFailed: {self}"]


# -- names -------------------------------------------------------------------------------------

_last_stamp = [""]
_stamp_lock = threading.Lock()


def _timestamp() -> str:
    """``YYYY-MM-DD-HH-MM-SS-mmm`` (UTC), never the same twice in this process."""
    with _stamp_lock:
        while True:
            now = _dt.datetime.now(_dt.timezone.utc)
            stamp = now.strftime("%Y-%m-%d-%H-%M-%S-") + f"{now.microsecond // 1000:03d}"
            if stamp != _last_stamp[0]:
                _last_stamp[0] = stamp
                return stamp
            time.sleep(0.001)


def _clean_base(base: str) -> str:
    base = re.sub(r"[^a-zA-Z0-9-]+", "-", base)
    return base.strip("-") or "job"


def base_name_from_image(image: str) -> str:
    """``registry/atelier/sklearn:latest`` -> ``sklearn``."""
    name = image.rsplit("/", 1)[-1].split("@", 1)[0].split(":", 1)[0]
    return _clean_base(name)


def name_from_base(base: str, max_length: int = 63) -> str:
    """``<base>-YYYY-MM-DD-HH-MM-SS-mmm``, cut to a valid job name (at most 63 characters)."""
    stamp = _timestamp()
    base = _clean_base(base)[: max_length - len(stamp) - 1].rstrip("-") or "job"
    return f"{base}-{stamp}"


def _check_name(name: str) -> str:
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(
            f"job name {name!r} is not valid: 1 to 63 letters, digits and hyphens, "
            "starting and ending with a letter or digit"
        )
    return name


# -- values ------------------------------------------------------------------------------------


def _hp_value(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value)
    return str(value)


def _string_map(values: Mapping[str, Any] | None) -> dict[str, str]:
    return {str(k): _hp_value(v) for k, v in (values or {}).items()}


def _tags(tags: Any) -> list[dict[str, str]] | None:
    if not tags:
        return None
    if isinstance(tags, Mapping):
        return [{"Key": str(k), "Value": str(v)} for k, v in tags.items()]
    return [{"Key": str(t["Key"]), "Value": str(t.get("Value", ""))} for t in tags]


def _parse_time(value: Any) -> _dt.datetime | None:
    if isinstance(value, (int, float)):
        return _dt.datetime.fromtimestamp(value / 1000, _dt.timezone.utc)
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = _dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=_dt.timezone.utc)


def _duration(seconds: float) -> str:
    seconds = max(0, int(seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}h {m:02d}m {s:02d}s" if h else (f"{m}m {s:02d}s" if m else f"{s}s")


def _size(n: int | float | None) -> str:
    if n is None:
        return "?"
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(n) < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} B"


def _is_local(source: str) -> bool:
    return not source.startswith("s3://")


def _local_path(source: str) -> str:
    return source[len("file://"):] if source.startswith("file://") else source


def _upload_local(session: Session, source: str, key_prefix: str) -> str:
    """Upload a local file or folder under ``key_prefix``; the S3 prefix that holds it (ends with ``/``)."""
    path = _local_path(source)
    if not os.path.exists(path):
        raise FileNotFoundError(f"{source!r} is neither an s3:// URI nor a local file or folder")
    uri = session.upload_data(path, key_prefix=key_prefix)
    return uri if uri.endswith("/") else uri.rsplit("/", 1)[0] + "/"


# -- progress display --------------------------------------------------------------------------


def _notebook_display():
    """IPython's ``display`` when running in a kernel with a front end, else None."""
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:
        return None
    shell = get_ipython()
    if shell is None or getattr(shell, "kernel", None) is None:
        return None
    return display


class _Progress:
    """One live-updated HTML block in notebooks; a text line per change elsewhere."""

    def __init__(self, kind: str, name: str, out=None):
        self.kind = kind
        self.name = name
        self.out = out
        self.started = time.monotonic()
        self._display = _notebook_display()
        self._handle = None
        self._last_text: tuple | None = None
        self._last_percent = -100

    def _stream(self):
        return self.out or sys.stdout

    def update(self, desc: dict, metrics: Mapping[str, Any] | None = None) -> None:
        status, secondary = _status_of(desc), desc.get("SecondaryStatus")
        since = _secondary_since(desc)
        now = _dt.datetime.now(_dt.timezone.utc)
        elapsed = (now - since).total_seconds() if since else time.monotonic() - self.started
        progress = desc.get("Progress") or {}
        last = {k: v[-1][1] for k, v in (metrics or {}).items() if v}
        if self._display is not None:
            self._show_html(desc, status, secondary, elapsed, progress, last)
        else:
            self._show_text(status, secondary, elapsed, progress, last)

    def _show_html(self, desc, status, secondary, elapsed, progress, last) -> None:
        from IPython.display import HTML

        colour = {"Completed": "#2e7d32", "Failed": "#c62828", "Stopped": "#ef6c00", "Stopping": "#ef6c00"}.get(status, "#1565c0")
        rows = [
            ("Job", f"<b>{html.escape(self.name)}</b> ({self.kind})"),
            ("Status", f"<span style='color:{colour};font-weight:bold'>{html.escape(status or '?')}</span>"
             + (f" &middot; {html.escape(secondary)} for {_duration(elapsed)}" if secondary else f" for {_duration(elapsed)}")),
        ]
        phase, done, total = progress.get("Phase"), progress.get("BytesDone"), progress.get("BytesTotal")
        if phase and status not in _TERMINAL:
            bar = f"<progress value='{int(done or 0)}' max='{int(total or 0) or 1}' style='width:14em'></progress> " if total else ""
            rows.append((html.escape(phase), f"{bar}{_size(done)} of {_size(total)}"))
        if last:
            rows.append(("Metrics", ", ".join(f"{html.escape(k)} = {v:g}" for k, v in sorted(last.items()))))
        if desc.get("FailureReason"):
            rows.append(("Failure", f"<pre style='margin:0;white-space:pre-wrap'>{html.escape(desc['FailureReason'])}</pre>"))
        for label, key in (("Model", ("ModelArtifacts", "S3ModelArtifacts")), ("Output", ("OutputArtifacts", "S3OutputArtifacts"))):
            value = (desc.get(key[0]) or {}).get(key[1])
            if value and status in _TERMINAL:
                rows.append((label, f"<code>{html.escape(value)}</code>"))
        body = "".join(
            f"<tr><th style='text-align:left;padding-right:1em'>{k}</th><td style='text-align:left'>{v}</td></tr>" for k, v in rows
        )
        block = HTML(f"<table class='atelier-job-progress'>{body}</table>")
        if self._handle is None:
            self._handle = self._display(block, display_id=True)
        else:
            self._handle.update(block)

    def _show_text(self, status, secondary, elapsed, progress, last) -> None:
        phase, done, total = progress.get("Phase"), progress.get("BytesDone"), progress.get("BytesTotal")
        percent = int(100 * (done or 0) / total) if total else -1
        key = (status, secondary, phase if status not in _TERMINAL else None)
        if key == self._last_text and not (phase and percent >= self._last_percent + 10):
            return
        self._last_text = key
        self._last_percent = percent if phase else -100
        line = f"{self.name}: {status}" + (f" - {secondary}" if secondary else "") + f" ({_duration(elapsed)})"
        if phase and status not in _TERMINAL:
            line += f" - {phase} {_size(done)} of {_size(total)}"
        if last:
            line += " - " + ", ".join(f"{k}={v:g}" for k, v in sorted(last.items()))
        print(line, file=self._stream(), flush=True)


def _status_of(desc: Mapping[str, Any]) -> str | None:
    return desc.get("TrainingJobStatus") or desc.get("ProcessingJobStatus")


def _secondary_since(desc: Mapping[str, Any]) -> _dt.datetime | None:
    transitions = desc.get("SecondaryStatusTransitions") or []
    if transitions:
        return _parse_time(transitions[-1].get("StartTime"))
    return _parse_time(desc.get("ProcessingStartTime") or desc.get("CreationTime"))


# -- jobs --------------------------------------------------------------------------------------


class Metrics(dict):
    """Metric name -> list of (timestamp, value), oldest first; ``dataframe()`` with pandas."""

    def dataframe(self):
        import pandas as pd  # optional: only this method needs it

        rows = [(name, ts, value) for name, series in self.items() for ts, value in series]
        return pd.DataFrame(rows, columns=["metric_name", "timestamp", "value"])


class _Job:
    kind = ""
    _collection = ""
    _status_key = ""

    def __init__(self, name: str, session: Session | None = None):
        self.name = _check_name(name)
        self.session = session or Session()
        self._log_token: str | None = None
        self._last: dict | None = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"

    @property
    def _path(self) -> str:
        return f"{self._collection}/{urllib.parse.quote(self.name, safe='')}"

    @classmethod
    def attach(cls, name: str, session: Session | None = None):
        """The existing job called ``name`` (an ``AtelierError`` 404 when there is none)."""
        job = cls(name, session)
        job.describe()
        return job

    def describe(self) -> dict:
        """The server's Describe response (SageMaker's fields, plus ``Progress``)."""
        self._last = self.session.get(self._path) or {}
        return self._last

    @property
    def status(self) -> str | None:
        return self.describe().get(self._status_key)

    def stop(self) -> None:
        """Ask the server to stop the job; it ends Stopped with its outputs uploaded."""
        self.session.post(f"{self._path}/stop")

    # logs

    def _fetch_logs(self, out=None) -> int:
        """Print the log lines not printed yet; how many were printed."""
        out = out or sys.stdout
        count = 0
        while True:
            answer = self.session.get(f"{self._path}/logs", {"nextToken": self._log_token, "limit": _LOG_LIMIT}) or {}
            events = answer.get("events") or []
            token = answer.get("nextForwardToken")
            for event in events:
                print(str(event.get("message", "")).rstrip("\n"), file=out)
                count += 1
            unchanged = token is None or token == self._log_token
            if token is not None:
                self._log_token = token
            if not events or unchanged:
                break
        if count:
            out.flush()
        return count

    def logs(self, follow: bool = True, poll: float = 2.0) -> None:
        """Print the job's log from where this object last stopped; with ``follow``, until the job ends."""
        while True:
            ended = self.describe().get(self._status_key) in _TERMINAL
            self._fetch_logs()
            if ended or not follow:
                return
            time.sleep(poll)

    def _metrics_for_display(self) -> dict | None:
        return None

    def wait(self, logs: bool = True, poll: float = 2.0) -> dict:
        """Wait for the job to end, showing its progress (and streaming its log with ``logs``).

        Returns the final description when Completed or Stopped (a warning for Stopped); raises
        ``JobFailed`` with the FailureReason when Failed.
        """
        progress = _Progress(self.kind, self.name)
        while True:
            desc = self.describe()
            status = desc.get(self._status_key)
            ended = status in _TERMINAL
            progress.update(desc, self._metrics_for_display())  # the block first, the log below it
            if logs:
                self._fetch_logs()
            if ended:
                break
            time.sleep(poll)
        if status == "Failed":
            raise JobFailed(self.name, desc.get("FailureReason"), self.kind)
        if status == "Stopped":
            why = desc.get("SecondaryStatus")
            detail = "its maximum run time was exceeded" if why == "MaxRuntimeExceeded" else "it was stopped"
            warnings.warn(f"{self.kind} job {self.name} ended Stopped: {detail}", stacklevel=2)
        return desc


class TrainingJob(_Job):
    """A training job on the Atelier server."""

    kind = "training"
    _collection = "training-jobs"
    _status_key = "TrainingJobStatus"

    def metrics(self) -> Metrics:
        """Every metric the MetricDefinitions matched: name -> [(timestamp (UTC datetime), value)]."""
        answer = self.session.get(f"{self._path}/metrics") or {}
        result = Metrics()
        for name, series in (answer.get("metrics") or {}).items():
            result[name] = [(_parse_time(p.get("timestamp")), p.get("value")) for p in series]
        return result

    def _metrics_for_display(self) -> dict | None:
        definitions = ((self._last or {}).get("AlgorithmSpecification") or {}).get("MetricDefinitions")
        if not definitions:
            return None
        try:
            return self.metrics()
        except AtelierError:
            return None

    @property
    def model_data(self) -> str | None:
        """``ModelArtifacts.S3ModelArtifacts``: the S3 URI of ``model.tar.gz``."""
        return (self.describe().get("ModelArtifacts") or {}).get("S3ModelArtifacts")

    @property
    def output_data(self) -> str | None:
        """``OutputArtifacts.S3OutputArtifacts``: the S3 URI of ``output.tar.gz``."""
        return (self.describe().get("OutputArtifacts") or {}).get("S3OutputArtifacts")


class ProcessingJob(_Job):
    """A processing job on the Atelier server."""

    kind = "processing"
    _collection = "processing-jobs"
    _status_key = "ProcessingJobStatus"

    @property
    def outputs(self) -> dict[str, str]:
        """Output name -> the S3 URI it is uploaded to."""
        outputs = ((self.describe().get("ProcessingOutputConfig") or {}).get("Outputs")) or []
        return {o.get("OutputName"): (o.get("S3Output") or {}).get("S3Uri") for o in outputs}


# -- training ----------------------------------------------------------------------------------


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
            if _is_local(value):
                value = _upload_local(self.session, value, f"data/{job_name}/{channel}")
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
            "HyperParameters": _string_map(self.hyperparameters),
            "InputDataConfig": self._channels(inputs, job_name),
            "OutputDataConfig": {"S3OutputPath": output_path},
            "ResourceConfig": resources,
            "StoppingCondition": {"MaxRuntimeInSeconds": self.max_run},
        }
        if self.environment:
            request["Environment"] = _string_map(self.environment)
        if self.checkpoint_s3_uri:
            request["CheckpointConfig"] = {"S3Uri": self.checkpoint_s3_uri}
        tags = _tags(self.tags)
        if tags:
            request["Tags"] = tags
        script = self._script_mode()
        if script:
            request["ScriptMode"] = script
        return request

    def _job_name(self, job_name: str | None) -> str:
        if job_name:
            return _check_name(job_name)
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


# -- processing --------------------------------------------------------------------------------


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
            if _is_local(source):
                source = _upload_local(self.session, source, f"{job_name}/input/{name}")
            else:
                parse_s3_uri(source)
            proc_inputs.append({
                "InputName": name,
                "S3Input": {"S3Uri": source, "LocalPath": item.destination, "S3DataType": "S3Prefix", "S3InputMode": "File"},
            })
        if code:
            if _is_local(code):
                path = _local_path(code)
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
            request["Environment"] = _string_map(self.environment)
        tags = _tags(self.tags)
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
            name = _check_name(job_name)
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


# -- listing -----------------------------------------------------------------------------------


def list_jobs(
    kind: str | None = None,
    status: str | None = None,
    name_contains: str | None = None,
    instance_type: str | None = None,
    created_by: str | None = None,
    session: Session | None = None,
) -> list[dict]:
    """Training and processing jobs, newest first: JobSummary dicts (Kind, Name, Status, ...)."""
    if kind not in (None, "training", "processing"):
        raise ValueError("kind must be 'training', 'processing' or None")
    session = session or Session()
    answer = session.get("jobs", {
        "kind": kind, "status": status, "name_contains": name_contains,
        "instance_type": instance_type, "created_by": created_by,
    }) or {}
    return list(answer.get("Jobs") or [])


def job_by_name(name: str, session: Session | None = None) -> TrainingJob | ProcessingJob:
    """The training job, else the processing job, called ``name``."""
    session = session or Session()
    try:
        return TrainingJob.attach(name, session)
    except AtelierError as e:
        if e.status != 404:
            raise
    try:
        return ProcessingJob.attach(name, session)
    except AtelierError as e:
        if e.status != 404:
            raise
    raise AtelierError(404, f"no training or processing job is called {name}")
