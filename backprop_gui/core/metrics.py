"""How well a network does on a set of samples: mean loss, and for classification accuracy and the
confusion matrix.

Classes are decided as the decision map decides them (``decision.target_classes``): for several
outputs the arg-max of a^L (or of t), for one output a^L ≥ 0.5 (or t ≥ 0.5) is class 2 (index 1).
A network classifies when its output layer is softmax or sigmoid and every target is a class:
one-hot rows for several outputs, 0 or 1 for one output.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from backprop_gui.core.backprop import forward
from backprop_gui.core.datasets import Dataset
from backprop_gui.core.decision import is_classification, target_classes
from backprop_gui.core.losses import LOSSES
from backprop_gui.core.network import Network

CLASS_OUTPUTS = ("softmax", "sigmoid")
MEMORY_BUDGET = 64 * 2**20  # bytes of z^l, a^l held at once while a set of samples is evaluated


@dataclass(frozen=True)
class Evaluation:
    """The mean loss C over a set of samples and, for classification, the share classified right
    (None otherwise)."""

    loss: float
    accuracy: float | None


def classifies(network: Network, data: Dataset) -> bool:
    """Whether ``network`` classifies ``data``: softmax or sigmoid outputs and class targets."""
    return network.layers[-1].activation in CLASS_OUTPUTS and len(data) > 0 and is_classification(data.targets)


def class_count(network: Network) -> int:
    """K, the number of classes: n_L, or 2 for one output."""
    return max(2, network.layers[-1].size)


def outputs(network: Network, inputs: np.ndarray) -> np.ndarray:
    """a^L of samples given as rows, ``inputs`` (N, raw_input_size) → (N, n_L), a chunk of rows at a
    time so that the pass never holds more than ``MEMORY_BUDGET`` bytes."""
    chunk = max(1, MEMORY_BUDGET // (8 * 3 * max(network.sizes + [network.raw_input_size])))
    result = np.empty((len(inputs), network.layers[-1].size))
    for start in range(0, len(inputs), chunk):
        _, a = forward(network, inputs[start : start + chunk].T)
        result[start : start + chunk] = a[network.depth].T
    return result


def evaluate(network: Network, data: Dataset, rows: np.ndarray, classification: bool) -> Evaluation:
    """The mean loss over ``data``'s samples ``rows`` (NaN for none) and, with ``classification``,
    their accuracy."""
    a = outputs(network, data.inputs[rows])
    targets = data.targets[rows]
    loss = float(LOSSES[network.loss].value(a.T, targets.T).mean()) if len(rows) else float("nan")
    return Evaluation(loss, _share_right(a, targets) if classification else None)


def accuracy(network: Network, data: Dataset, rows: np.ndarray) -> float:
    """The share of ``data``'s samples ``rows`` whose class the network gets right (NaN for none)."""
    return _share_right(outputs(network, data.inputs[rows]), data.targets[rows])


def _share_right(outputs: np.ndarray, targets: np.ndarray) -> float:
    """The share of rows of a^L ``outputs`` (N, n_L) in the class of ``targets`` (N, n_L)."""
    if not len(targets):
        return float("nan")
    return int(np.count_nonzero(target_classes(outputs) == target_classes(targets))) / len(targets)


def confusion_matrix(network: Network, data: Dataset, rows: np.ndarray) -> np.ndarray:
    """(K, K) counts of ``data``'s samples ``rows``: row = true class, column = predicted class."""
    classes = class_count(network)
    true = target_classes(data.targets[rows])
    predicted = target_classes(outputs(network, data.inputs[rows]))
    counts = np.zeros((classes, classes), dtype=np.int64)
    np.add.at(counts, (true, predicted), 1)
    return counts
