"""Losses, each a value next to its gradient, and the penalties on the weights.

    value = <loss>(y_true, y_pred)        # a Python float
    grad  = <loss>_grad(y_true, y_pred)   # dL/d(y_pred), same shape as y_pred

Losses averaged "over the batch" divide by N (as Keras does); the seed article's squared
error ``1/2 * sum`` does not.  ``LOSSES`` maps each name to its pair.

The fused gradients differentiate an output activation and its loss together, and the
penalties (``l1_penalty``, ``l2_penalty`` and their gradients) are what a regularizer adds
to the loss.
"""
from __future__ import annotations

import numpy as np

# The package itself: the activations used below are looked up in it when called, so
# that a version plugged in with ``use_functions`` is used here too.
from .. import functional as F
from ._types import Array

# Keras clips probabilities to [EPSILON, 1 - EPSILON] before taking logs.
EPSILON = 1e-7


# --------------------------------------------------------------------------------------
# Losses.  Each returns a Python float; each *_grad returns dL/dy_pred.
# --------------------------------------------------------------------------------------
def half_sum_squared_error(y_true: Array, y_pred: Array) -> float:
    """The seed article's loss: ``L = 1/2 * sum_i (y_i - y_hat_i)^2`` (a sum, no mean).

    y_true, y_pred: arrays of the same shape.  Returns a float.
    The 1/2 is there so that the derivative has no factor 2.
    """
    diff = np.asarray(y_pred, dtype=np.float64) - y_true
    return float(0.5 * np.sum(diff * diff))


def half_sum_squared_error_grad(y_true: Array, y_pred: Array) -> Array:
    """dL/dy_hat of the 1/2-sum squared error: ``y_hat - y`` (same shape as y_pred)."""
    return y_pred - y_true


def mean_squared_error(y_true: Array, y_pred: Array) -> float:
    """Keras's MSE: the mean over the last axis, then the mean over the batch.

    For y of shape (N, M) this is ``sum((y_hat - y)^2) / (N * M)``.
    """
    diff = np.asarray(y_pred, dtype=np.float64) - y_true
    return float(np.mean(diff * diff))


def mean_squared_error_grad(y_true: Array, y_pred: Array) -> Array:
    """dL/dy_hat of MSE: ``2 * (y_hat - y) / (N * M)``, where N * M = y_pred.size."""
    return 2.0 * (y_pred - y_true) / y_pred.size


def huber(y_true: Array, y_pred: Array, delta: float = 1.0) -> float:
    """Huber loss, averaged over all entries (Keras's ``Huber``): quadratic near 0, linear
    beyond ``delta``, so a few large errors do not dominate as they do in MSE.

        e = y_hat - y;   per entry  1/2 e^2           if |e| <= delta
                                    delta (|e| - delta / 2)  otherwise
    y_true, y_pred: arrays of the same shape.  delta: > 0.  Returns a float.
    """
    e = np.asarray(y_pred, dtype=np.float64) - y_true
    a = np.abs(e)
    return float(np.mean(np.where(a <= delta, 0.5 * e * e, delta * (a - 0.5 * delta))))


def huber_grad(y_true: Array, y_pred: Array, delta: float = 1.0) -> Array:
    """dL/dy_hat of the Huber loss: ``clip(y_hat - y, -delta, delta) / size``."""
    return np.clip(y_pred - y_true, -delta, delta) / y_pred.size


def _clip_probabilities(p):
    return np.clip(p, EPSILON, 1.0 - EPSILON)


def binary_crossentropy(y_true: Array, p: Array) -> float:
    """Binary cross-entropy from probabilities, averaged over all entries (as Keras).

    ``L = -mean( y log p + (1 - y) log(1 - p) )`` with p clipped to [1e-7, 1 - 1e-7] so
    that log(0) never happens.
    y_true: (N, 1) or (N, M) targets in [0, 1].  p: same shape, predicted probabilities.
    """
    p = _clip_probabilities(np.asarray(p, dtype=np.float64))
    return float(-np.mean(y_true * np.log(p) + (1 - y_true) * np.log(1 - p)))


def binary_crossentropy_grad(y_true: Array, p: Array) -> Array:
    """dL/dp of binary cross-entropy: ``(p - y) / (p (1 - p)) / size`` (p clipped)."""
    pc = _clip_probabilities(p)
    return (pc - y_true) / (pc * (1 - pc)) / p.size


