"""Global settings: the floating-point type used for weights and activations.

Keras names: ``floatx()`` and ``set_floatx(name)``.

The default is ``float64``.  This is a teaching library: gradient checks with central
differences need double precision to tell a correct gradient (relative error ~1e-9) from a
wrong one, and learners should never have to wonder whether a mismatch is their bug or
rounding.  Switch to ``float32`` (Keras's default) for speed on larger problems.
"""
import numpy as np

_VALID = ("float32", "float64")
_floatx = "float64"


def floatx():
    """Return the name of the default float type, ``'float64'`` or ``'float32'``."""
    return _floatx


def set_floatx(value):
    """Set the default float type for layers built from now on (and data sets made).

    A model already built keeps its float type; data passed to its ``fit``/``predict``
    is converted to that type.  So call this before building the model.
    value: ``'float32'`` or ``'float64'`` (a numpy dtype is accepted too).
    """
    global _floatx
    name = np.dtype(value).name if not isinstance(value, str) else value
    if name not in _VALID:
        raise ValueError(
            f"set_floatx(value={value!r}): value must be one of {_VALID}. "
            "float16 is not supported by this teaching library."
        )
    _floatx = name


def dtype():
    """The default float type as a numpy dtype object."""
    return np.dtype(_floatx)
