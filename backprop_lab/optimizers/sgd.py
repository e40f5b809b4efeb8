"""``SGD``: stochastic gradient descent, with optional momentum (Keras 3's form)."""
from __future__ import annotations

import numpy as np

from .. import functional as F
from .._engine import checks as _checks
from .base import Optimizer, learning_rate_from_kwargs


class SGD(Optimizer):
    """Stochastic gradient descent, with optional momentum (Keras 3's form).

    momentum = 0:   w <- w - learning_rate * g                         (``sgd_update``)
    momentum > 0:   m <- momentum * m - learning_rate * g;  w <- w + m
    nesterov=True:  m as above;  w <- w + momentum * m - learning_rate * g
    """

    def __init__(self, learning_rate: float | None = None, momentum: float = 0.0,
                 nesterov: bool = False, name: str | None = None, **kwargs):
        learning_rate = learning_rate_from_kwargs("SGD", learning_rate, 0.01, kwargs)
        super().__init__(learning_rate, name)
        self.momentum = _checks.fraction(momentum, "SGD(momentum=...)", high_open=False)
        self.nesterov = bool(nesterov)
        self.slot_names = ("momentum",) if self.momentum > 0 else ()

    def update_step(self, grad: np.ndarray, variable: np.ndarray, slots: list[np.ndarray],
                    learning_rate: float) -> None:
        if self.momentum == 0:
            # not out=variable: a learner's sgd_update plugged in with use_functions
            # takes (w, dw, learning_rate) only
            np.copyto(variable, F.sgd_update(variable, grad, learning_rate))
            return
        new_w, new_m = F.sgd_momentum_update(
            variable, grad, slots[0], learning_rate, self.momentum, self.nesterov)
        np.copyto(variable, new_w)
        np.copyto(slots[0], new_m)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(momentum=self.momentum, nesterov=self.nesterov)
        return config
