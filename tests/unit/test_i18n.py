"""The library's messages in Chinese through gettext: the language setting, the
environment variable in a fresh interpreter, English unchanged and free by default, the
catalogues read without babel exactly as babel reads them, and messages written as whole
templates."""
import ast
import gettext
import io
import os
import subprocess
import sys
import types
from pathlib import Path

import pytest

from backprop_lab import config, i18n
from backprop_lab.cli import demo, doctor
from backprop_lab.i18n import po

PACKAGE = Path(__file__).resolve().parents[2] / "backprop_lab"
CATALOGUES = sorted((PACKAGE / "i18n" / "locale").rglob("*.po"))
TRANSLATION_CALLS = {"_", "N_", "ngettext", "pgettext"}


@pytest.fixture
def chinese():
    """The library in Chinese for one test, English again afterwards."""
    config.set_language("zh")
    yield
    config.set_language("en")


def _run(code, **env):
    environment = {k: v for k, v in os.environ.items() if k != config.LANGUAGE_VARIABLE}
    environment.update(env)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=environment, timeout=120)


# --------------------------------------------------------------------------------------
# Choosing the language
# --------------------------------------------------------------------------------------
def test_english_is_the_default_and_import_reads_no_catalogue():
    out = _run("import sys, backprop_lab\n"
               "print(backprop_lab.config.language(), 'backprop_lab.i18n' in sys.modules)\n"
               "from backprop_lab.cli import doctor\n"
               "from backprop_lab import i18n\n"
               "print(i18n._('loss'), i18n._translations)")
    assert out.returncode == 0, out.stderr
    assert out.stdout.split("\n")[:2] == ["en False", "loss {}"]


@pytest.mark.parametrize("value, code", [("zh", "zh"), ("zh_CN", "zh"), ("zh-Hans", "zh"),
                                         ("ZH_cn.UTF-8", "zh"), ("en", "en"), ("en_US", "en")])
def test_set_language_takes_locale_names(value, code):
    try:
        config.set_language(value)
        assert config.language() == code
    finally:
        config.set_language("en")


@pytest.mark.parametrize("value", ["fr", "", None, 3])
def test_set_language_refuses_other_languages(value):
    with pytest.raises(ValueError, match=r"set_language\(value=.*must be one of \('en', 'zh'\)"):
        config.set_language(value)
    assert config.language() == "en"


def test_messages_follow_set_language(chinese):
    assert i18n._("loss") == "损失"
    assert i18n.pgettext("doctor", "ok") == "正常"
    assert i18n._("no such message, so the English is shown") == \
        "no such message, so the English is shown"
    assert i18n._("") == ""  # never the catalogue's header
    config.set_language("en")
    assert i18n._("loss") == "loss" and i18n.pgettext("doctor", "ok") == "ok"


def test_ngettext_in_both_languages(chinese):
    assert i18n.ngettext("{n} check", "{n} checks", 1) == "{n} check"  # not in the catalogue
    config.set_language("en")
    assert i18n.ngettext("a point", "points", 1) == "a point"
    assert i18n.ngettext("a point", "points", 2) == "points"


def test_the_environment_variable_in_a_fresh_interpreter():
    code = ("import backprop_lab, types\n"
            "from backprop_lab.cli import demo\n"
            "print(backprop_lab.config.language())\n"
            "demo.main(types.SimpleNamespace(seed=0, epochs=0, verbose=0))")
    out = _run(code, BACKPROP_LAB_LANG="zh_CN.UTF-8")
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "zh"
    assert out.stderr.strip() == "demo：--epochs 必须不小于 1，实际为 0。"


