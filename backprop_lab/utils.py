"""Small helpers with Keras names: seeding and label encoding."""
import random

import numpy as np

_rng = np.random.default_rng()


def set_random_seed(seed):
    """Seed every source of randomness the library uses (as ``keras.utils.set_random_seed``).

    After ``set_random_seed(n)`` two identical programs produce bit-identical weights,
    shuffles and training trajectories.  Seeds Python's ``random``, numpy's legacy global
    generator (so ``np.random.randn`` in a notebook is reproducible too) and the
    library's own generator used for weight initialisation and shuffling.
    """
    from ._engine import checks as _checks

    global _rng
    seed = _checks.seed(seed, "set_random_seed(seed=...)")
    random.seed(seed)
    np.random.seed(seed % 2**32)
    _rng = np.random.default_rng(seed)


def rng():
    """The library's random generator (a ``numpy.random.Generator``)."""
    return _rng


def to_categorical(y, num_classes=None, dtype=None):
    """One-hot encode integer class labels (as ``keras.utils.to_categorical``).

    y: integer labels, shape (n,) (or (n, 1)), values in [0, num_classes); whole-number
    floats and booleans are accepted.  num_classes: K, default max(y) + 1.
    dtype: of the result, default the float type of ``config.floatx()``.
    Returns: array of shape (n, K) with out[i, y[i]] = 1 and every other entry 0.
    """
    from . import config
    from ._engine import checks as _checks
    from .i18n import _

    y = np.asarray(y)
    if y.dtype.kind not in "biuf":
        raise TypeError(
            _("to_categorical(y): y must hold numbers (class indices 0, 1, ...), got dtype "
              "{dtype}. Turn category names into indices first, e.g. "
              "np.unique(y, return_inverse=True)[1].").format(dtype=y.dtype)
        )
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1:
        raise ValueError(
            _("to_categorical(y): y must be a 1-D array of integer labels, got shape {shape}.")
            .format(shape=y.shape)
        )
    if num_classes is not None:
        num_classes = _checks.positive_int(num_classes, "to_categorical(num_classes=...)")
    if y.size and not (np.all(np.isfinite(y)) and np.all(np.equal(np.mod(y, 1), 0))):
        raise ValueError(_("to_categorical(y): y must hold whole numbers (class indices)."))
    if y.size and y.min() < 0:
        raise ValueError(_("to_categorical(y): labels must be >= 0, found {label}.")
                         .format(label=y.min()))
    largest = num_classes if num_classes is not None else 2**31
    if y.size and y.max() >= largest:
        raise ValueError(
            _("to_categorical(y, num_classes={num_classes}): found label {label}; "
              "labels must be below num_classes.").format(num_classes=num_classes,
                                                         label=y.max())
            if num_classes is not None else
            _("to_categorical(y): found label {label}, too large to be a class index.")
            .format(label=y.max())
        )
    y = y.astype(np.int64)
    if num_classes is None:
        num_classes = int(y.max()) + 1 if y.size else 0
    out = np.zeros((y.shape[0], num_classes), dtype=dtype or config.floatx())
    out[np.arange(y.shape[0]), y] = 1
    return out
