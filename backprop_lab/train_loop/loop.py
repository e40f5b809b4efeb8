"""``train``: mini-batch gradient descent over the model protocol, and how to read its
result (``classify_regime``, ``accuracy``, ``gradient_check``)."""
import math

import numpy as np

from .._engine import checks as _checks
from ..i18n import _

#: A loss above this (or not finite) counts as diverged: training stops there.
EXPLODED_LOSS = 1e6


def check_model_output(params, loss, grads):
    """Check one ``loss_and_grads`` result; return a message naming the problem, or None."""
    if not isinstance(grads, (list, tuple)) or len(grads) != len(params):
        fields = dict(n=len(params), type_name=type(grads).__name__)
        if isinstance(grads, (list, tuple)):
            return _("loss_and_grads must return (loss, grads) with one gradient per "
                     "parameter ({n}), got {type_name} of length {length}.").format(
                         length=len(grads), **fields)
        return _("loss_and_grads must return (loss, grads) with one gradient per "
                 "parameter ({n}), got {type_name}.").format(**fields)
    for i, (w, g) in enumerate(zip(params, grads)):
        g_shape = np.shape(g)
        if g_shape != w.shape:
            return _("grads[{i}] has shape {shape} but params[{i}] has shape "
                     "{expected}; each gradient must have its parameter's shape.").format(
                         i=i, shape=g_shape, expected=w.shape)
    try:
        float(loss)
    except (TypeError, ValueError):
        return _("the loss must be a number, got {type_name}.").format(
            type_name=type(loss).__name__)
    return None


def make_optimizer(learning_rate, momentum=0.0, optimizer=None):
    """The optimizer ``train`` updates the weights with, fresh (no state yet).

    optimizer: None for ``optimizers.SGD(learning_rate, momentum)``; or an ``Optimizer``
    object (a model's compiled one, say), of which a new one of the same kind and
    settings is made, with this (constant) learning rate in place of its own number or
    schedule.  The given object is not changed.
    """
    from .. import optimizers

    _checks.positive_float(learning_rate, "train(learning_rate=...)", "0.1")
    if optimizer is None:
        return optimizers.SGD(learning_rate=learning_rate, momentum=momentum)
    if not isinstance(optimizer, optimizers.Optimizer):
        raise TypeError(_("train(optimizer=...): expected a backprop_lab optimizer such as "
                          "SGD(momentum=0.9), got {optimizer!r}.").format(optimizer=optimizer)
                        + _checks.class_hint(optimizer))
    config = optimizers.serialize(optimizer)
    # The number given replaces the optimizer's learning rate, a schedule included: the
    # explorer compares constant learning rates.
    config["config"]["learning_rate"] = float(learning_rate)
    return optimizers.deserialize(config)


