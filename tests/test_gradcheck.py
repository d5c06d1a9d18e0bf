"""gradient_check: ~0 for a right gradient, large for the draft's wrong ones, no side effect."""

import numpy as np
import pytest
from helpers import numerical_gradient

from nnlib.activations import Identity, LeakyRelu, Relu, Sigmoid, Softmax, Tanh
from nnlib.gradcheck import gradient_check
from nnlib.losses import MSE, BinaryCrossEntropy, CrossEntropy
from nnlib.network import mlp

CONFIGS = [(Tanh(), Sigmoid(), BinaryCrossEntropy()), (Relu(), Softmax(), CrossEntropy()),
           (LeakyRelu(), Identity(), MSE()), (Sigmoid(), Tanh(), MSE())]
CONFIG_IDS = [f"{h!r}/{o!r}+{l!r}" for h, o, l in CONFIGS]


def problem(hidden, output, loss, m, seed=0, sizes=(3, 5, 4, 3)):
    rng = np.random.default_rng(seed)
    net = mlp(list(sizes), hidden, output, loss, rng=rng)
    for layer in net.layers:
        layer.b = rng.normal(scale=0.5, size=layer.b.shape)
    x = rng.normal(size=(sizes[0], m))
    n_y = sizes[-1]
    if isinstance(output, Softmax):
        t = np.eye(n_y)[:, rng.integers(0, n_y, size=m)]
    elif isinstance(loss, BinaryCrossEntropy):
        t = rng.integers(0, 2, size=(n_y, m)).astype(float)
    else:
        t = rng.uniform(-0.9, 0.9, size=(n_y, m))
    return net, x, t


def seed_style_backprop(net, x, t, slope, sum_db=True):
    """The draft's backward loop, vectorised: dz = slope(z) * da per layer, last layer first.

    slope=lambda act, z: act.df(z) is right; act.f(z) is the draft's bug. sum_db=False keeps
    one db column per example, as the draft's loop did for m > 1. Elementwise activations only.
    """
    zs, a = net.forward_all(x)
    da = net.loss_function.dloss(a[-1], t)                              # (n_y, m)
    grads = []
    for l in reversed(range(len(net.layers))):
        dz = slope(net.layers[l].activation, zs[l]) * da                # (n_{l+1}, m)
        db = dz.sum(axis=1, keepdims=True) if sum_db else dz
        grads.append((dz @ a[l].T, db))
        da = net.layers[l].W.T @ dz                                     # (n_l, m)
    return grads[::-1]


def right(act, z):
    return act.df(z)


def seeds_bug(act, z):
    return act.f(z)  # f where df belongs


@pytest.mark.parametrize("m", [1, 6], ids=lambda m: f"m={m}")
@pytest.mark.parametrize(("hidden", "output", "loss"), CONFIGS, ids=CONFIG_IDS)
def test_a_correct_net_checks_to_about_zero(hidden, output, loss, m):
    net, x, t = problem(hidden, output, loss, m)
    errors = gradient_check(net, x, t)
    assert len(errors) == len(net.layers)
    for e in errors:
        assert set(e) == {"W", "b"} and all(type(v) is float for v in e.values())
        assert 0 <= e["W"] < 1e-7 and 0 <= e["b"] < 1e-7, errors


def test_it_measures_against_central_differences():
    # Hand it our own finite differences as "the gradient": they must check out too.
    net, x, t = problem(Tanh(), Sigmoid(), MSE(), 4)
    loss = lambda: net.loss(net.forward(x), t)  # noqa: E731

    def ours(x_, t_):
        return [(numerical_gradient(loss, layer.W), numerical_gradient(loss, layer.b))
                for layer in net.layers]

    assert max(max(e.values()) for e in gradient_check(net, x, t, gradients=ours)) < 1e-7
    # and a gradient twice too large gives |2g - g| / (|2g| + |g|) = 1/3 for every array
    doubled = [(2 * dW, 2 * db) for dW, db in net.gradients(x, t)]
    for e in gradient_check(net, x, t, gradients=lambda *_: doubled):
        assert e["W"] == pytest.approx(1 / 3, rel=1e-6) and e["b"] == pytest.approx(1 / 3, rel=1e-6)


