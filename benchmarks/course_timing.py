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


PROBE_NOTEBOOK = "learning_rate_probe.ipynb"


def browser_widget_latency(steps=40, warmup=5):
    """Slider steps of the LearningRateExplorer timed in a real browser: JupyterLab
    served on loopback, headless chromium, the same timer as the browser test (from the
    key press that moves the slider to the moment the new picture is in the page).

    Returns {'median_ms', 'p95_ms', 'max_ms', 'times_ms', 'kernel_ms'} ('kernel_ms': the
    median compute/draw/send split of the same updates, measured in the kernel), or a
    string saying why it could not run (no playwright, no chromium).
    """
    import importlib.util
    import json
    import sys
    import tempfile
    import time
    from pathlib import Path

    if importlib.util.find_spec("playwright") is None:
        return "playwright not installed"
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "browser"))
    import browser_helpers as bh  # the helpers of the browser test

    chromium = bh.find_chromium()
    if chromium is None:
        return "no chromium executable"
    import nbformat
    from playwright.sync_api import sync_playwright

    root, work = Path(tempfile.mkdtemp()), Path(tempfile.mkdtemp())
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell(
            "from backprop_lab.widgets import LearningRateExplorer\n"
            "app = LearningRateExplorer()\nsplits = []\n_refresh = app._refresh\n\n"
            "def _timed():\n    _refresh()\n    splits.append(dict(app.timings_ms))\n\n"
            "app._refresh = _timed\napp"),
        nbformat.v4.new_code_cell(
            "import json, statistics\nprint(json.dumps({k: statistics.median(s[k] for s in "
            "splits[-%d:]) for k in splits[-1]}))" % steps)])
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python",
                                 "display_name": "Python 3"}
    nbformat.write(nb, str(root / PROBE_NOTEBOOK))
    server = bh.LabServer(root, work)
    server.start()
    try:
        with sync_playwright() as manager:
            browser = manager.chromium.launch(executable_path=chromium, headless=True,
                                              args=bh.CHROMIUM_ARGS)
            page = bh.open_lab(browser.new_context(viewport={"width": 1280, "height": 800}),
                               server)
            bh.open_notebook(page, PROBE_NOTEBOOK)
            cells = page.locator(f"{bh.PANEL} .jp-Notebook .jp-Cell")
            cells.nth(0).click()
            page.keyboard.press("Shift+Enter")
            page.wait_for_selector(f"{bh.PANEL} .widget-slider .noUi-handle")
            time.sleep(1.0)
            page.evaluate("() => document.querySelector('.widget-vbox')"
                          ".setAttribute('data-latency-probe', '1')")
            probe = "[data-latency-probe='1']"
            bh.time_slider_steps(page, probe, warmup)  # first draws, caches
            times, error = bh.time_slider_steps(page, probe, steps)
            if error:
                return f"the slider did not update: {error}"
            cells.nth(1).click()
            page.keyboard.press("Shift+Enter")
            output = cells.nth(1).locator(".jp-OutputArea-output")
            output.wait_for()
            kernel = json.loads(output.inner_text())
            browser.close()
    finally:
        server.stop()
    return {"median_ms": bh.percentile(times, 50), "p95_ms": bh.percentile(times, 95),
            "max_ms": max(times), "times_ms": times, "kernel_ms": kernel}
