"""Grader options added after the first version: floating-point errors as failures, and
recursive learner functions under isolation."""
import numpy as np
import pytest

from backprop_lab.grading import Exercise, edge_case, fixed_case, grade, isolated, random_case


def _softplus(z):
    return np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))


def _cases(rng):
    return [fixed_case("small", np.array([-1.0, 0.0, 2.0])),
            random_case("random", rng.standard_normal(5)),
            edge_case("large", np.array([-1000.0, 1000.0]))]


def _naive(z):
    return np.log(1 + np.exp(z))


def _make(mode):
    return Exercise(id=f"softplus_{mode}", title="softplus", notebook="99_test", points=1,
                    reference=_softplus, cases=_cases, floating_point=mode,
                    mistakes=[("naive", _naive, "exp(z) overflows"),
                              ("no log1p", lambda z: np.maximum(z, 0), "forgot the log term"),
                              ("sign", lambda z: -_softplus(z), "sign")])


def test_raise_mode_turns_overflow_into_a_failure_with_the_matching_hint():
    ex = _make("raise")

    def clamped(z):  # a correct style that only exponentiates small numbers
        return np.where(z > 30, z, np.log1p(np.exp(np.minimum(z, 30))))

    assert grade(ex, lambda z: np.logaddexp(0, z)).status == "passed"
    assert grade(ex, clamped).status == "passed"
    r = grade(ex, _naive)
    assert r.status == "failed" and "FloatingPointError" in " ".join(r.messages)
    assert r.hint == "exp(z) overflows"


def test_ignore_mode_judges_values_only():
    ex = _make("ignore")
    r = grade(ex, _naive)   # inf at z = 1000: a wrong value, not an exception
    assert r.status == "failed"
    assert "FloatingPointError" not in " ".join(r.messages)


def test_a_recursive_function_calls_its_isolated_copy():
    namespace = {"helper_value": 0.0}
    exec("def total(xs):\n"
         "    return 0.0 if len(xs) == 0 else xs[0] + helper_value + total(xs[1:])\n",
         namespace)
    fn, left_out = isolated(namespace["total"], {"helper_value": 1.0})
    assert fn([1.0, 2.0]) == 5.0  # the copy, seeing helper_value = 1, all the way down
    assert "helper_value" not in left_out


def test_prints_and_warnings_of_the_learner_do_not_flood_the_check_cell(capsys):
    import warnings

    def sum_squares(x):
        print("debugging", x)
        warnings.warn("a learner's warning", stacklevel=2)
        return float(np.sum(x ** 2))

    from backprop_lab.grading import check
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        check("sum_squares", sum_squares)
    out = capsys.readouterr().out
    assert "debugging" not in out and "all 7 checks passed" in out
    assert not [w for w in caught if "learner" in str(w.message)]


def test_one_value_is_singular():
    def dense_forward(x, W, b):
        return (x @ W + b,)

    r = grade("dense_forward", dense_forward)
    assert "returned 1 value," in " ".join(r.messages)


def _ex_with_coincidence():
    def reference(x):
        return 2.0 * x

    def only_right_at_zero(x):  # agrees with the learner below only where x = 0
        return -x

    return Exercise(id="double", title="double", notebook="99_test", points=1,
                    reference=reference,
                    cases=lambda rng: [fixed_case("zero", np.zeros(3)),
                                       random_case("random a", rng.standard_normal(3)),
                                       random_case("random b", rng.standard_normal(3)),
                                       edge_case("large", 1e6 * np.ones(2))],
                    mistakes=[("negated", only_right_at_zero, "you negated x"),
                              ("squared", lambda x: x ** 2, "you squared x"),
                              ("plus two", lambda x: x + 2, "you added 2")])


def test_a_mistake_matching_one_failing_case_of_several_is_not_named():
    def learner(x):  # wrong everywhere; agrees with "plus two" on the zero case only
        return np.where(x == 0, 2.0, 3.0 * x)

    r = grade(_ex_with_coincidence(), learner)
    assert r.status == "failed"
    assert r.hint is None


def test_a_catalogued_mistake_is_still_named():
    r = grade(_ex_with_coincidence(), lambda x: -x)
    assert r.mistake == "negated" and r.hint == "you negated x"


# ---- call=: grading what the learner wrote through an adaptor (a class) -------------------
class _Counter:
    """A reference class: counts up from ``start`` in steps of ``step``."""

    def __init__(self, start):
        self.value = start

    def add(self, step):
        self.value += step
        return self


def _use_counter(cls, start, steps):
    """What the check does with the learner's class: build one, use it, return data."""
    counter = cls(start)
    for step in steps:
        counter = counter.add(step)
    return float(counter.value)


def _counter_exercise():
    def cases(rng):
        return [fixed_case("from 0", 0.0, [1.0, 2.0]),
                random_case("random steps", 1.5, list(rng.normal(size=4))),
                edge_case("no steps", 3.0, [])]

    class Forgets:
        def __init__(self, start):
            self.value = start

        def add(self, step):
            self.value = step  # = instead of +=
            return self

    return Exercise(id="counter", title="a counter", notebook="test", reference=_Counter,
                    cases=cases, points=1, difficulty=1, call=_use_counter,
                    mistakes=[("assigns instead of adding", Forgets,
                               "use += so that every step is added")],
                    hints=["add each step to the value"])


def test_a_class_is_graded_through_call():
    ex = _counter_exercise()

    class Mine:
        def __init__(self, start):
            self.total = start

        @property
        def value(self):
            return self.total

        def add(self, step):
            self.total = self.total + step
            return self

    assert grade(ex, Mine).status == "passed"
    result = grade(ex, ex.mistakes[0].fn)
    assert (result.status, result.mistake) == ("failed", "assigns instead of adding")


def test_collect_then_judge_is_grade():
    """The two halves of ``grade``, as the trusted grader uses them: outcomes collected
    (in one process) and judged (in another) give the same verdict."""
    from backprop_lab.grading.grader import collect_outcomes, exercise_cases, judge

    ex = _counter_exercise()
    cases = exercise_cases(ex)
    wrong = ex.mistakes[0].fn
    judged = judge(ex, cases, collect_outcomes(ex, wrong, cases))
    assert judged.to_dict() == grade(ex, wrong).to_dict()
    assert judge(ex, cases, collect_outcomes(ex, _Counter, cases)).status == "passed"


def test_difficulty_must_be_on_the_scale():
    with pytest.raises(ValueError, match="difficulty must be 1, 2, 3, 4 or 5"):
        Exercise(id="x", title="x", notebook="t", reference=abs, cases=lambda rng: [],
                 difficulty=6)
