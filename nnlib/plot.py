"""Figures for the book: matplotlib helpers that draw into an Axes and return it.

    argument        shape
    z               (k,)            points at which activation() evaluates f and f'
    x               (2, m)          2-D inputs for decision_boundary
    t               (1, m) of 0/1, or (classes, m) one-hot
    predict(grid)   (2, k) -> (n_y, k) outputs, or (k,) class numbers
    images          (n_pixels, k)   one image per column: digits x, or first-layer W.T
    arrays          a list, one array per layer, any shapes (flattened)

Every function takes ax= (an Axes to draw into; None makes a new figure) and returns what it drew
on. Importing this module changes no setting: pyplot is imported only when a new figure is
needed, and colours are passed per call from PALETTE, never set globally. What a figure's title
says (what to notice) is the caller's job: every function takes title=.
"""

from collections.abc import Mapping

import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.ticker import MaxNLocator

from nnlib import checks, datasets
from nnlib.network import labels as class_of

# Okabe and Ito (2008), "Color Universal Design": distinguishable with every common colour-vision
# deficiency. Blue, orange, green, vermillion, purple, sky blue, yellow, black.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
# Shapes as well as colours, so classes stay apart in greyscale print.
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")


def _axes(ax, figsize=(5, 3.5)):
    """The given Axes, or a new figure's only Axes."""
    if ax is None:
        import matplotlib.pyplot as plt  # here, not at the top: importing pyplot picks a backend

        _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def activation(act, z=None, ax=None, title=None):
    """Plot an activation f(z) and its derivative f'(z) against the pre-activation z.

    act is any object with f(z) and df(z), e.g. nnlib.LeakyRelu(); z defaults to 401 points on
    [-5, 5]. Shapes: z (k,) is passed to act as one row, (1, k). Introduced in chapter 2.
    """
    if not (callable(getattr(act, "f", None)) and callable(getattr(act, "df", None))):
        raise TypeError(f"activation expects act with f(z) and df(z), such as nnlib.Relu(), "
                        f"got {act!r}")
    z = np.linspace(-5, 5, 401) if z is None else checks.real_array("z", z)
    if z.ndim != 1:
        raise ValueError(f"activation expects z of shape (k,), got shape {z.shape}")
    a = np.asarray(act.f(z[None, :])).ravel()    # (k,)
    da = np.asarray(act.df(z[None, :])).ravel()  # (k,)
    ax = _axes(ax)
    ax.axhline(0, color="0.85", linewidth=0.8, zorder=0)
    ax.axvline(0, color="0.85", linewidth=0.8, zorder=0)
    ax.plot(z, a, color=PALETTE[0], label="f(z)")
    ax.plot(z, da, color=PALETTE[1], linestyle="--", label="f'(z)")
    ax.set(xlabel="pre-activation z", ylabel="f(z) and f'(z)",
           title=repr(act) if title is None else title)
    ax.legend()
    return ax


def loss_curves(history, ax=None, log=None, title=None):
    """Plot the training loss (and validation loss, if any) per epoch.

    history is fit's dict {"loss": [...], "val_loss": [...]} or a plain list of losses; entry i
    is drawn at epoch i + 1. log=None picks a log y-axis when the finite losses are positive and
    span more than a factor of 10. Introduced in chapter 7 (Training).
    """
    if not isinstance(history, Mapping):
        if isinstance(history, str) or not hasattr(history, "__len__"):
            raise TypeError(f"loss_curves expects fit's history dict or a list of losses, "
                            f"got {type(history).__name__}")
        history = {"loss": history}
    if "loss" not in history:
        raise ValueError(f"loss_curves expects a history with a 'loss' list, "
                         f"got keys {sorted(history)}")
    curves = [(np.asarray(history[key], dtype=np.float64), name)
              for key, name in (("loss", "training"), ("val_loss", "validation"))
              if len(history.get(key, ())) > 0]
    values = np.concatenate([y for y, _ in curves]) if curves else np.array([])
    values = values[np.isfinite(values)]
    if log is None:
        log = values.size > 0 and values.min() > 0 and values.max() > 10 * values.min()
    ax = _axes(ax)
    for i, (y, name) in enumerate(curves):
        ax.plot(np.arange(1, y.size + 1), y, color=PALETTE[i], linestyle=("-", "--")[i],
                label=f"{name} loss")
    if log:
        ax.set_yscale("log")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set(xlabel="epoch", ylabel="loss (log scale)" if log else "loss", title=title)
    if curves:
        ax.legend()
    return ax


