"""Headless tests of backprop_lab.widgets (and the training loop they run).

Gradients are checked against the ``autograd`` package, never against the code itself.
"""
import base64
import sys
import types
import warnings

import matplotlib

matplotlib.use("Agg")

import autograd  # noqa: E402
import autograd.numpy as anp  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from backprop_lab import autodiff, datasets, functional, utils  # noqa: E402
from backprop_lab import train_loop as tl  # noqa: E402
from backprop_lab import widgets as W  # noqa: E402
from backprop_lab.layers import Activation, Dense  # noqa: E402
from backprop_lab.models import Sequential  # noqa: E402
from backprop_lab.optimizers import SGD  # noqa: E402


@pytest.fixture(scope="module")
def explorer():
    return W.LearningRateExplorer()


def no_warnings(call):
    """Run call() turning every warning into an error; return its result."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return call()


# --------------------------------------------------------------------------------------
# The training loop against autograd
# --------------------------------------------------------------------------------------
def autograd_mlp_loss(params, x, y):
    """Sparse categorical cross-entropy of a ReLU MLP, written with autograd.numpy."""
    a = x
    n_layers = len(params) // 2
    for layer in range(n_layers):
        z = anp.dot(a, params[2 * layer]) + params[2 * layer + 1]
        a = anp.maximum(z, 0) if layer < n_layers - 1 else z
    shifted = a - anp.max(a, axis=1, keepdims=True)
    log_p = shifted - anp.log(anp.sum(anp.exp(shifted), axis=1, keepdims=True))
    return -anp.mean(log_p[np.arange(len(y)), y])


def test_mlp_gradients_match_autograd():
    x, y = datasets.moons(n_samples=30, seed=1)
    params = tl.init_mlp((2, 5, 2), seed=3)
    loss, grads = tl.mlp("relu")[0](params, x, y)
    expected = autograd.grad(autograd_mlp_loss)(params, x, y)
    assert loss == pytest.approx(autograd_mlp_loss(params, x, y))
    for g, e in zip(grads, expected):
        np.testing.assert_allclose(g, e, rtol=1e-10, atol=1e-12)


def test_first_update_ratio_matches_autograd_gradient():
    x, y = datasets.spirals(n_samples=40, n_classes=2, seed=0)
    params = tl.init_mlp((2, 4, 2), seed=0)
    lr = 0.5
    result = tl.train(params, tl.mlp("relu")[0], x, y, lr, epochs=1)
    expected = autograd.grad(autograd_mlp_loss)(params, x, y)
    first = result["update_ratios"][0]
    for i in (0, 2):  # the two kernels
        ratio = np.linalg.norm(lr * expected[i]) / np.linalg.norm(params[i])
        assert first[i] == pytest.approx(ratio, rel=1e-9)
    # One full-batch step is w - lr * grad.
    np.testing.assert_allclose(result["params"][0], params[0] - lr * expected[0], rtol=1e-12)


def test_train_does_not_modify_its_input_and_is_deterministic():
    x, y = datasets.moons(n_samples=50, seed=0)
    params = tl.init_mlp((2, 6, 2), seed=1)
    before = [w.copy() for w in params]
    r1 = tl.train(params, tl.mlp()[0], x, y, 0.3, 5, batch_size=16, seed=2)
    r2 = tl.train(params, tl.mlp()[0], x, y, 0.3, 5, batch_size=16, seed=2)
    for w, b in zip(params, before):
        np.testing.assert_array_equal(w, b)
    np.testing.assert_array_equal(r1["losses"], r2["losses"])
    assert r1["update_ratios"].shape == (5 * 4, 4)  # 4 batches per epoch, 4 arrays


def test_train_rejects_a_bad_learning_rate():
    with pytest.raises(ValueError, match="learning_rate"):
        tl.train([np.ones((2, 2))], lambda p, x, y: (0.0, p), np.ones((3, 2)), np.zeros(3), -1, 1)


def test_epoch_loss_weights_each_batch_by_its_size():
    # A "model" whose loss is the batch mean of x[:, 0] and whose gradient is 0: every
    # epoch's loss must be the mean over all 10 rows, even with a short last batch (4, 4, 2).
    x = np.arange(20.0).reshape(10, 2)
    y = np.zeros(10, dtype=int)

    def constant(params, xb, yb):
        return float(np.mean(xb[:, 0])), [np.zeros_like(params[0])]

    result = tl.train([np.ones((2, 2))], constant, x, y, 0.1, epochs=3, batch_size=4)
    np.testing.assert_allclose(result["losses"], [np.mean(x[:, 0])] * 3, rtol=1e-12)


def test_initial_loss_is_the_loss_before_any_update():
    x, y = datasets.moons(n_samples=40, seed=2)
    params = tl.init_mlp((2, 5, 2), seed=4)
    expected = autograd_mlp_loss(params, x, y)
    for batch_size in (None, 8):
        result = tl.train(params, tl.mlp()[0], x, y, 0.5, 3, batch_size=batch_size)
        assert result["initial_loss"] == pytest.approx(expected, rel=1e-12)


def test_dead_units_are_columns_that_are_zero_for_every_input():
    x = np.array([[0.5, -1.0], [1.0, 0.25], [-0.75, 0.5]])
    # Unit j gets z = b_j (zero weights): dead where b_j <= 0, alive where b_j > 0.
    W1, b1 = np.zeros((2, 4)), np.array([-1.0, 0.5, 0.0, 2.0])
    W1[:, 3] = [1.0, 1.0]  # unit 3: z = x0 + x1 + 2 > 0 on every row
    params = [W1, b1, np.ones((4, 2)), np.zeros(2)]
    hidden = tl.hidden_outputs(params, x)
    assert len(hidden) == 1 and hidden[0].shape == (3, 4)
    assert tl.dead_units(hidden) == (2, 4)  # units 0 and 2
    assert tl.dead_units([np.zeros((3, 2)), np.ones((3, 5))]) == (2, 7)


@pytest.mark.parametrize(
    "losses, final, expected",
    [
        ([1.0, 0.99, 0.98, 0.97], 0.96, "too slow"),
        ([1.0, 0.6, 0.4, 0.3], 0.2, "good"),
        ([1.0, 0.5, 0.7, 0.3, 0.5, 0.2], 0.1, "oscillating"),
        ([1.0, 3.0, 0.9, 0.8], 0.7, "oscillating"),   # a spike above 1.5x the start
        ([1.0, 2.0, 1.5, 1.8], 1.7, "diverging"),     # no net progress
        ([1.0, 5.0, float("inf")], None, "diverging"),
        ([1.0, 0.5], float("nan"), "diverging"),
    ],
)
def test_classify_regime(losses, final, expected):
    assert tl.classify_regime(losses, final) == expected


def test_classify_regime_judges_from_the_loss_before_training():
    # With mini-batches the first epoch's mean can already be far above the start.
    assert tl.classify_regime([2.0, 1.9, 1.8], 1.7) == "too slow"
    assert tl.classify_regime([2.0, 1.9, 1.8], 1.7, initial_loss=0.7) == "diverging"


# --------------------------------------------------------------------------------------
# LearningRateExplorer
# --------------------------------------------------------------------------------------
def test_explorer_state_is_plain_data(explorer):
    state = explorer.set(learning_rate=0.3)
    for key in ("learning_rate", "epochs", "batch_size", "regime", "losses", "final_loss",
                "accuracy", "update_ratios", "diverged", "message", "error"):
        assert key in state
    assert isinstance(state["losses"], list) and len(state["losses"]) == 100
    assert all(isinstance(v, float) for v in state["losses"])
    assert set(state["update_ratios"]) == {"W1", "W2"}
    # The figure shows the same numbers: the loss line holds the state's losses.
    np.testing.assert_array_equal(explorer.loss_line.get_ydata(), state["losses"])


def test_learning_rate_10_diverges_without_warnings(explorer):
    state = no_warnings(lambda: explorer.set(learning_rate=10.0))
    assert state["regime"] == "diverging"
    assert "Lower the learning rate" in state["message"] or "blew up" in state["message"]
    png = no_warnings(explorer.to_png)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_learning_rate_10_kills_the_relus_and_says_so(explorer):
    state = no_warnings(lambda: explorer.set(learning_rate=10.0))
    assert state["regime"] == "diverging"
    assert state["dead_units"] == state["hidden_units"] == 16
    assert "16 of 16 hidden units are dead" in state["message"]
    assert "no gradient flows through them" in state["message"]
    # Independent check: every hidden pre-activation is <= 0 on every input, and the
    # gradient autograd computes there is exactly 0 for every kernel column and bias.
    params = explorer._params
    assert np.all(explorer.x @ params[0] + params[1] <= 0)
    grads = autograd.grad(autograd_mlp_loss)(params, explorer.x, explorer.y)
    assert not np.any(grads[0]) and not np.any(grads[1]) and not np.any(grads[2])
    # The ratio shown is not the 0 of the dead steps.
    assert all(r > 1e-2 for r in state["update_ratios"].values())
    assert "0.0e+00" not in explorer._summary()
    assert "first step" in explorer._summary() and "largest" in explorer._summary()
    assert explorer.loss_note.get_text() == "16 of 16 hidden units dead"


def test_first_update_ratio_is_the_autograd_step(explorer):
    # Full batch, same start: ratio = lr * ||dL/dW|| / ||W||, with dL/dW from autograd,
    # so it grows in proportion to the learning rate; the largest is never smaller.
    grads = autograd.grad(autograd_mlp_loss)(explorer.initial_params, explorer.x, explorer.y)
    for lr in (0.03, 10.0):
        state = explorer.set(learning_rate=lr)
        for name, i in (("W1", 0), ("W2", 2)):
            expected = lr * np.linalg.norm(grads[i]) / np.linalg.norm(explorer.initial_params[i])
            assert state["update_ratios"][name] == pytest.approx(expected, rel=1e-9)
            assert state["largest_update_ratios"][name] >= state["update_ratios"][name]


def test_a_healthy_run_has_no_dead_units_and_no_dead_note(explorer):
    state = explorer.set(learning_rate=1.0)
    assert state["dead_units"] == 0 and state["hidden_units"] == 16
    assert "dead" not in state["message"]
    assert not explorer.loss_note.get_visible()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_regimes_are_the_same_for_other_seeds(seed):
    app = W.LearningRateExplorer(seed=seed)
    regimes = [app.set(learning_rate=lr)["regime"] for lr in (1e-4, 1.0, 10.0)]
    assert regimes == ["too slow", "good", "diverging"]


def test_mini_batches_judged_from_the_start(explorer):
    # Batch 8 at lr 10: the first epoch's own mean is already high, then the loss is
    # flat with dead units; compared with the loss before training it is diverging.
    state = no_warnings(lambda: explorer.set(learning_rate=10.0, batch_size=8))
    assert state["regime"] == "diverging"
    assert state["dead_units"] == 16
    # A tiny learning rate with a short last batch is not mistaken for oscillation.
    assert explorer.set(learning_rate=1e-4, batch_size=32)["regime"] == "too slow"
    explorer.set(learning_rate=0.3, batch_size=None)


def test_tiny_learning_rate_is_too_slow(explorer):
    state = no_warnings(lambda: explorer.set(learning_rate=1e-4))
    assert state["regime"] == "too slow"
    assert state["update_ratios"]["W1"] < 1e-4


def test_sensible_learning_rate_is_good_and_learns(explorer):
    state = explorer.set(learning_rate=1.0)
    assert state["regime"] == "good"
    assert state["accuracy"] > 0.9
    assert state["final_loss"] < 0.5 * state["losses"][0]


def test_large_learning_rate_oscillates(explorer):
    assert explorer.set(learning_rate=4.0)["regime"] == "oscillating"


def test_same_settings_same_state():
    a = W.LearningRateExplorer(learning_rate=0.5, epochs=20).state
    b = W.LearningRateExplorer(learning_rate=0.5, epochs=20).state
    assert a == b


def test_mini_batches_change_the_training(explorer):
    full = explorer.set(learning_rate=0.3, batch_size=None)
    mini = explorer.set(batch_size=32)
    assert mini["batch_size"] == 32
    assert mini["losses"] != full["losses"]
    explorer.set(batch_size=None)


def exploding_linear_model(n_features, n_classes, seed):
    """A linear model with the 1/2-sum squared error on one-hot targets (model protocol).

    With large inputs, lr = 10 makes the weights grow geometrically until they overflow.
    """
    params = [np.full((n_features, n_classes), 0.1), np.zeros(n_classes)]

    def loss_and_grads(params, x, y):
        W, b = params
        out = x @ W + b
        target = np.eye(n_classes)[y]
        diff = out - target
        return 0.5 * np.sum(diff * diff), [x.T @ diff, diff.sum(axis=0)]

    def predict(params, x):
        return x @ params[0] + params[1]

    return params, loss_and_grads, predict


def test_overflowing_model_is_diverging_not_an_error():
    x, y = datasets.blobs(n_samples=50, n_classes=2, seed=0)
    app = no_warnings(lambda: W.LearningRateExplorer(
        data=(x * 100, y), model_fn=exploding_linear_model, learning_rate=10.0))
    state = app.state
    assert state["diverged"] is True
    assert state["regime"] == "diverging"
    assert "blew up" in state["message"]
    assert state["error"] is None
    assert all(np.isfinite(state["losses"]))
    no_warnings(app.to_png)


def reference_functions():
    names = ["dense_forward", "dense_backward", "relu_forward", "relu_backward",
             "sparse_categorical_crossentropy_from_logits",
             "sparse_categorical_crossentropy_from_logits_grad"]
    return {name: getattr(functional, name) for name in names}


def test_learner_functions_equal_to_the_reference_give_the_same_run(explorer):
    mine = W.LearningRateExplorer(functions=reference_functions(), learning_rate=1.0)
    reference = explorer.set(learning_rate=1.0)
    assert mine.state["losses"] == reference["losses"]
    assert mine.state["gradient_check"] < 1e-6
    assert "disagree" not in mine.state["message"]


def test_a_wrong_backward_is_reported():
    def transposed_bug(dz, cache):
        x, W = cache
        return dz @ W.T, (x.T @ dz) * -1.0, dz.sum(axis=0)  # sign error in dW

    app = no_warnings(lambda: W.LearningRateExplorer(
        functions={"dense_backward": transposed_bug}, learning_rate=1.0))
    state = app.state
    assert state["gradient_check"] > 1e-2
    assert "disagree with finite differences" in state["message"]
    assert state["regime"] != "good"


def test_a_raising_function_gives_an_error_state_not_a_traceback():
    def wrong_shape(dz, cache):
        x, W = cache
        return dz @ W.T, dz.T @ x, dz.sum(axis=0)  # dW transposed: (M, D) not (D, M)

    app = W.LearningRateExplorer(functions={"dense_backward": wrong_shape})
    state = app.state
    assert state["regime"] == "error"
    assert "grads[0] has shape (16, 2) but params[0] has shape (2, 16)" in state["message"]
    app.set(learning_rate=2.0)  # still works after the error
    no_warnings(app.to_png)

    def crashes(dz, cache):
        x, W_ = cache
        return dz @ W_, x.T @ dz, dz.sum(axis=0)  # dz @ W instead of dz @ W.T

    state = W.LearningRateExplorer(functions={"dense_backward": crashes}).state
    assert state["regime"] == "error"
    assert "ValueError in crashes()" in state["message"]


def test_model_fn_protocol_runs_a_learners_model():
    x, y = datasets.blobs(n_samples=60, n_classes=2, noise=0.5, seed=1)

    def softmax_regression(n_features, n_classes, seed):
        params = [np.zeros((n_features, n_classes)), np.zeros(n_classes)]

        def loss_and_grads(params, x, y):
            z = x @ params[0] + params[1]
            loss = functional.sparse_categorical_crossentropy_from_logits(y, z)
            dz = functional.sparse_categorical_crossentropy_from_logits_grad(y, z)
            return loss, [x.T @ dz, dz.sum(axis=0)]

        return params, loss_and_grads, lambda params, x: x @ params[0] + params[1]

    app = W.LearningRateExplorer(data=(x, y), model_fn=softmax_regression, learning_rate=0.3)
    assert app.state["accuracy"] > 0.9
    assert app.state["gradient_check"] < 1e-6
    assert set(app.state["update_ratios"]) == {"W1"}


def test_failing_model_fn_is_reported():
    def broken(n_features, n_classes, seed):
        raise RuntimeError("not written yet")

    app = W.LearningRateExplorer(model_fn=broken)
    assert app.state["regime"] == "error"
    assert "not written yet" in app.state["message"]


def test_explorer_argument_errors():
    with pytest.raises(ValueError, match="learning_rate"):
        W.LearningRateExplorer(learning_rate=-1)
    with pytest.raises(ValueError, match="not both"):
        W.LearningRateExplorer(functions={}, model_fn=exploding_linear_model)
    with pytest.raises(ValueError, match="not both model_fn= and model="):
        W.LearningRateExplorer(model_fn=exploding_linear_model, model=Sequential())
    with pytest.raises(ValueError, match=r"\(N, 2\)"):
        W.LearningRateExplorer(data=(np.zeros((5, 3)), np.zeros(5)))
    with pytest.raises(ValueError, match="unknown control"):
        W.LearningRateExplorer(epochs=10).set(momentum=0.9)


# --------------------------------------------------------------------------------------
# LearningRateExplorer driving a Keras-style Sequential
# --------------------------------------------------------------------------------------
def relu_softmax_model(seed=0):
    utils.set_random_seed(seed)
    return Sequential([Dense(16, activation="relu", input_dim=2),
                       Dense(2, activation="softmax")])


def test_explorer_drives_a_sequential_and_leaves_it_unchanged():
    model = relu_softmax_model()
    before = model.get_weights()
    app = W.LearningRateExplorer(model=model, learning_rate=1.0)
    # The first epoch's loss and step are those of the model's weights (autograd oracle).
    assert app.state["losses"][0] == pytest.approx(
        autograd_mlp_loss(before, app.x, app.y), rel=1e-10)
    grads = autograd.grad(autograd_mlp_loss)(before, app.x, app.y)
    assert app.state["update_ratios"]["W1"] == pytest.approx(
        np.linalg.norm(grads[0]) / np.linalg.norm(before[0]), rel=1e-8)
    assert app.state["gradient_check"] < 1e-6
    slow = app.set(learning_rate=0.01)
    fast = no_warnings(lambda: app.set(learning_rate=10.0))
    assert slow["losses"] != fast["losses"]
    assert fast["regime"] == "diverging"
    assert all(np.isfinite(fast["losses"])) and fast["error"] is None
    assert fast["dead_units"] == fast["hidden_units"] == 16
    no_warnings(app.to_png)
    # The learner's model: same weights, still not compiled.
    for w, b in zip(model.get_weights(), before):
        np.testing.assert_array_equal(w, b)
    assert model.loss is None and model.optimizer is None


def autograd_sigmoid_loss(params, x, y):
    """Binary cross-entropy of a 2-16-1 ReLU/sigmoid network, with autograd.numpy."""
    hidden = anp.maximum(anp.dot(x, params[0]) + params[1], 0)
    p = 1 / (1 + anp.exp(-(anp.dot(hidden, params[2]) + params[3])))[:, 0]
    return -anp.mean(y * anp.log(p) + (1 - y) * anp.log(1 - p))


def test_from_sequential_with_a_compiled_unbuilt_sigmoid_model():
    utils.set_random_seed(1)
    model = Sequential([Dense(16, activation="relu"), Dense(1, activation="sigmoid")])
    optimizer = SGD(learning_rate=0.1, momentum=0.9)
    model.compile(loss="binary_crossentropy", optimizer=optimizer)
    random_state = utils.rng().bit_generator.state
    model_fn = tl.from_sequential(model)
    params, loss_and_grads, predict = model_fn(2, 2, 0)
    # Nothing of the learner's changed: still unbuilt, same optimizer, same random stream.
    assert not model.built and model.optimizer is optimizer
    assert utils.rng().bit_generator.state == random_state
    x, y = datasets.moons(n_samples=30, seed=5)
    loss, grads = loss_and_grads(params, x, y)
    assert loss == pytest.approx(autograd_sigmoid_loss(params, x, y), rel=1e-10)
    for g, e in zip(grads, autograd.grad(autograd_sigmoid_loss)(params, x, y)):
        np.testing.assert_allclose(np.reshape(g, np.shape(e)), e, rtol=1e-8, atol=1e-12)
    # One sigmoid output p becomes two scores whose argmax is class 1 where p > 0.5.
    hidden = np.maximum(x @ params[0] + params[1], 0)
    p = 1 / (1 + np.exp(-(hidden @ params[2] + params[3])))
    np.testing.assert_array_equal(np.argmax(predict(params, x), axis=1), p[:, 0] > 0.5)

    app = W.LearningRateExplorer(model=model, learning_rate=1.0)
    assert app.state["regime"] == "good"
    assert no_warnings(lambda: app.set(learning_rate=10.0))["regime"] == "diverging"


def test_sequential_with_activation_layers_and_float32():
    model = Sequential([Dense(8, input_dim=2, dtype="float32"), Activation("relu"),
                        Dense(2, dtype="float32")])  # logits: from_logits loss
    app = no_warnings(lambda: W.LearningRateExplorer(model=model, learning_rate=1.0))
    state = app.state
    assert state["hidden_units"] == 8  # the Activation('relu') layer's 8 outputs
    assert state["gradient_check"] is None  # finite differences need float64
    assert state["regime"] in ("good", "too slow", "oscillating")
    assert no_warnings(lambda: app.set(learning_rate=10.0))["regime"] == "diverging"
    assert model.get_weights()[0].dtype == np.float32


def test_from_sequential_with_batch_normalization_trains_only_trainable_weights():
    from backprop_lab.layers import BatchNormalization

    utils.set_random_seed(3)
    model = Sequential([Dense(8, input_dim=2), BatchNormalization(), Activation("relu"),
                        Dense(2, activation="softmax")])
    model_fn = tl.from_sequential(model)
    params, loss_and_grads, predict = model_fn(2, 2, 0)
    # kernel, bias, gamma, beta, kernel, bias: the moving statistics are not trained.
    assert [p.shape for p in params] == [(2, 8), (8,), (8,), (8,), (8, 2), (2,)]
    x, y = datasets.moons(n_samples=40, seed=2)
    loss, grads = loss_and_grads(params, x, y)
    assert [g.shape for g in grads] == [p.shape for p in params]
    # The gradient of the second kernel, by central differences of the training loss.
    k, h = 4, 1e-6
    numerical = np.zeros_like(params[k])
    for index in np.ndindex(params[k].shape):
        shifted = [p.copy() for p in params]
        shifted[k][index] += h
        up = loss_and_grads(shifted, x, y)[0]
        shifted[k][index] -= 2 * h
        numerical[index] = (up - loss_and_grads(shifted, x, y)[0]) / (2 * h)
    np.testing.assert_allclose(grads[k], numerical, rtol=1e-5, atol=1e-8)
    assert predict(params, x).shape == (40, 2)
    app = no_warnings(lambda: W.LearningRateExplorer(model=model, learning_rate=0.5))
    assert app.state["regime"] in ("good", "too slow", "oscillating")


def test_explorer_with_a_scheduled_optimizer_uses_the_slider_rate():
    from backprop_lab.optimizers import schedules

    schedule = schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.9)
    optimizer = SGD(learning_rate=schedule, momentum=0.9)
    fresh = tl.make_optimizer(0.05, optimizer=optimizer)
    assert isinstance(fresh, SGD) and fresh.momentum == 0.9
    assert fresh.learning_rate == 0.05
    from backprop_lab import optimizers as opt  # the given optimizer keeps its schedule
    assert opt.serialize(optimizer)["config"]["learning_rate"]["class_name"] == \
        "ExponentialDecay"
    model = Sequential([Dense(8, activation="relu", input_dim=2),
                        Dense(2, activation="softmax")])
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy")
    app = no_warnings(lambda: W.LearningRateExplorer(model=model, learning_rate=1.0))
    assert app.state["regime"] in ("good", "too slow", "oscillating")


def test_sequential_that_does_not_fit_the_data_is_refused_clearly():
    with pytest.raises(TypeError, match="Sequential"):
        W.LearningRateExplorer(model="my model")
    with pytest.raises(ValueError, match="input_dim=2"):
        W.LearningRateExplorer(model=Sequential([Dense(2, activation="softmax",
                                                       input_dim=3)]))
    with pytest.raises(ValueError, match=r"Dense\(2, activation='softmax'\)"):
        W.LearningRateExplorer(model=Sequential([Dense(3, activation="softmax",
                                                       input_dim=2)]))
    with pytest.raises(ValueError, match="no layers"):
        tl.from_sequential(Sequential())


# --------------------------------------------------------------------------------------
# The widget face: controls, display, fallback, latency measurement
# --------------------------------------------------------------------------------------
def test_moving_the_slider_updates_state_and_image():
    app = W.LearningRateExplorer(epochs=30)
    slider = app.controls["learning_rate"]
    assert type(slider).__name__ == "FloatLogSlider"
    assert (slider.min, slider.max, slider.base) == (-4, 1, 10)
    before = app._image.value
    slider.value = 10.0
    assert app.state["learning_rate"] == 10.0
    assert app.state["regime"] == "diverging"
    assert app._image.value != before
    assert "diverging" in app._status.value
    app.set(learning_rate=0.5)
    assert slider.value == 0.5  # set() moves the slider too
    batch = app.controls["batch_size"]
    assert batch.label == "full batch" and app.state["batch_size"] is None
    batch.value = 16
    assert app.state["batch_size"] == 16
    batch.value = "full batch"
    assert app.state["batch_size"] is None


def test_display_in_a_kernel_shows_the_widget(monkeypatch):
    shown = []
    monkeypatch.setattr(W._app, "widget_support", lambda: None)
    monkeypatch.setattr(W._app, "_show", lambda obj, **kw: shown.append((obj, kw)))
    app = W.NeuronPlayground()
    app.display()
    (bundle, kwargs), = shown
    assert kwargs == {"raw": True}
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["text/plain"] == repr(app)
    assert base64.b64decode(bundle["image/png"])[:4] == b"\x89PNG"  # for static viewers


def test_static_fallback_without_ipywidgets(monkeypatch, capsys):
    shown = []
    monkeypatch.setitem(sys.modules, "ipywidgets", None)  # import ipywidgets now fails
    monkeypatch.setattr(W._app, "_show", lambda obj, **kw: shown.append(obj))
    assert W.widget_support() == "ipywidgets is not installed"
    app = W.LearningRateExplorer(epochs=10)
    app.display()
    out = capsys.readouterr().out
    note, *status = out.splitlines()
    assert "ipywidgets is not installed" in note
    assert "\n".join(status) == app.summary_text()  # the verdict, as plain text
    assert "learning rate 0.3: too slow" in status[0] and "<" not in out
    (image,) = shown
    assert image.data[:4] == b"\x89PNG"
    assert app.set(learning_rate=10)["regime"] == "diverging"  # headless still works
    with pytest.raises(ImportError):
        _ = app.ui


def test_outside_a_kernel_the_reason_is_given():
    assert W.widget_support() == "not running in a Jupyter kernel"


def test_measure_latency_reports_each_change():
    app = W.LearningRateExplorer(epochs=10)
    result = W.measure_latency(app, n=4)
    assert len(result["times_ms"]) == 4
    assert result["min_ms"] <= result["median_ms"] <= result["max_ms"]
    with pytest.raises(ValueError, match="values"):
        W.measure_latency(W.NeuronPlayground(), control="w0")


# --------------------------------------------------------------------------------------
# DescentOnSurface
# --------------------------------------------------------------------------------------
def test_descent_on_parabola_follows_the_closed_form():
    # L = w^2, grad = 2w: w_t = w_0 (1 - 2 lr)^t.
    app = W.DescentOnSurface("parabola", learning_rate=0.1, steps=10, start=2.0)
    path = np.array(app.state["trajectory"])[:, 0]
    np.testing.assert_allclose(path, 2.0 * 0.8 ** np.arange(11))
    np.testing.assert_allclose(app.state["losses"], path ** 2)
    np.testing.assert_allclose(app.path_line.get_xdata(), path)


def test_descent_regimes_on_the_parabola():
    app = W.DescentOnSurface("parabola", steps=40)
    assert app.set(learning_rate=0.3)["regime"] == "converged"
    assert app.set(learning_rate=0.01)["regime"] == "too slow"
    assert app.set(learning_rate=0.8)["regime"] == "oscillating"  # factor 1 - 1.6 < 0
    state = no_warnings(lambda: app.set(learning_rate=10.0, steps=500))
    assert state["regime"] == "diverging" and state["escaped"]
    assert all(np.isfinite(state["losses"]))
    no_warnings(app.to_png)


def test_descent_with_momentum_matches_a_hand_written_recurrence():
    lr, m = 0.02, 0.9
    app = W.DescentOnSurface("ravine", learning_rate=lr, momentum=m, steps=15,
                             start=(-2.0, 1.0))
    w, v = np.array([-2.0, 1.0]), np.zeros(2)
    expected = [w.copy()]
    for _ in range(15):
        g = np.array([w[0], 25 * w[1]])  # gradient of (w0^2 + 25 w1^2) / 2
        v = m * v - lr * g
        w = w + v
        expected.append(w.copy())
    np.testing.assert_allclose(app.state["trajectory"], expected)


def test_custom_surface_with_numerical_gradient():
    surface = dict(f=lambda w: (w[0] - 1) ** 2 + 2 * (w[1] + 0.5) ** 2,
                   grad=None, xlim=(-2, 2), ylim=(-2, 2), start=(0.0, 0.0))
    app = W.DescentOnSurface(surface, learning_rate=0.1, steps=100)
    np.testing.assert_allclose(app.state["trajectory"][-1], [1.0, -0.5], atol=1e-4)
    assert app.state["regime"] == "converged"


def test_descent_argument_errors():
    with pytest.raises(ValueError, match="surface"):
        W.DescentOnSurface("nope")
    with pytest.raises(ValueError, match="start"):
        W.DescentOnSurface("bowl", start=1.0)
    with pytest.raises(ValueError, match="momentum"):
        W.DescentOnSurface(momentum=1.5)


# --------------------------------------------------------------------------------------
# NeuronPlayground
# --------------------------------------------------------------------------------------
def test_neuron_accuracy_and_boundary():
    x = np.array([[1.0, 0.0], [2.0, 1.0], [-1.0, 0.5], [-2.0, -1.0]])
    y = np.array([1, 1, 0, 1])
    app = W.NeuronPlayground(data=(x, y))
    state = app.set(w0=2.0, w1=0.5, b=-0.5)
    z = x @ np.array([2.0, 0.5]) - 0.5
    assert state["accuracy"] == np.mean((z > 0) == y)
    for point in state["boundary"]:
        assert 2.0 * point[0] + 0.5 * point[1] - 0.5 == pytest.approx(0, abs=1e-12)
    assert app.set(w0=0.0, w1=0.0)["boundary"] is None


@pytest.mark.parametrize("activation, low, high", [("sigmoid", 0, 1), ("tanh", -1, 1),
                                                   ("relu", 0, np.inf)])
def test_neuron_output_range_follows_the_activation(activation, low, high):
    state = W.NeuronPlayground(w0=3.0, w1=-2.0, activation=activation).state
    a_min, a_max = state["output_range"]
    assert low <= a_min < a_max <= high


def test_neuron_rejects_unknown_activation():
    with pytest.raises(ValueError, match="activation"):
        W.NeuronPlayground().set(activation="softmax")


# --------------------------------------------------------------------------------------
# BackwardStepper
# --------------------------------------------------------------------------------------
def seed_loss(params):
    """The example graph's function: L = 1/2 (y - sigmoid(w x + b))^2, via autograd."""
    x, w, b, y = params
    a = 1 / (1 + anp.exp(-(w * x + b)))
    return 0.5 * (y - a) ** 2


