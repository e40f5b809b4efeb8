"""Central differences and the relative error: the part of gradient checking to read.

The idea in one line: nudge one number up and down by a small h and watch the loss,

    dL/dx_i  ~  ( L(x + h e_i) - L(x - h e_i) ) / (2 h)          (central difference)

where e_i is 1 at coordinate i and 0 elsewhere.  The error of this estimate shrinks like
h**2, so with h = 1e-5 in float64 a correct gradient agrees to about 1e-9 or better.

The two gradients are compared with a norm-based relative error,

    rel_error(a, b) = ||a - b|| / max(||a|| + ||b||, tiny)

(tiny = the smallest positive float64).  Norms make one near-zero entry harmless: an
element-by-element relative error would call 1e-13 against 2e-13 a 100 % error.

How to read the number.  CS231n's notes give these bands for the element-wise error
|a - b| / max(|a|, |b|); the norm-based error above is never larger than the largest
element-wise one, so here they are a heuristic, slightly on the generous side:

    > 1e-2          wrong        the gradient is almost certainly wrong
    1e-4 .. 1e-2    suspicious   look for a bug
    1e-7 .. 1e-4    kinks only   acceptable only if the function has kinks (ReLU, clipping)
    < 1e-7          good
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable

import numpy as np

from .._engine import checks as _checks
from ..i18n import _

if TYPE_CHECKING:  # names for the type hints only
    from numpy.typing import ArrayLike

TINY = np.finfo(np.float64).tiny
EPS = np.finfo(np.float64).eps

# Upper limits of the bands (norm-based relative error).
WRONG_ABOVE = 1e-2
SUSPICIOUS_ABOVE = 1e-4
GOOD_BELOW = 1e-7

def _require_float_array(x, name):
    if not isinstance(x, np.ndarray) or not np.issubdtype(x.dtype, np.floating):
        got = (type(x).__name__ if not isinstance(x, np.ndarray)
               else _("array of {dtype}").format(dtype=x.dtype))
        raise TypeError(
            _("{name} must be a numpy array of floats (it is changed in place and restored), "
              "got {got}. Convert it first, e.g. {name} = np.asarray({name}, dtype=float).")
            .format(name=name, got=got)
        )


def _require_positive_h(h):
    _checks.positive_float(h, _("h=... (the finite-difference step)"), "1e-5")


def _as_scalar(value, what="f"):
    arr = np.asarray(value, dtype=np.float64)
    if arr.size != 1:
        raise ValueError(
            _("{what} must return a single number, got an array of shape {shape}. "
              "For an array-valued function use numerical_gradient_array(f, x, dout).")
            .format(what=_(what), shape=arr.shape)
        )
    return float(arr.reshape(()))


def _evaluate_around(evaluate, x, index, h):
    """Return (evaluate() at x[index] + h, evaluate() at x[index] - h); x is restored."""
    old = x[index]
    try:
        x[index] = old + h
        plus = evaluate()
        x[index] = old - h
        minus = evaluate()
    finally:
        x[index] = old
    return plus, minus


def numerical_gradient(f: Callable, x: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """Central-difference gradient of a scalar function ``f`` at ``x``.

        grad[i] = ( f(x + h e_i) - f(x - h e_i) ) / (2 h)

    f: callable; ``f(x)`` returns one number.  It is called 2 * x.size times.
    x: float array of any shape.  It is changed in place, one entry at a time, and every
       entry is put back afterwards (also when f raises).
    h: the step, 1e-5 by default (a good choice in float64).
    Returns a float64 array with the shape of x.
    """
    _require_float_array(x, "x")
    _require_positive_h(h)
    grad = np.zeros(x.shape, dtype=np.float64)
    for index in np.ndindex(x.shape):
        f_plus, f_minus = _evaluate_around(lambda: _as_scalar(f(x)), x, index, h)
        grad[index] = (f_plus - f_minus) / (2 * h)
    return grad


def numerical_gradient_array(f: Callable, x: np.ndarray, dout: np.ndarray, h: float = 1e-5
                             ) -> np.ndarray:
    """Central-difference gradient for an array-valued ``f``, contracted with ``dout``.

        grad[i] = sum_j dout_j * ( f(x + h e_i)_j - f(x - h e_i)_j ) / (2 h)

    This is dL/dx for L = sum(dout * f(x)): exactly what a backward function computes
    when it receives the upstream gradient ``dout``.
    f: callable; ``f(x)`` returns an array with the shape of dout.
    x: float array of any shape, changed in place and restored.
    dout: array, the upstream gradient dL/d(out).
    Returns a float64 array with the shape of x.
    """
    _require_float_array(x, "x")
    _require_positive_h(h)
    dout = np.asarray(dout, dtype=np.float64)

    def evaluate():
        out = np.array(f(x), dtype=np.float64, copy=True)  # f may return a view of x
        if out.shape != dout.shape:
            raise ValueError(
                _("f(x) has shape {shape} but dout has shape {dout_shape}; "
                  "dout must have the shape of f's output.").format(shape=out.shape,
                                                                   dout_shape=dout.shape)
            )
        return out

    grad = np.zeros(x.shape, dtype=np.float64)
    for index in np.ndindex(x.shape):
        out_plus, out_minus = _evaluate_around(evaluate, x, index, h)
        grad[index] = np.sum((out_plus - out_minus) * dout) / (2 * h)
    return grad


def rel_error(a: ArrayLike, b: ArrayLike) -> float:
    """Norm-based relative error ``||a - b|| / max(||a|| + ||b||, tiny)``.

    a, b: arrays (or numbers) of the same shape.  ||.|| is the Euclidean norm of all
    entries.  The result is 0 for identical inputs (also when both are zero), at most 1
    otherwise, and ``inf`` when either input holds a NaN or an infinity.
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(_("rel_error(a, b): shapes differ, {a} and {b}.").format(
            a=a.shape, b=b.shape))
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        return float("inf")
    scale = np.linalg.norm(a) + np.linalg.norm(b)
    return float(np.linalg.norm(a - b) / max(scale, TINY))


def error_band(rel: float) -> str:
    """The CS231n band of a relative error: 'good', 'kinks only', 'suspicious' or 'wrong'."""
    if not np.isfinite(rel) or rel > WRONG_ABOVE:
        return "wrong"
    if rel > SUSPICIOUS_ABOVE:
        return "suspicious"
    if rel > GOOD_BELOW:
        return "kinks only"
    return "good"
