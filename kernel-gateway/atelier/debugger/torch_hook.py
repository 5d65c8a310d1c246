"""PyTorch: module forward hooks and optimizer step hooks.

``TorchHook(hook).register_module(model)`` names every submodule and parameter; each
``optimizer.step()`` (a global step hook, ``register_optimizer_step_pre_hook``/``post_hook``) saves
``gradients/<param>`` (``param.grad`` before the update) and ``weights/<param>`` /
``biases/<param>`` (after it), then ends the step. Forward hooks save ``outputs/<module>`` (and
``<module>/relu_output`` etc. for activation modules), and a loss module's result
(``torch.nn.CrossEntropyLoss()(...)`` and the like) as ``losses/<name>``; a loss computed with a
function (``F.cross_entropy``) is not seen: save it with ``hook.save_scalar("loss", loss)``.
The mode follows the module's ``training`` flag (``model.eval()`` gives EVAL steps).

``install_global(torch)`` (zero-code attach) registers each top-level module the first time it is
called, so a script needs no change.
"""

from __future__ import annotations

from typing import Any

from .config import EVAL, TRAIN
from .hook import Hook, get_hook

_ACTIVATIONS = {"ReLU": "relu", "Tanh": "tanh", "Sigmoid": "sigmoid"}


class TorchHook:
    def __init__(self, hook: Hook | None = None):
        self.hook = hook or get_hook()
        self._names: dict[int, str] = {}  # id(parameter) -> name
        self._modules: set[int] = set()
        self._handles: list[Any] = []
        self._depth = 0

    def register_module(self, module, prefix: str = "") -> None:
        """Names ``module``'s parameters and adds forward hooks to it and its submodules."""
        import torch

        if id(module) in self._modules:
            return
        base = prefix or ("" if isinstance(module, torch.nn.modules.loss._Loss) else "")
        for name, p in module.named_parameters():
            self._names.setdefault(id(p), f"{base}{name}")
        for name, sub in module.named_modules():
            if id(sub) in self._modules:
                continue
            self._modules.add(id(sub))
            label = name or type(sub).__name__.lower()
            self._handles.append(sub.register_forward_hook(self._forward_hook(label, sub is module)))

    def register_optimizer(self, optimizer) -> None:
        self._handles.append(optimizer.register_step_pre_hook(self._before_step))
        self._handles.append(optimizer.register_step_post_hook(self._after_step))

    def _forward_hook(self, label: str, is_root: bool):
        import torch

        def hook_fn(module, inputs, output):
            hook = self.hook
            if is_root:
                hook.set_mode(TRAIN if module.training else EVAL)
            if not torch.is_tensor(output):
                return
            if isinstance(module, torch.nn.modules.loss._Loss):
                hook.save_framework_tensor(f"losses/{label}", float(output.detach().float().mean()), "losses")
                return
            if hook.wants("outputs"):
                hook.save_framework_tensor(f"outputs/{label}", output, "outputs")
                activation = _ACTIVATIONS.get(type(module).__name__)
                if activation and inputs and torch.is_tensor(inputs[0]):
                    hook.save_framework_tensor(f"{label}/{activation}_input", inputs[0], "outputs")
                    hook.save_framework_tensor(f"{label}/{activation}_output", output, "outputs")
        return hook_fn

    def _params(self, optimizer):
        for group in optimizer.param_groups:
            for p in group["params"]:
                name = self._names.get(id(p))
                if name is not None:
                    yield name, p

    def _before_step(self, optimizer, args, kwargs):
        if self.hook.wants("gradients"):
            for name, p in self._params(optimizer):
                if p.grad is not None:
                    self.hook.save_framework_tensor(f"gradients/{name}", p.grad, "gradients")

    def _after_step(self, optimizer, args, kwargs):
        hook = self.hook
        if hook.wants("weights") or hook.wants("biases"):
            for name, p in self._params(optimizer):
                builtin = "biases" if name.endswith("bias") else "weights"
                hook.save_framework_tensor(f"{builtin}/{name}", p, builtin)
        hook.next_step()

    def remove(self) -> None:
        for h in self._handles:
            h.remove()
        self._handles.clear()


_GLOBAL: TorchHook | None = None


def install_global(torch) -> None:
    """Zero-code attach: every top-level module is registered on its first call, every optimizer's
    step is hooked (PyTorch's global hooks)."""
    import torch.nn.modules.module as module_api
    import torch.optim.optimizer as optimizer_api

    state = {"depth": 0}

    def pre(module, inputs):
        global _GLOBAL
        if state["depth"] == 0:
            hook = get_hook()
            if hook is not None:
                if _GLOBAL is None:
                    _GLOBAL = TorchHook(hook)
                _GLOBAL.register_module(module)
        state["depth"] += 1

    def post(module, inputs, output):
        state["depth"] = max(0, state["depth"] - 1)

    module_api.register_module_forward_pre_hook(pre)
    module_api.register_module_forward_hook(post)
    optimizer_api.register_optimizer_step_pre_hook(lambda opt, a, k: _GLOBAL and _GLOBAL._before_step(opt, a, k))
    optimizer_api.register_optimizer_step_post_hook(lambda opt, a, k: _GLOBAL and _GLOBAL._after_step(opt, a, k))
