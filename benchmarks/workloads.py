"""What benchmarks/run.py measures: the configurations, nnlib's contenders, its memory.

Each configuration is a multilayer perceptron with ReLU hidden layers, trained by plain SGD:

    name   sizes                 batch   output and loss
    a      2-16-16-1             32      Sigmoid + binary cross-entropy
    b      784-256-128-10        128     Softmax + cross-entropy
    c      784-1024-1024-10      512     Softmax + cross-entropy

A *contender* is something that can be timed in blocks of calls: one nnlib training step, the
GEMMs of that step alone (the BLAS limit), a PyTorch step (benchmarks/peers.py), an epoch of
nnlib's ``fit`` or of scikit-learn's ``MLPClassifier.partial_fit``.

The modules import one way: workloads.py (this file: what is measured, nnlib only) <- peers.py
(the PyTorch and scikit-learn equivalents) <- worker.py (the process that times them) <- run.py
(the command that starts workers and prints the tables).
"""

import gc
import os
import resource
import time
import tracemalloc

import numpy as np

import nnlib

CONFIGS = {
    "a": {"sizes": [2, 16, 16, 1], "batch": 32},
    "b": {"sizes": [784, 256, 128, 10], "batch": 128},
    "c": {"sizes": [784, 1024, 1024, 10], "batch": 512},
}
DTYPES = {"float32": np.float32, "float64": np.float64}
LR = 1e-4  # small, so thousands of steps on random data never diverge (no inf/NaN to time)


def label(name):
    """'784-256-128-10 (batch 128)'."""
    cfg = CONFIGS[name]
    return f"{'-'.join(map(str, cfg['sizes']))} (batch {cfg['batch']})"


def params(sizes):
    """Number of parameters (weights and biases)."""
    return sum(n_out * n_in + n_out for n_in, n_out in zip(sizes, sizes[1:]))


def flops_6pb(sizes, batch):
    """The usual estimate of a training step's work: 6 * params * batch.

    2 flops per parameter and example for the forward GEMMs (a multiply and an add), 4 for the
    backward ones (dW = dz a^T and da = W^T dz). Biases and elementwise work are noise.
    """
    return 6 * params(sizes) * batch


def flops_executed(sizes, batch):
    """The GEMM flops a step really executes: as 6PB, but without da for layer 0.

    Neither nnlib nor PyTorch computes the gradient with respect to the input x.
    """
    layers = list(zip(sizes, sizes[1:]))
    return sum(2 * n_out * n_in * batch * (2 if l == 0 else 3)
               for l, (n_in, n_out) in enumerate(layers))


def data(name, dtype, m, rng=0, rowmajor=False):
    """Random inputs and class labels: x (n_x, m) C-ordered as nnlib.datasets returns them,
    t (n_y, m) (one-hot, or 0/1 for one output), labels (m,) ints.

    ``rowmajor=True`` makes x and t transposes of row-major (m, n) arrays instead (same
    shapes, F-ordered), drawn directly so that no data-sized temporary is ever made.
    """
    sizes = CONFIGS[name]["sizes"]
    rng = np.random.default_rng(rng)
    n_x, n_y = sizes[0], sizes[-1]
    x = (rng.standard_normal((m, n_x), dtype=dtype).T if rowmajor  # (n_x, m) view
         else rng.standard_normal((n_x, m), dtype=dtype))          # (n_x, m)
    c = rng.integers(0, max(n_y, 2), m)                            # (m,)
    if n_y == 1:
        t = c[None, :].astype(dtype)                               # (1, m)
    else:
        t = np.eye(n_y, dtype=dtype)[c].T if rowmajor else np.eye(n_y, dtype=dtype)[:, c]
    return x, t, c


def network(name, dtype, rng=0):
    """The nnlib network of a configuration."""
    sizes = CONFIGS[name]["sizes"]
    if sizes[-1] == 1:
        output, loss = nnlib.Sigmoid(), nnlib.BinaryCrossEntropy()
    else:
        output, loss = nnlib.Softmax(), nnlib.CrossEntropy()
    return nnlib.mlp(sizes, nnlib.Relu(), output, loss, rng=rng, dtype=dtype)


class Contender:
    """Something timed in blocks: ``run()`` is one call; ``reset()`` (untimed) restores state."""

    def run(self):
        raise NotImplementedError

    def reset(self):
        pass


class NnlibStep(Contender):
    """One SGD step as nnlib.NeuralNet.fit takes it: _loss_and_gradients, then SGD.step.

    This is fit's inner loop, without the once-per-call input checks. ``public=True`` times
    NeuralNet.train(x, t, lr) instead, the public one-step API, which also checks that x and t
    have the right shapes and are finite.
    """

    def __init__(self, name, dtype, public=False):
        self.net = network(name, dtype)
        self.x, self.t, _ = data(name, dtype, CONFIGS[name]["batch"])
        self.params = [p for layer in self.net.layers for p in (layer.W, layer.b)]
        self.initial = [p.copy() for p in self.params]
        self.optimizer = nnlib.SGD(LR)
        self.public = public

    def run(self):
        if self.public:
            self.net.train(self.x, self.t, LR)
        else:
            _, grads = self.net._loss_and_gradients(self.x, self.t)
            self.optimizer.step(self.params, [g for pair in grads for g in pair])

    def reset(self):
        for p, p0 in zip(self.params, self.initial):
            p[...] = p0


