"""Exercises of notebook 02_loss_functions: several correct styles of each function pass.

(tests/course/test_grading.py checks, for every exercise, that the reference passes and that each
catalogued mistake fails with its own hint.)
"""
import math

import numpy as np
import pytest

from backprop_lab import functional as F
from backprop_lab.exercises import by_notebook

from exercise_helpers import assert_passes

EPSILON = 1e-7


def test_the_notebook_has_these_exercises_in_order():
    assert [ex.id for ex in by_notebook("02_loss_functions")] == [
        "half_sum_squared_error", "mean_squared_error", "binary_crossentropy",
        "binary_crossentropy_from_logits", "categorical_crossentropy", "log_softmax"]


def test_clipping_constant_is_keras_value():
    assert F.EPSILON == EPSILON


# --------------------------------------------------------------------------------------
# half_sum_squared_error
# --------------------------------------------------------------------------------------
def hsse_square(y_true, y_pred):
    return 0.5 * np.sum(np.square(y_true - y_pred))


def hsse_loop(y_true, y_pred):
    total = 0.0
    for a, b in zip(np.ravel(y_true), np.ravel(y_pred)):
        total += (a - b) ** 2
    return total / 2


def hsse_dot(y_true, y_pred):
    d = (y_pred - y_true).ravel()
    return 0.5 * float(d @ d)


def hsse_norm(y_true, y_pred):
    return 0.5 * np.linalg.norm(y_true - y_pred) ** 2


def hsse_einsum(y_true, y_pred):
    d = (y_true - y_pred).reshape(-1)
    return 0.5 * np.einsum("i,i->", d, d)


@pytest.mark.parametrize("fn", [hsse_square, hsse_loop, hsse_dot, hsse_norm, hsse_einsum])
def test_half_sum_squared_error_styles(fn):
    assert_passes("half_sum_squared_error", fn)


# --------------------------------------------------------------------------------------
# mean_squared_error
# --------------------------------------------------------------------------------------
def mse_square(y_true, y_pred):
    return np.mean(np.square(y_pred - y_true))


def mse_keras_two_steps(y_true, y_pred):
    per_example = np.mean((y_true - y_pred) ** 2, axis=-1)
    return float(np.mean(per_example))


def mse_sum_over_size(y_true, y_pred):
    return float(np.sum((y_true - y_pred) ** 2) / y_true.size)


def mse_loop(y_true, y_pred):
    errors = [(a - b) ** 2 for a, b in zip(np.ravel(y_true), np.ravel(y_pred))]
    return math.fsum(errors) / len(errors)


def mse_from_half_sum(y_true, y_pred):
    return 2 * F.half_sum_squared_error(y_true, y_pred) / y_pred.size


@pytest.mark.parametrize("fn", [mse_square, mse_keras_two_steps, mse_sum_over_size, mse_loop,
                                mse_from_half_sum])
def test_mean_squared_error_styles(fn):
    assert_passes("mean_squared_error", fn)


# --------------------------------------------------------------------------------------
# binary_crossentropy
# --------------------------------------------------------------------------------------
def bce_clip(y_true, p):
    p = np.clip(p, EPSILON, 1 - EPSILON)
    return float(-np.mean(y_true * np.log(p) + (1 - y_true) * np.log(1 - p)))


def bce_min_max(y_true, p):
    p = np.minimum(np.maximum(p, EPSILON), 1 - EPSILON)
    losses = -(y_true * np.log(p) + (1 - y_true) * np.log1p(-p))
    return losses.mean()


def bce_loop(y_true, p):
    total = 0.0
    for y, q in zip(np.ravel(y_true), np.ravel(p)):
        q = min(max(q, EPSILON), 1 - EPSILON)
        total -= y * math.log(q) + (1 - y) * math.log(1 - q)
    return total / np.size(p)


def bce_keras_two_steps(y_true, p):
    p = np.clip(p, EPSILON, 1 - EPSILON)
    per_example = -np.mean(y_true * np.log(p) + (1 - y_true) * np.log(1 - p), axis=-1)
    return float(np.mean(per_example))


@pytest.mark.parametrize("fn", [bce_clip, bce_min_max, bce_loop, bce_keras_two_steps])
def test_binary_crossentropy_styles(fn):
    assert_passes("binary_crossentropy", fn)


