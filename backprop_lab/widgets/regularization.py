"""``RegularizationExplorer``: a small network on a few noisy points, with a dropout-rate
and an L2 slider, and the gap between the training and the held-out loss."""
import numpy as np

from .. import callbacks, datasets, initializers, plots, regularizers
from ..i18n import _
from ..layers import Dense, Dropout
from ..models import Sequential
from ..optimizers import Adam
from ._app import _App, _check_number, _new_figure


def _cross_entropy(model, x, y):
    """The loss without the penalties, in inference mode (what generalisation is about)."""
    return float(model.loss(y, model.predict(x, batch_size=len(x), verbose=0)))


class RegularizationExplorer(_App):
    """Train a wide network on few noisy points and watch it overfit, or not.

    Data: 40 training points of two noisy moons and 400 held-out points from the same
    distribution (seeded).  Model: 2 -> 32 -> 32 -> 2 (ReLU, softmax; ``hidden_units``), each hidden
    layer with an L2 penalty ``l2`` on its kernel and followed by ``Dropout(dropout)``;
    Adam (learning rate 0.01), full batch, the same initial weights and masks every time.

    Controls (names for ``set``): dropout (0 .. 0.8), l2 (0, or 1e-5 .. 1e-1, log),
    epochs (20 .. 600; 200 by default).  A setting retrains the network (about 0.1 s, more
    on a busy machine), so the sliders apply when released, not at every step of a drag.

    ``state``: the settings; train_loss and held_out_loss (the cross-entropy without the
    penalty, in inference mode), gap = held_out_loss - train_loss, train_accuracy,
    held_out_accuracy, kernel_norm (the sum of the squared kernel weights), and the
    curves: epochs, train_losses, held_out_losses (every 10th epoch).
    """

    def __init__(self, dropout=0.0, l2=0.0, epochs=200, hidden_units=32, seed=0):
        super().__init__({"dropout": dropout, "l2": l2, "epochs": epochs})
        for name in list(self.values):
            self.values[name] = self._validate(name, self.values[name])
        self.hidden_units = _check_number("RegularizationExplorer", "hidden_units",
                                          hidden_units, 1, 1024, integer=True)
        self.seed = seed
        self.x, self.y = datasets.moons(n_samples=40, noise=0.3, seed=seed)
        self.x_held, self.y_held = datasets.moons(n_samples=400, noise=0.3, seed=seed + 1)
        self._build_figure()
        self._refresh()

    def _validate(self, name, value):
        owner = "RegularizationExplorer"
        if name == "dropout":
            return _check_number(owner, name, value, 0.0, 0.8)
        if name == "l2":
            return _check_number(owner, name, value, 0.0, 1.0)
        return _check_number(owner, name, value, 1, 5000, integer=True)  # epochs

    def model(self):
        """The network for the current settings, compiled, with its seeded weights."""
        v = self.values
        penalty = regularizers.l2(v["l2"]) if v["l2"] > 0 else None

        def start(k):  # seeded initial weights, without touching the library's generator
            return initializers.GlorotUniform(seed=self.seed + k)

        model = Sequential([
            Dense(self.hidden_units, activation="relu", input_dim=2,
                  kernel_initializer=start(0), kernel_regularizer=penalty),
            Dropout(v["dropout"], seed=self.seed),
            Dense(self.hidden_units, activation="relu", kernel_initializer=start(1),
                  kernel_regularizer=penalty),
            Dropout(v["dropout"], seed=self.seed + 1),
            Dense(2, activation="softmax", kernel_initializer=start(2))])
        model.compile(loss="sparse_categorical_crossentropy", optimizer=Adam(0.01),
                      metrics=["accuracy"])
        return model

    def _compute(self):
        model = self.model()
        epochs, train, held = [], [], []

        def record(epoch, logs):
            if epoch % 10 == 9 or epoch == 0:
                epochs.append(epoch + 1)
                train.append(_cross_entropy(model, self.x, self.y))
                held.append(_cross_entropy(model, self.x_held, self.y_held))

        model.fit(self.x, self.y, epochs=self.values["epochs"], batch_size=len(self.x),
                  shuffle=False, verbose=0,
                  callbacks=[callbacks.LambdaCallback(on_epoch_end=record)])
        self.trained = model
        train_loss = _cross_entropy(model, self.x, self.y)
        held_loss = _cross_entropy(model, self.x_held, self.y_held)

        def accuracy(x, y):
            return float(np.mean(np.argmax(model.predict(x, verbose=0), axis=1) == y))

        self._state = dict(
            self.values, train_loss=train_loss, held_out_loss=held_loss,
            gap=held_loss - train_loss, train_accuracy=accuracy(self.x, self.y),
            held_out_accuracy=accuracy(self.x_held, self.y_held),
            kernel_norm=float(sum(np.sum(layer.kernel ** 2) for layer in model.layers
                                  if isinstance(layer, Dense))),
            epochs_recorded=epochs, train_losses=train, held_out_losses=held)

    def _build_figure(self):
        self.figure = fig = _new_figure(9.0, 3.6)
        self.ax_boundary, self.ax_loss = fig.subplots(1, 2)
        (self.train_line,) = self.ax_loss.plot([], [], "-", color="tab:blue",
                                               label=_("training (40 points)"))
        (self.held_line,) = self.ax_loss.plot([], [], "-", color="tab:orange",
                                              label=_("held out (400 points)"))
        self.ax_loss.set_xlabel(_("epoch"))
        self.ax_loss.set_ylabel(_("cross-entropy"))
        self.ax_loss.set_yscale("log")
        self.ax_loss.set_ylim(1e-3, 1.0)
        self.ax_loss.legend(loc="lower left", fontsize=8)
        self.ax_loss.grid(True, alpha=0.3)

    def _draw(self):
        s = self._state
        self.ax_boundary.cla()
        model = self.trained
        plots.plot_decision_boundary(lambda points: model.predict(points, len(points), 0),
                                     self.x, self.y, ax=self.ax_boundary, resolution=80,
                                     title=_("dropout {dropout:g}, L2 {l2:g}").format(
                                         dropout=s["dropout"], l2=s["l2"]))
        self.train_line.set_data(s["epochs_recorded"], s["train_losses"])
        self.held_line.set_data(s["epochs_recorded"], s["held_out_losses"])
        values = np.array(s["train_losses"] + s["held_out_losses"])
        values = values[np.isfinite(values) & (values > 0)]
        if values.size:
            self.ax_loss.set_ylim(values.min() / 2, values.max() * 2)
        self.ax_loss.set_xlim(0, s["epochs"])
        self.ax_loss.set_title(_("gap (held out - training): {gap:.3f}").format(gap=s["gap"]))

    def _make_controls(self, widgets):
        style = {"description_width": "initial"}
        return {
            "dropout": widgets.FloatSlider(value=self.values["dropout"], min=0, max=0.8,
                                           step=0.05, description=_("dropout rate"),
                                           continuous_update=False, style=style),
            "l2": widgets.SelectionSlider(
                options=[0.0, 1e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1],
                value=self._nearest_l2(self.values["l2"]), description=_("L2 strength"),
                continuous_update=False, style=style),
            "epochs": widgets.IntSlider(value=self.values["epochs"], min=20, max=600,
                                        step=20, description=_("epochs"),
                                        continuous_update=False, style=style),
        }

    @staticmethod
    def _nearest_l2(value):
        options = [0.0, 1e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1]
        return min(options, key=lambda o: abs(o - value))

    def _control_value(self, name):
        if name == "l2":
            return self._nearest_l2(self.values["l2"])
        return self.values[name]

    def _summary(self):
        s = self._state
        return _("training loss {train_loss:.3f}, held-out loss {held_out_loss:.3f}: "
                 "<b>gap {gap:.3f}</b>; accuracy {train_accuracy:.0%} on training, "
                 "{held_out_accuracy:.0%} held out").format(**s)
