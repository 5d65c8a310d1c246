"""The built-in rules, by the names ``rule_to_invoke`` uses (SageMaker's)."""

from __future__ import annotations

from .base import Issue, Rule, RuleEvaluationConditionMet, RuleParameterError
from .losses import LossNotDecreasing, Overfit, Overtraining
from .profiler import CPUBottleneck, IOBottleneck, LowCPUUtilization, MaxInitializationTime, ProfilerRule
from .report import ProfilerReport
from .tensors import (ClassImbalance, DeadRelu, ExplodingTensor, PoorWeightInitialization, SaturatedActivation, TreeDepth,
                      VanishingGradient)

BUILTIN = {cls.__name__: cls for cls in (
    VanishingGradient, ExplodingTensor, LossNotDecreasing, Overfit, Overtraining, PoorWeightInitialization,
    SaturatedActivation, DeadRelu, ClassImbalance, TreeDepth,
    LowCPUUtilization, CPUBottleneck, IOBottleneck, MaxInitializationTime, ProfilerReport)}

__all__ = ["BUILTIN", "Issue", "Rule", "ProfilerRule", "RuleEvaluationConditionMet", "RuleParameterError", *BUILTIN]
