"""nnlib.network: backpropagation against our own central differences, training, errors."""

import re
import warnings

import numpy as np
import pytest
from helpers import numerical_gradient, relative_error
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from nnlib import datasets
from nnlib.activations import Identity, LeakyRelu, Relu, Sigmoid, Softmax, Tanh
from nnlib.gradcheck import gradient_check
from nnlib.layers import Layer
from nnlib.losses import MSE, BinaryCrossEntropy, CrossEntropy
from nnlib.network import NeuralNet, labels, mlp
from nnlib.optimizers import SGD, Adam, Momentum

HIDDEN = [Identity(), LeakyRelu(), Relu(), Sigmoid(), Tanh()]
OUTPUTS = [(Identity(), MSE()), (Tanh(), MSE()), (Sigmoid(), MSE()),
           (Sigmoid(), BinaryCrossEntropy()), (Softmax(), CrossEntropy()), (Softmax(), MSE())]
OUTPUT_IDS = [f"{a!r}+{l!r}" for a, l in OUTPUTS]
KINKED = (Relu, LeakyRelu)


def targets(output, loss, n_y, m, rng):
    """Targets of the kind each output/loss pairing is meant for, shape (n_y, m)."""
    if isinstance(output, Softmax):
        return np.eye(n_y)[:, rng.integers(0, n_y, size=m)]  # one-hot columns
    if isinstance(loss, BinaryCrossEntropy):
        return rng.integers(0, 2, size=(n_y, m)).astype(np.float64)
    if isinstance(output, Tanh):
        return rng.uniform(-0.9, 0.9, size=(n_y, m))
    if isinstance(output, Sigmoid):
        return rng.uniform(0.05, 0.95, size=(n_y, m))
    return rng.normal(size=(n_y, m))


def problem(sizes, hidden, output, loss, m, seed):
    """A net with random (nonzero) biases and data (x, t) for it."""
    rng = np.random.default_rng(seed)
    net = mlp(sizes, hidden, output, loss, rng=rng)
    for layer in net.layers:
        layer.b = rng.normal(scale=0.5, size=layer.b.shape)
    x = rng.normal(size=(sizes[0], m))
    return net, x, targets(output, loss, sizes[-1], m, rng)


def away_from_kinks(net, x, margin=1e-3):
    """True when no ReLU-like layer has a pre-activation within margin of its kink at 0."""
    zs, _ = net.forward_all(x)
    return all(np.abs(z).min() > margin for z, layer in zip(zs, net.layers)
               if isinstance(layer.activation, KINKED))


def own_numerical_gradients(net, x, t):
    """Central differences of loss(forward(x), t) for every W and b: [(dW, db), ...]."""
    loss = lambda: net.loss(net.forward(x), t)  # noqa: E731
    return [(numerical_gradient(loss, layer.W), numerical_gradient(loss, layer.b))
            for layer in net.layers]


def assert_gradients_match(net, x, t, tiny=0.0):
    """Relative error < 1e-6 for every dW and db; with tiny > 0, arrays whose entries all agree
    within tiny also pass (gradients so small that rounding in the loss is all one can see)."""
    grads = net.gradients(x, t)
    assert len(grads) == len(net.layers)
    for l, ((dW, db), (nW, nb), layer) in enumerate(
            zip(grads, own_numerical_gradients(net, x, t), net.layers)):
        assert dW.shape == layer.W.shape and db.shape == layer.b.shape, f"layer {l}"
        for name, analytic, numeric in (("dW", dW, nW), ("db", db, nb)):
            error = relative_error(analytic, numeric)
            assert error < 1e-6 or np.abs(analytic - numeric).max() < tiny, \
                f"{name} of layer {l}: relative error {error:.2e}"


# --- gradients of 3-layer nets: every hidden activation x every output/loss pairing ------

