"""Exercises of notebook 03_chain_rule: several correct styles of each function pass its
checks, and the reference implementations agree with independent oracles (exact
derivatives and the autograd package).

(tests/course/test_grading.py already checks that every reference passes and that every
catalogued mistake fails with its own hint.)"""
import math

import autograd
import autograd.numpy as anp
import numpy as np
import pytest

from backprop_lab.exercises import EXERCISES, by_notebook
from backprop_lab.exercises.nb03_chain_rule import (
    four_point_derivative,
    neuron_gradients,
    numerical_derivative,
    sigmoid_derivative,
    two_layer_gradients,
)
from backprop_lab.grading import grade

from exercise_helpers import assert_passes


def test_the_notebook_has_five_exercises_worth_seven_points():
    exercises = by_notebook("03_chain_rule")
    assert [ex.id for ex in exercises] == [
        "numerical_derivative", "sigmoid_derivative", "neuron_gradients", "two_layer_gradients",
        "four_point_derivative"]
    assert sum(ex.points for ex in exercises) == 7
    assert exercises[-1].points == 0            # the optional going-further check


# --------------------------------------------------------------------------------------
# numerical_derivative
# --------------------------------------------------------------------------------------
def _nd_halved(f, x, h=1e-5):
    return 0.5 * (f(x + h) - f(x - h)) / h


def _nd_two_divisions(f, x, h=1e-5):
    return (f(x + h) - f(x - h)) / h / 2


def _nd_named_points(f, x, h=1e-5):
    right = f(x + h)
    left = f(x - h)
    rise = right - left
    run = (x + h) - (x - h)  # not exactly 2h in floating point: still within tolerance
    return rise / run


def _nd_floats(f, x, h=1e-5):
    return float((f(x + h) - f(x - h)) / (2.0 * h))


def _nd_average_of_one_sided(f, x, h=1e-5):
    forward = (f(x + h) - f(x)) / h
    backward = (f(x) - f(x - h)) / h
    return (forward + backward) / 2


@pytest.mark.parametrize("fn", [_nd_halved, _nd_two_divisions, _nd_named_points, _nd_floats,
                                _nd_average_of_one_sided])
def test_numerical_derivative_correct_styles_pass(fn):
    assert_passes("numerical_derivative", fn)


@pytest.mark.parametrize("f,df,x", [
    (math.sin, math.cos, 0.7),
    (math.exp, math.exp, -1.3),
    (lambda t: t ** 3, lambda t: 3 * t ** 2, 2.0),
    (math.tanh, lambda t: 1 - math.tanh(t) ** 2, 0.4),
])
def test_numerical_derivative_reference_matches_exact_derivatives(f, df, x):
    assert numerical_derivative(f, x) == pytest.approx(df(x), rel=1e-8, abs=1e-10)


def test_numerical_derivative_central_error_shrinks_like_h_squared():
    errors = [abs(numerical_derivative(math.sin, 1.0, h) - math.cos(1.0)) for h in (1e-2, 1e-3)]
    assert errors[0] / errors[1] == pytest.approx(100, rel=0.01)


# --------------------------------------------------------------------------------------
# sigmoid_derivative
# --------------------------------------------------------------------------------------
def _sd_naive_sigmoid(z):
    s = 1 / (1 + np.exp(-z))  # overflows to inf for z = -1000, and 1 / inf = 0 is right
    return s * (1 - s)


def _sd_s_minus_s_squared(z):
    s = 1.0 / (1.0 + np.exp(-z))
    return s - s ** 2


def _sd_tanh_form(z):
    # sigma(z) = (1 + tanh(z / 2)) / 2, so sigma'(z) = (1 - tanh(z / 2)^2) / 4
    t = np.tanh(z / 2)
    return (1 - t * t) / 4


def _sd_cosh_form(z):
    return 0.25 / np.cosh(z / 2) ** 2


def _sd_loop(z):
    out = np.empty_like(z)
    for index, value in np.ndenumerate(z):
        s = 1 / (1 + math.exp(-value)) if value > -700 else 0.0
        out[index] = s * (1 - s)
    return out


@pytest.mark.parametrize("fn", [_sd_naive_sigmoid, _sd_s_minus_s_squared, _sd_tanh_form,
                                _sd_cosh_form, _sd_loop])
def test_sigmoid_derivative_correct_styles_pass(fn):
    assert_passes("sigmoid_derivative", fn)


