"""Exercises of notebook 08_keras_style_example: turning outputs into classes, holding out
data honestly, and counting a classifier's mistakes.

    predict_classes(probabilities, threshold=0.5)        -> (N,) int64 labels
    train_test_split(x, y, test_fraction=0.2, seed=0)    -> x_train, x_test, y_train, y_test
    confusion_matrix(y_true, y_pred, n_classes)          -> (K, K) counts

and two optional checks of "going further" (0 points):

    softmax_regression(n_features, n_classes)            -> a compiled Sequential
    per_class_accuracy(C)                                -> (K,) accuracy per true class
"""
import math

import numpy as np

from ..grading.spec import Exercise, edge_case, fixed_case, random_case
from ..i18n import N_, _
from ..layers import Dense
from ..models import Sequential
from ..optimizers import SGD

NOTEBOOK = "08_keras_style_example"


# --------------------------------------------------------------------------------------
# predict_classes
# --------------------------------------------------------------------------------------
def predict_classes(probabilities, threshold=0.5):
    """Class labels from a model's predicted probabilities.

    probabilities: (N, K) with K >= 2 (a softmax output): the class is the column with
        the highest probability, argmax over axis 1.
        (N, 1) or (N,) (a sigmoid output, the probability of class 1): the class is 1
        where the probability is above ``threshold`` (strictly), else 0.
    Returns (N,) int64 labels (the checks accept any integer dtype).
    """
    p = np.asarray(probabilities)
    if p.ndim == 2 and p.shape[1] > 1:
        return np.argmax(p, axis=1).astype(np.int64)
    return (p.reshape(-1) > threshold).astype(np.int64)


def _softmax_rows(rng, n, k):
    z = rng.standard_normal((n, k))
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _classes_cases(rng):
    return [
        fixed_case("sigmoid outputs (4, 1)", np.array([[0.9], [0.2], [0.51], [0.49]])),
        fixed_case("the same, with threshold=0.5 written out",
                   np.array([[0.9], [0.2], [0.51], [0.49]]), threshold=0.5),
        fixed_case("softmax outputs (3, 3)",
                   np.array([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6], [0.2, 0.5, 0.3]])),
        fixed_case("threshold 0.3", np.array([[0.35], [0.25], [0.6], [0.1]]), threshold=0.3),
        random_case("random sigmoid outputs (50, 1)", rng.random((50, 1))),
        random_case("random softmax outputs (40, 10)", _softmax_rows(rng, 40, 10)),
        edge_case("a flat vector (N,)", np.array([0.8, 0.1, 0.5, 0.7])),
        edge_case("exactly at the threshold", np.array([[0.5], [0.5000001], [0.4999999]])),
        edge_case("one row of a softmax (1, 4)", np.array([[0.1, 0.2, 0.6, 0.1]])),
        edge_case("two classes as two columns (N, 2)",
                  np.array([[0.8, 0.2], [0.3, 0.7], [0.45, 0.55]])),
    ]


def _compare_labels(expected, got):
    """None if ``got`` holds the same integer labels as ``expected`` (any integer dtype:
    int32 from ``astype(int)`` on some systems is fine); else what is wrong."""
    if (isinstance(expected, np.ndarray) and isinstance(got, np.ndarray)
            and expected.dtype == got.dtype and expected.shape == got.shape
            and np.array_equal(expected, got)):
        return None  # identical (also how a wrong output is matched with a catalogued one)
    if not isinstance(expected, np.ndarray) or expected.dtype.kind not in "iu":
        return _("the two outputs differ")  # only when two wrong outputs are compared
    if got is None:
        return _("returned None — is a `return` statement missing?")
    if not isinstance(got, np.ndarray):
        return _("returned a {kind}, expected a numpy array of shape {shape}").format(
            kind=type(got).__name__, shape=expected.shape)
    if got.shape != expected.shape:
        return _("wrong shape {shape}, expected {expected}").format(shape=got.shape,
                                                                     expected=expected.shape)
    if got.dtype.kind == "b":
        return _("returned booleans (True/False), expected integer labels 0 and 1")
    if got.dtype.kind == "f":
        return _("returned floats (dtype {dtype}) where class labels (integers) are expected: "
                 "convert with .astype(np.int64) (np.argmax already returns "
                 "integers)").format(dtype=got.dtype)
    if got.dtype.kind not in "iu":
        return _("dtype {dtype}, expected integer labels (int64)").format(dtype=got.dtype)
    wrong = int(np.sum(got != expected))
    if wrong:
        return _("{wrong} of {total} labels differ").format(wrong=wrong, total=expected.size)
    return None


