"""A fresh student notebook runs top to bottom: every check says "not attempted" and no
cell raises (demos after an exercise fall back to the reference implementation)."""
from pathlib import Path

import pytest

from backprop_lab.course import grade_notebook

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_student_notebook_runs_clean(path):
    report = grade_notebook(path, timeout=120)
    assert report["cells"] == [], f"cells that failed in {path.name}: {report['cells']}"
    statuses = {ex_id: ex["status"] for ex_id, ex in report["exercises"].items()}
    others = {k: s for k, s in statuses.items() if s != "not attempted"}
    assert others == {}, f"checks in {path.name} that are not 'not attempted': {others}"
    assert report["points"] == 0
