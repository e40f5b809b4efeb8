"""The Keras 3 peer (torch backend): the seed's own code, ``Sequential`` + ``fit``.

Keras is imported only when its rows run (it takes seconds).  The backend is torch unless
``KERAS_BACKEND`` already names another one; the report shows which one ran.
"""
import importlib.util
import os
import time

_keras = None


def available():
    return (importlib.util.find_spec("keras") is not None
            and importlib.util.find_spec(os.environ.get("KERAS_BACKEND", "torch")) is not None)


def _import():
    global _keras
    if _keras is None:
        os.environ.setdefault("KERAS_BACKEND", "torch")
        import keras

        _keras = keras
    return _keras


def info():
    keras = _import()
    out = {"keras": keras.__version__, "keras_backend": keras.backend.backend()}
    if out["keras_backend"] == "torch":
        import torch

        out["torch"] = torch.__version__
        out["torch_threads"] = torch.get_num_threads()
    return out


def build(task):
    keras = _import()
    net = [keras.Input((task.features,))]
    net += [keras.layers.Dense(units, activation=act) for units, act in task.layers]
    model = keras.Sequential(net)
    model.compile(loss=task.loss,
                  optimizer=keras.optimizers.SGD(learning_rate=task.learning_rate),
                  metrics=["accuracy"])
    return model


def make_runner(task, x_np, y_np, seed=0):
    """A function that builds and compiles a fresh model (not timed), then times ``fit``.

    The data is handed over as float32, Keras's own float type, so no conversion is
    timed.  ``verbose=0``, as for backprop_lab.
    """
    keras = _import()
    x = x_np.astype("float32")
    y = y_np.astype("float32")
    counter = [seed]

    def run():
        keras.utils.set_random_seed(counter[0])
        counter[0] += 1
        model = build(task)
        t0 = time.perf_counter()
        model.fit(x, y, epochs=task.epochs, batch_size=task.batch_size, verbose=0)
        return time.perf_counter() - t0

    return run
