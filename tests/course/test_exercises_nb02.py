"""Exercises of notebook 02_loss_functions: several correct styles of each function pass.

(tests/course/test_grading.py checks, for every exercise, that the reference passes and that each
catalogued mistake fails with its own hint.)
"""
import math

import numpy as np
import pytest

from backprop_lab import functional as F
from backprop_lab.exercises import EXERCISES, by_notebook
from backprop_lab.exercises.nb02_losses import (
    clamped_log_binary_crossentropy,
    hinge,
    hinge_grad,
    sigmoid_pair_crossentropy,
)
from backprop_lab.gradcheck import check_loss
from backprop_lab.grading import grade

from exercise_helpers import assert_passes

EPSILON = 1e-7


def test_the_notebook_has_these_exercises_in_order():
    assert [ex.id for ex in by_notebook("02_loss_functions")] == [
        "half_sum_squared_error", "mean_squared_error", "binary_crossentropy",
        "binary_crossentropy_from_logits", "categorical_crossentropy", "log_softmax",
        "huber_grad", "hinge_grad",
        "mean_squared_error_grad", "sigmoid_pair_crossentropy",
        "clamped_log_binary_crossentropy"]
    derived = [EXERCISES[i] for i in ("huber_grad", "hinge_grad")]
    assert [ex.difficulty for ex in derived] == [4, 4]
    optional = ["mean_squared_error_grad", "sigmoid_pair_crossentropy",
                "clamped_log_binary_crossentropy"]
    assert [EXERCISES[i].points for i in optional] == [0, 0, 0]


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



# --------------------------------------------------------------------------------------
# Derived gradients: Huber and hinge
# --------------------------------------------------------------------------------------
def huber_grad_where(y_true, y_pred, delta=1.0):
    e = y_pred - y_true
    slope = np.where(np.abs(e) <= delta, e, delta * np.sign(e))
    return slope / e.size


def huber_grad_loop(y_true, y_pred, delta=1.0):
    out = np.zeros_like(y_pred, dtype=float)
    for index in np.ndindex(y_pred.shape):
        e = y_pred[index] - y_true[index]
        out[index] = e if abs(e) <= delta else (delta if e > 0 else -delta)
    return out / y_pred.size


def huber_grad_min_max(y_true, y_pred, delta=1.0):
    e = y_pred - y_true
    return np.minimum(np.maximum(e, -delta), delta) / np.prod(e.shape)


def huber_grad_per_row_then_batch(y_true, y_pred, delta=1.0):
    # Keras's order: the mean over the last axis, then over the batch
    e = np.atleast_2d(y_pred - y_true)
    n, m = e.shape
    return (np.clip(e, -delta, delta) / m / n).reshape(np.shape(y_pred))


@pytest.mark.parametrize("fn", [huber_grad_where, huber_grad_loop, huber_grad_min_max,
                                huber_grad_per_row_then_batch])
def test_huber_grad_styles_pass(fn):
    assert_passes("huber_grad", fn)


def hinge_grad_mask(y_true, y_pred):
    active = (1 - y_true * y_pred) > 0
    return -y_true * active / y_pred.size


def hinge_grad_loop(y_true, y_pred):
    out = np.zeros(y_pred.shape)
    for index in np.ndindex(y_pred.shape):
        if y_true[index] * y_pred[index] < 1:
            out[index] = -y_true[index]
    return out / y_pred.size


def hinge_grad_einsum(y_true, y_pred):
    margin = np.einsum("...,...->...", y_true, y_pred)
    return np.where(margin < 1, -1.0, 0.0) * y_true / margin.size


@pytest.mark.parametrize("fn", [hinge_grad_mask, hinge_grad_loop, hinge_grad_einsum])
def test_hinge_grad_styles_pass(fn):
    assert_passes("hinge_grad", fn)


def test_huber_reference_passes_check_loss_with_its_kinks():
    rng = np.random.default_rng(0)
    y = rng.standard_normal((6, 3))
    q = y + 2 * rng.standard_normal((6, 3))
    report = check_loss(F.huber, F.huber_grad, y, q,
                        kink_inputs=lambda p: [p - y - 1.0, p - y + 1.0])
    assert report.passed


def test_hinge_matches_its_formula_and_check_loss():
    rng = np.random.default_rng(1)
    y = np.where(rng.random((5, 4)) < 0.5, -1.0, 1.0)
    q = 1.5 * rng.standard_normal((5, 4))
    expected = np.mean([max(1 - a * b, 0) for a, b in zip(y.ravel(), q.ravel())])
    assert hinge(y, q) == pytest.approx(expected)
    # Keras: the mean over the last axis, then over the batch
    assert hinge(y, q) == pytest.approx(np.mean(np.mean(np.maximum(1 - y * q, 0), axis=-1)))
    assert check_loss(hinge, hinge_grad, y, q, kink_inputs=lambda p: [1 - y * p]).passed


def test_hinge_grad_is_zero_at_the_kink():
    y = np.array([[1.0, -1.0]])
    assert np.array_equal(hinge_grad(y, y), np.zeros((1, 2)))


def test_a_forgotten_mean_in_hinge_gets_its_hint():
    def hinge_grad(y_true, y_pred):
        return np.where(y_true * y_pred < 1, -y_true, 0.0)

    r = grade("hinge_grad", hinge_grad)
    assert (r.status, r.mistake) == ("failed", "forgot the 1/size"), r.verdict()


