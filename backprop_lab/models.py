"""``Sequential``: a stack of layers trained with Keras's ``compile``/``fit`` interface.

    model = Sequential()
    model.add(Dense(10, activation="relu", input_dim=20))
    model.add(Dense(1, activation="sigmoid"))
    model.compile(loss="binary_crossentropy", optimizer=SGD(learning_rate=0.01),
                  metrics=["accuracy"])
    history = model.fit(X, y, epochs=10, batch_size=32)
    probabilities = model.predict(X)          # shape (n, 1)

One training step on a batch (x_b, y_b) is the course's algorithm, in four lines:

    a = x_b;  for layer in layers: a = layer.forward(a)        # 1. forward pass
    loss = loss_fn(y_b, a)                                     # 2. loss
    g = loss_fn.gradient(y_b, a); for layer in reversed(layers): g = layer.backward(g)  # 3.
    optimizer.apply(grads, weights)                            # 4. update, e.g. w -= lr * dw

For a sigmoid output with binary cross-entropy, and a softmax output with (sparse)
categorical cross-entropy, step 3 starts from the simplified gradient dL/dz = (p - y) / N
instead of multiplying dL/dp by the activation's derivative (the same number, computed
without dividing by p (1 - p)); see ``functional.sigmoid_binary_crossentropy_grad``.

Inputs are checked once per call to ``fit``/``evaluate``/``predict`` (shapes, NaN, label
ranges, ...), never once per batch, so the training loop stays cheap.

Speed: for a stack of ``Dense`` layers trained with plain SGD, when no callback needs to
see every batch, ``fit`` runs each epoch through ``backprop_lab.fast`` instead of
``_run_epoch``: the same arithmetic, in arrays allocated once and updated in place (see
that module; ``fast.ENABLED = False`` turns it off).  The steps below are what it does.
"""
import math
import warnings

import numpy as np

from . import _checks, callbacks as callbacks_module, config, fast, losses, optimizers, plug, \
    utils
from . import metrics as metrics_module
from .layers import InputLayer, Layer, _unique_name, deserialize as deserialize_layer, \
    serialize as serialize_layer


def _check_verbose(verbose, where):
    if verbose == "auto":
        return 1
    if isinstance(verbose, bool):
        return int(verbose)
    if verbose in (0, 1, 2) and isinstance(verbose, (int, np.integer)):
        return int(verbose)
    raise ValueError(f"{where}(verbose={verbose!r}): must be 0 (silent), 1 (progress bar), "
                     "2 (one line per epoch) or 'auto' (= 1).")


