"""Property tests of backprop_lab.functional.

Every backward function and every loss gradient is compared, on random shapes and
values, with two independent oracles:

* central finite differences of the forward function (float64, h = 1e-5);
* the ``autograd`` package applied to formulas written again here in ``autograd.numpy``
  (not calling backprop_lab), which also checks the forward values.

The stability tests feed extreme pre-activations (|z| up to 1e4 in float64, up to 3e38
in float32) and require no warning, no NaN and no unexpected infinity.

The worst relative errors seen are printed at the end of the module (run with ``-s``).
"""
import warnings

import autograd
import autograd.numpy as anp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from backprop_lab import functional as F

from autograd_oracle import AG_ACTIVATIONS, AG_LOSSES, ag_log_softmax, rel

SETTINGS = settings(max_examples=40, deadline=None, database=None, derandomize=True)
H = 1e-5
FD_TOL = 1e-6  # finite differences: truncation ~h^2, rounding ~eps/h
AG_TOL = 1e-9  # autograd: exact derivatives, only rounding differs

WORST = {}  # (oracle, what) -> worst norm-based relative error seen


# A comparison passes when the relative error is below the tolerance, or when the
# whole difference is below an absolute floor: a central difference cannot resolve a
# gradient of 1e-9 (its truncation error is h^2/6 times the third derivative, its
# rounding about eps |f| / h).  The worst relative errors are recorded only where the
# gradient is large enough for a relative error to mean something (norm >= 1e-4).
ATOL = {"finite differences": 1e-7, "autograd": 1e-13}
RECORD_ABOVE = 1e-4


def record(oracle, what, a, b, tol):
    err = rel(a, b)
    diff = float(np.linalg.norm(np.asarray(a, float) - np.asarray(b, float)))
    if np.linalg.norm(a) + np.linalg.norm(b) >= RECORD_ABOVE:
        WORST[(oracle, what)] = max(WORST.get((oracle, what), 0.0), err)
    assert err < tol or diff < ATOL[oracle], (
        f"{what}: relative error {err:.2e} (absolute {diff:.2e}) against {oracle}, "
        f"tolerance {tol:g}")


@pytest.fixture(scope="module", autouse=True)
def print_worst_errors():
    yield
    if WORST:
        print("\nworst relative errors seen (functional against the oracles):")
        for (oracle, what), err in sorted(WORST.items()):
            print(f"  {oracle:<18} {what:<48} {err:.2e}")
        fd = max(e for (o, _), e in WORST.items() if o == "finite differences")
        print(f"  worst against finite differences overall: {fd:.2e}")


def fd_grad(f, x, dout=None):
    """Central differences written out here: dL/dx for L = f(x) or L = sum(dout * f(x))."""
    grad = np.zeros_like(x, dtype=np.float64)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + H
        up = np.array(f(x), dtype=np.float64)
        x[i] = old - H
        down = np.array(f(x), dtype=np.float64)
        x[i] = old
        diff = up - down if dout is None else np.sum((up - down) * dout)
        grad[i] = diff / (2 * H)
    return grad


# --------------------------------------------------------------------------------------
# Strategies
# --------------------------------------------------------------------------------------
batch = st.integers(1, 8)
features = st.integers(1, 7)


def values(shape, lo=-4.0, hi=4.0):
    return arrays(np.float64, shape, elements=st.floats(lo, hi, allow_nan=False,
                                                        allow_infinity=False,
                                                        allow_subnormal=False))


def away_from_zero(shape, gap=1e-2):
    """Values in [-4, -gap] or [gap, 4]: the ReLU kink is further than h away."""
    return arrays(np.float64, shape,
                  elements=st.one_of(st.floats(-4.0, -gap), st.floats(gap, 4.0)))


# --------------------------------------------------------------------------------------
# Independent formulas in autograd.numpy
# --------------------------------------------------------------------------------------


