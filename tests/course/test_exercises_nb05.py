"""Exercises of notebook 05_backprop_layers: several correct styles of each function pass
its checks, typical wrong versions get the right hint, the references that are not in
backprop_lab.functional (mlp_backward, and those of the exercises the learner derives)
agree with the autograd package, and the forward functions the notebook gives are the ones
the checks use.

(tests/course/test_grading.py already checks that every reference passes and that every
catalogued mistake fails with its own hint.)"""
from pathlib import Path

import autograd
import autograd.numpy as anp
import nbformat
import numpy as np
import pytest

from backprop_lab import functional as F
from backprop_lab.exercises import EXERCISES, by_notebook
from backprop_lab.exercises import nb05_backprop as nb05
from backprop_lab.exercises.nb01_forward import mlp_forward
from backprop_lab.exercises.nb05_backprop import mlp_backward
from backprop_lab.grading import grade

from exercise_helpers import assert_passes

NOTEBOOK = Path(__file__).resolve().parents[2] / "solutions" / "05_backprop_layers.ipynb"
DERIVED = ["multiply_backward", "maximum_backward", "leaky_relu_backward", "softplus_backward",
           "dense_l2_backward", "bilinear_backward", "layer_norm_backward", "elu_backward"]


def test_the_notebook_has_seventeen_exercises_worth_thirty_points():
    exercises = by_notebook("05_backprop_layers")
    assert [ex.id for ex in exercises] == [
        "dense_backward", "multiply_backward", "maximum_backward", "relu_backward",
        "sigmoid_backward", "tanh_backward", "leaky_relu_backward", "softplus_backward",
        "softmax_backward", "softmax_categorical_crossentropy_grad", "mlp_backward",
        "dense_l2_backward", "bilinear_backward", "layer_norm_forward", "layer_norm_backward",
        "elu_backward", "sigmoid_squared_error_grad"]
    assert sum(ex.points for ex in exercises) == 30
    # the going-further questions are optional checks
    assert [ex.id for ex in exercises if ex.points == 0] == [
        "elu_backward", "sigmoid_squared_error_grad"]


def test_the_derived_exercises_are_rated_4_or_5():
    rated = {ex_id: EXERCISES[ex_id].difficulty for ex_id in DERIVED}
    assert set(rated.values()) <= {4, 5}
    assert rated["layer_norm_backward"] == 5
    assert len([i for i in DERIVED if EXERCISES[i].points > 0]) >= 7  # and 02's two losses


@pytest.mark.parametrize("exercise_id", [
    "dense_backward", "relu_backward", "sigmoid_backward", "tanh_backward",
    "softmax_backward", "softmax_categorical_crossentropy_grad"])
def test_references_are_the_package_functions(exercise_id):
    # the learner writes, line for line, what backprop_lab.functional uses
    assert EXERCISES[exercise_id].reference is getattr(F, exercise_id)


def test_the_derived_functions_are_not_in_the_package():
    for ex_id in DERIVED + ["layer_norm_forward", "sigmoid_squared_error_grad"]:
        # if the package gains one of them, that function becomes the reference
        assert not hasattr(F, ex_id), f"functional now has {ex_id}: use it as the reference"
        assert EXERCISES[ex_id].reference is getattr(nb05, ex_id)


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


# --------------------------------------------------------------------------------------
# The exercises the learner derives: correct styles
# --------------------------------------------------------------------------------------
def _multiply_loops(dout, cache):
    x, y = cache
    dx, dy = np.empty_like(x), np.empty_like(y)
    for index in np.ndindex(x.shape):
        dx[index] = dout[index] * y[index]
        dy[index] = dout[index] * x[index]
    return dx, dy


def _multiply_np(dout, cache):
    x, y = cache
    return np.multiply(dout, y), np.multiply(x, dout)


def _multiply_einsum_list(dout, cache):
    x, y = cache
    return [np.einsum("nm,nm->nm", dout, y), np.einsum("nm,nm->nm", dout, x)]


def _maximum_where(dout, cache):
    x, y = cache
    dx = np.where(x > y, dout, np.where(x == y, dout / 2, 0.0))
    dy = np.where(y > x, dout, np.where(x == y, dout / 2, 0.0))
    return dx, dy


