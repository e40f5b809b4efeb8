"""``Sequential``: a stack of layers trained with Keras's ``compile``/``fit`` interface.

    model = Sequential()
    model.add(Dense(10, activation="relu", input_dim=20))
    model.add(Dense(1, activation="sigmoid"))
    model.compile(loss="binary_crossentropy", optimizer=SGD(learning_rate=0.01),
                  metrics=["accuracy"])
    history = model.fit(X, y, epochs=10, batch_size=32)
    probabilities = model.predict(X)          # shape (n, 1)

This module holds the model: its layers, weights, compile settings, summary, saving, and
``compute_gradients``, the forward-loss-backward pass of one batch (in training mode:
dropout drops, batch normalization uses the batch's statistics, and the penalties of the
regularizers are added to the loss, as in Keras).  The training loop
that repeats that step with an optimizer is apart from it, in ``_engine.trainer`` (as a
Keras model is apart from its trainer); ``fit``, ``evaluate`` and ``predict`` call it.

Inputs are checked once per call to ``fit``/``evaluate``/``predict`` (shapes, NaN, label
ranges, ...), never once per batch, so the training loop stays cheap.
"""
from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Callable, Sequence

import numpy as np

from . import config, losses, optimizers
from . import metrics as metrics_module
from ._engine import checks as _checks
from ._engine import plug, saving, trainer
from ._engine.summary import summary_lines
from .i18n import _
from .layers import InputLayer, Layer
from .layers import deserialize as deserialize_layer
from .layers import serialize as serialize_layer
from .layers.base import _unique_name

if TYPE_CHECKING:  # names for the type hints only
    from numpy.typing import ArrayLike

    from .callbacks import Callback, History


