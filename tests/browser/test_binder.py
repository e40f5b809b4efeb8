"""Binder check: a fresh environment built from binder/ alone runs every solution notebook.

What Binder (repo2docker) does with this repository, done here with a virtual
environment: create it with the Python version of binder/runtime.txt, install
binder/requirements.txt, run binder/postBuild in the repository folder, then open the
notebooks.  The test does all of it in a temporary copy of the working tree, so the
editable install of postBuild points at the copy and the repository's own .venv is never
touched, and then executes each solution notebook there with nbclient (from that
environment, with a kernel running that environment's Python).

Needs the package index (pip); skips with the reason when pip cannot reach it, or when
this machine's Python is not the version binder/runtime.txt asks for.
"""
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BINDER = REPO / "binder"
SOLUTIONS = sorted((REPO / "solutions").glob("*.ipynb"))
CELL_TIMEOUT = 120  # seconds per cell
NETWORK_TROUBLE = re.compile(
    r"NewConnectionError|Temporary failure in name resolution|Name or service not known|"
    r"Max retries exceeded|ConnectTimeout|ReadTimeout|ProxyError|Network is unreachable|"
    r"Connection refused|SSLError|No route to host")
# not copied into the temporary repository (as a fresh clone would not have them)
NOT_COPIED = shutil.ignore_patterns(
    ".git", ".venv", "venv", "__pycache__", "*.pyc", "*.egg-info", ".pytest_cache",
    ".hypothesis", ".ipynb_checkpoints", "build", "dist", "graded", "grades", "results")

# Runs inside the Binder environment: execute each notebook, report as JSON lines.
RUNNER = r'''
import json, sys, time
from pathlib import Path

import backprop_lab
import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

repo = Path(sys.argv[1]).resolve()
where = Path(backprop_lab.__file__).resolve()
if repo not in where.parents:
    print(json.dumps({"setup": f"backprop_lab imported from {where}, not from {repo}"}))
    sys.exit(0)
for path in sys.argv[2:]:
    path = Path(path)
    nb = nbformat.read(str(path), as_version=4)
    client = NotebookClient(nb, timeout=int(TIMEOUT), kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.monotonic()
    result = {"notebook": path.name, "error": None}
    try:
        client.execute()
    except CellExecutionError as exc:
        result["error"] = str(exc)
    except Exception as exc:  # a time-out or a dead kernel
        result["error"] = f"{type(exc).__name__}: {exc}"
    result["seconds"] = round(time.monotonic() - start, 1)
    print(json.dumps(result), flush=True)
'''


def runtime_version():
    """The (major, minor) of binder/runtime.txt, e.g. (3, 11); None if it has none."""
    path = BINDER / "runtime.txt"
    if not path.exists():
        return None
    match = re.fullmatch(r"python-(\d+)\.(\d+)", path.read_text().strip())
    assert match, f"binder/runtime.txt must read python-X.Y, not {path.read_text()!r}"
    return int(match.group(1)), int(match.group(2))


