"""Data sets that need no download, and helpers for class labels.

Every data set is returned column-major, one example per column, as the book's networks take it:

    x        (n_x, m)       float64 inputs; n_x = 2 for the toy sets, 64 for digits
    t        (n_y, m)       float64 targets: (1, m) of 0/1 for two classes, one-hot (classes, m)
    labels   (m,)           int64 class numbers: nnlib.labels(t) and one_hot(labels) convert
    M        (classes, classes)  confusion matrix, M[c, c2] = examples of class c predicted as c2

Every generator takes `rng`, a numpy Generator or an int seed, so the same seed always gives the
same data; no global random state is touched. In the toy sets example i belongs to class
i % classes, so the classes are balanced and any first k columns are a fair sample.
"""

import numbers
from functools import lru_cache
from pathlib import Path

import numpy as np

from nnlib import checks

DIGITS_FILE = Path(__file__).parent / "data" / "digits.npz"


def _check(name, m, classes=2, **scales):
    """Raise ValueError naming what `name` expects and what arrived."""
    if isinstance(m, bool) or not isinstance(m, (int, np.integer)) or m < 1:
        raise ValueError(f"{name} expects m, the number of examples, to be an integer >= 1; "
                         f"got m={m!r}")
    for key, value in scales.items():
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
            raise TypeError(f"{name} expects {key} >= 0 (a standard deviation), a single real "
                            f"number; got {type(value).__name__} {value!r}")
        if not value >= 0:  # also catches NaN
            raise ValueError(f"{name} expects {key} >= 0 (a standard deviation), "
                             f"got {key}={value!r}")
    if isinstance(classes, bool) or not isinstance(classes, (int, np.integer)) or classes < 2:
        raise ValueError(f"{name} expects an integer classes >= 2, got classes={classes!r}")
    if m < classes:
        raise ValueError(f"{name} expects m >= classes (one example per class at least), "
                         f"got m={m} with classes={classes}")


def one_hot(labels, classes=None):
    """Class numbers to one-hot columns: t[k, i] = 1 if labels[i] == k else 0.

    Shapes: labels (m,) integers in 0..classes-1 -> t (classes, m) float64.
    classes defaults to labels.max() + 1. Introduced in chapter 4 (Loss).
    """
    labels = np.asarray(labels)
    if classes is not None:
        checks.integer("classes", classes, 1)
    if labels.ndim != 1 or labels.dtype.kind not in "iu":
        raise ValueError(f"one_hot expects 1-D integer labels of shape (m,), "
                         f"got dtype {labels.dtype} and shape {labels.shape}")
    classes = int(labels.max(initial=-1)) + 1 if classes is None else classes
    if labels.size and (labels.min() < 0 or labels.max() >= classes):
        raise ValueError(f"one_hot expects labels in 0..{classes - 1}, "
                         f"got values from {labels.min()} to {labels.max()}")
    t = np.zeros((classes, labels.size))  # (classes, m)
    t[labels, np.arange(labels.size)] = 1.0
    return t


def confusion_matrix(true_labels, pred_labels, classes=None):
    """Count each (true class, predicted class) pair: M[c, c2] = #{j : true[j] = c, pred[j] = c2}.

    The diagonal holds the correct predictions; row c sums to the number of examples of class c.
    Shapes: true_labels, pred_labels (m,) integers -> M (classes, classes) int64.
    Introduced in chapter 8 (A real data set).
    """
    true, pred = np.asarray(true_labels), np.asarray(pred_labels)
    for name, a in (("true_labels", true), ("pred_labels", pred)):
        if a.ndim != 1 or a.dtype.kind not in "iu":
            raise ValueError(f"confusion_matrix expects 1-D integer {name} (nnlib.labels(y) "
                             f"converts (n_y, m) arrays), got dtype {a.dtype} shape {a.shape}")
    if true.shape != pred.shape:
        raise ValueError(f"confusion_matrix expects as many predictions as true labels, "
                         f"got {true.shape[0]} true and {pred.shape[0]} predicted")
    if classes is None:
        classes = int(max(true.max(initial=0), pred.max(initial=0))) + 1
    if true.size and (min(true.min(), pred.min()) < 0 or max(true.max(), pred.max()) >= classes):
        raise ValueError(f"confusion_matrix expects labels in 0..{classes - 1}, got values from "
                         f"{min(true.min(), pred.min())} to {max(true.max(), pred.max())}")
    pair = true.astype(np.int64) * classes + pred  # (m,) one number per (true, pred) pair
    return np.bincount(pair, minlength=classes * classes).reshape(classes, classes)


