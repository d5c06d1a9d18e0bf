"""A neural network: layers in a chain, a loss, backpropagation and training.

Shapes (layers numbered from 0, as in Python and the draft; layer l maps a_l to a_{l+1})
    x = a_0  : (n_x, m)        inputs, n_x = layers[0].ins
    z_l      : (n_{l+1}, m)    pre-activation of layer l, z_l = W_l a_l + b_l
    a_{l+1}  : (n_{l+1}, m)    its activation, a_{l+1} = f_l(z_l); a_L = y_pred
    t        : (n_y, m)        targets, n_y = layers[-1].outs
    dW_l, db_l                 the shapes of W_l (n_{l+1}, n_l) and b_l (n_{l+1}, 1)
L is the number of layers; the book writes the loss as a calligraphic L.

Introduced in chapter 3 (Layers); gradients in chapter 6, training in chapter 7.
"""

import numpy as np
from tqdm.auto import tqdm

from nnlib import checks
from nnlib.init import he_normal
from nnlib.layers import Layer
from nnlib.losses import Loss
from nnlib.optimizers import SGD, as_optimizer


class NeuralNet:
    """A series of compatible layers and a loss: y_pred = f_{L-1}(W_{L-1} ... f_0(W_0 x + b_0) ...).

    Shapes: x (layers[0].ins, m) -> y_pred (layers[-1].outs, m); t like y_pred.
    Raises ValueError, naming both layers, when layer l's outputs do not match layer l+1's
    inputs. ``weight_decay`` (lambda >= 0) adds the L2 penalty of chapter 11
    (Generalisation) to the loss and its gradient.
    Introduced in chapter 1 (Notation); built in chapter 3 (Layers).
    """

    def __init__(self, layers, loss, weight_decay=0.0):
        self.layers = list(layers)
        if not self.layers or not all(isinstance(layer, Layer) for layer in self.layers):
            raise TypeError(f"NeuralNet expects a non-empty list of Layer, got {layers!r}")
        if not isinstance(loss, Loss):
            hint = f": write {loss.__name__}()" if isinstance(loss, type) else ""
            raise TypeError(f"loss must be an nnlib Loss such as MSE(), got {loss!r}{hint}")
        self.loss_function = loss
        self.weight_decay = checks.real_number("weight_decay", weight_decay,
                                               ">= 0 (0 for no decay)")
        if self.weight_decay < 0:
            raise ValueError(f"weight_decay must be >= 0 (0 for no decay): a negative one "
                             f"pushes the weights up; got {self.weight_decay}")
        for l in range(1, len(self.layers)):
            before, layer = self.layers[l - 1], self.layers[l]
            if before.outs != layer.ins:
                raise ValueError(f"layer {l} expects {layer.ins} inputs but layer {l - 1} gives "
                                 f"{before.outs}: {before!r} cannot feed {layer!r}")

    def forward(self, x):
        """The network's output y_pred = a_L. Shapes: (n_x, m) -> (n_y, m)."""
        a = self._check_x(x)
        for layer in self.layers:
            a = layer.activation.f(layer.linear(a))  # (n_{l+1}, m)
        return a

    def loss(self, y_pred, t):
        """The loss function's value, a float (the mean over the m examples).

        With weight decay lambda > 0 (chapter 11), plus the penalty
        (lambda / 2) sum_l ||W_l||^2; biases are not decayed.
        net.loss_function.loss(y_pred, t) is the data loss alone.
        Raises ValueError or TypeError, naming y_pred or t, for arguments the
        loss refuses.
        """
        loss = self.loss_function.loss(y_pred, t)
        if self.weight_decay:  # lambda = 0: the data loss, bit for bit
            penalty = sum(np.sum(layer.W**2) for layer in self.layers)
            loss += self.weight_decay / 2 * penalty
        return loss

    def forward_all(self, x):
        """Every pre-activation and activation, the record that backpropagation needs.

        Returns (zs, activations) with zs[l] = z_l and activations[l] = a_l, a_0 = x.
        Shapes: zs[l] (n_{l+1}, m); activations[l] (n_l, m). Introduced in chapter 1
        (Notation); backpropagation uses it from chapter 6.
        """
        return self._forward_all(self._check_x(x))

    def gradients(self, x, t):
        """Backpropagation: [(dW_0, db_0), ..., (dW_{L-1}, db_{L-1})], in layer order.

        The exact gradient of loss(forward(x), t). db is summed over the batch.
        Shapes: each dW_l like W_l, each db_l like b_l. Introduced in chapter 1 (Notation);
        derived in chapter 6 (Backpropagation).
        """
        x, t = self._check(x, t)
        return self._loss_and_gradients(x, t)[1]

    def train(self, x, t, lr):
        """One gradient-descent step, W <- W - lr dW and b <- b - lr db, on the batch (x, t).

        Returns the loss before the step. Introduced in chapter 7 (Training).
        """
        x, t = self._check(x, t)
        lr = checks.learning_rate(lr)  # finite and > 0, checked before any update
        loss, grads = self._loss_and_gradients(x, t)
        for layer, (dW, db) in zip(self.layers, grads):
            layer.W -= lr * dW
            layer.b -= lr * db
        return loss

    def fit(self, x, t, epochs=100, batch_size=None, optimizer=None, lr=None, rng=0,
            validation=None, progress=True):
        """Train for ``epochs`` passes over (x, t) in shuffled mini-batches.

        ``optimizer`` is an nnlib optimiser (SGD, Momentum, Adam); by default SGD with
        ``lr`` (0.1 unless given). ``batch_size=None`` uses the whole set every step.
        ``rng`` (Generator or seed) shuffles; an int seed restarts the same shuffles on every
        call, so pass one Generator to train in several calls. ``validation=(x_val, t_val)``
        adds the validation loss and accuracy after every epoch. ``progress=False`` hides
        the bar. Returns the history {"loss": [...], "val_loss": [...], "val_accuracy": [...]}:
        "loss" is each epoch's mean batch loss, measured while the epoch trains.
        Raises FloatingPointError naming the epoch and learning rate if the loss stops being
        finite; its ``history`` attribute holds the epochs completed before. Every argument
        is checked once, before the first step. Introduced in chapter 7 (Training).
        """
        x, t = self._check(x, t)
        optimizer, rng, validation = self._check_fit(epochs, batch_size, optimizer, lr, rng,
                                                     validation)
        if validation is not None:
            x_val, t_val = validation
        m = x.shape[1]
        batch_size = m if batch_size is None else min(int(batch_size), m)
        # Gathering rows is ~40x faster than gathering columns: shuffle the transposes and
        # hand the model .T views, which are (n, batch) again without a copy.
        xT, tT = np.ascontiguousarray(x.T), np.ascontiguousarray(t.T)  # (m, n_x), (m, n_y)
        params = self._parameters()
        history = {"loss": []} if validation is None else {"loss": [], "val_loss": [],
                                                           "val_accuracy": []}
        bar = tqdm(range(1, epochs + 1), desc="epochs", disable=not progress)
        with np.errstate(over="ignore", invalid="ignore"):  # divergence is caught below
            for epoch in bar:
                if batch_size == m:
                    batches = [(x, t)]
                else:
                    splits = np.split(rng.permutation(m), range(batch_size, m, batch_size))
                    batches = ((xT[idx].T, tT[idx].T) for idx in splits)
                total = 0.0
                for xb, tb in batches:
                    loss, grads = self._loss_and_gradients(xb, tb)
                    if not np.isfinite(loss):
                        error = FloatingPointError(
                            f"the loss became {loss} at epoch {epoch} with learning rate "
                            f"{optimizer.lr}: the steps overshoot; try a smaller learning rate")
                        error.history = history  # the epochs before it, to plot the blow-up
                        raise error
                    optimizer.step(params, [g for pair in grads for g in pair])
                    total += loss * xb.shape[1]
                history["loss"].append(total / m)
                if validation is not None:
                    y_val = self._forward_all(x_val)[1][-1]
                    history["val_loss"].append(self.loss(y_val, t_val))
                    history["val_accuracy"].append(float(np.mean(labels(y_val) == labels(t_val))))
                bar.set_postfix(loss=f"{history['loss'][-1]:.4g}", refresh=False)
        return history

    def predict(self, x):
        """Predicted classes: output > 0.5 for one output row, the argmax for several.

        Shapes: (n_x, m) -> (m,) integers. Introduced in chapter 7 (Training).
        """
        return labels(self.forward(x))

    def accuracy(self, x, t):
        """The fraction of examples whose predicted class is the target's class.

        Shapes: x (n_x, m), t (n_y, m) -> float. Introduced in chapter 7 (Training).
        """
        x, t = self._check(x, t)
        return float(np.mean(self.predict(x) == labels(t)))

    def _forward_all(self, x):
        zs, activations = [], [x]
        for layer in self.layers:
            zs.append(layer.linear(activations[-1]))        # z_l: (n_{l+1}, m)
            activations.append(layer.activation.f(zs[-1]))  # a_{l+1}: (n_{l+1}, m)
        return zs, activations

    def _loss_and_gradients(self, x, t):
        zs, a = self._forward_all(x)
        loss = self.loss(a[-1], t)
        # dL/dz of the last layer; the loss owns the 1/m and may fuse with the activation.
        dz = self.loss_function.dz(self.layers[-1].activation, zs[-1], a[-1], t)  # (n_y, m)
        grads = []
        for l in reversed(range(len(self.layers))):
            dW = dz @ a[l].T                       # (n_{l+1}, m) @ (m, n_l) -> (n_{l+1}, n_l)
            if self.weight_decay:                  # d/dW_l of (lambda/2)||W_l||^2
                dW += self.weight_decay * self.layers[l].W
            db = dz.sum(axis=1, keepdims=True)     # (n_{l+1}, 1): every example adds its share
            grads.append((dW, db))
            if l > 0:
                da = self.layers[l].W.T @ dz                             # (n_l, m)
                dz = self.layers[l - 1].activation.backward(zs[l - 1], da)  # (n_l, m)
        return loss, grads[::-1]

    def _check_x(self, x, name="x"):
        """Validate inputs; return them as a float array (bool and int are converted)."""
        x = checks.real_array(name, x, self.layers[0].W.dtype)
        n_x = self.layers[0].ins
        if x.ndim != 2 or x.shape[0] != n_x:
            hint = " (one example is a column: x.reshape(-1, 1))" if x.ndim == 1 else ""
            raise ValueError(f"layer 0 expects {name} of shape ({n_x}, m), one column per "
                             f"example, but got shape {x.shape}{hint}")
        if x.shape[1] == 0:
            raise ValueError(f"{name} has no examples: shape {x.shape}, so m = 0; a batch "
                             f"needs at least one column")
        checks.finite(name, x)
        return x

    def _check(self, x, t, names=("x", "t")):
        """Validate inputs and targets; return them as float arrays, never modified."""
        x, name = self._check_x(x, names[0]), names[1]
        raw, t = t, checks.real_array(name, t, x.dtype)
        labelled = np.asarray(raw).dtype.kind in "iu"
        n_y, last = self.layers[-1].outs, len(self.layers) - 1
        if t.ndim != 2 or t.shape[0] != n_y:
            hint = ""
            if t.ndim == 1 and n_y > 1 and labelled:
                hint = (f": these look like integer class labels, but "
                        f"{self.loss_function!r} expects one-hot targets; use "
                        f"nnlib.datasets.one_hot(labels, {n_y})")
            elif t.ndim == 1 and n_y == 1:
                hint = f": one row of targets is {name}.reshape(1, -1)"
            raise ValueError(f"layer {last} outputs {n_y} values per example, so {name} must "
                             f"have shape ({n_y}, m), but got shape {t.shape}{hint}")
        if t.shape[1] != x.shape[1]:
            raise ValueError(f"{names[0]} has m = {x.shape[1]} examples (columns) but {name} "
                             f"has {t.shape[1]}: {names[0]} {x.shape}, {name} {t.shape}")
        checks.finite(name, t)
        self.loss_function.check_targets(t, name)
        return x, t

    def _check_fit(self, epochs, batch_size, optimizer, lr, rng, validation):
        """fit's other arguments, checked once: returns (optimizer, Generator, validation)."""
        checks.integer("epochs", epochs, 0)
        if batch_size is not None:
            checks.integer("batch_size", batch_size, 1)
        optimizer = as_optimizer(optimizer, lr)
        if isinstance(optimizer, SGD):
            optimizer.check(self._parameters())  # hyper-parameters and state, before a step
        rng = checks.generator(rng)
        if validation is not None:
            if not isinstance(validation, (tuple, list)) or len(validation) != 2:
                what = (f"a {type(validation).__name__} of {len(validation)}"
                        if hasattr(validation, "__len__") else type(validation).__name__)
                raise TypeError(f"validation must be a pair (x_val, t_val), got {what}")
            validation = self._check(*validation, names=("x_val", "t_val"))
        return optimizer, rng, validation

    def _parameters(self):
        return [p for layer in self.layers for p in (layer.W, layer.b)]

    def __repr__(self):
        sizes = " -> ".join(str(n) for n in [self.layers[0].ins] + [L.outs for L in self.layers])
        acts = ", ".join(repr(layer.activation) for layer in self.layers)
        return f"NeuralNet({sizes}; {acts}; {self.loss_function!r})"