def test_sigmoid_derivative_reference_matches_autograd():
    z = np.linspace(-8, 8, 33)
    expected = autograd.elementwise_grad(lambda t: 1 / (1 + anp.exp(-t)))(z)
    np.testing.assert_allclose(sigmoid_derivative(z), expected, rtol=1e-12, atol=1e-15)


def test_sigmoid_derivative_is_finite_and_small_when_saturated():
    out = sigmoid_derivative(np.array([-1000.0, 1000.0]))
    assert np.all(np.isfinite(out)) and np.all(out == 0)


# --------------------------------------------------------------------------------------
# neuron_gradients
# --------------------------------------------------------------------------------------
def _ng_loops(x, y, w, b):
    dw = np.zeros_like(w)
    db = 0.0
    for n in range(x.shape[0]):
        z = np.dot(x[n], w) + b
        y_hat = 1 / (1 + math.exp(-z)) if z > -700 else 0.0
        delta = (y_hat - y[n]) * y_hat * (1 - y_hat)
        dw += delta * x[n]
        db += delta
    return dw, db


def _ng_einsum(x, y, w, b):
    y_hat = 1 / (1 + np.exp(-(np.einsum("nd,d->n", x, w) + b)))
    delta = (y_hat - y) * y_hat * (1 - y_hat)
    return np.einsum("n,nd->d", delta, x), delta.sum()


def _ng_uses_sigmoid_derivative(x, y, w, b):
    # the exercise may call sigmoid_derivative: grading puts the reference in reach
    z = x @ w + b
    y_hat = 1 / (1 + np.exp(-z))
    delta = (y_hat - y) * sigmoid_derivative(z)
    return (delta[:, None] * x).sum(axis=0), float(delta.sum())


def _ng_negated_twice(x, y, w, b):
    y_hat = 1 / (1 + np.exp(-(x @ w + b)))
    error = y - y_hat
    delta = -error * y_hat * (1 - y_hat)
    return np.dot(delta, x), np.sum(delta)


@pytest.mark.parametrize("fn", [_ng_loops, _ng_einsum, _ng_uses_sigmoid_derivative,
                                _ng_negated_twice])
def test_neuron_gradients_correct_styles_pass(fn):
    assert_passes("neuron_gradients", fn)


def _neuron_loss(w, b, x, y):
    y_hat = 1 / (1 + anp.exp(-(anp.dot(x, w) + b)))
    return 0.5 * anp.sum((y - y_hat) ** 2)


def test_neuron_gradients_reference_matches_autograd():
    rng = np.random.default_rng(3)
    x, y = rng.standard_normal((7, 4)), rng.uniform(0, 1, 7)
    w, b = rng.standard_normal(4), 0.4
    dw, db = neuron_gradients(x, y, w, b)
    np.testing.assert_allclose(dw, autograd.grad(_neuron_loss, 0)(w, b, x, y), rtol=1e-10)
    assert db == pytest.approx(autograd.grad(_neuron_loss, 1)(w, b, x, y), rel=1e-10)
    assert isinstance(db, float) and dw.shape == w.shape


# --------------------------------------------------------------------------------------
# two_layer_gradients
# --------------------------------------------------------------------------------------
def _sig(z):
    return 1 / (1 + np.exp(-z))


def _tl_explicit_paths(x, y, W1, b1, W2, b2):
    h = _sig(x @ W1 + b1)
    y_hat = _sig(h @ W2 + b2)
    delta2 = (y_hat - y) * y_hat * (1 - y_hat)
    delta1 = np.zeros_like(h)
    for k in range(len(h)):
        total = 0.0
        for i in range(len(y_hat)):  # every path from hidden unit k to the loss
            total += W2[k, i] * delta2[i]
        delta1[k] = total * h[k] * (1 - h[k])
    dW1 = np.zeros_like(W1)
    for j in range(len(x)):
        for k in range(len(h)):
            dW1[j, k] = x[j] * delta1[k]
    dW2 = np.zeros_like(W2)
    for k in range(len(h)):
        for i in range(len(y_hat)):
            dW2[k, i] = h[k] * delta2[i]
    return dW1, delta1, dW2, delta2


def _tl_row_vectors(x, y, W1, b1, W2, b2):
    xr = x[None, :]
    h = _sig(xr @ W1 + b1)
    y_hat = _sig(h @ W2 + b2)
    delta2 = (y_hat - y) * y_hat * (1 - y_hat)
    delta1 = (delta2 @ W2.T) * h * (1 - h)
    return xr.T @ delta1, delta1[0], h.T @ delta2, delta2[0]


