"""Keras 3 (any backend): a callback that saves losses, metrics, weights, biases, gradients and
layer outputs; ``install(keras)`` makes ``Model.fit`` add it by itself (zero-code attach).

Steps: each training batch is a TRAIN step, each validation batch inside ``fit`` an EVAL step.
``losses/loss`` and ``metrics/<name>`` are what Keras reports at the batch's end (its running mean
over the epoch). Weights are read from the model after the batch's update.

Gradients: Keras 3 hands its callbacks no gradients (the JAX backend computes them inside a
compiled step), so at a step when a collection wants them the callback computes them itself, with
the backend's own autodiff (``jax.grad`` on ``stateless_call``, ``tf.GradientTape``, or torch's
``backward``) of the compiled loss on that step's batch, taken from ``fit``'s ``x``/``y`` when they
are arrays (the exact batch when ``shuffle=False``; the same position in the shuffled epoch
otherwise), with the weights after the step's update. With a dataset or generator instead of
arrays there is no batch to take: gradients and outputs are not saved, and the hook says so once.
Layer outputs are computed the same way (a forward pass on that batch); around a ``relu``, ``tanh``
or ``sigmoid`` activation also ``<layer>/<activation>_input`` (before it) and ``_output``.
"""

from __future__ import annotations

import functools
import sys
from typing import Any

from .config import EVAL, TRAIN
from .hook import Hook, get_hook

_CLASS = None
_ACTIVATIONS = ("relu", "tanh", "sigmoid")


def _variable_name(model, variable) -> str:
    path = getattr(variable, "path", None) or variable.name
    prefix = model.name + "/"
    return path[len(prefix):] if path.startswith(prefix) else path


def _gradients(keras, model, x, y):
    backend = keras.backend.backend()
    variables = model.trainable_variables
    if backend == "jax":
        import jax

        non_trainable = [v.value for v in model.non_trainable_variables]

        def loss_of(values):
            y_pred, _ = model.stateless_call(values, non_trainable, x, training=False)
            return model.compute_loss(x=x, y=y, y_pred=y_pred, training=False)

        return jax.grad(loss_of)([v.value for v in variables])
    if backend == "tensorflow":
        import tensorflow as tf

        with tf.GradientTape() as tape:
            y_pred = model(x, training=False)
            loss = model.compute_loss(x=x, y=y, y_pred=y_pred, training=False)
        return tape.gradient(loss, variables)
    if backend == "torch":
        for v in variables:
            v.value.grad = None
        y_pred = model(x, training=False)
        model.compute_loss(x=x, y=y, y_pred=y_pred, training=False).backward()
        grads = [v.value.grad for v in variables]
        for v in variables:
            v.value.grad = None
        return grads
    raise RuntimeError(f"gradients are not supported on the {backend} backend")