def train(params, loss_and_grads, x, y, learning_rate, epochs, batch_size=None,
          momentum=0.0, seed=0, optimizer=None):
    """Train with (mini-batch) gradient descent; never raises on NaN or overflow.

    params: list of arrays (not modified; a trained copy is returned).
    x: (N, D); y: (N,) integer labels.
    batch_size: None means the whole set each step (full-batch gradient descent).
    momentum: 0 is plain gradient descent; otherwise v <- momentum v - lr g; w <- w + v.
    optimizer: None, or an optimizer object whose kind and settings to use instead of
        plain SGD (see ``make_optimizer``; momentum is then ignored).  Every update is
        ``optimizer.apply``, so the rules are those of ``functional``.
    seed: the order of the mini-batches.

    Returns a dict of plain data:
        'params'         the parameters after the last finite step
        'losses'         (epochs_run,) the loss of each epoch, as Keras reports it: the
                         mean of the batch losses weighted by batch size (a short last
                         batch counts less), each computed just before its update
                         (stops at the first non-finite or exploded value)
        'initial_loss'   the loss on all of x before the first update (for full batches
                         the same number as losses[0]; nan if it could not be computed)
        'final_loss'     the loss on all of x after the last update (nan if diverged)
        'update_ratios'  (steps, n_params) ||w_new - w|| / ||w|| of every parameter
                         array at every step (for w = 0, just ||w_new - w||); for plain
                         gradient descent that is ||lr * grad|| / ||w||
        'diverged'       True if the loss or a weight became non-finite, or the loss
                         exceeded EXPLODED_LOSS
        'error'          None, or a message saying how the model's functions failed
    """
    opt = make_optimizer(learning_rate, momentum, optimizer)
    epochs = _checks.positive_int(epochs, "train(epochs=...)")
    n = x.shape[0]
    batch = n if batch_size is None else max(1, min(int(batch_size), n))
    rng = np.random.default_rng(seed)
    params = [np.array(w, copy=True) for w in params]  # updated in place from here on
    losses, ratios = [], []
    diverged, error, checked = False, None, False
    initial_loss = final_loss = float("nan")

    # Overflow, 0 * inf and the like are expected when the learning rate is too large;
    # they are detected below from the values, so numpy must not warn about them.
    with np.errstate(all="ignore"):
        try:
            if batch < n:  # the loss on all of x before any update (with mini-batches
                # the first epoch's mean loss is taken during that epoch's updates)
                loss, grads = loss_and_grads(params, x, y)
                error = check_model_output(params, loss, grads)
                if error:
                    return _result(params, losses, initial_loss, final_loss, ratios, False,
                                   error)
                checked, initial_loss = True, float(loss)
            for _epoch in range(epochs):
                order = rng.permutation(n) if batch < n else np.arange(n)
                batch_losses, batch_sizes = [], []
                for start in range(0, n, batch):
                    idx = order[start:start + batch]
                    loss, grads = loss_and_grads(params, x[idx], y[idx])
                    if not checked:
                        error = check_model_output(params, loss, grads)
                        if error:
                            return _result(params, losses, initial_loss, final_loss, ratios,
                                           False, error)
                        checked = True
                    loss = float(loss)
                    if not np.isfinite(loss) or loss > EXPLODED_LOSS:
                        diverged = True
                        break
                    batch_losses.append(loss)
                    batch_sizes.append(len(idx))
                    step_ratios = _update(opt, params, grads)
                    if step_ratios is None:
                        diverged = True
                        break
                    ratios.append(step_ratios)
                if batch_losses:
                    losses.append(_epoch_mean(batch_losses, batch_sizes))
                if diverged:
                    break
            if batch == n and losses:
                initial_loss = losses[0]
            if not diverged:
                final_loss = float(loss_and_grads(params, x, y)[0])
                if not np.isfinite(final_loss) or final_loss > EXPLODED_LOSS:
                    diverged, final_loss = True, float("nan")
        except Exception as exc:  # a learner's function failed: report it, do not crash
            error = describe_exception(exc)
    return _result(params, losses, initial_loss, final_loss, ratios, diverged, error)


def _update(optimizer, params, grads):
    """One update of ``params`` in place; returns ||w_new - w|| / ||w|| for each array, or
    None when a step is not finite (a new weight is not: the old ones were), after
    putting every array back as it was (training keeps the last finite step)."""
    before = [w.copy() for w in params]
    optimizer.apply([np.asarray(g, dtype=w.dtype) for g, w in zip(grads, params)], params)
    steps = [_norm(w - w0) for w, w0 in zip(params, before)]
    if not all(math.isfinite(s) for s in steps):
        for w, w0 in zip(params, before):
            w[...] = w0
        return None
    return [_ratio_of_norms(s, _norm(w0)) for s, w0 in zip(steps, before)]


def _epoch_mean(batch_losses, batch_sizes):
    """The epoch's loss as Keras reports it: batch losses weighted by batch size."""
    if len(batch_losses) == 1:  # full batch: the mean of one number
        return batch_losses[0]
    return float(np.average(batch_losses, weights=batch_sizes))


#: Thresholds of ``classify_regime`` (module constants so that a notebook can show them).
TOO_SLOW_FRACTION = 0.5     # 'too slow' if the loss ends above this share of its start
RISING_EPOCHS = 0.15        # 'oscillating' if the loss rose in more than this share
SPIKE_FACTOR = 1.5          # ... or at some point exceeded this multiple of its start