def _maximum_masks(dout, cache):
    x, y = cache
    tie = (x == y)
    return dout * ((x > y) + 0.5 * tie), dout * ((y > x) + 0.5 * tie)


def _maximum_loops(dout, cache):
    x, y = cache
    dx, dy = np.zeros_like(x), np.zeros_like(y)
    for index in np.ndindex(x.shape):
        if x[index] > y[index]:
            dx[index] = dout[index]
        elif x[index] < y[index]:
            dy[index] = dout[index]
        else:
            dx[index] = dy[index] = dout[index] / 2
    return dx, dy


def _maximum_sign(dout, cache):
    x, y = cache
    share_x = (1 + np.sign(x - y)) / 2  # 1, 1/2 or 0
    return dout * share_x, dout - dout * share_x


def _leaky_where_da(da, cache):
    z, alpha = cache
    return np.where(z > 0, da, alpha * da)


def _leaky_two_masks(da, cache):
    z, alpha = cache
    return da * (z > 0) + alpha * da * (z <= 0)


def _leaky_copy(da, cache):
    z, alpha = cache
    dz = da.copy()
    dz[z <= 0] *= alpha
    return dz


def _leaky_loop(da, cache):
    z, alpha = cache
    out = np.empty_like(da)
    for index, value in np.ndenumerate(z):
        out[index] = da[index] * (1.0 if value > 0 else alpha)
    return out


def _softplus_stable_sigmoid(da, cache):
    z = cache
    e = np.exp(-np.abs(z))
    return da * np.where(z >= 0, 1.0, e) / (1.0 + e)


def _softplus_exp_of_difference(da, cache):
    z = cache
    return da * np.exp(z - np.logaddexp(0.0, z))  # e^z / (1 + e^z), exponent <= 0


def _softplus_from_the_value(da, cache):
    z = cache
    return da * -np.expm1(-np.logaddexp(0.0, z))  # sigmoid(z) = 1 - e^(-softplus(z))


def _softplus_tanh(da, cache):
    return da * 0.5 * (1.0 + np.tanh(cache / 2))


def _l2_written_out(dz, cache, l2):
    x, W = cache
    return dz @ W.T, x.T @ dz + 2 * l2 * W, dz.sum(axis=0)


def _l2_einsum(dz, cache, l2):
    x, W = cache
    return (np.einsum("nm,dm->nd", dz, W), np.einsum("nd,nm->dm", x, dz) + l2 * 2 * W,
            np.einsum("nm->m", dz))


def _l2_calls_dense_backward(dz, cache, l2):
    dx, dW, db = dense_backward(dz, cache)  # noqa: F821 - provided by depends
    return dx, dW + 2 * l2 * cache[1], db


def _bilinear_einsum(dout, cache):
    x, U, V, p, q = cache
    dp, dq = dout * q, dout * p
    return (np.einsum("nm,dm->nd", dp, U) + np.einsum("nm,dm->nd", dq, V),
            np.einsum("nd,nm->dm", x, dp), np.einsum("nd,nm->dm", x, dq))


def _bilinear_recomputed(dout, cache):
    x, U, V, _, _ = cache
    p, q = x @ U, x @ V
    return (dout * q) @ U.T + (dout * p) @ V.T, x.T @ (dout * q), x.T @ (dout * p)


def _bilinear_loops(dout, cache):
    x, U, V, p, q = cache
    dx, dU, dV = np.zeros_like(x), np.zeros_like(U), np.zeros_like(V)
    for n in range(x.shape[0]):
        dp, dq = dout[n] * q[n], dout[n] * p[n]
        dx[n] = U @ dp + V @ dq
        dU += np.outer(x[n], dp)
        dV += np.outer(x[n], dq)
    return dx, dU, dV


def _ln_forward_np_var(x, gamma, beta, eps=1e-5):
    mu = np.mean(x, axis=-1, keepdims=True)
    inv_std = 1 / np.sqrt(np.var(x, axis=-1, keepdims=True) + eps)
    x_hat = (x - mu) * inv_std
    return x_hat * gamma + beta, (x_hat, inv_std, gamma)


