"""AdamW, Adam(amsgrad=True), the learning-rate schedules, LearningRateScheduler and
ReduceLROnPlateau: the update rules against hand-written float64 steps, the schedules
against their formulas (Keras's rules at the edges), saving and loading, the fast path, and
the errors for bad arguments."""
import math

import numpy as np
import pytest

from backprop_lab import callbacks, utils
from backprop_lab import functional as F
from backprop_lab._engine import fast_dense
from backprop_lab.layers import Dense
from backprop_lab.models import Sequential, load_model
from backprop_lab.optimizers import SGD, Adam, AdamW, get, schedules


def _data(n=48, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 3))
    return x, (x @ np.array([1.0, -2.0, 0.5]) + 0.1 * rng.standard_normal(n)).reshape(-1, 1)


def _model(optimizer, seed=0):
    utils.set_random_seed(seed)
    model = Sequential([Dense(4, activation="tanh", input_dim=3), Dense(1)])
    model.compile(loss="mse", optimizer=optimizer)
    return model


# --------------------------------------------------------------------------------------
# The update rules
# --------------------------------------------------------------------------------------
def test_adamw_update_is_decay_then_adam():
    rng = np.random.default_rng(1)
    w, dw, m, v = (rng.standard_normal(5) for _ in range(4))
    v = np.abs(v)
    got = F.adamw_update(w, dw, m, v, 3, 0.01, 0.1)
    decayed = w * (1 - 0.01 * 0.1)
    np.testing.assert_allclose(got[0], F.adam_update(decayed, dw, m, v, 3, 0.01)[0],
                               rtol=1e-15)
    np.testing.assert_allclose(F.weight_decay_update(w, 0.5, 0.2), 0.9 * w, rtol=1e-15)


def test_amsgrad_divides_by_the_largest_second_moment():
    w, dw = np.array([1.0, 1.0]), np.array([0.1, 0.1])
    m, v, v_max = np.zeros(2), np.array([4.0, 0.0]), np.array([9.0, 0.0])
    w_new, m_new, v_new, v_max_new = F.amsgrad_update(w, dw, m, v, v_max, 2, 0.1)
    np.testing.assert_allclose(v_new, v + 0.001 * (dw ** 2 - v))
    np.testing.assert_allclose(v_max_new, np.maximum(v_max, v_new))
    alpha = 0.1 * math.sqrt(1 - 0.999 ** 2) / (1 - 0.9 ** 2)
    np.testing.assert_allclose(w_new, w - alpha * m_new / (np.sqrt(v_max_new) + 1e-7))


def _hand_adam(w, g, m, v, t, lr, b1=0.9, b2=0.999, eps=1e-7, wd=0.0, v_max=None):
    """Adam as in Kingma and Ba's Algorithm 1, rearranged as Keras (epsilon hat), with
    Keras's decoupled decay first; written here from the papers, not from the package."""
    w = w * (1 - lr * wd)
    m = b1 * m + (1 - b1) * g
    v = b2 * v + (1 - b2) * g * g
    denom_v = v if v_max is None else np.maximum(v_max, v)
    step = lr * math.sqrt(1 - b2 ** t) / (1 - b1 ** t) * m / (np.sqrt(denom_v) + eps)
    return w - step, m, v, denom_v


