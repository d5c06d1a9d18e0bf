"""nnlib.explore and nnlib.static: the explorers retrain exactly as fit does, their pictures
change when a control moves, and their page version is complete, self-contained and repeatable.

The widgets are driven in Python, as the browser's messages would drive them: setting a
control's value runs the explorer's observer synchronously.
"""

import base64
import json
import re
from functools import partial

import numpy as np
import pytest

import nnlib
from nnlib import explore, static

PNG = b"\x89PNG\r\n\x1a\n"


def direct_fit(dataset="moons", hidden=(16, 16), activation=nnlib.Relu, init=nnlib.he_normal,
               lr=0.1, epochs=100, seed=0, **data):
    """The same training written with nnlib's public API only: mlp + fit."""
    x, t = nnlib.datasets.load(dataset, rng=seed, **(data or explore.DATA[dataset]))
    two = t.shape[0] == 1
    net = nnlib.mlp([2, *hidden, t.shape[0]], activation(),
                    nnlib.Sigmoid() if two else nnlib.Softmax(),
                    nnlib.BinaryCrossEntropy() if two else nnlib.CrossEntropy(),
                    init=init, rng=seed)
    history = net.fit(x, t, epochs=epochs, lr=lr, rng=seed, progress=False)
    return net, history["loss"]


def assert_same_training(run, net, losses):
    np.testing.assert_array_equal(run.losses, losses)   # the very same steps: exactly equal
    assert run.diverged is None
    for mine, theirs in zip(run.net.layers, net.layers):
        np.testing.assert_array_equal(mine.W, theirs.W)
        np.testing.assert_array_equal(mine.b, theirs.b)


def frame_data(html):
    """The JSON payload of a page version."""
    match = re.search(r'<script type="application/json">(.*?)</script>', html, re.S)
    assert match, "no JSON payload in the page version"
    return json.loads(match.group(1))


# -- train(): exactly nnlib's fit ----------------------------------------------------------
@pytest.mark.parametrize("kwargs, direct", [
    ({}, {}),
    ({"lr": 3.0}, {"lr": 3.0}),
    ({"activation": "tanh", "init": "Xavier"},
     {"activation": nnlib.Tanh, "init": nnlib.xavier_normal}),
    ({"init": "normal", "scale": 0.3, "hidden": (16, 16, 16, 16)},
     {"init": partial(nnlib.normal, scale=0.3), "hidden": (16, 16, 16, 16)}),
    ({"dataset": "spirals", "hidden": (8, 8), "lr": 0.3, "epochs": 50},
     {"dataset": "spirals", "hidden": (8, 8), "lr": 0.3, "epochs": 50}),
    ({"dataset": "xor", "init": "draft's 1/(n_out·n_in)", "activation": "sigmoid"},
     {"dataset": "xor", "init": nnlib.inverse_size_normal, "activation": nnlib.Sigmoid}),
])
def test_train_is_exactly_fit(kwargs, direct):
    assert_same_training(explore.train(**kwargs), *direct_fit(**direct))


def test_a_diverging_run_is_reported_with_its_curve_not_raised():
    settings = {"hidden": (16, 16, 16, 16), "init": "normal", "scale": 3.0, "lr": 0.1}
    run = explore.train(**settings)
    assert run.diverged is not None
    with pytest.raises(FloatingPointError, match=f"at epoch {run.diverged} "):
        direct_fit(hidden=(16, 16, 16, 16), init=partial(nnlib.normal, scale=3.0))
    # the curve up to there is fit's for the epochs before the divergence
    _, losses = direct_fit(hidden=(16, 16, 16, 16), init=partial(nnlib.normal, scale=3.0),
                           epochs=run.diverged - 1)
    np.testing.assert_array_equal(run.losses, losses)
    assert "Diverged at epoch" in run.problem() and "diverged" in run.summary()