def _classes_argmax_always(probabilities, threshold=0.5):
    return np.argmax(probabilities, axis=1).astype(np.int64)


def _classes_ge(probabilities, threshold=0.5):
    p = np.asarray(probabilities)
    if p.ndim == 2 and p.shape[1] > 1:
        return np.argmax(p, axis=1).astype(np.int64)
    return (p.reshape(-1) >= threshold).astype(np.int64)


def _classes_axis0(probabilities, threshold=0.5):
    p = np.asarray(probabilities)
    if p.ndim == 2 and p.shape[1] > 1:
        return np.argmax(p, axis=0).astype(np.int64)
    return (p.reshape(-1) > threshold).astype(np.int64)


def _classes_kept_column(probabilities, threshold=0.5):
    p = np.asarray(probabilities)
    if p.ndim == 2 and p.shape[1] > 1:
        return np.argmax(p, axis=1).astype(np.int64)
    return (p > threshold).astype(np.int64)


def _classes_round(probabilities, threshold=0.5):
    p = np.asarray(probabilities)
    if p.ndim == 2 and p.shape[1] > 1:
        return np.argmax(p, axis=1).astype(np.int64)
    return np.round(p.reshape(-1)).astype(np.int64)


def _classes_booleans(probabilities, threshold=0.5):
    p = np.asarray(probabilities)
    if p.ndim == 2 and p.shape[1] > 1:
        return np.argmax(p, axis=1).astype(np.int64)
    return p.reshape(-1) > threshold


def _classes_shape1_of_a_vector(probabilities, threshold=0.5):
    p = np.asarray(probabilities)
    if p.shape[1] > 1:
        return np.argmax(p, axis=1).astype(np.int64)
    return (p[:, 0] > threshold).astype(np.int64)


def _classes_threshold_always(probabilities, threshold=0.5):
    return (np.asarray(probabilities).reshape(-1) > threshold).astype(np.int64)


def _classes_floats(probabilities, threshold=0.5):
    p = np.asarray(probabilities)
    if p.ndim == 2 and p.shape[1] > 1:
        return np.argmax(p, axis=1).astype(np.int64)
    return (p.reshape(-1) > threshold).astype(float)


def _classes_max_not_argmax(probabilities, threshold=0.5):
    p = np.asarray(probabilities)
    if p.ndim == 2 and p.shape[1] > 1:
        return np.max(p, axis=1)
    return (p.reshape(-1) > threshold).astype(np.int64)


# --------------------------------------------------------------------------------------
# train_test_split
# --------------------------------------------------------------------------------------
def train_test_split(x, y, test_fraction=0.2, seed=0):
    """Shuffle the rows of (x, y) together, then hold out a share for testing.

    n_test = round(test_fraction * N) rows (Python's ``round``); the order is
    ``np.random.default_rng(seed).permutation(N)``: its first n_test indices are the
    test set, the rest the training set (as scikit-learn's ShuffleSplit does).
    x: (N, D).  y: (N,) (or (N, M)): row n of y belongs to row n of x.
    Returns (x_train, x_test, y_train, y_test), in scikit-learn's order.  Every row is
    in exactly one of the two sets, and x and y stay paired.
    """
    n = len(x)
    n_test = round(test_fraction * n)
    order = np.random.default_rng(seed).permutation(n)
    test, train = order[:n_test], order[n_test:]
    return x[train], x[test], y[train], y[test]


