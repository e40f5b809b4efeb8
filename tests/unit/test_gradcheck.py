"""Tests of backprop_lab.gradcheck.

The finite-difference helpers are checked against derivatives worked out by hand; the
checkers must call right gradients good and typical mistakes (transposed, sign flip,
missing factor) wrong.
"""
import numpy as np
import pytest

from backprop_lab import functional as F
from backprop_lab import gradcheck as gc


def _rng(seed=0):
    return np.random.default_rng(seed)


# --------------------------------------------------------------------------------------
# numerical_gradient, numerical_gradient_array, rel_error, error_band
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(), (5,), (3, 4), (2, 3, 2)])
def test_numerical_gradient_matches_hand_derivative_any_shape(shape):
    x = _rng(1).uniform(-2, 2, size=shape)
    before = x.copy()

    def f(v):
        return np.sum(np.sin(v) * v ** 2)

    expected = np.cos(x) * x ** 2 + 2 * x * np.sin(x)  # d/dx of sin(x) x^2, by hand
    got = gc.numerical_gradient(f, x)
    assert got.shape == x.shape
    np.testing.assert_allclose(got, expected, rtol=1e-8, atol=1e-9)
    np.testing.assert_array_equal(x, before)  # every entry put back


def test_numerical_gradient_restores_x_when_f_raises():
    x = np.array([1.0, 2.0, 3.0])
    calls = []

    def f(v):
        calls.append(v.copy())
        if len(calls) == 2:
            raise RuntimeError("boom")
        return v.sum()

    with pytest.raises(RuntimeError, match="boom"):
        gc.numerical_gradient(f, x)
    np.testing.assert_array_equal(x, [1.0, 2.0, 3.0])
    # the first call saw x[0] + h, the second x[0] - h
    assert calls[0][0] == pytest.approx(1.0 + 1e-5)
    assert calls[1][0] == pytest.approx(1.0 - 1e-5)


def test_numerical_gradient_bad_input_errors():
    with pytest.raises(TypeError, match="x must be a numpy array of floats"):
        gc.numerical_gradient(lambda v: 0.0, [1.0, 2.0])
    with pytest.raises(TypeError, match="array of int"):
        gc.numerical_gradient(lambda v: 0.0, np.arange(3))
    with pytest.raises(ValueError,
                       match=r"h=\.\.\. \(the finite-difference step\): must be .* got 0"):
        gc.numerical_gradient(lambda v: 0.0, np.ones(2), h=0)
    with pytest.raises(ValueError, match="numerical_gradient_array"):
        gc.numerical_gradient(lambda v: v * 2, np.ones(2))


def test_numerical_gradient_array_matches_hand_derivatives():
    rng = _rng(2)
    x = rng.standard_normal((4, 3))
    A = rng.standard_normal((3, 5))
    dout = rng.standard_normal((4, 5))
    # d/dx sum(dout * (x @ A)) = dout @ A.T
    got = gc.numerical_gradient_array(lambda v: v @ A, x, dout)
    np.testing.assert_allclose(got, dout @ A.T, rtol=1e-8, atol=1e-9)
    # element-wise square: 2 x dout
    dout2 = rng.standard_normal((4, 3))
    got = gc.numerical_gradient_array(lambda v: v ** 2, x, dout2)
    np.testing.assert_allclose(got, 2 * x * dout2, rtol=1e-8, atol=1e-9)
    # f returning x itself (a view) must still work: gradient is dout
    got = gc.numerical_gradient_array(lambda v: v, x, dout2)
    np.testing.assert_allclose(got, dout2, rtol=1e-8, atol=1e-9)
    with pytest.raises(ValueError, match="shape of f's output"):
        gc.numerical_gradient_array(lambda v: v @ A, x, dout2)


