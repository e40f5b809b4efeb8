"""Exercises of notebook 04_autograd_engine: the learner builds a scalar reverse-mode
autodiff engine (micrograd style), a tiny neural-network library on top of it, and trains it.

The engine the learner writes
-----------------------------
The notebook gives the class ``Value`` below (``__init__`` and ``__repr__`` only).  Every
operation the learner writes is a function that the notebook attaches to the class
(``Value.__mul__ = value_mul``); it returns a new Value ``out`` that records the Values it
was made from (``out.children``) and a closure ``out._backward`` which adds, for each
input, the local derivative times ``out.grad`` to that input's ``grad``.
``value_backward`` seeds the output's gradient with 1 and calls every ``_backward`` in
reverse topological order.  This is what the checks may use of a learner's Value:
``.data``, ``.grad``, ``.children``, ``._backward``, and the operators of the exercises.

How the pieces are graded, one idea each
----------------------------------------
* An operation (``value_add`` ... ``value_relu``, ``value_log``) becomes the method of a
  fresh engine class whose other methods are the references; the learner's function sees
  that class under the name ``Value``, and the reference of the operation itself is not in
  it.  The check builds the case's graph, sets the result's gradient (1 or another number)
  and runs a known-good backward pass (every node's ``_backward`` in reverse topological
  order), so an operation is checked before, and independently of, the learner's
  ``value_backward``.  A node used twice (``x * x``, ``3 * tanh(x) + x``) catches ``=``
  instead of ``+=``; an upstream gradient other than 1 catches a forgotten ``out.grad``.
* ``topological_order`` is checked on graphs of known-good Values by what matters, not by
  one particular order: every node once, each after its inputs, the output last.
* ``value_backward`` runs on graphs built from known-good operations, with the reference
  ``topological_order`` in reach (``depends``).
* ``add_operators`` gets a fresh class that has ``+``, ``*`` and ``**`` but no reflected or
  derived operators, so ``3 * x`` fails when ``__rmul__`` is missing.
* ``Neuron``, ``Layer`` and ``MLP`` are copied with ``Value`` (and ``Neuron`` for a Layer,
  ``Layer`` for an MLP) bound to the reference versions, their weights set by the check.
* ``value_mse`` gets reference Values.  ``train_mlp`` and ``train_mlp_moons`` (the
  notebook's run, with the accuracy the notebook states) train a reference MLP whose
  neurons are single nodes (``_FusedNeuron``: the same numbers from fewer Values, so that
  thousands of steps stay fast), with the reference ``value_mse`` in reach.

``depends`` lists, for each exercise, the classes and functions whose code a check runs
on purpose while it watches the learner's code (cascade isolation), never the reference
of the exercise itself.  Every check returns plain data (dicts of numbers, booleans and
sentences), compared by ``_compare_found``, whose messages name what differs
("x.grad = 1, expected 2").

The references and the package's engine
---------------------------------------
``backprop_lab.autodiff.Value`` keeps each operation's local derivatives as numbers
(``local_grads``) and its ``backward()`` resets every gradient of the graph first.  The
engine here keeps closures instead, and its backward pass does not reset anything (as in
micrograd and PyTorch), which is why a training loop must zero the gradients.  The
references compute the same values and gradients as ``backprop_lab.autodiff`` (the tests
check this on many graphs), and ``topological_order``'s reference is
``backprop_lab.autodiff.topological_order`` itself.  The reference operations build their
result with the class of ``self``, so that they also work when the notebook attaches them
to its own ``Value`` class (``or_reference``).
"""
import math
import reprlib
import string
import types

import numpy as np

from .. import autodiff, datasets
from ..grading.spec import Exercise, edge_case, fixed_case, random_case
from ..i18n import N_, _

NOTEBOOK = "04_autograd_engine"


# --------------------------------------------------------------------------------------
# The Value class the notebook gives (the same code), and the reference operations
# --------------------------------------------------------------------------------------
def _nothing():
    """The _backward of an input: there is nothing to pass on."""


class _ValueBase:
    """A number that remembers how it was computed (the notebook's given class)."""

    def __init__(self, data, children=(), op="", label=""):
        # the notebook's float(data) and tuple(children), without the calls where the
        # values already are a float and a tuple (the checks build many Values)
        self.data = data if data.__class__ is float else float(data)
        self.grad = 0.0                   # dL/d(this value), filled in by backward()
        self.children = children if children.__class__ is tuple else tuple(children)
        self.op = op                      # the operation that made it, for drawings
        self.label = label                # a name, for drawings
        self._backward = _nothing         # passes self.grad on to the children

    def __repr__(self):
        name = f"{self.label}: " if self.label else ""
        return f"Value({name}data={self.data:.4g}, grad={self.grad:.4g})"


def _is_value(v):
    """Whether ``v`` is a Value of either engine of this notebook (duck typing: the
    notebook's own class and this module's have the same attributes)."""
    return all(hasattr(v, name) for name in ("data", "grad", "children", "_backward"))


def _as_value(cls, other):
    if isinstance(other, (int, float)):           # the two fast tests first
        return cls(other)
    if isinstance(other, _ValueBase) or _is_value(other):
        return other
    return cls(other)


def value_add(self, other):
    """self + other: a Value or a number on the right.

        out = a + b,     d(out)/da = 1,    d(out)/db = 1

    (A plain number needs no gradient, so it is not made a Value here; the learner's
    version, which wraps it, gives the same values and gradients.)
    """
    cls = self.__class__
    if isinstance(other, (int, float)):
        out = cls(self.data + other, (self,), "+")

        def _backward():
            self.grad += out.grad
    else:
        if not isinstance(other, _ValueBase):
            other = _as_value(cls, other)
        out = cls(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad += out.grad
            other.grad += out.grad

    out._backward = _backward
    return out


def value_mul(self, other):
    """self * other: a Value or a number on the right.

        out = a * b,     d(out)/da = b,    d(out)/db = a
    """
    cls = self.__class__
    if isinstance(other, (int, float)):
        out = cls(self.data * other, (self,), "*")

        def _backward():
            self.grad += other * out.grad
    else:
        if not isinstance(other, _ValueBase):
            other = _as_value(cls, other)
        out = cls(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

    out._backward = _backward
    return out


def value_pow(self, k):
    """self ** k for a plain number k.

        out = x ** k,    d(out)/dx = k * x ** (k - 1)
    """
    out = self.__class__(self.data ** k, (self,), f"**{k:g}")

    def _backward():
        self.grad += k * self.data ** (k - 1) * out.grad

    out._backward = _backward
    return out


def value_exp(self):
    """exp(self).

        out = e ** x,    d(out)/dx = e ** x = out
    """
    out = self.__class__(math.exp(self.data), (self,), "exp")

    def _backward():
        self.grad += out.data * out.grad

    out._backward = _backward
    return out


def value_tanh(self):
    """tanh(self).

        t = tanh(x),     dt/dx = 1 - t ** 2   (written with the output t)
    """
    t = math.tanh(self.data)
    out = self.__class__(t, (self,), "tanh")

    def _backward():
        self.grad += (1 - t ** 2) * out.grad

    out._backward = _backward
    return out


def value_relu(self):
    """relu(self) = max(x, 0).

        d(out)/dx = 1 where x > 0, else 0 (0 at the kink x = 0, as Keras and the package)
    """
    out = self.__class__(self.data if self.data > 0 else 0.0, (self,), "relu")

    def _backward():
        self.grad += (self.data > 0) * out.grad

    out._backward = _backward
    return out


def value_log(self):
    """log(self), the natural logarithm, for self.data > 0 (an optional exercise).

        out = ln x,      d(out)/dx = 1 / x   (written with the input)
    """
    out = self.__class__(math.log(self.data), (self,), "log")

    def _backward():
        self.grad += out.grad / self.data

    out._backward = _backward
    return out


#: Every node of root's graph once, each after all of its children, root last: the
#: reference of the exercise is the package's own function.
topological_order = autodiff.topological_order


def _depth_first_order(root):
    """A topological order of root's graph (root last), depth first; the same job as
    ``autodiff.topological_order`` with fewer calls (the checks run many backward passes,
    some of them under the grader's watch, which slows every call)."""
    order, seen = [], set()

    def visit(node):
        seen.add(node)
        for child in node.children:
            if child not in seen:
                visit(child)
        order.append(node)

    visit(root)
    return order


def value_backward(self):
    """Fill ``.grad`` of every node of the graph with d(self)/d(node): seed the output's
    gradient with 1, then call each node's ``_backward`` in reverse topological order.
    It adds into the grads: it does not reset them first."""
    order = _depth_first_order(self)
    self.grad = 1.0
    for node in reversed(order):
        node._backward()


def add_operators(cls):
    """Give the class ``cls`` the operators built from +, * and **: -x, x - y (and a number
    on either side), numbers on the left of + and *, and x / y (either side).
    Changes ``cls`` in place; returns nothing."""

    def neg(self):                 # -x
        return self * -1

    def radd(self, other):         # 2 + x   (Python calls x.__radd__(2))
        return self + other

    def rmul(self, other):         # 2 * x
        return self * other

    def sub(self, other):          # x - y
        return self + (-other)

    def rsub(self, other):         # 2 - x
        return other + (-self)

    def truediv(self, other):      # x / y
        return self * other ** -1

    def rtruediv(self, other):     # 2 / x
        return other * self ** -1

    cls.__neg__ = neg
    cls.__radd__ = radd
    cls.__rmul__ = rmul
    cls.__sub__ = sub
    cls.__rsub__ = rsub
    cls.__truediv__ = truediv
    cls.__rtruediv__ = rtruediv


_CORE = {"__add__": value_add, "__mul__": value_mul, "__pow__": value_pow,
         "exp": value_exp, "tanh": value_tanh, "relu": value_relu, "log": value_log,
         "backward": value_backward}


def _bare_class():
    """A fresh Value class with +, *, **, exp, tanh, relu, log and backward, and nothing
    else (no -x, no x - y, no 2 * x): what ``add_operators`` starts from."""
    return type("Value", (_ValueBase,), dict(_CORE))


def _operators():
    """The methods add_operators gives a class: {name: function}."""
    template = _bare_class()
    add_operators(template)
    return {name: method for name, method in vars(template).items() if name not in _CORE
            and callable(method) and name.startswith("__") and name != "__init__"}


_OPERATORS = _operators()


def _engine(without=(), **methods):
    """A fresh Value class with every reference method but those named in ``without``,
    and ``methods`` (name -> function) added: the engine a check builds its graphs with.
    (It copies the methods; it calls no reference, so that a check may run it while it
    watches the learner's code.)"""
    cls = type("Value", (_ValueBase,), {**_CORE, **_OPERATORS})
    for name in without:
        delattr(cls, name)
    for name, method in methods.items():
        setattr(cls, name, method)
    return cls


#: The reference engine: the given class with every reference operation attached.
Value = _engine()
Value.__doc__ = "A scalar of the notebook's engine, with every reference operation."


# --------------------------------------------------------------------------------------
# Machinery of the checks: graphs from plain data, a known-good backward pass
# --------------------------------------------------------------------------------------
class _Problem(Exception):
    """Something the learner's code returned that a check cannot use (not a Value, ...);
    the check reports it as the case's message instead of running on.  Its argument is a
    sentence kept as data (``_say``)."""


def _say(template, **fields):
    """A sentence kept as data until a verdict shows it: the English template (marked with
    ``N_``) and its fields, which may be sentences themselves.  A check's results cross
    the sandbox's wire and are compared with the reference's, so they hold no translated
    text; ``_shown`` renders the sentence in the language of the verdict."""
    return {"say": template, "with": fields}


#: The longest field a shown sentence takes (results come from the untrusted side).
_FIELD_CHARS = 300
_SHORT = reprlib.Repr()  # a short repr of anything else (nesting and lengths cut)
_SHORT.maxlevel, _SHORT.maxstring, _SHORT.maxother = 3, _FIELD_CHARS, _FIELD_CHARS


def _plain_fields(template):
    """The names of a template's fields if every field is a plain ``{name}`` (no
    attribute, index, conversion or format spec), else None.  A result crosses from the
    sandbox, so a template is data an attacker may write: ``{a:>999999999}`` would make
    the grader build a gigabyte of text."""
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError:
        return None
    names = set()
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        if not name.isidentifier() or spec or conversion:
            return None
        names.add(name)
    return names


def _shown(said, depth=0):
    """The text of a sentence made by ``_say``, in the current language (anything else as
    ``str`` gives it, shortened)."""
    if isinstance(said, (str, int, float, bool)) or said is None:
        return str(said)[:_FIELD_CHARS]
    if not (isinstance(said, dict) and isinstance(said.get("say"), str)
            and isinstance(said.get("with"), dict)) or depth > 4:
        return _SHORT.repr(said)
    template = said["say"][:_FIELD_CHARS]
    fields = {str(k): _shown(v, depth + 1) for k, v in said["with"].items()}
    names = _plain_fields(template)
    if names is None or not names <= set(fields):
        return template
    translated = _(template)
    if _plain_fields(translated) != names:  # a catalogue entry that does not fit
        translated = template
    return translated.format(**fields)


def _rebound(fn, **names):
    """A copy of the function ``fn`` that sees ``names`` (e.g. Value=...) in place of its
    own global variables of those names.  Anything but a plain function is returned as it
    is."""
    if not isinstance(fn, types.FunctionType):
        return fn
    env = dict(fn.__globals__)
    env.update(names)
    copy = types.FunctionType(fn.__code__, env, fn.__name__, fn.__defaults__, fn.__closure__)
    copy.__kwdefaults__ = fn.__kwdefaults__
    copy.__qualname__ = fn.__qualname__
    return copy


def _transplant(cls, **names):
    """A subclass of the class ``cls`` whose methods (its own and those it inherits) see
    ``names`` (Value=..., Neuron=...) in place of the notebook's, so that a check of Layer
    does not run the learner's Neuron.  (A method that calls super() reaches the original,
    unchanged method of the base class.)"""
    if not isinstance(cls, type):
        return cls
    namespace = {}
    for klass in reversed(cls.__mro__[:-1]):       # every class but object, bases first
        for key, attr in vars(klass).items():
            if isinstance(attr, types.FunctionType):
                namespace[key] = _rebound(attr, **names)
    return type(cls.__name__, (cls,), namespace)


def _describe(x):
    """What ``x`` is, as a sentence kept as data (``_say``): "None", "a plain number", ..."""
    if x is None:
        return "None"
    if isinstance(x, (bool, np.bool_)):
        return _say(N_("a bool"))
    if isinstance(x, (int, float, np.number)):
        return _say(N_("a plain number"))
    if isinstance(x, (list, tuple)):
        return _say(N_("a {kind} of {n}"), kind=type(x).__name__, n=len(x))
    return _say(N_("a {kind}"), kind=type(x).__name__)


def _checked(fn, name):
    """``fn`` with a check of what it returns: a Value."""
    def call(*args):
        out = fn(*args)
        if not _is_value(out):
            if out is None:
                raise _Problem(_say(N_("{name} returned None, not a Value. Is a `return out` "
                                       "missing?"), name=name))
            raise _Problem(_say(N_("{name} returned {what}, not a Value."), name=name,
                                what=_describe(out)))
        return out
    return call


def _propagate(root):
    """The known-good backward pass, without the seed: every node's ``_backward`` once, in
    reverse topological order (the order of ``backprop_lab.autodiff``)."""
    order, seen, stack = [], set(), [(root, False)]
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))
        for child in reversed(tuple(node.children)):
            if not _is_value(child):
                raise _Problem(_say(N_("a node's children include {what}: record the Values "
                                       "the result was made from (wrap a number in a Value "
                                       "first)."), what=_describe(child)))
            stack.append((child, False))
    for node in reversed(order):
        node._backward()