def test_the_command_line_speaks_chinese_with_the_variable():
    environment = dict(os.environ, BACKPROP_LAB_LANG="zh")
    proc = subprocess.run([sys.executable, "-m", "backprop_lab", "demo", "--epochs", "1",
                           "--verbose", "0"], capture_output=True, text=True,
                          env=environment, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "用前 800 个样本训练，留出最后 200 个样本不参与训练。" in proc.stdout
    assert "训练数据（800）" in proc.stdout and "准确率" in proc.stdout
    assert "coin flips" not in proc.stdout


def test_an_unknown_variable_keeps_english_and_says_so():
    out = _run("import warnings\nwarnings.simplefilter('always')\nimport backprop_lab\n"
               "print(backprop_lab.config.language())", BACKPROP_LAB_LANG="klingon")
    assert out.stdout.strip() == "en"
    assert "BACKPROP_LAB_LANG='klingon' is not a language of backprop_lab" in out.stderr


# --------------------------------------------------------------------------------------
# doctor and demo
# --------------------------------------------------------------------------------------
def _fake(monkeypatch, versions, extension=True):
    monkeypatch.setattr(doctor, "_installed", lambda dist: versions.get(dist, "99.0"))
    monkeypatch.setattr(doctor, "_widget_extension_present", lambda: extension)


def test_doctor_in_chinese(monkeypatch, chinese):
    _fake(monkeypatch, {})
    text = doctor.report().text
    assert text.splitlines()[0].split() == ["检查项", "要求", "实际", "状态"]
    assert "控件扩展" in text and "已安装" in text
    assert text.endswith("一切正常：本课程的笔记本和交互控件在这台机器上应该都能正常运行。")
    rows = {r["name"]: r for r in doctor.report().rows}
    assert rows["widget extension"]["found"] == "installed"  # the data stays English
    assert rows["numpy"]["purpose"] == "数组：一切计算的基础"


def test_doctor_advice_in_chinese(monkeypatch, chinese):
    _fake(monkeypatch, {"ipywidgets": "7.8.1", "matplotlib": None})
    monkeypatch.setattr(doctor, "python_floor", lambda: "99.0")
    text = doctor.report().text
    assert "未安装" in text and "需修复" in text
    assert "Python 99.0 或更新的版本" in text
    assert ('修复方法：在终端里，用运行 Jupyter 的那个 Python 执行\n'
            '    python -m pip install --upgrade "ipywidgets>=8" "matplotlib>=3.7"\n'
            '（若在笔记本单元格中执行，请把 python -m pip 换成 %pip），然后重启 JupyterLab。'
            ) in text


def test_doctor_table_lines_up_in_chinese(monkeypatch, chinese):
    _fake(monkeypatch, {"matplotlib": None}, extension=False)
    lines = doctor.report().text.splitlines()
    table = lines[:lines.index("")]
    starts = {i18n.display_width(line[:line.index(word)])
              for line, word in zip(table, ["状态"] + [None] * len(table)) if word}
    last_column = {i18n.display_width(line.rstrip()[:-len(line.split()[-1])])
                   for line in table[2:]}
    assert len(last_column) == 1 and starts == last_column


def test_doctor_and_demo_unchanged_in_english(monkeypatch, capsys):
    _fake(monkeypatch, {"numpy": None})
    text = doctor.report().text
    assert text.splitlines()[0].split() == ["check", "required", "found", "status"]
    numpy = next(line for line in text.splitlines() if line.startswith("numpy "))
    assert numpy.split() == ["numpy", ">=1.23", "missing", "FIX"]
    assert ("To fix, run in a terminal, with the Python that runs Jupyter:\n"
            '    python -m pip install --upgrade "numpy>=1.23"\n'
            "(in a notebook cell, use %pip instead of python -m pip), then restart "
            "JupyterLab.") in text
    assert demo.main(types.SimpleNamespace(seed=0, epochs=1, verbose=0)) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[:2] == [
        "The seed's example: 1000 random samples x 20 features, random 0/1 labels; "
        "Dense(10, relu) -> Dense(1, sigmoid), SGD(learning_rate=0.01).",
        "Training on the first 800 samples, holding out the last 200."]
    header = out.index("                          loss  accuracy")
    assert out[header + 1].startswith("training data (800)   ")
    assert out[header + 2].startswith("held-out data (200)   ")
    assert out[-3:] == [
        "The labels are coin flips unrelated to X, so there is nothing to learn: training",
        "accuracy rises only as the network memorises its 800 examples, while on the 200",
        "held-out samples accuracy stays near 50%, chance (a few points either way is normal)."]


def test_demo_in_chinese(capsys, chinese):
    assert demo.main(types.SimpleNamespace(seed=0, epochs=1, verbose=0)) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("原文的例子：1000 个随机样本 × 20 个特征")
    at = next(i for i, line in enumerate(out) if line.split() == ["损失", "准确率"])
    header, train, held_out = out[at:at + 3]
    assert train.startswith("训练数据（800）") and held_out.startswith("留出数据（200）")
    # the numbers line up under their Chinese headings
    assert i18n.display_width(header) == i18n.display_width(train) == len(" " * 22 + "0" * 18)


def test_display_width_and_padding():
    assert i18n.display_width("损失 L") == 6
    assert i18n.ljust("损失", 6) == "损失  " and i18n.rjust("损失", 5) == " 损失"
    assert i18n.ljust("toolong", 3) == "toolong"


# --------------------------------------------------------------------------------------
# The catalogues, read without babel
# --------------------------------------------------------------------------------------
SAMPLE = r'''# a translator's comment
msgid ""
msgstr ""
"Language: zh_CN\n"
"Plural-Forms: nplurals=1; plural=0;\n"
"Content-Type: text/plain; charset=utf-8\n"

#. an automatic comment
#: somewhere.py
#, python-brace-format
msgid ""
"two lines, \"quoted\",\n"
"and {field}"
msgstr ""
"两行，“引号”，\n"
"以及 {field}"

#, fuzzy
#| msgid "old English"
msgid "changed English"
msgstr "旧的译文"

msgctxt "doctor"
msgid "ok"
msgstr "正常"

msgid "{n} point"
msgid_plural "{n} points"
msgstr[0] "{n} 分"

msgid "not translated yet"
msgstr ""

#~ msgid "gone"
#~ msgstr "已删除"
'''


def test_read_po():
    entries = po.read_po(SAMPLE)
    assert [e.msgid for e in entries] == ["", 'two lines, "quoted",\nand {field}',
                                          "changed English", "ok", "{n} point",
                                          "not translated yet"]
    second = entries[1]
    assert second.msgstr == ["两行，“引号”，\n以及 {field}"]
    assert second.flags == {"python-brace-format"}
    assert second.locations == ["somewhere.py"] and second.auto_comments == ["an automatic comment"]
    assert entries[2].fuzzy and not entries[2].translated
    assert entries[3].msgctxt == "doctor" and entries[4].msgid_plural == "{n} points"
    assert po.header(entries)["Plural-Forms"] == "nplurals=1; plural=0;"


def test_compiled_catalogue_leaves_fuzzy_and_empty_entries_english():
    t = gettext.GNUTranslations(io.BytesIO(po.compile_mo(po.read_po(SAMPLE))))
    assert t.gettext('two lines, "quoted",\nand {field}') == "两行，“引号”，\n以及 {field}"
    assert t.gettext("changed English") == "changed English"
    assert t.gettext("not translated yet") == "not translated yet"
    assert t.pgettext("doctor", "ok") == "正常" and t.gettext("ok") == "ok"
    assert t.ngettext("{n} point", "{n} points", 5) == "{n} 分"
    assert t.gettext("gone") == "gone"


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.name)
def test_the_catalogues_are_read_as_babel_reads_them(path):
    pofile = pytest.importorskip("babel.messages.pofile")
    with open(path, "rb") as f:
        catalog = pofile.read_po(f, abort_invalid=True)
    theirs = {(m.context, m.id if isinstance(m.id, str) else m.id[0]):
              (m.string if isinstance(m.string, str) else m.string[0], m.fuzzy)
              for m in catalog if m.id}
    ours = {(e.msgctxt, e.msgid): (e.string, e.fuzzy)
            for e in po.read_po(path.read_text(encoding="utf-8")) if e.msgid}
    assert ours == theirs


