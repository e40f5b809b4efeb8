"""Loss objects with Keras's names.  The formulas are in ``backprop_lab.functional``.

A loss object is called like Keras's, ``loss(y_true, y_pred)``, and returns a float; it
also knows its gradient, ``loss.gradient(y_true, y_pred)`` = dL/dy_pred (same shape as
y_pred).

    name (compile(loss=...))           object                           formula
    'mse', 'mean_squared_error'        MeanSquaredError()               mean((y_hat - y)^2)
    'half_sum_squared_error'           HalfSumSquaredError()            1/2 sum((y - y_hat)^2)
    'huber', 'huber_loss'              Huber(delta=1.0)                 mean(1/2 e^2 near 0,
                                                                          linear beyond delta)
    'binary_crossentropy'              BinaryCrossentropy()             -mean(y log p
                                                                          + (1-y) log(1-p))
    'categorical_crossentropy'         CategoricalCrossentropy()        -1/N sum y log p
    'sparse_categorical_crossentropy'  SparseCategoricalCrossentropy()  -1/N sum log p[label]

``HalfSumSquaredError`` is the seed article's loss: a sum over the batch, not a mean, so
its size (and the size of its gradient) grows with the batch size.  Keras has no such
loss; use ``'mse'`` to match Keras.

Pass ``from_logits=True`` to a cross-entropy when the last layer has no activation; the
loss then applies the sigmoid/softmax itself, in a numerically stable way.
"""
import numpy as np

from . import functional as F
from ._engine import checks as _checks
from .i18n import N_, _


class Loss:
    """Base class.  The built-in losses set ``key`` (a name in ``functional.LOSSES``) and
    ``name``.

    Methods: ``__call__(y_true, y_pred) -> float``, ``gradient(y_true, y_pred) -> array``,
    ``prepare_targets(y, n_outputs, name)`` (check and reshape targets once per fit).

    Your own loss: subclass ``Loss`` and write ``__call__`` (the value) and ``gradient``
    (dL/dy_pred, shape of y_pred); ``self.align(y_true, y_pred)`` gives both the same
    shape.  Its name defaults to the class name in snake_case.
    """

    key = None
    name = None
    from_logits = False

    def __init__(self, name=None):
        if name is not None:
            self.name = name
        elif self.name is None:  # a learner's subclass: MeanAbsoluteError -> mean_absolute_error
            self.name = "".join("_" + c.lower() if c.isupper() else c
                                for c in type(self).__name__).lstrip("_")
        self._set_functions()

    def _set_functions(self):
        # Looked up at each call, so that backprop_lab.use_functions can plug in a
        # learner's own loss functions.
        self._key = None if self.key is None else \
            self.key + ("_from_logits" if self.from_logits else "")

    def _functions(self, method):
        """The (value, gradient) pair in ``functional.LOSSES``; a subclass of its own
        must write ``__call__`` and ``gradient`` instead."""
        if self._key is None:
            raise NotImplementedError(
                _("{cls}.{method}: a Loss subclass must define "
                  "__call__(self, y_true, y_pred), returning the loss (a float), and "
                  "gradient(self, y_true, y_pred), returning dL/dy_pred (the shape of y_pred).")
                .format(cls=type(self).__name__, method=method)
            )
        return F.LOSSES[self._key]

    def __call__(self, y_true, y_pred):
        """The loss value (a float).  y_true, y_pred: (N, M); y_true of shape (N,) is
        read as (N, 1) when y_pred is (N, 1), never broadcast to (N, N)."""
        value = self._functions("__call__")[0]
        y_true, y_pred = self.align(y_true, y_pred)
        return value(y_true, y_pred, **self.function_kwargs())

    def gradient(self, y_true, y_pred):
        """dL/dy_pred, same shape as y_pred."""
        grad = self._functions("gradient")[1]
        y_true, y_pred = self.align(y_true, y_pred)
        return grad(y_true, y_pred, **self.function_kwargs())

    def function_kwargs(self):
        """Keyword arguments the loss passes to its two functions (Huber's ``delta``)."""
        return {}

    def align(self, y_true, y_pred):
        """Return (y_true, y_pred) with the same shape, or raise.  (N,) against (N, 1)
        becomes (N, 1), as Keras does; any other difference is an error."""
        y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
        if y_true.shape == y_pred.shape:
            return y_true, y_pred
        if y_true.ndim == 1 and y_pred.shape == y_true.shape + (1,):
            return y_true.reshape(-1, 1), y_pred
        raise ValueError(
            _("{name}: y_true has shape {true_shape} but y_pred has shape "
              "{pred_shape}; they must match (one target per output).").format(
                  name=self.name, true_shape=y_true.shape, pred_shape=y_pred.shape)
        )

    def fused_gradient(self, activation):
        """A function (y_true, a) -> dL/dz when the output activation is ``activation``
        and it can be differentiated together with this loss; else None."""
        return None

    def prepare_targets(self, y, n_outputs, name="y"):
        """Check targets ``y`` (float array, N rows) against a model with ``n_outputs``
        units; return them shaped (N, n_outputs).  (n,) becomes (n, 1) for one output."""
        if y.ndim == 1:
            if n_outputs != 1:
                raise ValueError(
                    _("{name} has shape {shape} (one value per sample) but the model outputs "
                      "{n_outputs} values per sample. Give {name} shape (n, {n_outputs}), or "
                      "for class labels use a softmax output with "
                      "loss='sparse_categorical_crossentropy'.").format(
                          name=name, shape=y.shape, n_outputs=n_outputs)
                )
            return y.reshape(-1, 1)
        if y.ndim != 2 or y.shape[1] != n_outputs:
            raise ValueError(
                _("{name} has shape {shape} but the model outputs shape (n, {n_outputs}): "
                  "{name} needs one column per output unit.").format(
                      name=name, shape=y.shape, n_outputs=n_outputs)
            )
        return y

    def get_config(self):
        return {"name": self.name}

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class MeanSquaredError(Loss):
    """Keras's MSE: ``mean((y_hat - y)^2)`` over every entry of the batch."""

    key = name = "mean_squared_error"


