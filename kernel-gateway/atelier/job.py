"""What training and processing jobs share: names, request values, local data, and the job on
the server (describe, status, logs, wait, stop), with ``list_jobs`` and ``job_by_name``.

``atelier.training`` and ``atelier.processing`` build their requests with the functions here and
subclass ``Job``, naming their ``kind``, ``collection`` and ``status_field``.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import re
import sys
import threading
import time
import urllib.parse
import warnings
from typing import Any, Mapping

from .api import AtelierError, Session
from .display import JobStatusBlock

__all__ = [
    "ENDED_STATUSES",
    "Job",
    "JobFailed",
    "base_name_from_image",
    "check_job_name",
    "is_local",
    "job_by_name",
    "list_jobs",
    "local_path",
    "name_from_base",
    "string_map",
    "tag_list",
    "upload_local",
]

ENDED_STATUSES = frozenset({"Completed", "Failed", "Stopped"})

_NAME = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")
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


def check_job_name(name: str) -> str:
    """``name`` when it is a valid job name; a ``ValueError`` saying what one is otherwise."""
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(
            f"job name {name!r} is not valid: 1 to 63 letters, digits and hyphens, "
            "starting and ending with a letter or digit"
        )
    return name


# -- request values ----------------------------------------------------------------------------


def _string_value(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value)
    return str(value)


def string_map(values: Mapping[str, Any] | None) -> dict[str, str]:
    """Hyperparameters or environment variables as the API takes them: strings, lists and dicts as JSON."""
    return {str(k): _string_value(v) for k, v in (values or {}).items()}


def tag_list(tags: Any) -> list[dict[str, str]] | None:
    """``{"team": "a"}`` or ``[{"Key": ..., "Value": ...}]`` as the API's ``Tags``; None for none."""
    if not tags:
        return None
    if isinstance(tags, Mapping):
        return [{"Key": str(k), "Value": str(v)} for k, v in tags.items()]
    return [{"Key": str(t["Key"]), "Value": str(t.get("Value", ""))} for t in tags]


# -- local data --------------------------------------------------------------------------------


def is_local(source: str) -> bool:
    """Whether ``source`` is a path of this machine (anything but an ``s3://`` URI)."""
    return not source.startswith("s3://")


def local_path(source: str) -> str:
    """``source`` without a ``file://`` prefix."""
    return source[len("file://"):] if source.startswith("file://") else source


def upload_local(session: Session, source: str, key_prefix: str) -> str:
    """Upload a local file or folder under ``key_prefix``; the S3 prefix that holds it (ends with ``/``)."""
    path = local_path(source)
    if not os.path.exists(path):
        raise FileNotFoundError(f"{source!r} is neither an s3:// URI nor a local file or folder")
    uri = session.upload_data(path, key_prefix=key_prefix)
    return uri if uri.endswith("/") else uri.rsplit("/", 1)[0] + "/"


# -- the job on the server ---------------------------------------------------------------------


KINDS: dict[str, type] = {}
"""The job classes by kind (``training``, ``processing``), in the order they are looked in."""


def _kinds() -> dict[str, type]:
    # The kinds subclass Job, so they are imported when first needed rather than at the top.
    from . import processing, training  # noqa: F401  (importing registers them)

    return {k: KINDS[k] for k in sorted(KINDS, key=lambda k: (k != "training", k))}


class Job:
    """A job on the Atelier server, of the kind a subclass names.

    ``kind`` is its name for people (``training``), ``collection`` its API path
    (``training-jobs``), ``status_field`` the Describe field with its status.
    """

    kind = ""
    collection = ""
    status_field = ""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # Each kind registers itself: listing and lookup by name know every kind there is.
        if cls.kind:
            KINDS[cls.kind] = cls

    def __init__(self, name: str, session: Session | None = None):
        self.name = check_job_name(name)
        self.session = session or Session()
        self._log_token: str | None = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"

    @property
    def path(self) -> str:
        """The job's path in the API, relative to the session's URL."""
        return f"{self.collection}/{urllib.parse.quote(self.name, safe='')}"

    @classmethod
    def attach(cls, name: str, session: Session | None = None):
        """The existing job called ``name`` (an ``AtelierError`` 404 when there is none)."""
        job = cls(name, session)
        job.describe()
        return job

    def describe(self) -> dict:
        """The server's Describe response (SageMaker's fields, plus ``Progress``)."""
        return self.session.get(self.path) or {}

    @property
    def status(self) -> str | None:
        return self.describe().get(self.status_field)

    def stop(self) -> None:
        """Ask the server to stop the job; it ends Stopped with its outputs uploaded."""
        self.session.post(f"{self.path}/stop")

    # logs

    def _fetch_logs(self, out=None) -> int:
        """Print the log lines not printed yet; how many were printed."""
        out = out or sys.stdout
        count = 0
        while True:
            answer = self.session.get(f"{self.path}/logs", {"nextToken": self._log_token, "limit": _LOG_LIMIT}) or {}
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
            ended = self.describe().get(self.status_field) in ENDED_STATUSES
            self._fetch_logs()
            if ended or not follow:
                return
            time.sleep(poll)

    def metrics_to_show(self, description: Mapping[str, Any]) -> dict | None:
        """The metrics the status block shows while waiting (name -> [(timestamp, value)]); none here."""
        return None

    def wait(self, logs: bool = True, poll: float = 2.0) -> dict:
        """Wait for the job to end, showing its progress (and streaming its log with ``logs``).

        Returns the final description when Completed or Stopped (a warning for Stopped); raises
        ``JobFailed`` with the FailureReason when Failed.
        """
        block = JobStatusBlock(self.kind, self.name)
        while True:
            desc = self.describe()
            status = desc.get(self.status_field)
            ended = status in ENDED_STATUSES
            block.show(desc, ended, self.metrics_to_show(desc))  # the block first, the log below it
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


# -- every kind --------------------------------------------------------------------------------


def list_jobs(
    kind: str | None = None,
    status: str | None = None,
    name_contains: str | None = None,
    instance_type: str | None = None,
    created_by: str | None = None,
    session: Session | None = None,
) -> list[dict]:
    """Training and processing jobs, newest first: JobSummary dicts (Kind, Name, Status, ...)."""
    kinds = _kinds()
    if kind is not None and kind not in kinds:
        raise ValueError("kind must be " + ", ".join(repr(k) for k in kinds) + " or None")
    session = session or Session()
    answer = session.get("jobs", {
        "kind": kind, "status": status, "name_contains": name_contains,
        "instance_type": instance_type, "created_by": created_by,
    }) or {}
    return list(answer.get("Jobs") or [])


def job_by_name(name: str, session: Session | None = None) -> Job:
    """The job called ``name``: the training job, else the processing job (else any other kind)."""
    kinds = _kinds()
    session = session or Session()
    for kind in kinds.values():
        try:
            return kind.attach(name, session)
        except AtelierError as e:
            if e.status != 404:
                raise
    raise AtelierError(404, f"no {' or '.join(kinds)} job is called {name}")
