"""Exercises of notebook 09_training_in_practice: how large activations stay through a deep
stack, the scales of Glorot's and He's initialisations, and the loss a classifier should
start from.

None of these functions exists in ``backprop_lab.functional``, so the references live
here.  ``backprop_lab.initializers`` uses the same formulas (``GlorotUniform``,
``HeNormal``); the tests check the references against samples drawn by those classes.
The optional check of "going further" is ``update_ratios``: the real step of an optimizer,
measured from the weights before and after it.
"""
import math

import numpy as np

from .. import functional as F
from ..grading.spec import Exercise, edge_case, fixed_case, random_case

NOTEBOOK = "09_training_in_practice"


# --------------------------------------------------------------------------------------
# References
# --------------------------------------------------------------------------------------
def activation_std_through_layers(x, weights, activation_forward):
    """The standard deviation of every layer's output in a deep stack without biases.

    x: (N, D_0) inputs.  weights: a list of kernels, one per layer; layer l's has shape
        (D_(l-1), D_l).
    activation_forward: one of ``functional``'s forward functions, f(z) -> (a, cache),
        applied after every layer.
    Layer l computes z^(l) = a^(l-1) @ W^(l) and a^(l) = f(z^(l)), with a^(0) = x.
    Returns a float64 array with one entry per layer: entry l - 1 is the standard
    deviation of all N * D_l entries of a^(l), sqrt(mean((a - mean(a))**2)) (np.std,
    ddof=0).
    """
    a = x
    stds = []
    for W in weights:
        z = a @ W
        a, _ = activation_forward(z)
        stds.append(a.std())
    return np.array(stds)


def glorot_uniform_limit(fan_in, fan_out):
    """The limit l of Glorot's uniform initialisation U(-l, l): sqrt(6 / (fan_in + fan_out)).

    U(-l, l) has variance l**2 / 3, so this is the l whose variance is Glorot's
    2 / (fan_in + fan_out).  Returns a float.
    """
    return math.sqrt(6.0 / (fan_in + fan_out))


def he_normal_std(fan_in, fan_out):
    """The standard deviation of He's normal initialisation: sqrt(2 / fan_in).

    fan_out is given, as every kernel shape gives it, but He's rule does not use it: the
    variance 2 / fan_in keeps the forward signal of a ReLU network at a constant scale.
    Returns a float.
    """
    return math.sqrt(2.0 / fan_in)


def initial_loss_expected(n_classes):
    """The cross-entropy a classifier should start from on K balanced classes: log K.

    At initialisation the softmax gives about 1/K to every class, and the loss of one
    example is -log(probability of its true class) = -log(1/K) = log K (natural log, as
    Keras computes it).  Returns a float.
    """
    return math.log(n_classes)


# --------------------------------------------------------------------------------------
# Cases
# --------------------------------------------------------------------------------------
def _kernels(rng, sizes, std):
    """Kernels W_l ~ N(0, std_l**2) for layer sizes (D_0, D_1, ..., D_L); std may be a
    number or a function of fan_in."""
    out = []
    for d_in, d_out in zip(sizes[:-1], sizes[1:]):
        s = std(d_in) if callable(std) else std
        out.append(s * rng.standard_normal((d_in, d_out)))
    return out


def _he(fan_in):
    return math.sqrt(2.0 / fan_in)


def _lecun(fan_in):
    return math.sqrt(1.0 / fan_in)


