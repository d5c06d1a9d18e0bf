"""Gradient checking: backpropagation against central differences.

For every entry p of every W_l and b_l:
    dL/dp ~= (L(p + h) - L(p - h)) / (2 h)      error O(h^2)
and each parameter's error is the relative error of the whole array,
    ||g_backprop - g_numeric|| / (||g_backprop|| + ||g_numeric||),
which is 0 for a perfect match, ~1e-9 or less for a correct float64 implementation, and of
order 1 for a wrong one. (An entrywise ratio would blow up where both gradients are ~0.)

Introduced in chapter 5 (Derivatives); it checks backpropagation from chapter 6.
"""

import numpy as np

from nnlib import checks


def gradient_check(net, x, t, h=1e-6, gradients=None):
    """Worst relative error per parameter: [{"W": err_W_0, "b": err_b_0}, ...] in layer order.

    ``h`` is the finite-difference step. ``gradients`` is the function under test,
    ``net.gradients`` by default; pass your own (x, t) -> [(dW, db), ...] to check it. The
    parameters are restored exactly afterwards, even when a forward pass raises.
    Use float64: float32's rounding swamps the differences.
    Shapes: x (n_x, m), t (n_y, m). Cost: two forward passes per parameter entry.
    """
    if not hasattr(net, "layers") or not hasattr(net, "_check"):
        raise TypeError(f"gradient_check expects an nnlib NeuralNet as net, got "
                        f"{type(net).__name__}")
    x, t = net._check(x, t)
    h = checks.positive("h", h, ": it is the finite-difference step, e.g. 1e-6")
    if gradients is not None and not callable(gradients):
        raise TypeError(f"gradients must be a function (x, t) -> [(dW, db), ...], got "
                        f"{type(gradients).__name__}")
    analytic = (gradients or net.gradients)(x, t)
    if len(analytic) != len(net.layers):
        raise ValueError(f"gradients returned {len(analytic)} (dW, db) pairs but the network has "
                         f"{len(net.layers)} layers: one pair per layer, in layer order")
    errors = []
    for l, (layer, (dW, db)) in enumerate(zip(net.layers, analytic)):
        errors.append({"W": _relative_error(dW, _numeric(net, layer.W, x, t, h), f"dW_{l}"),
                       "b": _relative_error(db, _numeric(net, layer.b, x, t, h), f"db_{l}")})
    return errors


def _numeric(net, p, x, t, h):
    """Central differences of the loss with respect to every entry of the array p."""
    grad = np.zeros_like(p)
    for i in np.ndindex(p.shape):
        kept = p[i]
        try:
            p[i] = kept + h
            up = net.loss(net.forward(x), t)
            p[i] = kept - h
            down = net.loss(net.forward(x), t)
        finally:
            p[i] = kept  # restore exactly (the same float, not kept + h - h), even on error
        grad[i] = (up - down) / (2 * h)
    return grad


def _relative_error(a, b, name):
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape:
        raise ValueError(f"{name} has shape {a.shape} but its parameter has shape {b.shape}")
    scale = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if scale == 0 else float(np.linalg.norm(a - b) / scale)
