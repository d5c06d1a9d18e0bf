"""Backpropagation seen: one training step walked through, and the backward signal in depth.

    x, t (2, m), (1, m)     a mini-batch of m = 2 examples     W_l (n_{l+1}, n_l)
    zs[l], a[l+1], dzs[l], das[l+1]   (n_{l+1}, m)              dW_l, db_l like W_l, b_l

    backward_pass(net, x, t, bug)   every intermediate of one backward pass, with or
                                    without one of the draft's bugs switched on
    BackpropExplorer()              a 2-3-2-1 network drawn as a graph; a step control walks
                                    the forward pass, the loss, the backward pass and the update

An explorer (nnlib.explore): live ipywidgets in Jupyter, precomputed frames on the page. Its
sibling nnlib.gradient_flow shows the backward signal of a deep network.
Introduced in chapter 6 (Backpropagation).
"""

import copy
import textwrap
from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, findfont
from PIL import Image, ImageDraw, ImageFont

from nnlib import static
from nnlib.activations import LeakyRelu
from nnlib.explore import Explorer, _menu
from nnlib.gradcheck import gradient_check
from nnlib.losses import MSE
from nnlib.network import mlp
from nnlib.plot import PALETTE

# The draft's three backprop bugs, by the name the explorer's menu shows.
BUGS = {"none": None, "f instead of f'": "f", "restarted dL": "restart",
        "unsummed db": "unsummed"}


def draft_dloss(y_pred, y):
    """The draft's MSE_derivative, 2 (y_pred - y) / size, with no shape check."""
    return 2 * (y_pred - y) / y_pred.size


@dataclass
class BackwardPass:
    """One forward and backward pass, every intermediate kept (L layers):
    zs[l] = z_l and a[l] = a_l as in net.forward_all; das[l] = dL/da_l, propagated
    (das[0] is None: never needed); da_in[l], the da_{l+1} that layer l used (das[l + 1]
    unless a bug restarted it); dzs[l] = dL/dz_l; grads[l] = (dW_l, db_l)."""

    zs: list
    a: list
    das: list
    da_in: list
    dzs: list
    grads: list


def backward_pass(net, x, t, bug=None):
    """Backpropagation with every intermediate kept, or with one of the draft's bugs.

    bug=None is nnlib's backprop: net.gradients gives the same arrays, bit for bit, for
    elementwise activations (the only kind the draft had). The draft's bugs: "f"
    multiplies by f(z), not f'(z) (its generic loop); "restart" restarts from the loss,
    dL(a_{l+1}, t), below the last two layers (its general step); "unsummed" keeps
    db_l = dz_l, one column per example.
    Shapes: x (n_x, m), t (n_y, m); everything else as in the module docstring.
    """
    zs, a = net.forward_all(x)
    L = len(net.layers)
    das, da_in, dzs, grads = [None] * (L + 1), [None] * L, [None] * L, [None] * L
    das[L] = net.loss_function.dloss(a[L], t)         # da_L (n_y, m): carries the 1/m
    for l in reversed(range(L)):
        layer = net.layers[l]
        da_in[l] = das[l + 1]
        if bug == "restart" and l <= L - 3:           # the draft's "general step":
            da_in[l] = draft_dloss(a[l + 1], t)       # BUG, da_{l+1} thrown away
        f = layer.activation.f if bug == "f" else layer.activation.df   # BUG if "f"
        dzs[l] = f(zs[l]) * da_in[l]                  # dz_l = f'(z_l) * da_{l+1}
        if l == L - 1 and bug is None:                # as nnlib: the loss may simplify it
            dzs[l] = net.loss_function.dz(layer.activation, zs[l], a[L], t)
        dW = dzs[l] @ a[l].T                          # dW_l = dz_l a_l^T
        db = dzs[l].sum(axis=1, keepdims=True)        # db_l = sum_j dz_l^(j)
        grads[l] = (dW, dzs[l] if bug == "unsummed" else db)   # BUG if "unsummed"
        if l > 0:
            das[l] = layer.W.T @ dzs[l]               # da_l = W_l^T dz_l
    return BackwardPass(zs, a, das, da_in, dzs, grads)


