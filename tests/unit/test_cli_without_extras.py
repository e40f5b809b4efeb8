"""The demo command with arguments a user may mistype, and without matplotlib or
ipywidgets (it must need neither)."""
import sys
import types

import pytest

from backprop_lab.cli import demo, doctor


@pytest.mark.parametrize("epochs,seed,word", [(0, 0, "--epochs"), (-3, 0, "--epochs"),
                                              (2, -1, "--seed")])
def test_demo_refuses_bad_numbers_with_one_line_not_a_traceback(epochs, seed, word, capsys):
    code = demo.main(types.SimpleNamespace(seed=seed, epochs=epochs, verbose=0))
    out, err = capsys.readouterr()
    assert code == 2
    assert word in err and "Traceback" not in err
    assert out == ""  # nothing was trained or printed before the check


def test_demo_and_doctor_run_without_matplotlib_or_ipywidgets(monkeypatch, capsys):
    for name in ("matplotlib", "matplotlib.pyplot", "ipywidgets"):
        monkeypatch.setitem(sys.modules, name, None)  # import fails
    real_version = doctor.importlib.metadata.version

    def version(distribution):
        if distribution in ("matplotlib", "ipywidgets"):
            raise doctor.importlib.metadata.PackageNotFoundError(distribution)
        return real_version(distribution)

    monkeypatch.setattr(doctor.importlib.metadata, "version", version)
    assert demo.main(types.SimpleNamespace(seed=0, epochs=1, verbose=0)) == 0
    assert doctor.main() == 1
    out = capsys.readouterr().out
    assert "held-out data (200)" in out
    assert '"matplotlib>=3.7"' in out and '"ipywidgets>=8"' in out