def test_stepper_final_grads_match_autograd():
    app = W.BackwardStepper()
    state = app.set(step=app.n_steps)
    assert state["done"]
    expected = autograd.grad(seed_loss)(np.array([1.5, -0.8, 0.3, 1.0]))
    got = [state["grads"][name] for name in ("x", "w", "b", "y")]
    np.testing.assert_allclose(got, expected, rtol=1e-12)
    assert state["grads"]["L"] == 1.0


def test_stepper_goes_one_node_at_a_time():
    app = W.BackwardStepper()
    start = app.reset()
    assert start["current"] is None and all(g == 0 for g in start["grads"].values())
    first = app.step()
    assert first["current"] == "L" and first["step"] == 1
    assert {u["input"] for u in first["updates"]} == {"(y-a)^2", "0.5"}
    # After the first step only L and its inputs have a gradient.
    nonzero = {k for k, g in first["grads"].items() if g != 0}
    assert nonzero == {"L", "(y-a)^2", "0.5"}
    for _ in range(app.n_steps + 3):
        last = app.step()
    assert last["step"] == app.n_steps and last["done"]


def test_stepper_chain_rule_step_is_local_times_upstream():
    app = W.BackwardStepper()
    for k in range(1, app.n_steps + 1):
        state = app.set(step=k)
        upstream = state["grads"][state["current"]]
        for update in state["updates"]:
            assert update["added"] == pytest.approx(update["local"] * upstream)