def _steps(L):
    """The walk through one training step: (kind, layer) pairs, in order."""
    steps = [("input", None)] + [("forward", l) for l in range(L)] + [("loss", None)]
    for l in reversed(range(L)):
        steps += [("dz", l), ("dW", l)] + ([("da", l)] if l > 0 else [])
    return steps + [("update", None)]


# What each step applies: its title, the equation (matplotlib mathtext) and the code, the
# lines of nnlib's forward pass (NeuralNet._forward_all), backward pass (_loss_and_gradients,
# as written out in backward_pass) and update (NeuralNet.train). {l}, {k} = l + 1 are filled in.
TEXT = {
    "input": ("the inputs: a mini-batch of {m} examples",
              r"$a_0 = x$,  one column per example $j$", ["a = [x]"]),
    "forward": ("forward, layer {l}",
                r"$z_{l} = W_{l}\,a_{l} + b_{l}, \quad a_{k} = f_{l}(z_{l})$",
                ["z = layer.W @ a[{l}] + layer.b", "a.append(layer.activation.f(z))"]),
    "loss": ("the loss, and its slope at the output",
             r"$\mathcal{{L}} = \frac{{1}}{{n_y m}}\sum_j (a_{L} - t)^2, \quad "
             r"da_{L} = \frac{{2\,(a_{L} - t)}}{{n_y m}}$",
             ["loss = net.loss(a[{L}], t)", "da = net.loss_function.dloss(a[{L}], t)"]),
    "dz": ("backward, layer {l}: through the activation",
           r"$dz_{l} = f_{l}'(z_{l}) \odot da_{k}$",
           ["dz = layer.activation.df(zs[{l}]) * da"]),
    "dW": ("backward, layer {l}: the weights and the bias",
           r"$dW_{l} = dz_{l}\,a_{l}^\top, \quad db_{l} = \sum_j dz_{l}^{{(j)}}$",
           ["dW = dz @ a[{l}].T", "db = dz.sum(axis=1, keepdims=True)"]),
    "da": ("backward, layer {l}: down to its input",
           r"$da_{l} = W_{l}^\top dz_{l}$", ["da = layer.W.T @ dz"]),
    "update": ("the update: one step of gradient descent",
               r"$W_l \leftarrow W_l - \eta\,dW_l, \quad b_l \leftarrow b_l - \eta\,db_l$",
               ["layer.W -= lr * dW", "layer.b -= lr * db"]),
}
# The line a bug changes, as the draft wrote it (in nnlib's names).
BUGGY_CODE = {("f", "dz"): "dz = layer.activation.f(zs[{l}]) * da   # f, not df",
              ("restart", "dz"): "da = dL(a[{k}], t)   # restarted from the loss",
              ("unsummed", "dW"): "db = dz   # not summed over the batch"}


@dataclass
class Trace:
    """One training step, precomputed for one bug setting: the backward pass, the weights
    after the update (or the error it raised) and gradient_check's verdict per layer."""

    bug: str | None
    backward: BackwardPass
    updated: list          # [(W_l - lr dW_l, b_l - lr db_l or None), ...]
    update_error: str | None
    loss: float
    loss_after: float | None
    verdicts: list         # per layer: {"W": "pass" or the error, "b": ...}