def _ln_forward_std(x, gamma, beta, eps=1e-5):
    centred = x - x.mean(axis=1)[:, None]
    inv_std = (centred.std(axis=1) ** 2 + eps)[:, None] ** -0.5
    return gamma * centred * inv_std + beta, [centred * inv_std, inv_std, gamma]


def _ln_forward_rows(x, gamma, beta, eps=1e-5):
    x_hat = np.empty_like(x)
    inv_std = np.empty((x.shape[0], 1))
    for n, row in enumerate(x):
        centred = row - row.sum() / row.size
        inv_std[n, 0] = 1 / np.sqrt(centred @ centred / row.size + eps)
        x_hat[n] = centred * inv_std[n, 0]
    return gamma * x_hat + beta, (x_hat, inv_std, gamma)


def _ln_backward_cs231n(dout, cache):
    # the staged form: through x_hat, the variance and the mean, one node at a time
    x_hat, inv_std, gamma = cache
    D = x_hat.shape[1]
    centred = x_hat / inv_std
    dx_hat = dout * gamma
    dvar = np.sum(dx_hat * centred, axis=1, keepdims=True) * -0.5 * inv_std ** 3
    dmu = -np.sum(dx_hat * inv_std, axis=1, keepdims=True)
    dx = dx_hat * inv_std + dvar * 2 * centred / D + dmu / D
    return dx, np.sum(dout * x_hat, axis=0), np.sum(dout, axis=0)


def _ln_backward_compact(dout, cache):
    # the same with sums: dx = s / D * (D dx_hat - sum dx_hat - x_hat sum(dx_hat x_hat))
    x_hat, inv_std, gamma = cache
    D = x_hat.shape[1]
    g = dout * gamma
    dx = inv_std / D * (D * g - g.sum(axis=1, keepdims=True)
                        - x_hat * (g * x_hat).sum(axis=1, keepdims=True))
    return dx, np.einsum("nd,nd->d", dout, x_hat), np.einsum("nd->d", dout)


def _ln_backward_jacobian_rows(dout, cache):
    # one row at a time with the explicit Jacobian of x_hat: s (I - 1/D - x_hat x_hat^T / D)
    x_hat, inv_std, gamma = cache
    D = x_hat.shape[1]
    dx = np.empty_like(x_hat)
    for n in range(x_hat.shape[0]):
        J = inv_std[n, 0] * (np.eye(D) - 1.0 / D - np.outer(x_hat[n], x_hat[n]) / D)
        dx[n] = (dout[n] * gamma) @ J
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)


def _elu_from_exp(da, cache):
    z, alpha = cache
    return np.where(z > 0, da, da * alpha * np.exp(np.minimum(z, 0)))


def _elu_from_the_output(da, cache):
    z, alpha = cache
    a = np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0)))
    return da * np.where(z > 0, 1.0, a + alpha)  # alpha e^z = a + alpha for z <= 0


def _sse_written_out(y_true, z):
    p = 1 / (1 + np.exp(-z))
    return (p - y_true) * p * (1 - p)


def _sse_chained(y_true, z):
    p = sigmoid_forward(z)[0]  # noqa: F821 - provided by depends
    dp = p - y_true  # dL/dp of the 1/2-sum squared error
    return dp * (p - p * p)


