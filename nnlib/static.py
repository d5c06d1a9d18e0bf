"""Pictures for the explorers: drawn fast for live sliders, drawn ahead for the book's pages.

    rgba    (height, width, 4) uint8   a frame's pixels, as matplotlib's Agg drew them
    frames  list of PNG bytes          one per distinct picture
    index   (n_1 * n_2 * ...,) ints    grid point -> frame number, the first control slowest

A live slider costs what it takes to draw, not to train (PERF_NOTES.md): a full matplotlib
draw lays the figure out and recomputes every tick, 60-100 ms. FastFigure draws the parts that
never change (axes, ticks, labels) once, keeps those pixels, and per frame pastes them back and
draws only the artists that change: "blitting".

On the book's pages there is no Python. StaticPage draws one picture per point of a grid of
control values when the book is built, and player_html shows them under native HTML controls
with a few lines of inline JavaScript: the sliders work, and the page loads nothing.
On paper (the PDF) nothing moves at all: StaticPage.still_png is one sharper picture of the
explorer's setting (for a single slider, also both ends of its range) with a sentence that
sends the reader to the web page or to Jupyter.

Introduced in chapter 10 (Explorers).
"""

import base64
import html
import io
import itertools
import json
import textwrap

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from nnlib.plot import MARKERS, PALETTE

DPI, COLORS = 80, 64          # every frame's pixels per inch; colours kept in a page's frames
LOSS_RANGE = (0.01, 100.0)    # fixed loss axes: curves compare across settings, ticks stay put


class FastFigure:
    """A figure redrawn quickly: static parts drawn once per key, animated artists every frame.

    fig: a matplotlib Figure (made with Figure(), not pyplot, so a notebook never shows it);
    animated: the artists that change, in drawing order. The caller updates them (set_data,
    set_text, ...) and asks for a frame. key names the state of the static parts: a caller that
    changes an axis's range passes a new key, and they are drawn again (once, then kept).
    """

    def __init__(self, fig, animated):
        self.fig, self.animated = fig, list(animated)
        for artist in self.animated:
            artist.set_animated(True)                # a full draw leaves them out
        self.canvas = FigureCanvasAgg(fig)
        self.backgrounds = {}

    def rgba(self, key=None):
        """Draw a frame; its pixels (a view, valid until the next frame)."""
        if key not in self.backgrounds:
            self.canvas.draw()                       # the layout too, the first time
            self.fig.set_layout_engine("none")       # then frozen: every frame lines up
            self.backgrounds[key] = self.canvas.copy_from_bbox(self.fig.bbox)
        self.canvas.restore_region(self.backgrounds[key])
        for artist in self.animated:
            self.fig.draw_artist(artist)
        return np.asarray(self.canvas.buffer_rgba())

    def png(self, key=None, colors=256, small=False):
        """Draw a frame as PNG bytes (see encode_png)."""
        return encode_png(self.rgba(key), colors, small)

    def still(self, dpi):
        """The current frame drawn whole at another resolution: its pixels (a copy).

        For paper, where 80 dpi looks blurred. The layout is frozen in figure coordinates, so
        the picture is the frame's, only sharper; the live frames' backgrounds stay valid.
        """
        old_dpi = self.fig.dpi
        for artist in self.animated:
            artist.set_animated(False)               # a full draw includes them this once
        try:
            self.fig.set_dpi(dpi)
            self.canvas.draw()
            return np.array(self.canvas.buffer_rgba())
        finally:
            self.fig.set_dpi(old_dpi)
            for artist in self.animated:
                artist.set_animated(True)


