"""Chinese text in figures renders on a fresh machine: the bundled subset of Noto Sans
CJK SC is small, licensed, holds every character the figures' translations use, and
matplotlib draws Chinese titles and labels with it, with no "missing from font" warning,
once the language is Chinese."""
import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from backprop_lab import config
from backprop_lab.course import catalogues
from backprop_lab.i18n import fonts

MAX_BYTES = 400_000
FIGURE_TEXT = "figure text"  # the kind of a notebook text drawn in a figure
FIGURE_MODULES = ("backprop_lab/plots/", "backprop_lab/widgets/")
SOURCE_FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")

fontTools = pytest.importorskip("fontTools")


@pytest.fixture(scope="module")
def subset_characters():
    from backprop_lab.course.cjk_font import subset_characters

    return subset_characters()


def _catalogues():
    return [catalogues.LIBRARY_CATALOGUE, catalogues.REGISTRY_CATALOGUE,
            *sorted(catalogues.NOTEBOOK_CATALOGUES.glob("*.po"))]


def figure_translations():
    """Every translation of a text drawn in a figure or a widget: notebook texts of kind
    "figure text", and library messages of the plots and widgets."""
    found = []
    for path in _catalogues():
        for entry in catalogues.read_entries(path):
            drawn = FIGURE_TEXT in entry.auto_comments or any(
                loc.startswith(FIGURE_MODULES) for loc in entry.locations)
            if drawn and entry.translated:
                found += [(path.name, entry.msgid, text) for text in entry.msgstr]
    return found


def test_the_font_is_small_and_licensed():
    size = fonts.FONT_FILE.stat().st_size
    assert size < MAX_BYTES, f"{fonts.FONT_FILE.name} is {size} bytes"
    licence = fonts.LICENSE_FILE.read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1" in licence and "Adobe" in licence
    assert (fonts.FONT_DIR / "README.md").exists()


def test_the_font_is_renamed_and_keeps_its_notices():
    from fontTools.ttLib import TTFont

    names = TTFont(str(fonts.FONT_FILE))["name"]
    assert names.getDebugName(1) == fonts.FAMILY
    assert "Adobe" in names.getDebugName(0)
    assert "SIL Open Font License" in names.getDebugName(13)
    family_records = {r.toUnicode() for r in names.names if r.nameID in (1, 4)}
    assert family_records == {fonts.FAMILY}  # no language keeps the original's name


def _dejavu_characters():
    """What matplotlib's own font, the fallback behind the subset, draws."""
    from fontTools.ttLib import TTFont
    from matplotlib import font_manager

    return {chr(c) for c in TTFont(font_manager.findfont("DejaVu Sans")).getBestCmap()}


def test_every_character_of_the_figures_translations_is_in_the_font(subset_characters):
    """In the subset, or (a symbol Noto Sans CJK lacks, such as ‴) in DejaVu Sans, which
    set_language("zh") puts behind it."""
    drawn = subset_characters | _dejavu_characters()
    missing = {(name, msgid): "".join(sorted(set(text) - drawn))
               for name, msgid, text in figure_translations()
               if set(text) - drawn}
    assert missing == {}, ("characters the font lacks (python -m backprop_lab translations "
                           f"font): {missing}")


def test_every_chinese_character_of_the_catalogues_is_in_the_font(subset_characters):
    """Any translation may end up in a figure: every Chinese character or Chinese
    punctuation mark of the catalogues is in the font (else make it again)."""
    wide = set()
    for path in _catalogues():
        for entry in catalogues.read_entries(path):
            for text in entry.msgstr:
                wide.update(c for c in text if "\u2e80" <= c <= "\u9fff" or "\uff00" <= c)
    lacking = "".join(sorted(wide - subset_characters))
    assert lacking == "", f"run: python -m backprop_lab translations font ({lacking})"


def test_the_common_characters_margin_is_in_the_font(subset_characters):
    from backprop_lab.course.cjk_font import common_characters

    common = common_characters()
    assert len(common) == 1000 and common <= subset_characters


