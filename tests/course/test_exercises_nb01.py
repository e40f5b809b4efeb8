"""Exercises of notebook 01_forward_pass: several correct styles of each function pass.

(tests/course/test_grading.py checks, for every exercise, that the reference passes and that each
catalogued mistake fails with its own hint.)
"""
import math

import numpy as np
import pytest

from backprop_lab import functional as F
from backprop_lab.exercises import EXERCISES, by_notebook
from backprop_lab.grading import grade

from exercise_helpers import assert_passes


def test_the_notebook_has_these_exercises_in_order():
    assert [ex.id for ex in by_notebook("01_forward_pass")] == [
        "neuron_forward", "dense_forward", "relu_forward", "sigmoid_forward",
        "softmax_forward", "mlp_forward", "sigmoid_from_softmax", "dense_forward_columns"]
    # the going-further checks are optional
    assert [EXERCISES[i].points for i in ("sigmoid_from_softmax", "dense_forward_columns")] \
        == [0, 0]


def test_sigmoid_is_checked_up_to_1e4():
    cases = EXERCISES["sigmoid_forward"].cases(np.random.default_rng(0))
    largest = max(float(np.max(np.abs(c.args[0]))) for c in cases)
    assert largest >= 1e4


def test_a_stub_is_not_attempted():
    def dense_forward(x, W, b):
        raise NotImplementedError()

    assert grade("dense_forward", dense_forward).status == "not attempted"


# --------------------------------------------------------------------------------------
# neuron_forward
# --------------------------------------------------------------------------------------
def neuron_loop(x, w, b, activation):
    z = b
    for xi, wi in zip(x, w):
        z += wi * xi
    return activation(z)


def neuron_sum(x, w, b, activation):
    return activation(np.sum(w * x) + b)


def neuron_matmul(x, w, b, activation):
    return activation(x @ w + b)


def neuron_fsum(x, w, b, activation):
    return float(activation(math.fsum(float(wi * xi) for wi, xi in zip(w, x)) + b))


def neuron_einsum(x, w, b, activation):
    z = np.einsum("i,i->", w, x) + b
    return activation(z)


@pytest.mark.parametrize("fn", [neuron_loop, neuron_sum, neuron_matmul, neuron_fsum,
                                neuron_einsum])
def test_neuron_forward_styles(fn):
    assert_passes("neuron_forward", fn)


# --------------------------------------------------------------------------------------
# dense_forward
# --------------------------------------------------------------------------------------
def dense_dot(x, W, b):
    return np.dot(x, W) + b, (x, W)


def dense_loops(x, W, b):
    n, m = x.shape[0], W.shape[1]
    z = np.zeros((n, m))
    for i in range(n):
        for j in range(m):
            z[i, j] = np.sum(x[i] * W[:, j]) + b[j]
    return z, (x, W)


def dense_einsum(x, W, b):
    return np.einsum("nd,dm->nm", x, W) + b, (x, W)


def dense_column_convention(x, W, b):
    z = (W.T @ x.T + b[:, None]).T
    return z, (x, W)


def dense_explicit_broadcast(x, W, b):
    z = np.matmul(x, W) + b[np.newaxis, :]
    return z, [x, W]


def dense_per_example(x, W, b):
    rows = [row @ W + b for row in x]
    return np.stack(rows), (x, W)


@pytest.mark.parametrize("fn", [dense_dot, dense_loops, dense_einsum, dense_column_convention,
                                dense_explicit_broadcast, dense_per_example])
def test_dense_forward_styles(fn):
    assert_passes("dense_forward", fn)


# --------------------------------------------------------------------------------------
# relu_forward
# --------------------------------------------------------------------------------------
def relu_where(z):
    return np.where(z > 0, z, 0.0), z


def relu_mask(z):
    return z * (z > 0), z


def relu_clip(z):
    return np.clip(z, 0, None), z


