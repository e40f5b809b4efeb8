"""Helpers used beside the model: check_model with a learner's functions plugged in or
with data of the wrong size, to_categorical on awkward labels, the data generators'
smallest sizes.

Expected one-hot rows are written out by hand; gradients are judged by central
differences (check_model's own oracle), with a deliberately wrong backward.
"""
import warnings

import numpy as np
import pytest

from backprop_lab import datasets, gradcheck, use_functions, utils
from backprop_lab.layers import Dense
from backprop_lab.models import Sequential
from backprop_lab.utils import to_categorical


def sigmoid_model():
    utils.set_random_seed(0)
    model = Sequential([Dense(4, activation="tanh", input_dim=3),
                        Dense(1, activation="sigmoid")])
    model.compile(loss="binary_crossentropy", optimizer="sgd")
    return model


def batch():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(6, 3))
    return x, (x[:, 0] > 0).astype(float)


# ---- check_model ----------------------------------------------------------------------------
def test_check_model_uses_plugged_in_functions_as_fit_does():
    """With use_functions, fit runs the learner's sigmoid_backward (no fused gradient);
    check_model must check that same backward pass, so a wrong one fails."""
    def sigmoid_backward_missing_one_minus_a(da, cache):
        return da * cache

    x, y = batch()
    model = sigmoid_model()
    assert gradcheck.check_model(model, x, y).passed
    with use_functions(sigmoid_backward=sigmoid_backward_missing_one_minus_a):
        report = gradcheck.check_model(model, x, y)
    assert not report.passed and report.band == "wrong"


def test_check_model_with_the_wrong_number_of_features_names_them():
    x, y = batch()
    with pytest.raises(ValueError, match=r"2 features.*expects 3"):
        gradcheck.check_model(sigmoid_model(), x[:, :2], y)


def test_check_model_with_fewer_targets_than_samples_names_both():
    x, y = batch()
    with pytest.raises(ValueError, match=r"6 samples.*3"):
        gradcheck.check_model(sigmoid_model(), x, y[:3])


# ---- to_categorical ---------------------------------------------------------------------------
def test_to_categorical_by_hand():
    expected = np.array([[0, 0, 1], [1, 0, 0], [0, 1, 0]], dtype=float)
    np.testing.assert_array_equal(to_categorical([2, 0, 1]), expected)
    np.testing.assert_array_equal(to_categorical(np.array([[2], [0], [1]])), expected)
    np.testing.assert_array_equal(to_categorical([2.0, 0.0, 1.0], num_classes=3), expected)
    np.testing.assert_array_equal(to_categorical(np.array([True, False])),
                                  np.array([[0, 1], [1, 0]], dtype=float))
    assert to_categorical([], num_classes=4).shape == (0, 4)


@pytest.mark.parametrize("labels", [[0, np.inf], [0, 1e20], [0, np.nan]])
def test_to_categorical_of_non_finite_or_huge_labels_is_a_clear_error(labels):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning on the way
        with pytest.raises(ValueError, match=r"to_categorical"):
            to_categorical(labels)


def test_to_categorical_of_text_labels_is_a_clear_error():
    with pytest.raises(TypeError, match=r"to_categorical.*numbers"):
        to_categorical(["cat", "dog"])


@pytest.mark.parametrize("num_classes", [3.5, "3", -1, True])
def test_to_categorical_checks_num_classes(num_classes):
    with pytest.raises(ValueError, match=r"num_classes"):
        to_categorical([0, 1], num_classes=num_classes)


# ---- datasets ------------------------------------------------------------------------------------
def test_too_few_samples_for_the_classes_says_why():
    with pytest.raises(ValueError, match=r"n_classes=3"):
        datasets.blobs(n_samples=2)
    with pytest.raises(ValueError, match=r"n_classes=3"):
        datasets.spirals(n_samples=2)
    X, y = datasets.blobs(n_samples=2, n_classes=2, noise=0)
    assert X.shape == (2, 2) and sorted(y) == [0, 1]
