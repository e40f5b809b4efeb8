"""Check that this Python has what the course needs, and say exactly what to fix.

Command line: ``python -m backprop_lab doctor`` (exit code 0 if all is well, else 1).
In a notebook: ``backprop_lab.doctor.report()`` shows the same table; ``.rows`` holds the
results and ``.ok`` is True when nothing needs fixing.

Versions are read from the installed package metadata, so nothing heavy is imported.
"""
import importlib.metadata
import sys

#: (name shown, distribution name, minimum version, why the course needs it)
REQUIREMENTS = (
    ("numpy", "numpy", "1.23", "arrays: everything"),
    ("jupyterlab", "jupyterlab", "4.0", "runs the notebooks"),
    ("ipykernel", "ipykernel", "6.0", "the Python kernel of the notebooks"),
    ("ipywidgets", "ipywidgets", "8.0", "sliders and interactive apps"),
    ("jupyterlab_widgets", "jupyterlab_widgets", "3.0", "shows ipywidgets in JupyterLab"),
    ("matplotlib", "matplotlib", "3.7", "plots"),
)
MIN_PYTHON = (3, 9)
WIDGET_EXTENSION = "labextensions/@jupyter-widgets/jupyterlab-manager/package.json"


def _as_tuple(version):
    """'3.11.2' -> (3, 11, 2); stops at the first part that is not a number ('8.1.0rc1' ->
    (8, 1))."""
    parts = []
    for piece in version.split("."):
        digits = ""
        for ch in piece:
            if not ch.isdigit():
                break
            digits += ch
        if not digits:
            break
        parts.append(int(digits))
        if len(digits) != len(piece):
            break
    return tuple(parts)


def _installed(distribution):
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def _widget_extension_present():
    """True if jupyterlab_widgets installed its JupyterLab extension files."""
    try:
        files = importlib.metadata.files("jupyterlab_widgets") or []
    except importlib.metadata.PackageNotFoundError:
        return False
    for f in files:
        if str(f).replace("\\", "/").endswith(WIDGET_EXTENSION):
            return f.locate().exists()
    return False


def check():
    """One dict per requirement: name, required, found, ok, purpose, fix (a pip argument)."""
    found_python = ".".join(str(v) for v in sys.version_info[:3])
    rows = [{
        "name": "Python", "required": ">=" + ".".join(map(str, MIN_PYTHON)),
        "found": found_python, "ok": sys.version_info[:2] >= MIN_PYTHON,
        "purpose": "runs everything", "fix": None,
    }]
    for shown, dist, minimum, purpose in REQUIREMENTS:
        found = _installed(dist)
        ok = found is not None and _as_tuple(found) >= _as_tuple(minimum)
        rows.append({"name": shown, "required": ">=" + minimum, "found": found or "missing",
                     "ok": ok, "purpose": purpose, "fix": None if ok else f"{dist}>={minimum}"})
    if _installed("jupyterlab_widgets") is not None:
        present = _widget_extension_present()
        rows.append({"name": "widget extension", "required": "installed",
                     "found": "installed" if present else "missing files", "ok": present,
                     "purpose": "JupyterLab side of ipywidgets",
                     "fix": None if present else "--force-reinstall jupyterlab_widgets"})
    return rows


class Report:
    """The result of the checks: ``rows`` (list of dicts), ``ok`` (bool), ``text`` (str)."""

    def __init__(self, rows):
        self.rows = rows
        self.ok = all(r["ok"] for r in rows)
        self.text = _format(rows)

    def fix_command(self):
        """The pip command that fixes every failed row ('' if none)."""
        return _fix_command(self.rows)

    def __str__(self):
        return self.text

    __repr__ = __str__


def _fix_command(rows):
    fixes = [r["fix"] for r in rows if r["fix"]]
    if not fixes:
        return ""
    reinstall = [f for f in fixes if f.startswith("--force-reinstall")]
    upgrades = [f'"{f}"' for f in fixes if not f.startswith("--force-reinstall")]
    commands = []
    if upgrades:
        commands.append("python -m pip install --upgrade " + " ".join(upgrades))
    if reinstall:
        commands.append("python -m pip install " + " ".join(reinstall))
    return "\n".join(commands)


def _format(rows):
    header = ("check", "required", "found", "status")
    table = [header] + [(r["name"], r["required"], r["found"], "ok" if r["ok"] else "FIX")
                        for r in rows]
    widths = [max(len(row[i]) for row in table) for i in range(4)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in table]
    lines.insert(1, "  ".join("-" * w for w in widths))
    if all(r["ok"] for r in rows):
        lines.append("All good: the course's notebooks and widgets should work here.")
        return "\n".join(lines)
    lines.append("")
    if not rows[0]["ok"]:
        lines.append(f"Python {rows[0]['found']} is too old: install Python "
                     f"{'.'.join(map(str, MIN_PYTHON))} or newer and create a new environment.")
    command = _fix_command(rows)
    if command:
        lines.append("To fix, run in a terminal, with the Python that runs Jupyter:")
        lines += ["    " + c for c in command.splitlines()]
        lines.append("(in a notebook cell, use %pip instead of python -m pip), "
                     "then restart JupyterLab.")
    return "\n".join(lines)


def report():
    """Run the checks; returns a ``Report`` that displays as a table in a notebook."""
    return Report(check())


def main(args=None):
    """Print the report; return 0 if everything is fine, else 1."""
    result = report()
    print(result.text)
    return 0 if result.ok else 1