def binary_crossentropy_from_logits(y_true: Array, z: Array) -> float:
    """Binary cross-entropy of ``sigmoid(z)``, computed from the logits z directly.

    ``-[y log s(z) + (1-y) log(1 - s(z))] = max(z, 0) - z y + log(1 + exp(-|z|))``.
    The right-hand side never overflows and never takes log(0).
    y_true, z: same shape.  Returns the mean over all entries.
    """
    z = np.asarray(z, dtype=np.float64)
    per_entry = np.maximum(z, 0) - z * y_true + np.log1p(np.exp(-np.abs(z)))
    return float(np.mean(per_entry))


def binary_crossentropy_from_logits_grad(y_true: Array, z: Array) -> Array:
    """dL/dz of binary cross-entropy from logits: ``(sigmoid(z) - y) / size``."""
    s, _ = F.sigmoid_forward(z)
    return (s - y_true) / z.size


def categorical_crossentropy(y_true: Array, p: Array) -> float:
    """Categorical cross-entropy from probabilities, averaged over the batch.

    ``L = -1/N * sum_n sum_k y_nk log p_nk`` with p clipped to [1e-7, 1 - 1e-7].
    y_true: (N, K) one-hot (or any distribution per row).  p: (N, K) probabilities.
    """
    p = _clip_probabilities(np.asarray(p, dtype=np.float64))
    return float(-np.sum(y_true * np.log(p)) / p.shape[0])


def categorical_crossentropy_grad(y_true: Array, p: Array) -> Array:
    """dL/dp of categorical cross-entropy: ``-y / p / N`` (p clipped)."""
    return -y_true / _clip_probabilities(p) / p.shape[0]


def categorical_crossentropy_from_logits(y_true: Array, z: Array) -> float:
    """Categorical cross-entropy of ``softmax(z)``, from the logits z:
    ``-1/N sum y * log_softmax(z)``.

    y_true, z: (N, K).  Stable for any finite z (uses ``log_softmax``).
    """
    logp = F.log_softmax(np.asarray(z, dtype=np.float64))
    return float(-np.sum(np.where(y_true > 0, y_true * logp, 0.0)) / z.shape[0])


def categorical_crossentropy_from_logits_grad(y_true: Array, z: Array) -> Array:
    """dL/dz of categorical cross-entropy from logits: ``(softmax(z) - y) / N``.

    (Assumes each row of y_true sums to 1, as a one-hot row does.)
    """
    a, _ = F.softmax_forward(z)
    return (a - y_true) / z.shape[0]


def _check_labels(labels, k):
    """Integer class labels of shape (N,), each in [0, k); anything else is an error
    (a label of -1 would silently pick the last class)."""
    labels = np.asarray(labels)
    if labels.ndim == 2 and labels.shape[1] == 1:
        labels = labels[:, 0]
    as_int = labels.astype(np.intp, copy=False)
    whole = labels.dtype.kind in "iu" or not np.any(as_int != labels)
    if labels.size and (not whole or as_int.min() < 0 or as_int.max() >= k):
        raise ValueError(
            f"labels must be whole numbers from 0 to {k - 1} (one per example, {k} classes); "
            f"found values from {labels.min()} to {labels.max()}.")
    return as_int


def sparse_categorical_crossentropy(labels: Array, p: Array) -> float:
    """Cross-entropy with integer class labels: ``-1/N * sum_n log p[n, labels[n]]``.

    labels: (N,) integers in [0, K).  p: (N, K) probabilities (clipped as above).
    """
    labels = _check_labels(labels, p.shape[1])
    picked = _clip_probabilities(np.asarray(p, dtype=np.float64)[np.arange(p.shape[0]), labels])
    return float(-np.mean(np.log(picked)))


def sparse_categorical_crossentropy_grad(labels: Array, p: Array) -> Array:
    """dL/dp of sparse categorical cross-entropy: ``-1/p`` at the true class, / N; 0 elsewhere."""
    labels = _check_labels(labels, p.shape[1])
    grad = np.zeros_like(p)
    rows = np.arange(p.shape[0])
    grad[rows, labels] = -1.0 / _clip_probabilities(p[rows, labels]) / p.shape[0]
    return grad


def sparse_categorical_crossentropy_from_logits(labels: Array, z: Array) -> float:
    """Sparse categorical cross-entropy of ``softmax(z)`` from the logits z: (N, K)."""
    labels = _check_labels(labels, z.shape[1])
    logp = F.log_softmax(np.asarray(z, dtype=np.float64))
    return float(-np.mean(logp[np.arange(z.shape[0]), labels]))


