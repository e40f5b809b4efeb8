"""use_functions: a learner's functional-core functions really drive the model, and the
originals come back afterwards."""
import numpy as np
import pytest

import backprop_lab
from backprop_lab import functional as F
from backprop_lab.layers import Dense
from backprop_lab.models import Sequential
from backprop_lab.utils import set_random_seed


def _model(loss="binary_crossentropy", out="sigmoid"):
    set_random_seed(3)
    m = Sequential([Dense(4, activation="relu", input_dim=3), Dense(1, activation=out)])
    m.compile(loss=loss, optimizer="sgd")
    return m


def _data():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((16, 3))
    return x, (x[:, 0] > 0).astype(float)


def test_plugged_functions_are_called_and_restored():
    calls = {"relu_backward": 0, "dense_forward": 0, "sigmoid_backward": 0}

    def relu_backward(da, cache):
        calls["relu_backward"] += 1
        return da * (cache > 0)

    def dense_forward(x, W, b):
        calls["dense_forward"] += 1
        return x @ W + b, (x, W)

    def sigmoid_backward(da, cache):
        calls["sigmoid_backward"] += 1
        return da * cache * (1 - cache)

    x, y = _data()
    model = _model()
    with backprop_lab.use_functions(relu_backward=relu_backward, dense_forward=dense_forward,
                                    sigmoid_backward=sigmoid_backward):
        assert F.relu_backward is relu_backward
        model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    assert calls["relu_backward"] == 2          # one per batch
    assert calls["dense_forward"] == 4          # two layers, two batches
    assert calls["sigmoid_backward"] == 2       # unfused while plugged in
    assert F.relu_backward is not relu_backward
    assert F.ACTIVATIONS["relu"][1] is F.relu_backward
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    assert calls["relu_backward"] == 2          # not called after the block


def test_correct_learner_functions_train_like_the_reference():
    x, y = _data()
    ref = _model()
    ref.fit(x, y, epochs=3, batch_size=4, shuffle=False, verbose=0)

    def relu_backward(da, cache):
        return np.where(cache > 0, da, 0.0)

    def dense_backward(dz, cache):
        xin, W = cache
        return dz @ W.T, np.einsum("nd,nm->dm", xin, dz), np.einsum("nm->m", dz)

    mine = _model()
    with backprop_lab.use_functions(relu_backward=relu_backward, dense_backward=dense_backward):
        mine.fit(x, y, epochs=3, batch_size=4, shuffle=False, verbose=0)
    for a, b in zip(ref.get_weights(), mine.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def test_a_wrong_learner_function_changes_training():
    x, y = _data()
    ref = _model()
    ref.fit(x, y, epochs=2, batch_size=4, shuffle=False, verbose=0)
    mine = _model()
    with backprop_lab.use_functions(relu_backward=lambda da, cache: da):  # forgot the mask
        mine.fit(x, y, epochs=2, batch_size=4, shuffle=False, verbose=0)
    assert not np.allclose(ref.get_weights()[0], mine.get_weights()[0])


def test_loss_functions_can_be_plugged_in():
    seen = []

    def mean_squared_error_grad(y_true, y_pred):
        seen.append(y_pred.shape)
        return 2.0 * (y_pred - y_true) / y_pred.size

    x, y = _data()
    model = _model(loss="mse", out="linear")
    with backprop_lab.use_functions(mean_squared_error_grad=mean_squared_error_grad):
        model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    assert seen == [(16, 1)]


def test_restored_after_an_exception():
    original = F.dense_forward
    with pytest.raises(RuntimeError):
        with backprop_lab.use_functions(dense_forward=lambda x, W, b: (_ for _ in ()).throw(
                RuntimeError("boom"))):
            raise RuntimeError("inside")
    assert F.dense_forward is original
    assert not backprop_lab._engine.plug.active()


def test_bad_names_and_values_are_refused_before_anything_changes():
    original = F.relu_forward
    with pytest.raises(ValueError, match="relu_fwd.*Valid names"):
        with backprop_lab.use_functions(relu_forward=lambda z: z, relu_fwd=lambda z: z):
            pass
    assert F.relu_forward is original
    with pytest.raises(TypeError, match="without calling it"):
        with backprop_lab.use_functions(relu_forward=3.0):
            pass
