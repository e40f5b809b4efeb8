"""Exercises of notebook 04_autograd_engine: the references agree with backprop_lab.autodiff,
several correct styles of each piece pass (with no warning from the grader's watch), other
wrong versions get the hint of their mistake, and the checks isolate each piece from the
learner's other pieces.

(tests/course/test_grading.py already checks that every reference passes and that every
catalogued mistake fails with its own hint.)"""
import functools
import itertools
import math

import numpy as np
import pytest

from backprop_lab import autodiff
from backprop_lab.exercises import EXERCISES, by_notebook
from backprop_lab.exercises import nb04_autograd as nb04
from backprop_lab.grading import grade

NOTEBOOK = "04_autograd_engine"


def assert_passes_cleanly(exercise_id, obj):
    """``obj`` earns every point of the exercise, and the grader's watch saw nothing."""
    result = grade(exercise_id, obj)
    assert result.status == "passed", result.verdict()
    assert result.points == EXERCISES[exercise_id].points
    assert getattr(result, "warnings", []) == [], result.warnings


def assert_hint(exercise_id, obj, mistake):
    result = grade(exercise_id, obj)
    assert result.status == "failed", result.verdict()
    assert result.mistake == mistake, result.verdict()


# --------------------------------------------------------------------------------------
# The class the notebook gives; the learner's functions below are written against it
# --------------------------------------------------------------------------------------
class Value:
    """A number that remembers how it was computed (the notebook's given class)."""

    def __init__(self, data, children=(), op="", label=""):
        self.data = float(data)
        self.grad = 0.0
        self.children = tuple(children)
        self.op = op
        self.label = label
        self._backward = lambda: None


def test_the_notebook_has_its_exercises_in_order():
    exercises = by_notebook(NOTEBOOK)
    assert [ex.id for ex in exercises] == [
        "value_add", "value_mul", "topological_order", "value_backward", "value_pow",
        "value_exp", "value_tanh", "value_relu", "add_operators", "Neuron", "Layer", "MLP",
        "value_mse", "train_mlp", "train_mlp_moons", "value_log"]
    assert sum(ex.points for ex in exercises) == 20
    assert EXERCISES["value_log"].points == 0       # the optional one
    assert {ex.id for ex in exercises if ex.difficulty >= 3} == {
        "topological_order", "value_backward", "add_operators", "train_mlp",
        "train_mlp_moons"}


def test_the_given_class_is_the_notebooks():
    a = nb04._ValueBase(2, [Value(1.0)], "+", "a")
    assert (a.data, a.grad, len(a.children), a.op, a.label) == (2.0, 0.0, 1, "+", "a")
    assert isinstance(a.data, float) and isinstance(a.children, tuple)
    assert repr(nb04._ValueBase(2.0, label="a")) == "Value(a: data=2, grad=0)"


# --------------------------------------------------------------------------------------
# The references against the package's engine
# --------------------------------------------------------------------------------------
def _random_expression(rng, x, y, depth):
    """A random expression of x and y that uses every operation (valid for both engines)."""
    if depth == 0:
        return [x, y, x * 0.5 + 1][int(rng.integers(0, 3))]
    a = _random_expression(rng, x, y, depth - 1)
    b = _random_expression(rng, x, y, depth - 1)
    choice = int(rng.integers(0, 11))
    return [lambda: a + b, lambda: a * b, lambda: a - b, lambda: a.tanh(),
            lambda: (a * 0.3).exp(), lambda: a.relu() + b, lambda: (a * a + 1) ** 0.5,
            lambda: 2 - a, lambda: 3 * a + b, lambda: a / (b * b + 1), lambda: -a][choice]()


@pytest.mark.parametrize("seed", range(40))
def test_the_reference_engine_agrees_with_backprop_labs(seed):
    rng = np.random.default_rng(seed)
    x0, y0 = (float(v) for v in rng.normal(size=2))
    depth = int(rng.integers(1, 5))
    mine = [nb04.Value(x0), nb04.Value(y0)]
    package = [autodiff.Value(x0), autodiff.Value(y0)]
    out_mine = _random_expression(np.random.default_rng(seed + 1000), *mine, depth)
    out_package = _random_expression(np.random.default_rng(seed + 1000), *package, depth)
    out_mine.backward()
    out_package.backward()
    assert out_mine.data == pytest.approx(out_package.data, rel=1e-12, abs=1e-12)
    for m, p in zip(mine, package):
        assert m.grad == pytest.approx(p.grad, rel=1e-10, abs=1e-12)


