"""The seed article's Keras example, run on backprop_lab, with a held-out split.

Command line: ``python -m backprop_lab demo [--seed 0] [--epochs 10] [--verbose 1]``.

The article trains on 1000 random samples with *random* 0/1 labels.  Here the last 200
samples are kept aside, so we can see the point the article leaves out: with labels that
are pure noise, training accuracy can rise (the network memorises), but accuracy on
samples it has not seen stays near 50%, the score of a coin flip.
"""
import sys

import numpy as np

from .. import utils
from ..layers import Dense
from ..models import Sequential
from ..optimizers import SGD

N_SAMPLES = 1000
N_FEATURES = 20
N_TRAIN = 800


def run(seed=0, epochs=10, verbose=1):
    """Train the seed's model; return a dict of the results (also used by tests)."""
    utils.set_random_seed(seed)
    # The seed's data: 1000 samples with 20 features, labels 0/1 drawn at random.
    X = np.random.randn(N_SAMPLES, N_FEATURES)
    y = np.random.randint(0, 2, N_SAMPLES)
    X_train, y_train = X[:N_TRAIN], y[:N_TRAIN]
    X_test, y_test = X[N_TRAIN:], y[N_TRAIN:]

    # The seed's network and settings (learning_rate= is the Keras 3 spelling of lr=).
    model = Sequential()
    model.add(Dense(units=10, activation="relu", input_dim=N_FEATURES))
    model.add(Dense(units=1, activation="sigmoid"))
    model.compile(loss="binary_crossentropy", optimizer=SGD(learning_rate=0.01),
                  metrics=["accuracy"])
    history = model.fit(X_train, y_train, epochs=epochs, batch_size=32, verbose=verbose)
    y_pred = model.predict(X, verbose=0)

    train_loss, train_acc = model.evaluate(X_train, y_train, verbose=0)
    test_loss, test_acc = model.evaluate(X_test, y_test, verbose=0)
    return {"model": model, "history": history, "y_pred": y_pred,
            "train": (train_loss, train_acc), "held_out": (test_loss, test_acc)}


def main(args):
    """Entry point of ``python -m backprop_lab demo``; ``args`` has .seed, .epochs, .verbose.

    Returns the exit code: 0, or 2 (with one line on stderr) for an unusable argument.
    """
    for flag, value, smallest in (("--epochs", args.epochs, 1), ("--seed", args.seed, 0)):
        if value < smallest:
            print(f"demo: {flag} must be {smallest} or more, got {value}.", file=sys.stderr)
            return 2
    print(f"The seed's example: {N_SAMPLES} random samples x {N_FEATURES} features, random 0/1 "
          f"labels; Dense(10, relu) -> Dense(1, sigmoid), SGD(learning_rate=0.01).")
    print(f"Training on the first {N_TRAIN} samples, holding out the last "
          f"{N_SAMPLES - N_TRAIN}.\n")
    result = run(seed=args.seed, epochs=args.epochs, verbose=args.verbose)
    (train_loss, train_acc), (test_loss, test_acc) = result["train"], result["held_out"]
    print()
    print(f"predict(X) gave shape {result['y_pred'].shape}, values in "
          f"[{result['y_pred'].min():.3f}, {result['y_pred'].max():.3f}].")
    print(f"{'':22}{'loss':>8}{'accuracy':>10}")
    print(f"{'training data (800)':22}{train_loss:8.4f}{train_acc:10.4f}")
    print(f"{'held-out data (200)':22}{test_loss:8.4f}{test_acc:10.4f}")
    print()
    print("The labels are coin flips unrelated to X, so there is nothing to learn: training")
    print("accuracy rises only as the network memorises its 800 examples, while on the 200")
    print("held-out samples accuracy stays near 50%, chance (a few points either way is normal).")
    return 0
