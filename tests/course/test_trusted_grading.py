"""The parts of trusted grading, one at a time: values on the wire, the watch for the
package's implementations, judging outcomes, the sandbox's rules, finding the course
notebook, shards and merging, and checks under nbgrader."""
import functools
import json
import subprocess
import sys
import textwrap

import nbformat
import numpy as np
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from backprop_lab import functional as F
from backprop_lab.course import batch, headless
from backprop_lab.exercises import EXERCISES
from backprop_lab.grading import wire
from backprop_lab.grading.channel import FrameParser
from backprop_lab.grading.grader import _resolve_depends, exercise_cases, grade
from backprop_lab.grading.guard import Guard, allowed_for
from backprop_lab.grading.trusted import PendingCheck, same_tree

from exercise_helpers import judged_through_the_wire


# --------------------------------------------------------------------------------------
# Values on the wire
# --------------------------------------------------------------------------------------
def _roundtrip(value, rebuild_code=True):
    tree, arrays = wire.encode(value)
    json.dumps(tree)  # plain JSON
    (message, back), = FrameParser().feed(wire.pack({"v": tree}, arrays))
    return wire.decode(message["v"], back, rebuild_code=rebuild_code)


def test_plain_values_cross_exactly():
    value = (np.arange(6.0).reshape(2, 3), [1, 2.5, float("nan"), None, True], {"k": "v"},
             np.float32(1.5), np.int64(3), 2 ** 70, complex(1, -2), b"\x00\xff",
             np.array(["a", "bc"]), np.array([], dtype=np.int8).reshape(0, 3))
    back = _roundtrip(value)
    assert back[0].dtype == np.float64 and np.array_equal(back[0], value[0])
    assert back[1][:2] == [1, 2.5] and np.isnan(back[1][2]) and back[1][3:] == [None, True]
    assert back[2] == {"k": "v"} and type(back[3]) is np.float32 and type(back[4]) is np.int64
    assert back[5:8] == (2 ** 70, complex(1, -2), b"\x00\xff")
    assert back[8].tolist() == ["a", "bc"] and back[9].shape == (0, 3)


def test_functions_cross_by_name_and_closures_from_package_code():
    gd = EXERCISES.get("gradient_descent")
    for case in exercise_cases(gd) if gd else []:
        grad = case.args[0]
        back = _roundtrip(grad)
        assert back is not grad and back.__code__ is grad.__code__
        x = np.ones_like(case.args[1])
        assert np.array_equal(back(x), grad(x))
    assert _roundtrip(F.relu_backward) is F.relu_backward
    assert _roundtrip(np.tanh) is np.tanh
    part = _roundtrip(functools.partial(np.add, 1))
    assert part(2) == 3
    # the trusted side never makes a function from what it receives
    assert isinstance(_roundtrip(gd and exercise_cases(gd)[0].args[0], rebuild_code=False)
                      if gd else wire.Opaque(), wire.Opaque)


def test_what_cannot_cross_is_opaque_and_equals_nothing():
    class Liar:
        def __eq__(self, other):
            return True

    back = _roundtrip([Liar(), lambda x: x, np.array([object()])])
    assert all(isinstance(b, wire.Opaque) for b in back)
    assert back[0] != back[0] and not (back[0] == 0)
    assert type(back[0]).__name__ == "Liar"
    with pytest.raises(wire.WireError, match="cannot send"):
        wire.encode([Liar()], strict=True)


def test_no_pickle_and_no_compression_is_accepted():
    import io
    import zipfile

    buf = io.BytesIO()
    np.savez(buf, a0=np.array([object()], dtype=object), allow_pickle=True)
    with pytest.raises(wire.WireError):
        wire.npz_to_arrays(buf.getvalue())
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a0.npy", b"\x93NUMPY" + b"0" * 100)
    with pytest.raises(wire.WireError, match="compressed"):
        wire.npz_to_arrays(buf.getvalue())
    with pytest.raises(wire.WireError):
        FrameParser().feed(b"\xff\xff\xff\xff\x00\x00\x00\x00")  # a frame too large
    with pytest.raises(wire.WireError):
        wire.decode({"t": "array", "a": 5}, [])


# --------------------------------------------------------------------------------------
# The watch
# --------------------------------------------------------------------------------------
def _reached(ex_id, fn, *args):
    ex = EXERCISES[ex_id]
    guard = Guard(ex, allowed_for(ex, exercise_cases(ex), _resolve_depends(ex)))
    with guard.watching():
        try:
            fn(*args)
        except Exception:  # noqa: BLE001
            pass
    return guard.reached


