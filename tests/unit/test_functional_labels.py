"""Integer labels given to the sparse losses of the functional core are checked."""
import numpy as np
import pytest

from backprop_lab import functional as F

P = np.full((3, 4), 0.25)


@pytest.mark.parametrize("fn", [F.sparse_categorical_crossentropy,
                                F.sparse_categorical_crossentropy_grad,
                                F.sparse_categorical_crossentropy_from_logits,
                                F.sparse_categorical_crossentropy_from_logits_grad])
@pytest.mark.parametrize("labels", [[0, 1, 4], [0, -1, 2], [0, 1.5, 2]])
def test_labels_outside_the_class_range_are_refused(fn, labels):
    with pytest.raises(ValueError, match="labels must be whole numbers from 0 to 3"):
        fn(np.array(labels), P)


def test_labels_as_a_column_are_accepted():
    expected = -np.log(0.25)
    labels = np.array([[0], [3], [2]])
    assert F.sparse_categorical_crossentropy(labels, P) == pytest.approx(expected)


@pytest.mark.parametrize("z, dtype", [(1.5, np.float64), (np.float32(1.5), np.float32),
                                      (np.array([1, 2]), np.float64),
                                      (np.array([1.0], dtype=np.float32), np.float32)])
def test_sigmoid_keeps_float64_for_python_numbers_and_integers(z, dtype):
    a, _ = F.sigmoid_forward(z)
    assert np.asarray(a).dtype == dtype
