"""This machine's float32 matrix-multiply speed for exactly the products of one SGD step.

For a batch of B rows and each dense layer in -> out, one training step multiplies

    forward          x  (B, in)  @ W   (in, out)
    weight gradient  x.T (in, B) @ dz  (B, out)
    input gradient   dz (B, out) @ W.T (out, in)

that is 6 * B * in * out floating-point operations per layer, the count the benchmark's
FLOP formula uses.  Timing only these products, on preallocated arrays with ``out=``,
gives the best a numpy implementation of the step could reach on this machine: the
"peak" against which a whole training epoch is compared.
"""
import statistics
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


def _one_step(ops):
    for x, W, dz, z, dW, dx in ops:
        np.matmul(x, W, out=z)
        np.matmul(x.T, dz, out=dW)
        np.matmul(dz, W.T, out=dx)


def step_flops(sizes, batch):
    return 6 * batch * sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))


def measure(sizes, batch, dtype=np.float32, seconds=0.25, rounds=5, seed=0):
    """Median GFLOP/s over ``rounds`` timed blocks of about ``seconds`` each.

    sizes: layer widths, e.g. (784, 256, 10).  batch: rows per step.
    Returns (median GFLOP/s, list of the per-round GFLOP/s).
    """
    ops = _operands(sizes, batch, dtype, np.random.default_rng(seed))
    for _ in range(5):  # warm-up: thread start, caches
        _one_step(ops)
    t0 = time.perf_counter()
    _one_step(ops)
    reps = max(1, int(seconds / max(time.perf_counter() - t0, 1e-6)))
    flops = step_flops(sizes, batch) * reps
    rates = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        for _ in range(reps):
            _one_step(ops)
        rates.append(flops / (time.perf_counter() - t0) / 1e9)
    return statistics.median(rates), rates


def make_runner(task, seed=0):
    """A function that runs the matrix products of one whole training run of ``task``
    (``task.steps`` full batches) and returns the time (s); ``task.flops / time`` is then
    the peak rate, measured interleaved with the training runs it is compared with."""
    ops = _operands(task.sizes, task.batch_size, np.dtype(task.dtype),
                    np.random.default_rng(seed))
    for _ in range(5):
        _one_step(ops)
    full_batches = task.samples * task.epochs / task.batch_size  # the FLOP count's steps

    def run():
        whole = max(1, int(full_batches))
        t0 = time.perf_counter()
        for _ in range(whole):
            _one_step(ops)
        elapsed = time.perf_counter() - t0
        return elapsed * full_batches / whole

    return run
