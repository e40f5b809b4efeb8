"""``Dense`` and ``Activation``: the layers of every network in the course."""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable

import numpy as np

from .. import activations, initializers, regularizers
from .. import functional as F
from .._engine import checks as _checks
from .base import Layer, _input_features, _require_forward

if TYPE_CHECKING:  # names for the type hints only
    from ..initializers import Initializer
    from ..regularizers import Regularizer


class Dense(Layer):
    """Fully connected layer: ``a = activation(x @ kernel + bias)``.

    units: M, the number of outputs.  activation: a name (``'relu'``, ``'sigmoid'``,
    ``'tanh'``, ``'softmax'``, ``'linear'``) or None (linear).
    input_dim / input_shape: D, or (D,), for the first layer of a model; when given, the
    weights are created at once (otherwise on first use).
    kernel_initializer, bias_initializer: names or objects from
    ``backprop_lab.initializers``.  use_bias: add a bias or not.
    kernel_regularizer, bias_regularizer: None, or a penalty from
    ``backprop_lab.regularizers`` (``l2(1e-4)``, ``l1(...)``, ``l1_l2(...)``, or the names
    'l1', 'l2', 'l1_l2'), added to the loss ``fit`` minimises and reports.

    Shapes: x (N, D) -> a (N, M); kernel (D, M); bias (M,).
    Forward: ``functional.dense_forward`` then the activation's forward.
    Backward: the activation's backward then ``functional.dense_backward``.
    """

    weights_names = ("kernel", "bias")

    def __init__(self, units: int, activation: str | Callable | None = None,
                 use_bias: bool = True, kernel_initializer: str | Initializer = "glorot_uniform",
                 bias_initializer: str | Initializer = "zeros",
                 kernel_regularizer: str | Regularizer | None = None,
                 bias_regularizer: str | Regularizer | None = None,
                 input_dim: int | None = None, input_shape: int | tuple | None = None,
                 name: str | None = None, dtype: str | None = None):
        super().__init__(name=name, dtype=dtype,
                         input_features=_input_features(input_dim, input_shape, "Dense"))
        self.units = _checks.positive_int(units, "Dense(units=...)")
        self.activation = activations.get(activation, "Dense(activation=...)")
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer,
                                                   "Dense(kernel_initializer=...)")
        self.bias_initializer = initializers.get(bias_initializer, "Dense(bias_initializer=...)")
        self.kernel_regularizer = regularizers.get(kernel_regularizer,
                                                   "Dense(kernel_regularizer=...)")
        self.bias_regularizer = regularizers.get(bias_regularizer, "Dense(bias_regularizer=...)")
        self.kernel = None
        self.bias = None
        self._cache = None
        if self.input_features is not None:  # the input size is known: create the weights now
            self.build((None, self.input_features))

    def build(self, input_shape: tuple) -> None:
        """Create ``kernel`` (D, M) and ``bias`` (M,) with the initializers."""
        super().build(input_shape)
        self.kernel = self.kernel_initializer((self.input_features, self.units), self.dtype)
        if self.use_bias:
            self.bias = self.bias_initializer((self.units,), self.dtype)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return tuple(input_shape)[:-1] + (self.units,)

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """x: (N, D) -> a: (N, M).  Keeps the caches for ``backward``.  (Dense computes
        the same in training and in inference.)"""
        b = self.bias if self.use_bias else 0.0
        z, dense_cache = F.dense_forward(x, self.kernel, b)
        a, act_cache = F.ACTIVATIONS[self.activation][0](z)
        self._cache = (dense_cache, act_cache)
        return a

    def backward(self, da: np.ndarray) -> np.ndarray:
        """da: (N, M) = dL/da -> returns dL/dx (N, D); sets ``grads = [dL/dkernel, dL/dbias]``."""
        _require_forward(self)
        dz = F.ACTIVATIONS[self.activation][1](da, self._cache[1])
        return self.backward_from_preactivation(dz)

    def backward_from_preactivation(self, dz: np.ndarray) -> np.ndarray:
        """Backward pass from dL/dz (z = x @ kernel + bias, before the activation).

        Used when the loss and the output activation are differentiated together.
        """
        _require_forward(self)
        dx, dkernel, dbias = F.dense_backward(dz, self._cache[0])
        self.grads = [dkernel, dbias] if self.use_bias else [dkernel]
        return dx

    def _regularized(self):
        """(regularizer or None, weight) for the kernel and, with a bias, the bias."""
        pairs = [(self.kernel_regularizer, self.kernel)]
        if self.use_bias:
            pairs.append((self.bias_regularizer, self.bias))
        return pairs

    @property
    def losses(self) -> list[float]:
        """The penalties of the kernel and bias regularizers on the current weights."""
        if not self.built:
            return []
        return [reg(w) for reg, w in self._regularized() if reg is not None]

    def penalty_gradients(self) -> list:
        """[d penalty/d kernel, d penalty/d bias], None where there is no regularizer."""
        return [None if reg is None else reg.gradient(w) for reg, w in self._regularized()]

    def get_config(self) -> dict:
        config_ = super().get_config()
        config_.update({
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
        })
        return config_

    def __repr__(self):
        return (f"<Dense name={self.name!r}, units={self.units}, "
                f"activation={self.activation!r}, built={self.built}>")


class Activation(Layer):
    """An activation on its own, with no weights: ``Activation('relu')``.

    Shapes: x (N, M) -> a (N, M).  Uses the pair in ``functional.ACTIVATIONS``.
    """

    def __init__(self, activation: str | Callable | None, name: str | None = None,
                 dtype: str | None = None, input_dim: int | None = None,
                 input_shape: int | tuple | None = None):
        super().__init__(name=name, dtype=dtype,
                         input_features=_input_features(input_dim, input_shape, "Activation"))
        self.activation = activations.get(activation, "Activation(activation=...)")
        self._cache = None

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """x: (N, M) -> a = activation(x): (N, M).  Keeps the cache for ``backward``."""
        a, self._cache = F.ACTIVATIONS[self.activation][0](x)
        return a

    def backward(self, da: np.ndarray) -> np.ndarray:
        """da: (N, M) = dL/da -> dL/dx (N, M), by the activation's backward rule."""
        _require_forward(self)
        return F.ACTIVATIONS[self.activation][1](da, self._cache)

    def backward_from_preactivation(self, dz: np.ndarray) -> np.ndarray:
        """The gradient before the activation is already dL/dx: nothing to do."""
        return dz

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return tuple(input_shape)

    def get_config(self) -> dict:
        config_ = super().get_config()
        config_["activation"] = self.activation
        return config_