def _split_cases(rng):
    x_small = np.arange(20.0).reshape(10, 2)
    y_small = np.arange(10) % 2
    x_odd = rng.standard_normal((33, 3))
    y_odd = rng.integers(0, 2, 33)
    return [
        fixed_case("10 rows, 20% held out", x_small, y_small, 0.2, 0),
        fixed_case("33 rows (6.6 rounds to 7)", x_odd, y_odd, 0.2, 1),
        fixed_case("12 rows (2.4 rounds to 2)", x_odd[:12], y_odd[:12], 0.2, 2),
        fixed_case("10 rows, 25% held out (round(2.5) is 2: a half goes to the even number)",
                   x_small, y_small, 0.25, 0),
        fixed_case("33 rows, called with its defaults", x_odd, y_odd),
        fixed_case("the same, with test_fraction=0.2, seed=0 written out", x_odd, y_odd,
                   test_fraction=0.2, seed=0),
        random_case("100 rows, 25% held out, seed 7", rng.standard_normal((100, 4)),
                    rng.integers(0, 3, 100), 0.25, 7),
        random_case("one-hot targets (60, 3)", rng.standard_normal((60, 5)),
                    np.eye(3)[rng.integers(0, 3, 60)], 0.5, 3),
        edge_case("two rows, one each", np.array([[1.0], [2.0]]), np.array([0, 1]), 0.5, 4),
        edge_case("large fraction held out (90%)", rng.standard_normal((20, 2)),
                  np.arange(20), 0.9, 5),
    ]


def _split_no_shuffle(x, y, test_fraction=0.2, seed=0):
    n = len(x)
    n_train = n - round(test_fraction * n)
    return x[:n_train], x[n_train:], y[:n_train], y[n_train:]


def _split_separate_shuffles(x, y, test_fraction=0.2, seed=0):
    n = len(x)
    n_test = round(test_fraction * n)
    rng = np.random.default_rng(seed)
    order_x = rng.permutation(n)
    order_y = rng.permutation(n)
    return (x[order_x[n_test:]], x[order_x[:n_test]], y[order_y[n_test:]],
            y[order_y[:n_test]])


def _split_overlap(x, y, test_fraction=0.2, seed=0):
    n = len(x)
    n_test = round(test_fraction * n)
    test = np.random.default_rng(seed).permutation(n)[:n_test]
    return x, x[test], y, y[test]


def _split_sizes_swapped(x, y, test_fraction=0.2, seed=0):
    n = len(x)
    n_test = round((1 - test_fraction) * n)
    order = np.random.default_rng(seed).permutation(n)
    test, train = order[:n_test], order[n_test:]
    return x[train], x[test], y[train], y[test]


def _split_truncated(x, y, test_fraction=0.2, seed=0):
    n = len(x)
    n_test = int(test_fraction * n)
    order = np.random.default_rng(seed).permutation(n)
    test, train = order[:n_test], order[n_test:]
    return x[train], x[test], y[train], y[test]


def _split_pairs_order(x, y, test_fraction=0.2, seed=0):
    n = len(x)
    n_test = round(test_fraction * n)
    order = np.random.default_rng(seed).permutation(n)
    test, train = order[:n_test], order[n_test:]
    return x[train], y[train], x[test], y[test]


def _split_rounded_up(x, y, test_fraction=0.2, seed=0):
    n = len(x)
    n_test = math.ceil(test_fraction * n)
    order = np.random.default_rng(seed).permutation(n)
    test, train = order[:n_test], order[n_test:]
    return x[train], x[test], y[train], y[test]


def _split_slices_swapped(x, y, test_fraction=0.2, seed=0):
    n = len(x)
    n_test = round(test_fraction * n)
    order = np.random.default_rng(seed).permutation(n)
    train, test = order[:n_test], order[n_test:]
    return x[train], x[test], y[train], y[test]


def _split_test_from_the_end(x, y, test_fraction=0.2, seed=0):
    n = len(x)
    n_test = round(test_fraction * n)
    order = np.random.default_rng(seed).permutation(n)
    train, test = order[:n - n_test], order[n - n_test:]
    return x[train], x[test], y[train], y[test]


