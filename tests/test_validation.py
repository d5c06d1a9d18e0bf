"""Bad calls, as a learner makes them: each is refused with a clear error and changes nothing.

One table: every row is a call on a fresh "world" (two small networks, optimisers that have
already stepped, data arrays and bad arrays). The test asserts the exception type, that the
message names the argument (and, for key rows, what was expected and what arrived), and that
every array of the world (each W and b, each optimiser's m, v and k, the caller's arrays) is
bitwise what it was before the call. Property tests (hypothesis) then check, for random
networks and valid inputs, that the loss and its gradient agree, and for random invalid
inputs, that the call raises and changes nothing.
"""

import copy
import re
from functools import partial
from types import SimpleNamespace

import numpy as np
import pytest
from helpers import numerical_gradient, relative_error
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import nnlib
from nnlib import datasets, plot
from nnlib.activations import Identity, LeakyRelu, Relu, Sigmoid, Softmax, Tanh
from nnlib.gradcheck import gradient_check
from nnlib.layers import Layer
from nnlib.losses import MSE, BinaryCrossEntropy, CrossEntropy
from nnlib.network import NeuralNet, labels, mlp
from nnlib.optimizers import SGD, Adam, Momentum

NAN, INF = float("nan"), float("inf")


def params(net):
    return [p for layer in net.layers for p in (layer.W, layer.b)]


def make_world():
    """Two networks, three optimisers with state, good data and a drawer of bad arrays."""
    rng = np.random.default_rng(0)
    w = SimpleNamespace()
    w.bnet = mlp([2, 4, 1], Tanh(), Sigmoid(), BinaryCrossEntropy(), rng=1)  # binary
    w.cnet = mlp([2, 4, 3], Relu(), Softmax(), CrossEntropy(), rng=2)         # 3 classes
    w.x = rng.normal(size=(2, 6))                                             # (2, 6)
    w.t = (np.arange(6) % 2).astype(float)[None, :]                           # (1, 6)
    w.tc = datasets.one_hot(np.arange(6) % 3, 3)                              # (3, 6)
    w.adam, w.momentum, w.sgd = Adam(0.01), Momentum(0.1), SGD(0.1)
    grads = [g for pair in w.bnet.gradients(w.x, w.t) for g in pair]
    for optimizer in (w.adam, w.momentum):  # state m, v, k that a refused call must keep
        optimizer.step([p.copy() for p in params(w.bnet)], grads)
    w.grads = grads
    w.y_identity = np.array([[1.7, -0.4, 0.2, 0.9, 3.0, -2.0]])              # not in (0, 1)
    w.y_sigmoid3 = Sigmoid().f(rng.normal(size=(3, 6)))                       # columns != 1
    w.labels = np.arange(6) % 3                                               # (6,) ints
    w.x_nan = w.x.copy()
    w.x_nan[1, 2] = NAN
    w.t_nan = w.t.copy()
    w.t_nan[0, 3] = NAN
    w.x_str = w.x.astype(str)
    w.x_obj = w.x.astype(object)
    w.x_complex = w.x + 0j
    w.x_empty = np.zeros((2, 0))
    w.t_empty = np.zeros((1, 0))
    return w


def arrays(w):
    """Every array in the world, by name: parameters, optimiser state, the caller's data."""
    found = {}
    for name, value in vars(w).items():
        if isinstance(value, np.ndarray):
            found[name] = value
        elif isinstance(value, NeuralNet):
            for l, layer in enumerate(value.layers):
                found[f"{name}.W{l}"], found[f"{name}.b{l}"] = layer.W, layer.b
        elif isinstance(value, SGD):
            for key in ("m", "v"):
                for i, s in enumerate(getattr(value, key, None) or []):
                    found[f"{name}.{key}{i}"] = s
            found[f"{name}.k"] = np.array(getattr(value, "k", -1))
            found[f"{name}.lr"] = np.array(value.lr)
        elif isinstance(value, list):
            for i, a in enumerate(value):
                found[f"{name}[{i}]"] = a
    return found


def snapshot(w):
    return {name: (a.dtype, a.shape, a.tobytes()) for name, a in arrays(w).items()}


def raising_init(n_out, n_in, rng=None, dtype=np.float64):
    return np.zeros((n_in, n_out), dtype=dtype)  # transposed: the wrong shape


