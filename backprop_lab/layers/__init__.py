"""Layers with Keras's names: ``Dense``, ``Activation``, ``Dropout``,
``BatchNormalization``, ``Input``.

A layer holds its parameters and composes the functions of ``backprop_lab.functional``:

    a = layer.forward(x, training=False)   # keeps what the backward pass needs
    dx = layer.backward(da)                # sets layer.grads, one array per trainable
                                           # weight; returns dL/dx

``fit`` calls ``forward(x, training=True)`` (dropout drops, batch normalization uses the
batch's statistics); ``evaluate`` and ``predict`` call it with training=False.

Weights use Keras's layout: a Dense kernel has shape (inputs, units) = (D, M), its bias
shape (M,), and ``get_weights()`` returns ``[kernel, bias]``; a BatchNormalization layer
returns ``[gamma, beta, moving_mean, moving_variance]``.

The modules follow Keras's layout: ``base`` (Layer, Input), ``core`` (Dense, Activation),
``regularization`` (Dropout), ``normalization`` (BatchNormalization).
"""
from .._engine import checks as _checks
from ..i18n import N_
from .base import Input, InputLayer, Layer
from .core import Activation, Dense
from .normalization import BatchNormalization
from .regularization import Dropout

__all__ = ["Activation", "BatchNormalization", "Dense", "Dropout", "Input", "InputLayer",
           "Layer", "deserialize", "serialize"]

_CLASSES = {"Dense": Dense, "Activation": Activation, "Dropout": Dropout,
            "BatchNormalization": BatchNormalization}


def serialize(layer: Layer) -> dict:
    """``{'class_name': 'Dense', 'config': {...}}``: JSON-ready."""
    return _checks.to_config(layer)


def deserialize(spec: dict) -> Layer:
    """Rebuild an (unbuilt) layer from ``serialize``'s output."""
    return _checks.from_config(spec, _CLASSES.values(), N_("layer class"))
