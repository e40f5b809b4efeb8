"""Fixtures of the Binder and browser tests, shared by both and made once per run.

``binder``  the Binder-like environment built from ``binder/`` alone (``binder_env.py``),
            or the reason it cannot be built here.
``lab``     one JupyterLab server serving a copy of the student notebooks (``notebooks/``,
            as a learner opens them), run from the Binder environment when it could be
            built, else from this Python: so the browser test also shows that a fresh
            Binder environment runs the course.
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
STUDENT_NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
RUN_TIMEOUT = 60  # seconds for one notebook's Run All Cells, and for page actions


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
    """A copy of the student notebooks (the repository is never touched)."""
    root = tmp_path_factory.mktemp("lab_root")
    for path in STUDENT_NOTEBOOKS:
        shutil.copy2(path, root / path.name)
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