# (id, call, exception, regex the message must match: the argument's name, and for key rows
# what was expected and what arrived)
BAD_CALLS = [
    # --- NeuralNet.train: the learning rate ---------------------------------------------
    ("train lr nan", lambda w: w.bnet.train(w.x, w.t, NAN), ValueError, r"lr must be > 0.*nan"),
    ("train lr inf", lambda w: w.bnet.train(w.x, w.t, INF), ValueError, r"lr.*finite.*inf"),
    ("train lr -0.1", lambda w: w.bnet.train(w.x, w.t, -0.1), ValueError,
     r"lr must be > 0, got -0.1: a negative rate steps uphill"),
    ("train lr 0", lambda w: w.bnet.train(w.x, w.t, 0), ValueError, r"lr must be > 0, got 0"),
    ("train lr string", lambda w: w.bnet.train(w.x, w.t, "0.1"), TypeError,
     r"lr must be > 0, a single real number; got str '0.1'"),
    ("train lr None", lambda w: w.bnet.train(w.x, w.t, None), TypeError, r"lr .*got NoneType"),
    ("train lr array", lambda w: w.bnet.train(w.x, w.t, np.array([.1, .2, .3])), TypeError,
     r"lr must be .*single real number; got ndarray of shape \(3,\)"),
    ("train lr bool", lambda w: w.bnet.train(w.x, w.t, True), TypeError, r"lr .*got bool"),
    ("train lr complex", lambda w: w.bnet.train(w.x, w.t, 0.1j), TypeError, r"lr .*complex"),
    # --- NeuralNet.train: data and targets ------------------------------------------------
    ("train t None", lambda w: w.bnet.train(w.x, None, 0.1), TypeError,
     r"t must be an array of real numbers, got None"),
    ("train x strings", lambda w: w.bnet.train(w.x_str, w.t, 0.1), TypeError,
     r"x must be an array of real numbers, got strings"),
    ("train x objects", lambda w: w.bnet.train(w.x_obj, w.t, 0.1), TypeError,
     r"x must be .*real numbers, got Python objects"),
    ("train x complex", lambda w: w.bnet.train(w.x_complex, w.t, 0.1), TypeError,
     r"x must be .*real numbers, got complex numbers"),
    ("train x NaN", lambda w: w.bnet.train(w.x_nan, w.t, 0.1), ValueError,
     r"x must be finite, but 1 of its 12 entries are NaN"),
    ("train t NaN", lambda w: w.bnet.train(w.x, w.t_nan, 0.1), ValueError, r"t must be finite"),
    ("train empty batch", lambda w: w.bnet.train(w.x_empty, w.t_empty, 0.1), ValueError,
     r"x has no examples: shape \(2, 0\), so m = 0"),
    ("train BCE t = 2", lambda w: w.bnet.train(w.x, 2 * w.t, 0.1), ValueError,
     r"t must hold targets in \[0, 1\].*got values from 0 to 2"),
    ("train BCE t = -1", lambda w: w.bnet.train(w.x, -w.t, 0.1), ValueError,
     r"t must hold targets in \[0, 1\]"),
    ("train CE labels", lambda w: w.cnet.train(w.x, w.labels, 0.1), ValueError,
     r"t must have shape \(3, m\), but got shape \(6,\).*labels.*"
     r"CrossEntropy\(\) expects one-hot.*one_hot\(labels, 3\)"),
    ("train CE t < 0", lambda w: w.cnet.train(w.x, -w.tc, 0.1), ValueError, r"targets t >= 0"),
    ("train 1-D t", lambda w: w.bnet.train(w.x, w.t[0], 0.1), ValueError,
     r"t must have shape \(1, m\).*t.reshape\(1, -1\)"),
    ("train wrong n_x", lambda w: w.bnet.train(np.ones((3, 6)), w.t, 0.1), ValueError,
     r"layer 0 expects x of shape \(2, m\).*got shape \(3, 6\)"),
    ("train 1-D x", lambda w: w.bnet.train(w.x[:, 0], w.t[:, :1], 0.1), ValueError,
     r"x of shape \(2, m\).*reshape\(-1, 1\)"),
    ("train m mismatch", lambda w: w.bnet.train(w.x, w.t[:, :5], 0.1), ValueError,
     r"x has m = 6 examples \(columns\) but t has 5"),
    ("train ragged x", lambda w: w.bnet.train([[1.0, 2.0], [3.0]], w.t, 0.1), TypeError,
     r"x must be a rectangular array"),
    # --- gradients, forward, forward_all, predict, accuracy, loss -----------------------
    ("gradients t None", lambda w: w.bnet.gradients(w.x, None), TypeError, r"t must be .*None"),
    ("gradients empty", lambda w: w.bnet.gradients(w.x_empty, w.t_empty), ValueError, r"m = 0"),
    ("gradients x strings", lambda w: w.bnet.gradients(w.x_str, w.t), TypeError, r"x .*strings"),
    ("gradients t NaN", lambda w: w.bnet.gradients(w.x, w.t_nan), ValueError, r"t must be finite"),
    ("forward strings", lambda w: w.bnet.forward(w.x_str), TypeError, r"x .*strings"),
    ("forward objects", lambda w: w.bnet.forward(w.x_obj), TypeError, r"x .*objects"),
    ("forward complex", lambda w: w.bnet.forward(w.x_complex), TypeError, r"x .*complex"),
    ("forward empty", lambda w: w.bnet.forward(w.x_empty), ValueError, r"x has no examples"),
    ("forward None", lambda w: w.bnet.forward(None), TypeError, r"x must be .*None"),
    ("forward_all NaN", lambda w: w.bnet.forward_all(w.x_nan), ValueError, r"x must be finite"),
    ("predict complex", lambda w: w.cnet.predict(w.x_complex), TypeError, r"x .*complex"),
    ("accuracy t None", lambda w: w.cnet.accuracy(w.x, None), TypeError, r"t must be"),
    ("accuracy CE labels", lambda w: w.cnet.accuracy(w.x, w.labels), ValueError, r"one_hot"),
    ("net.loss BCE Identity y", lambda w: w.bnet.loss(w.y_identity, w.t), ValueError,
     r"y_pred must hold probabilities in \(0, 1\).*Sigmoid\(\).*from -2 to 3"),
    ("net.loss CE sigmoid y", lambda w: w.cnet.loss(w.y_sigmoid3, w.tc), ValueError,
     r"y_pred's columns to be distributions that sum to 1.*column \d+ sums to"),
    # --- losses, called directly ---------------------------------------------------------
    ("BCE loss y 1.5", lambda w: BinaryCrossEntropy().loss(1.5 * np.ones((1, 2)), np.ones((1, 2))),
     ValueError, r"y_pred must hold probabilities"),
    ("BCE loss t 2", lambda w: BinaryCrossEntropy().loss(np.full((1, 2), .5), [[0, 2]]),
     ValueError, r"t must hold targets in \[0, 1\]"),
    ("BCE dloss y < 0", lambda w: BinaryCrossEntropy().dloss(w.y_identity, w.t), ValueError,
     r"y_pred must hold probabilities"),
    ("BCE dz Identity", lambda w: BinaryCrossEntropy().dz(Identity(), w.y_identity, w.y_identity,
                                                          w.t), ValueError, r"y_pred"),
    ("CE loss labels", lambda w: CrossEntropy().loss(Softmax().f(w.x), w.labels[:2]), ValueError,
     r"t has shape"),
    ("CE loss int labels hint", lambda w: CrossEntropy().loss(w.tc, w.labels), ValueError,
     r"integer class labels.*one_hot\(labels, 3\)"),
    ("CE loss t < 0", lambda w: CrossEntropy().loss(w.tc, -w.tc), ValueError, r"targets t >= 0"),
    ("CE dloss y < 0", lambda w: CrossEntropy().dloss(w.tc - 0.5, w.tc), ValueError,
     r"y_pred must hold probabilities >= 0"),
    ("CE loss not a distribution", lambda w: CrossEntropy().loss(w.y_sigmoid3, w.tc),
     ValueError, r"sum to 1"),
    ("CE loss complex", lambda w: CrossEntropy().loss(w.tc + 0j, w.tc), TypeError,
     r"y_pred .*complex"),
    ("MSE shape mismatch", lambda w: MSE().loss(w.x, w.t), ValueError,
     r"y_pred has shape \(2, 6\) but t has shape \(1, 6\)"),
    ("MSE strings", lambda w: MSE().loss(w.x_str, w.x), TypeError, r"y_pred .*strings"),
    ("MSE empty", lambda w: MSE().loss(w.t_empty, w.t_empty), ValueError, r"m >= 1"),
    ("MSE t None", lambda w: MSE().dloss(w.x, None), TypeError, r"t must be .*None"),
    # --- fit ----------------------------------------------------------------------------
    ("fit optimizer 'adam'", lambda w: w.bnet.fit(w.x, w.t, optimizer="adam", progress=False),
     TypeError, r"optimizer must be .*nnlib.Adam\(\), got the string 'adam'"),
    ("fit optimizer class", lambda w: w.bnet.fit(w.x, w.t, optimizer=Adam, progress=False),
     TypeError, r"optimizer must be an instance such as Adam\(\), got the class Adam"),
    ("fit optimizer object", lambda w: w.bnet.fit(w.x, w.t, optimizer=object(), progress=False),
     TypeError, r"optimizer must be"),
    ("fit lr nan", lambda w: w.bnet.fit(w.x, w.t, lr=NAN, progress=False), ValueError, r"lr"),
    ("fit lr -1", lambda w: w.bnet.fit(w.x, w.t, lr=-1, progress=False), ValueError,
     r"lr must be > 0"),
    ("fit lr and optimizer", lambda w: w.bnet.fit(w.x, w.t, lr=0.1, optimizer=SGD(0.1),
                                                  progress=False), ValueError, r"not both"),
    ("fit Adam lr set to nan", lambda w: w.bnet.fit(w.x, w.t, optimizer=_mutated(Adam(), "lr", NAN),
                                                    progress=False), ValueError, r"lr"),
    ("fit Adam beta1 set to 1", lambda w: w.bnet.fit(
        w.x, w.t, optimizer=_mutated(Adam(), "beta1", 1.0), progress=False), ValueError,
     r"beta1 must be in \[0, 1\), got 1.0"),
    ("fit epochs -1", lambda w: w.bnet.fit(w.x, w.t, epochs=-1, progress=False), ValueError,
     r"epochs must be an integer >= 0, got -1"),
    ("fit epochs 2.5", lambda w: w.bnet.fit(w.x, w.t, epochs=2.5, progress=False), TypeError,
     r"epochs must be an integer"),
    ("fit epochs '10'", lambda w: w.bnet.fit(w.x, w.t, epochs="10", progress=False), TypeError,
     r"epochs"),
    ("fit batch_size 0", lambda w: w.bnet.fit(w.x, w.t, batch_size=0, progress=False),
     ValueError, r"batch_size must be a positive integer, got 0"),
    ("fit batch_size 1.5", lambda w: w.bnet.fit(w.x, w.t, batch_size=1.5, progress=False),
     TypeError, r"batch_size"),
    ("fit validation 1-tuple", lambda w: w.bnet.fit(w.x, w.t, validation=(w.x,), progress=False),
     TypeError, r"validation must be a pair \(x_val, t_val\)"),
    ("fit validation string", lambda w: w.bnet.fit(w.x, w.t, validation="xt", progress=False),
     TypeError, r"validation must be a pair"),
    ("fit validation bad t_val", lambda w: w.bnet.fit(w.x, w.t, validation=(w.x, w.tc),
                                                      progress=False), ValueError,
     r"t_val must have shape \(1, m\)"),
    ("fit validation NaN x_val", lambda w: w.bnet.fit(w.x, w.t, validation=(w.x_nan, w.t),
                                                      progress=False), ValueError,
     r"x_val must be finite"),
    ("fit rng string", lambda w: w.bnet.fit(w.x, w.t, rng="seed", progress=False), TypeError,
     r"rng must be a numpy Generator or an integer seed"),
    ("fit empty", lambda w: w.bnet.fit(w.x_empty, w.t_empty, progress=False), ValueError,
     r"m = 0"),
    ("fit x strings", lambda w: w.bnet.fit(w.x_str, w.t, progress=False), TypeError, r"x "),
    ("fit Adam of another net", lambda w: w.cnet.fit(w.x, w.tc, optimizer=w.adam,
                                                     progress=False), ValueError,
     r"keeps its state m for parameters of shapes.*make a new one"),
    ("fit Momentum of another net", lambda w: w.cnet.fit(w.x, w.tc, optimizer=w.momentum,
                                                         progress=False), ValueError,
     r"state v"),
    # --- Layer, NeuralNet, mlp ----------------------------------------------------------
    ("Layer dtype int", lambda w: Layer(3, 4, Relu(), dtype=int), TypeError,
     r"dtype must be a floating type .*got int64"),
    ("Layer dtype complex", lambda w: Layer(3, 4, Relu(), dtype=complex), TypeError, r"dtype"),
    ("Layer dtype nonsense", lambda w: Layer(3, 4, Relu(), dtype="banana"), TypeError, r"dtype"),
    ("Layer init wrong shape", lambda w: Layer(3, 4, Relu(), init=raising_init), ValueError,
     r"init=raising_init must return W of shape \(outs, ins\) = \(4, 3\), got shape \(3, 4\)"),
    ("Layer init strings", lambda w: Layer(3, 4, Relu(), init=lambda o, i, **k: np.full(
        (o, i), "a")), TypeError, r"weights from init=<lambda> must be .*real numbers"),
    ("Layer init NaN", lambda w: Layer(3, 4, Relu(), init=lambda o, i, **k: np.full(
        (o, i), NAN)), ValueError, r"weights from init=<lambda> must be finite"),
    ("Layer ins 0", lambda w: Layer(0, 4, Relu()), ValueError, r"Layer ins must be a positive"),
    ("Layer outs 2.5", lambda w: Layer(3, 2.5, Relu()), TypeError, r"Layer outs"),
    ("Layer activation class", lambda w: Layer(3, 4, Relu), TypeError, r"activation .*Relu\(\)"),
    ("Layer.forward strings", lambda w: w.bnet.layers[0].forward(w.x_str), TypeError, r"x "),
    ("Layer.forward NaN", lambda w: w.bnet.layers[0].forward(w.x_nan), ValueError,
     r"x must be finite"),
    ("Layer.forward empty", lambda w: w.bnet.layers[0].forward(w.x_empty), ValueError, r"m >= 1"),
    ("NeuralNet no layers", lambda w: NeuralNet([], MSE()), TypeError, r"non-empty list of Layer"),
    ("NeuralNet loss class", lambda w: NeuralNet(w.bnet.layers, MSE), TypeError,
     r"loss must be .*write MSE\(\)"),
    ("NeuralNet chain", lambda w: NeuralNet([Layer(2, 3, Relu()), Layer(4, 1, Sigmoid())],
                                            MSE()), ValueError, r"layer 1 expects 4 inputs"),
    ("mlp sizes [2]", lambda w: mlp([2], Relu(), Sigmoid(), MSE()), TypeError, r"sizes"),
    ("mlp sizes string", lambda w: mlp("2-4-1", Relu(), Sigmoid(), MSE()), TypeError, r"sizes"),
    ("labels 1-D", lambda w: labels(w.labels), ValueError, r"labels expects y of shape"),
    ("labels strings", lambda w: labels(w.x_str), TypeError, r"y must be"),
    # --- activations --------------------------------------------------------------------
    ("Relu.f strings", lambda w: Relu().f(w.x_str), TypeError, r"z must be .*strings"),
    ("Sigmoid.f complex", lambda w: Sigmoid().f(w.x_complex), TypeError, r"z .*complex"),
    ("Tanh.df objects", lambda w: Tanh().df(w.x_obj), TypeError, r"z .*objects"),
    ("Tanh.backward shapes", lambda w: Tanh().backward(w.x, w.t), ValueError,
     r"da, dL/da, of the shape of z, \(2, 6\); got \(1, 6\)"),
    ("Softmax.backward shapes", lambda w: Softmax().backward(w.tc, w.x), ValueError, r"da"),
    ("LeakyRelu alpha string", lambda w: LeakyRelu(alpha="0.1"), TypeError, r"alpha"),
    ("LeakyRelu alpha nan", lambda w: LeakyRelu(alpha=NAN), ValueError, r"alpha"),
    # --- optimisers ---------------------------------------------------------------------
    ("SGD lr -1", lambda w: SGD(lr=-1), ValueError, r"lr must be > 0, got -1"),
    ("SGD lr array", lambda w: SGD(lr=np.array([0.1])), TypeError, r"lr .*ndarray"),
    ("Momentum beta 1", lambda w: Momentum(beta=1.0), ValueError, r"beta must be in \[0, 1\)"),
    ("Momentum beta -0.1", lambda w: Momentum(beta=-0.1), ValueError, r"beta"),
    ("Adam beta1 1", lambda w: Adam(beta1=1.0), ValueError, r"beta1 must be in \[0, 1\)"),
    ("Adam beta2 1", lambda w: Adam(beta2=1.0), ValueError, r"beta2"),
    ("Adam eps 0", lambda w: Adam(eps=0), ValueError, r"eps must be > 0"),
    ("Adam eps -1e-8", lambda w: Adam(eps=-1e-8), ValueError, r"eps"),
    ("Adam lr None", lambda w: Adam(lr=None), TypeError, r"lr"),
    ("Adam.step too few grads", lambda w: w.adam.step(params(w.bnet), w.grads[:3]), ValueError,
     r"one gradient per parameter, got 4 params and 3 grads"),
    ("Adam.step wrong shape", lambda w: w.adam.step(params(w.bnet), w.grads[::-1]), ValueError,
     r"grads\[0\] must be .*shape \(4, 2\)"),
    ("Momentum.step other net", lambda w: w.momentum.step(params(w.cnet), [
        np.zeros_like(p) for p in params(w.cnet)]), ValueError, r"state v"),
    ("SGD.step wrong second shape", lambda w: w.sgd.step(params(w.bnet), w.grads[:1] + [
        np.zeros(3)] + w.grads[2:]), ValueError, r"grads\[1\]"),
    ("Adam.step lr nan", lambda w: _mutated(w.adam, "lr", NAN, copy_=True).step(
        params(w.bnet), w.grads), ValueError, r"lr"),
    # --- gradient_check -----------------------------------------------------------------
    ("gradient_check h 0", lambda w: gradient_check(w.bnet, w.x, w.t, h=0), ValueError,
     r"h must be > 0, got 0.0: it is the finite-difference step"),
    ("gradient_check h -1e-6", lambda w: gradient_check(w.bnet, w.x, w.t, h=-1e-6), ValueError,
     r"h must be > 0"),
    ("gradient_check h nan", lambda w: gradient_check(w.bnet, w.x, w.t, h=NAN), ValueError, r"h "),
    ("gradient_check eps=", lambda w: gradient_check(w.bnet, w.x, w.t, eps=1e-6), TypeError,
     r"eps"),
    ("gradient_check not a net", lambda w: gradient_check("net", w.x, w.t), TypeError,
     r"gradient_check expects an nnlib NeuralNet as net"),
    ("gradient_check t None", lambda w: gradient_check(w.bnet, w.x, None), TypeError, r"t must"),
    ("gradient_check gradients 5", lambda w: gradient_check(w.bnet, w.x, w.t, gradients=5),
     TypeError, r"gradients must be a function"),
    # --- initialisers --------------------------------------------------------------------
    ("he_normal n_out 0", lambda w: nnlib.he_normal(0, 3), ValueError,
     r"n_out must be a positive integer, got 0"),
    ("xavier_uniform n_in 2.5", lambda w: nnlib.xavier_uniform(3, 2.5), TypeError, r"n_in"),
    ("zeros n_in -1", lambda w: nnlib.zeros(3, -1), ValueError, r"n_in"),
    ("normal scale -1", lambda w: nnlib.normal(3, 2, scale=-1.0), ValueError,
     r"scale must be a standard deviation >= 0"),
    ("normal rng string", lambda w: nnlib.normal(3, 2, rng="seed"), TypeError, r"rng must be"),
    ("Layer init name", lambda w: Layer(3, 4, Relu(), init="kaiming"), ValueError,
     r"unknown initialiser 'kaiming'"),
    # --- datasets -----------------------------------------------------------------------
    ("moons m 0", lambda w: datasets.moons(m=0), ValueError, r"moons expects m"),
    ("moons m 2.5", lambda w: datasets.moons(m=2.5), ValueError, r"m=2.5"),
    ("moons noise string", lambda w: datasets.moons(noise="a"), TypeError, r"noise"),
    ("moons noise nan", lambda w: datasets.moons(noise=NAN), ValueError, r"noise"),
    ("blobs spread -1", lambda w: datasets.blobs(spread=-1), ValueError, r"spread >= 0"),
    ("spirals classes 1", lambda w: datasets.spirals(classes=1), ValueError, r"classes >= 2"),
    ("circles factor 2", lambda w: datasets.circles(factor=2), ValueError, r"factor"),
    ("one_hot float labels", lambda w: datasets.one_hot(w.x[0]), ValueError,
     r"one_hot expects 1-D integer labels"),
    ("one_hot out of range", lambda w: datasets.one_hot(w.labels, 2), ValueError,
     r"labels in 0..1"),
    ("one_hot classes 2.5", lambda w: datasets.one_hot(w.labels, 2.5), TypeError, r"classes"),
    ("train_test_split 1.5", lambda w: datasets.train_test_split(w.x, w.t, 1.5), ValueError,
     r"test_size"),
    ("train_test_split '0.2'", lambda w: datasets.train_test_split(w.x, w.t, "0.2"), TypeError,
     r"test_size"),
    ("train_test_split strings", lambda w: datasets.train_test_split(w.x_str, w.t), TypeError,
     r"x must be"),
    ("digits test_size 0", lambda w: datasets.digits(test_size=0), ValueError, r"test_size"),
    ("load mnist", lambda w: datasets.load("mnist"), ValueError, r"load expects one of"),
    ("moons rng string", lambda w: datasets.moons(rng="seed"), TypeError, r"rng must be"),
    ("train_test_split rng", lambda w: datasets.train_test_split(w.x, w.t, rng=1.5), TypeError,
     r"rng must be"),
    ("mlp rng string", lambda w: mlp([2, 3, 1], Relu(), Sigmoid(), MSE(), rng="x"), TypeError,
     r"rng must be"),
    # --- plot ---------------------------------------------------------------------------
    ("decision_boundary predict", lambda w: plot.decision_boundary("net", w.x, w.t), TypeError,
     r"predict, a function"),
    ("decision_boundary resolution", lambda w: plot.decision_boundary(
        w.bnet.forward, w.x, w.t, resolution=1), ValueError, r"resolution must be an integer"),
    ("decision_boundary x strings", lambda w: plot.decision_boundary(
        w.bnet.forward, w.x_str, w.t), TypeError, r"x must be"),
    ("plot.activation act", lambda w: plot.activation(np.tanh), TypeError,
     r"act with f\(z\) and df\(z\)"),
    ("loss_curves number", lambda w: plot.loss_curves(5), TypeError, r"loss_curves expects"),
    ("histograms bins 0", lambda w: plot.histograms([w.x], bins=0), ValueError, r"bins"),
    ("image_grid strings", lambda w: plot.image_grid(w.x_str), TypeError, r"images"),
]


