"""The exercise framework: check, grade, hint, scoreboard, the grade log, and every
registered exercise (its reference passes, each catalogued mistake fails with its hint)."""
import functools
import json
import threading
import time
import types

import numpy as np
import pytest

from backprop_lab import functional as F
from backprop_lab import grading
from backprop_lab.exercises import DIFFICULTY, EXERCISES, LOAD_ERRORS, by_notebook
from backprop_lab.grading import (
    Exercise,
    Mistake,
    check,
    edge_case,
    fixed_case,
    grade,
    hint,
    or_reference,
    random_case,
    scoreboard,
)


# --------------------------------------------------------------------------------------
# A test exercise with a tuple output: the dense layer's backward pass
# --------------------------------------------------------------------------------------
def _dense_cases(rng):
    x = rng.standard_normal((4, 3))
    W = rng.standard_normal((3, 2))
    return [
        fixed_case("2x2 example", np.array([[1.0, -1.0], [0.5, 2.0]]),
                   (np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[1.0, 0.0], [2.0, -1.0]]))),
        random_case("random 4x3 -> 2", rng.standard_normal((4, 2)), (x, W)),
        edge_case("batch of one", rng.standard_normal((1, 2)), (x[:1], W)),
    ]


def _dense_transposed_dW(dz, cache):
    x, W = cache
    return dz @ W.T, dz.T @ x, dz.sum(axis=0)


def _dense_mean_db(dz, cache):
    x, W = cache
    return dz @ W.T, x.T @ dz, dz.mean(axis=0)


def _dense_sign(dz, cache):
    x, W = cache
    return -(dz @ W.T), -(x.T @ dz), -dz.sum(axis=0)


DENSE = Exercise(
    id="test_dense_backward", title="Dense, backward (test)", notebook="test_notebook",
    points=3, reference=F.dense_backward, cases=_dense_cases, outputs=("dx", "dW", "db"),
    mistakes=[("transposed dW", _dense_transposed_dW, "dW must be x.T @ dz."),
              ("mean for db", _dense_mean_db, "db is a sum over the batch, not a mean."),
              ("sign error", _dense_sign, "the gradient has the wrong sign.")],
    hints=["first", "second", "third"])


def _sum_squares_style_1(x):
    return np.sum(x ** 2)


def _sum_squares_style_2(x):
    total = 0.0
    for v in x.ravel():
        total += v * v
    return total


def _sum_squares_style_3(x):
    flat = x.reshape(-1)
    return flat @ flat


def _sum_squares_style_4(x):
    return float(np.linalg.norm(x) ** 2)


def _sum_squares_style_5(x):
    return np.einsum("i,i->", x.ravel(), x.ravel())


@pytest.mark.parametrize("fn", [_sum_squares_style_1, _sum_squares_style_2,
                                _sum_squares_style_3, _sum_squares_style_4,
                                _sum_squares_style_5, lambda x: (x * x).sum()])
def test_correct_styles_pass(fn):
    r = grade("sum_squares", fn)
    assert r.status == "passed", r.verdict()
    assert (r.points, r.max_points) == (1, 1)
    assert r.checks_passed == r.checks_total == 7


def test_correct_dense_styles_pass():
    def dense_backward(dz, cache):
        x, W = cache
        return np.dot(dz, W.T), np.dot(x.T, dz), np.sum(dz, axis=0)

    def dense_backward_loops(dz, cache):
        x, W = cache
        dx = np.zeros_like(x)
        dW = np.zeros_like(W)
        for n in range(x.shape[0]):
            dx[n] = W @ dz[n]
            dW += np.outer(x[n], dz[n])
        return dx, dW, dz.sum(axis=0)

    for fn in (dense_backward, dense_backward_loops):
        assert grade(DENSE, fn).status == "passed"


def test_passing_verdict_text(capsys):
    assert check("sum_squares", _sum_squares_style_1) is None
    out = capsys.readouterr().out
    assert out == ("sum_squares — 1/1 points: all 7 checks passed "
                   "(fixed, random and edge cases).\n")
    assert "correct" not in out