def _split_legacy_seed(x, y, test_fraction=0.2, seed=0):
    # np.random.seed(seed); np.random.permutation(n) gives this order (without touching
    # the global random state here)
    n = len(x)
    n_test = round(test_fraction * n)
    order = np.random.RandomState(seed).permutation(n)
    test, train = order[:n_test], order[n_test:]
    return x[train], x[test], y[train], y[test]


def _split_half_up(x, y, test_fraction=0.2, seed=0):
    n = len(x)
    n_test = int(test_fraction * n + 0.5)
    order = np.random.default_rng(seed).permutation(n)
    test, train = order[:n_test], order[n_test:]
    return x[train], x[test], y[train], y[test]


def _split_sklearn_size(x, y, test_fraction=0.25, seed=0):
    return train_test_split(x, y, test_fraction, seed)


def _split_seed_42(x, y, test_fraction=0.2, seed=42):
    return train_test_split(x, y, test_fraction, seed)


def _split_two_pairs(x, y, test_fraction=0.2, seed=0):
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_fraction, seed)
    return (x_train, y_train), (x_test, y_test)


# --------------------------------------------------------------------------------------
# confusion_matrix
# --------------------------------------------------------------------------------------
def confusion_matrix(y_true, y_pred, n_classes):
    """Count how often each true class was predicted as each class.

    y_true, y_pred: (N,) integer labels in [0, n_classes).
    Returns C: (n_classes, n_classes) int64, where C[i, j] is the number of samples of
    true class i predicted as class j (rows: truth, columns: prediction, as in
    scikit-learn and TensorFlow).  The diagonal holds the correct predictions; every
    row sums to the number of samples of that class.
    """
    counts = np.zeros((n_classes, n_classes), dtype=np.int64)
    for true, predicted in zip(y_true, y_pred):
        counts[true, predicted] += 1
    return counts


def _confusion_cases(rng):
    return [
        fixed_case("3 classes, 6 samples", np.array([0, 1, 2, 2, 1, 0]),
                   np.array([0, 2, 2, 1, 1, 1]), 3),
        fixed_case("repeated pairs", np.array([1, 1, 1, 0]), np.array([0, 0, 1, 0]), 2),
        random_case("200 samples, 10 classes", rng.integers(0, 10, 200),
                    rng.integers(0, 10, 200), 10),
        edge_case("a class that never occurs (class 3 of 4)", np.array([0, 1, 2, 2, 0]),
                  np.array([1, 1, 2, 0, 0]), 4),
        edge_case("all correct", np.array([2, 0, 1, 2]), np.array([2, 0, 1, 2]), 3),
        edge_case("a single sample", np.array([1]), np.array([0]), 2),
    ]


def _confusion_transposed(y_true, y_pred, n_classes):
    counts = np.zeros((n_classes, n_classes), dtype=np.int64)
    for true, predicted in zip(y_true, y_pred):
        counts[predicted, true] += 1
    return counts


def _confusion_fancy_index(y_true, y_pred, n_classes):
    counts = np.zeros((n_classes, n_classes), dtype=np.int64)
    counts[y_true, y_pred] += 1
    return counts


def _confusion_size_from_data(y_true, y_pred, n_classes):
    k = int(max(np.max(y_true), np.max(y_pred))) + 1
    counts = np.zeros((k, k), dtype=np.int64)
    for true, predicted in zip(y_true, y_pred):
        counts[true, predicted] += 1
    return counts


def _confusion_every_pair(y_true, y_pred, n_classes):
    counts = np.zeros((n_classes, n_classes), dtype=np.int64)
    for true in y_true:
        for predicted in y_pred:
            counts[true, predicted] += 1
    return counts


def _confusion_lists(y_true, y_pred, n_classes):
    counts = [[0] * n_classes for _ in range(n_classes)]
    for true, predicted in zip(y_true, y_pred):
        counts[true][predicted] += 1
    return counts


