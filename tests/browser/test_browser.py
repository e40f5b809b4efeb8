"""Real-browser test: JupyterLab in headless chromium runs every solution notebook.

One JupyterLab server (loopback, random token, serving a temporary copy of solutions/)
and one chromium are shared by all tests.  For each notebook the test clicks
Run -> Run All Cells, waits until every code cell shows an execution count and the
kernel is idle, then checks that no cell shows a traceback and that widget outputs
render as live widgets.  A last test moves the learning-rate slider of the
LearningRateExplorer and checks that the picture and the verdict change.

Needs playwright (``pip install playwright``) and a chromium executable; the tests skip
with the reason when either is missing.

Screenshots for the README: ``BACKPROP_LAB_SCREENSHOTS=1`` writes docs/screenshots/*.png
(otherwise nothing in the repository is written).
"""
import json
import os
import re
import shutil
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # for browser_helpers
import browser_helpers as bh  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
SOLUTIONS = sorted((REPO / "solutions").glob("*.ipynb"))
SCREENSHOTS = (REPO / "docs" / "screenshots"
               if os.environ.get("BACKPROP_LAB_SCREENSHOTS") else None)
RUN_TIMEOUT = 60  # seconds for one notebook's Run All Cells
WIDGET_TIMEOUT = 15  # seconds for widget views to appear after the run
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
EXPLORER = "LearningRateExplorer"
PROBE = "learning_rate_explorer_probe.ipynb"
CELLS = f"{bh.PANEL} .jp-Notebook .jp-Cell"  # the cells of the notebook on show

# the notebook left open by its test for the slider test
_kept_open = set()


# --------------------------------------------------------------------------------------
# Reading the notebook files
# --------------------------------------------------------------------------------------
def read_cells(path):
    """For each cell of a notebook file: {'type', 'source', 'tags', 'widget' (a stored
    widget view among its outputs), 'errors' (its stored error outputs, as text)}."""
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    cells = []
    for cell in nb["cells"]:
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        outputs = cell.get("outputs", [])
        cells.append({
            "type": cell["cell_type"],
            "source": source,
            "tags": cell.get("metadata", {}).get("tags", []),
            "widget": any(WIDGET_MIME in o.get("data", {}) for o in outputs),
            "errors": [f"{o.get('ename')}: {o.get('evalue')}" for o in outputs
                       if o.get("output_type") == "error"],
        })
    return cells


def explorer_cell(path):
    """Index of the first code cell that shows a LearningRateExplorer (its stored
    outputs hold a widget view), or None."""
    for index, cell in enumerate(read_cells(path)):
        if cell["type"] == "code" and EXPLORER in cell["source"] and cell["widget"]:
            return index
    return None


def find_explorer(root):
    """(notebook name, cell index) of the LearningRateExplorer the slider test moves:
    the first solution notebook that shows one, else the probe notebook."""
    for path in SOLUTIONS:
        index = explorer_cell(root / path.name)
        if index is not None:
            return path.name, index
    return PROBE, 0


def describe(name, index, cells):
    return f"{name}, cell {index}:\n{bh.cell_summary(cells[index]['source'])}"


# --------------------------------------------------------------------------------------
# Fixtures: one server, one browser
# --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def playwright_api():
    return pytest.importorskip("playwright.sync_api",
                               reason="playwright is not installed (pip install playwright)")


@pytest.fixture(scope="module")
def chromium_path():
    path = bh.find_chromium()
    if path is None:
        pytest.skip("no chromium executable found (Debian: apt-get install chromium)")
    return path


@pytest.fixture(scope="module")
def lab_root(tmp_path_factory):
    """A copy of solutions/ (the repository is never touched), plus a small notebook
    with a LearningRateExplorer when no solution notebook shows one yet."""
    root = tmp_path_factory.mktemp("lab_root")
    for path in SOLUTIONS:
        shutil.copy2(path, root / path.name)
    if not any(explorer_cell(root / p.name) is not None for p in SOLUTIONS):
        import nbformat

        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_code_cell(
            "from backprop_lab.widgets import LearningRateExplorer\n\n"
            "LearningRateExplorer()")]
        nb.metadata["kernelspec"] = {"name": "python3", "language": "python",
                                     "display_name": "Python 3 (ipykernel)"}
        nbformat.write(nb, str(root / PROBE))
    return root


@pytest.fixture(scope="module")
def lab(lab_root, tmp_path_factory, playwright_api, chromium_path):
    server = bh.LabServer(lab_root, tmp_path_factory.mktemp("lab_config"))
    server.start()
    try:
        argv = server.api("GET", "/api/kernelspecs")["kernelspecs"]["python3"]["spec"]["argv"]
        assert argv[0] == sys.executable, f"the python3 kernel runs {argv[0]}"
        yield server
    finally:
        _kept_open.clear()
        server.stop()


