"""Exercises of notebook 05_backprop_layers: several correct styles of each function pass
its checks, and mlp_backward (the reference of the assembling exercise, which is not in
backprop_lab.functional) agrees with the autograd package.

(tests/course/test_grading.py already checks that every reference passes and that every
catalogued mistake fails with its own hint.)"""
import autograd
import autograd.numpy as anp
import numpy as np
import pytest

from backprop_lab import functional as F
from backprop_lab.exercises import EXERCISES, by_notebook
from backprop_lab.exercises.nb01_forward import mlp_forward
from backprop_lab.exercises.nb05_backprop import mlp_backward

from exercise_helpers import assert_passes


def test_the_notebook_has_seven_exercises_worth_twelve_points():
    exercises = by_notebook("05_backprop_layers")
    assert [ex.id for ex in exercises] == [
        "dense_backward", "relu_backward", "sigmoid_backward", "tanh_backward",
        "softmax_backward", "softmax_categorical_crossentropy_grad", "mlp_backward"]
    assert sum(ex.points for ex in exercises) == 12


@pytest.mark.parametrize("exercise_id", [
    "dense_backward", "relu_backward", "sigmoid_backward", "tanh_backward",
    "softmax_backward", "softmax_categorical_crossentropy_grad"])
def test_references_are_the_package_functions(exercise_id):
    # the learner writes, line for line, what backprop_lab.functional uses
    assert EXERCISES[exercise_id].reference is getattr(F, exercise_id)


# --------------------------------------------------------------------------------------
# dense_backward
# --------------------------------------------------------------------------------------
def _dense_dot(dz, cache):
    x, W = cache
    return np.dot(dz, W.T), np.dot(x.T, dz), np.sum(dz, axis=0)


def _dense_einsum(dz, cache):
    x, W = cache
    return (np.einsum("nm,dm->nd", dz, W), np.einsum("nd,nm->dm", x, dz),
            np.einsum("nm->m", dz))


def _dense_loops(dz, cache):
    x, W = cache
    dx = np.zeros_like(x)
    dW = np.zeros_like(W)
    db = np.zeros(W.shape[1])
    for n in range(x.shape[0]):
        dx[n] = W @ dz[n]
        dW += np.outer(x[n], dz[n])
        db += dz[n]
    return dx, dW, db


def _dense_transposes(dz, cache):
    x, W = cache
    return (W @ dz.T).T, (dz.T @ x).T, dz.T @ np.ones(dz.shape[0])


@pytest.mark.parametrize("fn", [_dense_dot, _dense_einsum, _dense_loops, _dense_transposes])
def test_dense_backward_correct_styles_pass(fn):
    assert_passes("dense_backward", fn)


# --------------------------------------------------------------------------------------
# Activations
# --------------------------------------------------------------------------------------
def _relu_where(da, cache):
    return np.where(cache > 0, da, 0.0)


def _relu_heaviside(da, cache):
    return da * np.heaviside(cache, 0.0)


def _relu_copy_and_zero(da, cache):
    dz = da.copy()
    dz[cache <= 0] = 0
    return dz


def _relu_sign(da, cache):
    return da * (np.sign(cache) > 0)


@pytest.mark.parametrize("fn", [_relu_where, _relu_heaviside, _relu_copy_and_zero, _relu_sign])
def test_relu_backward_correct_styles_pass(fn):
    assert_passes("relu_backward", fn)


def _sigmoid_expanded(da, cache):
    return da * (cache - cache ** 2)


def _sigmoid_multiply(da, cache):
    return np.multiply(da, np.multiply(cache, 1.0 - cache))


def _sigmoid_two_steps(da, cache):
    a = cache
    local = a * (1 - a)
    return local * da


@pytest.mark.parametrize("fn", [_sigmoid_expanded, _sigmoid_multiply, _sigmoid_two_steps])
def test_sigmoid_backward_correct_styles_pass(fn):
    assert_passes("sigmoid_backward", fn)


def _tanh_square(da, cache):
    return da * (1 - np.square(cache))


def _tanh_distributed(da, cache):
    return da - da * cache * cache


def _tanh_power(da, cache):
    return (1 - cache ** 2) * da


@pytest.mark.parametrize("fn", [_tanh_square, _tanh_distributed, _tanh_power])
def test_tanh_backward_correct_styles_pass(fn):
    assert_passes("tanh_backward", fn)


def _softmax_full_jacobian(da, cache):
    rows = []
    for a_row, da_row in zip(cache, da):
        J = np.diag(a_row) - np.outer(a_row, a_row)
        rows.append(J.T @ da_row)
    return np.array(rows)


def _softmax_einsum(da, cache):
    a = cache
    return a * da - a * np.einsum("nk,nk->n", da, a)[:, None]


def _softmax_batched_jacobian(da, cache):
    a = cache
    K = a.shape[1]
    J = a[:, :, None] * np.eye(K)[None] - a[:, :, None] * a[:, None, :]
    return np.einsum("nkj,nk->nj", J, da)


