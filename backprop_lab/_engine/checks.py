"""Input checks shared by the object shell.

Each function either returns a cleaned value or raises an error whose message names the
argument, says what was wrong, and says how to fix it.  The model calls them once per
``fit``/``evaluate``/``predict`` call, never once per batch.
"""
import difflib
import math
import numbers

import numpy as np

from ..i18n import N_, _


def unknown_name(kind, name, valid, where=None):
    """A ValueError for an unknown string identifier, listing the valid ones.

    kind: what was looked up, e.g. ``"loss"``.  name: what the user passed.
    valid: the accepted names.  where: the argument, e.g. ``"compile(loss=...)"``.
    """
    valid = sorted(valid)
    close = difflib.get_close_matches(str(name).lower(), valid, n=1)
    hint = _(" Did you mean {close!r}?").format(close=close[0]) if close else ""
    fields = dict(where=where, kind=_(kind), name=name, hint=hint, valid=", ".join(valid))
    if where:
        return ValueError(_("{where}: unknown {kind} {name!r}.{hint} Valid {kind} names: "
                            "{valid}.").format(**fields))
    return ValueError(_("unknown {kind} {name!r}.{hint} Valid {kind} names: {valid}.")
                      .format(**fields))


def class_hint(identifier):
    """A sentence for the common slip of passing a class (``SGD``) instead of an object
    (``SGD()``); '' for anything else."""
    if isinstance(identifier, type):
        name = identifier.__name__
        return _(" You passed the class {name} itself: create one with {name}(...).").format(
            name=name)
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
            _("{label} has shape {shape}, expected {expected} "
              "(Keras layout: kernel (inputs, units), bias (units,)).")
            .format(label=label, shape=new.shape, expected=tuple(shape)))
    if new.dtype.kind in "fc" and not np.all(np.isfinite(new)):
        raise ValueError(
            _("{label} contains NaN or infinite values; a model with them can only output "
              "NaN. Pass finite numbers.").format(label=label))
    return new


def positive_int(value, name):
    """Return ``value`` as an int, or raise if it is not a whole number >= 1.

    name: how the argument is shown in the message, e.g. ``"fit(batch_size=...)"``.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(
            _("{name}: must be a positive integer (1, 2, 3, ...), got {value!r}.")
            .format(name=name, value=value)
        )
    return int(value)


def positive_float(value, name, example="0.01"):
    """Return ``value`` as a float, or raise if it is not a finite number > 0."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(_("{name}: must be a positive number such as {example}, got "
                           "{value!r}.").format(name=name, example=example, value=value))
    value = float(value)
    if not math.isfinite(value) or value <= 0:
        raise ValueError(
            _("{name}: must be a finite number greater than 0 (for example {example}), "
              "got {value!r}.").format(name=name, example=example, value=value)
        )
    return value


