"""Runs side by side: references of earlier runs, what differs between two runs' settings, the file."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest

from backprop_gui.core.compare import (
    MAX_REFERENCES,
    Reference,
    RunSettings,
    add_reference,
    describe_differences,
    keep_run,
)
from backprop_gui.core.network import build_network
from backprop_gui.core.optimizers import OptimizerSettings, Regularization, UpdateRule
from backprop_gui.core.presets import load_example
from backprop_gui.core.session import Session
from backprop_gui.core.session_format import dumps, loads
from backprop_gui.core.training import Trainer

from helpers import error_of


def moons() -> Session:
    session = load_example("moons")
    session.data.test_fraction = 0.2
    return session


def differences(change) -> str:
    before = moons()
    after = moons()
    change(after)
    return describe_differences(RunSettings.of(before), RunSettings.of(after))


@pytest.mark.parametrize(
    ("change", "label"),
    [
        (lambda s: None, "same settings"),
        (lambda s: setattr(s.training, "learning_rate", 2.0), "η 0.1 → 2"),
        (lambda s: setattr(s.training, "batch_size", 16), "batch 1 → 16"),
        (lambda s: setattr(s.network.layers[0], "activation", "relu"), "f₁ tanh → relu"),
        (lambda s: setattr(s.data, "test_fraction", 0.3), "test 0.2 → 0.3"),
        (lambda s: setattr(s.data, "split_seed", 4), "split seed 0 → 4"),
        (lambda s: setattr(s.training, "rule", UpdateRule(OptimizerSettings("adam"))), "sgd → adam"),
        (
            lambda s: setattr(s.training, "rule", UpdateRule(regularization=Regularization("l2", 0.01))),
            "no penalty → L2 λ 0.01",
        ),
        (lambda s: s.data.generator.update(noise=0.3), "noise 0.1 → 0.3"),
    ],
)
def test_each_difference_is_named_in_course_notation(change, label):
    assert differences(change) == label


def test_features_sizes_and_several_differences_are_listed_together():
    def change(session: Session) -> None:
        network = build_network(3, [5, 1], ["tanh", "sigmoid"], "binary_cross_entropy", features=("x1", "x2", "x1*x2"))
        session.network = network
        session.training.learning_rate = 0.5

    assert differences(change) == "2-8-1 → 3-5-1, inputs raw x → x1, x2, x1·x2, η 0.1 → 0.5"


def test_momentum_hyperparameters_and_the_initialisation_when_known():
    before, after = moons(), moons()
    before.training.rule = UpdateRule(OptimizerSettings("momentum", momentum=0.9))
    after.training.rule = UpdateRule(OptimizerSettings("momentum", momentum=0.5))
    text = describe_differences(RunSettings.of(before, "xavier"), RunSettings.of(after, "he"))
    assert text == "init xavier → he, μ 0.9 → 0.5"
    assert describe_differences(RunSettings.of(before), RunSettings.of(before, "he")) == "same settings"


def test_a_kept_run_holds_its_curves_and_settings():
    session = moons()
    Trainer(session.network, session.data, session.training, session.history).train(3)
    reference = keep_run(session, "run 1")
    assert reference.train_losses == session.history.epoch_losses and len(reference.test_losses) == 3
    assert reference.settings == RunSettings.of(session)
    session.history.epoch_losses.append(1.0)
    assert len(reference.train_losses) == 3  # a copy


def curve(n: int, seed: int = 0) -> list[float]:
    return np.random.default_rng(seed).uniform(0.1, 1.0, n).tolist()


def test_references_survive_save_and_open_as_curves():
    session = moons()
    session.references = [
        Reference("run 1", "η 0.5 → 2", curve(5), curve(5, 1)),
        Reference("run 2", "", curve(3, 2)),
    ]
    session.references[0].settings = RunSettings.of(session)
    document = json.loads(dumps(session))
    assert document["references"][0] == {
        "name": "run 1",
        "label": "η 0.5 → 2",
        "train_losses": session.references[0].train_losses,
        "test_losses": session.references[0].test_losses,
    }
    assert document["references"][1] == {"name": "run 2", "train_losses": session.references[1].train_losses}
    loaded = loads(dumps(session))
    assert [replace(r, settings=None) for r in session.references] == loaded.references
    assert dumps(loaded) == dumps(session)
    assert "references" not in json.loads(dumps(moons()))


def test_at_most_four_references():
    references: list[Reference] = []
    for i in range(MAX_REFERENCES):
        add_reference(references, Reference(f"run {i + 1}", "", curve(2)))
    with pytest.raises(ValueError, match="references: at most 4 runs can be kept for comparison, got 5"):
        add_reference(references, Reference("run 5", "", curve(2)))
    assert len(references) == 4
    document = json.loads(dumps(moons()))
    document["references"] = [{"name": f"r{i}", "train_losses": [0.5]} for i in range(5)]
    assert "references: at most 4 runs can be kept for comparison, got 5" in error_of(document)


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        ({"train_losses": [0.5]}, 'references[0]: missing field "name"'),
        ({"name": " ", "train_losses": [0.5]}, "references[0].name: a reference needs a name"),
        ({"name": "a", "label": 3, "train_losses": [0.5]}, "references[0].label: expected a string"),
        ({"name": "a"}, 'references[0]: missing field "train_losses"'),
        ({"name": "a", "train_losses": [0.5, "x"]}, "references[0].train_losses[1]: expected a number"),
        ({"name": "a", "train_losses": [0.5], "test_losses": [1, 2]}, "references[0].test_losses: more values (2)"),
        ({"name": "a" * 201, "train_losses": [0.5]}, "references[0].name: at most 200 characters, got 201"),
    ],
)
def test_a_bad_reference_in_a_file_is_named(reference, message):
    document = json.loads(dumps(moons()))
    document["references"] = [reference]
    assert message in error_of(document)
