"""The background runner: SGD on a worker thread, handed to the GUI in consistent snapshots.

The worker trains a private copy of the network with the core's ``Trainer``. At most
``PUBLISH_RATE`` times a second it publishes what happened since the last time — the new
losses and epoch entries, a copy of the parameters, the epoch and batch counters — into a
``Progress``, emits ``signals.published`` and waits (at most ``MAX_HANDOFF`` seconds) until
the GUI thread has collected it with ``take()`` and drawn it, then calls ``resume()``. The
GUI thread alone writes the session, so nothing on screen can read half-written parameters;
and while it draws, the worker does not compete with it for Python's GIL (which otherwise
makes every Qt call of a redraw wait for the worker's switch interval, freezing the window).
"""

from __future__ import annotations

import copy
import sys
import threading
import time
from array import array
from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QObject, Signal

from backprop_gui.core.datasets import Dataset
from backprop_gui.core.network import Network
from backprop_gui.core.training import LossHistory, Trainer, TrainingSettings

PUBLISH_RATE = 20.0  # snapshots per second at most
MAX_HANDOFF = 0.1  # seconds the worker waits for the GUI to draw a snapshot
# Python's GIL switch interval while a run is on: the GUI thread waits at most this long for the
# GIL (the default 5 ms, paid on every Qt call of a redraw, freezes the window for 100 ms at a time).
SWITCH_INTERVAL = 0.0005
MAX_DELAY = 2.0  # the slowest speed: seconds per step


@dataclass
class Progress:
    """What the worker did since the last ``take()``: entries to append to the session's history,
    then the parameters and counters as they are after the last of those steps."""

    step_losses: array = field(default_factory=lambda: array("d"))
    epoch_losses: list[float] = field(default_factory=list)
    validation_losses: list[float] = field(default_factory=list)
    epoch_ends: list[int] = field(default_factory=list)
    rate_changes: list[tuple[int, float]] = field(default_factory=list)
    weights: dict[int, np.ndarray] | None = None
    biases: dict[int, np.ndarray] | None = None
    epoch: int = 0
    batch: int = 0
    last_sample: int | None = None
    next_sample: int | None = None

    @property
    def empty(self) -> bool:
        return self.weights is None and not self.rate_changes

    def apply_to(self, history: LossHistory) -> None:
        """Append the new entries to ``history`` (the session's)."""
        history.step_losses.extend(self.step_losses)
        history.epoch_losses.extend(self.epoch_losses)
        history.validation_losses.extend(self.validation_losses)
        history.epoch_ends.extend(self.epoch_ends)
        history.rate_changes.extend(self.rate_changes)


def copy_history(history: LossHistory) -> LossHistory:
    return LossHistory(
        array("d", history.step_losses),
        list(history.epoch_losses),
        list(history.validation_losses),
        list(history.epoch_ends),
        list(history.rate_changes),
    )


class RunnerSignals(QObject):
    """Emitted from the worker thread (delivered queued to the GUI thread), carrying the runner."""

    published = Signal(object)  # a snapshot is ready: take() it, draw, then resume()
    ended = Signal(object)  # the run is over (done, stopped or diverged): join with stop()


