"""A Binder-like environment, built from ``binder/`` alone.

What Binder (repo2docker) does with this repository, done here with a virtual
environment: create it with the Python version of ``binder/runtime.txt``, install
``binder/requirements.txt``, run ``binder/postBuild`` in the repository folder.  All of it
happens in a temporary copy of the working tree (as a fresh clone would have it), so the
editable install of postBuild points at the copy and the repository's own ``.venv`` is
never touched.

``build(base)`` returns a ``BinderEnv``, or a string saying why it could not be built
(pip cannot reach the package index, or this machine's Python is not the one
``runtime.txt`` asks for): the tests then skip with that reason.
"""
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BINDER = REPO / "binder"
NETWORK_TROUBLE = re.compile(
    r"Failed to fetch|error sending request|dns error|"
    r"NewConnectionError|Temporary failure in name resolution|Name or service not known|"
    r"Max retries exceeded|ConnectTimeout|ReadTimeout|ProxyError|Network is unreachable|"
    r"Connection refused|SSLError|No route to host")
# not copied into the temporary repository (as a fresh clone would not have them)
NOT_COPIED = shutil.ignore_patterns(
    ".git", ".venv", "venv", "__pycache__", "*.pyc", "*.egg-info", ".pytest_cache",
    ".hypothesis", ".ipynb_checkpoints", "build", "dist", "graded", "grades", "results")


@dataclass
class BinderEnv:
    repo: Path      # the copy of the repository the environment was built in
    python: Path    # the environment's interpreter
    env: dict       # environment variables that select it (PATH, VIRTUAL_ENV, ...)

    def run(self, command, timeout=600):
        return run(command, self.repo, self.env, timeout)


class BuildFailed(Exception):
    """pip or postBuild failed for a reason other than the network: a real failure."""


def runtime_version():
    """The (major, minor) of binder/runtime.txt, e.g. (3, 11); None if it has none."""
    path = BINDER / "runtime.txt"
    if not path.exists():
        return None
    match = re.fullmatch(r"python-(\d+)\.(\d+)", path.read_text().strip())
    if not match:
        raise BuildFailed(f"binder/runtime.txt must read python-X.Y, not "
                          f"{path.read_text()!r}")
    return int(match.group(1)), int(match.group(2))


def run(command, cwd, env, timeout):
    return subprocess.run(command, cwd=cwd, env=env, timeout=timeout, text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def _failed(what, result):
    lines = [line for line in result.stdout.splitlines() if not line.startswith("WARNING")]
    tail = "\n".join(lines[-25:])
    if NETWORK_TROUBLE.search(result.stdout):
        return f"pip cannot reach the package index ({what}):\n{tail}"
    raise BuildFailed(f"{what} failed (exit {result.returncode}):\n{tail}")


def build(base):
    """Build the environment under the folder ``base``; a BinderEnv, or the reason it
    cannot be built here (a str).  Raises BuildFailed when the build itself is broken."""
    wanted = runtime_version()
    if wanted is not None and sys.version_info[:2] != wanted:
        return (f"binder/runtime.txt asks for Python {wanted[0]}.{wanted[1]}; this "
                f"machine runs {sys.version_info[0]}.{sys.version_info[1]}")
    base = Path(base)
    repo = base / "repo"
    shutil.copytree(REPO, repo, ignore=NOT_COPIED)
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"

    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONHOME", "JUPYTER_PATH", "MPLBACKEND",
                        "NBGRADER_EXECUTION", "BACKPROP_LAB_GRADE_LOG",
                        "PYTHONDONTWRITEBYTECODE")}
    env.update(
        VIRTUAL_ENV=str(venv),
        PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}",
        JUPYTER_DATA_DIR=str(base / "jupyter_data"),
        JUPYTER_CONFIG_DIR=str(base / "jupyter_config"),
        JUPYTER_RUNTIME_DIR=str(base / "jupyter_runtime"),
        IPYTHONDIR=str(base / "ipython"),
        PIP_DISABLE_PIP_VERSION_CHECK="1",
    )
    # The same pins as Binder's pip install, installed by uv when it is there (about four
    # times faster); both write the .pyc files at install time, as Binder does: with none
    # (or with PYTHONDONTWRITEBYTECODE set) every kernel would compile numpy again.
    requirements = str(repo / "binder" / "requirements.txt")
    if importlib.util.find_spec("uv") is not None:
        command = [sys.executable, "-m", "uv", "pip", "install", "--quiet",
                   "--compile-bytecode", "--python", str(python), "-r", requirements]
        what = "uv pip install -r binder/requirements.txt"
    else:
        command = [str(python), "-m", "pip", "install", "--quiet", "--timeout", "30",
                   "--retries", "2", "-r", requirements]
        what = "pip install -r binder/requirements.txt"
    result = run(command, cwd=repo, env=env, timeout=900)
    if result.returncode != 0:
        return _failed(what, result)
    post_build = repo / "binder" / "postBuild"
    if post_build.exists():
        result = run(["bash", str(post_build)], cwd=repo, env=env, timeout=600)
        if result.returncode != 0:
            return _failed("binder/postBuild", result)

    # The kernel the notebooks get is this environment's Python, by absolute path.
    spec = base / "jupyter_data" / "kernels" / "python3"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (ipykernel)", "language": "python"}))
    return BinderEnv(repo, python, env)
