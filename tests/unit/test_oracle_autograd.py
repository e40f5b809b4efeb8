"""Whole-network backprop against the ``autograd`` package.

For random multilayer perceptrons (1 to 4 Dense layers, every activation, every loss) the
gradients obtained by chaining the forward/backward pairs of ``functional`` must match
autograd's gradient of a forward pass and loss written again in ``autograd.numpy``
(``tests/autograd_oracle.py``, shared with the single-function property tests).
The same is checked for ``models.Sequential`` (its own backward pass, including the fused
output gradients it uses for sigmoid + binary cross-entropy and softmax + cross-entropy).
"""
import autograd
import autograd.numpy as anp
import numpy as np
import pytest

from backprop_lab import functional as F

from autograd_oracle import AG_ACTIVATIONS, AG_LOSSES, ag_onehot, rel

TOL = 1e-6
ACTIVATION_NAMES = sorted(F.ACTIVATIONS)
LOSS_NAMES = sorted(F.LOSSES)


# --------------------------------------------------------------------------------------
# The independent oracle (tests/autograd_oracle.py) chained into a whole network
# --------------------------------------------------------------------------------------
def ag_network_loss(params, activations, loss_name, x, y):
    a = x
    for (W, b), act in zip(params, activations):
        a = AG_ACTIVATIONS[act](anp.dot(a, W) + b)
    return AG_LOSSES[loss_name](y, a)


# --------------------------------------------------------------------------------------
# The code under test: functional pairs chained by hand
# --------------------------------------------------------------------------------------
def functional_loss_and_grads(params, activations, loss_name, x, y):
    caches = []
    a = x
    for (W, b), act in zip(params, activations):
        z, dense_cache = F.dense_forward(a, W, b)
        a, act_cache = F.ACTIVATIONS[act][0](z)
        caches.append((dense_cache, act_cache, act))
    loss, loss_grad = F.LOSSES[loss_name]
    value = loss(y, a)
    da = loss_grad(y, a)
    grads = []
    for dense_cache, act_cache, act in reversed(caches):
        dz = F.ACTIVATIONS[act][1](da, act_cache)
        da, dW, db = F.dense_backward(dz, dense_cache)
        grads.append((dW, db))
    return value, grads[::-1]


# --------------------------------------------------------------------------------------
# Random architectures
# --------------------------------------------------------------------------------------
def output_activation(loss_name, free_choice):
    if "from_logits" in loss_name:
        return "linear"
    if loss_name == "binary_crossentropy":
        return "sigmoid"
    if "categorical" in loss_name:
        return "softmax"
    return free_choice  # squared errors: any output activation


def random_case(loss_name, hidden_activation, seed):
    """A random MLP (depth 1-4) with every hidden layer using hidden_activation or a random
    one, a batch x and targets y suited to the loss."""
    rng = np.random.default_rng(seed)
    depth = 1 + seed % 4
    n = int(rng.integers(1, 7))
    sizes = [int(rng.integers(1, 6))] + [int(rng.integers(2, 6)) for _ in range(depth)]
    k = sizes[-1]
    hidden = [hidden_activation if i % 2 == 0 else str(rng.choice(ACTIVATION_NAMES))
              for i in range(depth - 1)]
    free_choice = ACTIVATION_NAMES[(ACTIVATION_NAMES.index(hidden_activation) + seed) % 5]
    activations = hidden + [output_activation(loss_name, free_choice)]
    params = [(rng.standard_normal((d_in, d_out)) / np.sqrt(d_in), 0.5 * rng.standard_normal(d_out))
              for d_in, d_out in zip(sizes[:-1], sizes[1:])]
    x = rng.standard_normal((n, sizes[0]))
    if loss_name.startswith("sparse"):
        y = rng.integers(0, k, size=n)
    elif loss_name.startswith("categorical"):
        y = ag_onehot(rng.integers(0, k, size=n), k)
    elif loss_name.startswith("binary"):
        y = rng.integers(0, 2, size=(n, k)).astype(np.float64)
    else:
        y = rng.standard_normal((n, k))
    return params, activations, x, y


