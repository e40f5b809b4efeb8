"""``BackwardStepper``: the backward pass of a small graph, one node at a time."""
import html

from .. import autodiff, plots
from ..i18n import _
from ._app import _App, _check_number, _new_figure


def example_graph():
    """The seed's loss for one sigmoid neuron, as a Value graph.

        z = w * x + b,  a = sigmoid(z),  L = 1/2 (y - a)^2
    with x = 1.5, w = -0.8, b = 0.3, y = 1.  Returns L (its inputs are reachable from it).
    """
    Value = autodiff.Value
    x = Value(1.5, label="x")
    w = Value(-0.8, label="w")
    b = Value(0.3, label="b")
    y = Value(1.0, label="y")
    wx = w * x
    wx.label = "w*x"
    z = wx + b
    z.label = "z"
    a = z.sigmoid()
    a.label = "a"
    diff = y - a
    diff.label = "y-a"
    square = diff ** 2
    square.label = "(y-a)^2"
    loss = 0.5 * square
    loss.label = "L"
    return loss


class BackwardStepper(_App):
    """Step through the backward pass of a computation graph, one node at a time.

    root: the output Value of a graph from ``backprop_lab.autodiff`` (default:
        ``example_graph()``, the seed's squared error for one sigmoid neuron).
    Control: step (0 = before the backward pass, n_steps = finished), plus buttons
        (back, next, reset, run all) in the widget.

    At step k the graph's grads are exactly what ``backward_steps(root)`` has written
    after k nodes: each step takes one node and, by the chain rule, adds
    ``local derivative * node.grad`` to the grad of each of its inputs.

    ``state``: step, n_steps, done, current (label of the node just processed, None at
        step 0), updates (list of dicts: input, local, added, for that node),
        values {label: data}, grads {label: grad}, explanation (one sentence).
    Unlabelled nodes are named by their operation and position, e.g. 'node3 (+)'.
    Note: the app writes the grads of the graph you pass (as ``backward()`` does).
    """

    def __init__(self, root=None, step=0):
        self.root = example_graph() if root is None else root
        if not isinstance(self.root, autodiff.Value):
            raise ValueError(
                _("BackwardStepper(root=...): root must be an autodiff.Value, the output of "
                  "a graph (e.g. L = (w * x + b).tanh()).")
            )
        self.order = autodiff.topological_order(self.root)
        self.names = {}
        for i, node in enumerate(self.order):
            self.names[id(node)] = node.label or f"node{i} ({node.op or 'input'})"
        self.n_steps = len(self.order)
        super().__init__({"step": step})
        self.values["step"] = self._validate("step", step)
        self._build_figure()
        self._refresh()

    def _validate(self, name, value):
        return _check_number("BackwardStepper", name, value, 0, self.n_steps, integer=True)

    def step(self):
        """Go one node further (no-op at the end); returns ``state``."""
        return self.set(step=min(self.values["step"] + 1, self.n_steps))

    def reset(self):
        """Back to before the backward pass; returns ``state``."""
        return self.set(step=0)

    def _compute(self):
        k = self.values["step"]
        last = None
        if k == 0:
            for node in self.order:
                node.grad = 0.0
        else:
            steps = autodiff.backward_steps(self.root)
            for _ in range(k):
                last = next(steps)
            steps.close()
        name = self.names
        updates = [] if last is None else [
            {"input": name[id(child)], "local": local, "added": added}
            for child, local, added in last.updates]
        self._state = {
            "step": k, "n_steps": self.n_steps, "done": k == self.n_steps,
            "current": None if last is None else name[id(last.node)],
            "updates": updates,
            "values": {name[id(n)]: n.data for n in self.order},
            "grads": {name[id(n)]: n.grad for n in self.order},
            "explanation": self._explain(last),
        }
        self._current_node = None if last is None else last.node

    def _explain(self, last):
        if last is None:
            return _("Before the backward pass every grad is 0. The first step sets "
                     "d{root}/d{root} = 1.").format(root=self.names[id(self.root)])
        node = self.names[id(last.node)]
        if not last.updates:
            return _("{node} is an input: its grad {grad:.4g} is final.").format(
                node=node, grad=last.node.grad)
        parts = [f"{self.names[id(c)]}.grad += {local:.4g} x {last.node.grad:.4g}"
                 f" = {added:+.4g}" for c, local, added in last.updates]
        return _("{node} (op {op}) passes its grad back by the chain rule "
                 "(local derivative x grad): {updates}.").format(
                     node=node, op=last.node.op, updates="; ".join(parts))

    def _build_figure(self):
        columns = len(set(self._depth_list()))
        self.figure = _new_figure(min(max(5.0, 1.6 * columns), 12.0), 3.6)
        self.ax_graph = self.figure.subplots()

    def _depth_list(self):
        depth = {}
        for node in self.order:
            depth[id(node)] = 1 + max((depth[id(c)] for c in node.children), default=-1)
        return list(depth.values())

    def _draw(self):
        ax = self.ax_graph
        ax.clear()
        plots.draw_graph(self.root, ax=ax)
        # draw_graph makes one text box per node, in topological order: colour the node
        # just processed (red edge) and the inputs it updated (green edge).
        boxes = [t for t in ax.texts if t.get_bbox_patch() is not None]
        for box in boxes:  # above the arrows: an edge that skips a column passes behind
            box.set_zorder(4)
        if len(boxes) == len(self.order) and self._current_node is not None:
            updated = {id(c) for c in self._current_node.children}
            for node, box in zip(self.order, boxes):
                patch = box.get_bbox_patch()
                if node is self._current_node:
                    patch.set_edgecolor("red")
                    patch.set_linewidth(2.5)
                elif id(node) in updated:
                    patch.set_edgecolor("green")
                    patch.set_linewidth(2.0)
        s = self._state
        title = (_("backward pass: step {step} of {n_steps} (node {current})") if s["current"]
                 else _("backward pass: step {step} of {n_steps}"))
        ax.set_title(title.format(**s))

    def _make_controls(self, widgets):
        return {
            "step": widgets.IntSlider(value=self.values["step"], min=0, max=self.n_steps,
                                      description=_("step"), continuous_update=False),
        }

    def _layout(self, widgets, controls):
        buttons = []
        for text, action in ((_("reset"), lambda: 0),
                             (_("back"), lambda: max(self.values["step"] - 1, 0)),
                             (_("next"), lambda: min(self.values["step"] + 1, self.n_steps)),
                             (_("run all"), lambda: self.n_steps)):
            button = widgets.Button(description=text, layout={"width": "80px"})
            button.on_click(lambda _b, action=action: self._on_change("step")(
                {"new": action()}))
            buttons.append(button)
        return [widgets.HBox(buttons + [controls["step"]])]

    def _summary(self):
        return html.escape(self._state["explanation"])
