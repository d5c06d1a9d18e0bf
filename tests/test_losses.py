"""nnlib.losses: dloss against central differences of loss, fused dz, known values, stability."""

import warnings

import numpy as np
import pytest
from helpers import numerical_gradient, relative_error

from nnlib.activations import Identity, Sigmoid, Softmax, Tanh
from nnlib.losses import MSE, BinaryCrossEntropy, CrossEntropy, Loss

SHAPES = [(1, 1), (1, 6), (3, 1), (4, 5)]


def one_hot(rng, n, m):
    return np.eye(n)[:, rng.integers(0, n, size=m)]  # (n, m), one 1 per column


def example(loss, shape, seed=0):
    """Predictions and targets of the kind each loss is meant for."""
    rng = np.random.default_rng(seed)
    n, m = shape
    if isinstance(loss, MSE):
        return rng.normal(size=shape), rng.normal(size=shape)
    if isinstance(loss, BinaryCrossEntropy):
        return rng.uniform(0.05, 0.95, size=shape), rng.integers(0, 2, size=shape).astype(float)
    y = rng.uniform(0.05, 1.0, size=shape)
    return y / y.sum(axis=0), one_hot(rng, n, m)


LOSSES = [MSE(), BinaryCrossEntropy(), CrossEntropy()]


# --- dloss against central differences -----------------------------------------------------

@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("loss", LOSSES, ids=repr)
def test_dloss_matches_central_differences(loss, shape):
    y, t = example(loss, shape)
    numeric = numerical_gradient(lambda: loss.loss(y, t), y)
    analytic = loss.dloss(y, t)
    assert analytic.shape == shape
    assert relative_error(analytic, numeric) < 1e-6
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-9)


def test_binary_cross_entropy_dloss_with_soft_targets():
    rng = np.random.default_rng(1)
    y, t = rng.uniform(0.05, 0.95, size=(2, 5)), rng.uniform(0, 1, size=(2, 5))
    numeric = numerical_gradient(lambda: BinaryCrossEntropy().loss(y, t), y)
    assert relative_error(BinaryCrossEntropy().dloss(y, t), numeric) < 1e-6


# --- dz: the last layer's dL/dz, fused or by the chain rule --------------------------------

PAIRS = [(MSE(), Identity()), (MSE(), Sigmoid()), (MSE(), Tanh()), (MSE(), Softmax()),
         (BinaryCrossEntropy(), Sigmoid()), (CrossEntropy(), Softmax())]


def targets(loss, act, shape, rng):
    n, m = shape
    if isinstance(loss, CrossEntropy) or isinstance(act, Softmax):
        return one_hot(rng, n, m)
    if isinstance(loss, BinaryCrossEntropy):
        return rng.integers(0, 2, size=shape).astype(float)
    return rng.uniform(-0.9, 0.9, size=shape) if isinstance(act, Tanh) else rng.uniform(0, 1, shape)


@pytest.mark.parametrize("shape", [(1, 1), (1, 4), (3, 1), (3, 5)], ids=str)
@pytest.mark.parametrize(("loss", "act"), PAIRS, ids=[f"{a!r}+{l!r}" for l, a in PAIRS])
def test_dz_matches_central_differences_in_z(loss, act, shape):
    rng = np.random.default_rng(2)
    z = rng.normal(size=shape)
    t = targets(loss, act, shape, rng)
    numeric = numerical_gradient(lambda: loss.loss(act.f(z), t), z)
    dz = loss.dz(act, z, act.f(z), t)
    assert dz.shape == shape
    assert relative_error(dz, numeric) < 1e-6


@pytest.mark.parametrize("shape", [(1, 1), (1, 7), (4, 1), (4, 6)], ids=str)
@pytest.mark.parametrize(("loss", "act"), [(BinaryCrossEntropy(), Sigmoid()),
                                           (CrossEntropy(), Softmax())],
                         ids=["Sigmoid+BinaryCrossEntropy", "Softmax+CrossEntropy"])
def test_fused_dz_equals_the_chain_rule(loss, act, shape):
    rng = np.random.default_rng(3)
    z = rng.normal(scale=2.0, size=shape)
    t = targets(loss, act, shape, rng)
    y = act.f(z)
    fused = loss.dz(act, z, y, t)
    chain = act.backward(z, loss.dloss(y, t))
    np.testing.assert_allclose(fused, chain, rtol=1e-9, atol=1e-15)
    n, m = shape  # and the closed forms the comments promise
    expected = (y - t) / (n * m) if isinstance(loss, BinaryCrossEntropy) else (y - t) / m
    np.testing.assert_allclose(fused, expected, rtol=1e-15)


