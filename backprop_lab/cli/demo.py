"""The seed article's Keras example, run on backprop_lab, with a held-out split.

Command line: ``python -m backprop_lab demo [--seed 0] [--epochs 10] [--verbose 1]``.

The article trains on 1000 random samples with *random* 0/1 labels.  Here the last 200
samples are kept aside, so we can see the point the article leaves out: with labels that
are pure noise, training accuracy can rise (the network memorises), but accuracy on
samples it has not seen stays near 50%, the score of a coin flip.

What it prints speaks the language of ``backprop_lab.config.language()``.
"""
import sys

import numpy as np

from .. import utils
from ..i18n import _, ljust, rjust
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
            print(_("demo: {flag} must be {smallest} or more, got {value}.")
                  .format(flag=flag, smallest=smallest, value=value), file=sys.stderr)
            return 2
    print(_("The seed's example: {samples} random samples x {features} features, random 0/1 "
            "labels; Dense(10, relu) -> Dense(1, sigmoid), SGD(learning_rate=0.01).")
          .format(samples=N_SAMPLES, features=N_FEATURES))
    print(_("Training on the first {train} samples, holding out the last {held_out}.")
          .format(train=N_TRAIN, held_out=N_SAMPLES - N_TRAIN) + "\n")
    result = run(seed=args.seed, epochs=args.epochs, verbose=args.verbose)
    (train_loss, train_acc), (test_loss, test_acc) = result["train"], result["held_out"]
    y_pred = result["y_pred"]
    print()
    print(_("predict(X) gave shape {shape}, values in [{low:.3f}, {high:.3f}].")
          .format(shape=y_pred.shape, low=y_pred.min(), high=y_pred.max()))
    print(ljust("", 22) + rjust(_("loss"), 8) + rjust(_("accuracy"), 10))
    for label, loss, accuracy in (
            (_("training data ({count})").format(count=N_TRAIN), train_loss, train_acc),
            (_("held-out data ({count})").format(count=N_SAMPLES - N_TRAIN), test_loss,
             test_acc)):
        print(f"{ljust(label, 22)}{loss:8.4f}{accuracy:10.4f}")
    print()
    print(_("The labels are coin flips unrelated to X, so there is nothing to learn: training\n"
            "accuracy rises only as the network memorises its {train} examples, while on the "
            "{held_out}\n"
            "held-out samples accuracy stays near 50%, chance (a few points either way is "
            "normal).").format(train=N_TRAIN, held_out=N_SAMPLES - N_TRAIN))
    return 0