@pytest.mark.parametrize("exercise_id,fn", [
    ("multiply_backward", _multiply_loops), ("multiply_backward", _multiply_np),
    ("multiply_backward", _multiply_einsum_list),
    ("maximum_backward", _maximum_where), ("maximum_backward", _maximum_masks),
    ("maximum_backward", _maximum_loops), ("maximum_backward", _maximum_sign),
    ("leaky_relu_backward", _leaky_where_da), ("leaky_relu_backward", _leaky_two_masks),
    ("leaky_relu_backward", _leaky_copy), ("leaky_relu_backward", _leaky_loop),
    ("softplus_backward", _softplus_stable_sigmoid),
    ("softplus_backward", _softplus_exp_of_difference),
    ("softplus_backward", _softplus_from_the_value), ("softplus_backward", _softplus_tanh),
    ("dense_l2_backward", _l2_written_out), ("dense_l2_backward", _l2_einsum),
    ("dense_l2_backward", _l2_calls_dense_backward),
    ("bilinear_backward", _bilinear_einsum), ("bilinear_backward", _bilinear_recomputed),
    ("bilinear_backward", _bilinear_loops),
    ("layer_norm_forward", _ln_forward_np_var), ("layer_norm_forward", _ln_forward_std),
    ("layer_norm_forward", _ln_forward_rows),
    ("layer_norm_backward", _ln_backward_cs231n), ("layer_norm_backward", _ln_backward_compact),
    ("layer_norm_backward", _ln_backward_jacobian_rows),
    ("elu_backward", _elu_from_exp), ("elu_backward", _elu_from_the_output),
    ("sigmoid_squared_error_grad", _sse_written_out),
    ("sigmoid_squared_error_grad", _sse_chained)])
def test_derived_exercises_correct_styles_pass(exercise_id, fn):
    assert_passes(exercise_id, fn)


# --------------------------------------------------------------------------------------
# Typical wrong versions, written differently from the catalogue, get the right hint
# --------------------------------------------------------------------------------------
def _wrong_multiply_loop_not_swapped(dout, cache):
    x, y = cache
    dx, dy = np.empty_like(x), np.empty_like(y)
    for index in np.ndindex(x.shape):
        dx[index], dy[index] = dout[index] * x[index], dout[index] * y[index]
    return dx, dy


def _wrong_maximum_where_ge(dout, cache):
    x, y = cache
    return np.where(x >= y, dout, 0.0), np.where(y >= x, dout, 0.0)


def _wrong_maximum_tensorflow(dout, cache):
    x, y = cache
    x_wins = x >= y
    return dout * x_wins, dout * ~x_wins


def _wrong_leaky_where_ge(da, cache):
    z, alpha = cache
    return np.where(z >= 0, da, alpha * da)


def _wrong_leaky_relu_only(da, cache):
    z, _ = cache
    return np.where(z > 0, da, 0.0)


def _wrong_leaky_default_alpha(da, cache, alpha=0.01):
    z, _ = cache
    return np.where(z > 0, da, alpha * da)


def _wrong_softplus_naive(da, cache):
    return da * np.exp(cache) / (np.exp(cache) + 1)


def _wrong_l2_half_convention(dz, cache, l2):
    x, W = cache
    return dz @ W.T, x.T @ dz + l2 * W, dz.sum(axis=0)


def _wrong_bilinear_single_path(dout, cache):
    x, U, V, p, q = cache
    return (dout * q) @ U.T, x.T @ (dout * q), x.T @ (dout * p)


def _wrong_ln_forward_ddof(x, gamma, beta, eps=1e-5):
    mu = x.mean(axis=1, keepdims=True)
    inv_std = 1 / np.sqrt(x.var(axis=1, ddof=1, keepdims=True) + eps)
    x_hat = (x - mu) * inv_std
    return gamma * x_hat + beta, (x_hat, inv_std, gamma)


def _wrong_ln_forward_batch_norm(x, gamma, beta, eps=1e-5):
    mu = x.mean(axis=0)
    inv_std = 1 / np.sqrt(x.var(axis=0, keepdims=True) + eps)
    x_hat = (x - mu) * inv_std
    return gamma * x_hat + beta, (x_hat, inv_std, gamma)


def _wrong_ln_forward_std_plus_eps(x, gamma, beta, eps=1e-5):
    mu = x.mean(axis=1, keepdims=True)
    inv_std = 1 / (x.std(axis=1, keepdims=True) + eps)
    x_hat = (x - mu) * inv_std
    return gamma * x_hat + beta, (x_hat, inv_std, gamma)


def _wrong_ln_backward_no_mean(dout, cache):
    x_hat, inv_std, gamma = cache
    g = dout * gamma
    D = x_hat.shape[1]
    dx = inv_std * (g - x_hat * np.sum(g * x_hat, axis=1, keepdims=True) / D)
    return dx, np.sum(dout * x_hat, axis=0), np.sum(dout, axis=0)


