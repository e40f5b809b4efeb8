"""Exercises of notebook 08_keras_style_example: several correct ways of writing each
function pass its checks, and the references agree with independent computations.

(tests/course/test_grading.py already checks, for every exercise, that the reference passes and
that each catalogued mistake fails with its own hint.)
"""
import numpy as np
import pytest

from backprop_lab import metrics
from backprop_lab.exercises import EXERCISES, by_notebook
from backprop_lab.exercises.nb08_keras import confusion_matrix, predict_classes, train_test_split
from backprop_lab.grading import grade

from exercise_helpers import assert_passes


def test_notebook_has_its_exercises_in_order():
    ids = [ex.id for ex in by_notebook("08_keras_style_example")]
    assert ids == ["predict_classes", "train_test_split", "confusion_matrix",
                   "softmax_regression", "per_class_accuracy"]
    assert [EXERCISES[i].points for i in ("softmax_regression", "per_class_accuracy")] == [0, 0]


# --------------------------------------------------------------------------------------
# predict_classes
# --------------------------------------------------------------------------------------
def _classes_where(probabilities, threshold=0.5):
    p = np.asarray(probabilities)
    if p.ndim == 2 and p.shape[1] >= 2:
        return p.argmax(axis=-1)
    return np.where(p.ravel() > threshold, 1, 0).astype(np.int64)


def _classes_loop(probabilities, threshold=0.5):
    p = np.asarray(probabilities)
    labels = []
    for row in p.reshape(len(p), -1):
        if row.size > 1:
            best = 0
            for k in range(1, row.size):
                if row[k] > row[best]:
                    best = k
            labels.append(best)
        else:
            labels.append(1 if row[0] > threshold else 0)
    return np.array(labels, dtype=np.int64)


def _classes_negated_comparison(probabilities, threshold=0.5):
    p = np.atleast_2d(np.asarray(probabilities).T).T  # (N,) -> (N, 1)
    if p.shape[1] == 1:
        return 1 - (p[:, 0] <= threshold).astype(np.int64)
    return np.argmax(p, axis=1)


@pytest.mark.parametrize("fn", [_classes_where, _classes_loop, _classes_negated_comparison])
def test_predict_classes_styles_pass(fn):
    assert_passes("predict_classes", fn)


def test_predict_classes_agrees_with_keras_style_binary_accuracy():
    """Keras's binary accuracy thresholds with '>': the mean of matches equals it."""
    rng = np.random.default_rng(1)
    p = rng.random((200, 1))
    p[:5] = 0.5  # exactly at the threshold
    y = rng.integers(0, 2, (200, 1)).astype(np.float64)
    ours = np.mean(predict_classes(p) == y[:, 0])
    assert ours == pytest.approx(np.mean(metrics.binary_accuracy(y, p)))


# --------------------------------------------------------------------------------------
# train_test_split
# --------------------------------------------------------------------------------------
def _split_loop(x, y, test_fraction=0.2, seed=0):
    order = np.random.default_rng(seed).permutation(x.shape[0])
    n_test = int(round(x.shape[0] * test_fraction))
    x_train, x_test, y_train, y_test = [], [], [], []
    for position, row in enumerate(order):
        if position < n_test:
            x_test.append(x[row])
            y_test.append(y[row])
        else:
            x_train.append(x[row])
            y_train.append(y[row])
    return np.array(x_train), np.array(x_test), np.array(y_train), np.array(y_test)


def _split_shuffle_then_slice(x, y, test_fraction=0.2, seed=0):
    order = np.random.default_rng(seed).permutation(len(x))
    xs, ys = x[order], y[order]
    n_test = round(test_fraction * len(x))
    return xs[n_test:], xs[:n_test], ys[n_test:], ys[:n_test]


def _split_take(x, y, test_fraction=0.2, seed=0):
    order = np.random.default_rng(seed).permutation(len(x))
    n_test = round(test_fraction * len(x))
    test, train = np.split(order, [n_test])
    return (np.take(x, train, axis=0), np.take(x, test, axis=0),
            np.take(y, train, axis=0), np.take(y, test, axis=0))


@pytest.mark.parametrize("fn", [_split_loop, _split_shuffle_then_slice, _split_take])
def test_train_test_split_styles_pass(fn):
    assert_passes("train_test_split", fn)


