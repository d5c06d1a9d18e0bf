"""nnlib.gradient_flow: the gradients it records are nnlib's, each initialisation shows what the
book says of it, and the explorer's picture changes with its controls."""

import numpy as np
import pytest

import nnlib
from nnlib import explore, gradient_flow

PNG = b"\x89PNG\r\n\x1a\n"
DRAFT = "draft's 1/(n_out·n_in)"


@pytest.fixture(scope="module")
def flows():
    return {init: gradient_flow.flow("relu", init) for init in explore.SCHEMES}


def test_the_recorded_gradients_are_nnlibs():
    run = gradient_flow.flow("tanh", "Xavier", epochs=10, record=(0, 10))
    x, t = nnlib.datasets.load("moons", rng=0, **explore.DATA["moons"])
    net = nnlib.mlp([2, *[16] * 9, 1], nnlib.Tanh(), nnlib.Sigmoid(),
                    nnlib.BinaryCrossEntropy(), init=nnlib.xavier_normal, rng=0)
    norms = [np.linalg.norm(dW) for dW, _ in net.gradients(x, t)]
    np.testing.assert_array_equal(run.gradient[0], norms)
    history = net.fit(x, t, epochs=10, lr=0.1, progress=False)   # full batch: the same steps
    np.testing.assert_array_equal(run.losses, history["loss"])
    norms = [np.linalg.norm(dW) for dW, _ in net.gradients(x, t)]
    np.testing.assert_array_equal(run.gradient[1], norms)


def per_layer(run):
    """How much the backward signal shrinks per layer on its way to the input (epoch 0)."""
    signal = run.signal[0]
    return (signal[-2] / signal[0]) ** (1 / 8)


def test_each_initialisation_does_what_the_chapter_says(flows):
    assert not flows["zeros"].signal[0][:-1].any()               # no signal at all
    assert per_layer(flows[DRAFT]) > 50                          # vanishes: ~1/(n_out sqrt(n_in))
    assert per_layer(flows["normal"]) < 1 / 2                    # explodes ...
    assert flows["normal"].diverged is not None                  # ... and training blows up
    assert 1.2 < per_layer(flows["Xavier"]) < 2                  # relu halves the variance
    assert 0.8 < per_layer(flows["He"]) < 1.25                   # about constant
    assert flows["He"].losses[-1] < 0.5 * flows["He"].losses[0]


def test_the_explorer_picture_changes_with_each_control():
    explorer = explore.GradientFlowExplorer()
    seen = {bytes(explorer.image.value)}
    assert next(iter(seen)).startswith(PNG)
    for init in explore.SCHEMES:
        explorer.controls["init"][0].value = init
        seen.add(bytes(explorer.image.value))
    explorer.controls["activation"][0].value = "tanh"
    seen.add(bytes(explorer.image.value))
    assert len(seen) == len(explore.SCHEMES) + 1
    assert "shrinks by about" in explore.GradientFlowExplorer(init=DRAFT).status.value