class Sequential:
    """A linear stack of layers.

    Sequential(layers=None, name=None).  Attributes: ``layers`` (list), ``optimizer``,
    ``loss`` (a ``losses.Loss``), ``stop_training`` (set True to stop ``fit``), ``history``
    (the ``History`` of the last ``fit``).
    """

    def __init__(self, layers: Sequence[Layer] | None = None, name: str | None = None):
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
                _("Sequential(layers=...): expected a list of layers, got the single layer "
                  "{layer!r}. Put it in a list: Sequential([layer, ...]).").format(layer=layers)
            )
        for layer in layers or []:
            self.add(layer)

    # ---- building --------------------------------------------------------------------
    def add(self, layer: Layer | InputLayer) -> None:
        """Append a layer.  The first layer needs ``input_dim`` (or an ``Input`` before it)
        for the model to be built now; otherwise it is built by the first ``fit``/``predict``."""
        if isinstance(layer, InputLayer):
            if self.layers:
                raise ValueError(_("Sequential.add(Input(...)): an Input must come first."))
            self._input_features = layer.features
            return
        if not isinstance(layer, Layer):
            raise TypeError(_("Sequential.add(layer): expected a layer such as Dense(10), got "
                              "{layer!r}.").format(layer=layer))
        if any(existing.name == layer.name for existing in self.layers):
            raise ValueError(
                _("Sequential.add({name}): the model already has a layer named "
                  "{name!r}; layer names must be unique (and one layer object can be "
                  "added only once). Give it another name=, or create a new layer.")
                .format(name=layer.name)
            )
        if not self.layers and self._input_features is not None:
            if layer.input_features not in (None, self._input_features):
                raise ValueError(
                    _("Sequential.add({name}): the Input has {features} features but the "
                      "layer was given input_dim={input_dim}.").format(
                          name=layer.name, features=self._input_features,
                          input_dim=layer.input_features))
            layer.input_features = self._input_features
        self.layers.append(layer)
        first = self.layers[0]
        if first.built or first.input_features is not None:
            try:
                self.build((None, first.input_features))
            except ValueError:
                self.layers.pop()  # a layer that does not fit is not kept
                raise

    def pop(self) -> Layer:
        """Remove and return the last layer."""
        if not self.layers:
            raise ValueError(_("Sequential.pop(): the model has no layers."))
        return self.layers.pop()

    def build(self, input_shape: tuple) -> None:
        """Create every layer's weights for inputs of shape (None, D)."""
        features = _checks.positive_int(tuple(input_shape)[-1], "Sequential.build(input_shape)")
        shape = (None, features)
        for layer in self.layers:
            if not layer.built:
                layer.build(shape)
            elif layer.input_features != shape[-1]:
                message = (_("Layer {name} expects {inputs} inputs but the input has {features} "
                             "features.") if layer is self.layers[0] else
                           _("Layer {name} expects {inputs} inputs but the layer before it "
                             "gives {features} features."))
                raise ValueError(message.format(name=layer.name, inputs=layer.input_features,
                                                features=shape[-1]))
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
        """Every parameter array (the live arrays), in Keras's order [k1, b1, k2, b2, ...];
        BatchNormalization's moving statistics included."""
        return [w for layer in self.layers for w in layer.weights]

    @property
    def trainable_weights(self):
        """The arrays the optimizer updates, in the order of ``compute_gradients``'s
        gradients (every weight but the moving statistics)."""
        return [w for layer in self.layers for w in layer.trainable_weights]

    @property
    def non_trainable_weights(self):
        """The weights the optimizer leaves alone (BatchNormalization's moving statistics)."""
        return [w for layer in self.layers for w in layer.non_trainable_weights]

    @property
    def losses(self) -> list[float]:
        """The penalties of every regularizer on the current weights (Keras's
        ``model.losses``); ``fit`` and ``evaluate`` add their sum to the loss."""
        return [penalty for layer in self.layers for penalty in layer.losses]

    def get_weights(self) -> list[np.ndarray]:
        """Copies of every parameter, in Keras's order: [kernel1, bias1, kernel2, bias2, ...]."""
        return [w.copy() for w in self.weights]

    def set_weights(self, weights: Sequence[ArrayLike]) -> None:
        """Copy values into every parameter; ``weights`` as returned by ``get_weights()``."""
        self._require_built("set_weights")
        weights = list(weights)
        expected = [w.shape for w in self.weights]
        if len(weights) != len(expected):
            raise ValueError(
                _("set_weights(weights): the model has {n} weight arrays (shapes {shapes}) "
                  "but {given} were given.").format(n=len(expected), shapes=expected,
                                                    given=len(weights)))
        names = [f"{layer.name}/{name}" for layer in self.layers
                 for name in layer.weights_names if getattr(layer, name) is not None]
        for i, (new, shape, name) in enumerate(zip(weights, expected, names)):
            _checks.weight_array(new, shape, _("set_weights(weights): weights[{i}] ({name})")
                                 .format(i=i, name=name))
        i = 0  # every array checked: now copy them in, layer by layer
        for layer in self.layers:
            n = len(layer.weights)
            layer.set_weights(weights[i:i + n])
            i += n

    def count_params(self) -> int:
        """The total number of parameters."""
        self._require_built("count_params")
        return sum(layer.count_params() for layer in self.layers)

    def _require_built(self, what):
        if not self.layers:
            raise ValueError(_no_layers(what))
        if not self.built:
            raise ValueError(
                _("{what}(): the model is not built yet, so its weights do not exist. Give the "
                  "first layer input_dim=n_features, or call fit/predict/build first.")
                .format(what=what))

    def _dtype(self):
        return self.layers[0].dtype if self.built else config.floatx()

    # ---- compile ---------------------------------------------------------------------
    def compile(self, optimizer: str | optimizers.Optimizer = "rmsprop",
                loss: str | losses.Loss | None = None,
                metrics: Sequence[str | metrics_module.Metric] | None = None) -> None:
        """Choose the optimizer, the loss and the metrics to report.

        optimizer: a name ('sgd', 'adam', 'adamw', 'rmsprop') or an object
            (``SGD(learning_rate=0.1)``).
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
                _("{what}(): the model is not compiled. Call model.compile(loss=..., "
                  "optimizer=..., metrics=[...]) before {what}, e.g. "
                  "model.compile(loss='binary_crossentropy', optimizer='sgd', "
                  "metrics=['accuracy']).").format(what=what)
            )

    def _make_metrics(self):
        self.metrics = [metrics_module.get(m, self.loss.key, self.output_units)
                        for m in self.compiled_metrics]
        return self.metrics

    # ---- data checks (once per call) -------------------------------------------------
    def _prepare_x(self, x, name, where):
        if not self.layers:
            raise ValueError(_no_layers(where))
        x = _checks.numeric_array(x, name, self._dtype())
        expected = self.input_features
        if x.ndim == 1 and expected == 1:
            x = x.reshape(-1, 1)
        if x.ndim != 2:
            raise ValueError(
                _("{name} has shape {shape} but must be 2-D: (n_samples, n_features). For "
                  "one sample use {name}.reshape(1, -1); for one feature {name}.reshape(-1, 1).")
                .format(name=name, shape=x.shape))
        if expected is not None and x.shape[1] != expected:
            raise ValueError(
                _("{name} has {features} features (columns) but the model expects {expected} "
                  "(the input_dim of its first layer). Pass data with {expected} columns, or "
                  "build the model with input_dim={features}.").format(
                      name=name, features=x.shape[1], expected=expected))
        if not self.built:
            self.build((None, x.shape[1]))
            x = x.astype(self._dtype(), copy=False)
        return x

    def _prepare_xy(self, x, y, x_name, y_name, where):
        x = self._prepare_x(x, x_name, where)
        if y is None:
            raise ValueError(_("{where}(): {y_name} is missing: pass the targets, one per row "
                               "of {x_name}.").format(where=where, y_name=y_name, x_name=x_name))
        y = _checks.numeric_array(y, y_name, self._dtype())
        _checks.same_length(x, y, x_name, y_name)
        y = self.loss.prepare_targets(y, self.output_units, y_name)
        return x, y

    # ---- one gradient step -----------------------------------------------------------
    def _fused_output_gradient(self):
        """dL/dz of the last layer as one function, when the loss and the output
        activation can be differentiated together (sigmoid + binary cross-entropy,
        softmax + categorical cross-entropy); None otherwise, and always None while a
        learner's functions are plugged in (``use_functions``), so that their activation
        backward is really used."""
        if plug.active():
            return None
        return self.loss.fused_gradient(getattr(self.layers[-1], "activation", None))

    def compute_gradients(self, x: ArrayLike, y: ArrayLike, check_inputs: bool = True
                          ) -> tuple[float, np.ndarray, list[np.ndarray]]:
        """Forward pass, loss and backward pass on one batch, in training mode; nothing is
        updated but the moving statistics of BatchNormalization layers.

        The algorithm of the course, and the only place the shell runs it (``fit``,
        ``gradcheck.check_model`` and the widgets call this):

            a = x;  for layer in layers: a = layer.forward(a, training=True)   # 1. forward
            loss = loss_fn(y, a) + sum(penalties)                              # 2. loss
            g = dL/da;  for layer in reversed(layers): g = layer.backward(g)   # 3. backward
            dL/dw += d(penalties)/dw      for every regularized weight

        For a sigmoid output with binary cross-entropy, and a softmax output with
        (sparse) categorical cross-entropy, step 3 starts one step later, from the fused
        gradient dL/dz = (p - y) / N (see ``functional.sigmoid_binary_crossentropy_grad``).

        x: (N, D) inputs.  y: targets as for ``fit`` ((N,) labels for sparse losses).
        check_inputs: check and convert x and y first (shapes, dtype, NaN); ``fit``
            passes False because it has checked the whole data set once already.
        Returns (loss, outputs, grads): a float (the penalties included, as Keras reports
        it), the outputs (N, M), and dL/dw for every trainable weight in the order of
        ``trainable_weights`` ([dL/dkernel_1, dL/dbias_1, ...]).
        """
        if check_inputs:
            self._require_compiled("compute_gradients")
            x, y = self._prepare_xy(x, y, "x", "y", "compute_gradients")
        out = self.forward(x, training=True)
        loss_value = self.compute_loss(x, y, out, training=True)
        fused = self._fused_output_gradient()
        if fused is not None:
            grad = self.layers[-1].backward_from_preactivation(fused(y, out))
            for layer in self.layers[-2::-1]:
                grad = layer.backward(grad)
        else:
            grad = self.loss.gradient(y, out)
            for layer in reversed(self.layers):
                grad = layer.backward(grad)
        grads = []
        for layer in self.layers:
            for g, penalty in zip(layer.grads, layer.penalty_gradients()):
                grads.append(g if penalty is None else g + penalty)
        return loss_value, out, grads

    def compute_loss(self, x: ArrayLike | None, y: ArrayLike, y_pred: np.ndarray,
                     training: bool = True) -> float:
        """The loss of outputs ``y_pred`` against targets ``y``, plus the penalties of the
        regularizers (``sum(model.losses)``), as Keras's ``compute_loss``: what ``fit``
        minimises and what ``fit`` and ``evaluate`` report.  x and training are not used
        (they are Keras's arguments)."""
        value = self.loss(y, y_pred)
        penalties = self.losses
        return value + sum(penalties) if penalties else value

    def loss_and_gradients(self, x: ArrayLike, y: ArrayLike
                           ) -> tuple[float, list[np.ndarray]]:
        """The loss on (x, y) and its gradient for every weight: ``compute_gradients``
        without the outputs.  Returns (loss, grads)."""
        loss_value, _, grads = self.compute_gradients(x, y)
        return loss_value, grads

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """The outputs (N, M) for checked inputs x (N, D): every layer's ``forward`` in
        turn (each keeps what its backward pass needs).  training: True in ``fit``
        (dropout active, batch statistics), False in ``evaluate`` and ``predict``."""
        out = x
        for layer in self.layers:
            out = layer.forward(out, training=training)
        return out

    # ---- training, evaluation, prediction (the loop is ``_engine.trainer``) -----------
    def fit(self, x: ArrayLike = None, y: ArrayLike = None, batch_size: int | None = None,
            epochs: int = 1, verbose: int | str = "auto",
            callbacks: Callback | Sequence[Callback] | None = None,
            validation_split: float = 0.0, validation_data: tuple | None = None,
            shuffle: bool = True, initial_epoch: int = 0) -> History:
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
        A loss that stops being finite ends training at once, with a message, and the
        weights of the start of that epoch are put back (``history.diverged``).
        """
        return trainer.fit(self, x, y, batch_size=batch_size, epochs=epochs, verbose=verbose,
                           callbacks=callbacks, validation_split=validation_split,
                           validation_data=validation_data, shuffle=shuffle,
                           initial_epoch=initial_epoch)

    def evaluate(self, x: ArrayLike = None, y: ArrayLike = None, batch_size: int | None = None,
                 verbose: int | str = "auto", return_dict: bool = False
                 ) -> float | list[float] | dict[str, float]:
        """The loss and metrics on (x, y), averaged over samples (batch-size weighted).

        x: (n, D) inputs.  y: targets as for ``fit``.  batch_size: default 32 (the result
        does not depend on it).
        Returns the loss (a float) if there are no metrics, else [loss, metric1, ...] in
        the order given to ``compile``; with ``return_dict=True``, a dict.
        """
        return trainer.evaluate(self, x, y, batch_size=batch_size, verbose=verbose,
                                return_dict=return_dict)

    def predict(self, x: ArrayLike, batch_size: int | None = None, verbose: int | str = "auto"
                ) -> np.ndarray:
        """The model's outputs for x (n, D): an array (n, M) of the float type.

        Computed in batches of ``batch_size`` (default 32), as Keras does.
        """
        return trainer.predict(self, x, batch_size=batch_size, verbose=verbose)

    def __call__(self, x: ArrayLike, training: bool = False) -> np.ndarray:
        """``model(x)``: the outputs for x in one pass, with no progress display
        (inference mode unless ``training=True``, as in Keras)."""
        return self.forward(self._prepare_x(x, "x", "model"), training=bool(training))

    # ---- description and saving ------------------------------------------------------
    def summary(self, print_fn: Callable[[str], Any] | None = None) -> None:
        """Print a table of the layers, their output shapes and parameter counts."""
        print_fn = print_fn or print
        for text in summary_lines(self):
            print_fn(text)

    def get_config(self) -> dict:
        return {"name": self.name, "input_features": self.input_features,
                "layers": [serialize_layer(layer) for layer in self.layers]}

    @classmethod
    def from_config(cls, config_: dict) -> Sequential:
        model = cls(name=config_.get("name"))
        if config_.get("input_features") is not None:
            model._input_features = config_["input_features"]
        for spec in config_["layers"]:
            model.add(deserialize_layer(spec))
        return model

    def get_compile_config(self) -> dict | None:
        if not self.compiled:
            return None
        return {"optimizer": optimizers.serialize(self.optimizer),
                "loss": losses.serialize(self.loss),
                "metrics": [metrics_module.serialize(m) for m in self.compiled_metrics]}

    def save(self, filepath: str | os.PathLike, overwrite: bool = True) -> None:
        """Save architecture, compile settings, weights and optimizer state to one ``.npz``
        file, atomically and without pickle (the format: ``_engine/saving.py``)."""
        saving.save_model(self, filepath, overwrite=overwrite)

    def __repr__(self):
        return f"<Sequential name={self.name!r}, layers={len(self.layers)}>"


def _no_layers(what):
    return _("{what}(): the model has no layers. Add some first, e.g. "
             "model.add(Dense(1, input_dim=n_features)).").format(what=what)


def load_model(filepath: str | os.PathLike, compile: bool = True) -> Sequential:
    """Load a model saved with ``model.save(filepath)``: layers, weights and, if
    ``compile``, the optimizer (with its state), loss and metrics.  Predictions match the
    saved model's.  The file is read with ``allow_pickle=False``: loading runs no code."""
    path, header, arrays = saving.read_model_file(filepath)
    try:
        model = Sequential.from_config(header["model"]["config"])
        model.set_weights([arrays[spec["key"]] for spec in header["weights"]])
    except (KeyError, TypeError, ValueError) as err:
        raise saving.bad_file(path, _("its contents do not describe a valid model "
                                      "({error_type}: {error})").format(
                                          error_type=type(err).__name__, error=err)) from None
    if compile and header.get("compile"):
        try:
            settings = header["compile"]
            model.compile(optimizer=optimizers.deserialize(settings["optimizer"]),
                          loss=losses.deserialize(settings["loss"]),
                          metrics=[metrics_module.deserialize(m) for m in settings["metrics"]])
            state = header["optimizer_state"]
            if state["keys"] or state["iterations"]:
                model.optimizer.set_state([arrays[k] for k in state["keys"]],
                                          model.trainable_weights, state["iterations"])
        except (KeyError, TypeError, ValueError) as err:
            # e.g. a loss or metric class of the learner's own, which the file names only
            raise ValueError(
                _("load_model({path!r}): the layers and weights are fine, but the compile "
                  "settings cannot be rebuilt ({error_type}: {error}). Load it with "
                  "load_model(path, compile=False), then call model.compile(...) with your "
                  "own loss, optimizer and metrics.").format(
                      path=path, error_type=type(err).__name__, error=err)
            ) from None
    return model
