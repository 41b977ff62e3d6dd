"""Training in a worker process: the same steps as headless, clean stops, errors and watches that
travel back, data sent once, and the process ending with its parent."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from backprop_gui.core.breakpoints import BreakpointHit, BreakpointSettings, Condition
from backprop_gui.core.datasets import generate
from backprop_gui.core.health import HealthRecorder
from backprop_gui.core.network import build_network
from backprop_gui.core.optimizers import OptimizerSettings, OptimizerState, UpdateRule
from backprop_gui.core.presets import load_example
from backprop_gui.core.session import Session
from backprop_gui.core.training import Divergence, Trainer
from backprop_gui.core.training_worker import (
    FULL_SPEED_RATE,
    RunRequest,
    RunWatch,
    Snapshot,
    TrainingWorker,
    append_history,
)

from helpers import alive, until_final
from helpers import snapshot as network_snapshot


@pytest.fixture(scope="module")
def worker():
    """One process for the module's tests (starting one takes a second or so)."""
    worker = TrainingWorker()
    yield worker
    worker.close()


def request_for(session: Session, target_epoch: int, watch: RunWatch | None = None, delay: float = 0.0) -> RunRequest:
    return RunRequest(
        0,
        session.network.copy(),
        session.data,
        session.data.validation_fraction,
        session.training,
        session.history.tail(session.batch),
        session.epoch,
        session.batch,
        target_epoch,
        delay,
        watch or RunWatch(),
    )  # fmt: skip  (as the window sends it: the current epoch's losses, not the whole history)


def apply(session: Session, snapshots: list[Snapshot], optimizer_state: OptimizerState | None = None) -> None:
    """What the window does with snapshots: append the history, take the last state."""
    for s in snapshots:
        append_history(session.history, s.history)
        if s.state is not None:
            s.state.load_into(session, optimizer_state or OptimizerState())


def test_a_run_trains_exactly_what_headless_training_does(worker):
    session = load_example("xor")
    run = worker.start(request_for(session, 300), session.data)
    snapshots = until_final(worker)
    assert {s.run for s in snapshots} == {run}
    apply(session, snapshots)
    final = snapshots[-1]
    assert final.error is None and final.steps == 1200

    headless = load_example("xor")
    Trainer(headless.network, headless.data, headless.training, headless.history).train(300)
    assert network_snapshot(session.network) == network_snapshot(headless.network)
    assert session.history.step_losses == headless.history.step_losses
    assert session.history.epoch_losses == headless.history.epoch_losses
    assert (session.epoch, session.batch) == (300, 0)
    assert final.next_sample == int(
        Trainer(session.network, session.data, session.training, epoch=300).next_samples()[0]
    )


@pytest.mark.skipif(not hasattr(os, "getpriority"), reason="process priorities are POSIX")
def test_the_worker_trains_at_the_windows_priority(worker):
    """Not lower: on a busy machine training keeps its share against other programs (the README says why)."""
    session = load_example("xor")
    worker.start(request_for(session, 1), session.data)
    until_final(worker)
    assert os.getpriority(os.PRIO_PROCESS, worker.pid) == os.getpriority(os.PRIO_PROCESS, 0)


def test_a_stop_leaves_a_clean_state_to_continue_from_with_the_data_sent_once(worker):
    session = load_example("xor")
    worker.start(request_for(session, 10**6), session.data)
    end = time.monotonic() + 60
    snapshots: list[Snapshot] = []
    while sum(s.history.steps for s in snapshots) < 500 and time.monotonic() < end:
        snapshots += worker.poll()
        worker.acknowledge()
        time.sleep(0.005)
    snapshots += worker.stop()
    assert not worker.running and snapshots[-1].final and snapshots[-1].error is None
    apply(session, snapshots)
    steps = session.history.steps
    assert steps >= 500 and steps == snapshots[-1].steps

    request = request_for(session, session.epoch + 2)
    worker.start(request, session.data)
    assert request.data is None  # the worker holds these arrays already
    apply(session, until_final(worker))
    again = load_example("xor")
    replay = Trainer(again.network, again.data, again.training, again.history)
    replay.train(10**6, lambda: again.history.steps >= session.history.steps)
    assert network_snapshot(session.network) == network_snapshot(again.network)
    assert session.epoch == replay.epoch and session.batch == replay.batch == 0
    # the run went on from the history's tail: the epoch its stop cut in two has the mean of all its steps
    assert session.history.epoch_losses == again.history.epoch_losses
    assert session.history.epoch_ends == again.history.epoch_ends
    assert list(session.history.step_losses) == list(again.history.step_losses)


