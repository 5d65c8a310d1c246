"""trial() on an s3:// prefix, through the objects API with the kernel's session (its client logic
against the SDK's stand-in server), seeing steps uploaded while it reads; and the PyTorch hook,
when torch is installed."""

from __future__ import annotations

import os

import numpy as np
import pytest

from atelier.debugger import TRAIN, Hook, trial
from atelier.debugger import config as hook_config
from sdk_fake import env, fake  # noqa: F401 - fixtures


def upload(server, root, prefix):
    """What the server's live upload does: every file under root, event files before index entries."""
    files = sorted((os.path.relpath(os.path.join(d, f), root) for d, _, fs in os.walk(root) for f in fs
                    if not f.startswith(".")), key=lambda p: p.startswith("index/"))
    for rel in files:
        with open(os.path.join(root, rel), "rb") as f:
            server.objects[f"{prefix}{rel}"] = f.read()


def test_trial_reads_an_s3_prefix_and_new_steps_as_they_are_uploaded(env, tmp_path):
    hook = Hook(config=hook_config.parse({"LocalPath": str(tmp_path)}))
    hook.set_mode(TRAIN)
    hook.next_step()
    hook.save_tensor("weights/w", np.arange(6, dtype=np.float32).reshape(2, 3), collections=["weights"])
    hook.save_scalar("loss", 2.0, collections=["losses"])
    hook.flush()
    prefix = "s3://bucket1/job-1/debug-output/"
    upload(env, tmp_path, prefix)

    t = trial(prefix)
    assert t.steps() == [0] and not t.loaded_all_steps
    assert t.tensor("weights/w").value(0).tolist() == [[0, 1, 2], [3, 4, 5]]
    assert t.tensor_names(collection="losses") == ["loss"]

    hook.next_step()
    hook.save_scalar("loss", 1.0, collections=["losses"])
    hook.close()
    upload(env, tmp_path, prefix)
    assert t.steps() == [0, 1] and t.loaded_all_steps
    assert t.tensor("loss").value(1) == 1.0


def test_torch_hook_saves_gradients_weights_outputs_and_losses(tmp_path):
    torch = pytest.importorskip("torch", reason="the PyTorch hook's test needs torch (not in the test environment)")
    from atelier.debugger.torch_hook import TorchHook

    hook = Hook(config=hook_config.parse({"LocalPath": str(tmp_path), "HookParameters": {"save_interval": "1"},
                                          "CollectionConfigurations": [{"CollectionName": n} for n in
                                                                       ("losses", "weights", "gradients", "outputs")]}))
    model = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU(), torch.nn.Linear(3, 1))
    loss_fn = torch.nn.MSELoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    th = TorchHook(hook)
    th.register_module(model)
    th.register_module(loss_fn)
    th.register_optimizer(optimizer)
    x, y = torch.randn(8, 4), torch.randn(8, 1)
    for _ in range(2):
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
    hook.close()
    t = trial(str(tmp_path))
    assert t.steps() == [0, 1]
    assert {"gradients/0.weight", "weights/0.weight", "biases/0.bias", "outputs/1", "1/relu_output",
            "losses/mseloss"} <= set(t.tensor_names())
    assert t.tensor("gradients/0.weight").value(0).shape == (3, 4)
