"""Explorers: sliders that retrain a small network and redraw it, to build intuition.

    x (2, m)   t (n_y, m)   hidden activations a_l (16, m)   pictures: PNG bytes

In Jupyter (local, Binder, Colab) an explorer is a live ipywidgets view: when a control
changes, train() retrains a fresh network from the same seed and one reused figure is redrawn
(only its changing parts: nnlib.static.FastFigure). On the book's web pages there is no Python:
the same code drew one picture per point of a grid of control values when the book was built,
and the page's own controls swap them (nnlib.static.player_html).

    LearningRateExplorer()   loss curve and decision boundary against the learning rate
    InitExplorer()           each layer's activations at initialisation, and the loss curve
    Playground()             data set, activation, width, learning rate and initialisation

Introduced in chapter 10 (Explorers).
"""

from dataclasses import dataclass
from functools import partial

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from nnlib import checks, datasets, static
from nnlib import init as initialisers
from nnlib.activations import LeakyRelu, Relu, Sigmoid, Softmax, Tanh
from nnlib.losses import BinaryCrossEntropy, CrossEntropy
from nnlib.network import NeuralNet, mlp

ACTIVATIONS = {"relu": Relu, "tanh": Tanh, "sigmoid": Sigmoid, "leaky relu": LeakyRelu}
SCHEMES = {"zeros": "zeros", "draft's 1/(n_out·n_in)": "inverse_size_normal", "normal": "normal",
           "Xavier": "xavier_normal", "He": "he_normal"}
DATA = {"moons": {"m": 200, "noise": 0.2}, "circles": {"m": 200, "noise": 0.1},
        "xor": {"m": 200, "noise": 0.2}, "spirals": {"m": 300}, "blobs": {"m": 300}}


@dataclass
class Run:
    """One training run: the data, the network, its hidden activations before training
    (initial[l] = a_{l+1}), the loss per epoch, and the epoch where it diverged (or None)."""

    x: np.ndarray
    t: np.ndarray
    net: NeuralNet
    initial: list
    losses: list
    diverged: int | None

    def summary(self):
        """The outcome in a few words: final loss and accuracy, or where it diverged."""
        if self.diverged:
            return f"diverged at epoch {self.diverged}"
        with np.errstate(all="ignore"):               # a net that blew up without diverging
            accuracy = self.net.accuracy(self.x, self.t)
        return f"final loss {self.losses[-1]:.3f}, accuracy {accuracy:.0%}"

    def problem(self):
        """What went wrong, in a plain sentence, or None."""
        if self.diverged:
            return f"Diverged at epoch {self.diverged}:\nthe loss overflowed."
        first, last = self.losses[0], self.losses[-1]
        if last > first:
            return f"The loss went UP,\nfrom {first:.2f} to {last:.2f}."
        if last > 0.98 * first:
            return f"The loss barely moved,\nfrom {first:.2f} to {last:.2f}."
        return None