def test_the_seeds_f_instead_of_df_is_caught():
    net, x, t = problem(Tanh(), Sigmoid(), MSE(), 5)
    control = gradient_check(net, x, t, gradients=lambda x_, t_: seed_style_backprop(
        net, x_, t_, right))
    assert max(max(e.values()) for e in control) < 1e-7  # the loop itself is right
    buggy = gradient_check(net, x, t, gradients=lambda x_, t_: seed_style_backprop(
        net, x_, t_, seeds_bug))
    for l, e in enumerate(buggy):
        assert e["W"] > 1e-2 and e["b"] > 1e-2, f"layer {l}: {e}"


def test_db_kept_per_example_is_caught_by_its_shape():
    # The draft's loop kept db as (n, m): right at m = 1, a shape error at m > 1.
    net, x, t = problem(Tanh(), Sigmoid(), MSE(), 1)
    unsummed = gradient_check(net, x, t, gradients=lambda x_, t_: seed_style_backprop(
        net, x_, t_, right, sum_db=False))
    assert max(max(e.values()) for e in unsummed) < 1e-7  # m = 1 cannot tell
    net, x, t = problem(Tanh(), Sigmoid(), MSE(), 7)
    with pytest.raises(ValueError, match=r"db_0 has shape \(5, 7\) but its parameter has "
                                         r"shape \(5, 1\)"):
        gradient_check(net, x, t, gradients=lambda x_, t_: seed_style_backprop(
            net, x_, t_, right, sum_db=False))


@pytest.mark.parametrize("m", [1, 2, 5, 9], ids=lambda m: f"m={m}")
def test_db_averaged_instead_of_summed_is_caught_only_for_m_above_1(m):
    # db = dz.mean(axis=1) divides by m a second time: db is 1/m of the truth, so its relative
    # error is (1 - 1/m) / (1 + 1/m) = (m - 1) / (m + 1), and the W are still right.
    net, x, t = problem(Tanh(), Sigmoid(), BinaryCrossEntropy(), m)

    def averaged(x_, t_):
        return [(dW, db / x_.shape[1]) for dW, db in net.gradients(x_, t_)]

    for e in gradient_check(net, x, t, gradients=averaged):
        assert e["W"] < 1e-7
        assert e["b"] == pytest.approx((m - 1) / (m + 1), abs=1e-7)


def test_layers_in_backward_order_are_caught():
    # The draft's loop appended the last layer first.
    net, x, t = problem(Tanh(), Sigmoid(), MSE(), 3)
    with pytest.raises(ValueError,
                       match=r"dW_0 has shape \(3, 4\) but its parameter has shape \(5, 3\)"):
        gradient_check(net, x, t, gradients=lambda x_, t_: net.gradients(x_, t_)[::-1])


def test_a_missing_layer_is_caught():
    # A gradients function that forgets a layer must not pass by checking only the others.
    net, x, t = problem(Tanh(), Sigmoid(), MSE(), 3)
    with pytest.raises(ValueError, match=r"(?s)(?=.*\b3\b)(?=.*\b2\b)"):  # expected 3, got 2
        gradient_check(net, x, t, gradients=lambda x_, t_: net.gradients(x_, t_)[:2])


def test_h_is_the_step():
    net, x, t = problem(Tanh(), Tanh(), MSE(), 4)
    fine = max(max(e.values()) for e in gradient_check(net, x, t))
    coarse = max(max(e.values()) for e in gradient_check(net, x, t, h=1e-1))
    assert fine < 1e-7 and 1e-5 < coarse < 1e-1  # central differences err by O(h^2)


def test_zero_gradients_give_zero_not_nan():
    net, x, t = problem(Relu(), Identity(), MSE(), 4)
    net.layers[0].b[:] = -100.0  # every hidden ReLU is off: layers 0 and 1 get no gradient
    errors = gradient_check(net, x, t)
    assert errors[0] == {"W": 0.0, "b": 0.0}
    assert errors[1]["W"] == 0.0
    assert errors[2]["b"] < 1e-7


def test_parameters_are_restored_bitwise_and_data_untouched():
    net, x, t = problem(Sigmoid(), Softmax(), CrossEntropy(), 4)
    objects = [(layer.W, layer.b) for layer in net.layers]
    before = [(layer.W.tobytes(), layer.b.tobytes()) for layer in net.layers]
    x0, t0 = x.copy(), t.copy()
    gradient_check(net, x, t)
    assert [(layer.W.tobytes(), layer.b.tobytes()) for layer in net.layers] == before
    assert all(layer.W is W and layer.b is b for layer, (W, b) in zip(net.layers, objects))
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(t, t0)