def test_rel_error_values():
    a = np.array([3.0, 4.0])
    assert gc.rel_error(a, a) == 0.0
    assert gc.rel_error(np.zeros(3), np.zeros(3)) == 0.0
    assert gc.rel_error(a, -a) == pytest.approx(1.0)
    assert gc.rel_error(a, np.zeros(2)) == pytest.approx(1.0)
    # ||(0, 1e-3)|| / (1 + sqrt(1 + 1e-6)), computed by hand
    got = gc.rel_error([1.0, 0.0], [1.0, 1e-3])
    assert got == pytest.approx(1e-3 / (1 + np.sqrt(1 + 1e-6)), rel=1e-12)
    # a near-zero entry does not blow the error up (norm-based, not element-wise)
    assert gc.rel_error([1.0, 1e-13], [1.0, 2e-13]) < 1e-12
    assert gc.rel_error([1.0, np.nan], [1.0, 0.0]) == float("inf")
    assert gc.rel_error([np.inf], [1.0]) == float("inf")
    with pytest.raises(ValueError, match="shapes differ"):
        gc.rel_error(np.ones(2), np.ones(3))


@pytest.mark.parametrize("rel, band", [
    (0.0, "good"), (1e-9, "good"), (1e-7, "good"), (2e-7, "kinks only"), (1e-4, "kinks only"),
    (2e-4, "suspicious"), (1e-2, "suspicious"), (0.02, "wrong"), (1.0, "wrong"),
    (float("inf"), "wrong"), (float("nan"), "wrong"),
])
def test_error_band_edges(rel, band):
    assert gc.error_band(rel) == band


# --------------------------------------------------------------------------------------
# check_layer with functional pairs: right gradients pass, mistakes fail
# --------------------------------------------------------------------------------------
def _dense_inputs(n=4, d=3, m=3, seed=0):
    rng = _rng(seed)
    return rng.standard_normal((n, d)), rng.standard_normal((d, m)), rng.standard_normal(m)


def test_check_layer_dense_right_gradient_is_good():
    x, W, b = _dense_inputs(n=4, d=3, m=5)
    report = gc.check_layer(F.dense_forward, F.dense_backward, x, W, b)
    assert report.passed
    assert report.band == "good"
    assert [p.name for p in report.params] == ["x", "W", "b"]  # from the signature
    assert report.max_rel_error < 1e-8
    assert report.warnings == []
    assert not report.kinks_crossed


def _transposed_dW(dz, cache):  # square W, so the shape is right but the values are not
    x, W = cache
    return dz @ W.T, (x.T @ dz).T, dz.sum(axis=0)


def _sign_flip_db(dz, cache):
    x, W = cache
    return dz @ W.T, x.T @ dz, -dz.sum(axis=0)


def _no_batch_sum_db(dz, cache):
    x, W = cache
    return dz @ W.T, x.T @ dz, dz.mean(axis=0)  # divided by N: a missing factor N


def _dx_with_W_not_transposed(dz, cache):
    x, W = cache
    return dz @ W, x.T @ dz, dz.sum(axis=0)


@pytest.mark.parametrize("backward, bad", [
    (_transposed_dW, "W"), (_sign_flip_db, "b"), (_no_batch_sum_db, "b"),
    (_dx_with_W_not_transposed, "x"),
])
def test_check_layer_flags_typical_mistakes_as_wrong(backward, bad):
    x, W, b = _dense_inputs(n=4, d=3, m=3, seed=3)
    report = gc.check_layer(F.dense_forward, backward, x, W, b)
    assert not report.passed
    assert report.band == "wrong"
    assert report.worst.name == bad
    assert report[bad].band == "wrong"
    others = [p for p in report.params if p.name != bad]
    assert all(p.passed for p in others)
    assert "FAILED" in repr(report)


def test_check_layer_wrong_shape_is_reported_not_raised():
    x, W, b = _dense_inputs(n=4, d=3, m=5)

    def transposed(dz, cache):
        x_, W_ = cache
        return dz @ W_.T, dz.T @ x_, dz.sum(axis=0)  # dW has shape (M, D)

    report = gc.check_layer(F.dense_forward, transposed, x, W, b)
    assert not report.passed
    assert report["W"].band == "wrong"
    assert any("(5, 3)" in w and "(3, 5)" in w for w in report.warnings)


