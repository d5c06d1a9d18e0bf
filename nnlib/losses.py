"""Loss functions: one number that says how far the predictions are from the targets.

Shapes
    y_pred, t : (n_y, m)   predictions and targets, one column per example
    loss      : float      the mean over the m examples
    dloss     : (n_y, m)   dL/dy_pred, the same shape as y_pred

The 1/m of the mean lives here and nowhere else: backpropagation sums over the batch
(db = dz.sum(axis=1)), and the mean comes from dloss.

Introduced in chapter 4 (Loss); dloss in chapter 5 (Derivatives).
"""

import numpy as np

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
        Shapes: (n_y, m) -> (n_y, m). Introduced in chapter 6 (Backpropagation).
        """
        return activation.backward(z, self.dloss(y_pred, t))

    def __repr__(self):
        return f"{type(self).__name__}()"


class MSE(Loss):
    """Mean squared error: L = (1 / (n_y m)) sum_ij (y_ij - t_ij)^2.

    The per-example squared error is averaged over the n_y outputs, then over the m
    examples (the seed's np.mean). dL/dy = 2 (y - t) / (n_y m).
    Shapes: (n_y, m), (n_y, m) -> float. Introduced in chapter 4 (Loss).
    """

    def loss(self, y_pred, t):
        y_pred, t = _pair(y_pred, t)
        return float(np.mean((y_pred - t) ** 2))

    def dloss(self, y_pred, t):
        y_pred, t = _pair(y_pred, t)
        return 2 * (y_pred - t) / y_pred.size


class BinaryCrossEntropy(Loss):
    """Binary cross-entropy: L = -(1 / (n_y m)) sum_ij [t log y + (1 - t) log(1 - y)].

    For targets t in {0, 1} and probabilities y in (0, 1), the output of a Sigmoid layer.
    y is clipped to [eps, 1 - eps] so that log never sees 0.
    dL/dy = (y - t) / (y (1 - y)) / (n_y m).
    Shapes: (n_y, m), (n_y, m) -> float. Introduced in chapter 4 (Loss).
    """

    def loss(self, y_pred, t):
        y, t = _pair(y_pred, t)
        y = _clip(y)
        return float(-np.mean(t * np.log(y) + (1 - t) * np.log(1 - y)))

    def dloss(self, y_pred, t):
        y, t = _pair(y_pred, t)
        y = _clip(y)
        return (y - t) / (y * (1 - y)) / y.size

    def dz(self, activation, z, y_pred, t):
        # With y = sigmoid(z), f'(z) = y (1 - y) cancels the denominator of dL/dy exactly:
        # dL/dz = (y - t) / (n_y m). Exact, and no division by a y that rounds to 0 or 1.
        if isinstance(activation, Sigmoid):
            y, t = _pair(y_pred, t)
            return (y - t) / y.size
        return super().dz(activation, z, y_pred, t)


class CrossEntropy(Loss):
    """Cross-entropy for classes: L = -(1/m) sum_j sum_i t_ij log y_ij.

    For one-hot targets t (each column has a single 1) and probabilities y whose columns sum
    to 1, the output of a Softmax layer. Per example it is -log(probability of the right
    class). y is clipped below at the smallest positive float so log never sees 0.
    dL/dy = -t / y / m.
    Shapes: (n_y, m), (n_y, m) -> float. Introduced in chapter 4 (Loss).
    """

    def loss(self, y_pred, t):
        y, t = _pair(y_pred, t)
        m = y.shape[-1]
        return float(-np.sum(t * np.log(_clip(y, upper=False))) / m)

    def dloss(self, y_pred, t):
        y, t = _pair(y_pred, t)
        return -t / _clip(y, upper=False) / y.shape[-1]

    def dz(self, activation, z, y_pred, t):
        # With y = softmax(z), the Jacobian J_ij = y_i (delta_ij - y_j) applied to
        # dL/dy_i = -t_i / (m y_i) gives dL/dz_j = (y_j sum_i t_i - t_j) / m = (y_j - t_j) / m,
        # because each one-hot column sums to 1. The y_i cancel: no division, no overflow
        # when a probability underflows to 0. (PyTorch fuses log-softmax with its loss for
        # the same reason.)
        y, t = _pair(y_pred, t)
        if isinstance(activation, Softmax) and np.allclose(t.sum(axis=0), 1):
            return (y - t) / y.shape[-1]
        return super().dz(activation, z, y_pred, t)


def _pair(y_pred, t):
    """Check that predictions and targets have the same shape; return both as arrays."""
    y_pred, t = np.asarray(y_pred), np.asarray(t)
    if y_pred.shape != t.shape:
        raise ValueError(f"predictions and targets must have the same shape (n_y, m): "
                         f"y_pred has shape {y_pred.shape} but t has shape {t.shape}")
    if not np.issubdtype(y_pred.dtype, np.floating):
        y_pred = y_pred.astype(np.float64)
    return y_pred, t.astype(y_pred.dtype, copy=False)  # int or 0/1 targets: no upcast


def _clip(y, upper=True):
    """Keep probabilities away from 0 (and 1) so that log and 1/y stay finite."""
    info = np.finfo(y.dtype)
    return np.clip(y, info.eps, 1 - info.eps) if upper else np.maximum(y, info.tiny)
