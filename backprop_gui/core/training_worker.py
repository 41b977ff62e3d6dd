"""Training in a worker process, so that the window's thread never runs a training step.

A ``TrainingWorker`` is a process started with the ``spawn`` context (alike on Linux, macOS and
Windows) the first time it is asked to train, and kept for further runs. Each run gets a
``RunRequest``: a copy of the network, the data (sent again only when it changed), the settings,
the history, where training stands, where it ends, and what to watch (breakpoints, layer health).
The worker trains with the core ``Trainer`` and streams ``Snapshot``s back through a pipe: what the
history gained since the last snapshot, the trainer's state after its last step, and where it
stands. The window acknowledges each snapshot once it has drawn it; the worker sends the next no
sooner than ``1 / FRAME_RATE`` s later, and only once acknowledged, so a slow window gets fewer,
larger snapshots and never a backlog; at full speed (no delay after each step) it sends at most
``FULL_SPEED_RATE`` a second. Every run ends with one ``final`` snapshot.

The protocol, pickled through one duplex pipe:

- window → worker: ``("run", RunRequest)``, ``("stop",)``, ``("delay", seconds)``, ``("ack",)``, ``("quit",)``;
- worker → window: ``Snapshot``.

The worker ends when asked to, when the pipe closes, or when the process that started it dies,
so it never outlives its window. It runs at the window's priority: the window's work comes in
short turns (a snapshot drawn in a few ms), which the system's scheduler serves at once, so on a
busy machine the window stays on time while training keeps its share against other programs (at a
lower priority it lost a third of its speed to them, for a window that was on time anyway).
"""

from __future__ import annotations

import multiprocessing
import time
from array import array
from dataclasses import dataclass, field, replace
from functools import partial
from multiprocessing.connection import Connection, wait
from typing import Any, Final

import numpy as np

from backprop_gui.core.backprop import set_parameters
from backprop_gui.core.blas_threads import one_thread_environment
from backprop_gui.core.breakpoints import BreakpointMonitor, BreakpointSettings, last_step_rows
from backprop_gui.core.datasets import Dataset
from backprop_gui.core.health import HealthChanges, HealthRecorder
from backprop_gui.core.network import Network
from backprop_gui.core.optimizers import OptimizerState
from backprop_gui.core.session import Session
from backprop_gui.core.training import LossHistory, Trainer, TrainingSettings

FRAME_RATE = 30.0  # snapshots per second at most while a run waits after each step (watched step by step)
# Snapshots per second at most at full speed: the window redraws the loss plot for each (5-10 ms of its
# processor, which a busy machine takes from training), and a live plot needs no more.
FULL_SPEED_RATE = 10.0
LOOK_INTERVAL = 0.002  # s of training between looks at the pipe for a stop, a new delay or an ack
MAX_DELAY = 2.0  # the slowest speed: seconds per step
STOP_TIMEOUT = 30.0  # s to wait for a run's final snapshot before the worker counts as hung
START_METHOD: Final = "spawn"
MAX_IDLE = 2  # released workers kept for the next window (starting a process takes a second or so)


@dataclass
class RunWatch:
    """What a run watches besides the loss: breakpoint conditions (a ``BreakpointHit`` stops the
    run) and the layer health it records. Either may be None."""

    breakpoints: BreakpointSettings | None = None
    health: HealthRecorder | None = None

    def attach(self, trainer: Trainer) -> None:
        """Watch ``trainer`` from its next step on: breakpoints first, so the step that hits is measured
        by health (whether or not it is one health measures) before the run stops."""
        health = self.health
        if self.breakpoints is not None:
            measure = None if health is None else partial(health.measure, trainer)
            BreakpointMonitor(self.breakpoints, trainer.network).attach(trainer, measure)
        if health is not None:
            health.attach(trainer)


@dataclass
class TrainerState:
    """Everything a trainer carries besides its data and history: the network with its parameters,
    the epoch and minibatch counters, the optimiser's state. A snapshot carries it whole;
    ``load_into`` puts it into a session, so state a trainer gains is sent and applied in this one place."""

    network: Network
    epoch: int
    batch: int
    optimizer_state: OptimizerState

    @classmethod
    def of(cls, trainer: Trainer) -> TrainerState:
        return cls(trainer.network.copy(), trainer.epoch, trainer.batch, trainer.optimizer_state.copy())

    def load_into(self, session: Session, optimizer_state: OptimizerState) -> None:
        """Give ``session``'s network these parameters, the session these counters, and the holder
        ``optimizer_state`` this optimiser state."""
        layers = list(enumerate(self.network.layers, start=1))
        set_parameters(session.network, {l: n.weights for l, n in layers}, {l: n.biases for l, n in layers})
        session.epoch, session.batch = self.epoch, self.batch
        optimizer_state.assign(self.optimizer_state)


