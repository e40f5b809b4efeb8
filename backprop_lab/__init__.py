"""backprop_lab: learn backpropagation by building it, with Keras's names.

    from backprop_lab.models import Sequential
    from backprop_lab.layers import Dense
    from backprop_lab.optimizers import SGD

``import backprop_lab`` loads numpy only; plots and widgets load matplotlib and ipywidgets
when first used.  The formulas live in ``backprop_lab.functional``; the Keras-style classes
compose them; ``use_functions`` plugs a learner's own versions in.
"""
from . import config, functional, utils  # noqa: F401
from . import activations, callbacks, initializers, layers, losses, metrics  # noqa: F401
from . import models, optimizers  # noqa: F401
from .plug import use_functions  # noqa: F401

__version__ = "0.1.0"
