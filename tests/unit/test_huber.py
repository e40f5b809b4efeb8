"""The Huber loss, added by following CONTRIBUTING.md's recipe for a loss: the functional
pair, the Keras-named class, and these tests (value against a formula written here,
gradient against central differences and autograd, a fitted model against a hand-written
float64 step, bad arguments, saving)."""
import autograd
import autograd.numpy as anp
import numpy as np
import pytest

from backprop_lab import functional as F
from backprop_lab import losses, utils
from backprop_lab.layers import Dense
from backprop_lab.models import Sequential, load_model
from backprop_lab.optimizers import SGD


def huber_by_hand(y, p, delta):
    total = 0.0
    for e in (np.asarray(p) - np.asarray(y)).ravel():
        total += 0.5 * e * e if abs(e) <= delta else delta * (abs(e) - 0.5 * delta)
    return total / np.size(p)


def central_differences(f, x, h=1e-6):
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        up = f(x)
        x[i] = old - h
        down = f(x)
        x[i] = old
        g[i] = (up - down) / (2 * h)
    return g


@pytest.mark.parametrize("delta", [0.3, 1.0, 2.5])
def test_value_and_gradient(delta):
    rng = np.random.default_rng(1)
    y = rng.normal(size=(6, 3))
    p = y + rng.normal(scale=2.0, size=(6, 3))  # errors on both sides of delta
    assert F.huber(y, p, delta) == pytest.approx(huber_by_hand(y, p, delta), rel=1e-13)
    g = F.huber_grad(y, p, delta)
    fd = central_differences(lambda v: F.huber(y, v, delta), p.copy())
    np.testing.assert_allclose(g, fd, rtol=1e-6, atol=1e-9)

    def ag(v):
        e = v - y
        return anp.mean(anp.where(anp.abs(e) <= delta, 0.5 * e ** 2,
                                  delta * (anp.abs(e) - 0.5 * delta)))

    np.testing.assert_allclose(g, autograd.grad(ag)(p), rtol=1e-12, atol=1e-15)


def test_small_errors_are_half_squared_large_ones_linear():
    y = np.zeros((1, 2))
    assert F.huber(y, np.array([[0.5, 0.0]]), 1.0) == pytest.approx(0.5 * 0.25 / 2)
    assert F.huber(y, np.array([[3.0, 0.0]]), 1.0) == pytest.approx((3.0 - 0.5) / 2)
    np.testing.assert_allclose(F.huber_grad(y, np.array([[3.0, -0.4]]), 1.0), [[0.5, -0.2]])


def test_keras_names_and_arguments():
    assert isinstance(losses.get("huber"), losses.Huber)
    assert isinstance(losses.get("huber_loss"), losses.Huber)
    assert isinstance(losses.get("Huber"), losses.Huber)
    loss = losses.Huber(delta=2.0)
    assert loss.name == "huber_loss" and loss.get_config() == {"delta": 2.0,
                                                               "name": "huber_loss"}
    y, p = np.array([[0.0], [0.0]]), np.array([[1.0], [5.0]])
    assert loss(y, p) == pytest.approx(huber_by_hand(y, p, 2.0))


@pytest.mark.parametrize("bad", [0, -1.0, float("nan"), "1"])
def test_bad_delta_names_the_argument(bad):
    with pytest.raises(ValueError, match=r"Huber\(delta=\.\.\.\)"):
        losses.Huber(delta=bad)


def test_fit_takes_the_step_written_by_hand():
    """One full-batch SGD step of a linear model with the Huber loss, against the same
    step written here in float64 (w <- w - eta * x^T clip(xw + b - y, -d, d) / N)."""
    utils.set_random_seed(3)
    rng = np.random.default_rng(3)
    x = rng.normal(size=(8, 3))
    y = rng.normal(scale=3.0, size=(8, 1))
    model = Sequential([Dense(1, input_dim=3)])
    model.compile(loss=losses.Huber(delta=0.7), optimizer=SGD(learning_rate=0.1))
    w, b = model.get_weights()
    model.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0)
    r = np.clip(x @ w + b - y, -0.7, 0.7) / y.size
    w_new, b_new = w - 0.1 * x.T @ r, b - 0.1 * r.sum(axis=0)
    got_w, got_b = model.get_weights()
    np.testing.assert_allclose(got_w, w_new, rtol=0, atol=1e-15)
    np.testing.assert_allclose(got_b, b_new, rtol=0, atol=1e-15)


def test_saved_and_loaded_with_its_delta(tmp_path):
    model = Sequential([Dense(1, input_dim=2)])
    model.compile(loss=losses.Huber(delta=0.25), optimizer="sgd")
    model.save(tmp_path / "m.npz")
    back = load_model(tmp_path / "m.npz")
    assert isinstance(back.loss, losses.Huber) and back.loss.delta == 0.25
