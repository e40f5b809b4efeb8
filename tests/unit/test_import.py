"""``import backprop_lab`` stays light: numpy only, plots and widgets load on first use."""
import subprocess
import sys

import pytest

HEAVY = ("matplotlib", "ipywidgets", "IPython", "nbformat", "nbclient")


@pytest.mark.parametrize("statement", [
    "import backprop_lab",
    "from backprop_lab.models import Sequential; from backprop_lab.layers import Dense",
    "import backprop_lab; backprop_lab.gradcheck; backprop_lab.datasets.load_digits()",
])
def test_heavy_libraries_are_not_imported(statement):
    code = (f"{statement}\nimport sys\n"
            f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]"


def test_submodules_load_on_attribute_access():
    import backprop_lab

    assert backprop_lab.models.Sequential.__name__ == "Sequential"
    assert "widgets" in dir(backprop_lab)
    with pytest.raises(AttributeError, match="no attribute 'modles'"):
        backprop_lab.modles  # noqa: B018