def test_fused_dz_survives_saturation():
    # sigmoid(50) rounds to 1: the chain rule gives f'(z) = 0 and a vanishing gradient, the
    # fused form the exact (y - t) / (n_y m) = (1 - 0) / 2.
    z, t = np.array([[50.0, -50.0]]), np.array([[0.0, 1.0]])
    dz = BinaryCrossEntropy().dz(Sigmoid(), z, Sigmoid().f(z), t)
    np.testing.assert_allclose(dz, [[0.5, -0.5]], rtol=1e-15)
    # softmax puts probability 0 on the right class: dz = (y - t) / m, finite and exact.
    z, t = np.array([[1000.0], [0.0]]), np.array([[0.0], [1.0]])
    dz = CrossEntropy().dz(Softmax(), z, Softmax().f(z), t)
    np.testing.assert_array_equal(dz, [[1.0], [-1.0]])


@pytest.mark.parametrize(("loss", "act"), [(CrossEntropy(), Identity()), (MSE(), Softmax()),
                                           (BinaryCrossEntropy(), Identity())],
                         ids=["Identity+CrossEntropy", "Softmax+MSE",
                              "Identity+BinaryCrossEntropy"])
def test_dz_falls_back_to_the_chain_rule(loss, act):
    # Identity fed with z that are already probabilities: valid input with no fused form.
    rng = np.random.default_rng(4)
    z = Softmax().f(rng.normal(size=(3, 4)))
    t = one_hot(rng, 3, 4)
    y = act.f(z)
    np.testing.assert_array_equal(loss.dz(act, z, y, t), act.backward(z, loss.dloss(y, t)))


@pytest.mark.parametrize(("loss", "act"), [(CrossEntropy(), Sigmoid()),
                                           (BinaryCrossEntropy(), Tanh())],
                         ids=["Sigmoid+CrossEntropy", "Tanh+BinaryCrossEntropy"])
def test_outputs_outside_the_losss_contract_are_refused(loss, act):
    # Sigmoid columns do not sum to 1; Tanh gives negative "probabilities".
    rng = np.random.default_rng(4)
    z = rng.normal(size=(3, 4))
    with pytest.raises(ValueError, match=r"y_pred"):
        loss.dz(act, z, act.f(z), one_hot(rng, 3, 4))


# --- known values ---------------------------------------------------------------------------

def test_mse_derivative_is_the_seeds():
    # The draft: the MSE derivative of [1, 2, 3, 4] against zeros is [0.5, 1, 1.5, 2].
    np.testing.assert_array_equal(MSE().dloss(np.array([1, 2, 3, 4]), np.zeros(4)),
                                  [0.5, 1, 1.5, 2])


def test_known_loss_values():
    assert MSE().loss(np.array([[1.0, 2.0, 3.0, 4.0]]), np.zeros((1, 4))) == 7.5
    assert MSE().loss(np.array([[1.0], [3.0]]), np.zeros((2, 1))) == 5.0  # mean over n_y too
    np.testing.assert_allclose(BinaryCrossEntropy().loss(np.full((1, 3), 0.5), np.array(
        [[0.0, 1.0, 1.0]])), np.log(2), rtol=1e-15)
    y = np.array([[0.7, 0.25], [0.2, 0.25], [0.1, 0.5]])
    t = np.array([[1.0, 0.0], [0.0, 0.0], [0.0, 1.0]])
    np.testing.assert_allclose(CrossEntropy().loss(y, t), -(np.log(0.7) + np.log(0.5)) / 2,
                               rtol=1e-15)
    np.testing.assert_allclose(CrossEntropy().loss(np.full((4, 3), 0.25), np.eye(4)[:, :3]),
                               np.log(4), rtol=1e-15)


@pytest.mark.parametrize("loss", LOSSES, ids=repr)
def test_loss_is_a_python_float_and_the_mean_over_examples(loss):
    y, t = example(loss, (3, 5), seed=5)
    value = loss.loss(y, t)
    assert type(value) is float
    per_example = [loss.loss(y[:, [i]], t[:, [i]]) for i in range(5)]
    np.testing.assert_allclose(value, np.mean(per_example), rtol=1e-14)
    # the 1/m lives in the loss: m copies of one example give 1/m of its gradient each
    y1, t1 = y[:, [0]], t[:, [0]]
    np.testing.assert_allclose(loss.dloss(np.tile(y1, 4), np.tile(t1, 4)),
                               np.tile(loss.dloss(y1, t1), 4) / 4, rtol=1e-15)


