"""The one training loop of the shell: ``fit``, ``evaluate`` and ``predict``.

``Sequential.fit/evaluate/predict`` call these functions; nothing else trains a model.
One step of ``fit`` on a batch (x_b, y_b) is

    loss, outputs, grads = model.compute_gradients(x_b, y_b)   # forward, loss, backward
    model.optimizer.apply(grads, model.trainable_weights)      # the update rule

and an epoch is that step over the batches of a (shuffled) order of the samples.  The
data is checked once per call (shapes, NaN, label ranges, ...), never once per batch.
``fit`` runs the layers in training mode (``compute_gradients``: dropout drops, batch
normalization uses the batch's statistics); ``evaluate``, ``predict`` and the validation
after each epoch run them in inference mode.  The loss reported by ``fit`` and
``evaluate`` includes the penalties of the regularizers (``model.compute_loss``), as
Keras's does.

Strategy: for a stack of ``Dense`` layers (no regularizers) trained with plain SGD at a
constant learning rate, when no callback needs to see every batch, an epoch runs through
``fast_dense.DenseStackTrainer`` instead: the same arithmetic in arrays allocated once
(see that module).  Everything around the epoch
(callbacks, validation, divergence) is the same code for both.
"""
import math
import numbers
import warnings

import numpy as np

from .. import callbacks as callbacks_module
from .. import metrics as metrics_module
from .. import utils
from ..i18n import _
from . import checks as _checks
from . import fast_dense

DEFAULT_BATCH_SIZE = 32


def check_verbose(verbose, where):
    """0, 1 or 2 from ``verbose`` ('auto' means 1), or a ValueError naming ``where``."""
    if verbose == "auto":
        return 1
    if isinstance(verbose, bool):
        return int(verbose)
    if verbose in (0, 1, 2) and isinstance(verbose, (int, np.integer)):
        return int(verbose)
    raise ValueError(_("{where}(verbose={verbose!r}): must be 0 (silent), 1 (progress bar), "
                       "2 (one line per epoch) or 'auto' (= 1).").format(where=where,
                                                                        verbose=verbose))


def _batch_size(batch_size, where):
    if batch_size is None:
        return DEFAULT_BATCH_SIZE
    return _checks.positive_int(batch_size, f"{where}(batch_size=...)")


def _batches(n, batch_size):
    """(start, stop) of every batch of an epoch of n samples."""
    return [(start, min(start + batch_size, n)) for start in range(0, n, batch_size)]


