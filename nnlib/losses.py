"""Loss functions: one number that says how far the predictions are from the targets.

Shapes
    y_pred, t : (n_y, m)   predictions and targets, one column per example
    loss      : float      the mean over the m examples
    dloss     : (n_y, m)   dL/dy_pred, the same shape as y_pred

The 1/m of the mean lives here and nowhere else: backpropagation sums over the batch
(db = dz.sum(axis=1)), and the mean comes from dloss.

Each loss checks its arguments first (``check``): arrays of real numbers of one shape, at
least one example, and whatever its formula needs (probabilities for the cross-entropies).
For every input a loss accepts, dloss is the exact derivative of the value loss returns.

Introduced in chapter 4 (Loss); dloss in chapter 5 (Derivatives).
"""

import numpy as np

from nnlib import checks
from nnlib.activations import Sigmoid, Softmax


class Loss:
    """Base class: ``loss(y_pred, t)`` and its gradient ``dloss(y_pred, t)``.

    Shapes: y_pred, t (n_y, m) -> loss float, dloss (n_y, m).
    Introduced in chapter 4 (Loss).
    """

    def loss(self, y_pred, t):
        """L(y_pred, t), a Python float: the mean over the m examples."""
        raise NotImplementedError

    def dloss(self, y_pred, t):
        """dL/dy_pred. Shapes: (n_y, m), (n_y, m) -> (n_y, m)."""
        raise NotImplementedError

    def dz(self, activation, z, y_pred, t):
        """dL/dz for the last layer, whose output is y_pred = activation.f(z).

        By default the chain rule: activation.backward(z, dloss). A loss overrides this
        where the product simplifies to something exact and more stable.
        Shapes: (n_y, m) -> (n_y, m). Introduced in chapter 4 (Loss); derived in chapter 6
        (Backpropagation).
        """
        return activation.backward(z, self.dloss(y_pred, t))

    def check(self, y_pred, t):
        """y_pred and t as float arrays of one shape (n_y, m), m >= 1; else ValueError or
        TypeError naming the argument. A subclass adds what its formula needs."""
        return _pair(self, y_pred, t)

    def check_targets(self, t, name="t"):
        """Raise ValueError if targets t (n_y, m) are outside what this loss can score."""

    def __repr__(self):
        return f"{type(self).__name__}()"


class MSE(Loss):
    """Mean squared error: L = (1 / (n_y m)) sum_ij (y_ij - t_ij)^2.

    The per-example squared error is averaged over the n_y outputs, then over the m
    examples (the draft's np.mean). dL/dy = 2 (y - t) / (n_y m).
    Shapes: (n_y, m), (n_y, m) -> float. Introduced in chapter 1 (Notation); built in chapter 4
    (Loss).
    """

    def loss(self, y_pred, t):
        y_pred, t = self.check(y_pred, t)
        return float(np.mean((y_pred - t) ** 2))

    def dloss(self, y_pred, t):
        y_pred, t = self.check(y_pred, t)
        return 2 * (y_pred - t) / y_pred.size


class BinaryCrossEntropy(Loss):
    """Binary cross-entropy: L = -(1 / (n_y m)) sum_ij [t log y + (1 - t) log(1 - y)].

    For targets t in [0, 1] (usually 0 or 1) and probabilities y in (0, 1), the output of a
    Sigmoid layer; anything else raises ValueError. A y of exactly 0 or 1 (a sigmoid that
    rounded) is moved just inside, so that log never sees 0.
    dL/dy = (y - t) / (y (1 - y)) / (n_y m).
    Shapes: (n_y, m), (n_y, m) -> float. Introduced in chapter 4 (Loss).
    """

    def loss(self, y_pred, t):
        y, t = self.check(y_pred, t)
        y = _clip(y)
        return float(-np.mean(t * np.log(y) + (1 - t) * np.log(1 - y)))

    def dloss(self, y_pred, t):
        y, t = self.check(y_pred, t)
        y = _clip(y)
        return (y - t) / (y * (1 - y)) / y.size

    def dz(self, activation, z, y_pred, t):
        # With y = sigmoid(z), f'(z) = y (1 - y) cancels the denominator of dL/dy exactly:
        # dL/dz = (y - t) / (n_y m). Exact, and no division by a y that rounds to 0 or 1.
        if isinstance(activation, Sigmoid):
            y, t = _pair(self, y_pred, t)
            return (y - t) / y.size
        return super().dz(activation, z, y_pred, t)

    def check(self, y_pred, t):
        """Loss.check, and both arguments in [0, 1]: probabilities and their targets."""
        y, t = _pair(self, y_pred, t)
        self.check_targets(t)
        _within(y, "y_pred", "probabilities in (0, 1), the output of a Sigmoid() layer")
        return y, t

    def check_targets(self, t, name="t"):
        _within(t, name, "targets in [0, 1]: 1 for the positive class, 0 for the other")


