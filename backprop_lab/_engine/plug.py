"""Plug your own functional-core functions into the Keras-style model.

    from backprop_lab import use_functions

    with use_functions(dense_forward=dense_forward, dense_backward=dense_backward,
                       relu_forward=relu_forward, relu_backward=relu_backward):
        model.fit(x, y, epochs=5)

Inside the ``with`` block every layer, loss and model of backprop_lab calls *your* versions
of the named functions instead of the ones in ``backprop_lab.functional``; on leaving it
(even through an exception) the originals are back.  While functions are plugged in, the
model also stops differentiating the output activation and the loss together (the "fused"
gradient), so your activation's backward is really used.

Only names of ``backprop_lab.functional`` can be replaced, and each replacement must be
callable; anything else is refused before anything changes.
"""
from contextlib import contextmanager

from .. import functional as F

_active = []  # the stack of {name: function} currently plugged in


def active():
    """True while at least one ``use_functions`` block is running."""
    return bool(_active)


def replaceable():
    """The names ``use_functions`` accepts: the public functions of ``functional``."""
    return sorted(n for n, v in vars(F).items() if callable(v) and not n.startswith("_")
                  and getattr(v, "__module__", None) == F.__name__)


def _check(functions):
    from ..i18n import _  # here, not at the top: ``import backprop_lab`` loads this module

    names = replaceable()
    for name, fn in functions.items():
        if name not in names:
            raise ValueError(
                _("use_functions({name}=...): {name!r} is not a function of "
                  "backprop_lab.functional. Valid names: {valid}.").format(
                      name=name, valid=", ".join(names)))
        if not callable(fn):
            raise TypeError(
                _("use_functions({name}=...): expected a function, got "
                  "{type_name}. Pass the function itself, without calling it.").format(
                      name=name, type_name=type(fn).__name__))


@contextmanager
def use_functions(**functions):
    """Make backprop_lab use the given functions (by their ``functional`` names) inside a
    ``with`` block.  See the module docstring."""
    _check(functions)
    saved_attrs = {name: getattr(F, name) for name in functions}
    saved_acts = dict(F.ACTIVATIONS)
    saved_losses = dict(F.LOSSES)
    for name, fn in functions.items():
        setattr(F, name, fn)
    for table in (F.ACTIVATIONS, F.LOSSES):
        for key, pair in table.items():
            table[key] = tuple(functions.get(f.__name__, f) if f.__name__ in saved_attrs
                               and f is saved_attrs[f.__name__] else f for f in pair)
    _active.append(functions)
    try:
        yield
    finally:
        _active.pop()
        for name, fn in saved_attrs.items():
            setattr(F, name, fn)
        F.ACTIVATIONS.clear()
        F.ACTIVATIONS.update(saved_acts)
        F.LOSSES.clear()
        F.LOSSES.update(saved_losses)
