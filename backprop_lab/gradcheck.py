"""Gradient checking: compare an analytic gradient with central finite differences.

The idea in one line: nudge one number up and down by a small h and watch the loss,

    dL/dx_i  ~  ( L(x + h e_i) - L(x - h e_i) ) / (2 h)          (central difference)

where e_i is 1 at coordinate i and 0 elsewhere.  The error of this estimate shrinks like
h**2, so with h = 1e-5 in float64 a correct gradient agrees to about 1e-9 or better.

We compare the two gradients with a norm-based relative error,

    rel_error(a, b) = ||a - b|| / max(||a|| + ||b||, tiny)

(tiny = the smallest positive float64).  Norms make one near-zero entry harmless: an
element-by-element relative error would call 1e-13 against 2e-13 a 100 % error.

How to read the number (the bands from Stanford's CS231n notes):

    > 1e-2          wrong        the gradient is almost certainly wrong
    1e-4 .. 1e-2    suspicious   look for a bug
    1e-7 .. 1e-4    kinks only   acceptable only if the function has kinks (ReLU, clipping)
    < 1e-7          good

Public functions:

    numerical_gradient(f, x, h)                  gradient of a scalar f at x, any shape
    numerical_gradient_array(f, x, dout, h)      sum(dout * d f(x) / dx) for an array-valued f
    rel_error(a, b)                              the number above
    check_function(f, grad, *inputs)             a scalar function and its gradient
    check_layer(forward, backward, *inputs)      a forward/backward pair (or a layer object)
    check_loss(loss, loss_grad, y_true, y_pred)  a loss and its gradient
    check_model(model, x, y)                     every parameter of a model

Every ``check_*`` returns a :class:`GradCheckReport`: per-parameter relative errors, the
worst parameter and index, the band, kinks crossed, warnings, and ``.passed``.  It prints
as a short table (and as an HTML table in a notebook).  The checks always evaluate in
float64 on copies of the inputs, whatever their dtype, and put every array back as it was.

The verdict: a parameter passes when its relative error is at most ``tol`` (1e-7, the
"good" band), or when the whole difference is within the rounding noise of the finite
differences (about eps * |L| / h per coordinate: tiny gradients are not called wrong).
A perturbation that crosses a kink (a ReLU input changing sign, a probability crossing a
clip edge) gives a meaningless finite difference: it is listed in the report and left out
of the verdict, not failed.
"""
import html
import inspect

import numpy as np

from . import _checks, functional, plug

TINY = np.finfo(np.float64).tiny
EPS = np.finfo(np.float64).eps

# Upper limits of the bands (norm-based relative error).
WRONG_ABOVE = 1e-2
SUSPICIOUS_ABOVE = 1e-4
GOOD_BELOW = 1e-7

# Probability losses clip p to [EPSILON, 1 - EPSILON]: the clip edges are kinks.
_PROBABILITY_LOSSES = {
    "binary_crossentropy",
    "categorical_crossentropy",
    "sparse_categorical_crossentropy",
}


# --------------------------------------------------------------------------------------
# Finite differences and the relative error
# --------------------------------------------------------------------------------------
def _require_float_array(x, name):
    if not isinstance(x, np.ndarray) or not np.issubdtype(x.dtype, np.floating):
        got = type(x).__name__ if not isinstance(x, np.ndarray) else f"array of {x.dtype}"
        raise TypeError(
            f"{name} must be a numpy array of floats (it is changed in place and restored), "
            f"got {got}. Convert it first, e.g. {name} = np.asarray({name}, dtype=float)."
        )


def _require_positive_h(h):
    if not (isinstance(h, (int, float, np.floating)) and h > 0 and np.isfinite(h)):
        raise ValueError(f"h={h!r}: the step h must be a small positive number, e.g. 1e-5.")


def _as_scalar(value, what="f"):
    arr = np.asarray(value, dtype=np.float64)
    if arr.size != 1:
        raise ValueError(
            f"{what} must return a single number, got an array of shape {arr.shape}. "
            "For an array-valued function use numerical_gradient_array(f, x, dout)."
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


def numerical_gradient(f, x, h=1e-5):
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


def numerical_gradient_array(f, x, dout, h=1e-5):
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
                f"f(x) has shape {out.shape} but dout has shape {dout.shape}; "
                "dout must have the shape of f's output."
            )
        return out

    grad = np.zeros(x.shape, dtype=np.float64)
    for index in np.ndindex(x.shape):
        out_plus, out_minus = _evaluate_around(evaluate, x, index, h)
        grad[index] = np.sum((out_plus - out_minus) * dout) / (2 * h)
    return grad


