"""Submissions that try to raise their own score, graded by the trusted grader.

Every submission is made here, in a temporary folder, from the course's own notebooks
(the student version, or the solution), by inserting or changing a few cells, so that the
suite follows the notebooks as they change.  Each is graded by ``grade_notebook`` (the
sandbox of ``python -m backprop_lab grade``) and must earn no point it did not earn
honestly; the solutions keep full marks and honest partial work its partial points.

The submissions are graded together, two at a time, in one module-level fixture.
"""
import inspect
import json
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell

from backprop_lab.course import batch, grade_notebook
from backprop_lab.exercises import EXERCISES, by_notebook
from backprop_lab.grading.trusted import Limits

ROOT = Path(__file__).resolve().parents[2]
SMALL = "00_start_here"        # one exercise, quick to run
LAYERS = "05_backprop_layers"  # the notebook of the examples
TARGET = "relu_backward"       # an exercise of LAYERS whose reference is in functional
SUM = "sum_squares"            # the exercise of SMALL

pytestmark = pytest.mark.skipif(
    TARGET not in EXERCISES or SUM not in EXERCISES
    or not (ROOT / "notebooks" / f"{LAYERS}.ipynb").is_file(),
    reason="the exercises or notebooks this suite builds on are missing")


def _points(name):
    return sum(ex.points for ex in by_notebook(name))


def _read(name, kind):
    folder = "solutions" if kind == "solution" else "notebooks"
    return nbformat.read(str(ROOT / folder / f"{name}.ipynb"), as_version=4)


def _check_index(nb, ex_id):
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and f'check("{ex_id}"' in cell.source:
            return i
    raise LookupError(ex_id)


def _insert(nb, index, source):
    cell = new_code_cell(source)
    cell["id"] = f"inserted-{len(nb.cells)}-{index}"
    nb.cells.insert(index, cell)
    return nb


def _before_check(nb, ex_id, source):
    """A cell right before the exercise's check cell (it redefines what is checked)."""
    return _insert(nb, _check_index(nb, ex_id), source)


def _at_top(nb, source):
    """A cell right after the first cell that imports the grading functions."""
    index = next(i for i, c in enumerate(nb.cells)
                 if c.cell_type == "code" and "backprop_lab.grading import" in c.source)
    return _insert(nb, index + 1, source)


def _at_end(nb, source):
    return _insert(nb, len(nb.cells), source)


RELU_CHEATS = {
    "functional_directly": "def relu_backward(da, cache):\n"
                           "    return F.relu_backward(da, cache)",
    "import_functional": "import backprop_lab.functional as F2\n\n"
                         "def relu_backward(da, cache):\n    return F2.relu_backward(da, cache)",
    "sys_modules": "import sys\n\ndef relu_backward(da, cache):\n"
                   "    F3 = sys.modules['backprop_lab.functional']\n"
                   "    return F3.relu_backward(da, cache)",
    "importlib": "import importlib\n\ndef relu_backward(da, cache):\n"
                 "    return importlib.import_module('backprop_lab.functional')"
                 ".relu_backward(da, cache)",
    "dunder_import": "def relu_backward(da, cache):\n"
                     "    return __import__('backprop_lab.functional', fromlist=['x'])"
                     ".relu_backward(da, cache)",
    "registry_reference": "def relu_backward(da, cache):\n"
                          "    from backprop_lab.exercises import EXERCISES\n"
                          "    return EXERCISES['relu_backward'].reference(da, cache)",
    "keras_shell": "from backprop_lab.layers import Activation\n\n"
                   "def relu_backward(da, cache):\n    layer = Activation('relu')\n"
                   "    layer.forward(cache)\n    return layer.backward(da)",
    "copied_code": "import types\n\nrelu_backward = types.FunctionType("
                   "F.relu_backward.__code__, F.relu_backward.__globals__, 'relu_backward')",
    "profile_switched_off": "import sys\n\ndef relu_backward(da, cache):\n"
                            "    try:\n        sys.setprofile(None)\n"
                            "    except Exception:\n        pass\n"
                            "    return F.relu_backward(da, cache)",
    "thread": "import threading\n\ndef relu_backward(da, cache):\n    out = []\n"
              "    t = threading.Thread(target=lambda: out.append(F.relu_backward(da, cache)))\n"
              "    t.start()\n    t.join()\n    return out[0]",
    "subprocess": "import subprocess, sys\n\ndef relu_backward(da, cache):\n"
                  "    subprocess.run([sys.executable, '-c', 'pass'])\n    return da * (cache > 0)",
    "exec_the_source": "def relu_backward(da, cache):\n"
                       "    namespace = {}\n"
                       "    exec(open(F.relu_backward.__code__.co_filename).read(), namespace)\n"
                       "    return namespace['relu_backward'](da, cache)",
}
"""Ways of handing in the package's own relu_backward (or of reaching it unseen)."""


