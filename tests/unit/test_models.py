"""Sequential: building, weights, fit/evaluate/predict, history bookkeeping, floatx,
reproducibility, divergence handling.

Reference values are recomputed here with plain numpy (forward pass) and with the
functional losses, never read back from the code under test.  Model gradients are
checked against the ``autograd`` package.
"""
import contextlib
import re

import numpy as np
import pytest

from backprop_lab import config, use_functions, utils
from backprop_lab import functional as F
from backprop_lab.callbacks import LambdaCallback
from backprop_lab.layers import Activation, Dense
from backprop_lab.models import Sequential
from backprop_lab.optimizers import SGD, Adam


def seed_model(lr=0.01, metrics=("accuracy",)):
    model = Sequential()
    model.add(Dense(units=10, activation="relu", input_dim=20))
    model.add(Dense(units=1, activation="sigmoid"))
    model.compile(loss="binary_crossentropy", optimizer=SGD(learning_rate=lr),
                  metrics=list(metrics))
    return model


def seed_data(n=1000, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, 20)), rng.integers(0, 2, n)


def numpy_forward(weights, x):
    """relu(x W1 + b1) -> sigmoid(. W2 + b2), written out independently."""
    k1, b1, k2, b2 = weights
    h = np.maximum(x @ k1 + b1, 0)
    return 1 / (1 + np.exp(-(h @ k2 + b2)))


@pytest.fixture
def restore_floatx():
    old = config.floatx()
    yield
    config.set_floatx(old)


# ---- structure ------------------------------------------------------------------------
def test_constructor_list_equals_add():
    utils.set_random_seed(0)
    a = Sequential([Dense(10, activation="relu", input_dim=20), Dense(1, activation="sigmoid")])
    utils.set_random_seed(0)
    b = seed_model()
    assert len(a.layers) == 2 and all(isinstance(layer, Dense) for layer in a.layers)
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        assert np.array_equal(wa, wb)


def test_weights_order_and_count_params():
    model = seed_model()
    assert [w.shape for w in model.get_weights()] == [(20, 10), (10,), (10, 1), (1,)]
    assert model.count_params() == 20 * 10 + 10 + 10 * 1 + 1
    assert model.get_weights()[0] is not model.layers[0].kernel  # copies
    assert model.weights[0] is model.layers[0].kernel  # live arrays


def test_set_weights_round_trip_and_errors():
    model = seed_model()
    new = [np.full(w.shape, i + 1.0) for i, w in enumerate(model.get_weights())]
    model.set_weights(new)
    assert np.array_equal(model.layers[1].bias, [4.0])
    with pytest.raises(ValueError, match="4 weight arrays"):
        model.set_weights(new[:3])
    with pytest.raises(ValueError, match="shape"):
        model.set_weights([new[1], new[0], new[2], new[3]])


def test_summary_lists_layers_and_totals():
    lines = []
    seed_model().summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert "(Dense)" in text and "(None, 10)" in text and "(None, 1)" in text
    assert re.search(r"Total params: 221\b", text)


def test_model_builds_on_first_fit_without_input_dim():
    model = Sequential([Dense(4, activation="tanh"), Dense(1)])
    assert not model.built
    model.compile(optimizer="sgd", loss="mse")
    model.fit(np.ones((8, 3)), np.zeros(8), epochs=1, verbose=0)
    assert model.layers[0].kernel.shape == (3, 4)


def test_predict_matches_independent_forward():
    model = seed_model()
    x, _ = seed_data(50)
    p = model.predict(x, verbose=0)
    assert p.shape == (50, 1)
    assert np.allclose(p, numpy_forward(model.get_weights(), x), rtol=1e-12, atol=1e-14)
    assert np.allclose(model(x), p)


def test_evaluate_matches_independent_computation():
    model = seed_model()
    x, y = seed_data(70)
    loss, acc = model.evaluate(x, y, batch_size=32, verbose=0)
    p = numpy_forward(model.get_weights(), x)
    # batches of 32, 32, 6, each weighted by its size: equal to the mean over all samples
    assert loss == pytest.approx(F.binary_crossentropy(y.reshape(-1, 1), p), rel=1e-10)
    assert acc == pytest.approx(np.mean((p[:, 0] > 0.5) == y))
    assert model.evaluate(x, y, verbose=0, return_dict=True) == {"accuracy": acc, "loss": loss}