@pytest.mark.parametrize("n,fraction", [(10, 0.2), (33, 0.2), (1000, 0.2), (7, 0.5)])
def test_train_test_split_partitions_and_keeps_pairs(n, fraction):
    x = np.arange(n, dtype=np.float64).reshape(n, 1) * 10.0
    y = np.arange(n)
    x_train, x_test, y_train, y_test = train_test_split(x, y, fraction, seed=2)
    assert len(x_test) == round(fraction * n) and len(x_train) + len(x_test) == n
    assert sorted(np.concatenate([y_train, y_test]).tolist()) == list(range(n))
    np.testing.assert_array_equal(x_train[:, 0], y_train * 10.0)  # pairs intact
    np.testing.assert_array_equal(x_test[:, 0], y_test * 10.0)


def test_train_test_split_shuffles():
    x, y = np.arange(100.0).reshape(100, 1), np.arange(100)
    _, _, y_train, _ = train_test_split(x, y, 0.2, seed=0)
    assert not np.array_equal(y_train, np.arange(80))


# --------------------------------------------------------------------------------------
# confusion_matrix
# --------------------------------------------------------------------------------------
def _confusion_add_at(y_true, y_pred, n_classes):
    counts = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(counts, (y_true, y_pred), 1)
    return counts


def _confusion_bincount(y_true, y_pred, n_classes):
    flat = np.bincount(y_true * n_classes + y_pred, minlength=n_classes * n_classes)
    return flat.reshape(n_classes, n_classes)


def _confusion_one_hot(y_true, y_pred, n_classes):
    eye = np.eye(n_classes)
    return np.einsum("ni,nj->ij", eye[y_true], eye[y_pred])  # float counts are accepted


def _confusion_double_loop(y_true, y_pred, n_classes):
    return np.array([[int(np.sum((y_true == i) & (y_pred == j))) for j in range(n_classes)]
                     for i in range(n_classes)])


@pytest.mark.parametrize("fn", [_confusion_add_at, _confusion_bincount, _confusion_one_hot,
                                _confusion_double_loop])
def test_confusion_matrix_styles_pass(fn):
    assert_passes("confusion_matrix", fn)


def test_confusion_matrix_counts_add_up():
    rng = np.random.default_rng(5)
    y_true = rng.integers(0, 6, 300)
    y_pred = np.where(rng.random(300) < 0.7, y_true, rng.integers(0, 6, 300))
    counts = confusion_matrix(y_true, y_pred, 6)
    assert counts.sum() == 300
    np.testing.assert_array_equal(counts.sum(axis=1), np.bincount(y_true, minlength=6))
    np.testing.assert_array_equal(counts.sum(axis=0), np.bincount(y_pred, minlength=6))
    assert np.trace(counts) == np.sum(y_true == y_pred)


# --------------------------------------------------------------------------------------
# More unusual but correct styles (found by reviewing the course as a learner)
# --------------------------------------------------------------------------------------
def _classes_int32(probabilities, threshold=0.5):
    # astype(int) gives int32 on some systems: any integer labels are accepted
    p = np.asarray(probabilities)
    if p.ndim == 2 and p.shape[1] > 1:
        return np.argmax(p, axis=1).astype(np.int32)
    return (p.reshape(-1) > threshold).astype(np.int32)


def _classes_atleast_2d(probabilities, threshold=0.5):
    p = np.atleast_2d(np.asarray(probabilities).T).T  # (N,) becomes (N, 1)
    if p.shape[1] == 1:
        return np.greater(p[:, 0], threshold).astype("int64")
    return np.argmax(p, 1)


def _split_np_split(x, y, test_fraction=0.2, seed=0):
    order = np.random.default_rng(seed).permutation(len(y))
    test, train = np.split(order, [round(test_fraction * len(y))])
    return x[train], x[test], y[train], y[test]


def _split_int_of_round(x, y, test_fraction=0.2, seed=0):
    idx = np.arange(len(x))
    np.random.default_rng(seed).shuffle(idx)  # the same order as permutation(len(x))
    k = int(round(test_fraction * len(x)))
    return x[idx[k:]], x[idx[:k]], y[idx[k:]], y[idx[:k]]


def _confusion_masks(y_true, y_pred, n_classes):
    return np.array([[np.sum((y_true == i) & (y_pred == j)) for j in range(n_classes)]
                     for i in range(n_classes)])


def _confusion_float_counts(y_true, y_pred, n_classes):
    counts = np.zeros((n_classes, n_classes))  # float counts are accepted
    for t, p in zip(y_true, y_pred):
        counts[t, p] += 1
    return counts


