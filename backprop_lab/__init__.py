"""backprop_lab: learn backpropagation by building it, with Keras's names.

``import backprop_lab`` loads numpy only; plots and widgets load matplotlib and ipywidgets
when first used.
"""
from . import config, functional, utils  # noqa: F401

__version__ = "0.1.0"