def test_the_watch_sees_every_route_to_the_reference():
    import importlib

    da, z = np.ones((2, 2)), np.array([[1.0, -1.0], [0.0, 2.0]])
    routes = [
        lambda: F.relu_backward(da, z),
        lambda: sys.modules["backprop_lab.functional"].relu_backward(da, z),
        lambda: importlib.import_module("backprop_lab.functional").relu_backward(da, z),
        lambda: __import__("backprop_lab.functional", fromlist=["x"]).relu_backward(da, z),
        lambda: EXERCISES["relu_backward"].reference(da, z),
        lambda: __import__("types").FunctionType(F.relu_backward.__code__, {})(da, z),
    ]
    for route in routes:
        assert _reached("relu_backward", route), route
    assert _reached("relu_backward", lambda: da * (z > 0)) == []
    assert _reached("relu_backward", lambda: F.sigmoid_forward(z)) == []  # a tool, allowed


def test_what_an_exercise_puts_in_reach_is_not_caught():
    ex = EXERCISES["mlp_backward"]
    case = exercise_cases(ex)[0]
    dout, caches, activations = case.args

    def uses_what_it_was_given(dout, caches, activations):
        dense = _resolve_depends(ex)["dense_backward"]
        da = dout
        for (dense_cache, z), backward in zip(reversed(caches), reversed(activations)):
            dz = backward(da, z) if z is not None else da
            da = dense(dz, dense_cache)[0]
        return da

    assert _reached("mlp_backward", uses_what_it_was_given, *case.args) == []
    assert _reached("mlp_backward", lambda *a: ex.reference(*a), *case.args)


def test_self_study_check_warns_and_counts():
    r = grade("relu_backward", lambda da, cache: F.relu_backward(da, cache))
    assert r.status == "passed" and r.warnings
    assert "a graded run (python -m backprop_lab grade) gives this exercise 0 points" in \
        r.verdict()


# --------------------------------------------------------------------------------------
# Judging what the untrusted side sent
# --------------------------------------------------------------------------------------
def _answer(ex, fn, seed=1):
    return judged_through_the_wire(ex, fn, seed)


def test_judging_outcomes_matches_self_study_grading():
    ex = EXERCISES["sum_squares"]
    assert _answer(ex, lambda x: float(np.sum(x ** 2))).status == "passed"
    wrong = _answer(ex, lambda x: float(np.sum(x) ** 2))
    assert (wrong.status, wrong.mistake) == ("failed", "square of the sum")


def test_a_changed_input_is_seen_from_the_copies_sent_back():
    ex = EXERCISES["relu_backward"]

    def in_place(da, cache):
        da[cache <= 0] = 0
        return da

    r = _answer(ex, in_place)
    assert r.status == "failed" and "in place" in " ".join(r.messages)


def test_the_reference_scores_zero_when_judged_strictly():
    ex = EXERCISES["relu_backward"]
    r = _answer(ex, lambda da, cache: F.relu_backward(da, cache))
    assert (r.status, r.points) == ("failed", 0) and r.violation


def test_forged_outcomes_do_not_pass():
    ex = EXERCISES["sum_squares"]
    pending = PendingCheck(ex, seed=3)
    forged = {"event": "outcomes", "exercise": ex.id, "left_out": [], "reached": [],
              "results": [{"value": 0.0, "error_type": None, "timed_out": False,
                           "after": None}] * len(pending.cases)}
    assert pending.judge(forged, []).status == "failed"
    too_many = dict(forged, results=forged["results"] * 2)
    assert pending.judge(too_many, []).status == "failed"
    assert pending.judge({"results": "nonsense"}, []).status == "failed"


def test_same_tree_compares_values_not_identities():
    a_tree, a_arrays = wire.encode([np.array([1.0, np.nan]), {"x": 1}])
    b_tree, b_arrays = wire.encode([np.array([1.0, np.nan]), {"x": 1}])
    c_tree, c_arrays = wire.encode([np.array([1.0, 2.0]), {"x": 1}])
    assert same_tree(a_tree, a_arrays, b_tree, b_arrays)
    assert not same_tree(a_tree, a_arrays, c_tree, c_arrays)


def test_every_exercise_can_be_sent_to_the_sandbox():
    """Cases cross by value and by name only: an exercise whose cases hold something else
    (a lambda, an object) cannot be graded headless."""
    for ex in EXERCISES.values():
        for seed in (1, 2):
            PendingCheck(ex, seed=seed)