@pytest.mark.parametrize("exercise_id,fn", [
    ("predict_classes", _classes_int32), ("predict_classes", _classes_atleast_2d),
    ("train_test_split", _split_np_split), ("train_test_split", _split_int_of_round),
    ("confusion_matrix", _confusion_masks), ("confusion_matrix", _confusion_float_counts)])
def test_more_unusual_styles_pass(exercise_id, fn):
    assert_passes(exercise_id, fn)


def test_float_labels_are_refused_with_a_clear_message():
    def as_floats(probabilities, threshold=0.5):
        return (np.asarray(probabilities).reshape(-1) > threshold) * 1.0

    r = grade("predict_classes", as_floats)
    assert r.status == "failed" and "class labels (integers)" in r.messages[0]



# --------------------------------------------------------------------------------------
# Optional checks (going further)
# --------------------------------------------------------------------------------------
def _regression_list_style(n_features, n_classes):
    from backprop_lab.layers import Dense
    from backprop_lab.models import Sequential
    from backprop_lab.optimizers import SGD

    model = Sequential([Dense(n_classes, activation="softmax", input_dim=n_features)])
    model.compile(optimizer=SGD(learning_rate=0.1, momentum=0.9),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def _per_class_loop(C):
    return np.array([C[i, i] / C[i].sum() for i in range(len(C))])


def _per_class_keepdims(C):
    return (np.eye(len(C)) * C).sum(axis=1) / C.sum(axis=1, keepdims=True)[:, 0]


@pytest.mark.parametrize("exercise_id,fn", [
    ("softmax_regression", _regression_list_style),
    ("per_class_accuracy", _per_class_loop), ("per_class_accuracy", _per_class_keepdims)])
def test_optional_exercises_accept_other_styles(exercise_id, fn):
    assert_passes(exercise_id, fn)


def test_a_builder_that_returns_nothing_is_told_so():
    def softmax_regression(n_features, n_classes):
        pass

    r = grade("softmax_regression", softmax_regression)
    assert r.status == "failed" and "returned None instead of the model" in r.messages[0]


# --------------------------------------------------------------------------------------
# Learners' slips named by their own hint (and nothing else)
# --------------------------------------------------------------------------------------
def _assert_named(exercise_id, fn, mistake):
    r = grade(exercise_id, fn)
    assert (r.status, r.mistake) == ("failed", mistake), r.verdict()
    assert r.hint == next(m.hint for m in EXERCISES[exercise_id].mistakes if m.name == mistake)
    return r


def _labels_as_floats(probabilities, threshold=0.5):
    p = np.asarray(probabilities)
    if p.ndim == 2 and p.shape[1] > 1:
        return np.argmax(p, axis=1)
    return (p.reshape(-1) > threshold).astype(float)


def _split(x, y, test_fraction, seed, n_test):
    order = np.random.default_rng(seed).permutation(len(x))
    return x[order[n_test:]], x[order[:n_test]], y[order[n_test:]], y[order[:n_test]]


def _split_half_up(x, y, test_fraction=0.2, seed=0):
    return _split(x, y, test_fraction, seed, int(test_fraction * len(x) + 0.5))


def _split_sklearn_default(x, y, test_fraction=0.25, seed=0):
    return _split(x, y, test_fraction, seed, round(test_fraction * len(x)))


def _split_seed_42(x, y, test_fraction=0.2, seed=42):
    return _split(x, y, test_fraction, seed, round(test_fraction * len(x)))


@pytest.mark.parametrize("exercise_id,fn,mistake", [
    ("predict_classes", _labels_as_floats, "labels as floats"),
    ("train_test_split", _split_half_up, "halves rounded up"),
    ("train_test_split", _split_sklearn_default, "scikit-learn's 0.25 by default"),
    ("train_test_split", _split_seed_42, "seed 42 by default"),
])
def test_learners_slips_get_their_own_hint(exercise_id, fn, mistake):
    _assert_named(exercise_id, fn, mistake)


def test_numpy_round_is_python_round_for_a_half():
    # np.round and round both send 2.5 to 2: either passes
    def split_np_round(x, y, test_fraction=0.2, seed=0):
        return _split(x, y, test_fraction, seed, int(np.round(test_fraction * len(x))))

    assert grade("train_test_split", split_np_round).status == "passed"