def decision_boundary(predict, x, t, ax=None, resolution=200, padding=0.5, threshold=0.5,
                      title=None):
    """Shade the class a 2-D classifier predicts everywhere, and scatter the data on top.

    The plane around x (padding added on each side) is cut into a resolution x resolution grid,
    and predict is called once on all of its points. Its output decides each point's class:
    one row -> output > threshold (0.5 for probabilities, 0 for scores; as nnlib.labels);
    several rows -> argmax; 1-D -> already class numbers (so net.predict works, as does
    net.forward).
    Grid points with a non-finite output (a diverged net) stay blank.
    Shapes: x (2, m), t (1, m) or (classes, m); predict: (2, resolution**2) -> (n_y, same).
    Introduced in chapter 4 (Loss).
    """
    if not callable(predict):
        raise TypeError(f"decision_boundary expects predict, a function such as net.forward "
                        f"or net.predict, got {type(predict).__name__}")
    checks.integer("resolution", resolution, 2)
    padding = checks.real_number("padding", padding, ">= 0")
    x, t = checks.real_array("x", x), checks.real_array("t", t)
    if x.ndim != 2 or x.shape[0] != 2 or t.ndim != 2 or t.shape[1] != x.shape[1]:
        raise ValueError(f"decision_boundary expects x (2, m) and t (n_y, m) with the same m, "
                         f"got x {x.shape} and t {t.shape}")
    lo, hi = x.min(axis=1) - padding, x.max(axis=1) + padding         # (2,), (2,)
    x1, x2 = np.meshgrid(np.linspace(lo[0], hi[0], resolution),
                         np.linspace(lo[1], hi[1], resolution))       # (res, res) each
    grid = np.vstack([x1.ravel(), x2.ravel()])                        # (2, res**2)
    y = np.asarray(predict(grid))                                     # (n_y, res**2) or (res**2,)
    if y.shape[-1] != grid.shape[1] or y.ndim not in (1, 2):
        raise ValueError(f"decision_boundary expects predict to map (2, k) to (n_y, k) or (k,), "
                         f"got {y.shape} for k = {grid.shape[1]}")
    if y.ndim == 1:
        region, finite = y.astype(np.float64), np.isfinite(y)
    else:
        region = (y[0] > threshold) if y.shape[0] == 1 else y.argmax(axis=0)
        finite = np.isfinite(y).all(axis=0)
    region = np.where(finite, region, np.nan).reshape(x1.shape)       # (res, res)
    t_class = class_of(t)                                             # (m,)
    k = max(2, t.shape[0], int(np.nanmax(region, initial=0)) + 1)
    colors = [PALETTE[c % len(PALETTE)] for c in range(k)]
    ax = _axes(ax)
    ax.contourf(x1, x2, region, levels=np.arange(k + 1) - 0.5, cmap=ListedColormap(colors),
                alpha=0.25)
    for c in range(k):
        ax.scatter(x[0, t_class == c], x[1, t_class == c], s=18, color=colors[c],
                   marker=MARKERS[c % len(MARKERS)], edgecolors="white", linewidths=0.4,
                   label=f"class {c}")
    ax.set(xlim=(lo[0], hi[0]), ylim=(lo[1], hi[1]), xlabel="$x_1$", ylabel="$x_2$",
           title=title)
    ax.legend(loc="best", fontsize="small")
    return ax


