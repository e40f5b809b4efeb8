"""``Adam`` (with ``amsgrad``) and ``AdamW``, in Keras 3's form."""
from __future__ import annotations

import numpy as np

from .. import functional as F
from .._engine import checks as _checks
from ..i18n import _
from .base import Optimizer, learning_rate_from_kwargs


class Adam(Optimizer):
    """Adam (Keras 3's form and defaults; see ``functional.adam_update``).

    amsgrad=True: the AMSGrad variant, which divides by the largest second-moment
    estimate seen so far (``functional.amsgrad_update``).
    """

    def __init__(self, learning_rate: float | None = None, beta_1: float = 0.9,
                 beta_2: float = 0.999, epsilon: float = 1e-7, amsgrad: bool = False,
                 name: str | None = None, **kwargs):
        learning_rate = learning_rate_from_kwargs(type(self).__name__, learning_rate, 0.001,
                                                  kwargs)
        super().__init__(learning_rate, name)
        where = type(self).__name__ + "({}=...)"
        self.beta_1 = _checks.fraction(beta_1, where.format("beta_1"))
        self.beta_2 = _checks.fraction(beta_2, where.format("beta_2"))
        self.epsilon = _checks.positive_float(epsilon, where.format("epsilon"), "1e-7")
        if not isinstance(amsgrad, (bool, np.bool_)):
            raise ValueError(_("{where}: must be True or False, got {value!r}.").format(
                where=where.format("amsgrad"), value=amsgrad))
        self.amsgrad = bool(amsgrad)
        self.slot_names = ("m", "v", "v_max") if self.amsgrad else ("m", "v")

    def _decayed(self, variable, learning_rate):
        """The weights the gradient step starts from: Adam has no decoupled decay."""
        return variable

    def update_step(self, grad: np.ndarray, variable: np.ndarray, slots: list[np.ndarray],
                    learning_rate: float) -> None:
        w = self._decayed(variable, learning_rate)
        if self.amsgrad:
            new_w, new_m, new_v, new_v_max = F.amsgrad_update(
                w, grad, slots[0], slots[1], slots[2], self.iterations, learning_rate,
                self.beta_1, self.beta_2, self.epsilon)
            np.copyto(slots[2], new_v_max)
        else:
            new_w, new_m, new_v = F.adam_update(
                w, grad, slots[0], slots[1], self.iterations, learning_rate,
                self.beta_1, self.beta_2, self.epsilon)
        np.copyto(variable, new_w)
        np.copyto(slots[0], new_m)
        np.copyto(slots[1], new_v)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(beta_1=self.beta_1, beta_2=self.beta_2, epsilon=self.epsilon,
                      amsgrad=self.amsgrad)
        return config


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov and Hutter, 2019), as Keras 3's AdamW.

    Before each Adam step every trainable weight, biases and BatchNormalization's gamma
    and beta included (as in Keras), shrinks by ``1 - learning_rate * weight_decay``
    (``functional.weight_decay_update``); the decay does not pass through Adam's moment
    estimates.  That is the difference from Adam with an L2 penalty
    (``functional.adamw_update`` explains it).
    weight_decay: >= 0, Keras's default 0.004.
    """

    def __init__(self, learning_rate: float | None = None, weight_decay: float = 0.004,
                 beta_1: float = 0.9, beta_2: float = 0.999, epsilon: float = 1e-7,
                 amsgrad: bool = False, name: str | None = None, **kwargs):
        super().__init__(learning_rate, beta_1, beta_2, epsilon, amsgrad, name, **kwargs)
        self.weight_decay = _checks.number(weight_decay, "AdamW(weight_decay=...)", low=0.0)

    def update_step(self, grad: np.ndarray, variable: np.ndarray, slots: list[np.ndarray],
                    learning_rate: float) -> None:
        if self.amsgrad:  # the decay, then the AMSGrad step (Adam.update_step)
            super().update_step(grad, variable, slots, learning_rate)
            return
        new_w, new_m, new_v = F.adamw_update(
            variable, grad, slots[0], slots[1], self.iterations, learning_rate,
            self.weight_decay, self.beta_1, self.beta_2, self.epsilon)
        np.copyto(variable, new_w)
        np.copyto(slots[0], new_m)
        np.copyto(slots[1], new_v)

    def _decayed(self, variable, learning_rate):
        return F.weight_decay_update(variable, learning_rate, self.weight_decay)

    def get_config(self) -> dict:
        config = super().get_config()
        config["weight_decay"] = self.weight_decay
        return config
