"""Helpers for the real-browser test: a private JupyterLab server and notebook driving.

``LabServer`` starts JupyterLab on loopback with a random token, its own settings and a
kernelspec that runs the Python it is given (the Binder environment's, or this one), and
stops it again.  The other functions drive one notebook in a Playwright page: open
it, run all cells from the menu, wait until every cell has run, and read back what each
cell shows (prompt, errors, widgets).

JupyterLab shows an error output and a stderr stream the same way (both are rendered
as ``.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]``), so
an error is told apart by its text: IPython's traceback header or the ``Cell In[n],
line m`` line of a SyntaxError.  The saved notebook (``output_type: "error"``) is the
second witness.
"""
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"  # the notebook on show
STDERR_OUTPUT = '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'
WIDGET = ".jupyter-widgets"

# Read the state of every cell of the open notebook in one round trip.
_CELL_STATE_JS = r"""
() => {
  const errorText = /Traceback \(most recent call last\)|^\s*Cell In\[\d+\], line \d+/m;
  const status = [...document.querySelectorAll('.jp-StatusBar-Widget')]
      .map(e => e.textContent).join(' ');
  const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  const cells = panel ? [...panel.querySelectorAll('.jp-Notebook .jp-Cell')] : [];
  return {
    status: status,
    cells: cells.map(c => {
      const prompt = c.querySelector('.jp-InputArea-prompt');
      const outputs = [...c.querySelectorAll('.jp-OutputArea-output')];
      return {
        code: c.classList.contains('jp-CodeCell'),
        prompt: prompt ? prompt.textContent.trim() : '',
        errors: [...c.querySelectorAll('STDERR')]
            .map(e => e.textContent).filter(t => errorText.test(t)),
        widgets: c.querySelectorAll('WIDGET').length,
        widget_errors: outputs.map(e => e.textContent)
            .filter(t => t.includes('Error displaying widget')),
      };
    }),
  };
}
""".replace("STDERR", STDERR_OUTPUT.replace("'", "\\'")).replace("WIDGET", WIDGET)


def find_chromium():
    """The path of a chromium executable, or None."""
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None


CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LabServer:
    """JupyterLab serving ``root_dir`` on 127.0.0.1, configured from ``work_dir`` only.

    python: the interpreter that runs the server and the ``python3`` kernel (default
    ``sys.executable``); env: extra environment variables (a virtual environment's PATH).
    User settings turn off the news prompt and attach every cell to the page
    (``windowingMode: none``), so the test sees all cells in the DOM.  Use as a context
    manager; ``stop()`` ends the server's own PID.
    """

    def __init__(self, root_dir, work_dir, startup_timeout=60, python=None, env=None):
        self.root_dir = Path(root_dir)
        self.work_dir = Path(work_dir)
        self.python = str(python or sys.executable)
        self.extra_env = dict(env or {})
        self.startup_timeout = startup_timeout
        self.token = secrets.token_hex(24)
        self.port = None
        self.proc = None
        self.log_path = self.work_dir / "jupyterlab.log"

    # ----- set-up -----
    def _write_config(self):
        data = self.work_dir / "data"
        spec = data / "kernels" / "python3"
        spec.mkdir(parents=True, exist_ok=True)
        (spec / "kernel.json").write_text(json.dumps({
            "argv": [self.python, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "Python 3 (ipykernel)",
            "language": "python",
            "metadata": {"debugger": True},
        }, indent=1))
        settings = self.work_dir / "settings" / "@jupyterlab"
        for plugin, values in {
            "apputils-extension/notification": {"fetchNews": "false",
                                                "checkForUpdates": False},
            "notebook-extension/tracker": {"windowingMode": "none"},
        }.items():
            path = settings / f"{plugin}.jupyterlab-settings"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values))
        for name in ("config", "runtime", "workspaces", "ipython"):
            (self.work_dir / name).mkdir(exist_ok=True)

    def _env(self):
        env = dict(os.environ)
        env.update(self.extra_env)
        env.pop("MPLBACKEND", None)  # the kernel must use the inline backend
        env.update(
            JUPYTER_PATH=str(self.work_dir / "data"),
            JUPYTER_DATA_DIR=str(self.work_dir / "data"),
            JUPYTER_CONFIG_DIR=str(self.work_dir / "config"),
            JUPYTER_RUNTIME_DIR=str(self.work_dir / "runtime"),
            IPYTHONDIR=str(self.work_dir / "ipython"),
            PYTHONHASHSEED="0",
        )
        return env

    def start(self):
        self._write_config()
        self.port = free_port()
        command = [
            self.python, "-m", "jupyter", "lab", "--no-browser",
            f"--port={self.port}", "--ServerApp.port_retries=0",
            "--ServerApp.ip=127.0.0.1", f"--ServerApp.token={self.token}",
            f"--ServerApp.root_dir={self.root_dir}",
            f"--LabApp.user_settings_dir={self.work_dir / 'settings'}",
            f"--LabApp.workspaces_dir={self.work_dir / 'workspaces'}",
            "--LabApp.expose_app_in_browser=True",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            command.append("--allow-root")
        log = open(self.log_path, "w")
        self.proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                                     env=self._env(), cwd=self.work_dir)
        log.close()
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with code {self.proc.returncode}:\n"
                                   + self.log_tail())
            try:
                self.api("GET", "/api/status")
                return self
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"JupyterLab did not answer within {self.startup_timeout} s:\n"
                           + self.log_tail())

    def stop(self):
        """Shut the kernels down, then end the server process (its own PID only)."""
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            self.shutdown_kernels()
        except Exception:  # the server is going away anyway
            pass
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def log_tail(self, n=30):
        try:
            lines = self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return ""
        return "\n".join(lines[-n:])

    # ----- REST -----
    @property
    def base_url(self):
        return f"http://127.0.0.1:{self.port}"

    def api(self, method, path):
        request = urllib.request.Request(self.base_url + path, method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def notebook_url(self, name):
        return f"{self.base_url}/lab/tree/{name}?token={self.token}&reset"

    def shutdown_kernels(self, path=None):
        """Delete the sessions (and so the kernels) of ``path``, or all of them."""
        for session in self.api("GET", "/api/sessions"):
            if path is None or session.get("path") == path:
                self.api("DELETE", f"/api/sessions/{session['id']}")


# --------------------------------------------------------------------------------------
# Driving one notebook
# --------------------------------------------------------------------------------------
def _kernel_idle(status):
    return "| Idle" in status


def open_lab(context, server, timeout=60):
    """A new page with JupyterLab loaded (its launcher showing)."""
    page = context.new_page()
    page.set_default_timeout(timeout * 1000)
    page.goto(f"{server.base_url}/lab?token={server.token}&reset")
    page.wait_for_selector(".jp-Launcher")
    return page


def _menu(page, menu, item):
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{menu}$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(f"^{item}")).first.click()


