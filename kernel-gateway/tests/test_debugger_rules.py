"""Each built-in rule's logic, on synthetic tensors written with the real hook API."""

from __future__ import annotations

import json

import numpy as np
import pytest

from atelier.debugger import EVAL, TRAIN, Hook, trial
from atelier.debugger import config as hook_config
from atelier.debugger.rules import BUILTIN, RuleParameterError
from atelier.debugger.rules.profiler import ProfilerData


def write(root, steps):
    """steps: a list of (mode, {name: (value, [collections])}) written one step each."""
    hook = Hook(config=hook_config.parse({"LocalPath": str(root)}))
    for mode, tensors in steps:
        hook.set_mode(mode)
        hook.next_step()
        for name, (value, collections) in tensors.items():
            hook.save_tensor(name, np.asarray(value), collections=collections)
    hook.close()
    return trial(str(root))


def first_issue(rule_name, t, **params):
    rule = BUILTIN[rule_name](t, **{k: str(v) for k, v in params.items()})
    for step in t.steps():
        found = rule.invoke_at_step(step)
        if found:
            return found
    return None


def test_vanishing_gradient_fires_at_the_step_the_gradient_vanishes(tmp_path):
    t = write(tmp_path, [(TRAIN, {"gradients/d/kernel": (np.full(4, g), ["gradients"])}) for g in (0.1, 0.01, 1e-9, 1e-9)])
    issue = first_issue("VanishingGradient", t)
    assert issue.step == 2 and issue.tensor == "gradients/d/kernel"
    assert first_issue("VanishingGradient", t, threshold=1e-10) is None


def test_exploding_tensor(tmp_path):
    t = write(tmp_path, [(TRAIN, {"w": ([1.0, 2.0], ["weights"])}), (TRAIN, {"w": ([np.inf, 1.0], ["weights"])}),
                         (TRAIN, {"w": ([np.nan, 1.0], ["weights"])})])
    assert first_issue("ExplodingTensor", t).step == 1
    assert first_issue("ExplodingTensor", t, only_nan=True).step == 2


def test_loss_not_decreasing_fires_on_a_plateau(tmp_path):
    losses = [1.0, 0.8, 0.6, 0.5, 0.5, 0.5, 0.5]
    t = write(tmp_path, [(TRAIN, {"loss": (v, ["losses"])}) for v in losses])
    issue = first_issue("LossNotDecreasing", t, num_steps=2)
    assert issue.step == 6 and issue.tensor == "loss"  # checked at steps 2, 4, 6: 0.5 -> 0.5
    assert first_issue("LossNotDecreasing", t, num_steps=2, diff_percent=0.0) is None


def test_overfit_and_overtraining(tmp_path):
    steps = []
    for train, val in [(1.0, 1.0), (0.5, 0.52), (0.3, 0.6), (0.3, 0.7)]:
        steps += [(TRAIN, {"loss": (train, ["losses"])}), (EVAL, {"loss": (val, ["losses"])})]
    t = write(tmp_path, steps)
    assert first_issue("Overfit", t).step == 5
    assert first_issue("Overfit", t, ratio_threshold=5) is None
    issue = first_issue("Overtraining", t, patience_validation=2)
    assert issue.step == 7 and issue.mode == EVAL


def test_dead_relu_and_saturated_activation(tmp_path):
    rng = np.random.default_rng(0)
    alive = rng.random((32, 10))
    dead = np.zeros((32, 10))
    dead[:, 0] = 1.0
    t = write(tmp_path, [(TRAIN, {"d/relu_output": (alive, ["outputs"]), "d/tanh_input": (rng.normal(size=(32, 10)), ["outputs"])}),
                         (TRAIN, {"d/relu_output": (dead, ["outputs"]), "d/tanh_input": (np.full((32, 10), 20.0), ["outputs"])})])
    assert first_issue("DeadRelu", t).step == 1
    assert first_issue("SaturatedActivation", t).step == 1