def test_problems_are_named_plainly():
    assert "barely moved" in explore.train(lr=1e-4).problem()
    assert "went UP" in explore.train(lr=10.0).problem()
    assert explore.train(lr=1.0).problem() is None


# -- the live widgets ----------------------------------------------------------------------
def test_learning_rate_slider_retrains_and_redraws():
    explorer = explore.LearningRateExplorer()
    slider = explorer.controls["lr"][0]
    assert isinstance(slider, explore.widgets.FloatLogSlider)
    assert slider.min <= -4 and slider.max >= 1 and slider.base == 10   # 1e-4 .. 10
    assert bytes(explorer.image.value).startswith(PNG)
    shown = {0.1: bytes(explorer.image.value)}
    texts = {explorer.status.value}
    for lr in (3.0, 10.0, 1e-4):
        slider.value = lr
        picture = bytes(explorer.image.value)
        assert picture not in shown.values(), f"the picture did not change at lr = {lr}"
        shown[lr] = picture
        texts.add(explorer.status.value)
        assert_same_training(explorer.last, *direct_fit(lr=lr))
    assert len(texts) == 4
    slider.value = 0.1                                      # back: the same picture again
    assert bytes(explorer.image.value) == shown[0.1]


def test_init_explorer_controls():
    explorer = explore.InitExplorer()
    scheme, scale, activation = (explorer.controls[k][0] for k in ("scheme", "scale", "activation"))
    assert list(scheme.options) == ["zeros", "draft's 1/(n_out·n_in)", "normal", "Xavier", "He"]
    assert scale.disabled                        # the scale only means something for "normal"
    pictures = {bytes(explorer.image.value)}
    scheme.value = "zeros"
    pictures.add(bytes(explorer.image.value))
    assert all(np.all(a == 0) for a in explorer.last.initial)   # every activation is 0
    assert all(explore._distinct_units(layer) == 1 for layer in explorer.last.net.layers[:-1])
    scheme.value = "draft's 1/(n_out·n_in)"
    pictures.add(bytes(explorer.image.value))
    stds = [a.std() for a in explorer.last.initial]
    assert stds[-1] < 1e-6 and all(b < a for a, b in zip(stds, stds[1:]))  # a spike at 0
    scheme.value = "normal"
    assert not scale.disabled
    for value in (0.1, 3.0):
        scale.value = value
        pictures.add(bytes(explorer.image.value))
        run = explorer.last
        if run.diverged is None:
            assert_same_training(run, *direct_fit(hidden=explorer.hidden,
                                                  init=partial(nnlib.normal, scale=value)))
    activation.value = "tanh"
    pictures.add(bytes(explorer.image.value))
    scheme.value = "Xavier"
    pictures.add(bytes(explorer.image.value))
    assert_same_training(explorer.last, *direct_fit(hidden=explorer.hidden, activation=nnlib.Tanh,
                                                    init=nnlib.xavier_normal))
    assert len(pictures) == 7 and scale.disabled


def test_playground_every_control_changes_the_picture():
    explorer = explore.Playground()
    names = ["dataset", "activation", "width", "lr", "init"]
    assert list(explorer.controls) == names
    assert set(explorer.controls["dataset"][0].options) == {"moons", "circles", "xor", "spirals",
                                                            "blobs"}
    moves = {"dataset": "spirals", "activation": "tanh", "width": 16, "lr": 1.0, "init": "Xavier"}
    for name, value in moves.items():
        before = bytes(explorer.image.value)
        explorer.controls[name][0].value = value
        assert bytes(explorer.image.value) != before, f"moving {name} did not change the picture"
    assert_same_training(explorer.last, *direct_fit("spirals", (16, 16), nnlib.Tanh,
                                                    nnlib.xavier_normal, lr=1.0, epochs=150))


