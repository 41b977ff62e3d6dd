"""Layer health: per-layer RMS of δ^l and ∂C/∂w^l, bounded in memory."""

import pickle

import numpy as np
import pytest

from backprop_gui.core.backprop import run_pass
from backprop_gui.core.datasets import Dataset
from backprop_gui.core.health import HealthRecorder, layer_sizes, rms
from backprop_gui.core.network import build_network
from backprop_gui.core.training import Trainer, TrainingSettings


def small_trainer() -> Trainer:
    network = build_network(2, [4, 3, 1], ["sigmoid", "sigmoid", "sigmoid"], seed=2)
    rng = np.random.default_rng(0)
    data = Dataset(rng.normal(size=(10, 2)), rng.uniform(size=(10, 1)))
    return Trainer(network, data, TrainingSettings(learning_rate=0.5, batch_size=2, seed=4))


def test_rms_is_the_root_of_the_mean_square():
    assert rms(np.array([[3.0, -4.0]])) == pytest.approx(np.sqrt(12.5))
    assert rms(np.array([])) == 0.0


def test_layer_sizes_are_the_rms_of_each_layers_delta_and_weight_gradient():
    network = build_network(3, [2, 2], ["tanh", "linear"], seed=1)
    result = run_pass(network, np.array([[1.0, 0.0], [2.0, 1.0], [-1.0, 0.5]]), np.array([[1.0, 0.0], [0.0, 1.0]]))
    delta, grad_w = layer_sizes(result)
    for l in (1, 2):
        assert delta[l - 1] == pytest.approx(np.sqrt(np.mean(result.delta[l] ** 2)))
        assert grad_w[l - 1] == pytest.approx(np.sqrt(np.mean(result.grad_w[l] ** 2)))


def test_recorder_attached_to_a_trainer_keeps_every_step_and_every_epoch():
    trainer = small_trainer()
    recorder = HealthRecorder(depth=3)
    seen = []
    trainer.observers.append(lambda result, step: seen.append(layer_sizes(result)))
    recorder.attach(trainer)
    trainer.train(4)

    steps, delta, grad_w = recorder.snapshot()
    assert list(steps) == list(range(1, 21))  # 5 minibatches × 4 epochs
    assert np.allclose(delta, [d for d, _ in seen]) and np.allclose(grad_w, [g for _, g in seen])
    epochs, epoch_delta, _ = recorder.snapshot(per_epoch=True)
    assert list(epochs) == [1, 2, 3, 4]
    first = np.array([d for d, _ in seen[:5]])
    assert np.allclose(epoch_delta[0], np.sqrt(np.mean(first**2, axis=0)))
    recorder.detach()
    assert trainer.observers == [trainer.observers[0]]


def test_per_step_memory_is_bounded_by_merging_neighbours():
    trainer = small_trainer()
    recorder = HealthRecorder(depth=3, capacity=8)
    sizes = []
    trainer.observers.append(lambda result, step: sizes.append(layer_sizes(result)[0]))
    recorder.attach(trainer)
    trainer.train(20)  # 100 steps into 8 slots

    steps, delta, _ = recorder.snapshot()
    assert len(steps) <= 8
    stride = recorder.steps_per_point
    assert stride == 16 and list(steps) == [16 * (i + 1) for i in range(len(steps))]
    squares = np.array(sizes) ** 2
    expected = np.sqrt(squares[: 16 * len(steps)].reshape(len(steps), 16, 3).mean(axis=1))
    assert np.allclose(delta, expected)
    assert len(recorder.snapshot(per_epoch=True)[0]) == 20


def test_clear_forgets_everything():
    trainer = small_trainer()
    recorder = HealthRecorder(depth=3)
    recorder.attach(trainer)
    trainer.train(1)
    version = recorder.version
    recorder.clear()
    assert recorder.version > version
    assert len(recorder.snapshot()[0]) == 0 and len(recorder.snapshot(per_epoch=True)[0]) == 0


def test_capacity_must_be_even():
    with pytest.raises(ValueError, match="capacity"):
        HealthRecorder(depth=2, capacity=7)


def batched_trainer() -> tuple[Trainer, HealthRecorder]:
    """A 2-4-3-1 trainer over 10 samples in minibatches of 4, 4 and 2, and a recorder of 8 points (not attached)."""
    network = build_network(2, [4, 3, 1], ["tanh", "sigmoid", "sigmoid"], seed=3)
    rng = np.random.default_rng(1)
    trainer = Trainer(network, Dataset(rng.normal(size=(10, 2)), rng.uniform(size=(10, 1))),
                      TrainingSettings(learning_rate=0.5, batch_size=4, seed=4))  # fmt: skip
    return trainer, HealthRecorder(depth=3, capacity=8)


