"""The fused fast path (``backprop_lab.fast``) against the teaching code and autograd.

* its forward pass equals the layers' own ``forward`` (``functional`` underneath);
* its gradients equal ``autograd``'s gradients of the loss, written independently here;
* ``fit`` with the fast path gives the same weights, history and divergence report as
  ``fit`` with it switched off (the layers' ``forward``/``backward`` step by step).
"""
import autograd
import autograd.numpy as anp
import numpy as np
import pytest

from backprop_lab import utils
from backprop_lab._engine import fast_dense as fast
from backprop_lab.callbacks import Callback
from backprop_lab.layers import Activation, Dense
from backprop_lab.losses import BinaryCrossentropy
from backprop_lab.models import Sequential
from backprop_lab.optimizers import SGD, Adam

# (hidden activation, output activation, loss, targets kind)
CONFIGS = [
    ("relu", "sigmoid", "binary_crossentropy", "binary"),
    ("tanh", "sigmoid", "binary_crossentropy", "binary2"),
    ("sigmoid", "softmax", "categorical_crossentropy", "onehot"),
    ("relu", "softmax", "sparse_categorical_crossentropy", "labels"),
    ("linear", "linear", "mean_squared_error", "real"),
]


def make_data(kind, n=70, d=5, k=3, seed=0, dtype="float64"):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d)).astype(dtype)
    if kind == "binary":
        y = rng.integers(0, 2, size=(n, 1)).astype(dtype)
    elif kind == "binary2":
        y = rng.integers(0, 2, size=(n, 2)).astype(dtype)
    elif kind == "onehot":
        y = np.eye(k, dtype=dtype)[rng.integers(0, k, size=n)]
    elif kind == "labels":
        y = rng.integers(0, k, size=n)
    else:
        y = rng.normal(size=(n, 2)).astype(dtype)
    return x, y


def output_units(kind, k=3):
    return {"binary": 1, "binary2": 2, "onehot": k, "labels": k, "real": 2}[kind]


def build(hidden, output, loss, kind, d=5, seed=3, lr=0.1, optimizer=None):
    utils.set_random_seed(seed)
    model = Sequential()
    model.add(Dense(7, activation=hidden, input_dim=d))
    model.add(Dense(6, activation=hidden))
    model.add(Dense(output_units(kind), activation=output))
    model.compile(loss=loss, optimizer=optimizer or SGD(learning_rate=lr),
                  metrics=["accuracy"] if loss != "mean_squared_error" else ["mae"])
    return model


def fit_both(make_model, x, y, monkeypatch, **fit_args):
    """Train two identical models, with and without the fast path, from the same seed."""
    results = []
    for enabled in (True, False):
        monkeypatch.setattr(fast, "ENABLED", enabled)
        model = make_model()
        utils.set_random_seed(11)
        history = model.fit(x, y, verbose=0, **fit_args)
        results.append((model, history))
    return results


@pytest.mark.parametrize("hidden,output,loss,kind", CONFIGS)
def test_forward_matches_the_layers(hidden, output, loss, kind):
    x, _ = make_data(kind)
    model = build(hidden, output, loss, kind)
    trainer = fast.DenseStackTrainer(model.layers, model.loss.name, batch_size=x.shape[0])
    expected = x
    for layer in model.layers:
        expected = layer.forward(expected)
    got = trainer.forward(x, trainer._buffers_for(x.shape[0]))
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-15)


def _autograd_loss(params, x, y, hidden, output, loss, k):
    act = {"relu": lambda z: anp.maximum(z, 0.0), "tanh": anp.tanh, "linear": lambda z: z,
           "sigmoid": lambda z: 1.0 / (1.0 + anp.exp(-z))}
    a = x
    for i in range(0, len(params) - 2, 2):
        a = act[hidden](anp.dot(a, params[i]) + params[i + 1])
    z = anp.dot(a, params[-2]) + params[-1]
    n = z.shape[0]
    if output == "sigmoid":
        p = 1.0 / (1.0 + anp.exp(-z))
        return -anp.mean(y * anp.log(p) + (1 - y) * anp.log(1 - p))
    if output == "softmax":
        logp = z - anp.max(z, axis=1, keepdims=True)
        logp = logp - anp.log(anp.sum(anp.exp(logp), axis=1, keepdims=True))
        onehot = np.eye(k)[y] if loss.startswith("sparse") else y
        return -anp.sum(onehot * logp) / n
    return anp.mean((z - y) ** 2)


