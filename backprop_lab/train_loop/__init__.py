"""A small training loop written with the functional core, no classes.

This is the loop the learning-rate explorer runs on every slider move.  It is the whole
algorithm of the course in a few lines:

    for each epoch:
        for each batch (x, y):
            loss, grads = loss_and_grads(params, x, y)   # forward pass + backward pass
            params = [w - learning_rate * dw for w, dw in zip(params, grads)]   # update

Parameters are a flat list ``[W1, b1, W2, b2, ...]``: W_l has shape (D_l, M_l) (Keras
layout: inputs x units) and b_l has shape (M_l,).

A model, for this module, is any pair of functions (the *model protocol*):

    loss_and_grads(params, x, y) -> (loss, grads)
        x: (N, D) inputs; y: (N,) integer labels.
        loss: a float; grads: a list of arrays, one per parameter, same shapes.
    predict(params, x) -> scores
        scores: (N, K), one column per class (logits or probabilities); argmax = class.

``mlp(...)`` builds such a pair from the functions of ``backprop_lab.functional``; pass
``functions={"dense_backward": my_dense_backward}`` to run your own version of any of
them in place of the reference.  Or write ``loss_and_grads`` and ``predict`` yourself.
``from_sequential(model)`` turns a Keras-style ``backprop_lab.models.Sequential`` into
the same protocol (on a private copy: your model is not changed).

``dead_units(hidden_outputs(params, x))`` counts the ReLU units that output 0 for every
input: no gradient flows through them, so they never learn again.

The modules: ``mlp.py`` (a network from the functional core), ``sequential.py`` (a
Keras-style model in the same protocol) and ``loop.py`` (the loop and its diagnostics).
"""
from .loop import (
    EXPLODED_LOSS,
    RISING_EPOCHS,
    SPIKE_FACTOR,
    TOO_SLOW_FRACTION,
    accuracy,
    check_model_output,
    classify_regime,
    describe_exception,
    gradient_check,
    make_optimizer,
    train,
)
from .mlp import HIDDEN_ACTIVATIONS, dead_units, hidden_outputs, init_mlp, mlp
from .sequential import SequentialModelFn, from_sequential

__all__ = [
    "EXPLODED_LOSS", "HIDDEN_ACTIVATIONS", "RISING_EPOCHS", "SPIKE_FACTOR",
    "TOO_SLOW_FRACTION", "SequentialModelFn", "accuracy", "check_model_output",
    "classify_regime", "dead_units", "describe_exception", "from_sequential",
    "gradient_check", "hidden_outputs", "init_mlp", "make_optimizer", "mlp", "train",
]