def _mutated(optimizer, name, value, copy_=False):
    """A learner setting a hyper-parameter after construction (a copy: the world's stays)."""
    optimizer = copy.deepcopy(optimizer) if copy_ else optimizer
    setattr(optimizer, name, value)
    return optimizer


def test_the_table_is_large():
    assert len(BAD_CALLS) >= 80
    assert len({row[0] for row in BAD_CALLS}) == len(BAD_CALLS)  # ids are unique


@pytest.mark.parametrize(("call", "error", "message"), [row[1:] for row in BAD_CALLS],
                         ids=[row[0] for row in BAD_CALLS])
def test_bad_call_is_refused_and_changes_nothing(call, error, message):
    w = make_world()
    before = snapshot(w)
    with pytest.raises(error, match=message) as info:
        call(w)
    assert type(info.value) is error  # exactly: ValueError is not a FloatingPointError here
    after = snapshot(w)
    changed = [name for name in before if before[name] != after[name]]
    assert not changed, f"the refused call changed {changed}"


EXPLORER_CALLS = [
    ("LearningRateExplorer lr -1", lambda: _explore().LearningRateExplorer(lr=-1), ValueError,
     r"lr must be > 0"),
    ("LearningRateExplorer seed 1.5", lambda: _explore().LearningRateExplorer(seed=1.5),
     TypeError, r"seed"),
    ("InitExplorer scheme", lambda: _explore().InitExplorer(scheme="bogus"), ValueError,
     r"scheme must be one of"),
    ("InitExplorer scale 0", lambda: _explore().InitExplorer(scale=0), ValueError, r"scale"),
    ("Playground dataset", lambda: _explore().Playground(dataset="mnist"), ValueError,
     r"dataset must be one of 'moons'"),
    ("Playground width 0", lambda: _explore().Playground(width=0), ValueError, r"width"),
]


