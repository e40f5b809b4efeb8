"""Callbacks with Keras's names and hooks, and the progress bar ``fit`` prints.

A callback is an object whose methods ``fit`` calls at fixed points:

    on_train_begin(logs)                      once, before the first epoch
    on_epoch_begin(epoch, logs)               epoch counts from 0
    on_train_batch_begin(batch, logs)         batch counts from 0 within the epoch
                                              (on_batch_begin/on_batch_end: older names)
    on_train_batch_end(batch, logs)           logs: running means so far this epoch
    on_epoch_end(epoch, logs)                 logs: the epoch's means, then 'val_' ones
    on_train_end(logs)
    on_test_begin / on_test_batch_begin / on_test_batch_end / on_test_end
    on_predict_begin / on_predict_batch_begin / on_predict_batch_end / on_predict_end
        (the test and predict hooks exist so Keras callbacks can be written unchanged;
        this library's evaluate and predict take no callbacks, so they are never called)

``self.model`` is the model being trained; setting ``self.model.stop_training = True``
ends training after the current batch.

Provided: ``History`` (always added; ``fit`` returns it), ``TerminateOnNaN`` (always
added unless you pass your own), ``EarlyStopping``, ``LambdaCallback``.
"""
import math
import sys
import time
import warnings

import numpy as np

from ._engine import checks as _checks


class Callback:
    """Base class: every hook does nothing.  Override the ones you need."""

    def __init__(self):
        self.model = None
        self.params = {}

    def set_model(self, model):
        self.model = model

    def set_params(self, params):
        self.params = params

    def on_train_begin(self, logs=None): pass
    def on_train_end(self, logs=None): pass
    def on_epoch_begin(self, epoch, logs=None): pass
    def on_epoch_end(self, epoch, logs=None): pass
    def on_batch_begin(self, batch, logs=None): pass
    def on_batch_end(self, batch, logs=None): pass

    def on_train_batch_begin(self, batch, logs=None):
        self.on_batch_begin(batch, logs)  # Keras's older name, still honoured

    def on_train_batch_end(self, batch, logs=None):
        self.on_batch_end(batch, logs)

    def on_test_begin(self, logs=None): pass
    def on_test_end(self, logs=None): pass
    def on_test_batch_begin(self, batch, logs=None): pass
    def on_test_batch_end(self, batch, logs=None): pass
    def on_predict_begin(self, logs=None): pass
    def on_predict_end(self, logs=None): pass
    def on_predict_batch_begin(self, batch, logs=None): pass
    def on_predict_batch_end(self, batch, logs=None): pass


def _overrides(callback, hook):
    old_name = {"on_train_batch_begin": "on_batch_begin",
                "on_train_batch_end": "on_batch_end"}.get(hook)
    return any(getattr(type(callback), name) is not getattr(Callback, name)
               for name in (hook, old_name) if name)


class CallbackList:
    """Calls a hook on every callback, in order.  Batch hooks are only called on the
    callbacks that override them, which keeps the cost per training step small."""

    def __init__(self, callbacks, model, params):
        self.callbacks = list(callbacks)
        for cb in self.callbacks:
            cb.set_model(model)
            cb.set_params(params)
        self.batch_begin = [cb for cb in self.callbacks if _overrides(cb, "on_train_batch_begin")]
        self.batch_end = [cb for cb in self.callbacks if _overrides(cb, "on_train_batch_end")]

    def call(self, hook, *args):
        for cb in self.callbacks:
            getattr(cb, hook)(*args)


class History(Callback):
    """Records the logs of every epoch.

    ``history.history``: dict name -> list of per-epoch values ('loss', metric names,
    'val_loss', ...).  ``history.epoch``: the epoch indices (from 0).
    ``history.params``: {'verbose', 'epochs', 'steps'}.
    ``history.diverged``: True if training stopped because the loss stopped being finite;
    ``history.diverged_at`` then holds {'epoch', 'batch' (both counted from 1), 'loss',
    'learning_rate'}.
    """

    def __init__(self):
        super().__init__()
        self.history = {}
        self.epoch = []
        self.diverged = False
        self.diverged_at = None

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)

    def __repr__(self):
        return f"<History epochs={len(self.epoch)} keys={list(self.history)}>"


