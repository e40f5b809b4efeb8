"""Making the bundled Chinese font again: a subset of Noto Sans CJK SC with fontTools.

``python -m backprop_lab translations font [--source FILE]`` runs ``make_subset``.  The
characters kept (``font_characters``) are those of every translation in the catalogues,
the glossary's Chinese terms, the common characters of ``fonts/common_characters.txt``
(a margin for text outside the catalogues), and the Latin, Greek, punctuation and math
signs that labels mix in.  Matplotlib does no text shaping, so the subset drops the
layout tables (GSUB, GPOS, ...) and vertical metrics; hinting is dropped too.  The
family is renamed ``Backprop Lab Sans SC`` (the licence, ``fonts/OFL.txt``, asks that a
modified font not present itself under the original name); the copyright and licence
records of the original are kept.  The output is the same for the same input: its
timestamp is the source's.

fontTools is imported only here (``pip install fonttools``; matplotlib depends on it).
"""
from pathlib import Path

from ..i18n import fonts
from . import catalogues

#: Where Debian's fonts-noto-cjk puts the collection the subset is made from.
DEFAULT_SOURCE = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
SOURCE_FAMILY = "Noto Sans CJK SC"
COMMON_CHARACTERS = fonts.FONT_DIR / "common_characters.txt"
POSTSCRIPT_NAME = "BackpropLabSansSC-Regular"

_RANGES = [
    (0x20, 0x7E),      # ASCII
    (0xA0, 0xFF),      # Latin-1: ±, ×, ·, é, ...
    (0x391, 0x3A9),    # Greek capitals
    (0x3B1, 0x3C9),    # Greek small letters: η, δ, ...
    (0x2010, 0x2027),  # dashes, quotation marks, bullet, ellipsis
    (0x2190, 0x2199),  # arrows
    (0x3000, 0x303F),  # CJK punctuation: 、。《》「」【】
    (0xFF01, 0xFF5E),  # full-width forms: ，：；（）！？
]
_SIGNS = "−∂∑∏√∞≈≠≤≥∈∇⋅·°′″‰℃№✓✗"


def _catalogue_files():
    yield catalogues.LIBRARY_CATALOGUE
    yield catalogues.REGISTRY_CATALOGUE
    yield from sorted(catalogues.NOTEBOOK_CATALOGUES.glob("*.po"))


def catalogue_characters():
    """Every character of every translation in the Chinese catalogues, and of the
    glossary's Chinese terms."""
    found = set()
    for path in _catalogue_files():
        for entry in catalogues.read_entries(path):
            for text in entry.msgstr:
                found.update(text)
    if catalogues.GLOSSARY.exists():
        from .glossary import read_glossary

        for term in read_glossary():
            found.update(term.chinese)
    return {c for c in found if c.isprintable()}


def common_characters():
    """The margin of common characters (the lines of ``common_characters.txt`` that are
    not comments)."""
    lines = COMMON_CHARACTERS.read_text(encoding="utf-8").splitlines()
    return {c for line in lines if not line.startswith("#") for c in line.strip()}


def font_characters():
    """The characters the subset should hold (the source may lack a few symbols)."""
    chars = {chr(c) for lo, hi in _RANGES for c in range(lo, hi + 1)}
    return chars | set(_SIGNS) | catalogue_characters() | common_characters()


def _source_face(source):
    """The index of Noto Sans CJK SC in a font collection (0 for a single font)."""
    from fontTools.ttLib import TTCollection

    if not str(source).lower().endswith((".ttc", ".otc")):
        return 0
    for index, face in enumerate(TTCollection(str(source)).fonts):
        if face["name"].getDebugName(1) == SOURCE_FAMILY:
            return index
    raise ValueError(f"{source} holds no {SOURCE_FAMILY!r} face.")


def _rename(font, version):
    name = font["name"]
    description = (f"A subset of {SOURCE_FAMILY} {version} for the figures of backprop_lab's "
                   "Chinese edition, made with fontTools.")
    for record_id in (1, 2, 3, 4, 6, 16, 17, 21, 22):  # every language's names of the original
        name.removeNames(nameID=record_id)
    for record_id, text in ((1, fonts.FAMILY), (2, "Regular"), (3, f"{POSTSCRIPT_NAME};{version}"),
                            (4, fonts.FAMILY), (6, POSTSCRIPT_NAME), (10, description)):
        name.setName(text, record_id, 3, 1, 0x409)
        name.setName(text, record_id, 1, 0, 0)
    if "CFF " in font:
        cff = font["CFF "].cff
        cff.fontNames = [POSTSCRIPT_NAME]
        top = cff.topDictIndex[0]
        for key, value in (("FullName", fonts.FAMILY), ("FamilyName", fonts.FAMILY)):
            if hasattr(top, key):
                setattr(top, key, value)


def make_subset(source=DEFAULT_SOURCE, out=fonts.FONT_FILE):
    """Write the subset of ``source`` (Noto Sans CJK SC, or a collection holding it) to
    ``out``; returns {"path", "bytes", "glyphs", "characters", "lacking"} (the wanted
    characters the source has no glyph for)."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    index = _source_face(source)
    font = TTFont(str(source), fontNumber=index, recalcTimestamp=False)
    version = font["name"].getDebugName(5).split(";")[0].replace("Version ", "")
    cmap = font.getBestCmap()
    wanted = font_characters()
    kept = sorted(c for c in wanted if ord(c) in cmap)
    options = subset.Options()
    options.layout_features = []
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "BASE", "VORG", "vhea", "vmtx", "JSTF"]
    options.hinting = False
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.recalc_timestamp = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(c) for c in kept])
    subsetter.subset(font)
    _rename(font, version)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    font.save(str(out))
    return {"path": out, "bytes": out.stat().st_size, "glyphs": font["maxp"].numGlyphs,
            "characters": len(kept), "lacking": sorted(set(wanted) - set(kept))}


def subset_characters(path=fonts.FONT_FILE):
    """The characters the bundled font has a glyph for (its cmap)."""
    from fontTools.ttLib import TTFont

    return {chr(c) for c in TTFont(str(path))["cmap"].getBestCmap()}
