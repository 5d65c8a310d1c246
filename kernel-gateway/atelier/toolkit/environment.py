"""Where a training job's files are, and what it was given (the SageMaker container contract).

Every path is under ``/opt/ml`` unless ``SM_BASE_DIR`` names another directory (tests, or a run
on a workstation); a specific variable the server sets (``SM_MODEL_DIR``, ``SM_CHANNEL_TRAIN``,
...) takes precedence over the path derived from the base.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any, Iterable, Mapping

DEFAULT_BASE_DIR = "/opt/ml"
BASE_DIR_ENV = "SM_BASE_DIR"
# The server keeps the first 1024 characters of /opt/ml/output/failure as the FailureReason.
FAILURE_LIMIT = 1024


class UserError(Exception):
    """A problem with the job's configuration or data: reported as its message, no traceback."""


def decode_value(value: Any) -> Any:
    """A hyperparameter's value as the program should see it.

    Hyperparameters arrive as a string->string map; the sagemaker SDK JSON-encodes each value
    (``"5"``, ``"\\"abc\\""``, ``"true"``), other clients send plain strings (``"abc"``). A value
    that is valid JSON is decoded, any other string is kept as is.
    """
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def hp_env_value(value: Any) -> str:
    """A decoded hyperparameter as SM_HP_<NAME> shows it: strings as is, anything else as JSON."""
    return value if isinstance(value, str) else json.dumps(value)


def _read_json(path: Path, default: Any) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return default
    except OSError as e:
        raise UserError(f"cannot read {path}: {e}") from None
    try:
        return json.loads(text)
    except ValueError as e:
        raise UserError(f"{path} is not valid JSON: {e}") from None


def _env_name(name: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in name).upper()


