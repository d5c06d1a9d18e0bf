"""Tests for nnlib.datasets: shapes, class balance, geometry, seeds, the shipped digits, errors."""

import hashlib

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal

from nnlib import datasets
from nnlib import labels as class_of
from nnlib.datasets import (
    blobs,
    circles,
    confusion_matrix,
    digits,
    load,
    moons,
    one_hot,
    spirals,
    train_test_split,
    xor,
)

# (generator, keyword arguments, expected rows of t)
TOY = [
    (xor, {"m": 41, "noise": 0.1}, 1),
    (moons, {"m": 50}, 1),
    (circles, {"m": 51, "factor": 0.3}, 1),
    (spirals, {"m": 61, "classes": 4}, 4),
    (blobs, {"m": 30, "classes": 2}, 2),
    (blobs, {"m": 7, "classes": 7, "spread": 0.0}, 7),
]
TOY_IDS = [f"{make.__name__}-{kw['m']}" for make, kw, _ in TOY]
DIGIT_COUNTS = [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]  # images of 0..9


def class_counts(t):
    return np.bincount(class_of(t), minlength=max(t.shape[0], 2))


@pytest.mark.parametrize(("make", "kwargs", "n_y"), TOY, ids=TOY_IDS)
def test_toy_shapes_dtypes_and_balanced_classes(make, kwargs, n_y):
    x, t = make(**kwargs)
    m = kwargs["m"]
    assert x.shape == (2, m) and x.dtype == np.float64
    assert t.shape == (n_y, m) and t.dtype == np.float64
    assert np.isin(t, [0.0, 1.0]).all()
    if n_y > 1:
        assert_array_equal(t.sum(axis=0), np.ones(m))  # one-hot
    counts = class_counts(t)
    assert counts.sum() == m and counts.max() - counts.min() <= 1


@pytest.mark.parametrize(("make", "m", "n_y"),
                         [(xor, 4, 1), (moons, 200, 1), (circles, 200, 1), (spirals, 300, 3),
                          (blobs, 300, 3)])
def test_defaults(make, m, n_y):
    x, t = make()
    assert x.shape == (2, m) and t.shape == (n_y, m)


@pytest.mark.parametrize(("make", "kwargs", "n_y"), TOY[:5], ids=TOY_IDS[:5])
def test_same_seed_same_data_other_seed_other_data(make, kwargs, n_y):
    x1, t1 = make(**kwargs, rng=3)
    x2, t2 = make(**kwargs, rng=np.random.default_rng(3))
    x3, _ = make(**kwargs, rng=4)
    assert_array_equal(x1, x2)
    assert_array_equal(t1, t2)
    assert not np.allclose(x1, x3)


def test_no_global_random_state_is_used():
    np.random.seed(0)  # noqa: NPY002 -- the legacy global state is what this test watches
    before = np.random.get_state()[1].copy()  # noqa: NPY002
    for make, kwargs, _ in TOY:
        make(**kwargs)
    digits()
    assert_array_equal(np.random.get_state()[1], before)  # noqa: NPY002


def test_xor_default_is_the_truth_table():
    x, t = xor()
    assert_array_equal(x, [[0, 0, 1, 1], [0, 1, 0, 1]])
    assert_array_equal(t, [[0, 1, 1, 0]])


def test_xor_noise_is_gaussian_around_the_corners():
    x, t = xor(m=4000, noise=0.2, rng=1)
    clean, t_clean = xor(m=4000)
    assert_array_equal(t, t_clean)
    assert_allclose((x - clean).std(axis=1), [0.2, 0.2], atol=0.01)
    assert_allclose((x - clean).mean(axis=1), [0.0, 0.0], atol=0.01)


def test_moons_without_noise_lie_on_their_half_circles():
    x, t = moons(m=100, noise=0.0, rng=2)
    upper, lower = x[:, t[0] == 0], x[:, t[0] == 1]
    assert_allclose(np.hypot(upper[0], upper[1]), 1.0)
    assert (upper[1] >= 0).all()
    assert_allclose(np.hypot(1 - lower[0], 0.5 - lower[1]), 1.0)
    assert (lower[1] <= 0.5).all()


@pytest.mark.parametrize("factor", [0.2, 0.5, 0.9])
def test_circles_without_noise_have_radius_1_and_factor(factor):
    x, t = circles(m=60, noise=0.0, factor=factor)
    radius = np.hypot(x[0], x[1])
    assert_allclose(radius[t[0] == 0], 1.0)
    assert_allclose(radius[t[0] == 1], factor)


