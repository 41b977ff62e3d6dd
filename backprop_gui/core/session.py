"""A session: a network, its data, training settings and where the user stopped."""

from __future__ import annotations

from dataclasses import dataclass, field

from backprop_gui.core.datasets import Dataset
from backprop_gui.core.network import Network
from backprop_gui.core.training import TrainingSettings


@dataclass
class Session:
    name: str
    network: Network
    data: Dataset
    training: TrainingSettings = field(default_factory=TrainingSettings)
    note: str = ""
