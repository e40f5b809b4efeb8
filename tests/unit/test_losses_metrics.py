"""Loss objects, metrics, 'accuracy' resolution and the fused output gradients.

Loss values are compared with formulas written here in numpy; gradients with central
finite differences; the fused gradients with the unfused chain (loss gradient, then the
activation's backward) on inputs where nothing saturates.
"""
import numpy as np
import pytest

from backprop_lab import functional as F
from backprop_lab import losses, metrics
from backprop_lab.layers import Dense
from backprop_lab.models import Sequential

RNG = np.random.default_rng(0)


def finite_diff(f, x, h=1e-6):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        plus = f(x)
        x[i] = old - h
        minus = f(x)
        x[i] = old
        grad[i] = (plus - minus) / (2 * h)
    return grad


def rel_error(a, b):
    return np.linalg.norm(a - b) / max(1e-12, np.linalg.norm(a) + np.linalg.norm(b))


def probs(shape):
    return RNG.uniform(0.1, 0.9, size=shape)


def softmax_rows(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


# ---- values ---------------------------------------------------------------------------
def test_mse_value():
    y, p = RNG.normal(size=(6, 2)), RNG.normal(size=(6, 2))
    assert losses.MeanSquaredError()(y, p) == pytest.approx(((p - y) ** 2).sum() / 12)


def test_half_sum_squared_error_value_is_the_seeds_formula():
    y, p = RNG.normal(size=(6, 1)), RNG.normal(size=(6, 1))
    assert losses.HalfSumSquaredError()(y, p) == pytest.approx(0.5 * ((y - p) ** 2).sum())


def test_binary_crossentropy_value_and_logits_form():
    y = RNG.integers(0, 2, size=(8, 1)).astype(float)
    z = RNG.normal(size=(8, 1))
    p = 1 / (1 + np.exp(-z))
    expected = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    assert losses.BinaryCrossentropy()(y, p) == pytest.approx(expected, rel=1e-10)
    assert losses.BinaryCrossentropy(from_logits=True)(y, z) == pytest.approx(expected, rel=1e-10)


def test_categorical_and_sparse_crossentropy_values():
    labels = RNG.integers(0, 4, size=7)
    onehot = np.eye(4)[labels]
    z = RNG.normal(size=(7, 4))
    p = softmax_rows(z)
    expected = -np.mean(np.log(p[np.arange(7), labels]))
    assert losses.CategoricalCrossentropy()(onehot, p) == pytest.approx(expected, rel=1e-10)
    assert losses.SparseCategoricalCrossentropy()(labels, p) == pytest.approx(expected, rel=1e-10)
    assert losses.CategoricalCrossentropy(from_logits=True)(onehot, z) == pytest.approx(
        expected, rel=1e-10)
    assert losses.SparseCategoricalCrossentropy(from_logits=True)(labels, z) == pytest.approx(
        expected, rel=1e-10)


# ---- gradients against finite differences ---------------------------------------------
@pytest.mark.parametrize("loss, make_y, make_pred", [
    (losses.MeanSquaredError(), lambda: RNG.normal(size=(5, 2)), lambda: RNG.normal(size=(5, 2))),
    (losses.HalfSumSquaredError(), lambda: RNG.normal(size=(5, 1)),
     lambda: RNG.normal(size=(5, 1))),
    (losses.BinaryCrossentropy(), lambda: RNG.integers(0, 2, (5, 1)).astype(float),
     lambda: probs((5, 1))),
    (losses.BinaryCrossentropy(from_logits=True), lambda: RNG.uniform(0, 1, (5, 2)),
     lambda: RNG.normal(size=(5, 2))),
    (losses.CategoricalCrossentropy(), lambda: np.eye(3)[RNG.integers(0, 3, 5)],
     lambda: probs((5, 3))),
    (losses.CategoricalCrossentropy(from_logits=True), lambda: np.eye(3)[RNG.integers(0, 3, 5)],
     lambda: RNG.normal(size=(5, 3))),
    (losses.SparseCategoricalCrossentropy(), lambda: RNG.integers(0, 3, 5),
     lambda: probs((5, 3))),
    (losses.SparseCategoricalCrossentropy(from_logits=True), lambda: RNG.integers(0, 3, 5),
     lambda: RNG.normal(size=(5, 3))),
], ids=lambda v: repr(v) if isinstance(v, losses.Loss) else "")
def test_loss_gradient_matches_finite_differences(loss, make_y, make_pred):
    y, pred = make_y(), make_pred()
    numeric = finite_diff(lambda q: loss(y, q), pred)
    assert rel_error(loss.gradient(y, pred), numeric) < 1e-6


# ---- fused gradients ------------------------------------------------------------------
def test_fused_sigmoid_bce_equals_unfused_chain():
    z = RNG.normal(size=(6, 2))  # |z| < ~3: p far from the clipping range
    y = RNG.uniform(0, 1, size=(6, 2))  # soft labels too
    p, cache = F.sigmoid_forward(z)
    unfused = F.sigmoid_backward(F.binary_crossentropy_grad(y, p), cache)
    fused = losses.BinaryCrossentropy().fused_gradient("sigmoid")(y, p)
    assert np.allclose(fused, unfused, rtol=1e-9, atol=1e-12)


def test_fused_softmax_cce_equals_unfused_chain():
    z = RNG.normal(size=(5, 4))
    y = np.eye(4)[RNG.integers(0, 4, 5)]
    p, cache = F.softmax_forward(z)
    unfused = F.softmax_backward(F.categorical_crossentropy_grad(y, p), cache)
    fused = losses.CategoricalCrossentropy().fused_gradient("softmax")(y, p)
    assert np.allclose(fused, unfused, rtol=1e-9, atol=1e-12)


def test_fused_softmax_sparse_equals_unfused_chain():
    z = RNG.normal(size=(5, 4))
    labels = RNG.integers(0, 4, 5)
    p, cache = F.softmax_forward(z)
    unfused = F.softmax_backward(F.sparse_categorical_crossentropy_grad(labels, p), cache)
    fused = losses.SparseCategoricalCrossentropy().fused_gradient("softmax")(labels, p)
    assert np.allclose(fused, unfused, rtol=1e-9, atol=1e-12)


def test_no_fusion_for_other_pairs():
    assert losses.BinaryCrossentropy(from_logits=True).fused_gradient("sigmoid") is None
    assert losses.BinaryCrossentropy().fused_gradient("linear") is None
    assert losses.MeanSquaredError().fused_gradient("sigmoid") is None


# ---- names ----------------------------------------------------------------------------
@pytest.mark.parametrize("name, cls", [
    ("mse", losses.MeanSquaredError), ("mean_squared_error", losses.MeanSquaredError),
    ("MeanSquaredError", losses.MeanSquaredError),
    ("binary_crossentropy", losses.BinaryCrossentropy),
    ("categorical_crossentropy", losses.CategoricalCrossentropy),
    ("sparse_categorical_crossentropy", losses.SparseCategoricalCrossentropy),
    ("half_sum_squared_error", losses.HalfSumSquaredError),
])
def test_loss_by_name(name, cls):
    assert isinstance(losses.get(name), cls)


def test_loss_object_is_used_as_is():
    obj = losses.BinaryCrossentropy(from_logits=True)
    assert losses.get(obj) is obj
    again = losses.deserialize(losses.serialize(obj))
    assert isinstance(again, losses.BinaryCrossentropy) and again.from_logits


def test_targets_of_shape_n_become_n_by_1():
    y = np.array([0.0, 1.0, 1.0])
    assert losses.BinaryCrossentropy().prepare_targets(y, 1).shape == (3, 1)
    assert losses.MeanSquaredError().prepare_targets(y, 1).shape == (3, 1)


def test_soft_labels_are_accepted_for_binary_crossentropy():
    y = np.array([0.0, 0.25, 0.9, 1.0])
    assert np.array_equal(losses.BinaryCrossentropy().prepare_targets(y, 1)[:, 0], y)


# ---- metrics --------------------------------------------------------------------------
def test_binary_accuracy_by_hand():
    y = np.array([[1.0], [0.0], [1.0], [0.0]])
    p = np.array([[0.7], [0.2], [0.4], [0.6]])
    assert np.array_equal(metrics.binary_accuracy(y, p), [1.0, 1.0, 0.0, 0.0])
    assert np.array_equal(metrics.binary_accuracy(y, p, threshold=0.3), [1.0, 1.0, 1.0, 0.0])


def test_categorical_and_sparse_accuracy_by_hand():
    p = np.array([[0.1, 0.8, 0.1], [0.5, 0.2, 0.3], [0.2, 0.2, 0.6]])
    labels = np.array([1, 2, 2])
    assert np.array_equal(metrics.sparse_categorical_accuracy(labels, p), [1.0, 0.0, 1.0])
    assert np.array_equal(metrics.categorical_accuracy(np.eye(3)[labels], p), [1.0, 0.0, 1.0])


def test_regression_metrics_by_hand():
    y = np.array([[1.0, 2.0], [0.0, 0.0]])
    p = np.array([[2.0, 2.0], [0.0, -3.0]])
    assert np.array_equal(metrics.mean_squared_error(y, p), [0.5, 4.5])
    assert np.array_equal(metrics.mae(y, p), [0.5, 1.5])


def test_metric_objects_average_over_samples_not_batches():
    acc = metrics.BinaryAccuracy()
    acc.update_state(np.array([[1.0]] * 3), np.array([[0.9]] * 3))  # 3 right
    acc.update_state(np.array([[1.0]]), np.array([[0.1]]))  # 1 wrong
    assert acc.result() == pytest.approx(0.75)  # not (1 + 0) / 2
    acc.reset_state()
    assert acc.count == 0


@pytest.mark.parametrize("identifier, loss, units, expected", [
    ("accuracy", "binary_crossentropy", 1, metrics.BinaryAccuracy),
    ("acc", "mse", 1, metrics.BinaryAccuracy),
    ("accuracy", "binary_crossentropy", 3, metrics.BinaryAccuracy),
    ("accuracy", "categorical_crossentropy", 3, metrics.CategoricalAccuracy),
    ("accuracy", "sparse_categorical_crossentropy", 3, metrics.SparseCategoricalAccuracy),
    ("accuracy", "mse", 3, metrics.CategoricalAccuracy),
])
def test_accuracy_resolves_like_keras(identifier, loss, units, expected):
    metric = metrics.get(identifier, loss, units)
    assert type(metric) is expected
    assert metric.name == identifier  # the history key is the name given


def test_accuracy_in_a_model_resolves_from_loss_and_output():
    model = Sequential([Dense(3, activation="softmax", input_dim=2)])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["acc"])
    x = RNG.normal(size=(9, 2))
    labels = RNG.integers(0, 3, 9)
    loss, acc = model.evaluate(x, labels, verbose=0)
    p = model.predict(x, verbose=0)
    assert acc == pytest.approx(np.mean(np.argmax(p, axis=1) == labels))
    assert isinstance(model.metrics[0], metrics.SparseCategoricalAccuracy)


