"""Layers, activations and initializers of the object shell.

Gradients are checked against central finite differences of the forward pass, an oracle
independent of the backward code.
"""
import numpy as np
import pytest

from backprop_lab import activations, config, initializers, utils
from backprop_lab.layers import Activation, Dense, Input
from backprop_lab.models import Sequential


def numeric_grad(f, x, h=1e-6):
    """Central differences of the scalar function f at x (x is perturbed in place)."""
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = x[i]
        x[i] = old + h
        plus = f()
        x[i] = old - h
        minus = f()
        x[i] = old
        grad[i] = (plus - minus) / (2 * h)
    return grad


def rel_error(a, b):
    return np.linalg.norm(a - b) / max(1e-12, np.linalg.norm(a) + np.linalg.norm(b))


NUMPY_ACTIVATIONS = {
    "linear": lambda z: z,
    "relu": lambda z: np.maximum(z, 0),
    "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
    "tanh": np.tanh,
    "softmax": lambda z: np.exp(z) / np.exp(z).sum(axis=1, keepdims=True),
}


def test_dense_weights_have_keras_layout():
    layer = Dense(3, input_dim=5)
    assert layer.built
    assert layer.kernel.shape == (5, 3)
    assert layer.bias.shape == (3,)
    weights = layer.get_weights()
    assert [w.shape for w in weights] == [(5, 3), (3,)]
    assert np.array_equal(weights[0], layer.kernel) and weights[0] is not layer.kernel
    assert np.all(layer.bias == 0)  # bias_initializer='zeros'
    assert layer.count_params() == 5 * 3 + 3


def test_dense_without_bias_has_only_a_kernel():
    layer = Dense(2, input_dim=4, use_bias=False)
    assert layer.bias is None
    assert [w.shape for w in layer.get_weights()] == [(4, 2)]
    x = np.random.default_rng(0).normal(size=(3, 4))
    assert np.allclose(layer(x), x @ layer.kernel)


def test_dense_input_shape_equals_input_dim():
    assert Dense(2, input_shape=(7,)).kernel.shape == (7, 2)
    assert Dense(2, input_shape=7).kernel.shape == (7, 2)


