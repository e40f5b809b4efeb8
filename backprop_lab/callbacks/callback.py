"""``Callback``, the hooks ``fit`` calls, and ``CallbackList``, which calls them."""


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
