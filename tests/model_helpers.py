"""Small data and models shared by tests of the Keras-style shell."""
import numpy as np

from backprop_lab import utils
from backprop_lab.layers import Dense
from backprop_lab.models import Sequential


def data(n=24, seed=0):
    """x: (n, 3) standard normal; y: (n,) 0/1, learnable (the sign of the first feature)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3))
    return x, (x[:, 0] > 0).astype(int)


def small_model(optimizer, hidden=4, seed=5):
    """A seeded 3 -> hidden (relu) -> 1 (sigmoid) model compiled with binary cross-entropy."""
    utils.set_random_seed(seed)
    model = Sequential([Dense(hidden, activation="relu", input_dim=3),
                        Dense(1, activation="sigmoid")])
    model.compile(loss="binary_crossentropy", optimizer=optimizer)
    return model