def test_log_agrees_with_backprop_labs():
    for x0 in (0.1, 1.0, 3.7):
        mine, package = nb04.Value(x0), autodiff.Value(x0)
        out_mine, out_package = mine.log() * mine, package.log() * package
        out_mine.backward()
        out_package.backward()
        assert (out_mine.data, mine.grad) == pytest.approx((out_package.data, package.grad))


def test_the_topological_order_reference_is_the_packages_function():
    assert EXERCISES["topological_order"].reference is autodiff.topological_order


def test_the_reference_backward_accumulates_and_the_packages_resets():
    w = nb04.Value(3.0)
    loss = w * w
    loss.backward()
    loss.backward()
    assert w.grad == 12.0                    # micrograd and PyTorch style: adds up
    w = autodiff.Value(3.0)
    loss = w * w
    loss.backward()
    loss.backward()
    assert w.grad == 6.0                     # the package resets first


def test_the_moons_run_reaches_the_stated_accuracy():
    X_train, y_train, X_test, y_test = nb04.moons_data()
    assert (len(X_train), len(X_test)) == (16, 300)
    model = nb04.MLP(2, [8, 1], np.random.default_rng(0))
    losses = nb04.train_mlp(model, X_train, y_train, 80, 0.3)
    scores = nb04._mlp_scores(model, np.array(X_test))
    one_by_one = np.array([model(x)[0].data for x in X_test])
    np.testing.assert_allclose(scores, one_by_one, rtol=1e-12, atol=1e-12)
    accuracy = np.mean((scores > 0) == (np.array(y_test) > 0))
    assert accuracy >= nb04.MOONS_ACCURACY
    assert accuracy == pytest.approx(0.9733, abs=1e-4)   # the number the notebook states
    assert losses[-1] < 0.25 * losses[0]


def test_reference_operations_work_on_another_class():
    """or_reference attaches a reference to the notebook's own class: the results are of
    that class, and mixing with this module's Values works too."""
    class Mine(Value):
        pass

    Mine.__add__ = nb04.value_add
    Mine.__mul__ = nb04.value_mul
    Mine.tanh = nb04.value_tanh
    Mine.backward = nb04.value_backward
    nb04.add_operators(Mine)
    x = Mine(0.5)
    out = (3 * x + nb04.Value(1.0)).tanh() - 2
    assert type(out) is Mine
    out.backward()
    assert x.grad == pytest.approx(3 * (1 - math.tanh(2.5) ** 2))


# --------------------------------------------------------------------------------------
# Operations: several correct styles
# --------------------------------------------------------------------------------------
def add_micrograd(self, other):
    other = other if isinstance(other, Value) else Value(other)
    out = Value(self.data + other.data, (self, other), "+")

    def _backward():
        self.grad += out.grad
        other.grad += out.grad

    out._backward = _backward
    return out


def add_local_numbers(self, other):
    # the package's design: local derivatives as numbers, kept with the result
    if not isinstance(other, Value):
        other = Value(other)
    out = Value(self.data + other.data, [self, other], "+")
    local = (1.0, 1.0)

    def _backward():
        for child, derivative in zip((self, other), local):
            child.grad += derivative * out.grad

    out._backward = _backward
    return out


def add_type_of_self(self, other):
    cls = type(self)
    other = other if isinstance(other, cls) else cls(other)
    out = cls(self.data + other.data, children=(self, other), op="+")

    def pass_back():
        self.grad = self.grad + 1.0 * out.grad
        other.grad = other.grad + 1.0 * out.grad

    out._backward = pass_back
    return out


def mul_micrograd(self, other):
    other = other if isinstance(other, Value) else Value(other)
    out = Value(self.data * other.data, (self, other), "*")

    def _backward():
        self.grad += other.data * out.grad
        other.grad += self.data * out.grad

    out._backward = _backward
    return out


def mul_local_numbers(self, other):
    try:
        other.data + 0
    except AttributeError:
        other = Value(other)
    d_self, d_other = other.data, self.data       # taken at forward time
    out = Value(self.data * other.data, (self, other), "*")

    def _backward():
        self.grad += d_self * out.grad
        other.grad += d_other * out.grad

    out._backward = _backward
    return out


def pow_micrograd(self, k):
    out = Value(self.data ** k, (self,), f"**{k}")

    def _backward():
        self.grad += (k * self.data ** (k - 1)) * out.grad

    out._backward = _backward
    return out


def pow_math(self, k):
    out = Value(math.pow(self.data, k), (self,), "pow")

    def _backward():
        self.grad += k * math.pow(self.data, k - 1) * out.grad

    out._backward = _backward
    return out


