"""Exercises of notebook 06_gradient_descent: several correct ways of writing each function
pass its checks, and the references agree with independent computations.

(tests/course/test_grading.py already checks, for every exercise, that the reference passes and
that each catalogued mistake fails with its own hint.)
"""
import numpy as np
import pytest

from backprop_lab import functional as F
from backprop_lab.exercises import by_notebook
from backprop_lab.exercises.nb06_descent import gradient_descent, minibatch_indices
from backprop_lab.grading import grade

from exercise_helpers import assert_passes


def test_notebook_has_its_four_exercises():
    ids = [ex.id for ex in by_notebook("06_gradient_descent")]
    # the notebook's order, which the scoreboard follows
    assert ids == ["sgd_update", "gradient_descent", "minibatch_indices", "sgd_momentum_update"]


# --------------------------------------------------------------------------------------
# sgd_update
# --------------------------------------------------------------------------------------
def _sgd_np_subtract(w, dw, learning_rate):
    return np.subtract(w, np.multiply(learning_rate, dw))


def _sgd_add_negative(w, dw, learning_rate):
    step = -learning_rate * dw
    return w + step


def _sgd_copy_then_in_place(w, dw, learning_rate):
    w_new = np.array(w, copy=True)
    w_new -= learning_rate * dw
    return w_new if np.ndim(w) else float(w_new)


def _sgd_loop(w, dw, learning_rate):
    if np.ndim(w) == 0:
        return w - learning_rate * dw
    w_new = np.empty_like(w)
    for index in np.ndindex(w.shape):
        w_new[index] = w[index] - learning_rate * dw[index]
    return w_new


@pytest.mark.parametrize("fn", [_sgd_np_subtract, _sgd_add_negative, _sgd_copy_then_in_place,
                                _sgd_loop])
def test_sgd_update_styles_pass(fn):
    assert_passes("sgd_update", fn)


# --------------------------------------------------------------------------------------
# sgd_momentum_update
# --------------------------------------------------------------------------------------
def _momentum_expanded(w, dw, velocity, learning_rate, momentum, nesterov=False):
    velocity_new = momentum * velocity - learning_rate * dw
    if nesterov:
        # the same look-ahead written out: w + m * (m v - lr g) - lr g
        return w + momentum * momentum * velocity - (1 + momentum) * learning_rate * dw, \
            velocity_new
    return w + momentum * velocity - learning_rate * dw, velocity_new


def _momentum_copies(w, dw, velocity, learning_rate, momentum, nesterov=False):
    velocity_new = velocity.copy()
    velocity_new *= momentum
    velocity_new -= learning_rate * dw
    w_new = w.copy()
    w_new += velocity_new
    if nesterov:
        w_new += (momentum - 1) * velocity_new - learning_rate * dw
    return w_new, velocity_new


def _momentum_loop(w, dw, velocity, learning_rate, momentum, nesterov=False):
    w_new, velocity_new = np.empty_like(w), np.empty_like(velocity)
    for i in np.ndindex(w.shape):
        velocity_new[i] = momentum * velocity[i] - learning_rate * dw[i]
        step = momentum * velocity_new[i] - learning_rate * dw[i] if nesterov else velocity_new[i]
        w_new[i] = w[i] + step
    return w_new, velocity_new


def _momentum_from_torch_form(w, dw, velocity, learning_rate, momentum, nesterov=False):
    # PyTorch keeps buf = -velocity / lr; converting back and forth gives the same steps.
    buf = -velocity / learning_rate if learning_rate else np.zeros_like(velocity)
    buf = momentum * buf + dw
    step = momentum * buf + dw if nesterov else buf
    return w - learning_rate * step, -learning_rate * buf


@pytest.mark.parametrize("fn", [_momentum_expanded, _momentum_copies, _momentum_loop,
                                _momentum_from_torch_form])
def test_sgd_momentum_update_styles_pass(fn):
    assert_passes("sgd_momentum_update", fn)


def test_momentum_and_torch_form_trace_the_same_path():
    """Keras's velocity is -lr times PyTorch's buffer: the weights follow the same path."""
    A = np.diag([1.0, 10.0])
    w_keras = w_torch = np.array([2.0, -1.0])
    velocity = np.zeros(2)
    buf = np.zeros(2)
    lr, m = 0.05, 0.9
    for _ in range(25):
        w_keras, velocity = F.sgd_momentum_update(w_keras, A @ w_keras, velocity, lr, m)
        buf = m * buf + A @ w_torch
        w_torch = w_torch - lr * buf
    np.testing.assert_allclose(w_keras, w_torch, rtol=1e-12, atol=1e-14)


