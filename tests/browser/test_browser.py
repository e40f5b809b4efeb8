"""Real-browser test: JupyterLab in headless chromium runs every student notebook.

The server, its environment (the Binder one when it can be built) and the browser are
the fixtures of ``conftest.py``.  For each notebook of ``notebooks/`` and of the Chinese
edition's ``notebooks/zh/``, as a learner opens it, the test clicks Run -> Run All Cells,
waits until every code cell shows an execution count and the kernel is idle, then checks
that no cell shows a traceback, that widget outputs render as live widgets, and, in the
notebook JupyterLab saves, that every check cell says "not attempted" (in Chinese, the
catalogue's word for the status: nothing is solved yet, and
the demos after an exercise run on the reference), that no output warns of a glyph
missing from a font, and that in the Chinese edition every figure the solution shows is
drawn.  A small notebook the fixture writes switches to Chinese and draws a figure with
Chinese text: it must come back as a picture, drawn with the bundled Chinese font and no
missing glyph.  A last test moves the learning-rate slider of the LearningRateExplorer,
checks that the picture and the verdict change, and measures how long a slider step
takes to come back as a new picture (the benchmark's target is a 95th percentile of at
most 100 ms; the test prints the figures and asserts none, timing being the benchmark's
job).

Needs playwright (``pip install playwright``) and a chromium executable; the tests skip
with the reason when either is missing (``tests/notebooks`` then runs the student
notebooks headless instead).

Screenshots for the README: ``BACKPROP_LAB_SCREENSHOTS=1`` writes docs/screenshots/*.png
(otherwise nothing in the repository is written).
"""
import json
import os
import queue
import re
import threading
import time
import traceback
from pathlib import Path

import pytest

from backprop_lab.i18n import fonts, translations

import browser_helpers as bh
from conftest import CHINESE_FIGURE, RUN_TIMEOUT, STUDENT_NAMES, chinese_figure_notebook

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = (REPO / "docs" / "screenshots"
               if os.environ.get("BACKPROP_LAB_SCREENSHOTS") else None)
WIDGET_TIMEOUT = 15  # seconds for widget views to appear after the run
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
EXPLORER = "LearningRateExplorer"
NOT_ATTEMPTED = "not attempted"
#: What a check cell says instead in an edition: the catalogue's word for the status (an
#: English "not attempted" in a Chinese notebook is a failure too).
NOT_ATTEMPTED_IN = {"zh": translations("zh").pgettext("status", NOT_ATTEMPTED)}
MISSING_GLYPH = "missing from font"
IMAGE_MIME = "image/png"
LATENCY_STEPS = 20  # slider steps timed
BROWSERS = 2  # notebooks run at once, each in its own chromium
CELLS = f"{bh.PANEL} .jp-Notebook .jp-Cell"  # the cells of the notebook on show


# --------------------------------------------------------------------------------------
# Reading the notebook files
# --------------------------------------------------------------------------------------
def read_cells(path, text=None):
    """For each cell of a notebook file (or of its JSON ``text``): {'type', 'source',
    'tags', 'graded' (an nbgrader grade cell), 'widget' (a stored widget view among its
    outputs), 'image' (a stored PNG), 'text' (its stored text outputs), 'errors' (its
    stored error outputs, as text)}."""
    nb = json.loads(Path(path).read_text(encoding="utf-8") if text is None else text)
    cells = []
    for cell in nb["cells"]:
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        outputs = cell.get("outputs", [])
        meta = cell.get("metadata", {})
        text = []
        for o in outputs:
            chunk = o.get("text") or o.get("data", {}).get("text/plain", "")
            text.append("".join(chunk) if isinstance(chunk, list) else chunk)
        cells.append({
            "type": cell["cell_type"],
            "source": source,
            "tags": meta.get("tags", []),
            "graded": bool(meta.get("nbgrader", {}).get("grade")) and cell["cell_type"] == "code",
            "widget": any(WIDGET_MIME in o.get("data", {}) for o in outputs),
            "image": any(IMAGE_MIME in o.get("data", {}) for o in outputs),
            "text": "\n".join(text),
            "errors": [f"{o.get('ename')}: {o.get('evalue')}" for o in outputs
                       if o.get("output_type") == "error"],
        })
    return cells