@pytest.mark.parametrize("classes", [2, 3, 5])
def test_spirals_without_noise_follow_their_arm(classes):
    x, t = spirals(m=100, classes=classes, noise=0.0)
    r, k = np.hypot(x[0], x[1]), class_of(t)
    theta = 2 * np.pi * k / classes + 4 * r
    assert_allclose(x, r * np.array([np.cos(theta), np.sin(theta)]), atol=1e-12)
    assert (r <= 1).all()


@pytest.mark.parametrize(("classes", "spread"), [(2, 0.5), (3, 1.0), (4, 0.25)])
def test_blobs_centres_and_spread(classes, spread):
    x, t = blobs(m=1000 * classes, classes=classes, spread=spread, rng=5)
    k = class_of(t)
    for c in range(classes):
        angle = 2 * np.pi * c / classes
        centre = 3 * np.array([np.cos(angle), np.sin(angle)])
        assert_allclose(x[:, k == c].mean(axis=1), centre, atol=0.1 * spread)
        assert_allclose(x[:, k == c].std(axis=1), [spread, spread], rtol=0.1)


# ---- digits ----------------------------------------------------------------------------------

def test_digits_shapes_range_and_counts():
    (x_train, t_train), (x_test, t_test) = digits()
    assert x_train.shape == (64, 1437) and x_test.shape == (64, 360)
    assert t_train.shape == (10, 1437) and t_test.shape == (10, 360)
    assert x_train.dtype == np.float64 and t_train.dtype == np.float64
    x, t = np.hstack([x_train, x_test]), np.hstack([t_train, t_test])  # (64, 1797), (10, 1797)
    assert x.min() == 0.0 and x.max() == 1.0
    assert_array_equal(x * 16, np.round(x * 16))  # counts 0..16, scaled by 1/16
    assert_array_equal(t.sum(axis=0), np.ones(1797))
    assert_array_equal(t.sum(axis=1), DIGIT_COUNTS)
    assert round(x.sum() * 16) == 561718  # the shipped file's total pixel count


def test_shipped_digits_file_matches_its_licence():
    with np.load(datasets.DIGITS_FILE, allow_pickle=False) as data:
        pixels, labels = data["pixels"], data["labels"]
    assert pixels.shape == (1797, 64) and pixels.dtype == np.uint8 and pixels.max() == 16
    assert labels.shape == (1797,) and labels.dtype == np.uint8
    digest = hashlib.sha256(pixels.tobytes() + labels.tobytes()).hexdigest()
    licence = (datasets.DIGITS_FILE.parent / "DIGITS_LICENSE.txt").read_text()
    assert digest in licence  # the file is the one the licence describes
    assert "CC BY 4.0" in licence and "10.24432/C50P49" in licence


@pytest.mark.parametrize(("test_size", "m_test"), [(0.1, 180), (0.2, 360), (0.5, 899)])
def test_digits_split_sizes(test_size, m_test):
    (x_train, _), (x_test, t_test) = digits(test_size=test_size)
    assert x_test.shape == (64, m_test) and t_test.shape == (10, m_test)
    assert x_train.shape == (64, 1797 - m_test)


def test_digits_seeded_split():
    (a, _), _ = digits(rng=1)
    (b, _), _ = digits(rng=np.random.default_rng(1))
    (c, _), _ = digits(rng=2)
    assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_digits_returns_fresh_arrays_each_call():
    (x_train, t_train), _ = digits()
    x_train[:] = -1.0
    t_train[:] = -1.0
    (x_again, t_again), _ = digits()
    assert x_again.min() == 0.0 and t_again.min() == 0.0
    assert not np.shares_memory(x_train, x_again)


# ---- helpers ---------------------------------------------------------------------------------

def test_one_hot_known_values_and_round_trip():
    assert_array_equal(one_hot(np.array([2, 0, 1])), [[0, 1, 0], [0, 0, 1], [1, 0, 0]])
    labels = np.random.default_rng(0).integers(0, 6, size=50)
    t = one_hot(labels, 8)
    assert t.shape == (8, 50)
    assert_array_equal(class_of(t), labels)


def test_confusion_matrix_known_values():
    C = confusion_matrix(np.array([0, 1, 2, 2, 1]), np.array([0, 2, 2, 2, 1]))
    assert_array_equal(C, [[1, 0, 0], [0, 1, 1], [0, 0, 2]])
    assert C.dtype == np.int64
    assert confusion_matrix(np.array([0]), np.array([0]), classes=4).shape == (4, 4)


def test_confusion_matrix_rows_count_each_class():
    rng = np.random.default_rng(0)
    true, pred = rng.integers(0, 10, 500), rng.integers(0, 10, 500)
    C = confusion_matrix(true, pred, 10)
    assert_array_equal(C.sum(axis=1), np.bincount(true, minlength=10))
    assert np.trace(C) == np.sum(true == pred)