def rel_error(a, b):
    """Norm-based relative error ``||a - b|| / max(||a|| + ||b||, tiny)``.

    a, b: arrays (or numbers) of the same shape.  ||.|| is the Euclidean norm of all
    entries.  The result is 0 for identical inputs (also when both are zero), at most 1
    otherwise, and ``inf`` when either input holds a NaN or an infinity.
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"rel_error(a, b): shapes differ, {a.shape} and {b.shape}.")
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        return float("inf")
    scale = np.linalg.norm(a) + np.linalg.norm(b)
    return float(np.linalg.norm(a - b) / max(scale, TINY))


def error_band(rel):
    """The CS231n band of a relative error: 'good', 'kinks only', 'suspicious' or 'wrong'."""
    if not np.isfinite(rel) or rel > WRONG_ABOVE:
        return "wrong"
    if rel > SUSPICIOUS_ABOVE:
        return "suspicious"
    if rel > GOOD_BELOW:
        return "kinks only"
    return "good"


# --------------------------------------------------------------------------------------
# The report
# --------------------------------------------------------------------------------------
def _format_index(name, index):
    return f"{name}[{', '.join(str(int(i)) for i in index)}]"


class ParamCheck:
    """The result for one parameter (or input) of a gradient check.

    Attributes:
        name, shape: which array was checked.
        checked: how many coordinates were perturbed (all, or a sample).
        rel_error: rel_error(analytic, numerical) over the checked coordinates whose
            perturbation did not cross a kink.
        abs_error: ||analytic - numerical|| over the same coordinates.
        worst_index: index (a tuple) with the largest |analytic - numerical|.
        analytic, numerical: the two values at worst_index.
        kink_indices: indices whose perturbation crossed a kink (left out of rel_error).
        at_noise_level: True when the whole difference is within the rounding noise of
            the finite differences (then tiny gradients are not called wrong).
        band: error_band(rel_error), or 'good' when at_noise_level.
        passed: rel_error <= tol, or at_noise_level.
    """

    def __init__(self, name, shape, checked, rel_error, abs_error, worst_index, analytic,
                 numerical, kink_indices, at_noise_level, tol):
        self.name = name
        self.shape = tuple(shape)
        self.checked = checked
        self.rel_error = rel_error
        self.abs_error = abs_error
        self.worst_index = worst_index
        self.analytic = analytic
        self.numerical = numerical
        self.kink_indices = list(kink_indices)
        self.at_noise_level = at_noise_level
        self.band = "good" if at_noise_level else error_band(rel_error)
        self.passed = bool(at_noise_level or rel_error <= tol)

    def __repr__(self):
        return (f"ParamCheck({self.name!r}, rel_error={self.rel_error:.1e}, "
                f"band={self.band!r}, passed={self.passed})")


class GradCheckReport:
    """What a gradient check found.  Print it, or show it in a notebook.

    Attributes:
        title: what was checked.
        params: list of ParamCheck, one per checked array, in order.
        warnings: list of sentences (float32 inputs, NaN or inf seen, ...).
        h, tol: the step and the pass threshold used.
        num_checks, seed: the sample size per parameter (None = every coordinate).
    Properties: passed, worst, max_rel_error, band, kinks_crossed, num_kinks.
    ``report['W']`` returns the ParamCheck named 'W'.
    """

    def __init__(self, title, params, warnings, h, tol, num_checks, seed):
        self.title = title
        self.params = list(params)
        self.warnings = list(warnings)
        self.h = h
        self.tol = tol
        self.num_checks = num_checks
        self.seed = seed

    @property
    def passed(self):
        """True when every parameter passed (a NaN or inf anywhere fails its parameter)."""
        return all(p.passed for p in self.params)

    @property
    def worst(self):
        """The ParamCheck with the largest relative error.

        Failed parameters come first, then those whose error is above rounding noise.
        """
        if not self.params:
            return None
        return max(self.params, key=lambda p: (not p.passed, not p.at_noise_level,
                                               p.rel_error))

    @property
    def max_rel_error(self):
        """The relative error of the worst parameter."""
        return self.worst.rel_error if self.params else 0.0

    @property
    def band(self):
        """The band of the worst parameter."""
        return self.worst.band if self.params else "good"

    @property
    def num_kinks(self):
        """How many perturbations crossed a kink, over all parameters."""
        return sum(len(p.kink_indices) for p in self.params)

    @property
    def kinks_crossed(self):
        """True when at least one perturbation crossed a kink."""
        return self.num_kinks > 0

    def __getitem__(self, name):
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(f"no parameter named {name!r}; names: {[p.name for p in self.params]}")

    # ----- text -----
    def _headline(self):
        verdict = "PASSED" if self.passed else "FAILED"
        w = self.worst
        if w is None:
            return f"Gradient check of {self.title}: {verdict} (nothing to check)"
        return (f"Gradient check of {self.title}: {verdict} - worst {w.name}: "
                f"relative error {w.rel_error:.1e} ({w.band})")

    def _rows(self):
        header = ["parameter", "shape", "checked", "rel. error", "band", "worst at",
                  "analytic", "numerical", "kinks"]
        rows = []
        for p in self.params:
            checked = f"{p.checked}/{int(np.prod(p.shape))}"
            rows.append([
                p.name, str(p.shape), checked, f"{p.rel_error:.1e}", p.band,
                _format_index(p.name, p.worst_index) if p.worst_index is not None else "-",
                f"{p.analytic:.6g}", f"{p.numerical:.6g}", str(len(p.kink_indices)),
            ])
        return header, rows

    def _notes(self):
        notes = []
        for p in self.params:
            if p.kink_indices:
                shown = ", ".join(_format_index(p.name, i) for i in p.kink_indices[:3])
                more = " ..." if len(p.kink_indices) > 3 else ""
                notes.append(
                    f"{len(p.kink_indices)} perturbation(s) of {p.name} crossed a kink "
                    f"({shown}{more}); there the finite difference is unreliable, so "
                    "they are left out of the verdict.")
            if p.at_noise_level and error_band(p.rel_error) != "good":
                notes.append(
                    f"{p.name}: both gradients are at rounding-noise level "
                    f"(||analytic - numerical|| = {p.abs_error:.1e}); counted as good.")
        if self.num_checks is not None:
            notes.append(f"sampled mode: at most {self.num_checks} random coordinates "
                         f"per parameter (seed {self.seed}).")
        return notes

    def __repr__(self):
        header, rows = self._rows()
        widths = [max(len(r[i]) for r in [header] + rows) for i in range(len(header))]
        lines = [self._headline()]
        for r in [header] + rows:
            lines.append("  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip())
        for w in self.warnings:
            lines.append(f"warning: {w}")
        for n in self._notes():
            lines.append(f"note: {n}")
        lines.append("bands: > 1e-2 wrong; 1e-4..1e-2 suspicious; "
                     "1e-7..1e-4 acceptable only with kinks; < 1e-7 good")
        return "\n".join(lines)

    def _repr_html_(self):
        header, rows = self._rows()
        colour = "#1a7f37" if self.passed else "#cf222e"
        parts = [f'<div><p style="color:{colour}"><b>{html.escape(self._headline())}</b></p>',
                 "<table>", "<tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in header)
                 + "</tr>"]
        for r in rows:
            parts.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>")
        parts.append("</table>")
        for w in self.warnings:
            parts.append(f"<p>warning: {html.escape(w)}</p>")
        for n in self._notes():
            parts.append(f"<p>note: {html.escape(n)}</p>")
        parts.append("<p><small>bands: &gt; 1e-2 wrong; 1e-4..1e-2 suspicious; "
                     "1e-7..1e-4 acceptable only with kinks; &lt; 1e-7 good</small></p></div>")
        return "\n".join(parts)


# --------------------------------------------------------------------------------------
# The engine shared by every check
# --------------------------------------------------------------------------------------
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
    if not (isinstance(tol, (int, float)) and tol > 0):
        raise ValueError(f"tol={tol!r}: tol must be a positive number, e.g. 1e-7.")
    if num_checks is not None and (isinstance(num_checks, bool)
                                   or not isinstance(num_checks, (int, np.integer))
                                   or num_checks < 1):
        raise ValueError(
            f"num_checks={num_checks!r}: give a positive integer (coordinates sampled per "
            "parameter), or None to check every coordinate.")


def _run_check(title, params, loss, analytic, kink_inputs, warnings, h, tol, num_checks,
               seed):
    """Compare ``analytic`` with central differences of ``loss`` for every array in params.

    params: dict name -> float64 array; ``loss()`` reads them, we perturb them in place.
    analytic: dict name -> the analytic gradient (same shapes), computed beforehand.
    kink_inputs: None, or a callable returning the arrays whose sign flips mark a kink
        (ReLU inputs); a perturbation that flips any of them "crossed a kink".
    """
    rng = np.random.default_rng(seed)
    f0 = _as_scalar(loss(), "the loss")
    if not np.isfinite(f0):
        warnings.append(f"the loss is {f0} at the given point (NaN or inf): nothing to compare.")
    base = _kink_pattern(kink_inputs)
    saw_bad_loss = False

    def evaluate():
        return _as_scalar(loss(), "the loss"), _kink_pattern(kink_inputs)

    results = []
    for name, x in params.items():
        a_full = np.asarray(analytic[name], dtype=np.float64)
        if a_full.shape != x.shape:
            warnings.append(
                f"the analytic gradient of {name} has shape {a_full.shape}, but {name} has "
                f"shape {x.shape}: a gradient always has the shape of what it is taken of "
                "(a transposed result?).")
            results.append(ParamCheck(name, x.shape, 0, float("inf"), float("inf"), None,
                                      float("nan"), float("nan"), [], False, tol))
            continue
        if not np.all(np.isfinite(a_full)):
            warnings.append(f"the analytic gradient of {name} contains NaN or inf.")
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
        warnings.append("the loss returned NaN or inf at some perturbed point.")
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
    return [f"not float64: {listed}. The check ran on float64 copies: a finite-difference "
            f"check in {' or '.join(dtypes)} would show errors near 1e-3 even for a right "
            "gradient."] + rest


def _float64_copies(arrays, names, warnings):
    """float64 copies of numeric arrays; notes in ``warnings`` which were float32/16."""
    copies = []
    for name, value in zip(names, arrays):
        arr = np.asarray(value)
        if np.issubdtype(arr.dtype, np.floating) and arr.dtype != np.float64:
            warnings.append(_LowPrecision(name, arr.dtype.name))
        if not (np.issubdtype(arr.dtype, np.floating) or np.issubdtype(arr.dtype, np.integer)):
            raise TypeError(f"{name} must be a numeric array, got dtype {arr.dtype}.")
        copies.append(np.array(arr, dtype=np.float64, copy=True))
    return copies


def _input_names(fn, count, names):
    if names is not None:
        if len(names) != count:
            raise ValueError(f"names={names!r}: give one name per input ({count}).")
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
        got = len(grads) if isinstance(grads, (tuple, list)) else "one array"
        raise ValueError(f"{who} must return one gradient per input: expected {count}, got {got}.")
    return tuple(grads)


def _fn_name(fn):
    return getattr(fn, "__name__", type(fn).__name__)


# --------------------------------------------------------------------------------------
# The public checks
# --------------------------------------------------------------------------------------
def check_function(f, grad, *inputs, names=None, kink_inputs=None, h=1e-5, tol=1e-7,
                   num_checks=None, seed=0):
    """Check ``grad`` against central differences of a scalar function ``f``.

    f: ``f(*inputs)`` returns one number.
    grad: ``grad(*inputs)`` returns df/d(input) for each input: one array when there is
        one input, else a tuple in the order of the inputs.
    inputs: float arrays (or numbers).  They are copied to float64; the originals are
        never touched.
    names: names for the report (default: the parameter names of f).
    kink_inputs: optional ``kink_inputs(*inputs)`` returning arrays whose sign change marks
        a kink (for example the input of a ReLU).
    h, tol: the step and the pass threshold (norm-based relative error).
    num_checks: None checks every coordinate; an integer k checks k random coordinates
        per input (seeded by ``seed``), for big inputs.
    Returns a GradCheckReport.
    """
    _check_settings(h, tol, num_checks)
    names = _input_names(f, len(inputs), names)
    warnings = []
    xs = _float64_copies(inputs, names, warnings)
    analytic = _as_tuple(grad(*xs), len(xs), _fn_name(grad))
    analytic = {n: np.array(g, dtype=np.float64) for n, g in zip(names, analytic)}
    kinks = None if kink_inputs is None else (lambda: kink_inputs(*xs))
    return _run_check(_fn_name(f), dict(zip(names, xs)), lambda: f(*xs), analytic, kinks,
                      warnings, h, tol, num_checks, seed)


def _default_kinks(forward):
    """ReLU's input is its first argument: watch it when the forward looks like a ReLU."""
    if "relu" in _fn_name(forward).lower():
        return lambda *inputs: [inputs[0]]
    return None


