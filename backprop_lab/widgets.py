"""Interactive apps for the notebooks, each usable without a screen.

    LearningRateExplorer   train a small network live; see what the learning rate does
    DescentOnSurface       gradient descent (with momentum) on 1-D and 2-D loss surfaces
    NeuronPlayground       one neuron on 2-D inputs: weights, bias, activation
    BackwardStepper        the backward pass of a small graph, one node at a time

Every app has the same two faces.

The headless API (what tests and scripts use; needs numpy and matplotlib only):

    app = LearningRateExplorer()
    app.set(learning_rate=10)      # like moving the slider; returns app.state
    app.state                      # plain data: numbers, strings, lists
    app.figure                     # the matplotlib Figure that is shown
    app.values                     # the current control values

The notebook face: put ``app`` last in a cell (or call ``app.display()``).  With
ipywidgets in a running Jupyter kernel you get sliders and a picture that redraws when
they move.  Without them (no ipywidgets, or plain Python) you get a static picture of
the current state and a one-line note saying why.

Drawing: each app owns a ``matplotlib.figure.Figure`` that pyplot does not know about,
so it is never shown twice by the inline backend.  A change updates the existing
artists (line data, image data; only the BackwardStepper redraws its small graph) and
sends the picture as PNG to an ``ipywidgets.Image`` (no figure is re-created).
``measure_latency(app)`` times that whole path.

matplotlib and ipywidgets are imported when an app is created or shown, not on import.
"""
import base64
import html
import io
import statistics
import time

import numpy as np

from . import datasets, plots
from . import train_loop as tl
from .gradcheck import SUSPICIOUS_ABOVE

__all__ = [
    "LearningRateExplorer", "DescentOnSurface", "NeuronPlayground", "BackwardStepper",
    "measure_latency", "widget_support",
]


# --------------------------------------------------------------------------------------
# Shared machinery
# --------------------------------------------------------------------------------------
def widget_support():
    """None if interactive widgets can be shown here, else the reason they cannot."""
    try:
        import ipywidgets  # noqa: F401
    except ImportError:
        return "ipywidgets is not installed"
    try:
        from IPython import get_ipython
    except ImportError:
        return "IPython is not installed"
    shell = get_ipython()
    if shell is None or not hasattr(shell, "kernel"):
        return "not running in a Jupyter kernel"
    return None


def _show(obj, **kwargs):
    """Display obj in the notebook (one place, so that tests can watch it)."""
    from IPython.display import display

    display(obj, **kwargs)