TAB = ".lm-DockPanel-tabBar .lm-TabBar-tab"


def _tab(page, name):
    """The tab of notebook ``name`` (a path under the server's root, e.g.
    ``zh/00_start_here.ipynb``).  Tabs are labelled with the file name only; when two
    open notebooks share one (an English and a Chinese edition), the tab's caption, which
    JupyterLab sets to "Name: ...\nPath: <path>...", tells them apart."""
    label = name.rsplit("/", 1)[-1]
    tabs = page.locator(TAB, has=page.locator(".lm-TabBar-tabLabel", has_text=re.compile(
        "^" + re.escape(label) + "$")))
    if tabs.count() <= 1:
        return tabs.first
    return page.locator(f'{TAB}[title*="Path: {name}"]').first


def open_notebook(page, name):
    """Open notebook ``name`` (File -> Open from Path) and wait until its kernel is idle."""
    _menu(page, "File", "Open from Path")
    page.locator(".jp-Dialog input").fill(name)
    page.locator(".jp-Dialog .jp-mod-accept").click()
    page.wait_for_selector(f'{TAB}[title*="Path: {name}"]')
    activate(page, name)
    page.wait_for_selector(f"{PANEL} .jp-Notebook .jp-Cell")
    # the launcher's tab can be closed once another tab is open: close it (screenshots)
    launcher = page.locator(TAB, has=page.locator(".lm-TabBar-tabLabel", has_text="Launcher"))
    if launcher.locator(".lm-TabBar-tabCloseIcon").count():
        launcher.locator(".lm-TabBar-tabCloseIcon").first.click()
        activate(page, name)
    # The toolbar's indicator can read idle before the kernel is connected; the status
    # bar's "| Idle" comes once it is.
    page.wait_for_function(
        "() => [...document.querySelectorAll('.jp-StatusBar-Widget')]"
        ".some(e => /\\| Idle/.test(e.textContent))")


def activate(page, name):
    """Make the tab of notebook ``name`` the current one."""
    _tab(page, name).click()
    page.wait_for_function(
        "(path) => { const t = document.querySelector("
        "'.lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current');"
        " return t && (t.getAttribute('title') || '').includes('Path: ' + path); }", arg=name)


def close_notebook(page, name):
    """Close the current notebook and shut its kernel down (File -> Close and Shut Down)."""
    activate(page, name)
    tab = page.locator(f'{TAB}[title*="Path: {name}"]').first
    _menu(page, "File", "Close and Shut Down")
    page.locator(".jp-Dialog .jp-mod-accept").click()
    tab.wait_for(state="detached")


def run_all_cells(page):
    """Menu Run -> Run All Cells."""
    _menu(page, "Run", "Run All Cells$")


