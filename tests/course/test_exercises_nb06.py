"""Exercises of notebook 06_gradient_descent: several correct ways of writing each function
pass its checks, and the references agree with independent computations.

(tests/course/test_grading.py already checks, for every exercise, that the reference passes and
that each catalogued mistake fails with its own hint.)
"""
import numpy as np
import pytest

from backprop_lab import functional as F
from backprop_lab.exercises import EXERCISES, by_notebook
from backprop_lab.exercises.nb06_descent import (
    gradient_descent,
    minibatch_indices,
    momentum_matrix,
    train_two_layer,
)
from backprop_lab.functional import (
    categorical_crossentropy,
    dense_backward,
    dense_forward,
    relu_backward,
    relu_forward,
    sgd_update,
    softmax_categorical_crossentropy_grad,
    softmax_forward,
)
from backprop_lab.grading import grade
from backprop_lab.grading.grader import exercise_cases

from exercise_helpers import assert_passes


def test_notebook_has_its_exercises_in_order():
    ids = [ex.id for ex in by_notebook("06_gradient_descent")]
    # the notebook's order, which the scoreboard follows
    assert ids == ["sgd_update", "gradient_descent", "minibatch_indices", "sgd_momentum_update",
                   "train_two_layer", "momentum_matrix"]
    assert EXERCISES["train_two_layer"].difficulty == 4
    assert EXERCISES["momentum_matrix"].points == 0  # optional: going further


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


# --------------------------------------------------------------------------------------
# train_two_layer: correct loops written in other styles pass
# --------------------------------------------------------------------------------------
def _loop_plain_arrays(params, X_train, Y_train, X_val, Y_val, learning_rate, epochs,
                       batch_size, seed):
    # four variables instead of a dict, the shuffle written out, the update by hand
    W1, b1, W2, b2 = (params[k] for k in ("W1", "b1", "W2", "b2"))
    n = X_train.shape[0]
    losses = []
    for epoch in range(epochs):
        order = np.random.default_rng(seed + epoch).permutation(n)
        epoch_losses = []
        for start in range(0, n, batch_size):
            rows = order[start:start + batch_size]
            x, y = X_train[rows], Y_train[rows]
            h = np.maximum(x @ W1 + b1, 0)
            z = h @ W2 + b2
            e = np.exp(z - z.max(axis=1, keepdims=True))
            p = e / e.sum(axis=1, keepdims=True)
            epoch_losses.append(-np.sum(y * np.log(np.clip(p, 1e-7, 1 - 1e-7))) / len(x))
            dz = (p - y) / len(x)
            dW2, db2 = h.T @ dz, dz.sum(axis=0)
            dh = dz @ W2.T * (h > 0)
            dW1, db1 = x.T @ dh, dh.sum(axis=0)
            W1, b1 = W1 - learning_rate * dW1, b1 - learning_rate * db1
            W2, b2 = W2 - learning_rate * dW2, b2 - learning_rate * db2
        losses.append(sum(epoch_losses) / len(epoch_losses))
    z_val = np.maximum(X_val @ W1 + b1, 0) @ W2 + b2
    accuracy = np.mean(z_val.argmax(axis=1) == Y_val.argmax(axis=1))  # softmax keeps the order
    return {"params": {"W1": W1, "b1": b1, "W2": W2, "b2": b2}, "losses": losses,
            "val_accuracy": accuracy}


def _loop_from_logits(params, X_train, Y_train, X_val, Y_val, learning_rate, epochs,
                      batch_size, seed):
    # the loss from the logits (log-softmax, no clipping), einsum for the backward pass
    p = {k: v.copy() for k, v in params.items()}
    losses = np.zeros(epochs)
    for epoch in range(epochs):
        batches = minibatch_indices(len(X_train), batch_size, seed + epoch)
        for rows in batches:
            x, y = X_train[rows], Y_train[rows]
            z1, cache1 = dense_forward(x, p["W1"], p["b1"])
            a1, cache_relu = relu_forward(z1)
            z2, cache2 = dense_forward(a1, p["W2"], p["b2"])
            shifted = z2 - z2.max(axis=1, keepdims=True)
            log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
            losses[epoch] += -np.sum(y * log_p) / len(x) / len(batches)
            probabilities = softmax_forward(z2)[0]
            dz2 = np.einsum("nk->nk", probabilities - y) / x.shape[0]
            dW2 = np.einsum("nh,nk->hk", a1, dz2)
            dz1 = relu_backward(np.einsum("nk,hk->nh", dz2, p["W2"]), cache_relu)
            dW1 = np.einsum("nd,nh->dh", x, dz1)
            grads = {"W1": dW1, "b1": dz1.sum(axis=0), "W2": dW2, "b2": dz2.sum(axis=0)}
            for name in p:
                p[name] = sgd_update(p[name], grads[name], learning_rate)
    hidden = relu_forward(dense_forward(X_val, p["W1"], p["b1"])[0])[0]
    predicted = np.argmax(dense_forward(hidden, p["W2"], p["b2"])[0], axis=1)
    return {"params": p, "losses": losses,
            "val_accuracy": float((predicted == Y_val.argmax(axis=1)).mean())}