# --------------------------------------------------------------------------------------
# fit
# --------------------------------------------------------------------------------------
def fit(model, x, y, batch_size=None, epochs=1, verbose="auto", callbacks=None,
        validation_split=0.0, validation_data=None, shuffle=True, initial_epoch=0):
    """Train ``model`` (a compiled ``Sequential``); see ``Sequential.fit``.  Returns the
    ``History``."""
    model._require_compiled("fit")
    batch_size = _batch_size(batch_size, "fit")
    epochs = _checks.positive_int(epochs, "fit(epochs=...)")
    if isinstance(initial_epoch, bool) or not isinstance(initial_epoch, numbers.Integral) \
            or not 0 <= initial_epoch < epochs:
        raise ValueError(
            _("fit(initial_epoch={initial_epoch!r}): must be an integer with "
              "0 <= initial_epoch < epochs (= {epochs}).").format(initial_epoch=initial_epoch,
                                                                 epochs=epochs)
        )
    verbose = check_verbose(verbose, "fit")
    if not isinstance(shuffle, (bool, np.bool_)):
        raise ValueError(_("fit(shuffle={shuffle!r}): must be True or False.")
                         .format(shuffle=shuffle))
    validation_split = _checks.fraction(validation_split, "fit(validation_split=...)")
    user_callbacks = _user_callbacks(callbacks)
    x, y = model._prepare_xy(x, y, "x", "y", "fit")
    x, y, x_val, y_val = _validation_set(model, x, y, validation_split, validation_data)
    _warn_if_output_mismatch(model)
    broken = _nonfinite_weights(model)
    if broken:
        raise ValueError(
            _("fit(): the weights {names} are not finite (NaN or inf) before "
              "training starts, so every output would be NaN. Build a new model, or put "
              "finite weights back with set_weights().").format(names=", ".join(broken))
        )

    # Everything below runs with checked data: no more checks per batch.
    n = x.shape[0]
    metric_objects = model._make_metrics()
    _warn_if_accuracy_on_logits(model, metric_objects)
    trackers = sorted([metrics_module.Mean("loss")] + metric_objects, key=lambda t: t.name)
    history = callbacks_module.History()
    terminate = next((cb for cb in user_callbacks
                      if isinstance(cb, callbacks_module.TerminateOnNaN)), None)
    extra = [] if terminate else [callbacks_module.TerminateOnNaN()]
    terminate = terminate or extra[0]
    progress = [callbacks_module.ProgbarLogger(verbose)] if verbose else []
    # History after the user's callbacks (as Keras): it records keys they add to the logs.
    cbs = callbacks_module.CallbackList(
        progress + user_callbacks + [history] + extra, model,
        {"verbose": verbose, "epochs": epochs, "steps": math.ceil(n / batch_size)})
    model.history = history
    model.stop_training = False
    fast = fast_dense.DenseStackTrainer.for_model(model, batch_size, cbs, terminate)
    cbs.call("on_train_begin", None)
    for epoch in range(initial_epoch, epochs):
        for tracker in trackers:
            tracker.reset_state()
        cbs.call("on_epoch_begin", epoch, None)
        order = utils.rng().permutation(n) if shuffle else None
        with np.errstate(all="ignore"):  # non-finite values are caught by TerminateOnNaN
            if fast is not None:
                last_step = _run_epoch_fast(model, fast, x, y, order, trackers, metric_objects,
                                            terminate)
            else:
                xs, ys = (x, y) if order is None else (x[order], y[order])
                last_step = _run_epoch(model, xs, ys, batch_size, trackers, metric_objects,
                                       cbs)
            if terminate.diverged_at is None:
                terminate.check_weights(last_step)
            if terminate.diverged_at is not None:
                break  # weights restored; the broken epoch is not recorded
            logs = {t.name: t.result() for t in trackers}
            if x_val is not None:
                val_logs = _evaluate_arrays(model, x_val, y_val, batch_size, metric_objects)
                logs.update({"val_" + k: v for k, v in val_logs.items()})
        cbs.call("on_epoch_end", epoch, logs)
        if model.stop_training:
            break
    cbs.call("on_train_end", None)
    history.diverged = terminate.diverged_at is not None
    history.diverged_at = terminate.diverged_at
    return history


def _user_callbacks(callbacks):
    if isinstance(callbacks, callbacks_module.Callback):
        callbacks = [callbacks]  # one callback, not in a list
    user_callbacks = list(callbacks or [])
    for cb in user_callbacks:
        if not isinstance(cb, callbacks_module.Callback):
            raise ValueError(_("fit(callbacks=...): {callback!r} is not a "
                               "backprop_lab.callbacks.Callback.").format(callback=cb)
                             + _checks.class_hint(cb))
    return user_callbacks


def _validation_set(model, x, y, validation_split, validation_data):
    """Return (x, y, x_val, y_val); x_val and y_val are None without validation."""
    if validation_data is not None:
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
            raise ValueError(_("fit(validation_data=...): must be a pair (x_val, y_val)."))
        x_val, y_val = model._prepare_xy(validation_data[0], validation_data[1],
                                         "validation_data[0]", "validation_data[1]", "fit")
        return x, y, x_val, y_val
    if validation_split == 0:
        return x, y, None, None
    # As Keras: the last fraction of the samples, taken before any shuffling.
    split_at = int(math.floor(x.shape[0] * (1.0 - validation_split)))
    if split_at == 0 or split_at == x.shape[0]:
        raise ValueError(
            _("fit(validation_split={split}): with {n} samples this "
              "leaves an empty training or validation set; use a split between "
              "{low:.3g} and {high:.3g}, or more data.").format(
                  split=validation_split, n=x.shape[0], low=1 / x.shape[0],
                  high=1 - 1 / x.shape[0])
        )
    return x[:split_at], y[:split_at], x[split_at:], y[split_at:]


