"""Save and load a whole model as ONE ``.npz`` file, with no pickle anywhere.

``model.save("model.npz")`` and ``backprop_lab.models.load_model("model.npz")``.  This
module knows the file format only; ``models.load_model`` rebuilds the model.

File format (version 1)
-----------------------
A ``.npz`` file is a zip archive of ``.npy`` arrays (``numpy.savez``).  It is read back with
``numpy.load(path, allow_pickle=False)``, so loading a file can never run code.  Members:

``backprop_lab_model``
    a ``uint8`` array holding the UTF-8 bytes of a JSON document::

        {
          "format": "backprop_lab.model",
          "format_version": 1,
          "backprop_lab_version": "0.1.0",
          "model": {"class_name": "Sequential",
                    "config": {"name": ..., "input_features": D,
                               "layers": [{"class_name": "Dense", "config": {...}}, ...]}},
                    (a Dense config names its regularizers, e.g. "kernel_regularizer":
                     {"class_name": "L2", "config": {"l2": 0.0001}})
          "compile": null, or {"optimizer": {"class_name": "SGD", "config": {...}},
                               "loss": {"class_name": "BinaryCrossentropy", "config": {...}},
                               "metrics": ["accuracy", ...]},
          "weights": [{"key": "weight_000", "layer": "dense", "shape": [20, 10],
                       "dtype": "float64"}, ...],
          "optimizer_state": {"iterations": 320, "keys": ["optimizer_000", ...]}
        }

``weight_000``, ``weight_001``, ...
    the arrays of ``model.get_weights()`` in Keras's order, layer after layer: kernel
    (D, M), bias (M,) for a Dense layer; gamma, beta, moving_mean, moving_variance (D,)
    for a BatchNormalization layer (the moving statistics are saved, so that a loaded
    model predicts exactly as the saved one).  Dropout has no arrays.
``optimizer_000``, ...
    the optimizer's state arrays (momentum velocities, Adam's m and v, AMSGrad's maximum),
    in the order of ``optimizer.get_state()``, for the trainable weights only; absent for
    plain SGD.  A learning-rate schedule is part of the optimizer's config in the header,
    and ``iterations`` tells it where it was.

Writing is atomic: the archive is written to a temporary file in the same folder,
flushed and ``fsync``-ed, then moved over the target with ``os.replace``.  If anything
fails part-way, the previous file at that path is left untouched.
"""
import json
import os
import tempfile
import zipfile

import numpy as np

from ..i18n import _

FORMAT = "backprop_lab.model"
FORMAT_VERSION = 1
HEADER_KEY = "backprop_lab_model"


def _check_path(filepath, where):
    path = os.fspath(filepath)
    if not path.endswith(".npz"):
        raise ValueError(
            _("{where}(filepath={path!r}): backprop_lab saves a model as one .npz file; use a "
              "name ending in '.npz', e.g. 'model.npz'.").format(where=where, path=path)
        )
    return path


def _write_arrays(file, arrays):
    """Write the archive to an open binary file (a separate function so tests can make
    it fail part-way)."""
    np.savez(file, **arrays)


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomically(path, arrays):
    """Write ``arrays`` (dict name -> array) as an .npz at ``path``, all or nothing."""
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise FileNotFoundError(_("save(filepath={path!r}): the folder {folder!r} does not "
                                  "exist.").format(path=path, folder=folder))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix="." + os.path.basename(path) + ".",
                               suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as file:
            _write_arrays(file, arrays)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    try:  # make the rename itself durable (not possible on every system)
        dir_fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)


