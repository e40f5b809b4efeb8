"""Weight initializers with Keras's names and formulas.

An initializer is called with a shape and returns a new array of that shape:
``GlorotUniform()((20, 10))``.  For a kernel of shape (fan_in, fan_out) = (D, M):

    glorot_uniform  U(-l, l),  l = sqrt(6 / (fan_in + fan_out))      (Keras's default)
    glorot_normal   truncated N(0, s^2), s = sqrt(2 / (fan_in + fan_out)) / 0.8796...
    he_uniform      U(-l, l),  l = sqrt(6 / fan_in)
    he_normal       truncated N(0, s^2), s = sqrt(2 / fan_in) / 0.8796...
    lecun_uniform   U(-l, l),  l = sqrt(3 / fan_in)
    lecun_normal    truncated N(0, s^2), s = sqrt(1 / fan_in) / 0.8796...
    random_normal   N(mean, stddev^2), default N(0, 0.05^2)
    random_uniform  U(minval, maxval), default U(-0.05, 0.05)
    zeros, ones     constant arrays (``zeros`` is the default for biases)

"Truncated" means draws further than two standard deviations from the mean are drawn
again; 0.8796... is the standard deviation of a standard normal truncated that way, so
dividing by it gives the truncated draws the intended variance.

Random draws come from ``backprop_lab.utils.rng()``, so ``utils.set_random_seed(n)``
makes initial weights reproducible.  Pass ``seed=`` to an initializer to give it its own
generator instead.
"""
import numpy as np

from . import config, utils
from ._engine import checks as _checks
from .i18n import N_, _

# Standard deviation of a standard normal truncated to [-2, 2] (Keras uses this constant).
TRUNCATED_STDDEV = 0.87962566103423978


def compute_fans(shape):
    """(fan_in, fan_out) for a kernel shape: (D, M) -> (D, M); (M,) -> (M, M); () -> (1, 1)."""
    shape = tuple(shape)
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive = int(np.prod(shape[:-2])) if len(shape) > 2 else 1
    return shape[-2] * receptive, shape[-1] * receptive


class Initializer:
    """Base class: ``initializer(shape, dtype=None)`` returns a new array."""

    def __init__(self, seed=None):
        self.seed = seed
        self._own_rng = None if seed is None else np.random.default_rng(seed)

    def _rng(self):
        return self._own_rng if self._own_rng is not None else utils.rng()

    def __call__(self, shape, dtype=None):
        values = self.sample(tuple(int(s) for s in shape))
        return np.asarray(values, dtype=dtype or config.floatx())

    def sample(self, shape):
        raise NotImplementedError

    def get_config(self):
        return {"seed": self.seed}

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class Zeros(Initializer):
    """All zeros."""

    def sample(self, shape):
        return np.zeros(shape)

    def get_config(self):
        return {}


class Ones(Initializer):
    """All ones."""

    def sample(self, shape):
        return np.ones(shape)

    def get_config(self):
        return {}


class Constant(Initializer):
    """Every entry equal to ``value``."""

    def __init__(self, value=0.0):
        super().__init__()
        self.value = float(value)

    def sample(self, shape):
        return np.full(shape, self.value)

    def get_config(self):
        return {"value": self.value}


