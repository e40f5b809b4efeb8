"""The ``demo`` and ``doctor`` commands."""
import argparse
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from backprop_lab.cli import demo, doctor
from backprop_lab.cli import main as cli_main


def test_demo_command_prints_results_and_the_explanation(capsys):
    assert cli_main(["demo", "--epochs", "2", "--verbose", "2"]) == 0
    out = capsys.readouterr().out
    assert "Epoch 2/2" in out
    assert "training data (800)" in out and "held-out data (200)" in out
    assert "coin flips" in out and "50%" in out


def test_demo_main_takes_an_args_object(capsys):
    args = argparse.Namespace(seed=3, epochs=1, verbose=0)
    assert demo.main(args) == 0
    assert "Epoch" not in capsys.readouterr().out  # verbose=0


def test_demo_random_labels_do_not_generalise():
    result = demo.run(seed=0, epochs=60, verbose=0)
    acc = result["history"].history["accuracy"]
    train_acc, held_out_acc = result["train"][1], result["held_out"][1]
    assert acc[-1] > acc[0]  # memorising: training accuracy creeps up
    assert abs(held_out_acc - 0.5) < 0.1  # chance on unseen samples
    assert train_acc > held_out_acc
    assert result["y_pred"].shape == (1000, 1)


def test_demo_is_reproducible():
    a = demo.run(seed=5, epochs=2, verbose=0)
    b = demo.run(seed=5, epochs=2, verbose=0)
    assert np.array_equal(a["y_pred"], b["y_pred"])


# ---- doctor -------------------------------------------------------------------------
def fake_environment(monkeypatch, versions, extension=True):
    monkeypatch.setattr(doctor, "_installed", lambda dist: versions.get(dist, "99.0"))
    monkeypatch.setattr(doctor, "_widget_extension_present", lambda: extension)


def test_doctor_all_good(monkeypatch, capsys):
    fake_environment(monkeypatch, {})
    assert doctor.main(argparse.Namespace()) == 0
    out = capsys.readouterr().out
    assert "All good" in out and "pip install" not in out
    for name in ("Python", "numpy", "jupyterlab", "ipywidgets", "matplotlib", "ipykernel",
                 "widget extension"):
        assert name in out


def test_doctor_old_and_missing_packages(monkeypatch, capsys):
    fake_environment(monkeypatch, {"ipywidgets": "7.8.1", "matplotlib": None})
    assert doctor.main(argparse.Namespace()) == 1
    out = capsys.readouterr().out
    assert 'python -m pip install --upgrade "ipywidgets>=8" "matplotlib>=3.7"' in out
    assert "missing" in out and "FIX" in out


def test_doctor_widget_extension_missing(monkeypatch):
    fake_environment(monkeypatch, {}, extension=False)
    result = doctor.report()
    assert not result.ok
    assert "python -m pip install --force-reinstall jupyterlab_widgets" in result.fix_command()


def test_doctor_report_for_a_notebook(monkeypatch):
    fake_environment(monkeypatch, {"numpy": "1.20.3"})
    result = doctor.report()
    rows = {row["name"]: row for row in result.rows}
    assert rows["numpy"]["found"] == "1.20.3" and not rows["numpy"]["ok"]
    assert rows["jupyterlab"]["ok"]
    assert repr(result) == str(result) == result.text


def test_doctor_reads_the_floors_from_the_installed_metadata():
    """The floors doctor checks are pyproject's own (dependencies and the course extra),
    read from the installed package's metadata, not a second copy."""
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+

    project = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml")
                            .read_text())["project"]
    declared = {}
    for line in project["dependencies"] + project["optional-dependencies"]["course"]:
        name, _, floor = line.partition(">=")
        declared[name] = floor or None
    assert dict(doctor.requirements()) == declared
    assert doctor.python_floor() == project["requires-python"].lstrip(">=")


@pytest.mark.parametrize("found, minimum, ok", [
    ("3.11.2", "3.9", True), ("8.1.0rc1", "8", True), ("8.0.0rc1", "8", False),
    ("2.0.0.post1", "2", True), ("7.8.1", "8", False), ("10.0", "9.5", True),
    ("not a version", "1", False)])
def test_versions_are_compared_as_versions(found, minimum, ok):
    assert doctor._at_least(found, minimum) is ok


def test_doctor_exit_code_from_the_command_line():
    proc = subprocess.run([sys.executable, "-m", "backprop_lab", "doctor"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode in (0, 1)
    assert ("All good" in proc.stdout) == (proc.returncode == 0)
    assert "numpy" in proc.stdout