@pytest.mark.parametrize("optimizer, wd, amsgrad", [
    (lambda: AdamW(learning_rate=0.05, weight_decay=0.3), 0.3, False),
    (lambda: AdamW(learning_rate=0.05, weight_decay=0.3, amsgrad=True), 0.3, True),
    (lambda: Adam(learning_rate=0.05, amsgrad=True), 0.0, True),
])
def test_two_steps_match_hand_written_float64_steps(optimizer, wd, amsgrad):
    model = _model(optimizer())
    x, y = _data(16)
    weights = model.get_weights()
    state = [(np.zeros_like(w), np.zeros_like(w), np.zeros_like(w)) for w in weights]
    for t in (1, 2):
        xb, yb = x[8 * (t - 1):8 * t], y[8 * (t - 1):8 * t]
        _, _, grads = model.compute_gradients(xb, yb)
        model.optimizer.apply(grads, model.trainable_weights)
        new = []
        for i, (w, g) in enumerate(zip(weights, grads)):
            m, v, v_max = state[i]
            w, m, v, v_max = _hand_adam(w, g, m, v, t, 0.05, wd=wd,
                                        v_max=v_max if amsgrad else None)
            state[i] = (m, v, v_max)
            new.append(w)
        weights = new
        for got, want in zip(model.get_weights(), weights):
            np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-16)


def test_adamw_decays_every_weight_alike_and_adam_with_l2_does_not():
    """The notebook's point, as a test: with a zero gradient AdamW still shrinks every
    weight by lr * weight_decay, whatever the history of its gradients."""
    w = np.array([1.0, 1.0])
    m, v = np.zeros(2), np.array([100.0, 1e-4])  # one weight with large gradients
    w_new, _, _ = F.adamw_update(w, np.zeros(2), m, v, 10, 0.01, 0.1)
    np.testing.assert_allclose(w_new, 1 - 0.001)
    l2_grad = F.l2_penalty_grad(w, 0.05)
    w_l2, _, _ = F.adam_update(w, l2_grad, m, v, 10, 0.01)
    shrink = 1 - w_l2
    assert shrink[1] > 50 * shrink[0]


def test_adam_and_adamw_state_saved_and_loaded(tmp_path):
    x, y = _data()
    for make in (lambda: AdamW(0.02, weight_decay=0.1, amsgrad=True),
                 lambda: Adam(0.02, amsgrad=True)):
        model = _model(make())
        model.fit(x, y, epochs=2, batch_size=16, verbose=0)
        model.save(tmp_path / "a.npz")
        loaded = load_model(tmp_path / "a.npz")
        assert loaded.optimizer.get_config() == model.optimizer.get_config()
        assert len(loaded.optimizer.get_state()) == 3 * 4
        model.fit(x, y, epochs=1, batch_size=16, shuffle=False, verbose=0)
        loaded.fit(x, y, epochs=1, batch_size=16, shuffle=False, verbose=0)
        for a, b in zip(model.get_weights(), loaded.get_weights()):
            np.testing.assert_allclose(a, b, rtol=1e-14)


@pytest.mark.parametrize("make", [lambda: AdamW(0.01), lambda: Adam(0.01, amsgrad=True),
                                  lambda: SGD(0.1, momentum=0.5)])
def test_adaptive_optimizers_take_the_teaching_path(make, monkeypatch):
    """The fast path trains plain SGD only: the same weights with it on and off."""
    x, y = _data()
    results = []
    for enabled in (True, False):
        monkeypatch.setattr(fast_dense, "ENABLED", enabled)
        model = _model(make())
        assert fast_dense.unsupported_reason(model.layers, model.loss, model.optimizer)
        model.fit(x, y, epochs=2, batch_size=16, shuffle=False, verbose=0)
        results.append(model.get_weights())
    for a, b in zip(*results):
        np.testing.assert_array_equal(a, b)


def test_adamw_by_name_and_its_errors():
    assert isinstance(get("adamw"), AdamW) and get("AdamW").weight_decay == 0.004
    with pytest.raises(ValueError, match=r"AdamW\(weight_decay=...\).*at least 0"):
        AdamW(weight_decay=-0.1)
    with pytest.raises(ValueError, match=r"Adam\(amsgrad=...\): must be True or False"):
        Adam(amsgrad="yes")
    with pytest.raises(TypeError, match=r"AdamW\(\) got unexpected argument\(s\) decay"):
        AdamW(decay=0.1)