def _std_cases(rng):
    relu, tanh, sigmoid, linear = (F.relu_forward, F.tanh_forward, F.sigmoid_forward,
                                   F.linear_forward)
    x = np.array([[1.0, -1.0], [0.5, 2.0], [-1.5, 0.0]])
    weights = [np.array([[0.5, -1.0, 0.2], [0.3, 0.8, -0.6]]),
               np.array([[1.0, -0.5], [-0.7, 0.4], [0.2, 0.9]])]
    x_positive = np.abs(rng.standard_normal((6, 4)))
    return [
        fixed_case("2 -> 3 -> 2, relu, 3 examples", x, weights, relu),
        random_case("5 tanh layers of 20 units, variance 1/fan_in", rng.standard_normal((40, 20)),
                    _kernels(rng, [20] * 6, _lecun), tanh),
        random_case("8 relu layers of 30 units, He's variance 2/fan_in",
                    rng.standard_normal((50, 30)), _kernels(rng, [30] * 9, _he), relu),
        random_case("4 sigmoid layers of 16 units", rng.standard_normal((30, 16)),
                    _kernels(rng, [16] * 5, _lecun), sigmoid),
        edge_case("one layer only (relu)", rng.standard_normal((10, 5)),
                  _kernels(rng, [5, 7], _he), relu),
        edge_case("batch of one example (tanh)", rng.standard_normal((1, 12)),
                  _kernels(rng, [12] * 4, _lecun), tanh),
        edge_case("different widths 10 -> 30 -> 5 -> 15 (relu)", rng.standard_normal((20, 10)),
                  _kernels(rng, [10, 30, 5, 15], _he), relu),
        edge_case("weights too small: 12 relu layers shrink to ~1e-15",
                  rng.standard_normal((25, 20)), _kernels(rng, [20] * 13, 0.02), relu),
        edge_case("weights too large: 6 linear layers grow to ~1e5",
                  rng.standard_normal((25, 20)), _kernels(rng, [20] * 7, 1.5), linear),
        edge_case("every unit dead: inputs >= 0, weights <= 0 (relu)", x_positive,
                  [-np.abs(w) for w in _kernels(rng, [4, 6, 6], _he)], relu),
    ]


def _glorot_cases(rng):
    pairs = [(int(a), int(b)) for a, b in rng.integers(1, 2000, size=(3, 2))]
    return [
        fixed_case("fan_in 20, fan_out 10 (the seed's hidden layer)", 20, 10),
        fixed_case("fan_in 784, fan_out 256", 784, 256),
        random_case(f"fan_in {pairs[0][0]}, fan_out {pairs[0][1]}", *pairs[0]),
        random_case(f"fan_in {pairs[1][0]}, fan_out {pairs[1][1]}", *pairs[1]),
        random_case(f"fan_in {pairs[2][0]}, fan_out {pairs[2][1]}", *pairs[2]),
        edge_case("fan_in 1, fan_out 1", 1, 1),
        edge_case("square: fan_in 64, fan_out 64", 64, 64),
        edge_case("fan_in 1, fan_out 1000", 1, 1000),
        edge_case("fan_in 100000, fan_out 10", 100000, 10),
    ]


def _he_cases(rng):
    pairs = [(int(a), int(b)) for a, b in rng.integers(1, 2000, size=(3, 2))]
    return [
        fixed_case("fan_in 20, fan_out 10 (the seed's hidden layer)", 20, 10),
        fixed_case("fan_in 64, fan_out 128", 64, 128),
        random_case(f"fan_in {pairs[0][0]}, fan_out {pairs[0][1]}", *pairs[0]),
        random_case(f"fan_in {pairs[1][0]}, fan_out {pairs[1][1]}", *pairs[1]),
        random_case(f"fan_in {pairs[2][0]}, fan_out {pairs[2][1]}", *pairs[2]),
        edge_case("fan_in 1, fan_out 3", 1, 3),
        edge_case("fan_in 2, fan_out 1", 2, 1),
        edge_case("fan_in 100000, fan_out 10", 100000, 10),
    ]


def _loss_cases(rng):
    ks = sorted(int(k) for k in rng.choice(np.arange(3, 1000), size=3, replace=False))
    return [
        fixed_case("10 classes (the digits)", 10),
        fixed_case("2 classes", 2),
        random_case(f"{ks[0]} classes", ks[0]),
        random_case(f"{ks[1]} classes", ks[1]),
        random_case(f"{ks[2]} classes", ks[2]),
        edge_case("1 class (always right: loss 0)", 1),
        edge_case("1000 classes (ImageNet)", 1000),
        edge_case("50000 classes (a word vocabulary)", 50000),
    ]


