"""``LearningRateScheduler``: set the learning rate at the start of every epoch."""
import inspect
import math
import numbers

import numpy as np

from ..i18n import _
from .callback import Callback


def _takes_two_arguments(schedule):
    """Whether ``schedule`` can be called as schedule(epoch, lr) (Keras's newer form)."""
    try:
        params = inspect.signature(schedule).parameters.values()
    except (TypeError, ValueError):
        return True
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return len(positional) >= 2 or any(p.kind == p.VAR_POSITIONAL for p in params)


class LearningRateScheduler(Callback):
    """At the start of each epoch, set the optimizer's learning rate to
    ``schedule(epoch, lr)`` (epoch from 0, lr the current rate) or ``schedule(epoch)``
    (a function of one argument), as Keras does.

    verbose: 1 prints each new rate.  Each epoch's logs (and so the history) get
    'learning_rate'.  The optimizer's learning rate must be a number (a schedule's cannot
    be set).  This is per epoch; ``optimizers.schedules`` change the rate per batch.
    """

    def __init__(self, schedule, verbose=0):
        super().__init__()
        if not callable(schedule):
            raise ValueError(
                _("LearningRateScheduler(schedule={schedule!r}): expected a function "
                  "schedule(epoch, lr) returning the learning rate, e.g. "
                  "lambda epoch, lr: lr * 0.9.").format(schedule=schedule))
        self.schedule = schedule
        self.verbose = verbose

    def on_epoch_begin(self, epoch, logs=None):
        optimizer = self.model.optimizer
        if _takes_two_arguments(self.schedule):
            rate = self.schedule(epoch, float(optimizer.learning_rate))
        else:
            rate = self.schedule(epoch)
        if isinstance(rate, (bool, np.bool_)) or not isinstance(rate, numbers.Real) \
                or not math.isfinite(rate) or rate <= 0:
            raise ValueError(
                _("LearningRateScheduler: the schedule returned {rate!r} for epoch {epoch}; "
                  "it must return the learning rate, a number greater than 0.").format(
                      rate=rate, epoch=epoch))
        optimizer.learning_rate = float(rate)
        if self.verbose > 0:
            print(_("Epoch {epoch}: LearningRateScheduler setting learning rate to "
                    "{rate}.").format(epoch=epoch + 1, rate=float(rate)))

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = float(self.model.optimizer.learning_rate)
