"""Input checks shared by the object shell.

Each function either returns a cleaned value or raises an error whose message names the
argument, says what was wrong, and says how to fix it.  The model calls them once per
``fit``/``evaluate``/``predict`` call, never once per batch.
"""
import difflib
import math
import numbers

import numpy as np


def unknown_name(kind, name, valid, where=None):
    """A ValueError for an unknown string identifier, listing the valid ones.

    kind: what was looked up, e.g. ``"loss"``.  name: what the user passed.
    valid: the accepted names.  where: the argument, e.g. ``"compile(loss=...)"``.
    """
    valid = sorted(valid)
    close = difflib.get_close_matches(str(name).lower(), valid, n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    place = f"{where}: " if where else ""
    return ValueError(
        f"{place}unknown {kind} {name!r}.{hint} Valid {kind} names: {', '.join(valid)}."
    )


def class_hint(identifier):
    """A sentence for the common slip of passing a class (``SGD``) instead of an object
    (``SGD()``); '' for anything else."""
    if isinstance(identifier, type):
        name = identifier.__name__
        return f" You passed the class {name} itself: create one with {name}(...)."
    return ""


def to_config(obj):
    """``{'class_name': ..., 'config': obj.get_config()}``: the JSON-ready form of a layer,
    loss, metric, optimizer or initializer object (as Keras's ``serialize``)."""
    return {"class_name": type(obj).__name__, "config": obj.get_config()}


def from_config(spec, classes, kind, where=None):
    """Rebuild an object from ``to_config``'s output.

    classes: the classes that may be named.  kind: for the error, e.g. ``"loss class"``.
    A class name that is not among them is a ValueError listing the valid ones.
    """
    by_class = {cls.__name__: cls for cls in classes}
    cls = by_class.get(spec.get("class_name")) if isinstance(spec, dict) else None
    if cls is None:
        name = spec.get("class_name") if isinstance(spec, dict) else spec
        raise unknown_name(kind, name, by_class, where)
    return cls(**spec.get("config", {}))


def weight_array(new, shape, label):
    """``new`` as an array for a weight of ``shape``, or a ValueError naming ``label``
    (e.g. ``"set_weights(weights): weights[2]"``) when its shape is wrong or it holds NaN
    or inf."""
    new = np.asarray(new)
    if new.shape != tuple(shape):
        raise ValueError(
            f"{label} has shape {new.shape}, expected {tuple(shape)} "
            "(Keras layout: kernel (inputs, units), bias (units,)).")
    if new.dtype.kind in "fc" and not np.all(np.isfinite(new)):
        raise ValueError(
            f"{label} contains NaN or infinite values; a model with them can only output "
            "NaN. Pass finite numbers.")
    return new


def positive_int(value, name):
    """Return ``value`` as an int, or raise if it is not a whole number >= 1.

    name: how the argument is shown in the message, e.g. ``"fit(batch_size=...)"``.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(
            f"{name}: must be a positive integer (1, 2, 3, ...), got {value!r}."
        )
    return int(value)


def positive_float(value, name, example="0.01"):
    """Return ``value`` as a float, or raise if it is not a finite number > 0."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name}: must be a positive number such as {example}, got {value!r}.")
    value = float(value)
    if not math.isfinite(value) or value <= 0:
        raise ValueError(
            f"{name}: must be a finite number greater than 0 (for example {example}), "
            f"got {value!r}."
        )
    return value