# A graph is a tuple of steps; a step refers to earlier steps by their index:
#   ("leaf", label, number)   an input Value
#   ("+", i, j)  ("*", i, j)  two earlier nodes
#   ("+n", i, c) ("*n", i, c) an earlier node and a plain number c on the right
#   ("**", i, k)              an earlier node to the power of a number k
#   ("exp", i) ("tanh", i) ("relu", i) ("log", i)
_BINARY = {"+": lambda a, b: a + b, "*": lambda a, b: a * b}
_WITH_NUMBER = {"+n": lambda a, c: a + c, "*n": lambda a, c: a * c,
                "**": lambda a, k: a ** k}


def _build(graph, cls):
    """The nodes of a graph (see above) made with the class ``cls`` and its operators;
    returns the list of nodes, the output last."""
    nodes = []
    for step in graph:
        kind = step[0]
        if kind == "leaf":
            nodes.append(cls(step[2], label=step[1]))
        elif kind in _BINARY:
            nodes.append(_BINARY[kind](nodes[step[1]], nodes[step[2]]))
        elif kind in _WITH_NUMBER:
            nodes.append(_WITH_NUMBER[kind](nodes[step[1]], step[2]))
        else:
            nodes.append(getattr(nodes[step[1]], kind)())
    return nodes


def _leaves(nodes):
    return [n for n in nodes if not n.children and n.label]


def _gradients(root, nodes, upstream):
    """What a check compares: the output's value and every labelled input's gradient,
    after a known-good backward pass from ``root.grad = upstream``."""
    root.grad = upstream
    _propagate(root)
    found = {"out.data": root.data}
    for leaf in _leaves(nodes):
        found[f"{leaf.label}.grad"] = leaf.grad
    return found


def _close(a, b, rtol=1e-6, atol=1e-9):
    if isinstance(a, (bool, np.bool_, str)) or isinstance(b, (bool, np.bool_, str)):
        return a == b
    try:
        a, b = float(a), float(b)
    except (TypeError, ValueError):
        return False
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return math.isclose(a, b, rel_tol=rtol, abs_tol=atol)


def _show(v):
    if isinstance(v, float):
        return f"{v:.6g}"
    return str(v)


def _compare_found(expected, got):
    """None when two results of a check agree; else what differs, in one line.  A result
    is a dict {what: number} (or {"problem": sentence}); lists are compared entry by
    entry."""
    if "problem" in got or "problem" in expected:
        if got.get("problem") == expected.get("problem"):
            return None
        if got.get("problem"):
            return _shown(got["problem"])
        return _("this case should have been a problem")
    differences = []
    for name, want in expected.items():
        key = _(name)                           # a label: the words of some are translated
        if name not in got:
            differences.append(_("{key} is missing").format(key=key))
            continue
        have = got[name]
        if isinstance(want, str) or _is_said(want):   # a sentence: "ok" or what is wrong
            if have != want:
                differences.append(_shown(have) if want == "ok" else _("{key}: {problem}").format(
                    key=key, problem=_shown(have)))
        elif isinstance(want, list):
            if not isinstance(have, list) or len(have) != len(want):
                differences.append(_("{key}: {what}, expected a list of {n}").format(
                    key=key, what=_shown(_describe(have)), n=len(want)))
                continue
            bad = [i for i, (w, h) in enumerate(zip(want, have)) if not _close(h, w)]
            if bad:
                i = bad[0]
                if len(bad) > 1:
                    differences.append(_("{key}[{i}] = {got}, expected {expected} ({count} "
                                         "entries differ)").format(
                        key=key, i=i, got=_show(have[i]), expected=_show(want[i]),
                        count=len(bad)))
                else:
                    differences.append(_("{key}[{i}] = {got}, expected {expected}").format(
                        key=key, i=i, got=_show(have[i]), expected=_show(want[i])))
        elif not _close(have, want):
            differences.append(_("{key} = {got}, expected {expected}").format(
                key=key, got=_show(have), expected=_show(want)))
    if not differences:
        return None
    more = len(differences) - 2
    if more > 0:
        return _("{first}; {second}; and {count} more").format(
            first=differences[0], second=differences[1], count=more)
    return _("{first}; {second}").format(first=differences[0], second=differences[1]) \
        if len(differences) == 2 else differences[0]


def _is_said(value):
    return isinstance(value, dict) and "say" in value and "with" in value


def _guarded(call):
    """An adaptor that turns a _Problem into a result {"problem": sentence}."""
    def adaptor(obj, *args, **kwargs):
        try:
            return call(obj, *args, **kwargs)
        except _Problem as problem:
            return {"problem": problem.args[0] if problem.args else ""}
    adaptor.__name__ = call.__name__
    adaptor.__doc__ = call.__doc__
    return adaptor


# --------------------------------------------------------------------------------------
# The operations: value_add, value_mul, value_pow, value_exp, value_tanh, value_relu
# --------------------------------------------------------------------------------------
def _op_adaptor(exercise_id, method):
    """How an operation's check uses the learner's function: as the method ``method`` of a
    fresh engine class whose other methods are the reference's, it builds the case's graph;
    a known-good backward pass from the given upstream gradient follows.  Returns the
    output's value and the gradients of the inputs."""
    @_guarded
    def use_operation(fn, graph, upstream):
        cls = _engine(without=(method,))
        setattr(cls, method, _checked(_rebound(fn, Value=cls), exercise_id))
        nodes = _build(graph, cls)
        return _gradients(nodes[-1], nodes, upstream)
    use_operation.__name__ = f"use_{exercise_id}"
    return use_operation


def _x(v):
    return ("leaf", "x", float(v))


def _y(v):
    return ("leaf", "y", float(v))


def _add_cases(rng):
    a, b = rng.normal(size=2)
    return [
        fixed_case("x + y", (_x(2.0), _y(-3.0), ("+", 0, 1)), 1.0),
        fixed_case("x + y with out.grad = 0.5", (_x(2.0), _y(-3.0), ("+", 0, 1)), 0.5),
        fixed_case("x + x (x used twice)", (_x(1.5), ("+", 0, 0)), 1.0),
        fixed_case("x + 2.5 (a number on the right)", (_x(1.0), ("+n", 0, 2.5)), -2.0),
        fixed_case("(x + y) + x", (_x(0.5), _y(4.0), ("+", 0, 1), ("+", 2, 0)), 3.0),
        random_case("random x + y", (_x(a), _y(b), ("+", 0, 1)), float(rng.normal())),
        edge_case("zeros", (_x(0.0), _y(0.0), ("+", 0, 1)), 1.0),
        edge_case("large magnitudes", (_x(1e8), _y(-3e7), ("+", 0, 1), ("+", 2, 0)), 1e3),
    ]


