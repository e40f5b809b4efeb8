"""Exercises of notebook 02_loss_functions: squared errors and cross-entropies, stably;
two gradients to derive (Huber, hinge); optional checks for "going further".

The references are the functions of ``backprop_lab.functional`` with the same names: each
loss returns a Python float; ``log_softmax`` and the gradients return arrays.  The
probabilities are clipped to [EPSILON, 1 - EPSILON] with ``EPSILON = 1e-7``, as Keras does.
Defined here: Keras's ``hinge`` and its gradient ``hinge_grad``, and the references of the
optional checks (``sigmoid_pair_crossentropy``, ``clamped_log_binary_crossentropy``).
"""
import numpy as np

from .. import functional as F
from ..grading.spec import Exercise, edge_case, fixed_case, random_case

NOTEBOOK = "02_loss_functions"
EPSILON = F.EPSILON


def _column(values):
    """A (N, 1) float column from a list: the shape of one output unit's targets."""
    return np.array(values, dtype=np.float64).reshape(-1, 1)


def _softmax_rows(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _one_hot(labels, k):
    out = np.zeros((len(labels), k))
    out[np.arange(len(labels)), labels] = 1.0
    return out


# --------------------------------------------------------------------------------------
# half_sum_squared_error and mean_squared_error share their cases
# --------------------------------------------------------------------------------------
def _squared_error_cases(rng):
    return [
        fixed_case("3 targets", np.array([1.0, 2.0, 3.0]), np.array([1.5, 2.0, 2.0])),
        fixed_case("4 examples, one output (N, 1)", _column([0.0, 1.0, 1.0, 0.0]),
                   _column([0.2, 0.7, 1.1, -0.3])),
        random_case("random 8 targets", rng.standard_normal(8), rng.standard_normal(8)),
        random_case("random 5 examples x 3 outputs", rng.standard_normal((5, 3)),
                    rng.standard_normal((5, 3))),
        edge_case("perfect predictions", np.array([[0.5, -1.0], [2.0, 3.0], [1.0, 1.0]]),
                  np.array([[0.5, -1.0], [2.0, 3.0], [1.0, 1.0]])),
        edge_case("a single example", np.array([[2.0]]), np.array([[-1.0]])),
        edge_case("large magnitudes", 1e6 * rng.standard_normal((4, 2)),
                  1e6 * rng.standard_normal((4, 2))),
    ]


def _hsse_mean(y_true, y_pred):
    return float(np.mean((y_true - y_pred) ** 2))


def _hsse_no_half(y_true, y_pred):
    return float(np.sum((y_true - y_pred) ** 2))


def _hsse_square_of_sum(y_true, y_pred):
    return float(0.5 * np.sum(y_true - y_pred) ** 2)


def _hsse_axis0(y_true, y_pred):
    return 0.5 * np.sum((y_true - y_pred) ** 2, axis=0)


def _hsse_half_mean(y_true, y_pred):
    return float(0.5 * np.mean((y_true - y_pred) ** 2))


def _hsse_norm(y_true, y_pred):
    return float(0.5 * np.linalg.norm(y_true - y_pred))


def _hsse_no_sum(y_true, y_pred):
    return 0.5 * (y_true - y_pred) ** 2


def _hsse_absolute(y_true, y_pred):
    return float(0.5 * np.sum(np.abs(y_true - y_pred)))


def _hsse_dot(y_true, y_pred):
    diff = y_true - y_pred
    return 0.5 * np.dot(diff, diff)


def _mse_sum(y_true, y_pred):
    return float(np.sum((y_true - y_pred) ** 2))


def _mse_half(y_true, y_pred):
    return float(0.5 * np.mean((y_true - y_pred) ** 2))


def _mse_divided_by_n_twice(y_true, y_pred):
    return float(np.mean((y_true - y_pred) ** 2) / len(y_true))


def _mse_divided_by_n_only(y_true, y_pred):
    return float(np.sum((y_true - y_pred) ** 2) / len(y_true))


def _mse_per_example(y_true, y_pred):
    return np.mean((y_true - y_pred) ** 2, axis=-1)


def _mse_square_of_mean(y_true, y_pred):
    return float(np.mean(y_true - y_pred) ** 2)


def _mse_root(y_true, y_pred):
    return float(np.sqrt(np.mean((y_true - y_pred) ** 2)))


def _mse_absolute(y_true, y_pred):
    return float(np.mean(np.abs(y_true - y_pred)))


# --------------------------------------------------------------------------------------
# binary_crossentropy
# --------------------------------------------------------------------------------------
def _bce_cases(rng):
    y = rng.integers(0, 2, size=(8, 1)).astype(np.float64)
    return [
        fixed_case("4 examples", _column([1, 0, 1, 0]), _column([0.9, 0.2, 0.6, 0.4])),
        random_case("random 8 examples", y, rng.uniform(0.05, 0.95, size=(8, 1))),
        random_case("random 5 examples x 3 labels",
                    rng.integers(0, 2, size=(5, 3)).astype(np.float64),
                    rng.uniform(0.01, 0.99, size=(5, 3))),
        edge_case("p = 0 where y = 1", _column([1, 0, 1]), _column([0.0, 0.3, 0.8])),
        edge_case("p = 1 where y = 0", _column([0, 1, 0]), _column([1.0, 0.6, 0.1])),
        edge_case("p exactly 0 and 1, right and wrong", _column([1, 0, 1, 0]),
                  _column([0.0, 1.0, 1.0, 0.0])),
        edge_case("soft labels", _column([0.1, 0.9, 0.5]), _column([0.3, 0.8, 0.5])),
        edge_case("probabilities 1e-8 and 1 - 1e-8, inside the clipped zone (clipped, "
                  "not shifted)", _column([1, 0, 1, 0]),
                  _column([1e-8, 1 - 1e-8, 0.5, 0.3])),
        edge_case("a single example", _column([1]), _column([0.25])),
    ]


def _bce_clip_below_only(y_true, p):
    p = np.maximum(p, EPSILON)
    return float(-np.mean(y_true * np.log(p) + (1 - y_true) * np.log(1 - p)))


def _bce_no_clip(y_true, p):
    return float(-np.mean(y_true * np.log(p) + (1 - y_true) * np.log(1 - p)))


def _bce_sign(y_true, p):
    p = np.clip(p, EPSILON, 1 - EPSILON)
    return float(np.mean(y_true * np.log(p) + (1 - y_true) * np.log(1 - p)))


def _bce_positive_term_only(y_true, p):
    p = np.clip(p, EPSILON, 1 - EPSILON)
    return float(-np.mean(y_true * np.log(p)))


def _bce_sum(y_true, p):
    p = np.clip(p, EPSILON, 1 - EPSILON)
    return float(-np.sum(y_true * np.log(p) + (1 - y_true) * np.log(1 - p)))


def _bce_other_epsilon(y_true, p):
    p = np.clip(p, 1e-15, 1 - 1e-15)
    return float(-np.mean(y_true * np.log(p) + (1 - y_true) * np.log(1 - p)))


def _bce_clipped_plus_epsilon(y_true, p):
    p = np.clip(p, EPSILON, 1 - EPSILON)
    return float(-np.mean(y_true * np.log(p + EPSILON) + (1 - y_true) * np.log(1 - p + EPSILON)))


def _bce_hard_labels(y_true, p):
    p = np.clip(p, EPSILON, 1 - EPSILON)
    return float(-np.mean(np.where(y_true == 1, np.log(p), np.log(1 - p))))


def _bce_summed_over_labels(y_true, p):
    p = np.clip(p, EPSILON, 1 - EPSILON)
    return float(-np.mean(np.sum(y_true * np.log(p) + (1 - y_true) * np.log(1 - p), axis=1)))


def _bce_log10(y_true, p):
    p = np.clip(p, EPSILON, 1 - EPSILON)
    return float(-np.mean(y_true * np.log10(p) + (1 - y_true) * np.log10(1 - p)))


def _bce_shifted(y_true, p):
    return float(-np.mean(y_true * np.log(p + EPSILON)
                          + (1 - y_true) * np.log(1 - p + EPSILON)))


def _bce_clip_above_only(y_true, p):
    p = np.minimum(p, 1 - EPSILON)
    return float(-np.mean(y_true * np.log(p) + (1 - y_true) * np.log(1 - p)))


# --------------------------------------------------------------------------------------
# binary_crossentropy_from_logits
# --------------------------------------------------------------------------------------
def _bce_logits_cases(rng):
    return [
        fixed_case("4 examples", _column([1, 0, 1, 0]), _column([2.0, -1.0, -0.5, 3.0])),
        random_case("random 8 examples", rng.integers(0, 2, size=(8, 1)).astype(np.float64),
                    3.0 * rng.standard_normal((8, 1))),
        random_case("random 4 examples x 3 labels",
                    rng.integers(0, 2, size=(4, 3)).astype(np.float64),
                    3.0 * rng.standard_normal((4, 3))),
        edge_case("logits of +-50 (sigmoid rounds to 1)", _column([1, 1, 0, 0]),
                  _column([50.0, -50.0, 50.0, -50.0])),
        edge_case("logits of +-1000", _column([1, 1, 0, 0]),
                  _column([1000.0, -1000.0, 1000.0, -1000.0])),
        edge_case("zero logits (loss log 2)", _column([1, 0, 1]), np.zeros((3, 1))),
        edge_case("soft labels", _column([0.2, 0.7]), _column([-1.5, 4.0])),
        edge_case("a single example", _column([0]), _column([0.7])),
    ]


def _bce_logits_log_sigmoid(y_true, z):
    s = 1 / (1 + np.exp(-z))
    return float(-np.mean(y_true * np.log(s) + (1 - y_true) * np.log(1 - s)))


def _bce_logits_clipped(y_true, z):
    s = 1 / (1 + np.exp(-z))
    s = np.clip(s, EPSILON, 1 - EPSILON)
    return float(-np.mean(y_true * np.log(s) + (1 - y_true) * np.log(1 - s)))


def _bce_logits_softplus_overflow(y_true, z):
    return float(np.mean(np.log1p(np.exp(z)) - z * y_true))


def _bce_logits_no_max(y_true, z):
    return float(np.mean(-z * y_true + np.log1p(np.exp(-np.abs(z)))))


def _bce_logits_sign(y_true, z):
    return float(np.mean(np.maximum(z, 0) + z * y_true + np.log1p(np.exp(-np.abs(z)))))


def _bce_logits_no_abs(y_true, z):
    return float(np.mean(np.maximum(z, 0) - z * y_true + np.log1p(np.exp(-z))))


def _bce_logits_two_softplus(y_true, z):
    return float(np.mean(y_true * np.log1p(np.exp(-z)) + (1 - y_true) * np.log1p(np.exp(z))))


def _bce_logits_sum(y_true, z):
    return float(np.sum(np.maximum(z, 0) - z * y_true + np.log1p(np.exp(-np.abs(z)))))


# --------------------------------------------------------------------------------------
# categorical_crossentropy
# --------------------------------------------------------------------------------------
def _cce_cases(rng):
    labels = rng.integers(0, 4, size=6)
    smooth = rng.uniform(size=(3, 5))
    return [
        fixed_case("2 examples, 3 classes", np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]),
                   np.array([[0.2, 0.7, 0.1], [0.5, 0.25, 0.25]])),
        random_case("random 6 examples, 4 classes", _one_hot(labels, 4),
                    _softmax_rows(rng.standard_normal((6, 4)))),
        random_case("soft labels: 3 examples, 5 classes",
                    smooth / smooth.sum(axis=1, keepdims=True),
                    _softmax_rows(rng.standard_normal((3, 5)))),
        edge_case("p = 0 at the true class", np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]),
                  np.array([[0.6, 0.0, 0.4], [0.1, 0.2, 0.7]])),
        edge_case("p = 0 at a wrong class", np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]),
                  np.array([[0.7, 0.3, 0.0], [0.0, 0.9, 0.1]])),
        edge_case("a single example", np.array([[0.0, 0.0, 1.0, 0.0]]),
                  np.array([[0.1, 0.2, 0.3, 0.4]])),
        edge_case("p = 1 at the true class (clipped to 1 - 1e-7)",
                  np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]),
                  np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])),
        edge_case("p = 1e-8 at the true class (clipped, not shifted)",
                  np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]),
                  np.array([[0.6, 1e-8, 0.4 - 1e-8], [0.5, 0.25, 0.25]])),
    ]