def test_check_layer_suspicious_band_for_a_small_error():
    z = _rng(4).standard_normal((3, 4))

    def slightly_off(da, cache):
        return F.tanh_backward(da, cache) * (1 + 1e-3)

    report = gc.check_layer(F.tanh_forward, slightly_off, z)
    assert report.band == "suspicious"
    assert not report.passed


def test_check_layer_sigmoid_backward_using_z_instead_of_a_fails():
    z = _rng(5).standard_normal((3, 4))

    def forward(z_):
        a, _ = F.sigmoid_forward(z_)
        return a, z_  # caches z by mistake

    report = gc.check_layer(forward, F.sigmoid_backward, z)
    assert not report.passed


@pytest.mark.parametrize("name", sorted(F.ACTIVATIONS))
def test_check_layer_passes_every_functional_activation(name):
    forward, backward = F.ACTIVATIONS[name]
    z = _rng(6).uniform(0.1, 2.0, size=(3, 4)) * _rng(7).choice([-1, 1], size=(3, 4))
    report = gc.check_layer(forward, backward, z)
    assert report.passed, repr(report)


def test_check_layer_does_not_touch_the_inputs():
    x, W, b = _dense_inputs()
    x32 = x.astype(np.float32)
    copies = [a.copy() for a in (x32, W, b)]
    gc.check_layer(F.dense_forward, F.dense_backward, x32, W, b)
    for original, copy in zip((x32, W, b), copies):
        np.testing.assert_array_equal(original, copy)
    assert x32.dtype == np.float32


def test_check_layer_uses_the_given_dout():
    z = _rng(8).standard_normal((2, 3))
    seen = []

    def backward(da, cache):
        seen.append(da.copy())
        return F.tanh_backward(da, cache)

    dout = np.arange(6.0).reshape(2, 3)
    assert gc.check_layer(F.tanh_forward, backward, z, dout=dout).passed
    np.testing.assert_array_equal(seen[0], dout)
    with pytest.raises(ValueError, match="dout has shape"):
        gc.check_layer(F.tanh_forward, backward, z, dout=np.ones((3, 2)))


def test_check_layer_argument_errors():
    with pytest.raises(TypeError, match="forward function and its backward"):
        gc.check_layer(F.dense_forward, "nope", np.ones((2, 2)))
    with pytest.raises(ValueError, match=r"return \(out, cache\)"):
        gc.check_layer(lambda z: z, F.linear_backward, np.ones((2, 2)))
    with pytest.raises(ValueError, match="num_checks"):
        gc.check_layer(F.tanh_forward, F.tanh_backward, np.ones((2, 2)), num_checks=0)


# --------------------------------------------------------------------------------------
# Kinks
# --------------------------------------------------------------------------------------
def test_relu_kink_is_detected_reported_and_not_failed():
    z = _rng(9).uniform(0.5, 2.0, size=(3, 4)) * np.array([1, -1, 1, -1])
    z[1, 2] = 3e-6  # within h = 1e-5 of the kink at 0
    report = gc.check_layer(F.relu_forward, F.relu_backward, z)
    assert report.kinks_crossed
    assert report.num_kinks == 1
    assert report["z"].kink_indices == [(1, 2)]
    assert report.passed
    assert "crossed a kink" in repr(report) and "z[1, 2]" in repr(report)
    # without kink detection the same coordinate makes the check fail: the numerical
    # gradient there is (3e-6 + 1e-5) / 2e-5 = 0.65 instead of 1
    blind = gc.check_layer(F.relu_forward, F.relu_backward, z, kink_inputs=None)
    assert not blind.passed


def test_no_kink_reported_away_from_zero():
    z = _rng(10).uniform(0.5, 2.0, size=(3, 4)) * np.array([1, -1, 1, -1])
    report = gc.check_layer(F.relu_forward, F.relu_backward, z)
    assert not report.kinks_crossed
    assert "crossed a kink" not in repr(report)