def fraction(value, name, low_open=False, high_open=True, low=0.0, high=1.0):
    """Return ``value`` as a float in [low, high) (ends open or closed as asked), or raise."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise ValueError(f"{name}: must be a number between {low} and {high}, got {value!r}.")
    value = float(value)
    below = value <= low if low_open else value < low
    above = value >= high if high_open else value > high
    if below or above:
        left = "(" if low_open else "["
        right = ")" if high_open else "]"
        raise ValueError(f"{name}: must be in {left}{low}, {high}{right}, got {value!r}.")
    return value


def numeric_array(data, name, dtype):
    """Convert ``data`` (array, list, ...) to a float array of ``dtype``, or raise.

    Accepts numpy arrays of any real type (bool, int, float) and nested lists of numbers.
    Rejects strings, objects, complex numbers, ragged lists, NaN, inf, and empty data.
    Returns a C-contiguous array of ``dtype`` (a copy only when a conversion is needed).
    """
    if data is None:
        raise ValueError(f"{name} is missing: pass a 2-D array of numbers.")
    try:
        arr = np.asarray(data)
    except ValueError as err:  # ragged nested lists
        raise ValueError(
            f"{name} could not be turned into an array ({err}). Every row must have the "
            "same number of values."
        ) from None
    if arr.dtype.kind not in "biuf":
        kind = {"U": "text", "S": "bytes", "O": "Python objects", "c": "complex numbers"}.get(
            arr.dtype.kind, f"dtype {arr.dtype}")
        raise TypeError(
            f"{name} must hold real numbers, but it holds {kind} (dtype {arr.dtype}). "
            f"Convert it first, e.g. np.asarray({name}, dtype=float), after turning any "
            "categories into numbers."
        )
    if arr.size == 0 or arr.ndim == 0:
        raise ValueError(
            f"{name} is empty (shape {arr.shape}): pass at least one sample, one per row."
        )
    arr = np.ascontiguousarray(arr, dtype=dtype)
    if arr.dtype.kind == "f":
        finite = np.isfinite(arr)
        if not finite.all():
            bad = np.argwhere(~finite)
            first = tuple(int(i) for i in bad[0])
            raise ValueError(
                f"{name} contains {len(bad)} NaN or infinite value(s), the first at index "
                f"{first} (value {arr[first]}). Remove or fill them (e.g. with the column "
                "mean) before training or predicting."
            )
    return arr


def same_length(x, y, x_name="x", y_name="y"):
    """Raise if ``x`` and ``y`` do not have the same number of rows (samples)."""
    if x.shape[0] != y.shape[0]:
        hint = ""
        if y.ndim == 2 and y.shape[0] == 1 and y.shape[1] == x.shape[0]:
            hint = (f" {y_name} looks like one row of {y.shape[1]} values: use "
                    f"{y_name}.reshape(-1) (or {y_name}.T for a column).")
        raise ValueError(
            f"{x_name} has {x.shape[0]} samples (rows) but {y_name} has {y.shape[0]}: "
            f"{x_name} and {y_name} must have one row per sample, in the same order.{hint}"
        )


def number(value, name, low=None, high=None, integer=False):
    """Return ``value`` as a float (an int with ``integer=True``), or raise if it is not a
    finite number in [low, high] (either bound may be None).

    name: the argument as shown in the message, e.g. ``"DescentOnSurface(momentum=...)"``.
    """
    kind = "a whole number" if integer else "a number"
    ok_type = isinstance(value, numbers.Integral) if integer else isinstance(value, numbers.Real)
    if isinstance(value, (bool, np.bool_)) or not ok_type or not math.isfinite(value):
        raise ValueError(f"{name}: must be {kind}, got {value!r}.")
    if (low is not None and value < low) or (high is not None and value > high):
        if low is not None and high is not None:
            where = f"between {low} and {high}"
        elif low is not None:
            where = f"at least {low}"
        else:
            where = f"at most {high}"
        raise ValueError(f"{name}: must be {where}, got {value!r}.")
    return int(value) if integer else float(value)


def seed(value, name, allow_none=False):
    """Return ``value`` as an int >= 0 (a random seed), or None when ``allow_none`` and it
    is None; otherwise raise, naming the argument and giving an example."""
    if value is None and allow_none:
        return None
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral) \
            or value < 0:
        extra = " or None" if allow_none else ""
        raise ValueError(f"{name}: must be a non-negative integer (e.g. 0){extra}, "
                         f"got {value!r}.")
    return int(value)


def count(value, name, minimum=1, why=""):
    """Return ``value`` as an int >= ``minimum``, or raise; ``why`` explains the minimum,
    e.g. ``" (one per class)"``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral) \
            or value < minimum:
        raise ValueError(f"{name}: must be an integer >= {minimum}{why}, got {value!r}.")
    return int(value)