# --------------------------------------------------------------------------------------
# binary_crossentropy_from_logits
# --------------------------------------------------------------------------------------
def bce_logits_log1p(y_true, z):
    return float(np.mean(np.maximum(z, 0) - z * y_true + np.log1p(np.exp(-np.abs(z)))))


def bce_logits_logaddexp(y_true, z):
    return float(np.mean(np.logaddexp(0, z) - z * y_true))


def bce_logits_log_sigmoid(y_true, z):
    def log_sigmoid(t):
        return -np.logaddexp(0, -t)

    return -np.mean(y_true * log_sigmoid(z) + (1 - y_true) * log_sigmoid(-z))


def bce_logits_two_branches(y_true, z):
    positive = z - z * y_true + np.log1p(np.exp(-z))
    negative = -z * y_true + np.log1p(np.exp(z))
    return float(np.mean(np.where(z >= 0, positive, negative)))


def bce_logits_plain_log(y_true, z):
    return np.mean(np.maximum(z, 0) - z * y_true + np.log(1 + np.exp(-np.abs(z))))


@pytest.mark.parametrize("fn", [bce_logits_log1p, bce_logits_logaddexp, bce_logits_log_sigmoid,
                                bce_logits_two_branches, bce_logits_plain_log])
def test_binary_crossentropy_from_logits_styles(fn):
    assert_passes("binary_crossentropy_from_logits", fn)


def test_binary_crossentropy_from_logits_matches_its_definition():
    """The stable form against -[y log s + (1-y) log(1-s)] computed with math, with
    s = 1 / (1 + e^-z) and 1 - s = 1 / (1 + e^z), on |z| <= 30."""
    rng = np.random.default_rng(5)
    z = rng.uniform(-30, 30, size=(40, 1))
    y = rng.uniform(size=(40, 1))
    expected = 0.0
    for zi, yi in zip(z.ravel(), y.ravel()):
        s = 1 / (1 + math.exp(-zi))
        one_minus_s = 1 / (1 + math.exp(zi))
        expected -= yi * math.log(s) + (1 - yi) * math.log(one_minus_s)
    expected /= z.size
    assert F.binary_crossentropy_from_logits(y, z) == pytest.approx(expected, rel=1e-12)


# --------------------------------------------------------------------------------------
# categorical_crossentropy
# --------------------------------------------------------------------------------------
def cce_clip(y_true, p):
    p = np.clip(p, EPSILON, 1 - EPSILON)
    return float(-np.sum(y_true * np.log(p)) / len(p))


def cce_rows_then_mean(y_true, p):
    p = np.clip(p, EPSILON, 1 - EPSILON)
    return float(np.mean(-np.sum(y_true * np.log(p), axis=1)))


def cce_einsum(y_true, p):
    logp = np.log(np.clip(p, EPSILON, 1 - EPSILON))
    return -np.einsum("nk,nk->", y_true, logp) / p.shape[0]


def cce_loop(y_true, p):
    total = 0.0
    for row_y, row_p in zip(y_true, p):
        for yk, pk in zip(row_y, row_p):
            total -= yk * math.log(min(max(pk, EPSILON), 1 - EPSILON))
    return total / len(y_true)


@pytest.mark.parametrize("fn", [cce_clip, cce_rows_then_mean, cce_einsum, cce_loop])
def test_categorical_crossentropy_styles(fn):
    assert_passes("categorical_crossentropy", fn)


# --------------------------------------------------------------------------------------
# log_softmax
# --------------------------------------------------------------------------------------
def log_softmax_last_axis(z):
    m = np.max(z, axis=-1, keepdims=True)
    return z - m - np.log(np.sum(np.exp(z - m), axis=-1, keepdims=True))


def log_softmax_rows(z):
    out = np.empty_like(z)
    for i, row in enumerate(z):
        m = row.max()
        out[i] = row - m - math.log(np.exp(row - m).sum())
    return out


def log_softmax_logaddexp(z):
    return z - np.logaddexp.reduce(z, axis=1, keepdims=True)


def log_softmax_indexing(z):
    m = z.max(axis=1)[:, None]
    return (z - m) - np.log(np.exp(z - m).sum(axis=1))[:, None]


