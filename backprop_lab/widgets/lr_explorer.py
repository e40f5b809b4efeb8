"""``LearningRateExplorer``: train a small network live and see what the learning rate
does to it."""
import html

import numpy as np

from .. import datasets, plots
from .. import train_loop as tl
from ..gradcheck import SUSPICIOUS_ABOVE
from ..i18n import _, ngettext
from ._app import _App, _check_number, _new_figure, regime_label


class LearningRateExplorer(_App):
    """Train a small network live and see what the learning rate does to it.

    Default problem: 200 points of two spirals (seeded), a 2-16-2 ReLU network,
    100 epochs of full-batch gradient descent, sparse categorical cross-entropy.
    Every change re-trains from the same initial weights (seeded), so a setting
    always gives the same picture.

    Controls (names for ``set``): learning_rate (1e-4 .. 10, log scale), epochs
    (10 .. 300), batch_size (None = full batch, or 8, 16, 32, 64).

    ``state``:
        learning_rate, epochs, batch_size   the settings
        regime         'too slow' | 'good' | 'oscillating' | 'diverging' | 'error'
                       (see ``train_loop.classify_regime``)
        message        one sentence explaining the regime
        losses         per-epoch training losses (stops where training diverged)
        initial_loss   the loss before training (the start the regime is judged from)
        final_loss     the loss after training (nan if diverged)
        accuracy       training accuracy of the final (last finite) weights
        diverged       True if the loss or a weight became non-finite or exploded
        update_ratios  {'W1': r, 'W2': r, ...}: ||learning_rate * dW|| / ||W|| of the
                       first update, for each weight matrix (at the same start it grows
                       in proportion to the learning rate); about 1e-3 is the usual rule
                       of thumb, 1e-1 and above means big jumps
        largest_update_ratios  the same ratio, the largest over all updates
        dead_units     how many hidden ReLU units output 0 for every training input
                       after training (no gradient flows through them: they cannot learn
                       again); None when the model has no ReLU layer to look at
        hidden_units   how many hidden ReLU units there are (None likewise)
        gradient_check relative error of the model's gradients against central
                       differences (only for your own model with float64 weights; None
                       otherwise)
        error          None, or what went wrong in your functions

    (Why not the median ratio over all updates?  Once every ReLU unit is dead the
    kernels' gradients are exactly 0, so after a few huge first steps the median is 0,
    which says "tiny steps" about a run that diverged.)

    Your own model (three ways):

    * ``functions={"dense_backward": my_dense_backward, ...}``: any functions of
      ``backprop_lab.functional`` by name, with the same signatures
      (``dense_forward(x, W, b) -> (z, cache)``, ``dense_backward(dz, cache) ->
      (dx, dW, db)``, ``relu_forward(z) -> (a, cache)``, ``relu_backward(da, cache) ->
      dz``, ``sparse_categorical_crossentropy_from_logits(labels, z)`` and its
      ``_grad``).  The explorer builds the same 2-16-2 network from them.
    * ``model_fn(n_features, n_classes, seed) -> (params, loss_and_grads, predict)``:
      the model protocol of ``backprop_lab.train_loop`` (params a list of arrays;
      ``loss_and_grads(params, x, y) -> (loss, grads)``; ``predict(params, x) -> (N, K)
      scores``).  The explorer does the updates, ``w <- w - lr * dw``.  If model_fn also
      has a method ``relu_outputs(params, x) -> [(N, M), ...]`` (the outputs of its
      hidden ReLU layers), the explorer reports dead units; if it has an ``optimizer``
      attribute (an optimizer object), the explorer trains with one of that kind.
    * ``model=my_sequential``: a Keras-style ``backprop_lab.models.Sequential`` with 2
      inputs, compiled or not (see ``train_loop.from_sequential``).  Every run starts
      from the model's weights at the time the explorer was made, full batch or the
      chosen batch size, with the model's compiled optimizer (a fresh one of the same
      kind and settings: SGD, momentum, Adam, ...) at the slider's learning rate, or
      plain gradient descent if the model is not compiled.  The explorer works on a copy:
      your model's weights and settings are not changed.  ``hidden_units`` and ``activation`` are
      ignored (the model has its own).

    With your own model, the explorer first compares its gradients with finite
    differences and says so if they disagree; if your functions raise, the regime is
    'error' and the message quotes the exception, instead of a traceback.
    """

    BATCH_CHOICES = (None, 8, 16, 32, 64)

    def __init__(self, data=None, learning_rate=0.3, epochs=100, batch_size=None,
                 hidden_units=16, activation="relu", functions=None, model_fn=None,
                 model=None, seed=0):
        super().__init__({
            "learning_rate": learning_rate,
            "epochs": epochs,
            "batch_size": batch_size,
        })
        for name in list(self.values):
            self.values[name] = self._validate(name, self.values[name])
        given = [name for name, value in (("functions", functions), ("model_fn", model_fn),
                                          ("model", model)) if value is not None]
        if len(given) > 1:
            raise ValueError(
                _("LearningRateExplorer: give one of functions=..., model_fn=... or "
                  "model=..., not both {first}= and {second}=.").format(first=given[0],
                                                                      second=given[1])
            )
        if model is not None:
            model_fn = tl.from_sequential(model)
        if data is None:
            data = datasets.spirals(n_samples=200, n_classes=2, noise=0.2, seed=seed)
        self.x, self.y = self._check_data(data)
        self.n_classes = int(max(self.y.max() + 1, 2))
        self.seed = seed
        self.custom = functions is not None or model_fn is not None
        self._setup_error = None
        self.gradient_error = None
        self._relu_outputs = None  # f(params, x) -> outputs of the hidden ReLU layers
        self.optimizer = None  # None: plain gradient descent (optimizers.SGD)
        checkable = True
        if model_fn is not None:
            try:
                made = model_fn(self.x.shape[1], self.n_classes, seed)
                self.initial_params, self.loss_and_grads, self.predict = made
                # Finite differences need float64: a float32 model is not checked.
                checkable = all(np.asarray(w).dtype == np.float64
                                for w in self.initial_params)
                self.initial_params = [np.asarray(w, dtype=np.float64)
                                       for w in self.initial_params]
            except Exception as exc:
                if model is not None and isinstance(exc, ValueError):
                    # the model does not fit the data: bad input, not a bug to show
                    raise ValueError(_("LearningRateExplorer(model=...): {error}")
                                     .format(error=exc)) from None
                failed = (_("the model failed: {error}") if model is not None
                          else _("model_fn failed: {error}"))
                self._setup_error = failed.format(error=tl.describe_exception(exc))
                self.initial_params, self.loss_and_grads, self.predict = (
                    [], None, None)
            self._relu_outputs = getattr(model_fn, "relu_outputs", None)
            self.optimizer = getattr(model_fn, "optimizer", None)
        else:
            sizes = (self.x.shape[1], int(hidden_units), self.n_classes)
            self.initial_params = tl.init_mlp(sizes, seed=seed)
            self.loss_and_grads, self.predict = tl.mlp(activation, functions)
            if activation == "relu":
                self._relu_outputs = tl.hidden_outputs
        if self.custom and self._setup_error is None and checkable:
            self._check_gradients()
        self._build_figure()
        self._refresh()

    @staticmethod
    def _check_data(data):
        try:
            x, y = data
        except (TypeError, ValueError):
            raise ValueError(
                _("LearningRateExplorer(data=...): give a pair (X, y), e.g. "
                  "datasets.moons(200).")
            ) from None
        x = np.asarray(x, dtype=np.float64)
        y = np.asarray(y).reshape(-1).astype(np.int64)
        if x.ndim != 2 or x.shape[1] != 2 or len(x) != len(y):
            raise ValueError(
                _("LearningRateExplorer(data=(X, y)): X must have shape (N, 2) and y (N,) "
                  "labels; got {x_shape} and {y_shape}.").format(x_shape=x.shape,
                                                                y_shape=y.shape)
            )
        return x, y

    def _validate(self, name, value):
        owner = "LearningRateExplorer"
        if name == "learning_rate":
            return _check_number(owner, name, value, 1e-6, 100.0)
        if name == "epochs":
            return _check_number(owner, name, value, 1, 2000, integer=True)
        if name == "batch_size":
            if value is None or value == "full batch":
                return None
            return _check_number(owner, name, value, 1, 100000, integer=True)
        return value

    def _check_gradients(self):
        """Compare the model's gradients with finite differences on 20 points.

        The check runs near the initial weights, each entry moved by 0.01 * N(0, 1)
        (seeded): at the exact start the biases are 0, and an input row of zeros would
        put ReLUs exactly on their kink, where finite differences see half a slope.
        """
        probe_x, probe_y = self.x[:20], self.y[:20]
        rng = np.random.default_rng(self.seed)
        near = [w + 0.01 * rng.standard_normal(np.shape(w)) for w in self.initial_params]
        try:
            self.gradient_error = tl.gradient_check(
                near, self.loss_and_grads, probe_x, probe_y)
        except Exception as exc:
            self._setup_error = tl.describe_exception(exc)

    # ----- computing -----
    def _weight_names(self):
        """'W1', 'b1', 'W2', ... for a list of (W, b) arrays; 'p0', 'p1', ... otherwise."""
        names, layer = [], 0
        for w in self.initial_params:
            if np.ndim(w) == 2:
                layer += 1
                names.append(f"W{layer}")
            elif np.ndim(w) == 1 and layer:
                names.append(f"b{layer}")
            else:
                names.append(f"p{len(names)}")
        return names

    def _compute(self):
        v = self.values
        state = {
            "learning_rate": v["learning_rate"], "epochs": v["epochs"],
            "batch_size": v["batch_size"], "gradient_check": self.gradient_error,
        }
        if self._setup_error:
            state.update(regime="error", losses=[], initial_loss=float("nan"),
                         final_loss=float("nan"),
                         accuracy=float("nan"), diverged=False, update_ratios={},
                         largest_update_ratios={}, dead_units=None, hidden_units=None,
                         error=self._setup_error,
                         message=_("Your model failed: {error}").format(
                             error=self._setup_error))
            self._state, self._params = state, None
            return
        result = tl.train(self.initial_params, self.loss_and_grads, self.x, self.y,
                          v["learning_rate"], v["epochs"], v["batch_size"], seed=self.seed,
                          optimizer=self.optimizer)
        self._params = result["params"]
        losses = result["losses"]
        first, largest = self._ratios(result["update_ratios"])
        if result["error"]:
            regime = "error"
            dead = total = None
        else:
            regime = tl.classify_regime(losses, result["final_loss"], result["diverged"],
                                        result["initial_loss"])
            dead, total = self._dead_units()
        state.update(
            regime=regime,
            losses=[float(x) for x in losses],
            initial_loss=result["initial_loss"],
            final_loss=result["final_loss"],
            accuracy=(tl.accuracy(self.predict, self._params, self.x, self.y)
                      if not result["error"] else float("nan")),
            diverged=result["diverged"],
            update_ratios=first,
            largest_update_ratios=largest,
            dead_units=dead,
            hidden_units=total,
            error=result["error"],
        )
        state["message"] = self._explain(state)
        self._state = state

    def _ratios(self, ratios):
        """({name: first-step ratio}, {name: largest ratio}) for the weight matrices.

        ratios: (steps, n_params), as ``train_loop.train`` returns them.
        """
        if not ratios.size:
            return {}, {}
        names = self._weight_names()
        kernels = [i for i, n in enumerate(names) if n.startswith("W")]
        largest = ratios.max(axis=0)
        return ({names[i]: float(ratios[0, i]) for i in kernels},
                {names[i]: float(largest[i]) for i in kernels})

    def _dead_units(self):
        """(dead, total) hidden ReLU units after training, or (None, None)."""
        if self._relu_outputs is None:
            return None, None
        try:
            dead, total = tl.dead_units(self._relu_outputs(self._params, self.x))
        except Exception:  # a diagnostic only: never let it break the app
            return None, None
        return (dead, total) if total else (None, None)

    def _explain(self, s):
        losses = s["losses"]
        start = s["initial_loss"]
        gradient_note = ""
        if s["gradient_check"] is not None and not s["gradient_check"] < SUSPICIOUS_ABOVE:
            gradient_note = _(" Note: your gradients disagree with finite differences "
                              "(relative error {error:.2g}); check your backward "
                              "functions.").format(error=s["gradient_check"])
        if s["regime"] == "error":
            return _("Your functions failed: {error}").format(error=s["error"])
        dead = s["dead_units"] or 0
        dead_note = ngettext(
            "{dead} of {total} hidden units is dead (its ReLU outputs 0 for every input): "
            "no gradient flows through it any more",
            "{dead} of {total} hidden units are dead (their ReLU outputs 0 for every "
            "input): no gradient flows through them any more",
            dead).format(dead=dead, total=s["hidden_units"]) if dead else ""
        if s["regime"] == "diverging":
            if s["diverged"]:
                text = _("The loss blew up (non-finite or above {limit:g}) after {epochs} "
                         "epochs: the steps are far too large.").format(
                             limit=tl.EXPLODED_LOSS, epochs=len(losses))
            elif dead_note:
                text = _("The loss did not go down overall: the steps are too large to "
                         "descend, and {dead_note}. Lower the learning rate.").format(
                             dead_note=dead_note)
                dead_note = ""
            else:
                text = _("The loss did not go down overall: the steps are too large to "
                         "descend. Lower the learning rate.")
        elif s["regime"] == "oscillating":
            text = (_("The loss falls but jumps up now and then: the steps overshoot "
                      "(with mini-batches, each batch's gradient is also noisy). A smaller "
                      "learning rate is steadier.") if s["batch_size"] else
                    _("The loss falls but jumps up now and then: the steps overshoot. A "
                      "smaller learning rate is steadier."))
        elif s["regime"] == "too slow":
            fell = 100 * (1 - s["final_loss"] / start) if start else 0.0
            text = _("The loss fell by only {fell:.0f}% in {epochs} epochs: "
                     "raise the learning rate (or train longer).").format(
                         fell=fell, epochs=s["epochs"])
        else:
            text = _("The loss fell steadily from {start:.3g} to {final:.3g}.").format(
                start=start, final=s["final_loss"])
        if dead_note:
            text += _(" Also, {dead_note}.").format(dead_note=dead_note)
        return text + gradient_note

    # ----- drawing -----
    def _build_figure(self):
        from matplotlib.ticker import MaxNLocator, NullLocator

        self.figure = fig = _new_figure(8.4, 3.4)
        self.ax_loss, self.ax_boundary = fig.subplots(1, 2)
        ax = self.ax_loss
        (self.loss_line,) = ax.plot([], [], "-", color="tab:blue", label=_("training loss"))
        ax.set_yscale("log")
        # Speed (every slider move redraws, and drawing text is most of a frame): no
        # titles (the learning rate, verdict and accuracy are in the status line above
        # the picture), the loss ticks chosen by _log_ticks and labelled in plain text
        # (no mathtext), at most six epoch ticks, and the axis labels at fixed places
        # (matplotlib would otherwise measure the tick labels to place them).
        ax.yaxis.set_minor_locator(NullLocator())
        ax.xaxis.set_major_locator(MaxNLocator(6, integer=True))
        ax.xaxis.set_label_coords(0.5, -0.13)  # fixed: not placed from the tick labels
        ax.yaxis.set_label_coords(-0.12, 0.5)
        ax.set_xlabel(_("epoch"))
        ax.set_ylabel(_("loss"))
        ax.grid(True, alpha=0.3)
        self.loss_note = ax.text(0.97, 0.05, "", transform=ax.transAxes, ha="right",
                                 va="bottom", color="tab:red", fontsize=9,
                                 bbox=dict(facecolor="white", alpha=0.8, edgecolor="none"))
        n_classes = self.n_classes
        cmap = plots.class_colormap(n_classes)
        self._grid_res = 80
        pad = 0.5
        x_min, y_min = self.x.min(axis=0) - pad
        x_max, y_max = self.x.max(axis=0) + pad
        self._grid_extent = (x_min, x_max, y_min, y_max)
        gx = np.linspace(x_min, x_max, self._grid_res)
        gy = np.linspace(y_min, y_max, self._grid_res)
        xx, yy = np.meshgrid(gx, gy)
        self._grid_points = np.stack([xx.ravel(), yy.ravel()], axis=1)
        self.boundary_image = self.ax_boundary.imshow(
            np.zeros((self._grid_res, self._grid_res)), origin="lower",
            extent=self._grid_extent, cmap=cmap, vmin=-0.5, vmax=cmap.N - 0.5, alpha=0.3,
            interpolation="nearest", aspect="auto")
        self.ax_boundary.scatter(self.x[:, 0], self.x[:, 1], c=self.y, cmap=cmap,
                                 vmin=-0.5, vmax=cmap.N - 0.5, s=10, edgecolors="k",
                                 linewidths=0.3)
        self.ax_boundary.set_xticks([])
        self.ax_boundary.set_yticks([])

    def _draw(self):
        s = self._state
        losses = np.array(s["losses"], dtype=np.float64)
        epochs = np.arange(1, len(losses) + 1)
        self.loss_line.set_data(epochs, losses)
        self.ax_loss.set_xlim(0.5, max(s["epochs"], 2) + 0.5)
        if losses.size:
            low, high = _loss_limits(losses.min(), losses.max())
            if (low, high) != self.ax_loss.get_ylim():
                self.ax_loss.set_ylim(low, high)
                ticks = _log_ticks(low, high)
                self.ax_loss.set_yticks(ticks, [f"{v:g}" for v in ticks])
        note = regime_label("error") if s["regime"] == "error" else ""
        if s["dead_units"]:
            note = _("{dead} of {total} hidden units dead").format(dead=s["dead_units"],
                                                                  total=s["hidden_units"])
        self.loss_note.set_text(note)
        self.loss_note.set_visible(bool(note))  # an empty box would still be drawn
        if self._params is not None and s["regime"] != "error":
            with np.errstate(all="ignore"):
                classes = plots.predicted_classes(self.predict(self._params, self._grid_points))
            self.boundary_image.set_data(classes.reshape(self._grid_res, self._grid_res))

    def _dynamic_artists(self):
        # The axes, their ticks, grid and labels stay while the number of epochs and the
        # loss axis's limits do (the limits are powers of 10, so most slider moves keep
        # them): they are drawn once per pair of these.
        # (The frames last, as matplotlib draws them over the data.)
        return [self.loss_line, self.loss_note, self.boundary_image,
                *self.ax_boundary.collections, *self.ax_loss.spines.values(),
                *self.ax_boundary.spines.values()]

    def _static_key(self):
        return tuple(self.ax_loss.get_xlim()) + tuple(self.ax_loss.get_ylim())

    def _keyed_artists(self):
        # new loss limits: only the y axis (ticks, labels, grid) is drawn again, over the
        # picture of the rest kept for this number of epochs (nothing static is drawn
        # after it where it lies: its spines are among the dynamic artists)
        return [self.ax_loss.yaxis]

    def _base_key(self):
        return tuple(self.ax_loss.get_xlim())

    # ----- widget face -----
    def _make_controls(self, widgets):
        style = {"description_width": "initial"}
        return {
            "learning_rate": widgets.FloatLogSlider(
                value=self.values["learning_rate"], base=10, min=-4, max=1, step=0.05,
                description=_("learning rate"), readout_format=".3g",
                continuous_update=False, style=style),
            "epochs": widgets.IntSlider(
                value=self.values["epochs"], min=min(10, self.values["epochs"]),
                max=max(300, self.values["epochs"]), step=10, description=_("epochs"),
                continuous_update=False, style=style),
            # ipywidgets reads a Dropdown value of None as "nothing selected", so the
            # control holds the text "full batch" and set() turns it into None.
            "batch_size": widgets.Dropdown(
                options=[(_("full batch"), "full batch")]
                + [(str(b), b) for b in self.BATCH_CHOICES[1:]],
                value=self._control_value("batch_size"), description=_("batch size"),
                style=style, layout={"width": "180px"}),
        }

    def _control_value(self, name):
        if name == "batch_size" and self.values[name] is None:
            return "full batch"
        return self.values[name]

    def _summary(self):
        s = self._state
        colour = {"good": "green", "too slow": "#b8860b", "oscillating": "darkorange",
                  "diverging": "red", "error": "red"}[s["regime"]]
        first = ", ".join(f"{n} {r:.1e}" for n, r in s["update_ratios"].items())
        largest = ", ".join(f"{n} {r:.1e}" for n, r in s["largest_update_ratios"].items())
        ratio_text = "<br>" + _(
            "update/weight ratio ||lr&middot;dW||/||W||: first step {first}; largest "
            "{largest} (rule of thumb: about 1e-3; 1e-1 and above are big jumps)").format(
                first=first, largest=largest) if first else ""
        accuracy = (_(", decision boundary (right): accuracy {accuracy:.0%}").format(
            accuracy=s["accuracy"]) if np.isfinite(s["accuracy"]) else "")
        regime = f"<b style='color:{colour}'>{regime_label(s['regime'])}</b>"
        return _("learning rate {rate:.3g}: {regime} &mdash; {message}{boundary}"
                 "{ratios}").format(rate=s["learning_rate"], regime=regime,
                                    message=html.escape(s["message"]), boundary=accuracy,
                                    ratios=ratio_text)