def test_stepper_on_a_users_graph_and_buttons():
    a = autodiff.Value(2.0, label="a")
    b = autodiff.Value(-3.0, label="b")
    c = a * b + a
    app = W.BackwardStepper(c)
    assert app.set(step=app.n_steps)["grads"]["a"] == pytest.approx(-3.0 + 1.0)
    reset, back, forward, run_all = app.ui.children[0].children[:4]
    reset.click()
    assert app.state["step"] == 0
    forward.click()
    forward.click()
    back.click()
    assert app.state["step"] == 1
    run_all.click()
    assert app.state["done"]
    with pytest.raises(ValueError, match="root"):
        W.BackwardStepper(root=3.0)


def test_explorer_drives_a_sequential_with_a_renamed_sparse_loss():
    from backprop_lab.losses import SparseCategoricalCrossentropy

    model = Sequential([Dense(8, activation="relu", input_dim=2),
                        Dense(2, activation="softmax")])
    model.compile(loss=SparseCategoricalCrossentropy(name="my_loss"), optimizer="sgd")
    app = W.LearningRateExplorer(model_fn=tl.from_sequential(model), epochs=5)
    state = app.set(learning_rate=0.3)
    assert state["error"] is None and len(state["losses"]) == 5


def test_explorer_frames_drawn_over_the_cached_background_equal_full_redraws():
    """The explorer redraws only what changes over a cached picture of the rest: every
    frame must be, pixel for pixel, what a full redraw of the figure gives, also after a
    control that changes the static part (the number of epochs)."""
    import io

    from PIL import Image

    app = W.LearningRateExplorer(epochs=40)

    def full_redraw():
        canvas = app.figure.canvas
        canvas.draw()
        width, height = canvas.get_width_height()
        return np.array(Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(),
                                         "raw", "RGBA", 0, 1).convert("RGB"))

    for values in ({"learning_rate": 3.0}, {"learning_rate": 0.01}, {"epochs": 70},
                   {"learning_rate": 10.0}, {"batch_size": 16}):
        app.set(**values)
        frame = np.array(Image.open(io.BytesIO(app.to_png())))
        assert np.array_equal(frame, full_redraw()), values
    assert app._background_key == (0.5, 70.5) + app.ax_loss.get_ylim()


