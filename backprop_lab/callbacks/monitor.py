"""Callbacks that watch a value of the epoch logs: ``EarlyStopping`` and
``ReduceLROnPlateau`` (Keras's rules for both, on a shared ``MonitorCallback``)."""
import warnings

import numpy as np

from .._engine import checks as _checks
from ..i18n import N_, _
from .callback import Callback


class MonitorCallback(Callback):
    """Base class: watches ``logs[monitor]`` at the end of each epoch.

    mode: 'min', 'max' or 'auto' (max if the name contains 'acc', else min).
    min_delta: a change smaller than this does not count as an improvement: in 'min'
    mode a value improves on the best only if it is below best - min_delta.
    """

    def __init__(self, monitor, mode, min_delta, owner):
        super().__init__()
        if mode not in ("auto", "min", "max"):
            raise _checks.unknown_name(N_("mode"), mode, ("auto", "min", "max"),
                                       f"{owner}(mode=...)")
        if not isinstance(monitor, str):
            raise ValueError(_("{owner}(monitor={monitor!r}): must be the name of a value "
                               "in the epoch logs, e.g. 'val_loss'.").format(owner=owner,
                                                                            monitor=monitor))
        self.monitor = monitor
        self._owner = owner
        if mode == "auto":
            mode = "max" if "acc" in monitor else "min"
        self.mode = mode
        min_delta = _checks.number(min_delta, f"{owner}(min_delta=...)")
        self.min_delta = abs(min_delta) * (1 if mode == "max" else -1)
        self._better = np.greater if mode == "max" else np.less

    def _is_improvement(self, value, reference):
        return reference is None or bool(self._better(value - self.min_delta, reference))

    def _monitored(self, logs):
        """The monitored value from the epoch logs, or None (with a warning) if absent."""
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn(
                _("{owner}(monitor={monitor!r}): no such value in the epoch logs; "
                  "available: {available}. (Use validation_split or validation_data "
                  "for 'val_' values.)").format(owner=self._owner, monitor=self.monitor,
                                                available=", ".join(logs)),
                UserWarning, stacklevel=3)
        return current


class EarlyStopping(MonitorCallback):
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
        super().__init__(monitor, mode, min_delta, "EarlyStopping")
        self.patience = _checks.count(patience, "EarlyStopping(patience=...)", minimum=0)
        self.verbose = verbose
        self.baseline = baseline
        self.restore_best_weights = restore_best_weights
        self.start_from_epoch = start_from_epoch

    def on_train_begin(self, logs=None):
        self.wait = 0
        self.stopped_epoch = 0
        self.best = None
        self.best_weights = None
        self.best_epoch = 0

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        current = self._monitored(logs)
        if current is None:
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
            print(_("Epoch {epoch}: early stopping").format(epoch=self.stopped_epoch + 1))
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print(_("Restoring model weights from the end of the best epoch: {epoch}.")
                      .format(epoch=self.best_epoch + 1))
            self.model.set_weights(self.best_weights)


class ReduceLROnPlateau(MonitorCallback):
    """Multiply the learning rate by ``factor`` when a monitored value has stopped
    improving for ``patience`` epochs (Keras's rules).

    monitor: a key of the epoch logs ('val_loss' by default).  factor: in (0, 1).
    patience: epochs without improvement before the rate is reduced.  mode: as in
    ``EarlyStopping``.  min_delta: an improvement must beat the best value by more than
    this (Keras's default 1e-4, unlike EarlyStopping's 0).
    cooldown: after a reduction, epochs in which no plateau is counted.  As in Keras the
    counter is decreased before it is looked at, so cooldown=c leaves c - 1 epochs
    uncounted (cooldown=1 has no effect).  min_lr: the rate never goes below this (as
    Keras, the rate is cut only while it is above min_lr rounded to float32).
    Each epoch's logs (and so the history) get 'learning_rate': the rate used in that
    epoch, before any reduction at its end.  The optimizer's learning rate must be a
    number (a schedule's cannot be set).
    """

    def __init__(self, monitor="val_loss", factor=0.1, patience=10, verbose=0, mode="auto",
                 min_delta=1e-4, cooldown=0, min_lr=0.0):
        super().__init__(monitor, mode, min_delta, "ReduceLROnPlateau")
        factor = _checks.number(factor, "ReduceLROnPlateau(factor=...)")
        if not 0 < factor < 1:
            raise ValueError(
                _("ReduceLROnPlateau(factor={factor!r}): the new rate is the old one times "
                  "factor, so factor must be between 0 and 1 (for example 0.1 or 0.5).")
                .format(factor=factor))
        self.factor = factor
        self.patience = _checks.count(patience, "ReduceLROnPlateau(patience=...)", minimum=0)
        self.verbose = verbose
        self.cooldown = _checks.count(cooldown, "ReduceLROnPlateau(cooldown=...)", minimum=0)
        self.min_lr = _checks.number(min_lr, "ReduceLROnPlateau(min_lr=...)", low=0.0)
        self._reset()

    def _reset(self):
        self.best = None
        self.cooldown_counter = 0
        self.wait = 0

    def on_train_begin(self, logs=None):
        self._reset()

    def in_cooldown(self):
        return self.cooldown_counter > 0

    def on_epoch_end(self, epoch, logs=None):
        logs = logs if logs is not None else {}
        optimizer = self.model.optimizer
        logs["learning_rate"] = float(optimizer.learning_rate)
        current = self._monitored(logs)
        if current is None:
            return
        if self.in_cooldown():  # counted down first: the last cooldown epoch counts again
            self.cooldown_counter -= 1
            self.wait = 0
        if self._is_improvement(current, self.best):
            self.best = current
            self.wait = 0
        elif not self.in_cooldown():
            self.wait += 1
            if self.wait >= self.patience:
                self._reduce(optimizer, epoch)

    def _reduce(self, optimizer, epoch):
        old = float(optimizer.learning_rate)
        if old <= np.float32(self.min_lr):  # as Keras: compared with min_lr in float32
            return
        new = max(old * self.factor, self.min_lr)
        optimizer.learning_rate = new
        if self.verbose > 0:
            print(_("Epoch {epoch}: ReduceLROnPlateau reducing learning rate to {rate}.")
                  .format(epoch=epoch + 1, rate=new))
        self.cooldown_counter = self.cooldown
        self.wait = 0