def encode_png(rgba, colors=256, small=False):
    """PNG bytes of an (h, w, 4) uint8 image, without metadata, so the bytes repeat exactly.

    The figure is opaque (alpha dropped) and has few colours: it is stored with a palette of
    at most ``colors`` (octree, no dithering), which is faster to encode than 24-bit PNG and
    about a third of the size. small=True compresses more, for the frames a page carries:
    zlib level 7 is about 10% larger than the hardest setting (level 9 with PIL's optimize)
    and three times faster, and a reader running the notebook waits for every frame.
    """
    image = Image.fromarray(np.ascontiguousarray(rgba[..., :3]))
    image = image.quantize(colors, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    buffer = io.BytesIO()
    image.save(buffer, format="png", compress_level=7 if small else 1)
    return buffer.getvalue()


class StaticPage:
    """The page and paper versions of an explorer (mixed into nnlib.explore.Explorer).

    Uses the explorer's controls {name: (widget, grid)}, settings(), run, draw, figure, alt,
    title and widget (the live ipywidgets view).
    """

    _html = _png = None
    animate = None   # the name of a range control that a play button steps through, if any
    PAPER_DPI = 2 * DPI    # 160 dpi: a figure 8 inches wide fills a printed page's text width

    def _repr_mimebundle_(self, include=None, exclude=None):
        # One output, three readers. Jupyter (JupyterLab, Notebook, Colab) shows the live
        # widget, or, before the cell has run there, the page version. The book's HTML
        # builders prefer text/html, the page version; its LaTeX builder, which can show no
        # widget and no HTML, takes image/png, the still (nb_mime_priority_overrides in
        # _config.yml). The text/plain repr has no id or address: nbval compares it.
        return {**self.widget._repr_mimebundle_(), "text/html": self.static_html(),
                "image/png": self.still_png(),
                "text/plain": f"{type(self).__name__}(seed={getattr(self, 'seed', None)})"}

    def canonical(self, settings):
        """The settings that matter; an explorer that ignores one for some values drops it."""
        return settings

    def needs(self):
        """{control: (other control, value)}: a control that only applies for that value."""
        return {}

    def frames(self, colors=COLORS):
        """Every picture of the grid: (frames, index, alts); equal pictures are stored once."""
        names = list(self.controls)
        frames, alts, index, runs, seen = [], [], [], {}, {}
        for values in itertools.product(*(grid for _, grid in self.controls.values())):
            settings = self.canonical(dict(zip(names, values)))
            key = tuple(settings.items())
            if key not in runs:
                run = self.run(settings)
                png = self.figure.png(self.draw(run, settings), colors, small=True)
                picture = (png, self.alt(run, settings))
                if picture not in seen:
                    seen[picture] = len(frames)
                    frames.append(picture[0])
                    alts.append(picture[1])
                runs[key] = seen[picture]
            index.append(runs[key])
        return frames, index, alts

    def static_html(self):
        """The HTML page version (computed once): native controls over precomputed frames."""
        if self._html is None:
            frames, index, alts = self.frames()
            names, controls = list(self.controls), []
            for control, grid in self.controls.values():
                numeric = all(isinstance(v, (int, float)) for v in grid)
                distance = [abs(np.log(v / control.value)) if numeric else v != control.value
                            for v in grid]
                controls.append({"label": control.description, "default": int(np.argmin(distance)),
                                 "values": [f"{v:g}" if numeric else v for v in grid],
                                 "kind": "range" if numeric else "select"})
            if self.animate is not None:
                controls[names.index(self.animate)]["play"] = True
            for name, (other, value) in self.needs().items():
                controls[names.index(name)]["needs"] = [names.index(other),
                                                        self.controls[other][1].index(value)]
            self._count = len(frames)
            self._html = player_html(controls, frames, index, alts, self.title,
                                     self._note(len(frames)))
        return self._html

    def _note(self, count):
        # Read under the page's player, and in JupyterLab under the same player, inert, until
        # the cell has run (an untrusted notebook's HTML runs no script): true in both.
        return (f"These {count} pictures were computed in advance. To retrain for any value, "
                "run this cell in Jupyter (from the book's web page, the rocket button opens "
                "this notebook in Binder or Colab).")

    def paper_settings(self):
        """The settings the still shows: the current ones, and for a single numeric control
        also both ends of its grid (too small, as set, too large), top to bottom."""
        current = self.settings()
        if len(self.controls) != 1:
            return [current]
        (name, (_, grid)), = self.controls.items()
        if not all(isinstance(v, (int, float)) for v in grid):
            return [current]
        ends = [{name: grid[0]}, current, {name: grid[-1]}]
        return [s for k, s in enumerate(ends) if s not in ends[:k]]

    def still_png(self):
        """The paper version (computed once): PNG bytes of the paper_settings' pictures, one
        above the other at PAPER_DPI, and under them a sentence saying where they move."""
        if self._png is None:
            shown, shown_now = self.paper_settings(), self.settings()
            frames = []
            for settings in shown:
                self.draw(self.run(settings), settings)
                frames.append(self.figure.still(self.PAPER_DPI)[..., :3])
            width = max(f.shape[1] for f in frames)
            frames = [np.pad(f, ((0, 0), (0, width - f.shape[1]), (0, 0)), constant_values=255)
                      for f in frames]
            if len(shown) > 1:
                (name, (control, _)), = self.controls.items()
                values = [f"{s[name]:g}" + (" (as set)" if s == shown_now else "")
                          for s in shown]
                which = (f"{control.description.capitalize()} {', '.join(values[:-1])} and "
                         f"{values[-1]}, top to bottom")
            else:
                which = ("As set: " if shown[0] == shown_now else "Shown: ") + ", ".join(
                    f"{self.controls[name][0].description} {_shown(value)}"
                    for name, value in self.canonical(shown[0]).items() if value is not None)
            self.static_html()                        # counts the page's pictures
            sentence = (f"{which}. On the book's web page its controls switch between "
                        f"{self._count} such pictures; to retrain for any value, run this cell "
                        "in Jupyter.")
            self._png = encode_png(with_caption(np.vstack(frames), sentence, self.PAPER_DPI))
        return self._png


def _shown(value):
    return f"{value:g}" if isinstance(value, (int, float)) else str(value)


def with_caption(rgb, text, dpi, fontsize=10):
    """An (h, w, 3) uint8 picture with ``text`` under it, wrapped, in the figures' own font:
    an (h', w, 4) uint8 image, drawn by Agg, so the pixels repeat exactly."""
    height, width = rgb.shape[:2]
    chars = int(width / dpi * 72 / (0.55 * fontsize))        # a DejaVu Sans character: ~0.55 em
    lines = textwrap.wrap(text, chars)
    band = int(np.ceil((len(lines) * 1.35 * fontsize / 72 + 0.2) * dpi))
    fig = Figure(figsize=(width / dpi, (height + band) / dpi), dpi=dpi, facecolor="white")
    fig.figimage(rgb, xo=0, yo=band, origin="upper")
    fig.text(0.1 * dpi / width, band / (height + band) - 0.08 * dpi / (height + band),
             "\n".join(lines), va="top", ha="left", fontsize=fontsize, linespacing=1.35)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba())


