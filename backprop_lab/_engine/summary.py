"""``Sequential.summary``'s table: layers, output shapes and parameter counts (Keras's
layout, trainable and non-trainable parameters counted apart)."""
import numpy as np


def memory(n_bytes):
    """'1.50 KB': a size in bytes, in Keras's summary format."""
    for unit in ("B", "KB", "MB", "GB"):
        if n_bytes < 1024 or unit == "GB":
            return f"{n_bytes:.2f} {unit}"
        n_bytes /= 1024


def summary_lines(model):
    """The lines of ``model.summary()`` for a ``Sequential`` (built or not)."""
    rows = [("Layer (type)", "Output Shape", "Param #")]
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
            rows.append((label, "? (not built)", "0 (unbuilt)"))
    widths = [max(len(r[i]) for r in rows) + 2 for i in range(3)]

    def line(left, mid, right):
        return left + mid.join("─" * w for w in widths) + right

    def row(cells):
        return "│" + "│".join(
            (f" {c}".ljust(w) if i < 2 else f"{c} ".rjust(w)) for i, (c, w) in
            enumerate(zip(cells, widths))) + "│"

    itemsize = np.dtype(model._dtype()).itemsize
    fixed = total - trainable
    out = [f'Model: "{model.name}"', line("┌", "┬", "┐"), row(rows[0]), line("├", "┼", "┤")]
    out += [row(r) for r in rows[1:]]
    out += [line("└", "┴", "┘"),
            f" Total params: {total:,} ({memory(total * itemsize)})",
            f" Trainable params: {trainable:,} ({memory(trainable * itemsize)})",
            f" Non-trainable params: {fixed:,} ({memory(fixed * itemsize)})"]
    return out