def test_steps_recorded_in_batches_give_the_figures_of_one_step_at_a_time():
    """Minibatches of 4, 4 and 2 samples (shapes differ), points merged four times over, a copy sent mid-run."""
    trainer, recorder = batched_trainer()
    squares: list[np.ndarray] = []
    trainer.observers.append(lambda result, step: squares.append(np.array(layer_sizes(result)) ** 2))
    recorder.attach(trainer)
    trainer.train(20)
    sent = pickle.loads(pickle.dumps(recorder))  # as the training process sends it: every step folded in
    assert np.array_equal(sent.snapshot()[1], recorder.snapshot()[1]) and sent.steps_per_point == 8
    trainer.train(17)  # 111 steps
    steps, delta, grad_w = recorder.snapshot()
    stride = recorder.steps_per_point
    assert stride == 16 and list(steps) == [16 * (i + 1) for i in range(6)]
    expected = np.sqrt(np.array(squares[: 16 * 6]).reshape(6, 16, 2, 3).mean(axis=1))
    assert np.allclose(delta, expected[:, 0]) and np.allclose(grad_w, expected[:, 1])
    epochs, epoch_delta, epoch_grad_w = recorder.snapshot(per_epoch=True)
    per_epoch = np.sqrt(np.array(squares).reshape(37, 3, 2, 3).mean(axis=1))
    assert (
        len(epochs) == 37 and np.allclose(epoch_delta, per_epoch[:, 0]) and np.allclose(epoch_grad_w, per_epoch[:, 1])
    )


def test_a_copy_catches_up_from_changes_whose_size_does_not_grow_with_the_epochs():
    trainer, recorder = batched_trainer()
    recorder.attach(trainer)
    trainer.train(5)
    window = pickle.loads(pickle.dumps(recorder))  # the window's copy, as a run starts
    sent = window.epochs
    sizes = []
    for snapshot in range(1, 5):  # a run's snapshots
        trainer.train(30)
        changes = recorder.changes_since(sent)
        sizes.append(len(pickle.dumps(changes)))
        window.apply(changes)
        sent = changes.first_epoch + len(changes.epoch_rows)
        for per_epoch in (False, True):
            mine, theirs = window.snapshot(per_epoch), recorder.snapshot(per_epoch)
            assert all(np.array_equal(a, b) for a, b in zip(mine, theirs, strict=True))
        assert window.steps_per_point == recorder.steps_per_point
        assert window.epochs == recorder.epochs == 5 + 30 * snapshot
    assert max(sizes) - min(sizes) < 200  # 30 new epochs each time: not the 120 trained by the last
    trainer.train(1)
    recorder.end_epoch()  # (nothing left to close: no row)
    again = recorder.changes_since(sent)
    assert len(again.epoch_rows) == 1 and again.first_epoch == sent


def test_short_epochs_are_closed_when_the_steps_are_folded_each_as_the_rms_of_its_own_steps():
    """Epochs of one and two steps (a four-sample data set ends one every few steps), read at any
    time; an epoch end with no step since the last one adds no row."""
    network = build_network(2, [3, 1], ["tanh", "sigmoid"], seed=5)
    rng = np.random.default_rng(2)
    trainer = Trainer(network, Dataset(rng.normal(size=(3, 2)), rng.uniform(size=(3, 1))),
                      TrainingSettings(learning_rate=0.5, batch_size=2, seed=1))  # fmt: skip
    recorder = HealthRecorder(depth=2)
    squares: list[np.ndarray] = []
    trainer.observers.append(lambda result, step: squares.append(np.array(layer_sizes(result)) ** 2))
    recorder.attach(trainer)
    trainer.train(7)  # 7 epochs of 2 steps (a minibatch of 2, then of 1)
    assert recorder.epochs == 7  # read before anything else has folded the kept steps
    recorder.end_epoch()  # nothing to close
    trainer.train(300)
    epochs, delta, grad_w = recorder.snapshot(per_epoch=True)
    expected = np.sqrt(np.array(squares).reshape(307, 2, 2, 2).mean(axis=1))
    assert len(epochs) == 307
    assert np.allclose(delta, expected[:, 0], rtol=1e-12) and np.allclose(grad_w, expected[:, 1], rtol=1e-12)


def sampled_trainer(shuffle: bool) -> Trainer:
    """2-4-3-1 over 10 samples, one a step: epochs of 10 steps, blocks of 4, 4 and 2 when measuring one in 4."""
    network = build_network(2, [4, 3, 1], ["tanh", "sigmoid", "sigmoid"], seed=6)
    rng = np.random.default_rng(3)
    data = Dataset(rng.normal(size=(10, 2)), rng.uniform(size=(10, 1)))
    return Trainer(network, data, TrainingSettings(learning_rate=0.5, batch_size=1, seed=2, shuffle=shuffle))


