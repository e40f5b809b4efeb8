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
"""
import copy
import math

import numpy as np

from . import config
from . import functional as F
from ._engine import checks as _checks

#: The activations ``mlp`` builds hidden layers with.
HIDDEN_ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear")

#: A loss above this (or not finite) counts as diverged: training stops there.
EXPLODED_LOSS = 1e6


# --------------------------------------------------------------------------------------
# A multi-layer perceptron from the functional core
# --------------------------------------------------------------------------------------
def init_mlp(layer_sizes, seed=0):
    """Initial parameters ``[W1, b1, ..., WL, bL]`` for a fully connected network.

    layer_sizes: e.g. (2, 16, 2): 2 inputs, one hidden layer of 16 units, 2 outputs.
    Kernels are He-normal, W_l ~ N(0, 2 / D_l) (suits ReLU; fine for tanh at this size);
    biases start at 0.  The same seed gives the same weights.
    """
    sizes = list(layer_sizes) if isinstance(layer_sizes, (list, tuple)) else []
    if len(sizes) < 2:
        raise ValueError(
            f"init_mlp(layer_sizes={layer_sizes!r}): give at least two positive sizes, "
            "inputs first and outputs last, e.g. (2, 16, 2)."
        )
    sizes = [_checks.count(s, f"init_mlp(layer_sizes=...)[{i}]") for i, s in enumerate(sizes)]
    rng = np.random.default_rng(_checks.seed(seed, "init_mlp(seed=...)"))
    params = []
    for d_in, d_out in zip(sizes[:-1], sizes[1:]):
        params.append((rng.standard_normal((d_in, d_out)) * np.sqrt(2.0 / d_in)).astype(
            config.dtype()))
        params.append(np.zeros(d_out, dtype=config.dtype()))
    return params


def mlp(activation="relu", functions=None):
    """The model protocol pair ``(loss_and_grads, predict)`` for an MLP.

    Hidden layers: ``dense`` then ``activation`` ('relu', 'tanh', 'sigmoid' or 'linear').
    Output layer: ``dense`` giving logits z: (N, K); the loss is sparse categorical
    cross-entropy from logits, L = -1/N sum_n log softmax(z_n)[y_n].

    functions: optional dict replacing reference functions by name, e.g.
        {"dense_backward": f, "relu_forward": g, "relu_backward": h,
         "sparse_categorical_crossentropy_from_logits_grad": k}
    Any name of ``backprop_lab.functional`` used here may be given.  Each must keep the
    reference signature (see ``functional``).
    """
    if activation not in HIDDEN_ACTIVATIONS:
        raise _checks.unknown_name("activation", activation, HIDDEN_ACTIVATIONS,
                                   "mlp(activation=...)")
    chosen = dict(functions or {})
    unknown = [name for name in chosen if not callable(getattr(F, name, None))]
    if unknown:
        raise ValueError(
            f"mlp(functions=...): {unknown} are not functions of backprop_lab.functional; "
            "use names like 'dense_forward' or 'relu_backward'."
        )

    def fn(name):
        return chosen.get(name, getattr(F, name))

    dense_forward, dense_backward = fn("dense_forward"), fn("dense_backward")
    act_forward = fn(activation + "_forward")
    act_backward = fn(activation + "_backward")
    loss_fn = fn("sparse_categorical_crossentropy_from_logits")
    loss_grad = fn("sparse_categorical_crossentropy_from_logits_grad")

    def forward(params, x):
        """Logits (N, K) and the caches of every layer, in order."""
        caches = []
        a = x
        n_layers = len(params) // 2
        for layer in range(n_layers):
            W, b = params[2 * layer], params[2 * layer + 1]
            z, dense_cache = dense_forward(a, W, b)
            if layer < n_layers - 1:
                a, act_cache = act_forward(z)
            else:
                a, act_cache = z, None  # the last layer gives logits
            caches.append((dense_cache, act_cache))
        return a, caches

    def loss_and_grads(params, x, y):
        logits, caches = forward(params, x)
        loss = float(loss_fn(y, logits))
        grads = [None] * len(params)
        d = loss_grad(y, logits)  # dL/dz of the last layer
        for layer in reversed(range(len(caches))):
            dense_cache, act_cache = caches[layer]
            if act_cache is not None:
                d = act_backward(d, act_cache)
            d, dW, db = dense_backward(d, dense_cache)
            grads[2 * layer], grads[2 * layer + 1] = dW, db
        return loss, grads

    def predict(params, x):
        return forward(params, x)[0]

    return loss_and_grads, predict


def hidden_outputs(params, x, activation="relu"):
    """The output of every hidden layer of an MLP, for inputs x.

    params: ``[W1, b1, ..., WL, bL]`` as for ``mlp``; x: (N, D).
    Returns a list of L - 1 arrays, a_l = activation(a_{l-1} W_l + b_l) of shape (N, M_l)
    (the output layer is left out).  Computed with the reference formulas.
    """
    a = np.asarray(x, dtype=np.float64)
    forward = F.ACTIVATIONS[activation][0]
    outputs = []
    with np.errstate(all="ignore"):
        for layer in range(len(params) // 2 - 1):
            a = forward(a @ params[2 * layer] + params[2 * layer + 1])[0]
            outputs.append(a)
    return outputs


def dead_units(outputs):
    """Count the dead ReLU units: ``(dead, total)``.

    outputs: a list of ReLU layer outputs, each (N, M) (see ``hidden_outputs``).
    A unit (a column) is dead when it outputs 0 for every one of the N inputs: its
    pre-activation z = x w + b is <= 0 everywhere, so relu'(z) = 0 and every gradient
    through it, dL/dw and dL/db included, is 0.  Gradient descent cannot bring it back.
    """
    dead = sum(int(np.sum(np.all(a == 0, axis=0))) for a in outputs)
    total = sum(int(np.shape(a)[1]) for a in outputs)
    return dead, total


# --------------------------------------------------------------------------------------
# A Keras-style Sequential in the model protocol
# --------------------------------------------------------------------------------------
class SequentialModelFn:
    """The model protocol for a ``backprop_lab.models.Sequential`` (see ``from_sequential``).

    Calling it, ``model_fn(n_features, n_classes, seed)``, returns ``(params,
    loss_and_grads, predict)``; ``relu_outputs(params, x)`` gives the outputs of the
    model's ReLU layers (for ``dead_units``); ``optimizer`` is the model's compiled
    optimizer (None when it is not compiled).
    """

    def __init__(self, model):
        from .models import Sequential

        if not isinstance(model, Sequential):
            raise TypeError(
                f"from_sequential(model): expected a backprop_lab.models.Sequential, got "
                f"{type(model).__name__}. For a model of your own, write model_fn "
                "yourself (see backprop_lab.train_loop)."
            )
        if not model.layers:
            raise ValueError(
                "from_sequential(model): the model has no layers. Add some first, e.g. "
                "model.add(Dense(16, activation='relu', input_dim=2))."
            )
        self.model = model
        self._copy = None
        self.optimizer = model.optimizer  # the compiled one (None: plain SGD is used)

    def __call__(self, n_features, n_classes, seed=0):
        net = copy.deepcopy(self.model)  # the learner's model is never touched
        if net.input_features is not None and net.input_features != n_features:
            raise ValueError(
                f"the model expects {net.input_features} input features but the data has "
                f"{n_features} columns; build it with input_dim={n_features}."
            )
        if not net.built:
            # Draw the weights as the model itself would, then put the library's random
            # generator back where it was, so later cells see the same random numbers.
            from . import utils

            saved = utils.rng().bit_generator.state
            try:
                net.build((None, n_features))
            finally:
                utils.rng().bit_generator.state = saved
        units = net.output_units
        last = getattr(net.layers[-1], "activation", "linear")
        if net.loss is None:
            net.compile(optimizer="sgd", loss=self._default_loss(last, units, n_classes))
        elif not (units == n_classes or (units == 1 and n_classes == 2)):
            raise ValueError(
                f"the model has {units} output unit(s) but the data has {n_classes} "
                f"classes: give the last layer {n_classes} units (or 1 sigmoid unit for "
                "two classes)."
            )
        self._copy = net
        self.optimizer = net.optimizer
        one_hot = units > 1 and net.loss.key != "sparse_categorical_crossentropy"
        logits = last != "sigmoid"  # (one output unit) a logit rather than a probability

        def targets(y):
            return np.eye(units)[y] if one_hot else y

        def loss_and_grads(params, x, y):
            net.set_weights(params)
            loss, grads = net.loss_and_gradients(x, targets(y))
            return float(loss), [np.array(g, dtype=np.float64) for g in grads]

        def predict(params, x):
            net.set_weights(params)
            scores = net(x)
            if units == 1:  # one output: class 1 where p > 0.5 (or the logit > 0)
                s = scores - (0.0 if logits else 0.5)
                scores = np.concatenate([-s, s], axis=1)
            return scores

        return net.get_weights(), loss_and_grads, predict

    @staticmethod
    def _default_loss(last, units, n_classes):
        """The loss for class labels 0..n_classes-1, from the last layer's activation."""
        from . import losses

        if units == 1 and n_classes == 2 and last in ("sigmoid", "linear"):
            return losses.BinaryCrossentropy(from_logits=last == "linear")
        if units == n_classes and last in ("softmax", "linear"):
            return losses.SparseCategoricalCrossentropy(from_logits=last == "linear")
        raise ValueError(
            f"the model is not compiled and its last layer ({units} unit(s), activation "
            f"{last!r}) does not fit {n_classes} classes: end it with "
            f"Dense({n_classes}, activation='softmax') (or Dense(1, activation='sigmoid') "
            "for two classes), or compile it with the loss you want."
        )

    def relu_outputs(self, params, x):
        """The outputs (N, M) of every ReLU layer but the last layer, for inputs x."""
        net = self._copy
        if net is None:
            return []
        net.set_weights(params)
        outputs, a = [], np.asarray(x, dtype=net.layers[0].dtype)
        with np.errstate(all="ignore"):
            for layer in net.layers[:-1]:
                a = layer.forward(a)
                if getattr(layer, "activation", None) == "relu":
                    outputs.append(a)
        return outputs