def train(dataset="moons", hidden=(16, 16), activation="relu", init="He", scale=1.0, lr=0.1,
          epochs=100, seed=0):
    """Train a fresh network on a toy data set by full-batch gradient descent; return a Run.

    Exactly net.fit(x, t, epochs=epochs, lr=lr, rng=seed, progress=False) for
    net = nnlib.mlp([2, *hidden, n_y], activation, Sigmoid() or Softmax(), BinaryCrossEntropy()
    or CrossEntropy(), init=..., rng=seed) and x, t = nnlib.datasets.load(dataset, rng=seed).
    init is a key of SCHEMES; scale is the standard deviation of "normal" (others ignore it).
    """
    x, t = datasets.load(dataset, rng=seed, **DATA[dataset])     # (2, m), (n_y, m)
    two = t.shape[0] == 1
    scheme = SCHEMES[init]
    init_fn = partial(initialisers.normal, scale=scale) if scheme == "normal" else scheme

    def network():
        return mlp([2, *hidden, t.shape[0]], ACTIVATIONS[activation](),
                   Sigmoid() if two else Softmax(), BinaryCrossEntropy() if two else CrossEntropy(),
                   init=init_fn, rng=seed)

    net = network()
    initial = net.forward_all(x)[1][1:-1]          # a_1 .. a_{L-1}, each (n_l, m)
    try:
        history = net.fit(x, t, epochs=epochs, lr=lr, rng=seed, progress=False)
        return Run(x, t, net, initial, history["loss"], diverged=None)
    except FloatingPointError:
        pass
    # It diverged, and fit keeps no history then. Train the same network again one epoch per
    # fit call, sharing one Generator (the very same steps), to draw the loss up to there.
    net, rng, losses = network(), np.random.default_rng(seed), []
    for epoch in range(1, epochs + 1):
        try:
            losses += net.fit(x, t, epochs=1, lr=lr, rng=rng, progress=False)["loss"]
        except FloatingPointError:
            return Run(x, t, net, initial, losses, diverged=epoch)
    raise AssertionError("fit diverged once and not the second time")


class Explorer(static.StaticPage):
    """Base class: ipywidgets controls, a live picture, and (StaticPage) the page version.

    A subclass defines _controls() -> {name: (widget, values for the page's grid)}, run and
    alt; the figure is the decision boundary beside the loss curve unless it redefines
    _figure() -> FastFigure and draw.
    """

    title, epochs = "Explorer", 100

    def __init__(self, seed=0):
        self.seed = checks.integer("seed", seed, 0)
        self.controls = self._controls()
        self.image = widgets.Image(format="png")
        self.status = widgets.Label()
        for control, _ in self.controls.values():
            control.observe(self.update, names="value")
        self.widget = widgets.VBox([widgets.HBox([c for c, _ in self.controls.values()],
                                                 layout={"flex_flow": "row wrap"}),
                                    self.image, self.status])
        self.figure = self._figure()
        self.update()

    def settings(self):
        """The controls' current values: {name: value}."""
        return {name: control.value for name, (control, _) in self.controls.items()}

    def run(self, settings):
        """Train this explorer's network for the settings; return the Run."""
        raise NotImplementedError

    def _figure(self):
        fig = Figure(figsize=(8, 3.3), dpi=static.DPI, layout="constrained")
        ax_boundary, ax_loss = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.15]})
        self.boundary = static.boundary_artists(ax_boundary, f"classes after {self.epochs} epochs")
        self.loss = static.loss_artists(ax_loss, self.epochs)
        self.heading = fig.suptitle(" ")
        return static.FastFigure(fig, [*self.boundary, *self.loss, self.heading])

    def draw(self, run, settings):
        """Update the figure's changing artists for the run; return the background's key."""
        static.show_boundary(self.boundary, run.net, run.x, run.t)
        static.show_loss(self.loss, run.losses, run.problem())
        self.heading.set_text(run.summary())

    def alt(self, run, settings):
        """What the picture shows, in words: the alt text, and the live status line."""
        raise NotImplementedError

    def update(self, change=None):
        """Retrain for the controls' current values and show the new picture (live)."""
        settings = self.settings()
        self.last = self.run(settings)
        self.image.value = self.figure.png(self.draw(self.last, settings))
        self.status.value = self.alt(self.last, settings)

    # _repr_mimebundle_ comes from static.StaticPage: live widget, page version and still.


def _log_slider(description, value, low, high):
    """A slider over powers of 10, from 10**low to 10**high; it retrains when released."""
    return widgets.FloatLogSlider(value=value, base=10, min=low, max=high, step=0.1,
                                  description=description, readout_format=".3g",
                                  continuous_update=False, style={"description_width": "initial"})


def _menu(description, options, value):
    return widgets.Dropdown(options=options, value=value, description=description,
                            style={"description_width": "initial"})


