"""Every kind of bad input gets a clear error that names the argument and the fix.

One test per case; each asserts on the message, not only on the exception type.
"""
import numpy as np
import pytest

from backprop_lab import losses
from backprop_lab.layers import Activation, Dense
from backprop_lab.models import Sequential
from backprop_lab.optimizers import SGD, Adam

RNG = np.random.default_rng(0)
X = RNG.normal(size=(40, 20))
Y = RNG.integers(0, 2, 40)


def seed_model():
    model = Sequential([Dense(10, activation="relu", input_dim=20),
                        Dense(1, activation="sigmoid")])
    model.compile(loss="binary_crossentropy", optimizer=SGD(learning_rate=0.01),
                  metrics=["accuracy"])
    return model


def softmax_model(loss, classes=3):
    model = Sequential([Dense(classes, activation="softmax", input_dim=20)])
    model.compile(loss=loss, optimizer="sgd")
    return model


# ---- shapes -----------------------------------------------------------------------------
def test_feature_count_mismatch_in_fit():
    with pytest.raises(ValueError, match=r"x has 19 features .* expects 20"):
        seed_model().fit(X[:, :19], Y, verbose=0)


def test_feature_count_mismatch_in_predict():
    with pytest.raises(ValueError, match=r"x has 21 features .* expects 20"):
        seed_model().predict(np.ones((3, 21)), verbose=0)


def test_feature_count_mismatch_in_evaluate():
    with pytest.raises(ValueError, match=r"x has 5 features .* expects 20"):
        seed_model().evaluate(np.ones((3, 5)), np.ones(3), verbose=0)


def test_feature_count_mismatch_in_validation_data():
    with pytest.raises(ValueError, match=r"validation_data\[0\] has 3 features"):
        seed_model().fit(X, Y, verbose=0, validation_data=(np.ones((4, 3)), np.ones(4)))


def test_x_y_length_mismatch():
    with pytest.raises(ValueError, match=r"x has 40 samples .* y has 39"):
        seed_model().fit(X, Y[:39], verbose=0)


def test_x_must_be_two_dimensional():
    with pytest.raises(ValueError, match=r"x has shape \(2, 20, 1\) but must be 2-D"):
        seed_model().predict(np.ones((2, 20, 1)), verbose=0)


def test_one_dimensional_x_for_many_features():
    with pytest.raises(ValueError, match=r"reshape\(1, -1\)"):
        seed_model().predict(np.ones(20), verbose=0)


def test_y_of_shape_n_for_a_multi_output_regression():
    model = Sequential([Dense(3, input_dim=20)])
    model.compile(loss="mse", optimizer="sgd")
    with pytest.raises(ValueError, match=r"y has shape \(40,\) .* outputs 3 values"):
        model.fit(X, RNG.normal(size=40), verbose=0)


def test_y_columns_must_match_outputs():
    with pytest.raises(ValueError, match=r"y has shape \(40, 2\) .* \(n, 1\)"):
        seed_model().fit(X, np.ones((40, 2)) * 0.5, verbose=0)


# ---- values -----------------------------------------------------------------------------
def test_nan_in_x():
    x = X.copy()
    x[3, 7] = np.nan
    with pytest.raises(ValueError, match=r"x contains 1 NaN or infinite value.*\(3, 7\)"):
        seed_model().fit(x, Y, verbose=0)


def test_inf_in_x_for_predict():
    x = X.copy()
    x[0, 0] = np.inf
    with pytest.raises(ValueError, match="x contains 1 NaN or infinite"):
        seed_model().predict(x, verbose=0)


def test_nan_in_y():
    y = Y.astype(float)
    y[5] = np.nan
    with pytest.raises(ValueError, match=r"y contains 1 NaN or infinite value.*\(5,\)"):
        seed_model().fit(X, y, verbose=0)


def test_binary_crossentropy_labels_outside_0_1():
    with pytest.raises(ValueError, match=r"y holds values outside \[0, 1\] \(min 0, max 2\)"):
        seed_model().fit(X, RNG.integers(0, 3, 40), verbose=0)


def test_binary_crossentropy_negative_labels():
    with pytest.raises(ValueError, match="sparse_categorical_crossentropy"):
        seed_model().fit(X, -np.ones(40), verbose=0)


def test_binary_crossentropy_soft_labels_are_fine():
    history = seed_model().fit(X, RNG.uniform(0, 1, 40), verbose=0)
    assert np.isfinite(history.history["loss"][0])


