"""The functional core: every forward rule next to its backward rule.

Each layer operation is a pair of plain functions, in the style of CS231n's ``layers.py``:

    out, cache = <op>_forward(inputs...)
    grads      = <op>_backward(dout, cache)

``cache`` holds what the backward pass needs from the forward pass.  ``dout`` is the
upstream gradient dL/d(out), with the same shape as ``out``.  Every backward function
applies one step of the chain rule: it multiplies ``dout`` by the operation's local
derivative.

Each loss is a pair too:

    value = <loss>(y_true, y_pred)        # a Python float
    grad  = <loss>_grad(y_true, y_pred)   # dL/d(y_pred), same shape as y_pred

Shapes: N is the batch size, D the number of input features, M the number of units in a
layer, K the number of classes.  Losses averaged "over the batch" divide by N (as Keras
does); the seed article's squared error ``1/2 * sum`` does not.

These are the functions the notebooks ask learners to write; the ``Sequential`` model
composes exactly these.  Nothing here keeps state.
"""
from __future__ import annotations

from typing import Tuple

import numpy as np

#: The arrays of the functional core: numpy arrays (a Python number is accepted where
#: an array of shape () would do).
Array = np.ndarray
#: What ``dense_forward`` keeps for ``dense_backward``: the input x and the kernel W.
DenseCache = Tuple[np.ndarray, np.ndarray]

# Keras clips probabilities to [EPSILON, 1 - EPSILON] before taking logs.
EPSILON = 1e-7


# --------------------------------------------------------------------------------------
# Dense (fully connected) layer
# --------------------------------------------------------------------------------------
def dense_forward(x: Array, W: Array, b: Array | float) -> tuple[Array, DenseCache]:
    """Affine map ``z = x @ W + b``.

    x: (N, D) inputs, one row per example.
    W: (D, M) kernel; column j holds the weights into unit j (Keras layout).
    b: (M,) bias.
    Returns z: (N, M), and cache = (x, W).
    """
    z = x @ W + b
    return z, (x, W)


def dense_backward(dz: Array, cache: DenseCache) -> tuple[Array, Array, Array]:
    """Backward pass of ``z = x @ W + b``.

    dz: (N, M) upstream gradient dL/dz.
    cache: (x, W) from ``dense_forward``.
    Returns (dx, dW, db):
        dx = dz @ W.T    (N, D)   each input feeds every unit, so its gradients add up
        dW = x.T @ dz    (D, M)   dL/dW_ij = sum_n x_ni * dz_nj
        db = sum_n dz    (M,)     the bias is added to every example in the batch
    """
    x, W = cache
    dx = dz @ W.T
    dW = x.T @ dz
    db = dz.sum(axis=0)
    return dx, dW, db


# --------------------------------------------------------------------------------------
# Activations (element-wise unless stated)
# --------------------------------------------------------------------------------------
def linear_forward(z: Array) -> tuple[Array, None]:
    """Identity activation ``a = z``.  z: any shape.  Returns a, cache=None."""
    return z, None


def linear_backward(da: Array, cache: None) -> Array:
    """Backward of the identity: ``dz = da``."""
    return da


def relu_forward(z: Array) -> tuple[Array, Array]:
    """Rectified linear unit ``a = max(z, 0)``.

    z: any shape.  Returns a (same shape) and cache = z.
    """
    return np.maximum(z, 0), z


def relu_backward(da: Array, cache: Array) -> Array:
    """Backward of ReLU: ``dz = da * [z > 0]``.

    The gradient flows only where the unit was active.  At exactly z = 0 the derivative
    is undefined; like Keras, PyTorch and TensorFlow we use 0 there.
    da: upstream gradient, same shape as z.
    """
    z = cache
    return da * (z > 0)


def sigmoid_forward(z: Array) -> tuple[Array, Array]:
    """Logistic sigmoid ``a = 1 / (1 + exp(-z))``, computed without overflow.

    For z >= 0 we use 1 / (1 + e^-z); for z < 0 the equal form e^z / (1 + e^z).  Both
    only ever exponentiate a non-positive number, so nothing overflows for any z.
    z: any shape.  Returns a (same shape, values in [0, 1]) and cache = a.
    """
    e = np.exp(-np.abs(z))  # in (0, 1], never overflows
    a = np.where(z >= 0, 1.0, e) / (1.0 + e)
    # float32 in, float32 out; float64, integers and Python numbers give float64
    a = a.astype(np.result_type(np.asarray(z).dtype, np.float32), copy=False)
    return a, a


def sigmoid_backward(da: Array, cache: Array) -> Array:
    """Backward of the sigmoid: ``dz = da * a * (1 - a)``, where a = sigmoid(z)."""
    a = cache
    return da * a * (1 - a)


def tanh_forward(z: Array) -> tuple[Array, Array]:
    """Hyperbolic tangent ``a = tanh(z)``.  z: any shape.  Returns a and cache = a."""
    a = np.tanh(z)
    return a, a


def tanh_backward(da: Array, cache: Array) -> Array:
    """Backward of tanh: ``dz = da * (1 - a**2)``, where a = tanh(z)."""
    a = cache
    return da * (1 - a * a)


def softmax_forward(z: Array) -> tuple[Array, Array]:
    """Softmax over the last axis: ``a_k = exp(z_k) / sum_j exp(z_j)``.

    Subtracting the row maximum first leaves the result unchanged (it cancels in the
    ratio) and keeps every exponent <= 0, so nothing overflows.
    z: (N, K) scores ("logits").  Returns a: (N, K), rows sum to 1, and cache = a.
    """
    with np.errstate(over="ignore"):  # z - max may be -inf in float32; exp(-inf) = 0
        shifted = z - z.max(axis=-1, keepdims=True)
    e = np.exp(shifted)
    a = e / e.sum(axis=-1, keepdims=True)
    return a, a