@pytest.mark.parametrize("m", [1, 2, 7], ids=lambda m: f"m={m}")
@pytest.mark.parametrize(("output", "loss"), OUTPUTS, ids=OUTPUT_IDS)
@pytest.mark.parametrize("hidden", HIDDEN, ids=repr)
def test_gradients_match_central_differences(hidden, output, loss, m):
    net, x, t = problem([3, 5, 4, 3], hidden, output, loss, m, seed=m)
    assert away_from_kinks(net, x)
    assert_gradients_match(net, x, t)


@pytest.mark.parametrize(("output", "loss"), OUTPUTS, ids=OUTPUT_IDS)
@pytest.mark.parametrize("hidden", HIDDEN, ids=repr)
def test_batch_gradient_sums_every_examples_share(hidden, output, loss):
    # The loss is a mean, so example i contributes (1/m) of its own gradient and db must be the
    # sum of those shares over the batch: the draft's db kept one column per example instead.
    m = 5
    net, x, t = problem([3, 5, 4, 2], hidden, output, loss, m, seed=10)
    batch = net.gradients(x, t)
    single = [net.gradients(x[:, [i]], t[:, [i]]) for i in range(m)]
    for l, (dW, db) in enumerate(batch):
        assert db.shape == (net.layers[l].outs, 1)
        np.testing.assert_allclose(db, sum(g[l][1] for g in single) / m, rtol=1e-10, atol=1e-15)
        np.testing.assert_allclose(dW, sum(g[l][0] for g in single) / m, rtol=1e-10, atol=1e-15)


# --- property tests: random architectures and batch sizes -------------------------------------

@settings(max_examples=30, deadline=None)
@given(sizes=st.lists(st.integers(1, 6), min_size=2, max_size=5),
       m=st.integers(1, 8),
       hidden=st.sampled_from(HIDDEN),
       pair=st.sampled_from(OUTPUTS),
       seed=st.integers(0, 2**32 - 1))
def test_property_shapes_and_gradients(sizes, m, hidden, pair, seed):
    output, loss = pair
    net, x, t = problem(sizes, hidden, output, loss, m, seed)
    assume(away_from_kinks(net, x))
    # A sigmoid output within ~5e-5 of 1 leaves BinaryCrossEntropy's log(1 - y) few digits, too
    # few for a finite difference to resolve 1e-6 (the fused gradient itself stays exact).
    assume(np.abs(net.forward_all(x)[0][-1]).max() < 10)
    y = net.forward(x)
    assert isinstance(y, np.ndarray) and y.shape == (sizes[-1], m)
    assert_gradients_match(net, x, t, tiny=1e-9)


# --- construction -------------------------------------------------------------------------

def test_layers_that_do_not_chain_are_named_with_their_sizes(capsys):
    with pytest.raises(ValueError, match=r"layer 1 expects 5 inputs but layer 0 gives 4"):
        NeuralNet([Layer(3, 4, Relu()), Layer(5, 2, Sigmoid())], MSE())
    with pytest.raises(ValueError, match=r"layer 2 expects 3 inputs but layer 1 gives 2"):
        NeuralNet([Layer(3, 4, Relu()), Layer(4, 2, Relu()), Layer(3, 1, Sigmoid())], MSE())
    NeuralNet([Layer(3, 4, Relu()), Layer(4, 2, Sigmoid())], MSE())
    assert capsys.readouterr() == ("", "")  # the draft printed "from, to:" for every pair


def test_net_keeps_its_layers_and_loss():
    layers, loss = [Layer(3, 4, Relu()), Layer(4, 2, Sigmoid())], MSE()
    net = NeuralNet(layers, loss)
    assert net.layers == layers and all(a is b for a, b in zip(net.layers, layers))
    assert net.loss_function is loss
    assert repr(net) == "NeuralNet(3 -> 4 -> 2; Relu(), Sigmoid(); MSE())"


