"""Weight initialisers: how the first W of every layer is drawn.

Shapes
    W : (n_out, n_in)   one row per output neuron, one column per input
    b : (n_out, 1)      biases start at zero (nnlib.Layer does that)

Every initialiser has the signature ``init(n_out, n_in, rng=None, dtype=np.float64)`` and
returns a fresh array of shape (n_out, n_in). ``rng`` is a numpy Generator or an int seed.
fan_in is n_in = W.shape[1] and fan_out is n_out = W.shape[0], as in PyTorch's init.py.

Introduced in chapter 2 (Forward pass); compared in chapter 3 (Layers).
"""

import numpy as np

from nnlib import checks


def zeros(n_out, n_in, rng=None, dtype=np.float64):
    """All weights zero: W = 0.

    Every neuron of a layer then computes the same thing and receives the same gradient,
    so they never become different ("symmetry"). Chapter 3 shows why this fails.

    Shapes: returns (n_out, n_in). ``rng`` is accepted for a uniform signature and unused.
    Introduced in chapter 2 (Forward pass).
    """
    return np.zeros(_shape(n_out, n_in), dtype=dtype)


def normal(n_out, n_in, scale=1.0, rng=None, dtype=np.float64):
    """Normal weights with a fixed standard deviation: W ~ N(0, scale^2).

    Shapes: returns (n_out, n_in).
    Use ``functools.partial(normal, scale=0.5)`` to pass a chosen scale to a Layer.
    Introduced in chapter 2 (Forward pass).
    """
    return _gaussian(n_out, n_in, scale, rng, dtype)


def inverse_size_normal(n_out, n_in, rng=None, dtype=np.float64):
    """The draft's initialiser: W ~ N(0, s^2) with s = 1 / (n_out * n_in).

    It shrinks with the *product* of the layer sizes: a 4x4 layer gets s = 1/16, a 100x100
    layer s = 1e-4. A layer multiplies the size of the signal by about sqrt(n_in) * s =
    1 / (n_out sqrt(n_in)), so a few layers in, every output is indistinguishable from zero
    and nothing can be learned.
    Kept, under a name that says what it is, so the book can show that failure.

    Shapes: returns (n_out, n_in).
    Introduced in chapter 2 (Forward pass).
    """
    return _gaussian(n_out, n_in, 1.0 / (n_out * n_in), rng, dtype)


def xavier_uniform(n_out, n_in, rng=None, dtype=np.float64):
    """Xavier/Glorot uniform: W ~ U(-a, a) with a = sqrt(6 / (n_in + n_out)).

    Keeps the variance of activations and of gradients roughly constant through layers
    with symmetric, unit-slope-at-zero activations (tanh, sigmoid's linear part).
    Glorot and Bengio (2010). Also known as Glorot uniform.

    Shapes: returns (n_out, n_in).
    Introduced in chapter 3 (Layers).
    """
    a = np.sqrt(6.0 / (n_in + n_out))
    uniform = checks.generator(rng).uniform(-a, a, size=_shape(n_out, n_in))
    return uniform.astype(dtype, copy=False)


def xavier_normal(n_out, n_in, rng=None, dtype=np.float64):
    """Xavier/Glorot normal: W ~ N(0, s^2) with s = sqrt(2 / (n_in + n_out)).

    Glorot and Bengio (2010). Also known as Glorot normal.

    Shapes: returns (n_out, n_in).
    Introduced in chapter 3 (Layers).
    """
    return _gaussian(n_out, n_in, np.sqrt(2.0 / (n_in + n_out)), rng, dtype)


def he_normal(n_out, n_in, rng=None, dtype=np.float64):
    """He/Kaiming normal: W ~ N(0, s^2) with s = sqrt(2 / n_in).

    ReLU zeroes half of its inputs, halving the variance; the factor 2 gives it back, so the
    signal keeps its size through deep ReLU networks. He et al. (2015). Also known as
    Kaiming normal (fan_in mode). nnlib's default.

    Shapes: returns (n_out, n_in).
    Introduced in chapter 2 (Forward pass); compared in chapter 3 (Layers).
    """
    return _gaussian(n_out, n_in, np.sqrt(2.0 / n_in), rng, dtype)


INITIALISERS = {f.__name__: f for f in
                (zeros, normal, inverse_size_normal, xavier_uniform, xavier_normal, he_normal)}


def get(init):
    """Return the initialiser ``init``: a function is returned as it is, a name is looked up.

    Raises ValueError for an unknown name, listing the known ones.
    """
    if callable(init):
        return init
    if isinstance(init, str) and init in INITIALISERS:
        return INITIALISERS[init]
    raise ValueError(f"unknown initialiser {init!r}: expected a function or one of "
                     f"{', '.join(INITIALISERS)}")


def _shape(n_out, n_in):
    """(n_out, n_in), checked: two positive integers."""
    return checks.integer("n_out", n_out, 1), checks.integer("n_in", n_in, 1)


def _gaussian(n_out, n_in, scale, rng, dtype):
    shape = _shape(n_out, n_in)
    scale = checks.real_number("scale", scale, "a standard deviation >= 0")
    if scale < 0:
        raise ValueError(f"scale must be a standard deviation >= 0, got {scale}")
    z = checks.generator(rng).standard_normal(shape)              # (n_out, n_in)
    return (scale * z).astype(dtype, copy=False)