def test_mime_bundle_has_the_live_widget_and_the_page_version(monkeypatch):
    explorer = explore.LearningRateExplorer()
    monkeypatch.setitem(explorer.controls, "lr", (explorer.controls["lr"][0], [0.01, 1.0]))
    bundle = explorer._repr_mimebundle_()
    view = bundle["application/vnd.jupyter.widget-view+json"]
    assert view["model_id"] == explorer.widget.model_id
    assert bundle["text/plain"] == "LearningRateExplorer(seed=0)"   # no id: nbval compares it
    assert bundle["text/html"].startswith('<div class="nnlib-explorer"')


# -- the page version ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def pages():
    """The page versions of the two smaller explorers, as the book builds them."""
    classes = (explore.LearningRateExplorer, explore.InitExplorer)
    return {cls: cls().static_html() for cls in classes}


@pytest.mark.parametrize("cls, ranges, selects", [(explore.LearningRateExplorer, 1, 0),
                                                  (explore.InitExplorer, 1, 2)])
def test_page_has_a_frame_per_grid_point_and_labelled_controls(pages, cls, ranges, selects):
    html = pages[cls]
    explorer = cls()
    data = frame_data(html)
    sizes = [len(grid) for _, grid in explorer.controls.values()]
    assert data["sizes"] == sizes
    assert len(data["index"]) == np.prod(sizes)                  # one frame per grid point
    assert set(data["index"]) == set(range(len(data["frames"])))  # every frame is used
    assert len(data["alts"]) == len(data["frames"])
    for frame in data["frames"]:
        assert base64.b64decode(frame).startswith(PNG)
    assert html.count('<input type="range"') == ranges and html.count("<select") == selects
    assert html.count("<label>") == ranges + selects              # each control has a label
    assert re.search(r'<img [^>]*alt="[^"]{20,}"', html)          # and the picture alt text


def test_page_grid_values():
    lr_grid = explore.LearningRateExplorer().controls["lr"][1]
    assert min(lr_grid) <= 1e-4 and max(lr_grid) >= 10 and 3.0 in lr_grid
    init = explore.InitExplorer()
    assert init.controls["scheme"][1] == list(explore.SCHEMES)


def test_page_loads_nothing_from_the_network(pages):
    for html in pages.values():
        assert not re.search(r"\bsrc\s*=\s*[\"'](?!data:)", html)   # only data: images
        assert "http://" not in html and "https://" not in html
        assert "require" not in html and "import(" not in html


def test_page_shows_the_live_default_and_repeats_byte_for_byte(pages):
    html = pages[explore.LearningRateExplorer]
    assert explore.LearningRateExplorer().static_html() == html   # nbval compares it strictly
    data = frame_data(html)
    default = data["index"][explore.LearningRateExplorer().controls["lr"][1].index(0.1)]
    assert f'src="data:image/png;base64,{data["frames"][default]}"' in html


def test_page_dedupes_equal_pictures_and_disables_the_scale_unless_normal(pages):
    html, explorer = pages[explore.InitExplorer], explore.InitExplorer()
    data = frame_data(html)
    schemes, scales = explorer.controls["scheme"][1], explorer.controls["scale"][1]
    # grid order: scheme, scale, activation (the last varies fastest)
    for s, scheme in enumerate(schemes):
        frames = {data["index"][(s * len(scales) + k) * 2] for k in range(len(scales))}
        assert len(frames) == (len(scales) if scheme == "normal" else 1)
    assert data["needs"] == [None, [0, schemes.index("normal")], None]


def test_player_html_checks_its_arguments():
    control = {"label": "a", "values": [1, 2], "default": 0, "kind": "range"}
    with pytest.raises(ValueError, match="one frame number per grid point"):
        static.player_html([control], [PNG], [0], ["alt"], "title")


def test_encode_png_has_no_metadata_and_repeats():
    rgba = np.zeros((4, 6, 4), dtype=np.uint8)
    rgba[1, 2] = (255, 0, 0, 255)
    png = static.encode_png(rgba)
    assert png.startswith(PNG) and png == static.encode_png(rgba)
    assert b"tEXt" not in png and b"Software" not in png
