"""The Estimator's debugger options, shaped like ``sagemaker.debugger``: rules, the hook's and the
profiler's configuration, turned into CreateTrainingJob's fields.

    from atelier import Estimator, Rule, DebuggerHookConfig, CollectionConfig
    est = Estimator("atelier/deeplearning:latest", entry_point="train.py",
                    rules=[Rule.builtin("vanishing_gradient", stop_training=True),
                           Rule.builtin("loss_not_decreasing", rule_parameters={"num_steps": 20})],
                    debugger_hook_config=DebuggerHookConfig(hook_parameters={"save_interval": 10}))
    job = est.fit()
    job.rule_statuses()       # [{"RuleConfigurationName": "VanishingGradient", "RuleEvaluationStatus": ...}]
    job.debugger_trial()      # atelier.debugger.trial() over the job's tensors in S3
"""

from __future__ import annotations

import json
import os
import re
from typing import Any, Iterable, Mapping

#: The image the server runs built-in rules in (``DebuggerCapability.BUILT_IN_RULE_IMAGE``).
BUILT_IN_RULE_IMAGE = "atelier/datascience:latest"

#: The built-in rules by their sagemaker SDK names (``rule_configs.vanishing_gradient()``...).
DEBUGGER_RULES = {
    "vanishing_gradient": "VanishingGradient",
    "exploding_tensor": "ExplodingTensor",
    "loss_not_decreasing": "LossNotDecreasing",
    "overfit": "Overfit",
    "overtraining": "Overtraining",
    "poor_weight_initialization": "PoorWeightInitialization",
    "saturated_activation": "SaturatedActivation",
    "dead_relu": "DeadRelu",
    "class_imbalance": "ClassImbalance",
    "tree_depth": "TreeDepth",
}
PROFILER_RULES = {
    "low_cpu_utilization": "LowCPUUtilization",
    "cpu_bottleneck": "CPUBottleneck",
    "io_bottleneck": "IOBottleneck",
    "max_initialization_time": "MaxInitializationTime",
    "profiler_report": "ProfilerReport",
}

_NAME = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9])*$")
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

__all__ = ["CollectionConfig", "DebuggerHookConfig", "ProfilerConfig", "ProfilerRule", "Rule"]


def _strings(values: Mapping[str, Any] | None, what: str) -> dict[str, str]:
    """Parameter values as the API has them: strings (booleans as ``True``/``False``, lists comma-joined)."""
    out: dict[str, str] = {}
    for key, value in (values or {}).items():
        if not isinstance(key, str) or not key:
            raise ValueError(f"{what}: parameter names are non-empty strings, got {key!r}")
        if value is None:
            continue
        if isinstance(value, (list, tuple)):
            value = ",".join(str(v) for v in value)
        elif isinstance(value, dict):
            value = json.dumps(value)
        out[key] = str(value)
    return out


class CollectionConfig:
    """A collection the hook saves: ``CollectionConfig("gradients", {"save_interval": 10, "reductions": "norm"})``."""

    def __init__(self, name: str, parameters: Mapping[str, Any] | None = None):
        if not name or not isinstance(name, str):
            raise ValueError("CollectionConfig: name is required, e.g. 'gradients'")
        self.name = name
        self.parameters = _strings(parameters, f"CollectionConfig({name!r})")

    def to_request(self) -> dict:
        entry: dict[str, Any] = {"CollectionName": self.name}
        if self.parameters:
            entry["CollectionParameters"] = dict(self.parameters)
        return entry

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CollectionConfig) and (self.name, self.parameters) == (other.name, other.parameters)

    def __repr__(self) -> str:
        return f"CollectionConfig({self.name!r}, {self.parameters!r})"


class DebuggerHookConfig:
    """SageMaker's ``DebugHookConfig``: where tensors go (``s3_output_path``; by default the job's
    output path, the tensors then at ``<s3_output_path>/<job>/debug-output/``), the hook's
    parameters (``save_interval``, ``include_regex``, ``reductions``...) and the collections."""

    def __init__(self, s3_output_path: str | None = None, container_local_output_path: str | None = None,
                 hook_parameters: Mapping[str, Any] | None = None,
                 collection_configs: Iterable[CollectionConfig | str] | None = None):
        self.s3_output_path = s3_output_path
        self.container_local_output_path = container_local_output_path
        self.hook_parameters = _strings(hook_parameters, "DebuggerHookConfig.hook_parameters")
        self.collection_configs = [c if isinstance(c, CollectionConfig) else CollectionConfig(c)
                                   for c in collection_configs or []]

    def to_request(self, default_s3_output_path: str, extra: Iterable[CollectionConfig] = ()) -> dict:
        collections = list(self.collection_configs)
        for c in extra:
            if all(c.name != have.name for have in collections):
                collections.append(c)
        hook: dict[str, Any] = {"S3OutputPath": self.s3_output_path or default_s3_output_path}
        if self.container_local_output_path:
            hook["LocalPath"] = self.container_local_output_path
        if self.hook_parameters:
            hook["HookParameters"] = dict(self.hook_parameters)
        if collections:
            hook["CollectionConfigurations"] = [c.to_request() for c in collections]
        return hook


