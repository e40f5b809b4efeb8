"""Cases a newcomer to the Keras-style shell runs into: reusing an optimizer, freezing a
layer, a failed ``add``, one callback instead of a list, keys a callback adds to the logs,
named losses, NaN weights, a target row instead of a column, and output layers that
cannot work with their loss.

Expected values are computed here by hand (plain numpy) or by training a second,
independent model; nothing is read back from the code under test.
"""
import warnings

import numpy as np
import pytest

from backprop_lab.callbacks import EarlyStopping, LambdaCallback
from backprop_lab.layers import Dense
from backprop_lab.losses import (
    BinaryCrossentropy,
    CategoricalCrossentropy,
    SparseCategoricalCrossentropy,
)
from backprop_lab.models import Sequential
from backprop_lab.optimizers import SGD

from model_helpers import data, small_model


# ---- trainable ----------------------------------------------------------------------------
def test_freezing_a_layer_is_refused_instead_of_silently_ignored():
    model = small_model(SGD(learning_rate=0.1))
    with pytest.raises(ValueError, match="trainable"):
        model.layers[0].trainable = False
    model.layers[0].trainable = True  # allowed: it is what every layer is
    assert model.layers[0].trainable is True


# ---- building ----------------------------------------------------------------------------
def test_a_failed_add_leaves_the_model_as_it_was():
    model = Sequential([Dense(4, input_dim=3)])
    with pytest.raises(ValueError, match="5"):
        model.add(Dense(2, input_dim=5))
    assert len(model.layers) == 1
    model.add(Dense(2))  # the model still works
    assert model.predict(np.ones((2, 3)), verbose=0).shape == (2, 2)


def test_rebuilding_for_another_input_size_names_the_input():
    model = Sequential([Dense(4, input_dim=3)])
    with pytest.raises(ValueError, match="input has 5 features"):
        model.build((None, 5))


def test_a_single_layer_instead_of_a_list_is_a_clear_error():
    with pytest.raises(TypeError, match=r"list of layers"):
        Sequential(Dense(2, input_dim=3))


# ---- callbacks -----------------------------------------------------------------------------
def test_one_callback_without_a_list_is_accepted():
    x, y = data()
    model = small_model(SGD(learning_rate=0.1))
    stopper = EarlyStopping(monitor="loss", min_delta=10.0, patience=0)
    history = model.fit(x, y, epochs=5, verbose=0, callbacks=stopper)
    assert len(history.epoch) == 2  # epoch 0 sets the best, epoch 1 is no 10.0 better


def test_keys_a_callback_adds_to_the_epoch_logs_reach_the_history():
    """As in Keras, History is called after the user's callbacks."""
    x, y = data()
    model = small_model(SGD(learning_rate=0.1))

    def add_norm(epoch, logs):
        logs["kernel_norm"] = float(np.linalg.norm(model.layers[0].kernel))

    history = model.fit(x, y, epochs=2, verbose=0,
                        callbacks=[LambdaCallback(on_epoch_end=add_norm)])
    assert len(history.history["kernel_norm"]) == 2
    assert history.history["kernel_norm"][-1] == pytest.approx(
        float(np.linalg.norm(model.layers[0].kernel)))


# ---- weights ---------------------------------------------------------------------------------
def test_set_weights_refuses_nan_and_inf():
    model = small_model(SGD(learning_rate=0.1))
    weights = model.get_weights()
    weights[2] = weights[2].copy()
    weights[2][1, 0] = np.nan
    with pytest.raises(ValueError, match=r"weights\[2\].*NaN"):
        model.set_weights(weights)
    assert np.all(np.isfinite(model.layers[1].kernel))


def test_fit_with_non_finite_weights_says_so_instead_of_blaming_the_learning_rate(capsys):
    x, y = data()
    model = small_model(SGD(learning_rate=0.1))
    model.layers[0].kernel[0, 0] = np.inf  # written in place, past set_weights
    with pytest.raises(ValueError, match=r"dense.*kernel.*not finite"):
        model.fit(x, y, epochs=1, verbose=0)
    assert "learning rate" not in capsys.readouterr().out


# ---- targets -----------------------------------------------------------------------------------
def test_targets_given_as_one_row_get_a_transpose_hint():
    x, y = data()
    model = small_model(SGD(learning_rate=0.1))
    with pytest.raises(ValueError, match=r"y\.reshape\(-1\)|y\.T"):
        model.fit(x, y.reshape(1, -1), verbose=0)


# ---- named losses ------------------------------------------------------------------------------
def test_accuracy_follows_the_loss_even_when_the_loss_has_its_own_name():
    rng = np.random.default_rng(0)
    x, labels = rng.normal(size=(30, 3)), np.arange(30) % 3
    model = Sequential([Dense(3, activation="softmax", input_dim=3)])
    model.compile(loss=SparseCategoricalCrossentropy(name="scce"), optimizer="sgd",
                  metrics=["accuracy"])
    loss, accuracy = model.evaluate(x, labels, verbose=0)
    p = model.predict(x, verbose=0)
    assert accuracy == pytest.approx(np.mean(np.argmax(p, axis=1) == labels))


