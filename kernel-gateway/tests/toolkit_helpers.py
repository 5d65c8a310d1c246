"""Lay out a training job as the server does (under a temporary SM_BASE_DIR) and run `train` on it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any, Mapping

# The MetricDefinitions regexes images/README.md recommends for the built-in algorithms.
METRIC_REGEXES = {
    "validation:accuracy": r"validation:accuracy=([0-9\.]+)",
    "validation:f1": r"validation:f1=([0-9\.]+)",
    "train:accuracy": r"train:accuracy=([0-9\.]+)",
    "validation:rmse": r"validation:rmse=([0-9\.]+)",
    "validation:mae": r"validation:mae=([0-9\.]+)",
    "validation:r2": r"validation:r2=(-?[0-9\.]+)",
    "train:rmse": r"train:rmse=([0-9\.]+)",
}


def train_command() -> list[str]:
    """The `train` console script of the environment the tests run in."""
    script = Path(sys.executable).with_name("train")
    assert script.exists(), f"{script} is missing: install the package (pip install -e kernel-gateway)"
    return [str(script)]


def layout(base: Path, hyperparameters: Mapping[str, Any] | None = None,
           channels: Mapping[str, Mapping[str, str]] | None = None,
           code: Mapping[str, str] | None = None) -> Path:
    """/opt/ml as the server prepares it, under ``base``. Hyperparameter values that are not strings
    are JSON-encoded, as the sagemaker SDK does; strings go as they are."""
    config = base / "input" / "config"
    config.mkdir(parents=True)
    hps = {k: v if isinstance(v, str) else json.dumps(v) for k, v in (hyperparameters or {}).items()}
    (config / "hyperparameters.json").write_text(json.dumps(hps))
    channels = channels or {}
    (config / "inputdataconfig.json").write_text(json.dumps({
        name: {"ContentType": "text/csv", "TrainingInputMode": "File", "S3DistributionType": "FullyReplicated",
               "RecordWrapperType": "None"} for name in channels}))
    (config / "resourceconfig.json").write_text(json.dumps(
        {"current_host": "algo-1", "hosts": ["algo-1"], "network_interface_name": "eth0"}))
    for name, files in channels.items():
        folder = base / "input" / "data" / name
        folder.mkdir(parents=True)
        for file_name, text in files.items():
            (folder / file_name).write_text(text)
    for folder in ("model", "output/data", "checkpoints"):
        (base / folder).mkdir(parents=True)
    if code is not None:
        (base / "code").mkdir()
        for file_name, text in code.items():
            (base / "code" / file_name).write_text(text)
    return base


def job_env(base: Path, **extra: str) -> dict[str, str]:
    """The tests' environment without the job variables of whoever runs them, with SM_BASE_DIR."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SM_", "SAGEMAKER_", "TRAINING_JOB_", "ATELIER_BUILTIN_"))}
    env["SM_BASE_DIR"] = str(base)
    env["TRAINING_JOB_NAME"] = "test-job"
    env.update(extra)
    return env


def run_train(base: Path, timeout: float = 120, **extra_env: str) -> subprocess.CompletedProcess:
    return subprocess.run(train_command(), env=job_env(base, **extra_env), stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=timeout)


def failure(base: Path) -> str | None:
    path = base / "output" / "failure"
    return path.read_text() if path.exists() else None


def metrics(stdout: str) -> dict[str, float]:
    """The metrics found in ``stdout`` with the documented regexes (the first match, as the server)."""
    found = {}
    for name, regex in METRIC_REGEXES.items():
        match = re.search(regex, stdout)
        if match:
            found[name] = float(match.group(1))
    return found
