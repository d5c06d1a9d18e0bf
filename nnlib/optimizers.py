"""Optimisers: how a gradient becomes a step. Each updates the parameters in place.

Shapes
    params : list of arrays [W_0, b_0, W_1, b_1, ...]
    grads  : list of arrays of the same shapes [dW_0, db_0, ...]

State (velocities, moment estimates) is created on the first step with the parameters'
shapes and dtypes, so float32 stays float32. Hyper-parameters are checked when the
optimiser is made and again before every step (O(1)): a refused step changes nothing.
Introduced in chapter 7 (Training).
"""

import numpy as np

from nnlib import checks


class SGD:
    """Gradient descent: p <- p - lr * g.

    Shapes: params and grads are matching lists of arrays. Introduced in chapter 7 (Training).
    """

    def __init__(self, lr=0.1):
        self.lr = lr
        self.check()

    def step(self, params, grads):
        """Update every parameter in place: p <- p - lr * g. Shapes: each g like its p."""
        self.check(params, grads)
        for p, g in zip(params, grads):
            p -= self.lr * g

    def check(self, params=None, grads=None):
        """Raise ValueError or TypeError for a bad hyper-parameter, or for params and grads
        whose shapes do not pair up (or do not match the state kept from earlier steps)."""
        checks.learning_rate(self.lr)
        if params is not None:
            _check_pairs(self, params, params if grads is None else grads)

    def __repr__(self):
        return f"{type(self).__name__}(lr={self.lr})"


class Momentum(SGD):
    """Gradient descent with momentum (Polyak 1964): v <- beta v + g;  p <- p - lr v.

    v is a running sum of past gradients: steps grow along directions that agree and
    cancel along directions that oscillate. Shapes: v like each parameter.
    Introduced in chapter 7 (Training).
    """

    def __init__(self, lr=0.1, beta=0.9):
        self.beta = beta
        self.v = None
        super().__init__(lr)

    def step(self, params, grads):
        """Update every parameter in place: v <- beta v + g; p <- p - lr v."""
        self.check(params, grads)
        self.v = _state(self.v, params)
        for p, g, v in zip(params, grads, self.v):
            v *= self.beta
            v += g
            p -= self.lr * v

    def check(self, params=None, grads=None):
        """SGD's checks, and 0 <= beta < 1 (at 1, v never forgets: it grows without bound)."""
        checks.fraction("beta", self.beta)
        super().check(params, grads)
        _check_state(self, "v", self.v, params)


class Adam(SGD):
    """Adam (Kingma and Ba 2015): a step per parameter scaled by its recent gradient size.

        m <- beta1 m + (1 - beta1) g          (mean of recent gradients)
        v <- beta2 v + (1 - beta2) g^2        (mean of recent squared gradients)
        p <- p - lr * m_hat / (sqrt(v_hat) + eps),  m_hat = m / (1 - beta1^k), v_hat likewise

    The hats undo the bias of starting m and v at zero; k counts the steps.
    Shapes: m and v like each parameter. Introduced in chapter 7 (Training).
    """

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
        self.beta1, self.beta2, self.eps = beta1, beta2, eps
        self.m = self.v = None
        self.k = 0
        super().__init__(lr)

    def step(self, params, grads):
        """Update every parameter in place with the bias-corrected moment estimates."""
        self.check(params, grads)
        self.m, self.v = _state(self.m, params), _state(self.v, params)
        self.k += 1
        c1, c2 = 1 - self.beta1 ** self.k, 1 - self.beta2 ** self.k
        for p, g, m, v in zip(params, grads, self.m, self.v):
            m *= self.beta1
            m += (1 - self.beta1) * g
            v *= self.beta2
            v += (1 - self.beta2) * g * g
            p -= self.lr * (m / c1) / (np.sqrt(v / c2) + self.eps)

    def check(self, params=None, grads=None):
        """SGD's checks, 0 <= beta1, beta2 < 1 (at 1 the bias correction divides by 0), eps > 0."""
        checks.fraction("beta1", self.beta1)
        checks.fraction("beta2", self.beta2)
        checks.positive("eps", self.eps, ": it keeps the step finite where v is 0")
        super().check(params, grads)
        _check_state(self, "m", self.m, params)
        _check_state(self, "v", self.v, params)


def as_optimizer(optimizer, lr=None):
    """fit's optimiser: SGD(lr) when none is given (lr 0.1 by default), else the instance.

    Raises TypeError for a name such as "adam", a class such as Adam, or an object without
    a step method; ValueError when both an optimiser and lr are given.
    """
    if optimizer is None:
        return SGD(0.1 if lr is None else lr)
    if lr is not None:
        raise ValueError(f"give the learning rate to the optimiser, not both: got "
                         f"optimizer={optimizer!r} and lr={lr!r}")
    if isinstance(optimizer, type):
        raise TypeError(f"optimizer must be an instance such as {optimizer.__name__}(), "
                        f"got the class {optimizer.__name__}: add the brackets")
    if isinstance(optimizer, str):
        raise TypeError(f"optimizer must be an nnlib optimiser such as nnlib.Adam(), got "
                        f"the string {optimizer!r}: nnlib takes objects, not names")
    if not callable(getattr(optimizer, "step", None)):
        raise TypeError(f"optimizer must be an nnlib optimiser such as nnlib.SGD(0.1), "
                        f"with a step method; got {type(optimizer).__name__} {optimizer!r}")
    return optimizer


def _state(state, params):
    """Zeros shaped like params on the first step (checked by _check_state afterwards)."""
    return [np.zeros_like(p) for p in params] if state is None else state


def _check_pairs(optimiser, params, grads):
    """One gradient per parameter, of its shape: checked before any parameter changes.

    The common case costs one comparison of two short lists of shapes."""
    if not isinstance(params, (list, tuple)) or not isinstance(grads, (list, tuple)):
        raise TypeError(f"{optimiser!r}.step expects params and grads as lists of arrays, "
                        f"got {type(params).__name__} and {type(grads).__name__}")
    if len(params) != len(grads):
        raise ValueError(f"{optimiser!r}.step expects one gradient per parameter, got "
                         f"{len(params)} params and {len(grads)} grads")
    if [getattr(p, "shape", None) for p in params] == [getattr(g, "shape", 0) for g in grads]:
        return
    for i, (p, g) in enumerate(zip(params, grads)):
        if not isinstance(p, np.ndarray) or p.dtype.kind != "f":
            raise TypeError(f"params[{i}] must be a float numpy array (updated in place), "
                            f"got {type(p).__name__}")
        if not isinstance(g, np.ndarray) or g.shape != p.shape or g.dtype.kind not in "biuf":
            raise ValueError(f"grads[{i}] must be an array of real numbers of its parameter's "
                             f"shape {p.shape}, got {type(g).__name__} of shape {np.shape(g)}")


def _check_state(optimiser, name, state, params):
    if state is not None and params is not None and \
            [s.shape for s in state] != [p.shape for p in params]:
        raise ValueError(f"{optimiser!r} keeps its state {name} for parameters of shapes "
                         f"{[s.shape for s in state]} but was given {[p.shape for p in params]}: "
                         f"an optimiser with state serves one network; make a new one")