class HalfSumSquaredError(Loss):
    """The seed article's loss ``L = 1/2 * sum_i (y_i - y_hat_i)^2`` (summed, not averaged)."""

    key = name = "half_sum_squared_error"


class Huber(Loss):
    """Keras's Huber loss: ``1/2 e^2`` where ``|e| <= delta``, ``delta (|e| - delta/2)``
    beyond, averaged over every entry (``functional.huber``).  delta: > 0."""

    key = "huber"
    name = "huber_loss"

    def __init__(self, delta=1.0, name=None):
        self.delta = _checks.positive_float(delta, "Huber(delta=...)", "1.0")
        super().__init__(name)

    def function_kwargs(self):
        return {"delta": self.delta}

    def get_config(self):
        return {"delta": self.delta, "name": self.name}


def _check_unit_interval(y, name, loss_name):
    low, high = float(y.min()), float(y.max())
    if low < 0 or high > 1:
        raise ValueError(
            _("{name} holds values outside [0, 1] (min {low:g}, max {high:g}), but "
              "loss='{loss}' needs targets in [0, 1]: 0/1 labels, or probabilities as "
              "soft labels. For class indices 0..K-1 use a softmax output with "
              "loss='sparse_categorical_crossentropy'; for other numbers use loss='mse'.")
            .format(name=name, low=low, high=high, loss=loss_name)
        )


class BinaryCrossentropy(Loss):
    """``-mean(y log p + (1 - y) log(1 - p))``; targets in [0, 1].

    from_logits=False: y_pred holds probabilities (a sigmoid output).
    from_logits=True: y_pred holds logits z, and p = sigmoid(z) is applied inside.
    """

    key = name = "binary_crossentropy"

    def __init__(self, from_logits=False, name=None):
        self.from_logits = bool(from_logits)
        super().__init__(name)

    def fused_gradient(self, activation):
        if activation == "sigmoid" and not self.from_logits:
            return F.sigmoid_binary_crossentropy_grad
        return None

    def prepare_targets(self, y, n_outputs, name="y"):
        y = super().prepare_targets(y, n_outputs, name)
        _check_unit_interval(y, name, self.name)
        return y

    def get_config(self):
        return {"from_logits": self.from_logits, "name": self.name}


class CategoricalCrossentropy(Loss):
    """``-1/N sum_n sum_k y_nk log p_nk``; y one-hot (N, K), one column per output unit."""

    key = name = "categorical_crossentropy"

    def __init__(self, from_logits=False, name=None):
        self.from_logits = bool(from_logits)
        super().__init__(name)

    def fused_gradient(self, activation):
        if activation == "softmax" and not self.from_logits:
            return F.softmax_categorical_crossentropy_grad
        return None

    def prepare_targets(self, y, n_outputs, name="y"):
        if y.ndim == 1 or (y.ndim == 2 and y.shape[1] != n_outputs):
            raise ValueError(
                _("{name} has shape {shape} but loss='{loss}' needs one-hot rows of "
                  "width {n_outputs}, the number of units in the last layer, i.e. shape "
                  "(n, {n_outputs}). One-hot encode labels with "
                  "backprop_lab.utils.to_categorical({name}, num_classes={n_outputs}), or keep "
                  "integer labels and use loss='sparse_categorical_crossentropy'.").format(
                      name=name, shape=y.shape, loss=self.name, n_outputs=n_outputs)
            )
        y = super().prepare_targets(y, n_outputs, name)
        _check_unit_interval(y, name, self.name)
        sums = y.sum(axis=1)
        if not np.allclose(sums, 1.0, atol=1e-3):
            row = int(np.argmax(np.abs(sums - 1.0)))
            raise ValueError(
                _("{name}: row {row} sums to {total:g}, but for loss='{loss}' each "
                  "row must be a one-hot vector or a probability distribution summing to 1.")
                .format(name=name, row=row, total=sums[row], loss=self.name)
            )
        return y

    def get_config(self):
        return {"from_logits": self.from_logits, "name": self.name}