# --------------------------------------------------------------------------------------
# Schedules
# --------------------------------------------------------------------------------------
def test_exponential_decay_formula():
    s = schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
    assert s(0) == 0.1 and s(10) == pytest.approx(0.05) and s(5) == pytest.approx(0.1 / 2 ** .5)
    stairs = schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5, staircase=True)
    assert [stairs(t) for t in (0, 9, 10, 19, 20)] == pytest.approx(
        [0.1, 0.1, 0.05, 0.05, 0.025])


def test_piecewise_constant_boundaries_belong_to_the_interval_that_ends_there():
    s = schedules.PiecewiseConstantDecay([10, 20], [1.0, 0.5, 0.1])
    assert [s(t) for t in (0, 10, 11, 20, 21, 1000)] == [1.0, 1.0, 0.5, 0.5, 0.1, 0.1]


def test_cosine_decay_with_and_without_warmup():
    s = schedules.CosineDecay(0.2, decay_steps=100, alpha=0.1)
    assert s(0) == pytest.approx(0.2) and s(100) == pytest.approx(0.02)
    assert s(50) == pytest.approx(0.2 * (0.9 * 0.5 + 0.1)) and s(500) == pytest.approx(0.02)
    warm = schedules.CosineDecay(0.0, decay_steps=100, warmup_target=0.4, warmup_steps=10)
    assert [warm(t) for t in (0, 5, 10)] == pytest.approx([0.0, 0.2, 0.4])
    # the decay starts after the warm-up and lasts decay_steps more steps
    assert warm(60) == pytest.approx(0.2) and warm(110) == pytest.approx(0.0, abs=1e-15)
    with pytest.warns(UserWarning, match="without warmup_target"):
        no_target = schedules.CosineDecay(0.3, 10, warmup_steps=5)
    assert no_target(0) == 0.3  # as in Keras: no warm-up without a target


def test_the_optimizer_uses_the_schedule_at_the_count_of_earlier_updates():
    """Keras evaluates the schedule at `iterations` before counting the update: the first
    step uses schedule(0)."""
    s = schedules.PiecewiseConstantDecay([0, 1], [0.5, 0.25, 0.125])
    model = _model(SGD(learning_rate=s))
    x, y = _data(24)
    seen = []
    for batch in range(3):
        w0 = model.get_weights()
        _, _, grads = model.compute_gradients(x[8 * batch:8 * (batch + 1)],
                                              y[8 * batch:8 * (batch + 1)])
        assert model.optimizer.learning_rate == s(batch)
        model.optimizer.apply(grads, model.trainable_weights)
        seen.append(float(np.mean((w0[0] - model.get_weights()[0]) / grads[0])))
    assert seen == pytest.approx([0.5, 0.25, 0.125])
    assert model.optimizer.iterations == 3


def test_a_schedule_is_saved_loaded_and_goes_on_where_it_was(tmp_path):
    s = schedules.CosineDecay(0.0, 20, alpha=0.05, warmup_target=0.1, warmup_steps=5)
    model = _model(SGD(learning_rate=s, momentum=0.9))
    x, y = _data()
    model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    model.save(tmp_path / "s.npz")
    loaded = load_model(tmp_path / "s.npz")
    assert isinstance(loaded.optimizer.schedule, schedules.CosineDecay)
    assert loaded.optimizer.schedule.get_config() == s.get_config()
    assert loaded.optimizer.iterations == 12
    assert loaded.optimizer.learning_rate == pytest.approx(s(12))
    model.fit(x, y, epochs=1, batch_size=8, shuffle=False, verbose=0)
    loaded.fit(x, y, epochs=1, batch_size=8, shuffle=False, verbose=0)
    for a, b in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-14)


def test_a_scheduled_rate_cannot_be_set_and_is_kept_off_the_fast_path():
    opt = SGD(learning_rate=schedules.ExponentialDecay(0.1, 10, 0.9))
    with pytest.raises(TypeError, match="schedule.*cannot be set"):
        opt.learning_rate = 0.01
    model = _model(opt)
    assert "constant learning rate" in fast_dense.unsupported_reason(
        model.layers, model.loss, model.optimizer)


