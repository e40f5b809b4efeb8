"""Exercises of notebook 05_backprop_layers: the backward pass of every layer, a fused loss
gradient, and backprop through a whole multi-layer perceptron.

The layer and loss functions are those of ``backprop_lab.functional`` (same names, same
signatures): the learner writes, line for line, what the package uses.  ``mlp_backward``
assembles them into the backward pass of notebook 01's ``mlp_forward(x, layers)``, whose
caches it walks from the end.
"""
import numpy as np

from .. import functional as F
from ..grading.spec import Exercise, edge_case, fixed_case, random_case
from .nb01_forward import mlp_forward  # the forward pass whose caches mlp_backward walks

NOTEBOOK = "05_backprop_layers"

# --------------------------------------------------------------------------------------
# Backprop through a multi-layer perceptron
# --------------------------------------------------------------------------------------
def mlp_backward(dout, caches, activation_backwards):
    """Backward pass of notebook 01's ``mlp_forward(x, layers)``: every layer's gradients.

    dout: (N, M_L) dL/d(out), the gradient of the loss with respect to the network's
        output (the last layer's activation).
    caches: the caches returned by ``mlp_forward``: one (dense_cache, activation_cache)
        pair per layer, first layer first.
    activation_backwards: the backward function of each layer's activation, first layer
        first, e.g. [relu_backward, relu_backward, linear_backward].
    Walks the layers in reverse order; in each layer first the activation's backward,
    then the dense backward, whose dx is the upstream gradient of the layer below:

        dz_l = activation_backward_l(da_l, activation_cache_l)
        da_(l-1), dW_l, db_l = dense_backward(dz_l, dense_cache_l)

    Returns grads: a list of (dW, db) pairs, one per layer, first layer first (the order
    of ``layers``), each with the shape of its parameter.
    """
    grads = []
    d = dout
    for layer in reversed(range(len(caches))):
        dense_cache, activation_cache = caches[layer]
        dz = activation_backwards[layer](d, activation_cache)
        d, dW, db = F.dense_backward(dz, dense_cache)
        grads.append((dW, db))
    grads.reverse()
    return grads


# --------------------------------------------------------------------------------------
# Cases
# --------------------------------------------------------------------------------------
def _dense_cases(rng):
    x = np.array([[1.0, -2.0, 0.5], [0.0, 1.0, -1.0]])
    W = np.array([[0.2, -0.1, 0.4, 0.0], [0.5, 0.3, -0.2, 0.1], [-0.3, 0.8, 0.1, -0.6]])
    dz = np.array([[1.0, 0.0, -1.0, 0.5], [-0.5, 2.0, 0.0, 1.0]])
    x5, W5 = rng.standard_normal((5, 3)), rng.standard_normal((3, 2))
    x3, W3 = rng.standard_normal((3, 3)), rng.standard_normal((3, 3))
    x1, W1 = rng.standard_normal((1, 4)), rng.standard_normal((4, 2))
    return [
        fixed_case("2 examples, 3 inputs, 4 units", dz, (x, W)),
        random_case("random 5x3 input, 2 units", rng.standard_normal((5, 2)), (x5, W5)),
        edge_case("square shapes (3 examples, 3 inputs, 3 units)",
                  rng.standard_normal((3, 3)), (x3, W3)),
        edge_case("batch of one", rng.standard_normal((1, 2)), (x1, W1)),
        edge_case("zero upstream gradient", np.zeros((5, 2)), (x5, W5)),
        edge_case("large magnitudes", 1e6 * rng.standard_normal((5, 2)), (1e3 * x5, W5)),
    ]


def _elementwise_cases(forward):
    """Cases (da, cache) for an element-wise activation, with cache from ``forward``."""
    def cases(rng):
        z_fixed = np.array([[1.0, -2.0, 3.0], [-1.0, 0.5, -0.5]])
        return [
            fixed_case("2x3 example", np.array([[0.5, 1.0, -1.0], [2.0, -3.0, 0.1]]),
                       forward(z_fixed)[1]),
            random_case("random 5x3 input", rng.standard_normal((5, 3)),
                        forward(rng.standard_normal((5, 3)))[1]),
            edge_case("z = 0 everywhere", np.ones((2, 4)), forward(np.zeros((2, 4)))[1]),
            edge_case("batch of one", rng.standard_normal((1, 3)),
                      forward(rng.standard_normal((1, 3)))[1]),
            edge_case("large magnitudes", 1e6 * rng.standard_normal((3, 2)),
                      forward(20 * rng.standard_normal((3, 2)))[1]),
        ]
    return cases


