"""Exercises of notebook 04_backprop_layers: the backward pass of every layer, a fused loss
gradient, and backprop through a whole multi-layer perceptron.

The layer and loss functions are those of ``backprop_lab.functional`` (same names, same
signatures): the learner writes, line for line, what the package uses.  ``mlp_forward``
and ``mlp_backward`` assemble them into a network; ``mlp_backward`` is the exercise,
``mlp_forward`` the helper that makes its caches.
"""
import numpy as np

from .. import functional as F
from ..grading import Exercise, edge_case, fixed_case, random_case

NOTEBOOK = "04_backprop_layers"

HIDDEN_ACTIVATIONS = ("relu", "sigmoid", "tanh")


# --------------------------------------------------------------------------------------
# A multi-layer perceptron from the functional core
# --------------------------------------------------------------------------------------
def _check_activation(activation, where):
    if activation not in HIDDEN_ACTIVATIONS:
        raise ValueError(f"{where}(activation={activation!r}): choose one of "
                         f"{HIDDEN_ACTIVATIONS}.")


def mlp_forward(x, params, activation="relu"):
    """Forward pass of a multi-layer perceptron, keeping what the backward pass needs.

    Every layer but the last: z = dense(a), a = activation(z).  The last layer is dense
    only: its output z_L ("logits") goes to a loss that includes the output activation
    (e.g. softmax + cross-entropy, see ``softmax_categorical_crossentropy_grad``).

    x: (N, D) inputs.
    params: [W1, b1, W2, b2, ..., WL, bL]; W_l: (D_l, M_l), b_l: (M_l,), D_1 = D and
        D_{l+1} = M_l.
    activation: 'relu', 'sigmoid' or 'tanh', for the hidden layers.
    Returns (out, caches): out (N, M_L) the logits; caches a list with one entry per
    layer, in forward order: (dense_cache, act_cache), where act_cache is None for the
    last layer.
    """
    _check_activation(activation, "mlp_forward")
    if len(params) < 2 or len(params) % 2:
        raise ValueError(f"mlp_forward(params=...): give [W1, b1, ..., WL, bL], an even "
                         f"number of arrays; got {len(params)}.")
    act_forward = F.ACTIVATIONS[activation][0]
    n_layers = len(params) // 2
    caches = []
    a = x
    for layer in range(n_layers):
        W, b = params[2 * layer], params[2 * layer + 1]
        z, dense_cache = F.dense_forward(a, W, b)
        if layer < n_layers - 1:
            a, act_cache = act_forward(z)
        else:
            a, act_cache = z, None
        caches.append((dense_cache, act_cache))
    return a, caches


def mlp_backward(dout, caches, activation="relu"):
    """Backward pass of ``mlp_forward``: the gradient of every parameter.

    dout: (N, M_L) dL/dz_L, the gradient of the loss with respect to the logits.
    caches: the caches returned by ``mlp_forward`` (forward order).
    activation: the hidden activation used in the forward pass.
    Walks the layers in reverse order; in each layer, first the activation's backward
    (skipped in the last layer, which has none), then the dense backward, whose dx is
    the upstream gradient of the layer below.
    Returns grads = [dW1, db1, ..., dWL, dbL], in the order of params.
    """
    act_backward = {"relu": F.relu_backward, "sigmoid": F.sigmoid_backward,
                    "tanh": F.tanh_backward}[activation]
    grads = []
    d = dout
    for dense_cache, act_cache in reversed(caches):
        if act_cache is not None:
            d = act_backward(d, act_cache)
        d, dW, db = F.dense_backward(d, dense_cache)
        grads = [dW, db] + grads
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


def _random_params(rng, sizes):
    params = []
    for d_in, d_out in zip(sizes[:-1], sizes[1:]):
        params.append(rng.standard_normal((d_in, d_out)) / np.sqrt(d_in))
        params.append(0.1 * rng.standard_normal(d_out))
    return params


def _mlp_case(kind, name, rng, n, sizes, activation, scale=1.0):
    x = scale * rng.standard_normal((n, sizes[0]))
    params = _random_params(rng, sizes)
    _, caches = mlp_forward(x, params, activation)
    dout = rng.standard_normal((n, sizes[-1])) / n
    return kind(name, dout, caches, activation)