CASES = [(loss, act, seed) for loss in LOSS_NAMES for act in ACTIVATION_NAMES
         for seed in range(4)]  # seed % 4 gives depths 1, 2, 3, 4


@pytest.mark.parametrize("loss_name, hidden, seed", CASES)
def test_functional_backprop_matches_autograd(loss_name, hidden, seed):
    params, activations, x, y = random_case(loss_name, hidden, seed)
    value, grads = functional_loss_and_grads(params, activations, loss_name, x, y)
    flat = [p for layer in params for p in layer]
    oracle_value = ag_network_loss(params, activations, loss_name, x, y)
    oracle = autograd.grad(
        lambda ps: ag_network_loss([(ps[2 * i], ps[2 * i + 1]) for i in range(len(params))],
                                   activations, loss_name, x, y))(flat)
    assert value == pytest.approx(float(oracle_value), rel=1e-10, abs=1e-12)
    ours = [g for layer in grads for g in layer]
    for i, (g, o) in enumerate(zip(ours, oracle)):
        assert g.shape == o.shape
        assert rel(g, o) < TOL or np.linalg.norm(g - o) < 1e-13, (
            f"parameter {i} of {activations} with {loss_name}: relative error {rel(g, o):.2e}")
    whole = rel(np.concatenate([g.ravel() for g in ours]),
                np.concatenate([o.ravel() for o in oracle]))
    assert whole < TOL


def test_every_activation_and_depth_is_covered():
    depths, hidden_seen, output_seen = set(), set(), set()
    for loss_name, act, seed in CASES:
        params, activations, _, _ = random_case(loss_name, act, seed)
        depths.add(len(params))
        hidden_seen.update(activations[:-1])
        output_seen.add(activations[-1])
    assert depths == {1, 2, 3, 4}
    assert hidden_seen == set(ACTIVATION_NAMES)
    assert output_seen == set(ACTIVATION_NAMES)


# --------------------------------------------------------------------------------------
# Sequential
# --------------------------------------------------------------------------------------
def make_sequential(params, activations, loss_name):
    from backprop_lab import losses
    from backprop_lab.layers import Dense
    from backprop_lab.models import Sequential

    model = Sequential()
    for i, ((W, _b), act) in enumerate(zip(params, activations)):
        kwargs = {"input_dim": W.shape[0]} if i == 0 else {}
        model.add(Dense(W.shape[1], activation=act, **kwargs))
    model.set_weights([w for layer in params for w in layer])
    key = loss_name.replace("_from_logits", "")
    loss = losses.get(key)
    if loss_name.endswith("_from_logits"):
        loss = type(loss)(from_logits=True)
    model.compile(loss=loss, optimizer="sgd")
    return model


def sequential_loss_and_grads(model, x, y):
    """The gradients ``fit`` uses for one batch (no update): Sequential.compute_gradients."""
    value, _, grads = model.compute_gradients(x, y)
    return value, grads


@pytest.mark.parametrize("loss_name, hidden, seed", CASES)
def test_sequential_backprop_matches_autograd(loss_name, hidden, seed):
    pytest.importorskip("backprop_lab.models")
    params, activations, x, y = random_case(loss_name, hidden, seed)
    model = make_sequential(params, activations, loss_name)
    value, grads = sequential_loss_and_grads(model, x, y)
    flat = [p for layer in params for p in layer]
    oracle = autograd.grad(
        lambda ps: ag_network_loss([(ps[2 * i], ps[2 * i + 1]) for i in range(len(params))],
                                   activations, loss_name, x, y))(flat)
    assert value == pytest.approx(float(ag_network_loss(params, activations, loss_name, x, y)),
                                  rel=1e-10, abs=1e-12)
    assert len(grads) == len(oracle)
    whole = rel(np.concatenate([np.ravel(g) for g in grads]),
                np.concatenate([o.ravel() for o in oracle]))
    assert whole < TOL, f"{activations} with {loss_name}: relative error {whole:.2e}"
