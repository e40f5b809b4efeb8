"""Dropout, BatchNormalization and the L1/L2 regularizers: the formulas of functional
against finite differences and autograd, the layers through fit/evaluate/predict/save/
load_model/summary/gradcheck, one training step against a hand-written float64 step, and
the errors for bad arguments."""
import autograd
import autograd.numpy as anp
import numpy as np
import pytest

from backprop_lab import functional as F
from backprop_lab import gradcheck, regularizers, utils
from backprop_lab._engine import fast_dense
from backprop_lab.layers import BatchNormalization, Dense, Dropout
from backprop_lab.models import Sequential, load_model
from backprop_lab.optimizers import SGD, Adam

from autograd_oracle import rel


def _data(n=32, d=4, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, d))
    return x, (x[:, 0] - x[:, 1] > 0).astype(float)


# --------------------------------------------------------------------------------------
# functional: dropout
# --------------------------------------------------------------------------------------
def test_dropout_forward_keeps_the_expected_value():
    x = np.ones((2000, 50))
    out, (mask, rate) = F.dropout_forward(x, 0.3, rng=np.random.default_rng(0))
    assert rate == 0.3 and mask.dtype == bool and mask.shape == x.shape
    assert set(np.unique(out)) == {0.0, 1 / 0.7}
    assert out.mean() == pytest.approx(1.0, abs=0.01)      # inverted: E[out] = x
    assert 1 - mask.mean() == pytest.approx(0.3, abs=0.01)  # a fraction `rate` dropped


def test_dropout_inference_is_the_identity():
    x = np.random.default_rng(1).standard_normal((3, 4))
    out, cache = F.dropout_forward(x, 0.5, np.zeros((3, 4), bool), training=False)
    assert out is x and cache == (None, 0.5)
    dout = np.ones((3, 4))
    assert F.dropout_backward(dout, cache) is dout


def test_dropout_backward_against_finite_differences_and_autograd():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((5, 3))
    mask = rng.random((5, 3)) >= 0.4
    dout = rng.standard_normal((5, 3))
    report = gradcheck.check_layer(lambda x: F.dropout_forward(x, 0.4, mask),
                                   lambda d, c: F.dropout_backward(d, c), x, dout=dout)
    assert report.passed, report
    expected = autograd.grad(lambda v: anp.sum(dout * v * mask / 0.6))(x)
    assert rel(F.dropout_backward(dout, (mask, 0.4)), expected) < 1e-14


def test_dropout_keeps_float32():
    x = np.ones((4, 3), np.float32)
    out, _ = F.dropout_forward(x, 0.5, np.ones((4, 3), bool))
    assert out.dtype == np.float32


# --------------------------------------------------------------------------------------
# functional: batch normalization
# --------------------------------------------------------------------------------------
def _ag_batchnorm(x, gamma, beta, eps=1e-3):
    mean = anp.mean(x, axis=0)
    var = anp.mean((x - mean) ** 2, axis=0)
    return gamma * (x - mean) / anp.sqrt(var + eps) + beta