class RandomNormal(Initializer):
    """Draws from N(mean, stddev^2)."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        super().__init__(seed)
        self.mean, self.stddev = float(mean), float(stddev)

    def sample(self, shape):
        return self._rng().normal(self.mean, self.stddev, size=shape)

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class RandomUniform(Initializer):
    """Draws from U(minval, maxval)."""

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        super().__init__(seed)
        self.minval, self.maxval = float(minval), float(maxval)

    def sample(self, shape):
        return self._rng().uniform(self.minval, self.maxval, size=shape)

    def get_config(self):
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed}


def truncated_normal(rng, shape, stddev):
    """Draws from N(0, stddev^2), redrawing any value further than 2 * stddev from 0."""
    values = rng.standard_normal(shape)
    outside = np.abs(values) > 2.0
    while outside.any():
        values[outside] = rng.standard_normal(int(outside.sum()))
        outside = np.abs(values) > 2.0
    return values * stddev


class VarianceScaling(Initializer):
    """Draws with variance ``scale / n``, n = fan_in, fan_out or their mean (``mode``).

    distribution: ``'truncated_normal'``, ``'untruncated_normal'`` or ``'uniform'`` (the
    uniform limit is sqrt(3 * scale / n), which has that variance).
    """

    MODES = ("fan_in", "fan_out", "fan_avg")
    DISTRIBUTIONS = ("truncated_normal", "untruncated_normal", "uniform")

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None):
        super().__init__(seed)
        self.scale = _checks.positive_float(scale, f"{type(self).__name__}(scale=...)", "1.0")
        if mode not in self.MODES:
            raise _checks.unknown_name(N_("mode"), mode, self.MODES,
                                       "VarianceScaling(mode=...)")
        if distribution not in self.DISTRIBUTIONS:
            raise _checks.unknown_name(N_("distribution"), distribution, self.DISTRIBUTIONS,
                                       "VarianceScaling(distribution=...)")
        self.mode, self.distribution = mode, distribution

    def sample(self, shape):
        fan_in, fan_out = compute_fans(shape)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[self.mode]
        variance = self.scale / max(1.0, n)
        rng = self._rng()
        if self.distribution == "uniform":
            limit = np.sqrt(3.0 * variance)
            return rng.uniform(-limit, limit, size=shape)
        if self.distribution == "untruncated_normal":
            return rng.normal(0.0, np.sqrt(variance), size=shape)
        return truncated_normal(rng, shape, np.sqrt(variance) / TRUNCATED_STDDEV)

    def get_config(self):
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution,
                "seed": self.seed}


def _named_variance_scaling(class_name, scale, mode, distribution, doc):
    def __init__(self, seed=None):
        VarianceScaling.__init__(self, scale, mode, distribution, seed)

    def get_config(self):
        return {"seed": self.seed}

    return type(class_name, (VarianceScaling,),
                {"__init__": __init__, "get_config": get_config, "__doc__": doc})


GlorotUniform = _named_variance_scaling(
    "GlorotUniform", 1.0, "fan_avg", "uniform",
    "U(-l, l) with l = sqrt(6 / (fan_in + fan_out)).  Keras's default kernel initializer.")
GlorotNormal = _named_variance_scaling(
    "GlorotNormal", 1.0, "fan_avg", "truncated_normal",
    "Truncated normal with variance 2 / (fan_in + fan_out).")
HeUniform = _named_variance_scaling(
    "HeUniform", 2.0, "fan_in", "uniform", "U(-l, l) with l = sqrt(6 / fan_in).  Suits ReLU.")
HeNormal = _named_variance_scaling(
    "HeNormal", 2.0, "fan_in", "truncated_normal",
    "Truncated normal with variance 2 / fan_in.  Suits ReLU.")
LecunUniform = _named_variance_scaling(
    "LecunUniform", 1.0, "fan_in", "uniform", "U(-l, l) with l = sqrt(3 / fan_in).")
LecunNormal = _named_variance_scaling(
    "LecunNormal", 1.0, "fan_in", "truncated_normal",
    "Truncated normal with variance 1 / fan_in.")

for _cls in (GlorotUniform, GlorotNormal, HeUniform, HeNormal, LecunUniform, LecunNormal):
    _cls.__module__ = __name__

_CLASSES = {
    "glorot_uniform": GlorotUniform, "glorot_normal": GlorotNormal,
    "he_uniform": HeUniform, "he_normal": HeNormal,
    "lecun_uniform": LecunUniform, "lecun_normal": LecunNormal,
    "zeros": Zeros, "ones": Ones,
    "random_normal": RandomNormal, "random_uniform": RandomUniform,
    "constant": Constant, "variance_scaling": VarianceScaling,
}
#: The names ``Dense(kernel_initializer=...)`` accepts.
NAMES = tuple(_CLASSES)


def get(identifier, where="initializer"):
    """Resolve an initializer: a name (``'he_normal'``), a class name (``'HeNormal'``), a
    config dict ``{'class_name': ..., 'config': {...}}``, or an ``Initializer`` object.

    Returns an ``Initializer`` object.
    """
    if isinstance(identifier, Initializer):
        return identifier
    if isinstance(identifier, dict) and "class_name" in identifier:
        return deserialize(identifier, where)
    if isinstance(identifier, str):
        key = identifier.lower()
        if key not in _CLASSES:
            by_class = {cls.__name__.lower(): name for name, cls in _CLASSES.items()}
            key = by_class.get(key, key)
        if key in _CLASSES:
            return _CLASSES[key]()
        raise _checks.unknown_name(N_("initializer"), identifier, NAMES, where)
    raise ValueError(
        _("{where}: expected an initializer name such as 'glorot_uniform' (one of "
          "{valid}) or an Initializer object, got {identifier!r}.").format(
              where=where, valid=", ".join(NAMES), identifier=identifier)
        + _checks.class_hint(identifier)
    )


def serialize(initializer):
    """``{'class_name': 'HeNormal', 'config': {...}}``: JSON-ready."""
    return _checks.to_config(initializer)


def deserialize(config, where="initializer"):
    """Rebuild an initializer from ``serialize``'s output."""
    return _checks.from_config(config, _CLASSES.values(), N_("initializer"), where)
