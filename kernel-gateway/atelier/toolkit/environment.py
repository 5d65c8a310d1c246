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


# Hyperparameters SageMaker's training toolkit keeps for itself, beside every ``sagemaker_*`` one.
TOOLKIT_PARAMETERS = frozenset({
    "sagemaker_program", "sagemaker_submit_directory", "sagemaker_enable_cloudwatch_metrics", "sagemaker_region",
    "sagemaker_container_log_level", "sagemaker_job_name", "default_user_module_name", "_tuning_objective_metric",
    "sagemaker_s3_output"})
# The toolkit distributes over the instance group when one of these is on.
DISTRIBUTION_SWITCHES = (
    "sagemaker_mpi_enabled", "sagemaker_parameter_server_enabled", "sagemaker_distributed_dataparallel_enabled",
    "sagemaker_pytorch_ddp_enabled", "sagemaker_pytorch_xla_multi_worker_enabled",
    "sagemaker_multi_worker_mirrored_strategy_enabled", "sagemaker_torch_distributed_enabled")
INSTANCE_GROUP = "homogeneousCluster"


def is_toolkit_parameter(name: str) -> bool:
    """Whether the toolkit takes this hyperparameter for itself rather than passing it to the program."""
    return name.startswith("sagemaker_") or name in TOOLKIT_PARAMETERS


def env_value(value: Any) -> str:
    """A value as the toolkit's ``to_env_vars`` sets it: a string as is, None as "", the rest as
    compact JSON with sorted keys and non-ASCII characters escaped."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def env_name(key: str) -> str:
    """``SM_`` + the name upper-cased, nothing replaced: ``learning-rate`` is ``SM_HP_LEARNING-RATE``."""
    return "SM_" + str(key).upper()


def to_cmd_args(hyperparameters: Mapping[str, Any]) -> list[str]:
    """The hyperparameters as command-line arguments, like sagemaker_training's mapping.to_cmd_args:
    sorted by name, ``--name value`` (``-n value`` for a one-letter name), a dict as ``k=v,k2=v2``.
    """
    args: list[str] = []
    for key in sorted(hyperparameters):
        value = hyperparameters[key]
        if isinstance(value, dict):
            value = ",".join(f"{k}={v}" for k, v in sorted(value.items()))
        elif value is None:
            value = ""
        args += ["--" + key if len(key) > 1 else "-" + key, str(value)]
    return args


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
        value = self.environ.get(env_name("channel_" + name))
        return Path(value) if value else self.data_dir / name

    # ---- hyperparameters ----

    @property
    def user_hyperparameters(self) -> dict[str, Any]:
        """The hyperparameters without the ``sagemaker_*`` ones the SDK adds for the toolkit."""
        return {k: v for k, v in self.hyperparameters.items() if not is_toolkit_parameter(k)}

    def hyperparameter(self, name: str, default: Any = None) -> Any:
        return self.hyperparameters.get(name, default)

    # ---- the environment of the user's program ----

    def sm_environment(self, entry_point: str | None = None, user_args: Iterable[str] | None = None) -> dict[str, str]:
        """The SM_* variables sagemaker_training's ``Environment.to_env_vars`` gives a program, on one host.

        The server sets them already, with the same values; these are for what it did not set (a run
        outside Atelier's server). Both are checked against kernel-gateway/tests/sm_environment_cases.json.
        """
        hps = self.user_hyperparameters
        toolkit = {k: v for k, v in self.hyperparameters.items() if is_toolkit_parameter(k)}
        framework = {k: v for k, v in toolkit.items() if k not in TOOLKIT_PARAMETERS}
        if entry_point is None and toolkit.get("sagemaker_program") is not None:
            entry_point = str(toolkit["sagemaker_program"])
        user_args = to_cmd_args(hps) if user_args is None else list(user_args)
        channel_dirs = {c: str(self.channel_dir(c)) for c in self.channels}
        instance_type = self.resource_config.get("current_instance_type", "local")
        group = self.resource_config.get("current_group_name", INSTANCE_GROUP)
        groups = self.resource_config.get("instance_groups") or [
            {"instance_group_name": group, "instance_type": instance_type, "hosts": self.hosts}]
        groups_dict = {g["instance_group_name"]: g for g in groups}
        distributed = any(framework.get(k, False) for k in DISTRIBUTION_SWITCHES)
        submitted = toolkit.get("sagemaker_submit_directory")
        training_env = {
            "additional_framework_parameters": framework,
            "channel_input_dirs": channel_dirs,
            "current_host": self.current_host,
            "current_instance_group": group,
            "current_instance_group_hosts": groups_dict.get(group, {}).get("hosts", self.hosts),
            "current_instance_type": instance_type,
            "distribution_hosts": self.hosts if distributed else [],
            "distribution_instance_groups": [group] if distributed else [],
            "framework_module": None,
            "hosts": self.hosts,
            "hyperparameters": hps,
            "input_config_dir": str(self.input_config_dir),
            "input_data_config": self.input_data_config,
            "input_dir": str(self.input_dir),
            "instance_groups": [g["instance_group_name"] for g in groups],
            "instance_groups_dict": groups_dict,
            "is_hetero": len(groups) > 1,
            "is_master": True,
            "is_modelparallel_enabled": None,
            "is_smddpmprun_installed": False,
            "is_smddprun_installed": False,
            "job_name": self.job_name,
            "log_level": toolkit.get("sagemaker_container_log_level", 20),
            "master_hostname": self.hosts[0] if self.hosts else self.current_host,
            "model_dir": str(self.model_dir),
            "module_dir": str(submitted) if submitted is not None else str(self.code_dir),
            "module_name": entry_point[:-3] if entry_point and entry_point.endswith(".py") else entry_point,
            "network_interface_name": self.resource_config.get("network_interface_name", "eth0"),
            "num_cpus": self.num_cpus,
            "num_gpus": self.num_gpus,
            "num_neurons": 0,
            "output_data_dir": str(self.output_data_dir),
            "output_dir": str(self.output_dir),
            "output_intermediate_dir": str(self.output_dir / "intermediate"),
            "resource_config": self.resource_config,
            "topology": [],
            "user_entry_point": entry_point,
        }
        same = ("hosts", "network_interface_name", "resource_config", "input_data_config", "output_data_dir",
                "current_host", "current_instance_type", "current_instance_group", "current_instance_group_hosts",
                "instance_groups", "instance_groups_dict", "distribution_instance_groups", "is_hetero",
                "log_level", "framework_module", "input_dir", "input_config_dir", "output_dir", "num_cpus",
                "num_gpus", "num_neurons", "model_dir", "module_dir", "output_intermediate_dir")
        out = {env_name(k): env_value(training_env[k]) for k in same}
        if entry_point:
            out["SM_MODULE_NAME"] = env_value(training_env["module_name"])
            out["SM_USER_ENTRY_POINT"] = entry_point
            out["SAGEMAKER_PROGRAM"] = entry_point
        out["SM_HPS"] = env_value(hps)
        out["SM_FRAMEWORK_PARAMS"] = env_value(framework)
        out["SM_CHANNELS"] = env_value(sorted(channel_dirs))
        out["SM_USER_ARGS"] = env_value(user_args)
        out["SM_TRAINING_ENV"] = env_value(training_env)
        out["SM_CHECKPOINT_DIR"] = str(self.checkpoint_dir)
        for name, path in channel_dirs.items():
            out[env_name("channel_" + name)] = path
        for name, value in hps.items():
            if "=" not in name:   # not a possible variable name
                out[env_name("hp_" + name)] = env_value(value)
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