def test_catalogued_mistake_gets_its_hint(capsys):
    def sum_squares(x):
        return np.sum(x) ** 2

    check("sum_squares", sum_squares)
    out = capsys.readouterr().out
    assert out.startswith("sum_squares — 0/1 points: 2 of 7 checks passed.\n")
    assert "  ✗ x = [1, 2, 3]: values differ (max abs error 22)\n" in out
    assert "  Hint: you squared the sum." in out
    r = grade("sum_squares", sum_squares)
    assert (r.status, r.points, r.mistake) == ("failed", 0, "square of the sum")


def test_unknown_mistake_suggests_hint_command():
    r = grade("sum_squares", lambda x: np.sum(x ** 2) + 1.0)
    assert r.status == "failed" and r.mistake is None
    assert 'hint("sum_squares")' in r.verdict()


def test_verdict_is_deterministic():
    def bad(x):
        return np.sum(x ** 3)

    assert grade("sum_squares", bad).verdict() == grade("sum_squares", bad).verdict()


def test_exception_is_one_line_never_a_traceback(capsys):
    def sum_squares(x):
        return 1 / 0

    assert check("sum_squares", sum_squares) is None
    out = capsys.readouterr().out
    assert "  ✗ x = [1, 2, 3] (and 6 more): raised ZeroDivisionError: division by zero\n" in out
    assert "Traceback" not in out


def test_wrong_shape_names_the_output():
    r = grade(DENSE, _dense_transposed_dW)
    assert r.status == "failed"
    assert r.messages == ["2x2 example: dW: values differ (max abs error 1)",
                          "random 4x3 -> 2 (and 1 more): dW: wrong shape (2, 3), expected "
                          "(3, 2) (the transposed shape)"]
    assert r.mistake == "transposed dW"


def test_wrong_number_of_outputs():
    def two(dz, cache):
        x, W = cache
        return dz @ W.T, x.T @ dz

    r = grade(DENSE, two)
    assert "returned 2 values, expected 3 (dx, dW, db)" in r.messages[0]


def test_wrong_dtype():
    def float32(dz, cache):
        dx, dW, db = F.dense_backward(dz, cache)
        return dx.astype(np.float32), dW, db

    r = grade(DENSE, float32)
    assert r.status == "failed"
    assert r.messages[0].endswith("dx: dtype float32, expected float64")


def test_nan_output():
    r = grade("sum_squares", lambda x: float("nan"))
    assert r.status == "failed"
    assert "contains NaN where a finite number was expected" in r.messages[0]


def test_missing_return():
    def sum_squares(x):
        np.sum(x ** 2)

    r = grade("sum_squares", sum_squares)
    assert "returned None — is a `return` statement missing?" in r.messages[0]


def test_mutated_input_is_reported():
    def sum_squares(x):
        x **= 2
        return float(x.sum())

    r = grade("sum_squares", sum_squares)
    assert r.status == "failed"
    assert "changed its input `x` in place" in r.messages[0]


def test_global_variable_is_reported():
    scale = 1.0  # noqa: F841 - the function below must not see this local either
    globals()["offset_used_by_test"] = 0.0

    def sum_squares(x):
        return np.sum(x ** 2) + offset_used_by_test  # noqa: F821

    r = grade("sum_squares", sum_squares)
    assert r.status == "failed"
    assert ("your function uses the global variable `offset_used_by_test`; pass it as an "
            "argument or define it inside the function") in r.messages[0]


def test_typo_is_an_ordinary_name_error():
    def sum_squares(x):
        return npp.sum(x ** 2)  # noqa: F821

    r = grade("sum_squares", sum_squares)
    assert "raised NameError: name 'npp' is not defined" in r.messages[0]


POWER_OF_TWO = 2  # a constant (capitals): allowed
np_sum_alias = np.sum  # a numpy function under another name (not a plain Python function)


def _square(v):
    return v * v


def test_closures_helpers_constants_and_partials_still_work():
    def make(power):
        def sum_squares(x):
            return np.sum(x ** power)
        return sum_squares

    def with_helper(x):
        return np.sum(_square(x))

    def with_constant(x):
        return np.sum(x ** POWER_OF_TWO)

    def with_kwarg(x, power=2):
        return np.sum(x ** power)

    def with_alias(x):
        return np_sum_alias(x * x)

    for fn in (make(2), with_helper, with_constant, with_alias,
               functools.partial(with_kwarg, power=2)):
        assert grade("sum_squares", fn).status == "passed", fn