# --------------------------------------------------------------------------------------
# Typical mistakes
# --------------------------------------------------------------------------------------
def _std_of_z(x, weights, activation_forward):
    a, stds = x, []
    for W in weights:
        z = a @ W
        a, _ = activation_forward(z)
        stds.append(z.std())
    return np.array(stds)


def _std_per_unit(x, weights, activation_forward):
    a, stds = x, []
    for W in weights:
        a, _ = activation_forward(a @ W)
        stds.append(a.std(axis=0))
    return np.array(stds)


def _mean_of_unit_stds(x, weights, activation_forward):
    a, stds = x, []
    for W in weights:
        a, _ = activation_forward(a @ W)
        stds.append(a.std(axis=0).mean())
    return np.array(stds)


def _std_before_layer(x, weights, activation_forward):
    a, stds = x, []
    for W in weights:
        stds.append(a.std())
        a, _ = activation_forward(a @ W)
    return np.array(stds)


def _input_included(x, weights, activation_forward):
    a, stds = x, [x.std()]
    for W in weights:
        a, _ = activation_forward(a @ W)
        stds.append(a.std())
    return np.array(stds)


def _first_layer_skipped(x, weights, activation_forward):
    a, _ = activation_forward(x @ weights[0])
    stds = []
    for W in weights[1:]:
        a, _ = activation_forward(a @ W)
        stds.append(a.std())
    return np.array(stds)


def _no_activation(x, weights, activation_forward):
    a, stds = x, []
    for W in weights:
        a = a @ W
        stds.append(a.std())
    return np.array(stds)


def _sample_std(x, weights, activation_forward):
    a, stds = x, []
    for W in weights:
        a, _ = activation_forward(a @ W)
        stds.append(a.std(ddof=1))
    return np.array(stds)


def _glorot_normal_std(fan_in, fan_out):
    return math.sqrt(2.0 / (fan_in + fan_out))


def _glorot_no_sqrt(fan_in, fan_out):
    return 6.0 / (fan_in + fan_out)


def _glorot_fan_in_only(fan_in, fan_out):
    return math.sqrt(6.0 / fan_in)


def _glorot_fan_out_only(fan_in, fan_out):
    return math.sqrt(6.0 / fan_out)


def _glorot_product(fan_in, fan_out):
    return math.sqrt(6.0 / (fan_in * fan_out))


def _glorot_precedence(fan_in, fan_out):
    return math.sqrt(6.0 / fan_in + fan_out)


def _glorot_sqrt_of_numerator(fan_in, fan_out):
    return math.sqrt(6.0) / (fan_in + fan_out)


