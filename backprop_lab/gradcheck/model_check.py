"""``check_model``: every parameter gradient of a whole model, against central differences.

A ``Sequential`` is checked through its own ``compute_gradients`` (the very numbers ``fit``
uses for a batch); anything else through the small ``GradientProblem`` protocol.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

import numpy as np

from .._engine import checks as _checks
from ..i18n import _
from .checks import _Float64Weights, _relu_inputs, _weight_names
from .compare import _check_settings, _float64_copies, _fn_name, _LowPrecision, _run_check

if TYPE_CHECKING:  # names for the type hints only
    from numpy.typing import ArrayLike

    from .report import GradCheckReport


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

    def __init__(self, loss_fn: Callable[[dict], float], grad_fn: Callable[[dict], dict],
                 params: dict, kink_fn: Callable[[dict], list] | None = None):
        if not isinstance(params, dict) or not params:
            raise TypeError(_("GradientProblem(loss_fn, grad_fn, params): params must be a "
                              "non-empty dict mapping names to arrays, e.g. {'W': W, 'b': b}."))
        self.params = params
        self._loss_fn = loss_fn
        self._grad_fn = grad_fn
        self._kink_fn = kink_fn

    def loss(self) -> float:
        return self._loss_fn(self.params)

    def gradients(self) -> dict:
        return self._grad_fn(self.params)

    def kink_inputs(self) -> list:
        return [] if self._kink_fn is None else list(self._kink_fn(self.params))


def _is_problem(obj):
    return all(hasattr(obj, attr) for attr in ("params", "loss", "gradients")) and \
        isinstance(obj.params, dict)


def check_model(model: Any, x: np.ndarray | None = None, y: ArrayLike | None = None, *,
                h: float = 1e-5, tol: float = 1e-7, num_checks: int | None = None,
                seed: int = 0) -> GradCheckReport:
    """Check every parameter gradient of a model against central differences.

    model: a compiled ``backprop_lab.models.Sequential``, with a small batch x (n, D) and
        its targets y; or any object following the ``GradientProblem`` protocol (x and y
        are then not used).
    For a Sequential, the parameters are named 'layer_name/kernel', 'layer_name/bias'; the
    analytic gradients are the model's own backward pass on (x, y), the very numbers
    ``fit`` would use for that batch (training mode, fused output gradients and the
    penalties of regularizers included); every ReLU input is watched for kinks.  Dropout
    layers keep one mask for the whole check (the one their next training step would
    draw), and BatchNormalization's moving statistics are put back afterwards.
    num_checks: None checks every weight; an integer k checks k random weights per
        parameter array (seeded by ``seed``): use it for big models.
    The check runs in float64 whatever the model's dtype and leaves the model as it was
    (same weight arrays, same values).  Returns a GradCheckReport.
    """
    _check_settings(h, tol, num_checks)
    if _is_problem(model):
        return _check_problem(model, _fn_name(model), h, tol, num_checks, seed)
    if hasattr(model, "layers") and hasattr(model, "compute_gradients"):
        return _check_sequential(model, x, y, h, tol, num_checks, seed)
    raise TypeError(
        _("check_model: cannot check a {type_name}. Give a compiled Sequential "
          "with x and y, or an object with params, loss() and gradients() (see "
          "GradientProblem).").format(type_name=type(model).__name__))


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
            raise ValueError(_("gradients() returned no gradient for {missing}.")
                             .format(missing=missing))
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
    loss(): the forward pass in training mode and the compiled loss, with the penalties
        of the regularizers (what ``fit`` minimises).
    gradients(): the model's own ``compute_gradients`` on the batch, exactly as in ``fit``
        (with the fused output gradient when the model uses one).
    kink_inputs(): the input of every ReLU.

    Every pass starts from the layers' state at the start of the check (``get_state``):
    each Dropout layer draws the same mask every time, so the loss is one fixed function
    of the weights, and the moving statistics of BatchNormalization do not drift.
    """

    def __init__(self, model: Any, x: np.ndarray, y: ArrayLike | None, params: dict):
        self.model, self.x, self.y, self.params = model, x, y, params
        self.states = [layer.get_state() for layer in model.layers]

    def restore(self) -> None:
        """Put every layer's state back as it was at the start of the check."""
        for layer, state in zip(self.model.layers, self.states):
            layer.set_state(state)

    def loss(self) -> float:
        self.restore()
        out = self.model.forward(self.x, training=True)
        return self.model.compute_loss(self.x, self.y, out, training=True)

    def gradients(self) -> dict:
        self.restore()
        _, _, grads = self.model.compute_gradients(self.x, self.y, check_inputs=False)
        return dict(zip(self.params, grads))

    def kink_inputs(self) -> list:
        self.restore()
        watched, out = [], self.x
        for layer in self.model.layers:
            watched += _relu_inputs(layer, out)
            out = layer.forward(out, training=True)
        return watched


def _check_sequential(model, x, y, h, tol, num_checks, seed):
    """check_model for a compiled Sequential on the batch (x, y); see check_model."""
    if getattr(model, "loss", None) is None:
        raise ValueError(_("check_model(model, x, y): compile the model first "
                           "(model.compile(loss=..., optimizer=...)): the check needs its "
                           "loss."))
    if x is None or y is None:
        raise ValueError(_("check_model(model, x, y): give a small batch x (n, D) and its "
                           "targets y; the gradients are those of the loss on that batch."))
    warnings = []
    (x64,) = _float64_copies([x], ["x"], warnings)
    if x64.ndim != 2:
        raise ValueError(_("check_model: x must be 2-D (samples, features), got {shape}.")
                         .format(shape=x64.shape))
    if not model.built:
        model.build((None, x64.shape[1]))
    if x64.shape[1] != model.input_features:
        raise ValueError(
            _("check_model: x has {features} features (columns) but the model expects "
              "{expected} (the input_dim of its first layer).").format(
                  features=x64.shape[1], expected=model.input_features))
    y = np.asarray(y)
    if y.ndim >= 1:
        _checks.same_length(x64, y)
    y = y.astype(np.float64) if np.issubdtype(y.dtype, np.floating) else y
    y = model.loss.prepare_targets(y, model.output_units, "y")
    layers_with_weights = [layer for layer in model.layers if _weight_names(layer)]
    with _Float64Weights(layers_with_weights, warnings, prefix=True) as weights:
        problem = _SequentialProblem(model, x64, y, weights.params)
        try:
            analytic = problem.gradients()
            kinks = problem.kink_inputs if problem.kink_inputs() else None
            return _run_check(f"Sequential {model.name}", dict(weights.params), problem.loss,
                              analytic, kinks, _drop_x_warning(warnings), h, tol, num_checks,
                              seed)
        finally:
            problem.restore()  # the model leaves the check as it came


def _drop_x_warning(warnings):
    """Data given in float32 is not the model's precision: only weights matter here."""
    return [w for w in warnings if not (isinstance(w, _LowPrecision) and w.name == "x")]
