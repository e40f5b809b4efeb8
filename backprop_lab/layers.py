"""Layers with Keras's names: ``Dense``, ``Activation``, ``Input``.

A layer holds its parameters and composes the functions of ``backprop_lab.functional``:

    a = layer.forward(x)        # keeps what the backward pass needs
    dx = layer.backward(da)     # sets layer.grads, one array per weight; returns dL/dx

Weights use Keras's layout: a Dense kernel has shape (inputs, units) = (D, M), its bias
shape (M,), and ``get_weights()`` returns ``[kernel, bias]``.
"""
from __future__ import annotations

import numbers
from typing import TYPE_CHECKING, Callable, Sequence

import numpy as np

from . import activations, config, initializers
from . import functional as F
from ._engine import checks as _checks

if TYPE_CHECKING:  # names for the type hints only
    from numpy.typing import ArrayLike

    from .initializers import Initializer

_name_counts = {}
_names_taken = set()  # every layer name seen: given, read from a file, or made here


def _unique_name(base):
    """Keras-style automatic names: 'dense', 'dense_1', 'dense_2', ..., skipping names
    already given to a layer (e.g. by a model loaded from a file)."""
    count = _name_counts.get(base, 0)
    name = base if count == 0 else f"{base}_{count}"
    while name in _names_taken:
        count += 1
        name = f"{base}_{count}"
    _name_counts[base] = count + 1
    _names_taken.add(name)
    return name


def _snake_case(name):
    out = "".join("_" + c.lower() if c.isupper() else c for c in name)
    return out.lstrip("_")


def _input_features(input_dim, input_shape, where):
    """The number of input features from ``input_dim`` or ``input_shape`` (or None)."""
    if input_shape is not None:
        if isinstance(input_shape, numbers.Integral):
            input_shape = (input_shape,)
        shape = tuple(input_shape)
        if len(shape) != 1:
            raise ValueError(
                f"{where}(input_shape={input_shape!r}): this library takes one feature "
                "axis per sample, so input_shape must be a 1-tuple such as (20,)."
            )
        features = _checks.positive_int(shape[0], f"{where}(input_shape=...)[0]")
        if input_dim is not None and int(input_dim) != features:
            raise ValueError(
                f"{where}: input_dim={input_dim} and input_shape={input_shape!r} disagree; "
                "pass only one of them."
            )
        return features
    if input_dim is not None:
        return _checks.positive_int(input_dim, f"{where}(input_dim=...)")
    return None


def _require_forward(layer):
    if layer._cache is None:
        raise RuntimeError(
            f"{layer.name}.backward(): call {layer.name}.forward(x) first; the backward pass "
            "needs what the forward pass keeps (its inputs and outputs)."
        )