def player_html(controls, frames, index, alts, title, note=""):
    """An HTML fragment: labelled native controls that swap precomputed pictures.

    controls: [{"label", "values" (shown), "default" (position), "kind": "range" or "select",
    optional "needs": [other control's position, value position]} (disabled unless the other
    control has that value), optional "play": True (a range with a play button that moves it
    one position at a time)]; frames: PNG bytes; index: a frame number per grid point, the
    first control slowest; alts: one text per frame. All inline: the page loads nothing.
    """
    sizes = [len(c["values"]) for c in controls]
    if len(index) != int(np.prod(sizes)) or len(alts) != len(frames):
        raise ValueError(f"player_html expects one frame number per grid point ({np.prod(sizes)} "
                         f"for sizes {sizes}) and one alt text per frame ({len(frames)}), got "
                         f"{len(index)} and {len(alts)}")
    data = {"frames": [base64.b64encode(f).decode("ascii") for f in frames], "alts": list(alts),
            "index": [int(i) for i in index], "sizes": sizes,
            "values": [[str(v) for v in c["values"]] for c in controls],
            "needs": [c.get("needs") for c in controls]}
    items = []
    for k, c in enumerate(controls):
        label, default, need = html.escape(c["label"]), c["default"], c.get("needs")
        off = " disabled" if need and controls[need[0]]["default"] != need[1] else ""
        if c["kind"] == "range":   # the slider moves over positions 0..n-1; <output> shows values
            shown = html.escape(str(c["values"][default]))
            play = (f'<button type="button" data-play="{k}"><span aria-hidden="true">▶</span> '
                    '<span class="nnlib-play-label">play</span></button> ' if c.get("play") else "")
            items.append(f'{play}<label>{label} <input type="range" data-axis="{k}" min="0" '
                         f'max="{len(c["values"]) - 1}" step="1" value="{default}" '
                         f'aria-valuetext="{shown}"{off}></label> '
                         f'<output data-for="{k}">{shown}</output>')
        else:
            options = "".join(f'<option value="{i}"{" selected" if i == default else ""}>'
                              f'{html.escape(str(v))}</option>' for i, v in enumerate(c["values"]))
            items.append(f'<label>{label} <select data-axis="{k}"{off}>{options}</select></label>')
    start = 0
    for size, c in zip(sizes, controls):
        start = start * size + c["default"]
    payload = json.dumps(data, separators=(",", ":")).replace("</", "<\\/")
    return (f'<div class="nnlib-explorer" role="group" aria-label="{html.escape(title)}">'
            '<div style="display:flex;flex-wrap:wrap;gap:0.3em 1.5em;margin-bottom:0.4em">'
            + "".join(f"<span>{item}</span>" for item in items) + "</div>"
            f'<img style="max-width:100%;height:auto" alt="{html.escape(alts[index[start]])}" '
            f'src="data:image/png;base64,{data["frames"][index[start]]}">'
            f'<p style="font-size:0.85em;margin:0.2em 0">{html.escape(note)}</p>'
            f'<script type="application/json">{payload}</script>'
            f"<script>{_PLAYER_JS}</script>"
            + (f"<script>{_PLAY_JS}</script>" if any(c.get("play") for c in controls) else "")
            + "</div>")