def test_depends_are_the_reference_versions():
    def dense_relu(x, W, b):
        z, _ = F.dense_forward(x, W, b)
        return F.relu_forward(z)[0]

    ex = Exercise(
        id="test_dense_relu", title="t", notebook="test_notebook", reference=dense_relu,
        cases=lambda rng: [random_case("r", rng.standard_normal((3, 2)),
                                       rng.standard_normal((2, 4)), rng.standard_normal(4))],
        depends=("dense_forward", "relu_forward"), mistakes=[], hints=[])
    # a broken earlier answer in the "notebook" (this module's globals):
    globals()["dense_forward"] = lambda x, W, b: (x @ W, None)

    def learner(x, W, b):
        z, _ = dense_forward(x, W, b)  # noqa: F821 - injected by the grader
        a, _ = relu_forward(z)  # noqa: F821 - injected by the grader
        return a

    try:
        assert grade(ex, learner).status == "passed"
    finally:
        del globals()["dense_forward"]


def _slow_exercise():
    return Exercise(id="test_slow", title="t", notebook="test_notebook",
                    reference=lambda x: x + 1,
                    cases=lambda rng: [fixed_case("one", 1.0), fixed_case("two", 2.0)],
                    time_limit=0.2)


def test_too_slow_is_interrupted(capsys):
    def slow(x):
        time.sleep(5)
        return x + 1

    ex = _slow_exercise()
    r = grade(ex, slow)
    assert r.status == "failed"
    assert r.messages == ["one: took longer than 0.2 s, the limit for one call (an endless loop?)"]
    assert (r.checks_passed, r.more_failures, r.not_run) == (0, 0, 1)
    assert check(ex, slow) is None
    assert "1 more check was not run after the time-out." in capsys.readouterr().out


def test_too_slow_outside_the_main_thread_uses_elapsed_time():
    def slow(x):
        time.sleep(0.5)
        return x + 1

    found = []
    t = threading.Thread(target=lambda: found.append(grade(_slow_exercise(), slow)))
    t.start()
    t.join()
    assert found[0].status == "failed"
    assert "took longer than 0.2 s" in found[0].messages[0]


def test_endless_loop_that_catches_exceptions_is_still_stopped():
    def stubborn(x):
        while True:
            try:
                time.sleep(1)
            except Exception:
                pass

    assert "took longer" in grade(_slow_exercise(), stubborn).messages[0]


def test_not_implemented_is_not_attempted(capsys):
    def sum_squares(x):
        # YOUR CODE HERE
        raise NotImplementedError()

    r = grade("sum_squares", sum_squares)
    assert (r.status, r.points, r.max_points) == ("not attempted", 0, 1)
    check("sum_squares", sum_squares)
    out = capsys.readouterr().out
    assert out.startswith("sum_squares — 0/1 points: not attempted yet")


def test_grader_bugs_never_reach_the_notebook(capsys):
    def broken_reference(x):
        raise ValueError("grader bug")

    ex = Exercise(id="test_broken", title="t", notebook="test_notebook",
                  reference=broken_reference, cases=lambda rng: [fixed_case("one", 1.0)])
    r = grade(ex, lambda x: x)
    assert r.status == "error" and r.points == 0
    assert "bug in backprop_lab" in r.messages[0]
    assert check(ex, lambda x: x) is None
    assert "not checked" in capsys.readouterr().out

    ex2 = Exercise(id="test_broken_cases", title="t", notebook="test_notebook",
                   reference=lambda x: x, cases=lambda rng: 1 / 0)
    assert grade(ex2, lambda x: x).status == "error"


def test_bad_calls_never_raise(capsys):
    check("no_such_exercise", print)
    check("sum_squares", 14.0)
    check("sum_square", _sum_squares_style_1)
    out = capsys.readouterr().out
    assert "there is no exercise called 'no_such_exercise'" in out
    assert 'the second argument must be your function itself, e.g. check("sum_squares", ' \
           'sum_squares)' in out
    assert 'Did you mean "sum_squares"?' in out


