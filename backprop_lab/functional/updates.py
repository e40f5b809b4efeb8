"""The update rules: how an optimizer turns a gradient into new weights.

Each rule takes the weights ``w``, their gradient ``dw`` and the state arrays it needs
(velocities, moment estimates), and returns NEW arrays: the new weights and the new
state.  Nothing is changed in place (``sgd_update(..., out=w)`` aside).  The forms are
Keras 3's, so that a step here is a step of ``keras.optimizers`` to rounding.
"""
from __future__ import annotations

import numpy as np

from ._types import Array


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


def rmsprop_update(w: Array, dw: Array, velocity: Array, learning_rate: float,
                   rho: float = 0.9, epsilon: float = 1e-7) -> tuple[Array, Array]:
    """One step of RMSprop (no momentum, not centred), in the form Keras 3 uses.

        velocity_new = rho * velocity + (1 - rho) * dw**2
        w_new        = w - learning_rate * dw / sqrt(velocity_new + epsilon)

    Each weight's step is divided by the root of a running mean of its squared
    gradient: weights with large gradients take smaller steps, and the other way round.
    w, dw, velocity: arrays of the same shape (velocity starts at zeros).
    Returns (w_new, velocity_new), new arrays.
    """
    velocity_new = rho * velocity + (1 - rho) * dw * dw
    w_new = w - learning_rate * dw / np.sqrt(velocity_new + epsilon)
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


def amsgrad_update(w: Array, dw: Array, m: Array, v: Array, v_max: Array, step: int,
                   learning_rate: float, beta_1: float = 0.9, beta_2: float = 0.999,
                   epsilon: float = 1e-7) -> tuple[Array, Array, Array, Array]:
    """One step of Adam with AMSGrad (Keras 3's ``Adam(amsgrad=True)``).

    As ``adam_update``, but the step divides by the largest v seen so far, so that a
    weight's step size can only shrink (Reddi et al., 2018):

        m_new, v_new as in adam_update
        v_max_new = maximum(v_max, v_new)
        w_new     = w - alpha * m_new / (sqrt(v_max_new) + epsilon)

    w, dw, m, v, v_max: arrays of the same shape (the state starts at zeros).
    step: the number of this update, counting from 1.
    Returns (w_new, m_new, v_new, v_max_new), new arrays.
    """
    m_new = m + (1 - beta_1) * (dw - m)
    v_new = v + (1 - beta_2) * (dw * dw - v)
    v_max_new = np.maximum(v_max, v_new)
    alpha = learning_rate * np.sqrt(1 - beta_2**step) / (1 - beta_1**step)
    w_new = w - alpha * m_new / (np.sqrt(v_max_new) + epsilon)
    return w_new, m_new, v_new, v_max_new


def weight_decay_update(w: Array, learning_rate: float, weight_decay: float) -> Array:
    """Decoupled weight decay: ``w_new = w - learning_rate * weight_decay * w``.

    Every weight shrinks by the same factor (1 - learning_rate * weight_decay), whatever
    its gradient.  Keras applies this to every trainable weight before the gradient
    step of the optimizer (``AdamW``).  Returns a new array of w's shape.
    """
    return w - learning_rate * weight_decay * w


def adamw_update(w: Array, dw: Array, m: Array, v: Array, step: int, learning_rate: float,
                 weight_decay: float = 0.004, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-7) -> tuple[Array, Array, Array]:
    """One step of AdamW (Loshchilov and Hutter, 2019), in the form Keras 3 uses.

        w_decayed = w - learning_rate * weight_decay * w     (weight_decay_update)
        then one adam_update step from w_decayed with the gradient dw

    The decay does not go through m and v.  Adam with an L2 penalty instead adds
    2 * l2 * w to dw, and that part is then divided by sqrt(v) like the rest: weights
    with large gradients are barely decayed.  AdamW decays all of them alike.
    (Keras decays the weights first; the gradient dw was taken before the decay.)
    w, dw, m, v: arrays of the same shape.  step: counting from 1.
    Returns (w_new, m_new, v_new), new arrays.
    """
    w_decayed = weight_decay_update(w, learning_rate, weight_decay)
    return adam_update(w_decayed, dw, m, v, step, learning_rate, beta_1, beta_2, epsilon)
