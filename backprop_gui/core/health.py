"""Layer health: how large δ^l and ∂C/∂w^l of each layer are over training.

The size of an array is its RMS, √(mean of the squares of its entries): for δ^l over every
neuron and sample of the step's batch, for ∂C/∂w^l over every weight of the layer. RMS does
not grow with the layer's width, so layers of different sizes compare on one plot, and
vanishing or exploding gradients show as curves sinking or rising by decades.

Memory is bounded: every epoch is kept (one row per epoch), and the per-step series is
decimated — when ``capacity`` points are stored, neighbours merge in pairs (RMS of the two)
and each point then stands for twice as many steps.
"""

from __future__ import annotations

import math
import threading
from typing import Any

import numpy as np

from backprop_gui.core.backprop import PassResult
from backprop_gui.core.training import Trainer, TrainerHook

Array = np.ndarray


def mean_square(values: Array) -> float:
    """Mean of values²; 0 for an empty array. (One BLAS call: it runs after every training step.)"""
    return float(np.vdot(values, values)) / values.size if values.size else 0.0


def rms(values: Array) -> float:
    """√(mean of values²); 0 for an empty array."""
    return math.sqrt(mean_square(values))


def layer_sizes(result: PassResult) -> tuple[Array, Array]:
    """(RMS of δ^l, RMS of ∂C/∂w^l) for l = 1..L, each of shape (L,)."""
    layers = sorted(result.delta)
    return (
        np.array([rms(result.delta[l]) for l in layers]),
        np.array([rms(result.grad_w[l]) for l in layers]),
    )


class HealthRecorder:
    """Per-layer RMS of δ^l and ∂C/∂w^l, per step (decimated) and per epoch (in full).

    ``record`` may run on a training thread while a view reads ``snapshot`` on another.
    """

    def __init__(self, depth: int, capacity: int = 2048) -> None:
        if capacity < 2 or capacity % 2:
            raise ValueError(f"capacity: must be an even number of at least 2, got {capacity}")
        self.depth = depth
        self.capacity = capacity
        self.version = 0  # grows with every change, so a view knows when to redraw
        self._lock = threading.Lock()
        self._hook = TrainerHook()
        self.clear()

    def clear(self) -> None:
        with self._lock:
            self._steps = np.zeros(self.capacity)
            self._squares = np.zeros((2, self.capacity, self.depth))  # mean squares: δ, ∂C/∂w
            self._count = 0
            self._stride = 1  # steps per stored point
            self._pending = np.zeros((2, self.depth))
            self._squares_of_step = np.zeros((2, self.depth))  # record's scratch row
            self._pending_steps = 0
            self._epoch_rows: list[Array] = []
            self._epoch_sum = np.zeros((2, self.depth))
            self._epoch_steps = 0
            self.version += 1

    def __getstate__(self) -> dict[str, Any]:
        """What pickling sends (to a training process and back): the figures, without the lock or the hook."""
        with self._lock:
            return {k: v for k, v in self.__dict__.items() if k not in ("_lock", "_hook")}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()
        self._hook = TrainerHook()

    def load(self, other: HealthRecorder) -> None:
        """Take over the figures of ``other`` (the copy a training process recorded into)."""
        figures = other.__getstate__()
        figures.pop("version")
        with self._lock:
            self.__dict__.update(figures)
            self.version += 1

    def record(self, result: PassResult, step: int) -> None:
        """Add the sizes of one training step ``step`` (1-based)."""
        squares = self._squares_of_step
        for i in range(self.depth):  # mean squares straight into one row: this runs after every step
            squares[0, i] = mean_square(result.delta[i + 1])
            squares[1, i] = mean_square(result.grad_w[i + 1])
        with self._lock:
            self._epoch_sum += squares
            self._epoch_steps += 1
            self._pending += squares
            self._pending_steps += 1
            if self._pending_steps == self._stride:
                self._steps[self._count] = step
                self._squares[:, self._count] = self._pending / self._pending_steps
                self._count += 1
                self._pending[:] = 0
                self._pending_steps = 0
                if self._count == self.capacity:
                    self._halve()
            self.version += 1

    def end_epoch(self) -> None:
        """Close the epoch: its row is the RMS over all of its steps."""
        with self._lock:
            if self._epoch_steps:
                self._epoch_rows.append(np.sqrt(self._epoch_sum / self._epoch_steps))
            self._epoch_sum[:] = 0
            self._epoch_steps = 0
            self.version += 1

    def _halve(self) -> None:
        half = self.capacity // 2
        self._steps[:half] = self._steps[1 : self.capacity : 2]
        self._squares[:, :half] = (self._squares[:, 0::2] + self._squares[:, 1::2]) / 2
        self._count = half
        self._stride *= 2

    def snapshot(self, per_epoch: bool = False) -> tuple[Array, Array, Array]:
        """(x, RMS δ (n, L), RMS ∂C/∂w (n, L)): x is the last step each point covers, or the
        1-based epoch number when ``per_epoch``. Copies, safe to keep."""
        with self._lock:
            if per_epoch:
                rows = np.array(self._epoch_rows).reshape(-1, 2, self.depth)
                return np.arange(1.0, len(rows) + 1), rows[:, 0].copy(), rows[:, 1].copy()
            sizes = np.sqrt(self._squares[:, : self._count])
            return self._steps[: self._count].copy(), sizes[0].copy(), sizes[1].copy()

    @property
    def steps_per_point(self) -> int:
        return self._stride

    # --- attaching to a trainer --------------------------------------------------

    def attach(self, trainer: Trainer) -> None:
        """Record every step of ``trainer`` (through its observer hook) and each epoch's end."""

        def observer(result: PassResult, step: int) -> None:
            self.record(result, step)
            if trainer.batch == 0:
                self.end_epoch()

        self._hook.attach(trainer, observer)

    def detach(self) -> None:
        """Stop watching the trainer attached last (if any)."""
        self._hook.detach()
