"""Activation functions and images (digits) with their labels."""
import numpy as np

from ..i18n import _
from ._common import _new_axes, _pyplot


def plot_activation(name, ax=None, z=None):
    """An activation function and its derivative, from ``functional``'s forward/backward.

    name: 'relu', 'sigmoid', 'tanh' or 'linear' (element-wise activations).
    z: the inputs to draw at, default 401 points in [-5, 5].
    The derivative is the backward function applied to an upstream gradient of ones:
    da/dz = backward(ones, cache).  Returns the Figure (its first two lines: a(z), da/dz).
    """
    from .. import functional

    elementwise = ("relu", "sigmoid", "tanh", "linear")
    if name not in elementwise:
        raise ValueError(
            _("plot_activation(name={name!r}): choose one of {names} (softmax acts "
              "on a whole row, so it has no curve of one variable).").format(
                  name=name, names=elementwise)
        )
    forward, backward = functional.ACTIVATIONS[name]
    z = np.linspace(-5, 5, 401) if z is None else np.asarray(z, dtype=np.float64)
    a, cache = forward(z)
    slope = backward(np.ones_like(z), cache)
    fig, ax = _new_axes(ax, figsize=(4.5, 3.2))
    ax.plot(z, a, label=f"{name}(z)")
    ax.plot(z, slope, "--", label=f"d {name}/dz")
    ax.axhline(0, color="grey", linewidth=0.5)
    ax.axvline(0, color="grey", linewidth=0.5)
    ax.set_xlabel("z")
    ax.set_title(name)
    ax.legend()
    return fig


# --------------------------------------------------------------------------------------
# Images
# --------------------------------------------------------------------------------------
def plot_images(images, labels=None, predictions=None, n=20, n_cols=10, shape=None):
    """A grid of small grey images (e.g. the 8x8 digits) with their labels.

    images: (N, H, W), or (N, H*W) with ``shape=(H, W)`` (a square shape is guessed).
    labels: optional (N,) true labels, shown above each image.
    predictions: optional (N,) predicted labels; a wrong one is shown in red as
        "pred (true)".
    n: how many images to draw (the first n).
    Returns the Figure (one axes per image).
    """
    images = np.asarray(images)
    n = min(int(n), len(images))
    if images.ndim == 2:
        if shape is None:
            side = int(round(np.sqrt(images.shape[1])))
            if side * side != images.shape[1]:
                raise ValueError(
                    _("plot_images: rows of {pixels} pixels are not square; "
                      "pass shape=(height, width).").format(pixels=images.shape[1])
                )
            shape = (side, side)
        images = images.reshape(len(images), *shape)
    n_cols = max(1, min(int(n_cols), n))
    n_rows = max(1, -(-n // n_cols))
    fig, axes = _pyplot().subplots(n_rows, n_cols, figsize=(0.9 * n_cols, 1.1 * n_rows),
                                   squeeze=False)
    for i, ax in enumerate(axes.ravel()):
        ax.axis("off")
        if i >= n:
            continue
        ax.imshow(images[i], cmap="gray_r", interpolation="nearest")
        if predictions is not None:
            pred = int(predictions[i])
            true = None if labels is None else int(labels[i])
            wrong = true is not None and pred != true
            ax.set_title(f"{pred} ({true})" if wrong else str(pred),
                         color="red" if wrong else "black", fontsize=9)
        elif labels is not None:
            ax.set_title(str(int(labels[i])), fontsize=9)
    return fig
