"""The ``Layer`` base class, the ``Input`` marker and the helpers every layer shares."""
from __future__ import annotations

import numbers
from typing import TYPE_CHECKING, Sequence

import numpy as np

from .. import config
from .._engine import checks as _checks
from ..i18n import _

if TYPE_CHECKING:  # names for the type hints only
    from numpy.typing import ArrayLike

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
                _("{where}(input_shape={input_shape!r}): this library takes one feature "
                  "axis per sample, so input_shape must be a 1-tuple such as (20,).")
                .format(where=where, input_shape=input_shape)
            )
        features = _checks.positive_int(shape[0], f"{where}(input_shape=...)[0]")
        if input_dim is not None and int(input_dim) != features:
            raise ValueError(
                _("{where}: input_dim={input_dim} and input_shape={input_shape!r} disagree; "
                  "pass only one of them.").format(where=where, input_dim=input_dim,
                                                   input_shape=input_shape)
            )
        return features
    if input_dim is not None:
        return _checks.positive_int(input_dim, f"{where}(input_dim=...)")
    return None


def _require_forward(layer):
    if layer._cache is None:
        raise RuntimeError(
            _("{name}.backward(): call {name}.forward(x) first; the backward pass "
              "needs what the forward pass keeps (its inputs and outputs).").format(
                  name=layer.name)
        )


class Layer:
    """Base class.  Subclasses set ``weights_names`` and implement ``build``, ``forward``
    and ``backward``.

    ``weights_names``: every weight array in Keras's order (``get_weights``, saving);
    ``non_trainable_names``: those the optimizer never changes (BatchNormalization's
    moving statistics).  Attributes: ``name``, ``built``, ``dtype`` (numpy dtype name, set
    when built), ``input_features`` (D, or None until known), ``grads`` (one array per
    trainable weight after a backward pass).

    ``forward(x, training=False)``: ``fit`` passes training=True (dropout drops, batch
    normalization uses the batch's statistics); ``evaluate`` and ``predict`` pass False.
    """

    weights_names = ()
    non_trainable_names = ()

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
        """Every parameter array (the live arrays, not copies), in Keras's order."""
        return [getattr(self, n) for n in self.weights_names if getattr(self, n) is not None]

    @property
    def trainable_weights(self):
        """The arrays the optimizer updates (``grads`` holds one gradient for each)."""
        return [getattr(self, n) for n in self.weights_names
                if n not in self.non_trainable_names and getattr(self, n) is not None]

    @property
    def non_trainable_weights(self):
        """The arrays kept by the layer but not trained (moving statistics)."""
        return [getattr(self, n) for n in self.weights_names
                if n in self.non_trainable_names and getattr(self, n) is not None]

    @property
    def trainable(self):
        """Always True: ``fit`` updates every layer's weights."""
        return True

    @trainable.setter
    def trainable(self, value):
        if not value:
            raise ValueError(
                _("{name}.trainable = {value!r}: backprop_lab trains every layer, so it "
                  "cannot freeze one (Keras's trainable=False is not supported). To keep "
                  "weights fixed, copy them with get_weights() and put them back with "
                  "set_weights() after fit.").format(name=self.name, value=value)
            )

    def get_weights(self) -> list[np.ndarray]:
        """Copies of the parameters, in Keras's order (e.g. ``[kernel, bias]``)."""
        return [w.copy() for w in self.weights]

    def set_weights(self, weights: Sequence[ArrayLike]) -> None:
        """Copy new values into the parameters (shapes must match ``get_weights()``)."""
        if not self.built:
            raise ValueError(
                _("{name}.set_weights(): the layer is not built yet, so it has no weights. "
                  "Give the first layer input_dim=... or call build((None, n_features)) "
                  "first.").format(name=self.name)
            )
        current = self.weights
        weights = list(weights)
        if len(weights) != len(current):
            raise ValueError(
                _("{name}.set_weights(weights): expected a list of {n} arrays "
                  "(shapes {shapes}), got {given}.").format(
                      name=self.name, n=len(current), shapes=[w.shape for w in current],
                      given=len(weights))
            )
        weights = [_checks.weight_array(new, old.shape,
                                        _("{name}.set_weights(weights): weights[{i}]")
                                        .format(name=self.name, i=i))
                   for i, (old, new) in enumerate(zip(current, weights))]
        for old, new in zip(current, weights):  # all checked: nothing changes on an error
            old[...] = new  # in place: optimizers and callers keep the same arrays
        return None

    def count_params(self) -> int:
        """Total number of scalars in the weights (trainable or not, as Keras counts)."""
        if not self.built:
            raise ValueError(
                _("{name}.count_params(): the layer is not built yet; its input size is "
                  "unknown. Pass input_dim=... to the first layer or call build().")
                .format(name=self.name)
            )
        return int(sum(w.size for w in self.weights))

    # ---- penalties (regularizers) and state -------------------------------------------
    @property
    def losses(self) -> list[float]:
        """The penalties the layer adds to the loss (Keras's ``layer.losses``): one float
        per regularized weight; [] without regularizers."""
        return []

    def penalty_gradients(self) -> list:
        """The gradient of ``sum(losses)`` for each trainable weight, in the order of
        ``trainable_weights``: an array, or None for a weight without a penalty."""
        return [None] * len(self.trainable_weights)

    def get_state(self) -> dict:
        """What a training-mode forward pass changes apart from the outputs (the moving
        statistics of BatchNormalization, the random generator of Dropout), as copies;
        {} for most layers.  ``set_state`` puts it back: the gradient checker does, so
        that every evaluation of the loss sees the same dropout mask."""
        return {}

    def set_state(self, state: dict) -> None:
        """Restore what ``get_state`` returned."""
        return None

    # ---- computation -----------------------------------------------------------------
    def build(self, input_shape: tuple) -> None:
        """Create the weights for inputs of shape ``(None, D)`` (or ``(D,)``)."""
        features = _checks.positive_int(tuple(input_shape)[-1], f"{self.name}.build(input_shape)")
        if self.input_features is not None and features != self.input_features:
            raise ValueError(
                _("{name}: built for {built} input features but called with {features}.")
                .format(name=self.name, built=self.input_features, features=features)
            )
        self.input_features = features
        if self.dtype is None:
            self.dtype = config.floatx()
        self.built = True

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return tuple(input_shape)

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        raise NotImplementedError

    def backward(self, dout: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def __call__(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """Apply the layer to an array (building it first if needed): Keras's
        ``layer(x, training=False)``."""
        x = _checks.numeric_array(x, f"{self.name}(x)", self.dtype or config.floatx())
        if x.ndim != 2:
            raise ValueError(_("{name}(x): x must be 2-D (samples, features), got {shape}.")
                             .format(name=self.name, shape=x.shape))
        if not self.built:
            self.build(x.shape)
        elif x.shape[1] != self.input_features:
            raise ValueError(
                _("{name}(x): x has {features} features but the layer expects {expected}.")
                .format(name=self.name, features=x.shape[1], expected=self.input_features)
            )
        return self.forward(x, training=bool(training))

    def get_config(self) -> dict:
        config_ = {"name": self.name, "dtype": self.dtype}
        if self.input_features is not None:
            config_["input_dim"] = self.input_features
        return config_

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name!r}, built={self.built}>"


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
