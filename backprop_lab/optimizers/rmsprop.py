"""``RMSprop``: each step divided by a running root mean square of the gradient."""
from __future__ import annotations

import numpy as np

from .. import functional as F
from .._engine import checks as _checks
from .base import Optimizer, learning_rate_from_kwargs


class RMSprop(Optimizer):
    """RMSprop without momentum, not centred (Keras 3's form; see
    ``functional.rmsprop_update``).  Keras's default optimizer for ``compile``."""

    slot_names = ("velocity",)

    def __init__(self, learning_rate: float | None = None, rho: float = 0.9,
                 epsilon: float = 1e-7, name: str | None = None, **kwargs):
        learning_rate = learning_rate_from_kwargs("RMSprop", learning_rate, 0.001, kwargs)
        super().__init__(learning_rate, name)
        self.rho = _checks.fraction(rho, "RMSprop(rho=...)")
        self.epsilon = _checks.positive_float(epsilon, "RMSprop(epsilon=...)", "1e-7")

    def update_step(self, grad: np.ndarray, variable: np.ndarray, slots: list[np.ndarray],
                    learning_rate: float) -> None:
        new_w, new_v = F.rmsprop_update(variable, grad, slots[0], learning_rate,
                                        self.rho, self.epsilon)
        np.copyto(variable, new_w)
        np.copyto(slots[0], new_v)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(rho=self.rho, epsilon=self.epsilon)
        return config
