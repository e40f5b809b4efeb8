"""Callbacks (History, EarlyStopping, LambdaCallback, TerminateOnNaN) and the progress
display of fit/evaluate/predict."""
import re

import numpy as np
import pytest

from backprop_lab import callbacks, utils
from backprop_lab.callbacks import Callback, EarlyStopping, LambdaCallback, TerminateOnNaN
from backprop_lab.layers import Dense
from backprop_lab.models import Sequential
from backprop_lab.optimizers import SGD

# nbval's own rule for carriage returns: keep only what follows the last \r of a line
CARRIAGE = re.compile(r"^.*\r(?=[^\n])", re.MULTILINE)
TIMING = re.compile(r"\d+(\.\d+)?\s?(ms|us|µs|s)/step")  # tests/nbval_sanitize.cfg


def small_model(lr=0.1):
    utils.set_random_seed(0)
    model = Sequential([Dense(4, activation="relu", input_dim=3), Dense(1, activation="sigmoid")])
    model.compile(optimizer=SGD(learning_rate=lr), loss="binary_crossentropy",
                  metrics=["accuracy"])
    return model


def small_data(n=64):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 3))
    return x, (x[:, 0] > 0).astype(int)


class StubModel:
    """Just enough of a model for EarlyStopping."""

    def __init__(self):
        self.stop_training = False
        self.value = 0

    def get_weights(self):
        return [np.array([self.value])]

    def set_weights(self, weights):
        self.value = int(weights[0][0])


def drive(callback, values, key="val_loss"):
    """Feed one value per epoch; the stub's weight is the epoch number. Returns epochs run."""
    model = StubModel()
    callback.set_model(model)
    callback.on_train_begin()
    epochs = 0
    for epoch, v in enumerate(values):
        model.value = epoch
        callback.on_epoch_end(epoch, {key: v})
        epochs += 1
        if model.stop_training:
            break
    callback.on_train_end()
    return epochs, model


# ---- EarlyStopping --------------------------------------------------------------------
def test_early_stopping_patience():
    es = EarlyStopping(monitor="val_loss", patience=2)
    epochs, _ = drive(es, [1.0, 0.8, 0.9, 0.85, 0.7, 0.6])
    assert epochs == 4  # best at epoch 1; epochs 2 and 3 do not improve
    assert es.stopped_epoch == 3 and es.best == 0.8 and es.best_epoch == 1


def test_early_stopping_min_delta():
    es = EarlyStopping(monitor="loss", min_delta=0.1, patience=0)
    epochs, _ = drive(es, [1.0, 0.95, 0.5], key="loss")
    assert epochs == 2  # 0.95 is not an improvement of at least 0.1


def test_early_stopping_auto_mode_maximises_accuracy():
    es = EarlyStopping(monitor="val_accuracy", patience=1)
    epochs, _ = drive(es, [0.5, 0.6, 0.7, 0.65, 0.6, 0.9], key="val_accuracy")
    assert es.mode == "max" and epochs == 4 and es.best == 0.7


def test_early_stopping_restores_best_weights():
    es = EarlyStopping(monitor="val_loss", patience=1, restore_best_weights=True)
    _, model = drive(es, [1.0, 0.5, 0.7, 0.8, 0.1])
    assert model.value == 1  # weights from the end of epoch 1, the best


def test_early_stopping_baseline():
    values = [0.9, 0.8, 0.85, 0.7, 0.6]
    assert drive(EarlyStopping(monitor="val_loss", patience=2), values)[0] == 5
    # With a baseline, epochs that do not beat it count towards patience (Keras's rule).
    assert drive(EarlyStopping(monitor="val_loss", patience=2, baseline=0.5), values)[0] == 3


def test_early_stopping_in_fit():
    model = small_model()
    x, y = small_data()
    es = EarlyStopping(monitor="loss", min_delta=100.0, patience=1)
    history = model.fit(x, y, epochs=10, verbose=0, callbacks=[es])
    assert history.epoch == [0, 1]


