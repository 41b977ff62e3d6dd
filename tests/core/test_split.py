"""The train/test split: reproducible from its seed, kept in the file, and never trained on."""

from __future__ import annotations

import json

import numpy as np
import pytest

from backprop_gui.core.datasets import Dataset, generate, split_indices
from backprop_gui.core.network import build_network
from backprop_gui.core.session import Session, SessionView, StepperPosition
from backprop_gui.core.session_format import dumps, loads
from backprop_gui.core.stepper import Stepper, batch_holding
from backprop_gui.core.training import Trainer, TrainingSettings, data_split, split_validation

from helpers import error_of


def test_the_split_is_reproducible_from_its_seed():
    train, test = split_indices(200, 0.25, 7)
    again_train, again_test = split_indices(200, 0.25, 7)
    assert np.array_equal(train, again_train) and np.array_equal(test, again_test)
    assert len(test) == 50 and len(train) == 150
    assert sorted(np.concatenate([train, test]).tolist()) == list(range(200))
    other = split_indices(200, 0.25, 8)[1]
    assert not np.array_equal(test, other)


def test_no_split_and_the_smallest_splits():
    train, test = split_indices(10, 0.0, 3)
    assert train.tolist() == list(range(10)) and test.size == 0
    assert len(split_indices(4, 0.25, 0)[1]) == 1
    assert len(split_indices(4, 0.99, 0)[0]) == 1  # training always keeps a sample
    assert split_indices(1, 0.5, 0)[1].size == 0


def test_adding_samples_moves_at_most_one_earlier_sample_between_the_sets():
    _, before = split_indices(100, 0.3, 5)
    _, after = split_indices(103, 0.3, 5)
    kept = set(before.tolist())
    now = {i for i in after.tolist() if i < 100}
    assert len(kept ^ now) <= 1


@pytest.mark.parametrize("fraction", [-0.1, 1.0, 1.5])
def test_a_fraction_out_of_range_is_refused(fraction):
    with pytest.raises(ValueError, match=r"test_fraction: must be in 0 \(included\) to 1 \(excluded\)"):
        split_indices(10, fraction, 0)


def moons_session(test_fraction: float = 0.3, split_seed: int = 4) -> Session:
    data = generate("moons", samples=40)
    data.test_fraction, data.split_seed = test_fraction, split_seed
    network = build_network(2, [3, 1], ["tanh", "sigmoid"], "binary_cross_entropy", seed=2)
    return Session("split", network, data, TrainingSettings(learning_rate=0.5, batch_size=3, seed=9))


def test_the_trainer_never_sees_a_test_point():
    session = moons_session()
    trainer = Trainer(session.network, session.data, session.training, session.history)
    seen: set[int] = set()
    for _ in range(3 * trainer.batches_per_epoch):
        seen.update(trainer.next_samples().tolist())
        trainer.step()
    test = set(session.data.split()[1].tolist())
    assert len(test) == 12 and not seen & test
    assert seen == set(session.data.split()[0].tolist())
    assert trainer.epoch == 3 and trainer.batches_per_epoch == 10  # 28 training samples in minibatches of 3


def test_the_validation_split_is_drawn_from_the_training_part():
    session = moons_session()
    session.data.validation_fraction = 0.25
    split = data_split(session.data, session.training.seed)
    assert len(split.test) == 12 and len(split.validation) == 7 and len(split.train) == 21
    assert not set(split.validation.tolist()) & set(split.test.tolist())
    unsplit = moons_session(test_fraction=0.0)
    unsplit.data.validation_fraction = 0.25
    old_train, old_validation = split_validation(40, 0.25, 9)
    again = data_split(unsplit.data, 9)
    assert np.array_equal(again.train, old_train) and np.array_equal(again.validation, old_validation)


def test_the_stepper_walks_only_the_training_samples():
    session = moons_session()
    train, test = session.data.split()
    stepper = Stepper(session.network, session.data.inputs, session.data.targets, 0.5, samples=train)
    assert stepper.batch_count == len(train)
    visited = []
    for _ in range(len(train)):
        visited.extend(stepper.sample_indices.tolist())
        stepper.run_to_end()
        stepper.step()
    assert visited == train.tolist()
    assert stepper.sample_indices.tolist() == [train[0]]  # round again
    row = int(test[0])
    later = train[train > row]
    assert train[batch_holding(train, row)] == (later[0] if len(later) else train[0])
    assert batch_holding(train, int(train[5])) == 5 and batch_holding(train, int(train[5]), 2) == 2


def test_the_split_survives_save_and_open():
    session = moons_session(0.35, 123)
    document = json.loads(dumps(session))
    assert document["data"]["test_fraction"] == 0.35 and document["data"]["split_seed"] == 123
    loaded = loads(dumps(session))
    assert (loaded.data.test_fraction, loaded.data.split_seed) == (0.35, 123)
    assert all(np.array_equal(a, b) for a, b in zip(loaded.data.split(), session.data.split(), strict=True))


def test_a_file_without_a_split_has_none_and_writes_none():
    session = moons_session(0.0, 0)
    document = json.loads(dumps(session))
    assert "test_fraction" not in document["data"] and "split_seed" not in document["data"]
    loaded = loads(dumps(session))
    assert (loaded.data.test_fraction, loaded.data.split_seed) == (0.0, 0)


def test_imported_data_keeps_its_split_too():
    data = Dataset(np.arange(20.0).reshape(10, 2), np.ones((10, 1)), test_fraction=0.2, split_seed=1)
    network = build_network(2, [1], ["sigmoid"])
    loaded = loads(dumps(Session("x", network, data)))
    assert (loaded.data.test_fraction, loaded.data.split_seed) == (0.2, 1)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("test_fraction", 1.0, "data.test_fraction: must be in 0 (included) to 1 (excluded), got 1.0"),
        ("test_fraction", -0.5, "data.test_fraction: must be in 0 (included) to 1 (excluded), got -0.5"),
        ("test_fraction", "half", "data.test_fraction: expected a number"),
        ("split_seed", -1, "data.split_seed: must be in 0..18,446,744,073,709,551,615, got -1"),
        ("split_seed", 0.5, "data.split_seed: expected a whole number"),
    ],
)
def test_a_bad_split_in_a_file_is_named(field, value, message):
    document = json.loads(dumps(moons_session()))
    document["data"][field] = value
    assert message in error_of(document)


def test_a_saved_position_counts_the_training_samples():
    session = moons_session()
    train, _ = session.data.split()
    session.view = SessionView(position=StepperPosition(sample=len(train) - 1))
    assert loads(dumps(session)).view.position.sample == len(train) - 1
    document = json.loads(dumps(session))
    document["position"]["sample"] = len(train) + 1
    assert f"position.sample: must be in 1..{len(train)}" in error_of(document)


def test_a_position_at_update_with_a_split_is_kept():
    session = moons_session()
    train, _ = session.data.split()
    stepper = Stepper(session.network, session.data.inputs, session.data.targets, 0.5, batch=12, samples=train)
    stepper.run_to_end()
    before = tuple({l: stepper.weights_before(l)[i] for l in (1, 2)} for i in (0, 1))
    session.view = SessionView(position=StepperPosition(12, stepper.position, 0, before))
    position = loads(dumps(session)).view.position
    assert train[12] != 12 and (position.sample, position.position) == (12, stepper.position)
    assert position.before_update is not None