def _run_epoch(model, xs, ys, batch_size, trackers, metric_objects, cbs):
    """One pass over (xs, ys) in batches, one gradient step each.  ``trackers`` holds the
    loss tracker (a Mean named 'loss') and the metrics.  Returns the last batch's index."""
    loss_tracker = next(t for t in trackers if t.name == "loss")
    weights = model.trainable_weights
    step = 0
    for step, (start, stop) in enumerate(_batches(xs.shape[0], batch_size)):
        xb, yb = xs[start:stop], ys[start:stop]
        for cb in cbs.batch_begin:
            cb.on_train_batch_begin(step, None)
        loss_value, out, grads = model.compute_gradients(xb, yb, check_inputs=False)
        model.optimizer.apply(grads, weights)
        loss_tracker.update_state(loss_value, xb.shape[0])  # weighted by batch size
        for m in metric_objects:
            m.update_state(yb, out)
        logs = {t.name: t.result() for t in trackers}
        for cb in cbs.batch_end:
            cb.on_train_batch_end(step, logs)
        if model.stop_training:
            break
    return step


def _run_epoch_fast(model, fast, x, y, order, trackers, metric_objects, terminate):
    """``_run_epoch`` done by a ``fast_dense.DenseStackTrainer``: the same steps, in place.

    order: this epoch's permutation of the samples, or None.  Every batch's outputs
    (computed before its update) are kept, and the loss and metrics computed once from
    all of them: the same batch-size-weighted means ``_run_epoch`` adds up.  A loss that
    is not finite stops training at its batch, as ``TerminateOnNaN`` does there.
    Returns the index of the last batch.
    """
    outputs = fast.train_epoch(x, y, order, model.optimizer.learning_rate)
    steps = fast.steps(x.shape[0])
    model.optimizer.iterations += steps
    ys = y if order is None else y[order]
    loss_value = model.loss(ys, outputs)
    if not math.isfinite(loss_value):
        batch, loss_value = fast_dense.first_nonfinite_batch(
            model.loss, ys, outputs, fast.batch_size) or (steps - 1, loss_value)
        terminate.stop(batch, loss_value)
        return batch
    next(t for t in trackers if t.name == "loss").update_state(loss_value, ys.shape[0])
    for m in metric_objects:
        m.update_state(ys, outputs)
    return steps - 1


# --------------------------------------------------------------------------------------
# evaluate and predict
# --------------------------------------------------------------------------------------
def _evaluate_arrays(model, x, y, batch_size, metric_objects, bar=None):
    """Loss and metrics over checked (x, y) in batches; a dict with sorted keys."""
    loss_tracker = metrics_module.Mean("loss")
    for m in metric_objects:
        m.reset_state()
    trackers = sorted([loss_tracker] + metric_objects, key=lambda t: t.name)
    batches = _batches(x.shape[0], batch_size)
    for step, (start, stop) in enumerate(batches):
        xb, yb = x[start:stop], y[start:stop]
        out = model.forward(xb, training=False)
        loss_tracker.update_state(model.compute_loss(xb, yb, out, training=False), xb.shape[0])
        for m in metric_objects:
            m.update_state(yb, out)
        if bar is not None:
            bar.update(step + 1, {t.name: t.result() for t in trackers},
                       finalize=step + 1 == len(batches))
    return {t.name: t.result() for t in trackers}


def evaluate(model, x, y, batch_size=None, verbose="auto", return_dict=False):
    """The loss and metrics of ``model`` on (x, y); see ``Sequential.evaluate``."""
    model._require_compiled("evaluate")
    batch_size = _batch_size(batch_size, "evaluate")
    verbose = check_verbose(verbose, "evaluate")
    x, y = model._prepare_xy(x, y, "x", "y", "evaluate")
    metric_objects = model._make_metrics()
    bar = callbacks_module.Progbar(math.ceil(x.shape[0] / batch_size), verbose) \
        if verbose else None
    logs = _evaluate_arrays(model, x, y, batch_size, metric_objects, bar)
    if return_dict:
        return logs
    if not metric_objects:
        return logs["loss"]
    return [logs["loss"]] + [logs[m.name] for m in metric_objects]


