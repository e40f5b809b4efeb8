"""What a learner waits for: running each solution notebook, and a widget's update.

Notebooks run top to bottom in a fresh kernel of the benchmark's own Python (nbclient),
from their own folder, as the test suite runs them.  The first row runs a one-cell
notebook, so the kernel's start-up can be told apart from the notebooks' own work.
"""
import subprocess
import time
from pathlib import Path


def _execute(nb, folder, timeout):
    from nbclient import NotebookClient

    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(folder)}})
    t0 = time.perf_counter()
    # The kernel's own log (start-up notices) would clutter the table's output; a failing
    # notebook is still reported, by the exception nbclient raises.
    client.execute(stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


def notebook_times(folder, timeout=600):
    """[(name, seconds or an error text)] for every ``*.ipynb`` in ``folder`` (sorted),
    preceded by the one-cell baseline; [] when nbclient is missing or there are none."""
    try:
        import nbclient  # noqa: F401
        import nbformat
    except ImportError:
        return None
    folder = Path(folder)
    paths = sorted(p for p in folder.glob("*.ipynb") if not p.name.startswith("."))
    if not paths:
        return []
    empty = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("pass")])
    rows = [("(kernel start, one empty cell)", _execute(empty, folder, timeout))]
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        try:
            rows.append((path.name, _execute(nb, folder, timeout)))
        except Exception as exc:  # a broken notebook is reported, not fatal
            rows.append((path.name, f"failed: {type(exc).__name__}"))
    return rows


def widget_latency(repeats=20):
    """Median seconds from moving the learning-rate slider to the new picture being ready.

    Uses ``backprop_lab.widgets.measure_latency`` on a ``LearningRateExplorer``: each
    change re-trains the explorer's network, redraws the figure, encodes the PNG and
    updates the image widget (when ipywidgets is installed).  Returns None when the
    widgets module is not there yet.
    """
    try:
        from backprop_lab import widgets
    except ImportError:
        return None
    if not hasattr(widgets, "measure_latency") or not hasattr(widgets, "LearningRateExplorer"):
        return None
    app = widgets.LearningRateExplorer()
    widgets.measure_latency(app, "learning_rate", n=2)  # warm-up: first draw, imports
    return widgets.measure_latency(app, "learning_rate", n=repeats)["median_ms"] / 1000
