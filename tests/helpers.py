"""Finite differences for the tests, written independently of nnlib.gradient_check.

The tests compare nnlib's analytic derivatives with these numbers, so a shared mistake in
nnlib's own checker cannot hide a wrong gradient.
"""

import numpy as np

# float64: the central difference's own error is O(EPS^2) ~ 1e-10 (relative), the rounding of the
# loss ~ 1e-16 / EPS ~ 1e-11; 1e-5 balances the two (1e-6 lets rounding win on saturated nets).
EPS = 1e-5


def numerical_gradient(fun, p, eps=EPS):
    """dfun/dp by central differences: (fun() - fun()) at p[i] +- eps, for every entry i of p.

    ``fun`` takes no argument and reads p, which is perturbed in place, one entry at a time,
    and restored to the exact same float afterwards. Returns an array shaped like p.
    """
    grad = np.zeros(p.shape, dtype=np.float64)
    for i in np.ndindex(p.shape):
        kept = p[i]
        p[i] = kept + eps
        up = fun()
        p[i] = kept - eps
        down = fun()
        p[i] = kept
        grad[i] = (up - down) / (2 * eps)
    return grad


def relative_error(a, b):
    """||a - b|| / (||a|| + ||b||): 0 for a perfect match, ~1 for unrelated arrays, 0 for 0, 0."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    assert a.shape == b.shape, f"shapes differ: {a.shape} and {b.shape}"
    scale = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if scale == 0 else float(np.linalg.norm(a - b) / scale)


def away_from_zero(rng, shape, low=1e-3, high=3.0):
    """Random values with low < |z| < high and random signs: no point sits on a ReLU kink."""
    magnitude = rng.uniform(low, high, size=shape)
    return np.where(rng.random(shape) < 0.5, -magnitude, magnitude)
