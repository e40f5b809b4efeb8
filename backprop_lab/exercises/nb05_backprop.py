"""Exercises of notebook 05_backprop_layers: the backward pass of every layer, a fused loss
gradient, backprop through a whole multi-layer perceptron, and backward passes the learner
derives with nothing given but the forward pass.

The layer and loss functions are those of ``backprop_lab.functional`` (same names, same
signatures): the learner writes, line for line, what the package uses.  ``mlp_backward``
assembles them into the backward pass of notebook 01's ``mlp_forward(x, layers)``, whose
caches it walks from the end.

The "derive it yourself" exercises (difficulty 4 and 5: the gates, leaky ReLU, softplus, a
dense layer with an L2 penalty, a product of two learned projections, layer normalisation;
ELU and the squared error after a sigmoid as optional checks) are about functions the
package does not have.  Their references live here, with the forward functions the notebook
gives (the same code; a test compares them).  (The derived loss gradients, Huber and hinge,
are notebook 02's.)
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
# Derive it yourself: the forward functions the notebook gives, and the references of the
# backward passes the learner derives (functions the package does not have)
# --------------------------------------------------------------------------------------
def multiply_forward(x, y):
    """The multiply gate, entry by entry: out = x * y.

    x, y: arrays of the same shape.  Returns out (that shape) and cache = (x, y).
    """
    return x * y, (x, y)


def multiply_backward(dout, cache):
    """Backward of out = x * y: each input gets dout times the OTHER input.

    dout: dL/d(out), the shape of x and y.  Returns (dx, dy) = (dout * y, dout * x).
    """
    x, y = cache
    return dout * y, dout * x


def maximum_forward(x, y):
    """The max gate, entry by entry: out = max(x, y).

    x, y: arrays of the same shape.  Returns out (that shape) and cache = (x, y).
    """
    return np.maximum(x, y), (x, y)


def maximum_backward(dout, cache):
    """Backward of out = max(x, y): dout goes to the larger input; at a tie (x == y) it is
    split evenly, half to each (the choice of PyTorch and autograd).  Returns (dx, dy)."""
    x, y = cache
    share_x = np.where(x > y, 1.0, np.where(x == y, 0.5, 0.0))
    return dout * share_x, dout * (1.0 - share_x)


def leaky_relu_forward(z, alpha=0.01):
    """Leaky ReLU: a = z where z > 0, alpha * z elsewhere.

    z: any shape.  alpha: the slope for z <= 0.  Returns a and cache = (z, alpha).
    """
    return np.where(z > 0, z, alpha * z), (z, alpha)


def leaky_relu_backward(da, cache):
    """Backward of leaky ReLU: dz = da * (1 where z > 0, alpha elsewhere).  At the kink
    z = 0 the slope is alpha, the left-hand one (like relu_backward's 0 there)."""
    z, alpha = cache
    return da * np.where(z > 0, 1.0, alpha)


def softplus_forward(z):
    """Softplus a = log(1 + e^z), computed without overflow.  z: any shape.
    Returns a and cache = z."""
    return np.logaddexp(0.0, z), z


def softplus_backward(da, cache):
    """Backward of softplus: dz = da * sigmoid(z), the sigmoid computed without overflow."""
    z = cache
    return da * F.sigmoid_forward(z)[0]


def dense_l2_backward(dz, cache, l2):
    """Backward of a dense layer whose kernel carries Keras's L2 penalty l2 * sum(W**2).

    dz: (N, M) dL/dz of the data loss.  cache: (x, W) from dense_forward.  l2: >= 0.
    Returns (dx, dW, db) of the total loss L + l2 * sum(W**2): only dW changes, by 2 l2 W.
    """
    dx, dW, db = F.dense_backward(dz, cache)
    _, W = cache
    return dx, dW + 2.0 * l2 * W, db


def bilinear_forward(x, U, V):
    """The element-wise product of two learned projections: out = (x @ U) * (x @ V).

    x: (N, D).  U, V: (D, M).  Returns out (N, M) and cache = (x, U, V, p, q) with
    p = x @ U and q = x @ V.
    """
    p = x @ U
    q = x @ V
    return p * q, (x, U, V, p, q)


def bilinear_backward(dout, cache):
    """Backward of out = (x @ U) * (x @ V).  dout: (N, M).  Returns (dx, dU, dV).

    The multiply gate gives dp = dout * q and dq = dout * p; each projection is a dense
    layer; x feeds both, so its two gradients add up.
    """
    x, U, V, p, q = cache
    dp = dout * q
    dq = dout * p
    return dp @ U.T + dq @ V.T, x.T @ dp, x.T @ dq


def layer_norm_forward(x, gamma, beta, eps=1e-5):
    """Layer normalisation: each row (example) normalised over its features, then scaled
    and shifted.

    x: (N, D).  gamma, beta: (D,).  eps: added to the variance under the square root.
    Returns out (N, D) and cache = (x_hat (N, D), inv_std (N, 1), gamma (D,)), with
    inv_std = 1 / sqrt(var + eps).
    """
    mu = x.mean(axis=1, keepdims=True)
    var = ((x - mu) ** 2).mean(axis=1, keepdims=True)
    inv_std = 1.0 / np.sqrt(var + eps)
    x_hat = (x - mu) * inv_std
    return gamma * x_hat + beta, (x_hat, inv_std, gamma)


def layer_norm_backward(dout, cache):
    """Backward of layer_norm_forward.  dout: (N, D).  Returns (dx, dgamma, dbeta).

        dx_hat = dout * gamma
        dx     = inv_std * (dx_hat - mean(dx_hat) - x_hat * mean(dx_hat * x_hat))
    with the means over the features of each row; dgamma and dbeta sum over the batch.
    """
    x_hat, inv_std, gamma = cache
    dx_hat = dout * gamma
    dx = inv_std * (dx_hat - dx_hat.mean(axis=1, keepdims=True)
                    - x_hat * (dx_hat * x_hat).mean(axis=1, keepdims=True))
    return dx, (dout * x_hat).sum(axis=0), dout.sum(axis=0)


def elu_forward(z, alpha=1.0):
    """ELU: a = z where z > 0, alpha * (e^z - 1) elsewhere.

    z: any shape.  alpha: > 0.  Returns a and cache = (z, alpha).
    """
    return np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0.0))), (z, alpha)


def elu_backward(da, cache):
    """Backward of ELU: dz = da * (1 where z > 0, alpha * e^z elsewhere; alpha at z = 0)."""
    z, alpha = cache
    return da * np.where(z > 0, 1.0, alpha * np.exp(np.minimum(z, 0.0)))


def sigmoid_squared_error_grad(y_true, z):
    """dL/dz for L = 1/2 * sum (y - sigmoid(z))**2, the article's loss after a sigmoid
    output: (p - y) * p * (1 - p) with p = sigmoid(z).  y_true, z: the same shape."""
    p = F.sigmoid_forward(z)[0]
    return (p - y_true) * p * (1 - p)


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
        edge_case("one example, one input, one unit: dx and dW keep the shape (1, 1)",
                  rng.standard_normal((1, 1)),
                  (rng.standard_normal((1, 1)), rng.standard_normal((1, 1)))),
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
        _mlp_case(edge_case, "one example, one unit per layer: 1 -> 1 (sigmoid) -> 1 "
                  "(linear), every dW of shape (1, 1)", rng, 1, (1, 1, 1), (sigmoid, linear)),
        _mlp_case(edge_case, "large inputs: 2 -> 4 (sigmoid) -> 3 (linear)", rng, 3,
                  (2, 4, 3), (sigmoid, linear), scale=50.0),
    ]