def mlp(sizes, hidden, output, loss, init=he_normal, rng=None, dtype=np.float64,
        weight_decay=0.0):
    """A NeuralNet of Layers with the given sizes, e.g. mlp([2, 16, 1], Relu(), Sigmoid(), ...).

    ``hidden`` is the activation of every layer but the last, ``output`` the last one's.
    One Generator made from ``rng`` draws every layer, so layers differ.
    Shapes: layer i has W (sizes[i+1], sizes[i]); x (sizes[0], m) -> y_pred (sizes[-1], m).
    ``weight_decay`` is NeuralNet's (chapter 11).
    Introduced in chapter 5 (Derivatives); explained in chapter 7 (Training).
    """
    if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__len__") or len(sizes) < 2:
        raise TypeError(f"mlp expects sizes as a list [n_x, ..., n_y] of at least two "
                        f"layer sizes, got {sizes!r}")
    rng = checks.generator(rng)
    n = len(sizes) - 1
    return NeuralNet([Layer(sizes[i], sizes[i + 1], output if i == n - 1 else hidden,
                            init=init, rng=rng, dtype=dtype) for i in range(n)], loss,
                     weight_decay=weight_decay)


def labels(y):
    """Class labels from outputs or targets: y > 0.5 for one row, the argmax for several.

    Shapes: (1, m) or (n_classes, m) -> (m,) integers. Introduced in chapter 4 (Loss).
    """
    y = checks.real_array("y", y)
    if y.ndim != 2 or y.shape[0] == 0:
        raise ValueError(f"labels expects y of shape (n_y, m), one column per example, got "
                         f"shape {y.shape}")
    return (y[0] > 0.5).astype(int) if y.shape[0] == 1 else y.argmax(axis=0)

