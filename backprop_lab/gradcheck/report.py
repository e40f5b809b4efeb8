"""The report every gradient check returns: per-parameter errors, bands and kinks.

It prints as a short table, and as an HTML table in a notebook.
"""
from __future__ import annotations

import html

import numpy as np

from ..i18n import _, display_width, ljust, pgettext
from .numerical import error_band


def band_label(band: str) -> str:
    """The name of an error band ('good', 'kinks only', 'suspicious', 'wrong') as the
    learner reads it, in the current language (the band itself stays English)."""
    labels = {"good": pgettext("gradient check band", "good"),
              "kinks only": pgettext("gradient check band", "kinks only"),
              "suspicious": pgettext("gradient check band", "suspicious"),
              "wrong": pgettext("gradient check band", "wrong")}
    return labels.get(band, band)


def _format_index(name, index):
    return f"{name}[{', '.join(str(int(i)) for i in index)}]"


class ParamCheck:
    """The result for one parameter (or input) of a gradient check.

    Attributes:
        name, shape: which array was checked.
        checked: how many coordinates were perturbed (all, or a sample).
        rel_error: rel_error(analytic, numerical) over the checked coordinates whose
            perturbation did not cross a kink.
        abs_error: ||analytic - numerical|| over the same coordinates.
        worst_index: index (a tuple) with the largest |analytic - numerical|.
        analytic, numerical: the two values at worst_index.
        kink_indices: indices whose perturbation crossed a kink (left out of rel_error).
        at_noise_level: True when the whole difference is within the rounding noise of
            the finite differences (then tiny gradients are not called wrong).
        band: error_band(rel_error), or 'good' when at_noise_level.
        passed: rel_error <= tol, or at_noise_level.
    """

    def __init__(self, name: str, shape: tuple, checked: int, rel_error: float,
                 abs_error: float, worst_index: tuple | None, analytic: float, numerical: float,
                 kink_indices: list, at_noise_level: bool, tol: float):
        self.name = name
        self.shape = tuple(shape)
        self.checked = checked
        self.rel_error = rel_error
        self.abs_error = abs_error
        self.worst_index = worst_index
        self.analytic = analytic
        self.numerical = numerical
        self.kink_indices = list(kink_indices)
        self.at_noise_level = at_noise_level
        self.band = "good" if at_noise_level else error_band(rel_error)
        self.passed = bool(at_noise_level or rel_error <= tol)

    def __repr__(self):
        return (f"ParamCheck({self.name!r}, rel_error={self.rel_error:.1e}, "
                f"band={self.band!r}, passed={self.passed})")


