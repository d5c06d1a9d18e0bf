"""nnlib: a neural network library from scratch in NumPy, small enough to read in one sitting.

Shapes, everywhere (column-major, one example per column)
    x, a : (n_features, m)    t, y_pred : (n_y, m)    W : (n_out, n_in)    b : (n_out, 1)

Simple and readable first; vectorised over the batch so that it is not slow. The book
"Neural Networks from Scratch" builds every piece, chapter by chapter.
"""

from nnlib import datasets, init, plot
from nnlib.activations import Activation, Identity, LeakyRelu, Relu, Sigmoid, Softmax, Tanh
from nnlib.gradcheck import gradient_check
from nnlib.init import (
    he_normal,
    inverse_size_normal,
    normal,
    xavier_normal,
    xavier_uniform,
    zeros,
)
from nnlib.layers import Layer
from nnlib.losses import MSE, BinaryCrossEntropy, CrossEntropy, Loss
from nnlib.network import NeuralNet, labels, mlp
from nnlib.optimizers import SGD, Adam, Momentum

__all__ = [
    "Activation", "Identity", "LeakyRelu", "Relu", "Sigmoid", "Softmax", "Tanh",
    "Loss", "MSE", "BinaryCrossEntropy", "CrossEntropy",
    "Layer", "NeuralNet", "mlp", "labels", "gradient_check",
    "SGD", "Momentum", "Adam",
    "zeros", "normal", "inverse_size_normal", "xavier_uniform", "xavier_normal", "he_normal",
    "init", "datasets", "plot",
]
