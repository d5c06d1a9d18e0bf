"""The peers nnlib is compared with: PyTorch (CPU) and scikit-learn's MLPClassifier.

Each builds the same network as benchmarks/workloads.py (ReLU hidden layers; a sigmoid output
with binary cross-entropy for one output, softmax with cross-entropy otherwise), the way a user
of that library would write it: PyTorch fuses the output activation into its loss
(BCEWithLogitsLoss, CrossEntropyLoss on integer labels) and takes row-major (batch, features)
tensors; scikit-learn gets alpha=0 (no L2 term) and momentum=0 so that it does plain SGD, as
nnlib does. Importing this module imports neither library: a worker that hosts no peer never
loads them, and a missing library raises ImportError, which run.py reports as skipped.
It imports benchmarks/workloads.py (the configurations and data) and nothing imports it but
benchmarks/worker.py.
"""

import numpy as np
from workloads import CONFIGS, LR, Contender, data, maxrss_mb, rss_mb


class TorchStep(Contender):
    """One PyTorch training step: zero_grad, forward, loss, backward, torch.optim.SGD.step."""

    def __init__(self, name, dtype):
        import torch
        self.torch = torch
        sizes, m = CONFIGS[name]["sizes"], CONFIGS[name]["batch"]
        x, _, c = data(name, dtype, m)
        self.model, self.loss, self.X, self.T = _torch_model(sizes, x, c)
        self.initial = [p.detach().clone() for p in self.model.parameters()]
        self.optimizer = torch.optim.SGD(self.model.parameters(), lr=LR)

    def threads(self, n):
        self.torch.set_num_threads(n)

    def run(self):
        self.optimizer.zero_grad(set_to_none=True)
        self.loss(self.model(self.X), self.T).backward()
        self.optimizer.step()

    def reset(self):
        with self.torch.no_grad():
            for p, p0 in zip(self.model.parameters(), self.initial):
                p.copy_(p0)


class SklearnEpoch(Contender):
    """One epoch of MLPClassifier.partial_fit (shuffled mini-batches of the same size)."""

    def __init__(self, name, dtype, m):
        from sklearn.neural_network import MLPClassifier
        sizes, batch = CONFIGS[name]["sizes"], CONFIGS[name]["batch"]
        x, _, self.c = data(name, dtype, m)
        self.X = np.ascontiguousarray(x.T)  # (m, n_x): scikit-learn is row-major
        self.classes = np.arange(max(sizes[-1], 2))
        self.model = MLPClassifier(hidden_layer_sizes=tuple(sizes[1:-1]), activation="relu",
                                   solver="sgd", alpha=0.0, batch_size=batch,
                                   learning_rate_init=LR, momentum=0.0,
                                   nesterovs_momentum=False, shuffle=True, random_state=0)
        self.model.partial_fit(self.X[:batch], self.c[:batch], classes=self.classes)

    def run(self):
        self.model.partial_fit(self.X, self.c)


def make(kind, name, dtype, m=None):
    if kind == "torch":
        return TorchStep(name, dtype)
    if kind == "sklearn_epoch":
        return SklearnEpoch(name, dtype, m)
    raise ValueError(f"unknown peer {kind!r}")


def _torch_model(sizes, x, c):
    """(model, loss, X (m, n_x) tensor, targets) for the configuration with these sizes."""
    import torch
    dtype = torch.from_numpy(x[:1, :1].copy()).dtype
    layers = []
    for i, (n_in, n_out) in enumerate(zip(sizes, sizes[1:])):
        layers.append(torch.nn.Linear(n_in, n_out, dtype=dtype))
        if i < len(sizes) - 2:
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    X = torch.from_numpy(np.ascontiguousarray(x.T))  # (m, n_x)
    if sizes[-1] == 1:
        return model, torch.nn.BCEWithLogitsLoss(), X, torch.from_numpy(c[:, None].astype(x.dtype))
    return model, torch.nn.CrossEntropyLoss(), X, torch.from_numpy(c)


def memory(m, epochs):
    """ru_maxrss growth, in MB, of a PyTorch training loop (shuffled mini-batches, SGD) on
    configuration b, float32: measured as workloads.memory measures nnlib's."""
    import gc

    import torch
    torch.set_num_threads(1)
    x, _, c = data("b", np.float32, m, rowmajor=True)  # x.T is (m, n_x), row-major: no copy
    batch = CONFIGS["b"]["batch"]
    model, loss_function, X, T = _torch_model(CONFIGS["b"]["sizes"], x, c)
    optimizer = torch.optim.SGD(model.parameters(), lr=LR)
    generator = torch.Generator().manual_seed(0)
    m = X.shape[0]
    optimizer.zero_grad(set_to_none=True)  # warm-up step, as for nnlib
    loss_function(model(X[:batch]), T[:batch]).backward()
    optimizer.step()
    gc.collect()
    before, max_before = rss_mb(), maxrss_mb()
    for _ in range(epochs):
        for idx in torch.randperm(m, generator=generator).split(batch):
            optimizer.zero_grad(set_to_none=True)
            loss_function(model(X[idx]), T[idx]).backward()
            optimizer.step()
    return {"mb": maxrss_mb() - before, "setup_slack_mb": max_before - before,
            "method": "ru_maxrss delta, fresh process"}
