"""``Optimizer``: the state an update rule needs, and the learning rate (or its schedule)."""
from __future__ import annotations

import warnings
from typing import Iterable, Sequence

import numpy as np

from .._engine import checks as _checks
from ..i18n import _
from . import schedules


class Optimizer:
    """Base class.

    ``apply(grads, variables)`` updates each array in ``variables`` in place, using the
    matching array in ``grads`` (same shapes).  ``iterations`` counts the updates made.

    learning_rate: a positive number, or a schedule from ``optimizers.schedules``; then
    ``optimizer.learning_rate`` is the schedule's value for the next update,
    ``schedule(iterations)``, and it cannot be set (as in Keras).
    """

    #: names of the per-variable state arrays, e.g. ("momentum",)
    slot_names = ()

    def __init__(self, learning_rate: float | schedules.LearningRateSchedule | None,
                 name: str | None = None):
        self.name = name or type(self).__name__
        self.iterations = 0
        self.schedule = None
        self._learning_rate = None
        self.learning_rate = learning_rate
        self._slots = None  # list (one entry per variable) of lists of state arrays

    @property
    def learning_rate(self):
        """The learning rate of the next update (a float)."""
        if self.schedule is not None:
            return float(self.schedule(self.iterations))
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value):
        where = f"{type(self).__name__}(learning_rate=...)"
        if schedules.is_schedule(value):
            self.schedule = schedules.get(value, where)
            return
        if self.schedule is not None:
            raise TypeError(
                _("{name}: this optimizer was given a learning-rate schedule "
                  "({schedule}), so its learning rate cannot be set to "
                  "{value!r} (Keras refuses it too). Give the optimizer a number as its "
                  "learning_rate to change it during training, e.g. with "
                  "callbacks.LearningRateScheduler or ReduceLROnPlateau.").format(
                      name=self.name, schedule=type(self.schedule).__name__, value=value))
        self._learning_rate = _checks.positive_float(value, where, "0.01")

    def build(self, variables: Sequence[np.ndarray]) -> None:
        """Create zeroed state arrays (one set per variable), for these very arrays."""
        self._variables = list(variables)
        self._slots = [[np.zeros_like(v) for _ in self.slot_names] for v in self._variables]

    def _built_for(self, variables):
        """True if the state was built for exactly these arrays (the same objects)."""
        return len(variables) == len(self._variables) and all(
            a is b for a, b in zip(variables, self._variables))

    def apply(self, grads: Sequence[np.ndarray], variables: Sequence[np.ndarray]) -> None:
        """One update of every variable, in place.  grads[i] has variables[i]'s shape.

        An optimizer with state (momentum, Adam, RMSprop) serves one set of weights: given
        other arrays than the first time (another model's), it raises, as Keras 3 does.
        """
        variables = list(variables)
        if self._slots is None or (not self.slot_names and not self._built_for(variables)):
            self.build(variables)
        elif not self._built_for(variables):
            raise ValueError(
                _("{name}: this optimizer already holds state ({slots}"
                  " after {iterations} updates) for the weights of another model, or of "
                  "this model before its layers changed; that state would be wrong for these "
                  "weights. Give each model its own optimizer, e.g. model.compile(optimizer="
                  "{cls}(learning_rate={rate:g}), ...).").format(
                      name=self.name, slots=", ".join(self.slot_names),
                      iterations=self.iterations, cls=type(self).__name__,
                      rate=self.learning_rate)
            )
        # The rate of this update: a schedule's value at the number of updates made so
        # far (0 for the first), as Keras computes it before counting the update.
        learning_rate = self.learning_rate
        self.iterations += 1
        for grad, var, slots in zip(grads, variables, self._slots):
            self.update_step(grad, var, slots, learning_rate)

    def apply_gradients(self, grads_and_vars: Iterable[tuple[np.ndarray, np.ndarray]]) -> None:
        """Keras's form: a list of (gradient, variable) pairs."""
        pairs = list(grads_and_vars)
        self.apply([g for g, _ in pairs], [v for _, v in pairs])

    def update_step(self, grad: np.ndarray, variable: np.ndarray, slots: list[np.ndarray],
                    learning_rate: float) -> None:
        """Update one variable in place from its gradient, with this step's rate."""
        raise NotImplementedError

    # ---- saving ----------------------------------------------------------------------
    def get_config(self) -> dict:
        rate = schedules.serialize(self.schedule) if self.schedule is not None \
            else self._learning_rate
        return {"name": self.name, "learning_rate": rate}

    def get_state(self) -> list[np.ndarray]:
        """The state arrays as a flat list (copies), in variable order."""
        if self._slots is None:
            return []
        return [s.copy() for slots in self._slots for s in slots]

    def set_state(self, arrays: Sequence[np.ndarray], variables: Sequence[np.ndarray],
                  iterations: int) -> None:
        """Restore ``get_state()``'s arrays for these ``variables`` (copies the values)."""
        arrays = list(arrays)
        self.iterations = int(iterations)
        if not arrays:  # a state from before the first update: start afresh
            self._slots = None
            return
        self.build(variables)
        expected = [s.shape for slots in self._slots for s in slots]
        if [np.shape(a) for a in arrays] != expected:
            raise ValueError(
                _("{name}.set_state(): expected state arrays of shapes {expected}, got "
                  "{shapes}.").format(name=self.name, expected=expected,
                                      shapes=[np.shape(a) for a in arrays])
            )
        flat = [s for slots in self._slots for s in slots]
        for dst, src in zip(flat, arrays):
            dst[...] = src

    def __repr__(self):
        config = self.get_config()
        if self.schedule is not None:
            config["learning_rate"] = self.schedule
        args = ", ".join(f"{k}={v!r}" for k, v in config.items() if k != "name")
        return f"{type(self).__name__}({args})"


def learning_rate_from_kwargs(cls_name: str, learning_rate: object, default: float,
                              kwargs: dict) -> object:
    """Accept the old ``lr=`` spelling with a DeprecationWarning; refuse other unknowns."""
    if "lr" in kwargs:
        lr = kwargs.pop("lr")
        if learning_rate is not None:
            raise ValueError(
                _("{cls}(): got both lr={lr!r} and learning_rate={learning_rate!r}; "
                  "pass only learning_rate.").format(cls=cls_name, lr=lr,
                                                     learning_rate=learning_rate)
            )
        warnings.warn(
            _("{cls}(lr={lr!r}): the argument `lr` is deprecated, use "
              "`learning_rate` instead: {cls}(learning_rate={lr!r}). "
              "(Keras 3 rejects `lr`.)").format(cls=cls_name, lr=lr),
            DeprecationWarning, stacklevel=3,
        )
        learning_rate = lr
    if kwargs:
        raise TypeError(
            _("{cls}() got unexpected argument(s) {names}. "
              "See help(backprop_lab.optimizers.{cls}) for the accepted ones.").format(
                  cls=cls_name, names=", ".join(sorted(kwargs)))
        )
    return default if learning_rate is None else learning_rate