def callback_class(keras):
    """The callback class (a ``keras.callbacks.Callback``), made once keras is imported."""
    global _CLASS
    if _CLASS is not None:
        return _CLASS

    class AtelierDebuggerCallback(keras.callbacks.Callback):
        """Saves what the job's hook configuration asks for at each batch of ``fit``."""

        def __init__(self, hook: Hook | None = None, x: Any = None, y: Any = None, batch_size: int | None = None):
            super().__init__()
            self.hook = hook or get_hook()
            self.x, self.y = (x, y) if _is_array(x) and _is_array(y) else (None, None)
            self.batch_size = batch_size or 32
            self._said_no_batch = False
            self._probe = None

        # -- TRAIN --
        def on_train_batch_begin(self, batch, logs=None):
            self.hook.set_mode(TRAIN)
            self.hook.next_step()

        def on_train_batch_end(self, batch, logs=None):
            self._save_logs(logs)
            self._save_weights()
            if self.hook.wants("gradients") or self.hook.wants("outputs"):
                self._save_probe(batch)

        def on_train_end(self, logs=None):
            self.hook.flush()

        # -- EVAL (validation inside fit) --
        def on_test_begin(self, logs=None):
            self.hook.set_mode(EVAL)

        def on_test_batch_begin(self, batch, logs=None):
            self.hook.set_mode(EVAL)
            self.hook.next_step()

        def on_test_batch_end(self, batch, logs=None):
            self._save_logs(logs)

        def on_test_end(self, logs=None):
            self.hook.flush()

        # -- what is saved --
        def _save_logs(self, logs):
            for key, value in (logs or {}).items():
                try:
                    number = float(value)
                except (TypeError, ValueError):
                    continue
                if key == "loss" or key.endswith("_loss"):
                    self.hook.save_framework_tensor(f"losses/{key}", number, "losses")
                else:
                    self.hook.save_framework_tensor(f"metrics/{key}", number, "metrics")

        def _save_weights(self):
            if not (self.hook.wants("weights") or self.hook.wants("biases")):
                return
            for v in self.model.trainable_variables:
                name = _variable_name(self.model, v)
                builtin = "biases" if v.name.endswith("bias") else "weights"
                self.hook.save_framework_tensor(f"{builtin}/{name}", keras.ops.convert_to_numpy(v.value), builtin)

        def _batch(self, batch: int):
            if self.x is None:
                if not self._said_no_batch:
                    print("atelier.debugger: gradients and layer outputs are saved only when fit() is given x and y "
                          "as arrays (not a dataset or generator); skipping them", file=sys.stderr, flush=True)
                    self._said_no_batch = True
                return None
            n = len(self.x)
            steps = max(1, -(-n // self.batch_size))
            start = (batch % steps) * self.batch_size
            return self.x[start: start + self.batch_size], self.y[start: start + self.batch_size]

        def _save_probe(self, batch: int):
            xy = self._batch(batch)
            if xy is None:
                return
            x, y = xy
            if self.hook.wants("gradients"):
                grads = _gradients(keras, self.model, x, y)
                for v, g in zip(self.model.trainable_variables, grads):
                    if g is not None:
                        self.hook.save_framework_tensor(f"gradients/{_variable_name(self.model, v)}",
                                                        keras.ops.convert_to_numpy(g), "gradients")
            if self.hook.wants("outputs"):
                self._save_outputs(x)

        def _save_outputs(self, x):
            layers = [l for l in self.model.layers if not isinstance(l, keras.layers.InputLayer)]
            if self._probe is None:
                try:
                    self._probe = keras.Model(self.model.inputs, [[l.input for l in layers], [l.output for l in layers]])
                except Exception as e:  # noqa: BLE001 - a subclassed model has no graph to probe
                    print(f"atelier.debugger: layer outputs cannot be saved for this model ({e})", file=sys.stderr)
                    self._probe = False
            if self._probe is False:
                return
            inputs, outputs = self._probe([x] if len(self.model.inputs) == 1 else x, training=False)
            for layer, inp, out in zip(layers, inputs, outputs):
                self.hook.save_framework_tensor(f"outputs/{layer.name}", keras.ops.convert_to_numpy(out), "outputs")
                activation = getattr(getattr(layer, "activation", None), "__name__", "")
                if activation in _ACTIVATIONS:
                    real = layer.activation
                    layer.activation = keras.activations.linear
                    try:
                        pre = layer(inp, training=False)
                    finally:
                        layer.activation = real
                    self.hook.save_framework_tensor(f"{layer.name}/{activation}_input",
                                                    keras.ops.convert_to_numpy(pre), "outputs")
                    self.hook.save_framework_tensor(f"{layer.name}/{activation}_output",
                                                    keras.ops.convert_to_numpy(out), "outputs")

    _CLASS = AtelierDebuggerCallback
    return _CLASS


def _is_array(value: Any) -> bool:
    return value is not None and hasattr(value, "shape") and hasattr(value, "__len__") and hasattr(value, "__getitem__")


def install(keras) -> None:
    """Wraps ``keras.Model.fit`` so that it adds the callback when the job has a hook configuration."""
    model_class = keras.Model
    original = model_class.fit
    if getattr(original, "_atelier_debugger", False):
        return

    @functools.wraps(original)
    def fit(self, *args, **kwargs):
        hook = get_hook()
        if hook is not None:
            cls = callback_class(keras)
            callbacks = list(kwargs.get("callbacks") or [])
            if not any(isinstance(c, cls) for c in callbacks):
                x = args[0] if args else kwargs.get("x")
                y = args[1] if len(args) > 1 else kwargs.get("y")
                batch_size = args[2] if len(args) > 2 else kwargs.get("batch_size")
                callbacks.append(cls(hook, x, y, batch_size))
                kwargs["callbacks"] = callbacks
        return original(self, *args, **kwargs)

    fit._atelier_debugger = True
    model_class.fit = fit