def _cce_no_clip(y_true, p):
    return float(-np.sum(y_true * np.log(p)) / p.shape[0])


def _cce_sign(y_true, p):
    p = np.clip(p, EPSILON, 1 - EPSILON)
    return float(np.sum(y_true * np.log(p)) / p.shape[0])


def _cce_mean_over_entries(y_true, p):
    p = np.clip(p, EPSILON, 1 - EPSILON)
    return float(-np.mean(y_true * np.log(p)))


def _cce_wrong_axis(y_true, p):
    p = np.clip(p, EPSILON, 1 - EPSILON)
    return float(-np.mean(np.sum(y_true * np.log(p), axis=0)))


def _cce_sum(y_true, p):
    p = np.clip(p, EPSILON, 1 - EPSILON)
    return float(-np.sum(y_true * np.log(p)))


def _cce_where_y_is_1(y_true, p):
    picked = np.log(np.clip(p, EPSILON, 1 - EPSILON)[y_true == 1])
    if picked.size == 0:
        return float("nan")  # what np.mean of an empty selection gives
    return float(-np.mean(picked))


def _cce_argmax_of_y(y_true, p):
    p = np.clip(p, EPSILON, 1 - EPSILON)
    return float(-np.mean(np.log(p[np.arange(len(p)), np.argmax(y_true, axis=1)])))


