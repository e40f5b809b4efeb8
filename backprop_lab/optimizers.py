"""Optimizers with Keras 3's names, defaults and update rules.

    SGD(learning_rate=0.01, momentum=0.0, nesterov=False)
    Adam(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7)
    RMSprop(learning_rate=0.001, rho=0.9, epsilon=1e-7)

The update formulas are in ``backprop_lab.functional`` (``sgd_update``,
``sgd_momentum_update``, ``adam_update``, ``rmsprop_update``).  An optimizer keeps the state
those formulas need (velocities, moment estimates, the step count) and writes the new
values *into* the weight arrays, so a layer's ``kernel`` stays the same array object.

``SGD(lr=0.01)``, the Keras 2 spelling in the seed article, still works here but warns:
Keras 3 rejects ``lr=``; write ``learning_rate=``.
"""
from __future__ import annotations

import warnings
from typing import Iterable, Sequence

import numpy as np

from . import functional as F
from ._engine import checks as _checks


class Optimizer:
    """Base class.

    ``apply(grads, variables)`` updates each array in ``variables`` in place, using the
    matching array in ``grads`` (same shapes).  ``iterations`` counts the updates made.
    """

    #: names of the per-variable state arrays, e.g. ("momentum",)
    slot_names = ()

    def __init__(self, learning_rate: float | None, name: str | None = None):
        self.name = name or type(self).__name__
        self.learning_rate = learning_rate
        self.iterations = 0
        self._slots = None  # list (one entry per variable) of lists of state arrays

    @property
    def learning_rate(self):
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value):
        self._learning_rate = _checks.positive_float(
            value, f"{type(self).__name__}(learning_rate=...)", "0.01")

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
                f"{self.name}: this optimizer already holds state ({', '.join(self.slot_names)}"
                f" after {self.iterations} updates) for the weights of another model, or of "
                "this model before its layers changed; that state would be wrong for these "
                "weights. Give each model its own optimizer, e.g. model.compile(optimizer="
                f"{type(self).__name__}(learning_rate={self.learning_rate:g}), ...)."
            )
        self.iterations += 1
        for grad, var, slots in zip(grads, variables, self._slots):
            self.update_step(grad, var, slots)

    def apply_gradients(self, grads_and_vars: Iterable[tuple[np.ndarray, np.ndarray]]) -> None:
        """Keras's form: a list of (gradient, variable) pairs."""
        pairs = list(grads_and_vars)
        self.apply([g for g, _ in pairs], [v for _, v in pairs])

    def update_step(self, grad: np.ndarray, variable: np.ndarray, slots: list[np.ndarray]) -> None:
        raise NotImplementedError

    # ---- saving ----------------------------------------------------------------------
    def get_config(self) -> dict:
        return {"name": self.name, "learning_rate": self.learning_rate}

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
                f"{self.name}.set_state(): expected state arrays of shapes {expected}, got "
                f"{[np.shape(a) for a in arrays]}."
            )
        flat = [s for slots in self._slots for s in slots]
        for dst, src in zip(flat, arrays):
            dst[...] = src

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items() if k != "name")
        return f"{type(self).__name__}({args})"


def _learning_rate_from_kwargs(cls_name, learning_rate, default, kwargs):
    """Accept the old ``lr=`` spelling with a DeprecationWarning; refuse other unknowns."""
    if "lr" in kwargs:
        lr = kwargs.pop("lr")
        if learning_rate is not None:
            raise ValueError(
                f"{cls_name}(): got both lr={lr!r} and learning_rate={learning_rate!r}; "
                "pass only learning_rate."
            )
        warnings.warn(
            f"{cls_name}(lr={lr!r}): the argument `lr` is deprecated, use "
            f"`learning_rate` instead: {cls_name}(learning_rate={lr!r}). "
            "(Keras 3 rejects `lr`.)",
            DeprecationWarning, stacklevel=3,
        )
        learning_rate = lr
    if kwargs:
        raise TypeError(
            f"{cls_name}() got unexpected argument(s) {', '.join(sorted(kwargs))}. "
            "See help(backprop_lab.optimizers." + cls_name + ") for the accepted ones."
        )
    return default if learning_rate is None else learning_rate


