"""Student notebooks from the solution notebooks, and the nbgrader metadata of both.

``solutions/`` is the source of truth.  Solution code goes between ``### BEGIN SOLUTION``
and ``### END SOLUTION`` (hidden test code between ``### BEGIN HIDDEN TESTS`` and
``### END HIDDEN TESTS``); each ``check("<exercise id>", ...)`` call goes in a cell of its
own; ``COLAB_INSTALL_SOURCE`` is the first code cell of every notebook.
``python -m backprop_lab make-notebooks`` writes ``notebooks/`` from them (``--check``
only reports whether it is up to date).

nbformat and nbconvert are imported inside the functions that need them.
"""
import copy
import re
from pathlib import Path

from ..exercises import EXERCISES

BEGIN_SOLUTION = "### BEGIN SOLUTION"
END_SOLUTION = "### END SOLUTION"
BEGIN_HIDDEN = "### BEGIN HIDDEN TESTS"
END_HIDDEN = "### END HIDDEN TESTS"
CODE_STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")
MARKDOWN_STUB = "YOUR ANSWER HERE"

REPOSITORY = "https://github.com/backprop-lab/backprop_lab"
COLAB_INSTALL_SOURCE = (
    "# On Google Colab, install backprop_lab first. Anywhere else this cell does nothing.\n"
    "import sys\n"
    "\n"
    "if \"google.colab\" in sys.modules:\n"
    "    import subprocess\n"
    "    subprocess.run([sys.executable, \"-m\", \"pip\", \"install\", \"--quiet\",\n"
    f"                    \"git+{REPOSITORY}\"], check=True)"
)

_CHECK_CALL = re.compile(r"""\bcheck\(\s*["']([A-Za-z0-9_\-]+)["']""")
_DEF = re.compile(r"^\s*def\s+([A-Za-z_][A-Za-z0-9_]*)\s*\(", re.MULTILINE)


def colab_install_cell():
    """The install cell every notebook starts with (a new nbformat code cell)."""
    import nbformat

    cell = nbformat.v4.new_code_cell(COLAB_INSTALL_SOURCE)
    cell["id"] = "colab-install"
    return cell


# --------------------------------------------------------------------------------------
# Solution regions
# --------------------------------------------------------------------------------------
def _replace_regions(source, where, stub, keep_hidden=False):
    """Replace solution regions by ``stub`` lines at the marker's indent; drop hidden tests.

    where: a description of the cell for error messages.
    """
    out = []
    state = None  # None, "solution" or "hidden"
    for number, line in enumerate(source.split("\n"), start=1):
        marker = line.strip()
        if state is None:
            if BEGIN_SOLUTION in marker:
                indent = line[: len(line) - len(line.lstrip())]
                out.extend(indent + s for s in stub)
                state = "solution"
            elif BEGIN_HIDDEN in marker and not keep_hidden:
                state = "hidden"
            elif END_SOLUTION in marker or END_HIDDEN in marker:
                raise ValueError(f"{where}, line {number}: {marker!r} without a matching BEGIN.")
            else:
                out.append(line)
        else:
            end = END_SOLUTION if state == "solution" else END_HIDDEN
            if end in marker:
                state = None
            elif BEGIN_SOLUTION in marker or BEGIN_HIDDEN in marker:
                raise ValueError(f"{where}, line {number}: {marker!r} inside another region; "
                                 "close the first region before opening a new one.")
    if state is not None:
        begin = BEGIN_SOLUTION if state == "solution" else BEGIN_HIDDEN
        raise ValueError(f"{where}: {begin!r} is never closed.")
    return "\n".join(out)


def _has_solution(cell):
    return BEGIN_SOLUTION in cell.get("source", "")