class SparseCategoricalCrossentropy(Loss):
    """``-1/N sum_n log p[n, label_n]``; y holds integer class labels, shape (N,)."""

    key = name = "sparse_categorical_crossentropy"

    def __init__(self, from_logits=False, name=None):
        self.from_logits = bool(from_logits)
        super().__init__(name)

    def fused_gradient(self, activation):
        if activation == "softmax" and not self.from_logits:
            return F.softmax_sparse_categorical_crossentropy_grad
        return None

    def prepare_targets(self, y, n_outputs, name="y"):
        """Returns the labels as integers of shape (N,)."""
        if y.ndim == 2 and y.shape[1] == 1:
            y = y[:, 0]
        if y.ndim != 1:
            raise ValueError(
                _("{name} has shape {shape} but loss='{loss}' needs one integer class "
                  "label per sample, shape (n,). For one-hot rows use "
                  "loss='categorical_crossentropy'.").format(name=name, shape=y.shape,
                                                             loss=self.name)
            )
        if n_outputs < 2:
            raise ValueError(
                _("loss='{loss}' needs one output unit per class, but the last layer has "
                  "{n_outputs} unit. For two classes use Dense(1, activation='sigmoid') with "
                  "loss='binary_crossentropy', or Dense(2, activation='softmax').").format(
                      loss=self.name, n_outputs=n_outputs)
            )
        if not np.all(y == np.round(y)):
            raise ValueError(
                _("{name} holds non-integer values, but loss='{loss}' needs class labels "
                  "0, 1, ..., {last}.").format(name=name, loss=self.name, last=n_outputs - 1)
            )
        low, high = int(y.min()), int(y.max())
        if low < 0 or high >= n_outputs:
            raise ValueError(
                _("{name} holds labels from {low} to {high}, but the model has {n_outputs} "
                  "output units, so labels must be in 0..{last}. Give the last layer "
                  "one unit per class.").format(name=name, low=low, high=high,
                                                n_outputs=n_outputs, last=n_outputs - 1)
            )
        return y.astype(np.intp)

    def align(self, y_true, y_pred):
        """Labels (N,) or (N, 1) against probabilities (N, K)."""
        y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
        if y_true.ndim == 2 and y_true.shape[1] == 1:
            y_true = y_true[:, 0]
        if y_true.ndim != 1 or y_pred.ndim != 2 or y_true.shape[0] != y_pred.shape[0]:
            raise ValueError(
                _("{name}: expected labels of shape (N,) and y_pred of shape (N, K), got "
                  "{true_shape} and {pred_shape}.").format(
                      name=self.name, true_shape=y_true.shape, pred_shape=y_pred.shape)
            )
        return y_true, y_pred

    def get_config(self):
        return {"from_logits": self.from_logits, "name": self.name}


_CLASSES = {
    "mean_squared_error": MeanSquaredError,
    "mse": MeanSquaredError,
    "half_sum_squared_error": HalfSumSquaredError,
    "huber": Huber,
    "huber_loss": Huber,
    "binary_crossentropy": BinaryCrossentropy,
    "categorical_crossentropy": CategoricalCrossentropy,
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
}
#: The names ``compile(loss=...)`` accepts (class names such as 'MeanSquaredError' too).
NAMES = tuple(_CLASSES)


def get(identifier, where="compile(loss=...)"):
    """Resolve a loss: a name (``'binary_crossentropy'``, ``'mse'``, ``'BinaryCrossentropy'``),
    a config dict from ``serialize``, or a ``Loss`` object.  Returns a ``Loss`` object."""
    if isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, dict) and "class_name" in identifier:
        return deserialize(identifier, where)
    if isinstance(identifier, str):
        key = identifier.lower() if identifier.lower() in _CLASSES else identifier
        by_class = {cls.__name__: cls for cls in _CLASSES.values()}
        cls = _CLASSES.get(key) or by_class.get(key)
        if cls is not None:
            return cls()
        raise _checks.unknown_name(N_("loss"), identifier, NAMES, where)
    if identifier is None:
        raise ValueError(
            _("{where}: a loss is required, e.g. loss='binary_crossentropy'. Valid names: "
              "{valid}.").format(where=where, valid=", ".join(NAMES))
        )
    if isinstance(identifier, type):
        raise ValueError(_("{where}: expected a loss name or a backprop_lab.losses.Loss "
                           "object, got {identifier!r}.").format(where=where,
                                                                 identifier=identifier)
                         + _checks.class_hint(identifier))
    raise ValueError(
        _("{where}: expected a loss name (one of {valid}) or a "
          "backprop_lab.losses.Loss object, got {identifier!r}. A plain function cannot be "
          "used: training also needs its gradient, so subclass Loss and give it one.")
        .format(where=where, valid=", ".join(NAMES), identifier=identifier)
    )


def serialize(loss):
    return _checks.to_config(loss)


def deserialize(config, where="loss"):
    return _checks.from_config(config, _CLASSES.values(), N_("loss class"), where)