@dataclass
class RunRequest:
    """One run: train ``network`` on ``data`` with ``settings`` from (``epoch``, ``batch``) until epoch
    ``target_epoch`` is reached, continuing ``history`` (the window sends ``LossHistory.tail``: the
    current epoch's losses, not the whole history) and ``optimizer_state``. ``data`` None: the
    arrays of the run before, with ``validation_fraction`` and the train/test split ``test_fraction``,
    ``split_seed``. ``delay``: seconds to wait after each step."""

    run: int
    network: Network
    data: Dataset | None
    validation_fraction: float
    settings: TrainingSettings
    history: LossHistory
    epoch: int
    batch: int
    target_epoch: int
    delay: float = 0.0
    watch: RunWatch = field(default_factory=RunWatch)
    optimizer_state: OptimizerState = field(default_factory=OptimizerState)
    test_fraction: float = 0.0
    split_seed: int = 0


@dataclass
class Snapshot:
    """What run ``run`` did since its previous snapshot.

    ``history`` holds only the new entries (losses, epoch means, validation losses, epoch ends, η
    changes); ``state`` is the trainer's after the last step (None if no step was taken);
    ``last_sample`` the data row that step ended on; ``steps`` the run's steps so far; ``health`` what
    the run's layer-health recorder gained, when it is watched (its size does not grow with the epochs
    trained). The ``final`` one also says which sample comes next and why the run stopped early
    (``error``: a ``Divergence``, a ``BreakpointHit``, a failure), if it did.
    """

    run: int
    history: LossHistory
    state: TrainerState | None
    last_sample: int | None
    steps: int
    health: HealthChanges | None = None
    final: bool = False
    next_sample: int | None = None
    error: Exception | None = None


_SERIES = ("epoch_losses", "validation_losses", "epoch_ends", "rate_changes")
_MEASUREMENTS = ("test_losses", "train_accuracies", "test_accuracies")  # of the last epochs: may be cleared


def append_history(history: LossHistory, more: LossHistory) -> None:
    """Append the entries of ``more`` to ``history`` (measurements ``more`` has cleared are cleared)."""
    history.step_losses.extend(more.step_losses)
    for name in _SERIES + _MEASUREMENTS:
        getattr(history, name).extend(getattr(more, name))
    if more.epoch_losses and not more.test_losses:
        history.clear_measurements()


def _history_counts(history: LossHistory) -> tuple[int, ...]:
    return (len(history.step_losses), *(len(getattr(history, name)) for name in _SERIES + _MEASUREMENTS))


def _history_since(history: LossHistory, counts: tuple[int, ...]) -> LossHistory:
    """The entries ``history`` gained since it had ``counts`` (``_history_counts``)."""
    since = LossHistory(array("d", history.step_losses[counts[0] :]))
    for name, count in zip(_SERIES + _MEASUREMENTS, counts[1:], strict=True):
        setattr(since, name, getattr(history, name)[min(count, len(getattr(history, name))) :])
    return since


# --- the worker process ---------------------------------------------------------------


def serve(connection: Connection) -> None:
    """The worker process: run each request that comes through ``connection`` until asked to quit,
    the pipe closes or the parent process ends."""
    parent = multiprocessing.parent_process()
    watched: list[Any] = [connection] + ([parent.sentinel] if parent is not None else [])
    data: Dataset | None = None
    while True:
        if connection not in wait(watched):
            return  # the parent died
        try:
            message = connection.recv()
        except (EOFError, OSError):
            return
        if message[0] == "quit":
            return
        if message[0] == "run":
            request: RunRequest = message[1]
            data = request.data if request.data is not None else data
            assert data is not None, "the first run of a worker carries its data"
            r = request
            held_out = replace(
                data, validation_fraction=r.validation_fraction, test_fraction=r.test_fraction, split_seed=r.split_seed
            )
            run = _Run(connection, request, held_out)
            if not run.train():
                return


