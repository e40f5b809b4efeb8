"""A fast path for training a stack of ``Dense`` layers with plain SGD.

This module is *not* part of the course: the algorithm is taught by
``backprop_lab.functional`` and composed, step by step, by ``layers.Dense.forward/
backward`` and ``Sequential.compute_gradients``.  It is a strategy of the one training loop
(``_engine.trainer``), which uses it for a whole epoch when the model qualifies.
``DenseStackTrainer`` does the same arithmetic in the same order, for the models most
people train (``Dense`` layers, a sigmoid/softmax output with its cross-entropy, or a
linear output with MSE, plain SGD at a constant learning rate), only faster.  Anything
else takes the teaching path: Dropout, BatchNormalization, regularizers, schedules,
momentum, Adam, AdamW, RMSprop (see ``unsupported_reason``).  A learning rate changed
between epochs (``LearningRateScheduler``, ``ReduceLROnPlateau``) is fine: the fast path
reads it at the start of every epoch.

* every array a step needs is allocated once per ``fit`` and then written in place
  (``out=`` arguments), instead of being created and freed at every step;
* the output layer starts the backward pass from the fused gradient
  ``dL/dz = (p - y) / N`` (see ``functional.sigmoid_binary_crossentropy_grad``);
* the input gradient of the first layer, which nothing uses, is not computed;
* each step keeps the batch's predictions; the loss and the metrics of the epoch are
  computed once, from all of them, at the end of the epoch, instead of once per step.

The update itself is ``functional.sgd_update`` writing into the weight arrays (``out=``).
The tests check this path against the teaching code (the layers' own forward and backward
passes, and ``fit`` with the fast path switched off) and against ``autograd``.  Set
``backprop_lab._engine.fast_dense.ENABLED = False`` to train every model through the
teaching code.
"""
import numpy as np

from .. import functional as F

#: ``fit`` uses the fast path only while this is True (and the model qualifies).
ENABLED = True

HIDDEN_ACTIVATIONS = ("linear", "relu", "sigmoid", "tanh")

#: (output activation, loss name) pairs and the gradient dL/dz the fast path starts from.
#: "size" divides by every entry of the batch's output (N * M), "rows" by N only.
OUTPUTS = {
    ("sigmoid", "binary_crossentropy"): "size",        # dL/dz = (p - y) / (N M)
    ("softmax", "categorical_crossentropy"): "rows",   # dL/dz = (p - y) / N
    ("softmax", "sparse_categorical_crossentropy"): "rows",  # y one-hot from the labels
    ("linear", "mean_squared_error"): "mse",           # dL/dz = 2 (p - y) / (N M)
}


def unsupported_reason(layers, loss, optimizer):
    """Why the fast path cannot train this model (a str), or None if it can.

    layers: the model's layers; loss: a ``losses.Loss``; optimizer: an ``Optimizer``.
    """
    from .. import losses
    from ..layers import Dense
    from ..optimizers import SGD

    built_in = (losses.BinaryCrossentropy, losses.CategoricalCrossentropy,
                losses.SparseCategoricalCrossentropy, losses.MeanSquaredError)
    if not layers or not all(type(layer) is Dense for layer in layers):
        return "only stacks of Dense layers"
    if any(not layer.use_bias for layer in layers):
        return "only Dense layers with a bias"
    if any(layer.kernel_regularizer is not None or layer.bias_regularizer is not None
           for layer in layers):
        return "no regularizers (their penalties are added by the teaching path)"
    if any(layer.activation not in HIDDEN_ACTIVATIONS for layer in layers[:-1]):
        return "hidden activations must be one of " + ", ".join(HIDDEN_ACTIVATIONS)
    if type(loss) not in built_in or loss.from_logits or \
            (layers[-1].activation, loss.key) not in OUTPUTS:
        return "output activation and loss must be one of " + ", ".join(
            f"{act}+{name}" for act, name in OUTPUTS)
    if type(optimizer) is not SGD or optimizer.momentum != 0:
        return "only SGD without momentum"
    if optimizer.schedule is not None:
        return "only a constant learning rate (a schedule changes it at every step)"
    if len({layer.kernel.dtype for layer in layers}) != 1:
        return "all layers must have the same float type"
    return None


class _Buffers:
    """The arrays of one training step for batches of ``rows`` samples.

    For each layer l (inputs D_l, units M_l): ``a[l]`` (rows, M_l) the layer's output
    (written over its pre-activation z), ``d[l]`` (rows, M_l) dL/dz, ``tmp[l]`` (rows, M_l)
    scratch for the activation's derivative, ``mask[l]`` (rows, M_l) ReLU's [a > 0].
    ``row_stat`` (rows, 1) for softmax's row maximum and sum; ``row_index`` 0..rows-1.
    """

    def __init__(self, rows, sizes, dtype):
        widths = sizes[1:]
        self.rows = rows
        self.a = [np.empty((rows, m), dtype) for m in widths]
        self.d = [np.empty((rows, m), dtype) for m in widths]
        self.tmp = [np.empty((rows, m), dtype) for m in widths]
        self.row_stat = np.empty((rows, 1), dtype)
        self.mask = [np.empty((rows, m), bool) for m in widths]
        self.row_index = np.arange(rows)