# --------------------------------------------------------------------------------------
# Forward/backward pairs
# --------------------------------------------------------------------------------------
@SETTINGS
@given(data=st.data(), n=batch, d=features, m=features)
def test_dense_backward(data, n, d, m):
    x = data.draw(values((n, d)))
    W = data.draw(values((d, m)))
    b = data.draw(values((m,)))
    dout = data.draw(values((n, m)))
    z, cache = F.dense_forward(x, W, b)
    dx, dW, db = F.dense_backward(dout, cache)
    assert (dx.shape, dW.shape, db.shape) == (x.shape, W.shape, b.shape)

    def ag_loss(x_, W_, b_):
        return anp.sum((anp.dot(x_, W_) + b_) * dout)

    np.testing.assert_allclose(z, anp.dot(x, W) + b, rtol=1e-12, atol=1e-12)
    for k, (name, analytic, arr) in enumerate([("x", dx, x), ("W", dW, W), ("b", db, b)]):
        args = [x, W, b]

        def f(v, k=k, args=args):
            args[k] = v
            return F.dense_forward(*args)[0]

        record("finite differences", f"dense_backward d{name}", analytic,
               fd_grad(f, arr.copy(), dout), FD_TOL)
        record("autograd", f"dense_backward d{name}", analytic,
               autograd.grad(ag_loss, k)(x, W, b), AG_TOL)


@pytest.mark.parametrize("name", sorted(F.ACTIVATIONS))
def test_activation_backward(name):
    forward, backward = F.ACTIVATIONS[name]

    @SETTINGS
    @given(data=st.data(), n=batch, m=features)
    def check(data, n, m):
        z = data.draw(away_from_zero((n, m)) if name == "relu" else values((n, m)))
        dout = data.draw(values((n, m)))
        a, cache = forward(z.copy())
        dz = backward(dout, cache)
        assert dz.shape == z.shape
        np.testing.assert_allclose(a, AG_ACTIVATIONS[name](z), rtol=1e-12, atol=1e-14)
        record("finite differences", f"{name}_backward", dz,
               fd_grad(lambda v: forward(v)[0], z.copy(), dout), FD_TOL)
        oracle = autograd.grad(lambda v: anp.sum(AG_ACTIVATIONS[name](v) * dout))(z)
        record("autograd", f"{name}_backward", dz, oracle, AG_TOL)

    check()


def _targets(data, name, n, k):
    """Targets suited to a loss: real values, 0/1 or soft labels, one-hot rows, labels."""
    if name.startswith("sparse"):
        return data.draw(arrays(np.int64, (n,), elements=st.integers(0, k - 1)))
    if name.startswith("categorical"):
        if data.draw(st.booleans()):  # one-hot rows
            return np.eye(k)[data.draw(arrays(np.int64, (n,), elements=st.integers(0, k - 1)))]
        w = data.draw(values((n, k), 0.01, 1.0))  # soft rows summing to 1
        return w / w.sum(axis=1, keepdims=True)
    if name.startswith("binary"):
        return data.draw(values((n, k), 0.0, 1.0))
    return data.draw(values((n, k)))


def _predictions(data, name, n, k):
    if "logits" in name or "squared" in name or name == "huber":
        return data.draw(values((n, k), -6.0, 6.0))
    return data.draw(values((n, k), 0.05, 0.95))  # probabilities away from the clip edges


@pytest.mark.parametrize("name", sorted(F.LOSSES))
def test_loss_gradient(name):
    loss, loss_grad = F.LOSSES[name]

    @SETTINGS
    @given(data=st.data(), n=batch, k=st.integers(2, 7) if "categorical" in name else features)
    def check(data, n, k):
        y = _targets(data, name, n, k)
        p = _predictions(data, name, n, k)
        value = loss(y, p)
        assert isinstance(value, float)
        assert value == pytest.approx(float(AG_LOSSES[name](y, p)), rel=1e-12, abs=1e-12)
        g = loss_grad(y, p)
        assert g.shape == p.shape
        record("finite differences", f"{name}_grad", g, fd_grad(lambda v: loss(y, v), p.copy()),
               FD_TOL)
        record("autograd", f"{name}_grad", g, autograd.grad(lambda v: AG_LOSSES[name](y, v))(p),
               AG_TOL)

    check()