def test_the_compiled_catalogue_agrees_with_babels():
    mofile = pytest.importorskip("babel.messages.mofile")
    pofile = pytest.importorskip("babel.messages.pofile")
    ours = i18n.translations("zh")
    for path in i18n.catalogue_files("zh"):
        with open(path, "rb") as f:
            catalog = pofile.read_po(f)
        buffer = io.BytesIO()
        mofile.write_mo(buffer, catalog)
        buffer.seek(0)
        theirs = gettext.GNUTranslations(buffer)
        for m in catalog:
            if m.id and isinstance(m.id, str):
                if m.context:
                    assert ours.pgettext(m.context, m.id) == theirs.pgettext(m.context, m.id)
                else:
                    assert ours.gettext(m.id) == theirs.gettext(m.id)


# --------------------------------------------------------------------------------------
# Messages are whole templates
# --------------------------------------------------------------------------------------
def _translation_calls():
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id in TRANSLATION_CALLS):
                yield path.relative_to(PACKAGE.parent), node


def _built_from_parts(arg):
    """True for an argument that is built, not written: an f-string, a sum or % of
    strings, or a call such as "...".format(...) before the translation."""
    return isinstance(arg, (ast.JoinedStr, ast.BinOp)) or (
        isinstance(arg, ast.Call) and isinstance(arg.func, ast.Attribute)
        and isinstance(arg.func.value, (ast.Constant, ast.JoinedStr)))


