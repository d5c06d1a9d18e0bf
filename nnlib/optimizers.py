"""Optimisers: how a gradient becomes a step. Each updates the parameters in place.

Shapes
    params : list of arrays [W_0, b_0, W_1, b_1, ...]
    grads  : list of arrays of the same shapes [dW_0, db_0, ...]

State (velocities, moment estimates) is created on the first step with the parameters'
shapes and dtypes, so float32 stays float32.
Introduced in chapter 7 (Training).
"""

import numpy as np


class SGD:
    """Gradient descent: p <- p - lr * g.

    Shapes: params and grads are matching lists of arrays. Introduced in chapter 7 (Training).
    """

    def __init__(self, lr=0.1):
        self.lr = lr

    def step(self, params, grads):
        """Update every parameter in place: p <- p - lr * g. Shapes: each g like its p."""
        for p, g in zip(params, grads):
            p -= self.lr * g

    def __repr__(self):
        return f"{type(self).__name__}(lr={self.lr})"


class Momentum(SGD):
    """Gradient descent with momentum (Polyak 1964): v <- beta v + g;  p <- p - lr v.

    v is a running sum of past gradients: steps grow along directions that agree and
    cancel along directions that oscillate. Shapes: v like each parameter.
    Introduced in chapter 7 (Training).
    """

    def __init__(self, lr=0.1, beta=0.9):
        super().__init__(lr)
        self.beta = beta
        self.v = None

    def step(self, params, grads):
        """Update every parameter in place: v <- beta v + g; p <- p - lr v."""
        self.v = _state(self, self.v, params)
        for p, g, v in zip(params, grads, self.v):
            v *= self.beta
            v += g
            p -= self.lr * v


class Adam(SGD):
    """Adam (Kingma and Ba 2015): a step per parameter scaled by its recent gradient size.

        m <- beta1 m + (1 - beta1) g          (mean of recent gradients)
        v <- beta2 v + (1 - beta2) g^2        (mean of recent squared gradients)
        p <- p - lr * m_hat / (sqrt(v_hat) + eps),  m_hat = m / (1 - beta1^k), v_hat likewise

    The hats undo the bias of starting m and v at zero; k counts the steps.
    Shapes: m and v like each parameter. Introduced in chapter 7 (Training).
    """

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
        super().__init__(lr)
        self.beta1, self.beta2, self.eps = beta1, beta2, eps
        self.m = self.v = None
        self.k = 0

    def step(self, params, grads):
        """Update every parameter in place with the bias-corrected moment estimates."""
        self.m = _state(self, self.m, params)
        self.v = _state(self, self.v, params)
        self.k += 1
        c1, c2 = 1 - self.beta1 ** self.k, 1 - self.beta2 ** self.k
        for p, g, m, v in zip(params, grads, self.m, self.v):
            m *= self.beta1
            m += (1 - self.beta1) * g
            v *= self.beta2
            v += (1 - self.beta2) * g * g
            p -= self.lr * (m / c1) / (np.sqrt(v / c2) + self.eps)


def _state(optimiser, state, params):
    """Zeros shaped like params on the first step; afterwards check they still match."""
    if state is None:
        return [np.zeros_like(p) for p in params]
    if [s.shape for s in state] != [p.shape for p in params]:
        raise ValueError(f"{optimiser!r} keeps state for parameters of shapes "
                         f"{[s.shape for s in state]} but was given {[p.shape for p in params]}: "
                         f"an optimiser with state serves one network; make a new one")
    return state
