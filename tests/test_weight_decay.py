"""L2 weight decay: NeuralNet(layers, loss, weight_decay=lam) and mlp(..., weight_decay=lam).

The penalty (lam / 2) sum_l ||W_l||^2 is part of net.loss, and lam W_l is part of dW_l; the
biases are not decayed. Checked against our own finite differences (helpers.py), so a shared
mistake in nnlib's gradient_check cannot hide a wrong gradient.
"""

import numpy as np
import pytest
from helpers import numerical_gradient, relative_error

from nnlib.activations import Identity, Softmax, Tanh
from nnlib.losses import MSE, CrossEntropy
from nnlib.network import NeuralNet, mlp
from nnlib.optimizers import Adam

SIZES = [3, 5, 4, 2]


def problem(weight_decay, output=None, loss=None, m=7, seed=0):
    """A small tanh network with weight decay and a batch (x, t) for it (MSE by default)."""
    output, loss = output or Identity(), loss or MSE()
    rng = np.random.default_rng(seed)
    net = mlp(SIZES, Tanh(), output, loss, rng=seed, weight_decay=weight_decay)
    x = rng.normal(size=(SIZES[0], m))                       # (3, m)
    if isinstance(output, Softmax):
        t = np.eye(SIZES[-1])[:, rng.integers(0, SIZES[-1], size=m)]
    else:
        t = rng.normal(size=(SIZES[-1], m))                  # (2, m)
    return net, x, t


@pytest.mark.parametrize("lam", [0.0, 0.01, 0.5, 3.0])
def test_the_loss_is_the_data_loss_plus_half_lambda_times_the_squared_weights(lam):
    net, x, t = problem(lam)
    y_pred = net.forward(x)
    data = MSE().loss(y_pred, t)
    penalty = lam / 2 * sum(np.sum(layer.W**2) for layer in net.layers)
    np.testing.assert_allclose(net.loss(y_pred, t), data + penalty, rtol=1e-13)
    np.testing.assert_allclose(net.loss_function.loss(y_pred, t), data, rtol=0)


def test_a_known_penalty_value():
    net, x, t = problem(0.2)
    for layer in net.layers:
        layer.W[...] = 1.0                                   # sum ||W||^2 = 15 + 20 + 8
    y_pred = net.forward(x)
    penalty = net.loss(y_pred, t) - net.loss_function.loss(y_pred, t)
    np.testing.assert_allclose(penalty, 0.1 * (15 + 20 + 8), rtol=1e-12)


def test_biases_are_not_decayed():
    net, x, t = problem(0.5)
    y_pred = net.forward(x)
    before = net.loss(y_pred, t)
    for layer in net.layers:
        layer.b += 10.0                                      # changes y_pred, not the penalty
    assert net.loss(y_pred, t) == before                     # same y_pred: same value


@pytest.mark.parametrize("lam", [0.0, 0.1, 2.0])
@pytest.mark.parametrize("output, loss", [(Identity(), MSE()), (Softmax(), CrossEntropy())],
                         ids=["mse", "softmax-xent"])
def test_gradients_match_finite_differences_of_the_penalised_loss(lam, output, loss):
    net, x, t = problem(lam, output, loss)
    grads = net.gradients(x, t)
    for layer, (dW, db) in zip(net.layers, grads):
        for p, analytic in ((layer.W, dW), (layer.b, db)):
            numeric = numerical_gradient(lambda: net.loss(net.forward(x), t), p)
            assert relative_error(analytic, numeric) < 1e-7


def test_the_gradient_adds_exactly_lambda_times_w():
    lam = 0.3
    plain, x, t = problem(0.0)
    decayed, _, _ = problem(lam)
    for layer, (dW0, db0), (dW, db) in zip(decayed.layers, plain.gradients(x, t),
                                           decayed.gradients(x, t)):
        np.testing.assert_allclose(dW, dW0 + lam * layer.W, rtol=1e-12, atol=1e-15)
        np.testing.assert_array_equal(db, db0)


def test_weight_decay_zero_is_bitwise_the_network_without_it():
    plain, x, t = problem(0.0)
    # the network as built before weight decay existed: no weight_decay argument at all
    old = NeuralNet([layer for layer in mlp(SIZES, Tanh(), Identity(), MSE(), rng=0).layers],
                    MSE())
    assert plain.loss(plain.forward(x), t) == old.loss(old.forward(x), t)
    for (dW, db), (dW_old, db_old) in zip(plain.gradients(x, t), old.gradients(x, t)):
        np.testing.assert_array_equal(dW, dW_old)
        np.testing.assert_array_equal(db, db_old)
    h_plain = plain.fit(x, t, epochs=5, batch_size=3, optimizer=Adam(0.01), progress=False)
    h_old = old.fit(x, t, epochs=5, batch_size=3, optimizer=Adam(0.01), progress=False)
    assert h_plain["loss"] == h_old["loss"]
    for a, b in zip(plain.layers, old.layers):
        np.testing.assert_array_equal(a.W, b.W)
        np.testing.assert_array_equal(a.b, b.b)


def test_decay_shrinks_the_weights():
    norms = {}
    for lam in (0.0, 0.1, 1.0):
        net, x, t = problem(lam, m=20)
        net.fit(x, t, epochs=300, lr=0.05, progress=False)
        norms[lam] = sum(np.sum(layer.W**2) for layer in net.layers)
    assert norms[1.0] < norms[0.1] < norms[0.0]
    assert norms[1.0] < 0.5 * norms[0.0]


def test_with_no_data_gradient_a_step_multiplies_w_by_one_minus_lr_lambda():
    # A zero data gradient (targets equal to the outputs) leaves only the decay: W shrinks
    # geometrically, which is where the name weight decay comes from.
    lam, lr = 0.5, 0.1
    net, x, _ = problem(lam)
    t = net.forward(x)                                       # MSE's gradient is zero here
    before = [layer.W.copy() for layer in net.layers]
    net.train(x, t, lr)
    for layer, W in zip(net.layers, before):
        np.testing.assert_allclose(layer.W, (1 - lr * lam) * W, rtol=1e-12)


@pytest.mark.parametrize("bad, error", [
    (-0.1, ValueError), (float("nan"), ValueError), (float("inf"), ValueError),
    (-np.inf, ValueError), ("0.1", TypeError), (None, TypeError), (True, TypeError),
    ([0.1], TypeError)])
def test_a_bad_weight_decay_is_refused_with_a_clear_message(bad, error):
    # The wrong kind of value is a TypeError, a number out of range a ValueError, as for
    # every argument nnlib checks; both messages name the argument and what arrived.
    with pytest.raises(error, match=r"weight_decay must be .*>= 0.*got"):
        NeuralNet(mlp(SIZES, Tanh(), Identity(), MSE(), rng=0).layers, MSE(),
                  weight_decay=bad)
    with pytest.raises(error, match=r"weight_decay"):
        mlp(SIZES, Tanh(), Identity(), MSE(), rng=0, weight_decay=bad)


def test_integer_and_numpy_values_are_accepted():
    for lam in (0, 1, np.float32(0.25), np.int64(2)):
        net = mlp(SIZES, Tanh(), Identity(), MSE(), rng=0, weight_decay=lam)
        assert net.weight_decay == float(lam)
