"""Tests of backprop_lab.autodiff: Value gradients against finite differences and autograd."""
import math
import subprocess
import sys

import autograd
import autograd.numpy as anp
import matplotlib
import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from backprop_lab.autodiff import (
    BackwardStep,
    TraceRow,
    Value,
    backward_steps,
    topological_order,
    trace,
)
from backprop_lab.plots import draw_graph

matplotlib.use("Agg")

SETTINGS = settings(max_examples=200, deadline=None, database=None, derandomize=True,
                    suppress_health_check=[HealthCheck.filter_too_much])


# --------------------------------------------------------------------------------------
# One program, three interpreters: Value, plain floats (for finite differences), autograd
# --------------------------------------------------------------------------------------
# Each op maps operands to a result.  Domains are kept safe inside the op itself
# (log of x*x + 1, division by y*y + 1), so any random program is defined everywhere.
def _ops(lib):
    """lib: 'value' or a numpy-like module (numpy for floats, autograd.numpy)."""
    if lib == "value":
        exp, log, tanh = (lambda v: v.exp()), (lambda v: v.log()), (lambda v: v.tanh())
        sigmoid, relu = (lambda v: v.sigmoid()), (lambda v: v.relu())
    else:
        exp, log, tanh = lib.exp, lib.log, lib.tanh
        sigmoid = lambda v: 1 / (1 + lib.exp(-v))  # noqa: E731
        relu = lambda v: v * (v > 0)  # noqa: E731  derivative 0 at 0, as Value's
    return {
        "add": lambda a, b: a + b,
        "sub": lambda a, b: a - b,
        "mul": lambda a, b: a * b,
        "div": lambda a, b: a / (b * b + 1),
        "pow2": lambda a, b: a ** 2,
        "pow3": lambda a, b: a ** 3,
        "powhalf": lambda a, b: (a * a + 0.5) ** 0.5,
        "neg": lambda a, b: -a,
        "exp": lambda a, b: exp(tanh(a)),
        "log": lambda a, b: log(a * a + 1),
        "tanh": lambda a, b: tanh(a),
        "sigmoid": lambda a, b: sigmoid(a),
        "relu": lambda a, b: relu(a),
        "radd": lambda a, b: 3 + a,
        "rsub": lambda a, b: 1 - a,
        "rmul": lambda a, b: 2 * a,
        "rdiv": lambda a, b: 1 / (a * a + 1),
    }


OP_NAMES = sorted(_ops(np))


def run_program(program, leaves, lib, relu_inputs=None):
    """Apply each (op, i, j) to the pool of values; the output is the sum of the last 3."""
    ops = _ops(lib)
    pool = list(leaves)
    for op, i, j in program:
        a, b = pool[i % len(pool)], pool[j % len(pool)]
        if op == "relu" and relu_inputs is not None:
            relu_inputs.append(a)
        pool.append(ops[op](a, b))
    out = pool[-1]
    for extra in pool[-3:-1]:
        out = out + extra
    return out


programs = st.lists(
    st.tuples(st.sampled_from(OP_NAMES), st.integers(0, 50), st.integers(0, 50)),
    min_size=1, max_size=12)
leaf_values = st.lists(st.floats(-2, 2, allow_nan=False), min_size=1, max_size=4)


def _finite_difference(program, values, h=1e-6):
    grads = []
    for k in range(len(values)):
        up, down = list(values), list(values)
        up[k] += h
        down[k] -= h
        grads.append((run_program(program, up, np) - run_program(program, down, np)) / (2 * h))
    return np.array(grads)


def _rel(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    return np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-300)


