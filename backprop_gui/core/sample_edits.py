"""Samples added and removed by hand (the decision map's clicks), as new data sets.

Each function returns a new ``Dataset`` (for ``core.editing.SetData``) and never writes into the
old one's arrays. An edited data set no longer comes from a generator's recipe, so it is saved
with its numbers. Classes are 0-based here: for one target column, class c is t = c (0 or 1);
for several, class c is the one-hot row with t_{c+1} = 1.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from backprop_gui.core.datasets import Dataset
from backprop_gui.core.decision import is_classification
from backprop_gui.core.formatting import counted

BRUSH_SAMPLES = 6  # samples a brush stroke adds
BRUSH_RADIUS = 0.05  # a brush cluster's radius, as a fraction of the plane's width and height


def class_count(data: Dataset) -> int:
    """How many classes ``data``'s targets can name: 2 for one 0/1 column, n_L for one-hot rows;
    0 when the targets are not classes (regression)."""
    if not is_classification(data.targets):
        return 0
    return 2 if data.target_size == 1 else data.target_size


def class_target(data: Dataset, c: int) -> np.ndarray:
    """The target row t of class ``c`` (0-based) in ``data``'s layout, shape (n_L,)."""
    count = class_count(data)
    if not 0 <= c < count:
        raise ValueError(f"class {c + 1} does not exist: the data has {count} classes")
    if data.target_size == 1:
        return np.array([float(c)])
    one_hot: np.ndarray = np.eye(data.target_size)[c]
    return one_hot


def with_samples(data: Dataset, inputs: np.ndarray, targets: np.ndarray) -> Dataset:
    """``data`` with the samples ``inputs`` (m, n_0) and ``targets`` (m, n_L) appended at the end."""
    inputs, targets = np.atleast_2d(np.asarray(inputs, float)), np.atleast_2d(np.asarray(targets, float))
    if inputs.shape[1] != data.input_size or targets.shape[1] != data.target_size or len(inputs) != len(targets):
        raise ValueError(
            f"new samples must have {counted(data.input_size, 'input')} and "
            f"{counted(data.target_size, 'target')} each, "
            f"got inputs {inputs.shape} and targets {targets.shape}"
        )
    if not (np.all(np.isfinite(inputs)) and np.all(np.isfinite(targets))):
        raise ValueError("new samples must be finite numbers")
    return replace(
        data, inputs=np.vstack([data.inputs, inputs]), targets=np.vstack([data.targets, targets]), generator=None
    )


def without_sample(data: Dataset, index: int) -> Dataset:
    """``data`` without sample ``index`` (0-based); the last sample cannot be removed."""
    if not 0 <= index < len(data):
        raise ValueError(f"sample {index + 1} does not exist (the data has {counted(len(data), 'sample')})")
    if len(data) == 1:
        raise ValueError("cannot remove the only sample: the data needs at least one")
    inputs, targets = np.delete(data.inputs, index, axis=0), np.delete(data.targets, index, axis=0)
    return replace(data, inputs=inputs, targets=targets, generator=None)


def nearest_sample(inputs: np.ndarray, point: np.ndarray, scale: np.ndarray) -> tuple[int, float]:
    """The sample of ``inputs`` (N, 2) nearest to ``point`` (2,) and its distance, each axis divided
    by ``scale`` (2,) first (so that distances are as seen on a plot of that width and height)."""
    if not len(inputs):
        raise ValueError("there are no samples")
    distances = np.hypot(*((inputs - point) / scale).T)
    index = int(np.argmin(distances))
    return index, float(distances[index])


def brush_cluster(center: np.ndarray, extent: np.ndarray, seed: int, count: int = BRUSH_SAMPLES) -> np.ndarray:
    """``count`` points spread evenly over a disc around ``center`` (2,) whose radius is BRUSH_RADIUS
    of ``extent`` (2,: the plane's width and height), drawn from ``seed``; shape (count, 2)."""
    rng = np.random.default_rng(seed)
    angle = rng.uniform(0.0, 2.0 * np.pi, count)
    radius = BRUSH_RADIUS * np.sqrt(rng.uniform(0.0, 1.0, count))
    offsets = np.column_stack([np.cos(angle), np.sin(angle)]) * radius[:, None] * extent
    points: np.ndarray = center + offsets
    return points
