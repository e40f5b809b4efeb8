"""Learning-rate schedules with Keras 3's names, arguments and formulas.

A schedule is accepted wherever a learning rate is:

    SGD(learning_rate=schedules.ExponentialDecay(0.1, decay_steps=100, decay_rate=0.5))

and the optimizer then uses ``schedule(step)`` at each update, where ``step`` is the
number of updates made before it (``optimizer.iterations``: 0 for the first update, as in
Keras).  The step counts batches, not epochs.

    ExponentialDecay(initial_learning_rate, decay_steps, decay_rate, staircase=False)
        initial_learning_rate * decay_rate ** (step / decay_steps)   (floor it: staircase)
    PiecewiseConstantDecay(boundaries, values)
        values[0] while step <= boundaries[0], values[1] while step <= boundaries[1], ...,
        values[-1] after the last boundary ("step" decay)
    CosineDecay(initial_learning_rate, decay_steps, alpha=0.0, warmup_target=None,
                warmup_steps=0)
        without warm-up: from initial_learning_rate down to alpha * initial_learning_rate
        along half a cosine over decay_steps, then constant;
        with warmup_target: first a straight line from initial_learning_rate up to
        warmup_target over warmup_steps, THEN the cosine from warmup_target down to
        alpha * warmup_target over decay_steps more steps (decay_steps does not include the
        warm-up).  Keras ignores warmup_steps when warmup_target is None.
"""
from __future__ import annotations

import math
import warnings
from typing import Sequence

from .._engine import checks as _checks
from ..i18n import N_, _


def _non_negative(value, name):
    return _checks.number(value, name, low=0.0)


def _steps(value, name):
    """A positive number of steps (decay_steps may be fractional, as in Keras)."""
    return _checks.positive_float(value, name, "1000")


class LearningRateSchedule:
    """Base class: ``schedule(step)`` is the learning rate for the update after ``step``
    earlier ones (step counts from 0)."""

    def __call__(self, step: int) -> float:
        raise NotImplementedError

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config: dict) -> LearningRateSchedule:
        return cls(**config)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class ExponentialDecay(LearningRateSchedule):
    """``initial_learning_rate * decay_rate ** (step / decay_steps)``; with
    ``staircase=True`` the exponent is rounded down, so the rate drops in steps."""

    def __init__(self, initial_learning_rate: float, decay_steps: float, decay_rate: float,
                 staircase: bool = False, name: str = "ExponentialDecay"):
        where = "ExponentialDecay({}=...)"
        self.initial_learning_rate = _non_negative(
            initial_learning_rate, where.format("initial_learning_rate"))
        self.decay_steps = _steps(decay_steps, where.format("decay_steps"))
        self.decay_rate = _checks.positive_float(decay_rate, where.format("decay_rate"), "0.96")
        self.staircase = bool(staircase)
        self.name = name

    def __call__(self, step: int) -> float:
        p = step / self.decay_steps
        if self.staircase:
            p = math.floor(p)
        return self.initial_learning_rate * self.decay_rate ** p

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                "staircase": self.staircase, "name": self.name}


