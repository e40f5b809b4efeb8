"""Optimizers with Keras 3's names, defaults and update rules.

    SGD(learning_rate=0.01, momentum=0.0, nesterov=False)
    Adam(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False)
    AdamW(learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
          amsgrad=False)
    RMSprop(learning_rate=0.001, rho=0.9, epsilon=1e-7)

Every ``learning_rate`` may also be a schedule from ``backprop_lab.optimizers.schedules``
(``ExponentialDecay``, ``PiecewiseConstantDecay``, ``CosineDecay``).

The update formulas are in ``backprop_lab.functional`` (``sgd_update``,
``sgd_momentum_update``, ``adam_update``, ``amsgrad_update``, ``adamw_update``,
``rmsprop_update``).  An optimizer keeps the state those formulas need (velocities, moment
estimates, the step count) and writes the new values *into* the weight arrays, so a
layer's ``kernel`` stays the same array object.

``SGD(lr=0.01)``, the Keras 2 spelling in the seed article, still works here but warns:
Keras 3 rejects ``lr=``; write ``learning_rate=``.

The modules follow Keras's layout: ``base`` (Optimizer), ``sgd``, ``adam`` (Adam, AdamW),
``rmsprop`` and ``schedules``.
"""
from __future__ import annotations

from .._engine import checks as _checks
from ..i18n import N_, _
from . import schedules
from .adam import Adam, AdamW
from .base import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["SGD", "Adam", "AdamW", "Optimizer", "RMSprop", "deserialize", "get", "schedules",
           "serialize"]

_CLASSES = {"sgd": SGD, "adam": Adam, "adamw": AdamW, "rmsprop": RMSprop}
#: The names ``compile(optimizer=...)`` accepts (any case).
NAMES = tuple(_CLASSES)


def get(identifier: str | dict | Optimizer, where: str = "compile(optimizer=...)") -> Optimizer:
    """Resolve an optimizer: a name (``'sgd'``, ``'adam'``, ``'adamw'``, ``'rmsprop'``, any
    case), a config dict from ``serialize``, or an ``Optimizer`` object (returned as is)."""
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, dict) and "class_name" in identifier:
        return deserialize(identifier, where)
    if isinstance(identifier, str):
        cls = _CLASSES.get(identifier.lower())
        if cls is not None:
            return cls()
        raise _checks.unknown_name(N_("optimizer"), identifier, NAMES, where)
    raise ValueError(
        _("{where}: expected an optimizer name (one of {valid}) or an object such "
          "as backprop_lab.optimizers.SGD(learning_rate=0.01), got {identifier!r}.").format(
              where=where, valid=", ".join(NAMES), identifier=identifier)
        + _checks.class_hint(identifier)
    )


def serialize(optimizer: Optimizer) -> dict:
    return _checks.to_config(optimizer)


def deserialize(config: dict, where: str = "optimizer") -> Optimizer:
    return _checks.from_config(config, _CLASSES.values(), N_("optimizer class"), where)
