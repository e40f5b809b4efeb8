"""Exercises of notebook 01_forward_pass: a neuron, a dense layer, activations, an MLP.

The references of ``dense_forward``, ``relu_forward``, ``sigmoid_forward`` and
``softmax_forward`` are the functions of ``backprop_lab.functional`` themselves: the
learner writes what the package runs.  ``neuron_forward`` and ``mlp_forward`` are defined
here; ``mlp_forward`` composes the functional core exactly as ``layers.Dense`` does.
"""
import math

import numpy as np

from .. import functional as F
from ..grading.spec import Exercise, edge_case, fixed_case, random_case

NOTEBOOK = "01_forward_pass"


# --------------------------------------------------------------------------------------
# References defined here
# --------------------------------------------------------------------------------------
def neuron_forward(x, w, b, activation):
    """One neuron: ``a = activation(sum_i w_i * x_i + b)``.

    x: (D,) one example.  w: (D,) the neuron's weights.  b: a number, its bias.
    activation: a function of one number, e.g. ``np.tanh``.
    Returns a, a float.
    """
    z = np.dot(w, x) + b
    return float(activation(z))


def mlp_forward(x, layers):
    """Forward pass through a stack of dense layers, each followed by its activation.

    x: (N, D) inputs, one row per example.
    layers: a list of (W, b, activation_forward) triples, first layer first:
        W (D_l, M_l), b (M_l,), and an activation's forward function such as
        ``relu_forward`` (it returns (a, cache)).  M_l must equal D_(l+1).
    For every layer:  z = dense_forward(a, W, b);  a = activation_forward(z).
    Returns out: (N, M_L), the last layer's activation, and caches: a list with one
    (dense_cache, activation_cache) pair per layer, in layer order.
    """
    caches = []
    a = x
    for W, b, activation_forward in layers:
        z, dense_cache = dense_forward(a, W, b)
        a, activation_cache = activation_forward(z)
        caches.append((dense_cache, activation_cache))
    return a, caches


dense_forward = F.dense_forward  # what mlp_forward calls (the reference in this module)


# --------------------------------------------------------------------------------------
# neuron_forward
# --------------------------------------------------------------------------------------
def _relu_of_a_number(z):
    return max(z, 0.0)


def _identity(z):
    return z


def _neuron_cases(rng):
    return [
        fixed_case("3 inputs, tanh", np.array([1.0, 2.0, -1.0]), np.array([0.5, -0.3, 0.8]),
                   0.1, np.tanh),
        fixed_case("3 inputs, relu", np.array([2.0, -1.0, 0.5]), np.array([0.4, 0.2, -1.0]),
                   0.3, _relu_of_a_number),
        random_case("random 5 inputs, tanh", rng.standard_normal(5), rng.standard_normal(5),
                    float(rng.standard_normal()), np.tanh),
        random_case("random 20 inputs, identity", rng.standard_normal(20),
                    rng.standard_normal(20), float(rng.standard_normal()), _identity),
        edge_case("all-zero input (only the bias is left)", np.zeros(4),
                  rng.standard_normal(4), -0.7, np.tanh),
        edge_case("a single input", np.array([3.0]), np.array([-0.5]), 2.0, _relu_of_a_number),
        edge_case("large magnitudes", 1e3 * rng.standard_normal(6), rng.standard_normal(6),
                  0.5, np.tanh),
    ]


def _neuron_no_bias(x, w, b, activation):
    return float(activation(np.dot(w, x)))


def _neuron_bias_after_activation(x, w, b, activation):
    return float(activation(np.dot(w, x)) + b)


def _neuron_no_activation(x, w, b, activation):
    return float(np.dot(w, x) + b)


def _neuron_no_sum(x, w, b, activation):
    return activation(w * x + b)


def _neuron_bias_per_input(x, w, b, activation):
    return float(activation(np.sum(w * x + b)))


def _neuron_always_tanh(x, w, b, activation):
    return float(np.tanh(np.dot(w, x) + b))


def _neuron_returns_activation(x, w, b, activation):
    return activation


def _neuron_activation_of_inputs(x, w, b, activation):
    return float(np.dot(w, activation(x)) + b)