def exp_math(self):
    out = Value(math.exp(self.data), (self,), "exp")

    def _backward():
        self.grad += out.data * out.grad

    out._backward = _backward
    return out


def exp_numpy_recomputed(self):
    out = Value(np.exp(self.data), (self,), "exp")

    def _backward():
        self.grad += float(np.exp(self.data)) * out.grad

    out._backward = _backward
    return out


def tanh_math(self):
    t = math.tanh(self.data)
    out = Value(t, (self,), "tanh")

    def _backward():
        self.grad += (1 - t ** 2) * out.grad

    out._backward = _backward
    return out


def tanh_from_exp(self):
    e = math.exp(2 * self.data)
    out = Value((e - 1) / (e + 1), (self,), "tanh")

    def _backward():
        self.grad += (1 - out.data) * (1 + out.data) * out.grad

    out._backward = _backward
    return out


def relu_micrograd(self):
    out = Value(0 if self.data < 0 else self.data, (self,), "ReLU")

    def _backward():
        self.grad += (out.data > 0) * out.grad

    out._backward = _backward
    return out


def relu_numpy(self):
    out = Value(np.maximum(self.data, 0.0), (self,), "relu")

    def _backward():
        self.grad += float(self.data > 0) * out.grad

    out._backward = _backward
    return out


def log_math(self):
    out = Value(math.log(self.data), (self,), "log")

    def _backward():
        self.grad += (1 / self.data) * out.grad

    out._backward = _backward
    return out


class MicrogradValue(Value):
    """A learner who wrote the methods in the class itself, micrograd style, and checks
    them one by one: check("value_add", Value.__add__)."""

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad += out.grad
            other.grad += out.grad

        out._backward = _backward
        return out

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out

    def tanh(self):
        x = self.data
        t = (math.exp(2 * x) - 1) / (math.exp(2 * x) + 1)
        out = Value(t, (self,), "tanh")

        def _backward():
            self.grad += (1 - t ** 2) * out.grad

        out._backward = _backward
        return out


@pytest.mark.parametrize("exercise_id,fn", [
    ("value_add", add_micrograd), ("value_add", add_local_numbers),
    ("value_add", add_type_of_self), ("value_add", MicrogradValue.__add__),
    ("value_mul", mul_micrograd), ("value_mul", mul_local_numbers),
    ("value_mul", MicrogradValue.__mul__),
    ("value_pow", pow_micrograd), ("value_pow", pow_math),
    ("value_exp", exp_math), ("value_exp", exp_numpy_recomputed),
    ("value_tanh", tanh_math), ("value_tanh", tanh_from_exp),
    ("value_tanh", MicrogradValue.tanh),
    ("value_relu", relu_micrograd), ("value_relu", relu_numpy),
    ("value_log", log_math),
])
def test_operations_correct_styles_pass(exercise_id, fn):
    assert_passes_cleanly(exercise_id, fn)


# ----- other wrong versions get the hint of their mistake ----------------------------
def add_overwrites(self, other):
    other = other if isinstance(other, Value) else Value(other)
    out = Value(self.data + other.data, (self, other), "+")

    def _backward():
        self.grad = 1 * out.grad
        other.grad = 1 * out.grad

    out._backward = _backward
    return out


def add_forgets_to_store(self, other):
    other = other if isinstance(other, Value) else Value(other)
    out = Value(self.data + other.data, (self, other), "+")

    def backward_of_add():
        self.grad += out.grad
        other.grad += out.grad

    backward_of_add()          # called once, at once, instead of being stored
    return out


def mul_own_value(self, other):
    other = other if isinstance(other, Value) else Value(other)
    out = Value(self.data * other.data, (self, other), "*")

    def _backward():
        other.grad += other.data * out.grad
        self.grad += self.data * out.grad

    out._backward = _backward
    return out


def tanh_of_input(self):
    out = Value(math.tanh(self.data), (self,), "tanh")

    def _backward():
        self.grad += (1 - self.data ** 2) * out.grad

    out._backward = _backward
    return out


def exp_with_input(self):
    x = self.data
    out = Value(math.exp(x), (self,), "exp")

    def _backward():
        self.grad += x * out.grad

    out._backward = _backward
    return out


def relu_wrong_side(self):
    out = Value(max(self.data, 0), (self,), "relu")

    def _backward():
        self.grad += (self.data <= 0) * out.grad

    out._backward = _backward
    return out


def pow_output(self, k):
    out = Value(self.data ** k, (self,), "**")

    def _backward():
        self.grad += k * out.data * out.grad

    out._backward = _backward
    return out


