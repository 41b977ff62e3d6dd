"""Input features: the network's inputs a^0 as functions of the raw 2-D input (x1, x2).

A network with ``features`` (names from ``FEATURES``) feeds ``a^0 = features(raw)`` into layer 1:
``a_k^0`` is the k-th named feature of the sample's raw values. The data keeps the raw values
(N, 2); only the pass sees the features, (len(features), B).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

RAW_INPUT_SIZE = 2  # features are functions of (x1, x2)
FEATURES = ("x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)")
# How each feature reads in a label: a_3^0 = x1²
FORMULAS = {
    "x1": "x1",
    "x2": "x2",
    "x1^2": "x1²",
    "x2^2": "x2²",
    "x1*x2": "x1·x2",
    "sin(x1)": "sin x1",
    "sin(x2)": "sin x2",
}
_VALUES: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "x1": lambda x1, x2: x1,
    "x2": lambda x1, x2: x2,
    "x1^2": lambda x1, x2: x1 * x1,
    "x2^2": lambda x1, x2: x2 * x2,
    "x1*x2": lambda x1, x2: x1 * x2,
    "sin(x1)": lambda x1, x2: np.sin(x1),
    "sin(x2)": lambda x1, x2: np.sin(x2),
}


def formula(name: str) -> str:
    """The display formula of feature ``name`` ("x1²" for "x1^2")."""
    return FORMULAS[name]


def feature_text(name: str) -> str:
    """Feature ``name``'s formula in plain text with the raw inputs subscripted: "x₁²" for "x1^2"."""
    return formula(name).replace("x1", "x₁").replace("x2", "x₂")


def check_features(names: Sequence[str], where: str = "features") -> tuple[str, ...]:
    """``names`` as a tuple; ValueError naming ``where`` for an empty list, an unknown name or a duplicate."""
    if not names:
        raise ValueError(f"{where}: choose at least one feature (known: {', '.join(FEATURES)})")
    for i, name in enumerate(names):
        if name not in _VALUES:
            raise ValueError(f"{where}[{i}]: unknown feature {name!r} (known: {', '.join(FEATURES)})")
        if name in names[:i]:
            raise ValueError(f"{where}[{i}]: feature {name!r} is chosen twice")
    return tuple(names)


def feature_columns(raw: np.ndarray, names: Sequence[str]) -> np.ndarray:
    """a^0 for a batch of raw inputs as columns: ``raw`` (2, B) → (len(names), B)."""
    if raw.shape[0] != RAW_INPUT_SIZE:
        raise ValueError(f"features need {RAW_INPUT_SIZE} raw inputs (x1, x2) per sample, got {raw.shape[0]}")
    x1, x2 = raw[0], raw[1]
    out = np.empty((len(names), raw.shape[1]))
    for k, name in enumerate(names):
        out[k] = _VALUES[name](x1, x2)
    return out


def feature_matrix(raw: np.ndarray, names: Sequence[str]) -> np.ndarray:
    """The features of samples given as rows: ``raw`` (N, 2) → (N, len(names))."""
    return feature_columns(np.asarray(raw, dtype=float).T, names).T
