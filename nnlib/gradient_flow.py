"""The backward signal in depth: per-layer gradient sizes of a deep network, per initialisation.

    x (2, m), t (1, m)       the moons, m = 200
    dzs[l], a[l] (16, m)     backward signal and activations of the 9 hidden layers
    signal, gradient (10,)   per layer l = 0..9: rms(dz_l) and ||dW_l||, at each recorded epoch

Chapter 3 followed the forward signal a_l through the layers; backpropagation sends a signal the
other way, da_l = W_l^T dz_l, multiplied by W_l^T and f'(z) once per layer. So it shrinks or
grows by a factor per layer too, and the gradient dW_l = dz_l a_l^T of an early layer is what is
left of it: vanishing or exploding gradients.

    GradientFlowExplorer()   a 2-16-...-16-1 network (10 layers), full-batch gradient descent

Introduced in chapter 6 (Backpropagation).
"""

from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from nnlib import datasets, static
from nnlib.activations import Sigmoid
from nnlib.backprop_view import backward_pass
from nnlib.explore import ACTIVATIONS, DATA, SCHEMES, Explorer, _menu
from nnlib.losses import BinaryCrossEntropy
from nnlib.network import mlp
from nnlib.plot import MARKERS, PALETTE

FLOOR = 1e-24            # a zero on the log axes is drawn here, on their lower edge


@dataclass
class Flow:
    """Per recorded epoch: rms(dz_l) and ||dW_l|| for every layer; the loss per epoch; the
    epoch where the loss stopped being finite (or None)."""

    epochs: list
    signal: list         # [(L,) array per recorded epoch]
    gradient: list
    losses: list
    diverged: int | None


def flow(activation="relu", init="He", depth=10, width=16, lr=0.1, epochs=100,
         record=(0, 10, 100), seed=0):
    """Train a deep network on the moons by full-batch gradient descent; record its gradients.

    The network is mlp([2, width, ..., width, 1], activation, Sigmoid(), BinaryCrossEntropy(),
    init) with depth layers; each epoch is one net.train step on all the examples (fit with
    batch_size=None). At each epoch in record, before that epoch's step, the backward pass
    (nnlib.backprop_view.backward_pass, which equals net.gradients) gives rms(dz_l) and ||dW_l||.
    """
    x, t = datasets.load("moons", rng=seed, **DATA["moons"])          # (2, m), (1, m)
    net = mlp([2, *[width] * (depth - 1), 1], ACTIVATIONS[activation](), Sigmoid(),
              BinaryCrossEntropy(), init=SCHEMES[init], rng=seed)
    result = Flow([], [], [], [], None)
    with np.errstate(all="ignore"):                    # an exploding network overflows
        for epoch in range(epochs + 1):
            if epoch in record:
                bp = backward_pass(net, x, t)
                result.epochs.append(epoch)
                result.signal.append(np.array([np.sqrt(np.mean(dz ** 2)) for dz in bp.dzs]))
                result.gradient.append(np.array([np.linalg.norm(dW) for dW, _ in bp.grads]))
            if epoch == epochs:
                break
            loss = net.train(x, t, lr)
            if not np.isfinite(loss):
                result.diverged = epoch + 1
                break
            result.losses.append(loss)
    return result


