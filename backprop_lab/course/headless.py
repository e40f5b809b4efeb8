"""Headless grading: run a submitted notebook and report its points, exercise by exercise.

``python -m backprop_lab grade PATH`` calls ``grade_notebook`` for each notebook: a JSON
report per notebook and, for a folder, a CSV table (a row per notebook, a column per
exercise).  A cell that errors or hangs is reported and grading goes on.
"""
import csv
import json
import os
import re
import tempfile
from pathlib import Path

from ..exercises import EXERCISES, by_notebook
from .execute import _client, _kernel_env, _start
from .notebooks import checked_exercises


def expected_exercises(nb, stem=None):
    """[(exercise id, points)] a notebook is graded on, in the notebook's order: its
    nbgrader grade cells and its check calls, then any other exercise the registry lists
    for the notebook called ``stem`` (a check cell deleted by the learner still counts)."""
    found = {}
    for cell in nb.cells:
        info = cell.metadata.get("nbgrader", {})
        if info.get("grade") and cell.cell_type == "code" and info.get("grade_id"):
            found.setdefault(info["grade_id"], _number(info.get("points", 0)))
        for ex_id in checked_exercises(cell):
            if ex_id in EXERCISES:
                found.setdefault(ex_id, _number(EXERCISES[ex_id].points))
    if stem:
        for ex in by_notebook(stem):
            found.setdefault(ex.id, _number(ex.points))
    return list(found.items())


def _number(x):
    x = float(x)
    return int(x) if x.is_integer() else x


def grade_notebook(path, timeout=60):
    """Execute a notebook headless and report its points, exercise by exercise.

    Each code cell may run ``timeout`` seconds; a cell that errors (unless tagged
    ``raises-exception``) or hangs is recorded and the next cells still run (a dead kernel
    ends the run).  Returns a dict::

        {"notebook": name, "points": p, "max_points": m,
         "exercises": {id: {"status", "points", "max_points", "messages", "mistake"}},
         "cells": [{"cell": i, "status": "error" | "timeout" | "not run", "error": ...}]}

    An exercise whose check never ran has status "not run" and 0 points.
    """
    import nbformat
    from nbclient.exceptions import DeadKernelError

    path = Path(path)
    nb = nbformat.read(str(path), as_version=4)
    expected = expected_exercises(nb, path.stem)
    problems = []

    def on_error(cell, cell_index, execute_reply):
        content = execute_reply["content"]
        if "raises-exception" in cell.metadata.get("tags", []):
            return  # an error the notebook means to show
        if content.get("ename") == "CellTimeoutError":
            problems.append({"cell": cell_index, "status": "timeout",
                             "error": content.get("evalue", "")})
        else:
            # IPython names a cell's code after a temporary file: "(3402915725.py, line 2)"
            evalue = re.sub(r"\(\d+\.py, line (\d+)\)", r"(line \1 of the cell)",
                            content.get("evalue", ""))
            problems.append({"cell": cell_index, "status": "error",
                             "error": f"{content.get('ename', '')}: {evalue}"})

    fd, log = tempfile.mkstemp(prefix="backprop_lab_grades_", suffix=".jsonl")
    os.close(fd)
    try:
        client = _client(nb, path, timeout, allow_errors=True, on_cell_error=on_error)
        index = -1
        try:
            with _start(client, _kernel_env(BACKPROP_LAB_GRADE_LOG=log)):
                for index, cell in enumerate(nb.cells):
                    client.execute_cell(cell, index,
                                        execution_count=client.code_cells_executed + 1)
        except DeadKernelError:
            problems.append({"cell": index, "status": "error", "error": "the kernel died"})
            for later in range(index + 1, len(nb.cells)):
                if nb.cells[later].cell_type == "code" and nb.cells[later].source.strip():
                    problems.append({"cell": later, "status": "not run",
                                     "error": "the kernel died in an earlier cell"})
        with open(log, encoding="utf-8") as f:
            results = [json.loads(line) for line in f if line.strip()]
    finally:
        os.unlink(log)

    latest = {}
    for r in results:
        latest[r["exercise"]] = r
    exercises = {}
    for ex_id, points in expected:
        r = latest.pop(ex_id, None)
        if r is None:
            exercises[ex_id] = {"status": "not run", "points": 0, "max_points": points,
                                "checks_passed": None, "checks_total": None,
                                "messages": [], "mistake": None, "hint": None}
        else:
            exercises[ex_id] = _summary(r)
    for ex_id, r in latest.items():  # checks of exercises not expected in this notebook
        exercises[ex_id] = _summary(r)
    return {
        "notebook": path.name,
        "points": sum(e["points"] for e in exercises.values()),
        "max_points": sum(e["max_points"] for e in exercises.values()),
        "exercises": exercises,
        "cells": sorted(problems, key=lambda p: p["cell"]),
    }


def _summary(r):
    return {"status": r["status"], "points": r["points"], "max_points": r["max_points"],
            "checks_passed": r.get("checks_passed"), "checks_total": r.get("checks_total"),
            "messages": r.get("messages", []), "mistake": r.get("mistake"),
            "hint": r.get("hint")}


def _fmt(x):
    return f"{x:g}"


def _one_line(report):
    line = f"{report['notebook']}: {_fmt(report['points'])}/{_fmt(report['max_points'])} points"
    counts = {}
    for p in report["cells"]:
        counts[p["status"]] = counts.get(p["status"], 0) + 1
    words = {"error": "raised an error", "timeout": "timed out", "not run": "did not run"}
    extra = [f"{n} cell{'s' if n > 1 else ''} {words[s]}" for s, n in sorted(counts.items())]
    return line + (f" ({', '.join(extra)})" if extra else "")


def _write_csv(reports, path):
    columns = []
    for report in reports:
        for ex_id in report["exercises"]:
            if ex_id not in columns:
                columns.append(ex_id)
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["notebook", *columns, "total", "max_points"])
        for report in reports:
            cells = [_fmt(report["exercises"][c]["points"]) if c in report["exercises"] else ""
                     for c in columns]
            writer.writerow([report["notebook"], *cells, _fmt(report["points"]),
                             _fmt(report["max_points"])])
