"""nnlib.backprop_view: the step-through of one training step shows nnlib's own numbers, its bug
switches are the draft's bugs as chapter 6 writes them, and its picture moves with its controls.

The widgets are driven in Python, as the browser's messages would drive them: setting a
control's value runs the explorer's observer synchronously.
"""

import copy
import json
import re
from functools import partial

import numpy as np
import pytest

import nnlib
from nnlib import backprop_view, explore
from nnlib.backprop_view import BUGS, backward_pass

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def explorer():
    return explore.BackpropExplorer()


def chapter_net():
    """Chapter 6's network and batch: 2-4-4-1, leaky ReLU, MSE, m = 5."""
    rng = np.random.default_rng(0)
    net = nnlib.NeuralNet([nnlib.Layer(2, 4, nnlib.LeakyRelu(), rng=rng),
                           nnlib.Layer(4, 4, nnlib.LeakyRelu(), rng=rng),
                           nnlib.Layer(4, 1, nnlib.LeakyRelu(), rng=rng)], nnlib.MSE())
    return net, rng.uniform(size=(2, 5)), rng.normal(size=(1, 5))


def assert_same_arrays(ours, theirs):
    for mine, nnlibs in zip(ours, theirs, strict=True):
        for g, g_nnlib in zip(mine, nnlibs, strict=True):
            np.testing.assert_array_equal(g, g_nnlib)      # bit for bit, not allclose


# -- backward_pass -------------------------------------------------------------------------
@pytest.mark.parametrize("make", [
    chapter_net,
    lambda: (nnlib.mlp([3, 8, 8, 2], nnlib.Tanh(), nnlib.Identity(), nnlib.MSE(), rng=1),
             np.linspace(-1, 1, 12).reshape(3, 4), np.ones((2, 4))),
    lambda: (nnlib.mlp([2, 5, 1], nnlib.Relu(), nnlib.Sigmoid(), nnlib.BinaryCrossEntropy(),
                       rng=2), np.linspace(-1, 1, 12).reshape(2, 6), np.eye(1, 6)),
])
def test_the_correct_backward_pass_is_nnlibs_bit_for_bit(make):
    net, x, t = make()
    bp = backward_pass(net, x, t)
    assert_same_arrays(bp.grads, net.gradients(x, t))
    zs, a = net.forward_all(x)
    for mine, theirs in zip(bp.zs + bp.a, zs + a):
        np.testing.assert_array_equal(mine, theirs)


# The chapter's broken backprops as chapter 6 first wrote them, one line changed each.
def backprop_bug1(net, x, t):
    zs, a = net.forward_all(x)
    da = net.loss_function.dloss(a[-1], t)
    grads = []
    for l in reversed(range(len(net.layers))):
        layer = net.layers[l]
        dz = layer.activation.f(zs[l]) * da           # f, not df
        grads.append((dz @ a[l].T, dz.sum(axis=1, keepdims=True)))
        da = layer.W.T @ dz
    return grads[::-1]


def backprop_bug2(net, x, t):
    zs, a = net.forward_all(x)
    da = net.loss_function.dloss(a[-1], t)
    grads = []
    for l in reversed(range(len(net.layers))):
        layer = net.layers[l]
        if l <= len(net.layers) - 3:
            da = 2 * (a[l + 1] - t) / a[l + 1].size     # the draft's MSE_derivative
        dz = layer.activation.df(zs[l]) * da
        grads.append((dz @ a[l].T, dz.sum(axis=1, keepdims=True)))
        da = layer.W.T @ dz
    return grads[::-1]


def backprop_no_sum(net, x, t):
    zs, a = net.forward_all(x)
    da = net.loss_function.dloss(a[-1], t)
    grads = []
    for l in reversed(range(len(net.layers))):
        layer = net.layers[l]
        dz = layer.activation.df(zs[l]) * da
        grads.append((dz @ a[l].T, dz))              # db unsummed
        da = layer.W.T @ dz
    return grads[::-1]


@pytest.mark.parametrize("bug, broken", [("f", backprop_bug1), ("restart", backprop_bug2),
                                         ("unsummed", backprop_no_sum)])
def test_each_bug_switch_is_the_drafts_bug(bug, broken):
    net, x, t = chapter_net()
    assert_same_arrays(backward_pass(net, x, t, bug).grads, broken(net, x, t))
    assert set(BUGS.values()) == {None, "f", "restart", "unsummed"}


def test_the_bugs_are_wrong_where_the_draft_was():
    net, x, t = chapter_net()
    right = net.gradients(x, t)
    restart = backward_pass(net, x, t, "restart").grads
    assert_same_arrays(restart[1:], right[1:])           # layers 1 and 2 are right ...
    assert not np.allclose(restart[0][0], right[0][0])   # ... layer 0 is not
    f = backward_pass(net, x, t, "f").grads
    assert all(not np.allclose(dW, right_dW) for (dW, _), (right_dW, _) in zip(f, right))
    unsummed = backward_pass(net, x, t, "unsummed").grads
    assert [db.shape for _, db in unsummed] == [(4, 5), (4, 5), (1, 5)]
    checked = nnlib.gradient_check(net, x, t, gradients=partial(backprop_bug2, net))
    assert checked[0]["W"] > 0.1 and checked[1]["W"] < 1e-7


