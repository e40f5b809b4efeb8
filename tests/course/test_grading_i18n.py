"""The grading speaks the learner's language: under ``set_language("zh")`` every
exercise's verdict (its reference passing, each catalogued mistake failing with its own
hint), the scoreboard, ``hint`` and the trusted grader's lines are Chinese, while the
grade log keeps its English ids; in English the verdicts are what they always were."""
import re
import types

import numpy as np
import pytest

from backprop_lab import config, i18n
from backprop_lab.course import catalogues
from backprop_lab.exercises import EXERCISES, difficulty_text
from backprop_lab.grading import check as check_fn
from backprop_lab.grading import grade, hint, or_reference, reset, scoreboard
from backprop_lab.grading.judging import Limits
from backprop_lab.grading.supervise import _ending

from exercise_helpers import judged_through_the_wire

#: The modules whose templates make the verdicts, the scoreboard and the hints.
VERDICT_MODULES = ("backprop_lab/grading/result.py", "backprop_lab/grading/compare.py",
                   "backprop_lab/grading/grader.py", "backprop_lab/grading/session.py",
                   "backprop_lab/grading/guard.py", "backprop_lab/grading/judging.py",
                   # the failure lines of the exercises that bring their own comparison
                   "backprop_lab/exercises/nb04_autograd.py",
                   "backprop_lab/exercises/nb06_descent.py",
                   "backprop_lab/exercises/nb08_keras.py")
_TWO_WORDS = re.compile(r"[A-Za-z]{2,}\s+[A-Za-z]{2,}")


@pytest.fixture
def zh():
    reset()
    config.set_language("zh")
    yield
    config.set_language("en")
    reset()


@pytest.fixture
def en():
    config.set_language("en")
    reset()
    yield
    reset()


def _template_sentences():
    """The English words of the grading's templates (the text between their {fields}),
    those that a Chinese verdict must not contain (a piece its own translation keeps,
    such as code, is left out)."""
    translated = catalogues.translations_of(catalogues.LIBRARY_CATALOGUE)
    pieces = set()
    for entry in catalogues.read_entries(catalogues.LIBRARY_CATALOGUE):
        if not any(loc.split(":")[0] in VERDICT_MODULES for loc in entry.locations):
            continue
        chinese = translated.get(entry.msgid, "")
        if entry.msgid_plural is not None:
            chinese = " ".join(entry.msgstr)
        for msgid in filter(None, (entry.msgid, entry.msgid_plural)):
            for piece in re.split(r"\{[^{}]*\}", msgid):
                piece = piece.strip(" .:;,()—…\n")
                if _TWO_WORDS.search(piece) and piece not in chinese:
                    pieces.add(piece)
    return sorted(pieces)


TEMPLATE_SENTENCES = _template_sentences()


def _english_left(text, ex=None):
    """The template sentences left in English in ``text`` (the failing-case lines of an
    exercise with its own comparison included: their templates are in VERDICT_MODULES)."""
    return [p for p in TEMPLATE_SENTENCES if p in text]


def _copy(fn):
    """An equal but distinct function object (check refuses the reference object itself)."""
    if isinstance(fn, types.FunctionType):
        copy = types.FunctionType(fn.__code__, fn.__globals__, fn.__name__, fn.__defaults__,
                                  fn.__closure__)
        copy.__kwdefaults__ = fn.__kwdefaults__
        return copy
    return lambda *args, **kwargs: fn(*args, **kwargs)


def _english_case_names(ex, text):
    """Case names of ``ex`` that have a Chinese translation but appear in English."""
    names = {c.name for c in ex.cases(np.random.default_rng(0))}
    return [n for n in names if _TWO_WORDS.search(n) and i18n.translate(n, "zh") != n
            and n in text]


def test_the_templates_are_found():
    assert len(TEMPLATE_SENTENCES) > 40
    assert "checks passed" in TEMPLATE_SENTENCES and "values differ" in TEMPLATE_SENTENCES


# --------------------------------------------------------------------------------------
# Every exercise, in Chinese
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("exercise_id", sorted(EXERCISES))
def test_the_reference_passes_with_a_chinese_verdict(zh, exercise_id):
    ex = EXERCISES[exercise_id]
    r = grade(exercise_id, _copy(ex.reference))
    assert r.status == "passed", r.verdict()
    verdict = r.verdict()
    assert _english_left(verdict) == [], verdict
    assert f"全部 {r.checks_total} 项检查通过" in verdict
    assert ("（固定、随机和边界用例）。" in verdict) or not r.case_kinds
    assert (f" — {r.points:g}/{r.max_points:g} 分：" in verdict if ex.points
            else " — 选做，不计分：" in verdict)


