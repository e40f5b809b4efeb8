"""The small app framework every widget shares: values, a headless ``set``, a figure,
and the optional ipywidgets face.

Each app owns a ``matplotlib.figure.Figure`` that pyplot does not know about, so it is
never shown twice by the inline backend.  A change updates the existing artists and
sends the picture as PNG to an ``ipywidgets.Image`` (no figure is re-created).
``measure_latency(app)`` times that whole path.
"""
import base64
import functools
import html
import io
import re
import statistics
import time
from contextlib import contextmanager, nullcontext

from .._engine import checks as _checks
from ..i18n import N_, _, pgettext, prepare_figures


def regime_label(regime):
    """A regime of ``state['regime']`` ('good', 'too slow', ...) as the learner reads it,
    in the current language (the state itself stays English)."""
    labels = {"good": pgettext("regime", "good"),
              "too slow": pgettext("regime", "too slow"),
              "oscillating": pgettext("regime", "oscillating"),
              "diverging": pgettext("regime", "diverging"),
              "converged": pgettext("regime", "converged"),
              "error": pgettext("regime", "error")}
    return labels.get(regime, regime)


def widget_support():
    """None if interactive widgets can be shown here, else the reason they cannot (in
    English: ``_(reason)`` shows it in the learner's language)."""
    try:
        import ipywidgets  # noqa: F401
    except ImportError:
        return N_("ipywidgets is not installed")
    try:
        from IPython import get_ipython
    except ImportError:
        return N_("IPython is not installed")
    shell = get_ipython()
    if shell is None or not hasattr(shell, "kernel"):
        return N_("not running in a Jupyter kernel")
    return None


def _show(obj, **kwargs):
    """Display obj in the notebook (one place, so that tests can watch it)."""
    from IPython.display import display

    display(obj, **kwargs)


@functools.lru_cache(maxsize=1)
def _blas_threads():
    """threadpoolctl's view of the loaded BLAS libraries (found once), or None without it."""
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:
        return None
    return ThreadpoolController()


def _one_blas_thread():
    """A context in which BLAS (numpy's ``@``) uses one thread.  An app's matrices are
    tiny (a few hundred rows): for them a multithreaded BLAS only adds the cost of
    waking and waiting for its threads, about a quarter of a slider step on 2 cores."""
    controller = _blas_threads()
    if controller is None:
        return nullcontext()
    return controller.limit(limits=1, user_api="blas")


#: How many pictures of an app's static artists are kept (one per ``_static_key``; each
#: is the figure's size in RGBA, about 0.6 MB for the learning-rate explorer).
KEPT_BACKGROUNDS = 8


def _keep(pictures, key, picture):
    """Put ``picture`` in ``pictures`` as the most recent, forgetting the least recent
    beyond KEPT_BACKGROUNDS."""
    pictures.pop(key, None)
    if len(pictures) >= KEPT_BACKGROUNDS:
        del pictures[next(iter(pictures))]
    pictures[key] = picture


@contextmanager
def _hidden(artists):
    """The artists made invisible inside the block, as they were after it."""
    shown = [artist.get_visible() for artist in artists]
    for artist in artists:
        artist.set_visible(False)
    try:
        yield
    finally:
        for artist, visible in zip(artists, shown):
            artist.set_visible(visible)