def check_layer(forward, backward=None, *inputs, names=None, dout=None, kink_inputs="auto",
                h=1e-5, tol=1e-7, num_checks=None, seed=0):
    """Check a layer's backward pass against central differences of its forward pass.

    Two ways to call it:

    * a functional pair: ``check_layer(dense_forward, dense_backward, x, W, b)`` where
      ``out, cache = forward(*inputs)`` and ``backward(dout, cache)`` returns the gradient
      of each input (one array, or a tuple in the order of the inputs);
    * a layer object with ``forward`` and ``backward`` methods: ``check_layer(layer, x)``
      checks the gradient of the input and of every weight (see ``_check_layer_object``).

    The scalar being differentiated is ``L = sum(dout * out)``, with ``dout`` a fixed
    random array (standard normal, seeded by ``seed``) unless you pass one, so that dL/dout
    = dout exactly as in a real backward pass.
    kink_inputs: 'auto' watches the input of a forward whose name contains 'relu';
        None watches nothing; or a callable ``kink_inputs(*inputs)`` returning arrays.
    h, tol, num_checks, seed: as in check_function.
    Returns a GradCheckReport.
    """
    if hasattr(forward, "forward") and hasattr(forward, "backward"):
        layer_inputs = inputs if backward is None else (backward,) + inputs
        if len(layer_inputs) != 1:
            raise ValueError("check_layer(layer, x): give the layer and one input array x.")
        return _check_layer_object(forward, layer_inputs[0], dout=dout, h=h, tol=tol,
                                   num_checks=num_checks, seed=seed)
    if not callable(forward) or not callable(backward):
        raise TypeError(
            "check_layer(forward, backward, *inputs): give a forward function and its "
            "backward function, e.g. check_layer(dense_forward, dense_backward, x, W, b).")
    if not inputs:
        raise ValueError("check_layer: give at least one input array after backward.")
    _check_settings(h, tol, num_checks)
    names = _input_names(forward, len(inputs), names)
    warnings = []
    xs = _float64_copies(inputs, names, warnings)

    def run_forward():
        result = forward(*xs)
        if not (isinstance(result, tuple) and len(result) == 2):
            raise ValueError(f"{_fn_name(forward)} must return (out, cache).")
        return result

    out, cache = run_forward()
    out = np.asarray(out)
    if dout is None:
        dout = np.random.default_rng(seed).standard_normal(out.shape)
    dout = np.array(dout, dtype=np.float64)
    if dout.shape != out.shape:
        raise ValueError(f"dout has shape {dout.shape}, but the forward output has shape "
                         f"{out.shape}; they must match.")
    grads = _as_tuple(backward(dout.copy(), cache), len(xs), _fn_name(backward))
    analytic = {n: np.array(g, dtype=np.float64) for n, g in zip(names, grads)}
    if kink_inputs == "auto":
        kink_inputs = _default_kinks(forward)
    kinks = None if kink_inputs is None else (lambda: kink_inputs(*xs))

    def loss():
        return float(np.sum(np.asarray(run_forward()[0], dtype=np.float64) * dout))

    title = f"{_fn_name(forward)} / {_fn_name(backward)}"
    return _run_check(title, dict(zip(names, xs)), loss, analytic, kinks, warnings,
                      h, tol, num_checks, seed)