@pytest.mark.parametrize("exercise_id,fn,mistake", [
    ("value_add", add_overwrites, "= instead of +="),
    ("value_mul", mul_own_value, "own value instead of the other factor"),
    ("value_tanh", tanh_of_input, "the input instead of the output"),
    ("value_exp", exp_with_input, "the input instead of the output"),
    ("value_relu", relu_wrong_side, "mask x <= 0"),
    ("value_pow", pow_output, "k times the output"),
])
def test_other_wrong_operations_get_their_hint(exercise_id, fn, mistake):
    assert_hint(exercise_id, fn, mistake)


def test_an_operation_called_at_once_gets_no_wrong_hint():
    # _backward runs in the forward pass and is never stored: no catalogued mistake is
    # this one exactly, and no misleading hint may be given
    result = grade("value_add", add_forgets_to_store)
    assert result.status == "failed"
    assert result.mistake in (None, "_backward not stored")


def test_a_failing_case_says_what_differs():
    result = grade("value_add", add_overwrites)
    assert "x + x (x used twice): x.grad = 1, expected 2" in result.verdict()


def test_a_function_that_returns_nothing_is_told_so():
    def value_mul(self, other):
        Value(self.data * other.data, (self, other))

    result = grade("value_mul", value_mul)
    assert "value_mul returned None, not a Value. Is a `return out` missing?" in result.verdict()


def test_the_operation_under_test_is_not_in_reach():
    # a "solution" that calls the method it is asked to write finds no reference there
    def value_tanh(self):
        return self.tanh()

    def value_mul(self, other):
        return self * other

    assert grade("value_tanh", value_tanh).status == "failed"
    assert grade("value_mul", value_mul).status == "failed"


def test_an_operation_is_checked_with_reference_operations_around_it():
    broken = {}
    exec("def value_mul(self, other):\n"
         "    other = other if isinstance(other, Value) else Value(other)\n"
         "    out = Value(self.data * other.data, (self, other), '*')\n"
         "    def _backward():\n"
         "        self.grad += other.data * out.grad\n"
         "        other.grad += self.data * out.grad\n"
         "    out._backward = _backward\n"
         "    return out\n", broken)

    class Broken:                         # the notebook's Value, with a broken +
        def __init__(self, data, children=(), op="", label=""):
            self.data, self.grad, self.children = float(data), 0.0, tuple(children)
            self._backward = lambda: None

        def __add__(self, other):
            raise RuntimeError("broken addition")

    broken["Value"] = Broken
    assert_passes_cleanly("value_mul", broken["value_mul"])   # (x * y) + ... uses the reference +


# --------------------------------------------------------------------------------------
# topological_order
# --------------------------------------------------------------------------------------
def topo_recursive(root):
    order, visited = [], set()

    def visit(node):
        if node not in visited:
            visited.add(node)
            for child in node.children:
                visit(child)
            order.append(node)

    visit(root)
    return order


def topo_explicit_stack(root):
    order, done, stack = [], set(), [(root, False)]
    while stack:
        node, children_placed = stack.pop()
        if children_placed:
            if id(node) not in done:
                done.add(id(node))
                order.append(node)
            continue
        if id(node) in done:
            continue
        stack.append((node, True))
        stack.extend((child, False) for child in node.children if id(child) not in done)
    return order


def topo_kahn(root):
    # count, for every node, the edges that lead into it from the nodes that use it
    nodes, seen, stack = [], {id(root)}, [root]
    while stack:
        node = stack.pop()
        nodes.append(node)
        for child in node.children:
            if id(child) not in seen:
                seen.add(id(child))
                stack.append(child)
    users = {id(node): 0 for node in nodes}
    for node in nodes:
        for child in node.children:
            users[id(child)] += 1
    ready, backwards = [root], []
    while ready:
        node = ready.pop()
        backwards.append(node)
        for child in node.children:
            users[id(child)] -= 1
            if users[id(child)] == 0:
                ready.append(child)
    return backwards[::-1]


@pytest.mark.parametrize("fn", [topo_recursive, topo_explicit_stack, topo_kahn])
def test_topological_order_correct_styles_pass(fn):
    assert_passes_cleanly("topological_order", fn)


def test_topological_order_any_valid_order_passes():
    """A check compares what matters: other valid orders than the reference's pass."""
    def children_reversed(root):
        order, visited = [], set()

        def visit(node):
            if node not in visited:
                visited.add(node)
                for child in reversed(node.children):
                    visit(child)
                order.append(node)

        visit(root)
        return order

    assert_passes_cleanly("topological_order", children_reversed)