def solution_of(name):
    """The solution notebook a student notebook was made from (its stored outputs say
    which cells show widgets)."""
    return REPO / "solutions" / name


def with_widgets(name):
    """The student notebook's cells, each marked 'widget' (and 'image') when its solution
    shows one."""
    if name == CHINESE_FIGURE:
        return read_cells(None, chinese_figure_notebook())
    cells = read_cells(REPO / "notebooks" / name)
    for cell, solved in zip(cells, read_cells(solution_of(name))):
        cell["widget"], cell["image"] = solved["widget"], solved["image"]
    return cells


def edition(name):
    """The edition of a notebook: "zh" for "zh/00_start_here.ipynb", None for English."""
    return name.split("/")[0] if "/" in name else None


def find_explorer():
    """(notebook name, cell index) of the first LearningRateExplorer shown as a widget."""
    for name in STUDENT_NAMES:
        for index, cell in enumerate(with_widgets(name)):
            if cell["type"] == "code" and EXPLORER in cell["source"] and cell["widget"]:
                return name, index
    return None, None


def describe(name, index, cells):
    return f"{name}, cell {index}:\n{bh.cell_summary(cells[index]['source'])}"


# --------------------------------------------------------------------------------------
# Running one notebook
# --------------------------------------------------------------------------------------
def run_notebook(lab, page, name):
    """Open ``name``, run all cells, wait; returns (cells, state, problems)."""
    cells = with_widgets(name)
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


def saved_problems(page, lab, name):
    """What the notebook as JupyterLab saves it shows wrongly: error outputs (cells tagged
    raises-exception excluded), check cells that do not say "not attempted" (or its
    translation), warnings of glyphs missing from a font, and, in an edition, figures of
    the solution that were not drawn."""
    bh.save_notebook(page)
    saved = read_cells(lab.root_dir / name)
    problems = [f"error output in the saved notebook: {describe(name, i, saved)}\n  -> "
                + "; ".join(c["errors"])
                for i, c in enumerate(saved)
                if c["errors"] and "raises-exception" not in c["tags"]]
    words = {NOT_ATTEMPTED_IN.get(edition(name), NOT_ATTEMPTED)}
    for i, c in enumerate(saved):
        if c["graded"] and not any(w in c["text"] for w in words):
            problems.append(f"a check cell of the untouched student notebook does not say "
                            f"{' or '.join(sorted(words))!r}: {describe(name, i, saved)}\n"
                            f"  -> {c['text'][:300]!r}")
        if MISSING_GLYPH in c["text"]:
            problems.append(f"a glyph is missing from the font in {describe(name, i, saved)}"
                            f"\n  -> {c['text'][:300]!r}")
    if edition(name) is not None:
        expected = with_widgets(name)
        problems += [f"the figure of {describe(name, i, saved)} was not drawn"
                     for i, (c, solved) in enumerate(zip(saved, expected))
                     if solved["image"] and not c["image"]]
    if not any(c["graded"] for c in saved) and any("check(" in c["source"] for c in saved):
        problems.append(f"{name}: check cells without nbgrader grade metadata")
    return problems


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
# The slider
# --------------------------------------------------------------------------------------
def move_slider(page, name, index, cells):
    """Move the learning-rate slider of the explorer in cell ``index`` of the open
    notebook; returns (problems, a line describing the change, the step times in ms)."""
    where = describe(name, index, cells)
    cell = page.locator(CELLS).nth(index)
    app = cell.locator(".widget-vbox").filter(
        has=page.locator(".widget-label", has_text="epochs")).first
    slider = app.locator(".widget-slider").filter(
        has=page.locator(".widget-label", has_text="learning rate")).first
    handle = slider.locator(".noUi-handle").first
    readout = slider.locator(".widget-readout").first
    status = app.locator(".widget-html").first
    picture = app.locator("img").first
    missing = [f"no {what} in the LearningRateExplorer of {where}"
               for what, locator in [("learning-rate slider", handle), ("verdict", status),
                                     ("picture", picture)] if not locator.count()]
    if missing:
        return missing, None, []
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
            return [f"the verdict did not change within 30 s after moving the slider "
                    f"(readout {before['readout']} -> {readout.inner_text()}) in {where}"], \
                None, []
        page.wait_for_timeout(200)
    page.wait_for_timeout(500)  # let the new picture load
    after = {"readout": readout.inner_text(), "status": status.inner_text(),
             "picture": picture.screenshot()}
    if SCREENSHOTS is not None:
        bh.save_png(app.screenshot(), SCREENSHOTS / "lr_explorer_after.png")
    problems = []
    if after["readout"] == before["readout"]:
        problems.append("the slider's readout did not change")
    if after["status"].startswith("Error"):
        problems.append(f"the explorer reported an error after the change: {after['status']}")
    if after["picture"] == before["picture"]:
        problems.append(f"the picture did not change when the learning rate went from "
                        f"{before['readout']} to {after['readout']} in {where}")
    change = (f"learning rate {before['readout']} -> {after['readout']}: "
              f"{before['status'].splitlines()[0][:70]!r} -> "
              f"{after['status'].splitlines()[0][:70]!r}")

    # The latency of a slider step, as a learner feels it.
    app.evaluate("e => e.setAttribute('data-latency-probe', '1')")
    times, error = bh.time_slider_steps(page, "[data-latency-probe='1']", LATENCY_STEPS)
    if error is not None:
        problems.append(f"slider steps in {where}: {error} (after {len(times)} steps)")
    return problems, change, times