class BackpropExplorer(Explorer):
    """One training step of a small network, step by step: forward, loss, backward, update.

    A 2-3-2-1 network with leaky ReLU units and the mean squared error (the draft's choices),
    weights from He's initialisation, and a mini-batch of m = 2 examples: every neuron shows
    its value for both examples (example 0, then example 1). A bug menu switches in one of
    the draft's three bugs: wrong values are marked with a cross, and gradient_check's
    verdict for each layer appears as the backward pass reaches it.
    """

    title, animate = "Backpropagation, step by step", "step"
    sizes, m = (2, 3, 2, 1), 2

    # Seed 25 draws a network whose output neuron is active (z > 0) for both examples and whose
    # hidden neurons are mixed, active and not: every kind of slope shows.
    def __init__(self, step=1, bug="none", lr=0.5, seed=25):
        self.start, self.lr, self.traces = (step, bug), lr, {}
        rng = np.random.default_rng(seed)
        self.net = mlp(list(self.sizes), LeakyRelu(), LeakyRelu(), MSE(), rng=rng)
        self.x = rng.uniform(-1, 1, size=(self.sizes[0], self.m)).round(1)   # (2, m)
        self.t = rng.uniform(0, 1, size=(self.sizes[-1], self.m)).round(1)   # (1, m)
        self.steps = _steps(len(self.net.layers))
        super().__init__(seed)
        slider, menu = self.controls["step"][0], self.controls["bug"][0]
        self.play = widgets.Play(value=slider.value, min=1, max=len(self.steps), interval=900,
                                 description="play the steps")
        widgets.link((self.play, "value"), (slider, "value"))
        self.buttons = [widgets.Button(description=text, layout={"width": "7em"})
                        for text in ("◀ previous", "next ▶")]
        for button, move in zip(self.buttons, (-1, 1)):
            button.on_click(lambda _, move=move: self.go(move))
        self.widget = widgets.VBox([
            widgets.HBox([self.play, self.buttons[0], slider, self.buttons[1], menu],
                         layout={"flex_flow": "row wrap"}), self.image, self.status])

    def paper_settings(self):
        # On paper one step stands for all: backward through the middle layer, where the
        # chain rule has already passed one layer and every kind of value is on the graph.
        return [{"step": self.steps.index(("dW", 1)) + 1, "bug": "none"}]

    def go(self, move):
        """Move the step control by move steps (a button's click), within its range."""
        slider = self.controls["step"][0]
        slider.value = min(max(slider.value + move, slider.min), slider.max)

    def _controls(self):
        step, bug = self.start
        slider = widgets.IntSlider(value=step, min=1, max=len(self.steps), description="step",
                                   continuous_update=True)
        return {"step": (slider, list(range(1, len(self.steps) + 1))),
                "bug": (_menu("the draft's bug", list(BUGS), bug), list(BUGS))}

    # -- the numbers ------------------------------------------------------------------------
    def run(self, settings):
        """The step's numbers for the bug setting, computed once (a step change only redraws)."""
        bug = BUGS[settings["bug"]]
        if bug not in self.traces:
            self.traces[bug] = self._trace(bug)
        return self.traces[bug]

    def _trace(self, bug):
        net, x, t = self.net, self.x, self.t
        backward = backward_pass(net, x, t, bug)
        updated, error = [], None
        for layer, (dW, db) in zip(net.layers, backward.grads):
            W, b = layer.W.copy(), layer.b.copy()
            W -= self.lr * dW                                # exactly NeuralNet.train's lines
            try:
                b -= self.lr * db
            except ValueError as e:                          # (n, 1) -= (n, m): refused
                error, b = str(e), None
            updated.append((W, b))
        loss_after = None
        if error is None:                                    # the loss after the step
            after = copy.deepcopy(net)
            for layer, (W, b) in zip(after.layers, updated):
                layer.W, layer.b = W, b
            loss_after = after.loss(after.forward(x), t)
        return Trace(bug, backward, updated, error, net.loss(backward.a[-1], t), loss_after,
                     _verdicts(net, x, t, backward.grads))

    def shown(self, step, bug="none"):
        """The arrays the picture shows at a step (1-based), by name: a_0 .. a_3, z_0 ..,
        loss, da_3 .., dz_2 .., dW_2, db_2 .., W_0' and b_0' (after the update) ..."""
        trace = self.run({"bug": bug})
        bp = trace.backward
        values = {"a_0": bp.a[0]}
        for kind, l in self.steps[:step]:
            L = len(self.net.layers)
            if kind == "forward":
                values.update({f"z_{l}": bp.zs[l], f"a_{l + 1}": bp.a[l + 1]})
            elif kind == "loss":
                values.update({"loss": trace.loss, f"da_{L}": bp.das[L]})
            elif kind == "dz":
                values.update({f"da_{l + 1}": bp.da_in[l], f"dz_{l}": bp.dzs[l]})
            elif kind == "dW":
                values.update({f"dW_{l}": bp.grads[l][0], f"db_{l}": bp.grads[l][1]})
            elif kind == "da":
                values[f"da_{l}"] = bp.das[l]
            elif kind == "update":
                for l, (W, b) in enumerate(trace.updated):
                    values[f"W_{l}'"] = W
                    if b is not None:
                        values[f"b_{l}'"] = b
        return values

    # -- the picture ------------------------------------------------------------------------
    def _figure(self):
        # The step's text on top, the graph below it at the full width: room for the labels.
        fig = Figure(figsize=(11, 6.8), dpi=static.DPI)
        self.panel = panel = fig.add_axes((0.01, 0.69, 0.98, 0.3))
        self.graph = graph = fig.add_axes((0.0, 0.0, 1.0, 0.69))
        panel.set_axis_off()
        graph.set_axis_off()
        graph.set(xlim=(-0.95, len(self.sizes) - 0.4), ylim=(-2.45, 2.35))
        self.nodes = [[(k, 1.5 * ((n - 1) / 2 - i)) for i in range(n)]
                      for k, n in enumerate(self.sizes)]            # (x, y) of neuron i of a_k
        self.edges = [(l, i, k) for l in range(len(self.sizes) - 1)
                      for k in range(self.sizes[l + 1]) for i in range(self.sizes[l])]
        self.band = graph.axvspan(-0.45, 0.45, color=PALETTE[6], alpha=0.25, lw=0)
        segments = [(self.nodes[l][i], self.nodes[l + 1][k]) for l, i, k in self.edges]
        self.lines = LineCollection(segments, zorder=1)
        graph.add_collection(self.lines)
        xy = np.array([p for column in self.nodes for p in column])
        graph.scatter(xy[:, 0], xy[:, 1], s=360, color="white", edgecolors="0.2", zorder=2)
        for k, column in enumerate(self.nodes):
            name = "x" if k == 0 else ("y_\\mathrm{pred}" if k == len(self.sizes) - 1 else "")
            graph.text(k, -2.4, f"$a_{k}$" + (f" $= {name}$" if name else ""), ha="center",
                       fontsize=11, color="0.3")
            for i, (px, py) in enumerate(column):
                graph.text(px, py, str(i), ha="center", va="center", fontsize=8, zorder=3)
        self.equation = panel.text(0, 0.45, "", fontsize=14, va="center")
        return Labelled(fig, [self.band, self.lines, self.equation])

    def draw(self, trace, settings):
        step = settings["step"]
        kind, l = self.steps[step - 1]
        L, fig = len(self.net.layers), self.figure
        shown = self.shown(step, settings["bug"])
        right = self.shown(step, "none") if trace.bug else shown
        fig.labels.clear()

        def line(name, label, i):
            """('label v_0 v_1', colour) for row i of a shown array; a cross if it is wrong."""
            if name not in shown:
                return None
            wrong = not _same(shown[name], right.get(name))
            numbers = " ".join(_number(v) for v in shown[name][i])
            return f"{label:<2} {numbers}" + (" ✗" if wrong else ""), WRONG if wrong else INK

        at = self.graph.transData
        for k, column in enumerate(self.nodes):
            for i, (px, py) in enumerate(column):
                if k == 0:
                    fig.text(at, px - 0.16, py, [line("a_0", "x", i)], ha="right", va="center")
                    continue
                above = [line(f"z_{k - 1}", "z", i), line(f"a_{k}", "a", i)]
                if k == L and "loss" in shown:
                    above.append(("t  " + " ".join(_number(v) for v in self.t[i]), INK))
                below = [line(f"da_{k}", "da", i), line(f"dz_{k - 1}", "dz", i),
                         line(f"db_{k - 1}", "db", i)]
                if kind == "update":   # the biases (all 0 until now) and the weights move
                    b, after = self.net.layers[k - 1].b[i, 0], shown.get(f"b_{k - 1}'")
                    above = [("b  " + _number(b) + " → " + (
                        "fails" if after is None else _number(after[i, 0])), INK)]
                    below = [line(f"db_{k - 1}", "db", i)]
                fig.text(at, px, py + 0.2, above, va="bottom")
                fig.text(at, px, py - 0.2, below, va="top")

        # The edges: grey for |W| until dW_l is known, then blue or orange for the sign of
        # dW_l (of the change, -lr dW_l, at the update) and as wide as its size.
        scale = max(np.abs(dW).max() for dW, _ in self.run({"bug": "none"}).backward.grads)
        widths, colors = [], []
        for (l_e, i, k), (p0, p1) in zip(self.edges, self.lines.get_segments()):
            W, dW = self.net.layers[l_e].W[k, i], shown.get(f"dW_{l_e}")
            f = 0.5 if self.sizes[l_e + 1] == 1 else 0.35 + 0.3 * i / (self.sizes[l_e] - 1)
            where = p0 + f * (p1 - p0)
            if dW is None:
                widths.append(0.6 + 1.5 * min(abs(W), 2))
                colors.append("0.78")
                fig.text(at, *where, [(_number(W), GREY)], va="center", box=True)
                continue
            g = dW[k, i] * (-1 if kind == "update" else 1)
            widths.append(0.6 + 4.5 * min(abs(g) / scale, 1.5))
            colors.append(PALETTE[0] if g >= 0 else PALETTE[1])
            wrong = not _same(dW, right.get(f"dW_{l_e}"))
            text = _number(dW[k, i]) + (" ✗" if wrong else "")
            if kind == "update":
                after = shown[f"W_{l_e}'"][k, i]
                text = f"{_number(W)}→{_number(after)}"
            fig.text(at, *where, [(text, WRONG if wrong else INK)], va="center", box=True)
        self.lines.set_linewidths(widths)
        self.lines.set_colors(colors)

        # The band marks where the step works.
        x0, width = {"input": (-0.45, 0.9), "forward": ((l or 0) + 0.15, 1.3),
                     "loss": (L - 0.45, 0.9), "dz": ((l or 0) + 0.55, 0.9),
                     "dW": ((l or 0) + 0.15, 1.3), "da": ((l or 0) - 0.45, 1.3),
                     "update": (-0.5, L + 1)}[kind]
        self.band.set_x(x0)
        self.band.set_width(width)

        # Beside the graph: the step, its equation, its code and gradient_check's verdict.
        title, equation, code = TEXT[kind]
        fill = {"l": l, "k": None if l is None else l + 1, "L": L, "m": self.m}
        code = [c.format(**fill) for c in code]
        if kind == "dz" and trace.bug == "restart" and l <= L - 3:
            code.insert(0, BUGGY_CODE[("restart", "dz")].format(**fill))
        elif (trace.bug, kind) in BUGGY_CODE and trace.bug != "restart":
            code[1 if kind == "dW" else 0] = BUGGY_CODE[(trace.bug, kind)].format(**fill)
        box = self.panel.transAxes
        fig.text(box, 0, 1, [(f"step {step} of {len(self.steps)}", INK),
                                (title.format(**fill), INK)], ha="left", font="bold")
        fig.text(box, 0.47, 1, [(c, PALETTE[0]) for c in code] + [("", INK)]
                 + self._verdict(trace, shown, kind), ha="left", font="code")
        self.equation.set_text(equation.format(**{k: "" if v is None else v
                                                  for k, v in fill.items()}))

    def _verdict(self, trace, shown, kind):
        """The loss, then gradient_check's verdict for each layer whose gradient is known."""
        lines = [(f"loss {trace.loss:.4f}", INK)] if "loss" in shown else []
        checked = [l for l in reversed(range(len(self.net.layers))) if f"dW_{l}" in shown]
        if checked:
            lines.append(("gradient_check, relative error:", INK))
        for l in checked:
            v = trace.verdicts[l]
            text = f"  layer {l}:  W {v['W']},  b {v['b']}"
            lines.append((text, WRONG if "✗" in text else INK))
        if kind == "update" and trace.update_error:
            error = trace.update_error
            lines += [("b -= lr * db raises ValueError:", WRONG)]
            lines += [("  " + text, WRONG) for text in textwrap.wrap(error, 58)[:2]]
        elif kind == "update":
            lines.append((f"lr {self.lr}: loss {trace.loss:.4f} → {trace.loss_after:.4f}", INK))
        return lines

    def alt(self, trace, settings):
        step = settings["step"]
        kind, l = self.steps[step - 1]
        shown = self.shown(step, settings["bug"])
        right = self.shown(step, "none") if trace.bug else shown
        fill = {"l": l, "k": None if l is None else l + 1, "L": len(self.sizes) - 1, "m": self.m}
        wrong = [name for name in shown if not _same(shown[name], right.get(name))]
        text = (f"Step {step} of {len(self.steps)}, {TEXT[kind][0].format(**fill)}: the "
                f"{'-'.join(map(str, self.sizes))} network as a graph, each neuron labelled with "
                "its values for the two examples")
        if kind == "update":
            text += (", each weight before and after the step" if not trace.update_error else
                     "; the bias update fails: the bias gradients have one column per example")
        elif kind not in ("input", "forward", "loss"):
            text += ", the edges coloured by the sign of dW and as wide as its size"
        if wrong:
            text += f". Wrong so far: {', '.join(wrong)}"
        return text + "."