def from_sequential(model):
    """Turn a ``backprop_lab.models.Sequential`` into a ``model_fn`` for the explorer.

        explorer = LearningRateExplorer(model_fn=from_sequential(model))
        # or simply LearningRateExplorer(model=model)

    model: compiled or not, built or not.  ``model_fn(n_features, n_classes, seed)``
    returns ``(params, loss_and_grads, predict)``:
        params          ``model.get_weights()`` when called (the starting point of every
                        run); an unbuilt model is built with n_features inputs, drawing
                        its weights as the model would (the random stream is restored)
        loss_and_grads  ``set_weights(params)``, then ``loss_and_gradients(x, y)``
        predict         (N, K) scores; one sigmoid output p becomes [0.5 - p, p - 0.5]
    All of it runs on a private copy (``copy.deepcopy``): your model's weights, compile
    settings and optimizer are never changed.  The loss is the model's own if compiled
    (labels are one-hot encoded for losses that need it), else sparse categorical
    cross-entropy for a softmax output, binary cross-entropy for one sigmoid unit (from
    logits for a linear last layer).  ``model_fn.optimizer`` is the model's compiled
    optimizer (or None): ``train(..., optimizer=model_fn.optimizer)`` trains with a fresh
    one of the same kind and settings, at the learning rate it is given.
    """
    return SequentialModelFn(model)