def _weight_names(layer):
    """Names of a layer's weight arrays that exist (e.g. ['kernel', 'bias'])."""
    return [n for n in getattr(layer, "weights_names", ()) if getattr(layer, n) is not None]


def _relu_inputs(layer, x):
    """The arrays fed to a ReLU inside ``layer`` for input x ([] if it has no ReLU)."""
    if getattr(layer, "activation", None) != "relu":
        return []
    if hasattr(layer, "kernel"):  # Dense: the ReLU sees z = x @ kernel + bias
        bias = layer.bias if getattr(layer, "bias", None) is not None else 0.0
        return [functional.dense_forward(x, layer.kernel, bias)[0]]
    return [x]  # Activation('relu'): the ReLU sees the input itself


class _Float64Weights:
    """Context manager: give layers float64 copies of their weights; put everything back.

    On exit every weight attribute gets its original array back (same object, same
    values), and the layers' ``grads`` and cached forward state are restored.
    """

    def __init__(self, layers, warnings, prefix=False):
        self.layers = layers
        self.warnings = warnings
        self.prefix = prefix
        self.params = {}  # "layer/weight" (or "weight" without prefix) -> float64 copy

    def __enter__(self):
        self.saved = []
        prefix = self.prefix
        for layer in self.layers:
            names = _weight_names(layer)
            state = {n: getattr(layer, n) for n in names}
            state["grads"] = getattr(layer, "grads", None)
            state["_cache"] = getattr(layer, "_cache", None)
            self.saved.append((layer, state))
            keys = [f"{layer.name}/{n}" if prefix else n for n in names]
            copies = _float64_copies([state[n] for n in names], keys, self.warnings)
            for n, key, c in zip(names, keys, copies):
                setattr(layer, n, c)
                self.params[key] = c
        return self

    def __exit__(self, *exc):
        for layer, state in self.saved:
            for n, value in state.items():
                if n in ("grads", "_cache") and not hasattr(layer, n):
                    continue
                setattr(layer, n, value)
        return False


