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
added unless you pass your own), ``EarlyStopping``, ``ReduceLROnPlateau``,
``LearningRateScheduler``, ``LambdaCallback``; ``ProgbarLogger`` prints the progress.

The modules follow Keras's layout: ``callback`` (Callback, CallbackList), ``history``
(History, TerminateOnNaN), ``monitor`` (EarlyStopping, ReduceLROnPlateau),
``learning_rate_scheduler``, ``lambda_callback`` and ``progbar`` (the progress display).
"""
from .callback import Callback, CallbackList
from .history import History, TerminateOnNaN
from .lambda_callback import LambdaCallback
from .learning_rate_scheduler import LearningRateScheduler
from .monitor import EarlyStopping, MonitorCallback, ReduceLROnPlateau
from .progbar import Progbar, ProgbarLogger, format_logs, format_step_time

__all__ = ["Callback", "CallbackList", "EarlyStopping", "History", "LambdaCallback",
           "LearningRateScheduler", "MonitorCallback", "Progbar", "ProgbarLogger",
           "ReduceLROnPlateau", "TerminateOnNaN", "format_logs", "format_step_time"]