# Cases of the exercises the learner derives ---------------------------------------------
def _gate_case(kind, name, dout, x, y, forward):
    return kind(name, dout, forward(x, y)[1])


def _multiply_cases(rng):
    x = np.array([[1.0, -2.0, 3.0], [0.5, 4.0, -1.0]])
    y = np.array([[2.0, 0.5, -1.0], [-3.0, 1.0, 2.0]])
    dout = np.array([[1.0, -1.0, 0.5], [2.0, 0.0, -0.5]])
    same = rng.standard_normal((3, 3))
    cases = [
        ("fixed", "2x3 example", dout, x, y),
        ("random", "random 4x5 inputs", rng.standard_normal((4, 5)),
         rng.standard_normal((4, 5)), rng.standard_normal((4, 5))),
        ("edge", "x equals y", rng.standard_normal((3, 3)), same, same.copy()),
        ("edge", "one column (5, 1)", rng.standard_normal((5, 1)),
         rng.standard_normal((5, 1)), rng.standard_normal((5, 1))),
        ("edge", "batch of one", rng.standard_normal((1, 4)), rng.standard_normal((1, 4)),
         rng.standard_normal((1, 4))),
        ("edge", "zero upstream gradient", np.zeros((2, 3)), x, y),
        ("edge", "large magnitudes", 1e3 * rng.standard_normal((3, 2)),
         1e6 * rng.standard_normal((3, 2)), 1e6 * rng.standard_normal((3, 2))),
    ]
    kinds = {"fixed": fixed_case, "random": random_case, "edge": edge_case}
    return [_gate_case(kinds[k], n, d, a, b, multiply_forward) for k, n, d, a, b in cases]


def _maximum_cases(rng):
    x = np.array([[1.0, -2.0, 3.0], [0.5, 0.5, -1.0]])
    y = np.array([[0.0, -2.0, 4.0], [0.5, 1.0, -3.0]])  # ties at [0, 1] and [1, 0]
    tie = rng.standard_normal((3, 4))
    one = rng.standard_normal((1, 4))
    one_y = rng.standard_normal((1, 4))
    one_y[0, 2] = one[0, 2]
    cases = [
        ("fixed", "2x3 example with two ties", np.array([[1.0, 2.0, -1.0], [0.5, -2.0, 3.0]]),
         x, y),
        ("random", "random 4x3 inputs (no ties)", rng.standard_normal((4, 3)),
         rng.standard_normal((4, 3)), rng.standard_normal((4, 3))),
        ("edge", "ties everywhere (x equals y)", rng.standard_normal((3, 4)), tie, tie.copy()),
        ("edge", "x and y both zero", rng.standard_normal((2, 2)), np.zeros((2, 2)),
         np.zeros((2, 2))),
        ("edge", "batch of one with one tie", rng.standard_normal((1, 4)), one, one_y),
        ("edge", "non-square 3x5", rng.standard_normal((3, 5)), rng.standard_normal((3, 5)),
         rng.standard_normal((3, 5))),
        ("edge", "large magnitudes", 1e6 * rng.standard_normal((3, 2)),
         1e6 * rng.standard_normal((3, 2)), 1e6 * rng.standard_normal((3, 2))),
    ]
    kinds = {"fixed": fixed_case, "random": random_case, "edge": edge_case}
    return [_gate_case(kinds[k], n, d, a, b, maximum_forward) for k, n, d, a, b in cases]


def _leaky_relu_cases(rng):
    def cache(z, alpha):
        return leaky_relu_forward(z, alpha)[1]

    z_fixed = np.array([[1.0, -2.0, 3.0], [-1.0, 0.5, -0.5]])
    kinks = np.array([[0.0, -1.0, 0.0, 2.0], [0.0, 3.0, -3.0, 1.0]])
    return [
        fixed_case("2x3 example, alpha = 0.01",
                   np.array([[0.5, 1.0, -1.0], [2.0, -3.0, 0.1]]), cache(z_fixed, 0.01)),
        random_case("random 5x3 input, alpha = 0.2", rng.standard_normal((5, 3)),
                    cache(rng.standard_normal((5, 3)), 0.2)),
        edge_case("z = 0 in places (the kink), alpha = 0.1", rng.standard_normal((2, 4)),
                  cache(kinks, 0.1)),
        edge_case("z = 0 everywhere, alpha = 0.3", rng.standard_normal((2, 3)),
                  cache(np.zeros((2, 3)), 0.3)),
        edge_case("alpha = 0 (plain ReLU)", rng.standard_normal((3, 3)),
                  cache(rng.standard_normal((3, 3)), 0.0)),
        edge_case("batch of one, alpha = 0.05", rng.standard_normal((1, 4)),
                  cache(rng.standard_normal((1, 4)), 0.05)),
        edge_case("large magnitudes, alpha = 0.01", 1e6 * rng.standard_normal((3, 2)),
                  cache(1e6 * rng.standard_normal((3, 2)), 0.01)),
    ]


def _softplus_cases(rng):
    return [
        fixed_case("2x3 example", np.array([[0.5, 1.0, -1.0], [2.0, -3.0, 0.1]]),
                   np.array([[1.0, -2.0, 3.0], [-1.0, 0.5, 0.0]])),
        random_case("random 5x3 input", rng.standard_normal((5, 3)),
                    2 * rng.standard_normal((5, 3))),
        edge_case("z = 0 everywhere", rng.standard_normal((2, 3)), np.zeros((2, 3))),
        edge_case("batch of one", rng.standard_normal((1, 4)), rng.standard_normal((1, 4))),
        edge_case("large positive z (up to 1000)", rng.standard_normal((1, 4)),
                  np.array([[30.0, 100.0, 710.0, 1000.0]])),
        edge_case("large negative z (down to -1000)", rng.standard_normal((1, 4)),
                  np.array([[-30.0, -100.0, -710.0, -1000.0]])),
        edge_case("large upstream gradients", 1e6 * rng.standard_normal((3, 2)),
                  rng.standard_normal((3, 2))),
    ]


def _labels(rng, shape):
    return rng.choice([-1.0, 1.0], size=shape)


def _dense_l2_cases(rng):
    x = np.array([[1.0, -2.0, 0.5], [0.0, 1.0, -1.0]])
    W = np.array([[0.2, -0.1, 0.4, 1.5], [0.5, 0.3, -0.2, 0.1], [-0.3, 0.8, 0.1, -0.6]])
    dz = np.array([[1.0, 0.0, -1.0, 0.5], [-0.5, 2.0, 0.0, 1.0]])
    x5, W5 = rng.standard_normal((5, 3)), rng.standard_normal((3, 2))
    x3, W3 = rng.standard_normal((3, 3)), rng.standard_normal((3, 3))
    x1, W1 = rng.standard_normal((1, 4)), rng.standard_normal((4, 2))
    return [
        fixed_case("2 examples, 3 inputs, 4 units, l2 = 0.01", dz, (x, W), 0.01),
        random_case("random 5x3 input, 2 units, l2 = 0.1", rng.standard_normal((5, 2)),
                    (x5, W5), 0.1),
        edge_case("l2 = 0 (no penalty)", rng.standard_normal((5, 2)), (x5, W5), 0.0),
        edge_case("zero upstream gradient (the penalty alone), l2 = 0.5", np.zeros((5, 2)),
                  (x5, W5), 0.5),
        edge_case("batch of one, l2 = 0.01", rng.standard_normal((1, 2)), (x1, W1), 0.01),
        edge_case("square shapes, l2 = 1", rng.standard_normal((3, 3)), (x3, W3), 1.0),
        edge_case("large magnitudes, l2 = 0.001", 1e6 * rng.standard_normal((5, 2)),
                  (1e3 * x5, W5), 0.001),
    ]


