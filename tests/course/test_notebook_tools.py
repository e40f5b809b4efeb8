"""Course tooling: student notebooks from solutions, nbgrader metadata, headless grading."""
import csv
import json
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from backprop_lab import course
from backprop_lab.cli import main as cli

ROOT = Path(__file__).resolve().parents[2]

ANSWER = (
    "def sum_squares(x):\n"
    "    total = 0.0\n"
    "    if x.size:\n"
    "        ### BEGIN SOLUTION\n"
    "        total = float(np.sum(x ** 2))\n"
    "        ### END SOLUTION\n"
    "    return total"
)
CHECK = ('check("sum_squares", sum_squares)\n'
         "### BEGIN HIDDEN TESTS\n"
         "assert sum_squares(np.ones(2)) == 2.0\n"
         "### END HIDDEN TESTS")


def _notebook(*cells):
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.cells = list(cells)
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i}"
    return nb


def _solution():
    done = new_code_cell("print('done')")
    done.execution_count = 7
    done.outputs = [nbformat.v4.new_output("stream", name="stdout", text="done\n")]
    return _notebook(
        course.colab_install_cell(),
        new_markdown_cell("# A tiny notebook"),
        new_code_cell("import numpy as np\nfrom backprop_lab.grading import check"),
        new_code_cell(ANSWER),
        new_code_cell(CHECK),
        new_markdown_cell("Why square?\n\n### BEGIN SOLUTION\nSo signs cancel no more.\n"
                          "### END SOLUTION"),
        done,
    )


def _write(nb, path):
    nbformat.write(nb, str(path))
    return path


# --------------------------------------------------------------------------------------
# The generator
# --------------------------------------------------------------------------------------
def test_student_version_replaces_solutions_at_their_indent():
    nb = _solution()
    before = nbformat.writes(nb)
    student = course.make_student_notebook(nb)
    assert nbformat.writes(nb) == before  # the solution is left alone
    assert student.cells[3].source == (
        "def sum_squares(x):\n"
        "    total = 0.0\n"
        "    if x.size:\n"
        "        # YOUR CODE HERE\n"
        "        raise NotImplementedError()\n"
        "    return total")
    assert student.cells[4].source == 'check("sum_squares", sum_squares)'
    assert student.cells[5].source == "Why square?\n\nYOUR ANSWER HERE"
    assert student.cells[6].outputs == [] and student.cells[6].execution_count is None
    assert [c["id"] for c in student.cells] == [c["id"] for c in nb.cells]
    nbformat.validate(student)


def test_student_version_runs_into_not_implemented():
    student = course.make_student_notebook(_solution())
    namespace = {}
    exec("import numpy as np\n" + student.cells[3].source, namespace)
    with pytest.raises(NotImplementedError):
        namespace["sum_squares"](__import__("numpy").ones(2))


@pytest.mark.parametrize("source,problem", [
    ("### BEGIN SOLUTION\nx = 1", "never closed"),
    ("x = 1\n### END SOLUTION", "without a matching BEGIN"),
    ("### BEGIN SOLUTION\n### BEGIN HIDDEN TESTS\n### END HIDDEN TESTS\n### END SOLUTION",
     "inside another region"),
])
def test_broken_markers_are_reported(source, problem):
    with pytest.raises(ValueError, match=problem):
        course.make_student_notebook(_notebook(new_code_cell(source)))


def test_annotate_sets_nbgrader_metadata():
    nb = course.annotate(_solution())
    meta = [c.metadata.get("nbgrader") for c in nb.cells]
    assert meta[0] is None and meta[1] is None and meta[2] is None and meta[6] is None
    assert meta[3] == {"grade": False, "grade_id": "sum_squares_answer", "locked": False,
                       "schema_version": 3, "solution": True}
    assert meta[4] == {"grade": True, "grade_id": "sum_squares", "locked": True, "points": 1,
                       "schema_version": 3, "solution": False}
    assert meta[5] == {"grade": True, "grade_id": "answer_2", "locked": False, "points": 0,
                       "schema_version": 3, "solution": True}
    # the student version keeps the metadata
    student = course.make_student_notebook(nb)
    assert [c.metadata.get("nbgrader") for c in student.cells] == meta


def test_annotate_rejects_unknown_or_crowded_checks():
    with pytest.raises(ValueError, match="not a registered exercise"):
        course.annotate(_notebook(new_code_cell('check("no_such_thing", f)')))
    with pytest.raises(ValueError, match="a cell of its own"):
        course.annotate(_notebook(new_code_cell(
            'check("sum_squares", f)\ncheck("sum_squares", g)')))
    with pytest.raises(ValueError, match="check each exercise once"):
        course.annotate(_notebook(new_code_cell('check("sum_squares", f)'),
                                  new_code_cell('check("sum_squares", g)')))
    with pytest.raises(ValueError, match="solution region and a check"):
        course.annotate(_notebook(new_code_cell(
            '### BEGIN SOLUTION\nf = abs\n### END SOLUTION\ncheck("sum_squares", f)')))


