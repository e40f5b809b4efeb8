"""Gradient checking: compare an analytic gradient with central finite differences.

    numerical_gradient(f, x, h)                  gradient of a scalar f at x, any shape
    numerical_gradient_array(f, x, dout, h)      sum(dout * d f(x) / dx) for an array-valued f
    rel_error(a, b)                              ||a - b|| / (||a|| + ||b||)
    check_function(f, grad, *inputs)             a scalar function and its gradient
    check_layer(forward, backward, *inputs)      a forward/backward pair (or a layer object)
    check_loss(loss, loss_grad, y_true, y_pred)  a loss and its gradient
    check_model(model, x, y)                     every parameter of a model

The modules, in the order to read them:

    numerical.py     central differences and the relative error (start here)
    compare.py       what every check does: perturb, compare, note kinks and noise
    checks.py        functions, forward/backward pairs, layer objects, losses
    model_check.py   whole models (a Sequential, or the GradientProblem protocol)
    report.py        the report every check returns

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
from .checks import check_function, check_layer, check_loss
from .model_check import GradientProblem, check_model
from .numerical import (
    EPS,
    GOOD_BELOW,
    SUSPICIOUS_ABOVE,
    TINY,
    WRONG_ABOVE,
    error_band,
    numerical_gradient,
    numerical_gradient_array,
    rel_error,
)
from .report import GradCheckReport, ParamCheck, band_label

__all__ = [
    "EPS", "GOOD_BELOW", "SUSPICIOUS_ABOVE", "TINY", "WRONG_ABOVE", "GradCheckReport",
    "GradientProblem", "ParamCheck", "band_label", "check_function", "check_layer", "check_loss",
    "check_model", "error_band", "numerical_gradient", "numerical_gradient_array",
    "rel_error",
]
