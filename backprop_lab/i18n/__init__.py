"""The library's messages in the learner's language, through gettext.

    from ..i18n import _, N_, ngettext

    raise ValueError(_("fit(batch_size=...): must be a positive integer, got {value!r}.")
                     .format(value=value))

English is the source text and the default.  ``backprop_lab.config.set_language("zh")``, or
the environment variable ``BACKPROP_LAB_LANG=zh``, switches the messages to Simplified
Chinese.  ``_(message)`` returns the translation of an English message in the current
language (the message itself when there is none); ``ngettext`` chooses a plural form;
``pgettext`` tells apart two uses of the same English words; ``N_`` only marks a text for
the catalogues (module-level constants, translated where they are shown, with ``_``).

The catalogues are the PO files in ``locale/<language>/LC_MESSAGES/``:
``backprop_lab.po`` holds the messages of the package's code (extracted from the source),
``exercises.po`` the texts of the exercise registry (titles, hints, the hints of catalogued
mistakes), which the grading code passes through ``_`` when it shows them.  They are read
and compiled in memory the first time a message is translated into that language, so
English costs one comparison and ``import backprop_lab`` reads no file.

``ljust``/``rjust`` pad text to a width in terminal columns (a Chinese character takes
two), for tables that must line up in either language.  ``prepare_figures()`` gives
matplotlib a font with Chinese characters when the language is Chinese (``fonts``).

This module imports the standard library and ``config`` only (layer 1).
"""
import gettext as _gettext
import io
import unicodedata
from pathlib import Path

from .. import config
from . import po

LOCALE_DIR = Path(__file__).resolve().parent / "locale"

_translations = {}  # language -> gettext.GNUTranslations, filled on first use


def catalogue_files(language):
    """The PO files holding the library's messages in ``language``, in look-up order."""
    return sorted((LOCALE_DIR / language / "LC_MESSAGES").glob("*.po"))


def _load(language):
    entries = []
    for path in catalogue_files(language):
        entries.extend(po.read_po(path.read_text(encoding="utf-8"), where=str(path)))
    if not entries:
        return _gettext.NullTranslations()
    return _gettext.GNUTranslations(io.BytesIO(po.compile_mo(entries)))


def translations(language=None):
    """The ``gettext`` translations object of ``language`` (default: the current one)."""
    language = language or config.language()
    found = _translations.get(language)
    if found is None:
        found = _translations[language] = (_gettext.NullTranslations() if language == "en"
                                           else _load(language))
    return found


def reload():
    """Forget the catalogues read so far (after editing a PO file in a running kernel)."""
    _translations.clear()


def translate(message, language):
    """``message`` in ``language``, whatever the current language is."""
    if language == "en" or not message:
        return message
    return translations(language).gettext(message)


def _(message):
    """The translation of the English ``message`` in the current language (``message``
    itself in English, or when the catalogue has no translation for it)."""
    language = config.language()
    if language == "en" or not message:  # gettext("") would be the catalogue's header
        return message
    return translations(language).gettext(message)


def N_(message):
    """Mark ``message`` for the catalogues without translating it now (for constants
    defined at import time); translate it with ``_`` where it is shown."""
    return message


def ngettext(singular, plural, n):
    """The form of a message for the count ``n``: in English ``singular`` when ``n`` is 1,
    else ``plural``; in another language, that language's form for ``n``."""
    language = config.language()
    if language == "en":
        return singular if n == 1 else plural
    return translations(language).ngettext(singular, plural, n)


def pgettext(context, message):
    """Like ``_``, for English words that need different translations in different
    places: ``context`` (a word or two) tells the uses apart."""
    language = config.language()
    if language == "en":
        return message
    return translations(language).pgettext(context, message)


def prepare_figures():
    """Set matplotlib's fonts for the current language: with Chinese, the bundled font
    with Chinese characters comes first (``fonts.use_chinese_font``).  ``set_language``
    does this; code that draws (plots, widgets) calls it too, so that a language chosen
    by ``BACKPROP_LAB_LANG`` alone also gets the font.  Returns True if matplotlib was set."""
    from . import fonts

    language = config.language()
    return fonts.apply(language) if language != "en" else False


def display_width(text):
    """How many terminal columns ``text`` takes: two for wide (Chinese) characters."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def ljust(text, width):
    """``text`` padded with spaces on the right to ``width`` columns (``str.ljust`` that
    counts a Chinese character as two columns)."""
    return text + " " * max(0, width - display_width(text))


def rjust(text, width):
    """``text`` padded with spaces on the left to ``width`` columns."""
    return " " * max(0, width - display_width(text)) + text


__all__ = ["LOCALE_DIR", "N_", "_", "catalogue_files", "display_width", "ljust",
           "ngettext", "pgettext", "prepare_figures", "reload", "rjust", "translate",
           "translations"]