def test_poor_weight_initialization_compares_activation_variances(tmp_path):
    t = write(tmp_path, [(TRAIN, {"a/relu_input": (np.random.default_rng(1).normal(0, 1, 100), ["outputs"]),
                                  "b/relu_input": (np.random.default_rng(2).normal(0, 100, 100), ["outputs"])})])
    assert "variance" in first_issue("PoorWeightInitialization", t).details


def test_class_imbalance(tmp_path):
    labels = np.array([0] * 95 + [1] * 5)
    t = write(tmp_path, [(TRAIN, {"labels": (labels, ["labels"]), "predictions": (labels, ["predictions"])})] * 5)
    assert first_issue("ClassImbalance", t).step == 4  # 500 samples seen
    balanced = write(tmp_path / "b", [(TRAIN, {"labels": (np.arange(100) % 2, []), "predictions": (np.arange(100) % 2, [])})] * 5)
    assert first_issue("ClassImbalance", balanced) is None


def test_tree_depth(tmp_path):
    t = write(tmp_path, [(TRAIN, {"trees/depth": (d, ["trees"])}) for d in (5.0, 4.0, 2.0)])
    assert first_issue("TreeDepth", t).step == 2


def test_wrong_parameters_name_the_field(tmp_path):
    t = write(tmp_path, [(TRAIN, {"loss": (1.0, ["losses"])})])
    with pytest.raises(RuleParameterError, match=r"RuleParameters\.num_steps"):
        BUILTIN["LossNotDecreasing"](t, num_steps="ten")
    with pytest.raises(RuleParameterError, match=r"RuleParameters\.thresold"):
        BUILTIN["VanishingGradient"](t, thresold="1")


def samples(tmp_path, cpu, disk_step=0):
    folder = tmp_path / "system"
    folder.mkdir(parents=True)
    lines = [json.dumps({"ts": 1000.0 + i * 0.5, "cpu": [c, c], "cpu_total": c, "memory_bytes": 1 << 20,
                         "memory_limit_bytes": 1 << 30, "disk_read_bytes": i * disk_step, "disk_write_bytes": 0,
                         "net_rx_bytes": 0, "net_tx_bytes": 0, "gpu": []}) for i, c in enumerate(cpu)]
    (folder / "2026120714.jsonl").write_text("\n".join(lines) + "\n")
    data = ProfilerData(str(tmp_path))
    data.refresh()
    return data.samples


def test_profiler_rules(tmp_path):
    busy = samples(tmp_path / "busy", [95.0] * 20)
    assert BUILTIN["CPUBottleneck"](None).evaluate(busy, final=True)
    assert not BUILTIN["LowCPUUtilization"](None).evaluate(busy, final=True)
    low = samples(tmp_path / "low", [30.0] * 20)
    assert BUILTIN["LowCPUUtilization"](None).evaluate(low, final=True)
    assert not BUILTIN["CPUBottleneck"](None).evaluate(low, final=True)
    io = samples(tmp_path / "io", [5.0] * 20, disk_step=10 << 20)
    assert BUILTIN["IOBottleneck"](None).evaluate(io, final=True)
    assert not BUILTIN["CPUBottleneck"](None).evaluate(low, final=False)  # patience: 1000 samples first


def test_profiler_report_writes_html(tmp_path, monkeypatch):
    monkeypatch.setenv("ATELIER_PROFILER_REPORT_DIR", str(tmp_path / "report"))
    report = BUILTIN["ProfilerReport"](None, CPUBottleneck_threshold="10")
    found = report.evaluate(samples(tmp_path / "p", [95.0] * 20), final=True)
    assert found and "CPU" in found.details
    page = (tmp_path / "report" / "profiler-report.html").read_text()
    assert "CPUBottleneck" in page and "IssuesFound" in page and "<svg" in page
    with pytest.raises(RuleParameterError, match="RuleParameters.Nope_x"):
        BUILTIN["ProfilerReport"](None, Nope_x="1")
