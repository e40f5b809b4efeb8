"""Comparing an outcome with the reference's: structure, shape, dtype, NaN, values."""
import numbers

import numpy as np

from ..i18n import _, ngettext

MAX_FAILURE_LINES = 2  # failing cases listed in a verdict; the rest are counted


def _values(n):
    return ngettext("{count} value", "{count} values", n).format(count=n)


def _describe(x):
    if x is None:
        return "None"
    if isinstance(x, np.ndarray):
        return _("an array of shape {shape}").format(shape=x.shape)
    if isinstance(x, tuple):
        return _("a tuple of {values}").format(values=_values(len(x)))
    if isinstance(x, list):
        return _("a list of {values}").format(values=_values(len(x)))
    if isinstance(x, (bool, np.bool_)):
        return _("a bool")
    if isinstance(x, numbers.Number):
        return _("a single number")
    return _("a {type}").format(type=type(x).__name__)


def _nonfinite_message(got, expected):
    bad = ~np.isfinite(got) & np.isfinite(expected)
    if bad.any():
        what = "NaN" if np.isnan(got[bad]).any() else "inf"
        return _("contains {what} where a finite number was expected").format(what=what)
    return None


def _difference(expected, got, ex, label=""):
    """None when got matches expected, else a one-line message.  Tuples, lists and dicts
    are compared element by element (each element labelled), arrays by shape, dtype and
    value, numbers by value, anything else with ``==``."""
    at = f"{label}: " if label else ""
    if got is None and expected is not None:
        return _("{at}returned None — is a `return` statement missing?").format(at=at)
    if isinstance(expected, (tuple, list)):
        return _sequence_difference(expected, got, ex, label, at)
    if isinstance(expected, dict):
        return _dict_difference(expected, got, ex, label, at)
    if isinstance(expected, np.ndarray):
        return _array_difference(expected, got, ex, at)
    if isinstance(expected, numbers.Number) and not isinstance(expected, (bool, np.bool_)):
        return _number_difference(expected, got, ex, at)
    try:
        same = bool(expected == got)
    except Exception:
        same = False
    if not same:
        return _("{at}returned {got}, expected {expected} {value}").format(
            at=at, got=_describe(got), expected=_describe(expected), value=f"{expected!r:.40}")
    return None


def _sequence_difference(expected, got, ex, label, at):
    if not isinstance(got, (tuple, list)):
        return _("{at}returned {got}, expected {values}").format(
            at=at, got=_describe(got), values=_values(len(expected)))
    named = not label and len(ex.outputs) == len(expected)
    if len(got) != len(expected):
        names = f" ({', '.join(ex.outputs)})" if named else ""
        return _("{at}returned {values}, expected {count}{names}").format(
            at=at, values=_values(len(got)), count=len(expected), names=names)
    for i, (e, g) in enumerate(zip(expected, got)):
        if label:
            sub = f"{label}[{i}]"
        else:
            sub = ex.outputs[i] if named else _("returned value {n}").format(n=i + 1)
        msg = _difference(e, g, ex, sub)
        if msg:
            return msg
    return None


def _dict_difference(expected, got, ex, label, at):
    if not isinstance(got, dict) or set(got) != set(expected):
        return _("{at}returned {got}, expected a dict with keys {keys}").format(
            at=at, got=_describe(got), keys=sorted(expected))
    for k in expected:
        msg = _difference(expected[k], got[k], ex, f"{label}[{k!r}]")
        if msg:
            return msg
    return None


def _array_difference(expected, got, ex, at):
    if not isinstance(got, np.ndarray):
        if (isinstance(got, numbers.Number) and not isinstance(got, (bool, np.bool_))
                and expected.size == 1 and expected.ndim >= 1):
            return _("{at}returned a single number where an array of shape {shape} is "
                     "expected: keep the array as it is (float(...), .item(), an index such "
                     "as [0, 0] or np.squeeze turn it into a number)").format(
                at=at, shape=expected.shape)
        return _("{at}returned {got}, expected a numpy array of shape {shape}").format(
            at=at, got=_describe(got), shape=expected.shape)
    if got.shape != expected.shape:
        return at + _shape_message(got.shape, expected.shape)
    message = _dtype_message(expected.dtype, got.dtype, ex)
    if message:
        return at + message
    return _compare_values(expected, got, ex, at)


def _shape_message(got, expected):
    """The message for an array of the wrong shape; it says so when the two shapes differ
    only by axes of length 1 (a squeeze, or an axis too many), or are each other's
    transpose."""
    if tuple(d for d in got if d != 1) == tuple(d for d in expected if d != 1):
        if len(got) < len(expected):
            return _("wrong shape {got}, expected {expected}: an axis of length 1 is "
                     "missing (np.squeeze, .ravel(), an index such as [:, 0], or a sum "
                     "without keepdims=True drops it); keep it").format(got=got,
                                                                        expected=expected)
        if len(got) > len(expected):
            return _("wrong shape {got}, expected {expected}: there is an extra axis of "
                     "length 1 (keepdims=True, reshape(-1, 1) or [:, None] adds one); "
                     "leave it out").format(got=got, expected=expected)
    if len(got) == 2 and got == expected[::-1]:
        return _("wrong shape {got}, expected {expected} (the transposed shape)").format(
            got=got, expected=expected)
    return _("wrong shape {got}, expected {expected}").format(got=got, expected=expected)


