"""A Keras-style ``Sequential`` seen through the model protocol (``from_sequential``)."""
import copy

import numpy as np

from ..i18n import _


class SequentialModelFn:
    """The model protocol for a ``backprop_lab.models.Sequential`` (see ``from_sequential``).

    Calling it, ``model_fn(n_features, n_classes, seed)``, returns ``(params,
    loss_and_grads, predict)``; ``relu_outputs(params, x)`` gives the outputs of the
    model's ReLU layers (for ``dead_units``); ``optimizer`` is the model's compiled
    optimizer (None when it is not compiled).
    """

    def __init__(self, model):
        from ..models import Sequential

        if not isinstance(model, Sequential):
            raise TypeError(
                _("from_sequential(model): expected a backprop_lab.models.Sequential, got "
                  "{type_name}. For a model of your own, write model_fn "
                  "yourself (see backprop_lab.train_loop).").format(type_name=type(model).__name__)
            )
        if not model.layers:
            raise ValueError(
                _("from_sequential(model): the model has no layers. Add some first, e.g. "
                  "model.add(Dense(16, activation='relu', input_dim=2)).")
            )
        self.model = model
        self._copy = None
        self.optimizer = model.optimizer  # the compiled one (None: plain SGD is used)

    def __call__(self, n_features, n_classes, seed=0):
        net = copy.deepcopy(self.model)  # the learner's model is never touched
        if net.input_features is not None and net.input_features != n_features:
            raise ValueError(
                _("the model expects {expected} input features but the data has "
                  "{features} columns; build it with input_dim={features}.").format(
                      expected=net.input_features, features=n_features)
            )
        if not net.built:
            # Draw the weights as the model itself would, then put the library's random
            # generator back where it was, so later cells see the same random numbers.
            from .. import utils

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
                _("the model has {units} output unit(s) but the data has {n_classes} "
                  "classes: give the last layer {n_classes} units (or 1 sigmoid unit for "
                  "two classes).").format(units=units, n_classes=n_classes)
            )
        self._copy = net
        self.optimizer = net.optimizer
        one_hot = units > 1 and net.loss.key != "sparse_categorical_crossentropy"
        logits = last != "sigmoid"  # (one output unit) a logit rather than a probability

        def targets(y):
            return np.eye(units)[y] if one_hot else y

        def loss_and_grads(params, x, y):
            _set_trainable(net, params)
            loss, grads = net.loss_and_gradients(x, targets(y))
            return float(loss), [np.array(g, dtype=np.float64) for g in grads]

        def predict(params, x):
            _set_trainable(net, params)
            scores = net(x)
            if units == 1:  # one output: class 1 where p > 0.5 (or the logit > 0)
                s = scores - (0.0 if logits else 0.5)
                scores = np.concatenate([-s, s], axis=1)
            return scores

        return _trainable_copy(net), loss_and_grads, predict

    @staticmethod
    def _default_loss(last, units, n_classes):
        """The loss for class labels 0..n_classes-1, from the last layer's activation."""
        from .. import losses

        if units == 1 and n_classes == 2 and last in ("sigmoid", "linear"):
            return losses.BinaryCrossentropy(from_logits=last == "linear")
        if units == n_classes and last in ("softmax", "linear"):
            return losses.SparseCategoricalCrossentropy(from_logits=last == "linear")
        raise ValueError(
            _("the model is not compiled and its last layer ({units} unit(s), activation "
              "{activation!r}) does not fit {n_classes} classes: end it with "
              "Dense({n_classes}, activation='softmax') (or Dense(1, activation='sigmoid') "
              "for two classes), or compile it with the loss you want.").format(
                  units=units, activation=last, n_classes=n_classes)
        )

    def relu_outputs(self, params, x):
        """The outputs (N, M) of every ReLU layer but the last layer, for inputs x."""
        net = self._copy
        if net is None:
            return []
        _set_trainable(net, params)
        outputs, a = [], np.asarray(x, dtype=net.layers[0].dtype)
        with np.errstate(all="ignore"):
            for layer in net.layers[:-1]:
                a = layer.forward(a)
                if getattr(layer, "activation", None) == "relu":
                    outputs.append(a)
        return outputs


def _trainable_copy(net):
    """Copies of the arrays the optimizer trains, in the order of the model's gradients
    (moving statistics of BatchNormalization are not among them)."""
    return [w.copy() for layer in net.layers for w in layer.trainable_weights]


def _set_trainable(net, params):
    """Copy ``params`` (as from ``_trainable_copy``) into the model's trainable arrays;
    the moving statistics keep what training put there."""
    arrays = [w for layer in net.layers for w in layer.trainable_weights]
    if len(arrays) != len(params):
        raise ValueError(_("expected {n} parameter arrays (the model's trainable "
                           "weights), got {given}.").format(n=len(arrays), given=len(params)))
    for target, value in zip(arrays, params):
        np.copyto(target, value)


def from_sequential(model):
    """Turn a ``backprop_lab.models.Sequential`` into a ``model_fn`` for the explorer.

        explorer = LearningRateExplorer(model_fn=from_sequential(model))
        # or simply LearningRateExplorer(model=model)

    model: compiled or not, built or not.  ``model_fn(n_features, n_classes, seed)``
    returns ``(params, loss_and_grads, predict)``:
        params          copies of the trainable weights when called (the starting point
                        of every run; a BatchNormalization's moving statistics stay in
                        the private copy); an unbuilt model is built with n_features inputs, drawing
                        its weights as the model would (the random stream is restored)
        loss_and_grads  the params put in, then ``loss_and_gradients(x, y)``
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