class TrainingEnvironment:
    """The job's directories, hyperparameters, channels and resources."""

    def __init__(self, environ: Mapping[str, str] | None = None):
        env = os.environ if environ is None else environ
        self.environ = env
        self.base_dir = Path(env.get(BASE_DIR_ENV) or DEFAULT_BASE_DIR)
        self.input_dir = self._path("SM_INPUT_DIR", "input")
        self.input_config_dir = self._path("SM_INPUT_CONFIG_DIR", "input/config")
        self.data_dir = self.input_dir / "data"
        self.model_dir = self._path("SM_MODEL_DIR", "model")
        self.output_dir = self._path("SM_OUTPUT_DIR", "output")
        self.output_data_dir = self._path("SM_OUTPUT_DATA_DIR", "output/data")
        self.checkpoint_dir = self.base_dir / "checkpoints"
        # SM_MODULE_DIR is an s3:// URI on SageMaker; a local directory here when it is one.
        module_dir = env.get("SM_MODULE_DIR", "")
        self.code_dir = Path(module_dir) if module_dir and os.path.isdir(module_dir) else self.base_dir / "code"
        self.failure_file = self.output_dir / "failure"

        raw = _read_json(self.input_config_dir / "hyperparameters.json", None)
        if raw is None:
            raw = decode_value(env.get("SM_HPS", "")) or {}
        if not isinstance(raw, dict):
            raise UserError(f"{self.input_config_dir / 'hyperparameters.json'} must hold a JSON object")
        self.raw_hyperparameters: dict[str, Any] = dict(raw)
        self.hyperparameters: dict[str, Any] = {str(k): decode_value(v) for k, v in raw.items()}
        self.input_data_config: dict[str, Any] = _read_json(self.input_config_dir / "inputdataconfig.json", {}) or {}
        self.resource_config: dict[str, Any] = _read_json(self.input_config_dir / "resourceconfig.json", {}) or {}
        self.current_host = str(self.resource_config.get("current_host") or env.get("SM_CURRENT_HOST") or "algo-1")
        hosts = self.resource_config.get("hosts") or decode_value(env.get("SM_HOSTS", "")) or [self.current_host]
        self.hosts = [str(h) for h in hosts] if isinstance(hosts, list) else [self.current_host]
        self.job_name = env.get("TRAINING_JOB_NAME", "")
        self.num_cpus = self._int_env("SM_NUM_CPUS", len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))
        self.num_gpus = self._int_env("SM_NUM_GPUS", 0)

    def _path(self, var: str, relative: str) -> Path:
        value = self.environ.get(var)
        return Path(value) if value else self.base_dir / relative

    def _int_env(self, var: str, default: int) -> int:
        try:
            return int(self.environ.get(var, ""))
        except ValueError:
            return default

    # ---- channels ----

    @property
    def channels(self) -> list[str]:
        """The input channels: those of inputdataconfig.json, SM_CHANNELS, and the data folders."""
        names = set(self.input_data_config)
        listed = decode_value(self.environ.get("SM_CHANNELS", ""))
        if isinstance(listed, list):
            names.update(str(n) for n in listed)
        if self.data_dir.is_dir():
            names.update(p.name for p in self.data_dir.iterdir() if p.is_dir())
        return sorted(names)

    def channel_dir(self, name: str) -> Path:
        value = self.environ.get("SM_CHANNEL_" + _env_name(name))
        return Path(value) if value else self.data_dir / name

    # ---- hyperparameters ----

    @property
    def user_hyperparameters(self) -> dict[str, Any]:
        """The hyperparameters without the ``sagemaker_*`` ones the SDK adds for the toolkit."""
        return {k: v for k, v in self.hyperparameters.items() if not k.startswith("sagemaker_")}

    def hyperparameter(self, name: str, default: Any = None) -> Any:
        return self.hyperparameters.get(name, default)

    # ---- the environment of the user's program ----

    def sm_environment(self, entry_point: str | None = None, user_args: Iterable[str] = ()) -> dict[str, str]:
        """The SM_* variables the sagemaker training toolkit gives a user's script.

        The server sets most of them already; these are the defaults for what it did not set
        (a run outside Atelier's server, or a variable it does not know).
        """
        hps = self.user_hyperparameters
        channel_dirs = {c: str(self.channel_dir(c)) for c in self.channels}
        training_env = {
            "job_name": self.job_name,
            "current_host": self.current_host,
            "hosts": self.hosts,
            "hyperparameters": hps,
            "channel_input_dirs": channel_dirs,
            "input_data_config": self.input_data_config,
            "resource_config": self.resource_config,
            "model_dir": str(self.model_dir),
            "output_dir": str(self.output_dir),
            "output_data_dir": str(self.output_data_dir),
            "input_dir": str(self.input_dir),
            "input_config_dir": str(self.input_config_dir),
            "module_dir": str(self.code_dir),
            "num_cpus": self.num_cpus,
            "num_gpus": self.num_gpus,
        }
        out = {
            "SM_MODEL_DIR": str(self.model_dir),
            "SM_OUTPUT_DIR": str(self.output_dir),
            "SM_OUTPUT_DATA_DIR": str(self.output_data_dir),
            "SM_INPUT_DIR": str(self.input_dir),
            "SM_INPUT_CONFIG_DIR": str(self.input_config_dir),
            "SM_CHANNELS": json.dumps(sorted(channel_dirs)),
            "SM_HPS": json.dumps(hps),
            "SM_CURRENT_HOST": self.current_host,
            "SM_HOSTS": json.dumps(self.hosts),
            "SM_NUM_CPUS": str(self.num_cpus),
            "SM_NUM_GPUS": str(self.num_gpus),
            "SM_MODULE_DIR": str(self.code_dir),
            "SM_CHECKPOINT_DIR": str(self.checkpoint_dir),
        }
        for name, path in channel_dirs.items():
            out["SM_CHANNEL_" + _env_name(name)] = path
        for name, value in hps.items():
            out["SM_HP_" + _env_name(name)] = hp_env_value(value)
        if entry_point:
            training_env["user_entry_point"] = entry_point
            training_env["module_name"] = Path(entry_point).stem
            out["SM_USER_ENTRY_POINT"] = entry_point
            out["SM_MODULE_NAME"] = Path(entry_point).stem
            out["SAGEMAKER_PROGRAM"] = entry_point
        user_args = list(user_args)
        out["SM_USER_ARGS"] = json.dumps(user_args)
        training_env["user_args"] = user_args
        out["SM_TRAINING_ENV"] = json.dumps(training_env)
        return out


def fit_failure(head: str, tail_lines: Iterable[str] = (), limit: int = FAILURE_LIMIT) -> str:
    """``head``, then as many of the last ``tail_lines`` as fit in ``limit`` characters."""
    head = head.rstrip("\n")
    if len(head) >= limit:
        return head[: limit - 3] + "..."
    kept: list[str] = []
    room = limit - len(head) - 1
    for line in reversed([l.rstrip("\n") for l in tail_lines]):
        if len(line) + 1 > room:
            if not kept:   # the last line alone is too long: its end is the meaningful part
                kept.append("..." + line[-(room - 4):] if room > 8 else "")
            break
        kept.append(line)
        room -= len(line) + 1
    tail = "\n".join(reversed([k for k in kept if k]))
    return head + ("\n" + tail if tail else "")


def write_failure(path: Path, message: str) -> None:
    """Writes the job's failure reason (what the server shows as FailureReason)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(message[:FAILURE_LIMIT].rstrip("\n") + "\n", encoding="utf-8")
    except OSError as e:
        print(f"train: could not write {path}: {e}", file=sys.stderr, flush=True)