class ProfilerConfig:
    """SageMaker's ``ProfilerConfig``: the container's CPU, memory and I/O sampled every
    ``system_monitor_interval_millis`` (100, 200, 500 (default), 1000, 5000 or 60000)."""

    def __init__(self, s3_output_path: str | None = None, system_monitor_interval_millis: int | None = None,
                 framework_profile_params: Mapping[str, Any] | None = None, disable_profiler: bool = False):
        self.s3_output_path = s3_output_path
        self.system_monitor_interval_millis = system_monitor_interval_millis
        self.framework_profile_params = _strings(framework_profile_params, "ProfilerConfig.framework_profile_params")
        self.disable_profiler = bool(disable_profiler)

    def to_request(self, default_s3_output_path: str) -> dict:
        config: dict[str, Any] = {"S3OutputPath": self.s3_output_path or default_s3_output_path}
        if self.system_monitor_interval_millis is not None:
            config["ProfilingIntervalInMilliseconds"] = int(self.system_monitor_interval_millis)
        if self.framework_profile_params:
            config["ProfilingParameters"] = dict(self.framework_profile_params)
        if self.disable_profiler:
            config["DisableProfiler"] = True
        return config


class Rule:
    """A rule beside the training job: ``Rule.builtin("vanishing_gradient", rule_parameters={...},
    stop_training=True)`` or ``Rule.custom("MyRule", source="my_rule.py", rule_to_invoke="MyRule")``
    (a class on ``atelier.debugger.Rule``). ``actions``: ``"StopTraining"`` (what ``stop_training=True``
    means) or SageMaker's ``action_json`` dict."""

    kind = "debugger"
    _builtins = DEBUGGER_RULES
    field = "DebugRuleConfigurations"

    def __init__(self, name: str, image_uri: str, rule_parameters: Mapping[str, Any] | None = None,
                 instance_type: str | None = None, volume_size_in_gb: int | None = None, source: str | None = None,
                 collections_to_save: Iterable[CollectionConfig | str] | None = None, actions: Any = None,
                 s3_output_path: str | None = None):
        if not name or not _NAME.match(name):
            raise ValueError(f"rule name {name!r} must be letters, digits and hyphens")
        self.name = name
        self.image_uri = image_uri
        self.rule_parameters = _strings(rule_parameters, f"rule {name}")
        self.instance_type = instance_type
        self.volume_size_in_gb = volume_size_in_gb
        self.source = source
        self.collections_to_save = [c if isinstance(c, CollectionConfig) else CollectionConfig(c)
                                    for c in collections_to_save or []]
        self.actions = _actions(actions, name)
        self.s3_output_path = s3_output_path

    @classmethod
    def builtin(cls, rule: str, rule_parameters: Mapping[str, Any] | None = None, name: str | None = None,
                instance_type: str | None = None, collections_to_save: Iterable[CollectionConfig | str] | None = None,
                actions: Any = None, stop_training: bool = False, **parameters: Any) -> "Rule":
        """A built-in rule by its sagemaker SDK name (``vanishing_gradient``) or its own
        (``VanishingGradient``); its parameters as ``rule_parameters`` or keywords."""
        invoke = cls._builtins.get(rule) or (rule if rule in cls._builtins.values() else None)
        if invoke is None:
            raise ValueError(f"unknown built-in rule {rule!r}: one of {', '.join(sorted(cls._builtins))}")
        params = {**(rule_parameters or {}), **parameters, "rule_to_invoke": invoke}
        if stop_training:
            actions = actions or "StopTraining"
        return cls(name or invoke, BUILT_IN_RULE_IMAGE, params, instance_type=instance_type,
                   collections_to_save=collections_to_save, actions=actions)

    sagemaker = builtin

    @classmethod
    def custom(cls, name: str, source: str, rule_to_invoke: str, image_uri: str = BUILT_IN_RULE_IMAGE,
               instance_type: str | None = None, volume_size_in_gb: int | None = None,
               rule_parameters: Mapping[str, Any] | None = None,
               collections_to_save: Iterable[CollectionConfig | str] | None = None, actions: Any = None,
               stop_training: bool = False) -> "Rule":
        """A user's rule: ``source`` a local ``.py`` file (uploaded at ``fit``) or an ``s3://`` URI
        of one (or of a tar.gz), ``rule_to_invoke`` its class, run in ``image_uri`` (any image with
        the ``atelier`` package)."""
        if not rule_to_invoke or not _IDENTIFIER.match(rule_to_invoke):
            raise ValueError(f"rule_to_invoke {rule_to_invoke!r} must be the rule's Python class name")
        if not source:
            raise ValueError("source is required: the rule's .py file, or an s3:// URI of it")
        if not source.startswith("s3://") and not os.path.isfile(source):
            raise FileNotFoundError(f"rule source {source!r} is not a file")
        if stop_training:
            actions = actions or "StopTraining"
        params = {**(rule_parameters or {}), "rule_to_invoke": rule_to_invoke}
        return cls(name, image_uri, params, instance_type=instance_type, volume_size_in_gb=volume_size_in_gb,
                   source=source, collections_to_save=collections_to_save, actions=actions)

    def to_request(self, job_name: str, session: Any, bucket: str) -> dict:
        """The rule's entry in DebugRuleConfigurations (or ProfilerRuleConfigurations) for ``job_name``;
        a local source is uploaded to ``s3://<bucket>/<job>/rule-source/<rule>/``."""
        params = dict(self.rule_parameters)
        if self.actions is not None:
            actions = {k: dict(v) for k, v in self.actions.items()}
            stop = actions.get("StopTraining")
            if stop is not None and not stop.get("training_job_prefix"):
                stop["training_job_prefix"] = job_name  # as the sagemaker SDK fills it in at fit
            params["action_json"] = json.dumps(actions)
        if self.source:
            source = self.source
            if not source.startswith("s3://"):
                base = os.path.basename(source)
                target = f"s3://{bucket}/{job_name}/rule-source/{self.name}/{base}"
                session.upload_file(source, target)
                source = target
            params["source_s3_uri"] = source
        entry: dict[str, Any] = {"RuleConfigurationName": self.name, "RuleEvaluatorImage": self.image_uri,
                                 "RuleParameters": params}
        if self.instance_type:
            entry["InstanceType"] = self.instance_type
        if self.volume_size_in_gb:
            entry["VolumeSizeInGB"] = int(self.volume_size_in_gb)
        if self.s3_output_path:
            entry["S3OutputPath"] = self.s3_output_path
        return entry

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r}, {self.rule_parameters.get('rule_to_invoke')!r})"