class Sequential:
    """A linear stack of layers.

    Sequential(layers=None, name=None).  Attributes: ``layers`` (list), ``optimizer``,
    ``loss`` (a ``losses.Loss``), ``stop_training`` (set True to stop ``fit``), ``history``
    (the ``History`` of the last ``fit``).
    """

    def __init__(self, layers=None, name=None):
        self.name = name or _unique_name("sequential")
        self.layers = []
        self.optimizer = None
        self.loss = None
        self.metrics = []
        self.compiled_metrics = []
        self.stop_training = False
        self.history = None
        self._input_features = None
        if isinstance(layers, (Layer, InputLayer)):
            raise TypeError(
                f"Sequential(layers=...): expected a list of layers, got the single layer "
                f"{layers!r}. Put it in a list: Sequential([layer, ...])."
            )
        for layer in layers or []:
            self.add(layer)

    # ---- building --------------------------------------------------------------------
    def add(self, layer):
        """Append a layer.  The first layer needs ``input_dim`` (or an ``Input`` before it)
        for the model to be built now; otherwise it is built by the first ``fit``/``predict``."""
        if isinstance(layer, InputLayer):
            if self.layers:
                raise ValueError("Sequential.add(Input(...)): an Input must come first.")
            self._input_features = layer.features
            return
        if not isinstance(layer, Layer):
            raise TypeError(
                f"Sequential.add(layer): expected a layer such as Dense(10), got {layer!r}."
            )
        if any(existing.name == layer.name for existing in self.layers):
            raise ValueError(
                f"Sequential.add({layer.name}): the model already has a layer named "
                f"{layer.name!r}; layer names must be unique (and one layer object can be "
                "added only once). Give it another name=, or create a new layer."
            )
        if not self.layers and self._input_features is not None:
            if layer.input_features not in (None, self._input_features):
                raise ValueError(
                    f"Sequential.add({layer.name}): the Input has {self._input_features} "
                    f"features but the layer was given input_dim={layer.input_features}."
                )
            layer.input_features = self._input_features
        self.layers.append(layer)
        first = self.layers[0]
        if first.built or first.input_features is not None:
            try:
                self.build((None, first.input_features))
            except ValueError:
                self.layers.pop()  # a layer that does not fit is not kept
                raise

    def pop(self):
        """Remove and return the last layer."""
        if not self.layers:
            raise ValueError("Sequential.pop(): the model has no layers.")
        return self.layers.pop()

    def build(self, input_shape):
        """Create every layer's weights for inputs of shape (None, D)."""
        features = _checks.positive_int(tuple(input_shape)[-1], "Sequential.build(input_shape)")
        shape = (None, features)
        for layer in self.layers:
            if not layer.built:
                layer.build(shape)
            elif layer.input_features != shape[-1]:
                source = "the input has" if layer is self.layers[0] else \
                    "the layer before it gives"
                raise ValueError(
                    f"Layer {layer.name} expects {layer.input_features} inputs but {source} "
                    f"{shape[-1]} features."
                )
            shape = layer.compute_output_shape(shape)

    @property
    def built(self):
        return bool(self.layers) and all(layer.built for layer in self.layers)

    @property
    def input_features(self):
        """D, the number of input features (None until known)."""
        return self.layers[0].input_features if self.layers else self._input_features

    @property
    def output_units(self):
        """The number of outputs per sample (the last layer's width)."""
        shape = (None, self.input_features)
        for layer in self.layers:
            shape = layer.compute_output_shape(shape)
        return shape[-1]

    @property
    def weights(self):
        """Every parameter array (the live arrays), in Keras's order [k1, b1, k2, b2, ...]."""
        return [w for layer in self.layers for w in layer.weights]

    def get_weights(self):
        """Copies of every parameter, in Keras's order: [kernel1, bias1, kernel2, bias2, ...]."""
        return [w.copy() for w in self.weights]

    def set_weights(self, weights):
        """Copy values into every parameter; ``weights`` as returned by ``get_weights()``."""
        self._require_built("set_weights")
        weights = list(weights)
        expected = [w.shape for w in self.weights]
        if len(weights) != len(expected):
            raise ValueError(
                f"set_weights(weights): the model has {len(expected)} weight arrays "
                f"(shapes {expected}) but {len(weights)} were given."
            )
        names = [f"{layer.name}/{name}" for layer in self.layers
                 for name in layer.weights_names if getattr(layer, name) is not None]
        for i, (new, shape, name) in enumerate(zip(weights, expected, names)):
            _checks.weight_array(new, shape, f"set_weights(weights): weights[{i}] ({name})")
        i = 0  # every array checked: now copy them in, layer by layer
        for layer in self.layers:
            n = len(layer.weights)
            layer.set_weights(weights[i:i + n])
            i += n

    def count_params(self):
        """The total number of parameters."""
        self._require_built("count_params")
        return sum(layer.count_params() for layer in self.layers)

    def _require_built(self, what):
        if not self.layers:
            raise ValueError(
                f"{what}(): the model has no layers. Add some first, e.g. "
                "model.add(Dense(1, input_dim=n_features))."
            )
        if not self.built:
            raise ValueError(
                f"{what}(): the model is not built yet, so its weights do not exist. Give the "
                "first layer input_dim=n_features, or call fit/predict/build first."
            )

    def _dtype(self):
        return self.layers[0].dtype if self.built else config.floatx()

    # ---- compile ---------------------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss=None, metrics=None):
        """Choose the optimizer, the loss and the metrics to report.

        optimizer: a name ('sgd', 'adam', 'rmsprop') or an object (``SGD(learning_rate=0.1)``).
        loss: a name ('binary_crossentropy', 'mse', ...) or a ``losses.Loss`` object.
        metrics: a list of names ('accuracy', 'mse', ...) or ``metrics.Metric`` objects.
        """
        self.optimizer = optimizers.get(optimizer)
        self.loss = losses.get(loss)
        if metrics is None:
            metrics = []
        elif isinstance(metrics, (str, metrics_module.Metric)):
            metrics = [metrics]
        for m in metrics:
            metrics_module.check(m)
        self.compiled_metrics = list(metrics)
        self.metrics = []

    @property
    def compiled(self):
        return self.loss is not None and self.optimizer is not None

    def _require_compiled(self, what):
        if not self.compiled:
            raise RuntimeError(
                f"{what}(): the model is not compiled. Call model.compile(loss=..., "
                f"optimizer=..., metrics=[...]) before {what}, e.g. "
                "model.compile(loss='binary_crossentropy', optimizer='sgd', "
                "metrics=['accuracy'])."
            )

    def _make_metrics(self):
        self.metrics = [metrics_module.get(m, self.loss.key, self.output_units)
                        for m in self.compiled_metrics]
        return self.metrics

    # ---- data checks (once per call) -------------------------------------------------
    def _prepare_x(self, x, name, where):
        if not self.layers:
            raise ValueError(
                f"{where}(): the model has no layers. Add some first, e.g. "
                "model.add(Dense(1, input_dim=n_features))."
            )
        x = _checks.numeric_array(x, name, self._dtype())
        expected = self.input_features
        if x.ndim == 1 and expected == 1:
            x = x.reshape(-1, 1)
        if x.ndim != 2:
            raise ValueError(
                f"{name} has shape {x.shape} but must be 2-D: (n_samples, n_features). For "
                f"one sample use {name}.reshape(1, -1); for one feature {name}.reshape(-1, 1)."
            )
        if expected is not None and x.shape[1] != expected:
            raise ValueError(
                f"{name} has {x.shape[1]} features (columns) but the model expects {expected} "
                f"(the input_dim of its first layer). Pass data with {expected} columns, or "
                f"build the model with input_dim={x.shape[1]}."
            )
        if not self.built:
            self.build((None, x.shape[1]))
            x = x.astype(self._dtype(), copy=False)
        return x

    def _prepare_xy(self, x, y, x_name, y_name, where):
        x = self._prepare_x(x, x_name, where)
        if y is None:
            raise ValueError(f"{where}(): {y_name} is missing: pass the targets, one per row of "
                             f"{x_name}.")
        y = _checks.numeric_array(y, y_name, self._dtype())
        _checks.same_length(x, y, x_name, y_name)
        y = self.loss.prepare_targets(y, self.output_units, y_name)
        return x, y

    def _warn_if_output_mismatch(self):
        """Warn about output layers that cannot work with the loss (once per fit)."""
        wants = {"binary_crossentropy": ("sigmoid",), "categorical_crossentropy": ("softmax",),
                 "sparse_categorical_crossentropy": ("softmax",)}.get(self.loss.key)
        activation = getattr(self.layers[-1], "activation", None)
        if activation == "softmax" and self.output_units == 1:
            warnings.warn(
                "The last layer is a softmax over 1 unit: its output is always 1.0 whatever "
                "the input, so nothing can be learned. For two classes use Dense(1, "
                "activation='sigmoid') with loss='binary_crossentropy', or Dense(2, "
                "activation='softmax') with loss='sparse_categorical_crossentropy'.",
                UserWarning, stacklevel=3)
        elif wants and not self.loss.from_logits and activation not in wants:
            warnings.warn(
                f"loss='{self.loss.name}' expects probabilities but the last layer's activation "
                f"is {activation!r}. Use activation='{wants[0]}' on the last layer, or "
                f"{type(self.loss).__name__}(from_logits=True) if it outputs raw scores.",
                UserWarning, stacklevel=3)
        elif wants and self.loss.from_logits and activation in wants:
            warnings.warn(
                f"{type(self.loss).__name__}(from_logits=True) applies {wants[0]} itself, but "
                f"the last layer already has activation='{activation}': {wants[0]} would be "
                f"applied twice. Use activation=None (linear) on the last layer, or the loss "
                "with from_logits=False.",
                UserWarning, stacklevel=3)

    def _warn_if_accuracy_on_logits(self, metric_objects):
        """Binary accuracy thresholds the output at 0.5, as Keras; on a logit z that means
        p = sigmoid(0.5) = 0.62, not 0.5.  Keep the number, but say so."""
        if self.loss.key == "binary_crossentropy" and self.loss.from_logits and any(
                isinstance(m, metrics_module.BinaryAccuracy) and m.threshold == 0.5
                for m in metric_objects):
            warnings.warn(
                "Binary accuracy compares the model's output with 0.5, but with "
                "BinaryCrossentropy(from_logits=True) the output is a logit z, and z > 0.5 "
                "means p > 0.62. Pass metrics=[BinaryAccuracy(threshold=0.0)] "
                "(from backprop_lab.metrics) to count p > 0.5.",
                UserWarning, stacklevel=3)

    def _nonfinite_weights(self):
        """Names ('layer/kernel', ...) of the weight arrays holding NaN or inf."""
        return [f"{layer.name}/{name}" for layer in self.layers for name in layer.weights_names
                if getattr(layer, name) is not None
                and not np.all(np.isfinite(getattr(layer, name)))]

    # ---- training --------------------------------------------------------------------
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, initial_epoch=0):
        """Train for ``epochs`` passes over (x, y) in mini-batches; return a ``History``.

        x: (n, D) inputs.  y: targets, (n,) or (n, M) (labels (n,) for
        sparse_categorical_crossentropy).  batch_size: default 32.
        validation_split: the fraction of the data taken *from the end*, before
        shuffling, to evaluate on after each epoch ('val_' keys).  validation_data:
        (x_val, y_val), used instead of validation_split.  shuffle: reshuffle the
        training data every epoch.  verbose: 0 silent, 1 progress bar, 2 one line/epoch.
        callbacks: a list of ``callbacks.Callback`` (or just one).  initial_epoch: the epoch
        to start at.

        Per epoch, 'loss' and each metric are means over the epoch's batches weighted by
        batch size; each batch's loss is computed before that batch's update (as Keras).
        """
        self._require_compiled("fit")
        batch_size = 32 if batch_size is None else _checks.positive_int(
            batch_size, "fit(batch_size=...)")
        epochs = _checks.positive_int(epochs, "fit(epochs=...)")
        if isinstance(initial_epoch, bool) or not isinstance(initial_epoch, (int, np.integer)) \
                or not 0 <= initial_epoch < epochs:
            raise ValueError(
                f"fit(initial_epoch={initial_epoch!r}): must be an integer with "
                f"0 <= initial_epoch < epochs (= {epochs})."
            )
        verbose = _check_verbose(verbose, "fit")
        if not isinstance(shuffle, (bool, np.bool_)):
            raise ValueError(f"fit(shuffle={shuffle!r}): must be True or False.")
        validation_split = _checks.fraction(validation_split, "fit(validation_split=...)")
        if isinstance(callbacks, callbacks_module.Callback):
            callbacks = [callbacks]  # one callback, not in a list
        user_callbacks = list(callbacks or [])
        for cb in user_callbacks:
            if not isinstance(cb, callbacks_module.Callback):
                raise ValueError(f"fit(callbacks=...): {cb!r} is not a "
                                 "backprop_lab.callbacks.Callback." + _checks.class_hint(cb))
        x, y = self._prepare_xy(x, y, "x", "y", "fit")
        x, y, x_val, y_val = self._validation_set(x, y, validation_split, validation_data)
        self._warn_if_output_mismatch()
        broken = self._nonfinite_weights()
        if broken:
            raise ValueError(
                f"fit(): the weights {', '.join(broken)} are not finite (NaN or inf) before "
                "training starts, so every output would be NaN. Build a new model, or put "
                "finite weights back with set_weights()."
            )

        # Everything below runs with checked data: no more checks per batch.
        n = x.shape[0]
        steps = math.ceil(n / batch_size)
        metric_objects = self._make_metrics()
        self._warn_if_accuracy_on_logits(metric_objects)
        trackers = sorted([metrics_module.Mean("loss")] + metric_objects, key=lambda t: t.name)
        history = callbacks_module.History()
        terminate = next((cb for cb in user_callbacks
                          if isinstance(cb, callbacks_module.TerminateOnNaN)), None)
        extra = [] if terminate else [callbacks_module.TerminateOnNaN()]
        terminate = terminate or extra[0]
        progress = [callbacks_module.ProgbarLogger(verbose)] if verbose else []
        # History after the user's callbacks (as Keras): it records keys they add to the logs.
        cbs = callbacks_module.CallbackList(
            progress + user_callbacks + [history] + extra, self,
            {"verbose": verbose, "epochs": epochs, "steps": steps})
        self.history = history
        self.stop_training = False
        trainer = fast.DenseStackTrainer.for_model(self, batch_size, cbs, terminate)
        cbs.call("on_train_begin", None)
        for epoch in range(initial_epoch, epochs):
            for tracker in trackers:
                tracker.reset_state()
            cbs.call("on_epoch_begin", epoch, None)
            order = utils.rng().permutation(n) if shuffle else None
            with np.errstate(all="ignore"):  # non-finite values are caught by TerminateOnNaN
                if trainer is not None:
                    last_step = self._run_epoch_fast(trainer, x, y, order, trackers,
                                                     metric_objects, terminate)
                else:
                    xs, ys = (x, y) if order is None else (x[order], y[order])
                    last_step = self._run_epoch(xs, ys, batch_size, trackers, metric_objects,
                                                cbs)
                if terminate.diverged_at is None:
                    terminate.check_weights(last_step)
                if terminate.diverged_at is not None:
                    break  # weights restored; the broken epoch is not recorded
                logs = {t.name: t.result() for t in trackers}
                if x_val is not None:
                    val_logs = self._evaluate_arrays(x_val, y_val, batch_size, metric_objects)
                    logs.update({"val_" + k: v for k, v in val_logs.items()})
            cbs.call("on_epoch_end", epoch, logs)
            if self.stop_training:
                break
        cbs.call("on_train_end", None)
        history.diverged = terminate.diverged_at is not None
        history.diverged_at = terminate.diverged_at
        return history

    def _validation_set(self, x, y, validation_split, validation_data):
        """Return (x, y, x_val, y_val); x_val and y_val are None without validation."""
        if validation_data is not None:
            if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
                raise ValueError("fit(validation_data=...): must be a pair (x_val, y_val).")
            x_val, y_val = self._prepare_xy(validation_data[0], validation_data[1],
                                            "validation_data[0]", "validation_data[1]", "fit")
            return x, y, x_val, y_val
        if validation_split == 0:
            return x, y, None, None
        # As Keras: the last fraction of the samples, taken before any shuffling.
        split_at = int(math.floor(x.shape[0] * (1.0 - validation_split)))
        if split_at == 0 or split_at == x.shape[0]:
            raise ValueError(
                f"fit(validation_split={validation_split}): with {x.shape[0]} samples this "
                "leaves an empty training or validation set; use a split between "
                f"{1 / x.shape[0]:.3g} and {1 - 1 / x.shape[0]:.3g}, or more data."
            )
        return x[:split_at], y[:split_at], x[split_at:], y[split_at:]

    def _run_epoch(self, xs, ys, batch_size, trackers, metric_objects, cbs):
        """One pass over (xs, ys) in batches.  ``trackers`` holds the loss tracker (a Mean
        named 'loss') and the metrics.  Returns the index of the last batch run."""
        loss_tracker = next(t for t in trackers if t.name == "loss")
        fused = self.loss.fused_gradient(getattr(self.layers[-1], "activation", None))
        if plug.active():  # a learner's functions are plugged in: use them all, unfused
            fused = None
        weights = self.weights
        steps = math.ceil(xs.shape[0] / batch_size)
        for step in range(steps):
            xb = xs[step * batch_size:(step + 1) * batch_size]
            yb = ys[step * batch_size:(step + 1) * batch_size]
            for cb in cbs.batch_begin:
                cb.on_train_batch_begin(step, None)
            loss_value, out = self._train_step(xb, yb, fused, weights)
            loss_tracker.update_state(loss_value, xb.shape[0])  # weighted by batch size
            for m in metric_objects:
                m.update_state(yb, out)
            logs = {t.name: t.result() for t in trackers}
            for cb in cbs.batch_end:
                cb.on_train_batch_end(step, logs)
            if self.stop_training:
                break
        return step

    def _run_epoch_fast(self, trainer, x, y, order, trackers, metric_objects, terminate):
        """``_run_epoch`` done by a ``fast.DenseStackTrainer``: the same steps, in place.

        order: this epoch's permutation of the samples, or None.  Every batch's outputs
        (computed before its update) are kept, and the loss and metrics computed once from
        all of them: the same batch-size-weighted means ``_run_epoch`` adds up.  A loss that
        is not finite stops training at its batch, as ``TerminateOnNaN`` does there.
        Returns the index of the last batch.
        """
        outputs = trainer.train_epoch(x, y, order, self.optimizer.learning_rate)
        steps = trainer.steps(x.shape[0])
        self.optimizer.iterations += steps
        ys = y if order is None else y[order]
        loss_value = self.loss(ys, outputs)
        if not math.isfinite(loss_value):
            batch, loss_value = fast.first_nonfinite_batch(
                self.loss, ys, outputs, trainer.batch_size) or (steps - 1, loss_value)
            terminate.stop(batch, loss_value)
            return batch
        next(t for t in trackers if t.name == "loss").update_state(loss_value, ys.shape[0])
        for m in metric_objects:
            m.update_state(ys, outputs)
        return steps - 1

    def _train_step(self, xb, yb, fused, weights):
        """Forward, loss, backward, update on one batch.  Returns (loss, outputs)."""
        loss_value, out, grads = self._loss_and_grads(xb, yb, fused)
        self.optimizer.apply(grads, weights)
        return loss_value, out

    def loss_and_gradients(self, x, y):
        """The loss on (x, y) and its gradient for every weight, without changing anything.

        x: (N, D).  y: targets as for ``fit``.  Returns (loss, grads): a float and a list of
        arrays in the order of ``get_weights()`` ([dL/dkernel_1, dL/dbias_1, ...]), computed
        exactly as one step of ``fit`` computes them.  Useful to check gradients.
        """
        self._require_compiled("loss_and_gradients")
        x, y = self._prepare_xy(x, y, "x", "y", "loss_and_gradients")
        fused = self.loss.fused_gradient(getattr(self.layers[-1], "activation", None))
        if plug.active():
            fused = None
        loss_value, _, grads = self._loss_and_grads(x, y, fused)
        return loss_value, grads

    def _loss_and_grads(self, xb, yb, fused):
        """Forward and backward pass on one batch, without updating anything.

        fused: None (dL/dy_pred from the loss, then every layer's backward, activation
        included) or a function (y, a) -> dL/dz for the last layer's pre-activation z.
        Returns (loss value, outputs (N, M), gradients in the order of ``weights``).
        """
        out = xb
        for layer in self.layers:
            out = layer.forward(out)
        loss_value = self.loss(yb, out)
        if fused is not None:
            grad = self.layers[-1].backward_from_preactivation(fused(yb, out))
            for layer in self.layers[-2::-1]:
                grad = layer.backward(grad)
        else:
            grad = self.loss.gradient(yb, out)
            for layer in reversed(self.layers):
                grad = layer.backward(grad)
        return loss_value, out, [g for layer in self.layers for g in layer.grads]

    # ---- evaluation and prediction ---------------------------------------------------
    def _forward(self, x):
        out = x
        for layer in self.layers:
            out = layer.forward(out)
        return out

    def _evaluate_arrays(self, x, y, batch_size, metric_objects, bar=None):
        """Loss and metrics over (x, y) in batches; a dict with sorted keys."""
        loss_tracker = metrics_module.Mean("loss")
        for m in metric_objects:
            m.reset_state()
        trackers = sorted([loss_tracker] + metric_objects, key=lambda t: t.name)
        steps = math.ceil(x.shape[0] / batch_size)
        for step in range(steps):
            xb = x[step * batch_size:(step + 1) * batch_size]
            yb = y[step * batch_size:(step + 1) * batch_size]
            out = self._forward(xb)
            loss_tracker.update_state(self.loss(yb, out), xb.shape[0])
            for m in metric_objects:
                m.update_state(yb, out)
            if bar is not None:
                bar.update(step + 1, {t.name: t.result() for t in trackers},
                           finalize=step + 1 == steps)
        return {t.name: t.result() for t in trackers}

    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", return_dict=False):
        """The loss and metrics on (x, y), averaged over samples (batch-size weighted).

        x: (n, D) inputs.  y: targets as for ``fit``.  batch_size: default 32 (the result
        does not depend on it).
        Returns the loss (a float) if there are no metrics, else [loss, metric1, ...] in
        the order given to ``compile``; with ``return_dict=True``, a dict.
        """
        self._require_compiled("evaluate")
        batch_size = 32 if batch_size is None else _checks.positive_int(
            batch_size, "evaluate(batch_size=...)")
        verbose = _check_verbose(verbose, "evaluate")
        x, y = self._prepare_xy(x, y, "x", "y", "evaluate")
        metric_objects = self._make_metrics()
        bar = callbacks_module.Progbar(math.ceil(x.shape[0] / batch_size), verbose) \
            if verbose else None
        logs = self._evaluate_arrays(x, y, batch_size, metric_objects, bar)
        if return_dict:
            return logs
        if not metric_objects:
            return logs["loss"]
        return [logs["loss"]] + [logs[m.name] for m in metric_objects]

    def predict(self, x, batch_size=None, verbose="auto"):
        """The model's outputs for x (n, D): an array (n, M) of the float type.

        Computed in batches of ``batch_size`` (default 32), as Keras does.
        """
        batch_size = 32 if batch_size is None else _checks.positive_int(
            batch_size, "predict(batch_size=...)")
        verbose = _check_verbose(verbose, "predict")
        x = self._prepare_x(x, "x", "predict")
        steps = math.ceil(x.shape[0] / batch_size)
        bar = callbacks_module.Progbar(steps, verbose) if verbose else None
        outputs = []
        for step in range(steps):
            outputs.append(self._forward(x[step * batch_size:(step + 1) * batch_size]))
            if bar is not None:
                bar.update(step + 1, finalize=step + 1 == steps)
        return np.concatenate(outputs, axis=0)

    def __call__(self, x):
        """``model(x)``: the outputs for x in one pass, with no progress display."""
        return self._forward(self._prepare_x(x, "x", "model"))

    # ---- description and saving ------------------------------------------------------
    def summary(self, print_fn=None):
        """Print a table of the layers, their output shapes and parameter counts."""
        print_fn = print_fn or print
        rows = [("Layer (type)", "Output Shape", "Param #")]
        shape = (None, self.input_features)
        total = 0
        for layer in self.layers:
            label = f"{layer.name} ({type(layer).__name__})"
            if layer.built:
                shape = layer.compute_output_shape(shape)
                count = layer.count_params()
                total += count
                rows.append((label, str(shape), f"{count:,}"))
            else:
                rows.append((label, "? (not built)", "0 (unbuilt)"))
        widths = [max(len(r[i]) for r in rows) + 2 for i in range(3)]

        def line(left, mid, right):
            return left + mid.join("─" * w for w in widths) + right

        def row(cells):
            return "│" + "│".join(
                (f" {c}".ljust(w) if i < 2 else f"{c} ".rjust(w)) for i, (c, w) in
                enumerate(zip(cells, widths))) + "│"

        itemsize = np.dtype(self._dtype()).itemsize
        out = [f'Model: "{self.name}"', line("┌", "┬", "┐"), row(rows[0]), line("├", "┼", "┤")]
        out += [row(r) for r in rows[1:]]
        out += [line("└", "┴", "┘"),
                f" Total params: {total:,} ({_memory(total * itemsize)})",
                f" Trainable params: {total:,} ({_memory(total * itemsize)})",
                " Non-trainable params: 0 (0.00 B)"]
        for text in out:
            print_fn(text)

    def get_config(self):
        return {"name": self.name, "input_features": self.input_features,
                "layers": [serialize_layer(layer) for layer in self.layers]}

    @classmethod
    def from_config(cls, config_):
        model = cls(name=config_.get("name"))
        if config_.get("input_features") is not None:
            model._input_features = config_["input_features"]
        for spec in config_["layers"]:
            model.add(deserialize_layer(spec))
        return model

    def get_compile_config(self):
        if not self.compiled:
            return None
        return {"optimizer": optimizers.serialize(self.optimizer),
                "loss": losses.serialize(self.loss),
                "metrics": [metrics_module.serialize(m) for m in self.compiled_metrics]}

    def save(self, filepath, overwrite=True):
        """Save architecture, compile settings, weights and optimizer state to one ``.npz``
        file (see ``backprop_lab.saving``)."""
        from . import saving

        saving.save_model(self, filepath, overwrite=overwrite)

    def __repr__(self):
        return f"<Sequential name={self.name!r}, layers={len(self.layers)}>"


def _memory(n_bytes):
    for unit in ("B", "KB", "MB", "GB"):
        if n_bytes < 1024 or unit == "GB":
            return f"{n_bytes:.2f} {unit}"
        n_bytes /= 1024


def load_model(filepath, compile=True):
    """Load a model saved with ``model.save(filepath)`` (see ``backprop_lab.saving``)."""
    from . import saving

    return saving.load_model(filepath, compile=compile)