def _wrong_ln_backward_batch_means(dout, cache):
    x_hat, inv_std, gamma = cache
    g = dout * gamma
    dx = inv_std * (g - np.mean(g, axis=0, keepdims=True)
                    - x_hat * np.mean(g * x_hat, axis=0, keepdims=True))
    return dx, np.sum(dout * x_hat, axis=0), np.sum(dout, axis=0)


def _wrong_ln_backward_constants(dout, cache):
    x_hat, inv_std, gamma = cache
    return gamma * dout * inv_std, (dout * x_hat).sum(0), dout.sum(0)


@pytest.mark.parametrize("exercise_id,fn,mistake", [
    ("multiply_backward", _wrong_multiply_loop_not_swapped, "not swapped"),
    ("maximum_backward", _wrong_maximum_where_ge, "ties counted twice"),
    ("maximum_backward", _wrong_maximum_tensorflow, "ties all to x"),
    ("leaky_relu_backward", _wrong_leaky_where_ge, "mask z >= 0"),
    ("leaky_relu_backward", _wrong_leaky_relu_only, "forgot alpha"),
    ("leaky_relu_backward", _wrong_leaky_default_alpha, "alpha fixed at 0.01"),
    ("softplus_backward", _wrong_softplus_naive, "e^z / (1 + e^z) overflows"),
    ("dense_l2_backward", _wrong_l2_half_convention, "forgot the factor 2"),
    ("bilinear_backward", _wrong_bilinear_single_path, "dx from one path only"),
    ("layer_norm_forward", _wrong_ln_forward_ddof, "variance with D - 1"),
    ("layer_norm_forward", _wrong_ln_forward_batch_norm, "normalised over the batch axis"),
    ("layer_norm_forward", _wrong_ln_forward_std_plus_eps, "epsilon outside the square root"),
    ("layer_norm_backward", _wrong_ln_backward_no_mean, "forgot the mean term"),
    ("layer_norm_backward", _wrong_ln_backward_batch_means, "normalised over the batch axis"),
    ("layer_norm_backward", _wrong_ln_backward_constants,
     "mean and variance taken as constants")])
def test_derived_exercises_typical_wrong_versions_get_their_hint(exercise_id, fn, mistake):
    result = grade(exercise_id, fn)
    assert result.status == "failed"
    assert result.mistake == mistake, result.verdict()
    hint_text = next(m.hint for m in EXERCISES[exercise_id].mistakes if m.name == mistake)
    assert hint_text in result.verdict()


def test_the_max_gate_passes_no_gradient_to_a_loser_and_splits_ties():
    dx, dy = nb05.maximum_backward(np.array([4.0, 4.0, 4.0]),
                                   (np.array([1.0, 2.0, 3.0]), np.array([2.0, 2.0, 1.0])))
    np.testing.assert_array_equal(dx, [0.0, 2.0, 4.0])
    np.testing.assert_array_equal(dy, [4.0, 2.0, 0.0])


def test_softplus_backward_raises_no_overflow_for_huge_inputs():
    with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
        dz = nb05.softplus_backward(np.ones(4), np.array([-1000.0, -710.0, 710.0, 1000.0]))
    np.testing.assert_allclose(dz, [0.0, 0.0, 1.0, 1.0], atol=1e-300)


# --------------------------------------------------------------------------------------
# The references against autograd (written again here in autograd.numpy)
# --------------------------------------------------------------------------------------
def _vjp(fn, dout, *inputs):
    """Gradients of sum(dout * fn(*inputs)) with respect to every input, by autograd."""
    def scalar(*args):
        return anp.sum(dout * fn(*args))

    return tuple(autograd.grad(scalar, i)(*inputs) for i in range(len(inputs)))


def _ag_layer_norm(x, gamma, beta, eps=1e-5):
    mu = anp.mean(x, axis=1, keepdims=True)
    var = anp.mean((x - mu) ** 2, axis=1, keepdims=True)
    return gamma * (x - mu) / anp.sqrt(var + eps) + beta