def test_messages_are_whole_templates():
    """_(), N_(), ngettext(), pgettext() take a whole template with named {fields}, filled
    by .format afterwards: never an f-string, a sum of strings or an already formatted text
    (those cannot be extracted, and fragments cannot be translated).  N_, ngettext and
    pgettext take string literals only; _ may also translate a value marked with N_."""
    calls = list(_translation_calls())
    assert len(calls) >= 30  # the scan sees the wrapped doctor and demo
    bad = []
    for path, node in calls:
        literal_only = node.args if node.func.id != "ngettext" else node.args[:2]
        for arg in node.args:
            literal = isinstance(arg, ast.Constant) and isinstance(arg.value, str)
            if _built_from_parts(arg) or (node.func.id != "_" and arg in literal_only
                                          and not literal):
                bad.append(f"{path}:{node.lineno}")
    assert bad == [], f"translation calls without a whole template: {bad}"


def test_the_template_check_sees_a_glued_message():
    tree = ast.parse('_(f"got {x}")\n_("a" + b)\n_("{x}".format(x=1))\n_(PURPOSES[k])')
    args = [n.args[0] for n in ast.walk(tree) if isinstance(n, ast.Call)
            and isinstance(n.func, ast.Name)]
    assert [_built_from_parts(a) for a in args] == [True, True, True, False]


def test_positional_fields_are_not_used():
    """Templates name their fields ({value}, not {} or {0}): a translation may reorder them."""
    import re

    from backprop_lab.course import catalogues

    pytest.importorskip("babel")
    unnamed = [m.msgid for m in catalogues.library_messages()
               for text in ([m.msgid] if isinstance(m.msgid, str) else m.msgid)
               if re.search(r"\{(\d*)(![rsa])?(:[^{}]*)?\}", text)]
    assert unnamed == []


# --------------------------------------------------------------------------------------
# The library's messages: Chinese with their fields filled in, English unchanged
# --------------------------------------------------------------------------------------
def test_an_argument_error_in_chinese_and_in_english(chinese):
    from backprop_lab import utils

    with pytest.raises(ValueError) as error:
        utils.to_categorical([0, 5], num_classes=3)
    assert str(error.value) == ("to_categorical(y, num_classes=3)：出现了标签 5；"
                                "标签必须小于 num_classes。")
    config.set_language("en")
    with pytest.raises(ValueError) as error:
        utils.to_categorical([0, 5], num_classes=3)
    assert str(error.value) == ("to_categorical(y, num_classes=3): found label 5; labels "
                                "must be below num_classes.")


def test_an_unknown_name_in_chinese_and_in_english(chinese):
    from backprop_lab.layers import Dense

    template = "unknown {kind} {name!r}.{hint} Valid {kind} names: {valid}."
    assert i18n._(template) != template  # _engine/ is extracted (babel skips _* by default)

    with pytest.raises(ValueError) as error:
        Dense(2, activation="rellu")
    assert "未知的激活函数 'rellu'。" in str(error.value)
    assert "可用的激活函数名称：" in str(error.value)
    config.set_language("en")
    with pytest.raises(ValueError, match=r"unknown activation 'rellu'\. Did you mean 'relu'\?"):
        Dense(2, activation="rellu")