def _relu_cheat(source):
    def make():
        return _before_check(_read(LAYERS, "student"), TARGET, source)
    return make


PATCH_GRADER = """\
import backprop_lab.grading as grading
import backprop_lab.grading.session as session
import backprop_lab.grading.grader as grader
from backprop_lab.grading.result import Result

def passed(exercise_id, fn, *args, **kwargs):
    ex = grader._lookup(exercise_id)[0]
    return Result(exercise=ex.id, notebook=ex.notebook, status="passed", points=ex.points,
                  max_points=ex.points)

grader.grade = session.grade = grading.grade = passed
grader.judge = lambda ex, cases, outcomes, *a, **k: passed(ex.id, None)
session._append_to_log = lambda result: None
Result.passed = property(lambda self: True)
session.check = lambda exercise_id, fn: print(f"{exercise_id} — all checks passed")
check = session.check
"""

FORGE_RESULTS = """\
import glob, json, os
line = json.dumps({"exercise": "%s", "status": "passed", "points": 99, "max_points": 99,
                   "notebook": "%s"})
for target in [os.environ.get("BACKPROP_LAB_GRADE_LOG"), "../grades/report.json",
               "grades.jsonl", *glob.glob("/tmp/*grades*"), *glob.glob("../*.json")]:
    if target:
        try:
            with open(target, "a") as f:
                f.write(line + "\\n")
        except OSError as error:
            print("could not write", target, error)
"""

PATCH_NUMPY = """\
import numpy as np
np.allclose = lambda *a, **k: True
np.isclose = lambda a, b, *r, **k: np.ones(np.broadcast(a, b).shape, dtype=bool)
np.array_equal = lambda *a, **k: True
np.testing.assert_allclose = lambda *a, **k: None
"""

LYING_EQ = """\
class Anything(float):
    def __eq__(self, other):
        return True
    __hash__ = float.__hash__
    def __array__(self, dtype=None, copy=None):
        return np.zeros(()) + 0.0

def sum_squares(x):
    return Anything(0.0)
"""

SWAP_REFERENCES = """\
from backprop_lab.exercises import EXERCISES
from backprop_lab import functional as F_
def zeros(*args, **kwargs):
    return 0.0
for ex in EXERCISES.values():
    ex.reference = zeros
    ex.mistakes = []
F_.sum_squares = zeros

def sum_squares(x):
    return 0.0
"""

LOOKUP_TABLE = """\
from backprop_lab.exercises import EXERCISES
from backprop_lab.grading.grader import exercise_cases
_table = {}
for case in exercise_cases(EXERCISES["sum_squares"]):
    _table[case.args[0].tobytes()] = float(np.sum(case.args[0] ** 2))

def sum_squares(x):
    return _table.get(np.asarray(x).tobytes(), 0.0)
"""

SPECIAL_EXCEPTIONS = {
    "system_exit": "def sum_squares(x):\n    raise SystemExit(0)",
    "keyboard_interrupt": "def sum_squares(x):\n    raise KeyboardInterrupt()",
    "generator_exit": "def sum_squares(x):\n    raise GeneratorExit()",
    "stop_iteration": "def sum_squares(x):\n    raise StopIteration()",
    "base_exception": "class Special(BaseException):\n    pass\n\n"
                      "def sum_squares(x):\n    raise Special('passed')",
    "not_implemented_later": "calls = []\n\ndef sum_squares(x):\n    calls.append(1)\n"
                             "    if len(calls) > 1:\n        raise NotImplementedError()\n"
                             "    return float(np.sum(x ** 2))",
}

CHANNEL_FORGERY = """\
import json, os, struct
message = json.dumps({"event": "outcomes", "exercise": "sum_squares", "results": []}).encode()
for fd in range(3, 12):
    try:
        os.write(fd, struct.pack(">II", len(message), 0) + message)
    except OSError:
        pass
"""

READ_OTHERS = """\
import glob, os
stolen = []
for pattern in ["../*", "/tmp/*", "SOLUTIONS/*", f"/proc/{os.getppid()}/environ"]:
    for name in glob.glob(pattern) if "*" in pattern else [pattern]:
        try:
            stolen.append(open(name).read(100))
        except Exception as error:
            print(type(error).__name__)
print(len(stolen))
"""