@pytest.mark.parametrize(("layers", "loss", "message"), [
    ([], MSE(), r"non-empty list of Layer"),
    ([Relu()], MSE(), r"non-empty list of Layer"),
    ([Layer(2, 1, Sigmoid())], MSE, r"loss must be an nnlib Loss such as MSE\(\)"),
    ([Layer(2, 1, Sigmoid())], "mse", r"loss must be an nnlib Loss"),
], ids=["no layers", "not a layer", "loss class", "loss name"])
def test_construction_rejects_what_is_not_a_layer_or_a_loss(layers, loss, message):
    with pytest.raises(TypeError, match=message):
        NeuralNet(layers, loss)


def test_mlp():
    hidden, output, loss = Tanh(), Sigmoid(), BinaryCrossEntropy()
    net = mlp([2, 8, 8, 1], hidden, output, loss, rng=0)
    assert [(layer.ins, layer.outs) for layer in net.layers] == [(2, 8), (8, 8), (8, 1)]
    assert [layer.activation for layer in net.layers] == [hidden, hidden, output]
    assert net.loss_function is loss
    assert not np.array_equal(net.layers[1].W, mlp([2, 8, 8, 1], hidden, output, loss,
                                                    rng=1).layers[1].W)
    again = mlp([2, 8, 8, 1], hidden, output, loss, rng=0)
    for a, b in zip(net.layers, again.layers):
        np.testing.assert_array_equal(a.W, b.W)
    wide = mlp([8, 8, 8], Relu(), Relu(), MSE(), rng=0)  # one Generator: layers differ
    assert not np.array_equal(wide.layers[0].W, wide.layers[1].W)
    net32 = mlp([2, 3, 1], Relu(), Sigmoid(), MSE(), init="xavier_normal", rng=0,
                dtype=np.float32)
    assert all(p.dtype == np.float32 for layer in net32.layers for p in (layer.W, layer.b))


# --- forward, forward_all, predict, accuracy, classes -----------------------------------------

def test_forward_is_the_composition_of_the_layers():
    net, x, _ = problem([3, 5, 4, 2], Tanh(), Softmax(), CrossEntropy(), 6, seed=0)
    a = x
    for layer in net.layers:
        a = layer.activation.f(layer.W @ a + layer.b)
    y = net.forward(x)
    assert isinstance(y, np.ndarray)  # an array, not a list
    np.testing.assert_array_equal(y, a)
    zs, acts = net.forward_all(x)
    assert len(zs) == 3 and len(acts) == 4
    np.testing.assert_array_equal(acts[0], x)
    np.testing.assert_array_equal(acts[-1], y)
    for l, layer in enumerate(net.layers):
        np.testing.assert_array_equal(zs[l], layer.linear(acts[l]))


def test_labels_predict_and_accuracy():
    np.testing.assert_array_equal(labels(np.array([[0.2, 0.7, 0.5, 0.51]])), [0, 1, 0, 1])
    np.testing.assert_array_equal(labels(np.array([[0.1, 0.6], [0.7, 0.3], [0.2, 0.1]])),
                                  [1, 0])
    layer = Layer(2, 2, Softmax())
    layer.W = np.eye(2)
    net = NeuralNet([layer], CrossEntropy())
    x = np.array([[1.0, 0.0, 3.0], [0.0, 2.0, 1.0]])
    np.testing.assert_array_equal(net.predict(x), [0, 1, 0])
    assert net.accuracy(x, np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 1.0]])) == pytest.approx(2 / 3)
    binary = NeuralNet([Layer(1, 1, Sigmoid(), init="zeros")], BinaryCrossEntropy())
    binary.layers[0].W[:] = 1.0
    np.testing.assert_array_equal(binary.predict(np.array([[-1.0, 2.0]])), [0, 1])
    assert net.predict(x).shape == (3,)


# --- train --------------------------------------------------------------------------------