def _confusion_normalised(y_true, y_pred, n_classes):
    counts = np.zeros((n_classes, n_classes))
    for true, predicted in zip(y_true, y_pred):
        counts[true, predicted] += 1
    totals = counts.sum(axis=1, keepdims=True)
    return counts / np.where(totals == 0, 1, totals)



# --------------------------------------------------------------------------------------
# Optional checks of "going further"
# --------------------------------------------------------------------------------------
def per_class_accuracy(C):
    """The accuracy on each true class (its recall): C[i, i] / (samples of class i).

    C: (K, K) confusion matrix, rows the true class, columns the prediction, every class
    with at least one sample.  Returns a float array (K,).
    """
    C = np.asarray(C)
    return np.diag(C) / C.sum(axis=1)


def _per_class_cases(rng):
    labels = rng.integers(0, 4, 60)
    guesses = np.where(rng.random(60) < 0.7, labels, rng.integers(0, 4, 60))
    return [
        fixed_case("3 classes", np.array([[5, 1, 0], [2, 6, 2], [0, 0, 4]])),
        random_case("random 4 classes, 60 samples", confusion_matrix(labels, guesses, 4)),
        edge_case("all correct", np.diag([3, 1, 2])),
        edge_case("one class always wrong", np.array([[0, 4], [0, 5]])),
    ]


def _per_class_columns(C):
    return np.diag(C) / np.asarray(C).sum(axis=0)


def _per_class_total(C):
    return np.diag(C) / np.asarray(C).sum()


def _per_class_overall(C):
    C = np.asarray(C)
    return np.full(len(C), np.trace(C) / C.sum())


def _per_class_integer_division(C):
    return np.diag(C) // np.asarray(C).sum(axis=1)


def softmax_regression(n_features, n_classes):
    """The digits network without its hidden layer: one Dense(n_classes, softmax) reading
    the n_features pixels, compiled like the digits network (sparse categorical
    cross-entropy, SGD with learning rate 0.1 and momentum 0.9, accuracy)."""
    model = Sequential()
    model.add(Dense(n_classes, activation="softmax", input_dim=n_features))
    model.compile(loss="sparse_categorical_crossentropy",
                  optimizer=SGD(learning_rate=0.1, momentum=0.9), metrics=["accuracy"])
    return model


#: What the check of a model says when the learner's function returns no model.  The
#: description crosses the sandbox's wire and is compared with the reference's, so it stays
#: English; ``_compare_models`` translates it when it shows it.
_NO_MODEL = N_("returned None instead of the model (is a `return` statement missing?)")
_NOT_A_MODEL = N_("returned a {kind}, not a model: return the Sequential")
#: The value of "loss" and "optimizer" in a description of a model that was not compiled.
_NOT_COMPILED = "not compiled"


def _shown_description(text):
    """A description of what a model check found (``_describe_model``'s English sentence)
    in the language of the verdict."""
    if text == _NO_MODEL:
        return _(_NO_MODEL)
    head, tail = _NOT_A_MODEL.split("{kind}")
    if text.startswith(head) and text.endswith(tail) and len(text) > len(head) + len(tail):
        return _(_NOT_A_MODEL).format(kind=text[len(head):-len(tail)])
    return text


def _shown_setting(value):
    """A value of a model's description as a verdict shows it (its repr)."""
    if value == _NOT_COMPILED:
        # TRANSLATORS: in "loss: yours 'not compiled', expected ...", the model's loss or
        # optimiser when compile() was not called; quotes included
        return _("'not compiled'")
    return repr(value)


def _describe_model(build, n_features, n_classes):
    """What the check compares: the layers (units, activation), the inputs, the loss and
    the optimiser's settings of the model ``build(n_features, n_classes)`` returns."""
    model = build(n_features, n_classes)
    if model is None:
        return _NO_MODEL
    layers = getattr(model, "layers", None)
    if layers is None:
        return _NOT_A_MODEL.format(kind=type(model).__name__)
    described = {"layers": [(layer.units, layer.get_config()["activation"])
                            for layer in layers],
                 "inputs": model.input_features}
    loss = getattr(model, "loss", None)
    described["loss"] = getattr(loss, "name", None) if loss is not None else _NOT_COMPILED
    optimizer = getattr(model, "optimizer", None)
    described["optimizer"] = repr(optimizer) if optimizer is not None else _NOT_COMPILED
    return described


