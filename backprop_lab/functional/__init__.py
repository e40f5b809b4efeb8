"""The functional core: every forward rule next to its backward rule.

Each layer operation is a pair of plain functions, in the style of CS231n's ``layers.py``:

    out, cache = <op>_forward(inputs...)
    grads      = <op>_backward(dout, cache)

``cache`` holds what the backward pass needs from the forward pass.  ``dout`` is the
upstream gradient dL/d(out), with the same shape as ``out``.  Every backward function
applies one step of the chain rule: it multiplies ``dout`` by the operation's local
derivative.

Each loss is a pair too:

    value = <loss>(y_true, y_pred)        # a Python float
    grad  = <loss>_grad(y_true, y_pred)   # dL/d(y_pred), same shape as y_pred

and each update rule returns new weights (and new optimizer state) from the old ones and
their gradient:

    w_new, ... = <rule>_update(w, dw, ...)

Shapes: N is the batch size, D the number of input features, M the number of units in a
layer, K the number of classes.  Losses averaged "over the batch" divide by N (as Keras
does); the seed article's squared error ``1/2 * sum`` does not.

These are the functions the notebooks ask learners to write; the ``Sequential`` model
composes exactly these.  Nothing here keeps state.  One module per kind, all of them
importable from here (``from backprop_lab.functional import dense_forward``):

    layers.py        dense, dropout, batch normalization
    activations.py   linear, relu, sigmoid, tanh, softmax (and ``ACTIVATIONS``)
    losses.py        the losses (and ``LOSSES``), fused output gradients, L1/L2 penalties
    updates.py       sgd, momentum, RMSprop, Adam, AMSGrad, decoupled weight decay, AdamW
"""
from ._types import Array, DenseCache
from .activations import (
    ACTIVATIONS,
    linear_backward,
    linear_forward,
    log_softmax,
    relu_backward,
    relu_forward,
    sigmoid_backward,
    sigmoid_forward,
    softmax_backward,
    softmax_forward,
    tanh_backward,
    tanh_forward,
)
from .layers import (
    batchnorm_backward,
    batchnorm_forward,
    dense_backward,
    dense_forward,
    dropout_backward,
    dropout_forward,
)
from .losses import (
    EPSILON,
    LOSSES,
    binary_crossentropy,
    binary_crossentropy_from_logits,
    binary_crossentropy_from_logits_grad,
    binary_crossentropy_grad,
    categorical_crossentropy,
    categorical_crossentropy_from_logits,
    categorical_crossentropy_from_logits_grad,
    categorical_crossentropy_grad,
    half_sum_squared_error,
    half_sum_squared_error_grad,
    huber,
    huber_grad,
    l1_penalty,
    l1_penalty_grad,
    l2_penalty,
    l2_penalty_grad,
    mean_squared_error,
    mean_squared_error_grad,
    sigmoid_binary_crossentropy_grad,
    softmax_categorical_crossentropy_grad,
    softmax_sparse_categorical_crossentropy_grad,
    sparse_categorical_crossentropy,
    sparse_categorical_crossentropy_from_logits,
    sparse_categorical_crossentropy_from_logits_grad,
    sparse_categorical_crossentropy_grad,
)
from .updates import (
    adam_update,
    adamw_update,
    amsgrad_update,
    rmsprop_update,
    sgd_momentum_update,
    sgd_update,
    weight_decay_update,
)

__all__ = [
    "ACTIVATIONS", "EPSILON", "LOSSES", "Array", "DenseCache", "adam_update", "adamw_update",
    "amsgrad_update", "batchnorm_backward", "batchnorm_forward", "binary_crossentropy",
    "binary_crossentropy_from_logits", "binary_crossentropy_from_logits_grad",
    "binary_crossentropy_grad", "categorical_crossentropy",
    "categorical_crossentropy_from_logits", "categorical_crossentropy_from_logits_grad",
    "categorical_crossentropy_grad", "dense_backward", "dense_forward", "dropout_backward",
    "dropout_forward", "half_sum_squared_error", "half_sum_squared_error_grad", "huber",
    "huber_grad", "l1_penalty", "l1_penalty_grad", "l2_penalty", "l2_penalty_grad",
    "linear_backward", "linear_forward", "log_softmax", "mean_squared_error",
    "mean_squared_error_grad", "relu_backward", "relu_forward", "rmsprop_update",
    "sgd_momentum_update", "sgd_update", "sigmoid_backward", "sigmoid_binary_crossentropy_grad",
    "sigmoid_forward", "softmax_backward", "softmax_categorical_crossentropy_grad",
    "softmax_forward", "softmax_sparse_categorical_crossentropy_grad",
    "sparse_categorical_crossentropy", "sparse_categorical_crossentropy_from_logits",
    "sparse_categorical_crossentropy_from_logits_grad", "sparse_categorical_crossentropy_grad",
    "tanh_backward", "tanh_forward", "weight_decay_update",
]

# Every function is known by one name, backprop_lab.functional.<name>: that is where
# ``use_functions`` replaces it (the shell calls F.<name>, and so do the losses that use
# an activation), and where help() and the graders find it.
for _name in __all__:
    _obj = globals()[_name]
    if callable(_obj) and getattr(_obj, "__module__", "").startswith(__name__ + "."):
        _obj.__module__ = __name__
del _name, _obj