def test_early_stopping_warns_for_a_missing_key():
    model = small_model()
    x, y = small_data()
    with pytest.warns(UserWarning, match="available: accuracy, loss"):
        model.fit(x, y, epochs=1, verbose=0, callbacks=[EarlyStopping(monitor="val_loss")])


def test_early_stopping_bad_mode():
    with pytest.raises(ValueError, match="mode"):
        EarlyStopping(mode="biggest")


# ---- hooks ----------------------------------------------------------------------------
def test_hooks_are_called_in_keras_order():
    calls = []

    class Recorder(Callback):
        def on_train_begin(self, logs=None): calls.append("train_begin")
        def on_epoch_begin(self, epoch, logs=None): calls.append(f"epoch_begin {epoch}")
        def on_train_batch_begin(self, batch, logs=None): calls.append(f"batch_begin {batch}")
        def on_train_batch_end(self, batch, logs=None): calls.append(f"batch_end {batch}")
        def on_epoch_end(self, epoch, logs=None): calls.append(f"epoch_end {epoch} {sorted(logs)}")
        def on_train_end(self, logs=None): calls.append("train_end")

    model = small_model()
    x, y = small_data(40)
    rec = Recorder()
    model.fit(x, y, epochs=2, batch_size=32, verbose=0, callbacks=[rec], validation_split=0.2)
    assert rec.model is model and rec.params["steps"] == 1
    keys = "['accuracy', 'loss', 'val_accuracy', 'val_loss']"
    assert calls == ["train_begin",
                     "epoch_begin 0", "batch_begin 0", "batch_end 0", f"epoch_end 0 {keys}",
                     "epoch_begin 1", "batch_begin 0", "batch_end 0", f"epoch_end 1 {keys}",
                     "train_end"]


def test_lambda_callback_and_batch_logs():
    model = small_model()
    x, y = small_data(64)
    batch_logs, epoch_logs = [], []
    cb = LambdaCallback(on_train_batch_end=lambda b, logs: batch_logs.append(dict(logs)),
                        on_epoch_end=lambda e, logs: epoch_logs.append(dict(logs)))
    model.fit(x, y, epochs=2, batch_size=16, verbose=0, callbacks=[cb])
    assert len(batch_logs) == 8 and len(epoch_logs) == 2
    # the last batch's running means are the epoch's values
    assert batch_logs[3] == epoch_logs[0] and batch_logs[7] == epoch_logs[1]


def test_lambda_callback_rejects_non_functions():
    with pytest.raises(ValueError, match="on_epoch_end"):
        LambdaCallback(on_epoch_end=3)


def test_user_terminate_on_nan_is_used_not_duplicated(capsys):
    model = small_model(lr=0.1)
    x, y = small_data()
    term = TerminateOnNaN()
    model.fit(x, y, epochs=1, verbose=0, callbacks=[term])
    assert term.model is model and term.diverged_at is None
    assert capsys.readouterr().out == ""


def test_fit_rejects_non_callbacks():
    model = small_model()
    x, y = small_data()
    with pytest.raises(ValueError, match="callbacks"):
        model.fit(x, y, verbose=0, callbacks=[print])


# ---- progress display -----------------------------------------------------------------
LINE1 = re.compile(
    r"^(\d+)/(\d+) ━+─* \d+s \d+(\.\d+)?ms/step - accuracy: \d\.\d{4} - loss: \d\.\d{4}$")
LINE2 = re.compile(
    r"^(\d+)/(\d+) - \d+s - \d+(\.\d+)?ms/step - accuracy: \d\.\d{4} - loss: \d\.\d{4}$")


def test_verbose_1_prints_epoch_headers_and_keras_like_lines(capsys):
    model = small_model()
    x, y = small_data(100)
    model.fit(x, y, epochs=2, batch_size=32, verbose=1)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Epoch 1/2" and lines[2] == "Epoch 2/2" and len(lines) == 4
    for line in (lines[1], lines[3]):
        m = LINE1.match(line)
        assert m, line
        assert m.group(1) == m.group(2) == "4"
        assert "━" * 20 in line