def test_kink_inside_a_model_is_detected():
    """A weight perturbation that flips the sign of a hidden ReLU input is a kink."""
    rng = _rng(11)
    x = rng.standard_normal((3, 2))
    W1, b1 = rng.standard_normal((2, 4)), rng.standard_normal(4)
    W2, b2 = rng.standard_normal((4, 1)), rng.standard_normal(1)
    y = rng.standard_normal((3, 1))
    # put hidden unit 0 of example 0 just next to its kink
    b1[0] = 2e-6 - x[0] @ W1[:, 0]
    problem = _mlp_problem(x, y, {"W1": W1, "b1": b1, "W2": W2, "b2": b2})
    report = gc.check_model(problem)
    assert report.kinks_crossed
    assert (0,) in report["b1"].kink_indices
    assert report.passed


# --------------------------------------------------------------------------------------
# float32, sampled mode, losses, noise level
# --------------------------------------------------------------------------------------
def test_float32_inputs_give_a_warning_and_a_float64_check():
    x, W, b = (a.astype(np.float32) for a in _dense_inputs(seed=12))
    report = gc.check_layer(F.dense_forward, F.dense_backward, x, W, b)
    assert len(report.warnings) == 1
    assert "float32" in report.warnings[0] and "float64" in report.warnings[0]
    assert "x (float32), W (float32), b (float32)" in report.warnings[0]
    # evaluated in float64: the error is far below what float32 differences could give
    assert report.max_rel_error < 1e-8
    assert report.passed
    assert "warning: not float64" in repr(report)


def test_sampled_mode_checks_k_coordinates_seeded():
    rng = _rng(13)
    x, W, b = rng.standard_normal((5, 10)), rng.standard_normal((10, 10)), rng.standard_normal(10)
    calls = []

    def forward(*args):
        calls.append(1)
        return F.dense_forward(*args)

    report = gc.check_layer(forward, F.dense_backward, x, W, b, num_checks=3, seed=1)
    assert [p.checked for p in report.params] == [3, 3, 3]
    assert len(calls) == 1 + 1 + 2 * 3 * 3  # analytic pass, f0, two per coordinate
    assert report.passed
    again = gc.check_layer(forward, F.dense_backward, x, W, b, num_checks=3, seed=1)
    assert repr(again) == repr(report)
    other = gc.check_layer(forward, F.dense_backward, x, W, b, num_checks=3, seed=2)
    assert [p.worst_index for p in other.params] != [p.worst_index for p in report.params]
    assert "sampled mode" in repr(report) and "3/100" in repr(report)
    # a gradient that is wrong everywhere is caught from a sample too
    bad = gc.check_layer(F.dense_forward, _sign_flip_db, x, W, b, num_checks=2, seed=1)
    assert not bad.passed and bad.worst.name == "b"


def test_sampled_mode_with_k_larger_than_size_checks_everything():
    z = _rng(14).standard_normal((2, 2))
    report = gc.check_layer(F.tanh_forward, F.tanh_backward, z, num_checks=50)
    assert report["z"].checked == 4


def _loss_inputs(name, rng):
    n, k = 4, 3
    if name.startswith("sparse"):
        y = rng.integers(0, k, size=n)
    elif name.startswith("categorical"):
        y = np.eye(k)[rng.integers(0, k, size=n)]
    elif name.startswith("binary"):
        y = rng.integers(0, 2, size=(n, k)).astype(float)
    else:
        y = rng.standard_normal((n, k))
    if "logits" in name or "squared" in name:
        p = rng.standard_normal((n, k))
    else:
        p = rng.uniform(0.1, 0.9, size=(n, k))
    return y, p


@pytest.mark.parametrize("name", sorted(F.LOSSES))
def test_check_loss_passes_every_functional_loss(name):
    loss, grad = F.LOSSES[name]
    y, p = _loss_inputs(name, _rng(15))
    report = gc.check_loss(loss, grad, y, p)
    assert report.passed, repr(report)
    assert report.params[0].name == "y_pred"


def test_check_loss_flags_missing_factor_two_in_mse():
    y, p = _loss_inputs("mean_squared_error", _rng(16))

    def grad_without_two(y_true, y_pred):
        return (y_pred - y_true) / y_pred.size

    report = gc.check_loss(F.mean_squared_error, grad_without_two, y, p)
    assert report.band == "wrong"
    assert report.max_rel_error == pytest.approx(1 / 3, rel=1e-6)  # |2g - g| / (|2g| + |g|)