def run(command, cwd, env, timeout):
    return subprocess.run(command, cwd=cwd, env=env, timeout=timeout, text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def pip_failed(what, result):
    lines = [line for line in result.stdout.splitlines() if not line.startswith("WARNING")]
    tail = "\n".join(lines[-25:])
    if NETWORK_TROUBLE.search(result.stdout):
        pytest.skip(f"pip cannot reach the package index ({what}):\n{tail}")
    pytest.fail(f"{what} failed (exit {result.returncode}):\n{tail}")


@pytest.fixture(scope="module")
def binder_env(tmp_path_factory):
    """(repo copy, venv python, environment variables) of a Binder-like build."""
    wanted = runtime_version()
    if wanted is not None and sys.version_info[:2] != wanted:
        pytest.skip(f"binder/runtime.txt asks for Python {wanted[0]}.{wanted[1]}; this "
                    f"machine runs {sys.version_info[0]}.{sys.version_info[1]}")
    base = tmp_path_factory.mktemp("binder")
    repo = base / "repo"
    shutil.copytree(REPO, repo, ignore=NOT_COPIED)
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"

    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONHOME", "JUPYTER_PATH", "MPLBACKEND",
                        "NBGRADER_EXECUTION", "BACKPROP_LAB_GRADE_LOG")}
    env.update(
        VIRTUAL_ENV=str(venv),
        PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}",
        JUPYTER_DATA_DIR=str(base / "jupyter_data"),
        JUPYTER_CONFIG_DIR=str(base / "jupyter_config"),
        JUPYTER_RUNTIME_DIR=str(base / "jupyter_runtime"),
        IPYTHONDIR=str(base / "ipython"),
        PIP_DISABLE_PIP_VERSION_CHECK="1",
    )
    # --no-compile only skips writing .pyc files (about a quarter of the install time)
    result = run([str(python), "-m", "pip", "install", "--quiet", "--no-compile",
                  "--timeout", "30", "--retries", "2",
                  "-r", str(repo / "binder" / "requirements.txt")],
                 cwd=repo, env=env, timeout=900)
    if result.returncode != 0:
        pip_failed("pip install -r binder/requirements.txt", result)
    post_build = repo / "binder" / "postBuild"
    if post_build.exists():
        result = run(["bash", str(post_build)], cwd=repo, env=env, timeout=600)
        if result.returncode != 0:
            pip_failed("binder/postBuild", result)

    # The kernel the notebooks get is this environment's Python, by absolute path.
    spec = base / "jupyter_data" / "kernels" / "python3"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (ipykernel)", "language": "python"}))
    return repo, python, env


def test_binder_requirements_are_pinned():
    lines = [line.split("#")[0].strip()
             for line in (BINDER / "requirements.txt").read_text().splitlines()]
    unpinned = [line for line in lines if line and "==" not in line]
    assert not unpinned, f"binder/requirements.txt: pin these with ==: {unpinned}"


@pytest.mark.skipif(not SOLUTIONS, reason="no solution notebooks yet")
def test_solution_notebooks_run_in_binder_environment(binder_env):
    repo, python, env = binder_env
    notebooks = [str(repo / "solutions" / p.name) for p in SOLUTIONS]
    runner = repo.parent / "run_notebooks.py"
    runner.write_text(RUNNER.replace("TIMEOUT", str(CELL_TIMEOUT)))
    result = run([str(python), str(runner), str(repo), *notebooks], cwd=repo, env=env,
                 timeout=CELL_TIMEOUT * 10 * len(notebooks))
    reports = [json.loads(line) for line in result.stdout.splitlines()
               if line.startswith("{")]
    assert result.returncode == 0 and reports, (
        f"the notebook runner failed (exit {result.returncode}):\n{result.stdout[-3000:]}")
    assert "setup" not in reports[0], reports[0].get("setup")
    failures = [f"{r['notebook']}:\n{r['error']}" for r in reports if r["error"]]
    assert not failures, ("notebooks that fail in the Binder environment:\n\n"
                          + "\n\n".join(f[:3000] for f in failures))
    assert sorted(r["notebook"] for r in reports) == sorted(p.name for p in SOLUTIONS)
    print(", ".join(f"{r['notebook']} {r['seconds']} s" for r in reports))


def test_widget_extension_enabled_in_binder_environment(binder_env):
    repo, python, env = binder_env
    result = run([str(python), "-m", "jupyter", "labextension", "list"], cwd=repo, env=env,
                 timeout=120)
    text = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout)  # drop colour codes
    line = next((x for x in text.splitlines() if "@jupyter-widgets/jupyterlab-manager" in x),
                None)
    assert line is not None, f"the ipywidgets extension is not installed:\n{text}"
    assert "enabled" in line and "OK" in line, f"the ipywidgets extension is not usable: {line}"
