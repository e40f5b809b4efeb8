"""Exercises of notebook 07_optimizers_regularization: Adam, dropout and batch
normalization.

    adam_update(w, dw, m, v, step, learning_rate, beta_1, beta_2, epsilon)
                                                         -> (w_new, m_new, v_new)
    dropout_forward(x, rate, mask, training=True)        -> (out, (mask, rate))
    dropout_backward(dout, cache)                        -> dx
    batchnorm_forward(x, gamma, beta, moving_mean, moving_variance, training=True,
                      momentum=0.99, epsilon=1e-3)
                                     -> (out, (x_hat, inv_std, gamma, training),
                                         moving_mean_new, moving_variance_new)
    batchnorm_backward(dout, cache)                      -> (dx, dgamma, dbeta)

All five are ``backprop_lab.functional``'s own functions: what ``optimizers.Adam``,
``layers.Dropout`` and ``layers.BatchNormalization`` run.
"""
import numpy as np

from .. import functional as F
from ..grading.spec import Exercise, edge_case, fixed_case, random_case

NOTEBOOK = "07_optimizers_regularization"


# --------------------------------------------------------------------------------------
# adam_update
# --------------------------------------------------------------------------------------
def _adam_cases(rng):
    shape = (4, 3)
    m = 0.1 * rng.standard_normal(shape)
    v = 0.01 * rng.random(shape)
    return [
        fixed_case("first step (m = v = 0)", np.array([1.0, -2.0, 0.5]),
                   np.array([0.5, 1.0, -3.0]), np.zeros(3), np.zeros(3), 1, 0.01),
        fixed_case("step 5 with some history", np.array([1.0, -2.0, 0.5]),
                   np.array([0.5, 1.0, -3.0]), np.array([0.2, 0.4, -1.0]),
                   np.array([0.05, 0.3, 2.0]), 5, 0.01),
        random_case("random 4x3 kernel, step 12, other betas", rng.standard_normal(shape),
                    rng.standard_normal(shape), m, v, 12, 0.003, 0.8, 0.99, 1e-6),
        random_case("random bias of 6, step 2", rng.standard_normal(6), rng.standard_normal(6),
                    np.zeros(6), np.zeros(6), 2, 0.1),
        edge_case("tiny gradients (epsilon matters), with the default betas and epsilon",
                  np.array([0.3, -0.3]), np.array([1e-8, -3e-8]), np.zeros(2), np.zeros(2),
                  1, 0.001),
        edge_case("the same, with beta_1=0.9, beta_2=0.999, epsilon=1e-7 written out",
                  np.array([0.3, -0.3]), np.array([1e-8, -3e-8]), np.zeros(2), np.zeros(2),
                  1, 0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7),
        edge_case("step 10000 (the correction is about 1)", rng.standard_normal(3),
                  rng.standard_normal(3), 0.1 * rng.standard_normal(3), 0.1 * rng.random(3),
                  10000, 0.001),
        edge_case("zero gradient, moving on its momentum", np.array([1.0, 2.0]), np.zeros(2),
                  np.array([0.5, -0.5]), np.array([0.25, 0.25]), 3, 0.01),
    ]


def _adam_no_correction(w, dw, m, v, step, learning_rate, beta_1=0.9, beta_2=0.999,
                        epsilon=1e-7):
    m_new = beta_1 * m + (1 - beta_1) * dw
    v_new = beta_2 * v + (1 - beta_2) * dw * dw
    return w - learning_rate * m_new / (np.sqrt(v_new) + epsilon), m_new, v_new


def _adam_t_from_zero(w, dw, m, v, step, learning_rate, beta_1=0.9, beta_2=0.999,
                      epsilon=1e-7):
    t = step - 1
    m_new = beta_1 * m + (1 - beta_1) * dw
    v_new = beta_2 * v + (1 - beta_2) * dw * dw
    alpha = learning_rate * np.sqrt(1 - beta_2 ** t) / (1 - beta_1 ** t)
    return w - alpha * m_new / (np.sqrt(v_new) + epsilon), m_new, v_new


def _adam_epsilon_inside(w, dw, m, v, step, learning_rate, beta_1=0.9, beta_2=0.999,
                         epsilon=1e-7):
    m_new = beta_1 * m + (1 - beta_1) * dw
    v_new = beta_2 * v + (1 - beta_2) * dw * dw
    alpha = learning_rate * np.sqrt(1 - beta_2 ** step) / (1 - beta_1 ** step)
    return w - alpha * m_new / np.sqrt(v_new + epsilon), m_new, v_new