def _bilinear_case(kind, name, dout, x, U, V):
    return kind(name, dout, bilinear_forward(x, U, V)[1])


def _bilinear_cases(rng):
    x = np.array([[1.0, -2.0, 0.5], [0.0, 1.0, -1.0]])
    U = np.array([[0.2, -0.1], [0.5, 0.3], [-0.3, 0.8]])
    V = np.array([[1.0, 0.5], [-0.4, 0.2], [0.6, -0.7]])
    U_same = rng.standard_normal((3, 2))
    return [
        _bilinear_case(fixed_case, "2 examples, 3 inputs, 2 units",
                       np.array([[1.0, -0.5], [0.25, 2.0]]), x, U, V),
        _bilinear_case(random_case, "random 5x3 input, 4 units", rng.standard_normal((5, 4)),
                       rng.standard_normal((5, 3)), rng.standard_normal((3, 4)),
                       rng.standard_normal((3, 4))),
        _bilinear_case(edge_case, "U equals V (out = (x U) squared)",
                       rng.standard_normal((4, 2)), rng.standard_normal((4, 3)), U_same,
                       U_same.copy()),
        _bilinear_case(edge_case, "batch of one", rng.standard_normal((1, 2)),
                       rng.standard_normal((1, 4)), rng.standard_normal((4, 2)),
                       rng.standard_normal((4, 2))),
        _bilinear_case(edge_case, "square shapes (3 examples, 3 inputs, 3 units)",
                       rng.standard_normal((3, 3)), rng.standard_normal((3, 3)),
                       rng.standard_normal((3, 3)), rng.standard_normal((3, 3))),
        _bilinear_case(edge_case, "zero upstream gradient", np.zeros((2, 2)), x, U, V),
        _bilinear_case(edge_case, "large magnitudes", 1e3 * rng.standard_normal((3, 2)),
                       1e3 * rng.standard_normal((3, 3)), rng.standard_normal((3, 2)),
                       rng.standard_normal((3, 2))),
    ]


def _layer_norm_forward_cases(rng):
    x = np.array([[1.0, 2.0, 3.0, 4.0], [-1.0, 0.0, 0.0, 5.0]])
    constant = rng.standard_normal((3, 4))
    constant[1] = 2.5
    small = 1e-2 * rng.standard_normal((3, 5))
    return [
        fixed_case("2 examples, 4 features", x, np.ones(4), np.zeros(4)),
        random_case("random 5x3 with gamma and beta", rng.standard_normal((5, 3)),
                    rng.standard_normal(3), rng.standard_normal(3)),
        random_case("random 4x6, eps = 0.1", rng.standard_normal((4, 6)),
                    rng.standard_normal(6), rng.standard_normal(6), eps=0.1),
        edge_case("a constant row (variance 0)", constant, rng.standard_normal(4),
                  rng.standard_normal(4)),
        edge_case("small variance (features close together), with its default eps",
                  small, np.ones(5), np.zeros(5)),
        edge_case("the same, with eps = 1e-5 written out", small, np.ones(5), np.zeros(5),
                  eps=1e-5),
        edge_case("batch of one", rng.standard_normal((1, 5)), rng.standard_normal(5),
                  rng.standard_normal(5)),
        edge_case("square: 4 examples, 4 features", rng.standard_normal((4, 4)),
                  rng.standard_normal(4), rng.standard_normal(4)),
        edge_case("large offset (1e8 plus noise of size 1)",
                  1e8 + rng.standard_normal((3, 4)), np.ones(4), np.zeros(4)),
    ]


def _layer_norm_case(kind, name, dout, x, gamma):
    cache = layer_norm_forward(x, gamma, np.zeros_like(gamma))[1]
    return kind(name, dout, cache)


def _layer_norm_backward_cases(rng):
    x = np.array([[1.0, 2.0, 3.0, 4.0], [-1.0, 0.0, 0.0, 5.0]])
    gamma = np.array([1.0, 0.5, -1.0, 2.0])
    constant = rng.standard_normal((3, 4))
    constant[1] = -1.5
    return [
        _layer_norm_case(fixed_case, "2 examples, 4 features",
                         np.array([[1.0, -1.0, 0.5, 0.0], [0.25, 2.0, -0.5, 1.0]]), x, gamma),
        _layer_norm_case(random_case, "random 5x3", rng.standard_normal((5, 3)),
                         rng.standard_normal((5, 3)), rng.standard_normal(3)),
        _layer_norm_case(random_case, "random 3x6", rng.standard_normal((3, 6)),
                         2 * rng.standard_normal((3, 6)) + 1, rng.standard_normal(6)),
        _layer_norm_case(edge_case, "a constant row (x_hat = 0 there)",
                         rng.standard_normal((3, 4)), constant, rng.standard_normal(4)),
        _layer_norm_case(edge_case, "batch of one", rng.standard_normal((1, 5)),
                         rng.standard_normal((1, 5)), rng.standard_normal(5)),
        _layer_norm_case(edge_case, "square: 4 examples, 4 features",
                         rng.standard_normal((4, 4)), rng.standard_normal((4, 4)),
                         rng.standard_normal(4)),
        _layer_norm_case(edge_case, "two features", rng.standard_normal((4, 2)),
                         rng.standard_normal((4, 2)), rng.standard_normal(2)),
        _layer_norm_case(edge_case, "large upstream gradient (1e6)",
                         1e6 * rng.standard_normal((3, 4)), rng.standard_normal((3, 4)),
                         rng.standard_normal(4)),
    ]


def _elu_cases(rng):
    def cache(z, alpha):
        return elu_forward(z, alpha)[1]

    kinks = np.array([[0.0, -1.0, 0.0, 2.0], [0.0, 0.5, -3.0, 1.0]])
    return [
        fixed_case("2x3 example, alpha = 1", np.array([[0.5, 1.0, -1.0], [2.0, -3.0, 0.1]]),
                   cache(np.array([[1.0, -2.0, 3.0], [-1.0, 0.5, -0.5]]), 1.0)),
        random_case("random 5x3 input, alpha = 0.5", rng.standard_normal((5, 3)),
                    cache(2 * rng.standard_normal((5, 3)), 0.5)),
        edge_case("z = 0 in places (the kink), alpha = 2", rng.standard_normal((2, 4)),
                  cache(kinks, 2.0)),
        edge_case("very negative z (down to -800), alpha = 1", rng.standard_normal((1, 4)),
                  cache(np.array([[-5.0, -40.0, -700.0, -800.0]]), 1.0)),
        edge_case("large positive z (up to 800), alpha = 0.5", rng.standard_normal((1, 3)),
                  cache(np.array([[5.0, 100.0, 800.0]]), 0.5)),
        edge_case("batch of one, alpha = 1.5", rng.standard_normal((1, 4)),
                  cache(rng.standard_normal((1, 4)), 1.5)),
    ]