def _check_layer_object(layer, x, dout=None, h=1e-5, tol=1e-7, num_checks=None, seed=0):
    """Check a layer object: ``a = layer.forward(x)``, ``dx = layer.backward(da)``.

    The layer must set ``layer.grads`` (one array per weight, in the order of
    ``layer.weights_names``) in ``backward``.  Its weights are swapped for float64
    copies during the check and put back afterwards.
    """
    _check_settings(h, tol, num_checks)
    warnings = []
    (x64,) = _float64_copies([x], ["x"], warnings)
    if x64.ndim != 2:
        raise ValueError(f"check_layer(layer, x): x must be 2-D (samples, features), "
                         f"got shape {x64.shape}.")
    if not getattr(layer, "built", True):
        layer.build(x64.shape)
    with _Float64Weights([layer], warnings) as weights:
        out = np.asarray(layer.forward(x64))
        if dout is None:
            dout = np.random.default_rng(seed).standard_normal(out.shape)
        dout = np.array(dout, dtype=np.float64)
        if dout.shape != out.shape:
            raise ValueError(f"dout has shape {dout.shape}, but the layer output has shape "
                             f"{out.shape}; they must match.")
        dx = layer.backward(dout.copy())
        analytic = {"x": np.array(dx, dtype=np.float64)}
        grads = list(getattr(layer, "grads", []))
        if len(grads) != len(weights.params):
            raise ValueError(
                f"{layer.name}.backward set {len(grads)} gradients in .grads but the layer has "
                f"{len(weights.params)} weights ({list(weights.params)}).")
        for key, g in zip(weights.params, grads):
            analytic[key] = np.array(g, dtype=np.float64)
        params = {"x": x64, **weights.params}

        def loss():
            return float(np.sum(np.asarray(layer.forward(x64), dtype=np.float64) * dout))

        kinks = (lambda: _relu_inputs(layer, x64)) if _relu_inputs(layer, x64) else None
        title = f"{type(layer).__name__} {getattr(layer, 'name', '')}".strip()
        return _run_check(title, params, loss, analytic, kinks, warnings, h, tol,
                          num_checks, seed)


