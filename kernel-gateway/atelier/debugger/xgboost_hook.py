"""XGBoost: a training callback that saves metrics, feature importance and tree shapes at each
boosting round; ``install(xgboost)`` makes ``xgboost.train`` (and so the scikit-learn API's
``fit``) add it by itself (zero-code attach).

Each boosting round is a TRAIN step. Saved per round, when their collection is due:

- ``metrics/<eval set>-<metric>`` (``metrics/train-rmse``, ``metrics/validation-logloss``), the
  round's value of each evaluation set's metric;
- ``feature_importance/<type>/<feature>`` for ``weight``, ``gain``, ``cover``, ``total_gain`` and
  ``total_cover`` (XGBoost's ``get_score``);
- ``trees/depth`` (the deepest tree grown in the round; a leaf alone is depth 0), ``trees/num_nodes``
  and ``trees/max_node_id`` (SageMaker's TreeDepth measure is log2 of the largest node id);
- ``hyperparameters/<name>``: the booster's numeric parameters, at the first round.
"""

from __future__ import annotations

import functools
import json
import math
from typing import Any

from .config import TRAIN
from .hook import get_hook

IMPORTANCE_TYPES = ("weight", "gain", "cover", "total_gain", "total_cover")
_CLASS = None


def tree_depth(node: dict[str, Any]) -> int:
    children = node.get("children") or []
    return 0 if not children else 1 + max(tree_depth(c) for c in children)


def _nodes(node: dict[str, Any]) -> list[dict[str, Any]]:
    out = [node]
    for c in node.get("children") or []:
        out += _nodes(c)
    return out


def callback_class(xgboost):
    global _CLASS
    if _CLASS is not None:
        return _CLASS

    class AtelierDebuggerCallback(xgboost.callback.TrainingCallback):
        def __init__(self, hook=None):
            super().__init__()
            self.hook = hook or get_hook()

        def after_iteration(self, model, epoch, evals_log) -> bool:
            hook = self.hook
            hook.set_mode(TRAIN)
            hook.next_step()
            if epoch == 0 or hook.step == 0:
                self._save_parameters(model)
            for data, metrics in (evals_log or {}).items():
                for metric, values in metrics.items():
                    if values:
                        last = values[-1]
                        hook.save_framework_tensor(f"metrics/{data}-{metric}",
                                                   float(last[0] if isinstance(last, tuple) else last), "metrics")
            if hook.wants("feature_importance"):
                for kind in IMPORTANCE_TYPES:
                    try:
                        scores = model.get_score(importance_type=kind)
                    except Exception:  # noqa: BLE001 - e.g. a linear booster has only weights
                        continue
                    for feature, value in scores.items():
                        hook.save_framework_tensor(f"feature_importance/{kind}/{feature}", float(value),
                                                   "feature_importance")
            if hook.wants("trees"):
                self._save_trees(model, epoch)
            hook.flush()
            return False

        def after_training(self, model):
            self.hook.flush()
            return model

        def _save_trees(self, model, epoch: int) -> None:
            try:
                dumps = model[epoch: epoch + 1].get_dump(dump_format="json")
            except Exception:  # noqa: BLE001 - a linear booster has no trees
                return
            trees = [json.loads(d) for d in dumps]
            if not trees:
                return
            nodes = [n for t in trees for n in _nodes(t)]
            max_id = max(int(n.get("nodeid", 0)) for n in nodes)
            self.hook.save_framework_tensor("trees/depth", float(max(tree_depth(t) for t in trees)), "trees")
            self.hook.save_framework_tensor("trees/num_nodes", float(len(nodes)), "trees")
            self.hook.save_framework_tensor("trees/max_node_id", float(max_id), "trees")

        def _save_parameters(self, model) -> None:
            if not self.hook.wants("hyperparameters"):
                return
            try:
                config = json.loads(model.save_config())
            except Exception:  # noqa: BLE001
                return
            found: dict[str, float] = {}

            def walk(value, name=""):
                if isinstance(value, dict):
                    for k, v in value.items():
                        walk(v, k)
                elif isinstance(value, str):
                    try:
                        number = float(value)
                    except ValueError:
                        return
                    if math.isfinite(number):
                        found.setdefault(name, number)
            walk(config.get("learner", {}))
            for name, number in sorted(found.items()):
                self.hook.save_framework_tensor(f"hyperparameters/{name}", number, "hyperparameters")

    _CLASS = AtelierDebuggerCallback
    return _CLASS


def install(xgboost) -> None:
    """Wraps ``xgboost.train`` where it is looked up (``xgboost``, ``xgboost.training``,
    ``xgboost.sklearn``) so that it adds the callback when the job has a hook configuration."""
    import importlib

    training = importlib.import_module("xgboost.training")
    original = training.train
    if getattr(original, "_atelier_debugger", False):
        return

    @functools.wraps(original)
    def train(*args, **kwargs):
        hook = get_hook()
        if hook is not None:
            cls = callback_class(xgboost)
            callbacks = list(kwargs.get("callbacks") or [])
            if not any(isinstance(c, cls) for c in callbacks):
                callbacks.append(cls(hook))
            kwargs["callbacks"] = callbacks
        return original(*args, **kwargs)

    train._atelier_debugger = True
    training.train = train
    xgboost.train = train
    try:
        sklearn_api = importlib.import_module("xgboost.sklearn")
        if getattr(sklearn_api, "train", None) is original:
            sklearn_api.train = train
    except ImportError:
        pass