def xor(m=4, noise=0.0, rng=0):
    """The XOR problem: t = x1 XOR x2 on the corners of the unit square, jittered by noise.

    Example i sits at corner i % 4 in truth-table order (0,0), (0,1), (1,0), (1,1), plus
    noise * N(0, 1) on each coordinate; its target is the XOR of the corner's bits. The defaults
    (m=4, noise=0) give exactly the four rows of the truth table, in that order.
    Shapes: x (2, m), t (1, m). Introduced in chapter 7 (Training).
    """
    _check("xor", m, noise=noise)
    corners = np.array([[0, 0, 1, 1], [0, 1, 0, 1]], dtype=np.float64)  # (2, 4)
    x = corners[:, np.arange(m) % 4]                                     # (2, m)
    t = np.logical_xor(x[0], x[1]).astype(np.float64)[None, :]          # (1, m)
    x += noise * checks.generator(rng).standard_normal(x.shape)
    return x, t


def moons(m=200, noise=0.1, rng=0):
    """Two interleaving half circles, like scikit-learn's make_moons.

    theta ~ U(0, pi). Class 0: (cos theta, sin theta); class 1: (1 - cos theta, 0.5 - sin theta);
    then noise * N(0, 1) is added to each coordinate.
    Shapes: x (2, m), t (1, m). Introduced in chapter 1 (Notation).
    """
    _check("moons", m, noise=noise)
    rng = checks.generator(rng)
    c = np.arange(m) % 2                                   # (m,) class of each example
    theta = rng.uniform(0.0, np.pi, m)
    x = np.where(c == 0, [np.cos(theta), np.sin(theta)],
                 [1 - np.cos(theta), 0.5 - np.sin(theta)])  # (2, m)
    x += noise * rng.standard_normal(x.shape)
    return x, c[None, :].astype(np.float64)


def circles(m=200, noise=0.05, factor=0.5, rng=0):
    """A small circle inside a large one, like scikit-learn's make_circles.

    theta ~ U(0, 2 pi). Class 0: (cos theta, sin theta); class 1: factor * (cos theta, sin theta);
    then noise * N(0, 1) is added to each coordinate. 0 < factor < 1 is the inner radius.
    Shapes: x (2, m), t (1, m). Introduced in chapter 10 (Explorers).
    """
    _check("circles", m, noise=noise)
    if not 0 < checks.real_number("factor", factor, "in (0, 1)") < 1:
        raise ValueError(f"circles expects 0 < factor < 1 (inner radius), got factor={factor!r}")
    rng = checks.generator(rng)
    c = np.arange(m) % 2                                    # (m,)
    theta = rng.uniform(0.0, 2 * np.pi, m)
    radius = np.where(c == 0, 1.0, factor)                  # (m,)
    x = radius * np.array([np.cos(theta), np.sin(theta)])   # (2, m)
    x += noise * rng.standard_normal(x.shape)
    return x, c[None, :].astype(np.float64)


def spirals(m=300, classes=3, noise=0.2, rng=0):
    """Interleaved spiral arms, one per class (the CS231n spiral, arms evenly spaced).

    For class k: r ~ U(0, 1), theta = 2 pi k / classes + 4 r + noise * N(0, 1),
    x = r * (cos theta, sin theta). Each arm turns through 4 radians; noise jitters the angle.
    Shapes: x (2, m), t (classes, m) one-hot. Introduced in chapter 7 (Training).
    """
    _check("spirals", m, classes, noise=noise)
    rng = checks.generator(rng)
    c = np.arange(m) % classes                                              # (m,)
    r = rng.uniform(0.0, 1.0, m)
    theta = 2 * np.pi * c / classes + 4 * r + noise * rng.standard_normal(m)
    x = r * np.array([np.cos(theta), np.sin(theta)])                        # (2, m)
    return x, one_hot(c, classes)


