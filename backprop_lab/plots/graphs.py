"""Computation graphs of ``backprop_lab.autodiff``, drawn with matplotlib."""



def _depths(order):
    """Column of each node: 0 for inputs, else 1 + the largest column of its children."""
    depth = {}
    for node in order:
        depth[id(node)] = 1 + max((depth[id(c)] for c in node.children), default=-1)
    return depth


def draw_graph(root, ax=None):
    """Draw root's computation graph with matplotlib (no graphviz needed).

    The output is on the right; each node is one column further right than the deepest
    of its inputs, and each input sits one column left of the first node that uses it.
    A box shows the node's label and operation, its value (data) and its gradient
    (grad).  An arrow goes from each input to the node computed from it.
    ax: a matplotlib Axes to draw on (default: a new figure).
    Returns the matplotlib Figure.  The boxes are the Axes' texts that have a bbox patch,
    one per node, added in ``topological_order(root)`` (a widget can recolour them).
    """
    import matplotlib.pyplot as plt  # lazy: importing backprop_lab needs numpy only

    from ..autodiff import topological_order
    from ..i18n import prepare_figures

    prepare_figures()

    order = topological_order(root)
    depth = _depths(order)
    # An input (a node with no children) sits one column left of the first node that
    # uses it, so that a constant used late does not send an arrow across the figure.
    users = {}
    for node in order:
        for child in node.children:
            users.setdefault(id(child), []).append(depth[id(node)])
    for node in order:
        if not node.children and id(node) in users:
            depth[id(node)] = min(users[id(node)]) - 1
    columns = {}
    for node in order:
        columns.setdefault(depth[id(node)], []).append(node)
    n_cols = max(columns) + 1
    n_rows = max(len(nodes) for nodes in columns.values())
    position = {}  # id(node) -> (x, y); rows go downwards, each column centred
    for col, nodes in columns.items():
        offset = (n_rows - len(nodes)) / 2
        for row, node in enumerate(nodes):
            position[id(node)] = (col, -(row + offset))

    if ax is None:
        fig, ax = plt.subplots(figsize=(max(4.0, 2.6 * n_cols), max(2.5, 1.3 * n_rows)))
    else:
        fig = ax.figure
    boxes = {}
    for node in order:
        x, y = position[id(node)]
        title = node.label or ""
        if node.op:
            title = f"{title} ({node.op})" if title else f"({node.op})"
        text = f"{title}\ndata {node.data:.4g}\ngrad {node.grad:.4g}"
        colour = "#dbe9f6" if not node.children else "#fdf1d6"  # inputs blue, ops yellow
        boxes[id(node)] = ax.text(x, y, text, ha="center", va="center", fontsize=9,
                                  family="monospace", zorder=4,  # boxes above the arrows
                                  bbox=dict(boxstyle="round,pad=0.4", fc=colour, ec="0.3"))
    for node in order:
        for child in node.children:
            # from the right edge of the input's box to the left edge of the node's box
            ax.annotate("", xy=(0, 0.5), xycoords=boxes[id(node)],
                        xytext=(1, 0.5), textcoords=boxes[id(child)],
                        arrowprops=dict(arrowstyle="->", color="0.4", lw=1,
                                        shrinkA=4, shrinkB=4), zorder=2)
    ax.set_xlim(-0.6, n_cols - 0.4)
    ax.set_ylim(-n_rows + 0.4, 0.6)
    ax.set_axis_off()
    return fig