def test_batchnorm_training_uses_the_batch_statistics_and_updates_the_moving_ones():
    rng = np.random.default_rng(3)
    x = 3 + 2 * rng.standard_normal((50, 4))
    gamma, beta = np.ones(4), np.zeros(4)
    mm, mv = np.zeros(4), np.ones(4)
    out, cache, mm_new, mv_new = F.batchnorm_forward(x, gamma, beta, mm, mv, True, 0.9, 1e-5)
    np.testing.assert_allclose(out.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(out.var(axis=0), 1, rtol=1e-4)  # var / (var + eps)
    # momentum weights the OLD value; the variance is the biased one (divided by N)
    np.testing.assert_allclose(mm_new, 0.9 * mm + 0.1 * x.mean(axis=0), rtol=1e-14)
    np.testing.assert_allclose(mv_new, 0.9 * mv + 0.1 * np.var(x, axis=0, ddof=0), rtol=1e-14)
    assert cache[3] is True and mm is not mm_new and np.array_equal(mm, np.zeros(4))


def test_batchnorm_inference_uses_the_moving_statistics():
    rng = np.random.default_rng(4)
    x = rng.standard_normal((6, 3))
    gamma, beta = rng.standard_normal(3), rng.standard_normal(3)
    mm, mv = rng.standard_normal(3), rng.random(3) + 0.5
    out, _, mm2, mv2 = F.batchnorm_forward(x, gamma, beta, mm, mv, False, epsilon=1e-3)
    np.testing.assert_allclose(out, gamma * (x - mm) / np.sqrt(mv + 1e-3) + beta, rtol=1e-14)
    assert mm2 is mm and mv2 is mv


@pytest.mark.parametrize("training", [True, False])
def test_batchnorm_backward_against_finite_differences_and_autograd(training):
    rng = np.random.default_rng(5)
    x = rng.standard_normal((7, 3)) * 2 + 1
    gamma, beta = rng.standard_normal(3), rng.standard_normal(3)
    mm, mv = rng.standard_normal(3), rng.random(3) + 0.5
    dout = rng.standard_normal((7, 3))

    def forward(x, gamma, beta):
        out, cache, _, _ = F.batchnorm_forward(x, gamma, beta, mm, mv, training)
        return out, cache

    report = gradcheck.check_layer(forward, F.batchnorm_backward, x, gamma, beta, dout=dout)
    assert report.passed, report
    _, cache = forward(x, gamma, beta)
    dx, dgamma, dbeta = F.batchnorm_backward(dout, cache)
    if training:
        def scalar(x, gamma, beta):
            return anp.sum(dout * _ag_batchnorm(x, gamma, beta))
    else:
        def scalar(x, gamma, beta):
            return anp.sum(dout * (gamma * (x - mm) / anp.sqrt(mv + 1e-3) + beta))
    for got, argnum in [(dx, 0), (dgamma, 1), (dbeta, 2)]:
        assert rel(got, autograd.grad(scalar, argnum)(x, gamma, beta)) < 1e-12


def test_batchnorm_dx_sums_to_zero_in_training():
    """The output does not change when x shifts by a constant: dx sums to 0 per feature."""
    rng = np.random.default_rng(6)
    x = rng.standard_normal((9, 2))
    _, cache, _, _ = F.batchnorm_forward(x, np.ones(2), np.zeros(2), np.zeros(2), np.ones(2))
    dx, _, _ = F.batchnorm_backward(rng.standard_normal((9, 2)), cache)
    np.testing.assert_allclose(dx.sum(axis=0), 0, atol=1e-12)


# --------------------------------------------------------------------------------------
# functional: penalties
# --------------------------------------------------------------------------------------
def test_penalties_and_their_gradients_against_autograd():
    w = np.random.default_rng(7).standard_normal((4, 3))
    assert F.l2_penalty(w, 0.1) == pytest.approx(0.1 * np.sum(w ** 2), rel=1e-14)
    assert F.l1_penalty(w, 0.1) == pytest.approx(0.1 * np.sum(np.abs(w)), rel=1e-14)
    assert rel(F.l2_penalty_grad(w, 0.1), autograd.grad(lambda v: 0.1 * anp.sum(v * v))(w)) \
        < 1e-15
    assert rel(F.l1_penalty_grad(w, 0.1),
               autograd.grad(lambda v: 0.1 * anp.sum(anp.abs(v)))(w)) < 1e-15
    assert F.l1_penalty_grad(np.zeros(3), 0.5).tolist() == [0, 0, 0]
    assert F.l2_penalty_grad(np.ones(2, np.float32), 0.1).dtype == np.float32


# --------------------------------------------------------------------------------------
# The Dropout layer
# --------------------------------------------------------------------------------------
def test_dropout_is_active_in_fit_only():
    utils.set_random_seed(0)
    layer = Dropout(0.5, seed=3)
    x = np.ones((4, 6))
    assert np.array_equal(layer(x), x)                        # inference by default
    assert not np.array_equal(layer(x, training=True), x)     # a random mask
    model = Sequential([Dense(6, input_dim=4), Dropout(0.5, seed=1), Dense(1)])
    model.compile(loss="mse", optimizer="sgd")
    xs, ys = _data()
    np.testing.assert_array_equal(model.predict(xs, verbose=0), model.predict(xs, verbose=0))
    np.testing.assert_allclose(model.predict(xs, verbose=0), model(xs))
    train_out = model.forward(xs, training=True)
    assert not np.allclose(train_out, model(xs))


def test_dropout_seed_gives_the_same_masks_and_rate_zero_changes_nothing():
    x = np.ones((3, 5))
    a, b = Dropout(0.4, seed=7), Dropout(0.4, seed=7)
    assert np.array_equal(a(x, training=True), b(x, training=True))
    assert np.array_equal(Dropout(0.0)(x, training=True), x)


def test_a_model_with_dropout_trains_and_round_trips(tmp_path):
    utils.set_random_seed(1)
    model = Sequential([Dense(8, activation="relu", input_dim=4), Dropout(0.25),
                        Dense(1, activation="sigmoid")])
    model.compile(loss="binary_crossentropy", optimizer=Adam(0.01), metrics=["accuracy"])
    x, y = _data(64)
    history = model.fit(x, y, epochs=3, batch_size=16, verbose=0, validation_split=0.25)
    assert len(history.history["val_loss"]) == 3
    assert fast_dense.unsupported_reason(model.layers, model.loss, model.optimizer)
    model.save(tmp_path / "m.npz")
    loaded = load_model(tmp_path / "m.npz")
    assert [type(layer).__name__ for layer in loaded.layers] == ["Dense", "Dropout", "Dense"]
    assert loaded.layers[1].rate == 0.25
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert model.layers[1].count_params() == 0 and model.layers[1].get_weights() == []


@pytest.mark.parametrize("rate", [1, 1.0, -0.1, 1.5, "0.5", None, True])
def test_dropout_rate_outside_zero_one_is_refused(rate):
    with pytest.raises(ValueError, match=r"Dropout\(rate=.*\[0, 1\)"):
        Dropout(rate)


def test_dropout_bad_seed_is_refused():
    with pytest.raises(ValueError, match=r"Dropout\(seed=...\)"):
        Dropout(0.5, seed=-1)


# --------------------------------------------------------------------------------------
# The BatchNormalization layer
# --------------------------------------------------------------------------------------
def _bn_model(**kwargs):
    utils.set_random_seed(2)
    model = Sequential([Dense(5, activation="relu", input_dim=4), BatchNormalization(**kwargs),
                        Dense(1, activation="sigmoid")])
    model.compile(loss="binary_crossentropy", optimizer=SGD(0.1), metrics=["accuracy"])
    return model


def test_batch_normalization_weights_in_keras_order_and_not_trained():
    model = _bn_model()
    bn = model.layers[1]
    names = [w for w in bn.weights_names]
    assert names == ["gamma", "beta", "moving_mean", "moving_variance"]
    assert [w.shape for w in bn.get_weights()] == [(5,)] * 4
    assert len(model.weights) == 8 and len(model.trainable_weights) == 6
    assert len(model.non_trainable_weights) == 2
    x, y = _data(64)
    before = bn.moving_variance.copy()
    model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    assert not np.allclose(bn.moving_variance, before)       # updated by the forward pass
    lines = []
    model.summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert "batch_normalization" in text and "(None, 5)" in text
    total = (4 * 5 + 5) + 4 * 5 + (5 + 1)
    assert f"Total params: {total}" in text
    assert f"Trainable params: {total - 10}" in text and "Non-trainable params: 10 " in text


def test_batch_normalization_moving_statistics_follow_the_formula():
    layer = BatchNormalization(momentum=0.9, input_dim=3)
    x = np.random.default_rng(8).standard_normal((20, 3)) * 2 + 5
    layer(x, training=True)
    np.testing.assert_allclose(layer.moving_mean, 0.1 * x.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(layer.moving_variance, 0.9 + 0.1 * x.var(axis=0), rtol=1e-12)
    out = layer(x)  # inference: the moving statistics, unchanged
    np.testing.assert_allclose(out, (x - layer.moving_mean) / np.sqrt(
        layer.moving_variance + 1e-3), rtol=1e-12)


def test_batch_normalization_one_step_matches_a_hand_written_float64_step():
    """Dense -> BN -> Dense(1) with MSE and SGD: one fit step written out in numpy."""
    utils.set_random_seed(3)
    model = Sequential([Dense(3, input_dim=2), BatchNormalization(momentum=0.5),
                        Dense(1)])
    model.compile(loss="mse", optimizer=SGD(0.1))
    rng = np.random.default_rng(9)
    x, y = rng.standard_normal((8, 2)), rng.standard_normal((8, 1))
    k1, b1, g, be, mm, mv, k2, b2 = model.get_weights()
    model.fit(x, y, epochs=1, batch_size=8, shuffle=False, verbose=0)
    # forward
    z = x @ k1 + b1
    mean, var = z.mean(axis=0), ((z - z.mean(axis=0)) ** 2).mean(axis=0)
    zhat = (z - mean) / np.sqrt(var + 1e-3)
    h = g * zhat + be
    out = h @ k2 + b2
    # backward
    dout = 2 * (out - y) / out.size
    dk2, db2, dh = h.T @ dout, dout.sum(0), dout @ k2.T
    dg, dbe, dzhat = (dh * zhat).sum(0), dh.sum(0), dh * g
    dvar = np.sum(dzhat * (z - mean) * -0.5 * (var + 1e-3) ** -1.5, axis=0)
    dmean = np.sum(-dzhat / np.sqrt(var + 1e-3), axis=0) + dvar * np.mean(-2 * (z - mean), 0)
    dz = dzhat / np.sqrt(var + 1e-3) + dvar * 2 * (z - mean) / 8 + dmean / 8
    dk1, db1 = x.T @ dz, dz.sum(0)
    expected = [k1 - 0.1 * dk1, b1 - 0.1 * db1, g - 0.1 * dg, be - 0.1 * dbe,
                0.5 * mm + 0.5 * mean, 0.5 * mv + 0.5 * var, k2 - 0.1 * dk2, b2 - 0.1 * db2]
    for got, want in zip(model.get_weights(), expected):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)


def test_batch_normalization_saved_and_loaded_with_its_moving_statistics(tmp_path):
    model = _bn_model(momentum=0.5, epsilon=1e-2, center=False)
    x, y = _data(64)
    model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    model.save(tmp_path / "bn.npz")
    loaded = load_model(tmp_path / "bn.npz")
    bn = loaded.layers[1]
    assert (bn.momentum, bn.epsilon, bn.center, bn.scale) == (0.5, 1e-2, False, True)
    assert bn.beta is None and len(bn.get_weights()) == 3
    for a, b in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    # and training goes on identically
    model.fit(x, y, epochs=1, batch_size=16, shuffle=False, verbose=0)
    loaded.fit(x, y, epochs=1, batch_size=16, shuffle=False, verbose=0)
    for a, b in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-14)


