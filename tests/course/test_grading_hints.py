"""Hints that name the real mistake, and checks that tell every wrong answer from the right
one: the matcher names a catalogued mistake only when the learner's outcomes agree with
it on every case and with no other mistake; a default that differs from the statement's
is proved by a pair of twin cases; the comparison names a squeezed shape and floats where
integers are expected; and the same verdicts come out of trusted judging."""
import dataclasses
import inspect

import numpy as np
import pytest

from backprop_lab.exercises import EXERCISES
from backprop_lab.grading import Exercise, Mistake, edge_case, fixed_case, grade
from backprop_lab.grading.grader import DEFAULT_SLIP, _bound
from backprop_lab.grading.runner import _same_input

from exercise_helpers import judged_through_the_wire


def _hint_of(exercise_id, mistake):
    return next(m.hint for m in EXERCISES[exercise_id].mistakes if m.name == mistake)


def _named(exercise_id, fn, mistake):
    r = grade(exercise_id, fn)
    assert r.status == "failed", r.verdict()
    assert r.mistake == mistake, r.verdict()
    assert r.hint == _hint_of(exercise_id, mistake)
    return r


def _only_cases(exercise_id, keep):
    """The exercise with only the cases whose name ``keep`` accepts (same seed, since the
    id is the same)."""
    ex = EXERCISES[exercise_id]
    return dataclasses.replace(ex, cases=lambda rng: [c for c in ex.cases(rng) if keep(c.name)])


# --------------------------------------------------------------------------------------
# The matcher
# --------------------------------------------------------------------------------------
def _reference(x):
    return x * 2.0


def _times_three(x):
    return x * 3.0


def _square_plus_two(x):
    return x * x + 2.0  # 3 at x = 1 and 6 at x = 2, like 3 x; 11 at x = 3, not 9


def _plus_x(x):
    return x + x + x


def _toy(with_separating_case, second=_square_plus_two):
    def cases(rng):
        found = [fixed_case("x = 1", np.array([1.0])), fixed_case("x = 2", np.array([2.0]))]
        if with_separating_case:
            found.append(edge_case("x = 3", np.array([3.0])))
        return found
    return Exercise(id="test_toy", title="t", notebook="test_notebook", reference=_reference,
                    cases=cases, mistakes=[
                        Mistake("times three", _times_three, "you multiplied by 3."),
                        Mistake("second", second, "the second mistake.")])


def test_two_mistakes_that_agree_on_every_case_are_both_left_unnamed():
    for fn in (_times_three, _square_plus_two):
        r = grade(_toy(False), fn)
        assert r.status == "failed" and r.mistake is None and r.hint is None
        assert "Hint:" not in r.verdict() and 'hint("test_toy")' in r.verdict()
        assert "x = 1: values differ" in r.verdict()  # the case-by-case message remains


def test_a_case_that_separates_them_makes_both_nameable():
    assert grade(_toy(True), _times_three).mistake == "times three"
    assert grade(_toy(True), _square_plus_two).mistake == "second"
    assert grade(_toy(True), lambda x: 3 * x).mistake == "times three"  # learner's own code


def test_two_mistakes_that_are_the_same_function_are_never_named():
    for fn in (_times_three, _plus_x):
        assert grade(_toy(True, second=_plus_x), fn).mistake is None


def test_a_mistake_that_also_fails_cases_the_learner_passed_is_not_named():
    # fails only x = 3, which "times three" fails too; but "times three" also fails
    # x = 1 and x = 2, which this learner passed: it is not that mistake
    def learner(x):
        return np.where(x > 2.5, 3.0 * x, 2.0 * x)

    r = grade(_toy(True), learner)
    assert r.status == "failed" and r.mistake is None


@pytest.mark.parametrize("exercise_id,first,second,separating", [
    # both return one pair for a two-layer network; only another depth tells them apart
    ("mlp_backward", "return inside the loop", "first layer skipped",
     lambda name: name.count("->") != 2),
    # ceil and half-up agree everywhere except on 2.4 (ceil gives 3, half-up 2)
    ("train_test_split", "rounded up", "halves rounded up",
     lambda name: name == "12 rows (2.4 rounds to 2)"),
    # the two one-sided clips of the binary cross-entropy differ where p is exactly 0
    # or 1; the case with 1e-8 and 1 - 1e-8 alone fails them in the same way
    ("binary_crossentropy", "clipped from below only", "clipped from above only",
     lambda name: name.startswith("p = ") or name.startswith("p exactly")),
])
def test_registry_pairs_are_unnamed_without_their_separating_case(exercise_id, first, second,
                                                                 separating):
    ex = EXERCISES[exercise_id]
    fns = {m.name: m.fn for m in ex.mistakes}
    without = _only_cases(exercise_id, lambda name: not separating(name))
    for name in (first, second):
        r = grade(without, fns[name])
        assert r.status == "failed" and r.mistake is None, (name, r.mistake)
    for name in (first, second):  # with the separating cases, each gets its own hint
        _named(exercise_id, fns[name], name)