def _tl_einsum_with_sigmoid_derivative(x, y, W1, b1, W2, b2):
    z1 = np.einsum("j,jk->k", x, W1) + b1
    h = _sig(z1)
    z2 = np.einsum("k,ki->i", h, W2) + b2
    y_hat = _sig(z2)
    delta2 = (y_hat - y) * sigmoid_derivative(z2)  # the exercise may call it (depends)
    delta1 = np.einsum("ki,i->k", W2, delta2) * sigmoid_derivative(z1)
    return (np.einsum("j,k->jk", x, delta1), delta1, np.einsum("k,i->ki", h, delta2),
            delta2)


@pytest.mark.parametrize("fn", [_tl_explicit_paths, _tl_row_vectors,
                                _tl_einsum_with_sigmoid_derivative])
def test_two_layer_gradients_correct_styles_pass(fn):
    assert_passes("two_layer_gradients", fn)


def _two_layer_loss(W1, b1, W2, b2, x, y):
    h = 1 / (1 + anp.exp(-(anp.dot(x, W1) + b1)))
    y_hat = 1 / (1 + anp.exp(-(anp.dot(h, W2) + b2)))
    return 0.5 * anp.sum((y - y_hat) ** 2)


@pytest.mark.parametrize("d,hidden,m", [(2, 3, 2), (4, 5, 3), (3, 2, 1)])
def test_two_layer_gradients_reference_matches_autograd(d, hidden, m):
    rng = np.random.default_rng(d * 100 + hidden * 10 + m)
    x, y = rng.standard_normal(d), rng.uniform(0, 1, m)
    params = (rng.standard_normal((d, hidden)), rng.standard_normal(hidden),
              rng.standard_normal((hidden, m)), rng.standard_normal(m))
    got = two_layer_gradients(x, y, *params)
    for argnum, g in enumerate(got):
        expected = autograd.grad(_two_layer_loss, argnum)(*params, x, y)
        assert g.shape == params[argnum].shape
        np.testing.assert_allclose(g, expected, rtol=1e-10, atol=1e-14)


# --------------------------------------------------------------------------------------
# More unusual but correct styles (found by reviewing the course as a learner)
# --------------------------------------------------------------------------------------
def _stable_sigmoid(z):
    from backprop_lab import functional as F

    return F.sigmoid_forward(np.asarray(z, dtype=np.float64))[0]


def _nd_half_times(f, x, h=1e-5):
    return 0.5 * (f(x + h) - f(x - h)) / h


def _nd_np_diff(f, x, h=1e-5):
    return np.diff([f(x - h), f(x + h)])[0] / (2 * h)


def _sd_symmetric(z):
    return _stable_sigmoid(z) * _stable_sigmoid(-z)  # sigma(-z) = 1 - sigma(z)


def _sd_log_space(z):
    # log sigma'(z) = log sigma(z) + log sigma(-z) = -softplus(-z) - softplus(z)
    return np.exp(-np.logaddexp(0.0, -z) - np.logaddexp(0.0, z))


def _ng_delta_at_x(x, y, w, b):
    y_hat = _stable_sigmoid(x @ w + b)
    delta = (y_hat - y) * y_hat * (1 - y_hat)
    return delta @ x, delta.sum()


def _ng_new_axis(x, y, w, b):
    y_hat = _stable_sigmoid(x @ w + b)
    delta = (y_hat - y) * y_hat * (1 - y_hat)
    return np.sum(x * delta[:, None], axis=0), np.sum(delta)


def _tl_broadcast_outer(x, y, W1, b1, W2, b2):
    h = _stable_sigmoid(x @ W1 + b1)
    y_hat = _stable_sigmoid(h @ W2 + b2)
    delta2 = (y_hat - y) * y_hat * (1 - y_hat)
    delta1 = (delta2 @ W2.T) * h * (1 - h)
    return x[:, None] * delta1[None, :], delta1, h[:, None] * delta2[None, :], delta2


def _tl_returns_a_list(x, y, W1, b1, W2, b2):
    h = _stable_sigmoid(x @ W1 + b1)
    y_hat = _stable_sigmoid(h @ W2 + b2)
    delta2 = (y_hat - y) * y_hat * (1 - y_hat)
    delta1 = np.dot(W2, delta2) * h * (1 - h)
    return [x.reshape(-1, 1) @ delta1.reshape(1, -1), delta1,
            np.einsum("k,i->ki", h, delta2), delta2]