def relu_abs(z):
    return (np.abs(z) + z) / 2, z


def relu_copy_then_zero(z):
    a = z.copy()
    a[a < 0] = 0
    return a, z


@pytest.mark.parametrize("fn", [relu_where, relu_mask, relu_clip, relu_abs,
                                relu_copy_then_zero])
def test_relu_forward_styles(fn):
    assert_passes("relu_forward", fn)


# --------------------------------------------------------------------------------------
# sigmoid_forward
# --------------------------------------------------------------------------------------
def sigmoid_two_branches(z):
    e = np.exp(-np.abs(z))
    a = np.where(z >= 0, 1 / (1 + e), e / (1 + e))
    return a, a


def sigmoid_masks(z):
    a = np.empty_like(z)
    pos = z >= 0
    a[pos] = 1 / (1 + np.exp(-z[pos]))
    e = np.exp(z[~pos])
    a[~pos] = e / (1 + e)
    return a, a


def sigmoid_logaddexp(z):
    a = np.exp(-np.logaddexp(0, -z))
    return a, a


def sigmoid_tanh(z):
    a = 0.5 * (1 + np.tanh(z / 2))
    return a, a


def sigmoid_clip_then_textbook(z):
    a = 1 / (1 + np.exp(-np.clip(z, -500, 500)))
    return a, a


@pytest.mark.parametrize("fn", [sigmoid_two_branches, sigmoid_masks, sigmoid_logaddexp,
                                sigmoid_tanh, sigmoid_clip_then_textbook])
def test_sigmoid_forward_styles(fn):
    assert_passes("sigmoid_forward", fn)


def test_the_textbook_sigmoid_fails_on_overflow_with_its_own_hint():
    def sigmoid_forward(z):
        a = 1 / (1 + np.exp(-z))
        return a, a

    r = grade("sigmoid_forward", sigmoid_forward)
    assert r.status == "failed"
    assert r.mistake == "textbook form overflows"
    assert "exp(1000)" in r.hint


# --------------------------------------------------------------------------------------
# softmax_forward
# --------------------------------------------------------------------------------------
def softmax_last_axis(z):
    e = np.exp(z - np.max(z, axis=-1, keepdims=True))
    a = e / np.sum(e, axis=-1, keepdims=True)
    return a, a


def softmax_rows(z):
    a = np.zeros_like(z)
    for i, row in enumerate(z):
        e = np.exp(row - row.max())
        a[i] = e / e.sum()
    return a, a


def softmax_from_log(z):
    m = z.max(axis=1)[:, None]
    log_norm = m + np.log(np.exp(z - m).sum(axis=1))[:, None]
    a = np.exp(z - log_norm)
    return a, a


def softmax_transposed(z):
    zt = z.T
    e = np.exp(zt - zt.max(axis=0))
    a = (e / e.sum(axis=0)).T
    return a, a


@pytest.mark.parametrize("fn", [softmax_last_axis, softmax_rows, softmax_from_log,
                                softmax_transposed])
def test_softmax_forward_styles(fn):
    assert_passes("softmax_forward", fn)


# --------------------------------------------------------------------------------------
# mlp_forward (dense_forward is the reference version while grading)
# --------------------------------------------------------------------------------------
def mlp_loop(x, layers):
    caches = []
    a = x
    for W, b, activation_forward in layers:
        z, dense_cache = dense_forward(a, W, b)  # noqa: F821 - provided by the grader
        a, activation_cache = activation_forward(z)
        caches.append((dense_cache, activation_cache))
    return a, caches


def mlp_indexed(x, layers):
    caches = [None] * len(layers)
    out = x
    for i in range(len(layers)):
        W, b, act = layers[i]
        z, dc = dense_forward(out, W, b)  # noqa: F821
        out, ac = act(z)
        caches[i] = (dc, ac)
    return out, tuple(caches)