def test_binary_accuracy_for_two_sigmoid_outputs_with_a_named_loss():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(30, 3))
    y = (x[:, :2] > 0).astype(float)
    model = Sequential([Dense(2, activation="sigmoid", input_dim=3)])
    model.compile(loss=BinaryCrossentropy(name="bce"), optimizer="sgd", metrics=["accuracy"])
    _, accuracy = model.evaluate(x, y, verbose=0)
    p = model.predict(x, verbose=0)
    assert accuracy == pytest.approx(np.mean((p > 0.5) == y))  # per output, not argmax


def test_output_mismatch_warning_with_a_named_loss():
    x, y = data()
    model = Sequential([Dense(1, activation="relu", input_dim=3)])
    model.compile(loss=BinaryCrossentropy(name="bce"), optimizer="sgd")
    with pytest.warns(UserWarning, match="sigmoid"):
        model.fit(x, y, verbose=0)


# ---- output layers that cannot work -----------------------------------------------------------
def test_softmax_over_one_unit_warns_it_is_always_one():
    x, y = data()
    model = Sequential([Dense(1, activation="softmax", input_dim=3)])
    model.compile(loss="mse", optimizer="sgd")
    with pytest.warns(UserWarning, match=r"always 1"):
        model.fit(x, y, verbose=0)
    assert np.all(model.predict(x, verbose=0) == 1.0)  # what the warning says


@pytest.mark.parametrize("activation,loss,units", [
    ("sigmoid", BinaryCrossentropy(from_logits=True), 1),
    ("softmax", CategoricalCrossentropy(from_logits=True), 3),
    ("softmax", SparseCategoricalCrossentropy(from_logits=True), 3),
])
def test_from_logits_after_a_probability_output_warns(activation, loss, units):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(12, 3))
    y = {1: (x[:, 0] > 0).astype(float), 3: np.arange(12) % 3}[units]
    if isinstance(loss, CategoricalCrossentropy):
        y = np.eye(3)[y]
    model = Sequential([Dense(units, activation=activation, input_dim=3)])
    model.compile(loss=loss, optimizer="sgd")
    with pytest.warns(UserWarning, match=r"from_logits=True.*twice|twice.*from_logits"):
        model.fit(x, y, verbose=0)


def test_matching_outputs_and_losses_do_not_warn():
    x, y = data()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for activation, loss in [("sigmoid", "binary_crossentropy"),
                                 (None, BinaryCrossentropy(from_logits=True))]:
            model = Sequential([Dense(1, activation=activation, input_dim=3)])
            model.compile(loss=loss, optimizer="sgd")
            model.fit(x, y, verbose=0)


def test_accuracy_on_logits_with_the_probability_threshold_warns():
    """Keras's numbers are kept (0.5 on the logit), but not silently: logit 0.5 means
    p = 0.62, so samples with 0.5 < p < 0.62 count as class 0."""
    from backprop_lab.metrics import BinaryAccuracy

    x, y = data()
    model = Sequential([Dense(1, input_dim=3)])
    model.compile(loss=BinaryCrossentropy(from_logits=True), optimizer="sgd",
                  metrics=["accuracy"])
    with pytest.warns(UserWarning, match=r"threshold=0\.0"):
        model.fit(x, y, verbose=0)
    model.compile(loss=BinaryCrossentropy(from_logits=True), optimizer="sgd",
                  metrics=[BinaryAccuracy(threshold=0.0)])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.fit(x, y, verbose=0)
        _, accuracy = model.evaluate(x, y, verbose=0)
    logits = x @ model.layers[0].kernel[:, 0] + model.layers[0].bias[0]
    assert accuracy == pytest.approx(np.mean((logits > 0) == y))


# ---- layer names ----------------------------------------------------------------------------
def test_new_layers_never_take_the_name_of_a_loaded_one(tmp_path, monkeypatch):
    """After load_model in a fresh session, a Dense added to the loaded model used to be
    named 'dense' a second time, and check_model then mixed the two up (a false FAILED,
    with 4 of the 6 parameters checked)."""
    from backprop_lab import gradcheck, layers
    from backprop_lab.models import load_model

    def fresh_session():
        monkeypatch.setattr(layers.base, "_name_counts", {})
        monkeypatch.setattr(layers.base, "_names_taken", set(), raising=False)

    fresh_session()
    model = Sequential([Dense(4, activation="tanh", input_dim=3),
                        Dense(2, activation="tanh")])  # 'dense', 'dense_1'
    model.compile(loss="mse", optimizer="sgd")
    model.save(tmp_path / "m.npz")
    fresh_session()
    loaded = load_model(tmp_path / "m.npz")
    loaded.add(Dense(1))
    names = [layer.name for layer in loaded.layers]
    assert len(set(names)) == 3, names
    x = np.random.default_rng(0).normal(size=(5, 3))
    report = gradcheck.check_model(loaded, x, x[:, :1])
    assert report.passed and len(report.params) == 6


def test_two_layers_with_one_name_in_a_model_is_a_clear_error():
    model = Sequential([Dense(4, input_dim=3, name="hidden")])
    with pytest.raises(ValueError, match=r"unique.*'hidden'|'hidden'.*unique"):
        model.add(Dense(2, name="hidden"))
    shared = Dense(3)
    model.add(shared)
    with pytest.raises(ValueError, match="unique"):
        model.add(shared)
    assert [layer.name for layer in model.layers] == ["hidden", shared.name]
