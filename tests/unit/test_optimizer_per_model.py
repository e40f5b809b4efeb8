"""One optimizer object for two models: its state (momentum velocities, Adam's m, v and
step count) belongs to the weights it was built for.  Expected weights come from training
an independent model with a fresh optimizer.
"""
import numpy as np
import pytest

from backprop_lab.optimizers import SGD, Adam, RMSprop

from model_helpers import data, small_model


@pytest.mark.parametrize("make", [lambda: SGD(learning_rate=0.1, momentum=0.9),
                                  lambda: Adam(learning_rate=0.01),
                                  lambda: RMSprop(learning_rate=0.01)])
def test_a_stateful_optimizer_refuses_the_weights_of_a_second_model(make):
    """Its velocities (or Adam's m, v and step count) belong to the first model's weights:
    applying them to another model would silently change its training (as Keras 3, it is
    an error that says to give each model its own optimizer)."""
    x, y = data()
    shared = make()
    small_model(shared).fit(x, y, epochs=2, verbose=0)
    second = small_model(shared)
    before = second.get_weights()
    with pytest.raises(ValueError, match=r"own optimizer|new optimizer"):
        second.fit(x, y, epochs=1, verbose=0)
    for a, b in zip(before, second.get_weights()):  # nothing was changed
        assert np.array_equal(a, b)
    # Different layer sizes: the same clear error, not a numpy broadcasting error.
    with pytest.raises(ValueError, match=r"own optimizer|new optimizer"):
        small_model(shared, hidden=5).fit(x, y, epochs=1, verbose=0)


def test_a_fresh_optimizer_per_model_gives_identical_runs():
    x, y = data()
    a, b = small_model(Adam(learning_rate=0.01)), small_model(Adam(learning_rate=0.01))
    a.fit(x, y, epochs=3, verbose=0, shuffle=False)
    b.fit(x, y, epochs=3, verbose=0, shuffle=False)
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        assert np.array_equal(wa, wb)


def test_plain_sgd_can_be_shared_it_keeps_no_state():
    x, y = data()
    shared = SGD(learning_rate=0.1)
    small_model(shared).fit(x, y, epochs=2, verbose=0, shuffle=False)
    second = small_model(shared)
    second.fit(x, y, epochs=2, verbose=0, shuffle=False)
    alone = small_model(SGD(learning_rate=0.1))
    alone.fit(x, y, epochs=2, verbose=0, shuffle=False)
    for a, b in zip(second.get_weights(), alone.get_weights()):
        assert np.array_equal(a, b)


def test_training_twice_with_the_same_optimizer_continues_its_state():
    """Adam's step count runs on across fit calls (bias correction is not restarted)."""
    x, y = data()
    model = small_model(Adam(learning_rate=0.01))
    model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    assert model.optimizer.iterations == 3 * 3