@pytest.mark.parametrize("exercise_id,fn", [
    ("numerical_derivative", _nd_half_times), ("numerical_derivative", _nd_np_diff),
    ("sigmoid_derivative", _sd_symmetric), ("sigmoid_derivative", _sd_log_space),
    ("neuron_gradients", _ng_delta_at_x), ("neuron_gradients", _ng_new_axis),
    ("two_layer_gradients", _tl_broadcast_outer), ("two_layer_gradients", _tl_returns_a_list)])
def test_more_unusual_styles_pass(exercise_id, fn):
    assert_passes(exercise_id, fn)


# --------------------------------------------------------------------------------------
# four_point_derivative (optional)
# --------------------------------------------------------------------------------------
def _fp_weights(f, x, h=1e-3):
    points = [x - 2 * h, x - h, x + h, x + 2 * h]
    weights = [1, -8, 8, -1]
    return sum(w * f(p) for w, p in zip(weights, points)) / (12 * h)


def _fp_from_two_central_differences(f, x, h=1e-3):
    # Richardson: (4 D(h) - D(2h)) / 3, with D the central difference
    d_h = (f(x + h) - f(x - h)) / (2 * h)
    d_2h = (f(x + 2 * h) - f(x - 2 * h)) / (4 * h)
    return (4 * d_h - d_2h) / 3


def _fp_numpy(f, x, h=1e-3):
    values = np.array([f(x + k * h) for k in (-2, -1, 1, 2)])
    return float(values @ np.array([1.0, -8.0, 8.0, -1.0]) / (12 * h))


@pytest.mark.parametrize("fn", [_fp_weights, _fp_from_two_central_differences, _fp_numpy])
def test_four_point_derivative_correct_styles_pass(fn):
    assert_passes("four_point_derivative", fn)


def test_four_point_error_shrinks_like_h_to_the_fourth():
    errors = [abs(four_point_derivative(math.sin, 1.0, h) - math.cos(1.0)) for h in (1e-1, 1e-2)]
    assert errors[0] / errors[1] == pytest.approx(1e4, rel=0.02)


# --------------------------------------------------------------------------------------
# Learners' slips named by their own hint (and nothing else)
# --------------------------------------------------------------------------------------
def _assert_named(exercise_id, fn, mistake):
    r = grade(exercise_id, fn)
    assert (r.status, r.mistake) == ("failed", mistake), r.verdict()
    assert r.hint == next(m.hint for m in EXERCISES[exercise_id].mistakes if m.name == mistake)
    return r


def _nd_floor(f, x, h=1e-5):
    rise = f(x + h) - f(x - h)
    return rise // (2 * h)


def _nd_textbook_step(f, x, h=0.0001):
    return (f(x + h) - f(x - h)) / (2 * h)


def _nd_h_times_h(f, x, h=1e-5):
    return (f(x + h) - f(x - h)) / (2 * h ** 2)


def _fp_step_of_the_central_difference(f, x, h=1e-5):
    return (f(x - 2 * h) - 8 * f(x - h) + 8 * f(x + h) - f(x + 2 * h)) / (12 * h)


@pytest.mark.parametrize("exercise_id,fn,mistake", [
    ("numerical_derivative", _nd_floor, "floor division //"),
    ("numerical_derivative", _nd_textbook_step, "default h = 1e-4"),
    ("numerical_derivative", _nd_h_times_h, "divided by h squared"),
    ("four_point_derivative", _fp_step_of_the_central_difference, "default h = 1e-5"),
])
def test_learners_slips_get_their_own_hint(exercise_id, fn, mistake):
    _assert_named(exercise_id, fn, mistake)


def test_a_floor_division_is_not_taken_for_the_precedence_slip():
    r = _assert_named("numerical_derivative", _nd_floor, "floor division //")
    precedence = next(m.hint for m in EXERCISES["numerical_derivative"].mistakes
                      if m.name == "/ 2 * h")
    assert precedence not in r.verdict()


def test_a_squeezed_gradient_of_one_unit_is_caught():
    def two_layer_squeezed(x, y, W1, b1, W2, b2):
        return tuple(np.squeeze(g) for g in two_layer_gradients(x, y, W1, b1, W2, b2))

    r = grade("two_layer_gradients", two_layer_squeezed)
    assert r.status == "failed"
    assert any("an axis of length 1 is missing" in m for m in r.messages)
