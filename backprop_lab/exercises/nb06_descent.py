"""Exercises of notebook 06_gradient_descent: the update rule, momentum, mini-batches and
a whole descent loop.

    sgd_update(w, dw, learning_rate)                          -> w_new
    sgd_momentum_update(w, dw, velocity, learning_rate, momentum, nesterov=False)
                                                              -> (w_new, velocity_new)
    minibatch_indices(n_samples, batch_size, seed)            -> list of index arrays
    gradient_descent(grad, w0, learning_rate, steps)          -> (steps + 1, P) path

The first two are ``backprop_lab.functional``'s own functions (what ``optimizers.SGD``
runs); the last two are defined here.
"""
import numbers
import types

import numpy as np

from .. import functional as F
from ..grading.spec import Exercise, edge_case, fixed_case, random_case
from ..i18n import _

NOTEBOOK = "06_gradient_descent"


# --------------------------------------------------------------------------------------
# sgd_update
# --------------------------------------------------------------------------------------
def _sgd_update_cases(rng):
    return [
        fixed_case("w = [1, 2, 3], learning rate 0.1", np.array([1.0, 2.0, 3.0]),
                   np.array([0.5, -1.0, 2.0]), 0.1),
        fixed_case("2x3 kernel, learning rate 0.5",
                   np.array([[1.0, -1.0, 0.0], [2.0, 0.5, -3.0]]),
                   np.array([[0.2, 0.4, -0.6], [1.0, -2.0, 0.0]]), 0.5),
        random_case("random 5x3 kernel", rng.standard_normal((5, 3)),
                    rng.standard_normal((5, 3)), 0.01),
        random_case("random bias of 7", rng.standard_normal(7), rng.standard_normal(7), 0.3),
        edge_case("plain numbers (one weight)", 0.5, -4.0, 0.1),
        edge_case("learning rate 0 (no step)", np.array([1.0, -2.0]), np.array([3.0, 4.0]), 0.0),
        edge_case("float32 arrays stay float32", rng.standard_normal((3, 2)).astype(np.float32),
                  rng.standard_normal((3, 2)).astype(np.float32), 0.05),
        edge_case("large gradients", rng.standard_normal(4), 1e6 * rng.standard_normal(4), 1e-3),
    ]


def _sgd_plus(w, dw, learning_rate):
    return w + learning_rate * dw


def _sgd_no_rate(w, dw, learning_rate):
    return w - dw


def _sgd_step_only(w, dw, learning_rate):
    return -learning_rate * dw


def _sgd_in_place(w, dw, learning_rate):
    w -= learning_rate * dw
    return w


def _sgd_float64(w, dw, learning_rate):
    return np.asarray(w, dtype=np.float64) - learning_rate * np.asarray(dw, dtype=np.float64)


def _sgd_list(w, dw, learning_rate):
    return [wi - learning_rate * di for wi, di in zip(np.ravel(w), np.ravel(dw))]


# --------------------------------------------------------------------------------------
# sgd_momentum_update
# --------------------------------------------------------------------------------------
def _momentum_cases(rng):
    shape = (4, 3)
    return [
        fixed_case("first step (velocity 0)", np.array([1.0, -2.0]), np.array([0.5, 1.0]),
                   np.zeros(2), 0.1, 0.9),
        fixed_case("with velocity", np.array([1.0, -2.0]), np.array([0.5, 1.0]),
                   np.array([0.1, -0.2]), 0.1, 0.9),
        fixed_case("the same, with nesterov=False written out", np.array([1.0, -2.0]),
                   np.array([0.5, 1.0]), np.array([0.1, -0.2]), 0.1, 0.9, nesterov=False),
        fixed_case("with velocity, Nesterov", np.array([1.0, -2.0]), np.array([0.5, 1.0]),
                   np.array([0.1, -0.2]), 0.1, 0.9, nesterov=True),
        random_case("random 4x3 kernel, momentum 0.5", rng.standard_normal(shape),
                    rng.standard_normal(shape), 0.3 * rng.standard_normal(shape), 0.05, 0.5),
        random_case("random 4x3 kernel, Nesterov", rng.standard_normal(shape),
                    rng.standard_normal(shape), 0.3 * rng.standard_normal(shape), 0.2, 0.8,
                    nesterov=True),
        edge_case("momentum 0 (plain SGD)", np.array([3.0, -1.0, 0.5]),
                  np.array([1.0, 1.0, -2.0]), np.array([0.4, 0.0, -0.4]), 0.1, 0.0),
        edge_case("zero gradient (coasting)", np.array([0.0, 1.0]), np.zeros(2),
                  np.array([0.5, -0.5]), 0.1, 0.9),
        edge_case("one weight", np.array([2.0]), np.array([-3.0]), np.array([0.7]), 0.01, 0.99),
    ]


def _momentum_torch_form(w, dw, velocity, learning_rate, momentum, nesterov=False):
    velocity_new = momentum * velocity + dw
    step = momentum * velocity_new + dw if nesterov else velocity_new
    return w - learning_rate * step, velocity_new


def _momentum_ascent(w, dw, velocity, learning_rate, momentum, nesterov=False):
    velocity_new = momentum * velocity + learning_rate * dw
    if nesterov:
        return w + momentum * velocity_new + learning_rate * dw, velocity_new
    return w + velocity_new, velocity_new


def _momentum_old_velocity(w, dw, velocity, learning_rate, momentum, nesterov=False):
    velocity_new = momentum * velocity - learning_rate * dw
    return w + velocity, velocity_new


def _momentum_forgot_velocity(w, dw, velocity, learning_rate, momentum, nesterov=False):
    velocity_new = -learning_rate * dw
    return w + velocity_new, velocity_new


def _momentum_no_nesterov(w, dw, velocity, learning_rate, momentum, nesterov=False):
    velocity_new = momentum * velocity - learning_rate * dw
    return w + velocity_new, velocity_new


def _momentum_in_place(w, dw, velocity, learning_rate, momentum, nesterov=False):
    velocity *= momentum
    velocity -= learning_rate * dw
    if nesterov:
        return w + momentum * velocity - learning_rate * dw, velocity
    return w + velocity, velocity


def _momentum_swapped(w, dw, velocity, learning_rate, momentum, nesterov=False):
    w_new, velocity_new = F.sgd_momentum_update(w, dw, velocity, learning_rate, momentum,
                                                nesterov)
    return velocity_new, w_new


def _momentum_always_nesterov(w, dw, velocity, learning_rate, momentum, nesterov=False):
    velocity_new = momentum * velocity - learning_rate * dw
    return w + momentum * velocity_new - learning_rate * dw, velocity_new


def _momentum_opposite_sign(w, dw, velocity, learning_rate, momentum, nesterov=False):
    velocity_new = momentum * velocity + learning_rate * dw
    if nesterov:
        return w - momentum * velocity_new - learning_rate * dw, velocity_new
    return w - velocity_new, velocity_new


