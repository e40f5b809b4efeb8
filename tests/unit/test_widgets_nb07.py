"""Headless tests of notebook 07's widgets: OptimizerRace and RegularizationExplorer.

The paths are checked against update rules written here (not the package's), and the
controls are driven as the notebook's sliders would drive them.
"""
import math
import warnings

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from backprop_lab import utils  # noqa: E402
from backprop_lab import widgets as W  # noqa: E402
from backprop_lab.widgets.surfaces import SURFACES  # noqa: E402


@pytest.fixture(scope="module")
def race():
    return W.OptimizerRace()


@pytest.fixture(scope="module")
def explorer():
    return W.RegularizationExplorer(epochs=120)


# --------------------------------------------------------------------------------------
# OptimizerRace
# --------------------------------------------------------------------------------------
def _hand_adam_path(grad, start, steps, lr, b1=0.9, b2=0.999, eps=1e-7):
    w = np.array(start, dtype=float)
    m = v = np.zeros_like(w)
    path = [w]
    for t in range(1, steps + 1):
        g = grad(w)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        w = w - lr * math.sqrt(1 - b2 ** t) / (1 - b1 ** t) * m / (np.sqrt(v) + eps)
        path.append(w)
    return np.array(path)


def _hand_rmsprop_path(grad, start, steps, lr, rho=0.9, eps=1e-7):
    w = np.array(start, dtype=float)
    s = np.zeros_like(w)
    path = [w]
    for _ in range(steps):
        g = grad(w)
        s = rho * s + (1 - rho) * g * g
        w = w - lr * g / np.sqrt(s + eps)
        path.append(w)
    return np.array(path)


def test_race_paths_follow_the_update_rules():
    spec = SURFACES["ravine"]
    got = W.optimizer_path("Adam", spec["grad"], spec["start"], 20, 0.01, 0.1)
    np.testing.assert_allclose(got, _hand_adam_path(spec["grad"], spec["start"], 20, 0.1),
                               rtol=1e-12)
    got = W.optimizer_path("RMSprop", spec["grad"], spec["start"], 20, 0.01, 0.05)
    np.testing.assert_allclose(got, _hand_rmsprop_path(spec["grad"], spec["start"], 20, 0.05),
                               rtol=1e-12)
    sgd = W.optimizer_path("SGD", spec["grad"], spec["start"], 5, 0.02, 0.1)
    expected = [np.array(spec["start"], float)]
    for _ in range(5):
        expected.append(expected[-1] - 0.02 * spec["grad"](expected[-1]))
    np.testing.assert_allclose(sgd, np.array(expected), rtol=1e-14)
    momentum = W.optimizer_path("momentum", spec["grad"], spec["start"], 30, 0.02, 0.1, 0.0)
    np.testing.assert_allclose(momentum, W.optimizer_path("SGD", spec["grad"], spec["start"],
                                                          30, 0.02, 0.1), rtol=1e-14)


def test_race_on_the_ravine_adaptive_methods_win(race):
    s = race.set(surface="ravine", learning_rate=0.02, adaptive_learning_rate=0.1,
                 momentum=0.9, steps=150)
    assert set(s["racers"]) == {"SGD", "momentum", "RMSprop", "Adam"}
    assert s["ranking"][-1] == "SGD" and s["racers"]["SGD"]["reached"] is None
    assert s["racers"]["momentum"]["reached"] < 150
    for name in ("Adam", "RMSprop"):
        assert s["racers"][name]["reached"] < s["racers"]["momentum"]["reached"]
    assert len(s["racers"]["Adam"]["trajectory"]) == 151
    assert "steps to loss" in race.summary_text()


def test_race_reports_an_optimizer_that_flies_off(race):
    s = race.set(surface="rosenbrock", learning_rate=0.02, steps=50)
    assert s["racers"]["SGD"]["escaped"] and s["ranking"][-1] in ("SGD", "momentum")
    assert "flew off" in race.summary_text()
    s = race.set(surface="rosenbrock", learning_rate=1e-3, adaptive_learning_rate=0.02,
                 steps=1000)
    assert not any(r["escaped"] for r in s["racers"].values())


def test_race_bad_controls_name_the_argument(race):
    with pytest.raises(ValueError, match=r"OptimizerRace\(surface='double_well'\)"):
        race.set(surface="double_well")
    with pytest.raises(ValueError, match=r"OptimizerRace\(momentum=...\)"):
        race.set(momentum=1.5)
    with pytest.raises(ValueError, match=r"unknown control"):
        race.set(beta=0.9)


def test_race_widgets_move_with_set(race):
    pytest.importorskip("ipywidgets")
    controls = race.controls
    assert type(controls["surface"]).__name__ == "Dropdown"
    controls["surface"].value = "bowl"
    assert race.state["surface"] == "bowl"
    race.set(adaptive_learning_rate=0.05)
    assert controls["adaptive_learning_rate"].value == pytest.approx(0.05)
    assert race.to_png()[:4] == b"\x89PNG"


# --------------------------------------------------------------------------------------
# RegularizationExplorer
# --------------------------------------------------------------------------------------
def test_regularization_narrows_the_gap(explorer):
    plain = explorer.set(dropout=0.0, l2=0.0)
    dropped = explorer.set(dropout=0.5, l2=0.0)
    decayed = explorer.set(dropout=0.0, l2=1e-2)
    assert plain["train_accuracy"] > plain["held_out_accuracy"]
    assert plain["held_out_loss"] > 2 * plain["train_loss"]  # it overfits
    assert dropped["gap"] < plain["gap"] and decayed["gap"] < plain["gap"]
    assert decayed["kernel_norm"] < plain["kernel_norm"]
    assert plain["gap"] == pytest.approx(plain["held_out_loss"] - plain["train_loss"])
    assert len(plain["train_losses"]) == len(plain["epochs_recorded"]) == 13
    assert "gap" in explorer.summary_text()


def test_regularization_explorer_is_deterministic_and_leaves_the_global_seed(explorer):
    utils.set_random_seed(123)
    before = utils.rng().bit_generator.state
    a = W.RegularizationExplorer(dropout=0.3, epochs=40).state
    assert utils.rng().bit_generator.state == before
    b = W.RegularizationExplorer(dropout=0.3, epochs=40).state
    assert a["train_loss"] == b["train_loss"] and a["held_out_loss"] == b["held_out_loss"]


def test_regularization_explorer_controls(explorer):
    with pytest.raises(ValueError, match=r"RegularizationExplorer\(dropout=...\)"):
        explorer.set(dropout=0.9)
    with pytest.raises(ValueError, match=r"RegularizationExplorer\(l2=...\)"):
        explorer.set(l2=-1)
    pytest.importorskip("ipywidgets")
    controls = explorer.controls
    controls["l2"].value = 1e-3
    assert explorer.state["l2"] == 1e-3
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        explorer.set(l2=2.5e-3)  # between the slider's stops: the slider shows the nearest
    assert controls["l2"].value == 3e-3 and explorer.state["l2"] == 2.5e-3
    assert explorer.to_png()[:4] == b"\x89PNG"


def test_regularization_sliders_apply_on_release(explorer):
    """A setting retrains the network (about 0.1 s): a drag must not queue a
    retraining per pixel, so every slider applies when released."""
    pytest.importorskip("ipywidgets")
    sliders = {name: c for name, c in explorer.controls.items() if "Slider" in type(c).__name__}
    assert set(sliders) == {"dropout", "l2", "epochs"}
    assert all(c.continuous_update is False for c in sliders.values())
