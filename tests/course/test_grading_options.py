"""Grader options added after the first version: floating-point errors as failures, and
recursive learner functions under isolation."""
import numpy as np

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
