"""nnlib.activations: f against known values, df against central differences of f, stability."""

import warnings

import numpy as np
import pytest
from helpers import away_from_zero, relative_error

from nnlib.activations import Activation, Identity, LeakyRelu, Relu, Sigmoid, Softmax, Tanh

ELEMENTWISE = [Identity(), LeakyRelu(), LeakyRelu(alpha=0.01), LeakyRelu(alpha=2.0), Relu(),
               Sigmoid(), Tanh()]
ALL = ELEMENTWISE + [Softmax()]
SHAPES = [(1, 1), (3, 1), (1, 5), (4, 7)]
H = 1e-6


def ids(objects):
    return [repr(o) for o in objects]


# --- derivatives against central differences (float64, away from kinks) --------------------

@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("act", ELEMENTWISE, ids=ids(ELEMENTWISE))
def test_df_matches_central_differences(act, shape):
    z = away_from_zero(np.random.default_rng(0), shape)  # |z| > 1e-3: no ReLU kink within H
    numeric = (act.f(z + H) - act.f(z - H)) / (2 * H)  # elementwise f: one difference per entry
    assert act.df(z).shape == shape
    assert relative_error(act.df(z), numeric) < 1e-6
    np.testing.assert_allclose(act.df(z), numeric, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("shape", [(1, 1), (2, 1), (3, 4), (5, 2)], ids=str)
def test_softmax_jacobian_matches_central_differences(shape):
    n, m = shape
    z = np.random.default_rng(1).normal(size=shape)
    numeric = np.zeros((n, n, m))                     # numeric[i, j, k] = d s_ik / d z_jk
    for j in range(n):
        for k in range(m):
            step = np.zeros(shape)
            step[j, k] = H
            diff = (Softmax().f(z + step) - Softmax().f(z - step)) / (2 * H)  # (n, m)
            others = np.delete(diff, k, axis=1)
            assert np.all(others == 0), "a column's softmax must not depend on other columns"
            numeric[:, j, k] = diff[:, k]
    jacobian = Softmax().df(z)
    assert jacobian.shape == (n, n, m)
    assert relative_error(jacobian, numeric) < 1e-6
    np.testing.assert_allclose(jacobian, numeric, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("shape", [(1, 3), (3, 4), (6, 1)], ids=str)
def test_softmax_backward_is_the_jacobian_vector_product(shape):
    rng = np.random.default_rng(2)
    z, da = rng.normal(size=shape), rng.normal(size=shape)
    expected = np.einsum("ijm,im->jm", Softmax().df(z), da)
    np.testing.assert_allclose(Softmax().backward(z, da), expected, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("act", ELEMENTWISE, ids=ids(ELEMENTWISE))
def test_backward_is_df_times_da(act):
    rng = np.random.default_rng(3)
    z, da = away_from_zero(rng, (3, 5)), rng.normal(size=(3, 5))
    np.testing.assert_array_equal(act.backward(z, da), act.df(z) * da)


def test_a_subclass_gets_backward_from_f_and_df():
    class Square(Activation):
        def f(self, z):
            return z**2

        def df(self, z):
            return 2 * z

    z, da = np.array([[1.0, -2.0]]), np.array([[3.0, 5.0]])
    np.testing.assert_array_equal(Square().backward(z, da), [[6.0, -20.0]])
    with pytest.raises(NotImplementedError):
        Activation().f(z)
    with pytest.raises(NotImplementedError):
        Activation().df(z)


# --- known values -------------------------------------------------------------------------

def test_leaky_relu_derivative_is_the_seeds():
    # The draft: d_leaky_relu([-2, -1, 3, 4]) is [0.1, 0.1, 1, 1].
    np.testing.assert_array_equal(LeakyRelu().df(np.array([-2, -1, 3, 4])), [0.1, 0.1, 1, 1])


def test_leaky_relu_values_for_every_alpha():
    z = np.array([[-2.0, -1.0, 0.0, 3.0]])
    np.testing.assert_allclose(LeakyRelu().f(z), [[-0.2, -0.1, 0.0, 3.0]], rtol=1e-15)
    # alpha > 1: the draft's np.maximum(z, alpha z) would give -1 at z = -1; the definition -2.
    np.testing.assert_array_equal(LeakyRelu(alpha=2.0).f(z), [[-4.0, -2.0, 0.0, 3.0]])
    np.testing.assert_array_equal(LeakyRelu(alpha=2.0).df(z), [[2.0, 2.0, 2.0, 1.0]])  # f'(0)=alpha
    assert repr(LeakyRelu(alpha=0.3)) == "LeakyRelu(alpha=0.3)"


def test_relu_values():
    z = np.array([[-2.0, 0.0, 3.0]])
    np.testing.assert_array_equal(Relu().f(z), [[0.0, 0.0, 3.0]])
    np.testing.assert_array_equal(Relu().df(z), [[0.0, 0.0, 1.0]])  # f'(0) taken as 0


def test_identity_values():
    z = np.array([[-2.5, 0.0, 3.0]])
    np.testing.assert_array_equal(Identity().f(z), z)
    np.testing.assert_array_equal(Identity().df(z), np.ones_like(z))


def test_sigmoid_values():
    z = np.linspace(-30, 30, 61)[None, :]
    np.testing.assert_allclose(Sigmoid().f(z), 1 / (1 + np.exp(-z)), rtol=1e-14)
    np.testing.assert_allclose(Sigmoid().f(-z), 1 - Sigmoid().f(z), atol=1e-15)  # symmetry
    assert Sigmoid().f(np.array([[0.0]]))[0, 0] == 0.5
    assert Sigmoid().df(np.array([[0.0]]))[0, 0] == 0.25


def test_tanh_values():
    z = np.linspace(-5, 5, 11)[None, :]
    np.testing.assert_allclose(Tanh().f(z), np.tanh(z), rtol=1e-15)
    np.testing.assert_allclose(Tanh().df(z), 1 / np.cosh(z) ** 2, rtol=1e-12)


def test_softmax_values():
    z = np.array([[0.0, 5.0], [np.log(2.0), 5.0]])
    np.testing.assert_allclose(Softmax().f(z), [[1 / 3, 0.5], [2 / 3, 0.5]], rtol=1e-15)
    z = np.random.default_rng(4).normal(size=(4, 6))
    s = Softmax().f(z)
    np.testing.assert_allclose(s.sum(axis=0), np.ones(6), rtol=1e-15)
    np.testing.assert_allclose(Softmax().f(z + np.arange(6.0) * 100), s, rtol=1e-12)  # shift


# --- numerical stability --------------------------------------------------------------------

EXTREME = np.array([[-1e4, -1e3, -710.0, -40.0, -1.0, 0.0, 1.0, 40.0, 710.0, 1e3, 1e4]])


def test_sigmoid_is_stable_for_huge_inputs():
    with warnings.catch_warnings(), np.errstate(over="warn", invalid="warn", divide="warn"):
        warnings.simplefilter("error")  # an overflow RuntimeWarning would fail the test
        a, da = Sigmoid().f(EXTREME), Sigmoid().df(EXTREME)
        back = Sigmoid().backward(EXTREME, np.ones_like(EXTREME))
    for array in (a, da, back):
        assert np.isfinite(array).all()
    assert a[0, 0] == 0.0 and a[0, -1] == 1.0
    assert da[0, 0] == 0.0 and da[0, -1] == 0.0
    assert np.all((a >= 0) & (a <= 1)) and np.all(np.diff(a[0]) >= 0)


def test_softmax_is_stable_for_huge_inputs():
    z = np.array([[1e4, -1e4, 0.0, 1e4],
                  [-1e4, 1e4, 0.0, 1e4],
                  [0.0, 0.0, 0.0, -1e4]])
    with warnings.catch_warnings(), np.errstate(over="warn", invalid="warn", divide="warn"):
        warnings.simplefilter("error")
        s, jac = Softmax().f(z), Softmax().df(z)
        back = Softmax().backward(z, np.ones_like(z))
    for array in (s, jac, back):
        assert np.isfinite(array).all()
    np.testing.assert_allclose(s, [[1, 0, 1 / 3, 0.5], [0, 1, 1 / 3, 0.5], [0, 0, 1 / 3, 0]],
                               rtol=1e-15, atol=1e-300)


# --- dtypes and the caller's arrays ---------------------------------------------------------

@pytest.mark.parametrize("act", ALL, ids=ids(ALL))
def test_float32_stays_float32(act):
    z = np.random.default_rng(5).normal(size=(3, 4)).astype(np.float32)
    assert act.f(z).dtype == np.float32
    assert act.df(z).dtype == np.float32
    assert act.backward(z, np.ones_like(z)).dtype == np.float32


@pytest.mark.parametrize("act", ALL, ids=ids(ALL))
def test_integer_input_gives_float64(act):
    z = np.array([[-2, 0, 3], [1, 1, -1]])
    assert act.f(z).dtype == np.float64
    assert act.df(z).dtype == np.float64


@pytest.mark.parametrize("act", ALL, ids=ids(ALL))
def test_caller_arrays_are_not_modified(act):
    rng = np.random.default_rng(6)
    z, da = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    z0, da0 = z.copy(), da.copy()
    act.f(z), act.df(z), act.backward(z, da)
    np.testing.assert_array_equal(z, z0)
    np.testing.assert_array_equal(da, da0)