# --------------------------------------------------------------------------------------
# Running every notebook, in two browsers at once
# --------------------------------------------------------------------------------------
def check_notebook(lab, page, name, explorer):
    """Open, run, check and close one notebook; a dict of what was found.  The notebook
    of ``explorer`` (notebook, cell) is left open when it ran cleanly, for its slider."""
    result = {"problems": [], "seconds": None, "slider": None, "kept_open": False}
    cells, state, problems = run_notebook(lab, page, name)
    try:
        result["problems"] = problems or run_problems(name, cells, state)
        if result["problems"]:
            return result
        uses_widgets = any(c["widget"] or re.search(r"\bipywidgets\b|" + EXPLORER,
                                                    c["source"])
                           for c in cells if c["type"] == "code")
        if uses_widgets and not sum(c["widgets"] for c in state["cells"]):
            result["problems"] = [f"{name} uses widgets but none rendered (.jupyter-widgets)"]
            return result
        result["problems"] = saved_problems(page, lab, name)
        result["seconds"] = state["seconds"]
        if SCREENSHOTS is not None:
            hide_sidebar(page)
            if name == STUDENT_NAMES[0]:
                screenshot_start(page, cells)
            screenshot_training_plot(page, cells)
        result["kept_open"] = explorer[0] == name and not result["problems"]
        return result
    finally:
        if not result["kept_open"]:
            close(page, lab, name)