def _relu_cases(rng):
    z = np.array([[1.0, -2.0, 3.0], [-1.0, 0.5, -0.5]])
    return [
        fixed_case("2x3 example", np.array([[0.5, 1.0, -1.0], [2.0, -3.0, 0.1]]), z),
        random_case("random 5x3 input", rng.standard_normal((5, 3)), rng.standard_normal((5, 3))),
        edge_case("zeros (the kink at z = 0) among other values", np.ones((2, 4)),
                  np.array([[0.0, -1.0, 0.0, 2.0], [0.0, 0.0, -3.0, 1.0]])),
        edge_case("batch of one", rng.standard_normal((1, 3)), rng.standard_normal((1, 3))),
        edge_case("large magnitudes", 1e6 * rng.standard_normal((3, 2)),
                  1e6 * rng.standard_normal((3, 2))),
    ]


def _softmax_cases(rng):
    def probs(z):
        return F.softmax_forward(z)[1]

    return [
        fixed_case("2 examples, 3 classes", np.array([[1.0, 0.0, -1.0], [0.5, 0.5, 2.0]]),
                   probs(np.array([[2.0, 1.0, 0.1], [0.0, -1.0, 1.0]]))),
        random_case("random 5 examples, 3 classes", rng.standard_normal((5, 3)),
                    probs(rng.standard_normal((5, 3)))),
        random_case("random 3 examples, 5 classes", rng.standard_normal((3, 5)),
                    probs(2 * rng.standard_normal((3, 5)))),
        edge_case("square: 4 examples, 4 classes", rng.standard_normal((4, 4)),
                  probs(rng.standard_normal((4, 4)))),
        edge_case("batch of one", rng.standard_normal((1, 4)), probs(rng.standard_normal((1, 4)))),
        edge_case("one class (softmax is constant 1)", rng.standard_normal((3, 1)),
                  probs(rng.standard_normal((3, 1)))),
        edge_case("large logits (nearly one-hot)", rng.standard_normal((2, 3)),
                  probs(np.array([[50.0, 0.0, -50.0], [-30.0, 30.0, 0.0]]))),
    ]


def _one_hot(labels, k):
    out = np.zeros((len(labels), k))
    out[np.arange(len(labels)), labels] = 1.0
    return out


def _softmax_ce_cases(rng):
    def probs(z):
        return F.softmax_forward(z)[0]

    smooth = np.full((2, 4), 0.1 / 3)
    smooth[[0, 1], [1, 3]] = 0.9
    return [
        fixed_case("3 examples, 3 classes", _one_hot([0, 2, 1], 3),
                   probs(np.array([[2.0, 1.0, 0.1], [0.0, -1.0, 1.0], [0.3, 0.3, 0.3]]))),
        random_case("random 6 examples, 4 classes", _one_hot(rng.integers(0, 4, 6), 4),
                    probs(rng.standard_normal((6, 4)))),
        edge_case("batch of one", _one_hot([1], 3), probs(rng.standard_normal((1, 3)))),
        edge_case("smoothed labels (rows sum to 1)", smooth, probs(rng.standard_normal((2, 4)))),
        edge_case("confident and wrong", _one_hot([2, 0], 3),
                  probs(np.array([[40.0, 0.0, -40.0], [-40.0, 40.0, 0.0]]))),
    ]


_BACKWARD_OF = {F.relu_forward: F.relu_backward, F.sigmoid_forward: F.sigmoid_backward,
                F.tanh_forward: F.tanh_backward, F.linear_forward: F.linear_backward,
                F.softmax_forward: F.softmax_backward}


def _mlp_case(kind, name, rng, n, sizes, forwards, scale=1.0):
    """A case (dout, caches, activation_backwards) for a network with the given layer
    sizes and activations (forward functions), caches made by notebook 01's mlp_forward."""
    x = scale * rng.standard_normal((n, sizes[0]))
    layers = [(rng.standard_normal((d_in, d_out)) / np.sqrt(d_in),
               0.1 * rng.standard_normal(d_out), forward)
              for d_in, d_out, forward in zip(sizes[:-1], sizes[1:], forwards)]
    _, caches = mlp_forward(x, layers)
    dout = rng.standard_normal((n, sizes[-1])) / n
    return kind(name, dout, caches, [_BACKWARD_OF[f] for f in forwards])