class TrainingRunner:
    """One run of SGD on a worker thread, until ``target_epoch`` is reached, ``stop()`` or divergence.

    ``network``, ``history``, ``settings`` are the session's and are only read here, when the
    run starts; ``data`` is shared read-only and must not change while the run is alive.
    """

    def __init__(
        self,
        network: Network,
        data: Dataset,
        settings: TrainingSettings,
        history: LossHistory,
        epoch: int,
        batch: int,
        target_epoch: int,
        delay: float = 0.0,
    ) -> None:
        self._trainer = Trainer(network.copy(), data, copy.copy(settings), copy_history(history), epoch, batch)
        self.target_epoch = target_epoch
        self.error: Exception | None = None  # why the run stopped early (Divergence, a breakpoint…)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._go = threading.Event()
        self.signals = RunnerSignals()
        self._pending = Progress()
        self._published = self._counts()
        self._rate: float | None = None
        self._delay = max(0.0, float(delay))
        self._steps_done = 0
        self._thread = threading.Thread(target=self._run, name="backprop-gui training", daemon=True)

    # --- control, from the GUI thread ------------------------------------------------

    def start(self) -> None:
        self._thread.start()

    def stop(self, wait: bool = True) -> None:
        """Ask the worker to stop after the step in progress; with ``wait``, until it has."""
        self._stop.set()
        self._go.set()
        if wait and self._thread.is_alive():
            self._thread.join()

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def set_learning_rate(self, learning_rate: float) -> None:
        """η for every step after the one in progress (marked in the history)."""
        self._rate = float(learning_rate)

    def set_delay(self, seconds: float) -> None:
        """Seconds to wait after each step (0: as fast as possible)."""
        self._delay = min(MAX_DELAY, max(0.0, float(seconds)))

    def resume(self) -> None:
        """The GUI has drawn the last snapshot: the worker may go on."""
        self._go.set()

    def take(self) -> Progress:
        """Everything published since the last call (empty if nothing new)."""
        with self._lock:
            progress, self._pending = self._pending, Progress()
        return progress

    @property
    def trainer(self) -> Trainer:
        """The run's own Trainer (on a private copy of the network). Observers may be added
        before ``start()``; they then run on the worker thread."""
        return self._trainer

    @property
    def steps_done(self) -> int:
        """Steps this run has trained so far (read without a lock: an int is atomic)."""
        return self._steps_done

    # --- the worker ------------------------------------------------------------------

    def _run(self) -> None:
        previous = sys.getswitchinterval()
        sys.setswitchinterval(SWITCH_INTERVAL)
        try:
            self._train()
        finally:
            sys.setswitchinterval(previous)
            self.signals.ended.emit(self)

    def _train(self) -> None:
        trainer = self._trainer
        last_publish = time.perf_counter()
        last_sample = None
        try:
            with np.errstate(over="ignore", invalid="ignore"):  # NaN/inf end the run as a Divergence
                while trainer.epoch < self.target_epoch and not self._stop.is_set():
                    last_sample = self._step(trainer)
                    now = time.perf_counter()
                    if now - last_publish >= 1.0 / PUBLISH_RATE:
                        self._hand_over(last_sample)
                        last_publish = time.perf_counter()
                    if self._delay > 0:
                        self._stop.wait(self._delay)
        except Exception as error:  # Divergence, an observer stopping the run (a breakpoint), or a bug:
            self.error = error  # the run ends cleanly after the last finished step and the GUI reports it
        self._publish(last_sample, final=True)

    def _hand_over(self, last_sample: int) -> None:
        """Publish, and let the GUI draw it before training on."""
        self._go.clear()
        self._publish(last_sample)
        self.signals.published.emit(self)
        self._go.wait(MAX_HANDOFF)

    def _step(self, trainer: Trainer) -> int:
        """One SGD step (with η as last asked for); returns the last sample it trained on."""
        rate = self._rate  # no lock per step: a plain attribute read is atomic
        if rate is not None and rate != trainer.settings.learning_rate:
            trainer.set_learning_rate(rate)
        last_sample = int(trainer.next_samples()[-1])
        trainer.step()
        self._steps_done += 1
        return last_sample

    def _counts(self) -> tuple[int, int, int, int, int]:
        h = self._trainer.history
        return (h.steps, len(h.epoch_losses), len(h.validation_losses), len(h.epoch_ends), len(h.rate_changes))

    def _publish(self, last_sample: int | None, final: bool = False) -> None:
        trainer, h = self._trainer, self._trainer.history
        steps, epochs, validations, ends, rates = self._published
        net = trainer.network
        weights = {l: layer.weights.copy() for l, layer in enumerate(net.layers, start=1)}
        biases = {l: layer.biases.copy() for l, layer in enumerate(net.layers, start=1)}
        next_sample = int(trainer.next_samples()[0]) if final and len(trainer.train_indices) else None
        with self._lock:
            p = self._pending
            p.step_losses.extend(h.step_losses[steps:])
            p.epoch_losses.extend(h.epoch_losses[epochs:])
            p.validation_losses.extend(h.validation_losses[validations:])
            p.epoch_ends.extend(h.epoch_ends[ends:])
            p.rate_changes.extend(h.rate_changes[rates:])
            p.weights, p.biases = weights, biases
            p.epoch, p.batch = trainer.epoch, trainer.batch
            p.last_sample = last_sample if last_sample is not None else p.last_sample
            p.next_sample = next_sample
        self._published = self._counts()