def test_batch_normalization_set_weights_and_evaluate_use_moving_statistics():
    model = _bn_model()
    x, y = _data(16)
    weights = model.get_weights()
    weights[4] = np.full(5, 10.0)   # moving_mean
    weights[5] = np.full(5, 4.0)    # moving_variance
    model.set_weights(weights)
    bn = model.layers[1]
    z = model.layers[0](x)
    np.testing.assert_allclose(bn(z), (z - 10) / np.sqrt(4 + 1e-3), rtol=1e-12)
    loss = model.evaluate(x, y, verbose=0)[0]
    assert loss == pytest.approx(model.loss(y.reshape(-1, 1), model.predict(x, verbose=0)))


@pytest.mark.parametrize("kwargs, message", [
    ({"axis": 0}, r"BatchNormalization\(axis=0\).*axis=-1"),
    ({"axis": 2}, r"BatchNormalization\(axis=2\)"),
    ({"momentum": 1.5}, r"BatchNormalization\(momentum=...\)"),
    ({"momentum": -0.1}, r"BatchNormalization\(momentum=...\)"),
    ({"epsilon": 0}, r"BatchNormalization\(epsilon=...\)"),
    ({"gamma_initializer": "unit"}, r"BatchNormalization\(gamma_initializer=...\)"),
])
def test_batch_normalization_bad_arguments_name_the_argument(kwargs, message):
    with pytest.raises(ValueError, match=message):
        BatchNormalization(**kwargs)