def test_topological_order_wrong_versions_get_their_hint():
    def topo_appends_first(root):
        order, seen = [], set()
        stack = [root]
        while stack:
            node = stack.pop()
            if node in seen:
                continue
            seen.add(node)
            order.append(node)
            stack.extend(node.children)
        return order

    result = grade("topological_order", topo_appends_first)
    assert result.status == "failed"
    assert result.mistake == "node before its children, with a stack"

    def returns_labels(root):
        return [node.label for node in topo_recursive(root)]

    result = grade("topological_order", returns_labels)
    assert "the order must hold the nodes themselves" in result.verdict()


# --------------------------------------------------------------------------------------
# value_backward
# --------------------------------------------------------------------------------------
def backward_micrograd(self):
    topo, visited = [], set()

    def build(v):
        if v not in visited:
            visited.add(v)
            for child in v.children:
                build(child)
            topo.append(v)

    build(self)
    self.grad = 1.0
    for node in reversed(topo):
        node._backward()


def backward_uses_topological_order(self):
    order = topological_order(self)  # noqa: F821 - the check puts the reference in reach
    self.grad = 1
    for node in order[::-1]:
        node._backward()


def backward_resets_first(self):
    order = topological_order(self)  # noqa: F821
    for node in order:
        node.grad = 0.0                      # the package's choice: allowed too
    self.grad = 1.0
    for node in reversed(order):
        node._backward()


@pytest.mark.parametrize("fn", [backward_micrograd, backward_uses_topological_order,
                                backward_resets_first])
def test_backward_correct_styles_pass(fn):
    assert_passes_cleanly("value_backward", fn)


def test_backward_gets_the_reference_topological_order():
    namespace = {}
    exec("def topological_order(root):\n"
         "    return [root]\n"                         # the learner's broken earlier piece
         "def value_backward(self):\n"
         "    self.grad = 1.0\n"
         "    for node in reversed(topological_order(self)):\n"
         "        node._backward()\n", namespace)
    assert_passes_cleanly("value_backward", namespace["value_backward"])


def test_backward_without_seed_written_otherwise_gets_its_hint():
    def value_backward(self):
        for node in reversed(topo_recursive(self)):
            node._backward()

    assert_hint("value_backward", value_backward, "seed not set")


# --------------------------------------------------------------------------------------
# add_operators
# --------------------------------------------------------------------------------------
def operators_with_defs(cls):
    def neg(self):
        return self * -1

    def sub(self, other):
        return self + (-other)

    def radd(self, other):
        return self + other

    def rsub(self, other):
        return other + (-self)

    def rmul(self, other):
        return self * other

    def truediv(self, other):
        return self * other ** -1

    def rtruediv(self, other):
        return other * self ** -1

    cls.__neg__, cls.__sub__, cls.__radd__, cls.__rsub__ = neg, sub, radd, rsub
    cls.__rmul__, cls.__truediv__, cls.__rtruediv__ = rmul, truediv, rtruediv


def operators_with_lambdas(cls):
    cls.__neg__ = lambda self: self * -1
    cls.__sub__ = lambda self, other: self + other * -1
    cls.__radd__ = lambda self, other: self + other
    cls.__rsub__ = lambda self, other: (-self) + other
    cls.__rmul__ = lambda self, other: self * other
    cls.__truediv__ = lambda self, other: self * (other ** -1)
    cls.__rtruediv__ = lambda self, other: (self ** -1) * other


def operators_by_name(cls):
    methods = {
        "__neg__": lambda self: -1 * self,          # uses __rmul__, defined below
        "__radd__": cls.__add__,                     # addition is symmetric
        "__rmul__": cls.__mul__,
        "__sub__": lambda self, other: self + -other,
        "__rsub__": lambda self, other: -(self - other),
        "__truediv__": lambda self, other: self * other ** -1,
        "__rtruediv__": lambda self, other: self ** -1 * other,
    }
    for name, method in methods.items():
        setattr(cls, name, method)


@pytest.mark.parametrize("fn", [operators_with_defs, operators_with_lambdas,
                                operators_by_name])
def test_add_operators_correct_styles_pass(fn):
    assert_passes_cleanly("add_operators", fn)


def test_add_operators_wrong_versions_get_their_hint():
    def only_rmul_missing(cls):
        operators_with_defs(cls)
        del cls.__rmul__

    assert_hint("add_operators", only_rmul_missing, "__rmul__ missing")
    result = grade("add_operators", only_rmul_missing)
    assert "unsupported operand type(s) for *: 'int' and 'Value'" in result.verdict()