def check_loss(loss, loss_grad, y_true, y_pred, *, kink_inputs="auto", h=1e-5, tol=1e-7,
               num_checks=None, seed=0):
    """Check ``loss_grad(y_true, y_pred)`` against central differences of ``loss``.

    loss: ``loss(y_true, y_pred)`` returns one number.
    loss_grad: returns dL/dy_pred, an array with the shape of y_pred.
    y_true: targets (one-hot rows, probabilities, or integer labels); never perturbed.
    y_pred: predictions (probabilities or logits), perturbed on a float64 copy.
    kink_inputs: 'auto' watches the clip edges p = 1e-7 and p = 1 - 1e-7 of the
        probability losses in ``functional``; None or a callable ``kink_inputs(y_pred)``.
    Returns a GradCheckReport.
    """
    if not (callable(loss) and callable(loss_grad)):
        raise TypeError("check_loss(loss, loss_grad, y_true, y_pred): loss and loss_grad "
                        "must be functions, e.g. mean_squared_error, mean_squared_error_grad.")
    _check_settings(h, tol, num_checks)
    warnings = []
    (p,) = _float64_copies([y_pred], ["y_pred"], warnings)
    y = np.array(y_true, copy=True)
    if np.issubdtype(y.dtype, np.floating):
        y = y.astype(np.float64)
    analytic = {"y_pred": np.array(loss_grad(y, p.copy()), dtype=np.float64)}
    if kink_inputs == "auto":
        kink_inputs = None
        if _fn_name(loss) in _PROBABILITY_LOSSES:
            def kink_inputs(q):
                return [q - functional.EPSILON, q - (1 - functional.EPSILON)]
    kinks = None if kink_inputs is None else (lambda: kink_inputs(p))
    return _run_check(_fn_name(loss), {"y_pred": p}, lambda: loss(y, p), analytic, kinks,
                      warnings, h, tol, num_checks, seed)


