"""The progress display ``fit``, ``evaluate`` and ``predict`` print: ``Progbar`` and
``ProgbarLogger``."""
import sys
import time

import numpy as np

from ..i18n import _
from .callback import Callback


def _in_jupyter_kernel():
    """True when running inside a Jupyter kernel (a notebook), without importing IPython."""
    ipython = sys.modules.get("IPython")
    get = getattr(ipython, "get_ipython", None)
    shell = get() if get is not None else None
    return getattr(shell, "kernel", None) is not None


def _dynamic_display():
    """True in a terminal or a notebook: redraw the line with carriage returns."""
    isatty = getattr(sys.stdout, "isatty", None)
    return bool(isatty and isatty()) or _in_jupyter_kernel()


def format_logs(logs):
    """' - accuracy: 0.5010 - loss: 0.6990' (Keras's formatting of values)."""
    parts = []
    for key, value in logs.items():
        if isinstance(value, (int, float, np.floating)) and abs(value) > 1e-3:
            parts.append(f" - {key}: {value:.4f}")
        else:
            parts.append(f" - {key}: {value:.4e}")
    return "".join(parts)


def format_step_time(seconds):
    """Time per step, always as '<number>ms/step' (e.g. '1ms/step', '0.12ms/step')."""
    ms = seconds * 1e3
    return f"{ms:.0f}ms/step" if ms >= 1 else f"{ms:.2f}ms/step"


class Progbar:
    """A Keras-like progress line: ``12/32 ━━━━━━━─────────── 0s 1ms/step - loss: 0.6990``.

    target: the number of steps.  verbose=1 redraws the line in place (throttled to every
    ``interval`` seconds) when the output is a terminal or a notebook, and otherwise
    prints only the final line; verbose=2 prints only the final line, in Keras's
    one-line form; verbose=0 prints nothing.
    """

    WIDTH = 20

    def __init__(self, target, verbose=1, interval=0.1, file=None):
        self.target = target
        self.verbose = verbose
        self.interval = interval
        self.file = file
        self.start = time.perf_counter()
        self._last_draw = 0.0
        self._shown = 0  # length of the partial line on screen
        self.dynamic = verbose == 1 and _dynamic_display()

    def _write(self, text):
        out = self.file or sys.stdout
        out.write(text)
        out.flush()

    def _line(self, current, logs, finished):
        elapsed = time.perf_counter() - self.start
        per_step = elapsed / max(current, 1)
        if self.verbose == 2:
            return f"{current}/{self.target} - {elapsed:.0f}s - {format_step_time(per_step)}" + \
                format_logs(logs)
        done = int(self.WIDTH * current / self.target) if self.target else self.WIDTH
        bar = "━" * done + "─" * (self.WIDTH - done)
        seconds = elapsed if finished else per_step * (self.target - current)  # else ETA
        return (f"{current}/{self.target} {bar} {seconds:.0f}s {format_step_time(per_step)}"
                + format_logs(logs))

    def update(self, current, logs=None, finalize=False):
        """Show progress after ``current`` steps; ``finalize`` ends the line."""
        if self.verbose == 0:
            return
        if not finalize:
            if not self.dynamic:
                return
            now = time.perf_counter()
            if now - self._last_draw < self.interval:
                return
            self._last_draw = now
        line = self._line(current, logs or {}, finalize)
        if self.dynamic:
            padding = " " * max(0, self._shown - len(line))
            self._write("\r" + line + padding + ("\n" if finalize else ""))
            self._shown = 0 if finalize else len(line)
        else:
            self._write(line + "\n")

    def close(self):
        """End a partly drawn line (e.g. when training stops in the middle of an epoch)."""
        if self._shown:
            self._write("\n")
            self._shown = 0


class ProgbarLogger(Callback):
    """Prints 'Epoch i/n' and a progress line per epoch (``fit(verbose=1 or 2)``)."""

    def __init__(self, verbose=1):
        super().__init__()
        self.verbose = verbose
        self.bar = None

    def on_epoch_begin(self, epoch, logs=None):
        print(_("Epoch {epoch}/{epochs}").format(epoch=epoch + 1,
                                                 epochs=self.params.get("epochs")))
        self.bar = Progbar(self.params.get("steps"), self.verbose)

    def on_train_batch_end(self, batch, logs=None):
        self.bar.update(batch + 1, logs)

    def on_epoch_end(self, epoch, logs=None):
        self.bar.update(self.params.get("steps"), logs, finalize=True)
        self.bar = None

    def on_train_end(self, logs=None):
        if self.bar is not None:
            self.bar.close()