def test_train_takes_one_gradient_step_and_returns_the_loss_before_it():
    net, x, t = problem([3, 5, 4, 2], Tanh(), Sigmoid(), BinaryCrossEntropy(), 6, seed=1)
    before = net.loss(net.forward(x), t)
    grads = net.gradients(x, t)
    old = [(layer.W.copy(), layer.b.copy()) for layer in net.layers]
    assert net.train(x, t, lr=0.05) == before
    for layer, (W, b), (dW, db) in zip(net.layers, old, grads):
        np.testing.assert_array_equal(layer.W, W - 0.05 * dW)
        np.testing.assert_array_equal(layer.b, b - 0.05 * db)
        assert layer.b.shape == b.shape  # the draft's b grew to (n, m) on a batch
    assert net.loss(net.forward(x), t) < before  # a small step goes downhill


# --- fit ----------------------------------------------------------------------------------

def fit_problem(seed=0):
    x, t = datasets.moons(m=40, noise=0.1, rng=seed)
    x_val, t_val = datasets.moons(m=20, noise=0.1, rng=seed + 1)
    net = mlp([2, 8, 1], Tanh(), Sigmoid(), BinaryCrossEntropy(), rng=seed)
    return net, x, t, (x_val, t_val)


def weights(net):
    return [p.copy() for layer in net.layers for p in (layer.W, layer.b)]


def test_fit_history():
    net, x, t, validation = fit_problem()
    before = net.loss(net.forward(x), t)
    history = net.fit(x, t, epochs=7, progress=False)
    assert set(history) == {"loss"} and len(history["loss"]) == 7
    assert history["loss"][0] == pytest.approx(before, rel=1e-12)  # full batch: loss before step
    assert all(type(v) is float for v in history["loss"])
    net, x, t, validation = fit_problem()
    history = net.fit(x, t, epochs=5, batch_size=8, optimizer=Adam(0.01), validation=validation,
                      progress=False)
    assert set(history) == {"loss", "val_loss", "val_accuracy"}
    assert all(len(v) == 5 for v in history.values())
    assert history["val_loss"][-1] == pytest.approx(net.loss(net.forward(validation[0]),
                                                             validation[1]), rel=1e-12)
    assert history["val_accuracy"][-1] == net.accuracy(*validation)
    assert history["loss"][-1] < history["loss"][0]
    assert net.fit(x, t, epochs=0, progress=False) == {"loss": []}


def test_fit_defaults_to_sgd_with_lr_0_1():
    net, x, t, _ = fit_problem()
    stepped, _, _, _ = fit_problem()
    net.fit(x, t, epochs=1, progress=False)
    stepped.train(x, t, lr=0.1)
    for a, b in zip(weights(net), weights(stepped)):
        np.testing.assert_array_equal(a, b)
    net, _, _, _ = fit_problem()
    other, _, _, _ = fit_problem()
    net.fit(x, t, epochs=3, lr=0.3, progress=False)
    other.fit(x, t, epochs=3, optimizer=SGD(0.3), progress=False)
    for a, b in zip(weights(net), weights(other)):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("batch_size", [1, 7, 40], ids=lambda b: f"batch_size={b}")
def test_epoch_loss_is_the_mean_over_every_example(batch_size):
    # With lr = 1e-300 (lr must be > 0) nothing moves by more than ~1e-300, so every
    # mini-batch sees the same net and the epoch's loss, weighted by batch size (the last
    # batch of 40 in 7s is short), is the loss of all 40.
    net, x, t, _ = fit_problem()
    history = net.fit(x, t, epochs=2, batch_size=batch_size, lr=1e-300, progress=False)
    np.testing.assert_allclose(history["loss"], [net.loss(net.forward(x), t)] * 2, rtol=1e-12)


def test_batch_size_larger_than_m_is_the_full_batch():
    net, x, t, _ = fit_problem()
    other, _, _, _ = fit_problem()
    assert net.fit(x, t, epochs=3, batch_size=1000, progress=False) == \
        other.fit(x, t, epochs=3, progress=False)


def test_fit_is_reproducible_from_its_rng():
    runs = []
    for rng in (3, 3, np.random.default_rng(3), 4):
        net, x, t, _ = fit_problem()
        history = net.fit(x, t, epochs=4, batch_size=8, optimizer=Momentum(0.05), rng=rng,
                          progress=False)
        runs.append((history["loss"], weights(net)))
    for history, params in runs[1:3]:
        assert history == runs[0][0]
        for a, b in zip(params, runs[0][1]):
            np.testing.assert_array_equal(a, b)
    assert runs[3][0] != runs[0][0]  # another shuffle, another path