# --------------------------------------------------------------------------------------
# The sandbox's rules (in a child process: an audit hook cannot be removed)
# --------------------------------------------------------------------------------------
def test_the_audit_hook_refuses_and_lets_the_rest_run(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    script = textwrap.dedent(f"""
        import os, sys
        from backprop_lab.grading import lockdown, collect
        lockdown.install({str(work)!r}, [sys.prefix, sys.base_prefix, "/usr", "/proc"],
                         [], collect.STEP_CODE)
        def refused(action):
            try:
                action()
            except PermissionError as e:
                return str(e)
            return "allowed"
        print(refused(lambda: open({str(work / "ok.txt")!r}, "w").write("x")))
        print(refused(lambda: open({str(tmp_path / "outside.txt")!r}, "w")))
        print(refused(lambda: os.fork()))
        print(refused(lambda: os.kill(os.getppid(), 0)))
        print(refused(lambda: __import__("gc").get_objects()))
        print(refused(lambda: open({str(tmp_path)!r} + "/secret")))
        print(refused(lambda: sys.setprofile(None)))
    """)
    (tmp_path / "secret").write_text("s")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         cwd=work, timeout=120)
    lines = out.stdout.splitlines()
    assert lines[0] == "allowed", out.stderr
    assert "may write only inside its own folder" in lines[1]
    assert "may not start other processes" in lines[2]
    assert "may signal only its own process" in lines[3]
    assert "gc.get_objects" in lines[4]
    assert "may not read" in lines[5]
    assert lines[6] == "allowed"  # outside a graded call
    assert not (tmp_path / "outside.txt").exists()


# --------------------------------------------------------------------------------------
# Which course notebook a file is
# --------------------------------------------------------------------------------------
def _tiny(*sources, ids=None):
    nb = new_notebook()
    nb.cells = [new_code_cell(s) for s in sources]
    for i, cell in enumerate(nb.cells):
        cell["id"] = (ids or {}).get(i, f"c{i}")
    return nb


def test_a_renamed_file_is_graded_against_its_notebook():
    nb = _tiny('check("relu_backward", f)', 'check("sigmoid_backward", f)')
    name, how, note = headless.identify(nb, stem="my_homework")
    assert (name, how, note) == ("05_backprop_layers", "its check cells", None)
    expected = dict(headless.expected_exercises(nb, "my_homework"))
    assert "mlp_backward" in expected  # its check cell was deleted: still counted


def test_a_file_name_against_its_contents_is_noted():
    nb = _tiny('check("relu_backward", f)')
    name, _, note = headless.identify(nb, stem="00_start_here")
    assert name == "05_backprop_layers" and "file name says 00_start_here" in note
    assert headless.identify(nb, given="00_start_here")[0] == "00_start_here"
    with pytest.raises(ValueError, match="not a notebook with exercises"):
        headless.identify(nb, given="99_nothing")


def test_the_check_cell_is_the_graded_one():
    nb = _tiny('check("sum_squares", f)', 'x = 1', 'check("sum_squares", g)')
    assert headless.designated_check_cells(nb, {"sum_squares"}) == {"sum_squares": 0}
    nb.cells[2].metadata["nbgrader"] = {"grade_id": "sum_squares", "grade": True}
    assert headless.designated_check_cells(nb, {"sum_squares"}) == {"sum_squares": 2}


def test_review_notes_name_unusual_code_and_change_nothing():
    nb = _tiny("import numpy as np", "F = sys.modules['backprop_lab.functional']",
               "np.allclose = lambda *a: True", "# sys.modules in a comment")
    notes = headless.review_notes(nb)
    assert [(n["cell"], n["what"]) for n in notes] == [
        (1, "imports modules by name"), (2, "replaces a library function")]


# --------------------------------------------------------------------------------------
# A whole class: shards and merging
# --------------------------------------------------------------------------------------
def test_shards_cover_every_file_once():
    paths = [f"s{i:02d}.ipynb" for i in range(23)][::-1]
    slices = [batch.shard(paths, k, 5) for k in range(1, 6)]
    assert sorted(p for s in slices for p in s) == sorted(paths)
    assert {len(s) for s in slices} <= {4, 5}
    assert slices[0][0] == "s00.ipynb"
    for bad in ("0/3", "4/3", "x", "1-3"):
        with pytest.raises(ValueError):
            batch.parse_shard(bad)


def _fake_report(name, points):
    return {"notebook": name, "course_notebook": "00_start_here", "points": points,
            "max_points": 1, "exercises": {"sum_squares": {"points": points}}, "cells": [],
            "review": []}


def test_merge_checks_the_shards(tmp_path):
    for k, names in ((1, ["a.ipynb", "b.ipynb"]), (2, ["c.ipynb"])):
        reports = [_fake_report(n, 1) for n in names]
        batch.write_json(batch.class_report(reports, names, (k, 2)),
                         tmp_path / f"report-{k}-of-2.json")
    merged = batch.merge([tmp_path])
    assert [r["notebook"] for r in merged["reports"]] == ["a.ipynb", "b.ipynb", "c.ipynb"]
    (tmp_path / "report-2-of-2.json").unlink()
    with pytest.raises(ValueError, match="shards 2 of 2 are missing"):
        batch.merge([tmp_path])
    assert len(batch.merge([tmp_path], allow_partial=True)["reports"]) == 2