def histograms(arrays, ax=None, labels=None, bins=50, title=None):
    """Histograms of weights or activations, one per layer, over a shared range of values.

    ax=None draws one small panel per layer in a new figure; a sequence of Axes (one per
    array) does the same in those; a single Axes overlays the layers as outlines. Each panel's
    title gives the layer's mean and standard deviation, the numbers that show a signal dying.
    Returns the Axes given, or the array of panels. Introduced in chapter 3 (Layers).
    """
    checks.integer("bins", bins, 1)
    arrays = [checks.real_array("arrays", a).ravel() for a in arrays]
    labels = [f"layer {i + 1}" for i in range(len(arrays))] if labels is None else list(labels)
    if len(labels) != len(arrays):
        raise ValueError(f"histograms expects one label per array: got {len(labels)} labels "
                         f"for {len(arrays)} arrays")
    finite = np.concatenate([a[np.isfinite(a)] for a in arrays] + [np.zeros(0)])
    lo, hi = (finite.min(), finite.max()) if finite.size else (0.0, 0.0)
    if hi - lo < 1e-12:  # e.g. all zeros: give the single bar some width
        lo, hi = lo - 0.5, hi + 0.5
    edges = np.linspace(lo, hi, bins + 1)  # shared by all layers, so their widths compare
    if ax is not None and not np.iterable(ax):
        for i, (a, label) in enumerate(zip(arrays, labels, strict=True)):
            ax.hist(a, bins=edges, histtype="step", linewidth=1.5,
                    color=PALETTE[i % len(PALETTE)], label=label)
        ax.set(xlabel="value", ylabel="count", title=title)
        ax.legend(fontsize="small")
        return ax
    if ax is None:
        import matplotlib.pyplot as plt

        cols = min(len(arrays), 5)                  # wrap long stacks: at most 5 per row
        rows = -(-len(arrays) // cols)
        _, ax = plt.subplots(rows, cols, figsize=(1.9 * cols + 0.6, 2.3 * rows + 0.3),
                             sharex=True, layout="constrained", squeeze=False)
        for extra in ax.ravel()[len(arrays):]:
            extra.remove()
        ax = ax.ravel()[:len(arrays)]
    axes = np.asarray(ax).ravel()
    if axes.size != len(arrays):
        raise ValueError(f"histograms expects one Axes per array: got {axes.size} Axes "
                         f"for {len(arrays)} arrays")
    for panel, a, label in zip(axes, arrays, labels, strict=True):
        panel.hist(a, bins=edges, color=PALETTE[0])
        panel.set_title(f"{label}\nmean {a.mean():.2g}, std {a.std():.2g}", fontsize="small")
        panel.set_xlabel("value")
    axes[0].set_ylabel("count")
    if title is not None:
        axes[0].figure.suptitle(title)
    return axes


def image_grid(images, labels=None, ax=None, shape=(8, 8), cols=None, per_image=False,
               title=None):
    """Show images side by side in one Axes, each with an optional label above it.

    Columns are images: pass digits x (64, k), or first-layer weights as W.T (n_x, n_hidden).
    Non-negative images are drawn dark on light (0 = white); images with negative values use a
    blue-white-red scale centred on 0. per_image=True scales each image by its own largest
    |value|, so faint weight patterns show. Shapes: images (shape[0] * shape[1], k).
    Introduced in chapter 8 (A real data set).
    """
    images = checks.real_array("images", images)
    h, w = shape
    if images.ndim != 2 or images.shape[0] != h * w:
        raise ValueError(f"image_grid expects images of shape ({h * w}, k), one {h}x{w} image "
                         f"per column, got shape {images.shape}")
    k = images.shape[1]
    if labels is not None and len(labels) != k:
        raise ValueError(f"image_grid expects one label per image: got {len(labels)} labels "
                         f"for {k} images")
    if per_image:
        images = images / np.maximum(np.abs(images).max(axis=0, keepdims=True), 1e-12)
    cols = min(k, 10) if cols is None else cols
    rows = -(-k // cols)                 # ceil(k / cols)
    band = 3 if labels is not None else 1  # blank pixel rows above each image, for its label
    mosaic = np.full((rows * (h + band), cols * (w + 1)), np.nan)  # NaN shows as background
    ax = _axes(ax, figsize=(0.7 * cols, 0.7 * rows * (h + band) / h))
    for i in range(k):
        r, c = divmod(i, cols)
        top, left = r * (h + band) + band, c * (w + 1)
        mosaic[top:top + h, left:left + w] = images[:, i].reshape(h, w)
        if labels is not None:
            ax.text(left + (w - 1) / 2, top - band / 2 - 0.5, str(labels[i]), ha="center",
                    va="center", fontsize="small")
    vmax = max(np.abs(images).max(initial=0.0), 1e-12)
    signed = images.min(initial=0.0) < 0
    ax.imshow(mosaic, cmap="RdBu_r" if signed else "gray_r", vmin=-vmax if signed else 0.0,
              vmax=vmax, interpolation="nearest")
    ax.set(xticks=[], yticks=[], xlabel=f"{k} images of {h}x{w} pixels", title=title)
    return ax


def confusion_matrix(true_labels, pred_labels, classes=None, ax=None, title=None):
    """Draw the confusion matrix M[c, c2] (true class c predicted as c2), each count written in.

    The counts come from nnlib.datasets.confusion_matrix. Shapes: labels (m,) integers.
    Introduced in chapter 8 (A real data set).
    """
    M = datasets.confusion_matrix(true_labels, pred_labels, classes)  # (classes, classes)
    k = M.shape[0]
    ax = _axes(ax, figsize=(0.45 * k + 1.2, 0.45 * k + 1))
    ax.imshow(M, cmap="Blues", vmin=0)
    for c in range(k):
        for c2 in range(k):
            ax.text(c2, c, str(M[c, c2]), ha="center", va="center", fontsize="small",
                    color="white" if M[c, c2] > M.max() / 2 else "black")
    ax.set(xticks=range(k), yticks=range(k), xlabel="predicted class", ylabel="true class",
           title=title)
    return ax