# Runs once per explorer as the page loads: finds its own <div>, and on every change of a
# control computes the grid point and shows its frame. Plain ES5, no globals, no network.
_PLAYER_JS = """(function () {
  var root = document.currentScript.parentNode;
  var data = JSON.parse(root.querySelector('script[type="application/json"]').textContent);
  var img = root.querySelector("img"), controls = root.querySelectorAll("[data-axis]");
  function show() {
    var i = 0;
    for (var k = 0; k < controls.length; k++) {
      var c = controls[k], need = data.needs[k], position = Number(c.value);
      c.disabled = !!need && Number(controls[need[0]].value) !== need[1];
      i = i * data.sizes[k] + position;
      if (c.type === "range") {
        root.querySelector('output[data-for="' + k + '"]').textContent = data.values[k][position];
        c.setAttribute("aria-valuetext", data.values[k][position]);
      }
    }
    img.src = "data:image/png;base64," + data.frames[data.index[i]];
    img.alt = data.alts[data.index[i]];
  }
  for (var k = 0; k < controls.length; k++) {
    controls[k].addEventListener("input", show);
    controls[k].addEventListener("change", show);
  }
  show();
})();"""


# A play button steps its range control forward every 0.9 s, as if the reader moved it, and
# stops at the end, when pressed again, or when the reader moves the control. Plain ES5.
_PLAY_JS = """(function () {
  var root = document.currentScript.parentNode;
  var buttons = root.querySelectorAll("button[data-play]");
  function player(button) {
    var range = root.querySelector('[data-axis="' + button.getAttribute("data-play") + '"]');
    var label = button.querySelector(".nnlib-play-label"), timer = null;
    function move(position) {
      range.value = String(position);
      range.dispatchEvent(new Event("input"));
    }
    function stop() {
      clearInterval(timer);
      timer = null;
      label.textContent = "play";
      button.setAttribute("aria-pressed", "false");
    }
    function advance() {
      var next = Number(range.value) + 1;
      if (next <= Number(range.max)) move(next);
      if (next >= Number(range.max)) stop();
    }
    button.setAttribute("aria-pressed", "false");
    button.addEventListener("click", function () {
      if (timer !== null) return stop();
      if (Number(range.value) >= Number(range.max)) move(Number(range.min));
      timer = setInterval(advance, 900);
      label.textContent = "pause";
      button.setAttribute("aria-pressed", "true");
    });
    range.addEventListener("input", function (event) {
      if (event.isTrusted && timer !== null) stop();
    });
  }
  for (var b = 0; b < buttons.length; b++) player(buttons[b]);
})();"""