def _cce_per_example(y_true, p):
    p = np.clip(p, EPSILON, 1 - EPSILON)
    return -np.sum(y_true * np.log(p), axis=1)


def _cce_notebook_N(y_true, p):
    # what `... / N` gives while checking: the notebook's global N is out of reach
    raise NameError("name 'N' is not defined")


def _cce_shifted(y_true, p):
    return float(-np.sum(y_true * np.log(p + EPSILON)) / p.shape[0])


def _cce_clip_below_only(y_true, p):
    p = np.maximum(p, EPSILON)
    return float(-np.sum(y_true * np.log(p)) / p.shape[0])


def _cce_binary_formula(y_true, p):
    p = np.clip(p, EPSILON, 1 - EPSILON)
    return float(-np.sum(y_true * np.log(p) + (1 - y_true) * np.log(1 - p)) / p.shape[0])


# --------------------------------------------------------------------------------------
# log_softmax
# --------------------------------------------------------------------------------------
def _log_softmax_cases(rng):
    return [
        fixed_case("2x3 example", np.array([[1.0, 2.0, 3.0], [0.5, 0.5, -1.0]])),
        random_case("random 4x5 scores", 2.0 * rng.standard_normal((4, 5))),
        random_case("random square 3x3 scores", 2.0 * rng.standard_normal((3, 3))),
        edge_case("large logits in one row, small in the other",
                  np.array([[1000.0, 1001.0, 1002.0], [1.0, 2.0, 3.0]])),
        edge_case("logits 1000 apart", np.array([[0.0, -1000.0, 1000.0]])),
        edge_case("one logit far below the others", np.array([[-800.0, 0.0, -5.0],
                                                             [1.0, 2.0, 3.0]])),
        edge_case("all equal (log(1/K))", np.full((2, 4), -3.0)),
        edge_case("batch of one", rng.standard_normal((1, 6))),
    ]


def _log_softmax_naive(z):
    e = np.exp(z)
    return np.log(e / e.sum(axis=1, keepdims=True))


def _log_softmax_log_of_softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return np.log(e / e.sum(axis=1, keepdims=True))


def _log_softmax_axis0(z):
    shifted = z - z.max(axis=0, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=0, keepdims=True))


def _log_softmax_no_keepdims(z):
    shifted = z - z.max(axis=1)
    return shifted - np.log(np.exp(shifted).sum(axis=1))


def _log_softmax_no_log_sum(z):
    return z - z.max(axis=1, keepdims=True)


def _log_softmax_unshifted_log_sum_exp(z):
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))