@pytest.mark.parametrize("make, message", [
    (lambda: schedules.ExponentialDecay(0.1, 0, 0.5), r"ExponentialDecay\(decay_steps=...\)"),
    (lambda: schedules.ExponentialDecay(0.1, -5, 0.5), r"greater than 0"),
    (lambda: schedules.ExponentialDecay(0.1, 10, 0), r"ExponentialDecay\(decay_rate=...\)"),
    (lambda: schedules.ExponentialDecay(-0.1, 10, 0.5),
     r"ExponentialDecay\(initial_learning_rate=...\)"),
    (lambda: schedules.CosineDecay(0.1, 0), r"CosineDecay\(decay_steps=...\)"),
    (lambda: schedules.CosineDecay(0.1, 10, warmup_target=0.2, warmup_steps=-1),
     r"CosineDecay\(warmup_steps=...\)"),
    (lambda: schedules.CosineDecay(0.1, 10, alpha=2), r"CosineDecay\(alpha=...\)"),
    (lambda: schedules.PiecewiseConstantDecay([10], [0.1]), r"give 2 values"),
    (lambda: schedules.PiecewiseConstantDecay([20, 10], [0.1, 0.2, 0.3]), r"must increase"),
    (lambda: schedules.PiecewiseConstantDecay([10], [0.1, -1]),
     r"PiecewiseConstantDecay\(values=...\)"),
])
def test_bad_schedules_name_the_argument(make, message):
    with pytest.raises(ValueError, match=message):
        make()


# --------------------------------------------------------------------------------------
# LearningRateScheduler and ReduceLROnPlateau
# --------------------------------------------------------------------------------------
def test_learning_rate_scheduler_both_forms_and_the_history():
    x, y = _data()
    model = _model(SGD(0.1))
    history = model.fit(x, y, epochs=3, verbose=0, callbacks=[
        callbacks.LearningRateScheduler(lambda epoch: 0.1 / (epoch + 1))])
    assert history.history["learning_rate"] == pytest.approx([0.1, 0.05, 0.1 / 3])
    model = _model(SGD(0.1))
    history = model.fit(x, y, epochs=3, verbose=0, callbacks=[
        callbacks.LearningRateScheduler(lambda epoch, lr: lr * 0.5)])
    assert history.history["learning_rate"] == pytest.approx([0.05, 0.025, 0.0125])


def test_learning_rate_scheduler_prints_and_checks_what_the_schedule_returns(capsys):
    x, y = _data()
    model = _model(SGD(0.1))
    model.fit(x, y, epochs=1, verbose=0,
              callbacks=[callbacks.LearningRateScheduler(lambda e, lr: lr, verbose=1)])
    assert "Epoch 1: LearningRateScheduler setting learning rate to 0.1." in \
        capsys.readouterr().out
    with pytest.raises(ValueError, match=r"returned None for epoch 0.*number greater than 0"):
        model.fit(x, y, epochs=1, verbose=0,
                  callbacks=[callbacks.LearningRateScheduler(lambda e, lr: None)])
    with pytest.raises(ValueError, match=r"LearningRateScheduler\(schedule=0.1\)"):
        callbacks.LearningRateScheduler(0.1)
    scheduled = _model(SGD(schedules.ExponentialDecay(0.1, 5, 0.5)))
    with pytest.raises(TypeError, match="cannot be set"):
        scheduled.fit(x, y, epochs=1, verbose=0,
                      callbacks=[callbacks.LearningRateScheduler(lambda e, lr: lr)])


class _FakeModel:
    def __init__(self, lr):
        self.optimizer = SGD(lr)
        self.stop_training = False


