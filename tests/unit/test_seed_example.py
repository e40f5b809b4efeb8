"""The seed article's Keras example runs with only ``keras`` replaced by ``backprop_lab``.

The code below is the article's, character for character apart from its comments (the
article's are in Chinese).  Keras 3 itself would reject ``SGD(lr=0.01)``; backprop_lab
accepts it with a DeprecationWarning.
"""
import re

import numpy as np
import pytest

from backprop_lab import functional as F
from backprop_lab import utils

SEED_CODE = """\
import numpy as np
from keras.models import Sequential
from keras.layers import Dense
from keras.optimizers import SGD

# Generate random data
n_samples = 1000
n_features = 20
X = np.random.randn(n_samples, n_features)
y = np.random.randint(0, 2, n_samples)

# Define the network
model = Sequential()
model.add(Dense(units=10, activation='relu', input_dim=n_features))
model.add(Dense(units=1, activation='sigmoid'))

# Compile the model
model.compile(loss='binary_crossentropy', optimizer=SGD(lr=0.01), metrics=['accuracy'])

# Train the model
model.fit(X, y, epochs=10, batch_size=32)

# Predict
y_pred = model.predict(X)
"""


def run_seed(code):
    namespace = {"__name__": "seed_example"}
    exec(compile(code, "seed_example.py", "exec"), namespace)
    return namespace


def test_only_the_imports_change():
    ported = SEED_CODE.replace("keras", "backprop_lab")
    changed = [(a, b) for a, b in zip(SEED_CODE.splitlines(), ported.splitlines()) if a != b]
    assert len(changed) == 3 and all(a.startswith("from keras.") for a, _ in changed)


def test_seed_example_runs_on_backprop_lab(capsys):
    utils.set_random_seed(0)
    with pytest.warns(DeprecationWarning, match=r"use `learning_rate`"):
        ns = run_seed(SEED_CODE.replace("keras", "backprop_lab"))
    model, y, y_pred = ns["model"], ns["y"], ns["y_pred"]
    assert y.shape == (1000,)
    assert y_pred.shape == (1000, 1)
    assert np.all((0 <= y_pred) & (y_pred <= 1))
    history = model.history.history
    assert set(history) == {"accuracy", "loss"}
    assert len(history["loss"]) == len(history["accuracy"]) == 10
    assert model.optimizer.learning_rate == 0.01
    out = capsys.readouterr().out
    assert "Epoch 1/10" in out and "Epoch 10/10" in out
    assert re.search(r"32/32 ━{20} \d+s \d+(\.\d+)?ms/step - accuracy: 0\.\d{4} - loss: 0\.\d{4}",
                     out)


def test_targets_of_shape_n_are_not_broadcast_to_n_by_n():
    """y has shape (1000,) and predictions (1000, 1): (y - p) must not become (1000, 1000)."""
    utils.set_random_seed(1)
    with pytest.warns(DeprecationWarning):
        ns = run_seed(SEED_CODE.replace("keras", "backprop_lab")
                      .replace("epochs=10, batch_size=32", "epochs=1, batch_size=32, verbose=0")
                      .replace("model.predict(X)", "model.predict(X, verbose=0)"))
    model, X, y, y_pred = ns["model"], ns["X"], ns["y"], ns["y_pred"]
    loss, acc = model.evaluate(X, y, verbose=0)
    column = y.reshape(-1, 1).astype(float)
    assert loss == pytest.approx(F.binary_crossentropy(column, y_pred), rel=1e-10)
    broadcast = F.binary_crossentropy(y.astype(float), y_pred)  # the (n, n) mistake
    assert abs(loss - broadcast) > 1e-3
    assert acc == pytest.approx(np.mean((y_pred[:, 0] > 0.5) == y))


def test_trajectory_matches_keras_when_installed():
    keras = pytest.importorskip("keras", reason="keras is not installed: parity of the "
                                "formulas is checked against hand-computed references instead")
    from backprop_lab import config
    from backprop_lab.layers import Dense
    from backprop_lab.models import Sequential
    from backprop_lab.optimizers import SGD

    old = config.floatx()
    config.set_floatx("float32")
    try:
        utils.set_random_seed(0)
        x = np.random.randn(256, 20).astype("float32")
        y = np.random.randint(0, 2, 256).astype("float32").reshape(-1, 1)
        ours = Sequential([Dense(10, activation="relu", input_dim=20),
                           Dense(1, activation="sigmoid")])
        ours.compile(loss="binary_crossentropy", optimizer=SGD(learning_rate=0.1, momentum=0.9),
                     metrics=["accuracy"])
        theirs = keras.Sequential([keras.Input((20,)), keras.layers.Dense(10, activation="relu"),
                                   keras.layers.Dense(1, activation="sigmoid")])
        theirs.compile(loss="binary_crossentropy",
                       optimizer=keras.optimizers.SGD(learning_rate=0.1, momentum=0.9),
                       metrics=["accuracy"])
        theirs.set_weights(ours.get_weights())
        h_ours = ours.fit(x, y, epochs=3, batch_size=32, shuffle=False, verbose=0).history
        h_theirs = theirs.fit(x, y, epochs=3, batch_size=32, shuffle=False, verbose=0).history
    finally:
        config.set_floatx(old)
    assert np.allclose(h_ours["loss"], h_theirs["loss"], rtol=1e-4)
    assert np.allclose(h_ours["accuracy"], h_theirs["accuracy"], atol=1e-6)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        assert np.allclose(a, b, rtol=1e-3, atol=1e-5)


@pytest.mark.parametrize("optimizer, loss, units, activation", [
    ("adam", "categorical_crossentropy", 3, "softmax"),
    ("rmsprop", "mse", 2, "linear"),
    ("sgd", "sparse_categorical_crossentropy", 3, "softmax"),
])
def test_other_optimizers_and_losses_match_keras_when_installed(optimizer, loss, units,
                                                                activation):
    keras = pytest.importorskip("keras", reason="keras is not installed")
    from backprop_lab import config
    from backprop_lab.layers import Dense
    from backprop_lab.models import Sequential

    old = config.floatx()
    config.set_floatx("float32")
    try:
        utils.set_random_seed(1)
        x = np.random.randn(128, 5).astype("float32")
        labels = np.random.randint(0, units, 128)
        y = {"categorical_crossentropy": np.eye(units, dtype="float32")[labels],
             "sparse_categorical_crossentropy": labels,
             "mse": np.random.randn(128, units).astype("float32")}[loss]
        ours = Sequential([Dense(8, activation="tanh", input_dim=5),
                           Dense(units, activation=activation)])
        ours.compile(loss=loss, optimizer=optimizer)
        theirs = keras.Sequential([keras.Input((5,)), keras.layers.Dense(8, activation="tanh"),
                                   keras.layers.Dense(units, activation=activation)])
        theirs.compile(loss=loss, optimizer=optimizer)
        theirs.set_weights(ours.get_weights())
        h_ours = ours.fit(x, y, epochs=3, batch_size=16, shuffle=False, verbose=0).history
        h_theirs = theirs.fit(x, y, epochs=3, batch_size=16, shuffle=False, verbose=0).history
    finally:
        config.set_floatx(old)
    assert np.allclose(h_ours["loss"], h_theirs["loss"], rtol=1e-4)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        assert np.allclose(a, b, rtol=1e-3, atol=1e-5)