class TerminateOnNaN(Callback):
    """Stops training as soon as the loss is NaN or infinite, and undoes the damage.

    At the start of every epoch it keeps a copy of the weights and of the optimizer's
    state.  When a batch's loss is not finite it stops training at once, restores that
    copy (so the model never keeps NaN weights), and prints which epoch and batch went
    wrong with a suggestion for the learning rate.  ``fit`` adds one unless you pass your
    own, so divergence is never silent.
    """

    def __init__(self):
        super().__init__()
        self.diverged_at = None
        self._snapshot = None
        self._epoch = 0

    def on_train_begin(self, logs=None):
        self.diverged_at = None

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch
        optimizer = getattr(self.model, "optimizer", None)
        self._snapshot = (
            self.model.get_weights(),
            optimizer.get_state() if optimizer is not None else [],
            optimizer.iterations if optimizer is not None else 0,
        )

    def on_train_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(loss):
            self.stop(batch, loss)

    def check_weights(self, batch):
        """Stop as for a bad loss if any weight is no longer finite (called by ``fit``
        after an epoch's last batch, whose update no later loss would reveal)."""
        if not all(np.isfinite(w).all() for w in self.model.weights):
            self.stop(batch, float("nan"), what="weights")

    def stop(self, batch, loss, what="loss"):
        self.model.stop_training = True
        weights, state, iterations = self._snapshot
        self.model.set_weights(weights)
        optimizer = getattr(self.model, "optimizer", None)
        if optimizer is not None:
            optimizer.set_state(state, self.model.weights, iterations)
        lr = getattr(optimizer, "learning_rate", None)
        self.diverged_at = {"epoch": self._epoch + 1, "batch": batch + 1, "loss": loss,
                            "learning_rate": lr, "what": what}

    def message(self):
        """The text printed when training diverged (empty if it did not)."""
        info = self.diverged_at
        if info is None:
            return ""
        steps = self.params.get("steps")
        where = f"epoch {info['epoch']}, batch {info['batch']}" + (
            f" of {steps}" if steps else "")
        what = (f"the loss became {info['loss']}" if info["what"] == "loss"
                else "the weights stopped being finite numbers")
        lr = info["learning_rate"]
        advice = (
            f"The learning rate ({lr:g}) is probably too large: try a smaller one, e.g. "
            f"learning_rate={lr / 10:g}." if lr is not None
            else "Try a smaller learning rate.")
        return (
            f"Training diverged at {where}: {what}, so training stopped. {advice} "
            f"The weights were restored to their values at the start of epoch "
            f"{info['epoch']}."
        )

    def on_train_end(self, logs=None):
        if self.diverged_at is not None:
            print(self.message())


