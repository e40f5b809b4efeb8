"""A learner's own loss, written the way ``losses.get``'s error message suggests:
subclass ``Loss`` and give it a value and a gradient.

The gradient the model computes with it is compared with central differences written
here, and the trained weights with a step computed by hand.
"""
import numpy as np
import pytest

from backprop_lab import utils
from backprop_lab.layers import Dense
from backprop_lab.losses import Loss
from backprop_lab.models import Sequential, load_model
from backprop_lab.optimizers import SGD


class MeanAbsoluteError(Loss):
    """mean(|y_hat - y|) over every entry; gradient sign(y_hat - y) / size."""

    def __call__(self, y_true, y_pred):
        y_true, y_pred = self.align(y_true, y_pred)
        return float(np.mean(np.abs(y_pred - y_true)))

    def gradient(self, y_true, y_pred):
        y_true, y_pred = self.align(y_true, y_pred)
        return np.sign(y_pred - y_true) / y_pred.size


def data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(16, 3))
    return x, x @ np.array([1.0, -2.0, 0.5]) + 0.3


def test_a_subclass_of_loss_trains_a_model():
    x, y = data()
    utils.set_random_seed(0)
    model = Sequential([Dense(1, input_dim=3)])
    model.compile(loss=MeanAbsoluteError(), optimizer=SGD(learning_rate=0.1))
    kernel, bias = model.get_weights()
    model.fit(x, y, epochs=1, batch_size=16, shuffle=False, verbose=0)
    # One SGD step on the whole batch, by hand.
    residual_sign = np.sign(x @ kernel[:, 0] + bias[0] - y)
    expected_kernel = kernel[:, 0] - 0.1 * (x.T @ residual_sign) / 16
    expected_bias = bias[0] - 0.1 * residual_sign.sum() / 16
    new_kernel, new_bias = model.get_weights()
    np.testing.assert_allclose(new_kernel[:, 0], expected_kernel, rtol=1e-12)
    assert new_bias[0] == pytest.approx(expected_bias, rel=1e-12)


def test_a_subclass_of_loss_has_a_readable_name():
    assert MeanAbsoluteError().name == "mean_absolute_error"
    assert MeanAbsoluteError(name="l1").name == "l1"


def test_a_subclass_without_a_value_or_gradient_says_what_to_write():
    class Empty(Loss):
        pass

    with pytest.raises(NotImplementedError, match=r"__call__"):
        Empty()(np.zeros(2), np.zeros(2))
    with pytest.raises(NotImplementedError, match=r"gradient"):
        Empty().gradient(np.zeros(2), np.zeros(2))


def test_loading_a_model_with_a_custom_loss_suggests_compile_false(tmp_path):
    x, y = data()
    model = Sequential([Dense(1, input_dim=3)])
    model.compile(loss=MeanAbsoluteError(), optimizer=SGD(learning_rate=0.1))
    model.fit(x, y, epochs=1, verbose=0)
    model.save(tmp_path / "m.npz")
    with pytest.raises(ValueError, match=r"compile=False"):
        load_model(tmp_path / "m.npz")
    loaded = load_model(tmp_path / "m.npz", compile=False)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
