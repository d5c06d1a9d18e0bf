"""Tests for nnlib.plot: what each function drew (data, labels, limits), and no global changes."""

import subprocess
import sys
from pathlib import Path

import matplotlib
import numpy as np
import pytest
from matplotlib.figure import Figure
from numpy.testing import assert_allclose, assert_array_equal

import nnlib
from nnlib import plot

matplotlib.use("Agg")  # no window: figures made through pyplot render off-screen


@pytest.fixture(autouse=True)
def close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


def new_ax():
    return Figure().add_subplot()  # a figure outside pyplot: nothing to close


def lines_by_label(ax):
    return {line.get_label(): line for line in ax.lines}


def legend_texts(ax):
    return [text.get_text() for text in ax.get_legend().get_texts()]


def test_import_changes_no_global_setting():
    # dict.__getitem__ reads the stored values; rcParams[...] would resolve the backend itself.
    code = ("import matplotlib, numpy as np\n"
            "rc = lambda: {k: dict.__getitem__(matplotlib.rcParams, k)\n"
            "              for k in matplotlib.rcParams.keys()}\n"
            "before, opts = rc(), np.get_printoptions()\n"
            "import nnlib.plot\n"
            "changed = [k for k in before if rc()[k] != before[k]]\n"
            "assert not changed, f'rcParams changed: {changed}'\n"
            "assert np.get_printoptions() == opts, 'print options changed'\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).parents[1],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("act", [nnlib.Identity(), nnlib.LeakyRelu(0.2), nnlib.Relu(),
                                 nnlib.Sigmoid(), nnlib.Tanh()], ids=repr)
def test_activation_draws_f_and_df(act):
    z = np.linspace(-3, 3, 61)
    ax = new_ax()
    assert plot.activation(act, z, ax=ax) is ax
    lines = lines_by_label(ax)
    assert_allclose(lines["f(z)"].get_xdata(), z)
    assert_allclose(lines["f(z)"].get_ydata(), act.f(z[None, :])[0])
    assert_allclose(lines["f'(z)"].get_ydata(), act.df(z[None, :])[0])
    assert legend_texts(ax) == ["f(z)", "f'(z)"]
    assert ax.get_xlabel() and ax.get_ylabel()
    assert ax.get_title() == repr(act)


def test_activation_default_z_new_figure_and_title():
    ax = plot.activation(nnlib.Tanh(), title="tanh saturates")
    assert ax.figure is not None and ax.get_title() == "tanh saturates"
    assert_allclose(lines_by_label(ax)["f(z)"].get_xdata(), np.linspace(-5, 5, 401))
    with pytest.raises(ValueError, match=r"z of shape \(k,\), got shape \(2, 3\)"):
        plot.activation(nnlib.Tanh(), np.zeros((2, 3)), ax=new_ax())


@pytest.mark.parametrize(("loss", "val_loss", "scale"), [
    ([2.0, 1.0, 0.1, 0.05], [2.1, 1.2, 0.3, 0.2], "log"),   # spans 40x: log
    ([1.0, 0.9, 0.8], [1.1, 1.0, 0.95], "linear"),          # spans 1.4x: linear
    ([1.0, 0.5, np.inf], [], "linear"),                     # finite part spans 2x
])
def test_loss_curves(loss, val_loss, scale):
    ax = new_ax()
    assert plot.loss_curves({"loss": loss, "val_loss": val_loss}, ax=ax) is ax
    lines = lines_by_label(ax)
    assert_array_equal(lines["training loss"].get_xdata(), np.arange(1, len(loss) + 1))
    assert_array_equal(lines["training loss"].get_ydata(), loss)
    assert ("validation loss" in lines) == bool(val_loss)
    if val_loss:
        assert_array_equal(lines["validation loss"].get_ydata(), val_loss)
    assert ax.get_yscale() == scale
    assert ax.get_xlabel() == "epoch" and ax.get_ylabel().startswith("loss")


def test_loss_curves_takes_a_list_and_a_forced_scale():
    ax = plot.loss_curves([1.0, 0.001], log=False)
    assert ax.get_yscale() == "linear" and len(ax.lines) == 1
    with pytest.raises(ValueError, match=r"'loss' list, got keys \['val_loss'\]"):
        plot.loss_curves({"val_loss": [1.0]}, ax=new_ax())