class EarlyStopping(Callback):
    """Stop training when a monitored value has stopped improving (Keras's rules).

    monitor: a key of the epoch logs, e.g. 'val_loss' (default) or 'loss', 'val_accuracy'.
    min_delta: a change smaller than this does not count as an improvement.
    patience: epochs without improvement after which training stops.
    mode: 'min', 'max' or 'auto' (max if the name contains 'acc', else min).
    baseline: training also stops if the value does not beat this within ``patience``.
    restore_best_weights: at the end, put back the weights of the best epoch.
    start_from_epoch: epochs to wait before monitoring starts.
    After training, ``stopped_epoch`` is the epoch (from 0) at which it stopped (0 if it
    did not), ``best`` the best value and ``best_epoch`` its epoch.
    """

    def __init__(self, monitor="val_loss", min_delta=0.0, patience=0, verbose=0, mode="auto",
                 baseline=None, restore_best_weights=False, start_from_epoch=0):
        super().__init__()
        if mode not in ("auto", "min", "max"):
            raise _checks.unknown_name("mode", mode, ("auto", "min", "max"),
                                       "EarlyStopping(mode=...)")
        if not isinstance(monitor, str):
            raise ValueError(f"EarlyStopping(monitor={monitor!r}): must be the name of a value "
                             "in the epoch logs, e.g. 'val_loss'.")
        self.monitor = monitor
        self.patience = _checks.count(patience, "EarlyStopping(patience=...)", minimum=0)
        self.verbose = verbose
        self.baseline = baseline
        self.restore_best_weights = restore_best_weights
        self.start_from_epoch = start_from_epoch
        if mode == "auto":
            mode = "max" if "acc" in monitor else "min"
        self.mode = mode
        self.min_delta = abs(float(min_delta)) * (1 if mode == "max" else -1)
        self._better = np.greater if mode == "max" else np.less

    def on_train_begin(self, logs=None):
        self.wait = 0
        self.stopped_epoch = 0
        self.best = None
        self.best_weights = None
        self.best_epoch = 0

    def _is_improvement(self, value, reference):
        return reference is None or bool(self._better(value - self.min_delta, reference))

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn(
                f"EarlyStopping(monitor={self.monitor!r}): no such value in the epoch logs; "
                f"available: {', '.join(logs)}. (Use validation_split or validation_data "
                "for 'val_' values.)", UserWarning, stacklevel=2)
            return
        if epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = self.model.get_weights()
        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print("Restoring model weights from the end of the best epoch: "
                      f"{self.best_epoch + 1}.")
            self.model.set_weights(self.best_weights)


class LambdaCallback(Callback):
    """A callback from plain functions, e.g.
    ``LambdaCallback(on_epoch_end=lambda epoch, logs: print(epoch, logs['loss']))``.

    Accepts on_epoch_begin(epoch, logs), on_epoch_end(epoch, logs), on_train_begin(logs),
    on_train_end(logs), on_train_batch_begin(batch, logs), on_train_batch_end(batch, logs)
    (on_batch_begin / on_batch_end are Keras's older names for the last two).
    """

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_train_begin=None,
                 on_train_end=None, on_train_batch_begin=None, on_train_batch_end=None,
                 on_batch_begin=None, on_batch_end=None):
        super().__init__()
        self.functions = dict(on_epoch_begin=on_epoch_begin, on_epoch_end=on_epoch_end,
                              on_train_begin=on_train_begin, on_train_end=on_train_end,
                              on_train_batch_begin=on_train_batch_begin or on_batch_begin,
                              on_train_batch_end=on_train_batch_end or on_batch_end)
        for hook, fn in self.functions.items():
            if fn is not None and not callable(fn):
                raise ValueError(f"LambdaCallback({hook}=...): expected a function, got {fn!r}.")

    def _call(self, hook, *args):
        fn = self.functions[hook]
        if fn is not None:
            fn(*args)

    def on_epoch_begin(self, epoch, logs=None): self._call("on_epoch_begin", epoch, logs)
    def on_epoch_end(self, epoch, logs=None): self._call("on_epoch_end", epoch, logs)
    def on_train_begin(self, logs=None): self._call("on_train_begin", logs)
    def on_train_end(self, logs=None): self._call("on_train_end", logs)
    def on_train_batch_begin(self, batch, logs=None):
        self._call("on_train_batch_begin", batch, logs)

    def on_train_batch_end(self, batch, logs=None):
        self._call("on_train_batch_end", batch, logs)


# --------------------------------------------------------------------------------------
# Progress display
# --------------------------------------------------------------------------------------
def _in_jupyter_kernel():
    """True when running inside a Jupyter kernel (a notebook), without importing IPython."""
    ipython = sys.modules.get("IPython")
    get = getattr(ipython, "get_ipython", None)
    shell = get() if get is not None else None
    return getattr(shell, "kernel", None) is not None