def test_the_reference_object_itself_earns_nothing():
    ref = EXERCISES["sum_squares"].reference
    r = grade("sum_squares", ref)
    assert r.status == "failed" and "reference" in r.messages[0]


def test_nbgrader_mode_raises_on_failure_only(monkeypatch, capsys):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    check("sum_squares", _sum_squares_style_1)
    assert "all 7 checks passed" in capsys.readouterr().out
    with pytest.raises(AssertionError, match="0/1 points"):
        check("sum_squares", lambda x: 0.0)
    with pytest.raises(AssertionError, match="not attempted"):
        def stub(x):
            raise NotImplementedError()
        check("sum_squares", stub)


def test_hints_come_one_at_a_time(capsys):
    for _ in range(4):
        hint("sum_squares")
    lines = capsys.readouterr().out.splitlines()
    hints = EXERCISES["sum_squares"].hints
    assert lines == [f"Hint 1 of 3: {hints[0]}", f"Hint 2 of 3: {hints[1]}",
                     f"Hint 3 of 3: {hints[2]}",
                     f"Hint 3 of 3: {hints[2]} (That was the last hint.)"]
    hint("sum_sqares")
    assert 'Did you mean "sum_squares"?' in capsys.readouterr().out


def test_scoreboard_counts_latest_results(capsys):
    scoreboard("00_start_here")
    assert capsys.readouterr().out == ("Scoreboard: 00_start_here\n"
                                       "  exercise     status       points\n"
                                       "  sum_squares  not checked     0/1\n"
                                       "  total                        0/1\n")
    check("sum_squares", lambda x: 0.0)
    check("sum_squares", _sum_squares_style_1)
    check(DENSE, _dense_sign)
    capsys.readouterr()
    scoreboard("00_start_here")
    out = capsys.readouterr().out
    assert "  sum_squares  passed     1/1\n" in out and "  total                   1/1\n" in out
    scoreboard()
    out = capsys.readouterr().out
    assert "Scoreboard: 00_start_here" in out and "Scoreboard: test_notebook" in out
    assert "test_dense_backward  failed     0/3" in out
    scoreboard("no_such_notebook")
    assert "No exercises in notebook 'no_such_notebook'" in capsys.readouterr().out


def test_grade_log_gets_one_json_line_per_check(tmp_path, monkeypatch):
    log = tmp_path / "log.jsonl"
    monkeypatch.setenv("BACKPROP_LAB_GRADE_LOG", str(log))
    check("sum_squares", _sum_squares_style_1)
    check("sum_squares", lambda x: np.sum(x) ** 2)
    rows = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert [(r["exercise"], r["status"], r["points"], r["max_points"]) for r in rows] == [
        ("sum_squares", "passed", 1, 1), ("sum_squares", "failed", 0, 1)]
    assert rows[1]["mistake"] == "square of the sum"
    assert rows[1]["notebook"] == "00_start_here"


def test_or_reference(capsys):
    assert or_reference("sum_squares", _sum_squares_style_1) is _sum_squares_style_1
    assert capsys.readouterr().out == ""
    fallback = or_reference("sum_squares", lambda x: 0.0)
    assert fallback is EXERCISES["sum_squares"].reference
    assert "reference sum_squares" in capsys.readouterr().out
    assert grading.SCOREBOARD.results == {}


def test_mistakes_that_raise_are_matched_by_their_exception():
    def reference(x):
        return x.sum()

    def wrong(x):
        return x.sum(axis=1)

    ex = Exercise(id="test_raises", title="t", notebook="test_notebook", reference=reference,
                  cases=lambda rng: [fixed_case("vector", np.ones(3))],
                  mistakes=[Mistake("axis 1", wrong, "there is no axis 1 in a vector.")])
    r = grade(ex, lambda x: x.sum(axis=1))
    assert r.mistake == "axis 1" and "raised AxisError" in r.messages[0]


def test_exercise_definitions_are_validated():
    ok = dict(title="t", notebook="n", reference=abs, cases=lambda rng: [])
    with pytest.raises(ValueError, match="letters, digits"):
        Exercise(id="bad id", **ok)
    with pytest.raises(ValueError, match="points"):
        Exercise(id="x", points=-1, **ok)
    with pytest.raises(TypeError, match="mistake"):
        Exercise(id="x", mistakes=[("only a name",)], **ok)
    with pytest.raises(ValueError, match="kind"):
        grading.Case("c", (), {}, "hidden")