def test_sparse_labels_outside_class_range():
    with pytest.raises(ValueError, match=r"y holds labels from 0 to 3.* 3 output units"):
        softmax_model("sparse_categorical_crossentropy").fit(X, np.arange(40) % 4, verbose=0)


def test_sparse_labels_not_integers():
    with pytest.raises(ValueError, match="y holds non-integer values"):
        softmax_model("sparse_categorical_crossentropy").fit(X, np.full(40, 0.5), verbose=0)


def test_sparse_labels_need_more_than_one_unit():
    model = Sequential([Dense(1, activation="softmax", input_dim=20)])
    model.compile(loss="sparse_categorical_crossentropy", optimizer="sgd")
    with pytest.raises(ValueError, match="one output unit per class"):
        model.fit(X, np.zeros(40), verbose=0)


def test_one_hot_width_not_matching_the_output():
    y = np.eye(4)[np.arange(40) % 4]
    with pytest.raises(ValueError, match=r"y has shape \(40, 4\) .* width 3.*to_categorical"):
        softmax_model("categorical_crossentropy").fit(X, y, verbose=0)


def test_categorical_labels_given_as_integers():
    with pytest.raises(ValueError, match="sparse_categorical_crossentropy"):
        softmax_model("categorical_crossentropy").fit(X, np.arange(40) % 3, verbose=0)


def test_categorical_rows_must_sum_to_one():
    with pytest.raises(ValueError, match="row 0 sums to 2"):
        softmax_model("categorical_crossentropy").fit(X, np.ones((40, 3)) * 2 / 3, verbose=0)


def test_empty_x():
    with pytest.raises(ValueError, match=r"x is empty"):
        seed_model().fit(np.empty((0, 20)), np.empty(0), verbose=0)


def test_empty_y():
    with pytest.raises(ValueError, match=r"y is empty"):
        seed_model().fit(X, [], verbose=0)


def test_non_numeric_x():
    x = np.array([["a"] * 20] * 3)
    with pytest.raises(TypeError, match=r"x must hold real numbers, but it holds text"):
        seed_model().predict(x, verbose=0)


def test_non_numeric_y():
    with pytest.raises(TypeError, match=r"y must hold real numbers"):
        seed_model().fit(X, ["cat", "dog"] * 20, verbose=0)


def test_ragged_list_x():
    with pytest.raises(ValueError, match="x could not be turned into an array"):
        seed_model().predict([[1.0] * 20, [1.0] * 19], verbose=0)