FUSED = {
    "sigmoid_binary_crossentropy_grad": ("sigmoid", "binary_crossentropy"),
    "softmax_categorical_crossentropy_grad": ("softmax", "categorical_crossentropy"),
    "softmax_sparse_categorical_crossentropy_grad": ("softmax", "sparse_categorical_crossentropy"),
}


@pytest.mark.parametrize("fused", sorted(FUSED))
def test_fused_output_gradient(fused):
    activation, loss_name = FUSED[fused]
    fused_grad = getattr(F, fused)
    act_forward = F.ACTIVATIONS[activation][0]
    loss = F.LOSSES[loss_name][0]

    @SETTINGS
    @given(data=st.data(), n=batch, k=st.integers(2, 7) if activation == "softmax" else features)
    def check(data, n, k):
        y = _targets(data, loss_name, n, k)
        if loss_name == "categorical_crossentropy":  # the fused form needs rows summing to 1
            y = np.eye(k)[data.draw(arrays(np.int64, (n,), elements=st.integers(0, k - 1)))]
        z = data.draw(values((n, k), -4.0, 4.0))
        g = fused_grad(y, act_forward(z)[0])
        record("finite differences", fused, g,
               fd_grad(lambda v: loss(y, act_forward(v)[0]), z.copy()), FD_TOL)
        oracle = autograd.grad(lambda v: AG_LOSSES[loss_name](y, AG_ACTIVATIONS[activation](v)))(z)
        record("autograd", fused, g, oracle, AG_TOL)

    check()


