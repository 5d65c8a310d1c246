"""Built-in rules on losses: LossNotDecreasing, Overfit, Overtraining (SageMaker's names,
parameters and defaults)."""

from __future__ import annotations

from .base import Rule, as_bool, as_list, as_mode, as_regex_list


class _LossRule(Rule):
    def _loss_names(self, step: int, regexes=None, use_collection: bool = True, collections=None) -> list[str]:
        """The losses saved at global ``step``."""
        wanted = (["losses"] if use_collection else []) + list(collections or [])
        return self.tensors_at(step, collections=wanted, regexes=regexes) if (wanted or regexes) else []

    def _loss_at(self, name: str, step: int) -> float:
        return self.base_trial.tensor(name).reduction_value(step, "mean")


class LossNotDecreasing(_LossRule):
    """Every ``num_steps`` steps (of ``mode``), fires when a loss fell by less than ``diff_percent``
    percent since the loss at least ``num_steps`` steps before, or rose more than
    ``increase_threshold_percent`` percent above the lowest loss seen."""

    PARAMETERS = {"collection_names": (as_list, None), "tensor_regex": (as_regex_list, None),
                  "use_losses_collection": (as_bool, True), "num_steps": (int, 10), "diff_percent": (float, 0.1),
                  "increase_threshold_percent": (float, 5.0), "mode": (as_mode, None)}

    def __init__(self, base_trial, **params):
        super().__init__(base_trial, **params)
        self._last: dict[str, tuple[int, float]] = {}
        self._lowest: dict[str, float] = {}

    def _mode(self) -> str:
        if self.mode:
            return self.mode
        modes = self.base_trial.modes()
        return next((m for m in ("EVAL", "TRAIN") if m in modes), "GLOBAL")

    def invoke_at_step(self, step):
        mode = self._mode()
        trial = self.base_trial
        if mode != "GLOBAL" and trial.mode(step) != mode:
            return None
        at = trial.mode_step(step) if mode != "GLOBAL" else step
        for name in self._loss_names(step, self.tensor_regex, self.use_losses_collection, self.collection_names):
            loss = self._loss_at(name, step)
            lowest = self._lowest.get(name)
            self._lowest[name] = loss if lowest is None else min(lowest, loss)
            if lowest is not None and lowest > 0 and loss > lowest * (1 + self.increase_threshold_percent / 100):
                return self.issue(step, f"{name} rose to {loss:.4g}, more than {self.increase_threshold_percent:g}% "
                                        f"above its lowest {lowest:.4g}", tensor=name, mode=mode)
            last = self._last.get(name)
            if last is None:
                self._last[name] = (at, loss)
                continue
            if at - last[0] < self.num_steps:
                continue
            self._last[name] = (at, loss)
            decrease = (last[1] - loss) / abs(last[1]) * 100 if last[1] else 0.0
            if decrease < self.diff_percent:
                return self.issue(step, f"{name} went from {last[1]:.4g} at step {last[0]} to {loss:.4g} at step {at}: "
                                        f"a decrease of {decrease:.3g}%, less than diff_percent {self.diff_percent:g}%",
                                  tensor=name, mode=mode)


class Overfit(_LossRule):
    """Fires when (validation loss - training loss) / training loss exceeds ``ratio_threshold`` at
    ``patience`` evaluation steps in a row (from global step ``start_step``); the training loss is the
    latest TRAIN value of the same loss."""

    PARAMETERS = {"tensor_regex": (as_regex_list, None), "start_step": (int, 0), "patience": (int, 1),
                  "ratio_threshold": (float, 0.1)}

    def __init__(self, base_trial, **params):
        super().__init__(base_trial, **params)
        self._train: dict[str, float] = {}
        self._count = 0

    def invoke_at_step(self, step):
        trial = self.base_trial
        mode = trial.mode(step)
        for name in self._loss_names(step, self.tensor_regex, use_collection=not self.tensor_regex):
            loss = self._loss_at(name, step)
            if mode == "TRAIN":
                self._train[name] = loss
            elif mode == "EVAL" and step >= self.start_step and self._train.get(name):
                train = self._train[name]
                ratio = (loss - train) / abs(train)
                self._count = self._count + 1 if ratio > self.ratio_threshold else 0
                if self._count >= self.patience:
                    return self.issue(step, f"the validation {name} ({loss:.4g}) exceeds the training one ({train:.4g}) "
                                            f"by {ratio:.1%} (ratio_threshold {self.ratio_threshold:g})", tensor=name,
                                      mode="EVAL")


class Overtraining(_LossRule):
    """Fires when the training loss has not improved by ``delta`` for ``patience_train`` saved
    TRAIN steps, or the validation loss for ``patience_validation`` saved EVAL steps."""

    PARAMETERS = {"patience_train": (int, 5), "patience_validation": (int, 10), "delta": (float, 0.01)}

    def __init__(self, base_trial, **params):
        super().__init__(base_trial, **params)
        self._best: dict[tuple[str, str], float] = {}
        self._waited: dict[tuple[str, str], int] = {}

    def invoke_at_step(self, step):
        trial = self.base_trial
        mode = trial.mode(step)
        if mode not in ("TRAIN", "EVAL"):
            return None
        patience = self.patience_train if mode == "TRAIN" else self.patience_validation
        for name in self._loss_names(step):
            loss = self._loss_at(name, step)
            key = (name, mode)
            best = self._best.get(key)
            if best is None or loss < best - self.delta:
                self._best[key], self._waited[key] = loss, 0
                continue
            self._waited[key] += 1
            if self._waited[key] >= patience:
                which = "training" if mode == "TRAIN" else "validation"
                return self.issue(step, f"the {which} {name} has not improved by {self.delta:g} for {patience} steps "
                                        f"(best {best:.4g})", tensor=name, mode=mode)