def test_verbose_2_prints_one_line_per_epoch(capsys):
    model = small_model()
    x, y = small_data(100)
    model.fit(x, y, epochs=2, verbose=2)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Epoch 1/2" and LINE2.match(lines[1]), lines


def test_verbose_0_prints_nothing(capsys):
    model = small_model()
    x, y = small_data()
    model.fit(x, y, epochs=2, verbose=0)
    model.evaluate(x, y, verbose=0)
    model.predict(x, verbose=0)
    assert capsys.readouterr().out == ""


def test_validation_values_are_shown(capsys):
    model = small_model()
    x, y = small_data(100)
    model.fit(x, y, epochs=1, verbose=2, validation_split=0.2)
    line = capsys.readouterr().out.splitlines()[1]
    assert re.search(r"- loss: \d\.\d{4} - val_accuracy: \d\.\d{4} - val_loss: \d\.\d{4}$", line)


def test_dynamic_display_redraws_with_carriage_returns(capsys, monkeypatch):
    """In a terminal or notebook the line is redrawn in place; once \\r-collapsed (as
    Jupyter displays it and nbval compares it) only the final line per epoch remains."""
    monkeypatch.setattr(callbacks.progbar, "_dynamic_display", lambda: True)
    monkeypatch.setattr(callbacks.Progbar, "__init__", _eager_init)
    model = small_model()
    x, y = small_data(100)
    model.fit(x, y, epochs=2, batch_size=10, verbose=1)
    raw = capsys.readouterr().out
    assert raw.count("\r") >= 10  # redrawn at (nearly) every batch with interval 0
    shown = CARRIAGE.sub("", raw).splitlines()
    assert [s.rstrip() for s in shown[::2]] == ["Epoch 1/2", "Epoch 2/2"]
    for line in shown[1::2]:
        assert LINE1.match(line.rstrip()), line
        assert line.startswith("10/10")
    assert "T/step" in TIMING.sub("T/step", shown[1])


_original_init = callbacks.Progbar.__init__


def _eager_init(self, target, verbose=1, interval=0.1, file=None):
    _original_init(self, target, verbose, 0.0, file)


def test_evaluate_and_predict_show_a_progress_line(capsys):
    model = small_model()
    x, y = small_data(64)
    model.evaluate(x, y)
    model.predict(x)
    lines = capsys.readouterr().out.splitlines()
    assert LINE1.match(lines[0]), lines
    assert re.match(r"^2/2 ━{20} \d+s \d+(\.\d+)?ms/step$", lines[1]), lines


def test_step_time_is_always_in_ms():
    assert callbacks.format_step_time(0.0123) == "12ms/step"
    assert callbacks.format_step_time(0.00004) == "0.04ms/step"
    assert callbacks.format_step_time(2.5) == "2500ms/step"


def test_divergence_message_follows_a_finished_line(capsys, monkeypatch):
    monkeypatch.setattr(callbacks.progbar, "_dynamic_display", lambda: True)
    monkeypatch.setattr(callbacks.Progbar, "__init__", _eager_init)
    utils.set_random_seed(0)
    model = Sequential([Dense(1, input_dim=2)])
    model.compile(optimizer=SGD(learning_rate=1e6), loss="mse")
    x = np.random.default_rng(0).normal(size=(320, 2)) * 100
    history = model.fit(x, x.sum(axis=1), epochs=3, batch_size=8, verbose=1)
    assert history.diverged
    shown = CARRIAGE.sub("", capsys.readouterr().out).splitlines()
    assert shown[-1].startswith("Training diverged at epoch 1")
    assert re.match(r"^\d+/40 ", shown[-2])  # the partial progress line, ended cleanly


def test_old_batch_hook_names_are_called():
    seen = []

    class Old(Callback):
        def on_batch_end(self, batch, logs=None):
            seen.append(batch)

    model = small_model()
    x, y = small_data(64)
    model.fit(x, y, epochs=1, batch_size=32, verbose=0, callbacks=[Old()])
    assert seen == [0, 1]