@pytest.mark.parametrize("exercise_id,mistake", [
    (ex.id, m.name) for ex in EXERCISES.values() for m in ex.mistakes])
def test_each_mistake_fails_with_its_chinese_hint(zh, exercise_id, mistake):
    ex = EXERCISES[exercise_id]
    m = next(m for m in ex.mistakes if m.name == mistake)
    r = grade(exercise_id, m.fn)
    verdict = r.verdict()
    chinese = i18n.translate(m.hint, "zh")
    assert chinese != m.hint, f"no Chinese for the hint of {mistake!r}"
    assert (r.status, r.mistake) == ("failed", mistake)
    assert f"  提示：{chinese}" in verdict and m.hint not in verdict
    assert _english_left(verdict, ex) == [], verdict
    assert _english_case_names(ex, verdict) == [], verdict
    assert re.search(r"：\d+ 项检查通过了 \d+ 项。|：", verdict.splitlines()[0])
    record = r.to_dict()  # the grade log: the ids and the status stay English
    assert (record["status"], record["mistake"], record["exercise"]) == (
        "failed", mistake, exercise_id)


def test_not_attempted_and_a_wrong_argument_in_chinese(zh):
    def relu_backward(da, cache):
        raise NotImplementedError()

    text = grade("relu_backward", relu_backward).verdict()
    assert text.startswith("relu_backward — 0/1 分：尚未作答") and _english_left(text) == []
    text = grade("relu_backward", 3).verdict()
    assert "第二个参数必须是你的函数本身" in text and _english_left(text) == []
    text = grade("relu_backwrd", relu_backward).verdict()
    assert text.startswith("relu_backwrd — 未能检查：没有名为 'relu_backwrd' 的练习。")
    assert '"relu_backward"' in text


def test_what_differs_is_said_in_chinese(zh):
    r = grade("relu_backward", lambda da, cache: (da * (cache > 0)).ravel())
    assert "形状" in r.messages[0] and _english_left(r.verdict()) == []
    r = grade("relu_backward", lambda da, cache: None)
    assert "返回了 None——是不是漏了 `return` 语句？" in r.messages[0]

    def in_place(da, cache):
        da[cache <= 0] = 0
        return da

    assert "原地修改了输入 `da`" in grade("relu_backward", in_place).verdict()


def test_a_wrong_default_is_explained_in_chinese(zh):
    def huber_grad(y_true, y_pred, delta=2.0):
        return np.clip(y_pred - y_true, -delta, delta) / y_pred.size

    r = grade("huber_grad", huber_grad)
    assert r.status == "failed" and r.hint.startswith("你的函数中 `delta` 的默认值"), r.verdict()
    assert "“同上，但写明 delta = 1.0”写明了 delta=1.0，结果通过了。" in r.hint
    assert _english_left(r.verdict()) == []


def test_the_scoreboard_in_chinese_lines_up(zh, capsys):
    check_fn("sum_squares", _copy(EXERCISES["sum_squares"].reference))
    capsys.readouterr()
    scoreboard("00_start_here")
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "计分板：00_start_here"
    assert lines[1].split() == ["练习", "状态", "得分"]
    assert lines[2].split() == ["sum_squares", "通过", "1/1"]
    assert lines[3].split() == ["合计", "1/1"]
    assert len({i18n.display_width(line) for line in lines[1:]}) == 1
    scoreboard("05_backprop_layers")
    out = capsys.readouterr().out
    assert "未检查" in out and _english_left(out) == []


def test_hints_in_chinese(zh, capsys):
    ex = EXERCISES["sum_squares"]
    for k in range(1, len(ex.hints) + 2):
        hint("sum_squares")
        out = capsys.readouterr().out.strip()
        n = min(k, len(ex.hints))
        assert out.startswith(f"提示 {n}/{len(ex.hints)}：{i18n.translate(ex.hints[n - 1], 'zh')}")
    assert out.endswith("（这是最后一条提示。）")
    hint("no_such_exercise")
    assert capsys.readouterr().out.startswith("hint：没有名为 'no_such_exercise' 的练习。")


