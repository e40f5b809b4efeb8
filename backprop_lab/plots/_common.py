"""What every plot shares: pyplot imported on first use, new axes, the class colours."""
from ..i18n import prepare_figures

# Class colours (matplotlib's "tab10" cycle): class k is drawn in CLASS_COLORS[k % 10].
CLASS_COLORS = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
)


def _pyplot():
    import matplotlib.pyplot as plt

    prepare_figures()  # a font with Chinese characters when the language is Chinese
    return plt


def _new_axes(ax, nrows=1, ncols=1, figsize=None):
    """Return (figure, axes): the given ax, or a new figure made with plt.subplots."""
    if ax is not None:
        prepare_figures()
        return ax.figure, ax
    fig, axes = _pyplot().subplots(nrows, ncols, figsize=figsize, squeeze=True)
    return fig, axes
