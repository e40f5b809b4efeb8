"""Weight regularizers with Keras 3's names: ``L1``, ``L2``, ``L1L2`` (and ``l1``, ``l2``,
``l1_l2``, the same classes under their lower-case names, as in Keras).

    Dense(64, activation="relu", kernel_regularizer=regularizers.l2(1e-4))

A regularizer adds a penalty on a weight array to the loss that ``fit`` minimises and that
``fit`` and ``evaluate`` report (as Keras does); its gradient is added to that weight's
gradient.  The formulas are ``functional.l1_penalty``/``l2_penalty`` and their gradients:

    L1(l1)       l1 * sum |w|                  gradient l1 * sign(w)
    L2(l2)       l2 * sum w**2   (no 1/2)      gradient 2 * l2 * w
    L1L2(l1, l2) the sum of both

With plain SGD an L2 penalty is the same as shrinking every weight by 2 * learning_rate * l2
per step ("weight decay"); with Adam it is not (see ``optimizers.AdamW``).
"""
from __future__ import annotations

import numpy as np

from . import functional as F
from ._engine import checks as _checks
from .i18n import N_, _


def _strength(value, where):
    """A penalty strength: a finite number >= 0, or a ValueError naming the argument."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number)) \
            or not np.isfinite(value) or value < 0:
        raise ValueError(
            _("{where}: the penalty strength must be a number >= 0 (for example 1e-4), got "
              "{value!r}. A negative penalty would reward large weights instead of "
              "discouraging them.").format(where=where, value=value))
    return float(value)


class Regularizer:
    """Base class: ``regularizer(w)`` is the penalty (a float), ``regularizer.gradient(w)``
    its gradient (an array shaped like w)."""

    def __call__(self, w: np.ndarray) -> float:
        return 0.0

    def gradient(self, w: np.ndarray) -> np.ndarray:
        return np.zeros_like(w)

    def get_config(self) -> dict:
        return {}

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class L1L2(Regularizer):
    """``l1 * sum |w| + l2 * sum w**2`` (Keras: both strengths default to 0)."""

    def __init__(self, l1: float = 0.0, l2: float = 0.0):
        self.l1 = _strength(l1, f"{type(self).__name__}(l1=...)")
        self.l2 = _strength(l2, f"{type(self).__name__}(l2=...)")

    def __call__(self, w: np.ndarray) -> float:
        penalty = 0.0
        if self.l1:
            penalty += F.l1_penalty(w, self.l1)
        if self.l2:
            penalty += F.l2_penalty(w, self.l2)
        return penalty

    def gradient(self, w: np.ndarray) -> np.ndarray:
        grad = np.zeros_like(w)
        if self.l1:
            grad = grad + F.l1_penalty_grad(w, self.l1)
        if self.l2:
            grad = grad + F.l2_penalty_grad(w, self.l2)
        return grad

    def get_config(self) -> dict:
        return {"l1": self.l1, "l2": self.l2}


class L1(L1L2):
    """``l1 * sum |w|`` (Keras's default strength: 0.01)."""

    def __init__(self, l1: float = 0.01):
        super().__init__(l1=l1)

    def get_config(self) -> dict:
        return {"l1": self.l1}


class L2(L1L2):
    """``l2 * sum w**2`` (Keras's default strength: 0.01; no factor 1/2)."""

    def __init__(self, l2: float = 0.01):
        super().__init__(l2=l2)

    def get_config(self) -> dict:
        return {"l2": self.l2}


# Keras exports the same classes under these names: regularizers.l2(1e-4) is L2(1e-4).
l1 = L1
l2 = L2
l1_l2 = L1L2

_CLASSES = {"l1": L1, "l2": L2, "l1_l2": L1L2}
#: The names ``Dense(kernel_regularizer=...)`` accepts (any case).
NAMES = tuple(_CLASSES)


def get(identifier: str | dict | Regularizer | None,
        where: str = "kernel_regularizer=...") -> Regularizer | None:
    """Resolve a regularizer: None, a name (``'l1'``, ``'l2'``, ``'l1_l2'``, or a class name
    such as ``'L2'``: Keras's default strengths), a config dict from ``serialize``, or a
    ``Regularizer`` object (returned as is)."""
    if identifier is None or isinstance(identifier, Regularizer):
        return identifier
    if isinstance(identifier, dict) and "class_name" in identifier:
        return deserialize(identifier, where)
    if isinstance(identifier, str):
        key = {cls.__name__.lower(): name for name, cls in _CLASSES.items()}.get(
            identifier.lower(), identifier.lower())
        if key in _CLASSES:
            return _CLASSES[key]()
        raise _checks.unknown_name(N_("regularizer"), identifier, NAMES, where)
    raise ValueError(
        _("{where}: expected a regularizer such as backprop_lab.regularizers.l2(1e-4), a "
          "name ({valid}) or None, got {identifier!r}.").format(
              where=where, valid=", ".join(NAMES), identifier=identifier)
        + _checks.class_hint(identifier))


def serialize(regularizer: Regularizer | None) -> dict | None:
    """``{'class_name': 'L2', 'config': {'l2': 0.01}}`` (None stays None)."""
    return None if regularizer is None else _checks.to_config(regularizer)


def deserialize(config: dict | None, where: str = "regularizer") -> Regularizer | None:
    """Rebuild a regularizer from ``serialize``'s output."""
    if config is None:
        return None
    return _checks.from_config(config, (L1, L2, L1L2), N_("regularizer class"), where)
