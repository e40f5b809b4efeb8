"""``LambdaCallback``: a callback made of plain functions."""
from ..i18n import _
from .callback import Callback


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
                raise ValueError(_("LambdaCallback({hook}=...): expected a function, got "
                                   "{value!r}.").format(hook=hook, value=fn))

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
