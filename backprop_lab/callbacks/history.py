"""``History`` (what ``fit`` returns) and ``TerminateOnNaN`` (stops a diverged run and
restores the weights): the two callbacks every ``fit`` has."""
import math

import numpy as np

from ..i18n import _
from .callback import Callback


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
            optimizer.set_state(state, self.model.trainable_weights, iterations)
        lr = getattr(optimizer, "learning_rate", None)
        self.diverged_at = {"epoch": self._epoch + 1, "batch": batch + 1, "loss": loss,
                            "learning_rate": lr, "what": what}

    def message(self):
        """The text printed when training diverged (empty if it did not)."""
        info = self.diverged_at
        if info is None:
            return ""
        steps = self.params.get("steps")
        fields = dict(epoch=info["epoch"], batch=info["batch"], steps=steps, loss=info["loss"])
        fields["where"] = (_("epoch {epoch}, batch {batch} of {steps}") if steps
                           else _("epoch {epoch}, batch {batch}")).format(**fields)
        lr = info["learning_rate"]
        fields["advice"] = (
            _("The learning rate ({lr:g}) is probably too large: try a smaller one, e.g. "
              "learning_rate={smaller:g}.").format(lr=lr, smaller=lr / 10) if lr is not None
            else _("Try a smaller learning rate."))
        if info["what"] == "loss":
            message = _("Training diverged at {where}: the loss became {loss}, so training "
                        "stopped. {advice} The weights were restored to their values at the "
                        "start of epoch {epoch}.")
        else:
            message = _("Training diverged at {where}: the weights stopped being finite "
                        "numbers, so training stopped. {advice} The weights were restored to "
                        "their values at the start of epoch {epoch}.")
        return message.format(**fields)

    def on_train_end(self, logs=None):
        if self.diverged_at is not None:
            print(self.message())