def softmax_backward(da: Array, cache: Array) -> Array:
    """Backward of softmax: ``dz = a * (da - sum_k(da_k * a_k))`` row by row.

    This is the Jacobian-vector product with J = diag(a) - a a^T, without forming J.
    da: (N, K).  Returns dz: (N, K).
    """
    a = cache
    return a * (da - (da * a).sum(axis=-1, keepdims=True))


ACTIVATIONS = {
    "linear": (linear_forward, linear_backward),
    "relu": (relu_forward, relu_backward),
    "sigmoid": (sigmoid_forward, sigmoid_backward),
    "tanh": (tanh_forward, tanh_backward),
    "softmax": (softmax_forward, softmax_backward),
}


def log_softmax(z: Array) -> Array:
    """``log(softmax(z))`` over the last axis, stable for any finite z.

    log a_k = (z_k - max) - log(sum_j exp(z_j - max)).
    z: (N, K).  Returns (N, K), every entry <= 0 (may be -inf only for float32 extremes).
    """
    with np.errstate(over="ignore"):
        shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


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
    s, _ = sigmoid_forward(z)
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
    logp = log_softmax(np.asarray(z, dtype=np.float64))
    return float(-np.sum(np.where(y_true > 0, y_true * logp, 0.0)) / z.shape[0])


def categorical_crossentropy_from_logits_grad(y_true: Array, z: Array) -> Array:
    """dL/dz of categorical cross-entropy from logits: ``(softmax(z) - y) / N``.

    (Assumes each row of y_true sums to 1, as a one-hot row does.)
    """
    a, _ = softmax_forward(z)
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
    logp = log_softmax(np.asarray(z, dtype=np.float64))
    return float(-np.mean(logp[np.arange(z.shape[0]), labels]))


def sparse_categorical_crossentropy_from_logits_grad(labels: Array, z: Array) -> Array:
    """dL/dz of sparse categorical cross-entropy from logits: ``(softmax(z) - onehot) / N``."""
    labels = _check_labels(labels, z.shape[1])
    a, _ = softmax_forward(z)
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
# The update rule
# --------------------------------------------------------------------------------------
def sgd_update(w: Array, dw: Array, learning_rate: float, *,
               out: Array | None = None) -> Array:
    """One step of gradient descent: ``w_new = w - learning_rate * dw``.

    w, dw: arrays of the same shape.  learning_rate: a positive float (eta).
    Returns w_new, a new array; with ``out=`` (an array of w's shape, ``w`` itself for an
    update in place) the result is written there and ``out`` is returned.
    """
    if out is None:
        return w - learning_rate * dw
    return np.subtract(w, learning_rate * dw, out=out)


def sgd_momentum_update(w: Array, dw: Array, velocity: Array, learning_rate: float,
                        momentum: float, nesterov: bool = False) -> tuple[Array, Array]:
    """One step of gradient descent with momentum, in the form Keras 3 uses.

        velocity_new = momentum * velocity - learning_rate * dw
        w_new        = w + velocity_new                                  (classical)
        w_new        = w + momentum * velocity_new - learning_rate * dw  (Nesterov)

    The velocity is a running sum of past steps: a gradient that keeps pointing the same
    way builds up speed, one that flips sign averages out.
    w, dw, velocity: arrays of the same shape (velocity starts at zeros).
    momentum: a float in [0, 1).  Returns (w_new, velocity_new), new arrays.
    """
    velocity_new = momentum * velocity - learning_rate * dw
    if nesterov:
        w_new = w + momentum * velocity_new - learning_rate * dw
    else:
        w_new = w + velocity_new
    return w_new, velocity_new


def adam_update(w: Array, dw: Array, m: Array, v: Array, step: int, learning_rate: float,
                beta_1: float = 0.9, beta_2: float = 0.999,
                epsilon: float = 1e-7) -> tuple[Array, Array, Array]:
    """One step of Adam, in the form Keras 3 uses.

        m_new = m + (1 - beta_1) * (dw - m)          running mean of the gradient
        v_new = v + (1 - beta_2) * (dw**2 - v)       running mean of its square
        alpha = learning_rate * sqrt(1 - beta_2**step) / (1 - beta_1**step)
        w_new = w - alpha * m_new / (sqrt(v_new) + epsilon)

    ``alpha`` folds in the bias correction of m and v (both start at zero).
    w, dw, m, v: arrays of the same shape (m and v start at zeros).
    step: the number of this update, counting from 1.
    Returns (w_new, m_new, v_new), new arrays.
    """
    m_new = m + (1 - beta_1) * (dw - m)
    v_new = v + (1 - beta_2) * (dw * dw - v)
    alpha = learning_rate * np.sqrt(1 - beta_2**step) / (1 - beta_1**step)
    w_new = w - alpha * m_new / (np.sqrt(v_new) + epsilon)
    return w_new, m_new, v_new


def rmsprop_update(w: Array, dw: Array, velocity: Array, learning_rate: float,
                   rho: float = 0.9, epsilon: float = 1e-7) -> tuple[Array, Array]:
    """One step of RMSprop (no momentum, not centred), in the form Keras 3 uses.

        velocity_new = rho * velocity + (1 - rho) * dw**2
        w_new        = w - learning_rate * dw / sqrt(velocity_new + epsilon)

    w, dw, velocity: arrays of the same shape (velocity starts at zeros).
    Returns (w_new, velocity_new), new arrays.
    """
    velocity_new = rho * velocity + (1 - rho) * dw * dw
    w_new = w - learning_rate * dw / np.sqrt(velocity_new + epsilon)
    return w_new, velocity_new


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