# --------------------------------------------------------------------------------------
# Training
# --------------------------------------------------------------------------------------
def check_model_output(params, loss, grads):
    """Check one ``loss_and_grads`` result; return a message naming the problem, or None."""
    if not isinstance(grads, (list, tuple)) or len(grads) != len(params):
        return (f"loss_and_grads must return (loss, grads) with one gradient per "
                f"parameter ({len(params)}), got {type(grads).__name__}"
                f"{' of length %d' % len(grads) if isinstance(grads, (list, tuple)) else ''}.")
    for i, (w, g) in enumerate(zip(params, grads)):
        g_shape = np.shape(g)
        if g_shape != w.shape:
            return (f"grads[{i}] has shape {g_shape} but params[{i}] has shape "
                    f"{w.shape}; each gradient must have its parameter's shape.")
    try:
        float(loss)
    except (TypeError, ValueError):
        return f"the loss must be a number, got {type(loss).__name__}."
    return None


def make_optimizer(learning_rate, momentum=0.0, optimizer=None):
    """The optimizer ``train`` updates the weights with, fresh (no state yet).

    optimizer: None for ``optimizers.SGD(learning_rate, momentum)``; or an ``Optimizer``
    object (a model's compiled one, say), of which a new one of the same kind and
    settings is made, with this learning rate.  The given object is not changed.
    """
    from . import optimizers

    _checks.positive_float(learning_rate, "train(learning_rate=...)", "0.1")
    if optimizer is None:
        return optimizers.SGD(learning_rate=learning_rate, momentum=momentum)
    if not isinstance(optimizer, optimizers.Optimizer):
        raise TypeError(f"train(optimizer=...): expected a backprop_lab optimizer such as "
                        f"SGD(momentum=0.9), got {optimizer!r}."
                        + _checks.class_hint(optimizer))
    fresh = optimizers.deserialize(optimizers.serialize(optimizer))
    fresh.learning_rate = learning_rate
    return fresh