def _mlp_cases(rng):
    x = np.array([[1.0, -1.0], [0.5, 2.0]])
    layers = [(np.array([[0.5, -0.4, 0.3], [0.2, 0.6, -0.7]]), np.array([0.1, -0.1, 0.0]),
               F.relu_forward),
              (np.array([[1.0, -1.0], [0.5, 0.5], [-0.3, 0.8]]), np.array([0.0, 0.1]),
               F.linear_forward)]
    _, caches = mlp_forward(x, layers)
    dout = np.array([[0.25, -0.25], [-0.5, 0.5]])
    relu, sigmoid, tanh = F.relu_forward, F.sigmoid_forward, F.tanh_forward
    linear, softmax = F.linear_forward, F.softmax_forward
    return [
        fixed_case("2 -> 3 (relu) -> 2 (linear), 2 examples", dout, caches,
                   [F.relu_backward, F.linear_backward]),
        _mlp_case(random_case, "3 -> 5 (tanh) -> 4 (tanh) -> 2 (linear), 4 examples", rng, 4,
                  (3, 5, 4, 2), (tanh, tanh, linear)),
        _mlp_case(random_case, "the seed's network: 20 -> 10 (relu) -> 1 (sigmoid)", rng, 6,
                  (20, 10, 1), (relu, sigmoid)),
        _mlp_case(random_case, "4 -> 7 (relu) -> 6 (tanh) -> 5 (relu) -> 3 (softmax)", rng, 6,
                  (4, 7, 6, 5, 3), (relu, tanh, relu, softmax)),
        _mlp_case(edge_case, "equal widths: 4 -> 4 (sigmoid) -> 4 (relu) -> 4 (linear)", rng,
                  3, (4, 4, 4, 4), (sigmoid, relu, linear)),
        _mlp_case(edge_case, "one layer only: 3 -> 2 (linear)", rng, 3, (3, 2), (linear,)),
        _mlp_case(edge_case, "batch of one: 3 -> 4 (tanh) -> 2 (linear)", rng, 1, (3, 4, 2),
                  (tanh, linear)),
        _mlp_case(edge_case, "large inputs: 2 -> 4 (sigmoid) -> 3 (linear)", rng, 3,
                  (2, 4, 3), (sigmoid, linear), scale=50.0),
    ]


# --------------------------------------------------------------------------------------
# Typical mistakes
# --------------------------------------------------------------------------------------
def _dense_transposed_dW(dz, cache):
    x, W = cache
    return dz @ W.T, dz.T @ x, dz.sum(axis=0)


def _dense_dx_no_transpose(dz, cache):
    x, W = cache
    return dz @ W, x.T @ dz, dz.sum(axis=0)


def _dense_no_bias_sum(dz, cache):
    x, W = cache
    return dz @ W.T, x.T @ dz, dz


def _dense_mean_db(dz, cache):
    x, W = cache
    return dz @ W.T, x.T @ dz, dz.mean(axis=0)


def _dense_sign(dz, cache):
    x, W = cache
    return -(dz @ W.T), -(x.T @ dz), -dz.sum(axis=0)


def _dense_dW_over_N(dz, cache):
    x, W = cache
    return dz @ W.T, x.T @ dz / x.shape[0], dz.sum(axis=0) / x.shape[0]


def _dense_db_axis1(dz, cache):
    x, W = cache
    return dz @ W.T, x.T @ dz, dz.sum(axis=1)


def _dense_db_total(dz, cache):
    x, W = cache
    return dz @ W.T, x.T @ dz, np.sum(dz)


def _dense_db_keepdims(dz, cache):
    x, W = cache
    return dz @ W.T, x.T @ dz, dz.sum(axis=0, keepdims=True)


def _dense_wrong_order(dz, cache):
    x, W = cache
    return x.T @ dz, dz @ W.T, dz.sum(axis=0)


def _dense_dx_transposed(dz, cache):
    x, W = cache
    return W @ dz.T, x.T @ dz, dz.sum(axis=0)


def _dense_elementwise(dz, cache):
    x, W = cache
    return dz * W.T, x.T * dz, dz.sum(axis=0)


def _relu_no_mask(da, cache):
    return da


def _relu_mask_ge(da, cache):
    return da * (cache >= 0)


def _relu_mask_of_da(da, cache):
    return da * (da > 0)


def _relu_mask_only(da, cache):
    return (cache > 0).astype(da.dtype)


def _relu_times_relu(da, cache):
    return da * np.maximum(cache, 0)


def _relu_sign(da, cache):
    return da * np.sign(cache)


def _relu_matmul(da, cache):
    return da @ (cache > 0)