# --------------------------------------------------------------------------------------
# Models
# --------------------------------------------------------------------------------------
class GradientProblem:
    """The small protocol ``check_model`` works with, built from two plain functions.

    Any object with these members can be checked by ``check_model``:

        params          dict name -> float array.  The checker replaces each entry by a
                        float64 copy while it runs, perturbs the copies in place, and puts
                        the original arrays back at the end.
        loss()          the loss (one number) at the current values of params.
        gradients()     dict name -> dL/d(param) at the current values (same shapes).
        kink_inputs()   optional: a list of arrays whose sign change marks a kink, such as
                        every ReLU's input; return [] if there are none.

    ``GradientProblem(loss_fn, grad_fn, params, kink_fn=None)`` makes such an object from
    ``loss_fn(params) -> float``, ``grad_fn(params) -> dict`` and optionally
    ``kink_fn(params) -> list of arrays``.
    """

    def __init__(self, loss_fn, grad_fn, params, kink_fn=None):
        if not isinstance(params, dict) or not params:
            raise TypeError("GradientProblem(loss_fn, grad_fn, params): params must be a "
                            "non-empty dict mapping names to arrays, e.g. {'W': W, 'b': b}.")
        self.params = params
        self._loss_fn = loss_fn
        self._grad_fn = grad_fn
        self._kink_fn = kink_fn

    def loss(self):
        return self._loss_fn(self.params)

    def gradients(self):
        return self._grad_fn(self.params)

    def kink_inputs(self):
        return [] if self._kink_fn is None else list(self._kink_fn(self.params))


def _is_problem(obj):
    return all(hasattr(obj, attr) for attr in ("params", "loss", "gradients")) and \
        isinstance(getattr(obj, "params"), dict)


def check_model(model, x=None, y=None, *, h=1e-5, tol=1e-7, num_checks=None, seed=0):
    """Check every parameter gradient of a model against central differences.

    model: a compiled ``backprop_lab.models.Sequential``, with a small batch x (n, D) and
        its targets y; or any object following the ``GradientProblem`` protocol (x and y
        are then not used).
    For a Sequential, the parameters are named 'layer_name/kernel', 'layer_name/bias'; the
    analytic gradients are the model's own backward pass on (x, y), the very numbers
    ``fit`` would use for that batch (fused output gradients included); every ReLU input
    is watched for kinks.
    num_checks: None checks every weight; an integer k checks k random weights per
        parameter array (seeded by ``seed``): use it for big models.
    The check runs in float64 whatever the model's dtype and leaves the model as it was
    (same weight arrays, same values).  Returns a GradCheckReport.
    """
    _check_settings(h, tol, num_checks)
    if _is_problem(model):
        return _check_problem(model, _fn_name(model), h, tol, num_checks, seed)
    if hasattr(model, "layers") and hasattr(model, "loss_and_gradients"):
        return _check_sequential(model, x, y, h, tol, num_checks, seed)
    raise TypeError(
        f"check_model: cannot check a {type(model).__name__}. Give a compiled Sequential "
        "with x and y, or an object with params, loss() and gradients() (see "
        "GradientProblem).")