INK, GREY, WRONG = "#1a1a1a", "#595959", PALETTE[3]


class Labelled(static.FastFigure):
    """A FastFigure that also writes plain-text labels on each frame, with Pillow.

    Matplotlib lays out and rasterises every Text again on every frame, about a millisecond
    a line on these machines, and a step of the backprop explorer shows some sixty lines;
    Pillow writes them in microseconds. labels holds this frame's: text() adds one block,
    at (x, y) in the coordinates of a matplotlib transform, one (text, colour) per line.
    """

    FONTS = {"small": ("monospace", "normal", 11), "code": ("monospace", "normal", 12),
             "bold": ("DejaVu Sans", "bold", 14)}

    def __init__(self, fig, animated):
        super().__init__(fig, animated)
        self.labels = []
        self.fonts = {name: ImageFont.truetype(findfont(FontProperties(family=family,
                                                                       weight=weight)), px)
                      for name, (family, weight, px) in self.FONTS.items()}

    def text(self, transform, x, y, lines, ha="center", va="top", font="small", box=False):
        lines = [line for line in lines if line is not None]
        self.labels.append((transform.transform((x, y)), lines, ha, va, font, box))

    def rgba(self, key=None):
        return self._write(super().rgba(key))

    def still(self, dpi):
        return self._write(super().still(dpi), scale=dpi / self.fig.dpi)

    def _write(self, pixels, scale=1):
        """The labels written on a copy of the pixels, scale times the frame's size."""
        image = Image.fromarray(np.array(pixels))                # a copy: Pillow draws on it
        draw, height = ImageDraw.Draw(image), image.height
        for (px, py), lines, ha, va, font, box in self.labels:
            font = self.fonts[font]
            if scale != 1:
                font = font.font_variant(size=round(font.size * scale))
            px, py, step = px * scale, py * scale, round(font.size * 1.15)
            width = max((draw.textlength(text, font=font) for text, _ in lines), default=0)
            top = height - py - {"top": 0, "center": 0.5, "bottom": 1}[va] * step * len(lines)
            left = px - {"left": 0, "center": 0.5, "right": 1}[ha] * width
            if box:
                draw.rectangle((left - 1, top, left + width + 1, top + step * len(lines)),
                               fill="white")
            for n, (text, colour) in enumerate(lines):
                draw.text((left, top + n * step), text, font=font, fill=colour)
        return np.asarray(image)


def _same(value, right):
    """Whether a shown value equals the correct pass's (same shape, same numbers)."""
    value, right = np.asarray(value), np.asarray(right)
    return value.shape == right.shape and np.allclose(value, right, rtol=1e-9, atol=0)


def _number(v):
    """A value for a label: 2 decimals, a true minus sign; 3 significant digits if large."""
    text = f"{v:.2f}" if abs(v) < 100 else f"{v:.3g}"
    return text.replace("-", "−")


def _verdicts(net, x, t, grads):
    """gradient_check's verdict per layer for these gradients: 'pass' below 1e-7, else the
    relative error with a cross; a gradient of the wrong shape is refused before any number."""
    try:
        errors = gradient_check(net, x, t, gradients=lambda x, t: grads)
    except ValueError:
        return [{"W": "—", "b": f"{db.shape} is not {layer.b.shape} ✗"
                 if db.shape != layer.b.shape else "—"}
                for layer, (_, db) in zip(net.layers, grads)]
    return [{p: "pass" if e[p] < 1e-7 else f"{e[p]:.2f} ✗" for p in ("W", "b")} for e in errors]