# --------------------------------------------------------------------------------------
# Optional checks (going further)
# --------------------------------------------------------------------------------------
def mse_grad_two_steps(y_true, y_pred):
    n, m = np.atleast_2d(y_pred).shape
    return (2 / m) * (y_pred - y_true) / n


def pair_through_categorical(y_onehot, z):
    shifted = z - z.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return float(-np.sum(y_onehot * log_p) / len(z))


def pair_log_sigmoid(y_onehot, z):
    d = z[:, 1] - z[:, 0]
    y = y_onehot[:, 1]
    return float(np.mean(np.maximum(d, 0) - d * y + np.log1p(np.exp(-np.abs(d)))))


def clamped_with_where(y_true, p):
    with np.errstate(divide="ignore", invalid="ignore"):
        log_p = np.where(p > 0, np.log(p), -100.0)
        log_q = np.where(p < 1, np.log(1 - p), -100.0)
    return float(-np.mean(y_true * np.maximum(log_p, -100) + (1 - y_true)
                          * np.maximum(log_q, -100)))


@pytest.mark.parametrize("exercise_id,fn", [
    ("mean_squared_error_grad", mse_grad_two_steps),
    ("sigmoid_pair_crossentropy", pair_through_categorical),
    ("sigmoid_pair_crossentropy", pair_log_sigmoid),
    ("clamped_log_binary_crossentropy", clamped_with_where)])
def test_optional_exercises_accept_other_styles(exercise_id, fn):
    assert_passes(exercise_id, fn)


def test_two_class_softmax_equals_the_single_logit_loss():
    rng = np.random.default_rng(2)
    z = rng.standard_normal((7, 2))
    y = np.eye(2)[rng.integers(0, 2, 7)]
    assert sigmoid_pair_crossentropy(y, z) == pytest.approx(
        F.categorical_crossentropy_from_logits(y, z))


def test_clamped_logs_give_100_for_a_certain_wrong_answer():
    assert clamped_log_binary_crossentropy(np.array([[1.0]]), np.array([[0.0]])) == 100.0


# --------------------------------------------------------------------------------------
# Learners' slips named by their own hint (and nothing else)
# --------------------------------------------------------------------------------------
def _assert_named(exercise_id, fn, mistake):
    r = grade(exercise_id, fn)
    assert (r.status, r.mistake) == ("failed", mistake), r.verdict()
    assert r.hint == next(m.hint for m in EXERCISES[exercise_id].mistakes if m.name == mistake)


def _bce_shifted_by_learner(y_true, p):
    eps = 1e-7
    return float(np.mean(-(y_true * np.log(p + eps) + (1 - y_true) * np.log(1 - p + eps))))


def _bce_maximum_of_min(y_true, p):
    p = np.minimum(p, 1 - 1e-7)  # only the top clipped
    return float(-np.mean(y_true * np.log(p) + (1 - y_true) * np.log(1 - p)))


def _cce_shifted_by_learner(y_true, p):
    return float(-np.sum(y_true * np.log(p + 1e-7)) / len(p))


def _cce_clip_to_one(y_true, p):
    p = np.clip(p, 1e-7, 1.0)
    return float(-np.sum(y_true * np.log(p)) / p.shape[0])


def _huber_minimum(y_true, y_pred, delta=1.0):
    e = y_pred - y_true
    return np.minimum(e, delta) / e.size


def _huber_maximum(y_true, y_pred, delta=1.0):
    e = y_pred - y_true
    return np.maximum(e, -delta) / e.size


def huber_grad(y_true, y_pred, delta):  # the learner's function, without the default
    return np.clip(y_pred - y_true, -delta, delta) / y_pred.size


@pytest.mark.parametrize("exercise_id,fn,mistake", [
    ("binary_crossentropy", _bce_shifted_by_learner, "log(p + EPSILON) instead of clipping"),
    ("binary_crossentropy", _bce_maximum_of_min, "clipped from above only"),
    ("categorical_crossentropy", _cce_shifted_by_learner,
     "log(p + EPSILON) instead of clipping"),
    ("categorical_crossentropy", _cce_clip_to_one, "clipped from below only"),
    ("huber_grad", _huber_minimum, "clipped from above only"),
    ("huber_grad", _huber_maximum, "clipped from below only"),
    ("huber_grad", huber_grad, "no default for delta"),
])
def test_learners_slips_get_their_own_hint(exercise_id, fn, mistake):
    _assert_named(exercise_id, fn, mistake)


def test_a_shifted_log_is_caught_only_by_the_small_probabilities():
    r = grade("binary_crossentropy", _bce_shifted_by_learner)
    assert r.messages == ["probabilities 1e-8 and 1 - 1e-8, inside the clipped zone (clipped, "
                          "not shifted): values differ (max abs error 0.048)"]


def test_another_default_delta_is_proved_by_the_twin_cases():
    def huber_grad(y_true, y_pred, delta=0.5):
        return np.clip(y_pred - y_true, -delta, delta) / y_pred.size

    r = grade("huber_grad", huber_grad)
    assert r.mistake == "a default that differs from the statement's"
    assert "`delta`" in r.hint and "delta=1.0" in r.hint