def _sigmoid_cache_as_z(da, cache):
    s = F.sigmoid_forward(cache)[0]
    return da * s * (1 - s)


def _sigmoid_no_da(da, cache):
    return cache * (1 - cache)


def _sigmoid_one_minus_a(da, cache):
    return da * (1 - cache)


def _sigmoid_sign(da, cache):
    return da * cache * (cache - 1)


def _sigmoid_precedence(da, cache):
    return da * cache * 1 - cache


def _sigmoid_matmul(da, cache):
    return da @ (cache * (1 - cache)).T


def _sigmoid_added(da, cache):
    return da + cache * (1 - cache)


def _tanh_not_squared(da, cache):
    return da * (1 - cache)


def _tanh_cache_as_z(da, cache):
    return da * (1 - np.tanh(cache) ** 2)


def _tanh_no_da(da, cache):
    return 1 - cache * cache


def _tanh_plus(da, cache):
    return da * (1 + cache * cache)


def _tanh_square_of_difference(da, cache):
    return da * (1 - cache) ** 2


def _tanh_no_one(da, cache):
    return da * cache ** 2


def _tanh_matmul(da, cache):
    return da @ (1 - cache ** 2).T


def _tanh_precedence(da, cache):
    return 1 - da * cache ** 2


def _softmax_diagonal(da, cache):
    a = cache
    return da * a * (1 - a)


def _softmax_no_sum(da, cache):
    return cache * da


def _softmax_sum_axis0(da, cache):
    a = cache
    return a * (da - (da * a).sum(axis=0, keepdims=True))


def _softmax_sign(da, cache):
    a = cache
    return a * (da + (da * a).sum(axis=-1, keepdims=True))


def _softmax_global_sum(da, cache):
    a = cache
    return a * (da - np.sum(da * a))


def _softmax_no_keepdims(da, cache):
    a = cache
    return a * (da - (da * a).sum(axis=1))


def _softmax_no_factor_a(da, cache):
    a = cache
    return da - (da * a).sum(axis=-1, keepdims=True)


def _softmax_sum_of_da(da, cache):
    a = cache
    return a * (da - da.sum(axis=-1, keepdims=True))


def _softmax_matrix_product(da, cache):
    a = cache
    return a * (da - da @ a.T)


def _ce_no_mean(y_true, p):
    return p - y_true


def _ce_over_size(y_true, p):
    return (p - y_true) / p.size


def _ce_sign(y_true, p):
    return (y_true - p) / p.shape[0]


def _ce_grad_wrt_p(y_true, p):
    return F.categorical_crossentropy_grad(y_true, p)


def _ce_precedence(y_true, p):
    return p - y_true / p.shape[0]


def _ce_over_classes(y_true, p):
    return (p - y_true) / p.shape[1]


def _ce_batch_mean(y_true, p):
    return np.mean(p - y_true, axis=0)


def _ce_floor_division(y_true, p):
    return (p - y_true) // p.shape[0]


def _ce_notebook_N(y_true, p):
    # what `(p - y_true) / N` gives while checking: the notebook's global N is out of reach
    raise NameError("name 'N' is not defined")


def _mlp_no_activation(dout, caches, activation_backwards):
    grads = []
    d = dout
    for dense_cache, _activation_cache in reversed(caches):
        d, dW, db = F.dense_backward(d, dense_cache)
        grads.append((dW, db))
    return grads[::-1]


def _mlp_reversed_grads(dout, caches, activation_backwards):
    grads = []
    d = dout
    for layer in reversed(range(len(caches))):
        dense_cache, activation_cache = caches[layer]
        dz = activation_backwards[layer](d, activation_cache)
        d, dW, db = F.dense_backward(dz, dense_cache)
        grads.append((dW, db))
    return grads


def _mlp_backwards_not_reversed(dout, caches, activation_backwards):
    grads = []
    d = dout
    for (dense_cache, activation_cache), backward in zip(reversed(caches),
                                                        activation_backwards):
        dz = backward(d, activation_cache)
        d, dW, db = F.dense_backward(dz, dense_cache)
        grads.append((dW, db))
    return grads[::-1]


def _mlp_activation_after_dense(dout, caches, activation_backwards):
    grads = []
    d = dout
    for layer in reversed(range(len(caches))):
        dense_cache, activation_cache = caches[layer]
        d, dW, db = F.dense_backward(d, dense_cache)
        d = activation_backwards[layer](d, activation_cache)
        grads.append((dW, db))
    return grads[::-1]


