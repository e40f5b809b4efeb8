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

The modules: ``training.py`` (history curves), ``boundaries.py``, ``surfaces.py``,
``gradients.py``, ``images.py`` (activations and images) and ``graphs.py`` (autodiff
graphs); ``_common.py`` holds what they share.
"""
from ._common import CLASS_COLORS
from .boundaries import class_colormap, decision_grid, plot_decision_boundary, predicted_classes
from .gradients import gradient_magnitudes, plot_gradient_flow
from .graphs import draw_graph
from .images import plot_activation, plot_images
from .surfaces import contour_levels, evaluate_surface, plot_loss_surface
from .training import plot_history

__all__ = [
    "CLASS_COLORS", "class_colormap", "contour_levels", "decision_grid", "draw_graph",
    "evaluate_surface", "gradient_magnitudes", "plot_activation", "plot_decision_boundary",
    "plot_gradient_flow", "plot_history", "plot_images", "plot_loss_surface",
    "predicted_classes",
]
