"""Exercises of notebook 09_training_in_practice: several correct ways of writing each
function pass its checks, and the references agree with independent computations
(samples drawn by backprop_lab.initializers, the cross-entropy of a uniform softmax,
pure-Python loops).

(tests/course/test_grading.py already checks, for every exercise, that the reference passes and
that each catalogued mistake fails with its own hint.)
"""
import functools
import math

import numpy as np
import pytest

from backprop_lab import functional as F
from backprop_lab import initializers
from backprop_lab.exercises import by_notebook
from backprop_lab.exercises.nb09_practice import (
    activation_std_through_layers,
    glorot_uniform_limit,
    he_normal_std,
    initial_loss_expected,
)
from backprop_lab.grading import grade

from exercise_helpers import assert_passes


def test_notebook_has_its_exercises_worth_five_points():
    exercises = by_notebook("09_training_in_practice")
    assert [ex.id for ex in exercises] == ["activation_std_through_layers",
                                           "glorot_uniform_limit", "he_normal_std",
                                           "initial_loss_expected", "update_ratios"]
    assert sum(ex.points for ex in exercises) == 5
    assert exercises[-1].points == 0  # the optional check of going further


# --------------------------------------------------------------------------------------
# activation_std_through_layers
# --------------------------------------------------------------------------------------
def _stds_loop_explicit_formula(x, weights, activation_forward):
    a = x
    stds = np.zeros(len(weights))
    for layer, W in enumerate(weights):
        a = activation_forward(np.dot(a, W))[0]
        stds[layer] = np.sqrt(np.mean((a - np.mean(a)) ** 2))
    return stds


def _stds_einsum_and_var(x, weights, activation_forward):
    a, out = x, []
    for W in weights:
        a, _ = activation_forward(np.einsum("nd,dm->nm", a, W))
        out.append(np.sqrt(np.var(a.ravel())))
    return np.asarray(out)


def _stds_recursive(x, weights, activation_forward):
    if not weights:
        return np.zeros(0)
    a, _ = activation_forward(x @ weights[0])
    return np.concatenate([[np.std(a)], _stds_recursive(a, weights[1:], activation_forward)])


def _stds_reduce(x, weights, activation_forward):
    def step(state, W):
        a, stds = state
        a = activation_forward(a @ W)[0]
        return a, stds + [float(a.std())]

    return np.array(functools.reduce(step, weights, (x, []))[1])


@pytest.mark.parametrize("fn", [_stds_loop_explicit_formula, _stds_einsum_and_var,
                                _stds_recursive, _stds_reduce])
def test_activation_std_styles_pass(fn):
    assert_passes("activation_std_through_layers", fn)


def _python_std(values):
    values = [float(v) for v in values]
    mean = sum(values) / len(values)
    return math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))


def test_activation_std_agrees_with_a_pure_python_forward_pass():
    """Matrix products, tanh and the standard deviation written out in plain Python."""
    rng = np.random.default_rng(3)
    x = rng.standard_normal((4, 3))
    weights = [rng.standard_normal((3, 5)) / np.sqrt(3), rng.standard_normal((5, 2)) / np.sqrt(5)]
    rows = x.tolist()
    expected = []
    for W in weights:
        cols = W.shape[1]
        rows = [[math.tanh(sum(r[i] * W[i, j] for i in range(len(r)))) for j in range(cols)]
                for r in rows]
        expected.append(_python_std([v for r in rows for v in r]))
    got = activation_std_through_layers(x, weights, F.tanh_forward)
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_activation_std_matches_the_variance_rule_of_a_linear_stack():
    """Var(z) = fan_in Var(w) Var(x): with Var(w) = c / fan_in the std of a deep linear
    stack grows like c ** (l / 2) (checked within sampling error on a large batch)."""
    rng = np.random.default_rng(4)
    x = rng.standard_normal((4000, 200))
    c = 1.5
    weights = [rng.standard_normal((200, 200)) * np.sqrt(c / 200) for _ in range(6)]
    got = activation_std_through_layers(x, weights, F.linear_forward)
    np.testing.assert_allclose(got, c ** (np.arange(1, 7) / 2), rtol=0.1)


def test_activation_std_of_a_stack_that_vanishes_keeps_its_relative_precision():
    """A learner's function that returned zeros for a vanishing stack must fail: the
    exercise compares with relative tolerance only (atol = 0)."""
    def zeros_when_small(x, weights, activation_forward):
        stds = activation_std_through_layers(x, weights, activation_forward)
        return np.where(stds < 1e-9, 0.0, stds)

    assert grade("activation_std_through_layers", zeros_when_small).status == "failed"


# --------------------------------------------------------------------------------------
# glorot_uniform_limit
# --------------------------------------------------------------------------------------
def _glorot_math(fan_in, fan_out):
    return math.sqrt(6 / (fan_in + fan_out))


def _glorot_numpy_power(fan_in, fan_out):
    return (6.0 / (fan_in + fan_out)) ** 0.5


def _glorot_from_variance(fan_in, fan_out):
    variance = 2 / (fan_in + fan_out)
    return np.sqrt(3 * variance)


def _glorot_from_fan_avg(fan_in, fan_out):
    fan_avg = (fan_in + fan_out) / 2
    return np.sqrt(3.0 / fan_avg)


@pytest.mark.parametrize("fn", [_glorot_math, _glorot_numpy_power, _glorot_from_variance,
                                _glorot_from_fan_avg])
def test_glorot_uniform_limit_styles_pass(fn):
    assert_passes("glorot_uniform_limit", fn)


