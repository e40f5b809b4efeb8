"""Saving and loading: one .npz file, no pickle, atomic writes, clear errors."""
import os
import pickle
import zipfile

import numpy as np
import pytest

from backprop_lab import config, utils
from backprop_lab._engine import saving
from backprop_lab.layers import Activation, Dense
from backprop_lab.models import Sequential, load_model
from backprop_lab.optimizers import SGD, Adam


def trained_model(optimizer=None, seed=0):
    utils.set_random_seed(seed)
    model = Sequential([Dense(6, activation="tanh", input_dim=4, kernel_initializer="he_normal"),
                        Dense(3), Activation("softmax")])
    model.compile(optimizer=optimizer or Adam(learning_rate=0.01),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    x, y = data()
    model.fit(x, y, epochs=2, verbose=0)
    return model


def data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 4))
    return x, rng.integers(0, 3, 60)


def test_round_trip_gives_identical_predictions_and_settings(tmp_path):
    model = trained_model()
    path = tmp_path / "model.npz"
    model.save(path)
    loaded = load_model(path)
    x, y = data()
    assert np.array_equal(model.predict(x, verbose=0), loaded.predict(x, verbose=0))
    assert [type(layer).__name__ for layer in loaded.layers] == ["Dense", "Dense", "Activation"]
    assert [layer.name for layer in loaded.layers] == [layer.name for layer in model.layers]
    assert loaded.layers[0].activation == "tanh"
    assert type(loaded.loss).__name__ == "SparseCategoricalCrossentropy"
    assert isinstance(loaded.optimizer, Adam) and loaded.optimizer.learning_rate == 0.01
    assert loaded.compiled_metrics == ["accuracy"]
    assert loaded.evaluate(x, y, verbose=0) == model.evaluate(x, y, verbose=0)


def test_optimizer_state_is_restored(tmp_path):
    """Training on after loading continues exactly as training on without saving."""
    for optimizer in (Adam(learning_rate=0.01), SGD(learning_rate=0.1, momentum=0.9)):
        model = trained_model(optimizer)
        model.save(tmp_path / "m.npz")
        loaded = load_model(tmp_path / "m.npz")
        assert loaded.optimizer.iterations == model.optimizer.iterations
        x, y = data()
        for m in (model, loaded):
            utils.set_random_seed(42)
            m.fit(x, y, epochs=1, verbose=0)
        for a, b in zip(model.get_weights(), loaded.get_weights()):
            assert np.array_equal(a, b)


def test_float32_model_round_trip(tmp_path):
    old = config.floatx()
    try:
        config.set_floatx("float32")
        model = trained_model()
    finally:
        config.set_floatx(old)
    model.save(tmp_path / "m32.npz")
    loaded = load_model(tmp_path / "m32.npz")
    assert all(w.dtype == np.float32 for w in loaded.get_weights())
    x, _ = data()
    assert np.array_equal(model.predict(x, verbose=0), loaded.predict(x, verbose=0))


def test_uncompiled_model_round_trip(tmp_path):
    model = Sequential([Dense(2, input_dim=3)])
    model.save(tmp_path / "plain.npz")
    loaded = load_model(tmp_path / "plain.npz")
    assert not loaded.compiled
    assert np.array_equal(loaded.get_weights()[0], model.get_weights()[0])


def test_file_is_one_plain_npz_without_pickled_objects(tmp_path, monkeypatch):
    path = tmp_path / "model.npz"
    trained_model().save(path)
    assert os.listdir(tmp_path) == ["model.npz"]
    with np.load(path, allow_pickle=False) as archive:
        assert "backprop_lab_model" in archive.files
        assert all(archive[k].dtype != object for k in archive.files)

    def no_pickle(*args, **kwargs):
        raise AssertionError("pickle must not be used")

    monkeypatch.setattr(pickle, "load", no_pickle)
    monkeypatch.setattr(pickle, "loads", no_pickle)
    load_model(path)


def test_a_failed_write_leaves_the_previous_file_intact(tmp_path, monkeypatch):
    path = tmp_path / "model.npz"
    first = trained_model(seed=1)
    first.save(path)
    before = path.read_bytes()

    def write_half_then_fail(file, arrays):
        file.write(b"PK\x03\x04 partial archive")
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(saving, "_write_arrays", write_half_then_fail)
    with pytest.raises(OSError, match="simulated"):
        trained_model(seed=2).save(path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["model.npz"]  # the temporary file was removed
    x, _ = data()
    assert np.array_equal(load_model(path).predict(x, verbose=0), first.predict(x, verbose=0))


def test_a_failed_rename_leaves_the_previous_file_intact(tmp_path, monkeypatch):
    path = tmp_path / "model.npz"
    trained_model(seed=1).save(path)
    before = path.read_bytes()

    def fail(src, dst):
        raise OSError("crash before rename (simulated)")

    monkeypatch.setattr(saving.os, "replace", fail)
    with pytest.raises(OSError, match="simulated"):
        trained_model(seed=2).save(path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["model.npz"]


def test_overwrite_false_refuses(tmp_path):
    path = tmp_path / "model.npz"
    model = trained_model()
    model.save(path)
    with pytest.raises(FileExistsError, match="model.npz"):
        model.save(path, overwrite=False)


def test_save_needs_npz_extension(tmp_path):
    with pytest.raises(ValueError, match=r"model\.keras.*\.npz"):
        trained_model().save(tmp_path / "model.keras")


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="nothing.npz"):
        load_model(tmp_path / "nothing.npz")


def _expect_bad(path):
    with pytest.raises(ValueError, match="not a readable backprop_lab model") as info:
        load_model(path)
    assert str(path) in str(info.value)


def test_truncated_file(tmp_path):
    path = tmp_path / "model.npz"
    trained_model().save(path)
    data_ = path.read_bytes()
    for cut in (len(data_) // 2, len(data_) - 30, 10):
        path.write_bytes(data_[:cut])
        _expect_bad(path)


def test_corrupted_weights(tmp_path):
    path = tmp_path / "model.npz"
    trained_model().save(path)
    raw = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("weight_000.npy")
    # flip a byte inside the stored array data (past the local header and the .npy header)
    raw[info.header_offset + 30 + len(info.filename) + 20 + 140] ^= 0xFF
    path.write_bytes(bytes(raw))
    _expect_bad(path)


def test_foreign_npz(tmp_path):
    path = tmp_path / "other.npz"
    np.savez(path, a=np.ones(3))
    _expect_bad(path)


def test_text_file(tmp_path):
    path = tmp_path / "notes.npz"
    path.write_text("these are not weights\n")
    _expect_bad(path)


def test_npy_file_and_empty_file(tmp_path):
    npy = tmp_path / "array.npy"
    np.save(npy, np.ones(3))
    _expect_bad(npy)
    empty = tmp_path / "empty.npz"
    empty.write_bytes(b"")
    _expect_bad(empty)


def test_header_from_a_newer_format(tmp_path):
    import json

    header = {"format": "backprop_lab.model", "format_version": 99}
    path = tmp_path / "future.npz"
    np.savez(path, backprop_lab_model=np.frombuffer(json.dumps(header).encode(), np.uint8))
    with pytest.raises(ValueError, match="format version 99"):
        load_model(path)