@pytest.mark.parametrize("shuffle", [True, False])
def test_measuring_one_step_in_four_takes_one_of_each_block_and_gives_every_epoch_its_row(shuffle):
    trainer = sampled_trainer(shuffle)
    recorder = HealthRecorder(depth=3, measure_every=4)
    sizes: dict[int, np.ndarray] = {}
    rows: dict[int, int] = {}  # the data row each step trained on
    trainer.observers.append(lambda result, step: sizes.setdefault(step, np.array(layer_sizes(result)) ** 2))
    trainer.observers.append(lambda result, step: rows.setdefault(step, int(trainer.epoch_order(
        trainer.epoch - (trainer.batch == 0))[(trainer.batch or 10) - 1])))  # fmt: skip
    recorder.attach(trainer)
    trainer.train(40)

    steps = [int(s) for s in recorder.snapshot()[0]]
    blocks = [(s - 1) // 10 * 3 + min(2, (s - 1) % 10 // 4) for s in steps]  # epoch × 3 + block in the epoch
    assert blocks == list(range(120))  # exactly one step of each block, in order
    assert steps == [s for s in range(1, 401) if recorder.measured(s, (s - 1) % 10 + 1, 10)]  # as it says
    assert {(s - 1) % 10 % 4 for s in steps if (s - 1) % 10 < 8} == {0, 1, 2, 3}  # the pick moves about
    assert len({rows[s] for s in steps}) == 10  # so every sample is measured, shuffled or not
    _, delta, grad_w = recorder.snapshot()
    measured = np.array([sizes[s] for s in steps])
    assert np.allclose(delta, np.sqrt(measured[:, 0])) and np.allclose(grad_w, np.sqrt(measured[:, 1]))
    epochs, epoch_delta, _ = recorder.snapshot(per_epoch=True)
    assert list(epochs) == list(range(1, 41))
    assert np.allclose(epoch_delta, np.sqrt(measured[:, 0].reshape(40, 3, 3).mean(axis=1)), rtol=1e-12)


def test_runs_of_a_few_steps_measure_what_one_long_run_would():
    """Runs of 3 steps against epochs of 10, each in a copy sent to the training process and caught up
    with: the pick depends on the block, not on the run it falls in."""
    trainer, whole = sampled_trainer(shuffle=True), sampled_trainer(shuffle=True)
    recorder, reference = HealthRecorder(depth=3, measure_every=4), HealthRecorder(depth=3, measure_every=4)
    reference.attach(whole)
    whole.train(12)
    for _ in range(40):  # runs of 3 steps: 12 epochs
        sent = recorder.epochs
        copy = pickle.loads(pickle.dumps(recorder))  # the training process's, watching the run
        copy.attach(trainer)
        for _ in range(3):
            trainer.step()
        copy.detach()
        recorder.apply(copy.changes_since(sent))
    for per_epoch in (False, True):  # (an epoch's row sums its steps in another order when runs split it)
        ours, theirs = recorder.snapshot(per_epoch), reference.snapshot(per_epoch)
        assert all(len(a) == len(b) and np.allclose(a, b, rtol=1e-12) for a, b in zip(ours, theirs, strict=True))
    assert len(recorder.snapshot()[0]) == 36 and len(recorder.snapshot(per_epoch=True)[0]) == 12


def test_an_epoch_whose_picks_came_before_the_recorder_watched_is_measured_at_its_last_step():
    trainer = sampled_trainer(shuffle=True)
    recorder = HealthRecorder(depth=3, measure_every=4)
    before = next(n for n in range(9, 1000, 10) if not recorder.measured(n + 1, 10, 10))  # the pick is step n
    for _ in range(before):
        trainer.step()
    sizes: list[np.ndarray] = []
    trainer.observers.append(lambda result, step: sizes.append(np.array(layer_sizes(result)) ** 2))
    recorder.attach(trainer)
    trainer.train_epoch()  # its last step only
    trainer.train_epoch()
    steps = [int(s) for s in recorder.snapshot()[0]]
    assert steps[0] == before + 1 and len(steps) == 4  # that last step, then one of each block
    epochs, epoch_delta, _ = recorder.snapshot(per_epoch=True)
    assert list(epochs) == [1, 2] and np.allclose(epoch_delta[0], np.sqrt(sizes[0][0]), rtol=1e-12)


def test_the_pick_depends_only_on_the_block_and_measure_every_must_be_positive():
    recorder, again = HealthRecorder(depth=2, measure_every=4), HealthRecorder(depth=2, measure_every=4)
    picks = [[recorder.measured(first + i, 1 + i, 10) for i in range(4)] for first in range(1, 400, 10)]
    assert all(sum(block) == 1 for block in picks)
    assert picks == [[again.measured(first + i, 1 + i, 10) for i in range(4)] for first in range(1, 400, 10)]
    assert [recorder.measured(9 + i, 9 + i, 10) for i in range(2)].count(True) == 1  # the short last block
    one_block = [[recorder.measured(first + i, 1 + i, 3) for i in range(3)] for first in range(1, 90, 3)]
    assert all(sum(block) == 1 for block in one_block) and len({block.index(True) for block in one_block}) == 3
    assert all(HealthRecorder(depth=2).measured(step, 1, 10) for step in range(1, 20))
    with pytest.raises(ValueError, match="measure_every"):
        HealthRecorder(depth=2, measure_every=0)