# -- Panels shared by the explorers: create the artists once, then update them per frame ----
def loss_artists(ax, epochs):
    """A loss-per-epoch curve on fixed log axes, and a text box for what went wrong."""
    line, = ax.plot([], [], color=PALETTE[0])
    ax.set(yscale="log", ylim=LOSS_RANGE, xlim=(0, epochs), xlabel="epoch",
           ylabel="training loss (log scale)")
    ax.grid(True, color="0.9")
    # Low in the panel: a run with a problem has a high loss, so its curve runs above the box.
    message = ax.text(0.5, 0.16, "", transform=ax.transAxes, ha="center", va="center",
                      fontsize=9, color=PALETTE[3],
                      bbox={"facecolor": "white", "edgecolor": PALETTE[3], "alpha": 0.85})
    return line, message


def show_loss(artists, losses, problem=None):
    line, message = artists
    losses = np.clip(losses, *LOSS_RANGE)             # beyond the axes: drawn on their edge
    line.set_data(np.arange(1, len(losses) + 1), losses)
    message.set_text(problem or "")
    message.set_visible(problem is not None)


def boundary_artists(ax, title):
    """An image of the predicted classes and one scatter per class (up to 3)."""
    image = ax.imshow(np.ones((2, 2, 3)), origin="lower", aspect="auto", interpolation="bilinear")
    dots = [ax.scatter([], [], s=14, color=PALETTE[c], marker=MARKERS[c], edgecolors="white",
                       linewidths=0.4) for c in range(3)]
    ax.set(xticks=[], yticks=[], xlabel="$x_1$", ylabel="$x_2$", title=title)
    return image, *dots


def show_boundary(artists, net, x, t, resolution=64):
    """Colour the plane by predicted class, paler where the net is unsure; the data on top.

    Shapes: x (2, m), t (n_y, m); the net sees the grid as (2, resolution**2).
    """
    image, *dots = artists
    lo, hi = x.min(axis=1) - 0.5, x.max(axis=1) + 0.5                      # (2,), (2,)
    x1, x2 = np.meshgrid(np.linspace(lo[0], hi[0], resolution),
                         np.linspace(lo[1], hi[1], resolution))            # (res, res) each
    grid = np.vstack([x1.ravel(), x2.ravel()])                             # (2, res**2)
    # In blocks of 1024 points: OpenBLAS splits bigger products over two threads, which on
    # these machines stalls for ~10 ms per product (PERF_NOTES.md); small ones take ~20 us.
    with np.errstate(all="ignore"):                                        # a diverged net
        y = np.hstack([net.forward(grid[:, i:i + 1024]) for i in range(0, grid.shape[1], 1024)])
    y = np.vstack([1 - y, y]) if y.shape[0] == 1 else y                    # (k, res**2)
    finite, k = np.isfinite(y).all(axis=0), y.shape[0]
    y = np.where(finite, y, 0)
    sure = np.clip((y.max(axis=0) - 1 / k) / (1 - 1 / k), 0, 1)           # 0 unsure .. 1 sure
    rgb = np.array([[int(PALETTE[c][i:i + 2], 16) / 255 for i in (1, 3, 5)] for c in range(k)])
    tint = (0.08 + 0.35 * sure)[:, None]                                   # (res**2, 1)
    pixels = np.where(finite[:, None], 1 - tint * (1 - rgb[y.argmax(axis=0)]), 0.85)
    image.set_data(pixels.reshape(resolution, resolution, 3))
    image.set_extent((lo[0], hi[0], lo[1], hi[1]))
    image.axes.set(xlim=(lo[0], hi[0]), ylim=(lo[1], hi[1]))
    labels = t.argmax(axis=0) if t.shape[0] > 1 else t[0].astype(int)      # (m,)
    for c, dot in enumerate(dots):
        dot.set_offsets(x[:, labels == c].T)                               # (m_c, 2)