class LearningRateExplorer(Explorer):
    """The learning rate against the loss curve and the decision boundary (moons, 2-16-16-1).

    Too small and the loss barely moves; too large and it jumps, or rises and stays up.
    """

    title = "Learning-rate explorer"

    def __init__(self, lr=0.1, seed=0):
        self.lr0 = checks.learning_rate(lr)
        super().__init__(seed)

    def _controls(self):
        return {"lr": (_log_slider("learning rate", self.lr0, -4, 1),
                       [1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0])}

    def run(self, settings):
        return train("moons", (16, 16), "relu", "He", lr=settings["lr"], epochs=self.epochs,
                     seed=self.seed)

    def alt(self, run, settings):
        return (f"Learning rate {settings['lr']:.3g}: {run.summary()}. Left, the class the "
                "network predicts at every point of the plane, with the two moons on top; right, "
                f"the training loss per epoch{_trend(run)}.")


class InitExplorer(Explorer):
    """The initialisation against each hidden layer's activations and the loss curve.

    A 2-16-16-16-16-1 network on moons. Histogram l shows a_l, the activations leaving hidden
    layer l of the untrained network over the whole data set: the signal, layer by layer.
    """

    title, hidden, lr = "Initialisation explorer", (16, 16, 16, 16), 0.1
    RANGES = {"relu": (0.0, 4.0), "tanh": (-1.0, 1.0)}   # histogram x-axes; beyond: edge bins

    def __init__(self, scheme="He", scale=1.0, activation="relu", seed=0):
        _choice("scheme", scheme, SCHEMES), _choice("activation", activation, self.RANGES)
        self.start = (scheme, checks.positive("scale", scale), activation)
        super().__init__(seed)

    def _controls(self):
        scheme, scale, activation = self.start
        schemes = _menu("initialisation", list(SCHEMES), scheme)
        scales = _log_slider("scale of normal", scale, -2, 1)
        scales.disabled = scheme != "normal"
        schemes.observe(lambda change: setattr(scales, "disabled", change.new != "normal"), "value")
        return {"scheme": (schemes, list(SCHEMES)),
                "scale": (scales, [0.01, 0.03, 0.1, 0.3, 1.0, 3.0]),
                "activation": (widgets.ToggleButtons(options=list(self.RANGES), value=activation,
                                                     description="activation"), list(self.RANGES))}

    def canonical(self, settings):
        return settings if settings["scheme"] == "normal" else {**settings, "scale": None}

    def needs(self):
        return {"scale": ("scheme", "normal")}   # the scale only applies to "normal"

    def run(self, settings):
        return train("moons", self.hidden, settings["activation"], settings["scheme"],
                     settings["scale"], self.lr, self.epochs, self.seed)

    def _figure(self):
        fig = Figure(figsize=(8.6, 3.0), dpi=static.DPI, layout="constrained")
        axes = fig.subplots(1, 5, gridspec_kw={"width_ratios": [1, 1, 1, 1, 1.7]})
        self.bars = [ax.stairs(np.zeros(25), np.linspace(0, 1, 26), fill=True) for ax in axes[:4]]
        self.titles = [ax.set_title(f"layer {l}: std", fontsize=8) for l, ax in enumerate(axes, 1)]
        for l, ax in enumerate(axes[:4], start=1):
            ax.set(ylim=(0, 1), xlabel=f"$a_{l}$")
            ax.tick_params(labelsize=8)
        axes[0].set_ylabel("fraction of activations")
        self.titles.pop().set_text(f"training, learning rate {self.lr}")
        self.loss = static.loss_artists(axes[4], self.epochs)
        self.heading = fig.suptitle(" ")
        return static.FastFigure(fig, [*self.bars, *self.titles, *self.loss, self.heading])

    def draw(self, run, settings):
        lo, hi = self.RANGES[settings["activation"]]
        edges = np.linspace(lo, hi, 26)           # 25 bins: for tanh, one is centred on 0
        for l, (bar, title) in enumerate(zip(self.bars, self.titles)):
            a = run.initial[l].ravel()                                   # (16 m,)
            counts, _ = np.histogram(np.clip(a, lo, hi), bins=edges)
            bar.set_data(counts / a.size, edges)
            bar.axes.set_xlim(lo - 0.05 * (hi - lo), hi)
            title.set_text(f"layer {l + 1}: std {a.std():.2g}")
        same = all(_distinct_units(layer) == 1 for layer in run.net.layers[:-1])
        symmetry = ("Every hidden layer still has\n16 identical units: they all\n"
                    "got the same gradient.") if same else None
        static.show_loss(self.loss, run.losses, symmetry or run.problem())
        self.heading.set_text(run.summary())
        return settings["activation"]             # its histogram axes differ: another background

    def alt(self, run, settings):
        scale = f" (scale {settings['scale']:.3g})" if settings["scheme"] == "normal" else ""
        stds = ", ".join(f"{a.std():.2g}" for a in run.initial)
        return (f"{settings['scheme']} initialisation{scale}, {settings['activation']}: "
                f"{run.summary()}. Histograms of the activations of hidden layers 1 to 4 before "
                f"training, standard deviations {stds}; the training loss per epoch{_trend(run)}.")


