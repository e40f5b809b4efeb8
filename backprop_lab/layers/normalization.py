"""``BatchNormalization``: batch statistics in ``fit``, moving statistics otherwise."""
from __future__ import annotations

import numbers
from typing import TYPE_CHECKING

import numpy as np

from .. import functional as F
from .. import initializers
from .._engine import checks as _checks
from ..i18n import _
from .base import Layer, _input_features, _require_forward

if TYPE_CHECKING:  # names for the type hints only
    from ..initializers import Initializer


def _axis(axis):
    if isinstance(axis, bool) or not isinstance(axis, numbers.Integral) or axis not in (-1, 1):
        raise ValueError(
            _("BatchNormalization(axis={axis!r}): the inputs here are 2-D (samples, features), "
              "and batch normalization normalises each feature over the samples: use axis=-1 "
              "(the default, the same as axis=1).").format(axis=axis))
    return int(axis)


class BatchNormalization(Layer):
    """Normalises each feature over the batch, then scales and shifts it (Keras 3).

    In ``fit`` (training): ``out = gamma * (x - mean) / sqrt(var + epsilon) + beta`` with
    the mean and the variance (divided by N) of the batch itself, and the moving
    statistics are updated:  moving = momentum * moving + (1 - momentum) * batch value.
    In ``evaluate`` and ``predict``: the same with the moving statistics.

    axis: -1 (the features).  momentum: the weight of the OLD moving value, in [0, 1]
    (Keras's 0.99 forgets slowly: about 100 batches).  epsilon: added to the variance.
    center: learn beta (else no shift).  scale: learn gamma (else no scaling).
    Weights, in Keras's order: gamma (D,), beta (D,), moving_mean (D,), moving_variance
    (D,); the last two are not trained by the optimizer (non-trainable) but are saved.
    Forward and backward: ``functional.batchnorm_forward`` / ``batchnorm_backward``.
    """

    weights_names = ("gamma", "beta", "moving_mean", "moving_variance")
    non_trainable_names = ("moving_mean", "moving_variance")

    def __init__(self, axis: int = -1, momentum: float = 0.99, epsilon: float = 1e-3,
                 center: bool = True, scale: bool = True,
                 beta_initializer: str | Initializer = "zeros",
                 gamma_initializer: str | Initializer = "ones",
                 moving_mean_initializer: str | Initializer = "zeros",
                 moving_variance_initializer: str | Initializer = "ones",
                 name: str | None = None, dtype: str | None = None,
                 input_dim: int | None = None, input_shape: int | tuple | None = None):
        super().__init__(name=name, dtype=dtype, input_features=_input_features(
            input_dim, input_shape, "BatchNormalization"))
        self.axis = _axis(axis)
        self.momentum = _checks.fraction(momentum, "BatchNormalization(momentum=...)",
                                         high_open=False)
        self.epsilon = _checks.positive_float(epsilon, "BatchNormalization(epsilon=...)",
                                              "1e-3")
        self.center = bool(center)
        self.scale = bool(scale)
        where = "BatchNormalization({}=...)"
        self.beta_initializer = initializers.get(beta_initializer,
                                                 where.format("beta_initializer"))
        self.gamma_initializer = initializers.get(gamma_initializer,
                                                  where.format("gamma_initializer"))
        self.moving_mean_initializer = initializers.get(
            moving_mean_initializer, where.format("moving_mean_initializer"))
        self.moving_variance_initializer = initializers.get(
            moving_variance_initializer, where.format("moving_variance_initializer"))
        self.gamma = self.beta = self.moving_mean = self.moving_variance = None
        self._cache = None
        if self.input_features is not None:
            self.build((None, self.input_features))

    def build(self, input_shape: tuple) -> None:
        """Create gamma, beta and the moving statistics, each of shape (D,)."""
        super().build(input_shape)
        shape = (self.input_features,)
        if self.scale:
            self.gamma = self.gamma_initializer(shape, self.dtype)
        if self.center:
            self.beta = self.beta_initializer(shape, self.dtype)
        self.moving_mean = self.moving_mean_initializer(shape, self.dtype)
        self.moving_variance = self.moving_variance_initializer(shape, self.dtype)

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """x: (N, D) -> (N, D).  In training, also updates the moving statistics."""
        gamma = self.gamma if self.scale else np.ones_like(self.moving_mean)
        beta = self.beta if self.center else np.zeros_like(self.moving_mean)
        out, self._cache, moving_mean, moving_variance = F.batchnorm_forward(
            x, gamma, beta, self.moving_mean, self.moving_variance, training,
            self.momentum, self.epsilon)
        if training:  # in place: the model, the optimizer and saving keep the same arrays
            self.moving_mean[...] = moving_mean
            self.moving_variance[...] = moving_variance
        return out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        """dout: (N, D) -> dL/dx (N, D); sets ``grads`` = [dL/dgamma, dL/dbeta] (those
        that exist)."""
        _require_forward(self)
        dx, dgamma, dbeta = F.batchnorm_backward(dout, self._cache)
        self.grads = ([dgamma] if self.scale else []) + ([dbeta] if self.center else [])
        return dx

    def get_state(self) -> dict:
        """Copies of the moving statistics (a training-mode forward pass changes them)."""
        return {"moving_mean": self.moving_mean.copy(),
                "moving_variance": self.moving_variance.copy()}

    def set_state(self, state: dict) -> None:
        for name in ("moving_mean", "moving_variance"):
            if name in state:
                getattr(self, name)[...] = state[name]

    def get_config(self) -> dict:
        config_ = super().get_config()
        config_.update({
            "axis": self.axis, "momentum": self.momentum, "epsilon": self.epsilon,
            "center": self.center, "scale": self.scale,
            "beta_initializer": initializers.serialize(self.beta_initializer),
            "gamma_initializer": initializers.serialize(self.gamma_initializer),
            "moving_mean_initializer": initializers.serialize(self.moving_mean_initializer),
            "moving_variance_initializer": initializers.serialize(
                self.moving_variance_initializer),
        })
        return config_
