"""The PyTorch peer: a plain training loop, written the way a PyTorch user writes it.

One ``nn.Sequential`` of ``nn.Linear`` layers and activations, ``torch.optim.SGD``, and a
loop over shuffled mini-batches: zero the gradients, forward, loss, backward, step.  The
epoch's loss and accuracy are summed in tensors and read once per epoch (as a history).
The input batch does not require a gradient, so PyTorch, like backprop_lab, never
computes the first layer's input gradient.

Softmax outputs are trained with ``CrossEntropyLoss`` on the logits and integer labels
(the idiomatic and fused form of softmax + categorical cross-entropy); sigmoid outputs
with ``nn.Sigmoid`` + ``BCELoss``, as the network is written in the seed.
"""
import time

try:
    import torch
except ImportError:  # an optional extra: rows say "not installed"
    torch = None


def available():
    return torch is not None


def info():
    return {"torch": torch.__version__, "torch_threads": torch.get_num_threads(),
            "torch_interop_threads": torch.get_num_interop_threads()}


_ACT = {"relu": lambda: torch.nn.ReLU(), "sigmoid": lambda: torch.nn.Sigmoid()}


def build(task):
    """The task's network as ``nn.Sequential``; softmax is left to the loss."""
    mods, fan_in = [], task.features
    for units, act in task.layers:
        mods.append(torch.nn.Linear(fan_in, units))
        if act != "softmax":
            mods.append(_ACT[act]())
        fan_in = units
    return torch.nn.Sequential(*mods)


def train(task, model, x, y):
    """Train ``model`` on tensors x: (N, D) float32 and y; return the history dict."""
    softmax = task.layers[-1][1] == "softmax"
    loss_fn = torch.nn.CrossEntropyLoss() if softmax else torch.nn.BCELoss()
    opt = torch.optim.SGD(model.parameters(), lr=task.learning_rate)
    n, bs = x.shape[0], task.batch_size
    history = {"loss": [], "accuracy": []}
    for _ in range(task.epochs):
        perm = torch.randperm(n)
        loss_sum = torch.zeros(())
        correct = torch.zeros((), dtype=torch.int64)
        for start in range(0, n, bs):
            idx = perm[start:start + bs]
            xb, yb = x[idx], y[idx]
            opt.zero_grad()
            out = model(xb)
            loss = loss_fn(out, yb)
            loss.backward()
            opt.step()
            with torch.no_grad():
                loss_sum += loss.detach() * xb.shape[0]
                if softmax:
                    correct += (out.argmax(dim=1) == yb).sum()
                else:
                    correct += ((out > 0.5) == (yb > 0.5)).sum()
        history["loss"].append(loss_sum.item() / n)
        history["accuracy"].append(correct.item() / (n * (1 if softmax else y.shape[1])))
    return history


def make_runner(task, x_np, y_np, seed=0):
    """A function that trains a fresh network once and returns the training time (s).

    The tensors are made once, outside the timing (``from_numpy`` shares memory);
    building the fresh model is not timed, only the loop.
    """
    x = torch.from_numpy(x_np.astype("float32", copy=False))
    if task.layers[-1][1] == "softmax":
        y = torch.from_numpy(y_np.argmax(axis=1))
    else:
        y = torch.from_numpy(y_np.astype("float32", copy=False))
    counter = [seed]

    def run():
        torch.manual_seed(counter[0])
        counter[0] += 1
        model = build(task)
        t0 = time.perf_counter()
        train(task, model, x, y)
        return time.perf_counter() - t0

    return run