class GradCheckReport:
    """What a gradient check found.  Print it, or show it in a notebook.

    Attributes:
        title: what was checked.
        params: list of ParamCheck, one per checked array, in order.
        warnings: list of sentences (float32 inputs, NaN or inf seen, ...).
        h, tol: the step and the pass threshold used.
        num_checks, seed: the sample size per parameter (None = every coordinate).
    Properties: passed, worst, max_rel_error, band, kinks_crossed, num_kinks.
    ``report['W']`` returns the ParamCheck named 'W'.
    """

    def __init__(self, title: str, params: dict, warnings: list, h: float, tol: float,
                 num_checks: int | None, seed: int):
        self.title = title
        self.params = list(params)
        self.warnings = list(warnings)
        self.h = h
        self.tol = tol
        self.num_checks = num_checks
        self.seed = seed

    @property
    def passed(self):
        """True when every parameter passed (a NaN or inf anywhere fails its parameter)."""
        return all(p.passed for p in self.params)

    @property
    def worst(self):
        """The ParamCheck with the largest relative error.

        Failed parameters come first, then those whose error is above rounding noise.
        """
        if not self.params:
            return None
        # Errors equal to 12 digits (a sign error gives 1.0 everywhere, up to rounding)
        # tie, and a tie goes to the first parameter: the same on every machine.
        return max(self.params, key=lambda p: (not p.passed, not p.at_noise_level,
                                               float(f"{p.rel_error:.12g}")))

    @property
    def max_rel_error(self):
        """The relative error of the worst parameter."""
        return self.worst.rel_error if self.params else 0.0

    @property
    def band(self):
        """The band of the worst parameter."""
        return self.worst.band if self.params else "good"

    @property
    def num_kinks(self):
        """How many perturbations crossed a kink, over all parameters."""
        return sum(len(p.kink_indices) for p in self.params)

    @property
    def kinks_crossed(self):
        """True when at least one perturbation crossed a kink."""
        return self.num_kinks > 0

    def __getitem__(self, name):
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(_("no parameter named {name!r}; names: {names}").format(
            name=name, names=[p.name for p in self.params]))

    # ----- text -----
    def _headline(self):
        verdict = (pgettext("gradient check", "PASSED") if self.passed
                   else pgettext("gradient check", "FAILED"))
        w = self.worst
        if w is None:
            return _("Gradient check of {title}: {result} (nothing to check)").format(
                title=self.title, result=verdict)
        return _("Gradient check of {title}: {result} - worst {name}: "
                 "relative error {error:.1e} ({band})").format(
                     title=self.title, result=verdict, name=w.name, error=w.rel_error,
                     band=band_label(w.band))

    def _rows(self):
        header = [_("parameter"), _("shape"), _("checked"), _("rel. error"), _("band"),
                  _("worst at"), _("analytic"), _("numerical"), _("kinks")]
        rows = []
        for p in self.params:
            checked = f"{p.checked}/{int(np.prod(p.shape))}"
            rows.append([
                p.name, str(p.shape), checked, f"{p.rel_error:.1e}", band_label(p.band),
                _format_index(p.name, p.worst_index) if p.worst_index is not None else "-",
                f"{p.analytic:.6g}", f"{p.numerical:.6g}", str(len(p.kink_indices)),
            ])
        return header, rows

    def _notes(self):
        notes = []
        for p in self.params:
            if p.kink_indices:
                shown = ", ".join(_format_index(p.name, i) for i in p.kink_indices[:3])
                more = " ..." if len(p.kink_indices) > 3 else ""
                notes.append(
                    _("{n} perturbation(s) of {name} crossed a kink "
                      "({shown}{more}); there the finite difference is unreliable, so "
                      "they are left out of the verdict.").format(
                          n=len(p.kink_indices), name=p.name, shown=shown, more=more))
            if p.at_noise_level and error_band(p.rel_error) != "good":
                notes.append(
                    _("{name}: both gradients are at rounding-noise level "
                      "(||analytic - numerical|| = {error:.1e}); counted as good.").format(
                          name=p.name, error=p.abs_error))
        if self.num_checks is not None:
            notes.append(_("sampled mode: at most {n} random coordinates "
                           "per parameter (seed {seed}).").format(n=self.num_checks,
                                                                 seed=self.seed))
        return notes

    def __repr__(self):
        header, rows = self._rows()
        widths = [max(display_width(r[i]) for r in [header] + rows)
                  for i in range(len(header))]
        lines = [self._headline()]
        for r in [header] + rows:
            lines.append("  ".join(ljust(cell, w) for cell, w in zip(r, widths)).rstrip())
        for w in self.warnings:
            lines.append(_("warning: {text}").format(text=w))
        for n in self._notes():
            lines.append(_("note: {text}").format(text=n))
        lines.append(_("bands: > 1e-2 wrong; 1e-4..1e-2 suspicious; "
                       "1e-7..1e-4 acceptable only with kinks; < 1e-7 good"))
        return "\n".join(lines)

    def _repr_html_(self):
        header, rows = self._rows()
        colour = "#1a7f37" if self.passed else "#cf222e"
        parts = [f'<div><p style="color:{colour}"><b>{html.escape(self._headline())}</b></p>',
                 "<table>", "<tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in header)
                 + "</tr>"]
        for r in rows:
            parts.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>")
        parts.append("</table>")
        for w in self.warnings:
            parts.append("<p>" + html.escape(_("warning: {text}").format(text=w)) + "</p>")
        for n in self._notes():
            parts.append("<p>" + html.escape(_("note: {text}").format(text=n)) + "</p>")
        parts.append("<p><small>" + html.escape(_(
            "bands: > 1e-2 wrong; 1e-4..1e-2 suspicious; "
            "1e-7..1e-4 acceptable only with kinks; < 1e-7 good")) + "</small></p></div>")
        return "\n".join(parts)