def _mlp_keeps_dx(dout, caches, activation_backwards):
    grads = []
    d = dout
    for layer in reversed(range(len(caches))):
        dense_cache, activation_cache = caches[layer]
        dz = activation_backwards[layer](d, activation_cache)
        d, dW, db = F.dense_backward(dz, dense_cache)
        grads.append((d, dW, db))
    return grads[::-1]


def _mlp_dout_every_layer(dout, caches, activation_backwards):
    grads = []
    for layer in reversed(range(len(caches))):
        dense_cache, activation_cache = caches[layer]
        dz = activation_backwards[layer](dout, activation_cache)
        _, dW, db = F.dense_backward(dz, dense_cache)
        grads.append((dW, db))
    return grads[::-1]


def _mlp_passes_dz(dout, caches, activation_backwards):
    grads = []
    d = dout
    for layer in reversed(range(len(caches))):
        dense_cache, activation_cache = caches[layer]
        dz = activation_backwards[layer](d, activation_cache)
        _, dW, db = F.dense_backward(dz, dense_cache)
        grads.append((dW, db))
        d = dz
    return grads[::-1]


def _mlp_forward_order(dout, caches, activation_backwards):
    grads = []
    d = dout
    for layer in range(len(caches)):
        dense_cache, activation_cache = caches[layer]
        dz = activation_backwards[layer](d, activation_cache)
        d, dW, db = F.dense_backward(dz, dense_cache)
        grads.append((dW, db))
    return grads


def _mlp_flat(dout, caches, activation_backwards):
    flat = []
    for dW, db in mlp_backward(dout, caches, activation_backwards):
        flat += [dW, db]
    return flat


def _mlp_return_in_loop(dout, caches, activation_backwards):
    grads = []
    d = dout
    for layer in reversed(range(len(caches))):
        dense_cache, activation_cache = caches[layer]
        dz = activation_backwards[layer](d, activation_cache)
        d, dW, db = F.dense_backward(dz, dense_cache)
        grads.append((dW, db))
        return grads


def _mlp_over_N(dout, caches, activation_backwards):
    n = dout.shape[0]
    return [(dW / n, db / n) for dW, db in mlp_backward(dout, caches, activation_backwards)]


