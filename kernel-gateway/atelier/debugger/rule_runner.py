"""``python -m atelier.debugger.rule_runner``: one rule, beside a training job, in its own container.

Reads ``ATELIER_RULE_CONFIG`` (JSON: ``RuleConfigurationName``, ``RuleParameters`` with
``rule_to_invoke``, ``TensorsPath``, ``ProfilerPath``, ``SourcePath`` for a custom rule,
``TrainingJobName``, ``Kind``), then evaluates the rule on each new step as it arrives (every
``ATELIER_RULE_POLL_SECONDS``, default 1) until the end marker ``training_job_end.ts`` is in the
tensors (or profiler) folder, or SIGTERM, and every step before it was evaluated.

Stdout: status lines ``ATELIER_RULE_STATUS {"status", "details", "step", "tensor", "mode",
"action"}`` (the last one wins): InProgress, IssuesFound (as soon as found; the rule goes on),
then a final IssuesFound or NoIssuesFound (exit 0), or Error (exit 1 when the rule failed, 2 when
its configuration is wrong).
"""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import sys
import time
import traceback
from typing import Any

from .rules import BUILTIN, Issue, ProfilerRule, Rule, RuleEvaluationConditionMet, RuleParameterError
from .rules.profiler import ProfilerData
from .storage import END_MARKER

PREFIX = "ATELIER_RULE_STATUS "
RESERVED = ("rule_to_invoke", "action_json", "stop_training_on_fire", "source_s3_uri", "training_job_name_prefix")


class ConfigurationError(Exception):
    pass


def emit(status: str, details: str, step: int | None = None, tensor: str | None = None, mode: str | None = None,
         action: str | None = None) -> None:
    line = {"status": status, "details": details, "step": step, "tensor": tensor, "mode": mode, "action": action}
    sys.stdout.write(PREFIX + json.dumps(line) + "\n")
    sys.stdout.flush()


def stop_action(params: dict[str, str], job_name: str | None) -> str | None:
    """"StopTraining" when the rule's actions ask for it (action_json's StopTraining, whose
    training_job_prefix must match the job when given, or stop_training_on_fire=True)."""
    if str(params.get("stop_training_on_fire", "")).strip().lower() == "true":
        return "StopTraining"
    raw = params.get("action_json")
    if not raw:
        return None
    try:
        actions = json.loads(raw)
    except ValueError as e:
        raise ConfigurationError(f"RuleParameters.action_json: not valid JSON: {e}") from None
    actions = actions if isinstance(actions, list) else [actions]
    for a in actions:
        if isinstance(a, dict) and "StopTraining" in a:
            prefix = (a.get("StopTraining") or {}).get("training_job_prefix")
            if not prefix or not job_name or job_name.startswith(prefix):
                return "StopTraining"
    return None