# --------------------------------------------------------------------------------------
# dense_forward
# --------------------------------------------------------------------------------------
def _dense_cases(rng):
    return [
        fixed_case("2 examples, 3 features, 2 units",
                   np.array([[1.0, 2.0, 3.0], [-1.0, 0.0, 2.0]]),
                   np.array([[0.1, -0.2], [0.3, 0.4], [-0.5, 0.6]]), np.array([0.5, -1.0])),
        random_case("random 5x4 input, 3 units", rng.standard_normal((5, 4)),
                    rng.standard_normal((4, 3)), rng.standard_normal(3)),
        random_case("random square: 3 examples, 3 features, 3 units",
                    rng.standard_normal((3, 3)), rng.standard_normal((3, 3)),
                    rng.standard_normal(3)),
        random_case("the seed's output layer: 10 features, 1 unit", rng.standard_normal((6, 10)),
                    rng.standard_normal((10, 1)), rng.standard_normal(1)),
        edge_case("batch of one", rng.standard_normal((1, 4)), rng.standard_normal((4, 3)),
                  rng.standard_normal(3)),
        edge_case("one example, one unit: z keeps its shape (1, 1)",
                  rng.standard_normal((1, 3)), rng.standard_normal((3, 1)),
                  rng.standard_normal(1)),
        edge_case("all-zero input (the output is the bias)", np.zeros((3, 2)),
                  rng.standard_normal((2, 4)), rng.standard_normal(4)),
        edge_case("large magnitudes", 1e6 * rng.standard_normal((4, 2)),
                  rng.standard_normal((2, 5)), 1e6 * rng.standard_normal(5)),
    ]


def _dense_w_at_x(x, W, b):
    z = W @ x + b
    return z, (x, W)


def _dense_no_bias(x, W, b):
    z = x @ W
    return z, (x, W)


def _dense_bias_as_column(x, W, b):
    z = x @ W + b.reshape(-1, 1)
    return z, (x, W)


def _dense_no_cache(x, W, b):
    return x @ W + b


def _dense_cache_with_b(x, W, b):
    z = x @ W + b
    return z, (x, W, b)


def _dense_transposed_W(x, W, b):
    z = x @ W.T + b
    return z, (x, W)


def _dense_cache_first(x, W, b):
    z = x @ W + b
    return (x, W), z


def _dense_cache_W_x(x, W, b):
    z = x @ W + b
    return z, (W, x)


def _dense_flat_cache(x, W, b):
    z = x @ W + b
    return z, x, W


def _dense_elementwise(x, W, b):
    z = x * W + b
    return z, (x, W)


def _dense_squeezed(x, W, b):
    z = np.squeeze(x @ W + b)
    return z, (x, W)


def _dense_bias_summed(x, W, b):
    z = x @ W + np.sum(b)
    return z, (x, W)


# --------------------------------------------------------------------------------------
# relu_forward
# --------------------------------------------------------------------------------------
def _relu_cases(rng):
    return [
        fixed_case("2x3 example", np.array([[1.0, -2.0, 0.0], [-0.5, 3.0, -4.0]])),
        random_case("random 5x4 input", rng.standard_normal((5, 4))),
        random_case("random vector of 7", rng.standard_normal(7)),
        edge_case("all zeros (the kink)", np.zeros((2, 3))),
        edge_case("all negative", -1.0 - rng.uniform(size=(3, 2))),
        edge_case("batch of one", rng.standard_normal((1, 5))),
        edge_case("large magnitudes", 1e6 * rng.standard_normal((3, 4))),
    ]


def _relu_np_max(z):
    a = np.max(z, 0)
    return a, z


def _relu_builtin_max(z):
    a = max(z, 0)
    return a, z


def _relu_cache_a(z):
    a = np.maximum(z, 0)
    return a, a


def _relu_in_place(z):
    z[z < 0] = 0
    return z, z


def _relu_no_cache(z):
    return np.maximum(z, 0)


def _relu_abs(z):
    return np.abs(z), z


def _relu_mask(z):
    return z > 0, z


# --------------------------------------------------------------------------------------
# sigmoid_forward
# --------------------------------------------------------------------------------------
def _sigmoid_cases(rng):
    return [
        fixed_case("2x3 example", np.array([[-2.0, -1.0, 0.0], [1.0, 2.0, 3.0]])),
        random_case("random 4x3 input", 5.0 * rng.standard_normal((4, 3))),
        random_case("random vector of 6", rng.standard_normal(6)),
        edge_case("zeros (sigmoid(0) = 0.5)", np.zeros((2, 2))),
        edge_case("batch of one", rng.standard_normal((1, 4))),
        edge_case("|z| up to 1e4", np.array([[-1e4, -1e3, -710.0, -50.0],
                                              [50.0, 710.0, 1e3, 1e4]])),
        edge_case("large positive z only", np.array([[800.0, 1e4], [36.0, 1e3]])),
        edge_case("large negative z only", np.array([[-800.0, -1e4], [-36.0, -1e3]])),
    ]


def _sigmoid_exp_over_one_plus_exp(z):
    e = np.exp(z)
    a = e / (1 + e)
    return a, a


def _sigmoid_textbook(z):
    a = 1 / (1 + np.exp(-z))
    return a, a


def _sigmoid_where_both_forms(z):
    a = np.where(z >= 0, 1 / (1 + np.exp(-z)), np.exp(z) / (1 + np.exp(z)))
    return a, a


def _sigmoid_sign(z):
    a = 1 / (1 + np.exp(z))
    return a, a