class PiecewiseConstantDecay(LearningRateSchedule):
    """A constant rate between boundaries: ``values[i]`` for
    ``boundaries[i-1] < step <= boundaries[i]`` (each boundary belongs to the interval
    that ends there, as in Keras).  len(values) = len(boundaries) + 1."""

    def __init__(self, boundaries: Sequence[float], values: Sequence[float],
                 name: str = "PiecewiseConstant"):
        where = "PiecewiseConstantDecay({}=...)"
        boundaries = list(boundaries)
        values = list(values)
        if len(values) != len(boundaries) + 1:
            raise ValueError(
                _("PiecewiseConstantDecay(boundaries, values): {n} boundaries "
                  "cut the steps into {intervals} intervals, so give "
                  "{intervals} values (one per interval); got {given}.").format(
                      n=len(boundaries), intervals=len(boundaries) + 1, given=len(values)))
        self.boundaries = [_non_negative(b, where.format("boundaries")) for b in boundaries]
        if any(b >= c for b, c in zip(self.boundaries, self.boundaries[1:])):
            raise ValueError(_("PiecewiseConstantDecay(boundaries={boundaries!r}): the "
                               "boundaries must increase, e.g. [100, 200].").format(
                                   boundaries=boundaries))
        self.values = [_non_negative(v, where.format("values")) for v in values]
        self.name = name

    def __call__(self, step: int) -> float:
        for boundary, value in zip(self.boundaries, self.values):
            if step <= boundary:
                return value
        return self.values[-1]

    def get_config(self) -> dict:
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class CosineDecay(LearningRateSchedule):
    """Half a cosine from the start rate down to ``alpha`` times it, after an optional
    linear warm-up (see the module docstring for Keras's exact rules)."""

    def __init__(self, initial_learning_rate: float, decay_steps: float, alpha: float = 0.0,
                 name: str = "CosineDecay", warmup_target: float | None = None,
                 warmup_steps: int = 0):
        where = "CosineDecay({}=...)"
        self.initial_learning_rate = _non_negative(
            initial_learning_rate, where.format("initial_learning_rate"))
        self.decay_steps = _steps(decay_steps, where.format("decay_steps"))
        self.alpha = _checks.number(alpha, where.format("alpha"), 0.0, 1.0)
        self.name = name
        self.warmup_target = None if warmup_target is None else _non_negative(
            warmup_target, where.format("warmup_target"))
        self.warmup_steps = _checks.count(warmup_steps, where.format("warmup_steps"), 0)
        if self.warmup_steps and self.warmup_target is None:
            warnings.warn(
                _("CosineDecay(warmup_steps={warmup_steps}) without warmup_target: as in "
                  "Keras there is no warm-up then. Give warmup_target=<the peak rate> to warm "
                  "up from initial_learning_rate to it.").format(warmup_steps=warmup_steps),
                UserWarning, stacklevel=2)

    def _cosine(self, step, start):
        """start * ((1 - alpha) * (1 + cos(pi * step / decay_steps)) / 2 + alpha)."""
        fraction = min(step, self.decay_steps) / self.decay_steps
        decayed = 0.5 * (1.0 + math.cos(math.pi * fraction))
        return start * ((1 - self.alpha) * decayed + self.alpha)

    def __call__(self, step: int) -> float:
        if self.warmup_target is None:
            return self._cosine(step, self.initial_learning_rate)
        if step < self.warmup_steps:
            fraction = step / self.warmup_steps
            return (self.initial_learning_rate
                    + fraction * (self.warmup_target - self.initial_learning_rate))
        return self._cosine(step - self.warmup_steps, self.warmup_target)

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "alpha": self.alpha, "name": self.name,
                "warmup_target": self.warmup_target, "warmup_steps": self.warmup_steps}


_CLASSES = (ExponentialDecay, PiecewiseConstantDecay, CosineDecay)


def serialize(schedule: LearningRateSchedule) -> dict:
    """``{'class_name': 'CosineDecay', 'config': {...}}``: JSON-ready."""
    return _checks.to_config(schedule)


def deserialize(config: dict, where: str = "learning_rate=...") -> LearningRateSchedule:
    """Rebuild a schedule from ``serialize``'s output."""
    return _checks.from_config(config, _CLASSES, N_("learning-rate schedule class"),
                               where)


def is_schedule(value: object) -> bool:
    """True for a schedule object, or a config dict naming a schedule class."""
    if isinstance(value, LearningRateSchedule):
        return True
    return isinstance(value, dict) and value.get("class_name") in {
        cls.__name__ for cls in _CLASSES}


def get(value: object, where: str = "learning_rate=...") -> LearningRateSchedule:
    """A schedule from a schedule object or a config dict (see ``is_schedule``)."""
    if isinstance(value, LearningRateSchedule):
        return value
    return deserialize(value, where)