@pytest.fixture(scope="module")
def page(playwright_api, chromium_path, lab):
    """One chromium page with JupyterLab loaded; notebooks open in it one after another."""
    manager = playwright_api.sync_playwright().start()
    try:
        browser = manager.chromium.launch(executable_path=chromium_path, headless=True,
                                          args=bh.CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        yield bh.open_lab(context, lab, timeout=RUN_TIMEOUT)
        browser.close()
    finally:
        manager.stop()


# --------------------------------------------------------------------------------------
# Running one notebook
# --------------------------------------------------------------------------------------
def run_notebook(lab, page, name):
    """Open ``name``, run all cells, wait; returns (cells, state, problems)."""
    cells = read_cells(lab.root_dir / name)
    bh.open_notebook(page, name)
    try:
        return _run_open_notebook(page, name, cells)
    except Exception:
        close(page, lab, name)
        raise


def _run_open_notebook(page, name, cells):
    shown = len(bh.cell_state(page)["cells"])
    if shown != len(cells):
        return cells, None, [f"{name}: the page shows {shown} cells, "
                             f"the file has {len(cells)}"]
    expected = [i for i, c in enumerate(cells) if c["type"] == "code" and c["source"].strip()]
    start = time.monotonic()
    bh.run_all_cells(page)
    tolerated = {i for i, c in enumerate(cells) if "raises-exception" in c["tags"]}
    finished, state = bh.wait_for_run(page, expected, tolerated, timeout=RUN_TIMEOUT)
    problems = []
    if not finished:
        dom = state["cells"]
        waiting = [i for i in expected if i < len(dom) and not bh.executed(dom[i])]
        if waiting:
            problems.append(f"not finished after {RUN_TIMEOUT} s (the first cell without "
                            f"an execution count is shown): "
                            + describe(name, waiting[0], cells))
        else:
            problems.append(f"{name}: the kernel was not idle after {RUN_TIMEOUT} s "
                            f"(status bar: {state['status']!r})")
        return cells, state, problems
    # widget views render a moment after their output arrives
    wanted = [i for i, c in enumerate(cells) if c["widget"]]
    deadline = time.monotonic() + WIDGET_TIMEOUT
    while wanted and time.monotonic() < deadline:
        if all(state["cells"][i]["widgets"] for i in wanted):
            break
        time.sleep(0.25)
        state = bh.cell_state(page)
    state["seconds"] = time.monotonic() - start
    return cells, state, problems


def run_problems(name, cells, state):
    """What went wrong in a finished run, one message per problem."""
    problems = []
    dom = state["cells"]
    stopped = False
    for i, cell in enumerate(cells):
        if cell["type"] != "code" or not cell["source"].strip():
            continue
        shown = dom[i]
        if shown["errors"] and "raises-exception" not in cell["tags"]:
            lines = [line for line in shown["errors"][0].splitlines() if line.strip()]
            tail = "\n".join("  | " + line for line in lines[-8:])
            problems.append(f"error in {describe(name, i, cells)}\n  traceback (end):\n{tail}")
            stopped = True
        elif not bh.executed(shown) and not stopped:
            problems.append(f"did not run ({shown['prompt']!r}): {describe(name, i, cells)}")
        if cell["widget"] and not shown["widgets"]:
            problems.append(f"no widget rendered (.jupyter-widgets) in "
                            f"{describe(name, i, cells)}")
        for text in shown["widget_errors"]:
            problems.append(f"widget error {text.strip()[:200]!r} in "
                            f"{describe(name, i, cells)}")
    return problems


def saved_errors(page, lab, name, cells):
    """Error outputs in the notebook as JupyterLab saves it (cells tagged
    raises-exception excluded)."""
    bh.save_notebook(page)
    saved = read_cells(lab.root_dir / name)
    return [f"error output in the saved notebook: {describe(name, i, saved)}\n  -> "
            + "; ".join(c["errors"])
            for i, c in enumerate(saved)
            if c["errors"] and "raises-exception" not in c["tags"]]


def close(page, lab, name):
    """Close the notebook's tab and shut its kernel down."""
    try:
        bh.close_notebook(page, name)
    finally:
        lab.shutdown_kernels(path=name)


def hide_sidebar(page):
    tab = page.locator(".jp-SideBar.jp-mod-left .lm-TabBar-tab.lm-mod-current")
    if tab.count():
        tab.first.click()
        page.wait_for_timeout(300)


def screenshot_start(page, cells):
    """docs/screenshots/start_here.png: the window, scrolled to the heading above the
    environment check (the doctor's report), else to the top."""
    top = 0
    for i, cell in enumerate(cells):
        if cell["type"] == "code" and "doctor" in cell["source"]:
            top = i - 1 if i and cells[i - 1]["type"] == "markdown" else i
            break
    page.locator(CELLS).nth(top).evaluate("e => e.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(300)
    bh.save_png(page.screenshot(), SCREENSHOTS / "start_here.png")


def screenshot_training_plot(page, cells):
    """docs/screenshots/training_plot.png: a cell that plots a training history (the
    digits run if there is one)."""
    plotting = [i for i, c in enumerate(cells)
                if c["type"] == "code" and "plot_history(" in c["source"]]
    plotting.sort(key=lambda i: "digits" not in cells[i]["source"])
    for i in plotting:
        target = page.locator(CELLS).nth(i)
        if target.locator(".jp-OutputArea-output img").count():
            bh.save_png(target.screenshot(), SCREENSHOTS / "training_plot.png")
            return True
    return False


# --------------------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", [p.name for p in SOLUTIONS])
def test_notebook_runs_in_jupyterlab(name, lab, page):
    cells, state, problems = run_notebook(lab, page, name)
    keep = False
    try:
        assert not problems, "\n\n".join(problems)
        problems = run_problems(name, cells, state)
        assert not problems, "\n\n".join(problems)
        if any(c["widget"] or re.search(r"\bipywidgets\b|" + EXPLORER, c["source"])
               for c in cells if c["type"] == "code"):
            total = sum(c["widgets"] for c in state["cells"])
            assert total > 0, f"{name} uses widgets but none rendered (.jupyter-widgets)"
        problems = saved_errors(page, lab, name, cells)
        assert not problems, "\n\n".join(problems)
        print(f"{name}: ran in JupyterLab in {state['seconds']:.1f} s")
        if SCREENSHOTS is not None:
            hide_sidebar(page)
            if name == SOLUTIONS[0].name:
                screenshot_start(page, cells)
            screenshot_training_plot(page, cells)
        keep = find_explorer(lab.root_dir)[0] == name
        if keep:
            _kept_open.add(name)
    finally:
        if not keep:
            close(page, lab, name)


def test_learning_rate_slider_redraws_the_plot(lab, page, lab_root):
    name, index = find_explorer(lab_root)
    if name in _kept_open:
        _kept_open.discard(name)
        bh.activate(page, name)
    else:  # the notebook's own test did not run (or this is the probe notebook)
        cells, state, problems = run_notebook(lab, page, name)
        problems = problems or run_problems(name, cells, state)
        if problems:
            close(page, lab, name)
            pytest.fail("\n\n".join(problems))
    cells = read_cells(lab_root / name)
    where = describe(name, index, cells)
    try:
        cell = page.locator(CELLS).nth(index)
        app = cell.locator(".widget-vbox").filter(
            has=page.locator(".widget-label", has_text="epochs")).first
        slider = app.locator(".widget-slider").filter(
            has=page.locator(".widget-label", has_text="learning rate")).first
        handle = slider.locator(".noUi-handle").first
        readout = slider.locator(".widget-readout").first
        status = app.locator(".widget-html").first
        picture = app.locator("img").first
        for what, locator in [("learning-rate slider", handle), ("verdict", status),
                              ("picture", picture)]:
            assert locator.count(), f"no {what} in the LearningRateExplorer of {where}"

        if SCREENSHOTS is not None:
            hide_sidebar(page)
        app.scroll_into_view_if_needed()
        before = {"readout": readout.inner_text(), "status": status.inner_text(),
                  "picture": picture.screenshot()}
        if SCREENSHOTS is not None:
            bh.save_png(app.screenshot(), SCREENSHOTS / "lr_explorer_before.png")

        # Move the slider with the keyboard: End (or Home, if it is already at the top).
        at_max = handle.get_attribute("aria-valuenow") == handle.get_attribute("aria-valuemax")
        handle.focus()
        page.keyboard.press("Home" if at_max else "End")
        deadline = time.monotonic() + 30
        while status.inner_text() == before["status"]:
            if time.monotonic() > deadline:
                pytest.fail(f"the verdict did not change within 30 s after moving the "
                            f"slider (readout {before['readout']} -> "
                            f"{readout.inner_text()}) in {where}")
            page.wait_for_timeout(200)
        page.wait_for_timeout(500)  # let the new picture load
        after = {"readout": readout.inner_text(), "status": status.inner_text(),
                 "picture": picture.screenshot()}
        if SCREENSHOTS is not None:
            bh.save_png(app.screenshot(), SCREENSHOTS / "lr_explorer_after.png")

        assert after["readout"] != before["readout"], "the slider's readout did not change"
        assert not after["status"].startswith("Error"), (
            f"the explorer reported an error after the change: {after['status']}")
        assert after["picture"] != before["picture"], (
            f"the picture did not change when the learning rate went from "
            f"{before['readout']} to {after['readout']} in {where}")
        print(f"learning rate {before['readout']} -> {after['readout']}: "
              f"{before['status'].splitlines()[0][:60]!r} -> "
              f"{after['status'].splitlines()[0][:60]!r}")
    finally:
        close(page, lab, name)