def _dynamic_display():
    """True in a terminal or a notebook: redraw the line with carriage returns."""
    isatty = getattr(sys.stdout, "isatty", None)
    return bool(isatty and isatty()) or _in_jupyter_kernel()


def format_logs(logs):
    """' - accuracy: 0.5010 - loss: 0.6990' (Keras's formatting of values)."""
    parts = []
    for key, value in logs.items():
        if isinstance(value, (int, float, np.floating)) and abs(value) > 1e-3:
            parts.append(f" - {key}: {value:.4f}")
        else:
            parts.append(f" - {key}: {value:.4e}")
    return "".join(parts)


def format_step_time(seconds):
    """Time per step, always as '<number>ms/step' (e.g. '1ms/step', '0.12ms/step')."""
    ms = seconds * 1e3
    return f"{ms:.0f}ms/step" if ms >= 1 else f"{ms:.2f}ms/step"


class Progbar:
    """A Keras-like progress line: ``12/32 ━━━━━━━─────────── 0s 1ms/step - loss: 0.6990``.

    target: the number of steps.  verbose=1 redraws the line in place (throttled to every
    ``interval`` seconds) when the output is a terminal or a notebook, and otherwise
    prints only the final line; verbose=2 prints only the final line, in Keras's
    one-line form; verbose=0 prints nothing.
    """

    WIDTH = 20

    def __init__(self, target, verbose=1, interval=0.1, file=None):
        self.target = target
        self.verbose = verbose
        self.interval = interval
        self.file = file
        self.start = time.perf_counter()
        self._last_draw = 0.0
        self._shown = 0  # length of the partial line on screen
        self.dynamic = verbose == 1 and _dynamic_display()

    def _write(self, text):
        out = self.file or sys.stdout
        out.write(text)
        out.flush()

    def _line(self, current, logs, finished):
        elapsed = time.perf_counter() - self.start
        per_step = elapsed / max(current, 1)
        if self.verbose == 2:
            return f"{current}/{self.target} - {elapsed:.0f}s - {format_step_time(per_step)}" + \
                format_logs(logs)
        done = int(self.WIDTH * current / self.target) if self.target else self.WIDTH
        bar = "━" * done + "─" * (self.WIDTH - done)
        seconds = elapsed if finished else per_step * (self.target - current)  # else ETA
        return (f"{current}/{self.target} {bar} {seconds:.0f}s {format_step_time(per_step)}"
                + format_logs(logs))

    def update(self, current, logs=None, finalize=False):
        """Show progress after ``current`` steps; ``finalize`` ends the line."""
        if self.verbose == 0:
            return
        if not finalize:
            if not self.dynamic:
                return
            now = time.perf_counter()
            if now - self._last_draw < self.interval:
                return
            self._last_draw = now
        line = self._line(current, logs or {}, finalize)
        if self.dynamic:
            padding = " " * max(0, self._shown - len(line))
            self._write("\r" + line + padding + ("\n" if finalize else ""))
            self._shown = 0 if finalize else len(line)
        else:
            self._write(line + "\n")

    def close(self):
        """End a partly drawn line (e.g. when training stops in the middle of an epoch)."""
        if self._shown:
            self._write("\n")
            self._shown = 0


class ProgbarLogger(Callback):
    """Prints 'Epoch i/n' and a progress line per epoch (``fit(verbose=1 or 2)``)."""

    def __init__(self, verbose=1):
        super().__init__()
        self.verbose = verbose
        self.bar = None

    def on_epoch_begin(self, epoch, logs=None):
        print(f"Epoch {epoch + 1}/{self.params.get('epochs')}")
        self.bar = Progbar(self.params.get("steps"), self.verbose)

    def on_train_batch_end(self, batch, logs=None):
        self.bar.update(batch + 1, logs)

    def on_epoch_end(self, epoch, logs=None):
        self.bar.update(self.params.get("steps"), logs, finalize=True)
        self.bar = None

    def on_train_end(self, logs=None):
        if self.bar is not None:
            self.bar.close()
