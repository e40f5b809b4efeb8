"""A font with Chinese characters for matplotlib, shipped with the package.

Matplotlib's own font (DejaVu Sans) has no Chinese characters, and neither Colab nor most
laptops' Python have a font matplotlib finds: Chinese titles and labels would come out as
boxes, with "Glyph ... missing from font" warnings.  So the package ships
``fonts/BackpropLabSansSC-Regular.otf``, a subset of Noto Sans CJK SC (SIL Open Font
License 1.1, ``fonts/OFL.txt``) holding the characters of the Chinese catalogues and the
most common Chinese characters; ``python -m backprop_lab translations font`` makes it
again from the catalogues (see ``fonts/README.md``).

``use_chinese_font()`` registers it with matplotlib and puts it first in the sans-serif
list, with DejaVu Sans behind the sans-serif family as a fallback for the symbols the
subset lacks; ``restore_default_fonts()`` undoes that.  ``config.set_language`` calls
``apply``.  Matplotlib is imported only by these functions, and only if it is installed.

Standard library only (layer 1); matplotlib is optional.
"""
import sys
import warnings
from pathlib import Path

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT_FILE = FONT_DIR / "BackpropLabSansSC-Regular.otf"
LICENSE_FILE = FONT_DIR / "OFL.txt"
#: The family name of the bundled font (renamed from Noto Sans CJK SC: a modified font
#: may not present itself under the original's name).
FAMILY = "Backprop Lab Sans SC"
#: Behind the generic sans-serif family: matplotlib's own font, for what the subset lacks.
FALLBACK = "DejaVu Sans"
#: Fonts with every Chinese character that a machine may have: used after the bundled one
#: when present (for text outside the subset, such as a learner's own labels).
SYSTEM_CJK_FAMILIES = ("Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans SC",
                       "WenQuanYi Micro Hei", "Microsoft YaHei", "PingFang SC", "SimHei")

_saved = None  # matplotlib's font settings before use_chinese_font changed them


def apply(language):
    """Set matplotlib's fonts for ``language``: the bundled Chinese font for ``'zh'``,
    matplotlib's previous settings otherwise.  Returns True if matplotlib was set."""
    if language == "zh":
        return use_chinese_font()
    return restore_default_fonts()


def use_chinese_font(import_matplotlib=True):
    """Register the bundled font with matplotlib and make it the first sans-serif font.

    Returns True when done, False when matplotlib is not installed (or, with
    ``import_matplotlib=False``, not imported yet).  Calling it again does nothing more.
    """
    if not import_matplotlib and "matplotlib" not in sys.modules:
        return False
    if not FONT_FILE.exists():
        warnings.warn(f"backprop_lab's Chinese font is missing ({FONT_FILE.name}): Chinese "
                      "text in figures may show as boxes. Reinstall backprop_lab.",
                      stacklevel=3)
        return False
    try:
        import matplotlib
        from matplotlib import font_manager
    except ImportError:  # no matplotlib: nothing to draw with, nothing to set
        return False

    global _saved
    manager = font_manager.fontManager
    known = {f.name for f in manager.ttflist}
    if FAMILY not in known:
        manager.addfont(str(FONT_FILE))
    rc = matplotlib.rcParams
    if _saved is None:
        _saved = {"font.sans-serif": list(rc["font.sans-serif"]),
                  "font.family": list(rc["font.family"])}
    others = [f for f in _saved["font.sans-serif"] if f != FAMILY]
    system = [f for f in SYSTEM_CJK_FAMILIES if f in known and f not in others]
    rc["font.sans-serif"] = [FAMILY] + system + others
    family = [f for f in _saved["font.family"] if f != FALLBACK]
    if "sans-serif" in family:  # a generic family stands for one font: add the fallback
        family.insert(family.index("sans-serif") + 1, FALLBACK)
    rc["font.family"] = family
    return True


def restore_default_fonts():
    """Put back matplotlib's font settings as they were before ``use_chinese_font``.
    Returns True if there was something to put back."""
    global _saved
    if _saved is None or "matplotlib" not in sys.modules:
        _saved = None
        return False
    import matplotlib

    matplotlib.rcParams.update(_saved)
    _saved = None
    return True
