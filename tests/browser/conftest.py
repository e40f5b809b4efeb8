"""Fixtures of the Binder and browser tests, shared by both and made once per run.

``binder``  the Binder-like environment built from ``binder/`` alone (``binder_env.py``),
            or the reason it cannot be built here.
``lab``     one JupyterLab server serving a copy of the student notebooks (``notebooks/``
            and the Chinese edition's ``notebooks/zh/``, as a learner opens them, and a
            small notebook drawing a figure with Chinese text), run from the Binder
            environment when it could be built, else from this Python: so the browser
            test also shows that a fresh Binder environment runs the course.
All tests of this folder are one work unit for pytest-xdist (the root ``conftest.py``),
so they run in one worker with one environment and one server.
"""
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # browser_helpers, binder_env
import binder_env  # noqa: E402
import browser_helpers as bh  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = REPO / "notebooks"
EDITIONS = ("zh",)  # the folders of the translated editions inside notebooks/
STUDENT_NOTEBOOKS = sorted(NOTEBOOKS.glob("*.ipynb")) + [
    p for edition in EDITIONS for p in sorted((NOTEBOOKS / edition).glob("*.ipynb"))]
#: Each notebook by its path under notebooks/ (and under the server's root):
#: "00_start_here.ipynb", "zh/00_start_here.ipynb".
STUDENT_NAMES = [p.relative_to(NOTEBOOKS).as_posix() for p in STUDENT_NOTEBOOKS]
#: A notebook the fixture writes (not in the repository): a figure with Chinese text.
CHINESE_FIGURE = "zh/chinese_figure_check.ipynb"
RUN_TIMEOUT = 60  # seconds for one notebook's Run All Cells, and for page actions


def chinese_figure_notebook():
    """A notebook that switches the library to Chinese, as the Chinese notebooks do, and
    draws a figure with a Chinese title, axis labels and legend; it prints the font file
    matplotlib uses for them."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    from backprop_lab.course.translate import LANGUAGE_CELL_SOURCE

    cells = [new_code_cell(LANGUAGE_CELL_SOURCE), new_code_cell(
        "import matplotlib.pyplot as plt\n"
        "from matplotlib import font_manager\n"
        "\n"
        "fig, ax = plt.subplots(figsize=(5, 3))\n"
        "ax.plot([0, 1, 2, 3], [2.0, 0.5, 0.2, 0.1], label=\"训练损失\")\n"
        "ax.set_title(\"损失随训练轮数下降（学习率 η = 0.1）\")\n"
        "ax.set_xlabel(\"轮\")\n"
        "ax.set_ylabel(\"损失 L\")\n"
        "ax.legend()\n"
        "plt.show()\n"
        "print(font_manager.findfont(font_manager.FontProperties(family=[\"sans-serif\"])))")]
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    return nbformat.writes(nb)


@pytest.fixture(scope="session")
def binder(tmp_path_factory):
    """A ``binder_env.BinderEnv``, or a string: why it cannot be built here."""
    return binder_env.build(tmp_path_factory.mktemp("binder"))


@pytest.fixture(scope="session")
def binder_built(binder):
    if isinstance(binder, str):
        pytest.skip(binder)
    return binder


@pytest.fixture(scope="session")
def playwright_api():
    return pytest.importorskip("playwright.sync_api",
                               reason="playwright is not installed (pip install playwright)")


@pytest.fixture(scope="session")
def chromium_path():
    path = bh.find_chromium()
    if path is None:
        pytest.skip("no chromium executable found (Debian: apt-get install chromium)")
    return path


@pytest.fixture(scope="session")
def lab_root(tmp_path_factory):
    """A copy of the student notebooks, editions in their folders (the repository is never
    touched), and the Chinese figure notebook."""
    root = tmp_path_factory.mktemp("lab_root")
    for path, name in zip(STUDENT_NOTEBOOKS, STUDENT_NAMES):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, root / name)
    (root / CHINESE_FIGURE).parent.mkdir(parents=True, exist_ok=True)
    (root / CHINESE_FIGURE).write_text(chinese_figure_notebook(), encoding="utf-8")
    return root


@pytest.fixture(scope="session")
def lab(lab_root, tmp_path_factory, playwright_api, chromium_path, binder):
    """JupyterLab on loopback; ``lab.binder`` is True when it runs in the Binder
    environment."""
    if isinstance(binder, str):
        python, env, in_binder = sys.executable, {}, False
    else:
        python, in_binder = binder.python, True
        env = {k: binder.env[k] for k in ("PATH", "VIRTUAL_ENV")}
    server = bh.LabServer(lab_root, tmp_path_factory.mktemp("lab_config"), python=python,
                          env=env)
    server.start()
    server.binder = in_binder
    server.binder_reason = None if in_binder else binder
    try:
        argv = server.api("GET", "/api/kernelspecs")["kernelspecs"]["python3"]["spec"]["argv"]
        assert argv[0] == str(python), f"the python3 kernel runs {argv[0]}, not {python}"
        yield server
    finally:
        server.stop()
