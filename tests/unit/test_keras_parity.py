"""Parity with Keras 3 (torch backend) for the layers and options of notebook 07:
BatchNormalization, L1/L2 regularizers, AdamW, Adam(amsgrad=True), the learning-rate
schedules, LearningRateScheduler and ReduceLROnPlateau.

Both libraries start from the same weights and train on the same batches (shuffle=False),
in float64.  Keras 3 is itself about 2e-10 per step off an exact float64 step and keeps its
loss metric in float32, so the weights are compared to 1e-6 and the histories to a
relative 1e-6; the exact arithmetic is checked against hand-written float64 steps in
test_regularization.py and test_optimizers_schedules.py.

Keras is an optional extra (``pip install -r benchmarks/requirements.txt``, which brings CPU
torch): where it is missing these tests are skipped, and CI installs it and runs them
(see .ci/run; ``BACKPROP_LAB_REQUIRE_KERAS=1`` turns the skip into a failure there).
"""
import os

import numpy as np
import pytest

from backprop_lab import callbacks as our_callbacks
from backprop_lab import config, regularizers, utils
from backprop_lab import optimizers as ours_opt
from backprop_lab.layers import BatchNormalization, Dense
from backprop_lab.models import Sequential
from backprop_lab.optimizers import schedules

WEIGHT_ATOL = 1e-6
HISTORY_RTOL = 1e-6

#: Every report of a case: {case: (largest weight difference, largest history difference)}.
FIGURES = {}


@pytest.fixture(scope="module")
def keras():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    if os.environ.get("BACKPROP_LAB_REQUIRE_KERAS"):
        import keras  # CI: a missing Keras is a failure, not a skip
    else:
        keras = pytest.importorskip(
            "keras", reason="Keras 3 (torch backend) is not installed: the parity tests run "
            "where it is (pip install -r benchmarks/requirements.txt; CI does)")
    if keras.backend.backend() != "torch":
        pytest.skip(f"Keras runs on the {keras.backend.backend()} backend; these figures "
                    "are for torch (set KERAS_BACKEND=torch)")
    old_ours, old_theirs = config.floatx(), keras.config.floatx()
    config.set_floatx("float64")
    keras.config.set_floatx("float64")
    yield keras
    config.set_floatx(old_ours)
    keras.config.set_floatx(old_theirs)


@pytest.fixture(autouse=True)
def seeded():
    """Every test builds its layers (and so draws their initial weights) after this."""
    utils.set_random_seed(0)


def _data(seed=0, n=64, d=5):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, d))
    y = (x[:, 0] + 0.5 * x[:, 1] + 0.3 * rng.standard_normal(n) > 0).astype("float64")
    return x, y.reshape(-1, 1)


def _compare(name, ours, theirs, h_ours, h_theirs, check_keys=None):
    """Assert that weights and histories agree; record the largest differences."""
    w_ours, w_theirs = ours.get_weights(), [np.asarray(w) for w in theirs.get_weights()]
    assert [w.shape for w in w_ours] == [w.shape for w in w_theirs]
    weight_diff = max(float(np.max(np.abs(a - b))) for a, b in zip(w_ours, w_theirs))
    keys = check_keys or sorted(h_theirs)
    assert set(keys) <= set(h_ours), (sorted(h_ours), sorted(h_theirs))
    history_diff = 0.0
    for key in keys:
        a, b = np.asarray(h_ours[key], dtype=float), np.asarray(h_theirs[key], dtype=float)
        assert a.shape == b.shape, key
        rel = np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-12))
        history_diff = max(history_diff, float(rel))
        np.testing.assert_allclose(a, b, rtol=HISTORY_RTOL, atol=1e-9, err_msg=key)
    for a, b in zip(w_ours, w_theirs):
        np.testing.assert_allclose(a, b, rtol=0, atol=WEIGHT_ATOL)
    FIGURES[name] = (weight_diff, history_diff)
    print(f"\nparity {name}: largest weight difference {weight_diff:.2e}, "
          f"largest relative history difference {history_diff:.2e}")


def _fit_both(keras, name, our_layers, their_layers, our_optimizer, their_optimizer,
              loss="binary_crossentropy", epochs=3, batch_size=16, our_callbacks_=(),
              their_callbacks=(), validation=True, metrics=("accuracy",)):
    x, y = _data()
    x_val, y_val = _data(seed=1, n=32)
    ours = Sequential(our_layers)
    ours.compile(loss=loss, optimizer=our_optimizer, metrics=list(metrics))
    theirs = keras.Sequential([keras.Input((x.shape[1],))] + their_layers)
    theirs.compile(loss=loss, optimizer=their_optimizer, metrics=list(metrics))
    theirs.set_weights(ours.get_weights())
    kwargs = dict(epochs=epochs, batch_size=batch_size, shuffle=False, verbose=0)
    if validation:
        kwargs["validation_data"] = (x_val, y_val)
    h_ours = ours.fit(x, y, callbacks=list(our_callbacks_), **kwargs).history
    h_theirs = theirs.fit(x, y, callbacks=list(their_callbacks), **kwargs).history
    _compare(name, ours, theirs, h_ours, h_theirs)
    ev_ours = ours.evaluate(x_val, y_val, verbose=0, return_dict=True)
    ev_theirs = theirs.evaluate(x_val, y_val, verbose=0, return_dict=True)
    np.testing.assert_allclose(ev_ours["loss"], ev_theirs["loss"], rtol=HISTORY_RTOL)
    np.testing.assert_allclose(ours.predict(x_val, verbose=0),
                               np.asarray(theirs.predict(x_val, verbose=0)), atol=1e-6)
    return ours, theirs, h_ours, h_theirs