def _compare_models(expected, got):
    """None when the two model descriptions agree, else what differs, in words."""
    if isinstance(got, str) or isinstance(expected, str):
        if got == expected:
            return None
        return _shown_description(got) if isinstance(got, str) else _("the two outputs differ")
    names = {"layers": N_("layers (units, activation)"), "inputs": N_("inputs"),
             "loss": N_("loss"), "optimizer": N_("optimizer")}
    for key, name in names.items():
        if got.get(key) != expected.get(key):
            return _("{name}: yours {got}, expected {expected}").format(
                name=_(name), got=_shown_setting(got.get(key)),
                expected=_shown_setting(expected.get(key)))
    return None


def _regression_cases(rng):
    return [
        fixed_case("64 pixels, 10 digits", 64, 10),
        random_case("random sizes", int(rng.integers(2, 40)), int(rng.integers(2, 12))),
        edge_case("2 features, 2 classes", 2, 2),
    ]


def _regression_linear(n_features, n_classes):
    model = Sequential()
    model.add(Dense(n_classes, input_dim=n_features))
    model.compile(loss="sparse_categorical_crossentropy",
                  optimizer=SGD(learning_rate=0.1, momentum=0.9), metrics=["accuracy"])
    return model


def _regression_hidden_kept(n_features, n_classes):
    model = Sequential()
    model.add(Dense(64, activation="relu", input_dim=n_features))
    model.add(Dense(n_classes, activation="softmax"))
    model.compile(loss="sparse_categorical_crossentropy",
                  optimizer=SGD(learning_rate=0.1, momentum=0.9), metrics=["accuracy"])
    return model


def _regression_one_hot_loss(n_features, n_classes):
    model = Sequential()
    model.add(Dense(n_classes, activation="softmax", input_dim=n_features))
    model.compile(loss="categorical_crossentropy",
                  optimizer=SGD(learning_rate=0.1, momentum=0.9), metrics=["accuracy"])
    return model


def _regression_not_compiled(n_features, n_classes):
    model = Sequential()
    model.add(Dense(n_classes, activation="softmax", input_dim=n_features))
    return model

