"""``OptimizerRace``: SGD, momentum, RMSprop and Adam from the same start on the same loss
surface, each step one of ``functional``'s update rules."""
import numpy as np

from .. import functional as F
from .. import plots
from ..i18n import _
from ._app import _App, _check_number, _new_figure
from .surfaces import ESCAPED, SURFACES

#: The racers, in the order they are drawn, and their colours.
RACERS = ("SGD", "momentum", "RMSprop", "Adam")
COLORS = {"SGD": "tab:red", "momentum": "tab:orange", "RMSprop": "tab:purple",
          "Adam": "white"}
#: The 2-D surfaces of notebook 06 the race runs on.
RACE_SURFACES = tuple(name for name, spec in SURFACES.items() if spec["ylim"] is not None)


def racer_label(name):
    """A racer's name as the learner reads it (the optimizers keep their Keras names)."""
    return _("momentum") if name == "momentum" else name


def optimizer_path(name, grad, start, steps, learning_rate, adaptive_learning_rate,
                   momentum=0.9):
    """The points one optimizer visits from ``start`` (P,), each step an update rule of
    ``backprop_lab.functional`` with Keras's defaults for the other settings:

        'SGD'       sgd_update(w, g, learning_rate)
        'momentum'  sgd_momentum_update(w, g, velocity, learning_rate, momentum)
        'RMSprop'   rmsprop_update(w, g, velocity, adaptive_learning_rate)
        'Adam'      adam_update(w, g, m, v, step, adaptive_learning_rate)

    (RMSprop and Adam take steps of about their learning rate whatever the size of the
    gradient, so they get a rate of their own.)  Returns (T, P) points, T <= steps + 1:
    it stops early when a point is not finite or farther than ESCAPED from the origin.
    """
    w = np.array(start, dtype=np.float64).reshape(-1)
    state = [np.zeros_like(w), np.zeros_like(w)]
    path = [w.copy()]
    with np.errstate(all="ignore"):
        for step in range(1, int(steps) + 1):
            g = np.asarray(grad(w), dtype=np.float64).reshape(-1)
            if name == "SGD":
                w = F.sgd_update(w, g, learning_rate)
            elif name == "momentum":
                w, state[0] = F.sgd_momentum_update(w, g, state[0], learning_rate, momentum)
            elif name == "RMSprop":
                w, state[0] = F.rmsprop_update(w, g, state[0], adaptive_learning_rate)
            else:
                w, state[0], state[1] = F.adam_update(w, g, state[0], state[1], step,
                                                      adaptive_learning_rate)
            if not np.all(np.isfinite(w)) or np.max(np.abs(w)) > ESCAPED:
                break
            path.append(w.copy())
    return np.array(path)


