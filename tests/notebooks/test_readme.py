"""The README's examples run and print what the README says they print."""
import contextlib
import io
import re
from pathlib import Path

import numpy as np

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def _blocks(language):
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.S)


def test_the_check_example_prints_the_verdict_shown():
    code = next(b for b in _blocks("python") if 'check("relu_backward"' in b)
    shown = next(b for b in _blocks("text") if b.startswith("relu_backward"))
    namespace = {}
    exec("from backprop_lab.grading import check\n", namespace)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(code, namespace)
    assert out.getvalue() == shown


def test_the_library_example_runs_with_the_shapes_described():
    code = next(b for b in _blocks("python") if "model.fit(X, y" in b)
    namespace = {}
    np.random.seed(0)
    with contextlib.redirect_stdout(io.StringIO()):
        exec(code, namespace)
    assert namespace["y_pred"].shape == (1000, 1)
    assert len(namespace["model"].history.history["loss"]) == 10


def _course_table():
    """{notebook number: {exercise id: (points, difficulty)}} from the README's table."""
    rows = {}
    for line in README.splitlines():
        m = re.match(r"\| \*\*(\d\d) [^|]*\*\* \|[^|]*\| (.*) \|$", line)
        if not m:
            continue
        found = {}
        for names, points, level in re.findall(
                r"((?:`\w+`(?:, )?)+) \((\d+)·(\d)(?: each)?\)", m.group(2)):
            for name in re.findall(r"`(\w+)`", names):
                found[name] = (int(points), int(level))
        rows[m.group(1)] = found
    return rows


def test_the_course_table_states_the_registrys_exercises_points_and_difficulties():
    from backprop_lab.exercises import EXERCISES

    expected = {}
    for ex in EXERCISES.values():
        if ex.points > 0:
            expected.setdefault(ex.notebook[:2], {})[ex.id] = (int(ex.points), ex.difficulty)
    assert _course_table() == expected


def test_the_course_totals_are_the_registrys():
    from backprop_lab.exercises import EXERCISES

    graded = [e for e in EXERCISES.values() if e.points > 0]
    m = re.search(r"(\d+) graded exercises, (\d+) points, (\d+) of them at difficulty 4 or "
                  r"5; (\d+) more optional", README)
    assert m, "the README's totals sentence is missing"
    assert tuple(int(g) for g in m.groups()) == (
        len(graded), int(sum(e.points for e in graded)),
        sum(e.difficulty >= 4 for e in graded), len(EXERCISES) - len(graded))


ROOT = Path(__file__).resolve().parents[2]
README_ZH = (ROOT / "README.zh-CN.md").read_text(encoding="utf-8")


def test_the_chinese_readme_totals_are_the_registrys():
    from backprop_lab.exercises import EXERCISES

    graded = [e for e in EXERCISES.values() if e.points > 0]
    m = re.search(r"共 (\d+) 道计分练习，(\d+) 分，其中 (\d+) 道难度为 4 或 5；另有 (\d+) 道",
                  README_ZH)
    assert m, "the Chinese README's totals sentence is missing"
    assert tuple(int(g) for g in m.groups()) == (
        len(graded), int(sum(e.points for e in graded)),
        sum(e.difficulty >= 4 for e in graded), len(EXERCISES) - len(graded))


def test_both_readmes_link_only_to_files_and_headings_that_exist():
    headings = {re.sub(r"[^\w\- ]", "", h).strip().lower().replace(" ", "-")
                for h in re.findall(r"^#+ (.*)$", README, flags=re.M)}
    for text in (README, README_ZH):
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if re.match(r"https?://", target):
                continue
            path, _, anchor = target.partition("#")
            assert (ROOT / path).exists(), f"link to a missing file: {target}"
            if path == "README.md" and anchor:
                assert anchor in headings, f"link to a missing heading: {target}"
