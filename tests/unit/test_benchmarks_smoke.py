"""The benchmark harness runs end to end at a tiny size (``--quick``), so it cannot rot.

Nothing here asserts a time: speed is measured by ``bash benchmarks/run.sh``, not by
the test suite.  The test checks that every row of the table is produced, that every
target gets a verdict, that the raw results are written, and that missing optional
peers (PyTorch, Keras) are reported as "not installed" rather than crashing.
"""
import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[2]

ROWS = [
    "Seed example `fit`",
    "vs PyTorch loop",
    "vs Keras 3 `fit`",
    "Large epoch",
    "vs matmul peak",
    "`import backprop_lab`",
    "Seed example peak memory",
    "Run notebook `tiny.ipynb`",
    "Kernel start-up alone (a one-cell notebook)",
    "Learning-rate widget",
    "Learning-rate widget in a real browser",
]
TARGETS = [
    "seed fit >= 3x faster than the PyTorch loop",
    "seed fit >= 25x faster than the Keras 3 `fit`",
    "large epoch no slower than the PyTorch loop",
    "large epoch >= 60% of the measured matmul peak",
    "import backprop_lab <= 0.2 s",
    "seed example peak memory <= 60 MB",
]
A_TIME = re.compile(r"\d+(\.\d+)? (s|ms|us)\b")


def test_harness_runs_at_a_tiny_size(tmp_path):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("total = sum(range(10))")])
    nbformat.write(nb, notebooks / "tiny.ipynb")
    table_path = tmp_path / "table.md"
    out_dir = tmp_path / "raw"

    proc = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "run.py"), "--quick",
         "--notebooks", str(notebooks), "--out", str(out_dir), "--markdown", str(table_path)],
        cwd=REPO, capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]

    table = table_path.read_text()
    for row in ROWS:
        assert row in table, f"row {row!r} missing from the table:\n{table}"
    assert "- Machine:" in table and "- Date:" in table and "BLAS:" in table

    verdicts = {}
    for line in proc.stdout.splitlines():
        m = re.match(r"\s+(PASS|FAIL|n/a)\s+(.*?): ", line)
        if m:
            verdicts[m.group(2)] = m.group(1)
    assert sorted(verdicts) == sorted(TARGETS), proc.stdout
    assert verdicts["import backprop_lab <= 0.2 s"] in ("PASS", "FAIL")

    notebook_row = next(line for line in table.splitlines() if "`tiny.ipynb`" in line)
    assert A_TIME.search(notebook_row), notebook_row

    model_ready = importlib.util.find_spec("backprop_lab.models") is not None
    seed_rows = [line for line in table.splitlines() if line.startswith("| Seed example `fit`")]
    if model_ready:
        assert all(A_TIME.search(line.split("|")[2]) for line in seed_rows), seed_rows
        assert verdicts["seed example peak memory <= 60 MB"] in ("PASS", "FAIL")
    if importlib.util.find_spec("torch") is None:
        torch_rows = [line for line in table.splitlines() if "vs PyTorch loop" in line]
        assert torch_rows and all("not installed" in line for line in torch_rows)
        assert verdicts["seed fit >= 3x faster than the PyTorch loop"] == "n/a"

    raw = [json.loads(p.read_text()) for p in out_dir.glob("*.json")]
    assert len(raw) == 1
    assert {"info", "rows", "targets", "raw"} <= set(raw[0])
    assert raw[0]["info"]["cores"] >= 1 and raw[0]["info"]["numpy"]