def _browser_worker(lab, chromium_path, todo, results, explorer, all_run):
    """One thread: its own Playwright and chromium (the sync API is one per thread),
    taking notebooks from the queue ``todo`` until it is empty.  The thread that ran the
    explorer's notebook then waits until every notebook has run (``all_run``, a barrier)
    and moves its slider, so that the timing sees no other notebook running."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as manager:
        browser = manager.chromium.launch(executable_path=chromium_path, headless=True,
                                          args=bh.CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        page = bh.open_lab(context, lab, timeout=RUN_TIMEOUT)
        mine = set()  # the notebooks this thread ran (their tabs are in this page)
        while True:
            try:
                name = todo.get_nowait()
            except queue.Empty:
                break
            mine.add(name)
            try:
                results[name] = check_notebook(lab, page, name, explorer)
            except Exception:  # one broken notebook must not stop the others
                results[name] = {"problems": [traceback.format_exc()], "seconds": None,
                                 "slider": None, "kept_open": False}
        all_run.wait()
        kept = results.get(explorer[0], {})
        if kept.get("kept_open") and explorer[0] in mine:
            try:
                bh.activate(page, explorer[0])
                kept["slider"] = move_slider(page, explorer[0], explorer[1],
                                             with_widgets(explorer[0]))
            except Exception:
                kept["slider"] = ([traceback.format_exc()], None, [])
            finally:
                close(page, lab, explorer[0])
        browser.close()


def selected_notebooks(items):
    """The notebooks the selected tests need (``pytest -k zh`` runs only the Chinese ones):
    those of the selected notebook tests, the explorer's for the slider test, the Chinese
    figure notebook for its test."""
    wanted = set()
    for item in items:
        test = getattr(item, "originalname", None)  # nbval's cells have none
        if test == "test_student_notebook_runs_in_jupyterlab":
            wanted.add(item.callspec.params["name"])
        elif test == "test_learning_rate_slider_redraws_the_plot":
            wanted.add(find_explorer()[0])
        elif test == "test_a_figure_with_chinese_text_renders_in_jupyterlab":
            wanted.add(CHINESE_FIGURE)
    return [n for n in STUDENT_NAMES + [CHINESE_FIGURE] if n in wanted]


def _running_time(name):
    """File size stands in for a notebook's running time."""
    return 0 if name == CHINESE_FIGURE else solution_of(name).stat().st_size


@pytest.fixture(scope="session")
def browser_runs(request, lab, chromium_path, playwright_api):
    """{notebook name: result of ``check_notebook``}, every notebook the selected tests need
    run once, two at a time (one per browser; the kernels mostly wait on each other
    otherwise)."""
    explorer = find_explorer()
    todo = queue.Queue()
    # longest first, so the two end together
    for name in sorted(selected_notebooks(request.session.items), key=_running_time,
                       reverse=True):
        todo.put(name)
    results = {}
    all_run = threading.Barrier(BROWSERS)
    threads = [threading.Thread(target=_browser_worker,
                                args=(lab, chromium_path, todo, results, explorer, all_run))
               for _ in range(BROWSERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


# --------------------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", STUDENT_NAMES)
def test_student_notebook_runs_in_jupyterlab(name, lab, browser_runs):
    result = browser_runs.get(name)
    assert result is not None, f"{name} was not run (a browser thread failed to start)"
    assert not result["problems"], "\n\n".join(result["problems"])
    where = "the Binder environment" if lab.binder else \
        f"this Python ({lab.binder_reason.splitlines()[0]})"
    print(f"{name}: ran in JupyterLab in {result['seconds']:.1f} s, in {where}")


def test_learning_rate_slider_redraws_the_plot(browser_runs):
    name, _ = find_explorer()
    assert name is not None, "no student notebook shows a LearningRateExplorer"
    assert browser_runs.get(name, {}).get("slider") is not None, (
        f"{name} did not run cleanly, so its slider was not moved: "
        + "\n".join(browser_runs.get(name, {}).get("problems", [])))
    problems, change, times = browser_runs[name]["slider"]
    assert not problems, "\n\n".join(problems)
    assert len(times) == LATENCY_STEPS
    print(change)
    print(f"slider step to new picture, {len(times)} steps: median "
          f"{bh.percentile(times, 50):.0f} ms, 95th percentile {bh.percentile(times, 95):.0f} ms, "
          f"max {max(times):.0f} ms")


def test_a_figure_with_chinese_text_renders_in_jupyterlab(lab, browser_runs):
    """The Chinese figure notebook ran cleanly (no traceback, no missing glyph), its figure
    came back as a picture, and matplotlib drew the Chinese text with the bundled font."""
    result = browser_runs.get(CHINESE_FIGURE)
    assert result is not None, f"{CHINESE_FIGURE} was not run"
    assert not result["problems"], "\n\n".join(result["problems"])
    saved = read_cells(lab.root_dir / CHINESE_FIGURE)
    figure = saved[1]
    assert figure["image"], "the figure with Chinese text did not come back as a PNG"
    assert figure["text"].strip().splitlines()[-1].endswith(fonts.FONT_FILE.name), \
        figure["text"]
    assert MISSING_GLYPH not in figure["text"]