def recorded_regions(ax):
    """Make ax.contourf record the class grid it is given."""
    seen, contourf = [], ax.contourf
    ax.contourf = lambda x1, x2, z, **kw: seen.append(z) or contourf(x1, x2, z, **kw)
    return seen


# Each predictor says class 1 exactly where x_1 >= 0, in one of the forms predict may return.
PREDICTORS = {
    "probability": (lambda g: 1 / (1 + np.exp(-5 * g[:1])), 0.5),
    "score": (lambda g: 5 * g[:1], 0.0),
    "one-hot rows": (lambda g: np.vstack([-g[0], g[0] + 1e-12]), 0.5),
    "class numbers": (lambda g: (g[0] >= 0).astype(int), 0.5),
}


@pytest.mark.parametrize("kind", PREDICTORS)
@pytest.mark.parametrize("resolution", [10, 37])
def test_decision_boundary_one_call_regions_and_points(kind, resolution):
    predictor, threshold = PREDICTORS[kind]
    calls = []

    def predict(grid):
        calls.append(grid.copy())
        return predictor(grid)

    x, t = nnlib.datasets.moons(m=40, rng=1)
    ax = new_ax()
    regions = recorded_regions(ax)
    assert plot.decision_boundary(predict, x, t, ax=ax, resolution=resolution,
                                  threshold=threshold, padding=0.25) is ax
    assert len(calls) == 1 and calls[0].shape == (2, resolution**2)
    region = regions[0]
    assert region.shape == (resolution, resolution)
    x1 = calls[0][0].reshape(resolution, resolution)
    assert_array_equal(region, (x1 >= 0).astype(float))
    assert_allclose(ax.get_xlim(), (x[0].min() - 0.25, x[0].max() + 0.25))
    assert_allclose(ax.get_ylim(), (x[1].min() - 0.25, x[1].max() + 0.25))
    assert legend_texts(ax) == ["class 0", "class 1"]
    for c, points in enumerate(ax.collections[-2:]):
        assert_allclose(points.get_offsets(), x[:, t[0] == c].T)
    assert ax.get_xlabel() == "$x_1$" and ax.get_ylabel() == "$x_2$"


def test_decision_boundary_multiclass_and_diverged_outputs():
    x, t = nnlib.datasets.spirals(m=30, classes=3)
    ax = new_ax()
    regions = recorded_regions(ax)

    def predict(grid):  # class = which third of the x_1 range; NaN on the left edge
        y = np.vstack([grid[0] < -0.3, abs(grid[0]) <= 0.3, grid[0] > 0.3]).astype(float)
        y[:, grid[0] == grid[0].min()] = np.nan
        return y

    plot.decision_boundary(predict, x, t, ax=ax, resolution=20)
    region, x1 = regions[0], np.linspace(x[0].min() - 0.5, x[0].max() + 0.5, 20)
    assert np.isnan(region[:, 0]).all()
    assert_array_equal(region[0, 1:], np.digitize(x1[1:], [-0.3, 0.3 + 1e-12]))
    assert legend_texts(ax) == ["class 0", "class 1", "class 2"]


def test_decision_boundary_bad_shapes():
    x, t = np.zeros((3, 10)), np.zeros((1, 10))
    with pytest.raises(ValueError, match=r"x \(2, m\).*got x \(3, 10\) and t \(1, 10\)"):
        plot.decision_boundary(lambda g: g[:1], x, t, ax=new_ax())
    with pytest.raises(ValueError, match=r"got \(1, 99\) for k = 100"):
        plot.decision_boundary(lambda g: g[:1, :99], x[:2], t, ax=new_ax(), resolution=10)


def test_histograms_one_panel_per_layer_on_shared_bins():
    rng = np.random.default_rng(0)
    arrays = [rng.normal(scale=s, size=(20, 50)) for s in (1.0, 0.1)] + [np.zeros((5, 5))]
    axes = plot.histograms(arrays, bins=30)
    assert len(axes) == 3
    for panel, a, label in zip(axes, arrays, ["layer 1", "layer 2", "layer 3"], strict=True):
        assert len(panel.patches) == 30
        assert sum(bar.get_height() for bar in panel.patches) == a.size
        assert panel.get_title().startswith(label) and f"std {a.std():.2g}" in panel.get_title()
        assert panel.get_xlabel() == "value"
    lefts = [[bar.get_x() for bar in panel.patches] for panel in axes]
    assert lefts[0] == lefts[1] == lefts[2]
    assert axes[0].get_ylabel() == "count"