def blobs(m=300, classes=3, spread=1.0, rng=0):
    """Gaussian clusters, one per class, their centres evenly spaced on a circle of radius 3.

    For class k: centre mu_k = 3 (cos 2 pi k / classes, sin 2 pi k / classes),
    x = mu_k + spread * N(0, I). spread is the standard deviation of each cluster.
    Shapes: x (2, m), t (classes, m) one-hot. Introduced in chapter 4 (Loss).
    """
    _check("blobs", m, classes, spread=spread)
    rng = checks.generator(rng)
    c = np.arange(m) % classes                                  # (m,)
    angle = 2 * np.pi * c / classes
    x = 3 * np.array([np.cos(angle), np.sin(angle)])            # (2, m) the centres
    x += spread * rng.standard_normal(x.shape)
    return x, one_hot(c, classes)


def train_test_split(x, t, test_size=0.2, rng=0):
    """Shuffle the columns with a seeded permutation, then cut off ceil(test_size * m) for testing.

    Returns ((x_train, t_train), (x_test, t_test)), new arrays: the inputs are not changed.
    Shapes: x (n_x, m), t (n_y, m) -> x_train (n_x, m - m_test), x_test (n_x, m_test), t alike.
    Introduced in chapter 7 (Training).
    """
    x, t = checks.real_array("x", x), checks.real_array("t", t)
    test_size = checks.real_number("test_size", test_size, "in (0, 1)")
    if x.ndim != 2 or t.ndim != 2 or x.shape[1] != t.shape[1]:
        raise ValueError(f"train_test_split expects x (n_x, m) and t (n_y, m) with the same m, "
                         f"got x {x.shape} and t {t.shape}")
    if not 0 < test_size < 1:
        raise ValueError(f"train_test_split expects 0 < test_size < 1 (a fraction of the "
                         f"examples), got test_size={test_size!r}")
    m = x.shape[1]
    m_test = int(np.ceil(test_size * m))
    if m_test >= m:
        raise ValueError(f"train_test_split needs examples left for training, got m={m} "
                         f"with test_size={test_size} giving {m_test} test examples")
    order = checks.generator(rng).permutation(m)
    test, train = order[:m_test], order[m_test:]
    return (x[:, train], t[:, train]), (x[:, test], t[:, test])  # fancy indexing copies


@lru_cache(maxsize=1)
def _digits_arrays():
    """The shipped file, read once: pixels (1797, 64) uint8 in 0..16, labels (1797,) uint8."""
    with np.load(DIGITS_FILE, allow_pickle=False) as data:
        pixels, digit = data["pixels"], data["labels"]
    pixels.flags.writeable = digit.flags.writeable = False  # the cache must never change
    return pixels, digit


def digits(rng=0, test_size=0.2):
    """The UCI 8x8 handwritten digits (1,797 images of 0-9), split into train and test sets.

    Each image is 8x8 counts in 0..16 (on-pixels per 4x4 block of a 32x32 scan); x = counts / 16,
    so x is in [0, 1]; column i as an image is x[:, i].reshape(8, 8). t is one-hot over 10 classes.
    The split is train_test_split(x, t, test_size, rng): simple, not stratified.
    Data: E. Alpaydin and C. Kaynak (1998), UCI ML Repository, CC BY 4.0 (nnlib/data/).
    Returns ((x_train, t_train), (x_test, t_test)), fresh arrays on every call.
    Shapes: x (64, m), t (10, m); m_test = ceil(test_size * 1797), 360 by default.
    Introduced in chapter 8 (A real data set).
    """
    if not 0 < checks.real_number("test_size", test_size, "in (0, 1)") < 1:
        raise ValueError(f"digits expects 0 < test_size < 1 (a fraction of the 1797 images), "
                         f"got test_size={test_size!r}")
    pixels, digit = _digits_arrays()
    x = pixels.T / 16.0                             # (64, 1797) float64, a new array
    t = one_hot(digit.astype(np.int64), 10)         # (10, 1797)
    return train_test_split(x, t, test_size, rng)


_LOADERS = {"xor": xor, "moons": moons, "circles": circles, "spirals": spirals,
            "blobs": blobs, "digits": digits}


def load(name, **kwargs):
    """Call the data set function called `name` with kwargs: load("moons", m=100) == moons(m=100).

    For the explorers' data-set menu. Returns what that function returns.
    Introduced in chapter 10 (Explorers).
    """
    if not isinstance(name, str) or name not in _LOADERS:
        raise ValueError(f"load expects one of the data sets {', '.join(_LOADERS)}; "
                         f"got {name!r}")
    return _LOADERS[name](**kwargs)
