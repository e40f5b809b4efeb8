"""A tiny automatic-differentiation engine on scalars, to see the chain rule at work.

Every arithmetic operation on ``Value`` objects records a node in a graph:

    a = Value(2.0, label="a")
    b = Value(-3.0, label="b")
    c = a * b + 1          # nodes: a, b, a*b, the constant 1, and c
    c.backward()           # fills .grad of every node: dc/da = b = -3, dc/db = a = 2

Each operation computes two things at once, side by side in its method:

* the forward rule, the output value ``out``;
* the local derivative d(out)/d(input) for each of its inputs.

``backward()`` then walks the graph from the output back to the inputs (a topological
order, reversed) and applies the chain rule once per node:

    input.grad += local_derivative * node.grad

The ``+=`` matters: when a value is used twice (``x * x``), both uses add their share.

Design choice: ``backward()`` first resets the grad of every node of the graph to 0, so
calling it twice gives the same gradients (PyTorch instead keeps adding into the leaves).
In a notebook you often re-run a cell; re-running should not double the answer.  The
price: two outputs that share inputs cannot accumulate into the same leaves; add the
outputs first (``(y1 + y2).backward()``).

``backward_steps(root)`` runs the same backward pass one node at a time (a generator), and
``trace(root)`` lists the nodes in backward order; ``backprop_lab.plots.draw_graph(root)``
draws the graph with matplotlib (this module needs nothing but Python's ``math``).
"""
import math
from collections import namedtuple

# One step of the backward pass: the node whose grad was just passed on, and for each of
# its inputs the tuple (input, local derivative, amount added to input.grad).
BackwardStep = namedtuple("BackwardStep", ["node", "updates"])

# One row of trace(): what a node shows.
TraceRow = namedtuple("TraceRow", ["label", "op", "data", "grad"])


def N_(message):
    """Mark ``message`` for the catalogue (translated where it is shown, with ``_``)."""
    return message


def _(message):
    """``message`` in the learner's language (``i18n._``, imported only when an error is
    raised)."""
    from .i18n import _ as translate

    return translate(message)