def _forward(p, x):
    z1, cache1 = dense_forward(x, p["W1"], p["b1"])
    a1, relu_cache = relu_forward(z1)
    z2, cache2 = dense_forward(a1, p["W2"], p["b2"])
    return softmax_forward(z2)[0], (cache1, relu_cache, cache2)


def _backward(y, probabilities, caches):
    cache1, relu_cache, cache2 = caches
    da1, dW2, db2 = dense_backward(softmax_categorical_crossentropy_grad(y, probabilities),
                                   cache2)
    _, dW1, db1 = dense_backward(relu_backward(da1, relu_cache), cache1)
    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}


def _loop_with_helpers(params, X_train, Y_train, X_val, Y_val, learning_rate, epochs,
                       batch_size, seed):
    # helper functions defined next to the loop (in the notebook, in earlier cells)
    p = dict(params)
    history = []
    for epoch in range(epochs):
        batch_losses = []
        for rows in minibatch_indices(len(X_train), batch_size, seed + epoch):
            probabilities, caches = _forward(p, X_train[rows])
            batch_losses.append(categorical_crossentropy(Y_train[rows], probabilities))
            grads = _backward(Y_train[rows], probabilities, caches)
            p = {name: sgd_update(w, grads[name], learning_rate) for name, w in p.items()}
        history.append(np.mean(batch_losses))
    probabilities, _ = _forward(p, X_val)
    right = np.argmax(probabilities, 1) == np.argmax(Y_val, 1)
    return {"val_accuracy": right.mean(), "losses": np.asarray(history), "params": p}


@pytest.mark.parametrize("fn", [_loop_plain_arrays, _loop_from_logits, _loop_with_helpers])
def test_train_two_layer_styles_pass(fn):
    assert_passes("train_two_layer", fn)


def test_train_two_layer_reference_learns_the_learnable_case():
    """The stated behaviour: on the learnable case the loss falls and the held-out
    accuracy reaches the stated 0.9."""
    ex = EXERCISES["train_two_layer"]
    (case,) = [c for c in exercise_cases(ex) if c.name.startswith("learnable")]
    result = train_two_layer(*case.args, **case.kwargs)
    assert result["losses"][-1] < 0.25 * result["losses"][0]
    assert np.all(np.diff(result["losses"]) < 0)
    assert result["val_accuracy"] >= 0.9


def test_train_two_layer_leaves_params_alone_and_is_deterministic():
    ex = EXERCISES["train_two_layer"]
    case = exercise_cases(ex)[1]
    params = case.args[0]
    saved = {k: v.copy() for k, v in params.items()}
    first = train_two_layer(*case.args, **case.kwargs)
    again = train_two_layer(*case.args, **case.kwargs)
    assert all(np.array_equal(params[k], saved[k]) for k in saved)
    assert first["params"] is not params
    np.testing.assert_array_equal(first["losses"], again["losses"])


def test_train_two_layer_matches_a_hand_written_float64_step():
    """One full batch, one epoch: the weights after one step of the hand-written gradient."""
    rng = np.random.default_rng(7)
    x = rng.standard_normal((5, 3))
    y = np.eye(2)[[0, 1, 1, 0, 1]]
    params = {"W1": rng.standard_normal((3, 4)), "b1": rng.standard_normal(4),
              "W2": rng.standard_normal((4, 2)), "b2": rng.standard_normal(2)}
    result = train_two_layer(params, x, y, x, y, learning_rate=0.5, epochs=1, batch_size=5,
                             seed=0)
    h = np.maximum(x @ params["W1"] + params["b1"], 0)
    z = h @ params["W2"] + params["b2"]
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    g = (p - y) / 5
    gh = g @ params["W2"].T * (x @ params["W1"] + params["b1"] > 0)
    np.testing.assert_allclose(result["params"]["W2"], params["W2"] - 0.5 * h.T @ g, rtol=1e-12)
    np.testing.assert_allclose(result["params"]["b1"], params["b1"] - 0.5 * gh.sum(axis=0),
                               rtol=1e-12)
    np.testing.assert_allclose(result["losses"], [-np.mean(np.log(np.sum(p * y, axis=1)))],
                               rtol=1e-12)


def _loop_dict_written_into(params, X_train, Y_train, X_val, Y_val, learning_rate, epochs,
                            batch_size, seed):
    p = params  # not a copy: the caller's dict gets the new arrays
    result = train_two_layer(dict(params), X_train, Y_train, X_val, Y_val, learning_rate,
                             epochs, batch_size, seed)
    p.update(result["params"])
    return result