# ---- gradients ------------------------------------------------------------------------
def test_model_gradients_fused_and_unfused_match_autograd():
    autograd = pytest.importorskip("autograd")
    anp = pytest.importorskip("autograd.numpy")
    utils.set_random_seed(5)
    model = Sequential([Dense(5, activation="tanh", input_dim=3), Dense(2, activation="sigmoid")])
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    rng = np.random.default_rng(5)
    x = rng.normal(size=(7, 3))
    y = rng.uniform(0, 1, size=(7, 2))

    def loss_of(weights):
        k1, b1, k2, b2 = weights
        p = 1 / (1 + anp.exp(-(anp.tanh(anp.dot(x, k1) + b1) @ k2 + b2)))
        return -anp.mean(y * anp.log(p) + (1 - y) * anp.log(1 - p))

    oracle = autograd.grad(loss_of)(model.get_weights())
    fused_fn = model.loss.fused_gradient("sigmoid")
    assert fused_fn is not None
    loss_f, _, fused = model.compute_gradients(x, y)
    with use_functions():  # while functions are plugged in, nothing is fused
        loss_u, _, unfused = model.compute_gradients(x, y)
    assert loss_f == pytest.approx(float(loss_of(model.get_weights())), rel=1e-12)
    for g_f, g_u, g_o in zip(fused, unfused, oracle):
        assert np.allclose(g_f, g_o, rtol=1e-8, atol=1e-12)
        assert np.allclose(g_u, g_o, rtol=1e-8, atol=1e-12)


def test_softmax_model_gradients_match_autograd():
    autograd = pytest.importorskip("autograd")
    anp = pytest.importorskip("autograd.numpy")
    utils.set_random_seed(6)
    model = Sequential([Dense(4, activation="relu", input_dim=3), Dense(3),
                        Activation("softmax")])
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
    rng = np.random.default_rng(6)
    x = rng.normal(size=(6, 3))
    y = np.eye(3)[rng.integers(0, 3, 6)]

    def loss_of(weights):
        k1, b1, k2, b2 = weights
        z = anp.maximum(anp.dot(x, k1) + b1, 0) @ k2 + b2
        z = z - anp.max(z, axis=1, keepdims=True)
        logp = z - anp.log(anp.sum(anp.exp(z), axis=1, keepdims=True))
        return -anp.sum(y * logp) / x.shape[0]

    oracle = autograd.grad(loss_of)(model.get_weights())
    for plugged in (False, True):
        with use_functions() if plugged else contextlib.nullcontext():
            _, _, grads = model.compute_gradients(x, y)
        for g, g_o in zip(grads, oracle):
            assert np.allclose(g, g_o, rtol=1e-8, atol=1e-12)