class Layer:
    """Base class.  Subclasses set ``self.weights_names`` and implement ``build``,
    ``forward`` and ``backward``.

    Attributes: ``name``, ``built``, ``dtype`` (numpy dtype name, set when built),
    ``input_features`` (D, or None until known), ``grads`` (arrays matching ``weights``
    after a backward pass).
    """

    weights_names = ()

    def __init__(self, name: str | None = None, dtype: str | None = None,
                 input_features: int | None = None):
        self.name = name or _unique_name(_snake_case(type(self).__name__))
        _names_taken.add(self.name)
        self.dtype = None if dtype is None else np.dtype(dtype).name
        self.input_features = input_features
        self.built = False
        self.grads = []

    # ---- weights ---------------------------------------------------------------------
    @property
    def weights(self):
        """The layer's parameter arrays (the live arrays, not copies)."""
        return [getattr(self, n) for n in self.weights_names if getattr(self, n) is not None]

    trainable_weights = weights

    @property
    def trainable(self):
        """Always True: ``fit`` updates every layer's weights."""
        return True

    @trainable.setter
    def trainable(self, value):
        if not value:
            raise ValueError(
                f"{self.name}.trainable = {value!r}: backprop_lab trains every layer, so it "
                "cannot freeze one (Keras's trainable=False is not supported). To keep "
                "weights fixed, copy them with get_weights() and put them back with "
                "set_weights() after fit."
            )

    def get_weights(self) -> list[np.ndarray]:
        """Copies of the parameters, in Keras's order (e.g. ``[kernel, bias]``)."""
        return [w.copy() for w in self.weights]

    def set_weights(self, weights: Sequence[ArrayLike]) -> None:
        """Copy new values into the parameters (shapes must match ``get_weights()``)."""
        if not self.built:
            raise ValueError(
                f"{self.name}.set_weights(): the layer is not built yet, so it has no weights. "
                "Give the first layer input_dim=... or call build((None, n_features)) first."
            )
        current = self.weights
        weights = list(weights)
        if len(weights) != len(current):
            raise ValueError(
                f"{self.name}.set_weights(weights): expected a list of {len(current)} arrays "
                f"(shapes {[w.shape for w in current]}), got {len(weights)}."
            )
        weights = [_checks.weight_array(new, old.shape,
                                        f"{self.name}.set_weights(weights): weights[{i}]")
                   for i, (old, new) in enumerate(zip(current, weights))]
        for old, new in zip(current, weights):  # all checked: nothing changes on an error
            old[...] = new  # in place: optimizers and callers keep the same arrays
        return None

    def count_params(self) -> int:
        """Total number of scalars in the weights."""
        if not self.built:
            raise ValueError(
                f"{self.name}.count_params(): the layer is not built yet; its input size is "
                "unknown. Pass input_dim=... to the first layer or call build()."
            )
        return int(sum(w.size for w in self.weights))

    # ---- computation -----------------------------------------------------------------
    def build(self, input_shape: tuple) -> None:
        """Create the weights for inputs of shape ``(None, D)`` (or ``(D,)``)."""
        features = _checks.positive_int(tuple(input_shape)[-1], f"{self.name}.build(input_shape)")
        if self.input_features is not None and features != self.input_features:
            raise ValueError(
                f"{self.name}: built for {self.input_features} input features but called "
                f"with {features}."
            )
        self.input_features = features
        if self.dtype is None:
            self.dtype = config.floatx()
        self.built = True

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return tuple(input_shape)

    def forward(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def backward(self, dout: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """Apply the layer to an array (building it first if needed): Keras's ``layer(x)``."""
        x = _checks.numeric_array(x, f"{self.name}(x)", self.dtype or config.floatx())
        if x.ndim != 2:
            raise ValueError(f"{self.name}(x): x must be 2-D (samples, features), got {x.shape}.")
        if not self.built:
            self.build(x.shape)
        elif x.shape[1] != self.input_features:
            raise ValueError(
                f"{self.name}(x): x has {x.shape[1]} features but the layer expects "
                f"{self.input_features}."
            )
        return self.forward(x)

    def get_config(self) -> dict:
        config_ = {"name": self.name, "dtype": self.dtype}
        if self.input_features is not None:
            config_["input_dim"] = self.input_features
        return config_

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name!r}, built={self.built}>"


class Dense(Layer):
    """Fully connected layer: ``a = activation(x @ kernel + bias)``.

    units: M, the number of outputs.  activation: a name (``'relu'``, ``'sigmoid'``,
    ``'tanh'``, ``'softmax'``, ``'linear'``) or None (linear).
    input_dim / input_shape: D, or (D,), for the first layer of a model; when given, the
    weights are created at once (otherwise on first use).
    kernel_initializer, bias_initializer: names or objects from
    ``backprop_lab.initializers``.  use_bias: add a bias or not.

    Shapes: x (N, D) -> a (N, M); kernel (D, M); bias (M,).
    Forward: ``functional.dense_forward`` then the activation's forward.
    Backward: the activation's backward then ``functional.dense_backward``.
    """

    weights_names = ("kernel", "bias")

    def __init__(self, units: int, activation: str | Callable | None = None,
                 use_bias: bool = True, kernel_initializer: str | Initializer = "glorot_uniform",
                 bias_initializer: str | Initializer = "zeros", input_dim: int | None = None,
                 input_shape: int | tuple | None = None, name: str | None = None,
                 dtype: str | None = None):
        super().__init__(name=name, dtype=dtype,
                         input_features=_input_features(input_dim, input_shape, "Dense"))
        self.units = _checks.positive_int(units, "Dense(units=...)")
        self.activation = activations.get(activation, "Dense(activation=...)")
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer,
                                                   "Dense(kernel_initializer=...)")
        self.bias_initializer = initializers.get(bias_initializer, "Dense(bias_initializer=...)")
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

    def forward(self, x: np.ndarray) -> np.ndarray:
        """x: (N, D) -> a: (N, M).  Keeps the caches for ``backward``."""
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

    def get_config(self) -> dict:
        config_ = super().get_config()
        config_.update({
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
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

    def forward(self, x: np.ndarray) -> np.ndarray:
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


class InputLayer:
    """Marks the input size at the start of a ``Sequential``; holds no weights.

    ``Sequential([Input(shape=(20,)), Dense(10)])`` is the Keras 3 way to write
    ``Dense(10, input_dim=20)``.
    """

    def __init__(self, shape: int | tuple, name: str | None = None):
        self.features = _input_features(None, shape, "Input")
        self.shape = (self.features,)
        self.name = name or _unique_name("input_layer")

    def __repr__(self):
        return f"<InputLayer shape={self.shape}>"


def Input(shape: int | tuple, name: str | None = None) -> InputLayer:
    """The input of a model: ``Input(shape=(D,))``."""
    return InputLayer(shape, name=name)


_CLASSES = {"Dense": Dense, "Activation": Activation}


def serialize(layer: Layer) -> dict:
    """``{'class_name': 'Dense', 'config': {...}}``: JSON-ready."""
    return _checks.to_config(layer)


def deserialize(spec: dict) -> Layer:
    """Rebuild an (unbuilt) layer from ``serialize``'s output."""
    return _checks.from_config(spec, _CLASSES.values(), "layer class")