def _sigmoid_abs_no_branch(z):
    e = np.exp(-np.abs(z))
    a = 1 / (1 + e)
    return a, a


def _sigmoid_cache_z(z):
    e = np.exp(-np.abs(z))
    a = np.where(z >= 0, 1.0, e) / (1.0 + e)
    return a, z


def _sigmoid_no_cache(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0, e) / (1.0 + e)


def _sigmoid_math_exp(z):
    a = 1 / (1 + math.exp(-z))
    return a, a


# --------------------------------------------------------------------------------------
# softmax_forward
# --------------------------------------------------------------------------------------
def _softmax_cases(rng):
    return [
        fixed_case("2x3 example", np.array([[1.0, 2.0, 3.0], [0.5, 0.5, -1.0]])),
        random_case("random 4x5 scores", 2.0 * rng.standard_normal((4, 5))),
        random_case("random square 3x3 scores", 2.0 * rng.standard_normal((3, 3))),
        edge_case("large logits in one row, small in the other",
                  np.array([[1000.0, 1001.0, 1002.0], [1.0, 2.0, 3.0]])),
        edge_case("very negative logits", np.array([[-1e4, -1e4 + 1.0, -1e4 + 3.0, -1e4]])),
        edge_case("rows whose logits span 2000",
                  np.array([[-1000.0, 0.0, 1000.0], [1000.0, 1001.0, 3002.0]])),
        edge_case("all equal (uniform)", np.full((2, 4), 7.0)),
        edge_case("batch of one", rng.standard_normal((1, 6))),
    ]


def _softmax_axis0(z):
    e = np.exp(z - z.max(axis=0, keepdims=True))
    a = e / e.sum(axis=0, keepdims=True)
    return a, a


def _softmax_no_shift(z):
    e = np.exp(z)
    a = e / e.sum(axis=1, keepdims=True)
    return a, a


def _softmax_global_max(z):
    e = np.exp(z - np.max(z))
    a = e / e.sum(axis=1, keepdims=True)
    return a, a


def _softmax_no_keepdims(z):
    e = np.exp(z - z.max(axis=1))
    a = e / e.sum(axis=1)
    return a, a


