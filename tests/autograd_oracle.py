"""The independent gradient oracle of the tests: activations and losses written again in
``autograd.numpy`` (nothing imported from the package), and a norm-based relative error."""
import autograd.numpy as anp
import numpy as np


def rel(a, b):
    """Norm-based relative error (written here, not imported from the package)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-300))


def ag_log_softmax(z):
    shifted = z - anp.max(z, axis=-1, keepdims=True)
    return shifted - anp.log(anp.sum(anp.exp(shifted), axis=-1, keepdims=True))


AG_ACTIVATIONS = {
    "linear": lambda z: z,
    "relu": lambda z: z * (z > 0),
    "sigmoid": lambda z: 1.0 / (1.0 + anp.exp(-z)),
    "tanh": lambda z: 2.0 / (1.0 + anp.exp(-2.0 * z)) - 1.0,
    "softmax": lambda z: anp.exp(ag_log_softmax(z)),
}


def ag_onehot(labels, k):
    return np.eye(k)[labels]


AG_LOSSES = {
    "half_sum_squared_error": lambda y, p: 0.5 * anp.sum((y - p) ** 2),
    "mean_squared_error": lambda y, p: anp.mean((p - y) ** 2),
    "huber": lambda y, p: anp.mean(anp.where(anp.abs(p - y) <= 1.0, 0.5 * (p - y) ** 2,
                                             anp.abs(p - y) - 0.5)),
    "binary_crossentropy": lambda y, p: -anp.mean(y * anp.log(p) + (1 - y) * anp.log(1 - p)),
    "binary_crossentropy_from_logits": lambda y, z: anp.mean(anp.logaddexp(0.0, z) - y * z),
    "categorical_crossentropy": lambda y, p: -anp.sum(y * anp.log(p)) / p.shape[0],
    "categorical_crossentropy_from_logits":
        lambda y, z: -anp.sum(y * ag_log_softmax(z)) / z.shape[0],
    "sparse_categorical_crossentropy":
        lambda lab, p: -anp.sum(ag_onehot(lab, p.shape[1]) * anp.log(p)) / p.shape[0],
    "sparse_categorical_crossentropy_from_logits":
        lambda lab, z: -anp.sum(ag_onehot(lab, z.shape[1]) * ag_log_softmax(z)) / z.shape[0],
}
