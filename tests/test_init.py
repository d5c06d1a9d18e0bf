"""nnlib.init: shapes, the spread each formula promises, seeds, dtypes, lookup by name."""

import functools

import numpy as np
import pytest

from nnlib import init
from nnlib.activations import Relu
from nnlib.layers import Layer

RANDOM = [init.normal, init.inverse_size_normal, init.xavier_uniform, init.xavier_normal,
          init.he_normal]
ALL = [init.zeros] + RANDOM


def name(f):
    return f.__name__


@pytest.mark.parametrize("shape", [(1, 1), (3, 2), (2, 7)], ids=str)
@pytest.mark.parametrize("initialiser", ALL, ids=name)
def test_shape_is_n_out_by_n_in(initialiser, shape):
    W = initialiser(*shape, rng=0)
    assert W.shape == shape
    assert W.dtype == np.float64


# Standard deviation each initialiser promises for an (n_out, n_in) = (300, 200) layer.
N_OUT, N_IN = 300, 200
EXPECTED_STD = {
    "normal": 1.0,
    "inverse_size_normal": 1 / (N_OUT * N_IN),
    "xavier_uniform": np.sqrt(6 / (N_IN + N_OUT)) / np.sqrt(3),  # U(-a, a) has std a / sqrt(3)
    "xavier_normal": np.sqrt(2 / (N_IN + N_OUT)),
    "he_normal": np.sqrt(2 / N_IN),
}


@pytest.mark.parametrize("initialiser", RANDOM, ids=name)
def test_empirical_spread_matches_the_formula(initialiser):
    W = initialiser(N_OUT, N_IN, rng=1)  # 60,000 draws: the std is within ~0.3% (1 sigma)
    np.testing.assert_allclose(W.std(), EXPECTED_STD[initialiser.__name__], rtol=0.02)
    assert abs(W.mean()) < 0.02 * EXPECTED_STD[initialiser.__name__]


def test_normal_takes_a_scale():
    W = functools.partial(init.normal, scale=0.25)(N_OUT, N_IN, rng=2)
    np.testing.assert_allclose(W.std(), 0.25, rtol=0.02)


def test_xavier_uniform_stays_inside_its_limit():
    a = np.sqrt(6 / (N_IN + N_OUT))
    W = init.xavier_uniform(N_OUT, N_IN, rng=3)
    assert np.abs(W).max() <= a
    assert np.abs(W).max() > 0.99 * a  # and fills it
    assert np.histogram(W, bins=4, range=(-a, a))[0].min() > 0.23 * W.size  # flat


def test_zeros_is_zero():
    np.testing.assert_array_equal(init.zeros(3, 4), np.zeros((3, 4)))


@pytest.mark.parametrize("initialiser", RANDOM, ids=name)
def test_reproducible_from_a_seed_or_a_generator(initialiser):
    np.testing.assert_array_equal(initialiser(4, 5, rng=7), initialiser(4, 5, rng=7))
    assert not np.array_equal(initialiser(4, 5, rng=7), initialiser(4, 5, rng=8))
    np.testing.assert_array_equal(initialiser(4, 5, rng=np.random.default_rng(7)),
                                  initialiser(4, 5, rng=7))
    rng = np.random.default_rng(9)
    first, second = initialiser(4, 5, rng=rng), initialiser(4, 5, rng=rng)
    assert not np.array_equal(first, second)  # a Generator moves on: layers differ


@pytest.mark.parametrize("initialiser", RANDOM, ids=name)
def test_no_global_random_state(initialiser):
    # Reading the legacy global state is the point: nnlib must never draw from it.
    state = np.random.get_state()[1].copy()  # noqa: NPY002
    initialiser(4, 5, rng=None)
    np.testing.assert_array_equal(np.random.get_state()[1], state)  # noqa: NPY002
    assert not np.array_equal(initialiser(4, 5), initialiser(4, 5))  # fresh entropy each time


@pytest.mark.parametrize("initialiser", ALL, ids=name)
def test_dtype_float32_is_honoured(initialiser):
    W = initialiser(30, 20, rng=4, dtype=np.float32)
    assert W.dtype == np.float32
    if initialiser is not init.zeros:  # the same draw, only rounded
        np.testing.assert_allclose(W, initialiser(30, 20, rng=4), rtol=1e-6)


def test_get_by_name_or_function():
    assert init.get("he_normal") is init.he_normal
    assert init.get(init.xavier_normal) is init.xavier_normal
    scaled = functools.partial(init.normal, scale=0.1)
    assert init.get(scaled) is scaled
    assert set(init.INITIALISERS) == {f.__name__ for f in ALL}
    assert all(init.INITIALISERS[f.__name__] is f for f in ALL)


@pytest.mark.parametrize("bad", ["hee", "He_normal", "", 3])
def test_get_unknown_name_raises_listing_the_names(bad):
    with pytest.raises(ValueError, match=rf"unknown initialiser {bad!r}") as info:
        init.get(bad)
    for known in init.INITIALISERS:
        assert known in str(info.value)


def test_layer_uses_the_initialiser_by_name_and_rejects_unknown_names():
    layer = Layer(3, 4, Relu(), init="xavier_normal", rng=5)
    np.testing.assert_array_equal(layer.W, init.xavier_normal(4, 3, rng=5))
    with pytest.raises(ValueError, match=r"unknown initialiser 'nope'.*he_normal"):
        Layer(3, 4, Relu(), init="nope")