def make_student_notebook(nb):
    """The student version of a solution notebook (a new notebook; ``nb`` is unchanged).

    In code cells each solution region becomes ``# YOUR CODE HERE`` and
    ``raise NotImplementedError()`` at the marker's indent; in markdown cells it becomes
    "YOUR ANSWER HERE".  Hidden-test regions are removed, outputs cleared, execution
    counts reset.  Cell ids and metadata (nbgrader's included) are kept.
    """
    from nbconvert.preprocessors import ClearOutputPreprocessor

    student = copy.deepcopy(nb)
    for index, cell in enumerate(student.cells):
        where = f"cell {index}"
        if cell.cell_type == "code":
            cell.source = _replace_regions(cell.source, where, CODE_STUB)
        elif cell.cell_type == "markdown":
            cell.source = _replace_regions(cell.source, where, (MARKDOWN_STUB,))
    clear = ClearOutputPreprocessor(remove_metadata_fields={"execution", "collapsed",
                                                            "scrolled"})
    student, _ = clear.preprocess(student, {})
    return student


# --------------------------------------------------------------------------------------
# nbgrader metadata
# --------------------------------------------------------------------------------------
def checked_exercises(cell):
    """The exercise ids a code cell passes to ``check``."""
    if cell.cell_type != "code":
        return []
    return _CHECK_CALL.findall(cell.source)


def annotate(nb):
    """Set nbgrader metadata on ``nb`` in place (and return it).

    Answer cells (a solution region): solution, not graded, unlocked; grade_id
    ``<exercise>_answer`` when the cell defines the exercise's function (or precedes its
    check cell), else ``answer_<n>``.  Markdown answers are nbgrader "manually graded
    answers" worth 0 points.  Check cells (``check("<id>", ...)``): graded, locked,
    grade_id = the exercise id, points from the registry, and ``editable: false`` and
    ``deletable: false`` (JupyterLab and Notebook refuse to edit or delete them; the
    headless grader counts a missing check cell as 0 points anyway).  Other cells carry
    no nbgrader metadata (annotate owns it).  An unknown exercise id, two checks in one cell, or one
    exercise checked in two cells is an error.
    """
    checks = {}  # cell index -> exercise id
    for index, cell in enumerate(nb.cells):
        ids = checked_exercises(cell)
        if len(ids) > 1:
            raise ValueError(f"cell {index} checks {ids}; give each check(...) a cell of its own.")
        if ids:
            if ids[0] not in EXERCISES:
                raise ValueError(f"cell {index} checks {ids[0]!r}, which is not a registered "
                                 "exercise (see backprop_lab/exercises/__init__.py).")
            if _has_solution(cell):
                raise ValueError(f"cell {index} has both a solution region and a check; "
                                 "put the check in the next cell.")
            earlier = [i for i, e in checks.items() if e == ids[0]]
            if earlier:
                raise ValueError(f"cells {earlier[0]} and {index} both check {ids[0]!r}; check "
                                 "each exercise once (use print(grade(...)) for a demonstration).")
            checks[index] = ids[0]
    checked = set(checks.values())

    used = set(checks.values())
    answers = 0
    for index, cell in enumerate(nb.cells):
        meta = cell.metadata
        if index in checks:
            ex = EXERCISES[checks[index]]
            meta["nbgrader"] = {"grade": True, "grade_id": ex.id, "locked": True,
                                "points": ex.points, "schema_version": 3, "solution": False}
            meta["editable"] = False
            meta["deletable"] = False
        elif _has_solution(cell):
            answers += 1
            name = _answer_name(nb, index, cell, checks, checked)
            grade_id = f"{name}_answer" if name else f"answer_{answers}"
            base, n = grade_id, 2
            while grade_id in used:
                grade_id, n = f"{base}_{n}", n + 1
            used.add(grade_id)
            info = {"grade": False, "grade_id": grade_id, "locked": False,
                    "schema_version": 3, "solution": True}
            if cell.cell_type == "markdown":
                info.update(grade=True, points=0)
            meta["nbgrader"] = info
        else:
            meta.pop("nbgrader", None)
    return nb


_HEADING = re.compile(r"^#{2,4} .*$", re.MULTILINE)
_POINTS = re.compile(r"\((\d+(?:\.\d+)?) points? · difficulty ([1-5])/5\)")