def _mul_cases(rng):
    a, b = rng.normal(size=2)
    return [
        fixed_case("x * y", (_x(2.0), _y(-3.0), ("*", 0, 1)), 1.0),
        fixed_case("x * y with out.grad = -0.5", (_x(2.0), _y(-3.0), ("*", 0, 1)), -0.5),
        fixed_case("x * x (x used twice)", (_x(3.0), ("*", 0, 0)), 1.0),
        fixed_case("x * 2.5 (a number on the right)", (_x(-1.5), ("*n", 0, 2.5)), 2.0),
        fixed_case("(x * y) * x", (_x(1.5), _y(-2.0), ("*", 0, 1), ("*", 2, 0)), 1.0),
        random_case("random x * y", (_x(a), _y(b), ("*", 0, 1)), float(rng.normal())),
        edge_case("x = 0", (_x(0.0), _y(5.0), ("*", 0, 1)), 1.0),
        edge_case("large magnitudes", (_x(1e6), _y(-2e5), ("*", 0, 1)), 3.0),
    ]


def _pow_cases(rng):
    a = float(rng.uniform(0.5, 2.0))
    return [
        fixed_case("x ** 2", (_x(3.0), ("**", 0, 2)), 1.0),
        fixed_case("x ** 3 with out.grad = 0.5", (_x(-2.0), ("**", 0, 3)), 0.5),
        fixed_case("x ** -1", (_x(4.0), ("**", 0, -1)), 1.0),
        fixed_case("x ** 0.5", (_x(9.0), ("**", 0, 0.5)), 2.0),
        fixed_case("x ** 2 * x (x used twice)", (_x(1.5), ("**", 0, 2), ("*", 1, 0)), 1.0),
        fixed_case("x ** 3 + 2 * x (x used twice)",
                   (_x(-0.5), ("**", 0, 3), ("*n", 0, 2.0), ("+", 1, 2)), 2.0),
        fixed_case("x ** 2 + x ** 3 (x used twice)",
                   (_x(1.2), ("**", 0, 2), ("**", 0, 3), ("+", 1, 2)), 1.0),
        random_case("random x ** 1.5", (_x(a), ("**", 0, 1.5)), float(rng.normal())),
        edge_case("x ** 1", (_x(-0.7), ("**", 0, 1)), 1.0),
        edge_case("x = 0, x ** 2", (_x(0.0), ("**", 0, 2)), 1.0),
        edge_case("large x ** 2", (_x(1e5), ("**", 0, 2)), 1.0),
    ]


def _unary_cases(rng, op, large):
    a, b = (float(v) for v in rng.normal(size=2))
    return [
        fixed_case(f"{op}(x) at x = 0.5", (_x(0.5), (op, 0)), 1.0),
        fixed_case(f"{op}(x) at x = -1.2 with out.grad = 2", (_x(-1.2), (op, 0)), 2.0),
        fixed_case(f"{op}(x) * x (x used twice)", (_x(0.8), (op, 0), ("*", 1, 0)), 1.0),
        fixed_case(f"3 * {op}(x) + x (x used twice)",
                   (_x(0.6), (op, 0), ("*n", 1, 3.0), ("+", 2, 0)), 1.0),
        fixed_case(f"{op}(x * y)", (_x(1.5), _y(-0.5), ("*", 0, 1), (op, 2)), -1.5),
        random_case(f"random {op}(x)", (_x(a), (op, 0)), b),
        edge_case(f"{op}(x) at x = 0", (_x(0.0), (op, 0)), 1.0),
        edge_case(f"{op}(x) at x = 0 with out.grad = -2", (_x(0.0), (op, 0)), -2.0),
        edge_case(f"{op}(x) at x = {large:g}", (_x(large), (op, 0)), 1.0),
        edge_case(f"{op}(x) at x = {-large:g}", (_x(-large), (op, 0)), 1.0),
    ]


def _exp_cases(rng):
    return _unary_cases(rng, "exp", 20.0)


def _tanh_cases(rng):
    return _unary_cases(rng, "tanh", 20.0)


def _relu_cases(rng):
    return _unary_cases(rng, "relu", 1e6)


def _log_cases(rng):
    a, b = (float(v) for v in rng.uniform(0.2, 3.0, size=2))
    return [
        fixed_case("log(x) at x = 2", (_x(2.0), ("log", 0)), 1.0),
        fixed_case("log(x) at x = 0.5 with out.grad = 3", (_x(0.5), ("log", 0)), 3.0),
        fixed_case("log(x) at x = 1 (log is 0 there)", (_x(1.0), ("log", 0)), 1.0),
        fixed_case("log(x) * x (x used twice)", (_x(1.5), ("log", 0), ("*", 1, 0)), 1.0),
        fixed_case("3 * log(x) + x (x used twice)",
                   (_x(0.8), ("log", 0), ("*n", 1, 3.0), ("+", 2, 0)), 1.0),
        random_case("random log(x)", (_x(a), ("log", 0)), b),
        edge_case("log(x) at x = 1e-8", (_x(1e-8), ("log", 0)), 1.0),
        edge_case("log(x) at x = 1e8", (_x(1e8), ("log", 0)), 1.0),
    ]


# ----- catalogued mistakes of the operations: realistic wrong versions ----------------
def _add_assign(self, other):
    other = other if isinstance(other, Value) else Value(other)
    out = Value(self.data + other.data, (self, other), "+")

    def _backward():
        self.grad = out.grad             # = instead of +=
        other.grad = out.grad

    out._backward = _backward
    return out


def _add_no_upstream(self, other):
    other = other if isinstance(other, Value) else Value(other)
    out = Value(self.data + other.data, (self, other), "+")

    def _backward():
        self.grad += 1.0                 # the local derivative alone, without out.grad
        other.grad += 1.0

    out._backward = _backward
    return out


def _add_not_wrapped(self, other):
    out = Value(self.data + other.data, (self, other), "+")   # other may be a number

    def _backward():
        self.grad += out.grad
        other.grad += out.grad

    out._backward = _backward
    return out


def _add_backward_not_stored(self, other):
    other = other if isinstance(other, Value) else Value(other)
    out = Value(self.data + other.data, (self, other), "+")

    def _backward():
        self.grad += out.grad
        other.grad += out.grad

    return out                           # out._backward = _backward is missing


def _add_no_children(self, other):
    other = other if isinstance(other, Value) else Value(other)
    out = Value(self.data + other.data)  # the inputs are not recorded

    def _backward():
        self.grad += out.grad
        other.grad += out.grad

    out._backward = _backward
    return out


def _mul_assign(self, other):
    other = other if isinstance(other, Value) else Value(other)
    out = Value(self.data * other.data, (self, other), "*")

    def _backward():
        self.grad = other.data * out.grad    # = instead of +=
        other.grad = self.data * out.grad

    out._backward = _backward
    return out


def _mul_not_swapped(self, other):
    other = other if isinstance(other, Value) else Value(other)
    out = Value(self.data * other.data, (self, other), "*")

    def _backward():
        self.grad += self.data * out.grad    # its own value, not the other factor's
        other.grad += other.data * out.grad

    out._backward = _backward
    return out


def _mul_like_add(self, other):
    other = other if isinstance(other, Value) else Value(other)
    out = Value(self.data * other.data, (self, other), "*")

    def _backward():
        self.grad += out.grad                # the rule of +, not of *
        other.grad += out.grad

    out._backward = _backward
    return out


def _mul_no_upstream(self, other):
    other = other if isinstance(other, Value) else Value(other)
    out = Value(self.data * other.data, (self, other), "*")

    def _backward():
        self.grad += other.data              # without out.grad
        other.grad += self.data

    out._backward = _backward
    return out


def _mul_not_wrapped(self, other):
    out = Value(self.data * other.data, (self, other), "*")

    def _backward():
        self.grad += other.data * out.grad
        other.grad += self.data * out.grad

    out._backward = _backward
    return out


def _unary(forward, local, op, assign=False, upstream=True):
    """A unary operation whose local derivative is ``local(x, out_data)`` (a mistake
    when that is the wrong formula); ``assign`` uses = instead of +=; without
    ``upstream`` the local derivative is not multiplied by out.grad."""
    def operation(self):
        out = Value(forward(self.data), (self,), op)

        def _backward():
            step = local(self.data, out.data) * (out.grad if upstream else 1.0)
            if assign:
                self.grad = step
            else:
                self.grad += step

        out._backward = _backward
        return out
    return operation


def _pow_mistake(local, assign=False, upstream=True):
    def operation(self, k):
        out = Value(self.data ** k, (self,), f"**{k}")

        def _backward():
            step = local(self.data, k, out.data) * (out.grad if upstream else 1.0)
            if assign:
                self.grad = step
            else:
                self.grad += step

        out._backward = _backward
        return out
    return operation


_pow_times_output = _pow_mistake(lambda x, k, out: k * out)           # k x^k
_pow_no_factor_k = _pow_mistake(lambda x, k, out: x ** (k - 1))       # forgot k
_pow_assign = _pow_mistake(lambda x, k, out: k * x ** (k - 1), assign=True)
_pow_no_upstream = _pow_mistake(lambda x, k, out: k * x ** (k - 1), upstream=False)
_pow_precedence = _pow_mistake(lambda x, k, out: k * x ** k - 1)      # k * x ** k - 1

_exp_of_input = _unary(math.exp, lambda x, out: x, "exp")               # x, not e^x
_exp_assign = _unary(math.exp, lambda x, out: out, "exp", assign=True)
_exp_power_rule = _unary(math.exp, lambda x, out: x * math.exp(x - 1), "exp")
_exp_no_upstream = _unary(math.exp, lambda x, out: out, "exp", upstream=False)

_tanh_of_input = _unary(math.tanh, lambda x, out: 1 - x ** 2, "tanh")   # 1 - x^2
_tanh_no_square = _unary(math.tanh, lambda x, out: 1 - out, "tanh")     # 1 - t
_tanh_assign = _unary(math.tanh, lambda x, out: 1 - out ** 2, "tanh", assign=True)
_tanh_no_upstream = _unary(math.tanh, lambda x, out: 1 - out ** 2, "tanh", upstream=False)
_tanh_sigmoid_slope = _unary(math.tanh, lambda x, out: out * (1 - out), "tanh")

def _relu_forward(x):
    return x if x > 0 else 0.0


_relu_inverted = _unary(_relu_forward, lambda x, out: x < 0, "relu")     # the wrong side
_relu_complement = _unary(_relu_forward, lambda x, out: x <= 0, "relu")  # not (x > 0)
_relu_kink = _unary(_relu_forward, lambda x, out: x >= 0, "relu")        # 1 at x = 0
_relu_no_mask = _unary(_relu_forward, lambda x, out: 1.0, "relu")
_relu_assign = _unary(_relu_forward, lambda x, out: x > 0, "relu", assign=True)


_log_of_output = _unary(math.log, lambda x, out: 1 / out, "log")         # 1 / ln x
_log_times_input = _unary(math.log, lambda x, out: x, "log")            # x, not 1 / x
_log_assign = _unary(math.log, lambda x, out: 1 / x, "log", assign=True)


def _relu_mask_of_upstream(self):
    out = Value(self.data if self.data > 0 else 0.0, (self,), "relu")

    def _backward():
        self.grad += (out.grad > 0) * out.grad   # the mask of the gradient, not of x

    out._backward = _backward
    return out


_ASSIGN_HINT = ("a Value used twice (x * x, or x in two places of a graph) gets only one "
                "share of its gradient: `self.grad = ...` overwrites what the other use "
                "added. Accumulate with +=.")
_UPSTREAM_HINT = ("the local derivative alone is not the gradient: the chain rule multiplies "
                  "it by out.grad, the gradient that reached the result.")
_WRAP_HINT = ("other can be a plain number (x {op} 2.5): turn it into a Value first, "
              "`other = other if isinstance(other, Value) else Value(other)`.")
_STORE_HINT = ("the result's gradient never reaches the inputs: you define _backward but "
               "do not store it; add `out._backward = _backward` before `return out`.")