def load_rule_class(name: str, source_path: str | None) -> type:
    if not source_path:
        cls = BUILTIN.get(name)
        if cls is None:
            raise ConfigurationError(f"RuleParameters.rule_to_invoke: unknown rule {name!r} (built-in rules: "
                                     f"{', '.join(sorted(BUILTIN))}; a custom rule needs source_s3_uri)")
        return cls
    path = source_path
    if os.path.isdir(path):
        path = os.path.join(path, "rule.py")
    if not os.path.isfile(path):
        raise ConfigurationError(f"RuleParameters.source_s3_uri: the rule's source is not there ({source_path})")
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    spec = importlib.util.spec_from_file_location("atelier_custom_rule", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    cls = getattr(module, name, None)
    if not (isinstance(cls, type) and issubclass(cls, Rule)):
        raise ConfigurationError(f"RuleParameters.rule_to_invoke: {os.path.basename(path)} has no class {name!r} "
                                 f"based on atelier.debugger.Rule")
    return cls


class Runner:
    def __init__(self, config: dict[str, Any]):
        params = dict(config.get("RuleParameters") or {})
        self.name = str(params.get("rule_to_invoke") or "").strip()
        if not self.name:
            raise ConfigurationError("RuleParameters.rule_to_invoke: required")
        self.action = stop_action(params, config.get("TrainingJobName"))
        self.tensors_path = config.get("TensorsPath") or "/opt/ml/processing/input/tensors"
        self.profiler_path = config.get("ProfilerPath") or "/opt/ml/processing/input/profiler"
        cls = load_rule_class(self.name, config.get("SourcePath"))
        rule_params = {k: v for k, v in params.items() if k not in RESERVED}
        self.profiler = issubclass(cls, ProfilerRule)
        from .trials import Trial

        trial = Trial(self.tensors_path) if (not self.profiler or os.path.isdir(self.tensors_path)) else None
        if trial is not None:
            trial.auto_refresh = False
        self.trial = trial
        try:
            self.rule = cls(trial, **rule_params)
        except RuleParameterError as e:
            raise ConfigurationError(str(e)) from None
        except TypeError as e:  # a custom rule's __init__ that does not take a parameter
            raise ConfigurationError(f"RuleParameters: {self.name} does not take these parameters: {e}") from None
        self.data = ProfilerData(self.profiler_path) if self.profiler else None
        self.poll = float(os.environ.get("ATELIER_RULE_POLL_SECONDS", "1"))
        self.first: Issue | None = None
        self.count = 0
        self.evaluated: set[int] = set()
        self.stopping = False
        self.done = False

    def ended(self) -> bool:
        return self.stopping or any(os.path.exists(os.path.join(p, END_MARKER))
                                    for p in (self.tensors_path, self.profiler_path) if p)

    def found(self, issue: Issue) -> None:
        self.count += 1
        if issue.mode is None and issue.step is not None and self.trial is not None:
            try:
                issue.mode = self.trial.mode(issue.step)
            except KeyError:
                pass
        if self.first is None:
            self.first = issue
        emit("IssuesFound", f"{self.name}: {issue.details}", issue.step, issue.tensor, issue.mode, self.action)

    def _as_issue(self, result: Any, step: int | None) -> Issue | None:
        if isinstance(result, Issue):
            return result
        if result:
            return Issue(step, f"condition met at step {step}")
        return None

    def evaluate_steps(self) -> None:
        self.trial.refresh()
        for step in self.trial.steps(refresh=False):
            if step in self.evaluated or self.done:
                continue
            self.evaluated.add(step)
            try:
                issue = self._as_issue(self.rule.invoke_at_step(step), step)
            except RuleEvaluationConditionMet as e:
                issue = Issue(e.step, str(e))
                self.done = self.done or e.end_of_rule
            if issue:
                self.found(issue)

    def evaluate_profile(self, final: bool) -> None:
        new = self.data.refresh()
        if new or final:
            issue = self._as_issue(self.rule.evaluate(self.data.samples, final), None)
            if issue and (self.first is None or self.first.details != issue.details):
                self.found(issue)

    def run(self) -> int:
        emit("InProgress", f"{self.name}: waiting for {'profiler samples' if self.profiler else 'tensors'}")
        last_progress = 0.0
        while True:
            ended = self.ended()  # before reading: everything written before the marker is then read
            if self.profiler:
                self.evaluate_profile(final=ended)
            else:
                self.evaluate_steps()
            if ended or self.done:
                break
            if self.first is None and time.monotonic() - last_progress > 5 and (self.evaluated or self.profiler):
                what = f"{len(self.data.samples)} samples" if self.profiler else f"{len(self.evaluated)} steps"
                emit("InProgress", f"{self.name}: {what} evaluated, no issue so far")
                last_progress = time.monotonic()
            time.sleep(self.poll)
        if not self.profiler:
            issue = self._as_issue(self.rule.finish(), None)
            if issue:
                self.found(issue)
        if self.first is not None:
            more = f" ({self.count} issues in all)" if self.count > 1 else ""
            emit("IssuesFound", f"{self.name}: {self.first.details}{more}", self.first.step, self.first.tensor,
                 self.first.mode, self.action)
        else:
            what = f"{len(self.data.samples)} profiler samples" if self.profiler else f"{len(self.evaluated)} steps"
            emit("NoIssuesFound", f"{self.name}: no issue in {what}")
        return 0


def main() -> int:
    raw = os.environ.get("ATELIER_RULE_CONFIG")
    try:
        if not raw:
            raise ConfigurationError("ATELIER_RULE_CONFIG is not set: the rule's configuration is missing")
        try:
            config = json.loads(raw)
        except ValueError as e:
            raise ConfigurationError(f"ATELIER_RULE_CONFIG: not valid JSON: {e}") from None
        runner = Runner(config)
    except ConfigurationError as e:
        emit("Error", str(e))
        return 2
    except Exception as e:  # noqa: BLE001 - e.g. a custom rule's file that does not import
        traceback.print_exc()
        emit("Error", f"the rule could not be loaded: {type(e).__name__}: {e}")
        return 1

    def on_term(signum, frame):
        runner.stopping = True

    signal.signal(signal.SIGTERM, on_term)
    try:
        return runner.run()
    except Exception as e:  # noqa: BLE001 - a rule that crashes reports Error, never affects the job
        traceback.print_exc()
        emit("Error", f"{runner.name} failed: {type(e).__name__}: {e}")
        return 1


if __name__ == "__main__":
    sys.exit(main())
