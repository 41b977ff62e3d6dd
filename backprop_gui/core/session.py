"""A session: a network, its data, training settings and where the user stopped."""

from __future__ import annotations

from dataclasses import dataclass, field

from backprop_gui.core.datasets import Dataset
from backprop_gui.core.network import Network
from backprop_gui.core.training import LossHistory, TrainingSettings


@dataclass
class Session:
    """Everything a session file holds. ``epoch`` and ``batch`` are how far training got
    (completed epochs, next minibatch of the current epoch), so training resumes exactly."""

    name: str
    network: Network
    data: Dataset
    training: TrainingSettings = field(default_factory=TrainingSettings)
    note: str = ""
    history: LossHistory = field(default_factory=LossHistory)
    epoch: int = 0
    batch: int = 0