# --------------------------------------------------------------------------------------
# topological_order
# --------------------------------------------------------------------------------------
def _order_facts(nodes, order):
    """What a check of a topological order compares (any valid order gives the same)."""
    if not isinstance(order, (list, tuple)):
        raise _Problem(_say(N_("topological_order returned {what}, not a list of Values."),
                            what=_describe(order)))
    if any(not _is_value(v) for v in order):
        raise _Problem(_say(N_("the order must hold the nodes themselves (Values), not their "
                               "data or labels.")))
    graph = {id(n) for n in nodes}
    position, distinct = {}, {}
    for i, v in enumerate(order):
        position.setdefault(id(v), i)
        distinct.setdefault(id(v), v)
    late = sum(1 for key, v in distinct.items()
               if any(position.get(id(c), -1) > position[key] for c in v.children))
    return {"nodes listed": len(order),
            "different nodes listed": len(position),
            "nodes of the graph missing": len(graph - set(position)),
            "nodes listed before one of their inputs": late,
            "the output is last": bool(order) and order[-1] is nodes[-1]}


@_guarded
def _use_topological_order(fn, graph):
    """Build the graph with known-good Values, call fn on its output, describe the order."""
    nodes = _build(graph, _engine(without=("backward",)))
    return _order_facts(nodes, fn(nodes[-1]))


def _compare_order(expected, got):
    if "problem" in got or "problem" in expected:
        return _compare_found(expected, got)
    if all(_close(got.get(k), v) for k, v in expected.items()):
        return None
    said = []
    n, distinct = got["nodes listed"], got["different nodes listed"]
    if got["nodes of the graph missing"]:
        said.append(_("{missing} of the graph's {total} nodes are missing").format(
            missing=got["nodes of the graph missing"], total=expected["different nodes listed"]))
    if n > distinct:
        said.append(_("some nodes are listed more than once ({n} entries for {distinct} "
                      "nodes)").format(n=n, distinct=distinct))
    if got["nodes listed before one of their inputs"]:
        said.append(_("{count} node(s) come before one of their inputs").format(
            count=got["nodes listed before one of their inputs"]))
    if not got["the output is last"]:
        said.append(_("the output is not the last node"))
    # TRANSLATORS: the separator between the things wrong with an order
    return _("; ").join(said) or _("the order differs from a topological order")


def _random_graph(rng, n_leaves, n_ops):
    graph = [("leaf", f"x{i}", float(rng.normal())) for i in range(n_leaves)]
    for _step in range(n_ops):
        i, j = (int(v) for v in rng.integers(0, len(graph), size=2))
        kind = ("+", "*", "tanh")[int(rng.integers(0, 3))]
        graph.append((kind, i) if kind == "tanh" else (kind, i, j))
    # the output uses the last node and the first leaf, so that every part hangs together
    graph.append(("+", len(graph) - 1, 0))
    return tuple(graph)


_CHAIN = (_x(0.5), ("tanh", 0), ("*n", 1, 2.0), ("exp", 2))
_DIAMOND = (_x(0.5), _y(-1.5), ("*", 0, 1), ("+", 2, 0), ("*", 2, 3))
_NEURON = (("leaf", "x1", 2.0), ("leaf", "w1", -3.0), ("leaf", "x2", 0.0),
           ("leaf", "w2", 1.0), ("leaf", "b", 6.8814), ("*", 0, 1), ("*", 2, 3),
           ("+", 5, 6), ("+", 7, 4), ("tanh", 8))
_SHARED = (_x(1.2), ("*", 0, 0), ("+", 1, 0), ("*", 2, 0), ("tanh", 3), ("+", 4, 1))
_WIDE = (_x(0.3), _y(-0.7), ("*", 0, 1), ("+", 0, 1), ("tanh", 2), ("*", 3, 4),
         ("+", 5, 2), ("exp", 0), ("*", 6, 7))


def _topological_cases(rng):
    return [
        fixed_case("a chain x -> tanh -> *2 -> exp", _CHAIN),
        fixed_case("a diamond: a = x*y, b = a + x, out = a * b", _DIAMOND),
        fixed_case("a tanh neuron with two inputs", _NEURON),
        fixed_case("x used four times", _SHARED),
        fixed_case("nodes shared by several paths", _WIDE),
        random_case("a random graph of 4 inputs and 12 operations", _random_graph(rng, 4, 12)),
        random_case("a random graph of 2 inputs and 25 operations", _random_graph(rng, 2, 25)),
        edge_case("a single Value (no operation)", (_x(1.0),)),
        edge_case("x * x", (_x(2.0), ("*", 0, 0))),
    ]


def _topo_no_visited(root):
    order = []

    def visit(v):
        for child in v.children:
            visit(child)
        order.append(v)            # no set of visited nodes: shared nodes come again

    visit(root)
    return order


def _topo_preorder(root):
    order, visited = [], set()

    def visit(v):
        if v not in visited:
            visited.add(v)
            order.append(v)        # the node before its children
            for child in v.children:
                visit(child)

    visit(root)
    return order


def _topo_stack_preorder(root):
    order, visited = [], set()
    stack = [root]
    while stack:                   # an iterative depth-first walk with a stack
        v = stack.pop()
        if v in visited:
            continue
        visited.add(v)
        order.append(v)            # the node when it is first reached, before its children
        stack.extend(v.children)
    return order


def _topo_root_first(root):
    order, visited = [], set()

    def visit(v):
        if v not in visited:
            visited.add(v)
            for child in v.children:
                visit(child)
            order.append(v)

    visit(root)
    return order[::-1]             # reversed: the order backward() walks, root first


def _topo_one_level(root):
    return list(root.children) + [root]   # the children of the output only


# --------------------------------------------------------------------------------------
# value_backward
# --------------------------------------------------------------------------------------
@_guarded
def _use_backward(fn, graph):
    """Build the graph with known-good operations, call fn(output), return the gradients
    of the output and of every input."""
    nodes = _build(graph, _engine(without=("backward",)))
    root = nodes[-1]
    fn(root)
    found = {"out.grad": root.grad}
    for leaf in _leaves(nodes):
        found[f"{leaf.label}.grad"] = leaf.grad
    return found


def _backward_cases(rng):
    return [
        fixed_case("a diamond: a = x*y, b = a + x, out = a * b", _DIAMOND),
        fixed_case("a chain x -> tanh -> *2 -> exp", _CHAIN),
        fixed_case("a tanh neuron with two inputs", _NEURON),
        fixed_case("x used four times", _SHARED),
        fixed_case("nodes shared by several paths", _WIDE),
        random_case("a random graph of 4 inputs and 12 operations", _random_graph(rng, 4, 12)),
        random_case("a random graph of 3 inputs and 30 operations", _random_graph(rng, 3, 30)),
        edge_case("a single Value (no operation)", (_x(1.0),)),
        edge_case("x * x", (_x(-2.0), ("*", 0, 0))),
    ]


def _backward_no_seed(self):
    for node in reversed(topological_order(self)):   # self.grad is still 0
        node._backward()


def _backward_not_reversed(self):
    self.grad = 1.0
    for node in topological_order(self):             # inputs first: nothing to pass yet
        node._backward()


def _backward_depth_first(self):
    self.grad = 1.0
    visited = set()

    def visit(v):                                    # walks from the output, calling
        if v not in visited:                         # _backward as it meets each node:
            visited.add(v)                           # a shared node passes its gradient
            v._backward()                            # on before all of it has arrived
            for child in v.children:
                visit(child)

    visit(self)


def _backward_seed_after(self):
    order = topological_order(self)
    for node in reversed(order):
        node._backward()
    self.grad = 1.0                                  # too late: nothing was passed on


# --------------------------------------------------------------------------------------
# add_operators
# --------------------------------------------------------------------------------------
_EXPRESSIONS = {
    "-x": lambda x, y: -x,
    "x - y": lambda x, y: x - y,
    "x - 2": lambda x, y: x - 2,
    "2 - x": lambda x, y: 2 - x,
    "1 + x": lambda x, y: 1 + x,
    "3 * x": lambda x, y: 3 * x,
    "x / y": lambda x, y: x / y,
    "x / 4": lambda x, y: x / 4,
    "2 / x": lambda x, y: 2 / x,
    "1 - 2 * x + x * y / 3": lambda x, y: 1 - 2 * x + x * y / 3,
}


@_guarded
def _use_operators(fn, expression, x, y, upstream):
    """Give a fresh class (with +, *, ** only) the learner's operators, then compute the
    expression with them; returns the result and the gradients of x and y."""
    cls = _bare_class()
    _rebound(fn, Value=cls)(cls)
    xv, yv = cls(x, label="x"), cls(y, label="y")
    out = _EXPRESSIONS[expression](xv, yv)
    if not _is_value(out):
        raise _Problem(_say(N_("{expression} gave {what}, not a Value."), expression=expression,
                            what=_describe(out)))
    out.grad = upstream
    _propagate(out)
    return {"out.data": out.data, "x.grad": xv.grad, "y.grad": yv.grad}


def _operator_cases(rng):
    a, b = (float(v) for v in rng.uniform(0.5, 2.0, size=2))
    cases = [fixed_case(f"{e}, x = 1.5, y = -2", e, 1.5, -2.0, 1.0)
             for e in ("-x", "x - y", "x - 2", "2 - x", "1 + x", "3 * x", "x / y",
                       "x / 4", "2 / x")]
    cases.append(random_case("1 - 2 * x + x * y / 3 at random x, y", "1 - 2 * x + x * y / 3",
                             a, b, float(rng.normal())))
    cases.append(edge_case("2 - x at x = 0", "2 - x", 0.0, 1.0, 1.0))
    cases.append(edge_case("1 + x at x = -1e6", "1 + x", -1e6, 1.0, 1.0))
    return cases


def _mistake_operators(**changes):
    """add_operators with some operators left out (None) or defined another way."""
    def add(cls):
        methods = {
            "__neg__": lambda self: self * -1,
            "__radd__": lambda self, other: self + other,
            "__rmul__": lambda self, other: self * other,
            "__sub__": lambda self, other: self + (-other),
            "__rsub__": lambda self, other: other + (-self),
            "__truediv__": lambda self, other: self * other ** -1,
            "__rtruediv__": lambda self, other: other * self ** -1,
        }
        methods.update(changes)
        for name, method in methods.items():
            if method is not None:
                setattr(cls, name, method)
    return add


_ops_no_radd = _mistake_operators(__radd__=None,
                                  __rsub__=lambda self, other: -self + other)
_ops_no_rmul = _mistake_operators(__rmul__=None)
_ops_rsub_backwards = _mistake_operators(__rsub__=lambda self, other: self + (-other))
_ops_no_neg = _mistake_operators(__neg__=None)
_ops_rtruediv_backwards = _mistake_operators(__rtruediv__=lambda self, other: self * other ** -1)


# --------------------------------------------------------------------------------------
# Neuron, Layer, MLP: a tiny neural-network library on the engine
# --------------------------------------------------------------------------------------
class Neuron:
    """One unit: out = f(b + sum_i w_i x_i), with f = tanh, relu or nothing ("linear").

    n_inputs: how many inputs.  activation: "tanh", "relu" or "linear".
    rng: a numpy Generator; the weights start uniform in [-1, 1], the bias at 0.
    """

    def __init__(self, n_inputs, activation, rng):
        self.w = [Value(rng.uniform(-1, 1)) for _ in range(n_inputs)]
        self.b = Value(0.0)
        self.activation = activation

    def __call__(self, x):
        """x: a list of n_inputs numbers or Values.  Returns one Value."""
        z = self.b
        for w_i, x_i in zip(self.w, x):
            z = z + w_i * x_i
        if self.activation == "tanh":
            return z.tanh()
        if self.activation == "relu":
            return z.relu()
        return z

    def parameters(self):
        """The neuron's own Values that training changes: the weights, then the bias."""
        return self.w + [self.b]


