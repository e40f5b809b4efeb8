"""Binder check: an environment built from ``binder/`` alone has what the course needs.

The environment is built once per run (``binder_env.py``, the ``binder`` fixture).  Here
it must import the course from the repository copy and pass the course's own doctor
(every package at its floor, the widget extension's files present).  The notebooks
themselves run in it in the browser test, whose JupyterLab server and kernels are this
environment's: every student notebook runs there and its widgets must render, which is
what "the ipywidgets extension is enabled" means to a learner.

Skips with the reason when pip cannot reach the package index, or when this machine's
Python is not the version ``binder/runtime.txt`` asks for.
"""
import re

from binder_env import BINDER, REPO


def _pins(text):
    """{distribution name (normalised): version} of a requirements file's ``==`` lines."""
    pins = {}
    for line in text.splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, _, version = line.partition("==")
            pins[re.sub(r"[-_.]+", "_", name.strip()).lower()] = version.strip()
    return pins


def test_binder_requirements_are_pinned():
    lines = [line.split("#")[0].strip()
             for line in (BINDER / "requirements.txt").read_text().splitlines()]
    unpinned = [line for line in lines if line and "==" not in line]
    assert not unpinned, f"binder/requirements.txt: pin these with ==: {unpinned}"


def test_binder_requirements_cover_the_package():
    """postBuild installs the package with --no-deps, so every dependency of the package
    and of its ``course`` extra must be pinned in binder/requirements.txt."""
    import tomllib

    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    needed = project["dependencies"] + project["optional-dependencies"]["course"]
    names = [re.sub(r"[-_.]+", "_", re.split(r"[<>=!~\[; ]", line)[0]).lower()
             for line in needed]
    pins = _pins((BINDER / "requirements.txt").read_text())
    missing = [name for name in names if name not in pins]
    assert not missing, f"binder/requirements.txt does not pin {missing}"


def test_doctor_is_happy_in_the_binder_environment(binder_built):
    result = binder_built.run([str(binder_built.python), "-c",
                               "import backprop_lab, sys; print(backprop_lab.__file__)"])
    assert result.returncode == 0, result.stdout[-2000:]
    where = result.stdout.strip().splitlines()[-1]
    assert str(binder_built.repo) in where, f"backprop_lab imported from {where}"
    result = binder_built.run([str(binder_built.python), "-m", "backprop_lab", "doctor"])
    assert result.returncode == 0, f"doctor in the Binder environment:\n{result.stdout}"
    assert "All good" in result.stdout and "widget extension" in result.stdout