# --------------------------------------------------------------------------------------
# The two hints the issue found confidently wrong
# --------------------------------------------------------------------------------------
def test_floor_division_in_numerical_derivative_is_named():
    def numerical_derivative(f, x, h=1e-5):
        return (f(x + h) - f(x - h)) // (2 * h)

    r = _named("numerical_derivative", numerical_derivative, "floor division //")
    assert "/ 2 * h" not in r.verdict()  # not the precedence slip's hint

    def numerical_derivative_halved_first(f, x, h=1e-5):
        return (f(x + h) - f(x - h)) / 2 // h

    _named("numerical_derivative", numerical_derivative_halved_first, "floor division //")


def test_mlp_backward_that_skips_the_first_layer_is_named():
    def mlp_backward(dout, caches, activation_backwards):
        grads = []
        d = dout
        for layer in range(len(caches) - 1, 0, -1):
            dense_cache, activation_cache = caches[layer]
            dz = activation_backwards[layer](d, activation_cache)
            d, dW, db = dense_backward(dz, dense_cache)  # noqa: F821 - put in reach
            grads.insert(0, (dW, db))
        return grads

    r = _named("mlp_backward", mlp_backward, "first layer skipped")
    assert "indented inside the loop" not in r.verdict()


# --------------------------------------------------------------------------------------
# Defaults: twin cases prove a wrong default
# --------------------------------------------------------------------------------------
def test_a_wrong_default_is_named_with_the_twin_cases():
    def numerical_derivative(f, x, h=1e-6):
        return (f(x + h) - f(x - h)) / (2 * h)

    r = grade("numerical_derivative", numerical_derivative)
    assert (r.status, r.mistake) == ("failed", DEFAULT_SLIP)
    assert r.hint.startswith("the default value of `h` in your function is not the "
                             "statement's, h=1e-05:")
    assert "the same, with h = 1e-5 written out" in r.hint


def test_a_missing_default_is_named():
    def layer_norm_forward(x, gamma, beta, eps):
        mu = x.mean(axis=1, keepdims=True)
        inv_std = 1 / np.sqrt(((x - mu) ** 2).mean(axis=1, keepdims=True) + eps)
        x_hat = (x - mu) * inv_std
        return gamma * x_hat + beta, (x_hat, inv_std, gamma)

    r = grade("layer_norm_forward", layer_norm_forward)
    assert r.mistake == DEFAULT_SLIP
    assert r.hint.startswith("your function has no default for `eps`; the statement's is "
                             "eps=1e-05")


def test_two_wrong_defaults_at_once_are_named_together():
    def train_test_split(x, y, test_fraction=0.3, seed=1):
        n = len(x)
        n_test = round(test_fraction * n)
        order = np.random.default_rng(seed).permutation(n)
        return x[order[n_test:]], x[order[:n_test]], y[order[n_test:]], y[order[:n_test]]

    r = grade("train_test_split", train_test_split)
    assert r.mistake == DEFAULT_SLIP
    assert r.hint.startswith("the default values of `test_fraction`, `seed` in your function")


def test_no_default_hint_without_the_proof():
    # fails the twin too (the step is ignored): not a default, and no other claim
    def numerical_derivative(f, x, h=1e-5):
        h = 1e-6
        return (f(x + h) - f(x - h)) / (2 * h)

    r = grade("numerical_derivative", numerical_derivative)
    assert r.status == "failed" and r.mistake != DEFAULT_SLIP


_NOT_IN_THE_STATEMENT = {"out", "mask", "rng"}  # defaults of the package's function only


def _defaulted(ex):
    signature = inspect.signature(ex.reference)
    return signature, {n: p.default for n, p in signature.parameters.items()
                       if p.default is not p.empty and n not in _NOT_IN_THE_STATEMENT}


@pytest.mark.parametrize("exercise_id", sorted(
    ex.id for ex in EXERCISES.values() if ex.call is None and _defaulted(ex)[1]))
def test_every_default_has_a_pair_of_twin_cases(exercise_id):
    """For each defaulted argument of a statement: a case that leaves it out, and its
    twin, the same call with the default written out (so that a wrong default is caught,
    and proved by default_slip)."""
    ex = EXERCISES[exercise_id]
    signature, defaults = _defaulted(ex)
    cases = ex.cases(np.random.default_rng(0))
    bound = [_bound(signature, c) for c in cases]
    proved = set()
    for left_out in bound:
        for given in bound:
            extra = given[1] - left_out[1]
            if extra and extra <= set(defaults) and left_out[1] <= given[1] and all(
                    _same_input(left_out[0][n], given[0][n]) for n in signature.parameters):
                proved |= extra
    assert proved == set(defaults), f"no twin cases for {set(defaults) - proved}"