def exercise_label(ex):
    """What an exercise's heading says about it: ``"(2 points · difficulty 3/5)"``."""
    points = f"{ex.points:g} point" + ("" if ex.points == 1 else "s")
    return f"({points} · difficulty {ex.difficulty}/5)"


def heading_problems(nb):
    """Sentences for every check cell whose exercise heading (the last markdown heading
    before it) does not state the registry's points and difficulty: ``exercise_label``."""
    problems = []
    heading = None
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            found = _HEADING.findall(cell.source)
            if found:
                heading = found[-1]
            continue
        for ex_id in checked_exercises(cell):
            ex = EXERCISES.get(ex_id)
            if ex is None:
                continue
            if heading is None or exercise_label(ex) not in heading:
                problems.append(f"cell {index} checks {ex_id!r}, but the heading above it "
                                f"({heading!r}) does not end with {exercise_label(ex)!r}")
    return problems


def _answer_name(nb, index, cell, checks, checked):
    """Which exercise an answer cell belongs to: a function it defines that is checked in
    this notebook, else the next check cell's exercise."""
    if cell.cell_type == "code":
        for name in _DEF.findall(cell.source):
            if name in checked:
                return name
    for later in range(index + 1, len(nb.cells)):
        if later in checks:
            return checks[later]
        if _has_solution(nb.cells[later]):
            return None
    return None


# --------------------------------------------------------------------------------------
# Reading and writing notebooks
# --------------------------------------------------------------------------------------
def read_notebook(path):
    import nbformat

    return nbformat.read(str(path), as_version=4)


def notebook_text(nb):
    """Deterministic JSON of a notebook: nbformat's layout, sorted keys, a final newline."""
    import nbformat

    text = nbformat.writes(nb, version=4)
    return text if text.endswith("\n") else text + "\n"


def write_notebook(nb, path):
    """Write ``nb`` to ``path`` unless the file already holds exactly that text.
    Returns True when the file was (re)written."""
    path = Path(path)
    text = notebook_text(nb)
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    return True


def _notebook_files(folder):
    folder = Path(folder)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.ipynb") if p.is_file())


def student_text(solution_path):
    """The exact text ``make_notebooks`` writes for one solution notebook."""
    return notebook_text(make_student_notebook(annotate(read_notebook(solution_path))))


def make_notebooks(solutions_dir="solutions", out_dir="notebooks"):
    """Write the student version of every ``solutions_dir/*.ipynb`` into ``out_dir`` and
    delete notebooks in ``out_dir`` that have no solution any more.

    Returns {"written": [...], "unchanged": [...], "removed": [...]} (file names).
    """
    solutions = _notebook_files(solutions_dir)
    if not solutions:
        raise FileNotFoundError(f"make_notebooks: no .ipynb files in {str(solutions_dir)!r}.")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    report = {"written": [], "unchanged": [], "removed": []}
    names = set()
    for path in solutions:
        names.add(path.name)
        target = out_dir / path.name
        text = student_text(path)
        if target.exists() and target.read_text(encoding="utf-8") == text:
            report["unchanged"].append(path.name)
            continue
        with open(target, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        report["written"].append(path.name)
    for path in _notebook_files(out_dir):
        if path.name not in names:
            path.unlink()
            report["removed"].append(path.name)
    return report


def stale_notebooks(solutions_dir="solutions", out_dir="notebooks"):
    """What ``make_notebooks`` would change, as sentences (an empty list: up to date)."""
    problems = []
    names = set()
    for path in _notebook_files(solutions_dir):
        names.add(path.name)
        target = Path(out_dir) / path.name
        if not target.exists():
            problems.append(f"{path.name} is missing from {Path(out_dir).name}/")
        elif target.read_text(encoding="utf-8") != student_text(path):
            problems.append(f"{path.name} differs from what make-notebooks writes")
    for path in _notebook_files(out_dir):
        if path.name not in names:
            problems.append(f"{path.name} has no solution notebook (stale)")
    return problems