def test_grade_a_folder_in_shards_and_merge(tmp_path, capsys):
    from backprop_lab.cli import main as cli

    folder = tmp_path / "class"
    folder.mkdir()
    right = _tiny("import numpy as np\nfrom backprop_lab.grading import check",
                  "def sum_squares(x):\n    return float(np.sum(x ** 2))",
                  'check("sum_squares", sum_squares)')
    wrong = _tiny("from backprop_lab.grading import check",
                  "def sum_squares(x):\n    return 0.0", 'check("sum_squares", sum_squares)')
    for i in range(4):
        nbformat.write(right if i % 2 else wrong, str(folder / f"s{i}.ipynb"))
    out = tmp_path / "grades"
    for k in (1, 2):
        assert cli(["grade", str(folder), "--out", str(out), "--shard", f"{k}/2",
                    "--jobs", "2"]) == 0
    assert cli(["merge", str(out)]) == 0
    merged = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert [(r["notebook"], r["points"]) for r in merged["reports"]] == [
        ("s0.ipynb", 0), ("s1.ipynb", 1), ("s2.ipynb", 0), ("s3.ipynb", 1)]
    rows = (out / "summary.csv").read_text(encoding="utf-8").splitlines()
    assert rows[0].startswith("notebook,sum_squares,total") and len(rows) == 5
    assert cli(["grade", str(folder), "--shard", "3/2"]) == 2
    assert "K must be between 1 and N" in capsys.readouterr().err


# --------------------------------------------------------------------------------------
# nbgrader
# --------------------------------------------------------------------------------------
def test_under_nbgrader_the_verdict_comes_from_outside_the_kernel(monkeypatch):
    from backprop_lab.grading import CheckFailed, check, grader

    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    cases = exercise_cases(EXERCISES["sum_squares"])
    table = {c.args[0].tobytes(): float(np.sum(c.args[0] ** 2)) for c in cases}
    with pytest.raises(CheckFailed):  # the inputs of self-study checks are not the ones used
        check("sum_squares", lambda x: table.get(x.tobytes(), 0.0))
    # patching this kernel's references or comparison does not change the judge's verdict
    monkeypatch.setattr(EXERCISES["sum_squares"], "reference", lambda x: 0.0)
    monkeypatch.setattr(grader, "judge", lambda *a, **k: None)
    with pytest.raises(CheckFailed) as caught:
        check("sum_squares", lambda x: 0.0)
    assert caught.value._render_traceback_()[0].startswith("sum_squares — 0/1 points")
    with pytest.raises(CheckFailed, match="own implementation"):
        check("relu_backward", lambda da, cache: F.relu_backward(da, cache))


def test_a_failing_check_shows_the_verdict_only_in_ipython(monkeypatch):
    from IPython.core.interactiveshell import InteractiveShell

    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    shell = InteractiveShell.instance()
    shown = []
    monkeypatch.setattr(shell, "_showtraceback", lambda etype, evalue, stb: shown.append(stb))
    shell.run_cell("from backprop_lab.grading import check\ncheck('sum_squares', lambda x: 0.0)")
    assert shown and shown[0][0].startswith("sum_squares — 0/1 points")
    assert not any("Traceback" in line or "session.py" in line for line in shown[0])


def test_in_a_jupyter_kernel_under_nbgrader(tmp_path):
    """What nbgrader's autograder sees: the kernel runs the cells, the judge decides, and
    a failing check cell's error output is the verdict alone."""
    import os

    from nbclient import NotebookClient

    nb = _tiny("import numpy as np\nfrom backprop_lab import functional as F\n"
               "from backprop_lab.grading import check",
               'check("sum_squares", lambda x: float(np.sum(x ** 2)))',
               'check("relu_backward", lambda da, cache: F.relu_backward(da, cache))')
    env = dict(os.environ, NBGRADER_EXECUTION="autograde")
    client = NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(tmp_path)}})
    with client.setup_kernel(env=env, stderr=subprocess.DEVNULL):
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
    passed = nb.cells[1].outputs[0]
    assert "all 7 checks passed" in passed["text"]
    error = next(o for o in nb.cells[2].outputs if o["output_type"] == "error")
    assert error["ename"] == "CheckFailed"
    assert error["traceback"][0].startswith("relu_backward — 0/1 points")
    assert any("own implementation" in line for line in error["traceback"])
    assert not any("File " in line or "session.py" in line for line in error["traceback"])