def fraction(value, name, low_open=False, high_open=True, low=0.0, high=1.0):
    """Return ``value`` as a float in [low, high) (ends open or closed as asked), or raise."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise ValueError(_("{name}: must be a number between {low} and {high}, got "
                           "{value!r}.").format(name=name, low=low, high=high, value=value))
    value = float(value)
    below = value <= low if low_open else value < low
    above = value >= high if high_open else value > high
    if below or above:
        left = "(" if low_open else "["
        right = ")" if high_open else "]"
        raise ValueError(_("{name}: must be in {left}{low}, {high}{right}, got {value!r}.")
                         .format(name=name, left=left, low=low, high=high, right=right,
                                 value=value))
    return value


def numeric_array(data, name, dtype):
    """Convert ``data`` (array, list, ...) to a float array of ``dtype``, or raise.

    Accepts numpy arrays of any real type (bool, int, float) and nested lists of numbers.
    Rejects strings, objects, complex numbers, ragged lists, NaN, inf, and empty data.
    Returns a C-contiguous array of ``dtype`` (a copy only when a conversion is needed).
    """
    if data is None:
        raise ValueError(_("{name} is missing: pass a 2-D array of numbers.").format(name=name))
    try:
        arr = np.asarray(data)
    except ValueError as err:  # ragged nested lists
        raise ValueError(
            _("{name} could not be turned into an array ({error}). Every row must have the "
              "same number of values.").format(name=name, error=err)
        ) from None
    if arr.dtype.kind not in "biuf":
        kinds = {"U": N_("text"), "S": N_("bytes"), "O": N_("Python objects"),
                 "c": N_("complex numbers")}
        kind = (_(kinds[arr.dtype.kind]) if arr.dtype.kind in kinds
                else _("dtype {dtype}").format(dtype=arr.dtype))
        raise TypeError(
            _("{name} must hold real numbers, but it holds {kind} (dtype {dtype}). "
              "Convert it first, e.g. np.asarray({name}, dtype=float), after turning any "
              "categories into numbers.").format(name=name, kind=kind, dtype=arr.dtype)
        )
    if arr.size == 0 or arr.ndim == 0:
        raise ValueError(
            _("{name} is empty (shape {shape}): pass at least one sample, one per row.")
            .format(name=name, shape=arr.shape)
        )
    arr = np.ascontiguousarray(arr, dtype=dtype)
    if arr.dtype.kind == "f":
        finite = np.isfinite(arr)
        if not finite.all():
            bad = np.argwhere(~finite)
            first = tuple(int(i) for i in bad[0])
            raise ValueError(
                _("{name} contains {n} NaN or infinite value(s), the first at index "
                  "{first} (value {value}). Remove or fill them (e.g. with the column "
                  "mean) before training or predicting.")
                .format(name=name, n=len(bad), first=first, value=arr[first])
            )
    return arr


def same_length(x, y, x_name="x", y_name="y"):
    """Raise if ``x`` and ``y`` do not have the same number of rows (samples)."""
    if x.shape[0] != y.shape[0]:
        hint = ""
        if y.ndim == 2 and y.shape[0] == 1 and y.shape[1] == x.shape[0]:
            hint = _(" {y_name} looks like one row of {n} values: use "
                     "{y_name}.reshape(-1) (or {y_name}.T for a column).").format(
                         y_name=y_name, n=y.shape[1])
        raise ValueError(
            _("{x_name} has {x_rows} samples (rows) but {y_name} has {y_rows}: "
              "{x_name} and {y_name} must have one row per sample, in the same order.{hint}")
            .format(x_name=x_name, y_name=y_name, x_rows=x.shape[0], y_rows=y.shape[0],
                    hint=hint)
        )


def number(value, name, low=None, high=None, integer=False):
    """Return ``value`` as a float (an int with ``integer=True``), or raise if it is not a
    finite number in [low, high] (either bound may be None).

    name: the argument as shown in the message, e.g. ``"DescentOnSurface(momentum=...)"``.
    """
    ok_type = isinstance(value, numbers.Integral) if integer else isinstance(value, numbers.Real)
    fields = dict(name=name, value=value, low=low, high=high)
    if isinstance(value, (bool, np.bool_)) or not ok_type or not math.isfinite(value):
        message = (_("{name}: must be a whole number, got {value!r}.") if integer
                   else _("{name}: must be a number, got {value!r}."))
        raise ValueError(message.format(**fields))
    if (low is not None and value < low) or (high is not None and value > high):
        if low is not None and high is not None:
            message = _("{name}: must be between {low} and {high}, got {value!r}.")
        elif low is not None:
            message = _("{name}: must be at least {low}, got {value!r}.")
        else:
            message = _("{name}: must be at most {high}, got {value!r}.")
        raise ValueError(message.format(**fields))
    return int(value) if integer else float(value)


def seed(value, name, allow_none=False):
    """Return ``value`` as an int >= 0 (a random seed), or None when ``allow_none`` and it
    is None; otherwise raise, naming the argument and giving an example."""
    if value is None and allow_none:
        return None
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral) \
            or value < 0:
        message = (_("{name}: must be a non-negative integer (e.g. 0) or None, got {value!r}.")
                   if allow_none else
                   _("{name}: must be a non-negative integer (e.g. 0), got {value!r}."))
        raise ValueError(message.format(name=name, value=value))
    return int(value)


def count(value, name, minimum=1, why=""):
    """Return ``value`` as an int >= ``minimum``, or raise; ``why`` explains the minimum,
    e.g. ``" (one per class)"``, already translated (``_(...)``) by the caller."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral) \
            or value < minimum:
        raise ValueError(_("{name}: must be an integer >= {minimum}{why}, got {value!r}.")
                         .format(name=name, minimum=minimum, why=why, value=value))
    return int(value)
