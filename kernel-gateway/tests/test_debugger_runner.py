"""``python -m atelier.debugger.rule_runner``: status lines, waiting for tensors, actions, errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import numpy as np

from atelier.debugger import TRAIN, Hook
from atelier.debugger import config as hook_config

PREFIX = "ATELIER_RULE_STATUS "


def start(config, tmp_path):
    env = dict(os.environ, ATELIER_RULE_CONFIG=json.dumps(config), ATELIER_RULE_POLL_SECONDS="0.1")
    return subprocess.Popen([sys.executable, "-m", "atelier.debugger.rule_runner"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path)


def statuses(stdout: str) -> list[dict]:
    return [json.loads(line[len(PREFIX):]) for line in stdout.splitlines() if line.startswith(PREFIX)]


def config(tmp_path, **params):
    return {"RuleConfigurationName": "r", "RuleParameters": params, "TensorsPath": str(tmp_path / "tensors"),
            "ProfilerPath": str(tmp_path / "profiler"), "TrainingJobName": "job-1", "Kind": "debugger"}


def test_runner_waits_for_steps_reports_the_step_and_the_action_and_stops_at_the_end_marker(tmp_path):
    proc = start(config(tmp_path, rule_to_invoke="VanishingGradient",
                        action_json='{"StopTraining": {"training_job_prefix": "job-"}}'), tmp_path)
    try:
        first = proc.stdout.readline()
        assert json.loads(first[len(PREFIX):])["status"] == "InProgress"
        hook = Hook(config=hook_config.parse({"LocalPath": str(tmp_path / "tensors")}))
        hook.set_mode(TRAIN)
        for g in (0.5, 0.1, 1e-12):
            hook.next_step()
            hook.save_tensor("gradients/dense/kernel", np.full(3, g), collections=["gradients"])
            hook.flush()
        # The issue is reported while training goes on, before the end marker.
        line = proc.stdout.readline()
        while json.loads(line[len(PREFIX):])["status"] == "InProgress":
            line = proc.stdout.readline()
        fired = json.loads(line[len(PREFIX):])
        assert fired["status"] == "IssuesFound" and proc.poll() is None
        assert fired["step"] == 2 and fired["tensor"] == "gradients/dense/kernel" and fired["action"] == "StopTraining"
        assert fired["mode"] == "TRAIN"
        hook.close()
        out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    last = statuses(out)[-1]
    assert last["status"] == "IssuesFound" and last["step"] == 2


def test_a_healthy_run_ends_with_no_issues(tmp_path):
    hook = Hook(config=hook_config.parse({"LocalPath": str(tmp_path / "tensors")}))
    for loss in (1.0, 0.5, 0.25):
        hook.next_step()
        hook.save_scalar("loss", loss, collections=["losses"])
    hook.close()
    proc = start(config(tmp_path, rule_to_invoke="LossNotDecreasing", num_steps="1"), tmp_path)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert statuses(out)[-1]["status"] == "NoIssuesFound" and statuses(out)[-1]["action"] is None


def test_a_custom_rule_on_the_same_base_class(tmp_path):
    (tmp_path / "rule").mkdir()
    (tmp_path / "rule" / "rule.py").write_text(
        "from atelier.debugger import Rule\n"
        "class LossAbove(Rule):\n"
        "    def __init__(self, base_trial, threshold='1'):\n"
        "        super().__init__(base_trial)\n"
        "        self.threshold = float(threshold)\n"
        "    def invoke_at_step(self, step):\n"
        "        t = self.base_trial.tensor('loss')\n"
        "        if step in t.steps() and t.value(step) > self.threshold:\n"
        "            return self.issue(step, 'loss above threshold', tensor='loss')\n")
    hook = Hook(config=hook_config.parse({"LocalPath": str(tmp_path / "tensors")}))
    for loss in (1.0, 5.0):
        hook.next_step()
        hook.save_scalar("loss", loss, collections=["losses"])
    hook.close()
    cfg = config(tmp_path, rule_to_invoke="LossAbove", threshold="2", source_s3_uri="s3://b/rule.py")
    cfg["SourcePath"] = str(tmp_path / "rule" / "rule.py")
    proc = start(cfg, tmp_path)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert statuses(out)[-1] | {"details": None} == {"status": "IssuesFound", "details": None, "step": 1,
                                                       "tensor": "loss", "mode": "TRAIN", "action": None}


def test_errors_unknown_rule_bad_parameter_and_a_rule_that_crashes(tmp_path):
    proc = start(config(tmp_path, rule_to_invoke="NoSuchRule"), tmp_path)
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 2 and statuses(out)[-1]["status"] == "Error"
    assert "rule_to_invoke" in statuses(out)[-1]["details"]

    proc = start(config(tmp_path, rule_to_invoke="Overfit", patience="soon"), tmp_path)
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 2 and "RuleParameters.patience" in statuses(out)[-1]["details"]

    (tmp_path / "crash.py").write_text("from atelier.debugger import Rule\nclass Crash(Rule):\n"
                                       "    def invoke_at_step(self, step):\n        raise RuntimeError('boom')\n")
    hook = Hook(config=hook_config.parse({"LocalPath": str(tmp_path / "tensors")}))
    hook.next_step()
    hook.save_scalar("loss", 1.0)
    hook.close()
    cfg = config(tmp_path, rule_to_invoke="Crash")
    cfg["SourcePath"] = str(tmp_path / "crash.py")
    proc = start(cfg, tmp_path)
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 1
    assert statuses(out)[-1]["status"] == "Error" and "RuntimeError: boom" in statuses(out)[-1]["details"]


def write_samples(folder, cpu):
    (folder / "system").mkdir(parents=True, exist_ok=True)
    lines = [json.dumps({"ts": 1000.0 + i * 0.5, "cpu": [c], "cpu_total": c, "memory_bytes": 1 << 20,
                         "memory_limit_bytes": 1 << 30, "disk_read_bytes": 0, "disk_write_bytes": 0,
                         "net_rx_bytes": 0, "net_tx_bytes": 0, "gpu": []}) for i, c in enumerate(cpu)]
    with open(folder / "system" / "2026120714.jsonl", "a") as f:
        f.write("\n".join(lines) + "\n")


def test_a_profiler_rule_evaluates_samples_and_ends_at_the_marker_in_the_profiler_folder(tmp_path):
    write_samples(tmp_path / "profiler", [97.0] * 30)
    (tmp_path / "profiler" / "training_job_end.ts").write_text("1000\n")
    cfg = config(tmp_path, rule_to_invoke="CPUBottleneck")
    cfg["Kind"] = "profiler"
    proc = start(cfg, tmp_path)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    last = statuses(out)[-1]
    assert last["status"] == "IssuesFound" and last["step"] is None and "CPU" in last["details"]


def test_sigterm_ends_the_runner_with_its_final_status(tmp_path):
    write_samples(tmp_path / "profiler", [30.0] * 4)
    report = tmp_path / "report"
    cfg = config(tmp_path, rule_to_invoke="ProfilerReport")
    env = dict(os.environ, ATELIER_RULE_CONFIG=json.dumps(cfg), ATELIER_RULE_POLL_SECONDS="0.1",
               ATELIER_PROFILER_REPORT_DIR=str(report))
    proc = subprocess.Popen([sys.executable, "-m", "atelier.debugger.rule_runner"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path)
    try:
        assert json.loads(proc.stdout.readline()[len(PREFIX):])["status"] == "InProgress"
        write_samples(tmp_path / "profiler", [35.0] * 4)  # more samples while it runs
        time.sleep(0.5)
        proc.terminate()
        out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    # 30-35% CPU: under-used (LowCPUUtilization), which the report's status says.
    last = statuses(out)[-1]
    assert last["status"] == "IssuesFound" and "under-used" in last["details"]
    page = (report / "profiler-report.html").read_text()
    assert "<th>samples</th><td>8</td>" in page and "LowCPUUtilization</td><td>IssuesFound" in page