# --------------------------------------------------------------------------------------
# Regularizers
# --------------------------------------------------------------------------------------
def test_regularizer_objects_follow_keras():
    assert regularizers.l2 is regularizers.L2 and regularizers.l1_l2 is regularizers.L1L2
    assert regularizers.L2().l2 == 0.01 and regularizers.L1().l1 == 0.01
    assert (regularizers.L1L2().l1, regularizers.L1L2().l2) == (0.0, 0.0)
    w = np.array([[1.0, -2.0], [0.5, 0.0]])
    reg = regularizers.l1_l2(l1=0.1, l2=0.2)
    assert reg(w) == pytest.approx(0.1 * 3.5 + 0.2 * 5.25)
    np.testing.assert_allclose(reg.gradient(w), 0.1 * np.sign(w) + 0.4 * w)
    assert isinstance(regularizers.get("l2"), regularizers.L2)
    assert isinstance(regularizers.get("L1L2"), regularizers.L1L2)
    spec = regularizers.serialize(regularizers.l2(1e-4))
    assert spec == {"class_name": "L2", "config": {"l2": 1e-4}}
    assert regularizers.deserialize(spec).l2 == 1e-4


@pytest.mark.parametrize("make, message", [
    (lambda: regularizers.l2(-0.01), r"L2\(l2=...\).*>= 0"),
    (lambda: regularizers.l1(float("nan")), r"L1\(l1=...\)"),
    (lambda: regularizers.l1_l2(l1=0.1, l2=-1), r"L1L2\(l2=...\)"),
    (lambda: Dense(3, kernel_regularizer="l3"), r"Dense\(kernel_regularizer=...\).*l2"),
    (lambda: Dense(3, bias_regularizer=0.01), r"Dense\(bias_regularizer=...\)"),
    (lambda: Dense(3, kernel_regularizer=regularizers.L2), r"class L2 itself"),
])
def test_bad_regularizers_name_the_argument_and_the_fix(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def _regularized_model(optimizer=None):
    utils.set_random_seed(4)
    model = Sequential([
        Dense(6, activation="tanh", input_dim=4, kernel_regularizer=regularizers.l2(0.05),
              bias_regularizer=regularizers.l1(0.02)),
        Dense(1, activation="sigmoid", kernel_regularizer=regularizers.l1_l2(0.01, 0.03))])
    model.compile(loss="binary_crossentropy", optimizer=optimizer or SGD(0.2))
    return model


def test_the_penalty_is_part_of_the_reported_loss():
    model = _regularized_model()
    x, y = _data(40)
    k1, b1, k2, _ = model.get_weights()
    penalty = 0.05 * np.sum(k1 ** 2) + 0.02 * np.sum(np.abs(b1)) + 0.01 * np.sum(
        np.abs(k2)) + 0.03 * np.sum(k2 ** 2)
    assert sum(model.losses) == pytest.approx(penalty, rel=1e-14)
    data_loss = model.loss(y.reshape(-1, 1), model.predict(x, verbose=0))
    assert model.evaluate(x, y, verbose=0) == pytest.approx(data_loss + penalty, rel=1e-12)
    history = model.fit(x, y, epochs=1, batch_size=40, verbose=0)  # one full-batch step
    assert history.history["loss"][0] == pytest.approx(data_loss + penalty, rel=1e-12)


def test_a_regularized_step_matches_a_hand_written_float64_step():
    model = _regularized_model()
    x, y = _data(40)
    y = y.reshape(-1, 1)
    k1, b1, k2, b2 = model.get_weights()
    model.fit(x, y, epochs=1, batch_size=40, verbose=0)
    h = np.tanh(x @ k1 + b1)
    p = 1 / (1 + np.exp(-(h @ k2 + b2)))
    dz2 = (p - y) / y.size
    dk2 = h.T @ dz2 + 0.01 * np.sign(k2) + 0.06 * k2
    db2 = dz2.sum(0)
    dz1 = (dz2 @ k2.T) * (1 - h ** 2)
    dk1 = x.T @ dz1 + 0.1 * k1
    db1 = dz1.sum(0) + 0.02 * np.sign(b1)
    for got, want in zip(model.get_weights(),
                         [k1 - 0.2 * dk1, b1 - 0.2 * db1, k2 - 0.2 * dk2, b2 - 0.2 * db2]):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)