# ---- no (n, n) broadcasting in direct calls ---------------------------------------------
def test_loss_called_with_n_and_n_by_1_reads_a_column():
    y = np.array([0.0, 1.0, 1.0, 0.0])
    p = np.array([[0.2], [0.7], [0.6], [0.4]])
    expected = -np.mean(y * np.log(p[:, 0]) + (1 - y) * np.log(1 - p[:, 0]))
    assert losses.BinaryCrossentropy()(y, p) == pytest.approx(expected)
    assert losses.BinaryCrossentropy().gradient(y, p).shape == (4, 1)
    assert losses.MeanSquaredError()(y, p) == pytest.approx(np.mean((y - p[:, 0]) ** 2))


def test_loss_with_mismatched_shapes_is_an_error():
    with pytest.raises(ValueError, match=r"y_true has shape \(4, 2\) but y_pred has shape"):
        losses.MeanSquaredError()(np.ones((4, 2)), np.ones((4, 3)))


def test_metric_functions_read_n_as_a_column():
    y = np.array([1.0, 0.0, 1.0])
    p = np.array([[0.9], [0.8], [0.7]])
    assert np.array_equal(metrics.binary_accuracy(y, p), [1.0, 0.0, 1.0])
    assert metrics.mean_squared_error(y, p).shape == (3,)
    with pytest.raises(ValueError, match="must match"):
        metrics.binary_accuracy(np.ones(3), np.ones((3, 2)))