def mlp_inline_dense(x, layers):
    caches = []
    a = x
    for W, b, activation_forward in layers:
        z = a @ W + b
        dense_cache = (a, W)
        a, activation_cache = activation_forward(z)
        caches.append((dense_cache, activation_cache))
    return a, caches


@pytest.mark.parametrize("fn", [mlp_loop, mlp_indexed, mlp_inline_dense])
def test_mlp_forward_styles(fn):
    assert_passes("mlp_forward", fn)


NOTEBOOK_CELLS = """
import numpy as np

def dense_forward(x, W, b):   # a wrong version still defined in the notebook
    return x @ W, (x, W)

def mlp_forward(x, layers):
    caches = []
    a = x
    for W, b, activation_forward in layers:
        z, dense_cache = dense_forward(a, W, b)
        a, activation_cache = activation_forward(z)
        caches.append((dense_cache, activation_cache))
    return a, caches
"""


def test_mlp_forward_uses_the_reference_dense_forward_while_grading():
    """mlp_forward is graded with the reference dense_forward in reach, so a bug in the
    learner's own dense_forward (a global of the notebook) does not fail it too."""
    notebook = {"__name__": "__main__"}
    exec(NOTEBOOK_CELLS, notebook)
    assert grade("dense_forward", notebook["dense_forward"]).status == "failed"
    assert_passes("mlp_forward", notebook["mlp_forward"])


def test_mlp_forward_reference_matches_explicit_neurons():
    """The reference mlp_forward against an oracle written neuron by neuron with math."""
    rng = np.random.default_rng(3)
    x = rng.standard_normal((3, 4))
    W1, b1 = rng.standard_normal((4, 5)), rng.standard_normal(5)
    W2, b2 = rng.standard_normal((5, 2)), rng.standard_normal(2)
    out, caches = EXERCISES["mlp_forward"].reference(
        x, [(W1, b1, F.relu_forward), (W2, b2, F.tanh_forward)])
    for n in range(3):
        hidden = [max(sum(x[n, d] * W1[d, j] for d in range(4)) + b1[j], 0.0)
                  for j in range(5)]
        for k in range(2):
            expected = math.tanh(sum(hidden[j] * W2[j, k] for j in range(5)) + b2[k])
            assert out[n, k] == pytest.approx(expected, rel=1e-12, abs=1e-12)
    assert len(caches) == 2
    assert caches[1][0][0].shape == (3, 5)  # the second layer's input is the hidden a


# --------------------------------------------------------------------------------------
# More unusual but correct styles (found by reviewing the course as a learner)
# --------------------------------------------------------------------------------------
def neuron_inner(x, w, b, activation):
    return activation(float(np.inner(w, x)) + b)


def neuron_map(x, w, b, activation):
    return activation(sum(map(lambda pair: pair[0] * pair[1], zip(w, x))) + b)


def dense_loops_list_cache(x, W, b):
    z = np.zeros((x.shape[0], W.shape[1]))
    for n in range(x.shape[0]):
        for j in range(W.shape[1]):
            z[n, j] = np.dot(x[n], W[:, j]) + b[j]
    return z, [x, W]  # a list holding x and W is as good as the tuple


def dense_tensordot(x, W, b):
    return np.tensordot(x, W, axes=1) + b, (x, W)


def relu_fmax(z):
    return np.fmax(z, 0.0), z


def relu_select(z):
    return np.select([z > 0], [z], 0.0), z


def sigmoid_exp_of_min(z):
    # exp(min(z, 0)) / (1 + exp(-|z|)): both forms of the sigmoid in one expression
    a = np.exp(np.minimum(z, 0)) / (1 + np.exp(-np.abs(z)))
    return a, a


def sigmoid_python_loop(z):
    a = np.empty(z.shape)
    for index, value in np.ndenumerate(z):
        if value >= 0:
            a[index] = 1 / (1 + math.exp(-value))
        else:
            e = math.exp(value)
            a[index] = e / (1 + e)
    return a, a


