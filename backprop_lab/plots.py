"""Plots for the course: training curves, decision boundaries, loss surfaces, gradients.

How to show a figure in a notebook (the convention of this course)
------------------------------------------------------------------
Every function here *draws* and returns the ``matplotlib.figure.Figure``; none of them
calls ``plt.show()``.  End the cell with ``plt.show()``:

    fig = plot_history(history)
    plt.show()

That shows the figure exactly once, in Jupyter and under nbval alike.  Two things to
avoid: ending the cell with the bare call ``plot_history(history)`` shows the figure
twice (once as the cell's value, once by matplotlib's inline backend), and a trailing
``;`` does not help under nbval, which ignores it.

Pass ``ax=`` to draw into an axes you made yourself (for example one panel of a larger
figure); the function then draws there and returns ``ax.figure``.  Without ``ax`` a new
figure is made with ``plt.subplots``.

matplotlib is imported inside the functions, so ``import backprop_lab`` stays light.
The pictures are deterministic: no random colours or jitter.
"""
import numpy as np

# Class colours (matplotlib's "tab10" cycle): class k is drawn in CLASS_COLORS[k % 10].
CLASS_COLORS = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
)


def _pyplot():
    import matplotlib.pyplot as plt

    return plt


def _new_axes(ax, nrows=1, ncols=1, figsize=None):
    """Return (figure, axes): the given ax, or a new figure made with plt.subplots."""
    if ax is not None:
        return ax.figure, ax
    fig, axes = _pyplot().subplots(nrows, ncols, figsize=figsize, squeeze=True)
    return fig, axes


# --------------------------------------------------------------------------------------
# Training curves
# --------------------------------------------------------------------------------------
def _history_dict(history):
    """Accept a History object (with ``.history``), a dict, or a plain list of losses."""
    if hasattr(history, "history") and isinstance(history.history, dict):
        history = history.history
    if isinstance(history, dict):
        return {str(k): np.asarray(v, dtype=np.float64).ravel() for k, v in history.items()}
    values = np.asarray(history, dtype=np.float64)
    if values.ndim != 1:
        raise ValueError(
            "plot_history(history): give a History object (the result of model.fit), "
            "its .history dict, or a 1-D list of loss values."
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
            f"plot_history(history): no 'loss' entry; the keys are {sorted(curves)}."
        )
    if metric is None:
        metric = next((m for m in ("accuracy", "acc") if m in curves), None)
        if metric is None:
            metric = next((k for k in curves if not k.startswith("val_")
                           and not k.endswith("loss")), None)
    elif metric not in curves:
        raise ValueError(
            f"plot_history(metric={metric!r}): not in the history; its keys are "
            f"{sorted(curves)}."
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


def _draw_curves(ax, curves, keys, quantity):
    for key in keys:
        values = curves[key]
        epochs = np.arange(1, len(values) + 1)
        label = ("validation " if key.startswith("val_") else "training ") + quantity
        style = "--" if key.startswith("val_") else "-"
        ax.plot(epochs, np.where(np.isfinite(values), values, np.nan), style, label=label)
    ax.set_xlabel("epoch")
    ax.set_ylabel(quantity)
    ax.set_title(quantity)
    ax.grid(True, alpha=0.3)
    if keys:
        ax.legend()


# --------------------------------------------------------------------------------------
# Decision boundaries
# --------------------------------------------------------------------------------------
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
        f"plot_decision_boundary: model must be a function f(X) -> scores or an object "
        f"with a .predict(X) method, got {type(model).__name__}."
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
            f"decision boundaries need 2-D inputs: X must have shape (N, 2), got {X.shape}."
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
    ax.set_title(title or "decision boundary")
    return fig


def _labels(y):
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] > 1:
        return np.argmax(y, axis=1).astype(np.int64)
    return y.reshape(len(y)).astype(np.int64)


# --------------------------------------------------------------------------------------
# Loss surfaces
# --------------------------------------------------------------------------------------
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
        raise ValueError("the loss is not finite anywhere on this grid; change xlim/ylim.")
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
        ax.plot(ws, values, color="k", label="loss")
        ax.set_xlabel("$w$")
        ax.set_ylabel("loss $L(w)$")
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
    ax.set_title(title or "loss surface")
    return fig


def _draw_path(ax, xs, ys):
    ax.plot(xs, ys, "-o", color="tab:red", markersize=3, linewidth=1, label="descent path")
    if len(xs):
        ax.plot(xs[:1], ys[:1], "s", color="tab:red", markersize=7, label="start")


