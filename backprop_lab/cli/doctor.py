"""Check that this Python has what the course needs, and say exactly what to fix.

Command line: ``python -m backprop_lab doctor`` (exit code 0 if all is well, else 1).
In a notebook: ``backprop_lab.cli.doctor.report()`` shows the same table; ``.rows`` holds the
results and ``.ok`` is True when nothing needs fixing.

What is required is read from backprop_lab's own installed metadata (its dependencies and
its ``course`` extra in pyproject.toml), and the versions found from each package's
metadata, so nothing heavy is imported; versions are compared with ``packaging``.

The report speaks the language of ``backprop_lab.config.language()``; the rows keep their
English values (``"missing"``, ``"installed"``), which only the table translates.
"""
import importlib.metadata
import sys

from ..i18n import N_, _, display_width, ljust, pgettext

#: What the course needs each package for (the names of the ``course`` extra and numpy).
PURPOSES = {
    "numpy": N_("arrays: everything"),
    "jupyterlab": N_("runs the notebooks"),
    "ipykernel": N_("the Python kernel of the notebooks"),
    "ipywidgets": N_("sliders and interactive apps"),
    "jupyterlab_widgets": N_("shows ipywidgets in JupyterLab"),
    "matplotlib": N_("plots"),
    "nbformat": N_("reads and writes notebooks"),
    "nbclient": N_("runs notebooks headless (grading)"),
    "nbconvert": N_("makes the student notebooks"),
}
#: Used only when backprop_lab itself is not installed (no metadata to read).
FALLBACK_PYTHON = "3.9"
DISTRIBUTION = "backprop_lab"
EXTRA = "course"
WIDGET_EXTENSION = "labextensions/@jupyter-widgets/jupyterlab-manager/package.json"


def requirements():
    """(distribution, minimum version or None) for every package the course needs, read
    from backprop_lab's installed metadata (its dependencies and its ``course`` extra).
    Empty when backprop_lab is not installed."""
    from packaging.requirements import Requirement

    try:
        lines = importlib.metadata.requires(DISTRIBUTION) or []
    except importlib.metadata.PackageNotFoundError:
        return []
    found = []
    for line in lines:
        req = Requirement(line)
        if req.marker is not None and not req.marker.evaluate({"extra": EXTRA}):
            continue  # another extra (test, benchmark) or another platform
        if req.name.replace("-", "_") == DISTRIBUTION:
            continue  # "backprop_lab[course]" inside another extra
        floors = [s.version for s in req.specifier if s.operator in (">=", "==", "~=")]
        found.append((req.name, floors[0] if floors else None))
    return found


def python_floor():
    """The Requires-Python floor of the installed backprop_lab, e.g. '3.9'."""
    try:
        spec = importlib.metadata.metadata(DISTRIBUTION).get("Requires-Python") or ""
    except importlib.metadata.PackageNotFoundError:
        return FALLBACK_PYTHON
    return spec.replace(">=", "").strip() or FALLBACK_PYTHON


def _installed(distribution):
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def _at_least(found, minimum):
    from packaging.version import InvalidVersion, Version

    try:
        return Version(found) >= Version(minimum)
    except InvalidVersion:
        return False


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
    from packaging.version import Version

    floor = python_floor()
    found_python = ".".join(str(v) for v in sys.version_info[:3])
    rows = [{
        "name": "Python", "required": ">=" + floor, "found": found_python,
        "ok": Version(found_python) >= Version(floor), "purpose": _("runs everything"),
        "fix": None,
    }]
    needed = requirements()
    if not needed:
        rows.append({"name": DISTRIBUTION, "required": "installed", "found": "missing",
                     "ok": False, "purpose": _("the course's package"),
                     "fix": "-e .[course]  (from the folder of the course)"})
    for dist, minimum in needed:
        found = _installed(dist)
        ok = found is not None and (minimum is None or _at_least(found, minimum))
        required = ">=" + minimum if minimum else "any"
        rows.append({"name": dist, "required": required, "found": found or "missing",
                     "ok": ok, "purpose": _(PURPOSES.get(dist, "")),
                     "fix": None if ok else f"{dist}{required if minimum else ''}"})
    if _installed("jupyterlab_widgets") is not None:
        present = _widget_extension_present()
        rows.append({"name": "widget extension", "required": "installed",
                     "found": "installed" if present else "missing files", "ok": present,
                     "purpose": _("JupyterLab side of ipywidgets"),
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


def _shown(value):
    """A table cell in the current language: the words the rows hold in English are
    translated, versions and names are not."""
    words = {
        "installed": pgettext("doctor", "installed"),
        "missing": pgettext("doctor", "missing"),
        "missing files": pgettext("doctor", "missing files"),
        "any": pgettext("doctor", "any"),
        "widget extension": pgettext("doctor", "widget extension"),
    }
    return words.get(value, value)


def _format(rows):
    header = (pgettext("doctor", "check"), pgettext("doctor", "required"),
              pgettext("doctor", "found"), pgettext("doctor", "status"))
    table = [header] + [(_shown(r["name"]), _shown(r["required"]), _shown(r["found"]),
                         pgettext("doctor", "ok") if r["ok"] else pgettext("doctor", "FIX"))
                        for r in rows]
    widths = [max(display_width(row[i]) for row in table) for i in range(4)]
    lines = ["  ".join(ljust(cell, w) for cell, w in zip(row, widths)).rstrip()
             for row in table]
    lines.insert(1, "  ".join("-" * w for w in widths))
    if all(r["ok"] for r in rows):
        lines.append(_("All good: the course's notebooks and widgets should work here."))
        return "\n".join(lines)
    lines.append("")
    if not rows[0]["ok"]:
        lines.append(_("Python {found} is too old: install Python {floor} or newer and create "
                       "a new environment.").format(found=rows[0]["found"], floor=python_floor()))
    command = _fix_command(rows)
    if command:
        commands = "\n".join("    " + c for c in command.splitlines())
        lines.append(_("To fix, run in a terminal, with the Python that runs Jupyter:\n"
                       "{commands}\n"
                       "(in a notebook cell, use %pip instead of python -m pip), then restart "
                       "JupyterLab.").format(commands=commands))
    return "\n".join(lines)


def report():
    """Run the checks; returns a ``Report`` that displays as a table in a notebook."""
    return Report(check())


def main(args=None):
    """Print the report; return 0 if everything is fine, else 1."""
    result = report()
    print(result.text)
    return 0 if result.ok else 1