class DenseStackTrainer:
    """Train Dense layers in place with plain SGD; see the module's docstring.

    layers: ``Dense`` layers (built, with biases); their ``kernel`` (D_l, M_l) and ``bias``
    (M_l,) arrays are updated in place, so they stay the very objects the model holds.
    loss_name: the loss's key in ``functional.LOSSES``: ``'binary_crossentropy'``,
    ``'categorical_crossentropy'``, ``'sparse_categorical_crossentropy'`` or
    ``'mean_squared_error'``.
    batch_size: rows per step (the last batch of an epoch may be smaller).
    """

    def __init__(self, layers, loss_name, batch_size):
        self.layers = list(layers)
        self.kernels = [layer.kernel for layer in self.layers]
        self.biases = [layer.bias for layer in self.layers]
        self.activations = [layer.activation for layer in self.layers]
        self.output_rule = OUTPUTS[(self.activations[-1], loss_name)]
        self.sparse = loss_name == "sparse_categorical_crossentropy"
        self.dtype = self.kernels[0].dtype
        self.sizes = [self.kernels[0].shape[0]] + [k.shape[1] for k in self.kernels]
        self.batch_size = int(batch_size)
        self.kernel_grads = [np.zeros_like(k) for k in self.kernels]
        self.bias_grads = [np.zeros_like(b) for b in self.biases]
        self._buffers = {}

    @classmethod
    def for_model(cls, model, batch_size, callbacks=None, terminate=None):
        """A trainer for ``model`` (a compiled, built ``Sequential``), or None when the
        step-by-step loop is needed: the fast path is off, a learner's functions are
        plugged in (``use_functions``), the model is not supported (see
        ``unsupported_reason``), or a callback must see every batch.

        callbacks: the fit's ``CallbackList``.  terminate: its ``TerminateOnNaN``, whose
        per-batch check ``fit`` does itself on the fast path.  A progress display that
        shows only the end of each epoch needs no batch either.
        """
        from . import plug

        if not ENABLED or plug.active():
            return None
        if unsupported_reason(model.layers, model.loss, model.optimizer):
            return None
        if callbacks is not None and (
                callbacks.batch_begin or
                any(_needs_every_batch(cb, terminate) for cb in callbacks.batch_end)):
            return None
        return cls(model.layers, model.loss.key, batch_size)

    def _buffers_for(self, rows):
        if rows not in self._buffers:
            self._buffers[rows] = _Buffers(rows, self.sizes, self.dtype)
        return self._buffers[rows]

    # ---- one epoch -------------------------------------------------------------------
    def train_epoch(self, x, y, order, learning_rate):
        """One pass over the data in batches of ``batch_size``, updating the weights.

        x: (N, D) inputs.  y: (N, M) targets, or (N,) integer labels for the sparse loss.
        order: (N,) the sample order for this epoch (a permutation), or None for 0..N-1.
        learning_rate: eta, a float.
        Returns (N, M): each batch's output, computed before that batch's update, in the
        order the samples were used (so ``y[order]`` matches it row by row).
        """
        n = x.shape[0]
        outputs = np.empty((n, self.sizes[-1]), self.dtype)
        for start in range(0, n, self.batch_size):
            stop = min(start + self.batch_size, n)
            if order is None:
                xb, yb = x[start:stop], y[start:stop]
            else:
                idx = order[start:stop]
                xb, yb = x[idx], y[idx]
            buf = self._buffers_for(stop - start)
            out = self.forward(xb, buf)
            outputs[start:stop] = out
            self.backward_and_update(xb, yb, buf, learning_rate)
        for layer, grads in zip(self.layers, self.grads()):
            layer.grads = grads  # the last step's gradients, as the layers' backward leaves them
        return outputs

    def steps(self, n):
        """The number of batches (SGD steps) in an epoch of n samples."""
        return -(-n // self.batch_size)

    # ---- the step, in place ----------------------------------------------------------
    def forward(self, xb, buf):
        """Forward pass of a batch xb: (rows, D); returns the output buf.a[-1] (rows, M).

        Layer l: ``a = activation(a_prev @ kernel + bias)`` (``functional.dense_forward``
        and the activation's forward), written into buf.a[l].
        """
        a_prev = xb
        for i, (kernel, bias, act) in enumerate(zip(self.kernels, self.biases,
                                                    self.activations)):
            z = buf.a[i]
            np.matmul(a_prev, kernel, out=z)
            np.add(z, bias, out=z)
            _activate(act, z, buf.row_stat)
            a_prev = z
        return a_prev

    def output_gradient(self, yb, buf):
        """dL/dz of the output layer into buf.d[-1]: (p - y) / N, (p - y) / (N M) or
        2 (p - y) / (N M) (see ``OUTPUTS``)."""
        p, d = buf.a[-1], buf.d[-1]
        if self.sparse:
            np.copyto(d, p)
            d[buf.row_index, yb] -= 1
        else:
            np.subtract(p, yb, out=d)
        if self.output_rule == "rows":
            scale = 1.0 / p.shape[0]
        elif self.output_rule == "size":
            scale = 1.0 / p.size
        else:
            scale = 2.0 / p.size
        np.multiply(d, scale, out=d)
        return d

    def backward_and_update(self, xb, yb, buf, learning_rate):
        """Backward pass from the output gradient, and the SGD update of every layer.

        Layer i, from the last: kernel_grad = a_prev.T @ d, bias_grad = sum_n d
        (``functional.dense_backward``); the input gradient d_prev = d @ kernel.T is taken
        before the kernel changes, then multiplied by the previous layer's activation
        derivative; finally w <- w - eta * grad (``functional.sgd_update``), in place.
        """
        d = self.output_gradient(yb, buf)
        for i in range(len(self.kernels) - 1, -1, -1):
            kernel, bias = self.kernels[i], self.biases[i]
            a_prev = xb if i == 0 else buf.a[i - 1]
            np.matmul(a_prev.T, d, out=self.kernel_grads[i])
            np.sum(d, axis=0, out=self.bias_grads[i])
            if i > 0:  # the first layer's input gradient is not needed
                d_prev = buf.d[i - 1]
                np.matmul(d, kernel.T, out=d_prev)
                _activation_backward(self.activations[i - 1], d_prev, a_prev,
                                     buf.tmp[i - 1], buf.mask[i - 1])
            else:
                d_prev = None
            F.sgd_update(kernel, self.kernel_grads[i], learning_rate, out=kernel)
            F.sgd_update(bias, self.bias_grads[i], learning_rate, out=bias)
            d = d_prev

    def grads(self):
        """The last step's gradients as ``layer.grads`` lists: [[dkernel, dbias], ...]."""
        return [[k, b] for k, b in zip(self.kernel_grads, self.bias_grads)]


def _activate(name, z, row_stat):
    """Apply an activation to z in place (z: (rows, M)); row_stat: (rows, 1) scratch.

    sigmoid uses sigma(z) = (1 + tanh(z / 2)) / 2, equal to 1 / (1 + e^-z) and never
    overflowing; softmax subtracts each row's maximum before exponentiating.
    """
    if name == "relu":
        np.maximum(z, 0, out=z)
    elif name == "sigmoid":
        np.multiply(z, 0.5, out=z)
        np.tanh(z, out=z)
        np.multiply(z, 0.5, out=z)
        np.add(z, 0.5, out=z)
    elif name == "tanh":
        np.tanh(z, out=z)
    elif name == "softmax":
        np.max(z, axis=1, keepdims=True, out=row_stat)
        np.subtract(z, row_stat, out=z)
        np.exp(z, out=z)
        np.sum(z, axis=1, keepdims=True, out=row_stat)
        np.divide(z, row_stat, out=z)
    # linear: nothing to do


def _activation_backward(name, da, a, tmp, mask):
    """da <- da * (the activation's derivative), in place, from its output a.

    relu: [a > 0] (a > 0 exactly where z > 0); sigmoid: a (1 - a); tanh: 1 - a^2.
    """
    if name == "relu":
        np.greater(a, 0, out=mask)
        np.multiply(da, mask, out=da)
    elif name == "sigmoid":
        np.subtract(1, a, out=tmp)
        np.multiply(tmp, a, out=tmp)
        np.multiply(da, tmp, out=da)
    elif name == "tanh":
        np.multiply(a, a, out=tmp)
        np.subtract(1, tmp, out=tmp)
        np.multiply(da, tmp, out=da)
    # linear: derivative 1


def _needs_every_batch(callback, terminate):
    """Whether a callback's ``on_train_batch_end`` must run after every batch.

    Not for the fit's own ``TerminateOnNaN`` (``fit`` checks the losses itself on the fast
    path), nor for a progress display that draws nothing between epochs (verbose=2, or
    output that is neither a terminal nor a notebook).
    """
    from .. import callbacks as cb_module
    from ..callbacks import progbar

    if callback is terminate and type(callback) is cb_module.TerminateOnNaN:
        return False
    if type(callback) is cb_module.ProgbarLogger and (
            callback.verbose == 2 or not progbar._dynamic_display()):
        return False
    return True


def first_nonfinite_batch(loss, y, outputs, batch_size):
    """The first batch (from 0) whose loss is NaN or infinite, and that loss, or None.

    loss: a ``losses.Loss``; y, outputs: an epoch's targets and ``train_epoch``'s
    outputs, row by row in the order used.  Only called when the epoch's loss is not
    finite, to report where training diverged, as the step-by-step loop would.
    """
    for batch, start in enumerate(range(0, outputs.shape[0], batch_size)):
        value = loss(y[start:start + batch_size], outputs[start:start + batch_size])
        if not np.isfinite(value):
            return batch, value
    return None
