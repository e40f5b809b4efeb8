"""Interactive apps for the notebooks, each usable without a screen.

    LearningRateExplorer   train a small network live; see what the learning rate does
    DescentOnSurface       gradient descent (with momentum) on 1-D and 2-D loss surfaces
    OptimizerRace          SGD, momentum, RMSprop and Adam racing on the same surface
    RegularizationExplorer dropout and L2 sliders on a small network that overfits
    NeuronPlayground       one neuron on 2-D inputs: weights, bias, activation
    BackwardStepper        the backward pass of a small graph, one node at a time

Every app has the same two faces.

The headless API (what tests and scripts use; needs numpy and matplotlib only):

    app = LearningRateExplorer()
    app.set(learning_rate=10)      # like moving the slider; returns app.state
    app.state                      # plain data: numbers, strings, lists
    app.figure                     # the matplotlib Figure that is shown
    app.values                     # the current control values

The notebook face: put ``app`` last in a cell (or call ``app.display()``).  With
ipywidgets in a running Jupyter kernel you get sliders and a picture that redraws when
they move.  Without them (no ipywidgets, or plain Python) you get a static picture of
the current state and a one-line note saying why.

The modules: ``_app.py`` (the framework every app shares), one file per app, and
``surfaces.py`` (the loss surfaces and the descent on them: the maths, no drawing).
matplotlib and ipywidgets are imported when an app is created or shown, not on import.
"""
from ._app import measure_latency, widget_support
from .descent import DescentOnSurface
from .lr_explorer import LearningRateExplorer
from .neuron import NeuronPlayground
from .race import OptimizerRace, optimizer_path
from .regularization import RegularizationExplorer
from .stepper import BackwardStepper, example_graph
from .surfaces import ESCAPED, SURFACES, gradient_descent_path

__all__ = [
    "BackwardStepper", "DescentOnSurface", "ESCAPED", "LearningRateExplorer",
    "NeuronPlayground", "OptimizerRace", "RegularizationExplorer", "SURFACES",
    "example_graph", "gradient_descent_path", "measure_latency", "optimizer_path",
    "widget_support",
]