# --------------------------------------------------------------------------------------
# minibatch_indices
# --------------------------------------------------------------------------------------
def _batches_while_loop(n_samples, batch_size, seed):
    order = np.random.default_rng(seed).permutation(n_samples)
    batches, start = [], 0
    while start < n_samples:
        batches.append(order[start:start + batch_size])
        start += batch_size
    return batches


def _batches_np_split(n_samples, batch_size, seed):
    order = np.random.default_rng(seed).permutation(n_samples)
    return np.split(order, np.arange(batch_size, n_samples, batch_size))


def _batches_shuffle_arange(n_samples, batch_size, seed):
    indices = np.arange(n_samples)
    np.random.default_rng(seed).shuffle(indices)
    n_batches = -(-n_samples // batch_size)
    return [indices[k * batch_size:min((k + 1) * batch_size, n_samples)]
            for k in range(n_batches)]


def _batches_from_generator(n_samples, batch_size, seed):
    def generate():
        order = np.random.default_rng(seed).permutation(np.arange(n_samples))
        for start in range(0, n_samples, batch_size):
            yield order[start:start + batch_size]
    return list(generate())


@pytest.mark.parametrize("fn", [_batches_while_loop, _batches_np_split,
                                _batches_shuffle_arange, _batches_from_generator])
def test_minibatch_indices_styles_pass(fn):
    assert_passes("minibatch_indices", fn)


@pytest.mark.parametrize("n,b", [(1, 1), (10, 3), (64, 64), (100, 7), (5, 50)])
def test_minibatch_indices_cover_every_sample_once(n, b):
    batches = minibatch_indices(n, b, seed=n + b)
    sizes = [len(batch) for batch in batches]
    assert sizes[:-1] == [b] * (len(batches) - 1)
    assert 1 <= sizes[-1] <= b and sum(sizes) == n
    assert sorted(np.concatenate(batches).tolist()) == list(range(n))


def test_minibatch_indices_reproducible_and_seed_dependent():
    a = np.concatenate(minibatch_indices(50, 8, seed=3))
    b = np.concatenate(minibatch_indices(50, 8, seed=3))
    c = np.concatenate(minibatch_indices(50, 8, seed=4))
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_minibatch_verdicts_explain_structure():
    def returns_generator(n_samples, batch_size, seed):
        order = np.random.default_rng(seed).permutation(n_samples)
        return (order[s:s + batch_size] for s in range(0, n_samples, batch_size))

    def other_shuffle(n_samples, batch_size, seed):
        order = np.random.default_rng(seed).choice(n_samples, n_samples, replace=False)
        return [order[s:s + batch_size] for s in range(0, n_samples, batch_size)]

    r = grade("minibatch_indices", returns_generator)
    assert r.status == "failed" and "generator" in r.messages[0]
    r = grade("minibatch_indices", other_shuffle)
    assert r.status == "failed" and "permutation" in r.messages[0]


# --------------------------------------------------------------------------------------
# gradient_descent
# --------------------------------------------------------------------------------------
def _descent_preallocated(grad, w0, learning_rate, steps):
    path = np.zeros((steps + 1, len(w0)))
    path[0] = w0
    for t in range(steps):
        path[t + 1] = path[t] - learning_rate * grad(path[t])
    return path


def _descent_with_sgd_update(grad, w0, learning_rate, steps):
    w = w0.copy()
    path = [w.copy()]
    for _ in range(steps):
        w = sgd_update(w, grad(w), learning_rate)  # noqa: F821 - provided by depends
        path.append(w.copy())
    return np.stack(path)


def _descent_in_place_with_copies(grad, w0, learning_rate, steps):
    w = np.array(w0, dtype=float)
    path = [w.copy()]
    for _ in range(steps):
        w -= learning_rate * grad(w)
        path.append(w.copy())
    return np.array(path)


def _descent_recursive(grad, w0, learning_rate, steps):
    if steps == 0:
        return np.array([w0], dtype=float)
    earlier = _descent_recursive(grad, w0, learning_rate, steps - 1)
    last = earlier[-1]
    return np.vstack([earlier, last - learning_rate * grad(last)])


@pytest.mark.parametrize("fn", [_descent_preallocated, _descent_with_sgd_update,
                                _descent_in_place_with_copies, _descent_recursive])
def test_gradient_descent_styles_pass(fn):
    assert_passes("gradient_descent", fn)


def test_gradient_descent_matches_closed_form_on_a_quadratic():
    """On L = a/2 (w - c)^2 the error shrinks by exactly (1 - eta a) per step."""
    a, c, eta = 4.0, 1.5, 0.1
    path = gradient_descent(lambda w: a * (w - c), np.array([-2.0]), eta, 12)
    expected = c + (-2.0 - c) * (1 - eta * a) ** np.arange(13)
    np.testing.assert_allclose(path[:, 0], expected, rtol=1e-12)


def test_gradient_descent_stability_limit():
    """Below 2/lambda_max the path converges; above it, it grows (an independent fact)."""
    A = np.array([[3.0, 1.0], [1.0, 2.0]])
    top = np.linalg.eigvalsh(A).max()
    inside = gradient_descent(lambda w: A @ w, np.array([1.0, 1.0]), 1.9 / top, 300)
    outside = gradient_descent(lambda w: A @ w, np.array([1.0, 1.0]), 2.1 / top, 300)
    assert np.linalg.norm(inside[-1]) < 1e-6
    assert np.linalg.norm(outside[-1]) > 1e3


def test_gradient_descent_leaves_w0_alone():
    w0 = np.array([1.0, -1.0])
    gradient_descent(lambda w: 2 * w, w0, 0.1, 3)
    assert np.array_equal(w0, [1.0, -1.0])


# --------------------------------------------------------------------------------------
# More unusual but correct styles (found by reviewing the course as a learner)
# --------------------------------------------------------------------------------------
def _sgd_plus_negative(w, dw, learning_rate):
    return w + (-learning_rate) * dw


def _sgd_multiply_subtract(w, dw, learning_rate):
    return np.subtract(w, np.multiply(learning_rate, dw))


def _momentum_sutskever(w, dw, velocity, learning_rate, momentum, nesterov=False):
    # Nesterov's step written with both velocities: w + v_new + momentum * (v_new - v)
    velocity_new = -(learning_rate * dw - momentum * velocity)
    if nesterov:
        return w + velocity_new + momentum * (velocity_new - velocity), velocity_new
    return w + velocity_new, velocity_new


def _momentum_returns_a_list(w, dw, velocity, learning_rate, momentum, nesterov=False):
    velocity_new = velocity * momentum - dw * learning_rate
    step = momentum * velocity_new - learning_rate * dw if nesterov else velocity_new
    return [w + step, velocity_new]


def _batches_arange_starts(n_samples, batch_size, seed):
    order = np.random.default_rng(seed).permutation(n_samples)
    return [order[start:start + batch_size] for start in np.arange(0, n_samples, batch_size)]


def _batches_tuple(n_samples, batch_size, seed):
    order = np.random.default_rng(seed).permutation(n_samples)
    return tuple(order[start:start + batch_size] for start in range(0, n_samples, batch_size))


def _descent_vstack(grad, w0, learning_rate, steps):
    path = np.array([w0], dtype=float)
    for _ in range(steps):
        path = np.vstack([path, path[-1] - learning_rate * grad(path[-1])])
    return path


def _descent_no_copy_needed(grad, w0, learning_rate, steps):
    w = w0  # no copy: w = w - ... makes a new array and never writes into w0
    path = [w]
    for _ in range(steps):
        w = w - learning_rate * grad(w)
        path.append(w)
    return np.stack(path)


@pytest.mark.parametrize("exercise_id,fn", [
    ("sgd_update", _sgd_plus_negative), ("sgd_update", _sgd_multiply_subtract),
    ("sgd_momentum_update", _momentum_sutskever),
    ("sgd_momentum_update", _momentum_returns_a_list),
    ("minibatch_indices", _batches_arange_starts), ("minibatch_indices", _batches_tuple),
    ("gradient_descent", _descent_vstack), ("gradient_descent", _descent_no_copy_needed)])
def test_more_unusual_styles_pass(exercise_id, fn):
    assert_passes(exercise_id, fn)


def test_a_generator_gets_its_own_message_and_no_unrelated_hint():
    def minibatch_indices(n_samples, batch_size, seed):
        order = np.random.default_rng(seed).permutation(n_samples)
        for start in range(0, n_samples, batch_size):
            yield order[start:start + batch_size]

    r = grade("minibatch_indices", minibatch_indices)
    assert r.status == "failed" and "generator" in r.messages[0]
    assert r.mistake is None, r.verdict()