# --- stability at predictions of exactly 0 and 1 --------------------------------------------

def test_cross_entropies_are_finite_at_exactly_zero_and_one():
    with warnings.catch_warnings(), np.errstate(over="warn", invalid="warn", divide="warn"):
        warnings.simplefilter("error")  # log(0) or 0/0 would warn
        y, t = np.array([[0.0, 1.0, 0.0, 1.0]]), np.array([[0.0, 1.0, 1.0, 0.0]])
        bce, dbce = BinaryCrossEntropy().loss(y, t), BinaryCrossEntropy().dloss(y, t)
        y, t = np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([[1.0, 1.0], [0.0, 0.0]])
        ce, dce = CrossEntropy().loss(y, t), CrossEntropy().dloss(y, t)
    assert np.isfinite(bce) and np.isfinite(dbce).all()
    assert np.isfinite(ce) and np.isfinite(dce).all()
    assert bce > 10 and ce > 100  # a confident wrong answer costs a lot
    assert dbce[0, 2] < 0 < dbce[0, 3]  # and pushes the right way
    assert dce[0, 1] < 0
    # a confident right answer costs (almost) nothing
    assert BinaryCrossEntropy().loss(np.array([[0.0, 1.0]]), np.array([[0.0, 1.0]])) < 1e-12
    assert CrossEntropy().loss(np.eye(3), np.eye(3)) == 0.0


# --- bad input, dtypes, the caller's arrays --------------------------------------------------

@pytest.mark.parametrize("loss", LOSSES, ids=repr)
@pytest.mark.parametrize("method", ["loss", "dloss"])
def test_shape_mismatch_raises_with_both_shapes(loss, method):
    with pytest.raises(ValueError, match=r"y_pred has shape \(1, 4\) but t has shape \(4,\)"):
        getattr(loss, method)(np.full((1, 4), 0.5), np.ones(4))
    with pytest.raises(ValueError, match=r"shape \(2, 3\) but t has shape \(3, 2\)"):
        getattr(loss, method)(np.full((2, 3), 0.5), np.ones((3, 2)))


@pytest.mark.parametrize("loss", LOSSES, ids=repr)
def test_float32_predictions_and_integer_targets_stay_float32(loss):
    y, t = example(loss, (3, 4), seed=6)
    y32, t_int = y.astype(np.float32), np.round(t).astype(np.int64)
    assert loss.dloss(y32, t_int).dtype == np.float32
    assert loss.dloss(y32, t.astype(np.float32)).dtype == np.float32
    act = Softmax() if isinstance(loss, CrossEntropy) else Sigmoid()
    z32 = np.random.default_rng(6).normal(size=(3, 4)).astype(np.float32)
    assert loss.dz(act, z32, act.f(z32), t_int).dtype == np.float32
    assert type(loss.loss(y32, t_int)) is float
    assert loss.dloss(np.array([[1], [0]]), np.array([[1], [0]])).dtype == np.float64


@pytest.mark.parametrize("loss", LOSSES, ids=repr)
def test_caller_arrays_are_not_modified(loss):
    y, t = example(loss, (3, 4), seed=7)
    y[0, 0] = 0.0  # would be clipped if the loss clipped in place
    if isinstance(loss, CrossEntropy):
        y /= y.sum(axis=0)  # still a distribution, with a 0
    y0, t0 = y.copy(), t.copy()
    z = np.random.default_rng(7).normal(size=(3, 4))
    z0 = z.copy()
    loss.loss(y, t), loss.dloss(y, t), loss.dz(Softmax(), z, y, t), loss.dz(Sigmoid(), z, y, t)
    np.testing.assert_array_equal(y, y0)
    np.testing.assert_array_equal(t, t0)
    np.testing.assert_array_equal(z, z0)


def test_base_class_and_repr():
    with pytest.raises(NotImplementedError):
        Loss().loss(np.zeros((1, 1)), np.zeros((1, 1)))
    with pytest.raises(NotImplementedError):
        Loss().dloss(np.zeros((1, 1)), np.zeros((1, 1)))
    assert [repr(loss) for loss in LOSSES] == ["MSE()", "BinaryCrossEntropy()", "CrossEntropy()"]
