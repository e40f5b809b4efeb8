"""``Sequential.summary``'s table: layers, output shapes and parameter counts (Keras's
layout, trainable and non-trainable parameters counted apart)."""
import numpy as np

from ..i18n import _, display_width, ljust, rjust


def memory(n_bytes):
    """'1.50 KB': a size in bytes, in Keras's summary format."""
    for unit in ("B", "KB", "MB", "GB"):
        if n_bytes < 1024 or unit == "GB":
            return f"{n_bytes:.2f} {unit}"
        n_bytes /= 1024


def summary_lines(model):
    """The lines of ``model.summary()`` for a ``Sequential`` (built or not)."""
    rows = [(_("Layer (type)"), _("Output Shape"), _("Param #"))]
    shape = (None, model.input_features)
    total = trainable = 0
    for layer in model.layers:
        label = f"{layer.name} ({type(layer).__name__})"
        if layer.built:
            shape = layer.compute_output_shape(shape)
            count = layer.count_params()
            total += count
            trainable += int(sum(w.size for w in layer.trainable_weights))
            rows.append((label, str(shape), f"{count:,}"))
        else:
            rows.append((label, _("? (not built)"), _("0 (unbuilt)")))
    widths = [max(display_width(r[i]) for r in rows) + 2 for i in range(3)]

    def line(left, mid, right):
        return left + mid.join("─" * w for w in widths) + right

    def row(cells):
        return "│" + "│".join(
            (ljust(f" {c}", w) if i < 2 else rjust(f"{c} ", w)) for i, (c, w) in
            enumerate(zip(cells, widths))) + "│"

    itemsize = np.dtype(model._dtype()).itemsize
    fixed = total - trainable
    out = [_('Model: "{name}"').format(name=model.name), line("┌", "┬", "┐"), row(rows[0]),
           line("├", "┼", "┤")]
    out += [row(r) for r in rows[1:]]
    out += [line("└", "┴", "┘"),
            _(" Total params: {count:,} ({size})").format(
                count=total, size=memory(total * itemsize)),
            _(" Trainable params: {count:,} ({size})").format(
                count=trainable, size=memory(trainable * itemsize)),
            _(" Non-trainable params: {count:,} ({size})").format(
                count=fixed, size=memory(fixed * itemsize))]
    return out
