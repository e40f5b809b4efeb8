"""pytest set-up for the whole repository.

The solution notebooks in ``solutions/`` are tests too: nbval runs each one and compares
every output with the one stored in the file (strict mode), in pytest's own Python, with
``tests/nbval_sanitize.cfg`` masking step timings.  When nbval is not installed (for
example ``pytest tests/unit`` in a minimal environment) the notebooks are simply not
collected.
"""
from pathlib import Path

ROOT = Path(__file__).resolve().parent


def pytest_configure(config):
    if not config.pluginmanager.hasplugin("nbval"):
        return
    option = config.option
    if not option.nbval_lax:
        option.nbval = True
    option.nbval_current_env = True
    if not option.nbval_sanitize_with:
        option.nbval_sanitize_with = str(ROOT / "tests" / "nbval_sanitize.cfg")
