"""Slips that used to end in an error from deep inside the code (a TypeError about None,
a numpy message) and now get a sentence naming the argument and the fix."""
import numpy as np
import pytest

from backprop_lab import initializers
from backprop_lab.callbacks import EarlyStopping
from backprop_lab.layers import Activation, Dense
from backprop_lab.losses import BinaryCrossentropy
from backprop_lab.metrics import BinaryAccuracy
from backprop_lab.models import Sequential
from backprop_lab.optimizers import SGD


@pytest.mark.parametrize("layer", [Dense(2, input_dim=3), Activation("relu")])
def test_backward_before_forward_says_to_call_forward(layer):
    with pytest.raises(RuntimeError, match=r"forward\(x\) first"):
        layer.backward(np.ones((1, 2)))


def test_backward_after_forward_still_works():
    layer = Dense(2, activation="relu", input_dim=3)
    x = np.array([[1.0, -2.0, 0.5]])
    layer.forward(x)
    dx = layer.backward(np.ones((1, 2)))
    mask = (x @ layer.kernel + layer.bias > 0).astype(float)  # by hand
    np.testing.assert_allclose(dx, mask @ layer.kernel.T)


@pytest.mark.parametrize("where,kwargs", [
    ("SGD", dict(loss="mse", optimizer=SGD)),
    ("BinaryCrossentropy", dict(loss=BinaryCrossentropy, optimizer="sgd")),
    ("BinaryAccuracy", dict(loss="mse", optimizer="sgd", metrics=[BinaryAccuracy])),
])
def test_a_class_instead_of_an_object_is_named(where, kwargs):
    model = Sequential([Dense(1, activation="sigmoid", input_dim=3)])
    with pytest.raises(ValueError, match=rf"class {where} itself.*{where}\(\.\.\.\)"):
        model.compile(**kwargs)


def test_a_callback_class_instead_of_an_object_is_named():
    model = Sequential([Dense(1, activation="sigmoid", input_dim=3)])
    model.compile(loss="binary_crossentropy", optimizer="sgd")
    with pytest.raises(ValueError, match=r"class EarlyStopping itself"):
        model.fit(np.ones((4, 3)), np.ones(4), verbose=0, callbacks=[EarlyStopping])


def test_an_initializer_class_instead_of_an_object_is_named():
    with pytest.raises(ValueError, match=r"class HeNormal itself"):
        Dense(2, kernel_initializer=initializers.HeNormal, input_dim=2)


def test_early_stopping_takes_numpy_integers_and_refuses_a_monitor_that_is_no_name():
    assert EarlyStopping(patience=np.int64(2)).patience == 2
    with pytest.raises(ValueError, match=r"monitor=None"):
        EarlyStopping(monitor=None)