class SGD(Optimizer):
    """Stochastic gradient descent, with optional momentum (Keras 3's form).

    momentum = 0:   w <- w - learning_rate * g                         (``sgd_update``)
    momentum > 0:   m <- momentum * m - learning_rate * g;  w <- w + m
    nesterov=True:  m as above;  w <- w + momentum * m - learning_rate * g
    """

    def __init__(self, learning_rate: float | None = None, momentum: float = 0.0,
                 nesterov: bool = False, name: str | None = None, **kwargs):
        learning_rate = _learning_rate_from_kwargs("SGD", learning_rate, 0.01, kwargs)
        super().__init__(learning_rate, name)
        self.momentum = _checks.fraction(momentum, "SGD(momentum=...)", high_open=False)
        self.nesterov = bool(nesterov)
        self.slot_names = ("momentum",) if self.momentum > 0 else ()

    def update_step(self, grad: np.ndarray, variable: np.ndarray, slots: list[np.ndarray]) -> None:
        if self.momentum == 0:
            # not out=variable: a learner's sgd_update plugged in with use_functions
            # takes (w, dw, learning_rate) only
            np.copyto(variable, F.sgd_update(variable, grad, self._learning_rate))
            return
        new_w, new_m = F.sgd_momentum_update(
            variable, grad, slots[0], self._learning_rate, self.momentum, self.nesterov)
        np.copyto(variable, new_w)
        np.copyto(slots[0], new_m)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(momentum=self.momentum, nesterov=self.nesterov)
        return config


class Adam(Optimizer):
    """Adam (Keras 3's form and defaults; see ``functional.adam_update``)."""

    slot_names = ("m", "v")

    def __init__(self, learning_rate: float | None = None, beta_1: float = 0.9,
                 beta_2: float = 0.999, epsilon: float = 1e-7, name: str | None = None, **kwargs):
        learning_rate = _learning_rate_from_kwargs("Adam", learning_rate, 0.001, kwargs)
        super().__init__(learning_rate, name)
        self.beta_1 = _checks.fraction(beta_1, "Adam(beta_1=...)")
        self.beta_2 = _checks.fraction(beta_2, "Adam(beta_2=...)")
        self.epsilon = _checks.positive_float(epsilon, "Adam(epsilon=...)", "1e-7")

    def update_step(self, grad: np.ndarray, variable: np.ndarray, slots: list[np.ndarray]) -> None:
        new_w, new_m, new_v = F.adam_update(
            variable, grad, slots[0], slots[1], self.iterations, self._learning_rate,
            self.beta_1, self.beta_2, self.epsilon)
        np.copyto(variable, new_w)
        np.copyto(slots[0], new_m)
        np.copyto(slots[1], new_v)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(beta_1=self.beta_1, beta_2=self.beta_2, epsilon=self.epsilon)
        return config


class RMSprop(Optimizer):
    """RMSprop without momentum, not centred (Keras 3's form; see
    ``functional.rmsprop_update``).  Keras's default optimizer for ``compile``."""

    slot_names = ("velocity",)

    def __init__(self, learning_rate: float | None = None, rho: float = 0.9,
                 epsilon: float = 1e-7, name: str | None = None, **kwargs):
        learning_rate = _learning_rate_from_kwargs("RMSprop", learning_rate, 0.001, kwargs)
        super().__init__(learning_rate, name)
        self.rho = _checks.fraction(rho, "RMSprop(rho=...)")
        self.epsilon = _checks.positive_float(epsilon, "RMSprop(epsilon=...)", "1e-7")

    def update_step(self, grad: np.ndarray, variable: np.ndarray, slots: list[np.ndarray]) -> None:
        new_w, new_v = F.rmsprop_update(variable, grad, slots[0], self._learning_rate,
                                        self.rho, self.epsilon)
        np.copyto(variable, new_w)
        np.copyto(slots[0], new_v)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(rho=self.rho, epsilon=self.epsilon)
        return config


_CLASSES = {"sgd": SGD, "adam": Adam, "rmsprop": RMSprop}
#: The names ``compile(optimizer=...)`` accepts (any case).
NAMES = tuple(_CLASSES)


def get(identifier: str | dict | Optimizer, where: str = "compile(optimizer=...)") -> Optimizer:
    """Resolve an optimizer: a name (``'sgd'``, ``'adam'``, ``'rmsprop'``, any case), a config
    dict from ``serialize``, or an ``Optimizer`` object (returned as is)."""
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, dict) and "class_name" in identifier:
        return deserialize(identifier, where)
    if isinstance(identifier, str):
        cls = _CLASSES.get(identifier.lower())
        if cls is not None:
            return cls()
        raise _checks.unknown_name("optimizer", identifier, NAMES, where)
    raise ValueError(
        f"{where}: expected an optimizer name (one of {', '.join(NAMES)}) or an object such "
        f"as backprop_lab.optimizers.SGD(learning_rate=0.01), got {identifier!r}."
        + _checks.class_hint(identifier)
    )


def serialize(optimizer: Optimizer) -> dict:
    return _checks.to_config(optimizer)


def deserialize(config: dict, where: str = "optimizer") -> Optimizer:
    return _checks.from_config(config, _CLASSES.values(), "optimizer class", where)