EXERCISES = [
    Exercise(
        id="predict_classes",
        title="Probabilities to classes",
        notebook=NOTEBOOK,
        points=1,
        difficulty=1,
        reference=predict_classes,
        cases=_classes_cases,
        compare=_compare_labels,
        mistakes=[
            ("argmax of one column", _classes_argmax_always,
             "a sigmoid output has ONE column (the probability of class 1), and the argmax "
             "of one column is always 0. Compare it with the threshold instead."),
            ("threshold with >=", _classes_ge,
             "a probability of exactly the threshold is class 0: use > threshold, as "
             "Keras's binary accuracy does."),
            ("argmax over axis 0", _classes_axis0,
             "axis=0 picks a row for every class. Each sample is a row, so take the "
             "argmax across its columns: axis=1."),
            ("kept the column", _classes_kept_column,
             "the result must be flat, shape (N,), not (N, 1): reshape(-1) or [:, 0]."),
            ("np.round ignores the threshold", _classes_round,
             "your labels ignore the threshold argument (np.round, or a fixed 0.5, always "
             "cuts at 0.5): compare with threshold, p > threshold."),
            ("returned booleans", _classes_booleans,
             "a comparison gives True/False; turn it into labels 0/1 with "
             ".astype(np.int64)."),
            ("shape[1] of a flat vector", _classes_shape1_of_a_vector,
             "a flat (N,) vector has no shape[1] (IndexError). Check p.ndim == 2 before "
             "looking at p.shape[1], or reshape a 1-D input first."),
            ("threshold on softmax rows", _classes_threshold_always,
             "with several columns (a softmax) each row needs ONE label, the column with "
             "the highest probability: np.argmax(p, axis=1). The threshold is for a single "
             "sigmoid column only."),
            ("labels as floats", _classes_floats,
             ".astype(float) (or * 1.0) gives the labels 0.0 and 1.0; class labels are "
             "integers, as np.argmax returns them: use .astype(np.int64)."),
            ("np.max instead of np.argmax", _classes_max_not_argmax,
             "np.max gives the highest probability itself; the label is its POSITION: "
             "np.argmax(p, axis=1)."),
        ],
        hints=[
            "Two cases: several columns (softmax) or a single probability (sigmoid).",
            "Several columns: np.argmax(p, axis=1). One probability per sample: "
            "p.reshape(-1) > threshold.",
            "Convert the booleans with .astype(np.int64); check p.ndim == 2 and "
            "p.shape[1] > 1 to tell the two cases apart.",
        ],
    ),
    Exercise(
        id="train_test_split",
        title="Holding out a test set",
        notebook=NOTEBOOK,
        points=2,
        difficulty=2,
        reference=train_test_split,
        cases=_split_cases,
        outputs=("x_train", "x_test", "y_train", "y_test"),
        mistakes=[
            ("not shuffled", _split_no_shuffle,
             "you took the last rows as the test set without shuffling (what Keras's "
             "validation_split does). Shuffle first with "
             "np.random.default_rng(seed).permutation(N)."),
            ("x and y shuffled separately", _split_separate_shuffles,
             "x and y were shuffled with two different permutations, so the labels no "
             "longer belong to their rows. Index both with the same order."),
            ("test rows also in training", _split_overlap,
             "the training set still contains the test rows: a model can memorise them, "
             "and the test score means nothing. Train on order[n_test:] only."),
            ("sizes swapped", _split_sizes_swapped,
             "test_fraction is the share of the TEST set: n_test = round(test_fraction * N)."),
            ("truncated size", _split_truncated,
             "int() rounds down (6.6 -> 6); use round(test_fraction * N)."),
            ("Keras-style order of results", _split_pairs_order,
             "return (x_train, x_test, y_train, y_test), scikit-learn's order, not "
             "(x_train, y_train, x_test, y_test)."),
            ("rounded up", _split_rounded_up,
             "math.ceil rounds 2.4 up to 3 (scikit-learn does that); this exercise asks for "
             "n_test = round(test_fraction * N), which gives 2."),
            ("train and test slices swapped", _split_slices_swapped,
             "the FIRST n_test indices of the order are the test rows and the rest the "
             "training rows: test, train = order[:n_test], order[n_test:]."),
            ("test rows from the end", _split_test_from_the_end,
             "take the test rows from the start of the shuffled order, order[:n_test], as "
             "the exercise says, so that the same seed gives the same split everywhere."),
            ("legacy np.random.seed", _split_legacy_seed,
             "np.random.seed with np.random.permutation gives a different order (and changes "
             "numpy's global random state). Use np.random.default_rng(seed).permutation(N)."),
            ("halves rounded up", _split_half_up,
             "int(x + 0.5) rounds every half up (2.5 -> 3); Python's round, which the "
             "exercise asks for, sends a half to the even number (round(2.5) is 2): "
             "n_test = round(test_fraction * N)."),
            ("scikit-learn's 0.25 by default", _split_sklearn_size,
             "0.25 is scikit-learn's default test_size; this function's default is "
             "test_fraction=0.2: write it in the def line."),
            ("seed 42 by default", _split_seed_42,
             "the statement's default seed is seed=0, not 42: called without a seed, the "
             "function must give the split of seed 0."),
            ("two pairs", _split_two_pairs,
             "return four arrays, (x_train, x_test, y_train, y_test), not the pairs "
             "((x_train, y_train), (x_test, y_test)) that load_digits returns."),
        ],
        hints=[
            "Shuffle the row numbers once, then use the same shuffled numbers for x and y.",
            "order = np.random.default_rng(seed).permutation(len(x)); the first "
            "round(test_fraction * len(x)) of them are the test rows.",
            "test, train = order[:n_test], order[n_test:]; "
            "return x[train], x[test], y[train], y[test].",
        ],
    ),
    Exercise(
        id="confusion_matrix",
        title="Confusion matrix",
        notebook=NOTEBOOK,
        points=2,
        difficulty=2,
        reference=confusion_matrix,
        cases=_confusion_cases,
        check_dtype=False,  # counts held as floats are fine
        mistakes=[
            ("transposed", _confusion_transposed,
             "rows are the TRUE classes and columns the predictions: C[true, predicted]."),
            ("fancy-index += 1", _confusion_fancy_index,
             "each (true, predicted) pair was counted at most once: counts[y_true, y_pred] "
             "+= 1 with whole arrays (or `= 1` in a loop) does not add up repeated pairs. "
             "Loop over the pairs with += 1, or use np.add.at(counts, (y_true, y_pred), 1)."),
            ("size from the data", _confusion_size_from_data,
             "the matrix must be n_classes x n_classes even when a class never occurs; "
             "use the n_classes argument."),
            ("normalised", _confusion_normalised,
             "return the counts themselves, not the share of each row."),
            ("every pair of samples", _confusion_every_pair,
             "two nested loops count every true label against every prediction. Pair "
             "sample n's truth with sample n's prediction: for t, p in zip(y_true, y_pred)."),
            ("list of lists", _confusion_lists,
             "return a numpy array, np.zeros((n_classes, n_classes), dtype=np.int64), "
             "not a list of lists."),
        ],
        hints=[
            "Start from a (n_classes, n_classes) array of zeros and add 1 per sample.",
            "For each pair (t, p) of a true and a predicted label, add 1 at row t, column p.",
            "for t, p in zip(y_true, y_pred): counts[t, p] += 1",
        ],
    ),
    Exercise(
        id="softmax_regression",
        title="The digits network without a hidden layer (going further)",
        notebook=NOTEBOOK,
        points=0,
        difficulty=1,
        reference=softmax_regression,
        cases=_regression_cases,
        call=_describe_model,
        compare=_compare_models,
        mistakes=[
            ("no softmax", _regression_linear,
             "the last layer needs activation='softmax': sparse categorical cross-entropy "
             "expects probabilities."),
            ("hidden layer kept", _regression_hidden_kept,
             "remove the hidden layer: one Dense(n_classes, activation='softmax', "
             "input_dim=n_features) reads the pixels directly."),
            ("one-hot loss", _regression_one_hot_loss,
             "the digits' labels are integers 0-9: keep loss='sparse_categorical_crossentropy' "
             "(categorical_crossentropy wants one-hot rows)."),
            ("not compiled", _regression_not_compiled,
             "return a compiled model: call model.compile(loss=..., optimizer=..., "
             "metrics=[...]) before returning it."),
        ],
        hints=[
            "Start from digits_model() and delete one line.",
            "Sequential([Dense(n_classes, activation='softmax', input_dim=n_features)]), then "
            "compile it exactly as digits_model does.",
        ],
    ),
    Exercise(
        id="per_class_accuracy",
        title="Accuracy per digit (going further)",
        notebook=NOTEBOOK,
        points=0,
        difficulty=1,
        reference=per_class_accuracy,
        cases=_per_class_cases,
        mistakes=[
            ("divided by the columns", _per_class_columns,
             "the columns count predictions; the samples of class i are row i: divide the "
             "diagonal by C.sum(axis=1)."),
            ("divided by the total", _per_class_total,
             "divide each diagonal entry by the number of samples of its own class, the sum "
             "of its row, not by all samples."),
            ("overall accuracy", _per_class_overall,
             "that is the overall accuracy, repeated: each class gets its own share, "
             "C[i, i] / C[i].sum()."),
            ("integer division", _per_class_integer_division,
             "// rounds down to whole numbers; use / for a fraction."),
        ],
        hints=[
            "Row i holds the samples whose true class is i; the diagonal entry is the part "
            "of them read correctly.",
            "return np.diag(C) / C.sum(axis=1)",
        ],
    ),
]