class Layer:
    """n_units neurons that all read the same inputs."""

    def __init__(self, n_inputs, n_units, activation, rng):
        self.neurons = [Neuron(n_inputs, activation, rng) for _ in range(n_units)]

    def __call__(self, x):
        """x: a list of numbers or Values.  Returns the list of the n_units outputs."""
        return [neuron(x) for neuron in self.neurons]

    def parameters(self):
        """Every weight and bias of every neuron, in one flat list."""
        return [p for neuron in self.neurons for p in neuron.parameters()]


class MLP:
    """Layers one after the other: tanh in the hidden layers, a linear last layer.

    layer_sizes: the number of units of each layer, e.g. [6, 1].
    """

    def __init__(self, n_inputs, layer_sizes, rng):
        sizes = [n_inputs] + list(layer_sizes)
        last = len(layer_sizes) - 1
        self.layers = [Layer(sizes[i], sizes[i + 1], "tanh" if i < last else "linear", rng)
                       for i in range(len(layer_sizes))]

    def __call__(self, x):
        """x: a list of n_inputs numbers.  Returns the list of the last layer's outputs."""
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self):
        """Every weight and bias of every layer, in one flat list."""
        return [p for layer in self.layers for p in layer.parameters()]


def _parameters_problem(params, owned):
    """"ok" when ``params`` holds every Value of ``owned`` once and nothing else; else what
    is wrong, as a sentence."""
    if not isinstance(params, (list, tuple)):
        return _say(N_("parameters() returned {what}, not a list of Values"),
                    what=_describe(params))
    if any(isinstance(p, (list, tuple)) for p in params):
        return _say(N_("parameters() returned a list of lists: flatten it into one list of "
                       "Values"))
    if any(not _is_value(p) for p in params):
        return _say(N_("parameters() holds something that is not a Value"))
    ids = [id(p) for p in params]
    own = {id(p) for p in owned}
    if len(set(ids)) < len(ids):
        return _say(N_("parameters() lists a Value more than once"))
    foreign = sum(1 for i in ids if i not in own)
    if foreign:
        return _say(N_("parameters() holds {count} Value(s) that are not the model's own "
                       "weights and biases (copies?): training them would not change the "
                       "model"), count=foreign)
    missing = len(own - set(ids))
    if missing:
        return _say(N_("parameters() misses {missing} of the {total} weights and biases"),
                    missing=missing, total=len(own))
    return "ok"


def _set_neuron(neuron, weights, bias, prefix=""):
    """Give a neuron (made by the learner's or the reference constructor) known weights."""
    neuron.w = [Value(v, label=f"{prefix}w{i}") for i, v in enumerate(weights)]
    neuron.b = Value(bias, label=f"{prefix}b")


def _inputs(x, as_values):
    if as_values:
        return [Value(v, label=f"x{i}") for i, v in enumerate(x)]
    return list(x)


#: What a model's call returned when it is not a list of n Values: (not a list, a list of
#: something else), for the layer and for the MLP.
_NOT_OUTPUTS = {
    "layer": (N_("calling the layer returned {what}, not a list of {n} Values (one per "
                 "unit)."),
              N_("calling the layer returned {what}, expected a list of {n} Values.")),
    "MLP": (N_("calling the MLP returned {what}, not a list of {n} Values (one per unit)."),
            N_("calling the MLP returned {what}, expected a list of {n} Values.")),
}


def _outputs(out, n, model):
    not_a_list, wrong_list = _NOT_OUTPUTS[model]
    if not isinstance(out, (list, tuple)):
        raise _Problem(_say(not_a_list, what=_describe(out), n=n))
    if len(out) != n or any(not _is_value(v) for v in out):
        raise _Problem(_say(wrong_list, what=_describe(out), n=n))
    return list(out)


def _backprop_outputs(outputs, coefficients):
    """A scalar made from the outputs with known coefficients, then a known-good backward
    pass from it: every output gets a different upstream gradient."""
    total = outputs[0] * coefficients[0]
    for v, c in zip(outputs[1:], coefficients[1:]):
        total = total + v * c
    total.grad = 1.0
    _propagate(total)


def _model_found(outputs, params_owned, inputs, params):
    found = {f"out[{i}].data": v.data for i, v in enumerate(outputs)}
    for p in params_owned:
        found[f"{p.label}.grad"] = p.grad
    for v in inputs:
        if _is_value(v):
            found[f"{v.label}.grad"] = v.grad
    found["parameters()"] = _parameters_problem(params, params_owned)
    return found


@_guarded
def _use_neuron(cls, weights, bias, x, activation, inputs_are_values, upstream):
    """Make a neuron with the learner's class (Value bound to the reference), give it
    known weights, call it, backpropagate from ``upstream``; return values, gradients and
    what parameters() holds."""
    neuron = _transplant(cls, Value=Value)(len(weights), activation, np.random.default_rng(0))
    _set_neuron(neuron, weights, bias)
    inputs = _inputs(x, inputs_are_values)
    out = neuron(inputs)
    if not _is_value(out):
        raise _Problem(_say(N_("calling the neuron returned {what}, not a Value."),
                            what=_describe(out)))
    out.grad = upstream
    _propagate(out)
    owned = neuron.w + [neuron.b]
    return _model_found([out], owned, inputs, neuron.parameters())


def _neuron_args(rng, n, activation, inputs_are_values=False, scale=1.0):
    return (list(scale * rng.uniform(-1, 1, size=n)), float(rng.uniform(-0.5, 0.5)),
            list(rng.normal(size=n)), activation, inputs_are_values, float(rng.normal()))


def _neuron_cases(rng):
    return [
        fixed_case("tanh neuron, 2 inputs", [-3.0, 1.0], 0.5, [2.0, 0.0], "tanh", False, 1.0),
        fixed_case("linear neuron, 3 inputs", [0.5, -1.0, 2.0], -0.25, [1.0, 2.0, -1.0],
                   "linear", False, 1.0),
        fixed_case("relu neuron, inputs that are Values", [1.0, -2.0], 0.5, [3.0, 1.0],
                   "relu", True, 2.0),
        random_case("random tanh neuron, 4 inputs that are Values",
                    *_neuron_args(rng, 4, "tanh", True)),
        random_case("random relu neuron, 3 inputs", *_neuron_args(rng, 3, "relu")),
        edge_case("one input", [0.7], 0.1, [-1.0], "tanh", True, 1.0),
        edge_case("zero weights", [0.0, 0.0], 0.0, [1.0, -1.0], "tanh", True, 1.0),
        edge_case("large weights (tanh saturated)", *_neuron_args(rng, 3, "tanh", True, 50.0)),
    ]


@_guarded
def _use_layer(cls, weights, biases, x, activation, coefficients):
    """Make a layer with the learner's class (Neuron and Value bound to the references),
    set its neurons' weights, call it, backpropagate a known sum of the outputs."""
    layer = _transplant(cls, Value=Value, Neuron=Neuron)(
        len(x), len(biases), activation, np.random.default_rng(0))
    neurons = getattr(layer, "neurons", None)
    if not isinstance(neurons, list) or len(neurons) != len(biases):
        raise _Problem(_say(N_("the layer must keep its neurons in the list self.neurons (as "
                               "the given __init__ does).")))
    for j, (neuron, w, b) in enumerate(zip(neurons, weights, biases)):
        _set_neuron(neuron, w, b, prefix=f"neuron {j}: ")
    inputs = _inputs(x, True)
    outputs = _outputs(layer(inputs), len(biases), "layer")
    _backprop_outputs(outputs, coefficients)
    owned = [p for n in neurons for p in n.w + [n.b]]
    return _model_found(outputs, owned, inputs, layer.parameters())


def _layer_args(rng, n_inputs, n_units, activation):
    return ([list(rng.uniform(-1, 1, size=n_inputs)) for _ in range(n_units)],
            list(rng.uniform(-0.5, 0.5, size=n_units)), list(rng.normal(size=n_inputs)),
            activation, list(rng.normal(size=n_units)))


def _layer_cases(rng):
    return [
        fixed_case("2 inputs, 3 tanh units", [[1.0, -1.0], [0.5, 2.0], [-0.3, 0.0]],
                   [0.0, 0.1, -0.2], [1.5, -0.5], "tanh", [1.0, 2.0, -1.0]),
        fixed_case("3 inputs, 2 linear units", [[0.2, -0.4, 1.0], [1.0, 0.5, -0.5]],
                   [0.3, -0.3], [1.0, 2.0, 3.0], "linear", [0.5, -1.5]),
        random_case("random: 4 inputs, 5 relu units", *_layer_args(rng, 4, 5, "relu")),
        random_case("random: 2 inputs, 6 tanh units", *_layer_args(rng, 2, 6, "tanh")),
        edge_case("one unit", [[0.5, -0.5]], [0.2], [1.0, 3.0], "tanh", [2.0]),
        edge_case("one input, 2 units", [[2.0], [-1.0]], [0.0, 0.5], [0.3], "linear",
                  [1.0, 1.0]),
    ]


@_guarded
def _use_mlp(cls, n_inputs, sizes, weights, x, coefficients):
    """Make an MLP with the learner's class (Layer and Value bound to the references), set
    every neuron's weights, call it, backpropagate a known sum of the outputs."""
    mlp = _transplant(cls, Value=Value, Layer=Layer)(n_inputs, sizes, np.random.default_rng(0))
    layers = getattr(mlp, "layers", None)
    if not isinstance(layers, list) or len(layers) != len(sizes):
        raise _Problem(_say(N_("the MLP must keep its layers in the list self.layers (as the "
                               "given __init__ does).")))
    owned = []
    for ell, (layer, layer_weights) in enumerate(zip(layers, weights)):
        for j, (neuron, (w, b)) in enumerate(zip(layer.neurons, layer_weights)):
            _set_neuron(neuron, w, b, prefix=f"layer {ell + 1}, neuron {j}: ")
            owned += neuron.w + [neuron.b]
    outputs = _outputs(mlp(list(x)), sizes[-1], "MLP")
    _backprop_outputs(outputs, coefficients)
    return _model_found(outputs, owned, [], mlp.parameters())


def _mlp_args(rng, n_inputs, sizes, scale=1.0):
    widths = [n_inputs] + list(sizes)
    weights = [[(list(scale * rng.uniform(-1, 1, size=widths[i])),
                 float(rng.uniform(-0.5, 0.5))) for _ in range(widths[i + 1])]
               for i in range(len(sizes))]
    return (n_inputs, list(sizes), weights, list(rng.normal(size=n_inputs)),
            list(rng.normal(size=sizes[-1])))


def _mlp_cases(rng):
    return [
        fixed_case("2 -> 3 -> 1", 2, [3, 1],
                   [[([1.0, -1.0], 0.0), ([0.5, 2.0], 0.1), ([-0.3, 0.4], -0.2)],
                    [([1.0, -2.0, 0.5], 0.3)]],
                   [1.5, -0.5], [1.0]),
        random_case("random 3 -> 4 -> 2", *_mlp_args(rng, 3, [4, 2])),
        random_case("random 2 -> 4 -> 3 -> 1", *_mlp_args(rng, 2, [4, 3, 1])),
        edge_case("one layer: 2 -> 2 (linear)", *_mlp_args(rng, 2, [2])),
        edge_case("large weights (tanh saturated): 2 -> 3 -> 1",
                  *_mlp_args(rng, 2, [3, 1], scale=30.0)),
    ]