# --------------------------------------------------------------------------------------
# Gradient flow
# --------------------------------------------------------------------------------------
def _named_arrays(grads_by_layer):
    if isinstance(grads_by_layer, dict):
        items = list(grads_by_layer.items())
    else:
        items = []
        for i, item in enumerate(grads_by_layer):
            if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str):
                items.append(item)
            else:
                items.append((f"layer {i + 1}", item))
    if not items:
        raise ValueError("plot_gradient_flow(grads_by_layer): no gradients given.")
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
           label="mean |gradient|", color="tab:blue")
    ax.bar(positions + 0.2, np.where(maxes > 0, maxes, np.nan), width=0.4,
           label="max |gradient|", color="tab:orange", alpha=0.7)
    ax.set_yscale("log")
    ax.set_ylim(bottom=floor)
    for x, value in zip(positions, maxes):
        if value == 0:
            ax.text(x, floor, "0", ha="center", va="bottom")
    ax.set_xticks(positions)
    ax.set_xticklabels(names, rotation=30 if len(names) > 4 else 0)
    ax.set_ylabel("|dL/dw|")
    ax.set_title(title or "gradient flow")
    ax.legend()
    return fig


# --------------------------------------------------------------------------------------
# Activation functions
# --------------------------------------------------------------------------------------
def plot_activation(name, ax=None, z=None):
    """An activation function and its derivative, from ``functional``'s forward/backward.

    name: 'relu', 'sigmoid', 'tanh' or 'linear' (element-wise activations).
    z: the inputs to draw at, default 401 points in [-5, 5].
    The derivative is the backward function applied to an upstream gradient of ones:
    da/dz = backward(ones, cache).  Returns the Figure (its first two lines: a(z), da/dz).
    """
    from . import functional

    elementwise = ("relu", "sigmoid", "tanh", "linear")
    if name not in elementwise:
        raise ValueError(
            f"plot_activation(name={name!r}): choose one of {elementwise} (softmax acts "
            "on a whole row, so it has no curve of one variable)."
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
                    f"plot_images: rows of {images.shape[1]} pixels are not square; "
                    "pass shape=(height, width)."
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


# --------------------------------------------------------------------------------------
# Computation graphs (backprop_lab.autodiff)
# --------------------------------------------------------------------------------------
def _depths(order):
    """Column of each node: 0 for inputs, else 1 + the largest column of its children."""
    depth = {}
    for node in order:
        depth[id(node)] = 1 + max((depth[id(c)] for c in node.children), default=-1)
    return depth


def draw_graph(root, ax=None):
    """Draw root's computation graph with matplotlib (no graphviz needed).

    The output is on the right; each node is one column further right than the deepest
    of its inputs, and each input sits one column left of the first node that uses it.
    A box shows the node's label and operation, its value (data) and its gradient
    (grad).  An arrow goes from each input to the node computed from it.
    ax: a matplotlib Axes to draw on (default: a new figure).
    Returns the matplotlib Figure.  The boxes are the Axes' texts that have a bbox patch,
    one per node, added in ``topological_order(root)`` (a widget can recolour them).
    """
    import matplotlib.pyplot as plt  # lazy: importing backprop_lab needs numpy only

    from .autodiff import topological_order

    order = topological_order(root)
    depth = _depths(order)
    # An input (a node with no children) sits one column left of the first node that
    # uses it, so that a constant used late does not send an arrow across the figure.
    users = {}
    for node in order:
        for child in node.children:
            users.setdefault(id(child), []).append(depth[id(node)])
    for node in order:
        if not node.children and id(node) in users:
            depth[id(node)] = min(users[id(node)]) - 1
    columns = {}
    for node in order:
        columns.setdefault(depth[id(node)], []).append(node)
    n_cols = max(columns) + 1
    n_rows = max(len(nodes) for nodes in columns.values())
    position = {}  # id(node) -> (x, y); rows go downwards, each column centred
    for col, nodes in columns.items():
        offset = (n_rows - len(nodes)) / 2
        for row, node in enumerate(nodes):
            position[id(node)] = (col, -(row + offset))

    if ax is None:
        fig, ax = plt.subplots(figsize=(max(4.0, 2.6 * n_cols), max(2.5, 1.3 * n_rows)))
    else:
        fig = ax.figure
    boxes = {}
    for node in order:
        x, y = position[id(node)]
        title = node.label or ""
        if node.op:
            title = f"{title} ({node.op})" if title else f"({node.op})"
        text = f"{title}\ndata {node.data:.4g}\ngrad {node.grad:.4g}"
        colour = "#dbe9f6" if not node.children else "#fdf1d6"  # inputs blue, ops yellow
        boxes[id(node)] = ax.text(x, y, text, ha="center", va="center", fontsize=9,
                                  family="monospace", zorder=4,  # boxes above the arrows
                                  bbox=dict(boxstyle="round,pad=0.4", fc=colour, ec="0.3"))
    for node in order:
        for child in node.children:
            # from the right edge of the input's box to the left edge of the node's box
            ax.annotate("", xy=(0, 0.5), xycoords=boxes[id(node)],
                        xytext=(1, 0.5), textcoords=boxes[id(child)],
                        arrowprops=dict(arrowstyle="->", color="0.4", lw=1,
                                        shrinkA=4, shrinkB=4), zorder=2)
    ax.set_xlim(-0.6, n_cols - 0.4)
    ax.set_ylim(-n_rows + 0.4, 0.6)
    ax.set_axis_off()
    return fig