def test_check_loss_clip_edge_counts_as_kink():
    y = np.array([[1.0, 0.0]])
    p = np.array([[0.5, 1e-6]])  # 1e-6 - h crosses the clip edge at 1e-7
    report = gc.check_loss(F.binary_crossentropy, F.binary_crossentropy_grad, y, p)
    assert report["y_pred"].kink_indices == [(0, 1)]
    assert report.passed


def test_tiny_gradients_at_rounding_noise_are_not_called_wrong():
    # the gradient is ~1e-16, far below what a finite difference can resolve
    x = _rng(17).standard_normal(5)
    report = gc.check_function(lambda v: 1.0 + 1e-16 * np.sum(v), lambda v: np.full(5, 1e-16), x)
    assert report["v"].at_noise_level
    assert report.passed
    # ... but a real error is not hidden by the noise allowance, even a small one:
    # gradients of 1e-6 reported as 2e-6 on a loss of order 1 (noise there is ~1e-10)
    report = gc.check_function(lambda v: 1.0 + 1e-6 * np.sum(v), lambda v: np.full(5, 2e-6), x)
    assert not report["v"].at_noise_level and not report.passed
    report = gc.check_function(lambda v: np.sum(v ** 2), lambda v: 3 * v, x)
    assert not report.passed


def test_check_function_several_inputs_and_names():
    rng = _rng(18)
    a, b = rng.standard_normal(3), rng.standard_normal(3)
    report = gc.check_function(lambda u, v: np.dot(u, v), lambda u, v: (v, u), a, b)
    assert report.passed
    assert [p.name for p in report.params] == ["u", "v"]
    report = gc.check_function(lambda u, v: np.dot(u, v), lambda u, v: (v, u), a, b,
                               names=["left", "right"])
    assert [p.name for p in report.params] == ["left", "right"]
    with pytest.raises(ValueError, match="one gradient per input"):
        gc.check_function(lambda u, v: np.dot(u, v), lambda u, v: v, a, b)


def test_nan_gradient_fails_with_a_warning():
    z = _rng(19).standard_normal((2, 2))
    report = gc.check_layer(F.tanh_forward, lambda da, c: da * np.nan, z)
    assert not report.passed
    assert report.band == "wrong"
    assert any("NaN" in w for w in report.warnings)


# --------------------------------------------------------------------------------------
# check_model with the GradientProblem protocol
# --------------------------------------------------------------------------------------
def _mlp_problem(x, y, params, wrong=None):
    """A 2-layer ReLU net with MSE, its gradients by hand (no backprop_lab code)."""

    def forward(p):
        z1 = x @ p["W1"] + p["b1"]
        h1 = np.maximum(z1, 0)
        out = h1 @ p["W2"] + p["b2"]
        return z1, h1, out

    def loss_fn(p):
        return float(np.mean((forward(p)[2] - y) ** 2))

    def grad_fn(p):
        z1, h1, out = forward(p)
        dout = 2 * (out - y) / out.size
        dz1 = (dout @ p["W2"].T) * (z1 > 0)
        grads = {"W2": h1.T @ dout, "b2": dout.sum(0), "W1": x.T @ dz1, "b1": dz1.sum(0)}
        if wrong:
            grads[wrong] = -grads[wrong]
        return grads

    return gc.GradientProblem(loss_fn, grad_fn, params, kink_fn=lambda p: [forward(p)[0]])


def _mlp_data(seed, dtype=np.float64):
    rng = _rng(seed)
    x = rng.standard_normal((6, 3))
    y = rng.standard_normal((6, 2))
    params = {"W1": rng.standard_normal((3, 5)), "b1": rng.standard_normal(5),
              "W2": rng.standard_normal((5, 2)), "b2": rng.standard_normal(2)}
    return x, y, {k: v.astype(dtype) for k, v in params.items()}