# ----- catalogued mistakes of the library --------------------------------------------
class _NeuronBase(Neuron):
    """The reference constructor; the mistakes below change __call__ or parameters."""


class _NeuronAlwaysTanh(_NeuronBase):
    def __call__(self, x):
        z = self.b
        for w_i, x_i in zip(self.w, x):
            z = z + w_i * x_i
        return z.tanh()                       # tanh even for "linear" and "relu"


class _NeuronNoBias(_NeuronBase):
    def __call__(self, x):
        z = self.w[0] * x[0]                  # the bias is never added
        for w_i, x_i in zip(self.w[1:], x[1:]):
            z = z + w_i * x_i
        if self.activation == "tanh":
            return z.tanh()
        if self.activation == "relu":
            return z.relu()
        return z


class _NeuronBiasAfter(_NeuronBase):
    def __call__(self, x):
        z = self.w[0] * x[0]
        for w_i, x_i in zip(self.w[1:], x[1:]):
            z = z + w_i * x_i
        if self.activation == "tanh":
            return z.tanh() + self.b          # the bias after the activation
        if self.activation == "relu":
            return z.relu() + self.b
        return z + self.b


class _NeuronParametersNoBias(_NeuronBase):
    def parameters(self):
        return self.w                         # the bias is left out


class _NeuronParametersCopies(_NeuronBase):
    def parameters(self):
        return [Value(p.data) for p in self.w + [self.b]]   # new Values, not the neuron's


class _LayerBase(Layer):
    """The reference constructor; the mistakes below change __call__ or parameters."""


class _LayerUnwrapsOne(_LayerBase):
    def __call__(self, x):
        out = [neuron(x) for neuron in self.neurons]
        return out[0] if len(out) == 1 else out       # a bare Value for one unit


class _LayerLastOnly(_LayerBase):
    def __call__(self, x):
        for neuron in self.neurons:
            out = neuron(x)
        return [out]                                   # only the last neuron's output


class _LayerNested(_LayerBase):
    def parameters(self):
        return [neuron.parameters() for neuron in self.neurons]   # a list of lists


class _LayerFirstNeuronOnly(_LayerBase):
    def parameters(self):
        return self.neurons[0].parameters()


class _MLPBase(MLP):
    """The reference constructor; the mistakes below change __call__ or parameters."""


class _MLPNotChained(_MLPBase):
    def __call__(self, x):
        for layer in self.layers:
            out = layer(x)                    # every layer reads the network's input
        return out


class _MLPLastLayerParameters(_MLPBase):
    def parameters(self):
        return self.layers[-1].parameters()   # the hidden layers are never trained


class _MLPNested(_MLPBase):
    def parameters(self):
        return [layer.parameters() for layer in self.layers]


class _MLPFirstLayerOutput(_MLPBase):
    def __call__(self, x):
        outputs = [layer(x) for layer in self.layers[:1]]
        for layer in self.layers[1:]:
            layer(outputs[-1])                # computed, but not passed on
        return outputs[-1][:len(self.layers[-1].neurons)]


# --------------------------------------------------------------------------------------
# value_mse: a loss made of Values
# --------------------------------------------------------------------------------------
def value_mse(scores, targets):
    """The mean squared error (1/N) sum_n (s_n - t_n)^2 as a Value.

    scores: a list of N Values (the network's outputs).  targets: a list of N numbers.
    """
    total = (scores[0] - targets[0]) ** 2
    for s, t in zip(scores[1:], targets[1:]):
        total = total + (s - t) ** 2
    return total * (1.0 / len(scores))


@_guarded
def _use_loss(fn, scores, targets, upstream):
    """Call fn on reference Values; return the loss and the gradient of every score."""
    values = [Value(s, label=f"scores[{i}]") for i, s in enumerate(scores)]
    loss = fn(values, list(targets))
    if not _is_value(loss):
        raise _Problem(_say(N_("value_mse returned {what}, not a Value: without a Value, "
                               "backward() cannot reach the scores."), what=_describe(loss)))
    loss.grad = upstream
    _propagate(loss)
    found = {"loss": loss.data}
    for v in values:
        found[f"{v.label}.grad"] = v.grad
    return found


def _loss_cases(rng):
    n = 6
    return [
        fixed_case("3 scores", [0.5, -1.0, 2.0], [1.0, -1.0, 1.0], 1.0),
        fixed_case("2 scores, upstream 0.5", [0.0, 3.0], [1.0, 1.0], 0.5),
        random_case("6 random scores", list(rng.normal(size=n)),
                    list(rng.choice([-1.0, 1.0], size=n)), 1.0),
        random_case("10 random scores and targets", list(rng.normal(size=10)),
                    list(rng.normal(size=10)), float(rng.uniform(0.5, 2))),
        edge_case("one score", [0.3], [1.0], 1.0),
        edge_case("perfect scores (the loss is 0)", [1.0, -1.0], [1.0, -1.0], 1.0),
        edge_case("large scores", [1e4, -3e4], [1.0, -1.0], 1.0),
    ]


def _mse_sum(scores, targets):
    total = (scores[0] - targets[0]) ** 2
    for s, t in zip(scores[1:], targets[1:]):
        total = total + (s - t) ** 2
    return total                               # a sum, not a mean


def _mse_half(scores, targets):
    return value_mse(scores, targets) * 0.5     # the 1/2 of another loss


def _mse_no_square(scores, targets):
    total = scores[0] - targets[0]
    for s, t in zip(scores[1:], targets[1:]):
        total = total + (s - t)                  # not squared
    return total * (1.0 / len(scores))


def _mse_of_data(scores, targets):
    return sum((s.data - t) ** 2 for s, t in zip(scores, targets)) / len(scores)


# --------------------------------------------------------------------------------------
# train_mlp: the training loop
# --------------------------------------------------------------------------------------
def train_mlp(model, X, y, steps, learning_rate):
    """Full-batch gradient descent on the mean squared error.

    model: an MLP whose last layer has one unit.  X: a list of N inputs (lists of
    numbers).  y: a list of N targets.  Each step: the scores model(x)[0] of every input,
    the loss value_mse(scores, y), every parameter's grad set to 0, loss.backward(), and
    p.data -= learning_rate * p.grad for every parameter.
    Returns the list of the losses (floats), one per step, each before its update.
    """
    losses = []
    for _step in range(steps):
        scores = [model(x)[0] for x in X]
        loss = value_mse(scores, y)
        for p in model.parameters():
            p.grad = 0.0
        loss.backward()
        for p in model.parameters():
            p.data -= learning_rate * p.grad
        losses.append(loss.data)
    return losses


class _FusedNeuron(Neuron):
    """The reference Neuron as one node of the graph instead of about 2n + 2: the same
    numbers, in the same order, from far fewer Values.  The training checks run thousands
    of steps, partly under the grader's watch (which slows every call); what they grade is
    the learner's loop, which sees the same Values, parameters and losses either way."""

    def __call__(self, x):
        inputs = list(x)
        numbers = [v.data if isinstance(v, _ValueBase) else v for v in inputs]
        z = self.b.data
        for w_i, v in zip(self.w, numbers):
            z = z + w_i.data * v
        if self.activation == "tanh":
            a = math.tanh(z)
            slope = 1 - a ** 2
        elif self.activation == "relu":
            a, slope = (z, 1.0) if z > 0 else (0.0, 0.0)
        else:
            a, slope = z, 1.0
        weights, bias = self.w, self.b
        values_in = [v for v in inputs if isinstance(v, _ValueBase)]
        out = bias.__class__(a, tuple(weights) + (bias,) + tuple(values_in), "neuron")

        def _backward():
            g = slope * out.grad
            bias.grad += g
            for w_i, x_i, v in zip(weights, inputs, numbers):
                w_i.grad += v * g
                if isinstance(x_i, _ValueBase):
                    x_i.grad += w_i.data * g

        out._backward = _backward
        return out


class _FusedLayer(Layer):
    def __init__(self, n_inputs, n_units, activation, rng):
        self.neurons = [_FusedNeuron(n_inputs, activation, rng) for _ in range(n_units)]


class _FusedMLP(MLP):
    """The reference MLP made of _FusedNeurons: the same weights from the same generator."""

    def __init__(self, n_inputs, layer_sizes, rng):
        sizes = [n_inputs] + list(layer_sizes)
        last = len(layer_sizes) - 1
        self.layers = [_FusedLayer(sizes[i], sizes[i + 1], "tanh" if i < last else "linear",
                                   rng) for i in range(len(layer_sizes))]


@_guarded
def _use_training(fn, sizes, seed, X, y, steps, learning_rate, X_test, y_test):
    """Train a reference MLP (seeded) with fn; return the losses and the share of the test
    points on the right side of 0."""
    model = _FusedMLP(len(X[0]), sizes, np.random.default_rng(seed))
    losses = fn(model, [list(x) for x in X], list(y), steps, learning_rate)
    if not isinstance(losses, (list, tuple)):
        raise _Problem(_say(N_("train_mlp returned {what}, not the list of losses."),
                            what=_describe(losses)))
    if any(_is_value(v) for v in losses):
        raise _Problem(_say(N_("the losses must be plain numbers (loss.data), not Values.")))
    if len(losses) != steps:
        raise _Problem(_say(N_("train_mlp returned {count} losses for {steps} steps."),
                            count=len(losses), steps=steps))
    scores = _mlp_scores(model, np.array(X_test, dtype=float))   # numpy: fast
    right = (scores > 0) == (np.array(y_test) > 0)
    return {"losses": [float(v) for v in losses],
            N_("held-out accuracy"): float(np.mean(right))}


def _mlp_scores(model, X):
    """The scores of a reference MLP for the rows of X, computed with numpy from its
    weights (the same numbers as calling it on each row, without building graphs)."""
    a = X
    for i, layer in enumerate(model.layers):
        W = np.array([[n.w[j].data for n in layer.neurons] for j in range(a.shape[1])])
        b = np.array([n.b.data for n in layer.neurons])
        z = a @ W + b
        a = np.tanh(z) if i < len(model.layers) - 1 else z
    return a[:, 0]


#: The notebook's run: MLP(2, [8, 1]) from np.random.default_rng(0), 16 training points of
#: datasets.moons (seed 0) scaled with their own mean and standard deviation, targets -1
#: and +1, 80 steps at learning rate 0.3; 300 held-out points (seed 1) scaled the same.
MOONS_RUN = {"n_train": 16, "n_test": 300, "sizes": [8, 1], "seed": 0, "steps": 80,
             "learning_rate": 0.3}
MOONS_ACCURACY = 0.95  # what the notebook states: at least 95% of the held-out points


def moons_data():
    """The notebook's data: (X_train, y_train, X_test, y_test) as lists, inputs scaled
    with the training points' mean and standard deviation, targets -1 and +1."""
    X, y = datasets.moons(n_samples=MOONS_RUN["n_train"], noise=0.1, seed=0)
    X_test, y_test = datasets.moons(n_samples=MOONS_RUN["n_test"], noise=0.1, seed=1)
    mean, std = X.mean(axis=0), X.std(axis=0)
    return (((X - mean) / std).tolist(), (2.0 * y - 1).tolist(),
            ((X_test - mean) / std).tolist(), (2.0 * y_test - 1).tolist())


