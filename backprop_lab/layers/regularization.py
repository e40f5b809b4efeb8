"""``Dropout``: inverted dropout, active in ``fit`` only."""
from __future__ import annotations

import numbers

import numpy as np

from .. import functional as F
from .. import utils
from .._engine import checks as _checks
from ..i18n import _
from .base import Layer, _input_features, _require_forward


def _rate(rate):
    """Dropout's rate as a float in [0, 1), or a ValueError naming the argument."""
    if isinstance(rate, (bool, np.bool_)) or not isinstance(rate, numbers.Real) \
            or not 0 <= rate < 1:
        raise ValueError(
            _("Dropout(rate={rate!r}): the rate is the fraction of the inputs set to 0 in "
              "training, a number in [0, 1) such as 0.2 or 0.5 (1 would drop everything, and "
              "the kept values could not be rescaled by 1 / (1 - rate)).").format(rate=rate))
    return float(rate)


class Dropout(Layer):
    """Randomly sets a fraction ``rate`` of its inputs to 0 during training, and scales the
    others by 1 / (1 - rate) (inverted dropout, as Keras).  In ``evaluate`` and ``predict``
    it passes its input through unchanged.

    rate: in [0, 1).  seed: an integer for reproducible masks, or None (the masks then
    follow ``utils.set_random_seed``).  Shapes: x (N, M) -> (N, M).  No weights.
    Forward and backward: ``functional.dropout_forward`` / ``dropout_backward``.
    """

    def __init__(self, rate: float, seed: int | None = None, name: str | None = None,
                 dtype: str | None = None, input_dim: int | None = None,
                 input_shape: int | tuple | None = None):
        super().__init__(name=name, dtype=dtype,
                         input_features=_input_features(input_dim, input_shape, "Dropout"))
        self.rate = _rate(rate)
        self.seed = _checks.seed(seed, "Dropout(seed=...)", allow_none=True)
        # Each layer draws its masks from its own generator: seeded by `seed`, or else by
        # the library's generator when the layer is made.
        start = self.seed if self.seed is not None else int(utils.rng().integers(2**62))
        self._rng = np.random.default_rng(start)
        self._cache = None

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """x: (N, M) -> (N, M): a new random mask in training; the identity otherwise."""
        out, self._cache = F.dropout_forward(x, self.rate, training=training, rng=self._rng)
        return out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        """dout: (N, M) -> dL/dx (N, M), through the mask of the last forward pass."""
        _require_forward(self)
        self.grads = []
        return F.dropout_backward(dout, self._cache)

    def get_state(self) -> dict:
        """The state of the random generator (the next mask follows from it)."""
        return {"rng": self._rng.bit_generator.state}

    def set_state(self, state: dict) -> None:
        if "rng" in state:
            self._rng.bit_generator.state = state["rng"]

    def get_config(self) -> dict:
        config_ = super().get_config()
        config_.update({"rate": self.rate, "seed": self.seed})
        return config_

    def __repr__(self):
        return f"<Dropout name={self.name!r}, rate={self.rate}, built={self.built}>"
