"""What the hook saves: the job's ``debughookconfig.json`` (SageMaker's DebugHookConfig), validated.

``{"S3OutputPath", "LocalPath", "HookParameters": {...}, "CollectionConfigurations":
[{"CollectionName", "CollectionParameters": {...}}]}``; parameters are strings, as in the API.
Hook parameters apply to every collection; a collection's own parameters win. Errors name the
field: ``CollectionConfigurations[1].CollectionParameters.include_regex: ...``.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from . import reductions as _reductions

CONFIG_FILE = "debughookconfig.json"
DEFAULT_LOCAL_PATH = "/opt/ml/output/tensors"
DEFAULT_SAVE_INTERVAL = 500
TRAIN, EVAL, PREDICT, GLOBAL = "TRAIN", "EVAL", "PREDICT", "GLOBAL"
MODES = (TRAIN, EVAL, PREDICT, GLOBAL)

#: The collections the framework hooks fill, and what goes in each.
BUILTIN_COLLECTIONS = {
    "losses": "the loss (losses/<name>)",
    "metrics": "the compiled metrics and an evaluation's results (metrics/<name>)",
    "weights": "trainable weights other than biases (weights/<layer>/<variable>)",
    "biases": "biases (biases/<layer>/<variable>)",
    "gradients": "the loss's gradients of the trainable weights (gradients/<layer>/<variable>)",
    "outputs": "each layer's output (outputs/<layer>), and around known activations <layer>/<relu|tanh|sigmoid>_input|_output",
    "feature_importance": "XGBoost: feature_importance/<type>/<feature>",
    "trees": "XGBoost: trees/depth, trees/num_nodes, trees/max_node_id",
    "hyperparameters": "XGBoost: the booster's parameters, at the first step",
}
#: Saved when the config names no collection (rules' collections are saved too when configured).
DEFAULT_COLLECTIONS = ("losses", "metrics", "weights", "biases", "gradients", "feature_importance", "trees")


class ConfigError(ValueError):
    """A field of the DebugHookConfig is wrong; the message starts with its path."""


@dataclass
class Collection:
    name: str
    include_regex: list[re.Pattern] = field(default_factory=list)
    save_interval: dict[str, int] = field(default_factory=dict)  # mode -> interval
    save_steps: list[int] = field(default_factory=list)
    start_step: int = 0
    end_step: int | None = None
    reductions: list[str] = field(default_factory=list)
    save_raw_tensor: bool = False

    def matches(self, tensor_name: str, builtin: str | None) -> bool:
        """Whether a tensor of built-in collection ``builtin`` belongs here."""
        if self.include_regex:
            return any(p.fullmatch(tensor_name) or p.match(tensor_name) for p in self.include_regex)
        return builtin == self.name

    def should_save(self, mode: str, mode_step: int) -> bool:
        if mode_step < self.start_step or (self.end_step is not None and mode_step >= self.end_step):
            return False
        if self.save_steps:
            return mode_step in self.save_steps
        interval = self.save_interval.get(mode) or self.save_interval.get(GLOBAL) or DEFAULT_SAVE_INTERVAL
        return mode_step % interval == 0


@dataclass
class HookConfig:
    local_path: str = DEFAULT_LOCAL_PATH
    s3_output_path: str | None = None
    collections: list[Collection] = field(default_factory=list)

    def collection(self, name: str) -> Collection | None:
        return next((c for c in self.collections if c.name == name), None)


def _int(value: Any, where: str, minimum: int = 0) -> int:
    try:
        n = int(str(value).strip())
    except ValueError:
        raise ConfigError(f"{where}: expected a whole number, got {value!r}") from None
    if n < minimum:
        raise ConfigError(f"{where}: must be at least {minimum}, got {n}")
    return n


def _bool(value: Any, where: str) -> bool:
    text = str(value).strip().lower()
    if text in ("true", "1", "yes"):
        return True
    if text in ("false", "0", "no", ""):
        return False
    raise ConfigError(f"{where}: expected True or False, got {value!r}")


def _apply(c: Collection, params: Mapping[str, Any], where: str) -> None:
    for key, value in params.items():
        at = f"{where}.{key}"
        if key == "include_regex":
            c.include_regex = []
            for part in [p for p in str(value).split(",") if p.strip()]:
                try:
                    c.include_regex.append(re.compile(part.strip()))
                except re.error as e:
                    raise ConfigError(f"{at}: {part.strip()!r} is not a regular expression: {e}") from None
        elif key == "save_interval":
            c.save_interval[GLOBAL] = _int(value, at, 1)
        elif key.endswith(".save_interval") and key.split(".")[0].upper() in MODES:
            c.save_interval[key.split(".")[0].upper()] = _int(value, at, 1)
        elif key == "save_steps":
            c.save_steps = [_int(s, at) for s in str(value).split(",") if s.strip()]
        elif key == "start_step":
            c.start_step = _int(value, at)
        elif key == "end_step":
            c.end_step = _int(value, at)
        elif key == "reductions":
            try:
                c.reductions = _reductions.check_names(str(value).split(","), at)
            except ValueError as e:
                raise ConfigError(str(e)) from None
        elif key == "save_raw_tensor":
            c.save_raw_tensor = _bool(value, at)
        # Other SageMaker parameters (export_tensorboard, tensorboard_dir, save_all, include_workers...)
        # are accepted and have no effect here.


def parse(document: Mapping[str, Any]) -> HookConfig:
    """A DebugHookConfig document -> HookConfig; ConfigError naming the field when one is wrong."""
    if not isinstance(document, Mapping):
        raise ConfigError("DebugHookConfig: expected a JSON object")
    hook_params = document.get("HookParameters") or {}
    if not isinstance(hook_params, Mapping):
        raise ConfigError("HookParameters: expected an object of strings")
    configured = document.get("CollectionConfigurations") or []
    if not isinstance(configured, list):
        raise ConfigError("CollectionConfigurations: expected a list")
    cfg = HookConfig(local_path=str(document.get("LocalPath") or DEFAULT_LOCAL_PATH),
                     s3_output_path=document.get("S3OutputPath"))
    names = []
    for i, item in enumerate(configured):
        where = f"CollectionConfigurations[{i}]"
        if not isinstance(item, Mapping) or not str(item.get("CollectionName") or "").strip():
            raise ConfigError(f"{where}.CollectionName: required")
        names.append((str(item["CollectionName"]).strip(), item.get("CollectionParameters") or {}, where))
    if not names:
        names = [(n, {}, None) for n in DEFAULT_COLLECTIONS]
    hook_include = hook_params.get("include_regex")
    for name, params, where in names:
        c = Collection(name)
        _apply(c, {k: v for k, v in hook_params.items() if k != "include_regex"}, "HookParameters")
        if where is not None and not isinstance(params, Mapping):
            raise ConfigError(f"{where}.CollectionParameters: expected an object of strings")
        _apply(c, params, f"{where}.CollectionParameters" if where else "HookParameters")
        cfg.collections.append(c)
    if hook_include:
        # HookParameters.include_regex: a collection of its own ("custom"), as SageMaker's hook does.
        c = Collection("custom")
        _apply(c, hook_params, "HookParameters")
        cfg.collections.append(c)
    return cfg


def config_dir(environ: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    if env.get("SM_INPUT_CONFIG_DIR"):
        return Path(env["SM_INPUT_CONFIG_DIR"])
    return Path(env.get("SM_BASE_DIR") or "/opt/ml") / "input" / "config"


def config_path(environ: Mapping[str, str] | None = None) -> Path:
    return config_dir(environ) / CONFIG_FILE


def load(path: str | os.PathLike | None = None) -> HookConfig | None:
    """The job's hook configuration; None when the job has no debughookconfig.json."""
    p = Path(path) if path else config_path()
    if not p.is_file():
        return None
    try:
        document = json.loads(p.read_text())
    except ValueError as e:
        raise ConfigError(f"{p}: not valid JSON: {e}") from None
    return parse(document)