# --------------------------------------------------------------------------------------
# The comparison names what is wrong
# --------------------------------------------------------------------------------------
def test_an_output_of_shape_1_1_turned_into_a_number_is_named():
    def dense_forward(x, W, b):
        z = x @ W + b
        return (z.item() if z.size == 1 else z), (x, W)

    r = grade("dense_forward", dense_forward)
    assert any("returned a single number where an array of shape (1, 1) is expected"
               in m for m in r.messages), r.messages


def test_a_dropped_axis_of_length_1_is_named():
    def mlp_forward(x, layers):
        caches = []
        a = x
        for W, b, activation_forward in layers:
            z, dense_cache = dense_forward(a, W, b)  # noqa: F821 - put in reach
            a, activation_cache = activation_forward(z)
            caches.append((dense_cache, activation_cache))
        return a.squeeze(), caches

    r = _named("mlp_forward", mlp_forward, "squeezed the output")
    assert "out: wrong shape (8,), expected (8, 1): an axis of length 1 is missing" in \
        " ".join(r.messages)


def test_floats_where_integers_are_expected_are_named():
    def argmax_rows(p):
        return np.argmax(p, axis=1)

    ex = Exercise(id="test_argmax", title="t", notebook="test_notebook", reference=argmax_rows,
                  cases=lambda rng: [fixed_case("3 rows", np.array([[0.1, 0.9], [0.8, 0.2],
                                                                    [0.3, 0.7]]))])
    r = grade(ex, lambda p: np.argmax(p, axis=1).astype(float))
    assert r.messages == ["3 rows: returned floats (dtype float64) where integers are "
                          "expected (indices, class labels or counts): convert with "
                          ".astype(int), or build the result with a function that returns "
                          "integers, such as np.argmax"]
    assert grade(ex, lambda p: np.argmax(p, axis=1).astype(np.int32)).status == "passed"
    assert "booleans" in grade(ex, lambda p: p[:, 1] > p[:, 0]).messages[0]


def test_float_indices_and_float_labels_are_caught():
    def minibatch_indices(n_samples, batch_size, seed):
        order = np.random.default_rng(seed).permutation(n_samples) * 1.0
        return [order[s:s + batch_size] for s in range(0, n_samples, batch_size)]

    r = _named("minibatch_indices", minibatch_indices, "float indices")
    assert "holds floats (dtype float64) where row indices (integers) are expected" in \
        r.messages[0]

    def predict_classes(probabilities, threshold=0.5):
        p = np.asarray(probabilities)
        if p.ndim == 2 and p.shape[1] > 1:
            return np.argmax(p, axis=1)
        return (p.reshape(-1) > threshold) * 1.0

    r = _named("predict_classes", predict_classes, "labels as floats")
    assert "returned floats (dtype float64) where class labels (integers)" in r.messages[0]


# --------------------------------------------------------------------------------------
# The same verdicts from trusted judging (the matcher runs in the trusted parent)
# --------------------------------------------------------------------------------------
def _judged_outside(exercise_id, fn, seed=5):
    return judged_through_the_wire(EXERCISES[exercise_id], fn, seed)


def test_trusted_judging_names_the_same_mistakes():
    def relu_backward(da, cache):
        da[cache <= 0] = 0
        return da

    def numerical_derivative(f, x, h=1e-5):
        return (f(x + h) - f(x - h)) // (2 * h)

    def numerical_derivative_default(f, x, h=1e-4):
        return (f(x + h) - f(x - h)) / (2 * h)

    def numerical_derivative_other_default(f, x, h=1e-7):
        return (f(x + h) - f(x - h)) / (2 * h)

    assert _judged_outside("relu_backward", relu_backward).mistake == "zeroed da in place"
    assert _judged_outside("numerical_derivative", numerical_derivative).mistake == \
        "floor division //"
    assert _judged_outside("numerical_derivative", numerical_derivative_default).mistake == \
        "default h = 1e-4"
    assert _judged_outside("numerical_derivative",
                           numerical_derivative_other_default).mistake == DEFAULT_SLIP
    squeezed = _judged_outside("dense_forward",
                               lambda x, W, b: (np.squeeze(x @ W + b), (x, W)))
    assert squeezed.mistake == "squeezed z"


def test_a_passing_answer_still_passes_when_judged_outside():
    assert _judged_outside("sigmoid_backward",
                           lambda da, cache: da * cache * (1 - cache)).status == "passed"
    assert _judged_outside("predict_classes", lambda p, threshold=0.5: (
        np.argmax(p, axis=1) if np.ndim(p) == 2 and np.shape(p)[1] > 1
        else (np.reshape(p, -1) > threshold).astype(np.int32))).status == "passed"