def test_an_optimiser_state_carries_over_from_one_run_to_the_next(worker):
    adam = UpdateRule(optimizer=OptimizerSettings(name="adam"))
    session, holder = load_example("xor"), OptimizerState()
    session.training.rule, session.training.learning_rate = adam, 0.05
    for target in (3, 6):
        request = request_for(session, target)
        request.optimizer_state = holder
        worker.start(request, session.data)
        apply(session, until_final(worker), holder)
    assert holder.name == "adam" and holder.t == session.history.steps > 0

    headless = load_example("xor")
    headless.training.rule, headless.training.learning_rate = adam, 0.05
    Trainer(headless.network, headless.data, headless.training, headless.history).train(6)
    assert network_snapshot(session.network) == network_snapshot(headless.network)


def test_divergence_and_breakpoints_travel_back_as_the_errors_they_are(worker):
    network = build_network(2, [3, 1], ["linear", "linear"], seed=2)
    session = Session("diverges", network, generate("moons", samples=40))
    session.training.learning_rate = 1e5
    worker.start(request_for(session, 1000), session.data)
    final = until_final(worker)[-1]
    assert isinstance(final.error, Divergence) and final.error.step > 1
    assert str(final.error).startswith(f"training diverged at step {final.error.step}")

    session = load_example("xor")
    watch = RunWatch(
        BreakpointSettings(loss_below=True, loss_target=10.0, loss_scope="step"), HealthRecorder(session.network.depth)
    )
    worker.start(request_for(session, 1000, watch), session.data)
    snapshots = until_final(worker)
    error = snapshots[-1].error
    assert isinstance(error, BreakpointHit) and error.hit.condition is Condition.LOSS_BELOW and error.hit.step == 1
    health = [s.health for s in snapshots if s.health is not None][-1]
    shown = HealthRecorder(session.network.depth)
    version = shown.version
    shown.apply(health)
    steps, delta_sizes, _ = shown.snapshot()
    assert shown.version > version and list(steps) == [1.0] and delta_sizes.shape == (1, session.network.depth)


def test_a_slow_run_sends_a_snapshot_for_every_step_and_stops_within_its_wait(worker):
    session = load_example("xor")
    worker.start(request_for(session, 1000, delay=0.05), session.data)
    snapshots: list[Snapshot] = []
    end = time.monotonic() + 60
    while len(snapshots) < 3 and time.monotonic() < end:
        snapshots += worker.poll()
        worker.acknowledge()
        time.sleep(0.005)
    start = time.monotonic()
    snapshots += worker.stop()
    assert time.monotonic() - start < 5
    assert [s.history.steps for s in snapshots[:3]] == [1, 1, 1]


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_the_worker_ends_when_the_process_that_started_it_is_killed(tmp_path):
    script = (
        "import sys, time\n"
        "from backprop_gui.core.presets import load_example\n"
        "from backprop_gui.core.training_worker import RunRequest, RunWatch, TrainingWorker\n"
        "s = load_example('xor')\n"
        "w = TrainingWorker()\n"
        "w.start(RunRequest(0, s.network, s.data, 0.0, s.training, s.history, 0, 0, 10**6), s.data)\n"
        "print(w.pid, flush=True)\n"
        "time.sleep(600)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    pid = int(parent.stdout.readline())
    assert alive(pid)
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    end = time.monotonic() + 30
    while alive(pid) and time.monotonic() < end:
        time.sleep(0.05)
    assert not alive(pid)


@pytest.mark.skipif(not os.path.exists("/proc/self/environ"), reason="reads another process's environment on Linux")
def test_the_worker_loads_numpy_with_one_blas_thread(worker):
    session = load_example("xor")
    worker.start(request_for(session, 1), session.data)
    until_final(worker)
    with open(f"/proc/{worker.pid}/environ", "rb") as environ:
        variables = dict(entry.split(b"=", 1) for entry in environ.read().split(b"\0") if b"=" in entry)
    assert variables[b"OPENBLAS_NUM_THREADS"] == os.environ.get("OPENBLAS_NUM_THREADS", "1").encode()


def test_at_full_speed_snapshots_come_at_most_at_the_full_speed_rate(worker):
    """However fast the window acknowledges, a run without a delay sends FULL_SPEED_RATE snapshots a second at most."""
    session = load_example("xor")
    worker.start(request_for(session, 10**6), session.data)
    snapshots: list[Snapshot] = []
    while not snapshots:
        snapshots += worker.poll()
        time.sleep(0.001)
    start = time.monotonic()
    while time.monotonic() - start < 1.0:
        worker.acknowledge()
        snapshots += worker.poll()
        time.sleep(0.001)
    worker.stop()
    assert 1 <= len(snapshots) - 1 <= FULL_SPEED_RATE + 1
    assert sum(s.history.steps for s in snapshots[1:]) > len(snapshots)  # several steps to a snapshot
