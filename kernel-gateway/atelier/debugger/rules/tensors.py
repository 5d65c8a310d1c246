"""Built-in rules on tensors: gradients, activations, weights, classes, trees (SageMaker's names,
parameters and defaults; kernel-gateway/atelier/debugger/README.md says what each checks)."""

from __future__ import annotations

import math

from .base import Rule, as_bool, as_list, as_regex_list


def _finite(x: float) -> bool:
    return not (math.isnan(x) or math.isinf(x))


def _per_node_activity(values, active) -> "object":
    """Percent of samples in which each node (last axis) is active."""
    import numpy as np

    a = np.asarray(values)
    if a.ndim == 0:
        a = a.reshape(1, 1)
    flat = a.reshape(-1, a.shape[-1]) if a.ndim > 1 else a.reshape(-1, 1)
    return 100.0 * active(flat).mean(axis=0)


class VanishingGradient(Rule):
    """Fires when the mean of a gradient's absolute values falls below ``threshold``."""

    PARAMETERS = {"threshold": (float, 0.0000001)}

    def invoke_at_step(self, step):
        for name in self.tensors_at(step, collections=["gradients"], prefix="gradients/"):
            value = self.base_trial.tensor(name).reduction_value(step, "mean", abs=True)
            if _finite(value) and value < self.threshold:
                return self.issue(step, f"the mean absolute gradient of {name} is {value:.3g}, below the "
                                        f"threshold {self.threshold:g}", tensor=name)


class ExplodingTensor(Rule):
    """Fires when a tensor holds NaN (or, unless ``only_nan``, an infinite value)."""

    PARAMETERS = {"collection_names": (as_list, None), "tensor_regex": (as_regex_list, None),
                  "only_nan": (as_bool, False)}

    def invoke_at_step(self, step):
        import numpy as np

        for name in self.tensors_at(step, self.collection_names, self.tensor_regex):
            t = self.base_trial.tensor(name)
            reductions = t.reduction_values(step)
            try:
                value = np.asarray(t.value(step), dtype=np.float64)
                bad_nan, bad_inf = bool(np.isnan(value).any()), bool(np.isinf(value).any())
            except KeyError:  # only reductions were saved
                numbers = [v for k, v in reductions.items() if k != "histogram"]
                bad_nan = any(math.isnan(v) for v in numbers)
                bad_inf = any(math.isinf(v) for v in numbers) or (reductions.get("histogram") or {}).get("nonfinite", 0) > 0
            if bad_nan or (bad_inf and not self.only_nan):
                kind = "NaN" if bad_nan else "an infinite value"
                return self.issue(step, f"{name} holds {kind}", tensor=name)


class PoorWeightInitialization(Rule):
    """In the first ``steps`` steps: activation inputs whose variances differ across layers by more
    than ``threshold`` times, gradients whose 5th-95th percentile range is below
    ``distribution_range``, or a loss that has not decreased within ``patience`` steps."""

    PARAMETERS = {"activation_inputs_regex": (as_regex_list, ".*relu_input"), "threshold": (float, 10.0),
                  "distribution_range": (float, 0.001), "patience": (int, 5), "steps": (int, 10)}

    def __init__(self, base_trial, **params):
        super().__init__(base_trial, **params)
        self._first_loss = None
        self._loss_steps = 0

    def invoke_at_step(self, step):
        import numpy as np

        trial = self.base_trial
        if trial.mode(step) != "TRAIN" or trial.mode_step(step) >= self.steps:
            return None
        variances = {}
        for name in self.tensors_at(step, regexes=self.activation_inputs_regex):
            t = trial.tensor(name)
            variances[name] = t.reduction_value(step, "variance")
        if len(variances) >= 2:
            low, high = min(variances.values()), max(variances.values())
            if low > 0 and high / low > self.threshold:
                return self.issue(step, f"the variance of activation inputs differs {high / low:.3g} times across "
                                        f"layers (threshold {self.threshold:g})", tensor=max(variances, key=variances.get))
        for name in self.tensors_at(step, collections=["gradients"], prefix="gradients/"):
            try:
                g = np.asarray(trial.tensor(name).value(step), dtype=np.float64).ravel()
            except KeyError:
                continue
            if g.size > 1:
                spread = float(np.percentile(g, 95) - np.percentile(g, 5))
                if spread < self.distribution_range:
                    return self.issue(step, f"the 5th-95th percentile range of {name} is {spread:.3g}, below "
                                            f"{self.distribution_range:g}", tensor=name)
        for name in self.tensors_at(step, collections=["losses"]):
            loss = trial.tensor(name).reduction_value(step, "mean")
            if self._first_loss is None:
                self._first_loss = loss
            elif loss < self._first_loss:
                self._loss_steps = -1
            if self._loss_steps >= 0:
                self._loss_steps += 1
                if self._loss_steps > self.patience:
                    return self.issue(step, f"{name} has not decreased in the first {self.patience} steps", tensor=name)
            break


class _ActivationRule(Rule):
    def _layer_issue(self, step, name, activity, what):
        dead = float((activity < self.threshold_inactivity).mean() * 100.0)
        if dead > self.threshold_layer:
            return self.issue(step, f"{dead:.1f}% of the nodes of {name} are {what} (active less than "
                                    f"{self.threshold_inactivity:g}% of the time; threshold {self.threshold_layer:g}%)",
                              tensor=name)


