"""The base class of every rule, built-in or a user's.

A rule looks at a trial step by step: the runner calls ``invoke_at_step(step)`` for each new global
step, in order, as it arrives. It returns something false (nothing found), ``True``, or an
``Issue`` (``self.issue(step, details, tensor=...)``) saying where; raising
``RuleEvaluationConditionMet`` also reports an issue (smdebug's way). A custom rule is a class on
this base, in a ``.py`` file::

    from atelier.debugger import Rule

    class LossAbove(Rule):
        def __init__(self, base_trial, threshold="1.0"):
            super().__init__(base_trial)
            self.threshold = float(threshold)

        def invoke_at_step(self, step):
            for name in self.base_trial.tensor_names(collection="losses"):
                t = self.base_trial.tensor(name)
                if step in t.steps() and t.value(step) > self.threshold:
                    return self.issue(step, f"{name} is above {self.threshold}", tensor=name)

Built-in rules declare ``PARAMETERS`` ({name: (type, default)}); values arrive as strings (the
API's RuleParameters) and are converted, with errors naming ``RuleParameters.<name>``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable


@dataclass
class Issue:
    step: int | None
    details: str
    tensor: str | None = None
    mode: str | None = None


class RuleEvaluationConditionMet(Exception):
    """Raised by a rule when its condition is met at ``step``; ``end_of_rule`` stops the rule."""

    def __init__(self, rule_name: str, step: int, end_of_rule: bool = False, details: str | None = None):
        super().__init__(details or f"{rule_name}: condition met at step {step}")
        self.rule_name, self.step, self.end_of_rule = rule_name, step, end_of_rule


class RuleParameterError(ValueError):
    """A RuleParameters value is wrong; the message names it."""


def as_bool(value: Any) -> bool:
    text = str(value).strip().lower()
    if text in ("true", "1", "yes"):
        return True
    if text in ("false", "0", "no"):
        return False
    raise ValueError(f"expected True or False, got {value!r}")


def as_regex_list(value: Any) -> list[re.Pattern]:
    if value is None or value == "" or value == "None":
        return []
    parts = value if isinstance(value, (list, tuple)) else str(value).split(",")
    return [re.compile(p.strip()) for p in parts if str(p).strip()]


def as_list(value: Any) -> list[str]:
    if value is None or value == "" or value == "None":
        return []
    parts = value if isinstance(value, (list, tuple)) else str(value).split(",")
    return [str(p).strip() for p in parts if str(p).strip()]


def as_mode(value: Any) -> str | None:
    if value is None or str(value).strip() in ("", "None"):
        return None
    mode = str(value).strip().upper()
    if mode not in ("TRAIN", "EVAL", "PREDICT", "GLOBAL"):
        raise ValueError(f"expected TRAIN, EVAL or GLOBAL, got {value!r}")
    return mode


_TYPE_NAMES = {float: "a number", int: "a whole number", as_bool: "True or False", str: "a string",
               as_regex_list: "regular expressions (comma-separated)", as_list: "a comma-separated list",
               as_mode: "a mode"}


class Rule:
    """Base class: ``self.base_trial``, the parameters as attributes, ``issue()``."""

    #: {name: (converter, default)}: what a built-in rule takes.
    PARAMETERS: dict[str, tuple[Callable[[Any], Any], Any]] = {}
    #: "debugger" (tensors, step by step) or "profiler" (system samples).
    KIND = "debugger"

    def __init__(self, base_trial: Any, **params: Any):
        self.base_trial = base_trial
        self.name = type(self).__name__
        unknown = sorted(set(params) - set(self.PARAMETERS))
        if unknown and self.PARAMETERS is not Rule.PARAMETERS:
            raise RuleParameterError(f"RuleParameters.{unknown[0]}: {self.name} has no such parameter "
                                     f"(its parameters: {', '.join(sorted(self.PARAMETERS)) or 'none'})")
        for key, (convert, default) in self.PARAMETERS.items():
            raw = params.get(key, default)
            try:
                value = raw if raw is default and not isinstance(raw, str) else convert(raw)
            except (ValueError, TypeError, re.error) as e:
                raise RuleParameterError(f"RuleParameters.{key}: expected {_TYPE_NAMES.get(convert, 'a valid value')}"
                                         f" for {self.name}, got {raw!r} ({e})") from None
            setattr(self, key, value)

    def invoke_at_step(self, step: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define invoke_at_step(step)")

    def finish(self) -> Any:
        """Called once training ended and every step was evaluated; may return a last Issue."""
        return None

    def issue(self, step: int | None, details: str, tensor: str | None = None, mode: str | None = None) -> Issue:
        return Issue(step, details, tensor, mode)

    # -- helpers for the built-in rules ----------------------------------------------------------

    def tensors_at(self, step: int, collections: list[str] | None = None, regexes: list[re.Pattern] | None = None,
                   prefix: str | None = None) -> list[str]:
        """Names of the tensors saved at global ``step`` in any of ``collections``, matching any of
        ``regexes`` or beginning with ``prefix`` (all of that step's tensors when none is given)."""
        names = []
        for name, in_collections in sorted(self.base_trial.tensors_at(step).items()):
            if not (collections or regexes or prefix is not None) \
                    or (collections and any(c in in_collections for c in collections)) \
                    or (regexes and any(r.search(name) for r in regexes)) \
                    or (prefix is not None and name.startswith(prefix)):
                names.append(name)
        return names