def _adam_old_moments(w, dw, m, v, step, learning_rate, beta_1=0.9, beta_2=0.999,
                      epsilon=1e-7):
    alpha = learning_rate * np.sqrt(1 - beta_2 ** step) / (1 - beta_1 ** step)
    w_new = w - alpha * m / (np.sqrt(v) + epsilon)
    return w_new, beta_1 * m + (1 - beta_1) * dw, beta_2 * v + (1 - beta_2) * dw * dw


def _adam_paper_epsilon(w, dw, m, v, step, learning_rate, beta_1=0.9, beta_2=0.999,
                        epsilon=1e-7):
    m_new = beta_1 * m + (1 - beta_1) * dw
    v_new = beta_2 * v + (1 - beta_2) * dw * dw
    m_hat = m_new / (1 - beta_1 ** step)
    v_hat = v_new / (1 - beta_2 ** step)
    return w - learning_rate * m_hat / (np.sqrt(v_hat) + epsilon), m_new, v_new


def _adam_correction_without_root(w, dw, m, v, step, learning_rate, beta_1=0.9,
                                  beta_2=0.999, epsilon=1e-7):
    m_new = beta_1 * m + (1 - beta_1) * dw
    v_new = beta_2 * v + (1 - beta_2) * dw * dw
    alpha = learning_rate * (1 - beta_2 ** step) / (1 - beta_1 ** step)
    return w - alpha * m_new / (np.sqrt(v_new) + epsilon), m_new, v_new


def _adam_betas_swapped(w, dw, m, v, step, learning_rate, beta_1=0.9, beta_2=0.999,
                        epsilon=1e-7):
    return F.adam_update(w, dw, m, v, step, learning_rate, beta_2, beta_1, epsilon)


def _adam_no_square(w, dw, m, v, step, learning_rate, beta_1=0.9, beta_2=0.999,
                    epsilon=1e-7):
    m_new = beta_1 * m + (1 - beta_1) * dw
    v_new = beta_2 * v + (1 - beta_2) * np.abs(dw)
    alpha = learning_rate * np.sqrt(1 - beta_2 ** step) / (1 - beta_1 ** step)
    return w - alpha * m_new / (np.sqrt(v_new) + epsilon), m_new, v_new