@SETTINGS
@given(data=st.data(), n=batch, k=features)
def test_log_softmax_is_log_of_softmax(data, n, k):
    z = data.draw(values((n, k), -50.0, 50.0))
    logp = F.log_softmax(z)
    np.testing.assert_allclose(logp, ag_log_softmax(z), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(np.exp(logp).sum(axis=1), 1.0, rtol=1e-12)
    assert np.all(logp <= 0)


# --------------------------------------------------------------------------------------
# Stability: extreme pre-activations
# --------------------------------------------------------------------------------------
F32_EDGE = float(np.float32(3e38))  # 3e38 rounded to float32, close to its largest value


def extreme(dtype):
    """(N, K) arrays spanning the range: |z| <= 1e4 in float64, |z| <= 3e38 in float32."""
    edge = F32_EDGE if dtype == np.float32 else 1e4
    width = 32 if dtype == np.float32 else 64
    elements = st.floats(-edge, edge, width=width, allow_nan=False, allow_infinity=False)
    return st.tuples(batch, st.integers(2, 7)).flatmap(
        lambda s: arrays(dtype, s, elements=st.one_of(elements, st.sampled_from([-edge, edge]))))


def finite(*arrays_):
    return all(np.all(np.isfinite(np.asarray(a, dtype=np.float64))) for a in arrays_)


def sigmoid_reference(z):
    """1 / (1 + e^-z) = exp(-log(1 + e^-z)), accurate to a few ulps for any z."""
    return np.exp(-np.logaddexp(0.0, -np.asarray(z, dtype=np.float64)))


def log_softmax_reference(z):
    z = np.asarray(z, dtype=np.float64)
    shifted = z - z.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def run_strict(fn, *args):
    """Call fn with every warning turned into an error.

    numpy's default error state is kept: overflow, division by zero and invalid
    operations warn (and so raise here); underflow to 0 (exp(-1e4) = 0) is silent, as it
    is by design in the stable formulas.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="warn", divide="warn", invalid="warn", under="ignore"):
            return fn(*args)


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
def test_activations_are_stable_at_extremes(dtype):
    tol = dict(rtol=1e-5, atol=1e-6) if dtype == np.float32 else dict(rtol=1e-12, atol=1e-300)

    @SETTINGS
    @given(z=extreme(dtype))
    def check(z):
        dout = np.ones_like(z)
        for name in ["sigmoid", "tanh", "softmax"]:
            forward, backward = F.ACTIVATIONS[name]
            a, cache = run_strict(forward, z)
            dz = run_strict(backward, dout, cache)
            assert a.dtype == dtype and finite(a, dz), name
            assert np.all((a >= 0) & (a <= 1)) if name != "tanh" else np.all(np.abs(a) <= 1)
        np.testing.assert_allclose(run_strict(F.sigmoid_forward, z)[0], sigmoid_reference(z),
                                   **tol)
        np.testing.assert_allclose(run_strict(F.softmax_forward, z)[0],
                                   np.exp(log_softmax_reference(z)), **tol)
        logp = run_strict(F.log_softmax, z)
        reference = log_softmax_reference(z)
        assert not np.any(np.isnan(logp))
        if dtype == np.float64:
            assert finite(logp)
            np.testing.assert_allclose(logp, reference, rtol=1e-12)
        else:
            # -inf is the right float32 rounding only where the true value is below
            # float32's lowest number (e.g. a gap of 6e38 between two logits)
            below = reference < np.finfo(np.float32).min
            np.testing.assert_array_equal(np.isneginf(logp), below)
            np.testing.assert_allclose(logp[~below], reference[~below], rtol=1e-6, atol=1e-6)

    check()


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
def test_losses_are_stable_at_extremes(dtype):
    @SETTINGS
    @given(z=extreme(dtype), data=st.data())
    def check(z, data):
        n, k = z.shape
        labels = data.draw(arrays(np.int64, (n,), elements=st.integers(0, k - 1)))
        onehot = np.eye(k, dtype=dtype)[labels]
        binary = data.draw(arrays(dtype, (n, k), elements=st.sampled_from([0.0, 1.0])))
        sig = run_strict(F.sigmoid_forward, z)[0]
        soft = run_strict(F.softmax_forward, z)[0]
        cases = {
            "binary_crossentropy_from_logits": (binary, z),
            "categorical_crossentropy_from_logits": (onehot, z),
            "sparse_categorical_crossentropy_from_logits": (labels, z),
            "binary_crossentropy": (binary, sig),
            "categorical_crossentropy": (onehot, soft),
            "sparse_categorical_crossentropy": (labels, soft),
        }
        if dtype == np.float64:  # |z| <= 1e4: squared errors are fine too
            cases["mean_squared_error"] = (binary, z)
            cases["half_sum_squared_error"] = (binary, z)
        for name, (y, p) in cases.items():
            loss, loss_grad = F.LOSSES[name]
            value = run_strict(loss, y, p)
            grad = run_strict(loss_grad, y, p)
            assert finite(value, grad), name
            assert value >= 0, name
        fused = [(F.sigmoid_binary_crossentropy_grad, binary, sig),
                 (F.softmax_categorical_crossentropy_grad, onehot, soft),
                 (F.softmax_sparse_categorical_crossentropy_grad, labels, soft)]
        for fn, y, p in fused:
            assert finite(run_strict(fn, y, p)), fn.__name__
        # values from logits agree with independent float64 formulas
        z64 = z.astype(np.float64)
        bce = np.mean(np.logaddexp(0.0, z64) - binary * z64)
        assert run_strict(F.binary_crossentropy_from_logits, binary, z) == pytest.approx(
            bce, rel=1e-9, abs=1e-12)
        cce = -np.sum(log_softmax_reference(z64)[np.arange(n), labels]) / n
        assert run_strict(F.sparse_categorical_crossentropy_from_logits, labels, z) == \
            pytest.approx(cce, rel=1e-9, abs=1e-12)
        assert run_strict(F.categorical_crossentropy_from_logits, onehot, z) == \
            pytest.approx(cce, rel=1e-9, abs=1e-12)

    check()


def test_relu_derivative_at_zero_is_zero():
    """The documented convention (as Keras): no gradient flows at exactly z = 0."""
    z = np.array([[-1.0, 0.0, 2.0]])
    _, cache = F.relu_forward(z)
    np.testing.assert_array_equal(F.relu_backward(np.ones_like(z), cache), [[0.0, 0.0, 1.0]])
