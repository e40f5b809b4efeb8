"""This machine's float32 matrix-multiply speed for exactly the products of one SGD step.

For a batch of B rows and each dense layer in -> out, one training step multiplies

    forward          x  (B, in)  @ W   (in, out)
    weight gradient  x.T (in, B) @ dz  (B, out)
    input gradient   dz (B, out) @ W.T (out, in)

that is 6 * B * in * out floating-point operations per layer, the count the benchmark's
FLOP formula uses.  Timing only these products, on preallocated arrays with ``out=``,
gives the best a numpy implementation of the step could reach on this machine: the
"peak" against which a whole training epoch is compared.

Neither backprop_lab nor PyTorch computes the first layer's input gradient (nothing needs
it), so they do 4 * B * in * out operations there, not 6.  The benchmark therefore also
times the products without it, and reports a second share: the operations really done
against the peak of exactly those products.
"""
import time

import numpy as np


def available():
    return True


def info():
    import machine

    return machine.numpy_info()


def _operands(sizes, batch, dtype, rng):
    ops = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        x = rng.random((batch, fan_in), dtype=dtype)
        W = rng.random((fan_in, fan_out), dtype=dtype)
        dz = rng.random((batch, fan_out), dtype=dtype)
        ops.append((x, W, dz, np.empty((batch, fan_out), dtype), np.empty((fan_in, fan_out), dtype),
                    np.empty((batch, fan_in), dtype)))
    return ops


def _one_step(ops, first_input_grad=True):
    for i, (x, W, dz, z, dW, dx) in enumerate(ops):
        np.matmul(x, W, out=z)
        np.matmul(x.T, dz, out=dW)
        if i > 0 or first_input_grad:
            np.matmul(dz, W.T, out=dx)


def make_runner(task, seed=0, first_input_grad=True):
    """A function that runs the matrix products of one whole training run of ``task``
    (``task.steps`` full batches) and returns the time (s); ``task.flops / time`` is then
    the peak rate, measured interleaved with the training runs it is compared with.

    first_input_grad=False leaves out the first layer's input gradient, which no trainer
    computes: ``task.flops_computed / time`` is then the peak for the products a trainer
    really does."""
    ops = _operands(task.sizes, task.batch_size, np.dtype(task.dtype),
                    np.random.default_rng(seed))
    for _ in range(5):
        _one_step(ops, first_input_grad)
    full_batches = task.samples * task.epochs / task.batch_size  # the FLOP count's steps

    def run():
        whole = max(1, int(full_batches))
        t0 = time.perf_counter()
        for _ in range(whole):
            _one_step(ops, first_input_grad)
        elapsed = time.perf_counter() - t0
        return elapsed * full_batches / whole

    return run