def cell_state(page):
    return page.evaluate(_CELL_STATE_JS)


def wait_for_run(page, expected, tolerated=(), timeout=60, poll=0.25):
    """Wait until every code cell in ``expected`` (DOM indices) shows an execution count
    and the kernel is idle, or until the run stopped at an error.

    tolerated: indices of cells whose error does not stop the run (tagged
    ``raises-exception``; JupyterLab blanks the prompts of the queued cells after such
    an error, but the kernel runs them and they get their counts).
    Returns (finished, state): finished is False on a time-out.
    """
    deadline = time.monotonic() + timeout
    calm = 0  # consecutive polls that looked finished (the status can flicker to idle)
    state = cell_state(page)
    while time.monotonic() < deadline:
        state = cell_state(page)
        cells = state["cells"]
        running = any(c["prompt"] == "[*]:" for c in cells)
        done = all(i < len(cells) and executed(cells[i]) for i in expected)
        errored = any(c["errors"] for i, c in enumerate(cells) if i not in tolerated)
        if _kernel_idle(state["status"]) and not running and (done or errored):
            calm += 1
            if calm >= 3:
                return True, state
        else:
            calm = 0
        time.sleep(poll)
    return False, state


def executed(cell):
    """True when a cell's prompt shows an execution count, e.g. ``[12]:``."""
    prompt = cell["prompt"]
    return prompt.startswith("[") and prompt[1:-2].isdigit()


def save_notebook(page, timeout=15):
    """Save with Ctrl+S and wait until the title no longer marks unsaved changes."""
    page.locator(f"{PANEL} .jp-Notebook").first.click(position={"x": 5, "y": 5})
    page.keyboard.press("Escape")
    page.keyboard.press("Control+s")
    page.wait_for_function(
        "() => !document.querySelector('.jp-mod-current.jp-mod-dirty, "
        ".lm-TabBar-tab.jp-mod-current.jp-mod-dirty')", timeout=timeout * 1000)


def cell_summary(source, limit=3):
    """The first lines of a cell's source, for failure messages."""
    lines = [line for line in source.strip().splitlines()]
    text = "\n".join("    " + line for line in lines[:limit])
    return text + ("\n    ..." if len(lines) > limit else "")


def save_png(image_bytes, path, max_bytes=300_000):
    """Write a screenshot, shrunk to a 256-colour palette when it is too large."""
    import io

    from PIL import Image

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    image = Image.open(io.BytesIO(image_bytes)).convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, format="png", optimize=True)
    if buffer.tell() > max_bytes * 0.8:
        buffer = io.BytesIO()
        image.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(
            buffer, format="png", optimize=True)
    path.write_bytes(buffer.getvalue())
    return path


# --------------------------------------------------------------------------------------
# Widget latency (the browser test and the benchmark)
# --------------------------------------------------------------------------------------
# Times slider steps in the page itself: for each step, the time from the key press that
# moves the slider to the moment the picture's image source changes (the kernel has
# recomputed, redrawn and sent the new PNG, and the browser has swapped it in).
_TIME_STEPS_JS = r"""
async ([handleSelector, imageSelector, steps, key, timeoutMs]) => {
  const handle = document.querySelector(handleSelector);
  const image = document.querySelector(imageSelector);
  const times = [];
  for (let i = 0; i < steps; i++) {
    const before = image.src;
    const changed = new Promise((resolve, reject) => {
      const timer = setTimeout(() => { observer.disconnect(); reject('timeout'); },
                               timeoutMs);
      const observer = new MutationObserver(() => {
        if (image.src !== before) {
          clearTimeout(timer); observer.disconnect(); resolve(performance.now());
        }
      });
      observer.observe(image, {attributes: true, attributeFilter: ['src']});
    });
    handle.focus();
    const start = performance.now();
    handle.dispatchEvent(new KeyboardEvent('keydown', {key: key, bubbles: true}));
    try {
      times.push((await changed) - start);
    } catch (e) {
      return {times: times, error: 'no new picture within ' + timeoutMs + ' ms'};
    }
    await new Promise(r => setTimeout(r, 50));
  }
  return {times: times, error: null};
}
"""


def percentile(values, q):
    """The q-th percentile (0..100) of values, interpolating between neighbours."""
    ordered = sorted(values)
    k = (len(ordered) - 1) * q / 100
    low = int(k)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def time_slider_steps(page, app_selector, steps=20, key="ArrowLeft"):
    """Milliseconds from each of ``steps`` key presses on the learning-rate slider to the
    new picture: a list, and an error message or None."""
    handle = f"{app_selector} .widget-slider .noUi-handle"
    image = f"{app_selector} img"
    result = page.evaluate(_TIME_STEPS_JS, [handle, image, steps, key, 10000])
    return result["times"], result["error"]