def _log_softmax_min_shift(z):
    shifted = z - z.min(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def _log_softmax_shift_not_added_back(z):
    m = z.max(axis=1, keepdims=True)
    return z - np.log(np.exp(z - m).sum(axis=1, keepdims=True))


def _log_softmax_whole_batch(z):
    shifted = z - z.max()
    return shifted - np.log(np.exp(shifted).sum())



# --------------------------------------------------------------------------------------
# huber_grad (derive it yourself): the reference is functional.huber_grad
# --------------------------------------------------------------------------------------
def _huber_cases(rng):
    y = np.array([[0.0, 1.0, 2.0], [1.0, -1.0, 0.5]])
    return [
        fixed_case("2x3, errors in both zones", y,
                   y + np.array([[0.5, -3.0, 1.5], [-0.2, 2.0, -0.9]])),
        fixed_case("the same, with delta = 1.0 written out", y,
                   y + np.array([[0.5, -3.0, 1.5], [-0.2, 2.0, -0.9]]), delta=1.0),
        fixed_case("4 examples, one output, delta 0.5", _column([0.0, 1.0, 2.0, 3.0]),
                   _column([0.2, 0.1, 2.7, 3.4]), delta=0.5),
        random_case("random 6x2, delta 1", rng.standard_normal((6, 2)),
                    2.0 * rng.standard_normal((6, 2))),
        random_case("random 5x4, delta 2", rng.standard_normal((5, 4)),
                    4.0 * rng.standard_normal((5, 4)), delta=2.0),
        edge_case("errors exactly at +-delta", np.zeros((1, 4)),
                  np.array([[1.0, -1.0, 0.0, 3.0]])),
        edge_case("perfect predictions", np.ones((3, 2)), np.ones((3, 2))),
        edge_case("a single example, delta 0.1", np.array([[2.0]]), np.array([[-1.0]]),
                  delta=0.1),
        edge_case("large errors", np.zeros((3, 3)), 1e6 * rng.standard_normal((3, 3)),
                  delta=1.5),
    ]


def _huber_sign(y_true, y_pred, delta=1.0):
    return np.clip(y_true - y_pred, -delta, delta) / y_pred.size


def _huber_no_size(y_true, y_pred, delta=1.0):
    return np.clip(y_pred - y_true, -delta, delta)


def _huber_zones_swapped(y_true, y_pred, delta=1.0):
    e = y_pred - y_true
    return np.where(np.abs(e) <= delta, delta * np.sign(e), e) / y_pred.size


def _huber_batch_only(y_true, y_pred, delta=1.0):
    return np.clip(y_pred - y_true, -delta, delta) / y_pred.shape[0]


def _huber_linear_without_delta(y_true, y_pred, delta=1.0):
    e = y_pred - y_true
    return np.where(np.abs(e) <= delta, e, np.sign(e)) / y_pred.size


def _huber_factor_two(y_true, y_pred, delta=1.0):
    e = y_pred - y_true
    return np.where(np.abs(e) <= delta, 2 * e, delta * np.sign(e)) / y_pred.size


def _huber_delta_ignored(y_true, y_pred, delta=1.0):
    return np.clip(y_pred - y_true, -1.0, 1.0) / y_pred.size


def _huber_clip_above_only(y_true, y_pred, delta=1.0):
    return np.minimum(y_pred - y_true, delta) / y_pred.size


def _huber_clip_below_only(y_true, y_pred, delta=1.0):
    return np.maximum(y_pred - y_true, -delta) / y_pred.size


def _huber_no_default(y_true, y_pred, delta):
    return F.huber_grad(y_true, y_pred, delta)


# named as the learner's function, so that the TypeError of a call without delta reads
# the same ("huber_grad() missing 1 required positional argument: 'delta'")
_huber_no_default.__name__ = _huber_no_default.__qualname__ = "huber_grad"


# --------------------------------------------------------------------------------------
# hinge and hinge_grad (derive it yourself)
# --------------------------------------------------------------------------------------
def hinge(y_true, y_pred):
    """Keras's hinge loss for labels in {-1, +1}: ``mean(max(1 - y * y_hat, 0))`` over the
    last axis, then over the batch (for an (N, M) array, the mean over every entry).

    y_true: labels -1 or +1.  y_pred: scores of the same shape.  Returns a float.
    """
    margins = np.asarray(y_true, dtype=np.float64) * y_pred
    return float(np.mean(np.maximum(1.0 - margins, 0.0)))


def hinge_grad(y_true, y_pred):
    """dL/dy_hat of ``hinge``: ``-y / size`` where the margin y * y_hat is below 1, else 0.

    At a margin of exactly 1 (the kink) the loss has no derivative; like ``relu_backward``
    at z = 0 we use 0 there.  Returns an array shaped like y_pred.
    """
    return np.where(y_true * y_pred < 1.0, -y_true, 0.0) / y_pred.size


def _signs(rng, shape):
    return np.where(rng.random(shape) < 0.5, -1.0, 1.0)


def _hinge_cases(rng):
    return [
        fixed_case("2x3, some margins exactly 1",
                   np.array([[1.0, -1.0, 1.0], [-1.0, 1.0, -1.0]]),
                   np.array([[1.0, -1.0, 0.3], [0.5, 2.0, -0.2]])),
        fixed_case("4 examples, one output", _column([1.0, -1.0, 1.0, -1.0]),
                   _column([0.2, -3.0, -0.5, 1.0])),
        random_case("random 6x2", _signs(rng, (6, 2)), 1.5 * rng.standard_normal((6, 2))),
        random_case("random 5x4", _signs(rng, (5, 4)), 2.0 * rng.standard_normal((5, 4))),
        edge_case("every margin exactly 1", np.array([[1.0, -1.0], [-1.0, 1.0]]),
                  np.array([[1.0, -1.0], [-1.0, 1.0]])),
        edge_case("every margin above 1 (no gradient)", np.array([[1.0, -1.0, 1.0]]),
                  np.array([[2.0, -1.5, 4.0]])),
        edge_case("all wrong side, a single example", np.array([[-1.0]]), np.array([[3.0]])),
        edge_case("integer labels", np.array([[1, -1], [-1, 1], [1, 1]]),
                  np.array([[0.5, 0.5], [-2.0, 0.0], [1.0, 3.0]])),
        edge_case("large scores", _signs(rng, (3, 3)), 1e6 * rng.standard_normal((3, 3))),
    ]


def _hinge_sign(y_true, y_pred):
    return np.where(y_true * y_pred < 1.0, y_true, 0.0) / y_pred.size


def _hinge_no_size(y_true, y_pred):
    return np.where(y_true * y_pred < 1.0, -y_true, 0.0) * 1.0


def _hinge_kink_side(y_true, y_pred):
    return np.where(y_true * y_pred <= 1.0, -y_true, 0.0) / y_pred.size


def _hinge_margin_zero(y_true, y_pred):
    return np.where(y_true * y_pred < 0.0, -y_true, 0.0) / y_pred.size


def _hinge_forgot_y(y_true, y_pred):
    return -1.0 * (y_true * y_pred < 1.0) / y_pred.size


def _hinge_batch_only(y_true, y_pred):
    return np.where(y_true * y_pred < 1.0, -y_true, 0.0) / y_pred.shape[0]


def _hinge_mask_without_y(y_true, y_pred):
    return np.where(y_pred < 1.0, -y_true, 0.0) / y_pred.size


# --------------------------------------------------------------------------------------
# Optional checks of "going further"
# --------------------------------------------------------------------------------------
def mean_squared_error_grad(y_true, y_pred):
    """dL/dy_hat of Keras's MSE: 2 (y_hat - y) / size (functional.mean_squared_error_grad)."""
    return F.mean_squared_error_grad(y_true, y_pred)


def sigmoid_pair_crossentropy(y_onehot, z):
    """Binary cross-entropy from the single logit z1 - z0, for two-class one-hot rows.

    y_onehot: (N, 2) one-hot rows.  z: (N, 2) logits.  Equal to the categorical
    cross-entropy of softmax(z), since softmax([z0, z1])_1 = sigmoid(z1 - z0).  A float.
    """
    return F.binary_crossentropy_from_logits(y_onehot[:, 1:], z[:, 1:] - z[:, :1])


def _pair_cases(rng):
    def onehot(labels):
        return _one_hot(np.array(labels), 2)

    return [
        fixed_case("3 examples", onehot([0, 1, 1]),
                   np.array([[2.0, 0.5], [-1.0, 1.0], [0.3, 0.3]])),
        random_case("random 8 examples", onehot(rng.integers(0, 2, 8)),
                    rng.standard_normal((8, 2))),
        edge_case("extreme logits", onehot([1, 0]), np.array([[800.0, -800.0], [5.0, 900.0]])),
        edge_case("a single example", onehot([1]), np.array([[0.0, 2.0]])),
    ]


def _pair_sign(y_onehot, z):
    return F.binary_crossentropy_from_logits(y_onehot[:, 1:], z[:, :1] - z[:, 1:])


def _pair_summed(y_onehot, z):
    return len(z) * F.binary_crossentropy_from_logits(y_onehot[:, 1:], z[:, 1:] - z[:, :1])


def _pair_logit_z1(y_onehot, z):
    return F.binary_crossentropy_from_logits(y_onehot[:, 1:], z[:, 1:])


def _pair_through_probabilities(y_onehot, z):
    s = F.sigmoid_forward(z[:, 1:] - z[:, :1])[0]
    return F.binary_crossentropy(y_onehot[:, 1:], s)


def clamped_log_binary_crossentropy(y_true, p):
    """Binary cross-entropy as PyTorch's BCELoss computes it: no clipping of p, but each log
    clamped below at -100.  y_true, p: same shape.  Returns the mean, a float."""
    with np.errstate(divide="ignore"):
        log_p = np.maximum(np.log(p), -100.0)
        log_not_p = np.maximum(np.log(1.0 - p), -100.0)
    return float(-np.mean(y_true * log_p + (1 - y_true) * log_not_p))


def _clamped_cases(rng):
    return [
        fixed_case("y = 1, p = 0", _column([1.0]), _column([0.0])),
        fixed_case("three examples", _column([1.0, 0.0, 1.0]), _column([0.9, 0.2, 0.6])),
        random_case("random 5x2", rng.integers(0, 2, (5, 2)).astype(float),
                    rng.uniform(0.01, 0.99, (5, 2))),
        edge_case("certain and right (p = y)", _column([1.0, 0.0]), _column([1.0, 0.0])),
        edge_case("y = 0 but p = 1", _column([0.0, 1.0]), _column([1.0, 0.7])),
    ]


def _clamped_keras_clip(y_true, p):
    return F.binary_crossentropy(y_true, p)


def _clamped_one_log(y_true, p):
    return float(-np.mean(y_true * np.maximum(np.log(p), -100.0)
                          + (1 - y_true) * np.log(1 - p)))


def _clamped_min(y_true, p):
    return float(-np.mean(y_true * np.minimum(np.log(p), -100.0)
                          + (1 - y_true) * np.minimum(np.log(1 - p), -100.0)))


def _clamped_sum(y_true, p):
    return y_true.size * clamped_log_binary_crossentropy(y_true, p)


def _mse_grad_cases(rng):
    return [
        fixed_case("3 targets", np.array([1.0, 2.0, 3.0]), np.array([1.5, 2.0, 2.0])),
        random_case("random 5x3", rng.standard_normal((5, 3)), rng.standard_normal((5, 3))),
        edge_case("a single example", np.array([[2.0]]), np.array([[-1.0]])),
        edge_case("perfect predictions", np.ones((2, 2)), np.ones((2, 2))),
    ]


def _mse_grad_no_two(y_true, y_pred):
    return (y_pred - y_true) / y_pred.size


def _mse_grad_sign(y_true, y_pred):
    return 2 * (y_true - y_pred) / y_pred.size


def _mse_grad_batch_only(y_true, y_pred):
    return 2 * (y_pred - y_true) / y_pred.shape[0]


def _mse_grad_half_sum(y_true, y_pred):
    return y_pred - y_true

EXERCISES = [
    Exercise(
        id="half_sum_squared_error",
        title="The seed's squared error (1/2, sum)",
        notebook=NOTEBOOK,
        points=1,
        difficulty=1,
        reference=F.half_sum_squared_error,
        cases=_squared_error_cases,
        mistakes=[
            ("mean instead of sum", _hsse_mean,
             "you averaged (np.mean). The seed's loss is a plain sum, halved: "
             "0.5 * np.sum((y_true - y_pred) ** 2)."),
            ("forgot the 1/2", _hsse_no_half,
             "the factor 1/2 is missing (it is there so that the derivative is y_hat - y)."),
            ("square of the sum", _hsse_square_of_sum,
             "you squared the sum of the errors. Square each error first, then add."),
            ("sum over axis 0 only", _hsse_axis0,
             "np.sum(..., axis=0) leaves one number per column; the loss is one number: "
             "leave out axis to add every entry."),
            ("half the mean", _hsse_half_mean,
             "you averaged (np.mean) and halved. The seed's loss is half the SUM: "
             "0.5 * np.sum((y_true - y_pred) ** 2); do not divide by the number of entries."),
            ("norm not squared", _hsse_norm,
             "np.linalg.norm(d) is the square root of the sum of squares. Square it, or "
             "simply use 0.5 * np.sum(d ** 2)."),
            ("forgot the sum", _hsse_no_sum,
             "you returned one squared error per entry; the loss is one number: add them "
             "up with np.sum."),
            ("absolute errors", _hsse_absolute,
             "np.abs adds the sizes of the errors; the loss adds their SQUARES: "
             "0.5 * np.sum((y_true - y_pred) ** 2)."),
            ("np.dot on 2-D arrays", _hsse_dot,
             "np.dot(d, d) is a sum of squares only for a 1-D d; for (N, M) arrays it is a "
             "matrix product (or an error). Use np.sum(d * d), which works for any shape."),
        ],
        hints=[
            "Three steps: the errors y - y_hat, their squares, half their total.",
            "np.sum adds every entry of an array, whatever its shape.",
            "return float(0.5 * np.sum((y_true - y_pred) ** 2))",
        ],
    ),
    Exercise(
        id="mean_squared_error",
        title="Mean squared error (Keras)",
        notebook=NOTEBOOK,
        points=1,
        difficulty=1,
        reference=F.mean_squared_error,
        cases=_squared_error_cases,
        mistakes=[
            ("sum instead of mean", _mse_sum,
             "you returned the sum of the squared errors; Keras's MSE divides by their "
             "number: np.mean."),
            ("kept the 1/2", _mse_half,
             "Keras's MSE has no factor 1/2: it is mean((y - y_hat)^2). The 1/2 belongs to "
             "the seed's sum form only."),
            ("divided by N twice", _mse_divided_by_n_twice,
             "np.mean already divides by the number of entries; dividing by len(y_true) "
             "again divides by N twice."),
            ("divided by N only", _mse_divided_by_n_only,
             "with M outputs per example Keras averages over the outputs too: divide by "
             "N * M (y_pred.size), or simply use np.mean."),
            ("per-example losses", _mse_per_example,
             "np.mean(..., axis=-1) leaves one loss per example (Keras's first step); the "
             "loss is their mean too: one float."),
            ("square of the mean", _mse_square_of_mean,
             "you squared the mean error, so errors of opposite signs cancel. Square each "
             "error first, then average: np.mean((y_true - y_pred) ** 2)."),
            ("root mean square", _mse_root,
             "np.sqrt gives the root-mean-square error (RMSE). The MSE is the mean of the "
             "squares itself, without the root."),
            ("mean absolute error", _mse_absolute,
             "np.abs gives the mean absolute error (Keras's 'mae'). The MSE squares the "
             "errors: np.mean((y_true - y_pred) ** 2)."),
        ],
        hints=[
            "The mean of the squared errors over every entry: outputs and examples.",
            "np.mean averages every entry of an array, whatever its shape.",
            "return float(np.mean((y_true - y_pred) ** 2))",
        ],
    ),
    Exercise(
        id="binary_crossentropy",
        title="Binary cross-entropy (clipped)",
        notebook=NOTEBOOK,
        points=2,
        difficulty=2,
        reference=F.binary_crossentropy,
        cases=_bce_cases,
        mistakes=[
            ("clipped from below only", _bce_clip_below_only,
             "np.maximum(p, EPSILON) clips from below only: p = 1 still gives "
             "log(1 - p) = log(0) = -inf, and p = 1 - 1e-8 is not moved to 1 - 1e-7. Clip "
             "both ends: np.clip(p, EPSILON, 1 - EPSILON)."),
            ("no clipping", _bce_no_clip,
             "log(0) is -inf, and 0 * log(0) is NaN: clip the probabilities first, "
             "p = np.clip(p, EPSILON, 1 - EPSILON) with EPSILON = 1e-7, as Keras does."),
            ("wrong sign", _bce_sign,
             "a log of a probability is <= 0, so the loss needs a minus sign in front: "
             "-mean(y log p + (1 - y) log(1 - p))."),
            ("only the y log p term", _bce_positive_term_only,
             "the examples with y = 0 need their term too: (1 - y) * log(1 - p)."),
            ("sum instead of mean", _bce_sum,
             "Keras averages over the examples (and outputs): use np.mean, not np.sum."),
            ("another epsilon", _bce_other_epsilon,
             "clip with EPSILON = 1e-7, Keras's value, so that your loss matches Keras's "
             "(and backprop_lab's)."),
            ("clipped and added EPSILON", _bce_clipped_plus_epsilon,
             "after np.clip(p, EPSILON, 1 - EPSILON) no log sees 0; adding EPSILON inside "
             "the log as well changes the loss where p was clipped (log(2e-7) instead of "
             "log(1e-7)). Clip, then take np.log(p) and np.log(1 - p) as they are."),
            ("hard labels only", _bce_hard_labels,
             "np.where(y_true == 1, ...) treats every label other than 1 as 0. With soft "
             "labels such as 0.9 both terms count: y log p + (1 - y) log(1 - p)."),
            ("summed over the labels", _bce_summed_over_labels,
             "with several labels per example, shape (N, M), Keras averages over them too: "
             "take np.mean over every entry, not a sum over axis 1."),
            ("log base 10", _bce_log10,
             "cross-entropy uses the natural logarithm, np.log, not np.log10 or np.log2."),
            ("log(p + EPSILON) instead of clipping", _bce_shifted,
             "np.log(p + EPSILON) shifts every probability instead of clipping it. The "
             "two agree for p = 0 and for ordinary p, but not for small probabilities: "
             "p = 1e-8 must count as 1e-7, not as 1.1e-7. Clip first, p = np.clip(p, "
             "EPSILON, 1 - EPSILON), then take np.log(p) and np.log(1 - p)."),
            ("clipped from above only", _bce_clip_above_only,
             "np.minimum(p, 1 - EPSILON) clips from above only: p = 0 still gives "
             "log(0) = -inf, and p = 1e-8 counts as 1e-8 instead of 1e-7. Clip both ends: "
             "np.clip(p, EPSILON, 1 - EPSILON)."),
        ],
        hints=[
            "For one example: -log(p) if y = 1 and -log(1 - p) if y = 0; y log p + "
            "(1 - y) log(1 - p) covers both. Average over every entry.",
            "Clip first so that no log sees 0: p = np.clip(p, EPSILON, 1 - EPSILON).",
            "p = np.clip(p, EPSILON, 1 - EPSILON); return float(-np.mean(y_true * np.log(p) "
            "+ (1 - y_true) * np.log(1 - p)))",
        ],
    ),
    Exercise(
        id="binary_crossentropy_from_logits",
        title="Binary cross-entropy from logits (stable)",
        notebook=NOTEBOOK,
        points=3,
        difficulty=3,
        reference=F.binary_crossentropy_from_logits,
        cases=_bce_logits_cases,
        mistakes=[
            # listed before "log of the sigmoid": both give NaN for logits of +-1000, and a tie
            # goes to the first; only the log of the sigmoid also fails at +-50.
            ("two softplus terms", _bce_logits_two_softplus,
             "y log(1 + e^-z) + (1 - y) log(1 + e^z) is right on paper, but np.exp(1000) "
             "is inf, and 0 * inf is NaN. Combine the terms: max(z, 0) - z * y + "
             "log1p(exp(-|z|))."),
            ("log of the sigmoid", _bce_logits_log_sigmoid,
             "sigmoid(50) rounds to exactly 1.0, so log(1 - sigmoid(z)) is log(0) = -inf. "
             "Do not go through the probability: use max(z, 0) - z * y + "
             "log1p(exp(-|z|))."),
            ("clipped probabilities", _bce_logits_clipped,
             "clipping caps every example's loss at -log(1e-7) = 16.1, but a logit of "
             "-1000 for a positive example costs 1000. Use the logit form "
             "max(z, 0) - z * y + log1p(exp(-|z|))."),
            ("softplus overflows", _bce_logits_softplus_overflow,
             "log(1 + exp(z)) - z y is right on paper, but np.exp(1000) is inf. Write "
             "log(1 + exp(z)) = max(z, 0) + log1p(exp(-|z|)), which never exponentiates a "
             "positive number."),
            ("forgot max(z, 0)", _bce_logits_no_max,
             "the term max(z, 0) is missing; without it the loss is wrong for every z > 0."),
            ("wrong sign of z * y", _bce_logits_sign,
             "the middle term is - z * y: a large logit should lower the loss when y = 1."),
            ("forgot the absolute value", _bce_logits_no_abs,
             "the last term is log1p(exp(-|z|)), with the absolute value: np.exp(-z) "
             "overflows for z = -1000, and for every z < 0 the formula is wrong without it."),
            ("sum instead of mean", _bce_logits_sum,
             "Keras averages over every entry: use np.mean, not np.sum."),
        ],
        hints=[
            "With s = sigmoid(z): -log s = log(1 + exp(-z)) and -log(1 - s) = "
            "z + log(1 + exp(-z)). Add them with weights y and 1 - y.",
            "That sum simplifies to log(1 + exp(z)) - z y; and log(1 + exp(z)) = "
            "max(z, 0) + log(1 + exp(-|z|)), which never overflows.",
            "return float(np.mean(np.maximum(z, 0) - z * y_true + "
            "np.log1p(np.exp(-np.abs(z)))))",
        ],
    ),
    Exercise(
        id="categorical_crossentropy",
        title="Categorical cross-entropy (clipped)",
        notebook=NOTEBOOK,
        points=2,
        difficulty=2,
        reference=F.categorical_crossentropy,
        cases=_cce_cases,
        mistakes=[
            ("no clipping", _cce_no_clip,
             "log(0) is -inf, and 0 * log(0) is NaN even where y is 0: clip first, "
             "p = np.clip(p, EPSILON, 1 - EPSILON)."),
            ("wrong sign", _cce_sign,
             "log p is <= 0, so the loss is minus the sum: -1/N sum y log p."),
            ("mean over every entry", _cce_mean_over_entries,
             "np.mean divides by N * K, the number of entries. Sum over the classes, then "
             "average over the N examples."),
            ("summed over the wrong axis", _cce_wrong_axis,
             "your result is the total divided by the number of classes K (which is what "
             "summing over axis 0, the examples, and then averaging gives). Sum over the "
             "classes (axis=1), then average over the N = p.shape[0] examples."),
            ("sum instead of mean", _cce_sum,
             "the loss is averaged over the batch: divide the total by N = p.shape[0]."),
            ("only entries with y == 1", _cce_where_y_is_1,
             "p[y_true == 1] works for one-hot rows only; with soft labels (rows such as "
             "[0.2, 0.8]) no entry equals 1. Weight every log p by its y: "
             "-np.sum(y_true * np.log(p)) / N."),
            ("argmax of the labels", _cce_argmax_of_y,
             "picking the class np.argmax(y_true) works for one-hot rows only; with soft "
             "labels every class counts with its weight y: -np.sum(y_true * np.log(p)) / N."),
            ("per-example losses", _cce_per_example,
             "you returned one loss per example; the loss is their mean, one float: "
             "divide the total by N = p.shape[0]."),
            ("the notebook's N", _cce_notebook_N,
             "N must be the number of examples of the p you are given: p.shape[0]. The "
             "notebook's N (from section 2) belongs to another example."),
            ("log(p + EPSILON) instead of clipping", _cce_shifted,
             "np.log(p + EPSILON) shifts every probability instead of clipping it; the two "
             "differ for small probabilities: p = 1e-8 must count as 1e-7, not as 1.1e-7. "
             "Clip first, p = np.clip(p, EPSILON, 1 - EPSILON), then take np.log(p)."),
            ("clipped from below only", _cce_clip_below_only,
             "np.maximum(p, EPSILON) clips from below only; Keras clips both ends, so a "
             "probability of exactly 1 counts as 1 - 1e-7 and costs -log(1 - 1e-7), about "
             "1e-7. Use np.clip(p, EPSILON, 1 - EPSILON)."),
            ("binary formula", _cce_binary_formula,
             "the (1 - y) log(1 - p) term belongs to binary cross-entropy. With a softmax "
             "the other classes already count through the normalisation: only "
             "-sum y log p, divided by N."),
        ],
        hints=[
            "For one example with a one-hot y, the loss is -log of the probability of the "
            "true class; sum_k y_k log p_k picks it out.",
            "Clip p first, then -np.sum(y_true * np.log(p)) over everything, divided by "
            "the number of examples N.",
            "p = np.clip(p, EPSILON, 1 - EPSILON); return float(-np.sum(y_true * "
            "np.log(p)) / p.shape[0])",
        ],
    ),
    Exercise(
        id="log_softmax",
        title="Log-softmax (stable)",
        notebook=NOTEBOOK,
        points=2,
        difficulty=2,
        reference=F.log_softmax,
        cases=_log_softmax_cases,
        mistakes=[
            ("no max shift", _log_softmax_naive,
             "np.exp(1000) overflows to inf. Subtract each row's maximum first: "
             "shifted = z - z.max(axis=1, keepdims=True)."),
            ("log of the softmax", _log_softmax_log_of_softmax,
             "a probability like exp(-1000) underflows to 0, and log(0) is -inf, though "
             "the log-probability is a fine -1000. Never form the probability: "
             "log a_k = shifted_k - log(sum_j exp(shifted_j))."),
            ("over axis 0", _log_softmax_axis0,
             "each row is one example: take the max and the sum over axis=1 (the classes)."),
            ("no keepdims", _log_softmax_no_keepdims,
             "z.max(axis=1) has shape (N,), which broadcasts against the columns. Use "
             "keepdims=True for the max and the sum, giving (N, 1)."),
            ("forgot the log-sum-exp", _log_softmax_no_log_sum,
             "after the shift you must still subtract log(sum_j exp(shifted_j)), the log "
             "of the normaliser; otherwise exp of the rows does not sum to 1."),
            ("log-sum-exp without the shift", _log_softmax_unshifted_log_sum_exp,
             "np.exp(z) overflows to inf for z = 1000, and z - log(inf) is -inf. Compute "
             "the log-sum-exp of the SHIFTED row: shifted - log(sum(exp(shifted)))."),
            ("shifted by the row minimum", _log_softmax_min_shift,
             "after subtracting the row MINIMUM the exponents are >= 0 and overflow once a "
             "row spans more than about 709. Subtract the row maximum."),
            ("shift not added back", _log_softmax_shift_not_added_back,
             "log sum_j exp(z_j) = m + log sum_j exp(z_j - m): you left out the m. "
             "Subtract from the shifted row instead: shifted - log(sum(exp(shifted)))."),
            ("max and sum over the whole batch", _log_softmax_whole_batch,
             "z.max() and .sum() without an axis run over the whole batch. Each row is one "
             "example: use axis=1, keepdims=True."),
        ],
        hints=[
            "log softmax(z)_k = z_k - log(sum_j exp(z_j)). The log-sum-exp overflows for "
            "large z unless you shift first.",
            "With m the row maximum: log sum_j exp(z_j) = m + log sum_j exp(z_j - m).",
            "shifted = z - z.max(axis=1, keepdims=True); return shifted - "
            "np.log(np.exp(shifted).sum(axis=1, keepdims=True))",
        ],
    ),
    Exercise(
        id="huber_grad",
        title="Huber loss, gradient (derive it)",
        notebook=NOTEBOOK,
        points=3,
        difficulty=4,
        reference=F.huber_grad,
        cases=_huber_cases,
        mistakes=[
            ("sign error", _huber_sign,
             "your gradient has the wrong sign: the loss grows as y_pred moves away from "
             "y_true, so the derivative has the sign of the error y_pred - y_true."),
            ("forgot the 1/size", _huber_no_size,
             "the loss is a mean over every entry, so each entry's derivative is divided by "
             "the number of entries, y_pred.size."),
            ("zones swapped", _huber_zones_swapped,
             "the quadratic zone and the clipped zone are swapped: for |e| <= delta the "
             "derivative of e^2 / 2 is e itself; beyond delta it is the constant +-delta."),
            ("averaged over the batch only", _huber_batch_only,
             "Keras's Huber is a mean over every entry (the last axis, then the batch): "
             "divide by y_pred.size, not by the number of rows."),
            ("linear zone without delta", _huber_linear_without_delta,
             "beyond delta the loss is delta * (|e| - delta / 2), whose slope is "
             "delta * sign(e), not sign(e)."),
            ("factor 2 in the quadratic zone", _huber_factor_two,
             "the quadratic zone is e^2 / 2: its derivative is e, not 2 e (the 1/2 is "
             "there to cancel the 2)."),
            ("delta ignored", _huber_delta_ignored,
             "your zones always end at 1: use the argument delta, which the checks vary."),
            ("clipped from above only", _huber_clip_above_only,
             "np.minimum(e, delta) caps the large positive errors only; a large negative "
             "error must stop at -delta too: np.clip(e, -delta, delta)."),
            ("clipped from below only", _huber_clip_below_only,
             "np.maximum(e, -delta) stops the large negative errors only; a large positive "
             "error must stop at +delta too: np.clip(e, -delta, delta)."),
            ("no default for delta", _huber_no_default,
             "the statement gives delta a default, so the function can be called without "
             "it: def huber_grad(y_true, y_pred, delta=1.0)."),
        ],
        hints=[
            "Work entry by entry with e = y_pred - y_true, in each zone separately; the mean "
            "over all entries contributes one more factor.",
            "In the quadratic zone the derivative is e; in the linear zone it does not depend "
            "on |e|. What value does it have there, and what links the two zones at "
            "|e| = delta?",
            "The whole gradient is the error clipped to [-delta, delta], divided by the "
            "number of entries. Check it with check_loss before running the check.",
        ],
    ),
    Exercise(
        id="hinge_grad",
        title="Hinge loss, gradient (derive it)",
        notebook=NOTEBOOK,
        points=3,
        difficulty=4,
        reference=hinge_grad,
        cases=_hinge_cases,
        mistakes=[
            ("sign error", _hinge_sign,
             "your gradient has the wrong sign: increasing y * y_pred lowers the loss, so "
             "where the margin is short the derivative is -y (divided by the size)."),
            ("forgot the 1/size", _hinge_no_size,
             "the loss is a mean over every entry: divide each entry's derivative by "
             "y_pred.size."),
            ("kink on the wrong side", _hinge_kink_side,
             "at a margin of exactly 1 the loss is at its kink; the convention is 0 there, "
             "as relu_backward uses at z = 0: the gradient is nonzero only where "
             "y * y_pred < 1, strictly."),
            ("kink at 0 instead of 1", _hinge_margin_zero,
             "the loss is max(1 - y * y_pred, 0): it is still positive for margins between 0 "
             "and 1, so the gradient is nonzero wherever y * y_pred < 1, not only < 0."),
            ("forgot the label", _hinge_forgot_y,
             "the derivative of 1 - y * y_pred with respect to y_pred is -y: multiply the "
             "mask by -y_true, not by -1."),
            ("averaged over the batch only", _hinge_batch_only,
             "Keras's hinge is a mean over the last axis, then over the batch, i.e. over "
             "every entry: divide by y_pred.size, not by the number of rows."),
            ("mask without the label", _hinge_mask_without_y,
             "the kink is where the margin y * y_pred equals 1; your mask compares y_pred "
             "alone with 1, which is wrong for the labels -1."),
        ],
        hints=[
            "Write the loss of one entry as max(u, 0) with u = 1 - y * y_pred, and use the "
            "chain rule: d/du max(u, 0), times du/dy_pred.",
            "max(u, 0) has slope 1 where u > 0 and 0 where u < 0 (and, by convention, 0 at "
            "u = 0); du/dy_pred = -y. The mean over all entries divides by their number.",
            "Build the mask y_true * y_pred < 1, multiply it by -y_true, divide by "
            "y_pred.size, and check the result with check_loss.",
        ],
    ),
    Exercise(
        id="mean_squared_error_grad",
        title="MSE, gradient (going further)",
        notebook=NOTEBOOK,
        points=0,
        difficulty=1,
        reference=mean_squared_error_grad,
        cases=_mse_grad_cases,
        mistakes=[
            ("no factor 2", _mse_grad_no_two,
             "the derivative of (y_hat - y)^2 is 2 (y_hat - y): the factor 2 stays, since "
             "MSE has no 1/2."),
            ("sign error", _mse_grad_sign,
             "the gradient points towards larger loss: 2 (y_pred - y_true) / size, not "
             "2 (y_true - y_pred) / size."),
            ("averaged over the batch only", _mse_grad_batch_only,
             "MSE is the mean over every entry: divide by y_pred.size."),
            ("the half-sum's gradient", _mse_grad_half_sum,
             "y_pred - y_true is the gradient of the half-sum; MSE's is "
             "2 (y_pred - y_true) / y_pred.size."),
        ],
        hints=[
            "MSE = sum((y_pred - y_true)^2) / size. Differentiate one term.",
            "return 2 * (y_pred - y_true) / y_pred.size",
        ],
    ),
    Exercise(
        id="sigmoid_pair_crossentropy",
        title="Two-class softmax as one sigmoid (going further)",
        notebook=NOTEBOOK,
        points=0,
        difficulty=2,
        reference=sigmoid_pair_crossentropy,
        cases=_pair_cases,
        depends=("binary_crossentropy_from_logits",),
        mistakes=[
            ("logits subtracted the wrong way", _pair_sign,
             "class 1's probability is sigmoid(z1 - z0): subtract z0 from z1, not the "
             "reverse."),
            ("summed over the examples", _pair_summed,
             "the loss is the mean over the examples, as binary_crossentropy_from_logits "
             "returns it: do not multiply it by N."),
            ("logit of class 1 alone", _pair_logit_z1,
             "softmax depends only on differences of the logits: the single logit is "
             "z1 - z0, not z1."),
            ("through clipped probabilities", _pair_through_probabilities,
             "through the sigmoid's probability the loss is clipped at 16.12 for extreme "
             "logits; use binary_crossentropy_from_logits on z1 - z0."),
        ],
        hints=[
            "softmax([z0, z1])_1 = e^z1 / (e^z0 + e^z1) = 1 / (1 + e^-(z1 - z0)).",
            "return binary_crossentropy_from_logits(y_onehot[:, 1:], z[:, 1:] - z[:, :1])",
        ],
    ),
    Exercise(
        id="clamped_log_binary_crossentropy",
        title="PyTorch's clamped logs (going further)",
        notebook=NOTEBOOK,
        points=0,
        difficulty=2,
        reference=clamped_log_binary_crossentropy,
        cases=_clamped_cases,
        mistakes=[
            ("clipped p as Keras does", _clamped_keras_clip,
             "that is Keras's way (p clipped to [1e-7, 1 - 1e-7]); PyTorch leaves p as it "
             "is and clamps each log: np.maximum(np.log(p), -100)."),
            ("only one log clamped", _clamped_one_log,
             "both logs need the clamp: log(1 - p) is -inf when p = 1, and then 0 * (-inf) "
             "is nan even where y = 1."),
            ("np.minimum", _clamped_min,
             "np.minimum keeps the smaller value, so every log becomes at most -100; the "
             "clamp is from below: np.maximum(np.log(p), -100)."),
            ("sum instead of mean", _clamped_sum,
             "BCELoss averages over every entry by default: np.mean, not np.sum."),
        ],
        hints=[
            "Compute the two logs, clamp each at -100 from below, then combine them with "
            "the weights y and 1 - y and average.",
            "np.maximum(np.log(p), -100) and np.maximum(np.log(1 - p), -100).",
        ],
    ),
]

