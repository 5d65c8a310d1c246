"""The debugger's storage format and trial reader, written through the real hook API."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

from atelier.debugger import EVAL, TRAIN, ConfigError, Hook, TensorSaveError, TensorUnavailable, trial
from atelier.debugger import config as hook_config
from atelier.debugger.storage import END_MARKER, read_event_file


def make_hook(root, collections=None, hook_params=None):
    cfg = hook_config.parse({"LocalPath": str(root), "HookParameters": hook_params or {},
                             "CollectionConfigurations": collections or []})
    return Hook(config=cfg)


def test_steps_modes_values_and_reductions_round_trip(tmp_path):
    hook = make_hook(tmp_path, [{"CollectionName": "grads", "CollectionParameters": {"reductions": "abs_mean,norm,histogram"}}])
    hook.set_mode(TRAIN)
    for i in range(3):
        hook.next_step()
        hook.save_scalar("loss", 1.0 / (i + 1), collections=["losses"])
        hook.save_tensor("w", np.full((2, 3), i, dtype=np.float32), collections=["weights"])
        hook.save_tensor("g", np.array([-2.0, 2.0]) * (i + 1), collections=["grads"])
    hook.set_mode(EVAL)
    hook.next_step()
    hook.save_scalar("loss", 0.9, collections=["losses"])
    hook.close()

    t = trial(str(tmp_path))
    assert t.loaded_all_steps
    assert t.steps() == [0, 1, 2, 3]
    assert t.steps(TRAIN) == [0, 1, 2] and t.steps(EVAL) == [0]
    assert t.tensor_names(collection="losses") == ["loss"]
    assert t.tensor("loss").value(0, mode=EVAL) == pytest.approx(0.9)
    assert t.tensor("loss").value(3) == pytest.approx(0.9)  # the same step by its global number
    w = t.tensor("w").value(2)
    assert w.dtype == np.float32 and w.shape == (2, 3) and (w == 2).all()
    g = t.tensor("g")
    with pytest.raises(TensorUnavailable):
        g.value(1)  # only reductions were kept
    assert g.reduction_value(1, "mean", abs=True) == pytest.approx(4.0)
    assert g.reduction_value(1, "norm") == pytest.approx(np.sqrt(32))
    assert sum(g.reduction_value(1, "histogram")["counts"]) == 2
    assert t.tensor("w").reduction_value(2, "max") == 2.0  # computed from the saved value
    assert t.mode(3) == EVAL and t.mode_step(3) == 0


def test_files_are_complete_self_describing_and_no_temporary_file_is_left(tmp_path):
    hook = make_hook(tmp_path)
    hook.next_step()
    hook.save_tensor("x", np.arange(5, dtype=np.int64))
    hook.close()
    names = [f for _, _, files in os.walk(tmp_path) for f in files]
    assert sorted(names) == ["000000000000_worker_0.atd", "000000000000_worker_0.json", END_MARKER]
    index = json.loads((tmp_path / "index" / "000000000000" / "000000000000_worker_0.json").read_text())
    assert index["event_file"] == "events/000000000000/000000000000_worker_0.atd"
    records = read_event_file((tmp_path / index["event_file"]).read_bytes())
    assert [r["name"] for r in records] == ["x"] and list(records[0]["value"]) == [0, 1, 2, 3, 4]


def test_save_interval_and_include_regex_choose_what_framework_tensors_are_saved(tmp_path):
    hook = make_hook(tmp_path, [{"CollectionName": "weights", "CollectionParameters": {"save_interval": "2"}},
                                {"CollectionName": "relu", "CollectionParameters": {"include_regex": ".*relu_output"}}],
                     {"save_interval": "3"})
    for _ in range(5):
        hook.next_step()
        hook.save_framework_tensor("weights/dense/kernel", np.ones(2), "weights")
        hook.save_framework_tensor("dense/relu_output", np.ones(2), "outputs")
        hook.save_framework_tensor("outputs/dense", np.ones(2), "outputs")
    hook.close()
    t = trial(str(tmp_path))
    assert t.tensor("weights/dense/kernel").steps() == [0, 2, 4]
    assert t.tensor("dense/relu_output").steps() == [0, 3]
    assert not t.has_tensor("outputs/dense")


def test_a_full_disk_fails_loudly(tmp_path, capsys):
    hook = make_hook(tmp_path)
    hook.next_step()
    hook.save_tensor("x", np.zeros(1000))
    folder = tmp_path / "events" / "000000000000"
    folder.mkdir(parents=True)
    # /dev/full answers every write with ENOSPC, as a full disk does.
    os.symlink("/dev/full", folder / ".000000000000_worker_0.atd.tmp")
    with pytest.raises(TensorSaveError) as e:
        hook.flush()
    assert "No space left on device" in str(e.value) and "step 0" in str(e.value)
    assert "atelier.debugger: ERROR" in capsys.readouterr().err


@pytest.mark.parametrize("document, field", [
    ({"CollectionConfigurations": [{"CollectionName": "g", "CollectionParameters": {"include_regex": "(["}}]},
     "CollectionConfigurations[0].CollectionParameters.include_regex"),
    ({"HookParameters": {"save_interval": "often"}}, "HookParameters.save_interval"),
    ({"CollectionConfigurations": [{"CollectionParameters": {}}]}, "CollectionConfigurations[0].CollectionName"),
    ({"HookParameters": {"reductions": "median"}}, "HookParameters.reductions"),
])
def test_a_bad_hook_config_names_the_field(document, field):
    with pytest.raises(ConfigError) as e:
        hook_config.parse(document)
    assert str(e.value).startswith(field)


def test_trial_sees_new_steps_as_they_arrive(tmp_path):
    hook = make_hook(tmp_path)
    hook.next_step()
    hook.save_scalar("loss", 1.0)
    hook.flush()
    t = trial(str(tmp_path))
    assert t.steps() == [0] and not t.loaded_all_steps
    hook.next_step()
    hook.save_scalar("loss", 0.5)
    hook.close()
    assert t.steps() == [0, 1] and t.loaded_all_steps