@pytest.mark.parametrize("shape", [(20, 10), (300, 100), (64, 64)])
def test_glorot_uniform_limit_bounds_the_package_initializer(shape):
    """GlorotUniform's draws stay inside [-l, l], come close to both ends, and have the
    variance l**2 / 3 = 2 / (fan_in + fan_out)."""
    draws = np.concatenate([initializers.GlorotUniform(seed=s)(shape).ravel()
                            for s in range(40)])
    limit = glorot_uniform_limit(*shape)
    assert np.abs(draws).max() <= limit
    assert np.abs(draws).max() > 0.99 * limit
    assert np.var(draws) == pytest.approx(2.0 / sum(shape), rel=0.03)


# --------------------------------------------------------------------------------------
# he_normal_std
# --------------------------------------------------------------------------------------
def _he_math(fan_in, fan_out):
    return math.sqrt(2 / fan_in)


def _he_numpy(fan_in, fan_out):
    return np.sqrt(2.0) / np.sqrt(fan_in)


def _he_power(fan_in, fan_out):
    del fan_out  # not used by He's rule
    return (2.0 / fan_in) ** 0.5


def _he_from_variance_scaling(fan_in, fan_out, scale=2.0):
    return float(np.sqrt(scale / max(1.0, fan_in)))


@pytest.mark.parametrize("fn", [_he_math, _he_numpy, _he_power, _he_from_variance_scaling])
def test_he_normal_std_styles_pass(fn):
    assert_passes("he_normal_std", fn)


@pytest.mark.parametrize("shape", [(20, 10), (64, 128), (400, 50)])
def test_he_normal_std_is_the_std_of_the_package_initializer(shape):
    draws = np.concatenate([initializers.HeNormal(seed=s)(shape).ravel() for s in range(40)])
    assert np.std(draws) == pytest.approx(he_normal_std(*shape), rel=0.03)
    assert np.abs(draws).max() <= 2 * he_normal_std(*shape) / initializers.TRUNCATED_STDDEV


# --------------------------------------------------------------------------------------
# initial_loss_expected
# --------------------------------------------------------------------------------------
def _loss_numpy(n_classes):
    return np.log(n_classes)


def _loss_minus_log_probability(n_classes):
    return -math.log(1 / n_classes)


def _loss_entropy_of_uniform(n_classes):
    p = np.full(n_classes, 1.0 / n_classes)
    return float(-np.sum(p * np.log(p)))


def _loss_change_of_base(n_classes):
    return np.log2(n_classes) * np.log(2)


@pytest.mark.parametrize("fn", [_loss_numpy, _loss_minus_log_probability,
                                _loss_entropy_of_uniform, _loss_change_of_base])
def test_initial_loss_styles_pass(fn):
    assert_passes("initial_loss_expected", fn)


@pytest.mark.parametrize("k", [2, 3, 10, 257])
def test_initial_loss_is_the_cross_entropy_of_equal_logits(k):
    """Equal logits give a uniform softmax; its cross-entropy against any one-hot labels
    is the expected initial loss."""
    labels = np.arange(12) % k
    logits = np.full((12, k), 0.7)
    loss = F.sparse_categorical_crossentropy_from_logits(labels, logits)
    assert loss == pytest.approx(initial_loss_expected(k), rel=1e-12)



# --------------------------------------------------------------------------------------
# update_ratios (optional)
# --------------------------------------------------------------------------------------
def _ratios_loop(weights_before, weights_after):
    ratios = []
    for i in range(0, len(weights_before), 2):
        step = weights_after[i] - weights_before[i]
        ratios.append(float(np.sqrt(np.sum(step ** 2)) / np.sqrt(np.sum(weights_before[i] ** 2))))
    return ratios


def test_update_ratios_other_style_passes():
    assert_passes("update_ratios", _ratios_loop)


def test_with_momentum_the_real_step_is_not_the_gradient_step():
    """Why the question asks to measure: after a few steps with momentum 0.9 the measured
    ratio differs from learning_rate * ||dW|| / ||W||; on a first plain SGD step they agree."""
    from backprop_lab.exercises.nb09_practice import update_ratios
    from backprop_lab.layers import Dense
    from backprop_lab.models import Sequential
    from backprop_lab.optimizers import SGD

    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((40, 8)), np.eye(3)[rng.integers(0, 3, 40)]

    def measured_and_formula(momentum, warm_steps):
        model = Sequential([
            Dense(6, activation="relu", input_dim=8,
                  kernel_initializer=initializers.GlorotUniform(seed=1)),
            Dense(3, activation="softmax", kernel_initializer=initializers.GlorotUniform(seed=2))])
        model.compile(loss="categorical_crossentropy",
                      optimizer=SGD(learning_rate=0.1, momentum=momentum))
        if warm_steps:
            model.fit(x, y, epochs=warm_steps, batch_size=40, shuffle=False, verbose=0)
        _, grads = model.loss_and_gradients(x, y)
        formula = [0.1 * np.linalg.norm(g) / np.linalg.norm(layer.kernel)
                   for layer, g in zip(model.layers, grads[::2])]
        before = model.get_weights()
        model.fit(x, y, epochs=1, batch_size=40, shuffle=False, verbose=0)
        return np.array(update_ratios(before, model.get_weights())), np.array(formula)

    measured, formula = measured_and_formula(0.0, 0)
    np.testing.assert_allclose(measured, formula, rtol=1e-10)
    measured, formula = measured_and_formula(0.9, 3)
    assert np.all(np.abs(measured / formula - 1) > 0.1)
