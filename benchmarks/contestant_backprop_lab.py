"""backprop_lab as a contestant: the seed's Keras code with only the imports changed.

``fit`` runs with ``verbose=0`` and the default ``shuffle=True``, as Keras does here.  The
float type is the task's: the seed runs in the library's default (float64, what a learner
gets), the large task under ``set_floatx('float32')``.
"""
import time


def available():
    """True when the object shell (``Sequential`` and friends) can be imported."""
    try:
        from backprop_lab.layers import Dense  # noqa: F401
        from backprop_lab.models import Sequential  # noqa: F401
        from backprop_lab.optimizers import SGD  # noqa: F401
    except ImportError:
        return False
    return True


def info():
    import machine

    import backprop_lab

    return {"backprop_lab": backprop_lab.__version__, **machine.numpy_info()}


def build(task):
    from backprop_lab.layers import Dense
    from backprop_lab.models import Sequential
    from backprop_lab.optimizers import SGD

    model = Sequential()
    for i, (units, act) in enumerate(task.layers):
        if i == 0:
            model.add(Dense(units, activation=act, input_dim=task.features))
        else:
            model.add(Dense(units, activation=act))
    model.compile(loss=task.loss, optimizer=SGD(learning_rate=task.learning_rate),
                  metrics=["accuracy"])
    return model


def make_runner(task, x, y, seed=0):
    """A function that builds a fresh model (not timed), then times ``fit`` once (s)."""
    from backprop_lab import config, utils

    x = x.astype(task.dtype, copy=False)
    y = y.astype(task.dtype, copy=False)
    counter = [seed]

    def run():
        old = config.floatx()
        config.set_floatx(task.dtype)
        try:
            utils.set_random_seed(counter[0])
            counter[0] += 1
            model = build(task)
            t0 = time.perf_counter()
            model.fit(x, y, epochs=task.epochs, batch_size=task.batch_size, verbose=0)
            return time.perf_counter() - t0
        finally:
            config.set_floatx(old)

    return run
