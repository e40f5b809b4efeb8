"""The comparison every check runs: perturb each coordinate, compare with the analytic
gradient, note kinks and rounding noise, and build the report."""
import inspect

import numpy as np

from .._engine import checks as _checks
from ..i18n import N_, _
from .numerical import EPS, _as_scalar, _evaluate_around, _require_positive_h, rel_error
from .report import GradCheckReport, ParamCheck


def _kink_pattern(kink_inputs):
    """Which side of its kink every watched value is on (a list of boolean arrays)."""
    if kink_inputs is None:
        return None
    return [np.asarray(v) > 0 for v in kink_inputs()]


def _same_pattern(p, q):
    return all(np.array_equal(a, b) for a, b in zip(p, q))


def _choose_indices(shape, num_checks, rng):
    all_indices = list(np.ndindex(shape))
    if num_checks is None or num_checks >= len(all_indices):
        return all_indices
    picked = np.sort(rng.choice(len(all_indices), size=num_checks, replace=False))
    return [all_indices[i] for i in picked]


def _check_settings(h, tol, num_checks):
    _require_positive_h(h)
    _checks.positive_float(tol, _("tol=... (the largest relative error that passes)"), "1e-7")
    if num_checks is not None:
        _checks.count(num_checks, "num_checks=...", 1,
                      _(" (coordinates sampled per parameter; None checks every coordinate)"))


def _run_check(title, params, loss, analytic, kink_inputs, warnings, h, tol, num_checks,
               seed):
    """Compare ``analytic`` with central differences of ``loss`` for every array in params.

    params: dict name -> float64 array; ``loss()`` reads them, we perturb them in place.
    analytic: dict name -> the analytic gradient (same shapes), computed beforehand.
    kink_inputs: None, or a callable returning the arrays whose sign flips mark a kink
        (ReLU inputs); a perturbation that flips any of them "crossed a kink".
    """
    rng = np.random.default_rng(seed)
    f0 = _as_scalar(loss(), N_("the loss"))
    if not np.isfinite(f0):
        warnings.append(_("the loss is {value} at the given point (NaN or inf): nothing to "
                          "compare.").format(value=f0))
    base = _kink_pattern(kink_inputs)
    saw_bad_loss = False

    def evaluate():
        return _as_scalar(loss(), N_("the loss")), _kink_pattern(kink_inputs)

    results = []
    for name, x in params.items():
        a_full = np.asarray(analytic[name], dtype=np.float64)
        if a_full.shape != x.shape:
            warnings.append(
                _("the analytic gradient of {name} has shape {shape}, but {name} has "
                  "shape {expected}: a gradient always has the shape of what it is taken of "
                  "(a transposed result?).").format(name=name, shape=a_full.shape,
                                                   expected=x.shape))
            results.append(ParamCheck(name, x.shape, 0, float("inf"), float("inf"), None,
                                      float("nan"), float("nan"), [], False, tol))
            continue
        if not np.all(np.isfinite(a_full)):
            warnings.append(_("the analytic gradient of {name} contains NaN or inf.")
                            .format(name=name))
        indices = _choose_indices(x.shape, num_checks, rng)
        ana, num, kinks = [], [], []
        for index in indices:
            (f_plus, pat_plus), (f_minus, pat_minus) = _evaluate_around(evaluate, x, index, h)
            if not (np.isfinite(f_plus) and np.isfinite(f_minus)):
                saw_bad_loss = True
            crossed = base is not None and not (
                _same_pattern(pat_plus, base) and _same_pattern(pat_minus, base))
            ana.append(a_full[index])
            num.append((f_plus - f_minus) / (2 * h))
            kinks.append(crossed)
        ana, num, kinks = np.array(ana), np.array(num), np.array(kinks, dtype=bool)
        smooth = ~kinks
        smooth_indices = [i for i, k in zip(indices, kinks) if not k]
        a_s, n_s = ana[smooth], num[smooth]
        rel = rel_error(a_s, n_s)
        with np.errstate(invalid="ignore"):
            diff = np.abs(a_s - n_s)
        abs_err = float(np.linalg.norm(a_s - n_s)) if np.isfinite(rel) else float("inf")
        if len(smooth_indices):
            k = int(np.nanargmax(diff)) if np.any(np.isfinite(diff)) else 0
            worst_index, a_w, n_w = smooth_indices[k], float(a_s[k]), float(n_s[k])
        else:  # every checked perturbation crossed a kink
            worst_index, a_w, n_w = None, float("nan"), float("nan")
        # Rounding noise of one finite difference: about eps * |L| / h.
        noise = 10 * EPS * abs(f0) / h * np.sqrt(max(len(smooth_indices), 1))
        at_noise = bool(np.isfinite(abs_err) and abs_err <= noise)
        results.append(ParamCheck(
            name, x.shape, len(indices), rel, abs_err, worst_index, a_w, n_w,
            [i for i, k in zip(indices, kinks) if k], at_noise, tol))
    if saw_bad_loss:
        warnings.append(_("the loss returned NaN or inf at some perturbed point."))
    return GradCheckReport(title, results, _merge_precision_warnings(warnings), h, tol,
                           num_checks, seed)


class _LowPrecision:
    """Placeholder in a warnings list: array ``name`` had dtype ``dtype`` (not float64)."""

    def __init__(self, name, dtype):
        self.name, self.dtype = name, dtype


def _merge_precision_warnings(warnings):
    """Replace the _LowPrecision placeholders by one sentence naming them all."""
    low = [w for w in warnings if isinstance(w, _LowPrecision)]
    rest = [w for w in warnings if not isinstance(w, _LowPrecision)]
    if not low:
        return rest
    listed = ", ".join(f"{w.name} ({w.dtype})" for w in low)
    dtypes = sorted({w.dtype for w in low})
    return [_("not float64: {listed}. The check ran on float64 copies: a finite-difference "
              "check in {dtypes} would show errors near 1e-3 even for a right "
              "gradient.").format(listed=listed, dtypes=" or ".join(dtypes))] + rest


def _float64_copies(arrays, names, warnings):
    """float64 copies of numeric arrays; notes in ``warnings`` which were float32/16."""
    copies = []
    for name, value in zip(names, arrays):
        arr = np.asarray(value)
        if np.issubdtype(arr.dtype, np.floating) and arr.dtype != np.float64:
            warnings.append(_LowPrecision(name, arr.dtype.name))
        if not (np.issubdtype(arr.dtype, np.floating) or np.issubdtype(arr.dtype, np.integer)):
            raise TypeError(_("{name} must be a numeric array, got dtype {dtype}.")
                            .format(name=name, dtype=arr.dtype))
        copies.append(np.array(arr, dtype=np.float64, copy=True))
    return copies


def _input_names(fn, count, names):
    if names is not None:
        if len(names) != count:
            raise ValueError(_("names={names!r}: give one name per input ({count}).")
                             .format(names=names, count=count))
        return list(names)
    try:
        params = [p.name for p in inspect.signature(fn).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        params = []
    if len(params) >= count:
        return params[:count]
    return [f"input{i}" for i in range(count)]


def _as_tuple(grads, count, who):
    if count == 1 and not isinstance(grads, (tuple, list)):
        return (grads,)
    if not isinstance(grads, (tuple, list)) or len(grads) != count:
        got = len(grads) if isinstance(grads, (tuple, list)) else _("one array")
        raise ValueError(_("{who} must return one gradient per input: expected {count}, got "
                           "{got}.").format(who=who, count=count, got=got))
    return tuple(grads)


def _fn_name(fn):
    return getattr(fn, "__name__", type(fn).__name__)