@pytest.mark.parametrize("fn", [log_softmax_last_axis, log_softmax_rows, log_softmax_logaddexp,
                                log_softmax_indexing])
def test_log_softmax_styles(fn):
    assert_passes("log_softmax", fn)


def test_log_softmax_reference_against_math():
    """log softmax computed entry by entry with math.fsum on moderate logits."""
    rng = np.random.default_rng(2)
    z = rng.uniform(-20, 20, size=(4, 5))
    got = F.log_softmax(z)
    for n in range(4):
        norm = math.fsum(math.exp(v) for v in z[n])
        for k in range(5):
            assert got[n, k] == pytest.approx(z[n, k] - math.log(norm), rel=1e-12, abs=1e-12)


# --------------------------------------------------------------------------------------
# More unusual but correct styles (found by reviewing the course as a learner)
# --------------------------------------------------------------------------------------
def hsse_inner(y_true, y_pred):
    d = (y_pred - y_true).ravel()
    return np.inner(d, d) / 2


def hsse_fsum(y_true, y_pred):
    return 0.5 * math.fsum(float(v) ** 2 for v in (y_true - y_pred).flat)


def mse_average(y_true, y_pred):
    return np.average((y_true - y_pred) ** 2)


def mse_norm(y_true, y_pred):
    d = y_pred - y_true
    return np.linalg.norm(d) ** 2 / d.size


def bce_log1p(y_true, p):
    p = np.clip(p, EPSILON, 1 - EPSILON)
    return -(y_true * np.log(p)).mean() - ((1 - y_true) * np.log1p(-p)).mean()


def bce_clip_the_logs(y_true, p):
    # bounding the logs instead of p: the same numbers to within about 1e-7
    with np.errstate(divide="ignore"):
        log_p = np.clip(np.log(p), np.log(EPSILON), np.log(1 - EPSILON))
        log_q = np.clip(np.log(1 - p), np.log(EPSILON), np.log(1 - EPSILON))
    return float(-np.mean(y_true * log_p + (1 - y_true) * log_q))


def bce_logits_log_sigmoid(y_true, z):
    def log_sigmoid(t):
        return -np.logaddexp(0.0, -t)

    return float(-np.mean(y_true * log_sigmoid(z) + (1 - y_true) * log_sigmoid(-z)))


def bce_logits_python_loop(y_true, z):
    total = 0.0
    for y, t in zip(y_true.flat, z.flat):
        total += max(t, 0.0) - t * y + math.log1p(math.exp(-abs(t)))
    return total / z.size


def cce_skip_zero_labels(y_true, p):
    log_p = np.log(np.clip(p, EPSILON, 1 - EPSILON))
    return float(-np.sum(np.where(y_true > 0, y_true * log_p, 0.0)) / len(p))


def cce_tensordot(y_true, p):
    return -np.tensordot(y_true, np.log(np.clip(p, EPSILON, 1 - EPSILON)), 2) / p.shape[0]


def log_softmax_add_back(z):
    m = z.max(axis=-1, keepdims=True)
    return z - (m + np.log(np.sum(np.exp(z - m), axis=-1, keepdims=True)))


def log_softmax_newaxis(z):
    m = np.max(z, axis=1)[:, None]
    return z - m - np.log(np.sum(np.exp(z - m), axis=1))[:, None]


@pytest.mark.parametrize("exercise_id,fn", [
    ("half_sum_squared_error", hsse_inner), ("half_sum_squared_error", hsse_fsum),
    ("mean_squared_error", mse_average), ("mean_squared_error", mse_norm),
    ("binary_crossentropy", bce_log1p), ("binary_crossentropy", bce_clip_the_logs),
    ("binary_crossentropy_from_logits", bce_logits_log_sigmoid),
    ("binary_crossentropy_from_logits", bce_logits_python_loop),
    ("categorical_crossentropy", cce_skip_zero_labels),
    ("categorical_crossentropy", cce_tensordot),
    ("log_softmax", log_softmax_add_back), ("log_softmax", log_softmax_newaxis)])
def test_more_unusual_styles_pass(exercise_id, fn):
    assert_passes(exercise_id, fn)