def sparse_categorical_crossentropy_from_logits_grad(labels: Array, z: Array) -> Array:
    """dL/dz of sparse categorical cross-entropy from logits: ``(softmax(z) - onehot) / N``."""
    labels = _check_labels(labels, z.shape[1])
    a, _ = F.softmax_forward(z)
    grad = a.copy()
    grad[np.arange(z.shape[0]), labels] -= 1
    return grad / z.shape[0]


LOSSES = {
    "half_sum_squared_error": (half_sum_squared_error, half_sum_squared_error_grad),
    "mean_squared_error": (mean_squared_error, mean_squared_error_grad),
    "huber": (huber, huber_grad),
    "binary_crossentropy": (binary_crossentropy, binary_crossentropy_grad),
    "binary_crossentropy_from_logits": (
        binary_crossentropy_from_logits, binary_crossentropy_from_logits_grad),
    "categorical_crossentropy": (categorical_crossentropy, categorical_crossentropy_grad),
    "categorical_crossentropy_from_logits": (
        categorical_crossentropy_from_logits, categorical_crossentropy_from_logits_grad),
    "sparse_categorical_crossentropy": (
        sparse_categorical_crossentropy, sparse_categorical_crossentropy_grad),
    "sparse_categorical_crossentropy_from_logits": (
        sparse_categorical_crossentropy_from_logits,
        sparse_categorical_crossentropy_from_logits_grad),
}


# --------------------------------------------------------------------------------------
# Fused output gradients: the loss and the output activation differentiated together
# --------------------------------------------------------------------------------------
def sigmoid_binary_crossentropy_grad(y_true: Array, p: Array) -> Array:
    """dL/dz for ``L = binary_crossentropy(y, p)`` with ``p = sigmoid(z)``: ``(p - y) / size``.

    The chain rule gives dL/dp * dp/dz = (p - y) / (p (1 - p)) / size * p (1 - p); the
    factors p (1 - p) cancel.  Written this way the gradient does not vanish when the
    sigmoid saturates, and nothing is divided by a number close to 0.
    y_true: (N, M) targets in [0, 1].  p: (N, M) sigmoid outputs.  Returns (N, M).
    """
    return (p - y_true) / p.size


def softmax_categorical_crossentropy_grad(y_true: Array, p: Array) -> Array:
    """dL/dz for ``L = categorical_crossentropy(y, p)`` with ``p = softmax(z)``: ``(p - y) / N``.

    y_true: (N, K), each row summing to 1 (one-hot or a distribution).
    p: (N, K) softmax outputs.  Returns (N, K).
    """
    return (p - y_true) / p.shape[0]


def softmax_sparse_categorical_crossentropy_grad(labels: Array, p: Array) -> Array:
    """dL/dz for sparse categorical cross-entropy of ``p = softmax(z)``: ``(p - onehot) / N``.

    labels: (N,) integers in [0, K).  p: (N, K) softmax outputs.  Returns (N, K).
    """
    labels = _check_labels(labels, p.shape[1])
    grad = p.copy()
    grad[np.arange(p.shape[0]), labels] -= 1
    return grad / p.shape[0]


# --------------------------------------------------------------------------------------
# Penalties on the weights: what a regularizer adds to the loss (Keras's L1 and L2)
# --------------------------------------------------------------------------------------
def l1_penalty(w: Array, l1: float) -> float:
    """The L1 penalty ``l1 * sum |w|`` (Keras's ``regularizers.L1``).

    w: a weight array of any shape.  l1: the strength, >= 0.  Returns a float.
    """
    return float(l1 * np.sum(np.abs(np.asarray(w, dtype=np.float64))))


def l1_penalty_grad(w: Array, l1: float) -> Array:
    """d(l1 * sum |w|)/dw = ``l1 * sign(w)`` (0 where w is exactly 0, as autodiff gives).

    w: any shape.  Returns an array of w's shape and dtype.
    """
    return l1 * np.sign(np.asarray(w))


def l2_penalty(w: Array, l2: float) -> float:
    """The L2 penalty ``l2 * sum w**2`` (Keras's ``regularizers.L2``: no factor 1/2).

    w: a weight array of any shape.  l2: the strength, >= 0.  Returns a float.
    """
    w = np.asarray(w, dtype=np.float64)
    return float(l2 * np.sum(w * w))


def l2_penalty_grad(w: Array, l2: float) -> Array:
    """d(l2 * sum w**2)/dw = ``2 * l2 * w``.  Returns an array of w's shape and dtype."""
    return 2 * l2 * np.asarray(w)