class GradientFlowExplorer(Explorer):
    """How big the backward signal and the gradient of each layer are, for each initialisation.

    Left, rms(dz_l) per layer: the backward signal, from the output (right) to the input
    (left). Middle, ||dW_l||, at epochs 0, 10 and 100. Right, the training loss.
    """

    title, depth, epochs, lr = "Gradient flow explorer", 10, 100, 0.1
    RECORD = (0, 10, 100)

    def __init__(self, init="He", activation="relu", seed=0):
        self.start, self.runs = (init, activation), {}
        super().__init__(seed)

    def _controls(self):
        init, activation = self.start
        return {"init": (_menu("initialisation", list(SCHEMES), init), list(SCHEMES)),
                "activation": (widgets.ToggleButtons(options=["relu", "tanh"], value=activation,
                                                     description="activation"), ["relu", "tanh"])}

    def run(self, settings):
        """The training for the settings; each is trained once, then kept (it never changes)."""
        key = (settings["activation"], settings["init"])
        if key not in self.runs:
            self.runs[key] = flow(*key, self.depth, lr=self.lr, epochs=self.epochs,
                                  record=self.RECORD, seed=self.seed)
        return self.runs[key]

    def _figure(self):
        fig = Figure(figsize=(9.6, 3.3), dpi=static.DPI, layout="constrained")
        ax_signal, ax_grad, ax_loss = fig.subplots(1, 3, gridspec_kw={"width_ratios": [1, 1, 0.9]})
        layers = np.arange(self.depth)
        self.curves = []
        for ax, what in ((ax_signal, "backward signal rms($dz_l$)"),
                         (ax_grad, "gradient $\\|dW_l\\|$")):
            ax.set(yscale="log", ylim=(FLOOR / 3, 1e4), xlim=(-0.5, self.depth - 0.5),
                   xticks=layers, xlabel="layer $l$ (input left, output right)", ylabel=what)
            ax.grid(True, color="0.9")
            self.curves.append([ax.plot([], [], marker=MARKERS[k], markersize=4,
                                        color=PALETTE[k], label=f"epoch {e}")[0]
                                for k, e in enumerate(self.RECORD)])
        ax_signal.set_title("the signal backpropagation sends", fontsize=10)
        ax_grad.set_title("what reaches each layer's weights", fontsize=10)
        ax_signal.legend(loc="lower right", fontsize=8)
        self.loss = static.loss_artists(ax_loss, self.epochs)
        ax_loss.set_title("training", fontsize=10)
        self.heading = fig.suptitle(" ")
        curves = [line for lines in self.curves for line in lines]
        return static.FastFigure(fig, [*curves, *self.loss, self.heading])

    def draw(self, run, settings):
        for lines, values in zip(self.curves, (run.signal, run.gradient)):
            for k, line in enumerate(lines):
                if k < len(values):
                    line.set_data(np.arange(self.depth), np.maximum(values[k], FLOOR))
                else:
                    line.set_data([], [])
        static.show_loss(self.loss, run.losses, self.problem(run))
        self.heading.set_text(self.summary(run))

    def summary(self, run):
        """The per-layer factor of the backward signal at epoch 0, in a few words."""
        signal = run.signal[0]
        if not signal[:-1].any():
            return "No signal: every hidden dz_l is exactly 0 (all weights are 0)"
        factor = (signal[-2] / signal[0]) ** (1 / (self.depth - 2))   # per layer, output to input
        if 1 / 1.05 < factor < 1.05:
            return "At epoch 0 the backward signal keeps its size through the layers"
        trend, factor = ("shrinks", factor) if factor > 1 else ("grows", 1 / factor)
        size = f"{factor:.0f}" if factor >= 10 else f"{factor:.2g}"
        return f"At epoch 0 the backward signal {trend} by about {size}x per layer to the input"

    def problem(self, run):
        if run.diverged:
            return f"Diverged at epoch {run.diverged}:\nthe loss overflowed."
        if run.losses and run.losses[-1] > 0.98 * run.losses[0]:
            return f"The loss barely moved,\nfrom {run.losses[0]:.2f} to {run.losses[-1]:.2f}."
        return None

    def alt(self, run, settings):
        sizes = ", ".join(f"{v:.1g}" for v in run.signal[0])
        return (f"{settings['init']} initialisation, {settings['activation']}: "
                f"{self.summary(run)}. Left, the backward signal's size per layer (epoch 0: "
                f"{sizes}, layers 0 to {self.depth - 1}); middle, each layer's gradient norm at "
                f"epochs {', '.join(map(str, run.epochs))}; right, the training loss per epoch"
                + (f"; {self.problem(run).replace(chr(10), ' ').lower()}" if self.problem(run)
                   else "."))