def test_fit_with_optimizer_and_lr_raises():
    net, x, t, _ = fit_problem()
    with pytest.raises(ValueError, match=r"not both.*Adam\(lr=0.01\).*lr=0.1"):
        net.fit(x, t, epochs=1, optimizer=Adam(0.01), lr=0.1, progress=False)


def test_fit_names_epoch_and_learning_rate_when_it_diverges():
    rng = np.random.default_rng(0)
    x, t = 100 * rng.normal(size=(2, 32)), rng.normal(size=(1, 32))
    net = mlp([2, 8, 1], Relu(), Identity(), MSE(), rng=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the overflow itself must not leak a RuntimeWarning
        with pytest.raises(FloatingPointError, match=r"epoch \d+ with learning rate 50\b") as info:
            net.fit(x, t, epochs=100, lr=50, progress=False)
    epoch = int(re.search(r"epoch (\d+)", str(info.value)).group(1))
    assert len(info.value.history["loss"]) == epoch - 1  # the epochs before the blow-up
    assert np.all(np.isfinite(info.value.history["loss"]))
    net = mlp([2, 8, 1], Relu(), Identity(), MSE(), rng=0)
    with pytest.raises(FloatingPointError, match=r"epoch \d+ with learning rate 20"):
        net.fit(x, t, epochs=100, optimizer=Momentum(20), progress=False)


def test_progress_false_prints_nothing_and_true_shows_a_bar(capsys):
    net, x, t, validation = fit_problem()
    net.fit(x, t, epochs=3, validation=validation, progress=False)
    net.forward(x), net.gradients(x, t), net.train(x, t, 0.1)
    assert capsys.readouterr() == ("", "")
    net.fit(x, t, epochs=3, progress=True)
    out, err = capsys.readouterr()
    assert out == "" and "epochs" in err and "3/3" in err


# --- learning from fixed seeds ------------------------------------------------------------

def test_learns_xor():
    x, t = datasets.xor()
    np.testing.assert_array_equal(x, [[0, 0, 1, 1], [0, 1, 0, 1]])  # the four corners
    net = mlp([2, 8, 1], Tanh(), Sigmoid(), BinaryCrossEntropy(), rng=0)
    net.fit(x, t, epochs=300, optimizer=Adam(0.05), progress=False)
    assert net.accuracy(x, t) == 1.0
    np.testing.assert_array_equal(net.predict(x), [0, 1, 1, 0])


def test_learns_moons():
    x, t = datasets.moons(m=400, noise=0.1, rng=0)
    x_test, t_test = datasets.moons(m=400, noise=0.1, rng=1)
    net = mlp([2, 16, 16, 1], Relu(), Sigmoid(), BinaryCrossEntropy(), rng=0)
    net.fit(x, t, epochs=60, batch_size=32, optimizer=Adam(0.01), progress=False)
    assert net.accuracy(x_test, t_test) >= 0.97


def test_learns_digits():
    (x, t), (x_test, t_test) = datasets.digits(rng=0)
    assert x_test.shape == (64, 360)
    net = mlp([64, 64, 10], Relu(), Softmax(), CrossEntropy(), rng=0)
    history = net.fit(x, t, epochs=20, batch_size=32, optimizer=Adam(0.01),
                      validation=(x_test, t_test), progress=False)
    assert net.accuracy(x_test, t_test) >= 0.97
    assert history["val_accuracy"][-1] == net.accuracy(x_test, t_test)


# --- float32 end to end -------------------------------------------------------------------

@pytest.mark.parametrize("make_optimizer", [lambda: SGD(0.1), lambda: Momentum(0.05),
                                            lambda: Adam(0.01)], ids=["SGD", "Momentum", "Adam"])
@pytest.mark.parametrize(("output", "loss"), [(Sigmoid(), BinaryCrossEntropy()),
                                              (Softmax(), CrossEntropy()),
                                              (Identity(), MSE())],
                         ids=["Sigmoid+BinaryCrossEntropy", "Softmax+CrossEntropy",
                              "Identity+MSE"])
def test_float32_end_to_end(output, loss, make_optimizer):
    rng = np.random.default_rng(0)
    n_y = 3 if isinstance(output, Softmax) else 1
    net = mlp([2, 6, n_y], Tanh(), output, loss, rng=0, dtype=np.float32)
    x = rng.normal(size=(2, 16)).astype(np.float32)
    labels = rng.integers(0, n_y if n_y > 1 else 2, size=16)
    t = np.eye(n_y, dtype=np.int64)[:, labels] if n_y > 1 else labels[None, :]  # int targets
    zs, acts = net.forward_all(x)
    assert all(a.dtype == np.float32 for a in zs + acts)
    assert net.forward(x).dtype == np.float32
    grads = net.gradients(x, t)
    assert all(g.dtype == np.float32 for pair in grads for g in pair)
    # the same numbers as float64 does, to float32 precision
    net64 = mlp([2, 6, n_y], Tanh(), output, loss, rng=0)
    for g32, g64 in zip(grads, net64.gradients(x.astype(np.float64), t)):
        for a, b in zip(g32, g64):
            np.testing.assert_allclose(a, b, rtol=2e-4, atol=1e-6)
    optimizer = make_optimizer()  # a fresh one: an optimiser keeps state for one net's shapes
    history = net.fit(x, t, epochs=5, batch_size=4, optimizer=optimizer, progress=False)
    assert np.isfinite(history["loss"]).all()
    assert all(p.dtype == np.float32 for layer in net.layers for p in (layer.W, layer.b))
    state = [getattr(optimizer, name, None) for name in ("v", "m")]
    assert all(s.dtype == np.float32 for arrays in state if arrays for s in arrays)
    assert net.forward(x).dtype == np.float32
    net.train(x, t, 0.1)
    assert all(p.dtype == np.float32 for layer in net.layers for p in (layer.W, layer.b))


# --- bad input ----------------------------------------------------------------------------

def small_net():
    return mlp([2, 3, 1], Relu(), Sigmoid(), BinaryCrossEntropy(), rng=0)


GOOD_X, GOOD_T = np.ones((2, 4)), np.ones((1, 4))


def with_nan(shape, value):
    a = np.ones(shape)
    a[0, 1] = value
    return a


BAD_X = [
    (np.ones(2), r"layer 0 expects x of shape \(2, m\).*got shape \(2,\).*reshape\(-1, 1\)"),
    (np.ones((3, 4)), r"layer 0 expects x of shape \(2, m\).*got shape \(3, 4\)"),
    (np.ones((4, 2)), r"layer 0 expects x of shape \(2, m\).*got shape \(4, 2\)"),
    (with_nan((2, 4), np.nan), r"x must be finite, but 1 of its 8 entries are NaN or infinite"),
    (with_nan((2, 4), np.inf), r"x must be finite, but 1 of its 8 entries are NaN or infinite"),
    (with_nan((2, 4), -np.inf), r"x must be finite.*\(shape \(2, 4\)\)"),
]
BAD_X_IDS = ["1-D x", "wrong n_x", "transposed x", "NaN in x", "inf in x", "-inf in x"]
BAD_T = [
    (np.ones((1, 3)), r"x has m = 4 examples \(columns\) but t has 3"),
    (np.ones((2, 4)), r"layer 1 outputs 1 values per example, so t must have shape \(1, m\), "
                      r"but got shape \(2, 4\)"),
    (np.ones(4), r"t must have shape \(1, m\), but got shape \(4,\)"),
    (with_nan((1, 4), np.nan), r"t must be finite, but 1 of its 4 entries are NaN or infinite"),
    (with_nan((1, 4), np.inf), r"t must be finite, but 1 of its 4 entries are NaN or infinite"),
]
BAD_T_IDS = ["m mismatch", "wrong n_y", "1-D t", "NaN in t", "inf in t"]

WITH_X = {
    "forward": lambda net, x: net.forward(x),
    "forward_all": lambda net, x: net.forward_all(x),
    "predict": lambda net, x: net.predict(x),
}
WITH_X_AND_T = {
    "gradients": lambda net, x, t: net.gradients(x, t),
    "train": lambda net, x, t: net.train(x, t, 0.1),
    "fit": lambda net, x, t: net.fit(x, t, epochs=1, progress=False),
    "fit validation": lambda net, x, t: net.fit(GOOD_X, GOOD_T, epochs=1, progress=False,
                                                validation=(x, t)),
    "accuracy": lambda net, x, t: net.accuracy(x, t),
    "gradient_check": lambda net, x, t: gradient_check(net, x, t),
}


@pytest.mark.parametrize("call", list(WITH_X.values()), ids=list(WITH_X))
@pytest.mark.parametrize(("x", "message"), BAD_X, ids=BAD_X_IDS)
def test_bad_x_is_refused_by_forward(call, x, message):
    with pytest.raises(ValueError, match=message):
        call(small_net(), x)


@pytest.mark.parametrize("call", list(WITH_X_AND_T.values()), ids=list(WITH_X_AND_T))
@pytest.mark.parametrize(("x", "message"), BAD_X, ids=BAD_X_IDS)
def test_bad_x_is_refused_with_targets(call, x, message):
    if call is WITH_X_AND_T["fit validation"]:  # the message names the argument: x_val
        message = re.sub(r"\b([xt]) ", r"\1_val ", message)
    net = small_net()
    before = weights(net)
    t = np.ones((1, x.shape[-1]))
    with pytest.raises(ValueError, match=message):
        call(net, x, t)
    for a, b in zip(weights(net), before):  # and nothing was trained
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("call", list(WITH_X_AND_T.values()), ids=list(WITH_X_AND_T))
@pytest.mark.parametrize(("t", "message"), BAD_T, ids=BAD_T_IDS)
def test_bad_t_is_refused(call, t, message):
    if call is WITH_X_AND_T["fit validation"]:  # x_val and t_val
        message = re.sub(r"\b([xt]) ", r"\1_val ", message)
    net = small_net()
    before = weights(net)
    with pytest.raises(ValueError, match=message):
        call(net, GOOD_X, t)
    for a, b in zip(weights(net), before):
        np.testing.assert_array_equal(a, b)


def test_loss_shape_mismatch_is_refused():
    net = small_net()
    with pytest.raises(ValueError, match=r"y_pred has shape \(1, 4\) but t has shape \(4,\)"):
        net.loss(net.forward(GOOD_X), np.ones(4))


# --- the caller's arrays are never modified -----------------------------------------------

def test_nothing_modifies_the_callers_arrays():
    rng = np.random.default_rng(0)
    net, x, t = problem([3, 4, 2], Relu(), Softmax(), CrossEntropy(), 10, seed=0)
    x_val, t_val = rng.normal(size=(3, 5)), np.eye(2)[:, rng.integers(0, 2, size=5)]
    arrays = [x, t, x_val, t_val]
    copies = [a.copy() for a in arrays]
    y = net.forward(x)
    y_copy = y.copy()
    net.forward_all(x)
    net.loss(y, t)
    net.loss_function.dloss(y, t)
    net.gradients(x, t)
    net.predict(x)
    net.accuracy(x, t)
    gradient_check(net, x, t)
    net.train(x, t, 0.1)
    net.fit(x, t, epochs=2, batch_size=3, validation=(x_val, t_val), progress=False)
    net.fit(x, t, epochs=2, progress=False)  # full batch: hands x itself to the model
    for a, a0 in zip(arrays, copies):
        np.testing.assert_array_equal(a, a0)
    np.testing.assert_array_equal(y, y_copy)