def _stub(ex_id, body="raise NotImplementedError()"):
    """A definition of the exercise's function with the reference's arguments."""
    params = ", ".join(inspect.signature(EXERCISES[ex_id].reference).parameters)
    return f"def {ex_id}({params}):\n    {body}"


def _honest_05_partial():
    """The solution with two exercises back to the stub and one with a catalogued
    mistake: partial points, exactly the exercises still right."""
    nb = _read(LAYERS, "solution")
    stubbed = [ex.id for ex in by_notebook(LAYERS)][:2]
    for ex_id in stubbed:
        _before_check(nb, ex_id, _stub(ex_id))
    _before_check(nb, TARGET, "def relu_backward(da, cache):\n    return da")  # no mask
    return nb


def _solution_without(ex_id, name):
    nb = _read(name, "solution")
    del nb.cells[_check_index(nb, ex_id)]
    return nb


def _edited_check_cell():
    nb = _read(LAYERS, "student")
    nb.cells[_check_index(nb, TARGET)].source = f'check("{TARGET}", F.{TARGET})'
    return nb


def _forged_metadata():
    nb = _read(SMALL, "solution")
    for cell in nb.cells:
        info = cell.metadata.get("nbgrader")
        if info and info.get("grade"):
            info["points"] = 1000
    nb.metadata["backprop_lab"] = {"notebook": SMALL, "points": 1000}
    return nb


def _exit_during_last_check():
    """The solution, but the exercise checked last exits the process in its graded call."""
    nb = _read(LAYERS, "solution")
    last = max((ex.id for ex in by_notebook(LAYERS)), key=lambda i: _check_index(nb, i))
    return _before_check(nb, last, "import os\n\n" + _stub(last, "os._exit(7)")), last


SUBMISSIONS = {
    # name: (make the notebook, the points it may earn at most)
    "solution_small.ipynb": (lambda: _read(SMALL, "solution"), _points(SMALL)),
    "solution_layers.ipynb": (lambda: _read(LAYERS, "solution"), _points(LAYERS)),
    "student_layers.ipynb": (lambda: _read(LAYERS, "student"), 0),
    "patch_grader.ipynb": (lambda: _at_top(_read(LAYERS, "student"), PATCH_GRADER), 0),
    "forge_results.ipynb": (lambda: _at_end(_read(SMALL, "student"),
                                            FORGE_RESULTS % (SUM, SMALL)), 0),
    "patch_numpy.ipynb": (lambda: _before_check(_read(SMALL, "student"), SUM, PATCH_NUMPY
                                                + "\ndef sum_squares(x):\n    return 1.0"), 0),
    "lying_eq.ipynb": (lambda: _before_check(_read(SMALL, "student"), SUM, LYING_EQ), 0),
    "swap_references.ipynb": (lambda: _before_check(_read(SMALL, "student"), SUM,
                                                    SWAP_REFERENCES), 0),
    "lookup_table.ipynb": (lambda: _before_check(_read(SMALL, "student"), SUM,
                                                 LOOKUP_TABLE), 0),
    "edited_check_cell.ipynb": (_edited_check_cell, 0),
    "deleted_check_cell.ipynb": (lambda: _solution_without(SUM, SMALL), 0),
    "forged_metadata.ipynb": (_forged_metadata, _points(SMALL)),
    "channel_forgery.ipynb": (lambda: _at_top(_read(SMALL, "student"), CHANNEL_FORGERY), 0),
    "read_others.ipynb": (lambda: _at_top(_read(SMALL, "student"), READ_OTHERS.replace(
        "SOLUTIONS", str(ROOT / "solutions"))), 0),
    "fork_bomb.ipynb": (lambda: _at_top(_read(SMALL, "solution"), (
        "import os, subprocess, sys\nfor _ in range(8):\n    try:\n        if os.fork() == 0:\n"
        "            os._exit(0)\n    except OSError as error:\n        print(error)\n"
        "try:\n    subprocess.Popen([sys.executable, '-c', 'pass'])\nexcept OSError as error:\n"
        "    print(error)")), _points(SMALL)),
    "honest_partial.ipynb": (_honest_05_partial, None),  # checked in its own test
}
SUBMISSIONS.update({f"relu_{k}.ipynb": (_relu_cheat(v), 0) for k, v in RELU_CHEATS.items()})

ENGINE = "04_autograd_engine"  # the learner's Value class, graded through Exercise.call
ENGINE_CHEATS = {
    "value_add": "from backprop_lab.autodiff import Value as PackageValue\n\n"
                 "def value_add(self, other):\n    return PackageValue.__add__(self, other)",
    "value_mul": "from backprop_lab.exercises import EXERCISES\n\n"
                 "value_mul = EXERCISES['value_mul'].reference",
}