def _training_cases(rng):
    X4 = [[1.0, 0.5], [-0.5, 1.0], [0.3, -1.2], [-1.0, -0.4]]
    y4 = [1.0, -1.0, 1.0, -1.0]
    Xr = rng.normal(size=(6, 2)).tolist()
    yr = rng.choice([-1.0, 1.0], size=6).tolist()
    return [
        fixed_case("4 points, 2 -> 3 -> 1, 3 steps", [3, 1], 1, X4, y4, 3, 0.1, X4, y4),
        fixed_case("4 points, 2 -> 2 -> 2 -> 1, 4 steps", [2, 2, 1], 5, X4, y4, 4, 0.5, X4, y4),
        random_case("6 random points, 2 -> 4 -> 1, 5 steps", [4, 1], 2, Xr, yr, 5, 0.2, Xr, yr),
        edge_case("one point, 2 -> 2 -> 1, 4 steps", [2, 1], 3, X4[:1], y4[:1], 4, 0.3,
                  X4[:1], y4[:1]),
        edge_case("learning rate 0 (nothing changes)", [3, 1], 4, X4, y4, 3, 0.0, X4, y4),
    ]


def _moons_cases(rng):
    X_train, y_train, X_test, y_test = moons_data()
    run = MOONS_RUN
    X, y = datasets.moons(n_samples=8, noise=0.1, seed=int(rng.integers(2, 1000)))
    X8, y8 = X.tolist(), (2.0 * y - 1).tolist()
    return [
        fixed_case(f"the notebook's run: {run['n_train']} moons points, 2 -> 8 -> 1, "
                   f"{run['steps']} steps (at least {MOONS_ACCURACY:.0%} of the held-out "
                   "points right)",
                   run["sizes"], run["seed"], X_train, y_train, run["steps"],
                   run["learning_rate"], X_test, y_test),
        random_case("8 other moons points, 2 -> 4 -> 1, 10 steps", [4, 1], 7, X8, y8, 10, 0.3,
                    X8, y8),
        edge_case("the notebook's points, 2 steps at learning rate 2", run["sizes"], run["seed"],
                  X_train, y_train, 2, 2.0, X_train, y_train),
    ]


def _train_no_zero(model, X, y, steps, learning_rate):
    losses = []
    for _step in range(steps):
        loss = value_mse([model(x)[0] for x in X], y)
        loss.backward()                              # adds to the previous steps' grads
        for p in model.parameters():
            p.data -= learning_rate * p.grad
        losses.append(loss.data)
    return losses


def _train_zero_after_backward(model, X, y, steps, learning_rate):
    losses = []
    for _step in range(steps):
        loss = value_mse([model(x)[0] for x in X], y)
        loss.backward()
        for p in model.parameters():
            p.grad = 0.0                             # erased before the update uses it
            p.data -= learning_rate * p.grad
        losses.append(loss.data)
    return losses


def _train_ascent(model, X, y, steps, learning_rate):
    losses = []
    for _step in range(steps):
        loss = value_mse([model(x)[0] for x in X], y)
        for p in model.parameters():
            p.grad = 0.0
        loss.backward()
        for p in model.parameters():
            p.data += learning_rate * p.grad         # uphill
        losses.append(loss.data)
    return losses


def _train_losses_as_values(model, X, y, steps, learning_rate):
    losses = []
    for _step in range(steps):
        loss = value_mse([model(x)[0] for x in X], y)
        for p in model.parameters():
            p.grad = 0.0
        loss.backward()
        for p in model.parameters():
            p.data -= learning_rate * p.grad
        losses.append(loss)                          # the Value, not loss.data
    return losses


def _train_one_example_at_a_time(model, X, y, steps, learning_rate):
    losses = []
    for _step in range(steps):
        total = 0.0
        for x, t in zip(X, y):                       # an update after every example
            loss = value_mse([model(x)[0]], [t])
            for p in model.parameters():
                p.grad = 0.0
            loss.backward()
            for p in model.parameters():
                p.data -= learning_rate * p.grad
            total += loss.data
        losses.append(total / len(X))
    return losses


_TRAINING_MISTAKES = [
    ("gradients not reset", _train_no_zero,
     "backward() adds into .grad, so without a reset each step also uses the "
     "gradients of all earlier steps: set p.grad = 0 for every parameter before "
     "loss.backward()."),
    ("reset between backward and update", _train_zero_after_backward,
     "the parameters never change: the gradients are set to 0 after backward() and "
     "before the update reads them. Reset them before loss.backward()."),
    ("gradient ascent", _train_ascent,
     "the loss grows: the gradient points uphill, so subtract it, "
     "p.data -= learning_rate * p.grad."),
    ("losses kept as Values", _train_losses_as_values,
     "keep the number loss.data in the list, not the Value loss."),
    ("one example at a time", _train_one_example_at_a_time,
     "this loop takes one full-batch step at a time: the loss of all N points, one "
     "backward pass, one update per step (not one per example)."),
]

_TRAINING_HINTS = [
    "One step: forward over every point, the loss, the gradients, the update. What must "
    "happen to the gradients left over from the previous step?",
    "Reset every p.grad to 0, then loss.backward(), then change every p.data against its "
    "gradient.",
    "Record loss.data for each step, before the update.",
]



# --------------------------------------------------------------------------------------
# The registry
# --------------------------------------------------------------------------------------
def _operation(id, title, method, reference, cases, mistakes, hints, points=1, difficulty=2):
    # depends: the engine without the method under test.  Its Values are what the check
    # builds graphs with (cascade isolation), so its code is put in reach on purpose; the
    # reference of the method itself stays out of reach.
    return Exercise(id=id, title=title, notebook=NOTEBOOK, points=points,
                    difficulty=difficulty, reference=reference, cases=cases,
                    call=_op_adaptor(id, method), compare=_compare_found, mistakes=mistakes,
                    hints=hints, depends={"Value": _engine(without=(method,))})