def test_make_notebooks_is_deterministic_and_removes_stale(tmp_path):
    solutions, out = tmp_path / "solutions", tmp_path / "notebooks"
    solutions.mkdir()
    _write(_solution(), solutions / "01_tiny.ipynb")
    out.mkdir()
    (out / "99_deleted.ipynb").write_text("{}", encoding="utf-8")
    assert course.stale_notebooks(solutions, out) == [
        "01_tiny.ipynb is missing from notebooks/",
        "99_deleted.ipynb has no solution notebook (stale)"]

    report = course.make_notebooks(solutions, out)
    assert report == {"written": ["01_tiny.ipynb"], "unchanged": [],
                      "removed": ["99_deleted.ipynb"]}
    text = (out / "01_tiny.ipynb").read_text(encoding="utf-8")
    assert text.endswith("}\n") and "YOUR CODE HERE" in text and "BEGIN SOLUTION" not in text
    assert json.loads(text)["cells"][4]["metadata"]["nbgrader"]["grade_id"] == "sum_squares"
    assert course.stale_notebooks(solutions, out) == []
    assert course.make_notebooks(solutions, out)["unchanged"] == ["01_tiny.ipynb"]
    assert (out / "01_tiny.ipynb").read_text(encoding="utf-8") == text

    # editing a solution makes the student version stale until regenerated
    nb = _solution()
    nb.cells[1].source = "# A changed title"
    _write(nb, solutions / "01_tiny.ipynb")
    assert course.stale_notebooks(solutions, out) == [
        "01_tiny.ipynb differs from what make-notebooks writes"]
    assert cli(["make-notebooks", "--solutions", str(solutions), "--out", str(out),
                "--check"]) == 1
    assert cli(["make-notebooks", "--solutions", str(solutions), "--out", str(out)]) == 0
    assert cli(["make-notebooks", "--solutions", str(solutions), "--out", str(out),
                "--check"]) == 0


def test_notebooks_folder_matches_solutions():
    """notebooks/ must be exactly what `python -m backprop_lab make-notebooks` writes."""
    problems = course.stale_notebooks(ROOT / "solutions", ROOT / "notebooks")
    assert problems == [], "run: python -m backprop_lab make-notebooks"


@pytest.mark.parametrize("path", sorted((ROOT / "solutions").glob("*.ipynb")),
                         ids=lambda p: p.name)
def test_every_notebook_starts_with_the_colab_cell(path):
    nb = nbformat.read(str(path), as_version=4)
    first = next(c for c in nb.cells if c.cell_type == "code")
    assert first.source == course.COLAB_INSTALL_SOURCE


def test_colab_cell_does_nothing_here(capsys):
    exec(course.COLAB_INSTALL_SOURCE, {})
    assert capsys.readouterr() == ("", "")


# --------------------------------------------------------------------------------------
# Grading headless (each notebook costs a kernel start, a few seconds)
# --------------------------------------------------------------------------------------
def _broken():
    manual = new_code_cell("print('graded by hand')")
    manual.metadata["nbgrader"] = {"grade": True, "grade_id": "manual_part", "locked": True,
                                   "points": 2, "schema_version": 3, "solution": False}
    return _notebook(
        new_code_cell("import numpy as np\nfrom backprop_lab.grading import check"),
        new_code_cell("1 / 0"),
        new_code_cell("import time\ntime.sleep(60)"),
        new_code_cell('check("sum_squares", not_defined_anywhere)'),
        manual,
        new_code_cell("print('still running')"),
        _tagged(new_code_cell("raise ValueError('shown on purpose')"), "raises-exception"),
    )


def _tagged(cell, tag):
    cell.metadata["tags"] = [tag]
    return cell