def _drive(callback, values, lr=1.0):
    """Run the callback on a sequence of monitored values; return the rates per epoch."""
    callback.set_model(_FakeModel(lr))
    callback.on_train_begin()
    rates = []
    for epoch, value in enumerate(values):
        logs = {"val_loss": value}
        callback.on_epoch_end(epoch, logs)
        rates.append(logs["learning_rate"])
    return rates, callback.model.optimizer.learning_rate


def test_reduce_lr_on_plateau_patience_min_delta_cooldown_and_min_lr():
    # patience 2: two epochs without improvement, then a cut at the end of the second
    # (the logs hold the rate used in the epoch, before the cut)
    rates, final = _drive(callbacks.ReduceLROnPlateau(factor=0.5, patience=2),
                          [1.0, 0.9, 0.9, 0.9, 0.9, 0.9])
    assert rates == [1.0, 1.0, 1.0, 1.0, 0.5, 0.5] and final == 0.25
    # min_delta: an improvement smaller than it does not count
    rates, _ = _drive(callbacks.ReduceLROnPlateau(factor=0.5, patience=1, min_delta=0.1),
                      [1.0, 0.95, 0.85])
    assert rates == [1.0, 1.0, 0.5]
    # cooldown 2: Keras counts the cooldown down before it looks, so only ONE epoch after
    # a cut goes uncounted (the one with the counter still above 0 after counting down)
    rates, final = _drive(callbacks.ReduceLROnPlateau(factor=0.5, patience=1, cooldown=2),
                          [1.0, 1.0, 1.0, 1.0, 1.0, 1.0])
    assert rates == [1.0, 1.0, 0.5, 0.5, 0.25, 0.25] and final == 0.125
    rates, _ = _drive(callbacks.ReduceLROnPlateau(factor=0.5, patience=1, cooldown=3),
                      [1.0] * 6)
    assert rates == [1.0, 1.0, 0.5, 0.5, 0.5, 0.25]
    # min_lr: never below, and no more cuts once there
    rates, final = _drive(callbacks.ReduceLROnPlateau(factor=0.1, patience=1, min_lr=0.05),
                          [1.0] * 5)
    assert final == 0.05 and rates[-1] == 0.05


def test_reduce_lr_on_plateau_in_fit_and_its_errors():
    x, y = _data()
    model = _model(SGD(0.05))
    history = model.fit(x, y, epochs=4, verbose=0, validation_split=0.25, callbacks=[
        callbacks.ReduceLROnPlateau(patience=0, min_delta=10.0, factor=0.5)])
    assert history.history["learning_rate"] == pytest.approx([0.05, 0.05, 0.025, 0.0125])
    for factor in (1.0, 1.5, 0.0, -0.5):
        with pytest.raises(ValueError, match=r"ReduceLROnPlateau\(factor=.*between 0 and 1"):
            callbacks.ReduceLROnPlateau(factor=factor)
    with pytest.raises(ValueError, match=r"ReduceLROnPlateau\(cooldown=...\)"):
        callbacks.ReduceLROnPlateau(cooldown=-1)
    with pytest.raises(ValueError, match=r"unknown mode 'lowest'"):
        callbacks.ReduceLROnPlateau(mode="lowest")


def test_rate_callbacks_keep_the_fast_path_and_give_its_weights(monkeypatch):
    """A rate changed between epochs is read by the fast path at each epoch's start: the
    same weights with the fast path on and off."""
    x, y = _data()
    results = []
    for enabled in (True, False):
        monkeypatch.setattr(fast_dense, "ENABLED", enabled)
        model = _model(SGD(0.05))
        assert fast_dense.unsupported_reason(model.layers, model.loss, model.optimizer) is None
        model.fit(x, y, epochs=4, batch_size=8, shuffle=False, verbose=0, callbacks=[
            callbacks.LearningRateScheduler(lambda e, lr: 0.05 * 0.5 ** e),
            callbacks.ReduceLROnPlateau(monitor="loss", patience=0, min_delta=1.0)])
        results.append(model.get_weights())
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)
