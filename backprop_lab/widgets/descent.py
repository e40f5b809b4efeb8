"""``DescentOnSurface``: gradient descent, with momentum, on 1-D and 2-D loss surfaces."""
import numpy as np

from .. import plots
from ..gradcheck import numerical_gradient
from ..i18n import _
from ._app import _App, _check_number, _new_figure, regime_label
from .surfaces import SURFACES, gradient_descent_path


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
                    _("DescentOnSurface(surface={surface!r}): choose one of "
                      "{names}, or pass a dict with f, grad, xlim, ylim, start.").format(
                          surface=surface, names=sorted(SURFACES))
                )
            spec = dict(SURFACES[surface], name=surface)
        else:
            spec = dict(surface)
            missing = [k for k in ("f", "xlim") if k not in spec]
            if missing:
                raise ValueError(_("DescentOnSurface(surface=...): the dict needs {missing}.")
                                 .format(missing=missing))
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
                _("DescentOnSurface(start={start!r}): this surface has {dim} "
                  "parameter(s), so start needs {dim} number(s).").format(start=start,
                                                                         dim=self.dim)
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
        self.ax_loss.set_xlabel(_("step"))
        self.ax_loss.set_ylabel(_("loss"))
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
        self.ax_loss.set_title(_("{regime}: final loss {loss:.3g}").format(
            regime=regime_label(s["regime"]), loss=s["final_loss"]))

    def _make_controls(self, widgets):
        style = {"description_width": "initial"}
        xlim, ylim = self.spec["xlim"], self.spec["ylim"]
        controls = {
            "learning_rate": widgets.FloatLogSlider(
                value=self.values["learning_rate"], base=10, min=-4, max=1, step=0.05,
                description=_("learning rate"), readout_format=".3g", style=style),
            "momentum": widgets.FloatSlider(
                value=self.values["momentum"], min=0, max=0.99, step=0.01,
                description=_("momentum"), style=style),
            "steps": widgets.IntSlider(value=self.values["steps"],
                                       min=min(1, self.values["steps"]),
                                       max=max(500, self.values["steps"]),
                                       description=_("steps"), style=style),
            "start_w0": widgets.FloatSlider(
                value=self.values["start_w0"], min=min(xlim[0], self.values["start_w0"]),
                max=max(xlim[1], self.values["start_w0"]), step=0.05,
                description=_("start w0") if self.dim == 2 else _("start w"), style=style),
        }
        if self.dim == 2:
            controls["start_w1"] = widgets.FloatSlider(
                value=self.values["start_w1"], min=min(ylim[0], self.values["start_w1"]),
                max=max(ylim[1], self.values["start_w1"]), step=0.05,
                description=_("start w1"), style=style)
        return controls

    def _layout(self, widgets, controls):
        items = list(controls.values())
        return [widgets.HBox(items[:3]), widgets.HBox(items[3:])]

    def _summary(self):
        s = self._state
        return _("{regime}: {steps} steps, final loss {loss:.4g}, |gradient| at the end "
                 "{grad:.2g}").format(regime=f"<b>{regime_label(s['regime'])}</b>",
                                      steps=len(s["trajectory"]) - 1, loss=s["final_loss"],
                                      grad=s["final_grad_norm"])
