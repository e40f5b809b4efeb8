"""Gradient flow: the size of each layer's gradients."""
import numpy as np

from ..i18n import _
from ._common import _new_axes


def _named_arrays(grads_by_layer):
    if isinstance(grads_by_layer, dict):
        items = list(grads_by_layer.items())
    else:
        items = []
        for i, item in enumerate(grads_by_layer):
            if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str):
                items.append(item)
            else:
                items.append((_("layer {number}").format(number=i + 1), item))
    if not items:
        raise ValueError(_("plot_gradient_flow(grads_by_layer): no gradients given."))
    return [(str(name), np.asarray(g, dtype=np.float64)) for name, g in items]


def gradient_magnitudes(grads_by_layer):
    """Mean and max of |g| for each layer: returns (names, means, maxes)."""
    named = _named_arrays(grads_by_layer)
    names = [name for name, _ in named]
    means = np.array([np.mean(np.abs(g)) if g.size else 0.0 for _, g in named])
    maxes = np.array([np.max(np.abs(g)) if g.size else 0.0 for _, g in named])
    return names, means, maxes


def plot_gradient_flow(grads_by_layer, ax=None, title=None):
    """How large the gradients are in each layer, input side on the left.

    grads_by_layer: a dict {name: gradient array}, or a list of arrays (named layer 1,
        layer 2, ...), or a list of (name, array) pairs, in the order of the layers.
    Draws two bars per layer on a log scale: the mean of |g| and the max of |g|.
    Vanishing gradients show as bars that shrink towards the input; a layer whose
    gradient is exactly zero is marked "0" at the bottom (a log scale cannot draw 0).
    Returns the Figure.
    """
    names, means, maxes = gradient_magnitudes(grads_by_layer)
    fig, ax = _new_axes(ax, figsize=(max(4, 0.9 * len(names) + 2), 3.5))
    positions = np.arange(len(names))
    positive = np.concatenate([means[means > 0], maxes[maxes > 0]])
    floor = positive.min() / 10 if positive.size else 1e-12
    ax.bar(positions - 0.2, np.where(means > 0, means, np.nan), width=0.4,
           label=_("mean |gradient|"), color="tab:blue")
    ax.bar(positions + 0.2, np.where(maxes > 0, maxes, np.nan), width=0.4,
           label=_("max |gradient|"), color="tab:orange", alpha=0.7)
    ax.set_yscale("log")
    ax.set_ylim(bottom=floor)
    for x, value in zip(positions, maxes):
        if value == 0:
            ax.text(x, floor, "0", ha="center", va="bottom")
    ax.set_xticks(positions)
    ax.set_xticklabels(names, rotation=30 if len(names) > 4 else 0)
    ax.set_ylabel("|dL/dw|")
    ax.set_title(title or _("gradient flow"))
    ax.legend()
    return fig