def _loss_limits(smallest, largest):
    """(low, high) of the log-scale loss axis for losses from ``smallest`` to ``largest``
    (> 0): the powers of 10 that leave at least a factor of 1.25 of room below and above
    the curve (a curve from 0.3 to 0.65 gets 0.1 to 1).  Coarse on purpose: most learning
    rates get the same axis, which makes their curves easy to compare and lets the axis
    be drawn once (see _dynamic_artists); the default problem needs four pairs of limits
    over the whole slider."""
    if not (np.isfinite(smallest) and np.isfinite(largest)) or smallest <= 0:
        return 1e-3, 10.0
    low = int(np.floor(np.log10(smallest / 1.25)))
    high = int(np.ceil(np.log10(max(largest, smallest) * 1.25)))
    return float(f"1e{low}"), float(f"1e{high}")


def _log_ticks(low, high, most=6):
    """Tick values for a log axis from low to high (both > 0), at most ``most`` of them:
    1..9, else 1, 2, 5, else 1, 3 times powers of 10 when they fit, else every power of
    10 (or every second, third, ...)."""
    if not (np.isfinite(low) and np.isfinite(high)) or low <= 0 or high <= low:
        return []
    first, last = int(np.floor(np.log10(low))), int(np.ceil(np.log10(high)))
    for subs in ((1, 2, 3, 4, 5, 6, 7, 8, 9), (1, 2, 5), (1, 3), (1,)):
        ticks = [m * 10.0 ** e for e in range(first, last + 1) for m in subs]
        ticks = [v for v in ticks if low <= v <= high]
        if len(ticks) <= most:
            return ticks
    stride = int(np.ceil((last - first + 1) / most))
    return [10.0 ** e for e in range(first, last + 1, stride) if low <= 10.0 ** e <= high]
