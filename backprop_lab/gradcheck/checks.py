"""Gradient checks of functions, forward/backward pairs, layer objects and losses."""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Sequence

import numpy as np

from .. import functional
from ..i18n import _
from .compare import _as_tuple, _check_settings, _float64_copies, _fn_name, _input_names, _run_check

if TYPE_CHECKING:  # names for the type hints only
    from numpy.typing import ArrayLike

    from .report import GradCheckReport

# Probability losses clip p to [EPSILON, 1 - EPSILON]: the clip edges are kinks.
_PROBABILITY_LOSSES = {
    "binary_crossentropy",
    "categorical_crossentropy",
    "sparse_categorical_crossentropy",
}


def check_function(f: Callable, grad: Callable, *inputs, names: Sequence[str] | None = None,
                   kink_inputs: Callable | str | None = None, h: float = 1e-5, tol: float = 1e-7,
                   num_checks: int | None = None, seed: int = 0) -> GradCheckReport:
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


def check_layer(forward: Callable, backward: Callable | np.ndarray | None = None, *inputs,
                names: Sequence[str] | None = None, dout: np.ndarray | None = None,
                kink_inputs: Callable | str | None = "auto", h: float = 1e-5, tol: float = 1e-7,
                num_checks: int | None = None, seed: int = 0) -> GradCheckReport:
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
            raise ValueError(_("check_layer(layer, x): give the layer and one input array x."))
        return _check_layer_object(forward, layer_inputs[0], dout=dout, h=h, tol=tol,
                                   num_checks=num_checks, seed=seed)
    if not callable(forward) or not callable(backward):
        raise TypeError(
            _("check_layer(forward, backward, *inputs): give a forward function and its "
              "backward function, e.g. check_layer(dense_forward, dense_backward, x, W, b)."))
    if not inputs:
        raise ValueError(_("check_layer: give at least one input array after backward."))
    _check_settings(h, tol, num_checks)
    names = _input_names(forward, len(inputs), names)
    warnings = []
    xs = _float64_copies(inputs, names, warnings)

    def run_forward():
        result = forward(*xs)
        if not (isinstance(result, tuple) and len(result) == 2):
            raise ValueError(_("{name} must return (out, cache).").format(
                name=_fn_name(forward)))
        return result

    out, cache = run_forward()
    out = np.asarray(out)
    if dout is None:
        dout = np.random.default_rng(seed).standard_normal(out.shape)
    dout = np.array(dout, dtype=np.float64)
    if dout.shape != out.shape:
        raise ValueError(_("dout has shape {dout_shape}, but the forward output has shape "
                           "{shape}; they must match.").format(dout_shape=dout.shape,
                                                               shape=out.shape))
    grads = _as_tuple(backward(dout.copy(), cache), len(xs), _fn_name(backward))
    analytic = {n: np.array(g, dtype=np.float64) for n, g in zip(names, grads)}
    if kink_inputs == "auto":
        kink_inputs = _default_kinks(forward)
    kinks = None if kink_inputs is None else (lambda: kink_inputs(*xs))

    def loss() -> float:
        return float(np.sum(np.asarray(run_forward()[0], dtype=np.float64) * dout))

    title = f"{_fn_name(forward)} / {_fn_name(backward)}"
    return _run_check(title, dict(zip(names, xs)), loss, analytic, kinks, warnings,
                      h, tol, num_checks, seed)


def _weight_names(layer):
    """Names of a layer's trainable weight arrays that exist (e.g. ['kernel', 'bias']);
    BatchNormalization's moving statistics are not trained, so they are not checked."""
    fixed = getattr(layer, "non_trainable_names", ())
    return [n for n in getattr(layer, "weights_names", ())
            if n not in fixed and getattr(layer, n) is not None]


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

    def __init__(self, layers: list, warnings: list, prefix: bool = False):
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
        raise ValueError(_("check_layer(layer, x): x must be 2-D (samples, features), "
                           "got shape {shape}.").format(shape=x64.shape))
    if not getattr(layer, "built", True):
        layer.build(x64.shape)
    with _Float64Weights([layer], warnings) as weights:
        out = np.asarray(layer.forward(x64))
        if dout is None:
            dout = np.random.default_rng(seed).standard_normal(out.shape)
        dout = np.array(dout, dtype=np.float64)
        if dout.shape != out.shape:
            raise ValueError(_("dout has shape {dout_shape}, but the layer output has shape "
                               "{shape}; they must match.").format(dout_shape=dout.shape,
                                                                   shape=out.shape))
        dx = layer.backward(dout.copy())
        analytic = {"x": np.array(dx, dtype=np.float64)}
        grads = list(getattr(layer, "grads", []))
        if len(grads) != len(weights.params):
            raise ValueError(
                _("{name}.backward set {n} gradients in .grads but the layer has "
                  "{weights} weights ({names}).").format(
                      name=layer.name, n=len(grads), weights=len(weights.params),
                      names=list(weights.params)))
        for key, g in zip(weights.params, grads):
            analytic[key] = np.array(g, dtype=np.float64)
        params = {"x": x64, **weights.params}

        def loss() -> float:
            return float(np.sum(np.asarray(layer.forward(x64), dtype=np.float64) * dout))

        kinks = (lambda: _relu_inputs(layer, x64)) if _relu_inputs(layer, x64) else None
        title = f"{type(layer).__name__} {getattr(layer, 'name', '')}".strip()
        return _run_check(title, params, loss, analytic, kinks, warnings, h, tol,
                          num_checks, seed)


def check_loss(loss: Callable, loss_grad: Callable, y_true: ArrayLike, y_pred: ArrayLike, *,
               kink_inputs: Callable | str | None = "auto", h: float = 1e-5, tol: float = 1e-7,
               num_checks: int | None = None, seed: int = 0) -> GradCheckReport:
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
        raise TypeError(_("check_loss(loss, loss_grad, y_true, y_pred): loss and loss_grad "
                          "must be functions, e.g. mean_squared_error, "
                          "mean_squared_error_grad."))
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
            def kink_inputs(q: np.ndarray) -> list:
                return [q - functional.EPSILON, q - (1 - functional.EPSILON)]
    kinks = None if kink_inputs is None else (lambda: kink_inputs(p))
    return _run_check(_fn_name(loss), {"y_pred": p}, lambda: loss(y, p), analytic, kinks,
                      warnings, h, tol, num_checks, seed)