class OptimizerRace(_App):
    """Four optimizers race from the same start on a loss surface of two weights.

    surface: 'ravine' (a long narrow valley), 'rosenbrock' (a curved one) or 'bowl'.
    Controls (names for ``set``): surface, learning_rate (SGD and momentum, 1e-4 .. 1,
    log), adaptive_learning_rate (RMSprop and Adam, 1e-3 .. 1, log), momentum (0 .. 0.99),
    steps (10 .. 1000).

    ``state``: the settings, and for each racer (``state['racers'][name]``):
    trajectory (list of points), losses, final_loss, escaped (True if it flew off),
    reached (the first step whose loss is below ``target``, or None); ``ranking``: the
    racers, first the ones that reached the target (fewest steps first), then the others
    by final loss; ``target``: 1e-3.
    """

    TARGET = 1e-3

    def __init__(self, surface="ravine", learning_rate=0.02, adaptive_learning_rate=0.1,
                 momentum=0.9, steps=150):
        super().__init__({"surface": surface, "learning_rate": learning_rate,
                          "adaptive_learning_rate": adaptive_learning_rate,
                          "momentum": momentum, "steps": steps})
        for name in list(self.values):
            self.values[name] = self._validate(name, self.values[name])
        self._drawn_surface = None
        self._build_figure()
        self._refresh()

    def _validate(self, name, value):
        owner = "OptimizerRace"
        if name == "surface":
            if value not in RACE_SURFACES:
                raise ValueError(_("{owner}(surface={value!r}): choose one of {names}.")
                                 .format(owner=owner, value=value,
                                         names=", ".join(RACE_SURFACES)))
            return value
        if name == "learning_rate":
            return _check_number(owner, name, value, 1e-6, 10.0)
        if name == "adaptive_learning_rate":
            return _check_number(owner, name, value, 1e-6, 10.0)
        if name == "momentum":
            return _check_number(owner, name, value, 0.0, 0.999)
        return _check_number(owner, name, value, 1, 5000, integer=True)  # steps

    def _compute(self):
        v = self.values
        spec = SURFACES[v["surface"]]
        racers = {}
        for name in RACERS:
            path = optimizer_path(name, spec["grad"], spec["start"], v["steps"],
                                  v["learning_rate"], v["adaptive_learning_rate"],
                                  v["momentum"])
            with np.errstate(all="ignore"):
                losses = [float(spec["f"](w)) for w in path]
            below = [t for t, loss in enumerate(losses) if loss < self.TARGET]
            racers[name] = {"trajectory": path.tolist(), "losses": losses,
                            "final_loss": losses[-1], "escaped": len(path) < v["steps"] + 1,
                            "reached": below[0] if below else None}

        def order(name):
            r = racers[name]
            if r["reached"] is not None:
                return (0, r["reached"], 0.0)
            return (1, 0, np.inf if r["escaped"] else r["final_loss"])

        self._state = dict(v, racers=racers, ranking=sorted(RACERS, key=order),
                           target=self.TARGET)

    def _build_figure(self):
        self.figure = fig = _new_figure(9.0, 3.6)
        self.ax_surface, self.ax_loss = fig.subplots(1, 2)
        self.lines, self.curves = {}, {}
        for name in RACERS:
            (self.curves[name],) = self.ax_loss.plot([], [], color=COLORS[name],
                                                     label=racer_label(name))
        self.curves["Adam"].set_color("black")
        self.ax_loss.set_yscale("log")
        self.ax_loss.set_ylim(1e-6, 10.0)
        self.ax_loss.axhline(self.TARGET, color="0.5", linewidth=0.6, linestyle=":")
        self.ax_loss.set_xlabel(_("step"))
        self.ax_loss.set_ylabel(_("loss"))
        self.ax_loss.legend(loc="upper right", fontsize=8)
        self.ax_loss.grid(True, alpha=0.3)

    def _draw_surface(self):
        """(Re)draw the contours when the surface changed, with one line per racer."""
        name = self.values["surface"]
        if self._drawn_surface == name:
            return
        spec = SURFACES[name]
        self.ax_surface.cla()
        plots.plot_loss_surface(spec["f"], xlim=spec["xlim"], ylim=spec["ylim"],
                                ax=self.ax_surface, resolution=120, vectorized=True,
                                title=spec["formula"])
        for racer in RACERS:
            (self.lines[racer],) = self.ax_surface.plot(
                [], [], "-o", color=COLORS[racer], markersize=2, linewidth=1.2,
                label=racer_label(racer))
        self._drawn_surface = name

    def _draw(self):
        self._draw_surface()
        s = self._state
        finite_low, finite_high = np.inf, 0.0
        for name in RACERS:
            r = s["racers"][name]
            path = np.array(r["trajectory"])
            self.lines[name].set_data(path[:, 0], path[:, 1])
            losses = np.array(r["losses"])
            self.curves[name].set_data(np.arange(len(losses)), losses)
            good = losses[np.isfinite(losses) & (losses > 0)]
            if good.size:
                finite_low, finite_high = min(finite_low, good.min()), max(finite_high,
                                                                           good.max())
        if np.isfinite(finite_low):
            self.ax_loss.set_ylim(max(finite_low / 2, 1e-12), finite_high * 2)
        self.ax_loss.set_xlim(0, s["steps"])
        self.ax_loss.set_title(_("first to loss < {threshold:g}: {winner}").format(
            threshold=self.TARGET, winner=racer_label(s["ranking"][0])))

    def _make_controls(self, widgets):
        style = {"description_width": "initial"}
        return {
            "surface": widgets.Dropdown(options=list(RACE_SURFACES),
                                        value=self.values["surface"],
                                        description=_("surface")),
            "learning_rate": widgets.FloatLogSlider(
                value=self.values["learning_rate"], base=10, min=-4, max=0, step=0.05,
                description=_("SGD, momentum: rate"), readout_format=".3g", style=style),
            "adaptive_learning_rate": widgets.FloatLogSlider(
                value=self.values["adaptive_learning_rate"], base=10, min=-3, max=0,
                step=0.05, description=_("RMSprop, Adam: rate"), readout_format=".3g",
                style=style),
            "momentum": widgets.FloatSlider(value=self.values["momentum"], min=0, max=0.99,
                                            step=0.01, description=_("momentum"),
                                            style=style),
            "steps": widgets.IntSlider(value=self.values["steps"], min=10, max=1000,
                                       description=_("steps"), style=style),
        }

    def _layout(self, widgets, controls):
        items = list(controls.values())
        return [widgets.HBox(items[:3]), widgets.HBox(items[3:])]

    def _summary(self):
        s = self._state
        parts = []
        for name in s["ranking"]:
            r = s["racers"][name]
            shown = racer_label(name)
            if r["escaped"]:
                parts.append(_("{name}: flew off").format(name=shown))
            elif r["reached"] is not None:
                parts.append(_("{name}: {steps} steps").format(name=shown, steps=r["reached"]))
            else:
                parts.append(_("{name}: not there ({loss:.2g})").format(name=shown,
                                                                       loss=r["final_loss"]))
        return _("{surface}, steps to loss &lt; {threshold:g}: {results}").format(
            surface=f"<b>{s['surface']}</b>", threshold=self.TARGET, results="; ".join(parts))
