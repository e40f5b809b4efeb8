"""``NeuronPlayground``: one neuron on 2-D inputs, its weights, bias and activation."""
import numpy as np

from .. import datasets, functional, plots
from ..i18n import _
from ._app import _App, _check_number, _new_figure


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
                _("NeuronPlayground(data=(X, y)): X must have shape (N, 2) and y labels 0/1.")
            )
        self._build_figure()
        self._refresh()

    def _validate(self, name, value):
        if name == "activation":
            if value not in self.ACTIVATIONS:
                raise ValueError(
                    _("NeuronPlayground(activation={value!r}): choose one of {names}.")
                    .format(value=value, names=self.ACTIVATIONS)
                )
            return value
        return _check_number("NeuronPlayground", name, value, -100.0, 100.0)

    def _activation(self, z):
        return functional.ACTIVATIONS[self.values["activation"]][0](z)[0]

    def _compute(self):
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
                                              label=_("class {label}").format(label=0))
        self.points_1 = self.ax_curve.scatter([], [], color=plots.CLASS_COLORS[1], s=12,
                                              label=_("class {label}").format(label=1))
        self.ax_curve.set_xlabel("z = w0 x0 + w1 x1 + b")
        self.ax_curve.set_ylabel(_("a = activation(z)"))
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
        self.ax_plane.set_title(_("{activation} neuron: accuracy {accuracy:.0%}").format(
            activation=s["activation"], accuracy=s["accuracy"]))
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
        self.ax_curve.set_title(_("loss (cross-entropy of sigmoid(z)) {loss:.3f}").format(
            loss=s["loss"]))

    def _make_controls(self, widgets):
        style = {"description_width": "initial"}
        controls = {
            name: widgets.FloatSlider(value=self.values[name], min=-5, max=5, step=0.1,
                                      description=name, style=style)
            for name in ("w0", "w1", "b")
        }
        controls["activation"] = widgets.Dropdown(
            options=list(self.ACTIVATIONS), value=self.values["activation"],
            description=_("activation"), style=style, layout={"width": "200px"})
        return controls

    def _summary(self):
        s = self._state
        return _("z = {w0:.2f} x0 + {w1:.2f} x1 + {b:.2f}; accuracy {accuracy:.0%}; the "
                 "black line is z = 0").format(w0=s["weights"][0], w1=s["weights"][1],
                                               b=s["bias"], accuracy=s["accuracy"])