def _softmax_dot_per_row(da, cache):
    a = cache
    inner = np.sum(da * a, axis=1, keepdims=True)
    return a * (da - inner)


@pytest.mark.parametrize("fn", [_softmax_full_jacobian, _softmax_einsum,
                                _softmax_batched_jacobian, _softmax_dot_per_row])
def test_softmax_backward_correct_styles_pass(fn):
    assert_passes("softmax_backward", fn)


# --------------------------------------------------------------------------------------
# The fused loss gradient
# --------------------------------------------------------------------------------------
def _ce_len(y_true, p):
    return (p - y_true) / len(p)


def _ce_subtract(y_true, p):
    return np.subtract(p, y_true) / p.shape[0]


def _ce_chained_unclipped(y_true, p):
    # dL/dp = -y / (N p) without clipping, then the softmax's Jacobian-vector product:
    # algebraically (p - y) / N, and fine as long as no p is exactly 0
    n = p.shape[0]
    da = np.where(y_true > 0, -y_true / (n * p), 0.0)
    return p * (da - np.sum(da * p, axis=-1, keepdims=True))


@pytest.mark.parametrize("fn", [_ce_len, _ce_subtract, _ce_chained_unclipped])
def test_softmax_categorical_crossentropy_grad_correct_styles_pass(fn):
    assert_passes("softmax_categorical_crossentropy_grad", fn)


# --------------------------------------------------------------------------------------
# mlp_backward
# --------------------------------------------------------------------------------------
def _mlp_zip_reversed(dout, caches, activation_backwards):
    grads = []
    d = dout
    for (dense_cache, activation_cache), backward in zip(caches[::-1],
                                                        activation_backwards[::-1]):
        d, dW, db = dense_backward(backward(d, activation_cache), dense_cache)  # noqa: F821
        grads.insert(0, (dW, db))
    return grads


def _mlp_recursive(dout, caches, activation_backwards):
    if not caches:
        return []
    dense_cache, activation_cache = caches[-1]
    dz = activation_backwards[-1](dout, activation_cache)
    dx, dW, db = F.dense_backward(dz, dense_cache)
    return _mlp_recursive(dx, caches[:-1], activation_backwards[:-1]) + [(dW, db)]


def _mlp_preallocated(dout, caches, activation_backwards):
    grads = [None] * len(caches)
    d = dout
    for layer in range(len(caches) - 1, -1, -1):
        dense_cache, activation_cache = caches[layer]
        x, W = dense_cache
        dz = activation_backwards[layer](d, activation_cache)
        grads[layer] = (x.T @ dz, dz.sum(axis=0))
        d = dz @ W.T
    return grads


@pytest.mark.parametrize("fn", [_mlp_zip_reversed, _mlp_recursive, _mlp_preallocated])
def test_mlp_backward_correct_styles_pass(fn):
    assert_passes("mlp_backward", fn)


_ANP = {F.relu_forward: lambda z: anp.maximum(z, 0.0),
        F.sigmoid_forward: lambda z: 1 / (1 + anp.exp(-z)),
        F.tanh_forward: anp.tanh,
        F.linear_forward: lambda z: z}
_BACKWARD = {F.relu_forward: F.relu_backward, F.sigmoid_forward: F.sigmoid_backward,
             F.tanh_forward: F.tanh_backward, F.linear_forward: F.linear_backward}


def _anp_loss(weights, x, Y, forwards):
    """Softmax cross-entropy of the network's output, written with autograd.numpy only."""
    a = x
    for (W, b), forward in zip(weights, forwards):
        a = _ANP[forward](anp.dot(a, W) + b)
    shifted = a - anp.max(a, axis=1, keepdims=True)
    log_p = shifted - anp.log(anp.sum(anp.exp(shifted), axis=1, keepdims=True))
    return -anp.sum(Y * log_p) / x.shape[0]