def test_a_widget_status_line_in_chinese_and_in_english(chinese):
    from backprop_lab import widgets

    app = widgets.DescentOnSurface(surface="bowl", learning_rate=0.1, steps=50)
    assert app.state["regime"] == "converged"  # the state stays English
    status = app.summary_text()
    assert status.startswith("已收敛：50 步，最终损失 ")
    assert "终点处 |梯度| 为 " in status
    assert app.ax_loss.get_title().startswith("已收敛：最终损失 ")
    config.set_language("en")
    app.set(steps=50)
    assert app.summary_text().startswith("converged: 50 steps, final loss ")
    assert app.ax_loss.get_title().startswith("converged: final loss ")


def test_a_gradient_check_report_in_chinese_and_in_english(chinese):
    import numpy as np

    from backprop_lab import functional as F
    from backprop_lab import gradcheck

    x = np.array([[0.5, -1.5, 2.0]])
    report = gradcheck.check_layer(F.relu_forward, F.relu_backward, x)
    assert report.band == "good" and report.passed  # the data stays English
    lines = repr(report).splitlines()
    assert lines[0].startswith("relu_forward / relu_backward 的梯度检验：通过 - 最差的是 z：")
    assert lines[0].endswith("（良好）")
    assert lines[1].split() == ["参数", "形状", "已检查", "相对误差", "等级", "最差位置",
                                "解析值", "数值", "折点"]
    # the columns line up: each cell of the row starts under its heading
    header, row = lines[1], lines[2]
    starts = [i18n.display_width(header[:header.index(h)]) for h in header.split()]
    assert [i18n.display_width(row[:row.index(c)]) for c in row.split()[:2]] == starts[:2]
    assert lines[-1].startswith("等级：> 1e-2 错误；")
    config.set_language("en")
    lines = repr(gradcheck.check_layer(F.relu_forward, F.relu_backward, x)).splitlines()
    assert lines[0].startswith("Gradient check of relu_forward / relu_backward: PASSED - "
                               "worst z: relative error ")
    assert lines[1].split()[:4] == ["parameter", "shape", "checked", "rel."]


def _diverging_fit():
    import numpy as np

    from backprop_lab.layers import Dense
    from backprop_lab.models import Sequential
    from backprop_lab.optimizers import SGD

    model = Sequential([Dense(8, activation="relu", input_dim=2), Dense(1)])
    model.compile(loss="mse", optimizer=SGD(learning_rate=1e3))
    x = np.random.default_rng(0).normal(size=(64, 2)) * 10
    return model.fit(x, x[:, 0] ** 2, epochs=5, batch_size=16, verbose=1)


def test_training_progress_and_divergence_in_chinese(capsys, chinese):
    history = _diverging_fit()
    assert history.diverged
    out = capsys.readouterr().out
    assert out.startswith("第 1/5 轮\n")
    epoch, batch = history.diverged_at["epoch"], history.diverged_at["batch"]
    assert (f"训练在第 {epoch} 轮的第 {batch} 个批量（共 4 个）发散：" in out)
    assert "学习率（1000）可能太大了：试试小一些的，例如 learning_rate=100。" in out
    assert f"权重已恢复为第 {epoch} 轮开始时的值。" in out


def test_training_progress_and_divergence_unchanged_in_english(capsys):
    history = _diverging_fit()
    out = capsys.readouterr().out
    epoch, batch = history.diverged_at["epoch"], history.diverged_at["batch"]
    assert out.startswith("Epoch 1/5\n")
    assert (f"Training diverged at epoch {epoch}, batch {batch} of 4: " in out)
    assert ("The learning rate (1000) is probably too large: try a smaller one, e.g. "
            "learning_rate=100. The weights were restored to their values at the start of "
            f"epoch {epoch}.") in out