def test_check_model_protocol_right_and_wrong():
    x, y, params = _mlp_data(20)
    report = gc.check_model(_mlp_problem(x, y, params))
    assert report.passed, repr(report)
    assert [p.name for p in report.params] == ["W1", "b1", "W2", "b2"]
    bad = gc.check_model(_mlp_problem(x, y, params, wrong="W2"))
    assert not bad.passed and bad.worst.name == "W2"


def test_check_model_restores_params_and_checks_float32_in_float64():
    x, y, params = _mlp_data(21, dtype=np.float32)
    originals = dict(params)
    values = {k: v.copy() for k, v in params.items()}
    problem = _mlp_problem(x, y, params)
    report = gc.check_model(problem, num_checks=4)
    assert report.passed
    assert "float32" in report.warnings[0]
    for k in params:
        assert problem.params[k] is originals[k]
        np.testing.assert_array_equal(problem.params[k], values[k])
    assert all(p.checked == min(4, p.shape[0] * (p.shape[1] if len(p.shape) > 1 else 1))
               for p in report.params)


def test_check_model_rejects_other_objects():
    with pytest.raises(TypeError, match="params, loss\\(\\) and gradients\\(\\)"):
        gc.check_model(object())
    with pytest.raises(TypeError, match="non-empty dict"):
        gc.GradientProblem(lambda p: 0.0, lambda p: {}, [])


# --------------------------------------------------------------------------------------
# Layer objects
# --------------------------------------------------------------------------------------
def test_check_layer_object_dense_and_activation():
    layers = pytest.importorskip("backprop_lab.layers")
    x = _rng(22).standard_normal((5, 4))
    for activation in ["linear", "relu", "sigmoid", "tanh", "softmax"]:
        layer = layers.Dense(3, activation=activation, input_dim=4)
        layer.build((None, 4))
        layer.bias[...] = _rng(23).standard_normal(3)
        report = gc.check_layer(layer, x)
        assert report.passed, repr(report)
        assert [p.name for p in report.params] == ["x", "kernel", "bias"]
    report = gc.check_layer(layers.Activation("sigmoid"), x)
    assert report.passed and [p.name for p in report.params] == ["x"]


def test_check_layer_object_float32_weights_restored():
    layers = pytest.importorskip("backprop_lab.layers")
    layer = layers.Dense(3, activation="tanh", input_dim=4, dtype="float32")
    layer.build((None, 4))
    kernel, bias = layer.kernel, layer.bias
    kernel_values = kernel.copy()
    x = _rng(24).standard_normal((5, 4)).astype(np.float32)
    report = gc.check_layer(layer, x)
    assert report.passed
    assert "kernel (float32)" in report.warnings[0]
    assert layer.kernel is kernel and layer.bias is bias
    assert layer.kernel.dtype == np.float32
    np.testing.assert_array_equal(layer.kernel, kernel_values)


def test_check_layer_object_catches_a_broken_backward():
    layers = pytest.importorskip("backprop_lab.layers")

    class Broken(layers.Dense):
        def backward(self, da):
            dx = super().backward(da)
            self.grads = [self.grads[0].T.copy() if self.grads[0].shape[0] == self.grads[0].shape[1]
                          else -self.grads[0], self.grads[1]]
            return dx

    layer = Broken(3, activation="tanh", input_dim=3)
    layer.build((None, 3))
    report = gc.check_layer(layer, _rng(25).standard_normal((4, 3)))
    assert not report.passed and report.worst.name == "kernel"


# --------------------------------------------------------------------------------------
# The report's text
# --------------------------------------------------------------------------------------
def test_repr_and_html_content_and_determinism():
    x, W, b = _dense_inputs()
    report = gc.check_layer(F.dense_forward, F.dense_backward, x, W, b)
    text = repr(report)
    lines = text.splitlines()
    assert lines[0].startswith("Gradient check of dense_forward / dense_backward: PASSED")
    assert lines[1].split() == ["parameter", "shape", "checked", "rel.", "error", "band",
                                "worst", "at", "analytic", "numerical", "kinks"]
    assert lines[2].split()[0] == "x" and lines[3].split()[0] == "W"
    assert "good" in lines[2]
    assert "1e-2 wrong" in lines[-1]
    assert "0x" not in text
    assert len(lines) <= 8
    assert repr(gc.check_layer(F.dense_forward, F.dense_backward, x, W, b)) == text
    page = report._repr_html_()
    assert page.count("<tr>") == 1 + 3 and "<table>" in page and "PASSED" in page
    bad = gc.check_layer(F.dense_forward, _sign_flip_db, x, W, b)._repr_html_()
    assert "FAILED" in bad and "#cf222e" in bad
    assert "ParamCheck('x'" in repr(report.params[0])
    with pytest.raises(KeyError, match="names"):
        report["nope"]


