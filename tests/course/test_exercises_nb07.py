"""Exercises of notebook 07_optimizers_regularization: several correct ways of writing each
function pass its checks, typical wrong versions fail with the hint that names their
mistake, and the references agree with independent computations.

(tests/course/test_grading.py already checks, for every exercise, that the reference passes
and that each catalogued mistake fails with its own hint.)
"""
import math

import autograd
import autograd.numpy as anp
import numpy as np
import pytest

from backprop_lab import functional as F
from backprop_lab.exercises import EXERCISES, by_notebook
from backprop_lab.grading import grade

from exercise_helpers import assert_passes


def test_notebook_has_its_five_exercises():
    ids = [ex.id for ex in by_notebook("07_optimizers_regularization")]
    assert ids == ["adam_update", "dropout_forward", "dropout_backward", "batchnorm_forward",
                   "batchnorm_backward"]
    assert EXERCISES["batchnorm_backward"].difficulty == 5


def _fails_with(exercise_id, fn, mistake):
    r = grade(exercise_id, fn)
    assert r.status == "failed", r.verdict()
    assert r.mistake == mistake, r.verdict()
    hint = next(m.hint for m in EXERCISES[exercise_id].mistakes if m.name == mistake)
    assert hint in r.verdict()


# --------------------------------------------------------------------------------------
# adam_update
# --------------------------------------------------------------------------------------
def _adam_ema_form(w, dw, m, v, step, learning_rate, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    m_new = beta_1 * m + (1 - beta_1) * dw
    v_new = beta_2 * v + (1 - beta_2) * np.square(dw)
    alpha = learning_rate * math.sqrt(1 - beta_2 ** step) / (1 - beta_1 ** step)
    return w - alpha * m_new / (np.sqrt(v_new) + epsilon), m_new, v_new


def _adam_hats_with_keras_epsilon(w, dw, m, v, step, learning_rate, beta_1=0.9, beta_2=0.999,
                                  epsilon=1e-7):
    # the corrected moments, with Keras's epsilon rescaled into the corrected units
    m_new = m + (1 - beta_1) * (dw - m)
    v_new = v + (1 - beta_2) * (dw ** 2 - v)
    m_hat = m_new / (1 - beta_1 ** step)
    v_hat = v_new / (1 - beta_2 ** step)
    eps_hat = epsilon / np.sqrt(1 - beta_2 ** step)
    return w - learning_rate * m_hat / (np.sqrt(v_hat) + eps_hat), m_new, v_new


def _adam_loop(w, dw, m, v, step, learning_rate, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    w_new, m_new, v_new = np.empty_like(w), np.empty_like(m), np.empty_like(v)
    alpha = learning_rate * (1 - beta_2 ** step) ** 0.5 / (1 - beta_1 ** step)
    for i in np.ndindex(w.shape):
        m_new[i] = beta_1 * m[i] + (1 - beta_1) * dw[i]
        v_new[i] = beta_2 * v[i] + (1 - beta_2) * dw[i] * dw[i]
        w_new[i] = w[i] - alpha * m_new[i] / (v_new[i] ** 0.5 + epsilon)
    return w_new, m_new, v_new


def _adam_copies_then_in_place(w, dw, m, v, step, learning_rate, beta_1=0.9, beta_2=0.999,
                               epsilon=1e-7):
    m_new = m.copy()
    m_new *= beta_1
    m_new += (1 - beta_1) * dw
    v_new = v * beta_2
    v_new += (1 - beta_2) * dw * dw
    correction = np.sqrt(1 - np.power(beta_2, step)) / (1 - np.power(beta_1, step))
    return w - learning_rate * correction * m_new / (np.sqrt(v_new) + epsilon), m_new, v_new


@pytest.mark.parametrize("fn", [_adam_ema_form, _adam_hats_with_keras_epsilon, _adam_loop,
                                _adam_copies_then_in_place])
def test_adam_update_styles_pass(fn):
    assert_passes("adam_update", fn)


def test_typical_adam_slips_get_their_hint():
    def no_correction(w, dw, m, v, step, learning_rate, beta_1=0.9, beta_2=0.999,
                      epsilon=1e-7):
        m = beta_1 * m + (1 - beta_1) * dw
        v = beta_2 * v + (1 - beta_2) * dw ** 2
        return w - learning_rate * m / (np.sqrt(v) + epsilon), m, v

    def counts_from_zero(w, dw, m, v, step, learning_rate, beta_1=0.9, beta_2=0.999,
                         epsilon=1e-7):
        t = step - 1  # "the first step is step 0"
        m = beta_1 * m + (1 - beta_1) * dw
        v = beta_2 * v + (1 - beta_2) * dw ** 2
        correction = np.sqrt(1 - beta_2 ** t) / (1 - beta_1 ** t)
        return w - learning_rate * correction * m / (np.sqrt(v) + epsilon), m, v

    def epsilon_inside(w, dw, m, v, step, learning_rate, beta_1=0.9, beta_2=0.999,
                       epsilon=1e-7):
        m = m + (1 - beta_1) * (dw - m)
        v = v + (1 - beta_2) * (dw * dw - v)
        alpha = learning_rate * np.sqrt(1 - beta_2 ** step) / (1 - beta_1 ** step)
        return w - alpha * m / np.sqrt(v + epsilon), m, v

    def step_before_update(w, dw, m, v, step, learning_rate, beta_1=0.9, beta_2=0.999,
                           epsilon=1e-7):
        alpha = learning_rate * np.sqrt(1 - beta_2 ** step) / (1 - beta_1 ** step)
        w = w - alpha * m / (np.sqrt(v) + epsilon)
        m = m + (1 - beta_1) * (dw - m)
        v = v + (1 - beta_2) * (dw * dw - v)
        return w, m, v

    _fails_with("adam_update", no_correction, "no bias correction")
    _fails_with("adam_update", epsilon_inside, "epsilon inside the square root")
    _fails_with("adam_update", step_before_update, "m and v updated after they are used")
    _fails_with("adam_update", counts_from_zero, "t starting at 0")


def test_the_first_adam_step_is_learning_rate_long_whatever_the_gradient():
    """The bias correction makes the first step learning_rate long in every coordinate,
    whatever the size of the gradient (an independent fact about Adam; epsilon aside)."""
    for scale in (1e-1, 1.0, 1e3):
        w_new, _, _ = F.adam_update(np.zeros(3), scale * np.array([1.0, -2.0, 3.0]),
                                    np.zeros(3), np.zeros(3), 1, 0.01)
        np.testing.assert_allclose(np.abs(w_new), 0.01, rtol=1e-4)


# --------------------------------------------------------------------------------------
# dropout
# --------------------------------------------------------------------------------------
def _dropout_where(x, rate, mask, training=True):
    if training:
        return np.where(mask, x / (1 - rate), 0.0), (mask, rate)
    return x, (None, rate)


def _dropout_keep_probability(x, rate, mask, training=True):
    keep = 1.0 - rate
    out = x * mask.astype(x.dtype) / keep if training else x.copy()
    return out, ((mask if training else None), rate)


def _dropout_loop(x, rate, mask, training=True):
    if not training:
        return x + 0.0, (None, rate)
    out = np.zeros_like(x)
    for n, j in np.ndindex(x.shape):
        if mask[n, j]:
            out[n, j] = x[n, j] / (1 - rate)
    return out, (mask, rate)


@pytest.mark.parametrize("fn", [_dropout_where, _dropout_keep_probability, _dropout_loop])
def test_dropout_forward_styles_pass(fn):
    assert_passes("dropout_forward", fn)


def _dropout_backward_where(dout, cache):
    mask, rate = cache
    if mask is None:
        return dout
    return np.where(mask, dout / (1 - rate), 0.0)


def _dropout_backward_einsum(dout, cache):
    mask, rate = cache
    if mask is None:
        return dout.copy()
    return np.einsum("nm,nm->nm", dout, mask.astype(dout.dtype)) / (1 - rate)


@pytest.mark.parametrize("fn", [_dropout_backward_where, _dropout_backward_einsum])
def test_dropout_backward_styles_pass(fn):
    assert_passes("dropout_backward", fn)


def test_typical_dropout_slips_get_their_hint():
    def old_style(x, rate, mask, training=True):
        if training:
            return x * mask, (mask, rate)
        return x * (1 - rate), (None, rate)

    def always_drops(x, rate, mask, training=True):
        return x * mask / (1 - rate), (mask, rate)

    def forgets_inference(dout, cache):
        mask, rate = cache
        return dout * mask / (1 - rate)

    r = grade("dropout_forward", old_style)
    assert r.status == "failed" and r.mistake == "the original, non-inverted dropout"
    _fails_with("dropout_forward", always_drops, "dropout at inference")
    _fails_with("dropout_backward", forgets_inference, "inference forgotten")


# --------------------------------------------------------------------------------------
# batch normalization
# --------------------------------------------------------------------------------------
def _bn_forward_einsum(x, gamma, beta, moving_mean, moving_variance, training=True,
                       momentum=0.99, epsilon=1e-3):
    n = x.shape[0]
    if training:
        mean = np.einsum("nd->d", x) / n
        centred = x - mean
        var = np.einsum("nd,nd->d", centred, centred) / n
        moving_mean = momentum * moving_mean + (1 - momentum) * mean
        moving_variance = momentum * moving_variance + (1 - momentum) * var
    else:
        mean, var = moving_mean, moving_variance
        centred = x - mean
    inv_std = (var + epsilon) ** -0.5
    x_hat = centred * inv_std
    return x_hat * gamma + beta, (x_hat, inv_std, gamma, training), moving_mean, \
        moving_variance


def _bn_forward_mean_of_squares(x, gamma, beta, moving_mean, moving_variance, training=True,
                                momentum=0.99, epsilon=1e-3):
    if training:
        mean = np.mean(x, axis=0)
        var = np.mean((x - mean) ** 2, axis=0)
        new_mean = moving_mean + (1 - momentum) * (mean - moving_mean)
        new_var = moving_variance + (1 - momentum) * (var - moving_variance)
    else:
        mean, var, new_mean, new_var = moving_mean, moving_variance, moving_mean, \
            moving_variance
    std = np.sqrt(var + epsilon)
    x_hat = (x - mean) / std
    return gamma * x_hat + beta, (x_hat, 1 / std, gamma, training), new_mean, new_var


@pytest.mark.parametrize("fn", [_bn_forward_einsum, _bn_forward_mean_of_squares])
def test_batchnorm_forward_styles_pass(fn):
    assert_passes("batchnorm_forward", fn)


def _bn_backward_staged(dout, cache):
    """CS231n's staged backward pass, node by node through the graph."""
    x_hat, inv_std, gamma, training = cache
    dbeta = dout.sum(axis=0)
    dgamma = np.sum(dout * x_hat, axis=0)
    dx_hat = dout * gamma
    if not training:
        return dx_hat * inv_std, dgamma, dbeta
    n = dout.shape[0]
    centred = x_hat / inv_std                  # x - mean
    var_eps = inv_std ** -2                    # var + epsilon
    dinv_std = np.sum(dx_hat * centred, axis=0)
    dvar = dinv_std * -0.5 * var_eps ** -1.5
    dcentred = dx_hat * inv_std + dvar * 2 * centred / n
    dmean = -np.sum(dcentred, axis=0)
    return dcentred + dmean / n, dgamma, dbeta


def _bn_backward_means(dout, cache):
    x_hat, inv_std, gamma, training = cache
    g = dout * gamma
    if training:
        dx = inv_std * (g - g.mean(axis=0) - x_hat * (g * x_hat).mean(axis=0))
    else:
        dx = inv_std * g
    return dx, np.einsum("nd,nd->d", dout, x_hat), np.einsum("nd->d", dout)


@pytest.mark.parametrize("fn", [_bn_backward_staged, _bn_backward_means])
def test_batchnorm_backward_styles_pass(fn):
    assert_passes("batchnorm_backward", fn)


def test_batchnorm_backward_reference_matches_autograd():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((6, 3))
    gamma, beta = rng.standard_normal(3), rng.standard_normal(3)
    dout = rng.standard_normal((6, 3))
    _, cache, _, _ = F.batchnorm_forward(x, gamma, beta, np.zeros(3), np.ones(3))

    def scalar(x, gamma, beta):
        mean = anp.mean(x, axis=0)
        var = anp.mean((x - mean) ** 2, axis=0)
        return anp.sum(dout * (gamma * (x - mean) / anp.sqrt(var + 1e-3) + beta))

    for got, argnum in zip(F.batchnorm_backward(dout, cache), range(3)):
        np.testing.assert_allclose(got, autograd.grad(scalar, argnum)(x, gamma, beta),
                                   rtol=1e-10, atol=1e-12)


def test_typical_batchnorm_slips_get_their_hint():
    def constants(dout, cache):
        x_hat, inv_std, gamma, training = cache
        return dout * gamma * inv_std, (dout * x_hat).sum(0), dout.sum(0)

    def sample_variance(x, gamma, beta, moving_mean, moving_variance, training=True,
                        momentum=0.99, epsilon=1e-3):
        mean = x.mean(axis=0) if training else moving_mean
        var = x.var(axis=0, ddof=1) if training else moving_variance
        inv_std = 1 / np.sqrt(var + epsilon)
        x_hat = (x - mean) * inv_std
        if training:
            moving_mean = momentum * moving_mean + (1 - momentum) * mean
            moving_variance = momentum * moving_variance + (1 - momentum) * var
        return gamma * x_hat + beta, (x_hat, inv_std, gamma, training), moving_mean, \
            moving_variance

    _fails_with("batchnorm_backward", constants, "mean and variance held constant")
    _fails_with("batchnorm_forward", sample_variance, "unbiased variance")


# --------------------------------------------------------------------------------------
# Learners' slips named by their own hint (and nothing else)
# --------------------------------------------------------------------------------------
def _assert_named(exercise_id, fn, mistake):
    r = grade(exercise_id, fn)
    assert (r.status, r.mistake) == ("failed", mistake), r.verdict()
    assert r.hint == next(m.hint for m in EXERCISES[exercise_id].mistakes if m.name == mistake)
    return r


def _adam_paper_default(w, dw, m, v, step, learning_rate, beta_1=0.9, beta_2=0.999,
                        epsilon=1e-8):
    m = beta_1 * m + (1 - beta_1) * dw
    v = beta_2 * v + (1 - beta_2) * dw ** 2
    alpha = learning_rate * np.sqrt(1 - beta_2 ** step) / (1 - beta_1 ** step)
    return w - alpha * m / (np.sqrt(v) + epsilon), m, v


def _dropout_like_keras_call(x, rate, mask, training=None):
    if training:
        return x * mask / (1 - rate), (mask, rate)
    return x, (None, rate)


def _dropout_writes_into_x(x, rate, mask, training=True):
    if not training:
        return x, (None, rate)
    x *= mask / (1 - rate)
    return x, (mask, rate)


def _bn_pytorch_defaults(x, gamma, beta, moving_mean, moving_variance, training=True,
                         momentum=0.99, epsilon=1e-5):
    return F.batchnorm_forward(x, gamma, beta, moving_mean, moving_variance, training,
                               momentum, epsilon)


def _bn_pytorch_momentum(x, gamma, beta, moving_mean, moving_variance, training=True,
                         momentum=0.9, epsilon=1e-3):
    return F.batchnorm_forward(x, gamma, beta, moving_mean, moving_variance, training,
                               momentum, epsilon)


@pytest.mark.parametrize("exercise_id,fn,mistake", [
    ("adam_update", _adam_paper_default, "epsilon 1e-8 by default"),
    ("dropout_forward", _dropout_like_keras_call, "training=None by default"),
    ("dropout_forward", _dropout_writes_into_x, "changed x in place"),
    ("batchnorm_forward", _bn_pytorch_defaults, "epsilon 1e-5 by default"),
    ("batchnorm_forward", _bn_pytorch_momentum, "momentum 0.9 by default"),
])
def test_learners_slips_get_their_own_hint(exercise_id, fn, mistake):
    _assert_named(exercise_id, fn, mistake)