def _explore():
    from nnlib import explore  # imports ipywidgets: only these tests need it
    return explore


@pytest.mark.parametrize(("call", "error", "message"), [row[1:] for row in EXPLORER_CALLS],
                         ids=[row[0] for row in EXPLORER_CALLS])
def test_explorers_refuse_bad_arguments_before_training(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_a_campaign_of_every_bad_call_finds_each_refused():
    """The table run as one campaign from outside: a count a reader can quote."""
    refused = 0
    for _, call, error, message in BAD_CALLS:
        w = make_world()
        before = snapshot(w)
        try:
            call(w)
        except (ValueError, TypeError) as caught:
            refused += (type(caught) is error and re.search(message, str(caught)) is not None
                        and snapshot(w) == before)
    assert refused == len(BAD_CALLS)


# --- gradient_check restores every parameter, even when a forward pass raises -------------

class Flaky(Tanh):
    """Raises on its n-th call: a forward pass that fails halfway through a check."""

    def __init__(self, n):
        self.calls, self.n = 0, n

    def f(self, z):
        self.calls += 1
        if self.calls == self.n:
            raise RuntimeError("the forward pass failed")
        return super().f(z)


@pytest.mark.parametrize("n", [2, 3, 7])
def test_gradient_check_restores_parameters_when_the_forward_pass_raises(n):
    rng = np.random.default_rng(0)
    net = mlp([2, 3, 1], Flaky(n), Sigmoid(), BinaryCrossEntropy(), rng=rng)
    x, t = rng.normal(size=(2, 4)), np.array([[0.0, 1.0, 1.0, 0.0]])
    before = [p.copy() for p in params(net)]
    with pytest.raises(RuntimeError):
        gradient_check(net, x, t)
    for p, p0 in zip(params(net), before):
        assert p.tobytes() == p0.tobytes()


# --- data that is bool or int is converted, not refused ---------------------------------------

def test_bool_and_int_data_are_converted():
    net = mlp([2, 4, 1], Tanh(), Sigmoid(), BinaryCrossEntropy(), rng=0)
    x_int, t_bool = np.array([[0, 1, 2], [3, 4, 5]]), np.array([[True, False, True]])
    np.testing.assert_array_equal(net.forward(x_int), net.forward(x_int.astype(float)))
    assert net.gradients(x_int, t_bool)[0][0].dtype == np.float64
    float32 = mlp([2, 4, 1], Tanh(), Sigmoid(), BinaryCrossEntropy(), rng=0, dtype=np.float32)
    assert float32.forward(x_int).dtype == np.float32  # ints take the network's dtype


# --- soft labels: CrossEntropy's gradient is exact for targets of any column sum --------------

def test_cross_entropy_gradient_is_exact_for_soft_labels_that_do_not_sum_to_one():
    rng = np.random.default_rng(3)
    z = rng.normal(size=(4, 5))
    t = Softmax().f(rng.normal(size=(4, 5))) * (1 + 5e-6)  # columns sum to 1 + 5e-6
    loss, act = CrossEntropy(), Softmax()
    numeric = numerical_gradient(lambda: loss.loss(act.f(z), t), z)
    fused = loss.dz(act, z, act.f(z), t)
    assert relative_error(fused, numeric) < 1e-8
    np.testing.assert_allclose(fused, act.backward(z, loss.dloss(act.f(z), t)), rtol=1e-9,
                               atol=1e-15)


# --- property tests ------------------------------------------------------------------------

HIDDEN = [Tanh(), Sigmoid(), Identity()]
HEADS = [(Identity(), MSE()), (Sigmoid(), BinaryCrossEntropy()), (Softmax(), CrossEntropy()),
         (Sigmoid(), MSE())]


@settings(max_examples=25)
@given(seed=st.integers(0, 2**31), depth=st.integers(1, 3), width=st.integers(1, 5),
       n_y=st.integers(1, 4), m=st.integers(1, 6), hidden=st.sampled_from(HIDDEN),
       head=st.sampled_from(HEADS), soft=st.booleans())
def test_random_networks_loss_and_gradient_agree(seed, depth, width, n_y, m, hidden, head, soft):
    output, loss = head
    n_y = 1 if isinstance(loss, BinaryCrossEntropy) and not soft else n_y
    rng = np.random.default_rng(seed)
    net = mlp([3] + [width] * depth + [n_y], hidden, output, loss, init=nnlib.xavier_normal,
              rng=rng)
    for layer in net.layers:
        layer.b = rng.normal(scale=0.3, size=layer.b.shape)
    x = rng.normal(size=(3, m))
    if isinstance(loss, CrossEntropy):  # soft labels (class probabilities) or one-hot
        t = Softmax().f(2 * rng.normal(size=(n_y, m))) if soft else \
            np.eye(n_y)[:, rng.integers(0, n_y, m)]
    elif isinstance(loss, BinaryCrossEntropy):
        t = rng.uniform(0, 1, (n_y, m)) if soft else rng.integers(0, 2, (n_y, m)).astype(float)
    else:
        t = rng.normal(size=(n_y, m))
    # Our own central differences (tests/helpers.py), not nnlib's gradient_check: a shared
    # mistake could not hide a wrong gradient.
    loss = lambda: net.loss(net.forward(x), t)  # noqa: E731
    for layer, (dW, db) in zip(net.layers, net.gradients(x, t)):
        assert relative_error(dW, numerical_gradient(loss, layer.W)) < 1e-6
        assert relative_error(db, numerical_gradient(loss, layer.b)) < 1e-6


BAD_VALUES = st.sampled_from([NAN, INF, -INF, -1.0, 0.0, "0.1", None, 1j, True,
                              np.array([0.1, 0.2])])


@settings(max_examples=30)
@given(seed=st.integers(0, 2**31), lr=BAD_VALUES, which=st.sampled_from(["train", "fit", "sgd"]))
def test_random_bad_learning_rates_raise_and_change_nothing(seed, lr, which):
    assume(not (which == "fit" and lr is None))  # fit's lr=None means its default, 0.1
    rng = np.random.default_rng(seed)
    net = mlp([2, 3, 1], Tanh(), Sigmoid(), BinaryCrossEntropy(), rng=rng)
    x, t = rng.normal(size=(2, 5)), rng.integers(0, 2, (1, 5)).astype(float)
    before = [p.copy() for p in params(net)]
    calls = {"train": lambda: net.train(x, t, lr),
             "fit": lambda: net.fit(x, t, epochs=1, lr=lr, progress=False),
             "sgd": lambda: SGD(lr)}
    with pytest.raises((ValueError, TypeError), match=r"\blr\b"):
        calls[which]()
    assert all(p.tobytes() == p0.tobytes() for p, p0 in zip(params(net), before))


@settings(max_examples=30)
@given(seed=st.integers(0, 2**31), kind=st.sampled_from(["nan", "inf", "t out of [0, 1]",
                                                         "strings", "complex", "empty",
                                                         "labels"]),
       call=st.sampled_from(["train", "gradients", "fit", "accuracy"]))
def test_random_bad_data_raise_and_change_nothing(seed, kind, call):
    rng = np.random.default_rng(seed)
    net = mlp([2, 3, 3], Relu(), Softmax(), CrossEntropy(), rng=rng)
    m = int(rng.integers(1, 8))
    x, t = rng.normal(size=(2, m)), np.eye(3)[:, rng.integers(0, 3, m)]
    j = int(rng.integers(0, m))
    if kind == "nan":
        x[int(rng.integers(0, 2)), j] = NAN
    elif kind == "inf":
        t[int(rng.integers(0, 3)), j] = INF
    elif kind == "t out of [0, 1]":
        t[int(rng.integers(0, 3)), j] = -rng.uniform(0.1, 5)
    elif kind == "strings":
        x = x.astype(str)
    elif kind == "complex":
        x = x * (1 + 1j)
    elif kind == "empty":
        x, t = x[:, :0], t[:, :0]
    else:
        t = rng.integers(0, 3, m)
    x0, t0 = x.copy(), t.copy()
    before = [p.copy() for p in params(net)]
    calls = {"train": partial(net.train, lr=0.1), "gradients": net.gradients,
             "fit": partial(net.fit, epochs=1, progress=False), "accuracy": net.accuracy}
    with pytest.raises((ValueError, TypeError), match=r"\b[xt]\b"):
        calls[call](x, t)
    assert all(p.tobytes() == p0.tobytes() for p, p0 in zip(params(net), before))
    assert x.tobytes() == x0.tobytes() and t.tobytes() == t0.tobytes()