class _Run:
    """One run inside the worker: training, looking at the pipe now and then, sending snapshots."""

    def __init__(self, connection: Connection, request: RunRequest, data: Dataset) -> None:
        self.connection = connection
        self.request = request
        r = request
        self.trainer = Trainer(r.network, data, r.settings, r.history, r.epoch, r.batch, r.optimizer_state)
        request.watch.attach(self.trainer)
        self.delay = request.delay
        self.stopping = False
        self.open = True  # the pipe to the window is open
        self.acknowledged = True
        self.steps = 0
        self.sent_counts = _history_counts(self.trainer.history)
        self.sent_health = -1
        recorder = request.watch.health
        self.sent_epochs = recorder.epochs if recorder is not None else 0  # the epoch rows the window holds

    def train(self) -> bool:
        """Train until the target epoch, a stop or an error; send the final snapshot. False once the
        window has gone (the worker should end)."""
        trainer, target = self.trainer, self.request.target_epoch
        error: Exception | None = None
        next_look, last_sent = time.perf_counter(), -float("inf")  # the first step is sent at once
        try:
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # a Divergence names the NaN
                while trainer.epoch < target and not self.stopping:
                    trainer.step()
                    self.steps += 1
                    now = time.perf_counter()
                    if now >= next_look:
                        self._read()
                        next_look = now + LOOK_INTERVAL
                    if self.acknowledged and now - last_sent >= 1.0 / (FRAME_RATE if self.delay else FULL_SPEED_RATE):
                        self._send(self._snapshot())
                        self.acknowledged, last_sent = False, now
                    if self.delay > 0:
                        self._wait(self.delay)
        except Exception as caught:  # a Divergence, a breakpoint, or a failure: the run ends after the last step
            error = caught
        if self.open:
            final = self._snapshot()
            final.final = True
            final.next_sample = int(trainer.next_samples()[0]) if len(trainer.train_indices) else None
            final.error = error
            self._send(final)
        return self.open

    def _snapshot(self) -> Snapshot:
        trainer = self.trainer
        history = _history_since(trainer.history, self.sent_counts)
        state = TrainerState.of(trainer) if history.steps else None
        last_sample = int(last_step_rows(trainer)[-1]) if self.steps else None
        self.sent_counts = _history_counts(trainer.history)
        recorder, health = self.request.watch.health, None
        if recorder is not None and recorder.version != self.sent_health:
            self.sent_health = recorder.version
            health = recorder.changes_since(self.sent_epochs)
            self.sent_epochs = health.first_epoch + len(health.epoch_rows)
        return Snapshot(self.request.run, history, state, last_sample, self.steps, health)

    def _send(self, snapshot: Snapshot) -> None:
        try:
            self.connection.send(snapshot)
        except (OSError, ValueError):  # the window has gone
            self.open, self.stopping = False, True

    def _read(self) -> None:
        """Take every message waiting in the pipe."""
        try:
            while self.open and self.connection.poll():
                self._handle(self.connection.recv())
        except (EOFError, OSError):
            self.open, self.stopping = False, True

    def _handle(self, message: tuple[Any, ...]) -> None:
        kind = message[0]
        if kind == "ack":
            self.acknowledged = True
        elif kind == "delay":
            self.delay = min(MAX_DELAY, max(0.0, float(message[1])))
        elif kind in ("stop", "quit"):
            self.stopping = True
            self.open = kind == "stop"

    def _wait(self, seconds: float) -> None:
        """Wait ``seconds`` after a step, answering messages meanwhile (a stop ends the wait)."""
        end = time.perf_counter() + seconds
        while not self.stopping and (left := end - time.perf_counter()) > 0:
            try:
                if self.connection.poll(left):
                    self._read()
            except (EOFError, OSError):
                self.open, self.stopping = False, True


# --- the window's side ------------------------------------------------------------------


class WorkerGone(RuntimeError):
    """The training process ended without finishing its run."""

    def __init__(self) -> None:
        super().__init__("the training process stopped unexpectedly; the steps it reported are kept")


# Worker processes whose window has closed, waiting for the next window: (process, our end of the pipe).
_idle: list[tuple[multiprocessing.process.BaseProcess, Connection]] = []