def _number(value, name, translate_name=False):
    """``value`` as a float; ``name`` is an argument's name, or a phrase marked with ``N_``
    (``translate_name``) for the error message."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) and not hasattr(
            value, "__float__"):
        raise TypeError(_("{name} must be a number, got {type_name}.").format(
            name=_(name) if translate_name else name, type_name=type(value).__name__))
    number = float(value)
    if math.isnan(number):
        raise ValueError(_("{name} is NaN; a Value must hold a real number.").format(
            name=_(name) if translate_name else name))
    return number


class Value:
    """A scalar in a computation graph.

    data: the number (a float).
    grad: dL/d(this value) after ``L.backward()`` on an output L; 0.0 before.
    label: a name to show in drawings and traces ("" if not given).
    op: the operation that made it ('+', '*', 'tanh', ...; '' for an input).
    children: the Values it was computed from (inputs of its operation).
    local_grads: d(self)/d(child) for each child, computed with the forward rule.
    """

    def __init__(self, data, children=(), op="", local_grads=(), label=""):
        self.data = _number(data, "data")
        self.grad = 0.0
        self.children = tuple(children)
        self.local_grads = tuple(float(g) for g in local_grads)
        self.op = op
        self.label = label

    def __repr__(self):
        name = f"label={self.label!r}, " if self.label else ""
        return f"Value({name}data={self.data:.6g}, grad={self.grad:.6g})"

    # ----- binary operations: forward rule and local derivatives side by side -----
    def __add__(self, other):
        other = _as_value(other)
        out = self.data + other.data
        return Value(out, (self, other), "+", (1.0, 1.0))  # d/da (a+b) = 1, d/db = 1

    def __sub__(self, other):
        other = _as_value(other)
        out = self.data - other.data
        return Value(out, (self, other), "-", (1.0, -1.0))  # d/da = 1, d/db = -1

    def __mul__(self, other):
        other = _as_value(other)
        out = self.data * other.data
        return Value(out, (self, other), "*", (other.data, self.data))  # d/da = b, d/db = a

    def __truediv__(self, other):
        other = _as_value(other)
        if other.data == 0:
            raise ZeroDivisionError(_("Value division by zero: the denominator is 0."))
        out = self.data / other.data
        # d/da (a/b) = 1/b ;  d/db (a/b) = -a/b^2
        return Value(out, (self, other), "/", (1.0 / other.data, -self.data / other.data ** 2))

    def __pow__(self, k):
        if isinstance(k, Value) or isinstance(k, bool) or not isinstance(k, (int, float)):
            raise TypeError(_("Value ** k: the exponent k must be a plain number (int or "
                              "float)."))
        if self.data == 0 and k < 1:
            raise ZeroDivisionError(_("Value ** {k}: the derivative k * x**(k-1) is undefined "
                                      "at x = 0.").format(k=k))
        if self.data < 0 and not float(k).is_integer():
            raise ValueError(_("Value ** {k}: a negative number to a fractional power is not "
                               "real.").format(k=k))
        out = self.data ** k
        return Value(out, (self,), f"**{k:g}", (k * self.data ** (k - 1),))  # d/dx x^k = k x^(k-1)

    # ----- reversed operations: 2 * v, 1 - v, 1 / v, 3 + v -----
    def __radd__(self, other):
        return _as_value(other) + self

    def __rsub__(self, other):
        return _as_value(other) - self

    def __rmul__(self, other):
        return _as_value(other) * self

    def __rtruediv__(self, other):
        return _as_value(other) / self

    # ----- unary operations -----
    def __neg__(self):
        return Value(-self.data, (self,), "neg", (-1.0,))  # d/dx (-x) = -1

    def exp(self):
        if self.data > 709.0:
            raise OverflowError(_("exp({x:g}) is larger than the largest float.")
                                .format(x=self.data))
        out = math.exp(self.data)
        return Value(out, (self,), "exp", (out,))  # d/dx e^x = e^x

    def log(self):
        if self.data <= 0:
            raise ValueError(_("log({x:g}): log needs a positive number.").format(x=self.data))
        return Value(math.log(self.data), (self,), "log", (1.0 / self.data,))  # d/dx = 1/x

    def tanh(self):
        t = math.tanh(self.data)
        return Value(t, (self,), "tanh", (1.0 - t * t,))  # d/dx tanh = 1 - tanh^2

    def sigmoid(self):
        x = self.data
        if x >= 0:  # two equal forms; each only exponentiates a number <= 0
            s = 1.0 / (1.0 + math.exp(-x))
        else:
            s = math.exp(x) / (1.0 + math.exp(x))
        return Value(s, (self,), "sigmoid", (s * (1.0 - s),))  # d/dx s = s (1 - s)

    def relu(self):
        x = self.data
        # d/dx max(x, 0) = 1 for x > 0, and 0 for x <= 0 (0 at the kink, as Keras)
        return Value(max(x, 0.0), (self,), "relu", (1.0 if x > 0 else 0.0,))

    # ----- the backward pass -----
    def backward(self):
        """Fill ``.grad`` of every node of the graph with d(self)/d(node).

        Resets every grad in the graph to 0 first, so calling it twice is harmless.
        """
        for _ in backward_steps(self):
            pass


def _as_value(x):
    if isinstance(x, Value):
        return x
    return Value(_number(x, N_("the other operand"), translate_name=True), label=f"{float(x):g}")


def topological_order(root):
    """Every node of root's graph, each after all of its children (inputs first).

    Depth-first, children in order, written with an explicit stack so a long chain does
    not hit Python's recursion limit.  Returns a list of Values, root last.
    """
    order, seen = [], set()
    stack = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if children_done:
            order.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))
        for child in reversed(node.children):
            if id(child) not in seen:
                stack.append((child, False))
    return order


def backward_steps(root):
    """Run the backward pass one node at a time; a generator.

    First every grad is reset to 0 and root.grad is set to 1 (dL/dL = 1).  Then, for each
    node from the root back to the inputs, it applies the chain rule to the node's
    inputs, ``child.grad += local * node.grad``, and yields a
    ``BackwardStep(node, updates)`` with ``updates`` a tuple of
    ``(child, local_derivative, added)``.  Inputs (leaves) yield a step with no updates,
    so there is exactly one step per row of ``trace(root)``, in the same order.
    """
    if not isinstance(root, Value):
        raise TypeError(_("backward_steps(root): root must be a Value, got {type_name}.")
                        .format(type_name=type(root).__name__))
    order = topological_order(root)
    for node in order:
        node.grad = 0.0
    root.grad = 1.0
    for node in reversed(order):
        updates = []
        for child, local in zip(node.children, node.local_grads):
            added = local * node.grad
            child.grad += added
            updates.append((child, local, added))
        yield BackwardStep(node, tuple(updates))


def trace(root):
    """The nodes of root's graph in backward order (root first), as TraceRow tuples.

    Each row is ``(label, op, data, grad)`` with the grads as they are now: call
    ``root.backward()`` first to see the final gradients.
    """
    return [TraceRow(n.label, n.op, n.data, n.grad) for n in reversed(topological_order(root))]