# --------------------------------------------------------------------------------------
# Neuron, Layer, MLP
# --------------------------------------------------------------------------------------
class NeuronLoop:
    def __init__(self, n_inputs, activation, rng):
        self.w = [Value(rng.uniform(-1, 1)) for _ in range(n_inputs)]
        self.b = Value(0.0)
        self.activation = activation

    def __call__(self, x):
        z = self.b
        for w_i, x_i in zip(self.w, x):
            z = z + w_i * x_i
        if self.activation == "tanh":
            return z.tanh()
        if self.activation == "relu":
            return z.relu()
        return z

    def parameters(self):
        return self.w + [self.b]


class NeuronMicrograd(NeuronLoop):
    def __call__(self, x):
        act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return {"tanh": act.tanh, "relu": act.relu}.get(self.activation, lambda: act)()

    def parameters(self):
        return [*self.w, self.b]


class NeuronWeightedSumFirst(NeuronLoop):
    def __call__(self, x):
        total = 0
        for i in range(len(self.w)):
            total = total + x[i] * self.w[i]        # a number times a Value: __rmul__
        z = total + self.b
        return z if self.activation == "linear" else getattr(z, self.activation)()


class LayerComprehension:
    def __init__(self, n_inputs, n_units, activation, rng):
        self.neurons = [Neuron(n_inputs, activation, rng)  # noqa: F821 - given in the notebook
                        for _ in range(n_units)]

    def __call__(self, x):
        return [neuron(x) for neuron in self.neurons]

    def parameters(self):
        return [p for neuron in self.neurons for p in neuron.parameters()]


class LayerLoops(LayerComprehension):
    def __call__(self, x):
        outs = []
        for neuron in self.neurons:
            outs.append(neuron(x))
        return outs

    def parameters(self):
        return sum((neuron.parameters() for neuron in self.neurons), [])


class MLPLoop:
    def __init__(self, n_inputs, layer_sizes, rng):
        sizes = [n_inputs] + list(layer_sizes)
        last = len(layer_sizes) - 1
        self.layers = [Layer(sizes[i], sizes[i + 1],  # noqa: F821 - given in the notebook
                             "tanh" if i < last else "linear", rng)
                       for i in range(len(layer_sizes))]

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]


class MLPReduce(MLPLoop):
    def __call__(self, x):
        return functools.reduce(lambda a, layer: layer(a), self.layers, x)

    def parameters(self):
        return list(itertools.chain.from_iterable(layer.parameters() for layer in self.layers))


@pytest.mark.parametrize("exercise_id,cls", [
    ("Neuron", NeuronLoop), ("Neuron", NeuronMicrograd), ("Neuron", NeuronWeightedSumFirst),
    ("Layer", LayerComprehension), ("Layer", LayerLoops),
    ("MLP", MLPLoop), ("MLP", MLPReduce),
])
def test_library_correct_styles_pass(exercise_id, cls):
    assert_passes_cleanly(exercise_id, cls)


def test_a_layer_is_checked_with_the_reference_neuron():
    class BrokenNeuron(NeuronLoop):
        def __call__(self, x):
            raise NotImplementedError()

    globals()["Neuron"] = BrokenNeuron       # the learner's unfinished Neuron
    try:
        assert_passes_cleanly("Layer", LayerComprehension)
    finally:
        del globals()["Neuron"]


def test_library_wrong_versions_get_their_hint():
    class ActivationForgotten(NeuronLoop):
        def __call__(self, x):
            return sum((wi * xi for wi, xi in zip(self.w, x)), self.b).tanh()

    class UnwrappedSingleOutput(LayerComprehension):
        def __call__(self, x):
            outs = [neuron(x) for neuron in self.neurons]
            return outs[0] if len(outs) == 1 else outs

    class ReadsTheInputEveryTime(MLPLoop):
        def __call__(self, x):
            out = x
            for layer in self.layers:
                out = layer(x)
            return out

    assert_hint("Neuron", ActivationForgotten, "activation always tanh")
    assert_hint("Layer", UnwrappedSingleOutput, "one output unwrapped")
    assert_hint("MLP", ReadsTheInputEveryTime, "layers not chained")


# --------------------------------------------------------------------------------------
# value_mse
# --------------------------------------------------------------------------------------
def mse_loop(scores, targets):
    total = 0
    for s, t in zip(scores, targets):
        total = total + (s - t) ** 2
    return total / len(scores)


def mse_sum_builtin(scores, targets):
    return (1.0 / len(scores)) * sum((s - t) * (s - t) for s, t in zip(scores, targets))


