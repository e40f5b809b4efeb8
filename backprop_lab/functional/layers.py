"""Layer operations, CS231n style: each forward rule next to its backward rule.

    out, cache = <op>_forward(inputs...)
    grads      = <op>_backward(dout, cache)

``cache`` holds what the backward pass needs from the forward pass; ``dout`` is the
upstream gradient dL/d(out), with the shape of ``out``.  N is the batch size, D the number
of input features, M the number of units of a layer.
"""
from __future__ import annotations

import numpy as np

from ._types import Array, DenseCache


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
# Dropout (inverted)
# --------------------------------------------------------------------------------------
def dropout_forward(x: Array, rate: float, mask: Array | None = None, training: bool = True,
                    *, rng: np.random.Generator | None = None
                    ) -> tuple[Array, tuple[Array | None, float]]:
    """Inverted dropout: in training, drop each value with probability ``rate`` and scale
    the kept ones by 1 / (1 - rate), so that the expected output is x itself.

        training:   out = x * mask / (1 - rate)
        inference:  out = x          (nothing dropped, and nothing to rescale)

    x: (N, M) inputs.  rate: the fraction dropped, in [0, 1).
    mask: (N, M) booleans, True where a value is kept; or None to draw one from ``rng``
        (a ``numpy.random.Generator``): ``mask = rng.random(x.shape) >= rate``, which keeps
        each value with probability 1 - rate.  Not used in inference.
    training: True in ``fit``, False in ``evaluate`` and ``predict``.
    Returns (out, cache): out (N, M), cache = (mask, rate); the mask is None in inference.
    """
    if not training:
        return x, (None, rate)
    if mask is None:
        mask = rng.random(np.shape(x)) >= rate
    out = x * mask / (1 - rate)
    return out, (mask, rate)


def dropout_backward(dout: Array, cache: tuple[Array | None, float]) -> Array:
    """Backward pass of inverted dropout: ``dx = dout * mask / (1 - rate)``.

    A dropped value had no effect on the loss (gradient 0); a kept one was multiplied by
    1 / (1 - rate), and so is its gradient.  In inference (mask None) dropout is the
    identity: ``dx = dout``.
    dout: (N, M).  cache: (mask, rate) from ``dropout_forward``.  Returns dx: (N, M).
    """
    mask, rate = cache
    if mask is None:
        return dout
    return dout * mask / (1 - rate)


# --------------------------------------------------------------------------------------
# Batch normalization
# --------------------------------------------------------------------------------------
def batchnorm_forward(x: Array, gamma: Array, beta: Array, moving_mean: Array,
                      moving_variance: Array, training: bool = True, momentum: float = 0.99,
                      epsilon: float = 1e-3) -> tuple[Array, tuple, Array, Array]:
    """Batch normalization of each feature (column) of x, in Keras 3's form.

    Training (``fit``): normalise with the statistics of the batch itself,

        mean  = x.mean(axis=0)                          (D,)
        var   = x.var(axis=0)                           (D,)  divided by N, not N - 1
        x_hat = (x - mean) / sqrt(var + epsilon)        (N, D)
        out   = gamma * x_hat + beta                    (N, D)

    and update the moving statistics (``momentum`` is the weight of the OLD value):

        moving_mean_new     = momentum * moving_mean     + (1 - momentum) * mean
        moving_variance_new = momentum * moving_variance + (1 - momentum) * var

    Inference (``evaluate``, ``predict``): the same with moving_mean and moving_variance
    in place of mean and var; the moving statistics are returned unchanged.

    x: (N, D).  gamma, beta, moving_mean, moving_variance: (D,).
    Returns (out, cache, moving_mean_new, moving_variance_new), with
    cache = (x_hat, inv_std, gamma, training) and inv_std = 1 / sqrt(var + epsilon): (D,).
    """
    if training:
        mean = x.mean(axis=0)
        var = x.var(axis=0)
        moving_mean = momentum * moving_mean + (1 - momentum) * mean
        moving_variance = momentum * moving_variance + (1 - momentum) * var
    else:
        mean, var = moving_mean, moving_variance
    inv_std = 1.0 / np.sqrt(var + epsilon)
    x_hat = (x - mean) * inv_std
    out = gamma * x_hat + beta
    return out, (x_hat, inv_std, gamma, training), moving_mean, moving_variance


def batchnorm_backward(dout: Array, cache: tuple) -> tuple[Array, Array, Array]:
    """Backward pass of ``batchnorm_forward``: returns (dx, dgamma, dbeta).

        dbeta  = sum_n dout                     (D,)   beta is added to every row
        dgamma = sum_n dout * x_hat             (D,)
        dx_hat = dout * gamma                   (N, D)

    In inference, mean and var are constants: ``dx = dx_hat * inv_std``.  In training they
    depend on every row of x, and each row's gradient collects the paths through them:

        dx = inv_std / N * (N dx_hat - sum_n dx_hat - x_hat * sum_n (dx_hat * x_hat))

    (every sum over the batch axis, per feature).
    dout: (N, D).  cache: (x_hat, inv_std, gamma, training) from ``batchnorm_forward``.
    """
    x_hat, inv_std, gamma, training = cache
    dbeta = dout.sum(axis=0)
    dgamma = (dout * x_hat).sum(axis=0)
    dx_hat = dout * gamma
    if not training:
        return dx_hat * inv_std, dgamma, dbeta
    n = dout.shape[0]
    dx = inv_std / n * (n * dx_hat - dx_hat.sum(axis=0)
                        - x_hat * (dx_hat * x_hat).sum(axis=0))
    return dx, dgamma, dbeta