def _dtype_message(expected, got, ex):
    """None when an array's dtype is acceptable, else the message.  Integers of any width
    stand for integers; floats or booleans where integers (indices, labels, counts) are
    expected are always wrong, whatever ``ex.check_dtype`` says."""
    if got == expected:
        return None
    want, have = expected.kind, got.kind
    if want in "iu" and have in "iu":
        return None
    if want in "iu" and have == "f" and ex.check_dtype:
        return _("returned floats (dtype {dtype}) where integers are expected (indices, "
                 "class labels or counts): convert with .astype(int), or build the result "
                 "with a function that returns integers, such as np.argmax").format(dtype=got)
    if want in "iu" and have == "b":
        return _("returned booleans (True/False) where integers are expected: convert them "
                 "with .astype(int)")
    if not ex.check_dtype:
        return None
    if want in "fc" and have == "b":
        return _("returned booleans (True/False) where numbers are expected: multiply the "
                 "mask by the values, or convert it with .astype(float)")
    if want in "fc" and have in "iu":
        return _("returned integers (dtype {dtype}) where floats ({expected}) are expected: "
                 "compute the result from the float inputs, or convert it with "
                 ".astype(float)").format(dtype=got, expected=expected)
    return _("dtype {dtype}, expected {expected}").format(dtype=got, expected=expected)


def _number_difference(expected, got, ex, at):
    if isinstance(got, np.ndarray) and got.ndim == 0:
        got = got[()]
    if not isinstance(got, numbers.Number) or isinstance(got, (bool, np.bool_)):
        if isinstance(got, np.ndarray) and got.size == 1:
            return _("{at}returned an array of shape {shape}, expected a single number: "
                     "take the number out with float(...) or .item()").format(at=at,
                                                                             shape=got.shape)
        return _("{at}returned {got}, expected a single number").format(at=at,
                                                                         got=_describe(got))
    if isinstance(expected, numbers.Integral) and not isinstance(got, numbers.Integral):
        return _("{at}returned the float {value!r} where an integer is expected: use "
                 "int(...), // or a function that returns integers").format(at=at, value=got)
    return _compare_values(np.asarray(expected), np.asarray(got), ex, at)


def _compare_values(expected, got, ex, at):
    if expected.dtype.kind in "fc" or got.dtype.kind in "fc":
        expected_f = expected.astype(np.complex128 if expected.dtype.kind == "c" else np.float64)
        got_f = got.astype(np.complex128 if got.dtype.kind == "c" else np.float64)
        msg = _nonfinite_message(got_f, expected_f)
        if msg:
            return at + msg
        close = np.isclose(got_f, expected_f, rtol=ex.rtol, atol=ex.atol, equal_nan=True)
        if not close.all():
            with np.errstate(all="ignore"):
                err = np.abs(got_f - expected_f)[~close]
            err = err[np.isfinite(err)]
            if err.size:
                return _("{at}values differ (max abs error {error})").format(
                    at=at, error=f"{err.max():.2g}")
            return _("{at}values differ").format(at=at)
        return None
    if not np.array_equal(expected, got):
        return _("{at}values differ").format(at=at)
    return None


def _judge(ex, expected, outcome, left_out):
    """None if the outcome passes, else a message (without the case name)."""
    if outcome.timed_out:
        return _("took longer than {limit} s, the limit for one call (an endless loop?)").format(
            limit=f"{ex.time_limit:g}")
    if outcome.raised:
        if outcome.error_type == "NameError" and outcome.missing_name in left_out:
            return _("your function uses the global variable `{name}`; pass it as an "
                     "argument or define it inside the function").format(
                name=outcome.missing_name)
        text = outcome.error_text.strip().splitlines()[0] if outcome.error_text.strip() else ""
        if len(text) > 200:  # keep the end too: numpy puts the sizes there
            text = text[:130] + " ... " + text[-65:]
        if text:
            return _("raised {error_type}: {error}").format(error_type=outcome.error_type,
                                                            error=text)
        return _("raised {error_type}").format(error_type=outcome.error_type)
    if outcome.mutated:
        name = outcome.mutated[0]
        return _("changed its input `{name}` in place; build a new array instead of writing "
                 "into `{name}`").format(name=name)
    if ex.compare is not None:
        return ex.compare(expected, outcome.value)
    return _difference(expected, outcome.value, ex)


def _same_failure(ex, a, b):
    """Whether two failing outcomes fail in the same way (used to match mistakes)."""
    if a.timed_out or b.timed_out:
        return False
    if a.raised or b.raised:
        return a.error_type == b.error_type and a.error_text == b.error_text
    if a.mutated != b.mutated:
        return False
    try:
        if ex.compare is not None:
            return ex.compare(a.value, b.value) is None
        return _difference(a.value, b.value, ex) is None
    except Exception:
        return False