# -- the step-through: its numbers are nnlib's ---------------------------------------------
def test_every_step_shows_nnlibs_forward_gradients_and_update(explorer):
    net, x, t, lr = explorer.net, explorer.x, explorer.t, explorer.lr
    zs, a = net.forward_all(x)
    grads = net.gradients(x, t)
    trained = copy.deepcopy(net)
    loss = trained.train(x, t, lr)                      # the update nnlib's train makes
    expected = {"loss": loss, **{f"a_{l}": a[l] for l in range(len(a))},
                **{f"z_{l}": zs[l] for l in range(len(zs))}}
    for l, (dW, db) in enumerate(grads):
        expected.update({f"dW_{l}": dW, f"db_{l}": db, f"W_{l}'": trained.layers[l].W,
                         f"b_{l}'": trained.layers[l].b})
    # da_l and dz_l by the chain rule, written out independently
    da = net.loss_function.dloss(a[-1], t)
    for l in reversed(range(len(net.layers))):
        expected[f"da_{l + 1}"] = da
        expected[f"dz_{l}"] = net.layers[l].activation.df(zs[l]) * da
        da = net.layers[l].W.T @ expected[f"dz_{l}"]
    before = set()
    for step in range(1, len(explorer.steps) + 1):
        shown = explorer.shown(step)
        assert before < set(shown) or step == 1, f"step {step} shows nothing new"
        for name, value in shown.items():
            np.testing.assert_array_equal(value, expected[name], err_msg=f"{name}, step {step}")
        before = set(shown)
    assert set(shown) == set(expected)              # at the last step: everything


def test_the_picture_writes_the_numbers_it_shows(explorer):
    explorer.controls["bug"][0].value = "none"
    explorer.controls["step"][0].value = len(explorer.steps) - 1          # dW_0 just computed
    texts = "\n".join(text for _, lines, *_ in explorer.figure.labels for text, _ in lines)
    for l, (dW, db) in enumerate(explorer.net.gradients(explorer.x, explorer.t)):
        for value in [*dW.ravel(), *db.ravel()]:
            assert backprop_view._number(value) in texts, f"layer {l}: {value} not written"
    assert "gradient_check" in texts and "W pass" in texts and "✗" not in texts


@pytest.mark.parametrize("bug, first", [("f instead of f'", "dz"), ("restarted dL", "dz"),
                                        ("unsummed db", "dW")])
def test_wrong_values_first_appear_where_the_bug_is(explorer, bug, first):
    steps = explorer.steps
    wrong_at = [step for step in range(1, len(steps) + 1)
                if "Wrong so far" in explorer.alt(explorer.run({"bug": bug}),
                                                  {"step": step, "bug": bug})]
    kind, l = steps[wrong_at[0] - 1]
    assert kind == first
    assert l == (0 if bug == "restarted dL" else len(explorer.net.layers) - 1)
    verdicts = explorer.run({"bug": bug}).verdicts
    if bug == "restarted dL":
        assert [v["W"] == "pass" for v in verdicts] == [False, True, True]
    elif bug == "f instead of f'":
        assert all("✗" in v["W"] and "✗" in v["b"] for v in verdicts)
    else:   # gradient_check refuses a gradient of the wrong shape; the update fails too
        assert all("is not" in v["b"] for v in verdicts)
        assert explorer.run({"bug": bug}).update_error
    assert explorer.run({"bug": "none"}).loss_after < explorer.run({"bug": "none"}).loss


# -- the live widget -----------------------------------------------------------------------
def test_the_controls_change_the_picture():
    explorer = explore.BackpropExplorer()
    step, bug = explorer.controls["step"][0], explorer.controls["bug"][0]
    assert bytes(explorer.image.value).startswith(PNG)
    seen = {bytes(explorer.image.value)}
    for value in range(2, len(explorer.steps) + 1):
        step.value = value
        seen.add(bytes(explorer.image.value))
    assert len(seen) == len(explorer.steps)             # a distinct picture at every step
    before = bytes(explorer.image.value)
    bug.value = "unsummed db"
    assert bytes(explorer.image.value) != before
    assert "fails" in explorer.status.value


def test_play_and_the_buttons_move_the_step():
    explorer = explore.BackpropExplorer()
    step = explorer.controls["step"][0]
    explorer.play.value = 5                             # the Play widget drives the slider
    assert step.value == 5
    previous, following = explorer.buttons
    following.click()
    assert step.value == 6 and explorer.play.value == 6
    previous.click()
    previous.click()
    assert step.value == 4
    step.value = step.max
    following.click()                                   # stays within the range
    assert step.value == step.max
    assert explorer.play.max == step.max == len(explorer.steps)


def test_the_page_version_has_a_frame_per_step_and_a_play_button():
    html = explore.BackpropExplorer().static_html()
    data = json.loads(re.search(r'<script type="application/json">(.*?)</script>', html).group(1))
    n, index = len(backprop_view._steps(3)), data["index"]
    assert data["sizes"] == [n, len(BUGS)]
    for b in range(len(BUGS)):                      # grid order: step (slowest), then bug
        assert len({index[s * len(BUGS) + b] for s in range(n)}) == n
    # the forward steps are the same whatever the backward pass gets wrong: stored once
    assert len(data["frames"]) < n * len(BUGS)
    assert html.count('<button type="button" data-play="0">') == 1
    assert re.search(r"<script>\(function \(\) \{\s+var root[^<]*button\[data-play\]", html)
    assert explore.BackpropExplorer().static_html() == html     # byte for byte: nbval


def test_no_play_button_on_the_other_explorers(monkeypatch):
    other = explore.LearningRateExplorer()
    monkeypatch.setitem(other.controls, "lr", (other.controls["lr"][0], [0.01, 1.0]))
    assert "data-play" not in other.static_html()