def classify_regime(losses, final_loss=None, diverged=False, initial_loss=None):
    """Name what a learning rate did, from the loss of each epoch.

    losses: (E,) losses, the first one before (or during) the first update.
    final_loss: the loss after the last update, if known (appended to losses).
    initial_loss: the loss before any update, if known: then it, not losses[0], is the
        start that the rules below compare with.  (With mini-batches the first epoch's
        mean loss is taken during the first epoch's updates, so a learning rate that
        wrecks the network in its first few steps already shows in losses[0].)
    Returns one of:
        'diverging'    the loss became non-finite or huge, or its recent level (the median
                       of the last 10% of epochs) is not below where it started
        'oscillating'  the loss still fell overall, but rose in more than 15% of the epochs
                       or spiked above 1.5 times its start: the steps overshoot
        'too slow'     the loss fell steadily but ended above half its start
        'good'         otherwise: a steady fall to below half the start
    """
    curve = [float(v) for v in losses]
    if final_loss is not None:
        curve.append(float(final_loss))
    curve = np.array(curve, dtype=np.float64)
    if diverged or curve.size == 0 or not np.all(np.isfinite(curve)):
        return "diverging"
    if curve.size < 2:
        return "too slow"
    start = curve[0]
    if initial_loss is not None and np.isfinite(initial_loss):
        start = float(initial_loss)
    recent = np.median(curve[-max(1, curve.size // 10):])
    if recent >= start:
        return "diverging"
    rises = np.diff(curve) > 0
    if rises.mean() > RISING_EPOCHS or curve.max() > SPIKE_FACTOR * start:
        return "oscillating"
    if curve[-1] > TOO_SLOW_FRACTION * start:
        return "too slow"
    return "good"


def describe_exception(exc):
    """'ValueError in dense_backward(): <message>': the error and the innermost Python
    function it came from (usually the learner's own function)."""
    import traceback

    frames = traceback.extract_tb(exc.__traceback__)
    if frames:
        return _("{error_type} in {function}(): {message}").format(
            error_type=type(exc).__name__, function=frames[-1].name, message=exc)
    return f"{type(exc).__name__}: {exc}"


def _norm(a):
    """||a||, the Euclidean norm of every entry (as np.linalg.norm, with less overhead)."""
    flat = a.reshape(-1)
    return math.sqrt(float(np.dot(flat, flat)))


def _ratio_of_norms(norm_step, norm_w):
    """||step|| / ||w||; for w = 0 (biases start at 0) the ratio is undefined: the step
    size itself."""
    return norm_step if norm_w == 0.0 else norm_step / norm_w


def _result(params, losses, initial_loss, final_loss, ratios, diverged, error):
    return {
        "params": params,
        "losses": np.array(losses, dtype=np.float64),
        "initial_loss": float(initial_loss),
        "final_loss": float(final_loss),
        "update_ratios": np.array(ratios, dtype=np.float64).reshape(len(ratios), len(params)),
        "diverged": bool(diverged),
        "error": error,
    }


def accuracy(predict, params, x, y):
    """Share of rows whose highest score is the true label (a float in [0, 1])."""
    with np.errstate(all="ignore"):
        scores = np.asarray(predict(params, x))
    return float(np.mean(np.argmax(scores, axis=1) == y))


# --------------------------------------------------------------------------------------
# A quick gradient check of a whole model (central differences, from gradcheck)
# --------------------------------------------------------------------------------------
def gradient_check(params, loss_and_grads, x, y, h=1e-5):
    """Compare the model's gradients with central differences of its loss.

    Every entry of every parameter is nudged (see ``gradcheck.numerical_gradient``), so
    keep the model and x small (a 2-16-2 network on 200 points takes a few ms).
    Returns ``gradcheck.rel_error`` between all analytic and all numerical gradients
    together: about 1e-7 or less when the gradients are right (up to about 1e-4 when a
    ReLU kink is crossed), of order 1 when they are wrong; inf if anything is not finite.
    """
    from ..gradcheck import numerical_gradient, rel_error

    params = [np.array(w, dtype=np.float64, copy=True) for w in params]
    with np.errstate(all="ignore"):
        _, grads = loss_and_grads(params, x, y)
        analytic, numeric = [], []
        for w, g in zip(params, grads):
            numeric.append(numerical_gradient(lambda _w: loss_and_grads(params, x, y)[0], w, h))
            analytic.append(np.asarray(g, dtype=np.float64).reshape(w.shape))
        return rel_error(np.concatenate([a.ravel() for a in analytic]),
                         np.concatenate([n.ravel() for n in numeric]))