def test_or_reference_and_the_difficulty_scale_in_chinese(zh, capsys):
    ex = EXERCISES["relu_backward"]
    assert or_reference("relu_backward", lambda da, cache: da) is ex.reference
    assert "下面的单元格使用 backprop_lab 的参考实现 relu_backward" in capsys.readouterr().out
    assert difficulty_text(1) == "照式实现：公式就在正上方，用 numpy 写出来"


def _judged(ex, fn, seed=1):
    return judged_through_the_wire(ex, fn, seed)


def test_trusted_grading_reports_in_chinese(zh):
    from backprop_lab import functional as F

    ex = EXERCISES["relu_backward"]
    r = _judged(ex, lambda da, cache: F.relu_backward(da, cache))
    assert (r.status, r.points) == ("failed", 0) and r.violation
    assert r.messages[0].startswith("你的函数调用了 backprop_lab 自带的实现 ")
    assert r.messages[0].endswith("被评分的函数必须用自己的代码算出结果。")
    wrong = _judged(EXERCISES["sum_squares"], lambda x: float(np.sum(x) ** 2))
    assert wrong.mistake == "square of the sum"
    assert wrong.hint == i18n.translate(EXERCISES["sum_squares"].mistakes[0].hint, "zh") \
        or "提示：" in wrong.verdict()
    assert _english_left(wrong.verdict()) == []
    assert _ending(-9, Limits()) == "笔记本的进程被杀死了（SIGKILL：内存耗尽，或从内部被杀死）"


# --------------------------------------------------------------------------------------
# English: byte for byte what the notebooks show
# --------------------------------------------------------------------------------------
def _sum_squares(x):
    return float(np.sum(np.asarray(x, dtype=float) ** 2))


def _layer_norm_forward(x, gamma, beta, eps=1e-5):
    mu = x.mean(axis=1, keepdims=True)
    inv_std = 1.0 / np.sqrt(((x - mu) ** 2).mean(axis=1, keepdims=True) + eps)
    x_hat = (x - mu) * inv_std
    return gamma * x_hat + beta, (x_hat, inv_std, gamma)


def test_english_verdicts_are_unchanged(en):
    """The verdicts the English solutions show (05_backprop_layers, 00_start_here)."""
    assert grade("layer_norm_forward", _layer_norm_forward).verdict() == (
        "layer_norm_forward — 2/2 points: all 9 checks passed (fixed, random and edge cases).")
    elu = grade("elu_backward", _copy(EXERCISES["elu_backward"].reference)).verdict()
    assert elu.splitlines()[0] == (
        "elu_backward — optional, not counted: all 6 checks passed (fixed, random and edge "
        "cases).")
    assert grade("sum_squares", lambda x: float(np.sum(x) ** 2)).verdict() == (
        "sum_squares — 0/1 points: 2 of 7 checks passed.\n"
        "  ✗ x = [1, 2, 3]: values differ (max abs error 22)\n"
        "  ✗ x = [[1, -2], [3, -4]]: values differ (max abs error 26)\n"
        "  … and 3 more failing checks.\n"
        "  Hint: you squared the sum. Square each entry first, then add: sum of x_i**2, not "
        "(sum of x_i)**2.")


def test_english_scoreboard_and_hint_are_unchanged(en, capsys):
    check_fn("sum_squares", _sum_squares)
    hint("sum_squares")
    scoreboard("00_start_here")
    out = capsys.readouterr().out
    assert out == (
        "sum_squares — 1/1 points: all 7 checks passed (fixed, random and edge cases).\n"
        "Hint 1 of 3: Two steps: square every entry, then add them all up.\n"
        "Scoreboard: 00_start_here\n"
        "  exercise     status  points\n"
        "  sum_squares  passed     1/1\n"
        "  total                   1/1\n")