def _close(got, expected):
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g, e, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_derived_references_match_autograd(seed):
    rng = np.random.default_rng(seed)
    x, y = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    x[0, 0] = y[0, 0]  # a tie: autograd splits it evenly too
    d = rng.standard_normal((4, 3))

    _close(nb05.multiply_backward(d, nb05.multiply_forward(x, y)[1]),
           _vjp(lambda a, b: a * b, d, x, y))
    _close(nb05.maximum_backward(d, nb05.maximum_forward(x, y)[1]),
           _vjp(anp.maximum, d, x, y))
    for alpha in (0.01, 0.3):
        _close([nb05.leaky_relu_backward(d, nb05.leaky_relu_forward(x, alpha)[1])],
               _vjp(lambda z, a=alpha: anp.where(z > 0, z, a * z), d, x))
        _close([nb05.elu_backward(d, nb05.elu_forward(x, alpha)[1])],
               _vjp(lambda z, a=alpha: anp.where(z > 0, z, a * (anp.exp(z) - 1)), d, x))
    _close([nb05.softplus_backward(d, nb05.softplus_forward(x)[1])],
           _vjp(lambda z: anp.logaddexp(0.0, z), d, x))

    _close([nb05.sigmoid_squared_error_grad(y, x)],
           [autograd.grad(lambda z: 0.5 * anp.sum((y - 1 / (1 + anp.exp(-z))) ** 2))(x)])

    W, b = rng.standard_normal((3, 2)), rng.standard_normal(2)
    dz = rng.standard_normal((4, 2))
    _close(nb05.dense_l2_backward(dz, (x, W), 0.3),
           [autograd.grad(lambda *p: anp.sum(dz * (anp.dot(p[0], p[1]) + p[2]))
                          + 0.3 * anp.sum(p[1] ** 2), i)(x, W, b) for i in range(3)])

    U, V = rng.standard_normal((3, 5)), rng.standard_normal((3, 5))
    d5 = rng.standard_normal((4, 5))
    _close(nb05.bilinear_backward(d5, nb05.bilinear_forward(x, U, V)[1]),
           _vjp(lambda a, u, v: anp.dot(a, u) * anp.dot(a, v), d5, x, U, V))

    gamma, beta = rng.standard_normal(3), rng.standard_normal(3)
    out, cache = nb05.layer_norm_forward(x, gamma, beta)
    np.testing.assert_allclose(out, _ag_layer_norm(x, gamma, beta), rtol=1e-12)
    _close(nb05.layer_norm_backward(d, cache), _vjp(_ag_layer_norm, d, x, gamma, beta))


# --------------------------------------------------------------------------------------
# The notebook gives the forward functions the checks use
# --------------------------------------------------------------------------------------
GIVEN_IN_THE_NOTEBOOK = {
    "multiply-forward": ("multiply_forward",), "max-forward": ("maximum_forward",),
    "leaky-forward": ("leaky_relu_forward",), "softplus-forward": ("softplus_forward",),
    "bilinear-forward": ("bilinear_forward",),
    "elu-forward": ("elu_forward",),
}


def _notebook_functions():
    nb = nbformat.read(str(NOTEBOOK), as_version=4)
    cells = {c.id: c.source for c in nb.cells}
    found = {}
    for cell_id, names in GIVEN_IN_THE_NOTEBOOK.items():
        namespace = {"np": np, "F": F,
                     "rng_derive": np.random.default_rng(0)}  # some cells also draw inputs
        exec(compile(cells[cell_id], cell_id, "exec"), namespace)
        found.update({n: namespace[n] for n in names})
    return found


def test_the_notebooks_forward_functions_are_the_checks_ones():
    given = _notebook_functions()
    rng = np.random.default_rng(7)
    x, y = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    x[0, :2] = 0.0
    U, V = rng.standard_normal((4, 2)), rng.standard_normal((4, 2))
    calls = {
        "multiply_forward": (x, y), "maximum_forward": (x, y), "leaky_relu_forward": (x,),
        "softplus_forward": (x,), "bilinear_forward": (x, U, V),
        "elu_forward": (x,),
    }
    for name, args in calls.items():
        ours, theirs = given[name](*args), getattr(nb05, name)(*args)
        if isinstance(ours, tuple):
            np.testing.assert_array_equal(ours[0], theirs[0])
            for a, b in zip(ours[1], theirs[1]):
                np.testing.assert_array_equal(a, b)
        else:
            assert ours == theirs, name