def test_train_test_split_is_a_partition_that_keeps_pairs():
    m = 53
    x = np.vstack([np.arange(m), -np.arange(m)]).astype(np.float32)  # (2, m)
    t = np.arange(m)[None, :] * 10.0                                 # (1, m)
    x0, t0 = x.copy(), t.copy()
    (x_train, t_train), (x_test, t_test) = train_test_split(x, t, test_size=0.3, rng=0)
    assert x_test.shape == (2, 16) and x_train.shape == (2, 37)  # ceil(0.3 * 53) = 16
    assert x_train.dtype == np.float32
    assert_array_equal(np.sort(np.hstack([x_train[0], x_test[0]])), np.arange(m))
    assert_array_equal(t_train[0], x_train[0] * 10)
    assert_array_equal(t_test[0], x_test[0] * 10)
    assert_array_equal(x, x0)
    assert_array_equal(t, t0)
    assert not np.shares_memory(x, x_train)


@given(m=st.integers(2, 300), test_size=st.floats(0.01, 0.99), seed=st.integers(0, 2**32 - 1))
def test_train_test_split_sizes_property(m, test_size, seed):
    x, t = np.arange(m)[None, :], np.ones((3, m))
    m_test = int(np.ceil(test_size * m))
    if m_test >= m:
        with pytest.raises(ValueError, match="examples left for training"):
            train_test_split(x, t, test_size, rng=seed)
        return
    (x_train, t_train), (x_test, t_test) = train_test_split(x, t, test_size, rng=seed)
    assert x_test.shape == (1, m_test) and t_train.shape == (3, m - m_test)
    assert_array_equal(np.sort(np.hstack([x_train, x_test])[0]), np.arange(m))


@pytest.mark.parametrize("name", ["xor", "moons", "circles", "spirals", "blobs"])
def test_load_by_name_calls_that_generator(name):
    x, t = load(name, m=20, rng=7)
    x_direct, t_direct = getattr(datasets, name)(m=20, rng=7)
    assert_array_equal(x, x_direct)
    assert_array_equal(t, t_direct)


# ---- bad input: every error says what was expected and what arrived --------------------------

BAD = [
    (xor, {"m": 0}, "integer >= 1", "got m=0"),
    (moons, {"m": -5}, "integer >= 1", "got m=-5"),
    (circles, {"m": 2.5}, "integer >= 1", "got m=2.5"),
    (moons, {"noise": -0.1}, "noise >= 0", "got noise=-0.1"),
    (xor, {"noise": float("nan")}, "noise >= 0", "got noise=nan"),
    (spirals, {"classes": 1}, "classes >= 2", "got classes=1"),
    (blobs, {"spread": -1.0}, "spread >= 0", "got spread=-1.0"),
    (blobs, {"m": 2, "classes": 3}, "m >= classes", "got m=2 with classes=3"),
    (circles, {"factor": 1.0}, "0 < factor < 1", "got factor=1.0"),
    (digits, {"test_size": 1.5}, "0 < test_size < 1", "got test_size=1.5"),
    (digits, {"test_size": 0}, "0 < test_size < 1", "got test_size=0"),
    (load, {"name": "moon"}, "xor, moons, circles, spirals, blobs, digits", "got 'moon'"),
    (one_hot, {"labels": np.array([0, 3]), "classes": 3}, "labels in 0..2", "from 0 to 3"),
    (one_hot, {"labels": np.eye(2)}, "1-D integer labels", "shape (2, 2)"),
    (confusion_matrix, {"true_labels": np.eye(3, dtype=int), "pred_labels": np.arange(3)},
     "nnlib.labels(y)", "shape (3, 3)"),
    (confusion_matrix, {"true_labels": np.arange(3), "pred_labels": np.arange(4)},
     "as many predictions", "got 3 true and 4 predicted"),
    (train_test_split, {"x": np.ones(10), "t": np.ones((1, 10))}, "x (n_x, m)", "x (10,)"),
    (train_test_split, {"x": np.ones((2, 10)), "t": np.ones((1, 9))}, "same m",
     "x (2, 10) and t (1, 9)"),
    (train_test_split, {"x": np.ones((2, 10)), "t": np.ones((1, 10)), "test_size": 1.0},
     "0 < test_size < 1", "got test_size=1.0"),
    (train_test_split, {"x": np.ones((2, 1)), "t": np.ones((1, 1))}, "left for training",
     "m=1"),
]


@pytest.mark.parametrize(("function", "kwargs", "expected", "got"), BAD,
                         ids=[f"{f.__name__}-{i}" for i, (f, *_) in enumerate(BAD)])
def test_bad_input_names_expected_and_got(function, kwargs, expected, got):
    with pytest.raises(ValueError) as error:
        function(**kwargs)
    assert expected in str(error.value)
    assert got in str(error.value)