def test_grade_a_folder(tmp_path, capsys):
    folder = tmp_path / "submissions"
    folder.mkdir()
    solution = course.annotate(_solution())
    _write(solution, folder / "a_solution.ipynb")
    _write(course.make_student_notebook(solution), folder / "b_student.ipynb")
    _write(_broken(), folder / "c_broken.ipynb")
    out = tmp_path / "grades"

    assert cli(["grade", str(folder), "--out", str(out), "--timeout", "2"]) == 0
    printed = capsys.readouterr().out
    assert "a_solution.ipynb: 1/1 points\n" in printed
    assert "b_student.ipynb: 0/1 points\n" in printed
    # the maximum comes from the registry: the file's own nbgrader cell worth 2 points
    # (manual_part) is not the course's
    assert "c_broken.ipynb: 0/1 points (2 cells raised an error, 1 cell timed out)\n" in printed

    a = json.loads((out / "a_solution.json").read_text(encoding="utf-8"))
    assert a["exercises"]["sum_squares"]["status"] == "passed"
    assert (a["points"], a["max_points"], a["cells"]) == (1, 1, [])
    assert a["course_notebook"] == "00_start_here"

    b = json.loads((out / "b_student.json").read_text(encoding="utf-8"))
    assert b["exercises"]["sum_squares"]["status"] == "not attempted"
    assert (b["points"], b["max_points"], b["cells"]) == (0, 1, [])

    c = json.loads((out / "c_broken.json").read_text(encoding="utf-8"))
    assert c["cells"] == [
        {"cell": 1, "status": "error", "error": "ZeroDivisionError: division by zero"},
        {"cell": 2, "status": "timeout", "error": "the cell did not finish within 2 s"},
        {"cell": 3, "status": "error",
         "error": "NameError: name 'not_defined_anywhere' is not defined"}]
    assert c["exercises"] == {"sum_squares": {
        "status": "not run", "points": 0, "max_points": 1, "checks_passed": None,
        "checks_total": None, "messages": ["its check cell did not call check"],
        "mistake": None, "hint": None, "violation": None}}

    with open(out / "summary.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    assert rows == [["notebook", "sum_squares", "total", "max_points", "graded_as", "review"],
                    ["a_solution.ipynb", "1", "1", "1", "00_start_here", "0"],
                    ["b_student.ipynb", "0", "0", "1", "00_start_here", "0"],
                    ["c_broken.ipynb", "0", "0", "1", "00_start_here", "0"]]
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert [r["notebook"] for r in report["reports"]] == [
        "a_solution.ipynb", "b_student.ipynb", "c_broken.ipynb"]


def test_grade_one_notebook(tmp_path, capsys):
    nb = course.annotate(_solution())
    nb.cells[3].source = ANSWER.replace("np.sum(x ** 2)", "np.sum(x) ** 2")
    path = _write(nb, tmp_path / "wrong.ipynb")
    assert cli(["grade", str(path)]) == 0
    report = json.loads((tmp_path / "grades" / "wrong.json").read_text(encoding="utf-8"))
    ex = report["exercises"]["sum_squares"]
    assert (ex["status"], ex["points"], ex["mistake"]) == ("failed", 0, "square of the sum")
    assert "wrong.ipynb: 0/1 points" in capsys.readouterr().out


def test_grade_rejects_other_paths(tmp_path, capsys):
    assert cli(["grade", str(tmp_path / "nothing.txt")]) == 2
    assert "neither a .ipynb file nor a folder" in capsys.readouterr().err


def test_a_dying_kernel_is_reported(tmp_path):
    nb = _notebook(new_code_cell("from backprop_lab.grading import check"),
                   new_code_cell("import os\nos._exit(3)"),
                   new_code_cell('check("sum_squares", abs)'))
    report = course.grade_notebook(_write(nb, tmp_path / "dies.ipynb"), timeout=10)
    assert report["cells"] == [
        {"cell": 1, "status": "died", "error": "the notebook's process exited in this cell "
                                               "(exit code 3): os._exit, a crash, or a limit"},
        {"cell": 2, "status": "not run", "error": "an earlier cell stopped the notebook"}]
    assert report["exercises"]["sum_squares"]["status"] == "not run"


def test_check_cells_are_locked_against_editing_and_deleting():
    nb = course.annotate(_solution())
    check_cell = nb.cells[4]
    assert (check_cell.metadata["editable"], check_cell.metadata["deletable"]) == (False, False)
    assert "editable" not in nb.cells[3].metadata  # the answer cell stays editable
    student = course.make_student_notebook(nb)
    assert student.cells[4].metadata["deletable"] is False


@pytest.mark.parametrize("path", sorted((ROOT / "solutions").glob("*.ipynb")),
                         ids=lambda p: p.name)
def test_exercise_headings_state_points_and_difficulty(path):
    problems = course.notebooks.heading_problems(nbformat.read(str(path), as_version=4))
    assert problems == [], "\n".join(problems)


def test_heading_problems_sees_a_wrong_heading():
    nb = _notebook(new_markdown_cell("### Exercise: sum of squares (1 point · difficulty 3/5)"),
                   new_code_cell('check("sum_squares", f)'))
    assert len(course.notebooks.heading_problems(nb)) == 1
    nb.cells[0].source = "### Exercise: sum of squares (1 point · difficulty 1/5)"
    assert course.notebooks.heading_problems(nb) == []