@SETTINGS
@given(program=programs, values=leaf_values)
def test_value_gradients_match_autograd_and_finite_differences(program, values):
    relu_inputs = []
    floats = [np.float64(v) for v in values]
    out_float = run_program(program, floats, np, relu_inputs)
    assume(np.isfinite(out_float) and abs(out_float) < 1e6)
    assume(all(abs(r) > 1e-3 for r in relu_inputs))  # finite differences dislike kinks

    leaves = [Value(v, label=f"x{k}") for k, v in enumerate(values)]
    out = run_program(program, leaves, "value")
    out.backward()
    got = np.array([leaf.grad for leaf in leaves])
    assert out.data == pytest.approx(float(out_float), rel=1e-12, abs=1e-12)

    oracle = autograd.grad(lambda x: run_program(program, [x[k] for k in range(len(values))],
                                                 anp))(np.array(values, dtype=float))
    assert _rel(got, oracle) < 1e-12 or np.allclose(got, oracle, atol=1e-12)
    numeric = _finite_difference(program, floats)
    assert np.allclose(got, numeric, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("op", OP_NAMES)
def test_each_op_local_derivative_against_finite_differences(op):
    for a0, b0 in [(0.7, -1.3), (-1.1, 0.4), (1.9, 2.2)]:
        a, b = Value(a0), Value(b0)
        out = _ops("value")[op](a, b)
        out.backward()
        f = _ops(np)[op]
        h = 1e-6
        da = (f(a0 + h, b0) - f(a0 - h, b0)) / (2 * h)
        db = (f(a0, b0 + h) - f(a0, b0 - h)) / (2 * h)
        assert a.grad == pytest.approx(da, rel=1e-6, abs=1e-8), op
        assert b.grad == pytest.approx(db, rel=1e-6, abs=1e-8), op


# --------------------------------------------------------------------------------------
# backward: twice, reuse, order
# --------------------------------------------------------------------------------------
def _example():
    a = Value(2.0, label="a")
    b = Value(-3.0, label="b")
    c = a * b + 1
    c.label = "c"
    d = (c.tanh() * a).sigmoid() + (1 - a) / b ** 2
    d.label = "d"
    return a, b, c, d


def test_backward_twice_gives_the_same_grads():
    a, b, c, d = _example()
    d.backward()
    first = [n.grad for n in topological_order(d)]
    d.backward()
    second = [n.grad for n in topological_order(d)]
    assert first == second
    assert d.grad == 1.0


def test_backward_after_backward_from_an_inner_node_resets():
    a, b, c, d = _example()
    c.backward()  # c = a*b + 1: dc/da = b, dc/db = a
    assert (a.grad, b.grad) == (-3.0, 2.0)
    d.backward()
    expected = _example()
    expected[3].backward()
    assert (a.grad, b.grad) == (expected[0].grad, expected[1].grad)


def test_value_used_twice_accumulates():
    x = Value(3.0)
    y = x * x  # dy/dx = 2x
    y.backward()
    assert x.grad == 6.0
    z = x * x * x + x  # 3x^2 + 1
    z.backward()
    assert x.grad == 28.0


def test_reverse_operations_values_and_grads():
    v = Value(4.0)
    cases = [(2 * v, 8.0, 2.0), (1 - v, -3.0, -1.0), (3 + v, 7.0, 1.0), (1 / v, 0.25, -1 / 16),
             (v - 1, 3.0, 1.0), (v / 2, 2.0, 0.5), (-v, -4.0, -1.0), (v ** 0.5, 2.0, 0.25)]
    for out, value, grad in cases:
        out.backward()
        assert out.data == pytest.approx(value)
        assert v.grad == pytest.approx(grad)


def test_activation_values_match_math():
    for x in [-800.0, -3.0, 0.0, 0.5, 800.0]:
        s = Value(x).sigmoid()
        assert 0.0 <= s.data <= 1.0
        assert s.data == pytest.approx(0.5 * (1 + math.tanh(x / 2)), abs=1e-15)
    assert Value(-2.0).relu().data == 0.0
    r = Value(0.0)
    out = r.relu()
    out.backward()
    assert r.grad == 0.0  # the kink uses 0, as Keras


def test_long_chain_has_no_recursion_limit():
    x = Value(0.5)
    y = x
    for _ in range(5000):
        y = y * 1.0 + 0.0
    y.backward()
    assert x.grad == 1.0


# --------------------------------------------------------------------------------------
# trace and the stepper
# --------------------------------------------------------------------------------------
def test_trace_order_labels_and_rows():
    a, b, c, d = _example()
    d.backward()
    rows = trace(d)
    assert all(isinstance(r, TraceRow) for r in rows)
    assert rows[0] == ("d", "+", d.data, 1.0)
    labels = [r.label for r in rows]
    assert labels.index("c") < labels.index("a") and labels.index("c") < labels.index("b")
    assert ("a", "", 2.0, a.grad) in rows
    # every node comes after every node that uses it
    order = list(reversed(topological_order(d)))
    position = {id(n): k for k, n in enumerate(order)}
    for node in order:
        for child in node.children:
            assert position[id(child)] > position[id(node)]
    assert len(rows) == len(order) == len({id(n) for n in order})


def test_backward_steps_one_step_per_trace_row_and_same_result():
    a, b, c, d = _example()
    steps = []
    for step in backward_steps(d):
        assert isinstance(step, BackwardStep)
        steps.append((step.node, [(child, local, added) for child, local, added in step.updates]))
    stepped = [n.grad for n in topological_order(d)]
    assert [n for n, _ in steps] == list(reversed(topological_order(d)))
    d.backward()
    assert stepped == [n.grad for n in topological_order(d)]
    # each update is one chain-rule step: added = local * node.grad
    for node, updates in steps:
        for _child, local, added in updates:
            assert added == pytest.approx(local * node.grad)
    leaves = [n for n, updates in steps if not n.children]
    assert all(not updates for n, updates in steps if n in leaves)


def test_backward_steps_can_pause_midway():
    a, b, c, d = _example()
    d.backward()
    final_a = a.grad
    gen = backward_steps(d)
    first = next(gen)
    assert first.node is d and d.grad == 1.0
    assert a.grad == 0.0 or a in [u[0] for u in first.updates]  # reset, nothing else yet
    for _ in gen:
        pass
    assert a.grad == final_a


# --------------------------------------------------------------------------------------
# Errors and repr
# --------------------------------------------------------------------------------------
def test_bad_inputs_raise_clear_errors():
    with pytest.raises(TypeError, match="data must be a number"):
        Value("two")
    with pytest.raises(ValueError, match="NaN"):
        Value(float("nan"))
    with pytest.raises(ValueError, match="log needs a positive number"):
        Value(-1.0).log()
    with pytest.raises(ZeroDivisionError, match="denominator is 0"):
        Value(1.0) / 0
    with pytest.raises(TypeError, match="exponent k must be a plain number"):
        Value(2.0) ** Value(2.0)
    with pytest.raises(OverflowError, match="exp"):
        Value(1000.0).exp()
    with pytest.raises(TypeError, match="root must be a Value"):
        next(backward_steps(3.0))


def test_repr_is_short_and_deterministic():
    v = Value(2.5, label="w")
    assert repr(v) == "Value(label='w', data=2.5, grad=0)"
    assert repr(Value(1.0)) == "Value(data=1, grad=0)"


# --------------------------------------------------------------------------------------
# Drawing
# --------------------------------------------------------------------------------------
def test_draw_graph_returns_a_figure_with_one_box_per_node():
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure
    from matplotlib.text import Annotation

    a, b, c, d = _example()
    d.backward()
    fig = draw_graph(d)
    try:
        assert isinstance(fig, Figure)
        boxes = [t for t in fig.axes[0].texts if not isinstance(t, Annotation)]
        arrows = [t for t in fig.axes[0].texts if isinstance(t, Annotation)]
        texts = [t.get_text() for t in boxes]
        assert len(texts) == len(topological_order(d))
        assert len(arrows) == sum(len(n.children) for n in topological_order(d))
        assert any(t.startswith("a\n") and "grad" in t for t in texts)
        assert any(t.startswith("d (+)") for t in texts)
        # one box per node, in topological order (the backward stepper relies on it)
        for node, text in zip(topological_order(d), texts):
            assert text.endswith(f"data {node.data:.4g}\ngrad {node.grad:.4g}")
        fig.canvas.draw()  # renders without error
    finally:
        plt.close(fig)
    fig2, ax = plt.subplots()
    try:
        assert draw_graph(Value(1.0, label="x"), ax=ax) is fig2
    finally:
        plt.close(fig2)


def test_import_stays_light():
    code = ("import sys, backprop_lab.autodiff, backprop_lab.gradcheck; "
            "assert 'matplotlib' not in sys.modules, 'matplotlib imported'; "
            "assert 'autograd' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)