@pytest.mark.parametrize("hidden", [F.relu_forward, F.sigmoid_forward, F.tanh_forward])
@pytest.mark.parametrize("sizes", [(3, 2), (3, 5, 2), (4, 6, 5, 3)])
def test_mlp_backward_reference_matches_autograd(hidden, sizes):
    rng = np.random.default_rng(len(sizes) * 10 + sizes[-1])
    x = rng.standard_normal((6, sizes[0]))
    Y = np.eye(sizes[-1])[rng.integers(0, sizes[-1], 6)]
    weights = [(rng.standard_normal((d_in, d_out)), 0.1 * rng.standard_normal(d_out))
               for d_in, d_out in zip(sizes[:-1], sizes[1:])]
    forwards = [hidden] * (len(weights) - 1) + [F.linear_forward]

    logits, caches = mlp_forward(x, [(W, b, f) for (W, b), f in zip(weights, forwards)])
    p = F.softmax_forward(logits)[0]
    grads = mlp_backward(F.softmax_categorical_crossentropy_grad(Y, p), caches,
                         [_BACKWARD[f] for f in forwards])

    expected = autograd.grad(_anp_loss)(weights, x, Y, forwards)
    assert len(grads) == len(weights)
    for (dW, db), (eW, eb), (W, b) in zip(grads, expected, weights):
        assert dW.shape == W.shape and db.shape == b.shape
        np.testing.assert_allclose(dW, eW, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(db, eb, rtol=1e-9, atol=1e-12)


def test_mlp_backward_is_checked_on_the_caches_of_notebook_01():
    # the cases are made by notebook 01's exercise mlp_forward, not by a look-alike
    from backprop_lab.exercises import nb05_backprop

    assert nb05_backprop.mlp_forward is mlp_forward


# --------------------------------------------------------------------------------------
# More unusual but correct styles (found by reviewing the course as a learner)
# --------------------------------------------------------------------------------------
def _dense_matmul_ones(dz, cache):
    x, W = cache
    return np.matmul(dz, np.transpose(W)), np.matmul(x.T, dz), np.ones(len(dz)) @ dz


def _dense_tensordot(dz, cache):
    x, W = cache
    return (np.tensordot(dz, W, axes=([1], [1])), np.tensordot(x, dz, axes=([0], [0])),
            np.add.reduce(dz, axis=0))


def _dense_returns_a_list(dz, cache):
    x, W = cache
    return [dz.dot(W.T), x.T.dot(dz), dz.sum(0)]


def _relu_float_mask(da, cache):
    return da * (cache > 0).astype(float)


def _relu_index_loop(da, cache):
    out = np.zeros_like(da)
    for index in np.ndindex(da.shape):
        if cache[index] > 0:
            out[index] = da[index]
    return out


def _sigmoid_loop(da, cache):
    out = np.empty_like(da)
    for index, a in np.ndenumerate(cache):
        out[index] = da[index] * a * (1 - a)
    return out


def _sigmoid_copy_in_place(da, cache):
    out = da.copy()  # a copy may be changed in place: da itself stays as it was
    out *= cache
    out *= 1 - cache
    return out


def _tanh_factored(da, cache):
    return da * (1 - cache) * (1 + cache)


def _tanh_loop(da, cache):
    return np.array([[g * (1 - a * a) for g, a in zip(g_row, a_row)]
                     for g_row, a_row in zip(da, cache)])


def _softmax_newaxis(da, cache):
    return cache * da - cache * np.sum(cache * da, axis=1)[:, np.newaxis]


def _softmax_row_times_jacobian(da, cache):
    out = np.empty_like(da)
    for n, a in enumerate(cache):
        out[n] = da[n] @ (np.diag(a) - np.outer(a, a))
    return out


def _ce_true_divide(y_true, p):
    return np.true_divide(p - y_true, len(y_true))


def _ce_row_loop(y_true, p):
    grad = np.empty_like(p)
    for n in range(p.shape[0]):
        grad[n] = (p[n] - y_true[n]) / p.shape[0]
    return grad


def _mlp_while_insert_lists(dout, caches, activation_backwards):
    grads, d, layer = [], dout, len(caches) - 1
    while layer >= 0:
        dense_cache, activation_cache = caches[layer]
        dz = activation_backwards[layer](d, activation_cache)
        d, dW, db = dense_backward(dz, dense_cache)  # noqa: F821 - provided by depends
        grads.insert(0, [dW, db])  # lists for the pairs: fine
        layer -= 1
    return grads


def _mlp_returns_a_tuple(dout, caches, activation_backwards):
    grads = [None] * len(caches)
    d = dout
    for layer in range(len(caches) - 1, -1, -1):
        dense_cache, activation_cache = caches[layer]
        d, *pair = dense_backward(  # noqa: F821 - provided by depends
            activation_backwards[layer](d, activation_cache), dense_cache)
        grads[layer] = tuple(pair)
    return tuple(grads)


@pytest.mark.parametrize("exercise_id,fn", [
    ("dense_backward", _dense_matmul_ones), ("dense_backward", _dense_tensordot),
    ("dense_backward", _dense_returns_a_list),
    ("relu_backward", _relu_float_mask), ("relu_backward", _relu_index_loop),
    ("sigmoid_backward", _sigmoid_loop), ("sigmoid_backward", _sigmoid_copy_in_place),
    ("tanh_backward", _tanh_factored), ("tanh_backward", _tanh_loop),
    ("softmax_backward", _softmax_newaxis), ("softmax_backward", _softmax_row_times_jacobian),
    ("softmax_categorical_crossentropy_grad", _ce_true_divide),
    ("softmax_categorical_crossentropy_grad", _ce_row_loop),
    ("mlp_backward", _mlp_while_insert_lists), ("mlp_backward", _mlp_returns_a_tuple)])
def test_more_unusual_styles_pass(exercise_id, fn):
    assert_passes(exercise_id, fn)