def softmax_newaxis(z):
    e = np.exp(z - np.max(z, axis=1)[:, np.newaxis])
    a = e / np.sum(e, axis=1)[:, np.newaxis]
    return a, a


def softmax_apply_along_axis(z):
    def one_row(row):
        e = np.exp(row - row.max())
        return e / e.sum()

    a = np.apply_along_axis(one_row, 1, z)
    return a, a


def mlp_recursive(x, layers):
    if not layers:
        return x, []
    W, b, activation_forward = layers[0]
    z, dense_cache = dense_forward(x, W, b)  # noqa: F821 - provided by depends
    a, activation_cache = activation_forward(z)
    out, later = mlp_recursive(a, layers[1:])
    return out, [(dense_cache, activation_cache)] + later


def mlp_while_lists(x, layers):
    caches, a, i = [], x, 0
    while i < len(layers):
        W, b, activation_forward = layers[i]
        z, dense_cache = dense_forward(a, W, b)  # noqa: F821 - provided by depends
        a, activation_cache = activation_forward(z)
        caches.append([dense_cache, activation_cache])  # lists for the pairs: fine
        i += 1
    return a, caches


@pytest.mark.parametrize("exercise_id,fn", [
    ("neuron_forward", neuron_inner), ("neuron_forward", neuron_map),
    ("dense_forward", dense_loops_list_cache), ("dense_forward", dense_tensordot),
    ("relu_forward", relu_fmax), ("relu_forward", relu_select),
    ("sigmoid_forward", sigmoid_exp_of_min), ("sigmoid_forward", sigmoid_python_loop),
    ("softmax_forward", softmax_newaxis), ("softmax_forward", softmax_apply_along_axis),
    ("mlp_forward", mlp_recursive), ("mlp_forward", mlp_while_lists)])
def test_more_unusual_styles_pass(exercise_id, fn):
    assert_passes(exercise_id, fn)


def test_softmax_shifted_by_the_minimum_fails_with_its_hint():
    # mathematically right, and right on every row spanning less than ~709: a case whose
    # rows span 2000 catches it
    def softmax_forward(z):
        e = np.exp(z - z.min(axis=1, keepdims=True))
        a = e / e.sum(axis=1, keepdims=True)
        return a, a

    r = grade("softmax_forward", softmax_forward)
    assert (r.status, r.mistake) == ("failed", "shifted by the row minimum")



# --------------------------------------------------------------------------------------
# Optional checks (going further)
# --------------------------------------------------------------------------------------
def sigmoid_from_softmax_column_stack(z):
    pairs = np.column_stack([z, np.zeros(len(z))])
    return F.softmax_forward(pairs)[0][:, 0]


def sigmoid_from_softmax_by_hand(z):
    pairs = np.stack([z, 0 * z], axis=-1)
    e = np.exp(pairs - pairs.max(axis=1, keepdims=True))
    return e[:, 0] / e.sum(axis=1)


def dense_columns_transposed(x_columns, W_t, b):
    return (x_columns.T @ W_t.T + b).T


def dense_columns_einsum(x_columns, W_t, b):
    return np.einsum("md,dn->mn", W_t, x_columns) + b.reshape(-1, 1)


@pytest.mark.parametrize("exercise_id,fn", [
    ("sigmoid_from_softmax", sigmoid_from_softmax_column_stack),
    ("sigmoid_from_softmax", sigmoid_from_softmax_by_hand),
    ("dense_forward_columns", dense_columns_transposed),
    ("dense_forward_columns", dense_columns_einsum)])
def test_optional_exercises_accept_other_styles(exercise_id, fn):
    assert_passes(exercise_id, fn)


