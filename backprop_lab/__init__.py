"""backprop_lab: learn backpropagation by building it, with Keras's names.

    from backprop_lab.models import Sequential
    from backprop_lab.layers import Dense
    from backprop_lab.optimizers import SGD

``import backprop_lab`` loads numpy and the functional core only; the other modules load
on first use (``backprop_lab.models`` works straight after ``import backprop_lab``), and
plots and widgets import matplotlib and ipywidgets only when first used.  The formulas
live in ``backprop_lab.functional``; the Keras-style classes compose them;
``use_functions`` plugs a learner's own versions in.
"""
import importlib

from . import config, functional, utils  # noqa: F401
from ._engine.plug import use_functions  # noqa: F401

__version__ = "0.1.0"

_SUBMODULES = (
    "activations", "autodiff", "callbacks", "cli", "course", "datasets", "exercises",
    "gradcheck", "grading", "i18n", "initializers", "layers", "losses", "metrics",
    "models", "optimizers", "plots", "regularizers", "train_loop", "widgets",
)
#: Names kept for code written against earlier layouts: ``backprop_lab.doctor`` is
#: ``backprop_lab.cli.doctor``.
_MOVED = {"doctor": "cli.doctor", "demo": "cli.demo"}


def __getattr__(name):
    """Import a submodule the first time ``backprop_lab.<name>`` is used."""
    if name in _SUBMODULES or name in _MOVED:
        return importlib.import_module(f"{__name__}.{_MOVED.get(name, name)}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_SUBMODULES) | set(_MOVED))
