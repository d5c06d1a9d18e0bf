"""Activation functions: a = f(z), applied to every entry of the pre-activation z.

Shapes
    z, a, da, dz : (n, m)   n neurons of one layer, m examples (one column each)
    Softmax.df(z) : (n, n, m)   a full Jacobian per example; the others are elementwise

Each activation has ``f(z)`` and its derivative ``df(z)``. Both take the pre-activation z
(the draft's convention), not the output a. ``backward(z, da)`` is the chain rule through the
activation, dL/dz = f'(z) * dL/da, which backpropagation calls.

Introduced in chapter 2 (Forward pass: f) and chapter 5 (Derivatives: df).
"""

import numpy as np

from nnlib import checks


class Activation:
    """Base class: an activation function f with its derivative df.

    Elementwise unless a subclass says otherwise (Softmax mixes each column).

    Subclasses define ``f(z)`` and ``df(z)``; ``backward`` then works unchanged.
    Shapes: z (n, m) -> f(z), df(z) (n, m).
    Introduced in chapter 5 (Derivatives).
    """

    def f(self, z):
        """a = f(z). Shapes: z (n, m) -> a (n, m)."""
        raise NotImplementedError

    def df(self, z):
        """f'(z), the slope at every entry of z. Shapes: z (n, m) -> (n, m)."""
        raise NotImplementedError

    def backward(self, z, da):
        """Chain rule through f: dz = f'(z) * da (elementwise). Shapes: (n, m), (n, m) -> (n, m).

        Introduced in chapter 5 (Derivatives).
        """
        z, da = _same_shape(z, da)  # refuse a da that NumPy would silently broadcast
        return self.df(z) * da

    def __repr__(self):
        return f"{type(self).__name__}()"


class Identity(Activation):
    """f(z) = z, f'(z) = 1: a linear layer (regression outputs).

    Shapes: (n, m) -> (n, m). Introduced in chapter 2 (Forward pass).
    """

    def f(self, z):
        return _float(z)

    def df(self, z):
        return np.ones_like(_float(z))


class LeakyRelu(Activation):
    """f(z) = z if z > 0 else alpha * z;  f'(z) = 1 if z > 0 else alpha.

    The draft's activation. It wrote f as np.maximum(z, alpha * z), which is only right for
    alpha <= 1; the form here is right for every alpha. f'(0) is taken as alpha.
    Shapes: (n, m) -> (n, m). Introduced in chapter 1 (Notation); built in chapter 2
    (Forward pass).
    """

    def __init__(self, alpha=0.1):
        self.alpha = checks.real_number("alpha", alpha, "the slope for z < 0, e.g. 0.1")

    def f(self, z):
        z = _float(z)
        return np.where(z > 0, z, self.alpha * z)

    def df(self, z):
        z = _float(z)
        return np.where(z > 0, z.dtype.type(1), z.dtype.type(self.alpha))

    def __repr__(self):
        return f"LeakyRelu(alpha={self.alpha})"


class Relu(Activation):
    """f(z) = max(z, 0);  f'(z) = 1 if z > 0 else 0 (f'(0) taken as 0).

    Shapes: (n, m) -> (n, m). Introduced in chapter 1 (Notation); built in chapter 2
    (Forward pass).
    """

    def f(self, z):
        return np.maximum(_float(z), 0)

    def df(self, z):
        z = _float(z)
        return (z > 0).astype(z.dtype)


class Sigmoid(Activation):
    """f(z) = 1 / (1 + exp(-z));  f'(z) = f(z) (1 - f(z)).

    Computed from e = exp(-|z|), which never overflows: f = 1 / (1 + e) for z >= 0 and
    e / (1 + e) for z < 0 (the same value, rearranged). Stable for any finite z.
    Shapes: (n, m) -> (n, m). Introduced in chapter 2 (Forward pass).
    """

    def f(self, z):
        z = _float(z)
        e = np.exp(-np.abs(z))
        return np.where(z >= 0, 1 / (1 + e), e / (1 + e))

    def df(self, z):
        s = self.f(z)
        return s * (1 - s)


class Tanh(Activation):
    """f(z) = tanh(z);  f'(z) = 1 - tanh(z)^2.

    Shapes: (n, m) -> (n, m). Introduced in chapter 2 (Forward pass).
    """

    def f(self, z):
        return np.tanh(_float(z))

    def df(self, z):
        return 1 - np.tanh(_float(z)) ** 2


class Softmax(Activation):
    """f(z)_i = exp(z_i) / sum_j exp(z_j), over the n rows of each column.

    Not elementwise: every output depends on every input of its column, so the derivative is
    a Jacobian, J_ij = s_i (delta_ij - s_j). Subtracting the column maximum before exp
    changes nothing mathematically and prevents overflow.
    Shapes: f: (n, m) -> (n, m); df: (n, m) -> (n, n, m).
    Introduced in chapter 1 (Notation); built in chapter 4 (Loss), differentiated in
    chapter 5 (Derivatives).
    """

    def f(self, z):
        z = _float(z)
        e = np.exp(z - z.max(axis=0, keepdims=True))  # (n, m), every entry in (0, 1]
        return e / e.sum(axis=0, keepdims=True)

    def df(self, z):
        s = self.f(z)                                               # (n, m)
        n = s.shape[0]
        eye = np.eye(n, dtype=s.dtype)[:, :, None]                  # (n, n, 1)
        return s[:, None, :] * (eye - s[None, :, :])                # (n, n, m)

    def backward(self, z, da):
        """dz = J^T da per column, without building J: dz = s * (da - sum_i s_i da_i).

        Equal to np.einsum("ijm,im->jm", self.df(z), da), in O(n m) instead of O(n^2 m).
        """
        z, da = _same_shape(z, da)
        s = self.f(z)                                               # (n, m)
        return s * (da - (s * da).sum(axis=0, keepdims=True))       # (n, m)


def _float(z):
    """z as a floating-point array: integers become float64, float32 stays float32.

    Strings, objects and complex numbers raise TypeError (an O(1) look at the dtype)."""
    z = np.asarray(z)
    return z if z.dtype.kind == "f" else checks.real_array("z", z)


def _same_shape(z, da):
    """z and da as float arrays of one shape, or ValueError naming both shapes."""
    if type(z) is np.ndarray and type(da) is np.ndarray and z.shape == da.shape and \
            z.dtype.kind == da.dtype.kind == "f":  # backpropagation's case, checked fastest
        return z, da
    z, da = _float(z), checks.real_array("da", da)
    if z.shape != da.shape:
        raise ValueError(f"backward expects da, dL/da, of the shape of z, {z.shape}; got "
                         f"{da.shape}")
    return z, da