@pytest.mark.skipif(not SOURCE_FONT.exists(), reason="Noto Sans CJK (fonts-noto-cjk) absent")
def test_the_font_is_what_the_catalogues_make(tmp_path):
    """Making the subset again from the catalogues gives the committed file, byte for
    byte (it is current, and reproducible)."""
    from backprop_lab.course.cjk_font import make_subset

    result = make_subset(SOURCE_FONT, tmp_path / "again.otf")
    assert (tmp_path / "again.otf").read_bytes() == fonts.FONT_FILE.read_bytes(), (
        "the bundled font is out of date: python -m backprop_lab translations font")
    assert result["glyphs"] < 3000


def _draw(tmp_path, texts):
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(8, 3))
    for ax, (title, xlabel, ylabel, label) in zip(axes, texts):
        ax.plot([0, 1, 2], [2, 0.5, 0.1], label=label)
        ax.set_title(title)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.legend()
    for extension in ("png", "svg", "pdf"):
        fig.savefig(tmp_path / f"chinese.{extension}")
    plt.close(fig)


def test_a_figure_with_chinese_text_draws_without_warnings(tmp_path):
    texts = [("损失随训练轮数下降（学习率 η = 0.1）", "轮", "损失 L", "训练数据"),
             ("梯度下降：前向传播、反向传播、参数更新", "权重 w", "−1.5 ✗ ✓", "留出数据（200）")]
    texts += [(t[2][:40], "x", "y", "z") for t in figure_translations()[:20]]
    try:
        config.set_language("zh")
        from matplotlib import font_manager

        found = font_manager.findfont(font_manager.FontProperties(family=["sans-serif"]))
        assert Path(found) == fonts.FONT_FILE
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            for start in range(0, len(texts), 2):
                _draw(tmp_path, texts[start:start + 2])
    finally:
        config.set_language("en")
    assert (tmp_path / "chinese.png").stat().st_size > 10_000


def test_english_puts_matplotlibs_fonts_back():
    import matplotlib

    before = (list(matplotlib.rcParams["font.sans-serif"]),
              list(matplotlib.rcParams["font.family"]))
    config.set_language("zh")
    assert matplotlib.rcParams["font.sans-serif"][0] == fonts.FAMILY
    config.set_language("zh")  # twice: no second copy in the list
    assert matplotlib.rcParams["font.sans-serif"].count(fonts.FAMILY) == 1
    config.set_language("en")
    assert (list(matplotlib.rcParams["font.sans-serif"]),
            list(matplotlib.rcParams["font.family"])) == before


def test_without_the_font_matplotlib_warns():
    """What the bundled font prevents: in a fresh interpreter, English settings, a Chinese
    title makes matplotlib warn of missing glyphs (so the test above can fail)."""
    code = ("import warnings, matplotlib\nmatplotlib.use('Agg')\n"
            "import matplotlib.pyplot as plt\nwarnings.simplefilter('error')\n"
            "fig, ax = plt.subplots()\nax.set_title('损失')\n"
            "try:\n    fig.canvas.draw()\nexcept UserWarning as e:\n    print(e)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, env={k: v for k, v in os.environ.items()
                                           if k != config.LANGUAGE_VARIABLE})
    assert "missing from font" in out.stdout, out.stdout + out.stderr


def test_set_language_without_matplotlib(monkeypatch):
    for name in ("matplotlib", "matplotlib.font_manager"):
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setattr(fonts, "_saved", None)
    assert fonts.use_chinese_font() is False
    config.set_language("zh")
    config.set_language("en")


def test_prepare_figures_follows_the_environment_variable():
    code = ("import backprop_lab, matplotlib\nfrom backprop_lab import i18n\n"
            "print(i18n.prepare_figures(), matplotlib.rcParams['font.sans-serif'][0])")
    env = {k: v for k, v in os.environ.items() if k != config.LANGUAGE_VARIABLE}
    english = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             timeout=120, env=env)
    chinese = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             timeout=120, env=dict(env, BACKPROP_LAB_LANG="zh"))
    assert english.stdout.strip() == "False DejaVu Sans"
    assert chinese.stdout.strip() == f"True {fonts.FAMILY}", chinese.stderr
