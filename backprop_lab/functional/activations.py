"""Activations, each a forward rule next to its backward rule (element-wise unless stated).

    a, cache = <name>_forward(z)
    dz       = <name>_backward(da, cache)

``ACTIVATIONS`` maps each name to its pair; the layers look their activation up there.
"""
from __future__ import annotations

import numpy as np

from ._types import Array


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