def mse_value_start(scores, targets):
    total = Value(0.0)
    for s, t in zip(scores, targets):
        d = s + (-t)
        total = total + d * d
    return total * (1 / len(targets))


@pytest.mark.parametrize("fn", [mse_loop, mse_sum_builtin, mse_value_start])
def test_value_mse_correct_styles_pass(fn):
    assert_passes_cleanly("value_mse", fn)


def test_value_mse_float_result_gets_its_hint():
    def value_mse(scores, targets):
        return float(np.mean([(s.data - t) ** 2 for s, t in zip(scores, targets)]))

    assert_hint("value_mse", value_mse, "computed from .data")


# --------------------------------------------------------------------------------------
# train_mlp
# --------------------------------------------------------------------------------------
def train_reference_style(model, X, y, steps, learning_rate):
    losses = []
    for _ in range(steps):
        scores = [model(x)[0] for x in X]
        loss = value_mse(scores, y)  # noqa: F821 - the check puts the reference in reach
        for p in model.parameters():
            p.grad = 0.0
        loss.backward()
        for p in model.parameters():
            p.data -= learning_rate * p.grad
        losses.append(loss.data)
    return losses


def train_zeroes_after_the_update(model, X, y, steps, learning_rate):
    history = []
    parameters = model.parameters()
    for _ in range(steps):
        loss = value_mse([model(x)[0] for x in X], y)  # noqa: F821
        loss.backward()
        history.append(float(loss.data))
        for p in parameters:
            p.data += -learning_rate * p.grad
            p.grad = 0                       # ready for the next step (the first starts at 0)
    return history


def _zero_grad(model):
    for p in model.parameters():
        p.grad = 0.0


def train_with_a_helper(model, X, y, steps, learning_rate):
    losses = []
    while len(losses) < steps:
        _zero_grad(model)
        loss = value_mse(list(map(lambda x: model(x)[0], X)), y)  # noqa: F821
        loss.backward()
        for p in model.parameters():
            p.data = p.data - learning_rate * p.grad
        losses.append(loss.data)
    return losses


@pytest.mark.parametrize("fn", [train_reference_style, train_zeroes_after_the_update,
                                train_with_a_helper])
def test_train_mlp_correct_styles_pass(fn):
    assert_passes_cleanly("train_mlp", fn)


def test_the_moons_run_passes_with_a_correct_loop():
    assert_passes_cleanly("train_mlp_moons", train_zeroes_after_the_update)


def test_train_mlp_gets_the_reference_loss():
    namespace = {}
    exec("def value_mse(scores, targets):\n"
         "    raise NotImplementedError()\n", namespace)   # the learner's unfinished loss
    namespace["train_mlp"] = train_reference_style
    fn = type(train_reference_style)(train_reference_style.__code__, namespace, "train_mlp")
    assert_passes_cleanly("train_mlp", fn)


def test_train_mlp_wrong_versions_get_their_hint():
    def zero_grad_once(model, X, y, steps, learning_rate):
        for p in model.parameters():
            p.grad = 0.0                     # once, before the loop: not enough
        losses = []
        for _ in range(steps):
            loss = value_mse([model(x)[0] for x in X], y)  # noqa: F821
            loss.backward()
            for p in model.parameters():
                p.data -= learning_rate * p.grad
            losses.append(loss.data)
        return losses

    assert_hint("train_mlp", zero_grad_once, "gradients not reset")
    result = grade("train_mlp", zero_grad_once)
    assert "backward() adds into .grad" in result.verdict()


def test_the_student_stubs_are_not_attempted():
    def value_add(self, other):
        raise NotImplementedError()

    class Stub(NeuronLoop):
        def __call__(self, x):
            raise NotImplementedError()

    def add_operators(cls):
        raise NotImplementedError()

    def train_mlp(model, X, y, steps, learning_rate):
        raise NotImplementedError()

    for exercise_id, obj in [("value_add", value_add), ("Neuron", Stub),
                             ("add_operators", add_operators), ("train_mlp", train_mlp),
                             ("train_mlp_moons", train_mlp)]:
        assert grade(exercise_id, obj).status == "not attempted", exercise_id