def _adam_plus(w, dw, m, v, step, learning_rate, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    w_new, m_new, v_new = F.adam_update(w, dw, m, v, step, learning_rate, beta_1, beta_2,
                                        epsilon)
    return 2 * w - w_new, m_new, v_new


def _adam_in_place(w, dw, m, v, step, learning_rate, beta_1=0.9, beta_2=0.999,
                   epsilon=1e-7):
    m *= beta_1
    m += (1 - beta_1) * dw
    v *= beta_2
    v += (1 - beta_2) * dw * dw
    alpha = learning_rate * np.sqrt(1 - beta_2 ** step) / (1 - beta_1 ** step)
    return w - alpha * m / (np.sqrt(v) + epsilon), m, v


def _adam_torch_epsilon(w, dw, m, v, step, learning_rate, beta_1=0.9, beta_2=0.999,
                        epsilon=1e-8):
    return F.adam_update(w, dw, m, v, step, learning_rate, beta_1, beta_2, epsilon)


def _adam_only_w(w, dw, m, v, step, learning_rate, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    return F.adam_update(w, dw, m, v, step, learning_rate, beta_1, beta_2, epsilon)[0]


# --------------------------------------------------------------------------------------
# dropout_forward / dropout_backward
# --------------------------------------------------------------------------------------
def _mask(rng, shape, rate):
    return rng.random(shape) >= rate


def _dropout_forward_cases(rng):
    x23 = np.array([[1.0, -2.0, 3.0], [0.5, 4.0, -1.0]])
    mask23 = np.array([[True, False, True], [True, True, False]])
    x = rng.standard_normal((5, 4))
    return [
        fixed_case("2x3, rate 0.5, training", x23, 0.5, mask23, training=True),
        fixed_case("2x3, rate 0.25, inference", x23, 0.25, mask23, training=False),
        random_case("random 5x4, rate 0.3, training", x, 0.3, _mask(rng, (5, 4), 0.3),
                    training=True),
        random_case("random 5x4, rate 0.3, inference", x, 0.3, _mask(rng, (5, 4), 0.3),
                    training=False),
        edge_case("rate 0 (nothing dropped)", x, 0.0, np.ones((5, 4), bool), training=True),
        edge_case("batch of one, rate 0.8", rng.standard_normal((1, 6)), 0.8,
                  np.array([[False, True, False, False, False, True]]), training=True),
        edge_case("training by default", x23, 0.5, mask23),
    ]


def _dropout_not_inverted(x, rate, mask, training=True):
    if not training:
        return x, (None, rate)
    return x * mask, (mask, rate)


def _dropout_divided_by_rate(x, rate, mask, training=True):
    if not training:
        return x, (None, rate)
    return x * mask / rate, (mask, rate)


def _dropout_times_keep(x, rate, mask, training=True):
    if not training:
        return x, (None, rate)
    return x * mask * (1 - rate), (mask, rate)


def _dropout_at_inference(x, rate, mask, training=True):
    return x * mask / (1 - rate), (mask, rate)


def _dropout_scaled_inference(x, rate, mask, training=True):
    if not training:
        return x * (1 - rate), (None, rate)
    return x * mask / (1 - rate), (mask, rate)


def _dropout_original(x, rate, mask, training=True):
    if not training:
        return x * (1 - rate), (None, rate)
    return x * mask, (mask, rate)


def _dropout_mask_inverted(x, rate, mask, training=True):
    if not training:
        return x, (None, rate)
    return x * ~mask / (1 - rate), (~mask, rate)


def _dropout_scaled_mask_cached(x, rate, mask, training=True):
    if not training:
        return x, (None, rate)
    scaled = mask / (1 - rate)
    return x * scaled, (scaled, rate)


def _dropout_training_none(x, rate, mask, training=None):
    if not training:
        return x, (None, rate)
    return x * mask / (1 - rate), (mask, rate)


def _dropout_in_place(x, rate, mask, training=True):
    if not training:
        return x, (None, rate)
    x *= mask
    x /= 1 - rate
    return x, (mask, rate)


def _dropout_no_cache(x, rate, mask, training=True):
    return F.dropout_forward(x, rate, mask, training)[0]


def _dropout_backward_cases(rng):
    mask23 = np.array([[True, False, True], [True, True, False]])
    return [
        fixed_case("2x3, rate 0.5", np.array([[1.0, 2.0, 3.0], [-1.0, 0.5, 4.0]]),
                   (mask23, 0.5)),
        random_case("random 6x4, rate 0.2", rng.standard_normal((6, 4)),
                    (_mask(rng, (6, 4), 0.2), 0.2)),
        random_case("random 3x5, inference", rng.standard_normal((3, 5)), (None, 0.4)),
        edge_case("rate 0", rng.standard_normal((2, 3)), (np.ones((2, 3), bool), 0.0)),
        edge_case("batch of one, rate 0.9", rng.standard_normal((1, 4)),
                  (np.array([[False, True, False, False]]), 0.9)),
    ]


def _dropout_backward_no_mask(dout, cache):
    mask, rate = cache
    return dout if mask is None else dout / (1 - rate)


def _dropout_backward_not_rescaled(dout, cache):
    mask, rate = cache
    return dout if mask is None else dout * mask


def _dropout_backward_by_rate(dout, cache):
    mask, rate = cache
    return dout if mask is None else dout * mask / rate


def _dropout_backward_no_inference(dout, cache):
    mask, rate = cache
    return dout * mask / (1 - rate)


def _dropout_backward_inverted_mask(dout, cache):
    mask, rate = cache
    return dout if mask is None else dout * ~mask / (1 - rate)


# --------------------------------------------------------------------------------------
# batchnorm_forward
# --------------------------------------------------------------------------------------
def _bn_inputs(rng, n, d, scale=1.0, shift=0.0):
    return (shift + scale * rng.standard_normal((n, d)), 1 + 0.5 * rng.standard_normal(d),
            0.3 * rng.standard_normal(d), 0.2 * rng.standard_normal(d), 0.5 + rng.random(d))


def _batchnorm_forward_cases(rng):
    x = np.array([[1.0, 2.0], [3.0, -2.0], [5.0, 0.0], [-1.0, 4.0]])
    gamma, beta = np.array([2.0, 0.5]), np.array([0.0, 1.0])
    mm, mv = np.array([0.5, 0.0]), np.array([2.0, 1.0])
    six = _bn_inputs(rng, 6, 3)
    return [
        fixed_case("4x2, training", x, gamma, beta, mm, mv, True, 0.9),
        fixed_case("4x2, inference", x, gamma, beta, mm, mv, False, 0.9),
        random_case("random 6x3, training, Keras's defaults", *six),
        random_case("the same, with training=True, momentum=0.99, epsilon=1e-3 written out",
                    *six, training=True, momentum=0.99, epsilon=1e-3),
        random_case("random 5x4, inference, epsilon 0.1", *_bn_inputs(rng, 5, 4), False,
                    0.5, 0.1),
        random_case("random 8x3, training, momentum 0.5",
                    *_bn_inputs(rng, 8, 3, scale=3.0, shift=2.0), True, 0.5, 1e-5),
        edge_case("batch of one in training (variance 0)", *_bn_inputs(rng, 1, 3), True),
        edge_case("large offset and scale (1e4 + 100 x)",
                  *_bn_inputs(rng, 7, 2, scale=100.0, shift=1e4), True, 0.9),
    ]


def _bn_parts(x, training, moving_mean, moving_variance, axis=0, ddof=0):
    if training:
        return x.mean(axis=axis), x.var(axis=axis, ddof=ddof)
    return moving_mean, moving_variance


def _bn_finish(x, gamma, beta, mean, var, epsilon, training):
    inv_std = 1.0 / np.sqrt(var + epsilon)
    x_hat = (x - mean) * inv_std
    return gamma * x_hat + beta, (x_hat, inv_std, gamma, training)


def _bn_unbiased(x, gamma, beta, moving_mean, moving_variance, training=True, momentum=0.99,
                 epsilon=1e-3):
    mean, var = _bn_parts(x, training, moving_mean, moving_variance, ddof=1)
    out, cache = _bn_finish(x, gamma, beta, mean, var, epsilon, training)
    if training:
        moving_mean = momentum * moving_mean + (1 - momentum) * mean
        moving_variance = momentum * moving_variance + (1 - momentum) * var
    return out, cache, moving_mean, moving_variance


def _bn_momentum_on_new(x, gamma, beta, moving_mean, moving_variance, training=True,
                        momentum=0.99, epsilon=1e-3):
    mean, var = _bn_parts(x, training, moving_mean, moving_variance)
    out, cache = _bn_finish(x, gamma, beta, mean, var, epsilon, training)
    if training:
        moving_mean = (1 - momentum) * moving_mean + momentum * mean
        moving_variance = (1 - momentum) * moving_variance + momentum * var
    return out, cache, moving_mean, moving_variance


def _bn_epsilon_outside(x, gamma, beta, moving_mean, moving_variance, training=True,
                        momentum=0.99, epsilon=1e-3):
    mean, var = _bn_parts(x, training, moving_mean, moving_variance)
    inv_std = 1.0 / (np.sqrt(var) + epsilon)
    x_hat = (x - mean) * inv_std
    if training:
        moving_mean = momentum * moving_mean + (1 - momentum) * mean
        moving_variance = momentum * moving_variance + (1 - momentum) * var
    return gamma * x_hat + beta, (x_hat, inv_std, gamma, training), moving_mean, \
        moving_variance


def _bn_batch_stats_at_inference(x, gamma, beta, moving_mean, moving_variance, training=True,
                                 momentum=0.99, epsilon=1e-3):
    out, cache, mm, mv = F.batchnorm_forward(x, gamma, beta, moving_mean, moving_variance,
                                             True, momentum, epsilon)
    if training:
        return out, cache, mm, mv
    return out, cache[:3] + (False,), moving_mean, moving_variance


def _bn_moving_updated_at_inference(x, gamma, beta, moving_mean, moving_variance,
                                    training=True, momentum=0.99, epsilon=1e-3):
    out, cache, _, _ = F.batchnorm_forward(x, gamma, beta, moving_mean, moving_variance,
                                           training, momentum, epsilon)
    mean, var = x.mean(axis=0), x.var(axis=0)
    return (out, cache, momentum * moving_mean + (1 - momentum) * mean,
            momentum * moving_variance + (1 - momentum) * var)


def _bn_over_features(x, gamma, beta, moving_mean, moving_variance, training=True,
                      momentum=0.99, epsilon=1e-3):
    if not training:
        return F.batchnorm_forward(x, gamma, beta, moving_mean, moving_variance, False,
                                   momentum, epsilon)
    mean = x.mean(axis=1, keepdims=True)
    var = x.var(axis=1, keepdims=True)
    inv_std = 1.0 / np.sqrt(var + epsilon)
    x_hat = (x - mean) * inv_std
    return (gamma * x_hat + beta, (x_hat, inv_std, gamma, training),
            momentum * moving_mean + (1 - momentum) * mean.mean(),
            momentum * moving_variance + (1 - momentum) * var.mean())


def _bn_gamma_beta_swapped(x, gamma, beta, moving_mean, moving_variance, training=True,
                           momentum=0.99, epsilon=1e-3):
    out, (x_hat, inv_std, _, _), mm, mv = F.batchnorm_forward(
        x, gamma, beta, moving_mean, moving_variance, training, momentum, epsilon)
    return beta * x_hat + gamma, (x_hat, inv_std, gamma, training), mm, mv


def _bn_torch_momentum(x, gamma, beta, moving_mean, moving_variance, training=True,
                      momentum=0.9, epsilon=1e-3):
    return F.batchnorm_forward(x, gamma, beta, moving_mean, moving_variance, training,
                               momentum, epsilon)


def _bn_torch_epsilon(x, gamma, beta, moving_mean, moving_variance, training=True,
                      momentum=0.99, epsilon=1e-5):
    return F.batchnorm_forward(x, gamma, beta, moving_mean, moving_variance, training,
                               momentum, epsilon)


def _bn_std_cached(x, gamma, beta, moving_mean, moving_variance, training=True,
                   momentum=0.99, epsilon=1e-3):
    out, (x_hat, inv_std, _, _), mm, mv = F.batchnorm_forward(
        x, gamma, beta, moving_mean, moving_variance, training, momentum, epsilon)
    return out, (x_hat, 1 / inv_std, gamma, training), mm, mv


# --------------------------------------------------------------------------------------
# batchnorm_backward
# --------------------------------------------------------------------------------------
def _bn_cache(x, gamma, beta, moving_mean, moving_variance, training, epsilon=1e-3):
    return F.batchnorm_forward(x, gamma, beta, moving_mean, moving_variance, training,
                               0.9, epsilon)[1]


def _batchnorm_backward_cases(rng):
    x = np.array([[1.0, 2.0], [3.0, -2.0], [5.0, 0.0], [-1.0, 4.0]])
    gamma, beta = np.array([2.0, 0.5]), np.array([0.0, 1.0])
    mm, mv = np.array([0.5, 0.0]), np.array([2.0, 1.0])
    dout = np.array([[1.0, -1.0], [0.5, 2.0], [-2.0, 0.0], [0.0, 1.0]])
    return [
        fixed_case("4x2, training", dout, _bn_cache(x, gamma, beta, mm, mv, True)),
        fixed_case("4x2, inference", dout, _bn_cache(x, gamma, beta, mm, mv, False)),
        random_case("random 6x3, training", rng.standard_normal((6, 3)),
                    _bn_cache(*_bn_inputs(rng, 6, 3, scale=2.0, shift=1.0), True)),
        random_case("random 5x4, inference", rng.standard_normal((5, 4)),
                    _bn_cache(*_bn_inputs(rng, 5, 4), False)),
        random_case("random 16x5, training, epsilon 1e-5", rng.standard_normal((16, 5)),
                    _bn_cache(*_bn_inputs(rng, 16, 5), True, 1e-5)),
        edge_case("two rows in training", rng.standard_normal((2, 3)),
                  _bn_cache(*_bn_inputs(rng, 2, 3), True)),
        edge_case("non-square 3x7, training", rng.standard_normal((3, 7)),
                  _bn_cache(*_bn_inputs(rng, 3, 7, scale=5.0), True)),
    ]


def _bn_grads(dout, cache):
    x_hat, inv_std, gamma, training = cache
    return x_hat, inv_std, gamma, training, dout * gamma, dout.sum(axis=0), \
        (dout * x_hat).sum(axis=0)


def _bn_back_constant_stats(dout, cache):
    x_hat, inv_std, gamma, training, dx_hat, dbeta, dgamma = _bn_grads(dout, cache)
    return dx_hat * inv_std, dgamma, dbeta


def _bn_back_no_mean_path(dout, cache):
    x_hat, inv_std, gamma, training, dx_hat, dbeta, dgamma = _bn_grads(dout, cache)
    if not training:
        return dx_hat * inv_std, dgamma, dbeta
    n = dout.shape[0]
    return inv_std / n * (n * dx_hat - x_hat * (dx_hat * x_hat).sum(axis=0)), dgamma, dbeta


def _bn_back_no_variance_path(dout, cache):
    x_hat, inv_std, gamma, training, dx_hat, dbeta, dgamma = _bn_grads(dout, cache)
    if not training:
        return dx_hat * inv_std, dgamma, dbeta
    n = dout.shape[0]
    return inv_std / n * (n * dx_hat - dx_hat.sum(axis=0)), dgamma, dbeta


def _bn_back_dgamma_without_xhat(dout, cache):
    dx, _, dbeta = F.batchnorm_backward(dout, cache)
    return dx, dout.sum(axis=0), dbeta


def _bn_back_forgot_gamma(dout, cache):
    x_hat, inv_std, gamma, training = cache
    return F.batchnorm_backward(dout, (x_hat, inv_std, np.ones_like(gamma), training))[0], \
        (dout * x_hat).sum(axis=0), dout.sum(axis=0)


def _bn_back_always_training(dout, cache):
    x_hat, inv_std, gamma, _ = cache
    return F.batchnorm_backward(dout, (x_hat, inv_std, gamma, True))


def _bn_back_mean_for_dbeta(dout, cache):
    dx, dgamma, _ = F.batchnorm_backward(dout, cache)
    return dx, dgamma, dout.mean(axis=0)


def _bn_back_missing_inv_std(dout, cache):
    x_hat, inv_std, gamma, training = cache
    dx, dgamma, dbeta = F.batchnorm_backward(dout, cache)
    return dx / inv_std, dgamma, dbeta


def _bn_back_wrong_order(dout, cache):
    dx, dgamma, dbeta = F.batchnorm_backward(dout, cache)
    return dx, dbeta, dgamma


EXERCISES = [  # in the notebook's order, which the scoreboard follows
    Exercise(
        id="adam_update",
        title="Adam (Keras 3 form)",
        notebook=NOTEBOOK,
        points=2,
        difficulty=2,
        reference=F.adam_update,
        cases=_adam_cases,
        mistakes=[
            ("no bias correction", _adam_no_correction,
             "the bias correction is missing: m and v start at 0, so early on they are "
             "too small. Scale the step by alpha = learning_rate * sqrt(1 - beta_2**step) "
             "/ (1 - beta_1**step)."),
            ("t starting at 0", _adam_t_from_zero,
             "your correction counts the steps from 0, so the first step divides by "
             "1 - beta_1**0 = 0. `step` already counts from 1: use beta_1**step and "
             "beta_2**step."),
            ("epsilon inside the square root", _adam_epsilon_inside,
             "epsilon goes outside the square root: divide by (sqrt(v_new) + epsilon), "
             "not by sqrt(v_new + epsilon) (that is RMSprop's form)."),
            ("m and v updated after they are used", _adam_old_moments,
             "the step uses the OLD m and v: update them with this gradient first, then "
             "take the step with m_new and v_new."),
            ("the paper's epsilon", _adam_paper_epsilon,
             "this is the paper's Algorithm 1, with epsilon added after the bias "
             "correction (to sqrt(v_hat)). Keras 3 folds the correction into alpha and "
             "adds epsilon to sqrt(v_new) itself: w - alpha * m_new / (sqrt(v_new) + "
             "epsilon). The two differ when the gradients are tiny."),
            ("correction without the square root", _adam_correction_without_root,
             "v is a mean of SQUARED gradients, so its correction enters the step through "
             "a square root: alpha = learning_rate * sqrt(1 - beta_2**step) / "
             "(1 - beta_1**step)."),
            ("beta_1 and beta_2 swapped", _adam_betas_swapped,
             "beta_1 (0.9) belongs to m, the mean of the gradient; beta_2 (0.999) to v, "
             "the mean of its square."),
            ("|dw| instead of dw**2", _adam_no_square,
             "v is the running mean of the SQUARED gradient, dw * dw, not of |dw|."),
            ("plus instead of minus", _adam_plus,
             "your step goes uphill: subtract it, w - alpha * m_new / (sqrt(v_new) + "
             "epsilon)."),
            ("updated m and v in place", _adam_in_place,
             "`m *= ...` and `v += ...` change the caller's arrays. Build new arrays: "
             "m_new = m + (1 - beta_1) * (dw - m)."),
            ("epsilon 1e-8 by default", _adam_torch_epsilon,
             "1e-8 is the default epsilon of the Adam paper and of PyTorch; Keras's, and "
             "this exercise's, is epsilon=1e-7. It matters when the gradients are tiny: "
             "write epsilon=1e-7 in the def line."),
            ("returned only w_new", _adam_only_w,
             "return all three new arrays, (w_new, m_new, v_new): the optimizer keeps m "
             "and v for the next step."),
        ],
        hints=[
            "Three lines of state and one of step: m_new, v_new, alpha, then w_new.",
            "m_new = m + (1 - beta_1) * (dw - m) and v_new = v + (1 - beta_2) * "
            "(dw**2 - v) are running means; alpha = learning_rate * sqrt(1 - beta_2**step)"
            " / (1 - beta_1**step) undoes their start at 0.",
            "w_new = w - alpha * m_new / (np.sqrt(v_new) + epsilon); "
            "return w_new, m_new, v_new.",
        ],
        outputs=("w_new", "m_new", "v_new"),
    ),
    Exercise(
        id="dropout_forward",
        title="Dropout, forward",
        notebook=NOTEBOOK,
        points=2,
        difficulty=2,
        reference=F.dropout_forward,
        cases=_dropout_forward_cases,
        mistakes=[
            ("not inverted", _dropout_not_inverted,
             "the kept values must be scaled by 1 / (1 - rate), so that the expected "
             "output stays x (inverted dropout): x * mask / (1 - rate)."),
            ("divided by the rate", _dropout_divided_by_rate,
             "divide by the probability of KEEPING a value, 1 - rate, not by rate."),
            ("multiplied by the keep probability", _dropout_times_keep,
             "multiplying by (1 - rate) shrinks the output twice; inverted dropout DIVIDES "
             "the kept values by 1 - rate."),
            ("dropout at inference", _dropout_at_inference,
             "with training=False (evaluate, predict) nothing is dropped: return x itself "
             "and the cache (None, rate)."),
            ("scaled at inference", _dropout_scaled_inference,
             "multiplying by (1 - rate) at inference is the old, non-inverted dropout. "
             "Inverted dropout scales in training, so inference returns x unchanged."),
            ("the original, non-inverted dropout", _dropout_original,
             "that is the original dropout: keep x * mask in training and scale by "
             "(1 - rate) at inference. Inverted dropout, Keras's, scales in training "
             "instead: x * mask / (1 - rate) there, and x unchanged at inference."),
            ("mask read the wrong way", _dropout_mask_inverted,
             "True in the mask means KEPT: multiply by the mask itself, not by ~mask."),
            ("scaled mask in the cache", _dropout_scaled_mask_cached,
             "keep the boolean mask and the rate as they are: cache = (mask, rate). "
             "dropout_backward applies the scaling itself."),
            ("training=None by default", _dropout_training_none,
             "Keras's layers take training=None, but this function's default is "
             "training=True: called without it, it drops (it is the training step). Write "
             "training=True in the def line."),
            ("changed x in place", _dropout_in_place,
             "`x *= mask` writes into the caller's array x. Build a new array: "
             "out = x * mask / (1 - rate)."),
            ("no cache", _dropout_no_cache,
             "return the pair (out, cache) with cache = (mask, rate) in training and "
             "(None, rate) in inference: the backward pass needs it."),
        ],
        hints=[
            "Two cases: training=False returns x untouched; training=True drops and "
            "rescales.",
            "In training, out = x * mask / (1 - rate): dropped values become 0, kept ones "
            "grow so that the mean stays the same.",
            "if not training: return x, (None, rate);  "
            "return x * mask / (1 - rate), (mask, rate)",
        ],
        outputs=("out", "cache"),
    ),
    Exercise(
        id="dropout_backward",
        title="Dropout, backward",
        notebook=NOTEBOOK,
        points=1,
        difficulty=1,
        reference=F.dropout_backward,
        cases=_dropout_backward_cases,
        mistakes=[
            ("no mask", _dropout_backward_no_mask,
             "a dropped value did not affect the loss: its gradient is 0. Multiply dout "
             "by the mask."),
            ("not rescaled", _dropout_backward_not_rescaled,
             "the forward pass multiplied each kept value by 1 / (1 - rate), so its "
             "gradient is multiplied by it too: dout * mask / (1 - rate)."),
            ("divided by the rate", _dropout_backward_by_rate,
             "divide by 1 - rate (the probability of keeping a value), as the forward "
             "pass did, not by rate."),
            ("inference forgotten", _dropout_backward_no_inference,
             "in inference the cache's mask is None: dropout was the identity, so return "
             "dout itself."),
            ("mask read the wrong way", _dropout_backward_inverted_mask,
             "True in the mask means KEPT: the gradient flows where the mask is True."),
        ],
        hints=[
            "Dropout multiplied x by a constant (mask / (1 - rate)); what is the "
            "derivative of c * x?",
            "mask, rate = cache; with mask None (inference) the layer was the identity.",
            "return dout if mask is None else dout * mask / (1 - rate)",
        ],
        outputs=("dx",),
    ),
    Exercise(
        id="batchnorm_forward",
        title="Batch normalization, forward",
        notebook=NOTEBOOK,
        points=2,
        difficulty=3,
        reference=F.batchnorm_forward,
        cases=_batchnorm_forward_cases,
        mistakes=[
            ("unbiased variance", _bn_unbiased,
             "the batch variance is the mean of the squared deviations, divided by N (as "
             "Keras, and x.var(axis=0)), not by N - 1 (ddof=1)."),
            ("momentum on the new value", _bn_momentum_on_new,
             "momentum is the weight of the OLD moving value: moving_mean_new = momentum *"
             " moving_mean + (1 - momentum) * mean (with 0.99 it forgets slowly)."),
            ("epsilon outside the square root", _bn_epsilon_outside,
             "epsilon is added to the variance: divide by sqrt(var + epsilon), not by "
             "sqrt(var) + epsilon."),
            ("batch statistics at inference", _bn_batch_stats_at_inference,
             "with training=False normalise with moving_mean and moving_variance, not "
             "with the statistics of the batch: at inference a sample's output must not "
             "depend on the other samples."),
            ("moving statistics changed at inference", _bn_moving_updated_at_inference,
             "the moving statistics are updated in training only; with training=False "
             "return them unchanged."),
            ("normalised across the features", _bn_over_features,
             "batch normalization normalises each feature (column) over the batch: "
             "mean and variance along axis=0, giving shape (D,). Along axis=1 is layer "
             "normalization."),
            ("gamma and beta swapped", _bn_gamma_beta_swapped,
             "gamma scales and beta shifts: out = gamma * x_hat + beta."),
            ("standard deviation in the cache", _bn_std_cached,
             "the cache holds inv_std = 1 / sqrt(var + epsilon), the factor x_hat was "
             "multiplied by, not the standard deviation itself."),
            ("momentum 0.9 by default", _bn_torch_momentum,
             "Keras's default momentum is 0.99 (PyTorch's momentum=0.1 means 0.9 here): "
             "write momentum=0.99 in the def line."),
            ("epsilon 1e-5 by default", _bn_torch_epsilon,
             "1e-5 is PyTorch's default epsilon; Keras's, and this exercise's, is "
             "epsilon=1e-3. It matters where a feature's variance is small: write "
             "epsilon=1e-3 in the def line."),
        ],
        hints=[
            "Training: the batch's own mean and variance per feature (axis 0), then "
            "normalise, scale by gamma and shift by beta; inference: the same with the "
            "moving statistics.",
            "inv_std = 1 / np.sqrt(var + epsilon); x_hat = (x - mean) * inv_std; "
            "out = gamma * x_hat + beta; the cache is (x_hat, inv_std, gamma, training).",
            "In training also return momentum * moving_mean + (1 - momentum) * mean and "
            "the same for the variance; in inference return the moving statistics as "
            "they are.",
        ],
        outputs=("out", "cache", "moving_mean_new", "moving_variance_new"),
    ),
    Exercise(
        id="batchnorm_backward",
        title="Batch normalization, backward",
        notebook=NOTEBOOK,
        points=4,
        difficulty=5,
        reference=F.batchnorm_backward,
        cases=_batchnorm_backward_cases,
        mistakes=[
            ("mean and variance held constant", _bn_back_constant_stats,
             "in training the mean and the variance are computed from x, so every x_n "
             "also changes the loss through them: dx needs those two extra paths. (Only "
             "in inference are they constants.)"),
            ("the path through the mean missing", _bn_back_no_mean_path,
             "the path through the mean is missing: subtract the batch sum of dx_hat "
             "(each x_n moves the mean by 1/N, which moves every x_hat)."),
            ("the path through the variance missing", _bn_back_no_variance_path,
             "the path through the variance is missing: each x_n changes var, which "
             "rescales every x_hat; it contributes - x_hat * sum_n(dx_hat * x_hat)."),
            ("dgamma without x_hat", _bn_back_dgamma_without_xhat,
             "gamma multiplies x_hat, so dgamma = sum_n dout * x_hat (dbeta is the plain "
             "sum)."),
            ("gamma forgotten in dx", _bn_back_forgot_gamma,
             "out = gamma * x_hat + beta, so the gradient reaching x_hat is dout * gamma, "
             "not dout."),
            ("inference treated like training", _bn_back_always_training,
             "with training False in the cache the moving statistics were constants: "
             "dx = dout * gamma * inv_std."),
            ("mean instead of sum for dbeta", _bn_back_mean_for_dbeta,
             "beta is added to every row, so dbeta is the SUM of dout over the batch, not "
             "its mean."),
            ("inv_std missing", _bn_back_missing_inv_std,
             "x_hat = (x - mean) * inv_std: the chain rule multiplies dx by inv_std."),
            ("returned (dx, dbeta, dgamma)", _bn_back_wrong_order,
             "return (dx, dgamma, dbeta), in the order of the forward pass's inputs."),
        ],
        hints=[
            "Draw the graph: x -> mean -> x - mean -> var -> inv_std -> x_hat -> "
            "gamma * x_hat + beta. dbeta and dgamma come straight from the last node.",
            "Go back one node at a time: dx_hat = dout * gamma; then d(inv_std), d(var), "
            "d(mean), and finally dx as the sum of the three paths (direct, through the "
            "variance, through the mean). Check it with gradcheck.check_layer.",
            "Written with x_hat and inv_std, the three paths add up to inv_std / N times "
            "a combination of N * dx_hat, the batch sum of dx_hat, and x_hat times the "
            "batch sum of dx_hat * x_hat: work out the signs, then compare with "
            "gradcheck.",
        ],
        outputs=("dx", "dgamma", "dbeta"),
    ),
]