class CrossEntropy(Loss):
    """Cross-entropy for classes: L = -(1/m) sum_j sum_i t_ij log y_ij.

    For targets t >= 0 (one-hot: each column has a single 1; or soft labels, class
    probabilities) and probabilities y whose columns sum to 1, the output of a Softmax layer;
    anything else raises ValueError. Per example it is -log(probability of the right class).
    A y of exactly 0 is moved to the smallest normal float, so that log never sees 0.
    dL/dy = -t / y / m.
    Shapes: (n_y, m), (n_y, m) -> float. Introduced in chapter 1 (Notation); built in chapter 4
    (Loss).
    """

    def loss(self, y_pred, t):
        y, t = self.check(y_pred, t)
        m = y.shape[-1]
        return float(-np.sum(t * np.log(_clip(y, upper=False))) / m)

    def dloss(self, y_pred, t):
        y, t = self.check(y_pred, t)
        return -t / _clip(y, upper=False) / y.shape[-1]

    def dz(self, activation, z, y_pred, t):
        # With y = softmax(z), the Jacobian J_ik = y_i (delta_ik - y_k) applied to
        # dL/dy_i = -t_i / (m y_i) gives dL/dz_k = (y_k sum_i t_i - t_k) / m: exact for every
        # t, and (y_k - t_k) / m when a column of t sums to 1 (one-hot). The y_i cancel: no
        # division, no overflow when a probability underflows to 0. (PyTorch fuses
        # log-softmax with its loss for the same reason.)
        if isinstance(activation, Softmax):
            y, t = _pair(self, y_pred, t)
            return (y * t.sum(axis=0, keepdims=True) - t) / y.shape[-1]  # (n_y, m)
        return super().dz(activation, z, y_pred, t)

    def check(self, y_pred, t):
        """Loss.check, t >= 0, and every column of y_pred a distribution (sums to 1)."""
        y, t = _pair(self, y_pred, t)
        self.check_targets(t)
        if y.min() < 0:  # (and sums near 1 keep every entry below 1 + 1e-3)
            raise ValueError(f"y_pred must hold probabilities >= 0, the output of a Softmax() "
                             f"layer; got a smallest entry of {y.min():.6g}")
        sums = y.sum(axis=0)                                           # (m,)
        if np.abs(sums - 1).max() > 1e-3:  # False for NaN: divergence, not a wrong output
            j = int(np.abs(sums - 1).argmax())
            raise ValueError(f"{self!r} expects y_pred's columns to be distributions that sum "
                             f"to 1 (a Softmax() output); column {j} sums to {sums[j]:.6g}")
        return y, t

    def check_targets(self, t, name="t"):
        if t.min() < 0:
            raise ValueError(f"{self!r} expects targets {name} >= 0 (one-hot columns, or class "
                             f"probabilities); got a smallest entry of {t.min():.6g}")


def _pair(loss, y_pred, t):
    """Check that predictions and targets are real arrays of one shape, with m >= 1."""
    y_pred = checks.real_array("y_pred", y_pred)
    raw, t = t, checks.real_array("t", t, y_pred.dtype)  # int or 0/1 targets: no upcast
    if y_pred.shape != t.shape:
        hint = ""
        if t.ndim == 1 and y_pred.ndim == 2 and np.asarray(raw).dtype.kind in "iu" \
                and t.shape[0] == y_pred.shape[1] and y_pred.shape[0] > 1:
            hint = (f": these look like integer class labels, but {loss!r} expects one-hot "
                    f"targets; use nnlib.datasets.one_hot(labels, {y_pred.shape[0]})")
        raise ValueError(f"predictions and targets must have the same shape (n_y, m): "
                         f"y_pred has shape {y_pred.shape} but t has shape {t.shape}{hint}")
    if y_pred.ndim == 0 or y_pred.size == 0:
        raise ValueError(f"{loss!r} expects y_pred and t of shape (n_y, m) with m >= 1 "
                         f"examples, got shape {y_pred.shape}")
    return y_pred, t.astype(y_pred.dtype, copy=False)


def _within(a, name, expected):
    """Raise ValueError if an entry of a lies outside [0, 1]. NaN passes: a diverged network's
    NaN gives a NaN loss, which fit reports as divergence (FloatingPointError)."""
    lo, hi = a.min() + 0.0, a.max() + 0.0  # + 0.0 prints -0.0 as 0
    if lo < 0 or hi > 1:
        raise ValueError(f"{name} must hold {expected}; got values from {lo:.6g} to {hi:.6g}")


def _clip(y, upper=True):
    """Keep y within [smallest normal float, largest float below 1], ~[2.2e-308, 1 - 1.1e-16]
    in float64, so that log(y), log(1 - y) and 1/y stay finite. Every y in that range, which
    is every probability but 0, 1 and the subnormals, is left exactly as it is."""
    low, high = _LIMITS[y.dtype] if y.dtype in _LIMITS else _limits(y.dtype)
    return np.clip(y, low, high) if upper else np.maximum(y, low)


def _limits(dtype):
    _LIMITS[dtype] = (np.finfo(dtype).tiny, np.nextafter(dtype.type(1), dtype.type(0)))
    return _LIMITS[dtype]


_LIMITS = {}  # per float dtype: (smallest normal float, largest float below 1)