@pytest.mark.parametrize("hidden,output,loss,kind", CONFIGS)
def test_gradients_match_autograd(hidden, output, loss, kind):
    x, y = make_data(kind, n=9)
    model = build(hidden, output, loss, kind)
    y = model.loss.prepare_targets(np.asarray(y, dtype=float), model.output_units)
    params = [w.copy() for w in model.get_weights()]
    trainer = fast.DenseStackTrainer(model.layers, model.loss.name, batch_size=x.shape[0])
    buf = trainer._buffers_for(x.shape[0])
    trainer.forward(x, buf)
    trainer.backward_and_update(x, y, buf, learning_rate=0.5)
    expected = autograd.grad(_autograd_loss)(params, x, y, hidden, output, loss, 3)
    got = [g for pair in trainer.grads() for g in pair]
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g, e, rtol=1e-7, atol=1e-12)
    # ... and the update was w - 0.5 * grad, in place in the layers' own arrays
    for w_new, w_old, e in zip(model.weights, params, expected):
        np.testing.assert_allclose(w_new, w_old - 0.5 * e, rtol=1e-7, atol=1e-12)


@pytest.mark.parametrize("hidden,output,loss,kind", CONFIGS)
@pytest.mark.parametrize("shuffle", [True, False])
def test_fit_matches_the_teaching_path(hidden, output, loss, kind, shuffle, monkeypatch):
    x, y = make_data(kind)
    (fast_model, fast_hist), (slow_model, slow_hist) = fit_both(
        lambda: build(hidden, output, loss, kind), x, y, monkeypatch,
        epochs=3, batch_size=16, shuffle=shuffle, validation_split=0.2)
    assert fast_hist.epoch == slow_hist.epoch == [0, 1, 2]
    assert set(fast_hist.history) == set(slow_hist.history)
    for key in slow_hist.history:
        np.testing.assert_allclose(fast_hist.history[key], slow_hist.history[key],
                                   rtol=1e-10, err_msg=key)
    for a, b in zip(fast_model.get_weights(), slow_model.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-13)
    assert fast_model.optimizer.iterations == slow_model.optimizer.iterations == 3 * 4


def test_float32_fit_matches_the_teaching_path(monkeypatch):
    from backprop_lab import config

    monkeypatch.setattr(config, "_floatx", "float32")
    x, y = make_data("onehot", n=100, dtype="float32")
    (fast_model, fast_hist), (slow_model, slow_hist) = fit_both(
        lambda: build("relu", "softmax", "categorical_crossentropy", "onehot"), x, y,
        monkeypatch, epochs=2, batch_size=32)
    for a, b in zip(fast_model.get_weights(), slow_model.get_weights()):
        assert a.dtype == np.float32
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(fast_hist.history["loss"], slow_hist.history["loss"], rtol=1e-5)


def test_divergence_is_reported_as_by_the_teaching_path(monkeypatch, capsys):
    x, y = make_data("real", n=64)
    x = x * 100
    (fast_model, fast_hist), (slow_model, slow_hist) = fit_both(
        lambda: build("linear", "linear", "mean_squared_error", "real", lr=5.0),
        x, y, monkeypatch, epochs=4, batch_size=16)
    assert fast_hist.diverged and slow_hist.diverged
    fast_at, slow_at = dict(fast_hist.diverged_at), dict(slow_hist.diverged_at)
    fast_loss, slow_loss = fast_at.pop("loss"), slow_at.pop("loss")
    assert fast_at == slow_at
    assert not np.isfinite(fast_loss) and not np.isfinite(slow_loss)
    assert np.isnan(fast_loss) == np.isnan(slow_loss)
    for a, b in zip(fast_model.get_weights(), slow_model.get_weights()):
        assert np.all(np.isfinite(a))
        np.testing.assert_allclose(a, b, rtol=1e-10)
    assert capsys.readouterr().out.count("Training diverged") == 2