def test_the_fused_network_of_the_training_checks_is_the_reference_network():
    """The training checks train a network whose neurons are single nodes (for speed): its
    losses, gradients and accuracy are those of the reference MLP."""
    X_train, y_train, X_test, y_test = nb04.moons_data()
    plain = nb04.MLP(2, [8, 1], np.random.default_rng(0))
    fused = nb04._FusedMLP(2, [8, 1], np.random.default_rng(0))
    assert [p.data for p in plain.parameters()] == [p.data for p in fused.parameters()]
    losses_plain = nb04.train_mlp(plain, X_train, y_train, 30, 0.3)
    losses_fused = nb04.train_mlp(fused, X_train, y_train, 30, 0.3)
    np.testing.assert_allclose(losses_fused, losses_plain, rtol=1e-12)
    np.testing.assert_allclose([p.data for p in fused.parameters()],
                               [p.data for p in plain.parameters()], rtol=1e-10, atol=1e-12)
    deep_plain = nb04.MLP(3, [4, 3, 2], np.random.default_rng(1))
    deep_fused = nb04._FusedMLP(3, [4, 3, 2], np.random.default_rng(1))
    for model in (deep_plain, deep_fused):
        x = [nb04.Value(0.5), nb04.Value(-1.0), 2.0]
        out = model(x)
        total = out[0] * 0.7 + out[1] * -1.3
        total.backward()
        model.found = [p.grad for p in model.parameters()] + [v.grad for v in x[:2]]
    np.testing.assert_allclose(deep_fused.found, deep_plain.found, rtol=1e-12, atol=1e-15)


# --------------------------------------------------------------------------------------
# More slips of the operations, each named by its own hint
# --------------------------------------------------------------------------------------
def pow_without_upstream(self, k):
    out = Value(self.data ** k, (self,), "**")

    def _backward():
        self.grad += k * self.data ** (k - 1)

    out._backward = _backward
    return out


def pow_precedence(self, k):
    out = Value(self.data ** k, (self,), "**")

    def _backward():
        self.grad += (k * self.data ** k - 1) * out.grad

    out._backward = _backward
    return out


def exp_without_upstream(self):
    out = Value(math.exp(self.data), (self,), "exp")

    def _backward():
        self.grad += out.data

    out._backward = _backward
    return out


def tanh_without_upstream(self):
    t = math.tanh(self.data)
    out = Value(t, (self,), "tanh")

    def _backward():
        self.grad += 1 - t * t

    out._backward = _backward
    return out


def tanh_sigmoid_slope(self):
    t = math.tanh(self.data)
    out = Value(t, (self,), "tanh")

    def _backward():
        self.grad += t * (1 - t) * out.grad

    out._backward = _backward
    return out


@pytest.mark.parametrize("exercise_id,fn,mistake", [
    ("value_pow", pow_without_upstream, "local derivative without out.grad"),
    ("value_pow", pow_precedence, "k * x ** k - 1"),
    ("value_exp", exp_without_upstream, "local derivative without out.grad"),
    ("value_tanh", tanh_without_upstream, "local derivative without out.grad"),
    ("value_tanh", tanh_sigmoid_slope, "the sigmoid's slope"),
])
def test_more_wrong_operations_get_their_own_hint(exercise_id, fn, mistake):
    assert_hint(exercise_id, fn, mistake)
    r = grade(exercise_id, fn)
    assert r.hint == next(m.hint for m in EXERCISES[exercise_id].mistakes if m.name == mistake)


def test_a_result_from_the_sandbox_cannot_make_the_grader_build_huge_text():
    """Results of the engine's adaptors are data from the untrusted side; a forged one is
    shown as plain, short text: no format spec, attribute access or deep nesting is
    carried out by the grader."""
    from backprop_lab.exercises import nb04_autograd as nb04

    shown = nb04._shown
    assert shown({"say": "{a:>999999999}", "with": {"a": "x"}}) == "{a:>999999999}"
    assert shown({"say": "{a.__class__}", "with": {"a": "x"}}) == "{a.__class__}"
    assert shown({"say": "{a!r}", "with": {"a": "x"}}) == "{a!r}"
    assert shown({"say": "{missing}", "with": {}}) == "{missing}"
    assert shown({"say": "{", "with": {}}) == "{"
    assert len(shown({"say": "x" * 10**6, "with": {}})) <= 300
    assert len(shown({"say": "{a}", "with": {"a": "y" * 10**6}})) <= 300
    deep = {"say": "{a}", "with": {"a": "end"}}
    for _ in range(900):
        deep = {"say": "{a}", "with": {"a": deep}}
    assert len(shown(deep)) <= 300
    # the sentences the adaptors really make are shown in full
    said = nb04._say(nb04.N_("parameters() misses {missing} of the {total} weights and biases"),
                     missing=2, total=9)
    assert shown(said) == "parameters() misses 2 of the 9 weights and biases"
