"""Argument checks: each returns the checked value or raises a clear error.

Every message names the argument, says what was expected and what arrived, and where it
helps, what to do. nnlib's public functions call these before they change anything, so a
refused call leaves the network, the optimiser and the caller's arrays as they were.
Each check is O(1) except ``finite``, which reads every entry once.

Introduced in chapter 9 (Debugging).
"""

import math
import numbers

import numpy as np

KINDS = {"U": "strings", "S": "bytes", "O": "Python objects", "c": "complex numbers",
         "V": "records", "M": "dates", "m": "time differences"}


def real_array(name, value, dtype=np.float64):
    """``value`` as an array of real floats: bool and int are converted to ``dtype``.

    Strings, objects (None, ragged lists), complex numbers and the like raise TypeError.
    """
    if value is None:
        raise TypeError(f"{name} must be an array of real numbers, got None")
    try:
        a = np.asarray(value)
    except ValueError as error:  # a ragged list: rows of different lengths
        raise TypeError(f"{name} must be a rectangular array of real numbers, got "
                        f"{type(value).__name__} that NumPy cannot make one of: {error}") from None
    if a.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be an array of real numbers, got "
                        f"{KINDS.get(a.dtype.kind, 'values')} (dtype {a.dtype})")
    return a if a.dtype.kind == "f" else a.astype(dtype)


def finite(name, a):
    """Raise ValueError if the array ``a`` holds a NaN or an infinity. O(a.size)."""
    if not np.isfinite(a).all():
        bad = a.size - np.count_nonzero(np.isfinite(a))
        raise ValueError(f"{name} must be finite, but {bad} of its {a.size} entries are NaN "
                         f"or infinite (shape {a.shape}): find where they come from, or drop "
                         f"those examples")


def real_number(name, value, expected):
    """``value`` as a Python float: a real number, not a bool, a string or an array."""
    if type(value) is float and math.isfinite(value):  # the common case, checked fastest
        return value
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]  # a 0-d array is a scalar in all but name
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        shape = f" of shape {value.shape}" if isinstance(value, np.ndarray) else ""
        raise TypeError(f"{name} must be {expected}, a single real number; got "
                        f"{type(value).__name__}{shape} {value!r}"[:240])
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be {expected}, a finite number; got {value}")
    return value


def positive(name, value, hint=""):
    """``value`` as a float > 0 and finite."""
    value = real_number(name, value, "> 0")
    if value <= 0:
        raise ValueError(f"{name} must be > 0, got {value}{hint}")
    return value


def learning_rate(lr, name="lr"):
    """A learning rate: a finite float > 0 (a step against the gradient, not along it)."""
    return positive(name, lr, ": a negative rate steps uphill and a zero one does nothing; "
                    "try 0.1, then 10 times smaller or larger")


def fraction(name, value):
    """A decay rate: a float in [0, 1). At 1 the running average never forgets its start."""
    value = real_number(name, value, "in [0, 1)")
    if not 0 <= value < 1:
        raise ValueError(f"{name} must be in [0, 1), got {value}")
    return value


def integer(name, value, least):
    """``value`` as an int >= least (bools and floats are refused, even 3.0)."""
    what = "a positive integer" if least == 1 else f"an integer >= {least}"
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be {what}, got {type(value).__name__} {value!r}")
    if value < least:
        raise ValueError(f"{name} must be {what}, got {value}")
    return int(value)


def generator(rng):
    """``rng`` as a numpy Generator: a Generator, an integer seed, or None (fresh entropy)."""
    try:
        return np.random.default_rng(rng)
    except (TypeError, ValueError) as error:
        raise TypeError(f"rng must be a numpy Generator or an integer seed, got {rng!r} "
                        f"({error})") from None
