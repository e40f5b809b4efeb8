"""Activation functions by Keras name: ``'linear'``, ``'relu'``, ``'sigmoid'``, ``'tanh'``,
``'softmax'``.

The formulas live in ``backprop_lab.functional`` (``ACTIVATIONS`` maps each name to its
forward/backward pair).  This module resolves names and offers Keras's functional form:
``backprop_lab.activations.relu(z)`` returns ``max(z, 0)``.
"""
import numpy as np

from . import functional as F
from ._engine import checks as _checks
from .i18n import N_, _

#: The names ``Dense(activation=...)`` and ``Activation(...)`` accept.
NAMES = tuple(F.ACTIVATIONS)


def _apply(name, z):
    out, _ = F.ACTIVATIONS[name][0](np.asarray(z))
    return out


def linear(z):
    """Identity ``a = z`` (what ``activation=None`` means)."""
    return _apply("linear", z)


def relu(z):
    """Rectified linear unit ``a = max(z, 0)``, element-wise."""
    return _apply("relu", z)


def sigmoid(z):
    """Logistic sigmoid ``a = 1 / (1 + exp(-z))``, element-wise, values in [0, 1]."""
    return _apply("sigmoid", z)


def tanh(z):
    """Hyperbolic tangent, element-wise, values in [-1, 1]."""
    return _apply("tanh", z)


def softmax(z):
    """Softmax over the last axis: z (N, K) -> probabilities (N, K), rows sum to 1."""
    return _apply("softmax", z)


_BY_FUNCTION = {linear: "linear", relu: "relu", sigmoid: "sigmoid", tanh: "tanh",
                softmax: "softmax"}


def get(identifier, where="activation"):
    """Resolve an activation to its name in ``functional.ACTIVATIONS``.

    identifier: None (means ``'linear'``), a name such as ``'relu'`` (any case), or one of
    this module's functions (``backprop_lab.activations.relu``).
    where: the argument shown in error messages.
    Returns the name, a str.
    """
    if identifier is None:
        return "linear"
    if isinstance(identifier, str):
        name = identifier.lower()
        if name in F.ACTIVATIONS:
            return name
        raise _checks.unknown_name(N_("activation"), identifier, NAMES, where)
    if callable(identifier) and identifier in _BY_FUNCTION:
        return _BY_FUNCTION[identifier]
    raise ValueError(
        _("{where}: expected an activation name such as 'relu' (one of {valid}) "
          "or None, got {identifier!r}. Custom activation functions need a backward rule, "
          "so only these built-in ones are supported.").format(
              where=where, valid=", ".join(NAMES), identifier=identifier)
    )


def serialize(name):
    """The name, as stored in a saved model."""
    return name