def _mlp_cases(rng):
    x = np.array([[1.0, -1.0], [0.5, 2.0]])
    params = [np.array([[0.5, -0.4, 0.3], [0.2, 0.6, -0.7]]), np.array([0.1, -0.1, 0.0]),
              np.array([[1.0, -1.0], [0.5, 0.5], [-0.3, 0.8]]), np.array([0.0, 0.1])]
    _, caches = mlp_forward(x, params, "relu")
    dout = np.array([[0.25, -0.25], [-0.5, 0.5]])
    return [
        fixed_case("2-3-2 network with relu, 2 examples", dout, caches, "relu"),
        _mlp_case(random_case, "3-5-4-2 network with tanh, 4 examples", rng, 4,
                  (3, 5, 4, 2), "tanh"),
        _mlp_case(random_case, "2-6-3 network with sigmoid, 5 examples", rng, 5,
                  (2, 6, 3), "sigmoid"),
        _mlp_case(random_case, "4-7-6-5-3 network with relu, 6 examples", rng, 6,
                  (4, 7, 6, 5, 3), "relu"),
        _mlp_case(edge_case, "one layer only (no hidden layer)", rng, 3, (3, 2), "relu"),
        _mlp_case(edge_case, "batch of one, 3-4-2 with tanh", rng, 1, (3, 4, 2), "tanh"),
        _mlp_case(edge_case, "large inputs, 2-4-3 with sigmoid", rng, 3, (2, 4, 3), "sigmoid",
                  scale=50.0),
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


def _relu_no_mask(da, cache):
    return da


def _relu_mask_ge(da, cache):
    return da * (cache >= 0)


def _relu_mask_of_da(da, cache):
    return da * (da > 0)


def _relu_mask_only(da, cache):
    return (cache > 0).astype(da.dtype)


def _sigmoid_cache_as_z(da, cache):
    s = F.sigmoid_forward(cache)[0]
    return da * s * (1 - s)


def _sigmoid_no_da(da, cache):
    return cache * (1 - cache)


def _sigmoid_one_minus_a(da, cache):
    return da * (1 - cache)


def _sigmoid_sign(da, cache):
    return da * cache * (cache - 1)


def _tanh_not_squared(da, cache):
    return da * (1 - cache)


def _tanh_cache_as_z(da, cache):
    return da * (1 - np.tanh(cache) ** 2)


def _tanh_no_da(da, cache):
    return 1 - cache * cache


def _tanh_plus(da, cache):
    return da * (1 + cache * cache)


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


def _ce_no_mean(y_true, p):
    return p - y_true


def _ce_over_size(y_true, p):
    return (p - y_true) / p.size


def _ce_sign(y_true, p):
    return (y_true - p) / p.shape[0]


def _ce_grad_wrt_p(y_true, p):
    return F.categorical_crossentropy_grad(y_true, p)


def _mlp_no_activation(dout, caches, activation="relu"):
    grads = []
    d = dout
    for dense_cache, act_cache in reversed(caches):
        d, dW, db = F.dense_backward(d, dense_cache)
        grads = [dW, db] + grads
    return grads


def _mlp_reversed_grads(dout, caches, activation="relu"):
    act_backward = F.ACTIVATIONS[activation][1]
    grads = []
    d = dout
    for dense_cache, act_cache in reversed(caches):
        if act_cache is not None:
            d = act_backward(d, act_cache)
        d, dW, db = F.dense_backward(d, dense_cache)
        grads += [dW, db]
    return grads


def _mlp_always_relu(dout, caches, activation="relu"):
    return mlp_backward(dout, caches, "relu")


def _mlp_over_N(dout, caches, activation="relu"):
    n = dout.shape[0]
    return [g / n for g in mlp_backward(dout, caches, activation)]


# --------------------------------------------------------------------------------------
# The registry
# --------------------------------------------------------------------------------------
EXERCISES = [
    Exercise(
        id="dense_backward",
        title="Dense, backward",
        notebook=NOTEBOOK,
        points=3,
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
        reference=mlp_backward,
        cases=_mlp_cases,
        depends=("dense_backward", "relu_backward", "sigmoid_backward", "tanh_backward"),
        mistakes=[
            ("no activation backward", _mlp_no_activation,
             "the hidden layers' activations were skipped: before each hidden layer's "
             "dense_backward, pass the gradient through its activation's backward "
             "(with the act_cache)."),
            ("grads in reverse order", _mlp_reversed_grads,
             "your list starts with the last layer. grads must follow the order of "
             "params: [dW1, db1, ..., dWL, dbL]; put each layer's pair in front "
             "(grads = [dW, db] + grads), or reverse at the end."),
            ("always relu", _mlp_always_relu,
             "you used relu_backward whatever the activation: pick the backward that "
             "matches the activation argument (sigmoid_backward, tanh_backward, ...)."),
            ("divided by N again", _mlp_over_N,
             "you divided by the batch size. dout already carries the loss's 1/N; "
             "dense_backward sums over the batch and must not average again."),
        ],
        hints=[
            "Go through caches in reverse order. Each layer turns the gradient of its "
            "output into the gradient of its input, and collects dW and db on the way.",
            "Per layer: if act_cache is not None, d = act_backward(d, act_cache); then "
            "d, dW, db = dense_backward(d, dense_cache).",
            "Choose act_backward with a dict {'relu': relu_backward, 'sigmoid': "
            "sigmoid_backward, 'tanh': tanh_backward}[activation], and build grads with "
            "grads = [dW, db] + grads.",
        ],
    ),
]