def test_unsupported_models_are_named_and_train_through_the_teaching_path():
    x, y = make_data("binary")
    seed_like = build("relu", "sigmoid", "binary_crossentropy", "binary")
    assert fast.unsupported_reason(seed_like.layers, seed_like.loss, seed_like.optimizer) is None
    momentum = build("relu", "sigmoid", "binary_crossentropy", "binary",
                     optimizer=SGD(learning_rate=0.1, momentum=0.9))
    adam = build("relu", "sigmoid", "binary_crossentropy", "binary", optimizer=Adam())
    logits = Sequential([Dense(3, input_dim=5), Dense(1)])
    logits.compile(loss=BinaryCrossentropy(from_logits=True), optimizer=SGD())
    mismatch = Sequential([Dense(3, input_dim=5), Dense(1, activation="sigmoid")])
    mismatch.compile(loss="mse", optimizer=SGD())
    separate = Sequential([Dense(3, input_dim=5), Activation("relu"),
                           Dense(1, activation="sigmoid")])
    separate.compile(loss="binary_crossentropy", optimizer=SGD())
    for model, words in ((momentum, "momentum"), (adam, "SGD"), (logits, "loss"),
                         (mismatch, "loss"), (separate, "Dense")):
        reason = fast.unsupported_reason(model.layers, model.loss, model.optimizer)
        assert reason and words in reason, (model, reason)
        assert fast.DenseStackTrainer.for_model(model, 32) is None
        before = [w.copy() for w in model.get_weights()]
        model.fit(x, y, epochs=1, verbose=0)
        assert any(not np.array_equal(a, b) for a, b in zip(before, model.get_weights()))


def test_a_batch_callback_gets_every_batch(monkeypatch):
    """A callback with a batch hook needs the step-by-step loop; results do not change."""
    class CountBatches(Callback):
        def __init__(self):
            super().__init__()
            self.seen = []

        def on_train_batch_end(self, batch, logs=None):
            self.seen.append((batch, logs["loss"]))

    x, y = make_data("binary")
    counter = CountBatches()
    utils.set_random_seed(11)
    model = build("relu", "sigmoid", "binary_crossentropy", "binary")
    utils.set_random_seed(11)
    history = model.fit(x, y, epochs=2, batch_size=16, verbose=0, callbacks=[counter])
    assert [b for b, _ in counter.seen] == [0, 1, 2, 3, 4] * 2
    assert counter.seen[4][1] == pytest.approx(history.history["loss"][0], rel=1e-12)
    (fast_model, fast_hist), _ = fit_both(
        lambda: build("relu", "sigmoid", "binary_crossentropy", "binary"), x, y,
        monkeypatch, epochs=2, batch_size=16)
    np.testing.assert_allclose(fast_hist.history["loss"], history.history["loss"],
                               rtol=1e-10)


def test_a_renamed_loss_trains_fast_but_a_subclass_of_it_does_not():
    model = build("relu", "sigmoid", "binary_crossentropy", "binary")
    model.compile(loss=BinaryCrossentropy(name="bce"), optimizer=SGD())
    assert fast.DenseStackTrainer.for_model(model, 32) is not None

    class MyLoss(BinaryCrossentropy):  # may compute anything: the teaching path runs it
        pass

    model.compile(loss=MyLoss(), optimizer=SGD())
    assert "loss" in fast.unsupported_reason(model.layers, model.loss, model.optimizer)
    assert fast.DenseStackTrainer.for_model(model, 32) is None
