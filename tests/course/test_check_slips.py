"""A learner's slips around a check: an older version of the function checked after its
cell failed, and an exercise id typed wrong."""
import re

import pytest

from backprop_lab.grading import check, hint, or_reference
from backprop_lab.grading.grader import suggestions


@pytest.fixture
def shell(capsys):
    from IPython.core.interactiveshell import InteractiveShell

    ip = InteractiveShell.instance()
    ip.run_cell("import numpy as np\nfrom backprop_lab.grading import check",
                store_history=True)
    yield ip
    ip.run_cell("%reset -f", store_history=False)
    InteractiveShell.clear_instance()  # later tests run outside IPython, as they claim


def _run(shell, capsys, source):
    capsys.readouterr()
    shell.run_cell(source, store_history=True)
    return capsys.readouterr().out


GOOD = "def sum_squares(x):\n    return float(np.sum(x ** 2))"


def test_a_syntax_error_in_the_defining_cell_is_pointed_out(shell, capsys):
    _run(shell, capsys, GOOD)
    _run(shell, capsys, "def sum_squares(x):\n    return float(np.sum(x ** 2)")  # ) missing
    out = _run(shell, capsys, 'check("sum_squares", sum_squares)')
    assert re.search(r"all \d+ checks passed", out)
    assert "the last cell you ran that defines `sum_squares` has a syntax error" in out
    assert "this check grades the older `sum_squares`" in out


def test_an_error_before_the_def_is_pointed_out(shell, capsys):
    _run(shell, capsys, GOOD)
    _run(shell, capsys, "undefined_name\n\ndef sum_squares(x):\n    return 0.0")
    out = _run(shell, capsys, 'check("sum_squares", sum_squares)')
    assert "did not redefine it" in out and re.search(r"all \d+ checks passed", out)


def test_no_note_when_the_latest_definition_is_checked(shell, capsys):
    _run(shell, capsys, "def sum_squares(x):\n    return 0.0")
    _run(shell, capsys, GOOD)
    out = _run(shell, capsys, 'check("sum_squares", sum_squares)')
    assert "Note:" not in out and re.search(r"all \d+ checks passed", out)
    _run(shell, capsys, "other = sum_squares\nsum_squares = other")  # a reassignment
    assert "Note:" not in _run(shell, capsys, 'check("sum_squares", sum_squares)')


def test_outside_ipython_nothing_is_said(capsys):
    def sum_squares(x):
        return float((x ** 2).sum())

    check("sum_squares", sum_squares)
    assert "Note:" not in capsys.readouterr().out


def test_an_unknown_id_suggests_the_closest_ones(capsys):
    def relu_backward(da, cache):
        return da * (cache > 0)

    check("relu_backwards", relu_backward)
    out = capsys.readouterr().out
    assert "there is no exercise called 'relu_backwards'." in out
    assert 'Did you mean "relu_backward"?' in out
    check("relu_bakward", print)
    assert 'Did you mean "relu_backward"' in capsys.readouterr().out
    hint("relu_backwards")  # no function to go by: the closest spellings
    assert 'Did you mean "relu_backward"' in capsys.readouterr().out
    with pytest.raises(LookupError, match='Did you mean "relu_backward"'):
        or_reference("relu_backwards", relu_backward)


def test_suggestions_prefer_the_function_name_and_fall_back_to_parts():
    def mlp_backward():
        pass

    assert suggestions("backward_mlp", mlp_backward)[0] == "mlp_backward"
    assert all("relu" in s for s in suggestions("relu"))
    assert suggestions("zzzzzzzz") == []
