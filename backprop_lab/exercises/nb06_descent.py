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
import types

import numpy as np

from .. import functional as F
from ..grading.spec import Exercise, edge_case, fixed_case, random_case

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
        elif x != y:
            return False
    return True


def _compare_batches(expected, got):
    """None if ``got`` is exactly ``expected``; else what is wrong with its batches."""
    if _identical(expected, got):
        return None
    if not _is_index_batches(expected):
        # only when two wrong outputs are compared (matching a catalogued mistake)
        return "the two outputs differ"
    if isinstance(got, types.GeneratorType):
        return "returned a generator; return a list of index arrays (wrap it in list(...))"
    if not isinstance(got, (list, tuple)):
        kind = "None" if got is None else type(got).__name__
        return (f"returned {kind}, expected a list of {len(expected)} index arrays"
                + (" (is a `return` statement missing?)" if got is None else ""))
    for i, batch in enumerate(got):
        if not isinstance(batch, np.ndarray) or batch.ndim != 1 or batch.dtype.kind not in "iu":
            return f"batch {i} is not a 1-D array of integer indices"
    n = sum(len(b) for b in expected)
    sizes = [len(b) for b in got]
    wanted = [len(b) for b in expected]
    if sizes == wanted and all(np.array_equal(e, g) for e, g in zip(expected, got)):
        return None
    if sizes != wanted:
        if sum(sizes) < n:
            return (f"the batches hold {sum(sizes)} indices in all, but every one of the {n} "
                    f"samples must be used once per epoch (batch sizes {_short(sizes)}, "
                    f"expected {_short(wanted)})")
        return f"batch sizes {_short(sizes)}, expected {_short(wanted)}"
    everything = np.concatenate(got)
    if not np.array_equal(np.sort(everything), np.arange(n)):
        return ("some samples appear in more than one batch and others in none; each index "
                f"0..{n - 1} must appear exactly once per epoch")
    if n > 2 and np.array_equal(everything, np.arange(n)):
        return "the indices are in their original order: shuffle them first"
    return ("every sample appears once, but not in the order "
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
    for _ in range(steps):
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
    for _ in range(steps):
        w = w + learning_rate * grad(w)
        path.append(w)
    return np.array(path)


def _descent_stale_gradient(grad, w0, learning_rate, steps):
    w = np.array(w0, dtype=np.float64)
    g = grad(w)
    path = [w]
    for _ in range(steps):
        w = w - learning_rate * g
        path.append(w)
    return np.array(path)


def _descent_never_assigned(grad, w0, learning_rate, steps):
    w = np.array(w0, dtype=np.float64)
    path = [w]
    for _ in range(steps):
        w_new = w - learning_rate * grad(w)
        path.append(w_new)
    return np.array(path)


def _descent_same_array(grad, w0, learning_rate, steps):
    w = np.array(w0, dtype=np.float64)
    path = [w]
    for _ in range(steps):
        w -= learning_rate * grad(w)
        path.append(w)
    return np.array(path)


def _descent_rate_twice(grad, w0, learning_rate, steps):
    w = np.array(w0, dtype=np.float64)
    path = [w]
    for _ in range(steps):
        step = learning_rate * grad(w)
        w = F.sgd_update(w, step, learning_rate)
        path.append(w)
    return np.array(path)


def _descent_no_start(grad, w0, learning_rate, steps):
    w = np.array(w0, dtype=np.float64)
    path = []
    for _ in range(steps):
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
    for _ in range(steps):
        w -= learning_rate * grad(w)
        path.append(w.copy())
    return np.array(path)


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
]