# ---- fit bookkeeping ------------------------------------------------------------------
def test_fit_returns_history_with_keras_keys():
    model = seed_model()
    x, y = seed_data(200)
    history = model.fit(x, y, epochs=3, batch_size=32, verbose=0, validation_split=0.25)
    assert model.history is history
    assert list(history.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert all(len(v) == 3 for v in history.history.values())
    assert history.epoch == [0, 1, 2]
    assert history.params == {"verbose": 0, "epochs": 3, "steps": 5}  # 150 / 32 -> 5
    assert history.diverged is False


def test_epoch_loss_is_the_batch_size_weighted_mean_of_batch_losses():
    """Recompute every batch's loss from the weights just before its update."""
    utils.set_random_seed(1)
    model = seed_model(lr=0.5)
    x, y = seed_data(100)  # batches of 32, 32, 32, 4: weighting matters
    before = []
    cb = LambdaCallback(on_train_batch_begin=lambda b, logs: before.append(model.get_weights()))
    history = model.fit(x, y, epochs=2, batch_size=32, shuffle=False, verbose=0, callbacks=[cb])
    assert len(before) == 8
    y2 = y.reshape(-1, 1).astype(float)
    for epoch in range(2):
        losses, accs, sizes = [], [], []
        for b in range(4):
            xb, yb = x[32 * b:32 * (b + 1)], y2[32 * b:32 * (b + 1)]
            p = numpy_forward(before[4 * epoch + b], xb)
            losses.append(F.binary_crossentropy(yb, p))
            accs.append(np.mean((p > 0.5) == yb))
            sizes.append(len(xb))
        weighted = np.average(losses, weights=sizes)
        assert history.history["loss"][epoch] == pytest.approx(weighted, rel=1e-12)
        assert history.history["accuracy"][epoch] == pytest.approx(np.average(accs, weights=sizes))
        assert abs(weighted - np.mean(losses)) > 1e-6  # the test can tell the two apart


def test_validation_split_takes_the_last_fraction_before_shuffling():
    utils.set_random_seed(2)
    model = seed_model(lr=0.1)
    x, y = seed_data(100)
    history = model.fit(x, y, epochs=2, verbose=0, validation_split=0.2, shuffle=True)
    # After the last epoch, the weights are those val_loss was computed with.
    loss, acc = model.evaluate(x[80:], y[80:], verbose=0)
    assert history.history["val_loss"][-1] == pytest.approx(loss, rel=1e-12)
    assert history.history["val_accuracy"][-1] == pytest.approx(acc)
    assert history.params["steps"] == 3  # 80 training samples in batches of 32


def test_validation_data_is_used_instead_of_split():
    model = seed_model()
    x, y = seed_data(100)
    xv, yv = seed_data(30, seed=9)
    history = model.fit(x, y, epochs=1, verbose=0, validation_data=(xv, yv),
                        validation_split=0.5)
    assert history.params["steps"] == 4  # all 100 samples trained on
    assert history.history["val_loss"][0] == pytest.approx(model.evaluate(xv, yv, verbose=0)[0])


def test_initial_epoch_counts_on():
    model = seed_model()
    x, y = seed_data(64)
    history = model.fit(x, y, epochs=5, initial_epoch=3, verbose=0)
    assert history.epoch == [3, 4]


def test_stop_training_from_a_callback_stops_at_once():
    model = seed_model()
    x, y = seed_data(320)
    seen = []

    def on_batch_end(batch, logs):
        seen.append(batch)
        if batch == 2:
            model.stop_training = True

    history = model.fit(x, y, epochs=5, verbose=0,
                        callbacks=[LambdaCallback(on_train_batch_end=on_batch_end)])
    assert seen == [0, 1, 2]
    assert history.epoch == [0]


# ---- learning ---------------------------------------------------------------------------
def test_training_learns_xor():
    utils.set_random_seed(0)
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]] * 8, dtype=float)
    y = np.array([0, 1, 1, 0] * 8)
    model = Sequential([Dense(8, activation="tanh", input_dim=2), Dense(1, activation="sigmoid")])
    model.compile(optimizer=Adam(learning_rate=0.05), loss="binary_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(x, y, epochs=150, batch_size=8, verbose=0)
    assert history.history["loss"][-1] < 0.1 * history.history["loss"][0]
    assert history.history["accuracy"][-1] == 1.0
    assert np.array_equal((model.predict(x[:4], verbose=0)[:, 0] > 0.5), [False, True, True, False])


def test_training_learns_three_separable_classes():
    utils.set_random_seed(1)
    rng = np.random.default_rng(1)
    centers = np.array([[0.0, 4.0], [4.0, -2.0], [-4.0, -2.0]])
    labels = rng.integers(0, 3, 300)
    x = centers[labels] + rng.normal(size=(300, 2))
    model = Sequential([Dense(3, activation="softmax", input_dim=2)])
    model.compile(optimizer=SGD(learning_rate=0.1, momentum=0.9),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, labels, epochs=20, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert model.evaluate(x, labels, verbose=0)[1] > 0.95


# ---- float types and reproducibility ----------------------------------------------------
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_both_float_types_train_end_to_end(dtype, restore_floatx):
    config.set_floatx(dtype)
    utils.set_random_seed(0)
    model = seed_model(lr=0.1)
    x, y = seed_data(128)
    history = model.fit(x.tolist(), y, epochs=3, verbose=0, validation_split=0.25)
    assert all(w.dtype == np.dtype(dtype) for w in model.get_weights())
    assert model.predict(x, verbose=0).dtype == np.dtype(dtype)
    assert np.all(np.isfinite(history.history["loss"]))
    assert history.history["loss"][-1] < history.history["loss"][0]


def _seeded_run(seed):
    utils.set_random_seed(seed)
    x = np.random.randn(200, 20)
    y = np.random.randint(0, 2, 200)
    model = seed_model(lr=0.05)
    history = model.fit(x, y, epochs=3, batch_size=16, verbose=0, validation_split=0.1)
    return model.get_weights(), history.history


def test_set_random_seed_makes_runs_bit_identical():
    w1, h1 = _seeded_run(11)
    w2, h2 = _seeded_run(11)
    w3, h3 = _seeded_run(12)
    assert all(np.array_equal(a, b) for a, b in zip(w1, w2))
    assert h1 == h2
    assert not np.array_equal(w1[0], w3[0]) and h1 != h3


def test_shuffle_changes_the_batches():
    utils.set_random_seed(3)
    model = seed_model(lr=0.5)
    start = model.get_weights()
    x, y = seed_data(96)
    model.fit(x, y, epochs=1, verbose=0, shuffle=False)
    unshuffled = model.get_weights()
    model.set_weights(start)
    model.fit(x, y, epochs=1, verbose=0, shuffle=True)
    assert not np.array_equal(unshuffled[0], model.get_weights()[0])


# ---- divergence -------------------------------------------------------------------------
def regression_model(lr):
    model = Sequential([Dense(8, activation="relu", input_dim=5), Dense(1)])
    model.compile(optimizer=SGD(learning_rate=lr), loss="mse")
    return model


def regression_data(n=256):
    rng = np.random.default_rng(4)
    x = rng.normal(size=(n, 5))
    return x, x @ rng.normal(size=5) * 10 + rng.normal(size=n)


def test_divergence_stops_with_a_message_and_finite_weights(capsys):
    utils.set_random_seed(0)
    model = regression_model(lr=100)
    x, y = regression_data()
    history = model.fit(x, y, epochs=20, batch_size=32, verbose=0)
    out = capsys.readouterr().out
    assert history.diverged is True
    info = history.diverged_at
    assert re.search(rf"diverged at epoch {info['epoch']}, batch {info['batch']} of 8", out)
    assert "learning rate (100)" in out and "smaller" in out and "learning_rate=10" in out
    assert f"restored to their values at the start of epoch {info['epoch']}" in out
    assert all(np.all(np.isfinite(w)) for w in model.get_weights())
    assert np.all(np.isfinite(model.predict(x, verbose=0)))
    assert len(history.epoch) == info["epoch"] - 1  # the broken epoch is not recorded
    assert all(np.isfinite(v) for v in history.history.get("loss", []))


def test_divergence_restores_the_weights_of_the_epochs_start(capsys):
    utils.set_random_seed(0)
    model = regression_model(lr=0.05)  # diverges after a few good epochs
    x, y = regression_data()
    starts = []
    cb = LambdaCallback(on_epoch_begin=lambda e, logs: starts.append(model.get_weights()))
    history = model.fit(x, y, epochs=20, verbose=0, callbacks=[cb])
    assert history.diverged and history.diverged_at["epoch"] > 1
    assert len(history.history["loss"]) == history.diverged_at["epoch"] - 1
    assert np.all(np.isfinite(history.history["loss"]))
    assert not np.array_equal(starts[-1][0], starts[0][0])
    for w, w0 in zip(model.get_weights(), starts[-1]):
        assert np.array_equal(w, w0)


def test_non_finite_weights_after_the_last_batch_are_caught(capsys):
    model = regression_model(lr=0.01)
    x, y = regression_data(64)

    def poison(batch, logs):
        if batch == 1:  # the last batch: no later loss would show it
            model.layers[0].kernel[0, 0] = np.nan

    history = model.fit(x, y, epochs=2, verbose=0,
                        callbacks=[LambdaCallback(on_train_batch_end=poison)])
    assert history.diverged and history.diverged_at["what"] == "weights"
    assert "weights stopped being finite" in capsys.readouterr().out
    assert all(np.all(np.isfinite(w)) for w in model.get_weights())


def test_output_activation_mismatch_warns():
    model = Sequential([Dense(1, input_dim=2)])
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    with pytest.warns(UserWarning, match="from_logits=True"):
        model.fit(np.ones((4, 2)), np.array([0, 1, 0, 1]), verbose=0)


def test_divergence_in_the_first_epoch_with_adam_restores_a_fresh_optimizer(capsys):
    utils.set_random_seed(0)
    model = Sequential([Dense(4, activation="relu", input_dim=5), Dense(1)])
    model.compile(optimizer=Adam(learning_rate=0.01), loss="mse")
    start = model.get_weights()
    x, y = regression_data(64)

    def poison(batch, logs):
        if batch == 0:
            model.layers[1].kernel[0, 0] = np.inf

    history = model.fit(x, y, epochs=2, verbose=0,
                        callbacks=[LambdaCallback(on_train_batch_end=poison)])
    assert history.diverged_at["epoch"] == 1 and history.diverged_at["batch"] == 2
    assert all(np.array_equal(w, w0) for w, w0 in zip(model.get_weights(), start))
    assert model.optimizer.iterations == 0
    model.fit(x, y, epochs=1, verbose=0)  # trains on normally from the restored state
    assert all(np.all(np.isfinite(w)) for w in model.get_weights())


def test_loss_and_gradients_is_public_and_matches_finite_differences():
    from backprop_lab.gradcheck import numerical_gradient
    from backprop_lab.layers import Dense as _Dense
    from backprop_lab.models import Sequential as _Sequential
    from backprop_lab.utils import set_random_seed as _seed

    _seed(1)
    model = _Sequential([_Dense(3, activation="tanh", input_dim=2),
                         _Dense(1, activation="sigmoid")])
    model.compile(loss="binary_crossentropy", optimizer="sgd")
    rng = np.random.default_rng(0)
    x = rng.standard_normal((6, 2))
    y = (rng.random(6) > 0.5).astype(float)
    loss, grads = model.loss_and_gradients(x, y)
    assert len(grads) == len(model.get_weights())
    for w, g in zip(model.weights, grads):
        num = numerical_gradient(lambda _w: model.loss_and_gradients(x, y)[0], w)
        np.testing.assert_allclose(g, num, rtol=1e-5, atol=1e-8)
