"""Loss surfaces of one or two parameters, with a descent path on them."""
import numpy as np

from ..i18n import _, pgettext
from ._common import _new_axes


def evaluate_surface(f, xlim, ylim=None, resolution=100, vectorized=False):
    """Values of a loss on a grid.

    1-D (ylim None): f(w) takes a float; returns (ws, values), both (resolution,).
    2-D: f(w) takes an array of shape (2,); returns (w0s, w1s, values) with w0s:
        (resolution,), w1s: (resolution,) and values: (resolution, resolution), where
        values[i, j] = f([w0s[j], w1s[i]]) (rows follow the vertical axis).
    vectorized: True if f accepts all points at once: an array (M,) in 1-D or (M, 2)
        in 2-D, returning (M,) values.  Faster; otherwise f is called once per point.
    """
    with np.errstate(all="ignore"):
        w0s = np.linspace(xlim[0], xlim[1], resolution)
        if ylim is None:
            values = f(w0s) if vectorized else [f(float(w)) for w in w0s]
            return w0s, np.asarray(values, dtype=np.float64).reshape(resolution)
        w1s = np.linspace(ylim[0], ylim[1], resolution)
        g0, g1 = np.meshgrid(w0s, w1s)
        points = np.stack([g0.ravel(), g1.ravel()], axis=1)
        values = f(points) if vectorized else [f(p) for p in points]
        return w0s, w1s, np.asarray(values, dtype=np.float64).reshape(resolution, resolution)


def contour_levels(values, n_levels=20):
    """Contour levels at evenly spaced quantiles of the finite values.

    Loss surfaces are steep far from the minimum; equally spaced levels would crowd
    there and leave the interesting valley empty.  Quantiles put as many levels near
    the bottom as near the walls.
    """
    finite = np.asarray(values)[np.isfinite(values)]
    if finite.size == 0:
        raise ValueError(_("the loss is not finite anywhere on this grid; change xlim/ylim."))
    levels = np.unique(np.quantile(finite, np.linspace(0, 1, n_levels)))
    if levels.size < 2:  # a flat surface
        levels = np.array([levels[0] - 1.0, levels[0] + 1.0])
    return levels


def plot_loss_surface(f, xlim=(-2.0, 2.0), ylim=None, trajectory=None, ax=None,
                      resolution=100, levels=20, vectorized=False, title=None):
    """A loss as a function of one or two parameters, with an optional descent path.

    f: the loss.  1-D: f(w) for a float w.  2-D: f(w) for w of shape (2,).
        (With ``vectorized=True``, f gets all grid points at once; see evaluate_surface.)
    xlim: range of w (1-D) or of w0 (2-D).  ylim: range of w1; None means 1-D.
    trajectory: the parameters visited by gradient descent, in order: (T,) in 1-D or
        (T, 2) in 2-D.  Drawn as a line with dots, the start marked with a square.
    Returns the Figure.  1-D: one line for the curve (+ one for the path);
    2-D: filled contours and contour lines (+ one line for the path).
    """
    fig, ax = _new_axes(ax, figsize=(5, 4))
    if ylim is None:
        ws, values = evaluate_surface(f, xlim, None, resolution, vectorized)
        ax.plot(ws, values, color="k", label=_("loss"))
        ax.set_xlabel("$w$")
        ax.set_ylabel(_("loss $L(w)$"))
        if trajectory is not None:
            path = np.asarray(trajectory, dtype=np.float64).reshape(-1)
            with np.errstate(all="ignore"):
                path_values = (np.asarray(f(path), dtype=np.float64) if vectorized
                               else np.array([f(float(w)) for w in path]))
            _draw_path(ax, path, path_values)
    else:
        w0s, w1s, values = evaluate_surface(f, xlim, ylim, resolution, vectorized)
        lv = contour_levels(values, levels) if np.isscalar(levels) else levels
        ax.contourf(w0s, w1s, values, levels=lv, cmap="viridis", extend="both")
        ax.contour(w0s, w1s, values, levels=lv, colors="k", linewidths=0.3)
        ax.set_xlabel("$w_0$")
        ax.set_ylabel("$w_1$")
        if trajectory is not None:
            path = np.asarray(trajectory, dtype=np.float64).reshape(-1, 2)
            _draw_path(ax, path[:, 0], path[:, 1])
        ax.set_xlim(xlim)
        ax.set_ylim(ylim)
    ax.set_title(title or _("loss surface"))
    return fig


def _draw_path(ax, xs, ys):
    ax.plot(xs, ys, "-o", color="tab:red", markersize=3, linewidth=1,
            label=_("descent path"))
    if len(xs):
        ax.plot(xs[:1], ys[:1], "s", color="tab:red", markersize=7,
                label=pgettext("descent path", "start"))