def test_explorer_loss_axis_moves_in_coarse_steps_and_its_pictures_are_reused():
    """The loss axis's limits are powers of ten around the curve, so most learning rates
    share an axis: the static picture is made once for them, and again only for limits
    not seen among the last few (sliding back costs nothing); a new one draws only the
    y axis, over the kept picture of the rest (the whole figure is not drawn again)."""
    app = W.LearningRateExplorer()
    app._image = types.SimpleNamespace(value=None)  # draw frames as the widget does
    app.to_png()  # the first frame places the axes and draws the whole figure
    made, full = [], []
    canvas, make = app.figure.canvas, app._static_picture
    full_draw = canvas.draw
    canvas.draw = lambda *a, **k: (full.append(1), full_draw(*a, **k))[1]
    app._static_picture = lambda *a: (made.append(1), make(*a))[1]
    first = app._background_key
    seen = []
    # 0.3 -> 5 and back: the limits change on the way up, never on the way down
    for rate in (0.30, 0.5, 1.0, 2.0, 3.5, 5.0, 3.5, 2.0, 1.0, 0.5, 0.30):
        state = app.set(learning_rate=rate)
        low, high = app.ax_loss.get_ylim()
        for limit in (low, high):
            mantissa = float(f"{limit:e}".split("e")[0])
            assert mantissa == 1.0, (rate, limit)
        assert low <= min(state["losses"]) / 1.25 and max(state["losses"]) * 1.25 <= high
        if app._background_key not in seen:
            seen.append(app._background_key)
    assert 3 <= len(seen) <= W._app.KEPT_BACKGROUNDS, seen
    assert len(made) == len(set(seen) - {first}), (len(made), seen)
    assert not full, "new loss limits drew the whole figure again"
    assert W.lr_explorer._loss_limits(0.3, 0.65) == (0.1, 1.0)
    assert W.lr_explorer._loss_limits(0.08, 0.9) == (0.01, 10.0)
    assert W.lr_explorer._loss_limits(1e-5, 3.0) == (1e-06, 10.0)