def predict(model, x, batch_size=None, verbose="auto"):
    """The outputs of ``model`` for x, in batches; see ``Sequential.predict``."""
    batch_size = _batch_size(batch_size, "predict")
    verbose = check_verbose(verbose, "predict")
    x = model._prepare_x(x, "x", "predict")
    batches = _batches(x.shape[0], batch_size)
    bar = callbacks_module.Progbar(len(batches), verbose) if verbose else None
    outputs = []
    for step, (start, stop) in enumerate(batches):
        outputs.append(model.forward(x[start:stop], training=False))
        if bar is not None:
            bar.update(step + 1, finalize=step + 1 == len(batches))
    return np.concatenate(outputs, axis=0)


# --------------------------------------------------------------------------------------
# Warnings and checks made once per fit
# --------------------------------------------------------------------------------------
def _nonfinite_weights(model):
    """Names ('layer/kernel', ...) of the weight arrays holding NaN or inf."""
    return [f"{layer.name}/{name}" for layer in model.layers for name in layer.weights_names
            if getattr(layer, name) is not None
            and not np.all(np.isfinite(getattr(layer, name)))]


def _warn_if_output_mismatch(model):
    """Warn about output layers that cannot work with the loss (once per fit)."""
    loss = model.loss
    wants = {"binary_crossentropy": ("sigmoid",), "categorical_crossentropy": ("softmax",),
             "sparse_categorical_crossentropy": ("softmax",)}.get(loss.key)
    activation = getattr(model.layers[-1], "activation", None)
    if activation == "softmax" and model.output_units == 1:
        warnings.warn(
            _("The last layer is a softmax over 1 unit: its output is always 1.0 whatever "
              "the input, so nothing can be learned. For two classes use Dense(1, "
              "activation='sigmoid') with loss='binary_crossentropy', or Dense(2, "
              "activation='softmax') with loss='sparse_categorical_crossentropy'."),
            UserWarning, stacklevel=4)
    elif wants and not loss.from_logits and activation not in wants:
        warnings.warn(
            _("loss='{loss}' expects probabilities but the last layer's activation "
              "is {activation!r}. Use activation='{wanted}' on the last layer, or "
              "{loss_class}(from_logits=True) if it outputs raw scores.").format(
                  loss=loss.name, activation=activation, wanted=wants[0],
                  loss_class=type(loss).__name__),
            UserWarning, stacklevel=4)
    elif wants and loss.from_logits and activation in wants:
        warnings.warn(
            _("{loss_class}(from_logits=True) applies {wanted} itself, but "
              "the last layer already has activation='{activation}': {wanted} would be "
              "applied twice. Use activation=None (linear) on the last layer, or the loss "
              "with from_logits=False.").format(loss_class=type(loss).__name__,
                                                wanted=wants[0], activation=activation),
            UserWarning, stacklevel=4)


def _warn_if_accuracy_on_logits(model, metric_objects):
    """Binary accuracy thresholds the output at 0.5, as Keras; on a logit z that means
    p = sigmoid(0.5) = 0.62, not 0.5.  Keep the number, but say so."""
    if model.loss.key == "binary_crossentropy" and model.loss.from_logits and any(
            isinstance(m, metrics_module.BinaryAccuracy) and m.threshold == 0.5
            for m in metric_objects):
        warnings.warn(
            _("Binary accuracy compares the model's output with 0.5, but with "
              "BinaryCrossentropy(from_logits=True) the output is a logit z, and z > 0.5 "
              "means p > 0.62. Pass metrics=[BinaryAccuracy(threshold=0.0)] "
              "(from backprop_lab.metrics) to count p > 0.5."),
            UserWarning, stacklevel=4)
