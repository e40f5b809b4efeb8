"""A multi-layer perceptron written with the functional core, in the model protocol."""
import numpy as np

from .. import config
from .. import functional as F
from .._engine import checks as _checks
from ..i18n import N_, _

#: The activations ``mlp`` builds hidden layers with.
HIDDEN_ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear")


def init_mlp(layer_sizes, seed=0):
    """Initial parameters ``[W1, b1, ..., WL, bL]`` for a fully connected network.

    layer_sizes: e.g. (2, 16, 2): 2 inputs, one hidden layer of 16 units, 2 outputs.
    Kernels are He-normal, W_l ~ N(0, 2 / D_l) (suits ReLU; fine for tanh at this size);
    biases start at 0.  The same seed gives the same weights.
    """
    sizes = list(layer_sizes) if isinstance(layer_sizes, (list, tuple)) else []
    if len(sizes) < 2:
        raise ValueError(
            _("init_mlp(layer_sizes={layer_sizes!r}): give at least two positive sizes, "
              "inputs first and outputs last, e.g. (2, 16, 2).").format(layer_sizes=layer_sizes)
        )
    sizes = [_checks.count(s, f"init_mlp(layer_sizes=...)[{i}]") for i, s in enumerate(sizes)]
    rng = np.random.default_rng(_checks.seed(seed, "init_mlp(seed=...)"))
    params = []
    for d_in, d_out in zip(sizes[:-1], sizes[1:]):
        params.append((rng.standard_normal((d_in, d_out)) * np.sqrt(2.0 / d_in)).astype(
            config.dtype()))
        params.append(np.zeros(d_out, dtype=config.dtype()))
    return params


def mlp(activation="relu", functions=None):
    """The model protocol pair ``(loss_and_grads, predict)`` for an MLP.

    Hidden layers: ``dense`` then ``activation`` ('relu', 'tanh', 'sigmoid' or 'linear').
    Output layer: ``dense`` giving logits z: (N, K); the loss is sparse categorical
    cross-entropy from logits, L = -1/N sum_n log softmax(z_n)[y_n].

    functions: optional dict replacing reference functions by name, e.g.
        {"dense_backward": f, "relu_forward": g, "relu_backward": h,
         "sparse_categorical_crossentropy_from_logits_grad": k}
    Any name of ``backprop_lab.functional`` used here may be given.  Each must keep the
    reference signature (see ``functional``).
    """
    if activation not in HIDDEN_ACTIVATIONS:
        raise _checks.unknown_name(N_("activation"), activation, HIDDEN_ACTIVATIONS,
                                   "mlp(activation=...)")
    chosen = dict(functions or {})
    unknown = [name for name in chosen if not callable(getattr(F, name, None))]
    if unknown:
        raise ValueError(
            _("mlp(functions=...): {unknown} are not functions of backprop_lab.functional; "
              "use names like 'dense_forward' or 'relu_backward'.").format(unknown=unknown)
        )

    def fn(name):
        return chosen.get(name, getattr(F, name))

    dense_forward, dense_backward = fn("dense_forward"), fn("dense_backward")
    act_forward = fn(activation + "_forward")
    act_backward = fn(activation + "_backward")
    loss_fn = fn("sparse_categorical_crossentropy_from_logits")
    loss_grad = fn("sparse_categorical_crossentropy_from_logits_grad")

    def forward(params, x):
        """Logits (N, K) and the caches of every layer, in order."""
        caches = []
        a = x
        n_layers = len(params) // 2
        for layer in range(n_layers):
            W, b = params[2 * layer], params[2 * layer + 1]
            z, dense_cache = dense_forward(a, W, b)
            if layer < n_layers - 1:
                a, act_cache = act_forward(z)
            else:
                a, act_cache = z, None  # the last layer gives logits
            caches.append((dense_cache, act_cache))
        return a, caches

    def loss_and_grads(params, x, y):
        logits, caches = forward(params, x)
        loss = float(loss_fn(y, logits))
        grads = [None] * len(params)
        d = loss_grad(y, logits)  # dL/dz of the last layer
        for layer in reversed(range(len(caches))):
            dense_cache, act_cache = caches[layer]
            if act_cache is not None:
                d = act_backward(d, act_cache)
            d, dW, db = dense_backward(d, dense_cache)
            grads[2 * layer], grads[2 * layer + 1] = dW, db
        return loss, grads

    def predict(params, x):
        return forward(params, x)[0]

    return loss_and_grads, predict


def hidden_outputs(params, x, activation="relu"):
    """The output of every hidden layer of an MLP, for inputs x.

    params: ``[W1, b1, ..., WL, bL]`` as for ``mlp``; x: (N, D).
    Returns a list of L - 1 arrays, a_l = activation(a_{l-1} W_l + b_l) of shape (N, M_l)
    (the output layer is left out).  Computed with the reference formulas.
    """
    a = np.asarray(x, dtype=np.float64)
    forward = F.ACTIVATIONS[activation][0]
    outputs = []
    with np.errstate(all="ignore"):
        for layer in range(len(params) // 2 - 1):
            a = forward(a @ params[2 * layer] + params[2 * layer + 1])[0]
            outputs.append(a)
    return outputs


def dead_units(outputs):
    """Count the dead ReLU units: ``(dead, total)``.

    outputs: a list of ReLU layer outputs, each (N, M) (see ``hidden_outputs``).
    A unit (a column) is dead when it outputs 0 for every one of the N inputs: its
    pre-activation z = x w + b is <= 0 everywhere, so relu'(z) = 0 and every gradient
    through it, dL/dw and dL/db included, is 0.  Gradient descent cannot bring it back.
    """
    dead = sum(int(np.sum(np.all(a == 0, axis=0))) for a in outputs)
    total = sum(int(np.shape(a)[1]) for a in outputs)
    return dead, total
