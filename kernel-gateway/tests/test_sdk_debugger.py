"""The Estimator's debugger options (rules, hook and profiler configs), the job's rule statuses and
tensors, and %%atelier_train's rule options, against a fake Atelier API."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

from atelier import CollectionConfig, DebuggerHookConfig, Estimator, ProfilerConfig, ProfilerRule, Rule, TrainingJob
from atelier.debugger import TRAIN, Hook
from atelier.debugger import config as hook_config
from atelier.debugger.rules import BUILTIN
from atelier.debugging import DEBUGGER_RULES, PROFILER_RULES

from sdk_fake import Reply, describe, env, fake  # noqa: F401 - fixtures

IMAGE = "atelier/deeplearning:latest"


def created(env) -> dict:
    (call,) = env.calls("POST", "training-jobs")
    return call.json()


def estimator(**kw) -> Estimator:
    return Estimator(IMAGE, entry_point="train.py", files={"train.py": "print(1)\n"}, output_path="s3://out/jobs", **kw)


def test_the_sdk_names_every_built_in_rule_the_runner_has():
    assert set(DEBUGGER_RULES.values()) | set(PROFILER_RULES.values()) == set(BUILTIN)


def test_built_in_rules_with_parameters_and_stop_training_become_debug_rule_configurations(env):
    est = estimator(rules=[Rule.builtin("vanishing_gradient", threshold=1e-6, stop_training=True),
                           Rule.builtin("LossNotDecreasing", rule_parameters={"num_steps": 20, "mode": "TRAIN"},
                                        instance_type="ml.t3.medium", collections_to_save=["losses"])])
    est.fit(job_name="dbg-1", wait=False)
    body = created(env)
    assert body["DebugRuleConfigurations"] == [
        {"RuleConfigurationName": "VanishingGradient", "RuleEvaluatorImage": "atelier/datascience:latest",
         "RuleParameters": {"threshold": "1e-06", "rule_to_invoke": "VanishingGradient",
                            "action_json": json.dumps({"StopTraining": {"training_job_prefix": "dbg-1"}})}},
        {"RuleConfigurationName": "LossNotDecreasing", "RuleEvaluatorImage": "atelier/datascience:latest",
         "RuleParameters": {"num_steps": "20", "mode": "TRAIN", "rule_to_invoke": "LossNotDecreasing"},
         "InstanceType": "ml.t3.medium"},
    ]
    # A rule's collections_to_save need a hook: one to the job's output path, as the sagemaker SDK makes.
    assert body["DebugHookConfig"] == {"S3OutputPath": "s3://out/jobs",
                                       "CollectionConfigurations": [{"CollectionName": "losses"}]}
    assert "ProfilerConfig" not in body and "ProfilerRuleConfigurations" not in body


def test_the_hook_and_profiler_configs_and_profiler_rules(env):
    hook = DebuggerHookConfig(s3_output_path="s3://out/tensors", hook_parameters={"save_interval": 10},
                              collection_configs=[CollectionConfig("gradients", {"reductions": ["norm", "abs_mean"]}),
                                                  "weights"])
    est = estimator(rules=[Rule.builtin("exploding_tensor", collections_to_save=[CollectionConfig("weights")]),
                           ProfilerRule.builtin("low_cpu_utilization", threshold_p95=60)],
                    debugger_hook_config=hook,
                    profiler_config=ProfilerConfig(system_monitor_interval_millis=1000))
    est.fit(job_name="dbg-2", wait=False)
    body = created(env)
    assert body["DebugHookConfig"] == {
        "S3OutputPath": "s3://out/tensors", "HookParameters": {"save_interval": "10"},
        "CollectionConfigurations": [{"CollectionName": "gradients", "CollectionParameters": {"reductions": "norm,abs_mean"}},
                                     {"CollectionName": "weights"}]}
    assert [r["RuleConfigurationName"] for r in body["DebugRuleConfigurations"]] == ["ExplodingTensor"]
    assert body["ProfilerConfig"] == {"S3OutputPath": "s3://out/jobs", "ProfilingIntervalInMilliseconds": 1000}
    assert body["ProfilerRuleConfigurations"] == [
        {"RuleConfigurationName": "LowCPUUtilization", "RuleEvaluatorImage": "atelier/datascience:latest",
         "RuleParameters": {"threshold_p95": "60", "rule_to_invoke": "LowCPUUtilization"}}]


def test_no_debugger_options_send_no_debugger_fields_and_profiler_rules_alone_turn_the_profiler_on(env):
    estimator().fit(job_name="dbg-3", wait=False)
    body = created(env)
    assert not {"DebugHookConfig", "DebugRuleConfigurations", "ProfilerConfig", "ProfilerRuleConfigurations"} & set(body)
    env.requests.clear()
    estimator(rules=[ProfilerRule.builtin("profiler_report")]).fit(job_name="dbg-4", wait=False)
    body = created(env)
    assert body["ProfilerConfig"] == {"S3OutputPath": "s3://out/jobs"}
    assert body["ProfilerRuleConfigurations"][0]["RuleParameters"] == {"rule_to_invoke": "ProfilerReport"}


def test_a_custom_rule_is_uploaded_and_named_by_its_class(env, tmp_path):
    source = tmp_path / "my_rule.py"
    source.write_text("from atelier.debugger import Rule\nclass LossAbove(Rule):\n    pass\n")
    est = estimator(rules=[Rule.custom("loss-above", source=str(source), rule_to_invoke="LossAbove",
                                       rule_parameters={"threshold": 2.5}, image_uri=IMAGE, stop_training=True)])
    est.fit(job_name="dbg-5", wait=False)
    (rule,) = created(env)["DebugRuleConfigurations"]
    uri = "s3://out/dbg-5/rule-source/loss-above/my_rule.py"
    assert rule == {"RuleConfigurationName": "loss-above", "RuleEvaluatorImage": IMAGE,
                    "RuleParameters": {"threshold": "2.5", "rule_to_invoke": "LossAbove", "source_s3_uri": uri,
                                       "action_json": json.dumps({"StopTraining": {"training_job_prefix": "dbg-5"}})}}
    assert env.objects[uri] == source.read_bytes()


def test_bad_rule_options_are_refused_before_anything_is_sent(env, tmp_path):
    with pytest.raises(ValueError, match="unknown built-in rule 'vanishing_gradients'"):
        Rule.builtin("vanishing_gradients")
    with pytest.raises(ValueError, match="unknown built-in rule 'vanishing_gradient'"):
        ProfilerRule.builtin("vanishing_gradient")
    with pytest.raises(ValueError, match="unknown action 'Email'"):
        Rule.builtin("dead_relu", actions={"Email": {}})
    with pytest.raises(ValueError, match="rule_to_invoke"):
        Rule.custom("r", source="s3://b/r.py", rule_to_invoke="not a class")
    with pytest.raises(FileNotFoundError, match="missing.py"):
        Rule.custom("r", source=str(tmp_path / "missing.py"), rule_to_invoke="R")
    with pytest.raises(ValueError, match="'DeadRelu' is used twice"):
        estimator(rules=[Rule.builtin("dead_relu"), Rule.builtin("dead_relu")]).fit(job_name="dbg-6", wait=False)
    with pytest.raises(ValueError, match="profiler rules need the profiler"):
        estimator(rules=[ProfilerRule.builtin("cpu_bottleneck")], profiler_config=False).fit(job_name="dbg-7", wait=False)
    assert env.calls("POST", "training-jobs") == []


def test_rule_statuses_and_the_debugger_trial_of_a_job(env, tmp_path):
    name = "dbg-8"
    statuses = [{"RuleConfigurationName": "VanishingGradient", "RuleEvaluationStatus": "IssuesFound",
                 "StatusDetails": "gradients/d0/kernel at step 0"}]
    profiler = [{"RuleConfigurationName": "LowCPUUtilization", "RuleEvaluationStatus": "NoIssuesFound"}]
    env.route("GET", f"training-jobs/{name}", describe(name, "Stopped", DebugRuleEvaluationStatuses=statuses,
                                                       ProfilerRuleEvaluationStatuses=profiler))
    prefix = f"s3://out/jobs/{name}/debug-output/"
    env.route("GET", f"training-jobs/{name}/debugger", Reply(200, {"TrainingJobName": name, "TensorsS3Uri": prefix}))
    job = TrainingJob(name)
    assert job.rule_statuses() == statuses + profiler

    # The tensors as the server's live upload leaves them in S3.
    hook = Hook(config=hook_config.parse({"LocalPath": str(tmp_path)}))
    hook.set_mode(TRAIN)
    hook.next_step()
    hook.save_tensor("gradients/d0/kernel", np.zeros((2, 2), dtype=np.float32), collections=["gradients"])
    hook.close()
    for d, _, files in os.walk(tmp_path):
        for f in files:
            rel = os.path.relpath(os.path.join(d, f), tmp_path)
            env.objects[prefix + rel] = open(os.path.join(d, f), "rb").read()
    t = job.debugger_trial()
    assert t.steps() == [0] and t.loaded_all_steps
    assert t.tensor("gradients/d0/kernel").value(0).tolist() == [[0, 0], [0, 0]]

    env.route("GET", "training-jobs/plain/debugger", Reply(200, {"TrainingJobName": "plain", "TensorsS3Uri": None}))
    with pytest.raises(ValueError, match="saves no tensors"):
        TrainingJob("plain").debugger_trial()


def test_train_magic_takes_rules_the_hook_interval_and_the_profiler(env, tmp_path):
    IPython = pytest.importorskip("IPython")  # noqa: F841
    from IPython.core.error import UsageError
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "atelier")
    rule = tmp_path / "rule.py"
    rule.write_text("from atelier.debugger import Rule\nclass Mine(Rule):\n    pass\n")
    line = (f"--image {IMAGE} --output s3://out/jobs --name magic-dbg --no-wait "
            "--rule vanishing_gradient loss_not_decreasing:num_steps=20,mode=TRAIN --rule low_cpu_utilization "
            f"--custom-rule {rule}:Mine --stop-training --save-interval 5 --collections gradients,losses --profile")
    shell.run_cell_magic("atelier_train", line, "print('train')\n")
    body = created(env)
    rules = {r["RuleConfigurationName"]: r["RuleParameters"] for r in body["DebugRuleConfigurations"]}
    stop = json.dumps({"StopTraining": {"training_job_prefix": "magic-dbg"}})
    assert rules == {
        "VanishingGradient": {"rule_to_invoke": "VanishingGradient", "action_json": stop},
        "LossNotDecreasing": {"num_steps": "20", "mode": "TRAIN", "rule_to_invoke": "LossNotDecreasing",
                              "action_json": stop},
        "Mine": {"rule_to_invoke": "Mine", "source_s3_uri": "s3://out/magic-dbg/rule-source/Mine/rule.py",
                 "action_json": stop},
    }
    assert body["ProfilerRuleConfigurations"][0]["RuleParameters"] == {"rule_to_invoke": "LowCPUUtilization"}
    assert body["DebugHookConfig"] == {"S3OutputPath": "s3://out/jobs", "HookParameters": {"save_interval": "5"},
                                       "CollectionConfigurations": [{"CollectionName": "gradients"},
                                                                    {"CollectionName": "losses"}]}
    assert body["ProfilerConfig"] == {"S3OutputPath": "s3://out/jobs"}
    with pytest.raises(UsageError, match="unknown built-in rule 'no_such_rule'"):
        shell.run_cell_magic("atelier_train", "--rule no_such_rule --no-wait", "print(1)\n")
    with pytest.raises(UsageError, match="--rule dead_relu expects name=value"):
        shell.run_cell_magic("atelier_train", "--rule dead_relu:oops --no-wait", "print(1)\n")
    with pytest.raises(UsageError, match="--custom-rule expects FILE.py:CLASS"):
        shell.run_cell_magic("atelier_train", "--custom-rule rule.py --no-wait", "print(1)\n")