EXERCISES = [
    _operation(
        "value_add", "Value: addition", "__add__", value_add, _add_cases,
        mistakes=[
            ("= instead of +=", _add_assign, _ASSIGN_HINT),
            ("local derivative without out.grad", _add_no_upstream, _UPSTREAM_HINT),
            ("number not wrapped", _add_not_wrapped, _WRAP_HINT.format(op="+")),
            ("_backward not stored", _add_backward_not_stored, _STORE_HINT),
            ("children not recorded", _add_no_children,
             "the result does not record the Values it was made from, so a backward pass "
             "cannot find them: pass (self, other) as the children, "
             "Value(data, (self, other), '+')."),
        ],
        hints=[
            "The result is a new Value. What does a small change of self do to it, and of "
            "other?",
            "Both local derivatives of a + b are 1, so each input receives out.grad itself. "
            "Write that inside a function _backward defined in value_add, and store it in "
            "out._backward.",
            "An input can feed several nodes: add into its grad with +=, never overwrite.",
        ],
    ),
    _operation(
        "value_mul", "Value: multiplication", "__mul__", value_mul, _mul_cases,
        mistakes=[
            ("= instead of +=", _mul_assign, _ASSIGN_HINT),
            ("own value instead of the other factor", _mul_not_swapped,
             "d(a * b)/da is b, the OTHER factor: self.grad += other.data * out.grad, and "
             "other.grad += self.data * out.grad."),
            ("the rule of +", _mul_like_add,
             "you passed out.grad on unchanged, as for +; for a product each input's local "
             "derivative is the other factor."),
            ("local derivative without out.grad", _mul_no_upstream, _UPSTREAM_HINT),
            ("number not wrapped", _mul_not_wrapped, _WRAP_HINT.format(op="*")),
        ],
        hints=[
            "Nudge a by a little: by how much does a * b move? That factor is the local "
            "derivative.",
            "d(a * b)/da = b and d(a * b)/db = a: multiply each by out.grad and add it to "
            "the input's grad.",
            "x * x uses x twice: with += both shares arrive, 2 x in all.",
        ],
    ),
    Exercise(
        id="topological_order", title="Topological order of a graph", notebook=NOTEBOOK,
        points=2, difficulty=4, reference=autodiff.topological_order,
        cases=_topological_cases, call=_use_topological_order, compare=_compare_order,
        depends={"Value": _engine(without=("backward",))},
        mistakes=[
            ("no visited set", _topo_no_visited,
             "a node reached along several paths is listed once per path: keep a set of "
             "the nodes already visited and skip them."),
            ("node before its children", _topo_preorder,
             "you append a node before visiting its children; append it after them, so "
             "that every node comes after all of its inputs."),
            ("node before its children, with a stack", _topo_stack_preorder,
             "your walk with a stack appends each node when it is first reached, before "
             "its children, so the output comes first. Append a node only after all of "
             "its children are in the order (a recursive visit that appends after the "
             "loop over the children does that)."),
            ("reversed (output first)", _topo_root_first,
             "your order runs from the output back to the inputs: that is the order "
             "backward() will walk, reversed. Return the inputs first and the output last."),
            ("only one level", _topo_one_level,
             "you list only the output's own children; the inputs of those children, and "
             "theirs, belong to the graph too: visit the children recursively."),
        ],
        hints=[
            "A node may come only after every node it was computed from. Which node can "
            "you always put first? Which one last?",
            "Depth first: to place a node, first place each of its children (recursively), "
            "then append the node itself.",
            "Keep a set of the nodes already visited, so that a node reached along two "
            "paths is listed once.",
        ],
    ),
    Exercise(
        id="value_backward", title="Value: the backward pass", notebook=NOTEBOOK,
        points=2, difficulty=3, reference=value_backward, cases=_backward_cases,
        call=_use_backward, compare=_compare_found,
        depends={"Value": _engine(without=("backward",)),
                 "topological_order": autodiff.topological_order},
        mistakes=[
            ("seed not set", _backward_no_seed,
             "every gradient stays 0: the output's own gradient must be seeded first, "
             "self.grad = 1 (dL/dL = 1), before any _backward runs."),
            ("topological order not reversed", _backward_not_reversed,
             "you call _backward from the inputs towards the output, when no gradient has "
             "arrived yet; walk the topological order reversed, the output first."),
            ("no topological order", _backward_depth_first,
             "you call _backward as you meet each node on a walk from the output; a node "
             "used by several others passes its gradient on before all of it has arrived. "
             "Build the whole topological order first, then walk it reversed."),
            ("seed set after the loop", _backward_seed_after,
             "the seed self.grad = 1 must be set before the loop: set afterwards, nothing "
             "is passed on."),
        ],
        hints=[
            "The output's gradient with respect to itself is known before anything else. "
            "Which node may pass its gradient on first?",
            "A node may call its _backward only when every node that uses it has passed "
            "its share on: that is the topological order, walked backwards.",
            "Seed the output's gradient, then walk the topological order from its end, "
            "calling each node's _backward.",
        ],
    ),
    _operation(
        "value_pow", "Value: power by a number", "__pow__", value_pow, _pow_cases,
        mistakes=[
            ("k times the output", _pow_times_output,
             "you used the output x**k in the derivative; the power rule lowers the "
             "exponent: d(x**k)/dx = k * x**(k - 1), with the input x."),
            ("factor k forgotten", _pow_no_factor_k,
             "the power rule has a factor k in front: k * x**(k - 1)."),
            ("= instead of +=", _pow_assign, _ASSIGN_HINT),
            ("local derivative without out.grad", _pow_no_upstream, _UPSTREAM_HINT),
            ("k * x ** k - 1", _pow_precedence,
             "k * x ** k - 1 is (k * x**k) - 1: ** and * come before -. Put the exponent "
             "in parentheses: k * x ** (k - 1)."),
        ],
        hints=[
            "k is a plain number, not a Value: only self gets a gradient.",
            "The power rule: d(x**k)/dx = k * x**(k - 1), with x = self.data.",
            "self.grad += k * self.data ** (k - 1) * out.grad inside _backward.",
        ],
    ),
    _operation(
        "value_exp", "Value: exp", "exp", value_exp, _exp_cases,
        mistakes=[
            ("the input instead of the output", _exp_of_input,
             "e**x is its own derivative: the local derivative is the output out.data, "
             "not the input x."),
            ("power rule on e**x", _exp_power_rule,
             "the power rule is for x**k with a fixed exponent; here the exponent is the "
             "variable: d(e**x)/dx = e**x, the output."),
            ("= instead of +=", _exp_assign, _ASSIGN_HINT),
            ("local derivative without out.grad", _exp_no_upstream, _UPSTREAM_HINT),
        ],
        hints=[
            "Which function is its own derivative?",
            "d(e**x)/dx = e**x: the value the forward pass has just computed, out.data.",
            "self.grad += out.data * out.grad inside _backward.",
        ],
    ),
    _operation(
        "value_tanh", "Value: tanh", "tanh", value_tanh, _tanh_cases,
        mistakes=[
            ("the input instead of the output", _tanh_of_input,
             "tanh's slope is 1 - t**2 with t = tanh(x), the OUTPUT; 1 - x**2 uses the "
             "input."),
            ("1 - t", _tanh_no_square,
             "the slope of tanh is 1 - t**2 (t squared), not 1 - t."),
            ("= instead of +=", _tanh_assign, _ASSIGN_HINT),
            ("local derivative without out.grad", _tanh_no_upstream, _UPSTREAM_HINT),
            ("the sigmoid's slope", _tanh_sigmoid_slope,
             "t * (1 - t) is the sigmoid's slope written with its output; tanh's is "
             "1 - t**2."),
        ],
        hints=[
            "The derivative of tanh can be written with tanh itself.",
            "d tanh(x)/dx = 1 - tanh(x)**2: use the output t the forward pass computed.",
            "self.grad += (1 - t**2) * out.grad, with t = out.data.",
        ],
    ),
    _operation(
        "value_relu", "Value: relu", "relu", value_relu, _relu_cases,
        mistakes=[
            ("mask from the wrong side", _relu_inverted,
             "your mask lets the gradient through where x < 0; relu passes it where x > 0, "
             "the side where it is the identity."),
            ("mask x <= 0", _relu_complement,
             "your mask (x <= 0) lets the gradient through where relu is flat, and stops it "
             "where relu is the identity: the mask is (self.data > 0)."),
            ("mask of the gradient", _relu_mask_of_upstream,
             "the mask comes from the forward input x (self.data > 0), not from the sign of "
             "out.grad."),
            ("1 at the kink", _relu_kink,
             "at x = 0 the course (and Keras) take the slope to be 0: use x > 0, not x >= 0."),
            ("no mask", _relu_no_mask,
             "relu is flat (slope 0) where x <= 0: multiply out.grad by the mask "
             "(self.data > 0)."),
            ("= instead of +=", _relu_assign, _ASSIGN_HINT),
        ],
        hints=[
            "relu is the identity on one side of 0 and constant on the other: what are the "
            "two slopes?",
            "The local derivative is 1 where self.data > 0 and 0 elsewhere (0 at x = 0).",
            "self.grad += (self.data > 0) * out.grad inside _backward.",
        ],
    ),
    Exercise(
        id="add_operators", title="Value: operators built from others", notebook=NOTEBOOK,
        points=2, difficulty=3, reference=add_operators, cases=_operator_cases,
        call=_use_operators, compare=_compare_found, depends={"Value": _bare_class()},
        mistakes=[
            ("__radd__ missing", _ops_no_radd,
             "1 + x fails: int does not know how to add a Value, so Python asks "
             "x.__radd__(1), which your class lacks. Define __radd__."),
            ("__rmul__ missing", _ops_no_rmul,
             "3 * x fails: Python calls x.__rmul__(3) when int cannot multiply a Value. "
             "Define __rmul__."),
            ("__rsub__ backwards", _ops_rsub_backwards,
             "2 - x calls x.__rsub__(2), which must compute other - self, not self - other."),
            ("__neg__ missing", _ops_no_neg,
             "-x needs __neg__ (x - y is built from it too): return self * -1."),
            ("__rtruediv__ backwards", _ops_rtruediv_backwards,
             "2 / x calls x.__rtruediv__(2), which must compute other / self, that is "
             "other * self ** -1."),
        ],
        hints=[
            "Python turns x - y into x.__sub__(y), and 2 * x, when int gives up, into "
            "x.__rmul__(2). Which methods does each expression of the list need?",
            "Build each from +, * and **, so that it needs no derivative of its own: "
            "-x = x * -1, x - y = x + (-y), x / y = x * y ** -1.",
            "The reflected methods get the number as `other`: __rsub__(self, other) is "
            "other - self, __rtruediv__(self, other) is other / self.",
        ],
    ),
    Exercise(
        id="Neuron", title="A neuron made of Values", notebook=NOTEBOOK, points=1,
        difficulty=2, reference=Neuron, cases=_neuron_cases, call=_use_neuron,
        compare=_compare_found, depends={"Value": Value},
        mistakes=[
            ("activation always tanh", _NeuronAlwaysTanh,
             "apply the activation the neuron was made with: tanh, relu, or nothing for "
             "\"linear\"."),
            ("bias forgotten", _NeuronNoBias,
             "the neuron computes b + sum of w_i * x_i: add the bias."),
            ("bias after the activation", _NeuronBiasAfter,
             "the bias goes inside the activation: f(b + sum of w_i * x_i)."),
            ("parameters without the bias", _NeuronParametersNoBias,
             "parameters() must list the bias too, or training never changes it."),
            ("parameters as copies", _NeuronParametersCopies,
             "parameters() must return the neuron's own Values (self.w and self.b), not new "
             "Values with the same numbers: training changes what it is given."),
        ],
        hints=[
            "A neuron is a weighted sum plus a bias, then its activation.",
            "Start from z = self.b and add w_i * x_i for each weight and input; then return "
            "z.tanh(), z.relu() or z, by self.activation.",
            "parameters() returns self.w + [self.b].",
        ],
    ),
    Exercise(
        id="Layer", title="A layer of neurons", notebook=NOTEBOOK, points=1, difficulty=2,
        reference=Layer, cases=_layer_cases, call=_use_layer, compare=_compare_found,
        depends={"Value": Value, "Neuron": Neuron},
        mistakes=[
            ("one output unwrapped", _LayerUnwrapsOne,
             "return a list even when the layer has a single unit, so that the next layer "
             "(and the MLP) can read any layer the same way."),
            ("only the last neuron", _LayerLastOnly,
             "every neuron of the layer reads the same inputs and gives one output: return "
             "the list of all of them."),
            ("parameters nested", _LayerNested,
             "parameters() must be one flat list of Values, not one list per neuron."),
            ("parameters of one neuron", _LayerFirstNeuronOnly,
             "parameters() must hold the weights and biases of every neuron."),
        ],
        hints=[
            "A layer is a list of neurons that all see the same x.",
            "Calling the layer returns [neuron(x) for each neuron].",
            "parameters() collects every neuron's parameters() into one flat list.",
        ],
    ),
    Exercise(
        id="MLP", title="A multi-layer perceptron", notebook=NOTEBOOK, points=1,
        difficulty=2, reference=MLP, cases=_mlp_cases, call=_use_mlp, compare=_compare_found,
        depends={"Value": Value, "Neuron": Neuron, "Layer": Layer},
        mistakes=[
            ("layers not chained", _MLPNotChained,
             "each layer must read the previous layer's output, a^(l) = layer_l(a^(l-1)), "
             "not the network's input."),
            ("parameters of the last layer only", _MLPLastLayerParameters,
             "parameters() must hold every layer's weights and biases, or the hidden layers "
             "never learn."),
            ("parameters nested", _MLPNested,
             "parameters() must be one flat list of Values, not one list per layer."),
            ("output of the first layer", _MLPFirstLayerOutput,
             "pass each layer's output on to the next one, and return the last layer's."),
        ],
        hints=[
            "The output of one layer is the input of the next.",
            "Loop over self.layers, replacing x by layer(x) each time; return the final x.",
            "parameters() collects every layer's parameters() into one flat list.",
        ],
    ),
    Exercise(
        id="value_mse", title="Mean squared error of Values", notebook=NOTEBOOK, points=1,
        difficulty=2, reference=value_mse, cases=_loss_cases, call=_use_loss,
        compare=_compare_found, depends={"Value": Value},
        mistakes=[
            ("sum instead of mean", _mse_sum,
             "your loss is N times too large: divide the sum by N, the number of scores."),
            ("half of the mean", _mse_half,
             "this loss has no 1/2: the mean squared error is (1/N) sum (s_n - t_n)**2."),
            ("not squared", _mse_no_square,
             "square each difference: (s_n - t_n)**2, or errors of opposite signs cancel."),
            ("computed from .data", _mse_of_data,
             "you computed the loss from .data: the result is a plain number, and "
             "backward() cannot reach the scores from it. Use the Values' own operators."),
        ],
        hints=[
            "The loss is one Value built from all the scores, so that backward() reaches "
            "every one of them.",
            "For each n: (scores[n] - targets[n]) ** 2; add them up and divide by N.",
            "Keep every step a Value operation (no .data): -, ** 2, +, and * (1 / N) or / N.",
        ],
    ),
    Exercise(
        id="train_mlp", title="The training loop", notebook=NOTEBOOK, points=3,
        difficulty=3, reference=train_mlp, cases=_training_cases, call=_use_training,
        compare=_compare_found, time_limit=30.0,
        depends={"value_mse": value_mse, "Value": Value, "MLP": _FusedMLP},
        mistakes=_TRAINING_MISTAKES,
        hints=_TRAINING_HINTS,
    ),
    Exercise(
        id="train_mlp_moons", title="Two moons, learned", notebook=NOTEBOOK, points=1,
        difficulty=3, reference=train_mlp, cases=_moons_cases, call=_use_training,
        compare=_compare_found, time_limit=30.0,
        depends={"value_mse": value_mse, "Value": Value, "MLP": _FusedMLP},
        mistakes=_TRAINING_MISTAKES,
        hints=["This check runs your train_mlp on the notebook's data: if train_mlp passed "
               "its own check, this one passes too. If not, fix train_mlp first."]
              + _TRAINING_HINTS[1:],
    ),
    _operation(
        "value_log", "Value: log (optional)", "log", value_log, _log_cases, points=0,
        mistakes=[
            ("the output instead of the input", _log_of_output,
             "the slope of ln x is 1 / x, with the input x = self.data, not 1 / ln x."),
            ("x instead of 1 / x", _log_times_input,
             "d(ln x)/dx = 1 / x: divide out.grad by x, do not multiply by it."),
            ("= instead of +=", _log_assign, _ASSIGN_HINT),
        ],
        hints=[
            "ln is the inverse of exp: if out = ln x, then x = e**out. What is d(out)/dx?",
            "d(ln x)/dx = 1 / x, with x the input self.data.",
            "self.grad += out.grad / self.data inside _backward.",
        ],
    ),
]
