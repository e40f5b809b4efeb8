"""Metrics with Keras's names.

Functions (as in Keras, they return one value per sample, shape (N,)):

    binary_accuracy(y, p, threshold=0.5)   mean_k [ y_k == (p_k > threshold) ]
    categorical_accuracy(y, p)             [ argmax y == argmax p ]   (y one-hot)
    sparse_categorical_accuracy(y, p)      [ y == argmax p ]          (y integer labels)
    accuracy(y, p)                         mean_k [ y_k == p_k ]      (exact equality)
    mean_squared_error(y, p) (mse)         mean_k (y_k - p_k)^2
    mean_absolute_error(y, p) (mae)        mean_k |y_k - p_k|

Metric objects (``BinaryAccuracy()``, ...) accumulate over batches, as Keras's do:
``update_state(y, p)`` adds a batch, ``result()`` is the mean over every sample seen so
far, ``reset_state()`` starts again.  ``fit`` reports ``result()`` at the end of each epoch.

``metrics=['accuracy']`` (or ``'acc'``) is resolved from the loss and the output shape, as
Keras does: one output unit or binary cross-entropy -> binary accuracy; sparse categorical
cross-entropy -> sparse categorical accuracy; otherwise categorical accuracy.  Note that,
as in Keras, binary accuracy thresholds the model's *output* at 0.5; with
``from_logits=True`` the output is a logit, so pass ``BinaryAccuracy(threshold=0.0)``.
"""
import numpy as np

from ._engine import checks as _checks
from .i18n import N_, _


