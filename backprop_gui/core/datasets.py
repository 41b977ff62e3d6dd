"""Data sets: samples as rows, ``inputs`` (N, n_0) and ``targets`` (N, n_L), float64."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

MAX_SAMPLES = 1_000_000


@dataclass
class Dataset:
    """Samples as rows. ``generator`` names the built-in generator and its settings
    (``{"name": "moons", "samples": 200, "noise": 0.1, "seed": 0}``) when the data came
    from one, so a session can store the recipe instead of the numbers."""

    inputs: np.ndarray
    targets: np.ndarray
    generator: dict[str, Any] | None = None
    validation_fraction: float = 0.0
    input_labels: list[str] = field(default_factory=list)
    target_labels: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.inputs)