def train(params, loss_and_grads, x, y, learning_rate, epochs, batch_size=None,
          momentum=0.0, seed=0, optimizer=None):
    """Train with (mini-batch) gradient descent; never raises on NaN or overflow.

    params: list of arrays (not modified; a trained copy is returned).
    x: (N, D); y: (N,) integer labels.
    batch_size: None means the whole set each step (full-batch gradient descent).
    momentum: 0 is plain gradient descent; otherwise v <- momentum v - lr g; w <- w + v.
    optimizer: None, or an optimizer object whose kind and settings to use instead of
        plain SGD (see ``make_optimizer``; momentum is then ignored).  Every update is
        ``optimizer.apply``, so the rules are those of ``functional``.
    seed: the order of the mini-batches.

    Returns a dict of plain data:
        'params'         the parameters after the last finite step
        'losses'         (epochs_run,) the loss of each epoch, as Keras reports it: the
                         mean of the batch losses weighted by batch size (a short last
                         batch counts less), each computed just before its update
                         (stops at the first non-finite or exploded value)
        'initial_loss'   the loss on all of x before the first update (for full batches
                         the same number as losses[0]; nan if it could not be computed)
        'final_loss'     the loss on all of x after the last update (nan if diverged)
        'update_ratios'  (steps, n_params) ||w_new - w|| / ||w|| of every parameter
                         array at every step (for w = 0, just ||w_new - w||); for plain
                         gradient descent that is ||lr * grad|| / ||w||
        'diverged'       True if the loss or a weight became non-finite, or the loss
                         exceeded EXPLODED_LOSS
        'error'          None, or a message saying how the model's functions failed
    """
    opt = make_optimizer(learning_rate, momentum, optimizer)
    epochs = _checks.positive_int(epochs, "train(epochs=...)")
    n = x.shape[0]
    batch = n if batch_size is None else max(1, min(int(batch_size), n))
    rng = np.random.default_rng(seed)
    params = [np.array(w, copy=True) for w in params]  # updated in place from here on
    losses, ratios = [], []
    diverged, error, checked = False, None, False
    initial_loss = final_loss = float("nan")

    # Overflow, 0 * inf and the like are expected when the learning rate is too large;
    # they are detected below from the values, so numpy must not warn about them.
    with np.errstate(all="ignore"):
        try:
            if batch < n:  # the loss on all of x before any update (with mini-batches
                # the first epoch's mean loss is taken during that epoch's updates)
                loss, grads = loss_and_grads(params, x, y)
                error = check_model_output(params, loss, grads)
                if error:
                    return _result(params, losses, initial_loss, final_loss, ratios, False,
                                   error)
                checked, initial_loss = True, float(loss)
            for _epoch in range(epochs):
                order = rng.permutation(n) if batch < n else np.arange(n)
                batch_losses, batch_sizes = [], []
                for start in range(0, n, batch):
                    idx = order[start:start + batch]
                    loss, grads = loss_and_grads(params, x[idx], y[idx])
                    if not checked:
                        error = check_model_output(params, loss, grads)
                        if error:
                            return _result(params, losses, initial_loss, final_loss, ratios,
                                           False, error)
                        checked = True
                    loss = float(loss)
                    if not np.isfinite(loss) or loss > EXPLODED_LOSS:
                        diverged = True
                        break
                    batch_losses.append(loss)
                    batch_sizes.append(len(idx))
                    step_ratios = _update(opt, params, grads)
                    if step_ratios is None:
                        diverged = True
                        break
                    ratios.append(step_ratios)
                if batch_losses:
                    losses.append(_epoch_mean(batch_losses, batch_sizes))
                if diverged:
                    break
            if batch == n and losses:
                initial_loss = losses[0]
            if not diverged:
                final_loss = float(loss_and_grads(params, x, y)[0])
                if not np.isfinite(final_loss) or final_loss > EXPLODED_LOSS:
                    diverged, final_loss = True, float("nan")
        except Exception as exc:  # a learner's function failed: report it, do not crash
            error = describe_exception(exc)
    return _result(params, losses, initial_loss, final_loss, ratios, diverged, error)


