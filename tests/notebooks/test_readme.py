"""The README's examples run and print what the README says they print."""
import contextlib
import io
import re
from pathlib import Path

import numpy as np

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def _blocks(language):
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.S)


def test_the_check_example_prints_the_verdict_shown():
    code = next(b for b in _blocks("python") if 'check("relu_backward"' in b)
    shown = next(b for b in _blocks("text") if b.startswith("relu_backward"))
    namespace = {}
    exec("from backprop_lab.grading import check\n", namespace)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(code, namespace)
    assert out.getvalue() == shown


def test_the_library_example_runs_with_the_shapes_described():
    code = next(b for b in _blocks("python") if "model.fit(X, y" in b)
    namespace = {}
    np.random.seed(0)
    with contextlib.redirect_stdout(io.StringIO()):
        exec(code, namespace)
    assert namespace["y_pred"].shape == (1000, 1)
    assert len(namespace["model"].history.history["loss"]) == 10