# --------------------------------------------------------------------------------------
# Per-sample functions
# --------------------------------------------------------------------------------------
def _same_shape(y_true, y_pred, name):
    """(N,) against (N, 1) becomes (N, 1), as in Keras; other mismatches are errors (a
    silent (N, N) broadcast would give a wrong number)."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.shape == y_pred.shape:
        return y_true, y_pred
    if y_true.ndim == 1 and y_pred.shape == y_true.shape + (1,):
        return y_true.reshape(-1, 1), y_pred
    if y_pred.ndim == 1 and y_true.shape == y_pred.shape + (1,):
        return y_true, y_pred.reshape(-1, 1)
    raise ValueError(_("{name}: y_true has shape {true_shape} but y_pred has shape "
                       "{pred_shape}; they must match.").format(
                           name=name, true_shape=y_true.shape, pred_shape=y_pred.shape))


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """y_true, y_pred: (N, M).  Returns (N,): the fraction of the M outputs that match."""
    y_true, y_pred = _same_shape(y_true, y_pred, "binary_accuracy")
    return np.mean(y_true == (y_pred > threshold), axis=-1)


def categorical_accuracy(y_true, y_pred):
    """y_true: (N, K) one-hot; y_pred: (N, K).  Returns (N,) of 0.0/1.0."""
    y_true, y_pred = _same_shape(y_true, y_pred, "categorical_accuracy")
    return (np.argmax(y_true, axis=-1) == np.argmax(y_pred, axis=-1)).astype(np.float64)


def sparse_categorical_accuracy(y_true, y_pred):
    """y_true: (N,) or (N, 1) integer labels; y_pred: (N, K).  Returns (N,) of 0.0/1.0."""
    labels = np.asarray(y_true).reshape(-1)
    if labels.shape[0] != np.shape(y_pred)[0]:
        raise ValueError(_("sparse_categorical_accuracy: {labels} labels for "
                           "{predictions} predictions.").format(
                               labels=labels.shape[0], predictions=np.shape(y_pred)[0]))
    return (labels == np.argmax(y_pred, axis=-1)).astype(np.float64)


def accuracy(y_true, y_pred):
    """Exact equality, averaged over the last axis.  y_true, y_pred: (N, M).  Returns (N,)."""
    y_true, y_pred = _same_shape(y_true, y_pred, "accuracy")
    return np.mean(y_true == y_pred, axis=-1)


def mean_squared_error(y_true, y_pred):
    """y_true, y_pred: (N, M).  Returns (N,)."""
    y_true, y_pred = _same_shape(y_true, y_pred, "mean_squared_error")
    diff = y_pred - y_true
    return np.mean(diff * diff, axis=-1)


def mean_absolute_error(y_true, y_pred):
    """y_true, y_pred: (N, M).  Returns (N,)."""
    y_true, y_pred = _same_shape(y_true, y_pred, "mean_absolute_error")
    return np.mean(np.abs(y_pred - y_true), axis=-1)


mse = mean_squared_error
mae = mean_absolute_error


# --------------------------------------------------------------------------------------
# Stateful metric objects
# --------------------------------------------------------------------------------------
class Metric:
    """Base class: a running mean of per-sample values.

    ``total`` is the sum of every per-sample value seen, ``count`` the number of samples;
    ``result()`` = total / count.
    """

    def __init__(self, name):
        self.name = name
        self.reset_state()

    def reset_state(self):
        self.total = 0.0
        self.count = 0

    def update_state(self, y_true, y_pred):
        values = self.values(y_true, y_pred)
        self.total += float(np.sum(values))
        self.count += values.shape[0]

    def values(self, y_true, y_pred):
        raise NotImplementedError

    def result(self):
        return self.total / self.count if self.count else 0.0

    def get_config(self):
        return {"name": self.name}

    def __repr__(self):
        return f"{type(self).__name__}(name={self.name!r})"


class Mean(Metric):
    """The weighted mean of values passed to ``update_state(value, sample_weight=1)``.

    ``fit`` tracks the loss with it: each batch's loss weighted by its batch size.
    """

    def __init__(self, name="mean"):
        super().__init__(name)

    def update_state(self, value, sample_weight=1):
        self.total += float(value) * sample_weight
        self.count += sample_weight


class MeanMetricWrapper(Metric):
    """Wraps a per-sample function ``fn(y_true, y_pred, **kwargs) -> (N,)``."""

    def __init__(self, fn, name, **kwargs):
        self.fn = fn
        self.kwargs = kwargs
        super().__init__(name)

    def values(self, y_true, y_pred):
        return self.fn(y_true, y_pred, **self.kwargs)


class BinaryAccuracy(MeanMetricWrapper):
    """Running ``binary_accuracy``: the share of outputs with (p > threshold) == y.

    y: (N, M) 0/1 targets (or (N,) for one output); p: (N, M) probabilities.  With logits
    (``from_logits=True``) use ``threshold=0.0``.
    """

    def __init__(self, name="binary_accuracy", threshold=0.5):
        super().__init__(binary_accuracy, name, threshold=threshold)
        self.threshold = threshold

    def get_config(self):
        return {"name": self.name, "threshold": self.threshold}


class CategoricalAccuracy(MeanMetricWrapper):
    """Running ``categorical_accuracy``: the share of rows with argmax p == argmax y.

    y: (N, K) one-hot rows; p: (N, K) scores or probabilities.
    """

    def __init__(self, name="categorical_accuracy"):
        super().__init__(categorical_accuracy, name)


class SparseCategoricalAccuracy(MeanMetricWrapper):
    """Running ``sparse_categorical_accuracy``: the share of rows with argmax p == label.

    y: (N,) integer labels; p: (N, K) scores or probabilities.
    """

    def __init__(self, name="sparse_categorical_accuracy"):
        super().__init__(sparse_categorical_accuracy, name)


class Accuracy(MeanMetricWrapper):
    """Running ``accuracy``: the share of entries with p == y exactly (for predictions
    that are already class labels; ``metrics=['accuracy']`` picks one of the above).

    y, p: (N, M).
    """

    def __init__(self, name="accuracy"):
        super().__init__(accuracy, name)


class MeanSquaredError(MeanMetricWrapper):
    """Running mean of (p - y)^2 over every entry seen.  y, p: (N, M)."""

    def __init__(self, name="mean_squared_error"):
        super().__init__(mean_squared_error, name)


class MeanAbsoluteError(MeanMetricWrapper):
    """Running mean of |p - y| over every entry seen.  y, p: (N, M)."""

    def __init__(self, name="mean_absolute_error"):
        super().__init__(mean_absolute_error, name)


_CLASSES = {
    "binary_accuracy": BinaryAccuracy,
    "categorical_accuracy": CategoricalAccuracy,
    "sparse_categorical_accuracy": SparseCategoricalAccuracy,
    "mean_squared_error": MeanSquaredError,
    "mse": MeanSquaredError,
    "mean_absolute_error": MeanAbsoluteError,
    "mae": MeanAbsoluteError,
}
#: The names ``compile(metrics=[...])`` accepts.
NAMES = ("accuracy", "acc") + tuple(_CLASSES)


def check(identifier, where="compile(metrics=...)"):
    """Raise now (at compile time) if ``identifier`` cannot become a metric."""
    if isinstance(identifier, Metric):
        return
    if isinstance(identifier, str):
        if identifier.lower() in NAMES:
            return
        by_class = {cls.__name__.lower() for cls in _CLASSES.values()}
        if identifier.lower() in by_class:
            return
        raise _checks.unknown_name(N_("metric"), identifier, NAMES, where)
    raise ValueError(
        _("{where}: expected metric names such as 'accuracy' (one of {valid}) or "
          "backprop_lab.metrics.Metric objects, got {identifier!r}.").format(
              where=where, valid=", ".join(NAMES), identifier=identifier)
        + _checks.class_hint(identifier)
    )


def get(identifier, loss_name=None, n_outputs=None):
    """A fresh Metric object for ``identifier``.

    'accuracy'/'acc' are resolved from ``loss_name`` (e.g. 'binary_crossentropy') and
    ``n_outputs`` (units of the last layer), and keep the name given (as in Keras).
    """
    check(identifier)
    if isinstance(identifier, Metric):
        identifier.reset_state()
        return identifier
    key = identifier.lower()
    if key in ("accuracy", "acc"):
        if n_outputs == 1 or loss_name == "binary_crossentropy":
            return BinaryAccuracy(name=identifier)
        if loss_name == "sparse_categorical_crossentropy":
            return SparseCategoricalAccuracy(name=identifier)
        return CategoricalAccuracy(name=identifier)
    if key not in _CLASSES:
        key = {cls.__name__.lower(): k for k, cls in _CLASSES.items()}[key]
    return _CLASSES[key](name=identifier)


def serialize(metric):
    """A JSON-ready form: the name string as given, or {'class_name', 'config'}."""
    if isinstance(metric, str):
        return metric
    return _checks.to_config(metric)


def deserialize(config):
    if isinstance(config, str):
        return config
    return _checks.from_config(config, list(_CLASSES.values()) + [Accuracy],
                               N_("metric class"))