# --------------------------------------------------------------------------------------
# The failure lines of exercises with their own comparison, and the grade command's line
# --------------------------------------------------------------------------------------
#: (exercise, catalogued mistake, a failure line the English verdict shows, a piece of the
#: Chinese one): the English lines are those of the verdicts before they were translated.
OWN_COMPARE_LINES = [
    ("Layer", "parameters nested",
     "  ✗ 2 inputs, 3 tanh units (and 5 more): parameters() returned a list of lists: "
     "flatten it into one list of Values", "parameters() 返回了嵌套列表"),
    ("Neuron", "parameters without the bias",
     "  ✗ tanh neuron, 2 inputs (and 2 more): parameters() misses 1 of the 3 weights and "
     "biases", "parameters() 漏掉了全部 3 个权重和偏置中的 1 个"),
    ("topological_order", "no visited set",
     "  ✗ a diamond: a = x*y, b = a + x, out = a * b: some nodes are listed more than once "
     "(9 entries for 5 nodes)", "有些节点出现了不止一次（5 个节点列出了 9 项）"),
    ("value_mse", "computed from .data",
     "  ✗ 3 scores (and 6 more): value_mse returned a plain number, not a Value: without a "
     "Value, backward() cannot reach the scores.", "value_mse 返回了一个普通数字，而不是 Value"),
    ("minibatch_indices", "dropped the last batch",
     "  ✗ 10 samples in batches of 4: the batches hold 8 indices in all, but every one of the "
     "10 samples must be used once per epoch (batch sizes [4, 4], expected [4, 4, 2])",
     "各批量一共只有 8 个索引"),
    ("train_two_layer", "stepped uphill",
     "  ✗ 6 examples, batches of 4 and 2, 3 epochs: your training loss rises, from 1.037 to "
     "4.534, where the reference's falls from 0.9037 to 0.6997",
     "你的训练损失从 1.037 升到了 4.534"),
    ("predict_classes", "returned booleans",
     "  ✗ sigmoid outputs (4, 1) (and 5 more): returned booleans (True/False), expected "
     "integer labels 0 and 1", "返回了布尔值（True/False），应为整数标签 0 和 1"),
    ("softmax_regression", "one-hot loss",
     "  ✗ 64 pixels, 10 digits (and 2 more): loss: yours 'categorical_crossentropy', expected "
     "'sparse_categorical_crossentropy'", "：你的是 'categorical_crossentropy'，应为"),
]


def _mistake(exercise_id, name):
    return next(m for m in EXERCISES[exercise_id].mistakes if m.name == name)


@pytest.mark.parametrize("exercise_id,mistake,english,chinese", OWN_COMPARE_LINES,
                         ids=[f"{e}-{m}" for e, m, _e, _c in OWN_COMPARE_LINES])
def test_own_comparisons_fail_in_english_as_before(en, exercise_id, mistake, english, chinese):
    assert english in grade(exercise_id, _mistake(exercise_id, mistake).fn).verdict().splitlines()


@pytest.mark.parametrize("exercise_id,mistake,english,chinese", OWN_COMPARE_LINES,
                         ids=[f"{e}-{m}" for e, m, _e, _c in OWN_COMPARE_LINES])
def test_own_comparisons_fail_in_chinese(zh, exercise_id, mistake, english, chinese):
    verdict = grade(exercise_id, _mistake(exercise_id, mistake).fn).verdict()
    assert chinese in verdict and _english_left(verdict) == [], verdict


def test_a_problem_of_an_adaptor_is_shown_in_chinese_and_compared_in_english(zh):
    def value_add(self, other):
        pass

    r = grade("value_add", value_add)
    assert "value_add 返回了 None，而不是 Value。是不是漏了 `return out`？" in r.messages[0]
    config.set_language("en")
    assert grade("value_add", value_add).messages[0] == (
        "x + y (and 7 more): value_add returned None, not a Value. Is a `return out` missing?")


def test_the_line_of_the_grade_command_in_chinese(zh):
    from backprop_lab.course import batch

    report = {"notebook": "sub.ipynb", "points": 0, "max_points": 1,
              "cells": [{"status": "timeout"}], "exercises": {}}
    assert batch.one_line(report) == "sub.ipynb：0/1 分（1 个单元格超时）"
    report = {"notebook": "a.ipynb", "points": 1.5, "max_points": 3,
              "cells": [{"status": "error"}, {"status": "error"}],
              "exercises": {"x": {"violation": True}}, "review": [1, 2]}
    assert batch.one_line(report) == (
        "a.ipynb：1.5/3 分（2 个单元格抛出了错误，1 道练习调用了本库自带的实现，2 行需要人工复核）")
    config.set_language("en")
    assert batch.one_line(report) == (
        "a.ipynb: 1.5/3 points (2 cells raised an error, 1 exercise used the package's own "
        "implementation, 2 lines to review)")