class ProfilerRule(Rule):
    """A profiler rule: ``ProfilerRule.builtin("low_cpu_utilization")``, ``ProfilerRule.builtin("profiler_report")``."""

    kind = "profiler"
    _builtins = PROFILER_RULES
    field = "ProfilerRuleConfigurations"


def _actions(actions: Any, rule: str) -> dict | None:
    """``"StopTraining"``, a list of such names, or an ``action_json`` dict -> the dict."""
    if actions is None or actions == [] or actions == {}:
        return None
    if isinstance(actions, str):
        actions = [actions]
    if isinstance(actions, (list, tuple)):
        actions = {a: {} for a in actions}
    if not isinstance(actions, Mapping):
        raise ValueError(f"rule {rule}: actions must be 'StopTraining' or an action_json dict")
    for key, value in actions.items():
        if key != "StopTraining":
            raise ValueError(f"rule {rule}: unknown action {key!r}: Atelier's rules take StopTraining")
        if not isinstance(value, Mapping):
            raise ValueError(f"rule {rule}: action {key} takes a dict of options, e.g. {{'training_job_prefix': ...}}")
    return {k: dict(v) for k, v in actions.items()}


def debugger_fields(rules: Iterable[Rule], hook: DebuggerHookConfig | bool | None, profiler: ProfilerConfig | bool | None,
                    job_name: str, output_path: str, session: Any) -> dict:
    """CreateTrainingJob's debugger fields for an Estimator's options."""
    rules = list(rules or [])
    for r in rules:
        if not isinstance(r, Rule):
            raise TypeError(f"rules: expected Rule.builtin(...), Rule.custom(...) or ProfilerRule..., got {r!r}")
    names = [r.name for r in rules]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ValueError(f"rules: the rule name {twice[0]!r} is used twice; give one a name=")
    debug = [r for r in rules if r.kind == "debugger"]
    profiling = [r for r in rules if r.kind == "profiler"]
    from .api import parse_s3_uri

    bucket, _ = parse_s3_uri(output_path)
    fields: dict[str, Any] = {}
    collections = [c for r in debug for c in r.collections_to_save]
    if hook is not False and (isinstance(hook, DebuggerHookConfig) or collections):
        config = hook if isinstance(hook, DebuggerHookConfig) else DebuggerHookConfig()
        fields["DebugHookConfig"] = config.to_request(output_path, collections)
    elif hook not in (None, False, True):
        raise TypeError(f"debugger_hook_config: expected a DebuggerHookConfig or False, got {hook!r}")
    if debug:
        fields["DebugRuleConfigurations"] = [r.to_request(job_name, session, bucket) for r in debug]
    if isinstance(profiler, ProfilerConfig):
        fields["ProfilerConfig"] = profiler.to_request(output_path)
    elif profiler is True or (profiling and profiler is None):
        fields["ProfilerConfig"] = ProfilerConfig().to_request(output_path)
    elif profiler not in (None, False):
        raise TypeError(f"profiler_config: expected a ProfilerConfig or False, got {profiler!r}")
    if profiling:
        if "ProfilerConfig" not in fields:
            raise ValueError("profiler rules need the profiler: leave profiler_config unset or pass a ProfilerConfig")
        fields["ProfilerRuleConfigurations"] = [r.to_request(job_name, session, bucket) for r in profiling]
    return fields