def _update(optimizer, params, grads):
    """One update of ``params`` in place; returns ||w_new - w|| / ||w|| for each array, or
    None when a step is not finite (a new weight is not: the old ones were), after
    putting every array back as it was (training keeps the last finite step)."""
    before = [w.copy() for w in params]
    optimizer.apply([np.asarray(g, dtype=w.dtype) for g, w in zip(grads, params)], params)
    steps = [_norm(w - w0) for w, w0 in zip(params, before)]
    if not all(math.isfinite(s) for s in steps):
        for w, w0 in zip(params, before):
            w[...] = w0
        return None
    return [_ratio_of_norms(s, _norm(w0)) for s, w0 in zip(steps, before)]


def _epoch_mean(batch_losses, batch_sizes):
    """The epoch's loss as Keras reports it: batch losses weighted by batch size."""
    if len(batch_losses) == 1:  # full batch: the mean of one number
        return batch_losses[0]
    return float(np.average(batch_losses, weights=batch_sizes))


#: Thresholds of ``classify_regime`` (module constants so that a notebook can show them).
TOO_SLOW_FRACTION = 0.5     # 'too slow' if the loss ends above this share of its start
RISING_EPOCHS = 0.15        # 'oscillating' if the loss rose in more than this share
SPIKE_FACTOR = 1.5          # ... or at some point exceeded this multiple of its start