def test_the_column_layout_agrees_with_keras_layout():
    from backprop_lab.exercises.nb01_forward import dense_forward_columns, sigmoid_from_softmax

    rng = np.random.default_rng(0)
    x, W, b = rng.standard_normal((5, 3)), rng.standard_normal((3, 2)), rng.standard_normal(2)
    np.testing.assert_allclose(dense_forward_columns(x.T, W.T, b), F.dense_forward(x, W, b)[0].T)
    z = np.linspace(-30, 30, 13)
    np.testing.assert_allclose(sigmoid_from_softmax(z), F.sigmoid_forward(z)[0], rtol=1e-12)


# --------------------------------------------------------------------------------------
# Learners' slips named by their own hint (and nothing else)
# --------------------------------------------------------------------------------------
def _assert_named(exercise_id, fn, mistake):
    r = grade(exercise_id, fn)
    assert (r.status, r.mistake) == ("failed", mistake), r.verdict()
    assert r.hint == next(m.hint for m in EXERCISES[exercise_id].mistakes if m.name == mistake)


def _dense_squeezed_by_learner(x, W, b):
    z = x @ W + b
    return z.squeeze(), (x, W)


def _relu_returns_mask(z):
    a = z > 0
    return a, z


def _softmax_whole_batch_by_learner(z):
    exps = np.exp(z - z.max())
    probabilities = exps / exps.sum()
    return probabilities, probabilities


def _mlp_last_layer_linear_in_the_loop(x, layers):
    caches = []
    a = x
    for i, (W, b, activation_forward) in enumerate(layers):
        z, dense_cache = dense_forward(a, W, b)  # noqa: F821 - put in reach by the check
        if i < len(layers) - 1:
            a, activation_cache = activation_forward(z)
        else:
            a, activation_cache = z, None  # the output layer left without its activation
        caches.append((dense_cache, activation_cache))
    return a, caches


def _mlp_last_layer_after_the_loop(x, layers):
    caches = []
    a = x
    for W, b, activation_forward in layers[:-1]:
        z, dense_cache = dense_forward(a, W, b)  # noqa: F821 - put in reach by the check
        a, activation_cache = activation_forward(z)
        caches.append((dense_cache, activation_cache))
    W, b, _ = layers[-1]
    out, dense_cache = dense_forward(a, W, b)  # noqa: F821
    caches.append((dense_cache, None))
    return out, caches


def _mlp_one_activation(x, layers):
    f = layers[0][2]
    caches = []
    a = x
    for W, b, _ in layers:
        z, dense_cache = dense_forward(a, W, b)  # noqa: F821
        a, activation_cache = f(z)
        caches.append((dense_cache, activation_cache))
    return a, caches


@pytest.mark.parametrize("exercise_id,fn,mistake", [
    ("dense_forward", _dense_squeezed_by_learner, "squeezed z"),
    ("relu_forward", _relu_returns_mask, "returned the mask"),
    ("softmax_forward", _softmax_whole_batch_by_learner, "softmax over the whole batch"),
    ("mlp_forward", _mlp_last_layer_linear_in_the_loop, "last activation skipped"),
    ("mlp_forward", _mlp_last_layer_after_the_loop, "last activation skipped"),
    ("mlp_forward", _mlp_one_activation, "one activation for every layer"),
])
def test_learners_slips_get_their_own_hint(exercise_id, fn, mistake):
    _assert_named(exercise_id, fn, mistake)


def test_one_example_with_one_unit_keeps_its_shape():
    def dense_forward_scalar(x, W, b):
        z = x @ W + b
        return (float(z[0, 0]) if z.shape == (1, 1) else z), (x, W)

    r = grade("dense_forward", dense_forward_scalar)
    assert r.status == "failed" and r.checks_passed == r.checks_total - 1
    assert r.messages == ["one example, one unit: z keeps its shape (1, 1): z: returned a "
                          "single number where an array of shape (1, 1) is expected: keep the "
                          "array as it is (float(...), .item(), an index such as [0, 0] or "
                          "np.squeeze turn it into a number)"]