def _engine_cheats():
    nb = _read(ENGINE, "student")
    for ex_id, source in ENGINE_CHEATS.items():
        _before_check(nb, ex_id, source)
    return nb


if all(ex_id in EXERCISES for ex_id in ENGINE_CHEATS) and \
        (ROOT / "notebooks" / f"{ENGINE}.ipynb").is_file():
    SUBMISSIONS["engine_cheats.ipynb"] = (_engine_cheats, 0)
SUBMISSIONS.update({f"raises_{k}.ipynb": (
    (lambda src: lambda: _before_check(_read(SMALL, "student"), SUM, src))(v), 0)
    for k, v in SPECIAL_EXCEPTIONS.items()})


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """{file name: report} of every submission, graded two at a time."""
    folder = tmp_path_factory.mktemp("class")
    paths = []
    for name, (make, _) in SUBMISSIONS.items():
        nbformat.write(make(), str(folder / name))
        paths.append(folder / name)
    # things a submission may try to use next to it: a planted package, a forged report
    (folder / "numpy.py").write_text("raise SystemExit('planted numpy')\n")
    (folder / "backprop_lab").mkdir()
    (folder / "backprop_lab" / "__init__.py").write_text("raise SystemExit('planted')\n")
    (folder / "grades").mkdir()
    forged = {"notebook": "student_layers.ipynb", "points": 999, "max_points": 999}
    (folder / "grades" / "student_layers.json").write_text(json.dumps(forged))
    reports = batch.grade_many(paths, jobs=2, timeout=20)
    return {p.name: r for p, r in zip(paths, reports)}


@pytest.mark.parametrize("name", sorted(n for n, (_, most) in SUBMISSIONS.items()
                                        if most is not None))
def test_no_submission_earns_a_point_it_did_not_earn(graded, name):
    report = graded[name]
    most = SUBMISSIONS[name][1]
    assert report["points"] <= most, json.dumps(report, indent=1)[:3000]
    if most:
        assert report["points"] == most, json.dumps(report, indent=1)[:3000]


def test_the_solutions_get_full_marks(graded):
    for name, notebook in [("solution_small.ipynb", SMALL), ("solution_layers.ipynb", LAYERS)]:
        report = graded[name]
        assert (report["points"], report["max_points"]) == (_points(notebook),
                                                          _points(notebook)), report
        assert report["cells"] == [] and report["review"] == []


def test_a_student_notebook_is_not_attempted(graded):
    report = graded["student_layers.ipynb"]
    assert {e["status"] for e in report["exercises"].values()} == {"not attempted"}
    assert report["cells"] == []


@pytest.mark.parametrize("cheat", sorted(RELU_CHEATS))
def test_the_package_implementation_scores_zero_and_is_named(graded, cheat):
    ex = graded[f"relu_{cheat}.ipynb"]["exercises"][TARGET]
    assert (ex["status"], ex["points"]) == ("failed", 0)
    assert ex["violation"] or any("may not" in m or "could not run" in m
                                  for m in ex["messages"]), ex


def test_a_value_class_built_on_the_package_scores_zero(graded):
    if "engine_cheats.ipynb" not in graded:
        pytest.skip(f"no {ENGINE} notebook")
    exercises = graded["engine_cheats.ipynb"]["exercises"]
    for ex_id in ENGINE_CHEATS:
        assert exercises[ex_id]["points"] == 0 and exercises[ex_id]["violation"], ex_id


def test_honest_partial_work_keeps_its_points(graded):
    report = graded["honest_partial.ipynb"]
    ids = [ex.id for ex in by_notebook(LAYERS)]
    lost = set(ids[:2]) | {TARGET}
    assert report["points"] == sum(EXERCISES[i].points for i in ids if i not in lost)
    assert {report["exercises"][i]["status"] for i in ids[:2]} == {"not attempted"}
    relu = report["exercises"][TARGET]
    assert relu["status"] == "failed" and relu["mistake"] is not None and not relu["violation"]


def test_a_deleted_check_cell_counts_zero_of_its_points(graded):
    report = graded["deleted_check_cell.ipynb"]
    assert (report["points"], report["max_points"]) == (0, _points(SMALL))
    assert report["exercises"][SUM]["status"] == "missing"


def test_forged_points_in_the_file_change_nothing(graded):
    report = graded["forged_metadata.ipynb"]
    assert report["max_points"] == _points(SMALL)


