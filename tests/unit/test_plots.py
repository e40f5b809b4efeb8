"""Tests of backprop_lab.plots: each function returns a Figure holding the expected artists."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from backprop_lab import functional, plots  # noqa: E402


@pytest.fixture(autouse=True)
def no_show_and_close(monkeypatch):
    """The convention: plot functions never call plt.show().  Close figures after each test."""
    def forbidden(*args, **kwargs):
        raise AssertionError("a plot function called plt.show()")

    monkeypatch.setattr(plt, "show", forbidden)
    yield
    plt.close("all")


class FakeHistory:
    def __init__(self, history):
        self.history = history


HISTORY = {
    "loss": [0.9, 0.6, 0.4],
    "val_loss": [1.0, 0.7, 0.6],
    "accuracy": [0.5, 0.7, 0.8],
    "val_accuracy": [0.4, 0.6, 0.7],
}


def test_plot_history_two_panels_with_train_and_val():
    fig = plots.plot_history(FakeHistory(HISTORY))
    assert isinstance(fig, matplotlib.figure.Figure)
    loss_ax, acc_ax = fig.axes
    assert [line.get_label() for line in loss_ax.lines] == ["training loss", "validation loss"]
    assert [line.get_label() for line in acc_ax.lines] == [
        "training accuracy", "validation accuracy"]
    np.testing.assert_array_equal(loss_ax.lines[1].get_xdata(), [1, 2, 3])
    np.testing.assert_array_equal(loss_ax.lines[1].get_ydata(), HISTORY["val_loss"])
    np.testing.assert_array_equal(acc_ax.lines[0].get_ydata(), HISTORY["accuracy"])
    assert loss_ax.get_xlabel() == "epoch"


def test_plot_history_from_a_list_and_into_a_given_axes():
    fig, ax = plt.subplots()
    returned = plots.plot_history([3.0, 2.0, float("nan"), 1.0], ax=ax)
    assert returned is fig
    assert len(ax.lines) == 1
    y = ax.lines[0].get_ydata()
    assert np.isnan(y[2]) and y[3] == 1.0


def test_plot_history_without_accuracy_has_one_panel():
    fig = plots.plot_history({"loss": [1, 0.5]})
    assert len(fig.axes) == 1


def test_plot_history_bad_input():
    with pytest.raises(ValueError, match="loss"):
        plots.plot_history({"accuracy": [0.5]})
    with pytest.raises(ValueError, match="metric"):
        plots.plot_history(HISTORY, metric="f1")


def test_predicted_classes_reads_every_output_form():
    np.testing.assert_array_equal(plots.predicted_classes([[0.1, 0.9], [3, -1]]), [1, 0])
    np.testing.assert_array_equal(plots.predicted_classes([[0.2], [0.7]]), [0, 1])
    np.testing.assert_array_equal(plots.predicted_classes([-2.0, 3.0]), [0, 1])


def test_decision_boundary_of_a_known_rule():
    # Class 1 exactly where x0 > 0: the left half of the image must be 0, the right 1.
    X = np.array([[-1.0, -1.0], [1.0, 1.0], [-1.0, 1.0], [1.0, -1.0]])
    y = np.array([0, 1, 0, 1])

    def rule(points):
        return np.stack([-points[:, 0], points[:, 0]], axis=1)

    fig = plots.plot_decision_boundary(rule, X, y, resolution=41, padding=0.5)
    ax = fig.axes[0]
    assert len(ax.images) == 1 and len(ax.collections) == 1
    image = np.asarray(ax.images[0].get_array())
    assert image.shape == (41, 41)
    grid_x = np.linspace(-1.5, 1.5, 41)
    np.testing.assert_array_equal(image[7], (grid_x > 0).astype(int))
    np.testing.assert_array_equal(ax.collections[0].get_offsets(), X)


def test_decision_boundary_accepts_an_object_with_predict_and_one_hot_labels():
    class Model:
        def predict(self, points):
            return (points[:, 1:2] > 0).astype(float)  # (N, 1) probabilities

    X = np.array([[0.0, -1.0], [0.0, 1.0]])
    fig = plots.plot_decision_boundary(Model(), X, np.array([[1, 0], [0, 1]]), resolution=5)
    image = np.asarray(fig.axes[0].images[0].get_array())
    assert image[0].tolist() == [0] * 5 and image[-1].tolist() == [1] * 5


def test_decision_boundary_rejects_3d_inputs():
    with pytest.raises(ValueError, match=r"\(N, 2\)"):
        plots.plot_decision_boundary(lambda p: p, np.zeros((3, 3)), np.zeros(3))


def test_loss_surface_1d_curve_and_path():
    path = [2.0, 1.0, 0.5]
    fig = plots.plot_loss_surface(lambda w: w ** 2, xlim=(-2, 2), trajectory=path,
                                  resolution=21)
    ax = fig.axes[0]
    curve, route, start = ax.lines
    np.testing.assert_allclose(curve.get_xdata(), np.linspace(-2, 2, 21))
    np.testing.assert_allclose(curve.get_ydata(), np.linspace(-2, 2, 21) ** 2)
    np.testing.assert_allclose(route.get_ydata(), [4.0, 1.0, 0.25])
    np.testing.assert_allclose(start.get_xdata(), [2.0])


def test_loss_surface_2d_contours_vectorized_and_not():
    def bowl(w):
        w = np.asarray(w)
        return w[..., 0] ** 2 + 3 * w[..., 1] ** 2

    path = np.array([[1.0, 1.0], [0.5, 0.2], [0.0, 0.0]])
    fig = plots.plot_loss_surface(bowl, xlim=(-1, 1), ylim=(-1, 1), trajectory=path,
                                  resolution=30, vectorized=True)
    ax = fig.axes[0]
    assert len(ax.collections) >= 2  # filled contours + contour lines
    np.testing.assert_array_equal(ax.lines[0].get_xydata(), path)
    w0, w1, values = plots.evaluate_surface(bowl, (-1, 1), (-1, 1), 30)
    np.testing.assert_allclose(values[3, 5], w0[5] ** 2 + 3 * w1[3] ** 2)
    _, _, fast = plots.evaluate_surface(bowl, (-1, 1), (-1, 1), 30, vectorized=True)
    np.testing.assert_allclose(values, fast)


def test_contour_levels_follow_quantiles_and_reject_all_nan():
    levels = plots.contour_levels(np.arange(101.0), n_levels=5)
    np.testing.assert_allclose(levels, [0, 25, 50, 75, 100])
    with pytest.raises(ValueError, match="not finite"):
        plots.contour_levels(np.full((3, 3), np.nan))


def test_gradient_flow_bars_match_magnitudes():
    grads = {"dense_1": np.array([[1e-3, -3e-3]]), "dense_2": np.array([0.5, -1.0]),
             "dead": np.zeros(3)}
    fig = plots.plot_gradient_flow(grads)
    ax = fig.axes[0]
    heights = [p.get_height() for p in ax.patches]
    np.testing.assert_allclose(heights[:2], [2e-3, 0.75])
    assert np.isnan(heights[2])
    np.testing.assert_allclose(heights[3:5], [3e-3, 1.0])
    assert [t.get_text() for t in ax.get_xticklabels()] == ["dense_1", "dense_2", "dead"]
    assert ax.get_yscale() == "log"
    assert any(t.get_text() == "0" for t in ax.texts)


def test_gradient_flow_accepts_lists():
    names, means, maxes = plots.gradient_magnitudes([np.ones(2), ("out", -2 * np.ones(3))])
    assert names == ["layer 1", "out"]
    np.testing.assert_allclose(means, [1, 2])


@pytest.mark.parametrize("name", ["relu", "sigmoid", "tanh"])
def test_plot_activation_derivative_matches_finite_differences(name):
    z = np.linspace(-3, 3, 61) + 0.025  # avoid z = 0 exactly (the ReLU kink)
    fig = plots.plot_activation(name, z=z)
    value_line, slope_line = fig.axes[0].lines[:2]  # then the two axis lines
    forward = functional.ACTIVATIONS[name][0]
    h = 1e-6
    numeric = (forward(z + h)[0] - forward(z - h)[0]) / (2 * h)
    np.testing.assert_allclose(slope_line.get_ydata(), numeric, atol=1e-6)
    np.testing.assert_allclose(value_line.get_ydata(), forward(z)[0])


def test_plot_activation_rejects_softmax():
    with pytest.raises(ValueError, match="softmax"):
        plots.plot_activation("softmax")


def test_plot_images_titles_mark_mistakes():
    images = np.arange(3 * 64).reshape(3, 64)
    fig = plots.plot_images(images, labels=[1, 2, 3], predictions=[1, 5, 3], n=3)
    assert len(fig.axes) == 3
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == ["1", "5 (2)", "3"]
    assert fig.axes[1].title.get_color() == "red"
    np.testing.assert_array_equal(fig.axes[2].images[0].get_array(),
                                  images[2].reshape(8, 8))


def test_importing_plots_does_not_import_matplotlib():
    import subprocess
    import sys

    code = ("import sys, backprop_lab.plots, backprop_lab.widgets; "
            "print('matplotlib' in sys.modules, 'ipywidgets' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["False", "False"]