class Playground(Explorer):
    """Data set, activation, hidden width, learning rate and initialisation, all at once.

    In the spirit of TensorFlow Playground (which has no initialisation control): two hidden
    layers of the chosen width, trained by full-batch gradient descent.
    """

    title, epochs = "Playground", 150

    def __init__(self, dataset="moons", activation="relu", width=8, lr=0.3, init="He", seed=0):
        _choice("dataset", dataset, DATA), _choice("activation", activation, ACTIVATIONS)
        _choice("init", init, SCHEMES), _choice("width", width, range(1, 33))
        self.start = (dataset, activation, width, checks.learning_rate(lr), init)
        super().__init__(seed)

    def _controls(self):
        dataset, activation, width, lr, init = self.start
        units = widgets.IntSlider(value=width, min=1, max=32, description="hidden units",
                                  continuous_update=False, style={"description_width": "initial"})
        return {"dataset": (_menu("data", list(DATA), dataset), list(DATA)),
                "activation": (_menu("activation", list(ACTIVATIONS), activation),
                               ["relu", "tanh"]),
                "width": (units, [2, 8, 32]),
                "lr": (_log_slider("learning rate", lr, -4, 1), [0.03, 0.3, 3.0]),
                "init": (_menu("initialisation", list(SCHEMES), init), ["He", "zeros"])}

    def run(self, settings):
        return train(settings["dataset"], (settings["width"],) * 2, settings["activation"],
                     settings["init"], 1.0, settings["lr"], self.epochs, self.seed)

    def alt(self, run, settings):
        # Only what the picture shows (the controls say the settings): equal pictures, one frame.
        return (f"{run.summary().capitalize()}. Left, the class the network predicts at every "
                f"point, with the data on top; right, the training loss per epoch{_trend(run)}.")


def _choice(name, value, options):
    """Refuse a constructor argument that is not one of the menu's options."""
    if isinstance(value, bool) or value not in options:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, options))}; got {value!r}")


def _distinct_units(layer):
    """How many different units (rows of [W b]) a layer has."""
    return len(np.unique(np.hstack([layer.W, layer.b]), axis=0))


def _trend(run):
    return f", from {run.losses[0]:.2f} to {run.losses[-1]:.2f}" if run.losses else ""


def __getattr__(name):
    # The backpropagation explorers live in their own modules, which build on Explorer.
    if name == "BackpropExplorer":
        from nnlib.backprop_view import BackpropExplorer
        return BackpropExplorer
    if name == "GradientFlowExplorer":
        from nnlib.gradient_flow import GradientFlowExplorer
        return GradientFlowExplorer
    raise AttributeError(f"module 'nnlib.explore' has no attribute {name!r}")