def _new_figure(width, height, dpi=72):
    """A Figure with an Agg canvas, not registered with pyplot."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    prepare_figures()  # a font with Chinese characters when the language is Chinese
    fig = Figure(figsize=(width, height), dpi=dpi, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


class _App:
    """Base class: values, a headless ``set``, the figure, and the optional widget UI.

    Subclasses define ``_compute()`` (fill self._state from self.values), ``_draw()``
    (update the figure's artists from self._state), ``_make_controls(widgets)`` (a dict
    name -> ipywidgets control) and ``_summary()`` (one line of HTML for the status).
    """

    def __init__(self, values):
        self.values = dict(values)
        self._state = {}
        self._ui = None
        self._controls = {}
        self._image = None
        self._status = None
        self._syncing = False
        self._layout_frozen = False
        self._backgrounds = {}  # pictures of the static artists by _static_key, see to_png
        self._bases = {}  # ... without the _keyed_artists, by _base_key
        self._background_key = None  # the key of the picture under the last frame
        self.figure = None
        self.timings_ms = {}

    # ----- headless API -----
    @property
    def state(self):
        """The current results as plain data (a new dict; safe to keep)."""
        return dict(self._state)

    def set(self, **values):
        """Change one or more control values, recompute and redraw; returns ``state``.

        Unknown names raise ValueError listing the valid ones.
        """
        unknown = sorted(set(values) - set(self.values))
        if unknown:
            raise ValueError(
                _("{app}.set: unknown control(s) {unknown}; the controls are {controls}.")
                .format(app=type(self).__name__, unknown=unknown,
                        controls=sorted(self.values))
            )
        new_values = dict(self.values)
        for name, value in values.items():
            new_values[name] = self._validate(name, value)
        self.values = new_values
        self._sync_controls()
        self._refresh()
        return self.state

    def _validate(self, name, value):
        return value

    def _refresh(self):
        start = time.perf_counter()
        with _one_blas_thread():
            self._compute()
            computed = time.perf_counter()
            self._draw()
            png = self.to_png() if self._image is not None else None
            drawn = time.perf_counter()
        if self._image is not None:
            self._image.value = png
        if self._status is not None:
            self._status.value = self._summary()
        done = time.perf_counter()
        #: How long the last update took in the kernel, in ms: compute, draw (with the
        #: PNG) and send (setting the widgets' values, which sends them to the browser).
        self.timings_ms = {"compute": 1e3 * (computed - start),
                           "draw": 1e3 * (drawn - computed), "send": 1e3 * (done - drawn)}

    def to_png(self):
        """The current picture as PNG bytes.

        Faster than ``savefig``: the canvas is drawn, then PIL encodes the pixels.  The
        first call lets matplotlib's constrained layout place the axes; after that the
        layout is frozen, so later frames skip the layout pass (and do not jump).  An app
        that names its ``_dynamic_artists`` gets them drawn over a cached picture of
        everything else (matplotlib's "blitting"), redrawn only for a ``_static_key``
        not seen among the last few (sliding back to a setting reuses its picture).
        """
        from PIL import Image

        canvas = self.figure.canvas
        if not self._layout_frozen:
            canvas.draw()
            self.figure.set_layout_engine("none")
            self._layout_frozen = True
        dynamic = self._dynamic_artists()
        if dynamic is None:
            canvas.draw()
        else:
            self._draw_over_background(canvas, dynamic)
        width, height = canvas.get_width_height()
        pixels = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw",
                                  "RGBA", 0, 1)
        buffer = io.BytesIO()
        pixels.convert("RGB").save(buffer, format="png", compress_level=1)
        return buffer.getvalue()

    def _dynamic_artists(self):
        """The artists that change from one update to the next, in drawing order; the
        rest is drawn once and kept as a picture.  None (the default): draw everything
        at every update."""
        return None

    def _static_key(self):
        """What the picture of the static artists depends on (limits that a control
        changes, say): when it changes, that picture is drawn again."""
        return None

    def _keyed_artists(self):
        """The static artists that change with ``_static_key`` while ``_base_key`` stays
        (an axis whose limits follow the data, say): a new key draws only them, over a
        kept picture of the rest.  They must be the last of the static artists to draw
        where they overlap others.  [] (the default): a new key draws the whole figure."""
        return []

    def _base_key(self):
        """What the picture of the static artists minus ``_keyed_artists`` depends on."""
        return self._static_key()

    def _draw_over_background(self, canvas, dynamic):
        key = self._static_key()
        background = self._backgrounds.pop(key, None)
        if background is None:
            background = self._static_picture(canvas, dynamic)
        else:
            canvas.restore_region(background)
        _keep(self._backgrounds, key, background)
        self._background_key = key
        for artist in dynamic:
            if artist.get_visible():
                artist.axes.draw_artist(artist)

    def _static_picture(self, canvas, dynamic):
        """Draw the static artists (on the canvas) and return their picture: the keyed
        ones over the kept picture of the rest for this ``_base_key``, the same pixels as
        drawing the whole figure."""
        keyed = self._keyed_artists()
        with _hidden(list(dynamic) + list(keyed)):
            base_key = self._base_key()
            base = self._bases.pop(base_key, None)
            if base is None:
                canvas.draw()
                base = canvas.copy_from_bbox(self.figure.bbox)
            else:
                canvas.restore_region(base)
            _keep(self._bases, base_key, base)
        if not keyed:
            return base
        with _hidden(dynamic):
            for artist in keyed:
                if artist.get_visible():
                    artist.axes.draw_artist(artist)
        return canvas.copy_from_bbox(self.figure.bbox)

    # ----- the widget face -----
    @property
    def ui(self):
        """The ipywidgets layout (built on first use; needs ipywidgets)."""
        if self._ui is None:
            import ipywidgets as widgets

            self._controls = self._make_controls(widgets)
            for name, control in self._controls.items():
                if hasattr(control, "value") and name in self.values:
                    control.observe(self._on_change(name), names="value")
            self._status = widgets.HTML(value=self._summary())
            self._image = widgets.Image(value=self.to_png(), format="png")
            self._ui = widgets.VBox(self._layout(widgets, self._controls)
                                    + [self._status, self._image])
        return self._ui

    @property
    def controls(self):
        """The ipywidgets controls by name (builds the UI if needed)."""
        _ = self.ui
        return dict(self._controls)

    def _layout(self, widgets, controls):
        return [widgets.HBox(list(controls.values()))]

    def _on_change(self, name):
        def handler(change):
            if self._syncing:
                return
            try:
                self.set(**{name: change["new"]})
            except Exception as exc:  # show it: a traceback in a callback goes unseen
                if self._status is not None:
                    self._status.value = html.escape(_("Error: {error_type}: {message}")
                                                     .format(error_type=type(exc).__name__,
                                                             message=exc))
        return handler

    def _sync_controls(self):
        self._syncing = True
        try:
            for name, control in self._controls.items():
                if name in self.values and control.value != self._control_value(name):
                    control.value = self._control_value(name)
        finally:
            self._syncing = False

    def _control_value(self, name):
        return self.values[name]

    def display(self):
        """Show the app: interactive if possible, else a static picture and a note."""
        reason = widget_support()
        if reason is None:
            bundle = self.ui._repr_mimebundle_()
            bundle["text/plain"] = repr(self)  # short and the same on every run
            # JupyterLab renders the live widget; viewers without a kernel (GitHub,
            # nbviewer) fall back to this picture of the current state.
            bundle["image/png"] = base64.b64encode(self.to_png()).decode("ascii")
            _show(bundle, raw=True)
            return
        print(_("Static picture ({reason}; the controls need ipywidgets in Jupyter).")
              .format(reason=_(reason)))
        print(self.summary_text())
        try:
            from IPython.display import Image
        except ImportError:
            return
        _show(Image(data=self.to_png(), format="png"))

    def summary_text(self):
        """The status line above the picture, as plain text."""
        text = re.sub(r"<br\s*/?>", "\n", self._summary())
        return html.unescape(re.sub(r"<[^>]+>", "", text))

    def _ipython_display_(self):
        self.display()

    def __repr__(self):
        shown = ", ".join(f"{k}={v!r}" for k, v in self.values.items())
        return f"{type(self).__name__}({shown})"


def measure_latency(app, control=None, values=None, n=20):
    """Time the full update after a control change: compute, redraw, PNG, widget update.

    app: a widget app.  control: the control's name (default: the app's first control).
    values: values to cycle through (each change is a real change); defaults to a few
        learning rates for ``learning_rate``.
    n: how many changes to time.
    Returns {'median_ms', 'min_ms', 'max_ms', 'times_ms'}.  Builds the ipywidgets UI
    when ipywidgets is installed, so the time includes updating the Image widget.
    """
    control = control or next(iter(app.values))
    if values is None:
        values = [0.01, 0.3, 3.0, 10.0] if control == "learning_rate" else None
    if not values:
        raise ValueError(_("measure_latency: give values=[...] to cycle the control "
                           "through."))
    try:
        app.ui  # noqa: B018 (built here, so that the times include the Image widget)
    except ImportError:
        pass
    times = []
    for i in range(int(n)):
        value = values[i % len(values)]
        if len(values) == 1 or value == app.values[control]:
            value = values[(i + 1) % len(values)]
        start = time.perf_counter()
        app.set(**{control: value})
        if app._image is None:  # no ipywidgets: still pay for the PNG
            app.to_png()
        times.append(1000.0 * (time.perf_counter() - start))
    return {
        "median_ms": statistics.median(times),
        "min_ms": min(times),
        "max_ms": max(times),
        "times_ms": times,
    }


def _check_number(owner, name, value, low=None, high=None, integer=False):
    """A control's value, checked by the shared checks (``_engine.checks.number``)."""
    return _checks.number(value, f"{owner}({name}=...)", low, high, integer)