class Gemms(Contender):
    """The GEMMs of one nnlib step and nothing else, same shapes and memory layouts:
    forward W_l @ a_l, backward dz_l @ a_l.T and (for l > 0) W_l.T @ dz_l."""

    def __init__(self, name, dtype):
        sizes, m = CONFIGS[name]["sizes"], CONFIGS[name]["batch"]
        rng = np.random.default_rng(0)
        self.layers = [(rng.standard_normal((n_out, n_in), dtype=dtype),   # W_l (n_out, n_in)
                        rng.standard_normal((n_in, m), dtype=dtype),       # a_l (n_in, m)
                        rng.standard_normal((n_out, m), dtype=dtype))      # dz_l (n_out, m)
                       for n_in, n_out in zip(sizes, sizes[1:])]

    def run(self):
        for W, a, _ in self.layers:
            W @ a                                       # (n_out, m)
        for l, (W, a, dz) in reversed(list(enumerate(self.layers))):
            dz @ a.T                                    # (n_out, n_in)
            if l > 0:
                W.T @ dz                                # (n_in, m)


class NnlibEpoch(Contender):
    """One epoch of nnlib's fit: shuffled mini-batches, SGD, the loss of every batch."""

    def __init__(self, name, dtype, m):
        self.net = network(name, dtype)
        self.x, self.t, _ = data(name, dtype, m)
        self.batch = CONFIGS[name]["batch"]
        self.params = [p for layer in self.net.layers for p in (layer.W, layer.b)]
        self.initial = [p.copy() for p in self.params]
        self.seed = 0

    def run(self):
        self.seed += 1
        self.net.fit(self.x, self.t, epochs=1, batch_size=self.batch, optimizer=nnlib.SGD(LR),
                     rng=self.seed, progress=False)

    def reset(self):
        for p, p0 in zip(self.params, self.initial):
            p[...] = p0


def time_block(contender, n):
    """Wall-clock and CPU seconds of n calls (after an untimed reset)."""
    contender.reset()
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(n):
        contender.run()
    return time.perf_counter() - wall, time.process_time() - cpu


def rss_mb():
    """Resident set size now, in MB (Linux /proc)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def maxrss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def memory(kind, m, epochs):
    """Memory of training configuration b (float32) for ``epochs`` epochs of m examples.

    Measured in this fresh process after one warm-up step, beyond the data and the model (both
    built before the measurement starts):
      nnlib_fit / nnlib_fit_rowmajor: tracemalloc's peak of NumPy's allocations during fit,
        with x (n_x, m) C-ordered as nnlib.datasets returns it, or x = X.T (a view of a
        row-major X, the layout fit shuffles in, so fit need not copy it);
      nnlib_steps: the same for fit's inner loop alone (mini-batch steps, no input checks);
      *_rss: ru_maxrss after training minus the resident size just before it (the whole
        process: NumPy, BLAS buffers, allocator); peers.memory measures PyTorch the same way.
    """
    x, t, _ = data("b", np.float32, m, rowmajor="rowmajor" in kind or "steps" in kind)
    batch = CONFIGS["b"]["batch"]
    net = network("b", np.float32)

    def train():
        if kind.startswith("nnlib_steps"):  # fit's inner loop alone: no input checks
            params = [p for layer in net.layers for p in (layer.W, layer.b)]
            optimizer, rng = nnlib.SGD(LR), np.random.default_rng(0)
            xT, tT = x.T, t.T  # (m, n_x), (m, n_y): row-major, as fit keeps them
            for _ in range(epochs):
                for idx in np.split(rng.permutation(m), range(batch, m, batch)):
                    _, grads = net._loss_and_gradients(xT[idx].T, tT[idx].T)
                    optimizer.step(params, [g for pair in grads for g in pair])
        else:
            net.fit(x, t, epochs=epochs, batch_size=batch, optimizer=nnlib.SGD(LR),
                    progress=False)

    # Warm-up: one step, so that library code pages and BLAS buffers, paid once per process,
    # are resident before we measure (PyTorch gets the same).
    net.fit(x[:, :batch], t[:, :batch], epochs=1, optimizer=nnlib.SGD(LR), progress=False)
    gc.collect()
    if kind.endswith("_rss"):
        before, max_before = rss_mb(), maxrss_mb()
        train()
        return {"mb": maxrss_mb() - before, "setup_slack_mb": max_before - before,
                "method": "ru_maxrss delta, fresh process"}
    tracemalloc.start()
    train()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {"mb": peak / 2**20, "method": "tracemalloc peak (NumPy allocations), fresh process"}