def _loop_one_seed_for_all_epochs(params, X_train, Y_train, X_val, Y_val, learning_rate,
                                  epochs, batch_size, seed):
    out = train_two_layer(params, X_train, Y_train, X_val, Y_val, learning_rate, 1,
                          batch_size, seed)
    losses = list(out["losses"])
    for _ in range(epochs - 1):
        out = train_two_layer(out["params"], X_train, Y_train, X_val, Y_val, learning_rate, 1,
                              batch_size, seed)
        losses += list(out["losses"])
    out["losses"] = np.array(losses)
    return out


def _loop_tuple(params, X_train, Y_train, X_val, Y_val, learning_rate, epochs, batch_size,
                seed):
    out = train_two_layer(params, X_train, Y_train, X_val, Y_val, learning_rate, epochs,
                          batch_size, seed)
    return out["params"], out["losses"], out["val_accuracy"]


def test_typical_wrong_loops_get_the_right_hint():
    r = grade("train_two_layer", _loop_dict_written_into)
    assert (r.status, r.mistake) == ("failed", "changed params in place"), r.verdict()
    r = grade("train_two_layer", _loop_one_seed_for_all_epochs)
    assert (r.status, r.mistake) == ("failed", "the same order every epoch"), r.verdict()


def test_train_two_layer_verdicts_explain_the_shape():
    r = grade("train_two_layer", _loop_tuple)
    assert r.status == "failed" and r.mistake is None
    assert "return a dict with the keys 'params', 'losses' and 'val_accuracy'" in r.messages[0]

    def no_losses(*args, **kwargs):
        out = train_two_layer(*args, **kwargs)
        out["losses"] = out["losses"][:-1]
        return out

    r = grade("train_two_layer", no_losses)
    assert "one per epoch" in r.messages[0]


def test_a_slow_loop_runs_out_of_time(monkeypatch):
    import time

    def slow(*args, **kwargs):
        time.sleep(10)

    monkeypatch.setattr(EXERCISES["train_two_layer"], "time_limit", 0.2)
    r = grade("train_two_layer", slow)
    assert r.status == "failed" and "took longer than 0.2 s" in r.messages[0]


# --------------------------------------------------------------------------------------
# momentum_matrix (optional)
# --------------------------------------------------------------------------------------
def _momentum_matrix_built(learning_rate, curvature, momentum):
    M = np.zeros((2, 2))
    M[0] = [1 - learning_rate * curvature + momentum, -momentum]
    M[1, 0] = 1
    return M


def test_momentum_matrix_styles_pass():
    assert_passes("momentum_matrix", _momentum_matrix_built)


def test_momentum_matrix_predicts_the_descent_and_its_limit():
    """The matrix reproduces sgd_momentum_update's path, and its spectral radius crosses 1
    at eta = 2 (1 + mu) / a."""
    a, mu, eta = 3.0, 0.7, 0.2
    w, velocity, path = np.array([2.0]), np.zeros(1), [2.0]
    for _ in range(6):
        w, velocity = F.sgd_momentum_update(w, a * w, velocity, eta, mu)
        path.append(float(w[0]))
    M = momentum_matrix(eta, a, mu)
    state = np.array([path[1], path[0]])
    for t in range(2, 7):
        state = M @ state
        assert state[0] == pytest.approx(path[t])
    limit = 2 * (1 + mu) / a
    radius = [np.abs(np.linalg.eigvals(momentum_matrix(f * limit, a, mu))).max()
              for f in (0.99, 1.01)]
    assert radius[0] < 1 < radius[1]


# --------------------------------------------------------------------------------------
# Learners' slips named by their own hint (and nothing else)
# --------------------------------------------------------------------------------------
def _assert_named(exercise_id, fn, mistake):
    r = grade(exercise_id, fn)
    assert (r.status, r.mistake) == ("failed", mistake), r.verdict()
    assert r.hint == next(m.hint for m in EXERCISES[exercise_id].mistakes if m.name == mistake)
    return r


def _momentum_look_ahead_by_default(w, dw, velocity, learning_rate, momentum, nesterov=True):
    velocity_new = momentum * velocity - learning_rate * dw
    if nesterov:
        return w + momentum * velocity_new - learning_rate * dw, velocity_new
    return w + velocity_new, velocity_new


def _batches_of_float_indices(n_samples, batch_size, seed):
    order = np.random.default_rng(seed).permutation(n_samples).astype(float)
    return [order[i:i + batch_size] for i in range(0, n_samples, batch_size)]


@pytest.mark.parametrize("exercise_id,fn,mistake", [
    ("sgd_momentum_update", _momentum_look_ahead_by_default, "Nesterov on by default"),
    ("minibatch_indices", _batches_of_float_indices, "float indices"),
])
def test_learners_slips_get_their_own_hint(exercise_id, fn, mistake):
    _assert_named(exercise_id, fn, mistake)


def test_float_indices_are_named_in_the_message():
    r = grade("minibatch_indices", _batches_of_float_indices)
    assert r.messages[0].endswith(
        "batch 0 holds floats (dtype float64) where row indices (integers) are expected: "
        "X[batch] needs integers. np.random.default_rng(seed).permutation(n_samples) gives "
        "integers; keep them, or convert with .astype(int)")
