"""Optimizers against updates computed by hand, step by step, with plain Python floats."""
import math
import warnings

import numpy as np
import pytest

from backprop_lab import optimizers
from backprop_lab.optimizers import SGD, Adam, RMSprop

GRADS = [0.5, -1.0, 2.0, 0.25]  # gradient seen at steps 1..4 (one scalar weight)


def run(optimizer, w0=1.0, grads=GRADS):
    """Apply the optimizer to a 1-element weight; return its value after every step."""
    w = np.array([w0])
    before = w
    values = []
    for g in grads:
        optimizer.apply([np.array([g])], [w])
        values.append(float(w[0]))
    assert w is before  # updated in place
    return values


def test_sgd_plain_step():
    lr = 0.1
    expected, w = [], 1.0
    for g in GRADS:
        w = w - lr * g
        expected.append(w)
    assert run(SGD(learning_rate=lr)) == pytest.approx(expected, abs=1e-15)


def test_sgd_momentum_matches_keras3_form():
    lr, mu = 0.1, 0.9
    # by hand: m = mu*m - lr*g ; w = w + m
    w, m, expected = 1.0, 0.0, []
    for g in GRADS:
        m = mu * m - lr * g
        w = w + m
        expected.append(w)
    assert run(SGD(learning_rate=lr, momentum=mu)) == pytest.approx(expected, abs=1e-15)
    # first steps written out: -0.05, then m = 0.9*(-0.05) + 0.1 = 0.055
    assert expected[0] == pytest.approx(0.95)
    assert expected[1] == pytest.approx(0.95 + 0.055)


def test_sgd_nesterov_matches_keras3_form():
    lr, mu = 0.1, 0.9
    w, m, expected = 1.0, 0.0, []
    for g in GRADS:
        m = mu * m - lr * g
        w = w + mu * m - lr * g
        expected.append(w)
    assert run(SGD(learning_rate=lr, momentum=mu, nesterov=True)) == pytest.approx(
        expected, abs=1e-15)


def test_adam_matches_keras3_form_and_the_paper():
    lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-7
    # Keras 3: alpha = lr * sqrt(1 - b2^t) / (1 - b1^t); w -= alpha * m / (sqrt(v) + eps)
    w, m, v, expected = 1.0, 0.0, 0.0, []
    for t, g in enumerate(GRADS, start=1):
        m = m + (1 - b1) * (g - m)
        v = v + (1 - b2) * (g * g - v)
        alpha = lr * math.sqrt(1 - b2**t) / (1 - b1**t)
        w = w - alpha * m / (math.sqrt(v) + eps)
        expected.append(w)
    got = run(Adam(learning_rate=lr))
    assert got == pytest.approx(expected, abs=1e-14)
    # The paper's bias-corrected form gives the same steps up to the epsilon term.
    w, m, v, paper = 1.0, 0.0, 0.0, []
    for t, g in enumerate(GRADS, start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        w = w - lr * (m / (1 - b1**t)) / math.sqrt(v / (1 - b2**t))
        paper.append(w)
    assert got == pytest.approx(paper, abs=1e-6)
    # First Adam step moves by ~lr in the direction opposite to the gradient.
    assert got[0] == pytest.approx(1.0 - lr, abs=1e-6)


def test_adam_defaults_are_keras3s():
    opt = Adam()
    assert (opt.learning_rate, opt.beta_1, opt.beta_2, opt.epsilon) == (0.001, 0.9, 0.999, 1e-7)
    assert SGD().learning_rate == 0.01 and SGD().momentum == 0.0 and not SGD().nesterov


def test_rmsprop_matches_keras3_form():
    lr, rho, eps = 0.01, 0.9, 1e-7
    w, v, expected = 1.0, 0.0, []
    for g in GRADS:
        v = rho * v + (1 - rho) * g * g
        w = w - lr * g / math.sqrt(v + eps)
        expected.append(w)
    assert run(RMSprop(learning_rate=lr)) == pytest.approx(expected, abs=1e-14)


def test_updates_many_arrays_and_counts_iterations():
    w1, w2 = np.ones((2, 3)), np.zeros(3)
    opt = SGD(learning_rate=0.5)
    opt.apply([np.full((2, 3), 2.0), np.array([1.0, 2.0, 3.0])], [w1, w2])
    assert np.array_equal(w1, np.zeros((2, 3)))
    assert np.array_equal(w2, [-0.5, -1.0, -1.5])
    opt.apply_gradients([(np.zeros((2, 3)), w1), (np.zeros(3), w2)])
    assert opt.iterations == 2


def test_float32_weights_stay_float32():
    w = np.ones(3, dtype=np.float32)
    Adam(learning_rate=0.1).apply([np.ones(3, dtype=np.float32)], [w])
    assert w.dtype == np.float32 and np.all(w < 1)


def test_lr_is_accepted_with_a_deprecation_warning():
    with pytest.warns(DeprecationWarning, match="learning_rate"):
        opt = SGD(lr=0.05)
    assert opt.learning_rate == 0.05
    with pytest.warns(DeprecationWarning, match=r"Adam\(learning_rate=0.002\)"):
        assert Adam(lr=0.002).learning_rate == 0.002


def test_learning_rate_gives_no_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        SGD(learning_rate=0.05)


def test_lr_and_learning_rate_together_is_an_error():
    with pytest.raises(ValueError, match="both lr"):
        SGD(lr=0.1, learning_rate=0.1)


def test_unknown_optimizer_argument_is_named():
    with pytest.raises(TypeError, match="decay"):
        SGD(learning_rate=0.1, decay=0.01)


def test_optimizer_by_name():
    assert isinstance(optimizers.get("sgd"), SGD)
    assert isinstance(optimizers.get("Adam"), Adam)
    assert isinstance(optimizers.get("rmsprop"), RMSprop)
    opt = SGD(learning_rate=0.3)
    assert optimizers.get(opt) is opt


def test_momentum_out_of_range():
    with pytest.raises(ValueError, match="momentum"):
        SGD(momentum=-0.5)


def test_state_round_trip():
    opt = Adam(learning_rate=0.1)
    w = np.ones(4)
    opt.apply([np.arange(4.0)], [w])
    state, its = opt.get_state(), opt.iterations
    other = Adam(learning_rate=0.1)
    w2 = w.copy()
    other.set_state(state, [w2], its)
    opt.apply([np.ones(4)], [w])
    other.apply([np.ones(4)], [w2])
    assert np.array_equal(w, w2)