# --------------------------------------------------------------------------------------
# check_model with a Sequential
# --------------------------------------------------------------------------------------
def _sequential(activations=("relu", "tanh", "sigmoid"), loss="binary_crossentropy",
                dtype=None, seed=26):
    models = pytest.importorskip("backprop_lab.models")
    from backprop_lab.layers import Dense

    rng = _rng(seed)
    model = models.Sequential()
    sizes = [3, 5, 4, 2]
    for i, act in enumerate(activations):
        kwargs = {"input_dim": sizes[0]} if i == 0 else {}
        model.add(Dense(sizes[i + 1], activation=act, dtype=dtype, **kwargs))
    model.set_weights([rng.standard_normal(w.shape) for w in model.get_weights()])
    model.compile(loss=loss, optimizer="sgd")
    x = rng.standard_normal((6, 3))
    y = rng.integers(0, 2, size=(6, 2)).astype(float)
    return model, x, y


def test_check_model_sequential_passes_and_names_weights():
    model, x, y = _sequential()
    report = gc.check_model(model, x, y)
    assert report.passed, repr(report)
    names = [layer.name for layer in model.layers]
    assert [p.name for p in report.params] == [f"{n}/{w}" for n in names
                                               for w in ("kernel", "bias")]
    assert report.warnings == []


def test_check_model_sequential_fused_softmax_and_sparse_labels():
    model, x, _ = _sequential(activations=("tanh", "relu", "softmax"),
                              loss="sparse_categorical_crossentropy", seed=27)
    labels = _rng(28).integers(0, 2, size=6)
    assert gc.check_model(model, x, labels).passed


def test_check_model_sequential_leaves_the_model_as_it_was():
    model, x, y = _sequential(dtype="float32", seed=29)
    arrays = model.weights
    values = model.get_weights()
    report = gc.check_model(model, x, y, num_checks=5)
    assert report.passed, repr(report)
    assert "float32" in report.warnings[0] and "kernel" in report.warnings[0]
    assert all(p.checked == 5 for p in report.params if np.prod(p.shape) >= 5)
    for old, new in zip(arrays, model.weights):
        assert old is new and new.dtype == np.float32
    for old, new in zip(values, model.get_weights()):
        np.testing.assert_array_equal(old, new)


def test_check_model_sequential_detects_a_kink():
    model, x, y = _sequential(seed=30)
    first = model.layers[0]
    first.bias[0] = 2e-6 - x[0] @ first.kernel[:, 0]  # unit 0 of example 0 sits at the kink
    report = gc.check_model(model, x, y)
    assert report.kinks_crossed
    assert (0,) in report[f"{first.name}/bias"].kink_indices
    assert report.passed


def test_check_model_sequential_catches_a_broken_layer():
    model, x, y = _sequential(seed=31)
    layer = model.layers[1]
    original = layer.backward

    def backward_with_sign_error(da):
        dx = original(da)
        layer.grads = [layer.grads[0], -layer.grads[1]]
        return dx

    layer.backward = backward_with_sign_error
    report = gc.check_model(model, x, y)
    assert not report.passed
    assert report.worst.name == f"{layer.name}/bias"


def test_check_model_sequential_needs_compile_and_data():
    model, x, y = _sequential(seed=32)
    with pytest.raises(ValueError, match="give a small batch x"):
        gc.check_model(model)
    model.loss = None
    with pytest.raises(ValueError, match="compile the model first"):
        gc.check_model(model, x, y)