def _softmax_cache_z(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    a = e / e.sum(axis=1, keepdims=True)
    return a, z


def _softmax_min_shift(z):
    e = np.exp(z - z.min(axis=1, keepdims=True))
    a = e / e.sum(axis=1, keepdims=True)
    return a, a


def _softmax_mean_shift(z):
    e = np.exp(z - z.mean(axis=1, keepdims=True))
    a = e / e.sum(axis=1, keepdims=True)
    return a, a


def _softmax_global_sum(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    a = e / e.sum()
    return a, a


def _softmax_no_cache(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _softmax_whole_batch(z):
    e = np.exp(z - np.max(z))
    a = e / np.sum(e)
    return a, a


def _softmax_sigmoid_per_entry(z):
    a = F.sigmoid_forward(z)[0]
    return a, a


# --------------------------------------------------------------------------------------
# mlp_forward
# --------------------------------------------------------------------------------------
def _glorot(rng, d, m):
    limit = np.sqrt(6.0 / (d + m))
    return rng.uniform(-limit, limit, size=(d, m))


def _mlp_cases(rng):
    fixed_layers = [
        (np.array([[0.5, -1.0, 0.2, 0.0], [1.0, 0.3, -0.4, 0.7], [-0.6, 0.8, 0.1, -0.2]]),
         np.array([0.1, 0.0, -0.1, 0.2]), F.relu_forward),
        (np.array([[1.0, -0.5], [0.5, 0.5], [-1.0, 0.2], [0.3, -0.8]]),
         np.array([0.0, 0.1]), F.sigmoid_forward),
    ]
    seed_layers = [
        (_glorot(rng, 20, 10), np.zeros(10), F.relu_forward),
        (_glorot(rng, 10, 1), np.zeros(1), F.sigmoid_forward),
    ]
    three_layers = [
        (rng.standard_normal((4, 6)), rng.standard_normal(6), F.tanh_forward),
        (rng.standard_normal((6, 5)), rng.standard_normal(5), F.relu_forward),
        (rng.standard_normal((5, 3)), rng.standard_normal(3), F.softmax_forward),
    ]
    return [
        fixed_case("2 examples, 3 -> 4 (relu) -> 2 (sigmoid)",
                   np.array([[1.0, -2.0, 0.5], [0.0, 1.0, 3.0]]), fixed_layers),
        random_case("the seed's network: 20 -> 10 (relu) -> 1 (sigmoid)",
                    rng.standard_normal((8, 20)), seed_layers),
        random_case("three layers: 4 -> 6 (tanh) -> 5 (relu) -> 3 (softmax)",
                    rng.standard_normal((5, 4)), three_layers),
        edge_case("a single linear layer", rng.standard_normal((3, 2)),
                  [(rng.standard_normal((2, 3)), rng.standard_normal(3), F.linear_forward)]),
        edge_case("batch of one", rng.standard_normal((1, 3)), fixed_layers),
        edge_case("one example, one output: out keeps its shape (1, 1)",
                  rng.standard_normal((1, 20)), seed_layers),
        edge_case("large inputs", 1e3 * rng.standard_normal((4, 20)), seed_layers),
    ]


def _mlp_returns_z(x, layers):
    caches = []
    a = x
    for W, b, activation_forward in layers:
        z, dense_cache = F.dense_forward(a, W, b)
        a, activation_cache = activation_forward(z)
        caches.append((dense_cache, activation_cache))
    return z, caches


def _mlp_every_layer_gets_x(x, layers):
    caches = []
    for W, b, activation_forward in layers:
        z, dense_cache = F.dense_forward(x, W, b)
        a, activation_cache = activation_forward(z)
        caches.append((dense_cache, activation_cache))
    return a, caches


def _mlp_passes_z_on(x, layers):
    caches = []
    z = x
    for W, b, activation_forward in layers:
        z, dense_cache = F.dense_forward(z, W, b)
        a, activation_cache = activation_forward(z)
        caches.append((dense_cache, activation_cache))
    return a, caches


def _mlp_last_cache_only(x, layers):
    a = x
    for W, b, activation_forward in layers:
        z, dense_cache = F.dense_forward(a, W, b)
        a, activation_cache = activation_forward(z)
        caches = (dense_cache, activation_cache)
    return a, caches


def _mlp_dense_caches_only(x, layers):
    caches = []
    a = x
    for W, b, activation_forward in layers:
        z, dense_cache = F.dense_forward(a, W, b)
        a, activation_cache = activation_forward(z)
        caches.append(dense_cache)
    return a, caches


def _mlp_activation_first(x, layers):
    caches = []
    a = x
    for W, b, activation_forward in layers:
        a, activation_cache = activation_forward(a)
        a, dense_cache = F.dense_forward(a, W, b)
        caches.append((dense_cache, activation_cache))
    return a, caches


def _mlp_pair_swapped(x, layers):
    caches = []
    a = x
    for W, b, activation_forward in layers:
        z, dense_cache = F.dense_forward(a, W, b)
        a, activation_cache = activation_forward(z)
        caches.append((activation_cache, dense_cache))
    return a, caches


def _mlp_caches_first(x, layers):
    return mlp_forward(x, layers)[::-1]


def _mlp_flat_caches(x, layers):
    caches = []
    a = x
    for W, b, activation_forward in layers:
        z, dense_cache = F.dense_forward(a, W, b)
        a, activation_cache = activation_forward(z)
        caches.extend([dense_cache, activation_cache])
    return a, caches


def _mlp_no_caches(x, layers):
    return mlp_forward(x, layers)[0]


def _mlp_last_activation_skipped(x, layers):
    caches = []
    a = x
    for W, b, activation_forward in layers[:-1]:
        z, dense_cache = F.dense_forward(a, W, b)
        a, activation_cache = activation_forward(z)
        caches.append((dense_cache, activation_cache))
    W, b, _ = layers[-1]
    z, dense_cache = F.dense_forward(a, W, b)
    caches.append((dense_cache, None))
    return z, caches


def _mlp_first_activation_for_all(x, layers):
    caches = []
    a = x
    first_activation = layers[0][2]
    for W, b, _ in layers:
        z, dense_cache = F.dense_forward(a, W, b)
        a, activation_cache = first_activation(z)
        caches.append((dense_cache, activation_cache))
    return a, caches


def _mlp_squeezed(x, layers):
    a, caches = mlp_forward(x, layers)
    return np.squeeze(a), caches



# --------------------------------------------------------------------------------------
# Optional checks of "going further"
# --------------------------------------------------------------------------------------
def sigmoid_from_softmax(z):
    """sigma(z), computed as the first column of softmax([z, 0]) row by row.

    z: (N,) numbers.  Returns (N,): the probability of class 0 when the two classes have
    the logits z and 0, which is sigmoid(z).
    """
    pairs = np.stack([z, np.zeros_like(z)], axis=1)
    return F.softmax_forward(pairs)[0][:, 0]


def _pair_cases(rng):
    return [
        fixed_case("z = [-2, 0, 3]", np.array([-2.0, 0.0, 3.0])),
        random_case("random 8 numbers", 3.0 * rng.standard_normal(8)),
        edge_case("large |z|", np.array([-800.0, -40.0, 40.0, 800.0])),
        edge_case("a single number", np.array([0.5])),
    ]


def _pair_second_column(z):
    return F.softmax_forward(np.stack([z, np.zeros_like(z)], axis=1))[0][:, 1]


def _pair_both_columns(z):
    return F.softmax_forward(np.stack([z, np.zeros_like(z)], axis=1))[0]


def _pair_softmax_of_z_alone(z):
    return F.softmax_forward(z.reshape(-1, 1))[0][:, 0]


def _pair_logit_one(z):
    return F.softmax_forward(np.stack([z, np.ones_like(z)], axis=1))[0][:, 0]


def dense_forward_columns(x_columns, W_t, b):
    """A dense layer in the column layout of many textbooks: z = W_t @ x + b[:, None].

    x_columns: (D, N), one example per column.  W_t: (M, D), one row per unit (the
    transpose of Keras's kernel).  b: (M,).  Returns z: (M, N), one example per column.
    """
    return W_t @ x_columns + b[:, None]


def _columns_cases(rng):
    return [
        fixed_case("2 features, 3 examples, 2 units", np.array([[1.0, 0.0, -1.0],
                                                                 [2.0, 1.0, 0.5]]),
                   np.array([[0.5, -1.0], [1.0, 2.0]]), np.array([0.1, -0.2])),
        random_case("random D=4, N=5, M=3", rng.standard_normal((4, 5)),
                    rng.standard_normal((3, 4)), rng.standard_normal(3)),
        edge_case("as many examples as units (N = M = 3)", rng.standard_normal((2, 3)),
                  rng.standard_normal((3, 2)), rng.standard_normal(3)),
        edge_case("a single example", rng.standard_normal((3, 1)), rng.standard_normal((2, 3)),
                  rng.standard_normal(2)),
    ]


def _columns_bias_on_rows(x_columns, W_t, b):
    return W_t @ x_columns + b


def _columns_keras_layout(x_columns, W_t, b):
    return x_columns.T @ W_t.T + b


def _columns_no_bias(x_columns, W_t, b):
    return W_t @ x_columns


EXERCISES = [
    Exercise(
        id="neuron_forward",
        title="One neuron",
        notebook=NOTEBOOK,
        points=1,
        difficulty=1,
        reference=neuron_forward,
        cases=_neuron_cases,
        mistakes=[
            ("forgot the bias", _neuron_no_bias,
             "the bias b is missing: the neuron computes activation(w . x + b)."),
            ("bias added after the activation", _neuron_bias_after_activation,
             "you added b after the activation. The bias belongs inside: "
             "activation(np.dot(w, x) + b)."),
            ("forgot the activation", _neuron_no_activation,
             "you returned the weighted sum z = w . x + b; pass it through activation(z)."),
            ("no sum over the inputs", _neuron_no_sum,
             "w * x multiplies entry by entry and keeps the shape (D,); add the products up "
             "(np.dot(w, x) or np.sum(w * x)) to get one number."),
            ("bias added to every input", _neuron_bias_per_input,
             "np.sum(w * x + b) adds b once per input (D times). Add it once, after the sum: "
             "np.sum(w * x) + b."),
            ("always tanh", _neuron_always_tanh,
             "you used np.tanh whatever activation was passed in. Call the argument: "
             "activation(z) works for np.tanh, a ReLU or any other function."),
            ("returned the activation function", _neuron_returns_activation,
             "you returned the function `activation` itself. Call it on the weighted sum "
             "and return the result: float(activation(z))."),
            ("activation applied to the inputs", _neuron_activation_of_inputs,
             "the activation comes last, on the weighted sum: activation(np.dot(w, x) + b), "
             "not np.dot(w, activation(x)) + b."),
        ],
        hints=[
            "Two steps: the weighted sum z = w_1 x_1 + ... + w_D x_D + b, then activation(z).",
            "np.dot(w, x) is the sum of the products w_i * x_i.",
            "return float(activation(np.dot(w, x) + b))",
        ],
    ),
    Exercise(
        id="dense_forward",
        title="Dense layer, forward",
        notebook=NOTEBOOK,
        points=2,
        difficulty=1,
        reference=F.dense_forward,
        cases=_dense_cases,
        outputs=("z", "cache"),
        mistakes=[
            ("W @ x", _dense_w_at_x,
             "x has one row per example, so the product is x @ W: (N, D) @ (D, M) -> (N, M). "
             "W @ x is the column-vector convention of many textbooks."),
            ("forgot the bias", _dense_no_bias,
             "the bias b is missing: z = x @ W + b."),
            ("bias along the wrong axis", _dense_bias_as_column,
             "b has shape (M,), one number per unit: add it as it is, x @ W + b, and "
             "broadcasting adds it to every row. b.reshape(-1, 1) adds b[i] to row i instead."),
            ("no cache", _dense_no_cache,
             "return two things: z and the cache (x, W), which the backward pass needs."),
            ("cache holds b too", _dense_cache_with_b,
             "the cache is exactly (x, W): dense_backward unpacks `x, W = cache`, and no "
             "gradient needs b."),
            ("x @ W.T", _dense_transposed_W,
             "W already has Keras's shape (D, M), inputs by units, so z = x @ W: "
             "(N, D) @ (D, M). Do not transpose it (x @ W.T only runs when D = M, and then "
             "gives wrong numbers)."),
            ("returned (cache, z)", _dense_cache_first,
             "the order is (z, cache): return z, (x, W)."),
            ("cache (W, x)", _dense_cache_W_x,
             "the cache is (x, W) in this order: dense_backward unpacks `x, W = cache`."),
            ("cache not a tuple", _dense_flat_cache,
             "return two values, z and the cache, where the cache is ONE tuple: "
             "return z, (x, W). `return z, x, W` returns three values."),
            ("x * W instead of x @ W", _dense_elementwise,
             "* multiplies entry by entry (and the shapes (N, D) and (D, M) do not even "
             "match). The layer needs the matrix product x @ W."),
            ("squeezed z", _dense_squeezed,
             "np.squeeze drops every axis of length 1: with one unit z loses its column "
             "axis, and with one example and one unit it becomes a single number. z keeps "
             "the shape (N, M) even when N or M is 1: return x @ W + b as it is."),
            ("bias summed", _dense_bias_summed,
             "np.sum(b) adds the biases of all units into one number. Each unit has its "
             "own bias: add b itself, x @ W + b."),
        ],
        hints=[
            "Each row of x is one example; column j of W holds the weights of unit j.",
            "x @ W has shape (N, M); adding b of shape (M,) adds it to every row.",
            "z = x @ W + b, then return z, (x, W).",
        ],
    ),
    Exercise(
        id="relu_forward",
        title="ReLU, forward",
        notebook=NOTEBOOK,
        points=1,
        difficulty=1,
        reference=F.relu_forward,
        cases=_relu_cases,
        outputs=("a", "cache"),
        mistakes=[
            ("np.max instead of np.maximum", _relu_np_max,
             "np.max(z, 0) is the largest entry along axis 0, not an element-wise max. "
             "Use np.maximum(z, 0), which compares every entry with 0."),
            ("built-in max", _relu_builtin_max,
             "Python's max(z, 0) compares the whole array with 0 and cannot decide. "
             "Use np.maximum(z, 0), which works entry by entry."),
            ("cache holds a", _relu_cache_a,
             "the cache must be the input z (the backward pass reads which entries were "
             "positive from it): return a, z."),
            ("changed z in place", _relu_in_place,
             "z[z < 0] = 0 overwrites the caller's array (and then the cache is no longer "
             "the input). Build a new array: a = np.maximum(z, 0)."),
            ("no cache", _relu_no_cache,
             "return two things, the activation and the cache (the input z): "
             "return np.maximum(z, 0), z."),
            ("absolute value", _relu_abs,
             "np.abs turns negative entries positive; ReLU replaces them by 0: "
             "np.maximum(z, 0)."),
            ("returned the mask", _relu_mask,
             "z > 0 is the mask, True or False for each entry; ReLU returns the values "
             "themselves where z > 0 and 0 elsewhere: np.maximum(z, 0)."),
        ],
        hints=[
            "ReLU keeps positive entries and replaces negative ones by 0.",
            "np.maximum(z, 0) takes the larger of each entry and 0; the result has z's shape.",
            "return np.maximum(z, 0), z",
        ],
    ),
    Exercise(
        id="sigmoid_forward",
        title="Sigmoid, forward (stable)",
        notebook=NOTEBOOK,
        points=2,
        difficulty=2,
        reference=F.sigmoid_forward,
        cases=_sigmoid_cases,
        outputs=("a", "cache"),
        floating_point="raise",
        mistakes=[
            ("naive exp overflows", _sigmoid_exp_over_one_plus_exp,
             "np.exp(z) overflows to inf for z > 709, and inf / inf is NaN. Only ever "
             "exponentiate a number <= 0: e = np.exp(-np.abs(z)), then 1 / (1 + e) where "
             "z >= 0 and e / (1 + e) where z < 0."),
            ("textbook form overflows", _sigmoid_textbook,
             "1 / (1 + np.exp(-z)) computes exp(1000) for z = -1000: it overflows to inf "
             "(numpy warns 'overflow encountered in exp'). The result happens to be right, "
             "but only by luck. Only ever exponentiate a number <= 0: e = np.exp(-np.abs(z)), "
             "then 1 / (1 + e) where z >= 0 and e / (1 + e) where z < 0."),
            ("np.where over both unstable forms", _sigmoid_where_both_forms,
             "np.where(cond, A, B) computes all of A and all of B before it picks, so "
             "np.exp(z) and np.exp(-z) are both evaluated for every entry and overflow. "
             "Exponentiate only e = np.exp(-np.abs(z)), which is always <= 1, and build both "
             "branches from e."),
            ("wrong sign", _sigmoid_sign,
             "sigmoid(z) = 1 / (1 + exp(-z)): note the minus sign; sigmoid(2) is about 0.88."),
            ("abs without the second branch", _sigmoid_abs_no_branch,
             "1 / (1 + exp(-|z|)) is sigmoid(|z|), which is wrong for z < 0. There use the "
             "equal form e / (1 + e) with e = exp(-|z|) (np.where picks per entry)."),
            ("cache holds z", _sigmoid_cache_z,
             "the cache is the output a: the derivative a * (1 - a) needs only a. "
             "Return a, a."),
            ("no cache", _sigmoid_no_cache,
             "return two things, the activation and the cache (a itself): return a, a."),
            ("math.exp", _sigmoid_math_exp,
             "math.exp takes one number only; np.exp works on a whole array, entry by entry."),
        ],
        hints=[
            "sigmoid(z) = 1 / (1 + exp(-z)) = exp(z) / (1 + exp(z)). Which form is safe "
            "for z = -1000, and which for z = +1000?",
            "With e = np.exp(-np.abs(z)) (never overflows): sigmoid is 1 / (1 + e) where "
            "z >= 0 and e / (1 + e) where z < 0.",
            "e = np.exp(-np.abs(z)); a = np.where(z >= 0, 1.0, e) / (1.0 + e); return a, a",
        ],
    ),
    Exercise(
        id="softmax_forward",
        title="Softmax, forward (stable)",
        notebook=NOTEBOOK,
        points=2,
        difficulty=2,
        reference=F.softmax_forward,
        cases=_softmax_cases,
        outputs=("a", "cache"),
        mistakes=[
            ("normalised over axis 0", _softmax_axis0,
             "each row is one example, so each row must sum to 1: take the max and the sum "
             "over axis=1 (the classes), not axis=0 (the batch)."),
            ("no max shift", _softmax_no_shift,
             "np.exp(1000) overflows to inf and inf / inf is NaN. Subtract each row's "
             "maximum first: z - z.max(axis=1, keepdims=True); the ratio does not change."),
            ("shift by the global max", _softmax_global_max,
             "np.max(z) is the largest entry of the whole batch: a row far below it "
             "underflows to 0 / 0. Subtract each row's own maximum: "
             "z.max(axis=1, keepdims=True)."),
            ("no keepdims", _softmax_no_keepdims,
             "z.max(axis=1) has shape (N,), which broadcasts against the columns of "
             "(N, K). Keep the axis: z.max(axis=1, keepdims=True) has shape (N, 1); the "
             "same for the sum."),
            ("cache holds z", _softmax_cache_z,
             "the cache is the output a (the backward pass needs only the probabilities): "
             "return a, a."),
            ("shifted by the row minimum", _softmax_min_shift,
             "after subtracting the row MINIMUM every exponent is >= 0, and exp overflows "
             "once a row spans more than about 709. Subtract the row maximum, so that every "
             "exponent is <= 0."),
            ("shifted by the row mean", _softmax_mean_shift,
             "after subtracting the row mean the largest exponent can still be huge (1000 "
             "for the row [-1000, 0, 1000]) and exp overflows. Subtract the row maximum, so "
             "that every exponent is <= 0."),
            ("normalised over the whole batch", _softmax_global_sum,
             "e.sum() adds every entry of the batch, so the rows no longer sum to 1. Sum "
             "each row on its own: e.sum(axis=1, keepdims=True)."),
            ("no cache", _softmax_no_cache,
             "return two things, the probabilities and the cache (a itself): return a, a."),
            ("softmax over the whole batch", _softmax_whole_batch,
             "np.max(z) and np.sum(e) without an axis run over the whole batch, so all the "
             "entries of the batch together sum to 1. Softmax works row by row: "
             "z.max(axis=1, keepdims=True) and e.sum(axis=1, keepdims=True)."),
            ("a sigmoid for each entry", _softmax_sigmoid_per_entry,
             "you applied the sigmoid to every logit on its own; softmax divides each "
             "exp(z_k) by the sum over the row, so that the row sums to 1."),
        ],
        hints=[
            "softmax(z)_k = exp(z_k) / sum_j exp(z_j), row by row. Subtracting the row's "
            "maximum from every entry first changes nothing but keeps exp from overflowing.",
            "Use axis=1 with keepdims=True for both the max and the sum, so that (N, 1) "
            "broadcasts against (N, K).",
            "e = np.exp(z - z.max(axis=1, keepdims=True)); a = e / e.sum(axis=1, "
            "keepdims=True); return a, a",
        ],
    ),
    Exercise(
        id="mlp_forward",
        title="A whole network, forward",
        notebook=NOTEBOOK,
        points=3,
        difficulty=3,
        reference=mlp_forward,
        cases=_mlp_cases,
        outputs=("out", "caches"),
        depends=("dense_forward",),
        mistakes=[
            ("returned z, not a", _mlp_returns_z,
             "you returned the last layer's z, before its activation. The network's output "
             "is the last activation a."),
            ("every layer gets x", _mlp_every_layer_gets_x,
             "each layer must read the previous layer's output a, not the network input x: "
             "use a = x before the loop and dense_forward(a, W, b) inside it."),
            ("passes z on, not a", _mlp_passes_z_on,
             "the next layer must get the activation a, not the weighted sum z: without it "
             "the activation has no effect on the rest of the network."),
            ("keeps only the last cache", _mlp_last_cache_only,
             "collect one (dense_cache, activation_cache) pair per layer in a list "
             "(caches.append(...)); the backward pass needs every layer's cache."),
            ("activation caches missing", _mlp_dense_caches_only,
             "append the pair (dense_cache, activation_cache) for each layer, not only the "
             "dense cache: the backward pass goes through the activation too."),
            ("activation before the dense layer", _mlp_activation_first,
             "in each layer the dense step comes first and the activation second: "
             "z = dense_forward(a, W, b), then a = activation_forward(z)."),
            ("pair in the wrong order", _mlp_pair_swapped,
             "each layer's pair is (dense_cache, activation_cache), dense first, as the "
             "layer computes them."),
            ("returned (caches, out)", _mlp_caches_first,
             "the order is (out, caches): return a, caches."),
            ("caches flattened", _mlp_flat_caches,
             "caches needs one PAIR per layer: caches.append((dense_cache, "
             "activation_cache)). extend (or two appends) flattens them into one long list."),
            ("no caches", _mlp_no_caches,
             "return two things, the output and the list of caches: return a, caches."),
            ("last activation skipped", _mlp_last_activation_skipped,
             "the last layer has an activation too (the seed's network ends with a "
             "sigmoid): out is activation_forward(z) of the last layer, and its pair in "
             "caches holds that activation's cache. Run the same two steps for every "
             "layer, the last one included."),
            ("one activation for every layer", _mlp_first_activation_for_all,
             "every layer brings its own activation, the third item of its triple: unpack "
             "`for W, b, activation_forward in layers` and call that one, not the first "
             "layer's for all of them."),
            ("squeezed the output", _mlp_squeezed,
             "np.squeeze drops the axes of length 1, so a network with one output returns "
             "(N,) instead of (N, 1), and one example with one output becomes a single "
             "number. Return the last activation as it is, shape (N, M_out)."),
        ],
        hints=[
            "Start with a = x. For each (W, b, activation_forward): a dense layer, then its "
            "activation; the result a feeds the next layer.",
            "z, dense_cache = dense_forward(a, W, b); a, activation_cache = "
            "activation_forward(z); caches.append((dense_cache, activation_cache)).",
            "After the loop, return a, caches.",
        ],
    ),
    Exercise(
        id="sigmoid_from_softmax",
        title="A two-class softmax is a sigmoid (going further)",
        notebook=NOTEBOOK,
        points=0,
        difficulty=2,
        reference=sigmoid_from_softmax,
        cases=_pair_cases,
        depends=("softmax_forward",),
        mistakes=[
            ("second column", _pair_second_column,
             "column 1 is the class with logit 0, whose probability is sigmoid(-z); take "
             "column 0, the class with logit z."),
            ("both columns", _pair_both_columns,
             "return one probability per number, shape (N,): the first column of the "
             "softmax, [:, 0]."),
            ("softmax of z alone", _pair_softmax_of_z_alone,
             "a softmax over a single logit is always 1: pair each z with a second logit 0, "
             "np.stack([z, np.zeros_like(z)], axis=1)."),
            ("second logit 1", _pair_logit_one,
             "the second logit must be 0: softmax([z, c])_0 = sigmoid(z - c)."),
        ],
        hints=[
            "Build an (N, 2) array whose rows are [z_n, 0] and pass it to softmax_forward.",
            "np.stack([z, np.zeros_like(z)], axis=1), then the column [:, 0] of the "
            "softmax.",
        ],
    ),
    Exercise(
        id="dense_forward_columns",
        title="A dense layer, one example per column (going further)",
        notebook=NOTEBOOK,
        points=0,
        difficulty=2,
        reference=dense_forward_columns,
        cases=_columns_cases,
        mistakes=[
            ("bias along the wrong axis", _columns_bias_on_rows,
             "b has shape (M,): added to an (M, N) array, numpy lines it up with the last "
             "axis, the N examples. Make it a column, b[:, None], of shape (M, 1)."),
            ("Keras's layout returned", _columns_keras_layout,
             "in the column layout the result is (M, N), one example per column: "
             "W_t @ x_columns + b[:, None]."),
            ("no bias", _columns_no_bias,
             "the bias is missing: add b to every column."),
        ],
        hints=[
            "With one example per column, the layer is z = W_t x + b for every column x.",
            "return W_t @ x_columns + b[:, None]",
        ],
    ),
]