# --------------------------------------------------------------------------------------
# The registry
# --------------------------------------------------------------------------------------
EXERCISES = [
    Exercise(
        id="dense_backward",
        title="Dense, backward",
        notebook=NOTEBOOK,
        points=3,
        difficulty=2,
        reference=F.dense_backward,
        cases=_dense_cases,
        outputs=("dx", "dW", "db"),
        mistakes=[
            ("transposed dW", _dense_transposed_dW,
             "your dW is transposed: it must have W's shape (D, M), which only x.T @ dz "
             "gives ((D, N) @ (N, M))."),
            ("dx without W.T", _dense_dx_no_transpose,
             "dx must have x's shape (N, D): dz (N, M) @ W.T (M, D). You multiplied by W "
             "instead of W.T."),
            ("no sum for db", _dense_no_bias_sum,
             "db must have b's shape (M,): the bias is added to every example, so sum dz "
             "over the batch, dz.sum(axis=0)."),
            ("db averaged", _dense_mean_db,
             "db is the sum of dz over the batch, not the mean: any 1/N is already "
             "inside dz (it came from the loss)."),
            ("sign error", _dense_sign,
             "every gradient has the wrong sign. The chain rule only multiplies dz by "
             "local derivatives (x, W, 1): no minus sign appears."),
            ("divided by N again", _dense_dW_over_N,
             "you divided by the batch size. The loss's gradient already carries the "
             "1/N; dividing again makes every step N times too small."),
            ("db summed over axis 1", _dense_db_axis1,
             "axis 1 runs over the units, giving one number per example. db has b's shape "
             "(M,): sum over the batch, dz.sum(axis=0)."),
            ("db summed over everything", _dense_db_total,
             "np.sum(dz) adds every entry into one number; db has b's shape (M,), one "
             "number per unit: dz.sum(axis=0)."),
            ("db with keepdims", _dense_db_keepdims,
             "keepdims=True leaves db with shape (1, M); b has shape (M,). Drop keepdims: "
             "dz.sum(axis=0)."),
            ("outputs in the wrong order", _dense_wrong_order,
             "return the three gradients in the order (dx, dW, db)."),
            ("dx transposed", _dense_dx_transposed,
             "W @ dz.T has shape (D, N), the transpose of x. dx must have x's shape "
             "(N, D): dz @ W.T."),
            ("* instead of @", _dense_elementwise,
             "* multiplies entry by entry; the sums over units and examples need matrix "
             "products: dx = dz @ W.T and dW = x.T @ dz."),
        ],
        hints=[
            "Write z_nj = sum_i x_ni W_ij + b_j and ask which entries of z each weight, "
            "each input and each bias touches.",
            "Let the shapes guide you: dx is (N, D), dW is (D, M), db is (M,); dz is (N, M).",
            "dx = dz @ W.T, dW = x.T @ dz, db = dz.sum(axis=0).",
        ],
    ),
    Exercise(
        id="relu_backward",
        title="ReLU, backward",
        notebook=NOTEBOOK,
        points=1,
        difficulty=1,
        reference=F.relu_backward,
        cases=_relu_cases,
        mistakes=[
            ("no mask", _relu_no_mask,
             "your ReLU passes gradient where z < 0: multiply da by the mask (z > 0)."),
            ("mask z >= 0", _relu_mask_ge,
             "at z = 0 the gradient should be 0 (the convention of Keras, PyTorch and "
             "TensorFlow): use (z > 0), not (z >= 0)."),
            ("mask of da", _relu_mask_of_da,
             "the mask comes from the forward input z (the cache), not from da."),
            ("mask only", _relu_mask_only,
             "you returned the local derivative (z > 0) alone; the chain rule multiplies "
             "it by the upstream gradient da."),
            ("times relu(z)", _relu_times_relu,
             "you multiplied da by relu(z) = max(z, 0), the function's VALUE. The chain "
             "rule needs its SLOPE, 1 where z > 0 and 0 elsewhere: da * (z > 0)."),
            ("np.sign as the mask", _relu_sign,
             "np.sign(z) is -1 where z < 0, which flips the gradient there instead of "
             "stopping it. The mask is (z > 0): 1 or 0."),
            ("matrix product", _relu_matmul,
             "@ is a matrix product. An element-wise activation's backward multiplies "
             "entry by entry: da * (z > 0)."),
        ],
        hints=[
            "ReLU is the identity where z > 0 and constant 0 elsewhere. What is its slope?",
            "The local derivative is the mask (z > 0); the chain rule multiplies it by da.",
            "One line: return da * (z > 0), with z = cache.",
        ],
    ),
    Exercise(
        id="sigmoid_backward",
        title="Sigmoid, backward",
        notebook=NOTEBOOK,
        points=1,
        difficulty=1,
        reference=F.sigmoid_backward,
        cases=_elementwise_cases(F.sigmoid_forward),
        mistakes=[
            ("cache taken for z", _sigmoid_cache_as_z,
             "the cache already holds a = sigmoid(z), the forward output. Use it "
             "directly: da * a * (1 - a); applying the sigmoid again is wrong."),
            ("forgot da", _sigmoid_no_da,
             "you returned the local derivative a * (1 - a) alone; multiply it by the "
             "upstream gradient da."),
            ("1 - a only", _sigmoid_one_minus_a,
             "the sigmoid's slope is a * (1 - a): you left out the factor a."),
            ("sign error", _sigmoid_sign,
             "wrong sign: the sigmoid is increasing, so its slope a * (1 - a) is positive."),
            ("da * a * 1 - a", _sigmoid_precedence,
             "da * a * 1 - a is (da * a) - a: multiplication comes before subtraction. "
             "Write da * a * (1 - a)."),
            ("matrix product", _sigmoid_matmul,
             "@ (or np.dot) is a matrix product. An element-wise activation's backward "
             "multiplies entry by entry: da * a * (1 - a)."),
            ("added instead of multiplied", _sigmoid_added,
             "the chain rule MULTIPLIES the upstream gradient by the local slope: "
             "da * a * (1 - a), not da + a * (1 - a)."),
        ],
        hints=[
            "The slope of the sigmoid can be written with its output alone.",
            "sigmoid'(z) = a * (1 - a) with a = sigmoid(z), which is what the cache holds.",
            "One line: return da * a * (1 - a), with a = cache.",
        ],
    ),
    Exercise(
        id="tanh_backward",
        title="tanh, backward",
        notebook=NOTEBOOK,
        points=1,
        difficulty=1,
        reference=F.tanh_backward,
        cases=_elementwise_cases(F.tanh_forward),
        mistakes=[
            ("1 - a", _tanh_not_squared,
             "tanh's slope is 1 - a**2: square the output a before subtracting."),
            ("cache taken for z", _tanh_cache_as_z,
             "the cache already holds a = tanh(z). Use 1 - a**2 directly; do not apply "
             "tanh again."),
            ("forgot da", _tanh_no_da,
             "you returned the local derivative 1 - a**2 alone; multiply it by da."),
            ("1 + a**2", _tanh_plus,
             "tanh's slope is 1 - a**2 (at most 1, at z = 0), not 1 + a**2."),
            ("(1 - a)**2", _tanh_square_of_difference,
             "(1 - a)**2 squares the difference; the slope squares a first: 1 - a**2."),
            ("a**2 without 1 -", _tanh_no_one,
             "the slope is 1 - a**2, not a**2: it is largest (1) at z = 0, where a = 0."),
            ("matrix product", _tanh_matmul,
             "@ (or np.dot) is a matrix product. An element-wise activation's backward "
             "multiplies entry by entry: da * (1 - a**2)."),
            ("1 - da * a**2", _tanh_precedence,
             "1 - da * a**2 multiplies da into the a**2 term only. Multiply da by the whole "
             "slope: da * (1 - a**2)."),
        ],
        hints=[
            "Like the sigmoid, tanh's slope can be written with its output a = tanh(z).",
            "d tanh(z)/dz = 1 - tanh(z)**2 = 1 - a**2.",
            "One line: return da * (1 - a * a), with a = cache.",
        ],
    ),
    Exercise(
        id="softmax_backward",
        title="Softmax, backward (Jacobian-vector product)",
        notebook=NOTEBOOK,
        points=2,
        difficulty=2,
        reference=F.softmax_backward,
        cases=_softmax_cases,
        mistakes=[
            ("diagonal only", _softmax_diagonal,
             "you kept only the diagonal of the Jacobian, a_k (1 - a_k). Softmax mixes "
             "the classes: every z_j changes every a_k, so dz = a * (da - sum_k da_k a_k)."),
            ("no sum term", _softmax_no_sum,
             "you left out the term that couples the classes: subtract "
             "sum_k(da_k * a_k) from da, per row, before multiplying by a."),
            ("sum over the batch", _softmax_sum_axis0,
             "the sum runs over the classes of one example (axis=-1, keepdims=True), not "
             "over the batch (axis=0)."),
            ("sign error", _softmax_sign,
             "the coupling term is subtracted: dz = a * (da - sum_k da_k a_k)."),
            ("sum over the whole batch", _softmax_global_sum,
             "np.sum(da * a) without an axis adds over every example and class. Each row "
             "is its own softmax: (da * a).sum(axis=-1, keepdims=True)."),
            ("no keepdims", _softmax_no_keepdims,
             "(da * a).sum(axis=1) has shape (N,), which broadcasts against the columns "
             "of (N, K). Keep the axis: .sum(axis=-1, keepdims=True) has shape (N, 1)."),
            ("forgot the factor a", _softmax_no_factor_a,
             "the whole bracket is multiplied by a: dz = a * (da - sum_k da_k a_k)."),
            ("sum of da alone", _softmax_sum_of_da,
             "the coupling term weights each da_k by its probability: sum_k da_k * a_k, "
             "that is (da * a).sum(axis=-1, keepdims=True), not da.sum(...)."),
            ("da @ a.T", _softmax_matrix_product,
             "da @ a.T is an (N, N) matrix that mixes different examples. Per example you "
             "need the dot product of its own rows: (da * a).sum(axis=-1, keepdims=True)."),
        ],
        hints=[
            "Write the Jacobian of one row: da_k/dz_j = a_k (delta_kj - a_j).",
            "dz_j = sum_k da_k a_k (delta_kj - a_j) = a_j (da_j - sum_k da_k a_k).",
            "a = cache; return a * (da - (da * a).sum(axis=-1, keepdims=True)).",
        ],
    ),
    Exercise(
        id="softmax_categorical_crossentropy_grad",
        title="Softmax + cross-entropy, fused gradient",
        notebook=NOTEBOOK,
        points=1,
        difficulty=1,
        reference=F.softmax_categorical_crossentropy_grad,
        cases=_softmax_ce_cases,
        mistakes=[
            ("no 1/N", _ce_no_mean,
             "the loss is averaged over the batch (1/N sum_n), so its gradient carries "
             "a factor 1/N: divide by p.shape[0]."),
            ("divided by N*K", _ce_over_size,
             "divide by the number of examples N = p.shape[0], not by p.size = N * K: the "
             "loss sums over the classes and averages over the examples."),
            ("sign error", _ce_sign,
             "wrong sign: the gradient is (p - y) / N, so raising the score of the "
             "true class lowers the loss."),
            ("dL/dp instead of dL/dz", _ce_grad_wrt_p,
             "you returned dL/dp = -y / p / N, the gradient with respect to the "
             "probabilities. This exercise wants dL/dz (through the softmax as well), "
             "where everything cancels to (p - y) / N."),
            ("p - y / N", _ce_precedence,
             "p - y_true / N divides only y by N (division comes before subtraction). Put "
             "the difference in parentheses: (p - y_true) / p.shape[0]."),
            ("divided by K", _ce_over_classes,
             "p.shape[1] is the number of classes K. Divide by the number of examples "
             "N = p.shape[0]."),
            ("averaged over the batch", _ce_batch_mean,
             "np.mean(..., axis=0) collapses the batch into one row. The gradient has one "
             "row per example, shape (N, K): (p - y_true) / N."),
            ("integer division", _ce_floor_division,
             "// is floor division, which rounds down to whole numbers. Use /."),
            ("the notebook's N", _ce_notebook_N,
             "N must be the batch size of the p you are given: p.shape[0]. The notebook's "
             "N (4, from section 2) belongs to another example."),
        ],
        hints=[
            "Chain the two gradients: dL/dp = -y / p / N, then the softmax's backward.",
            "a * (da - sum_k da_k a_k) with da = -y / (N a) gives (-y + a * sum_k y_k) / N "
            "= (a - y) / N when each row of y sums to 1.",
            "One line: return (p - y_true) / p.shape[0].",
        ],
    ),
    Exercise(
        id="mlp_backward",
        title="Backprop through a whole MLP",
        notebook=NOTEBOOK,
        points=3,
        difficulty=3,
        reference=mlp_backward,
        cases=_mlp_cases,
        depends=("dense_backward",),
        mistakes=[
            ("no activation backward", _mlp_no_activation,
             "the activations were skipped: in each layer, first pass the gradient through "
             "the layer's activation backward (with its activation_cache), then through "
             "dense_backward."),
            ("grads in reverse order", _mlp_reversed_grads,
             "your list starts with the last layer. grads must follow the order of the "
             "layers, first layer first: reverse the list at the end (or insert each pair "
             "at the front)."),
            ("backward functions not reversed", _mlp_backwards_not_reversed,
             "you walk the caches from the last layer but the activation_backwards from "
             "the first: layer l needs activation_backwards[l]. Index both with the same "
             "layer number."),
            ("activation after dense", _mlp_activation_after_dense,
             "inside a layer the backward pass runs the forward steps in reverse: the "
             "activation came last in the forward pass, so its backward comes first, then "
             "dense_backward."),
            ("divided by N again", _mlp_over_N,
             "you divided by the batch size. dout already carries the loss's 1/N; "
             "dense_backward sums over the batch and must not average again."),
            ("kept dx in grads", _mlp_keeps_dx,
             "each entry of grads is the pair (dW, db). dx is not a parameter's gradient: "
             "it becomes the upstream gradient d of the layer below."),
            ("dout for every layer", _mlp_dout_every_layer,
             "every layer started from dout. Only the last layer receives dout; each other "
             "layer receives the dx returned by the layer above it: d, dW, db = "
             "dense_backward(dz, dense_cache)."),
            ("passed dz down, not dx", _mlp_passes_dz,
             "the layer below needs dL/d(its output) = the dx that dense_backward returns, "
             "not this layer's dz: d, dW, db = dense_backward(dz, dense_cache)."),
            ("layers in forward order", _mlp_forward_order,
             "the backward pass starts at the LAST layer, where dout belongs, and walks to "
             "the first: for layer in reversed(range(len(caches)))."),
            ("one flat list", _mlp_flat,
             "return one (dW, db) pair per layer, grads.append((dW, db)), not a flat list "
             "[dW1, db1, dW2, db2, ...]."),
            ("return inside the loop", _mlp_return_in_loop,
             "your `return` is indented inside the loop, so the function stops after the "
             "last layer. Return after the loop has visited every layer."),
        ],
        hints=[
            "Go through the layers from the last to the first. Each layer turns the "
            "gradient of its output into the gradient of its input, and collects dW and "
            "db on the way.",
            "For layer l: dz = activation_backwards[l](d, activation_cache); then "
            "d, dW, db = dense_backward(dz, dense_cache).",
            "for layer in reversed(range(len(caches))): ... grads.append((dW, db)); at the "
            "end grads.reverse() and return grads.",
        ],
    ),
]