class DeadRelu(_ActivationRule):
    """Fires when more than ``threshold_layer`` percent of a layer's ReLUs are active (output > 0)
    less than ``threshold_inactivity`` percent of the time."""

    PARAMETERS = {"tensor_regex": (as_regex_list, ".*relu_output"), "threshold_inactivity": (float, 1.0),
                  "threshold_layer": (float, 50.0)}

    def invoke_at_step(self, step):
        for name in self.tensors_at(step, regexes=self.tensor_regex):
            try:
                value = self.base_trial.tensor(name).value(step)
            except KeyError:
                continue
            found = self._layer_issue(step, name, _per_node_activity(value, lambda a: a > 0), "dead")
            if found:
                return found


class SaturatedActivation(_ActivationRule):
    """Fires when more than ``threshold_layer`` percent of a tanh or sigmoid layer's nodes get inputs
    outside (``threshold_<tanh|sigmoid>_min``, ``_max``) all but ``threshold_inactivity`` percent of the time."""

    PARAMETERS = {"collection_names": (as_list, None), "tensor_regex": (as_regex_list, ".*tanh_input|.*sigmoid_input"),
                  "threshold_tanh_min": (float, -9.4999), "threshold_tanh_max": (float, 9.4999),
                  "threshold_sigmoid_min": (float, -23.0), "threshold_sigmoid_max": (float, 16.99999),
                  "threshold_inactivity": (float, 1.0), "threshold_layer": (float, 50.0)}

    def invoke_at_step(self, step):
        for name in self.tensors_at(step, self.collection_names, self.tensor_regex):
            lo, hi = ((self.threshold_sigmoid_min, self.threshold_sigmoid_max) if "sigmoid" in name
                      else (self.threshold_tanh_min, self.threshold_tanh_max))
            try:
                value = self.base_trial.tensor(name).value(step)
            except KeyError:
                continue
            found = self._layer_issue(step, name, _per_node_activity(value, lambda a: (a > lo) & (a < hi)), "saturated")
            if found:
                return found


class ClassImbalance(Rule):
    """Counts labels (and predictions) over steps; once ``samples`` labels were seen, fires when the
    largest class outnumbers the smallest more than ``threshold_imbalance`` times, or when a class's
    share of mispredictions exceeds ``threshold_misprediction``."""

    PARAMETERS = {"threshold_imbalance": (float, 10.0), "threshold_misprediction": (float, 0.7),
                  "samples": (int, 500), "argmax": (as_bool, False), "labels_regex": (as_regex_list, ".*labels"),
                  "predictions_regex": (as_regex_list, ".*predictions")}

    def __init__(self, base_trial, **params):
        super().__init__(base_trial, **params)
        self._labels, self._predictions = [], []

    def invoke_at_step(self, step):
        import numpy as np

        labels = self.tensors_at(step, regexes=self.labels_regex)
        predictions = self.tensors_at(step, regexes=self.predictions_regex)
        if not labels:
            return None
        y = np.asarray(self.base_trial.tensor(labels[0]).value(step)).ravel().astype(np.int64)
        self._labels.append(y)
        if predictions:
            p = np.asarray(self.base_trial.tensor(predictions[0]).value(step))
            p = p.argmax(axis=-1) if self.argmax and p.ndim > 1 else p
            self._predictions.append(np.asarray(p).ravel().astype(np.int64)[: y.size])
        seen = np.concatenate(self._labels)
        if seen.size < self.samples:
            return None
        classes, counts = np.unique(seen, return_counts=True)
        if counts.min() > 0 and counts.max() / counts.min() > self.threshold_imbalance:
            return self.issue(step, f"class {classes[counts.argmax()]} has {counts.max() / counts.min():.1f} times the "
                                    f"samples of class {classes[counts.argmin()]} (threshold {self.threshold_imbalance:g})",
                              tensor=labels[0])
        if self._predictions and sum(len(p) for p in self._predictions) == seen.size:
            predicted = np.concatenate(self._predictions)
            for c in classes:
                mask = seen == c
                wrong = float((predicted[mask] != c).mean())
                if wrong > self.threshold_misprediction:
                    return self.issue(step, f"{wrong:.0%} of class {c} is mispredicted (threshold "
                                            f"{self.threshold_misprediction:g})", tensor=predictions[0])


class TreeDepth(Rule):
    """XGBoost: fires when the deepest tree of a boosting round is shallower than ``depth`` (splits
    that do not improve the loss are rejected, so trees may stop short of their max_depth). The depth
    is ``trees/depth``, else log2 of ``trees/max_node_id`` + 1 as SageMaker measures it."""

    PARAMETERS = {"depth": (float, 4.0)}

    def invoke_at_step(self, step):
        trial = self.base_trial
        names = self.tensors_at(step, prefix="trees/")
        if "trees/depth" in names:
            depth, name = float(trial.tensor("trees/depth").value(step)), "trees/depth"
        elif "trees/max_node_id" in names:
            depth, name = math.log2(float(trial.tensor("trees/max_node_id").value(step)) + 1), "trees/max_node_id"
        else:
            return None
        if depth < self.depth:
            return self.issue(step, f"the trees of this round are {depth:g} deep, less than depth {self.depth:g}",
                              tensor=name)