def save_model(model, filepath, overwrite=True):
    """Save ``model`` (a built ``Sequential``) to ``filepath`` (ending in ``.npz``)."""
    from .. import __version__

    path = _check_path(filepath, "save")
    if not model.built:
        raise ValueError(
            _("save(filepath={path!r}): the model is not built yet, so it has no weights to "
              "save. Give the first layer input_dim=..., or call fit/predict first.")
            .format(path=path)
        )
    if not overwrite and os.path.exists(path):
        raise FileExistsError(_("save(filepath={path!r}): the file exists and "
                                "overwrite=False.").format(path=path))
    arrays = {}
    weight_specs = []
    i = 0
    for layer in model.layers:
        for w in layer.weights:
            key = f"weight_{i:03d}"
            arrays[key] = np.array(w)
            weight_specs.append({"key": key, "layer": layer.name, "shape": list(w.shape),
                                 "dtype": w.dtype.name})
            i += 1
    state_keys = []
    iterations = 0
    if model.optimizer is not None:
        for j, s in enumerate(model.optimizer.get_state()):
            key = f"optimizer_{j:03d}"
            arrays[key] = s
            state_keys.append(key)
        iterations = model.optimizer.iterations
    header = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "backprop_lab_version": __version__,
        "model": {"class_name": "Sequential", "config": model.get_config()},
        "compile": model.get_compile_config(),
        "weights": weight_specs,
        "optimizer_state": {"iterations": iterations, "keys": state_keys},
    }
    text = json.dumps(header, indent=1)
    arrays[HEADER_KEY] = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
    write_atomically(path, arrays)


def bad_file(path, detail):
    return ValueError(
        _("load_model({path!r}): this is not a readable backprop_lab model file: {detail}. "
          "Was it written by model.save(...), and was the copy complete?")
        .format(path=path, detail=detail)
    )


def _read(path):
    """Return (header dict, dict of arrays) from the file, or raise a clear error."""
    with open(path, "rb") as file:
        start = file.read(4)
    if start != b"PK\x03\x04":  # every zip archive, so every .npz, starts with these bytes
        what = (_("it is empty, so it is not an .npz archive") if not start else
                _("it starts with {start!r}, not with a zip header, so it is not an .npz "
                  "archive").format(start=start))
        raise bad_file(path, what)
    try:
        data = np.load(path, allow_pickle=False)
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as err:
        raise bad_file(path, _("numpy cannot open it as an .npz archive ({error})")
                       .format(error=err)) from None
    if not hasattr(data, "files"):
        raise bad_file(path, _("it holds a single .npy array, not an .npz archive"))
    try:
        with data:
            if HEADER_KEY not in data.files:
                members = ", ".join(data.files[:5]) + (", ..." if len(data.files) > 5 else "")
                raise bad_file(
                    path, _("it is an .npz archive but has no {key!r} entry (members: "
                            "{members})").format(key=HEADER_KEY, members=members))
            raw = data[HEADER_KEY]
            if raw.dtype != np.uint8 or raw.ndim != 1:
                raise bad_file(path, _("its {key!r} entry is not a byte array")
                               .format(key=HEADER_KEY))
            header = json.loads(raw.tobytes().decode("utf-8"))
            if not isinstance(header, dict) or header.get("format") != FORMAT:
                raise bad_file(path, _("its header does not name the backprop_lab model "
                                       "format"))
            if header.get("format_version") != FORMAT_VERSION:
                raise bad_file(
                    path, _("it uses format version {found!r}; this version of backprop_lab "
                            "reads version {version}").format(
                                found=header.get("format_version"), version=FORMAT_VERSION))
            keys = [spec["key"] for spec in header["weights"]]
            keys += header["optimizer_state"]["keys"]
            arrays = {key: data[key] for key in keys}
    except ValueError as err:
        if str(err).startswith(f"load_model({path!r})"):
            raise
        raise bad_file(path, f"{type(err).__name__}: {err}") from None
    except (KeyError, TypeError, OSError, EOFError, zipfile.BadZipFile,
            UnicodeDecodeError) as err:
        raise bad_file(path, _("it is damaged or incomplete ({error_type}: {error})")
                       .format(error_type=type(err).__name__, error=err)) from None
    return header, arrays


def read_model_file(filepath):
    """Read a file written by ``save_model``: (path, header dict, dict of arrays).

    Raises FileNotFoundError, or a ValueError saying what is wrong with the file.
    Rebuilding the model from them is ``models.load_model``'s job.
    """
    path = os.fspath(filepath)
    if not os.path.isfile(path):
        raise FileNotFoundError(_("load_model({path!r}): no such file.").format(path=path))
    header, arrays = _read(path)
    return path, header, arrays
