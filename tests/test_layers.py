"""nnlib.layers: shapes, a = f(W x + b) by hand, seeds, dtypes, errors, one layer's gradient."""

import functools

import numpy as np
import pytest
from helpers import numerical_gradient, relative_error

from nnlib import init
from nnlib.activations import Activation, Identity, LeakyRelu, Relu, Sigmoid, Softmax, Tanh
from nnlib.layers import Layer
from nnlib.losses import MSE
from nnlib.network import NeuralNet

ACTIVATIONS = [Identity(), LeakyRelu(), Relu(), Sigmoid(), Tanh(), Softmax()]


@pytest.mark.parametrize(("ins", "outs"), [(1, 1), (3, 2), (2, 5)], ids=str)
def test_shapes_and_attributes(ins, outs):
    act = Tanh()
    layer = Layer(ins, outs, act, rng=0)
    assert layer.W.shape == (outs, ins) and layer.W.dtype == np.float64
    np.testing.assert_array_equal(layer.b, np.zeros((outs, 1)))
    assert (layer.ins, layer.outs) == (ins, outs) and layer.activation is act
    for m in (1, 4):
        assert layer.forward(np.ones((ins, m))).shape == (outs, m)
        assert layer.linear(np.ones((ins, m))).shape == (outs, m)


def test_forward_by_hand():
    layer = Layer(2, 3, Relu())
    layer.W = np.array([[1.0, 2.0], [3.0, 4.0], [-1.0, 0.0]])  # (3, 2)
    layer.b = np.array([[0.5], [-1.0], [0.0]])                 # (3, 1)
    x = np.array([[1.0, 0.0], [2.0, -1.0]])                    # (2, 2): two examples
    np.testing.assert_array_equal(layer.linear(x), [[5.5, -1.5], [10.0, -5.0], [-1.0, 0.0]])
    np.testing.assert_array_equal(layer.forward(x), [[5.5, 0.0], [10.0, 0.0], [0.0, 0.0]])
    layer.activation = Sigmoid()
    np.testing.assert_allclose(layer.forward(x), 1 / (1 + np.exp(-layer.linear(x))), rtol=1e-14)


def test_default_init_is_he_normal_and_seeded():
    np.testing.assert_array_equal(Layer(3, 4, Relu(), rng=0).W, init.he_normal(4, 3, rng=0))
    np.testing.assert_array_equal(Layer(3, 4, Relu(), rng=6).W, Layer(3, 4, Relu(), rng=6).W)
    big = Layer(200, 300, Relu(), rng=1)
    np.testing.assert_allclose(big.W.std(), np.sqrt(2 / 200), rtol=0.02)


def test_init_function_or_partial():
    layer = Layer(30, 40, Tanh(), init=functools.partial(init.normal, scale=0.5), rng=2)
    np.testing.assert_array_equal(layer.W, init.normal(40, 30, scale=0.5, rng=2))
    np.testing.assert_array_equal(Layer(3, 2, Tanh(), init=init.zeros).W, np.zeros((2, 3)))


def test_float32_layer():
    layer = Layer(3, 4, Sigmoid(), rng=3, dtype=np.float32)
    assert layer.W.dtype == np.float32 and layer.b.dtype == np.float32
    assert layer.forward(np.ones((3, 5), dtype=np.float32)).dtype == np.float32


def test_forward_does_not_modify_x():
    x = np.random.default_rng(4).normal(size=(3, 5))
    x0 = x.copy()
    Layer(3, 2, Relu(), rng=4).forward(x)
    np.testing.assert_array_equal(x, x0)


def test_repr():
    assert repr(Layer(3, 4, LeakyRelu(alpha=0.2))) == "Layer(3 -> 4, LeakyRelu(alpha=0.2))"


# --- bad input --------------------------------------------------------------------------------

@pytest.mark.parametrize(("x", "got"), [(np.ones(3), r"\(3,\)"), (np.ones((2, 5)), r"\(2, 5\)"),
                                        (np.ones((1, 3, 5)), r"\(1, 3, 5\)")],
                         ids=["1-D", "wrong n_x", "3-D"])
def test_forward_rejects_the_wrong_shape(x, got):
    with pytest.raises(ValueError, match=rf"expects x of shape \(3, m\).*got shape {got}"):
        Layer(3, 2, Relu()).forward(x)


@pytest.mark.parametrize("cls", [Relu, Sigmoid, Softmax], ids=lambda c: c.__name__)
def test_activation_class_instead_of_instance(cls):
    name = cls.__name__
    with pytest.raises(TypeError, match=rf"instance such as {name}\(\), got the class {name}"):
        Layer(3, 2, cls)


@pytest.mark.parametrize("bad", [np.tanh, "relu", None, Activation], ids=repr)
def test_activation_that_is_not_an_activation(bad):
    with pytest.raises(TypeError, match=r"activation must be"):
        Layer(3, 2, bad)


@pytest.mark.parametrize(("ins", "outs", "error"),
                         [(0, 2, ValueError), (3, -1, ValueError), (2.5, 2, TypeError),
                          ("3", 2, TypeError), (3, None, TypeError), (True, 2, TypeError)],
                         ids=str)
def test_sizes_must_be_positive_integers(ins, outs, error):
    with pytest.raises(error, match=r"must be a positive integer, got"):
        Layer(ins, outs, Relu())


# --- one layer's gradient against central differences --------------------------------------

@pytest.mark.parametrize("m", [1, 4])
@pytest.mark.parametrize("act", ACTIVATIONS, ids=repr)
def test_one_layer_gradient_matches_central_differences(act, m):
    rng = np.random.default_rng(5)
    layer = Layer(3, 2, act, rng=rng)
    layer.b = rng.normal(size=(2, 1))
    net = NeuralNet([layer], MSE())
    x, t = rng.normal(size=(3, m)), rng.uniform(0, 1, size=(2, m))
    assert np.abs(layer.linear(x)).min() > 1e-3  # away from the ReLU kink
    (dW, db), = net.gradients(x, t)
    loss = lambda: net.loss(net.forward(x), t)  # noqa: E731
    assert relative_error(dW, numerical_gradient(loss, layer.W)) < 1e-6
    assert relative_error(db, numerical_gradient(loss, layer.b)) < 1e-6