def test_regularizers_saved_loaded_and_kept_off_the_fast_path(tmp_path):
    model = _regularized_model()
    assert "regularizers" in fast_dense.unsupported_reason(model.layers, model.loss,
                                                            model.optimizer)
    model.save(tmp_path / "r.npz")
    loaded = load_model(tmp_path / "r.npz")
    reg = loaded.layers[1].kernel_regularizer
    assert isinstance(reg, regularizers.L1L2) and (reg.l1, reg.l2) == (0.01, 0.03)
    x, y = _data(20)
    assert loaded.evaluate(x, y, verbose=0) == pytest.approx(model.evaluate(x, y, verbose=0))


# --------------------------------------------------------------------------------------
# The gradient checker with the new layers
# --------------------------------------------------------------------------------------
def test_check_model_with_dropout_batchnorm_and_penalties_passes_and_changes_nothing():
    utils.set_random_seed(5)
    model = Sequential([
        Dense(6, activation="tanh", input_dim=4, kernel_regularizer=regularizers.l2(0.1)),
        BatchNormalization(momentum=0.5), Dropout(0.5), Dense(3, activation="softmax",
                                                               bias_regularizer="l1")])
    model.compile(loss="sparse_categorical_crossentropy", optimizer="adam")
    x = np.random.default_rng(10).standard_normal((6, 4))
    y = np.array([0, 1, 2, 0, 1, 2])
    weights = model.get_weights()
    state = model.layers[2].get_state()
    report = gradcheck.check_model(model, x, y)
    assert report.passed, report
    assert len(report.params) == 6  # kernel, bias, gamma, beta, kernel, bias
    for a, b in zip(weights, model.get_weights()):  # moving statistics included
        np.testing.assert_array_equal(a, b)
    assert model.layers[2].get_state() == state      # the next mask is still the same


