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

from nnlib import init as initialisers
from nnlib.activations import Activation


class Layer:
    """A dense layer: a = f(W x + b).

    ``init`` draws W (a function from nnlib.init, or its name); b starts at zero. ``rng``
    (a numpy Generator or int seed) makes the draw reproducible: pass the same Generator to
    every layer of a network so that they get different weights.
    Shapes: W (outs, ins), b (outs, 1); forward: (ins, m) -> (outs, m).
    Introduced in chapter 3 (Layers).
    """

    def __init__(self, ins, outs, activation, init=initialisers.he_normal, rng=None,
                 dtype=np.float64):
        for name, n in (("ins", ins), ("outs", outs)):
            if not isinstance(n, (int, np.integer)) or n < 1:
                raise ValueError(f"Layer {name} must be a positive integer, got {n!r}")
        if isinstance(activation, type) and issubclass(activation, Activation):
            raise TypeError(f"activation must be an instance such as "
                            f"{activation.__name__}(), got the class {activation.__name__}")
        if not isinstance(activation, Activation):
            raise TypeError(f"activation must be an nnlib Activation such as Relu(), "
                            f"got {activation!r}")
        self.ins, self.outs = int(ins), int(outs)
        self.activation = activation
        self.W = initialisers.get(init)(self.outs, self.ins, rng=rng, dtype=dtype)  # (outs, ins)
        self.b = np.zeros((self.outs, 1), dtype=dtype)                              # (outs, 1)

    def linear(self, x):
        """z = W x + b. Shapes: (ins, m) -> (outs, m)."""
        return self.W @ x + self.b  # (outs, ins) @ (ins, m) + (outs, 1) -> (outs, m)

    def forward(self, x):
        """a = f(W x + b). Shapes: (ins, m) -> (outs, m).

        Raises ValueError when x is not (ins, m).
        """
        x = np.asarray(x)
        if x.ndim != 2 or x.shape[0] != self.ins:
            raise ValueError(f"{self!r} expects x of shape ({self.ins}, m), one column per "
                             f"example, but got shape {x.shape}")
        return self.activation.f(self.linear(x))

    def __repr__(self):
        return f"Layer({self.ins} -> {self.outs}, {self.activation!r})"