def _momentum_only_w(w, dw, velocity, learning_rate, momentum, nesterov=False):
    return F.sgd_momentum_update(w, dw, velocity, learning_rate, momentum, nesterov)[0]


def _momentum_nesterov_by_default(w, dw, velocity, learning_rate, momentum, nesterov=True):
    return F.sgd_momentum_update(w, dw, velocity, learning_rate, momentum, nesterov)


def _momentum_rate_twice(w, dw, velocity, learning_rate, momentum, nesterov=False):
    velocity_new = momentum * velocity - learning_rate * dw
    if nesterov:
        return w + learning_rate * (momentum * velocity_new - learning_rate * dw), velocity_new
    return w + learning_rate * velocity_new, velocity_new


# --------------------------------------------------------------------------------------
# minibatch_indices
# --------------------------------------------------------------------------------------
def minibatch_indices(n_samples, batch_size, seed):
    """The mini-batches of one epoch, as arrays of row indices.

    Shuffle the indices 0 .. n_samples-1 with ``np.random.default_rng(seed).permutation``,
    then cut that order into consecutive pieces of ``batch_size``; the last piece is
    smaller when batch_size does not divide n_samples.  Every sample is in exactly one
    batch.

    n_samples: N >= 1.  batch_size: B >= 1.  seed: an integer (same seed, same batches).
    Returns a list of ceil(N / B) 1-D integer arrays: B indices each, the last one
    N - B * (ceil(N / B) - 1).
    """
    order = np.random.default_rng(seed).permutation(n_samples)
    return [order[start:start + batch_size] for start in range(0, n_samples, batch_size)]


def _batches_cases(rng):
    return [
        fixed_case("10 samples in batches of 4", 10, 4, 0),
        fixed_case("12 samples in batches of 4", 12, 4, 1),
        random_case("37 samples in batches of 8", 37, 8, int(rng.integers(1000))),
        random_case("100 samples in batches of 32", 100, 32, int(rng.integers(1000))),
        edge_case("batch size 1 (one sample per step)", 5, 1, 2),
        edge_case("batch larger than the data", 3, 10, 3),
        edge_case("batch size = number of samples", 6, 6, 4),
        edge_case("a single sample", 1, 4, 5),
    ]


def _is_index_batches(value):
    """Whether ``value`` is a list (or tuple) of 1-D integer arrays."""
    return isinstance(value, (list, tuple)) and all(
        isinstance(b, np.ndarray) and b.ndim == 1 and b.dtype.kind in "iu" for b in value)


def _identical(a, b):
    """Whether two outputs are the same containers holding equal items of the same types
    (how a learner's output is matched with a catalogued mistake's, lists included)."""
    if not (isinstance(a, (list, tuple)) and isinstance(b, (list, tuple))) or len(a) != len(b):
        return False
    for x, y in zip(a, b):
        if type(x) is not type(y):
            return False
        if isinstance(x, np.ndarray):
            if x.shape != y.shape or not np.array_equal(x, y):
                return False
            if (x.dtype.kind in "iu") != (y.dtype.kind in "iu"):
                return False  # float "indices" are not the integer ones
        elif x != y:
            return False
    return True


def _compare_batches(expected, got):
    """None if ``got`` is exactly ``expected``; else what is wrong with its batches."""
    if _identical(expected, got):
        return None
    if not _is_index_batches(expected):
        # only when two wrong outputs are compared (matching a catalogued mistake)
        return _("the two outputs differ")
    if isinstance(got, types.GeneratorType):
        return _("returned a generator; return a list of index arrays (wrap it in list(...))")
    if got is None:
        return _("returned None, expected a list of {n} index arrays (is a `return` statement "
                 "missing?)").format(n=len(expected))
    if not isinstance(got, (list, tuple)):
        return _("returned {kind}, expected a list of {n} index arrays").format(
            kind=type(got).__name__, n=len(expected))
    for i, batch in enumerate(got):
        if isinstance(batch, np.ndarray) and batch.ndim == 1 and batch.dtype.kind == "f":
            return _("batch {i} holds floats (dtype {dtype}) where row indices (integers) are "
                     "expected: X[batch] needs integers. "
                     "np.random.default_rng(seed).permutation(n_samples) gives integers; keep "
                     "them, or convert with .astype(int)").format(i=i, dtype=batch.dtype)
        if not isinstance(batch, np.ndarray) or batch.ndim != 1 or batch.dtype.kind not in "iu":
            return _("batch {i} is not a 1-D array of integer indices").format(i=i)
    n = sum(len(b) for b in expected)
    sizes = [len(b) for b in got]
    wanted = [len(b) for b in expected]
    if sizes == wanted and all(np.array_equal(e, g) for e, g in zip(expected, got)):
        return None
    if sizes != wanted:
        if sum(sizes) < n:
            return _("the batches hold {count} indices in all, but every one of the {n} "
                     "samples must be used once per epoch (batch sizes {sizes}, expected "
                     "{expected})").format(count=sum(sizes), n=n, sizes=_short(sizes),
                                           expected=_short(wanted))
        return _("batch sizes {sizes}, expected {expected}").format(sizes=_short(sizes),
                                                                     expected=_short(wanted))
    everything = np.concatenate(got)
    if not np.array_equal(np.sort(everything), np.arange(n)):
        return _("some samples appear in more than one batch and others in none; each index "
                 "0..{last} must appear exactly once per epoch").format(last=n - 1)
    if n > 2 and np.array_equal(everything, np.arange(n)):
        return _("the indices are in their original order: shuffle them first")
    return _("every sample appears once, but not in the order "
             "np.random.default_rng(seed).permutation(n_samples) gives; use exactly that, so "
             "that the same seed gives the same batches")


def _short(values, limit=6):
    if len(values) <= limit:
        return str(list(values))
    return "[" + ", ".join(str(v) for v in values[:limit]) + ", ...]"