def _glorot_floor_division(fan_in, fan_out):
    return math.sqrt(6 // (fan_in + fan_out))


def _he_variance(fan_in, fan_out):
    return 2.0 / fan_in


def _he_one_over_fan_in(fan_in, fan_out):
    return 1.0 / fan_in


def _he_lecun(fan_in, fan_out):
    return math.sqrt(1.0 / fan_in)


def _he_fan_out(fan_in, fan_out):
    return math.sqrt(2.0 / fan_out)


def _he_glorot_fans(fan_in, fan_out):
    return math.sqrt(2.0 / (fan_in + fan_out))


def _he_uniform_limit(fan_in, fan_out):
    return math.sqrt(6.0 / fan_in)


def _he_truncation_scale(fan_in, fan_out):
    return math.sqrt(2.0 / fan_in) / 0.87962566103423978


def _loss_probability(n_classes):
    return 1.0 / n_classes


def _loss_log2(n_classes):
    return math.log2(n_classes)


def _loss_negative(n_classes):
    return -math.log(n_classes)


def _loss_log10(n_classes):
    return math.log10(n_classes)


def _loss_summed_over_classes(n_classes):
    return n_classes * math.log(n_classes)


def _loss_one_minus_probability(n_classes):
    return 1.0 - 1.0 / n_classes


# --------------------------------------------------------------------------------------
# The exercises, in the notebook's order
# --------------------------------------------------------------------------------------

# --------------------------------------------------------------------------------------
# update_ratios (an optional check of "going further")
# --------------------------------------------------------------------------------------
def update_ratios(weights_before, weights_after):
    """The real update-to-weight ratio of every kernel over one training step:
    ||K_after - K_before|| / ||K_before||.

    weights_before, weights_after: lists as ``model.get_weights()`` returns them before and
    after the step: kernel, bias, kernel, bias, ... (one kernel and one bias per layer).
    Returns a list of floats, one per layer, input side first (the biases are left out).
    """
    return [float(np.linalg.norm(after - before) / np.linalg.norm(before))
            for before, after in zip(weights_before[::2], weights_after[::2])]


def _weights_and_step(rng, shapes, step_scale):
    before, after = [], []
    for d, m in shapes:
        for shape in ((d, m), (m,)):
            w = rng.standard_normal(shape) / np.sqrt(d)
            before.append(w)
            after.append(w + step_scale * rng.standard_normal(shape))
    return before, after


def _ratio_cases(rng):
    kernel = np.array([[3.0, 0.0], [0.0, 4.0]])
    return [
        fixed_case("one layer, a step of norm 0.5", [kernel, np.zeros(2)],
                   [kernel + np.array([[0.3, 0.0], [0.0, 0.4]]), np.array([0.1, -0.1])]),
        random_case("random 64 -> 32 -> 10", *_weights_and_step(rng, [(64, 32), (32, 10)],
                                                                  1e-3)),
        random_case("random 8 -> 6 -> 6 -> 3, large steps",
                    *_weights_and_step(rng, [(8, 6), (6, 6), (6, 3)], 0.3)),
        edge_case("no change at all", [kernel, np.ones(2)], [kernel.copy(), np.ones(2)]),
    ]


def _ratios_with_biases(weights_before, weights_after):
    return [float(np.linalg.norm(a - b) / np.linalg.norm(b)) if np.linalg.norm(b) else 0.0
            for b, a in zip(weights_before, weights_after)]


def _ratios_norm_change(weights_before, weights_after):
    return [float(np.linalg.norm(a) / np.linalg.norm(b) - 1)
            for b, a in zip(weights_before[::2], weights_after[::2])]


def _ratios_over_after(weights_before, weights_after):
    return [float(np.linalg.norm(a - b) / np.linalg.norm(a))
            for b, a in zip(weights_before[::2], weights_after[::2])]


def _ratios_biases_only(weights_before, weights_after):
    return [float(np.linalg.norm(a - b) / max(np.linalg.norm(b), 1e-300))
            for b, a in zip(weights_before[1::2], weights_after[1::2])]


EXERCISES = [
    Exercise(
        id="activation_std_through_layers",
        title="Activation scale through a deep stack",
        notebook=NOTEBOOK,
        points=2,
        difficulty=2,
        reference=activation_std_through_layers,
        cases=_std_cases,
        atol=0.0,  # the values shrink to 1e-15: compare relative errors only
        mistakes=[
            ("std of z", _std_of_z,
             "you measured z = a @ W, before the activation. Measure the layer's output "
             "a = activation(z), the array the next layer receives."),
            ("std per unit", _std_per_unit,
             "np.std(a, axis=0) gives one number per unit, a vector. The exercise wants one "
             "number per layer, the std of all N * D_l entries of a: np.std(a) with no axis."),
            ("mean of the per-unit stds", _mean_of_unit_stds,
             "you averaged the std of each unit (axis=0). The exercise wants the std of all "
             "entries of a together, np.std(a), which also counts how the units' means differ."),
            ("std taken before each layer", _std_before_layer,
             "your first value is the std of the input x and the last layer is missing: "
             "inside the loop, first compute a = activation(a @ W), then record a.std()."),
            ("input included", _input_included,
             "you returned L + 1 numbers: the std of the input x is not a layer's output. "
             "Return one number per kernel in `weights`."),
            ("first layer not recorded", _first_layer_skipped,
             "the first layer's std is missing: you computed the first layer before the "
             "loop without recording it. Start from a = x and record every layer, the first "
             "one included."),
            ("no activation", _no_activation,
             "the activation was never applied, so your stack is linear. In every layer: "
             "a, _ = activation_forward(a @ W) (the forward function returns a pair)."),
            ("sample std (ddof=1)", _sample_std,
             "you used the sample standard deviation (ddof=1, dividing by n - 1). The "
             "statement asks for numpy's default np.std(a), which divides by n."),
        ],
        hints=[
            "Keep the current activations in a variable a, starting with a = x, and walk "
            "through the kernels in order; after each layer, measure a.",
            "One layer: z = a @ W, then a, _ = activation_forward(z) (the forward function "
            "returns the activations and a cache), then append np.std(a) to a list.",
            "a = x; stds = []; for W in weights: a, _ = activation_forward(a @ W); "
            "stds.append(a.std()). Finally return np.array(stds).",
        ],
    ),
    Exercise(
        id="glorot_uniform_limit",
        title="Glorot uniform: the limit",
        notebook=NOTEBOOK,
        points=1,
        difficulty=1,
        reference=glorot_uniform_limit,
        cases=_glorot_cases,
        mistakes=[
            ("Glorot's normal std", _glorot_normal_std,
             "sqrt(2 / (fan_in + fan_out)) is the standard deviation, right for Glorot's "
             "normal version. A uniform U(-l, l) has variance l**2 / 3, so its limit is "
             "l = sqrt(3 * 2 / (fan_in + fan_out))."),
            ("no square root", _glorot_no_sqrt,
             "6 / (fan_in + fan_out) is l**2. Take its square root."),
            ("fan_in only", _glorot_fan_in_only,
             "sqrt(6 / fan_in) is He's uniform limit. Glorot averages both fans: use "
             "fan_in + fan_out in the denominator."),
            ("fan_out only", _glorot_fan_out_only,
             "Glorot's rule uses both fans, fan_in + fan_out, not fan_out alone."),
            ("product of the fans", _glorot_product,
             "the fans are added, not multiplied: sqrt(6 / (fan_in + fan_out))."),
            ("6 / fan_in + fan_out", _glorot_precedence,
             "6 / fan_in + fan_out divides by fan_in only, then adds fan_out (division comes "
             "first). Put the sum in parentheses: 6 / (fan_in + fan_out)."),
            ("square root of 6 only", _glorot_sqrt_of_numerator,
             "the square root covers the whole fraction: sqrt(6 / (fan_in + fan_out)), not "
             "sqrt(6) / (fan_in + fan_out)."),
            ("integer division", _glorot_floor_division,
             "// is floor division, which rounds 6 / (fan_in + fan_out) down to a whole "
             "number (usually 0). Use /."),
        ],
        hints=[
            "Glorot's variance is 2 / (fan_in + fan_out). What is the variance of a uniform "
            "distribution on [-l, l]?",
            "U(-l, l) has variance l**2 / 3. Set l**2 / 3 = 2 / (fan_in + fan_out) and "
            "solve for l.",
            "return math.sqrt(6 / (fan_in + fan_out)) (or np.sqrt).",
        ],
    ),
    Exercise(
        id="he_normal_std",
        title="He normal: the standard deviation",
        notebook=NOTEBOOK,
        points=1,
        difficulty=1,
        reference=he_normal_std,
        cases=_he_cases,
        mistakes=[
            ("variance, not std", _he_variance,
             "2 / fan_in is He's variance. The standard deviation is its square root: "
             "sqrt(2 / fan_in)."),
            ("1 / fan_in", _he_one_over_fan_in,
             "1 / fan_in is neither He's variance (2 / fan_in) nor a standard deviation. "
             "Return sqrt(2 / fan_in)."),
            ("LeCun's std", _he_lecun,
             "sqrt(1 / fan_in) keeps a linear or tanh layer at scale (LeCun). ReLU zeroes "
             "half of its inputs, which halves E[a**2]; He doubles the variance to make up "
             "for it: sqrt(2 / fan_in)."),
            ("fan_out", _he_fan_out,
             "He's rule keeps the forward signal at scale, and the forward sum runs over "
             "the layer's inputs: use fan_in, not fan_out."),
            ("Glorot's fans", _he_glorot_fans,
             "sqrt(2 / (fan_in + fan_out)) is Glorot's std. He uses fan_in alone: "
             "sqrt(2 / fan_in)."),
            ("He's uniform limit", _he_uniform_limit,
             "sqrt(6 / fan_in) is the limit of He's *uniform* version. The normal "
             "version's standard deviation is sqrt(2 / fan_in)."),
            ("divided by the truncation constant", _he_truncation_scale,
             "0.8796 is the std of a standard normal cut at +-2: Keras scales its "
             "truncated draws by it so that their standard deviation ends up exactly "
             "sqrt(2 / fan_in). Return that final standard deviation."),
        ],
        hints=[
            "He's variance for ReLU layers is 2 / fan_in. Which of the two fans enters, "
            "and how does a standard deviation relate to a variance?",
            "The standard deviation is the square root of the variance; fan_out is not used.",
            "return math.sqrt(2 / fan_in).",
        ],
    ),
    Exercise(
        id="initial_loss_expected",
        title="The loss at initialisation",
        notebook=NOTEBOOK,
        points=1,
        difficulty=1,
        reference=initial_loss_expected,
        cases=_loss_cases,
        mistakes=[
            ("the probability 1/K", _loss_probability,
             "1 / K is the probability the untrained network gives each class. The loss is "
             "minus its logarithm: -log(1 / K) = log K."),
            ("log base 2", _loss_log2,
             "cross-entropy in Keras (and here) uses the natural logarithm: np.log or "
             "math.log, not log2."),
            ("sign error", _loss_negative,
             "a cross-entropy is never negative: it is -log(p) with p <= 1. "
             "-log(1 / K) = +log K."),
            ("log base 10", _loss_log10,
             "cross-entropy uses the natural logarithm: np.log or math.log, not log10."),
            ("summed over the classes", _loss_summed_over_classes,
             "with a one-hot target only the true class counts: the loss of one example is "
             "-log p_true = log K, not the sum of -log p_k over all K classes."),
            ("1 - 1/K", _loss_one_minus_probability,
             "1 - 1/K is the error rate of guessing. The cross-entropy is -log of the "
             "probability of the true class: log K."),
        ],
        hints=[
            "An untrained softmax gives about the same probability to every class. Which "
            "probability, and what is the cross-entropy of one example?",
            "p = 1 / K for the true class, and the loss is -log p.",
            "return math.log(n_classes).",
        ],
    ),
    Exercise(
        id="update_ratios",
        title="The real update-to-weight ratio (going further)",
        notebook=NOTEBOOK,
        points=0,
        difficulty=1,
        reference=update_ratios,
        cases=_ratio_cases,
        mistakes=[
            ("biases included", _ratios_with_biases,
             "the ratio is for the kernels only, one per layer: they are the entries 0, 2, "
             "4, ... of get_weights() (weights[::2]); the biases sit in between."),
            ("change of the norm", _ratios_norm_change,
             "||K_after|| / ||K_before|| - 1 measures how the size changed, not how far the "
             "kernel moved: use ||K_after - K_before|| / ||K_before||."),
            ("divided by the new norm", _ratios_over_after,
             "divide by the norm of the kernel before the step, ||K_before||."),
            ("the biases instead of the kernels", _ratios_biases_only,
             "weights[1::2] are the biases; the kernels are weights[::2]."),
        ],
        hints=[
            "Pair each kernel before the step with the same kernel after it: "
            "zip(weights_before[::2], weights_after[::2]).",
            "return [float(np.linalg.norm(a - b) / np.linalg.norm(b)) for b, a in "
            "zip(weights_before[::2], weights_after[::2])]",
        ],
    ),
]