def test_histograms_overlaid_or_into_given_axes():
    arrays = [np.zeros(10), np.arange(10.0)]
    ax = new_ax()
    assert plot.histograms(arrays, ax=ax, labels=["W1", "W2"]) is ax
    assert len(ax.patches) == 2 and legend_texts(ax) == ["W1", "W2"]
    assert ax.get_xlabel() and ax.get_ylabel()
    panels = Figure().subplots(1, 2)
    assert list(plot.histograms(arrays, ax=panels, title="weights")) == list(panels)
    with pytest.raises(ValueError, match="one Axes per array: got 2 Axes for 3 arrays"):
        plot.histograms(arrays + [np.ones(3)], ax=panels)
    with pytest.raises(ValueError, match="one label per array: got 1 labels for 2 arrays"):
        plot.histograms(arrays, labels=["W1"])


@pytest.mark.parametrize(("k", "cols", "labels", "mosaic_shape"), [
    (12, 5, None, (3 * 9, 5 * 9)),
    (12, 5, list("abcdefghijkl"), (3 * 11, 5 * 9)),  # 3 blank rows above each image for labels
    (3, None, [7, 8, 9], (11, 3 * 9)),
])
def test_image_grid_places_each_image(k, cols, labels, mosaic_shape):
    images = np.random.default_rng(0).uniform(0, 1, size=(64, k))
    ax = new_ax()
    assert plot.image_grid(images, labels, ax=ax, cols=cols) is ax
    mosaic = np.ma.filled(ax.images[0].get_array(), np.nan)
    assert mosaic.shape == mosaic_shape
    band, cols = (3 if labels else 1), (cols or k)
    for i in range(k):
        r, c = divmod(i, cols)
        top, left = r * (8 + band) + band, c * 9
        assert_array_equal(mosaic[top:top + 8, left:left + 8], images[:, i].reshape(8, 8))
    assert [text.get_text() for text in ax.texts] == ([str(s) for s in labels] if labels else [])
    assert ax.images[0].get_cmap().name == "gray_r"
    assert ax.get_xlabel() == f"{k} images of 8x8 pixels"


def test_image_grid_signed_weights_per_image():
    W = np.random.default_rng(1).normal(size=(4, 25)) * [[1], [10], [100], [1000]]  # (4, 25)
    ax = plot.image_grid(W.T, shape=(5, 5), per_image=True)
    image = ax.images[0]
    assert image.get_cmap().name == "RdBu_r" and image.get_clim() == (-1.0, 1.0)
    mosaic = np.ma.filled(image.get_array(), np.nan)
    for i in range(4):
        assert np.nanmax(np.abs(mosaic[1:6, 6 * i:6 * i + 5])) == pytest.approx(1.0)
    with pytest.raises(ValueError, match=r"shape \(64, k\).*got shape \(25, 4\)"):
        plot.image_grid(W.T, ax=new_ax())
    with pytest.raises(ValueError, match="one label per image: got 2 labels for 4 images"):
        plot.image_grid(W.T, labels=[1, 2], shape=(5, 5), ax=new_ax())


def test_confusion_matrix_draws_counts():
    true = np.array([0, 0, 1, 1, 2, 2, 2])
    pred = np.array([0, 1, 1, 1, 2, 0, 2])
    ax = new_ax()
    assert plot.confusion_matrix(true, pred, ax=ax) is ax
    C = [[1, 1, 0], [0, 2, 0], [1, 0, 2]]
    assert_array_equal(ax.images[0].get_array(), C)
    assert [text.get_text() for text in ax.texts] == [str(n) for row in C for n in row]
    assert ax.get_xlabel() == "predicted class" and ax.get_ylabel() == "true class"
    assert_array_equal(ax.get_xticks(), [0, 1, 2])
    assert plot.confusion_matrix(true, pred, classes=5, ax=new_ax()).images[0].get_array().shape \
        == (5, 5)


def test_palette_is_distinct_colours():
    assert len(set(plot.PALETTE)) == len(plot.PALETTE) == 8
    assert all(matplotlib.colors.is_color_like(c) for c in plot.PALETTE)