# --------------------------------------------------------------------------------------
# Learners' slips named by their own hint (and nothing else)
# --------------------------------------------------------------------------------------
def _assert_named(exercise_id, fn, mistake):
    r = grade(exercise_id, fn)
    assert (r.status, r.mistake) == ("failed", mistake), r.verdict()
    assert r.hint == next(m.hint for m in EXERCISES[exercise_id].mistakes if m.name == mistake)
    return r


def _relu_zeroes_da(da, cache):
    z = cache
    da[z <= 0] = 0
    return da


def _sigmoid_forgets_one_minus(da, cache):
    s = cache
    return da * s


def _sigmoid_times_equals(da, cache):
    da *= cache * (1 - cache)
    return da


def _tanh_with_the_sigmoid_rule(da, cache):
    a = cache
    return da * a * (1 - a)


def _mlp_backward_skips_layer_0(dout, caches, activation_backwards):
    grads = []
    d = dout
    for i in range(len(caches) - 1, 0, -1):
        dense_cache, activation_cache = caches[i]
        d, dW, db = dense_backward(activation_backwards[i](d, activation_cache),  # noqa: F821
                                   dense_cache)
        grads = [(dW, db)] + grads
    return grads


def _mlp_backward_skips_the_last_layer(dout, caches, activation_backwards):
    grads = []
    d = dout
    for i in reversed(range(len(caches) - 1)):
        dense_cache, activation_cache = caches[i]
        dz = activation_backwards[i](d, activation_cache)
        d, dW, db = dense_backward(dz, dense_cache)  # noqa: F821
        grads.insert(0, (dW, db))
    return grads


def _layer_norm_keras_epsilon(x, gamma, beta, eps=1e-3):
    mu = x.mean(axis=1, keepdims=True)
    inv_std = 1 / np.sqrt(x.var(axis=1, keepdims=True) + eps)
    x_hat = (x - mu) * inv_std
    return gamma * x_hat + beta, (x_hat, inv_std, gamma)


@pytest.mark.parametrize("exercise_id,fn,mistake", [
    ("relu_backward", _relu_zeroes_da, "zeroed da in place"),
    ("sigmoid_backward", _sigmoid_forgets_one_minus, "forgot (1 - a)"),
    ("sigmoid_backward", _sigmoid_times_equals, "multiplied da in place"),
    ("tanh_backward", _tanh_with_the_sigmoid_rule, "the sigmoid's slope"),
    ("mlp_backward", _mlp_backward_skips_layer_0, "first layer skipped"),
    ("mlp_backward", _mlp_backward_skips_the_last_layer, "last layer skipped"),
    ("layer_norm_forward", _layer_norm_keras_epsilon, "default eps = 1e-3 (Keras's)"),
])
def test_learners_slips_get_their_own_hint(exercise_id, fn, mistake):
    _assert_named(exercise_id, fn, mistake)


def test_the_in_place_relu_says_which_input_changed():
    r = _assert_named("relu_backward", _relu_zeroes_da, "zeroed da in place")
    assert "changed its input `da` in place" in r.messages[0]


def test_skipping_the_first_layer_is_not_taken_for_a_return_in_the_loop():
    r = _assert_named("mlp_backward", _mlp_backward_skips_layer_0, "first layer skipped")
    assert "indented inside the loop" not in r.verdict()


def test_dense_backward_keeps_the_shape_of_one_input_and_one_unit():
    def dense_backward_squeezed(dz, cache):
        x, W = cache
        return np.squeeze(dz @ W.T), np.squeeze(x.T @ dz), dz.sum(axis=0)

    r = grade("dense_backward", dense_backward_squeezed)
    assert r.status == "failed"
    assert any("an axis of length 1 is missing" in m for m in r.messages)
