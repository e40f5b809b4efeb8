"""Decision boundaries of a classifier on 2-D inputs."""
import numpy as np

from ..i18n import _
from ._common import CLASS_COLORS, _new_axes


def predicted_classes(scores):
    """Class labels from a model's output.

    scores: (N, K) with K >= 2 -> argmax over K (logits or probabilities);
            (N,) or (N, 1)     -> one probability per row: class 1 where it is > 0.5
                                  (values outside [0, 1] are read as logits: class 1
                                  where > 0).
    Returns (N,) int64 labels.
    """
    scores = np.asarray(scores)
    if scores.ndim == 2 and scores.shape[1] >= 2:
        return np.argmax(scores, axis=1).astype(np.int64)
    values = scores.reshape(len(scores))
    with np.errstate(invalid="ignore"):
        if np.all((values >= 0) & (values <= 1)):
            return (values > 0.5).astype(np.int64)
        return (values > 0).astype(np.int64)


def _predict_function(model):
    if hasattr(model, "predict") and callable(model.predict):
        return model.predict
    if callable(model):
        return model
    raise TypeError(
        _("plot_decision_boundary: model must be a function f(X) -> scores or an object "
          "with a .predict(X) method, got {type_name}.").format(type_name=type(model).__name__)
    )


def decision_grid(predict, X, resolution=150, padding=0.5):
    """Predicted classes on a regular grid that covers the data.

    predict: f(points) -> scores, points of shape (resolution**2, 2).
    X: (N, 2) data; the grid spans its range plus ``padding`` on every side.
    Returns (extent, classes): extent = (x_min, x_max, y_min, y_max) and classes of
    shape (resolution, resolution), row i at height y_i (row 0 at the bottom).
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(
            _("decision boundaries need 2-D inputs: X must have shape (N, 2), got {shape}.")
            .format(shape=X.shape)
        )
    x_min, y_min = X.min(axis=0) - padding
    x_max, y_max = X.max(axis=0) + padding
    gx = np.linspace(x_min, x_max, resolution)
    gy = np.linspace(y_min, y_max, resolution)
    xx, yy = np.meshgrid(gx, gy)
    points = np.stack([xx.ravel(), yy.ravel()], axis=1)
    with np.errstate(all="ignore"):
        classes = predicted_classes(predict(points))
    return (x_min, x_max, y_min, y_max), classes.reshape(resolution, resolution)


def class_colormap(n_classes):
    """A ListedColormap with CLASS_COLORS for classes 0..n_classes-1."""
    from matplotlib.colors import ListedColormap

    return ListedColormap([CLASS_COLORS[k % 10] for k in range(max(n_classes, 2))])


def plot_decision_boundary(model, X, y, ax=None, resolution=150, padding=0.5, title=None):
    """Regions where the model predicts each class, with the data points on top.

    model: a function f(X) -> scores or an object with ``.predict`` (e.g. a Sequential).
        Scores may be (N, K) (argmax is the class) or one probability per row (class 1
        above 0.5); see ``predicted_classes``.
    X: (N, 2) inputs.  y: (N,) integer labels (or (N, 1), or one-hot (N, K)).
    Returns the Figure.  Its axes hold one image (the regions, drawn with ``imshow``)
    and one scatter collection (the points).
    """
    predict = _predict_function(model)
    y = _labels(y)
    n_classes = int(max(y.max(initial=0) + 1, 2))
    extent, classes = decision_grid(predict, X, resolution, padding)
    n_classes = max(n_classes, int(classes.max(initial=0)) + 1)
    fig, ax = _new_axes(ax, figsize=(4.5, 4.5))
    cmap = class_colormap(n_classes)
    ax.imshow(classes, origin="lower", extent=extent, cmap=cmap, vmin=-0.5,
              vmax=cmap.N - 0.5, alpha=0.3, interpolation="nearest", aspect="auto")
    X = np.asarray(X)
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap=cmap, vmin=-0.5, vmax=cmap.N - 0.5, s=14,
               edgecolors="k", linewidths=0.4)
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    ax.set_xlabel("$x_0$")
    ax.set_ylabel("$x_1$")
    ax.set_title(title or _("decision boundary"))
    return fig


def _labels(y):
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] > 1:
        return np.argmax(y, axis=1).astype(np.int64)
    return y.reshape(len(y)).astype(np.int64)