def _batches_drop_last(n_samples, batch_size, seed):
    order = np.random.default_rng(seed).permutation(n_samples)
    return [order[k * batch_size:(k + 1) * batch_size]
            for k in range(n_samples // batch_size)]


def _batches_unshuffled(n_samples, batch_size, seed):
    order = np.arange(n_samples)
    return [order[start:start + batch_size] for start in range(0, n_samples, batch_size)]


def _batches_with_replacement(n_samples, batch_size, seed):
    rng = np.random.default_rng(seed)
    return [rng.integers(0, n_samples, size=min(batch_size, n_samples - start))
            for start in range(0, n_samples, batch_size)]


def _batches_new_permutation_each(n_samples, batch_size, seed):
    rng = np.random.default_rng(seed)
    return [rng.permutation(n_samples)[:min(batch_size, n_samples - start)]
            for start in range(0, n_samples, batch_size)]


def _batches_array_split(n_samples, batch_size, seed):
    order = np.random.default_rng(seed).permutation(n_samples)
    return np.array_split(order, max(1, n_samples // batch_size))


def _batches_as_lists(n_samples, batch_size, seed):
    order = np.random.default_rng(seed).permutation(n_samples).tolist()
    return [order[start:start + batch_size] for start in range(0, n_samples, batch_size)]


def _batches_empty_last(n_samples, batch_size, seed):
    order = np.random.default_rng(seed).permutation(n_samples)
    return [order[k * batch_size:(k + 1) * batch_size]
            for k in range(n_samples // batch_size + 1)]


def _batches_notebook_N(n_samples, batch_size, seed):
    # what `range(0, N, batch_size)` gives while checking: the notebook's N is out of reach
    raise NameError("name 'N' is not defined")


def _batches_floats(n_samples, batch_size, seed):
    order = np.random.default_rng(seed).permutation(np.arange(float(n_samples)))
    return [order[start:start + batch_size] for start in range(0, n_samples, batch_size)]


def _batches_start_steps_by_one(n_samples, batch_size, seed):
    order = np.random.default_rng(seed).permutation(n_samples)
    n_batches = -(-n_samples // batch_size)
    return [order[start:start + batch_size] for start in range(n_batches)]


# --------------------------------------------------------------------------------------
# gradient_descent
# --------------------------------------------------------------------------------------
def gradient_descent(grad, w0, learning_rate, steps):
    """Run ``steps`` steps of gradient descent from ``w0`` and return every point visited.

        w_0 = w0;   w_{t+1} = w_t - learning_rate * grad(w_t)

    grad: a function taking w (P,) and returning dL/dw (P,).
    w0: (P,) the starting point (left unchanged).  learning_rate: eta > 0.
    steps: T >= 0.  Returns an array (T + 1, P): row t is w_t (row 0 is w0).
    """
    w = np.array(w0, dtype=np.float64)  # a copy: the caller's w0 must not change
    path = [w]
    for _step in range(steps):
        w = w - learning_rate * grad(w)  # a new array, so the path keeps every point
        path.append(w)
    return np.array(path)


def _quadratic_grad(A, b):
    """grad(w) = A w - b, the gradient of L(w) = 1/2 w^T A w - b^T w."""
    def grad(w):
        return A @ w - b
    return grad


def _descent_cases(rng):
    M = rng.standard_normal((3, 3))
    A = M @ M.T + 0.5 * np.eye(3)  # symmetric positive definite
    b = rng.standard_normal(3)
    top = float(np.linalg.eigvalsh(A).max())
    ravine = np.diag([1.0, 25.0])
    one = np.array([[2.0]])
    return [
        fixed_case("1-D quadratic, 5 steps", _quadratic_grad(one, np.array([6.0])),
                   np.array([0.0]), 0.1, 5),
        fixed_case("2-D ravine, 10 steps", _quadratic_grad(ravine, np.zeros(2)),
                   np.array([-2.5, 1.0]), 0.05, 10),
        random_case("random 3-D quadratic, 20 steps", _quadratic_grad(A, b),
                    rng.standard_normal(3), 1.0 / top, 20),
        edge_case("no steps (just the start)", _quadratic_grad(ravine, np.zeros(2)),
                  np.array([1.0, 2.0]), 0.1, 0),
        edge_case("starting at the minimum", _quadratic_grad(one, np.array([6.0])),
                  np.array([3.0]), 0.1, 4),
        edge_case("learning rate above 2/curvature (diverges)",
                  _quadratic_grad(A, b), rng.standard_normal(3), 2.5 / top, 8),
    ]


def _descent_plus(grad, w0, learning_rate, steps):
    w = np.array(w0, dtype=np.float64)
    path = [w]
    for _step in range(steps):
        w = w + learning_rate * grad(w)
        path.append(w)
    return np.array(path)


def _descent_stale_gradient(grad, w0, learning_rate, steps):
    w = np.array(w0, dtype=np.float64)
    g = grad(w)
    path = [w]
    for _step in range(steps):
        w = w - learning_rate * g
        path.append(w)
    return np.array(path)


def _descent_never_assigned(grad, w0, learning_rate, steps):
    w = np.array(w0, dtype=np.float64)
    path = [w]
    for _step in range(steps):
        w_new = w - learning_rate * grad(w)
        path.append(w_new)
    return np.array(path)


def _descent_same_array(grad, w0, learning_rate, steps):
    w = np.array(w0, dtype=np.float64)
    path = [w]
    for _step in range(steps):
        w -= learning_rate * grad(w)
        path.append(w)
    return np.array(path)


def _descent_rate_twice(grad, w0, learning_rate, steps):
    w = np.array(w0, dtype=np.float64)
    path = [w]
    for _step in range(steps):
        step = learning_rate * grad(w)
        w = F.sgd_update(w, step, learning_rate)
        path.append(w)
    return np.array(path)


def _descent_no_start(grad, w0, learning_rate, steps):
    w = np.array(w0, dtype=np.float64)
    path = []
    for _step in range(steps):
        w = w - learning_rate * grad(w)
        path.append(w)
    return np.array(path).reshape(steps, len(w))


def _descent_one_step_too_many(grad, w0, learning_rate, steps):
    return gradient_descent(grad, w0, learning_rate, steps + 1)


def _descent_one_step_too_few(grad, w0, learning_rate, steps):
    return gradient_descent(grad, w0, learning_rate, max(steps - 1, 0))


def _descent_last_point(grad, w0, learning_rate, steps):
    return gradient_descent(grad, w0, learning_rate, steps)[-1]


def _descent_list(grad, w0, learning_rate, steps):
    return list(gradient_descent(grad, w0, learning_rate, steps))


def _descent_concatenated(grad, w0, learning_rate, steps):
    return gradient_descent(grad, w0, learning_rate, steps).ravel()


def _descent_changes_w0(grad, w0, learning_rate, steps):
    w = w0
    path = [w.copy()]
    for _step in range(steps):
        w -= learning_rate * grad(w)
        path.append(w.copy())
    return np.array(path)


# --------------------------------------------------------------------------------------
# train_two_layer: a training loop from scratch
# --------------------------------------------------------------------------------------
#: The names a learner's training loop may call: the reference versions are put in its
#: reach while it is graded (notebooks 01, 02 and 05, and this notebook's sgd_update and
#: minibatch_indices).
TRAINING_PIECES = ("dense_forward", "relu_forward", "softmax_forward", "categorical_crossentropy",
                   "softmax_categorical_crossentropy_grad", "dense_backward", "relu_backward",
                   "minibatch_indices", "sgd_update")
PARAMETER_NAMES = ("W1", "b1", "W2", "b2")
TRAINING_TIME_LIMIT = 3.0  # seconds for one call: the reference needs well under 0.1 s
LOSS_TOLERANCE = 1e-6  # losses per epoch: relative and absolute
WEIGHT_RTOL, WEIGHT_ATOL = 1e-6, 1e-8  # trained weights
LEARNABLE_ACCURACY = 0.9  # the held-out accuracy the reference reaches on the learnable case


def train_two_layer(params, X_train, Y_train, X_val, Y_val, learning_rate, epochs, batch_size,
                    seed):
    """Train the network  X -> Dense -> ReLU -> Dense -> softmax  by mini-batch gradient
    descent on categorical cross-entropy, then measure it on held-out data.

    params: {"W1": (D, H), "b1": (H,), "W2": (H, K), "b2": (K,)}, the initial weights
        (left unchanged).
    X_train: (N, D) inputs, one row per example.  Y_train: (N, K) one-hot rows.
    X_val: (V, D), Y_val: (V, K): the held-out examples, never trained on.
    learning_rate: eta > 0.  epochs: E >= 1.  batch_size: B >= 1.
    seed: epoch e (counting from 0) uses the batches minibatch_indices(N, B, seed + e).
    Returns a dict:
        "params": the trained weights, a new dict with the same keys and shapes;
        "losses": (E,) array, losses[e] = the mean of epoch e's batch losses, each computed
            in the forward pass before that batch's update (every batch counts once);
        "val_accuracy": the share of held-out rows whose most probable class (the argmax
            of the predicted probabilities) is the argmax of their row of Y_val, a float.
    """
    p = dict(params)  # a new dict: the caller's stays as it was
    losses = []
    for epoch in range(epochs):
        batch_losses = []
        for rows in minibatch_indices(len(X_train), batch_size, seed + epoch):
            x, y = X_train[rows], Y_train[rows]
            # forward
            z1, dense1_cache = F.dense_forward(x, p["W1"], p["b1"])
            a1, relu_cache = F.relu_forward(z1)
            z2, dense2_cache = F.dense_forward(a1, p["W2"], p["b2"])
            probabilities, _ = F.softmax_forward(z2)
            batch_losses.append(F.categorical_crossentropy(y, probabilities))
            # backward: the fused softmax + cross-entropy gradient already divides by B
            dz2 = F.softmax_categorical_crossentropy_grad(y, probabilities)
            da1, dW2, db2 = F.dense_backward(dz2, dense2_cache)
            dz1 = F.relu_backward(da1, relu_cache)
            _, dW1, db1 = F.dense_backward(dz1, dense1_cache)
            # update: every weight array, with this batch's gradient
            grads = {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
            p = {name: F.sgd_update(p[name], grads[name], learning_rate) for name in p}
        losses.append(np.mean(batch_losses))
    return {"params": p, "losses": np.array(losses),
            "val_accuracy": _accuracy(p, X_val, Y_val)}


def _predict(p, x):
    """Softmax probabilities (N, K) of the two-layer network with weights p."""
    a1, _ = F.relu_forward(F.dense_forward(x, p["W1"], p["b1"])[0])
    return F.softmax_forward(F.dense_forward(a1, p["W2"], p["b2"])[0])[0]


def _accuracy(p, x, y_onehot):
    return float(np.mean(np.argmax(_predict(p, x), axis=1) == np.argmax(y_onehot, axis=1)))


def _one_hot_rows(labels, k):
    return np.eye(k)[labels]


def _clusters(rng, n, d, k, spread, noise):
    """n points in d dimensions around k random centres (one-hot labels): X (n, d), Y (n, k)."""
    centres = rng.uniform(-spread, spread, size=(k, d))
    labels = rng.integers(0, k, size=n)
    return centres[labels] + noise * rng.standard_normal((n, d)), _one_hot_rows(labels, k)


def _initial_params(rng, d, h, k, bias_scale=0.1):
    return {"W1": rng.standard_normal((d, h)) * np.sqrt(2.0 / d),
            "b1": bias_scale * rng.standard_normal(h),
            "W2": rng.standard_normal((h, k)) * np.sqrt(1.0 / h),
            "b2": bias_scale * rng.standard_normal(k)}


def _training_case(make, name, rng, n, v, d, h, k, *, learning_rate, epochs, batch_size,
                   seed, spread=2.0, noise=1.0):
    X, Y = _clusters(rng, n + v, d, k, spread, noise)
    return make(name, _initial_params(rng, d, h, k), X[:n], Y[:n], X[n:], Y[n:],
                learning_rate=learning_rate, epochs=epochs, batch_size=batch_size, seed=seed)


def _training_cases(rng):
    tiny_x = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [-1.0, 0.5], [0.5, -1.0],
                       [-0.5, -0.5]])
    tiny_y = _one_hot_rows(np.array([0, 1, 1, 0, 1, 0]), 2)
    tiny_params = {"W1": np.array([[0.5, -0.3, 0.8], [0.2, 0.7, -0.6]]),
                   "b1": np.array([0.1, -0.1, 0.05]),
                   "W2": np.array([[0.4, -0.2], [-0.5, 0.3], [0.6, 0.1]]),
                   "b2": np.array([0.05, -0.05])}
    return [
        fixed_case("6 examples, batches of 4 and 2, 3 epochs", tiny_params, tiny_x, tiny_y,
                   tiny_x[:3], tiny_y[[1, 0, 2]], learning_rate=0.5, epochs=3, batch_size=4,
                   seed=0),
        _training_case(random_case, "random 40 examples, 3 classes, batches of 8", rng,
                       40, 20, 3, 5, 3, learning_rate=0.2, epochs=4, batch_size=8,
                       seed=int(rng.integers(1000))),
        _training_case(random_case, "random 37 examples, batches of 10 (the last of 7)", rng,
                       37, 15, 4, 6, 3, learning_rate=0.3, epochs=3, batch_size=10,
                       seed=int(rng.integers(1000))),
        _training_case(random_case, "learnable clusters: 240 examples, 15 epochs", rng,
                       240, 60, 2, 16, 3, learning_rate=0.1, epochs=15, batch_size=16,
                       seed=int(rng.integers(1000)), spread=4.0, noise=0.8),
        _training_case(edge_case, "one batch of all 12 examples (full batch)", rng,
                       12, 8, 3, 4, 2, learning_rate=0.5, epochs=5, batch_size=12, seed=3),
        _training_case(edge_case, "batch size 1", rng, 7, 5, 2, 3, 3, learning_rate=0.1,
                       epochs=2, batch_size=1, seed=4),
        _training_case(edge_case, "a single epoch", rng, 20, 10, 3, 4, 4, learning_rate=0.3,
                       epochs=1, batch_size=6, seed=5),
    ]


def _loop(params, X_train, Y_train, X_val, Y_val, learning_rate, epochs, batch_size, seed, *,
          order="shuffled", stale=False, average_again=False, skip_biases=False,
          no_relu_backward=False, record="mean", evaluate_on="val", in_place=False,
          ascend=False):
    """The reference loop with one thing done wrong (the catalogued mistakes below)."""
    p = params if in_place else dict(params)
    n = len(X_train)
    losses = []
    previous = None
    for epoch in range(epochs):
        if order == "shuffled":
            batches = [(rows, rows) for rows in minibatch_indices(n, batch_size, seed + epoch)]
        elif order == "same every epoch":
            batches = [(rows, rows) for rows in minibatch_indices(n, batch_size, seed)]
        elif order == "stored":
            batches = [(np.arange(s, min(s + batch_size, n)),) * 2
                       for s in range(0, n, batch_size)]
        else:  # "two permutations": the rows of X and of Y shuffled separately
            rng = np.random.default_rng(seed + epoch)
            x_order, y_order = rng.permutation(n), rng.permutation(n)
            batches = [(x_order[s:s + batch_size], y_order[s:s + batch_size])
                       for s in range(0, n, batch_size)]
        batch_losses, sizes = [], []
        for x_rows, y_rows in batches:
            x, y = X_train[x_rows], Y_train[y_rows]
            z1, dense1_cache = F.dense_forward(x, p["W1"], p["b1"])
            a1, relu_cache = F.relu_forward(z1)
            z2, dense2_cache = F.dense_forward(a1, p["W2"], p["b2"])
            probabilities, _ = F.softmax_forward(z2)
            batch_losses.append(F.categorical_crossentropy(y, probabilities))
            sizes.append(len(x_rows))
            dz2 = F.softmax_categorical_crossentropy_grad(y, probabilities)
            da1, dW2, db2 = F.dense_backward(dz2, dense2_cache)
            dz1 = da1 if no_relu_backward else F.relu_backward(da1, relu_cache)
            _, dW1, db1 = F.dense_backward(dz1, dense1_cache)
            grads = {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
            if average_again:
                grads = {name: g / len(x_rows) for name, g in grads.items()}
            if stale:
                grads, previous = previous, grads
                if grads is None:
                    continue
            for name in PARAMETER_NAMES:
                if skip_biases and name.startswith("b"):
                    continue
                step = -grads[name] if ascend else grads[name]
                if in_place:
                    p[name] -= learning_rate * step
                else:
                    p[name] = F.sgd_update(p[name], step, learning_rate)
        if record == "mean":
            losses.append(np.mean(batch_losses))
        elif record == "last batch":
            losses.append(batch_losses[-1])
        elif record == "weighted":
            losses.append(np.dot(batch_losses, sizes) / np.sum(sizes))
        else:  # "after the epoch": the loss on all the training data, with the new weights
            losses.append(F.categorical_crossentropy(Y_train, _predict(p, X_train)))
    x_eval, y_eval = (X_val, Y_val) if evaluate_on == "val" else (X_train, Y_train)
    return {"params": p, "losses": np.array(losses),
            "val_accuracy": _accuracy(p, x_eval, y_eval)}


def _mistake(**what):
    def wrong(params, X_train, Y_train, X_val, Y_val, learning_rate, epochs, batch_size, seed):
        return _loop(params, X_train, Y_train, X_val, Y_val, learning_rate, epochs,
                     batch_size, seed, **what)
    return wrong


def _well_formed_training(value):
    """Why ``value`` is not a result of the shape train_two_layer returns, or None."""
    keys = ("params", "losses", "val_accuracy")
    if value is None:
        return _("returned None; return a dict with the keys 'params', 'losses' and "
                 "'val_accuracy' (is a `return` statement missing?)")
    if not isinstance(value, dict):
        return _("returned {kind}; return a dict with the keys 'params', 'losses' and "
                 "'val_accuracy'").format(kind=type(value).__name__)
    missing = [k for k in keys if k not in value]
    if missing:
        return _("the returned dict has no key {key} (it needs 'params', 'losses' and "
                 "'val_accuracy')").format(key=repr(missing[0]))
    params = value["params"]
    if not isinstance(params, dict) or set(params) != set(PARAMETER_NAMES):
        return _("result['params'] must be a dict with the keys 'W1', 'b1', 'W2' and 'b2'")
    for name in PARAMETER_NAMES:
        if not isinstance(params[name], np.ndarray):
            return _("result['params'][{name}] is not a numpy array").format(name=repr(name))
    try:
        losses = np.asarray(value["losses"], dtype=np.float64)
    except (TypeError, ValueError):
        return _("result['losses'] must be a sequence of numbers, one per epoch")
    if losses.ndim != 1:
        return _("result['losses'] has shape {shape}; give one number per epoch").format(
            shape=losses.shape)
    accuracy = value["val_accuracy"]
    if isinstance(accuracy, np.ndarray) and accuracy.ndim == 0:
        accuracy = accuracy[()]
    if not isinstance(accuracy, numbers.Real) or isinstance(accuracy, (bool, np.bool_)):
        return _("result['val_accuracy'] must be a single number, the share of right answers")
    return None


def _first_difference(expected, got, rtol, atol):
    """Index of the first entry of two equal-shaped arrays that differs, or None."""
    close = np.isclose(got, expected, rtol=rtol, atol=atol)
    return None if close.all() else int(np.flatnonzero(~close)[0])


def _same_training(expected, got):
    """Whether two well-formed results agree within the stated tolerances."""
    for name in PARAMETER_NAMES:
        e, g = expected["params"][name], got["params"][name]
        if e.shape != g.shape or not np.allclose(g, e, rtol=WEIGHT_RTOL, atol=WEIGHT_ATOL):
            return False
    e_losses = np.asarray(expected["losses"], dtype=np.float64)
    g_losses = np.asarray(got["losses"], dtype=np.float64)
    return (e_losses.shape == g_losses.shape
            and np.allclose(g_losses, e_losses, rtol=LOSS_TOLERANCE, atol=LOSS_TOLERANCE)
            and abs(float(expected["val_accuracy"]) - float(got["val_accuracy"])) < 1e-9)


def _compare_training(expected, got):
    """None when ``got`` follows the reference's trajectory (losses per epoch, trained
    weights, held-out accuracy) within the stated tolerances; else what differs, in terms of
    what the training did."""
    if _well_formed_training(expected) is not None:
        # only when two wrong outputs are compared (matching a catalogued mistake)
        same = _well_formed_training(got) is not None and repr(expected) == repr(got)
        return None if same else _("the two outputs differ")
    problem = _well_formed_training(got)
    if problem:
        return problem
    e_params, g_params = expected["params"], got["params"]
    for name in PARAMETER_NAMES:
        if g_params[name].shape != e_params[name].shape:
            return _("result['params'][{name}] has shape {shape}, expected {expected} (the "
                     "shape of params[{name}])").format(name=repr(name), shape=g_params[name].shape,
                                                        expected=e_params[name].shape)
    e_losses = np.asarray(expected["losses"], dtype=np.float64)
    g_losses = np.asarray(got["losses"], dtype=np.float64)
    if g_losses.shape != e_losses.shape:
        return _("result['losses'] holds {count} numbers, expected {expected}: one per "
                 "epoch").format(count=g_losses.size, expected=e_losses.size)
    if not np.all(np.isfinite(g_losses)):
        return _("result['losses'] contains nan or inf: the training blew up")
    if _same_training(expected, got):
        return None
    wrong_weights = [name for name in PARAMETER_NAMES if not np.allclose(
        g_params[name], e_params[name], rtol=WEIGHT_RTOL, atol=WEIGHT_ATOL)]
    epoch = _first_difference(e_losses, g_losses, LOSS_TOLERANCE, LOSS_TOLERANCE)
    e_acc, g_acc = float(expected["val_accuracy"]), float(got["val_accuracy"])
    if not wrong_weights and epoch is None:
        return _("the trained weights and the losses are right, but val_accuracy is {got}, "
                 "expected {expected}: measure it on X_val and Y_val, with the trained "
                 "weights").format(got=f"{g_acc:.4f}", expected=f"{e_acc:.4f}")
    if not wrong_weights:
        return _("the trained weights are right, but the loss of epoch {epoch} is {got}, "
                 "expected {expected}: losses[e] is the mean of epoch e's batch losses, each "
                 "computed before its batch's update").format(
            epoch=epoch, got=f"{g_losses[epoch]:.6g}", expected=f"{e_losses[epoch]:.6g}")
    if len(g_losses) > 1 and g_losses[-1] > g_losses[0] and e_losses[-1] < e_losses[0]:
        return _("your training loss rises, from {first} to {last}, where the reference's "
                 "falls from {ref_first} to {ref_last}").format(
            first=f"{g_losses[0]:.4g}", last=f"{g_losses[-1]:.4g}",
            ref_first=f"{e_losses[0]:.4g}", ref_last=f"{e_losses[-1]:.4g}")
    name = wrong_weights[0]
    error = f"{float(np.max(np.abs(g_params[name] - e_params[name]))):.2g}"
    if epoch is None:
        message = _("the trained weights differ from the reference's ({name}: max abs error "
                    "{error}); the losses per epoch are right, so the last updates "
                    "differ").format(name=name, error=error)
    else:
        message = _("the trained weights differ from the reference's ({name}: max abs error "
                    "{error}); the losses first differ in epoch {epoch} ({got}, expected "
                    "{expected})").format(name=name, error=error, epoch=epoch,
                                          got=f"{g_losses[epoch]:.6g}",
                                          expected=f"{e_losses[epoch]:.6g}")
    if e_acc >= LEARNABLE_ACCURACY and g_acc < e_acc:
        # TRANSLATORS: added after the sentence on the trained weights, after a semicolon
        message += _("; held-out accuracy {got}, where the reference reaches {expected}").format(
            got=f"{g_acc:.3f}", expected=f"{e_acc:.3f}")
    return message


# --------------------------------------------------------------------------------------
# momentum_matrix (an optional check of "going further")
# --------------------------------------------------------------------------------------
def momentum_matrix(learning_rate, curvature, momentum):
    """The 2x2 matrix M of momentum descent on L(w) = a/2 (w - w*)^2 (Keras 3's form):

        (e_{t+1}, e_t) = M @ (e_t, e_{t-1}),   e_t = w_t - w*,

    from v_{t+1} = mu v_t - eta a e_t, e_{t+1} = e_t + v_{t+1} and v_t = e_t - e_{t-1}:
    e_{t+1} = (1 + mu - eta a) e_t - mu e_{t-1}.  Returns an array (2, 2).
    """
    return np.array([[1.0 + momentum - learning_rate * curvature, -momentum],
                     [1.0, 0.0]])


def _momentum_matrix_cases(rng):
    return [
        fixed_case("eta 0.1, curvature 2, momentum 0.9", 0.1, 2.0, 0.9),
        fixed_case("eta 0.05, curvature 13.75, momentum 0.5", 0.05, 13.75, 0.5),
        random_case("random values", float(rng.uniform(0.01, 0.5)), float(rng.uniform(0.5, 20)),
                    float(rng.uniform(0.1, 0.95))),
        edge_case("momentum 0 (plain descent)", 0.1, 4.0, 0.0),
        edge_case("eta * a = 1", 0.25, 4.0, 0.3),
    ]


def _momentum_matrix_no_mu(learning_rate, curvature, momentum):
    return np.array([[1.0 - learning_rate * curvature, -momentum], [1.0, 0.0]])


def _momentum_matrix_plus_mu(learning_rate, curvature, momentum):
    return np.array([[1.0 + momentum - learning_rate * curvature, momentum], [1.0, 0.0]])


def _momentum_matrix_transposed(learning_rate, curvature, momentum):
    return momentum_matrix(learning_rate, curvature, momentum).T


def _momentum_matrix_bottom_row(learning_rate, curvature, momentum):
    return np.array([[1.0 + momentum - learning_rate * curvature, -momentum], [0.0, 1.0]])


EXERCISES = [  # in the notebook's order, which the scoreboard follows
    Exercise(
        id="sgd_update",
        title="The update rule",
        notebook=NOTEBOOK,
        points=1,
        difficulty=1,
        reference=F.sgd_update,
        cases=_sgd_update_cases,
        mistakes=[
            ("plus instead of minus", _sgd_plus,
             "you stepped along the gradient, which goes uphill. Subtract: "
             "w - learning_rate * dw."),
            ("no learning rate", _sgd_no_rate,
             "the step is the gradient times the learning rate: w - learning_rate * dw."),
            ("returned the step", _sgd_step_only,
             "you returned the change -learning_rate * dw; return the new weights, "
             "w plus that change."),
            ("changed w in place", _sgd_in_place,
             "`w -= ...` overwrites the caller's array. Return a new array: "
             "w - learning_rate * dw."),
            ("converted to float64", _sgd_float64,
             "converting to float64 turns float32 weights (what Keras trains with) into "
             "float64. w - learning_rate * dw keeps the dtype of w as it is."),
            ("returned a list", _sgd_list,
             "you returned a Python list; numpy does the whole array at once: "
             "return w - learning_rate * dw."),
        ],
        hints=[
            "The gradient points uphill; a small step the other way lowers the loss.",
            "The step is the gradient scaled by the learning rate, with a minus sign.",
            "One line: return w - learning_rate * dw.",
        ],
        outputs=("w_new",),
    ),
    Exercise(
        id="gradient_descent",
        title="A descent loop",
        notebook=NOTEBOOK,
        points=2,
        difficulty=2,
        reference=gradient_descent,
        cases=_descent_cases,
        depends=("sgd_update",),
        mistakes=[
            ("plus instead of minus", _descent_plus,
             "your path climbs: subtract the scaled gradient, w - learning_rate * grad(w)."),
            ("gradient computed once", _descent_stale_gradient,
             "the gradient changes as w moves: call grad(w) inside the loop, at the "
             "current point."),
            ("w never updated", _descent_never_assigned,
             "you computed the new point but kept stepping from the old one: assign it back "
             "to w (w = w - learning_rate * grad(w))."),
            ("one array appended again and again", _descent_same_array,
             "every row of your path is the same array, changed in place by `w -= ...`, so "
             "they all show the last point. Use w = w - ... (a new array) or append w.copy()."),
            ("learning rate applied twice", _descent_rate_twice,
             "the learning rate is applied twice: sgd_update(w, dw, learning_rate) already "
             "multiplies dw by it, so pass the raw gradient."),
            ("start missing", _descent_no_start,
             "the path must start with w0: steps + 1 rows, row 0 the starting point."),
            ("changed w0 in place", _descent_changes_w0,
             "`w = w0` does not copy, so `w -= ...` changes the caller's w0. Start with "
             "w = w0.copy() (or np.array(w0, dtype=float))."),
            ("one step too many", _descent_one_step_too_many,
             "loop exactly `steps` times (range(steps)): with w0 the path then has "
             "steps + 1 rows."),
            ("one step too few", _descent_one_step_too_few,
             "loop exactly `steps` times (range(steps)): with w0 the path then has "
             "steps + 1 rows."),
            ("returned only the last point", _descent_last_point,
             "return every point visited, one row each: collect them in a list and return "
             "np.array(path), shape (steps + 1, P)."),
            ("returned a list", _descent_list,
             "return one array: np.array(path) stacks the points into shape "
             "(steps + 1, P)."),
            ("concatenated into one vector", _descent_concatenated,
             "np.concatenate (or hstack) joins the points end to end into one long "
             "vector. np.array(path) (or np.stack) puts one point per row: "
             "(steps + 1, P)."),
        ],
        hints=[
            "Keep a list of points: start with a copy of w0, then append each new point.",
            "One step: w = w - learning_rate * grad(w) (or sgd_update(w, grad(w), "
            "learning_rate)). Loop `steps` times.",
            "Return np.array(path): shape (steps + 1, P).",
        ],
    ),
    Exercise(
        id="minibatch_indices",
        title="Shuffled mini-batches",
        notebook=NOTEBOOK,
        points=2,
        difficulty=2,
        reference=minibatch_indices,
        cases=_batches_cases,
        compare=_compare_batches,
        mistakes=[
            ("dropped the last batch", _batches_drop_last,
             "the last, smaller batch is missing. Cut with range(0, n_samples, batch_size) "
             "so the leftover samples form one more batch."),
            ("not shuffled", _batches_unshuffled,
             "the batches follow the data's order. Shuffle first: "
             "order = np.random.default_rng(seed).permutation(n_samples)."),
            ("samples drawn with replacement", _batches_with_replacement,
             "random integers can repeat, so some samples are used twice and others never. "
             "Shuffle once (a permutation) and cut it into pieces."),
            ("new permutation for every batch", _batches_new_permutation_each,
             "a fresh permutation per batch reuses samples. Draw ONE permutation per epoch "
             "and cut it into consecutive pieces."),
            ("np.array_split", _batches_array_split,
             "np.array_split makes pieces of nearly equal size; here every batch but the "
             "last must have exactly batch_size indices: order[start:start + batch_size]."),
            ("lists instead of arrays", _batches_as_lists,
             ".tolist() turns the indices into Python lists; keep numpy arrays (a slice of "
             "the permuted array is one), so that X[batch] selects rows."),
            ("an empty last batch", _batches_empty_last,
             "n_samples // batch_size + 1 batches is one too many when batch_size divides "
             "n_samples: the last one is empty. Use range(0, n_samples, batch_size) for the "
             "starts."),
            ("the notebook's N", _batches_notebook_N,
             "use the argument n_samples, not the notebook's N: the function must work "
             "for any number of samples."),
            ("float indices", _batches_floats,
             "your batches hold floats (0.0, 1.0, ...), and X[batch] refuses float "
             "indices. Shuffle the integers: np.random.default_rng(seed)"
             ".permutation(n_samples), without turning them into floats."),
            ("starts one apart", _batches_start_steps_by_one,
             "batch k starts at k * batch_size, not at k: the starts are "
             "range(0, n_samples, batch_size), a step of batch_size."),
        ],
        hints=[
            "Two steps: shuffle the indices 0..n_samples-1, then cut them into pieces.",
            "order = np.random.default_rng(seed).permutation(n_samples) shuffles; "
            "order[start:start + batch_size] is one piece.",
            "return [order[s:s + batch_size] for s in range(0, n_samples, batch_size)]",
        ],
    ),
    Exercise(
        id="sgd_momentum_update",
        title="Momentum (Keras 3 form)",
        notebook=NOTEBOOK,
        points=2,
        difficulty=2,
        reference=F.sgd_momentum_update,
        cases=_momentum_cases,
        mistakes=[
            ("PyTorch form", _momentum_torch_form,
             "that is PyTorch's form (velocity += gradient, step = lr * velocity). Keras 3 "
             "folds the learning rate into the velocity: velocity_new = momentum * velocity "
             "- learning_rate * dw, then w_new = w + velocity_new."),
            ("ascent", _momentum_ascent,
             "a sign slipped: the velocity must collect -learning_rate * dw (downhill), "
             "not +learning_rate * dw."),
            ("old velocity in the step", _momentum_old_velocity,
             "the weights must move by the NEW velocity: compute velocity_new first, then "
             "w_new = w + velocity_new."),
            ("no memory", _momentum_forgot_velocity,
             "the previous velocity is missing: velocity_new = momentum * velocity "
             "- learning_rate * dw."),
            ("Nesterov ignored", _momentum_no_nesterov,
             "with nesterov=True the step looks ahead: w_new = w + momentum * velocity_new "
             "- learning_rate * dw."),
            ("changed velocity in place", _momentum_in_place,
             "`velocity *= ...` overwrites the caller's array. Build a new array for "
             "velocity_new instead."),
            ("returned (velocity_new, w_new)", _momentum_swapped,
             "the order is (w_new, velocity_new): return w_new, velocity_new."),
            ("always Nesterov", _momentum_always_nesterov,
             "the look-ahead step is for nesterov=True only; without it, "
             "w_new = w + velocity_new. Use `if nesterov:`."),
            ("velocity with the opposite sign", _momentum_opposite_sign,
             "your velocity points uphill (momentum * velocity + learning_rate * dw, then "
             "w - velocity). Keras 3 stores the step itself: velocity_new = momentum * "
             "velocity - learning_rate * dw, then w_new = w + velocity_new."),
            ("returned only w_new", _momentum_only_w,
             "return both new arrays, (w_new, velocity_new): the caller keeps the velocity "
             "for the next step."),
            ("Nesterov on by default", _momentum_nesterov_by_default,
             "the statement's default is nesterov=False (as Keras's SGD): plain momentum "
             "unless the caller asks for the look-ahead. Write nesterov=False in the def "
             "line."),
            ("learning rate applied twice", _momentum_rate_twice,
             "the velocity already contains the learning rate (- learning_rate * dw): add "
             "it to w as it is, w + velocity_new, without multiplying by the learning "
             "rate again."),
        ],
        hints=[
            "Two lines: first the new velocity, then the new weights. Both are new arrays.",
            "velocity_new = momentum * velocity - learning_rate * dw; without Nesterov, "
            "w_new = w + velocity_new.",
            "With nesterov=True: w_new = w + momentum * velocity_new - learning_rate * dw. "
            "Return (w_new, velocity_new).",
        ],
        outputs=("w_new", "velocity_new"),
    ),
    Exercise(
        id="train_two_layer",
        title="A training loop from scratch",
        notebook=NOTEBOOK,
        points=4,
        difficulty=4,
        reference=train_two_layer,
        cases=_training_cases,
        depends=TRAINING_PIECES,
        compare=_compare_training,
        time_limit=TRAINING_TIME_LIMIT,
        mistakes=[
            ("not shuffled", _mistake(order="stored"),
             "your batches follow the stored order of the rows. Take each epoch's batches "
             "from minibatch_indices(N, batch_size, seed + epoch), which shuffles them."),
            ("the same order every epoch", _mistake(order="same every epoch"),
             "every epoch visits the batches in the same order. Reshuffle each epoch: the "
             "batches of epoch e are minibatch_indices(N, batch_size, seed + e)."),
            ("x and y shuffled apart", _mistake(order="two permutations"),
             "the rows of X and of Y were shuffled with two different permutations, so the "
             "labels no longer belong to their inputs. Use one array of indices per batch: "
             "X_train[rows] and Y_train[rows]."),
            ("gradient of the previous batch", _mistake(stale=True),
             "each update uses the gradient of the previous batch (and the first batch makes "
             "no update). Run this batch's forward and backward pass first, then update with "
             "its gradients."),
            ("averaged twice", _mistake(average_again=True),
             "you divided the gradients by the batch size, but "
             "softmax_categorical_crossentropy_grad has already averaged over the batch: "
             "dividing again makes every step batch_size times too small."),
            ("biases not updated", _mistake(skip_biases=True),
             "the biases never change. Update all four arrays: W1, b1, W2 and b2."),
            ("ReLU skipped in the backward pass", _mistake(no_relu_backward=True),
             "the gradient reaches W1 and b1 without going back through the ReLU: put "
             "dz1 = relu_backward(da1, relu_cache) between the two dense_backward calls."),
            ("evaluated on the training data", _mistake(evaluate_on="train"),
             "val_accuracy was measured on the training data. Measure it on X_val and Y_val, "
             "the examples the network never trained on."),
            ("loss of the last batch only", _mistake(record="last batch"),
             "losses[e] holds only the last batch's loss. Collect the loss of every batch of "
             "the epoch and record their mean."),
            ("losses weighted by batch size", _mistake(record="weighted"),
             "you weighted each batch's loss by its size (as Keras's progress bar does); "
             "here every batch counts once: losses[e] = np.mean(batch_losses)."),
            ("loss measured after the epoch", _mistake(record="after the epoch"),
             "you measured the loss on all the training data after the epoch. Record the "
             "mean of the batch losses computed during the epoch, each before its update."),
            ("changed params in place", _mistake(in_place=True),
             "your function changed the dict `params` it was given (`p = params` does not "
             "copy it, and `W -= ...` writes into its arrays). Start from p = dict(params) "
             "and let sgd_update return new arrays."),
            ("stepped uphill", _mistake(ascend=True),
             "your loss rises: the update must subtract the gradient, as "
             "sgd_update(w, dw, learning_rate) does."),
        ],
        hints=[
            "Write the four steps for one batch first: the forward pass (dense, ReLU, dense, "
            "softmax), the loss, the backward pass in reverse order, and the update of all "
            "four arrays. Then put two loops around them: epochs outside, batches inside.",
            "The batches of epoch e: for rows in minibatch_indices(len(X_train), batch_size, "
            "seed + e), with x = X_train[rows] and y = Y_train[rows]. The backward pass "
            "starts from softmax_categorical_crossentropy_grad(y, probabilities), which "
            "already divides by the batch size.",
            "Keep the weights in a new dict, p = dict(params), and replace its arrays after "
            "each batch: p = {name: sgd_update(p[name], grads[name], learning_rate) for name "
            "in p}. After the last epoch, run the forward pass on X_val and compare "
            "np.argmax(..., axis=1) with np.argmax(Y_val, axis=1).",
        ],
    ),
    Exercise(
        id="momentum_matrix",
        title="Momentum as a 2x2 map (going further)",
        notebook=NOTEBOOK,
        points=0,
        difficulty=3,
        reference=momentum_matrix,
        cases=_momentum_matrix_cases,
        mistakes=[
            ("momentum missing on the diagonal", _momentum_matrix_no_mu,
             "the top-left entry is 1 + momentum - learning_rate * curvature: with "
             "v_t = e_t - e_{t-1}, the momentum term mu * v_t adds mu * e_t."),
            ("sign of the e_{t-1} term", _momentum_matrix_plus_mu,
             "mu * v_t = mu * (e_t - e_{t-1}) contributes -mu * e_{t-1}: the top-right entry "
             "is -momentum."),
            ("transposed", _momentum_matrix_transposed,
             "row 1 gives e_{t+1} from (e_t, e_{t-1}); row 2 just copies e_t, so it is "
             "(1, 0)."),
            ("bottom row (0, 1)", _momentum_matrix_bottom_row,
             "the bottom row must move e_t into the second place of the new state: (1, 0), "
             "not (0, 1)."),
        ],
        hints=[
            "Write e_{t+1} with the two update lines, then replace v_t by e_t - e_{t-1}.",
            "You should find e_{t+1} = (1 + mu - eta a) e_t - mu e_{t-1}; the second row of "
            "the map is e_t = 1 * e_t + 0 * e_{t-1}.",
        ],
    ),
]
