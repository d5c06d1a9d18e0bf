"""One layer: the connections from n_in neurons to n_out neurons, and their activation.

Shapes
    x : (n_in, m)       inputs, one column per example
    W : (n_out, n_in)   weights: row i holds the weights into output neuron i
    b : (n_out, 1)      biases, broadcast across the m columns
    z : (n_out, m)      pre-activation, z = W x + b
    a : (n_out, m)      activation, a = f(z)

Introduced in chapter 3 (Layers).
"""

import numpy as np

from nnlib import checks
from nnlib import init as initialisers
from nnlib.activations import Activation


class Layer:
    """A dense layer: a = f(W x + b).

    ``init`` draws W (a function from nnlib.init, or its name); b starts at zero. ``rng``
    (a numpy Generator or int seed) makes the draw reproducible: pass the same Generator to
    every layer of a network so that they get different weights. ``dtype`` is a floating
    type (float64 or float32). Bad arguments raise ValueError or TypeError at construction.
    Shapes: W (outs, ins), b (outs, 1); forward: (ins, m) -> (outs, m).
    Introduced in chapter 1 (Notation); built in chapter 3 (Layers).
    """

    def __init__(self, ins, outs, activation, init=initialisers.he_normal, rng=None,
                 dtype=np.float64):
        ins, outs = checks.integer("Layer ins", ins, 1), checks.integer("Layer outs", outs, 1)
        dtype = _float_dtype(dtype)
        if isinstance(activation, type) and issubclass(activation, Activation):
            raise TypeError(f"activation must be an instance such as "
                            f"{activation.__name__}(), got the class {activation.__name__}")
        if not isinstance(activation, Activation):
            raise TypeError(f"activation must be an nnlib Activation such as Relu(), "
                            f"got {activation!r}")
        W = initialisers.get(init)(outs, ins, rng=rng, dtype=dtype)  # (outs, ins)
        self.ins, self.outs, self.activation = ins, outs, activation
        self.W = _check_init(init, W, outs, ins, dtype)             # (outs, ins)
        self.b = np.zeros((self.outs, 1), dtype=dtype)              # (outs, 1)

    def linear(self, x):
        """z = W x + b. Shapes: (ins, m) -> (outs, m)."""
        # (outs, ins) @ (ins, m) + (outs, 1): b broadcast over the m columns
        return self.W @ x + self.b  # (outs, m)

    def forward(self, x):
        """a = f(W x + b). Shapes: (ins, m) -> (outs, m).

        Raises ValueError when x is not (ins, m) with m >= 1, or holds NaN
        or inf; TypeError when x is not real numbers.
        """
        x = checks.real_array("x", x, self.W.dtype)
        if x.ndim != 2 or x.shape[0] != self.ins or x.shape[1] == 0:
            raise ValueError(f"{self!r} expects x of shape ({self.ins}, m), "
                             f"one column per example and m >= 1, but got "
                             f"shape {x.shape}")
        checks.finite("x", x)
        return self.activation.f(self.linear(x))

    def __repr__(self):
        return f"Layer({self.ins} -> {self.outs}, {self.activation!r})"


def _float_dtype(dtype):
    """dtype as a NumPy floating type: integer weights could not take small steps."""
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"dtype must be a floating type such as np.float64, got {dtype!r}") \
            from None
    if dtype.kind != "f":
        raise TypeError(f"dtype must be a floating type such as np.float64 or np.float32, got "
                        f"{dtype}: integer weights would be truncated and could not learn")
    return dtype


def _check_init(init, W, outs, ins, dtype):
    """The initialiser's result: an array of real numbers, (outs, ins), finite, of dtype."""
    name = getattr(init, "__name__", repr(init))
    W = checks.real_array(f"the weights from init={name}", W, dtype)
    if W.shape != (outs, ins):
        raise ValueError(f"init={name} must return W of shape (outs, ins) = ({outs}, {ins}), "
                         f"got shape {W.shape}: it is called as init(n_out, n_in, rng=, dtype=)")
    checks.finite(f"the weights from init={name}", W)
    return W.astype(dtype, copy=False)
