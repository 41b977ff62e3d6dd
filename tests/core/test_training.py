"""SGD training: loss history, reproducibility, exact resumption, stopping, divergence, XOR."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from backprop_gui.core.backprop import run_pass, updated_parameters
from backprop_gui.core.datasets import Dataset
from backprop_gui.core.network import Network, build_network
from backprop_gui.core.training import (
    MAX_EPOCHS,
    Divergence,
    LossHistory,
    Trainer,
    TrainerHook,
    TrainingSettings,
    mean_loss,
    split_validation,
)

XOR_INPUTS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_TARGETS = np.array([[0.0], [1.0], [1.0], [0.0]])


def _data(n: int = 10, validation: float = 0.0) -> Dataset:
    rng = np.random.default_rng(3)
    inputs = rng.normal(size=(n, 2))
    return Dataset(inputs, np.sin(inputs.sum(axis=1, keepdims=True)), validation_fraction=validation)


def _network() -> Network:
    return build_network(2, [4, 1], ["tanh", "linear"], seed=2)


def _trainer(batch_size: int = 3, seed: int = 0, shuffle: bool = True) -> Trainer:
    settings = TrainingSettings(learning_rate=0.1, batch_size=batch_size, seed=seed, shuffle=shuffle)
    return Trainer(_network(), _data(), settings)


def _parameters(network: Network) -> list[bytes]:
    return [p.tobytes() for layer in network.layers for p in (layer.weights, layer.biases)]


def test_a_step_is_one_sgd_update_on_the_next_minibatch() -> None:
    trainer = _trainer()
    rows = trainer.next_samples()
    assert len(rows) == 3
    network = trainer.network.copy()
    expected = run_pass(network, trainer.data.inputs[rows].T, trainer.data.targets[rows].T)
    weights, biases = updated_parameters(network, expected, 0.1)
    assert trainer.step() == expected.loss
    for l, layer in enumerate(trainer.network.layers, start=1):
        np.testing.assert_array_equal(layer.weights, weights[l])
        np.testing.assert_array_equal(layer.biases, biases[l])


def test_history_has_every_step_and_every_epoch_mean() -> None:
    trainer = _trainer(batch_size=3)  # 10 samples: batches of 3, 3, 3, 1
    assert trainer.batches_per_epoch == 4
    trainer.train(3)
    history = trainer.history
    assert history.steps == 12 and trainer.epoch == 3 and trainer.batch == 0
    assert history.epoch_ends == [4, 8, 12]
    for e in range(3):
        steps = history.step_losses[4 * e : 4 * e + 4]
        assert history.epoch_losses[e] == pytest.approx(np.mean(steps), rel=1e-15)
    assert history.epoch_losses[-1] < history.epoch_losses[0]  # it learns
    assert history.validation_losses == []


def test_every_epoch_visits_every_sample_once_in_a_seeded_order() -> None:
    trainer = _trainer()
    orders = [trainer.epoch_order(e) for e in range(3)]
    for order in orders:
        assert sorted(order) == list(range(10))
    assert not np.array_equal(orders[0], orders[1])
    np.testing.assert_array_equal(_trainer().epoch_order(1), orders[1])
    assert not np.array_equal(_trainer(seed=1).epoch_order(0), orders[0])
    np.testing.assert_array_equal(_trainer(shuffle=False).epoch_order(2), np.arange(10))


def test_training_is_reproducible_from_the_seed() -> None:
    first, again, other = _trainer(seed=4), _trainer(seed=4), _trainer(seed=5)
    for trainer in (first, again, other):
        trainer.train(2)
    assert _parameters(first.network) == _parameters(again.network)
    assert first.history.step_losses == again.history.step_losses
    assert _parameters(first.network) != _parameters(other.network)


@pytest.mark.parametrize("stop_after", [1, 4, 6, 9])
def test_a_rebuilt_trainer_resumes_exactly(stop_after: int) -> None:
    whole = _trainer()
    whole.train(3)
    part = _trainer()
    part.train(3, should_stop=lambda: part.history.steps >= stop_after)
    assert part.history.steps == stop_after
    # what a session saves: the network, the history, the epoch and the batch within it
    resumed = Trainer(part.network, part.data, part.settings, part.history, part.epoch, part.batch)
    resumed.train(3 - resumed.epoch)
    assert _parameters(resumed.network) == _parameters(whole.network)
    assert resumed.history.step_losses == whole.history.step_losses
    assert resumed.history.epoch_losses == whole.history.epoch_losses
    assert resumed.history.epoch_ends == whole.history.epoch_ends


def test_should_stop_is_asked_between_steps() -> None:
    trainer = _trainer()
    asked = []

    def should_stop() -> bool:
        asked.append(trainer.history.steps)
        return trainer.history.steps >= 6

    trainer.train(10, should_stop)
    assert asked == list(range(7))
    assert (trainer.epoch, trainer.batch, trainer.history.epoch_ends) == (1, 2, [4])
    trainer.train_epoch(lambda: False)  # finish the epoch that was interrupted
    assert (trainer.epoch, trainer.batch, trainer.history.steps) == (2, 0, 8)


def test_a_hook_holds_one_observer_on_one_trainer_at_a_time() -> None:
    first, second = _trainer(), _trainer()
    seen: list[tuple[str, int]] = []
    hook = TrainerHook()
    hook.attach(first, lambda _result, step: seen.append(("a", step)))
    first.step()
    hook.attach(second, lambda _result, step: seen.append(("b", step)))
    first.step()
    second.step()
    hook.detach()
    second.step()
    hook.detach()  # a second detach changes nothing
    assert seen == [("a", 1), ("b", 1)]
    assert first.observers == [] and second.observers == []


def test_validation_samples_are_held_out_and_scored_every_epoch() -> None:
    data = _data(n=12, validation=0.25)
    trainer = Trainer(_network(), data, TrainingSettings(learning_rate=0.1, batch_size=2))
    assert len(trainer.validation_indices) == 3 and len(trainer.train_indices) == 9
    assert not set(trainer.validation_indices) & set(trainer.train_indices)
    trainer.train(2)
    assert trainer.history.steps == 10  # 9 training samples in batches of 2: 5 steps an epoch
    assert len(trainer.history.validation_losses) == 2
    rows = trainer.validation_indices
    expected = mean_loss(trainer.network, data.inputs[rows], data.targets[rows])
    assert trainer.history.validation_losses[-1] == expected


def test_split_validation_is_seeded_and_keeps_a_training_sample() -> None:
    train, validation = split_validation(10, 0.3, seed=1)
    assert len(validation) == 3 and sorted([*train, *validation]) == list(range(10))
    np.testing.assert_array_equal(split_validation(10, 0.3, seed=1)[1], validation)
    assert len(split_validation(4, 1.0, seed=0)[0]) == 1
    assert len(split_validation(4, 0.0, seed=0)[1]) == 0


def test_learning_rate_changes_are_marked_in_the_history() -> None:
    trainer = _trainer()
    trainer.train(1)
    trainer.set_learning_rate(0.05)
    assert trainer.settings.learning_rate == 0.05
    assert trainer.history.rate_changes == [(4, 0.05)]


def test_mean_loss_is_the_mean_over_rows() -> None:
    network, data = _network(), _data()
    expected = run_pass(network, data.inputs.T, data.targets.T).loss
    assert mean_loss(network, data.inputs, data.targets) == pytest.approx(expected, rel=1e-15)


def test_divergence_keeps_the_last_finite_weights_and_names_step_and_layer() -> None:
    network = build_network(1, [1, 1], ["linear", "linear"], seed=0)
    data = Dataset(np.array([[10.0]]), np.array([[0.0]]))
    trainer = Trainer(network, data, TrainingSettings(learning_rate=1e6))
    last = _parameters(network)
    with pytest.raises(Divergence) as error, np.errstate(over="ignore", invalid="ignore"):  # as callers of step do
        for _ in range(100):
            last = _parameters(network)
            trainer.step()
    divergence = error.value
    assert divergence.step == trainer.history.steps + 1 > 1
    assert divergence.layer in (1, 2) and divergence.quantity in ("z", "a", "loss", "delta", "gradient", "weights")
    assert f"at step {divergence.step}" in str(divergence) and "smaller learning rate" in str(divergence)
    assert _parameters(network) == last
    assert all(np.all(np.isfinite(p)) for p in network.parameters())
    assert all(math.isfinite(loss) for loss in trainer.history.step_losses)
    with pytest.raises(Divergence), np.errstate(over="ignore", invalid="ignore"):  # it refuses to go on
        trainer.step()
    assert _parameters(network) == last


def test_training_reports_a_divergence_without_numpy_warnings() -> None:
    network = build_network(1, [1, 1], ["linear", "linear"], seed=0)
    trainer = Trainer(network, Dataset(np.array([[10.0]]), np.array([[0.0]])), TrainingSettings(learning_rate=1e6))
    with pytest.raises(Divergence), warnings.catch_warnings():
        warnings.simplefilter("error")  # the guard names the NaN/inf; numpy does not warn about it
        trainer.train(100)
    assert all(np.all(np.isfinite(p)) for p in network.parameters())


def test_huge_but_finite_weights_are_not_a_divergence() -> None:
    # Σ w² of these weights overflows although every weight is finite: training goes on.
    network = build_network(2, [3, 1], ["tanh", "tanh"], seed=0)
    network.layer(1).weights = np.full((3, 2), 1e200)
    trainer = Trainer(network, _data(), TrainingSettings(learning_rate=0.1, batch_size=10))
    assert math.isfinite(trainer.step())
    assert trainer.history.steps == 1 and network.layer(1).weights[0, 0] == pytest.approx(1e200)


def test_divergence_in_one_layer_is_named() -> None:
    network = build_network(2, [3, 1], ["tanh", "linear"], seed=0)
    network.layer(2).weights = np.full((1, 3), 1e308)  # finite, but the update overflows
    trainer = Trainer(network, _data(), TrainingSettings(learning_rate=1e6))
    with pytest.raises(Divergence) as error, np.errstate(over="ignore", invalid="ignore"):
        trainer.step()
    assert (error.value.step, error.value.layer) == (1, 2)
    assert not trainer.history.steps and network.layer(2).weights[0, 0] == 1e308


def test_divergence_message_for_the_loss_and_for_a_layer() -> None:
    assert "the loss C of output layer 2 became NaN or infinite" in str(Divergence(3, "loss", 2))
    assert "z of layer 2 became NaN or infinite" in str(Divergence(3, "z", 2))


def test_xor_is_learned_by_a_two_two_one_sigmoid_network() -> None:
    network = build_network(2, [2, 1], ["sigmoid", "sigmoid"], seed=1)
    trainer = Trainer(network, Dataset(XOR_INPUTS, XOR_TARGETS), TrainingSettings(learning_rate=2.0, seed=1))
    for _ in range(600):
        trainer.train(1)
        if trainer.history.epoch_losses[-1] < 0.01:
            break
    assert trainer.history.epoch_losses[-1] < 0.01
    assert mean_loss(network, XOR_INPUTS, XOR_TARGETS) < 0.01
    outputs = run_pass(network, XOR_INPUTS.T, XOR_TARGETS.T).a[2][0]
    np.testing.assert_array_equal(outputs > 0.5, [False, True, True, False])


def test_loss_history_clear() -> None:
    trainer = _trainer()
    trainer.train(1)
    trainer.set_learning_rate(0.2)
    trainer.history.clear()
    assert trainer.history == LossHistory()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("learning_rate", 0.0, "training.learning_rate: must be in 1e-06..1e+06, got 0"),
        ("learning_rate", -0.5, "training.learning_rate: must be in 1e-06..1e+06, got -0.5"),
        ("learning_rate", math.nan, "training.learning_rate: must be in 1e-06..1e+06, got nan"),
        ("learning_rate", math.inf, "training.learning_rate: must be in 1e-06..1e+06, got inf"),
        ("learning_rate", 2e6, "training.learning_rate: must be in 1e-06..1e+06, got 2e+06"),
        ("learning_rate", 1e-7, "training.learning_rate: must be in 1e-06..1e+06, got 1e-07"),
        ("batch_size", 0, "training.batch_size: must be in 1..1,000,000, got 0"),
        ("batch_size", 1_000_001, "training.batch_size: must be in 1..1,000,000, got 1,000,001"),
        ("epochs", 0, "training.epochs: must be in 1..1,000,000, got 0"),
        ("epochs", MAX_EPOCHS + 1, "training.epochs: must be in 1..1,000,000, got 1,000,001"),
        ("seed", -1, "training.seed: must be in 0..18,446,744,073,709,551,615, got -1"),
        ("seed", 2**64, "training.seed: must be in 0..18,446,744,073,709,551,615, got 18,446,744,073,709,551,616"),
    ],
)
def test_settings_validation_names_the_setting(field: str, value: float, message: str) -> None:
    TrainingSettings().validate()
    settings = TrainingSettings(**{field: value})
    with pytest.raises(ValueError) as error:
        settings.validate()
    assert str(error.value) == message


def test_a_trainer_goes_on_from_a_historys_tail_as_from_the_whole_history():
    """A run started in the middle of an epoch gets ``tail(batch)``: the epoch's mean still covers
    every step of it, and the steps are numbered on from the whole history."""
    rng = np.random.default_rng(3)
    data = Dataset(rng.normal(size=(6, 2)), rng.uniform(size=(6, 1)))
    settings = TrainingSettings(learning_rate=0.3, batch_size=1, seed=2)
    whole = Trainer(build_network(2, [3, 1], ["tanh", "sigmoid"], seed=1), data, settings)
    whole.train(2)
    for _ in range(4):  # into the third epoch
        whole.step()
    tail = whole.history.tail(whole.batch)
    assert tail.steps == whole.history.steps == 16 and tail.dropped == 12 and not tail.epoch_losses
    assert list(tail.step_losses) == list(whole.history.step_losses[-4:])
    assert whole.history.tail(100).dropped == 0 and len(whole.history.tail(0).step_losses) == 0
    steps: list[int] = []
    going_on = Trainer(whole.network.copy(), data, settings, tail, whole.epoch, whole.batch)
    going_on.observers.append(lambda result, step: steps.append(step))
    whole.train(1)
    going_on.train(1)
    assert going_on.history.epoch_losses == whole.history.epoch_losses[-1:]
    assert going_on.history.epoch_ends == whole.history.epoch_ends[-1:] == [18] and steps == [17, 18]
