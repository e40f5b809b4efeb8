"""Training curves: the loss and the metrics of a ``History``, epoch by epoch."""
import numpy as np

from ..i18n import _
from ._common import _new_axes


def _history_dict(history):
    """Accept a History object (with ``.history``), a dict, or a plain list of losses."""
    if hasattr(history, "history") and isinstance(history.history, dict):
        history = history.history
    if isinstance(history, dict):
        return {str(k): np.asarray(v, dtype=np.float64).ravel() for k, v in history.items()}
    values = np.asarray(history, dtype=np.float64)
    if values.ndim != 1:
        raise ValueError(
            _("plot_history(history): give a History object (the result of model.fit), "
              "its .history dict, or a 1-D list of loss values.")
        )
    return {"loss": values}


def plot_history(history, ax=None, metric=None):
    """Loss and metric curves, training and validation, against the epoch (1, 2, ...).

    history: what ``model.fit`` returns (a History), its ``.history`` dict
        (e.g. {'loss': [...], 'val_loss': [...], 'accuracy': [...], ...}), or a list of
        losses.
    metric: which metric to plot beside the loss ('accuracy' by default when present).
    ax: None (a new figure: the loss on the left, the metric on the right when there is
        one), a single Axes (only the loss curves are drawn there), or a pair of Axes.
    Returns the Figure.  Non-finite values (a diverged run) leave a gap in the curve.
    """
    curves = _history_dict(history)
    if "loss" not in curves and not any(k.endswith("loss") for k in curves):
        raise ValueError(
            _("plot_history(history): no 'loss' entry; the keys are {keys}.").format(
                keys=sorted(curves))
        )
    if metric is None:
        metric = next((m for m in ("accuracy", "acc") if m in curves), None)
        if metric is None:
            metric = next((k for k in curves if not k.startswith("val_")
                           and not k.endswith("loss")), None)
    elif metric not in curves:
        raise ValueError(
            _("plot_history(metric={metric!r}): not in the history; its keys are "
              "{keys}.").format(metric=metric, keys=sorted(curves))
        )

    if ax is None:
        n_panels = 2 if metric else 1
        fig, axes = _new_axes(None, 1, n_panels, figsize=(5 * n_panels, 3.5))
        axes = list(np.atleast_1d(axes))
    elif isinstance(ax, (list, tuple, np.ndarray)):
        axes = list(np.ravel(ax))
        fig = axes[0].figure
    else:
        axes, fig = [ax], ax.figure

    loss_keys = [k for k in ("loss", "val_loss") if k in curves]
    _draw_curves(axes[0], curves, loss_keys, "loss")
    if metric and len(axes) > 1:
        metric_keys = [k for k in (metric, "val_" + metric) if k in curves]
        _draw_curves(axes[1], curves, metric_keys, metric)
    return fig


def _shown(quantity):
    """How a quantity of the history is named in a figure (a metric's own name, or the
    loss and accuracy in the learner's language)."""
    return {"loss": _("loss"), "accuracy": _("accuracy")}.get(quantity, quantity)


def _draw_curves(ax, curves, keys, quantity):
    shown = _shown(quantity)
    for key in keys:
        values = curves[key]
        epochs = np.arange(1, len(values) + 1)
        label = (_("validation {quantity}") if key.startswith("val_")
                 else _("training {quantity}")).format(quantity=shown)
        style = "--" if key.startswith("val_") else "-"
        ax.plot(epochs, np.where(np.isfinite(values), values, np.nan), style, label=label)
    ax.set_xlabel(_("epoch"))
    ax.set_ylabel(shown)
    ax.set_title(shown)
    ax.grid(True, alpha=0.3)
    if keys:
        ax.legend()
