"""Names for the type hints of the functional core."""
from typing import Tuple

import numpy as np

#: The arrays of the functional core: numpy arrays (a Python number is accepted where
#: an array of shape () would do).
Array = np.ndarray
#: What ``dense_forward`` keeps for ``dense_backward``: the input x and the kernel W.
DenseCache = Tuple[np.ndarray, np.ndarray]