def test_batch_normalization_matches_keras(keras):
    """Batch statistics in fit, moving statistics in validation, evaluate and predict;
    the four arrays in Keras's order, the moving ones updated with momentum as the weight
    of the old value and the biased variance."""
    ours, theirs, *_ = _fit_both(
        keras, "BatchNormalization",
        [Dense(8, activation="relu", input_dim=5), BatchNormalization(momentum=0.8),
         Dense(1, activation="sigmoid")],
        [keras.layers.Dense(8, activation="relu"), keras.layers.BatchNormalization(momentum=0.8),
         keras.layers.Dense(1, activation="sigmoid")],
        ours_opt.SGD(learning_rate=0.1, momentum=0.5),
        keras.optimizers.SGD(learning_rate=0.1, momentum=0.5))
    moving = ours.layers[1].moving_variance
    assert not np.allclose(moving, 1.0)  # the moving statistics did move


def test_batch_normalization_without_center_and_scale_matches_keras(keras):
    _fit_both(keras, "BatchNormalization(center=False, scale=False)",
              [Dense(6, activation="tanh", input_dim=5),
               BatchNormalization(center=False, scale=False, epsilon=1e-2),
               Dense(1, activation="sigmoid")],
              [keras.layers.Dense(6, activation="tanh"),
               keras.layers.BatchNormalization(center=False, scale=False, epsilon=1e-2),
               keras.layers.Dense(1, activation="sigmoid")],
              ours_opt.Adam(learning_rate=0.01), keras.optimizers.Adam(learning_rate=0.01))


def test_l2_and_l1_penalties_match_keras(keras):
    """The penalties are part of the reported loss (fit, validation, evaluate) and of the
    gradients, as in Keras."""
    _fit_both(keras, "L2 and L1L2 regularizers",
              [Dense(8, activation="relu", input_dim=5,
                     kernel_regularizer=regularizers.l2(0.05),
                     bias_regularizer=regularizers.l1_l2(l1=0.01, l2=0.02)),
               Dense(1, activation="sigmoid", kernel_regularizer=regularizers.L1(0.01))],
              [keras.layers.Dense(8, activation="relu",
                                  kernel_regularizer=keras.regularizers.l2(0.05),
                                  bias_regularizer=keras.regularizers.l1_l2(l1=0.01, l2=0.02)),
               keras.layers.Dense(1, activation="sigmoid",
                                  kernel_regularizer=keras.regularizers.L1(0.01))],
              ours_opt.SGD(learning_rate=0.2), keras.optimizers.SGD(learning_rate=0.2))


@pytest.mark.parametrize("amsgrad", [False, True])
def test_adamw_matches_keras(keras, amsgrad):
    name = "AdamW" + ("(amsgrad=True)" if amsgrad else "")
    _fit_both(keras, name,
              [Dense(8, activation="relu", input_dim=5), Dense(1, activation="sigmoid")],
              [keras.layers.Dense(8, activation="relu"),
               keras.layers.Dense(1, activation="sigmoid")],
              ours_opt.AdamW(learning_rate=0.02, weight_decay=0.1, amsgrad=amsgrad),
              keras.optimizers.AdamW(learning_rate=0.02, weight_decay=0.1, amsgrad=amsgrad))


def test_adam_amsgrad_matches_keras(keras):
    _fit_both(keras, "Adam(amsgrad=True)",
              [Dense(8, activation="tanh", input_dim=5), Dense(1, activation="sigmoid")],
              [keras.layers.Dense(8, activation="tanh"),
               keras.layers.Dense(1, activation="sigmoid")],
              ours_opt.Adam(learning_rate=0.05, amsgrad=True),
              keras.optimizers.Adam(learning_rate=0.05, amsgrad=True))