def _sigmoid_squared_error_cases(rng):
    return [
        fixed_case("5 examples, z from -40 to 40, y = 1", np.ones((5, 1)),
                   np.array([[-40.0], [-10.0], [0.0], [10.0], [40.0]])),
        random_case("random 6x1, labels 0 or 1", rng.integers(0, 2, (6, 1)).astype(float),
                    2 * rng.standard_normal((6, 1))),
        random_case("random 4x3, targets in [0, 1]", rng.uniform(size=(4, 3)),
                    rng.standard_normal((4, 3))),
        edge_case("z = 0 everywhere", rng.uniform(size=(3, 2)), np.zeros((3, 2))),
        edge_case("batch of one", np.array([[1.0, 0.0]]), rng.standard_normal((1, 2))),
        edge_case("very large |z| (1000)", np.array([[1.0, 0.0], [0.0, 1.0]]),
                  np.array([[-1000.0, 1000.0], [-1000.0, 1000.0]])),
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


def _relu_in_place(da, cache):
    da[cache <= 0] = 0
    return da


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


def _sigmoid_forgot_one_minus(da, cache):
    return da * cache


def _sigmoid_in_place(da, cache):
    da *= cache * (1 - cache)
    return da


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


def _tanh_sigmoid_slope(da, cache):
    return da * cache * (1 - cache)


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


def _mlp_first_layer_skipped(dout, caches, activation_backwards):
    grads = []
    d = dout
    for layer in range(len(caches) - 1, 0, -1):  # stops before layer 0
        dense_cache, activation_cache = caches[layer]
        dz = activation_backwards[layer](d, activation_cache)
        d, dW, db = F.dense_backward(dz, dense_cache)
        grads.append((dW, db))
    grads.reverse()
    return grads


def _mlp_last_layer_skipped(dout, caches, activation_backwards):
    grads = []
    d = dout
    for layer in reversed(range(len(caches) - 1)):  # starts below the last layer
        dense_cache, activation_cache = caches[layer]
        dz = activation_backwards[layer](d, activation_cache)
        d, dW, db = F.dense_backward(dz, dense_cache)
        grads.append((dW, db))
    grads.reverse()
    return grads


def _mlp_over_N(dout, caches, activation_backwards):
    n = dout.shape[0]
    return [(dW / n, db / n) for dW, db in mlp_backward(dout, caches, activation_backwards)]


# Typical mistakes in the derived backward passes ------------------------------------------
def _multiply_not_swapped(dout, cache):
    x, y = cache
    return dout * x, dout * y


def _multiply_no_dout(dout, cache):
    x, y = cache
    return y * 1.0, x * 1.0


def _multiply_like_add(dout, cache):
    return dout * 1.0, dout * 1.0


def _multiply_matmul(dout, cache):
    x, y = cache
    return dout @ y.T, x.T @ dout


def _maximum_ties_twice(dout, cache):
    x, y = cache
    return dout * (x >= y), dout * (y >= x)


def _maximum_ties_dropped(dout, cache):
    x, y = cache
    return dout * (x > y), dout * (y > x)


def _maximum_ties_to_x(dout, cache):
    x, y = cache
    return dout * (x >= y), dout * (y > x)


def _maximum_to_smaller(dout, cache):
    x, y = cache
    return dout * (x < y), dout * (y < x)


def _maximum_no_dout(dout, cache):
    x, y = cache
    share_x = np.where(x > y, 1.0, np.where(x == y, 0.5, 0.0))
    return share_x, 1.0 - share_x


def _maximum_like_add(dout, cache):
    return dout * 1.0, dout * 1.0


def _leaky_no_alpha(da, cache):
    z, alpha = cache
    return da * (z > 0)


def _leaky_alpha_where_positive(da, cache):
    z, alpha = cache
    return da * np.where(z > 0, alpha, 1.0)


def _leaky_mask_ge(da, cache):
    z, alpha = cache
    return da * np.where(z >= 0, 1.0, alpha)


def _leaky_fixed_alpha(da, cache):
    z, alpha = cache
    return da * np.where(z > 0, 1.0, 0.01)


def _leaky_alpha_without_da(da, cache):
    z, alpha = cache
    return da * (z > 0) + alpha * (z <= 0)


def _leaky_no_da(da, cache):
    z, alpha = cache
    return np.where(z > 0, 1.0, alpha)


def _leaky_times_value(da, cache):
    z, alpha = cache
    return da * np.where(z > 0, z, alpha * z)


def _softplus_value(da, cache):
    return da * np.logaddexp(0.0, cache)


def _softplus_no_da(da, cache):
    return F.sigmoid_forward(cache)[0]


def _softplus_sigmoid_of_minus_z(da, cache):
    return da * F.sigmoid_forward(-cache)[0]


def _softplus_sigmoid_slope(da, cache):
    s = F.sigmoid_forward(cache)[0]
    return da * s * (1 - s)


def _softplus_exp_ratio(da, cache):
    e = np.exp(cache)
    return da * e / (1 + e)


def _softplus_textbook_sigmoid(da, cache):
    return da / (1 + np.exp(-cache))


def _softplus_no_denominator(da, cache):
    return da * np.exp(cache)


def _l2_no_penalty(dz, cache, l2):
    return F.dense_backward(dz, cache)


def _l2_no_factor_two(dz, cache, l2):
    dx, dW, db = F.dense_backward(dz, cache)
    return dx, dW + l2 * cache[1], db


def _l2_over_N(dz, cache, l2):
    dx, dW, db = F.dense_backward(dz, cache)
    return dx, dW + 2.0 * l2 * cache[1] / dz.shape[0], db


def _l2_subtracted(dz, cache, l2):
    dx, dW, db = F.dense_backward(dz, cache)
    return dx, dW - 2.0 * l2 * cache[1], db


def _l2_summed(dz, cache, l2):
    dx, dW, db = F.dense_backward(dz, cache)
    return dx, dW + 2.0 * l2 * cache[1].sum(), db


def _l2_value(dz, cache, l2):
    dx, dW, db = F.dense_backward(dz, cache)
    return dx, dW + l2 * cache[1] ** 2, db


def _bilinear_one_path(dout, cache):
    x, U, V, p, q = cache
    dp, dq = dout * q, dout * p
    return dp @ U.T, x.T @ dp, x.T @ dq


def _bilinear_not_swapped(dout, cache):
    x, U, V, p, q = cache
    dp, dq = dout * p, dout * q
    return dp @ U.T + dq @ V.T, x.T @ dp, x.T @ dq


def _bilinear_no_other_factor(dout, cache):
    x, U, V, p, q = cache
    return dout @ U.T + dout @ V.T, x.T @ dout, x.T @ dout


def _bilinear_paths_multiplied(dout, cache):
    x, U, V, p, q = cache
    dp, dq = dout * q, dout * p
    return (dp @ U.T) * (dq @ V.T), x.T @ dp, x.T @ dq


def _bilinear_transposed(dout, cache):
    x, U, V, p, q = cache
    dp, dq = dout * q, dout * p
    return dp @ U.T + dq @ V.T, dp.T @ x, dq.T @ x


def _bilinear_no_transpose(dout, cache):
    x, U, V, p, q = cache
    dp, dq = dout * q, dout * p
    return dp @ U + dq @ V, x.T @ dp, x.T @ dq


def _ln_forward(x, gamma, beta, eps, axis=1, ddof=0, eps_inside=True, keepdims=True):
    """A layer-norm forward with one of the typical slips switched on."""
    mu = x.mean(axis=axis, keepdims=keepdims)
    var = ((x - mu) ** 2).sum(axis=axis, keepdims=keepdims) / (x.shape[axis] - ddof)
    inv_std = 1.0 / np.sqrt(var + eps) if eps_inside else 1.0 / (np.sqrt(var) + eps)
    x_hat = (x - mu) * inv_std
    return gamma * x_hat + beta, (x_hat, inv_std, gamma)


def _ln_batch_axis(x, gamma, beta, eps=1e-5):
    return _ln_forward(x, gamma, beta, eps, axis=0)


def _ln_ddof(x, gamma, beta, eps=1e-5):
    return _ln_forward(x, gamma, beta, eps, ddof=1)


def _ln_eps_outside(x, gamma, beta, eps=1e-5):
    return _ln_forward(x, gamma, beta, eps, eps_inside=False)


def _ln_no_eps(x, gamma, beta, eps=1e-5):
    return _ln_forward(x, gamma, beta, 0.0)


def _ln_no_keepdims(x, gamma, beta, eps=1e-5):
    return _ln_forward(x, gamma, beta, eps, keepdims=False)


def _ln_one_pass_variance(x, gamma, beta, eps=1e-5):
    mu = x.mean(axis=1, keepdims=True)
    var = (x * x).mean(axis=1, keepdims=True) - mu * mu
    inv_std = 1.0 / np.sqrt(var + eps)
    x_hat = (x - mu) * inv_std
    return gamma * x_hat + beta, (x_hat, inv_std, gamma)


def _ln_no_gamma_beta(x, gamma, beta, eps=1e-5):
    _, cache = layer_norm_forward(x, gamma, beta, eps)
    return cache[0], cache


def _ln_keras_default(x, gamma, beta, eps=1e-3):
    return layer_norm_forward(x, gamma, beta, eps)


def _ln_std_in_cache(x, gamma, beta, eps=1e-5):
    out, (x_hat, inv_std, gamma) = layer_norm_forward(x, gamma, beta, eps)
    return out, (x_hat, 1.0 / inv_std, gamma)


def _lnb_parts(dout, cache):
    x_hat, inv_std, gamma = cache
    return x_hat, inv_std, dout * gamma, (dout * x_hat).sum(axis=0), dout.sum(axis=0)


def _lnb_batch_axis(dout, cache):
    x_hat, inv_std, dx_hat, dgamma, dbeta = _lnb_parts(dout, cache)
    dx = inv_std * (dx_hat - dx_hat.mean(axis=0) - x_hat * (dx_hat * x_hat).mean(axis=0))
    return dx, dgamma, dbeta


def _lnb_no_mean_term(dout, cache):
    x_hat, inv_std, dx_hat, dgamma, dbeta = _lnb_parts(dout, cache)
    dx = inv_std * (dx_hat - x_hat * (dx_hat * x_hat).mean(axis=1, keepdims=True))
    return dx, dgamma, dbeta


def _lnb_no_variance_term(dout, cache):
    x_hat, inv_std, dx_hat, dgamma, dbeta = _lnb_parts(dout, cache)
    dx = inv_std * (dx_hat - dx_hat.mean(axis=1, keepdims=True))
    return dx, dgamma, dbeta


def _lnb_constants(dout, cache):
    x_hat, inv_std, dx_hat, dgamma, dbeta = _lnb_parts(dout, cache)
    return inv_std * dx_hat, dgamma, dbeta


def _lnb_no_gamma(dout, cache):
    x_hat, inv_std, gamma = cache
    return layer_norm_backward(dout, (x_hat, inv_std, np.ones_like(gamma)))[0], \
        (dout * x_hat).sum(axis=0), dout.sum(axis=0)


def _lnb_ddof(dout, cache):
    x_hat, inv_std, dx_hat, dgamma, dbeta = _lnb_parts(dout, cache)
    D = x_hat.shape[1]
    dx = inv_std * (dx_hat - dx_hat.mean(axis=1, keepdims=True)
                    - x_hat * (dx_hat * x_hat).sum(axis=1, keepdims=True) / (D - 1))
    return dx, dgamma, dbeta


def _lnb_variance_sign(dout, cache):
    x_hat, inv_std, dx_hat, dgamma, dbeta = _lnb_parts(dout, cache)
    dx = inv_std * (dx_hat - dx_hat.mean(axis=1, keepdims=True)
                    + x_hat * (dx_hat * x_hat).mean(axis=1, keepdims=True))
    return dx, dgamma, dbeta


def _lnb_not_summed(dout, cache):
    dx = layer_norm_backward(dout, cache)[0]
    return dx, dout * cache[0], dout * 1.0


def _lnb_summed_over_features(dout, cache):
    dx = layer_norm_backward(dout, cache)[0]
    return dx, (dout * cache[0]).sum(axis=1), dout.sum(axis=1)


def _lnb_dgamma_without_x_hat(dout, cache):
    dx, _, dbeta = layer_norm_backward(dout, cache)
    return dx, dout.sum(axis=0), dbeta


def _elu_no_alpha(da, cache):
    z, alpha = cache
    return da * np.where(z > 0, 1.0, np.exp(np.minimum(z, 0.0)))


def _elu_forward_formula(da, cache):
    z, alpha = cache
    return da * np.where(z > 0, 1.0, alpha * np.expm1(np.minimum(z, 0.0)))


def _elu_mask_ge(da, cache):
    z, alpha = cache
    return da * np.where(z >= 0, 1.0, alpha * np.exp(np.minimum(z, 0.0)))


def _elu_no_da(da, cache):
    z, alpha = cache
    return np.where(z > 0, 1.0, alpha * np.exp(np.minimum(z, 0.0)))


def _sse_no_slope(y_true, z):
    return F.sigmoid_forward(z)[0] - y_true


def _sse_sign(y_true, z):
    p = F.sigmoid_forward(z)[0]
    return (y_true - p) * p * (1 - p)


def _sse_over_N(y_true, z):
    p = F.sigmoid_forward(z)[0]
    return (p - y_true) * p * (1 - p) / z.shape[0]


def _sse_factor_two(y_true, z):
    p = F.sigmoid_forward(z)[0]
    return 2 * (p - y_true) * p * (1 - p)


def _sse_slope_of_z(y_true, z):
    p = F.sigmoid_forward(z)[0]
    return (p - y_true) * z * (1 - z)


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
        id="multiply_backward",
        title="The multiply gate, backward (derived)",
        notebook=NOTEBOOK,
        points=1,
        difficulty=4,
        reference=multiply_backward,
        cases=_multiply_cases,
        outputs=("dx", "dy"),
        mistakes=[
            ("not swapped", _multiply_not_swapped,
             "you gave each input dout times ITSELF. Hold y fixed and move x: out changes "
             "by y per unit of x, so dx = dout * y, and dy = dout * x: the factors swap."),
            ("forgot dout", _multiply_no_dout,
             "you returned the local derivatives (y, x) alone; the chain rule multiplies "
             "each by the upstream gradient dout."),
            ("like an add gate", _multiply_like_add,
             "you passed dout through unchanged, which is the add gate's rule. For "
             "out = x * y the local derivative of x is y, not 1."),
            ("matrix products", _multiply_matmul,
             "@ is a matrix product, but out = x * y multiplies entry by entry: each "
             "out[n, j] depends on x[n, j] and y[n, j] only, so the gradients are "
             "element-wise products too."),
        ],
        hints=[
            "Take one entry, out = x * y with two numbers. If x moves by a small h while y "
            "stays, how much does out move?",
            "d out / d x = y and d out / d y = x. Each out[n, j] depends only on x[n, j] "
            "and y[n, j], so the Jacobian is diagonal and the vector-Jacobian product is "
            "an element-wise product with dout.",
            "dx = dout ⊙ y and dy = dout ⊙ x: each input receives dout times the other "
            "input.",
        ],
    ),
    Exercise(
        id="maximum_backward",
        title="The max gate, backward (derived)",
        notebook=NOTEBOOK,
        points=2,
        difficulty=4,
        reference=maximum_backward,
        cases=_maximum_cases,
        outputs=("dx", "dy"),
        mistakes=[
            ("ties counted twice", _maximum_ties_twice,
             "at a tie (x == y) you passed the whole of dout to BOTH inputs, so the "
             "gradient doubles there. Split it: dout / 2 to each."),
            ("ties dropped", _maximum_ties_dropped,
             "at a tie (x == y) you passed the gradient to neither input, so it is lost. "
             "Split it: dout / 2 to each."),
            ("ties all to x", _maximum_ties_to_x,
             "at a tie (x == y) you gave all of dout to x, which is TensorFlow's choice. "
             "Any split is a valid subgradient, but this exercise asks for the even split "
             "of PyTorch and autograd: dout / 2 to each."),
            ("routed to the smaller input", _maximum_to_smaller,
             "your masks are swapped: the gradient goes to the input that won, the LARGER "
             "one, because only it reaches the output."),
            ("forgot dout", _maximum_no_dout,
             "you returned the local derivatives (the 0, 1/2 and 1 masks) alone; multiply "
             "them by the upstream gradient dout."),
            ("like an add gate", _maximum_like_add,
             "you passed dout to both inputs unchanged, which is the add gate's rule. The "
             "smaller input does not reach the output at all: its gradient is 0."),
        ],
        hints=[
            "Take one entry with x > y. If x moves by a small h, how much does max(x, y) "
            "move? And if y moves by h?",
            "Where x > y the output is x: slope 1 for x, 0 for y. Where x < y it is the "
            "other way round. The gradient goes to the winner.",
            "Where x == y the two slopes are 1 and 0 or 0 and 1 depending on the side: "
            "split dout evenly. dx = dout ⊙ ([x > y] + ½[x == y]), and dy takes the rest "
            "of dout.",
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
            ("zeroed da in place", _relu_in_place,
             "da[z <= 0] = 0 writes into the caller's array da (the layer above may still "
             "need it). Build a new array: da * (z > 0), or dz = da.copy() first."),
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
            ("forgot (1 - a)", _sigmoid_forgot_one_minus,
             "the sigmoid's slope is a * (1 - a): you left out the factor (1 - a)."),
            ("multiplied da in place", _sigmoid_in_place,
             "`da *= ...` writes into the caller's array da. Return a new array: "
             "da * a * (1 - a)."),
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
            ("the sigmoid's slope", _tanh_sigmoid_slope,
             "a * (1 - a) is the sigmoid's slope; tanh's, written with its output "
             "a = tanh(z), is 1 - a**2."),
        ],
        hints=[
            "Like the sigmoid, tanh's slope can be written with its output a = tanh(z).",
            "d tanh(z)/dz = 1 - tanh(z)**2 = 1 - a**2.",
            "One line: return da * (1 - a * a), with a = cache.",
        ],
    ),
    Exercise(
        id="leaky_relu_backward",
        title="Leaky ReLU, backward (derived)",
        notebook=NOTEBOOK,
        points=2,
        difficulty=4,
        reference=leaky_relu_backward,
        cases=_leaky_relu_cases,
        mistakes=[
            ("forgot alpha", _leaky_no_alpha,
             "you returned ReLU's gradient: 0 where z <= 0. Leaky ReLU's slope there is "
             "alpha (from the cache), not 0."),
            ("alpha where z > 0", _leaky_alpha_where_positive,
             "the slopes are swapped: for z > 0 leaky ReLU is the identity (slope 1); "
             "alpha is the slope for z <= 0."),
            ("mask z >= 0", _leaky_mask_ge,
             "at the kink z = 0 use the slope of the left side, alpha (as relu_backward "
             "uses 0 there): the mask for slope 1 is (z > 0), not (z >= 0)."),
            ("alpha fixed at 0.01", _leaky_fixed_alpha,
             "you used alpha = 0.01 whatever the cache says. Take alpha from the cache: "
             "z, alpha = cache."),
            ("alpha without da", _leaky_alpha_without_da,
             "where z <= 0 you added alpha itself; the chain rule multiplies the slope "
             "alpha by the upstream gradient da there too."),
            ("forgot da", _leaky_no_da,
             "you returned the local slope (1 or alpha) alone; multiply it by the upstream "
             "gradient da."),
            ("times the activation", _leaky_times_value,
             "you multiplied da by the function's VALUE (z or alpha * z). The chain rule "
             "needs its SLOPE: 1 where z > 0, alpha elsewhere."),
        ],
        hints=[
            "Leaky ReLU is made of two straight lines. What is the slope of each?",
            "For z > 0 the function is z; for z < 0 it is alpha * z. At z = 0 pick the "
            "left-hand slope, as relu_backward does.",
            "dz = da ⊙ s, where s = 1 where z > 0 and s = alpha where z ≤ 0.",
        ],
    ),
    Exercise(
        id="softplus_backward",
        title="Softplus, backward (derived, stable)",
        notebook=NOTEBOOK,
        points=2,
        difficulty=4,
        reference=softplus_backward,
        cases=_softplus_cases,
        depends=("sigmoid_forward",),  # F.sigmoid_forward may be used
        floating_point="raise",
        mistakes=[
            ("the value, not the slope", _softplus_value,
             "you multiplied da by softplus(z) itself. The chain rule needs the SLOPE of "
             "log(1 + e^z), which is a different function of z."),
            ("forgot da", _softplus_no_da,
             "you returned the local slope alone; multiply it by the upstream gradient da."),
            ("sigmoid of -z", _softplus_sigmoid_of_minus_z,
             "you have sigmoid(-z) = 1 - sigmoid(z). Softplus is increasing and its slope "
             "tends to 1 for large z: the slope is sigmoid(z)."),
            ("the sigmoid's own slope", _softplus_sigmoid_slope,
             "you used sigmoid(z) * (1 - sigmoid(z)), the slope of the SIGMOID, which is "
             "softplus's second derivative. Differentiate log(1 + e^z) once."),
            ("e^z / (1 + e^z) overflows", _softplus_exp_ratio,
             "np.exp(z) overflows to inf for z > 709 and inf / inf is NaN. The slope "
             "e^z / (1 + e^z) is the sigmoid: compute it without overflow, for example "
             "with F.sigmoid_forward(z)[0]."),
            ("textbook sigmoid overflows", _softplus_textbook_sigmoid,
             "1 / (1 + np.exp(-z)) computes exp(1000) for z = -1000: it overflows to inf "
             "(numpy warns). Compute the sigmoid without overflow, for example with "
             "F.sigmoid_forward(z)[0]."),
            ("no denominator", _softplus_no_denominator,
             "you differentiated log(1 + e^z) as e^z, forgetting the derivative of the "
             "log: d log(u) = du / u, so divide by 1 + e^z."),
        ],
        hints=[
            "Softplus is a smooth ReLU: log(1 + e^z). Use the chain rule on the log.",
            "d/dz log(1 + e^z) = e^z / (1 + e^z). Divide numerator and denominator by e^z: "
            "you have met this function before.",
            "The slope is sigmoid(z), so dz = da ⊙ sigmoid(z). For z = ±1000 compute the "
            "sigmoid the way sigmoid_forward does (F.sigmoid_forward), not with a bare "
            "np.exp.",
        ],
    ),
    Exercise(
        id="softmax_backward",
        title="Softmax, backward (vector-Jacobian product)",
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
            ("first layer skipped", _mlp_first_layer_skipped,
             "your grads has one pair too few: the first layer (index 0) is missing. "
             "range(len(caches) - 1, 0, -1) stops before 0; walk every layer with "
             "reversed(range(len(caches))), or range(len(caches) - 1, -1, -1)."),
            ("last layer skipped", _mlp_last_layer_skipped,
             "your loop starts one layer too low: reversed(range(len(caches) - 1)) leaves "
             "out the last layer, the one dout belongs to. Walk every layer with "
             "reversed(range(len(caches)))."),
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
    Exercise(
        id="dense_l2_backward",
        title="Dense layer with an L2 penalty, backward (derived)",
        notebook=NOTEBOOK,
        points=2,
        difficulty=4,
        reference=dense_l2_backward,
        cases=_dense_l2_cases,
        depends=("dense_backward",),
        outputs=("dx", "dW", "db"),
        mistakes=[
            ("no penalty", _l2_no_penalty,
             "you returned the data loss's gradients only. The total loss adds "
             "l2 * sum(W**2), whose gradient with respect to W must be added to dW."),
            ("forgot the factor 2", _l2_no_factor_two,
             "the penalty is l2 * sum(W**2) without a 1/2 (Keras's convention), so its "
             "gradient is 2 * l2 * W, not l2 * W."),
            ("penalty divided by N", _l2_over_N,
             "the penalty is added once to the total loss, not averaged over the batch: "
             "its gradient 2 * l2 * W has no 1/N."),
            ("penalty subtracted", _l2_subtracted,
             "wrong sign on the penalty: it grows with every |W_ij|, so its gradient "
             "+2 * l2 * W points away from 0 (and gradient descent pulls W back)."),
            ("penalty summed into one number", _l2_summed,
             "you added 2 * l2 * W.sum(), one number, to every entry. Each weight has its "
             "own term: dW + 2 * l2 * W, entry by entry."),
            ("the penalty's value", _l2_value,
             "you added l2 * W**2, the penalty's VALUE per weight. dW needs its slope: "
             "d(l2 W_ij^2)/dW_ij = 2 l2 W_ij."),
        ],
        hints=[
            "The total loss is a sum of two terms, and only the second one is new. Which "
            "of x, W, b does the penalty depend on?",
            "Only W: dx and db are exactly dense_backward's. Differentiate l2 * W_ij^2 "
            "with respect to W_ij; every other term of the sum has slope 0.",
            "dW = x^T dz + 2 l2 W; dx and db as in dense_backward.",
        ],
    ),
    Exercise(
        id="bilinear_backward",
        title="Product of two learned projections, backward (derived)",
        notebook=NOTEBOOK,
        points=3,
        difficulty=4,
        reference=bilinear_backward,
        cases=_bilinear_cases,
        outputs=("dx", "dU", "dV"),
        mistakes=[
            ("dx from one path only", _bilinear_one_path,
             "x feeds BOTH projections, p = x U and q = x V, so dx is the sum of two "
             "terms, one through each path."),
            ("factors not swapped", _bilinear_not_swapped,
             "for out = p * q the multiply gate swaps: dp = dout * q and dq = dout * p. "
             "You used each projection's own value."),
            ("forgot the other factor", _bilinear_no_other_factor,
             "out = p * q, so dp = dout * q, not dout: the multiply gate scales the "
             "upstream gradient by the other factor."),
            ("paths multiplied", _bilinear_paths_multiplied,
             "the two paths from x to the loss ADD (a sum over paths); you multiplied "
             "their contributions."),
            ("dU and dV transposed", _bilinear_transposed,
             "dU must have U's shape (D, M): x.T @ dp, (D, N) @ (N, M). Yours is "
             "transposed."),
            ("dx without W.T", _bilinear_no_transpose,
             "each path's dx is a dense layer's: dp @ U.T, with the transpose, so that "
             "(N, M) @ (M, D) has x's shape."),
        ],
        hints=[
            "Draw the graph: x → p = x U and x → q = x V, then out = p ⊙ q. Go backwards "
            "one node at a time with the gates and the dense layer you know.",
            "The multiply node gives dp and dq; each projection is a dense layer without "
            "a bias, which gives dU, dV and a contribution to dx.",
            "dp = dout ⊙ q, dq = dout ⊙ p; dU = xᵀ dp, dV = xᵀ dq; dx = dp Uᵀ + dq Vᵀ "
            "(the two paths add).",
        ],
    ),
    Exercise(
        id="layer_norm_forward",
        title="Layer normalisation, forward",
        notebook=NOTEBOOK,
        points=2,
        difficulty=2,
        reference=layer_norm_forward,
        cases=_layer_norm_forward_cases,
        outputs=("out", "cache"),
        mistakes=[
            ("normalised over the batch axis", _ln_batch_axis,
             "you normalised each FEATURE over the batch (axis 0), which is batch "
             "normalisation. Layer normalisation normalises each ROW over its features: "
             "axis=1, keepdims=True."),
            ("variance with D - 1", _ln_ddof,
             "the variance divides by D, the number of features (np.var's default "
             "ddof=0), not by D - 1."),
            ("epsilon outside the square root", _ln_eps_outside,
             "eps goes under the square root: 1 / sqrt(var + eps), not 1 / (sqrt(var) "
             "+ eps)."),
            ("forgot epsilon", _ln_no_eps,
             "without eps a constant row (variance 0) divides 0 by 0. Add eps to the "
             "variance under the square root: 1 / sqrt(var + eps)."),
            ("no keepdims", _ln_no_keepdims,
             "x.mean(axis=1) has shape (N,), which numpy lines up with the COLUMNS of "
             "(N, D). Keep the axis: x.mean(axis=1, keepdims=True) has shape (N, 1)."),
            ("one-pass variance", _ln_one_pass_variance,
             "mean(x**2) - mean(x)**2 subtracts two huge, nearly equal numbers when the "
             "features share a large offset, and the digits cancel. Compute "
             "mean((x - mu)**2) instead."),
            ("forgot gamma and beta", _ln_no_gamma_beta,
             "out is gamma * x_hat + beta: after normalising, scale by gamma and shift by "
             "beta (they are learned, one per feature)."),
            ("standard deviation in the cache", _ln_std_in_cache,
             "the cache holds inv_std = 1 / sqrt(var + eps), the INVERSE of the standard "
             "deviation, as the exercise states."),
            ("default eps = 1e-3 (Keras's)", _ln_keras_default,
             "1e-3 is the default epsilon of Keras's LayerNormalization; this exercise's "
             "default is eps=1e-5 (def layer_norm_forward(x, gamma, beta, eps=1e-5)), and "
             "on rows of small variance the two differ."),
        ],
        hints=[
            "Each row is one example: compute its mean and variance over the features, "
            "axis=1, keeping the axis so that the results broadcast against (N, D).",
            "inv_std = 1 / np.sqrt(var + eps) has shape (N, 1); x_hat = (x - mu) * inv_std; "
            "out = gamma * x_hat + beta.",
            "mu = x.mean(axis=1, keepdims=True); var = ((x - mu) ** 2).mean(axis=1, "
            "keepdims=True); then inv_std, x_hat and out; return out, (x_hat, inv_std, "
            "gamma).",
        ],
    ),
    Exercise(
        id="layer_norm_backward",
        title="Layer normalisation, backward (derived, capstone)",
        notebook=NOTEBOOK,
        points=4,
        difficulty=5,
        reference=layer_norm_backward,
        cases=_layer_norm_backward_cases,
        outputs=("dx", "dgamma", "dbeta"),
        mistakes=[
            ("normalised over the batch axis", _lnb_batch_axis,
             "your means run over the batch (axis 0), as in batch normalisation. In layer "
             "normalisation mu and var belong to each row: the means in dx run over the "
             "features, axis=1, keepdims=True."),
            ("forgot the mean term", _lnb_no_mean_term,
             "x also reaches x_hat through mu, and that path subtracts the row mean of "
             "dx_hat: dx has a term -mean(dx_hat) per row."),
            ("forgot the variance term", _lnb_no_variance_term,
             "x also reaches x_hat through the variance, and that path gives the term "
             "-x_hat * mean(dx_hat * x_hat) per row."),
            ("mean and variance taken as constants", _lnb_constants,
             "dx = dx_hat * inv_std treats mu and var as constants, but both depend on x: "
             "x reaches x_hat along three paths, and each adds a term."),
            ("forgot gamma", _lnb_no_gamma,
             "out = gamma * x_hat + beta, so dx_hat = dout * gamma (the multiply gate); "
             "you used dout itself."),
            ("variance with D - 1", _lnb_ddof,
             "the forward pass divides the variance by D, so its derivative brings 2 "
             "(x_i - mu) / D, a mean over the features, not a sum divided by D - 1."),
            ("sign of the variance term", _lnb_variance_sign,
             "a larger variance shrinks x_hat, so the variance path enters with a minus: "
             "- x_hat * mean(dx_hat * x_hat)."),
            ("dgamma and dbeta not summed", _lnb_not_summed,
             "gamma and beta have shape (D,) and are used by every example: sum their "
             "gradients over the batch, axis=0."),
            ("dgamma and dbeta summed over the features", _lnb_summed_over_features,
             "dgamma and dbeta have the shape (D,) of gamma and beta: sum over the batch "
             "(axis 0), not over the features."),
            ("dgamma without x_hat", _lnb_dgamma_without_x_hat,
             "out = gamma * x_hat + beta: gamma multiplies x_hat, so dgamma = "
             "sum over the batch of dout * x_hat."),
        ],
        hints=[
            "Start with the easy part: out = gamma ⊙ x_hat + beta is a multiply gate and "
            "an add gate per feature, repeated over the batch. Then dx_hat = dout ⊙ gamma.",
            "Work on one row. Write x_hat_i = (x_i - mu) * s with s = (var + eps)^(-1/2): "
            "x_i reaches the loss directly, through mu and through var. Draw the graph "
            "x → mu → var → s → x_hat.",
            "The local derivatives: d mu/d x_i = 1/D, d var/d x_i = 2 (x_i - mu)/D (the "
            "part through mu vanishes, since the (x_j - mu) add up to 0), d s/d var = "
            "-s³/2.",
            "Collect the three paths: dx_i = s (dx_hat_i - mean_j dx_hat_j - x_hat_i "
            "mean_j(dx_hat_j x_hat_j)), the means over the features of the row.",
        ],
    ),
    Exercise(
        id="elu_backward",
        title="ELU, backward (going further, optional)",
        notebook=NOTEBOOK,
        points=0,
        difficulty=4,
        reference=elu_backward,
        cases=_elu_cases,
        mistakes=[
            ("forgot alpha", _elu_no_alpha,
             "for z <= 0 the function is alpha * (e^z - 1), so its slope is alpha * e^z: "
             "you left out alpha."),
            ("the forward formula, not its slope", _elu_forward_formula,
             "you used alpha * (e^z - 1), the function's VALUE, for z <= 0. Its slope "
             "drops the -1: alpha * e^z."),
            ("mask z >= 0", _elu_mask_ge,
             "at the kink z = 0 use the left-hand slope, alpha * e^0 = alpha (PyTorch's "
             "choice): the mask for slope 1 is (z > 0)."),
            ("forgot da", _elu_no_da,
             "you returned the local slope alone; multiply it by the upstream gradient da."),
        ],
        hints=[
            "ELU is z for z > 0 and alpha * (e^z - 1) for z <= 0. Differentiate each piece.",
            "The slopes are 1 and alpha * e^z; at z = 0 take the left one, alpha.",
            "dz = da ⊙ s with s = 1 where z > 0 and s = alpha e^z elsewhere (which equals "
            "a + alpha there).",
        ],
    ),
    Exercise(
        id="sigmoid_squared_error_grad",
        title="Squared error after a sigmoid, dL/dz (going further, optional)",
        notebook=NOTEBOOK,
        points=0,
        difficulty=2,
        reference=sigmoid_squared_error_grad,
        cases=_sigmoid_squared_error_cases,
        depends=("sigmoid_forward",),  # F.sigmoid_forward may be used
        mistakes=[
            ("forgot the sigmoid's slope", _sse_no_slope,
             "p - y is dL/dp. dL/dz goes through the sigmoid as well: multiply by its "
             "slope p * (1 - p)."),
            ("sign error", _sse_sign,
             "wrong sign: dL/dp = p - y for L = 1/2 (y - p)^2."),
            ("divided by N", _sse_over_N,
             "the article's loss is a SUM, 1/2 * sum (y - p)^2, with no mean: no 1/N."),
            ("factor 2", _sse_factor_two,
             "the 1/2 in 1/2 (y - p)^2 cancels the 2 of the square: dL/dp = p - y."),
            ("slope from z", _sse_slope_of_z,
             "the sigmoid's slope is p * (1 - p) with p = sigmoid(z), not z * (1 - z)."),
        ],
        hints=[
            "Chain two steps: dL/dp for L = 1/2 sum (y - p)^2, then the sigmoid's slope.",
            "dL/dz = (p - y) * p * (1 - p) with p = sigmoid(z), as in the section on fusing "
            "the output activation with the loss.",
            "p = F.sigmoid_forward(z)[0]; return (p - y_true) * p * (1 - p).",
        ],
    ),
]