class TrainingWorker:
    """The window's handle on its training process: started on the first run, reused afterwards.

    ``start`` a run, ``poll`` for snapshots (never blocks), ``acknowledge`` each one drawn, ``stop``
    a run (blocks until its final snapshot), ``release`` the process when the window closes (it
    waits, idle, for the next window) or ``close`` it for good. At most one run at a time.
    """

    def __init__(self) -> None:
        self._process: multiprocessing.process.BaseProcess | None = None
        self._connection: Connection | None = None
        self._run = 0
        self._running = False
        self._sent_data: tuple[np.ndarray, np.ndarray] | None = None

    @property
    def pid(self) -> int | None:
        """The worker process's id, once started."""
        return self._process.pid if self._process is not None else None

    @property
    def running(self) -> bool:
        """A run was started and its final snapshot has not been read yet."""
        return self._running

    def start(self, request: RunRequest, data: Dataset) -> int:
        """Start ``request`` (its ``run`` is set here, and its data to None when the worker holds
        ``data``'s arrays already); returns the run's number, which its snapshots carry."""
        if self._running:
            raise RuntimeError("a training run is already going on: stop it first")
        self._ensure_process()
        self._run += 1
        request.run = self._run
        sent = self._sent_data
        request.data = None if sent is not None and sent[0] is data.inputs and sent[1] is data.targets else data
        try:
            self._send(("run", request))
        except WorkerGone:
            self.close()
            self._ensure_process()
            request.data = data
            self._send(("run", request))
        self._sent_data = (data.inputs, data.targets)
        self._running = True
        return self._run

    def poll(self) -> list[Snapshot]:
        """The snapshots of the current run that have arrived (without waiting); after the final one
        the run is over. Raises ``WorkerGone`` if the process ended mid-run."""
        snapshots = []
        while self._running and self._connection is not None and self._ready(0):
            snapshots.append(self._receive())
        return snapshots

    def acknowledge(self) -> None:
        """The last snapshot is drawn: the worker may send the next."""
        if self._running:
            self._send_quietly(("ack",))

    def set_delay(self, seconds: float) -> None:
        """Seconds the current run waits after each step (0: as fast as it can)."""
        if self._running:
            self._send_quietly(("delay", seconds))

    def stop(self) -> list[Snapshot]:
        """Stop the run after the step in progress; returns the snapshots not yet polled, the final
        one last. Raises ``WorkerGone`` if the process ended (or hung) instead."""
        if not self._running:
            return []
        self._send_quietly(("stop",))
        snapshots = []
        while self._running:
            if not self._ready(STOP_TIMEOUT):
                self.close()
                raise WorkerGone()
            snapshots.append(self._receive())
        return snapshots

    def release(self) -> None:
        """Stop any run and hand the process over to the next window (or end it, if enough wait)."""
        try:
            self.stop()
        except WorkerGone:
            return
        if self._process is not None and self._connection is not None and len(_idle) < MAX_IDLE:
            _idle.append((self._process, self._connection))
            self._process = self._connection = None
            self._sent_data = None
        self.close()

    def close(self) -> None:
        """End the process (asked first, then terminated if it does not end at once)."""
        process, connection = self._process, self._connection
        self._process = self._connection = None
        self._running = False
        self._sent_data = None
        if connection is not None:
            try:
                connection.send(("quit",))
            except (OSError, ValueError):
                pass
            connection.close()
        if process is not None:
            process.join(1.0)
            if process.is_alive():
                process.terminate()
                process.join(1.0)

    # --- plumbing ------------------------------------------------------------------------

    def _ensure_process(self) -> None:
        if self._process is not None and self._process.is_alive():
            return
        self.close()
        while _idle:
            process, connection = _idle.pop()
            if process.is_alive():
                self._process, self._connection = process, connection
                return
            connection.close()
        context = multiprocessing.get_context(START_METHOD)
        ours, theirs = context.Pipe(duplex=True)
        process = context.Process(target=serve, args=(theirs,), name="backprop-gui training", daemon=True)
        with one_thread_environment():  # its numpy loads with one BLAS thread (core.blas_threads says why)
            process.start()
        theirs.close()  # only the worker holds its end: when it dies, ours reads end-of-file
        self._process, self._connection = process, ours
        self._sent_data = None

    def _ready(self, timeout: float) -> bool:
        assert self._connection is not None
        try:
            return self._connection.poll(timeout)
        except (EOFError, OSError):
            self.close()
            raise WorkerGone() from None

    def _receive(self) -> Snapshot:
        assert self._connection is not None
        try:
            snapshot: Snapshot = self._connection.recv()
        except (EOFError, OSError):
            self.close()
            raise WorkerGone() from None
        if snapshot.final and snapshot.run == self._run:
            self._running = False
        return snapshot

    def _send(self, message: tuple[Any, ...]) -> None:
        assert self._connection is not None
        try:
            self._connection.send(message)
        except (OSError, ValueError):
            raise WorkerGone() from None

    def _send_quietly(self, message: tuple[Any, ...]) -> None:
        """Send a small control message; a gone worker shows at the next poll or stop."""
        try:
            self._send(message)
        except WorkerGone:
            pass
