"""The two training tasks every contestant runs, and the data they run on.

A task is a multi-layer perceptron described by its layer sizes, activations, loss,
learning rate, batch size and epochs.  Every contestant (backprop_lab, a hand-written
PyTorch loop, Keras 3) trains the same network on the same arrays with the same rules:
plain SGD without momentum, the data shuffled at the start of every epoch, the last batch
of an epoch smaller when the batch size does not divide the number of samples, and the
epoch's mean loss and accuracy recorded.
"""
import json
import math
from dataclasses import asdict, dataclass

import numpy as np


@dataclass(frozen=True)
class Task:
    name: str
    samples: int            # N
    features: int           # D
    layers: tuple           # ((units, activation), ...)
    loss: str               # Keras name of the loss
    learning_rate: float
    batch_size: int
    epochs: int
    dtype: str              # float type of the data and the weights

    @property
    def steps(self):
        """Number of SGD steps in the whole run: ceil(N / batch) per epoch."""
        return self.epochs * math.ceil(self.samples / self.batch_size)

    @property
    def sizes(self):
        """Layer widths from input to output, e.g. (784, 256, 10)."""
        return (self.features,) + tuple(units for units, _ in self.layers)

    @property
    def flops(self):
        """Floating-point operations of the whole run, counted as 6 * N * sum(in * out).

        Each dense layer costs 2*in*out per sample forwards and twice that backwards
        (the weight gradient and the input gradient), per epoch.
        """
        s = self.sizes
        return 6 * self.samples * self.epochs * sum(a * b for a, b in zip(s[:-1], s[1:]))

    @property
    def flops_computed(self):
        """``flops`` without the first layer's input gradient (2 * N * D * M_1 per epoch),
        which no trainer computes: the operations really done."""
        return self.flops - 2 * self.samples * self.epochs * self.sizes[0] * self.sizes[1]

    def to_json(self):
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text):
        fields = json.loads(text)
        fields["layers"] = tuple(tuple(layer) for layer in fields["layers"])
        return cls(**fields)

    def describe(self):
        net = " -> ".join(f"Dense({u}, {a})" for u, a in self.layers)
        return (f"{self.samples}x{self.features} {self.dtype}, {net}, {self.loss}, "
                f"SGD {self.learning_rate}, batch {self.batch_size}, "
                f"{self.epochs} epoch{'s' if self.epochs != 1 else ''}")


def seed_task(epochs=10, samples=1000):
    """The seed article's example: 1000 x 20 random data, random 0/1 labels."""
    return Task("seed", samples, 20, ((10, "relu"), (1, "sigmoid")), "binary_crossentropy",
                0.01, 32, epochs, "float64")


def large_task(samples=60000):
    """An MNIST-sized MLP epoch: 60000 x 784 float32 random data, 10 random classes."""
    return Task("large", samples, 784, ((256, "relu"), (10, "softmax")),
                "categorical_crossentropy", 0.01, 128, 1, "float32")


def make_data(task, seed=0):
    """Seeded inputs and targets for a task.

    Returns x: (N, D) uniform in [0, 1) and y: (N, 1) random 0/1 labels for a sigmoid
    output, or (N, K) one-hot rows for a softmax output; both of the task's dtype.
    """
    rng = np.random.default_rng(seed)
    x = rng.random((task.samples, task.features), dtype=np.float64).astype(task.dtype)
    units = task.layers[-1][0]
    if units == 1:
        y = rng.integers(0, 2, size=(task.samples, 1)).astype(task.dtype)
    else:
        labels = rng.integers(0, units, size=task.samples)
        y = np.zeros((task.samples, units), dtype=task.dtype)
        y[np.arange(task.samples), labels] = 1
    return x, y