def test_a_wrong_dropout_backward_is_caught_by_check_model():
    import backprop_lab

    utils.set_random_seed(6)
    model = Sequential([Dense(5, activation="tanh", input_dim=3), Dropout(0.4),
                        Dense(1)])
    model.compile(loss="mse", optimizer="sgd")
    x = np.random.default_rng(11).standard_normal((5, 3))
    with backprop_lab.use_functions(dropout_backward=lambda dout, cache: dout * cache[0]):
        report = gradcheck.check_model(model, x, x[:, :1])
    assert not report.passed


# --------------------------------------------------------------------------------------
# The fast path refuses the new layers and options
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("layers", [
    lambda: [Dense(4, input_dim=3), Dropout(0.1), Dense(1)],
    lambda: [Dense(4, input_dim=3), BatchNormalization(), Dense(1)],
    lambda: [Dense(4, input_dim=3, kernel_regularizer="l2"), Dense(1)],
    lambda: [Dense(4, input_dim=3), Dense(1, bias_regularizer=regularizers.l1(0.1))],
])
def test_models_with_new_layers_take_the_teaching_path(layers, monkeypatch):
    """The same weights with the fast path on and off: the model is refused by it."""
    x = np.random.default_rng(12).standard_normal((32, 3))
    results = []
    for enabled in (True, False):
        monkeypatch.setattr(fast_dense, "ENABLED", enabled)
        utils.set_random_seed(7)
        model = Sequential(layers())
        model.compile(loss="mse", optimizer=SGD(0.05))
        assert fast_dense.unsupported_reason(model.layers, model.loss, model.optimizer)
        utils.set_random_seed(8)
        model.fit(x, x[:, :1], epochs=2, batch_size=8, verbose=0)
        results.append(model.get_weights())
    for a, b in zip(*results):
        np.testing.assert_array_equal(a, b)
