"""Global settings: the floating-point type used for weights and activations, and the
language of the library's messages.

Keras names: ``floatx()`` and ``set_floatx(name)``.  ``language()`` and
``set_language(name)`` choose English (``"en"``, the default) or Simplified Chinese
(``"zh"``); the environment variable ``BACKPROP_LAB_LANG`` sets the language a session
starts with.

The default is ``float64``.  This is a teaching library: gradient checks with central
differences need double precision to tell a correct gradient (relative error ~1e-9) from a
wrong one, and learners should never have to wonder whether a mismatch is their bug or
rounding.  Switch to ``float32`` (Keras's default) for speed on larger problems.
"""
import os
import warnings

import numpy as np

_VALID = ("float32", "float64")
_floatx = "float64"

#: The languages of the library's messages: English (the source text) and Simplified Chinese.
LANGUAGES = ("en", "zh")
#: The environment variable that chooses the language a session starts with.
LANGUAGE_VARIABLE = "BACKPROP_LAB_LANG"
_language = None  # chosen on first use: BACKPROP_LAB_LANG, else English


def floatx():
    """Return the name of the default float type, ``'float64'`` or ``'float32'``."""
    return _floatx


def set_floatx(value):
    """Set the default float type for layers built from now on (and data sets made).

    A model already built keeps its float type; data passed to its ``fit``/``predict``
    is converted to that type.  So call this before building the model.
    value: ``'float32'`` or ``'float64'`` (a numpy dtype is accepted too).
    """
    global _floatx
    name = np.dtype(value).name if not isinstance(value, str) else value
    if name not in _VALID:
        raise ValueError(
            f"set_floatx(value={value!r}): value must be one of {_VALID}. "
            "float16 is not supported by this teaching library."
        )
    _floatx = name


def dtype():
    """The default float type as a numpy dtype object."""
    return np.dtype(_floatx)


def _language_code(value):
    """'zh' for 'zh', 'zh_CN', 'zh-Hans', 'ZH_cn.UTF-8'...; 'en' likewise; else None."""
    if not isinstance(value, str):
        return None
    code = value.strip().lower().replace("-", "_").split(".")[0].split("@")[0].split("_")[0]
    return code if code in LANGUAGES else None


def language():
    """The language of the library's messages: ``'en'`` (the default) or ``'zh'``."""
    global _language
    if _language is None:
        value = os.environ.get(LANGUAGE_VARIABLE, "")
        _language = _language_code(value) or "en"
        if value.strip() and _language_code(value) is None:
            warnings.warn(f"{LANGUAGE_VARIABLE}={value!r} is not a language of backprop_lab "
                          f"(one of {LANGUAGES}); the messages stay in English.", stacklevel=2)
    return _language


def set_language(value):
    """Show the library's messages (verdicts, hints, errors, the command line's reports)
    in ``value``: ``'en'`` or ``'zh'`` (``'zh_CN'``, ``'zh-Hans'`` are accepted too).

    With ``'zh'``, plots get a font with Chinese characters: the subset of Noto Sans CJK
    SC shipped in ``backprop_lab/i18n/fonts`` is registered with matplotlib (when
    matplotlib is installed) and put first in its sans-serif list; ``'en'`` puts the list
    back.
    """
    global _language
    code = _language_code(value)
    if code is None:
        raise ValueError(f"set_language(value={value!r}): value must be one of {LANGUAGES} "
                         f"(or a locale name such as 'zh_CN').")
    _language = code
    from .i18n import fonts

    fonts.apply(code)