@pytest.mark.parametrize("activation", ["linear", "relu", "sigmoid", "tanh", "softmax"])
def test_dense_forward_matches_numpy(activation):
    rng = np.random.default_rng(1)
    layer = Dense(4, activation=activation, input_dim=3)
    x = rng.normal(size=(6, 3))
    expected = NUMPY_ACTIVATIONS[activation](x @ layer.kernel + layer.bias)
    assert np.allclose(layer.forward(x), expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("activation", ["linear", "relu", "sigmoid", "tanh", "softmax"])
def test_dense_backward_matches_finite_differences(activation):
    rng = np.random.default_rng(2)
    layer = Dense(4, activation=activation, input_dim=3, bias_initializer="random_normal")
    x = rng.normal(size=(5, 3))
    upstream = rng.normal(size=(5, 4))

    def scalar():
        return float(np.sum(layer.forward(x) * upstream))

    layer.forward(x)
    dx = layer.backward(upstream)
    dkernel, dbias = layer.grads
    assert rel_error(dx, numeric_grad(scalar, x)) < 1e-7
    assert rel_error(dkernel, numeric_grad(scalar, layer.kernel)) < 1e-7
    assert rel_error(dbias, numeric_grad(scalar, layer.bias)) < 1e-7


@pytest.mark.parametrize("activation", ["relu", "sigmoid", "tanh", "softmax"])
def test_activation_layer_forward_and_backward(activation):
    rng = np.random.default_rng(3)
    layer = Activation(activation)
    z = rng.normal(size=(4, 3)) + 0.05  # keep away from relu's kink at exactly 0
    upstream = rng.normal(size=(4, 3))
    assert np.allclose(layer.forward(z), NUMPY_ACTIVATIONS[activation](z))
    dz = layer.backward(upstream)

    def scalar():
        return float(np.sum(layer.forward(z) * upstream))

    assert rel_error(dz, numeric_grad(scalar, z)) < 1e-7
    assert layer.get_weights() == []


def test_activations_module_functions():
    z = np.array([[-2.0, 0.0, 3.0]])
    assert np.array_equal(activations.relu(z), [[0.0, 0.0, 3.0]])
    assert np.allclose(activations.sigmoid(z), 1 / (1 + np.exp(-z)))
    assert np.allclose(activations.softmax(z).sum(), 1.0)
    assert activations.get(None) == "linear"
    assert activations.get("ReLU") == "relu"
    assert activations.get(activations.tanh) == "tanh"


def test_set_weights_copies_into_the_same_arrays():
    layer = Dense(2, input_dim=3)
    kernel = layer.kernel
    new = [np.arange(6.0).reshape(3, 2), np.array([1.0, -1.0])]
    layer.set_weights(new)
    assert layer.kernel is kernel
    assert np.array_equal(layer.kernel, new[0]) and np.array_equal(layer.bias, new[1])
    with pytest.raises(ValueError, match=r"weights\[0\] has shape \(2, 3\), expected \(3, 2\)"):
        layer.set_weights([np.zeros((2, 3)), np.zeros(2)])
    with pytest.raises(ValueError, match="expected a list of 2 arrays"):
        layer.set_weights([np.zeros((3, 2))])


def test_unbuilt_layer_builds_on_first_call():
    layer = Dense(2)
    assert not layer.built
    with pytest.raises(ValueError, match="not built"):
        layer.count_params()
    out = layer(np.ones((4, 6)))
    assert out.shape == (4, 2) and layer.kernel.shape == (6, 2)


def test_layer_dtype_follows_floatx():
    old = config.floatx()
    try:
        config.set_floatx("float32")
        layer = Dense(3, input_dim=2)
        assert layer.kernel.dtype == np.float32 and layer.bias.dtype == np.float32
        assert layer(np.ones((1, 2))).dtype == np.float32
    finally:
        config.set_floatx(old)


def test_automatic_names_are_unique():
    a, b = Dense(1), Dense(1)
    assert a.name != b.name and a.name.startswith("dense") and b.name.startswith("dense")
    assert Dense(1, name="out").name == "out"


def test_input_sets_the_first_layers_size():
    model = Sequential([Input(shape=(4,)), Dense(3), Dense(1)])
    assert model.built
    assert [w.shape for w in model.get_weights()] == [(4, 3), (3,), (3, 1), (1,)]


# ---- initializers -------------------------------------------------------------------
SHAPE = (400, 300)  # fan_in 400, fan_out 300: 120000 draws, enough for 2% accuracy


@pytest.mark.parametrize("name, limit", [
    ("glorot_uniform", np.sqrt(6 / (400 + 300))),
    ("he_uniform", np.sqrt(6 / 400)),
    ("lecun_uniform", np.sqrt(3 / 400)),
])
def test_uniform_initializers_bounds_and_spread(name, limit):
    w = initializers.get(name)(SHAPE)
    assert w.shape == SHAPE
    assert np.abs(w).max() <= limit
    assert np.abs(w).max() > 0.99 * limit
    assert np.std(w) == pytest.approx(limit / np.sqrt(3), rel=0.02)  # std of U(-l, l)


@pytest.mark.parametrize("name, std", [
    ("glorot_normal", np.sqrt(2 / (400 + 300))),
    ("he_normal", np.sqrt(2 / 400)),
    ("lecun_normal", np.sqrt(1 / 400)),
])
def test_truncated_normal_initializers(name, std):
    w = initializers.get(name)(SHAPE)
    # Keras divides by 0.8796 so that the truncated draws have the target std ...
    assert np.std(w) == pytest.approx(std, rel=0.02)
    # ... and nothing lies beyond two standard deviations of the *untruncated* normal.
    assert np.abs(w).max() <= 2 * std / 0.87962566103423978 + 1e-12
    assert abs(np.mean(w)) < 0.01 * std * 10


def test_constant_and_random_initializers():
    assert np.array_equal(initializers.get("zeros")((2, 3)), np.zeros((2, 3)))
    assert np.array_equal(initializers.get("ones")((4,)), np.ones(4))
    w = initializers.get("random_normal")((300, 300))
    assert np.std(w) == pytest.approx(0.05, rel=0.03)  # Keras 3 default stddev
    u = initializers.get("random_uniform")((300, 300))
    assert -0.05 <= u.min() and u.max() <= 0.05 and u.max() > 0.049


def test_initializers_draw_from_the_library_generator():
    utils.set_random_seed(7)
    a = initializers.get("he_normal")((5, 4))
    utils.set_random_seed(7)
    b = initializers.HeNormal()((5, 4))
    assert np.array_equal(a, b)
    c = initializers.HeNormal()((5, 4))
    assert not np.array_equal(b, c)


def test_initializer_accepts_class_names_and_objects():
    assert isinstance(initializers.get("GlorotUniform"), initializers.GlorotUniform)
    obj = initializers.RandomNormal(stddev=1.0)
    assert initializers.get(obj) is obj
    again = initializers.deserialize(initializers.serialize(obj))
    assert isinstance(again, initializers.RandomNormal) and again.stddev == 1.0