def test_python_lists_and_integer_arrays_are_accepted():
    model = seed_model()
    x_int = RNG.integers(-3, 3, size=(40, 20))
    history = model.fit(x_int.tolist(), Y.tolist(), epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    out = model.predict(x_int, verbose=0)
    assert out.dtype == model.get_weights()[0].dtype and out.shape == (40, 1)


# ---- arguments ----------------------------------------------------------------------------
@pytest.mark.parametrize("value", [0, -1, 2.5, True, "32"])
def test_batch_size_not_positive_integer(value):
    with pytest.raises(ValueError, match=r"fit\(batch_size=...\): must be a positive integer"):
        seed_model().fit(X, Y, batch_size=value, verbose=0)


@pytest.mark.parametrize("value", [0, -3, 1.5])
def test_epochs_not_positive_integer(value):
    with pytest.raises(ValueError, match=r"fit\(epochs=...\): must be a positive integer"):
        seed_model().fit(X, Y, epochs=value, verbose=0)


def test_batch_size_in_predict():
    with pytest.raises(ValueError, match=r"predict\(batch_size=...\)"):
        seed_model().predict(X, batch_size=0, verbose=0)


@pytest.mark.parametrize("value", [0, -0.1, float("nan"), float("inf"), "fast"])
def test_learning_rate_not_positive_or_not_finite(value):
    with pytest.raises(ValueError, match=r"SGD\(learning_rate=...\)"):
        SGD(learning_rate=value)


def test_learning_rate_through_lr_is_checked_too():
    with pytest.raises(ValueError, match=r"Adam\(learning_rate=...\)"):
        with pytest.warns(DeprecationWarning):
            Adam(lr=-1)


def test_learning_rate_set_later_is_checked():
    opt = SGD()
    with pytest.raises(ValueError, match="learning_rate"):
        opt.learning_rate = float("nan")


def test_validation_split_out_of_range():
    with pytest.raises(ValueError, match=r"fit\(validation_split=...\): must be in \[0.0, 1.0\)"):
        seed_model().fit(X, Y, validation_split=1.0, verbose=0)


def test_validation_split_leaving_nothing():
    with pytest.raises(ValueError, match=r"validation_split=0.99.*empty"):
        seed_model().fit(X, Y, validation_split=0.99, verbose=0)


def test_validation_data_not_a_pair():
    with pytest.raises(ValueError, match=r"validation_data=...\): must be a pair"):
        seed_model().fit(X, Y, validation_data=X, verbose=0)


def test_verbose_value():
    with pytest.raises(ValueError, match=r"fit\(verbose=3\)"):
        seed_model().fit(X, Y, verbose=3)


def test_initial_epoch_not_below_epochs():
    with pytest.raises(ValueError, match=r"initial_epoch=5.*epochs \(= 5\)"):
        seed_model().fit(X, Y, epochs=5, initial_epoch=5, verbose=0)


# ---- names ------------------------------------------------------------------------------
def test_unknown_loss_lists_valid_names():
    model = Sequential([Dense(1, input_dim=2)])
    with pytest.raises(ValueError, match=r"unknown loss 'binary_cross_entropy'\. Did you mean "
                                         r"'binary_crossentropy'\?.*mean_squared_error"):
        model.compile(loss="binary_cross_entropy", optimizer="sgd")


def test_missing_loss():
    with pytest.raises(ValueError, match=r"compile\(loss=...\): a loss is required"):
        Sequential([Dense(1, input_dim=2)]).compile(optimizer="sgd")


def test_plain_function_as_loss_is_refused():
    with pytest.raises(ValueError, match="needs its gradient|also needs its gradient"):
        Sequential([Dense(1, input_dim=2)]).compile(loss=lambda y, p: 0.0, optimizer="sgd")


def test_unknown_activation_lists_valid_names():
    with pytest.raises(ValueError, match=r"Dense\(activation=...\): unknown activation 'relu6'.*"
                                         r"linear, relu, sigmoid, softmax, tanh"):
        Dense(3, activation="relu6")
    with pytest.raises(ValueError, match=r"Activation\(activation=...\)"):
        Activation("swish")


def test_unknown_optimizer_lists_valid_names():
    with pytest.raises(ValueError, match=r"unknown optimizer 'adamax'.*adam, adamw, rmsprop, sgd"):
        Sequential([Dense(1, input_dim=2)]).compile(loss="mse", optimizer="adamax")


def test_unknown_initializer_lists_valid_names():
    with pytest.raises(ValueError, match=r"Dense\(kernel_initializer=...\): unknown initializer "
                                         r"'xavier'.*glorot_uniform"):
        Dense(3, kernel_initializer="xavier")


def test_unknown_metric_lists_valid_names():
    with pytest.raises(ValueError, match=r"unknown metric 'acuracy'\. Did you mean 'accuracy'"):
        Sequential([Dense(1, input_dim=2)]).compile(loss="mse", optimizer="sgd",
                                                     metrics=["acuracy"])


@pytest.mark.parametrize("units", [0, -2, 2.5, None])
def test_units_not_positive(units):
    with pytest.raises(ValueError, match=r"Dense\(units=...\): must be a positive integer"):
        Dense(units)


# ---- order of calls -------------------------------------------------------------------------
def test_fit_before_compile():
    model = Sequential([Dense(1, input_dim=20)])
    with pytest.raises(RuntimeError, match=r"not compiled\. Call model\.compile\(loss="):
        model.fit(X, Y, verbose=0)


def test_evaluate_before_compile():
    with pytest.raises(RuntimeError, match="evaluate"):
        Sequential([Dense(1, input_dim=20)]).evaluate(X, Y, verbose=0)


def test_predict_on_a_model_with_no_layers():
    with pytest.raises(ValueError, match=r"predict\(\): the model has no layers.*model\.add"):
        Sequential().predict(X, verbose=0)


def test_fit_on_a_model_with_no_layers():
    model = Sequential()
    model.compile(loss="mse", optimizer="sgd")
    with pytest.raises(ValueError, match="no layers"):
        model.fit(X, Y, verbose=0)


def test_missing_y():
    with pytest.raises(ValueError, match="y is missing"):
        seed_model().fit(X, verbose=0)


def test_add_something_that_is_not_a_layer():
    with pytest.raises(TypeError, match=r"expected a layer such as Dense"):
        Sequential().add("dense")


def test_loss_object_checks_labels_directly():
    with pytest.raises(ValueError, match=r"targets in \[0, 1\]"):
        losses.BinaryCrossentropy().prepare_targets(np.array([0.0, 3.0]), 1, "y")