def _check_problem(problem, title, h, tol, num_checks, seed):
    warnings = []
    originals = dict(problem.params)
    names = list(originals)
    copies = _float64_copies([originals[n] for n in names], names, warnings)
    try:
        for n, c in zip(names, copies):
            problem.params[n] = c
        grads = problem.gradients()
        missing = [n for n in names if n not in grads]
        if missing:
            raise ValueError(f"gradients() returned no gradient for {missing}.")
        analytic = {n: np.array(grads[n], dtype=np.float64) for n in names}
        kinks = problem.kink_inputs if hasattr(problem, "kink_inputs") else None
        return _run_check(title, dict(zip(names, copies)), problem.loss, analytic, kinks,
                          warnings, h, tol, num_checks, seed)
    finally:
        for n in names:
            problem.params[n] = originals[n]


class _SequentialProblem:
    """A ``Sequential`` model and one batch (x, y) seen through the GradientProblem protocol.

    params: 'layer_name/kernel', 'layer_name/bias', ... -> the (float64) weight arrays.
    loss(): the forward pass and the compiled loss.
    gradients(): the model's own backward pass (``Sequential._loss_and_grads``, with the
        fused output gradient when the model uses one, exactly as in ``fit``: not while a
        learner's functions are plugged in with ``use_functions``).
    kink_inputs(): the input of every ReLU.
    """

    def __init__(self, model, x, y, params):
        self.model, self.x, self.y, self.params = model, x, y, params
        self.fused = None if plug.active() else \
            model.loss.fused_gradient(getattr(model.layers[-1], "activation", None))

    def _forward(self):
        out = self.x
        for layer in self.model.layers:
            out = layer.forward(out)
        return out

    def loss(self):
        return self.model.loss(self.y, self._forward())

    def gradients(self):
        _, _, grads = self.model._loss_and_grads(self.x, self.y, self.fused)
        return dict(zip(self.params, grads))

    def kink_inputs(self):
        watched, out = [], self.x
        for layer in self.model.layers:
            watched += _relu_inputs(layer, out)
            out = layer.forward(out)
        return watched


def _check_sequential(model, x, y, h, tol, num_checks, seed):
    """check_model for a compiled Sequential on the batch (x, y); see check_model."""
    if getattr(model, "loss", None) is None:
        raise ValueError("check_model(model, x, y): compile the model first "
                         "(model.compile(loss=..., optimizer=...)): the check needs its loss.")
    if x is None or y is None:
        raise ValueError("check_model(model, x, y): give a small batch x (n, D) and its "
                         "targets y; the gradients are those of the loss on that batch.")
    warnings = []
    (x64,) = _float64_copies([x], ["x"], warnings)
    if x64.ndim != 2:
        raise ValueError(f"check_model: x must be 2-D (samples, features), got {x64.shape}.")
    if not model.built:
        model.build((None, x64.shape[1]))
    if x64.shape[1] != model.input_features:
        raise ValueError(
            f"check_model: x has {x64.shape[1]} features (columns) but the model expects "
            f"{model.input_features} (the input_dim of its first layer).")
    y = np.asarray(y)
    if y.ndim >= 1:
        _checks.same_length(x64, y)
    y = y.astype(np.float64) if np.issubdtype(y.dtype, np.floating) else y
    y = model.loss.prepare_targets(y, model.output_units, "y")
    layers_with_weights = [layer for layer in model.layers if _weight_names(layer)]
    with _Float64Weights(layers_with_weights, warnings, prefix=True) as weights:
        problem = _SequentialProblem(model, x64, y, weights.params)
        analytic = problem.gradients()
        kinks = problem.kink_inputs if problem.kink_inputs() else None
        return _run_check(f"Sequential {model.name}", dict(weights.params), problem.loss,
                          analytic, kinks, _drop_x_warning(warnings), h, tol, num_checks, seed)


def _drop_x_warning(warnings):
    """Data given in float32 is not the model's precision: only weights matter here."""
    return [w for w in warnings if not (isinstance(w, _LowPrecision) and w.name == "x")]
