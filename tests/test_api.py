"""nnlib's public names (nnlib/__init__.py): they exist, are documented, and import quietly."""

import inspect
import subprocess
import sys
from pathlib import Path

import pytest

import nnlib

PUBLIC = sorted(nnlib.__all__)


@pytest.mark.parametrize("name", PUBLIC)
def test_public_name_exists_and_has_a_docstring(name):
    obj = getattr(nnlib, name)
    doc = inspect.getdoc(obj)
    assert doc, f"nnlib.{name} has no docstring"
    assert len(doc.split()) >= 5, f"nnlib.{name}'s docstring is too short to say what it does"


CLASSES = [name for name in PUBLIC if inspect.isclass(getattr(nnlib, name))]


@pytest.mark.parametrize("name", CLASSES)
def test_public_methods_have_docstrings(name):
    cls = getattr(nnlib, name)
    missing = [method for method, f in inspect.getmembers(cls, inspect.isfunction)
               if not method.startswith("_") and not inspect.getdoc(f)]
    assert not missing, f"nnlib.{name} methods without a docstring: {missing}"


def test_the_contracts_names():
    expected = {"Activation", "Identity", "LeakyRelu", "Relu", "Sigmoid", "Tanh", "Softmax",
                "Loss", "MSE", "BinaryCrossEntropy", "CrossEntropy", "Layer", "NeuralNet", "mlp",
                "gradient_check", "SGD", "Momentum", "Adam", "zeros", "normal",
                "inverse_size_normal", "xavier_uniform", "xavier_normal", "he_normal", "init",
                "datasets", "plot"}
    assert expected <= set(nnlib.__all__)
    assert len(set(nnlib.__all__)) == len(nnlib.__all__)  # no name listed twice


def test_import_is_silent_and_changes_no_global_setting():
    code = """
import numpy as np
options, errors = np.get_printoptions(), np.geterr()
state = np.random.get_state()[1].copy()
import matplotlib
rc = dict(matplotlib.rcParams)
import nnlib
assert dict(matplotlib.rcParams) == rc, "matplotlib's rcParams changed"
assert np.get_printoptions() == options, "print options changed"
assert np.geterr() == errors, "floating-point error handling changed"
assert (np.random.get_state()[1] == state).all(), "the global random state was used"
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120, cwd=Path(__file__).parents[1])
    assert result.returncode == 0, result.stderr
    assert result.stdout == "" and result.stderr == ""