def test_files_next_to_the_notebook_are_neither_used_nor_trusted(graded):
    report = graded["student_layers.ipynb"]  # a forged grades/student_layers.json is there
    assert report["points"] == 0 and report["cells"] == []
    for problem in graded["read_others.ipynb"]["cells"]:  # other files: refused, not read
        assert "PermissionError: a graded notebook may not read" in problem["error"]


def test_the_grader_sees_its_review_lines(graded):
    whats = {n["what"] for n in graded["patch_grader.ipynb"]["review"]}
    assert "reaches the exercise registry or the grader's internals" in whats
    assert graded["relu_sys_modules.ipynb"]["review"]


# --------------------------------------------------------------------------------------
# Submissions that hit the sandbox's limits (each graded on its own, with small limits)
# --------------------------------------------------------------------------------------
def _grade_one(tmp_path, nb, **limits):
    path = tmp_path / "submission.ipynb"
    nbformat.write(nb, str(path))
    settings = dict(timeout=3, total_seconds=60)
    settings.update(limits)
    return grade_notebook(path, timeout=settings["timeout"], limits=Limits(**settings))


def test_a_sleeping_cell_times_out_and_the_rest_still_counts(tmp_path):
    nb = _at_top(_read(SMALL, "solution"), "import time\ntime.sleep(1000)")
    report = _grade_one(tmp_path, nb)
    assert report["points"] == _points(SMALL)
    assert [p["status"] for p in report["cells"]] == ["timeout"]


def test_a_cell_that_will_not_stop_is_killed_and_what_did_not_run_earns_nothing(tmp_path):
    nb = _at_top(_read(SMALL, "solution"), (
        "import time\nwhile True:\n    try:\n        time.sleep(100)\n"
        "    except BaseException:\n        pass"))
    report = _grade_one(tmp_path, nb, grace_seconds=1.0)
    assert report["points"] == 0
    statuses = [p["status"] for p in report["cells"]]
    assert statuses[0] == "timeout" and set(statuses[1:]) == {"not run"}
    assert report["exercises"][SUM]["status"] == "not run"


def test_exiting_during_a_graded_call_loses_that_exercise_and_what_follows(tmp_path):
    nb, last = _exit_during_last_check()
    report = _grade_one(tmp_path, nb, timeout=30, total_seconds=300)
    assert report["exercises"][last]["points"] == 0
    assert report["points"] == _points(LAYERS) - EXERCISES[last].points
    assert "died" in {p["status"] for p in report["cells"]}


def test_a_notebook_that_kills_its_own_process_gets_a_clear_report(tmp_path):
    nb = _at_top(_read(SMALL, "solution"),
                 "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)")
    report = _grade_one(tmp_path, nb)
    assert report["cells"][0]["status"] == "died"
    assert "SIGKILL" in report["cells"][0]["error"]
    assert {p["status"] for p in report["cells"][1:]} == {"not run"}
    assert report["points"] == 0


def test_printing_without_end_stops_the_cell(tmp_path):
    nb = _at_top(_read(SMALL, "solution"), "while True:\n    print('x' * 1000)")
    report = _grade_one(tmp_path, nb)
    assert [p["status"] for p in report["cells"]] == ["output"]
    assert report["points"] == _points(SMALL)


def test_flooding_the_raw_output_is_stopped(tmp_path):
    nb = _at_top(_read(SMALL, "solution"), "import os\nwhile True:\n    os.write(1, b'x' * 65536)")
    report = _grade_one(tmp_path, nb, output_mb=1)
    assert report["cells"][0]["status"] == "output"
    assert report["points"] == 0


def test_filling_the_disk_is_stopped(tmp_path):
    nb = _at_top(_read(SMALL, "solution"), (
        "try:\n    open('big', 'wb').write(b'0' * (40 * 2 ** 20))\nexcept OSError as e:\n"
        "    print(e)\nimport time\nfor i in range(400):\n"
        "    open(f'f{i}', 'wb').write(b'0' * 2 ** 17)\n    time.sleep(0.01)"))
    report = _grade_one(tmp_path, nb, disk_mb=8, file_mb=16, timeout=20)
    assert report["cells"][0]["status"] == "disk", report["cells"]
    assert report["points"] == 0


def test_writing_outside_its_folder_is_refused(tmp_path):
    target = tmp_path / "outside.txt"
    nb = _at_end(_read(SMALL, "solution"), f"open({str(target)!r}, 'w').write('x')")
    report = _grade_one(tmp_path, nb)
    assert not target.exists()
    assert report["cells"][0]["status"] == "error" and "PermissionError" in \
        report["cells"][0]["error"]
    assert report["points"] == _points(SMALL)