def _schedule_pairs(keras):
    theirs = keras.optimizers.schedules
    return {
        "ExponentialDecay": (schedules.ExponentialDecay(0.3, decay_steps=4, decay_rate=0.5),
                             theirs.ExponentialDecay(0.3, decay_steps=4, decay_rate=0.5)),
        "ExponentialDecay(staircase=True)": (
            schedules.ExponentialDecay(0.3, decay_steps=3, decay_rate=0.5, staircase=True),
            theirs.ExponentialDecay(0.3, decay_steps=3, decay_rate=0.5, staircase=True)),
        "PiecewiseConstantDecay": (
            schedules.PiecewiseConstantDecay([3, 7], [0.3, 0.1, 0.03]),
            theirs.PiecewiseConstantDecay([3, 7], [0.3, 0.1, 0.03])),
        "CosineDecay": (schedules.CosineDecay(0.3, decay_steps=8, alpha=0.1),
                        theirs.CosineDecay(0.3, decay_steps=8, alpha=0.1)),
        "CosineDecay with warm-up": (
            schedules.CosineDecay(0.0, decay_steps=6, warmup_target=0.3, warmup_steps=4),
            theirs.CosineDecay(0.0, decay_steps=6, warmup_target=0.3, warmup_steps=4)),
    }


@pytest.mark.parametrize("name", ["ExponentialDecay", "ExponentialDecay(staircase=True)",
                                  "PiecewiseConstantDecay", "CosineDecay",
                                  "CosineDecay with warm-up"])
def test_schedules_match_keras(keras, name):
    """Each schedule as the learning rate of SGD with momentum: the rate of every step
    (12 steps, warm-up and the end of the decay included) and the training."""
    ours_schedule, their_schedule = _schedule_pairs(keras)[name]
    for step in range(14):
        assert ours_schedule(step) == pytest.approx(
            float(keras.ops.convert_to_numpy(their_schedule(step))), rel=1e-12, abs=1e-15)
    ours, theirs, *_ = _fit_both(
        keras, name,
        [Dense(8, activation="relu", input_dim=5), Dense(1, activation="sigmoid")],
        [keras.layers.Dense(8, activation="relu"), keras.layers.Dense(1, activation="sigmoid")],
        ours_opt.SGD(learning_rate=ours_schedule, momentum=0.9),
        keras.optimizers.SGD(learning_rate=their_schedule, momentum=0.9))
    assert ours.optimizer.iterations == int(theirs.optimizer.iterations) == 12
    assert ours.optimizer.learning_rate == pytest.approx(
        float(keras.ops.convert_to_numpy(theirs.optimizer.learning_rate)), rel=1e-12)


def test_schedule_with_adamw_and_batch_normalization_matches_keras(keras):
    """Everything at once: a cosine schedule with warm-up driving AdamW, whose decay uses
    the scheduled rate too, on a network with batch normalization."""
    _fit_both(keras, "CosineDecay + AdamW + BatchNormalization",
              [Dense(8, activation="relu", input_dim=5), BatchNormalization(),
               Dense(1, activation="sigmoid")],
              [keras.layers.Dense(8, activation="relu"), keras.layers.BatchNormalization(),
               keras.layers.Dense(1, activation="sigmoid")],
              ours_opt.AdamW(learning_rate=schedules.CosineDecay(
                  0.001, 8, warmup_target=0.05, warmup_steps=4), weight_decay=0.2),
              keras.optimizers.AdamW(learning_rate=keras.optimizers.schedules.CosineDecay(
                  0.001, 8, warmup_target=0.05, warmup_steps=4), weight_decay=0.2))


def test_learning_rate_callbacks_match_keras(keras):
    """LearningRateScheduler sets the rate at each epoch's start, ReduceLROnPlateau cuts
    it after `patience` epochs without an improvement larger than min_delta and then waits
    `cooldown` epochs; both put 'learning_rate' in the history."""
    def halve_after_two(epoch, lr):
        return lr if epoch < 2 else lr * 0.5

    _fit_both(keras, "LearningRateScheduler",
              [Dense(4, activation="tanh", input_dim=5), Dense(1, activation="sigmoid")],
              [keras.layers.Dense(4, activation="tanh"),
               keras.layers.Dense(1, activation="sigmoid")],
              ours_opt.SGD(learning_rate=0.5), keras.optimizers.SGD(learning_rate=0.5),
              epochs=5, our_callbacks_=[our_callbacks.LearningRateScheduler(halve_after_two)],
              their_callbacks=[keras.callbacks.LearningRateScheduler(halve_after_two)])
    # A large min_delta makes the plateau come soon: reductions, a cooldown, min_lr.
    _, _, h_ours, _ = _fit_both(
        keras, "ReduceLROnPlateau",
        [Dense(4, activation="tanh", input_dim=5), Dense(1, activation="sigmoid")],
        [keras.layers.Dense(4, activation="tanh"), keras.layers.Dense(1, activation="sigmoid")],
        ours_opt.SGD(learning_rate=0.5), keras.optimizers.SGD(learning_rate=0.5), epochs=10,
        our_callbacks_=[our_callbacks.ReduceLROnPlateau(
            monitor="val_loss", factor=0.5, patience=1, min_delta=0.05, cooldown=1,
            min_lr=0.07)],
        their_callbacks=[keras.callbacks.ReduceLROnPlateau(
            monitor="val_loss", factor=0.5, patience=1, min_delta=0.05, cooldown=1,
            min_lr=0.07)])
    rates = h_ours["learning_rate"]
    assert len(set(rates)) >= 3 and min(rates) == pytest.approx(0.07)