def _new_figure(width, height, dpi=72):
    """A Figure with an Agg canvas, not registered with pyplot."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=dpi, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


class _App:
    """Base class: values, a headless ``set``, the figure, and the optional widget UI.

    Subclasses define ``_compute()`` (fill self._state from self.values), ``_draw()``
    (update the figure's artists from self._state), ``_make_controls(widgets)`` (a dict
    name -> ipywidgets control) and ``_summary()`` (one line of HTML for the status).
    """

    def __init__(self, values):
        self.values = dict(values)
        self._state = {}
        self._ui = None
        self._controls = {}
        self._image = None
        self._status = None
        self._syncing = False
        self._layout_frozen = False
        self.figure = None

    # ----- headless API -----
    @property
    def state(self):
        """The current results as plain data (a new dict; safe to keep)."""
        return dict(self._state)

    def set(self, **values):
        """Change one or more control values, recompute and redraw; returns ``state``.

        Unknown names raise ValueError listing the valid ones.
        """
        unknown = sorted(set(values) - set(self.values))
        if unknown:
            raise ValueError(
                f"{type(self).__name__}.set: unknown control(s) {unknown}; "
                f"the controls are {sorted(self.values)}."
            )
        new_values = dict(self.values)
        for name, value in values.items():
            new_values[name] = self._validate(name, value)
        self.values = new_values
        self._sync_controls()
        self._refresh()
        return self.state

    def _validate(self, name, value):
        return value

    def _refresh(self):
        self._compute()
        self._draw()
        if self._image is not None:
            self._image.value = self.to_png()
        if self._status is not None:
            self._status.value = self._summary()

    def to_png(self):
        """The current picture as PNG bytes.

        Faster than ``savefig``: one draw of the canvas, then PIL encodes the pixels.
        The first call lets matplotlib's constrained layout place the axes; after that
        the layout is frozen, so later frames skip the layout pass (and do not jump).
        """
        from PIL import Image

        canvas = self.figure.canvas
        canvas.draw()
        if not self._layout_frozen:
            self.figure.set_layout_engine("none")
            self._layout_frozen = True
        width, height = canvas.get_width_height()
        pixels = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw",
                                  "RGBA", 0, 1)
        buffer = io.BytesIO()
        pixels.convert("RGB").save(buffer, format="png", compress_level=1)
        return buffer.getvalue()

    # ----- the widget face -----
    @property
    def ui(self):
        """The ipywidgets layout (built on first use; needs ipywidgets)."""
        if self._ui is None:
            import ipywidgets as widgets

            self._controls = self._make_controls(widgets)
            for name, control in self._controls.items():
                if hasattr(control, "value") and name in self.values:
                    control.observe(self._on_change(name), names="value")
            self._status = widgets.HTML(value=self._summary())
            self._image = widgets.Image(value=self.to_png(), format="png")
            self._ui = widgets.VBox(self._layout(widgets, self._controls)
                                    + [self._status, self._image])
        return self._ui

    @property
    def controls(self):
        """The ipywidgets controls by name (builds the UI if needed)."""
        _ = self.ui
        return dict(self._controls)

    def _layout(self, widgets, controls):
        return [widgets.HBox(list(controls.values()))]

    def _on_change(self, name):
        def handler(change):
            if self._syncing:
                return
            try:
                self.set(**{name: change["new"]})
            except Exception as exc:  # show it: a traceback in a callback goes unseen
                if self._status is not None:
                    self._status.value = html.escape(f"Error: {type(exc).__name__}: {exc}")
        return handler

    def _sync_controls(self):
        self._syncing = True
        try:
            for name, control in self._controls.items():
                if name in self.values and control.value != self._control_value(name):
                    control.value = self._control_value(name)
        finally:
            self._syncing = False

    def _control_value(self, name):
        return self.values[name]

    def display(self):
        """Show the app: interactive if possible, else a static picture and a note."""
        reason = widget_support()
        if reason is None:
            bundle = self.ui._repr_mimebundle_()
            bundle["text/plain"] = repr(self)  # short and the same on every run
            # JupyterLab renders the live widget; viewers without a kernel (GitHub,
            # nbviewer) fall back to this picture of the current state.
            bundle["image/png"] = base64.b64encode(self.to_png()).decode("ascii")
            _show(bundle, raw=True)
            return
        print(f"Static picture ({reason}; the controls need ipywidgets in Jupyter).")
        try:
            from IPython.display import Image
        except ImportError:
            return
        _show(Image(data=self.to_png(), format="png"))

    def _ipython_display_(self):
        self.display()

    def __repr__(self):
        shown = ", ".join(f"{k}={v!r}" for k, v in self.values.items())
        return f"{type(self).__name__}({shown})"


def measure_latency(app, control=None, values=None, n=20):
    """Time the full update after a control change: compute, redraw, PNG, widget update.

    app: a widget app.  control: the control's name (default: the app's first control).
    values: values to cycle through (each change is a real change); defaults to a few
        learning rates for ``learning_rate``.
    n: how many changes to time.
    Returns {'median_ms', 'min_ms', 'max_ms', 'times_ms'}.  Builds the ipywidgets UI
    when ipywidgets is installed, so the time includes updating the Image widget.
    """
    control = control or next(iter(app.values))
    if values is None:
        values = [0.01, 0.3, 3.0, 10.0] if control == "learning_rate" else None
    if not values:
        raise ValueError("measure_latency: give values=[...] to cycle the control through.")
    try:
        _ = app.ui
    except ImportError:
        pass
    times = []
    for i in range(int(n)):
        value = values[i % len(values)]
        if len(values) == 1 or value == app.values[control]:
            value = values[(i + 1) % len(values)]
        start = time.perf_counter()
        app.set(**{control: value})
        if app._image is None:  # no ipywidgets: still pay for the PNG
            app.to_png()
        times.append(1000.0 * (time.perf_counter() - start))
    return {
        "median_ms": statistics.median(times),
        "min_ms": min(times),
        "max_ms": max(times),
        "times_ms": times,
    }


def _check_number(owner, name, value, low=None, high=None, integer=False):
    kind = "an integer" if integer else "a number"
    ok_type = isinstance(value, (int, np.integer)) if integer else isinstance(
        value, (int, float, np.integer, np.floating))
    if isinstance(value, bool) or not ok_type or not np.isfinite(value):
        raise ValueError(f"{owner}({name}={value!r}): {name} must be {kind}.")
    if (low is not None and value < low) or (high is not None and value > high):
        raise ValueError(
            f"{owner}({name}={value!r}): {name} must be between {low} and {high}."
        )
    return int(value) if integer else float(value)


# --------------------------------------------------------------------------------------
# LearningRateExplorer
# --------------------------------------------------------------------------------------
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
      hidden ReLU layers), the explorer reports dead units.
    * ``model=my_sequential``: a Keras-style ``backprop_lab.models.Sequential`` with 2
      inputs, compiled or not (see ``train_loop.from_sequential``).  Every run starts
      from the model's weights at the time the explorer was made, full batch or the
      chosen batch size, with the slider's learning rate and plain gradient descent (the
      compiled optimizer is not used).  The explorer works on a copy: your model's
      weights and settings are not changed.  ``hidden_units`` and ``activation`` are
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
                f"LearningRateExplorer: give one of functions=..., model_fn=... or "
                f"model=..., not both {given[0]}= and {given[1]}=."
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
                    raise ValueError(f"LearningRateExplorer(model=...): {exc}") from None
                prefix = "the model" if model is not None else "model_fn"
                self._setup_error = f"{prefix} failed: " + tl.describe_exception(exc)
                self.initial_params, self.loss_and_grads, self.predict = (
                    [], None, None)
            self._relu_outputs = getattr(model_fn, "relu_outputs", None)
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
                "LearningRateExplorer(data=...): give a pair (X, y), e.g. "
                "datasets.moons(200)."
            ) from None
        x = np.asarray(x, dtype=np.float64)
        y = np.asarray(y).reshape(-1).astype(np.int64)
        if x.ndim != 2 or x.shape[1] != 2 or len(x) != len(y):
            raise ValueError(
                f"LearningRateExplorer(data=(X, y)): X must have shape (N, 2) and y (N,) "
                f"labels; got {x.shape} and {y.shape}."
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
                         message=f"Your model failed: {self._setup_error}")
            self._state, self._params = state, None
            return
        result = tl.train(self.initial_params, self.loss_and_grads, self.x, self.y,
                          v["learning_rate"], v["epochs"], v["batch_size"], seed=self.seed)
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
            gradient_note = (f" Note: your gradients disagree with finite differences "
                             f"(relative error {s['gradient_check']:.2g}); check your "
                             f"backward functions.")
        if s["regime"] == "error":
            return f"Your functions failed: {s['error']}"
        dead = s["dead_units"] or 0
        dead_note = (f"{dead} of {s['hidden_units']} hidden units "
                     + ("is dead (its ReLU outputs 0 for every input): no gradient flows "
                        "through it any more" if dead == 1 else
                        "are dead (their ReLU outputs 0 for every input): no gradient flows "
                        "through them any more")) if dead else ""
        if s["regime"] == "diverging":
            if s["diverged"]:
                text = (f"The loss blew up (non-finite or above {tl.EXPLODED_LOSS:g}) "
                        f"after {len(losses)} epochs: the steps are far too large.")
            elif dead_note:
                text = ("The loss did not go down overall: the steps are too large to "
                        f"descend, and {dead_note}. Lower the learning rate.")
                dead_note = ""
            else:
                text = ("The loss did not go down overall: the steps are too large to "
                        "descend. Lower the learning rate.")
        elif s["regime"] == "oscillating":
            text = ("The loss falls but jumps up now and then: the steps overshoot"
                    + (" (with mini-batches, each batch's gradient is also noisy)"
                       if s["batch_size"] else "")
                    + ". A smaller learning rate is steadier.")
        elif s["regime"] == "too slow":
            fell = 100 * (1 - s["final_loss"] / start) if start else 0.0
            text = (f"The loss fell by only {fell:.0f}% in {s['epochs']} epochs: "
                    "raise the learning rate (or train longer).")
        else:
            text = (f"The loss fell steadily from {start:.3g} to {s['final_loss']:.3g}.")
        if dead_note:
            text += f" Also, {dead_note}."
        return text + gradient_note

    # ----- drawing -----
    def _build_figure(self):
        self.figure = fig = _new_figure(8.4, 3.4)
        self.ax_loss, self.ax_boundary = fig.subplots(1, 2)
        ax = self.ax_loss
        (self.loss_line,) = ax.plot([], [], "-", color="tab:blue", label="training loss")
        ax.set_yscale("log")
        ax.set_xlabel("epoch")
        ax.set_ylabel("loss")
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
            low, high = losses.min(), losses.max()
            self.ax_loss.set_ylim(low / 1.3, high * 1.3)
        note = "error" if s["regime"] == "error" else ""
        if s["dead_units"]:
            note = f"{s['dead_units']} of {s['hidden_units']} hidden units dead"
        self.loss_note.set_text(note)
        self.loss_note.set_visible(bool(note))  # an empty box would still be drawn
        self.ax_loss.set_title(f"learning rate {s['learning_rate']:.3g}: {s['regime']}")
        if self._params is not None and s["regime"] != "error":
            with np.errstate(all="ignore"):
                classes = plots.predicted_classes(self.predict(self._params, self._grid_points))
            self.boundary_image.set_data(classes.reshape(self._grid_res, self._grid_res))
        acc = s["accuracy"]
        self.ax_boundary.set_title(
            "decision boundary" + (f" (accuracy {acc:.0%})" if np.isfinite(acc) else ""))

    # ----- widget face -----
    def _make_controls(self, widgets):
        style = {"description_width": "initial"}
        return {
            "learning_rate": widgets.FloatLogSlider(
                value=self.values["learning_rate"], base=10, min=-4, max=1, step=0.05,
                description="learning rate", readout_format=".3g", continuous_update=False,
                style=style),
            "epochs": widgets.IntSlider(
                value=self.values["epochs"], min=min(10, self.values["epochs"]),
                max=max(300, self.values["epochs"]), step=10, description="epochs",
                continuous_update=False, style=style),
            # ipywidgets reads a Dropdown value of None as "nothing selected", so the
            # control holds the text "full batch" and set() turns it into None.
            "batch_size": widgets.Dropdown(
                options=[("full batch", "full batch")]
                + [(str(b), b) for b in self.BATCH_CHOICES[1:]],
                value=self._control_value("batch_size"), description="batch size",
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
        ratio_text = (f"<br>update/weight ratio ||lr&middot;dW||/||W||: first step {first};"
                      f" largest {largest} (rule of thumb: about 1e-3; 1e-1 and above are"
                      f" big jumps)") if first else ""
        return (f"<b style='color:{colour}'>{s['regime']}</b> &mdash; "
                f"{html.escape(s['message'])}{ratio_text}")


# --------------------------------------------------------------------------------------
# DescentOnSurface
# --------------------------------------------------------------------------------------
def _parabola(w):
    return w ** 2


def _parabola_grad(w):
    return 2 * w


def _double_well(w):
    return (w ** 2 - 1) ** 2 + 0.3 * w


def _double_well_grad(w):
    return 4 * w * (w ** 2 - 1) + 0.3


def _bowl(w):
    w = np.asarray(w)
    return w[..., 0] ** 2 + w[..., 1] ** 2


def _bowl_grad(w):
    return 2 * np.asarray(w, dtype=np.float64)


def _ravine(w):
    w = np.asarray(w)
    return 0.5 * (w[..., 0] ** 2 + 25 * w[..., 1] ** 2)


def _ravine_grad(w):
    w = np.asarray(w, dtype=np.float64)
    return np.array([w[0], 25 * w[1]])


def _rosenbrock(w):
    w = np.asarray(w)
    return (1 - w[..., 0]) ** 2 + 100 * (w[..., 1] - w[..., 0] ** 2) ** 2


def _rosenbrock_grad(w):
    w0, w1 = np.asarray(w, dtype=np.float64)
    return np.array([-2 * (1 - w0) - 400 * w0 * (w1 - w0 ** 2), 200 * (w1 - w0 ** 2)])


#: Built-in surfaces: loss, gradient, plotting range, default start.
SURFACES = {
    "parabola": dict(f=_parabola, grad=_parabola_grad, xlim=(-3, 3), ylim=None,
                     start=(2.5,), formula="L(w) = w^2"),
    "double_well": dict(f=_double_well, grad=_double_well_grad, xlim=(-1.8, 1.8), ylim=None,
                        start=(1.6,), formula="L(w) = (w^2 - 1)^2 + 0.3 w"),
    "bowl": dict(f=_bowl, grad=_bowl_grad, xlim=(-3, 3), ylim=(-3, 3), start=(2.5, 2.0),
                 formula="L(w) = w0^2 + w1^2"),
    "ravine": dict(f=_ravine, grad=_ravine_grad, xlim=(-3, 3), ylim=(-1.5, 1.5),
                   start=(-2.5, 1.0), formula="L(w) = (w0^2 + 25 w1^2) / 2"),
    "rosenbrock": dict(f=_rosenbrock, grad=_rosenbrock_grad, xlim=(-2, 2), ylim=(-1, 3),
                       start=(-1.5, 2.0), formula="L(w) = (1 - w0)^2 + 100 (w1 - w0^2)^2"),
}

#: A parameter farther than this from the origin counts as diverged.
ESCAPED = 1e6


def gradient_descent_path(grad, start, learning_rate, steps, momentum=0.0):
    """The points visited by gradient descent with (heavy-ball) momentum.

        v <- momentum * v - learning_rate * grad(w);   w <- w + v
    (momentum 0 gives plain w <- w - learning_rate * grad(w)).
    start: (P,) the first point.  Returns (T, P) points, T <= steps + 1: it stops early
    when a point is not finite or farther than ESCAPED from the origin (that last point
    is not included).
    """
    w = np.array(start, dtype=np.float64).reshape(-1)
    velocity = np.zeros_like(w)
    path = [w.copy()]
    with np.errstate(all="ignore"):
        for _ in range(int(steps)):
            g = np.asarray(grad(w if w.size > 1 else w[0]), dtype=np.float64).reshape(-1)
            velocity = momentum * velocity - learning_rate * g
            w = w + velocity
            if not np.all(np.isfinite(w)) or np.max(np.abs(w)) > ESCAPED:
                break
            path.append(w.copy())
    return np.array(path)


class DescentOnSurface(_App):
    """Gradient descent on a loss of one or two parameters, step by step.

    surface: a name in SURFACES ('parabola', 'double_well' in 1-D; 'bowl', 'ravine',
        'rosenbrock' in 2-D), or your own: ``surface=dict(f=..., grad=..., xlim=(a, b),
        ylim=None or (c, d), start=(w0,) or (w0, w1))`` where f and grad take a float in
        1-D and an array (2,) in 2-D (grad may be None: central differences are used).
    Controls: learning_rate (1e-4 .. 10, log), momentum (0 .. 0.99), steps (1 .. 500),
        start_w0 (and start_w1 in 2-D).

    ``state``: learning_rate, momentum, steps, start, trajectory (list of points),
        losses (loss at each point), final_loss, final_grad_norm, escaped (True if the
        path left for infinity), regime:
            'diverging'    the path escaped, or ended higher than it started
            'oscillating'  consecutive steps point in opposite directions in more than
                           30% of the steps (zig-zag across a valley)
            'converged'    the gradient at the end is below 1e-2
            'too slow'     still descending when the steps ran out
    """

    def __init__(self, surface="ravine", learning_rate=0.07, steps=30, momentum=0.0,
                 start=None):
        if isinstance(surface, str):
            if surface not in SURFACES:
                raise ValueError(
                    f"DescentOnSurface(surface={surface!r}): choose one of "
                    f"{sorted(SURFACES)}, or pass a dict with f, grad, xlim, ylim, start."
                )
            spec = dict(SURFACES[surface], name=surface)
        else:
            spec = dict(surface)
            missing = [k for k in ("f", "xlim") if k not in spec]
            if missing:
                raise ValueError(f"DescentOnSurface(surface=...): the dict needs {missing}.")
            spec.setdefault("ylim", None)
            spec.setdefault("name", "custom")
            spec.setdefault("formula", "")
            if spec.get("grad") is None:
                spec["grad"] = self._numerical_grad(spec["f"], spec["ylim"] is not None)
            spec.setdefault("start", (np.mean(spec["xlim"]),) if spec["ylim"] is None
                            else (np.mean(spec["xlim"]), np.mean(spec["ylim"])))
        self.spec = spec
        self.dim = 1 if spec["ylim"] is None else 2
        start = spec["start"] if start is None else tuple(np.ravel(start))
        if len(start) != self.dim:
            raise ValueError(
                f"DescentOnSurface(start={start!r}): this surface has {self.dim} "
                f"parameter(s), so start needs {self.dim} number(s)."
            )
        values = {"learning_rate": learning_rate, "momentum": momentum, "steps": steps,
                  "start_w0": float(start[0])}
        if self.dim == 2:
            values["start_w1"] = float(start[1])
        super().__init__(values)
        for name in list(self.values):
            self.values[name] = self._validate(name, self.values[name])
        self._build_figure()
        self._refresh()

    @staticmethod
    def _numerical_grad(f, two_d):
        from .gradcheck import numerical_gradient

        def grad(w):
            w = np.array(w, dtype=np.float64).reshape(2 if two_d else 1)
            return numerical_gradient(lambda p: f(p if two_d else float(p[0])), w)
        return grad

    def _validate(self, name, value):
        owner = "DescentOnSurface"
        if name == "learning_rate":
            return _check_number(owner, name, value, 1e-6, 100.0)
        if name == "momentum":
            return _check_number(owner, name, value, 0.0, 0.999)
        if name == "steps":
            return _check_number(owner, name, value, 0, 5000, integer=True)
        return _check_number(owner, name, value)  # start coordinates

    def _loss(self, w):
        f = self.spec["f"]
        with np.errstate(all="ignore"):
            return float(f(w[0]) if self.dim == 1 else f(w))

    def _compute(self):
        v = self.values
        start = [v["start_w0"]] + ([v["start_w1"]] if self.dim == 2 else [])
        path = gradient_descent_path(self.spec["grad"], start, v["learning_rate"],
                                     v["steps"], v["momentum"])
        escaped = len(path) < v["steps"] + 1
        losses = [self._loss(w) for w in path]
        with np.errstate(all="ignore"):
            last = path[-1]
            g = np.asarray(self.spec["grad"](last[0] if self.dim == 1 else last),
                           dtype=np.float64)
            grad_norm = float(np.linalg.norm(g))
        steps = np.diff(path, axis=0)
        if len(steps) >= 2:
            dots = np.sum(steps[1:] * steps[:-1], axis=1)
            zigzag = float(np.mean(dots < 0))
        else:
            zigzag = 0.0
        if escaped or not np.isfinite(losses[-1]) or losses[-1] > losses[0]:
            regime = "diverging"
        elif zigzag > 0.3:
            regime = "oscillating"
        elif grad_norm < 1e-2:
            regime = "converged"
        else:
            regime = "too slow"
        self._state = {
            "learning_rate": v["learning_rate"], "momentum": v["momentum"],
            "steps": v["steps"], "start": tuple(start),
            "trajectory": path.tolist(), "losses": losses, "final_loss": losses[-1],
            "final_grad_norm": grad_norm, "escaped": escaped, "regime": regime,
        }

    def _build_figure(self):
        self.figure = fig = _new_figure(8.4, 3.4)
        self.ax_surface, self.ax_loss = fig.subplots(1, 2)
        spec = self.spec
        vectorized = spec["name"] in SURFACES
        plots.plot_loss_surface(spec["f"], xlim=spec["xlim"], ylim=spec["ylim"],
                                ax=self.ax_surface, resolution=120 if vectorized else 60,
                                vectorized=vectorized, title=spec.get("formula") or None)
        (self.path_line,) = self.ax_surface.plot([], [], "-o", color="tab:red",
                                                 markersize=3, linewidth=1)
        (self.start_marker,) = self.ax_surface.plot([], [], "s", color="tab:red",
                                                    markersize=7)
        (self.loss_line,) = self.ax_loss.plot([], [], "-o", markersize=2)
        self.ax_loss.set_xlabel("step")
        self.ax_loss.set_ylabel("loss")
        self.ax_loss.grid(True, alpha=0.3)

    def _draw(self):
        s = self._state
        path = np.array(s["trajectory"])
        losses = np.array(s["losses"])
        if self.dim == 1:
            xs, ys = path[:, 0], losses
        else:
            xs, ys = path[:, 0], path[:, 1]
        self.path_line.set_data(xs, ys)
        self.start_marker.set_data(xs[:1], ys[:1])
        self.loss_line.set_data(np.arange(len(losses)), losses)
        self.ax_loss.set_xlim(-0.5, max(s["steps"], 1) + 0.5)
        finite = losses[np.isfinite(losses)]
        if finite.size:
            low, high = finite.min(), finite.max()
            if low > 0:  # a log scale shows both a blow-up and a slow crawl
                self.ax_loss.set_yscale("log")
                self.ax_loss.set_ylim(low / 1.5, high * 1.5)
            else:
                self.ax_loss.set_yscale("linear")
                pad = 0.05 * (high - low) if high > low else 1.0
                self.ax_loss.set_ylim(low - pad, high + pad)
        self.ax_loss.set_title(f"{s['regime']}: final loss {s['final_loss']:.3g}")

    def _make_controls(self, widgets):
        style = {"description_width": "initial"}
        xlim, ylim = self.spec["xlim"], self.spec["ylim"]
        controls = {
            "learning_rate": widgets.FloatLogSlider(
                value=self.values["learning_rate"], base=10, min=-4, max=1, step=0.05,
                description="learning rate", readout_format=".3g", style=style),
            "momentum": widgets.FloatSlider(
                value=self.values["momentum"], min=0, max=0.99, step=0.01,
                description="momentum", style=style),
            "steps": widgets.IntSlider(value=self.values["steps"],
                                       min=min(1, self.values["steps"]),
                                       max=max(500, self.values["steps"]),
                                       description="steps", style=style),
            "start_w0": widgets.FloatSlider(
                value=self.values["start_w0"], min=min(xlim[0], self.values["start_w0"]),
                max=max(xlim[1], self.values["start_w0"]), step=0.05,
                description="start w0" if self.dim == 2 else "start w", style=style),
        }
        if self.dim == 2:
            controls["start_w1"] = widgets.FloatSlider(
                value=self.values["start_w1"], min=min(ylim[0], self.values["start_w1"]),
                max=max(ylim[1], self.values["start_w1"]), step=0.05,
                description="start w1", style=style)
        return controls

    def _layout(self, widgets, controls):
        items = list(controls.values())
        return [widgets.HBox(items[:3]), widgets.HBox(items[3:])]

    def _summary(self):
        s = self._state
        return (f"<b>{s['regime']}</b>: {len(s['trajectory']) - 1} steps, final loss "
                f"{s['final_loss']:.4g}, |gradient| at the end {s['final_grad_norm']:.2g}")


# --------------------------------------------------------------------------------------
# NeuronPlayground
# --------------------------------------------------------------------------------------
class NeuronPlayground(_App):
    """One neuron on 2-D inputs: a = activation(w0 x0 + w1 x1 + b).

    data: (X, y) with X (N, 2) and labels 0/1; default: two seeded Gaussian blobs.
    Controls: w0, w1, b (-5 .. 5) and activation ('sigmoid', 'tanh', 'relu', 'linear').

    The neuron says "class 1" where z = w0 x0 + w1 x1 + b > 0 (for each of these
    activations that is where a is above its midpoint), so the decision boundary is the
    straight line z = 0, and the weight vector (w0, w1) is perpendicular to it.

    ``state``: weights [w0, w1], bias, activation, accuracy (share of points on their
        class's side), loss (binary cross-entropy of sigmoid(z), whatever the
        activation), boundary (two points of the line z = 0 inside the plot, or None when
        w0 = w1 = 0), output_range [min a, max a] over the plot.
    """

    ACTIVATIONS = ("sigmoid", "tanh", "relu", "linear")

    def __init__(self, data=None, w0=1.0, w1=1.0, b=0.0, activation="sigmoid"):
        super().__init__({"w0": w0, "w1": w1, "b": b, "activation": activation})
        for name in list(self.values):
            self.values[name] = self._validate(name, self.values[name])
        if data is None:
            data = datasets.blobs(n_samples=100, n_classes=2, noise=0.9, center_range=3.0,
                                  seed=4)
        x, y = data
        self.x = np.asarray(x, dtype=np.float64)
        self.y = np.asarray(y).reshape(-1).astype(np.int64)
        if self.x.ndim != 2 or self.x.shape[1] != 2 or set(np.unique(self.y)) - {0, 1}:
            raise ValueError(
                "NeuronPlayground(data=(X, y)): X must have shape (N, 2) and y labels 0/1."
            )
        self._build_figure()
        self._refresh()

    def _validate(self, name, value):
        if name == "activation":
            if value not in self.ACTIVATIONS:
                raise ValueError(
                    f"NeuronPlayground(activation={value!r}): choose one of "
                    f"{self.ACTIVATIONS}."
                )
            return value
        return _check_number("NeuronPlayground", name, value, -100.0, 100.0)

    def _activation(self, z):
        from . import functional

        return functional.ACTIVATIONS[self.values["activation"]][0](z)[0]

    def _compute(self):
        from . import functional

        v = self.values
        w = np.array([v["w0"], v["w1"]])
        z = self.x @ w + v["b"]
        predicted = (z > 0).astype(np.int64)
        grid_z = self._grid_points @ w + v["b"]
        grid_a = self._activation(grid_z)
        self._grid_output = grid_a.reshape(self._res, self._res)
        self._state = {
            "weights": [v["w0"], v["w1"]], "bias": v["b"], "activation": v["activation"],
            "accuracy": float(np.mean(predicted == self.y)),
            "loss": functional.binary_crossentropy_from_logits(self.y.astype(float), z),
            "boundary": self._boundary(v["w0"], v["w1"], v["b"]),
            "output_range": [float(grid_a.min()), float(grid_a.max())],
        }
        self._z = z

    def _boundary(self, w0, w1, b):
        """Two points of the line w0 x0 + w1 x1 + b = 0 across the plot, or None."""
        x_min, x_max, y_min, y_max = self._extent
        if w0 == 0 and w1 == 0:
            return None
        if abs(w1) >= abs(w0):  # not steep: walk along x0
            xs = np.array([x_min, x_max])
            ys = -(w0 * xs + b) / w1
        else:
            ys = np.array([y_min, y_max])
            xs = -(w1 * ys + b) / w0
        return [[float(xs[0]), float(ys[0])], [float(xs[1]), float(ys[1])]]

    def _build_figure(self):
        self.figure = fig = _new_figure(8.4, 3.5)
        self.ax_plane, self.ax_curve = fig.subplots(1, 2)
        self._res = 80
        pad = 0.5
        x_min, y_min = self.x.min(axis=0) - pad
        x_max, y_max = self.x.max(axis=0) + pad
        self._extent = (x_min, x_max, y_min, y_max)
        xx, yy = np.meshgrid(np.linspace(x_min, x_max, self._res),
                             np.linspace(y_min, y_max, self._res))
        self._grid_points = np.stack([xx.ravel(), yy.ravel()], axis=1)
        ax = self.ax_plane
        self.output_image = ax.imshow(np.zeros((self._res, self._res)), origin="lower",
                                      extent=self._extent, cmap="RdBu_r", alpha=0.5,
                                      aspect="auto", interpolation="bilinear")
        cmap = plots.class_colormap(2)
        ax.scatter(self.x[:, 0], self.x[:, 1], c=self.y, cmap=cmap, vmin=-0.5, vmax=1.5,
                   s=14, edgecolors="k", linewidths=0.4)
        (self.boundary_line,) = ax.plot([], [], "k-", linewidth=1.5)
        self.weight_arrow = ax.annotate("", xy=(0, 0), xytext=(0, 0),
                                        arrowprops=dict(arrowstyle="->", color="k"))
        ax.set_xlim(x_min, x_max)
        ax.set_ylim(y_min, y_max)
        ax.set_xlabel("$x_0$")
        ax.set_ylabel("$x_1$")
        self.colorbar = self.figure.colorbar(self.output_image, ax=ax, shrink=0.8)
        (self.curve_line,) = self.ax_curve.plot([], [], "k-")
        self.points_0 = self.ax_curve.scatter([], [], color=plots.CLASS_COLORS[0], s=12,
                                              label="class 0")
        self.points_1 = self.ax_curve.scatter([], [], color=plots.CLASS_COLORS[1], s=12,
                                              label="class 1")
        self.ax_curve.set_xlabel("z = w0 x0 + w1 x1 + b")
        self.ax_curve.set_ylabel("a = activation(z)")
        self.ax_curve.axvline(0, color="grey", linewidth=0.5)
        self.ax_curve.legend(loc="upper left")

    def _draw(self):
        s = self._state
        low, high = s["output_range"]
        if high <= low:
            high = low + 1.0
        self.output_image.set_data(self._grid_output)
        self.output_image.set_clim(low, high)
        line = s["boundary"]
        if line is None:
            self.boundary_line.set_data([], [])
        else:
            self.boundary_line.set_data([line[0][0], line[1][0]], [line[0][1], line[1][1]])
        # The weight vector drawn from the middle of the plot, perpendicular to the line.
        x_min, x_max, y_min, y_max = self._extent
        centre = np.array([(x_min + x_max) / 2, (y_min + y_max) / 2])
        w = np.array(s["weights"])
        norm = np.linalg.norm(w)
        tip = centre + (w / norm * 0.15 * (x_max - x_min) if norm else 0)
        self.weight_arrow.xy = tuple(tip)
        self.weight_arrow.set_position(tuple(centre))
        self.ax_plane.set_title(f"{s['activation']} neuron: accuracy {s['accuracy']:.0%}")
        z_span = max(np.abs(self._z).max(), 1.0) * 1.1
        zs = np.linspace(-z_span, z_span, 200)
        self.curve_line.set_data(zs, self._activation(zs))
        a = self._activation(self._z)
        self.points_0.set_offsets(np.stack([self._z[self.y == 0], a[self.y == 0]], axis=1))
        self.points_1.set_offsets(np.stack([self._z[self.y == 1], a[self.y == 1]], axis=1))
        self.ax_curve.set_xlim(-z_span, z_span)
        a_all = self._activation(zs)
        pad = 0.05 * (a_all.max() - a_all.min() + 1e-9)
        self.ax_curve.set_ylim(a_all.min() - pad, a_all.max() + pad)
        self.ax_curve.set_title(f"loss (cross-entropy of sigmoid(z)) {s['loss']:.3f}")

    def _make_controls(self, widgets):
        style = {"description_width": "initial"}
        controls = {
            name: widgets.FloatSlider(value=self.values[name], min=-5, max=5, step=0.1,
                                      description=name, style=style)
            for name in ("w0", "w1", "b")
        }
        controls["activation"] = widgets.Dropdown(
            options=list(self.ACTIVATIONS), value=self.values["activation"],
            description="activation", style=style, layout={"width": "200px"})
        return controls

    def _summary(self):
        s = self._state
        return (f"z = {s['weights'][0]:.2f} x0 + {s['weights'][1]:.2f} x1 + {s['bias']:.2f};"
                f" accuracy {s['accuracy']:.0%}; the black line is z = 0")


# --------------------------------------------------------------------------------------
# BackwardStepper
# --------------------------------------------------------------------------------------
def example_graph():
    """The seed's loss for one sigmoid neuron, as a Value graph.

        z = w * x + b,  a = sigmoid(z),  L = 1/2 (y - a)^2
    with x = 1.5, w = -0.8, b = 0.3, y = 1.  Returns L (its inputs are reachable from it).
    """
    from .autodiff import Value

    x = Value(1.5, label="x")
    w = Value(-0.8, label="w")
    b = Value(0.3, label="b")
    y = Value(1.0, label="y")
    wx = w * x
    wx.label = "w*x"
    z = wx + b
    z.label = "z"
    a = z.sigmoid()
    a.label = "a"
    diff = y - a
    diff.label = "y-a"
    square = diff ** 2
    square.label = "(y-a)^2"
    loss = 0.5 * square
    loss.label = "L"
    return loss


class BackwardStepper(_App):
    """Step through the backward pass of a computation graph, one node at a time.

    root: the output Value of a graph from ``backprop_lab.autodiff`` (default:
        ``example_graph()``, the seed's squared error for one sigmoid neuron).
    Control: step (0 = before the backward pass, n_steps = finished), plus buttons
        (back, next, reset, run all) in the widget.

    At step k the graph's grads are exactly what ``backward_steps(root)`` has written
    after k nodes: each step takes one node and, by the chain rule, adds
    ``local derivative * node.grad`` to the grad of each of its inputs.

    ``state``: step, n_steps, done, current (label of the node just processed, None at
        step 0), updates (list of dicts: input, local, added, for that node),
        values {label: data}, grads {label: grad}, explanation (one sentence).
    Unlabelled nodes are named by their operation and position, e.g. 'node3 (+)'.
    Note: the app writes the grads of the graph you pass (as ``backward()`` does).
    """

    def __init__(self, root=None, step=0):
        from . import autodiff

        self.root = example_graph() if root is None else root
        if not isinstance(self.root, autodiff.Value):
            raise ValueError(
                "BackwardStepper(root=...): root must be an autodiff.Value, the output of "
                "a graph (e.g. L = (w * x + b).tanh())."
            )
        self.order = autodiff.topological_order(self.root)
        self.names = {}
        for i, node in enumerate(self.order):
            self.names[id(node)] = node.label or f"node{i} ({node.op or 'input'})"
        self.n_steps = len(self.order)
        super().__init__({"step": step})
        self.values["step"] = self._validate("step", step)
        self._build_figure()
        self._refresh()

    def _validate(self, name, value):
        return _check_number("BackwardStepper", name, value, 0, self.n_steps, integer=True)

    def step(self):
        """Go one node further (no-op at the end); returns ``state``."""
        return self.set(step=min(self.values["step"] + 1, self.n_steps))

    def reset(self):
        """Back to before the backward pass; returns ``state``."""
        return self.set(step=0)

    def _compute(self):
        from . import autodiff

        k = self.values["step"]
        last = None
        if k == 0:
            for node in self.order:
                node.grad = 0.0
        else:
            steps = autodiff.backward_steps(self.root)
            for _ in range(k):
                last = next(steps)
            steps.close()
        name = self.names
        updates = [] if last is None else [
            {"input": name[id(child)], "local": local, "added": added}
            for child, local, added in last.updates]
        self._state = {
            "step": k, "n_steps": self.n_steps, "done": k == self.n_steps,
            "current": None if last is None else name[id(last.node)],
            "updates": updates,
            "values": {name[id(n)]: n.data for n in self.order},
            "grads": {name[id(n)]: n.grad for n in self.order},
            "explanation": self._explain(last),
        }
        self._current_node = None if last is None else last.node

    def _explain(self, last):
        if last is None:
            return ("Before the backward pass every grad is 0. The first step sets "
                    f"d{self.names[id(self.root)]}/d{self.names[id(self.root)]} = 1.")
        node = self.names[id(last.node)]
        if not last.updates:
            return f"{node} is an input: its grad {last.node.grad:.4g} is final."
        parts = [f"{self.names[id(c)]}.grad += {local:.4g} x {last.node.grad:.4g}"
                 f" = {added:+.4g}" for c, local, added in last.updates]
        return (f"{node} (op {last.node.op}) passes its grad back by the chain rule "
                "(local derivative x grad): " + "; ".join(parts) + ".")

    def _build_figure(self):
        columns = len(set(self._depth_list()))
        self.figure = _new_figure(min(max(5.0, 1.6 * columns), 12.0), 3.6)
        self.ax_graph = self.figure.subplots()

    def _depth_list(self):
        depth = {}
        for node in self.order:
            depth[id(node)] = 1 + max((depth[id(c)] for c in node.children), default=-1)
        return list(depth.values())

    def _draw(self):
        from . import autodiff

        ax = self.ax_graph
        ax.clear()
        autodiff.draw_graph(self.root, ax=ax)
        # draw_graph makes one text box per node, in topological order: colour the node
        # just processed (red edge) and the inputs it updated (green edge).
        boxes = [t for t in ax.texts if t.get_bbox_patch() is not None]
        for box in boxes:  # above the arrows: an edge that skips a column passes behind
            box.set_zorder(4)
        if len(boxes) == len(self.order) and self._current_node is not None:
            updated = {id(c) for c in self._current_node.children}
            for node, box in zip(self.order, boxes):
                patch = box.get_bbox_patch()
                if node is self._current_node:
                    patch.set_edgecolor("red")
                    patch.set_linewidth(2.5)
                elif id(node) in updated:
                    patch.set_edgecolor("green")
                    patch.set_linewidth(2.0)
        s = self._state
        ax.set_title(f"backward pass: step {s['step']} of {s['n_steps']}"
                     + (f" (node {s['current']})" if s["current"] else ""))

    def _make_controls(self, widgets):
        return {
            "step": widgets.IntSlider(value=self.values["step"], min=0, max=self.n_steps,
                                      description="step", continuous_update=False),
        }

    def _layout(self, widgets, controls):
        buttons = []
        for text, action in (("reset", lambda: 0),
                             ("back", lambda: max(self.values["step"] - 1, 0)),
                             ("next", lambda: min(self.values["step"] + 1, self.n_steps)),
                             ("run all", lambda: self.n_steps)):
            button = widgets.Button(description=text, layout={"width": "80px"})
            button.on_click(lambda _b, action=action: self._on_change("step")(
                {"new": action()}))
            buttons.append(button)
        return [widgets.HBox(buttons + [controls["step"]])]

    def _summary(self):
        return html.escape(self._state["explanation"])