def classify_regime(losses, final_loss=None, diverged=False, initial_loss=None):
    """Name what a learning rate did, from the loss of each epoch.

    losses: (E,) losses, the first one before (or during) the first update.
    final_loss: the loss after the last update, if known (appended to losses).
    initial_loss: the loss before any update, if known: then it, not losses[0], is the
        start that the rules below compare with.  (With mini-batches the first epoch's
        mean loss is taken during the first epoch's updates, so a learning rate that
        wrecks the network in its first few steps already shows in losses[0].)
    Returns one of:
        'diverging'    the loss became non-finite or huge, or its recent level (the median
                       of the last 10% of epochs) is not below where it started
        'oscillating'  the loss still fell overall, but rose in more than 15% of the epochs
                       or spiked above 1.5 times its start: the steps overshoot
        'too slow'     the loss fell steadily but ended above half its start
        'good'         otherwise: a steady fall to below half the start
    """
    curve = [float(v) for v in losses]
    if final_loss is not None:
        curve.append(float(final_loss))
    curve = np.array(curve, dtype=np.float64)
    if diverged or curve.size == 0 or not np.all(np.isfinite(curve)):
        return "diverging"
    if curve.size < 2:
        return "too slow"
    start = curve[0]
    if initial_loss is not None and np.isfinite(initial_loss):
        start = float(initial_loss)
    recent = np.median(curve[-max(1, curve.size // 10):])
    if recent >= start:
        return "diverging"
    rises = np.diff(curve) > 0
    if rises.mean() > RISING_EPOCHS or curve.max() > SPIKE_FACTOR * start:
        return "oscillating"
    if curve[-1] > TOO_SLOW_FRACTION * start:
        return "too slow"
    return "good"


def describe_exception(exc):
    """'ValueError in dense_backward(): <message>': the error and the innermost Python
    function it came from (usually the learner's own function)."""
    import traceback

    frames = traceback.extract_tb(exc.__traceback__)
    where = f" in {frames[-1].name}()" if frames else ""
    return f"{type(exc).__name__}{where}: {exc}"


def _norm(a):
    """||a||, the Euclidean norm of every entry (as np.linalg.norm, with less overhead)."""
    flat = a.reshape(-1)
    return math.sqrt(float(np.dot(flat, flat)))


def _ratio_of_norms(norm_step, norm_w):
    """||step|| / ||w||; for w = 0 (biases start at 0) the ratio is undefined: the step
    size itself."""
    return norm_step if norm_w == 0.0 else norm_step / norm_w


def _result(params, losses, initial_loss, final_loss, ratios, diverged, error):
    return {
        "params": params,
        "losses": np.array(losses, dtype=np.float64),
        "initial_loss": float(initial_loss),
        "final_loss": float(final_loss),
        "update_ratios": np.array(ratios, dtype=np.float64).reshape(len(ratios), len(params)),
        "diverged": bool(diverged),
        "error": error,
    }


def accuracy(predict, params, x, y):
    """Share of rows whose highest score is the true label (a float in [0, 1])."""
    with np.errstate(all="ignore"):
        scores = np.asarray(predict(params, x))
    return float(np.mean(np.argmax(scores, axis=1) == y))


# --------------------------------------------------------------------------------------
# A quick gradient check of a whole model (central differences, from gradcheck)
# --------------------------------------------------------------------------------------
def gradient_check(params, loss_and_grads, x, y, h=1e-5):
    """Compare the model's gradients with central differences of its loss.

    Every entry of every parameter is nudged (see ``gradcheck.numerical_gradient``), so
    keep the model and x small (a 2-16-2 network on 200 points takes a few ms).
    Returns ``gradcheck.rel_error`` between all analytic and all numerical gradients
    together: about 1e-7 or less when the gradients are right (up to about 1e-4 when a
    ReLU kink is crossed), of order 1 when they are wrong; inf if anything is not finite.
    """
    from .gradcheck import numerical_gradient, rel_error

    params = [np.array(w, dtype=np.float64, copy=True) for w in params]
    with np.errstate(all="ignore"):
        _, grads = loss_and_grads(params, x, y)
        analytic, numeric = [], []
        for w, g in zip(params, grads):
            numeric.append(numerical_gradient(lambda _w: loss_and_grads(params, x, y)[0], w, h))
            analytic.append(np.asarray(g, dtype=np.float64).reshape(w.shape))
        return rel_error(np.concatenate([a.ravel() for a in analytic]),
                         np.concatenate([n.ravel() for n in numeric]))