def test_an_update_computes_and_draws_with_blas_on_one_thread(monkeypatch):
    """Inside an update numpy's BLAS runs on one thread (the apps' matrices are tiny);
    after it the learner's setting is back."""
    threadpoolctl = pytest.importorskip("threadpoolctl")

    def blas_threads():
        return [lib["num_threads"] for lib in threadpoolctl.threadpool_info()
                if lib["user_api"] == "blas"]

    if not blas_threads():
        pytest.skip("numpy's BLAS is not visible to threadpoolctl here")
    app = W.LearningRateExplorer()
    seen = {}
    compute, draw = app._compute, app._draw
    monkeypatch.setattr(app, "_compute", lambda: (seen.setdefault("compute", blas_threads()),
                                                  compute())[1])
    monkeypatch.setattr(app, "_draw", lambda: (seen.setdefault("draw", blas_threads()),
                                               draw())[1])
    with threadpoolctl.threadpool_limits(2, user_api="blas"):
        before = blas_threads()
        assert set(before) == {2}, before  # else this test could not see the limit
        app.set(learning_rate=0.5)
        after = blas_threads()
    assert seen["compute"] == seen["draw"] == [1] * len(before), seen
    assert after == before


def test_updates_work_without_threadpoolctl(monkeypatch):
    monkeypatch.setitem(sys.modules, "threadpoolctl", None)  # import fails as if absent
    W._app._blas_threads.cache_clear()
    try:
        assert W._app._blas_threads() is None
        state = W.LearningRateExplorer().set(learning_rate=0.5)
        assert state["regime"] == "good"
    finally:
        monkeypatch.undo()
        W._app._blas_threads.cache_clear()
