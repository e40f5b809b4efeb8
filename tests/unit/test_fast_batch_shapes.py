"""The fast path on batch shapes the authors' comparison does not reach: batches of one
sample, a last batch of one, one batch larger than the data, in both float types; and
momentum, which must go through the teaching code.

The reference is ``fit`` with the fast path switched off (the layers' own forward and
backward, step by step), itself checked against autograd in test_fast.py.
"""
import numpy as np
import pytest

from backprop_lab import config, utils
from backprop_lab._engine import fast_dense as fast
from backprop_lab.layers import Dense
from backprop_lab.models import Sequential
from backprop_lab.optimizers import SGD

CASES = [  # (hidden, output, loss, units)
    ("relu", "sigmoid", "binary_crossentropy", 1),
    ("tanh", "softmax", "categorical_crossentropy", 3),
    ("sigmoid", "softmax", "sparse_categorical_crossentropy", 3),
    ("linear", "linear", "mean_squared_error", 2),
]


def targets(loss, units, n, rng):
    if loss == "binary_crossentropy":
        return rng.integers(0, 2, size=n)
    if loss == "categorical_crossentropy":
        return np.eye(units)[rng.integers(0, units, size=n)]
    if loss == "sparse_categorical_crossentropy":
        return rng.integers(0, units, size=n)
    return rng.normal(size=(n, units))


def train(enabled, case, n, batch_size, momentum, monkeypatch):
    hidden, output, loss, units = case
    monkeypatch.setattr(fast, "ENABLED", enabled)
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(n, 4)), targets(loss, units, n, rng)
    utils.set_random_seed(3)
    model = Sequential([Dense(5, activation=hidden, input_dim=4),
                        Dense(units, activation=output)])
    model.compile(loss=loss, optimizer=SGD(learning_rate=0.05, momentum=momentum),
                  metrics=["mae"] if loss == "mean_squared_error" else ["accuracy"])
    used_fast = fast.DenseStackTrainer.for_model(model, batch_size) is not None
    history = model.fit(x, y, batch_size=batch_size, epochs=3, verbose=0)
    return model, history, used_fast


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("n,batch_size", [(5, 1), (33, 32), (7, 100)])
@pytest.mark.parametrize("case", CASES, ids=[c[2] for c in CASES])
def test_fast_path_equals_the_teaching_path(case, n, batch_size, dtype, monkeypatch):
    monkeypatch.setattr(config, "_floatx", dtype)
    fast_model, fast_hist, used = train(True, case, n, batch_size, 0.0, monkeypatch)
    slow_model, slow_hist, _ = train(False, case, n, batch_size, 0.0, monkeypatch)
    assert used
    rtol = 1e-4 if dtype == "float32" else 1e-10
    for key in slow_hist.history:
        np.testing.assert_allclose(fast_hist.history[key], slow_hist.history[key], rtol=rtol,
                                   err_msg=key)
    for a, b in zip(fast_model.get_weights(), slow_model.get_weights()):
        assert a.dtype == b.dtype == np.dtype(dtype)
        np.testing.assert_allclose(a, b, rtol=rtol, atol=1e-6 if dtype == "float32" else 1e-13)
    steps = -(-n // batch_size)
    assert fast_model.optimizer.iterations == slow_model.optimizer.iterations == 3 * steps


@pytest.mark.parametrize("case", CASES, ids=[c[2] for c in CASES])
def test_momentum_falls_back_to_the_teaching_path(case, monkeypatch):
    model, _, used = train(True, case, 9, 4, 0.9, monkeypatch)
    assert not used
    assert "momentum" in fast.unsupported_reason(model.layers, model.loss, model.optimizer)


@pytest.mark.parametrize("enabled", [True, False])
@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_float32_divergence_leaks_no_runtime_warning(enabled, optimizer, monkeypatch, capsys):
    """A huge learning rate in float32: overflow inside training is expected and caught
    (the weights come back finite, with the divergence report), never a RuntimeWarning."""
    import warnings

    from backprop_lab.optimizers import Adam

    monkeypatch.setattr(config, "_floatx", "float32")
    monkeypatch.setattr(fast, "ENABLED", enabled)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 4)) * 100
    y = x[:, :1] * 1e3
    model = Sequential([Dense(8, activation="relu", input_dim=4), Dense(1)])
    make = {"sgd": lambda: SGD(learning_rate=1e6),
            "momentum": lambda: SGD(learning_rate=1e6, momentum=0.9),
            "adam": lambda: Adam(learning_rate=1e6)}[optimizer]
    model.compile(loss="mse", optimizer=make(), metrics=["mae"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        history = model.fit(x, y, epochs=10, batch_size=8, verbose=0, validation_split=0.25)
        model.evaluate(x, y, verbose=0)
        model.predict(x, verbose=0)
    assert all(np.all(np.isfinite(w)) for w in model.get_weights())
    if history.diverged:
        assert "Training diverged" in capsys.readouterr().out
