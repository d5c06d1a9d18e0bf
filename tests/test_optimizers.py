"""nnlib.optimizers: each step against a hand-written reference; in place; dtype kept."""

import numpy as np
import pytest

from nnlib.optimizers import SGD, Adam, Momentum


def tiny_problem(dtype=np.float64):
    """Two parameter arrays and three steps' gradients for them."""
    rng = np.random.default_rng(0)
    params = [rng.normal(size=(2, 3)).astype(dtype), rng.normal(size=(2, 1)).astype(dtype)]
    grads = [[rng.normal(size=p.shape).astype(dtype) for p in params] for _ in range(3)]
    return params, grads


def momentum_reference(params, grads, lr, beta):
    """v = beta v + g;  p = p - lr v, written out."""
    p = [q.astype(np.float64) for q in params]
    v = [np.zeros_like(q) for q in p]
    for step in grads:
        for i, g in enumerate(step):
            v[i] = beta * v[i] + g
            p[i] = p[i] - lr * v[i]
    return p


def adam_reference(params, grads, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    """Kingma and Ba (2015), Algorithm 1, written out."""
    p = [q.astype(np.float64) for q in params]
    m = [np.zeros_like(q) for q in p]
    v = [np.zeros_like(q) for q in p]
    for k, step in enumerate(grads, start=1):
        for i, g in enumerate(step):
            m[i] = beta1 * m[i] + (1 - beta1) * g
            v[i] = beta2 * v[i] + (1 - beta2) * g**2
            m_hat = m[i] / (1 - beta1**k)
            v_hat = v[i] / (1 - beta2**k)
            p[i] = p[i] - lr * m_hat / (np.sqrt(v_hat) + eps)
    return p


def test_sgd_step_is_p_minus_lr_g_exactly_and_in_place():
    params, grads = tiny_problem()
    expected = [p - 0.3 * g for p, g in zip(params, grads[0])]
    originals = list(params)
    SGD(0.3).step(params, grads[0])
    for p, original, e in zip(params, originals, expected):
        assert p is original
        np.testing.assert_array_equal(p, e)


@pytest.mark.parametrize(("make", "reference"), [
    (lambda: Momentum(lr=0.1, beta=0.9), lambda p, g: momentum_reference(p, g, 0.1, 0.9)),
    (lambda: Momentum(lr=0.05, beta=0.5), lambda p, g: momentum_reference(p, g, 0.05, 0.5)),
    (lambda: Adam(lr=0.01), lambda p, g: adam_reference(p, g, 0.01)),
    (lambda: Adam(lr=0.1, beta1=0.8, beta2=0.99, eps=1e-6),
     lambda p, g: adam_reference(p, g, 0.1, 0.8, 0.99, 1e-6)),
], ids=["Momentum", "Momentum beta=0.5", "Adam", "Adam other betas"])
def test_three_steps_match_the_reference(make, reference):
    params, grads = tiny_problem()
    expected = reference(params, grads)
    originals = list(params)
    optimizer = make()
    for step in grads:
        optimizer.step(params, step)
    for p, original, e in zip(params, originals, expected):
        assert p is original  # in place: the layers' own arrays move
        np.testing.assert_allclose(p, e, rtol=1e-13, atol=1e-15)


def test_adams_first_step_is_lr_times_the_sign():
    # m_hat = g and v_hat = g^2 after one step, so the step is lr g / (|g| + eps) ~ lr sign(g).
    params, grads = tiny_problem()
    start = [p.copy() for p in params]
    Adam(lr=0.01).step(params, grads[0])
    for p, p0, g in zip(params, start, grads[0]):
        np.testing.assert_allclose(p0 - p, 0.01 * np.sign(g), rtol=1e-6)


@pytest.mark.parametrize("make", [lambda: SGD(0.1), lambda: Momentum(0.1), lambda: Adam(0.01)],
                         ids=["SGD", "Momentum", "Adam"])
def test_float32_stays_float32(make):
    params, grads = tiny_problem(np.float32)
    optimizer = make()
    for step in grads:
        optimizer.step(params, step)
    assert all(p.dtype == np.float32 for p in params)
    for name in ("v", "m"):
        for state in getattr(optimizer, name, None) or []:
            assert state.dtype == np.float32
    expected = {SGD: None, Momentum: momentum_reference(*tiny_problem(), 0.1, 0.9),
                Adam: adam_reference(*tiny_problem(), 0.01)}[type(optimizer)]
    if expected is not None:  # the same steps as float64, to float32 precision
        for p, e in zip(params, expected):
            np.testing.assert_allclose(p, e, rtol=1e-5, atol=1e-6)


def test_a_changed_lr_is_used_from_the_next_step():
    params, grads = tiny_problem()
    optimizer = SGD(0.1)
    optimizer.step(params, grads[0])
    optimizer.lr = 0.5
    before = [p.copy() for p in params]
    optimizer.step(params, grads[1])
    for p, p0, g in zip(params, before, grads[1]):
        np.testing.assert_array_equal(p, p0 - 0.5 * g)


@pytest.mark.parametrize("make", [lambda: SGD(0.1), lambda: Momentum(0.05), lambda: Adam(0.05)],
                         ids=["SGD", "Momentum", "Adam"])
def test_each_optimiser_descends_a_quadratic(make):
    # f(p) = sum(c p^2) / 2 with gradient c p; from p = 1 every optimiser must get close to 0.
    c = np.array([[1.0], [4.0]])
    p = np.ones((2, 1))
    optimizer = make()
    for _ in range(200):
        optimizer.step([p], [c * p])
    assert np.abs(p).max() < 0.05


def test_defaults_and_repr():
    assert SGD().lr == 0.1
    assert (Momentum().lr, Momentum().beta) == (0.1, 0.9)
    adam = Adam()
    assert (adam.lr, adam.beta1, adam.beta2, adam.eps) == (0.001, 0.9, 0.999, 1e-8)
    assert [repr(o) for o in (SGD(0.2), Momentum(0.3), Adam(0.004))] == \
        ["SGD(lr=0.2)", "Momentum(lr=0.3)", "Adam(lr=0.004)"]