# --------------------------------------------------------------------------------------
# Every registered exercise, including those added later
# --------------------------------------------------------------------------------------
def test_every_exercise_module_loads():
    assert LOAD_ERRORS == {}
    assert "sum_squares" in EXERCISES
    assert [ex.id for ex in by_notebook("00_start_here")] == ["sum_squares"]


def _copy(fn):
    """An equal but distinct function object (check refuses the reference object itself)."""
    if isinstance(fn, types.FunctionType):
        copy = types.FunctionType(fn.__code__, fn.__globals__, fn.__name__, fn.__defaults__,
                                  fn.__closure__)
        copy.__kwdefaults__ = fn.__kwdefaults__
        return copy
    return lambda *args, **kwargs: fn(*args, **kwargs)


@pytest.mark.parametrize("exercise_id", sorted(EXERCISES))
def test_exercise_is_well_formed(exercise_id):
    ex = EXERCISES[exercise_id]
    assert len(ex.mistakes) >= 3, "catalogue at least three typical mistakes"
    assert ex.hints, "give at least one hint"
    assert ex.title and ex.notebook
    assert ex.difficulty in DIFFICULTY, "give a difficulty 1-5 (exercises.DIFFICULTY)"
    cases = ex.cases(np.random.default_rng(0))
    assert {c.kind for c in cases} == {"fixed", "random", "edge"}, \
        "use fixed, random and edge cases"
    assert len({c.name for c in cases}) == len(cases), "case names must differ"
    grading.grader._resolve_depends(ex)  # raises if a dependency cannot be found


@pytest.mark.parametrize("exercise_id", sorted(EXERCISES))
def test_reference_passes(exercise_id):
    r = grade(exercise_id, _copy(EXERCISES[exercise_id].reference))
    assert r.status == "passed", r.verdict()


@pytest.mark.parametrize("exercise_id,mistake", [
    (ex.id, m.name) for ex in EXERCISES.values() for m in ex.mistakes])
def test_catalogued_mistake_fails_with_its_own_hint(exercise_id, mistake):
    """Strict: the hint given is exactly this mistake's, and no other mistake's hint is
    in the verdict (a mistake that agrees with another on every case gets no hint at
    all: add a case on which the two differ)."""
    ex = EXERCISES[exercise_id]
    m = next(m for m in ex.mistakes if m.name == mistake)
    r = grade(exercise_id, m.fn)
    assert r.status == "failed", f"no case catches the mistake {mistake!r}"
    assert r.mistake == mistake, (
        f"the mistake {mistake!r} got the hint of {r.mistake!r}; if that is None, another "
        "catalogued mistake agrees with it on every case: add a case on which they differ")
    assert r.hint == m.hint
    verdict = r.verdict()
    assert m.hint in verdict
    others = [o.name for o in ex.mistakes if o.hint != m.hint and o.hint in verdict]
    assert not others, f"the verdict also shows the hint of {others}"


def test_the_documented_template_works():
    """The template in backprop_lab/exercises/__init__.py is what authors copy: it must run
    and satisfy the same rules as the registered exercises."""
    import textwrap

    import backprop_lab.exercises as registry

    doc = registry.__doc__
    start = doc.index("list::\n") + len("list::\n")
    code = textwrap.dedent(doc[start:doc.index("\nOptions of")])
    code = code.replace("from .. import", "from backprop_lab import")
    code = code.replace("from ..grading.spec import", "from backprop_lab.grading.spec import")
    namespace = {}
    exec(compile(code, "template", "exec"), namespace)
    (ex,) = namespace["EXERCISES"]
    assert grade(ex, _copy(ex.reference)).status == "passed"
    assert len(ex.mistakes) >= 3
    for m in ex.mistakes:
        r = grade(ex, m.fn)
        assert (r.status, r.mistake) == ("failed", m.name)

    def relu_backward(da, cache):
        z = cache
        return da * (z > 0)

    assert grade(ex, relu_backward).status == "passed"
