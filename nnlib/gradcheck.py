"""Gradient checking: backpropagation against central differences.

For every entry p of every W_l and b_l:
    dL/dp ~= (L(p + eps) - L(p - eps)) / (2 eps)      error O(eps^2)
and each parameter's error is the relative error of the whole array,
    ||g_backprop - g_numeric|| / (||g_backprop|| + ||g_numeric||),
which is 0 for a perfect match, ~1e-9 or less for a correct float64 implementation, and of
order 1 for a wrong one. (An entrywise ratio would blow up where both gradients are ~0.)

Introduced in chapter 6 (Backpropagation).
"""

import numpy as np


def gradient_check(net, x, t, eps=1e-6, gradients=None):
    """Worst relative error per parameter: [{"W": err_W_0, "b": err_b_0}, ...] in layer order.

    ``gradients`` is the function under test, ``net.gradients`` by default; pass your own
    (x, t) -> [(dW, db), ...] to check it. The parameters are restored exactly afterwards.
    Use float64: float32's rounding swamps the differences.
    Shapes: x (n_x, m), t (n_y, m). Cost: two forward passes per parameter entry.
    """
    analytic = (gradients or net.gradients)(x, t)
    if len(analytic) != len(net.layers):
        raise ValueError(f"gradients returned {len(analytic)} (dW, db) pairs but the network has "
                         f"{len(net.layers)} layers: one pair per layer, in layer order")
    errors = []
    for l, (layer, (dW, db)) in enumerate(zip(net.layers, analytic)):
        errors.append({"W": _relative_error(dW, _numeric(net, layer.W, x, t, eps), f"dW_{l}"),
                       "b": _relative_error(db, _numeric(net, layer.b, x, t, eps), f"db_{l}")})
    return errors


def _numeric(net, p, x, t, eps):
    """Central differences of the loss with respect to every entry of the array p."""
    grad = np.zeros_like(p)
    for i in np.ndindex(p.shape):
        kept = p[i]
        p[i] = kept + eps
        up = net.loss(net.forward(x), t)
        p[i] = kept - eps
        down = net.loss(net.forward(x), t)
        p[i] = kept  # restore exactly: the same float, not kept + eps - eps
        grad[i] = (up - down) / (2 * eps)
    return grad


def _relative_error(a, b, name):
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape:
        raise ValueError(f"{name} has shape {a.shape} but its parameter has shape {b.shape}")
    scale = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if scale == 0 else float(np.linalg.norm(a - b) / scale)
